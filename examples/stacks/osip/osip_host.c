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
        prack_osip_set_t1(tr, oh_t1);
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
    struct sigaction sa;
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
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
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
