/*
 * MD5 (RFC 1321) and HTTP Digest authentication as SIP uses it (RFC 2617,
 * RFC 3261 section 22.4), for the example programs: the UAC answers 401/407
 * challenges on INVITE and PRACK, the UAS challenges them (RFC 3262 R57).
 */
#ifndef EXAMPLES_DIGEST_H
#define EXAMPLES_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct md5_ctx {
    uint32_t state[4];
    uint64_t bytes;
    uint8_t block[64];
} md5_ctx_t;

void md5_init(md5_ctx_t *ctx);
void md5_update(md5_ctx_t *ctx, const void *data, size_t len);
void md5_final(md5_ctx_t *ctx, uint8_t digest[16]);
/* Lower-case hex of the MD5 of data, NUL-terminated. */
void md5_hex(const void *data, size_t len, char out[33]);

/* The parameters of a challenge (WWW-/Proxy-Authenticate) or of credentials. */
typedef struct digest_params {
    char realm[128];
    char nonce[128];
    char opaque[128];
    char algorithm[32]; /* empty means MD5 */
    char qop[64];       /* challenge: the offered list; credentials: the chosen one */
    char username[128];
    char uri[256];
    char response[64];
    char cnonce[128];
    char nc[16];
    bool stale;
} digest_params_t;

/*
 * Parse `Digest k=v, k="v", ...` from a header value. Returns 0, or -1 when
 * the scheme is not Digest, the syntax is broken or a value does not fit.
 */
int digest_parse(const char *s, size_t n, digest_params_t *d);

/*
 * The request-digest (RFC 2617 3.2.2.1) in lower-case hex. qop is "" or
 * "auth"; algorithm is "", "MD5" or "MD5-sess".
 */
void digest_compute(char out[33], const char *algorithm, const char *user, const char *realm,
                    const char *pass, const char *nonce, const char *nc, const char *cnonce,
                    const char *qop, const char *method, const char *uri);

/*
 * Write the value of an Authorization or Proxy-Authorization header answering
 * `chal`. Returns the length, or -1 when the challenge asks for something
 * unsupported (auth-int only, an unknown algorithm) or the buffer is small.
 */
int digest_authorization(char *out, size_t cap, const digest_params_t *chal, const char *user,
                         const char *pass, const char *method, const char *uri, uint32_t nc,
                         const char *cnonce);

/* Whether credentials answer correctly for user/pass in realm, for this method. */
bool digest_verify(const digest_params_t *cred, const char *realm, const char *user,
                   const char *pass, const char *method);

/*
 * Stateless server nonces: the issue time and an MD5 over it and a secret.
 * digest_nonce_check() accepts one of ours no older than max_age_ms.
 */
void digest_nonce_make(char out[64], const uint8_t secret[16], uint64_t now_ms);
bool digest_nonce_check(const char *nonce, const uint8_t secret[16], uint64_t now_ms,
                        uint64_t max_age_ms);

#endif /* EXAMPLES_DIGEST_H */
