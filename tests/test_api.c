/*
 * Cross-cutting API checks: version, error texts, configuration defaults and
 * validation, names for logs, action formatting, and the size budget of the
 * engine state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <prack/prack.h>

static void test_version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(prack_version(), PRACK_VERSION_STRING);
    assert_int_equal(prack_version_number(), PRACK_VERSION_NUMBER);
    assert_int_equal(PRACK_VERSION_NUMBER, (PRACK_VERSION_MAJOR << 16) |
                                               (PRACK_VERSION_MINOR << 8) | PRACK_VERSION_PATCH);
}

static void test_strerror_every_code(void **state)
{
    (void)state;
    static const int codes[] = {PRACK_ERR_INVAL,      PRACK_ERR_STATE,
                                PRACK_ERR_TIME,       PRACK_ERR_QUEUE_FULL,
                                PRACK_ERR_OFFER_REQUIRED, PRACK_ERR_PARSE,
                                PRACK_ERR_RANGE,      PRACK_ERR_NOSPACE};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *s = prack_strerror(codes[i]);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, prack_strerror(codes[j]));
    }
    assert_string_equal(prack_strerror(PRACK_OK), "success");
    assert_string_equal(prack_strerror(7), "success");
    assert_string_equal(prack_strerror(-1000), "unknown error");
}

static void test_config_defaults(void **state)
{
    (void)state;
    prack_config_t cfg;
    memset(&cfg, 0xA5, sizeof(cfg));
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    assert_int_equal(cfg.t1_ms, 500);
    assert_int_equal(cfg.refresh_ms, 0);
    assert_int_equal(cfg.timeout_status, 504);
    assert_int_equal(cfg.policy, PRACK_POLICY_SUPPORTED);
    assert_int_equal(cfg.on_prack_failure, PRACK_FAILURE_OBSERVE);
    assert_true(cfg.prack_after_2xx);
    assert_false(cfg.cache_out_of_order);
    assert_int_equal(prack_config_init(NULL), PRACK_ERR_INVAL);
}

/* Every bad setting is refused by both engines' init with PRACK_ERR_INVAL. */
static void test_config_validation(void **state)
{
    (void)state;
    struct {
        uint32_t t1, refresh;
        uint16_t timeout;
        int policy, failure;
        int ok;
    } rows[] = {
        {500, 0, 504, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 1},
        {1, 1000, 500, PRACK_POLICY_OFF, PRACK_FAILURE_TERMINATE, 1},
        {3600000, 65535000, 599, PRACK_POLICY_REQUIRED, PRACK_FAILURE_OBSERVE, 1},
        {0, 0, 504, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {3600001, 0, 504, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {500, 999, 504, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {500, 65535001, 504, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {500, 0, 499, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {500, 0, 600, PRACK_POLICY_SUPPORTED, PRACK_FAILURE_OBSERVE, 0},
        {500, 0, 504, 3, PRACK_FAILURE_OBSERVE, 0},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 2, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        prack_config_t cfg;
        prack_config_init(&cfg);
        cfg.t1_ms = rows[i].t1;
        cfg.refresh_ms = rows[i].refresh;
        cfg.timeout_status = rows[i].timeout;
        cfg.policy = (prack_policy_t)rows[i].policy;
        cfg.on_prack_failure = (prack_failure_t)rows[i].failure;
        int want = rows[i].ok ? PRACK_OK : PRACK_ERR_INVAL;

        prack_uas_t uas;
        prack_actions_t out;
        prack_invite_t inv = {.cseq = 1, .flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};
        assert_int_equal(prack_uas_init(&uas, &cfg, &inv, NULL, 0, 1, 0, &out), want);
        prack_uac_t uac;
        assert_int_equal(prack_uac_init(&uac, &cfg, 1, 0, 0), want);
    }
}

static void test_names_are_distinct_and_known(void **state)
{
    (void)state;
    for (int t = PRACK_ACT_SEND_1XX; t <= PRACK_ACT_EVENT; t++) {
        assert_string_not_equal(prack_act_name((prack_act_t)t), "?");
        for (int u = PRACK_ACT_SEND_1XX; u < t; u++)
            assert_string_not_equal(prack_act_name((prack_act_t)t), prack_act_name((prack_act_t)u));
    }
    assert_string_equal(prack_act_name((prack_act_t)0), "?");
    assert_string_equal(prack_act_name((prack_act_t)99), "?");
    for (int r = PRACK_R_NONE; r <= PRACK_R_STALE; r++)
        assert_string_not_equal(prack_reason_name((prack_reason_t)r), "?");
    assert_string_equal(prack_reason_name((prack_reason_t)99), "?");
    for (int s = PRACK_SDP_NONE; s <= PRACK_SDP_REPEAT; s++)
        assert_string_not_equal(prack_sdp_name((prack_sdp_t)s), "?");
    assert_string_equal(prack_sdp_name((prack_sdp_t)99), "?");
    for (int s = PRACK_UAS_PROCEEDING; s <= PRACK_UAS_REJECTED; s++)
        assert_string_not_equal(prack_uas_state_name((prack_uas_state_t)s), "?");
    assert_string_equal(prack_uas_state_name((prack_uas_state_t)0), "?");
    for (int s = PRACK_UAC_CALLING; s <= PRACK_UAC_FAILED; s++)
        assert_string_not_equal(prack_uac_state_name((prack_uac_state_t)s), "?");
    assert_string_equal(prack_uac_state_name((prack_uac_state_t)0), "?");
}

static void test_action_format(void **state)
{
    (void)state;
    prack_action_t a;
    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_SEND_1XX;
    a.status = 183;
    a.rseq = 7;
    a.cseq = 1;
    a.flags = PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT;
    a.sdp = PRACK_SDP_ANSWER;
    char buf[128];
    int n = prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "SEND_1XX 183 rseq=7 cseq=1 RELIABLE RETRANSMIT sdp=ANSWER");
    assert_int_equal(n, (int)strlen(buf));

    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_RETRY_INVITE;
    a.status = 421;
    a.option = PRACK_OPTION_SUPPORTED;
    prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "RETRY_INVITE 421 option=Supported");

    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_DISCARD_1XX;
    a.reason = PRACK_R_OUT_OF_ORDER;
    prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "DISCARD_1XX reason=OUT_OF_ORDER");

    /* truncation keeps the string terminated and reports what fits */
    a.type = PRACK_ACT_SEND_1XX;
    a.status = 183;
    for (size_t cap = 1; cap < 12; cap++) {
        char small[12];
        memset(small, 'x', sizeof(small));
        n = prack_action_format(small, cap, &a);
        assert_true(n >= 0 && (size_t)n < cap);
        assert_int_equal(small[n], '\0');
    }
    assert_int_equal(prack_action_format(NULL, 8, &a), PRACK_ERR_INVAL);
    assert_int_equal(prack_action_format(buf, 0, &a), PRACK_ERR_INVAL);
    assert_int_equal(prack_action_format(buf, 8, NULL), PRACK_ERR_INVAL);
}

/* The state budget: O(1) per transaction and per early dialog. */
static void test_size_budget(void **state)
{
    (void)state;
    assert_true(sizeof(prack_uas_t) <= 64);
    assert_true(sizeof(prack_uac_dialog_t) <= 32);
    assert_true(sizeof(prack_uas_entry_t) <= 16);
    print_message("sizeof(prack_uas_t)=%zu sizeof(prack_uas_entry_t)=%zu "
                  "sizeof(prack_uac_dialog_t)=%zu sizeof(prack_uac_t)=%zu "
                  "sizeof(prack_actions_t)=%zu\n",
                  sizeof(prack_uas_t), sizeof(prack_uas_entry_t), sizeof(prack_uac_dialog_t),
                  sizeof(prack_uac_t), sizeof(prack_actions_t));
}

/* Getters are safe on NULL. */
static void test_getters_null(void **state)
{
    (void)state;
    assert_int_equal(prack_next_deadline(NULL), PRACK_TIME_NONE);
    assert_int_equal(prack_uas_state(NULL), 0);
    assert_false(prack_uas_reliable(NULL));
    assert_int_equal(prack_uas_unacked(NULL), 0);
    assert_int_equal(prack_uas_queued(NULL), 0);
    assert_int_equal(prack_uac_state(NULL), 0);
    assert_int_equal(prack_uac_option(NULL), PRACK_OPTION_NONE);
    assert_int_equal(prack_uac_dialog_rseq(NULL), 0);
    prack_uas_stats_t us;
    prack_uac_stats_t cs;
    assert_int_equal(prack_uas_counters(NULL, &us), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_counters(NULL, &cs), PRACK_ERR_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_header),
        cmocka_unit_test(test_strerror_every_code),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_names_are_distinct_and_known),
        cmocka_unit_test(test_action_format),
        cmocka_unit_test(test_size_budget),
        cmocka_unit_test(test_getters_null),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
