/* bench_pool.h: the thread pool's benchmarks, callable from build/ecsbench and
 * standalone as build/bench_pool. bench/bench_pool.c has the method; the
 * figures are in docs/pool.md.
 *
 *   TRIAD  STREAM-style a[i] = b[i] + s*c[i] over three float arrays of
 *          64 MiB, at 1 and 2 threads through rt_pool_parallel_for; gb_per_s
 *          counts 3 x 64 MiB per run.
 *   POOL   the cost of an empty parallel region at 2 threads, back to back and
 *          after the workers parked, for rt_pool and, in the same run, for a
 *          naive pthread mutex + condition variable pool; and for rt_pool
 *          parked but woken ahead by rt_pool_wake.
 */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stdint.h>

/* One result: the fields of a row of ecsbench's --json output. */
typedef struct bench_pool_row {
    const char *workload; /* "TRIAD" or "POOL" */
    const char *metric;   /* "gb_per_s" or "us_per_region" */
    const char *variant;  /* TRIAD: "rt_pool"; POOL: "rt_pool" or "naive_condvar" */
    const char *state;    /* POOL: "back_to_back", "parked" or "prewoken" (parked, then
                             rt_pool_wake ahead of the region); TRIAD: "" */
    uint32_t threads;
    uint32_t reps;        /* timed repetitions after one warm-up */
    double value;         /* median */
    double min, max;
    double wakes_per_region; /* POOL rt_pool rows: futex wakes per region, from
                                rt_pool_get_stats (0 = workers were spinning); -1 elsewhere */
} bench_pool_row;

#define BENCH_POOL_TRIAD_ROWS 2  /* threads 1 and 2 */
#define BENCH_POOL_REGION_ROWS 5 /* {rt_pool, naive} x {back_to_back, parked}, rt_pool prewoken */

/* Each fills up to `cap` rows and returns how many, or -1 on failure (out of
 * memory, a thread that could not start, a result that failed its check),
 * after printing why to stderr. */
int bench_pool_triad(bench_pool_row *rows, int cap);
int bench_pool_regions(bench_pool_row *rows, int cap);

#endif
