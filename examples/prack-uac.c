/*
 * prack-uac: a SIP user agent client over UDP that places calls and PRACKs
 * reliable provisional responses (RFC 3262) as libprack tells it to.
 *
 * One libprack UAC engine per INVITE client transaction, and one engine
 * dialog state per early dialog (To-tag), kept inside this program's dialog
 * object. The program owns the rest: Timers A/B for the INVITE and E/F for
 * PRACK, BYE and CANCEL (the library retransmits nothing on the client side),
 * the dialogs' route sets, remote targets and CSeq numbers, ACKs, BYEs,
 * CANCELs, and digest credentials. The host layer (host.h) gives the socket,
 * the message reader, the tables (calls by Call-ID, client transactions by
 * branch and method) and the timer heap.
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
#include "host.h"
#include "sdp.h"
#include "sipmsg.h"

/* Early dialogs (forks) per call. */
#define UAC_MAX_DIALOGS 4u
/* Non-INVITE client transactions in progress per call. */
#define UAC_MAX_TXNS 4u
/* A call still ringing after this long is cancelled (like RFC 3261 Timer C). */
#define UAC_RING_LIMIT_MS 180000u
#define UAC_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"

static struct options {
    char target[256];
    sip_uri_t target_uri;
    ex_addr_t dest;
    ex_addr_t bind;
    prack_policy_t policy;
    uint32_t t1;
    unsigned long calls;
    bool sdp;
    uint32_t hold;
    uint32_t prack_delay; /* --prack-delay: each PRACK waits this long */
    char user[128];
    char pass[128];
    prack_failure_t on_failure;
    bool retry;  /* follow a RETRY_INVITE after 420/421 (--retry) */
    double rate; /* calls per second; 0: one after another */
    unsigned long max_calls; /* calls at once (lingering ones included); more wait */
    long reinvite_after; /* --reinvite-after: ms after the 2xx is ACKed; -1: none */
    sdp_caps_t caps;         /* --codecs */
} opt;

enum call_state {
    U_CALLING = 1,   /* INVITE sent, nothing back yet (Timer A) */
    U_PROCEEDING, /* a provisional arrived */
    U_ACCEPTED,   /* 2xx acknowledged; BYE after --hold */
    U_ENDING,     /* BYE or CANCEL sent */
    U_DONE        /* over; kept a while for retransmitted finals */
};

struct dialog {
    unsigned idx;            /* in the call's dlg[] */
    unsigned fork;           /* 1, 2, ... in order of appearance, for the ladder */
    char *to_tag;
    char *to_hdr;            /* the To value with its tag, for our requests */
    char *target;            /* remote target: the Contact of its responses */
    char *route;             /* Route value: the Record-Route list reversed, or NULL */
    char *first_route;       /* where requests go when there is a route set, or NULL */
    uint32_t local_cseq;     /* the last CSeq we used on it (starts at the INVITE's) */
    prack_uac_dialog_t eng;  /* libprack's per-dialog state (RSeq space, R43) */
    bool got_sdp;            /* a reliable 1xx or 2xx brought SDP */
    bool answered;           /* we sent the SDP answer on it */
    bool last_prack_sdp;
    bool other_fork;         /* PRACKed after a 2xx on another dialog: no session here */
    bool confirmed;
    char *ack;               /* the ACK of its 2xx, for 2xx retransmissions */
    size_t ack_len;
    ex_addr_t ack_dest;
};

enum txn_kind { T_PRACK, T_BYE, T_CANCEL };

struct txn {
    bool used;
    ex_hnode_t node;     /* client transaction: branch and method */
    struct call *call;
    enum txn_kind kind;
    unsigned dlg;
    uint32_t cseq;
    uint32_t rseq; /* PRACK: the RAck response-num */
    bool re;       /* PRACK: of a reliable 1xx to the re-INVITE */
    char branch[32];
    char *msg;
    size_t len;
    ex_addr_t dest;
    ex_nict_t t;
    bool auth_done; /* BYE: resent with credentials already */
    /* PRACK held back by --prack-delay: sent at send_at, then the ladder
     * line is the one it would have had */
    prack_time_t send_at;
    const char *role;
    char note[96];
};

/*
 * The re-INVITE of --reinvite-after (RFC 3261 14.1): an INVITE client
 * transaction of its own in the confirmed dialog, with a UAC engine and an
 * engine dialog state of its own, so that its reliable 1xx are PRACKed in an
 * RSeq space of their own (RFC 3262 3, N5) with RAck naming its CSeq.
 */
struct reinvite {
    bool on;        /* sent, no final yet */
    bool done;      /* its final arrived (or it timed out, or was never sent) */
    bool running;   /* its engine's actions are being carried out */
    bool bye_after; /* --hold ran out meanwhile: the BYE follows the final */
    bool got_sdp;   /* a reliable 1xx or the 2xx brought its SDP */
    uint32_t cseq;
    char branch[32];
    char *msg;
    size_t len;
    ex_addr_t dest;
    prack_time_t at; /* when to send it */
    prack_time_t a_next, a_interval, b_deadline;
    prack_uac_t eng;
    prack_uac_dialog_t dlg;
    uint16_t final_status;
    char *ack; /* the ACK of its final, for retransmissions of that final */
    size_t ack_len;
};

struct call {
    enum call_state st;
    unsigned no;
    ex_link_t link;           /* in the list of lingering calls */
    ex_timer_t timer;         /* the call's earliest deadline */
    ex_hnode_t cid_node;      /* by Call-ID */
    char call_id[96];
    char from_tag[24];
    ex_addr_t local;
    /* our offer, or our answer (RFC 3264); freed when the call ends */
    sdp_local_t *sdp;

    /* the current INVITE transaction */
    uint32_t cseq;
    char branch[32];
    char *invite;
    size_t invite_len;
    prack_time_t a_next, a_interval, b_deadline, c_deadline;
    prack_uac_t eng;
    prack_policy_t policy;

    /* the ACK of a non-2xx final, for its retransmissions */
    char nack_branch[32];
    char *nack;
    size_t nack_len;

    /* credentials */
    bool have_chal;
    bool chal_proxy;
    digest_params_t *chal;
    uint32_t nc;
    char cnonce[24];
    unsigned invite_auth_tries;
    bool retried_option;
    bool retry_pending;
    prack_option_t retry_option;

    struct dialog *dlg[UAC_MAX_DIALOGS];
    unsigned ndlg;
    int confirmed; /* index of the dialog the call went on with, or -1 */
    struct txn txn[UAC_MAX_TXNS];

    uint16_t final_status;
    bool terminate; /* the engine asked to end the call */
    bool cancel_sent;
    bool bye_sent;
    prack_time_t bye_at;
    prack_time_t linger_until;
    struct reinvite re;
};

static ex_host_t host;
static ex_htab_t by_cid;                       /* struct call by cid_node */
static ex_list_t lingering;                    /* calls over, oldest first */
static unsigned long ncalls, nactive;          /* all calls; those not over */

static struct stats {
    unsigned started, done, ok, last_final, prack_sent, rel1xx;
    unsigned reinvites, reinvite_final; /* re-INVITEs sent, the last one's final */
} stats;

/* ------------------------------------------------------------------------- */
/* Helpers */

static void send_to(const ex_addr_t *to, const char *msg, size_t len)
{
    ex_host_send(&host, to, msg, len);
}

static void local_hostport(const struct call *c, char *buf, size_t cap)
{
    ex_addr_str(&c->local, buf, cap);
}

static struct call *find_call(const sip_msg_t *m)
{
    ex_key_t k;
    ex_key_init(&k);
    ex_key_add(&k, m->call_id);
    ex_hnode_t *n = ex_htab_find(&by_cid, &k, NULL);
    return n ? EX_OWNER(n, struct call, cid_node) : NULL;
}

static const char *txn_method(const struct txn *t)
{
    return t->kind == T_PRACK ? "PRACK" : t->kind == T_BYE ? "BYE" : "CANCEL";
}

/* The transaction is over (or was never sent): out of the table, its request freed. */
static void txn_done(struct txn *t)
{
    if (!t->used && !t->msg)
        return;
    t->used = false;
    ex_htab_del(&host.ctx, &t->node);
    free(t->msg);
    t->msg = NULL;
    t->len = 0;
}

/* Keep the request built in `buf` and enter the transaction in the table
 * (RFC 3261 17.1.3: responses match by branch and CSeq method). */
static bool txn_keep(struct txn *t, const char *buf, size_t len)
{
    ex_key_t k;
    if (!ex_keep(&t->msg, &t->len, buf, len) ||
        !ex_ctx_key(&k, sip_str_c(t->branch), sip_str_c(txn_method(t))) ||
        !ex_htab_add(&host.ctx, &t->node, &k)) {
        txn_done(t);
        return false;
    }
    return true;
}

static const char *fork_note(const struct call *c, const struct dialog *d, char *buf, size_t cap)
{
    if (!d || c->ndlg < 2)
        return NULL;
    snprintf(buf, cap, "fork %u", d->fork);
    return buf;
}

static void end_call(struct call *c, bool ok, prack_time_t now)
{
    if (c->st == U_DONE)
        return;
    c->st = U_DONE;
    c->a_next = c->b_deadline = c->c_deadline = c->bye_at = PRACK_TIME_NONE;
    c->linger_until = now + 64u * (prack_time_t)opt.t1;
    for (size_t i = 0; i < UAC_MAX_TXNS; i++)
        txn_done(&c->txn[i]);
    /* a lingering call only resends what it sent: no new description */
    free(c->sdp);
    c->sdp = NULL;
    nactive--;
    ex_list_append(&lingering, &c->link);
    stats.done++;
    if (ok)
        stats.ok++;
    stats.last_final = c->final_status;
    ex_note(c->no, "call over: %s (final %u)", ok ? "ok" : "FAILED", c->final_status);
}

static struct txn *new_txn(struct call *c, enum txn_kind kind, unsigned dlg)
{
    for (size_t i = 0; i < UAC_MAX_TXNS; i++) {
        if (!c->txn[i].used) {
            struct txn *t = &c->txn[i];
            memset(t, 0, sizeof(*t));
            t->used = true;
            t->call = c;
            t->kind = kind;
            t->dlg = dlg;
            t->send_at = PRACK_TIME_NONE;
            ex_branch(t->branch);
            return t;
        }
    }
    return NULL;
}

/* Credentials for `method` on `uri` from the last challenge, as a full header line. */
static bool credentials(struct call *c, const char *method, const char *uri, char *line,
                        size_t cap)
{
    if (!c->have_chal || !c->chal || !opt.user[0])
        return false;
    char value[1024];
    c->nc++;
    if (digest_authorization(value, sizeof(value), c->chal, opt.user, opt.pass, method, uri, c->nc,
                             c->cnonce) < 0)
        return false;
    int n = snprintf(line, cap, "%s: %s\r\n", c->chal_proxy ? "Proxy-Authorization" : "Authorization",
                     value);
    return n > 0 && (size_t)n < cap;
}

static void remember_challenge(struct call *c, const sip_msg_t *m)
{
    sip_hid_t id = m->status == 407 ? SIP_H_PROXY_AUTHENTICATE : SIP_H_WWW_AUTHENTICATE;
    for (const sip_header_t *h = sip_find(m, id, NULL); h; h = sip_find(m, id, h)) {
        digest_params_t d;
        if (digest_parse(h->value.p, h->value.n, &d) == 0 && d.nonce[0]) {
            if (!c->chal && (c->chal = malloc(sizeof(*c->chal))) == NULL)
                return;
            *c->chal = d;
            c->chal_proxy = m->status == 407;
            c->have_chal = true;
            c->nc = 0;
            ex_random_hex(c->cnonce, 16);
            return;
        }
    }
}

/* Where an in-dialog request goes: the first route (loose routing) or the remote target. */
static bool dialog_dest(const struct call *c, const struct dialog *d, ex_addr_t *out)
{
    sip_uri_t u;
    const char *uri = d->first_route ? d->first_route : d->target;
    if (!sip_uri_parse(sip_str_c(uri), &u))
        return false;
    return ex_addr_resolve(u.host, u.port ? u.port : 5060u, &c->local, out) == 0;
}

/* Start an in-dialog request: request line, Via, From, To, Call-ID, CSeq, Route. */
static void start_request(sip_buf_t *b, const struct call *c, const struct dialog *d,
                          const char *method, uint32_t cseq, const char *branch)
{
    char hp[80];
    local_hostport(c, hp, sizeof(hp));
    sb_printf(b, "%s %s SIP/2.0\r\n", method, d->target);
    sb_printf(b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, branch);
    sb_printf(b, "Max-Forwards: 70\r\n");
    sb_printf(b, "From: <sip:prack-uac@%s>;tag=%s\r\n", hp, c->from_tag);
    sb_printf(b, "To: %s\r\n", d->to_hdr);
    sb_printf(b, "Call-ID: %s\r\n", c->call_id);
    sb_printf(b, "CSeq: %u %s\r\n", cseq, method);
    if (d->route)
        sb_printf(b, "Route: %s\r\n", d->route);
}

/* The next CSeq number of a dialog. RFC 3261 8.1.1.5: 32 bits, counted on
 * from the INVITE's; after 2^32-1 there is none, and nothing wraps. */
static bool next_cseq(struct call *c, struct dialog *d, uint32_t *out)
{
    if (d->local_cseq == UINT32_MAX) {
        ex_note(c->no, "no CSeq above 4294967295 left on this dialog: request not sent");
        return false;
    }
    *out = ++d->local_cseq;
    return true;
}

static size_t our_sdp(const struct call *c, char *buf, size_t cap)
{
    return c->sdp ? sdp_local_write(c->sdp, buf, cap) : 0;
}

/* The answer to the offer of a fork the call did not go on with: every stream
 * refused (RFC 3264 6), built when its 1xx arrives, sent in its PRACK. */
static char fork_refusal[SDP_BODY_MAX];
static size_t fork_refusal_len;

/*
 * Answer an offer from the peer (in a reliable 1xx or a 2xx) into c->sdp from
 * the --codecs formats. It cannot be refused with 488 (RFC 6337 2.3): with
 * nothing in common every stream is refused. On a fork the call does not go
 * on with, every stream is refused anyway, into fork_refusal.
 */
static void uac_answer_offer(struct call *c, bool other_fork, sip_str_t body)
{
    sdp_verdict_t v;
    if (!c->sdp)
        return;
    if (other_fork) {
        sdp_caps_t none = {{NULL}, 0};
        sdp_local_t tmp = *c->sdp;
        tmp.len = 0;
        fork_refusal_len = 0;
        int rc = sdp_answer_text(&tmp, &none, body.p, body.n, true, &v);
        if (rc == SDP_OK || rc == SDP_REJECT)
            fork_refusal_len = sdp_local_write(&tmp, fork_refusal, sizeof(fork_refusal));
        return;
    }
    int rc = sdp_answer_text(c->sdp, &opt.caps, body.p, body.n, true, &v);
    if (rc == SDP_REJECT)
        ex_note(c->no, "SDP offer: %s; every stream refused in the answer", v.text);
    else if (rc != SDP_OK)
        ex_note(c->no, "SDP offer unreadable (%s): no answer", v.text);
}

/* The answer to our offer: say when it does not answer it (RFC 3264 6). */
static void uac_check_answer(struct call *c, sip_str_t body)
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

/* ------------------------------------------------------------------------- */
/* Dialogs */

/* Reverse the Record-Route list into the route set (RFC 3261 12.1.2). */
static void set_route(struct dialog *d, const sip_msg_t *m)
{
    char route[1024], first[256];
    ex_uac_route_set(m, route, sizeof(route), first, sizeof(first));
    free(d->route);
    free(d->first_route);
    d->route = route[0] ? ex_strdup_str(sip_str_c(route)) : NULL;
    d->first_route = first[0] ? ex_strdup_str(sip_str_c(first)) : NULL;
}

/* The remote target: a Contact URI, or the request URI without one. */
static void set_target(struct dialog *d, sip_str_t contact)
{
    if (!contact.n)
        contact = sip_str_c(opt.target);
    ex_keep(&d->target, NULL, contact.p, contact.n);
}

static void free_dialog(struct dialog *d)
{
    free(d->to_tag);
    free(d->to_hdr);
    free(d->target);
    free(d->route);
    free(d->first_route);
    free(d->ack);
}

static struct dialog *get_dialog(struct call *c, const sip_msg_t *m, bool create)
{
    for (unsigned i = 0; i < c->ndlg; i++)
        if (sip_str_eq_exact(m->to_tag, c->dlg[i]->to_tag))
            return c->dlg[i];
    if (!create)
        return NULL;
    if (c->ndlg == UAC_MAX_DIALOGS) {
        ex_note(c->no, "more than %u early dialogs: ignoring this one", UAC_MAX_DIALOGS);
        return NULL;
    }
    struct dialog *d = c->dlg[c->ndlg];
    if (!d && (d = c->dlg[c->ndlg] = calloc(1, sizeof(*d))) == NULL)
        return NULL;
    free_dialog(d);
    memset(d, 0, sizeof(*d));
    if ((d->to_tag = ex_strdup_str(m->to_tag)) == NULL || (d->to_hdr = ex_strdup_str(m->to)) == NULL)
        return NULL;
    d->idx = c->ndlg;
    d->fork = ++c->ndlg;
    /* RFC 3261 12.1.2: the local sequence number starts at the INVITE's */
    d->local_cseq = c->cseq;
    set_route(d, m);
    prack_uac_dialog_init(&d->eng);
    set_target(d, sip_contact_uri(m));
    return d->target ? d : NULL;
}

/* ------------------------------------------------------------------------- */
/* Requests we send */

static void invite_config(const struct call *c, prack_config_t *cfg);

static void send_invite(struct call *c, prack_time_t now, bool with_auth)
{
    prack_config_t cfg;
    invite_config(c, &cfg);
    int rc = prack_uac_init(&c->eng, &cfg, c->cseq, opt.sdp ? PRACK_UAC_INVITE_SDP : 0u, now);
    if (rc != PRACK_OK) {
        ex_warn("prack_uac_init: %s", prack_strerror(rc));
        end_call(c, false, now);
        return;
    }
    ex_branch(c->branch);
    c->ndlg = 0;
    c->confirmed = -1;
    c->retry_pending = false;

    char hp[80], auth[1200], sdp[SDP_BODY_MAX], buf[EX_MSG_MAX];
    local_hostport(c, hp, sizeof(hp));
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "INVITE %s SIP/2.0\r\n", opt.target);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: <sip:prack-uac@%s>;tag=%s\r\n", hp, c->from_tag);
    sb_printf(&b, "To: <%s>\r\n", opt.target);
    sb_printf(&b, "Call-ID: %s\r\n", c->call_id);
    sb_printf(&b, "CSeq: %u INVITE\r\n", c->cseq);
    sb_printf(&b, "Contact: <sip:prack-uac@%s>\r\n", hp);
    /* R31-R33: the engine says which option tag header the INVITE carries */
    switch (prack_uac_option(&c->eng)) {
    case PRACK_OPTION_SUPPORTED: sb_printf(&b, "Supported: 100rel\r\n"); break;
    case PRACK_OPTION_REQUIRE: sb_printf(&b, "Require: 100rel\r\n"); break;
    case PRACK_OPTION_NONE: break;
    }
    sb_printf(&b, "Allow: %s\r\n", UAC_ALLOW);
    sb_printf(&b, "User-Agent: prack-uac (libprack %s)\r\n", prack_version());
    if (with_auth && credentials(c, "INVITE", opt.target, auth, sizeof(auth)))
        sb_printf(&b, "%s", auth);
    /* the same offer again after a 401 or 420: its o= version stays (RFC 3264 8) */
    if (opt.sdp && c->sdp && sdp_make_offer(c->sdp, &opt.caps) != SDP_OK)
        ex_warn("our SDP offer does not fit");
    size_t n = opt.sdp ? our_sdp(c, sdp, sizeof(sdp)) : 0;
    sb_finish(&b, "application/sdp", sdp, n);
    if (b.overflow || !ex_keep(&c->invite, &c->invite_len, buf, b.len)) {
        ex_warn("INVITE does not fit");
        end_call(c, false, now);
        return;
    }
    send_to(&opt.dest, c->invite, c->invite_len);
    ex_ladder_msg(c->no, true, c->invite, c->invite_len, "SDP offer", NULL);
    c->st = U_CALLING;
    /* RFC 3261 17.1.1.2: Timer A from T1, doubling; Timer B at 64*T1 */
    c->a_interval = opt.t1;
    c->a_next = now + opt.t1;
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
    c->c_deadline = PRACK_TIME_NONE;
}

static void send_prack_now(struct call *c, struct txn *t, prack_time_t now)
{
    t->send_at = PRACK_TIME_NONE;
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    stats.prack_sent++;
    ex_ladder_msg(c->no, true, t->msg, t->len, t->role, t->note[0] ? t->note : NULL);
}

static void send_prack(struct call *c, struct dialog *d, const prack_action_t *a, prack_time_t now)
{
    unsigned di = d->idx;
    char auth[1200] = "", sdp[SDP_BODY_MAX], rack[40], fk[16], buf[EX_MSG_MAX];
    bool with_auth = (a->flags & PRACK_AF_AUTH) != 0;
    if (with_auth && !credentials(c, "PRACK", d->target, auth, sizeof(auth))) {
        ex_note(c->no, "PRACK challenged and no usable credentials (--user/--password)");
        return;
    }
    struct txn *t = new_txn(c, T_PRACK, di);
    if (!t) {
        ex_warn("too many transactions on call %u", c->no);
        return;
    }
    /* the RAck values come from the engine; the CSeq is this dialog's next */
    if (prack_format_rack(rack, sizeof(rack), a->rseq, a->cseq, "INVITE", 6) < 0) {
        txn_done(t);
        return;
    }
    if (!next_cseq(c, d, &t->cseq)) {
        txn_done(t);
        return;
    }
    t->rseq = a->rseq;
    t->re = c->re.running;
    bool body;
    switch (a->sdp) {
    case PRACK_SDP_ANSWER: body = true; break;  /* R50: the offer came in the 1xx */
    case PRACK_SDP_REPEAT: body = d->last_prack_sdp; break;
    default: body = false; break;               /* no new offer from us (R51 is a MAY) */
    }
    d->last_prack_sdp = body;
    if (a->sdp == PRACK_SDP_ANSWER)
        d->answered = true;
    if (a->flags & PRACK_AF_OTHER_FORK)
        d->other_fork = true;

    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_request(&b, c, d, "PRACK", t->cseq, t->branch);
    sb_printf(&b, "RAck: %s\r\n", rack);
    sb_printf(&b, "%s", auth);
    /* R50 holds on a fork the call did not go on with too: its offer gets an
     * answer, one that rejects the stream (RFC 3264 6) */
    size_t n = !body ? 0 : d->other_fork ? fork_refusal_len : our_sdp(c, sdp, sizeof(sdp));
    sb_finish(&b, "application/sdp", d->other_fork ? fork_refusal : sdp, n);
    if (b.overflow || !dialog_dest(c, d, &t->dest) || !txn_keep(t, buf, b.len)) {
        ex_warn("cannot build or route the PRACK of call %u", c->no);
        txn_done(t);
        return;
    }
    char note[84]; /* fits t->note after "re-INVITE, " */
    const char *fn = fork_note(c, d, fk, sizeof(fk));
    snprintf(note, sizeof(note), "%s%s%s%s%s", (a->flags & PRACK_AF_CACHED) ? "cached 1xx" : "",
             fn && (a->flags & PRACK_AF_CACHED) ? ", " : "", fn ? fn : "",
             (a->flags & PRACK_AF_OTHER_FORK) && (fn || (a->flags & PRACK_AF_CACHED)) ? ", " : "",
             (a->flags & PRACK_AF_OTHER_FORK) ? "answered on another fork" : "");
    bool answer = a->sdp == PRACK_SDP_ANSWER || (a->sdp == PRACK_SDP_REPEAT && body && d->answered);
    t->role = answer ? "SDP answer" : "SDP";
    snprintf(t->note, sizeof(t->note), "%s%s%s", t->re ? "re-INVITE" : "", t->re && note[0] ? ", " : "",
             note);
    if (opt.prack_delay) {
        /* a slow PRACK, so that the UAS shows what it does meanwhile (a 2xx held) */
        t->send_at = now + opt.prack_delay;
        ex_note(c->no, "PRACK for RSeq %u delayed %u ms (--prack-delay)", a->rseq, opt.prack_delay);
        return;
    }
    send_prack_now(c, t, now);
}

static void send_ack_2xx(struct call *c, struct dialog *d, const sip_msg_t *m, prack_time_t now)
{
    char sdp[SDP_BODY_MAX], branch[32], buf[EX_MSG_MAX];
    (void)now;
    ex_branch(branch);
    /* RFC 3261 13.2.2.4: the INVITE's CSeq number, a new transaction, the dialog's route */
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_request(&b, c, d, "ACK", c->cseq, branch);
    bool answer = !opt.sdp && !d->answered && sip_has_sdp(m);
    if (answer)
        uac_answer_offer(c, false, m->body); /* the offer came in the 2xx */
    size_t n = answer ? our_sdp(c, sdp, sizeof(sdp)) : 0;
    if (answer)
        d->answered = true;
    sb_finish(&b, "application/sdp", sdp, n);
    if (b.overflow || !dialog_dest(c, d, &d->ack_dest) || !ex_keep(&d->ack, &d->ack_len, buf, b.len)) {
        ex_warn("cannot build or route the ACK of call %u", c->no);
        return;
    }
    send_to(&d->ack_dest, d->ack, d->ack_len);
    ex_ladder_msg(c->no, true, d->ack, d->ack_len, answer ? "SDP answer" : NULL, NULL);
}

static void send_ack_non2xx(struct call *c, const sip_msg_t *m)
{
    char hp[80], buf[EX_MSG_MAX];
    local_hostport(c, hp, sizeof(hp));
    /* RFC 3261 17.1.1.3: same branch and Request-URI as the INVITE, To from the response */
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "ACK %s SIP/2.0\r\n", opt.target);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: <sip:prack-uac@%s>;tag=%s\r\n", hp, c->from_tag);
    sb_printf(&b, "To: %.*s\r\n", SIP_STR_ARG(m->to));
    sb_printf(&b, "Call-ID: %s\r\n", c->call_id);
    sb_printf(&b, "CSeq: %u ACK\r\n", c->cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !ex_keep(&c->nack, &c->nack_len, buf, b.len))
        return;
    memcpy(c->nack_branch, c->branch, sizeof(c->nack_branch));
    send_to(&opt.dest, c->nack, c->nack_len);
    ex_ladder_msg(c->no, true, c->nack, c->nack_len, NULL, NULL);
}

static void send_bye(struct call *c, unsigned di, prack_time_t now, const char *why)
{
    struct dialog *d = c->dlg[di];
    struct txn *t = new_txn(c, T_BYE, di);
    char buf[EX_MSG_MAX];
    if (!t)
        return;
    /* one above the last request on this dialog (PRACKs included) */
    if (!next_cseq(c, d, &t->cseq)) {
        txn_done(t);
        return;
    }
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_request(&b, c, d, "BYE", t->cseq, t->branch);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !dialog_dest(c, d, &t->dest) || !txn_keep(t, buf, b.len)) {
        txn_done(t);
        return;
    }
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    ex_ladder_msg(c->no, true, t->msg, t->len, NULL, why);
    if ((int)di == c->confirmed) {
        c->bye_sent = true;
        c->st = U_ENDING;
    }
}

static void send_cancel(struct call *c, prack_time_t now)
{
    if (c->cancel_sent)
        return;
    struct txn *t = new_txn(c, T_CANCEL, 0);
    if (!t)
        return;
    char hp[80], buf[EX_MSG_MAX];
    local_hostport(c, hp, sizeof(hp));
    /* RFC 3261 9.1: the INVITE's Request-URI, top Via branch, From, To and CSeq number */
    memcpy(t->branch, c->branch, sizeof(t->branch));
    t->cseq = c->cseq;
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    sb_printf(&b, "CANCEL %s SIP/2.0\r\n", opt.target);
    sb_printf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", hp, c->branch);
    sb_printf(&b, "Max-Forwards: 70\r\n");
    sb_printf(&b, "From: <sip:prack-uac@%s>;tag=%s\r\n", hp, c->from_tag);
    sb_printf(&b, "To: <%s>\r\n", opt.target);
    sb_printf(&b, "Call-ID: %s\r\n", c->call_id);
    sb_printf(&b, "CSeq: %u CANCEL\r\n", c->cseq);
    sb_finish(&b, NULL, NULL, 0);
    if (b.overflow || !txn_keep(t, buf, b.len)) {
        txn_done(t);
        return;
    }
    t->dest = opt.dest;
    ex_nict_start(&t->t, opt.t1, now);
    send_to(&t->dest, t->msg, t->len);
    ex_ladder_msg(c->no, true, t->msg, t->len, NULL, NULL);
    c->cancel_sent = true;
    c->st = U_ENDING;
    /* RFC 3261 9.1: give up on the 487 after 64*T1 */
    c->b_deadline = now + 64u * (prack_time_t)opt.t1;
    c->c_deadline = PRACK_TIME_NONE;
}

/* ------------------------------------------------------------------------- */
/* Engine actions */

static void run_actions(struct call *c, struct dialog *d, const prack_actions_t *acts,
                        prack_time_t now)
{
    for (size_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        switch (a->type) {
        case PRACK_ACT_SEND_PRACK:
            if (d) {
                if (!(a->flags & PRACK_AF_AUTH))
                    stats.rel1xx++;
                send_prack(c, d, a, now);
            }
            break;
        case PRACK_ACT_DISCARD:
            ex_note(c->no, "%u RSeq %u not PRACKed: %s", a->status, a->rseq,
                    a->reason == PRACK_R_RETRANSMISSION ? "retransmission (already PRACKed)"
                    : a->reason == PRACK_R_OUT_OF_ORDER ? "out of order (RSeq gap)"
                    : a->reason == PRACK_R_WRONG_CSEQ   ? "CSeq of another INVITE"
                                                        : prack_reason_name(a->reason));
            break;
        case PRACK_ACT_CACHE_1XX: ex_note(c->no, "RSeq %u kept until the gap fills", a->rseq); break;
        case PRACK_ACT_DROP_CACHED: ex_note(c->no, "cached RSeq %u dropped", a->rseq); break;
        case PRACK_ACT_DELIVER_1XX:
        case PRACK_ACT_DELIVER_FINAL: break;
        case PRACK_ACT_RETRY_INVITE:
            /* only a suggestion (never made under --100rel off): followed with --retry */
            c->retry_pending = opt.retry;
            c->retry_option = (prack_option_t)a->option;
            ex_note(c->no, "the engine suggests a new INVITE with %s%s",
                    a->option == PRACK_OPTION_REQUIRE     ? "Require: 100rel"
                    : a->option == PRACK_OPTION_SUPPORTED ? "Supported: 100rel"
                                                          : "no 100rel option tag",
                    opt.retry ? "" : "; not retrying (no --retry)");
            break;
        case PRACK_ACT_TERMINATE:
            if (c->bye_sent || c->st == U_DONE) {
                /* a late PRACK (e.g. out of order behind our BYE): nothing left to end */
                ex_note(c->no, "a PRACK failed after the call was hung up; nothing to end");
                break;
            }
            ex_note(c->no, "ending the call: a PRACK failed and --on-prack-failure is terminate");
            c->terminate = true;
            break;
        case PRACK_ACT_EVENT:
            switch (a->reason) {
            case PRACK_R_SESSION: ex_note(c->no, "offer/answer complete: media may start"); break;
            case PRACK_R_PRACK_FAILED:
                ex_note(c->no, "PRACK for RSeq %u failed with %u", a->rseq, a->status);
                break;
            case PRACK_R_ANSWER_MISSING:
                ex_note(c->no, "%u without the SDP answer it owed", a->status);
                break;
            case PRACK_R_PRACK_OK: break;
            default: ex_note(c->no, "event %s", prack_reason_name(a->reason)); break;
            }
            break;
        default: {
            char txt[128];
            prack_action_format(txt, sizeof(txt), a);
            ex_note(c->no, "unexpected action %s", txt);
            break;
        }
        }
    }
}

/* After the actions of a response: end the call if the engine asked to. */
static void apply_terminate(struct call *c, prack_time_t now)
{
    if (!c->terminate || c->st == U_DONE)
        return;
    if (c->st == U_CALLING || c->st == U_PROCEEDING)
        send_cancel(c, now);
    else if (c->st == U_ACCEPTED && c->confirmed >= 0 && !c->bye_sent)
        send_bye(c, (unsigned)c->confirmed, now, "PRACK failed");
}

static void on_invite_provisional(struct call *c, const sip_msg_t *m, const char *raw,
                                  size_t rawlen, prack_time_t now)
{
    struct dialog *d = NULL;
    if (m->to_tag.n && m->status > 100 && c->st != U_DONE)
        d = get_dialog(c, m, c->st == U_CALLING || c->st == U_PROCEEDING);
    if (d) {
        /* a 1xx may refresh the remote target (RFC 6141) */
        sip_str_t contact = sip_contact_uri(m);
        if (contact.n)
            set_target(d, contact);
    }
    if (c->st == U_CALLING) {
        c->st = U_PROCEEDING;
        c->a_next = PRACK_TIME_NONE; /* RFC 3261 17.1.1.2: Proceeding, no retransmissions */
        c->b_deadline = PRACK_TIME_NONE;
    }
    if (c->st == U_PROCEEDING)
        c->c_deadline = now + UAC_RING_LIMIT_MS;

    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&c->eng, d ? &d->eng : NULL, now, &r, &acts);

    /* name the SDP for the ladder from what the engine made of the 1xx */
    const char *role = "SDP";
    bool accepted = false;
    int offer_fork = -1; /* the 1xx carries an offer: 0 on our dialog, 1 on another fork's */
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++) {
        if (acts.v[i].type == PRACK_ACT_SEND_PRACK && !(acts.v[i].flags & PRACK_AF_CACHED)) {
            accepted = true;
            if (acts.v[i].sdp == PRACK_SDP_ANSWER) {
                role = "SDP offer";
                offer_fork = (acts.v[i].flags & PRACK_AF_OTHER_FORK) ? 1 : 0;
            } else if ((r.flags & PRACK_RSP_SDP) && d && !d->got_sdp) {
                role = "SDP answer";
            }
        }
    }
    bool reliable = (r.flags & PRACK_RSP_REQUIRE_100REL) && (r.flags & PRACK_RSP_RSEQ);
    if (!reliable && (r.flags & PRACK_RSP_SDP))
        role = opt.sdp ? "SDP answer preview" : "SDP offer preview";
    char fk[16];
    ex_ladder_msg(c->no, false, raw, rawlen, role, fork_note(c, d, fk, sizeof(fk)));
    if (rc != PRACK_OK) {
        ex_warn("prack_on_response: %s", prack_strerror(rc));
        return;
    }
    if (offer_fork >= 0)
        uac_answer_offer(c, offer_fork == 1, m->body); /* R50: the PRACK below carries it */
    else if (d && accepted && (r.flags & PRACK_RSP_SDP) && !d->got_sdp && opt.sdp)
        uac_check_answer(c, m->body);
    if (d && accepted && (r.flags & PRACK_RSP_SDP))
        d->got_sdp = true;
    run_actions(c, d, &acts, now);
    apply_terminate(c, now);
}

static void on_invite_2xx(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                          prack_time_t now)
{
    struct dialog *d = get_dialog(c, m, false);
    if (d && d->confirmed) {
        /* RFC 3261 13.2.2.4: a retransmitted 2xx gets the same ACK */
        ex_ladder_msg(c->no, false, raw, rawlen, "SDP", "retransmission");
        if (d->ack_len) {
            send_to(&d->ack_dest, d->ack, d->ack_len);
            ex_ladder_msg(c->no, true, d->ack, d->ack_len, NULL, "retransmission");
        }
        return;
    }
    if (!d)
        d = get_dialog(c, m, true);
    const char *role = "SDP";
    bool check = sip_has_sdp(m) && d && !d->got_sdp && opt.sdp;
    if (sip_has_sdp(m) && d && !d->got_sdp)
        role = opt.sdp ? "SDP answer" : "SDP offer";
    char fk[16];
    ex_ladder_msg(c->no, false, raw, rawlen, role, fork_note(c, d, fk, sizeof(fk)));
    if (check)
        uac_check_answer(c, m->body);
    if (!d)
        return;
    /* the 2xx fixes the route set and the remote target (RFC 3261 12.1.2) */
    set_route(d, m);
    sip_str_t contact = sip_contact_uri(m);
    if (contact.n)
        set_target(d, contact);
    c->a_next = c->b_deadline = c->c_deadline = PRACK_TIME_NONE;

    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    if (prack_on_response(&c->eng, &d->eng, now, &r, &acts) == PRACK_OK)
        run_actions(c, d, &acts, now);
    if (sip_has_sdp(m))
        d->got_sdp = true;
    d->confirmed = true;
    send_ack_2xx(c, d, m, now);

    unsigned di = d->idx;
    if (c->confirmed >= 0 || c->st == U_DONE) {
        /* RFC 3261 13.2.2.4: a second fork answered too; end that dialog */
        send_bye(c, di, now, "second 2xx");
        return;
    }
    c->confirmed = (int)di;
    c->final_status = (uint16_t)m->status;
    c->st = U_ACCEPTED;
    ex_note(c->no, "call established%s", opt.hold || opt.reinvite_after >= 0 ? "" : "; hanging up");
    if (c->terminate || c->cancel_sent) {
        send_bye(c, di, now, c->terminate ? "PRACK failed" : "cancelled");
    } else {
        c->bye_at = now + opt.hold;
        if (opt.reinvite_after >= 0)
            c->re.at = now + (prack_time_t)opt.reinvite_after;
    }
}

static void on_invite_final(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                            prack_time_t now)
{
    if (c->nack_len && strcmp(c->nack_branch, c->branch) == 0 &&
        (c->st == U_DONE || c->final_status >= 300)) {
        /* a retransmitted final: the same ACK again */
        ex_ladder_msg(c->no, false, raw, rawlen, NULL, "retransmission");
        send_to(&opt.dest, c->nack, c->nack_len);
        ex_ladder_msg(c->no, true, c->nack, c->nack_len, NULL, "retransmission");
        return;
    }
    ex_ladder_msg(c->no, false, raw, rawlen, NULL, NULL);
    c->a_next = c->b_deadline = c->c_deadline = PRACK_TIME_NONE;
    c->final_status = (uint16_t)m->status;
    send_ack_non2xx(c, m);

    struct dialog *d = m->to_tag.n ? get_dialog(c, m, false) : NULL;
    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    if (prack_on_response(&c->eng, d ? &d->eng : NULL, now, &r, &acts) == PRACK_OK)
        run_actions(c, d, &acts, now);
    if (c->st == U_DONE)
        return;

    if ((m->status == 401 || m->status == 407) && !c->cancel_sent) {
        remember_challenge(c, m);
        if (c->have_chal && opt.user[0] && c->invite_auth_tries < 2) {
            c->invite_auth_tries++;
            c->cseq++; /* RFC 3261 22.2: same Call-ID and tags, CSeq one higher */
            ex_note(c->no, "answering the challenge");
            send_invite(c, now, true);
            return;
        }
    }
    if (c->retry_pending && !c->retried_option && !c->cancel_sent) {
        /* RFC 3261 8.1.3.5 / 21.4.16: try again with the option the engine names */
        c->retried_option = true;
        c->policy = c->retry_option == PRACK_OPTION_REQUIRE     ? PRACK_POLICY_REQUIRED
                    : c->retry_option == PRACK_OPTION_SUPPORTED ? PRACK_POLICY_SUPPORTED
                                                                : PRACK_POLICY_OFF;
        c->cseq++;
        ex_note(c->no, "retrying with 100rel %s", ex_policy_name(c->policy));
        send_invite(c, now, c->have_chal);
        return;
    }
    end_call(c, false, now);
}

/* The actions of the initial INVITE's engine, or (re) of the re-INVITE's. */
static void run_txn_actions(struct call *c, struct dialog *d, bool re, const prack_actions_t *acts,
                            prack_time_t now)
{
    c->re.running = re;
    run_actions(c, d, acts, now);
    c->re.running = false;
}

/* ------------------------------------------------------------------------- */
/* The re-INVITE (--reinvite-after) */

/* The engine settings of an INVITE transaction of this call. */
static void invite_config(const struct call *c, prack_config_t *cfg)
{
    prack_config_init(cfg);
    cfg->t1_ms = opt.t1;
    cfg->policy = (uint8_t)c->policy;
    cfg->on_prack_failure = (uint8_t)opt.on_failure;
}

/*
 * RFC 3261 14.1: a re-INVITE in the confirmed dialog, the dialog's next CSeq,
 * Call-ID, tags, route set and remote target, our Contact, an SDP offer (with
 * --sdp yes) and the option tag header of the initial INVITE's policy (R33:
 * every INVITE says it supports 100rel).
 */
static void send_reinvite(struct call *c, prack_time_t now)
{
    struct reinvite *re = &c->re;
    struct dialog *d = c->dlg[c->confirmed];
    prack_config_t cfg;
    invite_config(c, &cfg);
    re->done = true; /* unless it goes out */
    if (!next_cseq(c, d, &re->cseq))
        return;
    int rc = prack_uac_init(&re->eng, &cfg, re->cseq, opt.sdp ? PRACK_UAC_INVITE_SDP : 0u, now);
    if (rc != PRACK_OK) {
        ex_warn("prack_uac_init: %s", prack_strerror(rc));
        return;
    }
    prack_uac_dialog_init(&re->dlg);
    ex_branch(re->branch);

    char hp[80], sdp[SDP_BODY_MAX], buf[EX_MSG_MAX];
    local_hostport(c, hp, sizeof(hp));
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_request(&b, c, d, "INVITE", re->cseq, re->branch);
    sb_printf(&b, "Contact: <sip:prack-uac@%s>\r\n", hp);
    switch (prack_uac_option(&re->eng)) {
    case PRACK_OPTION_SUPPORTED: sb_printf(&b, "Supported: 100rel\r\n"); break;
    case PRACK_OPTION_REQUIRE: sb_printf(&b, "Require: 100rel\r\n"); break;
    case PRACK_OPTION_NONE: break;
    }
    sb_printf(&b, "Allow: %s\r\n", UAC_ALLOW);
    sb_printf(&b, "User-Agent: prack-uac (libprack %s)\r\n", prack_version());
    /* a new offer from --codecs, as the INVITE's (RFC 3264 8) */
    if (opt.sdp && c->sdp && sdp_make_offer(c->sdp, &opt.caps) != SDP_OK)
        ex_warn("our SDP offer does not fit");
    size_t n = opt.sdp ? our_sdp(c, sdp, sizeof(sdp)) : 0;
    sb_finish(&b, "application/sdp", sdp, n);
    if (b.overflow || !dialog_dest(c, d, &re->dest) || !ex_keep(&re->msg, &re->len, buf, b.len)) {
        ex_warn("cannot build or route the re-INVITE of call %u", c->no);
        return;
    }
    send_to(&re->dest, re->msg, re->len);
    ex_ladder_msg(c->no, true, re->msg, re->len, "SDP offer", "re-INVITE");
    stats.reinvites++;
    re->on = true;
    re->done = false;
    re->got_sdp = false;
    re->final_status = 0;
    /* RFC 3261 17.1.1.2: Timers A and B, as for the initial INVITE */
    re->a_interval = opt.t1;
    re->a_next = now + opt.t1;
    re->b_deadline = now + 64u * (prack_time_t)opt.t1;
}

/* The re-INVITE's transaction is over: the BYE that --hold held back goes now. */
static void reinvite_over(struct call *c, prack_time_t now)
{
    struct reinvite *re = &c->re;
    re->on = false;
    re->done = true;
    re->a_next = re->b_deadline = PRACK_TIME_NONE;
    stats.reinvite_final = re->final_status;
    if (re->bye_after && c->st == U_ACCEPTED && c->confirmed >= 0 && !c->bye_sent) {
        re->bye_after = false;
        send_bye(c, (unsigned)c->confirmed, now, NULL);
    }
}

/* The ACK of the re-INVITE's final: for a 2xx a transaction of its own (new
 * branch), for a non-2xx the INVITE's (its branch, RFC 3261 17.1.1.3); both
 * with the dialog's route. `answer`: it carries the SDP answer to an offer
 * in the 2xx (the re-INVITE had none). */
static void send_reinvite_ack(struct call *c, struct dialog *d, bool ok, bool answer)
{
    struct reinvite *re = &c->re;
    char branch[32], sdp[SDP_BODY_MAX], buf[EX_MSG_MAX];
    if (ok)
        ex_branch(branch);
    else
        memcpy(branch, re->branch, sizeof(branch));
    sip_buf_t b;
    sb_init(&b, buf, sizeof(buf));
    start_request(&b, c, d, "ACK", re->cseq, branch);
    size_t n = answer ? our_sdp(c, sdp, sizeof(sdp)) : 0;
    sb_finish(&b, "application/sdp", sdp, n);
    if (b.overflow || !ex_keep(&re->ack, &re->ack_len, buf, b.len))
        return;
    send_to(&re->dest, re->ack, re->ack_len);
    ex_ladder_msg(c->no, true, re->ack, re->ack_len, answer ? "SDP answer" : NULL, "re-INVITE");
}

/* A response to the re-INVITE (RFC 3261 14.1). */
static void on_reinvite_response(struct call *c, const sip_msg_t *m, const char *raw, size_t rawlen,
                                 prack_time_t now)
{
    struct reinvite *re = &c->re;
    struct dialog *d = c->confirmed >= 0 ? c->dlg[c->confirmed] : NULL;
    if (!d || !sip_str_eq_exact(m->to_tag, d->to_tag)) {
        ex_ladder_msg(c->no, false, raw, rawlen, NULL, "re-INVITE, another dialog: ignored");
        return;
    }
    if (!re->on) {
        /* a retransmitted final: the same ACK again (RFC 3261 13.2.2.4, 17.1.1.2) */
        ex_ladder_msg(c->no, false, raw, rawlen, "SDP", "re-INVITE, retransmission");
        if (m->status >= 200 && re->ack_len && c->st != U_DONE) {
            send_to(&re->dest, re->ack, re->ack_len);
            ex_ladder_msg(c->no, true, re->ack, re->ack_len, NULL, "re-INVITE, retransmission");
        }
        return;
    }
    re->a_next = PRACK_TIME_NONE; /* Proceeding or Completed: no retransmission */
    if (m->status < 200)
        re->b_deadline = PRACK_TIME_NONE;
    prack_response_t r;
    ex_response_facts(m, &r);
    prack_actions_t acts;
    int rc = prack_on_response(&re->eng, &re->dlg, now, &r, &acts);

    /* the ladder names the SDP from what the engine made of the response */
    const char *role = "SDP";
    bool ack_answer = false;
    enum { BODY_OTHER, BODY_OFFER, BODY_ANSWER } body = BODY_OTHER;
    for (size_t i = 0; rc == PRACK_OK && i < acts.n; i++) {
        const prack_action_t *a = &acts.v[i];
        if (!(r.flags & PRACK_RSP_SDP))
            break;
        if (a->type == PRACK_ACT_SEND_PRACK && !(a->flags & PRACK_AF_CACHED)) {
            /* R50: an offer in the 1xx is answered in the PRACK */
            if (a->sdp == PRACK_SDP_ANSWER)
                body = BODY_OFFER;
            else if (body == BODY_OTHER && !re->got_sdp)
                body = BODY_ANSWER;
            role = body == BODY_OFFER ? "SDP offer" : "SDP answer";
        }
        if (a->type == PRACK_ACT_DELIVER_FINAL && m->status < 300) {
            role = a->sdp == PRACK_SDP_OFFER    ? "SDP offer"
                   : a->sdp == PRACK_SDP_ANSWER ? "SDP answer"
                                                : "SDP repeated";
            ack_answer = a->sdp == PRACK_SDP_OFFER;
            body = ack_answer ? BODY_OFFER : a->sdp == PRACK_SDP_ANSWER ? BODY_ANSWER : body;
        }
    }
    bool reliable = (r.flags & PRACK_RSP_REQUIRE_100REL) && (r.flags & PRACK_RSP_RSEQ);
    if (m->status < 200 && !reliable && (r.flags & PRACK_RSP_SDP))
        role = opt.sdp ? "SDP answer preview" : "SDP offer preview";
    ex_ladder_msg(c->no, false, raw, rawlen, role, "re-INVITE");
    if (rc != PRACK_OK) {
        ex_warn("prack_on_response (re-INVITE): %s", prack_strerror(rc));
        return;
    }
    /* the SDP of the response, through the offer/answer every body gets */
    if (body == BODY_OFFER)
        uac_answer_offer(c, false, m->body); /* the PRACK or the ACK carries the answer */
    else if (body == BODY_ANSWER && opt.sdp)
        uac_check_answer(c, m->body);
    if (body != BODY_OTHER)
        re->got_sdp = true;
    if (m->status >= 200) {
        re->final_status = (uint16_t)m->status;
        if (m->status < 300) {
            /* RFC 3261 12.2.1.2: a 2xx to a re-INVITE refreshes the remote target */
            sip_str_t contact = sip_contact_uri(m);
            if (contact.n)
                set_target(d, contact);
        }
        send_reinvite_ack(c, d, m->status < 300, ack_answer);
    }
    run_txn_actions(c, d, true, &acts, now);
    apply_terminate(c, now);
    if (m->status < 200)
        return;
    if (m->status == 491)
        ex_note(c->no, "re-INVITE met one from the other side (491, RFC 3261 14.1): the call "
                       "goes on without it");
    else if (m->status == 481 || m->status == 408)
        ex_note(c->no, "re-INVITE got %u: the dialog is gone (RFC 3261 12.2.1.2)", m->status);
    else if (m->status >= 300)
        ex_note(c->no, "re-INVITE rejected with %u: the call goes on (RFC 3261 14.1)", m->status);
    else
        ex_note(c->no, "re-INVITE accepted");
    if ((m->status == 481 || m->status == 408) && !c->bye_sent && c->st == U_ACCEPTED)
        re->bye_after = true;
    reinvite_over(c, now);
}

static void on_txn_response(struct call *c, struct txn *t, const sip_msg_t *m, const char *raw,
                            size_t rawlen, prack_time_t now)
{
    struct dialog *d = c->dlg[t->dlg];
    char fk[16];
    ex_ladder_msg(c->no, false, raw, rawlen, NULL,
                  t->kind == T_PRACK ? fork_note(c, d, fk, sizeof(fk)) : NULL);
    if (m->status < 200) {
        t->t.proceeding = true;
        return;
    }
    txn_done(t);
    switch (t->kind) {
    case T_PRACK: {
        if (m->status == 401 || m->status == 407)
            remember_challenge(c, m);
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = (uint16_t)m->status;
        r.method = PRACK_METHOD_PRACK;
        r.cseq = m->cseq;
        r.rseq = t->rseq;
        if (sip_has_sdp(m))
            r.flags |= PRACK_RSP_SDP;
        prack_actions_t acts;
        /* the PRACK's INVITE transaction: the initial INVITE's or the re-INVITE's */
        int rc = prack_on_response(t->re ? &c->re.eng : &c->eng, t->re ? &c->re.dlg : &d->eng,
                                   now, &r, &acts);
        if (rc == PRACK_OK)
            run_txn_actions(c, d, t->re, &acts, now);
        else
            ex_warn("prack_on_response (PRACK): %s", prack_strerror(rc));
        apply_terminate(c, now);
        break;
    }
    case T_BYE:
        if ((m->status == 401 || m->status == 407) && !t->auth_done) {
            char auth[1200];
            ex_addr_t dest = t->dest; /* t's slot may be taken by the new BYE */
            remember_challenge(c, m);
            if (credentials(c, "BYE", d->target, auth, sizeof(auth))) {
                struct txn *n = new_txn(c, T_BYE, t->dlg);
                char buf[EX_MSG_MAX];
                if (n && !next_cseq(c, d, &n->cseq)) {
                    txn_done(n);
                    n = NULL;
                }
                if (n) {
                    sip_buf_t b;
                    n->auth_done = true;
                    sb_init(&b, buf, sizeof(buf));
                    start_request(&b, c, d, "BYE", n->cseq, n->branch);
                    sb_printf(&b, "%s", auth);
                    sb_finish(&b, NULL, NULL, 0);
                    n->dest = dest;
                    if (b.overflow || !txn_keep(n, buf, b.len))
                        return;
                    ex_nict_start(&n->t, opt.t1, now);
                    send_to(&n->dest, n->msg, n->len);
                    ex_ladder_msg(c->no, true, n->msg, n->len, NULL, NULL);
                    return;
                }
            }
        }
        if ((int)t->dlg != c->confirmed)
            break; /* the BYE of a second fork */
        end_call(c, m->status < 300 && !c->terminate && !c->cancel_sent, now);
        break;
    case T_CANCEL:
        break; /* the 487 to the INVITE follows */
    }
}

static void on_response(const sip_msg_t *m, const char *raw, size_t rawlen, prack_time_t now)
{
    struct call *c = find_call(m);
    if (!c || !sip_str_eq_exact(m->from_tag, c->from_tag)) {
        ex_ladder_msg(0, false, raw, rawlen, NULL, "stray response: ignored");
        return;
    }
    if (sip_str_eq_exact(m->cseq_method, "INVITE")) {
        if (c->re.cseq && m->cseq == c->re.cseq && sip_str_eq_exact(m->branch, c->re.branch)) {
            on_reinvite_response(c, m, raw, rawlen, now);
            return;
        }
        if (!sip_str_eq_exact(m->branch, c->branch) || m->cseq != c->cseq) {
            if (m->status >= 300 && c->nack_len && sip_str_eq_exact(m->branch, c->nack_branch)) {
                ex_ladder_msg(c->no, false, raw, rawlen, NULL, "retransmission");
                send_to(&opt.dest, c->nack, c->nack_len);
                ex_ladder_msg(c->no, true, c->nack, c->nack_len, NULL, "retransmission");
            } else {
                ex_ladder_msg(c->no, false, raw, rawlen, NULL, "earlier INVITE: ignored");
            }
            return;
        }
        if (m->status < 200)
            on_invite_provisional(c, m, raw, rawlen, now);
        else if (m->status < 300)
            on_invite_2xx(c, m, raw, rawlen, now);
        else
            on_invite_final(c, m, raw, rawlen, now);
        return;
    }
    ex_key_t k;
    ex_hnode_t *n = ex_ctx_key(&k, m->branch, m->cseq_method) ? ex_htab_find(&host.ctx, &k, NULL)
                                                              : NULL;
    struct txn *t = n ? EX_OWNER(n, struct txn, node) : NULL;
    if (t && t->used && t->call == c && m->cseq == t->cseq) {
        on_txn_response(c, t, m, raw, rawlen, now);
        return;
    }
    ex_ladder_msg(c->no, false, raw, rawlen, NULL, "no transaction: ignored");
}

/* ------------------------------------------------------------------------- */
/* Requests from the far end */

static void respond(const sip_msg_t *req, const ex_addr_t *src, unsigned status,
                    const char *extra, unsigned no)
{
    ex_host_respond(&host, req, src, status, NULL, NULL, extra, no, NULL);
}

static void on_request(const sip_msg_t *m, const ex_addr_t *src, const char *raw, size_t rawlen,
                       prack_time_t now)
{
    struct call *c = find_call(m);
    struct dialog *d = NULL;
    /* requests from the UAS carry our tag in To and its tag in From */
    if (c && sip_str_eq_exact(m->to_tag, c->from_tag)) {
        for (unsigned i = 0; i < c->ndlg; i++)
            if (sip_str_eq_exact(m->from_tag, c->dlg[i]->to_tag))
                d = c->dlg[i];
    }
    unsigned no = c ? c->no : 0;
    ex_ladder_msg(no, false, raw, rawlen, NULL, NULL);
    if (sip_str_eq_exact(m->method, "ACK"))
        return;
    if (sip_str_eq_exact(m->method, "OPTIONS")) {
        respond(m, src, 200, "Allow: " UAC_ALLOW "\r\nAccept: application/sdp\r\n", no);
        return;
    }
    if (m->to_tag.n && !d) {
        respond(m, src, 481, NULL, no);
        return;
    }
    if (sip_str_eq_exact(m->method, "INVITE") && d && c->re.on) {
        /* RFC 3261 14.2: an INVITE while ours is in progress on the dialog */
        respond(m, src, 491, NULL, no);
        return;
    }
    if (sip_str_eq_exact(m->method, "BYE") && d) {
        respond(m, src, 200, NULL, no);
        if (c->confirmed == (int)d->idx && c->st != U_DONE)
            end_call(c, !c->terminate && !c->cancel_sent && c->final_status < 300, now);
        return;
    }
    if (sip_str_eq_exact(m->method, "CANCEL")) {
        respond(m, src, 481, NULL, no);
        return;
    }
    respond(m, src, 405, "Allow: ACK, BYE, CANCEL, OPTIONS, PRACK\r\n", no);
}

static struct call *find_call(const sip_msg_t *m);
static void call_reschedule(struct call *c);

static void on_datagram(char *buf, size_t len, const ex_addr_t *src, prack_time_t now)
{
    static sip_msg_t m;
    static char raw[SIP_MAX_DGRAM + 1];
    if (!ex_host_read(&host, buf, len, src, &m, raw))
        return;
    if (m.request)
        on_request(&m, src, raw, len, now);
    else
        on_response(&m, raw, len, now);
    struct call *c = find_call(&m);
    if (c)
        call_reschedule(c); /* what the message changed may move its deadline */
}

/* ------------------------------------------------------------------------- */
/* Calls and timers */

static void free_call(struct call *c)
{
    if (c->st == U_DONE)
        ex_list_unlink(&lingering, &c->link);
    else
        nactive--;
    ex_timer_stop(&host.timers, &c->timer);
    ex_htab_del(&by_cid, &c->cid_node);
    for (size_t i = 0; i < UAC_MAX_TXNS; i++)
        txn_done(&c->txn[i]);
    for (size_t i = 0; i < UAC_MAX_DIALOGS; i++) {
        if (c->dlg[i]) {
            free_dialog(c->dlg[i]);
            free(c->dlg[i]);
        }
    }
    free(c->invite);
    free(c->nack);
    free(c->chal);
    free(c->re.msg);
    free(c->re.ack);
    free(c->sdp);
    free(c);
    ncalls--;
}

static void call_timer(ex_timer_t *t, prack_time_t now);

/* A new call, or NULL while --max-calls calls are in progress and none is
 * only lingering (the oldest lingering one makes room). */
static struct call *new_call(void)
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
    ncalls++;
    nactive++;
    return c;
}

static bool start_call(prack_time_t now)
{
    struct call *c = new_call();
    if (!c)
        return false;
    c->no = ++stats.started;
    ex_local_for(host.sock, &opt.bind, &opt.dest, &c->local);
    char host_part[64], rnd[24];
    ex_addr_host(&c->local, host_part, sizeof(host_part), true);
    ex_random_hex(rnd, 20);
    snprintf(c->call_id, sizeof(c->call_id), "%s@%s", rnd, host_part);
    ex_key_t k;
    ex_key_init(&k);
    ex_key_addc(&k, c->call_id);
    if (!ex_htab_add(&by_cid, &c->cid_node, &k)) {
        free_call(c);
        return false;
    }
    ex_random_hex(c->from_tag, 16);
    c->sdp = malloc(sizeof(*c->sdp));
    if (!c->sdp) {
        free_call(c);
        return false;
    }
    ex_addr_host(&c->local, host_part, sizeof(host_part), false);
    sdp_local_init(c->sdp, "prack-uac", ex_random32(), host_part, ex_addr_is_v6(&c->local),
                   EX_RTP_PORT);
    c->cseq = 1;
    c->policy = opt.policy;
    c->a_next = c->b_deadline = c->c_deadline = PRACK_TIME_NONE;
    c->bye_at = c->linger_until = PRACK_TIME_NONE;
    c->re.at = c->re.a_next = c->re.b_deadline = PRACK_TIME_NONE;
    send_invite(c, now, false);
    call_reschedule(c);
    return true;
}

static prack_time_t call_deadline(const struct call *c)
{
    prack_time_t d = ex_min(c->a_next, c->b_deadline);
    d = ex_min(d, c->c_deadline);
    d = ex_min(d, c->bye_at);
    d = ex_min(d, c->linger_until);
    if (c->st != U_DONE) {
        d = ex_min(d, c->re.at);
        d = ex_min(d, c->re.a_next);
        d = ex_min(d, c->re.b_deadline);
    }
    for (size_t i = 0; i < UAC_MAX_TXNS; i++)
        if (c->txn[i].used)
            d = ex_min(d, c->txn[i].send_at != PRACK_TIME_NONE ? c->txn[i].send_at
                                                               : ex_nict_deadline(&c->txn[i].t));
    return d;
}

static void call_reschedule(struct call *c)
{
    ex_timer_set(&host.timers, &c->timer, call_deadline(c));
}

/* Everything due on a call; false when the call was freed. */
static bool call_timers(struct call *c, prack_time_t now)
{
    if (c->a_next <= now && c->st == U_CALLING) {
        /* Timer A: the INVITE again, the interval doubling */
        send_to(&opt.dest, c->invite, c->invite_len);
        ex_ladder_msg(c->no, true, c->invite, c->invite_len, "SDP offer", "retransmission");
        c->a_interval *= 2u;
        c->a_next += c->a_interval; /* from the schedule, so wake-up delays do not add up */
        if (c->a_next <= now)
            c->a_next = now + c->a_interval;
    }
    if (c->b_deadline <= now) {
        /* Timer B (or no 487 after our CANCEL) */
        c->a_next = c->b_deadline = PRACK_TIME_NONE;
        ex_note(c->no, "no final response within 64*T1");
        if (!c->final_status)
            c->final_status = 408;
        end_call(c, false, now);
    }
    if (c->c_deadline <= now) {
        c->c_deadline = PRACK_TIME_NONE;
        ex_note(c->no, "still ringing after %u s: cancelling", UAC_RING_LIMIT_MS / 1000u);
        c->terminate = true;
        send_cancel(c, now);
    }
    if (c->re.at <= now) {
        /* a PRACK held back by --prack-delay has its CSeq already: the
         * re-INVITE, with the next one, must not overtake it (RFC 3261 12.2.2) */
        prack_time_t held = PRACK_TIME_NONE;
        for (size_t i = 0; i < UAC_MAX_TXNS; i++)
            if (c->txn[i].used && c->txn[i].send_at != PRACK_TIME_NONE)
                held = c->txn[i].send_at;
        c->re.at = held;
        if (held == PRACK_TIME_NONE && c->st == U_ACCEPTED && c->confirmed >= 0 && !c->bye_sent)
            send_reinvite(c, now);
    }
    if (c->re.a_next <= now && c->re.on && c->st != U_DONE) {
        /* Timer A of the re-INVITE */
        send_to(&c->re.dest, c->re.msg, c->re.len);
        ex_ladder_msg(c->no, true, c->re.msg, c->re.len, "SDP offer", "re-INVITE, retransmission");
        c->re.a_interval *= 2u;
        c->re.a_next += c->re.a_interval;
        if (c->re.a_next <= now)
            c->re.a_next = now + c->re.a_interval;
    }
    if (c->re.b_deadline <= now && c->re.on && c->st != U_DONE) {
        /* Timer B: RFC 3261 12.2.1.2 takes a timeout like a 408, the dialog is gone */
        ex_note(c->no, "no final response to the re-INVITE within 64*T1: ending the call");
        c->re.final_status = 408;
        c->re.bye_after = !c->bye_sent && c->st == U_ACCEPTED;
        reinvite_over(c, now);
    }
    if (c->bye_at <= now) {
        c->bye_at = PRACK_TIME_NONE;
        if (c->st == U_ACCEPTED && c->confirmed >= 0 && opt.reinvite_after >= 0 && !c->re.done) {
            /* the re-INVITE is still to come or pending: the BYE follows its final */
            c->re.bye_after = true;
        } else if (c->st == U_ACCEPTED && c->confirmed >= 0) {
            send_bye(c, (unsigned)c->confirmed, now, NULL);
        }
    }
    for (size_t i = 0; i < UAC_MAX_TXNS; i++) {
        struct txn *t = &c->txn[i];
        if (!t->used)
            continue;
        if (t->send_at != PRACK_TIME_NONE) {
            if (t->send_at <= now)
                send_prack_now(c, t, now);
            continue;
        }
        int r = ex_nict_tick(&t->t, now);
        if (r > 0) {
            /* Timer E: retransmit (PRACK, BYE, CANCEL) */
            send_to(&t->dest, t->msg, t->len);
            ex_ladder_msg(c->no, true, t->msg, t->len, "SDP", "retransmission");
        } else if (r < 0) {
            /* Timer F: the request timed out */
            txn_done(t);
            ex_note(c->no, "%s timed out (Timer F)",
                    t->kind == T_PRACK ? "PRACK" : t->kind == T_BYE ? "BYE" : "CANCEL");
            if (t->kind == T_PRACK) {
                prack_response_t r408;
                memset(&r408, 0, sizeof(r408));
                r408.status = 408; /* the engine takes a transaction timeout as 408 */
                r408.method = PRACK_METHOD_PRACK;
                r408.cseq = t->cseq;
                r408.rseq = t->rseq;
                prack_actions_t acts;
                struct dialog *d = c->dlg[t->dlg];
                if (prack_on_response(t->re ? &c->re.eng : &c->eng, t->re ? &c->re.dlg : &d->eng,
                                      now, &r408, &acts) == PRACK_OK)
                    run_txn_actions(c, d, t->re, &acts, now);
                apply_terminate(c, now);
            } else if (t->kind == T_BYE && (int)t->dlg == c->confirmed) {
                end_call(c, false, now);
            }
        }
    }
    if (c->linger_until <= now && c->st == U_DONE) {
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
            "usage: prack-uac [options] sip:user@host[:port]\n"
            "A SIP UAC over UDP that PRACKs reliable provisional responses (RFC 3262).\n"
            "\n"
            "  --bind HOST:PORT        local address (default: loopback or any, ephemeral port)\n"
            "  --100rel MODE           off | supported | required (default supported)\n"
            "  --sdp yes|no            offer in the INVITE, or answer the 1xx offer in the PRACK\n"
            "  --codecs LIST           formats to offer and answer with, in order of\n"
            "                          preference (default " SDP_CODECS_DEFAULT "; known:\n"
            "                          " SDP_CODECS_KNOWN ")\n"
            "  --hold MS               time in the call before BYE (default 0)\n"
            "  --user USER --password PASS   answer 401/407 challenges (INVITE, PRACK, BYE)\n"
            "  --on-prack-failure observe|terminate   (default observe)\n"
            "  --retry                 after a 420 or 421 about 100rel, send a new INVITE with\n"
            "                          the option tag the engine suggests (default: the call\n"
            "                          ends with the 420/421; never a retry with --100rel off)\n"
            "  --t1 MS                 T1 (default 500)\n"
            "  --calls N               number of calls (default 1)\n"
            "  --rate R                calls per second, concurrently (default: one after another)\n"
            "  --prack-delay MS        send each PRACK MS ms after its reliable 1xx (default 0),\n"
            "                          e.g. to see the UAS hold its 2xx until the PRACK\n"
            "  --reinvite-after MS     MS ms after the 2xx is acknowledged, send a re-INVITE in\n"
            "                          the dialog (offer and 100rel option tag as the INVITE's),\n"
            "                          PRACK its reliable 1xx, ACK its final; the call goes on\n"
            "                          whatever the final, and the BYE (--hold) waits for it\n"
            EX_USAGE_HOST
            EX_USAGE_COMMON
            "\n" EX_USAGE_LADDER
            "ARROW is 'UAC -> UAS' for what prack-uac sent, 'UAC <- UAS' for what it received.\n"
            "\n"
            "A call succeeds when its final is a 2xx and it was neither cancelled nor ended\n"
            "by a PRACK failure under --on-prack-failure terminate (a re-INVITE's final does\n"
            "not count; RESULT adds reinvites=N reinvite_final=STATUS with --reinvite-after,\n"
            "and a 481 or 408 to it ends the call with a BYE). A call is not started\n"
            "while --max-calls calls are in progress. Exit status: 0 when\n"
            "all --calls calls ended and succeeded; 1 when one failed or the socket could\n"
            "not be opened; 2 on a bad option.\n");
}

static bool is_loopback(const ex_addr_t *a)
{
    char h[64];
    ex_addr_host(a, h, sizeof(h), false);
    return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0;
}

static void parse_args(int argc, char **argv)
{
    const char *bind_text = NULL, *target = NULL;
    ex_common_opts_t common = {NULL, PRACK_DEFAULT_T1_MS, 1};
    opt.policy = PRACK_POLICY_SUPPORTED;
    opt.sdp = true;
    opt.on_failure = PRACK_FAILURE_OBSERVE;
    opt.max_calls = EX_MAX_CALLS_DEFAULT;
    opt.reinvite_after = -1;
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
        } else if ((v = ex_opt(argc, argv, &i, "--sdp")) != NULL) {
            if (strcmp(v, "yes") == 0)
                opt.sdp = true;
            else if (strcmp(v, "no") == 0)
                opt.sdp = false;
            else
                ex_usage_error(ex_prog, "--sdp: yes or no");
        } else if ((v = ex_opt(argc, argv, &i, "--codecs")) != NULL) {
            if (sdp_caps_parse(&opt.caps, v) != 0)
                ex_usage_error(ex_prog, "--codecs: a list of distinct names among %s",
                               SDP_CODECS_KNOWN);
        } else if ((v = ex_opt(argc, argv, &i, "--hold")) != NULL) {
            if (!ex_parse_uint(v, 0, 86400000, &n))
                ex_usage_error(ex_prog, "--hold: milliseconds");
            opt.hold = (uint32_t)n;
        } else if ((v = ex_opt(argc, argv, &i, "--user")) != NULL) {
            if (strlen(v) >= sizeof(opt.user))
                ex_usage_error(ex_prog, "--user: too long");
            strcpy(opt.user, v);
        } else if ((v = ex_opt(argc, argv, &i, "--password")) != NULL) {
            if (strlen(v) >= sizeof(opt.pass))
                ex_usage_error(ex_prog, "--password: too long");
            strcpy(opt.pass, v);
        } else if ((v = ex_opt(argc, argv, &i, "--on-prack-failure")) != NULL) {
            if (strcmp(v, "observe") == 0)
                opt.on_failure = PRACK_FAILURE_OBSERVE;
            else if (strcmp(v, "terminate") == 0)
                opt.on_failure = PRACK_FAILURE_TERMINATE;
            else
                ex_usage_error(ex_prog, "--on-prack-failure: observe or terminate");
        } else if ((v = ex_opt(argc, argv, &i, "--prack-delay")) != NULL) {
            if (!ex_parse_uint(v, 0, 60000, &n))
                ex_usage_error(ex_prog, "--prack-delay: 0..60000 ms");
            opt.prack_delay = (uint32_t)n;
        } else if ((v = ex_opt(argc, argv, &i, "--reinvite-after")) != NULL) {
            if (!ex_parse_uint(v, 0, 86400000, &n))
                ex_usage_error(ex_prog, "--reinvite-after: 0..86400000 ms");
            opt.reinvite_after = (long)n;
        } else if (strcmp(argv[i], "--retry") == 0) {
            opt.retry = true;
        } else if ((v = ex_opt(argc, argv, &i, "--rate")) != NULL) {
            char *end = NULL;
            opt.rate = strtod(v, &end);
            if (!end || *end || !(opt.rate > 0.0) || opt.rate > 10000.0)
                ex_usage_error(ex_prog, "--rate: calls per second, above 0");
        } else if (argv[i][0] == '-') {
            ex_usage_error(ex_prog, "unknown option '%s'", argv[i]);
        } else if (!target) {
            target = argv[i];
        } else {
            ex_usage_error(ex_prog, "one target URI only");
        }
    }
    bind_text = common.bind_text;
    opt.t1 = common.t1;
    opt.calls = common.calls;
    if (!target)
        ex_usage_error(ex_prog, "a target URI sip:user@host[:port] is required");
    if (strlen(target) >= sizeof(opt.target) || !sip_uri_parse(sip_str_c(target), &opt.target_uri))
        ex_usage_error(ex_prog, "'%s' is not a sip: URI", target);
    if (strncmp(target, "sip:", 4) != 0)
        ex_usage_error(ex_prog, "only sip: URIs over UDP are supported");
    strcpy(opt.target, target);
    sip_uri_parse(sip_str_c(opt.target), &opt.target_uri);
    if (bind_text && ex_addr_parse(bind_text, 0, &opt.bind) != 0)
        ex_usage_error(ex_prog, "--bind: cannot use '%s'", bind_text);
    /* a name resolves to the family of --bind when it can */
    if (ex_addr_resolve(opt.target_uri.host, opt.target_uri.port ? opt.target_uri.port : 5060u,
                        bind_text ? &opt.bind : NULL, &opt.dest) != 0)
        ex_usage_error(ex_prog, "cannot resolve '%.*s'", SIP_STR_ARG(opt.target_uri.host));
    if (!bind_text) {
        bind_text = ex_addr_is_v6(&opt.dest) ? (is_loopback(&opt.dest) ? "[::1]:0" : "[::]:0")
                                             : (is_loopback(&opt.dest) ? "127.0.0.1:0" : "0.0.0.0:0");
        if (ex_addr_parse(bind_text, 0, &opt.bind) != 0)
            ex_usage_error(ex_prog, "--bind: cannot use '%s'", bind_text);
    }
    if (opt.bind.ss.ss_family != opt.dest.ss.ss_family)
        ex_usage_error(ex_prog, "--bind and the target are not of the same IP version");
}

static bool any_active(void)
{
    return nactive > 0;
}

int main(int argc, char **argv)
{
    ex_prog = "prack-uac";
    ex_clock_start();
    ex_random_init();
    parse_args(argc, argv);
    ex_show_call_no = opt.calls != 1;
    ex_signals();

    ex_host_init(&host, false, opt.max_calls, opt.t1);
    ex_htab_init(&by_cid, opt.max_calls);
    host.sock = ex_udp_open(&opt.bind);
    if (host.sock < 0) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        fprintf(stderr, "prack-uac: cannot bind %s: %s\n", a, strerror(errno));
        return 1;
    }
    host.bind = opt.bind;
    if (!ex_quiet) {
        char a[80];
        ex_addr_str(&opt.bind, a, sizeof(a));
        printf("prack-uac on %s calling %s (libprack %s, 100rel %s, T1 %u ms)\n", a, opt.target,
               prack_version(), ex_policy_name(opt.policy), opt.t1);
        fflush(stdout);
    }

    prack_time_t t0 = ex_now();
    while (!ex_stop) {
        prack_time_t now = ex_host_timers(&host);
        prack_time_t next = PRACK_TIME_NONE;

        /* start calls: at the rate asked for, or the next when the last is over */
        while (stats.started < opt.calls) {
            prack_time_t due = now;
            if (opt.rate > 0.0)
                due = t0 + (prack_time_t)((double)stats.started * 1000.0 / opt.rate);
            else if (any_active())
                break;
            if (due > now) {
                next = ex_min(next, due);
                break;
            }
            if (!start_call(now)) {
                next = ex_min(next, now + 10u); /* --max-calls reached: try again shortly */
                break;
            }
        }
        if (stats.started >= opt.calls && stats.done >= opt.calls)
            break;
        if (stats.started < opt.calls && opt.rate <= 0.0 && !any_active())
            next = now; /* the next call starts at once */

        if (ex_host_poll(&host, now, next, on_datagram) < 0)
            break;
    }
    close(host.sock);
    char more[64] = "";
    if (opt.reinvite_after >= 0)
        snprintf(more, sizeof(more), "reinvites=%u reinvite_final=%u", stats.reinvites,
                 stats.reinvite_final);
    ex_result_more("uac", stats.done, stats.ok, stats.last_final, stats.prack_sent, 0,
                   stats.rel1xx, more[0] ? more : NULL);
    return (stats.done == opt.calls && stats.ok == stats.done) ? 0 : 1;
}
