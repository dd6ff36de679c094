/* Helpers that take the system's own view, and a pointer to const data that
 * stays const all the way. */
#include "bodies.h"

static void integrate(move_view *v, int32_t i) {
    v->position.x[i] += v->velocity.x[i] * v->dt;
    v->position.y[i] += v->velocity.y[i] * v->dt;
}

static float sum(const float *xs, int32_t n) {
    float s = 0.0f;
    for (int32_t i = 0; i < n; i++) s += xs[i];
    return s;
}

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) integrate(&v, i);
    const float *ro = v.velocity.x;
    (void)sum(ro, v.count);
}
