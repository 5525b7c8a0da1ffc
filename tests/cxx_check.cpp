// Compiles the public headers as C++11 (-Wall -Wextra -Werror -pedantic) and
// drives a short call through them, so they stay usable from C++: extern "C"
// guards, no C-only syntax, types that C++ accepts as written in the docs.
#include <prack/prack.h>
#include <prack/header.h>
#include <prack/error.h>
#include <prack/version.h>

#include <cstring>

int main()
{
    if (std::strcmp(prack_version(), PRACK_VERSION_STRING) != 0)
        return 1;

    prack_config_t cfg;
    prack_config_init(&cfg);
    prack_uas_t uas;
    prack_uas_entry_t queue[2];
    prack_actions_t out;
    prack_invite_t inv = {};
    inv.cseq = 1;
    inv.flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP;
    if (prack_uas_init(&uas, &cfg, &inv, queue, 2, 7u, 0, &out) != PRACK_OK)
        return 2;
    if (prack_uas_send_1xx(&uas, 0, 183, PRACK_1XX_SDP, nullptr, &out) != PRACK_OK ||
        out.v[0].type != PRACK_ACT_SEND_1XX)
        return 3;

    prack_rack_t rack;
    const char text[] = "8 1 INVITE";
    if (prack_parse_rack(text, sizeof(text) - 1, &rack) != PRACK_OK)
        return 4;
    prack_prack_t pr = {};
    pr.flags = PRACK_PR_RACK;
    pr.rseq = rack.rseq;
    pr.cseq = rack.cseq;
    pr.method = rack.method;
    pr.method_len = rack.method_len;
    if (prack_uas_on_prack(&uas, 10, &pr, &out) != PRACK_OK || out.v[0].status != 200)
        return 5;

    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_uac_init(&uac, &cfg, 1, PRACK_UAC_INVITE_SDP, 0);
    prack_uac_dialog_init(&dlg);
    prack_response_t rsp = {};
    rsp.status = 180;
    rsp.method = PRACK_METHOD_INVITE;
    rsp.flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ;
    rsp.cseq = 1;
    rsp.rseq = 1;
    if (prack_on_response(&uac, &dlg, 0, &rsp, &out) != PRACK_OK ||
        out.v[0].type != PRACK_ACT_SEND_PRACK)
        return 6;
    return prack_next_deadline(&uas) == PRACK_TIME_NONE ? 0 : 7;
}
