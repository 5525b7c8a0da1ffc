/*
 * Fuzz target: one UAC engine with four early dialogs (and responses without
 * To-tag), fed fuzzer-chosen responses: 1xx with arbitrary RSeq, To-tag and
 * flags, finals, responses to PRACKs (2xx, 401/407, failures), offers in
 * PRACKs, and clock steps forwards and backwards. The shadow model checks the
 * return code, the exact batch and the invariants after every call.
 *
 * Input: a header of 8 bytes (configuration, CSeq, INVITE flags, start time),
 * then one operation per byte with its arguments.
 */
#include <stdint.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "../common/shadow.h"

static const uint16_t prov_status[] = {183, 180, 100, 181, 182, 199, 101, 183};
static const uint16_t final_status[] = {200, 486, 420, 421, 202, 487, 500, 603};
static const uint16_t prack_status[] = {200, 401, 407, 481, 408, 405, 500, 100};

/* An RSeq near what the dialog expects, or anything at all. */
static uint64_t pick_rseq(fz_t *f, const sh_dlg_t *d, uint8_t how)
{
    uint32_t last = d ? d->last : 0u;
    switch (how % 10u) {
    case 0:
    case 1: return (uint64_t)last + 1u;
    case 2: return last;
    case 3: return (uint64_t)last + 2u + fz_u8(f) % 10u;
    case 4: return last ? last - 1u : 0u;
    case 5: return 0;
    case 6: return fz_u32(f);
    case 7: return fz_u64(f);
    case 8: return (uint64_t)UINT32_MAX - fz_u8(f) % 3u;
    default: return (uint64_t)UINT32_MAX + 1u;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    static sh_uac_t s;
    prack_actions_t out;
    prack_config_t cfg;

    prack_config_init(&cfg);
    uint8_t h = fz_u8(&f);
    cfg.policy = (prack_policy_t)((h & 3u) == 3u && (h & 0x80u) ? 3 : (h & 3u) % 3u);
    cfg.on_prack_failure = (prack_failure_t)((h >> 2) & 1u);
    cfg.prack_after_2xx = (h >> 3) & 1u;
    cfg.cache_out_of_order = (h >> 4) & 1u;
    if ((h & 0x60u) == 0x60u)
        cfg.t1_ms = 0; /* invalid */
    uint32_t cseq = fz_u32(&f);
    if (!(h & 0x80u))
        cseq &= 0x7FFFFFFFu;
    uint8_t ib = fz_u8(&f);
    unsigned iflags = ib & ((ib & 0x80u) ? 3u : 1u);
    prack_time_t now = (ib & 0x40u) ? PRACK_TIME_NONE - 1u - fz_u16(&f) : fz_u16(&f);
    if ((ib & 0x30u) == 0x30u)
        now = PRACK_TIME_NONE; /* invalid */

    if (sh_uac_init(&s, (ib & 0x08u) ? NULL : &cfg, cseq, iflags, now) != PRACK_OK)
        return 0;

    for (int ops = 0; ops < 512 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        int di = (int)((op >> 4) % 5u) - 1; /* -1: no To-tag */
        const sh_dlg_t *d = di >= 0 ? &s.dlg[di] : NULL;
        switch (op & 7u) {
        case 0:
        case 1:
        case 2: { /* a provisional to the INVITE */
            prack_response_t r;
            uint8_t b = fz_u8(&f);
            r.method = PRACK_METHOD_INVITE;
            r.status = (b & 0x80u) && (b & 0x40u) ? (uint16_t)(fz_u16(&f) % 800u)
                                                   : prov_status[b & 7u];
            r.flags = (b & 0x08u) ? fz_u8(&f) & 0x1Fu
                                  : PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | ((b >> 4) & 4u);
            r.cseq = (op & 8u) ? fz_u32(&f) : s.cseq;
            r.rseq = pick_rseq(&f, d, fz_u8(&f));
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 3: { /* a final to the INVITE */
            prack_response_t r;
            uint8_t b = fz_u8(&f), c = fz_u8(&f);
            r.method = (c & 0x80u) ? PRACK_METHOD_OTHER : PRACK_METHOD_INVITE;
            r.status = (c & 0x40u) ? (uint16_t)(200u + fz_u16(&f) % 520u) : final_status[b & 7u];
            r.flags = (b >> 3) & ((c & 0x20u) ? 0x1Fu : 0xFu);
            r.cseq = s.cseq;
            r.rseq = 0;
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 4: { /* a response to one of our PRACKs */
            prack_response_t r;
            uint8_t b = fz_u8(&f);
            r.method = (b & 0x80u) ? (prack_method_t)3 : PRACK_METHOD_PRACK;
            r.status = prack_status[b & 7u];
            r.flags = (b >> 3) & 0xFu;
            r.cseq = s.cseq + 1u;
            r.rseq = (b & 0x40u) ? pick_rseq(&f, d, fz_u8(&f)) : (d ? d->last : 0u);
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 5: /* the host puts an offer in the PRACK it is about to send */
            sh_uac_offer_in_prack(&s, di);
            break;
        case 6: { /* time passes, possibly a lot */
            uint8_t b = fz_u8(&f);
            uint64_t dt = (b & 0x80u) ? fz_u64(&f) : (uint64_t)fz_u16(&f);
            now = now >= PRACK_TIME_NONE - 1u - dt ? PRACK_TIME_NONE - 1u : now + dt;
            break;
        }
        default: { /* a clock that goes backwards */
            prack_response_t r = {183, PRACK_METHOD_INVITE, PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ,
                                  s.cseq, d ? (uint64_t)d->last + 1u : 1u};
            uint8_t back = fz_u8(&f);
            prack_time_t t = now > back ? now - back : 0u;
            sh_uac_response(&s, di, t, &r, &out);
            break;
        }
        }
    }
    return 0;
}
