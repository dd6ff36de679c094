/* Toggles a tag directly instead of recording the change. */
#include "bodies.h"

extern rt_world *game_world;

void age(age_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.health.hp[i] -= v.dt;
        if (v.health.hp[i] < 1.0f) Fading_set(game_world, v.entity[i], true);
    }
}
// expect: tests/bad_bodies/generated_tag_set.c:9:36: error: system 'age' calls 'Fading_set', which changes the world's structure directly: declare the change (ECS_CREATES, ECS_DESTROYS, ECS_TOGGLES) and record it through its command buffer (v.cmd)
// expect: tests/bad_bodies/generated_tag_set.c:9:47: error: system 'age' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
