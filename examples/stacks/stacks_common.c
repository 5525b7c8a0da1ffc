/*
 * Shared by the programs on libre and libosip2 (see stacks_common.h).
 */
#define _GNU_SOURCE

#include "stacks_common.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../sdp.h"
#include "../sipmsg.h"

/* ------------------------------------------------------------------------- */
/* Options */

bool sx_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), sx_common_t *o)
{
    ex_common_opts_t c = { o->bind, o->t1, o->calls };
    if (!ex_common_opt(argc, argv, i, usage, &c))
        return false;
    o->bind = c.bind_text;
    o->t1 = c.t1;
    o->calls = c.calls;
    return true;
}

void sx_usage_common(FILE *f)
{
    fprintf(f, "%s\n%s", EX_USAGE_COMMON, EX_USAGE_LADDER);
}

uint8_t sx_policy_opt(const char *mode)
{
    prack_policy_t p;
    if (!ex_parse_policy(mode, &p))
        ex_usage_error(ex_prog, "--100rel: off, supported or required");
    return (uint8_t)p;
}

size_t sx_parse_provisional(const char *s, sx_prov_t *out)
{
    size_t n = 0;
    char tmp[256], *save = NULL;
    if (strcmp(s, "none") == 0)
        return 0;
    if (strlen(s) >= sizeof(tmp))
        ex_usage_error(ex_prog, "--provisional: list too long");
    strcpy(tmp, s);
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        unsigned long code;
        bool sdp = false;
        if (colon) {
            if (strcmp(colon + 1, "sdp") != 0)
                ex_usage_error(ex_prog, "--provisional: unknown flag in '%s'", tok);
            *colon = '\0';
            sdp = true;
        }
        if (!ex_parse_uint(tok, 100, 199, &code))
            ex_usage_error(ex_prog, "--provisional: '%s' is not a status 100..199", tok);
        if (n == SX_MAX_PROV)
            ex_usage_error(ex_prog, "--provisional: at most %u entries", SX_MAX_PROV);
        out[n].status = (uint16_t)code;
        out[n].sdp = sdp;
        n++;
    }
    return n;
}

bool sx_split_hostport(const char *text, char *host, size_t cap, unsigned *port, unsigned default_port)
{
    ex_addr_t a;
    char h[64];
    /* numeric only: the stacks are given addresses, not names */
    if (strspn(text, "0123456789abcdefABCDEF.:[]") != strlen(text) || ex_addr_parse(text, default_port, &a) != 0)
        return false;
    ex_addr_host(&a, h, sizeof(h), false);
    if (strlen(h) >= cap)
        return false;
    strcpy(host, h);
    *port = ex_addr_port(&a);
    return true;
}

size_t sx_sdp(char *buf, size_t cap, const char *user, uint32_t sess, const char *host)
{
    ex_addr_t a;
    sdp_caps_t caps;
    sdp_local_t l;
    char h[64];
    if (ex_addr_parse(host, 0, &a) != 0 || sdp_caps_parse(&caps, "PCMU") != 0)
        return 0;
    ex_addr_host(&a, h, sizeof(h), false);
    sdp_local_init(&l, user, sess, h, ex_addr_is_v6(&a), EX_RTP_PORT);
    if (sdp_make_offer(&l, &caps) != SDP_OK)
        return 0;
    return sdp_local_write(&l, buf, cap);
}

/* ------------------------------------------------------------------------- */
/* Ladder */

static bool role_uas;

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211u;
    return h;
}

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

/* The call a datagram belongs to, by its Call-ID (0: none bound). */
static unsigned call_of(const char *msg, size_t len)
{
    static char copy[SIP_MAX_DGRAM + 1];
    static sip_msg_t m;
    if (len > SIP_MAX_DGRAM)
        len = SIP_MAX_DGRAM;
    memcpy(copy, msg, len);
    if (sip_parse(copy, len, &m) != SIP_OK)
        return 0;
    uint64_t h = fnv(m.call_id.p, m.call_id.n);
    for (size_t i = 0; i < CALLS_MAX; i++)
        if (call_nos[i].h == h && call_nos[i].no)
            return call_nos[i].no;
    return 0;
}

void sx_ladder_role(bool uas)
{
    role_uas = uas;
}

static void print_msg(unsigned no, bool from_uac, const char *msg, size_t len, const char *sdp_role,
                      const char *extra)
{
    if (ex_quiet && !ex_trace)
        return;
    ex_ladder_msg(no ? no : call_of(msg, len), from_uac, msg, len, sdp_role, extra);
}

/* The received datagram not printed yet. */
static struct {
    bool on;
    bool again;
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
    held.again = seen_before(&seen_rx, fnv(raw, len));
    held.on = true;
}

void sx_rx_label(unsigned no, const char *sdp_role, const char *extra)
{
    if (!held.on)
        return;
    held.on = false;
    print_msg(no, role_uas, held.buf, held.len, sdp_role, extra);
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
    if (!l.on && again)
        print_msg(0, !role_uas, raw, len, "SDP", "retransmission");
    else
        print_msg(l.no, !role_uas, raw, len, l.role, l.extra);
}

void sx_note(unsigned no, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    sx_flush();
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ex_note(no, "%s", text);
}

void sx_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx)
{
    sx_flush();
    ex_result(role, calls, ok, final_status, prack_sent, prack_rcvd, rel1xx);
}

void sx_on_stop(void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
}
