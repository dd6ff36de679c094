/* bench_exec_w2.c -- bodies of workload W2 (bench/schemas/exec_w2.h). The
 * floor in bench_exec.c does the same operations in the same order. */
#include "exec_w2.h"

void w2_move(w2_move_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * dt;
        v.position.y[i] += v.velocity.y[i] * dt;
    }
}

void w2_gravity(w2_gravity_view v) {
    const float g = 9.81f * v.dt;
    for (int32_t i = 0; i < v.count; i++) v.velocity.y[i] -= g;
}

void w2_decay(w2_decay_view v) {
    const float d = 0.5f * v.dt;
    for (int32_t i = 0; i < v.count; i++) v.health.hp[i] -= d;
}

void w2_age(w2_age_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) v.lifetime.t[i] += dt;
}

void w2_tint(w2_tint_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        float t = v.lifetime.t[i];
        v.color.r[i] = t * 0.5f;
        v.color.g[i] = 1.0f - t * 0.5f;
        v.color.b[i] = t * 0.25f;
        v.color.a[i] = 1.0f;
    }
}
