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
 * and answers the caller's PRACKs whatever the callee supports. It relays
 * bodies without terminating media: each offer and answer goes to the other
 * leg unchanged, in the message that leg allows (a late offer from the callee
 * may reach a caller without 100rel only in a 2xx, and the caller's answer in
 * its ACK then goes into the PRACK leg B held back). re-INVITEs and UPDATEs go
 * across too (struct mid), an UPDATE as a re-INVITE towards an end without
 * UPDATE, and the callee's challenges go to the caller, whose credentials come
 * back. doc/interworking.md draws each case.
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
#include "host.h"
#include "sipmsg.h"

/* Early dialogs (forks) per call on leg B. */
#define B2B_MAX_FORKS 4u
/* Non-INVITE client transactions in progress per call (PRACK, BYE, CANCEL, UPDATE). */
#define B2B_MAX_TXNS 8u
/* Largest message built or relayed: one UDP datagram. */
#define B2B_MSG_MAX SIP_MAX_DGRAM
/* Bodies of leg A's 1xx that its engine still holds a cookie for: the
 * unacknowledged one, the queued ones, and the one being handed over. */
#define B2B_SLOTS (PRACK_UAS_QUEUE_MAX + 2u)
/* Requests of the caller remembered with their answers (PRACK, BYE, UPDATE). */
#define B2B_NIST_A 4u
#define B2B_NIST_B 2u
#define B2B_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, OPTIONS"
#define B2B_USER "prack-b2bua"

/* What an UPDATE in a confirmed dialog becomes on a leg whose Allow lacks UPDATE. */
enum interwork { IW_REINVITE, IW_OFF };

static struct options {
    ex_addr_t bind;
    ex_addr_t next;
    prack_policy_t policy[2];      /* --a-100rel, --b-100rel */
    prack_failure_t on_failure[2]; /* --a-prack-failure, --b-prack-failure */
    enum interwork interwork[2];   /* --a-update, --b-update */
    uint32_t t1;
    unsigned long calls;     /* 0: until interrupted */
    unsigned long max_calls; /* --max-calls: one more INVITE gets 503 */
} opt;

/* A body with its Content-Type, as received; both allocated at their size
 * (any body that fits a datagram goes through: SDP with ISUP in
 * multipart/mixed, say). */
typedef struct body {
    size_t len;
    char *p;
    char *type; /* NULL: none */
} body_t;

/* A message kept for retransmission, allocated at its size. */
typedef struct smsg {
    size_t len;
    char *p;
} smsg_t;

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

/* Whether a peer listed UPDATE in its Allow (RFC 3311 5.1). */
enum allow { ALLOW_UNKNOWN = 0, ALLOW_NO, ALLOW_YES };

struct fork {
    unsigned no;            /* 1, 2, ... in order of appearance */
    char *to_tag;
    char *to_hdr;           /* the To value with its tag, for our requests */
    char *target;           /* remote target: the Contact of its responses */
    char *route;            /* Route value: its Record-Route list reversed */
    char *first_route;      /* where requests go when there is a route set */
    uint32_t local_cseq;    /* the last CSeq we used on it (starts at the INVITE's) */
    prack_uac_dialog_t eng; /* libprack's per-dialog state (its RSeq space) */
    body_t sdp;             /* the last SDP of its 1xx: the answer, if its 2xx has none */
    bool confirmed;         /* a 2xx arrived on it and was acknowledged */
    bool reliable_oa;       /* offer and answer went in a reliable 1xx and its PRACK */
    uint32_t last_1xx;      /* hash of its last unreliable 1xx, to spot a repeat */
    enum allow update;      /* its Allow */
};

enum txn_kind { T_PRACK, T_BYE, T_CANCEL, T_UPDATE };

struct txn {
    ex_hnode_t node;     /* in host.ctx while used: branch, method */
    struct call *call;
    bool used;
    bool mid;      /* PRACK for a 1xx to our re-INVITE: the engines of struct mid */
    enum leg leg;
    enum txn_kind kind;
    unsigned fork;
    uint32_t cseq;
    uint32_t rseq; /* PRACK: the RAck response-num */
    bool oa_body;  /* PRACK: carries the answer to the 1xx's offer */
    char branch[32];
    smsg_t msg;
    ex_addr_t dest;
    ex_nict_t t;
};

/* A non-INVITE request received on a leg and our answer, for its retransmissions. */
struct nist {
    char *branch;
    char method[16];
    uint32_t cseq;
    smsg_t rsp;
    ex_addr_t to;
};

/*
 * A re-INVITE or UPDATE relayed from one leg (`from`, where the B2BUA is its
 * UAS) to the other (where it is the UAC), one at a time per call; a second
 * one meets 491 or 500 as RFC 3261 14.2, RFC 3311 5.2 and RFC 6337 4.3 say.
 */
struct mid {
    bool on;
    enum leg from;
    bool in_update;  /* received as UPDATE */
    bool out_update; /* sent as UPDATE (else as re-INVITE) */
    bool early;      /* an UPDATE in the early dialog */
    bool offer_in;   /* the request carried an offer */
    body_t offer;    /* its body */
    char *auth;      /* its Authorization lines, for the other leg */
    char *s_extra;      /* header lines of the other leg's final to pass on (challenges) */
    /* server side, on `from` */
    char *s_hdrs;       /* Via..CSeq of our responses */
    char s_branch[128];
    uint32_t s_cseq;
    ex_addr_t s_peer;
    prack_uas_t uas;    /* a re-INVITE's reliable 1xx towards `from` */
    bool uas_on;
    struct slot slot;   /* the body of its one 1xx in flight (cookie 1) */
    smsg_t s_last;      /* what a retransmission of the request gets */
    smsg_t s_rel;       /* the unacknowledged reliable 1xx */
    uint16_t s_final;
    prack_time_t s_next, s_interval, s_deadline;
    body_t answer;      /* body of the final from the other leg */
    /* client side, on the other leg */
    uint32_t c_cseq;
    char c_branch[32];
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    smsg_t c_req;
    ex_addr_t c_dest;
    prack_time_t c_next, c_interval, c_deadline;
    bool c_proceeding;
    bool c_final;
    bool ack_wait;      /* our re-INVITE had no offer: its ACK carries the answer from `from` */
    /* our re-INVITE had no offer, and the offer came in a reliable 1xx that went
     * on to `from` reliably: our PRACK waits for the answer in `from`'s PRACK */
    bool prack_wait;
    bool oa_1xx;        /* offer and answer went in a 1xx and its PRACK */
    uint32_t prack_wait_rseq, prack_wait_cseq;
    smsg_t c_ack;
};

struct call {
    ex_timer_t timer;    /* the earliest deadline of both legs (call_deadline) */
    ex_hnode_t a_node;   /* in a_calls: Call-ID and From tag of the caller */
    ex_hnode_t b_node;   /* in b_calls: leg B's Call-ID */
    ex_link_t all_link;    /* in all_calls */
    ex_link_t linger_link; /* in lingering: the calls that are over, oldest first */
    bool used;
    bool over; /* both legs ended; kept a while for retransmissions */
    unsigned no;

    /* leg A: we are the UAS */
    enum a_state a_st;
    char *a_call_id;
    char *a_from_tag;
    char a_to_tag[24];
    char *a_branch;
    char a_user[64];       /* user part of the Request-URI, reused on leg B */
    uint32_t a_cseq;       /* the INVITE's */
    uint32_t a_remote_cseq;
    uint32_t a_local_cseq; /* for requests of ours */
    ex_addr_t a_peer;      /* where responses go (RFC 3261 18.2.2) */
    ex_addr_t a_local;     /* our address towards the caller */
    char *a_hdrs;          /* Via..CSeq of every response to the INVITE, our tag included */
    char *a_rr;            /* Record-Route lines, copied into 1xx and 2xx */
    char *a_route;         /* the caller's route set, for our requests (RFC 3261 12.1.1) */
    char *a_first_route;
    char *a_target;        /* the caller's Contact */
    char *a_remote;        /* the caller's From: To of our requests */
    char *a_local_party;   /* its To with our tag: From of our requests */
    char *a_auth;          /* the caller's Authorization lines, relayed to leg B */
    enum allow a_update;   /* the caller's Allow */
    prack_uas_t uas;       /* its queue of reliable 1xx is inside */
    bool uas_on;
    bool a_oa_done;        /* a reliable 1xx with SDP was PRACKed on leg A */
    struct slot slots[B2B_SLOTS];
    smsg_t a_last;         /* what an INVITE retransmission gets */
    smsg_t a_rel;          /* the unacknowledged reliable 1xx, resent byte for byte */
    uint16_t a_final;
    body_t fin_body;       /* body of the 2xx to A, also while the engine holds it */
    char *fin_extra;       /* extra header lines for the next final to A */
    prack_time_t fin_next, fin_interval, fin_deadline;
    bool bye_a_pending;    /* the callee hung up before the caller's ACK */
    body_t offer;          /* the caller's offer, if its INVITE had one */
    body_t a_answer;       /* the caller's answer to the callee's offer (late offer) */
    /* a PRACK may be retransmitted after the next PRACK or the BYE arrived; only
     * this store answers it again: leg A's engine answers a new PRACK for an
     * acknowledged 1xx with 481 (R16) */
    struct nist nist_a[B2B_NIST_A];
    unsigned nist_a_cur;   /* the one being answered now */

    /* late offer: the INVITE had no SDP, the callee makes the offer */
    bool late;
    bool a_offer_sent;     /* the callee's offer went to the caller */
    bool a_early_2xx;      /* ... in a 2xx sent before the callee answered */
    int prack_wait;        /* fork whose PRACK waits for the caller's answer, or -1 */
    uint32_t prack_wait_rseq, prack_wait_cseq;
    bool b_ack_wait;       /* leg B's 2xx had the offer: its ACK waits for the caller's ACK */

    /* leg B: we are the UAC */
    enum b_state b_st;
    char b_call_id[96];
    char b_from_tag[24];
    char *b_from;
    char *b_ruri;
    char *b_to;
    char b_branch[32];
    unsigned b_max_forwards;
    uint32_t b_cseq;
    uint32_t b_remote_cseq;
    ex_addr_t b_local;
    prack_uac_t uac;
    prack_policy_t b_policy;
    smsg_t b_invite;
    prack_time_t b_a_next, b_a_interval, b_deadline;
    bool cancel_pending; /* CANCEL waits for a provisional (RFC 3261 9.1) */
    bool b_retry;        /* the UAC engine suggested a new INVITE (420/421) */
    prack_option_t b_retry_option;
    bool b_retried;
    struct fork forks[B2B_MAX_FORKS];
    unsigned nforks;
    int confirmed;       /* index of the fork the call went on with, or -1 */
    int early_fork;      /* the fork of the last reliable offer/answer, or -1 */
    smsg_t b_ack;        /* the ACK of its 2xx, for 2xx retransmissions */
    ex_addr_t b_ack_dest;
    smsg_t b_nack;       /* the ACK of a non-2xx final */
    char b_nack_branch[32];
    uint16_t b_final;
    struct nist nist_b[B2B_NIST_B];
    unsigned nist_b_cur;
    struct txn *txn[B2B_MAX_TXNS]; /* allocated when first needed */

    struct mid mid;

    /* outcome */
    bool failed;
    bool retryable;  /* rejected at negotiation or challenged: the caller may retry at once */
    bool challenged; /* the callee's 401/407 went to the caller */
    bool superseded; /* ... and it did */
    bool counted;
    prack_time_t linger_until, count_at;
};

/* One host for both legs: socket, timer heap, client transactions. */
static ex_host_t host;
static ex_htab_t a_calls, b_calls;
static ex_list_t all_calls, lingering;
static unsigned long ncalls;
static unsigned next_call_no = 1;

static struct stats {
    unsigned done, ok, last_final, prack_sent, prack_rcvd, rel1xx;
} stats;

static void a_run(struct call *c, const prack_actions_t *acts, prack_time_t now,
                  const sip_msg_t *prack, const ex_addr_t *src);
static void a_final(struct call *c, uint16_t status, prack_time_t now);
static void stop_b(struct call *c, prack_time_t now);
static void b_prack_answer(struct call *c, const sip_msg_t *from, prack_time_t now);
static void stop_a(struct call *c, uint16_t status, prack_time_t now, const char *why);

static bool has_sdp(const sip_msg_t *m);

/* ------------------------------------------------------------------------- */
/* Header text a call keeps (header blocks, route sets, credentials, URIs): a
 * heap string of its size, NULL for none, read through HS(). Each keeps the
 * cap it had as a fixed field, so that what was too long still is. */

#define HS(p) ((p) ? (const char *)(p) : "")
#define CAP_TAG 128u
#define CAP_CALL_ID 256u
#define CAP_URI 256u
#define CAP_NAMEADDR 512u
#define CAP_ROUTE 1024u
#define CAP_HDRS 2048u
#define CAP_AUTH 4096u
#define CAP_EXTRA 4096u

static char hs_tmp[CAP_AUTH + CAP_EXTRA];

static bool hs_set(char **dst, const char *p, size_t n)
{
    if (n == 0) {
        free(*dst);
        *dst = NULL;
        return true;
    }
    char *q = realloc(*dst, n + 1u);
    if (!q) {
        free(*dst);
        *dst = NULL;
        return false;
    }
    memmove(q, p, n);
    q[n] = '\0';
    *dst = q;
    return true;
}

static void hs_clear(char **dst)
{
    hs_set(dst, "", 0);
}

/* sip_str_copy() into a heap string: none kept and false when s has cap bytes or more. */
static bool hs_str(char **dst, size_t cap, sip_str_t s)
{
    if (s.n >= cap) {
        hs_clear(dst);
        return false;
    }
    return hs_set(dst, s.p, s.n);
}

/* snprintf() into a heap string of at most cap - 1 bytes: false when it was cut. */
static bool hs_fmt(char **dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool hs_fmt(char **dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (cap > sizeof(hs_tmp))
        cap = sizeof(hs_tmp);
    va_start(ap, fmt);
    int n = vsnprintf(hs_tmp, cap, fmt, ap);
    va_end(ap);
    if (n < 0) {
        hs_clear(dst);
        return false;
    }
    size_t len = (size_t)n < cap ? (size_t)n : cap - 1u;
    return hs_set(dst, hs_tmp, len) && (size_t)n < cap;
}

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
        if (sip_str_eq_exact(m.method, "INVITE")) {
            /* a re-INVITE names only the option tag it has */
            if (sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
                note_add(notes, sizeof(notes), "Require: 100rel");
            else if (sip_has_option(&m, SIP_H_SUPPORTED, "100rel") > 0)
                note_add(notes, sizeof(notes), "Supported: 100rel");
            else if (!m.to_tag.n)
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
    if (err == SIP_OK && has_sdp(&m))
        note_add(notes, sizeof(notes), sdp_role ? sdp_role : "SDP");
    if (err == SIP_OK && m.body.n && !sip_has_sdp(&m)) {
        /* a body other than plain SDP: its type and size */
        char what[96];
        snprintf(what, sizeof(what), "%.*s, %zu bytes",
                 (int)(m.content_type.n > 40 ? 40 : m.content_type.n), m.content_type.p, m.body.n);
        char *semi = strchr(what, ';');
        if (semi)
            snprintf(semi, sizeof(what) - (size_t)(semi - what), ", %zu bytes", m.body.n);
        note_add(notes, sizeof(notes), what);
    }
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

/* Keep n bytes in a body or stored message, in a block of exactly that size
 * (none for 0 bytes). */
static bool blob_store(char **dst, size_t *len, const char *p, size_t n)
{
    if (n == 0) {
        free(*dst);
        *dst = NULL;
        *len = 0;
        return true;
    }
    char *q = realloc(*dst, n);
    if (!q) {
        ex_warn("out of memory for %zu bytes", n);
        free(*dst);
        *dst = NULL;
        *len = 0;
        return false;
    }
    memmove(q, p, n);
    *dst = q;
    *len = n;
    return true;
}

#define BLOB_SET(c, b, src, n) ((void)(c), blob_store(&(b)->p, &(b)->len, (src), (n)))
#define BLOB_P(b) ((const char *)(b)->p)

static void body_free(body_t *b)
{
    free(b->p);
    free(b->type);
    b->p = b->type = NULL;
    b->len = 0;
}

static void smsg_free(smsg_t *m)
{
    free(m->p);
    m->p = NULL;
    m->len = 0;
}

/* Whether a message carries a session description: application/sdp, or a
 * multipart body with an application/sdp part (RFC 5621). */
static bool has_sdp(const sip_msg_t *m)
{
    if (sip_has_sdp(m))
        return true;
    if (!m->body.n || m->content_type.n < 10 || !sip_str_eq((sip_str_t){m->content_type.p, 10}, "multipart/"))
        return false;
    static const char needle[] = "application/sdp";
    const size_t k = sizeof(needle) - 1u;
    for (size_t i = 0; i + k <= m->body.n; i++) {
        if (sip_str_eq((sip_str_t){m->body.p + i, k}, needle))
            return true;
    }
    return false;
}

/* The body of a message with its Content-Type, whatever the type; false (and
 * nothing kept) when it has none or it does not fit. */
static bool body_keep(const struct call *c, body_t *b, const sip_msg_t *m)
{
    (void)c;
    body_free(b);
    /* a Content-Type of 128 bytes or more is refused, as when it had a fixed field */
    if (!m->body.n || m->content_type.n >= 128u)
        return false;
    if (m->content_type.n && !(b->type = ex_strdup_str(m->content_type)))
        return false;
    if (!BLOB_SET(c, b, m->body.p, m->body.n)) {
        body_free(b);
        return false;
    }
    return true;
}

static void body_copy(const struct call *c, body_t *dst, const body_t *src)
{
    if (dst == src)
        return;
    (void)c;
    char *type = src->type ? strdup(src->type) : NULL;
    if ((src->type && !type) || !BLOB_SET(c, dst, BLOB_P(src), src->len)) {
        free(type);
        body_free(dst);
        return;
    }
    free(dst->type);
    dst->type = type;
}

static void body_clear(const struct call *c, body_t *b)
{
    (void)c;
    body_free(b);
}

/* Content-Type, Content-Length, the empty line and the body (none when b is NULL or empty). */
static void sb_body(sip_buf_t *sb, const body_t *b)
{
    if (b && b->len)
        sb_finish(sb, b->type ? b->type : "application/sdp", BLOB_P(b), b->len);
    else
        sb_finish(sb, NULL, NULL, 0);
}

/* Keep a built message for retransmissions; false when there is no room. */
static bool smsg_keep(const struct call *c, smsg_t *m, const char *p, size_t n)
{
    return BLOB_SET(c, m, p, n);
}

static void send_to(const ex_addr_t *to, const char *msg, size_t len)
{
    ex_host_send(&host, to, msg, len);
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

/* The local address of a leg, for Contact and Warning. */
static void leg_hostport(const struct call *c, enum leg leg, char *buf, size_t cap)
{
    hostport(leg == LEG_A ? &c->a_local : &c->b_local, buf, cap);
}

/*
 * A response built from the request, optionally with a body and our Contact
 * (a 2xx to UPDATE), optionally kept for retransmissions.
 */
static void respond_full(struct call *c, enum leg leg, unsigned no, const sip_msg_t *req,
                         const ex_addr_t *src, unsigned status, const char *to_tag,
                         const char *extra, const char *note, struct nist *save,
                         const body_t *body, const char *sdp_role)
{
    static char buf[B2B_MSG_MAX];
    sip_buf_t b;
    ex_addr_t to;
    sb_init(&b, buf, sizeof(buf));
    sip_response_start(&b, req, status, NULL, to_tag);
    if (c && status >= 200 && status < 300) { /* a 2xx to UPDATE, a target refresh (RFC 3311 5.2) */
        char hp[80];
        leg_hostport(c, leg, hp, sizeof(hp));
        sb_printf(&b, "Contact: <sip:" B2B_USER "@%s>\r\n", hp);
    }
    if (extra)
        sb_printf(&b, "%s", extra);
    sb_printf(&b, "Server: " B2B_USER " (libprack %s)\r\n", prack_version());
    sb_body(&b, body);
    if (b.overflow) {
        ex_warn("response %u does not fit", status);
        return;
    }
    reply_addr(req, src, &to);
    send_to(&to, buf, b.len);
    ladder(no, leg, true, buf, b.len, sdp_role, note);
    if (save) {
        save->to = to;
        smsg_keep(c, &save->rsp, buf, b.len);
    }
}

/* A response built from the request (no call state), optionally kept for retransmissions. */
static void respond(enum leg leg, unsigned no, const sip_msg_t *req, const ex_addr_t *src,
                    unsigned status, const char *to_tag, const char *extra, const char *note,
                    struct nist *save)
{
    respond_full(NULL, leg, no, req, src, status, to_tag, extra, note, save, NULL, NULL);
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
        if (!n->rsp.len || !sip_str_eq_exact(m->branch, HS(n->branch)) ||
            !sip_str_eq_exact(m->method, n->method) || m->cseq != n->cseq)
            continue;
        ladder(no, leg, false, raw, rawlen, NULL, "retransmission");
        send_to(&n->to, BLOB_P(&n->rsp), n->rsp.len);
        ladder(no, leg, true, BLOB_P(&n->rsp), n->rsp.len, NULL, "retransmission");
        return true;
    }
    return false;
}

static void nist_begin(struct nist *n, const sip_msg_t *m)
{
    hs_str(&n->branch, CAP_TAG, m->branch);
    sip_str_copy(n->method, sizeof(n->method), m->method);
    n->cseq = m->cseq;
    n->rsp.len = 0;
}

/* Start remembering a new request of the caller, in place of the oldest. */
static struct nist *nist_a_next(struct call *c, const sip_msg_t *m)
{
    c->nist_a_cur = (c->nist_a_cur + 1u) % B2B_NIST_A;
    nist_begin(&c->nist_a[c->nist_a_cur], m);
    return &c->nist_a[c->nist_a_cur];
}

static struct nist *nist_b_next(struct call *c, const sip_msg_t *m)
{
    c->nist_b_cur = (c->nist_b_cur + 1u) % B2B_NIST_B;
    nist_begin(&c->nist_b[c->nist_b_cur], m);
    return &c->nist_b[c->nist_b_cur];
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

/* The calls a message touched: their timer is re-armed and whether they are
 * over checked once it has been handled (on_datagram). */
static struct call *touched[4];
static size_t ntouched;

static struct call *touch(struct call *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < ntouched; i++)
        if (touched[i] == c)
            return c;
    if (ntouched < sizeof(touched) / sizeof(touched[0]))
        touched[ntouched++] = c;
    return c;
}

/* Leg A's key: Call-ID and the caller's tag. A caller's retry after a
 * challenge or a 420/421 shares it with the call it replaces. */
static bool a_key(ex_key_t *k, sip_str_t call_id, sip_str_t caller_tag)
{
    ex_key_init(k);
    ex_key_add(k, call_id);
    ex_key_add(k, caller_tag);
    return !k->overflow;
}

/* The next call after `after` (NULL: the first) with the caller's Call-ID and tag. */
static struct call *a_next(const ex_key_t *k, struct call *after)
{
    ex_hnode_t *n = ex_htab_find(&a_calls, k, after ? &after->a_node : NULL);
    return n ? EX_OWNER(n, struct call, a_node) : NULL;
}

/* The next call after `after` with leg B's Call-ID `call_id`. */
static struct call *b_next(const ex_key_t *k, struct call *after)
{
    ex_hnode_t *n = ex_htab_find(&b_calls, k, after ? &after->b_node : NULL);
    return n ? EX_OWNER(n, struct call, b_node) : NULL;
}

static void b_key(ex_key_t *k, sip_str_t call_id)
{
    ex_key_init(k);
    ex_key_add(k, call_id);
}

static struct call *find_a_dialog(const sip_msg_t *m)
{
    ex_key_t k;
    if (!a_key(&k, m->call_id, m->from_tag))
        return NULL;
    for (struct call *c = a_next(&k, NULL); c; c = a_next(&k, c))
        if (sip_str_eq_exact(m->to_tag, c->a_to_tag))
            return touch(c);
    return NULL;
}

/* The INVITE transaction of a request without To-tag (RFC 3261 17.2.3). */
static struct call *find_a_invite(const sip_msg_t *m)
{
    ex_key_t k;
    if (!a_key(&k, m->call_id, m->from_tag))
        return NULL;
    for (struct call *c = a_next(&k, NULL); c; c = a_next(&k, c))
        if (sip_str_eq_exact(m->branch, HS(c->a_branch)))
            return touch(c);
    return NULL;
}

static struct call *find_b_call(const sip_msg_t *m)
{
    ex_key_t k;
    b_key(&k, m->call_id);
    for (struct call *c = b_next(&k, NULL); c; c = b_next(&k, c))
        /* a call replaced by the caller's re-send with credentials shares the Call-ID */
        if (!c->superseded)
            return touch(c);
    return NULL;
}

static void fork_free(struct fork *f)
{
    body_free(&f->sdp);
    hs_clear(&f->to_tag);
    hs_clear(&f->to_hdr);
    hs_clear(&f->target);
    hs_clear(&f->route);
    hs_clear(&f->first_route);
}

/* Everything a call allocated, back to the heap. */
static void call_release(struct call *c)
{
    char **strs[] = { &c->a_call_id, &c->a_from_tag, &c->a_branch, &c->a_hdrs, &c->a_rr,
                      &c->a_route, &c->a_first_route, &c->a_target, &c->a_remote,
                      &c->a_local_party, &c->a_auth, &c->fin_extra, &c->b_from, &c->b_ruri,
                      &c->b_to, &c->mid.auth, &c->mid.s_extra, &c->mid.s_hdrs };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        hs_clear(strs[i]);
    for (size_t i = 0; i < B2B_SLOTS; i++)
        body_free(&c->slots[i].body);
    smsg_free(&c->a_last);
    smsg_free(&c->a_rel);
    body_free(&c->fin_body);
    body_free(&c->offer);
    body_free(&c->a_answer);
    for (size_t i = 0; i < B2B_NIST_A; i++) {
        smsg_free(&c->nist_a[i].rsp);
        hs_clear(&c->nist_a[i].branch);
    }
    for (size_t i = 0; i < B2B_NIST_B; i++) {
        smsg_free(&c->nist_b[i].rsp);
        hs_clear(&c->nist_b[i].branch);
    }
    smsg_free(&c->b_invite);
    for (size_t i = 0; i < B2B_MAX_FORKS; i++)
        fork_free(&c->forks[i]);
    smsg_free(&c->b_ack);
    smsg_free(&c->b_nack);
    for (size_t i = 0; i < B2B_MAX_TXNS; i++) {
        if (c->txn[i]) {
            ex_htab_del(&host.ctx, &c->txn[i]->node);
            smsg_free(&c->txn[i]->msg);
            free(c->txn[i]);
            c->txn[i] = NULL;
        }
    }
    struct mid *d = &c->mid;
    body_free(&d->offer);
    body_free(&d->slot.body);
    smsg_free(&d->s_last);
    smsg_free(&d->s_rel);
    body_free(&d->answer);
    smsg_free(&d->c_req);
    smsg_free(&d->c_ack);
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

static const char *const txn_method[] = { "PRACK", "BYE", "CANCEL", "UPDATE" };

/* A client transaction sent: its responses find it by branch and method
 * (RFC 3261 17.1.3). Without a key it still times out, unanswered. */
static void txn_register(struct txn *t)
{
    ex_key_t k;
    if (!ex_ctx_key(&k, sip_str_c(t->branch), sip_str_c(txn_method[t->kind])) ||
        !ex_htab_add(&host.ctx, &t->node, &k))
        ex_warn("call %u: %s: no room for its key", t->call->no, txn_method[t->kind]);
}

/* A client transaction is over: its responses match nothing from now on. Its
 * block stays the call's for the next one. */
static void txn_done(struct txn *t)
{
    t->used = false;
    ex_htab_del(&host.ctx, &t->node);
}

/* Both legs ended: keep the call a while for retransmissions. */
static void end_call(struct call *c, prack_time_t now)
{
    c->over = true;
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
    for (size_t i = 0; i < B2B_MAX_TXNS; i++)
        if (c->txn[i])
            txn_done(c->txn[i]);
    /* the oldest that is over makes room when --max-calls is reached */
    ex_list_append(&lingering, &c->linger_link);
    c->mid.on = false;
    c->linger_until = now + 64u * (prack_time_t)opt.t1;
    if (c->retryable && !c->superseded) {
        /* a caller retries a 420/421 or a challenge at once; count it only if it does not */
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
    if (c->over)
        ex_list_unlink(&lingering, &c->linger_link);
    ex_list_unlink(&all_calls, &c->all_link);
    ex_htab_del(&a_calls, &c->a_node);
    ex_htab_del(&b_calls, &c->b_node);
    ex_timer_stop(&host.timers, &c->timer);
    call_release(c);
    for (size_t i = 0; i < ntouched; i++)
        if (touched[i] == c)
            touched[i] = NULL;
    free(c);
    ncalls--;
}

static void call_timer(ex_timer_t *t, prack_time_t now);

/* A new call, zeroed; at --max-calls the oldest call that is over makes room,
 * and with none NULL (503). */
static struct call *alloc_call(void)
{
    if (ncalls >= opt.max_calls) {
        if (!lingering.head)
            return NULL;
        free_call(EX_OWNER(lingering.head, struct call, linger_link));
    }
    struct call *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->timer.fn = call_timer;
    ex_list_append(&all_calls, &c->all_link);
    ncalls++;
    return c;
}

static struct txn *new_txn(struct call *c, enum leg leg, enum txn_kind kind, unsigned fork)
{
    for (size_t i = 0; i < B2B_MAX_TXNS; i++) {
        if (!c->txn[i] && !(c->txn[i] = calloc(1, sizeof(*c->txn[i])))) {
            ex_warn("call %u: out of memory", c->no);
            return NULL;
        }
        struct txn *t = c->txn[i];
        if (!t->used) {
            t->call = c;
            t->used = true;
            t->leg = leg;
            t->kind = kind;
            t->fork = fork;
            t->cseq = t->rseq = 0;
            t->mid = t->oa_body = false;
            t->msg.len = 0;
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
    sb_printf(b, "%s", HS(c->a_hdrs));
}

static void a_dialog_headers(sip_buf_t *b, const struct call *c)
{
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    sb_printf(b, "%s", HS(c->a_rr));
    sb_printf(b, "Contact: <sip:" B2B_USER "@%s>\r\n", hp);
}

static void a_capabilities(sip_buf_t *b)
{
    sb_printf(b, "Allow: " B2B_ALLOW "\r\n");
    if (opt.policy[LEG_A] != PRACK_POLICY_OFF)
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
        if (!c->a_rel.len)
            return;
        send_to(&c->a_peer, BLOB_P(&c->a_rel), c->a_rel.len);
        smsg_keep(c, &c->a_last, BLOB_P(&c->a_rel), c->a_rel.len);
        ladder(c->no, LEG_A, true, BLOB_P(&c->a_rel), c->a_rel.len, NULL, "retransmission");
        return;
    }
    static char buf[B2B_MSG_MAX];
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
    /* the callee's body as it came, SDP or multipart with SDP */
    sb_body(&b, s && s->body.len ? &s->body : NULL);
    /* retransmissions resend these bytes (c->a_rel); the slot itself stays
     * taken until the engine releases its cookie */
    if (b.overflow) {
        ex_warn("call %u: provisional %u does not fit", c->no, a->status);
        return;
    }
    send_to(&c->a_peer, buf, b.len);
    smsg_keep(c, &c->a_last, buf, b.len);
    if (reliable) {
        smsg_keep(c, &c->a_rel, buf, b.len);
        stats.rel1xx++;
    }
    if (a->sdp == PRACK_SDP_OFFER)
        c->a_offer_sent = true;
    ladder(c->no, LEG_A, true, buf, b.len, sdp_label(a->sdp, reliable),
           (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
}

/* Send (or resend) a final to the caller and retransmit it until the ACK. */
static void a_send_final(struct call *c, const prack_action_t *a, prack_time_t now)
{
    static char buf[B2B_MSG_MAX];
    char hp[80];
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
    sb_printf(&b, "%s", HS(c->fin_extra));
    if (a->status == 503)
        sb_printf(&b, "Retry-After: 5\r\n");
    a_capabilities(&b);
    const body_t *body = (success && a->sdp != PRACK_SDP_NONE && c->fin_body.len) ? &c->fin_body
                                                                                 : NULL;
    sb_body(&b, body);
    hs_clear(&c->fin_extra);
    if (b.overflow) {
        /* a body that fitted the callee's datagram but not ours with our headers */
        c->failed = true;
        sb_init(&b, buf, sizeof(buf));
        a_start_response(&b, c, 500);
        sb_printf(&b, "Warning: 399 %s \"The callee's response is too large to relay\"\r\n", hp);
        sb_finish(&b, NULL, NULL, 0);
    }
    send_to(&c->a_peer, buf, b.len);
    smsg_keep(c, &c->a_last, buf, b.len);
    if (success && a->sdp == PRACK_SDP_OFFER)
        c->a_offer_sent = true;

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
    if (success && c->a_early_2xx)
        note_add(why, sizeof(why), "before the callee answered");
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
        case PRACK_ACT_ANSWER_PRACK: {
            a_answer_prack(c, a, prack, src);
            const struct slot *sl = (a->flags & PRACK_AF_RELEASE) ? slot_of(c, a->user) : NULL;
            if (a->status == 200 && sl && sl->body.len) {
                /* RFC 3311 5.1: an UPDATE may go to the caller from now on */
                c->a_oa_done = true;
                if (c->prack_wait >= 0 && prack)
                    b_prack_answer(c, prack, now); /* the caller's answer to the callee's offer */
            }
            break;
        }
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION: note(c->no, "A: offer/answer complete"); break;
            case PRACK_R_ANSWER_MISSING: note(c->no, "A: the caller owed the SDP answer and sent none"); break;
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
        hs_clear(&c->fin_extra);
        return;
    }
    unsigned st = prack_uas_state(&c->uas);
    if (st != PRACK_UAS_PROCEEDING && st != PRACK_UAS_HELD) {
        hs_clear(&c->fin_extra);
        return;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_final(&c->uas, now, status, &acts);
    if (rc != PRACK_OK) {
        note(c->no, "A: %u not sent: %s", status, prack_strerror(rc));
        hs_clear(&c->fin_extra);
        return;
    }
    a_run(c, &acts, now, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Requests of ours inside the dialog of a leg (RFC 3261 12.2.1.1): leg A is the
 * caller's dialog, leg B the callee's early or confirmed dialog `fi` (fork). */

static void b_start_request(sip_buf_t *b, const struct call *c, const struct fork *f,
                            const char *method, uint32_t cseq, const char *branch);
static void b_dest(const struct call *c, const struct fork *f, ex_addr_t *out);

static void dlg_start_request(sip_buf_t *b, const struct call *c, enum leg leg, unsigned fi,
                              const char *method, uint32_t cseq, const char *branch)
{
    if (leg == LEG_B) {
        b_start_request(b, c, &c->forks[fi], method, cseq, branch);
        return;
    }
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    sb_printf(b, "%s %s SIP/2.0\r\n", method, c->a_target ? c->a_target : "sip:invalid");
    sb_printf(b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, branch);
    sb_printf(b, "Max-Forwards: 70\r\n");
    sb_printf(b, "From: %s\r\nTo: %s\r\n", HS(c->a_local_party), HS(c->a_remote));
    sb_printf(b, "Call-ID: %s\r\nCSeq: %u %s\r\n", HS(c->a_call_id), cseq, method);
    if (c->a_route)
        sb_printf(b, "Route: %s\r\n", c->a_route);
}

static void dlg_dest(const struct call *c, enum leg leg, unsigned fi, ex_addr_t *out)
{
    if (leg == LEG_B)
        b_dest(c, &c->forks[fi], out);
    else if (!dialog_dest(HS(c->a_first_route), HS(c->a_target), &c->a_local, out))
        *out = c->a_peer;
}

/* One above the last CSeq of ours in that dialog, PRACKs included. */
static uint32_t dlg_next_cseq(struct call *c, enum leg leg, unsigned fi)
{
    return leg == LEG_A ? ++c->a_local_cseq : ++c->forks[fi].local_cseq;
}

/* A non-INVITE request of ours in a dialog, retransmitted until answered (Timers E, F). */
static struct txn *dlg_send(struct call *c, enum leg leg, unsigned fi, enum txn_kind kind,
                            const char *method, const char *extra, const body_t *body,
                            prack_time_t now, const char *sdp_role, const char *why)
{
    static char buf[B2B_MSG_MAX];
    struct txn *t = new_txn(c, leg, kind, fi);
    if (!t)
        return NULL;
    t->cseq = dlg_next_cseq(c, leg, fi);
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    dlg_start_request(&b, c, leg, fi, method, t->cseq, t->branch);
    if (extra)
        sb_printf(&b, "%s", extra);
    sb_body(&b, body);
    if (b.overflow || !smsg_keep(c, &t->msg, buf, b.len)) {
        ex_warn("call %u: %s does not fit", c->no, method);
        t->used = false;
        return NULL;
    }
    dlg_dest(c, leg, fi, &t->dest);
    ex_nict_start(&t->t, opt.t1, now);
    txn_register(t);
    send_to(&t->dest, buf, b.len);
    ladder(c->no, leg, true, buf, b.len, sdp_role, why);
    return t;
}

/* Our BYE to the caller: the callee hung up, or the caller never acknowledged the 2xx. */
static void a_send_bye(struct call *c, prack_time_t now, const char *why)
{
    if (!dlg_send(c, LEG_A, 0, T_BYE, "BYE", NULL, NULL, now, NULL, why)) {
        c->a_st = A_DONE;
        return;
    }
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
    sb_printf(b, "%s %s SIP/2.0\r\n", method, HS(f->target));
    sb_printf(b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, branch);
    sb_printf(b, "Max-Forwards: 70\r\n");
    sb_printf(b, "From: %s\r\nTo: %s\r\n", HS(c->b_from), HS(f->to_hdr));
    sb_printf(b, "Call-ID: %s\r\nCSeq: %u %s\r\n", c->b_call_id, cseq, method);
    if (f->route)
        sb_printf(b, "Route: %s\r\n", f->route);
}

static void b_dest(const struct call *c, const struct fork *f, ex_addr_t *out)
{
    if (!dialog_dest(HS(f->first_route), HS(f->target), &c->b_local, out))
        *out = opt.next; /* an unusable Contact: the callee's address is the best guess */
}

static bool b_send_invite(struct call *c, prack_time_t now)
{
    static char buf[B2B_MSG_MAX];
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)c->b_policy;
    /* --b-prack-failure: a failed PRACK on B is reported, or ends the call
     * (PRACK_ACT_TERMINATE), as OpenSIPS's auto_prack_hangup_on_failure does */
    cfg.on_prack_failure = (uint8_t)opt.on_failure[LEG_B];
    int rc = prack_uac_init(&c->uac, &cfg, c->b_cseq, c->late ? 0u : PRACK_UAC_INVITE_SDP, now);
    if (rc != PRACK_OK) {
        ex_warn("prack_uac_init: %s", prack_strerror(rc));
        return false;
    }
    ex_branch(c->b_branch);
    c->nforks = 0;
    c->confirmed = -1;
    c->early_fork = -1;
    c->b_retry = false;

    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "INVITE %s SIP/2.0\r\n", HS(c->b_ruri));
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: %u\r\n", c->b_max_forwards);
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", HS(c->b_from), HS(c->b_to));
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
    /* the caller's credentials, for the callee that challenged it (RFC 3261 22.2) */
    sb_printf(&b, "%s", HS(c->a_auth));
    sb_body(&b, &c->offer); /* the caller's offer (or other body), as is */
    if (b.overflow || !smsg_keep(c, &c->b_invite, buf, b.len)) {
        ex_warn("call %u: INVITE for leg B does not fit", c->no);
        return false;
    }
    send_to(&opt.next, buf, b.len);
    ladder(c->no, LEG_B, true, buf, b.len, "SDP offer from the caller",
           c->a_auth ? "the caller's credentials" : NULL);
    c->b_st = B_CALLING;
    /* RFC 3261 17.1.1.2: Timer A from T1, doubling; Timer B at 64*T1 */
    c->b_a_interval = opt.t1;
    c->b_a_next = now + opt.t1;
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
    return true;
}

/*
 * Our PRACK for reliable 1xx `rseq` of the INVITE with CSeq `invite_cseq`, in
 * the dialog of a leg: on leg B for the callee's 1xx (fork fi), or on either
 * leg for a 1xx to a re-INVITE of ours (`mid`). A body is the answer to an
 * offer in that 1xx (R50).
 */
static struct txn *send_prack(struct call *c, enum leg leg, unsigned fi, uint32_t rseq,
                              uint32_t invite_cseq, const body_t *answer, bool mid,
                              prack_time_t now, const char *why)
{
    char rack[64], extra[80], fk[16];
    /* the RAck values come from the engine; the CSeq is this dialog's next */
    if (prack_format_rack(rack, sizeof(rack), rseq, invite_cseq, "INVITE", 6) < 0)
        return NULL;
    snprintf(extra, sizeof(extra), "RAck: %s\r\n", rack);
    if (!why && leg == LEG_B && !mid)
        why = fork_note(c, &c->forks[fi], fk, sizeof(fk));
    struct txn *t = dlg_send(c, leg, fi, T_PRACK, "PRACK", extra, answer, now,
                             answer && answer->len ? "SDP answer" : NULL, why);
    if (!t)
        return NULL;
    t->rseq = rseq;
    t->mid = mid;
    t->oa_body = answer && answer->len;
    stats.prack_sent++;
    return t;
}

static void b_send_prack(struct call *c, struct fork *f, const prack_action_t *a, prack_time_t now)
{
    /* with an offer in the INVITE this PRACK never owes an answer, and the
     * B2BUA makes no new offer of its own (R51 is a MAY) */
    send_prack(c, LEG_B, (unsigned)(f - c->forks), a->rseq, a->cseq, NULL, false, now, NULL);
}

/* The ACK of the 2xx on fork f: a transaction of its own (RFC 3261 13.2.2.4),
 * with the answer when the 2xx carried the offer. Kept for the 2xx's
 * retransmissions when `keep`. */
static void b_send_ack(struct call *c, struct fork *f, const body_t *answer, bool keep,
                       const char *why)
{
    static char buf[B2B_MSG_MAX];
    char branch[32];
    ex_addr_t dest;
    ex_branch(branch);
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    b_start_request(&b, c, f, "ACK", c->b_cseq, branch);
    sb_body(&b, answer);
    if (b.overflow) {
        ex_warn("call %u: ACK does not fit", c->no);
        return;
    }
    b_dest(c, f, &dest);
    send_to(&dest, buf, b.len);
    ladder(c->no, LEG_B, true, buf, b.len, answer && answer->len ? "SDP answer from the caller" : NULL,
           why);
    if (keep && smsg_keep(c, &c->b_ack, buf, b.len))
        c->b_ack_dest = dest;
}

static void b_send_ack_non2xx(struct call *c, const sip_msg_t *m)
{
    static char buf[B2B_MSG_MAX];
    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    /* RFC 3261 17.1.1.3: same branch and Request-URI as the INVITE, To from the response */
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "ACK %s SIP/2.0\r\n", HS(c->b_ruri));
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %.*s\r\n", HS(c->b_from), SIP_STR_ARG(m->to));
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u ACK\r\n", c->b_call_id, c->b_cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !smsg_keep(c, &c->b_nack, buf, b.len))
        return;
    memcpy(c->b_nack_branch, c->b_branch, sizeof(c->b_nack_branch));
    send_to(&opt.next, buf, b.len);
    ladder(c->no, LEG_B, true, buf, b.len, NULL, NULL);
}

static void b_send_cancel(struct call *c, prack_time_t now)
{
    static char buf[B2B_MSG_MAX];
    struct txn *t = new_txn(c, LEG_B, T_CANCEL, 0);
    if (!t)
        return;
    char hp[80];
    b_hostport(c, hp, sizeof(hp));
    /* RFC 3261 9.1: the INVITE's Request-URI, top Via branch, From, To and CSeq number */
    memcpy(t->branch, c->b_branch, sizeof(t->branch));
    t->cseq = c->b_cseq;
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "CANCEL %s SIP/2.0\r\n", HS(c->b_ruri));
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->b_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", HS(c->b_from), HS(c->b_to));
    sb_printf(&b, "Call-ID: %s\r\nCSeq: %u CANCEL\r\n", c->b_call_id, c->b_cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !smsg_keep(c, &t->msg, buf, b.len)) {
        t->used = false;
        return;
    }
    t->dest = opt.next;
    ex_nict_start(&t->t, opt.t1, now);
    txn_register(t);
    send_to(&t->dest, buf, b.len);
    ladder(c->no, LEG_B, true, buf, b.len, NULL, NULL);
    c->cancel_pending = false;
    c->b_st = B_CANCELLING;
    c->b_a_next = PRACK_TIME_NONE;
    /* RFC 3261 9.1: give up on the 487 after 64*T1 */
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
}

static void b_send_bye(struct call *c, unsigned fi, prack_time_t now, const char *why)
{
    struct txn *t = dlg_send(c, LEG_B, fi, T_BYE, "BYE", NULL, NULL, now, NULL, why);
    if ((int)fi == c->confirmed)
        c->b_st = t ? B_BYE : B_DONE;
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
        if (c->confirmed >= 0) {
            if (c->b_ack_wait) {
                /* the 2xx is acknowledged before the BYE, without the answer that never came */
                c->b_ack_wait = false;
                b_send_ack(c, &c->forks[c->confirmed], NULL, true, "no answer from the caller");
            }
            b_send_bye(c, (unsigned)c->confirmed, now, "the caller's side ended");
        } else {
            c->b_st = B_DONE;
        }
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------- */
/* Leg B: early dialogs */

/* Reverse the Record-Route list into the route set (RFC 3261 12.1.2). */
static void b_set_route(struct fork *f, const sip_msg_t *m)
{
    char first[CAP_URI];
    ex_uac_route_set(m, hs_tmp, CAP_ROUTE, first, sizeof(first));
    hs_set(&f->route, hs_tmp, strlen(hs_tmp));
    hs_set(&f->first_route, first, strlen(first));
}

static struct fork *b_fork(struct call *c, const sip_msg_t *m, bool create)
{
    if (!m->to_tag.n)
        return NULL;
    for (unsigned i = 0; i < c->nforks; i++)
        if (sip_str_eq_exact(m->to_tag, HS(c->forks[i].to_tag)))
            return &c->forks[i];
    if (!create)
        return NULL;
    if (c->nforks == B2B_MAX_FORKS) {
        note(c->no, "B: more than %u early dialogs: ignoring this one", B2B_MAX_FORKS);
        return NULL;
    }
    struct fork *f = &c->forks[c->nforks];
    fork_free(f);
    memset(f, 0, sizeof(*f));
    if (!hs_str(&f->to_tag, CAP_TAG, m->to_tag) || !hs_str(&f->to_hdr, CAP_NAMEADDR, m->to))
        return NULL;
    f->no = ++c->nforks;
    /* RFC 3261 12.1.2: the local sequence number starts at the INVITE's */
    f->local_cseq = c->b_cseq;
    b_set_route(f, m);
    prack_uac_dialog_init(&f->eng);
    if (!hs_str(&f->target, CAP_URI, sip_contact_uri(m)) || !f->target)
        hs_set(&f->target, HS(c->b_ruri), strlen(HS(c->b_ruri)));
    return f;
}

/* ------------------------------------------------------------------------- */
/* Leg B's actions become calls on leg A */

/*
 * Late offer, leg A without 100rel: the callee's offer (in a reliable 1xx on
 * leg B) can reach the caller only in a 2xx (RFC 3261 13.2.1: an unreliable
 * 1xx carries no offer), so the caller gets its 200 now; its answer comes in
 * the ACK and goes into the PRACK that leg B has been waiting for.
 */
static void a_early_offer(struct call *c, struct fork *f, prack_time_t now)
{
    body_copy(c, &c->fin_body, &f->sdp);
    c->a_early_2xx = true;
    note(c->no, "A: no 100rel towards the caller: the callee's offer goes in a 200 now, "
                "and the caller's answer in its ACK");
    a_final(c, 200, now);
}

/*
 * A provisional from the callee goes to the caller through leg A's engine.
 * `offer`: it is the callee's offer in a reliable 1xx (late offer).
 */
static void relay_1xx(struct call *c, struct fork *f, const sip_msg_t *m, bool offer,
                      prack_time_t now)
{
    bool with_body = m->body.n != 0;
    if (f && with_body)
        body_keep(c, &f->sdp, m);
    if (!c->uas_on || prack_uas_state(&c->uas) != PRACK_UAS_PROCEEDING)
        return; /* the caller has its final already */
    uint32_t flags = 0;
    if (c->late && !c->a_offer_sent) {
        if (offer && !prack_uas_reliable(&c->uas)) {
            if (f)
                a_early_offer(c, f, now);
            return;
        }
        if (!offer) {
            /* no offer yet: SDP in an unreliable 1xx is none (RFC 3261 13.2.1),
             * and the caller's first reliable 1xx must carry one (R49) */
            with_body = false;
            flags |= PRACK_1XX_UNRELIABLE;
        }
    }
    struct slot *s = NULL;
    if (with_body) {
        s = slot_get(c);
        if (!s || !body_keep(c, &s->body, m)) {
            if (s)
                s->used = false;
            note(c->no, "A: %u not relayed: no room for its body", m->status);
            return;
        }
        if (has_sdp(m))
            flags |= PRACK_1XX_SDP;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_1xx(&c->uas, now, (uint16_t)m->status, flags,
                                s ? slot_cookie(c, s) : 0u, &acts);
    if (rc != PRACK_OK) {
        if (s)
            s->used = false; /* not accepted: the cookie stays ours */
        if (rc == PRACK_ERR_OFFER_REQUIRED)
            note(c->no, "A: %u not relayed: the caller requires 100rel, and its first reliable "
                        "1xx must carry the offer the callee has not made yet (R49)", m->status);
        else
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
    hs_fmt(&c->fin_extra, CAP_EXTRA,
             "Warning: 399 %s \"The callee sent an SDP offer where the answer was due\"\r\n", hp);
    note(c->no, "B: the 1xx carries an offer, not the answer to the caller's offer: giving up");
    a_final(c, 488, now); /* stop_b follows from the 488: CANCEL on leg B */
    if (c->b_st == B_CALLING || c->b_st == B_PROCEEDING)
        stop_b(c, now);
}

/* The caller's answer (in its PRACK or its ACK) goes into the PRACK that leg B
 * owes for the callee's offer (R50). */
static void b_prack_answer(struct call *c, const sip_msg_t *from, prack_time_t now)
{
    if (c->prack_wait < 0)
        return;
    unsigned fi = (unsigned)c->prack_wait;
    c->prack_wait = -1;
    if (!has_sdp(from) || !body_keep(c, &c->a_answer, from)) {
        body_clear(c, &c->a_answer);
        note(c->no, "A: the caller sent no answer to relay: leg B's PRACK goes without one");
    }
    if (send_prack(c, LEG_B, fi, c->prack_wait_rseq, c->prack_wait_cseq, &c->a_answer, false, now,
                   "the caller's answer"))
        c->forks[fi].reliable_oa = c->a_answer.len != 0;
}

/* Leg B's engine ended the call after a failed PRACK (--b-prack-failure terminate). */
static void b_terminate(struct call *c, const prack_action_t *a, prack_time_t now)
{
    char hp[80];
    hostport(&c->a_local, hp, sizeof(hp));
    note(c->no, "B: PRACK for RSeq %u failed with %u: ending the call (--b-prack-failure terminate)",
         a->rseq, a->status);
    hs_fmt(&c->fin_extra, CAP_EXTRA,
             "Warning: 399 %s \"The callee answered a PRACK with %u\"\r\n", hp, a->status);
    if (c->b_st == B_CONFIRMED) {
        /* the 2xx came first: BYE on both legs */
        hs_clear(&c->fin_extra);
        stop_b(c, now);
        stop_a(c, 500, now, "the callee's PRACK failed");
    } else if (c->b_st == B_CALLING || c->b_st == B_PROCEEDING) {
        /* CANCEL; the callee's 487 then goes to the caller with the Warning */
        stop_b(c, now);
    }
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
                relay_1xx(c, f, m, false, now); /* unreliable on B: the caller's leg decides */
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
            if (a->sdp == PRACK_SDP_ANSWER && !c->late) {
                b_offer_error(c, now);
                return false;
            }
            if (a->sdp == PRACK_SDP_ANSWER && m && !(a->flags & PRACK_AF_CACHED) &&
                c->prack_wait < 0 && !c->a_offer_sent) {
                /* late offer: the callee's offer goes to the caller, and this
                 * PRACK waits for the caller's answer (R50) */
                c->prack_wait = (int)(f - c->forks);
                c->prack_wait_rseq = a->rseq;
                c->prack_wait_cseq = a->cseq;
                c->early_fork = c->prack_wait;
                note(c->no, "B: PRACK for RSeq %u waits for the caller's answer", a->rseq);
                relay_1xx(c, f, m, true, now);
                break;
            }
            if (a->sdp == PRACK_SDP_ANSWER)
                note(c->no, "B: a second offer (fork %u): no answer to give it", f->no);
            else if (m && has_sdp(m))
                c->early_fork = (int)(f - c->forks);
            if (m && !(a->flags & PRACK_AF_CACHED))
                relay_1xx(c, f, m, false, now);
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
        case PRACK_ACT_TERMINATE: b_terminate(c, a, now); break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION:
                note(c->no, "B: offer/answer complete");
                if (f)
                    f->reliable_oa = true;
                break;
            case PRACK_R_PRACK_OK: break;
            case PRACK_R_PRACK_FAILED:
                note(c->no, "B: PRACK for RSeq %u failed with %u%s", a->rseq, a->status,
                     opt.on_failure[LEG_B] == PRACK_FAILURE_OBSERVE ? "; the call goes on" : "");
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

/* A response's facts for the UAC engine; a multipart body with SDP counts as SDP. */
static void rsp_facts(const sip_msg_t *m, prack_response_t *r)
{
    ex_response_facts(m, r);
    if (has_sdp(m))
        r->flags |= PRACK_RSP_SDP;
}

/* Whether a message's Allow lists UPDATE; unknown without an Allow. */
static enum allow allow_update(const sip_msg_t *m, enum allow before)
{
    const sip_header_t *h = sip_find(m, SIP_H_ALLOW, NULL);
    if (!h)
        return before;
    for (; h; h = sip_find(m, SIP_H_ALLOW, h)) {
        sip_str_t rest = h->value, item;
        while (sip_list_next(&rest, &item))
            if (sip_str_eq(item, "UPDATE"))
                return ALLOW_YES;
    }
    return ALLOW_NO;
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
            hs_str(&f->target, CAP_URI, contact);
        f->update = allow_update(m, f->update);
    }
    if (c->b_st == B_CALLING) {
        c->b_st = B_PROCEEDING;
        c->b_a_next = PRACK_TIME_NONE; /* RFC 3261 17.1.1.2: no more retransmissions */
        c->b_deadline = PRACK_TIME_NONE;
    }

    prack_response_t r;
    rsp_facts(m, &r);
    bool reliable = (r.flags & PRACK_RSP_REQUIRE_100REL) && (r.flags & PRACK_RSP_RSEQ);
    if (f && !reliable) {
        /* an unreliable 1xx has no RSeq to tell a repeat by: the same bytes
         * again are the callee's answer to a retransmission of our INVITE,
         * which leg A's engine would otherwise send as one more reliable 1xx */
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < rawlen; i++)
            h = (h ^ (uint8_t)raw[i]) * 16777619u;
        if (h == f->last_1xx) {
            ladder(c->no, LEG_B, false, raw, rawlen, NULL, "repeated: not relayed");
            return;
        }
        f->last_1xx = h;
    }
    prack_actions_t acts;
    int rc = prack_on_response(&c->uac, f ? &f->eng : NULL, now, &r, &acts);

    const char *role = NULL;
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++)
        if (acts.v[i].type == PRACK_ACT_SEND_PRACK)
            role = (acts.v[i].flags & PRACK_AF_OTHER_FORK) ? "SDP of a fork not taken"
                   : acts.v[i].sdp == PRACK_SDP_ANSWER    ? "SDP offer"
                   : acts.v[i].sdp == PRACK_SDP_MAY_OFFER ? "SDP answer"
                                                          : "SDP repeated";
    if (!reliable)
        role = c->late ? "SDP offer preview" : "SDP answer preview";
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
        bool ours = (int)(f - c->forks) == c->confirmed;
        if (ours && c->b_ack_wait) {
            ladder(c->no, LEG_B, false, raw, rawlen, NULL,
                   "retransmission; the ACK waits for the caller's answer");
            return;
        }
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
        if (ours && c->b_ack.len) {
            send_to(&c->b_ack_dest, BLOB_P(&c->b_ack), c->b_ack.len);
            ladder(c->no, LEG_B, true, BLOB_P(&c->b_ack), c->b_ack.len, NULL, "retransmission");
        } else {
            b_send_ack(c, f, NULL, false, "retransmission");
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
        hs_str(&f->target, CAP_URI, contact);
    f->update = allow_update(m, f->update);
    c->b_a_next = c->b_deadline = PRACK_TIME_NONE;

    prack_response_t r;
    rsp_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&c->uac, &f->eng, now, &r, &acts);
    const char *role = NULL;
    bool offer = false;
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++) {
        if (acts.v[i].type == PRACK_ACT_DELIVER_FINAL) {
            role = sdp_label(acts.v[i].sdp, true);
            offer = acts.v[i].sdp == PRACK_SDP_OFFER && has_sdp(m);
        }
    }
    ladder(c->no, LEG_B, false, raw, rawlen, role, fork_note(c, f, fk, sizeof(fk)));
    if (rc == PRACK_OK)
        b_run(c, f, m, &acts, now);

    f->confirmed = true;
    unsigned fi = (unsigned)(f - c->forks);
    bool first = c->confirmed < 0;
    /* late offer, the offer in this 2xx: the caller's answer goes in the ACK
     * (RFC 3261 13.2.1), so the ACK waits for the caller's ACK; otherwise
     * the B2BUA owns leg B and acknowledges at once */
    bool wait = first && offer && c->late && c->a_st == A_PROCEEDING && c->uas_on &&
                prack_uas_state(&c->uas) == PRACK_UAS_PROCEEDING;
    if (wait) {
        c->b_ack_wait = true;
        note(c->no, "B: the 2xx carries the callee's offer: its ACK waits for the caller's answer");
    } else {
        b_send_ack(c, f, NULL, first, NULL);
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

    if (c->a_early_2xx && (c->a_st == A_COMPLETED || c->a_st == A_CONFIRMED)) {
        /* the caller has had its 200 since the callee's offer */
        return;
    }
    if (c->a_st == A_PROCEEDING && c->uas_on &&
        prack_uas_state(&c->uas) == PRACK_UAS_PROCEEDING) {
        /* the 2xx body is the answer (or repeats it, or is the late offer);
         * without one, the answer came in a 1xx of this dialog */
        if (!m->body.n || !body_keep(c, &c->fin_body, m))
            body_copy(c, &c->fin_body, &f->sdp);
        a_final(c, (uint16_t)m->status, now);
    } else {
        /* the caller gave up (CANCEL, timeout) before the callee answered */
        if (c->b_ack_wait) {
            c->b_ack_wait = false;
            b_send_ack(c, f, NULL, true, NULL);
        }
        b_send_bye(c, fi, now, "the caller's side ended");
    }
}

/* Header lines of the callee's final that the caller needs, copied into the
 * caller's final: challenges, the option tags of a 420/421, a 3xx's Contacts. */
/* Append every `id` header of m to *dst as `name` lines, or none when they
 * would take it to cap bytes. */
static void copy_headers(char **dst, size_t cap, const sip_msg_t *m, sip_hid_t id, const char *name)
{
    size_t n = strlen(HS(*dst));
    if (cap > sizeof(hs_tmp))
        cap = sizeof(hs_tmp);
    if (n >= cap)
        return;
    memcpy(hs_tmp, HS(*dst), n);
    sip_buf_t b;
    sb_init(&b, hs_tmp + n, cap - n);
    for (const sip_header_t *h = sip_find(m, id, NULL); h; h = sip_find(m, id, h))
        sb_header(&b, name, h->value);
    if (!b.overflow && b.len)
        hs_set(dst, hs_tmp, n + b.len);
}

static void copy_final_headers(struct call *c, const sip_msg_t *m, sip_hid_t id, const char *name)
{
    copy_headers(&c->fin_extra, CAP_EXTRA, m, id, name);
}

static void b_on_final(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                       prack_time_t now)
{
    if (c->b_nack.len && strcmp(c->b_nack_branch, c->b_branch) == 0 && c->b_final >= 300) {
        /* a retransmitted final: the same ACK again */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
        send_to(&opt.next, BLOB_P(&c->b_nack), c->b_nack.len);
        ladder(c->no, LEG_B, true, BLOB_P(&c->b_nack), c->b_nack.len, NULL, "retransmission");
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
    rsp_facts(m, &r);
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
    if (c->a_early_2xx) {
        /* the caller had its 200 with the callee's offer: BYE after its ACK */
        note(c->no, "B: the callee refused with %u after the caller's 200", status);
        stop_a(c, status, now, "the callee refused the call");
        return;
    }
    if (status == 401 || status == 407) {
        /* the challenge goes to the caller, whose re-sent INVITE carries the
         * credentials back to leg B (same Call-ID and From-tag, CSeq + 1) */
        copy_final_headers(c, m, SIP_H_WWW_AUTHENTICATE, "WWW-Authenticate");
        copy_final_headers(c, m, SIP_H_PROXY_AUTHENTICATE, "Proxy-Authenticate");
        c->challenged = true;
        c->retryable = true;
    } else if (status == 420 || status == 421) {
        /*
         * Relayed with its Unsupported or Require (RFC 3261 8.2.2.3, 21.4.16
         * make them part of the status): the status the caller's request met
         * is the callee's, and a 5xx would hide that the call needs (or cannot
         * have) the extension. Leg A's engine already settled 100rel with the
         * caller, and leg B retried what its policy allows; a caller that
         * retries (RFC 3261 8.1.3.5) meets the same answer and stops there.
         */
        note(c->no, "B: %u not retried (--b-100rel %s): relayed with its option tags", status,
             ex_policy_name(c->b_policy));
        copy_final_headers(c, m, status == 420 ? SIP_H_UNSUPPORTED : SIP_H_REQUIRE,
                           status == 420 ? "Unsupported" : "Require");
        c->retryable = true;
    } else if (status >= 300 && status < 400) {
        /* a redirection is only useful with its Contact list */
        copy_final_headers(c, m, SIP_H_CONTACT, "Contact");
    }
    a_final(c, status, now);
}

static void mid_on_update_response(struct call *c, struct txn *t, const sip_msg_t *m,
                                   prack_time_t now);
static void mid_uac_run(struct call *c, const prack_actions_t *acts, const sip_msg_t *m,
                        prack_time_t now);

static void b_on_txn_response(struct call *c, struct txn *t, const sip_msg_t *m, const char *raw,
                              size_t rawlen, prack_time_t now)
{
    char fk[16];
    struct fork *f = &c->forks[t->fork];
    ladder(c->no, t->leg, false, raw, rawlen, t->kind == T_UPDATE && has_sdp(m) ? "SDP answer" : NULL,
           t->leg == LEG_B && t->kind == T_PRACK && !t->mid ? fork_note(c, f, fk, sizeof(fk)) : NULL);
    if (m->status < 200) {
        t->t.proceeding = true;
        return;
    }
    txn_done(t);
    switch (t->kind) {
    case T_PRACK: {
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = (uint16_t)m->status;
        r.method = PRACK_METHOD_PRACK;
        r.cseq = m->cseq;
        r.rseq = t->rseq;
        if (has_sdp(m))
            r.flags |= PRACK_RSP_SDP;
        prack_actions_t acts;
        int rc = t->mid ? prack_on_response(&c->mid.uac, &c->mid.dlg, now, &r, &acts)
                        : prack_on_response(&c->uac, &f->eng, now, &r, &acts);
        if (rc != PRACK_OK)
            ex_warn("prack_on_response (PRACK): %s", prack_strerror(rc));
        else if (t->mid)
            mid_uac_run(c, &acts, NULL, now);
        else
            b_run(c, f, NULL, &acts, now);
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
    case T_UPDATE: mid_on_update_response(c, t, m, now); break;
    }
}

/* ------------------------------------------------------------------------- */
/* re-INVITE and UPDATE, relayed from one leg to the other (struct mid) */

static enum leg other_leg(enum leg l)
{
    return l == LEG_A ? LEG_B : LEG_A;
}

static const char *leg_name(enum leg l)
{
    return l == LEG_A ? "A" : "B";
}

/* Leg B's dialog for requests of ours: the confirmed one, or in the early
 * dialog the fork of the last reliable offer/answer. */
static int b_dialog_fork(const struct call *c)
{
    return c->confirmed >= 0 ? c->confirmed : c->early_fork;
}

static bool leg_allows_update(const struct call *c, enum leg l)
{
    if (l == LEG_A)
        return c->a_update == ALLOW_YES;
    int fi = b_dialog_fork(c);
    return fi >= 0 && c->forks[fi].update == ALLOW_YES;
}

/* RFC 3311 5.1: in an early dialog an UPDATE may carry an offer only once the
 * first offer/answer went in a reliable 1xx and its PRACK, which takes 100rel
 * on that leg. */
static bool leg_early_ready(const struct call *c, enum leg l)
{
    if (l == LEG_A)
        return c->a_oa_done;
    int fi = b_dialog_fork(c);
    return fi >= 0 && c->forks[fi].reliable_oa;
}

static bool leg_confirmed(const struct call *c, enum leg l)
{
    return l == LEG_A ? c->a_st == A_CONFIRMED : c->b_st == B_CONFIRMED && c->confirmed >= 0;
}

static unsigned leg_fork(const struct call *c, enum leg l)
{
    int fi = l == LEG_B ? b_dialog_fork(c) : 0;
    return fi < 0 ? 0u : (unsigned)fi;
}

/* Contact, Allow and the leg's 100rel for a message of ours on leg l. */
static void leg_capabilities(sip_buf_t *b, const struct call *c, enum leg l, bool contact)
{
    char hp[80];
    leg_hostport(c, l, hp, sizeof(hp));
    if (contact)
        sb_printf(b, "Contact: <sip:" B2B_USER "@%s>\r\n", hp);
    sb_printf(b, "Allow: " B2B_ALLOW "\r\n");
    if (opt.policy[l] != PRACK_POLICY_OFF)
        sb_printf(b, "Supported: 100rel\r\n");
}

static bool mid_copy_headers(struct mid *d, const sip_msg_t *m)
{
    sip_buf_t b;
    sb_init(&b, hs_tmp, CAP_HDRS);
    for (const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL); h; h = sip_find(m, SIP_H_VIA, h))
        sb_header(&b, "Via", h->value);
    sb_header(&b, "From", m->from);
    sb_header(&b, "To", m->to);
    sb_header(&b, "Call-ID", m->call_id);
    sb_printf(&b, "CSeq: %u %.*s\r\n", m->cseq, SIP_STR_ARG(m->method));
    return !b.overflow && hs_set(&d->s_hdrs, hs_tmp, b.len);
}

/* Keep the answer to an UPDATE for its retransmissions, once the relay is over. */
static void mid_keep_answer(struct call *c)
{
    struct mid *d = &c->mid;
    struct nist *n = d->from == LEG_A ? &c->nist_a[c->nist_a_cur = (c->nist_a_cur + 1u) % B2B_NIST_A]
                                      : &c->nist_b[c->nist_b_cur = (c->nist_b_cur + 1u) % B2B_NIST_B];
    hs_set(&n->branch, d->s_branch, strlen(d->s_branch));
    snprintf(n->method, sizeof(n->method), "UPDATE");
    n->cseq = d->s_cseq;
    n->to = d->s_peer;
    if (!smsg_keep(c, &n->rsp, BLOB_P(&d->s_last), d->s_last.len))
        n->rsp.len = 0;
}

/* A response of ours to the request being relayed, on its leg. */
static void mid_s_send(struct call *c, unsigned status, const char *extra, const body_t *body,
                       const char *rseq, const char *sdp_role, const char *why, prack_time_t now)
{
    static char buf[B2B_MSG_MAX];
    struct mid *d = &c->mid;
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "SIP/2.0 %u %s\r\n%s", status, sip_reason_phrase(status), HS(d->s_hdrs));
    if (rseq)
        sb_printf(&b, "Require: 100rel\r\nRSeq: %s\r\n", rseq);
    if (extra)
        sb_printf(&b, "%s", extra);
    if (status >= 200)
        sb_printf(&b, "%s", HS(d->s_extra));
    leg_capabilities(&b, c, d->from, status < 300);
    sb_body(&b, status < 300 ? body : NULL);
    if (b.overflow) {
        ex_warn("call %u: response %u does not fit", c->no, status);
        return;
    }
    send_to(&d->s_peer, buf, b.len);
    smsg_keep(c, &d->s_last, buf, b.len);
    if (rseq)
        smsg_keep(c, &d->s_rel, buf, b.len);
    ladder(c->no, d->from, true, buf, b.len, sdp_role, why);
    if (status >= 200) {
        d->s_final = (uint16_t)status;
        if (d->in_update) {
            mid_keep_answer(c);
            d->on = d->ack_wait; /* a converted re-INVITE may still owe its ACK */
        } else {
            /* RFC 3261 13.3.1.4, 17.2.1: until the ACK, T1 doubling up to T2 */
            d->s_interval = opt.t1;
            d->s_next = now + opt.t1;
            d->s_deadline = now + 64u * (prack_time_t)opt.t1;
        }
    }
}

/* A final to the request on its leg, decided here (glare, a leg that cannot carry it). */
static void mid_reject(struct call *c, enum leg leg, const sip_msg_t *m, const ex_addr_t *src,
                       unsigned status, const char *warning, const char *why)
{
    char hp[80], extra[400];
    leg_hostport(c, leg, hp, sizeof(hp));
    int n = snprintf(extra, sizeof(extra), "Warning: 399 %s \"%s\"\r\n", hp, warning);
    if (status == 500 && n > 0 && (size_t)n < sizeof(extra))
        /* RFC 3311 5.2, RFC 3261 14.2: a random 0..10 s */
        snprintf(extra + n, sizeof(extra) - (size_t)n, "Retry-After: %u\r\n", ex_random32() % 11u);
    struct nist *nt = NULL;
    if (!sip_str_eq_exact(m->method, "INVITE"))
        nt = leg == LEG_A ? nist_a_next(c, m) : nist_b_next(c, m);
    respond(leg, c->no, m, src, status, NULL, extra, why, nt);
}

static void mid_uas_run(struct call *c, const prack_actions_t *acts, prack_time_t now,
                        const sip_msg_t *prack, const ex_addr_t *src);
static void mid_relay_status(struct call *c, unsigned status, prack_time_t now);

/* The request goes out on the other leg: an UPDATE, or a re-INVITE with the
 * 100rel option tag and PRACK failure policy of that leg. */
static bool mid_send_request(struct call *c, prack_time_t now)
{
    static char buf[B2B_MSG_MAX];
    struct mid *d = &c->mid;
    enum leg to = other_leg(d->from);
    unsigned fi = leg_fork(c, to);
    const char *why = d->in_update && !d->out_update ? "the UPDATE as a re-INVITE (RFC 3311)" : NULL;
    if (d->out_update) {
        sip_buf_t e;
        char extra[2400];
        sb_init(&e, extra, sizeof(extra));
        leg_capabilities(&e, c, to, true);
        sb_printf(&e, "%s", HS(d->auth));
        if (e.overflow)
            return false;
        struct txn *t = dlg_send(c, to, fi, T_UPDATE, "UPDATE", extra, &d->offer, now,
                                 d->offer_in ? "SDP offer" : NULL, d->early ? "early dialog" : NULL);
        if (!t)
            return false;
        d->c_cseq = t->cseq;
        memcpy(d->c_branch, t->branch, sizeof(d->c_branch));
        return true;
    }
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)opt.policy[to];
    cfg.on_prack_failure = (uint8_t)opt.on_failure[to];
    d->c_cseq = dlg_next_cseq(c, to, fi);
    if (prack_uac_init(&d->uac, &cfg, d->c_cseq, d->offer_in ? PRACK_UAC_INVITE_SDP : 0u, now) !=
        PRACK_OK)
        return false;
    prack_uac_dialog_init(&d->dlg);
    ex_branch(d->c_branch);
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    dlg_start_request(&b, c, to, fi, "INVITE", d->c_cseq, d->c_branch);
    switch (prack_uac_option(&d->uac)) {
    case PRACK_OPTION_SUPPORTED: sb_printf(&b, "Supported: 100rel\r\n"); break;
    case PRACK_OPTION_REQUIRE: sb_printf(&b, "Require: 100rel\r\n"); break;
    case PRACK_OPTION_NONE: break;
    }
    char hp[80];
    leg_hostport(c, to, hp, sizeof(hp));
    sb_printf(&b, "Contact: <sip:" B2B_USER "@%s>\r\nAllow: " B2B_ALLOW "\r\n", hp);
    sb_printf(&b, "%s", HS(d->auth));
    sb_body(&b, &d->offer);
    if (b.overflow || !smsg_keep(c, &d->c_req, buf, b.len))
        return false;
    dlg_dest(c, to, fi, &d->c_dest);
    send_to(&d->c_dest, buf, b.len);
    ladder(c->no, to, true, buf, b.len, d->offer_in ? "SDP offer" : NULL,
           why ? why : "re-INVITE");
    /* RFC 3261 17.1.1.2: Timer A and B */
    d->c_interval = opt.t1;
    d->c_next = now + opt.t1;
    d->c_deadline = now + 64u * (prack_time_t)opt.t1;
    return true;
}

/* A re-INVITE or UPDATE from leg `from` in a dialog of call c. */
static void mid_on_request(struct call *c, enum leg from, const sip_msg_t *m, const ex_addr_t *src,
                           const char *raw, size_t rawlen, prack_time_t now)
{
    struct mid *d = &c->mid;
    bool update = sip_str_eq_exact(m->method, "UPDATE");
    if (d->on && d->from == from && sip_str_eq_exact(m->branch, d->s_branch) &&
        m->cseq == d->s_cseq) {
        /* RFC 3261 17.2.1, 17.2.2: a retransmission gets our last response */
        ladder(c->no, from, false, raw, rawlen, NULL, "retransmission");
        if (d->s_last.len) {
            send_to(&d->s_peer, BLOB_P(&d->s_last), d->s_last.len);
            ladder(c->no, from, true, BLOB_P(&d->s_last), d->s_last.len, NULL, "retransmission");
        }
        return;
    }
    bool offer = has_sdp(m);
    ladder(c->no, from, false, raw, rawlen, offer ? "SDP offer" : NULL, update ? NULL : "re-INVITE");
    uint32_t *remote = from == LEG_A ? &c->a_remote_cseq : &c->b_remote_cseq;
    if (*remote && m->cseq <= *remote) {
        /* RFC 3261 12.2.2 */
        mid_reject(c, from, m, src, 500, "CSeq out of order", "CSeq out of order");
        return;
    }
    *remote = m->cseq;
    /* a target refresh request (RFC 3261 12.2.2, RFC 3311 5.2): its Contact is
     * the new remote target, and its Allow says what the end takes now */
    sip_str_t contact = sip_contact_uri(m);
    if (from == LEG_B) {
        struct fork *f = &c->forks[leg_fork(c, LEG_B)];
        f->update = allow_update(m, f->update);
        if (contact.n)
            hs_str(&f->target, CAP_URI, contact);
    } else {
        c->a_update = allow_update(m, c->a_update);
        if (contact.n)
            hs_str(&c->a_target, CAP_URI, contact);
    }
    enum leg to = other_leg(from);
    /* the B2BUA is the UAS of the INVITE on leg A and its UAC on leg B: RFC 6337
     * 4.3 answers a request that meets an incomplete transaction with 500 where
     * the B2BUA is the UAS (UAS-IsI, UAS-IsU, UAS-UsU) and 491 where it is the
     * UAC (UAS-IcI, UAS-IcU, UAS-UcU) */
    unsigned busy = from == LEG_A ? 500u : 491u;
    if (d->on) {
        mid_reject(c, from, m, src, d->from == from ? 500u : 491u,
                   "Another offer is in progress", "glare");
        return;
    }
    bool early = !leg_confirmed(c, from) || !leg_confirmed(c, to);
    if (early && !update) {
        mid_reject(c, from, m, src, busy, "The call is not established on both legs yet",
                   "re-INVITE before both legs are confirmed");
        return;
    }
    bool out_update = update && leg_allows_update(c, to);
    if (early) {
        bool from_early = from == LEG_A ? c->a_st == A_PROCEEDING
                                        : (c->b_st == B_PROCEEDING && b_dialog_fork(c) >= 0);
        bool to_early = to == LEG_A ? c->a_st == A_PROCEEDING : c->b_st == B_PROCEEDING;
        if (!from_early || !to_early || !leg_early_ready(c, to) || !out_update) {
            /* RFC 3311 5.1: no UPDATE with an offer in an early dialog whose
             * first offer/answer has not gone reliably, and a re-INVITE cannot
             * take its place before the dialog is confirmed */
            char w[160];
            snprintf(w, sizeof(w), "Leg %s cannot take an UPDATE in its early dialog (%s)",
                     leg_name(to),
                     !leg_early_ready(c, to) ? "no reliable offer/answer there: no 100rel"
                                             : "UPDATE not in its Allow");
            mid_reject(c, from, m, src, busy, w, "early UPDATE not relayed");
            return;
        }
    }
    if (update && !out_update && !offer) {
        /* nothing for the other leg: a target refresh or a session timer, answered here */
        respond_full(c, from, c->no, m, src, 200, NULL, NULL, "no offer: answered here",
                     from == LEG_A ? nist_a_next(c, m) : nist_b_next(c, m), NULL, NULL);
        return;
    }
    if (update && !out_update && opt.interwork[to] == IW_OFF) {
        char w[160];
        snprintf(w, sizeof(w), "Leg %s does not allow UPDATE (--%s-update off)", leg_name(to),
                 to == LEG_A ? "a" : "b");
        mid_reject(c, from, m, src, 488, w, "UPDATE not relayed");
        return;
    }

    /* keep what answering takes, then relay; the bodies and messages of the
     * previous request are stored over */
    d->slot.used = false;
    d->s_last.len = d->s_rel.len = d->c_req.len = d->c_ack.len = 0;
    d->s_next = d->s_deadline = d->c_next = d->c_deadline = PRACK_TIME_NONE;
    d->from = from;
    d->in_update = update;
    d->out_update = out_update;
    d->early = early;
    d->offer_in = offer;
    d->s_cseq = m->cseq;
    d->s_final = 0;
    hs_clear(&d->auth);
    hs_clear(&d->s_extra);
    /* credentials answering the other end's challenge to an earlier one go on */
    copy_headers(&d->auth, CAP_HDRS, m, SIP_H_AUTHORIZATION, "Authorization");
    copy_headers(&d->auth, CAP_HDRS, m, SIP_H_PROXY_AUTHORIZATION, "Proxy-Authorization");
    d->c_proceeding = d->c_final = d->ack_wait = d->uas_on = false;
    d->prack_wait = d->oa_1xx = false;
    sip_str_copy(d->s_branch, sizeof(d->s_branch), m->branch);
    reply_addr(m, src, &d->s_peer);
    if (!mid_copy_headers(d, m)) {
        respond(from, c->no, m, src, 513, NULL, NULL, "headers too large", NULL);
        return;
    }
    if (m->body.n && !body_keep(c, &d->offer, m)) {
        respond(from, c->no, m, src, 513, NULL, NULL, "body too large", NULL);
        return;
    }
    if (!m->body.n)
        body_clear(c, &d->offer);
    body_clear(c, &d->answer);
    d->on = true;
    if (!update) {
        /* the re-INVITE's 100rel with the caller of it: an engine of its own */
        prack_config_t cfg;
        prack_config_init(&cfg);
        cfg.t1_ms = opt.t1;
        cfg.policy = (uint8_t)opt.policy[from];
        prack_invite_t inv;
        ex_invite_facts(m, &inv);
        if (offer)
            inv.flags |= PRACK_INV_SDP;
        prack_actions_t acts;
        if (prack_uas_init(&d->uas, &cfg, &inv, ex_random32(), now, &acts) != PRACK_OK) {
            d->on = false;
            respond(from, c->no, m, src, 500, NULL, NULL, NULL, NULL);
            return;
        }
        d->uas_on = true;
        if (prack_uas_state(&d->uas) == PRACK_UAS_REJECTED) {
            mid_uas_run(c, &acts, now, NULL, NULL);
            d->on = false;
            return;
        }
        if (prack_uas_send_1xx(&d->uas, now, 100, 0, 0, &acts) == PRACK_OK)
            mid_uas_run(c, &acts, now, NULL, NULL);
        if (!offer)
            note(c->no, "%s: re-INVITE without an offer: the answer to the other leg's offer "
                        "comes in a PRACK or the ACK", leg_name(from));
    }
    if (!mid_send_request(c, now)) {
        d->on = false;
        char hp[80], w[160];
        leg_hostport(c, from, hp, sizeof(hp));
        snprintf(w, sizeof(w), "Warning: 399 %s \"Cannot relay it\"\r\n", hp);
        if (update)
            respond(from, c->no, m, src, 500, NULL, w, NULL, NULL);
        else
            mid_s_send(c, 500, w, NULL, NULL, NULL, NULL, now);
    }
}

/* The other leg's final comes back to the leg the request came from. */
static void mid_relay_final(struct call *c, const sip_msg_t *m, prack_time_t now)
{
    struct mid *d = &c->mid;
    unsigned status = m->status;
    if (m->body.n && status < 300)
        body_keep(c, &d->answer, m);
    /* a challenge goes back with the request's sender, whose re-send carries
     * the credentials (a new request, with its own CSeq on each leg) */
    copy_headers(&d->s_extra, CAP_HDRS, m, SIP_H_WWW_AUTHENTICATE, "WWW-Authenticate");
    copy_headers(&d->s_extra, CAP_HDRS, m, SIP_H_PROXY_AUTHENTICATE, "Proxy-Authenticate");
    /* a 500 of the other leg's makes the sender retry later, as it did here */
    char extra[64] = "";
    if (status == 500)
        snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", ex_random32() % 11u);
    if (d->in_update) {
        mid_s_send(c, status, extra, &d->answer, NULL, d->answer.len ? "SDP answer" : NULL,
                   d->out_update ? NULL : "the re-INVITE's outcome", now);
        return;
    }
    if (!d->uas_on)
        return;
    prack_actions_t acts;
    if (prack_uas_send_final(&d->uas, now, (uint16_t)status, &acts) == PRACK_OK)
        mid_uas_run(c, &acts, now, NULL, NULL);
}

/* The ACK of our re-INVITE's final: with the answer when its 2xx carried the offer. */
static void mid_send_ack(struct call *c, const sip_msg_t *rsp, const body_t *answer, const char *why)
{
    static char buf[B2B_MSG_MAX];
    struct mid *d = &c->mid;
    enum leg to = other_leg(d->from);
    unsigned fi = leg_fork(c, to);
    char branch[32];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    bool ok = !rsp || rsp->status < 300;
    if (ok)
        ex_branch(branch); /* RFC 3261 13.2.2.4: a transaction of its own */
    else
        memcpy(branch, d->c_branch, sizeof(branch)); /* 17.1.1.3: the INVITE's */
    dlg_start_request(&b, c, to, fi, "ACK", d->c_cseq, branch);
    sb_body(&b, ok ? answer : NULL);
    if (b.overflow || !smsg_keep(c, &d->c_ack, buf, b.len))
        return;
    send_to(&d->c_dest, buf, b.len);
    ladder(c->no, to, true, buf, b.len, answer && answer->len && ok ? "SDP answer" : NULL, why);
}

static void mid_on_invite_response(struct call *c, const sip_msg_t *m, const char *raw,
                                   size_t rawlen, prack_time_t now)
{
    struct mid *d = &c->mid;
    enum leg to = other_leg(d->from);
    if (d->c_final) {
        ladder(c->no, to, false, raw, rawlen, NULL, "retransmission");
        if (m->status >= 200 && d->c_ack.len) {
            send_to(&d->c_dest, BLOB_P(&d->c_ack), d->c_ack.len);
            ladder(c->no, to, true, BLOB_P(&d->c_ack), d->c_ack.len, NULL, "retransmission");
        }
        return;
    }
    prack_response_t r;
    rsp_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&d->uac, m->status > 100 ? &d->dlg : NULL, now, &r, &acts);
    bool reliable = (r.flags & PRACK_RSP_REQUIRE_100REL) && (r.flags & PRACK_RSP_RSEQ);
    const char *role = has_sdp(m) ? (d->offer_in ? (reliable || m->status >= 200 ? "SDP answer"
                                                                                  : "SDP answer preview")
                                  : d->oa_1xx && m->status >= 200 ? "SDP repeated"
                                                                  : "SDP offer")
                                  : NULL;
    ladder(c->no, to, false, raw, rawlen, role, d->in_update ? "to the UPDATE's re-INVITE" : NULL);
    if (to == LEG_B && m->status >= 200 && m->status < 300) {
        sip_str_t contact = sip_contact_uri(m); /* a target refresh (RFC 3261 12.2.1.2) */
        if (contact.n)
            hs_str(&c->forks[leg_fork(c, LEG_B)].target, CAP_URI, contact);
    } else if (to == LEG_A && m->status >= 200 && m->status < 300) {
        sip_str_t contact = sip_contact_uri(m);
        if (contact.n)
            hs_str(&c->a_target, CAP_URI, contact);
    }
    if (m->status < 200) {
        d->c_next = PRACK_TIME_NONE;
        d->c_proceeding = true;
        if (rc == PRACK_OK)
            mid_uac_run(c, &acts, m, now);
        return;
    }
    d->c_final = true;
    d->c_next = d->c_deadline = PRACK_TIME_NONE;
    if (rc == PRACK_OK)
        mid_uac_run(c, &acts, m, now);
    if (m->status < 300 && !d->offer_in && !d->oa_1xx && has_sdp(m) && !d->in_update) {
        /* the 2xx offers: the answer comes in the ACK from the leg that sent the re-INVITE */
        d->ack_wait = true;
        note(c->no, "%s: the ACK waits for the answer from leg %s", leg_name(to), leg_name(d->from));
    } else {
        mid_send_ack(c, m, NULL, NULL);
    }
    mid_relay_final(c, m, now);
}

static void mid_on_update_response(struct call *c, struct txn *t, const sip_msg_t *m,
                                   prack_time_t now)
{
    (void)t;
    if (c->mid.on && c->mid.out_update)
        mid_relay_final(c, m, now);
}

/* The ACK of our final to a relayed re-INVITE. */
static void mid_on_ack(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                       prack_time_t now)
{
    struct mid *d = &c->mid;
    (void)now;
    ladder(c->no, d->from, false, raw, rawlen, has_sdp(m) ? "SDP answer" : NULL, "to the re-INVITE");
    d->s_next = d->s_deadline = PRACK_TIME_NONE;
    if (d->ack_wait) {
        body_t *ans = &d->answer;
        if (!has_sdp(m) || !body_keep(c, ans, m))
            body_clear(c, ans);
        d->ack_wait = false;
        mid_send_ack(c, NULL, ans, "the answer from the other leg");
    }
    d->on = false;
}

/* A 1xx to our re-INVITE goes to the leg that sent the re-INVITE, through its
 * engine; true when that engine sends it (or queues it) reliably. */
static bool mid_relay_1xx(struct call *c, const sip_msg_t *m, prack_time_t now)
{
    struct mid *d = &c->mid;
    if (d->in_update || !d->uas_on || prack_uas_state(&d->uas) != PRACK_UAS_PROCEEDING)
        return false; /* an UPDATE has no provisional to relay */
    uint32_t flags = 0;
    uint64_t cookie = 0;
    if (m->body.n && !d->slot.used && body_keep(c, &d->slot.body, m)) {
        d->slot.used = true;
        cookie = 1;
        if (has_sdp(m))
            flags |= PRACK_1XX_SDP;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_1xx(&d->uas, now, (uint16_t)m->status, flags, cookie, &acts);
    if (rc != PRACK_OK) {
        if (cookie)
            d->slot.used = false;
        note(c->no, "%s: %u not relayed: %s", leg_name(d->from), m->status, prack_strerror(rc));
        return false;
    }
    bool reliable = false;
    for (size_t i = 0; i < acts.n; i++)
        if (acts.v[i].type == PRACK_ACT_QUEUE_1XX ||
            (acts.v[i].type == PRACK_ACT_SEND_1XX && (acts.v[i].flags & PRACK_AF_RELIABLE)))
            reliable = true;
    mid_uas_run(c, &acts, now, NULL, NULL);
    return reliable;
}

/* The PRACK from the sender of the re-INVITE, answered by its engine: when our
 * PRACK on the other leg waits for the answer (RFC 3262 section 5), it goes
 * now, with the body of this one. */
static void mid_prack_answer(struct call *c, const sip_msg_t *m, const prack_actions_t *acts,
                             prack_time_t now)
{
    struct mid *d = &c->mid;
    bool ok = false;
    for (size_t i = 0; i < acts->n; i++)
        if (acts->v[i].type == PRACK_ACT_ANSWER_PRACK && acts->v[i].status == 200)
            ok = true;
    if (!d->prack_wait || !ok)
        return;
    d->prack_wait = false;
    enum leg to = other_leg(d->from);
    if (!has_sdp(m) || !body_keep(c, &d->answer, m)) {
        body_clear(c, &d->answer);
        note(c->no, "%s: the PRACK has no answer to relay: leg %s's PRACK goes without one",
             leg_name(d->from), leg_name(to));
    }
    d->oa_1xx = d->answer.len != 0;
    send_prack(c, to, leg_fork(c, to), d->prack_wait_rseq, d->prack_wait_cseq, &d->answer, true,
               now, d->from == LEG_A ? "re-INVITE, the caller's answer" : "re-INVITE, the callee's answer");
    body_clear(c, &d->answer); /* the 2xx's body goes here next */
}

static void mid_uac_run(struct call *c, const prack_actions_t *acts, const sip_msg_t *m,
                        prack_time_t now)
{
    struct mid *d = &c->mid;
    enum leg to = other_leg(d->from);
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_DELIVER_1XX:
            if (m && a->status > 100)
                mid_relay_1xx(c, m, now);
            break;
        case PRACK_ACT_SEND_PRACK: {
            if (a->flags & PRACK_AF_AUTH)
                break;
            if (d->prack_wait)
                break; /* a retransmission of the 1xx whose PRACK waits for the answer */
            bool reliable = m && !(a->flags & PRACK_AF_CACHED) && mid_relay_1xx(c, m, now);
            if (a->sdp == PRACK_SDP_ANSWER && !d->offer_in && reliable) {
                /* RFC 3262 section 5: the offer went on in a reliable 1xx, whose
                 * PRACK brings the answer this PRACK must carry */
                d->prack_wait = true;
                d->prack_wait_rseq = a->rseq;
                d->prack_wait_cseq = a->cseq;
                note(c->no, "%s: PRACK for RSeq %u waits for the answer from leg %s", leg_name(to),
                     a->rseq, leg_name(d->from));
                break;
            }
            if (a->sdp == PRACK_SDP_ANSWER)
                note(c->no, "%s: an offer in a 1xx to the re-INVITE that leg %s cannot take "
                            "reliably: not answered",
                     leg_name(to), leg_name(d->from));
            send_prack(c, to, leg_fork(c, to), a->rseq, a->cseq, NULL, true, now, "re-INVITE");
            break;
        }
        case PRACK_ACT_DISCARD:
            note(c->no, "%s: %u RSeq %u not relayed: %s", leg_name(to), a->status, a->rseq,
                 prack_reason_name(a->reason));
            break;
        case PRACK_ACT_TERMINATE: {
            note(c->no, "%s: PRACK for RSeq %u failed with %u: ending the call (--%s-prack-failure "
                        "terminate)",
                 leg_name(to), a->rseq, a->status, to == LEG_A ? "a" : "b");
            c->failed = true;
            if (!d->s_final) {
                /* the sender of the request gets its final before the BYE */
                char hp[80];
                leg_hostport(c, d->from, hp, sizeof(hp));
                hs_fmt(&d->s_extra, CAP_HDRS,
                         "Warning: 399 %s \"Leg %s answered a PRACK with %u\"\r\n", hp, leg_name(to),
                         a->status);
                mid_relay_status(c, 500, now);
            }
            stop_b(c, now);
            stop_a(c, 500, now, "a PRACK failed");
            break;
        }
        case PRACK_ACT_EVENT:
            if (a->reason == PRACK_R_PRACK_FAILED)
                note(c->no, "%s: PRACK for RSeq %u failed with %u", leg_name(to), a->rseq, a->status);
            else if (a->reason == PRACK_R_SESSION)
                note(c->no, "%s: offer/answer complete", leg_name(to));
            break;
        default: break;
        }
    }
}

static void mid_uas_run(struct call *c, const prack_actions_t *acts, prack_time_t now,
                        const sip_msg_t *prack, const ex_addr_t *src)
{
    struct mid *d = &c->mid;
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_1XX: {
            bool reliable = (a->flags & PRACK_AF_RELIABLE) != 0;
            if (a->flags & PRACK_AF_RETRANSMIT) {
                if (d->s_rel.len) {
                    send_to(&d->s_peer, BLOB_P(&d->s_rel), d->s_rel.len);
                    ladder(c->no, d->from, true, BLOB_P(&d->s_rel), d->s_rel.len, NULL,
                           "retransmission");
                }
                break;
            }
            char rseq[PRACK_RSEQ_STRLEN];
            if (reliable) {
                prack_format_rseq(rseq, sizeof(rseq), a->rseq);
                stats.rel1xx++;
            }
            const body_t *body = a->user == 1u && d->slot.used ? &d->slot.body : NULL;
            if (a->status == 100) {
                mid_s_send(c, 100, NULL, NULL, NULL, NULL, NULL, now);
                break;
            }
            mid_s_send(c, a->status, NULL, body, reliable ? rseq : NULL,
                       sdp_label(a->sdp, reliable), NULL, now);
            break;
        }
        case PRACK_ACT_SEND_FINAL: {
            char extra[160] = "";
            if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
                snprintf(extra, sizeof(extra), "Unsupported: 100rel\r\n");
            if (a->flags & PRACK_AF_REQUIRE_100REL)
                snprintf(extra, sizeof(extra), "Require: 100rel\r\n");
            const char *why = (a->flags & PRACK_AF_RELEASED) ? "released by the PRACK" : NULL;
            mid_s_send(c, a->status, extra, &d->answer, NULL,
                       a->status < 300 && d->answer.len
                           ? (d->offer_in ? "SDP answer" : d->oa_1xx ? "SDP repeated" : "SDP offer")
                           : NULL,
                       why, now);
            break;
        }
        case PRACK_ACT_HOLD_FINAL:
            note(c->no, "%s: %u held until PRACK for RSeq %u (that 1xx carries SDP)",
                 leg_name(d->from), a->status, a->rseq);
            break;
        case PRACK_ACT_ANSWER_PRACK:
            if (prack && src)
                respond(d->from, c->no, prack, src, a->status, NULL, NULL, NULL,
                        d->from == LEG_A ? &c->nist_a[c->nist_a_cur] : &c->nist_b[c->nist_b_cur]);
            break;
        case PRACK_ACT_EVENT:
            if (a->reason == PRACK_R_TIMEOUT)
                note(c->no, "%s: reliable 1xx to the re-INVITE never PRACKed", leg_name(d->from));
            break;
        default: break;
        }
        if ((a->flags & PRACK_AF_RELEASE) && a->user == 1u)
            d->slot.used = false;
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
    sb_init(&b, hs_tmp, CAP_HDRS);
    for (const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL); h; h = sip_find(m, SIP_H_VIA, h))
        sb_header(&b, "Via", h->value);
    sb_header(&b, "From", m->from);
    sb_printf(&b, "To: %.*s;tag=%s\r\n", SIP_STR_ARG(m->to), c->a_to_tag);
    sb_header(&b, "Call-ID", m->call_id);
    sb_printf(&b, "CSeq: %u INVITE\r\n", m->cseq);
    if (b.overflow || !hs_set(&c->a_hdrs, hs_tmp, b.len))
        return false;

    sb_init(&b, hs_tmp, CAP_ROUTE);
    for (const sip_header_t *h = sip_find(m, SIP_H_RECORD_ROUTE, NULL); h;
         h = sip_find(m, SIP_H_RECORD_ROUTE, h))
        sb_header(&b, "Record-Route", h->value);
    if (b.overflow || !hs_set(&c->a_rr, hs_tmp, b.len))
        return false;

    /* as the UAS, the route set is the Record-Route list in order (RFC 3261 12.1.1) */
    sip_str_t rr[SIP_MAX_ROUTES];
    size_t n = sip_routes(m, SIP_H_RECORD_ROUTE, rr, SIP_MAX_ROUTES);
    sb_init(&b, hs_tmp, CAP_ROUTE);
    for (size_t i = 0; i < n; i++)
        sb_printf(&b, "%s%.*s", b.len ? ", " : "", SIP_STR_ARG(rr[i]));
    if (b.overflow || !hs_set(&c->a_route, hs_tmp, b.len))
        return false;
    if (n) {
        sip_str_t uri, params;
        sip_split_nameaddr(rr[0], &uri, &params);
        hs_str(&c->a_first_route, CAP_URI, uri);
    }
    hs_str(&c->a_target, CAP_URI, sip_contact_uri(m));
    return hs_str(&c->a_remote, CAP_NAMEADDR, m->from) &&
           hs_fmt(&c->a_local_party, CAP_NAMEADDR, "%.*s;tag=%s", SIP_STR_ARG(m->to), c->a_to_tag);
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
        hs_fmt(&c->fin_extra, CAP_EXTRA, "Warning: 399 %s \"%s\"\r\n", hp, warning);
    }
    c->failed = true;
    a_send_final(c, &a, now);
}

/*
 * The B2BUA's INVITE towards the callee: new Call-ID, tags, branch and CSeq.
 * After a challenge (`prev`), the re-sent INVITE keeps leg B's Call-ID, From
 * and To and takes the next CSeq (RFC 3261 8.1.3.5, 22.2), so the callee sees
 * the re-send of its challenged request; the PRACKs of the new transaction then
 * name that CSeq in their RAck.
 */
struct b_ident {
    char call_id[96], from_tag[24], from[256], ruri[256], to[300];
    uint32_t cseq;
};

static void b_start(struct call *c, unsigned max_forwards, const struct b_ident *prev,
                    prack_time_t now)
{
    char lhost[64], rnd[24], hp[80], next[80];
    ex_local_for(host.sock, &opt.bind, &opt.next, &c->b_local);
    if (prev) {
        memcpy(c->b_call_id, prev->call_id, sizeof(c->b_call_id));
        memcpy(c->b_from_tag, prev->from_tag, sizeof(c->b_from_tag));
        hs_set(&c->b_from, prev->from, strlen(prev->from));
        hs_set(&c->b_ruri, prev->ruri, strlen(prev->ruri));
        hs_set(&c->b_to, prev->to, strlen(prev->to));
        c->b_cseq = prev->cseq + 1u;
    } else {
        ex_addr_host(&c->b_local, lhost, sizeof(lhost), true);
        ex_random_hex(rnd, 20);
        snprintf(c->b_call_id, sizeof(c->b_call_id), "%s@%s", rnd, lhost);
        ex_random_hex(c->b_from_tag, 16);
        b_hostport(c, hp, sizeof(hp));
        hostport(&opt.next, next, sizeof(next));
        hs_fmt(&c->b_ruri, CAP_URI, "sip:%s%s%s", c->a_user, c->a_user[0] ? "@" : "",
                 next);
        hs_fmt(&c->b_to, CAP_URI + 44u, "<%s>", HS(c->b_ruri));
        hs_fmt(&c->b_from, CAP_URI, "<sip:" B2B_USER "@%s>;tag=%s", hp, c->b_from_tag);
        c->b_cseq = 1;
    }
    ex_key_t k;
    b_key(&k, sip_str_c(c->b_call_id));
    if (!ex_htab_add(&b_calls, &c->b_node, &k)) {
        c->b_st = B_DONE;
        a_local_final(c, 500, "No room for the call towards the callee", now);
        return;
    }
    c->b_policy = opt.policy[LEG_B];
    c->b_max_forwards = max_forwards;
    if (!b_send_invite(c, now)) {
        c->b_st = B_DONE;
        a_local_final(c, 500, "Cannot build the INVITE towards the callee", now);
    }
}

/* The caller's credentials, relayed to the callee that asked for them. */
static bool a_copy_auth(struct call *c, const sip_msg_t *m)
{
    sip_buf_t b;
    sb_init(&b, hs_tmp, CAP_AUTH);
    for (const sip_header_t *h = sip_find(m, SIP_H_AUTHORIZATION, NULL); h;
         h = sip_find(m, SIP_H_AUTHORIZATION, h))
        sb_header(&b, "Authorization", h->value);
    for (const sip_header_t *h = sip_find(m, SIP_H_PROXY_AUTHORIZATION, NULL); h;
         h = sip_find(m, SIP_H_PROXY_AUTHORIZATION, h))
        sb_header(&b, "Proxy-Authorization", h->value);
    if (b.overflow) {
        hs_clear(&c->a_auth);
        return false;
    }
    return hs_set(&c->a_auth, hs_tmp, b.len);
}

static void on_new_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                          prack_time_t now)
{
    /* RFC 3261 8.2.2.2: the same request again on another branch while the first is pending */
    static struct b_ident prev;
    bool resend = false;
    ex_key_t ak;
    bool ak_ok = a_key(&ak, m->call_id, m->from_tag);
    for (struct call *o = ak_ok ? a_next(&ak, NULL) : NULL; o; o = a_next(&ak, o)) {
        if (o->a_st == A_PROCEEDING && o->a_cseq == m->cseq) {
            ladder(o->no, LEG_A, false, raw, rawlen, NULL, "merged request");
            respond(LEG_A, o->no, m, src, 482, NULL, NULL, NULL, NULL);
            return;
        }
        if (o->retryable && !o->counted)
            o->superseded = true; /* the caller retries what it was told to change */
        if (o->challenged && o->b_call_id[0] && m->cseq > o->a_cseq) {
            /* the caller's answer to the challenge the callee sent through us */
            memcpy(prev.call_id, o->b_call_id, sizeof(prev.call_id));
            memcpy(prev.from_tag, o->b_from_tag, sizeof(prev.from_tag));
            snprintf(prev.from, sizeof(prev.from), "%s", HS(o->b_from));
            snprintf(prev.ruri, sizeof(prev.ruri), "%s", HS(o->b_ruri));
            snprintf(prev.to, sizeof(prev.to), "%s", HS(o->b_to));
            prev.cseq = o->b_cseq;
            o->challenged = false;
            resend = true;
        }
    }

    struct call *c = alloc_call();
    if (!c) {
        ladder(next_call_no, LEG_A, false, raw, rawlen, "SDP offer", NULL);
        respond(LEG_A, next_call_no, m, src, 503, NULL, "Retry-After: 5\r\n", "no free call slot",
                NULL);
        return;
    }
    c->used = true;
    c->no = next_call_no++;
    c->confirmed = c->early_fork = c->prack_wait = -1;
    c->fin_next = c->fin_deadline = c->b_a_next = c->b_deadline = PRACK_TIME_NONE;
    c->mid.s_next = c->mid.s_deadline = c->mid.c_next = c->mid.c_deadline = PRACK_TIME_NONE;
    c->linger_until = c->count_at = PRACK_TIME_NONE;
    bool offer = has_sdp(m);
    ladder(c->no, LEG_A, false, raw, rawlen, offer ? "SDP offer" : NULL,
           offer ? NULL : "no SDP: the callee will offer");
    if (!hs_str(&c->a_call_id, CAP_CALL_ID, m->call_id) ||
        !hs_str(&c->a_from_tag, CAP_TAG, m->from_tag) || !hs_str(&c->a_branch, CAP_TAG, m->branch)) {
        respond(LEG_A, c->no, m, src, 400, NULL, NULL, "header value too long", NULL);
        free_call(c);
        return;
    }
    ex_random_hex(c->a_to_tag, 16);
    c->a_cseq = c->a_remote_cseq = m->cseq;
    reply_addr(m, src, &c->a_peer);
    ex_local_for(host.sock, &opt.bind, &c->a_peer, &c->a_local);
    sip_uri_t ruri;
    if (sip_uri_parse(m->uri, &ruri))
        copy_user(c->a_user, sizeof(c->a_user), ruri.user);
    if (!a_copy_headers(c, m)) {
        respond(LEG_A, c->no, m, src, 513, c->a_to_tag, NULL, "headers too large", NULL);
        free_call(c);
        return;
    }
    if (!ak_ok || !ex_htab_add(&a_calls, &c->a_node, &ak)) {
        respond(LEG_A, c->no, m, src, 500, c->a_to_tag, NULL, "no room for the call's key", NULL);
        free_call(c);
        return;
    }
    touch(c);
    c->a_st = A_PROCEEDING;
    c->a_update = allow_update(m, ALLOW_UNKNOWN);

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
        hs_fmt(&c->fin_extra, CAP_EXTRA, "Unsupported: %s\r\n", unknown);
        c->retryable = true;
        a_local_final(c, 420, NULL, now);
        return;
    }
    if (!a_copy_auth(c, m)) {
        a_local_final(c, 513, "Credentials too large to relay", now);
        return;
    }

    /* leg A's engine negotiates 100rel with the caller; 420/421 come from it */
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)opt.policy[LEG_A];
    prack_invite_t inv;
    ex_invite_facts(m, &inv);
    if (offer)
        inv.flags |= PRACK_INV_SDP; /* multipart with SDP included */
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
    /* the body goes through untouched; without an offer, the callee makes one
     * (in a reliable 1xx or the 2xx) and the caller answers it */
    c->late = !offer;
    if (m->body.n && !body_keep(c, &c->offer, m)) {
        a_local_final(c, 513, "The body is too large to relay", now);
        return;
    }
    /* 100 Trying goes through the engine too: it is never sent reliably (R4);
     * no body, so no slot and cookie 0 */
    if (prack_uas_send_1xx(&c->uas, now, 100, 0, 0, &acts) == PRACK_OK)
        a_run(c, &acts, now, NULL, NULL);
    b_start(c, max_forwards, resend ? &prev : NULL, now);
}

static void on_a_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                        prack_time_t now)
{
    if (m->to_tag.n == 0) {
        struct call *c = find_a_invite(m);
        if (c) {
            /* RFC 3261 17.2.1: a retransmission gets the last response again */
            ladder(c->no, LEG_A, false, raw, rawlen, NULL, "retransmission");
            if (c->a_last.len && c->a_st != A_CONFIRMED) {
                send_to(&c->a_peer, BLOB_P(&c->a_last), c->a_last.len);
                ladder(c->no, LEG_A, true, BLOB_P(&c->a_last), c->a_last.len, NULL,
                       "retransmission");
            }
            return;
        }
        on_new_invite(m, src, raw, rawlen, now);
        return;
    }
    struct call *c = find_a_dialog(m);
    if (!c || c->over) {
        ladder(c ? c->no : 0, LEG_A, false, raw, rawlen, NULL, "unknown dialog");
        respond(LEG_A, c ? c->no : 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    mid_on_request(c, LEG_A, m, src, raw, rawlen, now);
}

static void on_a_ack(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    struct call *c = find_a_dialog(m);
    if (!c) {
        ladder(0, LEG_A, false, raw, rawlen, NULL, "no dialog: ignored");
        return;
    }
    if (c->mid.on && c->mid.from == LEG_A && !c->mid.in_update && m->cseq == c->mid.s_cseq &&
        c->mid.s_final) {
        mid_on_ack(c, m, raw, rawlen, now);
        return;
    }
    if (c->a_st != A_COMPLETED || m->cseq != c->a_cseq) {
        ladder(c->no, LEG_A, false, raw, rawlen, NULL, "retransmission: absorbed");
        return;
    }
    bool answer = c->a_final < 300 && c->a_offer_sent && has_sdp(m);
    ladder(c->no, LEG_A, false, raw, rawlen, answer ? "SDP answer" : NULL, NULL);
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    if (c->a_final >= 300) {
        c->a_st = A_DONE; /* RFC 3261 17.2.1: the ACK ends the failed transaction */
        return;
    }
    c->a_st = A_CONFIRMED;
    note(c->no, "A: call established with the caller");
    if (c->prack_wait >= 0) {
        /* late offer, leg A without 100rel: the answer goes into leg B's PRACK */
        b_prack_answer(c, m, now);
    } else if (c->b_ack_wait && c->confirmed >= 0) {
        /* late offer in the callee's 2xx: the answer goes into leg B's ACK */
        c->b_ack_wait = false;
        if (!has_sdp(m) || !body_keep(c, &c->a_answer, m)) {
            body_clear(c, &c->a_answer);
            note(c->no, "A: the caller's ACK has no answer to relay");
        }
        b_send_ack(c, &c->forks[c->confirmed], &c->a_answer, true, NULL);
    }
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
    bool answer = (c->a_offer_sent && !c->a_oa_done) ||
                  (c->mid.on && c->mid.from == LEG_A && c->mid.prack_wait);
    ladder(c->no, LEG_A, false, raw, rawlen, has_sdp(m) && answer ? "SDP answer" : NULL, NULL);
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
    if (has_sdp(m))
        pr.flags |= PRACK_PR_SDP;
    prack_actions_t acts;
    if (c->mid.on && c->mid.from == LEG_A && c->mid.uas_on && (pr.flags & PRACK_PR_RACK) &&
        pr.rack_cseq == c->mid.s_cseq) {
        /* for a reliable 1xx to the caller's re-INVITE */
        if (prack_uas_on_prack(&c->mid.uas, now, &pr, &acts) == PRACK_OK) {
            mid_uas_run(c, &acts, now, m, src);
            mid_prack_answer(c, m, &acts, now);
        }
        return;
    }
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
                                         "MESSAGE",  "INFO",      "PUBLISH" };
    unsigned no = c ? c->no : 0;
    ladder(no, leg, false, raw, rawlen, NULL, NULL);
    if (sip_str_eq_exact(m->method, "OPTIONS")) {
        respond(leg, no, m, src, 200, NULL,
                opt.policy[leg] != PRACK_POLICY_OFF
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
        if (sip_str_eq_exact(m->from_tag, HS(c->forks[i].to_tag)))
            return &c->forks[i];
    return NULL;
}

static void on_b_request(struct call *c, const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                         size_t rawlen, prack_time_t now)
{
    struct fork *f = b_request_fork(c, m);
    bool bye = sip_str_eq_exact(m->method, "BYE");
    bool invite = sip_str_eq_exact(m->method, "INVITE");
    bool update = sip_str_eq_exact(m->method, "UPDATE");
    bool prack = sip_str_eq_exact(m->method, "PRACK");
    if ((bye || update || prack) && f && nist_again(c->no, LEG_B, c->nist_b, B2B_NIST_B, m, raw, rawlen))
        return;
    if (sip_str_eq_exact(m->method, "ACK")) {
        if (f && c->mid.on && c->mid.from == LEG_B && !c->mid.in_update &&
            m->cseq == c->mid.s_cseq && c->mid.s_final)
            mid_on_ack(c, m, raw, rawlen, now);
        else
            ladder(c->no, LEG_B, false, raw, rawlen, NULL, "ignored");
        return;
    }
    if (prack && f && c->mid.on && c->mid.from == LEG_B && c->mid.uas_on) {
        /* for a reliable 1xx to the callee's re-INVITE */
        ladder(c->no, LEG_B, false, raw, rawlen,
               has_sdp(m) && c->mid.prack_wait ? "SDP answer" : NULL, NULL);
        nist_b_next(c, m);
        prack_prack_t pr;
        ex_prack_facts(m, &pr);
        if (has_sdp(m))
            pr.flags |= PRACK_PR_SDP;
        prack_actions_t acts;
        stats.prack_rcvd++;
        if (prack_uas_on_prack(&c->mid.uas, now, &pr, &acts) == PRACK_OK) {
            mid_uas_run(c, &acts, now, m, src);
            mid_prack_answer(c, m, &acts, now);
        }
        return;
    }
    if (prack || sip_str_eq_exact(m->method, "CANCEL")) {
        /* no reliable 1xx and no INVITE of the callee's to match */
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "nothing to match");
        respond(LEG_B, c->no, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (!bye && !invite && !update) {
        on_other_request(LEG_B, f ? c : NULL, m, src, raw, rawlen);
        return;
    }
    if (!f || c->over) {
        ladder(c->no, LEG_B, false, raw, rawlen, NULL, "unknown dialog");
        respond(LEG_B, c->no, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (!bye) {
        if (c->confirmed < 0 && f->reliable_oa)
            c->early_fork = (int)(f - c->forks); /* the early dialog the UPDATE came on */
        mid_on_request(c, LEG_B, m, src, raw, rawlen, now);
        return;
    }
    ladder(c->no, LEG_B, false, raw, rawlen, NULL, NULL);
    respond(LEG_B, c->no, m, src, 200, NULL, NULL, NULL, nist_b_next(c, m));
    if ((int)(f - c->forks) != c->confirmed || c->b_st != B_CONFIRMED)
        return; /* a BYE that crossed ours, or on a dialog we left already */
    c->b_st = B_DONE;
    /* a callee hanging up before the caller saw the 2xx: the held 2xx is replaced */
    stop_a(c, 487, now, "the callee hung up");
}

/* ------------------------------------------------------------------------- */
/* Responses */

/* A response to a request of ours on leg `leg` of call c. */
static void on_call_response(struct call *c, enum leg leg, const sip_msg_t *m, const char *raw,
                             size_t rawlen, prack_time_t now)
{
    bool leg_b = leg == LEG_B;
    bool invite = sip_str_eq_exact(m->cseq_method, "INVITE");
    if (invite && c->mid.on && !c->mid.out_update && other_leg(c->mid.from) == leg &&
        sip_str_eq_exact(m->branch, c->mid.c_branch) && m->cseq == c->mid.c_cseq) {
        mid_on_invite_response(c, m, raw, rawlen, now); /* to our re-INVITE */
        return;
    }
    if (leg_b && invite) {
        if (!sip_str_eq_exact(m->branch, c->b_branch) || m->cseq != c->b_cseq) {
            if (m->status >= 300 && c->b_nack.len && sip_str_eq_exact(m->branch, c->b_nack_branch)) {
                /* the final of the INVITE a 420/421 retry replaced: the same ACK again */
                ladder(c->no, LEG_B, false, raw, rawlen, NULL, "retransmission");
                send_to(&opt.next, BLOB_P(&c->b_nack), c->b_nack.len);
                ladder(c->no, LEG_B, true, BLOB_P(&c->b_nack), c->b_nack.len, NULL,
                       "retransmission");
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
    ex_key_t k;
    if (ex_ctx_key(&k, m->branch, m->cseq_method)) {
        for (ex_hnode_t *n = ex_htab_find(&host.ctx, &k, NULL); n;
             n = ex_htab_find(&host.ctx, &k, n)) {
            struct txn *t = EX_OWNER(n, struct txn, node);
            if (t->call == c && t->used && t->leg == leg && m->cseq == t->cseq) {
                b_on_txn_response(c, t, m, raw, rawlen, now);
                return;
            }
        }
    }
    ladder(c->no, leg, false, raw, rawlen, NULL, "no transaction: ignored");
}

static void on_response(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    /* leg B: its Call-ID and our From tag. A call re-sent with credentials
     * shares both with the call it replaced, which keeps only the responses to
     * its own INVITE (its branch). */
    ex_key_t k;
    struct call *live = NULL, *old = NULL;
    b_key(&k, m->call_id);
    for (struct call *c = b_next(&k, NULL); c && !old; c = b_next(&k, c)) {
        if (!sip_str_eq_exact(m->from_tag, c->b_from_tag))
            continue;
        if (!c->superseded)
            live = live ? live : c;
        else if (sip_str_eq_exact(m->branch, c->b_branch))
            old = c;
    }
    if (old || live) {
        struct call *c = touch(old ? old : live);
        on_call_response(c, LEG_B, m, raw, rawlen, now);
        return;
    }
    /* leg A: the caller's dialog, our tag in From */
    if (a_key(&k, m->call_id, m->to_tag)) {
        for (struct call *c = a_next(&k, NULL); c; c = a_next(&k, c)) {
            if (sip_str_eq_exact(m->from_tag, c->a_to_tag)) {
                on_call_response(touch(c), LEG_A, m, raw, rawlen, now);
                return;
            }
        }
    }
    ladder(0, LEG_B, false, raw, rawlen, NULL, "stray response: ignored");
}

/* An UPDATE from the caller, in the early or the confirmed dialog. */
static void on_a_update(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                        prack_time_t now)
{
    struct call *c = m->to_tag.n ? find_a_dialog(m) : NULL;
    if (!c || c->over) {
        ladder(c ? c->no : 0, LEG_A, false, raw, rawlen, NULL, "unknown dialog");
        respond(LEG_A, c ? c->no : 0, m, src, 481, NULL, NULL, NULL, NULL);
        return;
    }
    if (nist_again(c->no, LEG_A, c->nist_a, B2B_NIST_A, m, raw, rawlen))
        return;
    mid_on_request(c, LEG_A, m, src, raw, rawlen, now);
}

static void dispatch(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
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
    else if (sip_str_eq_exact(m.method, "UPDATE"))
        on_a_update(&m, src, raw, len, now);
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
        if (c->txn[i] && c->txn[i]->used)
            d = ex_min(d, ex_nict_deadline(&c->txn[i]->t));
    if (c->mid.on) {
        if (c->mid.uas_on)
            d = ex_min(d, prack_next_deadline(&c->mid.uas));
        d = ex_min(d, ex_min(c->mid.s_next, c->mid.s_deadline));
        d = ex_min(d, ex_min(c->mid.c_next, c->mid.c_deadline));
    }
    return d;
}

/* A final of our own making to the relayed request: its transaction on the other leg timed out. */
static void mid_relay_status(struct call *c, unsigned status, prack_time_t now)
{
    static sip_msg_t m;
    memset(&m, 0, sizeof(m));
    m.status = status;
    mid_relay_final(c, &m, now);
}

static void mid_timers(struct call *c, prack_time_t now)
{
    struct mid *d = &c->mid;
    prack_actions_t acts;
    if (d->uas_on && prack_next_deadline(&d->uas) <= now &&
        prack_on_timer(&d->uas, now, &acts) == PRACK_OK)
        mid_uas_run(c, &acts, now, NULL, NULL);
    if (d->s_next <= now && d->s_last.len) {
        /* our final to the re-INVITE, until its ACK (RFC 3261 13.3.1.4, 17.2.1) */
        send_to(&d->s_peer, BLOB_P(&d->s_last), d->s_last.len);
        ladder(c->no, d->from, true, BLOB_P(&d->s_last), d->s_last.len, NULL, "retransmission");
        d->s_interval = d->s_interval * 2u < EX_T2_MS ? d->s_interval * 2u : EX_T2_MS;
        d->s_next = now + d->s_interval;
    }
    if (d->s_deadline <= now) {
        note(c->no, "%s: no ACK for the %u to the re-INVITE within 64*T1", leg_name(d->from),
             d->s_final);
        d->s_next = d->s_deadline = PRACK_TIME_NONE;
        if (d->ack_wait) {
            d->ack_wait = false;
            mid_send_ack(c, NULL, NULL, "no answer came");
        }
        d->on = false;
        return;
    }
    if (d->c_next <= now && !d->c_proceeding && d->c_req.len) {
        /* Timer A */
        send_to(&d->c_dest, BLOB_P(&d->c_req), d->c_req.len);
        ladder(c->no, other_leg(d->from), true, BLOB_P(&d->c_req), d->c_req.len, NULL,
               "retransmission");
        d->c_interval *= 2u;
        d->c_next = now + d->c_interval;
    }
    if (d->c_deadline <= now) {
        /* Timer B: no final to our re-INVITE */
        note(c->no, "%s: no final to the re-INVITE within 64*T1", leg_name(other_leg(d->from)));
        d->c_next = d->c_deadline = PRACK_TIME_NONE;
        d->c_final = true;
        mid_relay_status(c, 408, now);
    }
}

static void txn_timeout(struct call *c, struct txn *t, prack_time_t now)
{
    txn_done(t);
    note(c->no, "%c: %s timed out (Timer F)", t->leg == LEG_A ? 'A' : 'B', txn_method[t->kind]);
    switch (t->kind) {
    case T_PRACK: {
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = 408; /* the engine takes a transaction timeout as 408 */
        r.method = PRACK_METHOD_PRACK;
        r.cseq = t->cseq;
        r.rseq = t->rseq;
        prack_actions_t acts;
        if (t->mid) {
            if (prack_on_response(&c->mid.uac, &c->mid.dlg, now, &r, &acts) == PRACK_OK)
                mid_uac_run(c, &acts, NULL, now);
        } else if (prack_on_response(&c->uac, &c->forks[t->fork].eng, now, &r, &acts) ==
                   PRACK_OK) {
            b_run(c, &c->forks[t->fork], NULL, &acts, now);
        }
        break;
    }
    case T_UPDATE:
        if (c->mid.on && c->mid.out_update)
            mid_relay_status(c, 408, now);
        break;
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
            send_to(&c->a_peer, BLOB_P(&c->a_last), c->a_last.len);
            ladder(c->no, LEG_A, true, BLOB_P(&c->a_last), c->a_last.len, NULL, "retransmission");
            c->fin_interval = c->fin_interval * 2u < EX_T2_MS ? c->fin_interval * 2u : EX_T2_MS;
            c->fin_next = now + c->fin_interval;
        }
        if (c->b_a_next <= now && c->b_st == B_CALLING) {
            /* Timer A: the INVITE again, the interval doubling */
            send_to(&opt.next, BLOB_P(&c->b_invite), c->b_invite.len);
            ladder(c->no, LEG_B, true, BLOB_P(&c->b_invite), c->b_invite.len,
                   c->late ? NULL : "SDP offer", "retransmission");
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
            struct txn *t = c->txn[i];
            if (!t || !t->used)
                continue;
            int r = ex_nict_tick(&t->t, now);
            if (r > 0) {
                /* Timer E */
                send_to(&t->dest, BLOB_P(&t->msg), t->msg.len);
                ladder(c->no, t->leg, true, BLOB_P(&t->msg), t->msg.len, NULL, "retransmission");
            } else if (r < 0) {
                txn_timeout(c, t, now);
            }
        }
        if (c->mid.on)
            mid_timers(c, now);
    }
    if (c->count_at <= now)
        count_call(c);
}

/* After an event on a call: is it over, and when is it due next. */
static void call_settle(struct call *c, prack_time_t now)
{
    check_over(c, now);
    ex_timer_set(&host.timers, &c->timer, call_deadline(c));
}

/* The call's one timer: whatever of both legs is due, then the next deadline. */
static void call_timer(ex_timer_t *t, prack_time_t now)
{
    struct call *c = EX_OWNER(t, struct call, timer);
    call_timers(c, now);
    if (c->over && c->linger_until <= now) {
        free_call(c);
        return;
    }
    call_settle(c, now);
}

static void on_datagram(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
{
    ntouched = 0;
    dispatch(buf, len, src, now);
    for (size_t i = 0; i < ntouched; i++)
        if (touched[i])
            call_settle(touched[i], now);
    ntouched = 0;
}

/* ------------------------------------------------------------------------- */
/* Options and main loop */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: prack-b2bua --next HOST:PORT [options]\n"
            "A SIP back-to-back UA over UDP that interworks 100rel (RFC 3262) and UPDATE\n"
            "(RFC 3311) between a caller (leg A) and a callee (leg B). It relays bodies\n"
            "unchanged (SDP, multipart), offers and answers wherever they come, re-INVITEs,\n"
            "UPDATEs and digest challenges.\n"
            "\n"
            "  --bind HOST:PORT        local address for both legs (default 127.0.0.1:5070)\n"
            "  --next HOST:PORT        where leg B goes: the callee\n"
            "  --a-100rel MODE         off | supported | required towards the caller\n"
            "                          (default supported)\n"
            "  --b-100rel MODE         off | supported | required towards the callee\n"
            "                          (default off)\n"
            "  --a-prack-failure MODE  observe | terminate: a PRACK of ours on leg A (to a\n"
            "                          1xx of the caller's, re-INVITE) that fails is only\n"
            "                          reported, or ends the call (default observe)\n"
            "  --b-prack-failure MODE  the same on leg B, e.g. a callee that answers the\n"
            "                          PRACK with 405 (default observe)\n"
            "  --a-update MODE         reinvite | off: an UPDATE for leg A in a confirmed\n"
            "                          dialog, when the caller's Allow lacks UPDATE, goes as\n"
            "                          a re-INVITE, or is refused with 488 (default reinvite)\n"
            "  --b-update MODE         the same towards the callee (default reinvite)\n"
            "  --t1 MS                 T1 (default 500)\n"
            "  --calls N               exit after N calls (default: until interrupted)\n"
            EX_USAGE_HOST
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

static bool parse_failure(const char *s, prack_failure_t *out)
{
    if (strcmp(s, "observe") == 0)
        *out = PRACK_FAILURE_OBSERVE;
    else if (strcmp(s, "terminate") == 0)
        *out = PRACK_FAILURE_TERMINATE;
    else
        return false;
    return true;
}

static bool parse_interwork(const char *s, enum interwork *out)
{
    if (strcmp(s, "reinvite") == 0)
        *out = IW_REINVITE;
    else if (strcmp(s, "off") == 0)
        *out = IW_OFF;
    else
        return false;
    return true;
}

static void parse_args(int argc, char **argv)
{
    const char *bind_text = "127.0.0.1:5070", *next_text = NULL;
    ex_common_opts_t common = {"127.0.0.1:5070", PRACK_DEFAULT_T1_MS, 0};
    opt.policy[LEG_A] = PRACK_POLICY_SUPPORTED;
    opt.policy[LEG_B] = PRACK_POLICY_OFF;
    opt.on_failure[LEG_A] = opt.on_failure[LEG_B] = PRACK_FAILURE_OBSERVE;
    opt.interwork[LEG_A] = opt.interwork[LEG_B] = IW_REINVITE;
    opt.max_calls = EX_MAX_CALLS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (ex_common_opt(argc, argv, &i, usage, &common)) {
            continue;
        } else if (ex_host_opt(argc, argv, &i, &opt.max_calls)) {
            continue;
        } else if ((v = ex_opt(argc, argv, &i, "--next")) != NULL) {
            next_text = v;
        } else if ((v = ex_opt(argc, argv, &i, "--a-100rel")) != NULL) {
            if (!ex_parse_policy(v, &opt.policy[LEG_A]))
                ex_usage_error(ex_prog, "--a-100rel: off, supported or required");
        } else if ((v = ex_opt(argc, argv, &i, "--b-100rel")) != NULL) {
            if (!ex_parse_policy(v, &opt.policy[LEG_B]))
                ex_usage_error(ex_prog, "--b-100rel: off, supported or required");
        } else if ((v = ex_opt(argc, argv, &i, "--a-prack-failure")) != NULL) {
            if (!parse_failure(v, &opt.on_failure[LEG_A]))
                ex_usage_error(ex_prog, "--a-prack-failure: observe or terminate");
        } else if ((v = ex_opt(argc, argv, &i, "--b-prack-failure")) != NULL) {
            if (!parse_failure(v, &opt.on_failure[LEG_B]))
                ex_usage_error(ex_prog, "--b-prack-failure: observe or terminate");
        } else if ((v = ex_opt(argc, argv, &i, "--a-update")) != NULL) {
            if (!parse_interwork(v, &opt.interwork[LEG_A]))
                ex_usage_error(ex_prog, "--a-update: reinvite or off");
        } else if ((v = ex_opt(argc, argv, &i, "--b-update")) != NULL) {
            if (!parse_interwork(v, &opt.interwork[LEG_B]))
                ex_usage_error(ex_prog, "--b-update: reinvite or off");
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

    ex_host_init(&host, true, opt.max_calls, opt.t1);
    ex_htab_init(&a_calls, opt.max_calls);
    ex_htab_init(&b_calls, opt.max_calls);
    host.sock = ex_udp_open(&opt.bind);
    if (host.sock < 0) {
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
               n, prack_version(), ex_policy_name(opt.policy[LEG_A]), ex_policy_name(opt.policy[LEG_B]),
               opt.t1);
        fflush(stdout);
    }

    while (!ex_stop && !(opt.calls && stats.done >= opt.calls)) {
        prack_time_t now = ex_host_timers(&host);
        if (opt.calls && stats.done >= opt.calls)
            break;
        if (ex_host_poll(&host, now, PRACK_TIME_NONE, on_datagram) < 0)
            break;
    }

    unsigned active = 0;
    for (ex_link_t *n = all_calls.head; n; n = n->next) {
        struct call *c = EX_OWNER(n, struct call, all_link);
        if (c->over && c->count_at != PRACK_TIME_NONE)
            count_call(c);
        else if (!c->over && !c->superseded)
            active++;
    }
    while (all_calls.head)
        free_call(EX_OWNER(all_calls.head, struct call, all_link));
    close(host.sock);
    ex_host_free(&host);
    ex_htab_free(&a_calls);
    ex_htab_free(&b_calls);
    ex_result("b2bua", stats.done, stats.ok, stats.last_final, stats.prack_sent, stats.prack_rcvd,
              stats.rel1xx);
    return (stats.ok == stats.done && active == 0) ? 0 : 1;
}
