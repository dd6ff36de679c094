/* Reads a resource it did not declare. */
#include "bodies.h"

extern rt_world *game_world;

void move(move_view v) {
    const Bounds *b = Bounds_resource(game_world);
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] < b->max_x) v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/generated_resource.c:7:23: error: system 'move' calls 'Bounds_resource', which reaches world data outside its view: declare the access (ECS_READ, ECS_WRITE) and use the view
// expect: tests/bad_bodies/generated_resource.c:7:39: error: system 'move' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
