/*
 * prack-libre-uac: prack-uac on libre. libre owns the socket, the INVITE and
 * non-INVITE client transactions (Timers A/B/E/F, the ACK of a non-2xx, CANCEL)
 * and the loop; the adapter (prack_re.c) runs the libprack UAC engine and
 * sends each PRACK in its early dialog. This file is the rest of a UA: calls,
 * the ACK of a 2xx, BYE, retries after 401/407/420/421, credentials.
 */
#include "prack_re.h"

#include <stdlib.h>
#include <string.h>

#include "../stacks_common.h"

#define MAX_CALLS 256u
#define MAX_FORKS 8u
#define ALLOW "INVITE, ACK, CANCEL, BYE, PRACK, OPTIONS"

static struct {
    char target[256];
    struct sa dest, bind;
    uint8_t policy, on_failure;
    uint32_t t1, hold;
    unsigned long calls;
    bool sdp, retry; /* retry: follow a RETRY_INVITE after 420/421 */
    double rate;
    char user[128], pass[128];
} opt;

enum state { U_FREE, U_CALLING, U_PROCEEDING, U_ACCEPTED, U_ENDING, U_DONE };

/* What this program keeps per early dialog, beside the adapter's fork. */
struct fx {
    bool got_sdp, answered, last_prack_sdp, confirmed;
};

struct call {
    enum state st;
    unsigned no;
    struct sip_dialog *dlg;     /* the INVITE's dialog; forks copy it */
    struct sip_auth *auth;
    struct sip_request *inv, *bye;
    struct prack_re_uac uac;
    bool uac_on;
    uint8_t policy;
    uint32_t inv_cseq;
    struct fx fx[MAX_FORKS + 1];
    struct prack_re_fork *confirmed;
    const struct sip_msg *rsp;  /* the INVITE response being handled */
    bool prack_body;            /* the PRACK about to go carries SDP */
    uint16_t final_status;
    unsigned auth_tries;
    bool terminate, cancel_sent, bye_sent, bye_auth, retried, retry_pending;
    uint8_t retry_option;
    struct tmr bye_at, linger, term;
};

static struct call calls[MAX_CALLS];
static struct sip *sip;
static struct tmr start_tmr;
static prack_time_t t0;
static struct {
    unsigned started, done, ok, last_final, prack_sent, rel1xx;
} stats;

static void start_calls(void *arg);

static void trace(bool tx, enum sip_transp tp, const struct sa *src, const struct sa *dst,
                  const uint8_t *pkt, size_t len, void *arg)
{
    (void)tp, (void)src, (void)dst, (void)arg;
    if (tx)
        sx_tx(NULL, (const char *)pkt, len);
    else
        sx_rx((const char *)pkt, len);
}

static struct fx *fx_of(struct call *c, const struct prack_re_fork *f)
{
    return &c->fx[f && f->no <= MAX_FORKS ? f->no : 0];
}

static const char *fork_note(struct call *c, const struct prack_re_fork *f, char *buf, size_t cap)
{
    if (!f || list_count(&c->uac.forks) < 2)
        return NULL;
    snprintf(buf, cap, "fork %u", f->no);
    return buf;
}

static void free_call(void *arg)
{
    struct call *c = arg;
    tmr_cancel(&c->bye_at), tmr_cancel(&c->linger), tmr_cancel(&c->term);
    if (c->uac_on)
        prack_re_uac_close(&c->uac);
    c->uac_on = false;
    c->inv = mem_deref(c->inv);
    c->bye = mem_deref(c->bye);
    c->dlg = mem_deref(c->dlg);
    c->auth = mem_deref(c->auth);
    c->st = U_FREE;
}

static void end_call(struct call *c, bool ok)
{
    if (c->st == U_DONE)
        return;
    c->st = U_DONE;
    tmr_cancel(&c->bye_at);
    tmr_start(&c->linger, 64u * (uint64_t)SIP_T1, free_call, c);
    stats.done++;
    stats.ok += ok ? 1u : 0u;
    stats.last_final = c->final_status;
    sx_note(c->no, "call over: %s (final %u)", ok ? "ok" : "FAILED", c->final_status);
    if (stats.done >= opt.calls)
        re_cancel();
    else if (opt.rate <= 0.0)
        tmr_start(&start_tmr, 0, start_calls, NULL);
}

/* ------------------------------------------------------------------------- */
/* What we send */

static int print_sdp(struct re_printf *pf, const struct call *c, bool sdp)
{
    char host[64], body[512];
    struct sa laddr;
    size_t n = 0;
    if (sdp) {
        if (sip_transp_laddr(sip, &laddr, SIP_TRANSP_UDP, &opt.dest))
            laddr = opt.bind;
        re_snprintf(host, sizeof(host), "%j", &laddr);
        n = sx_sdp(body, sizeof(body), "prack-uac", (uint32_t)c->no, host);
    }
    if (!n)
        return re_hprintf(pf, "Content-Length: 0\r\n\r\n");
    return re_hprintf(pf, "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%b", n, body, n);
}

/* The body of a PRACK: the adapter asks, act_h has decided. */
static int print_h(struct re_printf *pf, const prack_action_t *a, void *arg)
{
    struct call *c = arg;
    (void)a;
    return print_sdp(pf, c, c->prack_body);
}

static int print_invite(struct re_printf *pf, void *arg)
{
    struct call *c = arg;
    return re_hprintf(pf, "%sAllow: %s\r\n", prack_re_uac_option(&c->uac), ALLOW) | print_sdp(pf, c, opt.sdp);
}

/* libre asks for the Contact once it knows the local address. */
static int send_h(enum sip_transp tp, const struct sa *src, const struct sa *dst, struct mbuf *mb, void *arg)
{
    (void)tp, (void)dst, (void)arg;
    return mbuf_printf(mb, "Contact: <sip:prack-uac@%J>\r\n", src);
}

static int auth_h(char **user, char **pass, const char *realm, void *arg)
{
    (void)realm, (void)arg;
    if (!opt.user[0])
        return EAUTH;
    return str_dup(user, opt.user) | str_dup(pass, opt.pass);
}

static void bye_resp(int err, const struct sip_msg *msg, void *arg);

static void send_bye(struct call *c, struct prack_re_fork *f, const char *why)
{
    struct sip_request **req = f == c->confirmed ? &c->bye : NULL;
    struct sip_request *tmp = NULL;
    sx_tx_label(NULL, c->no, NULL, why);
    (void)sip_drequestf(req ? req : &tmp, sip, true, "BYE", f->dlg, 0, c->auth, NULL, req ? bye_resp : NULL,
                        c, "Content-Length: 0\r\n\r\n");
    mem_deref(tmp); /* the BYE of a second fork: nobody waits for its answer */
    if (f == c->confirmed) {
        c->bye_sent = true;
        c->st = U_ENDING;
    }
}

static void bye_resp(int err, const struct sip_msg *msg, void *arg)
{
    struct call *c = arg;
    if (msg && msg->scode < 200)
        return;
    c->bye = NULL;
    if (msg && (msg->scode == 401 || msg->scode == 407) && !c->bye_auth &&
        sip_auth_authenticate(c->auth, msg) == 0) {
        c->bye_auth = true;
        send_bye(c, c->confirmed, NULL);
        return;
    }
    (void)err;
    end_call(c, msg && msg->scode < 300 && !c->terminate && !c->cancel_sent);
}

static void hang_up(void *arg)
{
    struct call *c = arg;
    if (c->st == U_ACCEPTED && c->confirmed)
        send_bye(c, c->confirmed, NULL);
}

struct body_arg {
    const struct call *c;
    bool sdp;
};

static int print_body(struct re_printf *pf, void *arg)
{
    const struct body_arg *b = arg;
    return print_sdp(pf, b->c, b->sdp);
}

static void send_ack(struct call *c, struct prack_re_fork *f, const struct sip_msg *msg)
{
    struct fx *x = fx_of(c, f);
    struct body_arg b = { c, !opt.sdp && !x->answered && mbuf_get_left(msg->mb) > 0 };
    x->answered = x->answered || b.sdp;
    sx_tx_label(NULL, c->no, b.sdp ? "SDP answer" : NULL, NULL);
    /* RFC 3261 13.2.2.4: the INVITE's CSeq, its own transaction, the dialog's route */
    (void)sip_drequestf(NULL, sip, false, "ACK", f->dlg, c->inv_cseq, NULL, NULL, NULL, NULL, "%H", print_body, &b);
}

/* ------------------------------------------------------------------------- */
/* Engine actions */

static void apply_terminate(struct call *c);

static void terminate_now(void *arg)
{
    apply_terminate(arg);
}

static void act_h(const prack_actions_t *acts, uint32_t i, struct prack_re_fork *f, void *arg)
{
    struct call *c = arg;
    const prack_action_t *a = &acts->v[i];
    struct fx *x = fx_of(c, f);
    char fk[16], note[64];
    if (i == 0 && c->rsp && c->rsp->scode < 200) {
        /* the 1xx itself, named from what the engine made of it */
        const char *role = "SDP";
        bool sdp = mbuf_get_left(c->rsp->mb) > 0;
        for (uint32_t k = 0; k < acts->n; k++) {
            if (acts->v[k].type == PRACK_ACT_SEND_PRACK && !(acts->v[k].flags & PRACK_AF_CACHED)) {
                if (acts->v[k].sdp == PRACK_SDP_ANSWER)
                    role = "SDP offer";
                else if (sdp && !x->got_sdp)
                    role = "SDP answer";
                if (sdp)
                    x->got_sdp = true;
            }
        }
        if (acts->v[0].type == PRACK_ACT_DELIVER_1XX && sdp)
            role = opt.sdp ? "SDP answer preview" : "SDP offer preview";
        sx_rx_label(c->no, role, fork_note(c, f, fk, sizeof(fk)));
    }
    switch (a->type) {
    case PRACK_ACT_SEND_PRACK:
        stats.prack_sent++;
        if (!(a->flags & PRACK_AF_AUTH))
            stats.rel1xx++;
        c->prack_body = a->sdp == PRACK_SDP_ANSWER || (a->sdp == PRACK_SDP_REPEAT && x->last_prack_sdp);
        x->last_prack_sdp = c->prack_body;
        x->answered = x->answered || a->sdp == PRACK_SDP_ANSWER;
        snprintf(note, sizeof(note), "%s%s%s", (a->flags & PRACK_AF_CACHED) ? "cached 1xx" : "",
                 fork_note(c, f, fk, sizeof(fk)) && (a->flags & PRACK_AF_CACHED) ? ", " : "",
                 fork_note(c, f, fk, sizeof(fk)) ? fk : "");
        sx_tx_label(NULL, c->no, c->prack_body && x->answered ? "SDP answer" : "SDP", note);
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
        tmr_start(&c->term, 0, terminate_now, c); /* once the batch is carried out */
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

/* After the actions: end the call if the engine asked to. */
static void apply_terminate(struct call *c)
{
    if (!c->terminate || c->st == U_DONE)
        return;
    if ((c->st == U_CALLING || c->st == U_PROCEEDING) && !c->cancel_sent && c->inv) {
        c->cancel_sent = true;
        c->st = U_ENDING;
        sip_request_cancel(c->inv); /* libre builds the CANCEL from the INVITE */
    } else if (c->st == U_ACCEPTED && c->confirmed && !c->bye_sent) {
        send_bye(c, c->confirmed, "PRACK failed");
    }
}

/* ------------------------------------------------------------------------- */
/* The INVITE and its responses */

static void invite_resp(int err, const struct sip_msg *msg, void *arg);

static int send_invite(struct call *c)
{
    prack_config_t cfg;
    prack_config_init(&cfg);
    cfg.t1_ms = opt.t1;
    cfg.policy = c->policy;
    cfg.on_prack_failure = opt.on_failure;
    if (c->uac_on)
        prack_re_uac_close(&c->uac);
    memset(c->fx, 0, sizeof(c->fx));
    c->confirmed = NULL;
    c->retry_pending = false;
    c->inv_cseq = sip_dialog_lseq(c->dlg);
    if (prack_re_uac_init(&c->uac, sip, c->dlg, c->auth, &cfg, opt.sdp ? PRACK_UAC_INVITE_SDP : 0u, print_h,
                          act_h, c))
        return EINVAL;
    c->uac_on = true;
    c->st = U_CALLING;
    sx_tx_label(NULL, c->no, "SDP offer", NULL);
    c->inv = mem_deref(c->inv);
    return sip_drequestf(&c->inv, sip, true, "INVITE", c->dlg, 0, c->auth, send_h, invite_resp, c, "%H",
                         print_invite, c);
}

static void on_2xx(struct call *c, const struct sip_msg *msg)
{
    struct prack_re_fork *f = prack_re_uac_fork(&c->uac, msg);
    struct fx *x = fx_of(c, f);
    char fk[16];
    if (f && x->confirmed) {
        sx_rx_label(c->no, "SDP", "retransmission"); /* RFC 3261 13.2.2.4: the same ACK again */
        send_ack(c, f, msg);
        return;
    }
    sx_rx_label(c->no, mbuf_get_left(msg->mb) && !x->got_sdp ? (opt.sdp ? "SDP answer" : "SDP offer") : "SDP",
                fork_note(c, f, fk, sizeof(fk)));
    if (!f)
        return;
    c->rsp = msg;
    (void)prack_re_uac_response(&c->uac, msg);
    c->rsp = NULL;
    x->got_sdp = x->got_sdp || mbuf_get_left(msg->mb) > 0;
    x->confirmed = true;
    send_ack(c, f, msg);
    if (c->confirmed || c->st == U_DONE) {
        send_bye(c, f, "second 2xx"); /* RFC 3261 13.2.2.4: another fork answered too */
        return;
    }
    c->confirmed = f;
    c->final_status = msg->scode;
    c->st = U_ACCEPTED;
    sx_note(c->no, "call established%s", opt.hold ? "" : "; hanging up");
    if (c->terminate || c->cancel_sent)
        send_bye(c, f, c->terminate ? "PRACK failed" : "cancelled");
    else
        tmr_start(&c->bye_at, opt.hold, hang_up, c);
}

static void invite_resp(int err, const struct sip_msg *msg, void *arg)
{
    struct call *c = arg;
    if (!msg) {
        c->inv = NULL;
        sx_note(c->no, "no final response within 64*T1 (%s)", strerror(err));
        c->final_status = c->final_status ? c->final_status : 408;
        end_call(c, false);
        return;
    }
    if (msg->scode < 200) {
        if (c->st == U_CALLING)
            c->st = U_PROCEEDING;
        c->rsp = msg;
        (void)prack_re_uac_response(&c->uac, msg);
        c->rsp = NULL;
        sx_rx_label(c->no, NULL, NULL);
        apply_terminate(c);
        return;
    }
    c->inv = NULL;
    if (msg->scode < 300) {
        on_2xx(c, msg);
        return;
    }
    /* libre has sent the ACK of this final */
    sx_rx_label(c->no, NULL, NULL);
    c->final_status = msg->scode;
    (void)prack_re_uac_response(&c->uac, msg);
    if (c->st == U_DONE)
        return;
    if ((msg->scode == 401 || msg->scode == 407) && !c->cancel_sent && opt.user[0] && c->auth_tries < 2 &&
        sip_auth_authenticate(c->auth, msg) == 0) {
        c->auth_tries++;
        sx_note(c->no, "answering the challenge");
        if (send_invite(c) == 0)
            return;
    }
    if (c->retry_pending && !c->retried && !c->cancel_sent) {
        /* RFC 3261 8.1.3.5 / 21.4.16: again, with the option tag the engine names */
        c->retried = true;
        c->policy = c->retry_option == PRACK_OPTION_REQUIRE     ? PRACK_POLICY_REQUIRED
                    : c->retry_option == PRACK_OPTION_SUPPORTED ? PRACK_POLICY_SUPPORTED
                                                                : PRACK_POLICY_OFF;
        sx_note(c->no, "retrying with 100rel %s", ex_policy_name((prack_policy_t)c->policy));
        if (send_invite(c) == 0)
            return;
    }
    end_call(c, false);
}

/* 2xx that libre's INVITE transaction no longer takes (retransmissions, other forks). */
static bool on_response(const struct sip_msg *msg, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st != U_FREE && c->uac_on && sip_dialog_cmp_half(c->dlg, msg) &&
            !pl_strcmp(&msg->cseq.met, "INVITE") && msg->cseq.num == c->inv_cseq && msg->scode >= 200 &&
            msg->scode < 300) {
            on_2xx(c, msg);
            return true;
        }
    }
    sx_rx_label(0, NULL, "stray response: ignored");
    return true;
}

/* Requests from the far end: a BYE, OPTIONS. */
static bool on_request(const struct sip_msg *msg, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < MAX_CALLS; i++) {
        struct call *c = &calls[i];
        if (c->st == U_FREE || !c->confirmed || !sip_dialog_cmp(c->confirmed->dlg, msg))
            continue;
        sx_rx_label(c->no, NULL, NULL);
        if (!pl_strcmp(&msg->met, "BYE")) {
            (void)sip_treply(NULL, sip, msg, 200, "OK");
            end_call(c, !c->terminate && !c->cancel_sent && c->final_status < 300);
        } else if (pl_strcmp(&msg->met, "ACK")) {
            (void)sip_treplyf(NULL, NULL, sip, msg, false, 405, "Method Not Allowed",
                              "Allow: " ALLOW "\r\nContent-Length: 0\r\n\r\n");
        }
        return true;
    }
    sx_rx_label(0, NULL, NULL);
    if (!pl_strcmp(&msg->met, "OPTIONS"))
        (void)sip_treplyf(NULL, NULL, sip, msg, false, 200, "OK", "Allow: " ALLOW "\r\nContent-Length: 0\r\n\r\n");
    else if (pl_strcmp(&msg->met, "ACK"))
        (void)sip_treply(NULL, sip, msg, 481, "Call/Transaction Does Not Exist");
    return true;
}

/* ------------------------------------------------------------------------- */
/* Calls */

static bool start_call(void)
{
    struct call *c = NULL;
    char from[128];
    struct sa laddr;
    for (size_t i = 0; i < MAX_CALLS && !c; i++)
        if (calls[i].st == U_FREE)
            c = &calls[i];
    if (!c)
        return false;
    memset(c, 0, sizeof(*c));
    tmr_init(&c->bye_at), tmr_init(&c->linger), tmr_init(&c->term);
    c->no = ++stats.started;
    c->policy = opt.policy;
    if (sip_transp_laddr(sip, &laddr, SIP_TRANSP_UDP, &opt.dest))
        laddr = opt.bind;
    re_snprintf(from, sizeof(from), "sip:prack-uac@%J", &laddr);
    if (sip_dialog_alloc(&c->dlg, opt.target, opt.target, NULL, from, NULL, 0) ||
        sip_auth_alloc(&c->auth, auth_h, NULL, true)) {
        c->st = U_CALLING;
        end_call(c, false);
        return true;
    }
    sx_call_bind(sip_dialog_callid(c->dlg), strlen(sip_dialog_callid(c->dlg)), c->no);
    if (send_invite(c)) {
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

static void start_calls(void *arg)
{
    (void)arg;
    while (stats.started < opt.calls) {
        if (opt.rate <= 0.0 && any_active())
            return;
        if (opt.rate > 0.0) {
            prack_time_t due = t0 + (prack_time_t)((double)stats.started * 1000.0 / opt.rate), now = ex_now();
            if (due > now) {
                tmr_start(&start_tmr, due - now, start_calls, NULL);
                return;
            }
        }
        if (!start_call()) {
            tmr_start(&start_tmr, 10, start_calls, NULL); /* table full */
            return;
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Options and main */

static void usage(FILE *f)
{
    fprintf(f, "usage: prack-libre-uac [options] sip:user@host[:port]\n"
               "prack-uac on the libre SIP stack: a UAC over UDP that PRACKs reliable provisional responses.\n"
               "\n"
               "  --bind HOST:PORT        local address (default: loopback, ephemeral port)\n"
               "  --100rel MODE           off | supported | required (default supported)\n"
               "  --sdp yes|no            offer in the INVITE, or answer the 1xx offer in the PRACK\n"
               "  --hold MS               time in the call before BYE (default 0)\n"
               "  --retry                 after a 420 or 421 about 100rel, send a new INVITE with\n"
               "                          the option tag the engine suggests (default: the call\n"
               "                          ends with the 420/421; never a retry with --100rel off)\n"
               "  --user USER --password PASS   answer 401/407 challenges (INVITE, PRACK, BYE)\n"
               "  --on-prack-failure observe|terminate   (default observe)\n"
               "  --t1 MS                 T1 of the engine (default 500; libre's own timers keep 500)\n"
               "  --calls N               number of calls (default 1)\n"
               "  --rate R                calls per second, concurrently (default: one after another)\n"
               "");
    sx_usage_common(f);
}

static void parse_args(int argc, char **argv)
{
    sx_common_t common = { NULL, PRACK_DEFAULT_T1_MS, 1 };
    const char *target = NULL;
    char host[128];
    unsigned port;
    unsigned long n;
    struct uri uri;
    struct pl pl;
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
    opt.t1 = common.t1;
    opt.calls = common.calls;
    if (!target)
        ex_usage_error(ex_prog, "a target URI sip:user@host[:port] is required");
    pl_set_str(&pl, target);
    if (strncmp(target, "sip:", 4) || strlen(target) >= sizeof(opt.target) || uri_decode(&uri, &pl) ||
        sa_set(&opt.dest, &uri.host, uri.port ? uri.port : 5060))
        ex_usage_error(ex_prog, "'%s' is not a sip: URI with a numeric host", target);
    strcpy(opt.target, target);
    if (common.bind) {
        if (!sx_split_hostport(common.bind, host, sizeof(host), &port, 0) || sa_set_str(&opt.bind, host, (uint16_t)port))
            ex_usage_error(ex_prog, "--bind: cannot use '%s'", common.bind);
    } else {
        (void)sa_set_str(&opt.bind, sa_af(&opt.dest) == AF_INET6 ? "::1" : "127.0.0.1", 0);
    }
}

static void on_signal(int sig)
{
    (void)sig;
    re_cancel();
}

int main(int argc, char **argv)
{
    struct sip_lsnr *lreq = NULL, *lrsp = NULL;
    char software[64];
    ex_prog = "prack-libre-uac";
    ex_clock_start();
    ex_random_init();
    sx_ladder_role(false);
    parse_args(argc, argv);
    ex_show_call_no = opt.calls != 1;
    re_snprintf(software, sizeof(software), "prack-libre-uac (libprack %s)", prack_version());
    if (libre_init() || sip_alloc(&sip, NULL, 32, 32, 32, software, NULL, NULL) ||
        sip_transp_add(sip, SIP_TRANSP_UDP, &opt.bind) || sip_listen(&lreq, sip, true, on_request, NULL) ||
        sip_listen(&lrsp, sip, false, on_response, NULL)) {
        re_fprintf(stderr, "prack-libre-uac: cannot bind %J\n", &opt.bind);
        return 1;
    }
    sip_set_trace_handler(sip, trace);
    if (!ex_quiet) {
        printf("prack-libre-uac calling %s (libprack %s, libre, 100rel %s, T1 %u ms)\n", opt.target,
               prack_version(), ex_policy_name((prack_policy_t)opt.policy), opt.t1);
        fflush(stdout);
    }
    tmr_init(&start_tmr);
    t0 = ex_now();
    start_calls(NULL);
    sx_on_stop(on_signal);
    (void)re_main(NULL);
    tmr_cancel(&start_tmr);
    sx_result("uac", stats.done, stats.ok, stats.last_final, stats.prack_sent, 0, stats.rel1xx);
    for (size_t i = 0; i < MAX_CALLS; i++)
        if (calls[i].st != U_FREE)
            free_call(&calls[i]);
    mem_deref(lreq);
    mem_deref(lrsp);
    sip_close(sip, true);
    mem_deref(sip);
    libre_close();
    return stats.done == opt.calls && stats.ok == stats.done ? 0 : 1;
}
