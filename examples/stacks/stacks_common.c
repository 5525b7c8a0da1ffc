/*
 * Shared by the programs on libre and libosip2 (see stacks_common.h).
 */
#define _GNU_SOURCE

#include "stacks_common.h"

#include "prack/header.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* ------------------------------------------------------------------------- */
/* Time and randomness */

static struct timespec origin;

void sx_clock_start(void)
{
    clock_gettime(CLOCK_MONOTONIC, &origin);
}

static int64_t elapsed_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)(ts.tv_sec - origin.tv_sec) * 1000000 + (ts.tv_nsec - origin.tv_nsec) / 1000;
}

prack_time_t sx_now(void)
{
    return (prack_time_t)(elapsed_us() / 1000);
}

uint32_t sx_random32(void)
{
    uint32_t v = 0;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
        fprintf(stderr, "%s: no random source\n", sx_prog);
        exit(1);
    }
    return v;
}

void sx_random_hex(char *out, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        out[i] = hx[sx_random32() & 15u];
    out[n] = '\0';
}

/* ------------------------------------------------------------------------- */
/* Options */

const char *sx_prog = "example";

void sx_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", sx_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try --help)\n");
    exit(2);
}

const char *sx_opt(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strcmp(a, name) == 0) {
        if (*i + 1 >= argc)
            sx_usage_error("%s needs a value", name);
        *i += 1;
        return argv[*i];
    }
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    return NULL;
}

bool sx_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned long d = (unsigned long)(*p - '0');
        if (v > (max - d) / 10u)
            return false;
        v = v * 10u + d;
    }
    if (v < min)
        return false;
    *out = v;
    return true;
}

bool sx_parse_policy(const char *s, uint8_t *out)
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

const char *sx_policy_name(unsigned policy)
{
    return policy == PRACK_POLICY_OFF ? "off" : policy == PRACK_POLICY_REQUIRED ? "required" : "supported";
}

bool sx_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), sx_common_t *o)
{
    const char *v;
    unsigned long n;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        usage(stdout);
        exit(0);
    } else if (strcmp(argv[*i], "--quiet") == 0) {
        sx_quiet = true;
    } else if ((v = sx_opt(argc, argv, i, "--bind")) != NULL) {
        o->bind = v;
    } else if ((v = sx_opt(argc, argv, i, "--t1")) != NULL) {
        if (!sx_parse_uint(v, 1, 60000, &n))
            sx_usage_error("--t1: 1..60000 ms");
        o->t1 = (uint32_t)n;
    } else if ((v = sx_opt(argc, argv, i, "--calls")) != NULL) {
        if (!sx_parse_uint(v, 1, 100000000, &o->calls))
            sx_usage_error("--calls: a positive number");
    } else {
        return false;
    }
    return true;
}

size_t sx_parse_provisional(const char *s, sx_prov_t *out)
{
    size_t n = 0;
    char tmp[256], *save = NULL;
    if (strcmp(s, "none") == 0)
        return 0;
    if (strlen(s) >= sizeof(tmp))
        sx_usage_error("--provisional: list too long");
    strcpy(tmp, s);
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        unsigned long code;
        bool sdp = false;
        if (colon) {
            if (strcmp(colon + 1, "sdp") != 0)
                sx_usage_error("--provisional: unknown flag in '%s'", tok);
            *colon = '\0';
            sdp = true;
        }
        if (!sx_parse_uint(tok, 100, 199, &code))
            sx_usage_error("--provisional: '%s' is not a status 100..199", tok);
        if (n == SX_MAX_PROV)
            sx_usage_error("--provisional: at most %u entries", SX_MAX_PROV);
        out[n].status = (uint16_t)code;
        out[n].sdp = sdp;
        n++;
    }
    return n;
}

bool sx_split_hostport(const char *text, char *host, size_t cap, unsigned *port, unsigned default_port)
{
    const char *colon = NULL, *end;
    unsigned long p = default_port;
    if (text[0] == '[') {
        end = strchr(text, ']');
        if (!end)
            return false;
        text++;
        if (end[1] == ':')
            colon = end + 1;
        else if (end[1] != '\0')
            return false;
    } else {
        colon = strchr(text, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL; /* a bare IPv6 address */
        end = colon ? colon : text + strlen(text);
    }
    if (end == text || (size_t)(end - text) >= cap)
        return false;
    memcpy(host, text, (size_t)(end - text));
    host[end - text] = '\0';
    if (colon && !sx_parse_uint(colon + 1, 0, 65535, &p))
        return false;
    *port = (unsigned)p;
    return true;
}

/* ------------------------------------------------------------------------- */
/* Reading raw SIP, for the ladder only */

typedef struct span {
    const char *p;
    size_t n;
} span_t;

static span_t trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    return (span_t){ p, n };
}

/* The next header line of `msg` after *pos with this name (or compact form); false at the end. */
static bool header(const char *msg, size_t len, size_t *pos, const char *name, char compact, span_t *val)
{
    while (*pos < len) {
        const char *line = msg + *pos;
        const char *nl = memchr(line, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - line) : len - *pos;
        *pos += nl ? n + 1 : n;
        span_t l = trim(line, n);
        if (l.n == 0)
            return false; /* end of the header section */
        const char *colon = memchr(l.p, ':', l.n);
        if (!colon)
            continue;
        span_t hn = trim(l.p, (size_t)(colon - l.p));
        if ((hn.n == strlen(name) && strncasecmp(hn.p, name, hn.n) == 0) ||
            (compact && hn.n == 1 && (hn.p[0] | 0x20) == compact)) {
            *val = trim(colon + 1, (size_t)(l.p + l.n - colon - 1));
            return true;
        }
    }
    return false;
}

static size_t first_line_end(const char *msg, size_t len)
{
    const char *nl = memchr(msg, '\n', len);
    return nl ? (size_t)(nl - msg) + 1 : len;
}

static bool find_header(const char *msg, size_t len, const char *name, char compact, span_t *val)
{
    size_t pos = first_line_end(msg, len);
    return header(msg, len, &pos, name, compact, val);
}

static bool has_option(const char *msg, size_t len, const char *name, char compact)
{
    size_t pos = first_line_end(msg, len);
    span_t v;
    while (header(msg, len, &pos, name, compact, &v))
        if (prack_option_tags_find(v.p, v.n, "100rel", 6) > 0)
            return true;
    return false;
}

static bool has_sdp(const char *msg, size_t len)
{
    span_t ct;
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len && !end; i++)
        if (memcmp(msg + i, "\r\n\r\n", 4) == 0)
            end = msg + i + 4;
    if (!end || end == msg + len || !find_header(msg, len, "Content-Type", 'c', &ct))
        return false;
    return ct.n >= 15 && strncasecmp(ct.p, "application/sdp", 15) == 0;
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211u;
    return h;
}

/* ------------------------------------------------------------------------- */
/* Ladder */

bool sx_quiet = false;
bool sx_show_call_no = false;
static bool role_uas;

#define SEEN_MAX 1024u
static struct seen {
    uint64_t h[SEEN_MAX];
    size_t next;
} seen_rx, seen_tx;

static bool seen_before(struct seen *s, uint64_t h)
{
    for (size_t i = 0; i < SEEN_MAX; i++)
        if (s->h[i] == h)
            return true;
    s->h[s->next] = h;
    s->next = (s->next + 1u) % SEEN_MAX;
    return false;
}

#define CALLS_MAX 512u
static struct {
    uint64_t h;
    unsigned no;
} call_nos[CALLS_MAX];
static size_t call_next;

void sx_call_bind(const char *call_id, size_t n, unsigned no)
{
    call_nos[call_next].h = fnv(call_id, n);
    call_nos[call_next].no = no;
    call_next = (call_next + 1u) % CALLS_MAX;
}

static unsigned call_of(const char *msg, size_t len)
{
    span_t v;
    if (!find_header(msg, len, "Call-ID", 'i', &v))
        return 0;
    uint64_t h = fnv(v.p, v.n);
    for (size_t i = 0; i < CALLS_MAX; i++)
        if (call_nos[i].h == h && call_nos[i].no)
            return call_nos[i].no;
    return 0;
}

void sx_ladder_role(bool uas)
{
    role_uas = uas;
}

static void stamp_at(int64_t us, unsigned no)
{
    printf("%5lld.%03lld  ", (long long)(us / 1000), (long long)(us % 1000));
    if (sx_show_call_no)
        printf("#%-4u ", no);
}

static void add_note(char *notes, size_t cap, const char *text)
{
    size_t n = strlen(notes);
    if (!text || !text[0] || n + 1 >= cap)
        return;
    snprintf(notes + n, cap - n, "%s%s", n ? ", " : "", text);
}

static void print_msg(int64_t us, unsigned no, bool from_uac, const char *msg, size_t len,
                      const char *sdp_role, const char *extra)
{
    char desc[512], notes[512];
    span_t v;
    size_t fl = first_line_end(msg, len);
    span_t start = trim(msg, fl);
    notes[0] = '\0';
    if (!no)
        no = call_of(msg, len);
    if (start.n > 8 && memcmp(start.p, "SIP/2.0 ", 8) == 0) {
        span_t rest = trim(start.p + 8, start.n - 8);
        unsigned status = 0;
        for (size_t i = 0; i < rest.n && rest.p[i] >= '0' && rest.p[i] <= '9'; i++)
            status = status * 10u + (unsigned)(rest.p[i] - '0');
        bool rseq = find_header(msg, len, "RSeq", 0, &v);
        snprintf(desc, sizeof(desc), "%.*s", (int)rest.n, rest.p);
        if (rseq) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RSeq=%.*s", (int)v.n, v.p);
        }
        if (find_header(msg, len, "CSeq", 0, &v)) {
            const char *sp = memchr(v.p, ' ', v.n);
            span_t met = sp ? trim(sp, v.n - (size_t)(sp - v.p)) : v;
            if (!(met.n == 6 && memcmp(met.p, "INVITE", 6) == 0)) {
                char to[40];
                snprintf(to, sizeof(to), "to %.*s", (int)met.n, met.p);
                add_note(notes, sizeof(notes), to);
            }
        }
        bool req100 = has_option(msg, len, "Require", 0);
        if (status > 100 && status < 200 && req100 && rseq)
            add_note(notes, sizeof(notes), "reliable");
        if (status == 420 && has_option(msg, len, "Unsupported", 0))
            add_note(notes, sizeof(notes), "Unsupported: 100rel");
        if (status == 421 && req100)
            add_note(notes, sizeof(notes), "Require: 100rel");
        if (status == 401 || status == 407)
            add_note(notes, sizeof(notes), "digest challenge");
    } else {
        const char *sp = memchr(start.p, ' ', start.n);
        size_t ml = sp ? (size_t)(sp - start.p) : start.n;
        bool invite = ml == 6 && memcmp(start.p, "INVITE", 6) == 0;
        if (invite || (ml == 7 && memcmp(start.p, "OPTIONS", 7) == 0)) {
            const char *sp2 = sp ? memchr(sp + 1, ' ', start.n - ml - 1) : NULL;
            size_t ul = sp2 ? (size_t)(sp2 - sp - 1) : 0;
            snprintf(desc, sizeof(desc), "%.*s %.*s", (int)ml, start.p, (int)ul, sp ? sp + 1 : "");
        } else {
            snprintf(desc, sizeof(desc), "%.*s", (int)ml, start.p);
        }
        if (find_header(msg, len, "RAck", 0, &v)) {
            size_t n = strlen(desc);
            snprintf(desc + n, sizeof(desc) - n, " RAck=%.*s", (int)v.n, v.p);
        }
        if (invite) {
            if (has_option(msg, len, "Require", 0))
                add_note(notes, sizeof(notes), "Require: 100rel");
            else if (has_option(msg, len, "Supported", 'k'))
                add_note(notes, sizeof(notes), "Supported: 100rel");
            else
                add_note(notes, sizeof(notes), "no 100rel");
        }
        if (find_header(msg, len, "Authorization", 0, &v) || find_header(msg, len, "Proxy-Authorization", 0, &v))
            add_note(notes, sizeof(notes), "with credentials");
    }
    if (has_sdp(msg, len))
        add_note(notes, sizeof(notes), sdp_role ? sdp_role : "SDP");
    add_note(notes, sizeof(notes), extra);
    stamp_at(us, no);
    printf("%s  %s%s%s%s\n", from_uac ? "UAC -> UAS" : "UAC <- UAS", desc, notes[0] ? " (" : "", notes,
           notes[0] ? ")" : "");
    fflush(stdout);
}

/* The received datagram not printed yet. */
static struct {
    bool on;
    bool again;
    int64_t us;
    size_t len;
    char buf[65536];
} held;

void sx_rx(const char *raw, size_t len)
{
    sx_flush();
    if (len > sizeof(held.buf))
        len = sizeof(held.buf);
    memcpy(held.buf, raw, len);
    held.len = len;
    held.us = elapsed_us();
    held.again = seen_before(&seen_rx, fnv(raw, len));
    held.on = true;
}

void sx_rx_label(unsigned no, const char *sdp_role, const char *extra)
{
    if (!held.on)
        return;
    held.on = false;
    if (!sx_quiet)
        print_msg(held.us, no, role_uas, held.buf, held.len, sdp_role, extra);
}

void sx_flush(void)
{
    if (held.on)
        sx_rx_label(0, held.again ? "SDP" : NULL, held.again ? "retransmission" : NULL);
}

#define LABELS_MAX 32u
static struct label {
    bool on;
    const void *key;
    unsigned no;
    const char *role;  /* NULL, or role_buf */
    const char *extra; /* NULL, or extra_buf */
    char role_buf[32];
    char extra_buf[96];
} labels[LABELS_MAX];

/* The notes are copied: a caller may build them on its stack. */
void sx_tx_label(const void *key, unsigned no, const char *sdp_role, const char *extra)
{
    size_t k = 0;
    for (size_t i = LABELS_MAX; i-- > 0;)
        if (!labels[i].on || labels[i].key == key)
            k = i;
    struct label *l = &labels[k];
    l->on = true;
    l->key = key;
    l->no = no;
    l->role = sdp_role ? l->role_buf : NULL;
    l->extra = extra ? l->extra_buf : NULL;
    snprintf(l->role_buf, sizeof(l->role_buf), "%s", sdp_role ? sdp_role : "");
    snprintf(l->extra_buf, sizeof(l->extra_buf), "%s", extra ? extra : "");
}

void sx_tx(const void *key, const char *raw, size_t len)
{
    struct label l;
    l.on = false;
    l.no = 0;
    l.role = l.extra = NULL;
    sx_flush();
    for (size_t i = 0; i < LABELS_MAX; i++) {
        if (labels[i].on && labels[i].key == key) {
            l = labels[i];
            l.role = l.role ? l.role_buf : NULL;
            l.extra = l.extra ? l.extra_buf : NULL;
            labels[i].on = false;
            break;
        }
    }
    bool again = seen_before(&seen_tx, fnv(raw, len));
    if (sx_quiet)
        return;
    if (!l.on && again)
        print_msg(elapsed_us(), 0, !role_uas, raw, len, "SDP", "retransmission");
    else
        print_msg(elapsed_us(), l.no, !role_uas, raw, len, l.role, l.extra);
}

void sx_note(unsigned no, const char *fmt, ...)
{
    va_list ap;
    if (sx_quiet)
        return;
    sx_flush();
    stamp_at(elapsed_us(), no);
    printf("            . ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void sx_warn(const char *fmt, ...)
{
    va_list ap;
    int64_t us = elapsed_us();
    fprintf(stderr, "%5lld.%03lld  warning: ", (long long)(us / 1000), (long long)(us % 1000));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

void sx_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx)
{
    sx_flush();
    printf("RESULT role=%s calls=%u ok=%u final=%u prack_sent=%u prack_rcvd=%u rel1xx=%u\n", role,
           calls, ok, final_status, prack_sent, prack_rcvd, rel1xx);
    fflush(stdout);
}

/* ------------------------------------------------------------------------- */
/* SIP text */

const char *sx_reason(unsigned status)
{
    switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    default: break;
    }
    return status < 200 ? "Session Progress" : status < 300 ? "OK" : "Error";
}

size_t sx_sdp(char *buf, size_t cap, const char *user, uint32_t sess, const char *host)
{
    const char *ipv = strchr(host, ':') ? "IP6" : "IP4";
    int n = snprintf(buf, cap,
                     "v=0\r\n"
                     "o=%s %u 1 IN %s %s\r\n"
                     "s=libprack example\r\n"
                     "c=IN %s %s\r\n"
                     "t=0 0\r\n"
                     "m=audio 49170 RTP/AVP 0\r\n"
                     "a=rtpmap:0 PCMU/8000\r\n"
                     "a=ptime:20\r\n"
                     "a=sendrecv\r\n",
                     user, sess, ipv, host, ipv, host);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
