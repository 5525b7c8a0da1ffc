/*
 * Tests for the examples' SDP module (examples/sdp.c): the RFC 4566 reader,
 * the RFC 3264 answer (one m= line per offered one, common formats under the
 * offer's payload numbers, mirrored directions, port 0 for a refused stream,
 * the whole offer refused when nothing can be accepted, with the Warning code
 * of RFC 3261 20.43), our offer, the check of an answer against its offer, and
 * the o= version of RFC 3264 8.
 *
 * Every description is copied into a heap block of exactly its length before
 * it is parsed, so a read past the end is caught by AddressSanitizer or
 * valgrind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

/* The local formats of most tests: the programs' default. */
static sdp_caps_t caps;

static int setup_caps(void **state)
{
    (void)state;
    return sdp_caps_parse(&caps, SDP_CODECS_DEFAULT);
}

/* A parsed description points into its text: the exact-size copies live
 * until the end of the run. */
static char *copies[256];
static size_t ncopies;

static int free_copies(void **state)
{
    (void)state;
    while (ncopies)
        free(copies[--ncopies]);
    return 0;
}

static int parse_exact(const char *text, sdp_t *s)
{
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1u);
    assert_non_null(copy);
    assert_true(ncopies < sizeof(copies) / sizeof(copies[0]));
    copies[ncopies++] = copy;
    memcpy(copy, text, n);
    return sdp_parse(copy, n, s);
}

/* Answer `offer` into a fresh session; the parsed offer must outlive nothing. */
static int answer(const char *offer, sdp_local_t *l, sdp_verdict_t *v, bool force)
{
    size_t n = strlen(offer);
    char *copy = malloc(n ? n : 1u);
    assert_non_null(copy);
    memcpy(copy, offer, n);
    sdp_local_init(l, "uas", 42, "192.0.2.10", false, 40000);
    int rc = sdp_answer_text(l, &caps, copy, n, force, v);
    free(copy);
    return rc;
}

/* The lines of our description after o=. */
static const char *rest(const sdp_local_t *l, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*s", (int)l->len, l->body);
    return buf;
}

#define SESSION_HEAD "s=libprack example\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"

static const char offer_head[] = "v=0\r\n"
                                 "o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n"
                                 "s=-\r\n"
                                 "c=IN IP4 198.51.100.1\r\n"
                                 "t=0 0\r\n";

static char offer_buf[4096];
static const char *offer_with(const char *media)
{
    snprintf(offer_buf, sizeof(offer_buf), "%s%s", offer_head, media);
    return offer_buf;
}

/* ------------------------------------------------------------------------- */
/* Reading */

static void test_parse_fields(void **state)
{
    (void)state;
    sdp_t s;
    assert_int_equal(parse_exact(offer_with("a=recvonly\r\n"
                                            "m=audio 49170 RTP/AVP 0 96 101\r\n"
                                            "c=IN IP6 2001:db8::1\r\n"
                                            "a=rtpmap:96 opus/48000/2\r\n"
                                            "a=rtpmap:101 telephone-event/8000\r\n"
                                            "a=fmtp:101 0-15\r\n"
                                            "a=sendonly\r\n"
                                            "m=video 0 RTP/AVP 31\r\n"),
                                 &s),
                     SDP_OK);
    assert_int_equal(s.nmedia, 2);
    assert_int_equal(s.dir, SDP_RECVONLY);
    assert_true(s.conn.set && !s.conn.ip6);
    const sdp_media_t *m = &s.media[0];
    assert_int_equal(m->port, 49170);
    assert_true(m->rtp);
    assert_int_equal(m->nfmt, 3);
    assert_true(m->conn.set && m->conn.ip6);
    assert_int_equal(m->conn.addr.n, strlen("2001:db8::1"));
    assert_int_equal(m->dir, SDP_SENDONLY);
    /* static type 0 without rtpmap: PCMU/8000 from RFC 3551 */
    assert_int_equal(m->fmt[0].pt, 0);
    assert_true(m->fmt[0].known);
    assert_memory_equal(m->fmt[0].name.p, "PCMU", 4);
    assert_int_equal(m->fmt[0].rate, 8000);
    assert_int_equal(m->fmt[1].channels, 2);
    assert_int_equal(m->fmt[1].rate, 48000);
    assert_int_equal(m->fmt[2].fmtp.n, 4);
    assert_memory_equal(m->fmt[2].fmtp.p, "0-15", 4);
    /* session-level direction for the stream without its own */
    assert_int_equal(sdp_media_dir(&s, 0), SDP_SENDONLY);
    assert_int_equal(sdp_media_dir(&s, 1), SDP_RECVONLY);
    assert_int_equal(s.media[1].port, 0);
}

static void test_parse_lf_only_and_no_final_newline(void **state)
{
    (void)state;
    sdp_t s;
    assert_int_equal(parse_exact("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x\nc=IN IP4 10.0.0.1\nt=0 0\n"
                                 "m=audio   5004/2   RTP/AVP   8",
                                 &s),
                     SDP_OK);
    assert_int_equal(s.media[0].port, 5004);
    assert_int_equal(s.media[0].nfmt, 1);
    assert_int_equal(s.media[0].fmt[0].pt, 8);
}

static void test_parse_odd_numbers(void **state)
{
    (void)state;
    sdp_t s;
    /* a 40-digit session id and version, a port with leading zeros, the
     * largest clock rate, payload 127 */
    assert_int_equal(parse_exact("v=0\r\no=- 1234567890123456789012345678901234567890 "
                                 "9999999999999999999999 IN IP4 h.example\r\ns= \r\n"
                                 "c=IN IP4 10.0.0.1\r\nt=3034423619 0\r\n"
                                 "m=audio 0049170 RTP/AVP 127 0\r\n"
                                 "a=rtpmap:127 X/4294967295/65535\r\n",
                                 &s),
                     SDP_OK);
    assert_int_equal(s.media[0].port, 49170);
    assert_int_equal(s.media[0].fmt[0].rate, 4294967295u);
    assert_int_equal(s.media[0].fmt[0].channels, 65535);
    assert_int_equal(s.sess_id.n, 40);
}

static void test_parse_many_formats(void **state)
{
    (void)state;
    sdp_t s;
    char media[512] = "m=audio 4000 RTP/AVP";
    for (unsigned pt = 96; pt < 126; pt++)
        snprintf(media + strlen(media), sizeof(media) - strlen(media), " %u", pt);
    strcat(media, " 8\r\n");
    assert_int_equal(parse_exact(offer_with(media), &s), SDP_OK);
    assert_int_equal(s.media[0].nfmt, SDP_MAX_FMT); /* the rest is not considered */
    sdp_local_t l;
    sdp_verdict_t v;
    /* PCMA is the 31st format: beyond what the answer looks at */
    assert_int_equal(answer(offer_with(media), &l, &v, false), SDP_REJECT);
}

struct bad {
    const char *text;
    int rc;
    unsigned line;
};

static void test_parse_malformed(void **state)
{
    (void)state;
    static const struct bad bad[] = {
        {"", SDP_E_VERSION, 1},
        {"\r\n\r\n", SDP_E_VERSION, 3},
        {"v=1\r\n", SDP_E_VERSION, 1},
        {"V=0\r\n", SDP_E_SYNTAX, 1},
        {"v=0\r\nhello\r\n", SDP_E_SYNTAX, 2},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=\x01\r\n", SDP_E_SYNTAX, 3},
        {"v=0\r\nv=0\r\n", SDP_E_VERSION, 2},
        {"v=0\r\ns=-\r\nt=0 0\r\n", SDP_E_ORIGIN, 4},
        {"v=0\r\no=- x 1 IN IP4 a\r\n", SDP_E_ORIGIN, 2},
        {"v=0\r\no=- 1 1 IN IP4\r\n", SDP_E_ORIGIN, 2},
        {"v=0\r\no=- 1 1 ATM IP4 a\r\n", SDP_E_ORIGIN, 2},
        {"v=0\r\no=- 1 1 IN IP4 a\r\nt=0 0\r\n", SDP_E_SESSION, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\n", SDP_E_SESSION, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0\r\n", SDP_E_SESSION, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n", SDP_E_CONN, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 ::1\r\n", SDP_E_CONN, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP5 a\r\n", SDP_E_CONN, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN\r\n", SDP_E_CONN, 4},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 65536 RTP/AVP 0\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 99999999999999999999 RTP/AVP 0\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 128\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP -1\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1/0 RTP/AVP 0\r\n",
         SDP_E_MEDIA, 6},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
         "a=rtpmap:96 opus/4294967296\r\n",
         SDP_E_RTPMAP, 7},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
         "a=rtpmap:96 opus\r\n",
         SDP_E_RTPMAP, 7},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
         "a=rtpmap:96 opus/48000/0\r\n",
         SDP_E_RTPMAP, 7},
        {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
         "a=rtpmap:x opus/48000\r\n",
         SDP_E_RTPMAP, 7},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sdp_t s;
        int rc = parse_exact(bad[i].text, &s);
        if (rc != bad[i].rc || s.err_line != bad[i].line)
            fail_msg("case %zu: got %d (%s) at line %u, expected %d at line %u", i, rc,
                     sdp_strerror(rc), s.err_line, bad[i].rc, bad[i].line);
        assert_string_not_equal(sdp_strerror(rc), "unknown error");
    }
}

static void test_parse_too_many_streams(void **state)
{
    (void)state;
    char media[1024] = "";
    for (unsigned i = 0; i <= SDP_MAX_MEDIA; i++)
        strcat(media, "m=audio 4000 RTP/AVP 0\r\n");
    sdp_t s;
    assert_int_equal(parse_exact(offer_with(media), &s), SDP_E_LIMIT);
    assert_int_equal(s.err_line, 5 + SDP_MAX_MEDIA + 1);
    /* and the answer says so instead of answering part of the offer */
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer(offer_with(media), &l, &v, false), SDP_E_LIMIT);
    assert_string_equal(v.text, "too many m= lines");
    assert_int_equal(l.len, 0);
}

/* ------------------------------------------------------------------------- */
/* Answers (RFC 3264 6) */

/* The issue that started this module: PCMA with a=inactive got PCMU sendrecv. */
static void test_answer_pcma_inactive(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 8\r\na=inactive\r\n"), &l, &v, false),
                     SDP_OK);
    assert_int_equal(v.accepted, 1);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 40000 RTP/AVP 8\r\n"
                                                                 "a=rtpmap:8 PCMA/8000\r\n"
                                                                 "a=inactive\r\n");
    assert_true(sdp_local_write(&l, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "v=0\r\no=uas 42 1 IN IP4 192.0.2.10\r\ns="));
}

static void test_answer_directions_mirrored(void **state)
{
    (void)state;
    static const struct {
        const char *offered;
        const char *answered;
    } t[] = {
        {"", "a=sendrecv"},
        {"a=sendrecv\r\n", "a=sendrecv"},
        {"a=sendonly\r\n", "a=recvonly"},
        {"a=recvonly\r\n", "a=sendonly"},
        {"a=inactive\r\n", "a=inactive"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char media[128];
        snprintf(media, sizeof(media), "m=audio 49170 RTP/AVP 0\r\n%s", t[i].offered);
        sdp_local_t l;
        sdp_verdict_t v;
        char buf[SDP_BODY_MAX];
        assert_int_equal(answer(offer_with(media), &l, &v, false), SDP_OK);
        if (!strstr(rest(&l, buf, sizeof(buf)), t[i].answered))
            fail_msg("offer '%s': answer lacks %s:\n%s", t[i].offered, t[i].answered, buf);
        /* exactly one direction attribute */
        unsigned n = 0;
        for (const char *p = buf; (p = strstr(p, "a=")) != NULL; p += 2)
            n += strncmp(p, "a=rtpmap", 8) != 0;
        assert_int_equal(n, 1);
    }
}

static void test_answer_session_level_direction(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    /* a=sendonly before the first m= applies to both streams; the second has its own */
    const char *offer = "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
                        "a=sendonly\r\n"
                        "m=audio 5000 RTP/AVP 0\r\n"
                        "m=audio 5002 RTP/AVP 0\r\na=inactive\r\n";
    assert_int_equal(answer(offer, &l, &v, false), SDP_OK);
    assert_int_equal(v.accepted, 2);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 40000 RTP/AVP 0\r\n"
                                                                 "a=rtpmap:0 PCMU/8000\r\n"
                                                                 "a=recvonly\r\n"
                                                                 "m=audio 40002 RTP/AVP 0\r\n"
                                                                 "a=rtpmap:0 PCMU/8000\r\n"
                                                                 "a=inactive\r\n");
}

static void test_answer_only_unknown_codec_rejected(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 96\r\na=rtpmap:96 AMR/8000\r\n"), &l,
                            &v, false),
                     SDP_REJECT);
    assert_int_equal(v.warning, 305);
    assert_string_equal(v.text, "Incompatible media format");
    assert_int_equal(v.accepted, 0);
    assert_int_equal(l.len, 0); /* nothing to send: the caller answers 488 */
    /* a dynamic type without rtpmap is unknown too, and G729 is not ours */
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 97 18\r\n"), &l, &v, false),
                     SDP_REJECT);
    assert_int_equal(v.warning, 305);
}

static void test_answer_unknown_media_type_rejected(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer(offer_with("m=video 51372 RTP/AVP 31\r\n"
                                       "m=application 9 TCP/BFCP *\r\n"),
                            &l, &v, false),
                     SDP_REJECT);
    assert_int_equal(v.warning, 304);
    assert_string_equal(v.text, "Media type not available");
}

static void test_answer_two_streams_one_acceptable(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    assert_int_equal(answer(offer_with("m=video 51372 RTP/AVP 31 32\r\n"
                                       "a=rtpmap:31 H261/90000\r\n"
                                       "m=audio 49170 RTP/AVP 18 8 0\r\n"
                                       "a=sendrecv\r\n"),
                            &l, &v, false),
                     SDP_OK);
    assert_int_equal(v.accepted, 1);
    /* in the offer's order: video refused with port 0 and one of its formats,
     * audio with the common formats in the offer's order */
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=video 0 RTP/AVP 31\r\n"
                                                                 "m=audio 40002 RTP/AVP 8 0\r\n"
                                                                 "a=rtpmap:8 PCMA/8000\r\n"
                                                                 "a=rtpmap:0 PCMU/8000\r\n"
                                                                 "a=sendrecv\r\n");
}

static void test_answer_dynamic_types_use_offer_numbers(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    /* matched by name (any case) and clock rate; numbered as offered; the
     * 48 kHz telephone-event is not ours */
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 97 110 100\r\n"
                                       "a=rtpmap:97 pcma/8000\r\n"
                                       "a=rtpmap:110 telephone-event/48000\r\n"
                                       "a=rtpmap:100 Telephone-Event/8000\r\n"
                                       "a=fmtp:100 0-15\r\n"),
                            &l, &v, false),
                     SDP_OK);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 40000 RTP/AVP 97 100\r\n"
                                                                 "a=rtpmap:97 PCMA/8000\r\n"
                                                                 "a=rtpmap:100 telephone-event/8000\r\n"
                                                                 "a=fmtp:100 0-16\r\n"
                                                                 "a=sendrecv\r\n");
}

static void test_answer_static_type_renamed_by_rtpmap(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    /* an rtpmap overrides the static table: type 0 as something else is not PCMU */
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 L16/16000\r\n"), &l,
                            &v, false),
                     SDP_REJECT);
}

static void test_answer_channels_must_match(void **state)
{
    (void)state;
    sdp_caps_t opus;
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(sdp_caps_parse(&opus, "opus"), 0);
    sdp_local_init(&l, "u", 1, "10.0.0.1", false, 4000);
    const char *mono = offer_with("m=audio 1 RTP/AVP 111\r\na=rtpmap:111 opus/48000\r\n");
    assert_int_equal(sdp_answer_text(&l, &opus, mono, strlen(mono), false, &v), SDP_REJECT);
    const char *stereo = offer_with("m=audio 1 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n");
    assert_int_equal(sdp_answer_text(&l, &opus, stereo, strlen(stereo), false, &v), SDP_OK);
    char buf[SDP_BODY_MAX];
    assert_non_null(strstr(rest(&l, buf, sizeof(buf)), "a=rtpmap:111 opus/48000/2\r\n"));
}

static void test_answer_telephone_event_alone_rejected(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 101\r\n"
                                       "a=rtpmap:101 telephone-event/8000\r\n"),
                            &l, &v, false),
                     SDP_REJECT);
    assert_int_equal(v.warning, 305);
}

static void test_answer_other_profile_refused(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    /* SRTP is not ours: that stream is refused, the plain RTP one accepted */
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/SAVP 0\r\nm=audio 49172 RTP/AVP 0\r\n"),
                            &l, &v, false),
                     SDP_OK);
    assert_non_null(strstr(rest(&l, buf, sizeof(buf)), "m=audio 0 RTP/SAVP 0\r\nm=audio 40002 "));
}

static void test_answer_port_zero_streams(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    /* a stream offered with port 0 stays at port 0 even when its format is ours */
    assert_int_equal(answer(offer_with("m=audio 0 RTP/AVP 0\r\nm=audio 5000 RTP/AVP 8\r\n"), &l, &v,
                            false),
                     SDP_OK);
    assert_int_equal(v.accepted, 1);
    assert_non_null(strstr(rest(&l, buf, sizeof(buf)), "m=audio 0 RTP/AVP 0\r\nm=audio 40002 "));
    /* every stream disabled by the offerer: an answer, not a refusal */
    assert_int_equal(answer(offer_with("m=audio 0 RTP/AVP 0\r\n"), &l, &v, false), SDP_OK);
    assert_int_equal(v.accepted, 0);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 0 RTP/AVP 0\r\n");
    /* and no stream at all: streams may come later (RFC 3264 5) */
    assert_int_equal(answer(offer_head, &l, &v, false), SDP_OK);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD);
}

static void test_answer_forced_refuses_every_stream(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    /* an offer that cannot be refused with 488 (in a 1xx) still gets an answer */
    assert_int_equal(answer(offer_with("m=audio 49170 RTP/AVP 96\r\na=rtpmap:96 AMR/8000\r\n"
                                       "m=video 5000 RTP/AVP 31\r\n"),
                            &l, &v, true),
                     SDP_REJECT);
    assert_int_equal(v.warning, 305);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 0 RTP/AVP 96\r\n"
                                                                 "m=video 0 RTP/AVP 31\r\n");
}

static void test_answer_malformed_offer(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
                            &l, &v, true),
                     SDP_E_MEDIA);
    assert_string_equal(v.text, "malformed m= line");
    assert_int_equal(l.len, 0);
    assert_int_equal(answer("garbage", &l, &v, false), SDP_E_SYNTAX);
}

static void test_answer_too_large(void **state)
{
    (void)state;
    /* refused streams echo the offer's media type and profile: long ones overflow */
    char media[4096] = "", tok[201];
    memset(tok, 'x', 200);
    tok[200] = '\0';
    for (unsigned i = 0; i < SDP_MAX_MEDIA; i++)
        snprintf(media + strlen(media), sizeof(media) - strlen(media), "m=%s 1 %s 0\r\n", tok, tok);
    sdp_local_t l;
    sdp_verdict_t v;
    assert_int_equal(answer(offer_with(media), &l, &v, true), SDP_E_SPACE);
    assert_int_equal(l.len, 0);
}

static void test_answer_ipv6_local(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    sdp_local_init(&l, "uas", 7, "::1", true, 40000);
    const char *o = offer_with("m=audio 49170 RTP/AVP 0\r\n");
    assert_int_equal(sdp_answer_text(&l, &caps, o, strlen(o), false, &v), SDP_OK);
    assert_true(sdp_local_write(&l, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "o=uas 7 1 IN IP6 ::1\r\n"));
    assert_non_null(strstr(buf, "c=IN IP6 ::1\r\n"));
}

/* ------------------------------------------------------------------------- */
/* o= version (RFC 3264 8) */

static void test_version_changes_only_with_the_session(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    char buf[SDP_BODY_MAX];
    sdp_local_init(&l, "uas", 99, "192.0.2.10", false, 40000);
    assert_int_equal(sdp_local_write(&l, buf, sizeof(buf)), 0); /* nothing sent yet */
    const char *a = offer_with("m=audio 49170 RTP/AVP 0\r\n");
    assert_int_equal(sdp_answer_text(&l, &caps, a, strlen(a), false, &v), SDP_OK);
    assert_int_equal(l.version, 1);
    /* the same offer again: the same answer, the same version */
    assert_int_equal(sdp_answer_text(&l, &caps, a, strlen(a), false, &v), SDP_OK);
    assert_int_equal(l.version, 1);
    /* a new offer that puts the call on hold: a new description, version 2 */
    const char *b = offer_with("m=audio 49170 RTP/AVP 0\r\na=sendonly\r\n");
    assert_int_equal(sdp_answer_text(&l, &caps, b, strlen(b), false, &v), SDP_OK);
    assert_int_equal(l.version, 2);
    assert_true(sdp_local_write(&l, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "o=uas 99 2 IN IP4 192.0.2.10\r\n"));
    /* a refused offer changes nothing */
    const char *c = offer_with("m=audio 49170 RTP/AVP 96\r\na=rtpmap:96 AMR/8000\r\n");
    assert_int_equal(sdp_answer_text(&l, &caps, c, strlen(c), false, &v), SDP_REJECT);
    assert_int_equal(l.version, 2);
    assert_non_null(strstr(rest(&l, buf, sizeof(buf)), "a=recvonly"));
    /* and so does an identical offer of ours */
    assert_int_equal(sdp_make_offer(&l, &caps), SDP_OK);
    assert_int_equal(l.version, 3);
    assert_int_equal(sdp_make_offer(&l, &caps), SDP_OK);
    assert_int_equal(l.version, 3);
    assert_int_equal(l.id, 99);
}

static void test_version_large(void **state)
{
    (void)state;
    sdp_local_t l;
    char buf[SDP_BODY_MAX];
    sdp_local_init(&l, "u", UINT64_MAX, "10.0.0.1", false, 4000);
    l.version = 18446744073709551614u;
    assert_int_equal(sdp_make_offer(&l, &caps), SDP_OK);
    assert_true(sdp_local_write(&l, buf, sizeof(buf)) > 0);
    assert_non_null(strstr(buf, "o=u 18446744073709551615 18446744073709551614 IN IP4"));
    /* and our own description parses */
    sdp_t s;
    assert_int_equal(parse_exact(buf, &s), SDP_OK);
    /* a buffer too small gets nothing, not a cut description */
    assert_int_equal(sdp_local_write(&l, buf, 20), 0);
    assert_string_equal(buf, "");
}

/* ------------------------------------------------------------------------- */
/* Our offer and the answer to it */

static void test_offer(void **state)
{
    (void)state;
    sdp_local_t l;
    char buf[SDP_BODY_MAX];
    sdp_local_init(&l, "uac", 5, "192.0.2.10", false, 40000);
    assert_int_equal(sdp_make_offer(&l, &caps), SDP_OK);
    assert_string_equal(rest(&l, buf, sizeof(buf)), SESSION_HEAD "m=audio 40000 RTP/AVP 0 8 101\r\n"
                                                                 "a=rtpmap:0 PCMU/8000\r\n"
                                                                 "a=rtpmap:8 PCMA/8000\r\n"
                                                                 "a=rtpmap:101 telephone-event/8000\r\n"
                                                                 "a=fmtp:101 0-16\r\n"
                                                                 "a=sendrecv\r\n");
    /* answered by ourselves: the answer passes the check */
    sdp_local_t peer;
    sdp_verdict_t v;
    size_t n = sdp_local_write(&l, buf, sizeof(buf));
    sdp_local_init(&peer, "uas", 6, "192.0.2.20", false, 50000);
    assert_int_equal(sdp_answer_text(&peer, &caps, buf, n, false, &v), SDP_OK);
    char ans[SDP_BODY_MAX];
    size_t an = sdp_local_write(&peer, ans, sizeof(ans));
    assert_int_equal(sdp_check_answer_text(&l, ans, an, &v), SDP_OK);
    assert_int_equal(v.accepted, 1);
}

struct check_case {
    const char *answer_media;
    int rc;
    unsigned stream;
    unsigned accepted;
};

static void test_check_answer(void **state)
{
    (void)state;
    /* our offer: audio with PCMU, PCMA and telephone-event, then sendonly video */
    const char *offer = offer_with("m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
                                   "m=video 40002 RTP/AVP 31\r\na=sendonly\r\n");
    sdp_t o;
    assert_int_equal(parse_exact(offer, &o), SDP_OK);
    static const struct check_case t[] = {
        {"m=audio 5000 RTP/AVP 8\r\nm=video 0 RTP/AVP 31\r\n", SDP_OK, 0, 1},
        {"m=audio 5000 RTP/AVP 0 101\r\nm=video 5002 RTP/AVP 31\r\na=recvonly\r\n", SDP_OK, 0, 2},
        {"m=audio 5000 RTP/AVP 0\r\nm=video 5002 RTP/AVP 31\r\na=inactive\r\n", SDP_OK, 0, 2},
        {"m=audio 0 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n", SDP_OK, 0, 0},
        {"m=audio 5000 RTP/AVP 8\r\n", SDP_E_COUNT, 0, 0},
        {"m=audio 5000 RTP/AVP 8\r\nm=video 0 RTP/AVP 31\r\nm=audio 0 RTP/AVP 0\r\n", SDP_E_COUNT, 0, 0},
        {"m=audio 5000 RTP/AVP 18\r\nm=video 0 RTP/AVP 31\r\n", SDP_E_FORMAT, 0, 0},
        {"m=video 5000 RTP/AVP 31\r\nm=audio 0 RTP/AVP 0\r\n", SDP_E_MISMATCH, 0, 0},
        /* video was offered sendonly: the answer cannot send or receive both ways */
        {"m=audio 5000 RTP/AVP 8\r\nm=video 5002 RTP/AVP 31\r\n", SDP_E_DIRECTION, 1, 0},
        {"m=audio 5000 RTP/AVP 8\r\nm=video 5002 RTP/AVP 31\r\na=sendonly\r\n", SDP_E_DIRECTION, 1, 0},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char ans[1024];
        snprintf(ans, sizeof(ans), "v=0\r\no=b 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n%s",
                 t[i].answer_media);
        sdp_t a;
        sdp_verdict_t v;
        assert_int_equal(parse_exact(ans, &a), SDP_OK);
        int rc = sdp_check_answer(&o, &a, &v);
        if (rc != t[i].rc || (rc == SDP_OK ? v.accepted != t[i].accepted : v.stream != t[i].stream))
            fail_msg("case %zu: got %d (%s) stream %u accepted %u", i, rc, v.text ? v.text : "",
                     v.stream, v.accepted);
        if (rc != SDP_OK)
            assert_non_null(v.text);
    }
    /* payload types compare as numbers: "0008" was offered, "8" answers it */
    {
        sdp_t o3, a3;
        sdp_verdict_t v3;
        assert_int_equal(parse_exact(offer_with("m=audio 5000 RTP/AVP 0008\r\n"), &o3), SDP_OK);
        assert_int_equal(parse_exact(offer_with("m=audio 6000 RTP/AVP 8\r\n"), &a3), SDP_OK);
        assert_int_equal(sdp_check_answer(&o3, &a3, &v3), SDP_OK);
        assert_int_equal(parse_exact(offer_with("m=audio 6000 RTP/AVP 80\r\n"), &a3), SDP_OK);
        assert_int_equal(sdp_check_answer(&o3, &a3, &v3), SDP_E_FORMAT);
    }
    /* an offered port 0 answered with a port */
    const char *o2 = offer_with("m=audio 0 RTP/AVP 0\r\n");
    assert_int_equal(parse_exact(o2, &o), SDP_OK);
    sdp_t a;
    sdp_verdict_t v;
    assert_int_equal(parse_exact(offer_with("m=audio 5000 RTP/AVP 0\r\n"), &a), SDP_OK);
    assert_int_equal(sdp_check_answer(&o, &a, &v), SDP_E_MISMATCH);
}

static void test_check_answer_text_errors(void **state)
{
    (void)state;
    sdp_local_t l;
    sdp_verdict_t v;
    sdp_local_init(&l, "uac", 5, "192.0.2.10", false, 40000);
    /* no offer of ours yet */
    assert_int_equal(sdp_check_answer_text(&l, "v=0", 3, &v), SDP_E_COUNT);
    assert_int_equal(sdp_make_offer(&l, &caps), SDP_OK);
    assert_int_equal(sdp_check_answer_text(&l, "v=0\r\nx", 6, &v), SDP_E_SYNTAX);
    assert_string_equal(v.text, "a line is not type=value");
}

/* ------------------------------------------------------------------------- */
/* --codecs */

static void test_caps_parse(void **state)
{
    (void)state;
    sdp_caps_t c;
    assert_int_equal(sdp_caps_parse(&c, "pcma,PCMU/8000,Telephone-Event"), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.codec[0]->name, "PCMA");
    assert_string_equal(c.codec[2]->name, "telephone-event");
    assert_int_equal(sdp_caps_parse(&c, "PCMU,PCMA,G722,GSM,G729,opus,telephone-event"), 0);
    assert_int_equal(c.n, 7);
    static const char *const bad[] = {"", "PCMU,", ",PCMU", "AMR", "PCMU,PCMU", "PCMU/16000",
                                      "PCMU/", "PCMU/x", "PCMU PCMA", "pcmu,pcmu/8000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (sdp_caps_parse(&c, bad[i]) != -1)
            fail_msg("'%s' accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_parse_lf_only_and_no_final_newline),
        cmocka_unit_test(test_parse_odd_numbers),
        cmocka_unit_test(test_parse_many_formats),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_parse_too_many_streams),
        cmocka_unit_test(test_answer_pcma_inactive),
        cmocka_unit_test(test_answer_directions_mirrored),
        cmocka_unit_test(test_answer_session_level_direction),
        cmocka_unit_test(test_answer_only_unknown_codec_rejected),
        cmocka_unit_test(test_answer_unknown_media_type_rejected),
        cmocka_unit_test(test_answer_two_streams_one_acceptable),
        cmocka_unit_test(test_answer_dynamic_types_use_offer_numbers),
        cmocka_unit_test(test_answer_static_type_renamed_by_rtpmap),
        cmocka_unit_test(test_answer_channels_must_match),
        cmocka_unit_test(test_answer_telephone_event_alone_rejected),
        cmocka_unit_test(test_answer_other_profile_refused),
        cmocka_unit_test(test_answer_port_zero_streams),
        cmocka_unit_test(test_answer_forced_refuses_every_stream),
        cmocka_unit_test(test_answer_malformed_offer),
        cmocka_unit_test(test_answer_too_large),
        cmocka_unit_test(test_answer_ipv6_local),
        cmocka_unit_test(test_version_changes_only_with_the_session),
        cmocka_unit_test(test_version_large),
        cmocka_unit_test(test_offer),
        cmocka_unit_test(test_check_answer),
        cmocka_unit_test(test_check_answer_text_errors),
        cmocka_unit_test(test_caps_parse),
    };
    return cmocka_run_group_tests(tests, setup_caps, free_copies);
}
