/* bench_w4.c -- workload W4, overhead: 400 systems, 200 that match no
 * entity (idle###, archetype Nobody stays empty) and 200 that each add 1 to
 * their own component of the 100 entities of archetype Busy (work###).
 * Schema and bodies are written by bench/gen_overhead.sh. Metric: us per
 * frame at each thread count and per system; the floor is the same 200 x 100
 * float adds as plain loops, so ratio_to_floor shows what dispatching costs
 * beyond the work. Checked: every Busy column holds the number of frames
 * run, and Nobody is still empty. */
#include "bench.h"
#include "floor.h"
#include "overhead.h"

#include <stdlib.h>
#include <string.h>

#define W4_SYSTEMS 400
#define W4_WORKING 200
#define W4_ENTITIES 100   /* per working system */
#define W4_FRAMES 200     /* per timed repetition */
#define W4_STRIDE 128     /* floats between the floor's columns */

__attribute__((noinline)) void overhead_floor(float *const *cols, int32_t n_cols, int32_t n) {
    for (int32_t k = 0; k < n_cols; k++) {
        float *restrict c = cols[k];
        for (int32_t i = 0; i < n; i++) c[i] += 1.0f;
    }
}

static int w4_check(rt_world *w, float *const *fl, int64_t frames, int32_t threads) {
    const rt_table *t = rt_world_table(w, Busy_id);
    if (t->count != W4_ENTITIES || rt_world_count(w, Nobody_id) != 0)
        return bench_fail("W4", "%d Busy and %d Nobody entities, expected %d and 0", t->count,
                          rt_world_count(w, Nobody_id), W4_ENTITIES);
    if (t->desc->n_columns != W4_WORKING)
        return bench_fail("W4", "Busy has %d columns, expected %d", t->desc->n_columns,
                          W4_WORKING);
    for (int32_t k = 0; k < W4_WORKING; k++)
        for (int32_t i = 0; i < W4_ENTITIES; i++) {
            float v = ((const float *)t->columns[k])[i];
            if (v != (float)frames || fl[k][i] != (float)frames)
                return bench_fail("W4", "%d threads: %s of entity %d is %g (floor %g), "
                                  "expected %lld", threads, t->desc->columns[k].name, i,
                                  (double)v, (double)fl[k][i], (long long)frames);
        }
    return 0;
}

typedef struct w4_result {
    bench_samples ecs, base;
} w4_result;

static int w4_run_threads(const bench_opts *o, int32_t threads, w4_result *res) {
    int err = -1;
    float *fl[W4_WORKING];
    float *block = bench_alloc(sizeof(float) * W4_WORKING * W4_STRIDE);
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &overhead_program,
                                                   .threads = threads});
    if (!w || !block) {
        bench_fail("W4", "out of memory");
        goto done;
    }
    if (overhead_program.n_systems != W4_SYSTEMS) {
        bench_fail("W4", "the schema has %d systems, expected %d", overhead_program.n_systems,
                   W4_SYSTEMS);
        goto done;
    }
    /* the floor's columns: 64-byte aligned like the table's */
    for (int32_t k = 0; k < W4_WORKING; k++) fl[k] = block + (size_t)k * W4_STRIDE;
    for (int32_t i = 0; i < W4_ENTITIES; i++)
        if (rt_entity_is_null(Busy_create(w, NULL))) { /* NULL: zeros */
            bench_fail("W4", "create failed");
            goto done;
        }
    for (int32_t r = -1; r < o->reps; r++) { /* r == -1: warm-up */
        uint64_t t0 = bench_now_ns();
        for (int32_t f = 0; f < W4_FRAMES; f++)
            if (rt_world_frame(w, 1.0f / 60.0f) != RT_OK) {
                bench_fail("W4", "frame failed");
                goto done;
            }
        uint64_t t1 = bench_now_ns();
        for (int32_t f = 0; f < W4_FRAMES; f++) overhead_floor(fl, W4_WORKING, W4_ENTITIES);
        uint64_t t2 = bench_now_ns();
        if (r < 0) continue;
        bench_samples_add(&res->ecs, (double)(t1 - t0) / W4_FRAMES / 1e3);
        bench_samples_add(&res->base, (double)(t2 - t1) / W4_FRAMES / 1e3);
    }
    err = w4_check(w, fl, (int64_t)W4_FRAMES * (o->reps + 1), threads);
done:
    rt_world_destroy(w);
    free(block);
    return err;
}

int bench_w4_run(const bench_opts *o) {
    static w4_result res[BENCH_MAX_THREADS];
    memset(res, 0, sizeof res);
    for (int32_t k = 0; k < o->n_threads; k++)
        if (w4_run_threads(o, o->threads[k], &res[k]) != 0) return -1;
    for (int32_t k = 0; k < o->n_threads; k++) {
        bench_row row = bench_row_init("W4", "us_per_frame");
        row.entities = W4_ENTITIES;
        row.threads = o->threads[k];
        bench_row_set(&row, &res[k].ecs);
        row.floor = bench_median(&res[k].base);
        row.speedup_vs_1_thread = bench_median(&res[0].ecs) / row.value;
        row.extra[0] = (bench_extra){"systems", W4_SYSTEMS};
        row.extra[1] = (bench_extra){"us_per_system", row.value / W4_SYSTEMS};
        if (bench_add_row(&row) != 0) return -1;
    }
    return 0;
}
