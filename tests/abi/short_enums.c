/*
 * A host compiled with -fshort-enums, where every enumeration takes the
 * smallest integer type that holds its values, talks to the library, which
 * is compiled with the platform's enumeration size.
 *
 * Since 0.2 every public struct field is a fixed-width integer, so both sides
 * see one layout. This program checks that three ways:
 *   - the layout of every public struct (size, alignment, each field's offset
 *     and size) here equals the one plain_layout.c sees without -fshort-enums,
 *     which is how the library was built;
 *   - a UAS call and a UAC call driven through the shared library give exactly
 *     the expected actions, every field read here (type, reason, sdp, option,
 *     status, flags, rseq, cseq, user cookie, text and the reserved fields);
 *   - values written here (a configuration, an action) are read back by the
 *     library as written.
 *
 * With the 0.1 headers, whose action and configuration fields had enumeration
 * types, the first check fails: sizeof(prack_action_t) is 32 with
 * -fshort-enums and 48 without, and sizeof(prack_config_t) 16 against 24
 * (x86_64, gcc 12 and clang 14).
 *
 * A plain program: exit status 0 when every check passes, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <prack/prack.h>

#include "layout.h"

/* Proves the flag is in effect for this file. */
_Static_assert(sizeof(prack_act_t) < sizeof(int), "compile this file with -fshort-enums");
_Static_assert(sizeof(prack_reason_t) < sizeof(int), "compile this file with -fshort-enums");

static const abi_fact_t short_facts[] = {ABI_FACTS};

static unsigned failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Layout                                                                   */
/* ------------------------------------------------------------------------ */

static void check_layout(void)
{
    size_t n = sizeof(short_facts) / sizeof(short_facts[0]);
    CHECK(n == abi_plain_count, "%zu facts here, %zu without -fshort-enums", n, abi_plain_count);
    for (size_t i = 0; i < n && i < abi_plain_count; i++) {
        CHECK(strcmp(short_facts[i].what, abi_plain_facts[i].what) == 0, "fact %zu: %s vs %s", i,
              short_facts[i].what, abi_plain_facts[i].what);
        CHECK(short_facts[i].value == abi_plain_facts[i].value,
              "%s is %zu with -fshort-enums, %zu without", short_facts[i].what,
              short_facts[i].value, abi_plain_facts[i].value);
    }
    /* The sizes prack.h documents for the opaque engines and the configuration. */
    CHECK(sizeof(prack_uas_t) == PRACK_UAS_SIZE, "prack_uas_t is %zu", sizeof(prack_uas_t));
    CHECK(sizeof(prack_uac_t) == PRACK_UAC_SIZE, "prack_uac_t is %zu", sizeof(prack_uac_t));
    CHECK(sizeof(prack_uac_dialog_t) == PRACK_UAC_DIALOG_SIZE, "prack_uac_dialog_t is %zu",
          sizeof(prack_uac_dialog_t));
    CHECK(sizeof(prack_config_t) == 24, "prack_config_t is %zu", sizeof(prack_config_t));
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */
/* ------------------------------------------------------------------------ */

/* One expected action, every field; held in enumeration-typed members here so
 * that the comparison goes through this file's (short) enumerations. */
typedef struct want {
    prack_act_t type;
    prack_reason_t reason;
    prack_sdp_t sdp;
    prack_option_t option;
    uint16_t status;
    uint32_t flags;
    uint32_t rseq;
    uint32_t cseq;
    uint64_t user;
    const char *text; /* NULL, or the expected text */
} want_t;

#define END {(prack_act_t)0, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 0, 0, 0, 0, 0, NULL}

static void check_batch(const char *step, int rc, const prack_actions_t *out, const want_t *want)
{
    size_t n = 0;
    while (want[n].type != 0)
        n++;
    CHECK(rc == PRACK_OK, "%s: rc %d", step, rc);
    CHECK(out->n == n, "%s: %" PRIu32 " actions, want %zu", step, out->n, n);
    for (size_t i = 0; i < n && i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        const want_t *w = &want[i];
        char got[160];
        prack_action_format(got, sizeof(got), a);
        prack_act_t type = (prack_act_t)a->type;
        prack_reason_t reason = (prack_reason_t)a->reason;
        prack_sdp_t sdp = (prack_sdp_t)a->sdp;
        prack_option_t option = (prack_option_t)a->option;
        CHECK(type == w->type, "%s #%zu (%s): type %s", step, i, got, prack_act_name(w->type));
        CHECK(reason == w->reason, "%s #%zu (%s): reason %s", step, i, got,
              prack_reason_name(w->reason));
        CHECK(sdp == w->sdp, "%s #%zu (%s): sdp %s", step, i, got, prack_sdp_name(w->sdp));
        CHECK(option == w->option, "%s #%zu (%s): option %u", step, i, got, (unsigned)w->option);
        CHECK(a->status == w->status, "%s #%zu (%s): status %u", step, i, got, w->status);
        CHECK(a->flags == w->flags, "%s #%zu (%s): flags %#" PRIx32, step, i, got, w->flags);
        CHECK(a->rseq == w->rseq, "%s #%zu (%s): rseq %" PRIu32, step, i, got, w->rseq);
        CHECK(a->cseq == w->cseq, "%s #%zu (%s): cseq %" PRIu32, step, i, got, w->cseq);
        CHECK(a->user == w->user, "%s #%zu (%s): user %#" PRIx64 " want %#" PRIx64, step, i, got,
              a->user, w->user);
        CHECK(a->reserved_ == 0 && a->reserved2_ == 0, "%s #%zu (%s): reserved fields set", step,
              i, got);
        if (w->text)
            CHECK(a->text && strcmp(a->text, w->text) == 0, "%s #%zu (%s): text", step, i, got);
        else
            CHECK(a->text == NULL, "%s #%zu (%s): text %s", step, i, got, a->text);
    }
}

#define BATCH(step, rc, ...)                              \
    do {                                                  \
        static const want_t want_[] = {__VA_ARGS__, END}; \
        check_batch(step, rc, &out, want_);               \
        memset(&out, 0xa5, sizeof(out));                  \
    } while (0)

/* Cookies with both halves set: a host that kept 32 bits would lose them. */
#define COOKIE_180 UINT64_C(0x1111222233334444)
#define COOKIE_183 UINT64_C(0x8000000000000001)

static void uas_call(void)
{
    prack_config_t cfg;
    prack_uas_t uas;
    prack_actions_t out;
    int rc;

    /* every byte the library does not write stays 0xa5 */
    memset(&out, 0xa5, sizeof(out));

    CHECK(prack_config_init(&cfg) == PRACK_OK, "config");
    /* written here, read by the library */
    cfg.policy = PRACK_POLICY_SUPPORTED;
    cfg.queue_max = 2;
    const prack_invite_t inv = {101, PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};

    /* random 41: the first RSeq is 42 */
    rc = prack_uas_init(&uas, &cfg, &inv, 41, 0, &out);
    CHECK(rc == PRACK_OK && out.n == 0, "init: rc %d, %" PRIu32 " actions", rc, out.n);
    CHECK(prack_uas_state(&uas) == PRACK_UAS_PROCEEDING, "state %u", prack_uas_state(&uas));

    rc = prack_uas_send_1xx(&uas, 10, 180, 0, COOKIE_180, &out);
    BATCH("180", rc,
          {PRACK_ACT_SEND_1XX, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 180,
           PRACK_AF_RELIABLE, 42, 101, COOKIE_180, NULL});

    rc = prack_uas_send_1xx(&uas, 20, 183, PRACK_1XX_SDP, COOKIE_183, &out);
    BATCH("183 queued", rc,
          {PRACK_ACT_QUEUE_1XX, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 183, 0, 0, 101,
           COOKIE_183, NULL});

    rc = prack_on_timer(&uas, 510, &out);
    BATCH("retransmission", rc,
          {PRACK_ACT_SEND_1XX, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 180,
           PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT, 42, 101, COOKIE_180, NULL});

    /* a PRACK naming an RSeq never sent: 481 */
    prack_prack_t pr = {PRACK_PR_RACK, 102, 99, 101, "INVITE", 6, 0};
    rc = prack_uas_on_prack(&uas, 600, &pr, &out);
    BATCH("PRACK 99", rc,
          {PRACK_ACT_ANSWER_PRACK, PRACK_R_NO_MATCH, PRACK_SDP_NONE, PRACK_OPTION_NONE, 481, 0,
           99, 101, 0, NULL});

    pr.cseq = 103;
    pr.rack_rseq = 42;
    rc = prack_uas_on_prack(&uas, 700, &pr, &out);
    BATCH("PRACK 42", rc,
          {PRACK_ACT_ANSWER_PRACK, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 200,
           PRACK_AF_RELEASE, 42, 101, COOKIE_180, NULL},
          {PRACK_ACT_SEND_1XX, PRACK_R_NONE, PRACK_SDP_ANSWER, PRACK_OPTION_NONE, 183,
           PRACK_AF_RELIABLE, 43, 101, COOKIE_183, NULL},
          {PRACK_ACT_EVENT, PRACK_R_SESSION, PRACK_SDP_NONE, PRACK_OPTION_NONE, 0, 0, 0, 0, 0,
           NULL});

    rc = prack_uas_send_final(&uas, 800, 200, &out);
    BATCH("200 held", rc,
          {PRACK_ACT_HOLD_FINAL, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 200, 0, 43,
           101, 0, NULL});
    CHECK(prack_uas_state(&uas) == PRACK_UAS_HELD, "state %u", prack_uas_state(&uas));

    /* moved by memcpy between calls, as prack.h allows */
    prack_uas_t moved;
    memcpy(&moved, &uas, sizeof(moved));
    memset(&uas, 0xa5, sizeof(uas));

    pr.cseq = 104;
    pr.rack_rseq = 43;
    rc = prack_uas_on_prack(&moved, 900, &pr, &out);
    BATCH("PRACK 43", rc,
          {PRACK_ACT_ANSWER_PRACK, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 200,
           PRACK_AF_RELEASE, 43, 101, COOKIE_183, NULL},
          {PRACK_ACT_SEND_FINAL, PRACK_R_NONE, PRACK_SDP_REPEAT, PRACK_OPTION_NONE, 200,
           PRACK_AF_RELEASED, 0, 101, 0, NULL});
    CHECK(prack_uas_state(&moved) == PRACK_UAS_COMPLETED, "state %u", prack_uas_state(&moved));
}

static void uac_call(void)
{
    prack_config_t cfg;
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    int rc;

    /* every byte the library does not write stays 0xa5 */
    memset(&out, 0xa5, sizeof(out));

    CHECK(prack_config_init(&cfg) == PRACK_OK, "config");
    CHECK(cfg.policy == PRACK_POLICY_SUPPORTED && cfg.on_prack_failure == PRACK_FAILURE_OBSERVE,
          "defaults: policy %u, on_prack_failure %u", cfg.policy, cfg.on_prack_failure);
    cfg.on_prack_failure = PRACK_FAILURE_TERMINATE;
    CHECK(prack_uac_init(&uac, &cfg, 7, PRACK_UAC_INVITE_SDP, 0) == PRACK_OK, "uac init");
    prack_option_t opt = (prack_option_t)prack_uac_option(&uac);
    CHECK(opt == PRACK_OPTION_SUPPORTED, "option %u", (unsigned)opt);
    CHECK(prack_uac_dialog_init(&dlg) == PRACK_OK, "dialog init");

    prack_response_t rsp = {100, PRACK_METHOD_INVITE, 0, 0, 7, 0, 0};
    rc = prack_on_response(&uac, NULL, 10, &rsp, &out);
    BATCH("100", rc,
          {PRACK_ACT_DELIVER_1XX, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 100, 0, 0, 7,
           0, NULL});

    rsp = (prack_response_t){183, PRACK_METHOD_INVITE, 0,
                             PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP, 7, 0,
                             1000};
    rc = prack_on_response(&uac, &dlg, 20, &rsp, &out);
    BATCH("183", rc,
          {PRACK_ACT_SEND_PRACK, PRACK_R_NONE, PRACK_SDP_MAY_OFFER, PRACK_OPTION_NONE, 183,
           PRACK_AF_NEW_DIALOG, 1000, 7, 0, NULL},
          {PRACK_ACT_EVENT, PRACK_R_SESSION, PRACK_SDP_NONE, PRACK_OPTION_NONE, 183, 0, 1000, 0,
           0, NULL});

    rc = prack_on_response(&uac, &dlg, 30, &rsp, &out);
    BATCH("183 again", rc,
          {PRACK_ACT_DISCARD, PRACK_R_RETRANSMISSION, PRACK_SDP_NONE, PRACK_OPTION_NONE, 183, 0,
           1000, 7, 0, NULL});

    /* a 1xx with another CSeq is not this INVITE's */
    rsp.cseq = 8;
    rsp.rseq = 1001;
    rc = prack_on_response(&uac, &dlg, 40, &rsp, &out);
    BATCH("wrong CSeq", rc,
          {PRACK_ACT_DISCARD, PRACK_R_WRONG_CSEQ, PRACK_SDP_NONE, PRACK_OPTION_NONE, 183, 0, 1001,
           8, 0, NULL});

    /* the PRACK for 1000 fails: TERMINATE as configured here */
    rsp = (prack_response_t){481, PRACK_METHOD_PRACK, 0, 0, 8, 0, 1000};
    rc = prack_on_response(&uac, &dlg, 50, &rsp, &out);
    BATCH("PRACK 481", rc,
          {PRACK_ACT_EVENT, PRACK_R_PRACK_FAILED, PRACK_SDP_NONE, PRACK_OPTION_NONE, 481,
           PRACK_AF_DIALOG_GONE, 1000, 0, 0, NULL},
          {PRACK_ACT_TERMINATE, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 481, 0, 1000, 0,
           0, NULL});

    rsp = (prack_response_t){200, PRACK_METHOD_INVITE, 0, PRACK_RSP_SDP, 7, 0, 0};
    rc = prack_on_response(&uac, &dlg, 60, &rsp, &out);
    BATCH("200", rc,
          {PRACK_ACT_DELIVER_FINAL, PRACK_R_NONE, PRACK_SDP_REPEAT, PRACK_OPTION_NONE, 200, 0, 0,
           7, 0, NULL});
    prack_uac_state_t st = (prack_uac_state_t)prack_uac_state(&uac);
    CHECK(st == PRACK_UAC_ACCEPTED, "state %u", (unsigned)st);

    /* a 420 to an INVITE that required 100rel: retry with Supported */
    cfg.policy = PRACK_POLICY_REQUIRED;
    CHECK(prack_uac_init(&uac, &cfg, 9, 0, 100) == PRACK_OK, "uac init 2");
    opt = (prack_option_t)prack_uac_option(&uac);
    CHECK(opt == PRACK_OPTION_REQUIRE, "option %u", (unsigned)opt);
    rsp = (prack_response_t){420, PRACK_METHOD_INVITE, 0, PRACK_RSP_UNSUPPORTED_100REL, 9, 0, 0};
    rc = prack_on_response(&uac, NULL, 110, &rsp, &out);
    BATCH("420", rc,
          {PRACK_ACT_DELIVER_FINAL, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 420, 0, 0, 9,
           0, NULL},
          {PRACK_ACT_RETRY_INVITE, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_SUPPORTED, 420, 0, 0,
           0, 0, NULL});
}

/* A UAS whose reliable 1xx is never acknowledged: the timeout's final carries
 * its text, and the 1xx's cookie comes back in a DROP_1XX. */
static void uas_timeout(void)
{
    prack_config_t cfg;
    prack_uas_t uas;
    prack_actions_t out;
    int rc;

    /* every byte the library does not write stays 0xa5 */
    memset(&out, 0xa5, sizeof(out));

    CHECK(prack_config_init(&cfg) == PRACK_OK, "config");
    cfg.t1_ms = 100;
    cfg.timeout_status = 503;
    const prack_invite_t inv = {55, PRACK_INV_REQUIRE_100REL | PRACK_INV_SDP};
    rc = prack_uas_init(&uas, &cfg, &inv, 0, 0, &out);
    CHECK(rc == PRACK_OK && out.n == 0, "init: rc %d", rc);
    rc = prack_uas_send_1xx(&uas, 0, 183, PRACK_1XX_SDP, COOKIE_183, &out);
    BATCH("183", rc,
          {PRACK_ACT_SEND_1XX, PRACK_R_NONE, PRACK_SDP_ANSWER, PRACK_OPTION_NONE, 183,
           PRACK_AF_RELIABLE, 1, 55, COOKIE_183, NULL},
          {PRACK_ACT_EVENT, PRACK_R_SESSION, PRACK_SDP_NONE, PRACK_OPTION_NONE, 0, 0, 0, 0, 0,
           NULL});
    /* 64*T1 = 6400 ms after the first send; the final comes late, so the
     * timeout goes first and the final adds nothing */
    rc = prack_uas_send_final(&uas, 7000, 200, &out);
    BATCH("timeout", rc,
          {PRACK_ACT_DROP_1XX, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 183,
           PRACK_AF_RELEASE, 1, 55, COOKIE_183, NULL},
          {PRACK_ACT_SEND_FINAL, PRACK_R_NONE, PRACK_SDP_NONE, PRACK_OPTION_NONE, 503,
           PRACK_AF_TIMEOUT, 0, 55, 0, PRACK_TIMEOUT_TEXT},
          {PRACK_ACT_EVENT, PRACK_R_TIMEOUT, PRACK_SDP_NONE, PRACK_OPTION_NONE, 0, 0, 0, 0, 0,
           NULL});
}

/* An action written here, read by the library (prack.h's own example). */
static void library_reads_host_action(void)
{
    prack_action_t a;
    char buf[96];
    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_SEND_1XX;
    a.status = 183;
    a.rseq = 7;
    a.flags = PRACK_AF_RELIABLE;
    a.sdp = PRACK_SDP_ANSWER;
    int len = prack_action_format(buf, sizeof(buf), &a);
    CHECK(len > 0 && strcmp(buf, "SEND_1XX 183 rseq=7 RELIABLE sdp=ANSWER") == 0, "formatted %s",
          buf);
    a.type = PRACK_ACT_RETRY_INVITE;
    a.option = PRACK_OPTION_REQUIRE;
    a.status = 421;
    a.rseq = 0;
    a.flags = 0;
    a.sdp = PRACK_SDP_NONE;
    len = prack_action_format(buf, sizeof(buf), &a);
    CHECK(len > 0 && strcmp(buf, "RETRY_INVITE 421 option=Require") == 0, "formatted %s", buf);
    CHECK(strcmp(prack_act_name(PRACK_ACT_EVENT), "EVENT") == 0, "act name");
    CHECK(strcmp(prack_reason_name(PRACK_R_WRONG_CSEQ), "WRONG_CSEQ") == 0, "reason name");
    CHECK(strcmp(prack_sdp_name(PRACK_SDP_REPEAT), "REPEAT") == 0, "sdp name");
}

int main(void)
{
    check_layout();
    if (failures) {
        /* with another layout, reading the actions would only add noise */
        fprintf(stderr, "short-enums: the layouts differ\n");
        return 1;
    }
    uas_call();
    uas_timeout();
    uac_call();
    library_reads_host_action();
    if (failures) {
        fprintf(stderr, "short-enums: %u checks failed\n", failures);
        return 1;
    }
    printf("short-enums: every check passed (%zu layout facts)\n",
           sizeof(short_facts) / sizeof(short_facts[0]));
    return 0;
}
