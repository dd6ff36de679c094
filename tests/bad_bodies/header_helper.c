/* A helper from a header writes a static. */
#include "bodies.h"
#include "helper.h"

void move(move_view v) {
    count_call();
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/header_helper.c:6:5: error: system 'move' calls 'count_call', which writes global 'calls_made' (incremented), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
