/* A global counter written by a system that runs in chunks. */
#include "bodies.h"

static int64_t moved;

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * v.dt;
        moved++;
    }
}
// expect: tests/bad_bodies/global_counter_chunked.c:9:9: error: system 'move' writes global 'moved' (incremented), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
