/*
 * libprack on libosip2 (see prack_osip.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "prack_osip.h"

#include "osip_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prack/header.h"

/* ------------------------------------------------------------------------- */
/* Facts */

static bool has_100rel(const osip_message_t *m, const char *name)
{
    osip_header_t *h;
    for (int pos = 0; (pos = osip_message_header_get_byname(m, name, pos, &h)) >= 0; pos++)
        if (h->hvalue && prack_option_tags_find(h->hvalue, strlen(h->hvalue), "100rel", 6) > 0)
            return true;
    return false;
}

/* The value of the one `name` header; NULL when absent or repeated (malformed). */
static const char *single(const osip_message_t *m, const char *name)
{
    osip_header_t *h, *again;
    int pos = osip_message_header_get_byname(m, name, 0, &h);
    if (pos < 0 || osip_message_header_get_byname(m, name, pos + 1, &again) >= 0)
        return NULL;
    return h->hvalue;
}

static bool has_sdp(const osip_message_t *m)
{
    const osip_content_type_t *ct = m->content_type;
    return !osip_list_eol(&m->bodies, 0) && ct && ct->type && ct->subtype && !osip_strcasecmp(ct->type, "application") &&
           !osip_strcasecmp(ct->subtype, "sdp");
}

static uint32_t cseq_of(const osip_message_t *m)
{
    return m->cseq && m->cseq->number ? (uint32_t)strtoul(m->cseq->number, NULL, 10) : 0u;
}

void prack_osip_invite_facts(const osip_message_t *m, prack_invite_t *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->cseq = cseq_of(m);
    inv->flags = (has_100rel(m, "supported") ? PRACK_INV_SUPPORTED_100REL : 0u) |
                 (has_100rel(m, "require") ? PRACK_INV_REQUIRE_100REL : 0u) | (has_sdp(m) ? PRACK_INV_SDP : 0u);
}

void prack_osip_prack_facts(const osip_message_t *m, prack_prack_t *pr)
{
    const char *v = single(m, "rack");
    prack_rack_t rack;
    memset(pr, 0, sizeof(*pr));
    pr->cseq = cseq_of(m);
    if (v && prack_parse_rack(v, strlen(v), &rack) == PRACK_OK) {
        pr->flags |= PRACK_PR_RACK;
        pr->rack_rseq = rack.rseq;
        pr->rack_cseq = rack.cseq;
        pr->method = rack.method;
        pr->method_len = (uint32_t)rack.method_len;
    }
    if (has_sdp(m))
        pr->flags |= PRACK_PR_SDP;
}

void prack_osip_response_facts(const osip_message_t *m, prack_response_t *rsp)
{
    const char *met = m->cseq ? m->cseq->method : NULL;
    const char *v = single(m, "rseq");
    osip_header_t *h;
    uint32_t rseq = 0;
    memset(rsp, 0, sizeof(*rsp));
    rsp->status = (uint16_t)m->status_code;
    rsp->cseq = cseq_of(m);
    rsp->method = met && !strcmp(met, "INVITE") ? PRACK_METHOD_INVITE
                  : met && !strcmp(met, "PRACK") ? PRACK_METHOD_PRACK
                                                 : PRACK_METHOD_OTHER;
    rsp->flags = (has_100rel(m, "require") ? PRACK_RSP_REQUIRE_100REL : 0u) |
                 (has_100rel(m, "unsupported") ? PRACK_RSP_UNSUPPORTED_100REL : 0u) |
                 (has_sdp(m) ? PRACK_RSP_SDP : 0u);
    if (osip_message_header_get_byname(m, "rseq", 0, &h) >= 0) {
        rsp->flags |= PRACK_RSP_RSEQ;
        if (v && prack_parse_rseq(v, strlen(v), &rseq) == PRACK_OK)
            rsp->rseq = rseq;
    }
}

prack_time_t prack_osip_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (prack_time_t)ts.tv_sec * 1000u + (prack_time_t)ts.tv_nsec / 1000000u;
}

/* osip's parameter lookups take a non-const name */
static char tag_name[] = "tag";

/* ------------------------------------------------------------------------- */
/* UAS */

static void uas_run(struct prack_osip_uas *u, const prack_actions_t *acts)
{
    char v[32];
    for (uint32_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        osip_message_t *out = NULL;
        osip_transaction_t *tr = u->ist;
        switch (a->type) {
        case PRACK_ACT_SEND_1XX:
        case PRACK_ACT_SEND_FINAL:
            if (a->type == PRACK_ACT_SEND_1XX && (a->flags & PRACK_AF_RETRANSMIT)) {
                if (u->rel)
                    osip_message_clone(u->rel, &out); /* the identical message (N1) */
                break;
            }
            if (!tr || !(out = oh_response(tr->orig_request, a->status, u->to_tag)))
                break;
            if (a->type == PRACK_ACT_SEND_1XX && (a->flags & PRACK_AF_RELIABLE)) {
                snprintf(v, sizeof(v), "%u", a->rseq);
                osip_message_set_header(out, "Require", "100rel");
                osip_message_set_header(out, "RSeq", v);
            }
            if (a->flags & PRACK_AF_UNSUPPORTED_100REL)
                osip_message_set_header(out, "Unsupported", "100rel");
            if (a->flags & PRACK_AF_REQUIRE_100REL)
                osip_message_set_header(out, "Require", "100rel");
            if (a->flags & PRACK_AF_TIMEOUT)
                osip_message_set_header(out, "Warning", "399 libprack \"" PRACK_TIMEOUT_TEXT "\"");
            u->fill(out, a, u->arg);
            break;
        case PRACK_ACT_ANSWER_PRACK:
            tr = u->nist;
            if (tr && (out = oh_response(tr->orig_request, a->status, NULL)) != NULL)
                u->fill(out, a, u->arg);
            break;
        default: break;
        }
        if (u->act)
            u->act(acts, i, 0, out, u->arg);
        if (!out)
            continue;
        if (a->type == PRACK_ACT_SEND_1XX && (a->flags & PRACK_AF_RELIABLE) && !(a->flags & PRACK_AF_RETRANSMIT)) {
            osip_message_free(u->rel);
            u->rel = NULL;
            osip_message_clone(out, &u->rel);
        } else if (a->type == PRACK_ACT_SEND_FINAL) {
            osip_message_free(u->final);
            osip_message_free(u->rel);
            u->final = u->rel = NULL;
            osip_message_clone(out, &u->final);
        }
        if (!tr || oh_send_on(tr, out) != 0)
            osip_message_free(out);
    }
}

int prack_osip_uas_init(struct prack_osip_uas *u, osip_transaction_t *ist, const prack_config_t *cfg,
                        const char *to_tag, prack_osip_fill_h fill, prack_osip_act_h act, void *arg)
{
    prack_invite_t inv;
    prack_actions_t acts;
    memset(u, 0, sizeof(*u));
    u->ist = ist;
    u->fill = fill;
    u->act = act;
    u->arg = arg;
    snprintf(u->to_tag, sizeof(u->to_tag), "%s", to_tag);
    prack_osip_invite_facts(ist->orig_request, &inv);
    int rc = prack_uas_init(&u->eng, cfg, &inv, (uint32_t)rand(), prack_osip_now(), &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts); /* 420 or 421, or nothing */
    return rc;
}

int prack_osip_uas_1xx(struct prack_osip_uas *u, uint16_t status, uint32_t flags)
{
    prack_actions_t acts;
    int rc = prack_uas_send_1xx(&u->eng, prack_osip_now(), status, flags, 0, &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

int prack_osip_uas_final(struct prack_osip_uas *u, uint16_t status)
{
    prack_actions_t acts;
    int rc = prack_uas_send_final(&u->eng, prack_osip_now(), status, &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

int prack_osip_uas_prack(struct prack_osip_uas *u, osip_transaction_t *nist, const osip_message_t *prack)
{
    prack_prack_t pr;
    prack_actions_t acts;
    prack_osip_prack_facts(prack, &pr);
    int rc = prack_uas_on_prack(&u->eng, prack_osip_now(), &pr, &acts);
    if (rc == PRACK_OK) {
        u->nist = nist;
        uas_run(u, &acts);
        u->nist = NULL;
    }
    return rc;
}

int prack_osip_uas_cancel(struct prack_osip_uas *u)
{
    prack_actions_t acts;
    int rc = prack_uas_cancel(&u->eng, prack_osip_now(), &acts);
    if (rc == PRACK_OK)
        uas_run(u, &acts);
    return rc;
}

prack_time_t prack_osip_uas_deadline(const struct prack_osip_uas *u)
{
    return prack_next_deadline(&u->eng);
}

void prack_osip_uas_timer(struct prack_osip_uas *u)
{
    prack_actions_t acts;
    if (prack_on_timer(&u->eng, prack_osip_now(), &acts) == PRACK_OK)
        uas_run(u, &acts);
}

void prack_osip_uas_close(struct prack_osip_uas *u)
{
    osip_message_free(u->rel);
    osip_message_free(u->final);
    u->rel = u->final = NULL;
}

/* ------------------------------------------------------------------------- */
/* UAC */

static void uac_run(struct prack_osip_uac *uac, unsigned k, const prack_actions_t *acts)
{
    for (uint32_t i = 0; i < acts->n; i++) {
        const prack_action_t *a = &acts->v[i];
        osip_message_t *out = NULL;
        osip_transaction_t *tr = NULL;
        size_t slot = 0;
        if (a->type == PRACK_ACT_SEND_PRACK && k) {
            while (slot < PRACK_OSIP_PRACKS && uac->pracks[slot].tr)
                slot++;
            char rack[40];
            snprintf(rack, sizeof(rack), "%u %u INVITE", a->rseq, a->cseq);
            /* in the early dialog of the 1xx: its target, route set and CSeq; osip's parser
             * lowercases header names, so RAck is added after it, as written */
            if (slot < PRACK_OSIP_PRACKS && (out = oh_dialog_request(uac->forks[k].dlg, uac->invite, "PRACK", 0, "")) != NULL)
                osip_message_set_header(out, "RAck", rack);
        }
        if (uac->act)
            uac->act(acts, i, k, out, uac->arg);
        if (!out)
            continue;
        uac->fill(out, a, uac->arg); /* the body the host chose on seeing the action */
        if (osip_transaction_init(&tr, NICT, uac->osip, out) != 0) {
            osip_message_free(out);
            continue;
        }
        oh_set_t1(tr, uac->t1);
        uac->pracks[slot].tr = tr;
        uac->pracks[slot].fork = k;
        uac->pracks[slot].rseq = a->rseq;
        oh_send_on(tr, out);
    }
}

int prack_osip_uac_init(struct prack_osip_uac *uac, osip_t *osip, const osip_message_t *invite,
                        const prack_config_t *cfg, uint32_t flags, prack_osip_fill_h fill, prack_osip_act_h act,
                        void *arg)
{
    memset(uac, 0, sizeof(*uac));
    uac->osip = osip;
    uac->t1 = cfg ? cfg->t1_ms : PRACK_DEFAULT_T1_MS;
    uac->fill = fill;
    uac->act = act;
    uac->arg = arg;
    if (osip_message_clone(invite, &uac->invite) != 0)
        return PRACK_ERR_INVAL;
    return prack_uac_init(&uac->eng, cfg, cseq_of(invite), flags, prack_osip_now());
}

const char *prack_osip_uac_option(const struct prack_osip_uac *uac)
{
    unsigned o = prack_uac_option(&uac->eng);
    return o == PRACK_OPTION_SUPPORTED ? "Supported" : o == PRACK_OPTION_REQUIRE ? "Require" : NULL;
}

unsigned prack_osip_uac_fork(struct prack_osip_uac *uac, osip_message_t *rsp)
{
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
    prack_response_t r;
    prack_actions_t acts;
    unsigned k = prack_osip_uac_fork(uac, rsp);
    prack_osip_response_facts(rsp, &r);
    int rc = prack_on_response(&uac->eng, k ? &uac->forks[k].eng : NULL, prack_osip_now(), &r, &acts);
    if (rc == PRACK_OK)
        uac_run(uac, k, &acts);
    return rc;
}

bool prack_osip_uac_prack_done(struct prack_osip_uac *uac, osip_transaction_t *tr, const osip_message_t *rsp)
{
    prack_response_t r;
    prack_actions_t acts;
    for (size_t s = 0; s < PRACK_OSIP_PRACKS; s++) {
        if (uac->pracks[s].tr != tr)
            continue;
        if (rsp && rsp->status_code < 200)
            return true;
        unsigned k = uac->pracks[s].fork;
        if (rsp) {
            prack_osip_response_facts(rsp, &r);
        } else {
            memset(&r, 0, sizeof(r)); /* Timer F: the engine takes it as 408 */
            r.status = 408;
            r.method = PRACK_METHOD_PRACK;
        }
        r.rseq = uac->pracks[s].rseq; /* which PRACK it answers */
        uac->pracks[s].tr = NULL;
        if (prack_on_response(&uac->eng, &uac->forks[k].eng, prack_osip_now(), &r, &acts) == PRACK_OK)
            uac_run(uac, k, &acts);
        return true;
    }
    return false;
}

void prack_osip_uac_close(struct prack_osip_uac *uac)
{
    for (unsigned k = 1; k <= uac->nforks; k++)
        osip_dialog_free(uac->forks[k].dlg);
    uac->nforks = 0;
    osip_message_free(uac->invite);
    uac->invite = NULL;
}
