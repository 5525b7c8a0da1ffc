/*
 * Helpers shared by the EVA drivers (verify/eva_*.c): values that may be
 * anything of their type. Frama-C's builtins return an abstract value covering
 * the whole interval; nothing here constrains the library's inputs.
 */
#ifndef PRACK_EVA_COMMON_H
#define PRACK_EVA_COMMON_H

#include <stdint.h>

#include "__fc_builtin.h"

static inline uint64_t any_u64(void)
{
    return Frama_C_unsigned_long_long_interval(0, UINT64_MAX);
}

static inline uint32_t any_u32(void)
{
    return Frama_C_unsigned_int_interval(0, UINT32_MAX);
}

static inline uint16_t any_u16(void)
{
    return Frama_C_unsigned_short_interval(0, UINT16_MAX);
}

/* true or false */
static inline int any_bool(void)
{
    return Frama_C_nondet(0, 1);
}

#endif
