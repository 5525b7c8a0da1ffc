/*
 * The host side of libosip2 (see osip_host.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "osip_host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../stacks_common.h"
#include "prack_osip.h"

osip_t *oh_osip;
uint32_t oh_t1 = PRACK_DEFAULT_T1_MS;
char oh_host[64];
unsigned oh_port;

/* ------------------------------------------------------------------------- */
/* What osip leaves to its host: T1, building responses and in-dialog requests */

/* Lengths and the first deadlines, which osip set from DEFAULT_T1 when it made the transaction. */
void oh_set_t1(osip_transaction_t *tr, uint32_t t1)
{
    int a = (int)t1, b = 64 * (int)t1;
    if (tr->ict_context) {
        tr->ict_context->timer_a_length = a;
        tr->ict_context->timer_b_length = b;
        osip_gettimeofday(&tr->ict_context->timer_a_start, NULL);
        tr->ict_context->timer_b_start = tr->ict_context->timer_a_start;
        add_gettimeofday(&tr->ict_context->timer_a_start, a);
        add_gettimeofday(&tr->ict_context->timer_b_start, b);
    }
    if (tr->nict_context) {
        tr->nict_context->timer_e_length = a;
        tr->nict_context->timer_f_length = b;
        osip_gettimeofday(&tr->nict_context->timer_e_start, NULL);
        tr->nict_context->timer_f_start = tr->nict_context->timer_e_start;
        add_gettimeofday(&tr->nict_context->timer_e_start, a);
        add_gettimeofday(&tr->nict_context->timer_f_start, b);
    }
    if (tr->ist_context) {
        tr->ist_context->timer_g_length = a;
        tr->ist_context->timer_h_length = b;
    }
    if (tr->nist_context)
        tr->nist_context->timer_j_length = b;
}

void oh_timer_e_again(osip_transaction_t *tr, uint32_t t1)
{
    struct timeval now;
    long elapsed, len = (long)t1;
    /* in Proceeding (or over TCP) libosip2's own value is already right */
    if (!tr->nict_context || tr->state != NICT_TRYING || tr->nict_context->timer_e_length <= 0 || t1 == 0)
        return;
    osip_gettimeofday(&now, NULL);
    elapsed = (long)(now.tv_sec - tr->created_time.tv_sec) * 1000L +
              (long)(now.tv_usec - tr->created_time.tv_usec) / 1000L;
    /* sends at 0, t1, 3*t1, 7*t1...: the interval after this one is the first power-of-two multiple above it */
    while (len <= elapsed && len < 4000L)
        len *= 2;
    if (len > 4000L)
        len = 4000L;
    tr->nict_context->timer_e_length = (int)len;
    osip_gettimeofday(&tr->nict_context->timer_e_start, NULL);
    add_gettimeofday(&tr->nict_context->timer_e_start, (int)len);
}

/* osip's parameter lookups take a non-const name */
static char tag_name[] = "tag";

/* osip's clone functions, in the type osip_list_clone() wants. */
static int via_clone(void *src, void **dst)
{
    return osip_via_clone(src, (osip_via_t **)dst);
}

static int from_clone(void *src, void **dst)
{
    return osip_from_clone(src, (osip_from_t **)dst);
}

osip_message_t *oh_response(const osip_message_t *req, int status, const char *to_tag)
{
    osip_message_t *r = NULL;
    osip_generic_param_t *tag = NULL;
    if (osip_message_init(&r) != 0)
        return NULL;
    osip_message_set_version(r, osip_strdup("SIP/2.0"));
    osip_message_set_status_code(r, status);
    osip_message_set_reason_phrase(r, osip_strdup(sip_reason_phrase((unsigned)status)));
    if (osip_list_clone(&req->vias, &r->vias, via_clone) < 0 || osip_from_clone(req->from, &r->from) ||
        osip_to_clone(req->to, &r->to) || osip_call_id_clone(req->call_id, &r->call_id) ||
        osip_cseq_clone(req->cseq, &r->cseq)) {
        osip_message_free(r);
        return NULL;
    }
    if (to_tag && status > 100 && osip_generic_param_get_byname(&r->to->gen_params, tag_name, &tag) != 0)
        osip_to_set_tag(r->to, osip_strdup(to_tag));
    if (status > 100 && status < 300 && MSG_IS_INVITE(req))
        osip_list_clone(&req->record_routes, &r->record_routes, from_clone);
    return r;
}

int oh_send_on(osip_transaction_t *tr, osip_message_t *msg)
{
    osip_event_t *ev = osip_new_outgoing_sipmessage(msg);
    if (!ev)
        return -1;
    ev->transactionid = tr->transactionid;
    return osip_transaction_add_event(tr, ev);
}

osip_message_t *oh_dialog_request(osip_dialog_t *d, const osip_message_t *invite, const char *method, int cseq,
                                  const char *extra)
{
    const osip_via_t *via = osip_list_get(&invite->vias, 0);
    char *target = NULL, *to = NULL, *from = NULL, *cid = NULL, *route, buf[4096], branch[24];
    osip_message_t *m = NULL;
    int n;
    if (!via || !d->remote_contact_uri || osip_uri_to_str(d->remote_contact_uri->url, &target) ||
        osip_to_to_str(d->remote_uri, &to) || osip_from_to_str(invite->from, &from) ||
        osip_call_id_to_str(invite->call_id, &cid))
        goto out;
    ex_random_hex(branch, 20);
    n = snprintf(buf, sizeof(buf),
                 "%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s%s%s:%s;branch=z9hG4bK%s;rport\r\nMax-Forwards: 70\r\n"
                 "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n%s",
                 method, target, strchr(via->host, ':') ? "[" : "", via->host, strchr(via->host, ':') ? "]" : "",
                 via->port ? via->port : "5060", branch, from, to, cid, cseq ? cseq : ++d->local_cseq, method, extra);
    for (int i = 0; i < osip_list_size(&d->route_set) && n >= 0; i++) {
        if (osip_route_to_str(osip_list_get(&d->route_set, i), &route) == 0) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof(buf) - l, "Route: %s\r\n", route);
            osip_free(route);
        }
    }
    strncat(buf, "\r\n", sizeof(buf) - strlen(buf) - 1);
    if (osip_message_init(&m) == 0 && osip_message_parse(m, buf, strlen(buf)) != 0) {
        osip_message_free(m);
        m = NULL;
    }
out:
    osip_free(target);
    osip_free(to);
    osip_free(from);
    osip_free(cid);
    return m;
}

/* ------------------------------------------------------------------------- */
/* The socket and the loop */

static int sock = -1;
static const oh_hooks_t *hk;
static volatile sig_atomic_t stop;
static osip_transaction_t *dead[256];
static size_t ndead;

static bool resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    char ps[8];
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(ps, sizeof(ps), "%d", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res)
        return false;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

static void send_text(const void *key, const char *buf, size_t len, const char *host, int port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    sx_tx(key, buf, len);
    if (host && resolve(host, port ? port : 5060, &ss, &sl))
        (void)sendto(sock, buf, len, 0, (struct sockaddr *)&ss, sl);
}

void oh_send(osip_message_t *msg, const char *host, int port)
{
    char *buf = NULL;
    size_t len = 0;
    if (osip_message_to_str(msg, &buf, &len) == 0)
        send_text(msg, buf, len, host, port);
    osip_free(buf);
}

/* osip's transactions send through here. */
static int cb_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port, int out_socket)
{
    (void)tr, (void)out_socket;
    oh_send(msg, host, port);
    return 0;
}

void oh_reply_addr(const osip_message_t *req, char *host, size_t cap, int *port)
{
    osip_via_t *v = osip_list_get(&req->vias, 0);
    osip_generic_param_t *rc = NULL, *rp = NULL;
    host[0] = '\0';
    *port = 5060;
    if (!v)
        return;
    static char received[] = "received", rport[] = "rport"; /* osip takes a non-const name */
    osip_generic_param_get_byname(&v->via_params, received, &rc);
    osip_generic_param_get_byname(&v->via_params, rport, &rp);
    snprintf(host, cap, "%s", rc && rc->gvalue ? rc->gvalue : v->host);
    *port = rp && rp->gvalue ? atoi(rp->gvalue) : v->port ? atoi(v->port) : 5060;
}

static void killed(int type, osip_transaction_t *tr)
{
    (void)type;
    if (hk->killed)
        hk->killed(tr);
    osip_remove_transaction(oh_osip, tr);
    if (ndead < sizeof(dead) / sizeof(dead[0]))
        dead[ndead++] = tr;
}

static void receive(const char *buf, size_t len, const struct sockaddr_storage *ss)
{
    char ip[64];
    int port = ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)(const void *)ss)->sin6_port
                                               : ((const struct sockaddr_in *)(const void *)ss)->sin_port);
    osip_transaction_t *tr = NULL;
    sx_rx(buf, len);
    osip_event_t *ev = osip_parse(buf, len);
    if (!ev || !ev->sip) {
        osip_event_free(ev); /* unparseable: osip gives nothing to answer */
        return;
    }
    if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr, ip, sizeof(ip));
    else
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, ip, sizeof(ip));
    if (MSG_IS_REQUEST(ev->sip))
        osip_message_fix_last_via_header(ev->sip, ip, port);
    if (osip_find_transaction_and_add_event(oh_osip, ev) == 0)
        return;
    if (MSG_IS_INVITE(ev->sip) && hk->absorb && hk->absorb(ev->sip)) {
        osip_event_free(ev);
        return;
    }
    if (MSG_IS_REQUEST(ev->sip) && !MSG_IS_ACK(ev->sip) &&
        osip_transaction_init(&tr, MSG_IS_INVITE(ev->sip) ? IST : NIST, oh_osip, ev->sip) == 0) {
        oh_set_t1(tr, oh_t1);
        osip_transaction_add_event(tr, ev);
        return;
    }
    if (hk->stray)
        hk->stray(ev->sip);
    osip_event_free(ev);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

void oh_stop(void)
{
    stop = 1;
}

bool oh_start(const char *host, unsigned port, const oh_hooks_t *hooks)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    hk = hooks;
    if (!resolve(host, (int)port, &ss, &sl) || (sock = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0 ||
        bind(sock, (struct sockaddr *)&ss, sl) != 0)
        return false;
    sl = sizeof(ss);
    getsockname(sock, (struct sockaddr *)&ss, &sl);
    oh_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)(void *)&ss)->sin_port);
    snprintf(oh_host, sizeof(oh_host), "%s", host);
    if (osip_init(&oh_osip) != 0)
        return false;
    osip_set_cb_send_message(oh_osip, cb_send);
    for (int t = OSIP_ICT_KILL_TRANSACTION; t <= OSIP_NIST_KILL_TRANSACTION; t++)
        osip_set_kill_transaction_callback(oh_osip, t, killed);
    sx_on_stop(on_signal);
    return true;
}

static void execute(void)
{
    for (int k = 0; k < 3; k++) {
        osip_ict_execute(oh_osip);
        osip_ist_execute(oh_osip);
        osip_nict_execute(oh_osip);
        osip_nist_execute(oh_osip);
    }
}

void oh_run(void)
{
    static char buf[65536];
    while (!stop && !hk->done()) {
        struct timeval tv = { 1, 0 };
        prack_time_t now = prack_osip_now(), d = hk->deadline();
        long ms;
        osip_timers_gettimeout(oh_osip, &tv);
        ms = tv.tv_sec * 1000L + tv.tv_usec / 1000L;
        if (ms > 1000)
            ms = 1000;
        if (d != PRACK_TIME_NONE)
            ms = d <= now ? 0 : (long)(d - now) < ms ? (long)(d - now) : ms;
        struct pollfd pfd = { sock, POLLIN, 0 };
        if (poll(&pfd, 1, (int)(ms < 0 ? 0 : ms)) > 0) {
            for (int k = 0; k < 256; k++) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                ssize_t n = recvfrom(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
                if (n <= 0)
                    break;
                buf[n] = '\0';
                receive(buf, (size_t)n, &ss);
                execute();
            }
        }
        osip_timers_ict_execute(oh_osip);
        osip_timers_ist_execute(oh_osip);
        osip_timers_nict_execute(oh_osip);
        osip_timers_nist_execute(oh_osip);
        execute();
        hk->timers();
        execute();
        for (size_t i = 0; i < ndead; i++)
            osip_transaction_free2(dead[i]);
        ndead = 0;
        sx_flush();
    }
}
