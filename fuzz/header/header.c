/*
 * Fuzz target: the optional header helpers (prack/header.h).
 *
 * Each parser is run on the fuzzer's text and compared with a small reference
 * parser written here from the grammar in the header's documentation (RFC 3262
 * section 10, RFC 3261 section 25): same verdict, same values. What parses is
 * formatted back and must parse again to the same value, in canonical form. The
 * formatters are run with every small capacity against guard bytes: they must
 * never write past it, always terminate, and write "" on error.
 *
 * Input: one mode byte, two argument bytes, then the text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prack/header.h"

#include "../common/fuzz_input.h"

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "INVARIANT BROKEN: %s [%s] at %s:%d\n", (what), #cond, __FILE__,       \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- reference grammar ---- */

static bool ref_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool ref_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

/* SP, HTAB and CRLF followed by SP or HTAB, any number of them. */
static size_t ref_ws(const uint8_t *s, size_t n, size_t i)
{
    for (;;) {
        if (i < n && ref_wsp(s[i]))
            i++;
        else if (i + 2 < n && s[i] == '\r' && s[i + 1] == '\n' && ref_wsp(s[i + 2]))
            i += 3;
        else
            return i;
    }
}

/* 1*DIGIT; *big is set when the value exceeds limit. */
static size_t ref_num(const uint8_t *s, size_t n, size_t i, uint64_t limit, uint64_t *v, bool *big)
{
    *v = 0;
    *big = false;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (!*big) {
            *v = *v * 10u + (uint64_t)(s[i] - '0');
            if (*v > limit)
                *big = true;
        }
        i++;
    }
    return i;
}

static int ref_rseq(const uint8_t *s, size_t n, uint32_t *out)
{
    uint64_t v;
    bool big;
    size_t i = ref_ws(s, n, 0);
    size_t j = ref_num(s, n, i, PRACK_RSEQ_MAX, &v, &big);
    if (j == i || ref_ws(s, n, j) != n)
        return PRACK_ERR_PARSE;
    if (big || v == 0)
        return PRACK_ERR_RANGE;
    *out = (uint32_t)v;
    return PRACK_OK;
}

static int ref_rack(const uint8_t *s, size_t n, prack_rack_t *out)
{
    uint64_t r, c;
    bool rbig, cbig;
    size_t i = ref_ws(s, n, 0);
    size_t j = ref_num(s, n, i, PRACK_RSEQ_MAX, &r, &rbig);
    if (j == i)
        return PRACK_ERR_PARSE;
    i = ref_ws(s, n, j);
    if (i == j)
        return PRACK_ERR_PARSE; /* LWS is not optional */
    j = ref_num(s, n, i, PRACK_CSEQ_MAX, &c, &cbig);
    if (j == i)
        return PRACK_ERR_PARSE;
    i = ref_ws(s, n, j);
    if (i == j)
        return PRACK_ERR_PARSE;
    j = i;
    while (j < n && ref_token_char(s[j]))
        j++;
    if (j == i || ref_ws(s, n, j) != n)
        return PRACK_ERR_PARSE;
    if (rbig || r == 0 || cbig || (uint64_t)(j - i) > UINT32_MAX)
        return PRACK_ERR_RANGE;
    out->rseq = (uint32_t)r;
    out->cseq = (uint32_t)c;
    out->method = (const char *)s + i;
    out->method_len = (uint32_t)(j - i);
    return PRACK_OK;
}

static bool ref_same_tag(const uint8_t *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        unsigned char x = a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static int ref_tags(const uint8_t *s, size_t n, const char *tag, size_t tn)
{
    if (!tag || tn == 0)
        return PRACK_ERR_INVAL;
    for (size_t k = 0; k < tn; k++)
        if (!ref_token_char((unsigned char)tag[k]))
            return PRACK_ERR_INVAL;
    int found = 0;
    size_t i = ref_ws(s, n, 0);
    if (i == n)
        return 0; /* an empty list */
    for (;;) {
        size_t j = i;
        while (j < n && ref_token_char(s[j]))
            j++;
        if (j == i)
            return PRACK_ERR_PARSE;
        if (ref_same_tag(s + i, j - i, tag, tn))
            found = 1;
        i = ref_ws(s, n, j);
        if (i == n)
            return found;
        if (s[i] != ',')
            return PRACK_ERR_PARSE;
        i = ref_ws(s, n, i + 1);
    }
}

/* ---- checks ---- */

#define GUARD 16

static void check_format_rseq(uint32_t v)
{
    char buf[PRACK_RSEQ_STRLEN + GUARD];
    char want[16];
    int wlen = snprintf(want, sizeof(want), "%lu", (unsigned long)v);
    for (size_t cap = 0; cap <= PRACK_RSEQ_STRLEN + 1u; cap++) {
        memset(buf, 0x7E, sizeof(buf));
        int rc = prack_format_rseq(buf, cap, v);
        for (size_t i = cap; i < sizeof(buf); i++)
            CHECK(buf[i] == 0x7E, "format_rseq writes only inside cap");
        if (v == 0) {
            CHECK(rc == PRACK_ERR_RANGE || (cap == 0 && rc == PRACK_ERR_NOSPACE),
                  "RSeq 0 is out of range");
        } else if ((size_t)wlen + 1u > cap) {
            CHECK(rc == PRACK_ERR_NOSPACE, "format_rseq reports a short buffer");
        } else {
            CHECK(rc == wlen && strcmp(buf, want) == 0, "format_rseq writes plain decimal");
            continue;
        }
        if (cap)
            CHECK(buf[0] == '\0', "a failing formatter writes an empty string");
    }
    CHECK(prack_format_rseq(NULL, 16, v) == PRACK_ERR_INVAL, "NULL buffer");
}

static void check_format_rack(uint32_t r, uint32_t c, const char *m, size_t mn, bool token)
{
    char buf[64 + GUARD];
    char want[160];
    int wlen = -1;
    if (mn <= 120)
        wlen = snprintf(want, sizeof(want), "%lu %lu %.*s", (unsigned long)r, (unsigned long)c,
                        (int)mn, m ? m : "");
    for (size_t cap = 0; cap <= 64; cap++) {
        memset(buf, 0x7E, sizeof(buf));
        int rc = prack_format_rack(buf, cap, r, c, m, mn);
        for (size_t i = cap; i < sizeof(buf); i++)
            CHECK(buf[i] == 0x7E, "format_rack writes only inside cap");
        bool bad_method = !m || mn == 0 || !token, bad_num = r == 0; /* any CSeq-num is valid */
        if (bad_method || bad_num) {
            /* when both apply the header does not say which wins; a zero cap may win too */
            CHECK((bad_method && rc == PRACK_ERR_INVAL) || (bad_num && rc == PRACK_ERR_RANGE) ||
                      (cap == 0 && rc == PRACK_ERR_NOSPACE),
                  "the method must be a token, the numbers in range");
        } else if (wlen < 0 || (size_t)wlen + 1u > cap) {
            CHECK(rc == PRACK_ERR_NOSPACE, "format_rack reports a short buffer");
        } else {
            CHECK(rc == wlen && strcmp(buf, want) == 0,
                  "format_rack writes <rseq> <cseq> <method>");
            continue;
        }
        if (cap)
            CHECK(buf[0] == '\0', "a failing formatter writes an empty string");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const tags[] = {"100rel", "100REL", "timer", "precondition", "x", "a b", ""};
    fz_t f = {data, size};
    uint8_t mode = fz_u8(&f);
    uint8_t a1 = fz_u8(&f);
    uint8_t a2 = fz_u8(&f);
    size_t n;
    const uint8_t *p = fz_bytes(&f, SIZE_MAX, &n);
    /* an exact-size copy, so a read past the length is an ASan report */
    uint8_t *s = malloc(n ? n : 1u);
    if (!s)
        return 0;
    memcpy(s, p, n);
    const char *cs = n ? (const char *)s : NULL;

    switch (mode % 4u) {
    case 0: { /* RSeq */
        uint32_t got = 0xDEADBEEFu, want = 0xDEADBEEFu;
        int rc = prack_parse_rseq(cs, n, &got);
        int ref = ref_rseq(s, n, &want);
        CHECK(rc == ref, "parse_rseq agrees with the grammar");
        if (rc != PRACK_OK) {
            CHECK(got == 0xDEADBEEFu, "the output is unchanged on error");
            break;
        }
        CHECK(got == want && got != 0, "parse_rseq value");
        char buf[PRACK_RSEQ_STRLEN];
        int len = prack_format_rseq(buf, sizeof(buf), got);
        CHECK(len > 0 && (size_t)len < sizeof(buf), "any RSeq fits PRACK_RSEQ_STRLEN");
        uint32_t again = 0;
        CHECK(prack_parse_rseq(buf, (size_t)len, &again) == PRACK_OK && again == got,
              "format then parse gives the same RSeq");
        check_format_rseq(got);
        break;
    }
    case 1: { /* RAck */
        prack_rack_t got, want;
        memset(&got, 0x5A, sizeof(got));
        prack_rack_t untouched = got;
        int rc = prack_parse_rack(cs, n, &got);
        int ref = ref_rack(s, n, &want);
        CHECK(rc == ref, "parse_rack agrees with the grammar");
        if (rc != PRACK_OK) {
            CHECK(memcmp(&got, &untouched, sizeof(got)) == 0, "the output is unchanged on error");
            break;
        }
        CHECK(got.rseq == want.rseq && got.cseq == want.cseq && got.method == want.method &&
                  got.method_len == want.method_len,
              "parse_rack values, the method pointing into the input");
        /* the header promises 23 + method_len bytes are always enough */
        char *buf = malloc(23u + got.method_len);
        if (!buf)
            break;
        int len = prack_format_rack(buf, 23u + got.method_len, got.rseq, got.cseq, got.method,
                                    got.method_len);
        CHECK(len > 0, "what parses formats, in 23 + method_len bytes");
        prack_rack_t again;
        CHECK(prack_parse_rack(buf, (size_t)len, &again) == PRACK_OK && again.rseq == got.rseq &&
                  again.cseq == got.cseq && again.method_len == got.method_len &&
                  memcmp(again.method, got.method, got.method_len) == 0,
              "format then parse gives the same RAck, method case kept");
        free(buf);
        check_format_rack(got.rseq, got.cseq, got.method, got.method_len, true);
        break;
    }
    case 2: { /* option tags */
        const char *tag;
        size_t tn;
        if (a1 & 0x80u) { /* a tag taken from the text itself, maybe not a token */
            tn = n ? a2 % (n + 1u) : 0u;
            tag = tn ? (const char *)s : ((a1 & 1u) ? NULL : "");
        } else {
            tag = tags[a1 % 7u];
            tn = strlen(tag);
        }
        int rc = prack_option_tags_find(cs, n, tag, tn);
        int ref = ref_tags(s, n, tag, tn);
        CHECK(rc == ref, "option_tags_find agrees with the grammar");
        break;
    }
    default: { /* formatters with numbers and a method from the input */
        uint32_t r = 0, c = 0;
        for (size_t i = 0; i < 4 && i < n; i++)
            r = (r << 8) | s[i];
        for (size_t i = 4; i < 8 && i < n; i++)
            c = (c << 8) | s[i];
        if (a1 & 1u)
            c |= 0x80000000u; /* a CSeq-num of 2^31 and above is valid too */
        if (a1 & 2u)
            r = a2;
        const char *m = n > 8 ? (const char *)s + 8 : NULL;
        size_t mn = n > 8 ? n - 8u : 0u;
        if (a1 & 4u)
            mn = mn < a2 ? mn : a2;
        bool token = m && mn;
        for (size_t i = 0; token && i < mn; i++)
            token = ref_token_char((unsigned char)m[i]);
        check_format_rseq(r);
        check_format_rack(r, c, m, mn, token);
        break;
    }
    }
    free(s);
    return 0;
}
