/*
 * prack-osip-uac: prack-uac on libosip2. osip parses and runs the INVITE and
 * non-INVITE client transactions (Timers A/B/E/F, the ACK of a non-2xx); the
 * adapter (prack_osip.c) runs the libprack UAC engine and sends each PRACK in
 * its early dialog (osip_dialog_t); osip_host.c owns the socket and the loop.
 * This file is the rest of a UA: calls, the ACK of a 2xx, BYE, CANCEL and the
 * retry after 420/421.
 */
#define _POSIX_C_SOURCE 200809L

#include "prack_osip.h"

#include <stdlib.h>
#include <string.h>

#include "../../digest.h"
#include "../stacks_common.h"
#include "osip_host.h"

#define MAX_CALLS 256u
#define UAC_ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"

static struct {
    char target[256], dest_host[64];
    unsigned dest_port;
    uint8_t policy, on_failure;
    uint32_t hold;
    unsigned long calls;
    bool sdp, retry; /* retry: follow a RETRY_INVITE after 420/421 */
    double rate;
    char user[128], pass[128];
} opt;

enum state { U_FREE, U_CALLING, U_PROCEEDING, U_ACCEPTED, U_ENDING, U_DONE };

struct fx {
    bool got_sdp, answered, last_prack_sdp, confirmed;
};

struct call {
    enum state st;
    unsigned no;
    char call_id[64], from_tag[24];
    int cseq;
    uint8_t policy;
    osip_transaction_t *ict, *bye, *cancel;
    struct prack_osip_uac uac;
    bool uac_on;
    struct fx fx[PRACK_OSIP_FORKS + 1];
    unsigned confirmed;
    const osip_message_t *rsp;
    bool prack_body;
    uint16_t final_status;
    bool terminate, cancel_sent, bye_sent, retried, retry_pending;
    uint8_t retry_option;
    prack_time_t bye_at, linger_until;
    /* the last digest challenge (401/407), for the INVITE and PRACKs resent with credentials */
    digest_params_t chal;
    bool have_chal, chal_proxy;
    uint32_t nc;
    char cnonce[20];
    unsigned auth_tries;
};

static struct call calls[MAX_CALLS];
static prack_time_t t0;
static struct {
    unsigned started, done, ok, last_final, prack_sent, rel1xx;
} stats;

static const char *fork_note(const struct call *c, unsigned k, char *buf, size_t cap)
{
    if (!k || c->uac.nforks < 2)
        return NULL;
    snprintf(buf, cap, "fork %u", k);
    return buf;
}

static void end_call(struct call *c, bool ok)
{
    if (c->st == U_DONE)
        return;
    c->st = U_DONE;
    c->bye_at = PRACK_TIME_NONE;
    c->linger_until = prack_osip_now() + 64u * (prack_time_t)oh_t1;
    stats.done++;
    stats.ok += ok ? 1u : 0u;
    stats.last_final = c->final_status;
    sx_note(c->no, "call over: %s (final %u)", ok ? "ok" : "FAILED", c->final_status);
}

static void remember_challenge(struct call *c, const osip_message_t *m)
{
    const osip_list_t *l = m->status_code == 407 ? &m->proxy_authenticates : &m->www_authenticates;
    for (int pos = 0; pos < osip_list_size(l); pos++) {
        char *text = NULL;
        digest_params_t d;
        bool ok = osip_www_authenticate_to_str(osip_list_get(l, pos), &text) == 0 &&
                  digest_parse(text, strlen(text), &d) == 0 && d.nonce[0];
        osip_free(text);
        if (ok) {
            c->chal = d;
            c->chal_proxy = m->status_code == 407;
            c->have_chal = true;
            c->nc = 0;
            ex_random_hex(c->cnonce, 16);
            return;
        }
    }
}

/* Credentials for `method` on the Request-URI of `m`, from the last challenge; false without one. */
static bool add_credentials(struct call *c, osip_message_t *m, const char *method)
{
    char value[1024], *uri = NULL;
    bool ok = c->have_chal && opt.user[0] && osip_uri_to_str(m->req_uri, &uri) == 0 &&
              digest_authorization(value, sizeof(value), &c->chal, opt.user, opt.pass, method, uri, ++c->nc,
                                   c->cnonce) > 0;
    osip_free(uri);
    if (ok)
        osip_message_set_header(m, c->chal_proxy ? "Proxy-Authorization" : "Authorization", value);
    return ok;
}

static void fill_sdp(osip_message_t *m, const struct call *c, bool sdp)
{
    char body[512];
    size_t n = sdp ? sx_sdp(body, sizeof(body), "prack-uac", (uint32_t)c->no, oh_host) : 0;
    if (n) {
        osip_message_set_body(m, body, n);
        osip_message_set_content_type(m, "application/sdp");
    }
}

static void fill(osip_message_t *m, const prack_action_t *a, void *arg)
{
    (void)a;
    fill_sdp(m, arg, ((struct call *)arg)->prack_body);
}

/* A request of our own on a new client transaction. */
static osip_transaction_t *send_request(osip_message_t *m, osip_fsm_type_t type, unsigned no, const char *role,
                                        const char *extra)
{
    osip_transaction_t *tr = NULL;
    if (osip_transaction_init(&tr, type, oh_osip, m) != 0) {
        osip_message_free(m);
        return NULL;
    }
    oh_set_t1(tr, oh_t1);
    sx_tx_label(m, no, role, extra);
    oh_send_on(tr, m);
    return tr;
}

static void send_bye(struct call *c, unsigned k, const char *why)
{
    osip_message_t *m = oh_dialog_request(c->uac.forks[k].dlg, c->uac.invite, "BYE", 0, "");
    osip_transaction_t *tr = m ? send_request(m, NICT, c->no, NULL, why) : NULL;
    if (k == c->confirmed) {
        c->bye = tr;
        c->bye_sent = true;
        c->st = U_ENDING;
    }
}

static void send_ack(struct call *c, unsigned k, const osip_message_t *rsp)
{
    struct fx *x = &c->fx[k];
    bool sdp = !opt.sdp && !x->answered && !osip_list_eol(&rsp->bodies, 0);
    osip_dialog_t *d = c->uac.forks[k].dlg;
    /* RFC 3261 13.2.2.4: the INVITE's CSeq, no transaction, to the first route or the target */
    osip_message_t *m = oh_dialog_request(c->uac.forks[k].dlg, c->uac.invite, "ACK", c->cseq, "");
    const osip_uri_t *next = NULL;
    if (!m)
        return;
    x->answered = x->answered || sdp;
    fill_sdp(m, c, sdp);
    if (!osip_list_eol(&d->route_set, 0))
        next = ((osip_route_t *)osip_list_get(&d->route_set, 0))->url;
    else if (d->remote_contact_uri)
        next = d->remote_contact_uri->url;
    sx_tx_label(m, c->no, sdp ? "SDP answer" : NULL, NULL);
    if (next)
        oh_send(m, next->host, next->port ? atoi(next->port) : 5060);
    osip_message_free(m);
}

static void act(const prack_actions_t *acts, uint32_t i, unsigned k, osip_message_t *out, void *arg)
{
    struct call *c = arg;
    const prack_action_t *a = &acts->v[i];
    struct fx *x = &c->fx[k];
    char fk[16], note[64];
    if (i == 0 && c->rsp && c->rsp->status_code < 200) {
        const char *role = "SDP";
        bool sdp = !osip_list_eol(&c->rsp->bodies, 0);
        for (uint32_t j = 0; j < acts->n; j++) {
            if (acts->v[j].type == PRACK_ACT_SEND_PRACK && !(acts->v[j].flags & PRACK_AF_CACHED)) {
                if (acts->v[j].sdp == PRACK_SDP_ANSWER)
                    role = "SDP offer";
                else if (sdp && !x->got_sdp)
                    role = "SDP answer";
                x->got_sdp = x->got_sdp || sdp;
            }
        }
        if (acts->v[0].type == PRACK_ACT_DELIVER_1XX && sdp)
            role = opt.sdp ? "SDP answer preview" : "SDP offer preview";
        sx_rx_label(c->no, role, fork_note(c, k, fk, sizeof(fk)));
    }
    switch (a->type) {
    case PRACK_ACT_SEND_PRACK:
        stats.prack_sent++;
        if (!(a->flags & PRACK_AF_AUTH))
            stats.rel1xx++;
        c->prack_body = a->sdp == PRACK_SDP_ANSWER || (a->sdp == PRACK_SDP_REPEAT && x->last_prack_sdp);
        x->last_prack_sdp = c->prack_body;
        x->answered = x->answered || a->sdp == PRACK_SDP_ANSWER;
        snprintf(note, sizeof(note), "%s", fork_note(c, k, fk, sizeof(fk)) ? fk : "");
        if (out && (a->flags & PRACK_AF_AUTH) && !add_credentials(c, out, "PRACK"))
            sx_note(c->no, "PRACK challenged and no usable credentials (--user/--password)");
        if (out)
            sx_tx_label(out, c->no, c->prack_body && x->answered ? "SDP answer" : "SDP", note);
        break;
    case PRACK_ACT_DISCARD:
        sx_note(c->no, "%u RSeq %u not PRACKed: %s", a->status, a->rseq,
                a->reason == PRACK_R_RETRANSMISSION ? "retransmission (already PRACKed)"
                : a->reason == PRACK_R_OUT_OF_ORDER ? "out of order (RSeq gap)"
                                                    : prack_reason_name(a->reason));
        break;
    case PRACK_ACT_CACHE_1XX: sx_note(c->no, "RSeq %u kept until the gap fills", a->rseq); break;
    case PRACK_ACT_DROP_CACHED: sx_note(c->no, "cached RSeq %u dropped", a->rseq); break;
    case PRACK_ACT_RETRY_INVITE:
        /* only a suggestion (never made under --100rel off): followed with --retry */
        c->retry_pending = opt.retry;
        c->retry_option = a->option;
        sx_note(c->no, "the engine suggests a new INVITE with %s%s",
                a->option == PRACK_OPTION_REQUIRE     ? "Require: 100rel"
                : a->option == PRACK_OPTION_SUPPORTED ? "Supported: 100rel"
                                                      : "no 100rel option tag",
                opt.retry ? "" : "; not retrying (no --retry)");
        break;
    case PRACK_ACT_TERMINATE:
        if (c->bye_sent || c->st == U_DONE) {
            sx_note(c->no, "a PRACK failed after the call was hung up; nothing to end");
            break;
        }
        sx_note(c->no, "ending the call: a PRACK failed and --on-prack-failure is terminate");
        c->terminate = true;
        c->bye_at = prack_osip_now(); /* carried out by the timers, after this batch */
        break;
    case PRACK_ACT_EVENT:
        switch (a->reason) {
        case PRACK_R_SESSION: sx_note(c->no, "offer/answer complete: media may start"); break;
        case PRACK_R_PRACK_FAILED:
            if (a->status == 408)
                sx_note(c->no, "PRACK timed out (Timer F)");
            sx_note(c->no, "PRACK for RSeq %u failed with %u", a->rseq, a->status);
            break;
        case PRACK_R_ANSWER_MISSING: sx_note(c->no, "the 2xx to our PRACK lacked the answer"); break;
        case PRACK_R_PRACK_OK: break;
        default: sx_note(c->no, "event %s", prack_reason_name(a->reason)); break;
        }
        break;
    default: break;
    }
}

/* ------------------------------------------------------------------------- */
/* The INVITE */

static bool send_invite(struct call *c, bool with_auth)
{
    char buf[2048], branch[24];
    osip_message_t *m = NULL;
    prack_config_t cfg;
    const char *opt_hdr;
    const char *lb = strchr(oh_host, ':') ? "[" : "", *rb = strchr(oh_host, ':') ? "]" : "";
    ex_random_hex(branch, 20);
    snprintf(buf, sizeof(buf),
             "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s%s%s:%u;branch=z9hG4bK%s;rport\r\nMax-Forwards: 70\r\n"
             "From: <sip:prack-uac@%s%s%s:%u>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: %d INVITE\r\n"
             "Contact: <sip:prack-uac@%s%s%s:%u>\r\nAllow: %s\r\nUser-Agent: prack-osip-uac (libprack %s)\r\n\r\n",
             opt.target, lb, oh_host, rb, oh_port, branch, lb, oh_host, rb, oh_port, c->from_tag, opt.target,
             c->call_id, c->cseq, lb, oh_host, rb, oh_port, UAC_ALLOW, prack_version());
    if (osip_message_init(&m) != 0 || osip_message_parse(m, buf, strlen(buf)) != 0) {
        osip_message_free(m);
        return false;
    }
    if (with_auth)
        (void)add_credentials(c, m, "INVITE");
    fill_sdp(m, c, opt.sdp);
    prack_config_init(&cfg);
    cfg.t1_ms = oh_t1;
    cfg.policy = c->policy;
    cfg.on_prack_failure = opt.on_failure;
    if (c->uac_on)
        prack_osip_uac_close(&c->uac);
    memset(c->fx, 0, sizeof(c->fx));
    c->confirmed = 0;
    c->retry_pending = false;
    c->uac_on = prack_osip_uac_init(&c->uac, oh_osip, m, &cfg, opt.sdp ? PRACK_UAC_INVITE_SDP : 0u, fill, act, c) ==
                PRACK_OK;
    if ((opt_hdr = prack_osip_uac_option(&c->uac)) != NULL) /* R31-R33: the engine names the header */
        osip_message_set_header(m, opt_hdr, "100rel");
    c->st = U_CALLING;
    c->ict = send_request(m, ICT, c->no, "SDP offer", NULL);
    return c->ict && c->uac_on;
}

static void on_2xx(struct call *c, osip_message_t *m)
{
    unsigned k = prack_osip_uac_fork(&c->uac, m);
    char fk[16];
    if (k && c->fx[k].confirmed) {
        sx_rx_label(c->no, "SDP", "retransmission");
        send_ack(c, k, m);
        return;
    }
    sx_rx_label(c->no, !osip_list_eol(&m->bodies, 0) && !c->fx[k].got_sdp ? (opt.sdp ? "SDP answer" : "SDP offer") : "SDP",
                fork_note(c, k, fk, sizeof(fk)));
    if (!k)
        return;
    (void)prack_osip_uac_response(&c->uac, m);
    c->fx[k].got_sdp = c->fx[k].got_sdp || !osip_list_eol(&m->bodies, 0);
    c->fx[k].confirmed = true;
    send_ack(c, k, m);
    if (c->confirmed || c->st == U_DONE) {
        send_bye(c, k, "second 2xx"); /* RFC 3261 13.2.2.4: another fork answered too */
        return;
    }
    c->confirmed = k;
    c->final_status = (uint16_t)m->status_code;
    c->st = U_ACCEPTED;
    sx_note(c->no, "call established%s", opt.hold ? "" : "; hanging up");
    c->bye_at = prack_osip_now() + (c->terminate || c->cancel_sent ? 0 : opt.hold);
}

static struct call *call_of(osip_transaction_t *tr)
{
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != U_FREE && (calls[i].ict == tr || calls[i].bye == tr || calls[i].cancel == tr))
            return &calls[i];
    return NULL;
}

static void on_ict(int type, osip_transaction_t *tr, osip_message_t *m)
{
    struct call *c = call_of(tr);
    if (!c)
        return;
    if (type == OSIP_ICT_STATUS_TIMEOUT || !m) {
        sx_note(c->no, "no final response within 64*T1");
        c->final_status = c->final_status ? c->final_status : 408;
        end_call(c, false);
        return;
    }
    if (m->status_code < 200) {
        if (c->st == U_CALLING)
            c->st = U_PROCEEDING;
        c->rsp = m;
        (void)prack_osip_uac_response(&c->uac, m);
        c->rsp = NULL;
        sx_rx_label(c->no, NULL, NULL);
        return;
    }
    if (m->status_code < 300) {
        on_2xx(c, m);
        return;
    }
    /* osip has sent the ACK of this final */
    sx_rx_label(c->no, NULL, NULL);
    c->final_status = (uint16_t)m->status_code;
    (void)prack_osip_uac_response(&c->uac, m);
    if (c->st == U_DONE)
        return;
    if ((m->status_code == 401 || m->status_code == 407) && !c->cancel_sent && opt.user[0] && c->auth_tries < 2) {
        remember_challenge(c, m);
        if (c->have_chal) {
            c->auth_tries++;
            c->cseq++;
            sx_note(c->no, "answering the challenge");
            if (send_invite(c, true))
                return;
        }
    }
    if (c->retry_pending && !c->retried && !c->cancel_sent) {
        c->retried = true;
        c->policy = c->retry_option == PRACK_OPTION_REQUIRE     ? PRACK_POLICY_REQUIRED
                    : c->retry_option == PRACK_OPTION_SUPPORTED ? PRACK_POLICY_SUPPORTED
                                                                : PRACK_POLICY_OFF;
        c->cseq++;
        sx_note(c->no, "retrying with 100rel %s", ex_policy_name((prack_policy_t)c->policy));
        if (send_invite(c, false))
            return;
    }
    end_call(c, false);
}

static void on_nict_again(int type, osip_transaction_t *tr, osip_message_t *m)
{
    (void)type;
    (void)m;
    oh_timer_e_again(tr, oh_t1);
}

static void on_nict(int type, osip_transaction_t *tr, osip_message_t *m)
{
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == U_FREE)
            continue;
        for (size_t s = 0; c->uac_on && m && (m->status_code == 401 || m->status_code == 407) && s < PRACK_OSIP_PRACKS; s++)
            if (c->uac.pracks[s].tr == tr)
                remember_challenge(c, m); /* before the engine asks for the PRACK again (R57) */
        if (c->uac_on && prack_osip_uac_prack_done(&c->uac, tr, type == OSIP_NICT_STATUS_TIMEOUT ? NULL : m))
            return;
        if (tr == c->bye && (type == OSIP_NICT_STATUS_TIMEOUT || (m && m->status_code >= 200))) {
            c->bye = NULL;
            end_call(c, m && m->status_code < 300 && !c->terminate && !c->cancel_sent);
            return;
        }
    }
}

static void stray(osip_message_t *m)
{
    if (MSG_IS_RESPONSE(m) && m->status_code >= 200 && m->status_code < 300 && m->cseq &&
        !strcmp(m->cseq->method, "INVITE")) {
        char *cid = NULL;
        osip_call_id_to_str(m->call_id, &cid);
        for (size_t i = 0; i < MAX_CALLS && cid; i++) {
            if (calls[i].st != U_FREE && calls[i].uac_on && !strcmp(calls[i].call_id, cid)) {
                on_2xx(&calls[i], m); /* after osip's INVITE transaction: retransmission or another fork */
                break;
            }
        }
        osip_free(cid);
        return;
    }
    sx_rx_label(0, NULL, "stray: ignored");
}

static void on_request(int type, osip_transaction_t *tr, osip_message_t *m)
{
    (void)type;
    osip_message_t *r = oh_response(m, MSG_IS_BYE(m) || MSG_IS_OPTIONS(m) ? 200 : 405, NULL);
    sx_rx_label(0, NULL, NULL);
    if (MSG_IS_BYE(m)) {
        char *cid = NULL;
        osip_call_id_to_str(m->call_id, &cid);
        for (size_t i = 0; i < MAX_CALLS && cid; i++)
            if (calls[i].st == U_ACCEPTED && !strcmp(calls[i].call_id, cid))
                end_call(&calls[i], !calls[i].terminate && calls[i].final_status < 300);
        osip_free(cid);
    }
    if (r && oh_send_on(tr, r) != 0)
        osip_message_free(r);
}

static void killed(osip_transaction_t *tr)
{
    for (size_t i = 0; i < MAX_CALLS; i++) {
        if (calls[i].ict == tr)
            calls[i].ict = NULL;
        if (calls[i].bye == tr)
            calls[i].bye = NULL;
        if (calls[i].cancel == tr)
            calls[i].cancel = NULL;
        if (calls[i].uac_on)
            for (size_t s = 0; s < PRACK_OSIP_PRACKS; s++)
                if (calls[i].uac.pracks[s].tr == tr)
                    calls[i].uac.pracks[s].tr = NULL;
    }
}

/* ------------------------------------------------------------------------- */
/* Calls and timers */

static bool start_call(void)
{
    struct call *c = NULL;
    for (size_t i = 0; i < MAX_CALLS && !c; i++)
        if (calls[i].st == U_FREE)
            c = &calls[i];
    if (!c)
        return false;
    memset(c, 0, sizeof(*c));
    c->no = ++stats.started;
    c->bye_at = c->linger_until = PRACK_TIME_NONE;
    ex_random_hex(c->call_id, 20);
    ex_random_hex(c->from_tag, 16);
    sx_call_bind(c->call_id, strlen(c->call_id), c->no);
    c->cseq = 1;
    c->policy = opt.policy;
    if (!send_invite(c, false)) {
        c->st = U_CALLING;
        end_call(c, false);
    }
    return true;
}

static bool any_active(void)
{
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != U_FREE && calls[i].st != U_DONE)
            return true;
    return false;
}

static prack_time_t next_start(void)
{
    if (stats.started >= opt.calls)
        return PRACK_TIME_NONE;
    if (opt.rate > 0.0)
        return t0 + (prack_time_t)((double)stats.started * 1000.0 / opt.rate);
    return any_active() ? PRACK_TIME_NONE : prack_osip_now();
}

static prack_time_t deadline(void)
{
    prack_time_t d = next_start();
    for (size_t i = 0; i < MAX_CALLS; i++) {
        if (calls[i].st == U_FREE)
            continue;
        d = calls[i].bye_at < d ? calls[i].bye_at : d;
        d = calls[i].linger_until < d ? calls[i].linger_until : d;
    }
    return d;
}

static void timers(void)
{
    prack_time_t now = prack_osip_now();
    while (next_start() <= now && start_call())
        ;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == U_FREE)
            continue;
        if (c->bye_at <= now) {
            c->bye_at = PRACK_TIME_NONE;
            if ((c->st == U_CALLING || c->st == U_PROCEEDING) && c->terminate && !c->cancel_sent && c->ict) {
                /* RFC 3261 9.1: the INVITE's Request-URI, Via, From, To, Call-ID and CSeq number */
                osip_message_t *m = NULL;
                if (osip_message_clone(c->ict->orig_request, &m) == 0) {
                    osip_free(m->sip_method);
                    m->sip_method = osip_strdup("CANCEL");
                    osip_free(m->cseq->method);
                    m->cseq->method = osip_strdup("CANCEL");
                    while (!osip_list_eol(&m->bodies, 0)) {
                        osip_body_free(osip_list_get(&m->bodies, 0));
                        osip_list_remove(&m->bodies, 0);
                    }
                    osip_content_type_free(m->content_type);
                    m->content_type = NULL;
                    /* the clone keeps the INVITE's serialized text: rebuild it from the fields */
                    osip_message_force_update(m);
                    c->cancel = send_request(m, NICT, c->no, NULL, NULL);
                    c->cancel_sent = true;
                    c->st = U_ENDING;
                }
            } else if (c->st == U_ACCEPTED && c->confirmed && !c->bye_sent) {
                send_bye(c, c->confirmed, c->terminate ? "PRACK failed" : NULL);
            }
        }
        if (c->linger_until <= now && c->st == U_DONE) {
            if (c->uac_on)
                prack_osip_uac_close(&c->uac);
            c->st = U_FREE;
        }
    }
}

static bool done(void)
{
    return stats.done >= opt.calls;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: prack-osip-uac [options] sip:user@host[:port]\n"
               "prack-uac on libosip2: a UAC over UDP that PRACKs reliable provisional responses.\n"
               "\n"
               "  --bind HOST:PORT        local address, numeric (default: loopback, ephemeral port)\n"
               "  --100rel MODE           off | supported | required (default supported)\n"
               "  --sdp yes|no            offer in the INVITE, or answer the 1xx offer in the PRACK\n"
               "  --hold MS               time in the call before BYE (default 0)\n"
               "  --retry                 after a 420 or 421 about 100rel, send a new INVITE with\n"
               "                          the option tag the engine suggests (default: the call\n"
               "                          ends with the 420/421; never a retry with --100rel off)\n"
               "  --user USER --password PASS   answer 401/407 challenges (INVITE, PRACK)\n"
               "  --on-prack-failure observe|terminate   (default observe)\n"
               "  --t1 MS                 T1 of the engine and of osip's transactions (default 500)\n"
               "  --calls N               number of calls (default 1)\n"
               "  --rate R                calls per second, concurrently (default: one after another)\n"
               "");
    sx_usage_common(f);
}

int main(int argc, char **argv)
{
    sx_common_t common = { NULL, PRACK_DEFAULT_T1_MS, 1 };
    oh_hooks_t hooks = { stray, killed, deadline, timers, done, NULL };
    const char *target = NULL;
    char host[64];
    unsigned port;
    unsigned long n;
    ex_prog = "prack-osip-uac";
    ex_clock_start();
    ex_random_init();
    sx_ladder_role(false);
    opt.policy = PRACK_POLICY_SUPPORTED;
    opt.sdp = true;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (sx_common_opt(argc, argv, &i, usage, &common))
            continue;
        else if ((v = ex_opt(argc, argv, &i, "--100rel")) != NULL) {
            opt.policy = sx_policy_opt(v);
        } else if ((v = ex_opt(argc, argv, &i, "--sdp")) != NULL) {
            if (strcmp(v, "yes") && strcmp(v, "no"))
                ex_usage_error(ex_prog, "--sdp: yes or no");
            opt.sdp = strcmp(v, "yes") == 0;
        } else if (strcmp(argv[i], "--retry") == 0) {
            opt.retry = true;
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
            if (strcmp(v, "observe") && strcmp(v, "terminate"))
                ex_usage_error(ex_prog, "--on-prack-failure: observe or terminate");
            opt.on_failure = strcmp(v, "terminate") == 0 ? PRACK_FAILURE_TERMINATE : PRACK_FAILURE_OBSERVE;
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
    oh_t1 = common.t1;
    opt.calls = common.calls;
    ex_show_call_no = opt.calls != 1;
    if (!target || strncmp(target, "sip:", 4) || strlen(target) >= sizeof(opt.target))
        ex_usage_error(ex_prog, "a target URI sip:user@host[:port] is required");
    strcpy(opt.target, target);
    {
        const char *at = strchr(target, '@');
        if (!sx_split_hostport(at ? at + 1 : target + 4, opt.dest_host, sizeof(opt.dest_host), &opt.dest_port, 5060))
            ex_usage_error(ex_prog, "'%s': a numeric host is needed", target);
    }
    if (common.bind) {
        if (!sx_split_hostport(common.bind, host, sizeof(host), &port, 0))
            ex_usage_error(ex_prog, "--bind: cannot use '%s'", common.bind);
    } else {
        snprintf(host, sizeof(host), "%s", strchr(opt.dest_host, ':') ? "::1" : "127.0.0.1");
        port = 0;
    }
    if (!oh_start(host, port, &hooks)) {
        fprintf(stderr, "prack-osip-uac: cannot bind %s\n", host);
        return 1;
    }
    for (int t = OSIP_ICT_STATUS_1XX_RECEIVED; t <= OSIP_ICT_STATUS_3456XX_RECEIVED_AGAIN; t++)
        osip_set_message_callback(oh_osip, t, on_ict);
    osip_set_message_callback(oh_osip, OSIP_ICT_STATUS_TIMEOUT, on_ict);
    for (int t = OSIP_NICT_STATUS_1XX_RECEIVED; t <= OSIP_NICT_STATUS_3456XX_RECEIVED_AGAIN; t++)
        osip_set_message_callback(oh_osip, t, on_nict);
    osip_set_message_callback(oh_osip, OSIP_NICT_STATUS_TIMEOUT, on_nict);
    osip_set_message_callback(oh_osip, OSIP_NICT_REQUEST_SENT_AGAIN, on_nict_again);
    for (int t = OSIP_NIST_REGISTER_RECEIVED; t <= OSIP_NIST_UNKNOWN_REQUEST_RECEIVED; t++)
        osip_set_message_callback(oh_osip, t, on_request);
    if (!ex_quiet) {
        printf("prack-osip-uac calling %s (libprack %s, libosip2, 100rel %s, T1 %u ms)\n", opt.target,
               prack_version(), ex_policy_name((prack_policy_t)opt.policy), oh_t1);
        fflush(stdout);
    }
    t0 = prack_osip_now();
    oh_run();
    sx_result("uac", stats.done, stats.ok, stats.last_final, stats.prack_sent, 0, stats.rel1xx);
    return stats.done == opt.calls && stats.ok == stats.done ? 0 : 1;
}
