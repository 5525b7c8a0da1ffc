/*
 * Unit tests of the UAC engine: prack_uac_*() and prack_on_response().
 *
 * Each test is a scenario: a list of steps fed to one prack_uac_t and up to
 * three early dialogs (A, B, C: one per To-tag of a forked INVITE). A step is a
 * response (its facts, the dialog it names or none, the expected return code
 * and the exact list of actions), a call to prack_uac_offer_in_prack(), a new
 * INVITE transaction on the same dialogs, or a check of the dialog's RSeq, the
 * engine's state or its counters.
 *
 * The engine and every dialog state live in heap storage; a scenario can be
 * run with all of them moved to fresh storage before every step (the header
 * allows memcpy between calls), and must then give the same actions.
 *
 * Rows R1..R57 and N1..N12 are the numbered obligations of RFC 3262 listed in
 * doc/rfc-coverage.md; each test names the ones it asserts.
 *
 * The Request-URI and To-tag of a PRACK are the host's business: the engine
 * keys everything on the prack_uac_dialog_t the host keeps per To-tag, so a
 * PRACK is always asked for on the dialog whose 1xx caused it (each
 * SEND_PRACK below comes out of the call that named that dialog).
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
#define PRACK_CSEQ 102u /* the CSeq of our PRACKs (never used in a RAck) */

/* A response to the INVITE. */
#define INV(st, fl, rs, cs) \
    { .status = (st), .method = PRACK_METHOD_INVITE, .flags = (fl), .cseq = (cs), .rseq = (rs) }
/* A response to one of our PRACKs; rs is the RAck response-num of that PRACK. */
#define PRK(st, fl, rs) \
    { .status = (st), .method = PRACK_METHOD_PRACK, .flags = (fl), .cseq = PRACK_CSEQ, \
      .rseq = (rs) }
/* The same with the PRACK's own CSeq given. */
#define PRK_CS(st, rs, cs) \
    { .status = (st), .method = PRACK_METHOD_PRACK, .cseq = (cs), .rseq = (rs) }
/* A response with CSeq method m (neither INVITE nor PRACK, or not a method at all). */
#define RSP_M(st, m, fl, rs, cs) \
    { .status = (st), .method = (m), .flags = (fl), .cseq = (cs), .rseq = (rs) }

/* ------------------------------------------------------------------------ */
/* Expected actions                                                         */
/* ------------------------------------------------------------------------ */

typedef struct want {
    uint8_t type; /* a prack_act_t; 0 ends the list */
    uint8_t reason;
    uint8_t sdp;
    uint8_t option;
    uint16_t status;
    uint32_t flags;
    uint32_t rseq;
    uint32_t cseq;
} want_t;

#define W_NONE { .type = 0 }
#define W_PRACK(st, rs, cs, fl, sd) \
    { .type = PRACK_ACT_SEND_PRACK, .status = (st), .flags = (fl), .rseq = (rs), .cseq = (cs), \
      .sdp = (sd) }
#define W_DELIVER(st, cs) { .type = PRACK_ACT_DELIVER_1XX, .status = (st), .cseq = (cs) }
#define W_DISCARD(st, rs, cs, why) \
    { .type = PRACK_ACT_DISCARD, .status = (st), .rseq = (rs), .cseq = (cs), .reason = (why) }
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
#define OTHER PRACK_AF_OTHER_FORK

/* Events, short */
#define E_OK PRACK_R_PRACK_OK
#define E_FAILED PRACK_R_PRACK_FAILED
#define E_SESSION PRACK_R_SESSION
#define E_MISSING PRACK_R_ANSWER_MISSING

/* ------------------------------------------------------------------------ */
/* Scenario steps                                                           */
/* ------------------------------------------------------------------------ */

enum kind {
    K_RSP = 0, /* prack_on_response() */
    K_OFFER,   /* prack_uac_offer_in_prack(v[0]) */
    K_INIT,    /* a new INVITE transaction: prack_uac_init(v[0], v[1]), dialogs kept */
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
#define OFFER(d, rs, err) { .kind = K_OFFER, .dlg = (d), .v = { (rs) }, .rc = (err) }
#define REINIT(cs, inv) { .kind = K_INIT, .v = { (cs), (inv) } }
#define RSEQ(d, n) { .kind = K_RSEQ, .dlg = (d), .v = { (n) } }
#define STATE(s) { .kind = K_STATE, .v = { (uint32_t)(s) } }
#define COUNT(sent, disc, ok, failed) { .kind = K_COUNT, .v = { (sent), (disc), (ok), (failed) } }

/* Scenario options (the configuration starts from prack_config_init()). */
#define O_OFF 0x01u          /* policy OFF */
#define O_REQUIRED 0x02u     /* policy REQUIRED */
#define O_TERMINATE 0x04u    /* on_prack_failure TERMINATE */
#define O_NO_AFTER_2XX 0x08u /* prack_after_2xx 0 */
#define O_CACHE 0x10u        /* cache_out_of_order 1 */
#define O_AUTH0 0x20u        /* auth_max 0 */
#define O_AUTH1 0x40u        /* auth_max 1 */

typedef struct scenario {
    const char *name;
    unsigned opts;
    uint32_t cseq;        /* the INVITE's CSeq */
    unsigned invite;      /* PRACK_UAC_INVITE_* */
    prack_time_t start;   /* time of prack_uac_init() */
    const step_t *steps;
    size_t n;
} scenario_t;

/* Every action of a run, in order, to compare two runs of one scenario. */
#define LOG_MAX 512u
typedef struct action_log {
    prack_action_t v[LOG_MAX];
    size_t n;
} action_log_t;

typedef struct fixture {
    prack_uac_t *uac;               /* heap storage, so that it can move */
    prack_uac_dialog_t *dlg[NDLG];
    prack_time_t now;
    bool move;                      /* relocate everything before each step */
    action_log_t *log;              /* NULL: not recorded */
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
        cfg->prack_after_2xx = 0;
    if (opts & O_CACHE)
        cfg->cache_out_of_order = 1;
    if (opts & O_AUTH0)
        cfg->auth_max = 0;
    if (opts & O_AUTH1)
        cfg->auth_max = 1;
}

static void uac_start(fixture_t *f, const scenario_t *sc, uint32_t cseq, unsigned invite)
{
    prack_config_t cfg;
    config_for(&cfg, sc->opts);
    assert_int_equal(prack_uac_init(f->uac, &cfg, cseq, invite, f->now), PRACK_OK);
}

static void fixture_start(fixture_t *f, const scenario_t *sc, bool move, action_log_t *log)
{
    memset(f, 0, sizeof(*f));
    f->move = move;
    f->log = log;
    f->now = sc->start;
    f->uac = test_malloc(sizeof(*f->uac));
    assert_non_null(f->uac);
    uac_start(f, sc, sc->cseq, sc->invite);
    for (size_t i = 0; i < NDLG; i++) {
        f->dlg[i] = test_malloc(sizeof(*f->dlg[i]));
        assert_non_null(f->dlg[i]);
        assert_int_equal(prack_uac_dialog_init(f->dlg[i]), PRACK_OK);
    }
}

static void fixture_end(fixture_t *f)
{
    test_free(f->uac);
    for (size_t i = 0; i < NDLG; i++)
        test_free(f->dlg[i]);
}

/* Copy an object to fresh storage and spoil the old copy before freeing it. */
static void *relocate(void *old, size_t size)
{
    void *fresh = test_malloc(size);
    assert_non_null(fresh);
    assert_ptr_not_equal(fresh, old);
    memcpy(fresh, old, size);
    memset(old, 0x5A, size);
    test_free(old);
    return fresh;
}

static void fixture_move(fixture_t *f)
{
    f->uac = relocate(f->uac, sizeof(*f->uac));
    for (size_t i = 0; i < NDLG; i++)
        f->dlg[i] = relocate(f->dlg[i], sizeof(*f->dlg[i]));
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
           a->reason == w->reason && a->option == w->option && a->user == 0 &&
           a->text == NULL && a->reserved_ == 0 && a->reserved2_ == 0;
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
    print_error("  got %u:\n", (unsigned)out->n);
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

/* The engine and dialog states, by value, to check that an error changed nothing. */
typedef struct snapshot {
    prack_uac_t uac;
    prack_uac_dialog_t dlg[NDLG];
} snapshot_t;

static void snap(const fixture_t *f, snapshot_t *s)
{
    memcpy(&s->uac, f->uac, sizeof(s->uac));
    for (size_t i = 0; i < NDLG; i++)
        memcpy(&s->dlg[i], f->dlg[i], sizeof(s->dlg[i]));
}

static bool unchanged(const fixture_t *f, const snapshot_t *s)
{
    bool same = memcmp(&s->uac, f->uac, sizeof(s->uac)) == 0;
    for (size_t i = 0; i < NDLG; i++)
        same = same && memcmp(&s->dlg[i], f->dlg[i], sizeof(s->dlg[i])) == 0;
    return same;
}

static void run_rsp(const scenario_t *sc, fixture_t *f, size_t idx, const step_t *s)
{
    prack_actions_t out;
    snapshot_t before;
    prack_uac_dialog_t *dlg = s->dlg == NODLG ? NULL : f->dlg[s->dlg];

    snap(f, &before);
    fill_junk(&out);
    int rc = prack_on_response(f->uac, dlg, f->now, &s->rsp, &out);
    if (rc != s->rc)
        fail_msg("%s, step %zu: rc %d (%s), expected %d (%s)", sc->name, idx, rc,
                 prack_strerror(rc), s->rc, prack_strerror(s->rc));
    if (rc < 0) {
        /* the header: on error the engine is unchanged and the batch empty */
        if (!unchanged(f, &before))
            fail_msg("%s, step %zu: the engine changed on error %d", sc->name, idx, rc);
        if (out.n != 0)
            fail_msg("%s, step %zu: error %d left %u action(s) in the batch", sc->name, idx,
                     rc, (unsigned)out.n);
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
    if (f->log) {
        assert_true(f->log->n + out.n <= LOG_MAX);
        memcpy(&f->log->v[f->log->n], out.v, out.n * sizeof(out.v[0]));
        f->log->n += out.n;
    }
}

static void run_on(const scenario_t *sc, fixture_t *f)
{
    for (size_t i = 0; i < sc->n; i++) {
        const step_t *s = &sc->steps[i];
        if (f->move)
            fixture_move(f);
        prack_uac_dialog_t *dlg = s->dlg == NODLG ? NULL : f->dlg[s->dlg];
        if (s->at)
            f->now = s->at;
        switch (s->kind) {
        case K_RSP:
            run_rsp(sc, f, i, s);
            break;
        case K_OFFER: {
            snapshot_t before;
            snap(f, &before);
            int rc = prack_uac_offer_in_prack(f->uac, dlg, s->v[0]);
            if (rc != s->rc)
                fail_msg("%s, step %zu: offer_in_prack(%u) rc %d, expected %d", sc->name, i,
                         (unsigned)s->v[0], rc, s->rc);
            if (rc < 0 && !unchanged(f, &before))
                fail_msg("%s, step %zu: offer_in_prack changed the engine on error", sc->name,
                         i);
            break;
        }
        case K_INIT:
            uac_start(f, sc, s->v[0], s->v[1]);
            break;
        case K_RSEQ:
            if (prack_uac_dialog_rseq(dlg) != s->v[0])
                fail_msg("%s, step %zu: dialog %d rseq %u, expected %u", sc->name, i, s->dlg,
                         (unsigned)prack_uac_dialog_rseq(dlg), (unsigned)s->v[0]);
            break;
        case K_STATE:
            if ((uint32_t)prack_uac_state(f->uac) != s->v[0])
                fail_msg("%s, step %zu: state %s, expected %s", sc->name, i,
                         prack_uac_state_name(prack_uac_state(f->uac)),
                         prack_uac_state_name(s->v[0]));
            break;
        case K_COUNT: {
            prack_uac_stats_t st;
            assert_int_equal(prack_uac_counters(f->uac, &st), PRACK_OK);
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
#define SCENARIO2(var, nm, o, cs, inv, st) \
    static const scenario_t var = { (nm), (o), (cs), (inv), 0, (st), ARRAY_LEN(st) }

/* Run a scenario in place, then again with every object moved before each step. */
static void run(const scenario_t *sc)
{
    fixture_t f;
    fixture_start(&f, sc, false, NULL);
    run_on(sc, &f);
    fixture_end(&f);
    fixture_start(&f, sc, true, NULL);
    run_on(sc, &f);
    fixture_end(&f);
}

#define OFFERED PRACK_UAC_INVITE_SDP /* our INVITE carries an offer */

/* ------------------------------------------------------------------------ */
/* The option tag in the INVITE                                             */
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
/* A 100 is never PRACKed                                                   */
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
/* The first reliable 1xx of an early dialog                                */
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
            W_EV(E_SESSION, 183, 1000)),
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

/*
 * R36 R37 R43 with responses of other transactions: the engine keeps the
 * INVITE's CSeq, and any INVITE response with another CSeq is not for it:
 * discarded (PRACK_R_WRONG_CSEQ), never PRACKed, never delivered, and the dialog
 * state is left as it was, so the real first reliable 1xx that follows still
 * opens the dialog (PRACK_AF_NEW_DIALOG).
 */
static void test_R36_R37_R43_wrong_cseq_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ + 1u),
            W_DISCARD(183, 1, CSEQ + 1u, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ - 1u),
            W_DISCARD(183, 1, CSEQ - 1u, PRACK_R_WRONG_CSEQ)),
        RSP(NODLG, INV(100, 0, 0, 7), W_DISCARD(100, 0, 7, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(180, 0, 0, 0), W_DISCARD(180, 0, 0, PRACK_R_WRONG_CSEQ)),
        RSEQ(A, 0),
        COUNT(0, 4, 0, 0),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        /* the next RSeq with another CSeq neither moves nor breaks the sequence */
        RSP(A, INV(180, REL, 2, CSEQ + 1u), W_DISCARD(180, 2, CSEQ + 1u, PRACK_R_WRONG_CSEQ)),
        RSEQ(A, 1),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* finals with another CSeq are not this INVITE's either: no state change */
        RSP(A, INV(200, SDP, 0, CSEQ + 1u), W_DISCARD(200, 0, CSEQ + 1u, PRACK_R_WRONG_CSEQ)),
        RSP(NODLG, INV(486, 0, 0, CSEQ - 1u), W_DISCARD(486, 0, CSEQ - 1u, PRACK_R_WRONG_CSEQ)),
        RSP(B, INV(420, UNSUP, 0, 1), W_DISCARD(420, 0, 1, PRACK_R_WRONG_CSEQ)),
        STATE(PRACK_UAC_CALLING),
        COUNT(2, 8, 0, 0),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        STATE(PRACK_UAC_ACCEPTED),
        /* after the final as well */
        RSP(A, INV(180, REL, 4, CSEQ + 1u), W_DISCARD(180, 4, CSEQ + 1u, PRACK_R_WRONG_CSEQ)),
        RSEQ(A, 3),
    };
    SCENARIO("R36/R37/R43 wrong CSeq", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* the host re-sent the INVITE with credentials (a new CSeq) but kept the
     * old engine: the new transaction's 1xx are not this engine's */
    static const step_t kept[] = {
        RSP(A, INV(183, REL, 1, 11), W_DISCARD(183, 1, 11, PRACK_R_WRONG_CSEQ)),
        RSP(B, INV(180, REL, 9, 11), W_DISCARD(180, 9, 11, PRACK_R_WRONG_CSEQ)),
        RSEQ(A, 0),
        RSEQ(B, 0),
    };
    SCENARIO2(sc2, "R37 engine of the old INVITE", 0, 10, OFFERED, kept);
    run(&sc2);
}

/*
 * CSeq numbers from 2^31 to 2^32-1 are valid (a re-INVITE may get there): the
 * engine takes them at init and puts them in the RAck (R37, N2), and CSeq
 * arithmetic never wraps (0 is another CSeq, not the next one).
 */
static void test_R37_N2_cseq_up_to_2_32_minus_1(void **state)
{
    (void)state;
    static const step_t top[] = {
        RSP(A, INV(180, REL, 5, 0), W_DISCARD(180, 5, 0, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(180, REL, 5, 4294967294u),
            W_DISCARD(180, 5, 4294967294u, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(183, REL | SDP, 5, 4294967295u),
            W_PRACK(183, 5, 4294967295u, NEW, S_MAY), W_EV(E_SESSION, 183, 5)),
        RSP(A, PRK(401, 0, 5), W_PRACK(401, 5, 4294967295u, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 5), W_EV(E_OK, 200, 5)),
        RSP(A, INV(180, REL, 6, 4294967295u), W_PRACK(180, 6, 4294967295u, 0, S_NONE)),
        RSP(A, INV(200, SDP, 0, 4294967295u), W_FINAL_SDP(200, 4294967295u, S_REPEAT)),
    };
    SCENARIO2(sc1, "CSeq 2^32-1", 0, 4294967295u, OFFERED, top);
    run(&sc1);

    static const step_t half[] = {
        RSP(A, INV(180, REL, 1, 2147483647u), W_DISCARD(180, 1, 2147483647u, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(180, REL, 1, 2147483648u), W_PRACK(180, 1, 2147483648u, NEW, S_NONE)),
        RSP(A, INV(486, 0, 0, 2147483648u), W_FINAL(486, 2147483648u)),
    };
    SCENARIO2(sc2, "CSeq 2^31", 0, 2147483648u, OFFERED, half);
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* Retransmissions                                                          */
/* ------------------------------------------------------------------------ */

static void test_R38_R39_R40_N7_retransmission_discarded(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_PRACK(183, 5, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 5)),
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

/* R39 R40 R50: a retransmitted 183 with an offer never gets a second PRACK or answer. */
static void test_R39_R40_R50_retransmitted_offer_answered_once(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        /* the next 1xx repeats the session: no answer owed, no body */
        RSP(A, INV(180, REL | SDP, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        COUNT(2, 2, 0, 0),
    };
    SCENARIO("R39/R40/R50 single answer", 0, CSEQ, 0, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* RSeq order, without a cache                                              */
/* ------------------------------------------------------------------------ */

static void test_R41_R44_R45_gap_not_pracked(void **state)
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

/* R41: a lower RSeq is discarded and never lowers the stored one. */
static void test_R41_lower_rseq_never_lowers(void **state)
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
    SCENARIO("R41 never lowered", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* R37 R44: order is by RSeq only, not by status code: a 180 after a 183 is PRACKed. */
static void test_R37_R44_no_status_order(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, INV(183, REL, 3, CSEQ), W_PRACK(183, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(199, REL, 4, CSEQ), W_PRACK(199, 4, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(4, 1, 0, 0),
    };
    SCENARIO("R37/R44 status order", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/*
 * R45: a reliable 1xx out of order is not processed, so its SDP has no
 * offer/answer effect: no SESSION event, no body role, and the in-order 1xx
 * that follows gets the roles a fresh exchange would.
 */
static void test_R45_out_of_order_sdp_has_no_effect(void **state)
{
    (void)state;
    /* our offer: the in-order answer's PRACK may still offer (R51) */
    static const step_t offered[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_DISCARD(183, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
        OFFER(A, 3, PRACK_ERR_STATE),
        OFFER(A, 1, PRACK_ERR_STATE),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2)),
        OFFER(A, 2, PRACK_OK),
    };
    SCENARIO2(sc1, "R45 answer out of order", 0, CSEQ, OFFERED, offered);
    run(&sc1);

    /* no offer in the INVITE: the in-order 1xx's offer is answered in its PRACK (R50) */
    static const step_t no_offer[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_DISCARD(183, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_ANSWER),
            W_EV(E_SESSION, 183, 2)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_PRACK(183, 3, CSEQ, 0, S_NONE)),
    };
    SCENARIO2(sc2, "R45 offer out of order", 0, CSEQ, 0, no_offer);
    run(&sc2);

    /* cached (R46): nothing happens at CACHE_1XX; the cached offer is answered
     * when it is processed in order, in its own PRACK */
    static const step_t cached[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_CACHE(183, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_ANSWER), W_EV(E_SESSION, 0, 3)),
    };
    SCENARIO2(sc3, "R45 cached offer", O_CACHE, CSEQ, 0, cached);
    run(&sc3);

    /* a cached SDP 1xx dropped by the final never had any effect either */
    static const step_t dropped[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_CACHE(183, 3, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER), W_DROP(3, CSEQ),
            W_EV(E_SESSION, 200, 0)),
    };
    SCENARIO2(sc4, "R45 cached answer dropped", O_CACHE, CSEQ, OFFERED, dropped);
    run(&sc4);
}

/* ------------------------------------------------------------------------ */
/* Caching out-of-order 1xx (errata 4604)                                   */
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
            W_PRACK(0, 5, CSEQ, CACHED, S_MAY), W_EV(E_SESSION, 0, 5)),
        RSEQ(A, 5),
        COUNT(5, 0, 0, 0),
        RSP(A, INV(183, REL | SDP, 5, CSEQ), W_DISCARD(183, 5, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(A, INV(180, REL, 6, CSEQ), W_PRACK(180, 6, CSEQ, 0, S_NONE)),
    };
    SCENARIO("R46 cache", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* R46: holes in the cache: only the run right after the gap is released. */
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
    /* R46: PRACK_UAC_CACHE_WINDOW (8) entries beyond the gap: RSeq 3..10 after 1 */
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

static void test_R40_R46_cached_duplicate_is_retransmission(void **state)
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
            W_DROP(5, CSEQ), W_EV(E_SESSION, 200, 0)),
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
    SCENARIO2(sc2, "R42/R46 486", O_CACHE, CSEQ, OFFERED, rejected);
    run(&sc2);
}

/*
 * R46: after a 2xx the engine no longer caches (the final dropped the cache); a
 * 1xx just past a gap is then merely out of order. PRACK_R_CACHE_FULL is
 * documented as "beyond the cache window", which RSeq 3 after 1 is not.
 */
static void test_R46_no_cache_after_2xx_reason(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
    };
    SCENARIO("R46 after 2xx", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* Reliable 1xx after the final                                             */
/* ------------------------------------------------------------------------ */

static void test_R47_after_2xx_pracked(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        STATE(PRACK_UAC_ACCEPTED),
        /* R47: on the dialog of the 2xx: PRACKed, not another fork */
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_RETRANSMISSION)),
        /* another fork's first reliable 1xx after the 2xx: PRACKed, no session there */
        RSP(B, INV(183, REL | SDP, 77, CSEQ), W_PRACK(183, 77, CSEQ, NEW | OTHER, S_NONE)),
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
            W_EV(E_SESSION, 200, 0)),
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
    SCENARIO2(sc2, "R47 after 486 (no PRACK after 2xx)", O_NO_AFTER_2XX, CSEQ, OFFERED, st);
    run(&sc2);
}

/*
 * R47 R50, RFC 3261 13.2.2.4: after a 2xx on fork A, a reliable 1xx on fork B
 * is PRACKed with PRACK_AF_OTHER_FORK and starts no session there: no SESSION
 * event and no MAY_OFFER when it carries the answer (the PRACK has no body),
 * but an offer in it still gets its answer in the PRACK. A reliable 1xx on A
 * after A's own 2xx has no OTHER_FORK. With prack_after_2xx 0 both are
 * discarded.
 */
static void test_R47_R50_other_fork_after_2xx(void **state)
{
    (void)state;
    static const step_t offered[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(B, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW | OTHER, S_NONE)),
        OFFER(B, 1, PRACK_ERR_STATE),
        RSP(B, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, OTHER, S_NONE)),
        RSP(B, INV(180, REL, 2, CSEQ), W_DISCARD(180, 2, CSEQ, PRACK_R_RETRANSMISSION)),
        RSP(B, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        RSP(B, PRK(200, SDP, 2), W_EV(E_OK, 200, 2)),
        /* on A itself: not another fork; the session is already there */
        RSP(A, INV(183, REL | SDP, 50, CSEQ), W_PRACK(183, 50, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 51, CSEQ), W_PRACK(180, 51, CSEQ, 0, S_NONE)),
        /* a third fork, whose 1xx also carries the answer */
        RSP(C, INV(183, REL | SDP, 9, CSEQ), W_PRACK(183, 9, CSEQ, NEW | OTHER, S_NONE)),
        STATE(PRACK_UAC_ACCEPTED),
        COUNT(5, 1, 2, 0),
    };
    SCENARIO2(sc1, "R47 other fork, offer in INVITE", 0, CSEQ, OFFERED, offered);
    run(&sc1);

    /* no offer in the INVITE: the 2xx offered on A; B's 1xx offers on B (R50) */
    static const step_t no_offer[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_OFFER)),
        RSP(B, INV(183, REL | SDP, 7, CSEQ), W_PRACK(183, 7, CSEQ, NEW | OTHER, S_ANSWER)),
        RSP(B, INV(180, REL | SDP, 8, CSEQ), W_PRACK(180, 8, CSEQ, OTHER, S_NONE)),
        RSP(C, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, NEW | OTHER, S_NONE)),
        RSP(C, INV(183, REL | SDP, 4, CSEQ), W_PRACK(183, 4, CSEQ, OTHER, S_ANSWER)),
        COUNT(4, 0, 0, 0),
    };
    SCENARIO2(sc2, "R50 other fork, offer in 1xx", 0, CSEQ, 0, no_offer);
    run(&sc2);

    /* R47: prack_after_2xx 0: discarded on every dialog */
    static const step_t discarded[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(B, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_AFTER_FINAL)),
        RSP(A, INV(180, REL, 1, CSEQ), W_DISCARD(180, 1, CSEQ, PRACK_R_AFTER_FINAL)),
        RSEQ(A, 0),
        RSEQ(B, 0),
        COUNT(0, 2, 0, 0),
    };
    SCENARIO2(sc3, "R47 other fork, no PRACK after 2xx", O_NO_AFTER_2XX, CSEQ, OFFERED,
              discarded);
    run(&sc3);

    /* a fork that answered before the 2xx elsewhere keeps its own 2xx role */
    static const step_t before[] = {
        RSP(B, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(B, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, OTHER, S_NONE)),
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
    };
    SCENARIO2(sc4, "R47 other fork answered earlier", 0, CSEQ, OFFERED, before);
    run(&sc4);
}

/* ------------------------------------------------------------------------ */
/* Offer/answer                                                             */
/* ------------------------------------------------------------------------ */

static void test_R50_offer_in_1xx_answer_in_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(E_SESSION, 183, 1)),
        /* R51 is for an answer in a 1xx; here we gave the answer: no offer */
        OFFER(A, 1, PRACK_ERR_STATE),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        OFFER(A, 2, PRACK_ERR_STATE),
        /* the 2xx repeats the session: no second SESSION */
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
    };
    SCENARIO("R50", 0, CSEQ, 0, st);
    run(&sc);

    /* a UAS breaking R49 (first reliable 1xx without the offer) gets no answer
     * until an offer comes */
    static const step_t late[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        OFFER(A, 1, PRACK_ERR_STATE), /* nothing agreed yet: no offer of our own here */
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_ANSWER),
            W_EV(E_SESSION, 183, 2)),
    };
    SCENARIO2(sc2, "R50 late offer", 0, CSEQ, 0, late);
    run(&sc2);
}

static void test_R51_R53_offer_in_prack_answered(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK),
        OFFER(A, 1, PRACK_ERR_STATE), /* one offer at a time (RFC 3264) */
        /* a 1xx meanwhile: its PRACK must not carry another offer */
        RSP(A, INV(180, REL | SDP, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        OFFER(A, 2, PRACK_ERR_STATE),
        RSP(A, PRK(200, SDP, 1), W_EV(E_OK, 200, 1), W_EV(E_SESSION, 200, 1)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        COUNT(2, 0, 2, 0),
        /* RFC 6337 2.2: only the PRACK of the 1xx carrying the answer to the
         * INVITE's offer may offer; later PRACKs carry no body */
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        OFFER(A, 3, PRACK_ERR_STATE),
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
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1), W_EV(E_MISSING, 200, 1)),
        COUNT(1, 0, 1, 0),
    };
    SCENARIO("R51 answer missing", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* a failed PRACK takes its offer with it; the old session stands */
    static const step_t failed[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK),
        RSP(A, PRK(488, 0, 1), W_EV(E_FAILED, 488, 1)),
        OFFER(A, 1, PRACK_ERR_STATE),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        COUNT(2, 0, 1, 1),
    };
    SCENARIO2(sc2, "R51 offer rejected", 0, CSEQ, OFFERED, failed);
    run(&sc2);
}

/*
 * R51: prack_uac_offer_in_prack() for RSeq r is allowed only when the
 * SEND_PRACK for r on that dialog said MAY_OFFER, and until a response to that
 * PRACK or a final response arrives.
 */
static void test_R51_offer_in_prack_state_errors(void **state)
{
    (void)state;
    static const step_t st[] = {
        OFFER(A, 1, PRACK_ERR_STATE), /* no reliable 1xx PRACKed yet */
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        OFFER(A, 1, PRACK_ERR_STATE), /* our INVITE offer is still unanswered */
        OFFER(B, 1, PRACK_ERR_STATE), /* another dialog saw nothing */
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2)),
        OFFER(B, 2, PRACK_ERR_STATE), /* the permission is the dialog's */
        OFFER(A, 1, PRACK_ERR_STATE), /* ... and that PRACK's */
        OFFER(A, 3, PRACK_ERR_STATE),
        OFFER(A, 0, PRACK_ERR_STATE),
        OFFER(A, 2, PRACK_OK),
        OFFER(A, 2, PRACK_ERR_STATE),
    };
    SCENARIO("R51 state", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* the response to that PRACK ends the permission */
    static const step_t answered[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        OFFER(A, 1, PRACK_ERR_STATE),
    };
    SCENARIO2(sc2, "R51 after the PRACK's 200", 0, CSEQ, OFFERED, answered);
    run(&sc2);

    static const step_t challenged[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(481, 0, 1), W_EVF(E_FAILED, 481, 1, GONE)),
        OFFER(A, 1, PRACK_ERR_STATE),
    };
    SCENARIO2(sc3, "R51 after the PRACK's failure", 0, CSEQ, OFFERED, challenged);
    run(&sc3);

    /* a final response ends it, on the dialog or elsewhere */
    static const step_t final_here[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        OFFER(A, 1, PRACK_ERR_STATE),
    };
    SCENARIO2(sc4, "R51 after the 2xx", 0, CSEQ, OFFERED, final_here);
    run(&sc4);

    static const step_t final_elsewhere[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(B, INV(183, REL | SDP, 8, CSEQ), W_PRACK(183, 8, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 8)),
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        OFFER(A, 1, PRACK_ERR_STATE), /* A carries no session now (OTHER_FORK) */
        OFFER(B, 8, PRACK_ERR_STATE),
    };
    SCENARIO2(sc5, "R51 after a 2xx on another fork", 0, CSEQ, OFFERED, final_elsewhere);
    run(&sc5);

    static const step_t failure_no_tag[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(NODLG, INV(503, 0, 0, CSEQ), W_FINAL(503, CSEQ)),
        OFFER(A, 1, PRACK_ERR_STATE), /* the early dialogs are gone (RFC 3261 12.3) */
    };
    SCENARIO2(sc6, "R51 after a failure without To-tag", 0, CSEQ, OFFERED, failure_no_tag);
    run(&sc6);
}

/*
 * R51: the permission belongs to the PRACK of the 1xx that carried the answer.
 * Filling a gap releases that PRACK (MAY_OFFER) and the PRACK of a cached 1xx
 * in one batch; the later PRACK neither takes nor cancels it, and the response
 * to the later PRACK does not end it either.
 */
static void test_R51_may_offer_tied_to_its_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2), W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
        OFFER(A, 3, PRACK_ERR_STATE),
        OFFER(A, 1, PRACK_ERR_STATE),
        RSP(A, PRK(200, 0, 3), W_EV(E_OK, 200, 3)),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        OFFER(A, 2, PRACK_OK),
        OFFER(A, 2, PRACK_ERR_STATE),
        RSP(A, PRK(200, SDP, 2), W_EV(E_OK, 200, 2), W_EV(E_SESSION, 200, 2)),
        OFFER(A, 2, PRACK_ERR_STATE),
    };
    SCENARIO("R51 batch", O_CACHE, CSEQ, OFFERED, st);
    run(&sc);

    /* without an offer, the response to PRACK 2 ends the permission */
    static const step_t unused[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 4, CSEQ), W_CACHE(180, 4, CSEQ)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2), W_PRACK(0, 3, CSEQ, CACHED, S_NONE),
            W_PRACK(0, 4, CSEQ, CACHED, S_NONE)),
        RSP(A, PRK(200, 0, 4), W_EV(E_OK, 200, 4)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        OFFER(A, 2, PRACK_ERR_STATE),
        RSP(A, PRK(200, 0, 3), W_EV(E_OK, 200, 3)),
        COUNT(4, 0, 3, 0),
    };
    SCENARIO2(sc2, "R51 batch, no offer", O_CACHE, CSEQ, OFFERED, unused);
    run(&sc2);
}

/*
 * R51 R53: with two PRACKs outstanding on one dialog, each PRACK response is
 * credited to the PRACK its rseq names, whatever the order of arrival: the
 * answer to our offer is due in the 200 to the PRACK that carried it (SESSION,
 * or ANSWER_MISSING), never in the other's. A PRACK response with rseq 0 names
 * no PRACK: PRACK_ERR_INVAL, nothing changes.
 */
static void test_R51_R53_responses_credited_by_rseq(void **state)
{
    (void)state;
    /* two 1xx in a row; the UAS answers PRACK 1 and sends the 180 at once
     * (R21), and over UDP the 200s cross */
    static const step_t in_a_row[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK), /* the offer goes in the PRACK for RSeq 1 */
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP_ERR(0, A, PRK(200, SDP, 0), PRACK_ERR_INVAL),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1), W_EV(E_MISSING, 200, 1)),
        COUNT(2, 0, 2, 0),
    };
    SCENARIO2(sc1, "R51 two in a row, reversed", 0, CSEQ, OFFERED, in_a_row);
    run(&sc1);

    static const step_t in_a_row_sdp[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        RSP(A, PRK(200, SDP, 1), W_EV(E_OK, 200, 1), W_EV(E_SESSION, 200, 1)),
    };
    SCENARIO2(sc2, "R51 two in a row, reversed, answered", 0, CSEQ, OFFERED, in_a_row_sdp);
    run(&sc2);

    /* the later PRACK of the pair carries the offer (it PRACKs the answer, RFC
     * 6337 2.2): the 200 to the earlier one answers nothing */
    static const step_t later_offers[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2)),
        OFFER(A, 2, PRACK_OK),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        RSP(A, PRK(200, SDP, 2), W_EV(E_OK, 200, 2), W_EV(E_SESSION, 200, 2)),
    };
    SCENARIO2(sc3, "R51 crossing 200", 0, CSEQ, OFFERED, later_offers);
    run(&sc3);

    /* the same with the earlier PRACK failing: the offer is still pending */
    static const step_t failed[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ), W_PRACK(183, 2, CSEQ, 0, S_MAY),
            W_EV(E_SESSION, 183, 2)),
        OFFER(A, 2, PRACK_OK),
        RSP(A, PRK(500, 0, 1), W_EV(E_FAILED, 500, 1)),
        RSP(A, PRK(200, SDP, 2), W_EV(E_OK, 200, 2), W_EV(E_SESSION, 200, 2)),
    };
    SCENARIO2(sc4, "R51 crossing failure", 0, CSEQ, OFFERED, failed);
    run(&sc4);

    /* a cached 1xx released in one batch: PRACK 2, then PRACK 3 with the
     * offer; the 200 to 3 comes first */
    static const step_t batch[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_CACHE(183, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_MAY), W_EV(E_SESSION, 0, 3)),
        OFFER(A, 3, PRACK_OK),
        RSP_ERR(0, A, PRK(200, 0, 0), PRACK_ERR_INVAL),
        RSP(A, PRK(200, 0, 3), W_EV(E_OK, 200, 3), W_EV(E_MISSING, 200, 3)),
        RSP(A, PRK(200, SDP, 2), W_EV(E_OK, 200, 2)),
        COUNT(3, 0, 2, 0),
    };
    SCENARIO2(sc5, "R51 cached batch, reversed", O_CACHE, CSEQ, OFFERED, batch);
    run(&sc5);

    static const step_t batch_sdp[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_CACHE(183, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_MAY), W_EV(E_SESSION, 0, 3)),
        OFFER(A, 3, PRACK_OK),
        RSP(A, PRK(200, SDP, 3), W_EV(E_OK, 200, 3), W_EV(E_SESSION, 200, 3)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
    };
    SCENARIO2(sc6, "R51 cached batch, reversed, answered", O_CACHE, CSEQ, OFFERED, batch_sdp);
    run(&sc6);
}

static void test_R53_R55_answer_in_2xx(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        /* an unreliable 183 previews the answer; it is not the answer yet */
        RSP(A, INV(183, SDP, 0, CSEQ), W_DELIVER(183, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        /* a 2xx on a dialog that saw no 1xx answers the INVITE offer there too */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        /* and a 2xx without the answer it owed */
        RSP(C, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ), W_EV(E_MISSING, 200, 0)),
    };
    SCENARIO("R53 answer in 2xx", 0, CSEQ, OFFERED, st);
    run(&sc);

    /* no offer anywhere: the 2xx offers, the ACK answers */
    static const step_t no_offer[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_OFFER)),
    };
    SCENARIO2(sc2, "R55 offer in 2xx", 0, CSEQ, 0, no_offer);
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* A challenged PRACK                                                       */
/* ------------------------------------------------------------------------ */

/*
 * R57: a PRACK is authenticated like any request, so it may meet a proxy's 407
 * and then the UAS's 401 (a new nonce): each challenge gives the same PRACK
 * again with credentials (PRACK_AF_AUTH: same RAck, the body repeated), up to
 * auth_max (3 by default) per PRACK; the next challenge fails it.
 */
static void test_R57_challenges_up_to_auth_max(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        COUNT(3, 0, 0, 0),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        COUNT(3, 0, 1, 0),
        STATE(PRACK_UAC_CALLING),
    };
    SCENARIO("R57 407 then 401", 0, CSEQ, OFFERED, st);
    run(&sc);

    static const step_t fourth[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_EV(E_FAILED, 401, 1)),
        COUNT(4, 0, 0, 1),
        STATE(PRACK_UAC_CALLING), /* observe: the call goes on */
    };
    SCENARIO2(sc2, "R57 fourth challenge, observe", 0, CSEQ, OFFERED, fourth);
    run(&sc2);

    static const step_t fourth_term[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_ANSWER),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 1), W_EV(E_FAILED, 407, 1), W_TERM(407, 1)),
        COUNT(4, 0, 0, 1),
    };
    SCENARIO2(sc3, "R57 fourth challenge, terminate", O_TERMINATE, CSEQ, 0, fourth_term);
    run(&sc3);
}

/* R57: auth_max 0 fails a PRACK at its first challenge; auth_max 1 allows one resend. */
static void test_R57_auth_max_0_and_1(void **state)
{
    (void)state;
    static const step_t zero[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, PRK(407, 0, 1), W_EV(E_FAILED, 407, 1), W_TERM(407, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(401, 0, 2), W_EV(E_FAILED, 401, 2), W_TERM(401, 2)),
        COUNT(2, 0, 0, 2),
    };
    SCENARIO2(sc1, "R57 auth_max 0", O_AUTH0 | O_TERMINATE, CSEQ, OFFERED, zero);
    run(&sc1);

    static const step_t one[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_EV(E_FAILED, 401, 1)),
        /* a new PRACK has its own allowance */
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(401, 0, 2), W_PRACK(401, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        COUNT(4, 0, 1, 1),
    };
    SCENARIO2(sc2, "R57 auth_max 1", O_AUTH1, CSEQ, OFFERED, one);
    run(&sc2);
}

/* R57: each PRACK and each fork has its own challenge count. */
static void test_R57_auth_per_rseq(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        COUNT(4, 0, 2, 0),
        RSP(B, INV(183, REL, 50, CSEQ), W_PRACK(183, 50, CSEQ, NEW, S_NONE)),
        RSP(B, PRK(401, 0, 50), W_PRACK(401, 50, CSEQ, AUTH, S_REPEAT)),
        RSP(B, PRK(200, 0, 50), W_EV(E_OK, 200, 50)),
        COUNT(6, 0, 3, 0),
    };
    SCENARIO("R57 per RSeq", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* R51 R57: a PRACK carrying our offer is challenged; the resend carries the
 * same body and its 2xx still owes the answer. */
static void test_R51_R57_offer_in_challenged_prack(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_OK),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, SDP, 1), W_EV(E_OK, 200, 1), W_EV(E_SESSION, 200, 1)),
        COUNT(3, 0, 1, 0),
    };
    SCENARIO("R51/R57", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/*
 * R57: challenges of PRACKs in flight together on one dialog are counted per
 * PRACK, whatever their interleaving: a filled gap PRACKs the cached 1xx in
 * the same batch, and 1xx PRACKed one after another while an older PRACK is
 * still being challenged do not reset or share its count.
 */
static void test_R57_counts_of_pracks_in_flight(void **state)
{
    (void)state;
    static const step_t batch[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 3), W_PRACK(407, 3, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 2), W_PRACK(401, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 3), W_PRACK(401, 3, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 3), W_PRACK(401, 3, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 2), W_PRACK(401, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 3), W_EV(E_FAILED, 401, 3)), /* the 4th for 3 */
        RSP(A, PRK(200, 0, 2), W_EV(E_OK, 200, 2)),
        COUNT(9, 0, 1, 1),
    };
    SCENARIO2(sc1, "R57 cached batch", O_CACHE, CSEQ, OFFERED, batch);
    run(&sc1);

    static const step_t batch_one[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED, S_NONE)),
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 3), W_PRACK(407, 3, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 2), W_EV(E_FAILED, 407, 2)),
        RSP(A, PRK(407, 0, 3), W_EV(E_FAILED, 407, 3)),
        COUNT(5, 0, 0, 2),
    };
    SCENARIO2(sc2, "R57 cached batch, auth_max 1", O_CACHE | O_AUTH1, CSEQ, OFFERED,
              batch_one);
    run(&sc2);

    /* the PRACK for 1 keeps its count while 2..5 are PRACKed and challenged */
    static const step_t spread[] = {
        RSP(A, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(407, 0, 2), W_PRACK(407, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        RSP(A, PRK(401, 0, 1), W_PRACK(401, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, INV(180, REL, 5, CSEQ), W_PRACK(180, 5, CSEQ, 0, S_NONE)),
        RSP(A, PRK(401, 0, 5), W_PRACK(401, 5, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 1), W_EV(E_FAILED, 401, 1)),
        RSP(A, PRK(401, 0, 2), W_PRACK(401, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 2), W_PRACK(401, 2, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(401, 0, 2), W_EV(E_FAILED, 401, 2)),
        RSP(A, PRK(200, 0, 5), W_EV(E_OK, 200, 5)),
        COUNT(12, 0, 1, 2),
    };
    SCENARIO2(sc3, "R57 spread over later RSeqs", 0, CSEQ, OFFERED, spread);
    run(&sc3);
}

/* ------------------------------------------------------------------------ */
/* What goes in the RAck                                                    */
/* ------------------------------------------------------------------------ */

/*
 * N2: the RAck CSeq-num is the INVITE's CSeq, never the PRACK's own (4712 and
 * 4713 here, in the PRACK responses); the final's CSeq, which the ACK uses, is
 * the INVITE's as well.
 */
static void test_N2_rack_and_ack_use_invite_cseq(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, 4711), W_PRACK(183, 1, 4711, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK_CS(401, 1, 4712), W_PRACK(401, 1, 4711, AUTH, S_REPEAT)),
        RSP(A, PRK_CS(200, 1, 4713), W_EV(E_OK, 200, 1)),
        RSP(A, INV(200, SDP, 0, 4711), W_FINAL_SDP(200, 4711, S_REPEAT)),
    };
    SCENARIO("N2 RAck", 0, 4711, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* What makes a 1xx reliable                                                */
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

/* R37, N12: Require: 100rel without a usable RSeq is never PRACKed (no RAck to
 * build). */
static void test_R37_N12_require_without_rseq(void **state)
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
    SCENARIO("R37/N12 no RSeq", 0, CSEQ, OFFERED, st);
    run(&sc);
}

static void test_R37_errata4602_reliable_means_sent_reliably(void **state)
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
/* Forked INVITE, and a dialog across INVITE transactions                   */
/* ------------------------------------------------------------------------ */

/* R41, errata 4603: one RSeq sequence per early dialog; a low-numbered fork
 * is not confused with a high-numbered one. */
static void test_R41_errata4603_N5_forks_independent(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1000, CSEQ), W_PRACK(183, 1000, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1000)),
        RSP(B, INV(183, REL | SDP, 7, CSEQ), W_PRACK(183, 7, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 7)),
        OFFER(A, 1000, PRACK_OK), /* an offer in A's PRACK does not touch B */
        OFFER(B, 1000, PRACK_ERR_STATE),
        OFFER(B, 7, PRACK_OK),
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
        RSP(B, PRK(200, SDP, 7), W_EV(E_OK, 200, 7), W_EV(E_SESSION, 200, 7)),
        RSP(A, PRK(200, 0, 1000), W_EV(E_OK, 200, 1000), W_EV(E_MISSING, 200, 1000)),
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
 * N5: an RSeq space belongs to one INVITE transaction. A dialog state last used
 * by an earlier INVITE transaction (another CSeq), now used by a fresh engine
 * for a re-INVITE, starts a new RSeq space by itself: the re-INVITE's first
 * reliable 1xx is PRACKed with NEW_DIALOG whatever its RSeq, and the 1xx the
 * dialog had cached for the old transaction are dropped (DROP_CACHED, with the
 * old CSeq). Responses of the old transaction meanwhile are not the new
 * engine's (WRONG_CSEQ).
 */
static void test_N5_new_transaction_new_rseq_space(void **state)
{
    (void)state;
    static const step_t cached[] = {
        RSP(A, INV(183, REL, 5, CSEQ), W_PRACK(183, 5, CSEQ, NEW, S_NONE)),
        RSP(A, INV(180, REL, 7, CSEQ), W_CACHE(180, 7, CSEQ)),
        /* the 2xx came on fork B: A's cache outlives the transaction */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        REINIT(CSEQ + 1u, OFFERED),
        STATE(PRACK_UAC_CALLING),
        RSP(A, INV(180, REL, 6, CSEQ), W_DISCARD(180, 6, CSEQ, PRACK_R_WRONG_CSEQ)),
        RSEQ(A, 5),
        /* lower than the old space's last: a new space, not a retransmission */
        RSP(A, INV(180, REL, 1, CSEQ + 1u), W_DROP(7, CSEQ),
            W_PRACK(180, 1, CSEQ + 1u, NEW, S_NONE)),
        RSEQ(A, 1),
        RSP(A, INV(180, REL, 6, CSEQ), W_DISCARD(180, 6, CSEQ, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(183, REL | SDP, 2, CSEQ + 1u), W_PRACK(183, 2, CSEQ + 1u, 0, S_MAY),
            W_EV(E_SESSION, 183, 2)),
        COUNT(2, 2, 0, 0),
    };
    SCENARIO2(sc1, "N5 cache of the old transaction", O_CACHE, CSEQ, OFFERED, cached);
    run(&sc1);

    /* the ordinary case: a re-INVITE on the confirmed dialog */
    static const step_t reinvite[] = {
        RSP(A, INV(183, REL | SDP, 500, CSEQ), W_PRACK(183, 500, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 500)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        REINIT(CSEQ + 2u, OFFERED),
        RSP(A, INV(183, REL | SDP, 500, CSEQ + 2u), W_PRACK(183, 500, CSEQ + 2u, NEW, S_MAY),
            W_EV(E_SESSION, 183, 500)),
        OFFER(A, 500, PRACK_OK),
        RSP(A, PRK(200, SDP, 500), W_EV(E_OK, 200, 500), W_EV(E_SESSION, 200, 500)),
        RSP(A, INV(200, SDP, 0, CSEQ + 2u), W_FINAL_SDP(200, CSEQ + 2u, S_REPEAT)),
    };
    SCENARIO2(sc2, "N5 re-INVITE", 0, CSEQ, OFFERED, reinvite);
    run(&sc2);

    /* the first INVITE was answered without any reliable 1xx: the re-INVITE's
     * offer/answer still starts afresh on that dialog (R51, R53) */
    static const step_t plain_2xx[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        REINIT(CSEQ + 1u, OFFERED),
        RSP(A, INV(183, REL | SDP, 9, CSEQ + 1u), W_PRACK(183, 9, CSEQ + 1u, NEW, S_MAY),
            W_EV(E_SESSION, 183, 9)),
        RSP(A, INV(200, SDP, 0, CSEQ + 1u), W_FINAL_SDP(200, CSEQ + 1u, S_REPEAT)),
    };
    SCENARIO2(sc3, "N5 re-INVITE after a plain 2xx", 0, CSEQ, OFFERED, plain_2xx);
    run(&sc3);

    /* an offer allowed by the old transaction is no permission for the new one */
    static const step_t old_offer[] = {
        RSP(A, INV(183, REL | SDP, 3, CSEQ), W_PRACK(183, 3, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 3)),
        REINIT(CSEQ + 1u, 0),
        OFFER(A, 3, PRACK_ERR_STATE),
        RSP(A, INV(183, REL | SDP, 1, CSEQ + 1u), W_PRACK(183, 1, CSEQ + 1u, NEW, S_ANSWER),
            W_EV(E_SESSION, 183, 1)),
        OFFER(A, 1, PRACK_ERR_STATE),
    };
    SCENARIO2(sc4, "N5 old permission", 0, CSEQ, OFFERED, old_offer);
    run(&sc4);
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

    /* after a 2xx elsewhere, prack_after_2xx lets the gap fill and the cache
     * follow, as another fork's PRACKs (R47) */
    static const step_t accepted[] = {
        RSP(B, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(B, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(B, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, OTHER, S_NONE),
            W_PRACK(0, 3, CSEQ, CACHED | OTHER, S_NONE)),
    };
    SCENARIO2(sc2, "R46 other fork after 2xx", O_CACHE, CSEQ, OFFERED, accepted);
    run(&sc2);

    static const step_t discarded[] = {
        RSP(B, INV(180, REL, 1, CSEQ), W_PRACK(180, 1, CSEQ, NEW, S_NONE)),
        RSP(B, INV(180, REL, 3, CSEQ), W_CACHE(180, 3, CSEQ)),
        RSP(A, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ), W_EV(E_MISSING, 200, 0)),
        RSP(B, INV(180, 0, 0, CSEQ), W_DISCARD(180, 0, CSEQ, PRACK_R_AFTER_FINAL),
            W_DROP(3, CSEQ)),
    };
    SCENARIO2(sc3, "R46 other fork, no PRACK after 2xx", O_CACHE | O_NO_AFTER_2XX, CSEQ,
              OFFERED, discarded);
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
            W_EV(E_SESSION, 183, 1)),
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
/* PRACK outcomes                                                           */
/* ------------------------------------------------------------------------ */

static void test_prack_failure_observe(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        /* RFC 3261 12.2.1.2: after 481 or 408 the dialog should end */
        RSP(A, PRK(481, 0, 1), W_EVF(E_FAILED, 481, 1, GONE)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* a UAS that sends 100rel but refuses the PRACK method */
        RSP(A, PRK(405, 0, 2), W_EV(E_FAILED, 405, 2)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        /* a transaction timeout */
        RSP(A, PRK(408, 0, 3), W_EVF(E_FAILED, 408, 3, GONE)),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        RSP(A, PRK(500, 0, 4), W_EV(E_FAILED, 500, 4)),
        RSP(A, PRK(603, 0, 4), W_EV(E_FAILED, 603, 4)),
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
            W_EV(E_SESSION, 183, 1)),
        RSP(A, PRK(481, 0, 1), W_EVF(E_FAILED, 481, 1, GONE), W_TERM(481, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(405, 0, 2), W_EV(E_FAILED, 405, 2), W_TERM(405, 2)),
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, PRK(408, 0, 3), W_EVF(E_FAILED, 408, 3, GONE), W_TERM(408, 3)),
        RSP(A, INV(180, REL, 4, CSEQ), W_PRACK(180, 4, CSEQ, 0, S_NONE)),
        RSP(A, PRK(500, 0, 4), W_EV(E_FAILED, 500, 4), W_TERM(500, 4)),
        COUNT(4, 0, 0, 4),
        /* after the 2xx (BYE then) as well */
        RSP(A, INV(200, 0, 0, CSEQ), W_FINAL(200, CSEQ)),
        RSP(A, INV(180, REL, 5, CSEQ), W_PRACK(180, 5, CSEQ, 0, S_NONE)),
        RSP(A, PRK(481, 0, 5), W_EVF(E_FAILED, 481, 5, GONE), W_TERM(481, 5)),
    };
    SCENARIO("PRACK failure terminate", O_TERMINATE, CSEQ, OFFERED, st);
    run(&sc);
}

/* A PRACK response always names its PRACK: rseq 1..2^32-1, 0 is an error. */
static void test_prack_responses(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(A, INV(183, REL, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_NONE)),
        /* 1xx to a PRACK: nothing to do */
        RSP(A, PRK(100, 0, 1), W_NONE),
        RSP(A, PRK(180, SDP, 1), W_NONE),
        RSP_ERR(0, A, PRK(199, 0, 0), PRACK_ERR_INVAL),
        COUNT(1, 0, 0, 0),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        /* no "last PRACKed" guess: the host says which PRACK */
        RSP_ERR(0, A, PRK(202, 0, 0), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(481, 0, 0), PRACK_ERR_INVAL),
        RSP(A, PRK(202, 0, 2), W_EV(E_OK, 202, 2)),
        COUNT(2, 0, 2, 0),
        /* a PRACK answered after the INVITE failed is still reported */
        RSP(A, INV(180, REL, 3, CSEQ), W_PRACK(180, 3, CSEQ, 0, S_NONE)),
        RSP(A, INV(487, 0, 0, CSEQ), W_FINAL(487, CSEQ)),
        RSP(A, PRK(200, 0, 3), W_EV(E_OK, 200, 3)),
        COUNT(3, 0, 3, 0),
    };
    SCENARIO("PRACK responses", 0, CSEQ, OFFERED, st);
    run(&sc);
}

/* ------------------------------------------------------------------------ */
/* Finals, 420 and 421                                                      */
/* ------------------------------------------------------------------------ */

/*
 * 420 and 421 over 100rel (RFC 3261 8.1.3.5, 21.4.16): a 420 listing 100rel in
 * Unsupported suggests a retry with Supported when our policy required it; a
 * 421 requiring 100rel suggests a retry with Require when our policy only
 * supported it; policy OFF never suggests anything (R32 R33: we keep
 * Supported after dropping Require). Every other combination is a plain final.
 */
static void test_R32_R33_420_421_retry_per_policy(void **state)
{
    (void)state;
    static const struct {
        unsigned opts;
        uint16_t status;
        uint32_t flags;
        uint8_t retry; /* a prack_option_t; PRACK_OPTION_NONE: no RETRY_INVITE */
    } rows[] = {
        {O_REQUIRED, 420, UNSUP, PRACK_OPTION_SUPPORTED},
        {O_REQUIRED, 420, 0, PRACK_OPTION_NONE},    /* another extension is at fault */
        {O_REQUIRED, 421, REQ, PRACK_OPTION_NONE},  /* we already required it */
        {O_REQUIRED, 421, 0, PRACK_OPTION_NONE},
        {0, 420, UNSUP, PRACK_OPTION_NONE},         /* Supported cannot cause a 420 */
        {0, 420, 0, PRACK_OPTION_NONE},
        {0, 421, REQ, PRACK_OPTION_REQUIRE},
        {0, 421, 0, PRACK_OPTION_NONE},             /* another extension is wanted */
        {O_OFF, 420, UNSUP, PRACK_OPTION_NONE},
        {O_OFF, 420, 0, PRACK_OPTION_NONE},
        {O_OFF, 421, REQ, PRACK_OPTION_NONE},       /* never a suggestion under OFF */
        {O_OFF, 421, 0, PRACK_OPTION_NONE},
    };
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        char name[48];
        step_t st[3];
        memset(st, 0, sizeof(st));
        st[0].kind = K_RSP;
        st[0].dlg = (i % 2u) ? NODLG : A; /* with and without To-tag */
        st[0].rsp = (prack_response_t)INV(rows[i].status, rows[i].flags, 0, CSEQ);
        st[0].want[0] = (want_t)W_FINAL(rows[i].status, CSEQ);
        if (rows[i].retry != PRACK_OPTION_NONE)
            st[0].want[1] = (want_t)W_RETRY(rows[i].status, rows[i].retry);
        st[1].kind = K_STATE;
        st[1].v[0] = PRACK_UAC_FAILED;
        /* a second final from another branch never suggests a retry again */
        st[2].kind = K_RSP;
        st[2].dlg = B;
        st[2].rsp = st[0].rsp;
        st[2].want[0] = (want_t)W_FINAL(rows[i].status, CSEQ);
        (void)snprintf(name, sizeof(name), "420/421 row %zu", i);
        const scenario_t sc = {name, rows[i].opts, CSEQ, OFFERED, 0, st, ARRAY_LEN(st)};
        run(&sc);
    }
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
    SCENARIO("R42 final fail", 0, CSEQ, OFFERED, fail);
    run(&sc);

    static const step_t ok[] = {
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        STATE(PRACK_UAC_ACCEPTED),
        /* a second 2xx from another fork: delivered again, so the host can ACK
         * and BYE it */
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_ANSWER),
            W_EV(E_SESSION, 200, 0)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        /* a late 4xx from a third branch changes nothing; no retry after a 2xx */
        RSP(C, INV(421, REQ, 0, CSEQ), W_FINAL(421, CSEQ)),
        STATE(PRACK_UAC_ACCEPTED),
    };
    SCENARIO2(sc2, "R42 final ok", 0, CSEQ, OFFERED, ok);
    run(&sc2);
}

/* ------------------------------------------------------------------------ */
/* Relocation                                                               */
/* ------------------------------------------------------------------------ */

/*
 * The header: engine objects hold no pointer and may move with memcpy between
 * calls. A call over three forks with a cache, challenges, offers in PRACKs,
 * crossing PRACK responses, a 2xx and other forks after it gives the same
 * action sequence whether prack_uac_t and every prack_uac_dialog_t stay in
 * place or move to fresh storage (the old one spoiled and freed) before every
 * step. Rows exercised on the way: R37 R41 R46 R47 R51 R53 R57.
 */
static void test_R46_R51_R57_relocated_engine_same_actions(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(NODLG, INV(100, 0, 0, CSEQ), W_DELIVER(100, CSEQ)),
        RSP(A, INV(180, REL, 10, CSEQ), W_PRACK(180, 10, CSEQ, NEW, S_NONE)),
        RSP(B, INV(183, REL | SDP, 70, CSEQ), W_PRACK(183, 70, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 70)),
        OFFER(B, 70, PRACK_OK),
        RSP(A, INV(180, REL, 12, CSEQ), W_CACHE(180, 12, CSEQ)),
        RSP(A, INV(183, REL | SDP, 13, CSEQ), W_CACHE(183, 13, CSEQ)),
        RSP(A, PRK(407, 0, 10), W_PRACK(407, 10, CSEQ, AUTH, S_REPEAT)),
        RSP(A, INV(181, REL, 11, CSEQ), W_PRACK(181, 11, CSEQ, 0, S_NONE),
            W_PRACK(0, 12, CSEQ, CACHED, S_NONE), W_PRACK(0, 13, CSEQ, CACHED, S_MAY),
            W_EV(E_SESSION, 0, 13)),
        OFFER(A, 13, PRACK_OK),
        RSP(B, INV(180, REL, 71, CSEQ), W_PRACK(180, 71, CSEQ, 0, S_NONE)),
        RSP(A, PRK(200, SDP, 13), W_EV(E_OK, 200, 13), W_EV(E_SESSION, 200, 13)),
        RSP(A, PRK(401, 0, 10), W_PRACK(401, 10, CSEQ, AUTH, S_REPEAT)),
        RSP(B, PRK(200, 0, 71), W_EV(E_OK, 200, 71)),
        RSP(A, PRK(200, 0, 12), W_EV(E_OK, 200, 12)),
        RSP(A, PRK(200, 0, 11), W_EV(E_OK, 200, 11)),
        RSP(A, PRK(200, 0, 10), W_EV(E_OK, 200, 10)),
        RSP(B, PRK(200, 0, 70), W_EV(E_OK, 200, 70), W_EV(E_MISSING, 200, 70)),
        RSP(A, INV(180, REL, 15, CSEQ), W_CACHE(180, 15, CSEQ)),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT), W_DROP(15, CSEQ)),
        RSP(C, INV(183, REL | SDP, 3, CSEQ), W_PRACK(183, 3, CSEQ, NEW | OTHER, S_NONE)),
        RSP(B, INV(180, REL, 72, CSEQ), W_PRACK(180, 72, CSEQ, OTHER, S_NONE)),
        RSP(A, INV(180, REL, 14, CSEQ), W_PRACK(180, 14, CSEQ, 0, S_NONE)),
        RSP(B, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        RSEQ(A, 14),
        RSEQ(B, 72),
        RSEQ(C, 3),
        STATE(PRACK_UAC_ACCEPTED),
        COUNT(11, 0, 6, 0),
    };
    SCENARIO("relocation", O_CACHE, CSEQ, OFFERED, st);

    static action_log_t in_place, moved;
    fixture_t f;
    memset(&in_place, 0, sizeof(in_place));
    memset(&moved, 0, sizeof(moved));
    fixture_start(&f, &sc, false, &in_place);
    run_on(&sc, &f);
    fixture_end(&f);
    fixture_start(&f, &sc, true, &moved);
    run_on(&sc, &f);
    fixture_end(&f);
    assert_true(in_place.n > 20u);
    assert_int_equal(in_place.n, moved.n);
    assert_memory_equal(in_place.v, moved.v, in_place.n * sizeof(in_place.v[0]));

    /* and a plain copy taken mid-call continues exactly like the original */
    prack_uac_t uac, copy;
    prack_uac_dialog_t dlg, dcopy;
    prack_actions_t o1, o2;
    const prack_response_t r1 = INV(183, REL | SDP, 1, CSEQ);
    const prack_response_t r2 = INV(180, REL, 3, CSEQ);
    const prack_response_t r3 = INV(180, REL, 2, CSEQ);
    prack_config_t cfg;
    config_for(&cfg, O_CACHE);
    assert_int_equal(prack_uac_init(&uac, &cfg, CSEQ, OFFERED, 5), PRACK_OK);
    assert_int_equal(prack_uac_dialog_init(&dlg), PRACK_OK);
    assert_int_equal(prack_on_response(&uac, &dlg, 5, &r1, &o1), PRACK_OK);
    assert_int_equal(prack_on_response(&uac, &dlg, 6, &r2, &o1), PRACK_OK);
    memcpy(&copy, &uac, sizeof(uac));
    memcpy(&dcopy, &dlg, sizeof(dlg));
    assert_int_equal(prack_on_response(&uac, &dlg, 7, &r3, &o1), PRACK_OK);
    assert_int_equal(prack_on_response(&copy, &dcopy, 7, &r3, &o2), PRACK_OK);
    assert_int_equal(o1.n, 2);
    assert_int_equal(o1.n, o2.n);
    assert_memory_equal(o1.v, o2.v, o1.n * sizeof(o1.v[0]));
    assert_memory_equal(&uac, &copy, sizeof(uac));
    assert_memory_equal(&dlg, &dcopy, sizeof(dlg));
}

/* ------------------------------------------------------------------------ */
/* Host misuse                                                              */
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
        /* an unknown method, also with another CSeq (errors come before discards) */
        RSP_ERR(0, A, RSP_M(200, 3, 0, 0, CSEQ), PRACK_ERR_INVAL),
        RSP_ERR(0, A, INV(700, 0, 0, CSEQ + 1u), PRACK_ERR_INVAL),
        RSP_ERR(0, NODLG, PRK(200, 0, 1), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(200, 0, 0), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(200, 0, 4294967296u), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(200, 0, UINT64_MAX), PRACK_ERR_INVAL),
        RSP_ERR(0, A, PRK(99, 0, 1), PRACK_ERR_INVAL),
        RSEQ(A, 1),
        COUNT(1, 0, 0, 0),
        STATE(PRACK_UAC_CALLING),
        /* boundaries that are fine */
        RSP(A, INV(100, 0, 0, CSEQ), W_DELIVER(100, CSEQ)),
        RSP(A, PRK(699, 0, 1), W_EV(E_FAILED, 699, 1)),
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
    const prack_response_t unnamed = PRK(200, 0, 0);
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
    assert_int_equal(prack_on_response(&uac, &dlg, 100, &unnamed, &out), PRACK_ERR_INVAL);
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
    /* the whole 32-bit CSeq range is accepted */
    assert_int_equal(prack_uac_init(&uac, NULL, 0x80000000u, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, UINT32_MAX, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, 0x7FFFFFFFu, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, 0, 0, 0), PRACK_OK);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, 0x02u, 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, 0x80000000u, 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_init(&uac, NULL, CSEQ, 0, PRACK_TIME_NONE), PRACK_ERR_INVAL);

    /* each out-of-range configuration value */
    for (int i = 0; i < 17; i++) {
        assert_int_equal(prack_config_init(&cfg), PRACK_OK);
        switch (i) {
        case 0: cfg.t1_ms = 0; break;
        case 1: cfg.t1_ms = 3600001u; break;
        case 2: cfg.refresh_ms = 999u; break;
        case 3: cfg.refresh_ms = 65535001u; break;
        case 4: cfg.timeout_status = 499; break;
        case 5: cfg.timeout_status = 600; break;
        case 6: cfg.policy = 3; break;
        case 7: cfg.on_prack_failure = 2; break;
        case 8: cfg.policy = UINT8_MAX; break;
        case 9: cfg.prack_after_2xx = 2; break;
        case 10: cfg.cache_out_of_order = 2; break;
        case 11: cfg.queue_max = PRACK_UAS_QUEUE_MAX + 1u; break;
        case 12: cfg.auth_max = PRACK_UAC_AUTH_MAX + 1u; break;
        case 13: cfg.auth_max = UINT8_MAX; break;
        case 14: cfg.reserved_[0] = 1; break;
        case 15: cfg.reserved_[5] = 0x80; break;
        default: cfg.on_prack_failure = UINT8_MAX; break;
        }
        if (prack_uac_init(&uac, &cfg, CSEQ, 0, 0) != PRACK_ERR_INVAL)
            fail_msg("bad configuration %d accepted", i);
    }
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    assert_int_equal(cfg.auth_max, PRACK_UAC_AUTH_MAX);
    assert_int_equal(cfg.prack_after_2xx, 1);
    assert_int_equal(cfg.cache_out_of_order, 0);
    cfg.t1_ms = 3600000u;
    cfg.refresh_ms = 65535000u;
    cfg.auth_max = 0;
    cfg.queue_max = 0;
    assert_int_equal(prack_uac_init(&uac, &cfg, CSEQ, 0, 0), PRACK_OK);
    assert_int_equal(prack_config_init(NULL), PRACK_ERR_INVAL);

    assert_int_equal(prack_uac_dialog_init(NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_counters(NULL, &st), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_counters(&uac, NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_dialog_init(&dlg), PRACK_OK);
    assert_int_equal(prack_uac_offer_in_prack(NULL, &dlg, 1), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_offer_in_prack(&uac, NULL, 1), PRACK_ERR_INVAL);
    assert_int_equal(prack_uac_offer_in_prack(&uac, &dlg, 1), PRACK_ERR_STATE);

    assert_int_equal(prack_uac_state(NULL), 0);
    assert_int_equal(prack_uac_dialog_rseq(NULL), 0);
    assert_int_equal(prack_uac_state(&uac), PRACK_UAC_CALLING);
    assert_string_equal(prack_uac_state_name(PRACK_UAC_CALLING), "CALLING");
    assert_string_equal(prack_uac_state_name(PRACK_UAC_ACCEPTED), "ACCEPTED");
    assert_string_equal(prack_uac_state_name(PRACK_UAC_FAILED), "FAILED");
    assert_string_equal(prack_uac_state_name(0), "?");
    assert_string_equal(prack_act_name(PRACK_ACT_DISCARD), "DISCARD");
    assert_string_equal(prack_reason_name(PRACK_R_WRONG_CSEQ), "WRONG_CSEQ");

    /* the ABI: sizes and alignment the header promises */
    assert_int_equal(sizeof(prack_uac_t), PRACK_UAC_SIZE);
    assert_int_equal(sizeof(prack_uac_dialog_t), PRACK_UAC_DIALOG_SIZE);
    assert_int_equal(_Alignof(prack_uac_t), _Alignof(uint64_t));
    assert_int_equal(sizeof(prack_config_t), 24);
}

/* Responses to other methods (CANCEL, UPDATE, ...) are none of the engine's business. */
static void test_method_other_ignored(void **state)
{
    (void)state;
    static const step_t st[] = {
        RSP(NODLG, RSP_M(200, PRACK_METHOD_OTHER, 0, 0, CSEQ), W_NONE),
        RSP(A, RSP_M(183, PRACK_METHOD_OTHER, REL | SDP, 1, CSEQ), W_NONE),
        RSEQ(A, 0),
        STATE(PRACK_UAC_CALLING),
        COUNT(0, 0, 0, 0),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_PRACK(183, 1, CSEQ, NEW, S_MAY),
            W_EV(E_SESSION, 183, 1)),
        RSP(A, RSP_M(200, PRACK_METHOD_OTHER, 0, 0, CSEQ + 5u), W_NONE),
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
            W_EV(E_SESSION, 183, 1)),
        RSP(A, INV(183, REL | SDP, 1, CSEQ), W_DISCARD(183, 1, CSEQ, PRACK_R_RETRANSMISSION)),
        COUNT(1, 1, 0, 0),
        RSP(A, PRK(407, 0, 1), W_PRACK(407, 1, CSEQ, AUTH, S_REPEAT)),
        RSP(A, PRK(200, 0, 1), W_EV(E_OK, 200, 1)),
        COUNT(2, 1, 1, 0),
        RSP(A, INV(180, REL, 3, CSEQ), W_DISCARD(180, 3, CSEQ, PRACK_R_OUT_OF_ORDER)),
        RSP(A, INV(180, REL, 2, CSEQ + 9u), W_DISCARD(180, 2, CSEQ + 9u, PRACK_R_WRONG_CSEQ)),
        RSP(A, INV(180, REL, 2, CSEQ), W_PRACK(180, 2, CSEQ, 0, S_NONE)),
        RSP(A, PRK(481, 0, 2), W_EVF(E_FAILED, 481, 2, GONE)),
        COUNT(3, 3, 1, 1),
        RSP(A, INV(200, SDP, 0, CSEQ), W_FINAL_SDP(200, CSEQ, S_REPEAT)),
        COUNT(3, 3, 1, 1),
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
        cmocka_unit_test(test_R36_R37_R43_wrong_cseq_discarded),
        cmocka_unit_test(test_R37_N2_cseq_up_to_2_32_minus_1),
        cmocka_unit_test(test_R38_R39_R40_N7_retransmission_discarded),
        cmocka_unit_test(test_R39_R40_R50_retransmitted_offer_answered_once),
        cmocka_unit_test(test_R41_R44_R45_gap_not_pracked),
        cmocka_unit_test(test_R41_lower_rseq_never_lowers),
        cmocka_unit_test(test_R37_R44_no_status_order),
        cmocka_unit_test(test_R45_out_of_order_sdp_has_no_effect),
        cmocka_unit_test(test_R46_errata4604_cache_then_fill),
        cmocka_unit_test(test_R46_cache_releases_contiguous_run),
        cmocka_unit_test(test_R46_cache_window_full),
        cmocka_unit_test(test_R40_R46_cached_duplicate_is_retransmission),
        cmocka_unit_test(test_R42_R46_final_drops_cached),
        cmocka_unit_test(test_R46_no_cache_after_2xx_reason),
        cmocka_unit_test(test_R47_after_2xx_pracked),
        cmocka_unit_test(test_R47_after_2xx_discarded),
        cmocka_unit_test(test_R47_after_non2xx_always_discarded),
        cmocka_unit_test(test_R47_R50_other_fork_after_2xx),
        cmocka_unit_test(test_R50_offer_in_1xx_answer_in_prack),
        cmocka_unit_test(test_R51_R53_offer_in_prack_answered),
        cmocka_unit_test(test_R51_offer_in_prack_answer_missing),
        cmocka_unit_test(test_R51_offer_in_prack_state_errors),
        cmocka_unit_test(test_R51_may_offer_tied_to_its_prack),
        cmocka_unit_test(test_R51_R53_responses_credited_by_rseq),
        cmocka_unit_test(test_R53_R55_answer_in_2xx),
        cmocka_unit_test(test_R57_challenges_up_to_auth_max),
        cmocka_unit_test(test_R57_auth_max_0_and_1),
        cmocka_unit_test(test_R57_auth_per_rseq),
        cmocka_unit_test(test_R51_R57_offer_in_challenged_prack),
        cmocka_unit_test(test_R57_counts_of_pracks_in_flight),
        cmocka_unit_test(test_N2_rack_and_ack_use_invite_cseq),
        cmocka_unit_test(test_N8_rseq_range),
        cmocka_unit_test(test_R37_N12_require_without_rseq),
        cmocka_unit_test(test_R37_errata4602_reliable_means_sent_reliably),
        cmocka_unit_test(test_R41_errata4603_N5_forks_independent),
        cmocka_unit_test(test_N5_new_transaction_new_rseq_space),
        cmocka_unit_test(test_R42_R46_cache_on_other_fork),
        cmocka_unit_test(test_R36_no_dialog_discarded),
        cmocka_unit_test(test_prack_failure_observe),
        cmocka_unit_test(test_prack_failure_terminate),
        cmocka_unit_test(test_prack_responses),
        cmocka_unit_test(test_R32_R33_420_421_retry_per_policy),
        cmocka_unit_test(test_R42_final_states),
        cmocka_unit_test(test_R46_R51_R57_relocated_engine_same_actions),
        cmocka_unit_test(test_time_backwards),
        cmocka_unit_test(test_args_on_response),
        cmocka_unit_test(test_error_empties_batch),
        cmocka_unit_test(test_args_init_and_helpers),
        cmocka_unit_test(test_method_other_ignored),
        cmocka_unit_test(test_counters_over_a_call),
    };
    return cmocka_run_group_tests_name("uac", tests, NULL, NULL);
}
