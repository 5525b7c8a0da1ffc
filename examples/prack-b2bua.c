/*
 * prack-b2bua: a back-to-back user agent over UDP that joins a caller and a
 * callee whose use of 100rel differs (RFC 3262 interworking).
 *
 * Leg A faces the caller: one libprack UAS engine per call answers its INVITE.
 * Leg B faces the callee (--next): one libprack UAC engine per call places a
 * new INVITE there, with one engine dialog state per early dialog (fork). The
 * engines never talk to each other; this program turns what one engine asks
 * for on its leg into a call into the other engine:
 *
 *   1xx delivered or PRACKed on B   -> prack_uas_send_1xx() on A
 *   2xx or failure on B             -> prack_uas_send_final() on A
 *   CANCEL, BYE, timeout on one leg -> CANCEL or BYE on the other
 *
 * So the B2BUA PRACKs the callee's reliable 1xx whatever the caller supports,
 * and answers the caller's PRACKs whatever the callee supports. It relays SDP
 * without terminating media: the caller's offer goes to the callee unchanged
 * and the callee's answer comes back unchanged, which is why it needs the
 * offer in the caller's INVITE (see doc/interworking.md).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prack/header.h"
#include "prack/prack.h"

#include "common.h"
#include "sipmsg.h"

/* Calls at once; one more INVITE gets 503. */
#define B2B_MAX_CALLS 128u
/* Early dialogs (forks) per call on leg B. */
#define B2B_MAX_FORKS 4u
/* Non-INVITE client transactions in progress per call (PRACK, BYE, CANCEL). */
#define B2B_MAX_TXNS 6u
/* Largest SDP body relayed. */
#define B2B_BODY_MAX 3072u
/* Largest message built: copied headers plus a relayed body. */
#define B2B_MSG_MAX 8192u
/* Bodies of leg A's 1xx that its engine still holds a cookie for: the
 * unacknowledged one, the queued ones, and the one being handed over. */
#define B2B_SLOTS (PRACK_UAS_QUEUE_MAX + 2u)
/* Requests of the caller remembered with their answers (PRACK, BYE). */
#define B2B_NIST_A 4u
#define B2B_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"
#define B2B_USER "prack-b2bua"

static struct options {
    ex_addr_t bind;
    ex_addr_t next;
    prack_policy_t a_policy;
    prack_policy_t b_policy;
    uint32_t t1;
    unsigned long calls; /* 0: until interrupted */
} opt;

typedef struct body {
    size_t len;
    char p[B2B_BODY_MAX];
} body_t;

/*
 * The body of a 1xx handed to leg A's engine. Its cookie is its index + 1 (0
 * is "no cookie"); it is free again once the engine hands the cookie back with
 * PRACK_AF_RELEASE, and not before.
 */
struct slot {
    bool used;
    body_t body;
};

enum leg { LEG_A, LEG_B };

enum a_state {
    A_IDLE = 0,
    A_PROCEEDING, /* INVITE received, no final yet (a 2xx may be held by the engine) */
    A_COMPLETED,  /* final sent, retransmitted until the ACK */
    A_CONFIRMED,  /* 2xx acknowledged */
    A_BYE,        /* our BYE is out */
    A_DONE
};

enum b_state {
    B_IDLE = 0,
    B_CALLING,    /* INVITE sent, nothing back (Timer A) */
    B_PROCEEDING, /* a provisional arrived */
    B_CANCELLING, /* CANCEL sent, waiting for the final */
    B_CONFIRMED,  /* 2xx acknowledged */
    B_BYE,        /* our BYE is out */
    B_DONE
};

struct fork {
    unsigned no;            /* 1, 2, ... in order of appearance */
    char to_tag[128];
    char to_hdr[512];       /* the To value with its tag, for our requests */
    char target[256];       /* remote target: the Contact of its responses */
    char route[1024];       /* Route value: its Record-Route list reversed */
    char first_route[256];  /* where requests go when there is a route set */
    uint32_t local_cseq;    /* the last CSeq we used on it (starts at the INVITE's) */
    prack_uac_dialog_t eng; /* libprack's per-dialog state (its RSeq space) */
    body_t sdp;             /* the last SDP of its 1xx: the answer, if its 2xx has none */
    bool confirmed;         /* a 2xx arrived on it and was acknowledged */
};

enum txn_kind { T_PRACK, T_BYE, T_CANCEL };

struct txn {
    bool used;
    enum leg leg;
    enum txn_kind kind;
    unsigned fork;
    uint32_t cseq;
    uint32_t rseq; /* PRACK: the RAck response-num */
    char branch[32];
    char msg[B2B_MSG_MAX];
    size_t len;
    ex_addr_t dest;
    ex_nict_t t;
};

/* The last non-INVITE request received on a leg and our answer, for its retransmissions. */
struct nist {
    char branch[128];
    char method[16];
    uint32_t cseq;
    char rsp[B2B_MSG_MAX];
    size_t len;
    ex_addr_t to;
};

struct call {
    bool used;
    bool over; /* both legs ended; kept a while for retransmissions */
    unsigned no;

    /* leg A: we are the UAS */
    enum a_state a_st;
    char a_call_id[256];
    char a_from_tag[128];
    char a_to_tag[24];
    char a_branch[128];
    char a_user[64];       /* user part of the Request-URI, reused on leg B */
    uint32_t a_cseq;       /* the INVITE's */
    uint32_t a_remote_cseq;
    uint32_t a_local_cseq; /* for a BYE of ours */
    ex_addr_t a_peer;      /* where responses go (RFC 3261 18.2.2) */
    ex_addr_t a_local;     /* our address towards the caller */
    char a_hdrs[2048];     /* Via..CSeq of every response to the INVITE, our tag included */
    char a_rr[1024];       /* Record-Route lines, copied into 1xx and 2xx */
    char a_route[1024];    /* the caller's route set, for our BYE (RFC 3261 12.1.1) */
    char a_first_route[256];
    char a_target[256];    /* the caller's Contact */
    char a_remote[512];    /* the caller's From: To of our BYE */
    char a_local_party[512]; /* its To with our tag: From of our BYE */
    prack_uas_t uas;       /* its queue of reliable 1xx is inside */
    bool uas_on;
    struct slot slots[B2B_SLOTS];
    char a_last[B2B_MSG_MAX]; /* what an INVITE retransmission gets */
    size_t a_last_len;
    char a_rel[B2B_MSG_MAX];  /* the unacknowledged reliable 1xx, resent byte for byte */
    size_t a_rel_len;
    uint16_t a_final;
    body_t fin_body;       /* SDP of the 2xx to A, also while the engine holds it */
    char fin_extra[768];   /* extra header lines for the next final to A */
    prack_time_t fin_next, fin_interval, fin_deadline;
    bool bye_a_pending;    /* the callee hung up before the caller's ACK */
    body_t offer;          /* the caller's SDP offer */
    /* a PRACK may be retransmitted after the next PRACK or the BYE arrived; only
     * this store answers it again: leg A's engine answers a new PRACK for an
     * acknowledged 1xx with 481 (R16) */
    struct nist nist_a[B2B_NIST_A];
    unsigned nist_a_cur;   /* the one being answered now */

    /* leg B: we are the UAC */
    enum b_state b_st;
    char b_call_id[96];
    char b_from_tag[24];
    char b_from[256];
    char b_ruri[256];
    char b_to[300];
    char b_branch[32];
    unsigned b_max_forwards;
    uint32_t b_cseq;
    ex_addr_t b_local;
    prack_uac_t uac;
    prack_policy_t b_policy;
    char b_invite[B2B_MSG_MAX];
    size_t b_invite_len;
    prack_time_t b_a_next, b_a_interval, b_deadline;
    bool cancel_pending; /* CANCEL waits for a provisional (RFC 3261 9.1) */
    bool b_retry;        /* the UAC engine suggested a new INVITE (420/421) */
    prack_option_t b_retry_option;
    bool b_retried;
    struct fork forks[B2B_MAX_FORKS];
    unsigned nforks;
    int confirmed;       /* index of the fork the call went on with, or -1 */
    char b_ack[B2B_MSG_MAX]; /* the ACK of its 2xx, for 2xx retransmissions */
    size_t b_ack_len;
    ex_addr_t b_ack_dest;
    char b_nack[B2B_MSG_MAX]; /* the ACK of a non-2xx final */
    size_t b_nack_len;
    char b_nack_branch[32];
    uint16_t b_final;
    struct nist nist_b;
    struct txn txn[B2B_MAX_TXNS];

    /* outcome */
    bool failed;
    bool retryable;  /* rejected at negotiation: the caller may retry at once */
    bool superseded; /* ... and it did */
    bool counted;
    prack_time_t linger_until, count_at;
};

static struct call calls[B2B_MAX_CALLS];
static int sock = -1;
static unsigned next_call_no = 1;

static struct stats {
    unsigned done, ok, last_final, prack_sent, prack_rcvd, rel1xx;
} stats;

static void a_run(struct call *c, const prack_actions_t *acts, prack_time_t now,
                  const sip_msg_t *prack, const ex_addr_t *src);
static void a_final(struct call *c, uint16_t status, prack_time_t now);
static void stop_b(struct call *c, prack_time_t now);

/* ------------------------------------------------------------------------- */
/* Ladder: one line per message, marked with its leg and who sent it */

static struct timespec ladder_origin;

static void stamp(unsigned no)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long us = (long long)(ts.tv_sec - ladder_origin.tv_sec) * 1000000LL +
                   (long long)(ts.tv_nsec - ladder_origin.tv_nsec) / 1000LL;
    printf("%5lld.%03lld  ", us / 1000LL, us % 1000LL);
    if (ex_show_call_no)
        printf("#%-4u ", no);
}

static void note_add(char *notes, size_t cap, const char *text)
{
    size_t n = strlen(notes);
    if (!text || !text[0] || n + 3 >= cap)
        return;
    snprintf(notes + n, cap - n, "%s%s", n ? ", " : "", text);
}

/*
 * `out`: sent by the B2BUA. The arrow shows who sent it:
 *   A: caller -> B2BUA    A: caller <- B2BUA    B: B2BUA -> callee    B: B2BUA <- callee
 */
static void ladder(unsigned no, enum leg leg, bool out, const char *msg, size_t len,
                   const char *sdp_role, const char *extra)
{
    static char copy[SIP_MAX_DGRAM + 1];
    static sip_msg_t m;
    if (ex_quiet && !ex_trace)
        return;
    if (len > SIP_MAX_DGRAM)
        len = SIP_MAX_DGRAM;
    memcpy(copy, msg, len);
    char desc[512], notes[512];
    notes[0] = '\0';
    sip_err_t err = sip_parse(copy, len, &m);
    if (err != SIP_OK && !(m.request && m.method.n)) {
        snprintf(desc, sizeof(desc), "(unparseable: %s)", sip_strerror(err));
    } else if (m.request) {
        const sip_header_t *h;
        if (sip_str_eq_exact(m.method, "INVITE"))
            snprintf(desc, sizeof(desc), "%.*s %.*s", SIP_STR_ARG(m.method), SIP_STR_ARG(m.uri));
        else
            snprintf(desc, sizeof(desc), "%.*s", SIP_STR_ARG(m.method));
        if ((h = sip_find(&m, SIP_H_RACK, NULL)) != NULL) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RAck=%.*s", SIP_STR_ARG(h->value));
        }
        if (sip_str_eq_exact(m.method, "INVITE") && !m.to_tag.n) {
            if (sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
                note_add(notes, sizeof(notes), "Require: 100rel");
            else if (sip_has_option(&m, SIP_H_SUPPORTED, "100rel") > 0)
                note_add(notes, sizeof(notes), "Supported: 100rel");
            else
                note_add(notes, sizeof(notes), "no 100rel");
        }
        if (err != SIP_OK)
            note_add(notes, sizeof(notes), sip_strerror(err));
    } else {
        const sip_header_t *rseq = sip_find(&m, SIP_H_RSEQ, NULL);
        snprintf(desc, sizeof(desc), "%u %.*s", m.status, SIP_STR_ARG(m.reason));
        if (rseq) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RSeq=%.*s", SIP_STR_ARG(rseq->value));
        }
        if (!sip_str_eq_exact(m.cseq_method, "INVITE")) {
            char to[48];
            snprintf(to, sizeof(to), "to %.*s", (int)(m.cseq_method.n > 16 ? 16 : m.cseq_method.n),
                     m.cseq_method.p);
            note_add(notes, sizeof(notes), to);
        }
        if (m.status > 100 && m.status < 200 && rseq &&
            sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
            note_add(notes, sizeof(notes), "reliable");
        if (m.status == 420 && sip_has_option(&m, SIP_H_UNSUPPORTED, "100rel") > 0)
            note_add(notes, sizeof(notes), "Unsupported: 100rel");
        if (m.status == 421 && sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
            note_add(notes, sizeof(notes), "Require: 100rel");
    }
    if (err == SIP_OK && sip_has_sdp(&m))
        note_add(notes, sizeof(notes), sdp_role ? sdp_role : "SDP");
    note_add(notes, sizeof(notes), extra);

    const char *dir = leg == LEG_A ? (out ? "A: caller <- B2BUA" : "A: caller -> B2BUA")
                                   : (out ? "B: B2BUA -> callee" : "B: B2BUA <- callee");
    ex_trace_line("msg", no,
                  leg == LEG_A ? (out ? "b2bua>caller" : "caller>b2bua")
                               : (out ? "b2bua>callee" : "callee>b2bua"),
                  desc, notes);
    if (ex_quiet)
        return;
    stamp(no);
    printf("%s   %s%s%s%s\n", dir, desc, notes[0] ? " (" : "", notes, notes[0] ? ")" : "");
    fflush(stdout);
}

/* An indented line about what an engine or the program did, on the ladder's clock. */
static void note(unsigned no, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(unsigned no, const char *fmt, ...)
{
    va_list ap;
    if (ex_quiet && !ex_trace)
        return;
    char text[512];
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ex_trace_line("note", no, "-", text, "");
    if (ex_quiet)
        return;
    stamp(no);
    printf("                    . %s\n", text);
    fflush(stdout);
}

/* ------------------------------------------------------------------------- */
/* Helpers */

static bool body_keep(body_t *b, sip_str_t s)
{
    if (s.n > sizeof(b->p)) {
        b->len = 0;
        return false;
    }
    if (s.n)
        memcpy(b->p, s.p, s.n);
    b->len = s.n;
    return true;
}

static void send_to(const ex_addr_t *to, const char *msg, size_t len)
{
    ex_udp_send(sock, to, msg, len);
}

/* RFC 3261 18.2.2: back to the source address, at the Via port unless rport. */
static void reply_addr(const sip_msg_t *m, const ex_addr_t *src, ex_addr_t *out)
{
    *out = *src;
    if (!m->via_rport)
        ex_addr_set_port(out, m->via_port ? m->via_port : 5060u);
}

static void hostport(const ex_addr_t *a, char *buf, size_t cap)
{
    ex_addr_str(a, buf, cap);
}

/* A response built from the request (no call state), optionally kept for retransmissions. */
static void respond(enum leg leg, unsigned no, const sip_msg_t *req, const ex_addr_t *src,
                    unsigned status, const char *to_tag, const char *extra, const char *note,
                    struct nist *save)
{
    char buf[B2B_MSG_MAX];
    sip_buf_t b;
    ex_addr_t to;
    sb_init(&b, buf, sizeof(buf));
    sip_response_start(&b, req, status, NULL, to_tag);
    if (extra)
        sb_printf(&b, "%s", extra);
    sb_printf(&b, "Server: " B2B_USER " (libprack %s)\r\n", prack_version());
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        ex_warn("response %u does not fit", status);
        return;
    }
    reply_addr(req, src, &to);
    send_to(&to, buf, b.len);
    ladder(no, leg, true, buf, b.len, NULL, note);
    if (save) {
        memcpy(save->rsp, buf, b.len);
        save->len = b.len;
        save->to = to;
    }
}

/*
 * A request on a leg other than INVITE and ACK: a retransmission (same branch,
 * method and CSeq, RFC 3261 17.2.3) of one of the `count` requests kept gets
 * the same answer.
 */
static bool nist_again(unsigned no, enum leg leg, struct nist *n, size_t count,
                       const sip_msg_t *m, const char *raw, size_t rawlen)
{
    for (size_t i = 0; i < count; i++, n++) {
        if (!n->len || !sip_str_eq_exact(m->branch, n->branch) ||
            !sip_str_eq_exact(m->method, n->method) || m->cseq != n->cseq)
            continue;
        ladder(no, leg, false, raw, rawlen, NULL, "retransmission");
        send_to(&n->to, n->rsp, n->len);
        ladder(no, leg, true, n->rsp, n->len, NULL, "retransmission");
        return true;
    }
    return false;
}

static void nist_begin(struct nist *n, const sip_msg_t *m)
{
    sip_str_copy(n->branch, sizeof(n->branch), m->branch);
    sip_str_copy(n->method, sizeof(n->method), m->method);
    n->cseq = m->cseq;
    n->len = 0;
}

/* Start remembering a new request of the caller, in place of the oldest. */
static struct nist *nist_a_next(struct call *c, const sip_msg_t *m)
{
    c->nist_a_cur = (c->nist_a_cur + 1u) % B2B_NIST_A;
    nist_begin(&c->nist_a[c->nist_a_cur], m);
    return &c->nist_a[c->nist_a_cur];
}

static const char *fork_note(const struct call *c, const struct fork *f, char *buf, size_t cap)
{
    if (!f || c->nforks < 2)
        return NULL;
    snprintf(buf, cap, "fork %u", f->no);
    return buf;
}

/* Where an in-dialog request goes: the first route (loose routing) or the remote target. */
static bool dialog_dest(const char *first_route, const char *target, const ex_addr_t *like,
                        ex_addr_t *out)
{
    sip_uri_t u;
    const char *uri = first_route[0] ? first_route : target;
    if (!sip_uri_parse(sip_str_c(uri), &u))
        return false;
    return ex_addr_resolve(u.host, u.port ? u.port : 5060u, like, out) == 0;
}

/* ------------------------------------------------------------------------- */
/* The call table */

static struct call *find_a_dialog(const sip_msg_t *m)
{
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->used && sip_str_eq_exact(m->call_id, c->a_call_id) &&
            sip_str_eq_exact(m->from_tag, c->a_from_tag) && sip_str_eq_exact(m->to_tag, c->a_to_tag))
            return c;
    }
    return NULL;
}

/* The INVITE transaction of a request without To-tag (RFC 3261 17.2.3). */
static struct call *find_a_invite(const sip_msg_t *m)
{
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->used && sip_str_eq_exact(m->call_id, c->a_call_id) &&
            sip_str_eq_exact(m->from_tag, c->a_from_tag) && sip_str_eq_exact(m->branch, c->a_branch))
            return c;
    }
    return NULL;
}

static struct call *find_b_call(const sip_msg_t *m)
{
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->used && c->b_call_id[0] && sip_str_eq_exact(m->call_id, c->b_call_id))
            return c;
    }
    return NULL;
}

static void count_call(struct call *c)
{
    c->count_at = PRACK_TIME_NONE;
    if (c->counted || c->superseded)
        return;
    c->counted = true;
    bool ok = !c->failed && c->a_final && c->a_final == c->b_final;
    stats.done++;
    if (ok)
        stats.ok++;
    stats.last_final = c->a_final;
    note(c->no, "call over: %s (caller got %u, callee gave %u)", ok ? "ok" : "FAILED",
            c->a_final, c->b_final);
}

/* Both legs ended: keep the slot a while for retransmissions. */
static void end_call(struct call *c, prack_time_t now)
{
    c->over = true;
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
    for (size_t i = 0; i < B2B_MAX_TXNS; i++)
        c->txn[i].used = false;
    c->linger_until = now + 64u * (prack_time_t)opt.t1;
    if (c->retryable && !c->superseded) {
        /* a caller retries a 420/421 at once; count it only if it does not */
        c->count_at = now + EX_T4_MS;
        if (c->linger_until < c->count_at)
            c->linger_until = c->count_at;
    } else {
        count_call(c);
    }
}

static void check_over(struct call *c, prack_time_t now)
{
    if (!c->used || c->over)
        return;
    bool a_done = c->a_st == A_DONE || c->a_st == A_IDLE;
    bool b_done = c->b_st == B_DONE || c->b_st == B_IDLE;
    if (a_done && b_done)
        end_call(c, now);
}

static void free_call(struct call *c)
{
    if (c->count_at != PRACK_TIME_NONE)
        count_call(c);
    c->used = false;
}

static struct call *alloc_call(void)
{
    struct call *oldest = NULL;
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        if (!calls[i].used)
            return &calls[i];
        if (calls[i].over && (!oldest || calls[i].linger_until < oldest->linger_until))
            oldest = &calls[i];
    }
    if (oldest)
        free_call(oldest);
    return oldest;
}

static struct txn *new_txn(struct call *c, enum leg leg, enum txn_kind kind, unsigned fork)
{
    for (size_t i = 0; i < B2B_MAX_TXNS; i++) {
        struct txn *t = &c->txn[i];
        if (!t->used) {
            t->used = true;
            t->leg = leg;
            t->kind = kind;
            t->fork = fork;
            t->cseq = t->rseq = 0;
            t->len = 0;
            ex_branch(t->branch);
            return t;
        }
    }
    ex_warn("call %u: too many transactions at once", c->no);
    return NULL;
}

static struct slot *slot_get(struct call *c)
{
    for (size_t i = 0; i < B2B_SLOTS; i++) {
        if (!c->slots[i].used) {
            c->slots[i].used = true;
            c->slots[i].body.len = 0;
            return &c->slots[i];
        }
    }
    return NULL;
}

/* The cookie leg A's engine carries for a slot: its index + 1, never 0. */
static uint64_t slot_cookie(const struct call *c, const struct slot *s)
{
    return (uint64_t)(s - c->slots) + 1u;
}

/* A cookie from the engine back to its slot; NULL for 0 (a 1xx without body). */
static struct slot *slot_of(struct call *c, uint64_t user)
{
    if (user == 0 || user > B2B_SLOTS || !c->slots[user - 1u].used)
        return NULL;
    return &c->slots[user - 1u];
}

/* The one rule for a slot's lifetime: it is free once the engine released its
 * cookie (an unreliable SEND_1XX, the ANSWER_PRACK of its 1xx, a DROP_1XX). */
static void slot_release(struct call *c, const prack_action_t *a)
{
    struct slot *s = (a->flags & PRACK_AF_RELEASE) ? slot_of(c, a->user) : NULL;
    if (s)
        s->used = false;
}

/* ------------------------------------------------------------------------- */
/* Leg A: the responses the UAS engine asks for */

static void a_start_response(sip_buf_t *b, const struct call *c, unsigned status)
{
    sb_printf(b, "SIP/2.0 %u %s\r\n", status, sip_reason_phrase(status));
    sb_printf(b, "%s", c->a_hdrs);
}

static void a_dialog_headers(sip_buf_t *b, const struct call *c)
{
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    sb_printf(b, "%s", c->a_rr);
    sb_printf(b, "Contact: <sip:" B2B_USER "@%s>\r\n", hp);
}

static void a_capabilities(sip_buf_t *b)
{
    sb_printf(b, "Allow: " B2B_ALLOW "\r\n");
    if (opt.a_policy != PRACK_POLICY_OFF)
        sb_printf(b, "Supported: 100rel\r\n");
}

static const char *sdp_label(prack_sdp_t role, bool reliable)
{
    switch (role) {
    case PRACK_SDP_ANSWER: return reliable ? "SDP answer" : "SDP answer preview";
    case PRACK_SDP_REPEAT: return "SDP repeated";
    case PRACK_SDP_OFFER: return "SDP offer";
    default: return NULL;
    }
}

static void a_send_provisional(struct call *c, const prack_action_t *a)
{
    bool reliable = (a->flags & PRACK_AF_RELIABLE) != 0;
    struct slot *s = slot_of(c, a->user);
    if (a->flags & PRACK_AF_RETRANSMIT) {
        /* N1: the identical message, same RSeq */
        if (!c->a_rel_len)
            return;
        send_to(&c->a_peer, c->a_rel, c->a_rel_len);
        memcpy(c->a_last, c->a_rel, c->a_rel_len);
        c->a_last_len = c->a_rel_len;
        ladder(c->no, LEG_A, true, c->a_rel, c->a_rel_len, NULL, "retransmission");
        return;
    }
    char buf[B2B_MSG_MAX];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    a_start_response(&b, c, a->status);
    if (a->status != 100)
        a_dialog_headers(&b, c);
    if (reliable) {
        char rseq[PRACK_RSEQ_STRLEN];
        prack_format_rseq(rseq, sizeof(rseq), a->rseq);
        sb_printf(&b, "Require: 100rel\r\nRSeq: %s\r\n", rseq);
    }
    if (a->status != 100)
        a_capabilities(&b);
    const body_t *body = (a->sdp != PRACK_SDP_NONE && s && s->body.len) ? &s->body : NULL;
    sb_finish(&b, "application/sdp", body ? body->p : NULL, body ? body->len : 0u);
    /* retransmissions resend these bytes (c->a_rel); the slot itself stays
     * taken until the engine releases its cookie */
    if (b.overflow) {
        ex_warn("call %u: provisional %u does not fit", c->no, a->status);
        return;
    }
    send_to(&c->a_peer, buf, b.len);
    memcpy(c->a_last, buf, b.len);
    c->a_last_len = b.len;
    if (reliable) {
        memcpy(c->a_rel, buf, b.len);
        c->a_rel_len = b.len;
        stats.rel1xx++;
    }
    ladder(c->no, LEG_A, true, buf, b.len, sdp_label(a->sdp, reliable),
           (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
}

/* Send (or resend) a final to the caller and retransmit it until the ACK. */
static void a_send_final(struct call *c, const prack_action_t *a, prack_time_t now)
{
    char buf[B2B_MSG_MAX], hp[80];
    sip_buf_t b;
    bool success = a->status < 300;
    hostport(&c->a_local, hp, sizeof(hp));
    sb_init(&b, buf, sizeof(buf));
    a_start_response(&b, c, a->status);
    if (success)
        a_dialog_headers(&b, c);
    if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
        sb_printf(&b, "Unsupported: 100rel\r\n");
    if (a->flags & PRACK_AF_REQUIRE_100REL)
        sb_printf(&b, "Require: 100rel\r\n");
    if (a->flags & PRACK_AF_TIMEOUT)
        sb_printf(&b, "Warning: 399 %s \"%s\"\r\n", hp, a->text ? a->text : PRACK_TIMEOUT_TEXT);
    sb_printf(&b, "%s", c->fin_extra);
    if (a->status == 503)
        sb_printf(&b, "Retry-After: 5\r\n");
    a_capabilities(&b);
    const body_t *body = (success && a->sdp != PRACK_SDP_NONE && c->fin_body.len) ? &c->fin_body
                                                                                 : NULL;
    sb_finish(&b, "application/sdp", body ? body->p : NULL, body ? body->len : 0u);
    c->fin_extra[0] = '\0';
    if (b.overflow) {
        /* cannot happen with the sizes above; fall back to a bare 500 */
        c->failed = true;
        sb_init(&b, buf, sizeof(buf));
        a_start_response(&b, c, 500);
        sb_finish(&b, NULL, NULL, 0);
    }
    send_to(&c->a_peer, buf, b.len);
    memcpy(c->a_last, buf, b.len);
    c->a_last_len = b.len;

    char why[96] = "";
    if (a->flags & PRACK_AF_RELEASED)
        note_add(why, sizeof(why), "released by the PRACK");
    if (a->flags & PRACK_AF_TIMEOUT)
        note_add(why, sizeof(why), "no PRACK within 64*T1");
    if (a->flags & PRACK_AF_CANCELLED)
        note_add(why, sizeof(why), "cancelled");
    if (a->flags & PRACK_AF_REPLACES_HELD)
        note_add(why, sizeof(why), "replaces the held 2xx");
    if (success && a->sdp != PRACK_SDP_NONE && !body)
        note_add(why, sizeof(why), "the callee gave no SDP to relay");
    ladder(c->no, LEG_A, true, buf, b.len, sdp_label(success ? a->sdp : PRACK_SDP_NONE, true), why);

    c->a_final = a->status;
    c->a_st = A_COMPLETED;
    c->fin_interval = opt.t1;
    c->fin_next = now + opt.t1;
    /* Timer H for a failure; for a 2xx, when to give up on the ACK (RFC 3261 13.3.1.4) */
    c->fin_deadline = now + 64u * (prack_time_t)opt.t1;
    if (a->status >= 300)
        stop_b(c, now); /* the caller is told no: whatever runs on leg B ends */
}

/* Answer a PRACK from the caller as the engine says. */
static void a_answer_prack(struct call *c, const prack_action_t *a, const sip_msg_t *req,
                           const ex_addr_t *src)
{
    if (!req)
        return;
    const char *why = NULL;
    unsigned status = a->status;
    char extra[256] = "";
    switch (a->reason) {
    case PRACK_R_NO_MATCH: why = "RAck matches no unacknowledged reliable 1xx"; break;
    case PRACK_R_BAD_RACK: why = "missing or malformed RAck"; break;
    case PRACK_R_DUPLICATE: why = "the PRACK again, the same 200"; break;
    default: break;
    }
    if (a->sdp == PRACK_SDP_ANSWER) {
        /* a new offer in the PRACK: the answer would have to come from the callee,
         * and this example does not relay offers made after the INVITE */
        char hp[80];
        hostport(&c->a_local, hp, sizeof(hp));
        status = 488;
        snprintf(extra, sizeof(extra), "Warning: 399 %s \"Offers in PRACK are not relayed\"\r\n", hp);
        why = "offer in PRACK not relayed";
    }
    respond(LEG_A, c->no, req, src, status, NULL, extra, why, &c->nist_a[c->nist_a_cur]);
}

static void a_run(struct call *c, const prack_actions_t *acts, prack_time_t now,
                  const sip_msg_t *prack, const ex_addr_t *src)
{
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_1XX: a_send_provisional(c, a); break;
        case PRACK_ACT_QUEUE_1XX:
            note(c->no, "A: %u queued until the PRACK of RSeq %u (one reliable 1xx at a time)",
                    a->status, prack_uas_unacked(&c->uas));
            break;
        case PRACK_ACT_DROP_1XX:
            if (a->rseq)
                note(c->no, "A: %u RSeq %u retransmitted no more: a final ends it", a->status,
                     a->rseq);
            else
                note(c->no, "A: queued %u dropped: the final goes first", a->status);
            break;
        case PRACK_ACT_SEND_FINAL: a_send_final(c, a, now); break;
        case PRACK_ACT_HOLD_FINAL:
            note(c->no, "A: %u held until PRACK for RSeq %u (that 1xx carries SDP)", a->status, a->rseq);
            break;
        case PRACK_ACT_ANSWER_PRACK: a_answer_prack(c, a, prack, src); break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION: note(c->no, "A: offer/answer complete"); break;
            case PRACK_R_TIMEOUT: note(c->no, "A: reliable 1xx never PRACKed: giving up"); break;
            default: note(c->no, "A: event %s", prack_reason_name(a->reason)); break;
            }
            break;
        default: {
            char d[128];
            prack_action_format(d, sizeof(d), a);
            note(c->no, "A: unexpected action %s", d);
            break;
        }
        }
        slot_release(c, a); /* after the action: a SEND_1XX has used its body */
    }
}

/* A final to the caller through the engine, which may hold a 2xx or refuse (a final went already). */
static void a_final(struct call *c, uint16_t status, prack_time_t now)
{
    if (!c->uas_on) {
        c->fin_extra[0] = '\0';
        return;
    }
    unsigned st = prack_uas_state(&c->uas);
    if (st != PRACK_UAS_PROCEEDING && st != PRACK_UAS_HELD) {
        c->fin_extra[0] = '\0';
        return;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_final(&c->uas, now, status, &acts);
    if (rc != PRACK_OK) {
        note(c->no, "A: %u not sent: %s", status, prack_strerror(rc));
        c->fin_extra[0] = '\0';
        return;
    }
    a_run(c, &acts, now, NULL, NULL);
}

/* Our BYE to the caller: the callee hung up, or the caller never acknowledged the 2xx. */
static void a_send_bye(struct call *c, prack_time_t now, const char *why)
{
    struct txn *t = new_txn(c, LEG_A, T_BYE, 0);
    if (!t) {
        c->a_st = A_DONE;
        return;
    }
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    t->cseq = ++c->a_local_cseq;
    sip_buf_t b;
    sb_init(&b, t->msg, sizeof(t->msg));
    sb_printf(&b, "BYE %s SIP/2.0\r\n", c->a_target[0] ? c->a_target : "sip:invalid");
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, t->branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", c->a_local_party, c->a_remote);
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u BYE\r\n", c->a_call_id, t->cseq);
    if (c->a_route[0])
        sb_printf(&b, "Route: %s\r\n", c->a_route);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        t->used = false;
        c->a_st = A_DONE;
        return;
    }
    t->len = b.len;
    if (!dialog_dest(c->a_first_route, c->a_target, &c->a_local, &t->dest))
        t->dest = c->a_peer;
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    ladder(c->no, LEG_A, true, t->msg, t->len, NULL, why);
    c->a_st = A_BYE;
    c->bye_a_pending = false;
}

/* Leg B is over or going: end leg A the way its state allows. */
static void stop_a(struct call *c, uint16_t status, prack_time_t now, const char *why)
{
    switch (c->a_st) {
    case A_PROCEEDING: a_final(c, status, now); break;
    case A_COMPLETED:
        if (c->a_final < 300)
            c->bye_a_pending = true; /* RFC 3261 15: not before the ACK */
        break;
    case A_CONFIRMED: a_send_bye(c, now, why); break;
    default: break;
    }
}

/* ------------------------------------------------------------------------- */
/* Leg B: requests of the UAC */

static void b_hostport(const struct call *c, char *buf, size_t cap)
{
    hostport(&c->b_local, buf, cap);
}

static void b_start_request(sip_buf_t *b, const struct call *c, const struct fork *f,
                            const char *method, uint32_t cseq, const char *branch)
{
    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    sb_printf(b, "%s %s SIP/2.0\r\n", method, f->target);
    sb_printf(b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, branch);
    sb_printf(b, "Max-Forwards: 70\r\n");
    sb_printf(b, "From: %s\r\nTo: %s\r\n", c->b_from, f->to_hdr);
    sb_printf(b, "Call-ID: %s\r\nCSeq: %u %s\r\n", c->b_call_id, cseq, method);
    if (f->route[0])
        sb_printf(b, "Route: %s\r\n", f->route);
}

static void b_dest(const struct call *c, const struct fork *f, ex_addr_t *out)
{
    if (!dialog_dest(f->first_route, f->target, &c->b_local, out))
        *out = opt.next; /* an unusable Contact: the callee's address is the best guess */
}

static bool b_send_invite(struct call *c, prack_time_t now)
{
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)c->b_policy;
    /* the A leg decides the call's fate; a failed PRACK on B is only reported */
    cfg.on_prack_failure = PRACK_FAILURE_OBSERVE;
    int rc = prack_uac_init(&c->uac, &cfg, c->b_cseq, PRACK_UAC_INVITE_SDP, now);
    if (rc != PRACK_OK) {
        ex_warn("prack_uac_init: %s", prack_strerror(rc));
        return false;
    }
    ex_branch(c->b_branch);
    c->nforks = 0;
    c->confirmed = -1;
    c->b_retry = false;

    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    sip_buf_t b;
    sb_init(&b, c->b_invite, sizeof(c->b_invite));
    sb_printf(&b, "INVITE %s SIP/2.0\r\n", c->b_ruri);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: %u\r\n", c->b_max_forwards);
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", c->b_from, c->b_to);
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u INVITE\r\n", c->b_call_id, c->b_cseq);
    sb_printf(&b, "Contact: <sip:" B2B_USER "@%s>\r\n", hp);
    /* R31-R33: leg B's engine names the option tag, whatever leg A negotiated */
    switch (prack_uac_option(&c->uac)) {
    case PRACK_OPTION_SUPPORTED: sb_printf(&b, "Supported: 100rel\r\n"); break;
    case PRACK_OPTION_REQUIRE: sb_printf(&b, "Require: 100rel\r\n"); break;
    case PRACK_OPTION_NONE: break;
    }
    sb_printf(&b, "Allow: " B2B_ALLOW "\r\n");
    sb_printf(&b, "User-Agent: " B2B_USER " (libprack %s)\r\n", prack_version());
    sb_finish(&b, "application/sdp", c->offer.p, c->offer.len); /* the caller's offer, as is */
    if (b.overflow) {
        ex_warn("call %u: INVITE for leg B does not fit", c->no);
        return false;
    }
    c->b_invite_len = b.len;
    send_to(&opt.next, c->b_invite, c->b_invite_len);
    ladder(c->no, LEG_B, true, c->b_invite, c->b_invite_len, "SDP offer from the caller", NULL);
    c->b_st = B_CALLING;
    /* RFC 3261 17.1.1.2: Timer A from T1, doubling; Timer B at 64*T1 */
    c->b_a_interval = opt.t1;
    c->b_a_next = now + opt.t1;
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
    return true;
}

static void b_send_prack(struct call *c, struct fork *f, const prack_action_t *a, prack_time_t now)
{
    unsigned fi = (unsigned)(f - c->forks);
    char rack[40], fk[16];
    struct txn *t = new_txn(c, LEG_B, T_PRACK, fi);
    if (!t)
        return;
    /* the RAck values come from the engine; the CSeq is this dialog's next */
    if (prack_format_rack(rack, sizeof(rack), a->rseq, a->cseq, "INVITE", 6) < 0) {
        t->used = false;
        return;
    }
    t->cseq = ++f->local_cseq;
    t->rseq = a->rseq;
    sip_buf_t b;
    sb_init(&b, t->msg, sizeof(t->msg));
    b_start_request(&b, c, f, "PRACK", t->cseq, t->branch);
    sb_printf(&b, "RAck: %s\r\n", rack);
    /* the INVITE carried the offer: this PRACK never owes an answer, and the
     * B2BUA makes no new offer of its own (R51 is a MAY) */
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        t->used = false;
        return;
    }
    t->len = b.len;
    b_dest(c, f, &t->dest);
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    stats.prack_sent++;
    ladder(c->no, LEG_B, true, t->msg, t->len, NULL, fork_note(c, f, fk, sizeof(fk)));
}

static bool b_build_ack(const struct call *c, const struct fork *f, char *buf, size_t cap,
                        size_t *len, ex_addr_t *dest)
{
    char branch[32];
    ex_branch(branch); /* RFC 3261 13.2.2.4: the ACK of a 2xx is a transaction of its own */
    sip_buf_t b;
    sb_init(&b, buf, cap);
    b_start_request(&b, c, f, "ACK", c->b_cseq, branch);
    sb_finish(&b, NULL, NULL, 0); /* the offer was in the INVITE: no body */
    if (b.overflow)
        return false;
    *len = b.len;
    b_dest(c, f, dest);
    return true;
}

static void b_send_ack_non2xx(struct call *c, const sip_msg_t *m)
{
    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    /* RFC 3261 17.1.1.3: same branch and Request-URI as the INVITE, To from the response */
    sip_buf_t b;
    sb_init(&b, c->b_nack, sizeof(c->b_nack));
    sb_printf(&b, "ACK %s SIP/2.0\r\n", c->b_ruri);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %.*s\r\n", c->b_from, SIP_STR_ARG(m->to));
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u ACK\r\n", c->b_call_id, c->b_cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow)
        return;
    c->b_nack_len = b.len;
    memcpy(c->b_nack_branch, c->b_branch, sizeof(c->b_nack_branch));
    send_to(&opt.next, c->b_nack, c->b_nack_len);
    ladder(c->no, LEG_B, true, c->b_nack, c->b_nack_len, NULL, NULL);
}

static void b_send_cancel(struct call *c, prack_time_t now)
{
    struct txn *t = new_txn(c, LEG_B, T_CANCEL, 0);
    if (!t)
        return;
    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    /* RFC 3261 9.1: the INVITE's Request-URI, top Via branch, From, To and CSeq number */
    memcpy(t->branch, c->b_branch, sizeof(t->branch));
    t->cseq = c->b_cseq;
    sip_buf_t b;
    sb_init(&b, t->msg, sizeof(t->msg));
    sb_printf(&b, "CANCEL %s SIP/2.0\r\n", c->b_ruri);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", c->b_from, c->b_to);
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u CANCEL\r\n", c->b_call_id, c->b_cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        t->used = false;
        return;
    }
    t->len = b.len;
    t->dest = opt.next;
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    ladder(c->no, LEG_B, true, t->msg, t->len, NULL, NULL);
    c->cancel_pending = false;
    c->b_st = B_CANCELLING;
    c->b_a_next = PRACK_TIME_NONE;
    /* RFC 3261 9.1: give up on the 487 after 64*T1 */
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
}

static void b_send_bye(struct call *c, unsigned fi, prack_time_t now, const char *why)
{
    struct fork *f = &c->forks[fi];
    struct txn *t = new_txn(c, LEG_B, T_BYE, fi);
    if ((int)fi == c->confirmed)
        c->b_st = t ? B_BYE : B_DONE;
    if (!t)
        return;
    t->cseq = ++f->local_cseq; /* one above the last request on this dialog, PRACKs included */
    sip_buf_t b;
    sb_init(&b, t->msg, sizeof(t->msg));
    b_start_request(&b, c, f, "BYE", t->cseq, t->branch);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        t->used = false;
        if ((int)fi == c->confirmed)
            c->b_st = B_DONE;
        return;
    }
    t->len = b.len;
    b_dest(c, f, &t->dest);
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    ladder(c->no, LEG_B, true, t->msg, t->len, NULL, why);
}

/* Leg A is over or going: end leg B the way its state allows. */
static void stop_b(struct call *c, prack_time_t now)
{
    switch (c->b_st) {
    case B_CALLING:
        c->cancel_pending = true; /* RFC 3261 9.1: not before a provisional */
        break;
    case B_PROCEEDING: b_send_cancel(c, now); break;
    case B_CONFIRMED:
        if (c->confirmed >= 0)
            b_send_bye(c, (unsigned)c->confirmed, now, "the caller's side ended");
        else
            c->b_st = B_DONE;
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------- */
/* Leg B: early dialogs */

/* Reverse the Record-Route list into the route set (RFC 3261 12.1.2). */
static void b_set_route(struct fork *f, const sip_msg_t *m)
{
    ex_uac_route_set(m, f->route, sizeof(f->route), f->first_route, sizeof(f->first_route));
}

static struct fork *b_fork(struct call *c, const sip_msg_t *m, bool create)
{
    if (!m->to_tag.n)
        return NULL;
    for (unsigned i = 0; i < c->nforks; i++)
        if (sip_str_eq_exact(m->to_tag, c->forks[i].to_tag))
            return &c->forks[i];
    if (!create)
        return NULL;
    if (c->nforks == B2B_MAX_FORKS) {
        note(c->no, "B: more than %u early dialogs: ignoring this one", B2B_MAX_FORKS);
        return NULL;
    }
    struct fork *f = &c->forks[c->nforks];
    memset(f, 0, sizeof(*f));
    if (!sip_str_copy(f->to_tag, sizeof(f->to_tag), m->to_tag) ||
        !sip_str_copy(f->to_hdr, sizeof(f->to_hdr), m->to))
        return NULL;
    f->no = ++c->nforks;
    /* RFC 3261 12.1.2: the local sequence number starts at the INVITE's */
    f->local_cseq = c->b_cseq;
    b_set_route(f, m);
    prack_uac_dialog_init(&f->eng);
    if (!sip_str_copy(f->target, sizeof(f->target), sip_contact_uri(m)) || !f->target[0])
        snprintf(f->target, sizeof(f->target), "%s", c->b_ruri);
    return f;
}

/* ------------------------------------------------------------------------- */
/* Leg B's actions become calls on leg A */

/* A provisional from the callee goes to the caller through leg A's engine. */
static void relay_1xx(struct call *c, struct fork *f, const sip_msg_t *m, prack_time_t now)
{
    sip_str_t sdp = sip_has_sdp(m) ? m->body : sip_str_c("");
    if (f && sdp.n)
        body_keep(&f->sdp, sdp);
    if (!c->uas_on || prack_uas_state(&c->uas) != PRACK_UAS_PROCEEDING)
        return; /* the caller has its final already */
    struct slot *s = NULL;
    uint32_t flags = 0;
    if (sdp.n) {
        s = slot_get(c);
        if (!s || !body_keep(&s->body, sdp)) {
            if (s)
                s->used = false;
            note(c->no, "A: %u not relayed: no room for its SDP", m->status);
            return;
        }
        flags |= PRACK_1XX_SDP;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_1xx(&c->uas, now, (uint16_t)m->status, flags,
                                s ? slot_cookie(c, s) : 0u, &acts);
    if (rc != PRACK_OK) {
        if (s)
            s->used = false; /* not accepted: the cookie stays ours */
        note(c->no, "A: %u not relayed: %s", m->status, prack_strerror(rc));
        return;
    }
    a_run(c, &acts, now, NULL, NULL);
}

/* The callee offered in a reliable 1xx although the INVITE carried an offer. */
static void b_offer_error(struct call *c, prack_time_t now)
{
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    c->failed = true;
    snprintf(c->fin_extra, sizeof(c->fin_extra),
             "Warning: 399 %s \"The callee sent an SDP offer where the answer was due\"\r\n", hp);
    note(c->no, "B: the 1xx carries an offer, not the answer to the caller's offer: giving up");
    a_final(c, 488, now); /* stop_b follows from the 488: CANCEL on leg B */
    if (c->b_st == B_CALLING || c->b_st == B_PROCEEDING)
        stop_b(c, now);
}

/* Carry out leg B's engine actions; false when the call was abandoned on the way. */
static bool b_run(struct call *c, struct fork *f, const sip_msg_t *m, const prack_actions_t *acts,
                  prack_time_t now)
{
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_DELIVER_1XX:
            if (m && a->status > 100)
                relay_1xx(c, f, m, now); /* unreliable on B: the caller's leg decides */
            break;
        case PRACK_ACT_SEND_PRACK:
            if (!f)
                break;
            if (a->flags & PRACK_AF_AUTH) {
                note(c->no, "B: the callee challenged our PRACK; no credentials to answer with");
                break;
            }
            if (a->flags & PRACK_AF_OTHER_FORK) {
                /* the call went on with another fork: acknowledge this one's 1xx
                 * (R47) and relay nothing; the caller's dialog is settled */
                note(c->no, "B: fork %u sent a reliable %u after the call was answered on fork %d",
                     f->no, a->status, c->confirmed + 1);
                b_send_prack(c, f, a, now);
                break;
            }
            if (a->sdp == PRACK_SDP_ANSWER) {
                b_offer_error(c, now);
                return false;
            }
            if (m && !(a->flags & PRACK_AF_CACHED))
                relay_1xx(c, f, m, now);
            b_send_prack(c, f, a, now);
            break;
        case PRACK_ACT_DISCARD:
            note(c->no, "B: %u RSeq %u not relayed: %s", a->status, a->rseq,
                    a->reason == PRACK_R_RETRANSMISSION ? "retransmission (already PRACKed)"
                    : a->reason == PRACK_R_OUT_OF_ORDER ? "out of order (RSeq gap)"
                    : a->reason == PRACK_R_WRONG_CSEQ   ? "CSeq of another INVITE"
                                                        : prack_reason_name(a->reason));
            break;
        case PRACK_ACT_DELIVER_FINAL: break; /* the callers of b_run relay finals themselves */
        case PRACK_ACT_RETRY_INVITE:
            /* never suggested under --b-100rel off */
            c->b_retry = true;
            c->b_retry_option = (prack_option_t)a->option;
            break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION: note(c->no, "B: offer/answer complete"); break;
            case PRACK_R_PRACK_OK: break;
            case PRACK_R_PRACK_FAILED:
                note(c->no, "B: PRACK for RSeq %u failed with %u", a->rseq, a->status);
                break;
            case PRACK_R_ANSWER_MISSING:
                note(c->no, "B: the callee's final lacks the SDP answer");
                break;
            default: note(c->no, "B: event %s", prack_reason_name(a->reason)); break;
            }
            break;
        default: {
            char d[128];
            prack_action_format(d, sizeof(d), a);
            note(c->no, "B: unexpected action %s", d);
            break;
        }
        }
    }
    return true;
}

static void b_on_1xx(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                     prack_time_t now)
{
    /* new early dialogs only while the INVITE is pending; a late reliable 1xx on
     * a known one is still PRACKed (R47) */
    bool live = c->b_st == B_CALLING || c->b_st == B_PROCEEDING || c->b_st == B_CANCELLING;
    struct fork *f = m->status > 100 ? b_fork(c, m, live) : NULL;
    if (f) {
        sip_str_t contact = sip_contact_uri(m);
        if (contact.n) /* a 1xx may refresh the remote target (RFC 6141) */
            sip_str_copy(f->target, sizeof(f->target), contact);
    }
    if (c->b_st == B_CALLING) {
        c->b_st = B_PROCEEDING;
        c->b_a_next = PRACK_TIME_NONE; /* RFC 3261 17.1.1.2: no more retransmissions */
        c->b_deadline = PRACK_TIME_NONE;
    }

    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&c->uac, f ? &f->eng : NULL, now, &r, &acts);

    const char *role = NULL;
    bool reliable = (r.flags & PRACK_RSP_REQUIRE_100REL) && (r.flags & PRACK_RSP_RSEQ);
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++)
        if (acts.v[i].type == PRACK_ACT_SEND_PRACK)
            role = (acts.v[i].flags & PRACK_AF_OTHER_FORK) ? "SDP of a fork not taken"
                   : acts.v[i].sdp == PRACK_SDP_MAY_OFFER ? "SDP answer"
                                                          : "SDP repeated";
    if (!reliable)
        role = "SDP answer preview";
    char fk[16];
    ladder(c->no, LEG_B, false, raw, rawlen, role, fork_note(c, f, fk, sizeof(fk)));
    if (rc != PRACK_OK) {
        ex_warn("prack_on_response: %s", prack_strerror(rc));
        return;
    }
    if (!b_run(c, f, m, &acts, now))
        return;
    if (c->cancel_pending && c->b_st == B_PROCEEDING)
        b_send_cancel(c, now); /* the caller left before the callee answered anything */
}

static void b_on_2xx(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                     prack_time_t now)
{
    struct fork *f = b_fork(c, m, false);
    if (f && f->confirmed) {
        /* RFC 3261 13.2.2.4: a retransmitted 2xx gets the same ACK */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
        char buf[B2B_MSG_MAX];
        size_t len;
        ex_addr_t dest;
        if ((int)(f - c->forks) == c->confirmed && c->b_ack_len) {
            send_to(&c->b_ack_dest, c->b_ack, c->b_ack_len);
            ladder(c->no, LEG_B, true, c->b_ack, c->b_ack_len, NULL, "retransmission");
        } else if (b_build_ack(c, f, buf, sizeof(buf), &len, &dest)) {
            send_to(&dest, buf, len);
            ladder(c->no, LEG_B, true, buf, len, NULL, "retransmission");
        }
        return;
    }
    if (!f)
        f = b_fork(c, m, true);
    char fk[16];
    if (!f) {
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "no room for this dialog: ignored");
        return;
    }
    /* the 2xx fixes the route set and the remote target (RFC 3261 12.1.2) */
    b_set_route(f, m);
    sip_str_t contact = sip_contact_uri(m);
    if (contact.n)
        sip_str_copy(f->target, sizeof(f->target), contact);
    c->b_a_next = c->b_deadline = PRACK_TIME_NONE;

    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&c->uac, &f->eng, now, &r, &acts);
    const char *role = NULL;
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++)
        if (acts.v[i].type == PRACK_ACT_DELIVER_FINAL)
            role = sdp_label(acts.v[i].sdp, true);
    ladder(c->no, LEG_B, false, raw, rawlen, role, fork_note(c, f, fk, sizeof(fk)));
    if (rc == PRACK_OK)
        b_run(c, f, m, &acts, now);

    /* the B2BUA owns leg B: acknowledge at once, whatever the caller does */
    f->confirmed = true;
    char buf[B2B_MSG_MAX];
    size_t len;
    ex_addr_t dest;
    unsigned fi = (unsigned)(f - c->forks);
    bool first = c->confirmed < 0;
    if (b_build_ack(c, f, buf, sizeof(buf), &len, &dest)) {
        send_to(&dest, buf, len);
        ladder(c->no, LEG_B, true, buf, len, NULL, NULL);
        if (first) {
            memcpy(c->b_ack, buf, len);
            c->b_ack_len = len;
            c->b_ack_dest = dest;
        }
    }
    if (!first) {
        /* RFC 3261 13.2.2.4: a second fork answered too; end that dialog */
        b_send_bye(c, fi, now, "second 2xx");
        return;
    }
    c->confirmed = (int)fi;
    c->b_final = (uint16_t)m->status;
    c->b_st = B_CONFIRMED;
    note(c->no, "B: call established with the callee");

    if (c->a_st == A_PROCEEDING && c->uas_on &&
        prack_uas_state(&c->uas) == PRACK_UAS_PROCEEDING) {
        /* the 2xx body is the answer (or repeats it); without one, the answer
         * came in a 1xx of this dialog */
        if (!sip_has_sdp(m) || !body_keep(&c->fin_body, m->body))
            c->fin_body = f->sdp;
        a_final(c, (uint16_t)m->status, now);
    } else {
        /* the caller gave up (CANCEL, timeout) before the callee answered */
        b_send_bye(c, fi, now, "the caller's side ended");
    }
}

static void b_on_final(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                       prack_time_t now)
{
    if (c->b_nack_len && strcmp(c->b_nack_branch, c->b_branch) == 0 && c->b_final >= 300) {
        /* a retransmitted final: the same ACK again */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
        send_to(&opt.next, c->b_nack, c->b_nack_len);
        ladder(c->no, LEG_B, true, c->b_nack, c->b_nack_len, NULL, "retransmission");
        return;
    }
    if (c->confirmed >= 0) {
        /* the callee answered already: its dialog stays until a BYE ends it */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "after a 2xx: ignored");
        return;
    }
    ladder(c->no, LEG_B, false, raw, rawlen, NULL, NULL);
    c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
    c->b_final = (uint16_t)m->status;
    b_send_ack_non2xx(c, m);

    struct fork *f = b_fork(c, m, false);
    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    if (prack_on_response(&c->uac, f ? &f->eng : NULL, now, &r, &acts) == PRACK_OK)
        b_run(c, f, m, &acts, now);

    if (c->b_retry && !c->b_retried && c->a_st == A_PROCEEDING && !c->cancel_pending &&
        c->b_st != B_CANCELLING) {
        /* RFC 3261 8.1.3.5, 21.4.16: the callee's 420/421 is about leg B alone */
        c->b_retried = true;
        c->b_policy = c->b_retry_option == PRACK_OPTION_REQUIRE     ? PRACK_POLICY_REQUIRED
                      : c->b_retry_option == PRACK_OPTION_SUPPORTED ? PRACK_POLICY_SUPPORTED
                                                                    : PRACK_POLICY_OFF;
        c->b_cseq++;
        c->b_final = 0;
        note(c->no, "B: retrying with 100rel %s", ex_policy_name(c->b_policy));
        if (b_send_invite(c, now))
            return;
    }
    c->b_st = B_DONE;
    uint16_t status = (uint16_t)m->status;
    if (status == 401 || status == 407) {
        /* the challenge is for the B2BUA, which has no credentials to give */
        char hp[80];
        hostport(&c->a_local, hp, sizeof(hp));
        snprintf(c->fin_extra, sizeof(c->fin_extra),
                 "Warning: 399 %s \"The callee asked for credentials\"\r\n", hp);
        c->b_final = status = 403;
    } else if (status == 420 || status == 421) {
        /* about the option tags of leg B's INVITE, which the caller neither sent
         * nor controls: passed on, its Unsupported/Require would send the caller
         * into a retry that changes nothing on leg B */
        char hp[80];
        hostport(&c->a_local, hp, sizeof(hp));
        snprintf(c->fin_extra, sizeof(c->fin_extra),
                 "Warning: 399 %s \"The callee answered %u to the 100rel use of the B2BUA's "
                 "own INVITE\"\r\n",
                 hp, status);
        note(c->no, "B: %u not retried (--b-100rel %s): the caller gets 500", status,
             ex_policy_name(c->b_policy));
        c->b_final = status = 500;
    } else if (status >= 300 && status < 400) {
        /* a redirection is only useful with its Contact list */
        sip_buf_t b;
        sb_init(&b, c->fin_extra, sizeof(c->fin_extra));
        for (const sip_header_t *h = sip_find(m, SIP_H_CONTACT, NULL); h;
             h = sip_find(m, SIP_H_CONTACT, h))
            sb_header(&b, "Contact", h->value);
        if (b.overflow)
            c->fin_extra[0] = '\0';
    }
    a_final(c, status, now);
}

static void b_on_txn_response(struct call *c, struct txn *t, const sip_msg_t *m, const char *raw,
                              size_t rawlen, prack_time_t now)
{
    char fk[16];
    struct fork *f = &c->forks[t->fork];
    ladder(c->no, t->leg, false, raw, rawlen, NULL,
           t->leg == LEG_B && t->kind == T_PRACK ? fork_note(c, f, fk, sizeof(fk)) : NULL);
    if (m->status < 200) {
        t->t.proceeding = true;
        return;
    }
    t->used = false;
    switch (t->kind) {
    case T_PRACK: {
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = (uint16_t)m->status;
        r.method = PRACK_METHOD_PRACK;
        r.cseq = m->cseq;
        r.rseq = t->rseq;
        if (sip_has_sdp(m))
            r.flags |= PRACK_RSP_SDP;
        prack_actions_t acts;
        int rc = prack_on_response(&c->uac, &f->eng, now, &r, &acts);
        if (rc == PRACK_OK)
            b_run(c, f, NULL, &acts, now);
        else
            ex_warn("prack_on_response (PRACK): %s", prack_strerror(rc));
        break;
    }
    case T_BYE:
        if (m->status >= 300)
            c->failed = true;
        if (t->leg == LEG_A)
            c->a_st = A_DONE;
        else if ((int)t->fork == c->confirmed)
            c->b_st = B_DONE;
        break;
    case T_CANCEL: break; /* the 487 to the INVITE follows */
    }
}

/* ------------------------------------------------------------------------- */
/* Requests from the caller (leg A) */

/* Option tags in Require other than 100rel (RFC 3261 8.2.2.3), comma-joined. */
static bool unknown_required(const sip_msg_t *m, char *out, size_t cap)
{
    sip_buf_t b;
    sb_init(&b, out, cap);
    for (const sip_header_t *h = sip_find(m, SIP_H_REQUIRE, NULL); h;
         h = sip_find(m, SIP_H_REQUIRE, h)) {
        sip_str_t rest = h->value, item;
        while (sip_list_next(&rest, &item))
            if (!sip_str_eq(item, "100rel"))
                sb_printf(&b, "%s%.*s", b.len ? ", " : "", SIP_STR_ARG(item));
    }
    return b.len > 0;
}

/* Keep a user part only when it is plain enough to paste into another URI. */
static void copy_user(char *dst, size_t cap, sip_str_t user)
{
    dst[0] = '\0';
    if (user.n == 0 || user.n >= cap)
        return;
    for (size_t i = 0; i < user.n; i++) {
        char ch = user.p[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  strchr("-_.!~*'()&=+$;/%", ch) != NULL;
        if (!ok || ch == '\0')
            return;
    }
    memcpy(dst, user.p, user.n);
    dst[user.n] = '\0';
}

static bool a_copy_headers(struct call *c, const sip_msg_t *m)
{
    sip_buf_t b;
    sb_init(&b, c->a_hdrs, sizeof(c->a_hdrs));
    for (const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL); h; h = sip_find(m, SIP_H_VIA, h))
        sb_header(&b, "Via", h->value);
    sb_header(&b, "From", m->from);
    sb_printf(&b, "To: %.*s;tag=%s\r\n", SIP_STR_ARG(m->to), c->a_to_tag);
    sb_header(&b, "Call-ID", m->call_id);
    sb_printf(&b, "CSeq: %u INVITE\r\n", m->cseq);
    if (b.overflow)
        return false;

    sb_init(&b, c->a_rr, sizeof(c->a_rr));
    for (const sip_header_t *h = sip_find(m, SIP_H_RECORD_ROUTE, NULL); h;
         h = sip_find(m, SIP_H_RECORD_ROUTE, h))
        sb_header(&b, "Record-Route", h->value);
    if (b.overflow)
        return false;

    /* as the UAS, the route set is the Record-Route list in order (RFC 3261 12.1.1) */
    sip_str_t rr[SIP_MAX_ROUTES];
    size_t n = sip_routes(m, SIP_H_RECORD_ROUTE, rr, SIP_MAX_ROUTES);
    sb_init(&b, c->a_route, sizeof(c->a_route));
    for (size_t i = 0; i < n; i++)
        sb_printf(&b, "%s%.*s", b.len ? ", " : "", SIP_STR_ARG(rr[i]));
    if (b.overflow)
        return false;
    if (n) {
        sip_str_t uri, params;
        sip_split_nameaddr(rr[0], &uri, &params);
        sip_str_copy(c->a_first_route, sizeof(c->a_first_route), uri);
    }
    sip_str_copy(c->a_target, sizeof(c->a_target), sip_contact_uri(m));
    return sip_str_copy(c->a_remote, sizeof(c->a_remote), m->from) &&
           snprintf(c->a_local_party, sizeof(c->a_local_party), "%.*s;tag=%s", SIP_STR_ARG(m->to),
                    c->a_to_tag) < (int)sizeof(c->a_local_party);
}

/* A final decided here, not by the engine (it may not exist yet). */
static void a_local_final(struct call *c, uint16_t status, const char *warning, prack_time_t now)
{
    prack_action_t a;
    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_SEND_FINAL;
    a.status = status;
    if (warning) {
        char hp[80];
        hostport(&c->a_local, hp, sizeof(hp));
        snprintf(c->fin_extra, sizeof(c->fin_extra), "Warning: 399 %s \"%s\"\r\n", hp, warning);
    }
    c->failed = true;
    a_send_final(c, &a, now);
}

/* The B2BUA's INVITE towards the callee: new Call-ID, tags, branch and CSeq. */
static void b_start(struct call *c, unsigned max_forwards, prack_time_t now)
{
    char host[64], rnd[24], hp[80], next[80];
    ex_local_for(sock, &opt.bind, &opt.next, &c->b_local);
    ex_addr_host(&c->b_local, host, sizeof(host), true);
    ex_random_hex(rnd, 20);
    snprintf(c->b_call_id, sizeof(c->b_call_id), "%s@%s", rnd, host);
    ex_random_hex(c->b_from_tag, 16);
    b_hostport(c, hp, sizeof(hp));
    hostport(&opt.next, next, sizeof(next));
    snprintf(c->b_ruri, sizeof(c->b_ruri), "sip:%s%s%s", c->a_user, c->a_user[0] ? "@" : "", next);
    snprintf(c->b_to, sizeof(c->b_to), "<%s>", c->b_ruri);
    snprintf(c->b_from, sizeof(c->b_from), "<sip:" B2B_USER "@%s>;tag=%s", hp, c->b_from_tag);
    c->b_cseq = 1;
    c->b_policy = opt.b_policy;
    c->b_max_forwards = max_forwards;
    if (!b_send_invite(c, now)) {
        c->b_st = B_DONE;
        a_local_final(c, 500, "Cannot build the INVITE towards the callee", now);
    }
}

static void on_new_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                          prack_time_t now)
{
    /* RFC 3261 8.2.2.2: the same request again on another branch while the first is pending */
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *o = &calls[i];
        if (!o->used || !sip_str_eq_exact(m->call_id, o->a_call_id) ||
            !sip_str_eq_exact(m->from_tag, o->a_from_tag))
            continue;
        if (o->a_st == A_PROCEEDING && o->a_cseq == m->cseq) {
            ladder(o->no, LEG_A, false, raw, rawlen, NULL, "merged request");
            respond(LEG_A, o->no, m, src, 482, NULL, NULL, NULL, NULL);
            return;
        }
        if (o->retryable && !o->counted)
            o->superseded = true; /* the caller retries what it was told to change */
    }

    struct call *c = alloc_call();
    if (!c) {
        ladder(next_call_no, LEG_A, false, raw, rawlen, "SDP offer", NULL);
        respond(LEG_A, next_call_no, m, src, 503, NULL, "Retry-After: 5\r\n", "no free call slot",
                NULL);
        return;
    }
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->no = next_call_no++;
    c->confirmed = -1;
    c->fin_next = c->fin_deadline = c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
    c->linger_until = c->count_at = PRACK_TIME_NONE;
    ladder(c->no, LEG_A, false, raw, rawlen, "SDP offer", NULL);
    if (!sip_str_copy(c->a_call_id, sizeof(c->a_call_id), m->call_id) ||
        !sip_str_copy(c->a_from_tag, sizeof(c->a_from_tag), m->from_tag) ||
        !sip_str_copy(c->a_branch, sizeof(c->a_branch), m->branch)) {
        respond(LEG_A, c->no, m, src, 400, NULL, NULL, "header value too long", NULL);
        c->used = false;
        return;
    }
    ex_random_hex(c->a_to_tag, 16);
    c->a_cseq = c->a_remote_cseq = m->cseq;
    reply_addr(m, src, &c->a_peer);
    ex_local_for(sock, &opt.bind, &c->a_peer, &c->a_local);
    sip_uri_t ruri;
    if (sip_uri_parse(m->uri, &ruri))
        copy_user(c->a_user, sizeof(c->a_user), ruri.user);
    if (!a_copy_headers(c, m)) {
        respond(LEG_A, c->no, m, src, 513, c->a_to_tag, NULL, "headers too large", NULL);
        c->used = false;
        return;
    }
    c->a_st = A_PROCEEDING;

    /* loops through B2BUAs are real: Max-Forwards goes down by one here too */
    unsigned max_forwards = 70;
    const sip_header_t *mf = sip_find(m, SIP_H_MAX_FORWARDS, NULL);
    if (mf) {
        char v[16];
        unsigned long n;
        if (!sip_str_copy(v, sizeof(v), mf->value) || !ex_parse_uint(v, 0, 255, &n)) {
            a_local_final(c, 400, "Malformed Max-Forwards", now);
            return;
        }
        if (n == 0) {
            a_local_final(c, 483, NULL, now);
            return;
        }
        max_forwards = (unsigned)n - 1u;
    }
    int sup = sip_has_option(m, SIP_H_SUPPORTED, "100rel");
    int req = sip_has_option(m, SIP_H_REQUIRE, "100rel");
    if (sup < 0 || req < 0) {
        a_local_final(c, 400, "Malformed option tag list", now);
        return;
    }
    char unknown[256];
    if (unknown_required(m, unknown, sizeof(unknown))) {
        snprintf(c->fin_extra, sizeof(c->fin_extra), "Unsupported: %s\r\n", unknown);
        c->retryable = true;
        a_local_final(c, 420, NULL, now);
        return;
    }

    /* leg A's engine negotiates 100rel with the caller; 420/421 come from it */
    bool offer = sip_has_sdp(m);
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)opt.a_policy;
    prack_invite_t inv;
    ex_invite_facts(m, &inv);
    prack_actions_t acts;
    int rc = prack_uas_init(&c->uas, &cfg, &inv, ex_random32(), now, &acts);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_init: %s", prack_strerror(rc));
        a_local_final(c, 500, NULL, now);
        return;
    }
    c->uas_on = true;
    if (prack_uas_state(&c->uas) == PRACK_UAS_REJECTED) {
        c->failed = true;
        c->retryable = true;
        a_run(c, &acts, now, NULL, NULL);
        return;
    }
    /* the SDP goes through untouched: without an offer here there is nothing to relay */
    if (!offer || !body_keep(&c->offer, m->body)) {
        char hp[80];
        hostport(&c->a_local, hp, sizeof(hp));
        snprintf(c->fin_extra, sizeof(c->fin_extra), "Warning: 399 %s \"%s\"\r\n", hp,
                 offer ? "The SDP offer is too large to relay"
                       : "This B2BUA relays SDP and needs an offer in the INVITE");
        c->failed = true;
        a_final(c, 488, now);
        return;
    }
    /* 100 Trying goes through the engine too: it is never sent reliably (R4);
     * no body, so no slot and cookie 0 */
    if (prack_uas_send_1xx(&c->uas, now, 100, 0, 0, &acts) == PRACK_OK)
        a_run(c, &acts, now, NULL, NULL);
    b_start(c, max_forwards, now);
}

static void on_a_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                        prack_time_t now)
{
    if (m->to_tag.n == 0) {
        struct call *c = find_a_invite(m);
        if (c) {
            /* RFC 3261 17.2.1: a retransmission gets the last response again */
            ladder(c->no, LEG_A, false, raw, rawlen, NULL, "retransmission");
            if (c->a_last_len && c->a_st != A_CONFIRMED) {
                send_to(&c->a_peer, c->a_last, c->a_last_len);
                ladder(c->no, LEG_A, true, c->a_last, c->a_last_len, NULL, "retransmission");
            }
            return;
        }
        on_new_invite(m, src, raw, rawlen, now);
        return;
    }
    struct call *c = find_a_dialog(m);
    ladder(c ? c->no : 0, LEG_A, false, raw, rawlen, NULL, c ? "re-INVITE" : "unknown dialog");
    if (!c) {
        respond(LEG_A, 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    /* the session stays as it is: mid-call offers are not relayed by this example */
    char hp[80], extra[160];
    hostport(&c->a_local, hp, sizeof(hp));
    snprintf(extra, sizeof(extra), "Warning: 399 %s \"re-INVITE is not relayed\"\r\n", hp);
    respond(LEG_A, c->no, m, src, 488, NULL, extra, NULL, NULL);
}

static void on_a_ack(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    struct call *c = find_a_dialog(m);
    if (!c) {
        ladder(0, LEG_A, false, raw, rawlen, NULL, "no dialog: ignored");
        return;
    }
    if (c->a_st != A_COMPLETED || m->cseq != c->a_cseq) {
        ladder(c->no, LEG_A, false, raw, rawlen, NULL, "retransmission or re-INVITE: absorbed");
        return;
    }
    ladder(c->no, LEG_A, false, raw, rawlen, NULL, NULL);
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    if (c->a_final >= 300) {
        c->a_st = A_DONE; /* RFC 3261 17.2.1: the ACK ends the failed transaction */
        return;
    }
    c->a_st = A_CONFIRMED;
    note(c->no, "A: call established with the caller");
    if (c->bye_a_pending || c->b_st == B_DONE || c->b_st == B_BYE)
        a_send_bye(c, now, "the callee hung up");
}

static void on_a_prack(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                       prack_time_t now)
{
    struct call *c = find_a_dialog(m);
    if (!c) {
        /* a PRACK outside any dialog we know: the host's part of R16 */
        ladder(0, LEG_A, false, raw, rawlen, NULL, "unknown dialog");
        respond(LEG_A, 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (nist_again(c->no, LEG_A, c->nist_a, B2B_NIST_A, m, raw, rawlen))
        return;
    ladder(c->no, LEG_A, false, raw, rawlen, NULL, NULL);
    if (m->cseq < c->a_remote_cseq) {
        respond(LEG_A, c->no, m, src, 500, NULL, "Retry-After: 1\r\n", "CSeq out of order", NULL);
        return;
    }
    c->a_remote_cseq = m->cseq;
    struct nist *n = nist_a_next(c, m);
    if (!c->uas_on || c->over) {
        respond(LEG_A, c->no, m, src, 481, NULL, NULL, NULL, n);
        return;
    }
    stats.prack_rcvd++;

    /* the facts the engine wants: RAck (parsed with the library's helper) and SDP */
    prack_prack_t pr;
    ex_prack_facts(m, &pr);
    prack_actions_t acts;
    int rc = prack_uas_on_prack(&c->uas, now, &pr, &acts);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_on_prack: %s", prack_strerror(rc));
        respond(LEG_A, c->no, m, src, 500, NULL, NULL, NULL, n);
        return;
    }
    a_run(c, &acts, now, m, src);
}

static void on_a_bye(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                     prack_time_t now)
{
    struct call *c = find_a_dialog(m);
    if (!c) {
        ladder(0, LEG_A, false, raw, rawlen, NULL, "unknown dialog");
        respond(LEG_A, 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (nist_again(c->no, LEG_A, c->nist_a, B2B_NIST_A, m, raw, rawlen))
        return;
    ladder(c->no, LEG_A, false, raw, rawlen, NULL, NULL);
    if (m->cseq < c->a_remote_cseq) {
        respond(LEG_A, c->no, m, src, 500, NULL, "Retry-After: 1\r\n", "CSeq out of order", NULL);
        return;
    }
    c->a_remote_cseq = m->cseq;
    respond(LEG_A, c->no, m, src, 200, NULL, NULL, NULL, nist_a_next(c, m));
    switch (c->a_st) {
    case A_PROCEEDING: {
        /* RFC 3261 15.1.2: a BYE on the early dialog ends the INVITE with 487 */
        prack_actions_t acts;
        if (c->uas_on && prack_uas_cancel(&c->uas, now, &acts) == PRACK_OK)
            a_run(c, &acts, now, NULL, NULL);
        break;
    }
    case A_COMPLETED:
        if (c->a_final >= 300)
            break;
        /* the BYE overtook the ACK: the dialog was confirmed all the same */
        c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
        c->a_st = A_DONE;
        stop_b(c, now);
        break;
    case A_CONFIRMED:
        c->a_st = A_DONE;
        stop_b(c, now);
        break;
    case A_BYE: break; /* BYEs crossed; ours still waits for its answer */
    default: break;
    }
}

static void on_a_cancel(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                        prack_time_t now)
{
    struct call *c = m->to_tag.n ? NULL : find_a_invite(m);
    if (!c || c->a_cseq != m->cseq) {
        ladder(c ? c->no : 0, LEG_A, false, raw, rawlen, NULL, "no matching INVITE");
        respond(LEG_A, c ? c->no : 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    ladder(c->no, LEG_A, false, raw, rawlen, NULL, NULL);
    respond(LEG_A, c->no, m, src, 200, c->a_to_tag, NULL, NULL, NULL);
    if (c->a_st != A_PROCEEDING || !c->uas_on)
        return; /* the final went out already: the CANCEL changes nothing */
    prack_actions_t acts;
    if (prack_uas_cancel(&c->uas, now, &acts) == PRACK_OK)
        a_run(c, &acts, now, NULL, NULL); /* 487, then CANCEL on leg B */
}

static void on_other_request(enum leg leg, struct call *c, const sip_msg_t *m, const ex_addr_t *src,
                             const char *raw, size_t rawlen)
{
    static const char *const known[] = { "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER",
                                         "MESSAGE",  "INFO",      "UPDATE", "PUBLISH" };
    unsigned no = c ? c->no : 0;
    ladder(no, leg, false, raw, rawlen, NULL, NULL);
    if (sip_str_eq_exact(m->method, "OPTIONS")) {
        respond(leg, no, m, src, 200, NULL,
                opt.a_policy != PRACK_POLICY_OFF
                    ? "Allow: " B2B_ALLOW "\r\nAccept: application/sdp\r\nSupported: 100rel\r\n"
                    : "Allow: " B2B_ALLOW "\r\nAccept: application/sdp\r\n",
                NULL, NULL);
        return;
    }
    if (m->to_tag.n && !c) {
        respond(leg, no, m, src, 481, NULL, NULL, "unknown dialog", NULL);
        return;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (sip_str_eq_exact(m->method, known[i])) {
            respond(leg, no, m, src, 405, NULL, "Allow: " B2B_ALLOW "\r\n", "not relayed", NULL);
            return;
        }
    }
    respond(leg, no, m, src, 501, NULL, "Allow: " B2B_ALLOW "\r\n", NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Requests from the callee (leg B) */

static struct fork *b_request_fork(struct call *c, const sip_msg_t *m)
{
    /* the callee's requests carry our tag in To and the fork's in From */
    if (!sip_str_eq_exact(m->to_tag, c->b_from_tag))
        return NULL;
    for (unsigned i = 0; i < c->nforks; i++)
        if (sip_str_eq_exact(m->from_tag, c->forks[i].to_tag))
            return &c->forks[i];
    return NULL;
}

static void on_b_request(struct call *c, const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                         size_t rawlen, prack_time_t now)
{
    struct fork *f = b_request_fork(c, m);
    bool bye = sip_str_eq_exact(m->method, "BYE");
    if (bye && f && nist_again(c->no, LEG_B, &c->nist_b, 1, m, raw, rawlen))
        return;
    if (sip_str_eq_exact(m->method, "ACK")) {
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "ignored");
        return;
    }
    if (sip_str_eq_exact(m->method, "PRACK") || sip_str_eq_exact(m->method, "CANCEL")) {
        /* no reliable 1xx and no INVITE of the callee's exist on leg B */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "nothing to match");
        respond(LEG_B, c->no, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (!bye && !sip_str_eq_exact(m->method, "INVITE")) {
        on_other_request(LEG_B, f ? c : NULL, m, src, raw, rawlen);
        return;
    }
    ladder(c->no, LEG_B, false, raw, rawlen, NULL, f ? NULL : "unknown dialog");
    if (!f) {
        respond(LEG_B, c->no, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (!bye) {
        char hp[80], extra[160];
        b_hostport(c, hp, sizeof(hp));
        snprintf(extra, sizeof(extra), "Warning: 399 %s \"re-INVITE is not relayed\"\r\n", hp);
        respond(LEG_B, c->no, m, src, 488, NULL, extra, NULL, NULL);
        return;
    }
    nist_begin(&c->nist_b, m);
    respond(LEG_B, c->no, m, src, 200, NULL, NULL, NULL, &c->nist_b);
    if ((int)(f - c->forks) != c->confirmed || c->b_st != B_CONFIRMED)
        return; /* a BYE that crossed ours, or on a dialog we left already */
    c->b_st = B_DONE;
    /* a callee hanging up before the caller saw the 2xx: the held 2xx is replaced */
    stop_a(c, 487, now, "the callee hung up");
}

/* ------------------------------------------------------------------------- */
/* Responses */

static void on_response(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (!c->used)
            continue;
        bool leg_b = c->b_call_id[0] && sip_str_eq_exact(m->call_id, c->b_call_id) &&
                     sip_str_eq_exact(m->from_tag, c->b_from_tag);
        bool leg_a = sip_str_eq_exact(m->call_id, c->a_call_id) &&
                     sip_str_eq_exact(m->from_tag, c->a_to_tag);
        if (!leg_a && !leg_b)
            continue;
        if (leg_b && sip_str_eq_exact(m->cseq_method, "INVITE")) {
            if (!sip_str_eq_exact(m->branch, c->b_branch) || m->cseq != c->b_cseq) {
                if (m->status >= 300 && c->b_nack_len && sip_str_eq_exact(m->branch, c->b_nack_branch)) {
                    /* the final of the INVITE a 420/421 retry replaced: the same ACK again */
                    ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
                    send_to(&opt.next, c->b_nack, c->b_nack_len);
                    ladder(c->no, LEG_B, true, c->b_nack, c->b_nack_len, NULL, "retransmission");
                } else {
                    ladder(c->no, LEG_B, false, raw, rawlen, NULL, "earlier INVITE: ignored");
                }
                return;
            }
            if (c->over && m->status < 300) {
                const struct fork *f = b_fork(c, m, false);
                if (m->status >= 200 && f && f->confirmed)
                    b_on_2xx(c, m, raw, rawlen, now); /* only ACKs it again */
                else
                    ladder(c->no, LEG_B, false, raw, rawlen, NULL, "call over: ignored");
                return;
            }
            if (m->status < 200)
                b_on_1xx(c, m, raw, rawlen, now);
            else if (m->status < 300)
                b_on_2xx(c, m, raw, rawlen, now);
            else
                b_on_final(c, m, raw, rawlen, now);
            return;
        }
        enum leg leg = leg_b ? LEG_B : LEG_A;
        for (size_t k = 0; k < B2B_MAX_TXNS; k++) {
            struct txn *t = &c->txn[k];
            const char *method = t->kind == T_PRACK ? "PRACK" : t->kind == T_BYE ? "BYE" : "CANCEL";
            if (t->used && t->leg == leg && sip_str_eq_exact(m->branch, t->branch) &&
                m->cseq == t->cseq && sip_str_eq_exact(m->cseq_method, method)) {
                b_on_txn_response(c, t, m, raw, rawlen, now);
                return;
            }
        }
        ladder(c->no, leg, false, raw, rawlen, NULL, "no transaction: ignored");
        return;
    }
    ladder(0, LEG_B, false, raw, rawlen, NULL, "stray response: ignored");
}

static void on_datagram(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
{
    static sip_msg_t m;
    static char raw[SIP_MAX_DGRAM + 1];
    memcpy(raw, buf, len); /* the parser joins folded lines in place; the ladder wants the original */
    sip_err_t err = sip_parse(buf, len, &m);
    if (err == SIP_E_EMPTY)
        return;
    if (err != SIP_OK) {
        ladder(0, LEG_A, false, raw, len, NULL, NULL);
        /* RFC 3261 21.4.1: 400 when an answer can still be addressed; never to an ACK */
        if (m.request && !sip_str_eq_exact(m.method, "ACK") && sip_find(&m, SIP_H_VIA, NULL) &&
            sip_find(&m, SIP_H_FROM, NULL) && sip_find(&m, SIP_H_TO, NULL) &&
            sip_find(&m, SIP_H_CALL_ID, NULL) && sip_find(&m, SIP_H_CSEQ, NULL) &&
            m.via_host.n) {
            char tag[24];
            ex_random_hex(tag, 16);
            respond(LEG_A, 0, &m, src, 400, tag, NULL, sip_strerror(err), NULL);
        } else {
            note(0, "dropped: %s", sip_strerror(err));
        }
        return;
    }
    if (!m.request) {
        on_response(&m, raw, len, now);
        return;
    }
    struct call *bc = find_b_call(&m);
    if (bc) {
        on_b_request(bc, &m, src, raw, len, now);
        return;
    }
    if (sip_str_eq_exact(m.method, "INVITE"))
        on_a_invite(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "ACK"))
        on_a_ack(&m, raw, len, now);
    else if (sip_str_eq_exact(m.method, "PRACK"))
        on_a_prack(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "BYE"))
        on_a_bye(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "CANCEL"))
        on_a_cancel(&m, src, raw, len, now);
    else
        on_other_request(LEG_A, m.to_tag.n ? find_a_dialog(&m) : NULL, &m, src, raw, len);
}

/* ------------------------------------------------------------------------- */
/* Timers */

static prack_time_t call_deadline(const struct call *c)
{
    prack_time_t d = ex_min(c->linger_until, c->count_at);
    if (c->over)
        return d;
    if (c->uas_on)
        d = ex_min(d, prack_next_deadline(&c->uas));
    d = ex_min(d, c->fin_next);
    d = ex_min(d, c->fin_deadline);
    d = ex_min(d, c->b_a_next);
    d = ex_min(d, c->b_deadline);
    for (size_t i = 0; i < B2B_MAX_TXNS; i++)
        if (c->txn[i].used)
            d = ex_min(d, ex_nict_deadline(&c->txn[i].t));
    return d;
}

static void txn_timeout(struct call *c, struct txn *t, prack_time_t now)
{
    static const char *const names[] = { "PRACK", "BYE", "CANCEL" };
    t->used = false;
    note(c->no, "%c: %s timed out (Timer F)", t->leg == LEG_A ? 'A' : 'B', names[t->kind]);
    switch (t->kind) {
    case T_PRACK: {
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = 408; /* the engine takes a transaction timeout as 408 */
        r.method = PRACK_METHOD_PRACK;
        r.cseq = t->cseq;
        r.rseq = t->rseq;
        prack_actions_t acts;
        if (prack_on_response(&c->uac, &c->forks[t->fork].eng, now, &r, &acts) == PRACK_OK)
            b_run(c, &c->forks[t->fork], NULL, &acts, now);
        break;
    }
    case T_BYE:
        c->failed = true;
        if (t->leg == LEG_A)
            c->a_st = A_DONE;
        else if ((int)t->fork == c->confirmed)
            c->b_st = B_DONE;
        break;
    case T_CANCEL: break; /* b_deadline ends the wait for the 487 */
    }
}

static void call_timers(struct call *c, prack_time_t now)
{
    prack_actions_t acts;
    if (!c->over) {
        if (c->uas_on && prack_next_deadline(&c->uas) <= now &&
            prack_on_timer(&c->uas, now, &acts) == PRACK_OK)
            a_run(c, &acts, now, NULL, NULL); /* reliable 1xx retransmissions, 64*T1 give-up */
        if (c->fin_deadline <= now) {
            c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
            c->failed = true;
            if (c->a_final < 300 && c->a_st == A_COMPLETED) {
                note(c->no, "A: no ACK for the %u within 64*T1", c->a_final);
                a_send_bye(c, now, "ACK not received");
                stop_b(c, now);
            } else if (c->a_st == A_COMPLETED) {
                note(c->no, "A: no ACK for the %u within 64*T1 (Timer H)", c->a_final);
                c->a_st = A_DONE;
            }
        }
        if (c->fin_next <= now && c->a_st == A_COMPLETED) {
            /* RFC 3261 13.3.1.4 and 17.2.1: T1 doubling, capped at T2 */
            send_to(&c->a_peer, c->a_last, c->a_last_len);
            ladder(c->no, LEG_A, true, c->a_last, c->a_last_len, NULL, "retransmission");
            c->fin_interval = c->fin_interval * 2u < EX_T2_MS ? c->fin_interval * 2u : EX_T2_MS;
            c->fin_next = now + c->fin_interval;
        }
        if (c->b_a_next <= now && c->b_st == B_CALLING) {
            /* Timer A: the INVITE again, the interval doubling */
            send_to(&opt.next, c->b_invite, c->b_invite_len);
            ladder(c->no, LEG_B, true, c->b_invite, c->b_invite_len, "SDP offer", "retransmission");
            c->b_a_interval *= 2u;
            c->b_a_next = now + c->b_a_interval;
        }
        if (c->b_deadline <= now) {
            c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
            if (c->b_st == B_CALLING) {
                /* Timer B: the callee never answered */
                note(c->no, "B: no response within 64*T1 (Timer B)");
                c->b_st = B_DONE;
                c->b_final = 408;
                c->failed = true;
                a_final(c, 408, now);
            } else if (c->b_st == B_CANCELLING) {
                note(c->no, "B: no final after our CANCEL within 64*T1");
                c->b_st = B_DONE;
            }
        }
        for (size_t i = 0; i < B2B_MAX_TXNS; i++) {
            struct txn *t = &c->txn[i];
            if (!t->used)
                continue;
            int r = ex_nict_tick(&t->t, now);
            if (r > 0) {
                /* Timer E */
                send_to(&t->dest, t->msg, t->len);
                ladder(c->no, t->leg, true, t->msg, t->len, NULL, "retransmission");
            } else if (r < 0) {
                txn_timeout(c, t, now);
            }
        }
    }
    if (c->count_at <= now)
        count_call(c);
    if (c->over && c->linger_until <= now)
        free_call(c);
}

/* ------------------------------------------------------------------------- */
/* Options and main loop */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: prack-b2bua --next HOST:PORT [options]\n"
            "A SIP back-to-back UA over UDP that interworks 100rel (RFC 3262) between a caller\n"
            "(leg A) and a callee (leg B). It relays SDP unchanged and needs an offer in the\n"
            "caller's INVITE.\n"
            "\n"
            "  --bind HOST:PORT        local address for both legs (default 127.0.0.1:5070)\n"
            "  --next HOST:PORT        where leg B goes: the callee\n"
            "  --a-100rel MODE         off | supported | required towards the caller\n"
            "                          (default supported)\n"
            "  --b-100rel MODE         off | supported | required towards the callee\n"
            "                          (default off)\n"
            "  --t1 MS                 T1 (default 500)\n"
            "  --calls N               exit after N calls (default: until interrupted)\n"
            EX_USAGE_COMMON
            "\n" EX_USAGE_LADDER
            "ARROW is 'A: caller -> B2BUA', 'A: caller <- B2BUA', 'B: B2BUA -> callee' or\n"
            "'B: B2BUA <- callee'; event lines start with A: or B: for the leg's engine.\n"
            "\n"
            "A call is ok when the caller got the final the callee gave and both legs\n"
            "ended cleanly. Exit status: 0 when every call was ok and none is left in\n"
            "progress; 1 when a call failed or the socket could not be opened; 2 on a bad\n"
            "option.\n");
}

static void parse_args(int argc, char **argv)
{
    const char *bind_text = "127.0.0.1:5070", *next_text = NULL;
    ex_common_opts_t common = {"127.0.0.1:5070", PRACK_DEFAULT_T1_MS, 0};
    opt.a_policy = PRACK_POLICY_SUPPORTED;
    opt.b_policy = PRACK_POLICY_OFF;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (ex_common_opt(argc, argv, &i, usage, &common)) {
            continue;
        } else if ((v = ex_opt(argc, argv, &i, "--next")) != NULL) {
            next_text = v;
        } else if ((v = ex_opt(argc, argv, &i, "--a-100rel")) != NULL) {
            if (!ex_parse_policy(v, &opt.a_policy))
                ex_usage_error(ex_prog, "--a-100rel: off, supported or required");
        } else if ((v = ex_opt(argc, argv, &i, "--b-100rel")) != NULL) {
            if (!ex_parse_policy(v, &opt.b_policy))
                ex_usage_error(ex_prog, "--b-100rel: off, supported or required");
        } else {
            ex_usage_error(ex_prog, "unknown argument '%s'", argv[i]);
        }
    }
    bind_text = common.bind_text;
    opt.t1 = common.t1;
    opt.calls = common.calls;
    if (!next_text)
        ex_usage_error(ex_prog, "--next HOST:PORT is required");
    if (ex_addr_parse(bind_text, 5070, &opt.bind) != 0)
        ex_usage_error(ex_prog, "--bind: cannot use '%s'", bind_text);
    if (ex_addr_parse(next_text, 5060, &opt.next) != 0)
        ex_usage_error(ex_prog, "--next: cannot use '%s'", next_text);
    if (ex_addr_is_v6(&opt.bind) != ex_addr_is_v6(&opt.next))
        ex_usage_error(ex_prog, "--bind and --next must both be IPv4 or both IPv6 (one socket)");
}

int main(int argc, char **argv)
{
    ex_prog = "prack-b2bua";
    ex_clock_start();
    clock_gettime(CLOCK_MONOTONIC, &ladder_origin);
    ex_random_init();
    parse_args(argc, argv);
    ex_show_call_no = opt.calls != 1;
    ex_signals();

    sock = ex_udp_open(&opt.bind);
    if (sock < 0) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        fprintf(stderr, "prack-b2bua: cannot bind %s: %s\n", a, strerror(errno));
        return 1;
    }
    if (!ex_quiet) {
        char a[80], n[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        ex_addr_str(&opt.next, n, sizeof(n));
        printf("prack-b2bua on %s, callee at %s (libprack %s, 100rel A %s / B %s, T1 %u ms)\n", a,
               n, prack_version(), ex_policy_name(opt.a_policy), ex_policy_name(opt.b_policy),
               opt.t1);
        fflush(stdout);
    }

    static char buf[SIP_MAX_DGRAM + 1];
    while (!ex_stop && !(opt.calls && stats.done >= opt.calls)) {
        prack_time_t now = ex_now();
        prack_time_t next = PRACK_TIME_NONE;
        for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
            struct call *c = &calls[i];
            if (!c->used)
                continue;
            if (call_deadline(c) <= now)
                call_timers(c, now);
            check_over(c, now);
            if (c->used)
                next = ex_min(next, call_deadline(c));
        }
        if (opt.calls && stats.done >= opt.calls)
            break;
        if (ex_poll_receive(sock, now, next, buf, on_datagram) < 0)
            break;
    }

    unsigned active = 0;
    for (size_t i = 0; i < B2B_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (!c->used)
            continue;
        if (c->over && c->count_at != PRACK_TIME_NONE)
            count_call(c);
        else if (!c->over && !c->superseded)
            active++;
    }
    close(sock);
    ex_result("b2bua", stats.done, stats.ok, stats.last_final, stats.prack_sent, stats.prack_rcvd,
              stats.rel1xx);
    return (stats.ok == stats.done && active == 0) ? 0 : 1;
}
