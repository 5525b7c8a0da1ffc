/*
 * Unit tests of the UAC engine: prack_uac_*() and prack_on_response().
 *
 * Each test is a scenario: a list of steps fed to one prack_uac_t and up to
 * three early dialogs (A, B, C: one per To-tag of a forked INVITE). A step is a
 * response (its facts, the dialog it names or none, the expected return code
 * and the exact list of actions), a call to prack_uac_offer_in_prack(), or a
 * check of the dialog's RSeq, the engine's state or its counters.
 *
 * RFC 3262 rows proven here (numbers from requirements.md): R31 R32 R33 R34
 * R35 R36 R37 R38 R39 R40 R41 R42 R43 R44 R45 R46 R47 R50 R51 R53 R55 R57, N2
 * N5 N7 N8; errata 4602, 4603, 4604. Pitfalls (pitfalls.md): #2 #4 #6 #7 #12
 * #3 #14 #16 #18.
 *
 * #1 and #15 (the Request-URI and To-tag of a PRACK) are the host's: the engine
 * keys everything on the prack_uac_dialog_t the host keeps per To-tag, so a
 * PRACK is always asked for on the dialog whose 1xx caused it (each SEND_PRACK
 * below comes out of the call that named that dialog).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "prack/prack.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Response facts                                                           */
/* ------------------------------------------------------------------------ */

#define REQ PRACK_RSP_REQUIRE_100REL
#define HAS_RSEQ PRACK_RSP_RSEQ
#define REL (PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ) /* sent reliably (errata 4602) */
#define SDP PRACK_RSP_SDP
#define UNSUP PRACK_RSP_UNSUPPORTED_100REL

#define CSEQ 101u       /* the INVITE's CSeq in most scenarios */
#define PRACK_CSEQ 102u /* the CSeq of our PRACKs (never used in a RAck: pitfall #14) */

/* A response to the INVITE. */
#define INV(st, fl, rs, cs) \
    { .status = (st), .method = PRACK_METHOD_INVITE, .flags = (fl), .cseq = (cs), .rseq = (rs) }
/* A response to one of our PRACKs; rs is the RAck response-num of that PRACK. */
#define PRK(st, fl, rs) \
    { .status = (st), .method = PRACK_METHOD_PRACK, .flags = (fl), .cseq = PRACK_CSEQ, \
      .rseq = (rs) }

/* ------------------------------------------------------------------------ */
/* Expected actions                                                         */
/* ------------------------------------------------------------------------ */

typedef struct want {
    prack_act_t type; /* 0 ends the list */
    uint16_t status;
    uint16_t flags;
    uint32_t rseq;
    uint32_t cseq;
    prack_sdp_t sdp;
    prack_reason_t reason;
    prack_option_t option;
} want_t;

#define W_NONE { .type = (prack_act_t)0 }
#define W_PRACK(st, rs, cs, fl, sd) \
    { .type = PRACK_ACT_SEND_PRACK, .status = (st), .flags = (fl), .rseq = (rs), .cseq = (cs), \
      .sdp = (sd) }
#define W_DELIVER(st, cs) { .type = PRACK_ACT_DELIVER_1XX, .status = (st), .cseq = (cs) }
#define W_DISCARD(st, rs, cs, why) \
    { .type = PRACK_ACT_DISCARD_1XX, .status = (st), .rseq = (rs), .cseq = (cs), .reason = (why) }
#define W_CACHE(st, rs, cs) \
    { .type = PRACK_ACT_CACHE_1XX, .status = (st), .rseq = (rs), .cseq = (cs) }
#define W_DROP(rs, cs) { .type = PRACK_ACT_DROP_CACHED, .rseq = (rs), .cseq = (cs) }
#define W_FINAL(st, cs) { .type = PRACK_ACT_DELIVER_FINAL, .status = (st), .cseq = (cs) }
/* a 2xx: sd is the role of its body on that dialog */
#define W_FINAL_SDP(st, cs, sd) \
    { .type = PRACK_ACT_DELIVER_FINAL, .status = (st), .cseq = (cs), .sdp = (sd) }
#define W_RETRY(st, opt) { .type = PRACK_ACT_RETRY_INVITE, .status = (st), .option = (opt) }
#define W_TERM(st, rs) { .type = PRACK_ACT_TERMINATE, .status = (st), .rseq = (rs) }
#define W_EV(why, st, rs) { .type = PRACK_ACT_EVENT, .reason = (why), .status = (st), .rseq = (rs) }
#define W_EVF(why, st, rs, fl) \
    { .type = PRACK_ACT_EVENT, .reason = (why), .status = (st), .rseq = (rs), .flags = (fl) }

/* Shorthands for the SDP role of a PRACK and for flags. */
#define S_NONE PRACK_SDP_NONE
#define S_OFFER PRACK_SDP_OFFER
#define S_ANSWER PRACK_SDP_ANSWER
#define S_MAY PRACK_SDP_MAY_OFFER
#define S_REPEAT PRACK_SDP_REPEAT
#define NEW PRACK_AF_NEW_DIALOG
#define CACHED PRACK_AF_CACHED
#define AUTH PRACK_AF_AUTH
#define GONE PRACK_AF_DIALOG_GONE

/* ------------------------------------------------------------------------ */
/* Scenario steps                                                           */
/* ------------------------------------------------------------------------ */

enum kind {
    K_RSP = 0, /* prack_on_response() */
    K_OFFER,   /* prack_uac_offer_in_prack() */
    K_RSEQ,    /* prack_uac_dialog_rseq() == v[0] */
    K_STATE,   /* prack_uac_state() == v[0] */
    K_COUNT    /* prack_uac_counters() == v[0..3] */
};

enum { A = 0, B = 1, C = 2, NDLG = 3 };
#define NODLG (-1)

typedef struct step {
    enum kind kind;
    int dlg;          /* A, B, C, or NODLG for a response without To-tag */
    prack_time_t at;  /* 0: the time of the step before */
    prack_response_t rsp;
    int rc;
    uint32_t v[4];
    want_t want[PRACK_ACTIONS_MAX];
} step_t;

#define RSP(d, r, ...) { .kind = K_RSP, .dlg = (d), .rsp = r, .want = { __VA_ARGS__ } }
#define RSP_AT(t, d, r, ...) \
    { .kind = K_RSP, .dlg = (d), .at = (t), .rsp = r, .want = { __VA_ARGS__ } }
#define RSP_ERR(t, d, r, err) { .kind = K_RSP, .dlg = (d), .at = (t), .rsp = r, .rc = (err) }
#define OFFER(d, err) { .kind = K_OFFER, .dlg = (d), .rc = (err) }
#define RSEQ(d, n) { .kind = K_RSEQ, .dlg = (d), .v = { (n) } }
#define STATE(s) { .kind = K_STATE, .v = { (uint32_t)(s) } }
#define COUNT(sent, disc, ok, failed) { .kind = K_COUNT, .v = { (sent), (disc), (ok), (failed) } }

/* Scenario options (the configuration starts from prack_config_init()). */
#define O_OFF 0x01u          /* policy OFF */
#define O_REQUIRED 0x02u     /* policy REQUIRED */
#define O_TERMINATE 0x04u    /* on_prack_failure TERMINATE */
#define O_NO_AFTER_2XX 0x08u /* prack_after_2xx false */
#define O_CACHE 0x10u        /* cache_out_of_order true */

typedef struct scenario {
    const char *name;
    unsigned opts;
    uint32_t cseq;        /* the INVITE's CSeq */
    unsigned invite;      /* PRACK_UAC_INVITE_* */
    prack_time_t start;   /* time of prack_uac_init() */
    const step_t *steps;
    size_t n;
} scenario_t;

typedef struct fixture {
    prack_uac_t uac;
    prack_uac_dialog_t dlg[NDLG];
    prack_time_t now;
} fixture_t;

static void config_for(prack_config_t *cfg, unsigned opts)
{
    assert_int_equal(prack_config_init(cfg), PRACK_OK);
    if (opts & O_OFF)
        cfg->policy = PRACK_POLICY_OFF;
    if (opts & O_REQUIRED)
        cfg->policy = PRACK_POLICY_REQUIRED;
    if (opts & O_TERMINATE)
        cfg->on_prack_failure = PRACK_FAILURE_TERMINATE;
    if (opts & O_NO_AFTER_2XX)
        cfg->prack_after_2xx = false;
    if (opts & O_CACHE)
        cfg->cache_out_of_order = true;
}

static void fixture_start(fixture_t *f, const scenario_t *sc)
{
    prack_config_t cfg;
    config_for(&cfg, sc->opts);
    memset(f, 0, sizeof(*f));
    assert_int_equal(prack_uac_init(&f->uac, &cfg, sc->cseq, sc->invite, sc->start), PRACK_OK);
    for (size_t i = 0; i < NDLG; i++)
        assert_int_equal(prack_uac_dialog_init(&f->dlg[i]), PRACK_OK);
    f->now = sc->start;
}

static void want_to_action(const want_t *w, prack_action_t *a)
{
    memset(a, 0, sizeof(*a));
    a->type = w->type;
    a->status = w->status;
    a->flags = w->flags;
    a->rseq = w->rseq;
    a->cseq = w->cseq;
    a->sdp = w->sdp;
    a->reason = w->reason;
    a->option = w->option;
}

static bool action_matches(const want_t *w, const prack_action_t *a)
{
    return a->type == w->type && a->status == w->status && a->flags == w->flags &&
           a->rseq == w->rseq && a->cseq == w->cseq && a->sdp == w->sdp &&
           a->reason == w->reason && a->option == w->option && a->user == NULL &&
           a->text == NULL;
}

/* Print both lists so that a mismatch reads at a glance. */
static void dump(const char *name, size_t idx, const want_t *want, size_t n_want,
                 const prack_actions_t *out)
{
    char buf[160];
    prack_action_t a;
    print_error("%s, step %zu: expected %zu action(s):\n", name, idx, n_want);
    for (size_t i = 0; i < n_want; i++) {
        want_to_action(&want[i], &a);
        (void)prack_action_format(buf, sizeof(buf), &a);
        print_error("    %s\n", buf);
    }
    print_error("  got %zu:\n", out->n);
    for (size_t i = 0; i < out->n && i < PRACK_ACTIONS_MAX; i++) {
        (void)prack_action_format(buf, sizeof(buf), &out->v[i]);
        print_error("    %s%s\n", buf,
                    out->v[i].user || out->v[i].text ? " (user/text set)" : "");
    }
}

/* A batch holding leftovers, so that a call that forgets to reset it shows. */
static void fill_junk(prack_actions_t *out)
{
    memset(out, 0xA5, sizeof(*out));
    out->n = 3;
}

static void run_rsp(const scenario_t *sc, fixture_t *f, size_t idx, const step_t *s)
{
    prack_actions_t out;
    fixture_t before = *f;
    prack_uac_dialog_t *dlg = s->dlg == NODLG ? NULL : &f->dlg[s->dlg];

    fill_junk(&out);
    int rc = prack_on_response(&f->uac, dlg, f->now, &s->rsp, &out);
    if (rc != s->rc)
        fail_msg("%s, step %zu: rc %d (%s), expected %d (%s)", sc->name, idx, rc,
                 prack_strerror(rc), s->rc, prack_strerror(s->rc));
    if (rc < 0) {
        /* the header: on error the engine is unchanged and the batch empty */
        if (memcmp(&before.uac, &f->uac, sizeof(f->uac)) != 0 ||
            memcmp(before.dlg, f->dlg, sizeof(f->dlg)) != 0)
            fail_msg("%s, step %zu: the engine changed on error %d", sc->name, idx, rc);
        if (out.n != 0)
            fail_msg("%s, step %zu: error %d left %zu action(s) in the batch", sc->name, idx,
                     rc, out.n);
        return;
    }

    size_t n_want = 0;
    while (n_want < PRACK_ACTIONS_MAX && s->want[n_want].type != 0)
        n_want++;
    bool ok = out.n == n_want;
    for (size_t i = 0; ok && i < n_want; i++)
        ok = action_matches(&s->want[i], &out.v[i]);
    if (!ok) {
        dump(sc->name, idx, s->want, n_want, &out);
        fail_msg("%s, step %zu: action mismatch", sc->name, idx);
    }
}

static void run_on(const scenario_t *sc, fixture_t *f)
{
    for (size_t i = 0; i < sc->n; i++) {
        const step_t *s = &sc->steps[i];
        prack_uac_dialog_t *dlg = s->dlg == NODLG ? NULL : &f->dlg[s->dlg];
        if (s->at)
            f->now = s->at;
        switch (s->kind) {
        case K_RSP:
            run_rsp(sc, f, i, s);
            break;
        case K_OFFER: {
            int rc = prack_uac_offer_in_prack(&f->uac, dlg);
            if (rc != s->rc)
                fail_msg("%s, step %zu: offer_in_prack rc %d, expected %d", sc->name, i, rc,
                         s->rc);
            break;
        }
        case K_RSEQ:
            if (prack_uac_dialog_rseq(dlg) != s->v[0])
                fail_msg("%s, step %zu: dialog %d rseq %u, expected %u", sc->name, i, s->dlg,
                         (unsigned)prack_uac_dialog_rseq(dlg), (unsigned)s->v[0]);
            break;
        case K_STATE:
            if ((uint32_t)prack_uac_state(&f->uac) != s->v[0])
                fail_msg("%s, step %zu: state %s, expected %s", sc->name, i,
                         prack_uac_state_name(prack_uac_state(&f->uac)),
                         prack_uac_state_name((prack_uac_state_t)s->v[0]));
            break;
        case K_COUNT: {
            prack_uac_stats_t st;
            assert_int_equal(prack_uac_counters(&f->uac, &st), PRACK_OK);
            if (st.pracks_sent != s->v[0] || st.discarded != s->v[1] ||
                st.pracks_ok != s->v[2] || st.pracks_failed != s->v[3])
                fail_msg("%s, step %zu: counters sent=%u discarded=%u ok=%u failed=%u, "
                         "expected %u %u %u %u",
                         sc->name, i, (unsigned)st.pracks_sent, (unsigned)st.discarded,
                         (unsigned)st.pracks_ok, (unsigned)st.pracks_failed,
                         (unsigned)s->v[0], (unsigned)s->v[1], (unsigned)s->v[2],
                         (unsigned)s->v[3]);
            break;
        }
        }
    }
}

#define SCENARIO(nm, o, cs, inv, st) \
    static const scenario_t sc = { (nm), (o), (cs), (inv), 0, (st), ARRAY_LEN(st) }

static void run(const scenario_t *sc)
{
    fixture_t f;
    fixture_start(&f, sc);
    run_on(sc, &f);
}

#define OFFERED PRACK_UAC_INVITE_SDP /* our INVITE carries an offer */

/* ------------------------------------------------------------------------ */
/* R31 R32 R33: the option tag in the INVITE                                */
/* ------------------------------------------------------------------------ */

static void test_R31_R32_R33_option_per_policy(void **state)
{
    (void)state;
    static const struct {
        unsigned opts;
        prack_option_t want;
    } rows[] = {
        {O_OFF, PRACK_OPTION_NONE},
        {0, PRACK_OPTION_SUPPORTED},           /* R32: merely supported: Supported */
        {O_REQUIRED, PRACK_OPTION_REQUIRE},    /* R31: INVITE only: the API is per INVITE */
    };
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        prack_config_t cfg;
        prack_uac_t uac;
        config_for(&cfg, rows[i].opts);
        assert_int_equal(prack_uac_init(&uac, &cfg, CSEQ, 0, 0), PRACK_OK);
        assert_int_equal(prack_uac_option(&uac), rows[i].want);
    }
    /* R33: with the defaults every INVITE says Supported */
    prack_uac_t uac;
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, OFFERED, 0), PRACK_OK);
    assert_int_equal(prack_uac_option(&uac), PRACK_OPTION_SUPPORTED);
    assert_int_equal(prack_uac_option(NULL), PRACK_OPTION_NONE);
}

/* ------------------------------------------------------------------------ */
/* R34 R35: a 100 is never PRACKed                                          */
/* ------------------------------------------------------------------------ */

static void test_R34_R35_100_never_pracked(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(NODLG, INV(100, 0, 0, CSEQ), W_DELIVER(100, CSEQ)),
        /* R34: the option tag of a 100 is ignored; R35: no PRACK even with an RSeq */
        RSP(NODLG, INV(100, REL, 7, CSEQ), W_DELIVER(100, CSEQ)),
        RSP(A, INV(100, REL | SDP, 7, CSEQ), W_DELIVER(100, CSEQ)),
        RSEQ(A, 0),
        COUNT(0, 0, 0, 0),
        /* the sequence starts with the first reliable non-100 (R43), not the 100 */
        RSP(A, INV(180, REL, 7, CSEQ), W_PRACK(180, 7, CSEQ, NEW, S_NONE)),
        RSEQ(A, 7),
        COUNT(1, 0, 0, 0),
    };
    SCENARIO("R34/R35", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* R36 R37 R43: the first reliable 1xx of an early dialog                  */
/* ------------------------------------------------------------------------ */

static void test_R36_R37_R43_first_reliable_1xx(void **state)
{
    (void)state;
    static const step_t st[] = {
        STATE(PRACK_UAC_CALLING),
        RSEQ(A, 0),
        /* R36: it creates the early dialog; R37: PRACK with RAck 1000 101 INVITE;
         * the answer to our offer: R53 session, R51 the PRACK may offer */
        RSP(A, INV(183, REL | SDP, 1000, CSEQ), W_PRACK(183, 1000, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1000)),
        RSEQ(A, 1000), /* R43: initialised from the first */
        COUNT(1, 0, 0, 0),
        /* the exchange is done: only the answer's PRACK could offer (RFC 6337 2.2) */
        RSP(A, INV(180, REL, 1001, CSEQ), W_PRACK(180, 1001, CSEQ, 0, S_NONE)),
        RSEQ(A, 1001),
        STATE(PRACK_UAC_CALLING),
        COUNT(2, 0, 0, 0),
    };
    SCENARIO("R36/R37/R43", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* R38 R39 R40 N7: retransmissions                                          */
/* ------------------------------------------------------------------------ */

static void test_R38_R39_R40_N7_retransmission_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_PRACK(183, 5, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 5)),
        /* N7: same dialog, CSeq and RSeq: a retransmission. R40 discard, R39 no PRACK */
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_DISCARD(183, 5, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_DISCARD(183, 5, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(1, 2, 0, 0),
        RSP(A, INV(180, REL, 6, CSEQ), W_PRACK(180, 6, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 6, CSEQ), W_DISCARD(180, 6, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_DISCARD(183, 5, CSEQ, PRACK_R_RETRANSMISSION)),
        RSEQ(A, 6),
        COUNT(2, 4, 0, 0),
    };
    SCENARIO("R38/R39/R40", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* Pitfall #7: a retransmitted 183 with SDP never gets a second PRACK or answer. */
static void test_pitfall7_retransmitted_183_single_answer(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        /* the next 1xx repeats the session: no answer owed, no body */
        RSP(A, INV(180, REL | SDP, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        COUNT(2, 2, 0, 0),
    };
    SCENARIO("pitfall #7", 0, CSEQ, 0, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* R41 R44 R45: RSeq order, without a cache                                 */
/* ------------------------------------------------------------------------ */

static void test_R44_R45_gap_not_pracked(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 10, CSEQ), W_PRACK(183, 10, CSEQ, NEW, S_NONE)),
        /* R44: not PRACKed; R45: not processed further (not delivered either) */
        RSP(A, INV(180, REL, 12, CSEQ), W_DISCARD(180, 12, CSEQ, PRACK_R_OUT_OF_ORDER)),
        RSP(A, INV(180, REL, 4000000000u, CSEQ),
            W_DISCARD(180, 4000000000u, CSEQ, PRACK_R_OUT_OF_ORDER)),
        RSEQ(A, 10), /* R41: the last in-order RSeq is kept */
        RSP(A, INV(181, REL, 11, CSEQ), W_PRACK(181, 11, CSEQ, 0, S_NONE)),
        /* the UAS's retransmission fills the gap */
        RSP(A, INV(180, REL, 12, CSEQ), W_PRACK(180, 12, CSEQ, 0, S_NONE)),
        RSEQ(A, 12),
        COUNT(3, 2, 0, 0),
    };
    SCENARIO("R44/R45", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* Pitfall #18: a lower RSeq is discarded and never lowers the stored one. */
static void test_pitfall18_lower_rseq_never_lowers(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 500, CSEQ), W_PRACK(183, 500, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 499, CSEQ), W_DISCARD(180, 499, CSEQ, PRACK_R_RETRANSMISSION)),
        RSEQ(A, 500),
        RSP(A, INV(180, REL, 1, CSEQ), W_DISCARD(180, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        RSEQ(A, 500),
        /* had 499 been stored, 500 would now look in order and 501 out of order */
        RSP(A, INV(183, REL, 500, CSEQ), W_DISCARD(183, 500, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(180, REL, 501, CSEQ), W_PRACK(180, 501, CSEQ, 0, S_NONE)),
        RSEQ(A, 501),
        COUNT(2, 3, 0, 0),
    };
    SCENARIO("pitfall #18", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* Pitfall #12: no status-code ordering: a 180 after a 183 is PRACKed. */
static void test_pitfall12_180_after_183(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, INV(183, REL, 3, CSEQ), W_PRACK(183, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(199, REL, 4, CSEQ), W_PRACK(199, 4, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(4, 1, 0, 0),
    };
    SCENARIO("pitfall #12", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* R46, errata 4604: caching out-of-order 1xx                               */
/* ------------------------------------------------------------------------ */

static void test_R46_errata4604_cache_then_fill(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_CACHE(183, 5, CSEQ)),
        RSP(A, INV(182, REL, 4, CSEQ), W_CACHE(182, 4, CSEQ)),
        RSEQ(A, 1),
        COUNT(1, 0, 0, 0),
        /* the gap fills: PRACK it, then every cached one in RSeq order; the
         * engine keeps no status for the cached ones (the host keyed them by
         * RSeq), hence status 0; the answer to our offer was in RSeq 5 */
        RSP(A, INV(181, REL, 2, CSEQ), W_PRACK(181, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE), W_PRACK(0, 4, CSEQ, CACHED, S_NONE),
            W_PRACK(0, 5, CSEQ, CACHED, S_MAY), W_EV(PRACK_R_SESSION, 0, 5)),
        RSEQ(A, 5),
        COUNT(5, 0, 0, 0),
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_DISCARD(183, 5, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(180, REL, 6, CSEQ), W_PRACK(180, 6, CSEQ, 0, S_NONE)),
    };
    SCENARIO("R46 cache", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* Holes in the cache: only the run right after the gap is released. */
static void test_R46_cache_releases_contiguous_run(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 100, CSEQ), W_PRACK(180, 100, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 103, CSEQ), W_CACHE(180, 103, CSEQ)),
        RSP(A, INV(180, REL, 105, CSEQ), W_CACHE(180, 105, CSEQ)),
        RSP(A, INV(180, REL, 101, CSEQ), W_PRACK(180, 101, CSEQ, 0, S_NONE)),
        RSEQ(A, 101),
        RSP(A, INV(180, REL, 102, CSEQ), W_PRACK(180, 102, CSEQ, 0, S_NONE),
            W_PRACK(0, 103, CSEQ, CACHED, S_NONE)),
        RSP(A, INV(180, REL, 104, CSEQ), W_PRACK(180, 104, CSEQ, 0, S_NONE),
            W_PRACK(0, 105, CSEQ, CACHED, S_NONE)),
        RSEQ(A, 105),
        COUNT(6, 0, 0, 0),
    };
    SCENARIO("R46 holes", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R46_cache_window_full(void **state)
{
    (void)state;
    /* PRACK_UAC_CACHE_WINDOW (8) entries beyond the gap: RSeq 3..10 after 1 */
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 4, CSEQ), W_CACHE(180, 4, CSEQ)),
        RSP(A, INV(180, REL, 5, CSEQ), W_CACHE(180, 5, CSEQ)),
        RSP(A, INV(180, REL, 6, CSEQ), W_CACHE(180, 6, CSEQ)),
        RSP(A, INV(180, REL, 7, CSEQ), W_CACHE(180, 7, CSEQ)),
        RSP(A, INV(180, REL, 8, CSEQ), W_CACHE(180, 8, CSEQ)),
        RSP(A, INV(180, REL, 9, CSEQ), W_CACHE(180, 9, CSEQ)),
        RSP(A, INV(180, REL, 10, CSEQ), W_CACHE(180, 10, CSEQ)),
        RSP(A, INV(180, REL, 11, CSEQ), W_DISCARD(180, 11, CSEQ, PRACK_R_CACHE_FULL)),
        RSP(A, INV(180, REL, 900, CSEQ), W_DISCARD(180, 900, CSEQ, PRACK_R_CACHE_FULL)),
        COUNT(1, 2, 0, 0),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE), W_PRACK(0, 4, CSEQ, CACHED, S_NONE),
            W_PRACK(0, 5, CSEQ, CACHED, S_NONE), W_PRACK(0, 6, CSEQ, CACHED, S_NONE),
            W_PRACK(0, 7, CSEQ, CACHED, S_NONE), W_PRACK(0, 8, CSEQ, CACHED, S_NONE),
            W_PRACK(0, 9, CSEQ, CACHED, S_NONE), W_PRACK(0, 10, CSEQ, CACHED, S_NONE)),
        RSEQ(A, 10),
        /* the discarded one comes again from the UAS and is now in order */
        RSP(A, INV(180, REL, 11, CSEQ), W_PRACK(180, 11, CSEQ, 0, S_NONE)),
        COUNT(11, 2, 0, 0),
    };
    SCENARIO("R46 window", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R46_cached_duplicate_is_retransmission(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(1, 1, 0, 0),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
        COUNT(3, 1, 0, 0),
    };
    SCENARIO("R46 duplicate", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* R42: a final ends the sequence; what was cached is dropped in RSeq order. */
static void test_R42_R46_final_drops_cached(void **state)
{
    (void)state;
    static const step_t ok[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 5, CSEQ), W_CACHE(180, 5, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER), W_DROP(3, CSEQ),
            W_DROP(5, CSEQ), W_EV(PRACK_R_SESSION, 200, 0)),
        STATE(PRACK_UAC_ACCEPTED),
        /* R47 (prack_after_2xx): the gap filler is PRACKed, nothing cached follows */
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSEQ(A, 3),
    };
    SCENARIO("R42/R46 2xx", O_CACHE, CSEQ, OFFERED, ok);
    run(&sc);

    static const step_t rejected[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 4, CSEQ), W_CACHE(180, 4, CSEQ)),
        RSP(A, INV(486, 0, 0, CSEQ), W_FINAL(486, CSEQ), W_DROP(4, CSEQ)),
        STATE(PRACK_UAC_FAILED),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_AFTER_FINAL)),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_AFTER_FINAL)),
    };
    static const scenario_t sc2 = {"R42/R46 486", O_CACHE, CSEQ, OFFERED, 0, rejected,
                                   ARRAY_LEN(rejected)};
    run(&sc2);
}

/*
 * After a 2xx the engine no longer caches (the final dropped the cache); a 1xx
 * just past a gap is then merely out of order. PRACK_R_CACHE_FULL is documented
 * as "beyond the cache window", which RSeq 3 after 1 is not.
 */
static void test_R46_no_cache_after_2xx_reason(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
    };
    SCENARIO("R46 after 2xx", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* R47: reliable 1xx after the final                                        */
/* ------------------------------------------------------------------------ */

static void test_R47_after_2xx_pracked(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        STATE(PRACK_UAC_ACCEPTED),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_RETRANSMISSION)),
        /* another fork's first reliable 1xx after the 2xx */
        RSP(B, INV(183, REL | SDP, 77, CSEQ), W_PRACK(183, 77, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 77)),
        /* an unreliable one has nothing left to tell */
        RSP(A, INV(180, 0, 0, CSEQ), W_DISCARD(180, 0, CSEQ, PRACK_R_AFTER_FINAL)),
        STATE(PRACK_UAC_ACCEPTED),
        COUNT(3, 2, 0, 0),
    };
    SCENARIO("R47 after 2xx", 0, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R47_after_2xx_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_AFTER_FINAL)),
        RSP(A, INV(180, REL, 1, CSEQ), W_DISCARD(180, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(B, INV(183, REL, 9, CSEQ), W_DISCARD(183, 9, CSEQ, PRACK_R_AFTER_FINAL)),
        RSEQ(A, 1),
        RSEQ(B, 0),
        COUNT(1, 3, 0, 0),
    };
    SCENARIO("R47 no PRACK after 2xx", O_NO_AFTER_2XX, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R47_after_non2xx_always_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(486, 0, 0, CSEQ), W_FINAL(486, CSEQ)),
        STATE(PRACK_UAC_FAILED),
        /* RFC 3261 12.3: the early dialogs are gone, whatever prack_after_2xx says */
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_AFTER_FINAL)),
        RSP(B, INV(183, REL | SDP, 4, CSEQ), W_DISCARD(183, 4, CSEQ, PRACK_R_AFTER_FINAL)),
        RSP(NODLG, INV(100, 0, 0, CSEQ), W_DISCARD(100, 0, CSEQ, PRACK_R_AFTER_FINAL)),
        RSEQ(A, 1),
        RSEQ(B, 0),
        COUNT(1, 3, 0, 0),
    };
    SCENARIO("R47 after 486", 0, CSEQ, OFFERED, st);
    run(&sc);
    static const scenario_t sc2 = {"R47 after 486 (no PRACK after 2xx)", O_NO_AFTER_2XX, CSEQ,
                                   OFFERED, 0, st, ARRAY_LEN(st)};
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* R50 R51 R53 R55: offer/answer                                            */
/* ------------------------------------------------------------------------ */

static void test_R50_offer_in_1xx_answer_in_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(PRACK_R_SESSION, 183, 1)),
        /* R51 is for an answer in a 1xx; here we gave the answer: no offer */
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        OFFER(A, PRACK_ERR_STATE),
        /* the 2xx repeats the session: no second SESSION */
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
    };
    SCENARIO("R50", 0, CSEQ, 0, st);
    run(&sc);

    /* a UAS breaking R49 (first reliable 1xx without the offer) gets no answer
     * until an offer comes */
    static const step_t late[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        OFFER(A, PRACK_ERR_STATE), /* nothing agreed yet: no offer of our own here */
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_ANSWER),
            W_EV(PRACK_R_SESSION, 183, 2)),
    };
    static const scenario_t sc2 = {"R50 late offer", 0, CSEQ, 0, 0, late, ARRAY_LEN(late)};
    run(&sc2);
}

static void test_R51_R53_offer_in_prack_answered(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        OFFER(A, PRACK_OK),
        OFFER(A, PRACK_ERR_STATE), /* one offer at a time (RFC 3264) */
        /* a 1xx meanwhile: its PRACK must not carry another offer */
        RSP(A, INV(180, REL | SDP, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        OFFER(A, PRACK_ERR_STATE),
        RSP(A, PRK(200, SDP, 1), W_EV(PRACK_R_PRACK_OK, 200, 1),
            W_EV(PRACK_R_SESSION, 200, 1)),
        RSP(A, PRK(200, 0, 2), W_EV(PRACK_R_PRACK_OK, 200, 2)),
        COUNT(2, 0, 2, 0),
        /* RFC 6337 2.2: only the PRACK of the 1xx carrying the answer to the
         * INVITE's offer may offer; later PRACKs carry no body */
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        OFFER(A, PRACK_ERR_STATE),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
    };
    SCENARIO("R51 answered", 0, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R51_offer_in_prack_answer_missing(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        OFFER(A, PRACK_OK),
        RSP(A, PRK(200, 0, 1), W_EV(PRACK_R_PRACK_OK, 200, 1),
            W_EV(PRACK_R_ANSWER_MISSING, 200, 1)),
        COUNT(1, 0, 1, 0),
    };
    SCENARIO("R51 answer missing", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* a failed PRACK takes its offer with it; the old session stands */
    static const step_t failed[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        OFFER(A, PRACK_OK),
        RSP(A, PRK(488, 0, 1), W_EV(PRACK_R_PRACK_FAILED, 488, 1)),
        OFFER(A, PRACK_ERR_STATE),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(200, 0, 2), W_EV(PRACK_R_PRACK_OK, 200, 2)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        COUNT(2, 0, 1, 1),
    };
    static const scenario_t sc2 = {"R51 offer rejected", 0, CSEQ, OFFERED, 0, failed,
                                   ARRAY_LEN(failed)};
    run(&sc2);
}

static void test_R51_offer_in_prack_state_errors(void **state)
{
    (void)state;
    static const step_t st[] = {
        OFFER(A, PRACK_ERR_STATE), /* no reliable 1xx PRACKed yet */
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        OFFER(A, PRACK_ERR_STATE), /* our INVITE offer is still unanswered */
        OFFER(B, PRACK_ERR_STATE), /* another dialog saw nothing */
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 2)),
        OFFER(B, PRACK_ERR_STATE),
        OFFER(A, PRACK_OK),
        OFFER(A, PRACK_ERR_STATE),
    };
    SCENARIO("R51 state", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* the answer's PRACK went out without an offer: too late for the next one */
    static const step_t late[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        OFFER(A, PRACK_ERR_STATE),
    };
    static const scenario_t sc2 = {"R51 too late", 0, CSEQ, OFFERED, 0, late,
                                   ARRAY_LEN(late)};
    run(&sc2);
}

/*
 * R51: the answer to an offer made in a PRACK comes in the 2xx to THAT PRACK.
 * The UAS answers PRACK 1 and at once sends the 183 with RSeq 2 (R21); over
 * UDP the two cross, the 183 arrives first, and its PRACK (the answer's, RFC
 * 6337 2.2) carries our offer. The 200 to PRACK 1 that then arrives answers
 * nothing: it must neither report the answer missing nor close the exchange,
 * and the 200 to PRACK 2 carries the answer.
 */
static void test_R51_answer_matched_to_offering_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 2)),
        OFFER(A, PRACK_OK), /* the offer goes in the PRACK for RSeq 2 */
        RSP(A, PRK(200, 0, 1), W_EV(PRACK_R_PRACK_OK, 200, 1)),
        RSP(A, PRK(200, SDP, 2), W_EV(PRACK_R_PRACK_OK, 200, 2),
            W_EV(PRACK_R_SESSION, 200, 2)),
    };
    SCENARIO("R51 crossing 200", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* the same with the earlier PRACK failing: the offer is still pending */
    static const step_t failed[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 2)),
        OFFER(A, PRACK_OK),
        RSP(A, PRK(500, 0, 1), W_EV(PRACK_R_PRACK_FAILED, 500, 1)),
        RSP(A, PRK(200, SDP, 2), W_EV(PRACK_R_PRACK_OK, 200, 2),
            W_EV(PRACK_R_SESSION, 200, 2)),
    };
    static const scenario_t sc2 = {"R51 crossing failure", 0, CSEQ, OFFERED, 0, failed,
                                   ARRAY_LEN(failed)};
    run(&sc2);
}

static void test_R53_R55_answer_in_2xx(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        /* an unreliable 183 previews the answer; it is not the answer yet */
        RSP(A, INV(183, SDP, 0, CSEQ), W_DELIVER(183, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        /* a 2xx on a dialog that saw no 1xx answers the INVITE offer there too */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        /* and a 2xx without the answer it owed */
        RSP(C, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ), W_EV(PRACK_R_ANSWER_MISSING, 200, 0)),
    };
    SCENARIO("R53 answer in 2xx", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* no offer anywhere: the 2xx offers, the ACK answers */
    static const step_t no_offer[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_OFFER)),
    };
    static const scenario_t sc2 = {"R55 offer in 2xx", 0, CSEQ, 0, 0, no_offer,
                                   ARRAY_LEN(no_offer)};
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* R57: a challenged PRACK                                                   */
/* ------------------------------------------------------------------------ */

static void test_R57_auth_once_per_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        /* the same RAck again, with credentials (pitfall #3) */
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        COUNT(2, 0, 0, 0),
        RSP(A, PRK(407, 0, 1), W_EV(PRACK_R_PRACK_FAILED, 407, 1)),
        COUNT(2, 0, 0, 1),
        STATE(PRACK_UAC_CALLING),
    };
    SCENARIO("R57 observe", 0, CSEQ, OFFERED, st);
    run(&sc);

    static const step_t term[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 0), W_EV(PRACK_R_PRACK_FAILED, 401, 1), W_TERM(401, 1)),
        COUNT(2, 0, 0, 1),
    };
    static const scenario_t sc2 = {"R57 terminate", O_TERMINATE, CSEQ, 0, 0, term,
                                   ARRAY_LEN(term)};
    run(&sc2);
}

static void test_R57_auth_per_rseq(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 1), W_EV(PRACK_R_PRACK_OK, 200, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* a new PRACK may be challenged once again */
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 2), W_EV(PRACK_R_PRACK_OK, 200, 2)),
        COUNT(4, 0, 2, 0),
        /* each fork has its own challenge state */
        RSP(B, INV(183, REL, 50, CSEQ), W_PRACK(183, 50, CSEQ, NEW, S_NONE)),
        RSP(B, PRK(401, 0, 50), W_PRACK(401, 50, CSEQ, AUTH, S_REPEAT)),
        RSP(B, PRK(200, 0, 50), W_EV(PRACK_R_PRACK_OK, 200, 50)),
        COUNT(6, 0, 3, 0),
    };
    SCENARIO("R57 per RSeq", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* R51 + R57: a PRACK carrying our offer is challenged; the resend carries the
 * same body and its 2xx still owes the answer. */
static void test_R51_R57_offer_in_challenged_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        OFFER(A, PRACK_OK),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, SDP, 1), W_EV(PRACK_R_PRACK_OK, 200, 1),
            W_EV(PRACK_R_SESSION, 200, 1)),
        COUNT(2, 0, 1, 0),
    };
    SCENARIO("R51/R57", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/*
 * R57 "once per PRACK" also when several PRACKs are outstanding on a dialog
 * (a filled gap PRACKs the cached 1xx in the same batch): the second challenge
 * of the PRACK for RSeq 2 is a failure, even though RSeq 3 was challenged in
 * between.
 */
static void test_R57_once_with_several_pracks_outstanding(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 3), W_PRACK(407, 3, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 2), W_EV(PRACK_R_PRACK_FAILED, 407, 2)),
        RSP(A, PRK(407, 0, 3), W_EV(PRACK_R_PRACK_FAILED, 407, 3)),
        COUNT(5, 0, 0, 2),
    };
    SCENARIO("R57 several outstanding", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* N2, pitfalls #4 and #14: what goes in the RAck                           */
/* ------------------------------------------------------------------------ */

/*
 * Pitfall #14: the RAck CSeq-num is the INVITE's CSeq, never the PRACK's own
 * (4712 here, in the PRACK responses); the final's CSeq, which the ACK uses,
 * is the INVITE's as well.
 */
static void test_N2_pitfall14_rack_and_ack_use_invite_cseq(void **state)
{
    (void)state;
#define CH401 { .status = 401, .method = PRACK_METHOD_PRACK, .cseq = 4712, .rseq = 1 }
#define OK200 { .status = 200, .method = PRACK_METHOD_PRACK, .cseq = 4713, .rseq = 1 }
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, 4711), W_PRACK(183, 1, 4711, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, CH401, W_PRACK(401, 1, 4711, AUTH, S_REPEAT)),
        RSP(A, OK200, W_EV(PRACK_R_PRACK_OK, 200, 1)),
        RSP(A, INV(200, SDP, 0, 4711), W_FINAL_SDP(200, 4711, S_REPEAT)),
    };
    SCENARIO("pitfall #14", 0, 4711, OFFERED, st);
    run(&sc);
}

/*
 * Pitfall #4: the RAck CSeq-num is the CSeq of the 1xx being acknowledged; when
 * it differs from the one given at init (the host re-sent the INVITE with
 * credentials and kept the engine), the 1xx's wins.
 */
static void test_pitfall4_rack_cseq_from_the_1xx(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, 11), W_PRACK(183, 1, 11, NEW, S_NONE)),
        RSP(A, INV(180, REL, 2, 11), W_PRACK(180, 2, 11, 0, S_NONE)),
        RSP(B, INV(180, REL, 9, 11), W_PRACK(180, 9, 11, NEW, S_NONE)),
    };
    SCENARIO("pitfall #4", 0, 10, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* N8, pitfall #6, errata 4602: what makes a 1xx reliable                   */
/* ------------------------------------------------------------------------ */

static void test_N8_rseq_range(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 0, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        /* above 2^32-1: the discard cannot echo it, rseq reads 0 */
        RSP(A, INV(183, REL, 4294967296u, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        RSP(A, INV(183, REL, UINT64_MAX, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        RSEQ(A, 0),
        RSP(A, INV(183, REL, 4294967295u, CSEQ), W_PRACK(183, 4294967295u, CSEQ, NEW, S_NONE)),
        RSEQ(A, 4294967295u),
        RSP(A, INV(183, REL, 4294967295u, CSEQ),
            W_DISCARD(183, 4294967295u, CSEQ, PRACK_R_RETRANSMISSION)),
        /* no wrap-around (R25 on the other side): the "next" one is malformed */
        RSP(A, INV(180, REL, 4294967296u, CSEQ), W_DISCARD(180, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        RSP(A, INV(180, REL, 1, CSEQ), W_DISCARD(180, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        RSEQ(A, 4294967295u),
        COUNT(1, 6, 0, 0),
    };
    SCENARIO("N8", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* Pitfall #6: never a PRACK with "RAck: undefined". */
static void test_pitfall6_require_without_rseq(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REQ, 0, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        /* a value without the header flag is not an RSeq, and is not echoed */
        RSP(A, INV(183, REQ | SDP, 5, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        /* the header was there but did not parse */
        RSP(A, INV(183, REL, 0, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        RSP(NODLG, INV(183, REQ, 0, CSEQ), W_DISCARD(183, 0, CSEQ, PRACK_R_BAD_RSEQ)),
        RSEQ(A, 0),
        COUNT(0, 4, 0, 0),
        RSP(A, INV(183, REL, 5, CSEQ), W_PRACK(183, 5, CSEQ, NEW, S_NONE)),
    };
    SCENARIO("pitfall #6", 0, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_errata4602_reliable_means_sent_reliably(void **state)
{
    (void)state;
    static const step_t st[] = {
        /* we did not offer 100rel; the UAS sent it reliably anyway: PRACK it */
        RSP(A, INV(183, REL, 3, CSEQ), W_PRACK(183, 3, CSEQ, NEW, S_NONE)),
        /* an RSeq without Require: 100rel is not a reliable 1xx */
        RSP(A, INV(180, HAS_RSEQ, 4, CSEQ), W_DELIVER(180, CSEQ)),
        RSEQ(A, 3),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        COUNT(2, 0, 0, 0),
    };
    SCENARIO("errata 4602", O_OFF, CSEQ, OFFERED, st);
    run(&sc);
    prack_uac_t uac;
    prack_config_t cfg;
    config_for(&cfg, O_OFF);
    assert_int_equal(prack_uac_init(&uac, &cfg, CSEQ, OFFERED, 0), PRACK_OK);
    assert_int_equal(prack_uac_option(&uac), PRACK_OPTION_NONE);
}

/* ------------------------------------------------------------------------ */
/* Errata 4603, N5, pitfall #2: forked INVITE                              */
/* ------------------------------------------------------------------------ */

static void test_errata4603_N5_pitfall2_forks_independent(void **state)
{
    (void)state;
    static const step_t st[] = {
        /* R41: one sequence per dialog; B's numbers are far below A's */
        RSP(A, INV(183, REL | SDP, 1000, CSEQ), W_PRACK(183, 1000, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1000)),
        RSP(B, INV(183, REL | SDP, 7, CSEQ), W_PRACK(183, 7, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 7)),
        OFFER(A, PRACK_OK), /* an offer in A's PRACK does not touch B */
        OFFER(B, PRACK_OK),
        RSP(A, INV(180, REL, 1001, CSEQ), W_PRACK(180, 1001, CSEQ, 0, S_NONE)),
        RSP(B, INV(180, REL, 8, CSEQ), W_PRACK(180, 8, CSEQ, 0, S_NONE)),
        RSP(A, INV(183, REL | SDP, 1000, CSEQ),
            W_DISCARD(183, 1000, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(B, INV(183, REL | SDP, 7, CSEQ), W_DISCARD(183, 7, CSEQ, PRACK_R_RETRANSMISSION)),
        /* A's next number on B is a gap there */
        RSP(B, INV(180, REL, 1002, CSEQ), W_DISCARD(180, 1002, CSEQ, PRACK_R_OUT_OF_ORDER)),
        /* and a third fork may reuse A's numbers */
        RSP(C, INV(180, REL, 1001, CSEQ), W_PRACK(180, 1001, CSEQ, NEW, S_NONE)),
        RSEQ(A, 1001),
        RSEQ(B, 8),
        RSEQ(C, 1001),
        /* PRACK outcomes stay on their dialog */
        RSP(B, PRK(200, SDP, 7), W_EV(PRACK_R_PRACK_OK, 200, 7),
            W_EV(PRACK_R_SESSION, 200, 7)),
        RSP(A, PRK(200, 0, 1000), W_EV(PRACK_R_PRACK_OK, 200, 1000),
            W_EV(PRACK_R_ANSWER_MISSING, 200, 1000)),
        /* first 2xx wins; the other fork's 2xx is still delivered (ACK then BYE) */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        STATE(PRACK_UAC_ACCEPTED),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        STATE(PRACK_UAC_ACCEPTED),
        COUNT(5, 3, 2, 0),
    };
    SCENARIO("errata 4603", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/*
 * N5, N7: an RSeq space belongs to one INVITE transaction on one dialog. A 1xx
 * with a lower CSeq than the dialog's is a stale one from an older INVITE; a
 * higher CSeq (a re-INVITE on the dialog) starts a fresh sequence.
 */
static void test_N5_N7_cseq_scopes_the_rseq_space(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 5, CSEQ), W_PRACK(183, 5, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 7, CSEQ), W_CACHE(180, 7, CSEQ)),
        RSP(A, INV(180, REL, 6, CSEQ - 1u), W_DISCARD(180, 6, CSEQ - 1u, PRACK_R_STALE)),
        RSEQ(A, 5),
        /* the cache of the old space is dropped, the new one starts at its first RSeq */
        RSP(A, INV(180, REL, 1, CSEQ + 1u), W_DROP(7, CSEQ),
            W_PRACK(180, 1, CSEQ + 1u, NEW, S_NONE)),
        RSEQ(A, 1),
        RSP(A, INV(180, REL, 6, CSEQ), W_DISCARD(180, 6, CSEQ, PRACK_R_STALE)),
        RSP(A, INV(180, REL, 2, CSEQ + 1u), W_PRACK(180, 2, CSEQ + 1u, 0, S_NONE)),
        COUNT(3, 2, 0, 0),
    };
    SCENARIO("N5/N7 CSeq", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* R42, R46: a cache on another fork ends when that fork's 1xx come after the final. */
static void test_R42_R46_cache_on_other_fork(void **state)
{
    (void)state;
    static const step_t failed[] = {
        RSP(B, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(B, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(486, 0, 0, CSEQ), W_FINAL(486, CSEQ)),
        RSP(B, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_AFTER_FINAL),
            W_DROP(3, CSEQ)),
        RSP(B, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_AFTER_FINAL)),
    };
    SCENARIO("R46 other fork after 486", O_CACHE, CSEQ, OFFERED, failed);
    run(&sc);

    /* after a 2xx elsewhere, prack_after_2xx lets the gap fill and the cache follow */
    static const step_t accepted[] = {
        RSP(B, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(B, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        RSP(B, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
    };
    static const scenario_t sc2 = {"R46 other fork after 2xx", O_CACHE, CSEQ, OFFERED, 0,
                                   accepted, ARRAY_LEN(accepted)};
    run(&sc2);

    static const step_t discarded[] = {
        RSP(B, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(B, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ), W_EV(PRACK_R_ANSWER_MISSING, 200, 0)),
        RSP(B, INV(180, 0, 0, CSEQ), W_DISCARD(180, 0, CSEQ, PRACK_R_AFTER_FINAL),
            W_DROP(3, CSEQ)),
    };
    static const scenario_t sc3 = {"R46 other fork, no PRACK after 2xx",
                                   O_CACHE | O_NO_AFTER_2XX, CSEQ, OFFERED, 0, discarded,
                                   ARRAY_LEN(discarded)};
    run(&sc3);
}

/* A reliable 1xx without a To-tag cannot create an early dialog (R36). */
static void test_R36_no_dialog_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(NODLG, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_NO_DIALOG)),
        COUNT(0, 1, 0, 0),
        /* the same RSeq with a To-tag is new to that dialog */
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(NODLG, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_NO_DIALOG)),
        RSEQ(A, 1),
        /* an unreliable 1xx without To-tag is fine */
        RSP(NODLG, INV(180, 0, 0, CSEQ), W_DELIVER(180, CSEQ)),
        COUNT(1, 2, 0, 0),
    };
    SCENARIO("no dialog", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* PRACK outcomes                                                            */
/* ------------------------------------------------------------------------ */

static void test_prack_failure_observe(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        /* RFC 3261 12.2.1.2: after 481 or 408 the dialog should end */
        RSP(A, PRK(481, 0, 1), W_EVF(PRACK_R_PRACK_FAILED, 481, 1, GONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* pitfall #16: a UAS that sends 100rel but refuses the PRACK method */
        RSP(A, PRK(405, 0, 2), W_EV(PRACK_R_PRACK_FAILED, 405, 2)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        /* a transaction timeout */
        RSP(A, PRK(408, 0, 3), W_EVF(PRACK_R_PRACK_FAILED, 408, 3, GONE)),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        RSP(A, PRK(500, 0, 0), W_EV(PRACK_R_PRACK_FAILED, 500, 4)),
        RSP(A, PRK(603, 0, 4), W_EV(PRACK_R_PRACK_FAILED, 603, 4)),
        STATE(PRACK_UAC_CALLING), /* the call goes on */
        COUNT(4, 0, 0, 5),
        RSP(A, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ)),
    };
    SCENARIO("PRACK failure observe", 0, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_prack_failure_terminate(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, PRK(481, 0, 1), W_EVF(PRACK_R_PRACK_FAILED, 481, 1, GONE), W_TERM(481, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(405, 0, 2), W_EV(PRACK_R_PRACK_FAILED, 405, 2), W_TERM(405, 2)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, PRK(408, 0, 3), W_EVF(PRACK_R_PRACK_FAILED, 408, 3, GONE), W_TERM(408, 3)),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        RSP(A, PRK(500, 0, 4), W_EV(PRACK_R_PRACK_FAILED, 500, 4), W_TERM(500, 4)),
        COUNT(4, 0, 0, 4),
        /* after the 2xx (BYE then) as well */
        RSP(A, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ)),
        RSP(A, INV(180, REL, 5, CSEQ), W_PRACK(180, 5, CSEQ, 0, S_NONE)),
        RSP(A, PRK(481, 0, 5), W_EVF(PRACK_R_PRACK_FAILED, 481, 5, GONE), W_TERM(481, 5)),
    };
    SCENARIO("PRACK failure terminate", O_TERMINATE, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_prack_responses(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        /* 1xx to a PRACK: nothing to do */
        RSP(A, PRK(100, 0, 1), W_NONE),
        RSP(A, PRK(180, SDP, 1), W_NONE),
        RSP(A, PRK(199, 0, 0), W_NONE),
        COUNT(1, 0, 0, 0),
        RSP(A, PRK(200, 0, 1), W_EV(PRACK_R_PRACK_OK, 200, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* RAck unknown to the host: the last one PRACKed on the dialog */
        RSP(A, PRK(202, 0, 0), W_EV(PRACK_R_PRACK_OK, 202, 2)),
        COUNT(2, 0, 2, 0),
        /* a PRACK answered after the INVITE failed is still reported */
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(487, 0, 0, CSEQ), W_FINAL(487, CSEQ)),
        RSP(A, PRK(200, 0, 3), W_EV(PRACK_R_PRACK_OK, 200, 3)),
        COUNT(3, 0, 3, 0),
    };
    SCENARIO("PRACK responses", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* Finals, 420 and 421                                                       */
/* ------------------------------------------------------------------------ */

static void test_420_retry_without_100rel(void **state)
{
    (void)state;
    static const step_t req[] = {
        RSP(NODLG, INV(420, UNSUP, 0, CSEQ), W_FINAL(420, CSEQ),
            W_RETRY(420, PRACK_OPTION_NONE)),
        STATE(PRACK_UAC_FAILED),
    };
    SCENARIO("420 required", O_REQUIRED, CSEQ, OFFERED, req);
    run(&sc);

    static const step_t other_ext[] = {
        RSP(A, INV(420, 0, 0, CSEQ), W_FINAL(420, CSEQ)), /* another extension is at fault */
    };
    static const scenario_t sc2 = {"420 other", O_REQUIRED, CSEQ, OFFERED, 0, other_ext,
                                   ARRAY_LEN(other_ext)};
    run(&sc2);

    static const step_t sup[] = {
        /* Supported cannot cause a 420 for 100rel: nothing to retry */
        RSP(A, INV(420, UNSUP, 0, CSEQ), W_FINAL(420, CSEQ)),
    };
    static const scenario_t sc3 = {"420 supported", 0, CSEQ, OFFERED, 0, sup, ARRAY_LEN(sup)};
    run(&sc3);
}

static void test_421_retry_with_supported(void **state)
{
    (void)state;
    static const step_t off[] = {
        RSP(A, INV(421, REQ, 0, CSEQ), W_FINAL(421, CSEQ),
            W_RETRY(421, PRACK_OPTION_SUPPORTED)),
        STATE(PRACK_UAC_FAILED),
    };
    SCENARIO("421 off", O_OFF, CSEQ, OFFERED, off);
    run(&sc);

    static const step_t other[] = {
        RSP(A, INV(421, 0, 0, CSEQ), W_FINAL(421, CSEQ)),
    };
    static const scenario_t sc2 = {"421 other", O_OFF, CSEQ, OFFERED, 0, other,
                                   ARRAY_LEN(other)};
    run(&sc2);

    static const step_t sup[] = {
        RSP(A, INV(421, REQ, 0, CSEQ), W_FINAL(421, CSEQ)),
    };
    static const scenario_t sc3 = {"421 supported", 0, CSEQ, OFFERED, 0, sup, ARRAY_LEN(sup)};
    run(&sc3);
    static const scenario_t sc4 = {"421 required", O_REQUIRED, CSEQ, OFFERED, 0, sup,
                                   ARRAY_LEN(sup)};
    run(&sc4);
}

static void test_R42_final_states(void **state)
{
    (void)state;
    static const step_t fail[] = {
        STATE(PRACK_UAC_CALLING),
        RSP(A, INV(486, 0, 0, CSEQ), W_FINAL(486, CSEQ)),
        STATE(PRACK_UAC_FAILED),
        /* a retransmitted or second final is delivered, the state stays */
        RSP(A, INV(486, 0, 0, CSEQ), W_FINAL(486, CSEQ)),
        RSP(NODLG, INV(603, 0, 0, CSEQ), W_FINAL(603, CSEQ)),
        STATE(PRACK_UAC_FAILED),
    };
    SCENARIO("final fail", 0, CSEQ, OFFERED, fail);
    run(&sc);

    static const step_t ok[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        STATE(PRACK_UAC_ACCEPTED),
        /* a second 2xx from another fork: delivered again, so the host can ACK
         * and BYE it */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(PRACK_R_SESSION, 200, 0)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        /* a late 4xx from a third branch changes nothing; no retry after a 2xx */
        RSP(C, INV(421, REQ, 0, CSEQ), W_FINAL(421, CSEQ)),
        STATE(PRACK_UAC_ACCEPTED),
    };
    static const scenario_t sc2 = {"final ok", O_OFF, CSEQ, OFFERED, 0, ok, ARRAY_LEN(ok)};
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* Host misuse                                                               */
/* ------------------------------------------------------------------------ */

static void test_time_backwards(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP_ERR(999, A, INV(183, REL, 1, CSEQ), PRACK_ERR_TIME),
        RSP_AT(1000, A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        RSP_AT(5000, A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP_ERR(4999, A, INV(180, REL, 3, CSEQ), PRACK_ERR_TIME),
        RSP_ERR(4999, A, PRK(200, 0, 2), PRACK_ERR_TIME),
        RSP_AT(5000, A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP_ERR(PRACK_TIME_NONE, A, INV(180, REL, 4, CSEQ), PRACK_ERR_INVAL),
        RSP_AT(PRACK_TIME_NONE - 1u, A, INV(180, REL, 4, CSEQ),
               W_PRACK(180, 4, CSEQ, 0, S_NONE)),
    };
    static const scenario_t sc = {"time", 0, CSEQ, OFFERED, 1000, st, ARRAY_LEN(st)};
    run(&sc);
}

/* Errors of prack_on_response(): return code and unchanged engine. */
static void test_args_on_response(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        RSP_ERR(0, A, INV(99, 0, 0, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, A, INV(0, 0, 0, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, A, INV(700, 0, 0, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, A, INV(180, REL | 0x10u, 2, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, A, INV(180, 0x80000000u, 2, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, NODLG, PRK(200, 0, 1), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(200, 0, 4294967296u), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(99, 0, 1), PRACK_ERR_INVAL),
        /* a PRACK response on a dialog where nothing was PRACKed */
        RSP_ERR(0, B, PRK(200, 0, 0), PRACK_ERR_INVAL),
        RSEQ(A, 1),
        COUNT(1, 0, 0, 0),
        STATE(PRACK_UAC_CALLING),
        /* boundaries that are fine */
        RSP(A, INV(100, 0, 0, CSEQ), W_DELIVER(100, CSEQ)),
        RSP(A, PRK(699, 0, 1), W_EV(PRACK_R_PRACK_FAILED, 699, 1)),
        RSP(A, INV(699, 0, 0, CSEQ), W_FINAL(699, CSEQ)),
    };
    SCENARIO("args", 0, CSEQ, OFFERED, st);
    run(&sc);

    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    prack_response_t rsp = INV(180, REL, 1, CSEQ);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, OFFERED, 0), PRACK_OK);
    assert_int_equal(prack_uac_dialog_init(&dlg), PRACK_OK);
    prack_uac_t copy = uac;
    assert_int_equal(prack_on_response(NULL, &dlg, 0, &rsp, &out), PRACK_ERR_INVAL);
    assert_int_equal(prack_on_response(&uac, &dlg, 0, NULL, &out), PRACK_ERR_INVAL);
    assert_int_equal(prack_on_response(&uac, &dlg, 0, &rsp, NULL), PRACK_ERR_INVAL);
    assert_memory_equal(&copy, &uac, sizeof(uac));
    assert_int_equal(prack_uac_dialog_rseq(&dlg), 0);
}

/* The header: "When a call fails with a negative error code, ... the batch is empty." */
static void test_error_empties_batch(void **state)
{
    (void)state;
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    const prack_response_t bad = INV(700, 0, 0, CSEQ);
    const prack_response_t orphan = PRK(200, 0, 1);
    const prack_response_t good = INV(180, REL, 1, CSEQ);

    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, OFFERED, 100), PRACK_OK);
    assert_int_equal(prack_uac_dialog_init(&dlg), PRACK_OK);

    fill_junk(&out);
    assert_int_equal(prack_on_response(&uac, &dlg, 100, &bad, &out), PRACK_ERR_INVAL);
    assert_int_equal(out.n, 0);
    fill_junk(&out);
    assert_int_equal(prack_on_response(&uac, NULL, 100, &orphan, &out), PRACK_ERR_INVAL);
    assert_int_equal(out.n, 0);
    fill_junk(&out);
    assert_int_equal(prack_on_response(&uac, &dlg, 99, &good, &out), PRACK_ERR_TIME);
    assert_int_equal(out.n, 0);
    fill_junk(&out);
    assert_int_equal(prack_on_response(NULL, &dlg, 100, &good, &out), PRACK_ERR_INVAL);
    assert_int_equal(out.n, 0);
}

static void test_args_init_and_helpers(void **state)
{
    (void)state;
    prack_uac_t uac;
    prack_config_t cfg;
    prack_uac_stats_t st;
    prack_uac_dialog_t dlg;

    assert_int_equal(prack_uac_init(NULL, NULL, CSEQ, 0, 0), PRACK_ERR_INVAL);
    /* RFC 3261 8.1.1.5: CSeq below 2^31 */
    assert_int_equal(prack_uac_init(&uac, NULL, 0x80000000u, 0, 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_init(&uac, NULL, UINT32_MAX, 0, 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_init(&uac, NULL, 0x7FFFFFFFu, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, 0, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, 0x02u, 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, 0x80000000u, 0), PRACK_ERR_INVAL);

    /* each out-of-range configuration value */
    for (int i = 0; i < 9; i++) {
        assert_int_equal(prack_config_init(&cfg), PRACK_OK);
        switch (i) {
        case 0: cfg.t1_ms = 0; break;
        case 1: cfg.t1_ms = 3600001u; break;
        case 2: cfg.refresh_ms = 999u; break;
        case 3: cfg.refresh_ms = 65535001u; break;
        case 4: cfg.timeout_status = 499; break;
        case 5: cfg.timeout_status = 600; break;
        case 6: cfg.policy = (prack_policy_t)3; break;
        case 7: cfg.on_prack_failure = (prack_failure_t)2; break;
        default: cfg.policy = (prack_policy_t)-1; break;
        }
        if (prack_uac_init(&uac, &cfg, CSEQ, 0, 0) != PRACK_ERR_INVAL)
            fail_msg("bad configuration %d accepted", i);
    }
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.t1_ms = 3600000u;
    cfg.refresh_ms = 65535000u;
    assert_int_equal(prack_uac_init(&uac, &cfg, CSEQ, 0, 0), PRACK_OK);
    assert_int_equal(prack_config_init(NULL), PRACK_ERR_INVAL);

    assert_int_equal(prack_uac_dialog_init(NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_counters(NULL, &st), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_counters(&uac, NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_dialog_init(&dlg), PRACK_OK);
    assert_int_equal(prack_uac_offer_in_prack(NULL, &dlg), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_offer_in_prack(&uac, NULL), PRACK_ERR_INVAL);

    assert_int_equal(prack_uac_state(NULL), 0);
    assert_int_equal(prack_uac_dialog_rseq(NULL), 0);
    assert_int_equal(prack_uac_state(&uac), PRACK_UAC_CALLING);
    assert_string_equal(prack_uac_state_name(PRACK_UAC_CALLING), "CALLING");
    assert_string_equal(prack_uac_state_name(PRACK_UAC_ACCEPTED), "ACCEPTED");
    assert_string_equal(prack_uac_state_name(PRACK_UAC_FAILED), "FAILED");
    assert_string_equal(prack_uac_state_name((prack_uac_state_t)0), "?");
}

/* Responses to other methods (CANCEL, UPDATE, ...) are none of the engine's business. */
static void test_method_other_ignored(void **state)
{
    (void)state;
#define CANCEL_OK { .status = 200, .method = PRACK_METHOD_OTHER, .cseq = CSEQ }
#define OTHER_183 \
    { .status = 183, .method = PRACK_METHOD_OTHER, .flags = REL | SDP, .cseq = CSEQ, .rseq = 1 }
    static const step_t st[] = {
        RSP(NODLG, CANCEL_OK, W_NONE),
        RSP(A, OTHER_183, W_NONE),
        RSEQ(A, 0),
        STATE(PRACK_UAC_CALLING),
        COUNT(0, 0, 0, 0),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, CANCEL_OK, W_NONE),
        STATE(PRACK_UAC_CALLING),
    };
    SCENARIO("other methods", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* Counters through a whole call. */
static void test_counters_over_a_call(void **state)
{
    (void)state;
    static const step_t st[] = {
        COUNT(0, 0, 0, 0),
        RSP(NODLG, INV(100, 0, 0, CSEQ), W_DELIVER(100, CSEQ)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(PRACK_R_SESSION, 183, 1)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(1, 1, 0, 0),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 1), W_EV(PRACK_R_PRACK_OK, 200, 1)),
        COUNT(2, 1, 1, 0),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(481, 0, 2), W_EVF(PRACK_R_PRACK_FAILED, 481, 2, GONE)),
        COUNT(3, 2, 1, 1),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        COUNT(3, 2, 1, 1),
    };
    SCENARIO("counters", 0, CSEQ, OFFERED, st);
    run(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R31_R32_R33_option_per_policy),
        cmocka_unit_test(test_R34_R35_100_never_pracked),
        cmocka_unit_test(test_R36_R37_R43_first_reliable_1xx),
        cmocka_unit_test(test_R38_R39_R40_N7_retransmission_discarded),
        cmocka_unit_test(test_pitfall7_retransmitted_183_single_answer),
        cmocka_unit_test(test_R44_R45_gap_not_pracked),
        cmocka_unit_test(test_pitfall18_lower_rseq_never_lowers),
        cmocka_unit_test(test_pitfall12_180_after_183),
        cmocka_unit_test(test_R46_errata4604_cache_then_fill),
        cmocka_unit_test(test_R46_cache_releases_contiguous_run),
        cmocka_unit_test(test_R46_cache_window_full),
        cmocka_unit_test(test_R46_cached_duplicate_is_retransmission),
        cmocka_unit_test(test_R42_R46_final_drops_cached),
        cmocka_unit_test(test_R46_no_cache_after_2xx_reason),
        cmocka_unit_test(test_R47_after_2xx_pracked),
        cmocka_unit_test(test_R47_after_2xx_discarded),
        cmocka_unit_test(test_R47_after_non2xx_always_discarded),
        cmocka_unit_test(test_R50_offer_in_1xx_answer_in_prack),
        cmocka_unit_test(test_R51_R53_offer_in_prack_answered),
        cmocka_unit_test(test_R51_offer_in_prack_answer_missing),
        cmocka_unit_test(test_R51_offer_in_prack_state_errors),
        cmocka_unit_test(test_R51_answer_matched_to_offering_prack),
        cmocka_unit_test(test_R53_R55_answer_in_2xx),
        cmocka_unit_test(test_R57_auth_once_per_prack),
        cmocka_unit_test(test_R57_auth_per_rseq),
        cmocka_unit_test(test_R51_R57_offer_in_challenged_prack),
        cmocka_unit_test(test_R57_once_with_several_pracks_outstanding),
        cmocka_unit_test(test_N2_pitfall14_rack_and_ack_use_invite_cseq),
        cmocka_unit_test(test_pitfall4_rack_cseq_from_the_1xx),
        cmocka_unit_test(test_N8_rseq_range),
        cmocka_unit_test(test_pitfall6_require_without_rseq),
        cmocka_unit_test(test_errata4602_reliable_means_sent_reliably),
        cmocka_unit_test(test_errata4603_N5_pitfall2_forks_independent),
        cmocka_unit_test(test_N5_N7_cseq_scopes_the_rseq_space),
        cmocka_unit_test(test_R42_R46_cache_on_other_fork),
        cmocka_unit_test(test_R36_no_dialog_discarded),
        cmocka_unit_test(test_prack_failure_observe),
        cmocka_unit_test(test_prack_failure_terminate),
        cmocka_unit_test(test_prack_responses),
        cmocka_unit_test(test_420_retry_without_100rel),
        cmocka_unit_test(test_421_retry_with_supported),
        cmocka_unit_test(test_R42_final_states),
        cmocka_unit_test(test_time_backwards),
        cmocka_unit_test(test_args_on_response),
        cmocka_unit_test(test_error_empties_batch),
        cmocka_unit_test(test_args_init_and_helpers),
        cmocka_unit_test(test_method_other_ignored),
        cmocka_unit_test(test_counters_over_a_call),
    };
    return cmocka_run_group_tests_name("uac", tests, NULL, NULL);
}
