/**
 * @file prack/error.h
 * @brief Error codes shared by every libprack module.
 *
 * Host misuse (a bad argument, a call in the wrong state, time going backwards)
 * is reported with a negative `PRACK_ERR_*` value. Peer misbehaviour is never an
 * error code: it yields an action (see prack/prack.h).
 */
#ifndef PRACK_ERROR_H
#define PRACK_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a symbol exported from the shared library. */
#if defined(_WIN32) && defined(PRACK_BUILDING_DLL)
#define PRACK_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define PRACK_API __attribute__((visibility("default")))
#else
#define PRACK_API
#endif

/** @brief Result codes. Success is zero or a non-negative count; errors are negative. */
typedef enum prack_error {
    PRACK_OK = 0,                  /**< Success. */
    PRACK_ERR_INVAL = -1,          /**< An argument is NULL, out of range or inconsistent. */
    PRACK_ERR_STATE = -2,          /**< The call is not allowed in the engine's current state. */
    PRACK_ERR_TIME = -3,           /**< `now` is earlier than a time the engine already saw. */
    PRACK_ERR_QUEUE_FULL = -4,     /**< The reliable provisional queue is full; nothing changed. */
    PRACK_ERR_OFFER_REQUIRED = -5, /**< The first reliable 1xx must carry the SDP offer (RFC 3262 R49). */
    PRACK_ERR_PARSE = -6,          /**< A header value does not match its grammar. */
    PRACK_ERR_RANGE = -7,          /**< A number is outside its allowed range. */
    PRACK_ERR_NOSPACE = -8         /**< The output buffer is too small; nothing useful was written. */
} prack_error_t;

/**
 * @brief Describe an error code.
 * @param[in] err a value returned by a libprack function.
 * @return a static, NUL-terminated English text; never NULL ("unknown error" for
 *         values that are not error codes, "success" for zero or positive values).
 */
PRACK_API const char *prack_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* PRACK_ERROR_H */
