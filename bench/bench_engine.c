/*
 * Cost of the engines on whole calls, for `meson test --benchmark`, for
 * bench/run.sh, or by hand:
 *
 *   bench_engine [CALLS]           every measurement below, CALLS of each
 *   bench_engine --exchange CALLS  only the full reliable exchange, for
 *                                  valgrind --tool=callgrind --toggle-collect=exchange
 *
 * "exchange" is one call's UAS and UAC engine calls driven by each other's
 * actions: INVITE, reliable 183 with SDP, its PRACK, the 200 to the PRACK and
 * the 200 to the INVITE. "udp" is one loopback UDP datagram of a 183's size
 * sent and received, the cheapest thing a host does for each message, measured
 * in the same run so that the ratio holds across machines. Nothing here
 * asserts a time, so a slow machine never fails a test; the exit status only
 * says whether every exchange ended as it should.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <prack/prack.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A sink the optimiser cannot see through, so no engine call is elided. */
static volatile size_t sink;

/* Exchanges that did not end with both engines done; must stay 0. */
static unsigned long broken;

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

/* First action of TYPE in OUT, or NULL. */
static const prack_action_t *find(const prack_actions_t *out, unsigned type)
{
    for (uint32_t k = 0; k < out->n; k++)
        if (out->v[k].type == type)
            return &out->v[k];
    return NULL;
}

/*
 * One full reliable exchange, both sides, each fed what the other's actions
 * say: 10 engine calls. The RSeq and RAck travel through the actions as they
 * would through the messages, so neither engine sees made-up values. Not
 * inlined, so that callgrind can count it alone (--toggle-collect=exchange).
 */
__attribute__((noinline)) void exchange(uint32_t i);
__attribute__((noinline)) void exchange(uint32_t i)
{
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_uas_t uas;
    prack_actions_t out;
    const prack_action_t *a;
    uint32_t cseq = 1u + (i & 0xFFFFu);
    prack_time_t t = 1;

    /* INVITE with an offer and Supported: 100rel */
    prack_uac_init(&uac, NULL, cseq, PRACK_UAC_INVITE_SDP, t);
    prack_invite_t inv = {.cseq = cseq, .flags = PRACK_INV_SDP};
    if (prack_uac_option(&uac) == PRACK_OPTION_SUPPORTED)
        inv.flags |= PRACK_INV_SUPPORTED_100REL;
    prack_uas_init(&uas, NULL, &inv, i * 2654435761u, t, &out);

    /* reliable 183 with the answer */
    prack_uas_send_1xx(&uas, t, 183, PRACK_1XX_SDP, 1, &out);
    a = find(&out, PRACK_ACT_SEND_1XX);
    prack_uac_dialog_init(&dlg);
    prack_response_t r = {.status = 183, .method = PRACK_METHOD_INVITE, .cseq = cseq,
                          .flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP,
                          .rseq = a ? a->rseq : 0};
    prack_on_response(&uac, &dlg, ++t, &r, &out);

    /* its PRACK, answered 200 */
    a = find(&out, PRACK_ACT_SEND_PRACK);
    prack_prack_t pr = {.flags = PRACK_PR_RACK, .cseq = cseq + 1u,
                        .rack_rseq = a ? a->rseq : 0, .rack_cseq = a ? a->cseq : 0,
                        .method = "INVITE", .method_len = 6};
    prack_uas_on_prack(&uas, ++t, &pr, &out);
    a = find(&out, PRACK_ACT_ANSWER_PRACK);
    prack_response_t ok = {.status = a ? a->status : 500, .method = PRACK_METHOD_PRACK,
                           .cseq = pr.cseq, .rseq = pr.rack_rseq};
    prack_on_response(&uac, &dlg, ++t, &ok, &out);

    /* the 200 to the INVITE */
    prack_uas_send_final(&uas, ++t, 200, &out);
    a = find(&out, PRACK_ACT_SEND_FINAL);
    r.status = a ? a->status : 500;
    r.flags = 0;
    r.rseq = 0;
    prack_on_response(&uac, &dlg, ++t, &r, &out);

    if (prack_uas_state(&uas) != PRACK_UAS_COMPLETED || prack_uac_state(&uac) != PRACK_UAC_ACCEPTED)
        broken++;
    sink += out.n;
}

static double run(const char *name, void (*fn)(uint32_t), unsigned long calls, int per_call)
{
    double t0 = now_ns();
    for (unsigned long i = 0; i < calls; i++)
        fn((uint32_t)i);
    double dt = now_ns() - t0;
    printf("%-8s %10lu calls     %8.1f ns/call  %6.1f ns/engine call  %6.2f M calls/s\n", name,
           calls, dt / (double)calls, dt / (double)calls / per_call, (double)calls / dt * 1e3);
    return dt / (double)calls;
}

/* Bytes of the datagram: about a reliable 183 with a one-stream SDP answer. */
#define UDP_BYTES 800

/*
 * One loopback UDP datagram sent with sendto() and read with recvfrom(), one
 * at a time, so each receive finds its datagram waiting: the least a host
 * pays per message. Returns ns per pair, or a negative value when sockets
 * are unavailable.
 */
static double udp_pairs(unsigned long pairs)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (a < 0 || b < 0 || bind(b, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(b, (struct sockaddr *)&sa, &len) != 0) {
        perror("bench_engine: udp");
        if (a >= 0)
            close(a);
        if (b >= 0)
            close(b);
        return -1.0;
    }
    static char msg[UDP_BYTES], in[UDP_BYTES + 1];
    memset(msg, 'x', sizeof(msg));
    double t0 = now_ns();
    for (unsigned long i = 0; i < pairs; i++) {
        msg[0] = (char)i;
        if (sendto(a, msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)sizeof(msg) ||
            recvfrom(b, in, sizeof(in), 0, NULL, NULL) != (ssize_t)sizeof(msg)) {
            perror("bench_engine: udp");
            close(a);
            close(b);
            return -1.0;
        }
        sink += (size_t)(unsigned char)in[0];
    }
    double dt = now_ns() - t0;
    close(a);
    close(b);
    printf("udp      %10lu pairs     %8.1f ns/pair  (%d-byte datagram, loopback sendto + recvfrom)\n",
           pairs, dt / (double)pairs, UDP_BYTES);
    return dt / (double)pairs;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--exchange") == 0) {
        unsigned long n = strtoul(argv[2], NULL, 10);
        for (unsigned long i = 0; i < n; i++)
            exchange((uint32_t)i);
        printf("exchange %lu calls, %lu broken\n", n, broken);
        return broken != 0;
    }
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: bench_engine [CALLS] | --exchange CALLS\n");
        return 2;
    }
    unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000ul;
    if (calls == 0)
        calls = 1;
    printf("state: prack_uas_t %zu B, prack_uac_dialog_t %zu B, prack_uac_t %zu B\n",
           sizeof(prack_uas_t), sizeof(prack_uac_dialog_t), sizeof(prack_uac_t));
    run("uas", uas_call, calls, 7);
    run("uac", uac_call, calls, 6);
    /* warm the caches and the branch predictor once, then measure */
    for (unsigned long i = 0; i < calls / 10; i++)
        exchange((uint32_t)i);
    double ex = run("exchange", exchange, calls, 10);
    unsigned long pairs = calls / 10 ? calls / 10 : 1;
    double udp = udp_pairs(pairs);
    if (udp > 0)
        printf("ratio    exchange / udp pair = %.3f\n", ex / udp);
    if (broken)
        fprintf(stderr, "bench_engine: %lu exchanges did not complete\n", broken);
    return broken != 0 || udp <= 0;
}
