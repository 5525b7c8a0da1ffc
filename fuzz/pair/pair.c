/*
 * Fuzz target: a UAC engine and one or two UAS engines (a forked INVITE) wired
 * together by small hosts, through a channel where the fuzzer decides which
 * message is delivered next, dropped, duplicated, or copied with an older
 * INVITE's CSeq, when time passes, when a proxy challenges a PRACK (407), what
 * the UAS applications and the UAC do, and when a host moves an engine or a
 * dialog state to another buffer with memcpy. Every engine call goes through
 * the shadow models; on top of them the wiring checks that a PRACK only ever
 * names an RSeq its UAS really sent, with the INVITE's CSeq.
 *
 * The UAS host either has a transaction layer that answers a retransmitted
 * PRACK itself, or passes every copy to the engine (header bit).
 *
 * When the input is spent the network heals: everything in flight is
 * delivered, the applications answer, the hosts retransmit and the clock runs.
 * Then every call must be over on both sides, with no timer left (no 2xx held
 * forever, no 1xx retransmitted forever) and every cookie handed back.
 *
 * Input: a header of 6 bytes (T1, forks, UAC and UAS settings, CSeq, start
 * time), then one operation per byte, its low nibble the operation and its
 * high nibble the fork, followed by the operation's arguments.
 */
#include <stdint.h>
#include <string.h>

#include "../common/fuzz_input.h"
#include "../common/shadow.h"

#define FORKS 2
#define CHAN_MAX 48 /* at most 64: one bit each in world_t.busy */
#define PRACK_TX_MAX 16
#define UAS_TX_MAX 16

enum kind { M_INVITE, M_CANCEL, M_PRACK, M_RSP_INVITE, M_RSP_PRACK };

typedef struct msg {
    enum kind kind;
    int fork;
    uint16_t status;
    uint32_t flags; /* PRACK_RSP_* or PRACK_PR_* */
    uint64_t rseq;  /* RSeq, or the RAck response-num of a PRACK or of its response */
    uint32_t cseq;  /* the INVITE's CSeq (RAck CSeq-num for a PRACK) */
    uint32_t tx;    /* PRACK transaction: the PRACK's own CSeq */
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

/* A PRACK server transaction on a UAS host: its answer, for retransmissions. */
typedef struct uas_tx {
    bool used;
    uint32_t tx;
    msg_t answer;
} uas_tx_t;

typedef struct world {
    sh_uac_t uac;
    sh_uas_t uas[FORKS];
    bool started[FORKS];
    prack_config_t ccfg, scfg[FORKS];
    uint32_t inv_flags;
    uint32_t cseq, t1, next_tx;
    int forks;
    bool uas_txn_layer;
    /* the channel: messages stay in their slot, ord lists the slots in order */
    msg_t chan[CHAN_MAX];
    uint8_t ord[CHAN_MAX];
    uint64_t busy; /* bit i: chan[i] holds a message */
    int n;
    prack_tx_t ptx[PRACK_TX_MAX];
    uas_tx_t stx[FORKS][UAS_TX_MAX];
    unsigned stx_next[FORKS];
    msg_t last_final[FORKS];
    bool has_final[FORKS];
    prack_time_t now;
    uint64_t cookies;
} world_t;

static world_t w;
static prack_actions_t out;

/* The i-th message in the channel. */
static msg_t *chan_at(int i)
{
    return &w.chan[w.ord[i]];
}

static void send_msg(const msg_t *m)
{
    if (w.n >= CHAN_MAX)
        return; /* a full channel loses the message, like a full socket */
    uint8_t slot = 0;
    while (w.busy & ((uint64_t)1 << slot))
        slot++;
    w.busy |= (uint64_t)1 << slot;
    w.chan[slot] = *m;
    w.ord[w.n++] = slot;
}

/*
 * Remove the i-th message, keeping the order of the others. Only the one-byte
 * slot numbers move: moving the messages themselves cost more than the
 * engines under ASan, and this runs for every message.
 */
static void take(int i)
{
    w.busy &= ~((uint64_t)1 << w.ord[i]);
    for (int j = i + 1; j < w.n; j++)
        w.ord[j - 1] = w.ord[j];
    w.n--;
}

/* ---- UAS host ---- */

static void uas_carry_out(int k)
{
    for (uint32_t i = 0; i < out.n; i++) {
        const prack_action_t *a = &out.v[i];
        msg_t m;
        memset(&m, 0, sizeof(m));
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
    for (uint32_t i = 0; i < out.n; i++) {
        if (out.v[i].type != PRACK_ACT_ANSWER_PRACK)
            continue;
        msg_t m;
        memset(&m, 0, sizeof(m));
        m.kind = M_RSP_PRACK;
        m.fork = k;
        m.status = out.v[i].status;
        m.rseq = pm->rseq;
        m.cseq = w.cseq;
        m.tx = pm->tx;
        if (out.v[i].sdp != PRACK_SDP_NONE)
            m.flags |= PRACK_RSP_SDP;
        send_msg(&m);
        if (w.uas_txn_layer) {
            uas_tx_t *t = &w.stx[k][w.stx_next[k]++ % UAS_TX_MAX];
            t->used = true;
            t->tx = pm->tx;
            t->answer = m;
        }
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
            if (sh_uas_init(s, &w.scfg[k], &inv, (uint32_t)(w.cseq * 2654435761u + (uint32_t)k),
                            w.now, &out) == PRACK_OK)
                uas_carry_out(k);
        }
        return;
    case M_CANCEL:
        if (w.started[k] && sh_uas_cancel(s, w.now, &out) == PRACK_OK)
            uas_carry_out(k);
        return;
    case M_PRACK: {
        if (!w.started[k])
            return; /* no dialog: the host answers 481 itself; dropping is as good here */
        if (w.uas_txn_layer) {
            for (unsigned i = 0; i < UAS_TX_MAX; i++) {
                if (w.stx[k][i].used && w.stx[k][i].tx == m->tx) {
                    send_msg(&w.stx[k][i].answer); /* the server transaction answers again */
                    return;
                }
            }
        }
        prack_prack_t pr;
        memset(&pr, 0, sizeof(pr));
        pr.flags = PRACK_PR_RACK | (m->flags & PRACK_PR_SDP);
        pr.cseq = m->tx;
        pr.rack_rseq = m->rseq;
        pr.rack_cseq = m->cseq;
        pr.method = "INVITE";
        pr.method_len = 6;
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
    uint32_t fl = (b >> 2) & 3u;
    uint64_t user = (b & 0x10u) ? 0u : ++w.cookies * 0x9E3779B97F4A7C15ull;
    int rc = sh_uas_send_1xx(&w.uas[k], w.now, st[b & 3u], fl, user, &out);
    if (rc == PRACK_ERR_OFFER_REQUIRED) /* the application adds the offer */
        rc = sh_uas_send_1xx(&w.uas[k], w.now, st[b & 3u], fl | PRACK_1XX_SDP, user, &out);
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
    SH_CHECK(w.started[k] && s->obs.n_sent && a->rseq >= s->obs.last - (s->obs.n_sent - 1u) &&
                 a->rseq <= s->obs.last,
             "a PRACK names an RSeq its UAS sent on that dialog");
    SH_CHECK(a->cseq == w.cseq, "the RAck CSeq-num is the INVITE's");

    bool sdp = a->sdp == PRACK_SDP_ANSWER;
    if (a->sdp == PRACK_SDP_MAY_OFFER && (fz_u8(f) & 1u) &&
        sh_uac_offer_in_prack(&w.uac, k, a->rseq) == PRACK_OK)
        sdp = true;
    if (a->flags & PRACK_AF_AUTH) { /* the same body as the challenged PRACK */
        sdp = false;
        for (int i = 0; i < PRACK_TX_MAX; i++)
            if (w.ptx[i].fork == k && w.ptx[i].rseq == a->rseq && w.ptx[i].tx)
                sdp = w.ptx[i].sdp;
    }
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
    t->tx = w.cseq + ++w.next_tx; /* the PRACK's own CSeq, above the INVITE's */
    t->rseq = a->rseq;
    t->sdp = sdp;
    t->started = t->last_sent = w.now;
    t->interval = w.t1;
    msg_t m = {M_PRACK, k, 0, sdp ? PRACK_PR_SDP : 0u, a->rseq, a->cseq, t->tx};
    send_msg(&m);
}

static void uac_carry_out(int k, fz_t *f)
{
    /* sending may call back into the engine: work on a copy of the actions */
    prack_action_t mine[PRACK_ACTIONS_MAX];
    uint32_t n = out.n <= PRACK_ACTIONS_MAX ? out.n : PRACK_ACTIONS_MAX;
    memcpy(mine, out.v, n * sizeof(mine[0]));
    for (uint32_t i = 0; i < n; i++) {
        const prack_action_t *a = &mine[i];
        if (a->type == PRACK_ACT_SEND_PRACK)
            uac_send_prack(k, a, f);
        else if (a->type == PRACK_ACT_TERMINATE &&
                 prack_uac_state(sh_uac_engine(&w.uac)) == PRACK_UAC_CALLING)
            for (int j = 0; j < w.forks; j++) {
                msg_t m = {M_CANCEL, j, 0, 0, 0, w.cseq, 0};
                send_msg(&m);
            }
    }
}

/* A response for PRACK transaction t reached the UAC host. */
static void uac_prack_response(prack_tx_t *t, uint16_t status, uint32_t flags, fz_t *f)
{
    prack_response_t r;
    memset(&r, 0, sizeof(r));
    t->live = false;
    r.status = status;
    r.method = PRACK_METHOD_PRACK;
    r.flags = flags;
    r.cseq = t->tx;
    r.rseq = t->rseq; /* the host names the PRACK by its RAck */
    if (sh_uac_response(&w.uac, t->fork, w.now, &r, &out) == PRACK_OK)
        uac_carry_out(t->fork, f);
}

static void uac_receive(const msg_t *m, fz_t *f)
{
    if (m->kind == M_RSP_INVITE) {
        prack_response_t r;
        memset(&r, 0, sizeof(r));
        r.status = m->status;
        r.method = PRACK_METHOD_INVITE;
        r.flags = m->flags;
        r.cseq = m->cseq;
        r.rseq = m->rseq;
        if (sh_uac_response(&w.uac, m->fork, w.now, &r, &out) == PRACK_OK)
            uac_carry_out(m->fork, f);
        return;
    }
    for (int i = 0; i < PRACK_TX_MAX; i++)
        if (w.ptx[i].live && w.ptx[i].tx == m->tx && w.ptx[i].fork == m->fork) {
            if (m->status >= 200)
                uac_prack_response(&w.ptx[i], m->status, m->flags, f);
            return;
        }
    /* the transaction is over: a late copy is absorbed */
}

/* Timer E resends, Timer F gives up with a 408 handed to the engine. */
static void uac_timers(fz_t *f)
{
    for (int i = 0; i < PRACK_TX_MAX; i++) {
        prack_tx_t *t = &w.ptx[i];
        if (!t->live)
            continue;
        if (w.now >= t->started + 64u * (uint64_t)w.t1) {
            uac_prack_response(t, 408, 0, f);
        } else if (w.now >= t->last_sent + t->interval) {
            t->last_sent = w.now;
            t->interval = t->interval * 2u > 4000u ? 4000u : t->interval * 2u;
            msg_t m = {M_PRACK, t->fork, 0, t->sdp ? PRACK_PR_SDP : 0u, t->rseq, w.cseq, t->tx};
            send_msg(&m);
        }
    }
}

/* A proxy on the way challenges the PRACK in flight at i (R57). */
static void proxy_challenge(int i, uint16_t status, fz_t *f)
{
    msg_t m = *chan_at(i);
    if (m.kind != M_PRACK)
        return;
    take(i);
    for (int j = 0; j < PRACK_TX_MAX; j++)
        if (w.ptx[j].live && w.ptx[j].tx == m.tx && w.ptx[j].fork == m.fork) {
            uac_prack_response(&w.ptx[j], status, 0, f);
            return;
        }
}

static void deliver(int i, fz_t *f)
{
    msg_t m = *chan_at(i);
    take(i);
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
        prack_time_t d =
            w.started[k] ? prack_next_deadline(sh_uas_engine(&w.uas[k])) : PRACK_TIME_NONE;
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
        SH_CHECK(prack_uas_state(u) == PRACK_UAS_COMPLETED ||
                     prack_uas_state(u) == PRACK_UAS_REJECTED,
                 "every UAS ends with a final: none held forever");
        SH_CHECK(prack_next_deadline(u) == PRACK_TIME_NONE,
                 "no UAS timer left: no 1xx resent forever");
        SH_CHECK(w.has_final[k], "the final went on the wire");
        SH_CHECK(sh_uas_cookies_held(&w.uas[k]) == 0,
                 "once the INVITE is over every cookie was released exactly once");
    }
    SH_CHECK(prack_uac_state(sh_uac_engine(&w.uac)) != PRACK_UAC_CALLING, "the UAC got a final");
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
    w.cseq = fz_u16(&f);
    if (g & 0x80u)
        w.cseq = ~w.cseq; /* 2^31 and above */
    w.uas_txn_layer = (w.cseq & 1u) != 0;
    prack_config_init(&w.ccfg);
    w.ccfg.t1_ms = w.t1;
    w.ccfg.policy = (uint8_t)(((h >> 3) & 3u) % 3u);
    w.ccfg.cache_out_of_order = (uint8_t)((h >> 5) & 1u);
    w.ccfg.prack_after_2xx = (uint8_t)((h >> 6) & 1u);
    w.ccfg.on_prack_failure = (uint8_t)((h >> 7) & 1u);
    w.ccfg.auth_max = (uint8_t)(PRACK_UAC_AUTH_MAX - ((w.cseq >> 1) & 3u));
    for (int k = 0; k < FORKS; k++) {
        prack_config_init(&w.scfg[k]);
        w.scfg[k].t1_ms = w.t1;
        w.scfg[k].policy = (uint8_t)((((unsigned)g >> (2u * (unsigned)k)) & 3u) % 3u);
        if (((unsigned)g >> (4u + (unsigned)k)) & 1u)
            w.scfg[k].refresh_ms = 1000u;
        w.scfg[k].queue_max =
            (uint8_t)(PRACK_UAS_QUEUE_MAX - ((w.cseq >> (3u + 4u * (unsigned)k)) & 15u) % 9u);
    }
    uint32_t uflags = (g & 0x40u) ? PRACK_UAC_INVITE_SDP : 0u;
    w.now = fz_u16(&f);
    if (sh_uac_init(&w.uac, &w.ccfg, w.cseq, uflags, w.now) != PRACK_OK)
        return 0;
    unsigned opt = prack_uac_option(sh_uac_engine(&w.uac));
    w.inv_flags = (uflags ? PRACK_INV_SDP : 0u) |
                  (opt == PRACK_OPTION_SUPPORTED ? PRACK_INV_SUPPORTED_100REL : 0u) |
                  (opt == PRACK_OPTION_REQUIRE ? PRACK_INV_REQUIRE_100REL : 0u);
    for (int k = 0; k < w.forks; k++) {
        msg_t m = {M_INVITE, k, 0, 0, 0, w.cseq, 0};
        send_msg(&m);
    }

    for (int ops = 0; ops < 1024 && !fz_empty(&f); ops++) {
        uint8_t op = fz_u8(&f);
        int k = (op >> 4) % w.forks;
        switch (op & 15u) {
        case 0:
        case 1:
        case 11:
        case 12: /* deliver one message, any of them: reordering */
            if (w.n)
                deliver(fz_u8(&f) % w.n, &f);
            break;
        case 2: { /* lose or duplicate one */
            uint8_t b = fz_u8(&f);
            if (!w.n)
                break;
            int i = (b >> 1) % w.n;
            if (b & 1u)
                send_msg(chan_at(i));
            else
                take(i);
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
            if (prack_uac_state(sh_uac_engine(&w.uac)) == PRACK_UAC_CALLING)
                for (int j = 0; j < w.forks; j++) {
                    msg_t m = {M_CANCEL, j, 0, 0, 0, w.cseq, 0};
                    send_msg(&m);
                }
            break;
        case 7: { /* Timer A: the INVITE again */
            msg_t m = {M_INVITE, k, 0, 0, 0, w.cseq, 0};
            send_msg(&m);
            break;
        }
        case 8: { /* a host moves an engine or a dialog state with memcpy */
            uint8_t b = fz_u8(&f);
            switch (b & 3u) {
            case 0:
                if (w.started[k])
                    sh_uas_move(&w.uas[k], b >> 2);
                break;
            case 1: sh_uac_move(&w.uac, -1, b >> 2); break;
            default: sh_uac_move(&w.uac, k, b >> 2); break;
            }
            break;
        }
        case 9: { /* a proxy challenges a PRACK in flight */
            uint8_t b = fz_u8(&f);
            if (w.n)
                proxy_challenge((b >> 1) % w.n, (b & 1u) ? 401 : 407, &f);
            break;
        }
        case 10: { /* a stray copy of a response to another INVITE (older CSeq) */
            uint8_t b = fz_u8(&f);
            if (!w.n)
                break;
            msg_t m = *chan_at((b >> 1) % w.n);
            if (m.kind == M_RSP_INVITE) {
                m.cseq = (b & 1u) ? w.cseq - 1u : w.cseq + 1u;
                send_msg(&m);
            }
            break;
        }
        default: /* time to the next thing due */
        {
            prack_time_t due = next_due();
            if (due != PRACK_TIME_NONE)
                tick(due > w.now ? due - w.now : 0u, &f);
            break;
        }
        }
    }
    heal(&f);
    return 0;
}
