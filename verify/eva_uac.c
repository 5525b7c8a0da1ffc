/*
 * EVA driver for the UAC engine (lib/uac.c, with lib/prack.c): every state
 * reachable from prack_uac_init() with any configuration, CSeq, flags and
 * time, with two early dialogs and responses without a dialog, then any
 * sequence of calls of every UAC entry point with any response (every byte of
 * prack_response_t unknown) and any `now`. Run by scripts/eva-check.sh.
 */
#include <stdint.h>

#include "eva_common.h"
#include "internal.h"

static prack_config_t cfg;
static prack_actions_t out;

static int start(prack_uac_t *uac)
{
    Frama_C_make_unknown((char *)&cfg, sizeof(cfg));
    return prack_uac_init(uac, any_bool() ? &cfg : NULL, any_u32(), any_u32(), any_u64());
}

static void run(prack_uac_t *uac)
{
    prack_uac_dialog_t dlg[2];
    prack_uac_dialog_init(&dlg[0]);
    prack_uac_dialog_init(&dlg[1]);
    while (any_bool()) {
        prack_time_t now = any_u64();
        int i = Frama_C_interval(0, 2);
        prack_uac_dialog_t *d = i < 2 ? &dlg[i] : NULL;
        switch (Frama_C_interval(0, 3)) {
        case 0: {
            prack_response_t rsp;
            Frama_C_make_unknown((char *)&rsp, sizeof(rsp));
            prack_on_response(uac, d, now, any_bool() ? &rsp : NULL, &out);
            break;
        }
        case 1:
            prack_uac_offer_in_prack(uac, d, any_u32());
            break;
        case 2:
            /* a new To-tag reuses the host's dialog storage */
            if (d)
                prack_uac_dialog_init(d);
            break;
        default: {
            prack_uac_stats_t st;
            (void)prack_uac_option(uac);
            (void)prack_uac_state(uac);
            (void)prack_uac_dialog_rseq(d);
            (void)prack_uac_counters(uac, any_bool() ? &st : NULL);
            break;
        }
        }
    }
}

/* NULL pointers: refused before anything is read or written */
static void nulls(void)
{
    prack_uac_t u;
    prack_uac_dialog_t d;
    prack_response_t rsp = {200, PRACK_METHOD_INVITE, 0, 0, 1, 0, 0};
    prack_uac_stats_t st;
    (void)prack_uac_init(NULL, NULL, 1, 0, 0);
    (void)prack_uac_dialog_init(NULL);
    (void)prack_on_response(NULL, &d, 0, &rsp, &out);
    (void)prack_on_response(&u, &d, 0, &rsp, NULL);
    (void)prack_uac_offer_in_prack(NULL, &d, 1);
    (void)prack_uac_offer_in_prack(&u, NULL, 1);
    (void)prack_uac_option(NULL);
    (void)prack_uac_state(NULL);
    (void)prack_uac_dialog_rseq(NULL);
    (void)prack_uac_counters(NULL, &st);
}

int main(void)
{
    prack_uac_t uac;
    nulls();
    if (start(&uac) == PRACK_OK)
        run(&uac);
    return 0;
}
