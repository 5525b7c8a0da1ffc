/*
 * prack-uas: a SIP user agent server over UDP that answers INVITEs with
 * reliable provisional responses (RFC 3262) driven by libprack.
 *
 * One libprack UAS engine per INVITE server transaction. The host layer
 * (host.h) gives the socket, the message reader, the tables and the timer
 * heap; this file owns the calls: their dialogs (keyed by Call-ID and tags),
 * INVITE retransmissions, the 2xx and non-2xx final retransmissions until the
 * ACK (RFC 3261 13.3.1.4, 17.2.1), CANCEL, BYE, digest challenges, and a BYE
 * of its own (--hangup-after). The engine says what to send and when; this
 * file shows how each of its actions turns into a message.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prack/header.h"
#include "prack/prack.h"

#include "common.h"
#include "digest.h"
#include "host.h"
#include "sdp.h"
#include "sipmsg.h"

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
    unsigned long max_calls;
    long hangup_after;     /* -1: never; else ms after the ACK of the 2xx */
    prack_time_t linger;   /* after --calls N: at most this long for retransmissions */
    sdp_caps_t caps;       /* --codecs */
} opt;

enum call_state {
    C_PROCEEDING = 1, /* INVITE received, no final sent yet (a 2xx may be held) */
    C_COMPLETED,      /* final sent, retransmitted until the ACK */
    C_CONFIRMED,      /* 2xx acknowledged: waiting for the BYE (or sending ours) */
    C_TERMINATED      /* over; kept a while for retransmissions and late PRACKs */
};

/* What the ladder calls the SDP of a message (the engine decides what is sent). */
enum oa { OA_NONE, OA_OFFER_RCVD, OA_OFFER_SENT, OA_DONE };

/* Why we send a BYE of our own. */
enum bye_why { BYE_NONE, BYE_NO_ACK, BYE_HANGUP };

struct call {
    enum call_state st;
    unsigned no;
    ex_link_t link;           /* in the list of active or of lingering calls */
    ex_timer_t timer;         /* the earliest deadline of the call, engine's included */
    ex_hnode_t dlg_node;      /* Call-ID, our To-tag, the From-tag */
    ex_hnode_t cid_node;      /* Call-ID, the From-tag: merged requests, retries */
    ex_stx_t inv;             /* the INVITE server transaction; its response is what
                               * an INVITE retransmission gets */
    char *call_id;
    char *from_tag;
    char to_tag[24];
    uint32_t inv_cseq;
    uint32_t remote_cseq; /* highest CSeq from the UAC in this dialog */
    ex_addr_t peer;       /* where responses go (RFC 3261 18.2.2) */
    ex_addr_t local;      /* our address towards the peer, for Contact and SDP */

    /* Via..CSeq lines of every response to the INVITE, our To-tag included */
    char *hdrs;
    /* Record-Route lines, copied into 1xx and 2xx (RFC 3261 12.1.1) */
    char *rr;
    /* for a BYE of our own: the peer's Contact, From, and our To */
    char *remote_target;
    char *remote_from;
    char *local_to;

    enum oa oa;
    bool reinvite;        /* the PROCEEDING or COMPLETED state belongs to a re-INVITE */
    uint16_t rei_status;  /* the final to that re-INVITE (final_status stays the INVITE's) */

    uint32_t held_rseq; /* the RSeq whose PRACK releases the held final */
    prack_uas_t eng; /* its queue of reliable 1xx is inside (prack_config_t.queue_max) */
    bool eng_on;
    /* the engine of the INVITE transaction before the current one (a re-INVITE
     * has an engine of its own): a late PRACK whose RAck names that INVITE's
     * CSeq still gets its answer there (R29) */
    prack_uas_t prev_eng;
    bool prev_on;
    uint32_t prev_cseq;
    prack_time_t answer_at;

    char *rel; /* the unacknowledged reliable 1xx */
    size_t rel_len;

    uint16_t final_status;
    prack_time_t fin_next, fin_interval, fin_deadline;

    /* a BYE of our own: the 2xx was never acknowledged, or --hangup-after */
    enum bye_why bye_why;
    bool bye_on;
    ex_nict_t bye_t;
    char *bye;
    size_t bye_len;
    char bye_branch[32];
    ex_hnode_t bye_node; /* client transaction: branch, BYE */
    ex_addr_t bye_dest;
    prack_time_t hangup_at;

    prack_time_t linger_until; /* C_TERMINATED: free the call then */
    prack_time_t count_at;     /* count an outcome inviting a retry (401, 420, 421) then */
    bool retryable;
    bool superseded; /* a retry with the same Call-ID replaced it */
    bool counted;
    bool cancelled;
    /* what we offer or answer (RFC 3264); allocated with the call, freed when
     * it ends, since a call that only lingers sends no new description */
    sdp_local_t *sdp;
    unsigned sdp_warn_code; /* why the last offer was refused (Warning, RFC 3261 20.43) */
    char sdp_warn_text[96];
};

static ex_host_t host;
static ex_htab_t dialogs;   /* struct call by dlg_node */
static ex_htab_t by_cid;    /* struct call by cid_node */
static ex_list_t active;    /* calls not over */
static ex_list_t lingering; /* over, oldest first */
static unsigned long ncalls;                   /* both lists */
static unsigned next_call_no = 1;
static uint8_t nonce_secret[16];

static struct stats {
    unsigned done, ok, last_final, prack_rcvd, rel1xx;
    unsigned reinvites, reinvite_final; /* re-INVITEs answered, the last one's final */
} stats;

/* ------------------------------------------------------------------------- */
/* Helpers */

static void send_msg(const ex_addr_t *to, const char *msg, size_t len)
{
    ex_host_send(&host, to, msg, len);
}

/* The address part for Contact and SDP. */
static void local_hostport(const struct call *c, char *buf, size_t cap)
{
    ex_addr_str(&c->local, buf, cap);
}

/* A response outside the INVITE transaction (or before there is a call). */
static void respond(const sip_msg_t *req, const ex_addr_t *src, unsigned status,
                    const char *reason, const char *to_tag, const char *extra, unsigned call_no,
                    ex_stx_t *save)
{
    ex_host_respond(&host, req, src, status, reason, to_tag, extra, call_no, save);
}

static struct call *find_dialog(const sip_msg_t *m)
{
    ex_key_t k;
    if (!ex_dialog_key(&k, m->call_id, m->to_tag, m->from_tag))
        return NULL;
    ex_hnode_t *n = ex_htab_find(&dialogs, &k, NULL);
    return n ? EX_OWNER(n, struct call, dlg_node) : NULL;
}

/*
 * The call whose INVITE transaction a request belongs to (RFC 3261 17.2.3):
 * an INVITE retransmission, a CANCEL, or the ACK of a non-2xx final, matched
 * by top Via branch, sent-by and method, whatever their tags say.
 */
static struct call *find_transaction(const sip_msg_t *m)
{
    ex_stx_t *t = ex_stx_find(&host, m, "INVITE");
    return t && t->owner ? (struct call *)t->owner : NULL;
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

/* The call is over: keep it a while for retransmissions and late PRACKs. */
static void end_call(struct call *c, bool ok, prack_time_t now)
{
    if (c->st == C_TERMINATED)
        return;
    c->st = C_TERMINATED;
    c->answer_at = c->hangup_at = PRACK_TIME_NONE;
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
    /* what builds responses and requests of the call is not needed any more;
     * a lingering call keeps its keys, the last response of its INVITE and
     * a BYE still being retransmitted */
    free(c->hdrs);
    free(c->rr);
    free(c->remote_target);
    free(c->remote_from);
    free(c->local_to);
    free(c->rel);
    free(c->sdp);
    c->hdrs = c->rr = c->remote_target = c->remote_from = c->local_to = c->rel = NULL;
    c->sdp = NULL;
    c->rel_len = 0;
    ex_list_unlink(&active, &c->link);
    ex_list_append(&lingering, &c->link);
}

static void free_call(struct call *c)
{
    if (c->count_at != PRACK_TIME_NONE)
        count_call(c, false);
    ex_list_unlink(c->st == C_TERMINATED ? &lingering : &active, &c->link);
    ex_timer_stop(&host.timers, &c->timer);
    ex_htab_del(&dialogs, &c->dlg_node);
    ex_htab_del(&by_cid, &c->cid_node);
    ex_htab_del(&host.ctx, &c->bye_node);
    ex_stx_remove(&host, &c->inv);
    free(c->call_id);
    free(c->from_tag);
    free(c->hdrs);
    free(c->rr);
    free(c->remote_target);
    free(c->remote_from);
    free(c->local_to);
    free(c->rel);
    free(c->bye);
    free(c->sdp);
    free(c);
    ncalls--;
}

static void call_timer(ex_timer_t *t, prack_time_t now);

/* A new call, or NULL when --max-calls calls are in progress and none is
 * only lingering (the oldest lingering one makes room). */
static struct call *alloc_call(void)
{
    if (ncalls >= opt.max_calls) {
        if (!lingering.head)
            return NULL;
        free_call(EX_OWNER(lingering.head, struct call, link));
    }
    struct call *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->timer.fn = call_timer;
    c->inv.owner = c;
    ex_list_append(&active, &c->link);
    ncalls++;
    return c;
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

/* Send a response of the INVITE transaction and keep it for retransmissions. */
static void send_invite_rsp(struct call *c, const char *buf, size_t len)
{
    send_msg(&c->peer, buf, len);
    c->inv.peer = c->peer;
    ex_stx_store(&c->inv, buf, len);
}

/* ------------------------------------------------------------------------- */
/* Messages of the INVITE transaction */

static void start_invite_response(sip_buf_t *b, const struct call *c, unsigned status)
{
    sb_printf(b, "SIP/2.0 %u %s\r\n", status, sip_reason_phrase(status));
    sb_printf(b, "%s", c->hdrs ? c->hdrs : "");
}

static void add_dialog_headers(sip_buf_t *b, const struct call *c)
{
    char hp[80];
    local_hostport(c, hp, sizeof(hp));
    sb_printf(b, "%s", c->rr ? c->rr : "");
    sb_printf(b, "Contact: <sip:prack-uas@%s>\r\n", hp);
}

static void add_body(sip_buf_t *b, struct call *c, prack_sdp_t role)
{
    char sdp[SDP_BODY_MAX];
    size_t n = 0;
    /* no offer came yet: ours goes in the first body we send (R49, RFC 3261 13.2.1) */
    if (role == PRACK_SDP_OFFER && c->sdp && !c->sdp->len &&
        sdp_make_offer(c->sdp, &opt.caps) != SDP_OK)
        ex_warn("our SDP offer does not fit");
    if (role != PRACK_SDP_NONE && c->sdp)
        n = sdp_local_write(c->sdp, sdp, sizeof(sdp));
    sb_finish(b, "application/sdp", sdp, n);
}

/* ------------------------------------------------------------------------- */
/* SDP offer/answer (RFC 3264) */

/* The session of a new call: no description yet, a fresh o= session id. */
static bool uas_sdp_init(struct call *c)
{
    char h[64];
    c->sdp = malloc(sizeof(*c->sdp));
    if (!c->sdp)
        return false;
    ex_addr_host(&c->local, h, sizeof(h), false);
    sdp_local_init(c->sdp, "prack-uas", ex_random32(), h, ex_addr_is_v6(&c->local), EX_RTP_PORT);
    return true;
}

enum offer_verdict {
    OFFER_ANSWERED,   /* the answer is in c->sdp */
    OFFER_REFUSED,    /* nothing in common (Warning 304 or 305) */
    OFFER_UNREADABLE  /* the body is not SDP we can read (Warning 399) */
};

/*
 * The SDP decision for an offer from the peer, in an INVITE, a re-INVITE or a
 * PRACK: answered from the --codecs formats (RFC 3264 6: one m= line per
 * offered one, the common formats, the direction mirrored), or refused, the
 * Warning of the 488 kept in c->sdp_warn_* (RFC 3261 13.3.1.1, 20.43). A
 * refused offer leaves c->sdp as it was, unless `must_answer` (an offer in a
 * PRACK, whose 200 carries the answer, R52): then c->sdp holds the answer that
 * refuses every stream (RFC 3264 6, RFC 6337 2.3).
 */
static enum offer_verdict uas_offer_decision(struct call *c, sip_str_t body, bool must_answer)
{
    sdp_verdict_t v;
    if (!c->sdp)
        return OFFER_UNREADABLE;
    int rc = sdp_answer_text(c->sdp, &opt.caps, body.p, body.n, must_answer, &v);
    if (rc == SDP_OK)
        return OFFER_ANSWERED;
    c->sdp_warn_code = rc == SDP_REJECT ? v.warning : 399u;
    snprintf(c->sdp_warn_text, sizeof(c->sdp_warn_text), "%s%s", rc == SDP_REJECT ? "" : "SDP: ",
             v.text ? v.text : sdp_strerror(rc));
    ex_note(c->no, "SDP offer refused: %u %s", c->sdp_warn_code, c->sdp_warn_text);
    return rc == SDP_REJECT ? OFFER_REFUSED : OFFER_UNREADABLE;
}

/* "Warning: 305 HOST:PORT "Incompatible media format"" for a 488. */
static void add_sdp_warning(sip_buf_t *b, const struct call *c)
{
    char hp[80];
    local_hostport(c, hp, sizeof(hp));
    sb_printf(b, "Warning: %u %s \"%s\"\r\n", c->sdp_warn_code, hp, c->sdp_warn_text);
}

/* A received answer to our offer: say when it does not answer it (RFC 3264 6). */
static void uas_check_answer(struct call *c, sip_str_t body)
{
    sdp_verdict_t v;
    if (!c->sdp)
        return;
    int rc = sdp_check_answer_text(c->sdp, body.p, body.n, &v);
    if (rc != SDP_OK)
        ex_note(c->no, "the SDP answer does not fit our offer: %s (m= line %u)", v.text,
                v.stream + 1u);
    else if (!v.accepted)
        ex_note(c->no, "the SDP answer refuses every stream");
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

/* The final of the INVITE transaction in progress: the INVITE's, or the re-INVITE's. */
static uint16_t txn_final(const struct call *c)
{
    return c->reinvite ? c->rei_status : c->final_status;
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
    if (a->status == 488)
        add_sdp_warning(&b, c);
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
    send_invite_rsp(c, buf, b.len);

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

    if (c->reinvite)
        c->rei_status = a->status; /* the call's outcome stays the INVITE's */
    else
        c->final_status = a->status;
    c->st = C_COMPLETED;
    /* no reliable 1xx is retransmitted after a final */
    free(c->rel);
    c->rel = NULL;
    c->rel_len = 0;
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
        send_invite_rsp(c, c->rel, c->rel_len);
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
    send_invite_rsp(c, buf, b.len);
    if (reliable) {
        if (!ex_keep(&c->rel, &c->rel_len, buf, b.len))
            c->rel_len = 0;
        stats.rel1xx++;
    }
    ex_ladder_msg(c->no, false, buf, b.len, sdp_label(c, a->sdp, reliable),
                  (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
}

/* The PRACK being answered, when the actions come from prack_uas_on_prack(). */
struct prack_ctx {
    const sip_msg_t *req;
    const ex_addr_t *src;
    ex_stx_t *stx;   /* its server transaction, which keeps the answer */
    bool refusing;   /* its offer was refused: the INVITE ends with 488, not a 2xx */
    bool no_answer;  /* that offer could not be read: its 200 has no body */
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
    bool answer = a->sdp == PRACK_SDP_ANSWER && !px->no_answer;
    add_body(&b, c, answer ? PRACK_SDP_ANSWER : PRACK_SDP_NONE);
    if (b.overflow)
        return;
    ex_reply_addr(px->req, px->src, &to);
    send_msg(&to, buf, b.len);
    if (px->stx) {
        px->stx->peer = to;
        ex_stx_store(px->stx, buf, b.len);
    }
    const char *why = NULL;
    switch (a->reason) {
    case PRACK_R_NO_MATCH: why = "RAck matches no unacknowledged reliable 1xx"; break;
    case PRACK_R_BAD_RACK: why = "missing or malformed RAck"; break;
    case PRACK_R_DUPLICATE: why = "the PRACK again, the same 200"; break;
    default:
        if (px->refusing)
            why = answer ? "every stream refused" : "its offer unreadable";
        break;
    }
    ex_ladder_msg(c->no, false, buf, b.len, answer ? "SDP answer" : NULL, why);
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
        case PRACK_ACT_SEND_FINAL:
            if (px && px->refusing && a->status < 300) {
                /* the held 2xx this PRACK released: the INVITE ends with 488 instead */
                ex_note(c->no, "%u not sent: the offer in the PRACK was refused", a->status);
                break;
            }
            send_final(c, a, now);
            break;
        case PRACK_ACT_HOLD_FINAL:
            ex_note(c->no, "%u held until PRACK for RSeq %u (that 1xx carries SDP)", a->status, a->rseq);
            c->held_rseq = a->rseq;
            c->answer_at = PRACK_TIME_NONE;
            break;
        case PRACK_ACT_ANSWER_PRACK: answer_prack(c, a, px); break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION:
                ex_note(c->no, px && px->refusing ? "offer/answer complete: no stream accepted"
                                                  : "offer/answer complete: media may start");
                break;
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
    char buf[2048];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    for (const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL); h; h = sip_find(m, SIP_H_VIA, h))
        sb_header(&b, "Via", h->value);
    sb_header(&b, "From", m->from);
    if (m->to_tag.n)
        sb_header(&b, "To", m->to);
    else
        sb_printf(&b, "To: %.*s;tag=%s\r\n", SIP_STR_ARG(m->to), c->to_tag);
    sb_header(&b, "Call-ID", m->call_id);
    sb_printf(&b, "CSeq: %u INVITE\r\n", m->cseq);
    if (b.overflow || !ex_keep(&c->hdrs, NULL, buf, b.len))
        return false;
    char to[600];
    int n = snprintf(to, sizeof(to), "%.*s%s%s", SIP_STR_ARG(m->to), m->to_tag.n ? "" : ";tag=",
                     m->to_tag.n ? "" : c->to_tag);
    return n > 0 && (size_t)n < sizeof(to) && ex_keep(&c->local_to, NULL, to, (size_t)n);
}

static bool copy_record_route(struct call *c, const sip_msg_t *m)
{
    char buf[1024];
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    for (const sip_header_t *h = sip_find(m, SIP_H_RECORD_ROUTE, NULL); h;
         h = sip_find(m, SIP_H_RECORD_ROUTE, h))
        sb_header(&b, "Record-Route", h->value);
    if (b.overflow)
        return false;
    if (b.len == 0) {
        free(c->rr);
        c->rr = NULL;
        return true;
    }
    return ex_keep(&c->rr, NULL, buf, b.len);
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

static void start_timer_g(struct call *c, prack_time_t now)
{
    c->fin_interval = opt.t1;
    c->fin_next = now + opt.t1;
    c->fin_deadline = now + 64u * (prack_time_t)opt.t1;
}

/* The settings of every UAS engine, initial INVITE or re-INVITE. */
/* A UAS engine for the INVITE or re-INVITE `m`, under the program's T1 and
 * 100rel policy. */
static int engine_init(prack_uas_t *eng, const sip_msg_t *m, prack_time_t now,
                       prack_actions_t *acts)
{
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = (uint8_t)opt.policy;
    prack_invite_t inv;
    ex_invite_facts(m, &inv);
    int rc = prack_uas_init(eng, &cfg, &inv, ex_random32(), now, acts);
    if (rc != PRACK_OK)
        ex_warn("prack_uas_init: %s", prack_strerror(rc));
    return rc;
}

/* A final of the program's choosing through the engine, which drops what
 * it still had queued or held. */
static void engine_final(struct call *c, uint16_t status, prack_time_t now)
{
    prack_actions_t acts;
    if (prack_uas_send_final(&c->eng, now, status, &acts) == PRACK_OK)
        run_actions(c, &acts, now, NULL);
}

/* 100 Trying, then the --provisional list, through the engine of the
 * INVITE transaction in progress (initial INVITE or re-INVITE). */
static void send_provisionals(struct call *c, bool offer, prack_time_t now)
{
    prack_actions_t acts;
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
        int rc = prack_uas_send_1xx(&c->eng, now, opt.prov[i].status, flags, 0, &acts);
        if (rc == PRACK_OK)
            run_actions(c, &acts, now, NULL);
        else
            ex_note(c->no, "%u not sent: %s", opt.prov[i].status, prack_strerror(rc));
    }
}

static struct call *on_new_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                                  size_t rawlen, prack_time_t now)
{
    /* A second INVITE of the same call with the same CSeq on another branch
     * while the first is pending is a merged request (RFC 3261 8.2.2.2). */
    ex_key_t ck;
    ex_key_init(&ck);
    ex_key_add(&ck, m->call_id);
    ex_key_add(&ck, m->from_tag);
    for (ex_hnode_t *n = ex_htab_find(&by_cid, &ck, NULL); n; n = ex_htab_find(&by_cid, &ck, n)) {
        struct call *o = EX_OWNER(n, struct call, cid_node);
        if (o->st == C_PROCEEDING && o->inv_cseq == m->cseq) {
            ex_ladder_msg(o->no, true, raw, rawlen, NULL, "merged request");
            respond(m, src, 482, NULL, NULL, NULL, o->no, NULL);
            return NULL;
        }
        if (o->retryable && !o->counted)
            o->superseded = true; /* the UAC retries the call it was told to change */
    }

    unsigned no = next_call_no;
    bool over = opt.calls && stats.done >= opt.calls; /* lingering after --calls N */
    struct call *c = over ? NULL : alloc_call();
    if (!c) {
        ex_ladder_msg(no, true, raw, rawlen, NULL, NULL);
        respond(m, src, 503, NULL, NULL, "Retry-After: 5\r\n", no, NULL);
        return NULL;
    }
    c->no = next_call_no++;
    c->answer_at = c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    c->linger_until = c->count_at = c->hangup_at = PRACK_TIME_NONE;
    c->timer.at = PRACK_TIME_NONE;
    c->st = C_PROCEEDING;
    ex_random_hex(c->to_tag, 16);
    ex_key_t dk;
    c->call_id = ex_strdup_str(m->call_id);
    c->from_tag = ex_strdup_str(m->from_tag);
    if (!c->call_id || !c->from_tag || !ex_stx_add(&host, &c->inv, m, "INVITE") ||
        !ex_dialog_key(&dk, m->call_id, sip_str_c(c->to_tag), m->from_tag) ||
        !ex_htab_add(&dialogs, &c->dlg_node, &dk) || !ex_htab_add(&by_cid, &c->cid_node, &ck)) {
        ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
        respond(m, src, 400, "Header Value Too Long", NULL, NULL, c->no, NULL);
        free_call(c);
        return NULL;
    }
    c->inv_cseq = c->remote_cseq = m->cseq;
    ex_reply_addr(m, src, &c->peer);
    ex_local_for(host.sock, &opt.bind, &c->peer, &c->local);
    sip_str_t contact = sip_contact_uri(m);
    c->remote_target = contact.n ? ex_strdup_str(contact) : NULL;
    c->remote_from = ex_strdup_str(m->from);
    bool offer = sip_has_sdp(m);
    c->oa = offer ? OA_OFFER_RCVD : OA_NONE;
    ex_ladder_msg(c->no, true, raw, rawlen, "SDP offer", NULL);
    if (!copy_invite_headers(c, m) || !copy_record_route(c, m)) {
        respond(m, src, 513, NULL, c->to_tag, NULL, c->no, &c->inv);
        end_call(c, false, now);
        return c;
    }
    if (!uas_sdp_init(c)) {
        respond(m, src, 500, NULL, c->to_tag, NULL, c->no, &c->inv);
        end_call(c, false, now);
        return c;
    }

    int sup = sip_has_option(m, SIP_H_SUPPORTED, "100rel");
    int req = sip_has_option(m, SIP_H_REQUIRE, "100rel");
    char unknown[256];
    if (sup < 0 || req < 0) {
        respond(m, src, 400, "Malformed Option Tag List", c->to_tag, NULL, c->no, &c->inv);
        end_call(c, false, now);
        return c;
    }
    if (unknown_required(m, unknown, sizeof(unknown))) {
        char extra[300];
        snprintf(extra, sizeof(extra), "Unsupported: %s\r\n", unknown);
        c->final_status = 420;
        c->retryable = true;
        respond(m, src, 420, NULL, c->to_tag, extra, c->no, &c->inv);
        c->st = C_COMPLETED;
        start_timer_g(c, now);
        return c;
    }

    prack_actions_t acts;
    if (engine_init(&c->eng, m, now, &acts) != PRACK_OK) {
        respond(m, src, 500, NULL, c->to_tag, NULL, c->no, &c->inv);
        end_call(c, false, now);
        return c;
    }
    c->eng_on = true;
    run_actions(c, &acts, now, NULL); /* 420 or 421 when 100rel does not fit the policy */
    if (prack_uas_state(&c->eng) == PRACK_UAS_REJECTED) {
        c->retryable = true;
        return c;
    }
    if (opt.auth && !authorized(m, "INVITE", now)) {
        c->retryable = true;
        engine_final(c, 401, now);
        return c;
    }
    /* RFC 3261 13.3.1.1, RFC 3264 6: an offer with nothing in common, or one
     * we cannot read, gets 488 with a Warning */
    if (offer && uas_offer_decision(c, m->body, false) != OFFER_ANSWERED) {
        engine_final(c, 488, now);
        return c;
    }

    send_provisionals(c, offer, now);
    c->answer_at = now + opt.answer_after;
    return c;
}

/* A final to the re-INVITE sent by the program, not the engine (a malformed
 * or unknown option tag): retransmitted until its ACK like any final. */
static void reinvite_reject(struct call *c, const sip_msg_t *m, const ex_addr_t *src,
                            unsigned status, const char *reason, const char *extra, prack_time_t now)
{
    c->rei_status = (uint16_t)status;
    respond(m, src, status, reason, NULL, extra, c->no, &c->inv);
    c->inv.peer = c->peer;
    c->st = C_COMPLETED;
    start_timer_g(c, now);
}

/*
 * A re-INVITE in a confirmed dialog (RFC 3261 14): an INVITE transaction of
 * its own with a new UAS engine. Its provisionals go reliably when it names
 * 100rel (Supported or Require) and --100rel allows, in an RSeq space of
 * their own (R14, N5); its 2xx waits for the PRACK of an SDP-bearing one
 * (R27); 64*T1 without PRACK ends it with a 5xx (R20). Whatever its final, the
 * dialog and the call go on (14.2). The engine of the INVITE before keeps
 * answering late PRACKs that name its CSeq in RAck (R29). Its offer, if any,
 * goes through the SDP decision every offer gets (uas_offer_decision()).
 */
static struct call *on_reinvite(struct call *c, const sip_msg_t *m, const ex_addr_t *src,
                                prack_time_t now)
{
    uint32_t before = c->inv_cseq;
    c->inv_cseq = m->cseq;
    ex_reply_addr(m, src, &c->peer);
    if (!ex_stx_add(&host, &c->inv, m, "INVITE") || !copy_invite_headers(c, m)) {
        respond(m, src, 500, NULL, NULL, NULL, c->no, NULL);
        return NULL;
    }
    stats.reinvites++;
    c->reinvite = true;
    c->rei_status = 0;
    c->hangup_at = PRACK_TIME_NONE; /* set again once the re-INVITE is over */
    c->st = C_PROCEEDING;
    bool offer = sip_has_sdp(m);
    c->oa = offer ? OA_OFFER_RCVD : OA_NONE;

    int sup = sip_has_option(m, SIP_H_SUPPORTED, "100rel");
    int req = sip_has_option(m, SIP_H_REQUIRE, "100rel");
    char unknown[256];
    if (sup < 0 || req < 0) {
        reinvite_reject(c, m, src, 400, "Malformed Option Tag List", NULL, now);
        return c;
    }
    if (unknown_required(m, unknown, sizeof(unknown))) {
        char extra[300];
        snprintf(extra, sizeof(extra), "Unsupported: %s\r\n", unknown);
        reinvite_reject(c, m, src, 420, NULL, extra, now);
        return c;
    }

    prack_actions_t acts;
    prack_uas_t eng;
    if (engine_init(&eng, m, now, &acts) != PRACK_OK) {
        reinvite_reject(c, m, src, 500, NULL, NULL, now);
        return c;
    }
    if (c->eng_on) {
        c->prev_eng = c->eng;
        c->prev_on = true;
        c->prev_cseq = before;
    }
    c->eng = eng;
    c->eng_on = true;
    run_actions(c, &acts, now, NULL); /* 420 or 421 when 100rel does not fit the policy */
    if (prack_uas_state(&c->eng) == PRACK_UAS_REJECTED)
        return c;
    /* RFC 3261 14.2: an offer we cannot take gets 488, and the session stays */
    if (offer && uas_offer_decision(c, m->body, false) != OFFER_ANSWERED) {
        engine_final(c, 488, now);
        return c;
    }
    send_provisionals(c, offer, now);
    c->answer_at = now + opt.answer_after;
    return c;
}

/* The re-INVITE transaction is over (its ACK, or Timer H): the call goes on. */
static void reinvite_over(struct call *c, prack_time_t now)
{
    stats.reinvite_final = c->rei_status;
    if (c->rei_status >= 300)
        ex_note(c->no, "re-INVITE rejected with %u: the call goes on", c->rei_status);
    c->reinvite = false;
    c->st = C_CONFIRMED;
    if (opt.hangup_after >= 0)
        c->hangup_at = now + (prack_time_t)opt.hangup_after;
}

static struct call *on_invite(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                              size_t rawlen, prack_time_t now)
{
    struct call *c = find_transaction(m);
    if (c) {
        /* RFC 3261 17.2.1: a retransmission gets the last response again */
        ex_ladder_msg(c->no, true, raw, rawlen, "SDP", "retransmission");
        if (c->inv.len && c->st != C_CONFIRMED) {
            send_msg(&c->peer, c->inv.rsp, c->inv.len);
            ex_ladder_msg(c->no, false, c->inv.rsp, c->inv.len, "SDP", "retransmission");
        }
        return NULL;
    }
    if (m->to_tag.n == 0)
        return on_new_invite(m, src, raw, rawlen, now);

    /* re-INVITE */
    c = find_dialog(m);
    if (!c) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL);
        return NULL;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, "SDP offer", "re-INVITE");
    if (m->cseq < c->remote_cseq || m->cseq == c->inv_cseq) {
        /* RFC 3261 12.2.2: out of order (lower than the last request's CSeq,
         * or the CSeq of the INVITE before on another branch) */
        respond(m, src, 500, "CSeq Out of Order", NULL, "Retry-After: 1\r\n", c->no, NULL);
        return NULL;
    }
    c->remote_cseq = m->cseq;
    if (c->st != C_CONFIRMED || c->bye_on) {
        /* RFC 3261 14.2: an INVITE while the final to one with a lower CSeq is
         * still to come gets 500 with a random Retry-After of 0..10 s (491 is
         * for an INVITE that crosses one of our own, and we send none) */
        char extra[40];
        snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", ex_random32() % 11u);
        respond(m, src, 500, "Request Pending", NULL, extra, c->no, NULL);
        return NULL;
    }
    return on_reinvite(c, m, src, now);
}

/* The ACK of a final that is no longer in COMPLETED, or of the final
 * of another INVITE (a 500 to an overlapping re-INVITE): nothing to do. */
static void ack_late(const struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen)
{
    ex_ladder_msg(c->no, true, raw, rawlen, NULL,
                  m->cseq == c->inv_cseq ? "retransmission" : "not for the INVITE in progress");
}

static struct call *on_ack(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    /* RFC 3261 17.2.3: the ACK of a non-2xx final belongs to the INVITE
     * transaction (branch, sent-by, method), whatever its tags; the ACK of a
     * 2xx is a transaction of its own, matched by dialog. */
    struct call *c = find_transaction(m);
    if (c && txn_final(c) >= 300) {
        if (c->st != C_COMPLETED || m->cseq != c->inv_cseq) {
            ack_late(c, m, raw, rawlen);
            return NULL;
        }
    } else {
        c = find_dialog(m);
        if (!c) {
            ex_ladder_msg(0, true, raw, rawlen, NULL, "no dialog: ignored");
            return NULL;
        }
        if (c->st != C_COMPLETED || m->cseq != c->inv_cseq || txn_final(c) >= 300) {
            ack_late(c, m, raw, rawlen);
            return NULL;
        }
    }
    const char *role = NULL;
    if (sip_has_sdp(m))
        role = c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP";
    ex_ladder_msg(c->no, true, raw, rawlen, role, NULL);
    if (sip_has_sdp(m) && c->oa == OA_OFFER_SENT) {
        c->oa = OA_DONE;
        uas_check_answer(c, m->body); /* our offer went in the 2xx */
    }
    c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
    if (txn_final(c) >= 300) {
        /* RFC 3261 17.2.1: the ACK ends the non-2xx transaction; after a
         * re-INVITE the dialog stays (14.2) */
        if (c->reinvite)
            reinvite_over(c, now);
        else
            end_call(c, c->final_status == opt.final_status && !c->cancelled, now);
        return c;
    }
    c->st = C_CONFIRMED;
    /* an INVITE retransmission after the ACK gets nothing: drop the 2xx */
    free(c->inv.rsp);
    c->inv.rsp = NULL;
    c->inv.len = 0;
    if (c->reinvite) {
        reinvite_over(c, now);
        return c;
    }
    if (opt.hangup_after >= 0)
        c->hangup_at = now + (prack_time_t)opt.hangup_after;
    ex_note(c->no, "call established");
    return c;
}

/*
 * An in-dialog request other than INVITE and ACK, once it is known not to be
 * a retransmission: its server transaction (which keeps the answer for
 * retransmissions until Timer J, after the call if need be), or NULL when it
 * is out of order (answered 500 here).
 */
static ex_stx_t *nist_begin(struct call *c, const sip_msg_t *m, const ex_addr_t *src,
                            prack_time_t now)
{
    if (m->cseq < c->remote_cseq) {
        /* RFC 3261 12.2.2: out of order */
        respond(m, src, 500, "CSeq Out of Order", NULL, "Retry-After: 1\r\n", c->no, NULL);
        return NULL;
    }
    c->remote_cseq = m->cseq;
    ex_stx_t *t = ex_nist_open(&host, m, src, c->no, now);
    if (!t)
        ex_warn("no server transaction for the %.*s of call %u", SIP_STR_ARG(m->method), c->no);
    return t;
}

/* Whether the engine's answer to a PRACK must carry the SDP answer to an offer in it (R52). */
static bool prack_carries_offer(const prack_actions_t *acts)
{
    for (size_t i = 0; i < acts->n; i++)
        if (acts->v[i].type == PRACK_ACT_ANSWER_PRACK && acts->v[i].sdp == PRACK_SDP_ANSWER &&
            acts->v[i].reason != PRACK_R_DUPLICATE)
            return true;
    return false;
}

/*
 * The PRACK's offer was refused and its 200 has gone: the INVITE ends with 488
 * (RFC 6337 2.3 and its Pattern 5: terminate with an error response to the
 * INVITE). `before` is the engine before that PRACK.
 */
static void end_invite_refused(struct call *c, const prack_uas_t *before, prack_time_t now)
{
    if (c->st != C_PROCEEDING) {
        /* the final went before the PRACK: only the refusing answer is left */
        ex_note(c->no, "the INVITE was answered already: its session keeps no stream");
        return;
    }
    if (prack_uas_state(&c->eng) == PRACK_UAS_COMPLETED) {
        /* the PRACK released the held 2xx, which was not sent: the engine of
         * before the PRACK still holds it, and a non-2xx final replaces a held
         * 2xx (the PRACK's 200 is kept by its server transaction meanwhile) */
        c->eng = *before;
    }
    prack_actions_t acts;
    int rc = prack_uas_send_final(&c->eng, now, 488, &acts);
    if (rc == PRACK_OK)
        run_actions(c, &acts, now, NULL);
    else
        ex_warn("prack_uas_send_final: %s", prack_strerror(rc));
}

static struct call *on_prack(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                             size_t rawlen, prack_time_t now)
{
    /* a retransmission (the engine must not see it: it answers only a repeat
     * of the latest PRACK with 200 again, any other PRACK for an acknowledged
     * 1xx with 481, R16); answered even after the call ended */
    if (ex_nist_absorb(&host, m, raw, rawlen))
        return NULL;
    struct call *c = find_dialog(m);
    if (!c) {
        /* a PRACK outside any dialog we know (R16 for the host's part) */
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL);
        return NULL;
    }
    const char *role = NULL;
    if (sip_has_sdp(m))
        role = c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP offer";
    ex_ladder_msg(c->no, true, raw, rawlen, role, NULL);
    stats.prack_rcvd++;
    if (m->cseq < c->remote_cseq) {
        nist_begin(c, m, src, now);
        return NULL;
    }
    ex_stx_t *t = nist_begin(c, m, src, now);
    if (opt.auth && !authorized(m, "PRACK", now)) {
        char ch[256];
        challenge_header(ch, sizeof(ch), now); /* R57: PRACK is authenticated like any request */
        respond(m, src, 401, NULL, NULL, ch, c->no, t);
        return c;
    }
    if (!c->eng_on) {
        respond(m, src, 481, NULL, NULL, NULL, c->no, t);
        return c;
    }

    /* The facts the engine wants: RAck (parsed with the library's helper) and SDP. */
    prack_prack_t pr;
    ex_prack_facts(m, &pr);
    if ((pr.flags & PRACK_PR_SDP) && c->oa == OA_OFFER_SENT) {
        c->oa = OA_DONE;
        uas_check_answer(c, m->body); /* the answer to the offer in our 1xx */
    }
    /* N2: a PRACK belongs to the INVITE transaction its RAck names; one
     * for the INVITE before a re-INVITE goes to that INVITE's engine (R29) */
    prack_uas_t *eng = &c->eng;
    if (c->prev_on && (pr.flags & PRACK_PR_RACK) && pr.rack_cseq == c->prev_cseq &&
        pr.rack_cseq != c->inv_cseq)
        eng = &c->prev_eng;
    prack_actions_t acts;
    prack_uas_t before = *eng; /* engines are plain data: a copy can be put back */
    int rc = prack_uas_on_prack(eng, now, &pr, &acts);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_on_prack: %s", prack_strerror(rc));
        respond(m, src, 500, NULL, NULL, NULL, c->no, t);
        return c;
    }
    struct prack_ctx px = { m, src, t, false, false };
    if (prack_carries_offer(&acts)) {
        /* R17: a matching PRACK gets 200 whatever its offer; R52: with the answer */
        enum offer_verdict ov = uas_offer_decision(c, m->body, true);
        px.refusing = ov != OFFER_ANSWERED;
        px.no_answer = ov == OFFER_UNREADABLE;
    }
    run_actions(c, &acts, now, &px);
    if (px.refusing && eng == &c->eng)
        end_invite_refused(c, &before, now);
    return c;
}

static struct call *on_bye(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                           size_t rawlen, prack_time_t now)
{
    if (ex_nist_absorb(&host, m, raw, rawlen))
        return NULL;
    struct call *c = find_dialog(m);
    if (!c) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "unknown dialog");
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL);
        return NULL;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
    if (m->cseq < c->remote_cseq) {
        nist_begin(c, m, src, now);
        return NULL;
    }
    ex_stx_t *t = nist_begin(c, m, src, now);
    respond(m, src, 200, NULL, NULL, NULL, c->no, t);
    if (c->reinvite) {
        /* RFC 3261 15.1.2: a pending re-INVITE gets its 487 (or keeps the
         * final it had); the call ends as its initial INVITE made it */
        prack_actions_t acts;
        if (c->st == C_PROCEEDING && prack_uas_cancel(&c->eng, now, &acts) == PRACK_OK)
            run_actions(c, &acts, now, NULL);
        stats.reinvite_final = c->rei_status;
        c->reinvite = false;
        c->st = C_CONFIRMED;
    }
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
    return c;
}

static struct call *on_cancel(const sip_msg_t *m, const ex_addr_t *src, const char *raw,
                              size_t rawlen, prack_time_t now)
{
    /* RFC 3261 9.2: the INVITE with the CANCEL's branch and sent-by, an
     * initial INVITE's or a re-INVITE's (whose CANCEL carries the To tag) */
    struct call *c = find_transaction(m);
    if (!c) {
        ex_ladder_msg(c ? c->no : 0, true, raw, rawlen, NULL, "no matching INVITE");
        respond(m, src, 481, NULL, NULL, NULL, c ? c->no : 0, NULL);
        return NULL;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
    respond(m, src, 200, NULL, c->to_tag, NULL, c->no, NULL);
    if (c->st != C_PROCEEDING || !c->eng_on || prack_uas_state(&c->eng) == PRACK_UAS_REJECTED)
        return NULL; /* the final went out already: the CANCEL changes nothing */
    /* a cancelled re-INVITE gets its 487 and the call goes on (RFC 3261 14.1) */
    if (!c->reinvite)
        c->cancelled = true;
    prack_actions_t acts;
    if (prack_uas_cancel(&c->eng, now, &acts) == PRACK_OK)
        run_actions(c, &acts, now, NULL);
    return c;
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
        respond(m, src, 481, NULL, NULL, NULL, 0, NULL);
        return;
    }
    char extra[256];
    if (sip_str_eq_exact(m->method, "OPTIONS")) {
        snprintf(extra, sizeof(extra), "Allow: %s\r\nAccept: application/sdp\r\n%s", UAS_ALLOW,
                 opt.policy != PRACK_POLICY_OFF ? "Supported: 100rel\r\n" : "");
        respond(m, src, 200, NULL, NULL, extra, no, NULL);
        return;
    }
    snprintf(extra, sizeof(extra), "Allow: %s\r\n", UAS_ALLOW);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (sip_str_eq_exact(m->method, known[i])) {
            respond(m, src, 405, NULL, NULL, extra, no, NULL);
            return;
        }
    }
    respond(m, src, 501, NULL, NULL, extra, no, NULL);
}

static struct call *on_response(const sip_msg_t *m, const char *raw, size_t rawlen,
                                prack_time_t now)
{
    /* the only requests we send are BYEs: for a 2xx never acknowledged, or
     * --hangup-after; matched by branch and CSeq method (RFC 3261 17.1.3) */
    ex_key_t k;
    ex_hnode_t *n = ex_ctx_key(&k, m->branch, m->cseq_method) ? ex_htab_find(&host.ctx, &k, NULL)
                                                              : NULL;
    struct call *c = n ? EX_OWNER(n, struct call, bye_node) : NULL;
    if (!c || !c->bye_on) {
        ex_ladder_msg(0, true, raw, rawlen, NULL, "stray response: ignored");
        return NULL;
    }
    ex_ladder_msg(c->no, true, raw, rawlen, NULL, NULL);
    if (m->status < 200) {
        c->bye_t.proceeding = true;
        return c;
    }
    c->bye_on = false;
    ex_htab_del(&host.ctx, &c->bye_node);
    if (c->bye_why == BYE_HANGUP)
        end_call(c, m->status < 300 && c->final_status == opt.final_status && !c->cancelled, now);
    return c;
}

static void call_reschedule(struct call *c);

static void on_datagram(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
{
    static sip_msg_t m;
    static char raw[SIP_MAX_DGRAM + 1];
    if (!ex_host_read(&host, buf, len, src, &m, raw))
        return;
    struct call *c;
    if (!m.request)
        c = on_response(&m, raw, len, now);
    else if (sip_str_eq_exact(m.method, "INVITE"))
        c = on_invite(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "ACK"))
        c = on_ack(&m, raw, len, now);
    else if (sip_str_eq_exact(m.method, "PRACK"))
        c = on_prack(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "BYE"))
        c = on_bye(&m, src, raw, len, now);
    else if (sip_str_eq_exact(m.method, "CANCEL"))
        c = on_cancel(&m, src, raw, len, now);
    else {
        on_other_request(&m, src, raw, len);
        c = NULL;
    }
    if (c)
        call_reschedule(c); /* what the message changed may move its deadline */
}

/* ------------------------------------------------------------------------- */
/* Timers */

/* A BYE of our own (RFC 3261 15): when the 2xx is never acknowledged (13.3.1.4)
 * or --hangup-after. */
static void send_bye(struct call *c, prack_time_t now, enum bye_why why)
{
    char hp[80], buf[EX_MSG_MAX];
    sip_buf_t b;
    local_hostport(c, hp, sizeof(hp));
    ex_branch(c->bye_branch);
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "BYE %s SIP/2.0\r\n", c->remote_target ? c->remote_target : "sip:invalid");
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->bye_branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: %s\r\nTo: %s\r\n", c->local_to ? c->local_to : "",
              c->remote_from ? c->remote_from : "");
    sb_printf(&b, "Call-ID: %s\r\nCSeq: 1 BYE\r\n", c->call_id);
    /* the UAS route set is the Record-Route list in order (RFC 3261 12.1.1) */
    const char *p = c->rr;
    while (p && (p = strstr(p, "Record-Route: ")) != NULL) {
        const char *e = strstr(p, "\r\n");
        if (!e)
            break;
        sb_printf(&b, "Route: %.*s\r\n", (int)(e - p - 14), p + 14);
        p = e + 2;
    }
    if (why == BYE_NO_ACK)
        sb_printf(&b, "Reason: SIP;cause=408;text=\"ACK not received\"\r\n");
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !ex_keep(&c->bye, &c->bye_len, buf, b.len))
        return;
    c->bye_dest = c->peer;
    sip_uri_t u;
    ex_addr_t a;
    if (!c->rr && c->remote_target && sip_uri_parse(sip_str_c(c->remote_target), &u) &&
        ex_addr_resolve(u.host, u.port ? u.port : 5060u, &c->local, &a) == 0)
        c->bye_dest = a;
    ex_key_t k;
    if (ex_ctx_key(&k, sip_str_c(c->bye_branch), sip_str_c("BYE"))) {
        ex_htab_del(&host.ctx, &c->bye_node);
        ex_htab_add(&host.ctx, &c->bye_node, &k);
    }
    send_msg(&c->bye_dest, c->bye, c->bye_len);
    ex_ladder_msg(c->no, false, c->bye, c->bye_len, NULL,
                  why == BYE_NO_ACK ? "2xx never acknowledged" : "hanging up");
    c->bye_why = why;
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
    d = ex_min(d, c->hangup_at);
    d = ex_min(d, c->linger_until);
    d = ex_min(d, c->count_at);
    if (c->bye_on)
        d = ex_min(d, ex_nict_deadline(&c->bye_t));
    return d;
}

static void call_reschedule(struct call *c)
{
    ex_timer_set(&host.timers, &c->timer, call_deadline(c));
}

/* Everything due on a call; false when the call was freed. */
static bool call_timers(struct call *c, prack_time_t now)
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
            /* --final is the initial INVITE's; a re-INVITE is accepted */
            int rc = prack_uas_send_final(&c->eng, now, c->reinvite ? 200u : opt.final_status,
                                          &acts);
            if (rc == PRACK_OK)
                run_actions(c, &acts, now, NULL);
            else
                ex_warn("prack_uas_send_final: %s", prack_strerror(rc));
        }
    }
    if (c->fin_deadline <= now) {
        c->fin_next = c->fin_deadline = PRACK_TIME_NONE;
        if (txn_final(c) < 300) {
            ex_note(c->no, "no ACK for the 2xx within 64*T1");
            send_bye(c, now, BYE_NO_ACK);
        } else {
            ex_note(c->no, "no ACK for the %u within 64*T1 (Timer H)", txn_final(c));
        }
        if (c->reinvite)
            reinvite_over(c, now);
        else
            end_call(c, false, now);
    }
    if (c->fin_next <= now && c->st == C_COMPLETED) {
        send_msg(&c->peer, c->inv.rsp, c->inv.len);
        ex_ladder_msg(c->no, false, c->inv.rsp, c->inv.len, "SDP", "retransmission");
        c->fin_interval = c->fin_interval * 2u < EX_T2_MS ? c->fin_interval * 2u : EX_T2_MS;
        c->fin_next += c->fin_interval;
        if (c->fin_next <= now)
            c->fin_next = now + c->fin_interval;
    }
    if (c->hangup_at <= now) {
        c->hangup_at = PRACK_TIME_NONE;
        if (c->st == C_CONFIRMED && !c->bye_on)
            send_bye(c, now, BYE_HANGUP);
    }
    if (c->bye_on) {
        int t = ex_nict_tick(&c->bye_t, now);
        if (t > 0) {
            send_msg(&c->bye_dest, c->bye, c->bye_len);
            ex_ladder_msg(c->no, false, c->bye, c->bye_len, NULL, "retransmission");
        } else if (t < 0) {
            c->bye_on = false;
            ex_htab_del(&host.ctx, &c->bye_node);
            if (c->bye_why == BYE_HANGUP) {
                ex_note(c->no, "BYE timed out (Timer F)");
                end_call(c, false, now);
            }
        }
    }
    if (c->count_at <= now) {
        c->count_at = PRACK_TIME_NONE;
        count_call(c, false);
    }
    if (c->linger_until <= now && c->st == C_TERMINATED && !c->bye_on) {
        free_call(c);
        return false;
    }
    return true;
}

static void call_timer(ex_timer_t *t, prack_time_t now)
{
    struct call *c = EX_OWNER(t, struct call, timer);
    if (call_timers(c, now))
        call_reschedule(c);
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
            "  --hangup-after MS       send a BYE MS ms after the 2xx is acknowledged\n"
            "                          (default: wait for the caller's BYE)\n"
            "  --auth USER:PASS        challenge INVITE and PRACK with 401 digest\n"
            "  --codecs LIST           formats to answer and offer with, in order of\n"
            "                          preference (default " SDP_CODECS_DEFAULT "; known:\n"
            "                          " SDP_CODECS_KNOWN ");\n"
            "                          an offer with none of them gets 488\n"
            "  --t1 MS                 T1 (default 500)\n"
            "  --calls N               exit after N calls (default: until interrupted)\n"
            "  --linger MS             after the N calls, answer retransmissions until every\n"
            "                          transaction is over, for at most MS ms (default 64*T1)\n"
            EX_USAGE_HOST
            EX_USAGE_COMMON
            "\n" EX_USAGE_LADDER
            "ARROW is 'UAC -> UAS' for what prack-uas received, 'UAC <- UAS' for what it sent.\n"
            "\n"
            "A call succeeds when it ended with the --final status and was not cancelled\n"
            "(with --hangup-after: and its BYE got a 2xx). Beyond --max-calls calls in\n"
            "progress, an INVITE gets 503.\n"
            "A re-INVITE gets the --provisional list too, from an engine of its own\n"
            "(reliably when it names 100rel), and 200 after --answer-after; its final\n"
            "never ends the call. RESULT then adds reinvites=N reinvite_final=STATUS.\n"
            "Exit status (after --calls N calls and the linger, or SIGINT or SIGTERM): 0\n"
            "when every call succeeded and none is left in progress; 1 when a call failed\n"
            "or the socket could not be opened; 2 on a bad option.\n");
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
    long linger = -1;
    opt.policy = PRACK_POLICY_SUPPORTED;
    opt.answer_after = 1000;
    opt.final_status = 200;
    opt.max_calls = EX_MAX_CALLS_DEFAULT;
    opt.hangup_after = -1;
    parse_provisional("183:sdp,180");
    sdp_caps_parse(&opt.caps, SDP_CODECS_DEFAULT);
    for (int i = 1; i < argc; i++) {
        const char *v;
        unsigned long n;
        if (ex_common_opt(argc, argv, &i, usage, &common)) {
            continue;
        } else if (ex_host_opt(argc, argv, &i, &opt.max_calls)) {
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
        } else if ((v = ex_opt(argc, argv, &i, "--hangup-after")) != NULL) {
            if (!ex_parse_uint(v, 0, 86400000, &n))
                ex_usage_error(ex_prog, "--hangup-after: 0..86400000 ms");
            opt.hangup_after = (long)n;
        } else if ((v = ex_opt(argc, argv, &i, "--linger")) != NULL) {
            if (!ex_parse_uint(v, 0, 3600000, &n))
                ex_usage_error(ex_prog, "--linger: 0..3600000 ms");
            linger = (long)n;
        } else if ((v = ex_opt(argc, argv, &i, "--final")) != NULL) {
            if (!ex_parse_uint(v, 200, 699, &n))
                ex_usage_error(ex_prog, "--final: a status 200..699");
            opt.final_status = (uint16_t)n;
        } else if ((v = ex_opt(argc, argv, &i, "--codecs")) != NULL) {
            if (sdp_caps_parse(&opt.caps, v) != 0)
                ex_usage_error(ex_prog, "--codecs: a list of distinct names among %s",
                               SDP_CODECS_KNOWN);
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
    /* Timer J (RFC 3261 17.2.2): a request's retransmissions end 64*T1 after it */
    opt.linger = linger >= 0 ? (prack_time_t)linger : 64u * (prack_time_t)opt.t1;
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

    char server[80];
    snprintf(server, sizeof(server), "prack-uas (libprack %s)", prack_version());
    ex_host_init(&host, true, opt.max_calls, opt.t1);
    host.server = server;
    ex_htab_init(&dialogs, opt.max_calls);
    ex_htab_init(&by_cid, opt.max_calls);
    host.bind = opt.bind;
    host.sock = ex_udp_open(&opt.bind);
    if (host.sock < 0) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        fprintf(stderr, "prack-uas: cannot bind %s: %s\n", a, strerror(errno));
        return 1;
    }
    host.bind = opt.bind;
    if (!ex_quiet) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        printf("prack-uas listening on %s (libprack %s, 100rel %s, T1 %u ms)\n", a,
               prack_version(), ex_policy_name(opt.policy), opt.t1);
        fflush(stdout);
    }

    prack_time_t linger_end = PRACK_TIME_NONE;
    while (!ex_stop) {
        prack_time_t now = ex_host_timers(&host);
        if (opt.calls && stats.done >= opt.calls) {
            /* the N calls are over: stay while a transaction may still see a
             * retransmission (a PRACK or BYE whose answer was lost), at most
             * --linger ms; new INVITEs meanwhile get 503 */
            if (linger_end == PRACK_TIME_NONE)
                linger_end = now + opt.linger;
            if (now >= linger_end || (!active.head && !lingering.head && host.nist == 0))
                break;
        }
        if (ex_host_poll(&host, now, linger_end, on_datagram) < 0)
            break;
    }

    unsigned live = 0;
    for (ex_link_t *n = lingering.head; n; n = n->next) {
        struct call *c = EX_OWNER(n, struct call, link);
        if (c->count_at != PRACK_TIME_NONE) {
            c->count_at = PRACK_TIME_NONE;
            count_call(c, false);
        }
    }
    for (ex_link_t *n = active.head; n; n = n->next)
        if (!EX_OWNER(n, struct call, link)->superseded)
            live++;
    close(host.sock);
    char more[64] = "";
    if (stats.reinvites)
        snprintf(more, sizeof(more), "reinvites=%u reinvite_final=%u", stats.reinvites,
                 stats.reinvite_final);
    ex_result_more("uas", stats.done, stats.ok, stats.last_final, 0, stats.prack_rcvd,
                   stats.rel1xx, more[0] ? more : NULL);
    return (stats.ok == stats.done && live == 0) ? 0 : 1;
}
