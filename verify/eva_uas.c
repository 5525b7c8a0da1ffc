/*
 * EVA driver for the UAS engine (lib/uas.c, with lib/prack.c): every engine
 * state reachable from prack_uas_init() with any configuration, INVITE,
 * randomness and time, then any sequence of calls of every UAS entry point
 * with any arguments and any `now`. Run by scripts/eva-check.sh.
 */
#include <stdint.h>

#include "eva_common.h"
#include "internal.h"

static prack_config_t cfg;
static prack_actions_t out;
static char method[8];

/* Any configuration (or the defaults), any INVITE; the caller goes on only
 * when the engine accepted them. */
static int start(prack_uas_t *uas)
{
    prack_invite_t inv;
    Frama_C_make_unknown((char *)&cfg, sizeof(cfg));
    inv.cseq = any_u32();
    inv.flags = any_u32();
    return prack_uas_init(uas, any_bool() ? &cfg : NULL, &inv, any_u32(), any_u64(), &out);
}

static void run(prack_uas_t *uas)
{
    const struct prack_uas_mem *m = (const struct prack_uas_mem *)(const void *)uas;
    /*
     * Two cases, analysed apart: queue_max 0 and queue_max 1..8. The queue
     * code divides by the capacity only while the queue holds an entry, which
     * it can only do with a capacity above 0; that relation between q_len and
     * q_cap is out of reach of intervals, so without this split EVA reports
     * two divisions by zero that cannot happen.
     */
    //@ split m->q_cap == 0;
    while (any_bool()) {
        prack_time_t now = any_u64();
        switch (Frama_C_interval(0, 5)) {
        case 0:
            prack_uas_send_1xx(uas, now, any_u16(), any_u32(), any_u64(), &out);
            break;
        case 1:
            prack_uas_send_final(uas, now, any_u16(), &out);
            break;
        case 2:
            prack_uas_cancel(uas, now, &out);
            break;
        case 3: {
            prack_prack_t pr;
            Frama_C_make_unknown(method, sizeof(method));
            pr.flags = any_u32();
            pr.cseq = any_u32();
            pr.rack_rseq = any_u64();
            pr.rack_cseq = any_u64();
            pr.reserved_ = any_u32();
            if (any_bool()) {
                pr.method = method;
                pr.method_len = Frama_C_unsigned_int_interval(0, sizeof(method));
            } else {
                pr.method = NULL;
                pr.method_len = any_u32();
            }
            prack_uas_on_prack(uas, now, any_bool() ? &pr : NULL, &out);
            break;
        }
        case 4:
            prack_on_timer(uas, now, &out);
            break;
        default: {
            prack_uas_stats_t st;
            (void)prack_next_deadline(uas);
            (void)prack_uas_state(uas);
            (void)prack_uas_reliable(uas);
            (void)prack_uas_unacked(uas);
            (void)prack_uas_queued(uas);
            (void)prack_uas_counters(uas, any_bool() ? &st : NULL);
            break;
        }
        }
    }
}

/* NULL pointers: refused before anything is read or written */
static void nulls(void)
{
    prack_uas_t u;
    prack_invite_t inv = {0, 0};
    prack_uas_stats_t st;
    (void)prack_uas_init(NULL, NULL, &inv, 0, 0, &out);
    (void)prack_uas_init(&u, NULL, NULL, 0, 0, &out);
    (void)prack_uas_init(&u, NULL, &inv, 0, 0, NULL);
    (void)prack_uas_send_1xx(NULL, 0, 180, 0, 0, &out);
    (void)prack_uas_send_1xx(&u, 0, 180, 0, 0, NULL);
    (void)prack_uas_send_final(NULL, 0, 200, &out);
    (void)prack_uas_send_final(&u, 0, 200, NULL);
    (void)prack_uas_cancel(NULL, 0, &out);
    (void)prack_uas_cancel(&u, 0, NULL);
    (void)prack_uas_on_prack(NULL, 0, NULL, &out);
    (void)prack_uas_on_prack(&u, 0, NULL, NULL);
    (void)prack_on_timer(NULL, 0, &out);
    (void)prack_on_timer(&u, 0, NULL);
    (void)prack_next_deadline(NULL);
    (void)prack_uas_state(NULL);
    (void)prack_uas_reliable(NULL);
    (void)prack_uas_unacked(NULL);
    (void)prack_uas_queued(NULL);
    (void)prack_uas_counters(NULL, &st);
}

int main(void)
{
    prack_uas_t uas;
    nulls();
    if (start(&uas) == PRACK_OK)
        run(&uas);
    return 0;
}
