/* Component data cached in a global array, outside any view. */
#include "bodies.h"

static Position cache[64];

void move(move_view v) {
    for (int32_t i = 0; i < v.count && i < 64; i++) {
        v.position.x[i] += v.velocity.x[i] * v.dt;
        cache[i].x = v.position.x[i];
    }
}
// expect: tests/bad_bodies/global_component_cache.c:9:9: error: system 'move' writes global 'cache' (of component 'Position'), which holds world data outside its view: declare ECS_WRITE(Position)
