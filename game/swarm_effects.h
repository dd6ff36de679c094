/* swarm_effects.h -- the shimmer effect, shared by its system
 * (systems/shimmer.c) and the game, which times the very same loop to size
 * its overload scenario (game/swarm_main.c, --overload). Per boid a logistic
 * map iterated `work` times from its speed: a chain of dependent multiplies
 * whose cost is `work` and whose bits are the same on every machine (the
 * project builds with -ffp-contract=off). */
#ifndef SWARM_EFFECTS_H
#define SWARM_EFFECTS_H

#include <stdint.h>

#define SWARM_MAX_SPEED 120.0f /* world units per second, as wander limits it */

/* Colours r, g, b of n boids moving at (vx, vy). */
static inline void swarm_shimmer(int32_t n, const float *restrict vx, const float *restrict vy,
                                 float *restrict r, float *restrict g, float *restrict b,
                                 int32_t work) {
    for (int32_t i = 0; i < n; i++) {
        float x = 0.1f + 0.8f * (vx[i] * vx[i] + vy[i] * vy[i]) /
                             (SWARM_MAX_SPEED * SWARM_MAX_SPEED);
        x = x < 0.1f ? 0.1f : x > 0.9f ? 0.9f : x;
        for (int32_t k = 0; k < work; k++) x = 3.7f * x * (1.0f - x);
        r[i] = 0.3f + 0.7f * x;
        g[i] = 1.0f - 0.5f * x;
        b[i] = 0.5f + 0.5f * x;
    }
}

#endif /* SWARM_EFFECTS_H */
