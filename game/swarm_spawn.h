/* swarm_spawn.h -- how a new boid looks: shared by the spawn system and the
 * game's initial population, so both draw from the same streams. */
#ifndef SWARM_SPAWN_H
#define SWARM_SPAWN_H

#include "swarm.h"
#include "game/swarm_rng.h"

/* Fills a new boid from the spawner's next stream and counts it. */
static inline void swarm_boid_init(Boid_init *b, Spawner *sp, const Bounds *bounds) {
    uint64_t s = swarm_rng_seed(sp->seed, sp->spawned++);
    float w = bounds->max_x - bounds->min_x, h = bounds->max_y - bounds->min_y;
    b->position = (Position){bounds->min_x + swarm_rng_float(&s) * w,
                             bounds->min_y + swarm_rng_float(&s) * h};
    b->velocity = (Velocity){(swarm_rng_float(&s) - 0.5f) * 80.0f,
                             (swarm_rng_float(&s) - 0.5f) * 80.0f};
    b->lifetime = (Lifetime){0.0f, 2.0f + swarm_rng_float(&s) * 8.0f};
    b->color = (Color){0.3f + 0.7f * swarm_rng_float(&s), 0.5f + 0.5f * swarm_rng_float(&s),
                       1.0f, 1.0f};
    b->rng = (Rng){swarm_rng_next(&s) | 1u};
    b->goal = (Goal){b->position.x, b->position.y, 0.0f}; /* reached: seek asks at once */
}

#endif /* SWARM_SPAWN_H */
