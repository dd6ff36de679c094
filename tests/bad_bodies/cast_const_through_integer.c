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
// expect: tests/bad_bodies/cast_const_through_integer.c:6:21: error: system 'move' drops const with a cast from 'const float *' to 'uintptr_t': data a system reads must not be written (declare ECS_WRITE to write it)
