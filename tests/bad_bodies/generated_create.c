/* The generated world API creates immediately: no command buffer. */
#include "bodies.h"

extern rt_world *game_world;

void spawn(spawn_view v) {
    if (v.n_boid < 100) {
        Boid_init init = {0};
        init.position.x = v.bounds->min_x;
        Boid_create(game_world, &init);
    }
}
// expect: tests/bad_bodies/generated_create.c:10:9: error: system 'spawn' calls 'Boid_create', which changes the world's structure directly: declare the change (ECS_CREATES, ECS_DESTROYS, ECS_TOGGLES) and record it through its command buffer (v.cmd)
// expect: tests/bad_bodies/generated_create.c:10:21: error: system 'spawn' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
