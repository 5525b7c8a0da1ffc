/*
 * chaos-relay: a UDP relay for SIP between one UAC and one UAS that drops,
 * duplicates, delays and reorders datagrams, each direction on its own.
 *
 *   UAC <-> R [relay] S <-> UAS
 *
 * The UAC sends to socket R as if R were the UAS; what arrives on R leaves
 * from S towards the UAS, and what arrives on S leaves from R towards the
 * address the UAC last sent from. SIP carries addresses in its messages, so
 * the relay rewrites them to stay in the path: in UAC->UAS datagrams the
 * UAC's host:port becomes S's (Via, Contact, From) and R's becomes the UAS's
 * (Request-URI, To); in UAS->UAC datagrams the UAS's host:port becomes R's
 * (Contact, Record-Route) and S's becomes the UAC's. Each side therefore sees
 * its own addresses in what comes back, and every in-dialog request goes
 * through the relay. Content-Length is fixed when a body changes.
 *
 * The fault decisions come from a seeded xorshift generator per direction,
 * and every datagram draws the same amount of randomness whatever happens to
 * it: a run is reproducible given the seed and the order of arrivals.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define RELAY_DGRAM_MAX 65535u
/* Rewriting may lengthen a message; a little headroom per address replaced. */
#define RELAY_OUT_MAX (RELAY_DGRAM_MAX + 4096u)
/* Datagrams held back per direction at most; beyond, they go straight on. */
#define RELAY_QUEUE_MAX 64u
#define RELAY_ADDR_TEXT 64u
/* Datagrams read from one socket before looking at the timers again. */
#define RELAY_READ_BURST 64

typedef struct addr {
    struct sockaddr_storage ss;
    socklen_t len;
} addr_t;

/* xorshift64*: small, fast, and the same sequence on every platform. */
typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Spreads a user seed over the state so that nearby seeds give unrelated runs. */
static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    x ^= x >> 31;
    return x ? x : UINT64_C(1); /* xorshift must not start at zero */
}

typedef struct held {
    uint64_t due; /* monotonic ms */
    uint64_t seq; /* ties on `due` leave in arrival order */
    size_t len;
    char *data;
} held_t;

typedef struct counters {
    unsigned long received, forwarded, dropped, duplicated, reordered, rewritten;
    unsigned long body_rewritten, queue_full, send_errors, too_large, discarded;
} counters_t;

/* One direction of the relay. */
typedef struct dir {
    const char *name;
    double loss, dup, reorder;
    rng_t rng;
    int out_fd;
    const addr_t *dest; /* read at send time: the UAC's address may change */
    held_t q[RELAY_QUEUE_MAX];
    size_t nq;
    counters_t n;
    /* text replacements, applied in one pass */
    const char *from[2];
    const char *to[2];
} dir_t;

static struct options {
    addr_t r_addr, s_addr, uas_addr;
    bool have_r, have_s, have_uas;
    unsigned uac_port; /* 0: learn it from the first datagram on R */
    double loss_up, loss_down, dup, reorder;
    unsigned delay_lo, delay_hi;
    uint64_t seed;
    bool have_seed;
    unsigned long duration_s;
    bool verbose;
} opt;

static volatile sig_atomic_t stop_flag;
static uint64_t next_seq;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------------- */
/* Addresses */

static int addr_parse(const char *text, addr_t *a)
{
    char host[RELAY_ADDR_TEXT];
    const char *port_text;
    size_t hl;
    if (text[0] == '[') {
        const char *rb = strchr(text, ']');
        if (!rb || rb[1] != ':')
            return -1;
        hl = (size_t)(rb - text - 1);
        if (hl == 0 || hl >= sizeof(host))
            return -1;
        memcpy(host, text + 1, hl);
        port_text = rb + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - text);
        if (hl == 0 || hl >= sizeof(host))
            return -1;
        memcpy(host, text, hl);
        port_text = colon + 1;
    }
    host[hl] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(port_text, &end, 10);
    if (errno || !end || *end || end == port_text || port > 65535u)
        return -1;
    memset(a, 0, sizeof(*a));
    struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)&a->ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        a->len = sizeof(*v4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        a->len = sizeof(*v6);
        return 0;
    }
    return -1;
}

static unsigned addr_port(const addr_t *a)
{
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)(const void *)&a->ss)->sin_port);
}

static void addr_set_port(addr_t *a, unsigned port)
{
    if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)(void *)&a->ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)(void *)&a->ss)->sin_port = htons((uint16_t)port);
}

/* host:port as SIP writes it: [v6]:port for IPv6. */
static void addr_text(const addr_t *a, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN];
    if (a->ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_addr, host,
                  sizeof(host));
        snprintf(buf, cap, "[%s]:%u", host, addr_port(a));
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)&a->ss)->sin_addr, host,
                  sizeof(host));
        snprintf(buf, cap, "%s:%u", host, addr_port(a));
    }
}

static bool addr_equal(const addr_t *a, const addr_t *b)
{
    return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static int udp_open(addr_t *a)
{
    int fd = socket(a->ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    int buf = 1 << 20; /* bursts when many calls start at once */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
    socklen_t len = sizeof(a->ss);
    if (getsockname(fd, (struct sockaddr *)&a->ss, &len) == 0)
        a->len = len; /* port 0 becomes the port the kernel chose */
    return fd;
}

/* ------------------------------------------------------------------------- */
/* Rewriting */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_host_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-';
}

/*
 * Copies in[0..n) to out, replacing every whole occurrence of d->from[k] by
 * d->to[k]: "127.0.0.1:5070" must not match inside "127.0.0.1:50701" or
 * "10.127.0.0.1:5070". Returns the output length, or SIZE_MAX when it does
 * not fit; *hits counts the replacements.
 */
static size_t replace_all(const dir_t *d, const char *in, size_t n, char *out, size_t cap,
                          unsigned *hits)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool done = false;
        for (size_t k = 0; k < 2 && !done; k++) {
            const char *f = d->from[k];
            if (!f || !f[0])
                continue;
            size_t fl = strlen(f);
            if (fl > n - i || memcmp(in + i, f, fl) != 0)
                continue;
            if (i > 0 && is_host_char(in[i - 1]))
                continue;
            if (i + fl < n && is_digit(in[i + fl]))
                continue;
            size_t tl = strlen(d->to[k]);
            if (tl > cap - o)
                return SIZE_MAX;
            memcpy(out + o, d->to[k], tl);
            o += tl;
            i += fl;
            (*hits)++;
            done = true;
        }
        if (!done) {
            if (o == cap)
                return SIZE_MAX;
            out[o++] = in[i++];
        }
    }
    return o;
}

/* Where the body starts: after the first empty line; n when there is none. */
static size_t body_offset(const char *m, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (m[i] == '\n' && m[i + 1] == '\n')
            return i + 2;
        if (i + 3 < n && m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n')
            return i + 4;
    }
    return n;
}

/*
 * Sets the Content-Length (or compact "l") value in the header block
 * hdr[0..n) to body_len, writing the result to out. Returns the new length,
 * or SIZE_MAX when it does not fit.
 */
static size_t fix_content_length(const char *hdr, size_t n, size_t body_len, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    bool fixed = false;
    while (i < n) {
        size_t eol = i;
        while (eol < n && hdr[eol] != '\n')
            eol++;
        size_t line_end = eol < n ? eol + 1 : n;
        size_t name_len = 0;
        if (!fixed) {
            if (line_end - i > 14 && strncasecmp(hdr + i, "Content-Length", 14) == 0)
                name_len = 14;
            else if (line_end - i > 1 && (hdr[i] == 'l' || hdr[i] == 'L'))
                name_len = 1;
        }
        size_t p = i + name_len;
        while (name_len && p < line_end && (hdr[p] == ' ' || hdr[p] == '\t'))
            p++;
        if (name_len && p < line_end && hdr[p] == ':') {
            char num[32];
            int w = snprintf(num, sizeof(num), ": %zu", body_len);
            size_t prefix = name_len;
            size_t tail = eol > i && hdr[eol - 1] == '\r' ? 2u : 1u; /* keep the line ending */
            if (eol >= n)
                tail = 0;
            if (w < 0 || prefix + (size_t)w + tail > cap - o)
                return SIZE_MAX;
            memcpy(out + o, hdr + i, prefix);
            o += prefix;
            memcpy(out + o, num, (size_t)w);
            o += (size_t)w;
            memcpy(out + o, tail == 2 ? "\r\n" : "\n", tail);
            o += tail;
            fixed = true;
        } else {
            if (line_end - i > cap - o)
                return SIZE_MAX;
            memcpy(out + o, hdr + i, line_end - i);
            o += line_end - i;
        }
        i = line_end;
    }
    return o;
}

/*
 * The datagram as it leaves: addresses rewritten, Content-Length fixed when
 * the body changed. Returns its length; SIZE_MAX leaves the datagram as it
 * came (it does not fit the buffers, so it is no SIP message of ours).
 */
static size_t rewrite(dir_t *d, const char *in, size_t n, char *out, size_t cap)
{
    static char hdr[RELAY_OUT_MAX], body[RELAY_OUT_MAX];
    unsigned hh = 0, bh = 0;
    size_t bo = body_offset(in, n);
    size_t hl = replace_all(d, in, bo, hdr, sizeof(hdr), &hh);
    size_t bl = replace_all(d, in + bo, n - bo, body, sizeof(body), &bh);
    if (hl == SIZE_MAX || bl == SIZE_MAX)
        return SIZE_MAX;
    if (bh) {
        d->n.body_rewritten++;
        size_t fl = fix_content_length(hdr, hl, bl, out, cap);
        if (fl == SIZE_MAX)
            return SIZE_MAX;
        memcpy(hdr, out, fl);
        hl = fl;
    }
    if (hl + bl > cap)
        return SIZE_MAX;
    memcpy(out, hdr, hl);
    memcpy(out + hl, body, bl);
    if (hh || bh)
        d->n.rewritten++;
    return hl + bl;
}

/* ------------------------------------------------------------------------- */
/* Forwarding */

/* The value of header NAME (or its compact form C) in m[0..n), for the trace. */
static const char *header_value(const char *m, size_t n, const char *name, char c, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + 2 < n; i++) {
        if (m[i] != '\n')
            continue;
        const char *h = m + i + 1;
        size_t rest = n - i - 1;
        size_t skip = 0;
        if (rest > nl && strncasecmp(h, name, nl) == 0)
            skip = nl;
        else if (c != '\0' && rest > 1 && (h[0] | 0x20) == c)
            skip = 1;
        else
            continue;
        while (skip < rest && (h[skip] == ' ' || h[skip] == '\t'))
            skip++;
        if (skip >= rest || h[skip] != ':')
            continue;
        skip++;
        while (skip < rest && h[skip] == ' ')
            skip++;
        size_t e = skip;
        while (e < rest && h[e] != '\r' && h[e] != '\n')
            e++;
        *len = e - skip;
        return h + skip;
    }
    *len = 0;
    return "";
}

static void trace(const dir_t *d, uint64_t t0, const char *what, const char *m, size_t n)
{
    if (!opt.verbose)
        return;
    size_t l = 0, cl, sl;
    while (l < n && l < 100 && m[l] != '\r' && m[l] != '\n')
        l++;
    const char *cid = header_value(m, n, "Call-ID", 'i', &cl);
    const char *cseq = header_value(m, n, "CSeq", '\0', &sl);
    printf("%8.3f %s %-10s %.*s | %.*s | %.*s\n", (double)(now_ms() - t0) / 1000.0, d->name, what,
           (int)l, m, (int)(cl > 60 ? 60 : cl), cid, (int)(sl > 40 ? 40 : sl), cseq);
}

static void send_now(dir_t *d, const char *m, size_t n)
{
    if (!d->dest || d->dest->len == 0) {
        d->n.send_errors++;
        return;
    }
    ssize_t w;
    do
        w = sendto(d->out_fd, m, n, 0, (const struct sockaddr *)&d->dest->ss, d->dest->len);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        d->n.send_errors++;
    else
        d->n.forwarded++;
}

static bool hold(dir_t *d, const char *m, size_t n, uint64_t due)
{
    if (d->nq == RELAY_QUEUE_MAX) {
        d->n.queue_full++;
        return false;
    }
    char *copy = malloc(n ? n : 1u);
    if (!copy)
        return false;
    memcpy(copy, m, n);
    held_t *h = &d->q[d->nq++];
    h->due = due;
    h->seq = next_seq++;
    h->len = n;
    h->data = copy;
    return true;
}

/* Sends every held datagram that is due, earliest first. */
static void release_due(dir_t *d, uint64_t now, uint64_t t0)
{
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < d->nq; i++) {
            if (d->q[i].due > now)
                continue;
            if (best == SIZE_MAX || d->q[i].due < d->q[best].due ||
                (d->q[i].due == d->q[best].due && d->q[i].seq < d->q[best].seq))
                best = i;
        }
        if (best == SIZE_MAX)
            return;
        held_t h = d->q[best];
        d->q[best] = d->q[--d->nq];
        trace(d, t0, "release", h.data, h.len);
        send_now(d, h.data, h.len);
        free(h.data);
    }
}

static uint64_t next_due(const dir_t *d)
{
    uint64_t t = UINT64_MAX;
    for (size_t i = 0; i < d->nq; i++)
        if (d->q[i].due < t)
            t = d->q[i].due;
    return t;
}

static void on_datagram(dir_t *d, const char *m, size_t n, uint64_t now, uint64_t t0)
{
    static char out[RELAY_OUT_MAX];
    d->n.received++;
    /* the same draws for every datagram, whatever becomes of it */
    double u_loss = rng_unit(&d->rng);
    double u_dup = rng_unit(&d->rng);
    double u_hold[2], u_delay[2];
    for (int k = 0; k < 2; k++) {
        u_hold[k] = rng_unit(&d->rng);
        u_delay[k] = rng_unit(&d->rng);
    }
    if (u_loss < d->loss) {
        d->n.dropped++;
        trace(d, t0, "drop", m, n);
        return;
    }
    size_t len = rewrite(d, m, n, out, sizeof(out));
    const char *msg = out;
    if (len == SIZE_MAX) {
        d->n.too_large++;
        msg = m;
        len = n;
    }
    int copies = u_dup < d->dup ? 2 : 1;
    if (copies == 2)
        d->n.duplicated++;
    for (int k = 0; k < copies; k++) {
        if (u_hold[k] < d->reorder) {
            unsigned span = opt.delay_hi - opt.delay_lo + 1u;
            uint64_t delay = opt.delay_lo + (uint64_t)(u_delay[k] * (double)span);
            if (hold(d, msg, len, now + delay)) {
                d->n.reordered++;
                char what[24];
                snprintf(what, sizeof(what), "hold %ums", (unsigned)delay);
                trace(d, t0, what, msg, len);
                continue;
            }
        }
        trace(d, t0, k ? "duplicate" : "forward", msg, len);
        send_now(d, msg, len);
    }
}

/* ------------------------------------------------------------------------- */
/* Options */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: chaos-relay --uac-side HOST:PORT --uas-side HOST:PORT --uas HOST:PORT [options]\n"
            "A UDP relay between a SIP UAC and UAS that drops, duplicates and reorders.\n"
            "\n"
            "  --uac-side HOST:PORT  socket R: the UAC sends here as if to the UAS\n"
            "  --uas-side HOST:PORT  socket S: faces the UAS\n"
            "  --uas HOST:PORT       the UAS\n"
            "  --uac-port PORT       the UAC's port (default: learnt from its first datagram)\n"
            "  --loss P              drop probability, each direction (default 0)\n"
            "  --loss-up P           ... UAC->UAS only\n"
            "  --loss-down P         ... UAS->UAC only\n"
            "  --dup P               duplication probability (default 0)\n"
            "  --reorder P           probability of holding a datagram back (default 0)\n"
            "  --delay-ms LO..HI     how long a held datagram waits (default 0..30)\n"
            "  --seed N              seed of the fault generator (default: from the clock)\n"
            "  --duration S          exit after S seconds (default: until SIGTERM/SIGINT)\n"
            "  --verbose             one line per datagram and decision\n");
}

/* MSG, then ARG quoted when there is one. */
static _Noreturn void usage_error(const char *msg, const char *arg)
{
    if (arg)
        fprintf(stderr, "chaos-relay: %s: '%s'\n", msg, arg);
    else
        fprintf(stderr, "chaos-relay: %s\n", msg);
    usage(stderr);
    exit(2);
}

static bool parse_prob(const char *s, double *p)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || !end || *end || end == s || !(v >= 0.0 && v <= 1.0))
        return false;
    *p = v;
    return true;
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
    char *end = NULL;
    if (!s[0] || s[0] == '-')
        return false;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || !end || *end || x > max)
        return false;
    *v = x;
    return true;
}

static void parse_args(int argc, char **argv)
{
    opt.delay_lo = 0;
    opt.delay_hi = 30;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--verbose") == 0) {
            opt.verbose = true;
            continue;
        }
        if (i + 1 >= argc)
            usage_error("unknown option or missing value", a);
        const char *v = argv[++i];
        unsigned long n;
        if (strcmp(a, "--uac-side") == 0) {
            if (addr_parse(v, &opt.r_addr) != 0)
                usage_error("--uac-side: not HOST:PORT", v);
            opt.have_r = true;
        } else if (strcmp(a, "--uas-side") == 0) {
            if (addr_parse(v, &opt.s_addr) != 0)
                usage_error("--uas-side: not HOST:PORT", v);
            opt.have_s = true;
        } else if (strcmp(a, "--uas") == 0) {
            if (addr_parse(v, &opt.uas_addr) != 0 || addr_port(&opt.uas_addr) == 0)
                usage_error("--uas: not HOST:PORT", v);
            opt.have_uas = true;
        } else if (strcmp(a, "--uac-port") == 0) {
            if (!parse_ulong(v, 65535, &n) || n == 0)
                usage_error("--uac-port: 1..65535", v);
            opt.uac_port = (unsigned)n;
        } else if (strcmp(a, "--loss") == 0) {
            if (!parse_prob(v, &opt.loss_up))
                usage_error("--loss: a probability 0..1", v);
            opt.loss_down = opt.loss_up;
        } else if (strcmp(a, "--loss-up") == 0) {
            if (!parse_prob(v, &opt.loss_up))
                usage_error("--loss-up: a probability 0..1", v);
        } else if (strcmp(a, "--loss-down") == 0) {
            if (!parse_prob(v, &opt.loss_down))
                usage_error("--loss-down: a probability 0..1", v);
        } else if (strcmp(a, "--dup") == 0) {
            if (!parse_prob(v, &opt.dup))
                usage_error("--dup: a probability 0..1", v);
        } else if (strcmp(a, "--reorder") == 0) {
            if (!parse_prob(v, &opt.reorder))
                usage_error("--reorder: a probability 0..1", v);
        } else if (strcmp(a, "--delay-ms") == 0) {
            const char *dots = strstr(v, "..");
            char lo[24];
            unsigned long l, h;
            if (!dots || (size_t)(dots - v) >= sizeof(lo))
                usage_error("--delay-ms: LO..HI", v);
            memcpy(lo, v, (size_t)(dots - v));
            lo[dots - v] = '\0';
            if (!parse_ulong(lo, 60000, &l) || !parse_ulong(dots + 2, 60000, &h) || l > h)
                usage_error("--delay-ms: LO..HI in ms, LO <= HI", v);
            opt.delay_lo = (unsigned)l;
            opt.delay_hi = (unsigned)h;
        } else if (strcmp(a, "--seed") == 0) {
            char *end = NULL;
            errno = 0;
            if (!v[0] || v[0] == '-')
                usage_error("--seed: a number", v);
            opt.seed = (uint64_t)strtoull(v, &end, 0);
            if (errno || !end || *end)
                usage_error("--seed: a number", v);
            opt.have_seed = true;
        } else if (strcmp(a, "--duration") == 0) {
            if (!parse_ulong(v, 86400UL * 365u, &opt.duration_s))
                usage_error("--duration: seconds", v);
        } else {
            usage_error("unknown option", a);
        }
    }
    if (!opt.have_r || !opt.have_s || !opt.have_uas)
        usage_error("--uac-side, --uas-side and --uas are required", NULL);
    if (opt.r_addr.ss.ss_family != opt.uas_addr.ss.ss_family ||
        opt.s_addr.ss.ss_family != opt.uas_addr.ss.ss_family)
        usage_error("all addresses must be of the same IP version", NULL);
}

/* ------------------------------------------------------------------------- */

static void print_counters(const dir_t *d)
{
    const counters_t *c = &d->n;
    printf("COUNTERS %s received=%lu forwarded=%lu dropped=%lu duplicated=%lu reordered=%lu "
           "rewritten=%lu body_rewritten=%lu queue_full=%lu send_errors=%lu too_large=%lu "
           "discarded=%lu loss=%.1f%%\n",
           d->name, c->received, c->forwarded, c->dropped, c->duplicated, c->reordered,
           c->rewritten, c->body_rewritten, c->queue_full, c->send_errors, c->too_large,
           c->discarded, c->received ? 100.0 * (double)c->dropped / (double)c->received : 0.0);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (!opt.have_seed)
        opt.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int r_fd = udp_open(&opt.r_addr);
    if (r_fd < 0) {
        perror("chaos-relay: --uac-side");
        return 1;
    }
    int s_fd = udp_open(&opt.s_addr);
    if (s_fd < 0) {
        perror("chaos-relay: --uas-side");
        close(r_fd);
        return 1;
    }

    char r_text[RELAY_ADDR_TEXT], s_text[RELAY_ADDR_TEXT], uas_text[RELAY_ADDR_TEXT];
    char uac_text[RELAY_ADDR_TEXT] = "";
    addr_text(&opt.r_addr, r_text, sizeof(r_text));
    addr_text(&opt.s_addr, s_text, sizeof(s_text));
    addr_text(&opt.uas_addr, uas_text, sizeof(uas_text));

    addr_t uac;
    memset(&uac, 0, sizeof(uac));
    if (opt.uac_port) {
        /* the UAC is on R's host unless a datagram says otherwise */
        uac = opt.r_addr;
        addr_set_port(&uac, opt.uac_port);
        addr_text(&uac, uac_text, sizeof(uac_text));
    }

    static dir_t up, down;
    up.name = "uac->uas";
    up.loss = opt.loss_up;
    up.rng.s = splitmix64(opt.seed);
    up.out_fd = s_fd;
    up.dest = &opt.uas_addr;
    up.from[0] = uac_text;
    up.to[0] = s_text;
    up.from[1] = r_text;
    up.to[1] = uas_text;

    down.name = "uas->uac";
    down.loss = opt.loss_down;
    down.rng.s = splitmix64(opt.seed ^ UINT64_C(0x5A5A5A5A5A5A5A5A));
    down.out_fd = r_fd;
    down.dest = &uac;
    down.from[0] = uas_text;
    down.to[0] = r_text;
    down.from[1] = s_text;
    down.to[1] = uac_text;

    up.dup = down.dup = opt.dup;
    up.reorder = down.reorder = opt.reorder;

    printf("chaos-relay seed=%llu R=%s S=%s UAS=%s UAC=%s loss=%.3f/%.3f dup=%.3f reorder=%.3f "
           "delay=%u..%ums\n",
           (unsigned long long)opt.seed, r_text, s_text, uas_text,
           uac_text[0] ? uac_text : "(learnt)", up.loss, down.loss, opt.dup, opt.reorder,
           opt.delay_lo, opt.delay_hi);
    fflush(stdout);

    static char buf[RELAY_DGRAM_MAX + 1];
    uint64_t t0 = now_ms();
    uint64_t end = opt.duration_s ? t0 + (uint64_t)opt.duration_s * 1000u : UINT64_MAX;
    while (!stop_flag) {
        uint64_t now = now_ms();
        if (now >= end)
            break;
        release_due(&up, now, t0);
        release_due(&down, now, t0);
        uint64_t wake = end;
        if (next_due(&up) < wake)
            wake = next_due(&up);
        if (next_due(&down) < wake)
            wake = next_due(&down);
        uint64_t wait = wake > now ? wake - now : 0;
        if (wait > 1000u)
            wait = 1000u;
        struct pollfd pfd[2] = { { r_fd, POLLIN, 0 }, { s_fd, POLLIN, 0 } };
        int rc = poll(pfd, 2, (int)wait);
        if (rc < 0 && errno != EINTR) {
            perror("chaos-relay: poll");
            break;
        }
        if (rc <= 0)
            continue;
        for (int k = 0; k < 2; k++) {
            if (!(pfd[k].revents & POLLIN))
                continue;
            for (int burst = 0; burst < RELAY_READ_BURST; burst++) {
                addr_t src;
                src.len = sizeof(src.ss);
                ssize_t n = recvfrom(pfd[k].fd, buf, RELAY_DGRAM_MAX, 0,
                                     (struct sockaddr *)&src.ss, &src.len);
                if (n < 0)
                    break;
                if (k == 0) {
                    /* the UAC: replies go where it last sent from */
                    if (!addr_equal(&src, &uac)) {
                        uac = src;
                        addr_text(&uac, uac_text, sizeof(uac_text));
                    }
                    on_datagram(&up, buf, (size_t)n, now_ms(), t0);
                } else if (uac.len) {
                    on_datagram(&down, buf, (size_t)n, now_ms(), t0);
                } else {
                    down.n.received++;
                    down.n.send_errors++; /* nowhere to send it yet */
                }
            }
        }
    }

    for (size_t i = 0; i < up.nq; i++) {
        free(up.q[i].data);
        up.n.discarded++;
    }
    for (size_t i = 0; i < down.nq; i++) {
        free(down.q[i].data);
        down.n.discarded++;
    }
    up.nq = down.nq = 0;
    close(r_fd);
    close(s_fd);
    printf("chaos-relay: %s after %.1f s\n", stop_flag ? "stopped" : "duration over",
           (double)(now_ms() - t0) / 1000.0);
    print_counters(&up);
    print_counters(&down);
    fflush(stdout);
    return 0;
}
