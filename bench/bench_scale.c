/*
 * Scale: N UAS engines at once, each with a reliable 1xx that is never
 * acknowledged, swept through 64*T1 by the timer heap of the example programs
 * (examples/host.h: ex_heap_t, ex_timer_t, ex_heap_run). Reports the resident
 * memory of the N calls and the nanoseconds per timer expiry.
 *
 *   bench_scale [--engines N] [--t1 MS] [--window MS] [--shuffle] [--repeat K]
 *
 * --engines  engines (default 1000000)
 * --t1       T1 of every engine in ms (default 500)
 * --window   the engines' first sends are spread evenly over this many ms of
 *            virtual time (default 64*T1, so that when the last one is sent
 *            the first has not given up yet: all N are outstanding at once)
 * --shuffle  give the start times to the calls in a scattered order, so that
 *            calls whose timers expire one after the other lie far apart in
 *            memory (by default the calls are in memory in the order of their
 *            first sends, as they are when a host allocates them as INVITEs
 *            arrive)
 * --repeat   sweeps of each kind (below), the least time kept (default 2)
 *
 * Each call is what prack-uas keeps for the engine's timers: the engine
 * (prack_uas_t) and one ex_timer_t on the heap, armed at
 * prack_next_deadline(). The clock is virtual: the loop jumps to the heap's
 * earliest deadline and runs every timer due then, as ex_host_timers() does
 * with the real clock, and nothing sleeps. On each expiry the call runs
 * prack_on_timer() and carries out its actions: a retransmission re-arms
 * the timer, the 64*T1 give-up (the 5xx) ends the call.
 *
 * Two kinds of timed sweep over the same calls, taken in turn: the full one,
 * and the same sequence of heap operations with the engine left out (the
 * next deadline from the RFC 3262 schedule instead of the engine), so that
 * the heap's share and the engine's (the difference) can be told apart.
 * Only the sweeps are timed, with the wall clock and with this thread's CPU
 * time, which a machine shared with other work disturbs less.
 *
 * The run checks itself: every engine retransmits at T1, 3*T1, 7*T1, ... (the
 * interval doubling, RFC 3262 section 3 and RFC 3261 17.1.2.2 without the T2
 * cap) while that stays below 64*T1, with the same RSeq each time, and gives
 * up exactly once, at exactly 64*T1 after its first send, with the configured
 * 5xx. Any difference exits 1. No time is asserted.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <prack/prack.h>

#include "host.h"

/* What prack-uas keeps per call for the engine's timers. */
struct call {
    prack_uas_t eng;
    ex_timer_t timer;
    uint32_t start; /* the first send, virtual ms (fits the struct's padding) */
    uint8_t retx; /* retransmissions seen */
    uint8_t done; /* give-ups seen */
};

/* Retransmissions before 64*T1 can be at most log2(64) = 6; room to spare. */
#define RETX_MAX 16u

static struct call *calls;
static size_t n_calls;
static ex_heap_t heap;
static prack_actions_t acts;
static prack_time_t t1 = PRACK_DEFAULT_T1_MS;
static prack_time_t window;
static uint64_t stride = 1;     /* call i gets the start time of slot stride*i mod N */
static prack_time_t give_up;    /* 64*T1 */
static prack_time_t retx_off[RETX_MAX];
static unsigned n_retx;         /* retransmissions each engine must send */
static unsigned long expiries;
static unsigned long failures;

/* Engine i's first send, spread evenly over the window (all distinct when
 * the window has at least one ms per engine). */
static prack_time_t start_of(size_t i)
{
    return (prack_time_t)i * window / (prack_time_t)n_calls;
}

/* A stride about 0.618*N prime to N: consecutive slots land far apart. */
static uint64_t scatter_stride(uint64_t n)
{
    uint64_t a = n * 618034u / 1000000u;
    if (a == 0)
        return 1;
    for (;;) {
        uint64_t x = a, y = n;
        while (y) {
            uint64_t r = x % y;
            x = y;
            y = r;
        }
        if (x == 1)
            return a;
        a++;
    }
}

static uint64_t cookie_of(size_t i)
{
    return (uint64_t)i + 1u;
}

static uint32_t random_of(size_t i)
{
    return (uint32_t)((uint64_t)i * 2654435761u);
}

/* The first RSeq prack_uas_init() documents for a given random value. */
static uint32_t rseq_of(size_t i)
{
    return 1u + random_of(i) % 0x7FFFFFFFu;
}

static size_t index_of(ex_timer_t *t)
{
    return (size_t)(EX_OWNER(t, struct call, timer) - calls);
}

static void fail(size_t i, const char *what, prack_time_t now)
{
    if (failures++ >= 10)
        return;
    if (now == PRACK_TIME_NONE)
        fprintf(stderr, "bench_scale: engine %zu after the sweep: %s\n", i, what);
    else
        fprintf(stderr, "bench_scale: engine %zu at %llu ms: %s\n", i, (unsigned long long)now,
                what);
}

/* The retransmission times RFC 3262 section 3 gives: from T1, the interval
 * doubling each time, while below 64*T1. Worked out here apart from the
 * engine, which is then held to it. */
static void schedule(void)
{
    prack_time_t at = t1, ivl = t1;
    n_retx = 0;
    while (at < give_up && n_retx < RETX_MAX) {
        retx_off[n_retx++] = at;
        ivl *= 2u;
        at += ivl;
    }
}

/* The call's next expected expiry, as an offset from its first send. */
static prack_time_t next_offset(unsigned retx)
{
    return retx < n_retx ? retx_off[retx] : give_up;
}

static bool is_retransmission(const prack_actions_t *a, size_t i)
{
    const prack_action_t *v = &a->v[0];
    return a->n == 1 && v->type == PRACK_ACT_SEND_1XX && v->status == 183 &&
           v->flags == (PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT) && v->rseq == rseq_of(i) &&
           v->user == cookie_of(i);
}

/* The timeout: the unacknowledged 1xx let go (its cookie released), the
 * 5xx, the event; nothing else. */
static bool is_give_up(const prack_actions_t *a, size_t i, uint16_t status)
{
    const prack_action_t *v = a->v;
    return a->n == 3 && v[0].type == PRACK_ACT_DROP_1XX && v[0].flags == PRACK_AF_RELEASE &&
           v[0].user == cookie_of(i) && v[0].rseq == rseq_of(i) &&
           v[1].type == PRACK_ACT_SEND_FINAL && v[1].status == status &&
           v[1].flags == PRACK_AF_TIMEOUT && v[2].type == PRACK_ACT_EVENT &&
           v[2].reason == PRACK_R_TIMEOUT;
}

/* Engine i's timer expired at `now`: the engine decides, the actions are
 * checked and carried out. Returns its next deadline, PRACK_TIME_NONE once
 * it gave up (the call is done). */
static inline prack_time_t engine_expiry(struct call *c, size_t i, prack_time_t now)
{
    expiries++;
    if (prack_on_timer(&c->eng, now, &acts) != PRACK_OK) {
        fail(i, "prack_on_timer failed", now);
        return PRACK_TIME_NONE;
    }
    if (now != c->start + next_offset(c->retx)) {
        fail(i, "expired at the wrong time", now);
    } else if (c->retx < n_retx) {
        if (!is_retransmission(&acts, i))
            fail(i, "no retransmission (or not only one) of the reliable 183", now);
        c->retx++;
    } else {
        if (!is_give_up(&acts, i, PRACK_DEFAULT_TIMEOUT_STATUS))
            fail(i, "no give-up (504, release, event) at 64*T1", now);
        c->done++;
    }
    return prack_next_deadline(&c->eng);
}

/* A call's timer in the full sweep. */
static void on_expiry(ex_timer_t *t, prack_time_t now)
{
    struct call *c = EX_OWNER(t, struct call, timer);
    ex_timer_set(&heap, t, engine_expiry(c, index_of(t), now));
}

/* The order of the expiries, kept by the heap-only sweep for the engine-only
 * one (NULL when there was no memory for it). */
static uint32_t *order;
static size_t n_order;

/* The same heap operations without the engine. */
static void on_expiry_heap_only(ex_timer_t *t, prack_time_t now)
{
    struct call *c = EX_OWNER(t, struct call, timer);
    prack_time_t s = c->start;
    expiries++;
    if (order)
        order[n_order++] = (uint32_t)index_of(t);
    if (now != s + next_offset(c->retx))
        fail(index_of(t), "heap only: expired at the wrong time", now);
    if (c->retx < n_retx) {
        c->retx++;
        ex_timer_set(&heap, t, s + next_offset(c->retx));
    } else {
        c->done++;
        ex_timer_set(&heap, t, PRACK_TIME_NONE);
    }
}

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall-clock and CPU time of this thread, in ns, of one sweep. */
struct span {
    double wall, cpu;
};

/* Pop the heap until it is empty, the clock jumping from deadline to
 * deadline; *instants is how many distinct deadlines there were. */
static struct span sweep(unsigned long *instants)
{
    unsigned long n = 0;
    double w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (prack_time_t now; (now = ex_heap_next(&heap)) != PRACK_TIME_NONE; n++)
        ex_heap_run(&heap, now);
    struct span d = {clock_ns(CLOCK_MONOTONIC) - w0, clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0};
    *instants = n;
    return d;
}

static void keep_least(struct span *best, struct span d)
{
    if (best->wall == 0 || d.wall < best->wall)
        best->wall = d.wall;
    if (best->cpu == 0 || d.cpu < best->cpu)
        best->cpu = d.cpu;
}

/* The engine's part alone: the expiries in the order the heap gave them,
 * each engine's prack_on_timer() and actions, without the heap. */
static struct span replay(void)
{
    volatile prack_time_t last = 0; /* what would go to the heap */
    double w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (size_t k = 0; k < n_order; k++) {
        struct call *c = &calls[order[k]];
        last = engine_expiry(c, order[k], c->start + next_offset(c->retx));
    }
    (void)last;
    return (struct span){clock_ns(CLOCK_MONOTONIC) - w0, clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0};
}

/* VmRSS or VmHWM of this process in KiB from /proc/self/status; 0 when unknown. */
static unsigned long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long v = 0;
    size_t n = strlen(field);
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtoul(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* Every call retransmitted n_retx times and gave up once, per the counts the
 * sweep kept and, for the full sweep, the engine's own counters. */
static void check_calls(bool engine)
{
    for (size_t i = 0; i < n_calls; i++) {
        const struct call *c = &calls[i];
        if (c->retx != n_retx || c->done != 1 || c->timer.slot != 0)
            fail(i, "did not end with every retransmission and one give-up", PRACK_TIME_NONE);
        if (!engine)
            continue;
        prack_uas_stats_t st;
        if (prack_uas_counters(&c->eng, &st) != PRACK_OK || st.retransmissions != n_retx ||
            st.reliable_sent != 1 || st.acknowledged != 0 ||
            prack_uas_state(&c->eng) != PRACK_UAS_COMPLETED ||
            prack_next_deadline(&c->eng) != PRACK_TIME_NONE)
            fail(i, "engine counters or state wrong after the sweep", PRACK_TIME_NONE);
    }
}

static unsigned long long number(const char *opt, const char *v, unsigned long long lo,
                                 unsigned long long hi)
{
    char *end;
    errno = 0;
    unsigned long long n = v ? strtoull(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || v[0] == '-' || n < lo || n > hi) {
        fprintf(stderr, "bench_scale: %s: a number %llu..%llu\n", opt, lo, hi);
        exit(2);
    }
    return n;
}

/* Every engine in the state "reliable 183 sent, unacknowledged" at its start
 * time, and with `on_heap` its call's timer armed at prack_next_deadline():
 * the setup of a full sweep (of the engine-only one without the heap). */
static void arm_engines(const prack_config_t *cfg, bool on_heap)
{
    const prack_invite_t inv = {.cseq = 1, .flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};
    for (size_t i = 0; i < n_calls; i++) {
        struct call *c = &calls[i];
        prack_time_t s = start_of((size_t)(stride * i % n_calls));
        c->retx = c->done = 0;
        if (prack_uas_init(&c->eng, cfg, &inv, random_of(i), s, &acts) != PRACK_OK ||
            acts.n != 0 ||
            prack_uas_send_1xx(&c->eng, s, 183, PRACK_1XX_SDP, cookie_of(i), &acts) != PRACK_OK ||
            acts.n < 1 || acts.v[0].type != PRACK_ACT_SEND_1XX ||
            acts.v[0].flags != PRACK_AF_RELIABLE || acts.v[0].rseq != rseq_of(i) ||
            prack_uas_unacked(&c->eng) != rseq_of(i)) {
            fail(i, "could not send the reliable 183", s);
            continue;
        }
        c->start = (uint32_t)s;
        c->timer.fn = on_expiry;
        if (on_heap)
            ex_timer_set(&heap, &c->timer, prack_next_deadline(&c->eng));
    }
}

/* The same first deadlines for the sweep without the engine. */
static void arm_heap_only(void)
{
    for (size_t i = 0; i < n_calls; i++) {
        struct call *c = &calls[i];
        c->retx = c->done = 0;
        c->timer.fn = on_expiry_heap_only;
        ex_timer_set(&heap, &c->timer, c->start + next_offset(0));
    }
}

/* One sweep and its checks: every expiry there should be, every call done. */
static struct span run_sweep(bool engine, unsigned long *instants)
{
    expiries = 0;
    struct span d = sweep(instants);
    check_calls(engine);
    unsigned long want = (unsigned long)n_calls * (n_retx + 1u);
    if (expiries != want) {
        fprintf(stderr, "bench_scale: %lu expiries, %lu expected\n", expiries, want);
        failures++;
    }
    return d;
}

int main(int argc, char **argv)
{
    ex_prog = "bench_scale";
    n_calls = 1000000u;
    unsigned repeat = 2;
    bool window_set = false;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--engines") == 0)
            n_calls = (size_t)number("--engines", v, 1, 100000000ull);
        else if (strcmp(argv[i], "--t1") == 0)
            t1 = number("--t1", v, 1, 3600000ull);
        else if (strcmp(argv[i], "--window") == 0) {
            window = number("--window", v, 0, UINT32_MAX);
            window_set = true;
        } else if (strcmp(argv[i], "--repeat") == 0)
            repeat = (unsigned)number("--repeat", v, 1, 100);
        else if (strcmp(argv[i], "--shuffle") == 0) {
            stride = 0; /* worked out once N is known */
            continue;
        } else {
            fprintf(stderr, "usage: bench_scale [--engines N] [--t1 MS] [--window MS] "
                            "[--shuffle] [--repeat K]\n");
            return 2;
        }
        i++;
    }
    if (stride == 0)
        stride = scatter_stride(n_calls);
    give_up = 64u * t1;
    if (!window_set)
        window = give_up;
    schedule();

    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = (uint32_t)t1;

    unsigned long rss0 = status_kib("VmRSS");
    double s0 = clock_ns(CLOCK_MONOTONIC);
    calls = calloc(n_calls, sizeof(*calls));
    if (!calls) {
        fprintf(stderr, "bench_scale: out of memory for %zu calls\n", n_calls);
        return 1;
    }
    ex_heap_init(&heap, 1024); /* as ex_host_init(): grows by doubling */
    arm_engines(&cfg, true);
    double setup_ns = clock_ns(CLOCK_MONOTONIC) - s0;
    unsigned long rss1 = status_kib("VmRSS"), hwm1 = status_kib("VmHWM");
    size_t per_call = sizeof(struct call) + sizeof(ex_heap_entry_t);

    printf("engines   %zu, T1 %llu ms, first sends spread over %llu ms of virtual time%s\n",
           n_calls, (unsigned long long)t1, (unsigned long long)window,
           stride == 1 ? "" : ", in scattered order");
    printf("sizes     prack_uas_t %zu B + ex_timer_t %zu B + counters = %zu B per call, "
           "+ %zu B heap slot = %zu B; heap capacity %zu slots\n",
           sizeof(prack_uas_t), sizeof(ex_timer_t), sizeof(struct call), sizeof(ex_heap_entry_t),
           per_call, heap.cap);
    if (rss1)
        printf("rss       %lu KiB before, %lu KiB after setup (VmHWM %lu KiB): %.1f B per "
               "engine\n",
               rss0, rss1, hwm1, (double)(rss1 - rss0) * 1024.0 / (double)n_calls);
    else
        printf("rss       unknown (no /proc/self/status)\n");
    printf("setup     %.1f ns per engine (init, reliable 183, heap insert)\n",
           setup_ns / (double)n_calls);

    /* Room for the order of one sweep's expiries, once the RSS was read. */
    double per = (double)n_calls * (n_retx + 1u);
    order = malloc((size_t)per * sizeof(*order));

    /* The three kinds of sweep taken in turn, the least time of each kept:
     * on a shared machine other work only ever adds time. */
    struct span full = {0, 0}, heap_only = {0, 0}, engine = {0, 0};
    unsigned long instants = 0, inst_heap = 0;
    for (unsigned r = 0; r < repeat; r++) {
        if (r > 0)
            arm_engines(&cfg, true);
        keep_least(&full, run_sweep(true, &instants));
        arm_heap_only();
        n_order = 0;
        keep_least(&heap_only, run_sweep(false, &inst_heap));
        if (order) {
            arm_engines(&cfg, false);
            expiries = 0;
            keep_least(&engine, replay());
            check_calls(true);
            if (expiries != (unsigned long)per)
                failures++;
        }
    }
    if (inst_heap != instants) {
        fprintf(stderr, "bench_scale: %lu and %lu distinct deadlines\n", instants, inst_heap);
        failures++;
    }
    unsigned long hwm2 = status_kib("VmHWM");

    double ns_full = full.wall / per, ns_heap = heap_only.wall / per, ns_eng = engine.wall / per;
    double cpu_full = full.cpu / per, cpu_heap = heap_only.cpu / per, cpu_eng = engine.cpu / per;
    printf("expiries  %.0f per sweep (%u retransmissions and 1 give-up per engine) at %lu "
           "distinct deadlines, %.1f s of virtual time\n",
           per, n_retx, instants,
           (double)(start_of(n_calls - 1u) + give_up - start_of(0) - retx_off[0]) / 1000.0);
    printf("          least of %u sweeps of each kind; ns of wall clock, and of this thread's "
           "CPU time\n",
           repeat);
    printf("sweep     %.3f s: %.1f ns per expiry, CPU %.1f (heap pop, prack_on_timer, "
           "actions, re-arm)\n",
           full.wall / 1e9, ns_full, cpu_full);
    printf("heap      %.3f s: %.1f ns per expiry, CPU %.1f (the same pops and re-arms, no "
           "engine)\n",
           heap_only.wall / 1e9, ns_heap, cpu_heap);
    if (order)
        printf("engine    %.3f s: %.1f ns per expiry, CPU %.1f (prack_on_timer and its actions "
               "in the heap's order, no heap)\n",
               engine.wall / 1e9, ns_eng, cpu_eng);
    printf("rest      %.1f ns per expiry, CPU %.1f (the sweep less the heap alone)\n",
           ns_full - ns_heap, cpu_full - cpu_heap);
    if (failures)
        printf("check     FAILED (%lu problems): every engine must retransmit %u times, at "
               "T1*(2^k-1), and give up once, at 64*T1, with %u\n",
               failures, n_retx, PRACK_DEFAULT_TIMEOUT_STATUS);
    else
        printf("check     ok: every engine retransmitted %u times, at T1*(2^k-1), and gave up "
               "once, at 64*T1, with %u\n",
               n_retx, PRACK_DEFAULT_TIMEOUT_STATUS);
    printf("RESULT engines=%zu t1=%llu window=%llu shuffle=%d repeat=%u expiries=%.0f "
           "instants=%lu retx=%u rss_before_kib=%lu rss_kib=%lu hwm_kib=%lu sizeof_call=%zu "
           "bytes_per_call=%zu setup_ns=%.1f ns_per_expiry=%.1f heap_ns=%.1f engine_ns=%.1f "
           "rest_ns=%.1f cpu_ns_per_expiry=%.1f cpu_heap_ns=%.1f cpu_engine_ns=%.1f "
           "cpu_rest_ns=%.1f ok=%d\n",
           n_calls, (unsigned long long)t1, (unsigned long long)window, stride != 1, repeat, per,
           instants, n_retx, rss0, rss1, hwm2, sizeof(struct call), per_call,
           setup_ns / (double)n_calls, ns_full, ns_heap, order ? ns_eng : -1.0, ns_full - ns_heap,
           cpu_full, cpu_heap, order ? cpu_eng : -1.0, cpu_full - cpu_heap, failures == 0);
    free(order);
    ex_heap_free(&heap);
    free(calls);
    return failures ? 1 : 0;
}
