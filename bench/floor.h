/* floor.h -- the plain-C floors: each workload's work written by hand over
 * plain SoA float arrays, the same operations in the same order as the
 * ecsc systems. Each floor lives next to the system bodies it mirrors
 * (bench/iterate_systems.c, bench/pipeline_systems.c) and is compiled with
 * the same flags; ratio_to_floor = ecsc time / floor time. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

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

/* W4: one frame of the work of the 200 working systems: cols[k][i] += 1
 * for every column k and entity i (bench/bench_w4.c). */
void overhead_floor(float *const *cols, int32_t n_cols, int32_t n);

#endif /* BENCH_FLOOR_H */
