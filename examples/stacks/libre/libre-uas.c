/*
 * prack-libre-uas: prack-uas on libre. libre owns the socket, the INVITE and
 * non-INVITE server transactions (retransmitted INVITEs and PRACKs, CANCEL,
 * non-2xx retransmissions until the ACK) and the loop; the adapter
 * (prack_re.c) runs the libprack UAS engine on them. This file is the rest of
 * a UA: calls, dialogs, the 2xx retransmissions until the ACK, BYE, digest.
 */
#include "prack_re.h"

#include <stdlib.h>
#include <string.h>

#include "../stacks_common.h"

#define MAX_CALLS 256u
#define REALM "prack-uas"
#define ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"

static struct {
    struct sa bind;
    uint8_t policy;
    uint32_t t1;
    unsigned long calls;
    sx_prov_t prov[SX_MAX_PROV];
    size_t nprov;
    uint32_t answer_after;
    uint16_t final_status;
    char user[128], pass[128];
} opt;

enum state { C_FREE, C_PROCEEDING, C_COMPLETED, C_CONFIRMED, C_TERMINATED };
enum oa { OA_NONE, OA_OFFER_RCVD, OA_OFFER_SENT, OA_DONE };

struct call {
    enum state st;
    unsigned no;
    struct sip_dialog *dlg;
    struct prack_re_uas u;
    bool u_on;
    char call_id[256], from_tag[128];
    uint32_t cseq; /* the INVITE's */
    enum oa oa;
    uint16_t final_status;
    uint32_t held_rseq; /* the RSeq whose PRACK releases a held 2xx */
    bool cancelled, retryable, superseded, counted;
    struct tmr answer, retx, linger, count;
    uint32_t retx_ival;
    prack_time_t retx_until;
};

static struct call calls[MAX_CALLS];
static struct sip *sip;
static unsigned next_no = 1;
static char nonce[33];
static struct {
    unsigned done, ok, last_final, prack_rcvd, rel1xx;
} stats;

/* ------------------------------------------------------------------------- */
/* Calls */

static void count_call(struct call *c, bool ok)
{
    if (c->counted || c->superseded)
        return;
    c->counted = true;
    stats.done++;
    stats.ok += ok ? 1u : 0u;
    stats.last_final = c->final_status;
    if (opt.calls && stats.done >= opt.calls)
        re_cancel();
}

static void free_call(void *arg)
{
    struct call *c = arg;
    if (!c->counted && tmr_isrunning(&c->count))
        count_call(c, false);
    tmr_cancel(&c->answer), tmr_cancel(&c->retx), tmr_cancel(&c->linger), tmr_cancel(&c->count);
    if (c->u_on)
        prack_re_uas_close(&c->u);
    c->dlg = mem_deref(c->dlg);
    c->st = C_FREE;
}

static void count_later(void *arg)
{
    count_call(arg, false);
}

/* Over; the slot is kept a while for late requests. */
static void end_call(struct call *c, bool ok)
{
    if (c->st == C_TERMINATED)
        return;
    c->st = C_TERMINATED;
    tmr_cancel(&c->answer), tmr_cancel(&c->retx);
    tmr_start(&c->linger, 64u * (uint64_t)opt.t1, free_call, c);
    if (c->retryable && !ok)
        tmr_start(&c->count, SX_T4_MS, count_later, c); /* a UAC retries 401/420/421 at once */
    else
        count_call(c, ok);
}

static struct call *find_dialog(const struct sip_msg *msg)
{
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != C_FREE && calls[i].dlg && sip_dialog_cmp(calls[i].dlg, msg))
            return &calls[i];
    return NULL;
}

/* RFC 3261 13.3.1.4: the 2xx again, T1 doubling up to T2, until the ACK or 64*T1. */
static void retransmit_2xx(void *arg)
{
    struct call *c = arg;
    if (c->st != C_COMPLETED || !c->u.final)
        return;
    if (prack_re_now() >= c->retx_until) {
        sx_note(c->no, "no ACK for the 2xx within 64*T1");
        end_call(c, false);
        return;
    }
    (void)sip_send(sip, c->u.invite->sock, c->u.invite->tp, &c->u.dst, c->u.final);
    c->retx_ival = c->retx_ival * 2u < SX_T2_MS ? c->retx_ival * 2u : SX_T2_MS;
    tmr_start(&c->retx, c->retx_ival, retransmit_2xx, c);
}

static void timer_h(void *arg)
{
    struct call *c = arg;
    sx_note(c->no, "no ACK for the %u within 64*T1 (Timer H)", c->final_status);
    end_call(c, false);
}

/*
 * libre's server transaction absorbs the ACK of a non-2xx final, so the call
 * would never learn that it is over: the trace handler, which sees every
 * datagram before libre dispatches it, looks for that ACK.
 */
static void trace(bool tx, enum sip_transp tp, const struct sa *src, const struct sa *dst,
                  const uint8_t *pkt, size_t len, void *arg)
{
    struct mbuf *mb;
    struct sip_msg *msg = NULL;
    (void)tp, (void)src, (void)dst, (void)arg;
    if (tx) {
        sx_tx(NULL, (const char *)pkt, len);
        return;
    }
    sx_rx((const char *)pkt, len);
    if (len < 4 || memcmp(pkt, "ACK ", 4) != 0 || (mb = mbuf_alloc(len)) == NULL)
        return;
    (void)mbuf_write_mem(mb, pkt, len);
    mb->pos = 0;
    if (sip_msg_decode(&msg, mb) == 0) {
        struct call *c = find_dialog(msg);
        if (c && c->st == C_COMPLETED && c->final_status >= 300) {
            sx_rx_label(c->no, NULL, NULL);
            end_call(c, c->final_status == opt.final_status && !c->cancelled);
        }
    }
    mem_deref(msg);
    mem_deref(mb);
}

/* ------------------------------------------------------------------------- */
/* What the adapter sends: our headers and body */

static int print_local(struct re_printf *pf, const struct call *c, bool port)
{
    struct sa laddr;
    if (sip_transp_laddr(sip, &laddr, SIP_TRANSP_UDP, &c->u.invite->src))
        laddr = opt.bind;
    return port ? re_hprintf(pf, "%J", &laddr) : re_hprintf(pf, "%j", &laddr);
}

static int print_body(struct re_printf *pf, const struct call *c, bool sdp)
{
    char host[64], body[512];
    size_t n = 0;
    if (sdp) {
        struct sa laddr;
        if (sip_transp_laddr(sip, &laddr, SIP_TRANSP_UDP, &c->u.invite->src))
            laddr = opt.bind;
        re_snprintf(host, sizeof(host), "%j", &laddr);
        n = sx_sdp(body, sizeof(body), "prack-uas", (uint32_t)c->no, host);
    }
    if (!n)
        return re_hprintf(pf, "Content-Length: 0\r\n\r\n");
    return re_hprintf(pf, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%b", n, body, n);
}

static int print_h(struct re_printf *pf, const prack_action_t *a, void *arg)
{
    struct call *c = arg;
    int err = 0;
    if (a->type == PRACK_ACT_ANSWER_PRACK)
        return print_body(pf, c, a->sdp == PRACK_SDP_ANSWER);
    if (a->status > 100 && a->status < 300) {
        err |= re_hprintf(pf, "Contact: <sip:prack-uas@");
        err |= print_local(pf, c, true);
        err |= re_hprintf(pf, ">\r\n");
    }
    if (a->status == 401)
        err |= re_hprintf(pf, "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
                          REALM, nonce);
    if (a->status != 100)
        err |= re_hprintf(pf, "Allow: %s\r\n%s", ALLOW,
                          opt.policy != PRACK_POLICY_OFF ? "Supported: 100rel\r\n" : "");
    return err | print_body(pf, c, a->status < 300 && a->sdp != PRACK_SDP_NONE);
}

static const char *sdp_label(struct call *c, unsigned role, bool reliable)
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

/* Every action, before the adapter carries it out: the ladder's notes and our call state. */
static void act_h(const prack_actions_t *acts, uint32_t i, struct prack_re_fork *f, void *arg)
{
    struct call *c = arg;
    const prack_action_t *a = &acts->v[i];
    static char why[96];
    bool reliable = (a->flags & PRACK_AF_RELIABLE) != 0;
    (void)f;
    switch (a->type) {
    case PRACK_ACT_SEND_1XX:
        if (a->flags & PRACK_AF_RETRANSMIT) {
            sx_tx_label(NULL, c->no, "SDP", "retransmission");
            break;
        }
        if (reliable)
            stats.rel1xx++;
        sx_tx_label(NULL, c->no, sdp_label(c, a->sdp, reliable), (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
        break;
    case PRACK_ACT_QUEUE_1XX:
        sx_note(c->no, "%u queued until the PRACK of RSeq %u (one reliable 1xx at a time)", a->status,
                prack_uas_unacked(&c->u.eng));
        break;
    case PRACK_ACT_DROP_1XX: sx_note(c->no, "queued %u dropped: the final response comes first", a->status); break;
    case PRACK_ACT_HOLD_FINAL:
        sx_note(c->no, "%u held until PRACK for RSeq %u (that 1xx carries SDP)", a->status, a->rseq);
        c->held_rseq = a->rseq;
        tmr_cancel(&c->answer);
        break;
    case PRACK_ACT_SEND_FINAL:
        why[0] = '\0';
        if (a->flags & PRACK_AF_RELEASED) {
            sx_note(c->no, "%u released: RSeq %u PRACKed", a->status, c->held_rseq);
            snprintf(why, sizeof(why), "released by the PRACK");
        }
        else if (a->flags & PRACK_AF_TIMEOUT)
            snprintf(why, sizeof(why), "no PRACK within 64*T1");
        else if (a->flags & PRACK_AF_CANCELLED)
            snprintf(why, sizeof(why), "cancelled");
        if (a->flags & PRACK_AF_REPLACES_HELD)
            snprintf(why + strlen(why), sizeof(why) - strlen(why), "%sreplaces the held 2xx", why[0] ? ", " : "");
        sx_tx_label(NULL, c->no, sdp_label(c, a->status < 300 ? a->sdp : PRACK_SDP_NONE, true), why);
        c->final_status = a->status;
        c->cancelled = c->cancelled || (a->flags & PRACK_AF_CANCELLED);
        c->retryable = c->retryable || a->status == 401 || a->status == 420 || a->status == 421;
        tmr_cancel(&c->answer);
        c->st = C_COMPLETED;
        if (a->status < 300) {
            c->retx_ival = opt.t1;
            c->retx_until = prack_re_now() + 64u * (uint64_t)opt.t1;
            tmr_start(&c->retx, opt.t1, retransmit_2xx, c);
        } else {
            /* libre retransmits it until the ACK (see trace()) */
            tmr_start(&c->retx, 64u * (uint64_t)opt.t1, timer_h, c);
        }
        break;
    case PRACK_ACT_ANSWER_PRACK:
        sx_tx_label(NULL, c->no, a->sdp == PRACK_SDP_ANSWER ? "SDP answer" : NULL,
                    a->reason == PRACK_R_NO_MATCH    ? "RAck matches no unacknowledged reliable 1xx"
                    : a->reason == PRACK_R_BAD_RACK  ? "missing or malformed RAck"
                    : a->reason == PRACK_R_DUPLICATE ? "reliable 1xx already acknowledged"
                                                     : NULL);
        break;
    case PRACK_ACT_EVENT:
        switch (a->reason) {
        case PRACK_R_SESSION: sx_note(c->no, "offer/answer complete: media may start"); break;
        case PRACK_R_TIMEOUT: sx_note(c->no, "reliable 1xx never PRACKed: giving up"); break;
        case PRACK_R_ANSWER_MISSING: sx_note(c->no, "the PRACK owed an SDP answer and carried none"); break;
        case PRACK_R_SDP_UNEXPECTED: sx_note(c->no, "SDP in the PRACK ignored"); break;
        default: sx_note(c->no, "event %s", prack_reason_name(a->reason)); break;
        }
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------- */
/* Requests */

static bool authorized(const struct sip_msg *msg)
{
    struct le *le;
    LIST_FOREACH(&msg->hdrl, le)
    {
        const struct sip_hdr *h = le->data;
        struct httpauth_digest_resp r;
        uint8_t ha1[16];
        if (h->id != SIP_HDR_AUTHORIZATION || httpauth_digest_response_decode(&r, &h->val) ||
            pl_strcmp(&r.realm, REALM) || pl_strcmp(&r.nonce, nonce) || pl_strcmp(&r.username, opt.user))
            continue;
        md5_printf(ha1, "%s:%s:%s", opt.user, REALM, opt.pass);
        if (httpauth_digest_response_auth(&r, &msg->met, ha1) == 0)
            return true;
    }
    return false;
}

static void reply(const struct sip_msg *msg, uint16_t status, const char *extra)
{
    (void)sip_treplyf(NULL, NULL, sip, msg, false, status, sip_reason_phrase(status), "%sContent-Length: 0\r\n\r\n",
                      extra ? extra : "");
}

static void answer_now(void *arg)
{
    struct call *c = arg;
    if (c->st == C_PROCEEDING && prack_uas_state(&c->u.eng) == PRACK_UAS_PROCEEDING) {
        int rc = prack_re_uas_final(&c->u, opt.final_status);
        if (rc != PRACK_OK)
            ex_warn("prack_uas_send_final: %s", prack_strerror(rc));
    }
}

static void on_invite(const struct sip_msg *msg)
{
    struct call *c = NULL;
    prack_config_t cfg;
    struct le *le;
    if (pl_isset(&msg->to.tag)) {
        sx_rx_label(0, "SDP offer", "re-INVITE");
        reply(msg, 488, NULL); /* session changes are not what this example shows */
        return;
    }
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *o = &calls[i];
        if (o->st != C_FREE && o->cseq == msg->cseq.num && !pl_strcmp(&msg->callid, o->call_id) &&
            !pl_strcmp(&msg->from.tag, o->from_tag)) {
            /* libre ends the INVITE server transaction with the 2xx: a
             * retransmission of the INVITE arriving later is absorbed, as in
             * the Accepted state of RFC 6026 7.1, not taken for a new call */
            sx_rx_label(o->no, "SDP", "retransmission");
            return;
        }
    }
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *o = &calls[i];
        if (o->st != C_FREE && o->retryable && !o->counted && !pl_strcmp(&msg->callid, o->call_id) &&
            !pl_strcmp(&msg->from.tag, o->from_tag))
            o->superseded = true; /* the UAC retries what it was told to change */
        if (!c && o->st == C_FREE)
            c = o;
    }
    if (!c) {
        sx_rx_label(next_no, NULL, NULL);
        reply(msg, 503, "Retry-After: 5\r\n");
        return;
    }
    memset(c, 0, sizeof(*c));
    c->no = next_no++;
    sx_call_bind(msg->callid.p, msg->callid.l, c->no);
    sx_rx_label(c->no, "SDP offer", NULL);
    pl_strcpy(&msg->callid, c->call_id, sizeof(c->call_id));
    pl_strcpy(&msg->from.tag, c->from_tag, sizeof(c->from_tag));
    c->cseq = msg->cseq.num;
    tmr_init(&c->answer), tmr_init(&c->retx), tmr_init(&c->linger), tmr_init(&c->count);
    c->oa = mbuf_get_left(msg->mb) ? OA_OFFER_RCVD : OA_NONE;
    c->st = C_PROCEEDING;
    LIST_FOREACH(&msg->hdrl, le)
    {
        /* RFC 3261 8.2.2.3: an option tag we do not know in Require */
        const struct sip_hdr *h = le->data;
        if (h->id == SIP_HDR_REQUIRE && pl_strcasecmp(&h->val, "100rel")) {
            char extra[128];
            re_snprintf(extra, sizeof(extra), "Unsupported: %r\r\n", &h->val);
            c->final_status = 420;
            c->retryable = true;
            reply(msg, 420, extra);
            end_call(c, false);
            return;
        }
    }
    if (sip_dialog_accept(&c->dlg, msg)) {
        reply(msg, 400, NULL); /* no Contact: no dialog */
        c->final_status = 400;
        end_call(c, false);
        return;
    }
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = opt.policy;
    if (prack_re_uas_init(&c->u, sip, msg, &cfg, print_h, act_h, c)) {
        reply(msg, 500, NULL);
        c->final_status = 500;
        end_call(c, false);
        return;
    }
    c->u_on = true;
    if (c->st != C_PROCEEDING)
        return; /* 420 or 421 */
    if (opt.user[0] && !authorized(msg)) {
        (void)prack_re_uas_final(&c->u, 401);
        return;
    }
    (void)prack_re_uas_1xx(&c->u, 100, 0);
    /* without an offer in the INVITE the first reliable 1xx carries one (R49) */
    bool need_offer = c->oa == OA_NONE && prack_uas_reliable(&c->u.eng);
    for (size_t i = 0; i < opt.nprov && c->st == C_PROCEEDING; i++) {
        uint32_t flags = opt.prov[i].sdp ? PRACK_1XX_SDP : 0u;
        if (need_offer && opt.prov[i].status != 100) {
            flags |= PRACK_1XX_SDP;
            need_offer = false;
        }
        int rc = prack_re_uas_1xx(&c->u, opt.prov[i].status, flags);
        if (rc != PRACK_OK)
            sx_note(c->no, "%u not sent: %s", opt.prov[i].status, prack_strerror(rc));
    }
    if (c->st == C_PROCEEDING)
        tmr_start(&c->answer, opt.answer_after, answer_now, c);
}

static void on_prack(struct call *c, const struct sip_msg *msg)
{
    bool sdp = mbuf_get_left(msg->mb) > 0;
    sx_rx_label(c->no, sdp ? (c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP offer") : NULL, NULL);
    stats.prack_rcvd++;
    if (!sip_dialog_rseq_valid(c->dlg, msg)) {
        reply(msg, 500, "Retry-After: 1\r\n"); /* RFC 3261 12.2.2: CSeq out of order */
        return;
    }
    if (opt.user[0] && !authorized(msg)) {
        char ch[256];
        /* R57: a PRACK is authenticated like any other request */
        re_snprintf(ch, sizeof(ch), "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
                    REALM, nonce);
        reply(msg, 401, ch);
        return;
    }
    if (!c->u_on) {
        reply(msg, 481, NULL);
        return;
    }
    if (sdp && c->oa == OA_OFFER_SENT)
        c->oa = OA_DONE;
    int rc = prack_re_uas_prack(&c->u, msg);
    if (rc != PRACK_OK) {
        ex_warn("prack_uas_on_prack: %s", prack_strerror(rc));
        reply(msg, 500, NULL);
    }
}

static bool on_request(const struct sip_msg *msg, void *arg)
{
    struct call *c;
    (void)arg;
    if (!pl_strcmp(&msg->met, "INVITE")) {
        on_invite(msg);
        return true;
    }
    c = pl_isset(&msg->to.tag) ? find_dialog(msg) : NULL;
    if (!pl_strcmp(&msg->met, "ACK")) {
        sx_rx_label(c ? c->no : 0, c && c->oa == OA_OFFER_SENT ? "SDP answer" : NULL, c ? NULL : "no dialog: ignored");
        if (c && c->st == C_COMPLETED && msg->cseq.num == c->u.invite->cseq.num) {
            tmr_cancel(&c->retx);
            c->st = C_CONFIRMED;
            sx_note(c->no, "call established");
        }
        return true;
    }
    if (!pl_strcmp(&msg->met, "OPTIONS")) {
        sx_rx_label(c ? c->no : 0, NULL, NULL);
        reply(msg, 200, opt.policy != PRACK_POLICY_OFF ? "Allow: " ALLOW "\r\nSupported: 100rel\r\n" : "Allow: " ALLOW "\r\n");
        return true;
    }
    if (!c && (pl_isset(&msg->to.tag) || pl_strcmp(&msg->met, "CANCEL") == 0)) {
        /* a PRACK, BYE or CANCEL for no dialog or transaction we know (R16 for PRACK) */
        sx_rx_label(0, NULL, "unknown dialog");
        reply(msg, 481, NULL);
        return true;
    }
    if (c && !pl_strcmp(&msg->met, "PRACK")) {
        on_prack(c, msg);
        return true;
    }
    if (c && !pl_strcmp(&msg->met, "BYE")) {
        sx_rx_label(c->no, NULL, NULL);
        if (!sip_dialog_rseq_valid(c->dlg, msg)) {
            reply(msg, 500, "Retry-After: 1\r\n");
            return true;
        }
        reply(msg, 200, NULL);
        if (c->st == C_PROCEEDING && c->u_on) {
            c->cancelled = true; /* RFC 3261 15.1.2: BYE on the early dialog, 487 to the INVITE */
            (void)prack_re_uas_cancel(&c->u);
        } else if (c->st == C_COMPLETED || c->st == C_CONFIRMED) {
            end_call(c, c->final_status == opt.final_status && c->final_status < 300 && !c->cancelled);
        }
        return true;
    }
    sx_rx_label(c ? c->no : 0, NULL, NULL);
    reply(msg, 405, "Allow: " ALLOW "\r\n");
    return true;
}

/* ------------------------------------------------------------------------- */
/* Options and main */

static void usage(FILE *f)
{
    fprintf(f, "usage: prack-libre-uas [options]\n"
               "prack-uas on the libre SIP stack: a UAS over UDP that sends reliable provisional responses.\n"
               "\n"
               "  --bind HOST:PORT        local address (default 127.0.0.1:5060)\n"
               "  --100rel MODE           off | supported | required (default supported)\n"
               "  --provisional LIST      provisionals in order, e.g. 183:sdp,180 or none (default 183:sdp,180)\n"
               "  --answer-after MS       time from INVITE to the final (default 1000)\n"
               "  --final CODE            final status (default 200)\n"
               "  --auth USER:PASS        challenge INVITE and PRACK with 401 digest\n"
               "  --t1 MS                 T1 of the engine (default 500; libre's own timers keep 500)\n"
               "  --calls N               exit after N calls (default: until interrupted)\n"
               "");
    sx_usage_common(f);
}

static void parse_args(int argc, char **argv)
{
    sx_common_t common = { "127.0.0.1:5060", PRACK_DEFAULT_T1_MS, 0 };
    char host[128];
    unsigned port;
    unsigned long n;
    opt.policy = PRACK_POLICY_SUPPORTED;
    opt.answer_after = 1000;
    opt.final_status = 200;
    opt.nprov = sx_parse_provisional("183:sdp,180", opt.prov);
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (sx_common_opt(argc, argv, &i, usage, &common))
            continue;
        else if ((v = ex_opt(argc, argv, &i, "--100rel")) != NULL) {
            opt.policy = sx_policy_opt(v);
        } else if ((v = ex_opt(argc, argv, &i, "--provisional")) != NULL) {
            opt.nprov = sx_parse_provisional(v, opt.prov);
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
            if (!colon || colon == v || (size_t)(colon - v) >= sizeof(opt.user) || strlen(colon + 1) >= sizeof(opt.pass))
                ex_usage_error(ex_prog, "--auth: USER:PASS");
            memcpy(opt.user, v, (size_t)(colon - v));
            strcpy(opt.pass, colon + 1);
        } else {
            ex_usage_error(ex_prog, "unknown argument '%s'", argv[i]);
        }
    }
    opt.t1 = common.t1;
    opt.calls = common.calls;
    if (!sx_split_hostport(common.bind, host, sizeof(host), &port, 5060) || sa_set_str(&opt.bind, host, (uint16_t)port))
        ex_usage_error(ex_prog, "--bind: cannot use '%s'", common.bind);
}

static void on_signal(int sig)
{
    (void)sig;
    re_cancel();
}

int main(int argc, char **argv)
{
    struct sip_lsnr *lsnr = NULL;
    char software[64];
    unsigned active = 0;
    ex_prog = "prack-libre-uas";
    ex_clock_start();
    ex_random_init();
    sx_ladder_role(true);
    parse_args(argc, argv);
    ex_show_call_no = opt.calls != 1;
    ex_random_hex(nonce, 32);
    re_snprintf(software, sizeof(software), "prack-libre-uas (libprack %s)", prack_version());
    if (libre_init() || sip_alloc(&sip, NULL, 32, 32, 32, software, NULL, NULL) ||
        sip_transp_add(sip, SIP_TRANSP_UDP, &opt.bind) || sip_listen(&lsnr, sip, true, on_request, NULL)) {
        re_fprintf(stderr, "prack-libre-uas: cannot bind %J\n", &opt.bind);
        return 1;
    }
    sip_set_trace_handler(sip, trace);
    if (!ex_quiet) {
        char a[80];
        re_snprintf(a, sizeof(a), "%J", &opt.bind);
        printf("prack-libre-uas listening on %s (libprack %s, libre, 100rel %s, T1 %u ms)\n", a,
               prack_version(), ex_policy_name((prack_policy_t)opt.policy), opt.t1);
        fflush(stdout);
    }
    sx_on_stop(on_signal);
    (void)re_main(NULL);
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == C_TERMINATED && !c->counted && tmr_isrunning(&c->count))
            count_call(c, false);
        else if (c->st != C_FREE && c->st != C_TERMINATED && !c->superseded)
            active++;
        if (c->st != C_FREE)
            free_call(c);
    }
    sx_result("uas", stats.done, stats.ok, stats.last_final, 0, stats.prack_rcvd, stats.rel1xx);
    mem_deref(lsnr);
    sip_close(sip, true);
    mem_deref(sip);
    libre_close();
    return stats.ok == stats.done && active == 0 ? 0 : 1;
}
