/*
 * Throughput of the engines on whole calls, for `meson test --benchmark` or by
 * hand: build/bench/bench_engine [calls]. It reports nanoseconds per call and
 * per engine call; nothing here asserts a time, so a slow machine never fails a
 * test. For repeatable figures run it under `valgrind --tool=callgrind`, which
 * counts instructions.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <prack/prack.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A sink the optimiser cannot see through, so no engine call is elided. */
static volatile size_t sink;

/* One UAS call: 183 with the answer, 180 queued, 200 held, two PRACKs. 7 engine calls. */
static void uas_call(uint32_t i)
{
    prack_uas_t uas;
    prack_actions_t out;
    prack_invite_t inv = {.cseq = i & 0xFFFFu, .flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP};
    prack_uas_init(&uas, NULL, &inv, i * 2654435761u, 0, &out);
    prack_uas_send_1xx(&uas, 1, 183, PRACK_1XX_SDP, 1, &out);
    prack_uas_send_1xx(&uas, 2, 180, 0, 2, &out);
    prack_uas_send_final(&uas, 3, 200, &out);
    prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = inv.cseq + 1u,
                        .rack_rseq = prack_uas_unacked(&uas), .rack_cseq = inv.cseq,
                        .method = "INVITE", .method_len = 6};
    prack_on_timer(&uas, 500, &out);
    prack_uas_on_prack(&uas, 600, &pr, &out);
    sink += out.n;
    pr.rack_rseq++;
    pr.cseq++;
    prack_uas_on_prack(&uas, 700, &pr, &out);
    sink += out.n;
}

/* One UAC call: 100, reliable 183 with the answer, reliable 180, their PRACK 200s, the 200. 6 engine calls. */
static void uac_call(uint32_t i)
{
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    prack_uac_init(&uac, NULL, 1, PRACK_UAC_INVITE_SDP, 0);
    prack_uac_dialog_init(&dlg);
    prack_response_t r = {.status = 100, .method = PRACK_METHOD_INVITE, .cseq = 1};
    prack_on_response(&uac, NULL, 1, &r, &out);
    r.status = 183;
    r.flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP;
    r.rseq = 1u + (i & 0xFFFFu);
    prack_on_response(&uac, &dlg, 2, &r, &out);
    r.status = 180;
    r.flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
    r.rseq++;
    prack_on_response(&uac, &dlg, 3, &r, &out);
    prack_response_t ok = {.status = 200, .method = PRACK_METHOD_PRACK, .cseq = 2, .rseq = r.rseq};
    prack_on_response(&uac, &dlg, 4, &ok, &out);
    r.status = 200;
    r.flags = 0;
    prack_on_response(&uac, &dlg, 5, &r, &out);
    sink += out.n;
}

static void run(const char *name, void (*fn)(uint32_t), unsigned long calls, int per_call)
{
    double t0 = now_ns();
    for (unsigned long i = 0; i < calls; i++)
        fn((uint32_t)i);
    double dt = now_ns() - t0;
    printf("%-4s %10lu calls  %8.1f ns/call  %6.1f ns/engine call  %6.2f M calls/s\n", name, calls,
           dt / (double)calls, dt / (double)calls / per_call, (double)calls / dt * 1e3);
}

int main(int argc, char **argv)
{
    unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000ul;
    if (calls == 0)
        calls = 1;
    printf("state: prack_uas_t %zu B, prack_uac_dialog_t %zu B, prack_uac_t %zu B\n",
           sizeof(prack_uas_t), sizeof(prack_uac_dialog_t), sizeof(prack_uac_t));
    run("uas", uas_call, calls, 7);
    run("uac", uac_call, calls, 6);
    return sink == (size_t)-1;
}
