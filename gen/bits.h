/* bits.h -- fixed-size bit sets over indices (systems, types, archetypes).
 *
 * The scheduler and the verifier compare access sets of every pair of
 * systems; as bit sets that is a handful of word operations per pair, which
 * keeps a 500-system schema well under a millisecond per pass. A set of n
 * bits is ECS_BITS_WORDS(n) words, owned by the caller. Header-only: every
 * function is small and static inline. */
#ifndef ECSC_BITS_H
#define ECSC_BITS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define ECS_BITS_WORDS(n) (((size_t)(n) + 63u) / 64u)

static inline void ecs_bits_set(uint64_t *b, int i) {
    b[(unsigned)i / 64u] |= (uint64_t)1 << ((unsigned)i % 64u);
}

static inline bool ecs_bits_has(const uint64_t *b, int i) {
    return (b[(unsigned)i / 64u] >> ((unsigned)i % 64u)) & 1u;
}

static inline bool ecs_bits_any_and(const uint64_t *a, const uint64_t *b, size_t words) {
    for (size_t i = 0; i < words; i++)
        if (a[i] & b[i]) return true;
    return false;
}

static inline void ecs_bits_or(uint64_t *dst, const uint64_t *src, size_t words) {
    for (size_t i = 0; i < words; i++) dst[i] |= src[i];
}

/* Lowest set bit of a & b at or after `from`, or -1. */
static inline int ecs_bits_next_and(const uint64_t *a, const uint64_t *b, size_t words,
                                    int from) {
    if (from < 0) from = 0;
    for (size_t w = (unsigned)from / 64u; w < words; w++) {
        uint64_t x = a[w] & (b ? b[w] : ~(uint64_t)0);
        if (w == (unsigned)from / 64u) x &= ~(uint64_t)0 << ((unsigned)from % 64u);
        if (x) return (int)(w * 64u + (unsigned)__builtin_ctzll(x));
    }
    return -1;
}

#endif /* ECSC_BITS_H */
