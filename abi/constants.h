/*
 * The values of libprack's public enumerations and numeric macros, as abidw
 * can see them.
 *
 * Since 0.2 no public struct field or function parameter has an enumeration
 * type (fields are uint8_t, parameters unsigned), so the library's own debug
 * information no longer ties an enumeration's values to its ABI, and macros
 * never appear there. Yet a host compiled against one version and run with
 * another relies on every one of these values. scripts/abi-check.sh builds
 * constants.c into a small probe object (never installed, never linked into
 * libprack), and abidw records each enumerator below with its value, so
 * abidiff reports any value that changes, appears or disappears.
 *
 * A new public enumeration or numeric macro gets a line here.
 */
#ifndef PRACK_ABI_CONSTANTS_H
#define PRACK_ABI_CONSTANTS_H

#include <prack/header.h>
#include <prack/prack.h>

/* Sizes and limits. */
enum prack_abi_limits {
    ABI_PRACK_UAS_SIZE = PRACK_UAS_SIZE,
    ABI_PRACK_UAC_SIZE = PRACK_UAC_SIZE,
    ABI_PRACK_UAC_DIALOG_SIZE = PRACK_UAC_DIALOG_SIZE,
    ABI_PRACK_ACTIONS_MAX = PRACK_ACTIONS_MAX,
    ABI_PRACK_UAS_QUEUE_MAX = PRACK_UAS_QUEUE_MAX,
    ABI_PRACK_UAC_AUTH_MAX = PRACK_UAC_AUTH_MAX,
    ABI_PRACK_UAC_CACHE_WINDOW = PRACK_UAC_CACHE_WINDOW,
    ABI_PRACK_RSEQ_STRLEN = PRACK_RSEQ_STRLEN,
    ABI_PRACK_DEFAULT_T1_MS = PRACK_DEFAULT_T1_MS,
    ABI_PRACK_DEFAULT_TIMEOUT_STATUS = PRACK_DEFAULT_TIMEOUT_STATUS,
    ABI_PRACK_RECOMMENDED_REFRESH_MS = PRACK_RECOMMENDED_REFRESH_MS
};

/* Values above INT_MAX (a GNU C extension in an enumeration). */
enum prack_abi_wide {
    ABI_PRACK_RSEQ_MAX = PRACK_RSEQ_MAX,
    ABI_PRACK_CSEQ_MAX = PRACK_CSEQ_MAX,
    ABI_PRACK_TIME_NONE = PRACK_TIME_NONE
};

/* prack_action_t.flags */
enum prack_abi_action_flags {
    ABI_PRACK_AF_RELIABLE = PRACK_AF_RELIABLE,
    ABI_PRACK_AF_RETRANSMIT = PRACK_AF_RETRANSMIT,
    ABI_PRACK_AF_REFRESH = PRACK_AF_REFRESH,
    ABI_PRACK_AF_RELEASED = PRACK_AF_RELEASED,
    ABI_PRACK_AF_TIMEOUT = PRACK_AF_TIMEOUT,
    ABI_PRACK_AF_CANCELLED = PRACK_AF_CANCELLED,
    ABI_PRACK_AF_UNSUPPORTED_100REL = PRACK_AF_UNSUPPORTED_100REL,
    ABI_PRACK_AF_REQUIRE_100REL = PRACK_AF_REQUIRE_100REL,
    ABI_PRACK_AF_NEW_DIALOG = PRACK_AF_NEW_DIALOG,
    ABI_PRACK_AF_CACHED = PRACK_AF_CACHED,
    ABI_PRACK_AF_AUTH = PRACK_AF_AUTH,
    ABI_PRACK_AF_REPLACES_HELD = PRACK_AF_REPLACES_HELD,
    ABI_PRACK_AF_DIALOG_GONE = PRACK_AF_DIALOG_GONE,
    ABI_PRACK_AF_RELEASE = PRACK_AF_RELEASE,
    ABI_PRACK_AF_OTHER_FORK = PRACK_AF_OTHER_FORK
};

/* The flags the host passes in. */
enum prack_abi_input_flags {
    ABI_PRACK_INV_SUPPORTED_100REL = PRACK_INV_SUPPORTED_100REL,
    ABI_PRACK_INV_REQUIRE_100REL = PRACK_INV_REQUIRE_100REL,
    ABI_PRACK_INV_SDP = PRACK_INV_SDP,
    ABI_PRACK_PR_RACK = PRACK_PR_RACK,
    ABI_PRACK_PR_SDP = PRACK_PR_SDP,
    ABI_PRACK_1XX_SDP = PRACK_1XX_SDP,
    ABI_PRACK_1XX_UNRELIABLE = PRACK_1XX_UNRELIABLE,
    ABI_PRACK_RSP_REQUIRE_100REL = PRACK_RSP_REQUIRE_100REL,
    ABI_PRACK_RSP_RSEQ = PRACK_RSP_RSEQ,
    ABI_PRACK_RSP_SDP = PRACK_RSP_SDP,
    ABI_PRACK_RSP_UNSUPPORTED_100REL = PRACK_RSP_UNSUPPORTED_100REL,
    ABI_PRACK_UAC_INVITE_SDP = PRACK_UAC_INVITE_SDP
};

/* Takes every public enumeration, so that abidw keeps each of them. */
void prack_abi_constants(prack_error_t err, prack_policy_t policy, prack_failure_t failure,
                         prack_act_t act, prack_reason_t reason, prack_sdp_t sdp,
                         prack_option_t option, prack_uas_state_t uas_state,
                         prack_method_t method, prack_uac_state_t uac_state,
                         enum prack_abi_limits limits, enum prack_abi_wide wide,
                         enum prack_abi_action_flags action_flags,
                         enum prack_abi_input_flags input_flags);

#endif /* PRACK_ABI_CONSTANTS_H */
