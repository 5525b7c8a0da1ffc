/*
 * SIP message reader and writer for the example programs (see sipmsg.h).
 *
 * Strict where a mistake would change what the engine is told (start line,
 * CSeq, Content-Length, tags, Via), lenient only where RFC 3261 asks
 * receivers to be (leading CRLFs, folded lines, compact header names, header
 * names in any case, a missing Content-Length over UDP).
 */
#include "sipmsg.h"

#include <stdio.h>
#include <string.h>

#include "prack/header.h"

/* ------------------------------------------------------------------------- */
/* Characters */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* RFC 3261 25.1 token characters. */
static bool is_token(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
        return true;
    return strchr("-.!%*_+`'~", c) != NULL && c != '\0';
}

static sip_str_t trim(sip_str_t s)
{
    while (s.n && is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}

static sip_str_t mk(const char *p, size_t n)
{
    sip_str_t s = { p, n };
    return s;
}

static const sip_str_t EMPTY = { "", 0 };

bool sip_str_eq(sip_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i]))
            return false;
    return true;
}

bool sip_str_eq_exact(sip_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool sip_str_same(sip_str_t a, sip_str_t b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

sip_str_t sip_str_c(const char *s)
{
    return mk(s, strlen(s));
}

bool sip_str_copy(char *dst, size_t cap, sip_str_t s)
{
    if (cap == 0)
        return false;
    if (s.n >= cap) {
        dst[0] = '\0';
        return false;
    }
    if (s.n)
        memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return true;
}

/* A decimal number made of digits only, at most `limit`. */
static bool parse_uint(sip_str_t s, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    if (s.n == 0 || s.n > 19)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i]))
            return false;
        v = v * 10u + (uint64_t)(s.p[i] - '0');
    }
    if (v > limit)
        return false;
    *out = v;
    return true;
}

/* ------------------------------------------------------------------------- */
/* Header names */

static const struct {
    const char *name;
    char compact;
    sip_hid_t id;
} header_names[] = {
    { "Via", 'v', SIP_H_VIA },
    { "From", 'f', SIP_H_FROM },
    { "To", 't', SIP_H_TO },
    { "Call-ID", 'i', SIP_H_CALL_ID },
    { "CSeq", 0, SIP_H_CSEQ },
    { "Contact", 'm', SIP_H_CONTACT },
    { "Content-Length", 'l', SIP_H_CONTENT_LENGTH },
    { "Content-Type", 'c', SIP_H_CONTENT_TYPE },
    { "Supported", 'k', SIP_H_SUPPORTED },
    { "Require", 0, SIP_H_REQUIRE },
    { "Proxy-Require", 0, SIP_H_PROXY_REQUIRE },
    { "Unsupported", 0, SIP_H_UNSUPPORTED },
    { "RSeq", 0, SIP_H_RSEQ },
    { "RAck", 0, SIP_H_RACK },
    { "Record-Route", 0, SIP_H_RECORD_ROUTE },
    { "Route", 0, SIP_H_ROUTE },
    { "Max-Forwards", 0, SIP_H_MAX_FORWARDS },
    { "WWW-Authenticate", 0, SIP_H_WWW_AUTHENTICATE },
    { "Proxy-Authenticate", 0, SIP_H_PROXY_AUTHENTICATE },
    { "Authorization", 0, SIP_H_AUTHORIZATION },
    { "Proxy-Authorization", 0, SIP_H_PROXY_AUTHORIZATION },
    { "Allow", 0, SIP_H_ALLOW },
    { "Content-Encoding", 'e', SIP_H_CONTENT_ENCODING },
    { "Subject", 's', SIP_H_SUBJECT },
};

static sip_hid_t header_id(sip_str_t name)
{
    for (size_t i = 0; i < sizeof(header_names) / sizeof(header_names[0]); i++) {
        if (name.n == 1 && header_names[i].compact && lower(name.p[0]) == header_names[i].compact)
            return header_names[i].id;
        if (sip_str_eq(name, header_names[i].name))
            return header_names[i].id;
    }
    return SIP_H_OTHER;
}

const sip_header_t *sip_find(const sip_msg_t *m, sip_hid_t id, const sip_header_t *after)
{
    size_t i = after ? (size_t)(after - m->hdr) + 1u : 0u;
    for (; i < m->nhdr; i++)
        if (m->hdr[i].id == id)
            return &m->hdr[i];
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Lists, parameters, addresses */

bool sip_list_next(sip_str_t *rest, sip_str_t *item)
{
    while (rest->n) {
        const char *p = rest->p;
        size_t n = rest->n, i = 0;
        bool quoted = false, angle = false;
        for (; i < n; i++) {
            char c = p[i];
            if (quoted) {
                if (c == '\\' && i + 1 < n)
                    i++;
                else if (c == '"')
                    quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            } else if (c == ',' && !angle) {
                break;
            }
        }
        *item = trim(mk(p, i));
        if (i < n) {
            rest->p = p + i + 1;
            rest->n = n - i - 1;
        } else {
            rest->p = p + n;
            rest->n = 0;
        }
        if (item->n)
            return true;
    }
    return false;
}

int sip_has_option(const sip_msg_t *m, sip_hid_t id, const char *tag)
{
    int found = 0;
    for (const sip_header_t *h = sip_find(m, id, NULL); h; h = sip_find(m, id, h)) {
        /* the library's strict option-tag list parser */
        int rc = prack_option_tags_find(h->value.p, h->value.n, tag, strlen(tag));
        if (rc < 0)
            return -1;
        if (rc > 0)
            found = 1;
    }
    return found;
}

void sip_split_nameaddr(sip_str_t v, sip_str_t *uri, sip_str_t *params)
{
    v = trim(v);
    bool quoted = false;
    size_t lt = v.n;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (quoted) {
            if (c == '\\' && i + 1 < v.n)
                i++;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            lt = i;
            break;
        }
    }
    if (lt < v.n) {
        const char *gt = memchr(v.p + lt, '>', v.n - lt);
        if (!gt) {
            *uri = EMPTY;
            *params = EMPTY;
            return;
        }
        *uri = trim(mk(v.p + lt + 1, (size_t)(gt - v.p) - lt - 1));
        *params = mk(gt + 1, v.n - (size_t)(gt + 1 - v.p));
        return;
    }
    /* addr-spec: parameters after it belong to the header, not the URI */
    const char *semi = memchr(v.p, ';', v.n);
    size_t un = semi ? (size_t)(semi - v.p) : v.n;
    *uri = trim(mk(v.p, un));
    *params = mk(v.p + un, v.n - un);
}

bool sip_param(sip_str_t params, const char *name, sip_str_t *value)
{
    const char *p = params.p, *end = params.p + params.n;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi)
            return false;
        p = semi + 1;
        const char *next = memchr(p, ';', (size_t)(end - p));
        sip_str_t part = trim(mk(p, next ? (size_t)(next - p) : (size_t)(end - p)));
        const char *eq = memchr(part.p, '=', part.n);
        sip_str_t key = trim(mk(part.p, eq ? (size_t)(eq - part.p) : part.n));
        if (sip_str_eq(key, name)) {
            sip_str_t v = eq ? trim(mk(eq + 1, part.n - (size_t)(eq - part.p) - 1u)) : EMPTY;
            if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
                v = mk(v.p + 1, v.n - 2);
            *value = v;
            return true;
        }
        p = next ? next : end;
    }
    return false;
}

bool sip_uri_parse(sip_str_t s, sip_uri_t *u)
{
    memset(u, 0, sizeof(*u));
    s = trim(s);
    size_t skip;
    if (s.n > 4 && sip_str_eq(mk(s.p, 4), "sip:"))
        skip = 4;
    else if (s.n > 5 && sip_str_eq(mk(s.p, 5), "sips:"))
        skip = 5;
    else
        return false;
    const char *p = s.p + skip, *end = s.p + s.n;
    const char *q = memchr(p, '?', (size_t)(end - p));
    if (q)
        end = q; /* URI headers are not used here */
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at) {
        u->user = mk(p, (size_t)(at - p));
        p = at + 1;
    }
    if (p < end && *p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb || rb == p + 1)
            return false;
        u->host = mk(p + 1, (size_t)(rb - p - 1));
        u->ipv6 = true;
        p = rb + 1;
    } else {
        const char *h = p;
        while (p < end && *p != ':' && *p != ';')
            p++;
        u->host = mk(h, (size_t)(p - h));
        if (u->host.n == 0)
            return false;
        for (size_t i = 0; i < u->host.n; i++) {
            char c = u->host.p[i];
            if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || c == '.'))
                return false;
        }
    }
    if (p < end && *p == ':') {
        const char *ps = ++p;
        while (p < end && is_digit(*p))
            p++;
        uint64_t port;
        if (!parse_uint(mk(ps, (size_t)(p - ps)), 65535u, &port) || port == 0)
            return false;
        u->port = (unsigned)port;
    }
    if (p < end && *p != ';')
        return false;
    u->params = mk(p, (size_t)(end - p));
    return true;
}

sip_str_t sip_contact_uri(const sip_msg_t *m)
{
    const sip_header_t *h = sip_find(m, SIP_H_CONTACT, NULL);
    if (!h)
        return EMPTY;
    sip_str_t rest = h->value, item, uri, params;
    if (!sip_list_next(&rest, &item) || sip_str_eq(item, "*"))
        return EMPTY;
    sip_split_nameaddr(item, &uri, &params);
    return uri;
}

size_t sip_routes(const sip_msg_t *m, sip_hid_t id, sip_str_t *out, size_t max)
{
    size_t n = 0;
    for (const sip_header_t *h = sip_find(m, id, NULL); h; h = sip_find(m, id, h)) {
        sip_str_t rest = h->value, item;
        while (sip_list_next(&rest, &item)) {
            if (n == max)
                return n;
            out[n++] = item;
        }
    }
    return n;
}

bool sip_has_sdp(const sip_msg_t *m)
{
    if (m->body.n == 0 || m->content_type.n < 15)
        return false;
    if (!sip_str_eq(mk(m->content_type.p, 15), "application/sdp"))
        return false;
    return m->content_type.n == 15 || m->content_type.p[15] == ';' || is_ws(m->content_type.p[15]);
}

/* ------------------------------------------------------------------------- */
/* Parser */

const char *sip_strerror(sip_err_t err)
{
    switch (err) {
    case SIP_OK: return "OK";
    case SIP_E_EMPTY: return "Empty datagram";
    case SIP_E_START_LINE: return "Malformed start line";
    case SIP_E_HEADER: return "Malformed header line";
    case SIP_E_TOO_MANY: return "Too many header lines";
    case SIP_E_NO_END: return "Header section not terminated";
    case SIP_E_VIA: return "Malformed or missing Via";
    case SIP_E_FROM: return "Malformed or missing From";
    case SIP_E_TO: return "Malformed or missing To";
    case SIP_E_CALL_ID: return "Malformed or missing Call-ID";
    case SIP_E_CSEQ: return "Malformed or missing CSeq";
    case SIP_E_CONTENT_LENGTH: return "Bad Content-Length";
    case SIP_E_VERSION: return "Version Not Supported";
    }
    return "Malformed message";
}

/* Offset of the first CRLF at or after `from`, or len. */
static size_t find_crlf(const char *buf, size_t len, size_t from)
{
    for (size_t i = from; i + 1 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n')
            return i;
    return len;
}

static bool parse_start_line(sip_msg_t *m, sip_str_t line)
{
    if (line.n >= 8 && memcmp(line.p, "SIP/2.0 ", 8) == 0) {
        /* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
        if (line.n < 11 || !is_digit(line.p[8]) || !is_digit(line.p[9]) || !is_digit(line.p[10]))
            return false;
        m->request = false;
        m->status = (unsigned)((line.p[8] - '0') * 100 + (line.p[9] - '0') * 10 + (line.p[10] - '0'));
        if (m->status < 100 || m->status > 699)
            return false;
        if (line.n > 11 && line.p[11] != ' ')
            return false;
        m->reason = line.n > 12 ? mk(line.p + 12, line.n - 12) : EMPTY;
        return true;
    }
    /* Request-Line = Method SP Request-URI SP SIP-Version */
    const char *sp1 = memchr(line.p, ' ', line.n);
    if (!sp1 || sp1 == line.p)
        return false;
    m->method = mk(line.p, (size_t)(sp1 - line.p));
    for (size_t i = 0; i < m->method.n; i++)
        if (!is_token(m->method.p[i]))
            return false;
    const char *rest = sp1 + 1, *end = line.p + line.n;
    const char *sp2 = memchr(rest, ' ', (size_t)(end - rest));
    if (!sp2 || sp2 == rest)
        return false;
    m->uri = mk(rest, (size_t)(sp2 - rest));
    if (!memchr(m->uri.p, ':', m->uri.n))
        return false; /* an absolute URI has a scheme */
    sip_str_t version = mk(sp2 + 1, (size_t)(end - sp2 - 1));
    if (version.n < 5 || !sip_str_eq(mk(version.p, 4), "SIP/"))
        return false;
    m->request = true;
    m->bad_version = !sip_str_eq(version, "SIP/2.0"); /* answered 505 */
    return true;
}

static bool parse_via(sip_msg_t *m, sip_str_t v)
{
    sip_str_t rest = v, first;
    if (!sip_list_next(&rest, &first))
        return false;
    /* sent-protocol = "SIP" SLASH "2.0" SLASH transport, SLASH = SWS "/" SWS */
    const char *p = first.p, *end = first.p + first.n;
    for (int part = 0; part < 3; part++) {
        while (p < end && is_ws(*p))
            p++;
        const char *t = p;
        while (p < end && is_token(*p))
            p++;
        if (p == t)
            return false;
        if (part == 0 && !sip_str_eq(mk(t, (size_t)(p - t)), "SIP"))
            return false;
        if (part == 1 && !sip_str_eq(mk(t, (size_t)(p - t)), "2.0"))
            return false;
        if (part < 2) {
            while (p < end && is_ws(*p))
                p++;
            if (p == end || *p != '/')
                return false;
            p++;
        }
    }
    if (p == end || !is_ws(*p))
        return false;
    while (p < end && is_ws(*p))
        p++;
    /* sent-by = host [ COLON port ] */
    if (p < end && *p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb || rb == p + 1)
            return false;
        m->via_host = mk(p + 1, (size_t)(rb - p - 1));
        p = rb + 1;
    } else {
        const char *h = p;
        while (p < end && is_token(*p))
            p++;
        if (p == h)
            return false;
        m->via_host = mk(h, (size_t)(p - h));
    }
    while (p < end && is_ws(*p))
        p++;
    m->via_port = 0;
    if (p < end && *p == ':') {
        p++;
        while (p < end && is_ws(*p))
            p++;
        const char *ps = p;
        while (p < end && is_digit(*p))
            p++;
        uint64_t port;
        if (!parse_uint(mk(ps, (size_t)(p - ps)), 65535u, &port) || port == 0)
            return false;
        m->via_port = (unsigned)port;
    }
    sip_str_t params = mk(p, (size_t)(end - p));
    sip_str_t t = trim(params);
    if (t.n && t.p[0] != ';')
        return false;
    if (!sip_param(params, "branch", &m->branch))
        m->branch = EMPTY;
    sip_str_t dummy;
    m->via_rport = sip_param(params, "rport", &dummy);
    return true;
}

/* From or To: a URI and an optional tag. */
static bool parse_party(sip_str_t v, sip_str_t *whole, sip_str_t *tag)
{
    sip_str_t uri, params;
    sip_split_nameaddr(v, &uri, &params);
    if (uri.n == 0 || !memchr(uri.p, ':', uri.n))
        return false;
    sip_str_t t = trim(params);
    if (t.n && t.p[0] != ';')
        return false;
    *whole = v;
    if (!sip_param(params, "tag", tag))
        *tag = EMPTY;
    else if (tag->n == 0)
        return false; /* ";tag" or ";tag=" */
    for (size_t i = 0; i < tag->n; i++)
        if (!is_token(tag->p[i]))
            return false;
    return true;
}

static bool parse_cseq(sip_msg_t *m, sip_str_t v)
{
    const char *p = v.p, *end = v.p + v.n;
    const char *d = p;
    while (p < end && is_digit(*p))
        p++;
    uint64_t n;
    /* RFC 3261 20.16: a 32-bit unsigned number. Only a first request outside a
     * dialog stays below 2**31 (8.1.1.5); in-dialog requests count on from it. */
    if (!parse_uint(mk(d, (size_t)(p - d)), 0xFFFFFFFFu, &n))
        return false;
    if (p == end || !is_ws(*p))
        return false;
    while (p < end && is_ws(*p))
        p++;
    const char *t = p;
    while (p < end && is_token(*p))
        p++;
    if (p == t || p != end)
        return false;
    m->cseq = (uint32_t)n;
    m->cseq_method = mk(t, (size_t)(p - t));
    return true;
}

/* Exactly one instance of a header that may not repeat. */
static const sip_header_t *single(const sip_msg_t *m, sip_hid_t id)
{
    const sip_header_t *h = sip_find(m, id, NULL);
    if (!h || sip_find(m, id, h))
        return NULL;
    return h;
}

sip_err_t sip_parse(char *buf, size_t len, sip_msg_t *m)
{
    memset(m, 0, sizeof(*m));
    m->call_id = m->from = m->to = m->from_tag = m->to_tag = EMPTY;
    m->cseq_method = m->branch = m->via_host = m->content_type = m->body = EMPTY;
    m->method = m->uri = m->reason = EMPTY;

    size_t pos = 0;
    /* RFC 3261 7.5: ignore CRLFs before the start line (also keep-alives) */
    while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n')
        pos += 2;
    if (pos >= len || (len - pos == 1 && (buf[pos] == '\r' || buf[pos] == '\n')))
        return SIP_E_EMPTY;

    size_t eol = find_crlf(buf, len, pos);
    if (eol == len)
        return SIP_E_START_LINE;
    if (!parse_start_line(m, mk(buf + pos, eol - pos)))
        return SIP_E_START_LINE;

    /* header section: up to the first empty line */
    size_t hstart = eol + 2, hend = len;
    for (size_t i = eol; i + 3 < len; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            hend = i + 2; /* keeps the CRLF of the last header line */
            break;
        }
    }
    bool terminated = hend != len;
    if (!terminated)
        hend = len;

    /* unfold: CRLF followed by whitespace is whitespace (RFC 3261 7.3.1) */
    for (size_t i = hstart; i + 2 < hend; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && is_ws(buf[i + 2])) {
            buf[i] = ' ';
            buf[i + 1] = ' ';
        }
    }

    /* On a broken header line keep what came before it: a 400 needs the
     * Via, From, To, Call-ID and CSeq of the request. */
    sip_err_t early = SIP_OK;
    for (size_t p = hstart; p < hend;) {
        size_t e = find_crlf(buf, hend, p);
        sip_str_t line = mk(buf + p, e - p);
        p = e + 2;
        if (line.n == 0)
            break;
        if (m->nhdr == SIP_MAX_HEADERS) {
            early = SIP_E_TOO_MANY;
            break;
        }
        const char *colon = memchr(line.p, ':', line.n);
        sip_str_t name = mk(line.p, colon ? (size_t)(colon - line.p) : 0u);
        while (name.n && is_ws(name.p[name.n - 1]))
            name.n--; /* HCOLON = *( SP / HTAB ) ":" SWS */
        bool ok = colon && name.n;
        for (size_t i = 0; ok && i < name.n; i++)
            ok = is_token(name.p[i]);
        sip_str_t value = ok ? trim(mk(colon + 1, line.n - (size_t)(colon + 1 - line.p))) : EMPTY;
        for (size_t i = 0; ok && i < value.n; i++)
            ok = value.p[i] != '\r' && value.p[i] != '\n' && value.p[i] != '\0';
        if (!ok) {
            early = SIP_E_HEADER;
            break;
        }
        sip_header_t *h = &m->hdr[m->nhdr++];
        h->id = header_id(name);
        h->name = name;
        h->value = value;
    }
    if (early == SIP_OK && !terminated)
        early = SIP_E_NO_END;

    /* the top Via first: it says where any answer goes */
    const sip_header_t *h = sip_find(m, SIP_H_VIA, NULL);
    bool via_ok = h && parse_via(m, h->value);
    if (!via_ok) {
        m->via_host = m->branch = EMPTY;
        m->via_port = 0;
        m->via_rport = false;
    }
    if (early != SIP_OK)
        return early;
    if (!via_ok)
        return SIP_E_VIA;
    h = single(m, SIP_H_FROM);
    if (!h || !parse_party(h->value, &m->from, &m->from_tag))
        return SIP_E_FROM;
    h = single(m, SIP_H_TO);
    if (!h || !parse_party(h->value, &m->to, &m->to_tag))
        return SIP_E_TO;
    h = single(m, SIP_H_CALL_ID);
    if (!h || h->value.n == 0)
        return SIP_E_CALL_ID;
    for (size_t i = 0; i < h->value.n; i++)
        if (is_ws(h->value.p[i]) || h->value.p[i] == '<' || h->value.p[i] == '>' ||
            h->value.p[i] == '"')
            return SIP_E_CALL_ID;
    m->call_id = h->value;
    h = single(m, SIP_H_CSEQ);
    if (!h || !parse_cseq(m, h->value))
        return SIP_E_CSEQ;
    if (m->request && !sip_str_same(m->cseq_method, m->method))
        return SIP_E_CSEQ; /* RFC 3261 8.1.1.5: the method must match */

    size_t body_at = hend + 2;
    size_t avail = len > body_at ? len - body_at : 0;
    const sip_header_t *cl = sip_find(m, SIP_H_CONTENT_LENGTH, NULL);
    size_t blen = avail; /* UDP: no Content-Length means the rest of the datagram */
    if (cl) {
        uint64_t v;
        if (sip_find(m, SIP_H_CONTENT_LENGTH, cl) || !parse_uint(cl->value, SIP_MAX_DGRAM, &v))
            return SIP_E_CONTENT_LENGTH;
        if (v > avail)
            return SIP_E_CONTENT_LENGTH; /* RFC 3261 18.3: truncated, answer 400 */
        blen = (size_t)v;
    }
    m->body = blen ? mk(buf + body_at, blen) : EMPTY;
    h = sip_find(m, SIP_H_CONTENT_TYPE, NULL);
    if (h)
        m->content_type = h->value;
    return m->bad_version ? SIP_E_VERSION : SIP_OK;
}

/* ------------------------------------------------------------------------- */
/* Reason phrases */

const char *sip_reason_phrase(unsigned status)
{
    switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 199: return "Early Dialog Terminated";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 415: return "Unsupported Media Type";
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
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: break;
    }
    if (status < 200)
        return "Session Progress";
    if (status < 300)
        return "OK";
    if (status < 400)
        return "Redirection";
    if (status < 500)
        return "Client Error";
    if (status < 600)
        return "Server Error";
    return "Global Failure";
}

/* ------------------------------------------------------------------------- */
/* Writer */

void sb_init(sip_buf_t *b, char *p, size_t cap)
{
    b->p = p;
    b->cap = cap;
    b->len = 0;
    b->overflow = cap == 0;
    if (cap)
        p[0] = '\0';
}

void sb_vprintf(sip_buf_t *b, const char *fmt, va_list ap)
{
    if (b->overflow)
        return;
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    if (n < 0 || (size_t)n >= room) {
        b->overflow = true;
        b->p[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

void sb_printf(sip_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_str(sip_buf_t *b, sip_str_t s)
{
    if (b->overflow)
        return;
    if (s.n >= b->cap - b->len) {
        b->overflow = true;
        return;
    }
    if (s.n)
        memcpy(b->p + b->len, s.p, s.n);
    b->len += s.n;
    b->p[b->len] = '\0';
}

void sb_header(sip_buf_t *b, const char *name, sip_str_t value)
{
    sb_printf(b, "%s: %.*s\r\n", name, SIP_STR_ARG(value));
}

void sb_finish(sip_buf_t *b, const char *content_type, const char *body, size_t body_len)
{
    if (body_len && content_type)
        sb_printf(b, "Content-Type: %s\r\n", content_type);
    sb_printf(b, "Content-Length: %zu\r\n\r\n", body_len);
    if (body_len)
        sb_str(b, mk(body, body_len));
}

void sip_response_start(sip_buf_t *b, const sip_msg_t *req, unsigned status, const char *reason,
                        const char *to_tag)
{
    sb_printf(b, "SIP/2.0 %u %s\r\n", status, reason ? reason : sip_reason_phrase(status));
    for (const sip_header_t *h = sip_find(req, SIP_H_VIA, NULL); h; h = sip_find(req, SIP_H_VIA, h))
        sb_header(b, "Via", h->value);
    const sip_header_t *from = sip_find(req, SIP_H_FROM, NULL);
    const sip_header_t *to = sip_find(req, SIP_H_TO, NULL);
    const sip_header_t *cid = sip_find(req, SIP_H_CALL_ID, NULL);
    const sip_header_t *cseq = sip_find(req, SIP_H_CSEQ, NULL);
    if (from)
        sb_header(b, "From", from->value);
    if (to) {
        sb_printf(b, "To: %.*s", SIP_STR_ARG(to->value));
        if (to_tag && req->to_tag.n == 0)
            sb_printf(b, ";tag=%s", to_tag);
        sb_printf(b, "\r\n");
    }
    if (cid)
        sb_header(b, "Call-ID", cid->value);
    if (cseq)
        sb_header(b, "CSeq", cseq->value);
}
