/*
 * The host layer the example programs share: what every SIP user agent over
 * UDP needs around libprack's engines, whatever its role.
 *
 *   - a hash table (ex_htab_t) for calls, dialogs and transactions, so that no
 *     message costs a scan of every call;
 *   - a timer heap (ex_heap_t), one entry per object with a deadline (a call
 *     whose deadline is the earliest of its engine's prack_next_deadline() and
 *     its own retransmission timers, a stored transaction's Timer J), so that
 *     no tick costs a scan either;
 *   - server transactions (ex_stx_t) matched as RFC 3261 17.2.3 says: top Via
 *     branch, sent-by and method, the ACK of a non-2xx final included; the
 *     non-INVITE ones keep their response for retransmissions until Timer J;
 *   - keys for client transactions (17.1.3: branch and CSeq method) and for
 *     dialogs (Call-ID, local tag, remote tag);
 *   - the transport and message reader: one UDP socket, the datagram parsed,
 *     a malformed request answered 400 or 505 (RFC 3261 21.4.1), stateless
 *     responses, the event loop turn that runs due timers then reads.
 *
 * Usage (see prack-uas.c and prack-uac.c):
 *
 *     static ex_host_t host;
 *     ex_host_init(&host, true, max_calls, t1);      // true: the UAS side of the ladder
 *     host.sock = ex_udp_open(&bind);
 *     ...
 *     // per call: an ex_timer_t inside the call, its fn set once; after every
 *     // event on the call: ex_timer_set(&host.timers, &c->timer, deadline(c))
 *     while (!ex_stop)
 *         ex_host_turn(&host, on_datagram);   // runs due timers, then reads
 *
 * A program with two legs (a B2BUA) uses one host: its server transactions
 * and dialogs are keyed the same way on both legs, its calls have one timer
 * each (the earliest of both legs' deadlines).
 *
 * Not part of libprack: it allocates (per object, on demand), which lib/
 * never does.
 */
#ifndef EXAMPLES_HOST_H
#define EXAMPLES_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "prack/prack.h"
#include "sipmsg.h"

/* --max-calls default: calls in progress at once. */
#define EX_MAX_CALLS_DEFAULT 100000ul
/* --help line of the option the host layer parses. */
#define EX_USAGE_HOST                                                                       \
    "  --max-calls N           calls in progress at once, lingering ones included; sizes\n" \
    "                          the tables (default 100000)\n"

/* The owner of an embedded member: EX_OWNER(node_ptr, struct call, node). */
#define EX_OWNER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ------------------------------------------------------------------------- */
/* Keys: byte strings of SIP fields, each followed by a NUL separator. */

#define EX_KEY_MAX 600u

typedef struct ex_key {
    size_t n;
    bool overflow; /* a field did not fit: the key must not be used */
    char b[EX_KEY_MAX];
} ex_key_t;

void ex_key_init(ex_key_t *k);
void ex_key_add(ex_key_t *k, sip_str_t s);
void ex_key_addc(ex_key_t *k, const char *s);
void ex_key_addu(ex_key_t *k, unsigned long v);

/* A dialog: Call-ID, local tag, remote tag (RFC 3261 12). */
bool ex_dialog_key(ex_key_t *k, sip_str_t call_id, sip_str_t local_tag, sip_str_t remote_tag);
/* A client transaction (RFC 3261 17.1.3): branch and CSeq method. */
bool ex_ctx_key(ex_key_t *k, sip_str_t branch, sip_str_t method);
/*
 * A server transaction (RFC 3261 17.2.3): top Via branch, sent-by, and
 * `method` (the request's, "INVITE" for an ACK or a CANCEL looking for its
 * INVITE). A branch without the RFC 3261 magic cookie comes from an RFC 2543
 * client and is not unique: Call-ID, From tag and CSeq number are added.
 */
bool ex_stx_key(ex_key_t *k, const sip_msg_t *m, const char *method);

/* ------------------------------------------------------------------------- */
/* Hash table: chained, intrusive (the node lives in the object), its own copy
 * of each key. Several nodes may share a key; ex_htab_find() walks them. */

typedef struct ex_hnode {
    struct ex_hnode *next;
    uint32_t hash;
    uint32_t klen;
    char *key;
} ex_hnode_t;

typedef struct ex_htab {
    ex_hnode_t **bucket;
    size_t mask;
    size_t count;
} ex_htab_t;

/* Buckets for about `expected` entries (a power of two >= expected). Exits on
 * out of memory, as the programs cannot run without their tables. */
void ex_htab_init(ex_htab_t *t, size_t expected);
void ex_htab_free(ex_htab_t *t);
/* Insert under `k` (copied); false when out of memory or the key overflowed. */
bool ex_htab_add(ex_htab_t *t, ex_hnode_t *n, const ex_key_t *k);
/* Remove (a node not in the table is left alone). */
void ex_htab_del(ex_htab_t *t, ex_hnode_t *n);
bool ex_htab_linked(const ex_hnode_t *n);
/* The first node with key `k` after `after` (NULL: the first), or NULL. */
ex_hnode_t *ex_htab_find(const ex_htab_t *t, const ex_key_t *k, const ex_hnode_t *after);

/* ------------------------------------------------------------------------- */
/* Lists: a program's calls in progress, and those that ended and linger for
 * retransmissions, oldest first (the first makes room at --max-calls). The
 * link is inside the call; EX_OWNER() gets the call back. */

typedef struct ex_link {
    struct ex_link *prev, *next;
} ex_link_t;

typedef struct ex_list {
    ex_link_t *head, *tail;
} ex_list_t;

/* `n` goes last. O(1). */
void ex_list_append(ex_list_t *l, ex_link_t *n);
/* `n`, which is on `l`, comes off it. O(1). */
void ex_list_unlink(ex_list_t *l, ex_link_t *n);

/* ------------------------------------------------------------------------- */
/* Timers: a binary min-heap of deadlines. */

typedef struct ex_timer ex_timer_t;
/* Called once the deadline passed, the timer already off the heap. */
typedef void (*ex_timer_fn)(ex_timer_t *t, prack_time_t now);

struct ex_timer {
    prack_time_t at;
    size_t slot; /* position + 1 in the heap, 0 when not queued */
    ex_timer_fn fn;
};

/* An entry keeps a copy of its timer's deadline, so that sifting compares
 * entries of the array without reading the timers they point to (a million
 * calls scattered over memory would make each comparison a cache miss). */
typedef struct ex_heap_entry {
    prack_time_t at;
    ex_timer_t *t;
} ex_heap_entry_t;

typedef struct ex_heap {
    ex_heap_entry_t *v;
    size_t n, cap;
} ex_heap_t;

void ex_heap_init(ex_heap_t *h, size_t cap);
void ex_heap_free(ex_heap_t *h);
/* (Re)arm `t` for `at`; PRACK_TIME_NONE takes it off. O(log n). */
void ex_timer_set(ex_heap_t *h, ex_timer_t *t, prack_time_t at);
static inline void ex_timer_stop(ex_heap_t *h, ex_timer_t *t)
{
    ex_timer_set(h, t, PRACK_TIME_NONE);
}
/* The earliest deadline, or PRACK_TIME_NONE. */
prack_time_t ex_heap_next(const ex_heap_t *h);
/* Run every timer due at `now`; one re-armed for `now` or earlier by its
 * callback runs again on the next call, not in this one. Returns how many ran. */
size_t ex_heap_run(ex_heap_t *h, prack_time_t now);

/* ------------------------------------------------------------------------- */
/* The host */

typedef struct ex_host {
    int sock;
    ex_addr_t bind;
    uint32_t t1;
    bool uas;                  /* the ladder's side: received requests come from the UAC */
    const char *server;        /* "prack-uas (libprack X)" for Server headers, or NULL */
    unsigned long max_calls;   /* --max-calls */
    ex_heap_t timers;
    ex_htab_t stx;             /* server transactions, by ex_stx_key() */
    ex_htab_t ctx;             /* the program's client transactions, by ex_ctx_key() */
    size_t nist;               /* stored non-INVITE server transactions */
} ex_host_t;

/* One host per program; sock is -1 until the program opens it. */
void ex_host_init(ex_host_t *h, bool uas, unsigned long max_calls, uint32_t t1);
void ex_host_free(ex_host_t *h);
/* --max-calls N at argv[*i]: true when it was that option (advances *i; a
 * bad value exits 2). */
bool ex_host_opt(int argc, char **argv, int *i, unsigned long *max_calls);

void ex_host_send(ex_host_t *h, const ex_addr_t *to, const char *msg, size_t len);
/* RFC 3261 18.2.2: back to the source address, at the Via port unless rport. */
void ex_reply_addr(const sip_msg_t *m, const ex_addr_t *src, ex_addr_t *out);

/*
 * Read one datagram: keep a copy in `raw` (the ladder shows it as received),
 * parse `buf` into `m`. A malformed message gets its ladder line and a 400 or
 * 505 when it is a request that can still be answered (never an ACK), or a
 * note that it was dropped. True when `m` is a good message to dispatch.
 */
bool ex_host_read(ex_host_t *h, char *buf, size_t len, const ex_addr_t *src, sip_msg_t *m,
                  char *raw);

/* One turn of the loop: run due timers (ex_host_timers), then wait for
 * datagrams until the next deadline (or `also`, whichever is first) and hand
 * each to `fn` (ex_host_poll). -1 when poll() failed for good. A program that
 * checks whether to stop after the timers ran calls the two halves itself. */
int ex_host_turn(ex_host_t *h, prack_time_t also, ex_datagram_fn fn);
prack_time_t ex_host_timers(ex_host_t *h);
int ex_host_poll(ex_host_t *h, prack_time_t now, prack_time_t also, ex_datagram_fn fn);

/* ------------------------------------------------------------------------- */
/* Server transactions */

typedef struct ex_stx {
    ex_hnode_t node;
    ex_timer_t timer;   /* Timer J of a stored non-INVITE transaction */
    void *owner;        /* what the program registered (its call), NULL for a stored one */
    unsigned call_no;   /* for the ladder */
    ex_addr_t peer;     /* where its responses go */
    char *rsp;          /* the last response, resent to a retransmission */
    size_t len;
} ex_stx_t;

/* Register `t` (owned by the program, e.g. its call's INVITE transaction) for
 * request `m`, under `method`. False when the key does not fit. */
bool ex_stx_add(ex_host_t *h, ex_stx_t *t, const sip_msg_t *m, const char *method);
/* Unregister and drop its stored response (the struct stays the caller's). */
void ex_stx_remove(ex_host_t *h, ex_stx_t *t);
/* The transaction `m` belongs to, looked up under `method`, or NULL. */
ex_stx_t *ex_stx_find(ex_host_t *h, const sip_msg_t *m, const char *method);
/* Keep a copy of the response sent last (replacing the previous one). */
void ex_stx_store(ex_stx_t *t, const char *rsp, size_t len);

/*
 * A non-INVITE server transaction the host owns (RFC 3261 17.2.2): opened for
 * request `m` before the program answers it, given its response with
 * ex_stx_store() (ex_host_respond() does so), and freed by Timer J, 64*T1
 * later. It outlives the call, so that a retransmission after the call ended
 * still gets the same answer. NULL when out of memory or a retransmission.
 */
ex_stx_t *ex_nist_open(ex_host_t *h, const sip_msg_t *m, const ex_addr_t *src, unsigned call_no,
                       prack_time_t now);
/*
 * A retransmission of a request a stored transaction has: ladder lines for
 * it and for the response resent (nothing is sent while there is none yet).
 * True when it was one.
 */
bool ex_nist_absorb(ex_host_t *h, const sip_msg_t *m, const char *raw, size_t rawlen);

/*
 * A response to `req` built from its headers: status line, Via..CSeq (To
 * gets `to_tag` unless it has one), `extra` header lines, Server, no body.
 * Sent where RFC 3261 18.2.2 says, shown on the ladder under `call_no`, kept
 * in `save` when not NULL. Returns its length (0 when it did not fit).
 */
size_t ex_host_respond(ex_host_t *h, const sip_msg_t *req, const ex_addr_t *src, unsigned status,
                       const char *reason, const char *to_tag, const char *extra, unsigned call_no,
                       ex_stx_t *save);

/* ------------------------------------------------------------------------- */
/* Small things every program's calls need */

/* Replace *dst (NULL or a previous copy) by a NUL-terminated copy of p[0..n). */
bool ex_keep(char **dst, size_t *dst_len, const char *p, size_t n);
/* A NUL-terminated heap copy of a range (NULL when out of memory). */
char *ex_strdup_str(sip_str_t s);

/* The resident set size of this process in bytes (Linux /proc), 0 when unknown. */
size_t ex_rss_bytes(void);

#endif /* EXAMPLES_HOST_H */
