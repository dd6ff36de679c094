/* A read-only column written through a cast. */
#include "bodies.h"

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        ((float *)v.velocity.x)[i] = 0.0f;
        v.position.x[i] += v.velocity.x[i] * v.dt;
    }
}
// expect: tests/bad_bodies/cast_const_column.c:6:10: error: system 'move' drops const with a cast from 'const float *' to 'float *': data a system reads must not be written (declare ECS_WRITE to write it)
