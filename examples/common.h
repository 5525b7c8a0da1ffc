/*
 * What prack-uac and prack-uas share: UDP sockets (IPv4 and IPv6), the
 * monotonic clock, randomness, the call-flow ladder, option parsing and
 * the retransmission timers of RFC 3261 that the library leaves to the host.
 */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "prack/prack.h"
#include "sipmsg.h"

/* RFC 3261 17.1.2.2 / 17.2.1: T2 and T4 keep their defaults whatever T1 is. */
#define EX_T2_MS 4000u
#define EX_T4_MS 5000u

/* Largest message the examples build. */
#define EX_MSG_MAX 4096u

/* RTP port advertised in SDP; no RTP is ever sent. */
#define EX_RTP_PORT 49170u

/* ------------------------------------------------------------------------- */
/* Addresses and sockets */

typedef struct ex_addr {
    struct sockaddr_storage ss;
    socklen_t len;
} ex_addr_t;

/*
 * Parse "HOST:PORT", "[V6]:PORT", "HOST" or "V6" (numeric or a name to
 * resolve). A missing port becomes default_port. Returns 0 or -1.
 */
int ex_addr_parse(const char *text, unsigned default_port, ex_addr_t *a);
/* Resolve a host (no brackets) and port, preferring the family of `like` when not NULL. */
int ex_addr_resolve(sip_str_t host, unsigned port, const ex_addr_t *like, ex_addr_t *a);
/* "1.2.3.4" or "::1" (brackets when `brackets`) */
void ex_addr_host(const ex_addr_t *a, char *buf, size_t cap, bool brackets);
unsigned ex_addr_port(const ex_addr_t *a);
/* "1.2.3.4:5060" or "[::1]:5060" */
void ex_addr_str(const ex_addr_t *a, char *buf, size_t cap);
bool ex_addr_is_v6(const ex_addr_t *a);
bool ex_addr_unspecified(const ex_addr_t *a);
void ex_addr_set_port(ex_addr_t *a, unsigned port);

/* Bind a non-blocking UDP socket; the chosen port is written back. Returns the fd or -1. */
int ex_udp_open(ex_addr_t *bind_addr);
/* The local address the kernel would use towards `peer` (for Via, Contact, SDP). */
void ex_local_for(int fd, const ex_addr_t *bound, const ex_addr_t *peer, ex_addr_t *out);
void ex_udp_send(int fd, const ex_addr_t *to, const char *msg, size_t len);

/* ------------------------------------------------------------------------- */
/* Time, randomness, signals */

/* Start the clock (call once, first). */
void ex_clock_start(void);
/* Monotonic milliseconds since ex_clock_start(), the engine's time base. */
prack_time_t ex_now(void);

/* Seed from the kernel's random source; exits when none is available. */
void ex_random_init(void);
uint32_t ex_random32(void);
/* `nhex` random lower-case hex digits and a NUL. */
void ex_random_hex(char *out, size_t nhex);
void ex_random_bytes(uint8_t *out, size_t n);
/* A fresh RFC 3261 branch: the magic cookie and 20 random hex digits. */
void ex_branch(char out[32]);

/* Set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t ex_stop;
void ex_signals(void);

/* poll() timeout in ms until `deadline` (-1 for none), capped at 1 s. */
int ex_poll_timeout(prack_time_t now, prack_time_t deadline);

/* What a program does with one received datagram (buf has room for a NUL after len). */
typedef void (*ex_datagram_fn)(char *buf, size_t len, const ex_addr_t *src, prack_time_t now);

/*
 * One turn of an example's event loop: wait on `sock` until `deadline` (at most
 * 1 s), then hand every waiting datagram (up to 256) to `fn`. `buf` holds
 * SIP_MAX_DGRAM + 1 bytes. Returns -1 when poll() failed for good, 0 otherwise.
 */
int ex_poll_receive(int sock, prack_time_t now, prack_time_t deadline, char *buf, ex_datagram_fn fn);

/* ------------------------------------------------------------------------- */
/* Ladder */

/* Options of the ladder: --quiet, and whether lines carry a call number. */
extern bool ex_quiet;
extern bool ex_show_call_no;
/*
 * --trace FILE: every ladder line also goes to this file, tab-separated, for
 * tools that merge the traces of two programs (scripts/demo-ladder.py):
 *   MONO_US  msg     CALL  uac>uas|uas>uac  DESCRIPTION  NOTES
 *   MONO_US  note    CALL  -                TEXT
 *   MONO_US  result  0     -                RESULT ...
 * MONO_US is CLOCK_MONOTONIC in microseconds, common to the whole machine.
 * Written even with --quiet. prack-b2bua names its directions
 * caller>b2bua, b2bua>caller, b2bua>callee, callee>b2bua.
 */
extern FILE *ex_trace;
/* One trace line (nothing without --trace): kind, call, direction or "-",
 * text, notes. */
void ex_trace_line(const char *kind, unsigned call_no, const char *dir, const char *text,
                   const char *notes);

/*
 * One line for a message: time, direction (UAC on the left, UAS on the right
 * in both programs), then method or status with RSeq/RAck and notes.
 * `sdp_role` ("SDP offer", "SDP answer", ...) replaces the plain "SDP" note;
 * `extra` is appended to the notes. Either may be NULL.
 */
void ex_ladder_msg(unsigned call_no, bool from_uac, const char *msg, size_t len,
                   const char *sdp_role, const char *extra);
/* An indented line about what the engine or the program did. */
void ex_note(unsigned call_no, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Error text on stderr with a time stamp (even when quiet). */
void ex_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* RESULT role=... line on stdout (always printed). */
void ex_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx);
/* The same with `more` ("key=value ...", or NULL) appended to the line. */
void ex_result_more(const char *role, unsigned calls, unsigned ok, unsigned final_status,
                    unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx, const char *more);

/* ------------------------------------------------------------------------- */
/* Options */

/* Whole decimal number in [min, max]. */
bool ex_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* off|supported|required */
bool ex_parse_policy(const char *s, prack_policy_t *out);
const char *ex_policy_name(prack_policy_t p);
/* Program name for messages. */
extern const char *ex_prog;
/* Value of `--name VALUE` or `--name=VALUE` at argv[*i]; advances *i. NULL if not this option. */
const char *ex_opt(int argc, char **argv, int *i, const char *name);
/* --help text of the options ex_common_opt() handles besides --bind, --t1,
 * --calls, and of the ladder lines every example prints. */
#define EX_USAGE_COMMON                                                                     \
    "  --quiet                 no ladder, only the RESULT line\n"                         \
    "  --trace FILE            also write each ladder line to FILE, tab-separated, with\n" \
    "                          CLOCK_MONOTONIC microseconds (scripts/demo-ladder.py\n"    \
    "                          merges two such files)\n"                                 \
    "  --version               print the program's and libprack's versions, exit 0\n"   \
    "  --help, -h              print this help, exit 0\n"
#define EX_USAGE_LADDER                                                                      \
    "Ladder (stdout): one line per message sent or received and per event, the time\n"     \
    "in ms since the program started, then #CALL when it handles more than one call:\n"   \
    "  MS  ARROW  METHOD [URI] [RAck=RSEQ CSEQ METHOD] (notes)     a request\n"          \
    "  MS  ARROW  STATUS REASON [RSeq=N] (notes)                   a response\n"         \
    "  MS         . TEXT                             what the engine or program did\n"    \
    "Notes say reliable, SDP offer/answer, retransmission, to PRACK/BYE, ...\n"        \
    "The last line, printed even with --quiet:\n"                                        \
    "  RESULT role=ROLE calls=N ok=N final=STATUS prack_sent=N prack_rcvd=N rel1xx=N\n"  \
    "calls: calls ended; ok: calls that succeeded; final: the last final status;\n"      \
    "prack_sent/prack_rcvd: PRACKs sent/received; rel1xx: reliable 1xx sent/received.\n"

/* Options every example takes: --help/-h, --version, --quiet, --trace, --bind, --t1, --calls. */
typedef struct ex_common_opts {
    const char *bind_text; /* --bind as given, or the caller's default */
    uint32_t t1;           /* --t1 */
    unsigned long calls;   /* --calls */
} ex_common_opts_t;

/*
 * Handle argv[*i] when it is one of the common options (advancing *i past its
 * value); false when it is not. --help prints `usage` on stdout and exits 0,
 * --version the program's and libprack's version; a
 * bad value exits 2 with a message.
 */
bool ex_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), ex_common_opts_t *o);

/* Print "prog: msg" on stderr and exit with status 2. */
void ex_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* ------------------------------------------------------------------------- */
/* The facts the engines want, taken from a parsed message. Option tags and
 * RSeq/RAck go through libprack's optional helpers (prack/header.h); a header
 * that is malformed or repeated counts as absent, so the engine sees no RAck
 * (400) or an RSeq of 0 (the 1xx is discarded, never PRACKed). */

/* An INVITE: CSeq, 100rel in Supported/Require, an SDP offer. */
void ex_invite_facts(const sip_msg_t *m, prack_invite_t *inv);
/* A PRACK: its own CSeq, its RAck and whether it carries SDP. */
void ex_prack_facts(const sip_msg_t *m, prack_prack_t *pr);
/* A response to the INVITE: status, CSeq, 100rel in Require/Unsupported, RSeq, SDP. */
void ex_response_facts(const sip_msg_t *m, prack_response_t *r);

/*
 * The UAC's route set from a response that creates a dialog (RFC 3261 12.1.2):
 * its Record-Route list reversed into `route` (a Route header value, empty when
 * there is none or it does not fit), and the URI of the first entry, where
 * requests then go, into `first` (empty without a route set).
 */
void ex_uac_route_set(const sip_msg_t *m, char *route, size_t route_cap, char *first,
                      size_t first_cap);

/* ------------------------------------------------------------------------- */
/* Non-INVITE client transaction timers (RFC 3261 17.1.2.2, Timers E and F) */

typedef struct ex_nict {
    prack_time_t next;     /* next retransmission, or PRACK_TIME_NONE */
    prack_time_t interval;
    prack_time_t deadline; /* Timer F */
    bool proceeding;       /* a provisional arrived: retransmit every T2 */
} ex_nict_t;

void ex_nict_start(ex_nict_t *t, uint32_t t1, prack_time_t now);
/* 1 when the request must be retransmitted now, -1 when it timed out, 0 otherwise. */
int ex_nict_tick(ex_nict_t *t, prack_time_t now);
prack_time_t ex_nict_deadline(const ex_nict_t *t);

/* Earlier of two times. */
static inline prack_time_t ex_min(prack_time_t a, prack_time_t b)
{
    return a < b ? a : b;
}

#endif /* EXAMPLES_COMMON_H */
