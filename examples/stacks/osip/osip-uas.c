/*
 * prack-osip-uas: prack-uas on libosip2. osip parses, runs the INVITE and
 * non-INVITE server transactions (retransmitted INVITEs and PRACKs, non-2xx
 * retransmissions until the ACK); the adapter (prack_osip.c) runs the libprack
 * UAS engine on them; osip_host.c owns the socket and the loop. This file is
 * the rest of a UA: calls, the 2xx retransmissions until the ACK, CANCEL, BYE.
 */
#define _POSIX_C_SOURCE 200809L

#include "prack_osip.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../digest.h"
#include "../stacks_common.h"
#include "osip_host.h"

#define MAX_CALLS 256u
#define UAS_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"
#define REALM "prack-uas"
/* How long a nonce we issued stays valid. */
#define NONCE_AGE_MS 300000u

static struct {
    uint8_t policy;
    unsigned long calls;
    sx_prov_t prov[SX_MAX_PROV];
    size_t nprov;
    uint32_t answer_after;
    uint16_t final_status;
    char user[128], pass[128]; /* --auth: challenge INVITE and PRACK */
} opt;

enum state { C_FREE, C_PROCEEDING, C_COMPLETED, C_CONFIRMED, C_TERMINATED };
enum oa { OA_NONE, OA_OFFER_RCVD, OA_OFFER_SENT, OA_DONE };

struct call {
    enum state st;
    unsigned no;
    struct prack_osip_uas u;
    bool u_on;
    char call_id[256], from_tag[128], to_tag[40], branch[128];
    char peer[64];
    int peer_port;
    uint32_t cseq; /* the INVITE's */
    enum oa oa;
    uint16_t final_status;
    uint32_t held_rseq; /* the RSeq whose PRACK releases a held 2xx */
    bool cancelled, retryable, superseded, counted;
    prack_time_t answer_at, retx_at, retx_until, linger_until, count_at;
    uint32_t retx_ival;
};

static struct call calls[MAX_CALLS];
static unsigned next_no = 1;
static uint8_t nonce_secret[16];
static struct {
    unsigned done, ok, last_final, prack_rcvd, rel1xx;
} stats;

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* osip's parameter lookups take a non-const name */
static char tag_name[] = "tag", branch_name[] = "branch";

static const char *tag_of(osip_from_t *h)
{
    osip_generic_param_t *t = NULL;
    return h && osip_generic_param_get_byname(&h->gen_params, tag_name, &t) == 0 && t ? t->gvalue : NULL;
}

static const char *branch_of(const osip_message_t *m)
{
    osip_via_t *v = osip_list_get(&m->vias, 0);
    osip_generic_param_t *b = NULL;
    return v && osip_generic_param_get_byname(&v->via_params, branch_name, &b) == 0 && b ? b->gvalue : NULL;
}

static bool callid_is(const osip_message_t *m, const char *cid)
{
    char *s = NULL;
    bool eq = m->call_id && osip_call_id_to_str(m->call_id, &s) == 0 && same(s, cid);
    osip_free(s);
    return eq;
}

static struct call *find_dialog(const osip_message_t *m)
{
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st != C_FREE && callid_is(m, c->call_id) && same(tag_of(m->from), c->from_tag) &&
            same(tag_of(m->to), c->to_tag))
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
    stats.ok += ok ? 1u : 0u;
    stats.last_final = c->final_status;
}

static void end_call(struct call *c, bool ok)
{
    prack_time_t now = prack_osip_now();
    if (c->st == C_TERMINATED)
        return;
    c->st = C_TERMINATED;
    c->answer_at = c->retx_at = PRACK_TIME_NONE;
    c->linger_until = now + 64u * (prack_time_t)oh_t1;
    if (c->retryable && !ok)
        c->count_at = now + SX_T4_MS; /* a UAC retries 420/421 at once */
    else
        count_call(c, ok);
}

static void free_call(struct call *c)
{
    if (c->count_at != PRACK_TIME_NONE)
        count_call(c, false);
    if (c->u_on)
        prack_osip_uas_close(&c->u);
    c->st = C_FREE;
}

/* A response outside the engine (420 for an unknown option, 481, 405 ...), on its transaction. */
static void reply(osip_transaction_t *tr, int status, const char *hname, const char *hvalue, unsigned no)
{
    osip_message_t *r = oh_response(tr->orig_request, status, "tx");
    if (!r)
        return;
    if (hname)
        osip_message_set_header(r, hname, hvalue);
    sx_tx_label(r, no, NULL, NULL);
    if (oh_send_on(tr, r) != 0)
        osip_message_free(r);
}

/* Digest credentials for `method` in any Authorization header (osip parses them; digest.c checks them). */
static bool authorized(const osip_message_t *m, const char *method)
{
    osip_authorization_t *a;
    for (int pos = 0; (a = osip_list_get(&m->authorizations, pos)) != NULL; pos++) {
        char *text = NULL;
        digest_params_t cr;
        bool ok = osip_authorization_to_str(a, &text) == 0 && digest_parse(text, strlen(text), &cr) == 0 &&
                  strcmp(cr.realm, REALM) == 0 &&
                  digest_nonce_check(cr.nonce, nonce_secret, ex_now(), NONCE_AGE_MS) &&
                  digest_verify(&cr, REALM, opt.user, opt.pass, method);
        osip_free(text);
        if (ok)
            return true;
    }
    return false;
}

/* The value of a WWW-Authenticate header with a fresh nonce. */
static void challenge(char *buf, size_t cap)
{
    char nonce[64];
    digest_nonce_make(nonce, nonce_secret, ex_now());
    snprintf(buf, cap, "Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"", REALM, nonce);
}

/* ------------------------------------------------------------------------- */
/* What the adapter sends: our headers and body */

static void fill(osip_message_t *m, const prack_action_t *a, void *arg)
{
    struct call *c = arg;
    char buf[512];
    size_t n = 0;
    bool sdp = a->type == PRACK_ACT_ANSWER_PRACK ? a->sdp == PRACK_SDP_ANSWER : a->status < 300 && a->sdp != PRACK_SDP_NONE;
    if (a->type != PRACK_ACT_ANSWER_PRACK) {
        if (a->status > 100 && a->status < 300) {
            snprintf(buf, sizeof(buf), strchr(oh_host, ':') ? "<sip:prack-uas@[%s]:%u>" : "<sip:prack-uas@%s:%u>",
                     oh_host, oh_port);
            osip_message_set_contact(m, buf);
        }
        if (a->status != 100) {
            osip_message_set_header(m, "Allow", UAS_ALLOW);
            if (opt.policy != PRACK_POLICY_OFF)
                osip_message_set_header(m, "Supported", "100rel");
        }
        if (a->status == 401) {
            challenge(buf, sizeof(buf));
            osip_message_set_header(m, "WWW-Authenticate", buf);
        }
    }
    if (sdp && (n = sx_sdp(buf, sizeof(buf), "prack-uas", (uint32_t)c->no, oh_host)) > 0) {
        osip_message_set_body(m, buf, n);
        osip_message_set_content_type(m, "application/sdp");
    }
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

static void act(const prack_actions_t *acts, uint32_t i, unsigned fork, osip_message_t *out, void *arg)
{
    struct call *c = arg;
    const prack_action_t *a = &acts->v[i];
    char why[96] = "";
    bool reliable = (a->flags & PRACK_AF_RELIABLE) != 0;
    (void)fork;
    switch (a->type) {
    case PRACK_ACT_SEND_1XX:
        if (a->flags & PRACK_AF_RETRANSMIT) {
            sx_tx_label(out, c->no, "SDP", "retransmission");
            break;
        }
        if (reliable)
            stats.rel1xx++;
        sx_tx_label(out, c->no, sdp_label(c, a->sdp, reliable), (a->flags & PRACK_AF_REFRESH) ? "refresh" : NULL);
        break;
    case PRACK_ACT_QUEUE_1XX:
        sx_note(c->no, "%u queued until the PRACK of RSeq %u (one reliable 1xx at a time)", a->status,
                prack_uas_unacked(&c->u.eng));
        break;
    case PRACK_ACT_DROP_1XX: sx_note(c->no, "queued %u dropped: the final response comes first", a->status); break;
    case PRACK_ACT_HOLD_FINAL:
        sx_note(c->no, "%u held until PRACK for RSeq %u (that 1xx carries SDP)", a->status, a->rseq);
        c->held_rseq = a->rseq;
        c->answer_at = PRACK_TIME_NONE;
        break;
    case PRACK_ACT_SEND_FINAL:
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
        sx_tx_label(out, c->no, sdp_label(c, a->status < 300 ? a->sdp : PRACK_SDP_NONE, true), why);
        c->final_status = a->status;
        c->cancelled = c->cancelled || (a->flags & PRACK_AF_CANCELLED);
        c->retryable = c->retryable || a->status == 420 || a->status == 421;
        c->answer_at = PRACK_TIME_NONE;
        c->st = C_COMPLETED;
        if (a->status < 300) {
            /* RFC 3261 13.3.1.4: osip's transaction ends with the 2xx; we resend it until the ACK */
            c->retx_ival = oh_t1;
            c->retx_at = prack_osip_now() + oh_t1;
            c->retx_until = prack_osip_now() + 64u * (prack_time_t)oh_t1;
        }
        break;
    case PRACK_ACT_ANSWER_PRACK:
        sx_tx_label(out, c->no, a->sdp == PRACK_SDP_ANSWER ? "SDP answer" : NULL,
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
/* osip's callbacks */

/*
 * osip ends the INVITE server transaction with the 2xx, so a retransmission
 * of the INVITE that arrives later (late or reordered on the way) would start
 * a second call that nobody PRACKs. It is absorbed instead, as the Accepted
 * state of RFC 6026 7.1 does; the 2xx goes on being retransmitted until the ACK.
 */
static bool absorb(const osip_message_t *m)
{
    uint32_t cseq = m->cseq && m->cseq->number ? (uint32_t)strtoul(m->cseq->number, NULL, 10) : 0u;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st != C_FREE && c->cseq == cseq && callid_is(m, c->call_id) && same(tag_of(m->from), c->from_tag)) {
            sx_rx_label(c->no, "SDP", "retransmission");
            return true;
        }
    }
    return false;
}

static void on_invite(int type, osip_transaction_t *tr, osip_message_t *m)
{
    struct call *c = NULL;
    prack_config_t cfg;
    osip_header_t *h;
    char *cid = NULL;
    (void)type;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *o = &calls[i];
        if (o->st != C_FREE && o->retryable && !o->counted && callid_is(m, o->call_id) &&
            same(tag_of(m->from), o->from_tag))
            o->superseded = true; /* the UAC retries what it was told to change */
        if (!c && o->st == C_FREE)
            c = o;
    }
    if (tag_of(m->to) || !c) {
        sx_rx_label(0, "SDP offer", tag_of(m->to) ? "re-INVITE" : NULL);
        reply(tr, tag_of(m->to) ? 488 : 503, NULL, NULL, 0);
        return;
    }
    memset(c, 0, sizeof(*c));
    c->no = next_no++;
    c->answer_at = c->retx_at = c->linger_until = c->count_at = PRACK_TIME_NONE;
    osip_call_id_to_str(m->call_id, &cid);
    snprintf(c->call_id, sizeof(c->call_id), "%s", cid ? cid : "");
    osip_free(cid);
    sx_call_bind(c->call_id, strlen(c->call_id), c->no);
    sx_rx_label(c->no, "SDP offer", NULL);
    snprintf(c->from_tag, sizeof(c->from_tag), "%s", tag_of(m->from) ? tag_of(m->from) : "");
    c->cseq = m->cseq && m->cseq->number ? (uint32_t)strtoul(m->cseq->number, NULL, 10) : 0u;
    ex_random_hex(c->to_tag, 16);
    oh_reply_addr(m, c->peer, sizeof(c->peer), &c->peer_port);
    c->oa = osip_list_eol(&m->bodies, 0) ? OA_NONE : OA_OFFER_RCVD;
    c->st = C_PROCEEDING;
    for (int pos = 0; (pos = osip_message_header_get_byname(m, "require", pos, &h)) >= 0; pos++) {
        if (h->hvalue && strcasecmp(h->hvalue, "100rel") != 0) {
            /* RFC 3261 8.2.2.3: an option tag we do not know */
            c->final_status = 420;
            c->retryable = true;
            reply(tr, 420, "Unsupported", h->hvalue, c->no);
            end_call(c, false);
            return;
        }
    }
    prack_config_init(&cfg);
    cfg.t1_ms = oh_t1;
    cfg.policy = opt.policy;
    if (prack_osip_uas_init(&c->u, tr, &cfg, c->to_tag, fill, act, c) != PRACK_OK) {
        reply(tr, 500, NULL, NULL, c->no);
        end_call(c, false);
        return;
    }
    c->u_on = true;
    if (c->st != C_PROCEEDING)
        return; /* 420 or 421 */
    if (opt.user[0] && !authorized(m, "INVITE")) {
        c->retryable = true; /* the UAC sends it again with credentials */
        (void)prack_osip_uas_final(&c->u, 401);
        return;
    }
    (void)prack_osip_uas_1xx(&c->u, 100, 0);
    bool need_offer = c->oa == OA_NONE && prack_uas_reliable(&c->u.eng);
    for (size_t i = 0; i < opt.nprov && c->st == C_PROCEEDING; i++) {
        uint32_t flags = opt.prov[i].sdp ? PRACK_1XX_SDP : 0u;
        if (need_offer && opt.prov[i].status != 100) {
            flags |= PRACK_1XX_SDP;
            need_offer = false;
        }
        int rc = prack_osip_uas_1xx(&c->u, opt.prov[i].status, flags);
        if (rc != PRACK_OK)
            sx_note(c->no, "%u not sent: %s", opt.prov[i].status, prack_strerror(rc));
    }
    if (c->st == C_PROCEEDING)
        c->answer_at = prack_osip_now() + opt.answer_after;
}

/* The ACK of a non-2xx final, inside osip's transaction. */
static void on_ack(int type, osip_transaction_t *tr, osip_message_t *m)
{
    (void)type, (void)m;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == C_COMPLETED && c->u_on && c->u.ist == tr && c->final_status >= 300) {
            sx_rx_label(c->no, NULL, NULL);
            end_call(c, c->final_status == opt.final_status && !c->cancelled);
        }
    }
}

static void on_request(int type, osip_transaction_t *tr, osip_message_t *m)
{
    struct call *c = find_dialog(m);
    (void)type;
    if (MSG_IS_CANCEL(m)) {
        for (size_t i = 0; i < MAX_CALLS && !c; i++)
            if (calls[i].st == C_PROCEEDING && calls[i].u_on && calls[i].u.ist &&
                same(branch_of(calls[i].u.ist->orig_request), branch_of(m)) && callid_is(m, calls[i].call_id))
                c = &calls[i];
        sx_rx_label(c ? c->no : 0, NULL, NULL);
        reply(tr, c ? 200 : 481, NULL, NULL, c ? c->no : 0);
        if (c) {
            c->cancelled = true;
            (void)prack_osip_uas_cancel(&c->u);
        }
        return;
    }
    if (MSG_IS_OPTIONS(m)) {
        sx_rx_label(c ? c->no : 0, NULL, NULL);
        reply(tr, 200, "Allow", UAS_ALLOW, 0);
        return;
    }
    if (!c) {
        sx_rx_label(0, NULL, "unknown dialog");
        reply(tr, 481, NULL, NULL, 0);
        return;
    }
    if (MSG_IS_PRACK(m)) {
        bool sdp = !osip_list_eol(&m->bodies, 0);
        sx_rx_label(c->no, sdp ? (c->oa == OA_OFFER_SENT ? "SDP answer" : "SDP offer") : NULL, NULL);
        stats.prack_rcvd++;
        if (opt.user[0] && !authorized(m, "PRACK")) {
            char ch[256];
            challenge(ch, sizeof(ch)); /* R57: a PRACK is authenticated like any other request */
            reply(tr, 401, "WWW-Authenticate", ch, c->no);
            return;
        }
        if (!c->u_on) {
            reply(tr, 481, NULL, NULL, c->no);
            return;
        }
        if (sdp && c->oa == OA_OFFER_SENT)
            c->oa = OA_DONE;
        if (prack_osip_uas_prack(&c->u, tr, m) != PRACK_OK)
            reply(tr, 500, NULL, NULL, c->no);
        return;
    }
    sx_rx_label(c->no, NULL, NULL);
    if (MSG_IS_BYE(m)) {
        reply(tr, 200, NULL, NULL, c->no);
        if (c->st == C_PROCEEDING && c->u_on) {
            c->cancelled = true; /* RFC 3261 15.1.2: BYE on the early dialog, 487 to the INVITE */
            (void)prack_osip_uas_cancel(&c->u);
        } else if (c->st == C_COMPLETED || c->st == C_CONFIRMED) {
            end_call(c, c->final_status == opt.final_status && c->final_status < 300 && !c->cancelled);
        }
        return;
    }
    reply(tr, 405, "Allow", UAS_ALLOW, c->no);
}

/* The ACK of a 2xx: no transaction (RFC 3261 17.2.1). */
static void stray(osip_message_t *m)
{
    struct call *c = MSG_IS_ACK(m) ? find_dialog(m) : NULL;
    sx_rx_label(c ? c->no : 0, c && c->oa == OA_OFFER_SENT ? "SDP answer" : NULL, c ? NULL : "ignored");
    if (c && c->st == C_COMPLETED && c->final_status < 300) {
        c->retx_at = PRACK_TIME_NONE;
        c->st = C_CONFIRMED;
        sx_note(c->no, "call established");
    }
}

static void killed(osip_transaction_t *tr)
{
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != C_FREE && calls[i].u_on && calls[i].u.ist == tr)
            calls[i].u.ist = NULL;
}

/* ------------------------------------------------------------------------- */
/* Timers */

static prack_time_t call_deadline(const struct call *c)
{
    prack_time_t d = c->answer_at;
    if (c->u_on && c->st != C_TERMINATED && prack_next_deadline(&c->u.eng) < d)
        d = prack_next_deadline(&c->u.eng);
    d = c->retx_at < d ? c->retx_at : d;
    d = c->linger_until < d ? c->linger_until : d;
    return c->count_at < d ? c->count_at : d;
}

static prack_time_t deadline(void)
{
    prack_time_t d = PRACK_TIME_NONE;
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != C_FREE && call_deadline(&calls[i]) < d)
            d = call_deadline(&calls[i]);
    return d;
}

static void timers(void)
{
    prack_time_t now = prack_osip_now();
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == C_FREE || call_deadline(c) > now)
            continue;
        if (c->u_on && c->st != C_TERMINATED && prack_next_deadline(&c->u.eng) <= now)
            prack_osip_uas_timer(&c->u); /* reliable 1xx retransmissions, the 64*T1 5xx */
        if (c->answer_at <= now) {
            c->answer_at = PRACK_TIME_NONE;
            if (c->st == C_PROCEEDING && prack_uas_state(&c->u.eng) == PRACK_UAS_PROCEEDING)
                (void)prack_osip_uas_final(&c->u, opt.final_status);
        }
        if (c->retx_at <= now && c->st == C_COMPLETED && c->u.final) {
            if (now >= c->retx_until) {
                sx_note(c->no, "no ACK for the 2xx within 64*T1");
                end_call(c, false);
            } else {
                sx_tx_label(c->u.final, c->no, "SDP", "retransmission");
                oh_send(c->u.final, c->peer, c->peer_port);
                c->retx_ival = c->retx_ival * 2u < SX_T2_MS ? c->retx_ival * 2u : SX_T2_MS;
                c->retx_at = now + c->retx_ival;
            }
        }
        if (c->count_at <= now) {
            c->count_at = PRACK_TIME_NONE;
            count_call(c, false);
        }
        if (c->linger_until <= now && c->st == C_TERMINATED)
            free_call(c);
    }
}

static bool done(void)
{
    return opt.calls && stats.done >= opt.calls;
}

/* ------------------------------------------------------------------------- */
/* Options and main */

static void usage(FILE *f)
{
    fprintf(f, "usage: prack-osip-uas [options]\n"
               "prack-uas on libosip2: a UAS over UDP that sends reliable provisional responses.\n"
               "\n"
               "  --bind HOST:PORT        local address, numeric (default 127.0.0.1:5060)\n"
               "  --100rel MODE           off | supported | required (default supported)\n"
               "  --provisional LIST      provisionals in order, e.g. 183:sdp,180 or none (default 183:sdp,180)\n"
               "  --answer-after MS       time from INVITE to the final (default 1000)\n"
               "  --final CODE            final status (default 200)\n"
               "  --auth USER:PASS        challenge INVITE and PRACK with 401 digest\n"
               "  --t1 MS                 T1 of the engine and of osip's transactions (default 500)\n"
               "  --calls N               exit after N calls (default: until interrupted)\n"
               "");
    sx_usage_common(f);
}

int main(int argc, char **argv)
{
    sx_common_t common = { "127.0.0.1:5060", PRACK_DEFAULT_T1_MS, 0 };
    oh_hooks_t hooks = { stray, killed, deadline, timers, done, absorb };
    char host[64];
    unsigned port, active = 0;
    unsigned long n;
    ex_prog = "prack-osip-uas";
    ex_clock_start();
    ex_random_init();
    sx_ladder_role(true);
    srand(ex_random32());
    for (size_t i = 0; i < sizeof(nonce_secret); i++)
        nonce_secret[i] = (uint8_t)ex_random32();
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
    oh_t1 = common.t1;
    opt.calls = common.calls;
    ex_show_call_no = opt.calls != 1;
    if (!sx_split_hostport(common.bind, host, sizeof(host), &port, 5060))
        ex_usage_error(ex_prog, "--bind: cannot use '%s'", common.bind);
    if (!oh_start(host, port, &hooks)) {
        fprintf(stderr, "prack-osip-uas: cannot bind %s\n", common.bind);
        return 1;
    }
    osip_set_message_callback(oh_osip, OSIP_IST_INVITE_RECEIVED, on_invite);
    osip_set_message_callback(oh_osip, OSIP_IST_ACK_RECEIVED, on_ack);
    for (int t = OSIP_NIST_REGISTER_RECEIVED; t <= OSIP_NIST_UNKNOWN_REQUEST_RECEIVED; t++)
        osip_set_message_callback(oh_osip, t, on_request);
    if (!ex_quiet) {
        printf("prack-osip-uas listening on %s (libprack %s, libosip2, 100rel %s, T1 %u ms)\n", common.bind,
               prack_version(), ex_policy_name((prack_policy_t)opt.policy), oh_t1);
        fflush(stdout);
    }
    oh_run();
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == C_TERMINATED && c->count_at != PRACK_TIME_NONE)
            count_call(c, false);
        else if (c->st != C_FREE && c->st != C_TERMINATED && !c->superseded)
            active++;
    }
    sx_result("uas", stats.done, stats.ok, stats.last_final, 0, stats.prack_rcvd, stats.rel1xx);
    return stats.ok == stats.done && active == 0 ? 0 : 1;
}
