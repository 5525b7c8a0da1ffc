/*
 * A small, strict SIP message reader and writer for the example programs.
 *
 * It is not part of libprack: it shows what a host has to pull out of a SIP
 * message before it can hand the engine its facts (CSeq, To-tag, option tags,
 * RSeq, RAck, whether there is SDP), and how it builds the messages the engine
 * asks for. It reads one UDP datagram at a time, never allocates and never
 * reads past the bytes it was given.
 */
#ifndef EXAMPLES_SIPMSG_H
#define EXAMPLES_SIPMSG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest UDP payload we accept (IPv4 limit). */
#define SIP_MAX_DGRAM 65507u
/* Header lines kept per message; more makes the message malformed. */
#define SIP_MAX_HEADERS 96u
/* Record-Route or Route entries kept per message. */
#define SIP_MAX_ROUTES 8u

/* A byte range inside the parsed datagram; not NUL-terminated. */
typedef struct sip_str {
    const char *p;
    size_t n;
} sip_str_t;

/* printf("%.*s", SIP_STR_ARG(s)) */
#define SIP_STR_ARG(s) (int)(s).n, (s).p

/* Headers the examples look at; everything else is SIP_H_OTHER. */
typedef enum sip_hid {
    SIP_H_OTHER = 0,
    SIP_H_VIA,
    SIP_H_FROM,
    SIP_H_TO,
    SIP_H_CALL_ID,
    SIP_H_CSEQ,
    SIP_H_CONTACT,
    SIP_H_CONTENT_LENGTH,
    SIP_H_CONTENT_TYPE,
    SIP_H_SUPPORTED,
    SIP_H_REQUIRE,
    SIP_H_PROXY_REQUIRE,
    SIP_H_UNSUPPORTED,
    SIP_H_RSEQ,
    SIP_H_RACK,
    SIP_H_RECORD_ROUTE,
    SIP_H_ROUTE,
    SIP_H_MAX_FORWARDS,
    SIP_H_WWW_AUTHENTICATE,
    SIP_H_PROXY_AUTHENTICATE,
    SIP_H_AUTHORIZATION,
    SIP_H_PROXY_AUTHORIZATION,
    SIP_H_ALLOW,
    SIP_H_CONTENT_ENCODING,
    SIP_H_SUBJECT
} sip_hid_t;

typedef struct sip_header {
    sip_hid_t id;
    sip_str_t name;  /* as received (may be a compact form) */
    sip_str_t value; /* trimmed; folded lines are joined with spaces */
} sip_header_t;

/* Why sip_parse() failed; the text goes into a 400 reason phrase. */
typedef enum sip_err {
    SIP_OK = 0,
    SIP_E_EMPTY,       /* keep-alive CRLFs or nothing at all: ignore */
    SIP_E_START_LINE,  /* not a SIP start line: drop */
    SIP_E_HEADER,      /* a header line without a name or colon */
    SIP_E_TOO_MANY,    /* more than SIP_MAX_HEADERS header lines */
    SIP_E_NO_END,      /* no empty line after the headers */
    SIP_E_VIA,         /* missing or malformed top Via */
    SIP_E_FROM,
    SIP_E_TO,
    SIP_E_CALL_ID,
    SIP_E_CSEQ,
    SIP_E_CONTENT_LENGTH,
    SIP_E_VERSION      /* a well-formed request of another SIP version: 505 */
} sip_err_t;

typedef struct sip_msg {
    bool request;
    bool bad_version; /* a request line with a version other than SIP/2.0 */
    /* requests */
    sip_str_t method;
    sip_str_t uri;
    /* responses */
    unsigned status;
    sip_str_t reason;

    size_t nhdr;
    sip_header_t hdr[SIP_MAX_HEADERS];

    /* facts from the mandatory headers (valid when sip_parse() returned SIP_OK) */
    sip_str_t call_id;
    sip_str_t from, to;         /* whole header values */
    sip_str_t from_tag, to_tag; /* empty when absent */
    uint32_t cseq;
    sip_str_t cseq_method;
    sip_str_t branch;           /* top Via branch parameter, may be empty */
    sip_str_t via_host;         /* top Via sent-by host (no brackets) */
    unsigned via_port;          /* 0 when absent */
    bool via_rport;             /* top Via has an rport parameter */
    sip_str_t content_type;
    sip_str_t body;
} sip_msg_t;

/*
 * Parse one datagram in place. buf[0..len) is modified only to join folded
 * header lines. On error the fields parsed so far stay set (the start line,
 * the header list), so a request can still be answered with a 400.
 */
sip_err_t sip_parse(char *buf, size_t len, sip_msg_t *m);

/* A short English text for a parse error ("Malformed CSeq"). */
const char *sip_strerror(sip_err_t err);

/* Case-insensitive comparison of a range with a C string. */
bool sip_str_eq(sip_str_t s, const char *lit);
/* Case-sensitive comparison. */
bool sip_str_eq_exact(sip_str_t s, const char *lit);
/* Whether two ranges are byte-for-byte equal. */
bool sip_str_same(sip_str_t a, sip_str_t b);
sip_str_t sip_str_c(const char *s);
/* Copy into a NUL-terminated buffer; false (and an empty string) if it does not fit. */
bool sip_str_copy(char *dst, size_t cap, sip_str_t s);

/* The first header with this id after `after` (NULL: from the start), or NULL. */
const sip_header_t *sip_find(const sip_msg_t *m, sip_hid_t id, const sip_header_t *after);

/*
 * Take the next element of a comma-separated header value, honouring quoted
 * strings and <...>. Returns false when the list is exhausted; empty elements
 * are skipped.
 */
bool sip_list_next(sip_str_t *rest, sip_str_t *item);

/*
 * Whether an option tag appears in any instance of a Require/Supported/
 * Unsupported/Proxy-Require header: 1 yes, 0 no, -1 a malformed list.
 */
int sip_has_option(const sip_msg_t *m, sip_hid_t id, const char *tag);

/*
 * The URI of a name-addr or addr-spec ("Bob" <sip:b@h>;tag=1 -> sip:b@h), and
 * the header parameters after it (";tag=1").
 */
void sip_split_nameaddr(sip_str_t v, sip_str_t *uri, sip_str_t *params);

/* Find parameter `name` in ";a=1;b;c=2" (case-insensitive). A flag parameter has an empty value. */
bool sip_param(sip_str_t params, const char *name, sip_str_t *value);

/* The parts of a sip: URI. Host has no brackets; port 0 when absent. */
typedef struct sip_uri {
    sip_str_t user;
    sip_str_t host;
    unsigned port;
    sip_str_t params; /* ";lr;transport=udp" */
    bool ipv6;
} sip_uri_t;

bool sip_uri_parse(sip_str_t s, sip_uri_t *u);

/* The URI of the first Contact, or an empty range. */
sip_str_t sip_contact_uri(const sip_msg_t *m);

/* Every entry of every header `id` (Record-Route or Route), in order. */
size_t sip_routes(const sip_msg_t *m, sip_hid_t id, sip_str_t *out, size_t max);

/* Whether the message carries a non-empty application/sdp body. */
bool sip_has_sdp(const sip_msg_t *m);

/* The reason phrase RFC 3261 gives a status code ("Session Progress"). */
const char *sip_reason_phrase(unsigned status);

/* ------------------------------------------------------------------------- */
/* Writer: appends to a caller buffer; an overflow is sticky and checked once. */

typedef struct sip_buf {
    char *p;
    size_t cap;
    size_t len;
    bool overflow;
} sip_buf_t;

void sb_init(sip_buf_t *b, char *p, size_t cap);
void sb_printf(sip_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(sip_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sb_str(sip_buf_t *b, sip_str_t s);
/* "Name: value\r\n" */
void sb_header(sip_buf_t *b, const char *name, sip_str_t value);
/* Content-Type (when body_len > 0), Content-Length, the empty line and the body. */
void sb_finish(sip_buf_t *b, const char *content_type, const char *body, size_t body_len);

/*
 * Start a response to `req`: status line, every Via, From, To (with `to_tag`
 * added when the request's To has none and to_tag is not NULL), Call-ID, CSeq.
 */
void sip_response_start(sip_buf_t *b, const sip_msg_t *req, unsigned status, const char *reason,
                        const char *to_tag);

#endif /* EXAMPLES_SIPMSG_H */
