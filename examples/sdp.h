/*
 * SDP offer/answer for the example programs (RFC 4566 syntax, RFC 3264 rules).
 *
 * Not part of libprack: the library only says which message carries an offer
 * or an answer; what goes in it is the host's business. This module reads the
 * session descriptions SIP peers send (v=, o=, s=, c=, t=, m= lines,
 * rtpmap/fmtp and the direction attributes, at session and media level, IPv4
 * and IPv6), answers an offer from a list of local formats, builds an offer,
 * and checks an answer against the offer it answers. It never allocates: the
 * parsed description points into the caller's text, and what we send is kept
 * in a caller-owned sdp_local_t. It needs only the C library.
 */
#ifndef EXAMPLES_SDP_H
#define EXAMPLES_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* m= lines read per description; more is an error (SDP_E_LIMIT), since every
 * one of them needs its line in the answer. */
#define SDP_MAX_MEDIA 8u
/* Payload types kept per m= line; further ones are not considered (an answer
 * need not use every offered format). */
#define SDP_MAX_FMT 24u
/* Local formats (--codecs). */
#define SDP_MAX_CODECS 8u
/* Room for our own description after its o= line. */
#define SDP_LOCAL_MAX 1024u
/* Room for the whole of our description (v=, o= and the rest). */
#define SDP_BODY_MAX (SDP_LOCAL_MAX + 192u)

/* A byte range inside the parsed text; not NUL-terminated. */
typedef struct sdp_text {
    const char *p;
    size_t n;
} sdp_text_t;

/* Direction attributes (RFC 3264 5.1, 6.1). */
typedef enum sdp_dir {
    SDP_DIR_UNSET = 0, /* no attribute at this level */
    SDP_SENDRECV,
    SDP_SENDONLY,
    SDP_RECVONLY,
    SDP_INACTIVE
} sdp_dir_t;

typedef enum sdp_rc {
    SDP_OK = 0,
    SDP_REJECT,      /* no offered stream can be accepted: refuse the offer (488) */
    SDP_E_SYNTAX,    /* a line that is not "x=value", or with control characters */
    SDP_E_VERSION,   /* the first line is not v=0 */
    SDP_E_ORIGIN,    /* o= missing or malformed */
    SDP_E_SESSION,   /* s= or t= missing, or t= malformed */
    SDP_E_CONN,      /* c= malformed, or a stream with no c= at either level */
    SDP_E_MEDIA,     /* m= malformed: port above 65535, payload type above 127, ... */
    SDP_E_RTPMAP,    /* a=rtpmap malformed, or a clock rate above 2^32-1 */
    SDP_E_LIMIT,     /* more than SDP_MAX_MEDIA m= lines */
    SDP_E_SPACE,     /* our description does not fit in SDP_LOCAL_MAX */
    SDP_E_COUNT,     /* answer: not one m= line for each offered one */
    SDP_E_MISMATCH,  /* answer: another media type, or a port for a refused stream */
    SDP_E_FORMAT,    /* answer: a format the offer did not list */
    SDP_E_DIRECTION  /* answer: a direction the offered one does not allow */
} sdp_rc_t;

/* Text of an sdp_rc_t, e.g. "malformed c= line". */
const char *sdp_strerror(int rc);

/* One payload type of an RTP m= line. */
typedef struct sdp_fmt {
    uint8_t pt;         /* 0..127 */
    bool known;         /* name and rate from a=rtpmap or the RFC 3551 static table */
    sdp_text_t name;    /* encoding name, e.g. "PCMU" */
    uint32_t rate;      /* clock rate */
    uint32_t channels;  /* 1 when not given */
    sdp_text_t fmtp;    /* a=fmtp parameters, or empty */
} sdp_fmt_t;

typedef struct sdp_conn {
    bool set;
    bool ip6;
    sdp_text_t addr;
} sdp_conn_t;

typedef struct sdp_media {
    sdp_text_t type;    /* audio, video, ... */
    uint32_t port;      /* 0: the stream is refused or disabled */
    sdp_text_t proto;   /* RTP/AVP, ... */
    sdp_text_t fmts;    /* the format list as written */
    bool rtp;           /* an RTP profile: fmt[] holds the payload types */
    size_t nfmt;
    sdp_fmt_t fmt[SDP_MAX_FMT];
    sdp_dir_t dir;      /* its own attribute, or SDP_DIR_UNSET */
    sdp_conn_t conn;
} sdp_media_t;

typedef struct sdp {
    sdp_text_t origin_user, sess_id, sess_version;
    sdp_conn_t conn;    /* session-level c= */
    sdp_dir_t dir;      /* session-level direction, or SDP_DIR_UNSET */
    size_t nmedia;
    sdp_media_t media[SDP_MAX_MEDIA];
    unsigned err_line;  /* after an error: its line, from 1 */
} sdp_t;

/*
 * Read a session description. Lines end with CRLF or LF; lines of types this
 * module does not use (i=, b=, a=ptime, ...) are skipped. Returns SDP_OK or an
 * SDP_E_* code with s->err_line set.
 */
int sdp_parse(const char *text, size_t len, sdp_t *s);

/* The direction in force for stream i: its own, else the session's, else sendrecv. */
sdp_dir_t sdp_media_dir(const sdp_t *s, size_t i);
/* "sendrecv", ... */
const char *sdp_dir_name(sdp_dir_t d);

/* ------------------------------------------------------------------------- */
/* Local formats */

/* A format this program can use. */
typedef struct sdp_codec {
    const char *name;  /* encoding name */
    uint32_t rate;
    uint8_t channels;
    uint8_t pt;        /* what we offer: the static type, or our dynamic choice */
    bool aux;          /* telephone-event: never enough on its own to accept a stream */
    const char *fmtp;  /* parameters we send, or NULL */
} sdp_codec_t;

typedef struct sdp_caps {
    const sdp_codec_t *codec[SDP_MAX_CODECS];
    size_t n;
} sdp_caps_t;

/* The names sdp_caps_parse() knows, for --help. */
#define SDP_CODECS_KNOWN "PCMU, PCMA, G722, GSM, G729, opus, telephone-event"
#define SDP_CODECS_DEFAULT "PCMU,PCMA,telephone-event"

/*
 * A comma-separated list of names (case-insensitive), each optionally with
 * its clock rate, e.g. "PCMA,PCMU/8000,telephone-event". The order is the
 * order of our offers. Returns 0, or -1 for an unknown or repeated name, an
 * empty list or more than SDP_MAX_CODECS.
 */
int sdp_caps_parse(sdp_caps_t *caps, const char *list);

/* ------------------------------------------------------------------------- */
/* Our side */

/*
 * The description we send in one session: its o= line stays the same except
 * for the version, which goes up by one each time the description changes
 * and only then (RFC 3264 8).
 */
typedef struct sdp_local {
    char user[32];
    char addr[48];      /* our address, without brackets */
    bool ip6;
    uint16_t port;      /* RTP port of stream 0; stream i gets port + 2*i */
    uint64_t id;
    uint64_t version;
    size_t len;         /* bytes of body in use; 0 before the first description */
    char body[SDP_LOCAL_MAX]; /* the lines after o= */
} sdp_local_t;

/* Start a session: no description yet, version 1. */
void sdp_local_init(sdp_local_t *l, const char *user, uint64_t id, const char *addr, bool ip6,
                    unsigned port);
/*
 * The whole current description (v=, o=, the rest) into buf, NUL-terminated;
 * its length, or 0 when there is none yet or it does not fit.
 */
size_t sdp_local_write(const sdp_local_t *l, char *buf, size_t cap);

/* Outcome of an answer or of a check. */
typedef struct sdp_verdict {
    unsigned accepted;  /* streams with a port (and a format) in the answer */
    unsigned warning;   /* SDP_REJECT: Warning code, 304 or 305 (RFC 3261 20.43) */
    const char *text;   /* SDP_REJECT or an error: what is wrong, a static string */
    unsigned stream;    /* an error of sdp_check_answer(): the m= line, from 0 */
} sdp_verdict_t;

/* Our offer: one audio stream with every local format, sendrecv. SDP_OK or SDP_E_SPACE. */
int sdp_make_offer(sdp_local_t *l, const sdp_caps_t *caps);

/*
 * The answer to a parsed offer (RFC 3264 6): one m= line per offered one, in
 * order; a stream is accepted with the formats both sides have (matched by
 * encoding name, clock rate and channels, numbered as the offer numbers them,
 * in the offer's order) and the mirrored direction, and refused with port 0
 * when nothing is in common, when its media type or profile is not ours, or
 * when it was offered with port 0. Returns SDP_OK with the answer in l;
 * SDP_REJECT when some stream was offered with a port and none can be
 * accepted: l is unchanged unless `force`, which puts the answer refusing
 * every stream in l (for an offer that cannot be refused, RFC 6337 2.3);
 * SDP_E_SPACE when the answer does not fit.
 */
int sdp_make_answer(sdp_local_t *l, const sdp_caps_t *caps, const sdp_t *offer, bool force,
                    sdp_verdict_t *v);

/* sdp_parse() and sdp_make_answer() in one call; a parse error is returned as is,
 * with v->text naming it. */
int sdp_answer_text(sdp_local_t *l, const sdp_caps_t *caps, const char *offer, size_t len,
                    bool force, sdp_verdict_t *v);

/*
 * Whether `answer` answers `offer` (RFC 3264 6, 8): as many m= lines, the same
 * media types, port 0 where the offer had port 0, only offered formats, a
 * direction the offer allows. SDP_OK (v->accepted streams), or an SDP_E_*
 * code with v->stream and v->text.
 */
int sdp_check_answer(const sdp_t *offer, const sdp_t *answer, sdp_verdict_t *v);

/* sdp_check_answer() of a received answer against our current description. */
int sdp_check_answer_text(const sdp_local_t *l, const char *answer, size_t len, sdp_verdict_t *v);

#endif /* EXAMPLES_SDP_H */
