/*
 * The layout of libprack's public structs as one translation unit sees it:
 * size and alignment of each struct, offset and size of each field. The same
 * list is compiled with -fshort-enums (short_enums.c) and without it
 * (plain_layout.c, like the library itself), and short_enums.c compares them.
 */
#ifndef PRACK_TESTS_ABI_LAYOUT_H
#define PRACK_TESTS_ABI_LAYOUT_H

#include <stddef.h>

#include <prack/prack.h>

typedef struct abi_fact {
    const char *what;
    size_t value;
} abi_fact_t;

#define ABI_TYPE(T) {"sizeof(" #T ")", sizeof(T)}, {"_Alignof(" #T ")", _Alignof(T)},
#define ABI_FIELD(T, f) \
    {"offsetof(" #T ", " #f ")", offsetof(T, f)}, {"sizeof(" #T "." #f ")", sizeof(((T *)0)->f)},

#define ABI_FACTS                                          \
    ABI_TYPE(prack_action_t)                               \
    ABI_FIELD(prack_action_t, type)                        \
    ABI_FIELD(prack_action_t, reason)                      \
    ABI_FIELD(prack_action_t, sdp)                         \
    ABI_FIELD(prack_action_t, option)                      \
    ABI_FIELD(prack_action_t, status)                      \
    ABI_FIELD(prack_action_t, reserved_)                   \
    ABI_FIELD(prack_action_t, flags)                       \
    ABI_FIELD(prack_action_t, rseq)                        \
    ABI_FIELD(prack_action_t, cseq)                        \
    ABI_FIELD(prack_action_t, reserved2_)                  \
    ABI_FIELD(prack_action_t, user)                        \
    ABI_FIELD(prack_action_t, text)                        \
    ABI_TYPE(prack_actions_t)                              \
    ABI_FIELD(prack_actions_t, n)                          \
    ABI_FIELD(prack_actions_t, reserved_)                  \
    ABI_FIELD(prack_actions_t, v)                          \
    ABI_TYPE(prack_config_t)                               \
    ABI_FIELD(prack_config_t, t1_ms)                       \
    ABI_FIELD(prack_config_t, refresh_ms)                  \
    ABI_FIELD(prack_config_t, timeout_status)              \
    ABI_FIELD(prack_config_t, policy)                      \
    ABI_FIELD(prack_config_t, on_prack_failure)            \
    ABI_FIELD(prack_config_t, prack_after_2xx)             \
    ABI_FIELD(prack_config_t, cache_out_of_order)          \
    ABI_FIELD(prack_config_t, queue_max)                   \
    ABI_FIELD(prack_config_t, auth_max)                    \
    ABI_FIELD(prack_config_t, reserved_)                   \
    ABI_TYPE(prack_response_t)                             \
    ABI_FIELD(prack_response_t, status)                    \
    ABI_FIELD(prack_response_t, method)                    \
    ABI_FIELD(prack_response_t, reserved_)                 \
    ABI_FIELD(prack_response_t, flags)                     \
    ABI_FIELD(prack_response_t, cseq)                      \
    ABI_FIELD(prack_response_t, reserved2_)                \
    ABI_FIELD(prack_response_t, rseq)                      \
    ABI_TYPE(prack_prack_t)                                \
    ABI_FIELD(prack_prack_t, flags)                        \
    ABI_FIELD(prack_prack_t, cseq)                         \
    ABI_FIELD(prack_prack_t, rack_rseq)                    \
    ABI_FIELD(prack_prack_t, rack_cseq)                    \
    ABI_FIELD(prack_prack_t, method)                       \
    ABI_FIELD(prack_prack_t, method_len)                   \
    ABI_FIELD(prack_prack_t, reserved_)                    \
    ABI_TYPE(prack_invite_t)                               \
    ABI_FIELD(prack_invite_t, cseq)                        \
    ABI_FIELD(prack_invite_t, flags)                       \
    ABI_TYPE(prack_uas_t)                                  \
    ABI_TYPE(prack_uac_t)                                  \
    ABI_TYPE(prack_uac_dialog_t)                           \
    ABI_TYPE(prack_uas_stats_t)                            \
    ABI_TYPE(prack_uac_stats_t)

/* The facts as plain_layout.c, compiled without -fshort-enums, sees them. */
extern const abi_fact_t abi_plain_facts[];
extern const size_t abi_plain_count;

#endif /* PRACK_TESTS_ABI_LAYOUT_H */
