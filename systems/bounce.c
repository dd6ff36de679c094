/* systems/bounce.c -- reflects boids off the walls of the bounds. */
#include "swarm.h"

static void reflect(float *p, float *vel, float lo, float hi) {
    if (*p < lo) {
        *p = lo + (lo - *p);
        *vel = -*vel;
    } else if (*p > hi) {
        *p = hi - (*p - hi);
        *vel = -*vel;
    }
}

void bounce(bounce_view v) {
    const Bounds b = *v.bounds;
    for (int32_t i = 0; i < v.count; i++) {
        reflect(&v.position.x[i], &v.velocity.x[i], b.min_x, b.max_x);
        reflect(&v.position.y[i], &v.velocity.y[i], b.min_y, b.max_y);
    }
}
