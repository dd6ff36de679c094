/* mtest_systems.c -- bodies of tests/schemas/mtest.h (test_measure.c). Every
 * body is a pure function of its rows and dt, so two runs that ran the same
 * rows with the same dt end bit-identical. */
#include "mtest.h"

void grow(grow_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.exact.a[i] = v.exact.a[i] * 1.0001f + v.dt;
        v.exact.b[i] += v.exact.a[i] * 0.5f;
    }
}

void shrink(shrink_view v) {
    for (int32_t i = 0; i < v.count; i++) v.exact.b[i] *= 0.999f;
}

void slice_me(slice_me_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.sliced.t[i] += v.dt;
        v.sliced.runs[i]++;
    }
}

void skip_me(skip_me_view v) {
    for (int32_t i = 0; i < v.count; i++) v.skipped.t[i] += v.dt;
}

void tick_skip(tick_skip_view v) {
    v.skips->runs++;
    v.skips->t += v.dt;
}

void haunt(haunt_view v) {
    for (int32_t i = 0; i < v.count; i++) v.idle.x[i] += 1.0f;
}
