/* bench_pool.h: the thread pool's benchmarks, callable from build/ecsbench and
 * standalone as build/bench_pool. bench/bench_pool.c has the method; the
 * figures are in docs/pool.md.
 *
 *   TRIAD  STREAM-style a[i] = b[i] + s*c[i] over three float arrays of
 *          64 MiB, at 1 and 2 threads through rt_pool_parallel_for; gb_per_s
 *          counts 3 x 64 MiB per run.
 *   POOL   the cost of an empty parallel region at 2 threads, back to back and
 *          after the workers parked and idled for a 60 Hz frame, for rt_pool and, in the same run, for a
 *          naive pthread mutex + condition variable pool; for rt_pool parked
 *          but woken ahead by rt_pool_wake; and for an offered region
 *          (rt_pool_offer) after parking.
 */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stdint.h>

/* One result: the fields of a row of ecsbench's --json output. */
typedef struct bench_pool_row {
    const char *workload; /* "TRIAD" or "POOL" */
    const char *metric;   /* "gb_per_s" or "us_per_region" */
    const char *variant;  /* TRIAD: "rt_pool"; POOL: "rt_pool", "rt_pool_offer" (an offered
                             region) or "naive_condvar" */
    const char *state;    /* POOL: "back_to_back", "parked" or "prewoken" (parked, then
                             rt_pool_wake ahead of the region); TRIAD: "" */
    uint32_t threads;
    uint32_t reps;        /* timed repetitions after one warm-up */
    double value;         /* median */
    double min, max;
    double wakes_per_region; /* POOL rt_pool rows: futex wakes per region, from
                                rt_pool_get_stats (0 = workers were spinning); rt_pool_offer:
                                workers that joined per region; -1 elsewhere */
    uint32_t spin_us;        /* POOL rt_pool rows: the pool's spin, measured at create; else 0 */
} bench_pool_row;

#define BENCH_POOL_TRIAD_ROWS 2  /* threads 1 and 2 */
#define BENCH_POOL_REGION_ROWS 7 /* {rt_pool, naive, rt_pool_offer} x {back_to_back, parked},
                                    rt_pool prewoken */
#define BENCH_POOL_IDLE_ROWS 5   /* idle 50 us, 200 us, 1 ms, 4 ms, 16.7 ms */

/* Each fills up to `cap` rows and returns how many, or -1 on failure (out of
 * memory, a thread that could not start, a result that failed its check),
 * after printing why to stderr. */
int bench_pool_triad(bench_pool_row *rows, int cap);
int bench_pool_regions(bench_pool_row *rows, int cap);
/* POOL rows, rt_pool only, state "idle_50us" .. "idle_16.7ms": an empty region
 * after the worker idled parked that long. */
int bench_pool_idle_curve(bench_pool_row *rows, int cap);

#endif
