/*
 * The shadow models of the UAS and UAC engines (shadow.h says what they are
 * for). Compiled once for every driver; in the libFuzzer build without
 * coverage instrumentation, so that the fuzzer's feedback and time go to the
 * library and the drivers, not to the checks.
 */
#include "shadow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SH_GUARD_BYTE 0xA5u
#define SH_MOVED_BYTE 0xD3u /* what a slot holds when no engine lives in it */
#define SH_MAX_RETX 6u /* retransmissions at T1, 3, 7, 15, 31, 63 T1; 127 T1 is past the timeout */

static unsigned sh_lenient(void)
{
    static int ready;
    static unsigned bits;
    if (!ready) {
        const char *e = getenv("PRACK_SHADOW_LENIENT");
        bits = e ? (unsigned)strtoul(e, NULL, 0) : 0u;
        ready = 1;
    }
    return bits;
}

/* Text printed with a failure, set by the driver (seed, call number, step). */
char *sh_context(void)
{
    static char buf[SH_CONTEXT_MAX];
    return buf;
}

static const prack_actions_t **sh_current(void)
{
    static const prack_actions_t *cur;
    return &cur;
}

static void sh_dump(const prack_actions_t *out)
{
    char line[160];
    if (!out)
        return;
    uint32_t n = out->n <= PRACK_ACTIONS_MAX ? out->n : PRACK_ACTIONS_MAX;
    for (uint32_t i = 0; i < n; i++) {
        prack_action_format(line, sizeof(line), &out->v[i]);
        fprintf(stderr, "    [%u] %s user=%llx\n", (unsigned)i, line,
                (unsigned long long)out->v[i].user);
    }
}

void sh_fail(const char *file, int line, const char *what, const char *cond)
{
    fprintf(stderr, "INVARIANT BROKEN: %s\n  check: %s\n  at %s:%d\n  context: %s\n  batch:\n",
            what, cond, file, line, sh_context());
    sh_dump(*sh_current());
    fflush(stderr);
    abort();
}

static bool sh_model(void)
{
    return !(sh_lenient() & SH_LENIENT_MODEL);
}

/*
 * Copy n bytes between two of the model's own objects (the state before a
 * call, the model's state, the engine as it was) and fill one of them. The
 * sizes are the objects' own, so the sanitizers' range checks on these copies
 * could only find a fault of the model, and they were a sixth of the run time
 * of pair (a range check per copy, several copies per engine call). Word by
 * word and not with memcpy or memset, which the sanitizer's interceptors
 * would check all the same. Writes by the library into these objects are
 * still checked where the library makes them.
 */
#if defined(__clang__)
#define SH_NO_MEM_BUILTINS __attribute__((no_builtin("memcpy", "memset")))
#else
#define SH_NO_MEM_BUILTINS
#endif
typedef uint64_t sh_word_t __attribute__((may_alias, aligned(1)));

__attribute__((no_sanitize("address", "undefined"))) SH_NO_MEM_BUILTINS static void
sh_copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *b = (const uint8_t *)src;
    size_t i = 0;
    for (; i + 8u <= n; i += 8u)
        *(sh_word_t *)(void *)(d + i) = *(const sh_word_t *)(const void *)(b + i);
    for (; i < n; i++)
        d[i] = b[i];
}

__attribute__((no_sanitize("address", "undefined"))) SH_NO_MEM_BUILTINS static void
sh_fill(void *dst, uint8_t byte, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    const uint64_t pat = 0x0101010101010101ull * byte;
    size_t i = 0;
    for (; i + 8u <= n; i += 8u)
        *(sh_word_t *)(void *)(d + i) = pat;
    for (; i < n; i++)
        d[i] = byte;
}

/*
 * Fill a batch with junk so that a call that forgets to reset it, or to set a
 * field of an action it adds, is seen. The batch's reserved field is the
 * host's and stays zero. With the model, the batch is compared entry by entry
 * up to the expected count and any other count fails, so the entries up to
 * one past that count are all that can matter; without it, every entry.
 */
static void sh_poison(prack_actions_t *out, uint32_t expected)
{
    size_t k = sh_model() && expected < PRACK_ACTIONS_MAX ? expected + 1u : PRACK_ACTIONS_MAX;
    sh_fill(out->v, 0x5A, k * sizeof(out->v[0]));
    out->n = 3;
    out->reserved_ = 0;
}

#define SH_AF_ALL                                                                                  \
    (PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT | PRACK_AF_REFRESH | PRACK_AF_RELEASED |              \
     PRACK_AF_TIMEOUT | PRACK_AF_CANCELLED | PRACK_AF_UNSUPPORTED_100REL |                         \
     PRACK_AF_REQUIRE_100REL | PRACK_AF_NEW_DIALOG | PRACK_AF_CACHED | PRACK_AF_AUTH |             \
     PRACK_AF_REPLACES_HELD | PRACK_AF_DIALOG_GONE | PRACK_AF_RELEASE | PRACK_AF_OTHER_FORK)

/*
 * PRACK_SHADOW_TRACE=1 prints every call and its batch, to read a reproducer.
 * The call is described by a format, formatted only when tracing.
 */
static void sh_trace(prack_time_t now, int rc, const prack_actions_t *out, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void sh_trace(prack_time_t now, int rc, const prack_actions_t *out, const char *fmt, ...)
{
    static int mode = -1;
    if (mode < 0)
        mode = getenv("PRACK_SHADOW_TRACE") != NULL;
    if (!mode)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " at %llu: rc %d\n", (unsigned long long)now, rc);
    if (out && rc >= 0)
        sh_dump(out);
}

/* A name from the library's tables, not its "?" for an unknown value (no strcmp: see sh_batch_sane). */
static bool sh_named(const char *name)
{
    return name && !(name[0] == '?' && name[1] == '\0');
}

/*
 * Whether an action with exactly these bytes (all but the text pointer, which
 * is checked on its own) was formatted and checked already. The formatter and
 * the name tables are functions of those bytes, so checking the same action
 * again proves nothing new; and formatting is most of the cost of the batch checks (a few
 * snprintf per action, each through the sanitizer's printf interceptor). A
 * direct-mapped table of recent actions, remembered across inputs.
 */
#define SH_FMT_BITS 16u
#define SH_FMT_SEEN (1u << SH_FMT_BITS)
static bool sh_formatted_before(const prack_action_t *a)
{
    enum { WORDS = offsetof(prack_action_t, text) / 8u };
    _Static_assert(offsetof(prack_action_t, text) % 8u == 0, "the key is whole words");
    static uint64_t seen[SH_FMT_SEEN][WORDS];
    static bool used[SH_FMT_SEEN];
    uint64_t w[WORDS], h = 0, diff = 0;
    memcpy(w, a, sizeof(w));
    for (unsigned i = 0; i < WORDS; i++)
        h = (h ^ w[i]) * 0x9E3779B97F4A7C15ull;
    unsigned slot = (unsigned)(h >> (64u - SH_FMT_BITS));
    for (unsigned i = 0; i < WORDS; i++)
        diff |= seen[slot][i] ^ w[i];
    if (used[slot] && diff == 0)
        return true;
    memcpy(seen[slot], w, sizeof(w));
    used[slot] = true;
    return false;
}

/*
 * Checks that hold for every batch of every call. Names are compared by hand
 * rather than with strcmp: in the libFuzzer build every strcmp goes through the
 * sanitizer's interceptor and feeds libFuzzer's compare table with strings that
 * say nothing about the input.
 */
static void sh_batch_sane(int rc, const prack_actions_t *out)
{
    *sh_current() = out;
    SH_CHECK(out->reserved_ == 0, "the engine leaves the batch's reserved field alone");
    if (rc < 0) {
        if (!(sh_lenient() & SH_LENIENT_STALE_BATCH))
            SH_CHECK(out->n == 0, "a failing call leaves the batch empty");
        return;
    }
    SH_CHECK(rc == PRACK_OK, "state-changing calls return PRACK_OK or an error");
    SH_CHECK(out->n <= PRACK_ACTIONS_MAX, "batch within PRACK_ACTIONS_MAX");
    for (uint32_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        char line[96];
        SH_CHECK(a->type >= PRACK_ACT_SEND_1XX && a->type <= PRACK_ACT_EVENT,
                 "action type within prack_act_t");
        SH_CHECK(a->reason <= PRACK_R_WRONG_CSEQ, "reason within prack_reason_t");
        SH_CHECK(a->sdp <= PRACK_SDP_REPEAT, "sdp role within prack_sdp_t");
        SH_CHECK(a->option <= PRACK_OPTION_REQUIRE, "option within prack_option_t");
        SH_CHECK(a->option == PRACK_OPTION_NONE || a->type == PRACK_ACT_RETRY_INVITE,
                 "an option tag only on RETRY_INVITE");
        SH_CHECK(a->reserved_ == 0 && a->reserved2_ == 0, "reserved action fields are zero");
        SH_CHECK((a->flags & ~(uint32_t)SH_AF_ALL) == 0, "only known action flags");
        if (a->type == PRACK_ACT_SEND_FINAL && (a->flags & PRACK_AF_TIMEOUT))
            SH_CHECK(a->text && strcmp(a->text, PRACK_TIMEOUT_TEXT) == 0,
                     "the timeout final carries its reason text");
        else
            SH_CHECK(a->text == NULL, "no text where none applies");
        /* the names and the text below are functions of the same bytes */
        if (sh_formatted_before(a))
            continue;
        /* the library's name tables list exactly the enum values it defines */
        SH_CHECK(sh_named(prack_act_name(a->type)), "valid action type");
        SH_CHECK(sh_named(prack_reason_name(a->reason)), "valid reason");
        SH_CHECK(sh_named(prack_sdp_name(a->sdp)), "valid sdp role");
        int len = prack_action_format(line, sizeof(line), a);
        SH_CHECK(len >= 0 && (size_t)len < sizeof(line) && strlen(line) == (size_t)len,
                 "action formats within its buffer");
    }
}

/* A set of acceptable error codes; the header does not rank them when several apply. */
#define SH_E(code) (1u << (unsigned)-(code))


static void sh_check_rc(int rc, unsigned errs)
{
    if (!sh_model())
        return;
    bool ok = errs ? (rc < 0 && rc > -32 && (errs & SH_E(rc))) : rc == PRACK_OK;
    if (!ok)
        fprintf(stderr, "rc %d (%s), expected %s (error set 0x%x)\n", rc, prack_strerror(rc),
                errs ? "an error" : "PRACK_OK", errs);
    SH_CHECK(ok, "return code as documented");
}

static bool sh_same(const void *a, const void *b, size_t n);

/* The batch a call must produce. */
typedef struct sh_exp {
    uint32_t n;
    prack_action_t v[PRACK_ACTIONS_MAX];
} sh_exp_t;

static prack_action_t *sh_exp_push(sh_exp_t *e, prack_act_t type)
{
    SH_CHECK(e->n < PRACK_ACTIONS_MAX, "model batch within PRACK_ACTIONS_MAX");
    prack_action_t *a = &e->v[e->n++];
    memset(a, 0, sizeof(*a));
    a->type = (uint8_t)type;
    return a;
}

static void sh_exp_compare(const sh_exp_t *e, const prack_actions_t *out)
{
    if (!sh_model())
        return;
    if (out->n != e->n) {
        fprintf(stderr, "expected %u actions:\n", (unsigned)e->n);
        prack_actions_t tmp;
        memset(&tmp, 0, sizeof(tmp));
        tmp.n = e->n;
        memcpy(tmp.v, e->v, sizeof(e->v));
        sh_dump(&tmp);
    }
    SH_CHECK(out->n == e->n, "batch has the documented number of actions");
    for (uint32_t i = 0; i < e->n; i++) {
        const prack_action_t *x = &e->v[i], *a = &out->v[i];
        if (!sh_same(x, a, offsetof(prack_action_t, text))) {
            char l1[160], l2[160];
            prack_action_format(l1, sizeof(l1), x);
            prack_action_format(l2, sizeof(l2), a);
            fprintf(stderr, "action %u: expected \"%s\" user=%llx, got \"%s\" user=%llx\n",
                    (unsigned)i, l1, (unsigned long long)x->user, l2, (unsigned long long)a->user);
        }
        SH_CHECK(a->type == x->type, "action type as documented");
        SH_CHECK(a->status == x->status, "action status as documented");
        SH_CHECK(a->flags == x->flags, "action flags as documented");
        SH_CHECK(a->rseq == x->rseq, "action rseq as documented");
        SH_CHECK(a->cseq == x->cseq, "action cseq as documented");
        SH_CHECK(a->sdp == x->sdp, "action sdp role as documented");
        SH_CHECK(a->reason == x->reason, "action reason as documented");
        SH_CHECK(a->option == x->option, "action option as documented");
        SH_CHECK(a->user == x->user, "action user cookie as documented");
        if (x->text)
            SH_CHECK(a->text && strcmp(a->text, x->text) == 0, "action text as documented");
        else
            SH_CHECK(a->text == NULL, "no text where none applies");
    }
}

/*
 * Every byte of p[0..n) is byte; word by word, since it runs on every slot
 * after every call. Without the sanitizers: it reads only the shadow's own
 * slots, and their per-word checks kept the loop from being vectorised.
 */
__attribute__((no_sanitize("address", "undefined"))) static bool sh_all(const void *p, size_t n,
                                                                        uint8_t byte)
{
    const uint8_t *b = (const uint8_t *)p;
    const uint64_t pat = 0x0101010101010101ull * byte;
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        uint64_t w;
        memcpy(&w, b + i, 8u);
        diff |= w ^ pat;
    }
    for (; i < n; i++)
        diff |= (uint64_t)(b[i] ^ byte);
    return diff == 0;
}

/* a and b have the same n bytes; word by word, without the sanitizers, as sh_all(). */
__attribute__((no_sanitize("address", "undefined"))) static bool sh_same(const void *a,
                                                                         const void *b, size_t n)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8u <= n; i += 8u) {
        uint64_t v, w;
        memcpy(&v, x + i, 8u);
        memcpy(&w, y + i, 8u);
        diff |= v ^ w;
    }
    for (; i < n; i++)
        diff |= (uint64_t)(x[i] ^ y[i]);
    return diff == 0;
}

/*
 * An array of SH_SLOTS slots as no engine lives in any: zeros, then guard
 * bytes around SH_MOVED_BYTE in each. The drivers' slots are set up this way,
 * and templates made the same way (padding included) are what they are
 * compared with.
 */
#define SH_SLOTS_FILL(slots, field)                                                                \
    do {                                                                                           \
        memset((slots), 0, sizeof(slots));                                                         \
        for (unsigned sh_k_ = 0; sh_k_ < SH_SLOTS; sh_k_++) {                                      \
            memset((slots)[sh_k_].pre, SH_GUARD_BYTE, SH_GUARD);                                   \
            memset((slots)[sh_k_].post, SH_GUARD_BYTE, SH_GUARD);                                  \
            memset(&(slots)[sh_k_].field, SH_MOVED_BYTE, sizeof((slots)[sh_k_].field));            \
        }                                                                                          \
    } while (0)

static sh_uas_slot_t sh_uas_tmpl[SH_SLOTS];
static sh_uac_slot_t sh_uac_tmpl[SH_SLOTS];
static sh_dlg_slot_t sh_dlg_tmpl[SH_SLOTS];

static void sh_templates(void)
{
    static bool ready;
    if (ready)
        return;
    SH_SLOTS_FILL(sh_uas_tmpl, e);
    SH_SLOTS_FILL(sh_uac_tmpl, u);
    SH_SLOTS_FILL(sh_dlg_tmpl, d);
    ready = true;
}

/*
 * A slot with guard bytes on both sides. Every slot but the one the engine
 * lives in holds SH_MOVED_BYTE: the engine never writes outside its own bytes,
 * and never to a copy it was moved away from. Fast path: the whole array but
 * the live engine's own bytes equals the template, in two comparisons; only
 * when it does not are the slots checked one by one, to say which rule broke.
 */
#define SH_SLOT_CHECK(slots, tmpl, at, field, what)                                                \
    do {                                                                                           \
        sh_templates();                                                                            \
        const uint8_t *sh_b_ = (const uint8_t *)(slots), *sh_t_ = (const uint8_t *)(tmpl);         \
        size_t sh_lo_ = (size_t)((const uint8_t *)&(slots)[(at)].field - sh_b_);                   \
        size_t sh_hi_ = sh_lo_ + sizeof((slots)[0].field);                                         \
        if (sh_same(sh_b_, sh_t_, sh_lo_) &&                                                       \
            sh_same(sh_b_ + sh_hi_, sh_t_ + sh_hi_, sizeof(slots) - sh_hi_))                       \
            break;                                                                                 \
        for (unsigned sh_i_ = 0; sh_i_ < SH_SLOTS; sh_i_++) {                                      \
            SH_CHECK(sh_all((slots)[sh_i_].pre, SH_GUARD, SH_GUARD_BYTE) &&                        \
                         sh_all((slots)[sh_i_].post, SH_GUARD, SH_GUARD_BYTE),                     \
                     what " writes only inside its struct (constant state size)");                 \
            if (sh_i_ != (at))                                                                     \
                SH_CHECK(                                                                          \
                    sh_all(&(slots)[sh_i_].field, sizeof((slots)[sh_i_].field), SH_MOVED_BYTE),    \
                    what " never writes where it used to live");                                   \
        }                                                                                          \
        SH_CHECK(false, what " leaves the padding of its slots alone");                            \
    } while (0)

/* Pick the slot a move goes to: any but the current one. */
static unsigned sh_slot_to(unsigned at, unsigned want)
{
    unsigned to = want % SH_SLOTS;
    return to == at ? (to + 1u) % SH_SLOTS : to;
}

static bool sh_config_valid(const prack_config_t *c)
{
    if (!c)
        return true;
    if (c->t1_ms == 0 || c->t1_ms > 3600000u)
        return false;
    if (c->refresh_ms != 0 && (c->refresh_ms < 1000u || c->refresh_ms > 65535000u))
        return false;
    if (c->timeout_status < 500 || c->timeout_status > 599)
        return false;
    if (c->policy > PRACK_POLICY_REQUIRED || c->on_prack_failure > PRACK_FAILURE_TERMINATE)
        return false;
    if (c->prack_after_2xx > 1 || c->cache_out_of_order > 1)
        return false;
    if (c->queue_max > PRACK_UAS_QUEUE_MAX || c->auth_max > PRACK_UAC_AUTH_MAX)
        return false;
    return sh_all(c->reserved_, sizeof(c->reserved_), 0);
}

/* ========================================================================= */
/* UAS                                                                        */
/* ========================================================================= */

/* Offer/answer on the INVITE transaction, as the header describes it (R48-R53). */
enum { SH_OA_NONE, SH_OA_OFFER_RCVD, SH_OA_OFFER_SENT, SH_OA_DONE };

/* Which entry point a batch came from. */
enum { SH_CALL_INIT, SH_CALL_1XX, SH_CALL_FINAL, SH_CALL_CANCEL, SH_CALL_PRACK, SH_CALL_TIMER };

typedef struct sh_uas_call {
    int kind;
    prack_time_t now;
    uint16_t status;          /* SH_CALL_1XX, SH_CALL_FINAL */
    uint64_t user;            /* SH_CALL_1XX */
    const prack_prack_t *pr;  /* SH_CALL_PRACK */
} sh_uas_call_t;



static bool sh_uas_live(const sh_uas_model_t *s)
{
    return s->state == PRACK_UAS_PROCEEDING || s->state == PRACK_UAS_HELD;
}

static prack_time_t sh_uas_retx_time(const sh_uas_model_t *s, unsigned k)
{
    uint64_t mult = ((uint64_t)1 << k) - 1u;
    return sh_tadd(s->sent_at, mult * s->t1);
}

static prack_time_t sh_uas_timeout_time(const sh_uas_model_t *s)
{
    return sh_tadd(s->sent_at, 64u * (uint64_t)s->t1);
}

/* When the documented timers say prack_on_timer() is next due. */
static prack_time_t sh_uas_deadline(const sh_uas_model_t *s)
{
    if (!s->ready || !sh_uas_live(s))
        return PRACK_TIME_NONE;
    if (s->unacked) {
        prack_time_t to = sh_uas_timeout_time(s);
        if (s->slot >= 7u)
            return to;
        prack_time_t rt = sh_uas_retx_time(s, s->slot + 1u);
        return rt < to ? rt : to;
    }
    if (s->state == PRACK_UAS_PROCEEDING && s->refresh_ms && s->n_sent)
        return sh_tadd(s->sent_at, s->refresh_ms);
    return PRACK_TIME_NONE;
}

/* Errors every state-changing UAS call may owe to its clock. */
static unsigned sh_uas_clock(const sh_uas_model_t *s, prack_time_t now)
{
    unsigned errs = 0;
    if (now == PRACK_TIME_NONE)
        errs |= SH_E(PRACK_ERR_INVAL);
    if (now < s->now_max && (!(sh_lenient() & SH_LENIENT_UAS_TIME) || now < s->sent_at))
        errs |= SH_E(PRACK_ERR_TIME);
    return errs;
}

static uint32_t sh_uas_next_rseq(const sh_uas_model_t *s)
{
    return s->n_sent ? s->last + 1u : s->first;
}

static uint32_t sh_release(uint64_t user)
{
    return user ? PRACK_AF_RELEASE : 0u;
}

static prack_sdp_t sh_uas_prov_sdp(sh_uas_model_t *s, bool sdp, bool reliable, sh_exp_t *e)
{
    if (!sdp)
        return PRACK_SDP_NONE;
    switch (s->oa) {
    case SH_OA_OFFER_RCVD:
        if (reliable) {
            s->oa = SH_OA_DONE;
            sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        }
        return PRACK_SDP_ANSWER;
    case SH_OA_NONE:
        if (reliable)
            s->oa = SH_OA_OFFER_SENT;
        return PRACK_SDP_OFFER;
    default:
        return PRACK_SDP_REPEAT;
    }
}

static prack_sdp_t sh_uas_final_sdp(sh_uas_model_t *s, uint16_t status, sh_exp_t *e)
{
    if (status >= 300)
        return PRACK_SDP_NONE;
    switch (s->oa) {
    case SH_OA_OFFER_RCVD:
        s->oa = SH_OA_DONE;
        sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        return PRACK_SDP_ANSWER;
    case SH_OA_NONE:
        return PRACK_SDP_OFFER;
    default:
        return PRACK_SDP_REPEAT;
    }
}

static void sh_uas_send_new(sh_uas_model_t *s, prack_time_t now, uint16_t status, bool sdp,
                                   uint64_t user, uint32_t extra, sh_exp_t *e)
{
    uint32_t rseq = sh_uas_next_rseq(s);
    s->last = rseq;
    s->n_sent++;
    s->unacked = rseq;
    s->unacked_sdp = sdp;
    s->sent_at = now;
    s->cur_status = status;
    s->cur_user = user;
    s->slot = 0;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_SEND_1XX);
    uint32_t at = e->n - 1u;
    a->status = status;
    a->flags = PRACK_AF_RELIABLE | extra;
    a->rseq = rseq;
    a->cseq = s->cseq;
    a->user = user;
    e->v[at].sdp = (uint8_t)sh_uas_prov_sdp(s, sdp, true, e);
    s->unacked_answer = e->v[at].sdp == PRACK_SDP_ANSWER;
}

/*
 * Queued 1xx never go (R30); with release_unacked the unacknowledged one is let
 * go too, because a final stops its retransmissions (R28): DROP_1XX hands its
 * cookie back, if it has one.
 */
static void sh_uas_drop(sh_uas_model_t *s, bool release_unacked, sh_exp_t *e)
{
    for (unsigned i = 0; i < s->qlen; i++) {
        prack_action_t *a = sh_exp_push(e, PRACK_ACT_DROP_1XX);
        a->status = s->q_status[i];
        a->flags = sh_release(s->q_user[i]);
        a->user = s->q_user[i];
        a->cseq = s->cseq;
    }
    s->qlen = 0;
    if (release_unacked && s->unacked && s->cur_user) {
        prack_action_t *a = sh_exp_push(e, PRACK_ACT_DROP_1XX);
        a->status = s->cur_status;
        a->rseq = s->unacked;
        a->flags = PRACK_AF_RELEASE;
        a->user = s->cur_user;
        a->cseq = s->cseq;
        s->cur_user = 0;
    }
}

/* The transaction ends with a final sent now; returns the index of SEND_FINAL. */
static uint32_t sh_uas_end(sh_uas_model_t *s, uint16_t status, uint32_t flags, sh_exp_t *e)
{
    if (s->state == PRACK_UAS_HELD)
        flags |= PRACK_AF_REPLACES_HELD;
    sh_uas_drop(s, true, e);
    s->state = PRACK_UAS_COMPLETED;
    s->final_status = status;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_SEND_FINAL);
    a->status = status;
    a->flags = flags;
    a->cseq = s->cseq;
    return e->n - 1u;
}

/* R20, applied first by every entry point whose now reached 64*T1. */
static bool sh_uas_timeout(sh_uas_model_t *s, prack_time_t now, sh_exp_t *e)
{
    if (!sh_uas_live(s) || !s->unacked || now < sh_uas_timeout_time(s))
        return false;
    uint32_t at = sh_uas_end(s, s->timeout_status, PRACK_AF_TIMEOUT, e);
    e->v[at].text = PRACK_TIMEOUT_TEXT;
    sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_TIMEOUT;
    return true;
}

static bool sh_cookie_held(const sh_uas_obs_t *o, uint64_t c)
{
    for (unsigned i = 0; i < o->n_held; i++)
        if (o->cookie[i] == c)
            return true;
    return false;
}

static void sh_cookie_release(sh_uas_obs_t *o, uint64_t c)
{
    for (unsigned i = 0; i < o->n_held; i++) {
        if (o->cookie[i] == c) {
            o->cookie[i] = o->cookie[--o->n_held];
            o->n_released++;
            return;
        }
    }
    SH_CHECK(false, "a cookie is released once, and only one the engine holds");
}

static bool sh_rack_invite(const prack_prack_t *pr, uint32_t cseq)
{
    return (pr->flags & PRACK_PR_RACK) && pr->rack_cseq == cseq && pr->method_len == 6 &&
           pr->method && memcmp(pr->method, "INVITE", 6) == 0;
}

/*
 * The invariants, checked on the actions actually produced and updating what
 * they said (o). They restate the RFC's and the header's rules and read
 * nothing of the model.
 */
static void sh_uas_invariants(sh_uas_obs_t *o, uint32_t t1, bool reliable,
                                     const sh_uas_call_t *c, const prack_actions_t *out)
{
    const prack_time_t now = c->now;
    const bool was_final = o->final;
    unsigned retx = 0, answers = 0, finals = 0, holds = 0;
    bool timeout_here = false, final_here = false, dropped_unacked = false;
    bool sent_here = false; /* at the saturated end of time a 1xx times out as it goes */

    if (c->kind == SH_CALL_1XX && c->user) {
        SH_CHECK(!sh_cookie_held(o, c->user), "the host gives each 1xx its own cookie");
        SH_CHECK(o->n_held < SH_COOKIES,
                 "the engine holds at most the unacknowledged and queued 1xx");
        o->cookie[o->n_held++] = c->user; /* accepted: the call succeeded */
    }
    for (uint32_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        bool overdue = !o->final && o->unacked && !sent_here &&
                       now >= sh_tadd(o->sent_at, 64u * (uint64_t)t1);
        if (overdue)
            SH_CHECK(a->type == PRACK_ACT_DROP_1XX ||
                         (a->type == PRACK_ACT_SEND_FINAL && (a->flags & PRACK_AF_TIMEOUT)),
                     "at 64*T1 without PRACK the timeout comes first, whatever the call (R20)");
        if (a->user)
            SH_CHECK(sh_cookie_held(o, a->user),
                     "an action carries only a cookie the engine holds: none after its release");
        if (a->flags & PRACK_AF_RELEASE) {
            SH_CHECK(a->user != 0, "never a release for cookie 0");
            SH_CHECK(a->type == PRACK_ACT_SEND_1XX || a->type == PRACK_ACT_ANSWER_PRACK ||
                         a->type == PRACK_ACT_DROP_1XX,
                     "a cookie comes back on an unreliable 1xx, the PRACK's answer or a drop");
            sh_cookie_release(o, a->user);
        }
        SH_CHECK(!(a->flags & (PRACK_AF_NEW_DIALOG | PRACK_AF_CACHED | PRACK_AF_AUTH |
                               PRACK_AF_DIALOG_GONE | PRACK_AF_OTHER_FORK)),
                 "a UAS sets only UAS flags");
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
            SH_CHECK(c->kind == SH_CALL_1XX || c->kind == SH_CALL_TIMER || c->kind == SH_CALL_PRACK,
                     "a 1xx goes from send_1xx, the timer or a PRACK that frees the queue");
            SH_CHECK(
                !o->final && !(o->held && !(a->flags & PRACK_AF_RETRANSMIT)),
                "no provisional after a final (R30), only retransmissions while a 2xx is held");
            SH_CHECK(a->status >= 100 && a->status <= 199, "a provisional is 1xx");
            if (!(a->flags & PRACK_AF_RELIABLE)) {
                SH_CHECK(c->kind == SH_CALL_1XX && a->status == c->status && a->user == c->user,
                         "an unreliable 1xx is the one the host sent");
                SH_CHECK(a->rseq == 0 && a->flags == sh_release(a->user),
                         "an unreliable 1xx has no RSeq and hands its cookie back at once");
                break;
            }
            SH_CHECK(a->status != 100, "100 is never reliable (R4)");
            SH_CHECK(reliable, "reliable only when 100rel was negotiated (R5)");
            SH_CHECK(a->rseq != 0, "a reliable 1xx has an RSeq");
            if (a->flags & PRACK_AF_RETRANSMIT) {
                SH_CHECK(a->flags == (PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT),
                         "retransmission flags");
                SH_CHECK(a->rseq == o->unacked && o->unacked != 0,
                         "only the unacknowledged 1xx is retransmitted: none after its PRACK");
                SH_CHECK(a->status == o->unacked_status && a->user == o->unacked_user,
                         "a retransmission is the same message, with its cookie");
                SH_CHECK(c->kind == SH_CALL_TIMER, "retransmissions come from the timer");
                /* the n-th no sooner than (2^n - 1) T1 after the send: T1, doubling (R14) */
                SH_CHECK(now >= sh_tadd(o->sent_at, (((uint64_t)2 << o->retx_this) - 1u) * t1),
                         "retransmissions from T1 with doubling intervals, never early (R14)");
                SH_CHECK(++retx == 1, "one retransmission per timer call, not a burst");
                SH_CHECK(++o->retx_this <= SH_MAX_RETX, "at most 6 retransmissions in 64*T1");
                break;
            }
            SH_CHECK(o->unacked == 0, "never two unacknowledged reliable 1xx (R22)");
            if (o->n_sent)
                SH_CHECK(a->rseq == o->last + 1u, "a new reliable 1xx has RSeq last + 1 (R24)");
            else
                SH_CHECK(a->rseq >= 1u && a->rseq <= 0x7FFFFFFFu, "first RSeq in 1..2^31-1 (R12)");
            if (a->flags & PRACK_AF_REFRESH) {
                SH_CHECK(a->flags == (PRACK_AF_RELIABLE | PRACK_AF_REFRESH), "refresh flags");
                SH_CHECK(c->kind == SH_CALL_TIMER && o->n_sent && o->qlen == 0,
                         "a refresh comes from the timer, after a reliable 1xx (R8)");
                SH_CHECK(a->user == 0 && a->sdp == PRACK_SDP_NONE && a->status == o->last_status,
                         "a refresh repeats the last status, without body or cookie");
            } else if (o->qlen) {
                SH_CHECK(a->flags == PRACK_AF_RELIABLE, "reliable 1xx flags");
                SH_CHECK(c->kind == SH_CALL_PRACK && a->user == o->q_user[0] &&
                             a->status == o->q_status[0],
                         "the queue goes out in order once the PRACK came (R21, R23)");
                o->qlen--;
                memmove(o->q_user, o->q_user + 1, o->qlen * sizeof(o->q_user[0]));
                memmove(o->q_status, o->q_status + 1, o->qlen * sizeof(o->q_status[0]));
            } else {
                SH_CHECK(a->flags == PRACK_AF_RELIABLE, "reliable 1xx flags");
                SH_CHECK(c->kind == SH_CALL_1XX && a->status == c->status && a->user == c->user,
                         "a reliable 1xx is the one the host sent");
            }
            o->last = a->rseq;
            o->n_sent++;
            o->unacked = a->rseq;
            o->unacked_sdp = a->sdp != PRACK_SDP_NONE;
            o->unacked_status = a->status;
            o->unacked_user = a->user;
            o->last_status = a->status;
            o->sent_at = now;
            o->retx_this = 0;
            sent_here = true;
            break;
        case PRACK_ACT_QUEUE_1XX:
            SH_CHECK(c->kind == SH_CALL_1XX && a->status == c->status && a->user == c->user &&
                         a->flags == 0 && a->rseq == 0,
                     "the queued 1xx is the one the host sent, with its cookie");
            SH_CHECK(!o->final && !o->held, "no 1xx queued after a final");
            SH_CHECK(o->unacked != 0, "queued only behind an unacknowledged 1xx (R22)");
            SH_CHECK(o->qlen < PRACK_UAS_QUEUE_MAX, "at most PRACK_UAS_QUEUE_MAX queued");
            o->q_user[o->qlen] = a->user;
            o->q_status[o->qlen] = a->status;
            o->qlen++;
            break;
        case PRACK_ACT_HOLD_FINAL:
            SH_CHECK(c->kind == SH_CALL_FINAL && a->status == c->status,
                     "the held final is the host's");
            SH_CHECK(!o->final && !o->held && ++holds == 1, "one final");
            SH_CHECK(a->status >= 200 && a->status <= 299, "only a 2xx is held");
            SH_CHECK(o->unacked != 0 && o->unacked_sdp && a->rseq == o->unacked,
                     "held behind the unacknowledged SDP 1xx (R27)");
            SH_CHECK(o->qlen == 0, "queued 1xx are dropped when the 2xx is held (R30)");
            o->held = true;
            break;
        case PRACK_ACT_SEND_FINAL:
            SH_CHECK(!o->final && ++finals == 1, "one final");
            SH_CHECK(a->status >= 200 && a->status <= 699, "a final is 2xx-6xx");
            if (a->status < 300)
                SH_CHECK(o->unacked == 0 || !o->unacked_sdp,
                         "no 2xx while an SDP reliable 1xx is unacknowledged (R27, R54)");
            SH_CHECK(!(a->flags & PRACK_AF_RELEASED) || (o->held && c->kind == SH_CALL_PRACK),
                     "only a held 2xx is released, by the PRACK");
            SH_CHECK(!(a->flags & PRACK_AF_REPLACES_HELD) || o->held,
                     "only a held 2xx is replaced");
            SH_CHECK(!o->held || (a->flags & (PRACK_AF_RELEASED | PRACK_AF_REPLACES_HELD)),
                     "a held 2xx is released or replaced, never forgotten");
            if (a->flags & PRACK_AF_TIMEOUT) {
                SH_CHECK(o->unacked != 0 && now >= sh_tadd(o->sent_at, 64u * (uint64_t)t1),
                         "timeout only with an unacknowledged 1xx, not before 64*T1 (R20)");
                SH_CHECK(a->status >= 500 && a->status <= 599, "the timeout final is a 5xx (R20)");
                timeout_here = true;
            } else if (c->kind == SH_CALL_INIT) {
                SH_CHECK((a->status == 420 && a->flags == PRACK_AF_UNSUPPORTED_100REL) ||
                             (a->status == 421 && a->flags == PRACK_AF_REQUIRE_100REL),
                         "negotiation fails with 420 or 421 (R3)");
            } else if (c->kind == SH_CALL_CANCEL) {
                SH_CHECK(a->status == 487 && (a->flags & PRACK_AF_CANCELLED), "CANCEL gives 487");
            } else if (c->kind == SH_CALL_FINAL) {
                SH_CHECK(a->status == c->status && !(a->flags & ~(uint32_t)PRACK_AF_REPLACES_HELD),
                         "the final is the host's");
            } else {
                SH_CHECK(c->kind == SH_CALL_PRACK && (a->flags & PRACK_AF_RELEASED),
                         "a final goes only when asked for, released, or at the timeout");
            }
            SH_CHECK(o->qlen == 0, "queued 1xx are dropped before the final (R30)");
            SH_CHECK(
                o->unacked_user == 0,
                "the final stops retransmissions (R28): the unacknowledged 1xx is released first");
            o->final = true;
            o->held = false;
            final_here = true;
            break;
        case PRACK_ACT_ANSWER_PRACK: {
            const prack_prack_t *pr = c->pr;
            SH_CHECK(c->kind == SH_CALL_PRACK && ++answers == 1, "one answer per PRACK");
            SH_CHECK(a->sdp == PRACK_SDP_NONE || (a->status == 200 && a->sdp == PRACK_SDP_ANSWER),
                     "a PRACK's answer carries at most the SDP answer");
            bool same = sh_rack_invite(pr, o->cseq);
            bool m_unacked = same && o->unacked && pr->rack_rseq == o->unacked;
            bool m_dup =
                same && o->acked && pr->rack_rseq == o->ack_rseq && pr->cseq == o->ack_cseq;
            if (!(pr->flags & PRACK_PR_RACK)) {
                SH_CHECK(a->status == 400 && a->reason == PRACK_R_BAD_RACK && a->rseq == 0 &&
                             a->user == 0 && a->flags == 0,
                         "a PRACK without a valid RAck gets 400");
            } else if (m_unacked) {
                SH_CHECK(a->status == 200 && a->reason == PRACK_R_NONE && a->rseq == o->unacked,
                         "a PRACK for the unacknowledged 1xx gets 200 (R17)");
                SH_CHECK(a->user == o->unacked_user && a->flags == sh_release(a->user),
                         "the 200 hands back the 1xx's cookie, unless a drop already did");
                o->acked = true;
                o->ack_rseq = o->unacked;
                o->ack_cseq = pr->cseq;
                o->unacked = 0;
                o->unacked_sdp = false;
                o->unacked_user = 0;
            } else if (m_dup) {
                SH_CHECK(a->status == 200 && a->reason == PRACK_R_DUPLICATE &&
                             a->rseq == o->ack_rseq && a->user == 0 && a->flags == 0,
                         "a retransmission of the PRACK that acknowledged the latest RSeq gets 200 "
                         "again");
            } else {
                uint32_t r32 = pr->rack_rseq <= UINT32_MAX ? (uint32_t)pr->rack_rseq : 0u;
                SH_CHECK(a->status == 481 && a->reason == PRACK_R_NO_MATCH && a->rseq == r32 &&
                             a->user == 0 && a->flags == 0 && a->sdp == PRACK_SDP_NONE,
                         "any other PRACK, a new one for an acknowledged RSeq too, gets 481 (R16)");
            }
            break;
        }
        case PRACK_ACT_DROP_1XX:
            SH_CHECK(c->kind != SH_CALL_INIT, "nothing to drop at init");
            SH_CHECK(a->status >= 100 && a->status <= 199 && a->flags == sh_release(a->user),
                     "a drop hands back the 1xx's cookie, if it has one");
            if (a->rseq) {
                SH_CHECK(
                    !o->final && a->rseq == o->unacked && a->user && a->user == o->unacked_user &&
                        a->status == o->unacked_status,
                    "only the unacknowledged 1xx is dropped with its RSeq, when it has a cookie");
                o->unacked_user = 0;
                dropped_unacked = true;
            } else if (o->qlen) {
                SH_CHECK(a->user == o->q_user[0] && a->status == o->q_status[0],
                         "the queue is dropped in order");
                o->qlen--;
                memmove(o->q_user, o->q_user + 1, o->qlen * sizeof(o->q_user[0]));
                memmove(o->q_status, o->q_status + 1, o->qlen * sizeof(o->q_status[0]));
            } else {
                SH_CHECK(c->kind == SH_CALL_1XX && timeout_here && a->user == c->user &&
                             a->status == c->status,
                         "a 1xx sent at or after the timeout comes back dropped");
            }
            break;
        case PRACK_ACT_EVENT:
            SH_CHECK(a->reason == PRACK_R_SESSION || a->reason == PRACK_R_TIMEOUT ||
                         a->reason == PRACK_R_ANSWER_MISSING || a->reason == PRACK_R_SDP_UNEXPECTED,
                     "UAS events");
            if (a->reason == PRACK_R_TIMEOUT)
                SH_CHECK(i > 0 && out->v[i - 1u].type == PRACK_ACT_SEND_FINAL &&
                             (out->v[i - 1u].flags & PRACK_AF_TIMEOUT),
                         "the timeout event follows the timeout final");
            break;
        default:
            SH_CHECK(false, "a UAS produces UAS actions only");
        }
    }
    if (dropped_unacked)
        SH_CHECK(final_here, "the unacknowledged 1xx is dropped only because a final went (R28)");
    if (c->kind == SH_CALL_CANCEL) {
        if (was_final)
            SH_CHECK(out->n == 0, "a CANCEL after any final changes nothing (RFC 3261 9.2)");
        else
            SH_CHECK(finals == 1, "a CANCEL before the final ends the INVITE");
    }
    if (c->kind == SH_CALL_PRACK)
        SH_CHECK(answers == 1, "every PRACK gets an answer");
    if (c->kind == SH_CALL_FINAL)
        SH_CHECK(finals + holds == 1, "a final goes, waits, or the timeout's went in its place");
    SH_CHECK(
        !(!o->final && o->unacked && !sent_here && now >= sh_tadd(o->sent_at, 64u * (uint64_t)t1)),
        "after any UAS call at or past 64*T1 without PRACK, the INVITE is over (R20)");
    /* cookies the engine may hold: the unacknowledged 1xx's while the INVITE
     * is live (a held 2xx included) and the queued ones */
    SH_CHECK(!o->final || (o->qlen == 0 && o->unacked_user == 0),
             "after the final no cookie is held");
    SH_CHECK(!o->held || o->qlen == 0, "nothing queued behind a held 2xx");
    unsigned expect = o->unacked_user ? 1u : 0u;
    if (o->unacked_user)
        SH_CHECK(sh_cookie_held(o, o->unacked_user), "the unacknowledged 1xx's cookie is held");
    for (unsigned i = 0; i < o->qlen; i++) {
        if (o->q_user[i]) {
            SH_CHECK(sh_cookie_held(o, o->q_user[i]), "a queued 1xx's cookie is held");
            expect++;
        }
    }
    SH_CHECK(o->n_held == expect,
             "every cookie not on the unacknowledged or a queued 1xx was released exactly once");
}

typedef struct sh_uas_view {
    unsigned state, queued;
    uint32_t unacked;
    bool reliable;
    prack_time_t deadline;
    prack_uas_stats_t st;
} sh_uas_view_t;

static void sh_uas_view(const prack_uas_t *u, sh_uas_view_t *v)
{
    memset(v, 0, sizeof(*v));
    v->state = prack_uas_state(u);
    v->queued = prack_uas_queued(u);
    v->unacked = prack_uas_unacked(u);
    v->reliable = prack_uas_reliable(u);
    v->deadline = prack_next_deadline(u);
    SH_CHECK(prack_uas_counters(u, &v->st) == PRACK_OK, "counters readable");
}

/* Getters, guards and slots against the model, after every call. */
static void sh_uas_after(sh_uas_t *s)
{
    SH_SLOT_CHECK(s->box, sh_uas_tmpl, s->at, e, "the UAS engine");
    if (!s->m.ready)
        return;
    /* each getter read once: in the libFuzzer build every library call costs its tracing */
    const prack_uas_t *u = sh_uas_engine(s);
    const uint32_t queued = prack_uas_queued(u);
    const unsigned state = prack_uas_state(u);
    SH_CHECK(queued <= s->m.qmax, "queue within queue_max");
    SH_CHECK(prack_uas_unacked(u) == s->obs.unacked, "prack_uas_unacked() is the outstanding RSeq");
    SH_CHECK(sh_named(prack_uas_state_name(state)), "state has a name");
    if (!sh_model())
        return;
    const prack_time_t deadline = prack_next_deadline(u);
    SH_CHECK((int)state == s->m.state, "prack_uas_state() as documented");
    SH_CHECK(prack_uas_reliable(u) == s->m.reliable, "prack_uas_reliable() as negotiated");
    SH_CHECK(queued == s->m.qlen, "prack_uas_queued() is the queue length");
    SH_CHECK(deadline == sh_uas_deadline(&s->m), "prack_next_deadline() as documented");
    if (sh_uas_live(&s->m) && s->m.unacked)
        SH_CHECK(deadline <= sh_uas_timeout_time(&s->m),
                 "a live unacknowledged 1xx always has a deadline by 64*T1 (no 2xx held forever)");
    prack_uas_stats_t st;
    SH_CHECK(prack_uas_counters(u, &st) == PRACK_OK, "counters readable");
    SH_CHECK(st.reliable_sent == s->m.n_sent, "reliable_sent counts new reliable 1xx");
    SH_CHECK(st.acknowledged == s->m.n_sent - (s->m.unacked ? 1u : 0u), "acknowledged counter");
    SH_CHECK(st.retransmissions == (s->m.n_retx > 65535u ? 65535u : s->m.n_retx),
             "retransmissions counter");
    SH_CHECK(st.rejected_pracks == (s->m.n_rej > 65535u ? 65535u : s->m.n_rej),
             "rejected_pracks counter");
}

/*
 * The host moves the engine: memcpy to another slot, the old bytes
 * overwritten. Nothing the getters say may change, and the model goes on
 * checking every later call.
 */
void sh_uas_move(sh_uas_t *s, unsigned want)
{
    unsigned to = sh_slot_to(s->at, want);
    sh_uas_view_t v1, v2;
    if (s->m.ready)
        sh_uas_view(sh_uas_engine(s), &v1);
    memcpy(&s->box[to].e, &s->box[s->at].e, sizeof(prack_uas_t));
    memset(&s->box[s->at].e, SH_MOVED_BYTE, sizeof(prack_uas_t));
    s->at = to;
    if (s->m.ready) {
        sh_uas_view(sh_uas_engine(s), &v2);
        SH_CHECK(memcmp(&v1, &v2, sizeof(v1)) == 0,
                 "a UAS engine moved with memcpy is the same engine");
    }
    sh_uas_after(s);
}

/*
 * Judge a call: s still holds the shadow state from before it (and the live
 * engine); model is the state the documentation says it moves to.
 */
static void sh_uas_commit(sh_uas_t *s, const prack_uas_t *before, int rc, unsigned errs,
                          const sh_exp_t *e, prack_actions_t *out, const sh_uas_call_t *c,
                          const sh_uas_model_t *model)
{
    sh_batch_sane(rc, out);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK) {
        sh_exp_compare(e, out);
        sh_uas_invariants(&s->obs, model->t1, model->reliable, c, out);
        sh_copy(&s->m, model, sizeof(s->m));
        if (c->now > s->m.now_max)
            s->m.now_max = c->now;
    } else if (s->m.ready) {
        SH_CHECK(memcmp(before, sh_uas_engine(s), sizeof(*before)) == 0,
                 "a failing call leaves the engine unchanged");
    }
    sh_uas_after(s);
}

/* A NULL cfg means the defaults. */
int sh_uas_init(sh_uas_t *s, const prack_config_t *cfg, const prack_invite_t *inv,
                              uint32_t random, prack_time_t now, prack_actions_t *out)
{
    prack_config_t def;
    prack_config_init(&def);
    sh_templates();
    memset(s, 0, sizeof(*s));
    SH_SLOTS_FILL(s->box, e);
    s->at = 0;

    unsigned errs = 0;
    if (!sh_config_valid(cfg) || (inv->flags & ~7u) || now == PRACK_TIME_NONE)
        errs = SH_E(PRACK_ERR_INVAL);
    const prack_config_t *c = cfg ? cfg : &def;

    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    if (!errs) {
        m->ready = true;
        m->cseq = inv->cseq;
        m->t1 = c->t1_ms;
        m->refresh_ms = c->refresh_ms / 1000u * 1000u;
        m->timeout_status = c->timeout_status;
        m->qmax = c->queue_max;
        m->first = 1u + random % 0x7FFFFFFFu;
        m->sent_at = now;
        m->now_max = now;
        m->state = PRACK_UAS_PROCEEDING;
        m->oa = (inv->flags & PRACK_INV_SDP) ? SH_OA_OFFER_RCVD : SH_OA_NONE;
        bool listed = (inv->flags & 3u) != 0;
        bool required = (inv->flags & PRACK_INV_REQUIRE_100REL) != 0;
        if (c->policy == PRACK_POLICY_OFF) {
            if (required) {
                m->state = PRACK_UAS_REJECTED;
                m->final_status = 420;
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
                a->status = 420;
                a->flags = PRACK_AF_UNSUPPORTED_100REL;
                a->cseq = m->cseq;
            }
        } else if (c->policy == PRACK_POLICY_REQUIRED && !listed) {
            m->state = PRACK_UAS_REJECTED;
            m->final_status = 421;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_FINAL);
            a->status = 421;
            a->flags = PRACK_AF_REQUIRE_100REL;
            a->cseq = m->cseq;
        } else {
            m->reliable = listed;
            m->required = required;
        }
    }
    s->obs.cseq = inv->cseq; /* what the host knows of its INVITE */
    s->obs.sent_at = now;
    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_uas_init(sh_uas_engine(s), cfg, inv, random, now, out);
    sh_trace(now, rc, out, "uas_init");
    sh_uas_call_t call = {SH_CALL_INIT, now, 0, 0, NULL};
    if (rc == PRACK_OK && !sh_model() && !m->ready) {
        /* what the model would have supplied: the settings, from the header's rules */
        m->ready = true;
        m->t1 = c->t1_ms;
        m->qmax = PRACK_UAS_QUEUE_MAX;
    }
    if (rc == PRACK_OK && !sh_model())
        m->reliable = prack_uas_reliable(sh_uas_engine(s));
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    if (rc != PRACK_OK)
        SH_CHECK(memcmp(&before, sh_uas_engine(s), sizeof(before)) == 0,
                 "a failing init leaves the engine unchanged");
    return rc;
}

/* The errors a 1xx meets on a transaction the timeout has not ended. */
static unsigned sh_uas_1xx_errs(const sh_uas_model_t *s, uint16_t status, bool sdp, bool reliable)
{
    if (!reliable || s->state != PRACK_UAS_PROCEEDING || status == 100)
        return 0;
    if (s->oa == SH_OA_NONE && !sdp)
        return SH_E(PRACK_ERR_OFFER_REQUIRED);
    if (s->unacked) {
        if (s->qlen >= s->qmax)
            return SH_E(PRACK_ERR_QUEUE_FULL);
        if ((uint64_t)s->last + 1u + s->qlen + 1u > UINT32_MAX)
            return SH_E(PRACK_ERR_RANGE);
        return 0;
    }
    if (s->n_sent && (uint64_t)s->last + 1u >= UINT32_MAX)
        return SH_E(PRACK_ERR_RANGE);
    return 0;
}

int sh_uas_send_1xx(sh_uas_t *s, prack_time_t now, uint16_t status, uint32_t flags,
                                  uint64_t user, prack_actions_t *out)
{
    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = sh_uas_clock(&s->m, now);
    bool sdp = (flags & PRACK_1XX_SDP) != 0;
    bool reliable =
        status != 100 && s->m.reliable && (!(flags & PRACK_1XX_UNRELIABLE) || s->m.required);
    if (status < 100 || status > 199 || (flags & ~3u) || (status == 100 && sdp))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (s->m.state != PRACK_UAS_PROCEEDING)
        errs |= SH_E(PRACK_ERR_STATE);
    if (errs) {
        errs |= sh_uas_1xx_errs(&s->m, status, sdp, reliable);
    } else if (sh_uas_timeout(m, now, &e)) {
        /* the timeout ended the INVITE first: this 1xx will never go */
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_DROP_1XX);
        a->status = status;
        a->flags = sh_release(user);
        a->user = user;
        a->cseq = s->m.cseq;
    } else if ((errs = sh_uas_1xx_errs(&s->m, status, sdp, reliable)) != 0) {
        /* refused: nothing changes */
    } else if (!reliable) {
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_1XX);
        uint32_t at = e.n - 1u;
        a->status = status;
        a->flags = sh_release(user);
        a->cseq = s->m.cseq;
        a->user = user;
        e.v[at].sdp = (uint8_t)sh_uas_prov_sdp(m, sdp, false, &e);
    } else if (s->m.unacked) {
        m->q_user[m->qlen] = user;
        m->q_status[m->qlen] = status;
        m->q_sdp[m->qlen] = sdp;
        m->qlen++;
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_QUEUE_1XX);
        a->status = status;
        a->cseq = s->m.cseq;
        a->user = user;
    } else {
        sh_uas_send_new(m, now, status, sdp, user, 0, &e);
    }

    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_uas_send_1xx(sh_uas_engine(s), now, status, flags, user, out);
    sh_trace(now, rc, out, "uas_send_1xx");
    sh_uas_call_t call = {SH_CALL_1XX, now, status, user, NULL};
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    return rc;
}

int sh_uas_send_final(sh_uas_t *s, prack_time_t now, uint16_t status,
                                    prack_actions_t *out)
{
    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = sh_uas_clock(&s->m, now);
    if (status < 200 || status > 699)
        errs |= SH_E(PRACK_ERR_INVAL);
    if ((s->m.state == PRACK_UAS_HELD && status < 300) || !sh_uas_live(&s->m))
        errs |= SH_E(PRACK_ERR_STATE);
    if (errs) {
        /* nothing to model */
    } else if (sh_uas_timeout(m, now, &e)) {
        /* the timeout's final went instead */
    } else if (s->m.state == PRACK_UAS_HELD) {
        /* the callee gave up while the 2xx waited: the failure goes at once */
        sh_uas_end(m, status, 0, &e);
    } else if (status < 300 && s->m.unacked && s->m.unacked_sdp) {
        /* R26, R27, R54: the 2xx waits; queued 1xx never go (R30) */
        m->state = PRACK_UAS_HELD;
        sh_uas_drop(m, false, &e);
        m->final_status = status;
        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_HOLD_FINAL);
        a->status = status;
        a->rseq = s->m.unacked;
        a->cseq = s->m.cseq;
    } else {
        uint32_t at = sh_uas_end(m, status, 0, &e);
        e.v[at].sdp = (uint8_t)sh_uas_final_sdp(m, status, &e);
    }
    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_uas_send_final(sh_uas_engine(s), now, status, out);
    sh_trace(now, rc, out, "uas_send_final");
    sh_uas_call_t call = {SH_CALL_FINAL, now, status, 0, NULL};
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    return rc;
}

int sh_uas_cancel(sh_uas_t *s, prack_time_t now, prack_actions_t *out)
{
    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = sh_uas_clock(&s->m, now);
    if (!errs && !sh_uas_timeout(m, now, &e) && sh_uas_live(&s->m))
        sh_uas_end(m, 487, PRACK_AF_CANCELLED, &e);
    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_uas_cancel(sh_uas_engine(s), now, out);
    sh_trace(now, rc, out, "uas_cancel");
    sh_uas_call_t call = {SH_CALL_CANCEL, now, 0, 0, NULL};
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    return rc;
}

/* The PRACK that acknowledges the unacknowledged 1xx (R17-R19, R50-R54, R21). */
static void sh_uas_acknowledge(sh_uas_model_t *m, prack_time_t now, const prack_prack_t *pr,
                                      sh_exp_t *e)
{
    bool had_sdp = m->unacked_sdp, had_answer = m->unacked_answer;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_ANSWER_PRACK);
    uint32_t at = e->n - 1u;
    a->status = 200;
    a->rseq = m->unacked;
    a->cseq = m->cseq;
    a->user = m->cur_user;
    a->flags = sh_release(m->cur_user);
    m->acked = true;
    m->ack_rseq = m->unacked;
    m->ack_cseq = pr->cseq;
    m->ack_answer = false;
    m->cur_user = 0;
    m->unacked = 0;
    m->unacked_sdp = m->unacked_answer = false;
    m->slot = 0;
    /* after a failure final the early dialog is over (RFC 3261 12.3): no offer/answer */
    bool dead = m->state == PRACK_UAS_COMPLETED && m->final_status >= 300;
    if (dead) {
        /* acknowledged, nothing more */
    } else if (pr->flags & PRACK_PR_SDP) {
        if (m->oa == SH_OA_OFFER_SENT) { /* R50 */
            m->oa = SH_OA_DONE;
            sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        } else if (had_answer) { /* R51, R52; RFC 6337 2.2 */
            e->v[at].sdp = PRACK_SDP_ANSWER;
            m->ack_answer = true;
            sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SESSION;
        } else {
            sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_SDP_UNEXPECTED;
        }
    } else if (had_sdp && m->oa == SH_OA_OFFER_SENT) {
        sh_exp_push(e, PRACK_ACT_EVENT)->reason = PRACK_R_ANSWER_MISSING;
    }
    if (m->state == PRACK_UAS_HELD) {
        m->state = PRACK_UAS_COMPLETED;
        prack_action_t *f = sh_exp_push(e, PRACK_ACT_SEND_FINAL);
        uint32_t fat = e->n - 1u;
        f->status = m->final_status;
        f->flags = PRACK_AF_RELEASED;
        f->cseq = m->cseq;
        e->v[fat].sdp = (uint8_t)sh_uas_final_sdp(m, m->final_status, e);
    } else if (m->state == PRACK_UAS_PROCEEDING && m->qlen) {
        uint16_t st = m->q_status[0];
        bool qs = m->q_sdp[0];
        uint64_t us = m->q_user[0];
        m->qlen--;
        memmove(m->q_user, m->q_user + 1, m->qlen * sizeof(m->q_user[0]));
        memmove(m->q_status, m->q_status + 1, m->qlen * sizeof(m->q_status[0]));
        memmove(m->q_sdp, m->q_sdp + 1, m->qlen * sizeof(m->q_sdp[0]));
        sh_uas_send_new(m, now, st, qs, us, 0, e);
    }
}

int sh_uas_prack(sh_uas_t *s, prack_time_t now, const prack_prack_t *pr,
                               prack_actions_t *out)
{
    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = sh_uas_clock(&s->m, now);
    if ((pr->flags & ~3u) || ((pr->flags & PRACK_PR_RACK) && !pr->method && pr->method_len))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (!errs) {
        sh_uas_timeout(m, now, &e); /* a PRACK after 64*T1 meets the 5xx (R20, R29) */
        bool same = sh_rack_invite(pr, m->cseq);
        uint32_t r32 = pr->rack_rseq <= UINT32_MAX ? (uint32_t)pr->rack_rseq : 0u;
        if (!(pr->flags & PRACK_PR_RACK)) {
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_ANSWER_PRACK);
            a->status = 400;
            a->reason = PRACK_R_BAD_RACK;
            a->cseq = m->cseq;
            m->n_rej++;
        } else if (same && m->unacked && pr->rack_rseq == m->unacked) {
            sh_uas_acknowledge(m, now, pr, &e);
        } else if (same && m->acked && pr->rack_rseq == m->ack_rseq && pr->cseq == m->ack_cseq) {
            /* the same PRACK again: the same answer */
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_ANSWER_PRACK);
            a->status = 200;
            a->reason = PRACK_R_DUPLICATE;
            a->rseq = r32;
            a->cseq = m->cseq;
            a->sdp = m->ack_answer ? PRACK_SDP_ANSWER : PRACK_SDP_NONE;
        } else {
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_ANSWER_PRACK);
            a->status = 481;
            a->reason = PRACK_R_NO_MATCH;
            a->rseq = r32;
            a->cseq = m->cseq;
            m->n_rej++;
        }
    }
    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_uas_on_prack(sh_uas_engine(s), now, pr, out);
    sh_trace(now, rc, out, "uas_on_prack");
    sh_uas_call_t call = {SH_CALL_PRACK, now, 0, 0, pr};
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    return rc;
}

int sh_uas_timer(sh_uas_t *s, prack_time_t now, prack_actions_t *out)
{
    sh_uas_model_t model, *m = &model;
    sh_copy(&model, &s->m, sizeof(model));
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = sh_uas_clock(&s->m, now);
    /*
     * Work through whatever is due, as the header promises the deadline is past
     * now afterwards: a refresh arms a retransmission after now, which only the
     * saturated end of time can make due at once.
     */
    bool retransmitted = false;
    for (int pass = 0; !errs && pass < 8; pass++) {
        prack_time_t due = sh_uas_deadline(m);
        if (due == PRACK_TIME_NONE || due > now)
            break;
        if (m->unacked) {
            if (sh_uas_timeout(m, now, &e))
                break;
            if (!retransmitted) {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_1XX);
                a->status = m->cur_status;
                a->flags = PRACK_AF_RELIABLE | PRACK_AF_RETRANSMIT;
                a->rseq = m->unacked;
                a->cseq = m->cseq;
                a->user = m->cur_user;
                m->n_retx++;
                retransmitted = true;
            }
            do
                m->slot++;
            while (m->slot < 7u && sh_uas_retx_time(m, m->slot + 1u) <= now);
            continue;
        }
        if ((uint64_t)m->last + 1u >= UINT32_MAX) {
            m->refresh_ms = 0;
            break;
        }
        sh_uas_send_new(m, now, m->cur_status, false, 0, PRACK_AF_REFRESH, &e);
    }
    prack_uas_t before;
    sh_copy(&before, sh_uas_engine(s), sizeof(before));
    sh_poison(out, e.n);
    int rc = prack_on_timer(sh_uas_engine(s), now, out);
    sh_trace(now, rc, out, "on_timer");
    sh_uas_call_t call = {SH_CALL_TIMER, now, 0, 0, NULL};
    sh_uas_commit(s, &before, rc, errs, &e, out, &call, m);
    if (rc == PRACK_OK) {
        prack_time_t d = prack_next_deadline(sh_uas_engine(s));
        SH_CHECK(d == PRACK_TIME_NONE || d > now,
                 "after the timer at now, the next deadline is later than now or none");
    }
    return rc;
}

/* ========================================================================= */
/* UAC                                                                        */
/* ========================================================================= */

enum { SH_UOA_UNSET, SH_UOA_NONE, SH_UOA_OFFER_SENT, SH_UOA_DONE, SH_UOA_PRACK_OFFER };

static bool sh_dlg_used(const sh_dlg_model_t *d)
{
    return d->seen || d->confirmed || d->oa != SH_UOA_UNSET;
}

static void sh_dlg_forget(sh_dlg_model_t *d)
{
    d->owner = 0;
    d->seen = d->confirmed = d->may_offer = false;
    d->last = 0;
    d->cache = d->cache_sdp = 0;
    d->oa = SH_UOA_UNSET;
    memset(d->auth, 0, sizeof(d->auth));
    d->offer_rseq = 0;
}

static void sh_uac_after(sh_uac_t *s)
{
    SH_SLOT_CHECK(s->box, sh_uac_tmpl, s->at, u, "the UAC engine");
    for (int i = 0; i < SH_DLG_MAX; i++) {
        sh_dlg_t *d = &s->dlg[i];
        SH_SLOT_CHECK(d->box, sh_dlg_tmpl, d->at, d, "the UAC engine's dialog state");
        if (sh_model())
            SH_CHECK(prack_uac_dialog_rseq(sh_uac_dialog(s, i)) == (d->m.seen ? d->m.last : 0u),
                     "prack_uac_dialog_rseq() is the last in-order RSeq (R41)");
    }
    if (!s->m.ready || !sh_model())
        return;
    const prack_uac_t *u = sh_uac_engine(s);
    const unsigned state = prack_uac_state(u);
    SH_CHECK((int)state == s->m.state, "prack_uac_state() as documented");
    SH_CHECK(sh_named(prack_uac_state_name(state)), "state has a name");
    unsigned opt = s->policy == PRACK_POLICY_SUPPORTED  ? PRACK_OPTION_SUPPORTED
                   : s->policy == PRACK_POLICY_REQUIRED ? PRACK_OPTION_REQUIRE
                                                        : PRACK_OPTION_NONE;
    SH_CHECK(prack_uac_option(u) == opt, "prack_uac_option() follows the policy (R32)");
    prack_uac_stats_t st;
    SH_CHECK(prack_uac_counters(u, &st) == PRACK_OK, "counters readable");
    SH_CHECK(st.pracks_sent == s->m.n_prack && st.discarded == s->m.n_discard &&
                 st.pracks_ok == s->m.n_ok && st.pracks_failed == s->m.n_failed,
             "UAC counters as documented");
}

typedef struct sh_uac_view {
    unsigned state, option;
    prack_uac_stats_t st;
    uint32_t rseq[SH_DLG_MAX];
} sh_uac_view_t;

static void sh_uac_view(sh_uac_t *s, sh_uac_view_t *v)
{
    memset(v, 0, sizeof(*v));
    v->state = prack_uac_state(sh_uac_engine(s));
    v->option = prack_uac_option(sh_uac_engine(s));
    SH_CHECK(prack_uac_counters(sh_uac_engine(s), &v->st) == PRACK_OK, "counters readable");
    for (int i = 0; i < SH_DLG_MAX; i++)
        v->rseq[i] = prack_uac_dialog_rseq(sh_uac_dialog(s, i));
}

/* The host moves the UAC engine (di < 0) or dialog di's state with memcpy. */
void sh_uac_move(sh_uac_t *s, int di, unsigned want)
{
    sh_uac_view_t v1, v2;
    sh_uac_view(s, &v1);
    if (di < 0 || di >= SH_DLG_MAX) {
        unsigned to = sh_slot_to(s->at, want);
        memcpy(&s->box[to].u, &s->box[s->at].u, sizeof(prack_uac_t));
        memset(&s->box[s->at].u, SH_MOVED_BYTE, sizeof(prack_uac_t));
        s->at = to;
    } else {
        sh_dlg_t *d = &s->dlg[di];
        unsigned to = sh_slot_to(d->at, want);
        memcpy(&d->box[to].d, &d->box[d->at].d, sizeof(prack_uac_dialog_t));
        memset(&d->box[d->at].d, SH_MOVED_BYTE, sizeof(prack_uac_dialog_t));
        d->at = to;
    }
    sh_uac_view(s, &v2);
    SH_CHECK(memcmp(&v1, &v2, sizeof(v1)) == 0,
             "a UAC engine or dialog moved with memcpy is the same");
    sh_uac_after(s);
}

/*
 * Start the engine for an INVITE. With keep_dialogs the dialog states stay as
 * an earlier INVITE transaction left them (a re-INVITE on the same dialogs);
 * otherwise they are fresh, and s may hold anything.
 */
int sh_uac_begin(sh_uac_t *s, bool keep_dialogs, const prack_config_t *cfg,
                               uint32_t cseq, uint32_t flags, prack_time_t now)
{
    prack_config_t def;
    prack_config_init(&def);
    if (!keep_dialogs) {
        sh_templates();
        memset(s, 0, sizeof(*s));
        for (int i = 0; i < SH_DLG_MAX; i++) {
            sh_dlg_t *d = &s->dlg[i];
            SH_SLOTS_FILL(d->box, d);
            SH_CHECK(prack_uac_dialog_init(&d->box[0].d) == PRACK_OK, "dialog init");
        }
        SH_SLOTS_FILL(s->box, u);
    }
    bool valid = sh_config_valid(cfg) && !(flags & ~1u) && now != PRACK_TIME_NONE;
    const prack_config_t *c = cfg ? cfg : &def;
    prack_uac_t before;
    sh_copy(&before, sh_uac_engine(s), sizeof(before));
    int rc = prack_uac_init(sh_uac_engine(s), cfg, cseq, flags, now);
    sh_trace(now, rc, NULL, "uac_init cseq %u", (unsigned)cseq);
    sh_check_rc(rc, valid ? 0u : SH_E(PRACK_ERR_INVAL));
    if (rc == PRACK_OK) {
        s->m.ready = true;
        s->m.cseq = s->obs_cseq = cseq;
        s->invite_sdp = (flags & PRACK_UAC_INVITE_SDP) != 0;
        s->after_2xx = c->prack_after_2xx != 0;
        s->cache = c->cache_out_of_order != 0;
        s->policy = c->policy;
        s->failure = c->on_prack_failure;
        s->auth_max = c->auth_max;
        s->m.state = s->obs_state = PRACK_UAC_CALLING;
        s->m.last_now = now;
        s->m.n_prack = s->m.n_discard = s->m.n_ok = s->m.n_failed = 0;
    } else {
        SH_CHECK(memcmp(&before, sh_uac_engine(s), sizeof(before)) == 0,
                 "a failing init leaves the engine unchanged");
    }
    sh_uac_after(s);
    return rc;
}

int sh_uac_init(sh_uac_t *s, const prack_config_t *cfg, uint32_t cseq, uint32_t flags,
                              prack_time_t now)
{
    return sh_uac_begin(s, false, cfg, cseq, flags, now);
}

static void sh_uac_dialog_start(const sh_uac_t *s, sh_dlg_model_t *d)
{
    if (d->oa == SH_UOA_UNSET)
        d->oa = s->invite_sdp ? SH_UOA_OFFER_SENT : SH_UOA_NONE;
}

static void sh_uac_event(sh_exp_t *e, prack_reason_t r, uint16_t status, uint32_t rseq)
{
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_EVENT);
    a->reason = (uint8_t)r;
    a->status = status;
    a->rseq = rseq;
}

static void sh_uac_discard(sh_uac_model_t *m, const prack_response_t *rsp, prack_reason_t r,
                                  sh_exp_t *e)
{
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_DISCARD);
    a->status = rsp->status;
    a->reason = (uint8_t)r;
    a->rseq = (rsp->flags & PRACK_RSP_RSEQ) && rsp->rseq <= UINT32_MAX ? (uint32_t)rsp->rseq : 0u;
    a->cseq = rsp->cseq;
    m->n_discard++;
}

static void sh_uac_drop_cache(sh_dlg_model_t *d, sh_exp_t *e)
{
    for (unsigned i = 0; i < PRACK_UAC_CACHE_WINDOW; i++) {
        if (d->cache & (1u << i)) {
            prack_action_t *c = sh_exp_push(e, PRACK_ACT_DROP_CACHED);
            c->rseq = d->last + 2u + i;
            c->cseq = d->owner;
        }
    }
    d->cache = 0;
    d->cache_sdp = 0;
}

static void sh_uac_accept(sh_uac_model_t *m, sh_dlg_model_t *d, uint16_t status, uint32_t rseq, bool sdp,
                                 uint32_t flags, sh_exp_t *e)
{
    uint32_t shift = rseq - d->last;
    if (d->seen && shift < SH_AUTH_SLOTS) {
        for (uint32_t i = SH_AUTH_SLOTS; i-- > 0;)
            d->auth[i] = i >= shift ? d->auth[i - shift] : 0u;
    } else {
        memset(d->auth, 0, sizeof(d->auth));
    }
    d->last = rseq;
    d->seen = true;
    m->n_prack++;
    /* after a 2xx on another early dialog this one carries no session (RFC 3261 13.2.2.4) */
    bool other = m->state == PRACK_UAC_ACCEPTED && !d->confirmed;
    if (other)
        flags |= PRACK_AF_OTHER_FORK;
    prack_action_t *a = sh_exp_push(e, PRACK_ACT_SEND_PRACK);
    uint32_t at = e->n - 1u;
    a->status = status;
    a->flags = flags;
    a->rseq = rseq;
    a->cseq = m->cseq;
    bool session = false;
    switch (d->oa) {
    case SH_UOA_OFFER_SENT:
        if (sdp) { /* the answer to our offer: only its PRACK may offer (RFC 6337 2.2) */
            d->oa = SH_UOA_DONE;
            session = !other;
            if (!other) {
                d->may_offer = true;
                d->offer_rseq = rseq;
                e->v[at].sdp = PRACK_SDP_MAY_OFFER;
            }
        }
        break;
    case SH_UOA_NONE:
        if (sdp) { /* R50 */
            d->oa = SH_UOA_DONE;
            e->v[at].sdp = PRACK_SDP_ANSWER;
            session = !other;
        }
        break;
    default:
        break;
    }
    if (session)
        sh_uac_event(e, PRACK_R_SESSION, status, rseq);
}

/* Challenges met by the PRACK for rseq, or -1 when it is not tracked (and fails). */
static int sh_uac_challenges(const sh_dlg_model_t *d, uint32_t rseq)
{
    if (!d->seen || rseq > d->last || d->last - rseq >= SH_AUTH_SLOTS)
        return -1;
    return d->auth[d->last - rseq];
}

static uint8_t *sh_dlg_obs_auth(sh_dlg_obs_t *o, uint32_t rseq)
{
    for (unsigned i = 0; i < o->n_auth; i++)
        if (o->auth_rseq[i] == rseq)
            return &o->auth_n[i];
    unsigned i = o->n_auth < 8u ? o->n_auth++ : rseq % 8u; /* forgetting only loses checks */
    o->auth_rseq[i] = rseq;
    o->auth_n[i] = 0;
    return &o->auth_n[i];
}

/*
 * The invariants, on the actions actually produced, from what earlier actions
 * said (the obs parts) and the configuration; they read nothing of the model.
 */
static void sh_uac_invariants(sh_uac_t *s, int di, const prack_response_t *rsp,
                                     const prack_actions_t *out)
{
    sh_dlg_obs_t *o = di >= 0 && di < SH_DLG_MAX ? &s->dlg[di].obs : NULL;
    int state = s->obs_state;
    const uint32_t cur = s->obs_cseq;
    bool invite = rsp->method == PRACK_METHOD_INVITE;
    bool wrong = invite && rsp->cseq != cur;
    bool final_here = false, other_fork = false;
    if (wrong)
        SH_CHECK(out->n == 1 && out->v[0].type == PRACK_ACT_DISCARD &&
                     out->v[0].reason == PRACK_R_WRONG_CSEQ && out->v[0].cseq == rsp->cseq,
                 "a response with another CSeq is discarded, never delivered or PRACKed");
    if (o && invite && !wrong && o->owner != cur) {
        /* a dialog state last used by another INVITE transaction starts afresh (N5) */
        o->seen = false;
        o->confirmed = false;
        o->owner = cur;
        o->n_auth = 0;
    }
    if (rsp->method == PRACK_METHOD_OTHER ||
        (rsp->method == PRACK_METHOD_PRACK && rsp->status < 200))
        SH_CHECK(out->n == 0, "responses to other methods and 1xx to a PRACK are ignored");
    for (uint32_t i = 0; i < out->n; i++) {
        const prack_action_t *a = &out->v[i];
        SH_CHECK(a->user == 0 && !(a->flags & PRACK_AF_RELEASE), "UAC actions carry no cookie");
        if (a->reason == PRACK_R_WRONG_CSEQ)
            SH_CHECK(wrong, "WRONG_CSEQ only for a CSeq that is not the INVITE's");
        switch (a->type) {
        case PRACK_ACT_SEND_PRACK:
            SH_CHECK(o != NULL, "a PRACK belongs to an early dialog (R36)");
            SH_CHECK(a->rseq != 0,
                     "never a PRACK without an RSeq to acknowledge (RAck: undefined)");
            SH_CHECK(a->cseq == cur, "the RAck CSeq-num is the INVITE's (R37)");
            bool other = state == PRACK_UAC_ACCEPTED && !(o->confirmed && o->confirmed_cseq == cur);
            SH_CHECK(((a->flags & PRACK_AF_OTHER_FORK) != 0) == other,
                     "OTHER_FORK exactly when the INVITE was answered 2xx on another dialog");
            if (a->flags & PRACK_AF_AUTH) {
                SH_CHECK(rsp->method == PRACK_METHOD_PRACK &&
                             (rsp->status == 401 || rsp->status == 407),
                         "a PRACK is resent only after 401/407 (R57)");
                SH_CHECK((a->flags & ~(uint32_t)PRACK_AF_OTHER_FORK) == PRACK_AF_AUTH &&
                             a->rseq == rsp->rseq && a->status == rsp->status &&
                             a->sdp == PRACK_SDP_REPEAT,
                         "the resent PRACK keeps its RAck and body");
                SH_CHECK(o->seen && o->owner == cur && a->rseq <= o->last,
                         "only a PRACK this transaction sent on that dialog is resent");
                uint8_t *n = sh_dlg_obs_auth(o, a->rseq);
                SH_CHECK(++*n <= s->auth_max,
                         "at most auth_max resends with credentials per PRACK (R57)");
                break;
            }
            SH_CHECK(invite && !wrong && rsp->status > 100 && rsp->status < 200 &&
                         (rsp->flags & PRACK_RSP_REQUIRE_100REL) && (rsp->flags & PRACK_RSP_RSEQ),
                     "only a reliable 1xx to this INVITE is PRACKed (R34, errata 4602)");
            SH_CHECK(state != PRACK_UAC_FAILED, "no PRACK after a non-2xx final (RFC 3261 12.3)");
            SH_CHECK(state != PRACK_UAC_ACCEPTED || s->after_2xx,
                     "no PRACK after a 2xx unless configured (R47)");
            if (other) {
                SH_CHECK(a->sdp != PRACK_SDP_MAY_OFFER, "no new offer on another fork's dialog");
                other_fork = true;
            }
            if (!o->seen) {
                /* the first reliable 1xx of a dialog in this transaction (N5) */
                SH_CHECK((a->flags & PRACK_AF_NEW_DIALOG) && !(a->flags & PRACK_AF_CACHED) &&
                             a->rseq == rsp->rseq,
                         "the first reliable 1xx of a dialog starts its RSeq space (R43)");
                o->seen = true;
            } else {
                SH_CHECK(
                    a->rseq == o->last + 1u && !(a->flags & PRACK_AF_NEW_DIALOG),
                    "a PRACK only for RSeq last + 1 on its dialog (R44), so one per 1xx (R40)");
            }
            if (a->flags & PRACK_AF_CACHED)
                SH_CHECK(s->cache && a->status == 0,
                         "a cached 1xx is PRACKed only with caching on");
            else
                SH_CHECK(a->status == rsp->status && a->rseq == rsp->rseq,
                         "the PRACK is for the 1xx received");
            o->last = a->rseq;
            break;
        case PRACK_ACT_DELIVER_1XX:
            SH_CHECK(state == PRACK_UAC_CALLING, "no provisional delivered after a final (R42)");
            SH_CHECK(invite && !wrong && a->status == rsp->status,
                     "the 1xx delivered is the one received");
            SH_CHECK(rsp->status == 100 || !(rsp->flags & PRACK_RSP_REQUIRE_100REL),
                     "a reliable 1xx is never delivered without its PRACK");
            break;
        case PRACK_ACT_DELIVER_FINAL:
            SH_CHECK(invite && !wrong && rsp->status >= 200 && a->status == rsp->status,
                     "the final delivered is the one received, for this INVITE");
            if (state == PRACK_UAC_CALLING)
                state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED;
            if (o && rsp->status < 300) {
                o->confirmed = true;
                o->confirmed_cseq = cur;
            }
            final_here = true;
            break;
        case PRACK_ACT_CACHE_1XX:
            SH_CHECK(s->cache && state == PRACK_UAC_CALLING,
                     "cache only when enabled, before a final");
            SH_CHECK(o && o->seen && o->owner == cur && a->rseq > (uint64_t)o->last + 1u &&
                         a->rseq <= (uint64_t)o->last + 1u + PRACK_UAC_CACHE_WINDOW,
                     "cached only beyond a gap, within the window (R46)");
            break;
        case PRACK_ACT_RETRY_INVITE:
            SH_CHECK(final_here && s->obs_state == PRACK_UAC_CALLING,
                     "retry only on the first final");
            SH_CHECK(s->policy != PRACK_POLICY_OFF, "never a 100rel retry under policy off");
            SH_CHECK((a->status == 420 && s->policy == PRACK_POLICY_REQUIRED &&
                      a->option == PRACK_OPTION_SUPPORTED) ||
                         (a->status == 421 && s->policy == PRACK_POLICY_SUPPORTED &&
                          a->option == PRACK_OPTION_REQUIRE),
                     "420 retries with Supported, 421 with Require");
            break;
        case PRACK_ACT_TERMINATE:
            SH_CHECK(s->failure == PRACK_FAILURE_TERMINATE && rsp->method == PRACK_METHOD_PRACK,
                     "terminate only when configured, on a failed PRACK");
            break;
        case PRACK_ACT_DROP_CACHED:
            SH_CHECK(s->cache, "nothing cached unless enabled");
            break;
        case PRACK_ACT_EVENT:
            if (a->reason == PRACK_R_SESSION)
                SH_CHECK(!other_fork, "no session starts on another fork's dialog");
            break;
        case PRACK_ACT_DISCARD:
            break;
        default:
            SH_CHECK(false, "a UAC produces UAC actions only");
        }
    }
    s->obs_state = state;
}

/* di: dialog index, or -1 for a response without To-tag. */
int sh_uac_response(sh_uac_t *s, int di, prack_time_t now,
                                  const prack_response_t *rsp, prack_actions_t *out)
{
    /* the model moves copies of the engine's and the dialog's documented state */
    sh_uac_model_t model = s->m, *m = &model;
    sh_dlg_model_t dmodel, *d = NULL;
    if (di >= 0 && di < SH_DLG_MAX) {
        dmodel = s->dlg[di].m;
        d = &dmodel;
    }
    sh_exp_t e;
    e.n = 0; /* sh_exp_push() clears each action it adds */
    unsigned errs = 0;
    if (rsp->status < 100 || rsp->status > 699 || (rsp->flags & ~0xFu) ||
        rsp->method > PRACK_METHOD_PRACK || now == PRACK_TIME_NONE)
        errs |= SH_E(PRACK_ERR_INVAL);
    if (rsp->method == PRACK_METHOD_PRACK && (!d || rsp->rseq == 0 || rsp->rseq > UINT32_MAX))
        errs |= SH_E(PRACK_ERR_INVAL);
    if (now < s->m.last_now)
        errs |= SH_E(PRACK_ERR_TIME);
    if (errs) {
        /* nothing to model */
    } else if (rsp->method == PRACK_METHOD_INVITE && rsp->cseq != m->cseq) {
        sh_uac_discard(m, rsp, PRACK_R_WRONG_CSEQ, &e); /* not this INVITE's: never PRACKed */
    } else if (rsp->method == PRACK_METHOD_INVITE) {
        if (d && sh_dlg_used(d) && d->owner != m->cseq) {
            /* a dialog state last used by another INVITE transaction starts afresh (N5) */
            sh_uac_drop_cache(d, &e);
            sh_dlg_forget(d);
        }
        bool sdp = (rsp->flags & PRACK_RSP_SDP) != 0;
        uint32_t rseq = (uint32_t)rsp->rseq;
        if (rsp->status < 200 && (rsp->status == 100 || !(rsp->flags & PRACK_RSP_REQUIRE_100REL))) {
            if (m->state != PRACK_UAC_CALLING) {
                sh_uac_discard(m, rsp, PRACK_R_AFTER_FINAL, &e);
                if (d)
                    sh_uac_drop_cache(d, &e);
            } else {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_DELIVER_1XX);
                a->status = rsp->status;
                a->cseq = rsp->cseq;
            }
        } else if (rsp->status < 200) {
            if (!(rsp->flags & PRACK_RSP_RSEQ) || rsp->rseq == 0 || rsp->rseq > UINT32_MAX)
                sh_uac_discard(m, rsp, PRACK_R_BAD_RSEQ, &e);
            else if (!d)
                sh_uac_discard(m, rsp, PRACK_R_NO_DIALOG, &e);
            else if (d->seen && rseq <= d->last)
                sh_uac_discard(m, rsp, PRACK_R_RETRANSMISSION, &e);
            else if (m->state == PRACK_UAC_FAILED ||
                     (m->state == PRACK_UAC_ACCEPTED && !s->after_2xx)) {
                sh_uac_discard(m, rsp, PRACK_R_AFTER_FINAL, &e);
                sh_uac_drop_cache(d, &e);
            } else {
                sh_uac_dialog_start(s, d);
                if (!d->seen) {
                    d->owner = m->cseq;
                    sh_uac_accept(m, d, rsp->status, rseq, sdp, PRACK_AF_NEW_DIALOG, &e);
                } else if (rseq - d->last != 1u) {
                    uint32_t slot = rseq - d->last - 2u;
                    bool open = s->cache && m->state == PRACK_UAC_CALLING;
                    if (!open || slot >= PRACK_UAC_CACHE_WINDOW)
                        sh_uac_discard(m, rsp, open ? PRACK_R_CACHE_FULL : PRACK_R_OUT_OF_ORDER,
                                       &e);
                    else if (d->cache & (1u << slot))
                        sh_uac_discard(m, rsp, PRACK_R_RETRANSMISSION, &e);
                    else {
                        d->cache = (uint8_t)(d->cache | (1u << slot));
                        if (sdp)
                            d->cache_sdp = (uint8_t)(d->cache_sdp | (1u << slot));
                        prack_action_t *a = sh_exp_push(&e, PRACK_ACT_CACHE_1XX);
                        a->status = rsp->status;
                        a->rseq = rseq;
                        a->cseq = rsp->cseq;
                    }
                } else {
                    sh_uac_accept(m, d, rsp->status, rseq, sdp, 0, &e);
                    /* bit 0 is now last + 1: take the run the gap was holding back */
                    while (d->cache & 1u) {
                        bool cs = (d->cache_sdp & 1u) != 0;
                        d->cache = (uint8_t)(d->cache >> 1);
                        d->cache_sdp = (uint8_t)(d->cache_sdp >> 1);
                        sh_uac_accept(m, d, 0, d->last + 1u, cs, PRACK_AF_CACHED, &e);
                    }
                    d->cache = (uint8_t)(d->cache >> 1);
                    d->cache_sdp = (uint8_t)(d->cache_sdp >> 1);
                }
            }
        } else {
            bool first = m->state == PRACK_UAC_CALLING;
            if (first)
                m->state = rsp->status < 300 ? PRACK_UAC_ACCEPTED : PRACK_UAC_FAILED;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_DELIVER_FINAL);
            uint32_t at = e.n - 1u;
            a->status = rsp->status;
            a->cseq = rsp->cseq;
            if (d) {
                sh_uac_drop_cache(d, &e);
                d->may_offer = false;
                if (rsp->status < 300) {
                    d->confirmed = true;
                    sh_uac_dialog_start(s, d);
                    if (d->oa == SH_UOA_OFFER_SENT) { /* RFC 3261 13.2.1: the answer is due now */
                        d->oa = SH_UOA_DONE;
                        e.v[at].sdp = sdp ? PRACK_SDP_ANSWER : PRACK_SDP_NONE;
                        sh_uac_event(&e, sdp ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING,
                                     rsp->status, 0);
                    } else if (sdp && d->oa == SH_UOA_NONE) {
                        e.v[at].sdp = PRACK_SDP_OFFER; /* the ACK carries the answer */
                        d->oa = SH_UOA_DONE;
                    } else if (sdp) {
                        e.v[at].sdp = PRACK_SDP_REPEAT;
                    }
                }
            }
            if (first && rsp->status == 420 && (rsp->flags & PRACK_RSP_UNSUPPORTED_100REL) &&
                s->policy == PRACK_POLICY_REQUIRED) {
                a = sh_exp_push(&e, PRACK_ACT_RETRY_INVITE);
                a->status = 420;
                a->option = PRACK_OPTION_SUPPORTED;
            } else if (first && rsp->status == 421 && (rsp->flags & PRACK_RSP_REQUIRE_100REL) &&
                       s->policy == PRACK_POLICY_SUPPORTED) {
                a = sh_exp_push(&e, PRACK_ACT_RETRY_INVITE);
                a->status = 421;
                a->option = PRACK_OPTION_REQUIRE;
            }
        }
        if (d && sh_dlg_used(d))
            d->owner = m->cseq;
    } else if (rsp->method == PRACK_METHOD_PRACK && rsp->status >= 200 && d->seen &&
               d->owner == m->cseq) {
        uint32_t rseq = (uint32_t)rsp->rseq;
        bool offer_here = d->oa == SH_UOA_PRACK_OFFER && rseq == d->offer_rseq;
        if (d->may_offer && rseq == d->offer_rseq)
            d->may_offer = false; /* that PRACK went without an offer */
        int n = sh_uac_challenges(d, rseq);
        if (rsp->status < 300) {
            m->n_ok++;
            sh_uac_event(&e, PRACK_R_PRACK_OK, rsp->status, rseq);
            if (offer_here) { /* R51 */
                d->oa = SH_UOA_DONE;
                sh_uac_event(
                    &e, (rsp->flags & PRACK_RSP_SDP) ? PRACK_R_SESSION : PRACK_R_ANSWER_MISSING,
                    rsp->status, rseq);
            }
        } else if ((rsp->status == 401 || rsp->status == 407) && n >= 0 &&
                   (unsigned)n < s->auth_max) {
            /* R57: up to auth_max challenges per PRACK (a proxy's 407, then the UAS's 401) */
            d->auth[d->last - rseq]++;
            m->n_prack++;
            prack_action_t *a = sh_exp_push(&e, PRACK_ACT_SEND_PRACK);
            a->status = rsp->status;
            a->flags = PRACK_AF_AUTH;
            if (m->state == PRACK_UAC_ACCEPTED && !d->confirmed)
                a->flags |= PRACK_AF_OTHER_FORK;
            a->rseq = rseq;
            a->cseq = m->cseq;
            a->sdp = PRACK_SDP_REPEAT;
        } else {
            m->n_failed++;
            if (offer_here)
                d->oa = SH_UOA_DONE;
            sh_uac_event(&e, PRACK_R_PRACK_FAILED, rsp->status, rseq);
            if (rsp->status == 481 || rsp->status == 408)
                e.v[e.n - 1u].flags = PRACK_AF_DIALOG_GONE;
            if (s->failure == PRACK_FAILURE_TERMINATE) {
                prack_action_t *a = sh_exp_push(&e, PRACK_ACT_TERMINATE);
                a->status = rsp->status;
                a->rseq = rseq;
            }
        }
    }
    prack_uac_t before;
    sh_copy(&before, sh_uac_engine(s), sizeof(before));
    prack_uac_dialog_t dbefore;
    memset(&dbefore, 0, sizeof(dbefore));
    if (di >= 0 && di < SH_DLG_MAX)
        dbefore = *sh_uac_dialog(s, di);
    sh_poison(out, e.n);
    int rc = prack_on_response(sh_uac_engine(s), sh_uac_dialog(s, di), now, rsp, out);
    sh_trace(now, rc, out, "on_response dlg %d %s %u cseq %u rseq %llu", di,
             rsp->method == PRACK_METHOD_PRACK ? "PRACK" : "INVITE", (unsigned)rsp->status,
             (unsigned)rsp->cseq, (unsigned long long)rsp->rseq);
    sh_batch_sane(rc, out);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK) {
        sh_exp_compare(&e, out);
        sh_uac_invariants(s, di, rsp, out);
        m->last_now = now;
        s->m = *m;
        if (d)
            s->dlg[di].m = *d;
    } else {
        SH_CHECK(memcmp(&before, sh_uac_engine(s), sizeof(before)) == 0 &&
                     (di < 0 || di >= SH_DLG_MAX ||
                      memcmp(&dbefore, sh_uac_dialog(s, di), sizeof(dbefore)) == 0),
                 "a failing call leaves the engine unchanged");
    }
    sh_uac_after(s);
    return rc;
}

/* The host puts an offer in the PRACK for rseq on dialog di (R51). */
int sh_uac_offer_in_prack(sh_uac_t *s, int di, uint32_t rseq)
{
    prack_uac_dialog_t *dd = sh_uac_dialog(s, di);
    unsigned errs = SH_E(PRACK_ERR_INVAL);
    sh_dlg_t *d = dd ? &s->dlg[di] : NULL;
    if (d)
        /* before any final of this transaction, for its own PRACK on that dialog */
        errs = d->m.may_offer && d->m.offer_rseq == rseq && d->m.oa == SH_UOA_DONE &&
                       d->m.owner == s->m.cseq && s->m.state == PRACK_UAC_CALLING
                   ? 0u
                   : SH_E(PRACK_ERR_STATE);
    prack_uac_t before;
    sh_copy(&before, sh_uac_engine(s), sizeof(before));
    prack_uac_dialog_t dbefore;
    memset(&dbefore, 0, sizeof(dbefore));
    if (dd)
        dbefore = *dd;
    int rc = prack_uac_offer_in_prack(sh_uac_engine(s), dd, rseq);
    sh_trace(0, rc, NULL, "uac_offer_in_prack dlg %d rseq %u", di, (unsigned)rseq);
    sh_check_rc(rc, errs);
    if (rc == PRACK_OK && d) {
        SH_CHECK(d->obs.seen && d->obs.owner == s->obs_cseq && rseq != 0 && rseq <= d->obs.last &&
                     s->obs_state == PRACK_UAC_CALLING,
                 "an offer only in a PRACK this transaction sent on that dialog, before its final");
        d->m.oa = SH_UOA_PRACK_OFFER;
        d->m.may_offer = false;
    } else if (rc != PRACK_OK) {
        SH_CHECK(memcmp(&before, sh_uac_engine(s), sizeof(before)) == 0 &&
                     (!dd || memcmp(&dbefore, dd, sizeof(dbefore)) == 0),
                 "a failing call leaves the engine unchanged");
    }
    sh_uac_after(s);
    return rc;
}

