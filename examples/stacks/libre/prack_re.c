/*
 * libprack on libre (see prack_re.h).
 */
#include "prack_re.h"

#include "prack/header.h"

#include "../stacks_common.h" /* sip_reason_phrase(): reason phrases */

/* ------------------------------------------------------------------------- */
/* Facts */

static bool lists_100rel(const struct sip_hdr *h, const struct sip_msg *msg, void *arg)
{
    (void)msg, (void)arg;
    return prack_option_tags_find(h->val.p, h->val.l, "100rel", 6) > 0;
}

/* `bit` when an instance of header `id` lists 100rel; libre splits comma lists into instances. */
static uint32_t tag(const struct sip_msg *msg, enum sip_hdrid id, uint32_t bit)
{
    return sip_msg_hdr_apply(msg, true, id, lists_100rel, NULL) ? bit : 0u;
}

/* `bit` when the message carries an SDP body. */
static uint32_t sdp(const struct sip_msg *msg, uint32_t bit)
{
    return mbuf_get_left(msg->mb) > 0 && msg_ctype_cmp(&msg->ctyp, "application", "sdp") ? bit : 0u;
}

/* The value of the one instance of `id`; empty when absent or repeated (then it counts as malformed). */
static struct pl single(const struct sip_msg *msg, enum sip_hdrid id)
{
    return sip_msg_hdr_count(msg, id) == 1 ? sip_msg_hdr(msg, id)->val : pl_null;
}

static prack_response_t response_facts(const struct sip_msg *msg)
{
    const struct pl v = single(msg, SIP_HDR_RSEQ), *met = &msg->cseq.met;
    uint32_t rseq = 0; /* present but malformed or repeated: RSeq 0 */
    (void)prack_parse_rseq(v.p, v.l, &rseq);
    return (prack_response_t){
        .status = msg->scode,
        .cseq = msg->cseq.num,
        .method = !pl_strcmp(met, "INVITE")  ? PRACK_METHOD_INVITE
                  : !pl_strcmp(met, "PRACK") ? PRACK_METHOD_PRACK : PRACK_METHOD_OTHER,
        .flags = tag(msg, SIP_HDR_REQUIRE, PRACK_RSP_REQUIRE_100REL) |
                 tag(msg, SIP_HDR_UNSUPPORTED, PRACK_RSP_UNSUPPORTED_100REL) | sdp(msg, PRACK_RSP_SDP) |
                 (sip_msg_hdr(msg, SIP_HDR_RSEQ) ? PRACK_RSP_RSEQ : 0u),
        .rseq = rseq,
    };
}

/* The host's part of a message: handed to re_printf's %H. */
struct print_arg {
    prack_re_print_h *h;
    const prack_action_t *a;
    void *arg;
};

/* The header lines the action asks for (RFC 3262 7.1, 7.2; RFC 3261 21.4.16 and 21.4.17 for 420 and 421), then
 * the host's part. */
static int print_msg(struct re_printf *pf, void *arg)
{
    const struct print_arg *p = arg;
    const prack_action_t *a = p->a;
    int err = 0;
    if (a->type == PRACK_ACT_SEND_PRACK)
        err |= re_hprintf(pf, "RAck: %u %u INVITE\r\n", a->rseq, a->cseq);
    if (a->flags & PRACK_AF_RELIABLE)
        err |= re_hprintf(pf, "Require: 100rel\r\nRSeq: %u\r\n", a->rseq);
    if (a->flags & (PRACK_AF_UNSUPPORTED_100REL | PRACK_AF_REQUIRE_100REL))
        err |= re_hprintf(pf, "%s: 100rel\r\n", a->flags & PRACK_AF_REQUIRE_100REL ? "Require" : "Unsupported");
    if (a->flags & PRACK_AF_TIMEOUT)
        err |= re_hprintf(pf, "Warning: 399 libprack \"%s\"\r\n", a->text);
    return err ? err : p->h(pf, a, p->arg);
}

/* ------------------------------------------------------------------------- */
/* UAS */

static int uas_run(struct prack_re_uas *u, const struct sip_msg *prack, int rc, const prack_actions_t *acts);

static void uas_timer(void *arg)
{
    struct prack_re_uas *u = arg;
    prack_actions_t acts;
    (void)uas_run(u, NULL, prack_on_timer(&u->eng, prack_re_now(), &acts), &acts);
}

/* libre matched a CANCEL to our transaction and answered it 200. */
static void uas_cancel(void *arg)
{
    (void)prack_re_uas_cancel(arg);
}

/* Carry out the batch of a call that returned rc, after the host has seen each action; `prack` is the PRACK
 * that ANSWER_PRACK answers. The other actions are the host's alone. */
static int uas_run(struct prack_re_uas *u, const struct sip_msg *prack, int rc, const prack_actions_t *acts)
{
    if (rc != PRACK_OK)
        return rc;
    for (uint32_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        struct print_arg p = { u->printh, a, u->arg };
        /* kept: the reliable 1xx for its retransmissions, the final for the host (a 2xx is the host's to resend) */
        struct mbuf **keep = a->type == PRACK_ACT_SEND_FINAL  ? &u->final
                             : (a->flags & PRACK_AF_RELIABLE) ? &u->rel : NULL;
        u->acth(acts, i, NULL, u->arg);
        if (a->type == PRACK_ACT_ANSWER_PRACK) {
            (void)sip_treplyf(NULL, NULL, u->sip, prack, false, a->status, sip_reason_phrase(a->status), "%H",
                              print_msg, &p);
        } else if (a->flags & PRACK_AF_RETRANSMIT) {
            /* the identical message (N1), past libre's transaction, which only repeats its last response to a
             * retransmitted INVITE */
            if (u->rel)
                (void)sip_send(u->sip, u->invite->sock, u->invite->tp, &u->dst, u->rel);
        } else if (a->type == PRACK_ACT_SEND_1XX || a->type == PRACK_ACT_SEND_FINAL) {
            if (keep)
                *keep = mem_deref(*keep);
            (void)sip_treplyf(&u->st, keep, u->sip, u->invite, true, a->status, sip_reason_phrase(a->status), "%H",
                              print_msg, &p);
        }
    }
    /* the engine's timers ride on one libre timer, always armed at the next deadline */
    prack_time_t d = prack_next_deadline(&u->eng), now = prack_re_now();
    if (d == PRACK_TIME_NONE)
        tmr_cancel(&u->tmr);
    else
        tmr_start(&u->tmr, d > now ? d - now : 0, uas_timer, u);
    return rc;
}

int prack_re_uas_init(struct prack_re_uas *u, struct sip *sip, const struct sip_msg *invite,
                      const prack_config_t *cfg, prack_re_print_h *printh, prack_re_act_h *acth, void *arg)
{
    uint32_t flags = tag(invite, SIP_HDR_SUPPORTED, PRACK_INV_SUPPORTED_100REL) |
                     tag(invite, SIP_HDR_REQUIRE, PRACK_INV_REQUIRE_100REL) | sdp(invite, PRACK_INV_SDP);
    prack_invite_t inv = { .cseq = invite->cseq.num, .flags = flags };
    prack_actions_t acts;
    struct pl rport;
    *u = (struct prack_re_uas){ .sip = sip, .printh = printh, .acth = acth, .arg = arg };
    tmr_init(&u->tmr);
    int err = sip_strans_alloc(&u->st, sip, invite, uas_cancel, u);
    if (err)
        return err;
    u->invite = mem_ref((void *)(uintptr_t)invite); /* libre refcounts through a non-const pointer */
    sip_reply_addr(&u->dst, invite, msg_param_exists(&invite->via.params, "rport", &rport) == 0);
    int rc = prack_uas_init(&u->eng, cfg, &inv, rand_u32(), prack_re_now(), &acts);
    return uas_run(u, NULL, rc, &acts) == PRACK_OK ? 0 : EINVAL; /* a 420 or 421 went out, or nothing */
}

int prack_re_uas_1xx(struct prack_re_uas *u, uint16_t status, uint32_t flags)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_send_1xx(&u->eng, prack_re_now(), status, flags, 0, &acts), &acts);
}

int prack_re_uas_final(struct prack_re_uas *u, uint16_t status)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_send_final(&u->eng, prack_re_now(), status, &acts), &acts);
}

int prack_re_uas_cancel(struct prack_re_uas *u)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_cancel(&u->eng, prack_re_now(), &acts), &acts);
}

int prack_re_uas_prack(struct prack_re_uas *u, const struct sip_msg *prack)
{
    struct pl v = single(prack, SIP_HDR_RACK);
    prack_rack_t r = { 0 };
    bool ok = prack_parse_rack(v.p, v.l, &r) == PRACK_OK;
    prack_prack_t pr = { .flags = (ok ? PRACK_PR_RACK : 0u) | sdp(prack, PRACK_PR_SDP), .cseq = prack->cseq.num,
                         .rack_rseq = r.rseq, .rack_cseq = r.cseq, .method = r.method,
                         .method_len = (uint32_t)r.method_len };
    prack_actions_t acts;
    return uas_run(u, prack, prack_uas_on_prack(&u->eng, prack_re_now(), &pr, &acts), &acts);
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

/* One PRACK in flight: its early dialog, and the RSeq it acknowledges (the engine matches its response by it). */
struct prack_tx {
    struct le le;
    struct prack_re_fork *f;
    struct sip_request *req;
    uint32_t rseq;
};

static void tx_destructor(void *arg)
{
    struct prack_tx *tx = arg;
    list_unlink(&tx->le);
    mem_deref(tx->req); /* still in flight: libre will not call back */
}

static int uac_run(struct prack_re_uac *uac, struct prack_re_fork *f, int rc, const prack_actions_t *acts);

/* A response to a PRACK; NULL on Timer F or a transport error (err), which the engine takes as 408. */
static void prack_resp(int err, const struct sip_msg *msg, void *arg)
{
    static const prack_response_t timeout = { .status = 408, .method = PRACK_METHOD_PRACK };
    struct prack_tx *tx = arg;
    struct prack_re_uac *uac = tx->f->uac;
    prack_response_t r = msg ? response_facts(msg) : timeout;
    prack_actions_t acts;
    (void)err;
    if (r.status < 200)
        return;
    tx->req = NULL; /* libre is done with the request */
    if ((r.status == 401 || r.status == 407) && uac->auth)
        (void)sip_auth_authenticate(uac->auth, msg); /* the resend carries credentials */
    r.rseq = tx->rseq; /* which PRACK it answers */
    (void)uac_run(uac, tx->f, prack_on_response(&uac->eng, &tx->f->eng, prack_re_now(), &r, &acts), &acts);
    mem_deref(tx);
}

/* After the host has seen each action: a PRACK per SEND_PRACK, in the early dialog of the 1xx (its Route set,
 * remote target and CSeq). The other actions are the host's alone. */
static int uac_run(struct prack_re_uac *uac, struct prack_re_fork *f, int rc, const prack_actions_t *acts)
{
    for (uint32_t i = 0; rc == PRACK_OK && i < acts->n; i++) {
        struct print_arg p = { uac->printh, &acts->v[i], uac->arg };
        struct prack_tx *tx;
        uac->acth(acts, i, f, uac->arg);
        if (acts->v[i].type != PRACK_ACT_SEND_PRACK || !(tx = mem_zalloc(sizeof(*tx), tx_destructor)))
            continue;
        tx->f = f; /* forks outlive their PRACKs (prack_re_uac_close) */
        tx->rseq = acts->v[i].rseq;
        list_append(&uac->pracks, &tx->le, tx);
        if (sip_drequestf(&tx->req, uac->sip, true, "PRACK", f->dlg, 0, uac->auth, NULL, prack_resp, tx, "%H",
                          print_msg, &p))
            mem_deref(tx);
    }
    return rc;
}

int prack_re_uac_init(struct prack_re_uac *uac, struct sip *sip, struct sip_dialog *dlg, struct sip_auth *auth,
                      const prack_config_t *cfg, uint32_t flags, prack_re_print_h *printh, prack_re_act_h *acth,
                      void *arg)
{
    *uac = (struct prack_re_uac){ .sip = sip, .dlg = dlg, .auth = auth, .printh = printh, .acth = acth, .arg = arg };
    return prack_uac_init(&uac->eng, cfg, sip_dialog_lseq(dlg), flags, prack_re_now()) ? EINVAL : 0;
}

const char *prack_re_uac_option(const struct prack_re_uac *uac)
{
    static const char *const line[] = { "", "Supported: 100rel\r\n", "Require: 100rel\r\n" }; /* by prack_option_t */
    return line[prack_uac_option(&uac->eng)];
}

static void fork_destructor(void *arg)
{
    struct prack_re_fork *f = arg;
    list_unlink(&f->le);
    mem_deref(f->dlg);
}

static bool same_dialog(struct le *le, void *rsp)
{
    return sip_dialog_cmp(((struct prack_re_fork *)le->data)->dlg, rsp);
}

struct prack_re_fork *prack_re_uac_fork(struct prack_re_uac *uac, const struct sip_msg *rsp)
{
    struct le *le = pl_isset(&rsp->to.tag) ? list_apply(&uac->forks, true, same_dialog, (void *)(uintptr_t)rsp) : NULL;
    struct prack_re_fork *f = le ? le->data : NULL;
    if (f && rsp->scode < 300)
        (void)sip_dialog_update(f->dlg, rsp); /* a new Contact is the new target */
    if (f || !pl_isset(&rsp->to.tag) || rsp->scode <= 100 || rsp->scode >= 300)
        return f;
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
    struct prack_re_fork *f = prack_re_uac_fork(uac, rsp);
    prack_response_t r = response_facts(rsp);
    prack_actions_t acts;
    return uac_run(uac, f, prack_on_response(&uac->eng, f ? &f->eng : NULL, prack_re_now(), &r, &acts), &acts);
}

void prack_re_uac_close(struct prack_re_uac *uac)
{
    list_flush(&uac->pracks);
    list_flush(&uac->forks);
}
