/*
 * Compiled without -fshort-enums, like the library: the layout of the public
 * structs that the library's own code sees (layout.h).
 */
#include "layout.h"

/* Enumerations take an int here, as they do in the library. */
_Static_assert(sizeof(prack_act_t) == sizeof(int), "compile this file without -fshort-enums");

const abi_fact_t abi_plain_facts[] = {ABI_FACTS};
const size_t abi_plain_count = sizeof(abi_plain_facts) / sizeof(abi_plain_facts[0]);
