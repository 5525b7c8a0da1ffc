/*
 * Self-test of the examples' support code: MD5 (RFC 1321 test suite),
 * HTTP digest (RFC 2617 section 3.5 example), digest round trips, the SIP
 * message reader on well-formed and broken input, and the facts taken from a
 * message for the engines, and the host layer's timer heap, hash table and
 * transaction keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "digest.h"
#include "host.h"
#include "sdp.h"
#include "sipmsg.h"

static int failures;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
            failures++;                                                                 \
        }                                                                               \
    } while (0)

static void test_md5(void)
{
    /* RFC 1321 appendix A.5 */
    static const struct {
        const char *in;
        const char *out;
    } v[] = {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
        { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
        { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
          "d174ab98d277d9f5a5611c2c9f419d9f" },
        { "1234567890123456789012345678901234567890123456789012345678901234567890123456789"
          "0",
          "57edf4a22be3c955ac49da2e2107b67a" },
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char hex[33];
        md5_hex(v[i].in, strlen(v[i].in), hex);
        CHECK(strcmp(hex, v[i].out) == 0);
    }
    /* the same input fed in uneven pieces */
    const char *s = v[6].in;
    md5_ctx_t c;
    uint8_t d[16];
    char hex[33];
    md5_init(&c);
    for (size_t off = 0, step = 1; off < strlen(s); off += step, step = step * 2 + 1)
        md5_update(&c, s + off, strlen(s) - off < step ? strlen(s) - off : step);
    md5_final(&c, d);
    for (unsigned i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    CHECK(strcmp(hex, v[6].out) == 0);
}

static void test_digest(void)
{
    /* RFC 2617 section 3.5 */
    char r[33];
    digest_compute(r, "", "Mufasa", "testrealm@host.com", "Circle Of Life",
                   "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", "GET",
                   "/dir/index.html");
    CHECK(strcmp(r, "6629fae49393a05397450978507c4ef1") == 0);

    /* a challenge answered, then checked as the server does */
    const char *hdr = "Digest realm=\"prack\", nonce=\"abc\\\"def\", algorithm=MD5, "
                      "qop=\"auth,auth-int\", opaque=\"xyz\"";
    digest_params_t ch, cr;
    CHECK(digest_parse(hdr, strlen(hdr), &ch) == 0);
    CHECK(strcmp(ch.realm, "prack") == 0);
    CHECK(strcmp(ch.nonce, "abc\"def") == 0);
    CHECK(strcmp(ch.opaque, "xyz") == 0);
    char auth[1024];
    int n = digest_authorization(auth, sizeof(auth), &ch, "alice", "secret", "PRACK",
                                 "sip:bob@example.com", 1, "0123abcd");
    CHECK(n > 0);
    CHECK(strstr(auth, "qop=auth, nc=00000001") != NULL);
    CHECK(digest_parse(auth, (size_t)n, &cr) == 0);
    CHECK(digest_verify(&cr, "prack", "alice", "secret", "PRACK"));
    CHECK(!digest_verify(&cr, "prack", "alice", "wrong", "PRACK"));
    CHECK(!digest_verify(&cr, "prack", "alice", "secret", "INVITE"));
    CHECK(!digest_verify(&cr, "other", "alice", "secret", "PRACK"));

    /* no qop: RFC 2069 form */
    const char *old = "Digest realm=\"r\", nonce=\"n\"";
    CHECK(digest_parse(old, strlen(old), &ch) == 0);
    n = digest_authorization(auth, sizeof(auth), &ch, "u", "p", "INVITE", "sip:x", 1, "c");
    CHECK(n > 0 && strstr(auth, "qop") == NULL);
    CHECK(digest_parse(auth, (size_t)n, &cr) == 0 && digest_verify(&cr, "r", "u", "p", "INVITE"));

    /* things a client cannot answer, and broken headers */
    const char *intonly = "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"";
    CHECK(digest_parse(intonly, strlen(intonly), &ch) == 0);
    CHECK(digest_authorization(auth, sizeof(auth), &ch, "u", "p", "INVITE", "sip:x", 1, "c") < 0);
    CHECK(digest_parse("Basic abc", 9, &ch) < 0);
    CHECK(digest_parse("Digest realm=\"open", 18, &ch) < 0);
    CHECK(digest_parse("Digest =x", 9, &ch) < 0);

    /* server nonces */
    uint8_t secret[16] = { 1, 2, 3 };
    char nonce[64];
    digest_nonce_make(nonce, secret, 1000);
    CHECK(digest_nonce_check(nonce, secret, 1000, 100));
    CHECK(digest_nonce_check(nonce, secret, 1100, 100));
    CHECK(!digest_nonce_check(nonce, secret, 1101, 100));
    nonce[20] = nonce[20] == 'a' ? 'b' : 'a';
    CHECK(!digest_nonce_check(nonce, secret, 1000, 100));
}

static sip_err_t parse(const char *text, sip_msg_t *m)
{
    static char buf[8192];
    size_t n = strlen(text);
    memcpy(buf, text, n);
    return sip_parse(buf, n, m);
}

static void test_sip_reader(void)
{
    static sip_msg_t m;
    const char *inv = "\r\n"
                      "INVITE sip:bob@example.com SIP/2.0\r\n"
                      "v: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776;rport\r\n"
                      "Via: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK000\r\n"
                      "f: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
                      "t: <sip:bob@example.com>\r\n"
                      "i: call-1@example.com\r\n"
                      "CSeq: 7\r\n INVITE\r\n"
                      "k: timer, 100rel\r\n"
                      "Require: 100rel\r\n"
                      "m: <sip:alice@192.0.2.1:5062;transport=udp>\r\n"
                      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
                      "Record-Route: <sip:p3.example.com;lr>\r\n"
                      "c: application/sdp\r\n"
                      "l: 4\r\n"
                      "\r\n"
                      "v=0\r\ntrailing";
    CHECK(parse(inv, &m) == SIP_OK);
    CHECK(m.request && sip_str_eq_exact(m.method, "INVITE"));
    CHECK(sip_str_eq_exact(m.uri, "sip:bob@example.com"));
    CHECK(sip_str_eq_exact(m.branch, "z9hG4bK776") && m.via_rport && m.via_port == 5062);
    CHECK(sip_str_eq_exact(m.via_host, "192.0.2.1"));
    CHECK(sip_str_eq_exact(m.from_tag, "a1") && m.to_tag.n == 0);
    CHECK(sip_str_eq_exact(m.call_id, "call-1@example.com"));
    CHECK(m.cseq == 7 && sip_str_eq_exact(m.cseq_method, "INVITE")); /* folded */
    CHECK(sip_has_option(&m, SIP_H_SUPPORTED, "100rel") == 1);
    CHECK(sip_has_option(&m, SIP_H_SUPPORTED, "timer") == 1);
    CHECK(sip_has_option(&m, SIP_H_REQUIRE, "100rel") == 1);
    CHECK(sip_has_option(&m, SIP_H_UNSUPPORTED, "100rel") == 0);
    CHECK(sip_str_eq_exact(sip_contact_uri(&m), "sip:alice@192.0.2.1:5062;transport=udp"));
    sip_str_t rr[SIP_MAX_ROUTES];
    CHECK(sip_routes(&m, SIP_H_RECORD_ROUTE, rr, SIP_MAX_ROUTES) == 3);
    CHECK(sip_str_eq_exact(rr[2], "<sip:p3.example.com;lr>"));
    CHECK(sip_has_sdp(&m) && m.body.n == 4); /* Content-Length wins over the datagram */

    sip_uri_t u;
    CHECK(sip_uri_parse(sip_contact_uri(&m), &u) && u.port == 5062 &&
          sip_str_eq_exact(u.host, "192.0.2.1") && sip_str_eq_exact(u.user, "alice"));
    CHECK(sip_uri_parse(sip_str_c("sip:[::1]:5070;lr"), &u) && u.ipv6 && u.port == 5070);
    CHECK(!sip_uri_parse(sip_str_c("tel:+123"), &u));
    CHECK(!sip_uri_parse(sip_str_c("sip:host:99999"), &u));

    const char *rsp = "SIP/2.0 183 Session Progress\r\n"
                      "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776\r\n"
                      "From: <sip:alice@example.com>;tag=a1\r\n"
                      "To: <sip:bob@example.com>;tag=b2\r\n"
                      "Call-ID: call-1@example.com\r\n"
                      "CSeq: 7 INVITE\r\n"
                      "Require: 100rel\r\n"
                      "RSeq: 8812\r\n"
                      "Content-Length: 0\r\n\r\n";
    CHECK(parse(rsp, &m) == SIP_OK);
    CHECK(!m.request && m.status == 183 && sip_str_eq_exact(m.to_tag, "b2"));
    CHECK(sip_find(&m, SIP_H_RSEQ, NULL) != NULL);

    /* broken messages */
    CHECK(parse("\r\n\r\n", &m) == SIP_E_EMPTY);
    CHECK(parse("hello\r\n\r\n", &m) == SIP_E_START_LINE);
    CHECK(parse("SIP/2.0 99 Odd\r\n\r\n", &m) == SIP_E_START_LINE);
    CHECK(parse("INVITE sip:b@h SIP/3.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
                &m) == SIP_E_VERSION);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n",
                &m) == SIP_E_CSEQ);
    /* RFC 3261 20.16: CSeq is a 32-bit unsigned number, 2**32 is too large */
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 4294967296 INVITE\r\n\r\n",
                &m) == SIP_E_CSEQ);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 2147483648 INVITE\r\n\r\n",
                &m) == SIP_OK);
    CHECK(m.cseq == 2147483648u);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
                &m) == SIP_E_FROM);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nTo: <sip:c@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
                &m) == SIP_E_TO);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 10\r\n\r\nshort",
                &m) == SIP_E_CONTENT_LENGTH);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: HTTP/1.1 h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
                &m) == SIP_E_VIA);
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bKq\r\nno colon here\r\n\r\n",
                &m) == SIP_E_HEADER);
    CHECK(m.via_port == 5060 && sip_str_eq_exact(m.branch, "z9hG4bKq")); /* still answerable */

    /* a malformed option-tag list is reported, not guessed */
    CHECK(parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nSupported: 100rel,,timer\r\n\r\n",
                &m) == SIP_OK);
    CHECK(sip_has_option(&m, SIP_H_SUPPORTED, "100rel") < 0);

    /* every prefix of a valid message is handled without reading past it */
    size_t len = strlen(inv);
    char *copy = malloc(len);
    if (copy) {
        for (size_t cut = 0; cut <= len; cut++) {
            memcpy(copy, inv, cut);
            (void)sip_parse(copy, cut, &m);
        }
        free(copy);
    }
}

/* The facts handed to the engines, with CSeq and RAck numbers up to 2**32 - 1. */
static void test_facts(void)
{
    static sip_msg_t m;
    char buf[512];
    const char *prack = "PRACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKp\r\n"
                        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\n"
                        "CSeq: 4294967295 PRACK\r\nRAck: 4294967295 4294967294 INVITE\r\n\r\n";
    snprintf(buf, sizeof(buf), "%s", prack);
    CHECK(sip_parse(buf, strlen(buf), &m) == SIP_OK);
    prack_prack_t pr;
    ex_prack_facts(&m, &pr);
    CHECK(pr.flags == PRACK_PR_RACK);
    CHECK(pr.cseq == 4294967295u); /* the PRACK's own CSeq, not the RAck's */
    CHECK(pr.rack_rseq == 4294967295u && pr.rack_cseq == 4294967294u);
    CHECK(pr.method_len == 6 && memcmp(pr.method, "INVITE", 6) == 0);

    /* a RAck given twice counts as none: the engine answers 400 */
    const char *twice = "PRACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n"
                        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\n"
                        "CSeq: 3 PRACK\r\nRAck: 1 1 INVITE\r\nRAck: 1 1 INVITE\r\n\r\n";
    snprintf(buf, sizeof(buf), "%s", twice);
    CHECK(sip_parse(buf, strlen(buf), &m) == SIP_OK);
    ex_prack_facts(&m, &pr);
    CHECK(pr.flags == 0 && pr.cseq == 3);

    const char *rel = "SIP/2.0 183 Session Progress\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKi\r\n"
                      "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\n"
                      "CSeq: 4294967295 INVITE\r\nRequire: 100rel\r\nRSeq: 4294967295\r\n\r\n";
    snprintf(buf, sizeof(buf), "%s", rel);
    CHECK(sip_parse(buf, strlen(buf), &m) == SIP_OK);
    prack_response_t r;
    ex_response_facts(&m, &r);
    CHECK(r.status == 183 && r.method == PRACK_METHOD_INVITE && r.cseq == 4294967295u);
    CHECK(r.flags == (PRACK_RSP_REQUIRE_100REL | PRACK_RSP_RSEQ) && r.rseq == 4294967295u);
}

static void test_writer(void)
{
    char small[16];
    sip_buf_t b;
    sb_init(&b, small, sizeof(small));
    sb_printf(&b, "%s", "0123456789");
    CHECK(!b.overflow && b.len == 10);
    sb_printf(&b, "%s", "0123456789");
    CHECK(b.overflow);
    sb_printf(&b, "x");
    CHECK(b.overflow && strcmp(small, "0123456789") == 0);
}

/* The programs' SDP session from their local address (tests/test_sdp.c tests the rest). */
static void test_sdp(void)
{
    ex_addr_t a;
    char host[64], sdp[SDP_BODY_MAX];
    sdp_caps_t caps;
    sdp_local_t l;
    CHECK(sdp_caps_parse(&caps, SDP_CODECS_DEFAULT) == 0);
    CHECK(ex_addr_parse("127.0.0.1:5060", 0, &a) == 0);
    ex_addr_host(&a, host, sizeof(host), false);
    sdp_local_init(&l, "t", 1, host, ex_addr_is_v6(&a), EX_RTP_PORT);
    CHECK(sdp_make_offer(&l, &caps) == SDP_OK && sdp_local_write(&l, sdp, sizeof(sdp)) > 0);
    CHECK(strstr(sdp, "m=audio 49170 RTP/AVP 0 8 101\r\n") && strstr(sdp, "c=IN IP4 127.0.0.1"));
    CHECK(ex_addr_parse("[::1]:5070", 0, &a) == 0 && ex_addr_is_v6(&a) && ex_addr_port(&a) == 5070);
    ex_addr_host(&a, host, sizeof(host), false);
    sdp_local_init(&l, "t", 1, host, ex_addr_is_v6(&a), EX_RTP_PORT);
    CHECK(sdp_make_offer(&l, &caps) == SDP_OK && sdp_local_write(&l, sdp, sizeof(sdp)) > 0);
    CHECK(strstr(sdp, "o=t 1 1 IN IP6 ::1\r\n") && strstr(sdp, "c=IN IP6 ::1\r\n"));
}


/* The host layer: the heap runs timers in deadline order whatever was
 * re-armed or stopped; the table finds every node of a key; server
 * transaction keys follow RFC 3261 17.2.3. */
enum { HEAP_N = 2000 };
static ex_timer_t tm[HEAP_N];
static prack_time_t want[HEAP_N]; /* what each timer was last armed for */
static prack_time_t last_run;
static unsigned runs;
static bool order_ok = true;

static void on_test_timer(ex_timer_t *t, prack_time_t now)
{
    prack_time_t at = want[t - tm];
    if (t->at != PRACK_TIME_NONE || t->slot != 0 || at > now || at < last_run)
        order_ok = false;
    last_run = at;
    runs++;
}

static void arm(ex_heap_t *h, size_t i, prack_time_t at)
{
    want[i] = at;
    ex_timer_set(h, &tm[i], at);
}

static void test_host(void)
{
    enum { N = HEAP_N };
    ex_heap_t h;
    ex_heap_init(&h, 4); /* grows */
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        tm[i].fn = on_test_timer;
        arm(&h, i, 1000u + (x >> 16) % 5000u);
    }
    CHECK(h.n == N);
    for (size_t i = 0; i < N; i += 3) /* earlier and later */
        arm(&h, i, (i % 2) ? 500u + i : 9000u + i);
    for (size_t i = 1; i < N; i += 7)
        ex_timer_stop(&h, &tm[i]);
    size_t stopped = (N - 1 + 6) / 7;
    CHECK(h.n == N - stopped);
    CHECK(ex_heap_run(&h, 3000) > 0); /* those due by 3000, in order */
    CHECK(ex_heap_next(&h) > 3000);
    ex_heap_run(&h, PRACK_TIME_NONE - 1u);
    CHECK(order_ok);
    CHECK(runs == N - stopped);
    CHECK(h.n == 0 && ex_heap_next(&h) == PRACK_TIME_NONE);
    ex_heap_free(&h);

    ex_htab_t t;
    ex_htab_init(&t, 4);
    ex_hnode_t n[4];
    memset(n, 0, sizeof(n));
    ex_key_t a, b;
    CHECK(ex_dialog_key(&a, sip_str_c("cid"), sip_str_c("l"), sip_str_c("r")));
    CHECK(ex_dialog_key(&b, sip_str_c("cid"), sip_str_c("lr"), sip_str_c(""))); /* not "cid" "l" "r" */
    CHECK(ex_htab_add(&t, &n[0], &a) && ex_htab_add(&t, &n[1], &a) && ex_htab_add(&t, &n[2], &a));
    CHECK(ex_htab_add(&t, &n[3], &b));
    unsigned found = 0;
    for (ex_hnode_t *p = ex_htab_find(&t, &a, NULL); p; p = ex_htab_find(&t, &a, p))
        found++;
    CHECK(found == 3);
    ex_htab_del(&t, &n[1]);
    CHECK(!ex_htab_linked(&n[1]) && t.count == 3);
    found = 0;
    for (ex_hnode_t *p = ex_htab_find(&t, &a, NULL); p; p = ex_htab_find(&t, &a, p))
        found += p != &n[1];
    CHECK(found == 2);
    CHECK(ex_htab_find(&t, &b, NULL) == &n[3]);
    for (size_t i = 0; i < 4; i++)
        ex_htab_del(&t, &n[i]);
    CHECK(t.count == 0);
    ex_htab_free(&t);

    /* the list keeps insertion order through unlinks at the head, middle and tail */
    ex_list_t l = { NULL, NULL };
    ex_link_t k[4];
    for (size_t i = 0; i < 4; i++)
        ex_list_append(&l, &k[i]);
    ex_list_unlink(&l, &k[1]); /* middle */
    CHECK(l.head == &k[0] && k[0].next == &k[2] && k[2].prev == &k[0] && l.tail == &k[3]);
    ex_list_unlink(&l, &k[0]); /* head */
    ex_list_unlink(&l, &k[3]); /* tail */
    CHECK(l.head == &k[2] && l.tail == &k[2] && !k[2].prev && !k[2].next);
    ex_list_unlink(&l, &k[2]);
    CHECK(!l.head && !l.tail);

    /* the ACK of a non-2xx final: the INVITE's branch and sent-by, another From tag */
    char inv[] = "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKabc\r\n"
                 "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
                 "Content-Length: 0\r\n\r\n";
    char ack[] = "ACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKabc\r\n"
                 "From: <sip:a@h>;tag=other\r\nTo: <sip:b@h>;tag=9\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n"
                 "Content-Length: 0\r\n\r\n";
    char moved[] = "ACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKabc\r\n"
                   "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=9\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n"
                   "Content-Length: 0\r\n\r\n";
    char old[] = "ACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=1234\r\n"
                 "From: <sip:a@h>;tag=other\r\nTo: <sip:b@h>;tag=9\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n"
                 "Content-Length: 0\r\n\r\n";
    static sip_msg_t mi, ma, mm, mo;
    CHECK(sip_parse(inv, strlen(inv), &mi) == SIP_OK);
    CHECK(sip_parse(ack, strlen(ack), &ma) == SIP_OK);
    CHECK(sip_parse(moved, strlen(moved), &mm) == SIP_OK);
    CHECK(sip_parse(old, strlen(old), &mo) == SIP_OK);
    ex_key_t ki, ka;
    CHECK(ex_stx_key(&ki, &mi, "INVITE") && ex_stx_key(&ka, &ma, "INVITE"));
    CHECK(ki.n == ka.n && memcmp(ki.b, ka.b, ki.n) == 0);
    CHECK(ex_stx_key(&ka, &ma, "PRACK") && !(ki.n == ka.n && memcmp(ki.b, ka.b, ki.n) == 0));
    CHECK(ex_stx_key(&ka, &mm, "INVITE") && !(ki.n == ka.n && memcmp(ki.b, ka.b, ki.n) == 0));
    /* without the cookie the From tag and the rest count too (RFC 2543) */
    CHECK(ex_stx_key(&ka, &mo, "INVITE") && ka.n > ki.n);
}

int main(void)
{
    test_md5();
    test_digest();
    test_sip_reader();
    test_facts();
    test_writer();
    test_sdp();
    test_host();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("examples self-test: all checks passed\n");
    return 0;
}
