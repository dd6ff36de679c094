/* bench_w1.c -- workload W1, iterate: N entities with Position and Velocity
 * and one system, p += v*dt (bench/schemas/iterate.h, body in
 * bench/iterate_systems.c). Metric: ns per entity per frame at 1 thread,
 * against the same loop over plain SoA arrays (floor.h).
 *
 * The world and the floor arrays start from the same values and run the
 * same number of frames, so at the end their positions must be equal bit
 * for bit; a few sampled entities are also replayed by a scalar loop. */
#include "bench.h"
#include "floor.h"
#include "iterate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W1_DT (1.0f / 60.0f)   /* seconds per frame */
#define W1_WORK 64000000       /* entity-updates per timed repetition */
#define W1_SAMPLES 16

typedef struct w1_floor {
    float *px, *py, *vx, *vy;
} w1_floor;

static float w1_init(int field, int64_t i) { return bench_value(0x5157u + (uint32_t)field, (uint64_t)i); }

/* The scalar reference: entity i's position after `frames` frames. */
static void w1_reference(int64_t i, int64_t frames, float *x, float *y) {
    float px = w1_init(0, i), py = w1_init(1, i);
    const float vx = w1_init(2, i), vy = w1_init(3, i);
    for (int64_t f = 0; f < frames; f++) {
        px += vx * W1_DT;
        py += vy * W1_DT;
    }
    *x = px;
    *y = py;
}

static int w1_check(rt_world *w, const w1_floor *fl, int32_t n, int64_t frames) {
    const rt_table *t = rt_world_table(w, Mover_id);
    if (rt_world_count(w, Mover_id) != n)
        return bench_fail("W1", "%d entities, expected %d", rt_world_count(w, Mover_id), n);
    /* columns 0 and 1 are Position.x and .y (generated Mover_columns) */
    if (memcmp(t->columns[0], fl->px, sizeof(float) * (size_t)n) ||
        memcmp(t->columns[1], fl->py, sizeof(float) * (size_t)n))
        return bench_fail("W1", "N=%d: ecsc positions differ from the floor's", n);
    for (int32_t k = 0; k < W1_SAMPLES; k++) {
        int32_t i = bench_sample_index(n, k, W1_SAMPLES);
        float x, y;
        w1_reference(i, frames, &x, &y);
        Position p;
        if (Position_get(w, t->entities[i], &p) != RT_OK || p.x != x || p.y != y)
            return bench_fail("W1", "N=%d: entity %d at (%g, %g), reference (%g, %g)", n,
                              i, (double)p.x, (double)p.y, (double)x, (double)y);
    }
    return 0;
}

static int w1_size(const bench_opts *o, int32_t n) {
    int err = -1;
    w1_floor fl = {bench_alloc(sizeof(float) * (size_t)n), bench_alloc(sizeof(float) * (size_t)n),
                   bench_alloc(sizeof(float) * (size_t)n), bench_alloc(sizeof(float) * (size_t)n)};
    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = &iterate_program, .threads = 1, .initial_capacity = n});
    if (!w || !fl.px || !fl.py || !fl.vx || !fl.vy) {
        bench_fail("W1", "N=%d: out of memory", n);
        goto done;
    }
    for (int32_t i = 0; i < n; i++) {
        Mover_init init = {.position = {w1_init(0, i), w1_init(1, i)},
                           .velocity = {w1_init(2, i), w1_init(3, i)}};
        if (rt_entity_is_null(Mover_create(w, &init))) {
            bench_fail("W1", "N=%d: create failed", n);
            goto done;
        }
        fl.px[i] = init.position.x;
        fl.py[i] = init.position.y;
        fl.vx[i] = init.velocity.x;
        fl.vy[i] = init.velocity.y;
    }

    const int32_t frames = bench_frames_for(n, W1_WORK);
    bench_samples ecs = {0}, base = {0};
    for (int32_t r = -1; r < o->reps; r++) { /* r == -1: warm-up */
        uint64_t t0 = bench_now_ns();
        for (int32_t f = 0; f < frames; f++)
            if (rt_world_frame(w, W1_DT) != RT_OK) {
                bench_fail("W1", "N=%d: frame failed", n);
                goto done;
            }
        uint64_t t1 = bench_now_ns();
        for (int32_t f = 0; f < frames; f++) integrate_floor(fl.px, fl.py, fl.vx, fl.vy, n, W1_DT);
        uint64_t t2 = bench_now_ns();
        if (r < 0) continue;
        bench_samples_add(&ecs, (double)(t1 - t0) / ((double)frames * n));
        bench_samples_add(&base, (double)(t2 - t1) / ((double)frames * n));
    }
    if (w1_check(w, &fl, n, (int64_t)frames * (o->reps + 1)) != 0) goto done;

    bench_row row = bench_row_init("W1", "ns_per_entity");
    row.entities = n;
    row.threads = 1;
    bench_row_set(&row, &ecs);
    row.floor = bench_median(&base);
    err = bench_add_row(&row);
done:
    rt_world_destroy(w);
    free(fl.px), free(fl.py), free(fl.vx), free(fl.vy);
    return err;
}

int bench_w1_run(const bench_opts *o) {
    static const int32_t sizes[] = {10000, 100000, 1000000, 8000000};
    if (o->entities > 0) return w1_size(o, (int32_t)o->entities);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        if (w1_size(o, sizes[k]) != 0) return -1;
    return 0;
}
