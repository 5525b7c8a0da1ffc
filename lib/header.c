/*
 * Strict, bounded parsers and formatters for RSeq, RAck and option-tag lists
 * (RFC 3262 sections 7 and 10, RFC 3261 section 25).
 *
 * Every routine works on (pointer, length) input and never reads at or past
 * the length. Character classes are tested with explicit ASCII comparisons so
 * that the result never depends on the locale.
 */
#include "prack/header.h"

#include <limits.h>

/* ------------------------------------------------------------------------ */
/* Character classes                                                        */
/* ------------------------------------------------------------------------ */

static int is_digit(unsigned char c)
{
    return c >= (unsigned char)'0' && c <= (unsigned char)'9';
}

static int is_wsp(unsigned char c)
{
    return c == (unsigned char)' ' || c == (unsigned char)'\t';
}

/* RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
static int is_token_char(unsigned char c)
{
    if (c >= (unsigned char)'a' && c <= (unsigned char)'z') {
        return 1;
    }
    if (c >= (unsigned char)'A' && c <= (unsigned char)'Z') {
        return 1;
    }
    if (is_digit(c)) {
        return 1;
    }
    switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
        return 1;
    default:
        return 0;
    }
}

static unsigned char ascii_lower(unsigned char c)
{
    if (c >= (unsigned char)'A' && c <= (unsigned char)'Z') {
        return (unsigned char)(c - (unsigned char)'A' + (unsigned char)'a');
    }
    return c;
}

/* ------------------------------------------------------------------------ */
/* Scanning helpers                                                         */
/* ------------------------------------------------------------------------ */

static unsigned char byte_at(const char *s, size_t i)
{
    return (unsigned char)s[i];
}

/*
 * Skip whitespace starting at pos: SP, HTAB, and folds (CR LF followed by SP
 * or HTAB). Returns the position of the first byte that is not part of such
 * whitespace (or len). A CR or LF that does not start a complete fold stops
 * the scan, so the caller sees it as an unexpected character.
 */
static size_t skip_ws(const char *s, size_t len, size_t pos)
{
    while (pos < len) {
        unsigned char c = byte_at(s, pos);
        if (is_wsp(c)) {
            pos++;
        } else if (c == (unsigned char)'\r' && len - pos >= 3 && byte_at(s, pos + 1) == (unsigned char)'\n' &&
                   is_wsp(byte_at(s, pos + 2))) {
            pos += 3;
        } else {
            break;
        }
    }
    return pos;
}

/*
 * Scan 1*DIGIT at pos. Returns the position after the last digit (pos itself
 * when there is no digit). The value is accumulated into *value while it
 * stays at or below limit; once it would exceed limit, *overflow is set and
 * the remaining digits are only skipped. No intermediate value ever exceeds
 * limit, so nothing can wrap.
 */
static size_t scan_number(const char *s, size_t len, size_t pos, uint32_t limit, uint32_t *value, int *overflow)
{
    uint32_t v = 0;
    int over = 0;

    while (pos < len && is_digit(byte_at(s, pos))) {
        uint32_t d = (uint32_t)(byte_at(s, pos) - (unsigned char)'0');
        if (!over) {
            if (v > (limit - d) / 10u) {
                over = 1;
            } else {
                v = v * 10u + d;
            }
        }
        pos++;
    }
    *value = v;
    *overflow = over;
    return pos;
}

/* Scan a token at pos; returns the position after it (pos when empty). */
static size_t scan_token(const char *s, size_t len, size_t pos)
{
    while (pos < len && is_token_char(byte_at(s, pos))) {
        pos++;
    }
    return pos;
}

static int is_token(const char *t, size_t n)
{
    return t != NULL && n > 0 && scan_token(t, n, 0) == n;
}

static int token_equal_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;

    if (alen != blen) {
        return 0;
    }
    for (i = 0; i < alen; i++) {
        if (ascii_lower(byte_at(a, i)) != ascii_lower(byte_at(b, i))) {
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Parsers                                                                  */
/* ------------------------------------------------------------------------ */

int prack_parse_rseq(const char *s, size_t len, uint32_t *rseq)
{
    size_t pos;
    size_t end;
    uint32_t v;
    int over;

    if (rseq == NULL || (s == NULL && len > 0)) {
        return PRACK_ERR_INVAL;
    }
    if (len == 0) {
        return PRACK_ERR_PARSE;
    }

    pos = skip_ws(s, len, 0);
    end = scan_number(s, len, pos, PRACK_RSEQ_MAX, &v, &over);
    if (end == pos) {
        return PRACK_ERR_PARSE;
    }
    if (skip_ws(s, len, end) != len) {
        return PRACK_ERR_PARSE;
    }
    if (over || v == 0) {
        return PRACK_ERR_RANGE;
    }
    *rseq = v;
    return PRACK_OK;
}

int prack_parse_rack(const char *s, size_t len, prack_rack_t *rack)
{
    size_t pos;
    size_t end;
    size_t method_pos;
    uint32_t rseq;
    uint32_t cseq;
    int rseq_over;
    int cseq_over;

    if (rack == NULL || (s == NULL && len > 0)) {
        return PRACK_ERR_INVAL;
    }
    if (len == 0) {
        return PRACK_ERR_PARSE;
    }

    /* response-num */
    pos = skip_ws(s, len, 0);
    end = scan_number(s, len, pos, PRACK_RSEQ_MAX, &rseq, &rseq_over);
    if (end == pos) {
        return PRACK_ERR_PARSE;
    }

    /* LWS */
    pos = skip_ws(s, len, end);
    if (pos == end) {
        return PRACK_ERR_PARSE;
    }

    /* CSeq-num */
    end = scan_number(s, len, pos, PRACK_CSEQ_MAX, &cseq, &cseq_over);
    if (end == pos) {
        return PRACK_ERR_PARSE;
    }

    /* LWS */
    pos = skip_ws(s, len, end);
    if (pos == end) {
        return PRACK_ERR_PARSE;
    }

    /* Method */
    method_pos = pos;
    end = scan_token(s, len, pos);
    if (end == pos) {
        return PRACK_ERR_PARSE;
    }

    /* optional trailing whitespace, then the end of the value */
    if (skip_ws(s, len, end) != len) {
        return PRACK_ERR_PARSE;
    }

    if (rseq_over || rseq == 0 || cseq_over || (uint64_t)(end - method_pos) > UINT32_MAX) {
        return PRACK_ERR_RANGE;
    }

    rack->rseq = rseq;
    rack->cseq = cseq;
    rack->method = s + method_pos;
    rack->method_len = (uint32_t)(end - method_pos);
    return PRACK_OK;
}

int prack_option_tags_find(const char *s, size_t len, const char *tag, size_t tag_len)
{
    size_t pos;
    size_t end;
    int found = 0;

    if (!is_token(tag, tag_len) || (s == NULL && len > 0)) {
        return PRACK_ERR_INVAL;
    }

    pos = skip_ws(s, len, 0);
    if (pos == len) {
        return 0; /* empty list */
    }

    for (;;) {
        end = scan_token(s, len, pos);
        if (end == pos) {
            return PRACK_ERR_PARSE; /* empty element or non-token character */
        }
        if (token_equal_nocase(s + pos, end - pos, tag, tag_len)) {
            found = 1;
        }
        pos = skip_ws(s, len, end);
        if (pos == len) {
            break;
        }
        if (byte_at(s, pos) != (unsigned char)',') {
            return PRACK_ERR_PARSE; /* junk, or two tags without a comma */
        }
        pos = skip_ws(s, len, pos + 1);
        if (pos == len) {
            return PRACK_ERR_PARSE; /* trailing comma */
        }
    }
    return found;
}

/* ------------------------------------------------------------------------ */
/* Formatters                                                               */
/* ------------------------------------------------------------------------ */

/* Largest number of decimal digits of a uint32_t. */
#define U32_DIGITS 10u

/*
 * Write v in decimal into out (at least U32_DIGITS bytes), most significant
 * digit first, without a NUL. Returns the number of digits.
 */
static size_t u32_to_dec(uint32_t v, char *out)
{
    char rev[U32_DIGITS];
    size_t n = 0;
    size_t i;

    do {
        rev[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0);
    for (i = 0; i < n; i++) {
        out[i] = rev[n - 1 - i];
    }
    return n;
}

static void clear_buf(char *buf, size_t cap)
{
    if (buf != NULL && cap > 0) {
        buf[0] = '\0';
    }
}

static void copy_bytes(char *dst, const char *src, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        dst[i] = src[i];
    }
}

int prack_format_rseq(char *buf, size_t cap, uint32_t rseq)
{
    char digits[U32_DIGITS];
    size_t n;

    if (buf == NULL) {
        return PRACK_ERR_INVAL;
    }
    if (rseq == 0) {
        clear_buf(buf, cap);
        return PRACK_ERR_RANGE;
    }
    n = u32_to_dec(rseq, digits);
    if (cap < n + 1) {
        clear_buf(buf, cap);
        return PRACK_ERR_NOSPACE;
    }
    copy_bytes(buf, digits, n);
    buf[n] = '\0';
    return (int)n;
}

int prack_format_rack(char *buf, size_t cap, uint32_t rseq, uint32_t cseq, const char *method, size_t method_len)
{
    char rdig[U32_DIGITS];
    char cdig[U32_DIGITS];
    size_t rn;
    size_t cn;
    size_t fixed;
    size_t total;

    if (buf == NULL) {
        return PRACK_ERR_INVAL;
    }
    if (rseq == 0) {
        clear_buf(buf, cap);
        return PRACK_ERR_RANGE;
    }

    rn = u32_to_dec(rseq, rdig);
    cn = u32_to_dec(cseq, cdig);
    fixed = rn + 1 + cn + 1; /* "<rseq> <cseq> " */

    /* The result must be representable as an int; checked before the method
       bytes are examined, so a bogus huge length is never walked. */
    if (method == NULL || method_len == 0 || method_len > (size_t)INT_MAX - fixed) {
        clear_buf(buf, cap);
        return PRACK_ERR_INVAL;
    }
    if (!is_token(method, method_len)) {
        clear_buf(buf, cap);
        return PRACK_ERR_INVAL;
    }

    total = fixed + method_len;
    if (cap <= total) {
        clear_buf(buf, cap);
        return PRACK_ERR_NOSPACE;
    }

    copy_bytes(buf, rdig, rn);
    buf[rn] = ' ';
    copy_bytes(buf + rn + 1, cdig, cn);
    buf[rn + 1 + cn] = ' ';
    copy_bytes(buf + fixed, method, method_len);
    buf[total] = '\0';
    return (int)total;
}
