/* A resource reached through a global pointer the game set up. */
#include "bodies.h"

extern Bounds *game_bounds;

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] < game_bounds->max_x) v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/global_resource_pointer.c:8:31: error: system 'move' reads global 'game_bounds' (of resource 'Bounds'), which holds world data outside its view: declare ECS_READ(Bounds)
