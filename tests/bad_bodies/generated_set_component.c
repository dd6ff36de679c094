/* Writes a component the system never declared, through the world API. */
#include "bodies.h"

extern rt_world *game_world;

void bounce(bounce_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] > v.bounds->max_x)
            Position_set(game_world, v.entity[i], (Position){v.bounds->max_x, v.position.y[i]});
}
// expect: tests/bad_bodies/generated_set_component.c:9:13: error: system 'bounce' calls 'Position_set', which reaches world data outside its view: declare the access (ECS_READ, ECS_WRITE) and use the view
// expect: tests/bad_bodies/generated_set_component.c:9:26: error: system 'bounce' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
