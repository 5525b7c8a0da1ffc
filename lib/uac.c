/*
 * UAC side of RFC 3262: one engine per INVITE client transaction, one small
 * state per early dialog (To-tag) kept by the host.
 *
 * Row numbers (R1..R57, N1..N12) refer to the numbered obligations of RFC 3262
 * that the tests prove.
 */
#include "internal.h"

typedef struct prack_uac_mem uac_t;
typedef struct prack_uac_dialog_mem dlg_t;

/* uac->flags */
#define U_INVITE_SDP 0x01u   /* our INVITE carried an offer */
#define U_PRACK_AFTER_2XX 0x02u
#define U_CACHE 0x04u

/* dlg->flags */
#define D_SEEN 0x01u /* a reliable 1xx was PRACKed: last_rseq and cseq are set (R43) */
#define D_MAY_OFFER 0x04u /* the PRACK for offer_rseq may carry a new offer (R51) */
#define D_CONFIRMED 0x08u /* a 2xx to the INVITE arrived on this dialog */

/* dlg->oa, offer/answer on this early dialog; 0 means "not started" */
enum {
    OA_UNSET = 0,
    OA_NONE,          /* no offer yet: the first reliable 1xx should carry one (R49) */
    OA_OFFER_SENT,    /* the INVITE's offer awaits the answer */
    OA_DONE,          /* an exchange completed */
    OA_PRACK_OFFER    /* our offer went in a PRACK; the answer is due in its 2xx (R51) */
};

/* Challenge counts: 2 bits per RSeq for the 16 most recent ones. */
#define AUTH_SLOTS 16u

static uac_t *state_of(prack_uac_t *uac)
{
    return (uac_t *)(void *)uac;
}

static const uac_t *cstate_of(const prack_uac_t *uac)
{
    return (const uac_t *)(const void *)uac;
}

static dlg_t *dlg_of(prack_uac_dialog_t *dlg)
{
    return (dlg_t *)(void *)dlg;
}

static void dialog_start(const uac_t *uac, dlg_t *dlg)
{
    if (dlg->oa == OA_UNSET)
        dlg->oa = (uac->flags & U_INVITE_SDP) ? OA_OFFER_SENT : OA_NONE;
}

int prack_uac_init(prack_uac_t *engine, const prack_config_t *cfg, uint32_t cseq, uint32_t flags,
                   prack_time_t now)
{
    prack_config_t defaults;
    if (!engine || (flags & ~PRACK_UAC_INVITE_SDP) || now == PRACK_TIME_NONE ||
        prack_config_check(cfg) != PRACK_OK)
        return PRACK_ERR_INVAL;
    if (!cfg) {
        prack_config_init(&defaults);
        cfg = &defaults;
    }
    uac_t *uac = state_of(engine);
    memset(engine, 0, sizeof(*engine));
    uac->last_now = now;
    uac->cseq = cseq;
    uac->state = PRACK_UAC_CALLING;
    uac->policy = cfg->policy;
    uac->failure = cfg->on_prack_failure;
    uac->auth_max = cfg->auth_max;
    if (flags & PRACK_UAC_INVITE_SDP)
        uac->flags |= U_INVITE_SDP;
    if (cfg->prack_after_2xx)
        uac->flags |= U_PRACK_AFTER_2XX;
    if (cfg->cache_out_of_order)
        uac->flags |= U_CACHE;
    return PRACK_OK;
}

unsigned prack_uac_option(const prack_uac_t *engine)
{
    if (!engine)
        return PRACK_OPTION_NONE;
    switch (cstate_of(engine)->policy) {
    case PRACK_POLICY_SUPPORTED: return PRACK_OPTION_SUPPORTED; /* R32, R33 */
    case PRACK_POLICY_REQUIRED: return PRACK_OPTION_REQUIRE;
    default: break;
    }
    return PRACK_OPTION_NONE;
}

int prack_uac_dialog_init(prack_uac_dialog_t *dlg)
{
    if (!dlg)
        return PRACK_ERR_INVAL;
    memset(dlg, 0, sizeof(*dlg));
    return PRACK_OK;
}

static void event(prack_actions_t *out, prack_reason_t reason, uint16_t status, uint32_t rseq)
{
    prack_action_t *a = prack_push(out, PRACK_ACT_EVENT);
    a->reason = (uint8_t)reason;
    a->status = status;
    a->rseq = rseq;
}

static void discard(uac_t *uac, const prack_response_t *rsp, prack_reason_t reason,
                    prack_actions_t *out)
{
    prack_action_t *a = prack_push(out, PRACK_ACT_DISCARD);
    a->status = rsp->status;
    a->reason = (uint8_t)reason;
    a->rseq = (rsp->flags & PRACK_RSP_RSEQ) && rsp->rseq <= UINT32_MAX ? (uint32_t)rsp->rseq : 0u;
    a->cseq = rsp->cseq;
    uac->n_discard++;
}

/*
 * PRACK the in-order reliable 1xx with RSeq rseq (R37) and work out what the
 * PRACK's body must be (R50, R51). At most 2 actions.
 */
static void accept(uac_t *uac, dlg_t *dlg, uint16_t status, uint32_t rseq, bool sdp,
                   uint32_t flags, prack_actions_t *out)
{
    /* slot i of auth stands for RSeq last_rseq - i: keep it aligned */
    uint32_t shift = rseq - dlg->last_rseq;
    dlg->auth = (dlg->flags & D_SEEN) && shift < AUTH_SLOTS ? dlg->auth << (2u * shift) : 0u;
    dlg->last_rseq = rseq; /* R41: only ever raised, by exactly one (R44) */
    dlg->flags = (uint8_t)(dlg->flags | D_SEEN);
    uac->n_prack++;

    /* After a 2xx on another early dialog this one carries no session
     * (RFC 3261 13.2.2.4): no new offer, no session event. */
    bool other_fork = uac->state == PRACK_UAC_ACCEPTED && !(dlg->flags & D_CONFIRMED);
    if (other_fork)
        flags |= PRACK_AF_OTHER_FORK;

    prack_action_t *a = prack_push(out, PRACK_ACT_SEND_PRACK);
    a->status = status;
    a->flags = flags;
    a->rseq = rseq;
    a->cseq = dlg->cseq;

    bool session = false;
    switch (dlg->oa) {
    case OA_OFFER_SENT:
        if (sdp) { /* the answer to our INVITE offer; only its PRACK may offer (RFC 6337 2.2) */
            dlg->oa = OA_DONE;
            session = !other_fork;
            if (!other_fork) {
                dlg->flags |= D_MAY_OFFER;
                dlg->offer_rseq = rseq;
                a->sdp = PRACK_SDP_MAY_OFFER;
            }
        }
        break;
    case OA_NONE:
        if (sdp) { /* R50: an offer in a reliable 1xx, the answer goes in the PRACK */
            dlg->oa = OA_DONE;
            a->sdp = PRACK_SDP_ANSWER;
            session = !other_fork;
        }
        break;
    default:
        break; /* exchange done, or our PRACK offer outstanding: no body */
    }
    if (session)
        event(out, PRACK_R_SESSION, status, rseq); /* R53 */
}

/* Free the cached 1xx of a dialog whose sequence ended. At most 8 actions. */
static void drop_cache(dlg_t *dlg, prack_actions_t *out)
{
    for (unsigned i = 0; i < PRACK_UAC_CACHE_WINDOW; i++) {
        if (dlg->cache & (1u << i)) {
            prack_action_t *a = prack_push(out, PRACK_ACT_DROP_CACHED);
            a->rseq = dlg->last_rseq + 2u + i; /* in range: cached only below 2^32 */
            a->cseq = dlg->cseq;
        }
    }
    dlg->cache = 0;
    dlg->cache_sdp = 0;
}

/* After the final, a 1xx on a dialog with a cache ends that cache too (R42). */
static void discard_after_final(uac_t *uac, dlg_t *dlg, const prack_response_t *rsp,
                                prack_actions_t *out)
{
    discard(uac, rsp, PRACK_R_AFTER_FINAL, out);
    if (dlg)
        drop_cache(dlg, out);
}

/*
 * A dialog state left by another INVITE transaction starts afresh (N5): its
 * RSeq space, its cache, and its offer/answer state, which a 2xx alone (no
 * reliable 1xx) also leaves behind.
 */
static void adopt(const uac_t *uac, dlg_t *dlg, prack_actions_t *out)
{
    if (dlg && (dlg->flags != 0 || dlg->oa != OA_UNSET) && dlg->cseq != uac->cseq) {
        drop_cache(dlg, out);
        memset(dlg, 0, sizeof(*dlg));
    }
}

static void on_provisional(uac_t *uac, dlg_t *dlg, const prack_response_t *rsp,
                           prack_actions_t *out)
{
    /* R34, R35; errata 4601/4602: reliable means the UAS sent it so */
    if (rsp->status == 100 || !(rsp->flags & PRACK_RSP_REQUIRE_100REL)) {
        if (uac->state != PRACK_UAC_CALLING) {
            discard_after_final(uac, dlg, rsp, out);
            return;
        }
        prack_action_t *a = prack_push(out, PRACK_ACT_DELIVER_1XX);
        a->status = rsp->status;
        a->cseq = rsp->cseq;
        return;
    }
    if (!(rsp->flags & PRACK_RSP_RSEQ) || rsp->rseq == 0 || rsp->rseq > UINT32_MAX) {
        discard(uac, rsp, PRACK_R_BAD_RSEQ, out); /* never a PRACK with a bad RAck */
        return;
    }
    if (!dlg) {
        discard(uac, rsp, PRACK_R_NO_DIALOG, out); /* R36 needs a To-tag */
        return;
    }
    uint32_t rseq = (uint32_t)rsp->rseq;
    bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;

    if ((dlg->flags & D_SEEN) && rseq <= dlg->last_rseq) {
        discard(uac, rsp, PRACK_R_RETRANSMISSION, out); /* R39, R40; never lowered */
        return;
    }
    if (uac->state == PRACK_UAC_FAILED ||
        (uac->state == PRACK_UAC_ACCEPTED && !(uac->flags & U_PRACK_AFTER_2XX))) {
        discard_after_final(uac, dlg, rsp, out); /* R47 */
        return;
    }
    dialog_start(uac, dlg);

    if (!(dlg->flags & D_SEEN)) { /* R36, R43: the first one starts the sequence */
        dlg->cseq = uac->cseq;
        accept(uac, dlg, rsp->status, rseq, sdp, PRACK_AF_NEW_DIALOG, out);
        return;
    }
    if (rseq - dlg->last_rseq != 1u) { /* R44, R45: a gap */
        uint32_t slot = rseq - dlg->last_rseq - 2u;
        bool cacheable = (uac->flags & U_CACHE) && uac->state == PRACK_UAC_CALLING &&
                         slot < PRACK_UAC_CACHE_WINDOW;
        if (!cacheable) {
            bool full = (uac->flags & U_CACHE) && uac->state == PRACK_UAC_CALLING;
            discard(uac, rsp, full ? PRACK_R_CACHE_FULL : PRACK_R_OUT_OF_ORDER, out);
            return;
        }
        if (dlg->cache & (1u << slot)) {
            discard(uac, rsp, PRACK_R_RETRANSMISSION, out);
            return;
        }
        dlg->cache = (uint8_t)(dlg->cache | (1u << slot)); /* R46, errata 4604 */
        if (sdp)
            dlg->cache_sdp = (uint8_t)(dlg->cache_sdp | (1u << slot));
        prack_action_t *a = prack_push(out, PRACK_ACT_CACHE_1XX);
        a->status = rsp->status;
        a->rseq = rseq;
        a->cseq = rsp->cseq;
        return;
    }

    /* worst case: this one (2 actions) + 8 cached ones (2 each, one SESSION at most) */
    accept(uac, dlg, rsp->status, rseq, sdp, 0, out);
    while (dlg->cache & 1u) {
        bool csdp = (dlg->cache_sdp & 1u) != 0;
        dlg->cache = (uint8_t)(dlg->cache >> 1);
        dlg->cache_sdp = (uint8_t)(dlg->cache_sdp >> 1);
        accept(uac, dlg, 0, dlg->last_rseq + 1u, csdp, PRACK_AF_CACHED, out);
    }
    dlg->cache = (uint8_t)(dlg->cache >> 1);
    dlg->cache_sdp = (uint8_t)(dlg->cache_sdp >> 1);
}

static void on_final(uac_t *uac, dlg_t *dlg, const prack_response_t *rsp, prack_actions_t *out)
{
    bool first = uac->state == PRACK_UAC_CALLING;
    if (first)
        uac->state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED; /* R42 */
    prack_action_t *a = prack_push(out, PRACK_ACT_DELIVER_FINAL);
    a->status = rsp->status;
    a->cseq = rsp->cseq;
    if (dlg) {
        drop_cache(dlg, out);
        dlg->flags &= (uint8_t)~D_MAY_OFFER; /* too late for an offer in a PRACK */
        if (rsp->status < 300) {
            dlg->flags |= D_CONFIRMED;
            dlg->cseq = uac->cseq;
            dialog_start(uac, dlg);
            bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;
            if (dlg->oa == OA_OFFER_SENT) { /* RFC 3261 13.2.1: the answer is due now */
                dlg->oa = OA_DONE;
                a->sdp = sdp ? PRACK_SDP_ANSWER : PRACK_SDP_NONE;
                event(out, sdp ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING, rsp->status, 0);
            } else if (sdp) {
                a->sdp = dlg->oa == OA_NONE ? PRACK_SDP_OFFER : PRACK_SDP_REPEAT;
                if (dlg->oa == OA_NONE)
                    dlg->oa = OA_DONE; /* the ACK carries the answer: no later 1xx may offer */
            }
        }
    }
    if (!first)
        return;
    /* RFC 3261 8.1.3.5 and 21.4.16: 420/421 over 100rel; never under policy off */
    if (rsp->status == 420 && (rsp->flags & PRACK_RSP_UNSUPPORTED_100REL) &&
        uac->policy == PRACK_POLICY_REQUIRED) {
        a = prack_push(out, PRACK_ACT_RETRY_INVITE);
        a->status = 420;
        a->option = PRACK_OPTION_SUPPORTED; /* still supported (R32, R33), no longer required */
    } else if (rsp->status == 421 && (rsp->flags & PRACK_RSP_REQUIRE_100REL) &&
               uac->policy == PRACK_POLICY_SUPPORTED) {
        a = prack_push(out, PRACK_ACT_RETRY_INVITE);
        a->status = 421;
        a->option = PRACK_OPTION_REQUIRE;
    }
}

/* The challenge-count slot of the PRACK for rseq, or AUTH_SLOTS when it is not tracked. */
static uint32_t auth_slot(const dlg_t *dlg, uint32_t rseq)
{
    uint32_t back = dlg->last_rseq - rseq;
    if (!(dlg->flags & D_SEEN) || rseq > dlg->last_rseq || back >= AUTH_SLOTS)
        return AUTH_SLOTS;
    return back;
}

static void on_prack_response(uac_t *uac, dlg_t *dlg, uint32_t rseq, const prack_response_t *rsp,
                              prack_actions_t *out)
{
    if (rsp->status < 200)
        return;
    bool offer_here = dlg->oa == OA_PRACK_OFFER && rseq == dlg->offer_rseq;
    if ((dlg->flags & D_MAY_OFFER) && rseq == dlg->offer_rseq)
        dlg->flags &= (uint8_t)~D_MAY_OFFER; /* the PRACK went without an offer */
    if (rsp->status < 300) {
        uac->n_prack_ok++;
        event(out, PRACK_R_PRACK_OK, rsp->status, rseq);
        if (offer_here) { /* R51: the answer is due here */
            dlg->oa = OA_DONE;
            event(out, (rsp->flags & PRACK_RSP_SDP) ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING,
                  rsp->status, rseq);
        }
        return;
    }
    /* R57: a PRACK is authenticated like any request, so it may meet a proxy's
     * 407 and then the UAS's 401, or a stale nonce: up to auth_max resends of
     * the same RAck. A PRACK 16 or more RSeq behind the dialog's is not tracked
     * and fails rather than risking endless resends. */
    uint32_t slot = auth_slot(dlg, rseq);
    if ((rsp->status == 401 || rsp->status == 407) && slot < AUTH_SLOTS &&
        ((dlg->auth >> (2u * slot)) & 3u) < uac->auth_max) {
        dlg->auth += 1u << (2u * slot);
        uac->n_prack++;
        prack_action_t *a = prack_push(out, PRACK_ACT_SEND_PRACK);
        a->status = rsp->status;
        a->flags = PRACK_AF_AUTH;
        if (uac->state == PRACK_UAC_ACCEPTED && !(dlg->flags & D_CONFIRMED))
            a->flags |= PRACK_AF_OTHER_FORK;
        a->rseq = rseq;
        a->cseq = dlg->cseq;
        a->sdp = PRACK_SDP_REPEAT;
        return;
    }
    uac->n_prack_failed++;
    if (offer_here)
        dlg->oa = OA_DONE; /* the offer died with its PRACK; the old session stands */
    event(out, PRACK_R_PRACK_FAILED, rsp->status, rseq);
    if (rsp->status == 481 || rsp->status == 408)
        out->v[out->n - 1u].flags = PRACK_AF_DIALOG_GONE;
    if (uac->failure == PRACK_FAILURE_TERMINATE) {
        prack_action_t *a = prack_push(out, PRACK_ACT_TERMINATE);
        a->status = rsp->status;
        a->rseq = rseq;
    }
}

int prack_on_response(prack_uac_t *engine, prack_uac_dialog_t *dialog, prack_time_t now,
                      const prack_response_t *rsp, prack_actions_t *out)
{
    if (out)
        prack_actions_reset(out);
    if (!engine || !rsp || !out || now == PRACK_TIME_NONE)
        return PRACK_ERR_INVAL;
    if (rsp->status < 100 || rsp->status > 699 || rsp->method > PRACK_METHOD_PRACK ||
        (rsp->flags & ~(PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP |
                        PRACK_RSP_UNSUPPORTED_100REL)))
        return PRACK_ERR_INVAL;
    if (rsp->method == PRACK_METHOD_PRACK && (!dialog || rsp->rseq == 0 || rsp->rseq > UINT32_MAX))
        return PRACK_ERR_INVAL;
    uac_t *uac = state_of(engine);
    if (now < uac->last_now)
        return PRACK_ERR_TIME;
    uac->last_now = now;
    dlg_t *dlg = dialog ? dlg_of(dialog) : NULL;

    switch (rsp->method) {
    case PRACK_METHOD_INVITE:
        if (rsp->cseq != uac->cseq) { /* not this INVITE's response: never PRACKed */
            discard(uac, rsp, PRACK_R_WRONG_CSEQ, out);
            break;
        }
        adopt(uac, dlg, out);
        if (rsp->status < 200)
            on_provisional(uac, dlg, rsp, out);
        else
            on_final(uac, dlg, rsp, out);
        break;
    case PRACK_METHOD_PRACK:
        if ((dlg->flags & D_SEEN) && dlg->cseq == uac->cseq)
            on_prack_response(uac, dlg, (uint32_t)rsp->rseq, rsp, out);
        break; /* else no PRACK of this transaction went on this dialog */
    default:
        break; /* not ours: nothing to do */
    }
    return PRACK_OK;
}

int prack_uac_offer_in_prack(prack_uac_t *engine, prack_uac_dialog_t *dialog, uint32_t rseq)
{
    if (!engine || !dialog)
        return PRACK_ERR_INVAL;
    const uac_t *uac = cstate_of(engine);
    dlg_t *dlg = dlg_of(dialog);
    /* R51: only before any final response (a 2xx elsewhere leaves this early
     * dialog without a session, a failure ends it), and only for the PRACK of
     * this transaction that said MAY_OFFER */
    if (uac->state != PRACK_UAC_CALLING || dlg->cseq != uac->cseq ||
        !(dlg->flags & D_MAY_OFFER) || dlg->offer_rseq != rseq || dlg->oa != OA_DONE)
        return PRACK_ERR_STATE;
    dlg->flags = (uint8_t)(dlg->flags & ~D_MAY_OFFER);
    dlg->oa = OA_PRACK_OFFER; /* the answer is due in the 2xx to that PRACK */
    return PRACK_OK;
}

unsigned prack_uac_state(const prack_uac_t *uac)
{
    return uac ? cstate_of(uac)->state : 0u;
}

uint32_t prack_uac_dialog_rseq(const prack_uac_dialog_t *dialog)
{
    if (!dialog)
        return 0;
    const dlg_t *dlg = (const dlg_t *)(const void *)dialog;
    return (dlg->flags & D_SEEN) ? dlg->last_rseq : 0u;
}

int prack_uac_counters(const prack_uac_t *engine, prack_uac_stats_t *stats)
{
    if (!engine || !stats)
        return PRACK_ERR_INVAL;
    const uac_t *uac = cstate_of(engine);
    stats->pracks_sent = uac->n_prack;
    stats->discarded = uac->n_discard;
    stats->pracks_ok = uac->n_prack_ok;
    stats->pracks_failed = uac->n_prack_failed;
    return PRACK_OK;
}
