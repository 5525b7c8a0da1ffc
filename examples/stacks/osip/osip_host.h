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

/* osip's transaction timers from T1 (osip builds them with DEFAULT_T1). */
void oh_set_t1(osip_transaction_t *tr, uint32_t t1);
/* For the OSIP_NICT_REQUEST_SENT_AGAIN callback: libosip2 times each Timer E
 * retransmission from its own T1 (500 ms); this puts the next one where
 * RFC 3261 17.1.2.2 has it for t1 (doubling from t1, at most T2 = 4 s). */
void oh_timer_e_again(osip_transaction_t *tr, uint32_t t1);
/* A response to `req` (Via, From, To with `to_tag`, Call-ID, CSeq; Record-Route for 101..299 to INVITE). */
osip_message_t *oh_response(const osip_message_t *req, int status, const char *to_tag);
/* Send a message on a transaction (the transaction owns it afterwards). */
int oh_send_on(osip_transaction_t *tr, osip_message_t *msg);
/* A request in dialog `d` of `invite` (its target, route set, CSeq + 1 unless `cseq`), `extra` headers added. */
osip_message_t *oh_dialog_request(osip_dialog_t *d, const osip_message_t *invite, const char *method, int cseq,
                                  const char *extra);

/* Bind the socket and start osip; false on failure. */
bool oh_start(const char *host, unsigned port, const oh_hooks_t *hooks);
void oh_run(void);
void oh_stop(void);
/* Send a message outside any transaction (a 2xx again, the ACK of a 2xx). */
void oh_send(osip_message_t *msg, const char *host, int port);
/* Where a response to `req` goes: received/rport of its top Via. */
void oh_reply_addr(const osip_message_t *req, char *host, size_t cap, int *port);

#endif
