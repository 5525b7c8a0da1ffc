/*
 * Included first in every file Frama-C analyses (scripts/eva-check.sh).
 *
 * Frama-C 25 does not parse _Alignof. lib/internal.h uses it only in
 * _Static_assert checks of the engine objects' alignment, which gcc and clang
 * check on every build; for the analysis both sides of each comparison become
 * the same constant, so those assertions hold trivially and nothing else
 * changes.
 */
#define _Alignof(type) 1
