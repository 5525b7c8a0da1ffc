/*
 * Fuzz target: a UAC engine with four early dialogs (and responses without
 * To-tag), fed fuzzer-chosen responses: 1xx with arbitrary RSeq, To-tag, flags
 * and CSeq (the INVITE's or another), finals, responses naming one of our
 * PRACKs (2xx, 401/407 again and again, failures), offers in PRACKs for some
 * RSeq, clock steps forwards and backwards, moves of the engine and of each
 * dialog state to another buffer with memcpy, and new INVITE transactions
 * (a re-INVITE, another CSeq) on the same dialog states. The shadow model
 * checks the return code, the exact batch and the invariants after every call.
 *
 * Input: a header of 9 bytes (configuration, CSeq, INVITE flags, start time),
 * then one operation per byte, its low 3 bits the operation, bit 3 a variant
 * and the high nibble the dialog (0: no To-tag, 1-4: dialogs 0-3), followed by
 * the operation's arguments.
 */
#include <stdint.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "../common/shadow.h"

static const uint16_t prov_status[] = {183, 180, 100, 181, 182, 199, 101, 183};
static const uint16_t final_status[] = {200, 486, 420, 421, 202, 487, 500, 603};
static const uint16_t prack_status[] = {200, 401, 407, 481, 408, 405, 500, 100};

static sh_uac_t s;
static prack_actions_t out;

/* An RSeq near what the dialog expects, or anything at all. */
static uint64_t pick_rseq(fz_t *f, const sh_dlg_t *d, uint8_t how)
{
    uint32_t last = d ? d->obs.last : 0u;
    switch (how % 10u) {
    case 0:
    case 1: return (uint64_t)last + 1u;
    case 2: return last;
    case 3: return (uint64_t)last + 2u + fz_u8(f) % 10u;
    case 4: return last ? last - 1u : 0u;
    case 5: return last >= 16u ? last - 16u : 0u; /* beyond the challenge window */
    case 6: return fz_u32(f);
    case 7: return fz_u64(f);
    case 8: return (uint64_t)UINT32_MAX - fz_u8(f) % 3u;
    default: return (uint64_t)UINT32_MAX + 1u;
    }
}

/* The INVITE's CSeq, or another transaction's. */
static uint32_t pick_cseq(fz_t *f, bool other)
{
    if (!other)
        return s.obs_cseq;
    uint8_t b = fz_u8(f);
    switch (b & 3u) {
    case 0: return s.obs_cseq - 1u; /* an earlier INVITE */
    case 1: return s.obs_cseq + 1u;
    case 2: return s.obs_cseq ^ 0x80000000u;
    default: return fz_u32(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    prack_config_t cfg;

    prack_config_init(&cfg);
    uint8_t h = fz_u8(&f);
    cfg.policy = (uint8_t)((h & 3u) == 3u && (h & 0x80u) ? 3u : (h & 3u) % 3u);
    cfg.on_prack_failure = (uint8_t)((h >> 2) & 1u);
    cfg.prack_after_2xx = (uint8_t)((h >> 3) & 1u);
    cfg.cache_out_of_order = (uint8_t)((h >> 4) & 1u);
    if ((h & 0x60u) == 0x60u)
        cfg.t1_ms = 0; /* invalid */
    uint8_t a = fz_u8(&f);
    cfg.auth_max = (uint8_t)((a & 7u) % 5u); /* 4 is out of range */
    cfg.queue_max = (uint8_t)((a >> 3) % 9u);
    if ((a & 0xC0u) == 0xC0u)
        cfg.reserved_[a % sizeof(cfg.reserved_)] = 0x80; /* invalid */
    uint32_t cseq = fz_u32(&f); /* the whole range */
    uint8_t ib = fz_u8(&f);
    uint32_t iflags = ib & ((ib & 0x80u) ? 3u : 1u);
    prack_time_t now = (ib & 0x40u) ? PRACK_TIME_NONE - 1u - fz_u16(&f) : fz_u16(&f);
    if ((ib & 0x30u) == 0x30u)
        now = PRACK_TIME_NONE; /* invalid */
    const prack_config_t *c = (ib & 0x08u) ? NULL : &cfg;

    if (sh_uac_init(&s, c, cseq, iflags, now) != PRACK_OK)
        return 0;

    for (int ops = 0; ops < 512 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        int di = (int)((op >> 4) % 5u) - 1; /* -1: no To-tag */
        const sh_dlg_t *d = di >= 0 ? &s.dlg[di] : NULL;
        bool variant = (op & 8u) != 0;
        switch (op & 7u) {
        case 0:
        case 1: { /* a provisional to the INVITE, or with another CSeq */
            prack_response_t r;
            memset(&r, 0, sizeof(r));
            uint8_t b = fz_u8(&f);
            r.method = PRACK_METHOD_INVITE;
            r.status = (b & 0x80u) && (b & 0x40u) ? (uint16_t)(fz_u16(&f) % 800u)
                                                   : prov_status[b & 7u];
            r.flags = (b & 0x08u) ? fz_u8(&f) & 0x1Fu
                                  : PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | ((b >> 4) & 4u);
            r.cseq = pick_cseq(&f, variant && (op & 1u));
            r.rseq = pick_rseq(&f, d, fz_u8(&f));
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 2: { /* a final to the INVITE (or to another one, or another method) */
            prack_response_t r;
            memset(&r, 0, sizeof(r));
            uint8_t b = fz_u8(&f), x = fz_u8(&f);
            r.method = (x & 0x80u) ? PRACK_METHOD_OTHER : PRACK_METHOD_INVITE;
            r.status = (x & 0x40u) ? (uint16_t)(200u + fz_u16(&f) % 520u) : final_status[b & 7u];
            r.flags = (b >> 3) & ((x & 0x20u) ? 0x1Fu : 0xFu);
            r.cseq = pick_cseq(&f, variant);
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 3: { /* a response to one of our PRACKs, which it names by RAck */
            prack_response_t r;
            memset(&r, 0, sizeof(r));
            uint8_t b = fz_u8(&f);
            r.method = (b & 0x80u) && (b & 0x40u) ? 3u : PRACK_METHOD_PRACK;
            r.status = prack_status[b & 7u];
            r.flags = (b >> 3) & 0xFu;
            r.cseq = s.obs_cseq + 1u + (b & 7u);
            r.rseq = variant ? pick_rseq(&f, d, fz_u8(&f)) : (d ? d->obs.last : 0u);
            sh_uac_response(&s, di, now, &r, &out);
            break;
        }
        case 4: { /* the host puts an offer in the PRACK for some RSeq */
            uint32_t rseq = d ? d->obs.last : 0u;
            if (variant)
                rseq = (uint32_t)pick_rseq(&f, d, fz_u8(&f));
            sh_uac_offer_in_prack(&s, di, rseq);
            break;
        }
        case 5: {
            uint8_t b = fz_u8(&f);
            if (!variant) { /* time passes, possibly a lot */
                uint64_t dt = (b & 0x80u) ? fz_u64(&f) : (uint64_t)fz_u16(&f);
                now = dt >= PRACK_TIME_NONE - 1u - now ? PRACK_TIME_NONE - 1u : now + dt;
                break;
            }
            /* a clock that goes backwards */
            prack_response_t r;
            memset(&r, 0, sizeof(r));
            r.status = 183;
            r.method = PRACK_METHOD_INVITE;
            r.flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
            r.cseq = s.obs_cseq;
            r.rseq = d ? (uint64_t)d->obs.last + 1u : 1u;
            prack_time_t t = now > b ? now - b : 0u;
            sh_uac_response(&s, di, t, &r, &out);
            break;
        }
        case 6: /* the host moves the engine, or a dialog state, with memcpy */
            sh_uac_move(&s, variant ? -1 : di, (unsigned)fz_u8(&f));
            break;
        default: { /* a new INVITE transaction on the same dialogs (a re-INVITE) */
            uint8_t b = fz_u8(&f);
            if (!variant && prack_uac_state(sh_uac_engine(&s)) == PRACK_UAC_CALLING)
                break; /* a host starts one once the last got its final (RFC 3261 14.1) */
            uint32_t next = (b & 0x80u) ? fz_u32(&f) : s.obs_cseq + 1u;
            if (next == s.obs_cseq)
                next++;
            sh_uac_begin(&s, true, c, next, b & 1u, now);
            break;
        }
        }
    }
    return 0;
}
