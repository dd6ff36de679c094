/* systems/shimmer.c -- a visual effect: each boid's colour shimmers with its
 * speed. It costs Effects.shimmer_work iterations per boid at quality 1 and
 * scales that by the quality level; 0 turns it off (the headless default).
 * Degradable (schemas/swarm.h): under load the runtime runs it on a slice of
 * the boids each frame, so each boid's colour changes every few frames. */
#include "swarm.h"
#include "game/swarm_effects.h"

void shimmer(shimmer_view v) {
    const int32_t work = (int32_t)((float)v.effects->shimmer_work * v.quality);
    if (work <= 0) return;
    swarm_shimmer(v.count, v.velocity.x, v.velocity.y, v.color.r, v.color.g, v.color.b, work);
}
