/*
 * Fuzz target: the examples' SDP reader and offer/answer (examples/sdp.c).
 *
 * The reader must never crash or read past the input, and on an error name a
 * line. Whatever it accepts is answered (the answer forced, so refusals are
 * written too): the answer must be our own well-formed description, answer
 * the offer by the rules that sdp_check_answer() enforces (as many m= lines,
 * the same media types, port 0 where the offer had it, only offered formats,
 * an allowed direction), and answering the same offer again must leave the
 * o= version alone (RFC 3264 8).
 *
 * Input: one byte choosing the local formats (bits 0-6, one per known name)
 * and the address family (bit 7), then the session description.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

#include "../common/fuzz_input.h"

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "INVARIANT BROKEN: %s [%s] at %s:%d\n", (what), #cond, __FILE__,       \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const char *const names[] = {"PCMU", "PCMA", "G722", "GSM", "G729", "opus",
                                    "telephone-event"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t f = {data, size};
    uint8_t sel = fz_u8(&f);
    const char *text = (const char *)f.p;
    size_t len = f.n;

    char list[128] = "";
    for (unsigned i = 0; i < 7u; i++)
        if (sel & (1u << i))
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? "," : "",
                     names[i]);
    sdp_caps_t caps;
    CHECK(sdp_caps_parse(&caps, list[0] ? list : "PCMU") == 0, "known names parse");

    static sdp_t offer, answer;
    int rc = sdp_parse(text, len, &offer);
    if (rc != SDP_OK) {
        CHECK(rc > SDP_REJECT && rc <= SDP_E_LIMIT, "a reader error");
        CHECK(offer.err_line >= 1, "an error names its line");
        return 0;
    }
    CHECK(offer.nmedia <= SDP_MAX_MEDIA, "stream count bounded");

    static sdp_local_t l;
    sdp_verdict_t v;
    bool ip6 = (sel & 0x80u) != 0;
    sdp_local_init(&l, "fuzz", 1, ip6 ? "2001:db8::1" : "192.0.2.1", ip6, 40000);
    rc = sdp_make_answer(&l, &caps, &offer, true, &v);
    CHECK(rc == SDP_OK || rc == SDP_REJECT || rc == SDP_E_SPACE, "answer outcome");
    if (rc == SDP_E_SPACE) {
        CHECK(l.len == 0, "no partial answer kept");
        return 0;
    }
    CHECK(rc != SDP_REJECT || (v.warning == 304 || v.warning == 305), "a refusal has its Warning");
    CHECK(rc != SDP_REJECT || v.accepted == 0, "a refusal accepts nothing");

    static char body[SDP_BODY_MAX];
    size_t n = sdp_local_write(&l, body, sizeof(body));
    CHECK(n > 0, "the answer is written");
    CHECK(sdp_parse(body, n, &answer) == SDP_OK, "our answer parses");
    sdp_verdict_t cv;
    CHECK(sdp_check_answer(&offer, &answer, &cv) == SDP_OK, "our answer answers the offer");
    CHECK(cv.accepted == v.accepted, "same accepted count");

    uint64_t version = l.version;
    CHECK(sdp_make_answer(&l, &caps, &offer, true, &v) == rc, "same offer, same outcome");
    CHECK(l.version == version, "same answer, same version");
    return 0;
}
