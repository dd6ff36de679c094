/* extest_systems.c -- bodies of the systems in tests/schemas/extest.h. Each
 * is a function of its own rows (and read-only resources), as chunked
 * systems must be; the Seed column gives every entity its own random
 * stream. `watch` and `tally` also report where and how they ran
 * (extest_systems.h). */
#include "extest.h"
#include "extest_systems.h"

#include <math.h>

extest_probe extest_probe_state;

static uint32_t next(uint32_t *s) { /* xorshift32 */
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static float unit(uint32_t *s) { return (float)(next(s) >> 8) * (1.0f / 16777216.0f); }

void ticker(ticker_view v) { v.ticks->frames++; }

void jitter(jitter_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        uint32_t s = v.seed.s[i];
        v.vel.x[i] += (unit(&s) - 0.5f) * 4.0f * v.dt;
        v.vel.y[i] += (unit(&s) - 0.5f) * 4.0f * v.dt;
        v.seed.s[i] = s;
    }
}

void drift(drift_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.pos.x[i] += v.vel.x[i] * v.dt;
        v.pos.y[i] += v.vel.y[i] * v.dt;
    }
}

void warm(warm_view v) {
    for (int32_t i = 0; i < v.count; i++) v.heat.h[i] += 1.0f * v.dt;
}

void cool(cool_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        float h = v.heat.h[i] - 0.25f * v.dt * (1.0f + fabsf(v.vel.x[i]));
        v.heat.h[i] = h < 0.0f ? 0.0f : h;
    }
}

void settle(settle_view v) {
    for (int32_t i = 0; i < v.count; i++) v.pos.y[i] -= v.mass.m[i] * v.dt;
}

void tally(tally_view v) {
    if (atomic_fetch_add(&extest_probe_state.tally_inside, 1) != 0)
        atomic_fetch_add(&extest_probe_state.tally_overlaps, 1);
    if (v.tally->frame != v.ticks->frames) {
        v.tally->frame = v.ticks->frames;
        v.tally->rows = 0;
    }
    v.tally->rows += v.count;
    for (int32_t i = 0; i < v.count; i++) v.tally->sum_x += v.pos.x[i];
    atomic_fetch_sub(&extest_probe_state.tally_inside, 1);
}

void marker(marker_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        uint32_t s = v.seed.s[i];
        if (v.heat.h[i] > 0.5f && (s & 1)) marker_set_Hot(v.cmd, v.entity[i], true);
        else if (v.heat.h[i] < 0.2f) marker_set_Hot(v.cmd, v.entity[i], false);
        if ((s >> 3) & 1) marker_set_Marked(v.cmd, v.entity[i], (s >> 4) & 1);
    }
}

void reaper(reaper_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.heat.h[i] > v.ctl->max_heat) reaper_destroy_Mover(v.cmd, v.entity[i]);
}

void sweeper(sweeper_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (fabsf(v.pos.x[i]) > 3.0f || fabsf(v.pos.y[i]) > 3.0f)
            sweeper_destroy_Dust(v.cmd, v.entity[i]);
}

void watch(watch_view v) {
    atomic_fetch_add(&extest_probe_state.watch_calls, 1);
    if (!pthread_equal(pthread_self(), extest_probe_state.frame_thread))
        atomic_fetch_add(&extest_probe_state.watch_elsewhere, 1);
    (void)v;
}

void spawner(spawner_view v) {
    for (int32_t i = v.n_mover; i < v.ctl->movers; i++) {
        uint32_t s = 0x9e3779b9u ^ (uint32_t)(i * 2654435761u);
        if (!s) s = 1;
        Mover_init m = {.pos = {unit(&s) * 10.0f - 5.0f, unit(&s) * 10.0f - 5.0f},
                        .heat = {unit(&s)}};
        m.seed.s = s;
        spawner_create_Mover(v.cmd, &m);
    }
    for (int32_t i = 0; i < v.ctl->dust_per_frame; i++) {
        uint32_t s = 0x85ebca6bu ^ (uint32_t)((v.n_dust + i) * 2246822519u);
        if (!s) s = 1;
        Dust_init d = {.pos = {unit(&s) * 4.0f - 2.0f, unit(&s) * 4.0f - 2.0f}};
        d.seed.s = s;
        spawner_create_Dust(v.cmd, &d);
    }
}

void rockfall(rockfall_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.mass.m[i] *= 0.999f;
        v.pos.y[i] += v.mass.m[i] * 0.5f * v.dt;
    }
}
