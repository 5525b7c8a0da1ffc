/*
 * What a host of libosip2 provides and osip does not: the UDP socket, the
 * loop that feeds received datagrams to osip's transactions, runs its event
 * queues and timers, and frees finished transactions. Shared by the two
 * programs on osip; not libprack glue.
 */
#ifndef EXAMPLES_OSIP_HOST_H
#define EXAMPLES_OSIP_HOST_H

#include "prack_osip.h"

#include "prack/prack.h"

typedef struct oh_hooks {
    /* a message no transaction takes: the ACK of a 2xx, a 2xx after the INVITE transaction ended */
    void (*stray)(osip_message_t *msg);
    /* a transaction osip is done with; it is freed after this */
    void (*killed)(osip_transaction_t *tr);
    /* the program's next deadline (its engines' and its own), and its timers */
    prack_time_t (*deadline)(void);
    void (*timers)(void);
    bool (*done)(void);
    /* an INVITE no transaction takes: true when the program absorbs it as a retransmission */
    bool (*absorb)(const osip_message_t *invite);
} oh_hooks_t;

extern osip_t *oh_osip;
extern uint32_t oh_t1;
/* The bound address, "1.2.3.4" or "::1", and port. */
extern char oh_host[64];
extern unsigned oh_port;

/* Bind the socket and start osip; false on failure. */
bool oh_start(const char *host, unsigned port, const oh_hooks_t *hooks);
void oh_run(void);
void oh_stop(void);
/* Send a message outside any transaction (a 2xx again, the ACK of a 2xx). */
void oh_send(osip_message_t *msg, const char *host, int port);
/* Where a response to `req` goes: received/rport of its top Via. */
void oh_reply_addr(const osip_message_t *req, char *host, size_t cap, int *port);

#endif
