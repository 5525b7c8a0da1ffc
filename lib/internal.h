/*
 * Private helpers shared by the engine's translation units. Not installed.
 */
#ifndef PRACK_INTERNAL_H
#define PRACK_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "prack/prack.h"

/* Largest T1 accepted: one hour keeps 64*T1 and 127*T1 far from overflow. */
#define PRACK_T1_MAX_MS 3600000u
/* Refresh interval bounds; stored in whole seconds in a uint16_t. */
#define PRACK_REFRESH_MIN_MS 1000u
#define PRACK_REFRESH_MAX_MS 65535000u

/* Validate a configuration; NULL means the defaults. */
int prack_config_check(const prack_config_t *cfg);

/* a + b, saturating one below PRACK_TIME_NONE so a deadline never reads as "none". */
static inline prack_time_t prack_time_add(prack_time_t a, uint64_t b)
{
    if (a >= PRACK_TIME_NONE - 1u || b >= PRACK_TIME_NONE - 1u - a)
        return PRACK_TIME_NONE - 1u;
    return a + b;
}

/*
 * The private layouts behind the opaque engine objects. They hold no pointer,
 * so a host may move an engine with memcpy; their size and alignment are part
 * of the ABI and checked at compile time.
 */
struct prack_uas_mem {
    prack_time_t sent_at;   /* when the current reliable 1xx first went out */
    prack_time_t last_now;  /* latest time seen, for the clock check */
    uint64_t user;          /* cookie of the unacknowledged reliable 1xx */
    uint32_t t1;
    uint32_t first_rseq;
    uint32_t next_rseq;     /* 0 until the first reliable 1xx */
    uint32_t cseq;          /* the INVITE's */
    uint32_t ack_cseq;      /* CSeq of the PRACK that acknowledged the latest RSeq */
    uint16_t refresh_s;
    uint16_t status;        /* status of the latest reliable 1xx */
    uint16_t final_status;
    uint16_t timeout_status;
    uint16_t n_retx;
    uint16_t n_481;
    uint8_t flags;
    uint8_t state;
    uint8_t oa;
    uint8_t retx;
    uint8_t q_cap;
    uint8_t q_head;
    uint8_t q_len;
    uint8_t reserved;
    uint64_t q_user[PRACK_UAS_QUEUE_MAX];  /* queue: cookies */
    uint8_t q_entry[PRACK_UAS_QUEUE_MAX];  /* queue: status - 100, 0x80 for SDP */
};

struct prack_uac_mem {
    prack_time_t last_now;
    uint32_t cseq;          /* the INVITE's */
    uint32_t n_prack;
    uint32_t n_discard;
    uint32_t n_prack_ok;
    uint32_t n_prack_failed;
    uint8_t state;
    uint8_t policy;
    uint8_t failure;
    uint8_t flags;
    uint8_t auth_max;
};

struct prack_uac_dialog_mem {
    uint32_t last_rseq;
    uint32_t cseq;          /* the INVITE transaction this state belongs to */
    uint32_t auth;          /* 2-bit challenge counts of RSeq last_rseq - i, i < 16 */
    uint32_t offer_rseq;    /* the PRACK that may carry, or carries, our offer */
    uint8_t flags;
    uint8_t oa;
    uint8_t cache;          /* bit i: RSeq last_rseq + 2 + i is cached */
    uint8_t cache_sdp;
};

_Static_assert(sizeof(struct prack_uas_mem) == PRACK_UAS_SIZE, "prack_uas_t size");
_Static_assert(_Alignof(struct prack_uas_mem) <= _Alignof(prack_uas_t), "prack_uas_t alignment");
_Static_assert(sizeof(struct prack_uac_mem) <= PRACK_UAC_SIZE, "prack_uac_t size");
_Static_assert(_Alignof(struct prack_uac_mem) <= _Alignof(prack_uac_t), "prack_uac_t alignment");
_Static_assert(sizeof(struct prack_uac_dialog_mem) <= PRACK_UAC_DIALOG_SIZE,
               "prack_uac_dialog_t size");
_Static_assert(_Alignof(struct prack_uac_dialog_mem) <= _Alignof(prack_uac_dialog_t),
               "prack_uac_dialog_t alignment");
_Static_assert(sizeof(prack_action_t) == 32u + sizeof(const char *), "prack_action_t layout");
_Static_assert(sizeof(prack_config_t) == 24u, "prack_config_t layout");

static inline void prack_actions_reset(prack_actions_t *out)
{
    out->n = 0;
    out->reserved_ = 0;
}

/*
 * Append an action and return it zeroed but for its type. Every entry point's
 * worst case is counted against PRACK_ACTIONS_MAX (see the comments at each
 * entry point); the bound check only keeps a miscount from writing out of
 * bounds: the last slot would be overwritten, which the fuzz targets detect.
 */
static inline prack_action_t *prack_push(prack_actions_t *out, prack_act_t type)
{
    prack_action_t *a = out->n < PRACK_ACTIONS_MAX ? &out->v[out->n++]
                                                   : &out->v[PRACK_ACTIONS_MAX - 1];
    memset(a, 0, sizeof(*a));
    a->type = (uint8_t)type;
    return a;
}

#endif /* PRACK_INTERNAL_H */
