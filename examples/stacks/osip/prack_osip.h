/*
 * libprack on libosip2 (5.3.0): RFC 3262 for a host built on osip's parser
 * (osip_message_t), its transaction state machines (ICT, IST, NICT, NIST) and
 * its dialogs (osip_dialog_t). The host owns the UDP socket and drives osip's
 * event queues and timers; libprack owns everything RFC 3262.
 *
 * osip has no timer facility of its own beside the transactions', so the
 * engine's next deadline (prack_next_deadline(&u->eng)) joins osip's
 * (osip_timers_gettimeout) in the host's poll(), and the host calls
 * prack_osip_uas_timer() when it is due.
 *
 * Responses and requests the adapter makes go out as events on osip
 * transactions (osip_new_outgoing_sipmessage, osip_transaction_add_event).
 * For each action the adapter builds the message with the headers RFC 3262
 * asks for, shows the action and the message to the host's act hook, then
 * lets the fill hook add the host's headers and body before sending it. A
 * retransmitted reliable 1xx is the identical copy: it is not filled again.
 * Both hooks are required.
 */
#ifndef EXAMPLES_PRACK_OSIP_H
#define EXAMPLES_PRACK_OSIP_H

/* osip.h uses struct timeval and time_t without including their headers */
#include <sys/time.h>
#include <time.h>

#include <osip2/osip.h>
#include <osip2/osip_dialog.h>

#include "prack/prack.h"

/* The engines' clock: monotonic milliseconds. */
prack_time_t prack_osip_now(void);

/* The host's headers and body for a message the adapter is about to send. */
typedef void (*prack_osip_fill_h)(osip_message_t *msg, const prack_action_t *a, void *arg);
/* acts->v[i], before the adapter carries it out; `out` is the message it sends (NULL for none), `k` the early
 * dialog's index (UAC; 0 for none). */
typedef void (*prack_osip_act_h)(const prack_actions_t *acts, uint32_t i, unsigned k, osip_message_t *out, void *arg);

/* ------------------------------------------------------------------------- */
/* UAS */

struct prack_osip_uas {
    prack_uas_t eng;
    osip_transaction_t *ist;
    const char *to_tag;                  /* the host's, for as long as the call */
    osip_message_t *rel;                 /* the last reliable 1xx (a copy), for its retransmissions */
    osip_message_t *final;               /* the final response (a copy): a 2xx is the host's to resend */
    prack_osip_fill_h fill;
    prack_osip_act_h act;
    void *arg;
};

int prack_osip_uas_init(struct prack_osip_uas *u, osip_transaction_t *ist, const prack_config_t *cfg,
                        const char *to_tag, prack_osip_fill_h fill, prack_osip_act_h act, void *arg);
int prack_osip_uas_1xx(struct prack_osip_uas *u, uint16_t status, uint32_t flags);
int prack_osip_uas_final(struct prack_osip_uas *u, uint16_t status);
int prack_osip_uas_prack(struct prack_osip_uas *u, osip_transaction_t *nist, const osip_message_t *prack);
int prack_osip_uas_cancel(struct prack_osip_uas *u);
void prack_osip_uas_timer(struct prack_osip_uas *u);
void prack_osip_uas_close(struct prack_osip_uas *u);

/* ------------------------------------------------------------------------- */
/* UAC */

#define PRACK_OSIP_FORKS 8u
#define PRACK_OSIP_PRACKS 8u

struct prack_osip_fork {
    osip_dialog_t *dlg;      /* osip's early dialog: route set, remote target, CSeq */
    prack_uac_dialog_t eng;
};

struct prack_osip_uac {
    prack_uac_t eng;
    osip_t *osip;
    osip_message_t *invite;  /* a copy: Via, From, Call-ID of our requests */
    uint32_t t1;
    struct prack_osip_fork forks[PRACK_OSIP_FORKS + 1]; /* 1..nforks */
    unsigned nforks;
    struct prack_osip_prack {
        osip_transaction_t *tr; /* a NICT, until its final response or timeout */
        unsigned fork;
        uint32_t rseq;          /* the RSeq it acknowledges: the engine matches its response by it */
    } pracks[PRACK_OSIP_PRACKS];
    prack_osip_fill_h fill;
    prack_osip_act_h act;
    void *arg;
};

int prack_osip_uac_init(struct prack_osip_uac *uac, osip_t *osip, const osip_message_t *invite,
                        const prack_config_t *cfg, uint32_t flags, prack_osip_fill_h fill, prack_osip_act_h act,
                        void *arg);
/* The option tag header the INVITE carries: "Supported", "Require" or NULL. */
const char *prack_osip_uac_option(const struct prack_osip_uac *uac);
/* The early dialog (1..) of a response to the INVITE, made on first sight; 0 without To-tag. */
unsigned prack_osip_uac_fork(struct prack_osip_uac *uac, osip_message_t *rsp);
int prack_osip_uac_response(struct prack_osip_uac *uac, osip_message_t *rsp);
/* A final response (NULL: Timer F) on a transaction; false when it is none of our PRACKs. */
bool prack_osip_uac_prack_done(struct prack_osip_uac *uac, osip_transaction_t *tr, const osip_message_t *rsp);
void prack_osip_uac_close(struct prack_osip_uac *uac);

#endif /* EXAMPLES_PRACK_OSIP_H */
