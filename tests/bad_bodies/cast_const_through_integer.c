/* const laundered through an integer. */
#include "bodies.h"
#include <stdint.h>

void move(move_view v) {
    uintptr_t raw = (uintptr_t)v.velocity.x;
    float *vx = (float *)raw;
    for (int32_t i = 0; i < v.count; i++) {
        vx[i] *= 0.5f;
        v.position.x[i] += vx[i] * v.dt;
    }
}
// expect: tests/bad_bodies/cast_const_through_integer.c:7:17: error: system 'move' makes a pointer from an integer with a cast from 'uintptr_t' to 'float *': a system reaches data only through its view
