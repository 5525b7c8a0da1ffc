// Compiles the public headers as C++11 (-Wall -Wextra -Werror -pedantic) and
// drives a UAS call and a UAC call through them, so they stay usable from
// C++: extern "C" guards, no C-only syntax, fixed-width fields that C++
// compares and assigns without casts, 64-bit cookies that hold a pointer.
#include <prack/prack.h>
#include <prack/header.h>
#include <prack/error.h>
#include <prack/version.h>

#include <cstdint>
#include <cstring>

static_assert(sizeof(prack_uas_t) == PRACK_UAS_SIZE, "prack_uas_t size");
static_assert(alignof(prack_uas_t) == alignof(std::uint64_t), "prack_uas_t alignment");
static_assert(sizeof(prack_uac_t) == PRACK_UAC_SIZE, "prack_uac_t size");
static_assert(sizeof(prack_uac_dialog_t) == PRACK_UAC_DIALOG_SIZE, "prack_uac_dialog_t size");
static_assert(sizeof(prack_config_t) == 24, "prack_config_t size");
static_assert(sizeof(prack_action_t) == 32 + sizeof(const char *), "prack_action_t size");

namespace {

// What a host hangs on a provisional; its address is the cookie.
struct Provisional {
    unsigned status;
    int releases;
};

std::uint64_t cookie_of(Provisional *p)
{
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
}

// Carry out a UAS batch: every cookie must still be alive, and the action
// flagged PRACK_AF_RELEASE is its last one. Returns false on a broken rule.
bool carry_out(const prack_actions_t &out)
{
    for (std::uint32_t i = 0; i < out.n; i++) {
        const prack_action_t &a = out.v[i];
        if (a.user == 0)
            continue;
        Provisional *p = reinterpret_cast<Provisional *>(static_cast<std::uintptr_t>(a.user));
        if (p->releases != 0)
            return false;
        if (a.flags & PRACK_AF_RELEASE)
            p->releases++;
    }
    return true;
}

int uas_call()
{
    prack_config_t cfg;
    if (prack_config_init(&cfg) != PRACK_OK)
        return 10;
    cfg.queue_max = 2;

    prack_uas_t uas;
    prack_actions_t out;
    prack_invite_t inv = {};
    inv.cseq = 2147483648u; // 0.2 takes the whole 32-bit range
    inv.flags = PRACK_INV_SUPPORTED_100REL | PRACK_INV_SDP;
    if (prack_uas_init(&uas, &cfg, &inv, 7u, 0, &out) != PRACK_OK || out.n != 0)
        return 11;

    Provisional p183 = {183, 0};
    Provisional p180 = {180, 0};
    if (prack_uas_send_1xx(&uas, 0, 183, PRACK_1XX_SDP, cookie_of(&p183), &out) != PRACK_OK ||
        out.v[0].type != PRACK_ACT_SEND_1XX || out.v[0].rseq != 8u ||
        out.v[0].sdp != PRACK_SDP_ANSWER || !carry_out(out))
        return 12;
    if (prack_uas_send_1xx(&uas, 1, 180, 0, cookie_of(&p180), &out) != PRACK_OK ||
        out.v[0].type != PRACK_ACT_QUEUE_1XX || !carry_out(out))
        return 13;
    // the 2xx waits for the PRACK of the 183; the queued 180 will never go
    if (prack_uas_send_final(&uas, 2, 200, &out) != PRACK_OK || out.n != 2 ||
        out.v[0].type != PRACK_ACT_DROP_1XX || out.v[1].type != PRACK_ACT_HOLD_FINAL ||
        !carry_out(out) || p180.releases != 1)
        return 14;

    // the PRACK: its RAck through the header helpers, its own CSeq one above
    char text[64];
    int len = prack_format_rack(text, sizeof text, 8u, inv.cseq, "INVITE", 6);
    prack_rack_t rack;
    if (len <= 0 || prack_parse_rack(text, static_cast<std::size_t>(len), &rack) != PRACK_OK)
        return 15;
    prack_prack_t pr = {};
    pr.flags = PRACK_PR_RACK;
    pr.cseq = inv.cseq + 1u;
    pr.rack_rseq = rack.rseq;
    pr.rack_cseq = rack.cseq;
    pr.method = rack.method;
    pr.method_len = rack.method_len;
    if (prack_uas_on_prack(&uas, 10, &pr, &out) != PRACK_OK || out.n != 2 ||
        out.v[0].status != 200 || out.v[0].user != cookie_of(&p183) ||
        !(out.v[0].flags & PRACK_AF_RELEASE) || out.v[1].type != PRACK_ACT_SEND_FINAL ||
        !(out.v[1].flags & PRACK_AF_RELEASED) || !carry_out(out))
        return 16;
    // the same PRACK again gets its 200 again; a new one for the same RSeq, 481
    if (prack_uas_on_prack(&uas, 11, &pr, &out) != PRACK_OK ||
        out.v[0].reason != PRACK_R_DUPLICATE || out.v[0].user != 0)
        return 17;
    pr.cseq++;
    if (prack_uas_on_prack(&uas, 12, &pr, &out) != PRACK_OK || out.v[0].status != 481)
        return 18;
    if (p183.releases != 1 || prack_uas_state(&uas) != PRACK_UAS_COMPLETED ||
        prack_next_deadline(&uas) != PRACK_TIME_NONE)
        return 19;
    return 0;
}

int uac_call()
{
    prack_config_t cfg;
    prack_config_init(&cfg);
    prack_uac_t uac;
    prack_uac_dialog_t dlg;
    prack_actions_t out;
    const std::uint32_t cseq = 4294967294u; // its PRACK takes 2^32-1
    if (prack_uac_init(&uac, &cfg, cseq, PRACK_UAC_INVITE_SDP, 0) != PRACK_OK ||
        prack_uac_option(&uac) != PRACK_OPTION_SUPPORTED || prack_uac_dialog_init(&dlg) != PRACK_OK)
        return 20;

    prack_response_t rsp = {};
    rsp.status = 183;
    rsp.method = PRACK_METHOD_INVITE;
    rsp.flags = PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ | PRACK_RSP_SDP;
    rsp.cseq = cseq;
    rsp.rseq = 8;
    if (prack_on_response(&uac, &dlg, 0, &rsp, &out) != PRACK_OK || out.n < 1 ||
        out.v[0].type != PRACK_ACT_SEND_PRACK || out.v[0].rseq != 8u || out.v[0].cseq != cseq)
        return 21;
    // a response whose CSeq is not the INVITE's is not for this engine
    rsp.cseq = 1;
    rsp.rseq = 9;
    if (prack_on_response(&uac, &dlg, 1, &rsp, &out) != PRACK_OK || out.n != 1 ||
        out.v[0].type != PRACK_ACT_DISCARD || out.v[0].reason != PRACK_R_WRONG_CSEQ)
        return 22;

    // the 200 to the PRACK names it by its RAck response-num
    prack_response_t ok = {};
    ok.status = 200;
    ok.method = PRACK_METHOD_PRACK;
    ok.cseq = cseq + 1u;
    ok.rseq = 8;
    if (prack_on_response(&uac, &dlg, 2, &ok, &out) != PRACK_OK || out.n < 1 ||
        out.v[0].type != PRACK_ACT_EVENT || out.v[0].reason != PRACK_R_PRACK_OK)
        return 23;

    prack_response_t fin = {};
    fin.status = 200;
    fin.method = PRACK_METHOD_INVITE;
    fin.cseq = cseq;
    if (prack_on_response(&uac, &dlg, 3, &fin, &out) != PRACK_OK || out.n < 1 ||
        out.v[0].type != PRACK_ACT_DELIVER_FINAL || prack_uac_state(&uac) != PRACK_UAC_ACCEPTED ||
        prack_uac_dialog_rseq(&dlg) != 8u)
        return 24;
    return 0;
}

} // namespace

int main()
{
    if (std::strcmp(prack_version(), PRACK_VERSION_STRING) != 0)
        return 1;
    if (std::strcmp(prack_act_name(PRACK_ACT_DISCARD), "DISCARD") != 0)
        return 2;
    int rc = uas_call();
    return rc != 0 ? rc : uac_call();
}
