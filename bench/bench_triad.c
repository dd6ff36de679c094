/* bench_triad.c -- TRIAD: STREAM's triad a[i] = b[i] + s*c[i] over three
 * float arrays of 64 MiB each, at each thread count; GB/s counts the
 * 3 x 64 MiB that the loop reads and writes (write-allocate traffic not
 * counted, as in STREAM). It is the memory bandwidth that W1 and W2 at
 * sizes beyond the caches run into.
 *
 * The thread pool's own triad (bench/bench_pool.c on branch `pool`, through
 * rt_pool_parallel_for) was not committed when this driver was written, so
 * this one uses plain pthreads: the caller plus threads-1 helpers, each on
 * a fixed slice, started and stopped by a barrier around every repetition
 * (the barrier's wake-up, tens of microseconds, is inside the timing and is
 * small against one pass of ~10 ms). Checked: every a[i] equals the scalar
 * expression after the last pass. */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define TRIAD_BYTES (64u << 20) /* per array */
#define TRIAD_S 3.0f

typedef struct triad {
    float *a, *b, *c;
    size_t n;
    int32_t threads;
    int32_t reps;             /* passes to run, warm-up included */
    pthread_barrier_t start, stop;
} triad;

typedef struct triad_worker {
    triad *t;
    int32_t id;
} triad_worker;

static void triad_slice(const triad *t, int32_t id, size_t *lo, size_t *hi) {
    /* slices of whole cache lines */
    size_t lines = (t->n + 15) / 16, per = (lines + (size_t)t->threads - 1) / (size_t)t->threads;
    *lo = (size_t)id * per * 16;
    *hi = *lo + per * 16;
    if (*lo > t->n) *lo = t->n;
    if (*hi > t->n) *hi = t->n;
}

static void triad_pass(const triad *t, int32_t id) {
    size_t lo, hi;
    triad_slice(t, id, &lo, &hi);
    float *restrict a = t->a;
    const float *restrict b = t->b, *restrict c = t->c;
    for (size_t i = lo; i < hi; i++) a[i] = b[i] + TRIAD_S * c[i];
}

static void triad_first_touch(const triad *t, int32_t id) {
    size_t lo, hi;
    triad_slice(t, id, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        t->a[i] = 0.0f;
        t->b[i] = bench_value(0x7001u, i);
        t->c[i] = bench_value(0x7002u, i);
    }
}

static void *triad_helper(void *arg) {
    triad_worker *wk = arg;
    triad *t = wk->t;
    triad_first_touch(t, wk->id);
    pthread_barrier_wait(&t->stop);
    for (int32_t r = 0; r < t->reps; r++) {
        pthread_barrier_wait(&t->start);
        triad_pass(t, wk->id);
        pthread_barrier_wait(&t->stop);
    }
    return NULL;
}

static int triad_threads(const bench_opts *o, size_t n, int32_t threads, bench_samples *gbs) {
    triad t = {.n = n, .threads = threads, .reps = o->reps + 1};
    t.a = bench_alloc(n * sizeof(float));
    t.b = bench_alloc(n * sizeof(float));
    t.c = bench_alloc(n * sizeof(float));
    pthread_t tid[BENCH_MAX_THREADS];
    triad_worker wk[BENCH_MAX_THREADS];
    int32_t started = 0;
    int err = -1;
    if (!t.a || !t.b || !t.c) {
        free(t.a), free(t.b), free(t.c);
        return bench_fail("TRIAD", "out of memory");
    }
    pthread_barrier_init(&t.start, NULL, (unsigned)threads);
    pthread_barrier_init(&t.stop, NULL, (unsigned)threads);
    for (; started < threads - 1; started++) {
        wk[started] = (triad_worker){&t, started + 1};
        if (pthread_create(&tid[started], NULL, triad_helper, &wk[started]) != 0) break;
    }
    if (started < threads - 1) {
        /* helpers already started wait at barriers sized for all: give up */
        fprintf(stderr, "ecsbench: TRIAD: could not start %d threads\n", threads);
        exit(1);
    }
    triad_first_touch(&t, 0);
    pthread_barrier_wait(&t.stop);
    for (int32_t r = -1; r < o->reps; r++) { /* r == -1: warm-up */
        uint64_t t0 = bench_now_ns();
        pthread_barrier_wait(&t.start);
        triad_pass(&t, 0);
        pthread_barrier_wait(&t.stop);
        uint64_t t1 = bench_now_ns();
        if (r >= 0) bench_samples_add(gbs, 3.0 * (double)(n * sizeof(float)) / (double)(t1 - t0));
    }
    for (int32_t i = 0; i < started; i++) pthread_join(tid[i], NULL);
    err = 0;
    for (size_t i = 0; i < n; i++)
        if (t.a[i] != t.b[i] + TRIAD_S * t.c[i]) {
            err = bench_fail("TRIAD", "%d threads: a[%zu] = %g, expected %g", threads, i,
                             (double)t.a[i], (double)(t.b[i] + TRIAD_S * t.c[i]));
            break;
        }
    pthread_barrier_destroy(&t.start);
    pthread_barrier_destroy(&t.stop);
    free(t.a), free(t.b), free(t.c);
    return err;
}

int bench_triad_run(const bench_opts *o) {
    size_t n = o->entities > 0 ? (size_t)o->entities : TRIAD_BYTES / sizeof(float);
    for (int32_t k = 0; k < o->n_threads; k++) {
        bench_samples gbs = {0};
        if (triad_threads(o, n, o->threads[k], &gbs) != 0) return -1;
        bench_row row = bench_row_init("TRIAD", "gb_per_s");
        row.threads = o->threads[k];
        row.extra[0] = (bench_extra){"mib_per_array", (double)(n * sizeof(float)) / (1 << 20)};
        bench_row_set(&row, &gbs);
        if (bench_add_row(&row) != 0) return -1;
    }
    return 0;
}
