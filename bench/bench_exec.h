/* bench_exec.h -- the executor's benchmarks, callable from build/ecsbench and
 * standalone as build/bench_exec. The method is at the top of
 * bench/bench_exec.c; the figures are in docs/exec.md.
 *
 *   W2     the five-system pipeline of shared/WORKLOADS.md at each size and
 *          thread count, chunk-major (the default) and system-major, against
 *          the five-loop floor (plain C over plain float arrays) in the same
 *          run: ms per frame, ratio to the floor, speedup over 1 thread.
 *   W4     400 systems, 200 over no entity, 200 over 100 entities: us per
 *          frame with the default settings, and with every stage forced onto
 *          every thread (what a scheduler that always wakes its workers pays).
 *   TRIAD  STREAM-style bandwidth at 1 and 2 threads (bench/bench_pool.c), in
 *          the same run, so that W2's 2-thread speedup at memory-bound sizes
 *          can be read against the machine's own 2/1-thread bandwidth ratio.
 */
#ifndef BENCH_EXEC_H
#define BENCH_EXEC_H

#include <stdint.h>
#include <stdio.h>

/* One result: the fields of a row of ecsbench's --json output. */
typedef struct bench_exec_row {
    const char *workload;  /* "W2", "W4", "TRIAD" */
    const char *variant;   /* W2: "chunk_major", "system_major", "floor";
                              W4: "default", "forced_parallel"; TRIAD: "rt_pool" */
    const char *metric;    /* "ms_per_frame", "us_per_frame", "gb_per_s" */
    int64_t entities;      /* 0 for TRIAD */
    int32_t threads;
    int32_t reps;          /* timed repetitions after a warm-up */
    double value;          /* median over reps */
    double min, max;
    double floor;          /* W2: the floor's median, same unit; else 0 */
    double ratio_to_floor; /* W2: median of per-rep (this / floor); else 0 */
    double speedup_vs_1_thread; /* median of per-rep (1 thread / this), same
                                   variant; 0 where there is no 1-thread row */
    double per_system_us;  /* W4: value / 400; else 0 */
} bench_exec_row;

enum bench_exec_workloads {
    BENCH_EXEC_W2 = 1u << 0,
    BENCH_EXEC_W4 = 1u << 1,
    BENCH_EXEC_TRIAD = 1u << 2
};

/* Zero means default for every field. */
typedef struct bench_exec_desc {
    uint32_t workloads;      /* bench_exec_workloads; zero: all */
    int32_t reps;            /* zero: 9 */
    int32_t n_entities;      /* W2 sizes; zero: 100k, 1M, 4M */
    const int64_t *entities;
    int32_t n_threads;       /* thread counts; zero: 1 and 2 (1 is always run) */
    const int32_t *threads;
    double batch_ms;         /* frames are timed in batches of about this; zero: 20 */
    int32_t chunk_rows;      /* the worlds' rt_world_desc.chunk_rows; zero: default */
} bench_exec_desc;

/* Fills up to `cap` rows and returns how many, or -1 on failure (out of
 * memory, a world that could not be created, a result that failed its check
 * against the floor or the expected values), after printing why to stderr. */
int bench_exec_run(const bench_exec_desc *d, bench_exec_row *rows, int cap);

/* The rows as a table for people. */
void bench_exec_print(FILE *out, const bench_exec_row *rows, int n);

#endif
