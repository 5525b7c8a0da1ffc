/* The probe described in constants.h: only its debug information matters. */
#include "constants.h"

__attribute__((visibility("default"))) void
prack_abi_constants(prack_error_t err, prack_policy_t policy, prack_failure_t failure,
                    prack_act_t act, prack_reason_t reason, prack_sdp_t sdp,
                    prack_option_t option, prack_uas_state_t uas_state, prack_method_t method,
                    prack_uac_state_t uac_state, enum prack_abi_limits limits,
                    enum prack_abi_wide wide, enum prack_abi_action_flags action_flags,
                    enum prack_abi_input_flags input_flags)
{
    (void)err, (void)policy, (void)failure, (void)act, (void)reason, (void)sdp;
    (void)option, (void)uas_state, (void)method, (void)uac_state, (void)limits;
    (void)wide, (void)action_flags, (void)input_flags;
}
