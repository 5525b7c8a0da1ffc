/*
 * What the four programs on real SIP stacks share, none of it tied to a stack:
 * the clock, randomness, option parsing, the ladder (the same lines and
 * RESULT line as prack-uas and prack-uac print) and a little SIP text.
 *
 * The ladder reads the raw bytes of each datagram, so it works the same under
 * libre (which hands them to a trace handler) and libosip2 (whose socket the
 * program owns). A received datagram is held until the program names what it
 * was (sx_rx_label) or until something else happens; a datagram identical to
 * one seen before in the same direction, printed without a label, is marked
 * as a retransmission: that is how the retransmissions the stacks make on
 * their own show up in the ladder.
 */
#ifndef EXAMPLES_STACKS_COMMON_H
#define EXAMPLES_STACKS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prack/prack.h"

/* T2 and T4 of RFC 3261: fixed whatever T1 is. */
#define SX_T2_MS 4000u
#define SX_T4_MS 5000u

/* Time: milliseconds since sx_clock_start(), monotonic; the engines' time base. */
void sx_clock_start(void);
prack_time_t sx_now(void);

uint32_t sx_random32(void);
/* `n` random lower-case hex digits and a NUL. */
void sx_random_hex(char *out, size_t n);

/* ------------------------------------------------------------------------- */
/* Options (the syntax of prack-uas and prack-uac) */

extern const char *sx_prog;
/* Value of `--name VALUE` or `--name=VALUE` at argv[*i]; advances *i. NULL if not this option. */
const char *sx_opt(int argc, char **argv, int *i, const char *name);
bool sx_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
bool sx_parse_policy(const char *s, uint8_t *out);
const char *sx_policy_name(unsigned policy);
void sx_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* What every program takes: --help, --quiet, --bind, --t1, --calls. */
typedef struct sx_common {
    const char *bind;
    uint32_t t1;
    unsigned long calls;
} sx_common_t;
bool sx_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), sx_common_t *o);

/* --provisional LIST: "183:sdp,180" or "none". */
#define SX_MAX_PROV 16u
typedef struct sx_prov {
    uint16_t status;
    bool sdp;
} sx_prov_t;
size_t sx_parse_provisional(const char *s, sx_prov_t *out);

/* "HOST:PORT", "[V6]:PORT" or "HOST" into host and port (default_port when absent). */
bool sx_split_hostport(const char *text, char *host, size_t cap, unsigned *port, unsigned default_port);

/* ------------------------------------------------------------------------- */
/* Ladder */

extern bool sx_quiet;
extern bool sx_show_call_no;

/* Which side this program is: the ladder draws the UAC on the left in both. */
void sx_ladder_role(bool uas);
/* Number the lines of a call by its Call-ID. */
void sx_call_bind(const char *call_id, size_t n, unsigned no);

/* A datagram arrived; it is printed by sx_rx_label() or by the next flush. */
void sx_rx(const char *raw, size_t len);
/* Print the datagram held by sx_rx() with these notes (either may be NULL). */
void sx_rx_label(unsigned no, const char *sdp_role, const char *extra);
/* Notes for the next datagram sent with `key` (NULL: the next one at all). */
void sx_tx_label(const void *key, unsigned no, const char *sdp_role, const char *extra);
/* A datagram leaves; prints the held one first. */
void sx_tx(const void *key, const char *raw, size_t len);
void sx_flush(void);

void sx_note(unsigned no, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sx_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sx_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx);

/* ------------------------------------------------------------------------- */
/* SIP text */

/* The reason phrase the examples use for a status. */
const char *sx_reason(unsigned status);
/* A PCMU offer or answer on port 49170 of `host` ("1.2.3.4" or "::1"). */
size_t sx_sdp(char *buf, size_t cap, const char *user, uint32_t sess, const char *host);

#endif /* EXAMPLES_STACKS_COMMON_H */
