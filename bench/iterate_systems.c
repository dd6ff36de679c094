/* iterate_systems.c -- W1's system body (bench/schemas/iterate.h) and, next
 * to it, the plain-C floor it is measured against: the same loop over plain
 * SoA float arrays. Both are compiled with the same flags in this one file,
 * so the only difference left is what ecsc and the runtime add. Driver:
 * bench/bench_w1.c. */
#include "iterate.h"

#include "floor.h"

void integrate(integrate_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * dt;
        v.position.y[i] += v.velocity.y[i] * dt;
    }
}

void integrate_floor(float *restrict px, float *restrict py, const float *restrict vx,
                     const float *restrict vy, int32_t n, float dt) {
    for (int32_t i = 0; i < n; i++) {
        px[i] += vx[i] * dt;
        py[i] += vy[i] * dt;
    }
}
