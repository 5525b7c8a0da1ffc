/*
 * Tests for the UAS engine: prack_uas_*, prack_on_timer, prack_next_deadline.
 *
 * Scenarios run on a virtual clock. A scenario is an array of steps; each step
 * feeds one input at a time t (init, send_1xx, send_final, cancel, a PRACK
 * with its own CSeq and its RAck, a timer call, or "run the clock" up to t)
 * and states the return code and the exact actions expected, every field
 * compared (flags included). Getters and counters are checked where a step
 * asks for it.
 *
 * Every test names the rows of rfc/requirements.md (R1..R57, N1..N12) it
 * proves, and pitfalls.md entries appear as "pitfall #n", so coverage can be
 * counted with grep.
 *
 * Contracts checked on every step, whatever the scenario:
 *   - the batch handed in is poisoned (n = PRACK_ACTIONS_MAX, garbage
 *     entries), so a call that forgets to reset it, or leaves a field of an
 *     action unset, is caught;
 *   - an error return leaves the batch empty and the engine byte for byte
 *     unchanged (prack.h: "the engine is unchanged and the batch is empty");
 *   - after each prack_on_timer(now) of a clock run, the next deadline is
 *     later than now or PRACK_TIME_NONE;
 *   - cookies (prack.h, PRACK_AF_RELEASE): an action carries only a cookie the
 *     engine accepted and has not released yet; PRACK_AF_RELEASE comes only on
 *     an unreliable SEND_1XX, an ANSWER_PRACK or a DROP_1XX that carries a
 *     cookie; and once the transaction is over (COMPLETED or REJECTED) every
 *     accepted cookie has been released;
 *   - each scenario run with RUN() runs twice, the second time with the
 *     engine moved to fresh heap storage (memcpy, the old copy scribbled over
 *     and freed) before every call, and both runs give the same actions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prack/prack.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================== */
/* Scenario language                                                        */
/* ======================================================================== */

/* Defaults of most scenarios: INVITE CSeq, and the randomness giving RSeq 42. */
#define CSEQ 101u
#define RND 41u
#define TNONE PRACK_TIME_NONE

/* Enough for the largest batch the UAS can produce (8 drops, the
 * unacknowledged 1xx, final, event, PRACK answer) and for the longest
 * timeline a clock step checks. */
#define MAX_EXP 16

/* Own CSeq of the first PRACK that a step does not number itself (OWN);
 * each such PRACK is a new request with the next number. */
#define OWN_AUTO 900000u

enum input { IN_END = 0, IN_INIT, IN_1XX, IN_FINAL, IN_CANCEL, IN_PRACK, IN_TIMER, IN_CLOCK };

/* One expected action; fields not listed in prack_action_t here are derived:
 * cseq is the INVITE's for all but events (0), option is NONE, the reserved
 * fields are 0. */
typedef struct exp_act {
    prack_act_t type; /* 0 ends the list */
    uint16_t status;
    uint32_t rseq;
    uint32_t flags;
    prack_sdp_t sdp;
    prack_reason_t reason;
    unsigned user; /* cookie index, 0 for none */
    const char *text;
} exp_act_t;

typedef struct step {
    prack_time_t at; /* IN_CLOCK: run the clock up to and including this time */
    enum input in;
    /* IN_INIT */
    prack_policy_t policy;
    unsigned inv;      /* PRACK_INV_* */
    uint32_t random;
    uint32_t t1;       /* 0: default */
    uint32_t refresh;
    uint16_t tstatus;  /* 0: default */
    bool qmax_set;     /* else the default queue_max */
    uint8_t qmax;
    /* IN_1XX, IN_FINAL */
    uint16_t status;
    unsigned flags;    /* PRACK_1XX_* or PRACK_PR_* */
    unsigned user;     /* cookie index */
    /* IN_PRACK: the RAck (cseq is also the INVITE's CSeq for IN_INIT) */
    uint64_t rseq;
    uint64_t cseq;
    const char *method; /* NUL-terminated here; handed over by length */
    bool own_set;       /* else a new PRACK numbered from OWN_AUTO on */
    uint32_t own;       /* the PRACK's own CSeq */
    /* expectations */
    int rc;
    prack_uas_state_t state; /* 0: not checked */
    bool chk_reliable, chk_unacked, chk_queued, chk_deadline, chk_counters, unchanged;
    bool reliable;
    uint32_t unacked;
    uint32_t queued;
    prack_time_t deadline;
    prack_uas_stats_t counters;
    prack_time_t times[MAX_EXP]; /* IN_CLOCK: when each action happens */
    exp_act_t act[MAX_EXP];
} step_t;

#define DO_INIT(t, pol, invf) \
    .at = (t), .in = IN_INIT, .policy = PRACK_POLICY_##pol, .inv = (invf), .cseq = CSEQ, \
    .random = RND
#define DO_1XX(t, st, fl, u) .at = (t), .in = IN_1XX, .status = (st), .flags = (fl), .user = (u)
#define DO_FINAL(t, st) .at = (t), .in = IN_FINAL, .status = (st)
#define DO_CANCEL(t) .at = (t), .in = IN_CANCEL
#define DO_PRACKX(t, rs, cs, m, fl) \
    .at = (t), .in = IN_PRACK, .rseq = (rs), .cseq = (cs), .method = (m), .flags = (fl)
#define DO_PRACK(t, rs) DO_PRACKX(t, rs, CSEQ, "INVITE", PRACK_PR_RACK)
#define DO_PRACK_SDP(t, rs) DO_PRACKX(t, rs, CSEQ, "INVITE", PRACK_PR_RACK | PRACK_PR_SDP)
#define DO_TIMER(t) .at = (t), .in = IN_TIMER
#define DO_CLOCK(t) .at = (t), .in = IN_CLOCK

/* The PRACK's own CSeq: a PRACK with the number (and RAck) of an earlier one
 * is a retransmission of it. */
#define OWN(n) .own_set = true, .own = (n)
#define QMAX(n) .qmax_set = true, .qmax = (n)
#define RC(x) .rc = (x)
#define STATE(s) .state = PRACK_UAS_##s
#define RELIABLE(b) .chk_reliable = true, .reliable = (b)
#define UNACKED(r) .chk_unacked = true, .unacked = (r)
#define QUEUED(q) .chk_queued = true, .queued = (q)
#define DEADLINE(d) .chk_deadline = true, .deadline = (d)
#define COUNTERS(sent, acked, retx, rej) \
    .chk_counters = true, .counters = {(sent), (acked), (retx), (rej)}
/* the call succeeds and leaves the engine byte for byte as it was (give the
 * step the time of the previous one, which the engine already recorded) */
#define UNCHANGED() .unchanged = true
#define EXPECT(...) .act = {__VA_ARGS__}
#define TIMES(...) .times = {__VA_ARGS__}

#define I_S PRACK_INV_SUPPORTED_100REL
#define I_R PRACK_INV_REQUIRE_100REL
#define I_SDP PRACK_INV_SDP
#define SDP PRACK_1XX_SDP
#define UNREL PRACK_1XX_UNRELIABLE

/* prack.h: PRACK_AF_RELEASE is set on the last action carrying a cookie, and
 * never for cookie 0. */
#define RELEASE_IF(u) ((u) ? PRACK_AF_RELEASE : 0u)

#define A_SEND(st, rs, fl, sd, u) \
    {PRACK_ACT_SEND_1XX, (st), (rs), (fl), PRACK_SDP_##sd, PRACK_R_NONE, (u), NULL}
#define A_REL(st, rs, sd, u) A_SEND(st, rs, PRACK_AF_RELIABLE, sd, u)
/* an unreliable 1xx: the engine keeps nothing of it and releases the cookie */
#define A_UNREL(st, sd, u) A_SEND(st, 0, RELEASE_IF(u), sd, u)
#define A_RETX(st, rs, u) A_SEND(st, rs, PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT, NONE, u)
/* a refresh (R8) carries no cookie */
#define A_REFRESH(st, rs) A_SEND(st, rs, PRACK_AF_RELIABLE | PRACK_AF_REFRESH, NONE, 0)
#define A_QUEUE(st, u) \
    {PRACK_ACT_QUEUE_1XX, (st), 0, 0, PRACK_SDP_NONE, PRACK_R_NONE, (u), NULL}
/* a queued 1xx that will never be sent (R30) */
#define A_DROP(st, u) \
    {PRACK_ACT_DROP_1XX, (st), 0, RELEASE_IF(u), PRACK_SDP_NONE, PRACK_R_NONE, (u), NULL}
/* the unacknowledged 1xx (with a cookie) whose retransmissions a final
 * stopped (R28); a late PRACK for it is answered without the cookie (R29) */
#define A_DROP_UNACKED(st, rs, u) \
    {PRACK_ACT_DROP_1XX, (st), (rs), PRACK_AF_RELEASE, PRACK_SDP_NONE, PRACK_R_NONE, (u), NULL}
#define A_FINAL(st, fl, sd) \
    {PRACK_ACT_SEND_FINAL, (st), 0, (fl), PRACK_SDP_##sd, PRACK_R_NONE, 0, NULL}
#define A_TIMEOUT(st, fl) \
    {PRACK_ACT_SEND_FINAL, (st), 0, PRACK_AF_TIMEOUT | (fl), PRACK_SDP_NONE, PRACK_R_NONE, 0, \
     PRACK_TIMEOUT_TEXT}
#define A_HOLD(st, rs) \
    {PRACK_ACT_HOLD_FINAL, (st), (rs), 0, PRACK_SDP_NONE, PRACK_R_NONE, 0, NULL}
#define A_ANS(st, rs, sd, why) \
    {PRACK_ACT_ANSWER_PRACK, (st), (rs), 0, PRACK_SDP_##sd, PRACK_R_##why, 0, NULL}
/* the 200 to the PRACK that acknowledged a reliable 1xx releases its cookie */
#define A_ACK(rs, sd, u) \
    {PRACK_ACT_ANSWER_PRACK, 200, (rs), RELEASE_IF(u), PRACK_SDP_##sd, PRACK_R_NONE, (u), NULL}
/* the 200 again, to a retransmission of the PRACK that acknowledged rs */
#define A_DUP(rs, sd) A_ANS(200, rs, sd, DUPLICATE)
#define A_481(rs) A_ANS(481, rs, NONE, NO_MATCH)
#define A_EV(why) {PRACK_ACT_EVENT, 0, 0, 0, PRACK_SDP_NONE, PRACK_R_##why, 0, NULL}

/* ======================================================================== */
/* Runner                                                                   */
/* ======================================================================== */

/* Host cookies: index i (1..63) stands for a 64-bit value holding i in each
 * 16-bit lane, so a cookie cut to 32 bits or mixed up with another is caught;
 * index 0 is "no cookie". */
#define N_COOKIES 64u

static uint64_t cookie(unsigned i)
{
    assert_true(i < N_COOKIES);
    return (uint64_t)i * UINT64_C(0x0001000100010001);
}

/* The index of a cookie value, or N_COOKIES when it is none of ours. */
static unsigned cookie_index(uint64_t v)
{
    unsigned i = (unsigned)(v & 0xFFFFu);
    return i < N_COOKIES && cookie(i) == v ? i : N_COOKIES;
}

/* Room for every action of one scenario. */
#define TRACE_MAX 512

typedef struct world {
    const char *name;
    char label[128];
    prack_uas_t *uas;  /* heap storage of exactly its size */
    bool move;         /* move the engine before every call */
    prack_actions_t out;
    uint32_t cseq;
    prack_time_t now;  /* time of the last successful call */
    uint32_t next_own; /* own CSeq of the next new PRACK */
    unsigned held[N_COOKIES]; /* cookies accepted and not yet released */
    size_t n_trace;
    prack_action_t trace[TRACE_MAX]; /* every action, in order */
} world_t;

/* An action with the time it was produced (clock runs). */
typedef struct timed {
    prack_time_t at;
    prack_action_t a;
} timed_t;

/* A used batch: stale count and garbage in every field. */
static void poison(prack_actions_t *out)
{
    memset(out, 0x5A, sizeof(*out));
    out->n = PRACK_ACTIONS_MAX;
}

/*
 * Move an engine as a host's table does when it grows: into fresh heap
 * storage, the old copy scribbled over and freed, so that anything the engine
 * kept about its old address would read garbage (or, under AddressSanitizer,
 * freed memory).
 */
static void relocate(prack_uas_t **uas)
{
    prack_uas_t *fresh = malloc(sizeof(*fresh));
    assert_non_null(fresh);
    memcpy(fresh, *uas, sizeof(*fresh));
    memset(*uas, 0xA7, sizeof(**uas));
    free(*uas);
    *uas = fresh;
}

static void dump(const char *what, const prack_action_t *v, const prack_time_t *at, size_t n)
{
    char buf[200];
    print_message("%s: %zu action(s)\n", what, n);
    for (size_t i = 0; i < n; i++) {
        if (prack_action_format(buf, sizeof(buf), &v[i]) < 0)
            strcpy(buf, "(unformattable)");
        if (at)
            print_message("  [%zu] t=%" PRIu64 " %s user=0x%016" PRIx64 "\n", i, at[i], buf,
                          v[i].user);
        else
            print_message("  [%zu] %s user=0x%016" PRIx64 "\n", i, buf, v[i].user);
    }
}

static size_t exp_count(const exp_act_t *e)
{
    size_t n = 0;
    while (n < MAX_EXP && e[n].type != 0)
        n++;
    return n;
}

static bool action_matches(const prack_action_t *a, const exp_act_t *e, uint32_t cseq)
{
    bool text_ok = e->text ? (a->text && strcmp(a->text, e->text) == 0) : a->text == NULL;
    return a->type == e->type && a->status == e->status && a->rseq == e->rseq &&
           a->flags == e->flags && a->sdp == e->sdp && a->reason == e->reason &&
           a->user == cookie(e->user) && a->option == PRACK_OPTION_NONE &&
           a->reserved_ == 0 && a->reserved2_ == 0 &&
           a->cseq == (e->type == PRACK_ACT_EVENT ? 0u : cseq) && text_ok;
}

static void describe_expected(const exp_act_t *e, size_t n, const prack_time_t *at)
{
    print_message("expected: %zu action(s)\n", n);
    for (size_t i = 0; i < n; i++) {
        print_message("  [%zu] ", i);
        if (at)
            print_message("t=%" PRIu64 " ", at[i]);
        print_message("%s %u rseq=%" PRIu32 " flags=0x%" PRIx32 " sdp=%s reason=%s user=#%u%s\n",
                      prack_act_name(e[i].type), (unsigned)e[i].status, e[i].rseq, e[i].flags,
                      prack_sdp_name(e[i].sdp), prack_reason_name(e[i].reason), e[i].user,
                      e[i].text ? " text" : "");
    }
}

/* Compare a batch (or a clock log, when at != NULL) against the expectation. */
static void check_actions(const world_t *w, size_t idx, const prack_action_t *v,
                          const prack_time_t *at, size_t n, const step_t *s)
{
    size_t ne = exp_count(s->act);
    bool ok = n == ne;
    for (size_t i = 0; ok && i < n; i++) {
        ok = action_matches(&v[i], &s->act[i], w->cseq);
        if (ok && at)
            ok = at[i] == s->times[i];
    }
    if (!ok) {
        print_message("%s, step %zu (t=%" PRIu64 "): actions differ\n", w->name, idx, s->at);
        dump("actual", v, at, n);
        describe_expected(s->act, ne, at ? s->times : NULL);
        fail_msg("%s step %zu: action mismatch", w->name, idx);
    }
}

/*
 * The cookie rule of prack.h, checked on every action whatever the scenario
 * expects: a cookie comes back only while the engine holds it, and
 * PRACK_AF_RELEASE hands it back once, on an action type that may do so.
 * Also appends the actions to the world's trace.
 */
static void check_cookies(world_t *w, size_t idx, const prack_action_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const prack_action_t *a = &v[i];
        if (w->n_trace >= TRACE_MAX)
            fail_msg("%s: more than %d actions", w->name, TRACE_MAX);
        w->trace[w->n_trace++] = *a;
        if (a->user == 0) {
            if (a->flags & PRACK_AF_RELEASE)
                fail_msg("%s step %zu: action %zu releases no cookie", w->name, idx, i);
            continue;
        }
        unsigned c = cookie_index(a->user);
        if (c == N_COOKIES)
            fail_msg("%s step %zu: action %zu carries 0x%016" PRIx64 ", never given", w->name,
                     idx, i, a->user);
        if (w->held[c] == 0)
            fail_msg("%s step %zu: action %zu carries cookie #%u after its release", w->name,
                     idx, i, c);
        if (a->flags & PRACK_AF_RELEASE) {
            bool may = a->type == PRACK_ACT_ANSWER_PRACK || a->type == PRACK_ACT_DROP_1XX ||
                       (a->type == PRACK_ACT_SEND_1XX && !(a->flags & PRACK_AF_RELIABLE));
            if (!may)
                fail_msg("%s step %zu: %s may not release a cookie", w->name, idx,
                         prack_act_name(a->type));
            w->held[c]--;
        }
    }
}

/*
 * Run the clock from time `from` (the last time the engine saw): call
 * prack_on_timer at every prack_next_deadline up to and including limit, as a
 * host does (an overdue deadline is served at once, not in the past), logging
 * each action with its time. Checks the deadline contract after every call.
 * With move, the engine is moved before every call. Returns the number of
 * actions logged; *last is the time of the last call.
 */
static size_t run_clock(prack_uas_t **uas, bool move, prack_time_t from, prack_time_t limit,
                        timed_t *log, size_t cap, prack_time_t *last)
{
    prack_actions_t out;
    size_t n = 0;
    *last = from;
    for (unsigned guard = 0; guard < 100000u; guard++) {
        prack_time_t due = prack_next_deadline(*uas);
        if (due == PRACK_TIME_NONE || due > limit)
            return n;
        if (due < from)
            due = from;
        from = due;
        *last = due;
        if (move)
            relocate(uas);
        poison(&out);
        assert_int_equal(prack_on_timer(*uas, due, &out), PRACK_OK);
        assert_true(out.n <= PRACK_ACTIONS_MAX);
        for (size_t i = 0; i < out.n; i++) {
            assert_true(n < cap);
            log[n].at = due;
            log[n].a = out.v[i];
            n++;
        }
        prack_time_t next = prack_next_deadline(*uas);
        if (!(next == PRACK_TIME_NONE || next > due))
            fail_msg("deadline %" PRIu64 " not after timer call at %" PRIu64, next, due);
    }
    fail_msg("the clock never settled");
    return n;
}

static void run_step(world_t *w, const step_t *s, size_t idx)
{
    prack_uas_t before;
    prack_config_t cfg;
    prack_invite_t inv;
    prack_prack_t pr;
    char *method = NULL;
    timed_t log[64];
    size_t n_log = 0;
    prack_time_t clock_end = 0;
    int rc = PRACK_OK;

    if (w->move && s->in != IN_CLOCK)
        relocate(&w->uas);
    memcpy(&before, w->uas, sizeof(before));
    poison(&w->out);
    switch (s->in) {
    case IN_INIT:
        assert_int_equal(prack_config_init(&cfg), PRACK_OK);
        cfg.policy = (uint8_t)s->policy;
        if (s->t1)
            cfg.t1_ms = s->t1;
        cfg.refresh_ms = s->refresh;
        if (s->tstatus)
            cfg.timeout_status = s->tstatus;
        if (s->qmax_set)
            cfg.queue_max = s->qmax;
        inv.cseq = (uint32_t)s->cseq;
        inv.flags = s->inv;
        rc = prack_uas_init(w->uas, &cfg, &inv, s->random, s->at, &w->out);
        if (rc == PRACK_OK) {
            w->cseq = inv.cseq;
            memset(w->held, 0, sizeof(w->held));
        }
        break;
    case IN_1XX:
        rc = prack_uas_send_1xx(w->uas, s->at, s->status, s->flags, cookie(s->user), &w->out);
        if (rc == PRACK_OK && s->user)
            w->held[s->user]++; /* accepted: the engine owes it back */
        break;
    case IN_FINAL:
        rc = prack_uas_send_final(w->uas, s->at, s->status, &w->out);
        break;
    case IN_CANCEL:
        rc = prack_uas_cancel(w->uas, s->at, &w->out);
        break;
    case IN_PRACK:
        memset(&pr, 0, sizeof(pr));
        pr.flags = s->flags;
        pr.cseq = s->own_set ? s->own : w->next_own++;
        pr.rack_rseq = s->rseq;
        pr.rack_cseq = s->cseq;
        if (s->method) {
            /* an exact-length heap copy: reading past method_len is caught */
            pr.method_len = (uint32_t)strlen(s->method);
            method = malloc(pr.method_len ? pr.method_len : 1u);
            assert_non_null(method);
            memcpy(method, s->method, pr.method_len);
            pr.method = method;
        }
        rc = prack_uas_on_prack(w->uas, s->at, &pr, &w->out);
        free(method);
        break;
    case IN_TIMER:
        rc = prack_on_timer(w->uas, s->at, &w->out);
        break;
    case IN_CLOCK:
        n_log = run_clock(&w->uas, w->move, w->now, s->at, log, ARRAY_LEN(log), &clock_end);
        break;
    case IN_END:
        return;
    }

    if (rc != s->rc)
        fail_msg("%s step %zu (t=%" PRIu64 "): returned %d (%s), expected %d (%s)", w->name, idx,
                 s->at, rc, prack_strerror(rc), s->rc, prack_strerror(s->rc));
    if (rc >= 0)
        w->now = s->in == IN_CLOCK ? clock_end : s->at;
    if (rc < 0) {
        if (w->out.n != 0)
            fail_msg("%s step %zu: error %d left %" PRIu32 " action(s) in the batch", w->name,
                     idx, rc, w->out.n);
        if (memcmp(&before, w->uas, sizeof(before)) != 0)
            fail_msg("%s step %zu: error %d changed the engine", w->name, idx, rc);
    } else if (s->in == IN_CLOCK) {
        prack_action_t acts[ARRAY_LEN(log)];
        prack_time_t times[ARRAY_LEN(log)];
        for (size_t i = 0; i < n_log; i++) {
            acts[i] = log[i].a;
            times[i] = log[i].at;
        }
        check_actions(w, idx, acts, times, n_log, s);
        check_cookies(w, idx, acts, n_log);
    } else {
        assert_true(w->out.n <= PRACK_ACTIONS_MAX);
        check_actions(w, idx, w->out.v, NULL, w->out.n, s);
        check_cookies(w, idx, w->out.v, w->out.n);
    }
    if (s->unchanged && memcmp(&before, w->uas, sizeof(before)) != 0)
        fail_msg("%s step %zu: the call changed the engine", w->name, idx);

    unsigned st = prack_uas_state(w->uas);
    if (s->state && st != (unsigned)s->state)
        fail_msg("%s step %zu: state %s, expected %s", w->name, idx, prack_uas_state_name(st),
                 prack_uas_state_name(s->state));
    if (st == PRACK_UAS_COMPLETED || st == PRACK_UAS_REJECTED) {
        for (unsigned c = 0; c < N_COOKIES; c++)
            if (w->held[c])
                fail_msg("%s step %zu: the transaction is over but cookie #%u was never "
                         "released", w->name, idx, c);
    }
    if (s->chk_reliable && prack_uas_reliable(w->uas) != s->reliable)
        fail_msg("%s step %zu: reliable is %d", w->name, idx, (int)prack_uas_reliable(w->uas));
    if (s->chk_unacked && prack_uas_unacked(w->uas) != s->unacked)
        fail_msg("%s step %zu: unacked %" PRIu32 ", expected %" PRIu32, w->name, idx,
                 prack_uas_unacked(w->uas), s->unacked);
    if (s->chk_queued && prack_uas_queued(w->uas) != s->queued)
        fail_msg("%s step %zu: queued %" PRIu32 ", expected %" PRIu32, w->name, idx,
                 prack_uas_queued(w->uas), s->queued);
    if (s->chk_deadline && prack_next_deadline(w->uas) != s->deadline)
        fail_msg("%s step %zu: deadline %" PRIu64 ", expected %" PRIu64, w->name, idx,
                 prack_next_deadline(w->uas), s->deadline);
    if (s->chk_counters) {
        prack_uas_stats_t cnt;
        memset(&cnt, 0xEE, sizeof(cnt));
        assert_int_equal(prack_uas_counters(w->uas, &cnt), PRACK_OK);
        if (cnt.reliable_sent != s->counters.reliable_sent ||
            cnt.acknowledged != s->counters.acknowledged ||
            cnt.retransmissions != s->counters.retransmissions ||
            cnt.rejected_pracks != s->counters.rejected_pracks)
            fail_msg("%s step %zu: counters sent=%" PRIu32 " acked=%" PRIu32 " retx=%" PRIu32
                     " rejected=%" PRIu32 ", expected %" PRIu32 "/%" PRIu32 "/%" PRIu32
                     "/%" PRIu32,
                     w->name, idx, cnt.reliable_sent, cnt.acknowledged, cnt.retransmissions,
                     cnt.rejected_pracks, s->counters.reliable_sent, s->counters.acknowledged,
                     s->counters.retransmissions, s->counters.rejected_pracks);
    }
}

static void run_on(world_t *w, const char *name, const step_t *steps, size_t n)
{
    snprintf(w->label, sizeof(w->label), "%s%s", name,
             w->move ? " (engine moved before every call)" : "");
    w->name = w->label;
    for (size_t i = 0; i < n && steps[i].in != IN_END; i++)
        run_step(w, &steps[i], i);
}

/* Worlds still allocated; a failed assertion leaves the test early, so the
 * per-test teardown frees what is left and no run reports a leak. */
static world_t *live_worlds[8];

static world_t *world_new(bool move)
{
    world_t *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    w->uas = malloc(sizeof(*w->uas));
    assert_non_null(w->uas);
    memset(w->uas, 0x33, sizeof(*w->uas));
    w->move = move;
    w->next_own = OWN_AUTO;
    for (size_t i = 0; i < ARRAY_LEN(live_worlds); i++) {
        if (!live_worlds[i]) {
            live_worlds[i] = w;
            return w;
        }
    }
    fail_msg("too many worlds");
    return w;
}

static void world_free(world_t *w)
{
    for (size_t i = 0; i < ARRAY_LEN(live_worlds); i++)
        if (live_worlds[i] == w)
            live_worlds[i] = NULL;
    free(w->uas);
    free(w);
}

static int free_worlds(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(live_worlds); i++)
        if (live_worlds[i])
            world_free(live_worlds[i]);
    return 0;
}

static bool same_action(const prack_action_t *a, const prack_action_t *b)
{
    return a->type == b->type && a->reason == b->reason && a->sdp == b->sdp &&
           a->option == b->option && a->status == b->status && a->flags == b->flags &&
           a->rseq == b->rseq && a->cseq == b->cseq && a->user == b->user && a->text == b->text;
}

/* The engine that moved produced exactly what the one that stayed put did. */
static void same_trace(const world_t *still, const world_t *moved)
{
    if (still->n_trace != moved->n_trace)
        fail_msg("%s: %zu actions, %zu when the engine moved", still->name, still->n_trace,
                 moved->n_trace);
    for (size_t i = 0; i < still->n_trace; i++)
        if (!same_action(&still->trace[i], &moved->trace[i]))
            fail_msg("%s: action %zu differs when the engine moved", still->name, i);
}

/* A fresh world per scenario, once with the engine in place and once moved
 * before every call. */
static void run_steps(const char *name, const step_t *steps, size_t n)
{
    world_t *still = world_new(false);
    world_t *moved = world_new(true);
    run_on(still, name, steps, n);
    run_on(moved, name, steps, n);
    same_trace(still, moved);
    world_free(still);
    world_free(moved);
}

#define RUN(sc) run_steps(#sc, sc, ARRAY_LEN(sc))

/* ======================================================================== */
/* Negotiation: R1 R2 R3 R5 R56                                             */
/* ======================================================================== */

enum outcome { O_UNREL, O_REL, O_REL_REQUIRED, O_420, O_421 };

/* R1 R2 R3 R5 R56: policy x (Supported, Require) of the INVITE. */
static void test_R1_R2_R3_R5_R56_negotiation_matrix(void **state)
{
    (void)state;
    static const struct {
        prack_policy_t policy;
        unsigned inv;
        enum outcome out;
    } rows[] = {
        {PRACK_POLICY_OFF, 0, O_UNREL},
        {PRACK_POLICY_OFF, I_S, O_UNREL},        /* R1 is a MAY: declining is fine */
        {PRACK_POLICY_OFF, I_R, O_420},          /* R3 */
        {PRACK_POLICY_OFF, I_S | I_R, O_420},    /* R3 */
        {PRACK_POLICY_SUPPORTED, 0, O_UNREL},    /* R5 */
        {PRACK_POLICY_SUPPORTED, I_S, O_REL},    /* R1 */
        {PRACK_POLICY_SUPPORTED, I_R, O_REL_REQUIRED},       /* R2 R56 */
        {PRACK_POLICY_SUPPORTED, I_S | I_R, O_REL_REQUIRED}, /* R2 R56 */
        {PRACK_POLICY_REQUIRED, 0, O_421},       /* RFC 3261 21.4.16 */
        {PRACK_POLICY_REQUIRED, I_S, O_REL},
        {PRACK_POLICY_REQUIRED, I_R, O_REL_REQUIRED},
        {PRACK_POLICY_REQUIRED, I_S | I_R, O_REL_REQUIRED},
    };
    for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
        step_t s[10];
        size_t k = 0;
        char name[64];
        memset(s, 0, sizeof(s));
        s[k] = (step_t){.at = 0, .in = IN_INIT, .policy = rows[r].policy,
                        .inv = rows[r].inv | I_SDP, .cseq = CSEQ, .random = RND};
        switch (rows[r].out) {
        case O_420:
        case O_421:
            s[k].act[0] = rows[r].out == O_420
                              ? (exp_act_t)A_FINAL(420, PRACK_AF_UNSUPPORTED_100REL, NONE)
                              : (exp_act_t)A_FINAL(421, PRACK_AF_REQUIRE_100REL, NONE);
            s[k].state = PRACK_UAS_REJECTED;
            s[k].chk_reliable = true;
            s[k].chk_deadline = true;
            s[k].deadline = TNONE;
            k++;
            s[k++] = (step_t){DO_1XX(10, 180, 0, 1), RC(PRACK_ERR_STATE)};
            s[k++] = (step_t){DO_1XX(11, 100, 0, 1), RC(PRACK_ERR_STATE)};
            s[k++] = (step_t){DO_FINAL(12, 200), RC(PRACK_ERR_STATE)};
            /* a CANCEL after the rejection is too late: nothing happens */
            s[k++] = (step_t){DO_CANCEL(0), UNCHANGED(), STATE(REJECTED)};
            /* a PRACK after the rejection matches nothing */
            s[k++] = (step_t){DO_PRACK(14, 42), EXPECT(A_ANS(481, 42, NONE, NO_MATCH)),
                              STATE(REJECTED), COUNTERS(0, 0, 0, 1)};
            s[k++] = (step_t){DO_TIMER(100000), DEADLINE(TNONE), STATE(REJECTED)};
            break;
        case O_UNREL:
            s[k].chk_reliable = true;
            s[k++].state = PRACK_UAS_PROCEEDING;
            s[k++] = (step_t){DO_1XX(10, 180, 0, 1), EXPECT(A_UNREL(180, NONE, 1)),
                              UNACKED(0), DEADLINE(TNONE)};
            s[k++] = (step_t){DO_1XX(11, 183, SDP, 2), EXPECT(A_UNREL(183, ANSWER, 2)),
                              DEADLINE(TNONE)};
            s[k++] = (step_t){DO_PRACK(12, 42), EXPECT(A_ANS(481, 42, NONE, NO_MATCH))};
            s[k++] = (step_t){DO_FINAL(13, 200),
                              EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION)),
                              STATE(COMPLETED), COUNTERS(0, 0, 0, 1)};
            break;
        case O_REL:
        case O_REL_REQUIRED:
            s[k].chk_reliable = true;
            s[k].reliable = true;
            s[k++].state = PRACK_UAS_PROCEEDING;
            /* PRACK_1XX_UNRELIABLE is honoured only when 100rel was merely supported */
            if (rows[r].out == O_REL) {
                s[k++] = (step_t){DO_1XX(10, 180, UNREL, 3), EXPECT(A_UNREL(180, NONE, 3)),
                                  UNACKED(0), DEADLINE(TNONE)};
                s[k++] = (step_t){DO_1XX(11, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1)),
                                  UNACKED(42), DEADLINE(511)};
            } else {
                s[k++] = (step_t){DO_1XX(10, 180, UNREL, 1), EXPECT(A_REL(180, 42, NONE, 1)),
                                  UNACKED(42), DEADLINE(510)};
            }
            s[k++] = (step_t){DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 1)),
                              UNACKED(0), DEADLINE(TNONE), COUNTERS(1, 1, 0, 0)};
            break;
        }
        snprintf(name, sizeof(name), "negotiation row %zu", r);
        run_steps(name, s, k);
    }
}

/* R3: the 420 itself, then a PRACK that arrives anyway gets 481 (R16). */
static const step_t sc_R3_420[] = {
    {DO_INIT(1000, OFF, I_R | I_S),
     EXPECT(A_FINAL(420, PRACK_AF_UNSUPPORTED_100REL, NONE)), STATE(REJECTED), RELIABLE(false),
     DEADLINE(TNONE), UNACKED(0), QUEUED(0), COUNTERS(0, 0, 0, 0)},
    {DO_PRACK(1001, 1), EXPECT(A_ANS(481, 1, NONE, NO_MATCH)), COUNTERS(0, 0, 0, 1)},
    {DO_1XX(1002, 183, SDP, 1), RC(PRACK_ERR_STATE)},
    {DO_TIMER(99999), STATE(REJECTED)},
};

static void test_R3_R16_reject_420_then_prack_481(void **state)
{
    (void)state;
    RUN(sc_R3_420);
}

/* R4 R2 R56: 100 Trying never goes reliably, not even when 100rel is required;
 * every other provisional does (the UNRELIABLE hint is ignored, R2). */
static const step_t sc_R4_required[] = {
    {DO_INIT(0, REQUIRED, I_R | I_SDP), RELIABLE(true)},
    {DO_1XX(10, 100, 0, 1), EXPECT(A_UNREL(100, NONE, 1)), UNACKED(0), DEADLINE(TNONE)},
    {DO_1XX(20, 180, UNREL, 2), EXPECT(A_REL(180, 42, NONE, 2)), UNACKED(42), DEADLINE(520)},
    /* a 100 while a reliable 1xx is outstanding: sent at once, not queued (R22 is
     * about reliable ones) */
    {DO_1XX(30, 100, 0, 3), EXPECT(A_UNREL(100, NONE, 3)), QUEUED(0), UNACKED(42)},
    /* R56: with Require even an UNRELIABLE-flagged 1xx waits its turn */
    {DO_1XX(40, 183, UNREL, 4), EXPECT(A_QUEUE(183, 4)), QUEUED(1)},
    {DO_PRACK(50, 42), EXPECT(A_ACK(42, NONE, 2), A_REL(183, 43, NONE, 4)),
     UNACKED(43), DEADLINE(550)},
    {DO_PRACK(60, 43), EXPECT(A_ACK(43, NONE, 4)), COUNTERS(2, 2, 0, 0)},
};

static void test_R4_R2_R56_100_never_reliable(void **state)
{
    (void)state;
    RUN(sc_R4_required);
}

/* R5: the INVITE lists 100rel nowhere: nothing is reliable, nothing to PRACK. */
static const step_t sc_R5[] = {
    {DO_INIT(0, SUPPORTED, 0), RELIABLE(false)},
    /* no offer anywhere, but an unreliable 1xx needs none (R49 is about reliable) */
    {DO_1XX(1, 180, 0, 1), EXPECT(A_UNREL(180, NONE, 1)), DEADLINE(TNONE)},
    {DO_1XX(2, 183, SDP, 2), EXPECT(A_UNREL(183, OFFER, 2)), DEADLINE(TNONE)},
    {DO_CLOCK(1000000)},
    {DO_FINAL(3, 200), EXPECT(A_FINAL(200, 0, OFFER)), COUNTERS(0, 0, 0, 0)},
};

static void test_R5_no_100rel_never_reliable(void **state)
{
    (void)state;
    RUN(sc_R5);
}

/* R1 R5: policy off never sends reliably, even to an INVITE that supports it. */
static const step_t sc_R1_off[] = {
    {DO_INIT(0, OFF, I_S | I_SDP), RELIABLE(false), STATE(PROCEEDING)},
    {DO_1XX(1, 183, SDP, 1), EXPECT(A_UNREL(183, ANSWER, 1)), DEADLINE(TNONE)},
    {DO_FINAL(2, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION))},
};

static void test_R1_R5_policy_off_unreliable(void **state)
{
    (void)state;
    RUN(sc_R1_off);
}

/* N4 R10 R11 R15: any 101..199 goes reliably with the RELIABLE flag (Require:
 * 100rel) and an RSeq; a body is allowed and its role reported. */
static const step_t sc_N4[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 101, 0, 1), EXPECT(A_REL(101, 42, NONE, 1))},
    {DO_PRACK(1, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_1XX(2, 199, SDP, 2), EXPECT(A_REL(199, 43, ANSWER, 2), A_EV(SESSION))},
    {DO_PRACK(3, 43), EXPECT(A_ACK(43, NONE, 2))},
    {DO_1XX(4, 180, SDP, 0), EXPECT(A_REL(180, 44, REPEAT, 0))}, /* cookie 0, none, is fine */
    {DO_PRACK(5, 44), EXPECT(A_ACK(44, NONE, 0)), COUNTERS(3, 3, 0, 0)},
};

static void test_N4_R10_R11_R15_any_101_199_reliable(void **state)
{
    (void)state;
    RUN(sc_N4);
}

/* ======================================================================== */
/* RSeq: R12 R13 R14 R24 R25 N5 N8                                          */
/* ======================================================================== */

/* R12 R13 R24 R25 N8, pitfall #17: the first RSeq is exactly
 * 1 + random % (2^31 - 1), so always in 1..2^31-1; the next is one higher,
 * past 2^31 too (the range limit is for the first value only). */
static void test_R12_R13_R24_first_rseq_range(void **state)
{
    (void)state;
    static const uint32_t randoms[] = {0u, 1u, 40u, 0x7FFFFFFDu, 0x7FFFFFFEu, 0x7FFFFFFFu,
                                       0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (size_t i = 0; i < ARRAY_LEN(randoms); i++) {
        uint32_t first = 1u + randoms[i] % 0x7FFFFFFFu;
        step_t s[5];
        char name[64];
        memset(s, 0, sizeof(s));
        assert_true(first >= 1u && first <= 0x7FFFFFFFu);
        s[0] = (step_t){.in = IN_INIT, .policy = PRACK_POLICY_SUPPORTED,
                        .inv = I_S | I_SDP, .cseq = CSEQ, .random = randoms[i]};
        s[1] = (step_t){DO_1XX(0, 180, 0, 1), UNACKED(first)};
        s[1].act[0] = (exp_act_t)A_REL(180, first, NONE, 1);
        s[2] = (step_t){DO_PRACK(1, first)};
        s[2].act[0] = (exp_act_t)A_ACK(first, NONE, 1);
        s[3] = (step_t){DO_1XX(2, 183, 0, 2), UNACKED(first + 1u)};
        s[3].act[0] = (exp_act_t)A_REL(183, first + 1u, NONE, 2);
        snprintf(name, sizeof(name), "random 0x%08" PRIx32, randoms[i]);
        run_steps(name, s, 4);
    }
    /* the exact values named by the rule */
    assert_int_equal(1u + 0u % 0x7FFFFFFFu, 1);
    assert_int_equal(1u + 0x7FFFFFFEu % 0x7FFFFFFFu, 0x7FFFFFFF);
    assert_int_equal(1u + 0x7FFFFFFFu % 0x7FFFFFFFu, 1);
    assert_int_equal(1u + 0xFFFFFFFFu % 0x7FFFFFFFu, 2);
}

/*
 * R24 R25: 1000 reliable 1xx in a row, each PRACKed, starting at the top of the
 * first-RSeq range: every RSeq is exactly the previous + 1 and crosses 2^31
 * without wrapping. (Reaching the end of the 32-bit space would take 2^31
 * responses, too slow for a unit test; the engine refuses with
 * PRACK_ERR_RANGE there, which this test cannot reach.) The queue ring of
 * capacity 3 is wrapped many times on the way (R22).
 */
static void test_R24_R25_R22_rseq_plus_one_1000_times(void **state)
{
    (void)state;
    prack_uas_t uas;
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    prack_prack_t pr = {PRACK_PR_RACK, 5000, 0, CSEQ, "INVITE", 6, 0};
    prack_uas_stats_t st;
    const uint32_t first = 0x7FFFFFFFu;
    prack_time_t t = 0;
    unsigned prev = 1; /* cookie of the unacknowledged 1xx */

    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.queue_max = 3;
    assert_int_equal(prack_uas_init(&uas, &cfg, &inv, 0x7FFFFFFEu, t, &out), PRACK_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(prack_uas_send_1xx(&uas, t, 180, 0, cookie(1), &out), PRACK_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].rseq, first);
    for (uint32_t i = 1; i < 1000u; i++) {
        unsigned ck = 1u + i % 60u;
        t += 7;
        /* the next one waits behind the unacknowledged one */
        assert_int_equal(prack_uas_send_1xx(&uas, t, 183, 0, cookie(ck), &out), PRACK_OK);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.v[0].type, PRACK_ACT_QUEUE_1XX);
        assert_int_equal(out.v[0].user, cookie(ck));
        assert_int_equal(out.v[0].flags, 0);
        assert_int_equal(prack_uas_queued(&uas), 1);
        pr.cseq++;
        pr.rack_rseq = first + i - 1u;
        assert_int_equal(prack_uas_on_prack(&uas, t, &pr, &out), PRACK_OK);
        assert_int_equal(out.n, 2);
        assert_int_equal(out.v[0].type, PRACK_ACT_ANSWER_PRACK);
        assert_int_equal(out.v[0].status, 200);
        assert_int_equal(out.v[0].user, cookie(prev));
        assert_int_equal(out.v[0].flags, PRACK_AF_RELEASE);
        assert_int_equal(out.v[1].type, PRACK_ACT_SEND_1XX);
        assert_int_equal(out.v[1].flags, PRACK_AF_RELIABLE);
        assert_int_equal(out.v[1].rseq, first + i); /* R24: exactly one more */
        assert_int_equal(out.v[1].user, cookie(ck));
        assert_int_equal(prack_uas_unacked(&uas), first + i);
        assert_int_equal(prack_next_deadline(&uas), t + 500u);
        prev = ck;
    }
    pr.cseq++;
    pr.rack_rseq = first + 999u;
    assert_int_equal(prack_uas_on_prack(&uas, t, &pr, &out), PRACK_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].user, cookie(prev));
    assert_int_equal(prack_uas_counters(&uas, &st), PRACK_OK);
    assert_int_equal(st.reliable_sent, 1000);
    assert_int_equal(st.acknowledged, 1000);
    assert_int_equal(st.retransmissions, 0);
    assert_int_equal(st.rejected_pracks, 0);
    assert_int_equal(first + 999u, 0x800003E6u); /* R25: went up past 2^31, no wrap */
}

/*
 * R14 N5, pitfall #20: an initial INVITE and a re-INVITE each get an engine
 * and an RSeq space of their own (here even the same first RSeq); a PRACK
 * naming one transaction's CSeq is 481 on the other. Reliable 1xx, holding of
 * the 2xx and retransmissions work on the re-INVITE exactly as on the initial
 * INVITE.
 */
static const step_t sc_R14_initial[] = {
    {.at = 0, .in = IN_INIT, .policy = PRACK_POLICY_SUPPORTED, .inv = I_S | I_SDP, .cseq = 1,
     .random = 9},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 10, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACKX(100, 10, 1, "INVITE", PRACK_PR_RACK), OWN(2), EXPECT(A_ACK(10, NONE, 1))},
    {DO_FINAL(200, 200), EXPECT(A_FINAL(200, 0, REPEAT)), STATE(COMPLETED)},
};
static const step_t sc_R14_reinvite[] = {
    {.at = 5000, .in = IN_INIT, .policy = PRACK_POLICY_SUPPORTED, .inv = I_S | I_SDP,
     .cseq = 3, .random = 9},
    {DO_1XX(5000, 183, SDP, 2), EXPECT(A_REL(183, 10, ANSWER, 2), A_EV(SESSION))},
    {DO_FINAL(5001, 200), EXPECT(A_HOLD(200, 10)), STATE(HELD)},
    /* the RAck of the initial INVITE's 1xx: same RSeq, other CSeq */
    {DO_PRACKX(5002, 10, 1, "INVITE", PRACK_PR_RACK), OWN(4), EXPECT(A_481(10)),
     STATE(HELD), UNACKED(10)},
    {DO_CLOCK(5600), TIMES(5500), EXPECT(A_RETX(183, 10, 2))},
    {DO_PRACKX(5700, 10, 3, "INVITE", PRACK_PR_RACK), OWN(5),
     EXPECT(A_ACK(10, NONE, 2), A_FINAL(200, PRACK_AF_RELEASED, REPEAT)),
     STATE(COMPLETED), DEADLINE(TNONE), COUNTERS(1, 1, 1, 1)},
};
static const step_t sc_R14_initial_late[] = {
    /* the initial transaction still answers a retransmission of its own PRACK */
    {DO_PRACKX(6000, 10, 1, "INVITE", PRACK_PR_RACK), OWN(2), EXPECT(A_DUP(10, NONE))},
    /* R16: but not the re-INVITE's RAck, nor a new PRACK for its acknowledged 1xx */
    {DO_PRACKX(6001, 10, 3, "INVITE", PRACK_PR_RACK), OWN(5), EXPECT(A_481(10))},
    {DO_PRACKX(6002, 10, 1, "INVITE", PRACK_PR_RACK), OWN(6), EXPECT(A_481(10))},
};

static void test_R14_N5_R16_reinvite_own_rseq_space(void **state)
{
    (void)state;
    for (int move = 0; move < 2; move++) {
        world_t *a = world_new(move != 0);
        world_t *b = world_new(move != 0);
        run_on(a, "initial", sc_R14_initial, ARRAY_LEN(sc_R14_initial));
        run_on(b, "re-INVITE", sc_R14_reinvite, ARRAY_LEN(sc_R14_reinvite));
        run_on(a, "initial late", sc_R14_initial_late, ARRAY_LEN(sc_R14_initial_late));
        world_free(a);
        world_free(b);
    }
}

/* ======================================================================== */
/* Retransmission and timeout: N1 R18 R19 R20 R28                           */
/* ======================================================================== */

/* N1 R20 R28 R29, pitfall #5: T1 = 500: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5,
 * 31.5 s with the same RSeq, then 504 at 64*T1 = 32 s, which releases the
 * 1xx's cookie. A PRACK after that is still answered, without the cookie. */
static const step_t sc_N1_t1_500[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), DEADLINE(TNONE)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION)), DEADLINE(500)},
    {DO_TIMER(0), DEADLINE(500)}, /* early: nothing */
    {DO_TIMER(499), DEADLINE(500)},
    {DO_CLOCK(31999),
     TIMES(500, 1500, 3500, 7500, 15500, 31500),
     EXPECT(A_RETX(183, 42, 1), A_RETX(183, 42, 1), A_RETX(183, 42, 1), A_RETX(183, 42, 1),
            A_RETX(183, 42, 1), A_RETX(183, 42, 1)),
     DEADLINE(32000), STATE(PROCEEDING), COUNTERS(1, 0, 6, 0)},
    {DO_TIMER(31999), DEADLINE(32000)},
    {DO_CLOCK(40000), TIMES(32000, 32000, 32000),
     EXPECT(A_DROP_UNACKED(183, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     DEADLINE(TNONE), STATE(COMPLETED), UNACKED(42), COUNTERS(1, 0, 6, 0)},
    {DO_TIMER(64000), DEADLINE(TNONE)},
    {DO_1XX(64001, 180, 0, 2), RC(PRACK_ERR_STATE)},
    {DO_PRACK(64002, 42), EXPECT(A_ACK(42, NONE, 0)), COUNTERS(1, 1, 6, 0)},
};

static void test_N1_R20_timeout_5xx_after_64T1(void **state)
{
    (void)state;
    RUN(sc_N1_t1_500);
}

/* N1 R20: T1 = 50 ms and a custom timeout status. */
static const step_t sc_N1_t1_50[] = {
    {DO_INIT(1000, SUPPORTED, I_S), .t1 = 50, .tstatus = 503},
    {DO_1XX(1000, 183, SDP, 3), EXPECT(A_REL(183, 42, OFFER, 3)), DEADLINE(1050)},
    {DO_CLOCK(100000),
     TIMES(1050, 1150, 1350, 1750, 2550, 4150, 4200, 4200, 4200),
     EXPECT(A_RETX(183, 42, 3), A_RETX(183, 42, 3), A_RETX(183, 42, 3), A_RETX(183, 42, 3),
            A_RETX(183, 42, 3), A_RETX(183, 42, 3), A_DROP_UNACKED(183, 42, 3),
            A_TIMEOUT(503, 0), A_EV(TIMEOUT)),
     DEADLINE(TNONE), STATE(COMPLETED), COUNTERS(1, 0, 6, 0)},
};

static void test_N1_R20_timeout_t1_50_status_503(void **state)
{
    (void)state;
    RUN(sc_N1_t1_50);
}

/* N1: a timer called every millisecond gives exactly the same timeline as one
 * called at each deadline (early calls are harmless). */
static void test_N1_timer_every_ms_same_timeline(void **state)
{
    (void)state;
    static const prack_time_t want[] = {500,   1500,  3500,  7500, 15500,
                                        31500, 32000, 32000, 32000};
    prack_uas_t a, b;
    prack_uas_t *pa = &a;
    prack_actions_t out;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    timed_t log_a[16], log_b[16];
    size_t na, nb = 0;
    prack_time_t last;

    assert_int_equal(prack_uas_init(&a, NULL, &inv, RND, 0, &out), PRACK_OK);
    assert_int_equal(prack_uas_send_1xx(&a, 0, 180, 0, cookie(1), &out), PRACK_OK);
    memcpy(&b, &a, sizeof(b));
    na = run_clock(&pa, false, 0, 100000, log_a, ARRAY_LEN(log_a), &last);
    for (prack_time_t t = 0; t <= 40000; t++) {
        poison(&out);
        assert_int_equal(prack_on_timer(&b, t, &out), PRACK_OK);
        for (size_t i = 0; i < out.n; i++) {
            assert_true(nb < ARRAY_LEN(log_b));
            log_b[nb].at = t;
            log_b[nb++].a = out.v[i];
        }
    }
    assert_int_equal(na, ARRAY_LEN(want));
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(log_a[i].at, want[i]);
        assert_int_equal(log_b[i].at, want[i]);
        assert_true(same_action(&log_a[i].a, &log_b[i].a));
    }
    assert_int_equal(log_a[6].a.type, PRACK_ACT_DROP_1XX);
    assert_int_equal(log_a[6].a.user, cookie(1));
    assert_int_equal(log_a[7].a.status, 504);
    assert_int_equal(log_a[8].a.reason, PRACK_R_TIMEOUT);
}

/* N1: a long pause (first timer call at 20 s) gives ONE retransmission, not a
 * burst of five, and the schedule goes on at 31.5 s. */
static const step_t sc_N1_pause[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_TIMER(20000), EXPECT(A_RETX(180, 42, 1)), DEADLINE(31500), COUNTERS(1, 0, 1, 0)},
    {DO_TIMER(20000), DEADLINE(31500)},
    {DO_CLOCK(40000), TIMES(31500, 32000, 32000, 32000),
     EXPECT(A_RETX(180, 42, 1), A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     COUNTERS(1, 0, 2, 0)},
};

/* N1 R20: a pause beyond 64*T1 gives the timeout alone, no last retransmission. */
static const step_t sc_N1_pause_past_timeout[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_TIMER(45000), EXPECT(A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     DEADLINE(TNONE), COUNTERS(1, 0, 0, 0)},
};

static void test_N1_long_pause_one_retransmission(void **state)
{
    (void)state;
    RUN(sc_N1_pause);
    RUN(sc_N1_pause_past_timeout);
}

/* N1: time before the INVITE's own time, or before the last send, is refused
 * with PRACK_ERR_TIME and leaves the engine as it was. */
static const step_t sc_N1_backwards_send[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(999, 180, 0, 1), RC(PRACK_ERR_TIME), UNACKED(0), DEADLINE(TNONE)},
    {DO_1XX(2000, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1)), DEADLINE(2500)},
    {DO_TIMER(1999), RC(PRACK_ERR_TIME), DEADLINE(2500)},
    {DO_PRACK(1999, 42), RC(PRACK_ERR_TIME), UNACKED(42), DEADLINE(2500)},
    {DO_FINAL(1999, 200), RC(PRACK_ERR_TIME), STATE(PROCEEDING)},
    {DO_CANCEL(1999), RC(PRACK_ERR_TIME), STATE(PROCEEDING)},
    {DO_1XX(1999, 181, 0, 2), RC(PRACK_ERR_TIME), QUEUED(0)},
    {DO_PRACK(2000, 42), EXPECT(A_ACK(42, NONE, 1)), COUNTERS(1, 1, 0, 0)},
};

static void test_N1_time_before_last_send_is_error(void **state)
{
    (void)state;
    RUN(sc_N1_backwards_send);
}

/* N1: prack.h promises PRACK_ERR_TIME for any time "earlier than a time this
 * engine saw", so also for a time before the last prack_on_timer() or
 * prack_uas_on_prack() call, not only before the last send. */
static const step_t sc_N1_backwards_timer[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_TIMER(1500), EXPECT(A_RETX(180, 42, 1)), DEADLINE(3500)},
    {DO_TIMER(1000), RC(PRACK_ERR_TIME), DEADLINE(3500), COUNTERS(1, 0, 1, 0)},
    {DO_PRACK(1200, 42), RC(PRACK_ERR_TIME), UNACKED(42), DEADLINE(3500)},
    {DO_PRACK(1600, 42), EXPECT(A_ACK(42, NONE, 1)), UNACKED(0)},
    {DO_1XX(1550, 183, SDP, 2), RC(PRACK_ERR_TIME), UNACKED(0), DEADLINE(TNONE)},
};

static void test_N1_time_before_last_call_is_error(void **state)
{
    (void)state;
    RUN(sc_N1_backwards_timer);
}

/* R18 R19, pitfall #8: the matching PRACK stops retransmissions for good. */
static const step_t sc_R18[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_CLOCK(1000), TIMES(500), EXPECT(A_RETX(183, 42, 1)), DEADLINE(1500)},
    {DO_PRACK(1200, 42), EXPECT(A_ACK(42, NONE, 1)), UNACKED(0), DEADLINE(TNONE),
     COUNTERS(1, 1, 1, 0)},
    {DO_CLOCK(100000)},
    {DO_TIMER(1500)},
    {DO_TIMER(32000), STATE(PROCEEDING)},
    {DO_FINAL(40000, 200), EXPECT(A_FINAL(200, 0, REPEAT)), STATE(COMPLETED)},
};

static void test_R18_R19_no_retransmission_after_prack(void **state)
{
    (void)state;
    RUN(sc_R18);
}

/* ======================================================================== */
/* PRACK matching: R16 R17 R19 N2 N9                                        */
/* ======================================================================== */

/* R16 N2 N9, pitfall #5: every PRACK that names anything but the
 * unacknowledged reliable 1xx gets 481 (400 without RAck), and changes
 * nothing: retransmissions go on, the 1xx stays unacknowledged. */
static void test_R16_N2_N9_unmatched_prack_481(void **state)
{
    (void)state;
    static const struct {
        const char *why;
        unsigned flags;
        uint64_t rseq, cseq;
        const char *method;
        uint16_t status;
        uint32_t echo;
        prack_reason_t reason;
    } rows[] = {
        {"rseq one below", PRACK_PR_RACK, 41, CSEQ, "INVITE", 481, 41, PRACK_R_NO_MATCH},
        {"rseq one above", PRACK_PR_RACK, 43, CSEQ, "INVITE", 481, 43, PRACK_R_NO_MATCH},
        {"rseq 0", PRACK_PR_RACK, 0, CSEQ, "INVITE", 481, 0, PRACK_R_NO_MATCH},
        {"rseq 2^32-1", PRACK_PR_RACK, 0xFFFFFFFFu, CSEQ, "INVITE", 481, 0xFFFFFFFFu,
         PRACK_R_NO_MATCH},
        /* must not be truncated to 32 bits and match */
        {"rseq 2^32+42", PRACK_PR_RACK, 0x10000002Au, CSEQ, "INVITE", 481, 0, PRACK_R_NO_MATCH},
        {"rseq 2^40", PRACK_PR_RACK, (uint64_t)1 << 40, CSEQ, "INVITE", 481, 0,
         PRACK_R_NO_MATCH},
        {"rseq max", PRACK_PR_RACK, UINT64_MAX, CSEQ, "INVITE", 481, 0, PRACK_R_NO_MATCH},
        {"cseq +1 (the PRACK's own)", PRACK_PR_RACK, 42, CSEQ + 1u, "INVITE", 481, 42,
         PRACK_R_NO_MATCH},
        {"cseq -1", PRACK_PR_RACK, 42, CSEQ - 1u, "INVITE", 481, 42, PRACK_R_NO_MATCH},
        {"cseq 0", PRACK_PR_RACK, 42, 0, "INVITE", 481, 42, PRACK_R_NO_MATCH},
        {"cseq 2^32+101", PRACK_PR_RACK, 42, ((uint64_t)1 << 32) + CSEQ, "INVITE", 481, 42,
         PRACK_R_NO_MATCH},
        {"cseq 2^40", PRACK_PR_RACK, 42, (uint64_t)1 << 40, "INVITE", 481, 42, PRACK_R_NO_MATCH},
        /* N9: the method is case-sensitive and exact */
        {"method invite", PRACK_PR_RACK, 42, CSEQ, "invite", 481, 42, PRACK_R_NO_MATCH},
        {"method Invite", PRACK_PR_RACK, 42, CSEQ, "Invite", 481, 42, PRACK_R_NO_MATCH},
        {"method INVITEX", PRACK_PR_RACK, 42, CSEQ, "INVITEX", 481, 42, PRACK_R_NO_MATCH},
        {"method INVIT", PRACK_PR_RACK, 42, CSEQ, "INVIT", 481, 42, PRACK_R_NO_MATCH},
        {"method PRACK", PRACK_PR_RACK, 42, CSEQ, "PRACK", 481, 42, PRACK_R_NO_MATCH},
        {"method empty", PRACK_PR_RACK, 42, CSEQ, "", 481, 42, PRACK_R_NO_MATCH},
        {"method NULL", PRACK_PR_RACK, 42, CSEQ, NULL, 481, 42, PRACK_R_NO_MATCH},
        /* no (well-formed) RAck: 400, whatever the other fields say */
        {"no RAck", 0, 42, CSEQ, "INVITE", 400, 0, PRACK_R_BAD_RACK},
        {"no RAck, SDP", PRACK_PR_SDP, 42, CSEQ, "INVITE", 400, 0, PRACK_R_BAD_RACK},
        {"no RAck, nothing", 0, 0, 0, NULL, 400, 0, PRACK_R_BAD_RACK},
    };
    for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
        step_t s[8];
        size_t k = 0;
        memset(s, 0, sizeof(s));
        s[k++] = (step_t){DO_INIT(0, SUPPORTED, I_S | I_SDP)};
        s[k++] = (step_t){DO_1XX(0, 183, SDP, 1),
                          EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))};
        s[k++] = (step_t){DO_1XX(1, 180, 0, 2), EXPECT(A_QUEUE(180, 2))};
        s[k] = (step_t){.at = 100, .in = IN_PRACK, .flags = rows[r].flags,
                        .rseq = rows[r].rseq, .cseq = rows[r].cseq, .method = rows[r].method,
                        .state = PRACK_UAS_PROCEEDING, UNACKED(42), QUEUED(1), DEADLINE(500),
                        COUNTERS(1, 0, 0, 1)};
        s[k].act[0] = (exp_act_t){PRACK_ACT_ANSWER_PRACK, rows[r].status, rows[r].echo, 0,
                                  PRACK_SDP_NONE, rows[r].reason, 0, NULL};
        k++;
        /* the 1xx is still being retransmitted and still matches */
        s[k++] = (step_t){DO_CLOCK(600), TIMES(500), EXPECT(A_RETX(183, 42, 1))};
        s[k++] = (step_t){DO_PRACK(700, 42),
                          EXPECT(A_ACK(42, NONE, 1), A_REL(180, 43, NONE, 2)),
                          COUNTERS(2, 1, 1, 1)};
        run_steps(rows[r].why, s, k);
    }
}

/* R16: a PRACK before any reliable 1xx went out, or for the RSeq a queued 1xx
 * will get, matches nothing. */
static const step_t sc_R16_early[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_PRACK(1, 42), EXPECT(A_ANS(481, 42, NONE, NO_MATCH)), COUNTERS(0, 0, 0, 1)},
    {DO_PRACK(1, 0), EXPECT(A_ANS(481, 0, NONE, NO_MATCH)), COUNTERS(0, 0, 0, 2)},
    {DO_1XX(2, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(3, 183, SDP, 2), EXPECT(A_QUEUE(183, 2))},
    {DO_PRACK(4, 43), EXPECT(A_ANS(481, 43, NONE, NO_MATCH)), QUEUED(1), UNACKED(42)},
    {DO_PRACK(5, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(183, 43, ANSWER, 2),
                             A_EV(SESSION))},
    {DO_PRACK(6, 44), EXPECT(A_ANS(481, 44, NONE, NO_MATCH)), COUNTERS(2, 1, 0, 4)},
};

static void test_R16_prack_before_1xx_or_for_queued_481(void **state)
{
    (void)state;
    RUN(sc_R16_early);
}

/* R16 R17 R19 N2: only a retransmission of the PRACK that acknowledged the
 * latest reliable 1xx (same CSeq, same RAck) gets its 200 again (DUPLICATE),
 * and it changes nothing: no offer/answer step, no release, no counter. A new
 * PRACK (another CSeq) for an acknowledged RSeq, or a retransmission of an
 * older PRACK, matches no unacknowledged 1xx: 481. */
static const step_t sc_R17_duplicate[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(10, 42), OWN(201), EXPECT(A_ACK(42, NONE, 1)), UNACKED(0)},
    {DO_1XX(20, 181, 0, 2), EXPECT(A_REL(181, 43, NONE, 2))},
    {DO_1XX(30, 182, 0, 3), EXPECT(A_QUEUE(182, 3))},
    /* the PRACK for 42 again, even with SDP: no SDP_UNEXPECTED, no release of
     * the queued 182 */
    {DO_PRACK_SDP(40, 42), OWN(201), EXPECT(A_DUP(42, NONE)), UNACKED(43), QUEUED(1),
     DEADLINE(520), COUNTERS(2, 1, 0, 0)},
    /* R16: a new PRACK for 42 */
    {DO_PRACK(45, 42), OWN(202), EXPECT(A_481(42)), UNACKED(43), COUNTERS(2, 1, 0, 1)},
    {DO_PRACK(50, 43), OWN(203), EXPECT(A_ACK(43, NONE, 2), A_REL(182, 44, NONE, 3))},
    {DO_PRACK(60, 43), OWN(203), EXPECT(A_DUP(43, NONE)), UNACKED(44), DEADLINE(550)},
    /* 42 is no longer the latest acknowledged: its PRACK again is 481 */
    {DO_PRACK(61, 42), OWN(201), EXPECT(A_481(42))},
    {DO_PRACK(62, 44), OWN(204), EXPECT(A_ACK(44, NONE, 3))},
    {DO_PRACK(63, 44), OWN(204), EXPECT(A_DUP(44, NONE))},
    {DO_PRACK(64, 43), OWN(203), EXPECT(A_481(43))},
    {DO_PRACK(65, 41), EXPECT(A_481(41))},
    {DO_PRACK(66, 45), EXPECT(A_481(45)), COUNTERS(3, 3, 0, 5)},
    /* N2: a retransmission carries the same RAck too */
    {DO_PRACKX(67, 44, CSEQ, "invite", PRACK_PR_RACK), OWN(204), EXPECT(A_481(44))},
    {DO_PRACKX(68, 44, CSEQ + 1u, "INVITE", PRACK_PR_RACK), OWN(204), EXPECT(A_481(44))},
    {DO_PRACK(69, 44), OWN(204), EXPECT(A_DUP(44, NONE))},
    /* the INVITE's offer is still ours to answer: the duplicates did not count */
    {DO_FINAL(70, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION)), COUNTERS(3, 3, 0, 7)},
};

static void test_R16_R17_R19_N2_duplicate_only_for_retransmission(void **state)
{
    (void)state;
    RUN(sc_R17_duplicate);
}

/* ======================================================================== */
/* One outstanding, the rest queued: R21 R22 R23 R24                        */
/* ======================================================================== */

/* R21 R22 R23 R24, pitfall #19: later reliable 1xx wait in order behind the
 * unacknowledged one and each goes, with RSeq + 1, when the previous one is
 * PRACKed; an unreliable 100 is never queued. */
static const step_t sc_R22_queue[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1)), QUEUED(0)},
    {DO_1XX(10, 181, 0, 2), EXPECT(A_QUEUE(181, 2)), UNACKED(42), QUEUED(1), DEADLINE(500)},
    {DO_1XX(20, 182, 0, 3), EXPECT(A_QUEUE(182, 3)), QUEUED(2)},
    {DO_1XX(30, 183, SDP, 4), EXPECT(A_QUEUE(183, 4)), QUEUED(3)},
    {DO_1XX(40, 100, 0, 5), EXPECT(A_UNREL(100, NONE, 5)), QUEUED(3)},
    /* an UNRELIABLE-flagged 180 under Supported goes at once, unnumbered */
    {DO_1XX(45, 180, UNREL, 6), EXPECT(A_UNREL(180, NONE, 6)), QUEUED(3)},
    /* only the outstanding one is retransmitted */
    {DO_CLOCK(600), TIMES(500), EXPECT(A_RETX(180, 42, 1)), COUNTERS(1, 0, 1, 0)},
    {DO_PRACK(700, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(181, 43, NONE, 2)),
     UNACKED(43), QUEUED(2), DEADLINE(1200)},
    {DO_PRACK(800, 43), EXPECT(A_ACK(43, NONE, 2), A_REL(182, 44, NONE, 3)),
     QUEUED(1), DEADLINE(1300)},
    {DO_PRACK(900, 44),
     EXPECT(A_ACK(44, NONE, 3), A_REL(183, 45, ANSWER, 4), A_EV(SESSION)),
     QUEUED(0), UNACKED(45)},
    {DO_PRACK(1000, 45), EXPECT(A_ACK(45, NONE, 4)), UNACKED(0), DEADLINE(TNONE)},
    /* R21: with nothing outstanding the next one goes at once */
    {DO_1XX(1100, 180, 0, 7), EXPECT(A_REL(180, 46, NONE, 7)), QUEUED(0), DEADLINE(1600)},
    {DO_PRACK(1200, 46), EXPECT(A_ACK(46, NONE, 7)), COUNTERS(5, 5, 1, 0)},
};

static void test_R21_R22_R23_R24_queue_in_order(void **state)
{
    (void)state;
    RUN(sc_R22_queue);
}

/* R22: a full queue refuses with PRACK_ERR_QUEUE_FULL and changes nothing;
 * a freed slot takes the next one. */
static const step_t sc_R22_full[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), QMAX(2)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_1XX(2, 182, 0, 3), EXPECT(A_QUEUE(182, 3)), QUEUED(2)},
    {DO_1XX(3, 183, SDP, 4), RC(PRACK_ERR_QUEUE_FULL), QUEUED(2), UNACKED(42)},
    {DO_PRACK(4, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(181, 43, NONE, 2)), QUEUED(1)},
    {DO_1XX(5, 183, SDP, 4), EXPECT(A_QUEUE(183, 4)), QUEUED(2)},
    {DO_1XX(6, 184, 0, 5), RC(PRACK_ERR_QUEUE_FULL)},
    {DO_PRACK(7, 43), EXPECT(A_ACK(43, NONE, 2), A_REL(182, 44, NONE, 3))},
    {DO_PRACK(8, 44),
     EXPECT(A_ACK(44, NONE, 3), A_REL(183, 45, ANSWER, 4), A_EV(SESSION))},
    {DO_PRACK(9, 45), EXPECT(A_ACK(45, NONE, 4)), COUNTERS(4, 4, 0, 0)},
};

/* R22: with no queue at all a second reliable 1xx must wait for the PRACK. */
static const step_t sc_R22_no_queue[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), QMAX(0)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 181, 0, 2), RC(PRACK_ERR_QUEUE_FULL), QUEUED(0), UNACKED(42)},
    {DO_1XX(2, 100, 0, 3), EXPECT(A_UNREL(100, NONE, 3))},
    {DO_PRACK(3, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_1XX(4, 181, 0, 2), EXPECT(A_REL(181, 43, NONE, 2))},
};

static void test_R22_queue_full_and_no_queue(void **state)
{
    (void)state;
    RUN(sc_R22_full);
    RUN(sc_R22_no_queue);
}

/* ======================================================================== */
/* Final responses: R26 R27 R28 R29 R30 R54                                 */
/* ======================================================================== */

/* R26 R27 R54, pitfall #9: a 2xx waits for the PRACK of the SDP-bearing
 * reliable 1xx, which keeps being retransmitted; the PRACK releases it, after
 * the answer to the PRACK in the same batch. */
static const step_t sc_R27_held[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD), DEADLINE(500), UNACKED(42)},
    {DO_1XX(110, 180, 0, 2), RC(PRACK_ERR_STATE)},
    {DO_1XX(111, 100, 0, 2), RC(PRACK_ERR_STATE)},
    {DO_FINAL(121, 200), RC(PRACK_ERR_STATE), STATE(HELD)},
    {DO_FINAL(122, 299), RC(PRACK_ERR_STATE), STATE(HELD)},
    {DO_CLOCK(1000), TIMES(500), EXPECT(A_RETX(183, 42, 1)), STATE(HELD), DEADLINE(1500)},
    {DO_PRACK(1100, 41), EXPECT(A_ANS(481, 41, NONE, NO_MATCH)), STATE(HELD)},
    {DO_PRACK(1200, 42), OWN(300),
     EXPECT(A_ACK(42, NONE, 1), A_FINAL(200, PRACK_AF_RELEASED, REPEAT)),
     STATE(COMPLETED), DEADLINE(TNONE), UNACKED(0), COUNTERS(1, 1, 1, 1)},
    {DO_PRACK(1200, 42), OWN(300), EXPECT(A_DUP(42, NONE)), STATE(COMPLETED)},
    {DO_CANCEL(1400), STATE(COMPLETED)},
};

/* R26 R28 R29: while the 2xx is held, a failure may still replace it: it goes
 * at once, retransmissions stop (the 1xx's cookie is released), and the PRACK
 * is answered but releases nothing. */
static const step_t sc_R26_held_replaced[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_FINAL(200, 486),
     EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(486, PRACK_AF_REPLACES_HELD, NONE)),
     STATE(COMPLETED), DEADLINE(TNONE), UNACKED(42)},
    {DO_FINAL(201, 500), RC(PRACK_ERR_STATE)},
    {DO_CLOCK(100000)},
    {DO_PRACK(100001, 42), EXPECT(A_ACK(42, NONE, 0)), STATE(COMPLETED), COUNTERS(1, 1, 0, 0)},
};

static void test_R26_R27_R54_2xx_held_until_prack(void **state)
{
    (void)state;
    RUN(sc_R27_held);
    RUN(sc_R26_held_replaced);
}

/* R26 R28 R54, pitfall #9: a 2xx is held only as long as needed: it goes at
 * once when the unacknowledged 1xx has no SDP, even if an earlier,
 * acknowledged one had SDP; that 1xx is retransmitted no more and its cookie
 * comes back before the 2xx. */
static const step_t sc_R26_not_held[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_FINAL(10, 200),
     EXPECT(A_DROP_UNACKED(180, 42, 1), A_FINAL(200, 0, ANSWER), A_EV(SESSION)),
     STATE(COMPLETED), DEADLINE(TNONE), UNACKED(42)},
    {DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 0)), UNACKED(0)},
};
static const step_t sc_R26_acked_sdp[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACK(10, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_1XX(20, 180, 0, 2), EXPECT(A_REL(180, 43, NONE, 2))},
    {DO_FINAL(30, 200), EXPECT(A_DROP_UNACKED(180, 43, 2), A_FINAL(200, 0, REPEAT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
};

/* R28: without a cookie there is nothing to release: no DROP_1XX. */
static const step_t sc_R26_not_held_no_cookie[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 0), EXPECT(A_REL(180, 42, NONE, 0))},
    {DO_FINAL(10, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION)), DEADLINE(TNONE)},
    {DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 0)), UNACKED(0)},
};

static void test_R26_R28_R54_2xx_not_held_without_sdp(void **state)
{
    (void)state;
    RUN(sc_R26_not_held);
    RUN(sc_R26_not_held_no_cookie);
    RUN(sc_R26_acked_sdp);
}

/* R26 R28 R29: a non-2xx final is never held, stops retransmissions, and the
 * PRACK for the 1xx is still answered. */
static void test_R26_R28_R29_non2xx_never_held(void **state)
{
    (void)state;
    static const uint16_t finals[] = {300, 302, 404, 486, 500, 503, 600, 603, 699};
    for (size_t i = 0; i < ARRAY_LEN(finals); i++) {
        step_t s[6];
        char name[32];
        memset(s, 0, sizeof(s));
        s[0] = (step_t){DO_INIT(0, SUPPORTED, I_S | I_SDP)};
        s[1] = (step_t){DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))};
        s[2] = (step_t){DO_FINAL(10, finals[i]), STATE(COMPLETED), DEADLINE(TNONE)};
        s[2].act[0] = (exp_act_t)A_DROP_UNACKED(183, 42, 1);
        s[2].act[1] = (exp_act_t)A_FINAL(finals[i], 0, NONE);
        s[3] = (step_t){DO_CLOCK(100000)};
        s[4] = (step_t){DO_PRACK(200000, 42), EXPECT(A_ACK(42, NONE, 0)),
                        COUNTERS(1, 1, 0, 0)};
        snprintf(name, sizeof(name), "final %u", (unsigned)finals[i]);
        run_steps(name, s, 5);
    }
}

/* R20 R27 R29: a held 2xx whose 1xx is never PRACKed is replaced by the 5xx at
 * 64*T1, after the 1xx's cookie is released; a late PRACK is answered but
 * releases nothing. */
static const step_t sc_R20_held_timeout[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_CLOCK(100000),
     TIMES(500, 1500, 3500, 7500, 15500, 31500, 32000, 32000, 32000),
     EXPECT(A_RETX(183, 42, 1), A_RETX(183, 42, 1), A_RETX(183, 42, 1), A_RETX(183, 42, 1),
            A_RETX(183, 42, 1), A_RETX(183, 42, 1), A_DROP_UNACKED(183, 42, 1),
            A_TIMEOUT(504, PRACK_AF_REPLACES_HELD), A_EV(TIMEOUT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
    {DO_PRACK(100001, 42), EXPECT(A_ACK(42, NONE, 0)), STATE(COMPLETED),
     COUNTERS(1, 1, 6, 0)},
};

static void test_R20_R27_held_2xx_replaced_at_timeout(void **state)
{
    (void)state;
    RUN(sc_R20_held_timeout);
}

/* R27 R30, pitfall #11: CANCEL while a 2xx is held: 487 replaces it, and a
 * late PRACK is still answered 200 (no crash, no second final). */
static const step_t sc_R27_cancel_held[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_1XX(1, 180, 0, 2), EXPECT(A_QUEUE(180, 2))},
    {DO_FINAL(2, 200), EXPECT(A_DROP(180, 2), A_HOLD(200, 42)), STATE(HELD), QUEUED(0)},
    {DO_CANCEL(50),
     EXPECT(A_DROP_UNACKED(183, 42, 1),
            A_FINAL(487, PRACK_AF_CANCELLED | PRACK_AF_REPLACES_HELD, NONE)),
     STATE(COMPLETED), DEADLINE(TNONE)},
    {DO_CLOCK(100000)},
    {DO_PRACK(60000, 42), EXPECT(A_ACK(42, NONE, 0)), STATE(COMPLETED)},
    {DO_CANCEL(60001)},
};

static void test_R27_R30_cancel_while_held_487(void **state)
{
    (void)state;
    RUN(sc_R27_cancel_held);
}

/* R16 R28 R29 R30: after a final: no retransmissions, no new 1xx, queued ones
 * dropped in order with their cookies, then the unacknowledged one; PRACKs
 * still answered (a new PRACK for the acknowledged 1xx is 481), CANCEL a
 * no-op. */
static const step_t sc_R30_after_final[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_1XX(2, 182, 0, 3), EXPECT(A_QUEUE(182, 3))},
    {DO_1XX(3, 183, SDP, 4), EXPECT(A_QUEUE(183, 4)), QUEUED(3)},
    {DO_FINAL(100, 486),
     EXPECT(A_DROP(181, 2), A_DROP(182, 3), A_DROP(183, 4), A_DROP_UNACKED(180, 42, 1),
            A_FINAL(486, 0, NONE)),
     QUEUED(0), STATE(COMPLETED), DEADLINE(TNONE), UNACKED(42)},
    {DO_1XX(110, 180, 0, 5), RC(PRACK_ERR_STATE)},
    {DO_1XX(111, 100, 0, 5), RC(PRACK_ERR_STATE)},
    {DO_FINAL(112, 200), RC(PRACK_ERR_STATE)},
    {DO_CLOCK(100000)},
    {DO_TIMER(100000)},
    {DO_PRACK(120000, 43), EXPECT(A_ANS(481, 43, NONE, NO_MATCH))},
    {DO_PRACK(130000, 42), OWN(400), EXPECT(A_ACK(42, NONE, 0)), UNACKED(0)},
    {DO_PRACK(140000, 42), OWN(400), EXPECT(A_DUP(42, NONE))},
    {DO_PRACK(140001, 42), OWN(401), EXPECT(A_481(42))},
    {DO_CANCEL(150000), STATE(COMPLETED), COUNTERS(1, 1, 0, 2)},
};

static void test_R16_R28_R29_R30_after_final(void **state)
{
    (void)state;
    RUN(sc_R30_after_final);
}

/* R30: a 2xx, once held, drops what was queued behind the SDP 1xx; with a full
 * queue every entry comes back in order. */
static const step_t sc_R30_drop_all[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_1XX(1, 181, 0, 11)}, {DO_1XX(1, 182, 0, 12)}, {DO_1XX(1, 183, 0, 13)},
    {DO_1XX(1, 184, 0, 14)}, {DO_1XX(1, 185, 0, 15)}, {DO_1XX(1, 186, 0, 16)},
    {DO_1XX(1, 187, 0, 17)},
    {DO_1XX(1, 188, 0, 18), EXPECT(A_QUEUE(188, 18)), QUEUED(8)},
    {DO_1XX(1, 189, 0, 19), RC(PRACK_ERR_QUEUE_FULL)},
    {DO_FINAL(2, 200),
     EXPECT(A_DROP(181, 11), A_DROP(182, 12), A_DROP(183, 13), A_DROP(184, 14),
            A_DROP(185, 15), A_DROP(186, 16), A_DROP(187, 17), A_DROP(188, 18),
            A_HOLD(200, 42)),
     QUEUED(0), STATE(HELD)},
    {DO_PRACK(3, 42), EXPECT(A_ACK(42, NONE, 1), A_FINAL(200, PRACK_AF_RELEASED, REPEAT))},
};

/* R30 R22: drops come in queue order also when the ring has wrapped round
 * its storage (capacity 2: the third entry reuses slot 0). */
static const step_t sc_R30_drop_wrapped[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), QMAX(2)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_1XX(2, 182, 0, 3), EXPECT(A_QUEUE(182, 3))},
    {DO_PRACK(3, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(181, 43, NONE, 2)), QUEUED(1)},
    {DO_1XX(4, 183, 0, 4), EXPECT(A_QUEUE(183, 4)), QUEUED(2)},
    {DO_CANCEL(5),
     EXPECT(A_DROP(182, 3), A_DROP(183, 4), A_DROP_UNACKED(181, 43, 2),
            A_FINAL(487, PRACK_AF_CANCELLED, NONE)),
     QUEUED(0)},
};
static const step_t sc_R30_drop_wrapped_final[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), QMAX(3)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_1XX(1, 182, 0, 3), EXPECT(A_QUEUE(182, 3))},
    {DO_PRACK(2, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(181, 43, NONE, 2))},
    {DO_PRACK(3, 43), EXPECT(A_ACK(43, NONE, 2), A_REL(182, 44, NONE, 3))},
    {DO_1XX(4, 183, 0, 4), EXPECT(A_QUEUE(183, 4))},
    {DO_1XX(4, 184, 0, 5), EXPECT(A_QUEUE(184, 5))},
    {DO_1XX(4, 185, SDP, 6), EXPECT(A_QUEUE(185, 6)), QUEUED(3)},
    {DO_1XX(4, 186, 0, 7), RC(PRACK_ERR_QUEUE_FULL)},
    {DO_FINAL(5, 200),
     EXPECT(A_DROP(183, 4), A_DROP(184, 5), A_DROP(185, 6), A_DROP_UNACKED(182, 44, 3),
            A_FINAL(200, 0, ANSWER), A_EV(SESSION)),
     QUEUED(0), STATE(COMPLETED)},
};

static void test_R30_R54_drop_full_queue_then_hold(void **state)
{
    (void)state;
    step_t s[ARRAY_LEN(sc_R30_drop_all)];
    memcpy(s, sc_R30_drop_all, sizeof(s));
    /* the queue steps without an explicit expectation each queue their 18x */
    for (size_t i = 2; i <= 8; i++)
        s[i].act[0] = (exp_act_t)A_QUEUE(s[i].status, s[i].user);
    run_steps("drop all", s, ARRAY_LEN(s));
    RUN(sc_R30_drop_wrapped);
    RUN(sc_R30_drop_wrapped_final);
}

/* R28 R29 R30, pitfall #11: CANCEL while waiting for a PRACK: 487, queue
 * dropped, retransmissions stop (the 1xx's cookie is released); the late
 * PRACK gets 200 without it. CANCEL with nothing sent. */
static const step_t sc_cancel_waiting[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1, 183, SDP, 2), EXPECT(A_QUEUE(183, 2))},
    {DO_CLOCK(600), TIMES(500), EXPECT(A_RETX(180, 42, 1))},
    {DO_CANCEL(700),
     EXPECT(A_DROP(183, 2), A_DROP_UNACKED(180, 42, 1), A_FINAL(487, PRACK_AF_CANCELLED, NONE)),
     STATE(COMPLETED), DEADLINE(TNONE), QUEUED(0)},
    {DO_CLOCK(100000)},
    {DO_PRACK(800, 42), EXPECT(A_ACK(42, NONE, 0))},
    {DO_PRACK(900, 43), EXPECT(A_ANS(481, 43, NONE, NO_MATCH))},
    {DO_CANCEL(1000)},
    {DO_1XX(1001, 180, 0, 3), RC(PRACK_ERR_STATE)},
    {DO_FINAL(1002, 200), RC(PRACK_ERR_STATE), COUNTERS(1, 1, 1, 1)},
};
static const step_t sc_cancel_nothing_sent[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_CANCEL(5), EXPECT(A_FINAL(487, PRACK_AF_CANCELLED, NONE)), STATE(COMPLETED),
     DEADLINE(TNONE)},
    {DO_PRACK(6, 42), EXPECT(A_ANS(481, 42, NONE, NO_MATCH))},
};

static void test_R28_R29_R30_cancel_waiting_for_prack(void **state)
{
    (void)state;
    RUN(sc_cancel_waiting);
    RUN(sc_cancel_nothing_sent);
}

/* R29 R53: after a non-2xx final the early dialog is over (RFC 3261 12.3), so
 * a late PRACK is answered 200 (R29) but must not report that media may start:
 * PRACK_R_SESSION means "an offer/answer exchange completed, media may start". */
static const step_t sc_late_answer_486[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_FINAL(10, 486), EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(486, 0, NONE)),
     STATE(COMPLETED)},
    {DO_PRACK_SDP(20, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_late_answer_487[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_CANCEL(10), EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(487, PRACK_AF_CANCELLED, NONE)),
     STATE(COMPLETED)},
    {DO_PRACK_SDP(20, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_late_answer_504[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_TIMER(40000), EXPECT(A_DROP_UNACKED(183, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     STATE(COMPLETED)},
    {DO_PRACK_SDP(40001, 42), EXPECT(A_ACK(42, NONE, 0))},
};

/* R29: nor does a late PRACK without the answer, or one with an offer
 * after an answer, open an offer/answer step on the ended early dialog. */
static const step_t sc_late_missing_answer[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_FINAL(10, 603), EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(603, 0, NONE))},
    {DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_late_offer[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(10, 480), EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(480, 0, NONE))},
    {DO_PRACK_SDP(20, 42), EXPECT(A_ACK(42, NONE, 0))},
};

static void test_R29_R53_no_session_event_after_non2xx_final(void **state)
{
    (void)state;
    RUN(sc_late_missing_answer);
    RUN(sc_late_offer);
    RUN(sc_late_answer_486);
    RUN(sc_late_answer_487);
    RUN(sc_late_answer_504);
}

/* ======================================================================== */
/* Offer/answer: R48 R49 R52 R53 R55                                        */
/* ======================================================================== */

/* R49 R50 R53 R55: INVITE without offer: the first reliable 1xx must carry
 * one; the PRACK brings the answer; later 1xx and the 2xx repeat it. */
static const step_t sc_R49_offer[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(1, 180, 0, 1), RC(PRACK_ERR_OFFER_REQUIRED), UNACKED(0), DEADLINE(TNONE)},
    {DO_1XX(2, 100, 0, 1), EXPECT(A_UNREL(100, NONE, 1))},
    {DO_1XX(3, 180, UNREL, 2), EXPECT(A_UNREL(180, NONE, 2))},
    {DO_1XX(4, 183, SDP, 3), EXPECT(A_REL(183, 42, OFFER, 3)), UNACKED(42)},
    {DO_1XX(5, 180, 0, 4), EXPECT(A_QUEUE(180, 4))},
    {DO_PRACK_SDP(6, 42),
     EXPECT(A_ACK(42, NONE, 3), A_EV(SESSION), A_REL(180, 43, NONE, 4))},
    {DO_PRACK(7, 43), EXPECT(A_ACK(43, NONE, 4))},
    {DO_1XX(8, 183, SDP, 5), EXPECT(A_REL(183, 44, REPEAT, 5))},
    {DO_PRACK(9, 44), EXPECT(A_ACK(44, NONE, 5))},
    {DO_FINAL(10, 200), EXPECT(A_FINAL(200, 0, REPEAT))},
};

/* R49 R2: with Require, the UNRELIABLE hint cannot dodge the offer rule. */
static const step_t sc_R49_required[] = {
    {DO_INIT(0, SUPPORTED, I_R)},
    {DO_1XX(1, 180, UNREL, 1), RC(PRACK_ERR_OFFER_REQUIRED)},
    {DO_1XX(2, 180, UNREL | SDP, 1), EXPECT(A_REL(180, 42, OFFER, 1))},
};

static void test_R49_R50_R53_offer_in_first_reliable_1xx(void **state)
{
    (void)state;
    RUN(sc_R49_offer);
    RUN(sc_R49_required);
}

/* R49 R50: the PRACK for a 1xx that carried our offer came without the
 * answer: the host is told. */
static const step_t sc_R49_missing[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_PRACK(10, 42), EXPECT(A_ACK(42, NONE, 1), A_EV(ANSWER_MISSING))},
};

/* R49 R54: the 2xx held behind the offer-bearing 1xx: the PRACK with the answer
 * releases it with the session up, no new offer in the 2xx. */
static const step_t sc_R49_held[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_FINAL(10, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_PRACK_SDP(20, 42),
     EXPECT(A_ACK(42, NONE, 1), A_EV(SESSION), A_FINAL(200, PRACK_AF_RELEASED, REPEAT))},
};

static void test_R49_R54_answer_in_prack(void **state)
{
    (void)state;
    RUN(sc_R49_missing);
    RUN(sc_R49_held);
}

/* R48 R52 R53 R55, pitfall #10: the INVITE's offer answered in a reliable
 * 183; a new offer in its PRACK is answered in the 200 to the PRACK, and the
 * held 2xx goes after that answer. */
static const step_t sc_R52[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(5, 200), EXPECT(A_HOLD(200, 42))},
    {DO_PRACK_SDP(10, 42),
     EXPECT(A_ACK(42, ANSWER, 1), A_EV(SESSION), A_FINAL(200, PRACK_AF_RELEASED, REPEAT)),
     STATE(COMPLETED)},
};

/* R52 R55: without a held 2xx, the answer in the 200 comes before the next
 * queued 1xx goes out. Only the PRACK of the 1xx that carried the answer may
 * offer (RFC 6337 2.2, pattern 5): SDP in a later PRACK is reported and not
 * answered. */
static const step_t sc_R52_later[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_1XX(5, 180, 0, 2), EXPECT(A_QUEUE(180, 2))},
    {DO_PRACK_SDP(10, 42),
     EXPECT(A_ACK(42, ANSWER, 1), A_EV(SESSION), A_REL(180, 43, NONE, 2))},
    {DO_PRACK_SDP(30, 43), EXPECT(A_ACK(43, NONE, 2), A_EV(SDP_UNEXPECTED))},
    {DO_1XX(40, 183, SDP, 3), EXPECT(A_REL(183, 44, REPEAT, 3))},
    {DO_PRACK_SDP(50, 44), EXPECT(A_ACK(44, NONE, 3), A_EV(SDP_UNEXPECTED))},
    {DO_FINAL(60, 200), EXPECT(A_FINAL(200, 0, REPEAT))},
};

static void test_R48_R52_R53_offer_in_prack_answered_in_200(void **state)
{
    (void)state;
    RUN(sc_R52);
    RUN(sc_R52_later);
}

/* R55 R53: SDP in a PRACK while the INVITE's own offer is still unanswered
 * (the reliable 1xx had no SDP) is no valid offer: reported and ignored; the
 * 2xx still carries the answer. */
static const step_t sc_R55_unexpected[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK_SDP(10, 42), EXPECT(A_ACK(42, NONE, 1), A_EV(SDP_UNEXPECTED))},
    {DO_FINAL(20, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION))},
};

static void test_R55_sdp_in_prack_while_invite_offer_open(void **state)
{
    (void)state;
    RUN(sc_R55_unexpected);
}

/* R55 R53 R15: the role of the 2xx's SDP in each offer/answer pattern:
 * ANSWER while the INVITE's offer is unanswered (an unreliable 1xx's SDP
 * answers nothing), OFFER when no offer was made anywhere, REPEAT once an
 * exchange completed; none in non-2xx finals. */
static const step_t sc_R55_answer_in_2xx[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1, 183, SDP | UNREL, 1), EXPECT(A_UNREL(183, ANSWER, 1))},
    {DO_1XX(2, 180, 0, 2), EXPECT(A_REL(180, 42, NONE, 2))},
    {DO_PRACK(3, 42), EXPECT(A_ACK(42, NONE, 2))},
    {DO_FINAL(4, 202), EXPECT(A_FINAL(202, 0, ANSWER), A_EV(SESSION))},
};
static const step_t sc_R55_offer_in_2xx[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(1, 183, SDP | UNREL, 1), EXPECT(A_UNREL(183, OFFER, 1))},
    {DO_FINAL(2, 200), EXPECT(A_FINAL(200, 0, OFFER))},
};
static const step_t sc_R55_offer_in_2xx_unreliable_call[] = {
    {DO_INIT(0, SUPPORTED, 0)},
    {DO_FINAL(2, 299), EXPECT(A_FINAL(299, 0, OFFER))},
};
static const step_t sc_R55_repeat[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACK(2, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_1XX(3, 183, SDP, 2), EXPECT(A_REL(183, 43, REPEAT, 2))},
    {DO_1XX(4, 183, SDP | UNREL, 3), EXPECT(A_UNREL(183, REPEAT, 3))},
    {DO_PRACK(5, 43), EXPECT(A_ACK(43, NONE, 2))},
    {DO_FINAL(6, 200), EXPECT(A_FINAL(200, 0, REPEAT))},
};
static const step_t sc_R55_reject_with_offer[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_FINAL(1, 488), EXPECT(A_FINAL(488, 0, NONE))},
};

static void test_R55_R53_R15_final_sdp_roles(void **state)
{
    (void)state;
    RUN(sc_R55_answer_in_2xx);
    RUN(sc_R55_offer_in_2xx);
    RUN(sc_R55_offer_in_2xx_unreliable_call);
    RUN(sc_R55_repeat);
    RUN(sc_R55_reject_with_offer);
}

/* ======================================================================== */
/* Refresh: R8                                                              */
/* ======================================================================== */

/* R8: 150 s after the last reliable 1xx, a fresh one (RSeq + 1, REFRESH, no
 * cookie) keeps the transaction alive; it is retransmitted and times out like
 * any other. */
static const step_t sc_R8[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), .refresh = PRACK_RECOMMENDED_REFRESH_MS,
     DEADLINE(TNONE)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION)), DEADLINE(500)},
    {DO_PRACK(100, 42), EXPECT(A_ACK(42, NONE, 1)), DEADLINE(150000)},
    {DO_TIMER(149999), DEADLINE(150000)},
    {DO_CLOCK(150000), TIMES(150000), EXPECT(A_REFRESH(183, 43)), UNACKED(43),
     DEADLINE(150500), COUNTERS(2, 1, 0, 0)},
    {DO_PRACK(150200, 43), EXPECT(A_ACK(43, NONE, 0)), DEADLINE(300000)},
    /* an unreliable 1xx does not restart the interval */
    {DO_1XX(200000, 180, UNREL, 2), EXPECT(A_UNREL(180, NONE, 2)), DEADLINE(300000)},
    {DO_CLOCK(300000), TIMES(300000), EXPECT(A_REFRESH(183, 44)), DEADLINE(300500)},
    {DO_CLOCK(400000),
     TIMES(300500, 301500, 303500, 307500, 315500, 331500, 332000, 332000),
     EXPECT(A_RETX(183, 44, 0), A_RETX(183, 44, 0), A_RETX(183, 44, 0), A_RETX(183, 44, 0),
            A_RETX(183, 44, 0), A_RETX(183, 44, 0), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     DEADLINE(TNONE), COUNTERS(3, 2, 6, 0)},
};

/* R8: a reliable 1xx sent by the host restarts the interval. */
static const step_t sc_R8_restart[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), .refresh = PRACK_RECOMMENDED_REFRESH_MS},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(100, 42), EXPECT(A_ACK(42, NONE, 1)), DEADLINE(150000)},
    {DO_1XX(100000, 183, SDP, 2), EXPECT(A_REL(183, 43, ANSWER, 2), A_EV(SESSION))},
    {DO_PRACK(100100, 43), EXPECT(A_ACK(43, NONE, 2)), DEADLINE(250000)},
    {DO_CLOCK(250000), TIMES(250000), EXPECT(A_REFRESH(183, 44))},
};

/* R8 R28 R30: no refresh after a final; none when disabled; none before the
 * first reliable 1xx or on an unreliable call; sub-second parts are dropped. */
static const step_t sc_R8_final[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), .refresh = PRACK_RECOMMENDED_REFRESH_MS},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(100, 42), EXPECT(A_ACK(42, NONE, 1)), DEADLINE(150000)},
    {DO_FINAL(1000, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION)), DEADLINE(TNONE)},
    {DO_TIMER(150000)},
    {DO_TIMER(1000000), COUNTERS(1, 1, 0, 0)},
};
static const step_t sc_R8_off[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(100, 42), EXPECT(A_ACK(42, NONE, 1)), DEADLINE(TNONE)},
    {DO_TIMER(150000)},
    {DO_TIMER(10000000), COUNTERS(1, 1, 0, 0)},
};
static const step_t sc_R8_unreliable[] = {
    {DO_INIT(0, SUPPORTED, 0), .refresh = 1000},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_UNREL(180, NONE, 1)), DEADLINE(TNONE)},
    {DO_TIMER(5000), COUNTERS(0, 0, 0, 0)},
};
static const step_t sc_R8_rounding[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP), .refresh = 1999, .t1 = 100},
    {DO_1XX(10, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1)), DEADLINE(110)},
    {DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 1)), DEADLINE(1010)},
    {DO_CLOCK(1010), TIMES(1010), EXPECT(A_REFRESH(180, 43)), DEADLINE(1110)},
};

static void test_R8_refresh_every_150s(void **state)
{
    (void)state;
    RUN(sc_R8);
    RUN(sc_R8_restart);
}

static void test_R8_R28_no_refresh_after_final_or_disabled(void **state)
{
    (void)state;
    RUN(sc_R8_final);
    RUN(sc_R8_off);
    RUN(sc_R8_unreliable);
    RUN(sc_R8_rounding);
}

/* ======================================================================== */
/* The end of time                                                          */
/* ======================================================================== */

/* Deadline contract near UINT64_MAX: deadlines never wrap below the time they
 * were computed at, never read as "none" while a timer is armed, and after
 * prack_on_timer(now) the next one is later than now or none (N1 R20). */
static void clock_to_the_end(prack_time_t start, uint32_t refresh, bool prack_first)
{
    prack_uas_t uas;
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = 102, .rack_rseq = 42,
                        .rack_cseq = CSEQ, .method = "INVITE", .method_len = 6};
    prack_uas_t *puas = &uas;
    timed_t log[64];
    size_t n;
    prack_time_t last;
    bool timed_out = false;

    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.refresh_ms = refresh;
    assert_int_equal(prack_uas_init(&uas, &cfg, &inv, RND, start, &out), PRACK_OK);
    assert_int_equal(prack_uas_send_1xx(&uas, start, 183, SDP, cookie(1), &out), PRACK_OK);
    prack_time_t d = prack_next_deadline(&uas);
    assert_true(d >= start && d != PRACK_TIME_NONE);
    if (prack_first) {
        assert_int_equal(prack_uas_on_prack(&uas, start, &pr, &out), PRACK_OK);
        assert_int_equal(out.v[0].status, 200);
        d = prack_next_deadline(&uas);
        assert_true(refresh ? (d >= start && d != PRACK_TIME_NONE) : d == PRACK_TIME_NONE);
    }
    n = run_clock(&puas, false, start, PRACK_TIME_NONE - 1u, log, ARRAY_LEN(log), &last);
    for (size_t i = 0; i < n; i++) {
        assert_true(log[i].at >= start && log[i].at < PRACK_TIME_NONE);
        if (i)
            assert_true(log[i].at >= log[i - 1].at);
        if (log[i].a.type == PRACK_ACT_SEND_FINAL) {
            assert_int_equal(log[i].a.status, 504);
            timed_out = true;
        }
    }
    assert_int_equal(prack_next_deadline(&uas), PRACK_TIME_NONE);
    assert_true(timed_out || (prack_first && !refresh));
    /* the last usable instant is still a valid time */
    assert_int_equal(prack_on_timer(&uas, PRACK_TIME_NONE - 1u, &out), PRACK_OK);
    assert_int_equal(out.n, 0);
}

static void test_N1_R20_deadlines_saturate_near_uint64_max(void **state)
{
    (void)state;
    clock_to_the_end(UINT64_MAX - 10u, 0, false);
    clock_to_the_end(UINT64_MAX - 2000u, 0, false);
    clock_to_the_end(UINT64_MAX - 40000u, 0, false);
    clock_to_the_end(UINT64_MAX - 200000u, PRACK_RECOMMENDED_REFRESH_MS, true);
    clock_to_the_end(UINT64_MAX - 10u, 1000, true);
    clock_to_the_end(UINT64_MAX - 10u, 0, true);
    clock_to_the_end(UINT64_MAX - 1u, 0, false);
}

/* ======================================================================== */
/* PRACKs for acknowledged 1xx: R16 R17 R29                                 */
/* ======================================================================== */

/* R16 R17 R29 R52: a new PRACK (another CSeq) for an RSeq already
 * acknowledged matches no unacknowledged 1xx: 481, before and after the
 * final. Only a retransmission (same CSeq, same RAck) of the PRACK that
 * acknowledged the latest RSeq gets 200 again, DUPLICATE, and when that 200
 * carried the answer to an offer in the PRACK, the repeated one does too. */
static const step_t sc_R16_new_prack[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_1XX(1, 180, 0, 2), EXPECT(A_QUEUE(180, 2))},
    {DO_PRACK_SDP(10, 42), OWN(501),
     EXPECT(A_ACK(42, ANSWER, 1), A_EV(SESSION), A_REL(180, 43, NONE, 2))},
    {DO_PRACK_SDP(20, 42), OWN(501), EXPECT(A_DUP(42, ANSWER)), UNACKED(43),
     COUNTERS(2, 1, 0, 0)},
    {DO_PRACK(21, 42), OWN(502), EXPECT(A_481(42)), UNACKED(43)},
    {DO_PRACK_SDP(22, 42), OWN(503), EXPECT(A_481(42))},
    /* an older CSeq than the acknowledging PRACK's is no retransmission either */
    {DO_PRACK_SDP(23, 42), OWN(500), EXPECT(A_481(42)), COUNTERS(2, 1, 0, 3)},
    {DO_PRACK(30, 43), OWN(504), EXPECT(A_ACK(43, NONE, 2)), UNACKED(0)},
    {DO_PRACK(31, 43), OWN(504), EXPECT(A_DUP(43, NONE))},
    {DO_PRACK_SDP(32, 42), OWN(501), EXPECT(A_481(42))},
    {DO_PRACK(33, 43), OWN(505), EXPECT(A_481(43)), COUNTERS(2, 2, 0, 5)},
    {DO_FINAL(40, 200), EXPECT(A_FINAL(200, 0, REPEAT)), STATE(COMPLETED)},
    /* after the final (R29) */
    {DO_PRACK(50, 43), OWN(504), EXPECT(A_DUP(43, NONE))},
    {DO_PRACK(51, 43), OWN(506), EXPECT(A_481(43))},
    {DO_PRACK_SDP(52, 42), OWN(501), EXPECT(A_481(42))},
    {DO_PRACK(53, 44), EXPECT(A_481(44)), STATE(COMPLETED), COUNTERS(2, 2, 0, 8)},
};

/* R16 R29: acknowledged before a failure final, then PRACKed again. */
static const step_t sc_R16_acked_then_failure[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(10, 42), OWN(600), EXPECT(A_ACK(42, NONE, 1))},
    {DO_FINAL(20, 486), EXPECT(A_FINAL(486, 0, NONE)), STATE(COMPLETED)},
    {DO_PRACK(30, 42), OWN(600), EXPECT(A_DUP(42, NONE))},
    {DO_PRACK(31, 42), OWN(601), EXPECT(A_481(42)), COUNTERS(1, 1, 0, 1)},
};

/* R16 R29: first acknowledged after the failure final (late PRACK), then
 * PRACKed again. */
static const step_t sc_R16_failure_then_acked[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_FINAL(10, 486), EXPECT(A_DROP_UNACKED(180, 42, 1), A_FINAL(486, 0, NONE))},
    {DO_PRACK(20, 42), OWN(700), EXPECT(A_ACK(42, NONE, 0)), UNACKED(0)},
    {DO_PRACK(21, 42), OWN(700), EXPECT(A_DUP(42, NONE))},
    {DO_PRACK(22, 42), OWN(701), EXPECT(A_481(42)), COUNTERS(1, 1, 0, 1)},
};

static void test_R16_R17_R29_new_prack_for_acknowledged_rseq_481(void **state)
{
    (void)state;
    RUN(sc_R16_new_prack);
    RUN(sc_R16_acked_then_failure);
    RUN(sc_R16_failure_then_acked);
}

/* ======================================================================== */
/* CSeq numbers up to 2^32-1: N2 R16 R17                                    */
/* ======================================================================== */

/* N2 R16 R17: an INVITE CSeq of 2^32-1 (RFC 3261 20.16: 32 bits); the RAck
 * CSeq-num must be exactly it (no truncation of the 64-bit field, no wrap),
 * and a PRACK's own CSeq of 2^32-1 tells its retransmission apart too. */
static const step_t sc_cseq_max[] = {
    {.at = 0, .in = IN_INIT, .policy = PRACK_POLICY_SUPPORTED, .inv = I_S | I_SDP,
     .cseq = 4294967295u, .random = RND, RELIABLE(true), STATE(PROCEEDING)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACKX(1, 42, 4294967294u, "INVITE", PRACK_PR_RACK), EXPECT(A_481(42))},
    {DO_PRACKX(2, 42, 0, "INVITE", PRACK_PR_RACK), EXPECT(A_481(42))},
    {DO_PRACKX(3, 42, UINT64_C(4294967296), "INVITE", PRACK_PR_RACK), EXPECT(A_481(42))},
    {DO_PRACKX(4, 42, UINT64_C(0x1FFFFFFFF), "INVITE", PRACK_PR_RACK), EXPECT(A_481(42))},
    {DO_PRACKX(5, 42, UINT64_MAX, "INVITE", PRACK_PR_RACK), EXPECT(A_481(42)),
     UNACKED(42)},
    {DO_PRACKX(6, 42, 4294967295u, "INVITE", PRACK_PR_RACK), OWN(4294967295u),
     EXPECT(A_ACK(42, NONE, 1)), UNACKED(0)},
    {DO_PRACKX(7, 42, 4294967295u, "INVITE", PRACK_PR_RACK), OWN(4294967295u),
     EXPECT(A_DUP(42, NONE))},
    {DO_PRACKX(8, 42, 4294967295u, "INVITE", PRACK_PR_RACK), OWN(0), EXPECT(A_481(42)),
     COUNTERS(1, 1, 0, 6)},
    {DO_FINAL(9, 200), EXPECT(A_FINAL(200, 0, REPEAT)), STATE(COMPLETED)},
};

static void test_N2_R16_R17_cseq_up_to_2_32_minus_1(void **state)
{
    (void)state;
    static const uint32_t cseqs[] = {0u,          1u,          0x7FFFFFFFu, 0x80000000u,
                                     0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    RUN(sc_cseq_max);
    for (size_t i = 0; i < ARRAY_LEN(cseqs); i++) {
        step_t s[5];
        char name[64];
        memset(s, 0, sizeof(s));
        s[0] = (step_t){.in = IN_INIT, .policy = PRACK_POLICY_SUPPORTED, .inv = I_S | I_SDP,
                        .cseq = cseqs[i], .random = RND, STATE(PROCEEDING)};
        s[1] = (step_t){DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))};
        /* the top bit matters: a 31-bit comparison would match here */
        s[2] = (step_t){DO_PRACKX(1, 42, cseqs[i] ^ 0x80000000u, "INVITE", PRACK_PR_RACK),
                        EXPECT(A_481(42)), UNACKED(42)};
        s[3] = (step_t){DO_PRACKX(2, 42, cseqs[i], "INVITE", PRACK_PR_RACK),
                        EXPECT(A_ACK(42, NONE, 1)), UNACKED(0)};
        snprintf(name, sizeof(name), "INVITE CSeq 0x%08" PRIx32, cseqs[i]);
        run_steps(name, s, 4);
    }
}

/* ======================================================================== */
/* Cookie lifetime: PRACK_AF_RELEASE                                        */
/* ======================================================================== */

/*
 * The host of prack.h's cookie rule: one heap object per provisional, its
 * address as the cookie. Every action carrying a cookie reads the object; the
 * action flagged PRACK_AF_RELEASE frees it. A rule broken the other way round
 * (a cookie used after its release) is a use-after-free that AddressSanitizer
 * reports (the CI runs this file with -Db_sanitize=address,undefined); a
 * cookie never released shows in the counts.
 */
#define OBJ_MAGIC 0x1C0FFEE5u
#define OBJ_MAX 32u

typedef struct host_obj {
    uint32_t magic;
    uint16_t status;
    unsigned id;
} host_obj_t;

typedef struct host {
    prack_uas_t uas;
    prack_actions_t out;
    uint32_t next_own;
    uint32_t last_rseq; /* RAck of the last PRACK */
    unsigned timer_calls;
    unsigned made, freed, reads;
    unsigned freed_by_id[OBJ_MAX];
} host_t;

enum host_op { H_END = 0, H_1XX, H_1XX_NONE, H_FINAL, H_CANCEL, H_PRACK, H_CLOCK };

typedef struct host_step {
    enum host_op op;
    prack_time_t at;   /* H_CLOCK: up to this time */
    uint16_t status;
    uint32_t flags;    /* PRACK_1XX_* or PRACK_PR_SDP */
} host_step_t;

typedef struct host_scenario {
    const char *name;
    unsigned inv;      /* PRACK_INV_* */
    uint32_t refresh;
    host_step_t steps[16];
} host_scenario_t;

static void host_carry_out(host_t *h)
{
    for (uint32_t i = 0; i < h->out.n; i++) {
        const prack_action_t *a = &h->out.v[i];
        if (a->user == 0) {
            assert_false(a->flags & PRACK_AF_RELEASE);
            continue;
        }
        host_obj_t *o = (host_obj_t *)(uintptr_t)a->user;
        assert_int_equal(o->magic, OBJ_MAGIC); /* the object is still alive */
        if (a->type != PRACK_ACT_ANSWER_PRACK)
            assert_int_equal(o->status, a->status);
        h->reads++;
        if (a->flags & PRACK_AF_RELEASE) {
            assert_true(o->id < OBJ_MAX);
            h->freed_by_id[o->id]++;
            o->magic = 0;
            free(o);
            h->freed++;
        }
    }
}

/* Run one scenario; returns the number of objects made. */
static unsigned host_run(const host_scenario_t *sc)
{
    host_t *h = calloc(1, sizeof(*h));
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, sc->inv};
    prack_time_t now = 0;
    assert_non_null(h);
    h->next_own = 1000;
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.refresh_ms = sc->refresh;
    assert_int_equal(prack_uas_init(&h->uas, &cfg, &inv, RND, 0, &h->out), PRACK_OK);
    host_carry_out(h);
    for (size_t i = 0; i < ARRAY_LEN(sc->steps) && sc->steps[i].op != H_END; i++) {
        const host_step_t *st = &sc->steps[i];
        int rc;
        if (st->op != H_CLOCK)
            now = st->at;
        switch (st->op) {
        case H_1XX: {
            host_obj_t *o = malloc(sizeof(*o));
            assert_non_null(o);
            assert_true(h->made < OBJ_MAX);
            o->magic = OBJ_MAGIC;
            o->status = st->status;
            o->id = h->made++;
            rc = prack_uas_send_1xx(&h->uas, now, st->status, st->flags,
                                    (uint64_t)(uintptr_t)o, &h->out);
            if (rc != PRACK_OK)
                free(o); /* not accepted: still the host's */
            break;
        }
        case H_1XX_NONE:
            rc = prack_uas_send_1xx(&h->uas, now, st->status, st->flags, 0, &h->out);
            break;
        case H_FINAL:
            rc = prack_uas_send_final(&h->uas, now, st->status, &h->out);
            break;
        case H_CANCEL:
            rc = prack_uas_cancel(&h->uas, now, &h->out);
            break;
        case H_PRACK: {
            /* the PRACK for the 1xx the engine waits for (or waited for), else a
             * new PRACK for the one acknowledged last */
            uint32_t rseq = prack_uas_unacked(&h->uas);
            h->last_rseq = rseq ? rseq : h->last_rseq;
            assert_true(h->last_rseq != 0);
            prack_prack_t pr = {.flags = PRACK_PR_RACK | st->flags, .cseq = h->next_own++,
                                .rack_rseq = h->last_rseq, .rack_cseq = CSEQ,
                                .method = "INVITE", .method_len = 6};
            rc = prack_uas_on_prack(&h->uas, now, &pr, &h->out);
            break;
        }
        case H_CLOCK:
            rc = PRACK_OK;
            h->out.n = 0;
            for (prack_time_t due = prack_next_deadline(&h->uas); due <= st->at;
                 due = prack_next_deadline(&h->uas)) {
                assert_true(++h->timer_calls < 1000u); /* the deadline moves on */
                now = due > now ? due : now;
                assert_int_equal(prack_on_timer(&h->uas, now, &h->out), PRACK_OK);
                host_carry_out(h);
            }
            h->out.n = 0;
            break;
        case H_END:
        default:
            rc = PRACK_ERR_INVAL;
            break;
        }
        if (rc != PRACK_OK)
            fail_msg("%s step %zu: %s", sc->name, i, prack_strerror(rc));
        host_carry_out(h);
    }
    /* the transaction is over: every object came back exactly once */
    assert_int_equal(prack_uas_state(&h->uas), PRACK_UAS_COMPLETED);
    if (h->freed != h->made)
        fail_msg("%s: %u cookies given, %u released", sc->name, h->made, h->freed);
    for (unsigned i = 0; i < h->made; i++)
        if (h->freed_by_id[i] != 1)
            fail_msg("%s: object %u released %u times", sc->name, i, h->freed_by_id[i]);
    assert_true(h->reads >= h->made);
    unsigned made = h->made;
    free(h);
    return made;
}

#define H1(t, st, fl) {H_1XX, (t), (st), (fl)}
#define H1_NONE(t, st, fl) {H_1XX_NONE, (t), (st), (fl)}
#define HF(t, st) {H_FINAL, (t), (st), 0}
#define HC(t) {H_CANCEL, (t), 0, 0}
#define HP(t) {H_PRACK, (t), 0, 0}
#define HP_SDP(t) {H_PRACK, (t), 0, PRACK_PR_SDP}
#define HT(t) {H_CLOCK, (t), 0, 0}

static const host_scenario_t host_scenarios[] = {
    {"queue then PRACKs", I_S | I_SDP, 0,
     {H1(0, 180, 0), H1(1, 181, 0), H1(2, 182, 0), H1(3, 183, SDP), HP(10), HP(20), HP(30),
      HP(40), HF(50, 200)}},
    {"queue dropped by a final", I_S | I_SDP, 0,
     {H1(0, 180, 0), H1(1, 181, 0), H1(2, 182, 0), H1(3, 183, SDP), HT(600), HF(700, 486),
      HP(800), HP(900)}},
    {"CANCEL", I_S | I_SDP, 0,
     {H1(0, 183, SDP), H1(1, 180, 0), H1(2, 181, 0), HC(100), HP(200), HC(300)}},
    {"64*T1 timeout with a queue", I_S | I_SDP, 0,
     {H1(0, 180, 0), H1(1, 181, 0), H1(2, 182, SDP), H1_NONE(3, 183, 0), HT(40000),
      HP(40001)}},
    {"held 2xx released by PRACK", I_S | I_SDP, 0,
     {H1(0, 183, SDP), H1(1, 180, 0), HF(2, 200), HT(1000), HP_SDP(1100)}},
    {"held 2xx replaced by CANCEL", I_S | I_SDP, 0,
     {H1(0, 183, SDP), HF(2, 200), HC(100), HP(200)}},
    {"late PRACK after a non-2xx final", I_S, 0,
     {H1(0, 183, SDP), HT(2000), HF(2100, 603), HP_SDP(2200), HP(2300)}},
    {"refresh", I_S | I_SDP, 1000,
     {H1(0, 180, 0), HP(10), HT(1000), H1(1100, 181, 0), HP(1200), HP(1300), HT(2300),
      HP(2400), HF(2500, 200)}},
    {"unreliable 1xx", I_SDP, 0, {H1(0, 100, 0), H1(1, 180, 0), H1(2, 183, SDP), HF(3, 200)}},
    {"unreliable 1xx beside reliable ones", I_S | I_SDP, 0,
     {H1(0, 100, 0), H1(1, 183, SDP), H1(2, 180, UNREL), H1(3, 100, 0), HP(4), HF(5, 200)}},
    {"1xx after the timeout, no timer call", I_S | I_SDP, 0,
     {H1(0, 180, 0), H1(1, 181, 0), H1(32000, 183, SDP)}},
    {"final after the timeout, no timer call", I_S | I_SDP, 0,
     {H1(0, 180, 0), H1(1, 181, 0), HF(32000, 200), HP(32001)}},
};

/* prack.h, PRACK_AF_RELEASE: whichever way a transaction ends (PRACKs, a
 * final, CANCEL, the timeout with or without a timer call, a refresh,
 * unreliable 1xx), every cookie is read only while alive and released
 * exactly once. */
static void test_cookie_released_exactly_once(void **state)
{
    (void)state;
    unsigned total = 0;
    for (size_t i = 0; i < ARRAY_LEN(host_scenarios); i++)
        total += host_run(&host_scenarios[i]);
    /* sum of the H_1XX steps above: every one was accepted and freed */
    assert_int_equal(total, 32);
}

/* ======================================================================== */
/* The engine moves between calls                                           */
/* ======================================================================== */

/* R21 R22 R24 R26 R27 N1: a queue of reliable 1xx, retransmissions, PRACKs
 * (one retransmitted) and a held 2xx, with the engine memcpy'd to fresh heap
 * storage before every call (the old copy scribbled over and freed): the
 * actions equal those of an engine that never moved. */
static const step_t sc_move[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_1XX(1, 180, 0, 2), EXPECT(A_QUEUE(180, 2))},
    {DO_1XX(2, 181, 0, 3), EXPECT(A_QUEUE(181, 3))},
    {DO_1XX(3, 182, SDP, 4), EXPECT(A_QUEUE(182, 4)), QUEUED(3)},
    {DO_CLOCK(2000), TIMES(500, 1500), EXPECT(A_RETX(183, 42, 1), A_RETX(183, 42, 1))},
    {DO_PRACK(2100, 42), EXPECT(A_ACK(42, NONE, 1), A_REL(180, 43, NONE, 2))},
    {DO_CLOCK(2700), TIMES(2600), EXPECT(A_RETX(180, 43, 2))},
    {DO_PRACK(2800, 43), OWN(801), EXPECT(A_ACK(43, NONE, 2), A_REL(181, 44, NONE, 3))},
    {DO_PRACK(2801, 43), OWN(801), EXPECT(A_DUP(43, NONE))},
    {DO_PRACK(2900, 44), EXPECT(A_ACK(44, NONE, 3), A_REL(182, 45, REPEAT, 4))},
    {DO_FINAL(3000, 200), EXPECT(A_HOLD(200, 45)), STATE(HELD)},
    {DO_CLOCK(3500), TIMES(3400), EXPECT(A_RETX(182, 45, 4))},
    {DO_PRACK(3600, 45), EXPECT(A_ACK(45, NONE, 4), A_FINAL(200, PRACK_AF_RELEASED, REPEAT)),
     STATE(COMPLETED), DEADLINE(TNONE), COUNTERS(4, 4, 4, 0)},
};

static void test_R21_R22_R24_R26_R27_N1_engine_moved_between_calls(void **state)
{
    (void)state;
    world_t *still = world_new(false);
    world_t *moved = world_new(true);
    run_on(still, "sc_move", sc_move, ARRAY_LEN(sc_move));
    run_on(moved, "sc_move", sc_move, ARRAY_LEN(sc_move));
    assert_int_equal(still->n_trace, 19);
    same_trace(still, moved);
    world_free(still);
    world_free(moved);
}

/* ======================================================================== */
/* The timeout without the host's timer: R20 R29                            */
/* ======================================================================== */

/* R20 R28 R29 R30: the host never calls prack_on_timer. A PRACK that comes
 * 64*T1 after the 1xx meets the timeout first, in the same batch: the queued
 * 1xx dropped, the unacknowledged one released, the 5xx and its event, and
 * then the 200 to the late PRACK (R29), without the cookie. */
static const step_t sc_late_prack_queue[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP), .tstatus = 503},
    {DO_1XX(1000, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1)), DEADLINE(1500)},
    {DO_1XX(1001, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_1XX(1002, 183, SDP, 3), EXPECT(A_QUEUE(183, 3))},
    {DO_1XX(1003, 182, 0, 0), EXPECT(A_QUEUE(182, 0)), QUEUED(3), DEADLINE(1500)},
    {DO_PRACK(33000, 42),
     EXPECT(A_DROP(181, 2), A_DROP(183, 3), A_DROP(182, 0), A_DROP_UNACKED(180, 42, 1),
            A_TIMEOUT(503, 0), A_EV(TIMEOUT), A_ACK(42, NONE, 0)),
     STATE(COMPLETED), DEADLINE(TNONE), QUEUED(0), UNACKED(0), COUNTERS(1, 1, 0, 0)},
};

/* R20 R27 R29: the same with a held 2xx, which the 5xx replaces. */
static const step_t sc_late_prack_held[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(1100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_PRACK(40000, 42),
     EXPECT(A_DROP_UNACKED(183, 42, 1), A_TIMEOUT(504, PRACK_AF_REPLACES_HELD), A_EV(TIMEOUT),
            A_ACK(42, NONE, 0)),
     STATE(COMPLETED), DEADLINE(TNONE)},
};

/* R27 R54: one millisecond earlier the PRACK is in time and releases the 2xx. */
static const step_t sc_prack_just_in_time[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(1100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD), DEADLINE(1500)},
    {DO_PRACK(32999, 42), EXPECT(A_ACK(42, NONE, 1), A_FINAL(200, PRACK_AF_RELEASED, REPEAT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
};

/* R20: a final sent after 64*T1: the timeout's final goes instead; this one
 * adds nothing. */
static const step_t sc_final_after_timeout[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1001, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_FINAL(33000, 200),
     EXPECT(A_DROP(181, 2), A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
    {DO_FINAL(33001, 486), RC(PRACK_ERR_STATE)},
    {DO_PRACK(33002, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_failure_after_timeout_held[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(1100, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_FINAL(33000, 486),
     EXPECT(A_DROP_UNACKED(183, 42, 1), A_TIMEOUT(504, PRACK_AF_REPLACES_HELD), A_EV(TIMEOUT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
};

/* R20 R30: a 1xx sent after 64*T1: the timeout, then the 1xx comes back
 * dropped with its cookie. */
static const step_t sc_1xx_after_timeout[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(33000, 183, SDP, 2),
     EXPECT(A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT), A_DROP(183, 2)),
     STATE(COMPLETED), DEADLINE(TNONE), UNACKED(42), COUNTERS(1, 0, 0, 0)},
    {DO_1XX(33001, 181, 0, 3), RC(PRACK_ERR_STATE)},
};
static const step_t sc_1xx_after_timeout_no_cookie[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 180, 0, 0), EXPECT(A_REL(180, 42, NONE, 0))},
    {DO_1XX(50000, 100, 0, 0), EXPECT(A_TIMEOUT(504, 0), A_EV(TIMEOUT), A_DROP(100, 0)),
     STATE(COMPLETED)},
};

/* R20: a CANCEL after 64*T1: the timeout's final, no 487. */
static const step_t sc_cancel_after_timeout[] = {
    {DO_INIT(1000, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(1000, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_1XX(1001, 181, 0, 2), EXPECT(A_QUEUE(181, 2))},
    {DO_CANCEL(33000),
     EXPECT(A_DROP(181, 2), A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT)),
     STATE(COMPLETED), DEADLINE(TNONE)},
    {DO_CANCEL(33000), UNCHANGED()},
};

static void test_R20_R29_timeout_applied_without_timer_call(void **state)
{
    (void)state;
    RUN(sc_late_prack_queue);
    RUN(sc_late_prack_held);
    RUN(sc_prack_just_in_time);
    RUN(sc_final_after_timeout);
    RUN(sc_failure_after_timeout_held);
    RUN(sc_1xx_after_timeout);
    RUN(sc_1xx_after_timeout_no_cookie);
    RUN(sc_cancel_after_timeout);
}

/* ======================================================================== */
/* CANCEL after a final                                                     */
/* ======================================================================== */

/* R3 R29: RFC 3261 9.2: a CANCEL after any final response, a 420 or 421
 * rejection included, succeeds with an empty batch and changes nothing (the
 * step's time is that of the previous call, so the byte compare holds);
 * PRACKs are still answered afterwards. */
static const step_t sc_cancel_after_420[] = {
    {DO_INIT(10, OFF, I_R | I_SDP), EXPECT(A_FINAL(420, PRACK_AF_UNSUPPORTED_100REL, NONE))},
    {DO_CANCEL(10), UNCHANGED(), STATE(REJECTED)},
};
static const step_t sc_cancel_after_421[] = {
    {DO_INIT(10, REQUIRED, I_SDP), EXPECT(A_FINAL(421, PRACK_AF_REQUIRE_100REL, NONE))},
    {DO_CANCEL(10), UNCHANGED(), STATE(REJECTED)},
};
static const step_t sc_cancel_after_2xx[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(5, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_FINAL(10, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};
static const step_t sc_cancel_after_2xx_unacked[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_FINAL(10, 200),
     EXPECT(A_DROP_UNACKED(180, 42, 1), A_FINAL(200, 0, ANSWER), A_EV(SESSION))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED), UNACKED(42)},
    {DO_PRACK(20, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_cancel_after_released_2xx[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(5, 200), EXPECT(A_HOLD(200, 42))},
    {DO_PRACK(10, 42), EXPECT(A_ACK(42, NONE, 1), A_FINAL(200, PRACK_AF_RELEASED, REPEAT))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};
static const step_t sc_cancel_after_held_replaced[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(5, 200), EXPECT(A_HOLD(200, 42))},
    {DO_FINAL(10, 603),
     EXPECT(A_DROP_UNACKED(183, 42, 1), A_FINAL(603, PRACK_AF_REPLACES_HELD, NONE))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};
static const step_t sc_cancel_after_non2xx[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_FINAL(10, 486), EXPECT(A_FINAL(486, 0, NONE))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};
static const step_t sc_cancel_after_timeout_final[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_TIMER(40000), EXPECT(A_DROP_UNACKED(180, 42, 1), A_TIMEOUT(504, 0), A_EV(TIMEOUT))},
    {DO_CANCEL(40000), UNCHANGED(), STATE(COMPLETED)},
    {DO_PRACK(40001, 42), EXPECT(A_ACK(42, NONE, 0))},
};
static const step_t sc_cancel_after_cancel[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_CANCEL(10), EXPECT(A_FINAL(487, PRACK_AF_CANCELLED, NONE))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};
static const step_t sc_cancel_after_unreliable_2xx[] = {
    {DO_INIT(0, SUPPORTED, I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_UNREL(180, NONE, 1))},
    {DO_FINAL(10, 200), EXPECT(A_FINAL(200, 0, ANSWER), A_EV(SESSION))},
    {DO_CANCEL(10), UNCHANGED(), STATE(COMPLETED)},
};

static void test_R3_R29_cancel_after_any_final_changes_nothing(void **state)
{
    (void)state;
    RUN(sc_cancel_after_420);
    RUN(sc_cancel_after_421);
    RUN(sc_cancel_after_2xx);
    RUN(sc_cancel_after_2xx_unacked);
    RUN(sc_cancel_after_released_2xx);
    RUN(sc_cancel_after_held_replaced);
    RUN(sc_cancel_after_non2xx);
    RUN(sc_cancel_after_timeout_final);
    RUN(sc_cancel_after_cancel);
    RUN(sc_cancel_after_unreliable_2xx);
}

/* ======================================================================== */
/* Offers in PRACKs: R50 R51 R52                                            */
/* ======================================================================== */

/* R51 R52 R53: the 1xx carried the answer to the INVITE's offer, so its PRACK
 * may carry a new offer; the 200 to that PRACK carries the answer, and so
 * does the 200 to its retransmission. */
static const step_t sc_R52_proceeding[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACK_SDP(10, 42), OWN(11), EXPECT(A_ACK(42, ANSWER, 1), A_EV(SESSION))},
    {DO_PRACK_SDP(11, 42), OWN(11), EXPECT(A_DUP(42, ANSWER))},
    {DO_FINAL(20, 200), EXPECT(A_FINAL(200, 0, REPEAT))},
    {DO_PRACK_SDP(21, 42), OWN(11), EXPECT(A_DUP(42, ANSWER))},
};
/* R27 R52 R54: the same with the 2xx held: the answer in the 200 to the
 * PRACK, then the released 2xx. */
static const step_t sc_R52_held[] = {
    {DO_INIT(0, SUPPORTED, I_S | I_SDP)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, ANSWER, 1), A_EV(SESSION))},
    {DO_FINAL(5, 200), EXPECT(A_HOLD(200, 42)), STATE(HELD)},
    {DO_PRACK_SDP(10, 42), OWN(12),
     EXPECT(A_ACK(42, ANSWER, 1), A_EV(SESSION), A_FINAL(200, PRACK_AF_RELEASED, REPEAT))},
    {DO_PRACK_SDP(11, 42), OWN(12), EXPECT(A_DUP(42, ANSWER)), STATE(COMPLETED)},
};
/* R52 R56: Require: 100rel, the answer in a later 1xx after one without SDP;
 * a queued 1xx goes after the answer. */
static const step_t sc_R52_later_1xx[] = {
    {DO_INIT(0, SUPPORTED, I_R | I_SDP)},
    {DO_1XX(0, 180, 0, 1), EXPECT(A_REL(180, 42, NONE, 1))},
    {DO_PRACK(1, 42), EXPECT(A_ACK(42, NONE, 1))},
    {DO_1XX(2, 183, SDP, 2), EXPECT(A_REL(183, 43, ANSWER, 2), A_EV(SESSION))},
    {DO_1XX(3, 180, 0, 3), EXPECT(A_QUEUE(180, 3))},
    {DO_PRACK_SDP(4, 43), OWN(13),
     EXPECT(A_ACK(43, ANSWER, 2), A_EV(SESSION), A_REL(180, 44, NONE, 3))},
    {DO_PRACK_SDP(5, 43), OWN(13), EXPECT(A_DUP(43, ANSWER))},
};
/* R50 R52: the 1xx carried our offer: the SDP in its PRACK is the answer
 * (R50), which the 200 does not answer again; a later 1xx that repeats the
 * session carries no offer, so SDP in its PRACK is unexpected (RFC 6337 2.2)
 * and not answered. */
static const step_t sc_R52_after_offer_1xx[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_PRACK_SDP(1, 42), OWN(14), EXPECT(A_ACK(42, NONE, 1), A_EV(SESSION))},
    {DO_PRACK_SDP(2, 42), OWN(14), EXPECT(A_DUP(42, NONE))},
    {DO_1XX(3, 183, SDP, 2), EXPECT(A_REL(183, 43, REPEAT, 2))},
    {DO_PRACK_SDP(4, 43), OWN(15), EXPECT(A_ACK(43, NONE, 2), A_EV(SDP_UNEXPECTED))},
    {DO_FINAL(5, 200), EXPECT(A_FINAL(200, 0, REPEAT))},
};
/* R50: an offer-bearing 1xx whose PRACK carries no SDP: the answer is
 * missing, and the 200 has nothing to answer. */
static const step_t sc_R52_offer_unanswered[] = {
    {DO_INIT(0, SUPPORTED, I_S)},
    {DO_1XX(0, 183, SDP, 1), EXPECT(A_REL(183, 42, OFFER, 1))},
    {DO_PRACK(1, 42), EXPECT(A_ACK(42, NONE, 1), A_EV(ANSWER_MISSING))},
};

static void test_R50_R51_R52_offer_in_prack_answered_in_its_200(void **state)
{
    (void)state;
    RUN(sc_R52_proceeding);
    RUN(sc_R52_held);
    RUN(sc_R52_later_1xx);
    RUN(sc_R52_after_offer_1xx);
    RUN(sc_R52_offer_unanswered);
}

/* ======================================================================== */
/* Argument checks, getters, counters                                       */
/* ======================================================================== */

/* A live engine with one unacknowledged reliable 1xx and one queued. */
static void live_engine(prack_uas_t *uas)
{
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.queue_max = 2;
    assert_int_equal(prack_uas_init(uas, &cfg, &inv, RND, 1000, &out), PRACK_OK);
    assert_int_equal(prack_uas_send_1xx(uas, 1000, 183, SDP, cookie(1), &out), PRACK_OK);
    assert_int_equal(prack_uas_send_1xx(uas, 1000, 180, 0, cookie(2), &out), PRACK_OK);
    assert_int_equal(prack_uas_queued(uas), 1);
}

/* Each call is checked for its return code and for leaving the engine as it was. */
#define EXPECT_INVAL(call)                                                             \
    do {                                                                               \
        memcpy(&before, &uas, sizeof(uas));                                            \
        assert_int_equal((call), PRACK_ERR_INVAL);                                     \
        assert_memory_equal(&before, &uas, sizeof(uas));                               \
    } while (0)

static void test_api_invalid_arguments(void **state)
{
    (void)state;
    prack_uas_t uas, before;
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = 102, .rack_rseq = 42,
                        .rack_cseq = CSEQ, .method = "INVITE", .method_len = 6};
    prack_uas_stats_t st;

    /* init: pointers, INVITE facts, time */
    memset(&uas, 0x33, sizeof(uas));
    EXPECT_INVAL(prack_uas_init(NULL, NULL, &inv, RND, 0, &out));
    EXPECT_INVAL(prack_uas_init(&uas, NULL, NULL, RND, 0, &out));
    EXPECT_INVAL(prack_uas_init(&uas, NULL, &inv, RND, 0, NULL));
    EXPECT_INVAL(prack_uas_init(&uas, NULL, &inv, RND, PRACK_TIME_NONE, &out));
    inv.flags = 0x08u;
    EXPECT_INVAL(prack_uas_init(&uas, NULL, &inv, RND, 0, &out));
    inv.flags = 0x80000000u | I_S;
    EXPECT_INVAL(prack_uas_init(&uas, NULL, &inv, RND, 0, &out));
    inv.flags = I_S | I_SDP;

    /* init: configuration values (reserved: index of a non-zero reserved byte) */
    static const struct {
        uint32_t t1, refresh;
        uint16_t tstatus;
        uint8_t policy, qmax, after_2xx, auth;
        int reserved;
        bool ok;
    } cfgs[] = {
        {0, 0, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {3600001, 0, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 999, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 1, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 65535001, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 0, 499, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 0, 600, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 0, 0, PRACK_POLICY_SUPPORTED, 8, 1, 3, -1, false},
        {500, 0, 504, 3, 8, 1, 3, -1, false},
        {500, 0, 504, 255, 8, 1, 3, -1, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, PRACK_UAS_QUEUE_MAX + 1u, 1, 3, -1, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 255, 1, 3, -1, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 8, 2, 3, -1, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 8, 1, PRACK_UAC_AUTH_MAX + 1u, -1, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, 0, false},
        {500, 0, 504, PRACK_POLICY_SUPPORTED, 8, 1, 3, 5, false},
        {1, 1000, 500, PRACK_POLICY_OFF, 0, 0, 0, -1, true},
        {3600000, 65535000, 599, PRACK_POLICY_REQUIRED, PRACK_UAS_QUEUE_MAX, 1,
         PRACK_UAC_AUTH_MAX, -1, true},
    };
    for (size_t i = 0; i < ARRAY_LEN(cfgs); i++) {
        assert_int_equal(prack_config_init(&cfg), PRACK_OK);
        cfg.t1_ms = cfgs[i].t1;
        cfg.refresh_ms = cfgs[i].refresh;
        cfg.timeout_status = cfgs[i].tstatus;
        cfg.policy = cfgs[i].policy;
        cfg.queue_max = cfgs[i].qmax;
        cfg.prack_after_2xx = cfgs[i].after_2xx;
        cfg.auth_max = cfgs[i].auth;
        if (cfgs[i].reserved >= 0)
            cfg.reserved_[cfgs[i].reserved] = 0x80u;
        if (cfgs[i].ok) {
            assert_int_equal(prack_uas_init(&uas, &cfg, &inv, RND, 0, &out), PRACK_OK);
            memset(&uas, 0x33, sizeof(uas));
        } else {
            EXPECT_INVAL(prack_uas_init(&uas, &cfg, &inv, RND, 0, &out));
        }
    }
    /* the boundaries that are allowed: any CSeq, the last usable instant */
    inv.cseq = 0xFFFFFFFFu;
    assert_int_equal(prack_uas_init(&uas, NULL, &inv, RND, 0, &out), PRACK_OK);
    inv.cseq = 0;
    assert_int_equal(prack_uas_init(&uas, NULL, &inv, RND, PRACK_TIME_NONE - 1u, &out),
                     PRACK_OK);
    inv.cseq = CSEQ;

    /* N4: statuses and flags of send_1xx */
    live_engine(&uas);
    EXPECT_INVAL(prack_uas_send_1xx(NULL, 2000, 180, 0, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 180, 0, 0, NULL));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 99, 0, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 0, 0, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 200, 0, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 65535, 0, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 180, 0x04u, cookie(3), &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 180, 0x80000000u, 0, &out));
    EXPECT_INVAL(prack_uas_send_1xx(&uas, 2000, 100, SDP, 0, &out)); /* R4: a 100 has no body */
    EXPECT_INVAL(prack_uas_send_1xx(&uas, PRACK_TIME_NONE, 180, 0, 0, &out));

    /* send_final statuses */
    EXPECT_INVAL(prack_uas_send_final(NULL, 2000, 200, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 200, NULL));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 0, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 100, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 183, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 199, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 700, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, 2000, 65535, &out));
    EXPECT_INVAL(prack_uas_send_final(&uas, PRACK_TIME_NONE, 200, &out));

    /* cancel, PRACK, timer */
    EXPECT_INVAL(prack_uas_cancel(NULL, 2000, &out));
    EXPECT_INVAL(prack_uas_cancel(&uas, 2000, NULL));
    EXPECT_INVAL(prack_uas_cancel(&uas, PRACK_TIME_NONE, &out));
    EXPECT_INVAL(prack_uas_on_prack(NULL, 2000, &pr, &out));
    EXPECT_INVAL(prack_uas_on_prack(&uas, 2000, NULL, &out));
    EXPECT_INVAL(prack_uas_on_prack(&uas, 2000, &pr, NULL));
    EXPECT_INVAL(prack_uas_on_prack(&uas, PRACK_TIME_NONE, &pr, &out));
    pr.method = NULL; /* a length without bytes */
    EXPECT_INVAL(prack_uas_on_prack(&uas, 2000, &pr, &out));
    pr.method = "INVITE";
    pr.flags = PRACK_PR_RACK | 0x04u;
    EXPECT_INVAL(prack_uas_on_prack(&uas, 2000, &pr, &out));
    pr.flags = PRACK_PR_RACK;
    EXPECT_INVAL(prack_on_timer(NULL, 2000, &out));
    EXPECT_INVAL(prack_on_timer(&uas, 2000, NULL));
    EXPECT_INVAL(prack_on_timer(&uas, PRACK_TIME_NONE, &out));
    EXPECT_INVAL(prack_uas_counters(NULL, &st));
    EXPECT_INVAL(prack_uas_counters(&uas, NULL));

    /* the engine still works after all that */
    assert_int_equal(prack_uas_on_prack(&uas, 2000, &pr, &out), PRACK_OK);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].status, 200);
    assert_int_equal(out.v[0].user, cookie(1));
    assert_int_equal(out.v[0].flags, PRACK_AF_RELEASE);
    assert_int_equal(out.v[1].rseq, 43);
    assert_int_equal(out.v[1].user, cookie(2));
    assert_int_equal(prack_uas_counters(&uas, &st), PRACK_OK);
    assert_int_equal(st.reliable_sent, 2);
    assert_int_equal(st.acknowledged, 1);
}

/* prack.h: "When a call fails with a negative error code, the engine is
 * unchanged and the batch is empty" -- for every error, not only the ones
 * found after the arguments were checked. */
static void test_api_error_empties_batch(void **state)
{
    (void)state;
    prack_uas_t uas;
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = 102, .rack_rseq = 42,
                        .rack_cseq = CSEQ, .method = NULL, .method_len = 6};
    prack_prack_t pr_ok = {.flags = PRACK_PR_RACK, .cseq = 102, .rack_rseq = 42,
                           .rack_cseq = CSEQ, .method = "INVITE", .method_len = 6};
    struct {
        const char *what;
        int rc;
        uint32_t n;
    } res[24];
    size_t k = 0;
    bool ok = true;

#define TRY(label, call)                                                               \
    do {                                                                               \
        poison(&out);                                                                  \
        res[k].what = (label);                                                         \
        res[k].rc = (call);                                                            \
        res[k].n = out.n;                                                              \
        k++;                                                                           \
    } while (0)

    live_engine(&uas);
    assert_int_equal(prack_config_init(&cfg), PRACK_OK);
    cfg.queue_max = 9;
    TRY("init: queue_max 9", prack_uas_init(&uas, &cfg, &inv, RND, 0, &out));
    cfg.queue_max = 2;
    cfg.reserved_[3] = 1;
    TRY("init: reserved byte", prack_uas_init(&uas, &cfg, &inv, RND, 0, &out));
    TRY("init: now NONE", prack_uas_init(&uas, NULL, &inv, RND, PRACK_TIME_NONE, &out));
    TRY("send_1xx: status 99", prack_uas_send_1xx(&uas, 2000, 99, 0, 0, &out));
    TRY("send_1xx: flag 0x04", prack_uas_send_1xx(&uas, 2000, 180, 4u, 0, &out));
    TRY("send_1xx: now NONE", prack_uas_send_1xx(&uas, PRACK_TIME_NONE, 180, 0, 0, &out));
    TRY("send_1xx: time 999", prack_uas_send_1xx(&uas, 999, 180, 0, 0, &out));
    TRY("send_final: status 700", prack_uas_send_final(&uas, 2000, 700, &out));
    TRY("send_final: time 999", prack_uas_send_final(&uas, 999, 200, &out));
    TRY("cancel: time 999", prack_uas_cancel(&uas, 999, &out));
    TRY("cancel: now NONE", prack_uas_cancel(&uas, PRACK_TIME_NONE, &out));
    TRY("on_prack: NULL pr", prack_uas_on_prack(&uas, 2000, NULL, &out));
    TRY("on_prack: NULL method", prack_uas_on_prack(&uas, 2000, &pr, &out));
    TRY("on_prack: time 999", prack_uas_on_prack(&uas, 999, &pr_ok, &out));
    pr_ok.flags = 0x80u;
    TRY("on_prack: unknown flag", prack_uas_on_prack(&uas, 2000, &pr_ok, &out));
    TRY("on_timer: now NONE", prack_on_timer(&uas, PRACK_TIME_NONE, &out));
    TRY("on_timer: time 999", prack_on_timer(&uas, 999, &out));
#undef TRY

    for (size_t i = 0; i < k; i++) {
        if (res[i].rc >= 0 || res[i].n != 0) {
            print_message("%s: rc %d, %" PRIu32 " action(s) left in the batch\n", res[i].what,
                          res[i].rc, res[i].n);
            ok = false;
        }
    }
    assert_true(ok);
}

/* Getters on NULL, and state names. */
static void test_api_getters(void **state)
{
    (void)state;
    prack_uas_t uas;
    assert_int_equal(prack_next_deadline(NULL), PRACK_TIME_NONE);
    assert_int_equal(prack_uas_state(NULL), 0);
    assert_false(prack_uas_reliable(NULL));
    assert_int_equal(prack_uas_unacked(NULL), 0);
    assert_int_equal(prack_uas_queued(NULL), 0);
    assert_string_equal(prack_uas_state_name(PRACK_UAS_PROCEEDING), "PROCEEDING");
    assert_string_equal(prack_uas_state_name(PRACK_UAS_HELD), "HELD");
    assert_string_equal(prack_uas_state_name(PRACK_UAS_COMPLETED), "COMPLETED");
    assert_string_equal(prack_uas_state_name(PRACK_UAS_REJECTED), "REJECTED");
    assert_string_equal(prack_uas_state_name(0), "?");
    assert_string_equal(prack_uas_state_name(99), "?");
    live_engine(&uas);
    assert_int_equal(prack_uas_state(&uas), PRACK_UAS_PROCEEDING);
    assert_true(prack_uas_reliable(&uas));
    assert_int_equal(prack_uas_unacked(&uas), 42);
    assert_int_equal(prack_uas_queued(&uas), 1);
    assert_int_equal(prack_next_deadline(&uas), 1500);
}

/* Counters over a busy transaction, including saturation of the 16-bit ones. */
static void test_counters_saturate(void **state)
{
    (void)state;
    prack_uas_t uas;
    prack_actions_t out;
    prack_invite_t inv = {CSEQ, I_S | I_SDP};
    prack_prack_t bad = {.flags = PRACK_PR_RACK, .cseq = 102, .rack_rseq = 7,
                         .rack_cseq = CSEQ, .method = "INVITE", .method_len = 6};
    prack_uas_stats_t st;
    assert_int_equal(prack_uas_init(&uas, NULL, &inv, RND, 0, &out), PRACK_OK);
    assert_int_equal(prack_uas_send_1xx(&uas, 0, 180, 0, 0, &out), PRACK_OK);
    for (uint32_t i = 0; i < 70000u; i++) {
        bad.cseq++;
        assert_int_equal(prack_uas_on_prack(&uas, 1, &bad, &out), PRACK_OK);
        assert_int_equal(out.v[0].status, 481);
    }
    assert_int_equal(prack_uas_counters(&uas, &st), PRACK_OK);
    assert_int_equal(st.rejected_pracks, 65535);
    assert_int_equal(st.reliable_sent, 1);
    assert_int_equal(st.acknowledged, 0);
    assert_int_equal(st.retransmissions, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_R1_R2_R3_R5_R56_negotiation_matrix, free_worlds),
        cmocka_unit_test_teardown(test_R3_R16_reject_420_then_prack_481, free_worlds),
        cmocka_unit_test_teardown(test_R4_R2_R56_100_never_reliable, free_worlds),
        cmocka_unit_test_teardown(test_R5_no_100rel_never_reliable, free_worlds),
        cmocka_unit_test_teardown(test_R1_R5_policy_off_unreliable, free_worlds),
        cmocka_unit_test_teardown(test_N4_R10_R11_R15_any_101_199_reliable, free_worlds),
        cmocka_unit_test_teardown(test_R12_R13_R24_first_rseq_range, free_worlds),
        cmocka_unit_test_teardown(test_R24_R25_R22_rseq_plus_one_1000_times, free_worlds),
        cmocka_unit_test_teardown(test_R14_N5_R16_reinvite_own_rseq_space, free_worlds),
        cmocka_unit_test_teardown(test_N1_R20_timeout_5xx_after_64T1, free_worlds),
        cmocka_unit_test_teardown(test_N1_R20_timeout_t1_50_status_503, free_worlds),
        cmocka_unit_test_teardown(test_N1_timer_every_ms_same_timeline, free_worlds),
        cmocka_unit_test_teardown(test_N1_long_pause_one_retransmission, free_worlds),
        cmocka_unit_test_teardown(test_N1_time_before_last_send_is_error, free_worlds),
        cmocka_unit_test_teardown(test_N1_time_before_last_call_is_error, free_worlds),
        cmocka_unit_test_teardown(test_R18_R19_no_retransmission_after_prack, free_worlds),
        cmocka_unit_test_teardown(test_R16_N2_N9_unmatched_prack_481, free_worlds),
        cmocka_unit_test_teardown(test_R16_prack_before_1xx_or_for_queued_481, free_worlds),
        cmocka_unit_test_teardown(test_R16_R17_R19_N2_duplicate_only_for_retransmission,
                                  free_worlds),
        cmocka_unit_test_teardown(test_R21_R22_R23_R24_queue_in_order, free_worlds),
        cmocka_unit_test_teardown(test_R22_queue_full_and_no_queue, free_worlds),
        cmocka_unit_test_teardown(test_R26_R27_R54_2xx_held_until_prack, free_worlds),
        cmocka_unit_test_teardown(test_R26_R28_R54_2xx_not_held_without_sdp, free_worlds),
        cmocka_unit_test_teardown(test_R26_R28_R29_non2xx_never_held, free_worlds),
        cmocka_unit_test_teardown(test_R20_R27_held_2xx_replaced_at_timeout, free_worlds),
        cmocka_unit_test_teardown(test_R27_R30_cancel_while_held_487, free_worlds),
        cmocka_unit_test_teardown(test_R16_R28_R29_R30_after_final, free_worlds),
        cmocka_unit_test_teardown(test_R30_R54_drop_full_queue_then_hold, free_worlds),
        cmocka_unit_test_teardown(test_R28_R29_R30_cancel_waiting_for_prack, free_worlds),
        cmocka_unit_test_teardown(test_R29_R53_no_session_event_after_non2xx_final, free_worlds),
        cmocka_unit_test_teardown(test_R49_R50_R53_offer_in_first_reliable_1xx, free_worlds),
        cmocka_unit_test_teardown(test_R49_R54_answer_in_prack, free_worlds),
        cmocka_unit_test_teardown(test_R48_R52_R53_offer_in_prack_answered_in_200, free_worlds),
        cmocka_unit_test_teardown(test_R55_sdp_in_prack_while_invite_offer_open, free_worlds),
        cmocka_unit_test_teardown(test_R55_R53_R15_final_sdp_roles, free_worlds),
        cmocka_unit_test_teardown(test_R8_refresh_every_150s, free_worlds),
        cmocka_unit_test_teardown(test_R8_R28_no_refresh_after_final_or_disabled, free_worlds),
        cmocka_unit_test_teardown(test_N1_R20_deadlines_saturate_near_uint64_max, free_worlds),
        cmocka_unit_test_teardown(test_R16_R17_R29_new_prack_for_acknowledged_rseq_481,
                                  free_worlds),
        cmocka_unit_test_teardown(test_N2_R16_R17_cseq_up_to_2_32_minus_1, free_worlds),
        cmocka_unit_test_teardown(test_cookie_released_exactly_once, free_worlds),
        cmocka_unit_test_teardown(test_R21_R22_R24_R26_R27_N1_engine_moved_between_calls,
                                  free_worlds),
        cmocka_unit_test_teardown(test_R20_R29_timeout_applied_without_timer_call, free_worlds),
        cmocka_unit_test_teardown(test_R3_R29_cancel_after_any_final_changes_nothing,
                                  free_worlds),
        cmocka_unit_test_teardown(test_R50_R51_R52_offer_in_prack_answered_in_its_200,
                                  free_worlds),
        cmocka_unit_test_teardown(test_api_invalid_arguments, free_worlds),
        cmocka_unit_test_teardown(test_api_error_empties_batch, free_worlds),
        cmocka_unit_test_teardown(test_api_getters, free_worlds),
        cmocka_unit_test_teardown(test_counters_saturate, free_worlds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
