/*
 * Fuzz target: one UAS engine driven by a fuzzer-chosen sequence of host calls
 * (provisionals with distinct cookies or none, finals, CANCEL, PRACKs with
 * arbitrary RAck and CSeq, retransmitted PRACKs, clock steps from nothing to
 * the end of time, calls made late past 64*T1, steps backwards) and moves of
 * the engine to another buffer with memcpy. The shadow model checks the return
 * code, the exact batch and the invariants after every call. At the end the
 * INVITE is cancelled (a no-op after a final) and every cookie must have come
 * back.
 *
 * Input: a header of 14 bytes or more (configuration, INVITE facts, random bits,
 * start time), then one operation per byte, its low nibble the operation and
 * its high nibble options, followed by the operation's arguments.
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

static prack_time_t later(prack_time_t now, uint64_t d)
{
    return d >= PRACK_TIME_NONE - 1u - now ? PRACK_TIME_NONE - 1u : now + d; /* now < NONE */
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
    return later(now, d);
}

static const uint16_t prov_status[] = {180, 183, 181, 182, 100, 199, 101, 183};
static const uint16_t final_status[] = {200, 486, 200, 603, 202, 487, 500, 699};
static const char *const methods[] = {"INVITE", "invite", "INVITEX", "PRACK", "INVIT"};

static sh_uas_t s; /* large: keep it off the stack */
static prack_actions_t out;
static uint64_t n_cookies;
static uint32_t prack_cseq; /* CSeq of the host's latest PRACK */
static prack_prack_t last_pr;

/* A distinct non-zero cookie with its high bits in use, or 0 ("no cookie"). */
static uint64_t cookie(bool none)
{
    return none ? 0u : ++n_cookies * 0x9E3779B97F4A7C15ull;
}

static void provisional(fz_t *f, prack_time_t now, uint8_t op)
{
    uint8_t b = fz_u8(f);
    uint16_t st = (b & 0x80u) ? (uint16_t)(b * 2u) : prov_status[b & 7u];
    uint32_t fl = (op >> 4) & ((b & 0x40u) ? 7u : 3u);
    sh_uas_send_1xx(&s, now, st, fl, cookie((op & 0xC0u) == 0xC0u), &out);
}

static void prack(fz_t *f, prack_time_t now, uint8_t op)
{
    prack_prack_t pr;
    memset(&pr, 0, sizeof(pr));
    uint8_t b = fz_u8(f);
    pr.flags = b & 3u;
    if ((op & 0xF0u) == 0xF0u)
        pr.flags |= 4u; /* an unknown flag */
    uint32_t base = s.obs.unacked ? s.obs.unacked : s.obs.last;
    switch ((b >> 2) & 7u) {
    case 0: pr.rack_rseq = base; break;
    case 1: pr.rack_rseq = (uint64_t)base + 1u; break;
    case 2: pr.rack_rseq = base ? base - 1u : 0u; break;
    case 3: /* the first */
        pr.rack_rseq = s.obs.last - (s.obs.n_sent ? s.obs.n_sent - 1u : 0u);
        break;
    case 4: pr.rack_rseq = s.obs.ack_rseq; break; /* the latest acknowledged */
    case 5: /* equal only modulo 2^32 */
        pr.rack_rseq = (uint64_t)UINT32_MAX + 1u + base;
        break;
    case 6: pr.rack_rseq = fz_u64(f); break;
    default: pr.rack_rseq = fz_u32(f); break;
    }
    switch ((b >> 5) & 3u) {
    case 0: pr.cseq = ++prack_cseq; break;        /* a new PRACK */
    case 1: pr.cseq = s.obs.ack_cseq; break;      /* as the one that acknowledged */
    case 2: pr.cseq = prack_cseq; break;          /* as the latest */
    default: pr.cseq = fz_u32(f); break;
    }
    uint8_t mb = fz_u8(f);
    pr.rack_cseq = s.obs.cseq;
    if (b & 0x80u) {
        switch (mb & 3u) {
        case 0: pr.rack_cseq = (uint64_t)s.obs.cseq + 0x100000000ull; break; /* equal modulo 2^32 */
        case 1: pr.rack_cseq = (uint32_t)(s.obs.cseq + 1u); break;
        case 2: pr.rack_cseq = (uint32_t)(s.obs.cseq - 1u); break;
        default: pr.rack_cseq = fz_u64(f); break;
        }
    }
    if (mb & 0x80u) {
        pr.method = NULL;
        pr.method_len = (mb & 0x10u) ? 6u : 0u; /* the first is host misuse */
    } else {
        pr.method = methods[(mb >> 2) % 5u];
        pr.method_len = (uint32_t)strlen(pr.method);
        if (mb & 0x40u)
            pr.method_len = pr.method_len ? pr.method_len - 1u : 0u;
    }
    last_pr = pr;
    sh_uas_prack(&s, now, &pr, &out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
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
    cfg.policy = (uint8_t)((pol & 3u) == 3u && (pol & 0x80u) ? 3u : (pol & 3u) % 3u);
    uint8_t q = fz_u8(&f);
    cfg.queue_max = (uint8_t)((q & 15u) % 10u); /* 9 is out of range */
    cfg.auth_max = (uint8_t)((q >> 4) & 3u);
    cfg.prack_after_2xx = (uint8_t)((q >> 6) & 1u);
    cfg.cache_out_of_order = (uint8_t)(q >> 7);
    if ((pol & 0x30u) == 0x30u) { /* one UAC or reserved setting out of range: still refused */
        switch ((pol >> 2) & 3u) {
        case 0: cfg.auth_max = PRACK_UAC_AUTH_MAX + 1u; break;
        case 1: cfg.prack_after_2xx = 2; break;
        case 2: cfg.cache_out_of_order = 2; break;
        default: cfg.reserved_[q % sizeof(cfg.reserved_)] = 1; break;
        }
    }
    inv.flags = fz_u8(&f) & ((h & 0x40u) ? 0x0Fu : 0x07u);
    inv.cseq = fz_u32(&f); /* the whole range, 2^31 and above too */
    uint32_t random = fz_u32(&f);
    prack_time_t now = pick_start(&f);

    n_cookies = 0;
    prack_cseq = inv.cseq;
    memset(&last_pr, 0, sizeof(last_pr));
    int rc = sh_uas_init(&s, (pol & 0x40u) ? NULL : &cfg, &inv, random, now, &out);
    if (rc != PRACK_OK)
        return 0;
    uint32_t t1 = (pol & 0x40u) ? PRACK_DEFAULT_T1_MS : cfg.t1_ms;

    for (int ops = 0; ops < 512 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        switch (op & 15u) {
        case 0:
        case 1:
        case 13:
            provisional(&f, now, op);
            break;
        case 2: { /* final */
            uint8_t b = fz_u8(&f);
            uint16_t st = (b & 0x80u) ? (uint16_t)(b * 5u) : final_status[b & 7u];
            sh_uas_send_final(&s, now, st, &out);
            break;
        }
        case 3:
            sh_uas_cancel(&s, now, &out);
            break;
        case 4:
        case 5:
        case 14:
            prack(&f, now, op);
            break;
        case 6: /* time passes, the host runs the timer when due */
            now = step(&f, now, t1);
            if (prack_next_deadline(sh_uas_engine(&s)) <= now)
                sh_uas_timer(&s, now, &out);
            break;
        case 7: /* the timer, called whenever the host likes */
            sh_uas_timer(&s, now, &out);
            break;
        case 8: { /* the host jumps to the deadline exactly, or just before */
            prack_time_t d = prack_next_deadline(sh_uas_engine(&s));
            if (d != PRACK_TIME_NONE && d >= now) {
                now = (op & 0x80u) && d > now ? d - 1u : d;
                sh_uas_timer(&s, now, &out);
            }
            break;
        }
        case 9: { /* a clock that goes backwards, or "no time" */
            uint8_t b = fz_u8(&f);
            prack_time_t bad = (b & 1u) ? PRACK_TIME_NONE : (now > b ? now - b : 0u);
            switch ((b >> 1) % 5u) {
            case 0: sh_uas_timer(&s, bad, &out); break;
            case 1: sh_uas_send_1xx(&s, bad, 180, 1u, cookie(false), &out); break;
            case 2: sh_uas_send_final(&s, bad, 200, &out); break;
            case 3: sh_uas_prack(&s, bad, &last_pr, &out); break;
            default: sh_uas_cancel(&s, bad, &out); break;
            }
            break;
        }
        case 10: /* the host moves the engine (a table grown by realloc) */
            sh_uas_move(&s, op >> 4);
            break;
        case 11: /* the PRACK again, as a host without a transaction layer passes it */
            sh_uas_prack(&s, now, &last_pr, &out);
            break;
        default: { /* no timer ran: the next call comes at or past 64*T1 */
            if (s.obs.unacked && !s.obs.final) {
                prack_time_t to = sh_tadd(s.obs.sent_at, 64u * (uint64_t)t1);
                if (to >= now)
                    now = later(to, (op >> 4) & 3u);
            }
            switch (op >> 6) {
            case 0: provisional(&f, now, op); break;
            case 1: sh_uas_send_final(&s, now, final_status[(op >> 4) & 7u], &out); break;
            case 2: prack(&f, now, op); break;
            default: sh_uas_cancel(&s, now, &out); break;
            }
            break;
        }
        }
    }
    /* the end of the INVITE: every cookie came back once it is over */
    SH_CHECK(sh_uas_cancel(&s, now, &out) == PRACK_OK, "a CANCEL is accepted in any state");
    SH_CHECK(sh_uas_cookies_held(&s) == 0,
             "once the INVITE is over every cookie was released exactly once");
    return 0;
}
