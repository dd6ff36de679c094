/* bench_pool.c: benchmarks of the thread pool (runtime/pool.h). API and row
 * fields in bench/bench_pool.h; figures and commands in docs/pool.md.
 *
 * TRIAD is STREAM's triad a[i] = b[i] + s*c[i] over three 64 MiB float
 * arrays, through rt_pool_parallel_for in blocks of 256 KiB per array, on a
 * 1-thread pool and a 2-thread pool alternately (so both see the same machine
 * noise). Bytes counted per run: 3 x 64 MiB, as STREAM counts them. Each
 * repetition uses a different s, and the whole of a is checked against a scalar
 * loop after the last one, so a timing cannot be of work not done.
 *
 * POOL times an empty region (every thread bumps its own counter, checked
 * afterwards) at 2 threads: back to back, where rt_pool's workers are still
 * spinning, and after the workers parked and the machine idled for one 60 Hz
 * frame (how long a CPU has idled decides what waking it costs: on these VMs
 * about 8 us after 1 ms, 25-50 us after 16 ms). The same is done, in the same run,
 * with a naive pool whose workers wait on a pthread condition variable, the
 * textbook design whose wake cost ecsc must not pay per region. An offered region
 * (rt_pool_offer) after parking shows the owner calling off the sleeping
 * worker instead of waiting for its wake. A last rt_pool
 * case parks the workers, wakes them with rt_pool_wake, lets the owner work
 * for 200 us, then times the region: the frame-start pattern.
 *
 * bench_pool_idle_curve times the same region after the worker idled parked
 * for 50 us to one 60 Hz frame: the data behind the default spin and
 * rt_pool_wake (see the comment on rt_pool__calibrate in runtime/pool.c).
 *
 * Every figure is the median of at least 7 timed repetitions after one
 * warm-up, with min and max, timed with CLOCK_MONOTONIC.
 */
#include "bench_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"

#define BENCH_POOL_REPS 7                        /* timed repetitions */
#define BENCH_POOL_PARKED_REPS 15                /* parked regions are quick: take more */
#define BENCH_POOL_TRIAD_BYTES ((size_t)64 << 20) /* per array */
#define BENCH_POOL_TRIAD_GRAIN ((size_t)1 << 16)  /* floats per block: 256 KiB per array */
#define BENCH_POOL_B2B_RT 20000u                 /* back-to-back regions per repetition */
#define BENCH_POOL_B2B_NAIVE 1000u
#define BENCH_POOL_IDLE_US 16667u                /* idle before a "parked" region: a 60 Hz frame */
#define BENCH_POOL_OWNER_WORK_US 200u            /* "prewoken": owner work between wake and region */
#define BENCH_POOL_WAKE_SPIN_US 1000u            /* "prewoken": spin asked of rt_pool_wake */

static uint64_t bench_pool__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void bench_pool__sleep_us(uint32_t us) {
    struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};
    nanosleep(&ts, NULL);
}

static int bench_pool__cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, min and max of n samples (sorted in place) into row. */
static void bench_pool__summarize(double *s, uint32_t n, bench_pool_row *row) {
    qsort(s, n, sizeof *s, bench_pool__cmp);
    row->reps = n;
    row->min = s[0];
    row->max = s[n - 1];
    row->value = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* --- TRIAD ------------------------------------------------------------------ */

typedef struct bench_pool__triad {
    float *a;
    const float *b, *c;
    float s;
} bench_pool__triad;

static void bench_pool__triad_block(void *arg, uint32_t thread, size_t begin, size_t end) {
    (void)thread;
    const bench_pool__triad *t = arg;
    float *restrict a = t->a;
    const float *restrict b = t->b;
    const float *restrict c = t->c;
    const float s = t->s;
    for (size_t i = begin; i < end; i++) a[i] = b[i] + s * c[i];
}

/* First touch by the pool's own threads, so pages are placed as they are used. */
static void bench_pool__triad_init(void *arg, uint32_t thread, size_t begin, size_t end) {
    (void)thread;
    const bench_pool__triad *t = arg;
    float *b = (float *)t->b, *c = (float *)t->c;
    for (size_t i = begin; i < end; i++) {
        t->a[i] = 0.0f;
        b[i] = (float)(i % 1024) * 0.5f;
        c[i] = (float)(i % 777) * 0.25f;
    }
}

int bench_pool_triad(bench_pool_row *rows, int cap) {
    if (cap < BENCH_POOL_TRIAD_ROWS) return -1;
    const size_t n = BENCH_POOL_TRIAD_BYTES / sizeof(float);
    float *a = aligned_alloc(4096, BENCH_POOL_TRIAD_BYTES);
    float *b = aligned_alloc(4096, BENCH_POOL_TRIAD_BYTES);
    float *c = aligned_alloc(4096, BENCH_POOL_TRIAD_BYTES);
    rt_pool_result err1 = RT_POOL_OK, err2 = RT_POOL_OK;
    rt_pool *pools[2] = {rt_pool_create(&(rt_pool_desc){.threads = 1}, &err1),
                         rt_pool_create(&(rt_pool_desc){.threads = 2}, &err2)};
    int result = -1;
    if (!a || !b || !c || !pools[0] || !pools[1]) {
        fprintf(stderr, "bench_pool_triad: setup failed (%s, %s)\n", rt_pool_result_str(err1),
                rt_pool_result_str(err2));
        goto out;
    }
    bench_pool__triad t = {.a = a, .b = b, .c = c, .s = 0};
    if (rt_pool_parallel_for(pools[1], n, BENCH_POOL_TRIAD_GRAIN, bench_pool__triad_init, &t))
        goto out;

    double gbps[2][BENCH_POOL_REPS];
    const double bytes = 3.0 * (double)BENCH_POOL_TRIAD_BYTES;
    for (int rep = -1; rep < BENCH_POOL_REPS; rep++) { /* rep -1: warm-up */
        for (int k = 0; k < 2; k++) {
            t.s = 1.0f + (float)(rep + 1) + 0.5f * (float)k;
            uint64_t t0 = bench_pool__now_ns();
            rt_pool_result r = rt_pool_parallel_for(pools[k], n, BENCH_POOL_TRIAD_GRAIN,
                                                    bench_pool__triad_block, &t);
            uint64_t t1 = bench_pool__now_ns();
            if (r != RT_POOL_OK) goto out;
            if (rep >= 0) gbps[k][rep] = bytes / (double)(t1 - t0); /* bytes per ns = GB/s */
        }
    }
    /* The last run wrote a with the last s: check every element. */
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] + t.s * c[i]) {
            fprintf(stderr, "bench_pool_triad: a[%zu] = %g, expected %g\n", i, (double)a[i],
                    (double)(b[i] + t.s * c[i]));
            goto out;
        }
    }
    for (int k = 0; k < 2; k++) {
        rows[k] = (bench_pool_row){.workload = "TRIAD", .metric = "gb_per_s", .variant = "rt_pool",
                                   .state = "", .threads = (uint32_t)k + 1,
                                   .wakes_per_region = -1};
        bench_pool__summarize(gbps[k], BENCH_POOL_REPS, &rows[k]);
    }
    result = BENCH_POOL_TRIAD_ROWS;
out:
    rt_pool_destroy(pools[0]);
    rt_pool_destroy(pools[1]);
    free(a);
    free(b);
    free(c);
    return result;
}

/* --- a naive pool, for comparison ------------------------------------------- */

/* Workers block on a condition variable between regions; the owner broadcasts
 * to start one and waits on a second condition variable for the last worker. */
typedef struct bench_pool__naive {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    uint64_t gen;     /* regions started; workers wait for it to change */
    uint32_t pending; /* workers still running the current region */
    int stop;
    rt_pool_fn fn;
    void *ctx;
    uint32_t threads;
    pthread_t workers[1];
} bench_pool__naive;

typedef struct bench_pool__naive_arg {
    bench_pool__naive *pool;
    uint32_t index;
} bench_pool__naive_arg;

static void *bench_pool__naive_main(void *arg) {
    bench_pool__naive_arg *w = arg;
    bench_pool__naive *p = w->pool;
    pthread_mutex_lock(&p->mu);
    uint64_t seen = p->gen;
    for (;;) {
        while (p->gen == seen && !p->stop) pthread_cond_wait(&p->work, &p->mu);
        if (p->stop) break;
        seen = p->gen;
        rt_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        fn(ctx, w->index);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void bench_pool__naive_run(bench_pool__naive *p, rt_pool_fn fn, void *ctx) {
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->pending = p->threads - 1;
    p->gen++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    fn(ctx, 0);
    pthread_mutex_lock(&p->mu);
    while (p->pending) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* --- POOL: empty regions ---------------------------------------------------- */

#define BENCH_POOL_REGION_THREADS 2

typedef struct bench_pool__counts {
    _Alignas(128) uint64_t n; /* regions this thread ran */
} bench_pool__counts;

static void bench_pool__count(void *arg, uint32_t thread) {
    bench_pool__counts *c = arg;
    c[thread].n++;
}

static int bench_pool__check_counts(const bench_pool__counts *c, uint64_t expect,
                                    const char *what) {
    for (uint32_t t = 0; t < BENCH_POOL_REGION_THREADS; t++) {
        if (c[t].n != expect) {
            fprintf(stderr, "bench_pool_regions: %s: thread %u ran %llu regions, expected %llu\n",
                    what, t, (unsigned long long)c[t].n, (unsigned long long)expect);
            return -1;
        }
    }
    return 0;
}

static void bench_pool__wait_parked(rt_pool *p) {
    rt_pool_stats s;
    for (rt_pool_get_stats(p, &s); s.parked < rt_pool_threads(p) - 1; rt_pool_get_stats(p, &s))
        bench_pool__sleep_us(100);
    bench_pool__sleep_us(BENCH_POOL_IDLE_US);
}

int bench_pool_regions(bench_pool_row *rows, int cap) {
    if (cap < BENCH_POOL_REGION_ROWS) return -1;
    rt_pool_result err = RT_POOL_OK;
    rt_pool *pool = rt_pool_create(&(rt_pool_desc){.threads = BENCH_POOL_REGION_THREADS}, &err);
    if (!pool) {
        fprintf(stderr, "bench_pool_regions: rt_pool_create: %s\n", rt_pool_result_str(err));
        return -1;
    }
    bench_pool__naive naive = {.mu = PTHREAD_MUTEX_INITIALIZER,
                               .work = PTHREAD_COND_INITIALIZER,
                               .done = PTHREAD_COND_INITIALIZER,
                               .threads = BENCH_POOL_REGION_THREADS};
    bench_pool__naive_arg naive_arg = {.pool = &naive, .index = 1};
    if (pthread_create(&naive.workers[0], NULL, bench_pool__naive_main, &naive_arg) != 0) {
        fprintf(stderr, "bench_pool_regions: pthread_create failed\n");
        rt_pool_destroy(pool);
        return -1;
    }

    int result = -1;
    bench_pool__counts counts[BENCH_POOL_REGION_THREADS] = {0};
    double rt_b2b[BENCH_POOL_REPS], naive_b2b[BENCH_POOL_REPS], offer_b2b[BENCH_POOL_REPS];
    uint64_t offer_b2b_joined = 0;
    double rt_parked[BENCH_POOL_PARKED_REPS], naive_parked[BENCH_POOL_PARKED_REPS];
    double rt_prewoken[BENCH_POOL_PARKED_REPS], offer_parked[BENCH_POOL_PARKED_REPS];
    uint64_t offer_joined = 0;
    uint64_t expect = 0;
    rt_pool_stats s0, s1;
    uint64_t b2b_wakes = 0, b2b_regions = 0, parked_wakes = 0, prewoken_wakes = 0;

    /* Back to back: rt_pool_run, rt_pool_offer and the naive pool in turn in
     * every repetition. */
    for (int rep = -1; rep < BENCH_POOL_REPS; rep++) {
        rt_pool_get_stats(pool, &s0);
        uint64_t t0 = bench_pool__now_ns();
        for (uint32_t i = 0; i < BENCH_POOL_B2B_RT; i++)
            if (rt_pool_run(pool, bench_pool__count, counts)) goto out;
        uint64_t t1 = bench_pool__now_ns();
        rt_pool_get_stats(pool, &s1);
        expect += BENCH_POOL_B2B_RT;
        uint64_t joined_sum = 0;
        uint64_t t_offer = bench_pool__now_ns();
        for (uint32_t i = 0; i < BENCH_POOL_B2B_RT; i++) {
            uint32_t joined = 0;
            if (rt_pool_offer(pool, 0, bench_pool__count, counts, &joined)) goto out;
            joined_sum += joined;
        }
        uint64_t t_offer_end = bench_pool__now_ns();
        /* Thread 0 ran every offer; the worker the (joined_sum - offers) it joined. */
        counts[0].n -= BENCH_POOL_B2B_RT;
        counts[1].n -= joined_sum - BENCH_POOL_B2B_RT;
        for (uint32_t i = 0; i < BENCH_POOL_B2B_NAIVE; i++)
            bench_pool__naive_run(&naive, bench_pool__count, counts);
        uint64_t t_naive_end = bench_pool__now_ns();
        expect += BENCH_POOL_B2B_NAIVE;
        if (rep < 0) continue;
        rt_b2b[rep] = (double)(t1 - t0) / 1e3 / BENCH_POOL_B2B_RT;
        offer_b2b[rep] = (double)(t_offer_end - t_offer) / 1e3 / BENCH_POOL_B2B_RT;
        offer_b2b_joined += joined_sum - BENCH_POOL_B2B_RT;
        naive_b2b[rep] = (double)(t_naive_end - t_offer_end) / 1e3 / BENCH_POOL_B2B_NAIVE;
        b2b_wakes += s1.wakes - s0.wakes;
        b2b_regions += s1.regions - s0.regions;
    }
    if (bench_pool__check_counts(counts, expect, "back to back")) goto out;

    /* After the workers parked: one region at a time, after a sleep. */
    for (int rep = -1; rep < BENCH_POOL_PARKED_REPS; rep++) {
        bench_pool__wait_parked(pool);
        rt_pool_get_stats(pool, &s0);
        uint64_t t0 = bench_pool__now_ns();
        if (rt_pool_run(pool, bench_pool__count, counts)) goto out;
        uint64_t t1 = bench_pool__now_ns();
        rt_pool_get_stats(pool, &s1);
        bench_pool__sleep_us(BENCH_POOL_IDLE_US);
        uint64_t t2 = bench_pool__now_ns();
        bench_pool__naive_run(&naive, bench_pool__count, counts);
        uint64_t t3 = bench_pool__now_ns();
        expect += 2;
        /* The same region offered: the owner calls off the sleeping worker. */
        bench_pool__wait_parked(pool);
        uint32_t joined = 0;
        uint64_t t4 = bench_pool__now_ns();
        if (rt_pool_offer(pool, 0, bench_pool__count, counts, &joined)) goto out;
        uint64_t t5 = bench_pool__now_ns();
        counts[0].n--; /* thread 0 always runs; the worker only if it joined */
        if (joined == 2) counts[1].n--;
        if (rep < 0) continue;
        rt_parked[rep] = (double)(t1 - t0) / 1e3;
        naive_parked[rep] = (double)(t3 - t2) / 1e3;
        offer_parked[rep] = (double)(t5 - t4) / 1e3;
        parked_wakes += s1.wakes - s0.wakes;
        offer_joined += joined;
    }
    if (bench_pool__check_counts(counts, expect, "parked")) goto out;

    /* Parked, then woken ahead with rt_pool_wake as a frame would start: wake,
     * the main thread's own work (BENCH_POOL_OWNER_WORK_US of spinning here),
     * then the first region. */
    for (int rep = -1; rep < BENCH_POOL_PARKED_REPS; rep++) {
        bench_pool__wait_parked(pool);
        rt_pool_wake(pool, BENCH_POOL_WAKE_SPIN_US);
        uint64_t end = bench_pool__now_ns() + BENCH_POOL_OWNER_WORK_US * 1000u;
        while (bench_pool__now_ns() < end) {
        }
        rt_pool_get_stats(pool, &s0);
        uint64_t t0 = bench_pool__now_ns();
        if (rt_pool_run(pool, bench_pool__count, counts)) goto out;
        uint64_t t1 = bench_pool__now_ns();
        rt_pool_get_stats(pool, &s1);
        expect += 1;
        if (rep < 0) continue;
        rt_prewoken[rep] = (double)(t1 - t0) / 1e3;
        prewoken_wakes += s1.wakes - s0.wakes;
    }
    if (bench_pool__check_counts(counts, expect, "prewoken")) goto out;

    struct {
        const char *variant, *state;
        double *samples;
        uint32_t n;
        double wakes;
    } out[BENCH_POOL_REGION_ROWS] = {
        {"rt_pool", "back_to_back", rt_b2b, BENCH_POOL_REPS, (double)b2b_wakes / b2b_regions},
        {"naive_condvar", "back_to_back", naive_b2b, BENCH_POOL_REPS, -1},
        {"rt_pool_offer", "back_to_back", offer_b2b, BENCH_POOL_REPS,
         (double)offer_b2b_joined / ((double)BENCH_POOL_REPS * BENCH_POOL_B2B_RT)},
        {"rt_pool", "parked", rt_parked, BENCH_POOL_PARKED_REPS,
         (double)parked_wakes / BENCH_POOL_PARKED_REPS},
        {"naive_condvar", "parked", naive_parked, BENCH_POOL_PARKED_REPS, -1},
        {"rt_pool", "prewoken", rt_prewoken, BENCH_POOL_PARKED_REPS,
         (double)prewoken_wakes / BENCH_POOL_PARKED_REPS},
        {"rt_pool_offer", "parked", offer_parked, BENCH_POOL_PARKED_REPS,
         (double)(offer_joined - BENCH_POOL_PARKED_REPS) / BENCH_POOL_PARKED_REPS},
    };
    for (int k = 0; k < BENCH_POOL_REGION_ROWS; k++) {
        rows[k] = (bench_pool_row){.workload = "POOL", .metric = "us_per_region",
                                   .variant = out[k].variant, .state = out[k].state,
                                   .threads = BENCH_POOL_REGION_THREADS,
                                   .wakes_per_region = out[k].wakes,
                                   .spin_us = out[k].wakes >= 0 ? rt_pool_spin_us(pool) : 0};
        bench_pool__summarize(out[k].samples, out[k].n, &rows[k]);
    }
    result = BENCH_POOL_REGION_ROWS;
out:
    pthread_mutex_lock(&naive.mu);
    naive.stop = 1;
    pthread_cond_broadcast(&naive.work);
    pthread_mutex_unlock(&naive.mu);
    pthread_join(naive.workers[0], NULL);
    rt_pool_destroy(pool);
    return result;
}

/* --- POOL: what a wake costs after idling ---------------------------------- */

int bench_pool_idle_curve(bench_pool_row *rows, int cap) {
    static const struct {
        uint32_t idle_us;
        const char *state;
    } idles[BENCH_POOL_IDLE_ROWS] = {
        {50, "idle_50us"}, {200, "idle_200us"}, {1000, "idle_1ms"},
        {4000, "idle_4ms"}, {BENCH_POOL_IDLE_US, "idle_16.7ms"},
    };
    if (cap < BENCH_POOL_IDLE_ROWS) return -1;
    rt_pool_result err = RT_POOL_OK;
    /* The default spin: a shorter one would make the owner park too while it
     * waits for the worker, and the figure would hold two wakes. The idle time
     * is counted from the worker's parking. */
    rt_pool *pool = rt_pool_create(&(rt_pool_desc){.threads = BENCH_POOL_REGION_THREADS}, &err);
    if (!pool) {
        fprintf(stderr, "bench_pool_idle_curve: rt_pool_create: %s\n", rt_pool_result_str(err));
        return -1;
    }
    bench_pool__counts counts[BENCH_POOL_REGION_THREADS] = {0};
    uint64_t expect = 0;
    int result = -1;
    for (int k = 0; k < BENCH_POOL_IDLE_ROWS; k++) {
        double samples[BENCH_POOL_PARKED_REPS];
        uint64_t wakes = 0;
        for (int rep = -1; rep < BENCH_POOL_PARKED_REPS; rep++) {
            rt_pool_stats s0, s1;
            do {
                rt_pool_get_stats(pool, &s0);
            } while (s0.parked < BENCH_POOL_REGION_THREADS - 1);
            bench_pool__sleep_us(idles[k].idle_us);
            rt_pool_get_stats(pool, &s0);
            uint64_t t0 = bench_pool__now_ns();
            if (rt_pool_run(pool, bench_pool__count, counts)) goto out;
            uint64_t t1 = bench_pool__now_ns();
            rt_pool_get_stats(pool, &s1);
            expect++;
            if (rep < 0) continue;
            samples[rep] = (double)(t1 - t0) / 1e3;
            wakes += s1.wakes - s0.wakes;
        }
        rows[k] = (bench_pool_row){.workload = "POOL", .metric = "us_per_region",
                                   .variant = "rt_pool", .state = idles[k].state,
                                   .threads = BENCH_POOL_REGION_THREADS,
                                   .wakes_per_region = (double)wakes / BENCH_POOL_PARKED_REPS,
                                   .spin_us = rt_pool_spin_us(pool)};
        bench_pool__summarize(samples, BENCH_POOL_PARKED_REPS, &rows[k]);
    }
    if (bench_pool__check_counts(counts, expect, "idle curve")) goto out;
    result = BENCH_POOL_IDLE_ROWS;
out:
    rt_pool_destroy(pool);
    return result;
}

#ifdef BENCH_POOL_MAIN
static void bench_pool__print(const bench_pool_row *r) {
    printf("%-6s %-14s %-13s %u thr  %-14s %9.3f  (min %.3f, max %.3f, %u reps)", r->workload,
           r->variant, r->state[0] ? r->state : "-", r->threads, r->metric, r->value, r->min,
           r->max, r->reps);
    if (r->wakes_per_region >= 0 && r->workload[0] == 'P')
        printf(strcmp(r->variant, "rt_pool_offer") ? "  %.2f wakes/region"
                                                   : "  %.2f workers joined/region",
               r->wakes_per_region);
    printf("\n");
}

int main(void) {
    bench_pool_row triad[BENCH_POOL_TRIAD_ROWS], regions[BENCH_POOL_REGION_ROWS];
    bench_pool_row idle[BENCH_POOL_IDLE_ROWS];
    if (bench_pool_triad(triad, BENCH_POOL_TRIAD_ROWS) < 0) return 1;
    if (bench_pool_regions(regions, BENCH_POOL_REGION_ROWS) < 0) return 1;
    if (bench_pool_idle_curve(idle, BENCH_POOL_IDLE_ROWS) < 0) return 1;
    printf("bench_pool: median of >= %d reps after a warm-up; rt_pool's spin, measured at "
           "create: %u us\n",
           BENCH_POOL_REPS, regions[0].spin_us);
    for (int k = 0; k < BENCH_POOL_TRIAD_ROWS; k++) bench_pool__print(&triad[k]);
    for (int k = 0; k < BENCH_POOL_REGION_ROWS; k++) bench_pool__print(&regions[k]);
    printf("wake cost against time parked:\n");
    for (int k = 0; k < BENCH_POOL_IDLE_ROWS; k++) bench_pool__print(&idle[k]);
    printf("triad 2 threads / 1 thread: %.2fx\n", triad[1].value / triad[0].value);
    printf("naive / rt_pool, back to back: %.1fx (offered: %.1fx); parked: %.2fx (offered: "
           "%.1fx)\n",
           regions[1].value / regions[0].value, regions[1].value / regions[2].value,
           regions[4].value / regions[3].value, regions[4].value / regions[6].value);
    printf("rt_pool parked / back to back: %.1fx; prewoken / back to back: %.1fx\n",
           regions[3].value / regions[0].value, regions[5].value / regions[0].value);
    return 0;
}
#endif
