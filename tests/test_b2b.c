/*
 * Back to back: a UAC engine and one or two UAS engines (a forked INVITE) wired
 * together over an in-memory network, on a virtual clock, for whole calls.
 *
 * The network delivers each message after a fixed delay per direction and
 * drops the transmissions a scenario names (the n-th transmission of a given
 * message), so retransmissions happen deterministically. The hosts around the
 * engines are as thin as they can be:
 *
 * - the UAS host turns SEND_1XX, SEND_FINAL and ANSWER_PRACK into responses
 *   (a reliable 1xx carries Require: 100rel and RSeq), and runs a script of
 *   application decisions (send this 1xx, answer with that final) timed from
 *   the INVITE's arrival, giving each 1xx its own cookie. Unless a scenario
 *   says otherwise it keeps RFC 3261 server transactions for PRACK: a
 *   retransmitted PRACK gets the stored response and never reaches the engine;
 * - the UAC host turns SEND_PRACK into PRACK requests in the fork's dialog
 *   (RAck from the action, method "INVITE", CSeq one above the dialog's last),
 *   matches responses to its PRACK transactions and names the PRACK (its RAck
 *   response-num) to the engine, ACKs finals, and can run RFC 3261 Timer E/F
 *   for its PRACKs (17.1.2.2: T1 doubling up to T2, 408 at 64*T1).
 *
 * Both hosts check the engines' promises as they go: RSeq numbering, nothing
 * after a final, no 2xx before the SDP 1xx is acknowledged, one PRACK per
 * reliable 1xx, and every UAS cookie released exactly once (PRACK_AF_RELEASE)
 * and never seen again.
 *
 * Each scenario asserts the outcome and the exact ladder of messages, one
 * string per transmission: "t=<ms> <from>-><to> <message>", "retx" for a
 * retransmission, "LOST" for a dropped one, "dup" for a PRACK answered again
 * by the engine as a retransmission. Rows R1..R57 and N1..N12 are the RFC 3262
 * obligations listed in doc/rfc-coverage.md; each test names the ones it
 * asserts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prack/prack.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define MAXF 2        /* forks */
#define MAXQ 64       /* messages in flight */
#define MAXL 96       /* ladder lines */
#define LINE 96       /* ladder line length */
#define MAXTX 16      /* PRACK client transactions */
#define MAXSRV 16     /* PRACK server transactions remembered per fork */
#define MAXSTEPS 16   /* script steps */
#define QCAP 4        /* UAS queue entries per fork (prack_config_t.queue_max) */
#define MAXCOOKIE 16  /* cookies per fork */
#define T1 500u
#define T2 4000u

/* ------------------------------------------------------------------------ */
/* Scenario description                                                     */
/* ------------------------------------------------------------------------ */

/* What the UAS application does, timed from the INVITE's arrival at its fork. */
typedef enum { OP_1XX, OP_FINAL } uas_op_t;

typedef struct uas_step {
    int fork;
    prack_time_t after;
    uas_op_t op;
    uint16_t status;
    unsigned flags; /* PRACK_1XX_* */
    int rc;         /* expected return code */
    bool any_rc;    /* the soak's random scripts may hit STATE or OFFER_REQUIRED */
} uas_step_t;

/* What the UAC application (or a faulty UAC host) does, at an absolute time. */
typedef enum {
    OP_CANCEL,
    OP_PRACK_AGAIN /* a new PRACK (new CSeq) for the RSeq last PRACKed on fork 0 */
} uac_op_t;

typedef struct uac_step {
    prack_time_t at;
    uac_op_t op;
} uac_step_t;

/* Drop the n-th transmissions (bit n-1 of mask) of the message with this label. */
typedef struct drop_rule {
    const char *label;
    unsigned mask;
} drop_rule_t;

typedef struct sim_cfg {
    int forks;
    prack_policy_t uac_policy;
    prack_policy_t uas_policy;
    bool invite_sdp;
    uint32_t random[MAXF];      /* first RSeq of fork f is 1 + random[f] */
    prack_time_t to_uas;        /* one-way delay UAC -> UAS */
    prack_time_t to_uac;        /* one-way delay UAS -> UAC */
    bool timer_e;               /* the UAC host retransmits its PRACKs */
    const uas_step_t *uas;
    size_t n_uas;
    const uac_step_t *uac;
    size_t n_uac;
    const drop_rule_t *drops;
    size_t n_drops;
    /* seeded loss and reordering of provisionals, PRACKs and their answers */
    uint32_t seed;
    unsigned loss_pct;
    prack_time_t jitter;        /* extra delay, uniform in 0..jitter */
    bool cache;                 /* UAC cache_out_of_order */
    bool offer_in_prack;        /* the UAC offers in every PRACK allowed to (R51) */
    bool uas_no_txn;            /* the UAS host has no PRACK server transactions */
    bool no_ladder;             /* long runs: keep no ladder */
} sim_cfg_t;

/* ------------------------------------------------------------------------ */
/* Simulation state                                                          */
/* ------------------------------------------------------------------------ */

typedef enum { M_INVITE, M_RSP, M_PRACK, M_CANCEL } mkind_t;

typedef struct msg {
    prack_time_t at; /* delivery time */
    unsigned seq;    /* send order, breaks ties */
    int fork;
    bool to_uac;
    mkind_t kind;
    prack_response_t rsp; /* M_RSP */
    uint32_t txn_cseq;    /* M_PRACK, and responses to it: the PRACK's own CSeq */
    uint32_t rack_rseq;   /* M_PRACK */
    uint32_t rack_cseq;   /* M_PRACK */
    bool sdp;             /* M_PRACK */
    uint32_t inv_cseq;    /* M_INVITE */
    unsigned inv_flags;   /* M_INVITE */
} msg_t;

/* A PRACK client transaction of the UAC host. */
typedef struct prack_txn {
    bool live;
    int fork;
    uint32_t cseq;
    uint32_t rack_rseq;
    uint32_t rack_cseq;
    bool sdp;
    prack_time_t next;     /* Timer E */
    prack_time_t interval;
    prack_time_t give_up;  /* Timer F */
} prack_txn_t;

/* A PRACK server transaction of the UAS host: its response, for retransmissions. */
typedef struct prack_srv {
    uint32_t cseq;
    uint16_t status;
    bool sdp;
} prack_srv_t;

typedef struct outcome {
    uint16_t final_status; /* first final the UAC application saw */
    int final_fork;
    uint8_t final_sdp;     /* its body's role, as the UAC engine said (prack_sdp_t) */
    unsigned finals;       /* finals delivered to the UAC application */
    unsigned retries;      /* RETRY_INVITE */
    unsigned uac_sessions, uas_sessions;
    unsigned prack_ok, prack_failed;
    uint16_t prack_failed_status;
    unsigned uac_discards_retx, uac_wrong_cseq;
    unsigned held, dropped_1xx, uas_timeouts;
    unsigned prack_200, prack_dup, prack_481; /* the UAS engine's answers */
    unsigned released;     /* cookies handed back */
    uint32_t uas_final_flags[MAXF];
    uint8_t uas_final_sdp[MAXF];
    int rejected_rc; /* a UAS script step that got an error */
} outcome_t;

typedef struct sim {
    const sim_cfg_t *cfg;
    prack_time_t now;
    unsigned seq;
    unsigned loops;
    msg_t q[MAXQ];
    size_t nq;
    /* transmissions per label, for the drop rules */
    char labels[MAXL][LINE];
    unsigned sent[MAXL];
    size_t nlabels;
    /* the ladder: a time stamp in front of a message text of up to LINE bytes */
    char ladder[MAXL][LINE + 32];
    size_t nl;

    /* UAC side */
    prack_uac_t uac;
    prack_config_t uac_cfg;
    uint32_t inv_cseq;
    unsigned inv_flags;
    prack_uac_dialog_t dlg[MAXF];
    bool dlg_live[MAXF];
    uint32_t local_cseq[MAXF];
    prack_txn_t tx[MAXTX];
    size_t ntx;
    bool uac_step_done[MAXSTEPS];
    bool retry;
    prack_option_t retry_option;
    /* (fork, rseq) pairs PRACKed, to catch a second PRACK (R39) */
    uint32_t pracked[MAXF][16];
    size_t npracked[MAXF];

    /* UAS side */
    prack_uas_t uas[MAXF];
    bool uas_live[MAXF];
    uint8_t cookie[MAXF][MAXCOOKIE]; /* 0 unused, 1 held by the engine, 2 released */
    prack_time_t inv_at[MAXF];
    uint32_t uas_cseq[MAXF];
    bool uas_step_done[MAXSTEPS];
    prack_srv_t srv[MAXF][MAXSRV];
    size_t nsrv[MAXF];
    msg_t last_rel[MAXF]; /* the last reliable 1xx sent, for its retransmissions */
    char last_rel_what[MAXF][LINE];

    /* invariants checked along the way */
    uint32_t rng;
    uint32_t uas_rseq[MAXF];       /* last new reliable RSeq sent */
    uint32_t ack_rseq[MAXF];       /* the latest RSeq a PRACK acknowledged, 0 if none */
    uint32_t ack_cseq[MAXF];       /* ... and that PRACK's CSeq */
    bool uas_rel_sdp[MAXF];        /* it carried SDP */
    bool uas_final[MAXF];          /* a final went out */
    uint16_t uas_final_status[MAXF];
    struct {
        int fork;
        uint32_t rseq;
        unsigned state; /* of the UAC engine when it arrived, a prack_uac_state_t */
    } seen[64];                    /* first arrivals of reliable 1xx at the UAC */
    size_t nseen;

    outcome_t out;
} sim_t;

static const char *uas_name(const sim_t *s, int fork)
{
    if (s->cfg->forks == 1)
        return "UAS";
    return fork == 0 ? "UAS/a" : "UAS/b";
}

/* ------------------------------------------------------------------------ */
/* Network                                                                   */
/* ------------------------------------------------------------------------ */

static uint32_t rnd(sim_t *s)
{
    /* xorshift32: reproducible from the seed */
    uint32_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->rng = x;
    return x;
}

/* Count a transmission of label; true when a drop rule takes it. */
static bool dropped(sim_t *s, const char *label)
{
    size_t i;
    if (s->cfg->n_drops == 0)
        return false;
    for (i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i], label) == 0)
            break;
    if (i == s->nlabels) {
        assert_true(s->nlabels < MAXL);
        (void)snprintf(s->labels[i], LINE, "%s", label);
        s->sent[i] = 0;
        s->nlabels++;
    }
    unsigned n = ++s->sent[i];
    for (size_t r = 0; r < s->cfg->n_drops; r++)
        if (strcmp(s->cfg->drops[r].label, label) == 0 && n <= 32u &&
            (s->cfg->drops[r].mask & (1u << (n - 1u))))
            return true;
    return false;
}

static void record(sim_t *s, const char *text)
{
    if (s->cfg->no_ladder)
        return;
    assert_true(s->nl < MAXL);
    (void)snprintf(s->ladder[s->nl], sizeof(s->ladder[s->nl]), "t=%lu %s", (unsigned long)s->now,
                   text);
    s->nl++;
}

/*
 * Put m on the wire. what is the message as it appears on the wire (from, to
 * and content); retx marks a retransmission of the same message.
 */
static void transmit(sim_t *s, const msg_t *m, const char *what, bool retx)
{
    char line[LINE];
    bool lost = dropped(s, what);
    /* only what has its own retransmission can be lost at random (finals,
     * INVITE and CANCEL would need transaction layers this test does not model) */
    bool lossy = m->kind == M_PRACK ||
                 (m->kind == M_RSP && (m->rsp.method == PRACK_METHOD_PRACK || m->rsp.status < 200));
    if (s->cfg->loss_pct && lossy && rnd(s) % 100u < s->cfg->loss_pct)
        lost = true;
    (void)snprintf(line, sizeof(line), "%s%s%s", what, retx ? " retx" : "", lost ? " LOST" : "");
    record(s, line);
    if (lost)
        return;
    assert_true(s->nq < MAXQ);
    msg_t *q = &s->q[s->nq++];
    *q = *m;
    q->at = s->now + (m->to_uac ? s->cfg->to_uac : s->cfg->to_uas);
    if (s->cfg->jitter)
        q->at += rnd(s) % (s->cfg->jitter + 1u);
    q->seq = s->seq++;
}

/* A message that only goes into the ladder (ACK, BYE): the engines never see it. */
static void note(sim_t *s, const char *what)
{
    record(s, what);
}

/* ------------------------------------------------------------------------ */
/* UAS host                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The cookie rule of the header: a non-zero cookie the engine accepted comes
 * back in actions until exactly one of them carries PRACK_AF_RELEASE, and
 * never afterwards.
 */
static void check_cookie(sim_t *s, int f, const prack_action_t *a)
{
    if (a->user == 0) {
        if (a->flags & PRACK_AF_RELEASE)
            fail_msg("%s: RELEASE without a cookie", prack_act_name(a->type));
        return;
    }
    if (a->user > MAXCOOKIE || s->cookie[f][a->user - 1u] != 1u)
        fail_msg("%s: cookie %lu not held by the engine (state %u)", prack_act_name(a->type),
                 (unsigned long)a->user,
                 a->user > MAXCOOKIE ? 9u : (unsigned)s->cookie[f][a->user - 1u]);
    if (a->flags & PRACK_AF_RELEASE) {
        s->cookie[f][a->user - 1u] = 2u;
        s->out.released++;
    }
}

/* rack_rseq: the RAck response-num of the PRACK being answered, if any. */
static void uas_actions(sim_t *s, int f, uint32_t prack_cseq, uint32_t rack_rseq,
                        const prack_actions_t *out)
{
    char what[LINE];
    for (size_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        msg_t m;
        memset(&m, 0, sizeof(m));
        m.fork = f;
        m.to_uac = true;
        m.kind = M_RSP;
        check_cookie(s, f, a);
        switch (a->type) {
        case PRACK_ACT_SEND_1XX: {
            bool rel = (a->flags & PRACK_AF_RELIABLE) != 0;
            assert_false(s->uas_final[f]); /* R28, R30: nothing after the final */
            /* an unreliable 1xx is forgotten at once; a reliable one is kept */
            assert_int_equal((a->flags & PRACK_AF_RELEASE) != 0, !rel && a->user != 0);
            if (a->flags & PRACK_AF_RETRANSMIT) { /* N1: the identical message again */
                assert_true(rel);
                assert_int_equal(a->rseq, s->last_rel[f].rsp.rseq);
                transmit(s, &s->last_rel[f], s->last_rel_what[f], true);
                break;
            }
            m.rsp.status = a->status;
            m.rsp.method = PRACK_METHOD_INVITE;
            m.rsp.cseq = a->cseq;
            if (rel) { /* R10, R11 */
                m.rsp.flags |= PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
                m.rsp.rseq = a->rseq;
            }
            if (a->sdp != PRACK_SDP_NONE)
                m.rsp.flags |= PRACK_RSP_SDP;
            if (rel)
                (void)snprintf(what, sizeof(what), "%s->UAC %u rseq=%lu rel%s", uas_name(s, f),
                               (unsigned)a->status, (unsigned long)a->rseq,
                               a->sdp != PRACK_SDP_NONE ? " sdp" : "");
            else
                (void)snprintf(what, sizeof(what), "%s->UAC %u%s", uas_name(s, f),
                               (unsigned)a->status, a->sdp != PRACK_SDP_NONE ? " sdp" : "");
            if (rel) {
                /* R12, then R24: the first is 1 + random, each next one more */
                assert_int_equal(a->rseq, s->uas_rseq[f] ? s->uas_rseq[f] + 1u
                                                         : 1u + s->cfg->random[f] % 0x7FFFFFFFu);
                s->uas_rseq[f] = a->rseq;
                s->uas_rel_sdp[f] = a->sdp != PRACK_SDP_NONE;
                s->last_rel[f] = m;
                (void)snprintf(s->last_rel_what[f], LINE, "%s", what);
            }
            transmit(s, &m, what, false);
            break;
        }
        case PRACK_ACT_SEND_FINAL:
            m.rsp.status = a->status;
            m.rsp.method = PRACK_METHOD_INVITE;
            m.rsp.cseq = a->cseq;
            if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
                m.rsp.flags |= PRACK_RSP_UNSUPPORTED_100REL;
            if (a->flags & PRACK_AF_REQUIRE_100REL)
                m.rsp.flags |= PRACK_RSP_REQUIRE_100REL;
            if (a->sdp != PRACK_SDP_NONE)
                m.rsp.flags |= PRACK_RSP_SDP;
            s->out.uas_final_flags[f] = a->flags;
            s->out.uas_final_sdp[f] = a->sdp;
            /* R27, R54: never a 2xx while an SDP-bearing reliable 1xx is unacknowledged */
            if (a->status < 300)
                assert_false(prack_uas_unacked(&s->uas[f]) != 0 && s->uas_rel_sdp[f]);
            assert_false(s->uas_final[f]);
            s->uas_final[f] = true;
            s->uas_final_status[f] = a->status;
            (void)snprintf(what, sizeof(what), "%s->UAC %u(INVITE)%s%s%s", uas_name(s, f),
                           (unsigned)a->status, a->sdp != PRACK_SDP_NONE ? " sdp" : "",
                           (a->flags & PRACK_AF_REQUIRE_100REL) ? " require=100rel" : "",
                           (a->flags & PRACK_AF_UNSUPPORTED_100REL) ? " unsupported=100rel" : "");
            transmit(s, &m, what, false);
            break;
        case PRACK_ACT_ANSWER_PRACK: {
            bool sdp = a->sdp == PRACK_SDP_ANSWER; /* R52 */
            bool dup = a->reason == PRACK_R_DUPLICATE;
            /* the answer names the PRACK it answers */
            assert_int_equal(a->rseq, rack_rseq);
            if (a->status == 200) {
                s->out.prack_200++;
                s->out.prack_dup += dup;
            } else if (a->status == 481) {
                s->out.prack_481++;
                assert_int_equal(a->user, 0);
            }
            m.rsp.status = a->status;
            m.rsp.method = PRACK_METHOD_PRACK;
            m.rsp.cseq = prack_cseq;
            m.txn_cseq = prack_cseq;
            if (sdp)
                m.rsp.flags |= PRACK_RSP_SDP;
            if (!s->cfg->uas_no_txn) {
                assert_true(s->nsrv[f] < MAXSRV);
                s->srv[f][s->nsrv[f]++] = (prack_srv_t){prack_cseq, a->status, sdp};
            }
            (void)snprintf(what, sizeof(what), "%s->UAC %u(PRACK cseq=%u)%s%s", uas_name(s, f),
                           (unsigned)a->status, (unsigned)prack_cseq, sdp ? " sdp" : "",
                           dup ? " dup" : "");
            transmit(s, &m, what, false);
            break;
        }
        case PRACK_ACT_HOLD_FINAL:
            s->out.held++;
            break;
        case PRACK_ACT_DROP_1XX:
            /* R28, R30: a queued 1xx (rseq 0) or the unacknowledged one, with its cookie */
            assert_true(a->rseq == 0 || (a->rseq == s->uas_rseq[f] && a->user != 0));
            s->out.dropped_1xx++;
            break;
        case PRACK_ACT_EVENT:
            if (a->reason == PRACK_R_SESSION)
                s->out.uas_sessions++;
            if (a->reason == PRACK_R_TIMEOUT)
                s->out.uas_timeouts++;
            break;
        case PRACK_ACT_QUEUE_1XX:
            break;
        default:
            fail_msg("UAS: unexpected action %s", prack_act_name(a->type));
        }
    }
}

static void uas_on_invite(sim_t *s, const msg_t *m)
{
    int f = m->fork;
    prack_config_t cfg;
    prack_invite_t inv = {m->inv_cseq, m->inv_flags};
    prack_actions_t out;
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.t1_ms = T1;
    cfg.policy = (uint8_t)s->cfg->uas_policy;
    cfg.queue_max = QCAP;
    /* a fresh engine per INVITE server transaction */
    assert_int_equal(prack_uas_init(&s->uas[f], &cfg, &inv, s->cfg->random[f], s->now, &out),
                     PRACK_OK);
    s->uas_live[f] = true;
    s->uas_cseq[f] = m->inv_cseq;
    s->nsrv[f] = 0;
    s->uas_rseq[f] = 0;
    s->ack_rseq[f] = 0;
    s->uas_final[f] = false;
    uas_actions(s, f, 0, 0, &out);
    if (prack_uas_state(&s->uas[f]) == PRACK_UAS_REJECTED)
        return;
    s->inv_at[f] = s->now;
    for (size_t i = 0; i < s->cfg->n_uas; i++)
        if (s->cfg->uas[i].fork == f)
            s->uas_step_done[i] = false;
}

static void uas_on_prack(sim_t *s, const msg_t *m)
{
    int f = m->fork;
    char what[LINE];
    prack_actions_t out;
    if (!s->uas_live[f])
        return;
    /* a retransmission of a PRACK already answered: the transaction layer resends */
    for (size_t i = 0; i < s->nsrv[f]; i++) {
        const prack_srv_t *sv = &s->srv[f][i];
        if (sv->cseq != m->txn_cseq)
            continue;
        msg_t r;
        memset(&r, 0, sizeof(r));
        r.fork = f;
        r.to_uac = true;
        r.kind = M_RSP;
        r.rsp.status = sv->status;
        r.rsp.method = PRACK_METHOD_PRACK;
        r.rsp.cseq = sv->cseq;
        r.rsp.flags = sv->sdp ? PRACK_RSP_SDP : 0u;
        r.txn_cseq = sv->cseq;
        (void)snprintf(what, sizeof(what), "%s->UAC %u(PRACK cseq=%u)%s", uas_name(s, f),
                       (unsigned)sv->status, (unsigned)sv->cseq, sv->sdp ? " sdp" : "");
        transmit(s, &r, what, true);
        return;
    }
    prack_prack_t pr = {
        .flags = PRACK_PR_RACK | (m->sdp ? PRACK_PR_SDP : 0u),
        .cseq = m->txn_cseq,
        .rack_rseq = m->rack_rseq,
        .rack_cseq = m->rack_cseq,
        .method = "INVITE",
        .method_len = 6,
    };
    /*
     * What the engine must answer (R16, R17, R29): 200 to the PRACK for the
     * unacknowledged 1xx, also after the final; 200 again (DUPLICATE) to a
     * retransmission of the PRACK that acknowledged the latest RSeq (same
     * CSeq); 481 to anything else, a new PRACK for an acknowledged RSeq included.
     */
    uint32_t unacked = prack_uas_unacked(&s->uas[f]);
    bool match = unacked != 0 && m->rack_rseq == unacked;
    bool dup = !match && s->ack_rseq[f] != 0 && m->rack_rseq == s->ack_rseq[f] &&
               m->txn_cseq == s->ack_cseq[f];
    assert_int_equal(prack_uas_on_prack(&s->uas[f], s->now, &pr, &out), PRACK_OK);
    bool answered = false;
    for (size_t i = 0; i < out.n; i++) {
        const prack_action_t *a = &out.v[i];
        if (a->type != PRACK_ACT_ANSWER_PRACK)
            continue;
        assert_false(answered);
        answered = true;
        if (a->status != (match || dup ? 200 : 481) ||
            (a->reason == PRACK_R_DUPLICATE) != dup)
            fail_msg("fork %d: PRACK cseq=%u rack=%u answered %u (%s), expected %s", f,
                     (unsigned)m->txn_cseq, (unsigned)m->rack_rseq, (unsigned)a->status,
                     prack_reason_name(a->reason),
                     match ? "200" : dup ? "200 DUPLICATE" : "481");
    }
    assert_true(answered);
    if (match) {
        s->ack_rseq[f] = m->rack_rseq;
        s->ack_cseq[f] = m->txn_cseq;
    }
    uas_actions(s, f, m->txn_cseq, m->rack_rseq, &out);
}

static void uas_on_cancel(sim_t *s, const msg_t *m)
{
    int f = m->fork;
    char what[LINE];
    prack_actions_t out;
    msg_t r;
    if (!s->uas_live[f])
        return;
    memset(&r, 0, sizeof(r));
    r.fork = f;
    r.to_uac = true;
    r.kind = M_RSP;
    r.rsp.method = PRACK_METHOD_OTHER;
    r.rsp.cseq = m->inv_cseq;
    /* RFC 3261 9.2: a CANCEL for a transaction that is gone gets 481 */
    bool match = m->inv_cseq == s->uas_cseq[f];
    r.rsp.status = match ? 200 : 481;
    (void)snprintf(what, sizeof(what), "%s->UAC %u(CANCEL)", uas_name(s, f),
                   (unsigned)r.rsp.status);
    transmit(s, &r, what, false);
    if (!match)
        return;
    /* after any final, 420/421 included, a CANCEL changes nothing (RFC 3261 9.2) */
    bool over = prack_uas_state(&s->uas[f]) == PRACK_UAS_REJECTED ||
                prack_uas_state(&s->uas[f]) == PRACK_UAS_COMPLETED;
    assert_int_equal(prack_uas_cancel(&s->uas[f], s->now, &out), PRACK_OK);
    if (over)
        assert_int_equal(out.n, 0);
    uas_actions(s, f, 0, 0, &out);
}

static void uas_run_step(sim_t *s, size_t i)
{
    const uas_step_t *st = &s->cfg->uas[i];
    prack_actions_t out;
    int rc;
    int f = st->fork;
    s->uas_step_done[i] = true;
    /* each provisional gets its own cookie: its step number, from 1 */
    uint64_t cookie = (uint64_t)i + 1u;
    assert_true(i < MAXCOOKIE);
    if (st->op == OP_1XX)
        rc = prack_uas_send_1xx(&s->uas[f], s->now, st->status, st->flags, cookie, &out);
    else
        rc = prack_uas_send_final(&s->uas[f], s->now, st->status, &out);
    if (rc != st->rc && !(st->any_rc && (rc == PRACK_OK || rc == PRACK_ERR_STATE ||
                                         rc == PRACK_ERR_OFFER_REQUIRED)))
        fail_msg("UAS step %zu (%u at t=%lu): rc %d (%s), expected %d", i, (unsigned)st->status,
                 (unsigned long)s->now, rc, prack_strerror(rc), st->rc);
    if (rc < 0) {
        s->out.rejected_rc = rc;
        return; /* the cookie was not accepted: it stays the host's */
    }
    if (st->op == OP_1XX)
        s->cookie[f][i] = 1u;
    uas_actions(s, f, 0, 0, &out);
}

/* At the end of a call: every cookie the engine accepted was released once. */
static void check_cookies_released(const sim_t *s)
{
    for (int f = 0; f < MAXF; f++)
        for (size_t i = 0; i < MAXCOOKIE; i++)
            if (s->cookie[f][i] == 1u)
                fail_msg("fork %d: cookie %zu never released", f, i + 1u);
}

/* ------------------------------------------------------------------------ */
/* UAC host                                                                  */
/* ------------------------------------------------------------------------ */

static void send_invite(sim_t *s)
{
    char what[LINE];
    unsigned opt = prack_uac_option(&s->uac);
    for (int f = 0; f < s->cfg->forks; f++) {
        msg_t m;
        memset(&m, 0, sizeof(m));
        m.fork = f;
        m.kind = M_INVITE;
        m.inv_cseq = s->inv_cseq;
        m.inv_flags = s->inv_flags;
        (void)snprintf(what, sizeof(what), "UAC->%s INVITE cseq=%u%s%s", uas_name(s, f),
                       (unsigned)s->inv_cseq,
                       opt == PRACK_OPTION_SUPPORTED ? " supported"
                       : opt == PRACK_OPTION_REQUIRE ? " require"
                                                     : "",
                       (s->inv_flags & PRACK_INV_SDP) ? " sdp" : "");
        transmit(s, &m, what, false);
    }
}

/* A new INVITE client transaction: fresh UAC engine and early dialogs. */
static void uac_start(sim_t *s, prack_policy_t policy, uint32_t cseq)
{
    assert_int_equal(prack_config_init(&s->uac_cfg), PRACK_OK);
    s->uac_cfg.t1_ms = T1;
    s->uac_cfg.policy = (uint8_t)policy;
    s->uac_cfg.cache_out_of_order = s->cfg->cache ? 1u : 0u;
    s->inv_cseq = cseq;
    assert_int_equal(prack_uac_init(&s->uac, &s->uac_cfg, cseq,
                                    s->cfg->invite_sdp ? PRACK_UAC_INVITE_SDP : 0u, s->now),
                     PRACK_OK);
    /* R32: the option tag the engine asks for goes in the INVITE */
    s->inv_flags = s->cfg->invite_sdp ? PRACK_INV_SDP : 0u;
    switch (prack_uac_option(&s->uac)) {
    case PRACK_OPTION_SUPPORTED: s->inv_flags |= PRACK_INV_SUPPORTED_100REL; break;
    case PRACK_OPTION_REQUIRE: s->inv_flags |= PRACK_INV_REQUIRE_100REL; break;
    default: break;
    }
    for (int f = 0; f < MAXF; f++) {
        s->dlg_live[f] = false;
        s->local_cseq[f] = cseq; /* RFC 3261 12.1.2: the dialog's local CSeq */
        s->npracked[f] = 0;
    }
    s->ntx = 0;
    s->nseen = 0;
    send_invite(s);
}

static void send_prack(sim_t *s, prack_txn_t *t, bool retx)
{
    char what[LINE];
    msg_t m;
    memset(&m, 0, sizeof(m));
    m.fork = t->fork;
    m.kind = M_PRACK;
    m.txn_cseq = t->cseq;
    m.rack_rseq = t->rack_rseq;
    m.rack_cseq = t->rack_cseq;
    m.sdp = t->sdp;
    (void)snprintf(what, sizeof(what), "UAC->%s PRACK cseq=%u rack=%lu %u%s", uas_name(s, t->fork),
                   (unsigned)t->cseq, (unsigned long)t->rack_rseq, (unsigned)t->rack_cseq,
                   t->sdp ? " sdp" : "");
    transmit(s, &m, what, retx);
}

/* A new PRACK client transaction in the fork's dialog, with the next CSeq. */
static void new_prack(sim_t *s, int f, uint32_t rseq, uint32_t rack_cseq, bool sdp)
{
    assert_true(s->ntx < MAXTX);
    prack_txn_t *t = &s->tx[s->ntx++];
    memset(t, 0, sizeof(*t));
    t->live = true;
    t->fork = f;
    t->cseq = ++s->local_cseq[f];
    t->rack_rseq = rseq;
    t->rack_cseq = rack_cseq;
    t->sdp = sdp;
    t->interval = T1;
    t->next = s->now + T1;
    t->give_up = s->now + 64u * T1;
    send_prack(s, t, false);
}

static void uac_actions(sim_t *s, int f, const prack_actions_t *out)
{
    char what[LINE];
    for (size_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        switch (a->type) {
        case PRACK_ACT_DELIVER_1XX:
        case PRACK_ACT_CACHE_1XX:
        case PRACK_ACT_DROP_CACHED:
            break;
        case PRACK_ACT_SEND_PRACK: {
            assert_true(f >= 0);
            if (!(a->flags & PRACK_AF_AUTH)) { /* R39: one PRACK per reliable 1xx */
                for (size_t k = 0; k < s->npracked[f]; k++)
                    if (s->pracked[f][k] == a->rseq)
                        fail_msg("second PRACK for RSeq %lu on fork %d",
                                 (unsigned long)a->rseq, f);
                assert_true(s->npracked[f] < 16);
                s->pracked[f][s->npracked[f]++] = a->rseq;
            }
            /* N2: RAck CSeq-num is the INVITE's, the PRACK has its own */
            assert_int_equal(a->cseq, s->inv_cseq);
            bool sdp = a->sdp == PRACK_SDP_ANSWER; /* R50 */
            if (a->sdp == PRACK_SDP_MAY_OFFER && s->cfg->offer_in_prack) { /* R51 */
                assert_int_equal(prack_uac_offer_in_prack(&s->uac, &s->dlg[f], a->rseq),
                                 PRACK_OK);
                sdp = true;
            }
            new_prack(s, f, a->rseq, a->cseq, sdp);
            break;
        }
        case PRACK_ACT_DISCARD:
            if (a->reason == PRACK_R_RETRANSMISSION)
                s->out.uac_discards_retx++;
            if (a->reason == PRACK_R_WRONG_CSEQ)
                s->out.uac_wrong_cseq++;
            break;
        case PRACK_ACT_DELIVER_FINAL:
            s->out.finals++;
            /* N2: the ACK has the INVITE's CSeq */
            (void)snprintf(what, sizeof(what), "UAC->%s ACK cseq=%u", uas_name(s, f),
                           (unsigned)a->cseq);
            if (s->out.finals == 1) {
                s->out.final_status = a->status;
                s->out.final_fork = f;
                s->out.final_sdp = a->sdp;
                note(s, what);
            } else {
                note(s, what);
                if (a->status < 300) { /* a later fork's 2xx: ACK, then hang up */
                    (void)snprintf(what, sizeof(what), "UAC->%s BYE", uas_name(s, f));
                    note(s, what);
                }
            }
            break;
        case PRACK_ACT_RETRY_INVITE:
            s->out.retries++;
            s->retry = true;
            s->retry_option = (prack_option_t)a->option;
            break;
        case PRACK_ACT_EVENT:
            if (a->reason == PRACK_R_SESSION)
                s->out.uac_sessions++;
            if (a->reason == PRACK_R_PRACK_OK)
                s->out.prack_ok++;
            if (a->reason == PRACK_R_PRACK_FAILED) {
                s->out.prack_failed++;
                s->out.prack_failed_status = a->status;
            }
            break;
        default:
            fail_msg("UAC: unexpected action %s", prack_act_name(a->type));
        }
    }
}

static void uac_on_response(sim_t *s, const msg_t *m)
{
    prack_actions_t out;
    prack_response_t rsp = m->rsp;
    int f = m->fork;
    prack_uac_dialog_t *dlg = NULL;

    if (rsp.method == PRACK_METHOD_PRACK) {
        prack_txn_t *t = NULL;
        for (size_t i = 0; i < s->ntx; i++)
            if (s->tx[i].fork == f && s->tx[i].cseq == m->txn_cseq)
                t = &s->tx[i];
        if (!t || !t->live)
            return; /* a retransmitted response: the transaction layer absorbs it */
        t->live = false;
        rsp.rseq = t->rack_rseq; /* the host names the PRACK it answers */
        dlg = &s->dlg[f];
    } else if (rsp.method == PRACK_METHOD_INVITE && rsp.cseq != s->inv_cseq) {
        /* an earlier INVITE's transaction (before a retry): not this engine's */
        if (rsp.status >= 300) {
            char what[LINE];
            (void)snprintf(what, sizeof(what), "UAC->%s ACK cseq=%u", uas_name(s, f),
                           (unsigned)rsp.cseq);
            note(s, what);
        }
        assert_int_equal(prack_on_response(&s->uac, s->dlg_live[f] ? &s->dlg[f] : NULL, s->now,
                                           &rsp, &out),
                         PRACK_OK);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.v[0].type, PRACK_ACT_DISCARD);
        assert_int_equal(out.v[0].reason, PRACK_R_WRONG_CSEQ);
        uac_actions(s, f, &out);
        return;
    } else if (rsp.method == PRACK_METHOD_INVITE && rsp.status > 100) {
        if (rsp.status < 200 && (rsp.flags & PRACK_RSP_REQUIRE_100REL)) {
            bool again = false;
            for (size_t i = 0; i < s->nseen; i++)
                again |= s->seen[i].fork == f && s->seen[i].rseq == rsp.rseq;
            if (!again && s->nseen < ARRAY_LEN(s->seen)) {
                s->seen[s->nseen].fork = f;
                s->seen[s->nseen].rseq = (uint32_t)rsp.rseq;
                s->seen[s->nseen].state = prack_uac_state(&s->uac);
                s->nseen++;
            }
        }
        /* every response but the 100 carries the fork's To-tag (R36) */
        if (!s->dlg_live[f]) {
            assert_int_equal(prack_uac_dialog_init(&s->dlg[f]), PRACK_OK);
            s->dlg_live[f] = true;
        }
        dlg = &s->dlg[f];
    }
    assert_int_equal(prack_on_response(&s->uac, dlg, s->now, &rsp, &out), PRACK_OK);
    if (rsp.method == PRACK_METHOD_OTHER)
        assert_int_equal(out.n, 0);
    uac_actions(s, f, &out);

    if (s->retry) { /* RFC 3261 8.1.3.5: a new INVITE, a new transaction */
        s->retry = false;
        prack_policy_t p = s->retry_option == PRACK_OPTION_SUPPORTED ? PRACK_POLICY_SUPPORTED
                           : s->retry_option == PRACK_OPTION_REQUIRE ? PRACK_POLICY_REQUIRED
                                                                     : PRACK_POLICY_OFF;
        s->out.finals = 0;
        uac_start(s, p, s->inv_cseq + 1u);
    }
}

static void uac_run_step(sim_t *s, size_t i)
{
    s->uac_step_done[i] = true;
    switch (s->cfg->uac[i].op) {
    case OP_CANCEL:
        if (prack_uac_state(&s->uac) != PRACK_UAC_CALLING)
            break; /* too late: a final came first */
        for (int f = 0; f < s->cfg->forks; f++) {
            char what[LINE];
            msg_t m;
            memset(&m, 0, sizeof(m));
            m.fork = f;
            m.kind = M_CANCEL;
            m.inv_cseq = s->inv_cseq;
            (void)snprintf(what, sizeof(what), "UAC->%s CANCEL", uas_name(s, f));
            transmit(s, &m, what, false);
        }
        break;
    case OP_PRACK_AGAIN:
        /* a host that lost track of its PRACK sends another one, not a retransmission */
        assert_true(s->npracked[0] > 0);
        new_prack(s, 0, s->pracked[0][s->npracked[0] - 1u], s->inv_cseq, false);
        break;
    }
}

/* Timer E fired (resend) or Timer F (give up: the engine sees a 408). */
static void uac_txn_timer(sim_t *s, prack_txn_t *t)
{
    if (s->now >= t->give_up) {
        prack_actions_t out;
        prack_response_t rsp = {
            .status = 408, .method = PRACK_METHOD_PRACK, .cseq = t->cseq, .rseq = t->rack_rseq,
        };
        t->live = false;
        assert_int_equal(prack_on_response(&s->uac, &s->dlg[t->fork], s->now, &rsp, &out),
                         PRACK_OK);
        uac_actions(s, t->fork, &out);
        return;
    }
    send_prack(s, t, true);
    t->interval = t->interval * 2u < T2 ? t->interval * 2u : T2;
    t->next = s->now + t->interval;
}

/* ------------------------------------------------------------------------ */
/* The event loop                                                            */
/* ------------------------------------------------------------------------ */

static prack_time_t min_time(prack_time_t a, prack_time_t b)
{
    return a < b ? a : b;
}

static prack_time_t txn_due(const sim_t *s, const prack_txn_t *t)
{
    if (!s->cfg->timer_e || !t->live)
        return PRACK_TIME_NONE;
    return min_time(t->next, t->give_up);
}

static prack_time_t next_event(const sim_t *s)
{
    prack_time_t t = PRACK_TIME_NONE;
    for (size_t i = 0; i < s->nq; i++)
        t = min_time(t, s->q[i].at);
    for (size_t i = 0; i < s->cfg->n_uac; i++)
        if (!s->uac_step_done[i])
            t = min_time(t, s->cfg->uac[i].at);
    for (size_t i = 0; i < s->cfg->n_uas; i++) {
        const uas_step_t *st = &s->cfg->uas[i];
        if (!s->uas_step_done[i] && s->uas_live[st->fork] &&
            prack_uas_state(&s->uas[st->fork]) != PRACK_UAS_REJECTED)
            t = min_time(t, s->inv_at[st->fork] + st->after);
    }
    for (int f = 0; f < s->cfg->forks; f++)
        if (s->uas_live[f])
            t = min_time(t, prack_next_deadline(&s->uas[f]));
    for (size_t i = 0; i < s->ntx; i++)
        t = min_time(t, txn_due(s, &s->tx[i]));
    return t;
}

/* Do one thing due now: deliveries first, then the applications, then timers. */
static void step(sim_t *s)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < s->nq; i++)
        if (s->q[i].at == s->now && (best == SIZE_MAX || s->q[i].seq < s->q[best].seq))
            best = i;
    if (best != SIZE_MAX) {
        msg_t m = s->q[best];
        s->q[best] = s->q[--s->nq];
        if (m.to_uac)
            uac_on_response(s, &m);
        else if (m.kind == M_INVITE)
            uas_on_invite(s, &m);
        else if (m.kind == M_PRACK)
            uas_on_prack(s, &m);
        else
            uas_on_cancel(s, &m);
        return;
    }
    for (size_t i = 0; i < s->cfg->n_uac; i++)
        if (!s->uac_step_done[i] && s->cfg->uac[i].at == s->now) {
            uac_run_step(s, i);
            return;
        }
    for (size_t i = 0; i < s->cfg->n_uas; i++) {
        const uas_step_t *st = &s->cfg->uas[i];
        if (!s->uas_step_done[i] && s->uas_live[st->fork] &&
            prack_uas_state(&s->uas[st->fork]) != PRACK_UAS_REJECTED &&
            s->inv_at[st->fork] + st->after == s->now) {
            uas_run_step(s, i);
            return;
        }
    }
    for (int f = 0; f < s->cfg->forks; f++) {
        if (s->uas_live[f] && prack_next_deadline(&s->uas[f]) == s->now) {
            prack_actions_t out;
            assert_int_equal(prack_on_timer(&s->uas[f], s->now, &out), PRACK_OK);
            /* the deadline contract: later than now, or none */
            assert_true(prack_next_deadline(&s->uas[f]) > s->now);
            uas_actions(s, f, 0, 0, &out);
            return;
        }
    }
    for (size_t i = 0; i < s->ntx; i++)
        if (txn_due(s, &s->tx[i]) == s->now) {
            uac_txn_timer(s, &s->tx[i]);
            return;
        }
    fail_msg("nothing due at t=%lu", (unsigned long)s->now);
}

static void sim_run(sim_t *s, const sim_cfg_t *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    assert_true(cfg->n_uas <= MAXSTEPS && cfg->n_uac <= MAXSTEPS);
    for (size_t i = 0; i < cfg->n_uas; i++)
        s->uas_step_done[i] = true; /* armed when the INVITE arrives */
    s->out.final_fork = -1;
    s->rng = cfg->seed ? cfg->seed : 1u;
    uac_start(s, cfg->uac_policy, 101);
    for (;;) {
        prack_time_t t = next_event(s);
        if (t == PRACK_TIME_NONE)
            break;
        assert_true(t >= s->now);
        assert_true(++s->loops < 10000u);
        s->now = t;
        step(s);
    }
    check_cookies_released(s);
}

static void dump_ladder(const sim_t *s)
{
    print_error("ladder (%zu lines):\n", s->nl);
    for (size_t i = 0; i < s->nl; i++)
        print_error("    \"%s\",\n", s->ladder[i]);
}

static void check_ladder(const sim_t *s, const char *const *want, size_t n)
{
    bool ok = s->nl == n;
    size_t i;
    for (i = 0; ok && i < n; i++)
        ok = strcmp(s->ladder[i], want[i]) == 0;
    if (!ok) {
        dump_ladder(s);
        if (i > 0 && i <= n && i <= s->nl)
            fail_msg("ladder differs at line %zu: expected \"%s\"", i - 1u, want[i - 1u]);
        fail_msg("ladder has %zu lines, expected %zu", s->nl, n);
    }
}

#define CHECK_LADDER(s, w) check_ladder((s), (w), ARRAY_LEN(w))

static void check_uas_stats(const sim_t *s, int f, uint32_t sent, uint32_t acked,
                            uint32_t retx, uint32_t rejected)
{
    prack_uas_stats_t st;
    assert_int_equal(prack_uas_counters(&s->uas[f], &st), PRACK_OK);
    assert_int_equal(st.reliable_sent, sent);
    assert_int_equal(st.acknowledged, acked);
    assert_int_equal(st.retransmissions, retx);
    assert_int_equal(st.rejected_pracks, rejected);
}

static void check_uac_stats(const sim_t *s, uint32_t sent, uint32_t discarded, uint32_t ok,
                            uint32_t failed)
{
    prack_uac_stats_t st;
    assert_int_equal(prack_uac_counters(&s->uac, &st), PRACK_OK);
    assert_int_equal(st.pracks_sent, sent);
    assert_int_equal(st.discarded, discarded);
    assert_int_equal(st.pracks_ok, ok);
    assert_int_equal(st.pracks_failed, failed);
}

#define SDP1XX PRACK_1XX_SDP
#define EXPECT_OK 0
#define STEP(f, after, op, st, fl, rc) { (f), (after), (op), (st), (fl), (rc), false }

/* ------------------------------------------------------------------------ */
/* 1. Offer in the INVITE; a reliable 180, then the 183 with the answer     */
/*    queued behind it; the 200 held until the 183 is PRACKed.             */
/* ------------------------------------------------------------------------ */

static void test_call_180_183_2xx_held(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 100, 0, EXPECT_OK),     /* R4: never reliable */
        STEP(0, 0, OP_1XX, 180, 0, EXPECT_OK),     /* R1: reliable, first RSeq (R12) */
        STEP(0, 5, OP_1XX, 183, SDP1XX, EXPECT_OK), /* R22, R23: queued behind the 180 */
        STEP(0, 70, OP_FINAL, 200, 0, EXPECT_OK),  /* R26, R27, R54: held for the 183 */
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 100",
        "t=20 UAS->UAC 180 rseq=42 rel",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",   /* R36, R37, R43 */
        "t=60 UAS->UAC 200(PRACK cseq=102)",          /* R17 */
        "t=60 UAS->UAC 183 rseq=43 rel sdp",          /* R21, R24, R48 */
        "t=80 UAC->UAS PRACK cseq=103 rack=43 101",   /* R41: in order */
        "t=100 UAS->UAC 200(PRACK cseq=103)",
        "t=100 UAS->UAC 200(INVITE) sdp",             /* R54: released */
        "t=120 UAC->UAS ACK cseq=101",                /* N2: the INVITE's CSeq */
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(prack_uac_state(&s.uac), PRACK_UAC_ACCEPTED);
    assert_int_equal(prack_uas_state(&s.uas[0]), PRACK_UAS_COMPLETED);
    assert_int_equal(s.out.held, 1);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_RELEASED);
    assert_int_equal(s.out.uas_final_sdp[0], PRACK_SDP_REPEAT);
    assert_int_equal(s.out.final_sdp, PRACK_SDP_REPEAT);
    assert_int_equal(s.out.uac_sessions, 1); /* R53: at the 183, both sides */
    assert_int_equal(s.out.uas_sessions, 1);
    assert_int_equal(s.out.prack_ok, 2);
    assert_int_equal(prack_uac_dialog_rseq(&s.dlg[0]), 43);
    /* the 100's cookie at once, each reliable 1xx's with the 200 to its PRACK */
    assert_int_equal(s.out.released, 3);
    assert_int_equal(s.out.dropped_1xx, 0);
    assert_int_equal(s.out.prack_200, 2);
    /* R18, R19: no retransmission once PRACKed; nothing left unacknowledged */
    check_uas_stats(&s, 0, 2, 2, 0, 0);
    check_uac_stats(&s, 2, 0, 2, 0);
    assert_int_equal(prack_uas_unacked(&s.uas[0]), 0);
    assert_int_equal(prack_next_deadline(&s.uas[0]), PRACK_TIME_NONE);
}

/* 1b. The 183 first and the 2xx while it is unacknowledged: the 180 queued
 *     behind it never goes (R30), the 2xx waits for the PRACK (R27, R54). */
static void test_call_183_2xx_held_queue_dropped(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 5, OP_1XX, 180, 0, EXPECT_OK),
        STEP(0, 10, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=60 UAS->UAC 200(PRACK cseq=102)",
        "t=60 UAS->UAC 200(INVITE) sdp",
        "t=80 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.held, 1);
    assert_int_equal(s.out.dropped_1xx, 1); /* the queued 180, with its cookie */
    assert_int_equal(s.out.released, 2);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_RELEASED);
    check_uas_stats(&s, 0, 1, 1, 0, 0);
    check_uac_stats(&s, 1, 0, 1, 0);
}

/* ------------------------------------------------------------------------ */
/* 2. No offer in the INVITE: the 183 offers (R49), the PRACK answers (R50) */
/* ------------------------------------------------------------------------ */

static void test_call_offer_in_183_answer_in_prack(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = false, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101 sdp", /* R50: the answer */
        "t=60 UAS->UAC 200(PRACK cseq=102)",
        "t=120 UAS->UAC 200(INVITE) sdp",               /* R55: repeats the session */
        "t=140 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.uas_final_sdp[0], PRACK_SDP_REPEAT);
    assert_int_equal(s.out.final_sdp, PRACK_SDP_REPEAT);
    assert_int_equal(s.out.uas_final_flags[0], 0); /* nothing held: the 183 was PRACKed */
    assert_int_equal(s.out.held, 0);
    assert_int_equal(s.out.uac_sessions, 1);
    assert_int_equal(s.out.uas_sessions, 1);
    check_uas_stats(&s, 0, 1, 1, 0, 0);
    check_uac_stats(&s, 1, 0, 1, 0);
}

/* ------------------------------------------------------------------------ */
/* 3. The 183 lost twice: retransmitted at T1 and 3*T1 (N1)                 */
/* ------------------------------------------------------------------------ */

static void test_call_183_lost_twice(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const drop_rule_t drops[] = {
        {"UAS->UAC 183 rseq=42 rel sdp", 0x3u},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .drops = drops, .n_drops = ARRAY_LEN(drops),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp LOST",
        "t=520 UAS->UAC 183 rseq=42 rel sdp retx LOST",  /* T1 */
        "t=1520 UAS->UAC 183 rseq=42 rel sdp retx",      /* 3*T1 */
        "t=1540 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=1560 UAS->UAC 200(PRACK cseq=102)",
        "t=1560 UAS->UAC 200(INVITE) sdp",
        "t=1580 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.held, 1);
    check_uas_stats(&s, 0, 1, 1, 2, 0);
    check_uac_stats(&s, 1, 0, 1, 0);
}

/* 3b. A retransmission crosses the PRACK: discarded, no second PRACK (R39, R40). */
static void test_call_retransmission_crosses_prack(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 50, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 300, .to_uac = 300,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=300 UAS->UAC 183 rseq=42 rel sdp",
        "t=600 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=800 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=900 UAS->UAC 200(PRACK cseq=102)",           /* R18: no more after this */
        "t=900 UAS->UAC 200(INVITE) sdp",
        "t=1200 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.uac_discards_retx, 1); /* the retx arrived at 1100 */
    assert_int_equal(s.out.uac_sessions, 1);      /* R39, R40: one answer only */
    check_uas_stats(&s, 0, 1, 1, 1, 0);
    check_uac_stats(&s, 1, 1, 1, 0);
}

/* ------------------------------------------------------------------------ */
/* 4. The PRACK lost                                                         */
/* ------------------------------------------------------------------------ */

/*
 * Without PRACK retransmission in the host, the UAS retransmits the 183, the
 * UAC discards each copy without a second PRACK (R39, R40), and at 64*T1 the
 * UAS gives up with 504 in place of its held 2xx (R20).
 */
static void test_call_prack_lost_uas_times_out(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const drop_rule_t drops[] = {
        {"UAC->UAS PRACK cseq=102 rack=42 101", 0xFFFFFFFFu},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .drops = drops, .n_drops = ARRAY_LEN(drops),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101 LOST",
        /* N1: T1, 3, 7, 15, 31, 63 * T1 after the first send, no T2 cap */
        "t=520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=1520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=3520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=7520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=15520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=31520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=32020 UAS->UAC 504(INVITE)",                 /* R20: 64*T1 */
        "t=32040 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 504);
    assert_int_equal(prack_uac_state(&s.uac), PRACK_UAC_FAILED);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_TIMEOUT | PRACK_AF_REPLACES_HELD);
    assert_int_equal(s.out.uas_timeouts, 1);
    /* R28: the 183 is retransmitted no more; its cookie comes back with DROP_1XX */
    assert_int_equal(s.out.dropped_1xx, 1);
    assert_int_equal(s.out.released, 1);
    assert_int_equal(s.out.uac_discards_retx, 6);
    check_uas_stats(&s, 0, 1, 0, 6, 0);
    check_uac_stats(&s, 1, 6, 0, 0);
}

/* The host retransmits its PRACK (RFC 3261 Timer E: 500 ms, 1 s, ...): the call completes. */
static void test_call_prack_lost_timer_e(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const drop_rule_t drops[] = {
        {"UAC->UAS PRACK cseq=102 rack=42 101", 0x3u},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20, .timer_e = true,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .drops = drops, .n_drops = ARRAY_LEN(drops),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101 LOST",
        "t=520 UAS->UAC 183 rseq=42 rel sdp retx",      /* discarded at 540 (R40) */
        "t=540 UAC->UAS PRACK cseq=102 rack=42 101 retx LOST", /* Timer E: T1 */
        "t=1520 UAS->UAC 183 rseq=42 rel sdp retx",
        "t=1540 UAC->UAS PRACK cseq=102 rack=42 101 retx",     /* then 2*T1 */
        "t=1560 UAS->UAC 200(PRACK cseq=102)",
        "t=1560 UAS->UAC 200(INVITE) sdp",
        "t=1580 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_RELEASED);
    assert_int_equal(s.out.uac_discards_retx, 2);
    assert_int_equal(s.out.prack_ok, 1);
    /* the engine asked for one PRACK; the transaction layer resent it */
    check_uas_stats(&s, 0, 1, 1, 2, 0);
    check_uac_stats(&s, 1, 2, 1, 0);
}

/* ------------------------------------------------------------------------ */
/* 5. A forked INVITE: two UAS, independent RSeq spaces (errata 4600, 4603) */
/* ------------------------------------------------------------------------ */

static void test_call_forked(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(1, 5, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 50, OP_1XX, 180, 0, EXPECT_OK),
        STEP(1, 55, OP_1XX, 180, 0, EXPECT_OK),
        STEP(0, 200, OP_FINAL, 200, 0, EXPECT_OK),
        STEP(1, 210, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 2, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        /* fork b numbers far below fork a: each dialog has its own */
        .invite_sdp = true, .random = {99, 6}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS/a INVITE cseq=101 supported sdp",
        "t=0 UAC->UAS/b INVITE cseq=101 supported sdp",
        "t=20 UAS/a->UAC 183 rseq=100 rel sdp",
        "t=25 UAS/b->UAC 183 rseq=7 rel sdp",
        "t=40 UAC->UAS/a PRACK cseq=102 rack=100 101",
        "t=45 UAC->UAS/b PRACK cseq=102 rack=7 101",    /* on its own dialog */
        "t=60 UAS/a->UAC 200(PRACK cseq=102)",
        "t=65 UAS/b->UAC 200(PRACK cseq=102)",
        "t=70 UAS/a->UAC 180 rseq=101 rel",
        "t=75 UAS/b->UAC 180 rseq=8 rel",
        "t=90 UAC->UAS/a PRACK cseq=103 rack=101 101",
        "t=95 UAC->UAS/b PRACK cseq=103 rack=8 101",
        "t=110 UAS/a->UAC 200(PRACK cseq=103)",
        "t=115 UAS/b->UAC 200(PRACK cseq=103)",
        "t=220 UAS/a->UAC 200(INVITE) sdp",
        "t=230 UAS/b->UAC 200(INVITE) sdp",
        "t=240 UAC->UAS/a ACK cseq=101",                 /* first 2xx wins */
        "t=250 UAC->UAS/b ACK cseq=101",
        "t=250 UAC->UAS/b BYE",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.final_fork, 0);
    assert_int_equal(s.out.finals, 2);
    assert_int_equal(s.out.uac_sessions, 2); /* one per early dialog */
    assert_int_equal(prack_uac_dialog_rseq(&s.dlg[0]), 101);
    assert_int_equal(prack_uac_dialog_rseq(&s.dlg[1]), 8);
    check_uas_stats(&s, 0, 2, 2, 0, 0);
    check_uas_stats(&s, 1, 2, 2, 0, 0);
    check_uac_stats(&s, 4, 0, 4, 0);
}

/* ------------------------------------------------------------------------ */
/* 6. UAS requires 100rel, the UAC has it off: 421, and no retry suggested  */
/* ------------------------------------------------------------------------ */

/*
 * R3's counterpart (RFC 3261 21.4.16): the UAS rejects with 421 and Require:
 * 100rel; a UAC with policy OFF gets DELIVER_FINAL only, never a suggestion to
 * use 100rel (the policy is the application's choice).
 */
static void test_call_421_no_retry_under_policy_off(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const uac_step_t uac[] = {
        {10, OP_CANCEL}, /* too late: nothing goes */
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_OFF, .uas_policy = PRACK_POLICY_REQUIRED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .uac = uac, .n_uac = ARRAY_LEN(uac),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 sdp",
        "t=10 UAC->UAS CANCEL",
        "t=20 UAS->UAC 421(INVITE) require=100rel",
        "t=30 UAS->UAC 200(CANCEL)",  /* after a 421 the CANCEL changes nothing */
        "t=40 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.retries, 0);
    assert_int_equal(s.out.finals, 1);
    assert_int_equal(s.out.final_status, 421);
    assert_int_equal(prack_uac_state(&s.uac), PRACK_UAC_FAILED);
    assert_int_equal(prack_uas_state(&s.uas[0]), PRACK_UAS_REJECTED);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_REQUIRE_100REL);
    check_uas_stats(&s, 0, 0, 0, 0, 0);
    check_uac_stats(&s, 0, 0, 0, 0);
}

/* 6b. The UAC requires 100rel, the UAS will not: 420 (R3), then the retry the
 *     engine suggests, with Supported (R32, R33), and a call without reliable
 *     provisionals (R5). */
static void test_call_R3_R5_R32_420_then_retry_with_supported(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 180, 0, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_REQUIRED, .uas_policy = PRACK_POLICY_OFF,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 require sdp",
        "t=20 UAS->UAC 420(INVITE) unsupported=100rel",
        "t=40 UAC->UAS ACK cseq=101",
        "t=40 UAC->UAS INVITE cseq=102 supported sdp",
        "t=60 UAS->UAC 180",                            /* R5: not reliable */
        "t=160 UAS->UAC 200(INVITE) sdp",
        "t=180 UAC->UAS ACK cseq=102",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.retries, 1);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.final_sdp, PRACK_SDP_ANSWER);
    assert_int_equal(s.out.uac_sessions, 1);
    assert_int_equal(s.out.uas_sessions, 1);
    assert_int_equal(prack_uac_option(&s.uac), PRACK_OPTION_SUPPORTED);
    assert_false(prack_uas_reliable(&s.uas[0]));
    assert_int_equal(s.out.released, 1); /* the unreliable 180's cookie, at once */
    check_uas_stats(&s, 0, 0, 0, 0, 0);
    check_uac_stats(&s, 0, 0, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* 7. CANCEL while the UAS waits for the PRACK                              */
/* ------------------------------------------------------------------------ */

/*
 * 487 goes at once, and the unacknowledged 183 is retransmitted no more (R28):
 * DROP_1XX hands its cookie back. The late PRACK is still answered 200 (R29),
 * without the cookie.
 */
static void test_call_R28_R29_cancel_late_prack(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, PRACK_ERR_STATE), /* too late: cancelled */
    };
    static const uac_step_t uac[] = {
        {30, OP_CANCEL},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .uac = uac, .n_uac = ARRAY_LEN(uac),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=30 UAC->UAS CANCEL",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=50 UAS->UAC 200(CANCEL)",
        "t=50 UAS->UAC 487(INVITE)",
        "t=60 UAS->UAC 200(PRACK cseq=102)",             /* R29 */
        "t=70 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 487);
    assert_int_equal(prack_uac_state(&s.uac), PRACK_UAC_FAILED);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_CANCELLED);
    assert_int_equal(s.out.rejected_rc, PRACK_ERR_STATE);
    assert_int_equal(s.out.prack_ok, 1);
    assert_int_equal(s.out.prack_200, 1);
    assert_int_equal(s.out.dropped_1xx, 1);
    assert_int_equal(s.out.released, 1);
    assert_int_equal(prack_uas_state(&s.uas[0]), PRACK_UAS_COMPLETED);
    /* R28: no retransmission after the final */
    check_uas_stats(&s, 0, 1, 1, 0, 0);
    check_uac_stats(&s, 1, 0, 1, 0);
}

/* R28 R29: the same with the 2xx already held: the 487 replaces it, the PRACK
 * releases nothing. */
static void test_call_R28_R29_cancel_while_2xx_held(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 5, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const uac_step_t uac[] = {
        {30, OP_CANCEL},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .uac = uac, .n_uac = ARRAY_LEN(uac),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=30 UAC->UAS CANCEL",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=50 UAS->UAC 200(CANCEL)",
        "t=50 UAS->UAC 487(INVITE)",
        "t=60 UAS->UAC 200(PRACK cseq=102)",
        "t=70 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 487);
    assert_int_equal(s.out.held, 1);
    assert_int_equal(s.out.uas_final_flags[0], PRACK_AF_CANCELLED | PRACK_AF_REPLACES_HELD);
    assert_int_equal(s.out.dropped_1xx, 1);
    assert_int_equal(s.out.released, 1);
    assert_int_equal(s.out.prack_200, 1);
    check_uas_stats(&s, 0, 1, 1, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* 8. An offer in a PRACK; PRACKs that reach the UAS engine twice            */
/* ------------------------------------------------------------------------ */

/*
 * R51, R52, R53 end to end: the 183 answers the INVITE's offer, the UAC engine
 * lets its PRACK offer (MAY_OFFER), the host puts a new offer in it, and the
 * UAS engine answers it in the 200 to that PRACK. Both sides report the two
 * exchanges (SESSION), and the 2xx repeats what was agreed.
 */
static void test_call_R51_R52_R53_offer_in_prack_end_to_end(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20, .offer_in_prack = true,
        .uas = uas, .n_uas = ARRAY_LEN(uas),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",            /* R48: the answer */
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101 sdp", /* R51: a new offer */
        "t=60 UAS->UAC 200(PRACK cseq=102) sdp",        /* R52: its answer */
        "t=120 UAS->UAC 200(INVITE) sdp",
        "t=140 UAC->UAS ACK cseq=101",
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.uac_sessions, 2); /* R53: the 183, then the 200 to the PRACK */
    assert_int_equal(s.out.uas_sessions, 2);
    assert_int_equal(s.out.prack_ok, 1);
    assert_int_equal(s.out.uas_final_sdp[0], PRACK_SDP_REPEAT);
    assert_int_equal(s.out.final_sdp, PRACK_SDP_REPEAT);
    /* the permission was used and went with its PRACK */
    assert_int_equal(prack_uac_offer_in_prack(&s.uac, &s.dlg[0], 42), PRACK_ERR_STATE);
    check_uas_stats(&s, 0, 1, 1, 0, 0);
    check_uac_stats(&s, 1, 0, 1, 0);
}

/*
 * R16, R17 with a UAS host that has no PRACK server transactions, so every
 * PRACK that arrives reaches the engine. The 200 to the PRACK carrying our
 * offer is lost; Timer E resends that PRACK (same CSeq), and the engine answers
 * it 200 again with the same answer (DUPLICATE). A new PRACK for the same RSeq
 * (new CSeq, from a host that lost track of its transaction) matches no
 * unacknowledged 1xx: 481, which the UAC engine reports as that PRACK failing.
 */
static void test_call_R16_R17_prack_retransmission_and_new_prack(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 183, SDP1XX, EXPECT_OK),
        STEP(0, 100, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const uac_step_t uac[] = {
        {2000, OP_PRACK_AGAIN},
    };
    static const drop_rule_t drops[] = {
        {"UAS->UAC 200(PRACK cseq=102) sdp", 0x1u},
    };
    static const sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20, .timer_e = true,
        .offer_in_prack = true, .uas_no_txn = true,
        .uas = uas, .n_uas = ARRAY_LEN(uas), .uac = uac, .n_uac = ARRAY_LEN(uac),
        .drops = drops, .n_drops = ARRAY_LEN(drops),
    };
    static const char *const ladder[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 183 rseq=42 rel sdp",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101 sdp",
        "t=60 UAS->UAC 200(PRACK cseq=102) sdp LOST",
        "t=120 UAS->UAC 200(INVITE) sdp",
        "t=140 UAC->UAS ACK cseq=101",
        "t=540 UAC->UAS PRACK cseq=102 rack=42 101 sdp retx", /* Timer E */
        "t=560 UAS->UAC 200(PRACK cseq=102) sdp dup",         /* R17, the same answer */
        "t=2000 UAC->UAS PRACK cseq=103 rack=42 101",
        "t=2020 UAS->UAC 481(PRACK cseq=103)",                /* R16 */
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.prack_200, 2);
    assert_int_equal(s.out.prack_dup, 1);
    assert_int_equal(s.out.prack_481, 1);
    /* the answer in the repeated 200 completes our offer (R52, R53) */
    assert_int_equal(s.out.uac_sessions, 2);
    assert_int_equal(s.out.uas_sessions, 2);
    assert_int_equal(s.out.prack_ok, 1);
    assert_int_equal(s.out.prack_failed, 1);
    assert_int_equal(s.out.prack_failed_status, 481);
    assert_int_equal(s.out.released, 1); /* with the first 200 only */
    check_uas_stats(&s, 0, 1, 1, 0, 1);
    check_uac_stats(&s, 1, 0, 1, 1);
}

/*
 * R16, R29: only the PRACK that acknowledged the latest RSeq is recognised when
 * it comes again. Here the 200 to the PRACK for RSeq 42 is lost, the UAS goes
 * on with RSeq 43 (R21), and Timer E's copy of the first PRACK arrives after 43
 * was acknowledged: it matches no unacknowledged 1xx and gets 481, which fails
 * that PRACK at the UAC. A UAS host with RFC 3261 server transactions answers
 * the copy from its transaction instead, and nothing fails.
 */
static void test_call_R16_R29_retransmission_of_an_older_prack(void **state)
{
    (void)state;
    static const uas_step_t uas[] = {
        STEP(0, 0, OP_1XX, 180, 0, EXPECT_OK),
        STEP(0, 10, OP_1XX, 183, SDP1XX, EXPECT_OK), /* queued behind the 180 */
        STEP(0, 1000, OP_FINAL, 200, 0, EXPECT_OK),
    };
    static const drop_rule_t drops[] = {
        {"UAS->UAC 200(PRACK cseq=102)", 0x1u},
    };
    static const char *const ladder_no_txn[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 180 rseq=42 rel",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=60 UAS->UAC 200(PRACK cseq=102) LOST",
        "t=60 UAS->UAC 183 rseq=43 rel sdp",
        "t=80 UAC->UAS PRACK cseq=103 rack=43 101",
        "t=100 UAS->UAC 200(PRACK cseq=103)",
        "t=540 UAC->UAS PRACK cseq=102 rack=42 101 retx",
        "t=560 UAS->UAC 481(PRACK cseq=102)",
        "t=1020 UAS->UAC 200(INVITE) sdp",
        "t=1040 UAC->UAS ACK cseq=101",
    };
    static const char *const ladder_txn[] = {
        "t=0 UAC->UAS INVITE cseq=101 supported sdp",
        "t=20 UAS->UAC 180 rseq=42 rel",
        "t=40 UAC->UAS PRACK cseq=102 rack=42 101",
        "t=60 UAS->UAC 200(PRACK cseq=102) LOST",
        "t=60 UAS->UAC 183 rseq=43 rel sdp",
        "t=80 UAC->UAS PRACK cseq=103 rack=43 101",
        "t=100 UAS->UAC 200(PRACK cseq=103)",
        "t=540 UAC->UAS PRACK cseq=102 rack=42 101 retx",
        "t=560 UAS->UAC 200(PRACK cseq=102) retx",
        "t=1020 UAS->UAC 200(INVITE) sdp",
        "t=1040 UAC->UAS ACK cseq=101",
    };
    sim_cfg_t cfg = {
        .forks = 1, .uac_policy = PRACK_POLICY_SUPPORTED, .uas_policy = PRACK_POLICY_SUPPORTED,
        .invite_sdp = true, .random = {41}, .to_uas = 20, .to_uac = 20, .timer_e = true,
        .uas_no_txn = true, .uas = uas, .n_uas = ARRAY_LEN(uas),
        .drops = drops, .n_drops = ARRAY_LEN(drops),
    };
    sim_t s;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder_no_txn);
    assert_int_equal(s.out.final_status, 200);
    assert_int_equal(s.out.prack_481, 1);
    assert_int_equal(s.out.prack_failed, 1);
    assert_int_equal(s.out.prack_failed_status, 481);
    assert_int_equal(s.out.prack_ok, 1);
    check_uas_stats(&s, 0, 2, 2, 0, 1);

    cfg.uas_no_txn = false;
    sim_run(&s, &cfg);
    CHECK_LADDER(&s, ladder_txn);
    assert_int_equal(s.out.prack_481, 0);
    assert_int_equal(s.out.prack_failed, 0);
    assert_int_equal(s.out.prack_ok, 2);
    check_uas_stats(&s, 0, 2, 2, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Soak: random calls over a lossy, reordering link, from fixed seeds        */
/* ------------------------------------------------------------------------ */

static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* What must hold at the end of any call, whatever was lost or reordered. */
static void check_call(const sim_t *s, uint32_t call)
{
    uint32_t seed = call; /* reported as the call number: PRACK_SOAK_CALL replays it */
    /* a final reaches the UAC, and it is the one its UAS sent */
    if (s->out.finals < 1)
        fail_msg("call %u: no final at the UAC", (unsigned)seed);
    int f = s->out.final_fork;
    if (f < 0 || s->out.final_status != s->uas_final_status[f])
        fail_msg("call %u: UAC got %u, UAS %d sent %u", (unsigned)seed,
                 (unsigned)s->out.final_status, f, f < 0 ? 0u : s->uas_final_status[f]);
    for (int k = 0; k < s->cfg->forks; k++) {
        /* R41, R44: PRACKs in RSeq order from the first, none skipped, none twice */
        uint32_t first = 1u + s->cfg->random[k] % 0x7FFFFFFFu;
        for (size_t i = 0; i < s->npracked[k]; i++)
            if (s->pracked[k][i] != first + (uint32_t)i || s->pracked[k][i] > s->uas_rseq[k])
                fail_msg("call %u: fork %d PRACK #%zu for RSeq %u", (unsigned)seed, k, i,
                         (unsigned)s->pracked[k][i]);
    }
    /* R37: every reliable 1xx that arrived before a non-2xx final was PRACKed */
    for (size_t i = 0; i < s->nseen; i++) {
        bool pracked = false;
        int k = s->seen[i].fork;
        if (s->seen[i].state == PRACK_UAC_FAILED)
            continue;
        for (size_t j = 0; j < s->npracked[k]; j++)
            pracked |= s->pracked[k][j] == s->seen[i].rseq;
        if (!pracked)
            fail_msg("call %u: RSeq %u on fork %d never PRACKed", (unsigned)seed,
                     (unsigned)s->seen[i].rseq, k);
    }
}

static void test_soak_lossy_reordering_link(void **state)
{
    (void)state;
    static sim_t s;
    static const prack_policy_t pol[] = {PRACK_POLICY_OFF, PRACK_POLICY_SUPPORTED,
                                         PRACK_POLICY_REQUIRED};
    static const uint16_t finals[] = {200, 200, 486, 603};
    unsigned answered = 0, timeouts = 0, retries = 0, cancelled = 0;
    unsigned dups = 0, rejected_pracks = 0, prack_answers = 0;

    /* PRACK_SOAK_CALL=<n> replays call n alone and prints its ladder */
    const char *only = getenv("PRACK_SOAK_CALL");
    uint32_t from = only ? (uint32_t)strtoul(only, NULL, 10) : 0u;
    uint32_t to = only ? from + 1u : 500u;

    for (uint32_t call = from; call < to; call++) {
        uint32_t seed = 0x9E3779B9u * (call + 1u);
        uint32_t x = seed;
        uas_step_t uas[8];
        uac_step_t uac[1];
        size_t n = 0;
        sim_cfg_t cfg;
        memset(&cfg, 0, sizeof(cfg));
        memset(uas, 0, sizeof(uas));
        cfg.forks = xorshift(&x) % 4u == 0 ? 2 : 1;
        cfg.uac_policy = pol[xorshift(&x) % 3u];
        cfg.uas_policy = pol[xorshift(&x) % 3u];
        cfg.invite_sdp = xorshift(&x) % 2u == 0;
        cfg.to_uas = 10u + xorshift(&x) % 200u;
        cfg.to_uac = 10u + xorshift(&x) % 200u;
        cfg.jitter = xorshift(&x) % 400u;
        cfg.loss_pct = xorshift(&x) % 31u;
        cfg.timer_e = xorshift(&x) % 5u != 0;
        cfg.cache = xorshift(&x) % 2u == 0;
        cfg.offer_in_prack = xorshift(&x) % 4u == 0;
        cfg.uas_no_txn = xorshift(&x) % 4u == 0;
        cfg.seed = seed;
        cfg.no_ladder = only == NULL;
        for (int f = 0; f < cfg.forks; f++) {
            cfg.random[f] = xorshift(&x);
            unsigned k = 1u + xorshift(&x) % 3u;
            prack_time_t at = 0;
            for (unsigned i = 0; i < k; i++) {
                uas[n].fork = f;
                uas[n].after = at;
                uas[n].op = OP_1XX;
                uas[n].status = xorshift(&x) % 2u ? 180 : 183;
                uas[n].flags = xorshift(&x) % 2u ? SDP1XX : 0u;
                uas[n].any_rc = true;
                n++;
                at += xorshift(&x) % 1500u;
            }
            uas[n].fork = f;
            uas[n].after = xorshift(&x) % 3000u;
            uas[n].op = OP_FINAL;
            uas[n].status = cfg.forks == 2 ? 200 : finals[xorshift(&x) % 4u];
            uas[n].any_rc = true;
            n++;
        }
        cfg.uas = uas;
        cfg.n_uas = n;
        if (xorshift(&x) % 5u == 0) {
            uac[0].at = xorshift(&x) % 4000u;
            uac[0].op = OP_CANCEL;
            cfg.uac = uac;
            cfg.n_uac = 1;
        }
        sim_run(&s, &cfg);
        if (only)
            dump_ladder(&s);
        check_call(&s, call);
        answered += s.out.final_status < 300;
        timeouts += s.out.final_status == 504;
        retries += s.out.retries;
        cancelled += s.out.final_status == 487;
        dups += s.out.prack_dup;
        rejected_pracks += s.out.prack_481;
        prack_answers += s.out.prack_200;
    }
    if (only == NULL)
        print_message("soak: 500 calls, %u answered, %u timeouts, %u retries, %u cancelled; "
                      "PRACKs answered 200 %u (again as retransmissions %u), 481 %u\n",
                      answered, timeouts, retries, cancelled, prack_answers, dups,
                      rejected_pracks);
    /* the mix must actually exercise each outcome */
    assert_true(answered > 100);
    assert_true(timeouts > 0);
    assert_true(retries > 0);
    assert_true(cancelled > 0);
    assert_true(dups > 0); /* hosts without PRACK server transactions (R17) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_180_183_2xx_held),
        cmocka_unit_test(test_call_183_2xx_held_queue_dropped),
        cmocka_unit_test(test_call_offer_in_183_answer_in_prack),
        cmocka_unit_test(test_call_183_lost_twice),
        cmocka_unit_test(test_call_retransmission_crosses_prack),
        cmocka_unit_test(test_call_prack_lost_uas_times_out),
        cmocka_unit_test(test_call_prack_lost_timer_e),
        cmocka_unit_test(test_call_forked),
        cmocka_unit_test(test_call_421_no_retry_under_policy_off),
        cmocka_unit_test(test_call_R3_R5_R32_420_then_retry_with_supported),
        cmocka_unit_test(test_call_R28_R29_cancel_late_prack),
        cmocka_unit_test(test_call_R28_R29_cancel_while_2xx_held),
        cmocka_unit_test(test_call_R51_R52_R53_offer_in_prack_end_to_end),
        cmocka_unit_test(test_call_R16_R17_prack_retransmission_and_new_prack),
        cmocka_unit_test(test_call_R16_R29_retransmission_of_an_older_prack),
        cmocka_unit_test(test_soak_lossy_reordering_link),
    };
    return cmocka_run_group_tests_name("b2b", tests, NULL, NULL);
}
