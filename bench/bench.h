/* bench.h -- what the workloads of build/ecsbench share: options, result
 * rows, timing and checking helpers.
 *
 * A workload is one entry in the driver's table (bench/ecsbench.c): a name
 * and a run function. The run function measures the ecsc version and its
 * plain-C floor side by side in the same process, checks that both did the
 * work, and appends one row per figure with bench_add_row. The driver prints
 * the rows as a table for people and, with --json, as the JSON object of
 * /work/shared/WORKLOADS.md. The workloads are bench/bench_w1.c .. w4.c and
 * bench/bench_triad.c; the method and the figures are in docs/bench.md.
 *
 * How every figure is taken: one warm-up repetition, then opts->reps (>= 7)
 * timed ones with CLOCK_MONOTONIC, ecsc and floor interleaved repetition by
 * repetition so both see the same machine; the median is the value, with
 * min and max. A workload that finds a result differing from its scalar
 * reference calls bench_fail and the driver exits non-zero: a timing is
 * never reported for work that was not done. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_THREADS 16  /* entries of --threads */
#define BENCH_MAX_REPS 101
#define BENCH_MAX_EXTRA 4

typedef struct bench_opts {
    int32_t threads[BENCH_MAX_THREADS]; /* thread counts to run, ascending, 1 first */
    int32_t n_threads;
    int64_t entities;  /* --entities: one size for every workload; 0: their own */
    int32_t reps;      /* timed repetitions after the warm-up, >= 7 */
} bench_opts;

/* A named number a workload adds to its rows beyond the common fields
 * (e.g. W4's us_per_system). */
typedef struct bench_extra {
    const char *key;   /* NULL: unused */
    double value;
} bench_extra;

/* One result: the fields of a row of the JSON output. Numbers that do not
 * apply are NAN (use bench_row_init), strings NULL. */
typedef struct bench_row {
    const char *workload;    /* "W1" */
    const char *op;          /* W3: "create", "destroy", "tag_on", "tag_off" */
    const char *variant;     /* a second kind of the same op ("bulk"), or NULL */
    int64_t entities;        /* -1: not applicable */
    int32_t threads;
    const char *metric;      /* "ns_per_entity", "ms_per_frame", ... */
    double value, min, max;  /* median and range over the timed repetitions */
    double floor;            /* the plain-C floor's median, same unit */
    double speedup_vs_1_thread;
    int32_t identical;       /* 1/0: results equal across thread counts; -1: n/a */
    uint64_t hash;           /* world hash that `identical` compared (0: none) */
    bench_extra extra[BENCH_MAX_EXTRA];
} bench_row;

bench_row bench_row_init(const char *workload, const char *metric);
/* Appends a copy (strings must outlive the run: use literals); computes
 * ratio_to_floor. Returns 0, or -1 when out of memory. */
int bench_add_row(const bench_row *r);
int32_t bench_row_count(void);
const bench_row *bench_rows(void);

/* Reports a failed check or setup error of a workload on stderr; returns -1
 * so a run function can `return bench_fail(...)`. */
int bench_fail(const char *workload, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

uint64_t bench_now_ns(void); /* CLOCK_MONOTONIC */

/* Timed samples of one measured thing. */
typedef struct bench_samples {
    int32_t n;
    double v[BENCH_MAX_REPS];
} bench_samples;

void bench_samples_add(bench_samples *s, double v);
double bench_median(const bench_samples *s);
double bench_min(const bench_samples *s);
double bench_max(const bench_samples *s);
/* Fills value/min/max of r from s. */
void bench_row_set(bench_row *r, const bench_samples *s);

/* 64-byte aligned, zeroed; NULL when out of memory. Free with free(). */
void *bench_alloc(size_t bytes);

/* A deterministic float in [-1, 1) for (seed, i): the data of every
 * workload, so the ecsc world and its floor start from the same values. */
float bench_value(uint32_t seed, uint64_t i);

/* Frames per timed repetition so that one repetition does about `work`
 * entity-updates: at least 1. */
int32_t bench_frames_for(int64_t entities, int64_t work);

/* Entities sampled for scalar reference checks: `n` indices spread over
 * [0, count), first and last included. */
int32_t bench_sample_index(int64_t count, int32_t k, int32_t n);

/* Cost of one CLOCK_MONOTONIC read on this machine, ns (median of a few
 * runs): the executor reads the clock around every system, so W4 shows it. */
double bench_clock_read_ns(void);

/* --- the workloads (one file each) ---------------------------------------- */

int bench_w1_run(const bench_opts *o);    /* iterate: bench_w1.c */
int bench_w2_run(const bench_opts *o);    /* pipeline: bench_w2.c */
int bench_w3_run(const bench_opts *o);    /* churn: bench_w3.c */
int bench_w4_run(const bench_opts *o);    /* overhead: bench_w4.c */
int bench_triad_run(const bench_opts *o); /* bandwidth: bench_triad.c */
int bench_gfx_run(const bench_opts *o);   /* RENDER, the renderer: bench_gfx.c */
int bench_measure_run(const bench_opts *o); /* monitor on/off: bench_measure.c */
int bench_jobs_run(const bench_opts *o);  /* async jobs and their queue: bench_jobs.c */

#endif /* BENCH_H */
