/**
 * @file prack/prack.h
 * @brief The libprack engine: reliable SIP provisional responses (RFC 3262).
 *
 * libprack is a sans-I/O protocol engine. The host parses SIP messages, feeds the
 * facts the engine needs (a few numbers and flags) together with the current
 * monotonic time, and carries out the actions the engine returns in a
 * caller-owned batch (::prack_actions_t). The engine never reads a clock,
 * allocates memory, touches a socket, takes a lock, keeps a global or calls back
 * into the host; separate engines may be used on separate threads.
 *
 * Two engines:
 *
 * - **UAS** (::prack_uas_t), one per INVITE server transaction (initial INVITE or
 *   re-INVITE). It decides whether provisionals go reliably (or whether the
 *   INVITE must be rejected with 420/421), numbers reliable 1xx with RSeq,
 *   retransmits them from T1 with doubling, answers PRACKs with 200 or 481,
 *   holds a 2xx until every SDP-bearing reliable 1xx is acknowledged, and
 *   rejects the INVITE with a 5xx after 64*T1 without PRACK.
 * - **UAC** (::prack_uac_t), one per INVITE client transaction, plus one
 *   ::prack_uac_dialog_t per early dialog (To-tag) that the host keeps inside its
 *   own dialog object. It tells the host which option tag to put in the INVITE,
 *   PRACKs each reliable 1xx exactly once in RSeq order per early dialog,
 *   discards retransmissions and out-of-order responses, and turns the outcome
 *   of each PRACK into actions.
 *
 * **Memory.** Engine objects are opaque, fixed-size and hold no pointer: the host
 * allocates them anywhere (stack, static storage, inside its own transaction or
 * dialog objects) and may move or copy them with `memcpy` between calls, for
 * example when a table grows by `realloc`. Their size and alignment are part of
 * the ABI (::PRACK_UAS_SIZE, ::PRACK_UAC_SIZE, ::PRACK_UAC_DIALOG_SIZE).
 *
 * **ABI.** Every public struct holds fixed-width integer fields (enumerations are
 * stored as `uint8_t`), so a host compiled with `-fshort-enums` or another
 * enumeration size reads exactly what the library writes.
 *
 * **Time.** A ::prack_time_t is milliseconds from a host-chosen epoch. `now` is
 * any value below ::PRACK_TIME_NONE and never earlier than the `now` of the last
 * successful call on the same engine; an earlier one fails with
 * ::PRACK_ERR_TIME, ::PRACK_TIME_NONE itself with ::PRACK_ERR_INVAL.
 *
 * **Batches.** Every state-changing call takes a ::prack_actions_t, resets it,
 * and appends the actions the host must carry out, in order. A batch never
 * holds more than ::PRACK_ACTIONS_MAX actions. When a call fails with a negative
 * error code, the engine is unchanged and the batch is empty.
 *
 * **Cookies.** The UAS takes a 64-bit host cookie with each provisional
 * (prack_uas_send_1xx()); 0 means "no cookie". Every non-zero cookie the engine
 * accepted comes back exactly once in an action flagged ::PRACK_AF_RELEASE;
 * that action is the last that carries it, so the host may free whatever the
 * cookie refers to once it has carried out that action. See ::PRACK_AF_RELEASE
 * for where that happens.
 *
 * @sa prack/header.h for optional parsers and formatters of RSeq, RAck and
 *     option-tag lists.
 */
#ifndef PRACK_PRACK_H
#define PRACK_PRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prack/error.h"
#include "prack/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/** @name Version */
/** @{ */

/**
 * @brief The library's version as a string, e.g. "0.2.0".
 * @return a static NUL-terminated string; compare with ::PRACK_VERSION_STRING to
 *         detect a header/library mismatch.
 */
PRACK_API const char *prack_version(void);

/**
 * @brief The library's version as a number, `(major << 16) | (minor << 8) | patch`.
 * @return the same encoding as ::PRACK_VERSION_NUMBER.
 */
PRACK_API uint32_t prack_version_number(void);

/** @} */

/* ------------------------------------------------------------------------- */
/** @name Time */
/** @{ */

/** @brief Monotonic time in milliseconds from an epoch the host chooses. */
typedef uint64_t prack_time_t;

/** @brief "No deadline": returned by prack_next_deadline() when no timer is armed. */
#define PRACK_TIME_NONE UINT64_MAX

/** @} */

/* ------------------------------------------------------------------------- */
/** @name Configuration */
/** @{ */

/** @brief Default T1 in milliseconds (RFC 3261 17.1.1.2). */
#define PRACK_DEFAULT_T1_MS 500u

/** @brief Default status of the final response sent when no PRACK arrives in 64*T1. */
#define PRACK_DEFAULT_TIMEOUT_STATUS 504u

/** @brief Refresh interval of a reliable 1xx recommended by RFC 3262 section 3 (R8). */
#define PRACK_RECOMMENDED_REFRESH_MS 150000u

/** @brief Reason text carried by the timeout final (for a Reason or Warning header). */
#define PRACK_TIMEOUT_TEXT "Reliable provisional response not acknowledged"

/** @brief Most reliable provisionals the UAS can queue behind an unacknowledged one. */
#define PRACK_UAS_QUEUE_MAX 8u

/** @brief How many times the UAC resends one PRACK with credentials (401/407, R57). */
#define PRACK_UAC_AUTH_MAX 3u

/** @brief How a side uses 100rel (prack_config::policy). */
typedef enum prack_policy {
    /** UAS: never send reliably; reject an INVITE requiring 100rel with 420.
     *  UAC: no option tag in the INVITE, and never a suggestion to add one
     *  (reliable 1xx are still PRACKed, errata 4602). */
    PRACK_POLICY_OFF = 0,
    /** UAS: send non-100 provisionals reliably when the INVITE lists 100rel in
     *  Supported or Require. UAC: `Supported: 100rel` in the INVITE. */
    PRACK_POLICY_SUPPORTED = 1,
    /** UAS: as ::PRACK_POLICY_SUPPORTED, and reject an INVITE without 100rel with
     *  421 and `Require: 100rel`. UAC: `Require: 100rel` in the INVITE. */
    PRACK_POLICY_REQUIRED = 2
} prack_policy_t;

/** @brief What the UAC does when one of its PRACKs fails (prack_config::on_prack_failure). */
typedef enum prack_failure {
    /** Report ::PRACK_R_PRACK_FAILED and let the call go on. */
    PRACK_FAILURE_OBSERVE = 0,
    /** Report ::PRACK_R_PRACK_FAILED and ask the host to end the call
     *  (::PRACK_ACT_TERMINATE). */
    PRACK_FAILURE_TERMINATE = 1
} prack_failure_t;

/**
 * @brief Settings for an engine; copied at init, so it may be reused or freed.
 *
 * Fill it with prack_config_init() and change what differs. 24 bytes; the
 * reserved bytes must stay zero.
 */
typedef struct prack_config {
    /** T1 in milliseconds, 1..3600000. Default ::PRACK_DEFAULT_T1_MS. */
    uint32_t t1_ms;
    /** UAS: send a fresh reliable 1xx when this long has passed since the last
     *  one and no final was sent (R8). 0 disables (the default); otherwise
     *  1000..65535000 (rounded down to a whole second).
     *  ::PRACK_RECOMMENDED_REFRESH_MS is the RFC's advice. */
    uint32_t refresh_ms;
    /** UAS: the 5xx status sent when a reliable 1xx is not acknowledged within
     *  64*T1 (R20), 500..599. Default ::PRACK_DEFAULT_TIMEOUT_STATUS. */
    uint16_t timeout_status;
    /** Use of 100rel on this call, a ::prack_policy_t. Default
     *  ::PRACK_POLICY_SUPPORTED. */
    uint8_t policy;
    /** UAC: reaction to a failed PRACK, a ::prack_failure_t. Default
     *  ::PRACK_FAILURE_OBSERVE. */
    uint8_t on_prack_failure;
    /** UAC, 0 or 1: PRACK a reliable 1xx that arrives after a 2xx to the INVITE
     *  (R47); when 0 it is discarded. After a non-2xx final the early dialogs
     *  are gone (RFC 3261 12.3) and such a 1xx is always discarded. Default 1. */
    uint8_t prack_after_2xx;
    /** UAC, 0 or 1: keep reliable 1xx that arrive ahead of a gap in RSeq (at most
     *  ::PRACK_UAC_CACHE_WINDOW beyond it) for the host to process once the gap
     *  fills (R46, RFC 3262 errata 4604). When 0 they are discarded and the
     *  UAS's retransmissions fill the gap. Default 0. */
    uint8_t cache_out_of_order;
    /** UAS: how many reliable 1xx may wait behind an unacknowledged one,
     *  0..::PRACK_UAS_QUEUE_MAX. With 0, a reliable 1xx sent while another is
     *  unacknowledged fails with ::PRACK_ERR_QUEUE_FULL. Default
     *  ::PRACK_UAS_QUEUE_MAX. */
    uint8_t queue_max;
    /** UAC: how many 401/407 challenges one PRACK may meet before it counts as
     *  failed (R57), 0..::PRACK_UAC_AUTH_MAX. Default ::PRACK_UAC_AUTH_MAX. */
    uint8_t auth_max;
    /** Reserved for future settings; zero. */
    uint8_t reserved_[6];
} prack_config_t;

/**
 * @brief Fill a configuration with the defaults.
 * @param[out] cfg the configuration to fill.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL @p cfg is NULL.
 */
PRACK_API int prack_config_init(prack_config_t *cfg);

/** @} */

/* ------------------------------------------------------------------------- */
/** @name Actions */
/** @{ */

/** @brief What the host must do (or may observe); the values of prack_action::type. */
typedef enum prack_act {
    /** UAS: send provisional prack_action::status. With ::PRACK_AF_RELIABLE add
     *  `Require: 100rel` and `RSeq: ` prack_action::rseq. With
     *  ::PRACK_AF_RETRANSMIT resend the identical message sent earlier for this
     *  RSeq. prack_action::user is the host cookie given for the 1xx (0 for a
     *  ::PRACK_AF_REFRESH). */
    PRACK_ACT_SEND_1XX = 1,
    /** UAS: a reliable 1xx was queued behind an unacknowledged one (R22, R23);
     *  it will come back as ::PRACK_ACT_SEND_1XX or ::PRACK_ACT_DROP_1XX. */
    PRACK_ACT_QUEUE_1XX,
    /** UAS: the engine is done with a 1xx that was never acknowledged: a queued
     *  one that will never be sent (a final response, CANCEL or the timeout came
     *  first, R30; prack_action::rseq is 0), or the unacknowledged one whose
     *  retransmissions stop because a final response went out (R28;
     *  prack_action::rseq is its RSeq, and a late PRACK for it is still answered,
     *  R29; only when it has a cookie). ::PRACK_AF_RELEASE when the cookie is
     *  not 0. */
    PRACK_ACT_DROP_1XX,
    /** UAS: send final prack_action::status to the INVITE. Flags say why:
     *  ::PRACK_AF_RELEASED, ::PRACK_AF_TIMEOUT, ::PRACK_AF_CANCELLED,
     *  ::PRACK_AF_UNSUPPORTED_100REL, ::PRACK_AF_REQUIRE_100REL,
     *  ::PRACK_AF_REPLACES_HELD. */
    PRACK_ACT_SEND_FINAL,
    /** UAS: the 2xx is held until the SDP-bearing reliable 1xx is acknowledged
     *  (R27, R54); it will come back as ::PRACK_ACT_SEND_FINAL. */
    PRACK_ACT_HOLD_FINAL,
    /** UAS: answer the PRACK with prack_action::status: 200 (R17), 481 (R16) or
     *  400 (no valid RAck). With prack_action::sdp == ::PRACK_SDP_ANSWER the 200
     *  carries the answer to the offer in the PRACK (R52). When the PRACK
     *  acknowledged a reliable 1xx, prack_action::user is that 1xx's cookie,
     *  with ::PRACK_AF_RELEASE. A 200 with reason ::PRACK_R_DUPLICATE answers a
     *  retransmission of the PRACK already answered 200 (same CSeq) and repeats
     *  that answer's body role. */
    PRACK_ACT_ANSWER_PRACK,
    /** UAC: hand the 1xx to the application; no PRACK (unreliable, or 100). */
    PRACK_ACT_DELIVER_1XX,
    /** UAC: hand the reliable 1xx to the application and send a PRACK in its
     *  early dialog with `RAck: ` prack_action::rseq prack_action::cseq `INVITE`.
     *  prack_action::sdp says what the PRACK body must be (R50, R51). With
     *  ::PRACK_AF_AUTH it is the same PRACK resent with credentials after 401/407
     *  (new CSeq, same To-tag and RAck; do not deliver the 1xx again). With
     *  ::PRACK_AF_CACHED it is a 1xx the host cached earlier (prack_action::status
     *  is then 0: the host has the message). With ::PRACK_AF_OTHER_FORK the INVITE
     *  was already answered on another early dialog. */
    PRACK_ACT_SEND_PRACK,
    /** UAC: keep the reliable 1xx with RSeq prack_action::rseq; it comes back as
     *  ::PRACK_ACT_SEND_PRACK with ::PRACK_AF_CACHED when the gap fills (R46). */
    PRACK_ACT_CACHE_1XX,
    /** UAC: a cached 1xx will never be processed; free it. */
    PRACK_ACT_DROP_CACHED,
    /** UAC: drop the response without delivering it; prack_action::reason says
     *  why (retransmission R40, out of order R44/R45, malformed RSeq, a CSeq that
     *  is not this INVITE's, ...). */
    PRACK_ACT_DISCARD,
    /** UAC: hand the final response prack_action::status to the application;
     *  the PRACK state of this transaction is done (R42). For a 2xx,
     *  prack_action::sdp is the role of its body on that dialog: ::PRACK_SDP_ANSWER
     *  (to the INVITE's offer), ::PRACK_SDP_OFFER (no offer was made: the ACK
     *  carries the answer) or ::PRACK_SDP_REPEAT. */
    PRACK_ACT_DELIVER_FINAL,
    /** UAC: the 420 or 421 suggests a new INVITE (new transaction) with the option
     *  tag in prack_action::option (RFC 3261 8.1.3.5, 21.4.16). A host retries
     *  only if it wants to; never with policy ::PRACK_POLICY_OFF. */
    PRACK_ACT_RETRY_INVITE,
    /** UAC: end the call (CANCEL before a final, BYE after a 2xx), because a
     *  PRACK failed under ::PRACK_FAILURE_TERMINATE. */
    PRACK_ACT_TERMINATE,
    /** Either side: something the application may want to know; see
     *  prack_action::reason. */
    PRACK_ACT_EVENT
} prack_act_t;

/** @brief Why an action was produced (events, discards, PRACK answers); the values
 *         of prack_action::reason. */
typedef enum prack_reason {
    PRACK_R_NONE = 0,        /**< No particular reason. */
    PRACK_R_RETRANSMISSION,  /**< A reliable 1xx already processed arrived again (R40). */
    PRACK_R_OUT_OF_ORDER,    /**< RSeq is not exactly one above the last (R44, R45). */
    PRACK_R_BAD_RSEQ,        /**< `Require: 100rel` but RSeq missing, 0 or above 2^32-1. */
    PRACK_R_NO_DIALOG,       /**< A reliable 1xx without a To-tag (no early dialog). */
    PRACK_R_AFTER_FINAL,     /**< A reliable 1xx after the final response (R47). */
    PRACK_R_CACHE_FULL,      /**< Out of order and beyond the cache window. */
    PRACK_R_NO_MATCH,        /**< PRACK matches no unacknowledged reliable 1xx (R16). */
    PRACK_R_BAD_RACK,        /**< PRACK with a missing or malformed RAck. */
    PRACK_R_DUPLICATE,       /**< A retransmission of the PRACK already answered 200. */
    PRACK_R_TIMEOUT,         /**< Event: no PRACK within 64*T1 (R20). */
    PRACK_R_SESSION,         /**< Event: an offer/answer exchange completed, media may start (R53). */
    PRACK_R_ANSWER_MISSING,  /**< Event: the peer owed an SDP answer and sent none (R50, R52). */
    PRACK_R_SDP_UNEXPECTED,  /**< Event: SDP in a PRACK where no offer or answer may go (RFC 6337 2.2); ignored. */
    PRACK_R_PRACK_OK,        /**< Event: our PRACK got a 2xx. */
    PRACK_R_PRACK_FAILED,    /**< Event: our PRACK failed (prack_action::status). */
    PRACK_R_WRONG_CSEQ       /**< A response whose CSeq number is not this INVITE's: not for this engine. */
} prack_reason_t;

/** @brief The role of an SDP body in a message the host sends; the values of
 *         prack_action::sdp. */
typedef enum prack_sdp {
    PRACK_SDP_NONE = 0,      /**< No body (or a body the engine has no opinion on). */
    PRACK_SDP_OFFER,         /**< The body is (or must be) an offer. */
    PRACK_SDP_ANSWER,        /**< The body is (or must be) the answer. */
    PRACK_SDP_MAY_OFFER,     /**< UAC PRACK: may carry a new offer (R51); see prack_uac_offer_in_prack(). */
    PRACK_SDP_REPEAT         /**< A body, if any, repeats what was sent or agreed before: no new offer or answer
                                  (a later 1xx or 2xx after the exchange, or a PRACK resent with credentials,
                                  which carries the same body as the challenged one). */
} prack_sdp_t;

/** @brief Option tag header the host adds to an INVITE; the values of
 *         prack_action::option and of prack_uac_option(). */
typedef enum prack_option {
    PRACK_OPTION_NONE = 0,   /**< Neither. */
    PRACK_OPTION_SUPPORTED,  /**< `Supported: 100rel`. */
    PRACK_OPTION_REQUIRE     /**< `Require: 100rel`. */
} prack_option_t;

/** @name Action flags (prack_action::flags) */
/** @{ */
#define PRACK_AF_RELIABLE   0x0001u /**< SEND_1XX: send reliably (Require: 100rel, RSeq). */
#define PRACK_AF_RETRANSMIT 0x0002u /**< SEND_1XX: a retransmission of the same message. */
#define PRACK_AF_REFRESH    0x0004u /**< SEND_1XX: a new reliable 1xx with the last one's status, sent without a body, to keep the transaction alive (R8); it carries no cookie. */
#define PRACK_AF_RELEASED   0x0008u /**< SEND_FINAL: a held 2xx released by the PRACK. */
#define PRACK_AF_TIMEOUT    0x0010u /**< SEND_FINAL: no PRACK within 64*T1 (R20); prack_action::text has a reason. */
#define PRACK_AF_CANCELLED  0x0020u /**< SEND_FINAL: 487 after CANCEL. */
#define PRACK_AF_UNSUPPORTED_100REL 0x0040u /**< SEND_FINAL 420: add `Unsupported: 100rel` (R3). */
#define PRACK_AF_REQUIRE_100REL     0x0080u /**< SEND_FINAL 421: add `Require: 100rel`. */
#define PRACK_AF_NEW_DIALOG 0x0100u /**< SEND_PRACK: the first reliable 1xx of this early dialog (R36, R43). */
#define PRACK_AF_CACHED     0x0200u /**< SEND_PRACK: the 1xx was cached earlier (R46). */
#define PRACK_AF_AUTH       0x0400u /**< SEND_PRACK: resend with credentials after 401/407 (R57). */
#define PRACK_AF_REPLACES_HELD 0x0800u /**< SEND_FINAL: this final replaces a held 2xx that will not be sent. */
#define PRACK_AF_DIALOG_GONE 0x1000u /**< EVENT PRACK_FAILED: a 481 or 408, after which RFC 3261 12.2.1.2 says the dialog SHOULD end. */
/**
 * @brief UAS: the last action that carries prack_action::user. Once the host
 *        carried it out, it may free what the cookie refers to; the engine
 *        never returns that cookie again.
 *
 * Set on exactly one action per non-zero cookie the engine accepted: an
 * unreliable ::PRACK_ACT_SEND_1XX (the engine keeps nothing), the
 * ::PRACK_ACT_ANSWER_PRACK that acknowledges the 1xx, or a ::PRACK_ACT_DROP_1XX
 * (queued and never sent, unacknowledged when a final went out, or made moot
 * by the timeout). Never set for cookie 0. A cookie passed to a call that
 * failed was not accepted and stays the host's.
 */
#define PRACK_AF_RELEASE    0x2000u
/** SEND_PRACK: the INVITE was already answered (2xx) on another early dialog.
 *  This dialog carries no session: no ::PRACK_R_SESSION event, no
 *  ::PRACK_SDP_MAY_OFFER; an offer in the 1xx still gets its answer in the
 *  PRACK (R50), for example with every stream rejected (RFC 3264 6). */
#define PRACK_AF_OTHER_FORK 0x4000u
/** @} */

/**
 * @brief One action. Fields that do not apply to its type are zero.
 *
 * 40 bytes on LP64 hosts, 36 on ILP32.
 */
typedef struct prack_action {
    uint8_t type;           /**< What to do, a ::prack_act_t. */
    uint8_t reason;         /**< Why, a ::prack_reason_t (events, discards, PRACK answers). */
    uint8_t sdp;            /**< Role of the SDP body of the message to send, a ::prack_sdp_t. */
    uint8_t option;         /**< RETRY_INVITE: option tag header for the new INVITE, a ::prack_option_t. */
    uint16_t status;        /**< Status code to send, or received. */
    uint16_t reserved_;     /**< Zero. */
    uint32_t flags;         /**< `PRACK_AF_*` bits. */
    uint32_t rseq;          /**< RSeq to send, or RAck response-num. */
    uint32_t cseq;          /**< RAck CSeq-num (UAC), or the INVITE's CSeq number (UAS). */
    uint32_t reserved2_;    /**< Zero. */
    uint64_t user;          /**< UAS: host cookie of the 1xx concerned. */
    const char *text;       /**< Static reason text for logs or a Reason header, or NULL. */
} prack_action_t;

/** @brief Most actions one call can produce. */
#define PRACK_ACTIONS_MAX 24u

/**
 * @brief A caller-owned batch of actions, reset by every state-changing call.
 *
 * Carry out `v[0]` .. `v[n - 1]` in order.
 */
typedef struct prack_actions {
    uint32_t n;                           /**< Number of actions in @ref v. */
    uint32_t reserved_;                   /**< Zero. */
    prack_action_t v[PRACK_ACTIONS_MAX];  /**< The actions. */
} prack_actions_t;

/**
 * @brief Name of an action type, e.g. "SEND_1XX", for logs.
 * @param[in] type a ::prack_act_t value.
 * @return a static string; "?" for an unknown value.
 */
PRACK_API const char *prack_act_name(unsigned type);

/**
 * @brief Name of a reason, e.g. "OUT_OF_ORDER", for logs.
 * @param[in] reason a ::prack_reason_t value.
 * @return a static string; "?" for an unknown value.
 */
PRACK_API const char *prack_reason_name(unsigned reason);

/**
 * @brief Name of an SDP role, e.g. "ANSWER", for logs.
 * @param[in] sdp a ::prack_sdp_t value.
 * @return a static string; "?" for an unknown value.
 */
PRACK_API const char *prack_sdp_name(unsigned sdp);

/**
 * @brief Write a one-line readable description of an action into @p buf.
 *
 * For example `SEND_1XX 183 rseq=7 RELIABLE sdp=ANSWER`.
 *
 * @param[out] buf destination; always NUL-terminated when @p cap > 0.
 * @param[in] cap size of @p buf in bytes.
 * @param[in] act the action to describe.
 * @return the length written (excluding NUL), at most `cap - 1`; a longer
 *         description is truncated.
 * @retval PRACK_ERR_INVAL @p buf or @p act is NULL, or @p cap is 0.
 */
PRACK_API int prack_action_format(char *buf, size_t cap, const prack_action_t *act);

/** @} */

/* ------------------------------------------------------------------------- */
/** @name UAS engine */
/** @{ */

/** @brief Facts about an INVITE (prack_invite::flags). */
#define PRACK_INV_SUPPORTED_100REL 0x01u /**< `Supported` lists 100rel. */
#define PRACK_INV_REQUIRE_100REL   0x02u /**< `Require` lists 100rel. */
#define PRACK_INV_SDP              0x04u /**< The INVITE carries an SDP offer. */

/** @brief The facts of an INVITE that the UAS engine needs. */
typedef struct prack_invite {
    uint32_t cseq;   /**< The INVITE's CSeq number, 0..2^32-1 (a re-INVITE may use the whole range). */
    uint32_t flags;  /**< `PRACK_INV_*` bits. */
} prack_invite_t;

/** @brief Facts about a PRACK (prack_prack::flags). */
#define PRACK_PR_RACK 0x01u /**< A well-formed RAck was present; prack_prack::rack_rseq, prack_prack::rack_cseq and prack_prack::method are set. */
#define PRACK_PR_SDP  0x02u /**< The PRACK carries an SDP body. */

/** @brief The facts of a PRACK request that the UAS engine needs. */
typedef struct prack_prack {
    uint32_t flags;        /**< `PRACK_PR_*` bits. */
    uint32_t cseq;         /**< The PRACK's own CSeq number (tells a retransmission from a new PRACK). */
    uint64_t rack_rseq;    /**< RAck response-num (values above 2^32-1 match nothing). */
    uint64_t rack_cseq;    /**< RAck CSeq-num (values above 2^32-1 match nothing). */
    const char *method;    /**< RAck method, compared case-sensitively with "INVITE" (N9); not NUL-terminated. */
    uint32_t method_len;   /**< Length of @ref method. */
    uint32_t reserved_;    /**< Zero. */
} prack_prack_t;

/** @brief Options of prack_uas_send_1xx(). */
#define PRACK_1XX_SDP        0x01u /**< The provisional carries SDP. */
#define PRACK_1XX_UNRELIABLE 0x02u /**< Send unreliably if the INVITE did not require 100rel (R1: reliability is optional then). */

/** @brief States of a UAS engine (prack_uas_state()). */
typedef enum prack_uas_state {
    PRACK_UAS_PROCEEDING = 1, /**< No final response yet. */
    PRACK_UAS_HELD,           /**< A 2xx waits for the PRACK of an SDP-bearing reliable 1xx. */
    PRACK_UAS_COMPLETED,      /**< A final response was sent; PRACKs are still answered (R29). */
    PRACK_UAS_REJECTED        /**< The INVITE was rejected with 420 or 421 at negotiation. */
} prack_uas_state_t;

/** @brief Size in bytes of ::prack_uas_t: 64 bytes of state and 9 bytes per queue entry. */
#define PRACK_UAS_SIZE 136u

/**
 * @brief UAS engine for one INVITE server transaction. Caller-allocated and
 *        opaque: ::PRACK_UAS_SIZE bytes, aligned like `uint64_t`, holding its
 *        queue of ::PRACK_UAS_QUEUE_MAX entries and no pointer, so it may be
 *        copied or moved with `memcpy` between calls.
 */
typedef struct prack_uas {
#ifndef PRACK_DOXYGEN
    uint64_t opaque_[PRACK_UAS_SIZE / 8u];
#endif
} prack_uas_t;

/**
 * @brief Start a UAS engine for a received INVITE and negotiate 100rel.
 *
 * Negotiation (R1-R3, R5, R56): with policy ::PRACK_POLICY_OFF an INVITE that
 * requires 100rel is rejected with 420 and `Unsupported: 100rel`; with
 * ::PRACK_POLICY_REQUIRED an INVITE that lists 100rel in neither Supported nor
 * Require is rejected with 421 and `Require: 100rel`. In both cases @p out holds
 * one ::PRACK_ACT_SEND_FINAL and the engine is ::PRACK_UAS_REJECTED. Otherwise
 * @p out is empty, and provisionals go reliably when the INVITE lists 100rel and
 * the policy is not off.
 *
 * @param[out] uas the engine to initialise.
 * @param[in] cfg settings (copied); NULL for the defaults.
 * @param[in] inv the INVITE's facts.
 * @param[in] random 32 random bits from the host; the first RSeq is
 *            `1 + random % (2^31 - 1)`, in 1..2^31-1 (R12, R13).
 * @param[in] now the current time.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK the engine is ready (check @p out for a rejection).
 * @retval PRACK_ERR_INVAL a pointer is NULL, an unknown flag is set, a @p cfg
 *         value is out of range, or @p now is ::PRACK_TIME_NONE.
 */
PRACK_API int prack_uas_init(prack_uas_t *uas, const prack_config_t *cfg,
                             const prack_invite_t *inv, uint32_t random, prack_time_t now,
                             prack_actions_t *out);

/**
 * @brief Send a provisional response to the INVITE.
 *
 * A 100 is always sent unreliably (R4). Other 1xx go reliably when 100rel was
 * negotiated (unless ::PRACK_1XX_UNRELIABLE and the INVITE merely supported
 * 100rel): the first gets the initial RSeq, each later one RSeq + 1 (R24), and a
 * reliable 1xx is never sent while another is unacknowledged (R22, R23); it is
 * queued instead (::PRACK_ACT_QUEUE_1XX) and sent when the previous one is
 * PRACKed. The result is ::PRACK_ACT_SEND_1XX (possibly with an SDP event).
 *
 * Like every UAS call, it first applies the 64*T1 timeout when @p now has
 * reached it (see prack_on_timer()); a 1xx that the timeout made moot comes
 * back as ::PRACK_ACT_DROP_1XX after the timeout's final.
 *
 * @param[in,out] uas the engine.
 * @param[in] now the current time.
 * @param[in] status 100..199.
 * @param[in] flags `PRACK_1XX_*` bits.
 * @param[in] user host cookie returned in the actions about this 1xx, and
 *            released by exactly one of them (::PRACK_AF_RELEASE).
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL, @p status is not 100..199, an
 *         unknown flag is set, 100 comes with ::PRACK_1XX_SDP, or @p now is
 *         ::PRACK_TIME_NONE.
 * @retval PRACK_ERR_STATE a final response was already sent or held, or the
 *         INVITE was rejected (R30).
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 * @retval PRACK_ERR_QUEUE_FULL another reliable 1xx is unacknowledged and the
 *         queue is full; nothing changed (the host may drop this 1xx, or wait).
 * @retval PRACK_ERR_OFFER_REQUIRED this would be the first reliable 1xx, the
 *         INVITE had no offer, and ::PRACK_1XX_SDP is not set (R49).
 * @retval PRACK_ERR_RANGE the RSeq space is exhausted (it never wraps, R25).
 */
PRACK_API int prack_uas_send_1xx(prack_uas_t *uas, prack_time_t now, uint16_t status,
                                 uint32_t flags, uint64_t user, prack_actions_t *out);

/**
 * @brief Send the final response to the INVITE.
 *
 * A 2xx is held (::PRACK_ACT_HOLD_FINAL) while the unacknowledged reliable 1xx
 * carried SDP, and released by the PRACK for it (R26, R27, R54); any other final
 * goes at once (::PRACK_ACT_SEND_FINAL). While a 2xx is held, a non-2xx final
 * may still replace it (::PRACK_AF_REPLACES_HELD). Queued 1xx are dropped
 * (::PRACK_ACT_DROP_1XX, R30) and retransmissions stop (R28), which releases the
 * unacknowledged 1xx too; PRACKs are still answered (R29). prack_action::sdp
 * tells what the 2xx must carry.
 *
 * When @p now has reached the 64*T1 timeout, the timeout's final goes instead
 * and this call adds nothing (the batch shows it).
 *
 * @param[in,out] uas the engine.
 * @param[in] now the current time.
 * @param[in] status 200..699.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL, @p status is not 200..699, or @p now
 *         is ::PRACK_TIME_NONE.
 * @retval PRACK_ERR_STATE a final was already sent, a 2xx is held and @p status
 *         is another 2xx, or the INVITE was rejected at negotiation.
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 */
PRACK_API int prack_uas_send_final(prack_uas_t *uas, prack_time_t now, uint16_t status,
                                   prack_actions_t *out);

/**
 * @brief The INVITE was cancelled (CANCEL received; the host answers it 200).
 *
 * Before a final: ::PRACK_ACT_SEND_FINAL 487 with ::PRACK_AF_CANCELLED (a held
 * 2xx is discarded: ::PRACK_AF_REPLACES_HELD), queued 1xx are dropped and
 * retransmissions stop. After any final, including a 420/421 rejection and the
 * timeout, nothing happens (RFC 3261 9.2) and the batch is empty. PRACKs for
 * reliable 1xx already sent are still answered.
 *
 * @param[in,out] uas the engine.
 * @param[in] now the current time.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success (the batch may be empty).
 * @retval PRACK_ERR_INVAL a pointer is NULL, or @p now is ::PRACK_TIME_NONE.
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 */
PRACK_API int prack_uas_cancel(prack_uas_t *uas, prack_time_t now, prack_actions_t *out);

/**
 * @brief A PRACK arrived in this transaction's dialog.
 *
 * It matches when its RAck names the unacknowledged reliable 1xx: response-num
 * equal to its RSeq, CSeq-num equal to the INVITE's, method exactly "INVITE"
 * (N2, N9). A match gets 200 (R17), stops retransmissions (R18, R19), releases a
 * held 2xx and sends the next queued 1xx. A retransmission of the PRACK that
 * acknowledged the most recent reliable 1xx (same RAck, same CSeq) gets that
 * 200 again (::PRACK_R_DUPLICATE), for hosts without a transaction layer.
 * Anything else, including a new PRACK for a 1xx already acknowledged, gets 481
 * (R16), also after the final response (R29); a missing or malformed RAck gets
 * 400. An offer in a matching PRACK makes the 200 carry the answer (R52) while
 * the early dialog lives; after a non-2xx final it is over (RFC 3261 12.3), so a
 * late PRACK still gets its 200 (R29) but no offer/answer step and no event.
 *
 * When @p now has reached the 64*T1 timeout, the timeout is applied first: the
 * PRACK then meets a transaction that ended with the 5xx (R29).
 *
 * A PRACK whose dialog matches no engine is the host's to answer with 481.
 *
 * @param[in,out] uas the engine.
 * @param[in] now the current time.
 * @param[in] pr the PRACK's facts.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL, an unknown flag is set,
 *         ::PRACK_PR_RACK is set with a NULL method and non-zero length, or @p now
 *         is ::PRACK_TIME_NONE.
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 */
PRACK_API int prack_uas_on_prack(prack_uas_t *uas, prack_time_t now, const prack_prack_t *pr,
                                 prack_actions_t *out);

/**
 * @brief Time passed: retransmit the unacknowledged reliable 1xx, reject the
 *        INVITE after 64*T1, or refresh (R8).
 *
 * Retransmissions are at T1, 3*T1, 7*T1, ... after the first send, the
 * interval doubling without the T2 cap (N1). At 64*T1 without PRACK the result is
 * ::PRACK_ACT_SEND_FINAL with prack_config::timeout_status and
 * ::PRACK_AF_TIMEOUT, plus a ::PRACK_R_TIMEOUT event (R20). Calling it early is
 * harmless; after a long pause it fires one retransmission, not a burst.
 * Afterwards prack_next_deadline() is later than @p now or ::PRACK_TIME_NONE.
 *
 * The timeout does not depend on the host's timer being punctual: every UAS
 * call applies it first when its @p now has reached it, so a PRACK or a final
 * that comes after 64*T1 never overtakes it. Retransmissions and refreshes
 * happen only here.
 *
 * @param[in,out] uas the engine.
 * @param[in] now the current time.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success (the batch may be empty).
 * @retval PRACK_ERR_INVAL a pointer is NULL, or @p now is ::PRACK_TIME_NONE.
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 */
PRACK_API int prack_on_timer(prack_uas_t *uas, prack_time_t now, prack_actions_t *out);

/**
 * @brief When prack_on_timer() must next be called.
 * @param[in] uas the engine.
 * @return an absolute time, or ::PRACK_TIME_NONE (also for NULL).
 */
PRACK_API prack_time_t prack_next_deadline(const prack_uas_t *uas);

/**
 * @brief The engine's state.
 * @param[in] uas the engine.
 * @return its state, a ::prack_uas_state_t; 0 for NULL.
 */
PRACK_API unsigned prack_uas_state(const prack_uas_t *uas);

/**
 * @brief Whether provisionals go reliably on this transaction.
 * @param[in] uas the engine.
 * @return true when 100rel was negotiated.
 */
PRACK_API bool prack_uas_reliable(const prack_uas_t *uas);

/**
 * @brief RSeq of the unacknowledged reliable 1xx.
 * @param[in] uas the engine.
 * @return its RSeq, or 0 when none is unacknowledged.
 */
PRACK_API uint32_t prack_uas_unacked(const prack_uas_t *uas);

/**
 * @brief Number of reliable 1xx waiting in the queue.
 * @param[in] uas the engine.
 * @return 0..::PRACK_UAS_QUEUE_MAX.
 */
PRACK_API uint32_t prack_uas_queued(const prack_uas_t *uas);

/** @brief Counters of a UAS engine (prack_uas_counters()). */
typedef struct prack_uas_stats {
    uint32_t reliable_sent;  /**< Reliable 1xx sent (not counting retransmissions). */
    uint32_t acknowledged;   /**< Reliable 1xx acknowledged by a PRACK. */
    uint32_t retransmissions;/**< Retransmissions sent (saturates at 65535). */
    uint32_t rejected_pracks;/**< PRACKs answered 481 or 400 (saturates at 65535). */
} prack_uas_stats_t;

/**
 * @brief Read the engine's counters.
 * @param[in] uas the engine.
 * @param[out] stats filled with the counters.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL.
 */
PRACK_API int prack_uas_counters(const prack_uas_t *uas, prack_uas_stats_t *stats);

/**
 * @brief Name of a UAS state, e.g. "PROCEEDING", for logs.
 * @param[in] state a ::prack_uas_state_t value.
 * @return a static string; "?" for an unknown value.
 */
PRACK_API const char *prack_uas_state_name(unsigned state);

/** @} */

/* ------------------------------------------------------------------------- */
/** @name UAC engine */
/** @{ */

/** @brief The CSeq method of a response (prack_response::method). */
typedef enum prack_method {
    PRACK_METHOD_OTHER = 0,  /**< Neither; such responses are ignored. */
    PRACK_METHOD_INVITE,     /**< A response to the INVITE. */
    PRACK_METHOD_PRACK       /**< A response to one of our PRACKs. */
} prack_method_t;

/** @brief Facts about a response (prack_response::flags). */
#define PRACK_RSP_REQUIRE_100REL     0x01u /**< `Require` lists 100rel. */
#define PRACK_RSP_RSEQ               0x02u /**< An RSeq header was present; its value is in prack_response::rseq (0 if unparseable). */
#define PRACK_RSP_SDP                0x04u /**< The response carries SDP. */
#define PRACK_RSP_UNSUPPORTED_100REL 0x08u /**< `Unsupported` lists 100rel (in a 420). */

/** @brief The facts of a response that the UAC engine needs. */
typedef struct prack_response {
    uint16_t status;        /**< Status code, 100..699. */
    uint8_t method;         /**< CSeq method, a ::prack_method_t. */
    uint8_t reserved_;      /**< Zero. */
    uint32_t flags;         /**< `PRACK_RSP_*` bits. */
    uint32_t cseq;          /**< CSeq number. For INVITE responses it must be the INVITE's
                                 (prack_uac_init()); the PRACK's own for PRACK responses. */
    uint32_t reserved2_;    /**< Zero. */
    /** For INVITE responses, the RSeq value (1..2^32-1 valid; 0 and anything
     *  larger are malformed). For PRACK responses, the RAck response-num of the
     *  PRACK it answers, 1..2^32-1: the host always says which PRACK. */
    uint64_t rseq;
} prack_response_t;

/** @brief How far beyond a gap the UAC can cache reliable 1xx (R46). */
#define PRACK_UAC_CACHE_WINDOW 8u

/** @brief Size in bytes of ::prack_uac_dialog_t. */
#define PRACK_UAC_DIALOG_SIZE 32u

/**
 * @brief UAC state of one early dialog (one To-tag) within one INVITE
 *        transaction. Keep it inside the host's dialog object; initialise it with
 *        prack_uac_dialog_init() when the To-tag first appears. A dialog state
 *        last used by another INVITE transaction (another CSeq) starts a new RSeq
 *        space by itself (N5). When the host discards a dialog, it frees the 1xx
 *        it cached for it. Opaque: ::PRACK_UAC_DIALOG_SIZE bytes, no pointer,
 *        movable with `memcpy`.
 */
typedef struct prack_uac_dialog {
#ifndef PRACK_DOXYGEN
    uint32_t opaque_[PRACK_UAC_DIALOG_SIZE / 4u];
#endif
} prack_uac_dialog_t;

/** @brief States of a UAC engine (prack_uac_state()). */
typedef enum prack_uac_state {
    PRACK_UAC_CALLING = 1,  /**< No final response yet. */
    PRACK_UAC_ACCEPTED,     /**< A 2xx arrived. */
    PRACK_UAC_FAILED        /**< A non-2xx final arrived; the early dialogs are over. */
} prack_uac_state_t;

/** @brief Facts about our INVITE (prack_uac_init()). */
#define PRACK_UAC_INVITE_SDP 0x01u /**< Our INVITE carries an SDP offer. */

/** @brief Size in bytes of ::prack_uac_t. */
#define PRACK_UAC_SIZE 40u

/**
 * @brief UAC engine for one INVITE client transaction. Caller-allocated and
 *        opaque: ::PRACK_UAC_SIZE bytes, aligned like `uint64_t`, no pointer,
 *        movable with `memcpy`.
 */
typedef struct prack_uac {
#ifndef PRACK_DOXYGEN
    uint64_t opaque_[PRACK_UAC_SIZE / 8u];
#endif
} prack_uac_t;

/**
 * @brief Start a UAC engine for an INVITE about to be sent.
 * @param[out] uac the engine.
 * @param[in] cfg settings (copied); NULL for the defaults.
 * @param[in] cseq the INVITE's CSeq number, 0..2^32-1.
 * @param[in] flags `PRACK_UAC_INVITE_*` bits.
 * @param[in] now the current time.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL @p uac is NULL, an unknown flag is set, a @p cfg value
 *         is out of range, or @p now is ::PRACK_TIME_NONE.
 * @sa prack_uac_option()
 */
PRACK_API int prack_uac_init(prack_uac_t *uac, const prack_config_t *cfg, uint32_t cseq,
                             uint32_t flags, prack_time_t now);

/**
 * @brief Which option tag header the INVITE carries (R31-R33).
 *
 * Only INVITEs carry it: never put `Require: 100rel` in any other request (R31).
 *
 * @param[in] uac the engine.
 * @return ::PRACK_OPTION_SUPPORTED, ::PRACK_OPTION_REQUIRE or ::PRACK_OPTION_NONE
 *         (also for NULL), a ::prack_option_t.
 */
PRACK_API unsigned prack_uac_option(const prack_uac_t *uac);

/**
 * @brief Prepare the state of a new early dialog (a To-tag seen for the first time).
 * @param[out] dlg the dialog state.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL @p dlg is NULL.
 */
PRACK_API int prack_uac_dialog_init(prack_uac_dialog_t *dlg);

/**
 * @brief A response arrived: to the INVITE (1xx, 2xx, other finals) or to one
 *        of our PRACKs.
 *
 * INVITE responses must carry the INVITE's CSeq number; one that does not is
 * discarded (::PRACK_ACT_DISCARD, ::PRACK_R_WRONG_CSEQ) and never PRACKed.
 *
 * INVITE 1xx: a 100, or a 1xx not sent reliably (errata 4602: reliable means
 * `Require: 100rel` and an RSeq) gives ::PRACK_ACT_DELIVER_1XX (R34, R35). A
 * reliable 1xx in order (the first on @p dlg, R41, R43; then exactly last + 1)
 * gives ::PRACK_ACT_SEND_PRACK (R36, R37); a retransmission is discarded
 * without a second PRACK (R39, R40); a gap is neither PRACKed nor delivered
 * (R44, R45) but may be cached (R46); after a final, see
 * prack_config::prack_after_2xx (R47). After a 2xx on another early dialog the
 * PRACK carries ::PRACK_AF_OTHER_FORK and no session starts on this one.
 * Finals give ::PRACK_ACT_DELIVER_FINAL, plus ::PRACK_ACT_RETRY_INVITE for a 420
 * listing 100rel in Unsupported when the policy required it (retry with
 * `Supported`), or a 421 requiring 100rel when the policy only supported it
 * (retry with `Require`); never under ::PRACK_POLICY_OFF.
 *
 * PRACK responses: prack_response::rseq names the PRACK. A 2xx ends it
 * (::PRACK_R_PRACK_OK); a 401/407 asks for the same PRACK with credentials
 * (::PRACK_AF_AUTH), up to prack_config::auth_max times per PRACK (R57); any
 * other final (a transaction timeout is passed as 408), or a challenge beyond
 * that, is a failure handled by prack_config::on_prack_failure. 1xx to a PRACK
 * are ignored.
 *
 * @param[in,out] uac the engine.
 * @param[in,out] dlg the early dialog of the response's To-tag, or NULL when the
 *            response has no To-tag.
 * @param[in] now the current time.
 * @param[in] rsp the response's facts.
 * @param[out] out the actions (reset first).
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL @p uac, @p rsp or @p out is NULL, the status is not
 *         100..699, an unknown flag or method is set, @p now is
 *         ::PRACK_TIME_NONE, or a PRACK response comes with a NULL @p dlg or an
 *         rseq that is 0 or above 2^32-1.
 * @retval PRACK_ERR_TIME @p now is earlier than a time this engine saw.
 */
PRACK_API int prack_on_response(prack_uac_t *uac, prack_uac_dialog_t *dlg, prack_time_t now,
                                const prack_response_t *rsp, prack_actions_t *out);

/**
 * @brief The host puts a new offer in the PRACK for RSeq @p rseq (R51).
 *
 * Allowed when the ::PRACK_ACT_SEND_PRACK for @p rseq on @p dlg said
 * ::PRACK_SDP_MAY_OFFER (the 1xx it acknowledges carried the answer to the
 * INVITE's offer, RFC 6337 2.2), before a response to that PRACK or a final
 * response arrived; other PRACKs in the same batch do not change that. The 2xx
 * to that PRACK then carries the answer.
 *
 * @param[in,out] uac the engine.
 * @param[in,out] dlg the early dialog.
 * @param[in] rseq the RAck response-num of the PRACK that carries the offer.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL.
 * @retval PRACK_ERR_STATE the PRACK for @p rseq did not allow an offer, or no
 *         longer does.
 */
PRACK_API int prack_uac_offer_in_prack(prack_uac_t *uac, prack_uac_dialog_t *dlg, uint32_t rseq);

/**
 * @brief The engine's state.
 * @param[in] uac the engine.
 * @return its state, a ::prack_uac_state_t; 0 for NULL.
 */
PRACK_API unsigned prack_uac_state(const prack_uac_t *uac);

/**
 * @brief The last in-order RSeq PRACKed on an early dialog.
 * @param[in] dlg the dialog state.
 * @return the RSeq, or 0 before the first reliable 1xx (also for NULL).
 */
PRACK_API uint32_t prack_uac_dialog_rseq(const prack_uac_dialog_t *dlg);

/** @brief Counters of a UAC engine (prack_uac_counters()). */
typedef struct prack_uac_stats {
    uint32_t pracks_sent;    /**< PRACKs asked for (including resends with credentials). */
    uint32_t discarded;      /**< Responses discarded. */
    uint32_t pracks_ok;      /**< PRACKs answered 2xx. */
    uint32_t pracks_failed;  /**< PRACKs that failed. */
} prack_uac_stats_t;

/**
 * @brief Read the engine's counters.
 * @param[in] uac the engine.
 * @param[out] stats filled with the counters.
 * @retval PRACK_OK on success.
 * @retval PRACK_ERR_INVAL a pointer is NULL.
 */
PRACK_API int prack_uac_counters(const prack_uac_t *uac, prack_uac_stats_t *stats);

/**
 * @brief Name of a UAC state, e.g. "CALLING", for logs.
 * @param[in] state a ::prack_uac_state_t value.
 * @return a static string; "?" for an unknown value.
 */
PRACK_API const char *prack_uac_state_name(unsigned state);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* PRACK_PRACK_H */
