/* systems/spawn.c -- keeps the population at its target: creates boids
 * (through the command buffer) to replace those that died. */
#include "swarm.h"
#include "game/swarm_spawn.h"

void spawn(spawn_view v) {
    int32_t missing = v.spawner->target - v.n_boid;
    for (int32_t i = 0; i < missing; i++) {
        Boid_init init;
        swarm_boid_init(&init, v.spawner, v.bounds);
        spawn_create_Boid(v.cmd, &init);
    }
}
