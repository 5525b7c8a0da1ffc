/*
 * SDP offer/answer for the example programs; see sdp.h.
 */
#include "sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sdp_strerror(int rc)
{
    switch (rc) {
    case SDP_OK: return "ok";
    case SDP_REJECT: return "no stream in common";
    case SDP_E_SYNTAX: return "a line is not type=value";
    case SDP_E_VERSION: return "no v=0 line first";
    case SDP_E_ORIGIN: return "missing or malformed o= line";
    case SDP_E_SESSION: return "missing s= or t= line, or malformed t= line";
    case SDP_E_CONN: return "malformed or missing c= line";
    case SDP_E_MEDIA: return "malformed m= line";
    case SDP_E_RTPMAP: return "malformed a=rtpmap";
    case SDP_E_LIMIT: return "too many m= lines";
    case SDP_E_SPACE: return "session description too large";
    case SDP_E_COUNT: return "not one m= line per offered m= line";
    case SDP_E_MISMATCH: return "media type or refused stream differs from the offer";
    case SDP_E_FORMAT: return "a format the offer did not list";
    case SDP_E_DIRECTION: return "a direction the offer does not allow";
    default: return "unknown error";
    }
}

const char *sdp_dir_name(sdp_dir_t d)
{
    switch (d) {
    case SDP_SENDONLY: return "sendonly";
    case SDP_RECVONLY: return "recvonly";
    case SDP_INACTIVE: return "inactive";
    case SDP_SENDRECV:
    case SDP_DIR_UNSET:
    default: return "sendrecv";
    }
}

sdp_dir_t sdp_media_dir(const sdp_t *s, size_t i)
{
    if (i < s->nmedia && s->media[i].dir != SDP_DIR_UNSET)
        return s->media[i].dir;
    return s->dir != SDP_DIR_UNSET ? s->dir : SDP_SENDRECV;
}

/* ------------------------------------------------------------------------- */
/* Reading */

static bool text_eq(sdp_text_t t, const char *s)
{
    size_t n = strlen(s);
    return t.n == n && memcmp(t.p, s, n) == 0;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool text_eq_nocase(sdp_text_t t, const char *s)
{
    size_t n = strlen(s);
    if (t.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(t.p[i]) != lower(s[i]))
            return false;
    return true;
}

/* Next space-separated token of *rest (runs of spaces count as one). */
static bool next_token(sdp_text_t *rest, sdp_text_t *tok)
{
    const char *p = rest->p, *end = rest->p + rest->n;
    while (p < end && *p == ' ')
        p++;
    const char *t = p;
    while (p < end && *p != ' ')
        p++;
    tok->p = t;
    tok->n = (size_t)(p - t);
    rest->p = p;
    rest->n = (size_t)(end - p);
    return tok->n > 0;
}

/* A whole decimal number of at most `max`. */
static bool parse_num(sdp_text_t t, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (t.n == 0)
        return false;
    for (size_t i = 0; i < t.n; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return false;
        unsigned d = (unsigned)(t.p[i] - '0');
        if (v > (max - d) / 10u)
            return false;
        v = v * 10u + d;
    }
    *out = v;
    return true;
}

static bool all_digits(sdp_text_t t)
{
    if (t.n == 0)
        return false;
    for (size_t i = 0; i < t.n; i++)
        if (t.p[i] < '0' || t.p[i] > '9')
            return false;
    return true;
}

/* RFC 3551 table 4: the static audio payload types a peer may list without rtpmap. */
static const struct {
    uint8_t pt;
    const char *name;
    uint32_t rate;
    uint32_t channels;
} static_pt[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},
    {5, "DVI4", 8000, 1},   {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},
    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},   {10, "L16", 44100, 2},
    {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
    {14, "MPA", 90000, 1},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1},
    {17, "DVI4", 22050, 1}, {18, "G729", 8000, 1},
};

static sdp_fmt_t *find_fmt(sdp_media_t *m, uint64_t pt)
{
    for (size_t i = 0; i < m->nfmt; i++)
        if (m->fmt[i].pt == pt)
            return &m->fmt[i];
    return NULL;
}

/* "IN IP4 192.0.2.1" or "IN IP6 2001:db8::1" (a multicast /ttl suffix is kept). */
static bool parse_conn(sdp_text_t v, sdp_conn_t *c)
{
    sdp_text_t net, type, addr, extra;
    if (!next_token(&v, &net) || !next_token(&v, &type) || !next_token(&v, &addr) ||
        next_token(&v, &extra) || !text_eq(net, "IN"))
        return false;
    if (text_eq(type, "IP4"))
        c->ip6 = false;
    else if (text_eq(type, "IP6"))
        c->ip6 = true;
    else
        return false;
    if (!c->ip6 && memchr(addr.p, ':', addr.n))
        return false; /* an IPv6 literal said to be IP4 */
    c->set = true;
    c->addr = addr;
    return true;
}

/* "<media> <port>[/<n>] <proto> <fmt> ..." */
static int parse_m(sdp_text_t v, sdp_media_t *m)
{
    sdp_text_t port, tok;
    memset(m, 0, sizeof(*m));
    if (!next_token(&v, &m->type) || !next_token(&v, &port) || !next_token(&v, &m->proto))
        return SDP_E_MEDIA;
    const char *slash = memchr(port.p, '/', port.n);
    uint64_t n;
    if (slash) {
        sdp_text_t count = {slash + 1, (size_t)(port.p + port.n - slash - 1)};
        port.n = (size_t)(slash - port.p);
        if (!parse_num(count, 65535, &n) || n == 0)
            return SDP_E_MEDIA;
    }
    if (!parse_num(port, 65535, &n))
        return SDP_E_MEDIA;
    m->port = (uint32_t)n;
    while (v.n && v.p[0] == ' ') {
        v.p++;
        v.n--;
    }
    m->fmts = v;
    /* RFC 3551 and its profiles (RTP/AVP, RTP/SAVP, RTP/AVPF, ...): payload types */
    m->rtp = m->proto.n >= 4 && memcmp(m->proto.p, "RTP/", 4) == 0;
    size_t count = 0;
    while (next_token(&v, &tok)) {
        count++;
        if (!m->rtp)
            continue;
        if (!parse_num(tok, 127, &n))
            return SDP_E_MEDIA;
        if (m->nfmt < SDP_MAX_FMT && !find_fmt(m, n)) {
            sdp_fmt_t *f = &m->fmt[m->nfmt++];
            f->pt = (uint8_t)n;
            f->channels = 1;
        }
    }
    return count ? SDP_OK : SDP_E_MEDIA;
}

/* "<pt> <name>/<rate>[/<channels>]" */
static int parse_rtpmap(sdp_text_t v, sdp_media_t *m)
{
    sdp_text_t pt, enc, extra;
    uint64_t n, rate, ch = 1;
    if (!next_token(&v, &pt) || !next_token(&v, &enc) || next_token(&v, &extra) ||
        !parse_num(pt, 127, &n))
        return SDP_E_RTPMAP;
    const char *s1 = memchr(enc.p, '/', enc.n);
    if (!s1 || s1 == enc.p)
        return SDP_E_RTPMAP;
    sdp_text_t name = {enc.p, (size_t)(s1 - enc.p)};
    sdp_text_t r = {s1 + 1, (size_t)(enc.p + enc.n - s1 - 1)};
    const char *s2 = memchr(r.p, '/', r.n);
    if (s2) {
        sdp_text_t c = {s2 + 1, (size_t)(r.p + r.n - s2 - 1)};
        r.n = (size_t)(s2 - r.p);
        if (!parse_num(c, UINT32_MAX, &ch) || ch == 0)
            return SDP_E_RTPMAP;
    }
    if (!parse_num(r, UINT32_MAX, &rate) || rate == 0)
        return SDP_E_RTPMAP;
    sdp_fmt_t *f = find_fmt(m, n);
    if (!f || f->known)
        return SDP_OK; /* a type not listed (or not kept), or a second rtpmap: ignored */
    f->known = true;
    f->name = name;
    f->rate = (uint32_t)rate;
    f->channels = (uint32_t)ch;
    return SDP_OK;
}

static void parse_fmtp(sdp_text_t v, sdp_media_t *m)
{
    sdp_text_t pt;
    uint64_t n;
    if (!next_token(&v, &pt) || !parse_num(pt, 127, &n))
        return; /* not ours to judge: the format just has no parameters for us */
    sdp_fmt_t *f = find_fmt(m, n);
    while (v.n && v.p[0] == ' ') {
        v.p++;
        v.n--;
    }
    if (f)
        f->fmtp = v;
}

static bool parse_dir(sdp_text_t v, sdp_dir_t *d)
{
    if (text_eq(v, "sendrecv"))
        *d = SDP_SENDRECV;
    else if (text_eq(v, "sendonly"))
        *d = SDP_SENDONLY;
    else if (text_eq(v, "recvonly"))
        *d = SDP_RECVONLY;
    else if (text_eq(v, "inactive"))
        *d = SDP_INACTIVE;
    else
        return false;
    return true;
}

static int parse_line(sdp_t *s, char type, sdp_text_t v, bool *have_o, bool *have_s, bool *have_t)
{
    sdp_media_t *m = s->nmedia ? &s->media[s->nmedia - 1] : NULL;
    switch (type) {
    case 'v': return SDP_E_VERSION; /* only once, first */
    case 'o': {
        sdp_text_t net, at, addr, extra;
        if (*have_o || m || !next_token(&v, &s->origin_user) || !next_token(&v, &s->sess_id) ||
            !next_token(&v, &s->sess_version) || !next_token(&v, &net) || !next_token(&v, &at) ||
            !next_token(&v, &addr) || next_token(&v, &extra) || !all_digits(s->sess_id) ||
            !all_digits(s->sess_version) || !text_eq(net, "IN") ||
            !(text_eq(at, "IP4") || text_eq(at, "IP6")))
            return SDP_E_ORIGIN;
        *have_o = true;
        return SDP_OK;
    }
    case 's':
        if (*have_s || m)
            return SDP_E_SESSION;
        *have_s = true;
        return SDP_OK;
    case 't': {
        sdp_text_t a, b, extra;
        uint64_t n;
        if (m || !next_token(&v, &a) || !next_token(&v, &b) || next_token(&v, &extra) ||
            !parse_num(a, UINT64_MAX, &n) || !parse_num(b, UINT64_MAX, &n))
            return SDP_E_SESSION;
        *have_t = true;
        return SDP_OK;
    }
    case 'c': return parse_conn(v, m ? &m->conn : &s->conn) ? SDP_OK : SDP_E_CONN;
    case 'm':
        if (!*have_o)
            return SDP_E_ORIGIN;
        if (!*have_s || !*have_t)
            return SDP_E_SESSION;
        if (s->nmedia == SDP_MAX_MEDIA)
            return SDP_E_LIMIT;
        return parse_m(v, &s->media[s->nmedia++]);
    case 'a': {
        sdp_dir_t d;
        if (parse_dir(v, &d)) {
            if (m)
                m->dir = d;
            else
                s->dir = d;
            return SDP_OK;
        }
        if (!m || !m->rtp)
            return SDP_OK;
        if (v.n > 7 && memcmp(v.p, "rtpmap:", 7) == 0)
            return parse_rtpmap((sdp_text_t){v.p + 7, v.n - 7}, m);
        if (v.n > 5 && memcmp(v.p, "fmtp:", 5) == 0)
            parse_fmtp((sdp_text_t){v.p + 5, v.n - 5}, m);
        return SDP_OK;
    }
    default: return SDP_OK; /* i= u= e= p= b= r= z= k=: nothing we use */
    }
}

int sdp_parse(const char *text, size_t len, sdp_t *s)
{
    memset(s, 0, sizeof(*s));
    const char *p = text, *end = text + len;
    bool first = true, have_o = false, have_s = false, have_t = false;
    unsigned line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        line++;
        s->err_line = line;
        size_t n = (size_t)(le - p);
        if (n && p[n - 1] == '\r')
            n--;
        const char *lp = p;
        p = eol ? eol + 1 : end;
        if (n == 0)
            continue; /* blank lines (a trailing one is common) */
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)lp[i];
            if (ch < 0x20 || ch == 0x7f)
                return SDP_E_SYNTAX; /* nothing of this may reach a message we send */
        }
        if (n < 2 || lp[1] != '=' || lp[0] < 'a' || lp[0] > 'z')
            return SDP_E_SYNTAX;
        sdp_text_t v = {lp + 2, n - 2};
        if (first) {
            if (lp[0] != 'v' || !text_eq(v, "0"))
                return SDP_E_VERSION;
            first = false;
            continue;
        }
        int rc = parse_line(s, lp[0], v, &have_o, &have_s, &have_t);
        if (rc != SDP_OK)
            return rc;
    }
    line++;
    s->err_line = line;
    if (first)
        return SDP_E_VERSION;
    if (!have_o)
        return SDP_E_ORIGIN;
    if (!have_s || !have_t)
        return SDP_E_SESSION;
    for (size_t i = 0; i < s->nmedia; i++) {
        sdp_media_t *m = &s->media[i];
        if (m->port && !m->conn.set && !s->conn.set)
            return SDP_E_CONN; /* RFC 4566 5.7: a stream needs an address */
        for (size_t k = 0; k < m->nfmt; k++) {
            sdp_fmt_t *f = &m->fmt[k];
            for (size_t t = 0; !f->known && f->pt < 96 && t < sizeof(static_pt) / sizeof(static_pt[0]); t++) {
                if (static_pt[t].pt != f->pt)
                    continue;
                f->known = true;
                f->name = (sdp_text_t){static_pt[t].name, strlen(static_pt[t].name)};
                f->rate = static_pt[t].rate;
                f->channels = static_pt[t].channels;
            }
        }
    }
    s->err_line = 0;
    return SDP_OK;
}

/* ------------------------------------------------------------------------- */
/* Local formats */

static const sdp_codec_t known_codecs[] = {
    {"PCMU", 8000, 1, 0, false, NULL},
    {"PCMA", 8000, 1, 8, false, NULL},
    {"G722", 8000, 1, 9, false, NULL},
    {"GSM", 8000, 1, 3, false, NULL},
    {"G729", 8000, 1, 18, false, "annexb=no"},
    {"opus", 48000, 2, 111, false, NULL},
    {"telephone-event", 8000, 1, 101, true, "0-16"},
};

int sdp_caps_parse(sdp_caps_t *caps, const char *list)
{
    memset(caps, 0, sizeof(*caps));
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        sdp_text_t item = {p, n};
        const char *slash = memchr(p, '/', n);
        uint64_t rate = 0;
        if (slash) {
            item.n = (size_t)(slash - p);
            if (!parse_num((sdp_text_t){slash + 1, (size_t)(p + n - slash - 1)}, UINT32_MAX, &rate))
                return -1;
        }
        const sdp_codec_t *found = NULL;
        for (size_t i = 0; i < sizeof(known_codecs) / sizeof(known_codecs[0]); i++)
            if (text_eq_nocase(item, known_codecs[i].name) && (!slash || rate == known_codecs[i].rate))
                found = &known_codecs[i];
        if (!found || caps->n == SDP_MAX_CODECS)
            return -1;
        for (size_t i = 0; i < caps->n; i++)
            if (caps->codec[i] == found)
                return -1;
        caps->codec[caps->n++] = found;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* The local format an offered one is, or NULL. */
static const sdp_codec_t *match(const sdp_caps_t *caps, const sdp_fmt_t *f)
{
    if (!f->known)
        return NULL;
    for (size_t i = 0; i < caps->n; i++) {
        const sdp_codec_t *c = caps->codec[i];
        /* RFC 4855 3: media subtype names are case-insensitive */
        if (text_eq_nocase(f->name, c->name) && f->rate == c->rate && f->channels == c->channels)
            return c;
    }
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Writing */

typedef struct wbuf {
    char *p;
    size_t cap, len;
    bool overflow;
} wbuf_t;

static void w_printf(wbuf_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void w_printf(wbuf_t *w, const char *fmt, ...)
{
    if (w->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->cap - w->len) {
        w->overflow = true;
        return;
    }
    w->len += (size_t)n;
}

void sdp_local_init(sdp_local_t *l, const char *user, uint64_t id, const char *addr, bool ip6,
                    unsigned port)
{
    memset(l, 0, sizeof(*l));
    snprintf(l->user, sizeof(l->user), "%s", user);
    snprintf(l->addr, sizeof(l->addr), "%s", addr);
    l->ip6 = ip6;
    l->port = (uint16_t)(port > 65535u ? 0u : port);
    l->id = id;
    l->version = 1;
}

size_t sdp_local_write(const sdp_local_t *l, char *buf, size_t cap)
{
    if (!l->len || cap == 0)
        return 0;
    wbuf_t w = {buf, cap, 0, false};
    w_printf(&w, "v=0\r\no=%s %llu %llu IN %s %s\r\n%.*s", l->user, (unsigned long long)l->id,
             (unsigned long long)l->version, l->ip6 ? "IP6" : "IP4", l->addr, (int)l->len, l->body);
    if (w.overflow) {
        buf[0] = '\0';
        return 0;
    }
    return w.len;
}

static void w_session(wbuf_t *w, const sdp_local_t *l)
{
    w_printf(w, "s=libprack example\r\nc=IN %s %s\r\nt=0 0\r\n", l->ip6 ? "IP6" : "IP4", l->addr);
}

static void w_format(wbuf_t *w, unsigned pt, const sdp_codec_t *c)
{
    if (c->channels > 1)
        w_printf(w, "a=rtpmap:%u %s/%u/%u\r\n", pt, c->name, (unsigned)c->rate, (unsigned)c->channels);
    else
        w_printf(w, "a=rtpmap:%u %s/%u\r\n", pt, c->name, (unsigned)c->rate);
    if (c->fmtp)
        w_printf(w, "a=fmtp:%u %s\r\n", pt, c->fmtp);
}

/* Keep a new description; the version goes up only when it differs (RFC 3264 8). */
static int commit(sdp_local_t *l, const wbuf_t *w)
{
    if (w->overflow)
        return SDP_E_SPACE;
    if (l->len && (l->len != w->len || memcmp(l->body, w->p, w->len) != 0))
        l->version++;
    memcpy(l->body, w->p, w->len);
    l->len = w->len;
    return SDP_OK;
}

static unsigned stream_port(const sdp_local_t *l, size_t i)
{
    unsigned p = (unsigned)l->port + 2u * (unsigned)i;
    return p > 65535u ? 0u : p;
}

int sdp_make_offer(sdp_local_t *l, const sdp_caps_t *caps)
{
    char tmp[SDP_LOCAL_MAX];
    wbuf_t w = {tmp, sizeof(tmp), 0, false};
    w_session(&w, l);
    w_printf(&w, "m=audio %u RTP/AVP", stream_port(l, 0));
    for (size_t i = 0; i < caps->n; i++)
        w_printf(&w, " %u", (unsigned)caps->codec[i]->pt);
    w_printf(&w, "\r\n");
    for (size_t i = 0; i < caps->n; i++)
        w_format(&w, caps->codec[i]->pt, caps->codec[i]);
    w_printf(&w, "a=sendrecv\r\n");
    return commit(l, &w);
}

/* RFC 3264 6.1: the answer's direction for an offered one. */
static sdp_dir_t mirror(sdp_dir_t d)
{
    switch (d) {
    case SDP_SENDONLY: return SDP_RECVONLY;
    case SDP_RECVONLY: return SDP_SENDONLY;
    case SDP_INACTIVE: return SDP_INACTIVE;
    default: return SDP_SENDRECV;
    }
}

/* What stream i of the offer gets: the matching formats (in the offer's order). */
static size_t pick(const sdp_caps_t *caps, const sdp_media_t *m, const sdp_codec_t **chosen,
                   uint8_t *pts)
{
    size_t n = 0;
    bool main_format = false;
    if (!m->port || !m->rtp || !text_eq(m->proto, "RTP/AVP") || !text_eq(m->type, "audio"))
        return 0;
    for (size_t k = 0; k < m->nfmt; k++) {
        const sdp_codec_t *c = match(caps, &m->fmt[k]);
        bool dup = false;
        for (size_t j = 0; c && j < n; j++)
            dup = dup || chosen[j] == c;
        if (!c || dup)
            continue;
        chosen[n] = c;
        pts[n] = m->fmt[k].pt;
        n++;
        main_format = main_format || !c->aux;
    }
    return main_format ? n : 0; /* telephone-event alone carries no voice */
}

int sdp_make_answer(sdp_local_t *l, const sdp_caps_t *caps, const sdp_t *offer, bool force,
                    sdp_verdict_t *v)
{
    char tmp[SDP_LOCAL_MAX];
    wbuf_t w = {tmp, sizeof(tmp), 0, false};
    bool offered = false, audio = false;
    memset(v, 0, sizeof(*v));
    w_session(&w, l);
    for (size_t i = 0; i < offer->nmedia; i++) {
        const sdp_media_t *m = &offer->media[i];
        const sdp_codec_t *chosen[SDP_MAX_FMT];
        uint8_t pts[SDP_MAX_FMT];
        size_t n = pick(caps, m, chosen, pts);
        if (m->port) {
            offered = true;
            audio = audio || text_eq(m->type, "audio");
        }
        if (!n || !stream_port(l, i)) {
            /* RFC 3264 6: refused with port 0, still listing a format */
            sdp_text_t rest = m->fmts, first;
            next_token(&rest, &first);
            w_printf(&w, "m=%.*s 0 %.*s %.*s\r\n", (int)m->type.n, m->type.p, (int)m->proto.n,
                     m->proto.p, (int)first.n, first.p);
            continue;
        }
        v->accepted++;
        w_printf(&w, "m=audio %u RTP/AVP", stream_port(l, i));
        for (size_t k = 0; k < n; k++)
            w_printf(&w, " %u", (unsigned)pts[k]);
        w_printf(&w, "\r\n");
        for (size_t k = 0; k < n; k++)
            w_format(&w, pts[k], chosen[k]);
        w_printf(&w, "a=%s\r\n", sdp_dir_name(mirror(sdp_media_dir(offer, i))));
    }
    if (offered && !v->accepted) {
        /* RFC 3261 20.43: 304 when no offered media type is ours, else 305 */
        v->warning = audio ? 305u : 304u;
        v->text = audio ? "Incompatible media format" : "Media type not available";
        if (!force)
            return SDP_REJECT;
        int rc = commit(l, &w);
        return rc == SDP_OK ? SDP_REJECT : rc;
    }
    return commit(l, &w);
}

int sdp_answer_text(sdp_local_t *l, const sdp_caps_t *caps, const char *offer, size_t len,
                    bool force, sdp_verdict_t *v)
{
    sdp_t o;
    int rc = sdp_parse(offer, len, &o);
    if (rc != SDP_OK) {
        memset(v, 0, sizeof(*v));
        v->text = sdp_strerror(rc);
        return rc;
    }
    return sdp_make_answer(l, caps, &o, force, v);
}

/* ------------------------------------------------------------------------- */
/* Checking an answer */

/* Whether the offer's m= line lists this format; payload types compare as
 * numbers ("08" is 8), other formats as text. */
static bool fmt_listed(const sdp_media_t *m, sdp_text_t tok)
{
    sdp_text_t rest = m->fmts, t;
    uint64_t want = 0, have;
    bool num = m->rtp && parse_num(tok, 127, &want);
    while (next_token(&rest, &t)) {
        if (num ? parse_num(t, 127, &have) && have == want
                : t.n == tok.n && memcmp(t.p, tok.p, t.n) == 0)
            return true;
    }
    return false;
}

static bool dir_allowed(sdp_dir_t offered, sdp_dir_t answered)
{
    switch (offered) {
    case SDP_SENDONLY: return answered == SDP_RECVONLY || answered == SDP_INACTIVE;
    case SDP_RECVONLY: return answered == SDP_SENDONLY || answered == SDP_INACTIVE;
    case SDP_INACTIVE: return answered == SDP_INACTIVE;
    default: return true;
    }
}

static int check_fail(sdp_verdict_t *v, int rc, size_t i)
{
    v->stream = (unsigned)i;
    v->text = sdp_strerror(rc);
    return rc;
}

int sdp_check_answer(const sdp_t *offer, const sdp_t *answer, sdp_verdict_t *v)
{
    memset(v, 0, sizeof(*v));
    if (offer->nmedia != answer->nmedia)
        return check_fail(v, SDP_E_COUNT, 0);
    for (size_t i = 0; i < offer->nmedia; i++) {
        const sdp_media_t *o = &offer->media[i], *a = &answer->media[i];
        if (a->type.n != o->type.n || memcmp(a->type.p, o->type.p, a->type.n) != 0 ||
            (o->port == 0 && a->port != 0))
            return check_fail(v, SDP_E_MISMATCH, i);
        if (a->port == 0)
            continue;
        sdp_text_t rest = a->fmts, tok;
        while (next_token(&rest, &tok))
            if (!fmt_listed(o, tok))
                return check_fail(v, SDP_E_FORMAT, i);
        if (!dir_allowed(sdp_media_dir(offer, i), sdp_media_dir(answer, i)))
            return check_fail(v, SDP_E_DIRECTION, i);
        v->accepted++;
    }
    return SDP_OK;
}

int sdp_check_answer_text(const sdp_local_t *l, const char *answer, size_t len, sdp_verdict_t *v)
{
    char mine[SDP_BODY_MAX];
    sdp_t o, a;
    memset(v, 0, sizeof(*v));
    size_t n = sdp_local_write(l, mine, sizeof(mine));
    if (!n || sdp_parse(mine, n, &o) != SDP_OK) {
        v->text = "no offer of ours to check against";
        return SDP_E_COUNT;
    }
    int rc = sdp_parse(answer, len, &a);
    if (rc != SDP_OK) {
        v->text = sdp_strerror(rc);
        return rc;
    }
    return sdp_check_answer(&o, &a, v);
}
