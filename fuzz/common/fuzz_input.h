/*
 * Reading a fuzzer's byte string as a stream of small numbers.
 *
 * Every read succeeds: once the input is spent the reader returns zeros, so a
 * target never has to check lengths and a short input simply ends the run
 * with quiet, valid choices.
 */
#ifndef PRACK_FUZZ_INPUT_H
#define PRACK_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
    const uint8_t *p;
    size_t n;
} fz_t;

static inline int fz_empty(const fz_t *f)
{
    return f->n == 0;
}

static inline uint8_t fz_u8(fz_t *f)
{
    if (f->n == 0)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint16_t fz_u16(fz_t *f)
{
    uint16_t hi = fz_u8(f);
    return (uint16_t)((hi << 8) | fz_u8(f));
}

static inline uint32_t fz_u32(fz_t *f)
{
    uint32_t hi = fz_u16(f);
    return (hi << 16) | fz_u16(f);
}

static inline uint64_t fz_u64(fz_t *f)
{
    uint64_t hi = fz_u32(f);
    return (hi << 32) | fz_u32(f);
}

/* A bounded count of bytes for a string, then the string itself (may be short). */
static inline const uint8_t *fz_bytes(fz_t *f, size_t want, size_t *got)
{
    size_t n = want < f->n ? want : f->n;
    const uint8_t *p = f->p;
    f->p += n;
    f->n -= n;
    *got = n;
    return p;
}

#endif /* PRACK_FUZZ_INPUT_H */
