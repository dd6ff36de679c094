/* A function-local static is shared by every chunk. */
#include "bodies.h"

void move(move_view v) {
    static float last_dt;
    last_dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * last_dt;
}
// expect: tests/bad_bodies/static_local.c:6:5: error: system 'move' writes global 'last_dt' (assigned), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
