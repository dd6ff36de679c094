/* rtest_systems.c -- bodies of the systems in tests/schemas/rtest.h, steered
 * by the Knobs resource that each test sets. */
#include "rtest.h"

/* Destroys every entity whose A.v is negative. */
void killer(killer_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        if (v.a.v[i] >= 0) continue;
        killer_destroy_AB(v.cmd, v.entity[i]);
        if (v.knobs->double_kill) killer_destroy_AB(v.cmd, v.entity[i]);
    }
}

/* Tags every k-th entity of each run with T (by its B.n). */
void marker(marker_view v) {
    int32_t k = v.knobs->tag_every;
    if (k <= 0) return;
    for (int32_t i = 0; i < v.count; i++)
        if (v.b.n[i] % k == 0) marker_set_T(v.cmd, v.entity[i], true);
}

void counter(counter_view v) {
    (void)v.a;
    v.knobs->seen_t += v.count;
}

void breeder(breeder_view v) {
    for (int32_t i = 0; i < v.knobs->creates; i++) {
        AB_init init = {.a = {(float)(v.n_ab + i)}, .b = {.n = v.n_ab + i}};
        breeder_create_AB(v.cmd, &init);
    }
}

void grow(grow_view v) {
    for (int32_t i = 0; i < v.count; i++) v.b.w[i][0] += 1.0f;
}
