/*
 * libprack on libre (1.1.0): RFC 3262 for a host built on libre's own
 * transactions (sip_treplyf, sip_drequestf), dialogs (sip_dialog_*) and
 * timers (tmr), in libre's main loop.
 *
 * libre owns the socket, the INVITE and non-INVITE transactions (so
 * retransmitted INVITEs and PRACKs are answered by libre, PRACKs are
 * retransmitted by libre) and the loop. libprack owns everything RFC 3262:
 * whether 1xx go reliably, RSeq, their retransmission and the 64*T1 5xx,
 * matching RAck, holding the 2xx, PRACKing each reliable 1xx once per early
 * dialog and what each PRACK's outcome means.
 *
 * UAS: one struct prack_re_uas per INVITE server transaction, started from
 * the INVITE; the host sends provisionals and the final through it and hands
 * it the PRACKs of its dialog.
 *
 * UAC: one struct prack_re_uac per INVITE client transaction, started before
 * the INVITE is sent on a dialog made with sip_dialog_alloc() (never
 * established: every early dialog is forked from it); the host hands it every
 * response to the INVITE.
 *
 * Both call the host back before carrying out each action (prack_re_act_h),
 * so the host sees the whole batch, and ask the host for the headers and body
 * of what they send (prack_re_print_h).
 */
#ifndef EXAMPLES_PRACK_RE_H
#define EXAMPLES_PRACK_RE_H

#include <re.h>

#include "prack/prack.h"

/* The engines' clock: libre's (milliseconds, monotonic). */
#define prack_re_now() ((prack_time_t)tmr_jiffies())

/* UAC: one early dialog (To-tag) of the INVITE. */
struct prack_re_fork {
    struct le le;
    struct prack_re_uac *uac;
    struct sip_dialog *dlg;  /* forked from the INVITE's dialog: Route set, target, CSeq */
    prack_uac_dialog_t eng;
    unsigned no;             /* 1, 2, ... in order of appearance */
};

/*
 * Print what goes after the headers the adapter writes: other headers
 * (Contact, ...), then Content-Type and Content-Length and the body whose role
 * is a->sdp. It must end the message ("Content-Length: 0\r\n\r\n" at least).
 */
typedef int(prack_re_print_h)(struct re_printf *pf, const prack_action_t *a, void *arg);
/* Called with acts->v[i] before the adapter carries it out; f is the early dialog (UAC). Both hooks are
 * required. */
typedef void(prack_re_act_h)(const prack_actions_t *acts, uint32_t i, struct prack_re_fork *f, void *arg);

/* ------------------------------------------------------------------------- */
/* UAS */

struct prack_re_uas {
    prack_uas_t eng;
    struct sip *sip;
    struct sip_msg *invite;  /* referenced */
    struct sip_strans *st;   /* the INVITE server transaction, until the final */
    struct sa dst;           /* where responses go (RFC 3261 18.2.2) */
    struct tmr tmr;          /* armed at prack_next_deadline() */
    struct mbuf *rel;        /* the last reliable 1xx, for its retransmissions */
    struct mbuf *final;      /* the final response: a 2xx is the host's to retransmit */
    prack_re_print_h *printh;
    prack_re_act_h *acth;
    void *arg;
};

/*
 * Take the INVITE: a server transaction (CANCEL handled) and the engine. A
 * 420 or 421 goes out at once (check prack_uas_state()).
 */
int prack_re_uas_init(struct prack_re_uas *u, struct sip *sip, const struct sip_msg *invite,
                      const prack_config_t *cfg, prack_re_print_h *printh, prack_re_act_h *acth, void *arg);
/* prack_uas_send_1xx(), prack_uas_send_final(), prack_uas_on_prack() and their actions. */
int prack_re_uas_1xx(struct prack_re_uas *u, uint16_t status, uint32_t flags);
int prack_re_uas_final(struct prack_re_uas *u, uint16_t status);
int prack_re_uas_prack(struct prack_re_uas *u, const struct sip_msg *prack);
/* A CANCEL (libre's transaction calls it) or a BYE on the early dialog: 487. */
int prack_re_uas_cancel(struct prack_re_uas *u);
void prack_re_uas_close(struct prack_re_uas *u);

/* ------------------------------------------------------------------------- */
/* UAC */

struct prack_re_uac {
    prack_uac_t eng;
    struct sip *sip;
    struct sip_dialog *dlg;  /* the INVITE's own dialog */
    struct sip_auth *auth;   /* credentials for PRACKs challenged with 401/407 */
    struct list forks;
    struct list pracks;      /* PRACKs in flight */
    prack_re_print_h *printh;
    prack_re_act_h *acth;
    void *arg;
};

/* Before sending the INVITE on `dlg` (its next CSeq is the INVITE's). */
int prack_re_uac_init(struct prack_re_uac *uac, struct sip *sip, struct sip_dialog *dlg, struct sip_auth *auth,
                      const prack_config_t *cfg, uint32_t flags, prack_re_print_h *printh, prack_re_act_h *acth,
                      void *arg);
/* The option tag header line the INVITE carries ("" for none). */
const char *prack_re_uac_option(const struct prack_re_uac *uac);
/* The early dialog of a response, made on its first appearance; NULL without a To-tag. */
struct prack_re_fork *prack_re_uac_fork(struct prack_re_uac *uac, const struct sip_msg *rsp);
/* A response to the INVITE (from sip_drequestf's handler, or a 2xx of another fork). */
int prack_re_uac_response(struct prack_re_uac *uac, const struct sip_msg *rsp);
void prack_re_uac_close(struct prack_re_uac *uac);

#endif /* EXAMPLES_PRACK_RE_H */
