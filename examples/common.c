/*
 * Helpers shared by prack-uac and prack-uas (see common.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

#include "prack/header.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Addresses and sockets */

static int lookup(const char *host, unsigned port, int family, ex_addr_t *a)
{
    struct addrinfo hints, *res = NULL;
    char ports[8];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(ports, sizeof(ports), "%u", port);
    if (getaddrinfo(host, ports, &hints, &res) != 0 || !res)
        return -1;
    memset(a, 0, sizeof(*a));
    memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
    a->len = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int ex_addr_parse(const char *text, unsigned default_port, ex_addr_t *a)
{
    char host[256];
    unsigned long port = default_port;
    const char *colon = NULL;
    size_t hl;

    if (text[0] == '[') {
        const char *rb = strchr(text, ']');
        if (!rb)
            return -1;
        hl = (size_t)(rb - text - 1);
        if (hl == 0 || hl >= sizeof(host))
            return -1;
        memcpy(host, text + 1, hl);
        host[hl] = '\0';
        if (rb[1] == ':')
            colon = rb + 1;
        else if (rb[1] != '\0')
            return -1;
    } else {
        const char *first = strchr(text, ':');
        if (first && strchr(first + 1, ':')) {
            colon = NULL; /* a bare IPv6 address: no port */
            hl = strlen(text);
        } else {
            colon = first;
            hl = first ? (size_t)(first - text) : strlen(text);
        }
        if (hl == 0 || hl >= sizeof(host))
            return -1;
        memcpy(host, text, hl);
        host[hl] = '\0';
    }
    if (colon && !ex_parse_uint(colon + 1, 0, 65535, &port))
        return -1;
    return lookup(host, (unsigned)port, AF_UNSPEC, a);
}

int ex_addr_resolve(sip_str_t host, unsigned port, const ex_addr_t *like, ex_addr_t *a)
{
    char h[256];
    if (!sip_str_copy(h, sizeof(h), host) || h[0] == '\0')
        return -1;
    if (like && lookup(h, port, like->ss.ss_family, a) == 0)
        return 0;
    return lookup(h, port, AF_UNSPEC, a);
}

bool ex_addr_is_v6(const ex_addr_t *a)
{
    return a->ss.ss_family == AF_INET6;
}

void ex_addr_host(const ex_addr_t *a, char *buf, size_t cap, bool brackets)
{
    char tmp[INET6_ADDRSTRLEN];
    tmp[0] = '\0';
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)&a->ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, tmp, sizeof(tmp));
        snprintf(buf, cap, brackets ? "[%s]" : "%s", tmp);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)&a->ss;
        inet_ntop(AF_INET, &s4->sin_addr, tmp, sizeof(tmp));
        snprintf(buf, cap, "%s", tmp);
    }
}

unsigned ex_addr_port(const ex_addr_t *a)
{
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)(const void *)&a->ss)->sin_port);
}

void ex_addr_set_port(ex_addr_t *a, unsigned port)
{
    if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)(void *)&a->ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)(void *)&a->ss)->sin_port = htons((uint16_t)port);
}

void ex_addr_str(const ex_addr_t *a, char *buf, size_t cap)
{
    char h[INET6_ADDRSTRLEN + 2];
    ex_addr_host(a, h, sizeof(h), true);
    snprintf(buf, cap, "%s:%u", h, ex_addr_port(a));
}

bool ex_addr_unspecified(const ex_addr_t *a)
{
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)&a->ss;
        return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
    }
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)&a->ss;
    return s4->sin_addr.s_addr == htonl(INADDR_ANY);
}

int ex_udp_open(ex_addr_t *bind_addr)
{
    int fd = socket(bind_addr->ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (const struct sockaddr *)&bind_addr->ss, bind_addr->len) != 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    int rcvbuf = 1 << 20; /* bursts of load-test traffic */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    socklen_t len = sizeof(bind_addr->ss);
    if (getsockname(fd, (struct sockaddr *)&bind_addr->ss, &len) == 0)
        bind_addr->len = len;
    return fd;
}

void ex_local_for(int fd, const ex_addr_t *bound, const ex_addr_t *peer, ex_addr_t *out)
{
    (void)fd; /* the answer comes from a scratch socket, not from the program's */
    *out = *bound;
    if (!ex_addr_unspecified(bound))
        return;
    /* a connected UDP socket tells which source address routing picks */
    int s = socket(peer->ss.ss_family, SOCK_DGRAM, 0);
    if (s < 0)
        return;
    ex_addr_t tmp;
    tmp.len = sizeof(tmp.ss);
    if (connect(s, (const struct sockaddr *)&peer->ss, peer->len) == 0 &&
        getsockname(s, (struct sockaddr *)&tmp.ss, &tmp.len) == 0) {
        *out = tmp;
        ex_addr_set_port(out, ex_addr_port(bound));
    }
    close(s);
}

void ex_udp_send(int fd, const ex_addr_t *to, const char *msg, size_t len)
{
    ssize_t n;
    do
        n = sendto(fd, msg, len, 0, (const struct sockaddr *)&to->ss, to->len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        char a[64];
        ex_addr_str(to, a, sizeof(a));
        ex_warn("sendto %s: %s", a, strerror(errno));
    }
}

/* ------------------------------------------------------------------------- */
/* Time, randomness, signals */

static struct timespec clock_origin;

void ex_clock_start(void)
{
    clock_gettime(CLOCK_MONOTONIC, &clock_origin);
}

static int64_t elapsed_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)(ts.tv_sec - clock_origin.tv_sec) * 1000000 +
           (ts.tv_nsec - clock_origin.tv_nsec) / 1000;
}

prack_time_t ex_now(void)
{
    int64_t us = elapsed_us();
    return us > 0 ? (prack_time_t)us / 1000u : 0u;
}

/* xoshiro256** seeded from the kernel; fast, and never predictable from the time */
static uint64_t rng[4];

static uint64_t rotl64(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

static uint64_t rng_next(void)
{
    uint64_t r = rotl64(rng[1] * 5u, 7) * 9u;
    uint64_t t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl64(rng[3], 45);
    return r;
}

void ex_random_init(void)
{
    int fd = open("/dev/urandom", O_RDONLY);
    size_t got = 0;
    if (fd >= 0) {
        while (got < sizeof(rng)) {
            ssize_t n = read(fd, (char *)rng + got, sizeof(rng) - got);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                break;
            }
            got += (size_t)n;
        }
        close(fd);
    }
    if (got != sizeof(rng) || (rng[0] | rng[1] | rng[2] | rng[3]) == 0) {
        fprintf(stderr, "cannot read /dev/urandom\n");
        exit(1);
    }
}

uint32_t ex_random32(void)
{
    return (uint32_t)(rng_next() >> 32);
}

void ex_random_bytes(uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(rng_next() >> 56);
}

void ex_random_hex(char *out, size_t nhex)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < nhex; i++)
        out[i] = hx[rng_next() >> 60];
    out[nhex] = '\0';
}

void ex_branch(char out[32])
{
    memcpy(out, "z9hG4bK", 7);
    ex_random_hex(out + 7, 20);
}

volatile sig_atomic_t ex_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    ex_stop = 1;
}

void ex_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int ex_poll_timeout(prack_time_t now, prack_time_t deadline)
{
    if (deadline == PRACK_TIME_NONE)
        return 1000;
    if (deadline <= now)
        return 0;
    prack_time_t d = deadline - now;
    return d > 1000u ? 1000 : (int)d;
}

/* ------------------------------------------------------------------------- */
/* Ladder */

bool ex_quiet = false;
bool ex_show_call_no = false;
FILE *ex_trace = NULL;

/* CLOCK_MONOTONIC in microseconds, the same origin in every process of the
 * machine, so that traces of two programs merge into one time line. */
static long long mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void ex_trace_line(const char *kind, unsigned call_no, const char *a, const char *b, const char *c)
{
    if (!ex_trace)
        return;
    fprintf(ex_trace, "%lld\t%s\t%u\t%s\t%s\t%s\n", mono_us(), kind, call_no, a, b, c);
    fflush(ex_trace);
}

static void stamp(unsigned call_no)
{
    int64_t us = elapsed_us();
    printf("%5lld.%03lld  ", (long long)(us / 1000), (long long)(us % 1000));
    if (ex_show_call_no)
        printf("#%-4u ", call_no);
}

static void add_note(char *notes, size_t cap, const char *text)
{
    size_t n = strlen(notes);
    if (!text || !text[0] || n + 1 >= cap)
        return;
    snprintf(notes + n, cap - n, "%s%s", n ? ", " : "", text);
}

void ex_ladder_msg(unsigned call_no, bool from_uac, const char *msg, size_t len,
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
    if (err == SIP_E_START_LINE) {
        snprintf(desc, sizeof(desc), "(unparseable: %s)", sip_strerror(err));
    } else if (m.request) {
        const sip_header_t *h;
        if (sip_str_eq_exact(m.method, "INVITE") || sip_str_eq_exact(m.method, "OPTIONS"))
            snprintf(desc, sizeof(desc), "%.*s %.*s", SIP_STR_ARG(m.method), SIP_STR_ARG(m.uri));
        else
            snprintf(desc, sizeof(desc), "%.*s", SIP_STR_ARG(m.method));
        if ((h = sip_find(&m, SIP_H_RACK, NULL)) != NULL) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RAck=%.*s", SIP_STR_ARG(h->value));
        }
        if (sip_str_eq_exact(m.method, "INVITE")) {
            if (sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
                add_note(notes, sizeof(notes), "Require: 100rel");
            else if (sip_has_option(&m, SIP_H_SUPPORTED, "100rel") > 0)
                add_note(notes, sizeof(notes), "Supported: 100rel");
            else
                add_note(notes, sizeof(notes), "no 100rel");
        }
        if (sip_find(&m, SIP_H_AUTHORIZATION, NULL) || sip_find(&m, SIP_H_PROXY_AUTHORIZATION, NULL))
            add_note(notes, sizeof(notes), "with credentials");
        if (err != SIP_OK)
            add_note(notes, sizeof(notes), sip_strerror(err));
    } else {
        const sip_header_t *rseq = sip_find(&m, SIP_H_RSEQ, NULL);
        snprintf(desc, sizeof(desc), "%u %.*s", m.status, SIP_STR_ARG(m.reason));
        if (rseq) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RSeq=%.*s", SIP_STR_ARG(rseq->value));
        }
        if (err == SIP_OK && !sip_str_eq_exact(m.cseq_method, "INVITE")) {
            char to[40];
            snprintf(to, sizeof(to), "to %.*s", SIP_STR_ARG(m.cseq_method));
            add_note(notes, sizeof(notes), to);
        }
        if (m.status > 100 && m.status < 200 && sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0 &&
            rseq)
            add_note(notes, sizeof(notes), "reliable");
        if (m.status == 420 && sip_has_option(&m, SIP_H_UNSUPPORTED, "100rel") > 0)
            add_note(notes, sizeof(notes), "Unsupported: 100rel");
        if (m.status == 421 && sip_has_option(&m, SIP_H_REQUIRE, "100rel") > 0)
            add_note(notes, sizeof(notes), "Require: 100rel");
        if (m.status == 401 || m.status == 407)
            add_note(notes, sizeof(notes), "digest challenge");
        if (err != SIP_OK)
            add_note(notes, sizeof(notes), sip_strerror(err));
    }
    if (err == SIP_OK && sip_has_sdp(&m))
        add_note(notes, sizeof(notes), sdp_role ? sdp_role : "SDP");
    add_note(notes, sizeof(notes), extra);

    ex_trace_line("msg", call_no, from_uac ? "uac>uas" : "uas>uac", desc, notes);
    if (ex_quiet)
        return;
    stamp(call_no);
    printf("%s  %s%s%s%s\n", from_uac ? "UAC -> UAS" : "UAC <- UAS", desc, notes[0] ? " (" : "",
           notes, notes[0] ? ")" : "");
    fflush(stdout);
}

void ex_note(unsigned call_no, const char *fmt, ...)
{
    if (ex_quiet && !ex_trace)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ex_trace_line("note", call_no, "-", text, "");
    if (ex_quiet)
        return;
    stamp(call_no);
    printf("            . %s\n", text);
    fflush(stdout);
}

void ex_warn(const char *fmt, ...)
{
    va_list ap;
    int64_t us = elapsed_us();
    fprintf(stderr, "%5lld.%03lld  warning: ", (long long)(us / 1000), (long long)(us % 1000));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

void ex_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx)
{
    ex_result_more(role, calls, ok, final_status, prack_sent, prack_rcvd, rel1xx, NULL);
}

void ex_result_more(const char *role, unsigned calls, unsigned ok, unsigned final_status,
                    unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx, const char *more)
{
    char line[384];
    snprintf(line, sizeof(line),
             "RESULT role=%s calls=%u ok=%u final=%u prack_sent=%u prack_rcvd=%u rel1xx=%u%s%s",
             role, calls, ok, final_status, prack_sent, prack_rcvd, rel1xx, more ? " " : "",
             more ? more : "");
    printf("%s\n", line);
    ex_trace_line("result", 0, "-", line, "");
    fflush(stdout);
}

/* ------------------------------------------------------------------------- */
/* Options */

bool ex_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10u)
            return false;
        v = v * 10u + d;
    }
    if (v < min)
        return false;
    *out = v;
    return true;
}

bool ex_parse_policy(const char *s, prack_policy_t *out)
{
    if (strcmp(s, "off") == 0)
        *out = PRACK_POLICY_OFF;
    else if (strcmp(s, "supported") == 0)
        *out = PRACK_POLICY_SUPPORTED;
    else if (strcmp(s, "required") == 0)
        *out = PRACK_POLICY_REQUIRED;
    else
        return false;
    return true;
}

const char *ex_policy_name(prack_policy_t p)
{
    switch (p) {
    case PRACK_POLICY_OFF: return "off";
    case PRACK_POLICY_SUPPORTED: return "supported";
    case PRACK_POLICY_REQUIRED: return "required";
    }
    return "?";
}

const char *ex_prog = "example";

const char *ex_opt(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strcmp(a, name) == 0) {
        if (*i + 1 >= argc)
            ex_usage_error(ex_prog, "%s needs a value", name);
        *i += 1;
        return argv[*i];
    }
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    return NULL;
}

void ex_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try --help)\n");
    exit(2);
}

/* ------------------------------------------------------------------------- */
/* Timers E and F */

void ex_nict_start(ex_nict_t *t, uint32_t t1, prack_time_t now)
{
    t->interval = t1;
    t->next = now + t1;
    t->deadline = now + 64u * (prack_time_t)t1;
    t->proceeding = false;
}

int ex_nict_tick(ex_nict_t *t, prack_time_t now)
{
    if (now >= t->deadline)
        return -1;
    if (t->next == PRACK_TIME_NONE || now < t->next)
        return 0;
    if (t->proceeding)
        t->interval = EX_T2_MS;
    else
        t->interval = t->interval * 2u < EX_T2_MS ? t->interval * 2u : EX_T2_MS;
    t->next += t->interval;
    if (t->next <= now)
        t->next = now + t->interval;
    return 1;
}

prack_time_t ex_nict_deadline(const ex_nict_t *t)
{
    return ex_min(t->next, t->deadline);
}

bool ex_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), ex_common_opts_t *o)
{
    const char *v;
    unsigned long n;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        usage(stdout);
        exit(0);
    } else if (strcmp(argv[*i], "--version") == 0) {
        printf("%s (libprack %s)\n", ex_prog, prack_version());
        exit(0);
    } else if (strcmp(argv[*i], "--quiet") == 0) {
        ex_quiet = true;
    } else if ((v = ex_opt(argc, argv, i, "--trace")) != NULL) {
        if (ex_trace)
            fclose(ex_trace);
        ex_trace = fopen(v, "w");
        if (!ex_trace)
            ex_usage_error(ex_prog, "--trace: cannot write '%s'", v);
    } else if ((v = ex_opt(argc, argv, i, "--bind")) != NULL) {
        o->bind_text = v;
    } else if ((v = ex_opt(argc, argv, i, "--t1")) != NULL) {
        if (!ex_parse_uint(v, 1, 60000, &n))
            ex_usage_error(ex_prog, "--t1: 1..60000 ms");
        o->t1 = (uint32_t)n;
    } else if ((v = ex_opt(argc, argv, i, "--calls")) != NULL) {
        if (!ex_parse_uint(v, 1, 100000000, &o->calls))
            ex_usage_error(ex_prog, "--calls: a positive number");
    } else {
        return false;
    }
    return true;
}

void ex_invite_facts(const sip_msg_t *m, prack_invite_t *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->cseq = m->cseq;
    if (sip_has_option(m, SIP_H_SUPPORTED, "100rel") > 0)
        inv->flags |= PRACK_INV_SUPPORTED_100REL;
    if (sip_has_option(m, SIP_H_REQUIRE, "100rel") > 0)
        inv->flags |= PRACK_INV_REQUIRE_100REL;
    if (sip_has_sdp(m))
        inv->flags |= PRACK_INV_SDP;
}

void ex_prack_facts(const sip_msg_t *m, prack_prack_t *pr)
{
    memset(pr, 0, sizeof(*pr));
    const sip_header_t *h = sip_find(m, SIP_H_RACK, NULL);
    prack_rack_t rack;
    if (h && !sip_find(m, SIP_H_RACK, h) &&
        prack_parse_rack(h->value.p, h->value.n, &rack) == PRACK_OK) {
        pr->flags |= PRACK_PR_RACK;
        pr->rack_rseq = rack.rseq;
        pr->rack_cseq = rack.cseq;
        pr->method = rack.method;
        pr->method_len = rack.method_len;
    }
    /* the PRACK's own CSeq: with the RAck it tells the engine a retransmission
     * of the PRACK it answered 200 from a new PRACK for the same 1xx (481) */
    pr->cseq = m->cseq;
    if (sip_has_sdp(m))
        pr->flags |= PRACK_PR_SDP;
}

void ex_response_facts(const sip_msg_t *m, prack_response_t *r)
{
    memset(r, 0, sizeof(*r));
    r->status = (uint16_t)m->status;
    r->method = PRACK_METHOD_INVITE;
    r->cseq = m->cseq;
    if (sip_has_option(m, SIP_H_REQUIRE, "100rel") > 0)
        r->flags |= PRACK_RSP_REQUIRE_100REL;
    if (sip_has_option(m, SIP_H_UNSUPPORTED, "100rel") > 0)
        r->flags |= PRACK_RSP_UNSUPPORTED_100REL;
    const sip_header_t *h = sip_find(m, SIP_H_RSEQ, NULL);
    if (h) {
        uint32_t v = 0;
        r->flags |= PRACK_RSP_RSEQ;
        if (!sip_find(m, SIP_H_RSEQ, h) && prack_parse_rseq(h->value.p, h->value.n, &v) == PRACK_OK)
            r->rseq = v;
    }
    if (sip_has_sdp(m))
        r->flags |= PRACK_RSP_SDP;
}

int ex_poll_receive(int sock, prack_time_t now, prack_time_t deadline, char *buf, ex_datagram_fn fn)
{
    struct pollfd pfd = { sock, POLLIN, 0 };
    int rc = poll(&pfd, 1, ex_poll_timeout(now, deadline));
    if (rc < 0 && errno != EINTR) {
        perror("poll");
        return -1;
    }
    /* bounded, so that timers still run under a flood */
    for (int k = 0; rc > 0 && k < 256; k++) {
        ex_addr_t src;
        src.len = sizeof(src.ss);
        ssize_t n = recvfrom(sock, buf, SIP_MAX_DGRAM, 0, (struct sockaddr *)&src.ss, &src.len);
        if (n < 0)
            break;
        fn(buf, (size_t)n, &src, ex_now());
    }
    return 0;
}

void ex_uac_route_set(const sip_msg_t *m, char *route, size_t route_cap, char *first,
                      size_t first_cap)
{
    sip_str_t rr[SIP_MAX_ROUTES];
    size_t n = sip_routes(m, SIP_H_RECORD_ROUTE, rr, SIP_MAX_ROUTES);
    sip_buf_t b;
    sb_init(&b, route, route_cap);
    for (size_t i = n; i-- > 0;)
        sb_printf(&b, "%s%.*s", b.len ? ", " : "", SIP_STR_ARG(rr[i]));
    if (b.overflow)
        route[0] = '\0';
    first[0] = '\0';
    if (n) {
        sip_str_t uri, params;
        sip_split_nameaddr(rr[n - 1], &uri, &params);
        sip_str_copy(first, first_cap, uri);
    }
}
