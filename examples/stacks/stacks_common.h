/*
 * What the four programs on real SIP stacks share beyond the examples'
 * support library (examples/common.h: clock, randomness, options, the ladder
 * lines, SDP; sipmsg.h: reason phrases), none of it tied to a stack.
 *
 * The ladder reads the raw bytes of each datagram, so it works the same under
 * libre (which hands them to a trace handler) and libosip2 (whose socket the
 * program owns). A received datagram is held until the program names what it
 * was (sx_rx_label) or until something else happens; a datagram identical to
 * one seen before in the same direction, printed without a label, is marked
 * as a retransmission: that is how the retransmissions the stacks make on
 * their own show up in the ladder. The lines themselves are ex_ladder_msg()'s,
 * so --quiet and --trace (ex_common_opt) apply as in prack-uas and prack-uac.
 */
#ifndef EXAMPLES_STACKS_COMMON_H
#define EXAMPLES_STACKS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prack/prack.h"

/*
 * From the examples' support library (examples/common.c, sipmsg.c). libre's
 * sources cannot include examples/common.h or sipmsg.h: both libre and those
 * name a type struct sip_msg. So the few functions the programs use are
 * declared here again; stacks_common.c includes both headers, so the compiler
 * checks that the declarations agree.
 */
extern const char *ex_prog;
extern bool ex_quiet;
extern bool ex_show_call_no;
void ex_clock_start(void);
prack_time_t ex_now(void);
void ex_random_init(void);
uint32_t ex_random32(void);
void ex_random_hex(char *out, size_t nhex);
const char *ex_opt(int argc, char **argv, int *i, const char *name);
bool ex_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
const char *ex_policy_name(prack_policy_t p);
void ex_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void ex_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sip_reason_phrase(unsigned status);

/* T2 and T4 of RFC 3261: fixed whatever T1 is. */
#define SX_T2_MS 4000u
#define SX_T4_MS 5000u

/* ex_common_opt(): --help, --version, --quiet, --trace, --bind, --t1, --calls. */
typedef struct sx_common {
    const char *bind;
    uint32_t t1;
    unsigned long calls;
} sx_common_t;
bool sx_common_opt(int argc, char **argv, int *i, void (*usage)(FILE *), sx_common_t *o);
/* The --help lines of those options and of the ladder (EX_USAGE_COMMON, EX_USAGE_LADDER). */
void sx_usage_common(FILE *f);

/* --100rel MODE into the uint8_t of prack_config_t; exits 2 on a bad mode. */
uint8_t sx_policy_opt(const char *mode);

/* --provisional LIST: "183:sdp,180" or "none". */
#define SX_MAX_PROV 16u
typedef struct sx_prov {
    uint16_t status;
    bool sdp;
} sx_prov_t;
size_t sx_parse_provisional(const char *s, sx_prov_t *out);

/* "HOST:PORT", "[V6]:PORT" or "HOST" (numeric) into host and port (default_port when absent). */
bool sx_split_hostport(const char *text, char *host, size_t cap, unsigned *port, unsigned default_port);

/* A PCMU offer or answer (examples/sdp.c) on the local address `host` ("1.2.3.4" or "::1"). */
size_t sx_sdp(char *buf, size_t cap, const char *user, uint32_t sess, const char *host);

/* ------------------------------------------------------------------------- */
/* Ladder */

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

/*
 * Call fn on SIGINT and SIGTERM, every time, with both signals blocked while
 * fn runs; every stack program stops this way. The libre programs call
 * re_main(NULL) after it: re_main() would install its handler with signal(),
 * which resets to the default action on delivery until the handler installs
 * itself again, so a second SIGTERM right behind the first (timeout(1) sends
 * one to the program and one to its process group) could kill the program
 * before it printed its RESULT line.
 */
void sx_on_stop(void (*fn)(int));

/* ex_note() and ex_result(), after the held datagram. */
void sx_note(unsigned no, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sx_result(const char *role, unsigned calls, unsigned ok, unsigned final_status,
               unsigned prack_sent, unsigned prack_rcvd, unsigned rel1xx);

#endif /* EXAMPLES_STACKS_COMMON_H */
