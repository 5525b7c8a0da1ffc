/*
 * Lossy-network simulator: many concurrent calls between UAC and UAS engines,
 * on virtual time, over links that lose, duplicate, delay and reorder.
 *
 * Each call draws its own policies, INVITE CSeq (anywhere in 0..2^32-1),
 * provisional sequence (reliable or not, with or without SDP), final, CANCEL
 * and fork (two UAS engines for one UAC). The hosts around the engines carry
 * the RFC 3261 transaction timers the engines leave to them: Timer A for the
 * INVITE (B gives up after 64*T1), E/F for PRACK and CANCEL (T1 doubling to
 * T2, 408 to the engine at 64*T1), and the final response resent from T1 to
 * T2 until the ACK (64*T1 at most). Some UAS hosts keep PRACK server
 * transactions (a retransmitted PRACK gets the stored response, for 64*T1),
 * others hand every copy to the engine; some authenticate PRACKs, challenging
 * each one without credentials (407) and now and then a credentialed one
 * again (401, a stale nonce), so the UAC resends it (R57).
 *
 * Every engine call goes through the shadow models of fuzz/common/shadow.h,
 * which check the documented behaviour and the protocol invariants after each
 * one; the engines also move to other storage between calls now and then. The
 * hosts check on top, on what goes over the wire: a PRACK CSeq always names the
 * same RAck (a retransmission is the same request), the UAS engine answers a
 * PRACK 200 when it acknowledges the unacknowledged 1xx, 200 again only to a
 * retransmission of the PRACK that acknowledged the latest RSeq, and 481
 * otherwise (R16, R17); the UAC engine asks for PRACKs in RSeq order from the
 * first, never twice for one RSeq except the resends after a challenge, each at
 * most auth_max times (R39, R41, R44, R57); and a PRACK after a 2xx on another
 * fork says so.
 *
 * Every call must end, on both sides, in its expected final (the
 * application's, a 487 after CANCEL, a 420/421 from the policies) or in the
 * 64*T1 5xx; a call still open after 20 minutes of virtual time fails the run.
 *
 * The run is deterministic for a seed. Defaults: 10000 calls, 30% loss, 10%
 * duplication, 20% reordering. Reproduce or vary from the command line or the
 * environment:
 *
 *   test_sim --seed N --calls N --loss P --dup P --reorder P --fork P --concurrency N
 *   PRACK_SIM_SEED=N PRACK_SIM_CALLS=N PRACK_SIM_LOSS=P test_sim
 *
 * (percentages as integers; --seed random picks one from the clock).
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
#include <time.h>

/*
 * GCC 12 with -fsanitize=address takes the shadow's fixed-size guard memsets
 * for writes into a zero-sized object (-Warray-bounds, -Wstringop-overflow),
 * which they are not.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#include "../fuzz/common/shadow.h"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#define FORKS 2
#define T1 500u
#define T2 4000u
#define PRACK_TX_MAX 12
#define SCRIPT_MAX 6
#define SRV_MAX 192 /* PRACK CSeqs a UAS host remembers per fork */
#define HORIZON_MS (20u * 60u * 1000u)
/* RFC 3261 16.6 (Timer C, > 3 min): a final lost on every try must not keep a call forever */
#define TIMER_C_MS (3u * 60u * 1000u)
/* how often, in percent, an engine moves to other storage before an event */
#define MOVE_PCT 5u

/* ------------------------------------------------------------------------- */
/* Parameters and randomness                                                 */

typedef struct params {
    uint64_t seed;
    unsigned long calls;
    unsigned loss, dup, reorder, fork, concurrency;
    bool verbose;
} params_t;

static params_t P = {20261123u, 10000u, 30u, 10u, 20u, 20u, 400u, false};

static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
    uint64_t r = rotl(rng_s[1] * 5u, 7) * 9u, t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return r;
}

static void rnd_seed(uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        uint64_t z = (seed += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        rng_s[i] = z ^ (z >> 31);
    }
}

static uint32_t below(uint32_t n)
{
    return n ? (uint32_t)(rnd() % n) : 0u;
}

static bool chance(unsigned pct)
{
    return below(100u) < pct;
}

/* ------------------------------------------------------------------------- */
/* Calls                                                                     */

enum mkind { M_INVITE, M_ACK, M_CANCEL, M_PRACK, M_RSP_INVITE, M_RSP_PRACK, M_RSP_CANCEL };

typedef struct msg {
    uint8_t kind;
    uint8_t fork;
    uint8_t creds;   /* PRACK: how many times it was resent with credentials */
    uint16_t status;
    uint32_t flags;  /* PRACK_RSP_* for a response, PRACK_PR_SDP for a PRACK */
    uint32_t rseq;   /* a reliable 1xx's RSeq; a PRACK's RAck response-num */
    uint32_t tx;     /* a PRACK's own CSeq, also in its responses */
} msg_t;

typedef struct step {
    uint32_t delay; /* after the previous step */
    uint16_t status;
    uint32_t flags; /* PRACK_1XX_* for a provisional */
} step_t;

/* A client transaction of the UAC host for a PRACK or a CANCEL (Timers E, F). */
typedef struct ctx {
    bool live;
    uint8_t fork;
    uint8_t creds;
    uint32_t tx, rseq;
    bool sdp;
    prack_time_t started;
    uint32_t interval;
    uint32_t gen;
} ctx_t;

/* A PRACK the UAS host has seen (its server transaction, while it lasts). */
typedef struct srv {
    uint32_t tx, rseq;
    uint8_t creds;
    uint16_t status; /* its final response, 0 while none */
    uint32_t flags;  /* of that response */
    prack_time_t expires; /* Timer J: the response is kept for 64*T1 */
} srv_t;

typedef struct fork_s {
    sh_uas_t uas;
    prack_config_t cfg;
    step_t script[SCRIPT_MAX];
    int n_steps, next_step;
    bool started, done_app;
    prack_time_t timer_at; /* the engine deadline an event is queued for */
    /* what went on the wire */
    bool has_final, final_acked, final_given_up;
    msg_t last_rsp;
    uint16_t final_status;
    uint32_t final_flags;
    prack_time_t final_first;
    uint32_t final_interval, final_gen;
    /* the UAS host's view of PRACKs */
    srv_t srv[SRV_MAX];
    unsigned nsrv;
    uint32_t ack_rseq, ack_cseq; /* the PRACK that acknowledged the latest RSeq */
    /* the UAC side of this fork */
    bool got_response, cancel_sent, cancel_pending, got_2xx;
    uint32_t invite_interval, invite_gen;
    uint32_t local_cseq;           /* the dialog's CSeq, RFC 3261 12.2.1.1 */
    uint32_t n_pracked, last_pracked; /* RSeqs the engine asked to PRACK (not resends) */
    ctx_t cancel;
} fork_t;

typedef struct call {
    bool used;
    uint32_t gen;
    unsigned long id;
    prack_time_t start;
    int forks;
    bool invite_sdp, reject_expected;
    uint32_t inv_cseq, inv_flags;
    bool uas_txn;  /* the UAS hosts keep PRACK server transactions */
    bool auth;     /* the UAS side challenges PRACKs */
    uint16_t reject_status;
    sh_uac_t uac;
    prack_config_t ucfg;
    fork_t f[FORKS];
    ctx_t ptx[PRACK_TX_MAX];
    bool uac_final, timer_b, timer_c, terminated;
    uint16_t uac_final_status;
    int uac_final_fork;
    uint32_t timer_b_gen;
    bool cancel_scripted;
    /* the challenge being answered: what an AUTH resend must repeat */
    bool ch_live;
    uint8_t ch_fork, ch_creds;
    uint32_t ch_rseq;
    bool ch_sdp;
} call_t;

/* ------------------------------------------------------------------------- */
/* Event queue: a binary heap on (time, sequence)                            */

enum ekind {
    E_SPAWN,
    E_DELIVER,   /* msg to fork (UAS side) or to the UAC */
    E_UAS_TIMER, /* engine deadline of a fork */
    E_APP,       /* next script step of a fork */
    E_INVITE_A,  /* Timer A for a fork */
    E_TIMER_B,
    E_CTX,       /* Timer E/F of a PRACK or CANCEL transaction */
    E_FINAL_G,   /* final response resend / give up */
    E_SCRIPT_CANCEL,
    E_TIMER_C,   /* the UAC gives up waiting for a final */
    E_WATCHDOG
};

typedef struct event {
    prack_time_t at;
    uint64_t seq;
    uint8_t kind, fork, to_uac, slot_ctx;
    uint32_t call, gen, aux;
    msg_t m;
} event_t;

static event_t *heap;
static size_t heap_n, heap_cap;
static uint64_t heap_seq;
static prack_time_t now_ms;

static bool ev_less(const event_t *a, const event_t *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void push(event_t e)
{
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2u : 4096u;
        heap = realloc(heap, heap_cap * sizeof(*heap));
        assert_non_null(heap);
    }
    e.seq = heap_seq++;
    size_t i = heap_n++;
    while (i > 0) {
        size_t p = (i - 1u) / 2u;
        if (!ev_less(&e, &heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

static event_t pop(void)
{
    event_t top = heap[0], last = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t l = 2u * i + 1u, r = l + 1u, m = i;
        const event_t *best = &last;
        if (l < heap_n && ev_less(&heap[l], best)) {
            m = l;
            best = &heap[l];
        }
        if (r < heap_n && ev_less(&heap[r], best))
            m = r;
        if (m == i)
            break;
        heap[i] = heap[m];
        i = m;
    }
    if (heap_n)
        heap[i] = last;
    return top;
}

/* ------------------------------------------------------------------------- */
/* Statistics                                                                */

static struct {
    unsigned long started, finished;
    unsigned long expected_final, cancelled, timeout_5xx, rejected, no_answer_408, gave_up;
    unsigned long forked, pracks, prack_408, reliable_1xx, retransmissions;
    unsigned long messages, lost, duplicated, queue_full, held_2xx, events;
    unsigned long answered_2xx, high_cseq;
    unsigned long challenges, auth_resends, prack_failed, other_fork, offers_in_prack;
    unsigned long engine_200, engine_dup, engine_481, txn_absorbed, retry_suggested, moves;
} st;

static call_t *calls;
static unsigned long next_call_id;
static prack_actions_t out;

static void ctx_set(call_t *c, const char *what)
{
    snprintf(sh_context(), SH_CONTEXT_MAX, "seed=%llu call=%lu t=%llu %s", (unsigned long long)P.seed, c->id,
             (unsigned long long)now_ms, what);
}

/* ------------------------------------------------------------------------- */
/* The network                                                               */

static void transmit(uint32_t ci, int fork, bool to_uac, const msg_t *m)
{
    st.messages++;
    int copies = chance(P.dup) ? 2 : 1;
    if (copies == 2)
        st.duplicated++;
    for (int i = 0; i < copies; i++) {
        if (chance(P.loss)) {
            st.lost++;
            continue;
        }
        uint32_t delay = 5u + below(45u);
        if (chance(P.reorder))
            delay += below(1000u);
        event_t e = {0};
        e.at = now_ms + delay;
        e.kind = E_DELIVER;
        e.call = ci;
        e.gen = calls[ci].gen;
        e.fork = (uint8_t)fork;
        e.to_uac = to_uac;
        e.m = *m;
        push(e);
    }
}

static void schedule(uint32_t ci, uint8_t kind, int fork, prack_time_t at, uint32_t aux, uint8_t slot)
{
    event_t e = {0};
    e.at = at;
    e.kind = kind;
    e.call = ci;
    e.gen = calls[ci].gen;
    e.fork = (uint8_t)fork;
    e.aux = aux;
    e.slot_ctx = slot;
    push(e);
}

/* ------------------------------------------------------------------------- */
/* UAS host                                                                  */

static void uas_rearm(uint32_t ci, int k)
{
    fork_t *f = &calls[ci].f[k];
    prack_time_t d = prack_next_deadline(sh_uas_engine(&f->uas));
    if (d != PRACK_TIME_NONE && d < now_ms)
        d = now_ms; /* already due (a refresh counts from the last 1xx sent): at once */
    if (d != PRACK_TIME_NONE && d != f->timer_at) {
        f->timer_at = d;
        schedule(ci, E_UAS_TIMER, k, d, 0, 0);
    }
}

static void uas_send(uint32_t ci, int k, const msg_t *m)
{
    calls[ci].f[k].last_rsp = *m;
    transmit(ci, k, true, m);
}

static void uas_carry_out(uint32_t ci, int k)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    for (size_t i = 0; i < out.n; i++) {
        const prack_action_t *a = &out.v[i];
        msg_t m = {0};
        m.fork = (uint8_t)k;
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
        case PRACK_ACT_SEND_FINAL:
            m.kind = M_RSP_INVITE;
            m.status = a->status;
            if (a->flags & PRACK_AF_RELIABLE)
                m.flags |= PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
            if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
                m.flags |= PRACK_RSP_UNSUPPORTED_100REL;
            if (a->flags & PRACK_AF_REQUIRE_100REL)
                m.flags |= PRACK_RSP_REQUIRE_100REL;
            if (a->sdp != PRACK_SDP_NONE)
                m.flags |= PRACK_RSP_SDP;
            m.rseq = a->rseq;
            if (a->type == PRACK_ACT_SEND_1XX) {
                if ((a->flags & PRACK_AF_RELIABLE) && !(a->flags & PRACK_AF_RETRANSMIT))
                    st.reliable_1xx++;
                if (a->flags & PRACK_AF_RETRANSMIT)
                    st.retransmissions++;
                uas_send(ci, k, &m);
                break;
            }
            /* a final: resent from T1 to T2 until the ACK, for 64*T1 at most */
            f->has_final = true;
            f->final_status = a->status;
            f->final_flags = a->flags;
            f->final_first = now_ms;
            f->final_interval = T1;
            f->final_gen++;
            uas_send(ci, k, &m);
            schedule(ci, E_FINAL_G, k, now_ms + T1, f->final_gen, 0);
            break;
        case PRACK_ACT_HOLD_FINAL:
            st.held_2xx++;
            break;
        case PRACK_ACT_QUEUE_1XX:
        case PRACK_ACT_DROP_1XX:
        case PRACK_ACT_ANSWER_PRACK: /* answered by the caller, which knows the PRACK */
            break;
        case PRACK_ACT_EVENT:
            st.events++;
            break;
        default:
            fail_msg("UAS action %s", prack_act_name(a->type));
        }
    }
    uas_rearm(ci, k);
}

static void app_step(uint32_t ci, int k)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    if (f->next_step >= f->n_steps)
        return;
    const step_t *s = &f->script[f->next_step++];
    if (prack_uas_state(sh_uas_engine(&f->uas)) != PRACK_UAS_PROCEEDING) {
        f->done_app = true; /* a final, CANCEL or timeout ended the script */
        return;
    }
    ctx_set(c, "application");
    int rc;
    if (s->status < 200) {
        /* each provisional has its own cookie, released once by the engine */
        uint64_t cookie = ((uint64_t)c->id << 8) | ((uint64_t)k << 4) | (uint64_t)f->next_step;
        rc = sh_uas_send_1xx(&f->uas, now_ms, s->status, s->flags, cookie, &out);
        if (rc == PRACK_ERR_OFFER_REQUIRED) /* the application adds the offer */
            rc = sh_uas_send_1xx(&f->uas, now_ms, s->status, s->flags | PRACK_1XX_SDP, cookie, &out);
        if (rc == PRACK_ERR_QUEUE_FULL)
            st.queue_full++; /* this provisional is skipped */
        else
            assert_int_equal(rc, PRACK_OK);
    } else {
        rc = sh_uas_send_final(&f->uas, now_ms, s->status, &out);
        assert_int_equal(rc, PRACK_OK);
    }
    if (rc == PRACK_OK)
        uas_carry_out(ci, k);
    if (f->next_step < f->n_steps)
        schedule(ci, E_APP, k, now_ms + f->script[f->next_step].delay, 0, 0);
    else
        f->done_app = true;
}

static srv_t *srv_find(fork_t *f, uint32_t tx)
{
    for (unsigned i = 0; i < f->nsrv; i++)
        if (f->srv[i].tx == tx)
            return &f->srv[i];
    return NULL;
}

/*
 * A UAS that authenticates PRACKs (R57) challenges one without credentials
 * (407, as a proxy would) and, for a stale nonce, a credentialed one now and
 * then (401). The decision depends on the request only, so each copy of a
 * PRACK meets the same one.
 */
static uint16_t challenge(const call_t *c, const msg_t *m)
{
    if (!c->auth)
        return 0;
    if (m->creds == 0)
        return 407;
    uint32_t h = (m->tx ^ (uint32_t)c->id) * 2654435761u;
    return (h >> 24) % 100u < 30u ? 401 : 0;
}

static void uas_prack(uint32_t ci, int k, const msg_t *m)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    ctx_set(c, "PRACK at the UAS");
    srv_t *sv = srv_find(f, m->tx);
    /* a CSeq names one request: a retransmission carries the same RAck and credentials */
    SH_CHECK(!sv || (sv->rseq == m->rseq && sv->creds == m->creds),
             "a retransmitted PRACK carries the same CSeq, RAck and credentials as the original");
    if (sv && sv->status && c->uas_txn && now_ms < sv->expires) {
        /* RFC 3261 17.2.2: the server transaction answers a retransmission */
        msg_t r = {.kind = M_RSP_PRACK, .fork = (uint8_t)k, .status = sv->status,
                   .flags = sv->flags, .rseq = m->rseq, .tx = m->tx};
        st.txn_absorbed++;
        transmit(ci, k, true, &r);
        return;
    }
    if (!sv) {
        SH_CHECK(f->nsrv < SRV_MAX, "room for the PRACKs of a call");
        sv = &f->srv[f->nsrv++];
        *sv = (srv_t){.tx = m->tx, .rseq = m->rseq, .creds = m->creds};
    }
    sv->expires = now_ms + 64u * T1;
    uint16_t ch = challenge(c, m);
    if (ch) {
        st.challenges++;
        sv->status = ch;
        sv->flags = 0;
        msg_t r = {.kind = M_RSP_PRACK, .fork = (uint8_t)k, .status = ch, .rseq = m->rseq,
                   .tx = m->tx};
        transmit(ci, k, true, &r);
        return;
    }

    /*
     * What the engine must answer (R16, R17, R29): 200 to a PRACK for the
     * unacknowledged 1xx, also after a final; 200 again (DUPLICATE) to a copy
     * of the PRACK that acknowledged the latest RSeq (same CSeq); 481 to
     * anything else. A new CSeq never reaches the engine for an RSeq already
     * acknowledged: the UAC asks for one PRACK per RSeq, and resends only
     * after a challenge, which never got past the authentication.
     */
    uint32_t unacked = prack_uas_unacked(sh_uas_engine(&f->uas));
    bool match = unacked != 0 && m->rseq == unacked;
    bool dup = !match && f->ack_rseq != 0 && m->rseq == f->ack_rseq && m->tx == f->ack_cseq;
    bool first_copy = sv->status == 0;
    if (first_copy && f->ack_rseq != 0)
        SH_CHECK(m->rseq > f->ack_rseq,
                 "a new PRACK (new CSeq) never names an RSeq already acknowledged");
    prack_prack_t pr = {
        .flags = PRACK_PR_RACK | (m->flags & PRACK_PR_SDP),
        .cseq = m->tx,
        .rack_rseq = m->rseq,
        .rack_cseq = c->inv_cseq,
        .method = "INVITE",
        .method_len = 6,
    };
    assert_int_equal(sh_uas_prack(&f->uas, now_ms, &pr, &out), PRACK_OK);
    unsigned answers = 0;
    for (size_t i = 0; i < out.n; i++) {
        const prack_action_t *a = &out.v[i];
        if (a->type != PRACK_ACT_ANSWER_PRACK)
            continue;
        answers++;
        SH_CHECK(a->status == (match || dup ? 200 : 481) && (a->reason == PRACK_R_DUPLICATE) == dup,
                 "a PRACK is answered 200 when it matches, 200 again when it repeats the PRACK "
                 "that acknowledged the latest RSeq, 481 otherwise (R16, R17)");
        SH_CHECK(!dup || !first_copy, "only a copy of a PRACK is a duplicate");
        st.engine_200 += a->status == 200 && !dup;
        st.engine_dup += dup;
        st.engine_481 += a->status == 481;
        sv->status = a->status;
        sv->flags = a->sdp != PRACK_SDP_NONE ? PRACK_RSP_SDP : 0u;
        msg_t r = {.kind = M_RSP_PRACK, .fork = (uint8_t)k, .status = a->status,
                   .flags = sv->flags, .rseq = m->rseq, .tx = m->tx};
        transmit(ci, k, true, &r);
    }
    SH_CHECK(answers == 1, "one answer per PRACK");
    if (match) {
        f->ack_rseq = m->rseq;
        f->ack_cseq = m->tx;
    }
    uas_carry_out(ci, k);
}

static void uas_receive(uint32_t ci, int k, const msg_t *m)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    switch (m->kind) {
    case M_INVITE: {
        if (f->started) { /* a retransmission: the last response again (RFC 3261 17.2.1) */
            if (f->last_rsp.status)
                transmit(ci, k, true, &f->last_rsp);
            return;
        }
        f->started = true;
        prack_invite_t inv = {c->inv_cseq, c->inv_flags};
        ctx_set(c, "INVITE at the UAS");
        assert_int_equal(sh_uas_init(&f->uas, &f->cfg, &inv, (uint32_t)rnd(), now_ms, &out),
                         PRACK_OK);
        uas_carry_out(ci, k);
        if (prack_uas_state(sh_uas_engine(&f->uas)) == PRACK_UAS_REJECTED)
            return;
        /* 100 Trying at once, then the application's script */
        assert_int_equal(sh_uas_send_1xx(&f->uas, now_ms, 100, 0, 0, &out), PRACK_OK);
        uas_carry_out(ci, k);
        if (f->n_steps)
            schedule(ci, E_APP, k, now_ms + f->script[0].delay, 0, 0);
        return;
    }
    case M_ACK:
        f->final_acked = true;
        return;
    case M_CANCEL: {
        msg_t r = {.kind = M_RSP_CANCEL, .fork = (uint8_t)k, .status = 200, .tx = m->tx};
        transmit(ci, k, true, &r);
        if (!f->started)
            return; /* the host answers the CANCEL; nothing for the engine */
        ctx_set(c, "CANCEL at the UAS");
        /* after any final, 420/421 included, the engine does nothing (RFC 3261 9.2) */
        bool over = prack_uas_state(sh_uas_engine(&f->uas)) == PRACK_UAS_REJECTED ||
                    prack_uas_state(sh_uas_engine(&f->uas)) == PRACK_UAS_COMPLETED;
        assert_int_equal(sh_uas_cancel(&f->uas, now_ms, &out), PRACK_OK);
        SH_CHECK(!over || out.n == 0, "a CANCEL after the final changes nothing");
        uas_carry_out(ci, k);
        return;
    }
    case M_PRACK:
        if (f->started)
            uas_prack(ci, k, m);
        return;
    default:
        fail_msg("unexpected message at the UAS");
    }
}

/* ------------------------------------------------------------------------- */
/* UAC host                                                                  */

static void ctx_start(uint32_t ci, ctx_t *t, int fork, uint32_t tx, uint32_t rseq, bool sdp,
                      uint8_t creds, uint8_t slot)
{
    t->live = true;
    t->fork = (uint8_t)fork;
    t->tx = tx;
    t->rseq = rseq;
    t->sdp = sdp;
    t->creds = creds;
    t->started = now_ms;
    t->interval = T1;
    t->gen++;
    schedule(ci, E_CTX, fork, now_ms + T1, t->gen, slot);
}

static void send_cancel(uint32_t ci, int k)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    if (f->cancel_sent)
        return;
    if (!f->got_response) { /* RFC 3261 9.1: not before a provisional */
        f->cancel_pending = true;
        return;
    }
    f->cancel_sent = true;
    f->cancel_pending = false;
    msg_t m = {.kind = M_CANCEL, .fork = (uint8_t)k};
    transmit(ci, k, false, &m);
    ctx_start(ci, &f->cancel, k, 0, 0, false, 0, 0xFF);
}

static void uac_send_prack(uint32_t ci, int k, const prack_action_t *a)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    const sh_uas_t *s = &f->uas;
    SH_CHECK(f->started && s->obs.n_sent && a->rseq >= s->obs.last - (s->obs.n_sent - 1u) &&
                 a->rseq <= s->obs.last,
             "a PRACK names an RSeq its UAS sent on that dialog");
    SH_CHECK(a->cseq == c->inv_cseq, "the RAck CSeq-num is the INVITE's (N2)");
    /* R47, RFC 3261 13.2.2.4: after a 2xx on another fork, no session here (a
     * resend with credentials repeats its PRACK and says nothing new) */
    bool other = prack_uac_state(sh_uac_engine(&c->uac)) == PRACK_UAC_ACCEPTED && !f->got_2xx;
    if (!(a->flags & PRACK_AF_AUTH)) {
        SH_CHECK(((a->flags & PRACK_AF_OTHER_FORK) != 0) == other,
                 "a PRACK after a 2xx on another early dialog says PRACK_AF_OTHER_FORK");
        SH_CHECK(!other || a->sdp != PRACK_SDP_MAY_OFFER, "no offer on another fork's dialog");
        st.other_fork += other;
    }

    bool sdp;
    uint8_t creds = 0;
    if (a->flags & PRACK_AF_AUTH) {
        /* R57: the challenged PRACK again, with credentials and the same body */
        SH_CHECK(c->ch_live && c->ch_fork == k && c->ch_rseq == a->rseq,
                 "a PRACK is resent with credentials only after a challenge of that PRACK");
        SH_CHECK(c->ch_creds < c->ucfg.auth_max, "at most auth_max resends of one PRACK (R57)");
        SH_CHECK(a->sdp == PRACK_SDP_REPEAT, "a resend repeats the challenged PRACK's body");
        c->ch_live = false;
        sdp = c->ch_sdp;
        creds = (uint8_t)(c->ch_creds + 1u);
        st.auth_resends++;
    } else {
        /* R39, R41, R44: the first RSeq the UAS sent, then one up each time, never twice */
        uint32_t first = s->obs.last - (s->obs.n_sent - 1u);
        SH_CHECK(a->rseq == (f->n_pracked ? f->last_pracked + 1u : first),
                 "PRACKs in RSeq order from the first, none twice (R39, R41, R44)");
        f->n_pracked++;
        f->last_pracked = a->rseq;
        sdp = a->sdp == PRACK_SDP_ANSWER;
        if (a->sdp == PRACK_SDP_MAY_OFFER && chance(20u) &&
            sh_uac_offer_in_prack(&c->uac, k, a->rseq) == PRACK_OK) {
            sdp = true;
            st.offers_in_prack++;
        }
    }
    for (uint8_t i = 0; i < PRACK_TX_MAX; i++) {
        ctx_t *t = &c->ptx[i];
        if (t->live)
            continue;
        st.pracks++;
        uint32_t tx = ++f->local_cseq; /* a new request: the dialog's next CSeq */
        msg_t m = {.kind = M_PRACK, .fork = (uint8_t)k, .creds = creds,
                   .flags = sdp ? PRACK_PR_SDP : 0u, .rseq = a->rseq, .tx = tx};
        transmit(ci, k, false, &m);
        ctx_start(ci, t, k, tx, a->rseq, sdp, creds, i);
        return;
    }
    fail_msg("call %lu: more than %d PRACK transactions at once", c->id, PRACK_TX_MAX);
}

static void uac_carry_out(uint32_t ci, int k)
{
    call_t *c = &calls[ci];
    prack_actions_t mine = out; /* sending may call the engine again */
    for (size_t i = 0; i < mine.n; i++) {
        const prack_action_t *a = &mine.v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_PRACK:
            uac_send_prack(ci, k, a);
            break;
        case PRACK_ACT_TERMINATE:
            c->terminated = true;
            if (!c->uac_final)
                for (int j = 0; j < c->forks; j++)
                    send_cancel(ci, j);
            break;
        case PRACK_ACT_DELIVER_FINAL:
            if (a->status < 300)
                c->f[k].got_2xx = true;
            if (!c->uac_final) {
                c->uac_final = true;
                c->uac_final_status = a->status;
                c->uac_final_fork = k;
                /* the forking proxy cancels the other branches on a 2xx */
                if (a->status < 300)
                    for (int j = 0; j < c->forks; j++)
                        if (j != k)
                            send_cancel(ci, j);
            }
            break;
        case PRACK_ACT_RETRY_INVITE:
            /* a suggestion the application may ignore; never under policy OFF */
            SH_CHECK(c->ucfg.policy != PRACK_POLICY_OFF, "no 100rel suggestion under policy OFF");
            st.retry_suggested++;
            break;
        case PRACK_ACT_EVENT:
            st.events++;
            if (a->reason == PRACK_R_PRACK_FAILED)
                st.prack_failed++;
            break;
        default:
            break;
        }
    }
}

static void uac_receive(uint32_t ci, int k, const msg_t *m)
{
    call_t *c = &calls[ci];
    fork_t *f = &c->f[k];
    if (c->timer_b || c->timer_c)
        return; /* the INVITE transaction is gone: strays are dropped */
    if (m->kind == M_RSP_CANCEL) {
        f->cancel.live = false;
        return;
    }
    prack_response_t r = {.status = m->status, .flags = m->flags, .cseq = c->inv_cseq,
                          .rseq = m->rseq};
    int di = k;
    if (m->kind == M_RSP_INVITE) {
        r.method = PRACK_METHOD_INVITE;
        f->got_response = true;
        if (f->cancel_pending)
            send_cancel(ci, k);
        if (m->status == 100)
            di = -1; /* 100 Trying carries no To-tag */
        if (m->status >= 200) {
            msg_t ack = {.kind = M_ACK, .fork = (uint8_t)k};
            transmit(ci, k, false, &ack);
        }
    } else {
        ctx_t *t = NULL;
        for (int i = 0; i < PRACK_TX_MAX; i++)
            if (c->ptx[i].live && c->ptx[i].fork == k && c->ptx[i].tx == m->tx)
                t = &c->ptx[i];
        if (!t)
            return; /* a late copy: the transaction already ended */
        t->live = false;
        r.method = PRACK_METHOD_PRACK;
        r.cseq = m->tx;
        r.rseq = t->rseq; /* the host names the PRACK this answers */
        if (m->status == 401 || m->status == 407) {
            c->ch_live = true;
            c->ch_fork = (uint8_t)k;
            c->ch_rseq = t->rseq;
            c->ch_sdp = t->sdp;
            c->ch_creds = t->creds;
        }
    }
    ctx_set(c, "response at the UAC");
    assert_int_equal(sh_uac_response(&c->uac, di, now_ms, &r, &out), PRACK_OK);
    uac_carry_out(ci, k);
    c->ch_live = false; /* a challenge is answered in its own batch or not at all */
}

static void ctx_timer(uint32_t ci, const event_t *e)
{
    call_t *c = &calls[ci];
    ctx_t *t = e->slot_ctx == 0xFF ? &c->f[e->fork].cancel : &c->ptx[e->slot_ctx];
    if (!t->live || t->gen != e->aux)
        return;
    if (now_ms >= t->started + 64u * T1) { /* Timer F */
        t->live = false;
        if (e->slot_ctx == 0xFF || c->timer_b || c->timer_c)
            return;
        st.prack_408++;
        prack_response_t r = {.status = 408, .method = PRACK_METHOD_PRACK, .cseq = t->tx,
                              .rseq = t->rseq};
        ctx_set(c, "PRACK Timer F");
        assert_int_equal(sh_uac_response(&c->uac, t->fork, now_ms, &r, &out), PRACK_OK);
        uac_carry_out(ci, t->fork);
        return;
    }
    /* Timer E: the same request again, same CSeq */
    msg_t m = {.kind = e->slot_ctx == 0xFF ? (uint8_t)M_CANCEL : (uint8_t)M_PRACK,
               .fork = t->fork, .creds = t->creds, .flags = t->sdp ? PRACK_PR_SDP : 0u,
               .rseq = t->rseq, .tx = t->tx};
    transmit(ci, t->fork, false, &m);
    t->interval = t->interval * 2u > T2 ? T2 : t->interval * 2u;
    prack_time_t next = now_ms + t->interval, stop = t->started + 64u * T1;
    schedule(ci, E_CTX, t->fork, next < stop ? next : stop, t->gen, e->slot_ctx);
}

/* ------------------------------------------------------------------------- */
/* Call life                                                                 */

static void make_script(fork_t *f)
{
    static const uint16_t prov[] = {180, 183, 183, 180, 181, 182};
    static const uint16_t fin[] = {200, 200, 200, 200, 486, 603, 404, 480, 500, 202};
    f->n_steps = 0;
    int n = (int)below(5u);
    for (int i = 0; i < n; i++) {
        step_t *s = &f->script[f->n_steps++];
        s->delay = below(3000u);
        s->status = prov[below(6u)];
        s->flags = (chance(50u) ? PRACK_1XX_SDP : 0u) | (chance(15u) ? PRACK_1XX_UNRELIABLE : 0u);
    }
    step_t *s = &f->script[f->n_steps++];
    s->delay = below(5000u);
    s->status = fin[below(10u)];
    s->flags = 0;
}

static uint8_t pick_policy(void)
{
    uint32_t r = below(10u);
    return r < 8u ? PRACK_POLICY_SUPPORTED : r == 8u ? PRACK_POLICY_REQUIRED : PRACK_POLICY_OFF;
}

/* Mostly small CSeqs; some from the upper half of the 32-bit range (N2). */
static uint32_t pick_cseq(void)
{
    uint32_t r = below(4u);
    if (r < 2u)
        return 1u + below(1000u);
    if (r == 2u)
        return below(0x80000000u);
    st.high_cseq++;
    return 0x80000000u + below(0x80000000u - 10000u); /* room for the PRACKs' CSeqs */
}

static void start_call(uint32_t ci)
{
    call_t *c = &calls[ci];
    uint32_t gen = c->gen + 1u;
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->gen = gen;
    c->id = next_call_id++;
    c->start = now_ms;
    c->forks = chance(P.fork) ? 2 : 1;
    c->invite_sdp = chance(80u);
    c->cancel_scripted = chance(10u);
    c->inv_cseq = pick_cseq();
    c->uas_txn = chance(75u);
    c->auth = chance(15u);
    st.started++;
    if (c->forks == 2)
        st.forked++;

    prack_config_init(&c->ucfg);
    c->ucfg.policy = pick_policy();
    c->ucfg.cache_out_of_order = chance(50u) ? 1u : 0u;
    c->ucfg.prack_after_2xx = chance(50u) ? 1u : 0u;
    c->ucfg.on_prack_failure = chance(20u) ? PRACK_FAILURE_TERMINATE : PRACK_FAILURE_OBSERVE;
    c->ucfg.auth_max = (uint8_t)below(PRACK_UAC_AUTH_MAX + 1u);
    ctx_set(c, "UAC init");
    assert_int_equal(sh_uac_init(&c->uac, &c->ucfg, c->inv_cseq,
                                 c->invite_sdp ? PRACK_UAC_INVITE_SDP : 0u, now_ms),
                     PRACK_OK);
    /* R32: the option tag the engine asks for goes in the INVITE */
    unsigned opt = prack_uac_option(sh_uac_engine(&c->uac));
    c->inv_flags = (c->invite_sdp ? PRACK_INV_SDP : 0u) |
                   (opt == PRACK_OPTION_SUPPORTED ? PRACK_INV_SUPPORTED_100REL : 0u) |
                   (opt == PRACK_OPTION_REQUIRE ? PRACK_INV_REQUIRE_100REL : 0u);
    for (int k = 0; k < c->forks; k++) {
        fork_t *f = &c->f[k];
        prack_config_init(&f->cfg);
        f->cfg.policy = pick_policy();
        f->cfg.timeout_status = (uint16_t)(chance(80u) ? 504u : 500u + below(100u));
        if (chance(5u))
            f->cfg.refresh_ms = 1000u + below(3u) * 1000u;
        f->cfg.queue_max = (uint8_t)below(PRACK_UAS_QUEUE_MAX + 1u);
        f->timer_at = PRACK_TIME_NONE;
        f->local_cseq = c->inv_cseq; /* RFC 3261 12.1.2: PRACKs go on from the INVITE's */
        make_script(f);
        /* the INVITE, and Timer A for it */
        msg_t m = {.kind = M_INVITE, .fork = (uint8_t)k};
        transmit(ci, k, false, &m);
        f->invite_interval = T1;
        schedule(ci, E_INVITE_A, k, now_ms + T1, ++f->invite_gen, 0);
    }
    schedule(ci, E_TIMER_B, 0, now_ms + 64u * T1, 0, 0);
    if (c->cancel_scripted)
        schedule(ci, E_SCRIPT_CANCEL, 0, now_ms + below(8000u), 0, 0);
    schedule(ci, E_TIMER_C, 0, now_ms + TIMER_C_MS, 0, 0);
    schedule(ci, E_WATCHDOG, 0, now_ms + HORIZON_MS, 0, 0);
}

static const prack_uas_t *uas_of(const fork_t *f)
{
    return &f->uas.box[f->uas.at].e;
}

/* Whether nothing more can happen on this call. */
static bool call_quiet(const call_t *c)
{
    if (!c->uac_final && !c->timer_b && !c->timer_c)
        return false;
    for (int i = 0; i < PRACK_TX_MAX; i++)
        if (c->ptx[i].live)
            return false;
    for (int k = 0; k < c->forks; k++) {
        const fork_t *f = &c->f[k];
        if (f->cancel.live)
            return false;
        if (!f->started)
            continue;
        const prack_uas_t *u = uas_of(f);
        if (prack_uas_state(u) == PRACK_UAS_PROCEEDING || prack_uas_state(u) == PRACK_UAS_HELD)
            return false;
        if (prack_next_deadline(u) != PRACK_TIME_NONE)
            return false;
        if (!f->final_acked && !f->final_given_up)
            return false;
    }
    return true;
}

static void dump_call(const call_t *c)
{
    fprintf(stderr, "call %lu: started t=%llu forks=%d cseq=%u uac_final=%d (%u from fork %d) "
                    "timer_b=%d terminated=%d txn=%d auth=%d\n",
            c->id, (unsigned long long)c->start, c->forks, (unsigned)c->inv_cseq, c->uac_final,
            c->uac_final_status, c->uac_final_fork, c->timer_b, c->terminated, c->uas_txn, c->auth);
    for (int i = 0; i < PRACK_TX_MAX; i++)
        if (c->ptx[i].live)
            fprintf(stderr, "  PRACK tx %u rseq %u creds %u live since %llu\n", c->ptx[i].tx,
                    c->ptx[i].rseq, c->ptx[i].creds, (unsigned long long)c->ptx[i].started);
    for (int k = 0; k < c->forks; k++) {
        const fork_t *f = &c->f[k];
        const prack_uas_t *u = uas_of(f);
        fprintf(stderr, "  fork %d: started=%d state=%s deadline=%llu unacked=%u queued=%u final=%d %u flags=0x%x "
                        "acked=%d given_up=%d got_response=%d cancel_sent=%d cancel_live=%d pending=%d steps %d/%d\n",
                k, f->started, prack_uas_state_name(prack_uas_state(u)),
                (unsigned long long)prack_next_deadline(u), prack_uas_unacked(u), prack_uas_queued(u),
                f->has_final, f->final_status, (unsigned)f->final_flags, f->final_acked, f->final_given_up,
                f->got_response, f->cancel_sent, f->cancel.live, f->cancel_pending, f->next_step, f->n_steps);
    }
}

/* The end of a call: classify it, and check that it ended as it had to. */
static void finish_call(uint32_t ci)
{
    call_t *c = &calls[ci];
    ctx_set(c, "end of call");
    for (int k = 0; k < c->forks; k++) {
        const fork_t *f = &c->f[k];
        if (!f->started)
            continue;
        SH_CHECK(f->has_final, "every UAS that got the INVITE sent a final");
        bool reject = f->final_status == 420 || f->final_status == 421;
        bool app = f->final_status == f->script[f->n_steps - 1].status && !(f->final_flags & PRACK_AF_TIMEOUT) &&
                   !(f->final_flags & PRACK_AF_CANCELLED);
        bool cancelled = (f->final_flags & PRACK_AF_CANCELLED) && f->final_status == 487 &&
                         f->cancel_sent;
        bool timeout = (f->final_flags & PRACK_AF_TIMEOUT) && f->final_status == f->cfg.timeout_status;
        bool policy_reject = (c->ucfg.policy == PRACK_POLICY_REQUIRED && f->cfg.policy == PRACK_POLICY_OFF) ||
                             (c->ucfg.policy == PRACK_POLICY_OFF && f->cfg.policy == PRACK_POLICY_REQUIRED);
        SH_CHECK(reject == policy_reject, "420/421 exactly when the policies cannot meet");
        SH_CHECK(app || cancelled || timeout || reject,
                 "every UAS ends in its application's final, 487 after CANCEL, 420/421, or the 64*T1 5xx");
        SH_CHECK(sh_uas_cookies_held(&f->uas) == 0, "every cookie came back by the end of the call");
    }
    if (c->uac_final) {
        const fork_t *f = &c->f[c->uac_final_fork];
        SH_CHECK(f->started && f->has_final && f->final_status == c->uac_final_status,
                 "the UAC's final is the one its UAS sent");
        if (f->final_flags & PRACK_AF_TIMEOUT)
            st.timeout_5xx++;
        else if (f->final_flags & PRACK_AF_CANCELLED)
            st.cancelled++;
        else if (c->uac_final_status == 420 || c->uac_final_status == 421)
            st.rejected++;
        else
            st.expected_final++;
        if (c->uac_final_status < 300)
            st.answered_2xx++;
    } else if (c->timer_b) {
        st.no_answer_408++;
    } else {
        SH_CHECK(c->timer_c, "a UAC without a final gave up with Timer B or C");
        st.gave_up++;
    }
    st.finished++;
    c->used = false;
    c->gen++;
}

static void spawn(void)
{
    if (next_call_id >= P.calls)
        return;
    for (uint32_t i = 0; i < P.concurrency; i++) {
        if (!calls[i].used) {
            start_call(i);
            event_t e = {0};
            e.at = now_ms + below(20u);
            e.kind = E_SPAWN;
            push(e);
            return;
        }
    }
    event_t e = {0}; /* every slot busy: try again a little later */
    e.at = now_ms + 100u;
    e.kind = E_SPAWN;
    push(e);
}

/* A host that keeps engines in a growing table moves them now and then. */
static void maybe_move(call_t *c)
{
    if (!chance(MOVE_PCT))
        return;
    ctx_set(c, "move");
    st.moves++;
    unsigned what = below(2u + (uint32_t)c->forks);
    if (what == 0)
        sh_uac_move(&c->uac, -1, below(SH_SLOTS));
    else if (what == 1)
        sh_uac_move(&c->uac, (int)below((uint32_t)c->forks), below(SH_SLOTS));
    else if (c->f[what - 2u].started) /* a UAS engine exists once its INVITE came */
        sh_uas_move(&c->f[what - 2u].uas, below(SH_SLOTS));
}

static void handle(const event_t *e)
{
    if (e->kind == E_SPAWN) {
        spawn();
        return;
    }
    uint32_t ci = e->call;
    call_t *c = &calls[ci];
    if (!c->used || c->gen != e->gen)
        return; /* the call is over */
    fork_t *f = &c->f[e->fork];
    maybe_move(c);
    switch (e->kind) {
    case E_DELIVER:
        if (e->to_uac)
            uac_receive(ci, e->fork, &e->m);
        else
            uas_receive(ci, e->fork, &e->m);
        break;
    case E_UAS_TIMER:
        if (f->timer_at != e->at)
            break; /* superseded */
        f->timer_at = PRACK_TIME_NONE;
        if (prack_next_deadline(sh_uas_engine(&f->uas)) <= now_ms) {
            ctx_set(c, "UAS timer");
            assert_int_equal(sh_uas_timer(&f->uas, now_ms, &out), PRACK_OK);
            uas_carry_out(ci, e->fork);
        } else {
            uas_rearm(ci, e->fork);
        }
        break;
    case E_APP:
        app_step(ci, e->fork);
        break;
    case E_INVITE_A:
        if (f->invite_gen != e->aux || f->got_response || c->uac_final || c->timer_b)
            break;
        {
            msg_t m = {.kind = M_INVITE, .fork = e->fork};
            transmit(ci, e->fork, false, &m);
            f->invite_interval *= 2u;
            schedule(ci, E_INVITE_A, e->fork, now_ms + f->invite_interval, f->invite_gen, 0);
        }
        break;
    case E_TIMER_B: {
        bool any = false;
        for (int k = 0; k < c->forks; k++)
            any = any || c->f[k].got_response;
        if (!any && !c->uac_final) {
            c->timer_b = true;
            for (int i = 0; i < PRACK_TX_MAX; i++)
                c->ptx[i].live = false;
        }
        break;
    }
    case E_CTX:
        ctx_timer(ci, e);
        break;
    case E_FINAL_G:
        if (e->aux != f->final_gen || f->final_acked)
            break;
        if (now_ms >= f->final_first + 64u * T1) {
            f->final_given_up = true; /* Timer H, or the 2xx given up: the call is over */
            break;
        }
        transmit(ci, e->fork, true, &f->last_rsp);
        f->final_interval = f->final_interval * 2u > T2 ? T2 : f->final_interval * 2u;
        schedule(ci, E_FINAL_G, e->fork, now_ms + f->final_interval, f->final_gen, 0);
        break;
    case E_SCRIPT_CANCEL:
        if (!c->uac_final && !c->timer_b)
            for (int k = 0; k < c->forks; k++)
                send_cancel(ci, k);
        break;
    case E_TIMER_C: /* CANCEL everything, then give up 64*T1 later */
        if (c->uac_final || c->timer_b || c->timer_c)
            break;
        if (e->aux == 0) {
            for (int k = 0; k < c->forks; k++)
                send_cancel(ci, k);
            schedule(ci, E_TIMER_C, 0, now_ms + 64u * T1, 1, 0);
        } else {
            c->timer_c = true;
            for (int i = 0; i < PRACK_TX_MAX; i++)
                c->ptx[i].live = false;
            for (int k = 0; k < c->forks; k++)
                c->f[k].cancel.live = false;
        }
        break;
    case E_WATCHDOG:
        ctx_set(c, "watchdog");
        if (!call_quiet(c))
            dump_call(c);
        SH_CHECK(call_quiet(c), "every call is over within 20 minutes of virtual time");
        break;
    default:
        break;
    }
    if (c->used && c->gen == e->gen && call_quiet(c))
        finish_call(ci);
}

/* ------------------------------------------------------------------------- */

static void test_lossy_network(void **state)
{
    (void)state;
    memset(&st, 0, sizeof(st));
    rnd_seed(P.seed);
    calls = calloc(P.concurrency, sizeof(*calls));
    assert_non_null(calls);
    heap_n = 0;
    now_ms = 1000;
    next_call_id = 0;
    printf("sim: seed=%llu calls=%lu loss=%u%% dup=%u%% reorder=%u%% fork=%u%% concurrency=%u\n",
           (unsigned long long)P.seed, P.calls, P.loss, P.dup, P.reorder, P.fork, P.concurrency);
    printf("sim: reproduce with: test_sim --seed %llu --calls %lu --loss %u --dup %u --reorder %u "
           "--fork %u --concurrency %u\n",
           (unsigned long long)P.seed, P.calls, P.loss, P.dup, P.reorder, P.fork, P.concurrency);
    fflush(stdout);
    event_t first = {0};
    first.at = now_ms;
    first.kind = E_SPAWN;
    push(first);
    clock_t t0 = clock();
    while (heap_n) {
        event_t e = pop();
        if (e.at < now_ms)
            fail_msg("event %u at %llu before now %llu", e.kind, (unsigned long long)e.at,
                     (unsigned long long)now_ms);
        now_ms = e.at;
        handle(&e);
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("sim: %lu calls finished (%lu forked) in %.1f virtual minutes, %.2f s of CPU\n", st.finished,
           st.forked, (double)(now_ms - 1000u) / 60000.0, secs);
    printf("sim: outcomes: expected final %lu (2xx %lu), 487 after CANCEL %lu, 64*T1 5xx %lu, "
           "420/421 %lu, no response at all (Timer B 408) %lu, every final lost (Timer C) %lu\n",
           st.expected_final, st.answered_2xx, st.cancelled, st.timeout_5xx, st.rejected, st.no_answer_408,
           st.gave_up);
    printf("sim: messages %lu (lost %lu, duplicated %lu); reliable 1xx %lu, retransmitted %lu; "
           "PRACKs %lu (Timer F 408: %lu); 2xx held %lu; 1xx refused by a full queue %lu\n",
           st.messages, st.lost, st.duplicated, st.reliable_1xx, st.retransmissions, st.pracks, st.prack_408,
           st.held_2xx, st.queue_full);
    printf("sim: PRACKs at the UAS engine: 200 %lu, 200 again %lu, 481 %lu (%lu copies answered by "
           "server transactions); challenges %lu, resends with credentials %lu, PRACKs failed %lu; "
           "offers in PRACK %lu; PRACKs after a 2xx on another fork %lu; retries suggested %lu; "
           "CSeq >= 2^31: %lu calls; engines moved %lu times\n",
           st.engine_200, st.engine_dup, st.engine_481, st.txn_absorbed, st.challenges, st.auth_resends,
           st.prack_failed, st.offers_in_prack, st.other_fork, st.retry_suggested, st.high_cseq, st.moves);
    assert_int_equal(st.finished, P.calls);
    if (P.calls >= 2000u && P.loss > 0u) {
        /* the mix must exercise what the rules are about */
        assert_true(st.engine_dup > 0u);
        assert_true(st.engine_481 > 0u);
        assert_true(st.auth_resends > 0u);
        assert_true(st.other_fork > 0u);
        assert_true(st.offers_in_prack > 0u);
        assert_true(st.high_cseq > 0u);
        assert_true(st.moves > 0u);
    }
    for (uint32_t i = 0; i < P.concurrency; i++)
        assert_false(calls[i].used);
    free(calls);
    free(heap);
    heap = NULL;
    heap_cap = 0;
}

static unsigned long num(const char *s, const char *what)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end) {
        fprintf(stderr, "test_sim: bad %s: %s\n", what, s);
        exit(2);
    }
    return v;
}

static void set(const char *name, const char *v)
{
    if (!strcmp(name, "seed"))
        P.seed = strcmp(v, "random") ? (uint64_t)strtoull(v, NULL, 10)
                                     : (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
    else if (!strcmp(name, "calls"))
        P.calls = num(v, name);
    else if (!strcmp(name, "loss"))
        P.loss = (unsigned)num(v, name);
    else if (!strcmp(name, "dup"))
        P.dup = (unsigned)num(v, name);
    else if (!strcmp(name, "reorder"))
        P.reorder = (unsigned)num(v, name);
    else if (!strcmp(name, "fork"))
        P.fork = (unsigned)num(v, name);
    else if (!strcmp(name, "concurrency"))
        P.concurrency = (unsigned)num(v, name);
    else {
        fprintf(stderr, "test_sim: unknown option --%s\n", name);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    static const char *const env[][2] = {{"PRACK_SIM_SEED", "seed"},     {"PRACK_SIM_CALLS", "calls"},
                                         {"PRACK_SIM_LOSS", "loss"},     {"PRACK_SIM_DUP", "dup"},
                                         {"PRACK_SIM_REORDER", "reorder"}, {"PRACK_SIM_FORK", "fork"}};
    for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
        const char *v = getenv(env[i][0]);
        if (v && *v)
            set(env[i][1], v);
    }
    for (int i = 1; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            fprintf(stderr, "usage: %s [--seed N|random] [--calls N] [--loss P] [--dup P] [--reorder P] "
                            "[--fork P] [--concurrency N]\n",
                    argv[0]);
            return 2;
        }
        set(argv[i] + 2, argv[i + 1]);
    }
    if (P.loss > 100 || P.dup > 100 || P.reorder > 100 || P.fork > 100 || P.concurrency == 0 ||
        P.loss == 100) {
        fprintf(stderr, "test_sim: percentages are 0..100 (loss below 100), concurrency at least 1\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lossy_network),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
