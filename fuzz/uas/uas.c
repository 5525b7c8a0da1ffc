/*
 * Fuzz target: one UAS engine driven by a fuzzer-chosen sequence of host calls
 * (provisionals, finals, CANCEL, PRACKs with arbitrary RAck, clock steps from
 * nothing to the end of time, and steps backwards). The shadow model checks the
 * return code, the exact batch and the protocol invariants after every call.
 *
 * Input: a header of 14 bytes (configuration, INVITE facts, queue size, random
 * bits, start time), then one operation per byte with its arguments.
 */
#include <stdint.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "../common/shadow.h"

static prack_time_t pick_start(fz_t *f)
{
    switch (fz_u8(f) % 4u) {
    case 0: return 0;
    case 1: return fz_u16(f);
    case 2: return fz_u64(f) % (PRACK_TIME_NONE - 1u); /* anywhere, even near the end */
    default: return PRACK_TIME_NONE - 1u - fz_u16(f);
    }
}

static prack_time_t step(fz_t *f, prack_time_t now, uint32_t t1)
{
    uint64_t d;
    switch (fz_u8(f) % 10u) {
    case 0: d = 0; break;
    case 1: d = 1; break;
    case 2: d = t1 ? t1 - 1u : 0u; break;
    case 3: d = t1; break;
    case 4: d = 2u * (uint64_t)t1; break;
    case 5: d = 64u * (uint64_t)t1; break;
    case 6: d = fz_u16(f); break;
    case 7: d = fz_u32(f); break;
    case 8: d = (uint64_t)t1 * fz_u8(f); break;
    default: d = fz_u64(f); break; /* a huge jump */
    }
    return now >= PRACK_TIME_NONE - 1u - d ? PRACK_TIME_NONE - 1u : now + d;
}

static const uint16_t prov_status[] = {180, 183, 181, 182, 100, 199, 101, 183};
static const uint16_t final_status[] = {200, 486, 200, 603, 202, 487, 500, 699};
static const char *const methods[] = {"INVITE", "invite", "INVITEX", "PRACK", "INVIT"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    static sh_uas_t s; /* large: keep it off the stack */
    prack_actions_t out;
    prack_config_t cfg;
    prack_invite_t inv;

    prack_config_init(&cfg);
    uint8_t h = fz_u8(&f);
    static const uint32_t t1s[] = {500, 1, 2, 100, 1000, 3600000, 0, 3600001};
    static const uint32_t refreshes[] = {0, 0, 1000, 1500, 150000, 65535000, 999, 65535001};
    cfg.t1_ms = t1s[h & 7u];
    cfg.refresh_ms = refreshes[(h >> 3) & 7u];
    uint8_t ts = fz_u8(&f);
    cfg.timeout_status = (uint16_t)(ts < 250 ? 500u + ts % 100u : ts * 3u);
    uint8_t pol = fz_u8(&f);
    cfg.policy = (prack_policy_t)(pol % 4u == 3u && (pol & 0x80u) ? 3 : pol % 3u);
    inv.flags = fz_u8(&f) & ((h & 0x40u) ? 0x0Fu : 0x07u);
    inv.cseq = fz_u32(&f);
    if (!(h & 0x80u))
        inv.cseq &= 0x7FFFFFFFu;
    size_t qcap = fz_u8(&f) % (PRACK_UAS_QUEUE_MAX + 2u);
    uint32_t random = fz_u32(&f);
    prack_time_t now = pick_start(&f);

    int rc = sh_uas_init(&s, (pol & 0x40u) ? NULL : &cfg, &inv, qcap, random, now, &out);
    if (rc != PRACK_OK)
        return 0;
    uint32_t t1 = (pol & 0x40u) ? PRACK_DEFAULT_T1_MS : cfg.t1_ms;

    uintptr_t cookie = 1;
    for (int ops = 0; ops < 512 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        switch (op % 8u) {
        case 0: { /* provisional */
            uint8_t b = fz_u8(&f);
            uint16_t st = (b & 0x80u) ? (uint16_t)(b * 2u) : prov_status[b & 7u];
            unsigned fl = (op >> 3) & ((b & 0x40u) ? 7u : 3u);
            sh_uas_send_1xx(&s, now, st, fl, (void *)cookie++, &out);
            break;
        }
        case 1: { /* final */
            uint8_t b = fz_u8(&f);
            uint16_t st = (b & 0x80u) ? (uint16_t)(b * 5u) : final_status[b & 7u];
            sh_uas_send_final(&s, now, st, &out);
            break;
        }
        case 2:
            sh_uas_cancel(&s, now, &out);
            break;
        case 3: { /* PRACK */
            prack_prack_t pr;
            uint8_t b = fz_u8(&f);
            pr.flags = b & 3u;
            uint32_t base = prack_uas_unacked(sh_uas_engine(&s));
            if (!base)
                base = s.last;
            switch ((b >> 2) & 7u) {
            case 0: pr.rseq = base; break;
            case 1: pr.rseq = (uint64_t)base + 1u; break;
            case 2: pr.rseq = base ? base - 1u : 0u; break;
            case 3: pr.rseq = s.first; break;
            case 4: pr.rseq = 0; break;
            case 5: pr.rseq = (uint64_t)UINT32_MAX + 1u; break;
            case 6: pr.rseq = fz_u64(&f); break;
            default: pr.rseq = fz_u32(&f); break;
            }
            pr.cseq = (b & 0x20u) ? fz_u64(&f) : s.cseq;
            if (b & 0x40u) {
                pr.cseq = (uint64_t)s.cseq + 0x100000000ull; /* equal only modulo 2^32 */
            }
            uint8_t mb = fz_u8(&f);
            if (mb & 0x80u) {
                pr.method = NULL;
                pr.method_len = (mb & 1u) ? 6u : 0u; /* the first is host misuse */
            } else {
                pr.method = methods[mb % 5u];
                pr.method_len = strlen(pr.method);
                if (mb & 0x40u)
                    pr.method_len = pr.method_len ? pr.method_len - 1u : 0u;
            }
            sh_uas_prack(&s, now, &pr, &out);
            break;
        }
        case 4: /* time passes, the host runs the timer when due */
            now = step(&f, now, t1);
            if (prack_next_deadline(sh_uas_engine(&s)) <= now)
                sh_uas_timer(&s, now, &out);
            break;
        case 5: /* the timer, called whenever the host likes */
            sh_uas_timer(&s, now, &out);
            break;
        case 6: { /* the host jumps to the deadline exactly, or just before */
            prack_time_t d = prack_next_deadline(sh_uas_engine(&s));
            if (d != PRACK_TIME_NONE && d >= now) {
                prack_time_t at = (op & 0x80u) && d > now ? d - 1u : d;
                now = at;
                sh_uas_timer(&s, now, &out);
            }
            break;
        }
        default: { /* a clock that goes backwards, or "no time" */
            uint8_t b = fz_u8(&f);
            prack_time_t bad = (b & 1u) ? PRACK_TIME_NONE : (now > b ? now - b : 0u);
            switch ((b >> 1) % 4u) {
            case 0: sh_uas_timer(&s, bad, &out); break;
            case 1: sh_uas_send_1xx(&s, bad, 180, 1u, (void *)cookie++, &out); break;
            case 2: sh_uas_send_final(&s, bad, 200, &out); break;
            default: sh_uas_cancel(&s, bad, &out); break;
            }
            break;
        }
        }
    }
    return 0;
}
