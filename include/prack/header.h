/**
 * @file prack/header.h
 * @brief Optional strict parsers and formatters for the RSeq and RAck header
 *        field values and for option-tag lists (RFC 3262 sections 7 and 10).
 *
 * The core engine works on parsed facts (numbers and flags). Hosts whose SIP
 * stack does not already parse RSeq, RAck or Require/Supported lists can use
 * these helpers to obtain those facts and to produce the header values.
 *
 * Common rules for every function in this file:
 * - No allocation, no global state, no locale: the functions are reentrant
 *   and thread-safe.
 * - Text input is a pointer plus a length. It does not need to be
 *   NUL-terminated and no byte at or past the given length is ever read.
 *   A NULL pointer is accepted only together with a length of zero.
 * - Parser input is a header field *value*: the text that follows the HCOLON,
 *   without the header name. Leading and trailing whitespace is ignored:
 *   SP, HTAB and folded line breaks (CRLF immediately followed by SP or HTAB,
 *   RFC 3261 section 7.3.1). A CR or LF that is not part of such a fold is a
 *   syntax error.
 * - On error, parser outputs are left unchanged.
 * - Formatters write NUL-terminated text and return its length without the
 *   NUL. On error they write an empty string (`buf[0] = '\0'`) when `buf` is
 *   not NULL and `cap` is at least 1.
 */
#ifndef PRACK_HEADER_H
#define PRACK_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A parsed RAck header field value (RFC 3262 section 7.2).
 *
 * `RAck: 776656 1 INVITE` parses to rseq 776656, cseq 1 and the method
 * "INVITE". The method is not copied: it points into the parsed input and is
 * valid only as long as that input is.
 */
typedef struct prack_rack {
    /** @brief The response-num: the RSeq being acknowledged, 1 to #PRACK_RSEQ_MAX. */
    uint32_t rseq;
    /** @brief The CSeq-num of the acknowledged response, 0 to #PRACK_CSEQ_MAX. */
    uint32_t cseq;
    /**
     * @brief The Method token, pointing inside the parsed input; not
     *        NUL-terminated.
     *
     * Its case is preserved exactly as received: the RAck method is
     * case-sensitive (RFC 3262 section 7.2), so comparing it with the
     * method of the acknowledged response is left to the engine.
     */
    const char *method;
    /** @brief Length in bytes of #method; at least 1. */
    uint32_t method_len;
} prack_rack_t;

/** @brief The largest RSeq value, 2**32 - 1 (RFC 3262 section 7.1). */
#define PRACK_RSEQ_MAX 4294967295u

/**
 * @brief The largest CSeq sequence number, 2**32 - 1 (RFC 3261 section 20.16: a
 *        32-bit unsigned integer; only the first request outside a dialog stays
 *        below 2**31, 8.1.1.5, and in-dialog requests grow by one, 12.2.1.1).
 */
#define PRACK_CSEQ_MAX 4294967295u

/**
 * @brief A buffer size that always fits a formatted RSeq value and its
 *        terminating NUL (10 digits plus NUL).
 */
#define PRACK_RSEQ_STRLEN 11

/**
 * @brief Parse an RSeq header field value.
 *
 * Grammar (RFC 3262 section 10): `response-num = 1*DIGIT`, surrounded by
 * optional whitespace. Leading zeros are accepted ("007" is 7). Signs,
 * inner whitespace and any other character are rejected. Numbers of any
 * length are examined without overflow.
 *
 * @param[in]  s    the field value; need not be NUL-terminated; may be NULL
 *                  only if @p len is 0.
 * @param[in]  len  number of bytes of @p s to examine.
 * @param[out] rseq receives the value on success; unchanged on error.
 * @return #PRACK_OK on success, or a negative error code.
 * @retval PRACK_OK          success; @p *rseq is set.
 * @retval PRACK_ERR_INVAL   @p rseq is NULL, or @p s is NULL while @p len > 0.
 * @retval PRACK_ERR_PARSE   the value does not match the grammar (empty or
 *                           whitespace-only, sign, non-digit, trailing text,
 *                           unfolded line break).
 * @retval PRACK_ERR_RANGE   the syntax is valid but the number is 0 or larger
 *                           than #PRACK_RSEQ_MAX.
 * @sa prack_format_rseq(), prack_parse_rack()
 */
PRACK_API int prack_parse_rseq(const char *s, size_t len, uint32_t *rseq);

/**
 * @brief Parse a RAck header field value.
 *
 * Grammar (RFC 3262 section 10):
 * `response-num LWS CSeq-num LWS Method`, surrounded by optional whitespace,
 * where both numbers are `1*DIGIT` (leading zeros accepted), LWS is one or
 * more SP/HTAB possibly including a folded line break, and Method is an
 * RFC 3261 token. The method is not case-folded.
 *
 * Syntax is checked first: text that breaks the grammar yields
 * #PRACK_ERR_PARSE even when one of its numbers is also too large.
 *
 * @param[in]  s    the field value; need not be NUL-terminated; may be NULL
 *                  only if @p len is 0.
 * @param[in]  len  number of bytes of @p s to examine.
 * @param[out] rack receives the parsed value on success (its method points
 *                  into @p s); unchanged on error.
 * @return #PRACK_OK on success, or a negative error code.
 * @retval PRACK_OK          success; @p *rack is filled.
 * @retval PRACK_ERR_INVAL   @p rack is NULL, or @p s is NULL while @p len > 0.
 * @retval PRACK_ERR_PARSE   the value does not match the grammar (missing or
 *                           extra parts, sign, non-digit in a number, a
 *                           non-token character in the method, unfolded line
 *                           break).
 * @retval PRACK_ERR_RANGE   the syntax is valid but the response-num is 0 or
 *                           larger than #PRACK_RSEQ_MAX, the CSeq-num is
 *                           larger than #PRACK_CSEQ_MAX, or the method is
 *                           longer than 2^32-1 bytes.
 * @sa prack_format_rack(), prack_parse_rseq(), prack_rack_t
 */
PRACK_API int prack_parse_rack(const char *s, size_t len, prack_rack_t *rack);

/**
 * @brief Look for an option tag in the value of one Require, Supported,
 *        Unsupported or Proxy-Require header field.
 *
 * Grammar: `[ option-tag *( COMMA option-tag ) ]` with
 * `COMMA = SWS "," SWS` and `option-tag = token` (RFC 3261 section 25),
 * surrounded by optional whitespace. An empty or whitespace-only value is a
 * valid empty list. Tags are compared case-insensitively (ASCII letters
 * only), so "100REL" matches "100rel"; a tag must match a whole element.
 *
 * The whole list is validated even after a match is found, so a malformed
 * list always yields #PRACK_ERR_PARSE.
 *
 * A message may carry several instances of the same header field. This
 * function examines one instance: call it once per instance, or once on the
 * values joined with commas.
 *
 * @param[in] s       the field value; need not be NUL-terminated; may be NULL
 *                    only if @p len is 0.
 * @param[in] len     number of bytes of @p s to examine.
 * @param[in] tag     the option tag to look for, e.g. "100rel"; need not be
 *                    NUL-terminated.
 * @param[in] tag_len number of bytes of @p tag; must be at least 1.
 * @return 1 if the tag is present, 0 if it is not, or a negative error code.
 * @retval 1                 the list is well formed and contains @p tag.
 * @retval 0                 the list is well formed (possibly empty) and does
 *                           not contain @p tag.
 * @retval PRACK_ERR_INVAL   @p tag is NULL, empty or not a valid token, or
 *                           @p s is NULL while @p len > 0.
 * @retval PRACK_ERR_PARSE   the list is malformed (empty element, leading or
 *                           trailing comma, non-token character, two tags
 *                           separated only by whitespace, unfolded line
 *                           break).
 * @sa prack_parse_rseq(), prack_parse_rack()
 */
PRACK_API int prack_option_tags_find(const char *s, size_t len, const char *tag, size_t tag_len);

/**
 * @brief Format an RSeq header field value as decimal text.
 *
 * Writes the value without leading zeros followed by a NUL. A buffer of
 * #PRACK_RSEQ_STRLEN bytes is always large enough.
 *
 * @param[out] buf  destination buffer.
 * @param[in]  cap  size of @p buf in bytes, including room for the NUL.
 * @param[in]  rseq the value, 1 to #PRACK_RSEQ_MAX.
 * @return the number of characters written, excluding the NUL (1 to 10), or
 *         a negative error code.
 * @retval PRACK_ERR_INVAL   @p buf is NULL.
 * @retval PRACK_ERR_RANGE   @p rseq is 0.
 * @retval PRACK_ERR_NOSPACE @p cap is smaller than the text length plus one;
 *                           an empty string is written if @p cap > 0.
 * @sa prack_parse_rseq(), prack_format_rack(), PRACK_RSEQ_STRLEN
 */
PRACK_API int prack_format_rseq(char *buf, size_t cap, uint32_t rseq);

/**
 * @brief Format a RAck header field value: `<rseq> <cseq> <method>`.
 *
 * The numbers are written in decimal without leading zeros, separated from
 * each other and from the method by one SP, followed by a NUL. The method
 * bytes are copied unchanged (the RAck method is case-sensitive). A buffer of
 * 23 + @p method_len bytes is always large enough.
 *
 * @param[out] buf        destination buffer.
 * @param[in]  cap        size of @p buf in bytes, including room for the NUL.
 * @param[in]  rseq       the response-num, 1 to #PRACK_RSEQ_MAX.
 * @param[in]  cseq       the CSeq-num, 0 to #PRACK_CSEQ_MAX.
 * @param[in]  method     the method token; need not be NUL-terminated.
 * @param[in]  method_len number of bytes of @p method; at least 1.
 * @return the number of characters written, excluding the NUL, or a negative
 *         error code.
 * @retval PRACK_ERR_INVAL   @p buf or @p method is NULL, @p method_len is 0,
 *                           @p method is not a valid token, or the result
 *                           would be longer than INT_MAX.
 * @retval PRACK_ERR_RANGE   @p rseq is 0.
 * @retval PRACK_ERR_NOSPACE @p cap is smaller than the text length plus one;
 *                           an empty string is written if @p cap > 0.
 * @sa prack_parse_rack(), prack_format_rseq(), prack_rack_t
 */
PRACK_API int prack_format_rack(char *buf, size_t cap, uint32_t rseq, uint32_t cseq, const char *method,
                                size_t method_len);

#ifdef __cplusplus
}
#endif

#endif /* PRACK_HEADER_H */
