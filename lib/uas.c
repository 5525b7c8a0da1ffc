/*
 * UAS side of RFC 3262: one engine per INVITE server transaction.
 *
 * Row numbers (R1..R57, N1..N12) refer to the numbered obligations of RFC 3262
 * that the tests prove.
 */
#include "internal.h"

typedef struct prack_uas_mem uas_t;

/* uas->flags */
#define F_RELIABLE 0x01u   /* 100rel negotiated: non-100 provisionals go reliably */
#define F_REQUIRED 0x02u   /* the INVITE required 100rel: every provisional reliable (R2) */
#define F_UNACKED 0x04u    /* the reliable 1xx with RSeq last_rseq() is unacknowledged */
#define F_UNACKED_SDP 0x08u /* ... and it carried SDP (holds a 2xx, R54) */
#define F_UNACKED_ANSWER 0x10u /* ... and that SDP was the answer: its PRACK may offer (RFC 6337 2.2) */
#define F_ACKED 0x20u      /* ack_cseq holds the CSeq of the PRACK that acknowledged the latest RSeq */
#define F_ACK_ANSWER 0x40u /* ... and that PRACK's 200 carried an answer */

/* uas->oa: the offer/answer exchange of the INVITE transaction */
enum {
    OA_NONE = 0,       /* no offer anywhere yet (INVITE without SDP) */
    OA_OFFER_RCVD = 1, /* the INVITE's offer awaits our answer */
    OA_OFFER_SENT = 2, /* our offer went in a reliable 1xx; the answer is due in its PRACK */
    OA_DONE = 3        /* an answer was exchanged */
};

/* queue entry: status - 100 in the low 7 bits, Q_SDP for SDP */
#define Q_SDP 0x80u

/* Retransmissions are counted up to this; the 7th would fall after 64*T1. */
#define RETX_CAP 7u

static uas_t *state_of(prack_uas_t *uas)
{
    return (uas_t *)(void *)uas;
}

static const uas_t *cstate_of(const prack_uas_t *uas)
{
    return (const uas_t *)(const void *)uas;
}

/*
 * The RSeq of the most recent reliable 1xx is not stored: it is derived from the
 * first RSeq and the count of reliable 1xx sent, held as next_rseq, which is 0
 * until the first one goes (so "none sent" needs no extra flag).
 */
static uint32_t last_rseq(const uas_t *uas)
{
    return uas->next_rseq ? uas->next_rseq - 1u : 0u;
}

/* RSeq for the next new reliable 1xx, or 0 when the space is exhausted (R25). */
static uint32_t next_rseq(const uas_t *uas, size_t ahead)
{
    if (uas->next_rseq == 0)
        return uas->first_rseq; /* ahead is 0 here: nothing queues before the first */
    uint64_t n = (uint64_t)uas->next_rseq + ahead;
    return n > UINT32_MAX ? 0u : (uint32_t)n;
}

static uint16_t sat16_inc(uint16_t v)
{
    return v == UINT16_MAX ? v : (uint16_t)(v + 1u);
}

/* Time of the k-th retransmission, k >= 1: T1 * (2^k - 1) after the first send (N1). */
static prack_time_t retx_time(const uas_t *uas, unsigned k)
{
    uint64_t mult = ((uint64_t)1 << k) - 1u;
    return prack_time_add(uas->sent_at, mult * uas->t1);
}

static prack_time_t timeout_time(const uas_t *uas)
{
    return prack_time_add(uas->sent_at, 64u * (uint64_t)uas->t1);
}

static bool live(const uas_t *uas)
{
    return uas->state == PRACK_UAS_PROCEEDING || uas->state == PRACK_UAS_HELD;
}

static prack_time_t deadline(const uas_t *uas)
{
    if (!live(uas))
        return PRACK_TIME_NONE;
    if (uas->flags & F_UNACKED) {
        prack_time_t to = timeout_time(uas);
        if (uas->retx >= RETX_CAP)
            return to;
        prack_time_t rt = retx_time(uas, uas->retx + 1u);
        return rt < to ? rt : to;
    }
    if (uas->state == PRACK_UAS_PROCEEDING && uas->refresh_s && uas->next_rseq)
        return prack_time_add(uas->sent_at, (uint64_t)uas->refresh_s * 1000u);
    return PRACK_TIME_NONE;
}

prack_time_t prack_next_deadline(const prack_uas_t *uas)
{
    return uas ? deadline(cstate_of(uas)) : PRACK_TIME_NONE;
}

static void event(prack_actions_t *out, prack_reason_t reason)
{
    prack_action_t *a = prack_push(out, PRACK_ACT_EVENT);
    a->reason = (uint8_t)reason;
}

static void set_sdp(prack_actions_t *out, uint32_t at, prack_sdp_t sdp)
{
    out->v[at].sdp = (uint8_t)sdp;
}

/* The flag that hands a cookie back for good; 0 is no cookie. */
static uint32_t release(uint64_t user)
{
    return user != 0 ? PRACK_AF_RELEASE : 0u;
}

/*
 * Drop every queued 1xx (a final or CANCEL came first, R30) and, with
 * release_unacked, let go of the unacknowledged one too: a final response went
 * out, so it is retransmitted no more (R28); a late PRACK is still answered
 * (R29), without the cookie. At most 9 actions.
 */
static void drop_pending(uas_t *uas, bool release_unacked, prack_actions_t *out)
{
    while (uas->q_len) {
        prack_action_t *a = prack_push(out, PRACK_ACT_DROP_1XX);
        uint64_t user = uas->q_user[uas->q_head];
        a->status = (uint16_t)(100u + (uas->q_entry[uas->q_head] & 0x7Fu));
        a->flags = release(user);
        a->user = user;
        a->cseq = uas->cseq;
        uas->q_head = (uint8_t)((uas->q_head + 1u) % uas->q_cap);
        uas->q_len--;
    }
    uas->q_head = 0;
    if (release_unacked && (uas->flags & F_UNACKED) && uas->user != 0) {
        prack_action_t *a = prack_push(out, PRACK_ACT_DROP_1XX);
        a->status = uas->status;
        a->rseq = last_rseq(uas);
        a->flags = PRACK_AF_RELEASE;
        a->user = uas->user;
        a->cseq = uas->cseq;
        uas->user = 0;
    }
}

/* The transaction ends with a final response sent now: one SEND_FINAL. */
static prack_action_t *end_with(uas_t *uas, uint16_t status, uint32_t flags,
                                prack_actions_t *out)
{
    if (uas->state == PRACK_UAS_HELD)
        flags |= PRACK_AF_REPLACES_HELD;
    drop_pending(uas, true, out);
    uas->state = PRACK_UAS_COMPLETED; /* R28: no more retransmissions */
    uas->final_status = status;
    prack_action_t *a = prack_push(out, PRACK_ACT_SEND_FINAL);
    a->status = status;
    a->flags = flags;
    a->cseq = uas->cseq;
    return a;
}

/*
 * R20: the 64*T1 timeout, applied by every entry point whose `now` reached it,
 * so that it never depends on the host calling the timer on time. At most 11
 * actions: 8 drops, the unacknowledged 1xx, the final and the event.
 */
static void apply_timeout(uas_t *uas, prack_time_t now, prack_actions_t *out)
{
    if (!live(uas) || !(uas->flags & F_UNACKED) || now < timeout_time(uas))
        return;
    prack_action_t *a = end_with(uas, uas->timeout_status, PRACK_AF_TIMEOUT, out);
    a->text = PRACK_TIMEOUT_TEXT;
    event(out, PRACK_R_TIMEOUT);
}

/* Common argument and clock checks of the state-changing calls. */
static int enter(const prack_uas_t *uas, prack_time_t now, prack_actions_t *out)
{
    if (out)
        prack_actions_reset(out);
    if (!uas || !out || now == PRACK_TIME_NONE)
        return PRACK_ERR_INVAL;
    if (now < cstate_of(uas)->last_now)
        return PRACK_ERR_TIME;
    return PRACK_OK;
}

/*
 * Every error is returned before the engine changes, so only the batch needs
 * undoing; success records the time for the next call's clock check.
 */
static int leave(uas_t *uas, prack_time_t now, prack_actions_t *out, int rc)
{
    if (rc == PRACK_OK)
        uas->last_now = now;
    else
        prack_actions_reset(out);
    return rc;
}

/*
 * Role of the SDP in a provisional about to go out, and the offer/answer step it
 * makes. Only a reliable 1xx moves the exchange (RFC 3261 13.2.1, RFC 3262 5);
 * an unreliable one may preview what the final will carry.
 */
static prack_sdp_t provisional_sdp(uas_t *uas, bool sdp, bool reliable, prack_actions_t *out)
{
    if (!sdp)
        return PRACK_SDP_NONE;
    switch (uas->oa) {
    case OA_OFFER_RCVD:
        if (reliable) { /* R48: the answer in a reliable 1xx */
            uas->oa = OA_DONE;
            event(out, PRACK_R_SESSION); /* R53 */
        }
        return PRACK_SDP_ANSWER;
    case OA_NONE:
        if (reliable) /* R49: the first reliable 1xx carries the offer */
            uas->oa = OA_OFFER_SENT;
        return PRACK_SDP_OFFER;
    default:
        return PRACK_SDP_REPEAT;
    }
}

/* Role of the SDP of a final response about to go out. */
static prack_sdp_t final_sdp(uas_t *uas, uint16_t status, prack_actions_t *out)
{
    if (status >= 300)
        return PRACK_SDP_NONE;
    switch (uas->oa) {
    case OA_OFFER_RCVD:
        uas->oa = OA_DONE;
        event(out, PRACK_R_SESSION);
        return PRACK_SDP_ANSWER;
    case OA_NONE:
        return PRACK_SDP_OFFER; /* the answer comes in the ACK */
    default:
        return PRACK_SDP_REPEAT;
    }
}

/* Send a new reliable 1xx now; the caller checked that none is unacknowledged. */
static void send_reliable(uas_t *uas, prack_time_t now, uint16_t status, bool sdp,
                          uint64_t user, uint32_t extra, prack_actions_t *out)
{
    uint32_t rseq = next_rseq(uas, 0);
    uas->next_rseq = rseq + 1u; /* rseq < UINT32_MAX is checked by the callers */
    uas->flags = (uint8_t)((uas->flags | F_UNACKED) & ~(F_UNACKED_SDP | F_UNACKED_ANSWER));
    if (sdp)
        uas->flags |= F_UNACKED_SDP;
    uas->sent_at = now;
    uas->retx = 0;
    uas->status = status;
    uas->user = user;

    prack_action_t *a = prack_push(out, PRACK_ACT_SEND_1XX);
    uint32_t at = out->n - 1u;
    a->status = status;
    a->flags = PRACK_AF_RELIABLE | extra;
    a->rseq = rseq;
    a->cseq = uas->cseq;
    a->user = user;
    /* computed after the push so that a SESSION event follows the 1xx */
    prack_sdp_t role = provisional_sdp(uas, sdp, true, out);
    set_sdp(out, at, role);
    if (role == PRACK_SDP_ANSWER)
        uas->flags |= F_UNACKED_ANSWER;
}

/* Negotiation failed: the INVITE gets 420 or 421 and the engine is done. */
static void reject(uas_t *uas, uint16_t status, uint32_t flag, prack_actions_t *out)
{
    uas->state = PRACK_UAS_REJECTED;
    uas->final_status = status;
    prack_action_t *a = prack_push(out, PRACK_ACT_SEND_FINAL);
    a->status = status;
    a->flags = flag;
    a->cseq = uas->cseq;
}

int prack_uas_init(prack_uas_t *engine, const prack_config_t *cfg, const prack_invite_t *inv,
                   uint32_t random, prack_time_t now, prack_actions_t *out)
{
    prack_config_t defaults;
    if (out)
        prack_actions_reset(out);
    if (!engine || !inv || !out || now == PRACK_TIME_NONE)
        return PRACK_ERR_INVAL;
    if (inv->flags & ~(PRACK_INV_SUPPORTED_100REL | PRACK_INV_REQUIRE_100REL | PRACK_INV_SDP))
        return PRACK_ERR_INVAL;
    if (prack_config_check(cfg) != PRACK_OK)
        return PRACK_ERR_INVAL;
    if (!cfg) {
        prack_config_init(&defaults);
        cfg = &defaults;
    }

    uas_t *uas = state_of(engine);
    memset(engine, 0, sizeof(*engine));
    uas->sent_at = now;
    uas->last_now = now;
    uas->q_cap = cfg->queue_max;
    uas->t1 = cfg->t1_ms;
    uas->refresh_s = (uint16_t)(cfg->refresh_ms / 1000u);
    uas->timeout_status = cfg->timeout_status;
    uas->cseq = inv->cseq;
    /* R12, R13: uniform in 1..2^31-1 from the host's randomness (bias below 2^-30) */
    uas->first_rseq = 1u + random % 0x7FFFFFFFu;
    uas->oa = (inv->flags & PRACK_INV_SDP) ? OA_OFFER_RCVD : OA_NONE;
    uas->state = PRACK_UAS_PROCEEDING;

    bool listed = (inv->flags & (PRACK_INV_SUPPORTED_100REL | PRACK_INV_REQUIRE_100REL)) != 0;
    bool required = (inv->flags & PRACK_INV_REQUIRE_100REL) != 0;

    if (cfg->policy == PRACK_POLICY_OFF) {
        if (required) /* R3 */
            reject(uas, 420, PRACK_AF_UNSUPPORTED_100REL, out);
        return PRACK_OK; /* R5: never reliable */
    }
    if (cfg->policy == PRACK_POLICY_REQUIRED && !listed) { /* RFC 3261 8.2.4, 21.4.16 */
        reject(uas, 421, PRACK_AF_REQUIRE_100REL, out);
        return PRACK_OK;
    }
    if (listed) /* R1, R2, R56 */
        uas->flags |= F_RELIABLE;
    if (required)
        uas->flags |= F_REQUIRED;
    return PRACK_OK;
}

static int send_1xx(uas_t *uas, prack_time_t now, uint16_t status, uint32_t flags,
                    uint64_t user, prack_actions_t *out)
{
    if (status < 100 || status > 199 || (flags & ~(PRACK_1XX_SDP | PRACK_1XX_UNRELIABLE)) ||
        (status == 100 && (flags & PRACK_1XX_SDP)))
        return PRACK_ERR_INVAL;
    if (uas->state != PRACK_UAS_PROCEEDING) /* R30 */
        return PRACK_ERR_STATE;

    apply_timeout(uas, now, out);
    if (uas->state != PRACK_UAS_PROCEEDING) {
        /* the timeout ended the transaction: this 1xx will never go */
        prack_action_t *a = prack_push(out, PRACK_ACT_DROP_1XX);
        a->status = status;
        a->flags = release(user);
        a->user = user;
        a->cseq = uas->cseq;
        return PRACK_OK;
    }

    bool sdp = (flags & PRACK_1XX_SDP) != 0;
    bool reliable = status != 100 && (uas->flags & F_RELIABLE) &&
                    (!(flags & PRACK_1XX_UNRELIABLE) || (uas->flags & F_REQUIRED));

    if (!reliable) { /* R4, R5: the engine keeps nothing of it */
        prack_action_t *a = prack_push(out, PRACK_ACT_SEND_1XX);
        uint32_t at = out->n - 1u;
        a->status = status;
        a->flags = release(user);
        a->cseq = uas->cseq;
        a->user = user;
        set_sdp(out, at, provisional_sdp(uas, sdp, false, out));
        return PRACK_OK;
    }

    if (uas->oa == OA_NONE && !sdp) /* R49 */
        return PRACK_ERR_OFFER_REQUIRED;

    if (uas->flags & F_UNACKED) { /* R22, R23: one at a time, the rest wait in order */
        if (uas->q_len >= uas->q_cap)
            return PRACK_ERR_QUEUE_FULL;
        if (next_rseq(uas, uas->q_len + 1u) == 0) /* R25 */
            return PRACK_ERR_RANGE;
        unsigned slot = ((unsigned)uas->q_head + uas->q_len) % uas->q_cap;
        uas->q_user[slot] = user;
        uas->q_entry[slot] = (uint8_t)((status - 100u) | (sdp ? Q_SDP : 0u));
        uas->q_len++;
        prack_action_t *a = prack_push(out, PRACK_ACT_QUEUE_1XX);
        a->status = status;
        a->cseq = uas->cseq;
        a->user = user;
        return PRACK_OK;
    }

    if (next_rseq(uas, 0) == 0 || next_rseq(uas, 0) == UINT32_MAX) /* R25 */
        return PRACK_ERR_RANGE;
    send_reliable(uas, now, status, sdp, user, 0, out); /* R10, R11, R12, R24 */
    return PRACK_OK;
}

int prack_uas_send_1xx(prack_uas_t *engine, prack_time_t now, uint16_t status, uint32_t flags,
                       uint64_t user, prack_actions_t *out)
{
    int rc = enter(engine, now, out);
    if (rc != PRACK_OK)
        return rc;
    uas_t *uas = state_of(engine);
    return leave(uas, now, out, send_1xx(uas, now, status, flags, user, out));
}

static int send_final(uas_t *uas, prack_time_t now, uint16_t status, prack_actions_t *out)
{
    if (status < 200 || status > 699)
        return PRACK_ERR_INVAL;
    if (uas->state == PRACK_UAS_HELD && status < 300)
        return PRACK_ERR_STATE;
    if (!live(uas))
        return PRACK_ERR_STATE;

    apply_timeout(uas, now, out);
    if (!live(uas))
        return PRACK_OK; /* the timeout's final went instead */

    if (uas->state == PRACK_UAS_HELD) {
        /* the callee gave up while the 2xx waited: the failure goes at once */
        end_with(uas, status, 0, out);
        return PRACK_OK;
    }
    if (status < 300 && (uas->flags & F_UNACKED) && (uas->flags & F_UNACKED_SDP)) {
        /* R26, R27, R54: the 2xx waits; queued 1xx never go (R30) */
        uas->state = PRACK_UAS_HELD;
        drop_pending(uas, false, out);
        uas->final_status = status;
        prack_action_t *a = prack_push(out, PRACK_ACT_HOLD_FINAL);
        a->status = status;
        a->rseq = last_rseq(uas);
        a->cseq = uas->cseq;
        return PRACK_OK;
    }
    /* worst case: 9 drops + final + event = 11 actions */
    end_with(uas, status, 0, out);
    /* the final's index before final_sdp() may append a SESSION event */
    uint32_t at = out->n - 1u;
    set_sdp(out, at, final_sdp(uas, status, out));
    return PRACK_OK;
}

int prack_uas_send_final(prack_uas_t *engine, prack_time_t now, uint16_t status,
                         prack_actions_t *out)
{
    int rc = enter(engine, now, out);
    if (rc != PRACK_OK)
        return rc;
    uas_t *uas = state_of(engine);
    return leave(uas, now, out, send_final(uas, now, status, out));
}

static int cancel(uas_t *uas, prack_time_t now, prack_actions_t *out)
{
    apply_timeout(uas, now, out);
    if (!live(uas))
        return PRACK_OK; /* too late: a final went out, the CANCEL changes nothing */
    end_with(uas, 487, PRACK_AF_CANCELLED, out);
    return PRACK_OK;
}

int prack_uas_cancel(prack_uas_t *engine, prack_time_t now, prack_actions_t *out)
{
    int rc = enter(engine, now, out);
    if (rc != PRACK_OK)
        return rc;
    uas_t *uas = state_of(engine);
    return leave(uas, now, out, cancel(uas, now, out));
}

static prack_action_t *answer_prack(uas_t *uas, uint16_t status, prack_reason_t reason,
                                    uint32_t rseq, prack_actions_t *out)
{
    prack_action_t *a = prack_push(out, PRACK_ACT_ANSWER_PRACK);
    a->status = status;
    a->reason = (uint8_t)reason;
    a->rseq = rseq;
    a->cseq = uas->cseq;
    if (status != 200)
        uas->n_481 = sat16_inc(uas->n_481);
    return a;
}

/* The RSeq of the latest acknowledged reliable 1xx, or 0 if none was. */
static uint32_t latest_acked(const uas_t *uas)
{
    if (!(uas->flags & F_ACKED))
        return 0;
    return (uas->flags & F_UNACKED) ? last_rseq(uas) - 1u : last_rseq(uas);
}

/* The matching PRACK for the unacknowledged reliable 1xx. At most 4 actions. */
static void acknowledge(uas_t *uas, prack_time_t now, const prack_prack_t *pr,
                        prack_actions_t *out)
{
    bool had_sdp = (uas->flags & F_UNACKED_SDP) != 0;
    bool had_answer = (uas->flags & F_UNACKED_ANSWER) != 0;
    uas->flags = (uint8_t)((uas->flags & ~(F_UNACKED | F_UNACKED_SDP | F_UNACKED_ANSWER |
                                           F_ACK_ANSWER)) | F_ACKED); /* R18, R19 */
    uas->ack_cseq = pr->cseq;
    uas->retx = 0;
    prack_action_t *a = answer_prack(uas, 200, PRACK_R_NONE, last_rseq(uas), out); /* R17 */
    uint32_t at = out->n - 1u;
    if (uas->user != 0) {
        a->user = uas->user;
        a->flags = PRACK_AF_RELEASE;
        uas->user = 0;
    }
    bool dead = uas->state == PRACK_UAS_COMPLETED && uas->final_status >= 300;
    if (dead) {
        /* R29: still acknowledged, but the early dialog ended with the
         * failure (RFC 3261 12.3): no offer/answer step, no session event */
    } else if (pr->flags & PRACK_PR_SDP) {
        if (uas->oa == OA_OFFER_SENT) { /* R50: the answer to our 1xx offer */
            uas->oa = OA_DONE;
            event(out, PRACK_R_SESSION);
        } else if (had_answer) { /* R51, R52: a new offer, answer in the 200 */
            set_sdp(out, at, PRACK_SDP_ANSWER);
            uas->flags |= F_ACK_ANSWER;
            event(out, PRACK_R_SESSION);
        } else { /* RFC 6337 2.2: only the PRACK of an answer may offer */
            event(out, PRACK_R_SDP_UNEXPECTED);
        }
    } else if (had_sdp && uas->oa == OA_OFFER_SENT) {
        event(out, PRACK_R_ANSWER_MISSING);
    }

    if (uas->state == PRACK_UAS_HELD) { /* R54: the last SDP 1xx is acknowledged */
        uas->state = PRACK_UAS_COMPLETED;
        prack_action_t *f = prack_push(out, PRACK_ACT_SEND_FINAL);
        uint32_t fat = out->n - 1u;
        f->status = uas->final_status;
        f->flags = PRACK_AF_RELEASED;
        f->cseq = uas->cseq;
        set_sdp(out, fat, final_sdp(uas, uas->final_status, out));
    } else if (uas->state == PRACK_UAS_PROCEEDING && uas->q_len) { /* R21 */
        uint8_t e = uas->q_entry[uas->q_head];
        uint64_t user = uas->q_user[uas->q_head];
        uas->q_head = (uint8_t)((uas->q_head + 1u) % uas->q_cap);
        uas->q_len--;
        send_reliable(uas, now, (uint16_t)(100u + (e & 0x7Fu)), (e & Q_SDP) != 0, user, 0,
                      out); /* R24 */
    }
}

static int on_prack(uas_t *uas, prack_time_t now, const prack_prack_t *pr, prack_actions_t *out)
{
    if (!pr || (pr->flags & ~(PRACK_PR_RACK | PRACK_PR_SDP)) ||
        ((pr->flags & PRACK_PR_RACK) && !pr->method && pr->method_len))
        return PRACK_ERR_INVAL;

    apply_timeout(uas, now, out); /* a PRACK after 64*T1 meets the 5xx (R20, R29) */

    if (!(pr->flags & PRACK_PR_RACK)) {
        answer_prack(uas, 400, PRACK_R_BAD_RACK, 0, out);
        return PRACK_OK;
    }
    /* N2, N9: RAck method matched byte for byte, CSeq-num against the INVITE's */
    bool same_invite = pr->rack_cseq == uas->cseq && pr->method_len == 6 && pr->method &&
                       memcmp(pr->method, "INVITE", 6) == 0;
    uint32_t rseq32 = pr->rack_rseq <= UINT32_MAX ? (uint32_t)pr->rack_rseq : 0u;

    if (same_invite && (uas->flags & F_UNACKED) && pr->rack_rseq == last_rseq(uas)) {
        acknowledge(uas, now, pr, out);
        return PRACK_OK;
    }
    if (same_invite && rseq32 != 0 && rseq32 == latest_acked(uas) && pr->cseq == uas->ack_cseq) {
        /* the same PRACK again (its 200 was lost): the same answer */
        prack_action_t *a = answer_prack(uas, 200, PRACK_R_DUPLICATE, rseq32, out);
        if (uas->flags & F_ACK_ANSWER)
            a->sdp = PRACK_SDP_ANSWER;
        return PRACK_OK;
    }
    answer_prack(uas, 481, PRACK_R_NO_MATCH, rseq32, out); /* R16, R29 */
    return PRACK_OK;
}

int prack_uas_on_prack(prack_uas_t *engine, prack_time_t now, const prack_prack_t *pr,
                       prack_actions_t *out)
{
    int rc = enter(engine, now, out);
    if (rc != PRACK_OK)
        return rc;
    uas_t *uas = state_of(engine);
    return leave(uas, now, out, on_prack(uas, now, pr, out));
}

int prack_on_timer(prack_uas_t *engine, prack_time_t now, prack_actions_t *out)
{
    int rc = enter(engine, now, out);
    if (rc != PRACK_OK)
        return rc;
    uas_t *uas = state_of(engine);

    /*
     * Each pass makes progress (a timeout ends all timers, a retransmission moves
     * the next one past now, a refresh arms retransmissions after now), so the
     * loop ends within a few passes even when deadlines saturate at the end of
     * time. Worst case: refresh (1) + retransmission (1) + 8 drops + the
     * unacknowledged 1xx + final + event = 13 actions.
     */
    bool retransmitted = false;
    for (int pass = 0; pass < 8; pass++) {
        prack_time_t due = deadline(uas);
        if (due == PRACK_TIME_NONE || due > now)
            break;
        if (uas->flags & F_UNACKED) {
            if (now >= timeout_time(uas)) { /* R20 */
                apply_timeout(uas, now, out);
                break;
            }
            if (!retransmitted) { /* N1: same message, same RSeq */
                prack_action_t *a = prack_push(out, PRACK_ACT_SEND_1XX);
                a->status = uas->status;
                a->flags = PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT;
                a->rseq = last_rseq(uas);
                a->cseq = uas->cseq;
                a->user = uas->user;
                uas->n_retx = sat16_inc(uas->n_retx);
                retransmitted = true;
            }
            /* skip the ones a long pause made pointless: one send, not a burst */
            do
                uas->retx++;
            while (uas->retx < RETX_CAP && retx_time(uas, uas->retx + 1u) <= now);
            continue;
        }
        /* R8: keep a long transaction alive with a fresh reliable 1xx */
        if (next_rseq(uas, 0) == 0 || next_rseq(uas, 0) == UINT32_MAX) {
            uas->refresh_s = 0; /* R25: the RSeq space is spent; stop refreshing */
            break;
        }
        send_reliable(uas, now, uas->status, false, 0, PRACK_AF_REFRESH, out);
    }
    return leave(uas, now, out, PRACK_OK);
}

unsigned prack_uas_state(const prack_uas_t *uas)
{
    return uas ? cstate_of(uas)->state : 0u;
}

bool prack_uas_reliable(const prack_uas_t *uas)
{
    return uas && (cstate_of(uas)->flags & F_RELIABLE);
}

uint32_t prack_uas_unacked(const prack_uas_t *engine)
{
    if (!engine)
        return 0;
    const uas_t *uas = cstate_of(engine);
    return (uas->flags & F_UNACKED) ? last_rseq(uas) : 0u;
}

uint32_t prack_uas_queued(const prack_uas_t *uas)
{
    return uas ? cstate_of(uas)->q_len : 0u;
}

int prack_uas_counters(const prack_uas_t *engine, prack_uas_stats_t *stats)
{
    if (!engine || !stats)
        return PRACK_ERR_INVAL;
    const uas_t *uas = cstate_of(engine);
    uint32_t sent = uas->next_rseq ? uas->next_rseq - uas->first_rseq : 0u;
    stats->reliable_sent = sent;
    stats->acknowledged = sent - ((uas->flags & F_UNACKED) ? 1u : 0u);
    stats->retransmissions = uas->n_retx;
    stats->rejected_pracks = uas->n_481;
    return PRACK_OK;
}
