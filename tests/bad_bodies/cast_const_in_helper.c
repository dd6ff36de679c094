/* The cast hides in a helper of the same file. */
#include "bodies.h"

static void clamp(const float *speed, int32_t n) {
    float *w = (float *)speed;
    for (int32_t i = 0; i < n; i++)
        if (w[i] > 10.0f) w[i] = 10.0f;
}

void move(move_view v) {
    clamp(v.velocity.x, v.count);
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/cast_const_in_helper.c:5:16: error: function 'clamp' (reached from system 'move') drops const with a cast from 'const float *' to 'float *': data a system reads must not be written (declare ECS_WRITE to write it)
