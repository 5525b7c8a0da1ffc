/*
 * libprack on libre (see prack_re.h).
 */
#include "prack_re.h"

#include <string.h>

#include "prack/header.h"

#include "../stacks_common.h" /* sip_reason_phrase(): reason phrases */

/* ------------------------------------------------------------------------- */
/* Facts */

/* 100rel in any instance of header `id`; libre splits comma lists into instances. */
static bool has_100rel(const struct sip_msg *msg, enum sip_hdrid id)
{
    struct le *le;
    LIST_FOREACH(&msg->hdrl, le)
    {
        const struct sip_hdr *h = le->data;
        if (h->id == id && prack_option_tags_find(h->val.p, h->val.l, "100rel", 6) > 0)
            return true;
    }
    return false;
}

static bool has_sdp(const struct sip_msg *msg)
{
    return mbuf_get_left(msg->mb) > 0 && msg_ctype_cmp(&msg->ctyp, "application", "sdp");
}

/* The one instance of `id`, or NULL when absent or repeated (then it counts as malformed). */
static const struct sip_hdr *single(const struct sip_msg *msg, enum sip_hdrid id)
{
    return sip_msg_hdr_count(msg, id) == 1 ? sip_msg_hdr(msg, id) : NULL;
}

void prack_re_invite_facts(const struct sip_msg *msg, prack_invite_t *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->cseq = msg->cseq.num;
    inv->flags = (has_100rel(msg, SIP_HDR_SUPPORTED) ? PRACK_INV_SUPPORTED_100REL : 0u) |
                 (has_100rel(msg, SIP_HDR_REQUIRE) ? PRACK_INV_REQUIRE_100REL : 0u) |
                 (has_sdp(msg) ? PRACK_INV_SDP : 0u);
}

void prack_re_prack_facts(const struct sip_msg *msg, prack_prack_t *pr)
{
    const struct sip_hdr *h = single(msg, SIP_HDR_RACK);
    prack_rack_t rack;
    memset(pr, 0, sizeof(*pr));
    pr->cseq = msg->cseq.num;
    if (h && prack_parse_rack(h->val.p, h->val.l, &rack) == PRACK_OK) {
        pr->flags |= PRACK_PR_RACK;
        pr->rack_rseq = rack.rseq;
        pr->rack_cseq = rack.cseq;
        pr->method = rack.method;
        pr->method_len = (uint32_t)rack.method_len;
    }
    if (has_sdp(msg))
        pr->flags |= PRACK_PR_SDP;
}

void prack_re_response_facts(const struct sip_msg *msg, prack_response_t *rsp)
{
    const struct sip_hdr *h;
    uint32_t v = 0;
    memset(rsp, 0, sizeof(*rsp));
    rsp->status = msg->scode;
    rsp->cseq = msg->cseq.num;
    rsp->method = !pl_strcmp(&msg->cseq.met, "INVITE")  ? PRACK_METHOD_INVITE
                  : !pl_strcmp(&msg->cseq.met, "PRACK") ? PRACK_METHOD_PRACK
                                                        : PRACK_METHOD_OTHER;
    rsp->flags = (has_100rel(msg, SIP_HDR_REQUIRE) ? PRACK_RSP_REQUIRE_100REL : 0u) |
                 (has_100rel(msg, SIP_HDR_UNSUPPORTED) ? PRACK_RSP_UNSUPPORTED_100REL : 0u) |
                 (has_sdp(msg) ? PRACK_RSP_SDP : 0u);
    if (sip_msg_hdr(msg, SIP_HDR_RSEQ)) {
        rsp->flags |= PRACK_RSP_RSEQ;
        h = single(msg, SIP_HDR_RSEQ);
        if (h && prack_parse_rseq(h->val.p, h->val.l, &v) == PRACK_OK)
            rsp->rseq = v;
    }
}

prack_time_t prack_re_now(void)
{
    return tmr_jiffies();
}

/* The host's part of a message: handed to re_printf's %H. */
struct print_arg {
    prack_re_print_h *h;
    const prack_action_t *a;
    void *arg;
};

static int print_wrap(struct re_printf *pf, void *arg)
{
    const struct print_arg *p = arg;
    return p->h(pf, p->a, p->arg);
}


/* ------------------------------------------------------------------------- */
/* UAS */

static void uas_run(struct prack_re_uas *u, const prack_actions_t *acts);

static void uas_timer(void *arg)
{
    struct prack_re_uas *u = arg;
    prack_actions_t acts;
    if (prack_on_timer(&u->eng, prack_re_now(), &acts) == PRACK_OK)
        uas_run(u, &acts);
}

/* The engine's timers ride on one libre timer, always armed at the next deadline. */
static void uas_arm(struct prack_re_uas *u)
{
    prack_time_t d = prack_next_deadline(&u->eng), now = prack_re_now();
    if (d == PRACK_TIME_NONE)
        tmr_cancel(&u->tmr);
    else
        tmr_start(&u->tmr, d > now ? d - now : 0, uas_timer, u);
}

int prack_re_uas_cancel(struct prack_re_uas *u)
{
    prack_actions_t acts;
    int rc = prack_uas_cancel(&u->eng, prack_re_now(), &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

/* libre matched a CANCEL to our transaction and answered it 200. */
static void uas_cancel(void *arg)
{
    (void)prack_re_uas_cancel(arg);
}

/* A response to the INVITE (or the PRACK being answered) through libre's server transaction. */
static int uas_reply(struct prack_re_uas *u, const prack_action_t *a, struct mbuf **mbp)
{
    struct print_arg p = { u->printh, a, u->arg };
    char hdr[192] = "";
    if (a->type == PRACK_ACT_ANSWER_PRACK)
        return u->prack ? sip_treplyf(NULL, NULL, u->sip, u->prack, false, a->status, sip_reason_phrase(a->status),
                                      "%H", print_wrap, &p)
                        : 0;
    if (a->type == PRACK_ACT_SEND_1XX && (a->flags & PRACK_AF_RELIABLE))
        re_snprintf(hdr, sizeof(hdr), "Require: 100rel\r\nRSeq: %u\r\n", a->rseq);
    else if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
        re_snprintf(hdr, sizeof(hdr), "Unsupported: 100rel\r\n");
    else if (a->flags & PRACK_AF_REQUIRE_100REL)
        re_snprintf(hdr, sizeof(hdr), "Require: 100rel\r\n");
    else if (a->flags & PRACK_AF_TIMEOUT)
        re_snprintf(hdr, sizeof(hdr), "Warning: 399 libprack \"%s\"\r\n", a->text ? a->text : "timeout");
    return sip_treplyf(&u->st, mbp, u->sip, u->invite, true, a->status, sip_reason_phrase(a->status), "%s%H",
                       hdr, print_wrap, &p);
}

static void uas_run(struct prack_re_uas *u, const prack_actions_t *acts)
{
    for (uint32_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        struct mbuf *mb = NULL;
        if (u->acth)
            u->acth(acts, i, NULL, u->arg);
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
            if (a->flags & PRACK_AF_RETRANSMIT) {
                /* the identical message (N1), past libre's transaction, which
                 * only repeats its last response to a retransmitted INVITE */
                if (u->rel)
                    (void)sip_send(u->sip, u->invite->sock, u->invite->tp, &u->dst, u->rel);
            } else if (uas_reply(u, a, &mb) == 0 && (a->flags & PRACK_AF_RELIABLE)) {
                mem_deref(u->rel);
                u->rel = mem_ref(mb);
            }
            break;
        case PRACK_ACT_SEND_FINAL:
            if (uas_reply(u, a, &mb) == 0) {
                mem_deref(u->final);
                u->final = mem_ref(mb);
            }
            u->rel = mem_deref(u->rel);
            break;
        case PRACK_ACT_ANSWER_PRACK: (void)uas_reply(u, a, NULL); break;
        default: break; /* the rest is for the host to see */
        }
        mem_deref(mb);
    }
    uas_arm(u);
}

int prack_re_uas_init(struct prack_re_uas *u, struct sip *sip, const struct sip_msg *invite,
                      const prack_config_t *cfg, prack_re_print_h *printh, prack_re_act_h *acth,
                      void *arg)
{
    prack_invite_t inv;
    prack_actions_t acts;
    struct pl rport;
    int err;
    memset(u, 0, sizeof(*u));
    u->sip = sip;
    u->printh = printh;
    u->acth = acth;
    u->arg = arg;
    tmr_init(&u->tmr);
    err = sip_strans_alloc(&u->st, sip, invite, uas_cancel, u);
    if (err)
        return err;
    u->invite = mem_ref((void *)(uintptr_t)invite); /* libre refcounts through a non-const pointer */
    sip_reply_addr(&u->dst, invite, msg_param_exists(&invite->via.params, "rport", &rport) == 0);
    prack_re_invite_facts(invite, &inv);
    if (prack_uas_init(&u->eng, cfg, &inv, rand_u32(), prack_re_now(), &acts) != PRACK_OK)
        return EINVAL;
    uas_run(u, &acts); /* 420 or 421, or nothing */
    return 0;
}

int prack_re_uas_1xx(struct prack_re_uas *u, uint16_t status, uint32_t flags)
{
    prack_actions_t acts;
    int rc = prack_uas_send_1xx(&u->eng, prack_re_now(), status, flags, 0, &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

int prack_re_uas_final(struct prack_re_uas *u, uint16_t status)
{
    prack_actions_t acts;
    int rc = prack_uas_send_final(&u->eng, prack_re_now(), status, &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

int prack_re_uas_prack(struct prack_re_uas *u, const struct sip_msg *prack)
{
    prack_prack_t pr;
    prack_actions_t acts;
    prack_re_prack_facts(prack, &pr);
    int rc = prack_uas_on_prack(&u->eng, prack_re_now(), &pr, &acts);
    if (rc == PRACK_OK) {
        u->prack = prack;
        uas_run(u, &acts);
        u->prack = NULL;
    }
    return rc;
}

void prack_re_uas_close(struct prack_re_uas *u)
{
    tmr_cancel(&u->tmr);
    u->st = mem_deref(u->st);
    u->invite = mem_deref(u->invite);
    u->rel = mem_deref(u->rel);
    u->final = mem_deref(u->final);
}

/* ------------------------------------------------------------------------- */
/* UAC */

/* One PRACK in flight: which early dialog, which RSeq (its response names it). */
struct prack_tx {
    struct le le;
    struct prack_re_fork *f;
    struct sip_request *req;
    uint32_t rseq;
};

static void uac_run(struct prack_re_uac *uac, struct prack_re_fork *f, const prack_actions_t *acts);

static void tx_destructor(void *arg)
{
    struct prack_tx *tx = arg;
    list_unlink(&tx->le);
    mem_deref(tx->req); /* still in flight: libre will not call back */
    mem_deref(tx->f);
}

static void prack_resp(int err, const struct sip_msg *msg, void *arg)
{
    struct prack_tx *tx = arg;
    struct prack_re_uac *uac = tx->f->uac;
    prack_response_t r;
    prack_actions_t acts;
    if (msg && msg->scode < 200)
        return;
    tx->req = NULL; /* a final or an error: libre is done with the request */
    if (msg) {
        prack_re_response_facts(msg, &r);
        if ((msg->scode == 401 || msg->scode == 407) && uac->auth)
            (void)sip_auth_authenticate(uac->auth, msg); /* the resend carries credentials */
    } else {
        /* Timer F or a transport error (err): the engine takes both as 408 */
        (void)err;
        memset(&r, 0, sizeof(r));
        r.status = 408;
        r.method = PRACK_METHOD_PRACK;
    }
    r.rseq = tx->rseq;
    if (prack_on_response(&uac->eng, &tx->f->eng, prack_re_now(), &r, &acts) == PRACK_OK)
        uac_run(uac, tx->f, &acts);
    mem_deref(tx);
}

/* The PRACK goes in the early dialog of the 1xx: its Route set, remote target and CSeq. */
static void send_prack(struct prack_re_uac *uac, struct prack_re_fork *f, const prack_action_t *a)
{
    struct print_arg p = { uac->printh, a, uac->arg };
    struct prack_tx *tx = mem_zalloc(sizeof(*tx), tx_destructor);
    if (!tx)
        return;
    tx->f = mem_ref(f);
    tx->rseq = a->rseq;
    list_append(&uac->pracks, &tx->le, tx);
    if (sip_drequestf(&tx->req, uac->sip, true, "PRACK", f->dlg, 0, uac->auth, NULL, prack_resp, tx,
                      "RAck: %u %u INVITE\r\n%H", a->rseq, a->cseq, print_wrap, &p))
        mem_deref(tx);
}

static void uac_run(struct prack_re_uac *uac, struct prack_re_fork *f, const prack_actions_t *acts)
{
    for (uint32_t i = 0; i < acts->n; i++) {
        if (uac->acth)
            uac->acth(acts, i, f, uac->arg);
        if (acts->v[i].type == PRACK_ACT_SEND_PRACK && f)
            send_prack(uac, f, &acts->v[i]);
    }
}

int prack_re_uac_init(struct prack_re_uac *uac, struct sip *sip, struct sip_dialog *dlg,
                      struct sip_auth *auth, const prack_config_t *cfg, uint32_t flags,
                      prack_re_print_h *printh, prack_re_act_h *acth, void *arg)
{
    memset(uac, 0, sizeof(*uac));
    uac->sip = sip;
    uac->dlg = dlg;
    uac->auth = auth;
    uac->printh = printh;
    uac->acth = acth;
    uac->arg = arg;
    list_init(&uac->forks);
    list_init(&uac->pracks);
    return prack_uac_init(&uac->eng, cfg, sip_dialog_lseq(dlg), flags, prack_re_now()) == PRACK_OK ? 0
                                                                                                 : EINVAL;
}

const char *prack_re_uac_option(const struct prack_re_uac *uac)
{
    switch (prack_uac_option(&uac->eng)) {
    case PRACK_OPTION_SUPPORTED: return "Supported: 100rel\r\n";
    case PRACK_OPTION_REQUIRE: return "Require: 100rel\r\n";
    default: return "";
    }
}

static void fork_destructor(void *arg)
{
    struct prack_re_fork *f = arg;
    list_unlink(&f->le);
    mem_deref(f->dlg);
}

struct prack_re_fork *prack_re_uac_fork(struct prack_re_uac *uac, const struct sip_msg *rsp)
{
    struct prack_re_fork *f;
    struct le *le;
    if (!pl_isset(&rsp->to.tag))
        return NULL;
    LIST_FOREACH(&uac->forks, le)
    {
        f = le->data;
        if (sip_dialog_cmp(f->dlg, rsp)) {
            if (rsp->scode < 300)
                (void)sip_dialog_update(f->dlg, rsp); /* a new Contact is the new target */
            return f;
        }
    }
    if (rsp->scode <= 100 || rsp->scode >= 300)
        return NULL;
    /* a new To-tag: an early dialog of its own, forked from the INVITE's
     * (sip_dialog_fork copies the CSeq and takes Record-Route and Contact) */
    f = mem_zalloc(sizeof(*f), fork_destructor);
    if (!f || sip_dialog_fork(&f->dlg, uac->dlg, rsp) != 0)
        return mem_deref(f);
    f->uac = uac;
    f->no = list_count(&uac->forks) + 1u;
    prack_uac_dialog_init(&f->eng);
    list_append(&uac->forks, &f->le, f);
    return f;
}

int prack_re_uac_response(struct prack_re_uac *uac, const struct sip_msg *rsp)
{
    prack_response_t r;
    prack_actions_t acts;
    struct prack_re_fork *f = prack_re_uac_fork(uac, rsp);
    prack_re_response_facts(rsp, &r);
    int rc = prack_on_response(&uac->eng, f ? &f->eng : NULL, prack_re_now(), &r, &acts);
    if (rc == PRACK_OK)
        uac_run(uac, f, &acts);
    return rc;
}

void prack_re_uac_close(struct prack_re_uac *uac)
{
    list_flush(&uac->pracks);
    list_flush(&uac->forks);
}
