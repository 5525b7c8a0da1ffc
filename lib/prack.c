/*
 * Version, error texts, configuration, and names for logs.
 */
#include <stdio.h>

#include "internal.h"

const char *prack_version(void)
{
    return PRACK_VERSION_STRING;
}

uint32_t prack_version_number(void)
{
    return (uint32_t)PRACK_VERSION_NUMBER;
}

const char *prack_strerror(int err)
{
    if (err >= 0)
        return "success";
    switch ((prack_error_t)err) {
    case PRACK_ERR_INVAL: return "invalid argument";
    case PRACK_ERR_STATE: return "not allowed in the current state";
    case PRACK_ERR_TIME: return "time went backwards";
    case PRACK_ERR_QUEUE_FULL: return "reliable provisional queue is full";
    case PRACK_ERR_OFFER_REQUIRED: return "first reliable provisional must carry the SDP offer";
    case PRACK_ERR_PARSE: return "malformed header value";
    case PRACK_ERR_RANGE: return "number out of range";
    case PRACK_ERR_NOSPACE: return "output buffer too small";
    case PRACK_OK: break;
    }
    return "unknown error";
}

int prack_config_init(prack_config_t *cfg)
{
    if (!cfg)
        return PRACK_ERR_INVAL;
    memset(cfg, 0, sizeof(*cfg));
    cfg->t1_ms = PRACK_DEFAULT_T1_MS;
    cfg->refresh_ms = 0;
    cfg->timeout_status = PRACK_DEFAULT_TIMEOUT_STATUS;
    cfg->policy = PRACK_POLICY_SUPPORTED;
    cfg->on_prack_failure = PRACK_FAILURE_OBSERVE;
    cfg->prack_after_2xx = 1;
    cfg->cache_out_of_order = 0;
    cfg->queue_max = PRACK_UAS_QUEUE_MAX;
    cfg->auth_max = PRACK_UAC_AUTH_MAX;
    return PRACK_OK;
}

int prack_config_check(const prack_config_t *cfg)
{
    if (!cfg)
        return PRACK_OK;
    if (cfg->t1_ms == 0 || cfg->t1_ms > PRACK_T1_MAX_MS)
        return PRACK_ERR_INVAL;
    if (cfg->refresh_ms != 0 &&
        (cfg->refresh_ms < PRACK_REFRESH_MIN_MS || cfg->refresh_ms > PRACK_REFRESH_MAX_MS))
        return PRACK_ERR_INVAL;
    if (cfg->timeout_status < 500 || cfg->timeout_status > 599)
        return PRACK_ERR_INVAL;
    if (cfg->policy > PRACK_POLICY_REQUIRED || cfg->on_prack_failure > PRACK_FAILURE_TERMINATE ||
        cfg->prack_after_2xx > 1 || cfg->cache_out_of_order > 1 ||
        cfg->queue_max > PRACK_UAS_QUEUE_MAX || cfg->auth_max > PRACK_UAC_AUTH_MAX)
        return PRACK_ERR_INVAL;
    for (size_t i = 0; i < sizeof(cfg->reserved_); i++)
        if (cfg->reserved_[i])
            return PRACK_ERR_INVAL;
    return PRACK_OK;
}

const char *prack_act_name(unsigned type)
{
    switch ((prack_act_t)type) {
    case PRACK_ACT_SEND_1XX: return "SEND_1XX";
    case PRACK_ACT_QUEUE_1XX: return "QUEUE_1XX";
    case PRACK_ACT_DROP_1XX: return "DROP_1XX";
    case PRACK_ACT_SEND_FINAL: return "SEND_FINAL";
    case PRACK_ACT_HOLD_FINAL: return "HOLD_FINAL";
    case PRACK_ACT_ANSWER_PRACK: return "ANSWER_PRACK";
    case PRACK_ACT_DELIVER_1XX: return "DELIVER_1XX";
    case PRACK_ACT_SEND_PRACK: return "SEND_PRACK";
    case PRACK_ACT_CACHE_1XX: return "CACHE_1XX";
    case PRACK_ACT_DROP_CACHED: return "DROP_CACHED";
    case PRACK_ACT_DISCARD: return "DISCARD";
    case PRACK_ACT_DELIVER_FINAL: return "DELIVER_FINAL";
    case PRACK_ACT_RETRY_INVITE: return "RETRY_INVITE";
    case PRACK_ACT_TERMINATE: return "TERMINATE";
    case PRACK_ACT_EVENT: return "EVENT";
    }
    return "?";
}

const char *prack_reason_name(unsigned reason)
{
    switch ((prack_reason_t)reason) {
    case PRACK_R_NONE: return "NONE";
    case PRACK_R_RETRANSMISSION: return "RETRANSMISSION";
    case PRACK_R_OUT_OF_ORDER: return "OUT_OF_ORDER";
    case PRACK_R_BAD_RSEQ: return "BAD_RSEQ";
    case PRACK_R_NO_DIALOG: return "NO_DIALOG";
    case PRACK_R_AFTER_FINAL: return "AFTER_FINAL";
    case PRACK_R_CACHE_FULL: return "CACHE_FULL";
    case PRACK_R_NO_MATCH: return "NO_MATCH";
    case PRACK_R_BAD_RACK: return "BAD_RACK";
    case PRACK_R_DUPLICATE: return "DUPLICATE";
    case PRACK_R_TIMEOUT: return "TIMEOUT";
    case PRACK_R_SESSION: return "SESSION";
    case PRACK_R_ANSWER_MISSING: return "ANSWER_MISSING";
    case PRACK_R_SDP_UNEXPECTED: return "SDP_UNEXPECTED";
    case PRACK_R_PRACK_OK: return "PRACK_OK";
    case PRACK_R_PRACK_FAILED: return "PRACK_FAILED";
    case PRACK_R_WRONG_CSEQ: return "WRONG_CSEQ";
    }
    return "?";
}

const char *prack_sdp_name(unsigned sdp)
{
    switch ((prack_sdp_t)sdp) {
    case PRACK_SDP_NONE: return "NONE";
    case PRACK_SDP_OFFER: return "OFFER";
    case PRACK_SDP_ANSWER: return "ANSWER";
    case PRACK_SDP_MAY_OFFER: return "MAY_OFFER";
    case PRACK_SDP_REPEAT: return "REPEAT";
    }
    return "?";
}

const char *prack_uas_state_name(unsigned state)
{
    switch ((prack_uas_state_t)state) {
    case PRACK_UAS_PROCEEDING: return "PROCEEDING";
    case PRACK_UAS_HELD: return "HELD";
    case PRACK_UAS_COMPLETED: return "COMPLETED";
    case PRACK_UAS_REJECTED: return "REJECTED";
    }
    return "?";
}

const char *prack_uac_state_name(unsigned state)
{
    switch ((prack_uac_state_t)state) {
    case PRACK_UAC_CALLING: return "CALLING";
    case PRACK_UAC_ACCEPTED: return "ACCEPTED";
    case PRACK_UAC_FAILED: return "FAILED";
    }
    return "?";
}

static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    {PRACK_AF_RELIABLE, "RELIABLE"},
    {PRACK_AF_RETRANSMIT, "RETRANSMIT"},
    {PRACK_AF_REFRESH, "REFRESH"},
    {PRACK_AF_RELEASED, "RELEASED"},
    {PRACK_AF_TIMEOUT, "TIMEOUT"},
    {PRACK_AF_CANCELLED, "CANCELLED"},
    {PRACK_AF_UNSUPPORTED_100REL, "UNSUPPORTED_100REL"},
    {PRACK_AF_REQUIRE_100REL, "REQUIRE_100REL"},
    {PRACK_AF_NEW_DIALOG, "NEW_DIALOG"},
    {PRACK_AF_CACHED, "CACHED"},
    {PRACK_AF_AUTH, "AUTH"},
    {PRACK_AF_REPLACES_HELD, "REPLACES_HELD"},
    {PRACK_AF_DIALOG_GONE, "DIALOG_GONE"},
    {PRACK_AF_RELEASE, "RELEASE"},
    {PRACK_AF_OTHER_FORK, "OTHER_FORK"},
};

/* Append " <a><b>" (b may be empty) to buf, truncating; returns the new length. */
static size_t put_str(char *buf, size_t cap, size_t len, const char *a, const char *b)
{
    if (len + 1 >= cap)
        return len;
    int n = snprintf(buf + len, cap - len, "%s%s%s", len ? " " : "", a, b);
    if (n < 0)
        return len;
    size_t room = cap - len - 1;
    return len + ((size_t)n < room ? (size_t)n : room);
}

/* Append " <a><v>" to buf, truncating; returns the new length. */
static size_t put_num(char *buf, size_t cap, size_t len, const char *a, unsigned long v)
{
    char num[24];
    (void)snprintf(num, sizeof(num), "%lu", v);
    return put_str(buf, cap, len, a, num);
}

int prack_action_format(char *buf, size_t cap, const prack_action_t *act)
{
    if (!buf || !act || cap == 0)
        return PRACK_ERR_INVAL;
    buf[0] = '\0';
    size_t len = put_str(buf, cap, 0, prack_act_name(act->type), "");
    if (act->status)
        len = put_num(buf, cap, len, "", act->status);
    if (act->rseq)
        len = put_num(buf, cap, len, "rseq=", act->rseq);
    if (act->cseq)
        len = put_num(buf, cap, len, "cseq=", act->cseq);
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (act->flags & flag_names[i].bit)
            len = put_str(buf, cap, len, flag_names[i].name, "");
    if (act->sdp != PRACK_SDP_NONE)
        len = put_str(buf, cap, len, "sdp=", prack_sdp_name(act->sdp));
    if (act->reason != PRACK_R_NONE)
        len = put_str(buf, cap, len, "reason=", prack_reason_name(act->reason));
    if (act->type == PRACK_ACT_RETRY_INVITE)
        len = put_str(buf, cap, len, "option=",
                      act->option == PRACK_OPTION_REQUIRE     ? "Require"
                      : act->option == PRACK_OPTION_SUPPORTED ? "Supported"
                                                              : "none");
    return (int)len;
}
