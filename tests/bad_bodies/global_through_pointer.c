/* Writes through a global pointer. */
#include "bodies.h"

extern float *debug_out;

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * v.dt;
        *debug_out = v.position.x[i];
    }
}
// expect: tests/bad_bodies/global_through_pointer.c:9:10: error: system 'move' writes global 'debug_out' (written through), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
