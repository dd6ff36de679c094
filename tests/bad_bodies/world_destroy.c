/* Structural change straight to the world, through a global handle. */
#include "bodies.h"

extern rt_world *game_world;

void age(age_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.health.hp[i] -= v.dt;
        if (v.health.hp[i] < 0.0f) rt_world_destroy_entity(game_world, v.entity[i]);
    }
}
// expect: tests/bad_bodies/world_destroy.c:9:36: error: system 'age' calls 'rt_world_destroy_entity', which changes the world's structure directly: declare the change (ECS_CREATES, ECS_DESTROYS, ECS_TOGGLES) and record it through its command buffer (v.cmd)
// expect: tests/bad_bodies/world_destroy.c:9:60: error: system 'age' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
