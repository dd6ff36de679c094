/* bench_render.h — the renderer benchmark as a function, for build/ecsbench
 * (and build/bench_render, which is bench_render.c built with
 * -DRD_BENCH_MAIN). See bench_render.c for what is measured and how.
 */
#ifndef BENCH_BENCH_RENDER_H
#define BENCH_BENCH_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RD_BENCH_MAX_ROWS 48

typedef struct rd_bench_row {
    const char *section;        /* "malloc", "paths", "pipelined", "fill",
                                   "entities", "size", "threads" */
    const char *config;         /* e.g. "auto", "quads+orphan" */
    uint32_t entities;          /* sprites submitted per frame */
    float sprite_px;            /* nominal sprite size, pixels */
    double ms_per_frame;        /* median wall time */
    double min_ms, max_ms;
    double cpu_ms;              /* median process CPU time (all threads,
                                   llvmpipe's included) per frame */
    double ratio;               /* median / the section's baseline median */
    uint32_t reps;
} rd_bench_row;

typedef struct rd_bench_desc {
    uint32_t reps;              /* timed frames per row after 1 warm-up; 0 = 9 */
    bool quick;                 /* 10k and 100k only, no size/thread sweeps */
    bool entities_only;         /* only the entities section and the 60 FPS
                                   searches (build/ecsbench RENDER) */
    uint32_t entities;          /* with entities_only: this one count instead
                                   of 10k, 100k and 1M, and no search; 0 = all */
} rd_bench_desc;

typedef struct rd_bench_result {
    char renderer[128];         /* GL_RENDERER */
    int32_t width, height;      /* 1280 x 720 */
    rd_bench_row rows[RD_BENCH_MAX_ROWS];
    uint32_t row_count;
    uint32_t count_at_60fps;    /* largest count whose median <= 16.67 ms (auto) */
    double ms_at_60fps;         /* its median */
    uint32_t baseline_at_60fps; /* same for quads+orphan, the naive path */
    double baseline_ms_at_60fps;
    uint32_t pipelined_at_60fps;/* auto, glFinish once per 8 frames */
    double pipelined_ms_at_60fps;
} rd_bench_result;

/* Runs the benchmark headless. Returns 0, or -1 when the renderer could not
 * be created or a frame did not draw what was asked (message on stderr). */
int rd_bench_run(const rd_bench_desc *desc, rd_bench_result *out);

void rd_bench_print(const rd_bench_result *res, FILE *f);
void rd_bench_print_json(const rd_bench_result *res, FILE *f);

#endif /* BENCH_BENCH_RENDER_H */
