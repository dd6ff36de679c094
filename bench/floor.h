/* floor.h -- the plain-C floors: each workload's work written by hand over
 * plain SoA float arrays, the same operations in the same order as the
 * ecsc systems. Each floor lives next to the system bodies it mirrors
 * (bench/iterate_systems.c, bench/pipeline_systems.c; W3's, which has no
 * systems, in bench/churn_floor.c) and is compiled with
 * the same flags; ratio_to_floor = ecsc time / floor time. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stdbool.h>
#include <stdint.h>

/* W1: one frame of p += v*dt over n entities. */
void integrate_floor(float *restrict px, float *restrict py, const float *restrict vx,
                     const float *restrict vy, int32_t n, float dt);

/* W2: the arrays of the pipeline, one per component field. */
typedef struct pipeline_arrays {
    float *px, *py;          /* Position */
    float *vx, *vy;          /* Velocity */
    float *hp;               /* Health */
    float *t;                /* Lifetime */
    float *r, *g, *b, *a;    /* Color */
} pipeline_arrays;

/* W2: one frame, five loops in the declared order Move, Gravity, Decay,
 * Age, Tint. */
void pipeline_floor(const pipeline_arrays *s, int32_t n, float dt);

/* W3: plain SoA arrays of Position and Velocity, no entity index. */
typedef struct churn_soa {
    float *px, *py, *vx, *vy;  /* [capacity] */
    int32_t count;
} churn_soa;

/* W3: appends n rows one after the other from n (x, y, vx, vy) quadruples
 * (the layout of Body_init). */
void churn_floor_create(churn_soa *s, const float (*in)[4], int32_t n);
/* W3: removes rows[0], rows[1], ... in turn, each by moving the last row
 * into it: the rows the ecsc world removed, in the same order. */
void churn_floor_destroy(churn_soa *s, const int32_t *rows, int32_t n);
/* W3: sets or clears tag bytes 0..n-1 one at a time (a byte per row, like
 * the world's tag columns). */
void churn_floor_tags(uint8_t *tags, int32_t n, bool on);

/* W4: one frame of the work of the 200 working systems: cols[k][i] += 1
 * for every column k and entity i (bench/bench_w4.c). */
void overhead_floor(float *const *cols, int32_t n_cols, int32_t n);

#endif /* BENCH_FLOOR_H */
