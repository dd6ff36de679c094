/* bench_queue.h: the MPMC queue's throughput benchmark, callable from
 * build/ecsbench (workload JOBS) and standalone as build/bench_queue.
 * bench/bench_queue.c has the method; the figures are in docs/pool.md.
 */
#ifndef BENCH_QUEUE_H
#define BENCH_QUEUE_H

#include <stdint.h>

/* One result: the fields of a row of ecsbench's --json output. */
typedef struct bench_queue_row {
    const char *workload; /* "JOBS" */
    const char *metric;   /* "jobs_per_second" */
    const char *variant;  /* "single" (rt_queue_push/pop) or "batch16" (push_n/pop_n of 16) */
    uint32_t producers, consumers;
    uint32_t threads;     /* producers + consumers */
    uint32_t reps;        /* timed repetitions after one warm-up */
    double value;         /* median */
    double min, max;
} bench_queue_row;

#define BENCH_QUEUE_ROWS 4 /* {1p1c, 2p2c} x {single, batch16} */

/* Fills up to `cap` rows and returns how many, or -1 on failure (after
 * printing why to stderr). */
int bench_queue_jobs(bench_queue_row *rows, int cap);

#endif
