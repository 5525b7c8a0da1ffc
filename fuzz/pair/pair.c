/*
 * Fuzz target: a UAC engine and one or two UAS engines (a forked INVITE) wired
 * together by small hosts, through a channel where the fuzzer decides which
 * message is delivered next, dropped or duplicated, when time passes, and
 * what the UAS applications and the UAC do. Every engine call goes through the
 * shadow models; on top of them the wiring checks that a PRACK only ever names
 * an RSeq its UAS really sent, with the INVITE's CSeq.
 *
 * When the input is spent the network heals: everything in flight is
 * delivered, the applications answer, the hosts retransmit and the clock runs.
 * Then every call must be over on both sides, with no timer left: no 2xx held
 * forever, no 1xx retransmitted forever.
 */
#include <stdint.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "../common/shadow.h"

#define FORKS 2
#define CHAN_MAX 48
#define PRACK_TX_MAX 16

enum kind { M_INVITE, M_CANCEL, M_PRACK, M_RSP_INVITE, M_RSP_PRACK };

typedef struct msg {
    enum kind kind;
    int fork;
    uint16_t status;
    unsigned flags; /* PRACK_RSP_* or PRACK_PR_* */
    uint64_t rseq;
    uint32_t cseq;
    uint32_t tx; /* PRACK transaction: the PRACK's own CSeq */
} msg_t;

/* A PRACK client transaction on the UAC host (RFC 3261 17.1.2: Timers E, F). */
typedef struct prack_tx {
    bool live;
    int fork;
    uint32_t tx;
    uint32_t rseq;
    bool sdp;
    prack_time_t started, last_sent;
    uint32_t interval;
} prack_tx_t;

typedef struct world {
    sh_uac_t uac;
    sh_uas_t uas[FORKS];
    bool started[FORKS];
    prack_config_t ccfg, scfg[FORKS];
    unsigned inv_flags;
    uint32_t cseq, t1, next_tx;
    int forks;
    msg_t chan[CHAN_MAX];
    int n;
    prack_tx_t ptx[PRACK_TX_MAX];
    msg_t last_final[FORKS];
    bool has_final[FORKS];
    prack_time_t now;
    uintptr_t cookie;
} world_t;

static world_t w;
static prack_actions_t out;

static void send_msg(const msg_t *m)
{
    if (w.n < CHAN_MAX)
        w.chan[w.n++] = *m; /* a full channel loses the message, like a full socket */
}

/* ---- UAS host ---- */

static void uas_carry_out(int k)
{
    for (size_t i = 0; i < out.n; i++) {
        const prack_action_t *a = &out.v[i];
        msg_t m = {0};
        m.fork = k;
        m.cseq = w.cseq;
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
        case PRACK_ACT_SEND_FINAL:
            m.kind = M_RSP_INVITE;
            m.status = a->status;
            if (a->flags & PRACK_AF_RELIABLE)
                m.flags |= PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
            if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
                m.flags |= PRACK_RSP_UNSUPPORTED_100REL;
            if (a->flags & PRACK_AF_REQUIRE_100REL)
                m.flags |= PRACK_RSP_REQUIRE_100REL;
            if (a->sdp != PRACK_SDP_NONE)
                m.flags |= PRACK_RSP_SDP;
            m.rseq = a->rseq;
            send_msg(&m);
            if (a->type == PRACK_ACT_SEND_FINAL) {
                w.last_final[k] = m;
                w.has_final[k] = true;
            }
            break;
        default:
            break; /* queue, hold, drop, events: nothing on the wire */
        }
    }
}

static void uas_answer_prack(int k, const msg_t *pm)
{
    for (size_t i = 0; i < out.n; i++) {
        if (out.v[i].type != PRACK_ACT_ANSWER_PRACK)
            continue;
        msg_t m = {0};
        m.kind = M_RSP_PRACK;
        m.fork = k;
        m.status = out.v[i].status;
        m.rseq = pm->rseq;
        m.tx = pm->tx;
        if (out.v[i].sdp != PRACK_SDP_NONE)
            m.flags |= PRACK_RSP_SDP;
        send_msg(&m);
    }
}

static void uas_receive(const msg_t *m)
{
    int k = m->fork;
    sh_uas_t *s = &w.uas[k];
    switch (m->kind) {
    case M_INVITE:
        if (w.started[k])
            return; /* a retransmission: the transaction layer absorbs it */
        w.started[k] = true;
        {
            prack_invite_t inv = {w.cseq, w.inv_flags};
            if (sh_uas_init(s, &w.scfg[k], &inv, 4, (uint32_t)(w.cookie * 2654435761u), w.now,
                            &out) == PRACK_OK)
                uas_carry_out(k);
        }
        return;
    case M_CANCEL:
        if (w.started[k] && prack_uas_state(sh_uas_engine(s)) != PRACK_UAS_REJECTED &&
            sh_uas_cancel(s, w.now, &out) == PRACK_OK)
            uas_carry_out(k);
        return;
    case M_PRACK: {
        if (!w.started[k])
            return; /* no dialog: the host answers 481 itself; dropping is as good here */
        prack_prack_t pr = {PRACK_PR_RACK | (m->flags & PRACK_PR_SDP), m->rseq, m->cseq, "INVITE", 6};
        if (sh_uas_prack(s, w.now, &pr, &out) == PRACK_OK) {
            uas_answer_prack(k, m);
            uas_carry_out(k);
        }
        return;
    }
    default:
        return;
    }
}

static void uas_app_1xx(int k, uint8_t b)
{
    static const uint16_t st[] = {180, 183, 181, 100};
    if (!w.started[k] || prack_uas_state(sh_uas_engine(&w.uas[k])) != PRACK_UAS_PROCEEDING)
        return;
    unsigned fl = (b >> 2) & 3u;
    int rc = sh_uas_send_1xx(&w.uas[k], w.now, st[b & 3u], fl, (void *)++w.cookie, &out);
    if (rc == PRACK_ERR_OFFER_REQUIRED) /* the application adds the offer */
        rc = sh_uas_send_1xx(&w.uas[k], w.now, st[b & 3u], fl | PRACK_1XX_SDP, (void *)++w.cookie,
                             &out);
    if (rc == PRACK_OK)
        uas_carry_out(k);
}

static void uas_app_final(int k, uint16_t status)
{
    if (!w.started[k] || prack_uas_state(sh_uas_engine(&w.uas[k])) != PRACK_UAS_PROCEEDING)
        return;
    if (sh_uas_send_final(&w.uas[k], w.now, status, &out) == PRACK_OK)
        uas_carry_out(k);
}

static void uas_timers(void)
{
    for (int k = 0; k < w.forks; k++) {
        if (!w.started[k])
            continue;
        if (prack_next_deadline(sh_uas_engine(&w.uas[k])) <= w.now &&
            sh_uas_timer(&w.uas[k], w.now, &out) == PRACK_OK)
            uas_carry_out(k);
    }
}

/* ---- UAC host ---- */

static void uac_send_prack(int k, const prack_action_t *a, fz_t *f)
{
    /* the wire check: the UAS of this dialog really sent this RSeq, for this INVITE */
    const sh_uas_t *s = &w.uas[k];
    SH_CHECK(w.started[k] && s->n_sent && a->rseq >= s->first && a->rseq <= s->last,
             "a PRACK names an RSeq its UAS sent on that dialog");
    SH_CHECK(a->cseq == w.cseq, "the RAck CSeq-num is the INVITE's");

    bool sdp = a->sdp == PRACK_SDP_ANSWER;
    if (a->sdp == PRACK_SDP_MAY_OFFER && (fz_u8(f) & 1u) &&
        sh_uac_offer_in_prack(&w.uac, k) == PRACK_OK)
        sdp = true;
    if (a->sdp == PRACK_SDP_REPEAT && (a->flags & PRACK_AF_AUTH))
        sdp = false;
    prack_tx_t *t = NULL;
    for (int i = 0; i < PRACK_TX_MAX; i++)
        if (!w.ptx[i].live) {
            t = &w.ptx[i];
            break;
        }
    if (!t)
        return; /* host out of transactions: the PRACK is lost */
    t->live = true;
    t->fork = k;
    t->tx = ++w.next_tx;
    t->rseq = a->rseq;
    t->sdp = sdp;
    t->started = t->last_sent = w.now;
    t->interval = w.t1;
    msg_t m = {M_PRACK, k, 0, sdp ? PRACK_PR_SDP : 0u, a->rseq, a->cseq, t->tx};
    send_msg(&m);
}

static void uac_carry_out(int k, fz_t *f)
{
    prack_actions_t mine = out; /* sending may call back into the engine */
    for (size_t i = 0; i < mine.n; i++) {
        const prack_action_t *a = &mine.v[i];
        if (a->type == PRACK_ACT_SEND_PRACK)
            uac_send_prack(k, a, f);
        else if (a->type == PRACK_ACT_TERMINATE && prack_uac_state(&w.uac.box.u) == PRACK_UAC_CALLING)
            for (int j = 0; j < w.forks; j++) {
                msg_t m = {M_CANCEL, j, 0, 0, 0, w.cseq, 0};
                send_msg(&m);
            }
    }
}

static void uac_receive(const msg_t *m, fz_t *f)
{
    prack_response_t r;
    r.status = m->status;
    r.flags = m->flags;
    r.cseq = m->cseq;
    if (m->kind == M_RSP_INVITE) {
        r.method = PRACK_METHOD_INVITE;
        r.rseq = m->rseq;
    } else {
        prack_tx_t *t = NULL;
        for (int i = 0; i < PRACK_TX_MAX; i++)
            if (w.ptx[i].live && w.ptx[i].tx == m->tx)
                t = &w.ptx[i];
        if (!t)
            return; /* the transaction is over: a late copy is absorbed */
        t->live = false;
        r.method = PRACK_METHOD_PRACK;
        r.rseq = t->rseq;
    }
    if (sh_uac_response(&w.uac, m->fork, w.now, &r, &out) == PRACK_OK)
        uac_carry_out(m->fork, f);
}

/* Timer E resends, Timer F gives up with a 408 handed to the engine. */
static void uac_timers(fz_t *f)
{
    for (int i = 0; i < PRACK_TX_MAX; i++) {
        prack_tx_t *t = &w.ptx[i];
        if (!t->live)
            continue;
        if (w.now >= t->started + 64u * (uint64_t)w.t1) {
            t->live = false;
            prack_response_t r = {408, PRACK_METHOD_PRACK, 0, w.cseq + 1u, t->rseq};
            if (sh_uac_response(&w.uac, t->fork, w.now, &r, &out) == PRACK_OK)
                uac_carry_out(t->fork, f);
        } else if (w.now >= t->last_sent + t->interval) {
            t->last_sent = w.now;
            t->interval = t->interval * 2u > 4000u ? 4000u : t->interval * 2u;
            msg_t m = {M_PRACK, t->fork, 0, t->sdp ? PRACK_PR_SDP : 0u, t->rseq, w.cseq, t->tx};
            send_msg(&m);
        }
    }
}

static void deliver(int i, fz_t *f)
{
    msg_t m = w.chan[i];
    memmove(&w.chan[i], &w.chan[i + 1], (size_t)(w.n - i - 1) * sizeof(msg_t));
    w.n--;
    if (m.kind == M_RSP_INVITE || m.kind == M_RSP_PRACK)
        uac_receive(&m, f);
    else
        uas_receive(&m);
}

static void tick(uint64_t dt, fz_t *f)
{
    w.now += dt;
    uas_timers();
    uac_timers(f);
}

/* The earliest moment anything is due, or PRACK_TIME_NONE. */
static prack_time_t next_due(void)
{
    prack_time_t due = PRACK_TIME_NONE;
    for (int k = 0; k < w.forks; k++) {
        prack_time_t d = w.started[k] ? prack_next_deadline(sh_uas_engine(&w.uas[k])) : PRACK_TIME_NONE;
        if (d < due)
            due = d;
    }
    for (int i = 0; i < PRACK_TX_MAX; i++) {
        if (!w.ptx[i].live)
            continue;
        prack_time_t d = w.ptx[i].last_sent + w.ptx[i].interval;
        prack_time_t g = w.ptx[i].started + 64u * (uint64_t)w.t1;
        if (g < d)
            d = g;
        if (d < due)
            due = d;
    }
    return due;
}

static void heal(fz_t *f)
{
    for (int round = 0; round < 4000; round++) {
        while (w.n)
            deliver(0, f);
        for (int k = 0; k < w.forks; k++) {
            if (!w.started[k]) { /* Timer A, until it gets through */
                msg_t m = {M_INVITE, k, 0, 0, 0, w.cseq, 0};
                send_msg(&m);
            }
        }
        while (w.n)
            deliver(0, f);
        for (int k = 0; k < w.forks; k++)
            uas_app_final(k, k ? 486 : 200);
        if (w.n)
            continue;
        prack_time_t due = next_due();
        if (due == PRACK_TIME_NONE)
            break;
        tick(due > w.now ? due - w.now : 0u, f);
    }
    /* the final of each UAS once more, as its retransmission timer would */
    for (int k = 0; k < w.forks; k++)
        if (w.has_final[k])
            send_msg(&w.last_final[k]);
    while (w.n)
        deliver(0, f);

    for (int k = 0; k < w.forks; k++) {
        const prack_uas_t *u = sh_uas_engine(&w.uas[k]);
        SH_CHECK(w.started[k], "every fork got the INVITE once the network healed");
        SH_CHECK(prack_uas_state(u) == PRACK_UAS_COMPLETED || prack_uas_state(u) == PRACK_UAS_REJECTED,
                 "every UAS ends with a final: none held forever");
        SH_CHECK(prack_next_deadline(u) == PRACK_TIME_NONE, "no UAS timer left: no 1xx resent forever");
        SH_CHECK(w.has_final[k], "the final went on the wire");
    }
    SH_CHECK(prack_uac_state(&w.uac.box.u) != PRACK_UAC_CALLING, "the UAC got a final");
    for (int i = 0; i < PRACK_TX_MAX; i++)
        SH_CHECK(!w.ptx[i].live, "every PRACK transaction ended");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    static const uint32_t t1s[] = {500, 1, 2, 10};
    static const uint16_t finals[] = {200, 486, 180, 603, 202, 500, 200, 404};

    memset(&w, 0, sizeof(w));
    uint8_t h = fz_u8(&f);
    uint8_t g = fz_u8(&f);
    w.t1 = t1s[h & 3u];
    w.forks = (h & 4u) ? 2 : 1;
    w.cseq = 1u + (fz_u16(&f) & 0x7FFFu);
    prack_config_init(&w.ccfg);
    w.ccfg.t1_ms = w.t1;
    w.ccfg.policy = (prack_policy_t)(((h >> 3) & 3u) % 3u);
    w.ccfg.cache_out_of_order = (h >> 5) & 1u;
    w.ccfg.prack_after_2xx = (h >> 6) & 1u;
    w.ccfg.on_prack_failure = (prack_failure_t)((h >> 7) & 1u);
    for (int k = 0; k < FORKS; k++) {
        prack_config_init(&w.scfg[k]);
        w.scfg[k].t1_ms = w.t1;
        w.scfg[k].policy = (prack_policy_t)((((unsigned)g >> (2u * (unsigned)k)) & 3u) % 3u);
        if (((unsigned)g >> (4u + (unsigned)k)) & 1u)
            w.scfg[k].refresh_ms = 1000u;
    }
    unsigned uflags = (g & 0x40u) ? PRACK_UAC_INVITE_SDP : 0u;
    w.now = fz_u16(&f);
    if (sh_uac_init(&w.uac, &w.ccfg, w.cseq, uflags, w.now) != PRACK_OK)
        return 0;
    prack_option_t opt = prack_uac_option(&w.uac.box.u);
    w.inv_flags = (uflags ? PRACK_INV_SDP : 0u) |
                  (opt == PRACK_OPTION_SUPPORTED ? PRACK_INV_SUPPORTED_100REL : 0u) |
                  (opt == PRACK_OPTION_REQUIRE ? PRACK_INV_REQUIRE_100REL : 0u);
    for (int k = 0; k < w.forks; k++) {
        msg_t m = {M_INVITE, k, 0, 0, 0, w.cseq, 0};
        send_msg(&m);
    }

    for (int ops = 0; ops < 1024 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        int k = (op >> 3) % w.forks;
        switch (op & 7u) {
        case 0:
        case 1: /* deliver one message, any of them: reordering */
            if (w.n)
                deliver(fz_u8(&f) % w.n, &f);
            break;
        case 2: { /* lose or duplicate one */
            uint8_t b = fz_u8(&f);
            if (!w.n)
                break;
            int i = (b >> 1) % w.n;
            if (b & 1u)
                send_msg(&w.chan[i]);
            else {
                memmove(&w.chan[i], &w.chan[i + 1], (size_t)(w.n - i - 1) * sizeof(msg_t));
                w.n--;
            }
            break;
        }
        case 3: { /* time passes */
            uint8_t b = fz_u8(&f);
            uint64_t dt = (b & 0x80u) ? (uint64_t)w.t1 * (b & 0x7Fu) : (uint64_t)b;
            tick(dt, &f);
            break;
        }
        case 4:
            uas_app_1xx(k, fz_u8(&f));
            break;
        case 5:
            uas_app_final(k, finals[fz_u8(&f) & 7u]);
            break;
        case 6: /* the caller hangs up: CANCEL to every fork */
            if (prack_uac_state(&w.uac.box.u) == PRACK_UAC_CALLING)
                for (int j = 0; j < w.forks; j++) {
                    msg_t m = {M_CANCEL, j, 0, 0, 0, w.cseq, 0};
                    send_msg(&m);
                }
            break;
        default: { /* Timer A: the INVITE again */
            msg_t m = {M_INVITE, k, 0, 0, 0, w.cseq, 0};
            send_msg(&m);
            break;
        }
        }
    }
    heal(&f);
    return 0;
}
