/*
 * UAC side of RFC 3262: one engine per INVITE client transaction, one small
 * state per early dialog (To-tag) kept by the host.
 *
 * Row numbers (R1..R57, N1..N12) refer to the numbered obligations of RFC 3262
 * that the tests prove.
 */
#include "internal.h"

/* uac->flags */
#define U_INVITE_SDP 0x01u   /* our INVITE carried an offer */
#define U_PRACK_AFTER_2XX 0x02u
#define U_CACHE 0x04u

/* dlg->flags */
#define D_SEEN 0x01u /* a reliable 1xx was PRACKed: last_rseq and rack_cseq are set (R43) */
#define D_MAY_OFFER 0x04u /* the last PRACKed 1xx carried the answer: its PRACK may offer (R51) */

/* dlg->oa, offer/answer on this early dialog; 0 means "not started" */
enum {
    OA_UNSET = 0,
    OA_NONE,          /* no offer yet: the first reliable 1xx should carry one (R49) */
    OA_OFFER_SENT,    /* the INVITE's offer awaits the answer */
    OA_DONE,          /* an exchange completed */
    OA_PRACK_OFFER    /* our offer went in a PRACK; the answer is due in its 2xx (R51) */
};

static void dialog_start(const prack_uac_t *uac, prack_uac_dialog_t *dlg)
{
    if (dlg->oa == OA_UNSET)
        dlg->oa = (uac->flags & U_INVITE_SDP) ? OA_OFFER_SENT : OA_NONE;
}

int prack_uac_init(prack_uac_t *uac, const prack_config_t *cfg, uint32_t cseq, unsigned flags,
                   prack_time_t now)
{
    prack_config_t defaults;
    if (!uac || cseq > PRACK_CSEQ_LIMIT || (flags & ~PRACK_UAC_INVITE_SDP) ||
        now == PRACK_TIME_NONE || prack_config_check(cfg) != PRACK_OK)
        return PRACK_ERR_INVAL;
    if (!cfg) {
        prack_config_init(&defaults);
        cfg = &defaults;
    }
    memset(uac, 0, sizeof(*uac));
    uac->last_now = now;
    uac->state = PRACK_UAC_CALLING;
    uac->policy = (uint8_t)cfg->policy;
    uac->failure = (uint8_t)cfg->on_prack_failure;
    if (flags & PRACK_UAC_INVITE_SDP)
        uac->flags |= U_INVITE_SDP;
    if (cfg->prack_after_2xx)
        uac->flags |= U_PRACK_AFTER_2XX;
    if (cfg->cache_out_of_order)
        uac->flags |= U_CACHE;
    return PRACK_OK;
}

prack_option_t prack_uac_option(const prack_uac_t *uac)
{
    if (!uac)
        return PRACK_OPTION_NONE;
    switch ((prack_policy_t)uac->policy) {
    case PRACK_POLICY_SUPPORTED: return PRACK_OPTION_SUPPORTED; /* R32, R33 */
    case PRACK_POLICY_REQUIRED: return PRACK_OPTION_REQUIRE;
    case PRACK_POLICY_OFF: break;
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
    a->reason = reason;
    a->status = status;
    a->rseq = rseq;
}

static void discard(prack_uac_t *uac, const prack_response_t *rsp, prack_reason_t reason,
                    prack_actions_t *out)
{
    prack_action_t *a = prack_push(out, PRACK_ACT_DISCARD_1XX);
    a->status = rsp->status;
    a->reason = reason;
    a->rseq = (rsp->flags & PRACK_RSP_RSEQ) && rsp->rseq <= UINT32_MAX ? (uint32_t)rsp->rseq : 0u;
    a->cseq = rsp->cseq;
    uac->n_discard++;
}

/*
 * PRACK the in-order reliable 1xx with RSeq rseq (R37) and work out what the
 * PRACK's body must be (R50, R51). At most 2 actions.
 */
static void accept(prack_uac_t *uac, prack_uac_dialog_t *dlg, uint16_t status, uint32_t rseq,
                   bool sdp, uint16_t flags, prack_actions_t *out)
{
    /* bit i of auth_mask stands for RSeq last_rseq - i: keep it aligned */
    dlg->auth_mask = (dlg->flags & D_SEEN) ? dlg->auth_mask << (rseq - dlg->last_rseq) : 0u;
    dlg->last_rseq = rseq; /* R41: only ever raised, by exactly one (R44) */
    dlg->flags = (uint8_t)((dlg->flags | D_SEEN) & ~D_MAY_OFFER);
    uac->n_prack++;

    prack_action_t *a = prack_push(out, PRACK_ACT_SEND_PRACK);
    a->status = status;
    a->flags = flags;
    a->rseq = rseq;
    a->cseq = dlg->rack_cseq;

    bool session = false;
    switch (dlg->oa) {
    case OA_OFFER_SENT:
        if (sdp) { /* the answer to our INVITE offer; only its PRACK may offer (RFC 6337 2.2) */
            dlg->oa = OA_DONE;
            dlg->flags |= D_MAY_OFFER;
            a->sdp = PRACK_SDP_MAY_OFFER;
            session = true;
        } else {
            a->sdp = PRACK_SDP_NONE; /* our offer is outstanding: no new one */
        }
        break;
    case OA_NONE:
        if (sdp) { /* R50: an offer in a reliable 1xx, the answer goes in the PRACK */
            dlg->oa = OA_DONE;
            a->sdp = PRACK_SDP_ANSWER;
            session = true;
        }
        break;
    default:
        break; /* exchange done, or our PRACK offer outstanding: no body */
    }
    if (session)
        event(out, PRACK_R_SESSION, status, rseq); /* R53 */
}

/* Free the cached 1xx of a dialog whose transaction ended. At most 8 actions. */
static void drop_cache(prack_uac_dialog_t *dlg, prack_actions_t *out)
{
    for (unsigned i = 0; i < PRACK_UAC_CACHE_WINDOW; i++) {
        if (dlg->cache & (1u << i)) {
            prack_action_t *a = prack_push(out, PRACK_ACT_DROP_CACHED);
            a->rseq = dlg->last_rseq + 2u + i; /* in range: cached only below 2^32 */
            a->cseq = dlg->rack_cseq;
        }
    }
    dlg->cache = 0;
    dlg->cache_sdp = 0;
}

/* After the final, a 1xx on a dialog with a cache ends that cache too (R42). */
static void discard_after_final(prack_uac_t *uac, prack_uac_dialog_t *dlg,
                                const prack_response_t *rsp, prack_actions_t *out)
{
    discard(uac, rsp, PRACK_R_AFTER_FINAL, out);
    if (dlg)
        drop_cache(dlg, out);
}

static void on_provisional(prack_uac_t *uac, prack_uac_dialog_t *dlg, const prack_response_t *rsp,
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

    /* N5, N7: an RSeq space is one INVITE transaction on one dialog */
    if ((dlg->flags & D_SEEN) && rsp->cseq != dlg->rack_cseq) {
        if (rsp->cseq < dlg->rack_cseq) {
            discard(uac, rsp, PRACK_R_STALE, out);
            return;
        }
        drop_cache(dlg, out); /* a re-INVITE on this dialog: a fresh sequence */
        dlg->flags = 0;
        dlg->oa = OA_UNSET;
    }
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
        dlg->rack_cseq = rsp->cseq;
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

static void on_final(prack_uac_t *uac, prack_uac_dialog_t *dlg, const prack_response_t *rsp,
                     prack_actions_t *out)
{
    bool first = uac->state == PRACK_UAC_CALLING;
    if (first)
        uac->state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED; /* R42 */
    prack_action_t *a = prack_push(out, PRACK_ACT_DELIVER_FINAL);
    a->status = rsp->status;
    a->cseq = rsp->cseq;
    if (dlg) {
        drop_cache(dlg, out);
        if (rsp->status < 300) {
            dialog_start(uac, dlg);
            bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;
            if (dlg->oa == OA_OFFER_SENT) { /* RFC 3261 13.2.1: the answer is due now */
                dlg->oa = OA_DONE;
                a->sdp = sdp ? PRACK_SDP_ANSWER : PRACK_SDP_NONE;
                event(out, sdp ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING, rsp->status, 0);
            } else if (sdp) {
                a->sdp = dlg->oa == OA_NONE ? PRACK_SDP_OFFER : PRACK_SDP_REPEAT;
            }
        }
    }
    if (!first)
        return;
    /* RFC 3261 8.1.3.5 and 21.4.16: 420/421 over 100rel */
    if (rsp->status == 420 && (rsp->flags & PRACK_RSP_UNSUPPORTED_100REL) &&
        uac->policy == PRACK_POLICY_REQUIRED) {
        a = prack_push(out, PRACK_ACT_RETRY_INVITE);
        a->status = 420;
        a->option = PRACK_OPTION_NONE;
    } else if (rsp->status == 421 && (rsp->flags & PRACK_RSP_REQUIRE_100REL) &&
               uac->policy == PRACK_POLICY_OFF) {
        a = prack_push(out, PRACK_ACT_RETRY_INVITE);
        a->status = 421;
        a->option = PRACK_OPTION_SUPPORTED;
    }
}

static void on_prack_response(prack_uac_t *uac, prack_uac_dialog_t *dlg, uint32_t rseq,
                              const prack_response_t *rsp, prack_actions_t *out)
{
    if (rsp->status < 200)
        return;
    if (rsp->status < 300) {
        uac->n_prack_ok++;
        event(out, PRACK_R_PRACK_OK, rsp->status, rseq);
        if (dlg->oa == OA_PRACK_OFFER && rseq == dlg->offer_rseq) { /* R51: the answer is due here */
            dlg->oa = OA_DONE;
            event(out, (rsp->flags & PRACK_RSP_SDP) ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING,
                  rsp->status, rseq);
        }
        return;
    }
    /* R57: once per PRACK, the same RAck again with credentials. A PRACK for an
     * RSeq more than 31 behind (or ahead of) the dialog's is not tracked and
     * fails rather than risking endless resends. */
    uint32_t back = dlg->last_rseq - rseq;
    bool tracked = (dlg->flags & D_SEEN) && rseq <= dlg->last_rseq && back < 32u;
    if ((rsp->status == 401 || rsp->status == 407) && tracked &&
        !(dlg->auth_mask & (1u << back))) {
        dlg->auth_mask |= 1u << back;
        uac->n_prack++;
        prack_action_t *a = prack_push(out, PRACK_ACT_SEND_PRACK);
        a->status = rsp->status;
        a->flags = PRACK_AF_AUTH;
        a->rseq = rseq;
        a->cseq = dlg->rack_cseq;
        a->sdp = PRACK_SDP_REPEAT;
        return;
    }
    uac->n_prack_failed++;
    if (dlg->oa == OA_PRACK_OFFER && rseq == dlg->offer_rseq)
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

int prack_on_response(prack_uac_t *uac, prack_uac_dialog_t *dlg, prack_time_t now,
                      const prack_response_t *rsp, prack_actions_t *out)
{
    if (out)
        prack_actions_reset(out);
    if (!uac || !rsp || !out || now == PRACK_TIME_NONE)
        return PRACK_ERR_INVAL;
    if (rsp->status < 100 || rsp->status > 699 ||
        (rsp->flags & ~(PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP |
                        PRACK_RSP_UNSUPPORTED_100REL)))
        return PRACK_ERR_INVAL;
    if (rsp->method == PRACK_METHOD_PRACK &&
        (!dlg || rsp->rseq > UINT32_MAX || (rsp->rseq == 0 && !(dlg->flags & D_SEEN))))
        return PRACK_ERR_INVAL;
    if (now < uac->last_now)
        return PRACK_ERR_TIME;
    uac->last_now = now;

    switch (rsp->method) {
    case PRACK_METHOD_INVITE:
        if (rsp->status < 200)
            on_provisional(uac, dlg, rsp, out);
        else
            on_final(uac, dlg, rsp, out);
        break;
    case PRACK_METHOD_PRACK:
        on_prack_response(uac, dlg, rsp->rseq ? (uint32_t)rsp->rseq : dlg->last_rseq, rsp, out);
        break;
    case PRACK_METHOD_OTHER:
    default:
        break; /* not ours: nothing to do */
    }
    return PRACK_OK;
}

int prack_uac_offer_in_prack(prack_uac_t *uac, prack_uac_dialog_t *dlg)
{
    if (!uac || !dlg)
        return PRACK_ERR_INVAL;
    if (!(dlg->flags & D_MAY_OFFER) || dlg->oa != OA_DONE)
        return PRACK_ERR_STATE;
    dlg->flags = (uint8_t)(dlg->flags & ~D_MAY_OFFER);
    dlg->oa = OA_PRACK_OFFER;
    dlg->offer_rseq = dlg->last_rseq; /* the PRACK that carries it acknowledges this RSeq */
    return PRACK_OK;
}

prack_uac_state_t prack_uac_state(const prack_uac_t *uac)
{
    return uac ? (prack_uac_state_t)uac->state : (prack_uac_state_t)0;
}

uint32_t prack_uac_dialog_rseq(const prack_uac_dialog_t *dlg)
{
    return dlg && (dlg->flags & D_SEEN) ? dlg->last_rseq : 0u;
}

int prack_uac_counters(const prack_uac_t *uac, prack_uac_stats_t *stats)
{
    if (!uac || !stats)
        return PRACK_ERR_INVAL;
    stats->pracks_sent = uac->n_prack;
    stats->discarded = uac->n_discard;
    stats->pracks_ok = uac->n_prack_ok;
    stats->pracks_failed = uac->n_prack_failed;
    return PRACK_OK;
}
