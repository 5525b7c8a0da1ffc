/*
 * Cross-cutting API checks: version, error texts, configuration defaults and
 * validation, names for logs, action formatting, and the sizes and offsets
 * that make up the ABI.
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
    assert_int_equal(cfg.prack_after_2xx, 1);
    assert_int_equal(cfg.cache_out_of_order, 0);
    assert_int_equal(cfg.queue_max, PRACK_UAS_QUEUE_MAX);
    assert_int_equal(cfg.auth_max, PRACK_UAC_AUTH_MAX);
    for (size_t i = 0; i < sizeof(cfg.reserved_); i++)
        assert_int_equal(cfg.reserved_[i], 0);
    assert_int_equal(prack_config_init(NULL), PRACK_ERR_INVAL);
}

/* One setting of a configuration row; the rest are the defaults. */
enum cfg_field {
    C_T1, C_REFRESH, C_TIMEOUT, C_POLICY, C_FAILURE, C_AFTER_2XX, C_CACHE, C_QUEUE, C_AUTH,
    C_RESERVED0 /* + index of the reserved byte */
};

/* Every bad setting is refused by both engines' init with PRACK_ERR_INVAL,
 * every allowed one accepted (prack_config_check() behind both). */
static void test_config_validation(void **state)
{
    (void)state;
    static const struct {
        unsigned field;
        uint32_t value;
        int ok;
    } rows[] = {
        {C_T1, 1, 1},           {C_T1, 3600000, 1},     {C_T1, 0, 0},
        {C_T1, 3600001, 0},     {C_REFRESH, 0, 1},      {C_REFRESH, 1000, 1},
        {C_REFRESH, 65535000, 1}, {C_REFRESH, 999, 0},  {C_REFRESH, 65535001, 0},
        {C_TIMEOUT, 500, 1},    {C_TIMEOUT, 599, 1},    {C_TIMEOUT, 499, 0},
        {C_TIMEOUT, 600, 0},    {C_POLICY, PRACK_POLICY_OFF, 1},
        {C_POLICY, PRACK_POLICY_REQUIRED, 1},           {C_POLICY, 3, 0},
        {C_POLICY, 255, 0},     {C_FAILURE, PRACK_FAILURE_TERMINATE, 1},
        {C_FAILURE, 2, 0},      {C_AFTER_2XX, 0, 1},    {C_AFTER_2XX, 1, 1},
        {C_AFTER_2XX, 2, 0},    {C_AFTER_2XX, 255, 0},  {C_CACHE, 1, 1},
        {C_CACHE, 2, 0},        {C_QUEUE, 0, 1},        {C_QUEUE, 8, 1},
        {C_QUEUE, 9, 0},        {C_QUEUE, 255, 0},      {C_AUTH, 0, 1},
        {C_AUTH, 3, 1},         {C_AUTH, 4, 0},         {C_AUTH, 255, 0},
        {C_RESERVED0 + 0, 1, 0}, {C_RESERVED0 + 1, 1, 0}, {C_RESERVED0 + 2, 0x80, 0},
        {C_RESERVED0 + 3, 1, 0}, {C_RESERVED0 + 4, 0xFF, 0}, {C_RESERVED0 + 5, 1, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        prack_config_t cfg;
        prack_config_init(&cfg);
        uint32_t v = rows[i].value;
        switch (rows[i].field) {
        case C_T1: cfg.t1_ms = v; break;
        case C_REFRESH: cfg.refresh_ms = v; break;
        case C_TIMEOUT: cfg.timeout_status = (uint16_t)v; break;
        case C_POLICY: cfg.policy = (uint8_t)v; break;
        case C_FAILURE: cfg.on_prack_failure = (uint8_t)v; break;
        case C_AFTER_2XX: cfg.prack_after_2xx = (uint8_t)v; break;
        case C_CACHE: cfg.cache_out_of_order = (uint8_t)v; break;
        case C_QUEUE: cfg.queue_max = (uint8_t)v; break;
        case C_AUTH: cfg.auth_max = (uint8_t)v; break;
        default: cfg.reserved_[rows[i].field - C_RESERVED0] = (uint8_t)v; break;
        }
        int want = rows[i].ok ? PRACK_OK : PRACK_ERR_INVAL;

        prack_uas_t uas;
        prack_actions_t out;
        prack_invite_t inv = {.cseq = 1, .flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};
        if (prack_uas_init(&uas, &cfg, &inv, 1, 0, &out) != want)
            fail_msg("row %zu: prack_uas_init did not return %d", i, want);
        prack_uac_t uac;
        if (prack_uac_init(&uac, &cfg, 1, 0, 0) != want)
            fail_msg("row %zu: prack_uac_init did not return %d", i, want);
    }
}

static void test_names_are_distinct_and_known(void **state)
{
    (void)state;
    for (unsigned t = PRACK_ACT_SEND_1XX; t <= PRACK_ACT_EVENT; t++) {
        assert_string_not_equal(prack_act_name(t), "?");
        for (unsigned u = PRACK_ACT_SEND_1XX; u < t; u++)
            assert_string_not_equal(prack_act_name(t), prack_act_name(u));
    }
    assert_string_equal(prack_act_name(0), "?");
    assert_string_equal(prack_act_name(99), "?");
    assert_string_equal(prack_act_name(PRACK_ACT_DISCARD), "DISCARD");
    assert_string_equal(prack_act_name(PRACK_ACT_DROP_1XX), "DROP_1XX");
    for (unsigned r = PRACK_R_NONE; r <= PRACK_R_WRONG_CSEQ; r++) {
        assert_string_not_equal(prack_reason_name(r), "?");
        for (unsigned q = PRACK_R_NONE; q < r; q++)
            assert_string_not_equal(prack_reason_name(r), prack_reason_name(q));
    }
    assert_string_equal(prack_reason_name(PRACK_R_WRONG_CSEQ), "WRONG_CSEQ");
    assert_string_equal(prack_reason_name(PRACK_R_WRONG_CSEQ + 1u), "?");
    assert_string_equal(prack_reason_name(99), "?");
    for (unsigned s = PRACK_SDP_NONE; s <= PRACK_SDP_REPEAT; s++)
        assert_string_not_equal(prack_sdp_name(s), "?");
    assert_string_equal(prack_sdp_name(99), "?");
    for (unsigned s = PRACK_UAS_PROCEEDING; s <= PRACK_UAS_REJECTED; s++)
        assert_string_not_equal(prack_uas_state_name(s), "?");
    assert_string_equal(prack_uas_state_name(0), "?");
    for (unsigned s = PRACK_UAC_CALLING; s <= PRACK_UAC_FAILED; s++)
        assert_string_not_equal(prack_uac_state_name(s), "?");
    assert_string_equal(prack_uac_state_name(0), "?");
    /* the values of an unsigned argument above any enumeration */
    assert_string_equal(prack_act_name(0x101u), "?");
    assert_string_equal(prack_uas_state_name(UINT32_MAX), "?");
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
    a.type = PRACK_ACT_DISCARD;
    a.reason = PRACK_R_WRONG_CSEQ;
    prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "DISCARD reason=WRONG_CSEQ");

    /* the 0.2 flags, and the cookie, which is not printed */
    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_DROP_1XX;
    a.status = 180;
    a.rseq = 42;
    a.cseq = 4294967295u;
    a.flags = PRACK_AF_RELEASE;
    a.user = UINT64_C(0xDEADBEEFCAFEF00D);
    n = prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "DROP_1XX 180 rseq=42 cseq=4294967295 RELEASE");
    assert_int_equal(n, (int)strlen(buf));

    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_SEND_PRACK;
    a.status = 183;
    a.rseq = 4294967295u;
    a.cseq = 2;
    a.flags = PRACK_AF_NEW_DIALOG | PRACK_AF_OTHER_FORK;
    a.sdp = PRACK_SDP_ANSWER;
    prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf,
                        "SEND_PRACK 183 rseq=4294967295 cseq=2 NEW_DIALOG OTHER_FORK sdp=ANSWER");

    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_ANSWER_PRACK;
    a.status = 200;
    a.rseq = 42;
    a.flags = PRACK_AF_RELEASE;
    a.sdp = PRACK_SDP_ANSWER;
    prack_action_format(buf, sizeof(buf), &a);
    assert_string_equal(buf, "ANSWER_PRACK 200 rseq=42 RELEASE sdp=ANSWER");

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

/* The ABI of 0.2: engine objects are fixed-size, aligned like uint64_t, and
 * every public struct has fixed-width fields at fixed offsets (prack.h). */
static void test_abi_sizes_and_offsets(void **state)
{
    (void)state;
    assert_int_equal(sizeof(prack_uas_t), PRACK_UAS_SIZE);
    assert_int_equal(PRACK_UAS_SIZE, 136);
    assert_int_equal(sizeof(prack_uac_t), PRACK_UAC_SIZE);
    assert_int_equal(PRACK_UAC_SIZE, 40);
    assert_int_equal(sizeof(prack_uac_dialog_t), PRACK_UAC_DIALOG_SIZE);
    assert_int_equal(PRACK_UAC_DIALOG_SIZE, 32);
    assert_int_equal(_Alignof(prack_uas_t), _Alignof(uint64_t));
    assert_int_equal(_Alignof(prack_uac_t), _Alignof(uint64_t));
    assert_true(_Alignof(prack_uac_dialog_t) >= _Alignof(uint32_t));

    assert_int_equal(sizeof(prack_config_t), 24);
    assert_int_equal(offsetof(prack_config_t, t1_ms), 0);
    assert_int_equal(offsetof(prack_config_t, refresh_ms), 4);
    assert_int_equal(offsetof(prack_config_t, timeout_status), 8);
    assert_int_equal(offsetof(prack_config_t, policy), 10);
    assert_int_equal(offsetof(prack_config_t, on_prack_failure), 11);
    assert_int_equal(offsetof(prack_config_t, prack_after_2xx), 12);
    assert_int_equal(offsetof(prack_config_t, cache_out_of_order), 13);
    assert_int_equal(offsetof(prack_config_t, queue_max), 14);
    assert_int_equal(offsetof(prack_config_t, auth_max), 15);
    assert_int_equal(offsetof(prack_config_t, reserved_), 16);
    assert_int_equal(sizeof(((prack_config_t *)0)->reserved_), 6);

    /* 40 bytes on LP64, 36 on ILP32 */
    assert_int_equal(sizeof(prack_action_t), 32 + sizeof(const char *));
    assert_int_equal(offsetof(prack_action_t, type), 0);
    assert_int_equal(offsetof(prack_action_t, reason), 1);
    assert_int_equal(offsetof(prack_action_t, sdp), 2);
    assert_int_equal(offsetof(prack_action_t, option), 3);
    assert_int_equal(offsetof(prack_action_t, status), 4);
    assert_int_equal(offsetof(prack_action_t, flags), 8);
    assert_int_equal(offsetof(prack_action_t, rseq), 12);
    assert_int_equal(offsetof(prack_action_t, cseq), 16);
    assert_int_equal(offsetof(prack_action_t, user), 24);
    assert_int_equal(offsetof(prack_action_t, text), 32);
    assert_int_equal(sizeof(((prack_action_t *)0)->user), 8);
    assert_int_equal(offsetof(prack_actions_t, v), 8);
    assert_int_equal(sizeof(((prack_actions_t *)0)->n), 4);
    assert_int_equal(sizeof(prack_actions_t), 8 + PRACK_ACTIONS_MAX * sizeof(prack_action_t));

    assert_int_equal(sizeof(prack_invite_t), 8);
    assert_int_equal(offsetof(prack_prack_t, flags), 0);
    assert_int_equal(offsetof(prack_prack_t, cseq), 4);
    assert_int_equal(offsetof(prack_prack_t, rack_rseq), 8);
    assert_int_equal(offsetof(prack_prack_t, rack_cseq), 16);
    assert_int_equal(offsetof(prack_prack_t, method), 24);
    assert_int_equal(offsetof(prack_prack_t, method_len), 24 + sizeof(const char *));
    assert_int_equal(sizeof(prack_response_t), 24);
    assert_int_equal(offsetof(prack_response_t, method), 2);
    assert_int_equal(offsetof(prack_response_t, flags), 4);
    assert_int_equal(offsetof(prack_response_t, cseq), 8);
    assert_int_equal(offsetof(prack_response_t, rseq), 16);
    assert_int_equal(sizeof(prack_uas_stats_t), 16);
    assert_int_equal(sizeof(prack_uac_stats_t), 16);
    print_message("sizeof(prack_uas_t)=%zu sizeof(prack_uac_t)=%zu sizeof(prack_uac_dialog_t)=%zu "
                  "sizeof(prack_action_t)=%zu sizeof(prack_actions_t)=%zu\n",
                  sizeof(prack_uas_t), sizeof(prack_uac_t), sizeof(prack_uac_dialog_t),
                  sizeof(prack_action_t), sizeof(prack_actions_t));
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
        cmocka_unit_test(test_abi_sizes_and_offsets),
        cmocka_unit_test(test_getters_null),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
