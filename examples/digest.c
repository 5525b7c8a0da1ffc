/*
 * MD5 and HTTP Digest for the example programs (see digest.h).
 */
#include "digest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* MD5, RFC 1321 */

/* floor(abs(sin(i + 1)) * 2^32) */
static const uint32_t md5_k[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu,
    0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu,
    0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau,
    0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu,
    0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu,
    0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u,
    0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u,
    0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u,
    0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u,
};

static const unsigned md5_r[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t rotl(uint32_t x, unsigned c)
{
    return (x << c) | (x >> (32u - c));
}

static void md5_block(uint32_t st[4], const uint8_t blk[64])
{
    uint32_t w[16];
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
               (uint32_t)blk[4 * i + 2] << 16 | (uint32_t)blk[4 * i + 3] << 24;
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    for (unsigned i = 0; i < 64; i++) {
        uint32_t f;
        unsigned g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rotl(a + f + md5_k[i] + w[g], md5_r[i]);
        a = t;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

void md5_init(md5_ctx_t *ctx)
{
    ctx->state[0] = 0x67452301u;
    ctx->state[1] = 0xefcdab89u;
    ctx->state[2] = 0x98badcfeu;
    ctx->state[3] = 0x10325476u;
    ctx->bytes = 0;
}

void md5_update(md5_ctx_t *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t used = (size_t)(ctx->bytes % 64u);
    ctx->bytes += len;
    if (used) {
        size_t take = 64u - used < len ? 64u - used : len;
        memcpy(ctx->block + used, p, take);
        p += take;
        len -= take;
        if (used + take < 64u)
            return;
        md5_block(ctx->state, ctx->block);
    }
    while (len >= 64u) {
        md5_block(ctx->state, p);
        p += 64;
        len -= 64;
    }
    if (len)
        memcpy(ctx->block, p, len);
}

void md5_final(md5_ctx_t *ctx, uint8_t digest[16])
{
    uint64_t bits = ctx->bytes * 8u;
    static const uint8_t pad[64] = { 0x80 };
    size_t used = (size_t)(ctx->bytes % 64u);
    md5_update(ctx, pad, used < 56u ? 56u - used : 120u - used);
    uint8_t len_le[8];
    for (unsigned i = 0; i < 8; i++)
        len_le[i] = (uint8_t)(bits >> (8 * i));
    md5_update(ctx, len_le, 8);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++)
            digest[4 * i + j] = (uint8_t)(ctx->state[i] >> (8 * j));
    memset(ctx, 0, sizeof(*ctx));
}

static void hex16(const uint8_t d[16], char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15u];
    }
    out[32] = '\0';
}

void md5_hex(const void *data, size_t len, char out[33])
{
    md5_ctx_t c;
    uint8_t d[16];
    md5_init(&c);
    md5_update(&c, data, len);
    md5_final(&c, d);
    hex16(d, out);
}

/* MD5 of the strings joined with ':' */
static void md5_join(char out[33], const char *const *parts, size_t n)
{
    md5_ctx_t c;
    uint8_t d[16];
    md5_init(&c);
    for (size_t i = 0; i < n; i++) {
        if (i)
            md5_update(&c, ":", 1);
        md5_update(&c, parts[i], strlen(parts[i]));
    }
    md5_final(&c, d);
    hex16(d, out);
}

/* ------------------------------------------------------------------------- */
/* Digest */

static bool ci_eq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static bool tokch(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

static bool ws(char c)
{
    return c == ' ' || c == '\t';
}

int digest_parse(const char *s, size_t n, digest_params_t *d)
{
    memset(d, 0, sizeof(*d));
    size_t i = 0;
    while (i < n && ws(s[i]))
        i++;
    if (n - i < 7 || !ci_eq(s + i, 6, "Digest") || !ws(s[i + 6]))
        return -1;
    i += 6;
    bool any = false;
    while (i < n) {
        while (i < n && (ws(s[i]) || s[i] == ','))
            i++;
        if (i == n)
            break;
        size_t k = i;
        while (i < n && tokch(s[i]))
            i++;
        if (i == k)
            return -1;
        const char *key = s + k;
        size_t klen = i - k;
        while (i < n && ws(s[i]))
            i++;
        if (i == n || s[i] != '=')
            return -1;
        i++;
        while (i < n && ws(s[i]))
            i++;
        char val[256];
        size_t vl = 0;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i == n)
                    return -1;
                char c = s[i++];
                if (c == '"')
                    break;
                if (c == '\\') {
                    if (i == n)
                        return -1;
                    c = s[i++];
                }
                if (vl + 1 >= sizeof(val))
                    return -1;
                val[vl++] = c;
            }
        } else {
            while (i < n && tokch(s[i])) {
                if (vl + 1 >= sizeof(val))
                    return -1;
                val[vl++] = s[i++];
            }
            if (vl == 0)
                return -1;
        }
        val[vl] = '\0';
        while (i < n && ws(s[i]))
            i++;
        if (i < n && s[i] != ',')
            return -1;

        struct {
            const char *name;
            char *dst;
            size_t cap;
        } fields[] = {
            { "realm", d->realm, sizeof(d->realm) },
            { "nonce", d->nonce, sizeof(d->nonce) },
            { "opaque", d->opaque, sizeof(d->opaque) },
            { "algorithm", d->algorithm, sizeof(d->algorithm) },
            { "qop", d->qop, sizeof(d->qop) },
            { "username", d->username, sizeof(d->username) },
            { "uri", d->uri, sizeof(d->uri) },
            { "response", d->response, sizeof(d->response) },
            { "cnonce", d->cnonce, sizeof(d->cnonce) },
            { "nc", d->nc, sizeof(d->nc) },
        };
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
            if (ci_eq(key, klen, fields[f].name)) {
                if (vl >= fields[f].cap)
                    return -1;
                memcpy(fields[f].dst, val, vl + 1);
            }
        }
        if (ci_eq(key, klen, "stale"))
            d->stale = ci_eq(val, vl, "true");
        any = true;
    }
    return any ? 0 : -1;
}

/* Whether a comma-separated qop list offers "auth". */
static bool offers_auth(const char *list)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *t = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (ci_eq(t, (size_t)(p - t), "auth"))
            return true;
    }
    return false;
}

void digest_compute(char out[33], const char *algorithm, const char *user, const char *realm,
                    const char *pass, const char *nonce, const char *nc, const char *cnonce,
                    const char *qop, const char *method, const char *uri)
{
    char ha1[33], ha2[33];
    const char *a1[] = { user, realm, pass };
    md5_join(ha1, a1, 3);
    if (algorithm && ci_eq(algorithm, strlen(algorithm), "MD5-sess")) {
        const char *s[] = { ha1, nonce, cnonce };
        char tmp[33];
        md5_join(tmp, s, 3);
        memcpy(ha1, tmp, sizeof(tmp));
    }
    const char *a2[] = { method, uri };
    md5_join(ha2, a2, 2);
    if (qop && qop[0]) {
        const char *r[] = { ha1, nonce, nc, cnonce, qop, ha2 };
        md5_join(out, r, 6);
    } else {
        const char *r[] = { ha1, nonce, ha2 };
        md5_join(out, r, 3);
    }
}

/* Append to out[*len..cap) with printf; false once it does not fit. */
__attribute__((format(printf, 4, 5))) static bool put(char *out, size_t cap, size_t *len,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *len)
        return false;
    *len += (size_t)n;
    return true;
}

/* Append name="value" with '"' and '\\' escaped (RFC 3261 quoted-string). */
static bool put_quoted(char *out, size_t cap, size_t *len, const char *name, const char *value)
{
    if (!put(out, cap, len, "%s=\"", name))
        return false;
    for (const char *p = value; *p; p++) {
        if (*len + 3 >= cap)
            return false;
        if (*p == '"' || *p == '\\')
            out[(*len)++] = '\\';
        out[(*len)++] = *p;
    }
    out[*len] = '\0';
    return put(out, cap, len, "%s", "\"");
}

int digest_authorization(char *out, size_t cap, const digest_params_t *chal, const char *user,
                         const char *pass, const char *method, const char *uri, uint32_t nc,
                         const char *cnonce)
{
    const char *alg = chal->algorithm;
    if (alg[0] && !ci_eq(alg, strlen(alg), "MD5") && !ci_eq(alg, strlen(alg), "MD5-sess"))
        return -1;
    bool qop = chal->qop[0] != '\0';
    if (qop && !offers_auth(chal->qop))
        return -1; /* auth-int only: the examples do not hash bodies */
    if (cap == 0)
        return -1;
    char ncs[9], resp[33];
    snprintf(ncs, sizeof(ncs), "%08x", nc);
    digest_compute(resp, alg, user, chal->realm, pass, chal->nonce, ncs, cnonce,
                   qop ? "auth" : "", method, uri);
    size_t len = 0;
    out[0] = '\0';
    bool ok = put(out, cap, &len, "%s", "Digest ") && put_quoted(out, cap, &len, "username", user) &&
              put(out, cap, &len, "%s", ", ") && put_quoted(out, cap, &len, "realm", chal->realm) &&
              put(out, cap, &len, "%s", ", ") && put_quoted(out, cap, &len, "nonce", chal->nonce) &&
              put(out, cap, &len, "%s", ", ") && put_quoted(out, cap, &len, "uri", uri) &&
              put(out, cap, &len, ", response=\"%s\"", resp);
    if (ok && alg[0])
        ok = put(out, cap, &len, ", algorithm=%s", alg);
    if (ok && qop)
        ok = put(out, cap, &len, ", qop=auth, nc=%s", ncs) && put(out, cap, &len, "%s", ", ") &&
             put_quoted(out, cap, &len, "cnonce", cnonce);
    if (ok && chal->opaque[0])
        ok = put(out, cap, &len, "%s", ", ") && put_quoted(out, cap, &len, "opaque", chal->opaque);
    return ok && len <= 0x7fffffffu ? (int)len : -1;
}

bool digest_verify(const digest_params_t *cred, const char *realm, const char *user,
                   const char *pass, const char *method)
{
    if (strcmp(cred->username, user) != 0 || strcmp(cred->realm, realm) != 0)
        return false;
    if (cred->algorithm[0] && !ci_eq(cred->algorithm, strlen(cred->algorithm), "MD5"))
        return false;
    if (cred->qop[0] && (!ci_eq(cred->qop, strlen(cred->qop), "auth") || !cred->nc[0] ||
                         !cred->cnonce[0]))
        return false;
    char expect[33];
    digest_compute(expect, "", user, realm, pass, cred->nonce, cred->nc, cred->cnonce, cred->qop,
                   method, cred->uri);
    if (strlen(cred->response) != 32)
        return false;
    unsigned diff = 0; /* the same time whatever the first wrong digit */
    for (unsigned i = 0; i < 32; i++) {
        char c = cred->response[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        diff |= (unsigned)(c ^ expect[i]);
    }
    return diff == 0;
}

static void nonce_mac(char out[33], const uint8_t secret[16], const char *stamp)
{
    md5_ctx_t c;
    uint8_t d[16];
    md5_init(&c);
    md5_update(&c, stamp, strlen(stamp));
    md5_update(&c, ":", 1);
    md5_update(&c, secret, 16);
    md5_final(&c, d);
    hex16(d, out);
}

void digest_nonce_make(char out[64], const uint8_t secret[16], uint64_t now_ms)
{
    char stamp[17], mac[33];
    snprintf(stamp, sizeof(stamp), "%016llx", (unsigned long long)now_ms);
    nonce_mac(mac, secret, stamp);
    snprintf(out, 64, "%s%s", stamp, mac);
}

bool digest_nonce_check(const char *nonce, const uint8_t secret[16], uint64_t now_ms,
                        uint64_t max_age_ms)
{
    if (strlen(nonce) != 48)
        return false;
    char stamp[17], mac[33];
    memcpy(stamp, nonce, 16);
    stamp[16] = '\0';
    unsigned long long t = 0;
    for (unsigned i = 0; i < 16; i++) {
        char c = stamp[i];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else
            return false;
        t = t << 4 | v;
    }
    nonce_mac(mac, secret, stamp);
    if (memcmp(mac, nonce + 16, 32) != 0)
        return false;
    return t <= now_ms && now_ms - t <= max_age_ms;
}
