/* swarm_rng.h -- the game's deterministic random numbers. Each boid carries
 * its own xorshift64* stream (component Rng), seeded by splitmix64 from the
 * world seed and the boid's spawn number, so results never depend on the
 * order in which threads reach entities. Only integer math and one exact
 * conversion: the same bits on every machine. */
#ifndef SWARM_RNG_H
#define SWARM_RNG_H

#include <stdint.h>

static inline uint64_t swarm_splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline uint64_t swarm_rng_next(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, 1) with 24 bits: exactly representable as float. */
static inline float swarm_rng_float(uint64_t *state) {
    return (float)(swarm_rng_next(state) >> 40) * (1.0f / 16777216.0f);
}

/* A stream that is never zero (xorshift's fixed point). */
static inline uint64_t swarm_rng_seed(uint64_t seed, uint64_t stream) {
    uint64_t s = swarm_splitmix64(seed ^ swarm_splitmix64(stream));
    return s ? s : 0x9e3779b97f4a7c15ull;
}

#endif /* SWARM_RNG_H */
