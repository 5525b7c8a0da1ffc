/*
 * Tests for prack/header.h: RSeq/RAck parsers and formatters and option-tag
 * lists.
 *
 * RFC 3262 rows proven here (see requirements.md):
 *   N8  - RSeq is 1 to 2**32-1 (section 7.1).
 *   N9  - the RAck method is case-sensitive (section 7.2): its case is kept.
 *   N12 - RAck = response-num LWS CSeq-num LWS Method, RSeq = response-num,
 *         response-num = 1*DIGIT (section 10).
 *
 * Every table input is copied into a heap block of exactly its length before
 * it is parsed, so a read at or past the length is caught by AddressSanitizer
 * or valgrind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "prack/header.h"

/* A byte string with an explicit length (may contain NUL bytes). */
typedef struct bytes {
    const char *p;
    size_t n;
} bytes_t;

#define B(lit) { (lit), sizeof(lit) - 1u }
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Heap copy of exactly n bytes (n > 0), or NULL for n == 0. */
static char *dup_exact(bytes_t b)
{
    char *p;

    if (b.n == 0) {
        return NULL;
    }
    p = malloc(b.n);
    assert_non_null(p);
    memcpy(p, b.p, b.n);
    return p;
}

/* ======================================================================== */
/* RSeq parsing                                                             */
/* ======================================================================== */

typedef struct rseq_case {
    bytes_t in;
    int ret;
    uint32_t value; /* meaningful when ret == PRACK_OK */
} rseq_case_t;

static const rseq_case_t rseq_cases[] = {
    /* N8 / N12: valid values, including both ends of 1..2**32-1 */
    { B("1"), PRACK_OK, 1u },
    { B("4711"), PRACK_OK, 4711u },
    { B("988789"), PRACK_OK, 988789u },
    { B("2147483647"), PRACK_OK, 2147483647u },
    { B("2147483648"), PRACK_OK, 2147483648u },
    { B("4294967295"), PRACK_OK, 4294967295u },
    { B("4294967294"), PRACK_OK, 4294967294u },
    { B("429496729"), PRACK_OK, 429496729u },
    /* leading zeros */
    { B("007"), PRACK_OK, 7u },
    { B("01"), PRACK_OK, 1u },
    { B("0000000000000000000004294967295"), PRACK_OK, 4294967295u },
    /* whitespace and folding around the value */
    { B(" 4711 "), PRACK_OK, 4711u },
    { B("\t42\t"), PRACK_OK, 42u },
    { B("  \t 42 \t  "), PRACK_OK, 42u },
    { B("\r\n 42"), PRACK_OK, 42u },
    { B("\r\n\t42"), PRACK_OK, 42u },
    { B("42\r\n "), PRACK_OK, 42u },
    { B(" 42 \r\n\t \r\n "), PRACK_OK, 42u },
    /* N12: malformed */
    { B(""), PRACK_ERR_PARSE, 0u },
    { B(" "), PRACK_ERR_PARSE, 0u },
    { B(" \t "), PRACK_ERR_PARSE, 0u },
    { B("\r\n "), PRACK_ERR_PARSE, 0u },
    { B("+1"), PRACK_ERR_PARSE, 0u },
    { B("-1"), PRACK_ERR_PARSE, 0u },
    { B("-0"), PRACK_ERR_PARSE, 0u },
    { B("1 2"), PRACK_ERR_PARSE, 0u },
    { B("1\t2"), PRACK_ERR_PARSE, 0u },
    { B("12a"), PRACK_ERR_PARSE, 0u },
    { B("a12"), PRACK_ERR_PARSE, 0u },
    { B("12;x"), PRACK_ERR_PARSE, 0u },
    { B("12,13"), PRACK_ERR_PARSE, 0u },
    { B("0x10"), PRACK_ERR_PARSE, 0u },
    { B("1.0"), PRACK_ERR_PARSE, 0u },
    { B("1e3"), PRACK_ERR_PARSE, 0u },
    { B("RSeq: 1"), PRACK_ERR_PARSE, 0u },
    { B("\r\n"), PRACK_ERR_PARSE, 0u },
    { B("42\r\n"), PRACK_ERR_PARSE, 0u },
    { B("\r\n42"), PRACK_ERR_PARSE, 0u },
    { B("42\r"), PRACK_ERR_PARSE, 0u },
    { B("42\n"), PRACK_ERR_PARSE, 0u },
    { B("42\n "), PRACK_ERR_PARSE, 0u },
    { B("42\r "), PRACK_ERR_PARSE, 0u },
    { B("42\r  "), PRACK_ERR_PARSE, 0u },
    { B("42\r\r "), PRACK_ERR_PARSE, 0u },
    { B("\r  42"), PRACK_ERR_PARSE, 0u },
    { B("42\n\r\n "), PRACK_ERR_PARSE, 0u },
    { B("4\r\n 2"), PRACK_ERR_PARSE, 0u },
    { B("42\r\n\r\n "), PRACK_ERR_PARSE, 0u },
    { B("4\0002"), PRACK_ERR_PARSE, 0u },
    { B("42\0"), PRACK_ERR_PARSE, 0u },
    { B("\00042"), PRACK_ERR_PARSE, 0u },
    { B("\xd9\xa1"), PRACK_ERR_PARSE, 0u },  /* ARABIC-INDIC DIGIT ONE */
    { B("\xef\xbc\x91"), PRACK_ERR_PARSE, 0u }, /* FULLWIDTH DIGIT ONE */
    { B("\v42"), PRACK_ERR_PARSE, 0u },
    { B("42\f"), PRACK_ERR_PARSE, 0u },
    /* syntax errors win over overflow */
    { B("99999999999999999999x"), PRACK_ERR_PARSE, 0u },
    { B("-4294967296"), PRACK_ERR_PARSE, 0u },
    /* N8: out of range */
    { B("0"), PRACK_ERR_RANGE, 0u },
    { B("000"), PRACK_ERR_RANGE, 0u },
    { B(" 0 "), PRACK_ERR_RANGE, 0u },
    { B("4294967296"), PRACK_ERR_RANGE, 0u },
    { B("4294967300"), PRACK_ERR_RANGE, 0u },
    { B("4294967305"), PRACK_ERR_RANGE, 0u },
    { B("5000000000"), PRACK_ERR_RANGE, 0u },
    { B("42949672950"), PRACK_ERR_RANGE, 0u },
    { B("99999999999999999999999999"), PRACK_ERR_RANGE, 0u },
    { B("18446744073709551616"), PRACK_ERR_RANGE, 0u },   /* 2**64 */
    { B("18446744078004518913"), PRACK_ERR_RANGE, 0u },   /* wraps to 1 mod 2**32 */
    { B("000000000000000000004294967296"), PRACK_ERR_RANGE, 0u },
    { B("999999999999999999999999999999"), PRACK_ERR_RANGE, 0u },
};

static void test_n8_n12_rseq_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rseq_cases); i++) {
        const rseq_case_t *c = &rseq_cases[i];
        char *in = dup_exact(c->in);
        uint32_t out = 0xA5A5A5A5u;
        int rc = prack_parse_rseq(in, c->in.n, &out);

        if (rc != c->ret) {
            print_error("rseq case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        if (c->ret == PRACK_OK) {
            assert_int_equal(out, c->value);
        } else {
            assert_int_equal(out, 0xA5A5A5A5u); /* unchanged on error */
        }
        free(in);
    }
}

static void test_rseq_invalid_arguments(void **state)
{
    uint32_t out = 99u;

    (void)state;
    assert_int_equal(prack_parse_rseq("1", 1, NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_parse_rseq(NULL, 1, &out), PRACK_ERR_INVAL);
    assert_int_equal(out, 99u);
    /* NULL with len 0 is an empty value: a syntax error, not a misuse */
    assert_int_equal(prack_parse_rseq(NULL, 0, &out), PRACK_ERR_PARSE);
    assert_int_equal(out, 99u);
}

typedef struct bound_case {
    const char *buf; /* longer than len: the bytes after len must not matter */
    size_t len;
    int ret;
    uint32_t value;
} bound_case_t;

static const bound_case_t rseq_bound_cases[] = {
    { "123", 2, PRACK_OK, 12u },
    { "10", 1, PRACK_OK, 1u },
    { "42949672950", 10, PRACK_OK, 4294967295u },
    { "42949672960", 9, PRACK_OK, 429496729u }, /* would be RANGE if read */
    { "0001", 3, PRACK_ERR_RANGE, 0u },         /* would be 1 if read */
    { "1x", 1, PRACK_OK, 1u },                  /* would be PARSE if read */
    { "1 2", 1, PRACK_OK, 1u },
    { " 7 8", 2, PRACK_OK, 7u },
    { "7\r\n ", 3, PRACK_ERR_PARSE, 0u }, /* the fold's SP lies past len */
    { "7\r\n ", 4, PRACK_OK, 7u },
    { "7\r\n", 2, PRACK_ERR_PARSE, 0u },  /* the LF lies past len */
    { "5", 0, PRACK_ERR_PARSE, 0u },
};

static void test_n12_rseq_length_bound(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rseq_bound_cases); i++) {
        const bound_case_t *c = &rseq_bound_cases[i];
        uint32_t out = 0xA5A5A5A5u;
        int rc = prack_parse_rseq(c->buf, c->len, &out);

        if (rc != c->ret) {
            print_error("rseq bound case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        if (c->ret == PRACK_OK) {
            assert_int_equal(out, c->value);
        }
    }
}

/* ======================================================================== */
/* RAck parsing                                                             */
/* ======================================================================== */

typedef struct rack_case {
    bytes_t in;
    int ret;
    uint32_t rseq;
    uint32_t cseq;
    const char *method; /* expected method bytes (NUL-terminated literal) */
} rack_case_t;

static const rack_case_t rack_cases[] = {
    /* N12: valid */
    { B("1 1 INVITE"), PRACK_OK, 1u, 1u, "INVITE" },
    { B("776656 1 INVITE"), PRACK_OK, 776656u, 1u, "INVITE" },
    { B("1\t1\tINVITE"), PRACK_OK, 1u, 1u, "INVITE" },
    { B("1 \t 1 \t INVITE"), PRACK_OK, 1u, 1u, "INVITE" },
    { B("  1 1 INVITE  "), PRACK_OK, 1u, 1u, "INVITE" },
    { B("\t1 1 INVITE\t"), PRACK_OK, 1u, 1u, "INVITE" },
    { B("4294967295 2147483647 INVITE"), PRACK_OK, 4294967295u, 2147483647u, "INVITE" },
    { B("1 0 INVITE"), PRACK_OK, 1u, 0u, "INVITE" },
    /* CSeq-num: a 32-bit number (RFC 3261 20.16), PRACK_CSEQ_MAX = 2**32 - 1 */
    { B("1 2147483648 INVITE"), PRACK_OK, 1u, 2147483648u, "INVITE" },
    { B("1 4294967294 INVITE"), PRACK_OK, 1u, 4294967294u, "INVITE" },
    { B("1 4294967295 INVITE"), PRACK_OK, 1u, 4294967295u, "INVITE" },
    { B("4294967295 4294967295 INVITE"), PRACK_OK, 4294967295u, 4294967295u, "INVITE" },
    { B("1 0004294967295 INVITE"), PRACK_OK, 1u, 4294967295u, "INVITE" },
    { B("0001 0002 INVITE"), PRACK_OK, 1u, 2u, "INVITE" },
    { B("00000000000004294967295 00000000002147483647 INVITE"), PRACK_OK, 4294967295u, 2147483647u,
      "INVITE" },
    { B("5 17 UPDATE"), PRACK_OK, 5u, 17u, "UPDATE" },
    { B("5 17 X-Foo.bar!%*_+`'~9"), PRACK_OK, 5u, 17u, "X-Foo.bar!%*_+`'~9" },
    { B("5 17 A"), PRACK_OK, 5u, 17u, "A" },
    /* folded line breaks count as LWS */
    { B("1\r\n 1\r\n\tINVITE"), PRACK_OK, 1u, 1u, "INVITE" },
    { B("1 \r\n 1 \r\n INVITE \r\n "), PRACK_OK, 1u, 1u, "INVITE" },
    { B("\r\n 1 1 INVITE"), PRACK_OK, 1u, 1u, "INVITE" },
    /* N9: method case preserved, not normalised */
    { B("1 1 invite"), PRACK_OK, 1u, 1u, "invite" },
    { B("1 1 InViTe"), PRACK_OK, 1u, 1u, "InViTe" },
    /* N12: malformed */
    { B(""), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("   "), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 "), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 "), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("INVITE 1 1"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 2 INVITE x"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 2 3 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INV@ITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE;x=1"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE,"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 \"INVITE\""), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INV\xc3\x89TE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INV\0ITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE\0"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("+1 1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("-1 1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 +1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 -1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1a 1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1a INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1,1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1,INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1\n1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1\r1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1\r\n1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1\r  1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1\n\t INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE\r\n"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE\n"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 \r\nINVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("RAck: 1 1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 1 INVITE 1 1 INVITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    /* syntax errors win over out-of-range numbers */
    { B("0 1 INV@ITE"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("99999999999999999999 1"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("1 2147483648 INVITE x"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    { B("4294967296 2147483648"), PRACK_ERR_PARSE, 0u, 0u, NULL },
    /* N8 / N12: syntax fine, numbers out of range */
    { B("0 1 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("000 0 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("4294967296 1 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("99999999999999999999999999 1 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("1 4294967296 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("1 4294967300 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("1 8589934591 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL }, /* 2**33 - 1 */
    { B("1 18446744073709551616 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL }, /* 2**64 */
    { B("1 99999999999999999999999999 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
    { B("0 2147483648 INVITE"), PRACK_ERR_RANGE, 0u, 0u, NULL },
};

static void test_n9_n12_rack_table(void **state)
{
    static const prack_rack_t sentinel = { 0xA5A5A5A5u, 0x5A5A5A5Au, "sentinel", 8u };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rack_cases); i++) {
        const rack_case_t *c = &rack_cases[i];
        char *in = dup_exact(c->in);
        prack_rack_t out;
        int rc;

        /* memcpy, not assignment: the padding after method_len must match too */
        memcpy(&out, &sentinel, sizeof out);
        rc = prack_parse_rack(in, c->in.n, &out);

        if (rc != c->ret) {
            print_error("rack case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        if (c->ret == PRACK_OK) {
            size_t mlen = strlen(c->method);

            assert_int_equal(out.rseq, c->rseq);
            assert_int_equal(out.cseq, c->cseq);
            assert_int_equal(out.method_len, mlen);
            assert_memory_equal(out.method, c->method, mlen);
            /* the method points into the caller's input */
            assert_true(out.method >= in && out.method + out.method_len <= in + c->in.n);
        } else {
            assert_memory_equal(&out, &sentinel, sizeof out); /* unchanged on error */
        }
        free(in);
    }
}

/* RFC 3261 20.16: a CSeq number is 32 bits, so the RAck CSeq-num runs up to
 * PRACK_CSEQ_MAX = 2**32 - 1; one more is out of range and leaves the output
 * alone. The formatter takes the whole range. */
static void test_n12_rack_cseq_up_to_2_32_minus_1(void **state)
{
    static const char max[] = "1 4294967295 INVITE";
    static const char over[] = "1 4294967296 INVITE";
    prack_rack_t r;
    prack_rack_t before;
    char buf[64];

    (void)state;
    assert_int_equal(PRACK_CSEQ_MAX, 4294967295u);
    assert_int_equal(prack_parse_rack(max, sizeof max - 1u, &r), PRACK_OK);
    assert_int_equal(r.rseq, 1u);
    assert_int_equal(r.cseq, 4294967295u);
    memset(&r, 0x5A, sizeof r);
    memcpy(&before, &r, sizeof before); /* padding included */
    assert_int_equal(prack_parse_rack(over, sizeof over - 1u, &r), PRACK_ERR_RANGE);
    assert_memory_equal(&r, &before, sizeof r);
    assert_int_equal(prack_format_rack(buf, sizeof buf, 1u, PRACK_CSEQ_MAX, "INVITE", 6), 19);
    assert_string_equal(buf, max);
    assert_int_equal(
        prack_format_rack(buf, sizeof buf, PRACK_RSEQ_MAX, PRACK_CSEQ_MAX, "INVITE", 6), 28);
    assert_string_equal(buf, "4294967295 4294967295 INVITE");
}

static void test_n9_rack_method_case_sensitive(void **state)
{
    static const char upper[] = "7 3 INVITE";
    static const char lower[] = "7 3 invite";
    prack_rack_t a;
    prack_rack_t b;

    (void)state;
    assert_int_equal(prack_parse_rack(upper, sizeof upper - 1u, &a), PRACK_OK);
    assert_int_equal(prack_parse_rack(lower, sizeof lower - 1u, &b), PRACK_OK);
    assert_int_equal(a.method_len, b.method_len);
    /* same letters, different case: the parser must not fold case */
    assert_memory_not_equal(a.method, b.method, a.method_len);
    assert_memory_equal(a.method, "INVITE", 6);
    assert_memory_equal(b.method, "invite", 6);
    assert_ptr_equal(a.method, upper + 4);
    assert_ptr_equal(b.method, lower + 4);
}

static void test_rack_invalid_arguments(void **state)
{
    prack_rack_t out = { 9u, 9u, NULL, 0u };

    (void)state;
    assert_int_equal(prack_parse_rack("1 1 INVITE", 10, NULL), PRACK_ERR_INVAL);
    assert_int_equal(prack_parse_rack(NULL, 10, &out), PRACK_ERR_INVAL);
    assert_int_equal(prack_parse_rack(NULL, 0, &out), PRACK_ERR_PARSE);
    assert_int_equal(out.rseq, 9u);
    assert_int_equal(out.cseq, 9u);
    assert_null(out.method);
}

typedef struct rack_bound_case {
    const char *buf;
    size_t len;
    int ret;
    uint32_t rseq;
    uint32_t cseq;
    const char *method;
} rack_bound_case_t;

static const rack_bound_case_t rack_bound_cases[] = {
    { "1 1 INVITEX", 10, PRACK_OK, 1u, 1u, "INVITE" },
    { "1 1 INVITE@", 10, PRACK_OK, 1u, 1u, "INVITE" },
    { "1 1 INVITE x", 10, PRACK_OK, 1u, 1u, "INVITE" },
    { "1 1 I", 4, PRACK_ERR_PARSE, 0u, 0u, NULL },
    { "1 2147483647 A", 13, PRACK_ERR_PARSE, 0u, 0u, NULL },
    { "1 1 A\r\n ", 7, PRACK_ERR_PARSE, 0u, 0u, NULL },
    { "1 1 A\r\n ", 8, PRACK_OK, 1u, 1u, "A" },
};

static void test_n12_rack_length_bound(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rack_bound_cases); i++) {
        const rack_bound_case_t *c = &rack_bound_cases[i];
        prack_rack_t out = { 0u, 0u, NULL, 0u };
        int rc = prack_parse_rack(c->buf, c->len, &out);

        if (rc != c->ret) {
            print_error("rack bound case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        if (c->ret == PRACK_OK) {
            assert_int_equal(out.rseq, c->rseq);
            assert_int_equal(out.cseq, c->cseq);
            assert_int_equal(out.method_len, strlen(c->method));
            assert_memory_equal(out.method, c->method, out.method_len);
        }
    }
}

/* ======================================================================== */
/* Option-tag lists                                                         */
/* ======================================================================== */

typedef struct tags_case {
    bytes_t in;
    const char *tag;
    int ret;
} tags_case_t;

static const tags_case_t tags_cases[] = {
    /* present */
    { B("100rel"), "100rel", 1 },
    { B("100REL"), "100rel", 1 },
    { B("100rel"), "100ReL", 1 },
    { B(" 100rel "), "100rel", 1 },
    { B("timer, 100rel"), "100rel", 1 },
    { B("100rel,timer"), "100rel", 1 },
    { B("timer,100rel,precondition"), "100rel", 1 },
    { B("timer , 100rel , precondition"), "100rel", 1 },
    { B("timer\t,\t100rel"), "100rel", 1 },
    { B("timer\r\n ,\r\n\t100rel\r\n "), "100rel", 1 },
    { B("timer,\r\n 100rel"), "100rel", 1 },
    { B("100rel, 100rel"), "100rel", 1 },
    { B("timer, 100rel"), "timer", 1 },
    { B("a.b-c!d%e*f_g+h`i'j~k"), "A.B-C!D%E*F_G+H`I'J~K", 1 },
    /* absent */
    { B(""), "100rel", 0 },
    { B("   "), "100rel", 0 },
    { B("\r\n "), "100rel", 0 },
    { B("timer"), "100rel", 0 },
    { B("timer, precondition"), "100rel", 0 },
    { B("100relx"), "100rel", 0 },
    { B("x100rel"), "100rel", 0 },
    { B("100re"), "100rel", 0 },
    { B("100rel"), "100re", 0 },
    { B("100rel"), "100relx", 0 },
    { B("100rel-x, x-100rel"), "100rel", 0 },
    /* non-ASCII bytes are not token characters */
    { B("\xc3\xa9"), "100rel", PRACK_ERR_PARSE },
    { B("100rel, \xc3\xa9"), "100rel", PRACK_ERR_PARSE },
    /* malformed, even when the tag is present */
    { B(",100rel"), "100rel", PRACK_ERR_PARSE },
    { B("100rel,"), "100rel", PRACK_ERR_PARSE },
    { B("100rel, "), "100rel", PRACK_ERR_PARSE },
    { B(" , "), "100rel", PRACK_ERR_PARSE },
    { B(","), "100rel", PRACK_ERR_PARSE },
    { B("a,,b"), "a", PRACK_ERR_PARSE },
    { B("100rel,,timer"), "100rel", PRACK_ERR_PARSE },
    { B("100rel, ,timer"), "100rel", PRACK_ERR_PARSE },
    { B("a b"), "a", PRACK_ERR_PARSE },
    { B("100rel timer"), "100rel", PRACK_ERR_PARSE },
    { B("timer 100rel"), "100rel", PRACK_ERR_PARSE },
    { B("100rel;x"), "100rel", PRACK_ERR_PARSE },
    { B("100rel, tim@er"), "100rel", PRACK_ERR_PARSE },
    { B("100rel, \"timer\""), "100rel", PRACK_ERR_PARSE },
    { B("100rel\r\n"), "100rel", PRACK_ERR_PARSE },
    { B("100rel\n, timer"), "100rel", PRACK_ERR_PARSE },
    { B("100rel,\rtimer"), "100rel", PRACK_ERR_PARSE },
    { B("100rel\r  ,timer"), "100rel", PRACK_ERR_PARSE },
    { B("100rel\0"), "100rel", PRACK_ERR_PARSE },
    { B("100rel,\0timer"), "100rel", PRACK_ERR_PARSE },
    { B("100rel,timer,"), "timer", PRACK_ERR_PARSE },
};

static void test_option_tags_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(tags_cases); i++) {
        const tags_case_t *c = &tags_cases[i];
        char *in = dup_exact(c->in);
        bytes_t tb = { c->tag, strlen(c->tag) };
        char *tag = dup_exact(tb);
        int rc = prack_option_tags_find(in, c->in.n, tag, tb.n);

        if (rc != c->ret) {
            print_error("tags case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        free(tag);
        free(in);
    }
}

static void test_option_tags_invalid_arguments(void **state)
{
    (void)state;
    assert_int_equal(prack_option_tags_find("100rel", 6, NULL, 6), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find("100rel", 6, "100rel", 0), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find("100rel", 6, "100 rel", 7), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find("100rel", 6, " 100rel", 7), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find("a,b", 3, "a,b", 3), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find("100rel", 6, "100rel\0", 7), PRACK_ERR_INVAL);
    assert_int_equal(prack_option_tags_find(NULL, 1, "100rel", 6), PRACK_ERR_INVAL);
    /* a bad tag is reported even when the list is also malformed */
    assert_int_equal(prack_option_tags_find(",,", 2, "@", 1), PRACK_ERR_INVAL);
    /* NULL with len 0 is an empty list */
    assert_int_equal(prack_option_tags_find(NULL, 0, "100rel", 6), 0);
}

static void test_option_tags_length_bound(void **state)
{
    (void)state;
    /* "100rel" cut after 3 bytes is the list "100" */
    assert_int_equal(prack_option_tags_find("100rel", 3, "100", 3), 1);
    assert_int_equal(prack_option_tags_find("100rel", 3, "100rel", 6), 0);
    /* trailing bytes past len that would make the list malformed or differ */
    assert_int_equal(prack_option_tags_find("100relx", 6, "100rel", 6), 1);
    assert_int_equal(prack_option_tags_find("100rel,", 6, "100rel", 6), 1);
    assert_int_equal(prack_option_tags_find("timer,100rel", 6, "100rel", 6), PRACK_ERR_PARSE);
    /* the tag is bounded by tag_len as well */
    assert_int_equal(prack_option_tags_find("100rel", 6, "100relx", 6), 1);
    assert_int_equal(prack_option_tags_find("100rel", 6, "100rel@", 6), 1);
}

/* ======================================================================== */
/* Formatting                                                               */
/* ======================================================================== */

typedef struct fmt_rseq_case {
    uint32_t rseq;
    const char *text;
} fmt_rseq_case_t;

static const fmt_rseq_case_t fmt_rseq_cases[] = {
    { 1u, "1" },
    { 9u, "9" },
    { 10u, "10" },
    { 4711u, "4711" },
    { 988789u, "988789" },
    { 1000000000u, "1000000000" },
    { 2147483647u, "2147483647" },
    { 2147483648u, "2147483648" },
    { 4294967295u, "4294967295" },
};

static void test_n8_format_rseq_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(fmt_rseq_cases); i++) {
        const fmt_rseq_case_t *c = &fmt_rseq_cases[i];
        size_t n = strlen(c->text);
        char buf[PRACK_RSEQ_STRLEN + 4];
        char *exact;
        int rc;

        /* roomy buffer; bytes after the NUL stay untouched */
        memset(buf, 'Z', sizeof buf);
        rc = prack_format_rseq(buf, sizeof buf, c->rseq);
        assert_int_equal(rc, (int)n);
        assert_string_equal(buf, c->text);
        assert_int_equal(buf[n + 1], 'Z');

        /* PRACK_RSEQ_STRLEN always suffices */
        rc = prack_format_rseq(buf, PRACK_RSEQ_STRLEN, c->rseq);
        assert_int_equal(rc, (int)n);

        /* exactly len + 1 on the heap: fits */
        exact = malloc(n + 1);
        assert_non_null(exact);
        rc = prack_format_rseq(exact, n + 1, c->rseq);
        assert_int_equal(rc, (int)n);
        assert_string_equal(exact, c->text);

        /* exactly len: no space, empty string written */
        memset(exact, 'Z', n + 1);
        rc = prack_format_rseq(exact, n, c->rseq);
        assert_int_equal(rc, PRACK_ERR_NOSPACE);
        assert_int_equal(exact[0], '\0');
        if (n > 1) {
            assert_int_equal(exact[1], 'Z');
        }
        free(exact);

        /* cap 0: nothing written at all */
        buf[0] = 'Z';
        assert_int_equal(prack_format_rseq(buf, 0, c->rseq), PRACK_ERR_NOSPACE);
        assert_int_equal(buf[0], 'Z');
    }
}

static void test_n8_format_rseq_errors(void **state)
{
    char buf[PRACK_RSEQ_STRLEN];

    (void)state;
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(prack_format_rseq(buf, sizeof buf, 0u), PRACK_ERR_RANGE);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(prack_format_rseq(NULL, sizeof buf, 1u), PRACK_ERR_INVAL);
    assert_int_equal(prack_format_rseq(NULL, 0, 1u), PRACK_ERR_INVAL);
    assert_int_equal(prack_format_rseq(buf, 1, 1u), PRACK_ERR_NOSPACE);
    assert_int_equal(prack_format_rseq(buf, 2, 1u), 1);
    assert_string_equal(buf, "1");
}

typedef struct fmt_rack_case {
    uint32_t rseq;
    uint32_t cseq;
    bytes_t method;
    int ret;
    const char *text; /* when ret >= 0 */
} fmt_rack_case_t;

static const fmt_rack_case_t fmt_rack_cases[] = {
    { 1u, 1u, B("INVITE"), 10, "1 1 INVITE" },
    { 776656u, 1u, B("INVITE"), 15, "776656 1 INVITE" },
    { 4294967295u, 2147483647u, B("INVITE"), 28, "4294967295 2147483647 INVITE" },
    { 1u, 0u, B("INVITE"), 10, "1 0 INVITE" },
    /* CSeq-num up to PRACK_CSEQ_MAX = 2**32 - 1 */
    { 1u, 2147483648u, B("INVITE"), 19, "1 2147483648 INVITE" },
    { 1u, 4294967295u, B("INVITE"), 19, "1 4294967295 INVITE" },
    { 4294967295u, 4294967295u, B("INVITE"), 28, "4294967295 4294967295 INVITE" },
    { 5u, 17u, B("invite"), 11, "5 17 invite" },
    { 5u, 17u, B("X-Foo.bar!%*_+`'~9"), 23, "5 17 X-Foo.bar!%*_+`'~9" },
    { 5u, 17u, B("A"), 6, "5 17 A" },
    /* N8: response-num 0 (a CSeq-num above 2**32 - 1 cannot be passed) */
    { 0u, 1u, B("INVITE"), PRACK_ERR_RANGE, NULL },
    { 0u, 4294967295u, B("INVITE"), PRACK_ERR_RANGE, NULL },
    /* method must be a non-empty token */
    { 1u, 1u, B(""), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B("INV ITE"), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B("INV@ITE"), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B("INVITE\r\n"), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B("INVITE\0"), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B(" INVITE"), PRACK_ERR_INVAL, NULL },
    { 1u, 1u, B("INV\xc3\x89TE"), PRACK_ERR_INVAL, NULL },
};

static void test_n9_n12_format_rack_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(fmt_rack_cases); i++) {
        const fmt_rack_case_t *c = &fmt_rack_cases[i];
        char *m = dup_exact(c->method);
        char buf[64];
        int rc;

        memset(buf, 'Z', sizeof buf);
        rc = prack_format_rack(buf, sizeof buf, c->rseq, c->cseq, m, c->method.n);
        if (rc != c->ret) {
            print_error("format rack case %zu: got %d, expected %d\n", i, rc, c->ret);
        }
        assert_int_equal(rc, c->ret);
        if (c->ret >= 0) {
            size_t n = (size_t)c->ret;
            char *exact;

            assert_string_equal(buf, c->text);
            assert_int_equal(buf[n + 1], 'Z');

            exact = malloc(n + 1);
            assert_non_null(exact);
            assert_int_equal(prack_format_rack(exact, n + 1, c->rseq, c->cseq, m, c->method.n), c->ret);
            assert_string_equal(exact, c->text);
            memset(exact, 'Z', n + 1);
            assert_int_equal(prack_format_rack(exact, n, c->rseq, c->cseq, m, c->method.n),
                             PRACK_ERR_NOSPACE);
            assert_int_equal(exact[0], '\0');
            assert_int_equal(exact[1], 'Z');
            free(exact);

            buf[0] = 'Z';
            assert_int_equal(prack_format_rack(buf, 0, c->rseq, c->cseq, m, c->method.n), PRACK_ERR_NOSPACE);
            assert_int_equal(buf[0], 'Z');
            assert_int_equal(prack_format_rack(buf, 1, c->rseq, c->cseq, m, c->method.n), PRACK_ERR_NOSPACE);
            assert_int_equal(buf[0], '\0');
        } else {
            assert_int_equal(buf[0], '\0'); /* empty string on error */
        }
        free(m);
    }
}

static void test_format_rack_invalid_arguments(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(prack_format_rack(NULL, sizeof buf, 1u, 1u, "INVITE", 6), PRACK_ERR_INVAL);
    assert_int_equal(prack_format_rack(buf, sizeof buf, 1u, 1u, NULL, 6), PRACK_ERR_INVAL);
    assert_int_equal(prack_format_rack(buf, sizeof buf, 1u, 1u, NULL, 0), PRACK_ERR_INVAL);
    /* a length whose result cannot be returned as an int is refused before
       the method bytes are read */
    assert_int_equal(prack_format_rack(buf, sizeof buf, 1u, 1u, "INVITE", SIZE_MAX), PRACK_ERR_INVAL);
    assert_int_equal(prack_format_rack(buf, SIZE_MAX, 1u, 1u, "INVITE", SIZE_MAX - 3u), PRACK_ERR_INVAL);
    /* the method is bounded by method_len */
    assert_int_equal(prack_format_rack(buf, sizeof buf, 1u, 1u, "INVITE@", 6), 10);
    assert_string_equal(buf, "1 1 INVITE");
}

/* ======================================================================== */
/* Round trips                                                              */
/* ======================================================================== */

static const uint32_t rt_rseq_values[] = {
    1u, 2u, 9u, 10u, 11u, 99u, 100u, 101u, 4711u, 65535u, 65536u, 988789u, 999999999u, 1000000000u,
    2147483646u, 2147483647u, 2147483648u, 4294967294u, 4294967295u,
};

static const uint32_t rt_cseq_values[] = {
    0u, 1u, 2u, 9u, 10u, 101u, 65536u, 999999999u, 1000000000u, 2147483646u, 2147483647u,
    2147483648u, 4294967294u, 4294967295u,
};

static const char *const rt_methods[] = {
    "INVITE", "invite", "InViTe", "UPDATE", "X", "x-Custom.Method", "!%*_+`'~-.", "0",
};

static void test_n8_n12_round_trip_rseq(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rt_rseq_values); i++) {
        char buf[PRACK_RSEQ_STRLEN];
        uint32_t back = 0u;
        int n = prack_format_rseq(buf, sizeof buf, rt_rseq_values[i]);

        assert_true(n > 0);
        assert_int_equal(prack_parse_rseq(buf, (size_t)n, &back), PRACK_OK);
        assert_int_equal(back, rt_rseq_values[i]);
    }
}

static void test_n9_n12_round_trip_rack(void **state)
{
    size_t i;
    size_t j;
    size_t k;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rt_rseq_values); i++) {
        for (j = 0; j < ARRAY_LEN(rt_cseq_values); j++) {
            for (k = 0; k < ARRAY_LEN(rt_methods); k++) {
                const char *m = rt_methods[k];
                size_t mlen = strlen(m);
                char buf[64];
                prack_rack_t back;
                int n = prack_format_rack(buf, sizeof buf, rt_rseq_values[i], rt_cseq_values[j], m, mlen);

                assert_true(n > 0);
                assert_int_equal(prack_parse_rack(buf, (size_t)n, &back), PRACK_OK);
                assert_int_equal(back.rseq, rt_rseq_values[i]);
                assert_int_equal(back.cseq, rt_cseq_values[j]);
                assert_int_equal(back.method_len, mlen);
                assert_memory_equal(back.method, m, mlen); /* N9: bytes identical */
            }
        }
    }
}

/* Everything the parsers accept in the tables formats back to the same value. */
static void test_round_trip_from_parse_tables(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rseq_cases); i++) {
        uint32_t v;
        uint32_t back;
        char buf[PRACK_RSEQ_STRLEN];
        int n;

        if (prack_parse_rseq(rseq_cases[i].in.p, rseq_cases[i].in.n, &v) != PRACK_OK) {
            continue;
        }
        n = prack_format_rseq(buf, sizeof buf, v);
        assert_true(n > 0);
        assert_int_equal(prack_parse_rseq(buf, (size_t)n, &back), PRACK_OK);
        assert_int_equal(back, v);
    }
    for (i = 0; i < ARRAY_LEN(rack_cases); i++) {
        prack_rack_t r;
        prack_rack_t back;
        char buf[128];
        int n;

        if (prack_parse_rack(rack_cases[i].in.p, rack_cases[i].in.n, &r) != PRACK_OK) {
            continue;
        }
        n = prack_format_rack(buf, sizeof buf, r.rseq, r.cseq, r.method, r.method_len);
        assert_true(n > 0);
        assert_int_equal(prack_parse_rack(buf, (size_t)n, &back), PRACK_OK);
        assert_int_equal(back.rseq, r.rseq);
        assert_int_equal(back.cseq, r.cseq);
        assert_int_equal(back.method_len, r.method_len);
        assert_memory_equal(back.method, r.method, r.method_len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_n8_n12_rseq_table),
        cmocka_unit_test(test_rseq_invalid_arguments),
        cmocka_unit_test(test_n12_rseq_length_bound),
        cmocka_unit_test(test_n9_n12_rack_table),
        cmocka_unit_test(test_n12_rack_cseq_up_to_2_32_minus_1),
        cmocka_unit_test(test_n9_rack_method_case_sensitive),
        cmocka_unit_test(test_rack_invalid_arguments),
        cmocka_unit_test(test_n12_rack_length_bound),
        cmocka_unit_test(test_option_tags_table),
        cmocka_unit_test(test_option_tags_invalid_arguments),
        cmocka_unit_test(test_option_tags_length_bound),
        cmocka_unit_test(test_n8_format_rseq_table),
        cmocka_unit_test(test_n8_format_rseq_errors),
        cmocka_unit_test(test_n9_n12_format_rack_table),
        cmocka_unit_test(test_format_rack_invalid_arguments),
        cmocka_unit_test(test_n8_n12_round_trip_rseq),
        cmocka_unit_test(test_n9_n12_round_trip_rack),
        cmocka_unit_test(test_round_trip_from_parse_tables),
    };

    return cmocka_run_group_tests_name("header", tests, NULL, NULL);
}
