/*
 * libprack on libosip2 (see prack_osip.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "prack_osip.h"

#include "osip_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prack/header.h"

/* ------------------------------------------------------------------------- */
/* Facts */

/* `bit` when an instance of header `name` lists 100rel. */
static uint32_t tag(const osip_message_t *m, const char *name, uint32_t bit)
{
    osip_header_t *h;
    for (int pos = 0; (pos = osip_message_header_get_byname(m, name, pos, &h)) >= 0; pos++)
        if (h->hvalue && prack_option_tags_find(h->hvalue, strlen(h->hvalue), "100rel", 6) > 0)
            return bit;
    return 0u;
}

/* `bit` when the message carries an SDP body. */
static uint32_t sdp(const osip_message_t *m, uint32_t bit)
{
    const osip_content_type_t *ct = m->content_type;
    bool is_sdp = ct && ct->type && ct->subtype && !osip_strcasecmp(ct->type, "application") &&
                  !osip_strcasecmp(ct->subtype, "sdp");
    return is_sdp && !osip_list_eol(&m->bodies, 0) ? bit : 0u;
}

/* The value of the one `name` header; "" when absent or repeated (then it counts as malformed). */
static const char *single(const osip_message_t *m, const char *name)
{
    osip_header_t *h, *again;
    int pos = osip_message_header_get_byname(m, name, 0, &h);
    return pos < 0 || osip_message_header_get_byname(m, name, pos + 1, &again) >= 0 || !h->hvalue ? "" : h->hvalue;
}

static uint32_t cseq_of(const osip_message_t *m)
{
    return m->cseq && m->cseq->number ? (uint32_t)strtoul(m->cseq->number, NULL, 10) : 0u;
}

static prack_response_t response_facts(const osip_message_t *m)
{
    const char *met = m->cseq && m->cseq->method ? m->cseq->method : "", *v = single(m, "rseq");
    osip_header_t *h;
    uint32_t rseq = 0; /* present but malformed or repeated: RSeq 0 */
    (void)prack_parse_rseq(v, strlen(v), &rseq);
    return (prack_response_t){
        .status = (uint16_t)m->status_code,
        .cseq = cseq_of(m),
        .method = !strcmp(met, "INVITE")  ? PRACK_METHOD_INVITE
                  : !strcmp(met, "PRACK") ? PRACK_METHOD_PRACK : PRACK_METHOD_OTHER,
        .flags = tag(m, "require", PRACK_RSP_REQUIRE_100REL) | tag(m, "unsupported", PRACK_RSP_UNSUPPORTED_100REL) |
                 sdp(m, PRACK_RSP_SDP) | (osip_message_header_get_byname(m, "rseq", 0, &h) >= 0 ? PRACK_RSP_RSEQ : 0u),
        .rseq = rseq,
    };
}

prack_time_t prack_osip_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (prack_time_t)ts.tv_sec * 1000u + (prack_time_t)ts.tv_nsec / 1000000u;
}

/* The header lines the action asks for (RFC 3262 7.1, 7.2; RFC 3261 21.4.16 and 21.4.17 for 420 and 421). osip's
 * parser lowercases header names, so these are added after it, as written. */
static void add_headers(osip_message_t *out, const prack_action_t *a)
{
    char v[40];
    if (a->type == PRACK_ACT_SEND_PRACK) {
        snprintf(v, sizeof(v), "%u %u INVITE", a->rseq, a->cseq);
        osip_message_set_header(out, "RAck", v);
    }
    if (a->flags & PRACK_AF_RELIABLE) {
        snprintf(v, sizeof(v), "%u", a->rseq);
        osip_message_set_header(out, "Require", "100rel");
        osip_message_set_header(out, "RSeq", v);
    }
    if (a->flags & (PRACK_AF_UNSUPPORTED_100REL | PRACK_AF_REQUIRE_100REL))
        osip_message_set_header(out, a->flags & PRACK_AF_REQUIRE_100REL ? "Require" : "Unsupported", "100rel");
    if (a->flags & PRACK_AF_TIMEOUT)
        osip_message_set_header(out, "Warning", "399 libprack \"" PRACK_TIMEOUT_TEXT "\"");
}

/* ------------------------------------------------------------------------- */
/* UAS */

/* Carry out the batch of a call that returned rc, after the host has seen each action; `nist` is the transaction
 * of the PRACK that ANSWER_PRACK answers. The other actions are the host's alone. */
static int uas_run(struct prack_osip_uas *u, osip_transaction_t *nist, int rc, const prack_actions_t *acts)
{
    for (uint32_t i = 0; rc == PRACK_OK && i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        osip_transaction_t *tr = a->type == PRACK_ACT_ANSWER_PRACK ? nist : u->ist;
        bool fresh = !(a->flags & PRACK_AF_RETRANSMIT);
        /* kept: the reliable 1xx for its retransmissions, the final for the host (a 2xx is the host's to resend) */
        osip_message_t *out = NULL, **keep = a->type == PRACK_ACT_SEND_FINAL ? &u->final
                                             : (a->flags & PRACK_AF_RELIABLE) ? &u->rel : NULL;
        if (!fresh && u->rel)
            osip_message_clone(u->rel, &out); /* the identical message (N1) */
        else if (fresh && (a->type == PRACK_ACT_SEND_1XX || a->type == PRACK_ACT_SEND_FINAL || tr == nist))
            out = oh_response(tr->orig_request, a->status, tr == nist ? NULL : u->to_tag);
        if (out && fresh)
            add_headers(out, a);
        u->act(acts, i, 0, out, u->arg);
        if (out && fresh)
            u->fill(out, a, u->arg);
        if (out && fresh && keep) {
            osip_message_free(*keep);
            *keep = NULL;
            osip_message_clone(out, keep);
        }
        if (out && oh_send_on(tr, out) != 0)
            osip_message_free(out);
    }
    return rc;
}

int prack_osip_uas_init(struct prack_osip_uas *u, osip_transaction_t *ist, const prack_config_t *cfg,
                        const char *to_tag, prack_osip_fill_h fill, prack_osip_act_h act, void *arg)
{
    const osip_message_t *m = ist->orig_request;
    uint32_t flags = tag(m, "supported", PRACK_INV_SUPPORTED_100REL) | tag(m, "require", PRACK_INV_REQUIRE_100REL) |
                     sdp(m, PRACK_INV_SDP);
    prack_invite_t inv = { .cseq = cseq_of(m), .flags = flags };
    prack_actions_t acts;
    *u = (struct prack_osip_uas){ .ist = ist, .to_tag = to_tag, .fill = fill, .act = act, .arg = arg };
    /* a 420 or 421, or nothing */
    return uas_run(u, NULL, prack_uas_init(&u->eng, cfg, &inv, (uint32_t)rand(), prack_osip_now(), &acts), &acts);
}

int prack_osip_uas_1xx(struct prack_osip_uas *u, uint16_t status, uint32_t flags)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_send_1xx(&u->eng, prack_osip_now(), status, flags, 0, &acts), &acts);
}

int prack_osip_uas_final(struct prack_osip_uas *u, uint16_t status)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_send_final(&u->eng, prack_osip_now(), status, &acts), &acts);
}

int prack_osip_uas_cancel(struct prack_osip_uas *u)
{
    prack_actions_t acts;
    return uas_run(u, NULL, prack_uas_cancel(&u->eng, prack_osip_now(), &acts), &acts);
}

void prack_osip_uas_timer(struct prack_osip_uas *u)
{
    prack_actions_t acts;
    (void)uas_run(u, NULL, prack_on_timer(&u->eng, prack_osip_now(), &acts), &acts);
}

int prack_osip_uas_prack(struct prack_osip_uas *u, osip_transaction_t *nist, const osip_message_t *prack)
{
    const char *v = single(prack, "rack");
    prack_rack_t r = { 0 };
    bool ok = prack_parse_rack(v, strlen(v), &r) == PRACK_OK;
    prack_prack_t pr = { .flags = (ok ? PRACK_PR_RACK : 0u) | sdp(prack, PRACK_PR_SDP), .cseq = cseq_of(prack),
                         .rack_rseq = r.rseq, .rack_cseq = r.cseq, .method = r.method,
                         .method_len = (uint32_t)r.method_len };
    prack_actions_t acts;
    return uas_run(u, nist, prack_uas_on_prack(&u->eng, prack_osip_now(), &pr, &acts), &acts);
}

void prack_osip_uas_close(struct prack_osip_uas *u)
{
    osip_message_free(u->rel);
    osip_message_free(u->final);
    u->rel = u->final = NULL;
}

/* ------------------------------------------------------------------------- */
/* UAC */

/* After the host has seen each action: a PRACK per SEND_PRACK on a NICT of its own, in the early dialog of the
 * 1xx (its target, route set and CSeq). The other actions are the host's alone. */
static int uac_run(struct prack_osip_uac *uac, unsigned k, int rc, const prack_actions_t *acts)
{
    for (uint32_t i = 0; rc == PRACK_OK && i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        osip_message_t *out = NULL;
        osip_transaction_t *tr = NULL;
        size_t s = 0;
        while (s < PRACK_OSIP_PRACKS && uac->pracks[s].tr)
            s++;
        if (a->type == PRACK_ACT_SEND_PRACK && s < PRACK_OSIP_PRACKS &&
            (out = oh_dialog_request(uac->forks[k].dlg, uac->invite, "PRACK", 0, "")) != NULL)
            add_headers(out, a);
        uac->act(acts, i, k, out, uac->arg);
        if (!out)
            continue;
        uac->fill(out, a, uac->arg); /* the body the host chose on seeing the action */
        if (osip_transaction_init(&tr, NICT, uac->osip, out) != 0) {
            osip_message_free(out);
            continue;
        }
        oh_set_t1(tr, uac->t1);
        uac->pracks[s] = (struct prack_osip_prack){ tr, k, a->rseq };
        oh_send_on(tr, out);
    }
    return rc;
}

int prack_osip_uac_init(struct prack_osip_uac *uac, osip_t *osip, const osip_message_t *invite,
                        const prack_config_t *cfg, uint32_t flags, prack_osip_fill_h fill, prack_osip_act_h act,
                        void *arg)
{
    *uac = (struct prack_osip_uac){ .osip = osip, .t1 = cfg ? cfg->t1_ms : PRACK_DEFAULT_T1_MS, .fill = fill,
                                    .act = act, .arg = arg };
    if (osip_message_clone(invite, &uac->invite) != 0)
        return PRACK_ERR_INVAL;
    return prack_uac_init(&uac->eng, cfg, cseq_of(invite), flags, prack_osip_now());
}

const char *prack_osip_uac_option(const struct prack_osip_uac *uac)
{
    static const char *const name[] = { NULL, "Supported", "Require" }; /* by prack_option_t */
    return name[prack_uac_option(&uac->eng)];
}

unsigned prack_osip_uac_fork(struct prack_osip_uac *uac, osip_message_t *rsp)
{
    static char tag_name[] = "tag"; /* osip's parameter lookups take a non-const name */
    osip_generic_param_t *tag;
    if (!rsp->to || osip_generic_param_get_byname(&rsp->to->gen_params, tag_name, &tag) != 0)
        return 0;
    for (unsigned k = 1; k <= uac->nforks; k++) {
        if (osip_dialog_match_as_uac(uac->forks[k].dlg, rsp) == 0) {
            /* a later 1xx or the 2xx may bring a new target (and the 2xx the route set) */
            if (rsp->status_code < 300 && !osip_list_eol(&rsp->contacts, 0))
                osip_dialog_update_route_set_as_uac(uac->forks[k].dlg, rsp);
            return k;
        }
    }
    if (rsp->status_code <= 100 || rsp->status_code >= 300 || uac->nforks == PRACK_OSIP_FORKS)
        return 0;
    /* a new To-tag: osip's early dialog takes the Record-Route, Contact and CSeq */
    unsigned k = uac->nforks + 1;
    if (osip_dialog_init_as_uac(&uac->forks[k].dlg, rsp) != 0)
        return 0;
    prack_uac_dialog_init(&uac->forks[k].eng);
    uac->nforks = k;
    return k;
}

int prack_osip_uac_response(struct prack_osip_uac *uac, osip_message_t *rsp)
{
    unsigned k = prack_osip_uac_fork(uac, rsp);
    prack_response_t r = response_facts(rsp);
    prack_actions_t acts;
    return uac_run(uac, k, prack_on_response(&uac->eng, k ? &uac->forks[k].eng : NULL, prack_osip_now(), &r, &acts),
                   &acts);
}

bool prack_osip_uac_prack_done(struct prack_osip_uac *uac, osip_transaction_t *tr, const osip_message_t *rsp)
{
    static const prack_response_t timeout = { .status = 408, .method = PRACK_METHOD_PRACK }; /* Timer F */
    prack_actions_t acts;
    size_t s = 0;
    while (s < PRACK_OSIP_PRACKS && uac->pracks[s].tr != tr)
        s++;
    if (s == PRACK_OSIP_PRACKS || (rsp && rsp->status_code < 200))
        return s < PRACK_OSIP_PRACKS;
    prack_response_t r = rsp ? response_facts(rsp) : timeout;
    unsigned k = uac->pracks[s].fork;
    r.rseq = uac->pracks[s].rseq; /* which PRACK it answers */
    uac->pracks[s].tr = NULL;
    (void)uac_run(uac, k, prack_on_response(&uac->eng, &uac->forks[k].eng, prack_osip_now(), &r, &acts), &acts);
    return true;
}

void prack_osip_uac_close(struct prack_osip_uac *uac)
{
    for (unsigned k = 1; k <= uac->nforks; k++)
        osip_dialog_free(uac->forks[k].dlg);
    uac->nforks = 0;
    osip_message_free(uac->invite);
    uac->invite = NULL;
}
