/*
 * prack-uas: a SIP user agent server over UDP that answers INVITEs with
 * reliable provisional responses (RFC 3262) driven by libprack.
 *
 * One libprack UAS engine per INVITE server transaction. The program owns
 * everything else a UA needs: the socket, the parser, the dialogs (keyed by
 * Call-ID and tags), INVITE retransmissions, the 2xx and non-2xx final
 * retransmissions until the ACK (RFC 3261 13.3.1.4, 17.2.1), CANCEL, BYE, and
 * digest challenges. The engine says what to send and when; this file shows
 * how each of its actions turns into a message.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prack/header.h"
#include "prack/prack.h"

#include "common.h"
#include "digest.h"
#include "sipmsg.h"

/* Calls handled at once; one more INVITE gets 503. */
#define UAS_MAX_CALLS 256u
/* In-dialog non-INVITE transactions remembered per call. */
#define NIST_KEEP 4u
/* Entries of --provisional. */
#define UAS_MAX_PROV 16u
#define UAS_REALM "prack-uas"
/* How long a nonce we issued stays valid. */
#define UAS_NONCE_AGE_MS 300000u
#define UAS_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"

typedef struct prov {
    uint16_t status;
    bool sdp;
} prov_t;

static struct options {
    ex_addr_t bind;
    prack_policy_t policy;
    uint32_t t1;
    unsigned long calls; /* 0: until interrupted */
    prov_t prov[UAS_MAX_PROV];
    size_t nprov;
    uint32_t answer_after;
    uint16_t final_status;
    bool auth;
    char user[128];
    char pass[128];
} opt;

enum call_state {
    C_FREE = 0,
    C_PROCEEDING, /* INVITE received, no final sent yet (a 2xx may be held) */
    C_COMPLETED,  /* final sent, retransmitted until the ACK */
    C_CONFIRMED,  /* 2xx acknowledged: waiting for the BYE */
    C_TERMINATED  /* over; kept a while for retransmissions and late PRACKs */
};

/* What the ladder calls the SDP of a message (the engine decides what is sent). */
enum oa { OA_NONE, OA_OFFER_RCVD, OA_OFFER_SENT, OA_DONE };

struct call {
    enum call_state st;
    unsigned no;
    char call_id[256];
    char from_tag[128];
    char to_tag[24];
    char branch[128]; /* top Via branch of the INVITE */
    uint32_t inv_cseq;
    uint32_t remote_cseq; /* highest CSeq from the UAC in this dialog */
    ex_addr_t peer;       /* where responses go (RFC 3261 18.2.2) */
    ex_addr_t local;      /* our address towards the peer, for Contact and SDP */

    /* Via..CSeq lines of every response to the INVITE, our To-tag included */
    char hdrs[2048];
    /* Record-Route lines, copied into 1xx and 2xx (RFC 3261 12.1.1) */
    char rr[1024];
    /* for a BYE of our own: the peer's Contact, From, and our To */
    char remote_target[256];
    char remote_from[512];
    char local_to[512];

    enum oa oa;
    bool reinvite; /* the COMPLETED state belongs to a re-INVITE */

    uint32_t held_rseq; /* the RSeq whose PRACK releases the held final */
    prack_uas_t eng; /* its queue of reliable 1xx is inside (prack_config_t.queue_max) */
    bool eng_on;
    prack_time_t answer_at;

    char last_rsp[EX_MSG_MAX]; /* what an INVITE retransmission gets */
    size_t last_len;
    char rel[EX_MSG_MAX]; /* the unacknowledged reliable 1xx */
    size_t rel_len;

    uint16_t final_status;
    prack_time_t fin_next, fin_interval, fin_deadline;

    /* the last in-dialog non-INVITE requests and our answers, for their
     * retransmissions (RFC 3261 17.2.2): a PRACK retransmission may arrive
     * after the next PRACK or the BYE, so one is not enough. The engine must
     * not see them: it answers only a repeat of the latest PRACK with 200
     * again, and any other PRACK for an acknowledged 1xx with 481 (R16). */
    struct nist {
        char branch[128];
        char method[16];
        uint32_t cseq;
        char rsp[EX_MSG_MAX];
        size_t len;
    } nist[NIST_KEEP];
    unsigned nist_cur; /* the one being answered now */

    /* a BYE of our own when the 2xx is never acknowledged */
    bool bye_on;
    ex_nict_t bye_t;
    char bye[EX_MSG_MAX];
    size_t bye_len;
    char bye_branch[40];
    ex_addr_t bye_dest;

    prack_time_t linger_until; /* C_TERMINATED: free the slot then */
    prack_time_t count_at;     /* count an outcome inviting a retry (401, 420, 421) then */
    bool retryable;
    bool superseded; /* a retry with the same Call-ID replaced it */
    bool counted;
    bool cancelled;
    uint64_t sdp_sess;
};

static struct call calls[UAS_MAX_CALLS];
static int sock = -1;
static unsigned next_call_no = 1;
static uint8_t nonce_secret[16];

static struct stats {
    unsigned done, ok, last_final, prack_rcvd, rel1xx;
} stats;

/* ------------------------------------------------------------------------- */
/* Helpers */

/* RFC 3261 18.2.2: back to the source address, at the Via port unless rport. */
static void reply_addr(const sip_msg_t *m, const ex_addr_t *src, ex_addr_t *out)
{
    *out = *src;
    if (m->via_rport || m->via_host.n == 0)
        return; /* rport, or a Via too broken to read: the source port */
    ex_addr_set_port(out, m->via_port ? m->via_port : 5060u);
}

static void send_msg(const ex_addr_t *to, const char *msg, size_t len)
{
    ex_udp_send(sock, to, msg, len);
}

/* The address part for Contact and SDP. */
static void local_hostport(const struct call *c, char *buf, size_t cap)
{
    ex_addr_str(&c->local, buf, cap);
}

/* A stateless response (no call, or a request outside the INVITE transaction). */
static void respond(const sip_msg_t *req, const ex_addr_t *src, unsigned status,
                    const char *reason, const char *to_tag, const char *extra, unsigned call_no,
                    char *save, size_t *save_len)
{
    char buf[EX_MSG_MAX];
    sip_buf_t b;
    ex_addr_t to;
    sb_init(&b, buf, sizeof(buf));
    sip_response_start(&b, req, status, reason, to_tag);
    if (extra)
        sb_printf(&b, "%s", extra);
    sb_printf(&b, "Server: prack-uas (libprack %s)\r\n", prack_version());
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow) {
        ex_warn("response %u too large for the buffer", status);
        return;
    }
    reply_addr(req, src, &to);
    send_msg(&to, buf, b.len);
    ex_ladder_msg(call_no, false, buf, b.len, NULL, NULL);
    if (save && save_len) {
        memcpy(save, buf, b.len);
        *save_len = b.len;
    }
}

static struct call *find_dialog(const sip_msg_t *m)
{
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st != C_FREE && sip_str_eq_exact(m->call_id, c->call_id) &&
            sip_str_eq_exact(m->from_tag, c->from_tag) && sip_str_eq_exact(m->to_tag, c->to_tag))
            return c;
    }
    return NULL;
}

/*
 * The INVITE transaction a request without To-tag belongs to (RFC 3261
 * 17.2.3): an INVITE retransmission or a CANCEL has its branch and its CSeq
 * number.
 */
static struct call *find_transaction(const sip_msg_t *m)
{
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st != C_FREE && c->inv_cseq == m->cseq && sip_str_eq_exact(m->call_id, c->call_id) &&
            sip_str_eq_exact(m->from_tag, c->from_tag) && sip_str_eq_exact(m->branch, c->branch))
            return c;
    }
    return NULL;
}

static void count_call(struct call *c, bool ok)
{
    if (c->counted || c->superseded)
        return;
    c->counted = true;
    stats.done++;
    if (ok)
        stats.ok++;
    stats.last_final = c->final_status;
}

/* The call is over: keep its slot a while for retransmissions and late PRACKs. */
static void end_call(struct call *c, bool ok, prack_time_t now)
{
    if (c->st == C_TERMINATED)
        return;
    c->st = C_TERMINATED;
    c->answer_at = PRACK_TIME_NONE;
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    c->linger_until = now + 64u * (prack_time_t)opt.t1;
    if (c->retryable && !ok) {
        /* a UAC retries a 401/420/421 at once; count it only if it does not */
        c->count_at = now + EX_T4_MS;
        if (c->linger_until < c->count_at)
            c->linger_until = c->count_at;
    } else {
        count_call(c, ok);
    }
}

static void free_call(struct call *c)
{
    if (c->count_at != PRACK_TIME_NONE)
        count_call(c, false);
    c->st = C_FREE;
}

static struct call *alloc_call(void)
{
    struct call *oldest = NULL;
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        if (calls[i].st == C_FREE)
            return &calls[i];
        if (calls[i].st == C_TERMINATED &&
            (!oldest || calls[i].linger_until < oldest->linger_until))
            oldest = &calls[i];
    }
    if (oldest)
        free_call(oldest);
    return oldest;
}

static bool authorized(const sip_msg_t *m, const char *method, prack_time_t now)
{
    for (const sip_header_t *h = sip_find(m, SIP_H_AUTHORIZATION, NULL); h;
         h = sip_find(m, SIP_H_AUTHORIZATION, h)) {
        digest_params_t cr;
        if (digest_parse(h->value.p, h->value.n, &cr) != 0)
            continue;
        if (strcmp(cr.realm, UAS_REALM) != 0 ||
            !digest_nonce_check(cr.nonce, nonce_secret, now, UAS_NONCE_AGE_MS))
            continue;
        if (digest_verify(&cr, UAS_REALM, opt.user, opt.pass, method))
            return true;
    }
    return false;
}

static void challenge_header(char *buf, size_t cap, prack_time_t now)
{
    char nonce[64];
    digest_nonce_make(nonce, nonce_secret, now);
    snprintf(buf, cap,
             "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
             UAS_REALM, nonce);
}

/* ------------------------------------------------------------------------- */
/* Messages of the INVITE transaction */

static void start_invite_response(sip_buf_t *b, const struct call *c, unsigned status)
{
    sb_printf(b, "SIP/2.0 %u %s\r\n", status, sip_reason_phrase(status));
    sb_printf(b, "%s", c->hdrs);
}

static void add_dialog_headers(sip_buf_t *b, const struct call *c)
{
    char hp[80];
    local_hostport(c, hp, sizeof(hp));
    sb_printf(b, "%s", c->rr);
    sb_printf(b, "Contact: <sip:prack-uas@%s>\r\n", hp);
}

static void add_body(sip_buf_t *b, const struct call *c, prack_sdp_t role)
{
    char sdp[512];
    size_t n = 0;
    if (role != PRACK_SDP_NONE)
        n = ex_sdp(sdp, sizeof(sdp), "prack-uas", c->sdp_sess, 1, &c->local, EX_RTP_PORT);
    sb_finish(b, "application/sdp", sdp, n);
}

static const char *sdp_label(struct call *c, prack_sdp_t role, bool reliable)
{
    switch (role) {
    case PRACK_SDP_OFFER:
        if (reliable && c->oa == OA_NONE)
            c->oa = OA_OFFER_SENT;
        return reliable ? "SDP offer" : "SDP offer preview";
    case PRACK_SDP_ANSWER:
        if (reliable)
            c->oa = OA_DONE;
        return "SDP answer";
    case PRACK_SDP_REPEAT: return "SDP repeated";
    default: return NULL;
    }
}

/* Send (or resend) the final and retransmit it until the ACK. */
static void send_final(struct call *c, const prack_action_t *a, prack_time_t now)
{
    char buf[EX_MSG_MAX], extra[512];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_invite_response(&b, c, a->status);
    extra[0] = '\0';
    if (a->status < 300)
        add_dialog_headers(&b, c);
    if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
        sb_printf(&b, "Unsupported: 100rel\r\n");
    if (a->flags & PRACK_AF_REQUIRE_100REL)
        sb_printf(&b, "Require: 100rel\r\n");
    if (a->status == 401) {
        challenge_header(extra, sizeof(extra), now);
        sb_printf(&b, "%s", extra);
    }
    if (a->flags & PRACK_AF_TIMEOUT) {
        char hp[80];
        local_hostport(c, hp, sizeof(hp));
        sb_printf(&b, "Warning: 399 %s \"%s\"\r\n", hp, a->text ? a->text : "timeout");
    }
    if (a->status == 503)
        sb_printf(&b, "Retry-After: 5\r\n");
    sb_printf(&b, "Allow: %s\r\n", UAS_ALLOW);
    if (opt.policy != PRACK_POLICY_OFF)
        sb_printf(&b, "Supported: 100rel\r\n");
    add_body(&b, c, a->status < 300 ? a->sdp : PRACK_SDP_NONE);
    if (b.overflow) {
        ex_warn("final response does not fit");
        return;
    }
    if (a->flags & PRACK_AF_RELEASED)
        ex_note(c->no, "%u released: RSeq %u PRACKed", a->status, c->held_rseq);
    send_msg(&c->peer, buf, b.len);
    memcpy(c->last_rsp, buf, b.len);
    c->last_len = b.len;

    char note[96] = "";
    if (a->flags & PRACK_AF_RELEASED)
        snprintf(note, sizeof(note), "released by the PRACK");
    else if (a->flags & PRACK_AF_TIMEOUT)
        snprintf(note, sizeof(note), "no PRACK within 64*T1");
    else if (a->flags & PRACK_AF_CANCELLED)
        snprintf(note, sizeof(note), "cancelled");
    if (a->flags & PRACK_AF_REPLACES_HELD)
        snprintf(note + strlen(note), sizeof(note) - strlen(note), "%sreplaces the held 2xx",
                 note[0] ? ", " : "");
    ex_ladder_msg(c->no, false, buf, b.len,
                  sdp_label(c, a->status < 300 ? a->sdp : PRACK_SDP_NONE, true), note);

    c->final_status = a->status;
    c->st = C_COMPLETED;
    c->answer_at = PRACK_TIME_NONE;
    c->fin_interval = opt.t1;
    c->fin_next = now + opt.t1;
    c->fin_deadline = now + 64u * (prack_time_t)opt.t1; /* Timer H, and the 2xx give-up */
}

static void send_provisional(struct call *c, const prack_action_t *a)
{
    bool reliable = (a->flags & PRACK_AF_RELIABLE) != 0;
    if (a->flags & PRACK_AF_RETRANSMIT) {
        /* N1: the identical message, same RSeq */
        if (!c->rel_len)
            return;
        send_msg(&c->peer, c->rel, c->rel_len);
        memcpy(c->last_rsp, c->rel, c->rel_len);
        c->last_len = c->rel_len;
        ex_ladder_msg(c->no, false, c->rel, c->rel_len, "SDP", "retransmission");
        return;
    }
    char buf[EX_MSG_MAX];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_invite_response(&b, c, a->status);
    if (a->status != 100)
        add_dialog_headers(&b, c);
    if (reliable) {
        char rseq[PRACK_RSEQ_STRLEN];
        prack_format_rseq(rseq, sizeof(rseq), a->rseq);
        sb_printf(&b, "Require: 100rel\r\nRSeq: %s\r\n", rseq);
    }
    if (a->status != 100) {
        sb_printf(&b, "Allow: %s\r\n", UAS_ALLOW);
        if (opt.policy != PRACK_POLICY_OFF)
            sb_printf(&b, "Supported: 100rel\r\n");
    }
    add_body(&b, c, a->sdp);
    if (b.overflow) {
        ex_warn("provisional response does not fit");
        return;
    }
    send_msg(&c->peer, buf, b.len);
    memcpy(c->last_rsp, buf, b.len);
    c->last_len = b.len;
    if (reliable) {
        memcpy(c->rel, buf, b.len);
        c->rel_len = b.len;
        stats.rel1xx++;
    }
    ex_ladder_msg(c->no, false, buf, b.len, sdp_label(c, a->sdp, reliable),
                  (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
}

/* The PRACK being answered, when the actions come from prack_uas_on_prack(). */
struct prack_ctx {
    const sip_msg_t *req;
    const ex_addr_t *src;
};

static void answer_prack(struct call *c, const prack_action_t *a, const struct prack_ctx *px)
{
    if (!px)
        return;
    char buf[EX_MSG_MAX];
    sip_buf_t b;
    ex_addr_t to;
    sb_init(&b, buf, sizeof(buf));
    sip_response_start(&b, px->req, a->status, NULL, NULL);
    add_body(&b, c, a->sdp == PRACK_SDP_ANSWER ? PRACK_SDP_ANSWER : PRACK_SDP_NONE);
    if (b.overflow)
        return;
    reply_addr(px->req, px->src, &to);
    send_msg(&to, buf, b.len);
    memcpy(c->nist[c->nist_cur].rsp, buf, b.len);
    c->nist[c->nist_cur].len = b.len;
    const char *why = NULL;
    switch (a->reason) {
    case PRACK_R_NO_MATCH: why = "RAck matches no unacknowledged reliable 1xx"; break;
    case PRACK_R_BAD_RACK: why = "missing or malformed RAck"; break;
    case PRACK_R_DUPLICATE: why = "the PRACK again, the same 200"; break;
    default: break;
    }
    ex_ladder_msg(c->no, false, buf, b.len, a->sdp == PRACK_SDP_ANSWER ? "SDP answer" : NULL, why);
}

static void run_actions(struct call *c, const prack_actions_t *acts, prack_time_t now,
                        const struct prack_ctx *px)
{
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_1XX: send_provisional(c, a); break;
        case PRACK_ACT_QUEUE_1XX:
            ex_note(c->no, "%u queued until the PRACK of RSeq %u (one reliable 1xx at a time)",
                    a->status, prack_uas_unacked(&c->eng));
            break;
        case PRACK_ACT_DROP_1XX:
            if (a->rseq)
                ex_note(c->no, "%u RSeq %u retransmitted no more: a final response ends it",
                        a->status, a->rseq);
            else
                ex_note(c->no, "queued %u dropped: the final response comes first", a->status);
            break;
        case PRACK_ACT_SEND_FINAL: send_final(c, a, now); break;
        case PRACK_ACT_HOLD_FINAL:
            ex_note(c->no, "%u held until PRACK for RSeq %u (that 1xx carries SDP)", a->status, a->rseq);
            c->held_rseq = a->rseq;
            c->answer_at = PRACK_TIME_NONE;
            break;
        case PRACK_ACT_ANSWER_PRACK: answer_prack(c, a, px); break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION: ex_note(c->no, "offer/answer complete: media may start"); break;
            case PRACK_R_TIMEOUT: ex_note(c->no, "reliable 1xx never PRACKed: giving up"); break;
            case PRACK_R_ANSWER_MISSING:
                ex_note(c->no, "the PRACK owed an SDP answer and carried none");
                break;
            case PRACK_R_SDP_UNEXPECTED: ex_note(c->no, "SDP in the PRACK ignored"); break;
            default: ex_note(c->no, "event %s", prack_reason_name(a->reason)); break;
            }
            break;
        default: {
            char d[128];
            prack_action_format(d, sizeof(d), a);
            ex_note(c->no, "unexpected action %s", d);
            break;
        }
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Requests */

static bool copy_invite_headers(struct call *c, const sip_msg_t *m)
{
    sip_buf_t b;
    sb_init(&b, c->hdrs, sizeof(c->hdrs));
    for (const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL); h; h = sip_find(m, SIP_H_VIA, h))
        sb_header(&b, "Via", h->value);
    sb_header(&b, "From", m->from);
    if (m->to_tag.n)
        sb_header(&b, "To", m->to);
    else
        sb_printf(&b, "To: %.*s;tag=%s\r\n", SIP_STR_ARG(m->to), c->to_tag);
    sb_header(&b, "Call-ID", m->call_id);
    sb_printf(&b, "CSeq: %u INVITE\r\n", m->cseq);
    if (b.overflow)
        return false;
    snprintf(c->local_to, sizeof(c->local_to), "%.*s%s%s", SIP_STR_ARG(m->to),
             m->to_tag.n ? "" : ";tag=", m->to_tag.n ? "" : c->to_tag);
    return true;
}

static bool copy_record_route(struct call *c, const sip_msg_t *m)
{
    sip_buf_t b;
    sb_init(&b, c->rr, sizeof(c->rr));
    for (const sip_header_t *h = sip_find(m, SIP_H_RECORD_ROUTE, NULL); h;
         h = sip_find(m, SIP_H_RECORD_ROUTE, h))
        sb_header(&b, "Record-Route", h->value);
    return !b.overflow;
}

/* Option tags in Require other than 100rel (RFC 3261 8.2.2.3), comma-joined. */
static bool unknown_required(const sip_msg_t *m, char *out, size_t cap)
{
    sip_buf_t b;
    sb_init(&b, out, cap);
    for (const sip_header_t *h = sip_find(m, SIP_H_REQUIRE, NULL); h;
         h = sip_find(m, SIP_H_REQUIRE, h)) {
        sip_str_t rest = h->value, item;
        while (sip_list_next(&rest, &item)) {
            if (sip_str_eq(item, "100rel"))
                continue;
            sb_printf(&b, "%s%.*s", b.len ? ", " : "", SIP_STR_ARG(item));
        }
    }
    return b.len > 0;
}

static void on_new_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                          prack_time_t now)
{
    /* A second INVITE of the same call with the same CSeq on another branch
     * while the first is pending is a merged request (RFC 3261 8.2.2.2). */
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        struct call *o = &calls[i];
        if (o->st == C_FREE || !sip_str_eq_exact(m->call_id, o->call_id) ||
            !sip_str_eq_exact(m->from_tag, o->from_tag))
            continue;
        if (o->st == C_PROCEEDING && o->inv_cseq == m->cseq) {
            ex_ladder_msg(o->no, true, raw, rawlen, NULL, "merged request");
            respond(m, src, 482, NULL, NULL, NULL, o->no, NULL, NULL);
            return;
        }
        if (o->retryable && !o->counted)
            o->superseded = true; /* the UAC retries the call it was told to change */
    }

    struct call *c = alloc_call();
    unsigned no = next_call_no;
    if (!c) {
        ex_ladder_msg(no, true, raw, rawlen, NULL, NULL);
        respond(m, src, 503, NULL, NULL, "Retry-After: 5\r\n", no, NULL, NULL);
        return;
    }
    memset(c, 0, sizeof(*c));
    c->no = next_call_no++;
    c->answer_at = c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    c->linger_until = c->count_at = PRACK_TIME_NONE;
    if (!sip_str_copy(c->call_id, sizeof(c->call_id), m->call_id) ||
        !sip_str_copy(c->from_tag, sizeof(c->from_tag), m->from_tag) ||
        !sip_str_copy(c->branch, sizeof(c->branch), m->branch)) {
        ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
        respond(m, src, 400, "Header Value Too Long", NULL, NULL, c->no, NULL, NULL);
        return;
    }
    ex_random_hex(c->to_tag, 16);
    c->inv_cseq = c->remote_cseq = m->cseq;
    reply_addr(m, src, &c->peer);
    ex_local_for(sock, &opt.bind, &c->peer, &c->local);
    c->sdp_sess = ex_random32();
    sip_str_copy(c->remote_target, sizeof(c->remote_target), sip_contact_uri(m));
    sip_str_copy(c->remote_from, sizeof(c->remote_from), m->from);
    bool offer = sip_has_sdp(m);
    c->oa = offer ? OA_OFFER_RCVD : OA_NONE;
    ex_ladder_msg(c->no, true, raw, rawlen, "SDP offer", NULL);
    if (!copy_invite_headers(c, m) || !copy_record_route(c, m)) {
        respond(m, src, 513, NULL, c->to_tag, NULL, c->no, NULL, NULL);
        return;
    }
    c->st = C_PROCEEDING;
    if (offer && !ex_sdp_has_pcmu(m->body))
        ex_note(c->no, "the offer has no PCMU (payload 0); answering anyway");

    int sup = sip_has_option(m, SIP_H_SUPPORTED, "100rel");
    int req = sip_has_option(m, SIP_H_REQUIRE, "100rel");
    char unknown[256];
    if (sup < 0 || req < 0) {
        respond(m, src, 400, "Malformed Option Tag List", c->to_tag, NULL, c->no, c->last_rsp,
                &c->last_len);
        end_call(c, false, now);
        return;
    }
    if (unknown_required(m, unknown, sizeof(unknown))) {
        char extra[300];
        snprintf(extra, sizeof(extra), "Unsupported: %s\r\n", unknown);
        c->final_status = 420;
        c->retryable = true;
        respond(m, src, 420, NULL, c->to_tag, extra, c->no, c->last_rsp, &c->last_len);
        c->st = C_COMPLETED;
        c->fin_interval = opt.t1;
        c->fin_next = now + opt.t1;
        c->fin_deadline = now + 64u * (prack_time_t)opt.t1;
        return;
    }

    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)opt.policy;
    prack_invite_t inv;
    ex_invite_facts(m, &inv);
    prack_actions_t acts;
    int rc = prack_uas_init(&c->eng, &cfg, &inv, ex_random32(), now, &acts);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_init: %s", prack_strerror(rc));
        respond(m, src, 500, NULL, c->to_tag, NULL, c->no, NULL, NULL);
        end_call(c, false, now);
        return;
    }
    c->eng_on = true;
    run_actions(c, &acts, now, NULL); /* 420 or 421 when 100rel does not fit the policy */
    if (prack_uas_state(&c->eng) == PRACK_UAS_REJECTED) {
        c->retryable = true;
        return;
    }
    if (opt.auth && !authorized(m, "INVITE", now)) {
        c->retryable = true;
        if (prack_uas_send_final(&c->eng, now, 401, &acts) == PRACK_OK)
            run_actions(c, &acts, now, NULL);
        return;
    }

    /* 100 Trying goes through the engine too: it is never sent reliably (R4).
     * Cookies are 0 here and below: this program keeps nothing per 1xx (a body
     * is built from the action's SDP role, a retransmission resends c->rel),
     * so there is nothing to free on PRACK_AF_RELEASE. */
    if (prack_uas_send_1xx(&c->eng, now, 100, 0, 0, &acts) == PRACK_OK)
        run_actions(c, &acts, now, NULL);

    /* Without an offer in the INVITE the first reliable 1xx must carry one (R49). */
    bool need_offer = !offer && prack_uas_reliable(&c->eng);
    for (size_t i = 0; i < opt.nprov; i++) {
        uint32_t flags = opt.prov[i].sdp ? PRACK_1XX_SDP : 0u;
        if (need_offer && opt.prov[i].status != 100) {
            flags |= PRACK_1XX_SDP;
            need_offer = false;
        }
        rc = prack_uas_send_1xx(&c->eng, now, opt.prov[i].status, flags, 0, &acts);
        if (rc == PRACK_OK)
            run_actions(c, &acts, now, NULL);
        else
            ex_note(c->no, "%u not sent: %s", opt.prov[i].status, prack_strerror(rc));
    }
    c->answer_at = now + opt.answer_after;
}

static void on_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                      prack_time_t now)
{
    if (m->to_tag.n == 0) {
        struct call *c = find_transaction(m);
        if (c) {
            /* RFC 3261 17.2.1: a retransmission gets the last response again */
            ex_ladder_msg(c->no, true, raw, rawlen, "SDP", "retransmission");
            if (c->last_len && c->st != C_CONFIRMED) {
                send_msg(&c->peer, c->last_rsp, c->last_len);
                ex_ladder_msg(c->no, false, c->last_rsp, c->last_len, "SDP", "retransmission");
            }
            return;
        }
        on_new_invite(m, src, raw, rawlen, now);
        return;
    }

    /* re-INVITE */
    struct call *c = find_dialog(m);
    if (!c) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL, NULL);
        return;
    }
    if (c->st == C_COMPLETED && c->reinvite && sip_str_eq_exact(m->branch, c->branch)) {
        ex_ladder_msg(c->no, true, raw, rawlen, "SDP", "retransmission");
        send_msg(&c->peer, c->last_rsp, c->last_len);
        ex_ladder_msg(c->no, false, c->last_rsp, c->last_len, "SDP", "retransmission");
        return;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, "SDP offer", "re-INVITE");
    if (c->st != C_CONFIRMED || m->cseq <= c->remote_cseq) {
        /* RFC 3261 14.2: one INVITE transaction at a time in a dialog */
        respond(m, src, c->st == C_CONFIRMED ? 500 : 491, NULL, NULL,
                c->st == C_CONFIRMED ? "Retry-After: 1\r\n" : NULL, c->no, NULL, NULL);
        return;
    }
    /* A session refresh: answer at once, no provisionals, 2xx until the ACK. */
    c->remote_cseq = m->cseq;
    c->inv_cseq = m->cseq;
    sip_str_copy(c->branch, sizeof(c->branch), m->branch);
    reply_addr(m, src, &c->peer);
    if (!copy_invite_headers(c, m))
        return;
    c->reinvite = true;
    prack_action_t a;
    memset(&a, 0, sizeof(a));
    a.type = PRACK_ACT_SEND_FINAL;
    a.status = 200;
    a.sdp = sip_has_sdp(m) ? PRACK_SDP_ANSWER : PRACK_SDP_OFFER;
    send_final(c, &a, now);
}

static void on_ack(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    struct call *c = find_dialog(m);
    if (!c) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "no dialog: ignored");
        return;
    }
    if (c->st != C_COMPLETED || m->cseq != c->inv_cseq) {
        ex_ladder_msg(c->no, true, raw, rawlen, NULL, "retransmission");
        return;
    }
    const char *role = NULL;
    if (sip_has_sdp(m))
        role = c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP";
    ex_ladder_msg(c->no, true, raw, rawlen, role, NULL);
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    if (c->final_status >= 300) {
        /* RFC 3261 17.2.1: the ACK ends the non-2xx transaction */
        end_call(c, c->final_status == opt.final_status && !c->cancelled, now);
        return;
    }
    c->st = C_CONFIRMED;
    if (c->reinvite) {
        c->reinvite = false;
        return;
    }
    ex_note(c->no, "call established");
}

/* A request inside the dialog other than INVITE and ACK: is it a retransmission? */
static bool nist_retransmission(struct call *c, const sip_msg_t *m, const char *raw,
                                size_t rawlen)
{
    for (unsigned i = 0; i < NIST_KEEP; i++) {
        const struct nist *t = &c->nist[i];
        if (!t->len || !sip_str_eq_exact(m->branch, t->branch) ||
            !sip_str_eq_exact(m->method, t->method) || m->cseq != t->cseq)
            continue;
        ex_ladder_msg(c->no, true, raw, rawlen, NULL, "retransmission");
        send_msg(&c->peer, t->rsp, t->len);
        ex_ladder_msg(c->no, false, t->rsp, t->len, NULL, "retransmission");
        return true;
    }
    return false;
}

static void nist_remember(struct call *c, const sip_msg_t *m)
{
    c->nist_cur = (c->nist_cur + 1u) % NIST_KEEP;
    struct nist *t = &c->nist[c->nist_cur];
    sip_str_copy(t->branch, sizeof(t->branch), m->branch);
    sip_str_copy(t->method, sizeof(t->method), m->method);
    t->cseq = m->cseq;
    t->len = 0;
}

static void on_prack(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                     prack_time_t now)
{
    struct call *c = find_dialog(m);
    if (!c) {
        /* a PRACK outside any dialog we know (R16 for the host's part) */
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL, NULL);
        return;
    }
    if (nist_retransmission(c, m, raw, rawlen))
        return;
    const char *role = NULL;
    if (sip_has_sdp(m))
        role = c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP offer";
    ex_ladder_msg(c->no, true, raw, rawlen, role, NULL);
    stats.prack_rcvd++;
    if (m->cseq < c->remote_cseq) {
        /* RFC 3261 12.2.2: out of order */
        respond(m, src, 500, "CSeq Out of Order", NULL, "Retry-After: 1\r\n", c->no, NULL, NULL);
        return;
    }
    c->remote_cseq = m->cseq;
    nist_remember(c, m);
    if (opt.auth && !authorized(m, "PRACK", now)) {
        char ch[256];
        challenge_header(ch, sizeof(ch), now); /* R57: PRACK is authenticated like any request */
        respond(m, src, 401, NULL, NULL, ch, c->no, c->nist[c->nist_cur].rsp, &c->nist[c->nist_cur].len);
        return;
    }
    if (!c->eng_on) {
        respond(m, src, 481, NULL, NULL, NULL, c->no, c->nist[c->nist_cur].rsp, &c->nist[c->nist_cur].len);
        return;
    }

    /* The facts the engine wants: RAck (parsed with the library's helper) and SDP. */
    prack_prack_t pr;
    ex_prack_facts(m, &pr);
    if ((pr.flags & PRACK_PR_SDP) && c->oa == OA_OFFER_SENT)
        c->oa = OA_DONE;
    prack_actions_t acts;
    int rc = prack_uas_on_prack(&c->eng, now, &pr, &acts);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_on_prack: %s", prack_strerror(rc));
        respond(m, src, 500, NULL, NULL, NULL, c->no, c->nist[c->nist_cur].rsp, &c->nist[c->nist_cur].len);
        return;
    }
    struct prack_ctx px = { m, src };
    run_actions(c, &acts, now, &px);
}

static void on_bye(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                   prack_time_t now)
{
    struct call *c = find_dialog(m);
    if (!c) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL, NULL);
        return;
    }
    if (nist_retransmission(c, m, raw, rawlen))
        return;
    ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
    if (m->cseq < c->remote_cseq) {
        respond(m, src, 500, "CSeq Out of Order", NULL, "Retry-After: 1\r\n", c->no, NULL, NULL);
        return;
    }
    c->remote_cseq = m->cseq;
    nist_remember(c, m);
    respond(m, src, 200, NULL, NULL, NULL, c->no, c->nist[c->nist_cur].rsp, &c->nist[c->nist_cur].len);
    switch (c->st) {
    case C_PROCEEDING: {
        /* RFC 3261 15.1.2: BYE on the early dialog ends the INVITE with 487 */
        prack_actions_t acts;
        c->cancelled = true;
        if (c->eng_on && prack_uas_cancel(&c->eng, now, &acts) == PRACK_OK)
            run_actions(c, &acts, now, NULL);
        break;
    }
    case C_COMPLETED:
    case C_CONFIRMED:
        end_call(c, c->final_status == opt.final_status && c->final_status < 300 && !c->cancelled,
                 now);
        break;
    default: break;
    }
}

static void on_cancel(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                      prack_time_t now)
{
    struct call *c = m->to_tag.n ? NULL : find_transaction(m);
    if (!c || c->reinvite) {
        ex_ladder_msg(c ? c->no : 0, true, raw, rawlen, NULL, "no matching INVITE");
        respond(m, src, 481, NULL, NULL, NULL, c ? c->no : 0, NULL, NULL);
        return;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
    respond(m, src, 200, NULL, c->to_tag, NULL, c->no, NULL, NULL);
    if (c->st != C_PROCEEDING || !c->eng_on || prack_uas_state(&c->eng) == PRACK_UAS_REJECTED)
        return; /* the final went out already: the CANCEL changes nothing */
    c->cancelled = true;
    prack_actions_t acts;
    if (prack_uas_cancel(&c->eng, now, &acts) == PRACK_OK)
        run_actions(c, &acts, now, NULL);
}

static void on_other_request(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                             size_t rawlen)
{
    static const char *const known[] = { "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER",
                                         "MESSAGE",  "INFO",      "UPDATE", "PUBLISH" };
    struct call *c = m->to_tag.n ? find_dialog(m) : NULL;
    unsigned no = c ? c->no : 0;
    ex_ladder_msg(no, true, raw, rawlen, NULL, NULL);
    if (m->to_tag.n && !c && !sip_str_eq_exact(m->method, "OPTIONS")) {
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL, NULL);
        return;
    }
    char extra[256];
    if (sip_str_eq_exact(m->method, "OPTIONS")) {
        snprintf(extra, sizeof(extra), "Allow: %s\r\nAccept: application/sdp\r\n%s", UAS_ALLOW,
                 opt.policy != PRACK_POLICY_OFF ? "Supported: 100rel\r\n" : "");
        respond(m, src, 200, NULL, NULL, extra, no, NULL, NULL);
        return;
    }
    snprintf(extra, sizeof(extra), "Allow: %s\r\n", UAS_ALLOW);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (sip_str_eq_exact(m->method, known[i])) {
            respond(m, src, 405, NULL, NULL, extra, no, NULL, NULL);
            return;
        }
    }
    respond(m, src, 501, NULL, NULL, extra, no, NULL, NULL);
}

static void on_response(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    /* the only requests we send are BYEs for 2xx that were never acknowledged */
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == C_FREE || !c->bye_on || !sip_str_eq_exact(m->branch, c->bye_branch))
            continue;
        ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
        if (m->status >= 200)
            c->bye_on = false;
        else
            c->bye_t.proceeding = true;
        (void)now;
        return;
    }
    ex_ladder_msg(0, true, raw, rawlen, NULL, "stray response: ignored");
}

static void on_datagram(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
{
    static sip_msg_t m;
    static char raw[SIP_MAX_DGRAM + 1];
    memcpy(raw, buf, len); /* the parser joins folded lines in place; keep the original for the ladder */
    sip_err_t err = sip_parse(buf, len, &m);
    if (err == SIP_E_EMPTY)
        return;
    if (err != SIP_OK) {
        ex_ladder_msg(0, true, raw, len, NULL, NULL);
        /* RFC 3261 21.4.1: 400 when we can still address an answer; never to an ACK */
        if (m.request && !sip_str_eq_exact(m.method, "ACK") && sip_find(&m, SIP_H_VIA, NULL) &&
            sip_find(&m, SIP_H_FROM, NULL) && sip_find(&m, SIP_H_TO, NULL) &&
            sip_find(&m, SIP_H_CALL_ID, NULL) && sip_find(&m, SIP_H_CSEQ, NULL)) {
            char tag[24];
            ex_random_hex(tag, 16);
            if (err == SIP_E_VERSION)
                respond(&m, src, 505, NULL, tag, NULL, 0, NULL, NULL);
            else
                respond(&m, src, 400, sip_strerror(err), tag, NULL, 0, NULL, NULL);
        } else {
            ex_note(0, "dropped: %s", sip_strerror(err));
        }
        return;
    }
    if (!m.request) {
        on_response(&m, raw, len, now);
        return;
    }
    if (sip_str_eq_exact(m.method, "INVITE"))
        on_invite(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "ACK"))
        on_ack(&m, raw, len, now);
    else if (sip_str_eq_exact(m.method, "PRACK"))
        on_prack(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "BYE"))
        on_bye(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "CANCEL"))
        on_cancel(&m, src, raw, len, now);
    else
        on_other_request(&m, src, raw, len);
}

/* ------------------------------------------------------------------------- */
/* Timers */

/* RFC 3261 13.3.1.4: a 2xx never acknowledged ends the dialog with a BYE. */
static void send_bye(struct call *c, prack_time_t now)
{
    char hp[80];
    sip_buf_t b;
    local_hostport(c, hp, sizeof(hp));
    ex_branch(c->bye_branch);
    sb_init(&b, c->bye, sizeof(c->bye));
    sb_printf(&b, "BYE %s SIP/2.0\r\n", c->remote_target[0] ? c->remote_target : "sip:invalid");
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->bye_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", c->local_to, c->remote_from);
    sb_printf(&b, "Call-ID: %s\r\nCSeq: 1 BYE\r\n", c->call_id);
    /* the UAS route set is the Record-Route list in order (RFC 3261 12.1.1) */
    const char *p = c->rr;
    while ((p = strstr(p, "Record-Route: ")) != NULL) {
        const char *e = strstr(p, "\r\n");
        if (!e)
            break;
        sb_printf(&b, "Route: %.*s\r\n", (int)(e - p - 14), p + 14);
        p = e + 2;
    }
    sb_printf(&b, "Reason: SIP;cause=408;text=\"ACK not received\"\r\n");
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow)
        return;
    c->bye_len = b.len;
    c->bye_dest = c->peer;
    sip_uri_t u;
    ex_addr_t a;
    if (!c->rr[0] && sip_uri_parse(sip_str_c(c->remote_target), &u) &&
        ex_addr_resolve(u.host, u.port ? u.port : 5060u, &c->local, &a) == 0)
        c->bye_dest = a;
    send_msg(&c->bye_dest, c->bye, c->bye_len);
    ex_ladder_msg(c->no, false, c->bye, c->bye_len, NULL, "2xx never acknowledged");
    c->bye_on = true;
    ex_nict_start(&c->bye_t, opt.t1, now);
}

static prack_time_t call_deadline(const struct call *c)
{
    prack_time_t d = PRACK_TIME_NONE;
    if (c->eng_on && c->st != C_TERMINATED)
        d = prack_next_deadline(&c->eng);
    d = ex_min(d, c->answer_at);
    d = ex_min(d, c->fin_next);
    d = ex_min(d, c->fin_deadline);
    d = ex_min(d, c->linger_until);
    d = ex_min(d, c->count_at);
    if (c->bye_on)
        d = ex_min(d, ex_nict_deadline(&c->bye_t));
    return d;
}

static void call_timers(struct call *c, prack_time_t now)
{
    prack_actions_t acts;
    if (c->eng_on && c->st != C_TERMINATED && prack_next_deadline(&c->eng) <= now) {
        /* the engine's own timers: reliable 1xx retransmissions and the 64*T1 give-up */
        if (prack_on_timer(&c->eng, now, &acts) == PRACK_OK)
            run_actions(c, &acts, now, NULL);
    }
    if (c->answer_at <= now) {
        c->answer_at = PRACK_TIME_NONE;
        if (c->st == C_PROCEEDING && prack_uas_state(&c->eng) == PRACK_UAS_PROCEEDING) {
            int rc = prack_uas_send_final(&c->eng, now, opt.final_status, &acts);
            if (rc == PRACK_OK)
                run_actions(c, &acts, now, NULL);
            else
                ex_warn("prack_uas_send_final: %s", prack_strerror(rc));
        }
    }
    if (c->fin_deadline <= now) {
        c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
        if (c->final_status < 300) {
            ex_note(c->no, "no ACK for the 2xx within 64*T1");
            send_bye(c, now);
        } else {
            ex_note(c->no, "no ACK for the %u within 64*T1 (Timer H)", c->final_status);
        }
        if (c->reinvite)
            c->st = C_CONFIRMED;
        else
            end_call(c, false, now);
    }
    if (c->fin_next <= now && c->st == C_COMPLETED) {
        send_msg(&c->peer, c->last_rsp, c->last_len);
        ex_ladder_msg(c->no, false, c->last_rsp, c->last_len, "SDP", "retransmission");
        c->fin_interval = c->fin_interval * 2u < EX_T2_MS ? c->fin_interval * 2u : EX_T2_MS;
        c->fin_next += c->fin_interval;
        if (c->fin_next <= now)
            c->fin_next = now + c->fin_interval;
    }
    if (c->bye_on) {
        int t = ex_nict_tick(&c->bye_t, now);
        if (t > 0) {
            send_msg(&c->bye_dest, c->bye, c->bye_len);
            ex_ladder_msg(c->no, false, c->bye, c->bye_len, NULL, "retransmission");
        } else if (t < 0) {
            c->bye_on = false;
        }
    }
    if (c->count_at <= now) {
        c->count_at = PRACK_TIME_NONE;
        count_call(c, false);
    }
    if (c->linger_until <= now && c->st == C_TERMINATED)
        free_call(c);
}

/* ------------------------------------------------------------------------- */
/* Options and main loop */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: prack-uas [options]\n"
            "A SIP UAS over UDP that sends reliable provisional responses (RFC 3262).\n"
            "\n"
            "  --bind HOST:PORT        local address (default 127.0.0.1:5060; [::1]:5060 for IPv6)\n"
            "  --100rel MODE           off | supported | required (default supported)\n"
            "  --provisional LIST      provisionals in order, e.g. 183:sdp,180 or none\n"
            "                          (default 183:sdp,180; :sdp marks the one with SDP)\n"
            "  --answer-after MS       time from INVITE to the final (default 1000)\n"
            "  --final CODE            final status (default 200)\n"
            "  --auth USER:PASS        challenge INVITE and PRACK with 401 digest\n"
            "  --t1 MS                 T1 (default 500)\n"
            "  --calls N               exit after N calls (default: until interrupted)\n"
            EX_USAGE_COMMON
            "\n" EX_USAGE_LADDER
            "ARROW is 'UAC -> UAS' for what prack-uas received, 'UAC <- UAS' for what it sent.\n"
            "\n"
            "A call succeeds when it ended with the --final status and was not cancelled.\n"
            "Exit status (after --calls N calls, or SIGINT or SIGTERM): 0 when every call\n"
            "succeeded and none is left in progress; 1 when a call failed or the socket\n"
            "could not be opened; 2 on a bad option.\n");
}

static void parse_provisional(const char *s)
{
    opt.nprov = 0;
    if (strcmp(s, "none") == 0)
        return;
    char tmp[256];
    if (strlen(s) >= sizeof(tmp))
        ex_usage_error(ex_prog, "--provisional: list too long");
    strcpy(tmp, s);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        bool sdp = false;
        char *colon = strchr(tok, ':');
        if (colon) {
            if (strcmp(colon + 1, "sdp") != 0)
                ex_usage_error(ex_prog, "--provisional: unknown flag in '%s'", tok);
            *colon = '\0';
            sdp = true;
        }
        unsigned long code;
        if (!ex_parse_uint(tok, 100, 199, &code))
            ex_usage_error(ex_prog, "--provisional: '%s' is not a status 100..199", tok);
        if (opt.nprov == UAS_MAX_PROV)
            ex_usage_error(ex_prog, "--provisional: at most %u entries", UAS_MAX_PROV);
        opt.prov[opt.nprov].status = (uint16_t)code;
        opt.prov[opt.nprov].sdp = sdp;
        opt.nprov++;
    }
}

static void parse_args(int argc, char **argv)
{
    const char *bind_text = "127.0.0.1:5060";
    ex_common_opts_t common = {"127.0.0.1:5060", PRACK_DEFAULT_T1_MS, 0};
    opt.policy = PRACK_POLICY_SUPPORTED;
    opt.answer_after = 1000;
    opt.final_status = 200;
    parse_provisional("183:sdp,180");
    for (int i = 1; i < argc; i++) {
        const char *v;
        unsigned long n;
        if (ex_common_opt(argc, argv, &i, usage, &common)) {
            continue;
        } else if ((v = ex_opt(argc, argv, &i, "--100rel")) != NULL) {
            if (!ex_parse_policy(v, &opt.policy))
                ex_usage_error(ex_prog, "--100rel: off, supported or required");
        } else if ((v = ex_opt(argc, argv, &i, "--provisional")) != NULL) {
            parse_provisional(v);
        } else if ((v = ex_opt(argc, argv, &i, "--answer-after")) != NULL) {
            if (!ex_parse_uint(v, 0, 3600000, &n))
                ex_usage_error(ex_prog, "--answer-after: 0..3600000 ms");
            opt.answer_after = (uint32_t)n;
        } else if ((v = ex_opt(argc, argv, &i, "--final")) != NULL) {
            if (!ex_parse_uint(v, 200, 699, &n))
                ex_usage_error(ex_prog, "--final: a status 200..699");
            opt.final_status = (uint16_t)n;
        } else if ((v = ex_opt(argc, argv, &i, "--auth")) != NULL) {
            const char *colon = strchr(v, ':');
            if (!colon || colon == v || (size_t)(colon - v) >= sizeof(opt.user) ||
                strlen(colon + 1) >= sizeof(opt.pass))
                ex_usage_error(ex_prog, "--auth: USER:PASS");
            memcpy(opt.user, v, (size_t)(colon - v));
            opt.user[colon - v] = '\0';
            strcpy(opt.pass, colon + 1);
            opt.auth = true;
        } else {
            ex_usage_error(ex_prog, "unknown argument '%s'", argv[i]);
        }
    }
    bind_text = common.bind_text;
    opt.t1 = common.t1;
    opt.calls = common.calls;
    if (ex_addr_parse(bind_text, 5060, &opt.bind) != 0)
        ex_usage_error(ex_prog, "--bind: cannot use '%s'", bind_text);
}

int main(int argc, char **argv)
{
    ex_prog = "prack-uas";
    ex_clock_start();
    ex_random_init();
    parse_args(argc, argv);
    ex_random_bytes(nonce_secret, sizeof(nonce_secret));
    ex_show_call_no = opt.calls != 1;
    ex_signals();

    sock = ex_udp_open(&opt.bind);
    if (sock < 0) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        fprintf(stderr, "prack-uas: cannot bind %s: %s\n", a, strerror(errno));
        return 1;
    }
    if (!ex_quiet) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        printf("prack-uas listening on %s (libprack %s, 100rel %s, T1 %u ms)\n", a,
               prack_version(), ex_policy_name(opt.policy), opt.t1);
        fflush(stdout);
    }

    static char buf[SIP_MAX_DGRAM + 1];
    while (!ex_stop && !(opt.calls && stats.done >= opt.calls)) {
        prack_time_t now = ex_now();
        prack_time_t next = PRACK_TIME_NONE;
        for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
            if (calls[i].st == C_FREE)
                continue;
            if (call_deadline(&calls[i]) <= now)
                call_timers(&calls[i], now);
            if (calls[i].st != C_FREE)
                next = ex_min(next, call_deadline(&calls[i]));
        }
        if (opt.calls && stats.done >= opt.calls)
            break;
        if (ex_poll_receive(sock, now, next, buf, on_datagram) < 0)
            break;
    }

    unsigned active = 0;
    for (size_t i = 0; i < UAS_MAX_CALLS; i++) {
        if (calls[i].st == C_TERMINATED && calls[i].count_at != PRACK_TIME_NONE) {
            calls[i].count_at = PRACK_TIME_NONE;
            count_call(&calls[i], false);
        } else if (calls[i].st != C_FREE && calls[i].st != C_TERMINATED && !calls[i].superseded) {
            active++;
        }
    }
    close(sock);
    ex_result("uas", stats.done, stats.ok, stats.last_final, 0, stats.prack_rcvd, stats.rel1xx);
    return (stats.ok == stats.done && active == 0) ? 0 : 1;
}
