/*
 * Fuzz target: the example programs' SIP reader (examples/sipmsg.c) and their
 * digest authentication parser (examples/digest.c), the code that reads what
 * arrives from the network before anything reaches the engines.
 *
 * Input: one UDP datagram, as is. It is parsed from an exact-size heap copy,
 * and every helper the programs use on what the parser returns gets its own
 * exact-size copy of the range it is given, so that reading one byte past it
 * is an ASan report. On top of that:
 * - every range returned lies inside the datagram (or inside the range the
 *   helper was given) or is empty;
 * - the parser changes the datagram only where a folded header line is
 *   joined ("\r\n" before a space or tab becomes two spaces), and parsing the
 *   joined datagram again gives the same result at the same offsets;
 * - header names are tokens and name the header id RFC 3261 gives them (long
 *   or compact form); values are trimmed, without CR, LF or NUL;
 * - a message that parses has a single From, To, Call-ID and CSeq, whose
 *   values are the ones returned, tags that are tokens, a CSeq method that is
 *   the request's, and a body of exactly Content-Length bytes right after the
 *   empty line;
 * - list elements are non-empty, trimmed and in order; sip_has_option()
 *   agrees with the elements sip_list_next() finds; sip_routes() returns the
 *   elements in order; parsed URIs have a host and a port in 1..65535;
 * - a response started from a request that parses (sip_response_start())
 *   stays inside its buffer, whatever its size, and when it fits parses back
 *   with the request's Call-ID, CSeq, From and tags;
 * - digest_parse() fills only NUL-terminated fields; an Authorization written
 *   for a parsed challenge stays inside its buffer, parses back with the
 *   challenge's realm, nonce and opaque, and verifies with the password.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "digest.h"
#include "prack/header.h"
#include "sipmsg.h"

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(__LINE__, (what), #cond);                                                         \
    } while (0)

static void fail(int line, const char *what, const char *cond)
{
    fprintf(stderr, "sipmsg: CHECK FAILED: %s\n  check: %s\n  at %s:%d\n", what, cond, __FILE__,
            line);
    fflush(stderr);
    abort();
}

/* A range lies inside [base, base + len), or is empty. */
static bool inside(sip_str_t s, const char *base, size_t len)
{
    if (s.n == 0)
        return true;
    uintptr_t p = (uintptr_t)s.p, b = (uintptr_t)base;
    return s.p && p >= b && p - b <= len && s.n <= len - (p - b);
}

static size_t offset_of(sip_str_t s, const char *base)
{
    return s.n ? (size_t)((uintptr_t)s.p - (uintptr_t)base) : 0u;
}

/* Two ranges at the same offsets of their own buffers (or both empty). */
static bool same_place(sip_str_t a, const char *abase, sip_str_t b, const char *bbase)
{
    return a.n == b.n && offset_of(a, abase) == offset_of(b, bbase);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_token_char(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

static bool is_token(sip_str_t s)
{
    if (s.n == 0)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!is_token_char(s.p[i]))
            return false;
    return true;
}

static bool trimmed(sip_str_t s)
{
    return s.n == 0 || (!is_ws(s.p[0]) && !is_ws(s.p[s.n - 1]));
}

/* An exact-size heap copy of a range, so that ASan sees any read past it. */
static sip_str_t dup_range(sip_str_t s)
{
    char *p = malloc(s.n ? s.n : 1u);
    if (!p)
        abort();
    if (s.n)
        memcpy(p, s.p, s.n);
    sip_str_t d = {p, s.n};
    return d;
}

static void free_range(sip_str_t s)
{
    free((void *)(uintptr_t)s.p);
}

/* ---- header names, from RFC 3261 (7.3.3 compact forms) and RFC 3262 ---- */

static const struct {
    sip_hid_t id;
    const char *name;
    const char *compact;
} known[] = {
    {SIP_H_VIA, "Via", "v"},
    {SIP_H_FROM, "From", "f"},
    {SIP_H_TO, "To", "t"},
    {SIP_H_CALL_ID, "Call-ID", "i"},
    {SIP_H_CSEQ, "CSeq", NULL},
    {SIP_H_CONTACT, "Contact", "m"},
    {SIP_H_CONTENT_LENGTH, "Content-Length", "l"},
    {SIP_H_CONTENT_TYPE, "Content-Type", "c"},
    {SIP_H_SUPPORTED, "Supported", "k"},
    {SIP_H_REQUIRE, "Require", NULL},
    {SIP_H_PROXY_REQUIRE, "Proxy-Require", NULL},
    {SIP_H_UNSUPPORTED, "Unsupported", NULL},
    {SIP_H_RSEQ, "RSeq", NULL},
    {SIP_H_RACK, "RAck", NULL},
    {SIP_H_RECORD_ROUTE, "Record-Route", NULL},
    {SIP_H_ROUTE, "Route", NULL},
    {SIP_H_MAX_FORWARDS, "Max-Forwards", NULL},
    {SIP_H_WWW_AUTHENTICATE, "WWW-Authenticate", NULL},
    {SIP_H_PROXY_AUTHENTICATE, "Proxy-Authenticate", NULL},
    {SIP_H_AUTHORIZATION, "Authorization", NULL},
    {SIP_H_PROXY_AUTHORIZATION, "Proxy-Authorization", NULL},
    {SIP_H_ALLOW, "Allow", NULL},
    {SIP_H_CONTENT_ENCODING, "Content-Encoding", "e"},
    {SIP_H_SUBJECT, "Subject", "s"},
};

static sip_hid_t expected_id(sip_str_t name)
{
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (sip_str_eq(name, known[i].name) || (known[i].compact && sip_str_eq(name, known[i].compact)))
            return known[i].id;
    return SIP_H_OTHER;
}

/* ---- the parser ---- */

/* Every range of the message lies in the datagram; the header list is sane. */
static void check_ranges(const sip_msg_t *m, const char *buf, size_t len)
{
    const sip_str_t all[] = {m->method,   m->uri,         m->reason,   m->call_id,  m->from,
                             m->to,       m->from_tag,    m->to_tag,   m->cseq_method,
                             m->branch,   m->via_host,    m->content_type, m->body};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        CHECK(inside(all[i], buf, len), "every range the parser returns lies in the datagram");
    CHECK(m->nhdr <= SIP_MAX_HEADERS, "at most SIP_MAX_HEADERS headers");
    size_t after = 0;
    for (size_t i = 0; i < m->nhdr; i++) {
        const sip_header_t *h = &m->hdr[i];
        CHECK(inside(h->name, buf, len) && inside(h->value, buf, len),
              "header names and values lie in the datagram");
        CHECK(h->name.n > 0 && is_token(h->name), "a header name is a token");
        CHECK(h->id == expected_id(h->name), "the header id is the one its name gives");
        CHECK(trimmed(h->value), "header values are trimmed");
        for (size_t k = 0; k < h->value.n; k++)
            CHECK(h->value.p[k] != '\r' && h->value.p[k] != '\n' && h->value.p[k] != '\0',
                  "no CR, LF or NUL in a header value");
        size_t at = offset_of(h->name, buf);
        CHECK(i == 0 || at >= after, "headers in the order of the datagram, not overlapping");
        after = h->value.n ? offset_of(h->value, buf) + h->value.n : at + h->name.n;
        CHECK(sip_find(m, h->id, i ? &m->hdr[i - 1] : NULL) == h,
              "sip_find() finds the next header with that id");
    }
}

/* Facts a message that parses must have. */
static void check_parsed(const sip_msg_t *m, const char *buf, size_t len)
{
    if (m->request) {
        CHECK(is_token(m->method), "the method is a token");
        CHECK(memchr(m->uri.p, ':', m->uri.n) != NULL, "the request URI has a scheme");
        CHECK(sip_str_same(m->cseq_method, m->method), "the CSeq method is the request's");
    } else {
        CHECK(m->status >= 100 && m->status <= 699, "a status code in 100..699");
    }
    CHECK(m->call_id.n > 0, "a Call-ID");
    for (size_t i = 0; i < m->call_id.n; i++)
        CHECK(!is_ws(m->call_id.p[i]), "a Call-ID without whitespace");
    CHECK(is_token(m->cseq_method), "the CSeq method is a token");
    CHECK(m->from_tag.n == 0 || is_token(m->from_tag), "the From tag is a token");
    CHECK(m->to_tag.n == 0 || is_token(m->to_tag), "the To tag is a token");
    CHECK(m->via_port <= 65535u, "a Via port fits");
    CHECK(m->via_host.n > 0, "the top Via has a host");
    static const struct {
        sip_hid_t id;
        size_t field;
    } single[] = {
        {SIP_H_FROM, offsetof(sip_msg_t, from)},
        {SIP_H_TO, offsetof(sip_msg_t, to)},
        {SIP_H_CALL_ID, offsetof(sip_msg_t, call_id)},
    };
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        const sip_header_t *h = sip_find(m, single[i].id, NULL);
        CHECK(h && !sip_find(m, single[i].id, h), "From, To and Call-ID appear once");
        const sip_str_t *f = (const sip_str_t *)(const void *)((const char *)m + single[i].field);
        CHECK(f->p == h->value.p && f->n == h->value.n, "the value returned is the header's");
    }
    const sip_header_t *cseq = sip_find(m, SIP_H_CSEQ, NULL);
    CHECK(cseq && !sip_find(m, SIP_H_CSEQ, cseq), "CSeq appears once");
    CHECK(inside(m->cseq_method, cseq->value.p, cseq->value.n), "the CSeq method is in the CSeq");
    const sip_header_t *cl = sip_find(m, SIP_H_CONTENT_LENGTH, NULL);
    if (cl) {
        CHECK(!sip_find(m, SIP_H_CONTENT_LENGTH, cl), "one Content-Length");
        char digits[24];
        CHECK(sip_str_copy(digits, sizeof(digits), cl->value), "a Content-Length of digits");
        CHECK(strtoull(digits, NULL, 10) == m->body.n, "a body of Content-Length bytes");
    }
    if (m->body.n) {
        size_t at = offset_of(m->body, buf);
        CHECK(at >= 4 && memcmp(buf + at - 4, "\r\n\r\n", 4) == 0,
              "the body starts right after the empty line");
        CHECK(at + m->body.n <= len, "the body lies in the datagram");
    }
    if (sip_has_sdp(m))
        CHECK(m->body.n > 0 && m->content_type.n >= 15 &&
                  sip_str_eq((sip_str_t){m->content_type.p, 15}, "application/sdp"),
              "SDP only with an application/sdp body");
}

/* The datagram was changed only to join folded lines. */
static void check_changes(const uint8_t *orig, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((uint8_t)buf[i] == orig[i])
            continue;
        CHECK(buf[i] == ' ', "a joined line break becomes a space");
        bool cr = orig[i] == '\r' && i + 2 < len && orig[i + 1] == '\n' && is_ws((char)orig[i + 2]);
        bool lf = orig[i] == '\n' && i >= 1 && i + 1 < len && orig[i - 1] == '\r' &&
                  is_ws((char)orig[i + 1]);
        CHECK(cr || lf, "the parser changes the datagram only to join folded lines");
    }
}

/* Parsing the joined datagram again gives the same message. */
static void check_again(sip_err_t rc, const sip_msg_t *m, const char *buf, size_t len)
{
    static sip_msg_t m2;
    char *copy = malloc(len ? len : 1u);
    if (!copy)
        abort();
    memcpy(copy, buf, len);
    sip_err_t rc2 = sip_parse(copy, len, &m2);
    CHECK(rc2 == rc, "parsing the joined datagram again gives the same result");
    CHECK(memcmp(copy, buf, len) == 0, "a joined datagram has nothing left to join");
    CHECK(m2.nhdr == m->nhdr && m2.request == m->request && m2.status == m->status &&
              m2.cseq == m->cseq && m2.via_port == m->via_port && m2.via_rport == m->via_rport &&
              m2.bad_version == m->bad_version,
          "the same facts the second time");
    const sip_str_t a[] = {m->method, m->uri,    m->reason, m->call_id, m->from,
                           m->to,     m->from_tag, m->to_tag, m->cseq_method,
                           m->branch, m->via_host, m->content_type, m->body};
    const sip_str_t b[] = {m2.method, m2.uri,    m2.reason, m2.call_id, m2.from,
                           m2.to,     m2.from_tag, m2.to_tag, m2.cseq_method,
                           m2.branch, m2.via_host, m2.content_type, m2.body};
    for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
        CHECK(same_place(a[i], buf, b[i], copy), "the same ranges the second time");
    for (size_t i = 0; i < m->nhdr; i++)
        CHECK(m2.hdr[i].id == m->hdr[i].id &&
                  same_place(m2.hdr[i].name, copy, m->hdr[i].name, buf) &&
                  same_place(m2.hdr[i].value, copy, m->hdr[i].value, buf),
              "the same headers the second time");
    free(copy);
}

/* ---- helpers on what the parser returned ---- */

/*
 * The elements of a list, each checked; returns how many. The first max go
 * to items (as ranges of value), and *seen says whether one equals tag.
 */
static size_t check_list(sip_str_t value, sip_str_t *items, size_t max, const char *tag,
                         bool *seen)
{
    sip_str_t v = dup_range(value), rest = v, item;
    size_t n = 0, after = 0;
    while (sip_list_next(&rest, &item)) {
        CHECK(n <= value.n, "sip_list_next() ends");
        CHECK(item.n > 0 && inside(item, v.p, v.n), "a list element is non-empty, inside the list");
        CHECK(trimmed(item), "a list element is trimmed");
        CHECK(offset_of(item, v.p) >= after, "list elements in order");
        CHECK(inside(rest, v.p, v.n), "the rest of a list is inside it");
        after = offset_of(item, v.p) + item.n;
        if (n < max) {
            items[n].p = value.p + offset_of(item, v.p);
            items[n].n = item.n;
        }
        if (tag && sip_str_eq(item, tag))
            *seen = true;
        n++;
    }
    free_range(v);
    return n;
}

static void check_uri(sip_str_t s)
{
    sip_str_t d = dup_range(s);
    sip_uri_t u;
    if (sip_uri_parse(d, &u)) {
        CHECK(u.host.n > 0 && inside(u.host, d.p, d.n), "a parsed URI has a host inside it");
        CHECK(inside(u.user, d.p, d.n) && inside(u.params, d.p, d.n),
              "the user and parameters of a URI lie inside it");
        CHECK(u.params.n == 0 || u.params.p[0] == ';', "URI parameters start with ';'");
        CHECK(u.port <= 65535u, "a URI port fits");
        CHECK(!u.ipv6 || memchr(u.host.p, ']', u.host.n) == NULL, "an IPv6 host without brackets");
    }
    free_range(d);
}

static void check_params(sip_str_t params)
{
    static const char *const names[] = {"tag", "branch", "lr", "rport", "transport", "expires",
                                        "received", "maddr"};
    sip_str_t d = dup_range(params);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        sip_str_t v;
        if (sip_param(d, names[i], &v))
            CHECK(inside(v, d.p, d.n), "a parameter value lies inside the parameters");
    }
    free_range(d);
}

/* A name-addr or addr-spec: its URI and parameters. */
static void check_address(sip_str_t item)
{
    sip_str_t d = dup_range(item), uri, params;
    sip_split_nameaddr(d, &uri, &params);
    CHECK(inside(uri, d.p, d.n) && inside(params, d.p, d.n),
          "the URI and parameters of an address lie inside it");
    check_uri(uri);
    check_params(params);
    free_range(d);
}

static void check_options(const sip_msg_t *m, sip_hid_t id, const char *tag)
{
    int rc = sip_has_option(m, id, tag);
    CHECK(rc >= -1 && rc <= 1, "sip_has_option() says yes, no or malformed");
    if (rc < 0)
        return;
    bool seen = false;
    for (const sip_header_t *h = sip_find(m, id, NULL); h; h = sip_find(m, id, h))
        (void)check_list(h->value, NULL, 0, tag, &seen);
    CHECK(seen == (rc == 1), "sip_has_option() agrees with the list elements");
}

static void check_routes(const sip_msg_t *m, sip_hid_t id)
{
    sip_str_t routes[SIP_MAX_ROUTES], items[SIP_MAX_ROUTES];
    size_t n = sip_routes(m, id, routes, SIP_MAX_ROUTES), k = 0;
    CHECK(n <= SIP_MAX_ROUTES, "sip_routes() within its array");
    for (const sip_header_t *h = sip_find(m, id, NULL); h && k < SIP_MAX_ROUTES; h = sip_find(m, id, h)) {
        size_t got = check_list(h->value, items, SIP_MAX_ROUTES, NULL, NULL);
        for (size_t i = 0; i < got && i < SIP_MAX_ROUTES && k < SIP_MAX_ROUTES; i++, k++)
            CHECK(k < n && routes[k].p == items[i].p && routes[k].n == items[i].n,
                  "sip_routes() returns every element, in order");
    }
    CHECK(n == k, "sip_routes() returns every element up to its array");
    for (size_t i = 0; i < n; i++)
        check_address(routes[i]);
}

static void check_helpers(const sip_msg_t *m, const char *buf, size_t len)
{
    sip_str_t items[SIP_MAX_HEADERS];
    for (size_t i = 0; i < m->nhdr; i++) {
        const sip_header_t *h = &m->hdr[i];
        size_t n = check_list(h->value, items, SIP_MAX_HEADERS, NULL, NULL);
        if (h->id == SIP_H_FROM || h->id == SIP_H_TO || h->id == SIP_H_CONTACT)
            for (size_t k = 0; k < n && k < SIP_MAX_HEADERS; k++)
                check_address(items[k]);
        if (h->id == SIP_H_VIA)
            check_params(h->value);
    }
    static const sip_hid_t lists[] = {SIP_H_SUPPORTED, SIP_H_REQUIRE, SIP_H_PROXY_REQUIRE,
                                      SIP_H_UNSUPPORTED};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        check_options(m, lists[i], "100rel");
        check_options(m, lists[i], "timer");
    }
    sip_str_t c = sip_contact_uri(m);
    CHECK(inside(c, buf, len), "the Contact URI lies in the datagram");
    check_uri(c);
    check_routes(m, SIP_H_RECORD_ROUTE);
    check_routes(m, SIP_H_ROUTE);
    if (m->request)
        check_uri(m->uri);
}

/* ---- the writer, from a request that parses ---- */

static void check_response(const sip_msg_t *req, size_t cap)
{
    char *out = malloc(cap ? cap : 1u);
    if (!out)
        abort();
    sip_buf_t b;
    sb_init(&b, out, cap);
    sip_response_start(&b, req, 183, NULL, "fz1");
    sb_finish(&b, NULL, NULL, 0);
    CHECK(b.len < cap || (cap == 0 && b.len == 0), "the writer stays inside its buffer");
    if (cap)
        CHECK(strlen(out) == b.len, "the writer's text is NUL-terminated at len");
    size_t vias = 0;
    for (const sip_header_t *h = sip_find(req, SIP_H_VIA, NULL); h; h = sip_find(req, SIP_H_VIA, h))
        vias++;
    if (!b.overflow && vias + 5u <= SIP_MAX_HEADERS) {
        static sip_msg_t r;
        char *copy = malloc(b.len ? b.len : 1u);
        if (!copy)
            abort();
        memcpy(copy, out, b.len);
        sip_err_t rc = sip_parse(copy, b.len, &r);
        CHECK(rc == SIP_OK && !r.request && r.status == 183,
              "a response started from a request that parses, parses");
        CHECK(sip_str_same(r.call_id, req->call_id) && r.cseq == req->cseq &&
                  sip_str_same(r.cseq_method, req->cseq_method) &&
                  sip_str_same(r.from_tag, req->from_tag) && sip_str_same(r.branch, req->branch),
              "the response has the request's Call-ID, CSeq, From tag and branch");
        CHECK(req->to_tag.n ? sip_str_same(r.to_tag, req->to_tag) : sip_str_eq_exact(r.to_tag, "fz1"),
              "the response keeps the request's To tag, or gets ours");
        free(copy);
    }
    free(out);
}

/* ---- digest ---- */

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static void check_digest(sip_str_t value, size_t cap)
{
    sip_str_t v = dup_range(value);
    digest_params_t d;
    int rc = digest_parse(v.p, v.n, &d);
    free_range(v);
    CHECK(rc == 0 || rc == -1, "digest_parse() returns 0 or -1");
    if (rc != 0)
        return;
    CHECK(terminated(d.realm, sizeof(d.realm)) && terminated(d.nonce, sizeof(d.nonce)) &&
              terminated(d.opaque, sizeof(d.opaque)) &&
              terminated(d.algorithm, sizeof(d.algorithm)) && terminated(d.qop, sizeof(d.qop)) &&
              terminated(d.username, sizeof(d.username)) && terminated(d.uri, sizeof(d.uri)) &&
              terminated(d.response, sizeof(d.response)) &&
              terminated(d.cnonce, sizeof(d.cnonce)) && terminated(d.nc, sizeof(d.nc)),
          "digest_parse() fills NUL-terminated fields");
    /* as credentials: the UAS checks them and their nonce */
    static const uint8_t secret[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    (void)digest_verify(&d, d.realm, d.username, "pw", "INVITE");
    (void)digest_nonce_check(d.nonce, secret, 1000u, 60000u);
    /* as a challenge: the UAC answers it */
    char *out = malloc(cap ? cap : 1u);
    if (!out)
        abort();
    int n = digest_authorization(out, cap, &d, "alice", "pw", "PRACK", "sip:bob@example.com", 1u,
                                 "0a4f113b");
    CHECK(n < 0 || ((size_t)n < cap && strlen(out) == (size_t)n),
          "an Authorization stays inside its buffer");
    if (n > 0) {
        digest_params_t c;
        CHECK(digest_parse(out, (size_t)n, &c) == 0, "our Authorization parses");
        CHECK(strcmp(c.username, "alice") == 0 && strcmp(c.realm, d.realm) == 0 &&
                  strcmp(c.nonce, d.nonce) == 0 && strcmp(c.opaque, d.opaque) == 0 &&
                  strcmp(c.uri, "sip:bob@example.com") == 0,
              "our Authorization carries the challenge's realm, nonce and opaque");
        bool md5 = d.algorithm[0] == '\0' || strcmp(d.algorithm, "MD5") == 0 ||
                   strcmp(d.algorithm, "md5") == 0;
        if (md5)
            CHECK(digest_verify(&c, d.realm, "alice", "pw", "PRACK"),
                  "our Authorization verifies with the password");
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sip_msg_t m;
    if (size > SIP_MAX_DGRAM)
        return 0;
    char *buf = malloc(size ? size : 1u);
    if (!buf)
        abort();
    if (size)
        memcpy(buf, data, size);
    sip_err_t rc = sip_parse(buf, size, &m);
    CHECK(rc >= SIP_OK && rc <= SIP_E_VERSION, "sip_parse() returns a sip_err_t");
    const char *why = sip_strerror(rc);
    CHECK(why && why[0], "every error has a text");
    check_changes(data, buf, size);
    check_ranges(&m, buf, size);
    check_again(rc, &m, buf, size);
    if (rc == SIP_OK || rc == SIP_E_VERSION)
        check_parsed(&m, buf, size);
    check_helpers(&m, buf, size);
    /* the writer: a buffer of some size the datagram picks, and one that fits */
    if (rc == SIP_OK && m.request) {
        check_response(&m, size % 512u);
        check_response(&m, 2u * size + 1024u);
    }
    for (size_t i = 0; i < m.nhdr; i++) {
        sip_hid_t id = m.hdr[i].id;
        if (id == SIP_H_WWW_AUTHENTICATE || id == SIP_H_PROXY_AUTHENTICATE ||
            id == SIP_H_AUTHORIZATION || id == SIP_H_PROXY_AUTHORIZATION) {
            check_digest(m.hdr[i].value, size % 300u);
            check_digest(m.hdr[i].value, 4096u);
        }
    }
    /* digest_parse() on the raw bytes too, as it takes any (s, n) */
    sip_str_t raw = {(const char *)data, size};
    check_digest(raw, 4096u);
    free(buf);
    return 0;
}
