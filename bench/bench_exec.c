/* bench_exec.c -- the executor's benchmarks (bench/bench_exec.h): W2, W4 and
 * the triad, measured side by side in one run.
 *
 * Method. Every variant of a workload is set up first (a world per thread
 * count and mode, and for W2 the floor: the same five loops as plain C over
 * plain float arrays holding the same data). Frames are timed in batches of
 * k frames (k chosen so a floor batch takes about batch_ms) with
 * CLOCK_MONOTONIC; after one warm-up batch of every variant, each
 * repetition times one batch of every variant in turn, so that a noisy
 * moment hits all of them alike. Reported: the median over repetitions of
 * the time per frame, min and max, and ratios (to the floor, to 1 thread)
 * as the median of the per-repetition ratios. Afterwards every world is
 * brought to the floor's frame count and compared with the floor's arrays
 * bit for bit (W2), or every counter with its exact expected value (W4):
 * a timing of work that was not done fails the run.
 *
 * Standalone: build/bench_exec [W2] [W4] [TRIAD] [--threads 1,2,...]
 *             [--entities N,...] [--reps N] [--chunk-rows N] [--json]
 */
#include "bench/bench_exec.h"
#include "bench/bench_pool.h"
#include "exec_w2.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* W4 lives in bench_exec_w4.c: its generated header cannot share a file
 * with W2's. */
rt_world *bench_exec_w4_world(int32_t threads, int32_t min_parallel_ns);
int bench_exec_w4_check(rt_world *w, uint64_t frames);

enum { MAX_THREADS = 8, MAX_SIZES = 8, MAX_REPS = 101, W2_COLUMNS = 10 };
static const float DT = 1.0f / 60.0f;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n) {
    double s[MAX_REPS];
    memcpy(s, v, sizeof *v * (size_t)n);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

static void min_max(const double *v, int n, double *lo, double *hi) {
    *lo = *hi = v[0];
    for (int i = 1; i < n; i++) {
        if (v[i] < *lo) *lo = v[i];
        if (v[i] > *hi) *hi = v[i];
    }
}

/* --- W2: the floor ----------------------------------------------------------- */

/* Column order of archetype Thing: Position.x, .y, Velocity.x, .y, Health.hp,
 * Lifetime.t, Color.r, .g, .b, .a. */
typedef struct w2_floor {
    float *col[W2_COLUMNS];
    size_t n;
} w2_floor;

static void w2_floor_frame(float *restrict px, float *restrict py, float *restrict vx,
                           float *restrict vy, float *restrict hp, float *restrict lt,
                           float *restrict cr, float *restrict cg, float *restrict cb,
                           float *restrict ca, size_t n, float dt) {
    for (size_t i = 0; i < n; i++) {
        px[i] += vx[i] * dt;
        py[i] += vy[i] * dt;
    }
    const float g = 9.81f * dt;
    for (size_t i = 0; i < n; i++) vy[i] -= g;
    const float d = 0.5f * dt;
    for (size_t i = 0; i < n; i++) hp[i] -= d;
    for (size_t i = 0; i < n; i++) lt[i] += dt;
    for (size_t i = 0; i < n; i++) {
        float t = lt[i];
        cr[i] = t * 0.5f;
        cg[i] = 1.0f - t * 0.5f;
        cb[i] = t * 0.25f;
        ca[i] = 1.0f;
    }
}

static void w2_floor_frames(w2_floor *f, int frames) {
    float **c = f->col;
    for (int k = 0; k < frames; k++)
        w2_floor_frame(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], f->n, DT);
}

static void w2_init_row(size_t i, float out[W2_COLUMNS]) {
    uint32_t s = (uint32_t)i * 2654435761u;
    out[0] = (float)(s % 1000);
    out[1] = (float)((s >> 10) % 1000);
    out[2] = (float)((s >> 3) % 64) - 32.0f;
    out[3] = (float)((s >> 7) % 64) - 32.0f;
    out[4] = 100.0f;
    out[5] = (float)(i % 600) / 60.0f;
    out[6] = out[7] = out[8] = out[9] = 0.0f;
}

static rt_world *w2_world(int64_t n, int32_t threads, bool system_major, int32_t chunk_rows) {
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &exec_w2_program,
                                                   .initial_capacity = (int32_t)n,
                                                   .threads = threads,
                                                   .chunk_rows = chunk_rows,
                                                   .system_major = system_major});
    if (!w) return NULL;
    for (int64_t i = 0; i < n; i++) {
        float r[W2_COLUMNS];
        w2_init_row((size_t)i, r);
        Thing_init t = {.position = {r[0], r[1]}, .velocity = {r[2], r[3]},
                        .health = {r[4]}, .lifetime = {r[5]},
                        .color = {r[6], r[7], r[8], r[9]}};
        if (rt_entity_is_null(Thing_create(w, &t))) {
            rt_world_destroy(w);
            return NULL;
        }
    }
    return w;
}

static int w2_check(rt_world *w, const w2_floor *f, const char *what) {
    rt_table *t = rt_world_table(w, Thing_id);
    if (t->count != (int32_t)f->n || t->desc->n_columns != W2_COLUMNS) {
        fprintf(stderr, "bench_exec: W2 %s: wrong shape\n", what);
        return -1;
    }
    for (int c = 0; c < W2_COLUMNS; c++)
        if (memcmp(t->columns[c], f->col[c], f->n * sizeof(float)) != 0) {
            fprintf(stderr, "bench_exec: W2 %s: column %s differs from the floor\n", what,
                    t->desc->columns[c].name);
            return -1;
        }
    return 0;
}

/* --- timing variants side by side ---------------------------------------------- */

typedef struct variant {
    const char *name;
    int32_t threads;
    rt_world *w;       /* NULL: the floor */
    uint64_t frames;   /* run so far */
    double t[MAX_REPS];/* seconds per frame, per rep */
} variant;

static void run_batch(variant *v, w2_floor *f, int frames) {
    if (v->w) {
        for (int k = 0; k < frames; k++) rt_world_frame(v->w, DT);
    } else {
        w2_floor_frames(f, frames);
    }
    v->frames += (uint64_t)frames;
}

static void time_batches(variant *vs, int nv, w2_floor *f, int frames, int reps) {
    for (int i = 0; i < nv; i++) run_batch(&vs[i], f, frames); /* warm-up */
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < nv; i++) {
            double t0 = now_s();
            run_batch(&vs[i], f, frames);
            vs[i].t[r] = (now_s() - t0) / frames;
        }
}

static bench_exec_row row_of(const variant *v, const char *workload, const char *metric,
                             int64_t n, int reps, double unit) {
    double lo, hi;
    min_max(v->t, reps, &lo, &hi);
    return (bench_exec_row){.workload = workload, .variant = v->name, .metric = metric,
                            .entities = n, .threads = v->threads, .reps = reps,
                            .value = median(v->t, reps) * unit, .min = lo * unit,
                            .max = hi * unit};
}

static double median_ratio(const double *a, const double *b, int reps) {
    double r[MAX_REPS];
    for (int i = 0; i < reps; i++) r[i] = a[i] / b[i];
    return median(r, reps);
}

/* --- W2 ----------------------------------------------------------------------------- */

static int bench_w2(int64_t n, const int32_t *threads, int nt, int reps, double batch_ms,
                    int32_t chunk_rows, bench_exec_row *rows, int cap) {
    w2_floor f = {.n = (size_t)n};
    variant vs[1 + 2 * MAX_THREADS] = {{.name = "floor", .threads = 1}};
    int nv = 1, out = -1;
    for (int c = 0; c < W2_COLUMNS; c++) {
        f.col[c] = aligned_alloc(64, ((size_t)n * sizeof(float) + 63) & ~(size_t)63);
        if (!f.col[c]) goto done;
    }
    for (size_t i = 0; i < f.n; i++) {
        float r[W2_COLUMNS];
        w2_init_row(i, r);
        for (int c = 0; c < W2_COLUMNS; c++) f.col[c][i] = r[c];
    }
    for (int mode = 0; mode < 2; mode++)
        for (int k = 0; k < nt; k++) {
            variant *v = &vs[nv++];
            v->name = mode ? "system_major" : "chunk_major";
            v->threads = threads[k];
            v->w = w2_world(n, threads[k], mode == 1, chunk_rows);
            if (!v->w) {
                fprintf(stderr, "bench_exec: W2: cannot create a world of %lld entities\n",
                        (long long)n);
                goto done;
            }
        }
    /* Frames per batch: about batch_ms of floor. */
    double t0 = now_s();
    w2_floor_frames(&f, 1);
    vs[0].frames = 1;
    double one = now_s() - t0;
    int frames = (int)(batch_ms * 1e-3 / (one > 1e-7 ? one : 1e-7));
    frames = frames < 1 ? 1 : frames > 100000 ? 100000 : frames;
    time_batches(vs, nv, &f, frames, reps);

    for (int i = 1; i < nv; i++) { /* same frames as the floor, then compare */
        while (vs[i].frames < vs[0].frames) run_batch(&vs[i], &f, 1);
        char what[64];
        snprintf(what, sizeof what, "%s, %d threads", vs[i].name, vs[i].threads);
        if (w2_check(vs[i].w, &f, what) != 0) goto done;
    }
    out = 0;
    for (int i = 0; i < nv && out < cap; i++) {
        bench_exec_row r = row_of(&vs[i], "W2", "ms_per_frame", n, reps, 1e3);
        r.floor = median(vs[0].t, reps) * 1e3;
        r.ratio_to_floor = median_ratio(vs[i].t, vs[0].t, reps);
        if (i > 0) { /* the 1-thread row of the same mode */
            int one_t = i <= nt ? 1 : 1 + nt;
            if (vs[one_t].threads == 1)
                r.speedup_vs_1_thread = median_ratio(vs[one_t].t, vs[i].t, reps);
        }
        rows[out++] = r;
    }
done:
    for (int i = 1; i < nv; i++) rt_world_destroy(vs[i].w);
    for (int c = 0; c < W2_COLUMNS; c++) free(f.col[c]);
    return out;
}

/* --- W4 ----------------------------------------------------------------------------- */

static int bench_w4(const int32_t *threads, int nt, int reps, double batch_ms,
                    bench_exec_row *rows, int cap) {
    variant vs[2 * MAX_THREADS];
    int nv = 0, out = -1;
    for (int k = 0; k < nt; k++) {
        vs[nv] = (variant){.name = "default", .threads = threads[k]};
        vs[nv].w = bench_exec_w4_world(threads[k], 0);
        if (!vs[nv++].w) goto fail;
    }
    for (int k = 0; k < nt; k++) {
        if (threads[k] == 1) continue;
        vs[nv] = (variant){.name = "forced_parallel", .threads = threads[k]};
        vs[nv].w = bench_exec_w4_world(threads[k], -1);
        if (!vs[nv++].w) goto fail;
    }
    /* Frames per batch: about batch_ms at the first variant's speed. */
    double t0 = now_s();
    for (int k = 0; k < 100; k++) rt_world_frame(vs[0].w, DT);
    vs[0].frames = 100;
    double one = (now_s() - t0) / 100;
    int frames = (int)(batch_ms * 1e-3 / (one > 1e-8 ? one : 1e-8));
    frames = frames < 1 ? 1 : frames > 20000 ? 20000 : frames;
    time_batches(vs, nv, NULL, frames, reps);
    for (int i = 0; i < nv; i++)
        if (bench_exec_w4_check(vs[i].w, vs[i].frames) != 0) goto fail;
    out = 0;
    for (int i = 0; i < nv && out < cap; i++) {
        bench_exec_row r = row_of(&vs[i], "W4", "us_per_frame", 100, reps, 1e6);
        r.per_system_us = r.value / 400.0;
        if (vs[0].threads == 1) r.speedup_vs_1_thread = median_ratio(vs[0].t, vs[i].t, reps);
        rows[out++] = r;
    }
fail:
    if (out < 0) fprintf(stderr, "bench_exec: W4 failed (world or check)\n");
    for (int i = 0; i < nv; i++) rt_world_destroy(vs[i].w);
    return out;
}

/* --- the driver ------------------------------------------------------------------------ */

int bench_exec_run(const bench_exec_desc *d, bench_exec_row *rows, int cap) {
    static const int64_t sizes_default[] = {100000, 1000000, 4000000};
    static const int32_t threads_default[] = {1, 2};
    uint32_t which = d && d->workloads ? d->workloads : BENCH_EXEC_W2 | BENCH_EXEC_W4 | BENCH_EXEC_TRIAD;
    int reps = d && d->reps > 0 ? d->reps : 9;
    if (reps > MAX_REPS) reps = MAX_REPS;
    double batch_ms = d && d->batch_ms > 0 ? d->batch_ms : 20.0;
    const int64_t *sizes = d && d->n_entities ? d->entities : sizes_default;
    int ns = d && d->n_entities ? d->n_entities : 3;
    /* Thread counts: 1 first (the baseline of every speedup), no repeats. */
    int32_t threads[MAX_THREADS] = {1};
    int nt = 1;
    const int32_t *tl = d && d->n_threads ? d->threads : threads_default;
    int ntl = d && d->n_threads ? d->n_threads : 2;
    for (int i = 0; i < ntl && nt < MAX_THREADS; i++) {
        bool dup = false;
        for (int k = 0; k < nt; k++) dup |= threads[k] == tl[i];
        if (!dup && tl[i] > 0) threads[nt++] = tl[i];
    }
    int n = 0;
    if (which & BENCH_EXEC_TRIAD) {
        bench_pool_row pr[BENCH_POOL_TRIAD_ROWS];
        int k = bench_pool_triad(pr, BENCH_POOL_TRIAD_ROWS);
        if (k < 0) return -1;
        for (int i = 0; i < k && n < cap; i++)
            rows[n++] = (bench_exec_row){.workload = "TRIAD", .variant = "rt_pool",
                                         .metric = "gb_per_s", .threads = (int32_t)pr[i].threads,
                                         .reps = (int32_t)pr[i].reps, .value = pr[i].value,
                                         .min = pr[i].min, .max = pr[i].max,
                                         .speedup_vs_1_thread = pr[i].value / pr[0].value};
    }
    if (which & BENCH_EXEC_W2)
        for (int s = 0; s < ns && s < MAX_SIZES; s++) {
            int k = bench_w2(sizes[s], threads, nt, reps, batch_ms, d ? d->chunk_rows : 0,
                             rows + n, cap - n);
            if (k < 0) return -1;
            n += k;
        }
    if (which & BENCH_EXEC_W4) {
        int k = bench_w4(threads, nt, reps, batch_ms, rows + n, cap - n);
        if (k < 0) return -1;
        n += k;
    }
    return n;
}

void bench_exec_print(FILE *out, const bench_exec_row *rows, int n) {
    fprintf(out, "%-6s %-16s %9s %3s %10s %10s %10s %-13s %8s %8s\n", "work", "variant",
            "entities", "thr", "median", "min", "max", "unit", "/floor", "speedup");
    for (int i = 0; i < n; i++) {
        const bench_exec_row *r = &rows[i];
        char ratio[16] = "", speed[16] = "";
        if (r->ratio_to_floor > 0) snprintf(ratio, sizeof ratio, "%.3f", r->ratio_to_floor);
        if (r->speedup_vs_1_thread > 0)
            snprintf(speed, sizeof speed, "%.3f", r->speedup_vs_1_thread);
        fprintf(out, "%-6s %-16s %9lld %3d %10.4f %10.4f %10.4f %-13s %8s %8s\n", r->workload,
                r->variant, (long long)r->entities, r->threads, r->value, r->min, r->max,
                r->metric, ratio, speed);
    }
}

#ifdef BENCH_EXEC_MAIN
#include <cjson/cJSON.h>

static int parse_list(const char *s, int64_t *out, int cap) {
    int n = 0;
    while (*s && n < cap) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v <= 0) return -1;
        out[n++] = v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return n;
}

static void print_json(const bench_exec_row *rows, int n) {
    cJSON *root = cJSON_CreateObject(), *results = cJSON_AddArrayToObject(root, "results");
    for (int i = 0; i < n; i++) {
        const bench_exec_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "workload", r->workload);
        cJSON_AddStringToObject(o, "variant", r->variant);
        if (r->entities) cJSON_AddNumberToObject(o, "entities", (double)r->entities);
        cJSON_AddNumberToObject(o, "threads", r->threads);
        cJSON_AddStringToObject(o, "metric", r->metric);
        cJSON_AddNumberToObject(o, "value", r->value);
        cJSON_AddNumberToObject(o, "min", r->min);
        cJSON_AddNumberToObject(o, "max", r->max);
        cJSON_AddNumberToObject(o, "reps", r->reps);
        if (r->floor > 0) cJSON_AddNumberToObject(o, "floor", r->floor);
        if (r->ratio_to_floor > 0) cJSON_AddNumberToObject(o, "ratio_to_floor", r->ratio_to_floor);
        if (r->speedup_vs_1_thread > 0)
            cJSON_AddNumberToObject(o, "speedup_vs_1_thread", r->speedup_vs_1_thread);
        if (r->per_system_us > 0) cJSON_AddNumberToObject(o, "per_system_us", r->per_system_us);
        cJSON_AddItemToArray(results, o);
    }
    char *s = cJSON_Print(root);
    if (s) puts(s);
    free(s);
    cJSON_Delete(root);
}

int main(int argc, char **argv) {
    bench_exec_desc d = {0};
    int64_t sizes[MAX_SIZES], tl[MAX_THREADS];
    int32_t threads[MAX_THREADS];
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "W2") == 0) d.workloads |= BENCH_EXEC_W2;
        else if (strcmp(a, "W4") == 0) d.workloads |= BENCH_EXEC_W4;
        else if (strcmp(a, "TRIAD") == 0) d.workloads |= BENCH_EXEC_TRIAD;
        else if (strcmp(a, "--json") == 0) json = true;
        else if (val && strcmp(a, "--entities") == 0) {
            if ((d.n_entities = parse_list(val, sizes, MAX_SIZES)) < 0) goto usage;
            d.entities = sizes;
            i++;
        } else if (val && strcmp(a, "--threads") == 0) {
            int k = parse_list(val, tl, MAX_THREADS);
            if (k < 0) goto usage;
            for (int j = 0; j < k; j++) threads[j] = (int32_t)tl[j];
            d.threads = threads;
            d.n_threads = k;
            i++;
        } else if (val && strcmp(a, "--chunk-rows") == 0) {
            d.chunk_rows = atoi(val);
            i++;
        } else if (val && strcmp(a, "--reps") == 0) {
            d.reps = atoi(val);
            i++;
        } else {
            goto usage;
        }
    }
    static bench_exec_row rows[256];
    int n = bench_exec_run(&d, rows, 256);
    if (n < 0) return 1;
    if (json) print_json(rows, n);
    else bench_exec_print(stdout, rows, n);
    return 0;
usage:
    fprintf(stderr, "usage: bench_exec [W2] [W4] [TRIAD] [--threads 1,2,...] "
                    "[--entities N,...] [--reps N] [--chunk-rows N] [--json]\n");
    return 2;
}
#endif
