/* bench_w2.c -- workload W2, pipeline: N entities with Position, Velocity,
 * Health, Lifetime and Color; five systems Move, Gravity, Decay, Age, Tint
 * (bench/schemas/pipeline.h, bodies in bench/pipeline_systems.c). Metric:
 * ms per frame at each thread count (rt_world_desc.threads), speedup over
 * 1 thread, against the five plain loops on one thread (floor.h).
 *
 * For every thread count a fresh world and fresh floor arrays start from the
 * same values and run the same frames; at the end every column must equal
 * the floor's bit for bit, sampled entities must equal a scalar replay, and
 * the world's hash must be the same for every thread count. */
#include "bench.h"
#include "floor.h"
#include "pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W2_DT (1.0f / 60.0f)  /* seconds per frame */
#define W2_WORK 8000000       /* entity-frames per timed repetition */
#define W2_SAMPLES 16
#define W2_FIELDS 10          /* floats per entity */

/* The initial value of field f (0..9 in pipeline_arrays order) of entity i. */
static float w2_init(int f, int64_t i) { return bench_value(0x2000u + (uint32_t)f, (uint64_t)i); }

static float **w2_field(pipeline_arrays *s, int f) {
    float **fields[W2_FIELDS] = {&s->px, &s->py, &s->vx, &s->vy, &s->hp,
                                 &s->t,  &s->r,  &s->g,  &s->b,  &s->a};
    return fields[f];
}

/* Column of the Particle table holding field f (generated Particle_columns
 * follow the schema's declaration order, like pipeline_arrays). */
static const float *w2_column(const rt_table *t, int f) { return t->columns[f]; }

/* Entity i after `frames` frames, replayed one frame at a time. */
static void w2_reference(int64_t i, int64_t frames, float out[W2_FIELDS]) {
    float v[W2_FIELDS];
    for (int f = 0; f < W2_FIELDS; f++) v[f] = w2_init(f, i);
    for (int64_t k = 0; k < frames; k++) {
        v[0] += v[2] * W2_DT;         /* Move */
        v[1] += v[3] * W2_DT;
        v[3] -= 9.81f * W2_DT;        /* Gravity */
        v[4] -= 0.5f * W2_DT;         /* Decay */
        v[5] += W2_DT;                /* Age */
        v[6] = v[5] * 0.5f;           /* Tint */
        v[7] = 1.0f - v[5] * 0.5f;
        v[8] = v[5] * 0.25f;
        v[9] = 1.0f;
    }
    memcpy(out, v, sizeof v);
}

static int w2_check(rt_world *w, pipeline_arrays *fl, int32_t n, int32_t threads,
                    int64_t frames) {
    const rt_table *t = rt_world_table(w, Particle_id);
    if (t->count != n) return bench_fail("W2", "%d entities, expected %d", t->count, n);
    for (int f = 0; f < W2_FIELDS; f++)
        if (memcmp(w2_column(t, f), *w2_field(fl, f), sizeof(float) * (size_t)n))
            return bench_fail("W2", "N=%d, %d threads: column %s differs from the floor's",
                              n, threads, t->desc->columns[f].name);
    for (int32_t k = 0; k < W2_SAMPLES; k++) {
        int32_t i = bench_sample_index(n, k, W2_SAMPLES);
        float ref[W2_FIELDS];
        w2_reference(i, frames, ref);
        for (int f = 0; f < W2_FIELDS; f++)
            if (w2_column(t, f)[i] != ref[f])
                return bench_fail("W2", "N=%d: entity %d field %s is %g, reference %g", n, i,
                                  t->desc->columns[f].name, (double)w2_column(t, f)[i],
                                  (double)ref[f]);
    }
    return 0;
}

typedef struct w2_result {
    bench_samples ecs, base;
    uint64_t hash;
} w2_result;

static int w2_run_threads(const bench_opts *o, int32_t n, int32_t threads, w2_result *res) {
    int err = -1;
    pipeline_arrays fl = {0};
    for (int f = 0; f < W2_FIELDS; f++) *w2_field(&fl, f) = bench_alloc(sizeof(float) * (size_t)n);
    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = &pipeline_program, .threads = threads, .initial_capacity = n});
    bool ok = w != NULL;
    for (int f = 0; f < W2_FIELDS; f++) ok = ok && *w2_field(&fl, f);
    if (!ok) {
        bench_fail("W2", "N=%d: out of memory", n);
        goto done;
    }
    for (int32_t i = 0; i < n; i++) {
        Particle_init init = {
            .position = {w2_init(0, i), w2_init(1, i)},
            .velocity = {w2_init(2, i), w2_init(3, i)},
            .health = {w2_init(4, i)},
            .lifetime = {w2_init(5, i)},
            .color = {w2_init(6, i), w2_init(7, i), w2_init(8, i), w2_init(9, i)},
        };
        if (rt_entity_is_null(Particle_create(w, &init))) {
            bench_fail("W2", "N=%d: create failed", n);
            goto done;
        }
        for (int f = 0; f < W2_FIELDS; f++) (*w2_field(&fl, f))[i] = w2_init(f, i);
    }
    const int32_t frames = bench_frames_for(n, W2_WORK);
    for (int32_t r = -1; r < o->reps; r++) { /* r == -1: warm-up */
        uint64_t t0 = bench_now_ns();
        for (int32_t f = 0; f < frames; f++)
            if (rt_world_frame(w, W2_DT) != RT_OK) {
                bench_fail("W2", "N=%d: frame failed", n);
                goto done;
            }
        uint64_t t1 = bench_now_ns();
        for (int32_t f = 0; f < frames; f++) pipeline_floor(&fl, n, W2_DT);
        uint64_t t2 = bench_now_ns();
        if (r < 0) continue;
        bench_samples_add(&res->ecs, (double)(t1 - t0) / frames / 1e6);
        bench_samples_add(&res->base, (double)(t2 - t1) / frames / 1e6);
    }
    if (w2_check(w, &fl, n, threads, (int64_t)frames * (o->reps + 1)) != 0) goto done;
    res->hash = rt_world_hash(w);
    err = 0;
done:
    rt_world_destroy(w);
    for (int f = 0; f < W2_FIELDS; f++) free(*w2_field(&fl, f));
    return err;
}

static int w2_size(const bench_opts *o, int32_t n) {
    static w2_result res[BENCH_MAX_THREADS]; /* large: samples */
    memset(res, 0, sizeof res);
    for (int32_t k = 0; k < o->n_threads; k++)
        if (w2_run_threads(o, n, o->threads[k], &res[k]) != 0) return -1;
    bool identical = true;
    for (int32_t k = 1; k < o->n_threads; k++) identical &= res[k].hash == res[0].hash;
    for (int32_t k = 0; k < o->n_threads; k++) {
        bench_row row = bench_row_init("W2", "ms_per_frame");
        row.entities = n;
        row.threads = o->threads[k];
        bench_row_set(&row, &res[k].ecs);
        row.floor = bench_median(&res[k].base);
        row.speedup_vs_1_thread = bench_median(&res[0].ecs) / row.value;
        row.identical = identical;
        row.hash = res[k].hash;
        if (bench_add_row(&row) != 0) return -1;
    }
    if (!identical)
        return bench_fail("W2", "N=%d: world hashes differ between thread counts", n);
    return 0;
}

int bench_w2_run(const bench_opts *o) {
    static const int32_t sizes[] = {100000, 1000000, 4000000};
    if (o->entities > 0) return w2_size(o, (int32_t)o->entities);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        if (w2_size(o, sizes[k]) != 0) return -1;
    return 0;
}
