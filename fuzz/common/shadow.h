/*
 * Shadow models of the UAS and UAC engines, for the fuzz targets and the
 * network simulator.
 *
 * Every engine call goes through a wrapper here. The wrapper works out from
 * the documented behaviour (prack/prack.h) what the call must return and the
 * exact batch it must produce, calls the engine, compares, and then checks the
 * protocol invariants a second time, independently, on the actions actually
 * returned (never two outstanding reliable 1xx, RSeq +1, nothing reliable after
 * a final, no 2xx released over an unacknowledged SDP 1xx, PRACK only for
 * last + 1, one PRACK per 1xx, deadlines after the timer, guards around the
 * engine state untouched, ...). Nothing here reads the engines' private fields:
 * only what the actions and the public getters say.
 *
 * A broken expectation prints what was being checked and aborts, which
 * libFuzzer reports as a crash and cmocka as a failed test.
 */
#ifndef PRACK_SHADOW_H
#define PRACK_SHADOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prack/prack.h"

/*
 * Library deviations a run may step over (PRACK_SHADOW_LENIENT=<bits>), so that
 * a long fuzzing run can look past a known bug for new ones. The default is
 * strict: every bit off.
 */
#define SH_LENIENT_STALE_BATCH 0x1u /* a failing call left the batch non-empty */
#define SH_LENIENT_UAS_TIME 0x2u    /* the UAS accepted a time earlier than one it saw */
#define SH_LENIENT_MODEL 0x4u       /* skip the exact model (return codes, batches, getters) and
                                       keep the invariants, which read only the actions */

#define SH_GUARD 32u
#define SH_GUARD_BYTE 0xA5u
#define SH_DLG_MAX 4
#define SH_MAX_RETX 6u /* retransmissions at T1, 3, 7, 15, 31, 63 T1; 127 T1 is past the timeout */

static inline unsigned sh_lenient(void)
{
    static int ready;
    static unsigned bits;
    if (!ready) {
        const char *e = getenv("PRACK_SHADOW_LENIENT");
        bits = e ? (unsigned)strtoul(e, NULL, 0) : 0u;
        ready = 1;
    }
    return bits;
}

/* Text printed with a failure, set by the driver (seed, call number, step). */
static inline char *sh_context(void)
{
    static char buf[160];
    return buf;
}

static inline const prack_actions_t **sh_current(void)
{
    static const prack_actions_t *cur;
    return &cur;
}

static inline void sh_dump(const prack_actions_t *out)
{
    char line[160];
    if (!out)
        return;
    size_t n = out->n <= PRACK_ACTIONS_MAX ? out->n : PRACK_ACTIONS_MAX;
    for (size_t i = 0; i < n; i++) {
        prack_action_format(line, sizeof(line), &out->v[i]);
        fprintf(stderr, "    [%zu] %s\n", i, line);
    }
}

static inline void sh_fail(const char *file, int line, const char *what, const char *cond)
{
    fprintf(stderr, "INVARIANT BROKEN: %s\n  check: %s\n  at %s:%d\n  context: %s\n  batch:\n",
            what, cond, file, line, sh_context());
    sh_dump(*sh_current());
    fflush(stderr);
    abort();
}

#define SH_CHECK(cond, what)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            sh_fail(__FILE__, __LINE__, (what), #cond);                                            \
    } while (0)

/* The engines' time arithmetic as documented: saturate below "no deadline". */
static inline prack_time_t sh_tadd(prack_time_t a, uint64_t b)
{
    if (a >= PRACK_TIME_NONE - 1u || b >= PRACK_TIME_NONE - 1u - a)
        return PRACK_TIME_NONE - 1u;
    return a + b;
}

/* Fill a batch with junk so that a call that forgets to reset it is seen. */
static inline void sh_poison(prack_actions_t *out)
{
    memset(out, 0x5A, sizeof(*out));
    out->n = 3;
}

#define SH_AF_KNOWN                                                                                \
    (PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT | PRACK_AF_REFRESH | PRACK_AF_RELEASED |               \
     PRACK_AF_TIMEOUT | PRACK_AF_CANCELLED | PRACK_AF_UNSUPPORTED_100REL | PRACK_AF_REQUIRE_100REL | \
     PRACK_AF_NEW_DIALOG | PRACK_AF_CACHED | PRACK_AF_AUTH | PRACK_AF_REPLACES_HELD)
#ifdef PRACK_AF_DIALOG_GONE
#define SH_AF_ALL (SH_AF_KNOWN | PRACK_AF_DIALOG_GONE)
#else
#define SH_AF_ALL SH_AF_KNOWN
#endif

/* Checks that hold for every batch of every call. */
static inline void sh_batch_sane(int rc, const prack_actions_t *out)
{
    *sh_current() = out;
    if (rc < 0) {
        if (!(sh_lenient() & SH_LENIENT_STALE_BATCH))
            SH_CHECK(out->n == 0, "a failing call leaves the batch empty");
        return;
    }
    SH_CHECK(rc == PRACK_OK, "state-changing calls return PRACK_OK or an error");
    SH_CHECK(out->n <= PRACK_ACTIONS_MAX, "batch within PRACK_ACTIONS_MAX");
    for (size_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        char line[96];
        /* the library's name tables list exactly the enum values it defines */
        SH_CHECK(strcmp(prack_act_name(a->type), "?") != 0, "valid action type");
        SH_CHECK(strcmp(prack_reason_name(a->reason), "?") != 0, "valid reason");
        SH_CHECK(strcmp(prack_sdp_name(a->sdp), "?") != 0, "valid sdp role");
        SH_CHECK(a->option == PRACK_OPTION_NONE || a->option == PRACK_OPTION_SUPPORTED ||
                     a->option == PRACK_OPTION_REQUIRE,
                 "valid option");
        SH_CHECK((a->flags & ~SH_AF_ALL) == 0, "only known action flags");
        int len = prack_action_format(line, sizeof(line), a);
        SH_CHECK(len >= 0 && (size_t)len < sizeof(line) && strlen(line) == (size_t)len,
                 "action formats within its buffer");
    }
}

/* A set of acceptable error codes; the header does not rank them when several apply. */
#define SH_E(code) (1u << (unsigned)-(code))

static inline bool sh_model(void)
{
    return !(sh_lenient() & SH_LENIENT_MODEL);
}

static inline void sh_check_rc(int rc, unsigned errs)
{
    if (!sh_model())
        return;
    bool ok = errs ? (rc < 0 && rc > -32 && (errs & SH_E(rc))) : rc == PRACK_OK;
    if (!ok)
        fprintf(stderr, "rc %d (%s), expected %s (error set 0x%x)\n", rc, prack_strerror(rc),
                errs ? "an error" : "PRACK_OK", errs);
    SH_CHECK(ok, "return code as documented");
}

/* Compare one produced batch with the expected one, field by field. */
typedef struct sh_exp {
    size_t n;
    prack_action_t v[PRACK_ACTIONS_MAX];
} sh_exp_t;

static inline prack_action_t *sh_exp_push(sh_exp_t *e, prack_act_t type)
{
    SH_CHECK(e->n < PRACK_ACTIONS_MAX, "model batch within PRACK_ACTIONS_MAX");
    prack_action_t *a = &e->v[e->n++];
    memset(a, 0, sizeof(*a));
    a->type = type;
    return a;
}

static inline void sh_exp_compare(const sh_exp_t *e, const prack_actions_t *out)
{
    if (!sh_model())
        return;
    if (out->n != e->n) {
        fprintf(stderr, "expected %zu actions:\n", e->n);
        prack_actions_t tmp;
        tmp.n = e->n;
        memcpy(tmp.v, e->v, sizeof(e->v));
        sh_dump(&tmp);
    }
    SH_CHECK(out->n == e->n, "batch has the documented number of actions");
    for (size_t i = 0; i < e->n; i++) {
        const prack_action_t *x = &e->v[i], *a = &out->v[i];
        if (memcmp(x, a, offsetof(prack_action_t, text)) != 0 || x->type != a->type) {
            char l1[160], l2[160];
            prack_action_format(l1, sizeof(l1), x);
            prack_action_format(l2, sizeof(l2), a);
            fprintf(stderr, "action %zu: expected \"%s\" user=%p, got \"%s\" user=%p\n", i, l1,
                    x->user, l2, a->user);
        }
        SH_CHECK(a->type == x->type, "action type as documented");
        SH_CHECK(a->status == x->status, "action status as documented");
        SH_CHECK(a->flags == x->flags, "action flags as documented");
        SH_CHECK(a->rseq == x->rseq, "action rseq as documented");
        SH_CHECK(a->cseq == x->cseq, "action cseq as documented");
        SH_CHECK(a->sdp == x->sdp, "action sdp role as documented");
        SH_CHECK(a->reason == x->reason, "action reason as documented");
        SH_CHECK(a->option == x->option, "action option as documented");
        SH_CHECK(a->user == x->user, "action user cookie as documented");
        if (x->text)
            SH_CHECK(a->text && strcmp(a->text, x->text) == 0, "action text as documented");
        else
            SH_CHECK(a->text == NULL, "no text where none applies");
    }
}

static inline void sh_guard_fill(uint8_t *g)
{
    memset(g, SH_GUARD_BYTE, SH_GUARD);
}

static inline bool sh_guard_ok(const uint8_t *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (g[i] != SH_GUARD_BYTE)
            return false;
    return true;
}

static inline bool sh_config_valid(const prack_config_t *c)
{
    if (!c)
        return true;
    if (c->t1_ms == 0 || c->t1_ms > 3600000u)
        return false;
    if (c->refresh_ms != 0 && (c->refresh_ms < 1000u || c->refresh_ms > 65535000u))
        return false;
    if (c->timeout_status < 500 || c->timeout_status > 599)
        return false;
    if ((unsigned)c->policy > PRACK_POLICY_REQUIRED)
        return false;
    if ((unsigned)c->on_prack_failure > PRACK_FAILURE_TERMINATE)
        return false;
    return true;
}

/* ========================================================================= */
/* UAS                                                                        */
/* ========================================================================= */

/* Offer/answer on the INVITE transaction, as the header describes it (R48-R53). */
enum { SH_OA_NONE, SH_OA_OFFER_RCVD, SH_OA_OFFER_SENT, SH_OA_DONE };

/* What the actions of a UAS said so far: all the invariants need. */
typedef struct sh_uas_obs {
    bool final, held;
    uint32_t last, n_sent, unacked;
    bool unacked_sdp;
    prack_time_t sent_at; /* when the unacknowledged 1xx was first sent */
    unsigned retx_this;
} sh_uas_obs_t;

typedef struct sh_uas {
    /* the engine and its queue, between guard bytes */
    struct {
        uint8_t pre[SH_GUARD];
        prack_uas_t e;
        uint8_t post[SH_GUARD];
    } box;
    prack_uas_entry_t qmem[PRACK_UAS_QUEUE_MAX + 1];
    size_t qcap;
    sh_uas_obs_t obs;

    /* the model */
    bool ready;
    uint32_t cseq, t1, refresh_ms;
    uint16_t timeout_status;
    bool reliable, required;
    int state; /* prack_uas_state_t */
    int oa;
    uint32_t first, last, n_sent; /* reliable 1xx numbered so far */
    uint32_t unacked;             /* RSeq of the unacknowledged one, 0 if none */
    bool unacked_sdp, unacked_answer;
    prack_time_t sent_at; /* init time, then time of the latest new reliable 1xx */
    uint16_t cur_status;  /* status and cookie of the latest reliable 1xx */
    void *cur_user;
    unsigned slot; /* retransmission slots used for the current one */
    void *q_user[PRACK_UAS_QUEUE_MAX];
    uint16_t q_status[PRACK_UAS_QUEUE_MAX];
    bool q_sdp[PRACK_UAS_QUEUE_MAX];
    unsigned qlen;
    uint16_t final_status;
    bool timed_out, cancelled;
    prack_time_t now_max;
    uint32_t n_retx, n_rej;
} sh_uas_t;

static inline prack_uas_t *sh_uas_engine(sh_uas_t *s)
{
    return &s->box.e;
}

static inline bool sh_uas_live(const sh_uas_t *s)
{
    return s->state == PRACK_UAS_PROCEEDING || s->state == PRACK_UAS_HELD;
}

static inline prack_time_t sh_uas_retx_time(const sh_uas_t *s, unsigned k)
{
    uint64_t mult = ((uint64_t)1 << k) - 1u;
    return sh_tadd(s->sent_at, mult * s->t1);
}

static inline prack_time_t sh_uas_timeout_time(const sh_uas_t *s)
{
    return sh_tadd(s->sent_at, 64u * (uint64_t)s->t1);
}

/* When the documented timers say prack_on_timer() is next due. */
static inline prack_time_t sh_uas_deadline(const sh_uas_t *s)
{
    if (!s->ready || !sh_uas_live(s))
        return PRACK_TIME_NONE;
    if (s->unacked) {
        prack_time_t to = sh_uas_timeout_time(s);
        if (s->slot >= 7u)
            return to;
        prack_time_t rt = sh_uas_retx_time(s, s->slot + 1u);
        return rt < to ? rt : to;
    }
    if (s->state == PRACK_UAS_PROCEEDING && s->refresh_ms && s->n_sent)
        return sh_tadd(s->sent_at, s->refresh_ms);
    return PRACK_TIME_NONE;
}

/* Errors every state-changing UAS call may owe to its clock. */
static inline unsigned sh_uas_clock(const sh_uas_t *s, prack_time_t now)
{
    unsigned errs = 0;
    if (now == PRACK_TIME_NONE)
        errs |= SH_E(PRACK_ERR_INVAL);
    if (now < s->now_max && (!(sh_lenient() & SH_LENIENT_UAS_TIME) || now < s->sent_at))
        errs |= SH_E(PRACK_ERR_TIME);
    return errs;
}

static inline uint32_t sh_uas_next_rseq(const sh_uas_t *s)
{
    return s->n_sent ? s->last + 1u : s->first;
}

static inline prack_sdp_t sh_uas_prov_sdp(sh_uas_t *s, bool sdp, bool reliable, sh_exp_t *e)
{
    if (!sdp)
        return PRACK_SDP_NONE;
    switch (s->oa) {
    case SH_OA_OFFER_RCVD:
        if (reliable) {
            s->oa = SH_OA_DONE;
            sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        }
        return PRACK_SDP_ANSWER;
    case SH_OA_NONE:
        if (reliable)
            s->oa = SH_OA_OFFER_SENT;
        return PRACK_SDP_OFFER;
    default:
        return PRACK_SDP_REPEAT;
    }
}

static inline prack_sdp_t sh_uas_final_sdp(sh_uas_t *s, uint16_t status, sh_exp_t *e)
{
    if (status >= 300)
        return PRACK_SDP_NONE;
    switch (s->oa) {
    case SH_OA_OFFER_RCVD:
        s->oa = SH_OA_DONE;
        sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        return PRACK_SDP_ANSWER;
    case SH_OA_NONE:
        return PRACK_SDP_OFFER;
    default:
        return PRACK_SDP_REPEAT;
    }
}

static inline void sh_uas_send_new(sh_uas_t *s, prack_time_t now, uint16_t status, bool sdp,
                                   void *user, uint16_t extra, sh_exp_t *e)
{
    uint32_t rseq = sh_uas_next_rseq(s);
    s->last = rseq;
    s->n_sent++;
    s->unacked = rseq;
    s->unacked_sdp = sdp;
    s->sent_at = now;
    s->cur_status = status;
    s->cur_user = user;
    s->slot = 0;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_SEND_1XX);
    size_t at = e->n - 1u;
    a->status = status;
    a->flags = (uint16_t)(PRACK_AF_RELIABLE | extra);
    a->rseq = rseq;
    a->cseq = s->cseq;
    a->user = user;
    e->v[at].sdp = sh_uas_prov_sdp(s, sdp, true, e);
    s->unacked_answer = e->v[at].sdp == PRACK_SDP_ANSWER;
}

static inline void sh_uas_drop_queue(sh_uas_t *s, sh_exp_t *e)
{
    for (unsigned i = 0; i < s->qlen; i++) {
        prack_action_t *a = sh_exp_push(e, PRACK_ACT_DROP_1XX);
        a->status = s->q_status[i];
        a->user = s->q_user[i];
        a->cseq = s->cseq;
    }
    s->qlen = 0;
}

/*
 * The invariants, checked on the actions actually produced and updating what
 * they said (o). They restate the RFC's rules and read nothing of the model.
 */
static inline void sh_uas_invariants(sh_uas_obs_t *o, uint32_t t1, bool reliable, prack_time_t now,
                                     const prack_actions_t *out, bool timer)
{
    unsigned retx = 0, answers = 0;
    for (size_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
            SH_CHECK(!o->final && !(o->held && !(a->flags & PRACK_AF_RETRANSMIT)),
                     "no provisional after a final (R30), only retransmissions while a 2xx is held");
            SH_CHECK(a->status >= 100 && a->status <= 199, "a provisional is 1xx");
            if (!(a->flags & PRACK_AF_RELIABLE)) {
                SH_CHECK(a->rseq == 0 && a->flags == 0, "an unreliable 1xx has no RSeq");
                break;
            }
            SH_CHECK(a->status != 100, "100 is never reliable (R4)");
            SH_CHECK(reliable, "reliable only when 100rel was negotiated (R5)");
            SH_CHECK(a->rseq != 0, "a reliable 1xx has an RSeq");
            if (a->flags & PRACK_AF_RETRANSMIT) {
                SH_CHECK(a->rseq == o->unacked && o->unacked != 0,
                         "only the unacknowledged 1xx is retransmitted: none after its PRACK");
                SH_CHECK(timer, "retransmissions come from the timer");
                /* the n-th no sooner than (2^n - 1) T1 after the send: T1, doubling (R14) */
                SH_CHECK(now >= sh_tadd(o->sent_at, (((uint64_t)2 << o->retx_this) - 1u) * t1),
                         "retransmissions from T1 with doubling intervals, never early (R14)");
                SH_CHECK(++retx == 1, "one retransmission per timer call, not a burst");
                SH_CHECK(++o->retx_this <= SH_MAX_RETX, "at most 6 retransmissions in 64*T1");
                break;
            }
            SH_CHECK(o->unacked == 0, "never two unacknowledged reliable 1xx (R22)");
            if (o->n_sent)
                SH_CHECK(a->rseq == o->last + 1u, "a new reliable 1xx has RSeq last + 1 (R24)");
            else
                SH_CHECK(a->rseq >= 1u && a->rseq <= 0x7FFFFFFFu, "first RSeq in 1..2^31-1 (R12)");
            o->last = a->rseq;
            o->n_sent++;
            o->unacked = a->rseq;
            o->unacked_sdp = a->sdp != PRACK_SDP_NONE;
            o->sent_at = now;
            o->retx_this = 0;
            break;
        case PRACK_ACT_QUEUE_1XX:
            SH_CHECK(!o->final && !o->held, "no 1xx queued after a final");
            SH_CHECK(o->unacked != 0, "queued only behind an unacknowledged 1xx (R22)");
            break;
        case PRACK_ACT_HOLD_FINAL:
            SH_CHECK(!o->final && !o->held, "one final");
            SH_CHECK(a->status >= 200 && a->status <= 299, "only a 2xx is held");
            SH_CHECK(o->unacked != 0 && o->unacked_sdp && a->rseq == o->unacked,
                     "held behind the unacknowledged SDP 1xx (R27)");
            o->held = true;
            break;
        case PRACK_ACT_SEND_FINAL:
            SH_CHECK(!o->final, "one final");
            SH_CHECK(a->status >= 200 && a->status <= 699, "a final is 2xx-6xx");
            if (a->status < 300)
                SH_CHECK(o->unacked == 0 || !o->unacked_sdp,
                         "no 2xx while an SDP reliable 1xx is unacknowledged (R27, R54)");
            SH_CHECK(!(a->flags & PRACK_AF_RELEASED) || o->held, "only a held 2xx is released");
            SH_CHECK(!(a->flags & PRACK_AF_REPLACES_HELD) || o->held, "only a held 2xx is replaced");
            SH_CHECK(!o->held || (a->flags & (PRACK_AF_RELEASED | PRACK_AF_REPLACES_HELD)),
                     "a held 2xx is released or replaced, never forgotten");
            if (a->flags & PRACK_AF_TIMEOUT) {
                SH_CHECK(timer && o->unacked != 0, "timeout only with an unacknowledged 1xx");
                SH_CHECK(now >= sh_tadd(o->sent_at, 64u * (uint64_t)t1),
                         "timeout not before 64*T1 (R20)");
                SH_CHECK(a->status >= 500 && a->status <= 599, "the timeout final is a 5xx (R20)");
            }
            o->final = true;
            o->held = false;
            break;
        case PRACK_ACT_ANSWER_PRACK:
            SH_CHECK(++answers == 1, "one answer per PRACK");
            SH_CHECK(a->status == 200 || a->status == 481 || a->status == 400,
                     "a PRACK is answered 200, 481 or 400");
            if (a->status == 200 && a->reason == PRACK_R_NONE) {
                SH_CHECK(a->rseq == o->unacked && o->unacked, "a 200 acknowledges the unacknowledged 1xx");
                o->unacked = 0;
                o->unacked_sdp = false;
            } else if (a->status == 200) {
                SH_CHECK(a->reason == PRACK_R_DUPLICATE && a->rseq != 0 && a->rseq <= o->last &&
                             a->rseq != o->unacked,
                         "a second 200 only for a 1xx already acknowledged");
            }
            break;
        case PRACK_ACT_DROP_1XX:
        case PRACK_ACT_EVENT:
            break;
        default:
            SH_CHECK(false, "a UAS produces UAS actions only");
        }
    }
}

/* Getters and guards against the model, after every call. */
static inline void sh_uas_after(sh_uas_t *s)
{
    const prack_uas_t *u = &s->box.e;
    SH_CHECK(sh_guard_ok(s->box.pre, SH_GUARD) && sh_guard_ok(s->box.post, SH_GUARD),
             "engine writes only inside its struct (constant state size)");
    for (size_t i = s->qcap; i <= PRACK_UAS_QUEUE_MAX; i++)
        SH_CHECK(sh_guard_ok((const uint8_t *)&s->qmem[i], sizeof(s->qmem[i])),
                 "engine writes only inside queue_cap entries");
    if (!s->ready)
        return;
    SH_CHECK(prack_uas_queued(u) <= s->qcap, "queue within its capacity");
    SH_CHECK(prack_uas_unacked(u) == s->obs.unacked, "prack_uas_unacked() is the outstanding RSeq");
    if (!sh_model())
        return;
    SH_CHECK((int)prack_uas_state(u) == s->state, "prack_uas_state() as documented");
    SH_CHECK(prack_uas_reliable(u) == s->reliable, "prack_uas_reliable() as negotiated");
    SH_CHECK(prack_uas_queued(u) == s->qlen, "prack_uas_queued() is the queue length");
    SH_CHECK(prack_next_deadline(u) == sh_uas_deadline(s), "prack_next_deadline() as documented");
    if (sh_uas_live(s) && s->unacked)
        SH_CHECK(prack_next_deadline(u) <= sh_uas_timeout_time(s),
                 "a live unacknowledged 1xx always has a deadline by 64*T1 (no 2xx held forever)");
    prack_uas_stats_t st;
    SH_CHECK(prack_uas_counters(u, &st) == PRACK_OK, "counters readable");
    SH_CHECK(st.reliable_sent == s->n_sent, "reliable_sent counts new reliable 1xx");
    SH_CHECK(st.acknowledged == s->n_sent - (s->unacked ? 1u : 0u), "acknowledged counter");
    SH_CHECK(st.retransmissions == (s->n_retx > 65535u ? 65535u : s->n_retx), "retransmissions counter");
    SH_CHECK(st.rejected_pracks == (s->n_rej > 65535u ? 65535u : s->n_rej), "rejected_pracks counter");
    SH_CHECK(strcmp(prack_uas_state_name(prack_uas_state(u)), "?") != 0, "state has a name");
}

typedef struct sh_uas_snap {
    prack_uas_t e;
    prack_uas_entry_t q[PRACK_UAS_QUEUE_MAX + 1];
} sh_uas_snap_t;

static inline void sh_uas_snap(const sh_uas_t *s, sh_uas_snap_t *b)
{
    memcpy(&b->e, &s->box.e, sizeof(b->e));
    memcpy(b->q, s->qmem, sizeof(b->q));
}

/*
 * Judge a call: s still holds the shadow state from before it (and the live
 * engine); model is the state the documentation says it moves to.
 */
static inline void sh_uas_commit(sh_uas_t *s, const sh_uas_snap_t *before, int rc, unsigned errs,
                                 const sh_exp_t *e, prack_actions_t *out, prack_time_t now,
                                 bool timer, const sh_uas_t *model)
{
    sh_batch_sane(rc, out);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK) {
        sh_exp_compare(e, out);
        sh_uas_obs_t o = s->obs;
        sh_uas_invariants(&o, model->t1, model->reliable, now, out, timer);
        sh_uas_t next = *model;
        memcpy(&next.box, &s->box, sizeof(next.box));
        memcpy(next.qmem, s->qmem, sizeof(next.qmem));
        next.obs = o;
        *s = next;
        if (now > s->now_max)
            s->now_max = now;
    } else if (s->ready) {
        SH_CHECK(memcmp(&before->e, &s->box.e, sizeof(before->e)) == 0 &&
                     memcmp(before->q, s->qmem, sizeof(before->q)) == 0,
                 "a failing call leaves the engine unchanged");
    }
    sh_uas_after(s);
}

/* A NULL cfg means the defaults. */
static inline int sh_uas_init(sh_uas_t *s, const prack_config_t *cfg, const prack_invite_t *inv,
                              size_t qcap, uint32_t random, prack_time_t now, prack_actions_t *out)
{
    prack_config_t def;
    prack_config_init(&def);
    memset(s, 0, sizeof(*s));
    sh_guard_fill(s->box.pre);
    sh_guard_fill(s->box.post);
    memset(s->qmem, SH_GUARD_BYTE, sizeof(s->qmem));
    s->qcap = qcap <= PRACK_UAS_QUEUE_MAX ? qcap : 0;

    unsigned errs = 0;
    if (!sh_config_valid(cfg) || qcap > PRACK_UAS_QUEUE_MAX || inv->cseq > 0x7FFFFFFFu ||
        (inv->flags & ~7u) || now == PRACK_TIME_NONE)
        errs = SH_E(PRACK_ERR_INVAL);
    const prack_config_t *c = cfg ? cfg : &def;

    sh_uas_t m = *s;
    sh_exp_t e = {0};
    if (!errs) {
        m.ready = true;
        m.cseq = inv->cseq;
        m.t1 = c->t1_ms;
        m.refresh_ms = c->refresh_ms / 1000u * 1000u;
        m.timeout_status = c->timeout_status;
        m.first = 1u + random % 0x7FFFFFFFu;
        m.sent_at = now;
        m.now_max = now;
        m.state = PRACK_UAS_PROCEEDING;
        m.oa = (inv->flags & PRACK_INV_SDP) ? SH_OA_OFFER_RCVD : SH_OA_NONE;
        bool listed = (inv->flags & 3u) != 0;
        bool required = (inv->flags & PRACK_INV_REQUIRE_100REL) != 0;
        if (c->policy == PRACK_POLICY_OFF) {
            if (required) {
                m.state = PRACK_UAS_REJECTED;
                m.final_status = 420;
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
                a->status = 420;
                a->flags = PRACK_AF_UNSUPPORTED_100REL;
                a->cseq = m.cseq;
            }
        } else if (c->policy == PRACK_POLICY_REQUIRED && !listed) {
            m.state = PRACK_UAS_REJECTED;
            m.final_status = 421;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
            a->status = 421;
            a->flags = PRACK_AF_REQUIRE_100REL;
            a->cseq = m.cseq;
        } else {
            m.reliable = listed;
            m.required = required;
        }
    }
    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_uas_init(&s->box.e, cfg, inv, qcap ? s->qmem : NULL, qcap, random, now, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, false, &m);
    if (rc == PRACK_OK && !sh_model()) {
        /* what the model would have supplied: the settings, from the header's rules */
        s->ready = true;
        s->t1 = c->t1_ms;
        s->reliable = prack_uas_reliable(&s->box.e);
    }
    return rc;
}

static inline int sh_uas_send_1xx(sh_uas_t *s, prack_time_t now, uint16_t status, unsigned flags,
                                  void *user, prack_actions_t *out)
{
    sh_uas_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = sh_uas_clock(s, now);
    bool sdp = (flags & PRACK_1XX_SDP) != 0;
    bool reliable = status != 100 && s->reliable &&
                    (!(flags & PRACK_1XX_UNRELIABLE) || s->required);
    if (status < 100 || status > 199 || (flags & ~3u) || (status == 100 && sdp))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (s->state != PRACK_UAS_PROCEEDING)
        errs |= SH_E(PRACK_ERR_STATE);
    else if (!reliable) {
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_1XX);
        size_t at = e.n - 1u;
        a->status = status;
        a->cseq = s->cseq;
        a->user = user;
        e.v[at].sdp = sh_uas_prov_sdp(&m, sdp, false, &e);
    } else if (s->oa == SH_OA_NONE && !sdp)
        errs |= SH_E(PRACK_ERR_OFFER_REQUIRED);
    else if (s->unacked) {
        if (s->qlen >= s->qcap)
            errs |= SH_E(PRACK_ERR_QUEUE_FULL);
        else if ((uint64_t)s->last + 1u + s->qlen + 1u > UINT32_MAX)
            errs |= SH_E(PRACK_ERR_RANGE);
        else {
            m.q_user[m.qlen] = user;
            m.q_status[m.qlen] = status;
            m.q_sdp[m.qlen] = sdp;
            m.qlen++;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_QUEUE_1XX);
            a->status = status;
            a->cseq = s->cseq;
            a->user = user;
        }
    } else if (s->n_sent && (uint64_t)s->last + 1u >= UINT32_MAX)
        errs |= SH_E(PRACK_ERR_RANGE);
    else
        sh_uas_send_new(&m, now, status, sdp, user, 0, &e);

    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_uas_send_1xx(&s->box.e, now, status, flags, user, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, false, &m);
    return rc;
}

static inline int sh_uas_send_final(sh_uas_t *s, prack_time_t now, uint16_t status,
                                    prack_actions_t *out)
{
    sh_uas_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = sh_uas_clock(s, now);
    if (status < 200 || status > 699)
        errs |= SH_E(PRACK_ERR_INVAL);
    if (s->state == PRACK_UAS_HELD && status >= 300) {
        /* the callee gave up while the 2xx waited: the failure goes at once */
        m.state = PRACK_UAS_COMPLETED;
        m.final_status = status;
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
        a->status = status;
        a->flags = PRACK_AF_REPLACES_HELD;
        a->cseq = s->cseq;
    } else if (s->state != PRACK_UAS_PROCEEDING)
        errs |= SH_E(PRACK_ERR_STATE);
    else {
        sh_uas_drop_queue(&m, &e);
        m.final_status = status;
        if (status < 300 && s->unacked && s->unacked_sdp) {
            m.state = PRACK_UAS_HELD;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_HOLD_FINAL);
            a->status = status;
            a->rseq = s->unacked;
            a->cseq = s->cseq;
        } else {
            m.state = PRACK_UAS_COMPLETED;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
            size_t at = e.n - 1u;
            a->status = status;
            a->cseq = s->cseq;
            e.v[at].sdp = sh_uas_final_sdp(&m, status, &e);
        }
    }
    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_uas_send_final(&s->box.e, now, status, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, false, &m);
    return rc;
}

static inline int sh_uas_cancel(sh_uas_t *s, prack_time_t now, prack_actions_t *out)
{
    sh_uas_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = sh_uas_clock(s, now);
    if (s->state == PRACK_UAS_REJECTED)
        errs |= SH_E(PRACK_ERR_STATE);
    else if (sh_uas_live(s)) {
        uint16_t fl = PRACK_AF_CANCELLED;
        if (s->state == PRACK_UAS_HELD)
            fl |= PRACK_AF_REPLACES_HELD;
        sh_uas_drop_queue(&m, &e);
        m.state = PRACK_UAS_COMPLETED;
        m.final_status = 487;
        m.cancelled = true;
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
        a->status = 487;
        a->flags = fl;
        a->cseq = s->cseq;
    }
    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_uas_cancel(&s->box.e, now, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, false, &m);
    return rc;
}

static inline int sh_uas_prack(sh_uas_t *s, prack_time_t now, const prack_prack_t *pr,
                               prack_actions_t *out)
{
    sh_uas_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = sh_uas_clock(s, now);
    if ((pr->flags & ~3u) || ((pr->flags & PRACK_PR_RACK) && !pr->method && pr->method_len))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (!(pr->flags & PRACK_PR_RACK)) {
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_ANSWER_PRACK);
        a->status = 400;
        a->reason = PRACK_R_BAD_RACK;
        a->cseq = s->cseq;
        m.n_rej++;
    } else {
        bool same = pr->cseq == s->cseq && pr->method_len == 6 && pr->method &&
                    memcmp(pr->method, "INVITE", 6) == 0;
        uint32_t r32 = pr->rseq <= UINT32_MAX ? (uint32_t)pr->rseq : 0u;
        uint64_t acked_top = (uint64_t)s->last - (s->unacked ? 1u : 0u);
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_ANSWER_PRACK);
        size_t at = e.n - 1u;
        a->rseq = r32;
        a->cseq = s->cseq;
        if (same && s->unacked && pr->rseq == s->unacked) {
            bool had_sdp = s->unacked_sdp, had_answer = s->unacked_answer;
            a->status = 200;
            a->user = s->cur_user;
            m.unacked = 0;
            m.unacked_sdp = m.unacked_answer = false;
            m.slot = 0;
            /* after a failure final the early dialog is over (RFC 3261 12.3): no offer/answer */
            bool dead = m.state == PRACK_UAS_COMPLETED && m.final_status >= 300;
            if (dead) {
                /* acknowledged, nothing more */
            } else if (pr->flags & PRACK_PR_SDP) {
                if (m.oa == SH_OA_OFFER_SENT) { /* R50 */
                    m.oa = SH_OA_DONE;
                    sh_exp_push(&e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
                } else if (had_answer) { /* R51, R52; RFC 6337 2.2 */
                    e.v[at].sdp = PRACK_SDP_ANSWER;
                    sh_exp_push(&e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
                } else {
                    sh_exp_push(&e, PRACK_ACT_EVENT)->reason = PRACK_R_SDP_UNEXPECTED;
                }
            } else if (had_sdp && m.oa == SH_OA_OFFER_SENT) {
                sh_exp_push(&e, PRACK_ACT_EVENT)->reason = PRACK_R_ANSWER_MISSING;
            }
            if (m.state == PRACK_UAS_HELD) {
                m.state = PRACK_UAS_COMPLETED;
                prack_action_t *f = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
                size_t fat = e.n - 1u;
                f->status = m.final_status;
                f->flags = PRACK_AF_RELEASED;
                f->cseq = m.cseq;
                e.v[fat].sdp = sh_uas_final_sdp(&m, m.final_status, &e);
            } else if (m.state == PRACK_UAS_PROCEEDING && m.qlen) {
                uint16_t st = m.q_status[0];
                bool qs = m.q_sdp[0];
                void *us = m.q_user[0];
                memmove(m.q_user, m.q_user + 1, (m.qlen - 1u) * sizeof(m.q_user[0]));
                memmove(m.q_status, m.q_status + 1, (m.qlen - 1u) * sizeof(m.q_status[0]));
                memmove(m.q_sdp, m.q_sdp + 1, (m.qlen - 1u) * sizeof(m.q_sdp[0]));
                m.qlen--;
                sh_uas_send_new(&m, now, st, qs, us, 0, &e);
            }
        } else if (same && s->n_sent && pr->rseq >= s->first && pr->rseq <= acked_top) {
            a->status = 200;
            a->reason = PRACK_R_DUPLICATE;
        } else {
            a->status = 481;
            a->reason = PRACK_R_NO_MATCH;
            m.n_rej++;
        }
    }
    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_uas_on_prack(&s->box.e, now, pr, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, false, &m);
    return rc;
}

static inline int sh_uas_timer(sh_uas_t *s, prack_time_t now, prack_actions_t *out)
{
    sh_uas_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = sh_uas_clock(s, now);
    /*
     * Work through whatever is due, as the header promises the deadline is past
     * now afterwards: a refresh arms a retransmission after now, which only the
     * saturated end of time can make due at once.
     */
    bool retransmitted = false;
    for (int pass = 0; pass < 8; pass++) {
        prack_time_t due = sh_uas_deadline(&m);
        if (due == PRACK_TIME_NONE || due > now)
            break;
        if (m.unacked) {
            if (now >= sh_uas_timeout_time(&m)) {
                uint16_t fl = PRACK_AF_TIMEOUT;
                if (m.state == PRACK_UAS_HELD)
                    fl |= PRACK_AF_REPLACES_HELD;
                sh_uas_drop_queue(&m, &e);
                m.state = PRACK_UAS_COMPLETED;
                m.final_status = m.timeout_status;
                m.timed_out = true;
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
                a->status = m.timeout_status;
                a->flags = fl;
                a->cseq = m.cseq;
                a->text = PRACK_TIMEOUT_TEXT;
                sh_exp_push(&e, PRACK_ACT_EVENT)->reason = PRACK_R_TIMEOUT;
                break;
            }
            if (!retransmitted) {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_1XX);
                a->status = m.cur_status;
                a->flags = PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT;
                a->rseq = m.unacked;
                a->cseq = m.cseq;
                a->user = m.cur_user;
                m.n_retx++;
                retransmitted = true;
            }
            do
                m.slot++;
            while (m.slot < 7u && sh_uas_retx_time(&m, m.slot + 1u) <= now);
            continue;
        }
        if ((uint64_t)m.last + 1u >= UINT32_MAX) {
            m.refresh_ms = 0;
            break;
        }
        sh_uas_send_new(&m, now, m.cur_status, false, m.cur_user, PRACK_AF_REFRESH, &e);
    }
    sh_uas_snap_t b;
    sh_uas_snap(s, &b);
    sh_poison(out);
    int rc = prack_on_timer(&s->box.e, now, out);
    sh_uas_commit(s, &b, rc, errs, &e, out, now, true, &m);
    if (rc == PRACK_OK) {
        prack_time_t d = prack_next_deadline(&s->box.e);
        SH_CHECK(d == PRACK_TIME_NONE || d > now,
                 "after the timer at now, the next deadline is later than now or none");
        if (!s->obs.final && s->obs.unacked)
            SH_CHECK(now < sh_tadd(s->obs.sent_at, 64u * (uint64_t)s->t1),
                     "64*T1 without PRACK ends the INVITE (R20): no 2xx held, no 1xx resent forever");
    }
    return rc;
}

/* ========================================================================= */
/* UAC                                                                        */
/* ========================================================================= */

enum { SH_UOA_UNSET, SH_UOA_NONE, SH_UOA_OFFER_SENT, SH_UOA_DONE, SH_UOA_PRACK_OFFER };

/* What the actions said about one early dialog. */
typedef struct sh_dlg_obs {
    bool seen;
    uint32_t last, rack_cseq;
} sh_dlg_obs_t;

typedef struct sh_dlg {
    struct {
        uint8_t pre[SH_GUARD];
        prack_uac_dialog_t d;
        uint8_t post[SH_GUARD];
    } box;
    sh_dlg_obs_t obs;
    /* the model */
    bool seen, may_offer;
    uint32_t last, rack_cseq;
    uint8_t cache, cache_sdp; /* bit i: RSeq last + 2 + i */
    int oa;
    uint32_t auth_mask;  /* bit i: the PRACK for RSeq last - i was resent with credentials */
    uint32_t offer_rseq; /* the RSeq whose PRACK carries our offer */
} sh_dlg_t;

typedef struct sh_uac {
    struct {
        uint8_t pre[SH_GUARD];
        prack_uac_t u;
        uint8_t post[SH_GUARD];
    } box;
    sh_dlg_t dlg[SH_DLG_MAX];
    int obs_state; /* from the first DELIVER_FINAL */
    /* the model */
    bool ready;
    uint32_t cseq;
    bool invite_sdp, after_2xx, cache;
    int policy, failure;
    int state;
    uint16_t final_status;
    prack_time_t last_now;
    uint32_t n_prack, n_discard, n_ok, n_failed;
} sh_uac_t;

static inline prack_uac_dialog_t *sh_uac_dialog(sh_uac_t *s, int di)
{
    return di >= 0 && di < SH_DLG_MAX ? &s->dlg[di].box.d : NULL;
}

static inline void sh_uac_after(sh_uac_t *s)
{
    SH_CHECK(sh_guard_ok(s->box.pre, SH_GUARD) && sh_guard_ok(s->box.post, SH_GUARD),
             "UAC engine writes only inside its struct (constant state size)");
    for (int i = 0; i < SH_DLG_MAX; i++) {
        const sh_dlg_t *d = &s->dlg[i];
        SH_CHECK(sh_guard_ok(d->box.pre, SH_GUARD) && sh_guard_ok(d->box.post, SH_GUARD),
                 "UAC engine writes only inside the dialog struct");
        if (sh_model())
            SH_CHECK(prack_uac_dialog_rseq(&d->box.d) == (d->seen ? d->last : 0u),
                     "prack_uac_dialog_rseq() is the last in-order RSeq (R41)");
    }
    if (!s->ready || !sh_model())
        return;
    const prack_uac_t *u = &s->box.u;
    SH_CHECK((int)prack_uac_state(u) == s->state, "prack_uac_state() as documented");
    SH_CHECK(strcmp(prack_uac_state_name(prack_uac_state(u)), "?") != 0, "state has a name");
    prack_option_t opt = s->policy == PRACK_POLICY_SUPPORTED  ? PRACK_OPTION_SUPPORTED
                         : s->policy == PRACK_POLICY_REQUIRED ? PRACK_OPTION_REQUIRE
                                                              : PRACK_OPTION_NONE;
    SH_CHECK(prack_uac_option(u) == opt, "prack_uac_option() follows the policy (R32)");
    prack_uac_stats_t st;
    SH_CHECK(prack_uac_counters(u, &st) == PRACK_OK, "counters readable");
    SH_CHECK(st.pracks_sent == s->n_prack && st.discarded == s->n_discard &&
                 st.pracks_ok == s->n_ok && st.pracks_failed == s->n_failed,
             "UAC counters as documented");
}

/* s must be zeroed memory. */
static inline int sh_uac_init(sh_uac_t *s, const prack_config_t *cfg, uint32_t cseq, unsigned flags,
                              prack_time_t now)
{
    prack_config_t def;
    prack_config_init(&def);
    memset(s, 0, sizeof(*s));
    sh_guard_fill(s->box.pre);
    sh_guard_fill(s->box.post);
    for (int i = 0; i < SH_DLG_MAX; i++) {
        sh_guard_fill(s->dlg[i].box.pre);
        sh_guard_fill(s->dlg[i].box.post);
        SH_CHECK(prack_uac_dialog_init(&s->dlg[i].box.d) == PRACK_OK, "dialog init");
    }
    bool valid = sh_config_valid(cfg) && cseq <= 0x7FFFFFFFu && !(flags & ~1u) &&
                 now != PRACK_TIME_NONE;
    const prack_config_t *c = cfg ? cfg : &def;
    int rc = prack_uac_init(&s->box.u, cfg, cseq, flags, now);
    sh_check_rc(rc, valid ? 0u : SH_E(PRACK_ERR_INVAL));
    if (rc == PRACK_OK) {
        s->ready = true;
        s->cseq = cseq;
        s->invite_sdp = (flags & PRACK_UAC_INVITE_SDP) != 0;
        s->after_2xx = c->prack_after_2xx;
        s->cache = c->cache_out_of_order;
        s->policy = (int)c->policy;
        s->failure = (int)c->on_prack_failure;
        s->state = PRACK_UAC_CALLING;
        s->obs_state = PRACK_UAC_CALLING;
        s->last_now = now;
    }
    sh_uac_after(s);
    return rc;
}

static inline void sh_uac_dialog_start(const sh_uac_t *s, sh_dlg_t *d)
{
    if (d->oa == SH_UOA_UNSET)
        d->oa = s->invite_sdp ? SH_UOA_OFFER_SENT : SH_UOA_NONE;
}

static inline void sh_uac_event(sh_exp_t *e, prack_reason_t r, uint16_t status, uint32_t rseq)
{
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_EVENT);
    a->reason = r;
    a->status = status;
    a->rseq = rseq;
}

static inline void sh_uac_discard(sh_uac_t *m, const prack_response_t *rsp, prack_reason_t r,
                                  sh_exp_t *e)
{
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_DISCARD_1XX);
    a->status = rsp->status;
    a->reason = r;
    a->rseq = (rsp->flags & PRACK_RSP_RSEQ) && rsp->rseq <= UINT32_MAX ? (uint32_t)rsp->rseq : 0u;
    a->cseq = rsp->cseq;
    m->n_discard++;
}

static inline void sh_uac_drop_cache(sh_dlg_t *d, sh_exp_t *e)
{
    for (unsigned i = 0; i < PRACK_UAC_CACHE_WINDOW; i++) {
        if (d->cache & (1u << i)) {
            prack_action_t *c = sh_exp_push(e, PRACK_ACT_DROP_CACHED);
            c->rseq = d->last + 2u + i;
            c->cseq = d->rack_cseq;
        }
    }
    d->cache = 0;
    d->cache_sdp = 0;
}

static inline void sh_uac_accept(sh_uac_t *m, sh_dlg_t *d, uint16_t status, uint32_t rseq, bool sdp,
                                 uint16_t flags, sh_exp_t *e)
{
    d->auth_mask = d->seen ? d->auth_mask << (rseq - d->last) : 0u;
    d->last = rseq;
    d->seen = true;
    d->may_offer = false;
    m->n_prack++;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_SEND_PRACK);
    size_t at = e->n - 1u;
    a->status = status;
    a->flags = flags;
    a->rseq = rseq;
    a->cseq = d->rack_cseq;
    bool session = false;
    switch (d->oa) {
    case SH_UOA_OFFER_SENT:
        if (sdp) { /* the answer to our offer: only its PRACK may offer (RFC 6337 2.2) */
            d->oa = SH_UOA_DONE;
            d->may_offer = true;
            e->v[at].sdp = PRACK_SDP_MAY_OFFER;
            session = true;
        }
        break;
    case SH_UOA_NONE:
        if (sdp) { /* R50 */
            d->oa = SH_UOA_DONE;
            e->v[at].sdp = PRACK_SDP_ANSWER;
            session = true;
        }
        break;
    default:
        break;
    }
    if (session)
        sh_uac_event(e, PRACK_R_SESSION, status, rseq);
}

/*
 * The invariants, on the actions actually produced, from what earlier actions
 * said (the obs parts) and the configuration; they read nothing of the model.
 */
static inline void sh_uac_invariants(sh_uac_t *s, int di, const prack_response_t *rsp,
                                     const prack_actions_t *out)
{
    sh_dlg_obs_t *o = di >= 0 && di < SH_DLG_MAX ? &s->dlg[di].obs : NULL;
    int state = s->obs_state;
    bool final_here = false;
    for (size_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_PRACK:
            SH_CHECK(o != NULL, "a PRACK belongs to an early dialog (R36)");
            SH_CHECK(a->rseq != 0, "never a PRACK without an RSeq to acknowledge (RAck: undefined)");
            if (a->flags & PRACK_AF_AUTH) {
                SH_CHECK(rsp->method == PRACK_METHOD_PRACK && (rsp->status == 401 || rsp->status == 407),
                         "a PRACK is resent only after 401/407 (R57)");
                if (o->seen) /* the header lets a host name an RSeq on a dialog with no PRACK */
                    SH_CHECK(a->cseq == o->rack_cseq, "the resent PRACK keeps its RAck");
                break;
            }
            SH_CHECK(rsp->method == PRACK_METHOD_INVITE && rsp->status > 100 && rsp->status < 200 &&
                         (rsp->flags & PRACK_RSP_REQUIRE_100REL) && (rsp->flags & PRACK_RSP_RSEQ),
                     "only a reliable 1xx is PRACKed (R34, errata 4602)");
            SH_CHECK(state != PRACK_UAC_FAILED, "no PRACK after a non-2xx final (RFC 3261 12.3)");
            SH_CHECK(state != PRACK_UAC_ACCEPTED || s->after_2xx,
                     "no PRACK after a 2xx unless configured (R47)");
            if (!o->seen || rsp->cseq > o->rack_cseq) {
                /* the first reliable 1xx of a dialog, or of a re-INVITE on it (N5) */
                SH_CHECK((a->flags & PRACK_AF_NEW_DIALOG) && a->rseq == rsp->rseq &&
                             a->cseq == rsp->cseq,
                         "the first reliable 1xx of a dialog starts its RSeq space (R43)");
                o->seen = true;
                o->rack_cseq = rsp->cseq;
            } else {
                SH_CHECK(rsp->cseq == o->rack_cseq, "no PRACK for an older INVITE's 1xx");
                SH_CHECK(a->rseq == o->last + 1u && !(a->flags & PRACK_AF_NEW_DIALOG),
                         "a PRACK only for RSeq last + 1 on its dialog (R44), so one per 1xx (R40)");
                SH_CHECK(a->cseq == o->rack_cseq, "RAck CSeq-num is the INVITE's (R37)");
            }
            o->last = a->rseq;
            break;
        case PRACK_ACT_DELIVER_1XX:
            SH_CHECK(state == PRACK_UAC_CALLING, "no provisional delivered after a final (R42)");
            SH_CHECK(rsp->status == 100 || !(rsp->flags & PRACK_RSP_REQUIRE_100REL),
                     "a reliable 1xx is never delivered without its PRACK");
            break;
        case PRACK_ACT_DELIVER_FINAL:
            SH_CHECK(rsp->method == PRACK_METHOD_INVITE && rsp->status >= 200 &&
                         a->status == rsp->status,
                     "the final delivered is the one received");
            if (state == PRACK_UAC_CALLING)
                state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED;
            final_here = true;
            break;
        case PRACK_ACT_CACHE_1XX:
            SH_CHECK(s->cache && state == PRACK_UAC_CALLING, "cache only when enabled, before a final");
            SH_CHECK(o && o->seen && a->rseq > (uint64_t)o->last + 1u &&
                         a->rseq <= (uint64_t)o->last + 1u + PRACK_UAC_CACHE_WINDOW,
                     "cached only beyond a gap, within the window (R46)");
            break;
        case PRACK_ACT_RETRY_INVITE:
            SH_CHECK(final_here && s->obs_state == PRACK_UAC_CALLING, "retry only on the first final");
            break;
        case PRACK_ACT_TERMINATE:
            SH_CHECK(s->failure == PRACK_FAILURE_TERMINATE, "terminate only when configured");
            break;
        case PRACK_ACT_DROP_CACHED:
            SH_CHECK(s->cache, "nothing cached unless enabled");
            break;
        case PRACK_ACT_DISCARD_1XX:
        case PRACK_ACT_EVENT:
            break;
        default:
            SH_CHECK(false, "a UAC produces UAC actions only");
        }
    }
    s->obs_state = state;
}

/* di: dialog index, or -1 for a response without To-tag. */
static inline int sh_uac_response(sh_uac_t *s, int di, prack_time_t now, const prack_response_t *rsp,
                                  prack_actions_t *out)
{
    sh_uac_t m = *s;
    sh_exp_t e = {0};
    unsigned errs = 0;
    sh_dlg_t *d = di >= 0 && di < SH_DLG_MAX ? &m.dlg[di] : NULL;
    if (rsp->status < 100 || rsp->status > 699 || (rsp->flags & ~0xFu) || now == PRACK_TIME_NONE)
        errs |= SH_E(PRACK_ERR_INVAL);
    if (rsp->method == PRACK_METHOD_PRACK &&
        (!d || rsp->rseq > UINT32_MAX || (rsp->rseq == 0 && !d->seen)))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (now < s->last_now)
        errs |= SH_E(PRACK_ERR_TIME);
    if (errs) {
        /* nothing to model */
    } else if (rsp->method == PRACK_METHOD_INVITE && rsp->status < 200) {
        bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;
        uint32_t rseq = (uint32_t)rsp->rseq;
        if (rsp->status == 100 || !(rsp->flags & PRACK_RSP_REQUIRE_100REL)) {
            if (m.state != PRACK_UAC_CALLING) {
                sh_uac_discard(&m, rsp, PRACK_R_AFTER_FINAL, &e);
                if (d)
                    sh_uac_drop_cache(d, &e);
            } else {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_DELIVER_1XX);
                a->status = rsp->status;
                a->cseq = rsp->cseq;
            }
        } else if (!(rsp->flags & PRACK_RSP_RSEQ) || rsp->rseq == 0 || rsp->rseq > UINT32_MAX)
            sh_uac_discard(&m, rsp, PRACK_R_BAD_RSEQ, &e);
        else if (!d)
            sh_uac_discard(&m, rsp, PRACK_R_NO_DIALOG, &e);
        else if (d->seen && rsp->cseq < d->rack_cseq)
            sh_uac_discard(&m, rsp, PRACK_R_STALE, &e); /* N5, N7 */
        else {
            if (d->seen && rsp->cseq > d->rack_cseq) { /* a re-INVITE: a fresh RSeq space */
                sh_uac_drop_cache(d, &e);
                d->seen = d->may_offer = false;
                d->oa = SH_UOA_UNSET;
            }
            if (d->seen && rseq <= d->last)
                sh_uac_discard(&m, rsp, PRACK_R_RETRANSMISSION, &e);
            else if (m.state == PRACK_UAC_FAILED || (m.state == PRACK_UAC_ACCEPTED && !m.after_2xx)) {
                sh_uac_discard(&m, rsp, PRACK_R_AFTER_FINAL, &e);
                sh_uac_drop_cache(d, &e);
            } else {
                sh_uac_dialog_start(&m, d);
                if (!d->seen) {
                    d->rack_cseq = rsp->cseq;
                    sh_uac_accept(&m, d, rsp->status, rseq, sdp, PRACK_AF_NEW_DIALOG, &e);
                } else if (rseq - d->last != 1u) {
                    uint32_t slot = rseq - d->last - 2u;
                    bool open = m.cache && m.state == PRACK_UAC_CALLING;
                    if (!open || slot >= PRACK_UAC_CACHE_WINDOW)
                        sh_uac_discard(&m, rsp, open ? PRACK_R_CACHE_FULL : PRACK_R_OUT_OF_ORDER, &e);
                    else if (d->cache & (1u << slot))
                        sh_uac_discard(&m, rsp, PRACK_R_RETRANSMISSION, &e);
                    else {
                        d->cache = (uint8_t)(d->cache | (1u << slot));
                        if (sdp)
                            d->cache_sdp = (uint8_t)(d->cache_sdp | (1u << slot));
                        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_CACHE_1XX);
                        a->status = rsp->status;
                        a->rseq = rseq;
                        a->cseq = rsp->cseq;
                    }
                } else {
                    sh_uac_accept(&m, d, rsp->status, rseq, sdp, 0, &e);
                    /* bit 0 is now last + 1: take the run the gap was holding back */
                    while (d->cache & 1u) {
                        bool cs = (d->cache_sdp & 1u) != 0;
                        d->cache = (uint8_t)(d->cache >> 1);
                        d->cache_sdp = (uint8_t)(d->cache_sdp >> 1);
                        sh_uac_accept(&m, d, 0, d->last + 1u, cs, PRACK_AF_CACHED, &e);
                    }
                    d->cache = (uint8_t)(d->cache >> 1);
                    d->cache_sdp = (uint8_t)(d->cache_sdp >> 1);
                }
            }
        }
    } else if (rsp->method == PRACK_METHOD_INVITE) {
        bool first = m.state == PRACK_UAC_CALLING;
        if (first) {
            m.state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED;
            m.final_status = rsp->status;
        }
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_DELIVER_FINAL);
        size_t at = e.n - 1u;
        a->status = rsp->status;
        a->cseq = rsp->cseq;
        if (d) {
            sh_uac_drop_cache(d, &e);
            if (rsp->status < 300) {
                bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;
                sh_uac_dialog_start(&m, d);
                if (d->oa == SH_UOA_OFFER_SENT) { /* RFC 3261 13.2.1: the answer is due now */
                    d->oa = SH_UOA_DONE;
                    e.v[at].sdp = sdp ? PRACK_SDP_ANSWER : PRACK_SDP_NONE;
                    sh_uac_event(&e, sdp ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING, rsp->status, 0);
                } else if (sdp) {
                    e.v[at].sdp = d->oa == SH_UOA_NONE ? PRACK_SDP_OFFER : PRACK_SDP_REPEAT;
                }
            }
        }
        if (first && rsp->status == 420 && (rsp->flags & PRACK_RSP_UNSUPPORTED_100REL) &&
            m.policy == PRACK_POLICY_REQUIRED) {
            a = sh_exp_push(&e, PRACK_ACT_RETRY_INVITE);
            a->status = 420;
            a->option = PRACK_OPTION_NONE;
        } else if (first && rsp->status == 421 && (rsp->flags & PRACK_RSP_REQUIRE_100REL) &&
                   m.policy == PRACK_POLICY_OFF) {
            a = sh_exp_push(&e, PRACK_ACT_RETRY_INVITE);
            a->status = 421;
            a->option = PRACK_OPTION_SUPPORTED;
        }
    } else if (rsp->method == PRACK_METHOD_PRACK && rsp->status >= 200) {
        uint32_t rseq = rsp->rseq ? (uint32_t)rsp->rseq : d->last;
        if (rsp->status < 300) {
            m.n_ok++;
            sh_uac_event(&e, PRACK_R_PRACK_OK, rsp->status, rseq);
            if (d->oa == SH_UOA_PRACK_OFFER && rseq == d->offer_rseq) { /* R51 */
                d->oa = SH_UOA_DONE;
                sh_uac_event(&e, (rsp->flags & PRACK_RSP_SDP) ? PRACK_R_SESSION
                                                               : PRACK_R_ANSWER_MISSING,
                             rsp->status, rseq);
            }
        } else if ((rsp->status == 401 || rsp->status == 407) && d->seen && rseq <= d->last &&
                   d->last - rseq < 32u && !(d->auth_mask & (1u << (d->last - rseq)))) {
            /* R57: once per PRACK; one far behind the dialog's RSeq is not tracked and fails */
            d->auth_mask |= 1u << (d->last - rseq);
            m.n_prack++;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_PRACK);
            a->status = rsp->status;
            a->flags = PRACK_AF_AUTH;
            a->rseq = rseq;
            a->cseq = d->rack_cseq;
            a->sdp = PRACK_SDP_REPEAT;
        } else {
            m.n_failed++;
            if (d->oa == SH_UOA_PRACK_OFFER && rseq == d->offer_rseq)
                d->oa = SH_UOA_DONE;
            sh_uac_event(&e, PRACK_R_PRACK_FAILED, rsp->status, rseq);
            if (rsp->status == 481 || rsp->status == 408)
                e.v[e.n - 1u].flags = PRACK_AF_DIALOG_GONE;
            if (m.failure == PRACK_FAILURE_TERMINATE) {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_TERMINATE);
                a->status = rsp->status;
                a->rseq = rseq;
            }
        }
    }
    prack_uac_t before = s->box.u;
    prack_uac_dialog_t dbefore;
    memset(&dbefore, 0, sizeof(dbefore));
    if (di >= 0 && di < SH_DLG_MAX)
        dbefore = s->dlg[di].box.d;
    sh_poison(out);
    int rc = prack_on_response(&s->box.u, sh_uac_dialog(s, di), now, rsp, out);
    sh_batch_sane(rc, out);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK) {
        sh_exp_compare(&e, out);
        sh_uac_invariants(s, di, rsp, out);
        /* the model's copies of the engine structs and observations are stale */
        m.box = s->box;
        m.obs_state = s->obs_state;
        for (int i = 0; i < SH_DLG_MAX; i++) {
            m.dlg[i].box = s->dlg[i].box;
            m.dlg[i].obs = s->dlg[i].obs;
        }
        m.last_now = now;
        *s = m;
    } else {
        SH_CHECK(memcmp(&before, &s->box.u, sizeof(before)) == 0 &&
                     (di < 0 || di >= SH_DLG_MAX ||
                      memcmp(&dbefore, &s->dlg[di].box.d, sizeof(dbefore)) == 0),
                 "a failing call leaves the engine unchanged");
    }
    sh_uac_after(s);
    return rc;
}

static inline int sh_uac_offer_in_prack(sh_uac_t *s, int di)
{
    prack_uac_dialog_t *dd = sh_uac_dialog(s, di);
    unsigned errs = SH_E(PRACK_ERR_INVAL);
    if (dd)
        errs = (s->dlg[di].may_offer && s->dlg[di].oa == SH_UOA_DONE) ? 0u : SH_E(PRACK_ERR_STATE);
    int rc = prack_uac_offer_in_prack(&s->box.u, dd);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK) {
        s->dlg[di].oa = SH_UOA_PRACK_OFFER;
        s->dlg[di].may_offer = false;
        s->dlg[di].offer_rseq = s->dlg[di].last;
    }
    sh_uac_after(s);
    return rc;
}

#endif /* PRACK_SHADOW_H */
