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
/* RFC 3261 8.1.1.5: CSeq numbers are below 2**31. */
#define PRACK_CSEQ_LIMIT 0x7FFFFFFFu

/* Validate a configuration; NULL means the defaults. */
int prack_config_check(const prack_config_t *cfg);

/* a + b, saturating one below PRACK_TIME_NONE so a deadline never reads as "none". */
static inline prack_time_t prack_time_add(prack_time_t a, uint64_t b)
{
    if (a >= PRACK_TIME_NONE - 1u || b >= PRACK_TIME_NONE - 1u - a)
        return PRACK_TIME_NONE - 1u;
    return a + b;
}

static inline void prack_actions_reset(prack_actions_t *out)
{
    out->n = 0;
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
    a->type = type;
    return a;
}

#endif /* PRACK_INTERNAL_H */
