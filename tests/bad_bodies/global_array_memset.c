/* A global array cleared through memset: written through a pointer. */
#include "bodies.h"
#include <string.h>

static float scratch[256];

void move(move_view v) {
    memset(scratch, 0, sizeof scratch);
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/global_array_memset.c:8:12: error: system 'move' writes global 'scratch' (passed on as a pointer to mutable data), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
