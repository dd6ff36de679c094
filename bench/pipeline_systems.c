/* pipeline_systems.c -- W2's five system bodies (bench/schemas/pipeline.h)
 * and, below them, the plain-C floor they are measured against: the same
 * five loops over plain SoA float arrays, in the same order, compiled with
 * the same flags in this one file. Driver: bench/bench_w2.c. */
#include "pipeline.h"

#include "floor.h"

void move(move_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * dt;
        v.position.y[i] += v.velocity.y[i] * dt;
    }
}

void gravity(gravity_view v) {
    const float dv = 9.81f * v.dt;
    for (int32_t i = 0; i < v.count; i++) v.velocity.y[i] -= dv;
}

void decay(decay_view v) {
    const float dhp = 0.5f * v.dt;
    for (int32_t i = 0; i < v.count; i++) v.health.hp[i] -= dhp;
}

void age(age_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) v.lifetime.t[i] += dt;
}

void tint(tint_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        const float t = v.lifetime.t[i];
        v.color.r[i] = t * 0.5f;
        v.color.g[i] = 1.0f - t * 0.5f;
        v.color.b[i] = t * 0.25f;
        v.color.a[i] = 1.0f;
    }
}

/* The floor: one function per loop, like the systems, called in order. */
static void floor_move(float *restrict px, float *restrict py, const float *restrict vx,
                       const float *restrict vy, int32_t n, float dt) {
    for (int32_t i = 0; i < n; i++) {
        px[i] += vx[i] * dt;
        py[i] += vy[i] * dt;
    }
}

static void floor_sub(float *restrict x, int32_t n, float d) {
    for (int32_t i = 0; i < n; i++) x[i] -= d;
}

static void floor_add(float *restrict x, int32_t n, float d) {
    for (int32_t i = 0; i < n; i++) x[i] += d;
}

static void floor_tint(const float *restrict t, float *restrict r, float *restrict g,
                       float *restrict b, float *restrict a, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        r[i] = t[i] * 0.5f;
        g[i] = 1.0f - t[i] * 0.5f;
        b[i] = t[i] * 0.25f;
        a[i] = 1.0f;
    }
}

void pipeline_floor(const pipeline_arrays *s, int32_t n, float dt) {
    floor_move(s->px, s->py, s->vx, s->vy, n, dt);
    floor_sub(s->vy, n, 9.81f * dt);
    floor_sub(s->hp, n, 0.5f * dt);
    floor_add(s->t, n, dt);
    floor_tint(s->t, s->r, s->g, s->b, s->a, n);
}
