/*
 * Shadow models of the UAS and UAC engines, for the fuzz targets and the
 * network simulator (the model itself is in shadow.c).
 *
 * Every engine call goes through a wrapper declared here. The wrapper works
 * out from the documented behaviour (prack/prack.h) what the call must return
 * and the exact batch it must produce, calls the engine, compares, and then
 * checks the protocol invariants a second time, independently, on the actions
 * actually returned. Nothing reads the engines' private fields: only what the
 * actions and the public getters say.
 *
 * Each engine object lives in one of SH_SLOTS guarded slots. The drivers move
 * it to another slot with memcpy between calls (sh_uas_move(), sh_uac_move()),
 * as a host growing a table by realloc would; the old copy is overwritten, and
 * since the model is checked after every call, a behaviour that depends on
 * where the engine lives shows up at once.
 *
 * A broken expectation prints what was being checked and aborts, which
 * libFuzzer reports as a crash and cmocka as a failed test.
 *
 * The structs below are public so that drivers can embed them; drivers read
 * only the engines (sh_uas_engine(), sh_uac_engine()) and the obs parts, what
 * the actions said so far. The m parts are the model's, private to shadow.c.
 */
#ifndef PRACK_SHADOW_H
#define PRACK_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "prack/prack.h"

/*
 * Library deviations a run may step over (PRACK_SHADOW_LENIENT=<bits>), so that
 * a long fuzzing run can look past a known bug for new ones. The default is
 * strict: every bit off. PRACK_SHADOW_TRACE=1 prints every call and its batch.
 */
#define SH_LENIENT_STALE_BATCH 0x1u /* a failing call left the batch non-empty */
#define SH_LENIENT_UAS_TIME 0x2u    /* the UAS accepted a time earlier than one it saw */
#define SH_LENIENT_MODEL 0x4u       /* skip the exact model (return codes, batches, getters) and
                                       keep the invariants, which read only the actions */

#define SH_GUARD 32u
#define SH_SLOTS 3u
#define SH_DLG_MAX 4
#define SH_COOKIES (PRACK_UAS_QUEUE_MAX + 2u) /* the unacknowledged 1xx, the queue, the new one */
#define SH_AUTH_SLOTS 16u /* challenges are counted for the 16 latest RSeq of a dialog */

/* Text printed with a failure, set by the driver (seed, call number, step). */
#define SH_CONTEXT_MAX 160u
char *sh_context(void);

void sh_fail(const char *file, int line, const char *what, const char *cond);

#define SH_CHECK(cond, what)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            sh_fail(__FILE__, __LINE__, (what), #cond);                                            \
    } while (0)

/* The engines' time arithmetic as documented: saturate below "no deadline". */
static inline prack_time_t sh_tadd(prack_time_t a, uint64_t b)
{
    if (a >= PRACK_TIME_NONE - 1u || b >= PRACK_TIME_NONE - 1u - a)
        return PRACK_TIME_NONE - 1u;
    return a + b;
}

/* ---- UAS ---- */

/* What the actions of a UAS said so far: all the invariants need. */
typedef struct sh_uas_obs {
    uint32_t cseq; /* the INVITE's, as the host gave it */
    bool final, held;
    uint32_t last, n_sent, unacked;
    bool unacked_sdp;
    uint16_t unacked_status, last_status;
    uint64_t unacked_user; /* its cookie until released */
    prack_time_t sent_at;  /* when the unacknowledged 1xx was first sent */
    unsigned retx_this;
    bool acked; /* the PRACK (RAck ack_rseq, CSeq ack_cseq) acknowledged the latest RSeq */
    uint32_t ack_rseq, ack_cseq;
    unsigned qlen; /* the queue, from QUEUE_1XX and what left it */
    uint64_t q_user[PRACK_UAS_QUEUE_MAX];
    uint16_t q_status[PRACK_UAS_QUEUE_MAX];
    unsigned n_held; /* cookies accepted and not yet released */
    uint64_t cookie[SH_COOKIES];
    uint32_t n_released;
} sh_uas_obs_t;

/* The UAS as the documentation says it is (shadow.c's). */
typedef struct sh_uas_model {
    bool ready;
    uint32_t cseq, t1, refresh_ms;
    uint16_t timeout_status;
    unsigned qmax;
    bool reliable, required;
    int state; /* prack_uas_state_t */
    int oa;
    uint32_t first, last, n_sent; /* reliable 1xx numbered so far */
    uint32_t unacked;             /* RSeq of the unacknowledged one, 0 if none */
    bool unacked_sdp, unacked_answer;
    prack_time_t sent_at; /* init time, then time of the latest new reliable 1xx */
    uint16_t cur_status;  /* status of the latest reliable 1xx */
    uint64_t cur_user;    /* cookie of the unacknowledged one while the engine holds it */
    unsigned slot;        /* retransmission slots used for the current one */
    uint64_t q_user[PRACK_UAS_QUEUE_MAX];
    uint16_t q_status[PRACK_UAS_QUEUE_MAX];
    bool q_sdp[PRACK_UAS_QUEUE_MAX];
    unsigned qlen;
    uint16_t final_status;
    bool acked, ack_answer; /* the PRACK that acknowledged the latest RSeq */
    uint32_t ack_rseq, ack_cseq;
    prack_time_t now_max;
    uint32_t n_retx, n_rej;
} sh_uas_model_t;

typedef struct sh_uas_slot {
    uint8_t pre[SH_GUARD];
    prack_uas_t e;
    uint8_t post[SH_GUARD];
} sh_uas_slot_t;

typedef struct sh_uas {
    sh_uas_slot_t box[SH_SLOTS];
    unsigned at; /* the slot the engine lives in */
    sh_uas_obs_t obs;
    sh_uas_model_t m;
} sh_uas_t;

static inline prack_uas_t *sh_uas_engine(sh_uas_t *s)
{
    return &s->box[s->at].e;
}

/* Cookies the engine holds now (accepted, not yet released). */
static inline unsigned sh_uas_cookies_held(const sh_uas_t *s)
{
    return s->obs.n_held;
}

/* A NULL cfg means the defaults. s may hold anything before. */
int sh_uas_init(sh_uas_t *s, const prack_config_t *cfg, const prack_invite_t *inv,
                uint32_t random, prack_time_t now, prack_actions_t *out);
int sh_uas_send_1xx(sh_uas_t *s, prack_time_t now, uint16_t status, uint32_t flags,
                    uint64_t user, prack_actions_t *out);
int sh_uas_send_final(sh_uas_t *s, prack_time_t now, uint16_t status, prack_actions_t *out);
int sh_uas_cancel(sh_uas_t *s, prack_time_t now, prack_actions_t *out);
int sh_uas_prack(sh_uas_t *s, prack_time_t now, const prack_prack_t *pr, prack_actions_t *out);
int sh_uas_timer(sh_uas_t *s, prack_time_t now, prack_actions_t *out);
/* The host moves the engine to another slot (want picks which) with memcpy. */
void sh_uas_move(sh_uas_t *s, unsigned want);

/* ---- UAC ---- */

/* What the actions said about one early dialog. */
typedef struct sh_dlg_obs {
    bool seen;
    uint32_t last, owner; /* owner: the INVITE CSeq of the last response on it */
    bool confirmed;       /* a 2xx was delivered on it, for INVITE CSeq confirmed_cseq */
    uint32_t confirmed_cseq;
    unsigned n_auth; /* resends with credentials, per RSeq */
    uint32_t auth_rseq[8];
    uint8_t auth_n[8];
} sh_dlg_obs_t;

/* One early dialog as the documentation says it is (shadow.c's). */
typedef struct sh_dlg_model {
    uint32_t owner; /* the INVITE transaction (CSeq) that last used it; meaningful when used */
    bool seen, confirmed, may_offer;
    uint32_t last;
    uint8_t cache, cache_sdp; /* bit i: RSeq last + 2 + i */
    int oa;
    uint8_t auth[SH_AUTH_SLOTS]; /* challenges met by the PRACK for RSeq last - i */
    uint32_t offer_rseq;         /* the PRACK that may carry, or carries, our offer */
} sh_dlg_model_t;

typedef struct sh_dlg_slot {
    uint8_t pre[SH_GUARD];
    prack_uac_dialog_t d;
    uint8_t post[SH_GUARD];
} sh_dlg_slot_t;

typedef struct sh_dlg {
    sh_dlg_slot_t box[SH_SLOTS];
    unsigned at;
    sh_dlg_obs_t obs;
    sh_dlg_model_t m;
} sh_dlg_t;

/* The UAC engine as the documentation says it is (shadow.c's). */
typedef struct sh_uac_model {
    bool ready;
    uint32_t cseq;
    int state;
    prack_time_t last_now;
    uint32_t n_prack, n_discard, n_ok, n_failed;
} sh_uac_model_t;

typedef struct sh_uac_slot {
    uint8_t pre[SH_GUARD];
    prack_uac_t u;
    uint8_t post[SH_GUARD];
} sh_uac_slot_t;

typedef struct sh_uac {
    sh_uac_slot_t box[SH_SLOTS];
    unsigned at;
    sh_dlg_t dlg[SH_DLG_MAX];
    /* what the host knows and the actions said */
    int obs_state; /* from the first DELIVER_FINAL */
    uint32_t obs_cseq;
    bool invite_sdp, after_2xx, cache;
    int policy, failure;
    unsigned auth_max;
    sh_uac_model_t m;
} sh_uac_t;

static inline prack_uac_t *sh_uac_engine(sh_uac_t *s)
{
    return &s->box[s->at].u;
}

/* Dialog di's state, or NULL for di outside 0..SH_DLG_MAX-1 (no To-tag). */
static inline prack_uac_dialog_t *sh_uac_dialog(sh_uac_t *s, int di)
{
    return di >= 0 && di < SH_DLG_MAX ? &s->dlg[di].box[s->dlg[di].at].d : NULL;
}

/* A fresh engine with fresh dialog states; s may hold anything before. */
int sh_uac_init(sh_uac_t *s, const prack_config_t *cfg, uint32_t cseq, uint32_t flags,
                prack_time_t now);
/*
 * Start the engine for an INVITE. With keep_dialogs the dialog states stay as
 * an earlier INVITE transaction left them (a re-INVITE on the same dialogs).
 */
int sh_uac_begin(sh_uac_t *s, bool keep_dialogs, const prack_config_t *cfg, uint32_t cseq,
                 uint32_t flags, prack_time_t now);
/* di: dialog index, or -1 for a response without To-tag. */
int sh_uac_response(sh_uac_t *s, int di, prack_time_t now, const prack_response_t *rsp,
                    prack_actions_t *out);
/* The host puts an offer in the PRACK for rseq on dialog di (R51). */
int sh_uac_offer_in_prack(sh_uac_t *s, int di, uint32_t rseq);
/* The host moves the UAC engine (di < 0) or dialog di's state with memcpy. */
void sh_uac_move(sh_uac_t *s, int di, unsigned want);

#endif /* PRACK_SHADOW_H */
