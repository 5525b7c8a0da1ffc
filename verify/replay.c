/*
 * Replays a run of verify/prack.pml through the C engines.
 *
 * The model prints every engine call it makes and every action it expects,
 * as lines that start with "@@" (spin prints them during a random simulation
 * or while following a trail). This program makes the same calls on a real
 * prack_uas_t and prack_uac_t and compares, call by call, the return code and
 * each action's type, status, flags, RSeq, SDP role, reason and cookie. The
 * first difference is printed with both sides and the program exits 1, so
 * the model cannot drift from lib/ unnoticed.
 *
 *   @@ INIT <invite-has-sdp> <queue-max>
 *   @@ CALL S1XX <now> <status> <sdp> <cookie>      prack_uas_send_1xx()
 *   @@ CALL SFIN <now> <status>                     prack_uas_send_final()
 *   @@ CALL SCAN <now>                              prack_uas_cancel()
 *   @@ CALL SPRACK <now> <rseq> <cseq> <sdp>        prack_uas_on_prack()
 *   @@ CALL STIMER <now>                            prack_on_timer()
 *   @@ CALL CRSP <now> <method> <status> <flags> <rseq>   prack_on_response()
 *   @@ ACT <type> <status> <flags> <rseq> <sdp> <reason> <cookie>
 *   @@ RC <return code>
 *
 * Times are in T1 ticks; T1 is 500 ms here. The INVITE's CSeq is 1, the
 * first RSeq 1 (random 0), the PRACK's RAck CSeq 1 and method "INVITE".
 *
 * Usage: prack-replay [LOG]   (standard input without LOG)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prack/prack.h"

#define T1_MS 500u
#define INVITE_CSEQ 1u
#define MAX_ARGS 8

struct replay {
    prack_uas_t uas;
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    bool ready;      /* INIT seen */
    bool open;       /* a call's actions are being compared */
    int rc;          /* the C return code of that call */
    uint32_t next;   /* next action of out to compare */
    unsigned long line;
    char call[512];  /* the model's CALL line, for messages */
    unsigned long calls, actions;
};

static void print_batch(const prack_actions_t *out)
{
    char buf[256];
    for (uint32_t i = 0; i < out->n; i++) {
        prack_action_format(buf, sizeof(buf), &out->v[i]);
        fprintf(stderr, "    C action %u: %s\n", (unsigned)i, buf);
    }
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static _Noreturn void fail(const struct replay *r, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "replay: line %lu: ", r->line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  in call: %s\n", r->call);
    fprintf(stderr, "  C returned %d with %u action(s):\n", r->rc, (unsigned)r->out.n);
    print_batch(&r->out);
    exit(1);
}

/* Parse up to MAX_ARGS integers after the keyword; returns how many. */
static int parse_args(const char *s, long long *v)
{
    int n = 0;
    while (n < MAX_ARGS) {
        char *end;
        long long x = strtoll(s, &end, 10);
        if (end == s)
            break;
        v[n++] = x;
        s = end;
    }
    return n;
}

static prack_time_t at(long long ticks)
{
    return (prack_time_t)ticks * T1_MS;
}

static void need(struct replay *r, int got, int want)
{
    if (got != want)
        fail(r, "expected %d numbers, got %d", want, got);
    if (!r->ready)
        fail(r, "call before INIT");
    if (r->open)
        fail(r, "CALL before the RC of the previous call");
}

static void do_init(struct replay *r, const long long *v, int n)
{
    if (n != 2 || v[1] < 0 || v[1] > (long long)PRACK_UAS_QUEUE_MAX)
        fail(r, "bad INIT");
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = T1_MS;
    cfg.queue_max = (uint8_t)v[1];
    prack_invite_t inv = {INVITE_CSEQ, PRACK_INV_SUPPORTED_100REL | (v[0] ? PRACK_INV_SDP : 0u)};
    r->rc = prack_uas_init(&r->uas, &cfg, &inv, 0, 0, &r->out);
    int rc2 = prack_uac_init(&r->uac, &cfg, INVITE_CSEQ, v[0] ? PRACK_UAC_INVITE_SDP : 0u, 0);
    int rc3 = prack_uac_dialog_init(&r->dlg);
    if (rc2 != PRACK_OK || rc3 != PRACK_OK)
        fail(r, "UAC init failed: %d %d", rc2, rc3);
    r->ready = true;
    r->open = true;
    r->next = 0;
}

static void do_call(struct replay *r, const char *what, const long long *v, int n)
{
    if (strcmp(what, "S1XX") == 0) {
        need(r, n, 4);
        r->rc = prack_uas_send_1xx(&r->uas, at(v[0]), (uint16_t)v[1],
                                   v[2] ? PRACK_1XX_SDP : 0u, (uint64_t)v[3], &r->out);
    } else if (strcmp(what, "SFIN") == 0) {
        need(r, n, 2);
        r->rc = prack_uas_send_final(&r->uas, at(v[0]), (uint16_t)v[1], &r->out);
    } else if (strcmp(what, "SCAN") == 0) {
        need(r, n, 1);
        r->rc = prack_uas_cancel(&r->uas, at(v[0]), &r->out);
    } else if (strcmp(what, "SPRACK") == 0) {
        need(r, n, 4);
        prack_prack_t pr;
        memset(&pr, 0, sizeof(pr));
        pr.flags = PRACK_PR_RACK | (v[3] ? PRACK_PR_SDP : 0u);
        pr.cseq = (uint32_t)v[2];
        pr.rack_rseq = (uint64_t)v[1];
        pr.rack_cseq = INVITE_CSEQ;
        pr.method = "INVITE";
        pr.method_len = 6;
        r->rc = prack_uas_on_prack(&r->uas, at(v[0]), &pr, &r->out);
    } else if (strcmp(what, "STIMER") == 0) {
        need(r, n, 1);
        r->rc = prack_on_timer(&r->uas, at(v[0]), &r->out);
    } else if (strcmp(what, "CRSP") == 0) {
        need(r, n, 5);
        prack_response_t rsp;
        memset(&rsp, 0, sizeof(rsp));
        rsp.method = (uint8_t)v[1];
        rsp.status = (uint16_t)v[2];
        rsp.flags = (uint32_t)v[3];
        rsp.rseq = (uint64_t)v[4];
        rsp.cseq = rsp.method == PRACK_METHOD_INVITE ? INVITE_CSEQ : 0u;
        r->rc = prack_on_response(&r->uac, &r->dlg, at(v[0]), &rsp, &r->out);
    } else {
        fail(r, "unknown call %s", what);
    }
    r->open = true;
    r->next = 0;
    r->calls++;
}

static void do_act(struct replay *r, const long long *v, int n)
{
    if (n != 7)
        fail(r, "ACT needs 7 numbers, got %d", n);
    if (!r->open)
        fail(r, "ACT outside a call");
    if (r->next >= r->out.n)
        fail(r, "the model expects action %u (type %lld), C has only %u", (unsigned)r->next,
             v[0], (unsigned)r->out.n);
    const prack_action_t *a = &r->out.v[r->next];
    long long c[7] = {a->type, a->status, a->flags, a->rseq, a->sdp, a->reason, (long long)a->user};
    static const char *const field[7] = {"type", "status", "flags", "rseq", "sdp", "reason",
                                         "cookie"};
    for (int i = 0; i < 7; i++)
        if (c[i] != v[i])
            fail(r, "action %u: the model expects %s %lld, C has %lld", (unsigned)r->next,
                 field[i], v[i], c[i]);
    r->next++;
    r->actions++;
}

static void do_rc(struct replay *r, const long long *v, int n)
{
    if (n != 1 || !r->open)
        fail(r, "bad RC line");
    if (v[0] != r->rc)
        fail(r, "the model expects return code %lld, C returned %d", v[0], r->rc);
    if (r->next != r->out.n)
        fail(r, "the model expects %u action(s), C has %u", (unsigned)r->next, (unsigned)r->out.n);
    r->open = false;
}

int main(int argc, char **argv)
{
    FILE *in = stdin;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [LOG]\n", argv[0]);
        return 2;
    }
    if (argc == 2 && !(in = fopen(argv[1], "r"))) {
        perror(argv[1]);
        return 2;
    }
    static struct replay r;
    char buf[512];
    while (fgets(buf, sizeof(buf), in)) {
        r.line++;
        if (strncmp(buf, "@@ ", 3) != 0)
            continue; /* spin's own output */
        buf[strcspn(buf, "\n")] = '\0';
        char word[16], what[16];
        long long v[MAX_ARGS];
        int used = 0;
        if (sscanf(buf + 3, "%15s%n", word, &used) != 1)
            fail(&r, "empty line");
        const char *rest = buf + 3 + used;
        if (strcmp(word, "CALL") == 0) {
            int used2 = 0;
            if (sscanf(rest, "%15s%n", what, &used2) != 1)
                fail(&r, "CALL without a name");
            snprintf(r.call, sizeof(r.call), "%s", buf + 3);
            do_call(&r, what, v, parse_args(rest + used2, v));
        } else if (strcmp(word, "INIT") == 0) {
            snprintf(r.call, sizeof(r.call), "%s", buf + 3);
            do_init(&r, v, parse_args(rest, v));
        } else if (strcmp(word, "ACT") == 0) {
            do_act(&r, v, parse_args(rest, v));
        } else if (strcmp(word, "RC") == 0) {
            do_rc(&r, v, parse_args(rest, v));
        } else {
            fail(&r, "unknown line");
        }
    }
    if (in != stdin)
        fclose(in);
    if (!r.ready) {
        fprintf(stderr, "replay: no INIT line: not a log of verify/prack.pml\n");
        return 1;
    }
    if (r.open)
        fail(&r, "the log ends inside a call (the model stopped there)");
    printf("replay: %lu calls, %lu actions: the C engines agree with the model\n", r.calls,
           r.actions);
    return 0;
}
