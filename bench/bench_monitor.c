/* bench_monitor.c -- what measuring costs: the clock, one rt_monitor_record(),
 * one rt_monitor_frame_end() and one budget-controller frame at 400 systems, and
 * W2 (docs/WORKLOADS.md: five systems over 1M entities) run plain and measured
 * side by side, on two identical copies of the data that must end bit-equal.
 *
 * bench_monitor_run() fills rows for the build/ecsbench driver; compiled with
 * -DBENCH_MONITOR_MAIN this file is also build/bench_monitor, which prints them
 * (--json for one JSON object). Every figure is the median of `reps` repetitions
 * after a warm-up, with min and max, timed with CLOCK_MONOTONIC; the ratios come
 * from the same run. Read docs/budgets.md for the figures and what they mean.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "monitor.h"

typedef struct bench_monitor_row {
    const char *name;    /* what was timed */
    const char *metric;  /* "ns_per_call", "us_per_call", "ms_per_frame", "ratio", "percent" */
    int32_t systems;     /* systems the monitor had */
    int32_t threads;     /* thread slots the monitor had */
    double value;        /* median */
    double min, max;
} bench_monitor_row;

typedef struct bench_monitor_desc {
    int32_t reps;        /* repetitions after the warm-up; 0 -> 9 (at least 7) */
    int64_t entities;    /* W2 size; 0 -> 1000000 */
    int32_t systems;     /* for the per-call costs; 0 -> 400 */
    int32_t chunk;       /* W2 entities per chunk, one record() each; 0 -> 16384 */
} bench_monitor_desc;

int bench_monitor_run(const bench_monitor_desc *desc, bench_monitor_row *rows, int cap);

/* ---- timing helpers ---------------------------------------------------------- */

enum { BENCH_MONITOR_MAX_REPS = 64 };

static int bench_monitor__cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, min and max of n samples (sorted in place) into a row. For slowdowns
 * and ratios the median is of per-repetition (or per-pair) ratios. */
static bench_monitor_row bench_monitor__row(const char *name, const char *metric, int32_t systems,
                                            int32_t threads, double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_monitor__cmp);
    double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return (bench_monitor_row){name, metric, systems, threads, median, v[0], v[n - 1]};
}

static uint64_t bench_monitor__sink; /* keeps results alive */

/* ---- per-call costs -------------------------------------------------------- */

static char **bench_monitor__names(int32_t n) {
    char **names = malloc((size_t)n * sizeof *names);
    for (int32_t i = 0; i < n; i++) {
        names[i] = malloc(16);
        snprintf(names[i], 16, "s%d", (int)i);
    }
    return names;
}

static void bench_monitor__free_names(char **names, int32_t n) {
    for (int32_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static rt_monitor *bench_monitor__monitor(char **names, int32_t systems, int32_t threads, int32_t spans) {
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {
        .system_count = systems,
        .system_names = (const char *const *)names,
        .thread_count = threads,
        .trace_spans = spans,
    };
    if (rt_monitor_create(&d, &mon) != 0) {
        fprintf(stderr, "bench_monitor: rt_monitor_create failed\n");
        exit(1);
    }
    return mon;
}

/* ns per clock read. */
static double bench_monitor__clock(uint64_t (*clock)(void), int calls) {
    uint64_t t0 = rt_monitor_monotonic_ns(), acc = 0;
    for (int i = 0; i < calls; i++) acc += clock();
    uint64_t t1 = rt_monitor_monotonic_ns();
    bench_monitor__sink += acc;
    return (double)(t1 - t0) / calls;
}

/* ns per record(), frames of one chunk per system, with or without clock reads. */
static double bench_monitor__record(rt_monitor *mon, int32_t systems, int frames, int with_clock) {
    uint64_t t0 = rt_monitor_monotonic_ns();
    if (with_clock) {
        for (int f = 0; f < frames; f++)
            for (int32_t s = 0; s < systems; s++) {
                uint64_t b = rt_monitor_now_ns();
                rt_monitor_record(mon, s, 0, b, rt_monitor_now_ns());
            }
    } else {
        uint64_t t = 1000;
        for (int f = 0; f < frames; f++)
            for (int32_t s = 0; s < systems; s++, t += 7) rt_monitor_record(mon, s, 0, t, t + 5);
    }
    uint64_t t1 = rt_monitor_monotonic_ns();
    rt_monitor_frame_end(mon, 1); /* so that accumulators do not grow across reps */
    return (double)(t1 - t0) / ((double)frames * systems);
}

/* us per frame_end() with one chunk of every system recorded on every thread. */
static double bench_monitor__frame_end(rt_monitor *mon, int32_t systems, int32_t threads, int frames) {
    uint64_t spent = 0;
    for (int f = 0; f < frames; f++) {
        for (int32_t t = 0; t < threads; t++)
            for (int32_t s = 0; s < systems; s++) rt_monitor_record(mon, s, t, 100, 200);
        uint64_t t0 = rt_monitor_monotonic_ns();
        rt_monitor_frame_end(mon, 16000000);
        spent += rt_monitor_monotonic_ns() - t0;
    }
    return (double)spent / frames / 1e3;
}

static void bench_monitor__quiet(void *user, const rt_budget_event *ev) {
    (void)user;
    (void)ev;
}

/* us per budget-controller frame (begin + end_monitor), a third of the systems
 * degradable, every system over target so the status machine and throttle run. */
static double bench_monitor__budget(rt_monitor *mon, rt_budget *bud, int32_t systems, int frames) {
    uint64_t spent = 0;
    for (int f = 0; f < frames; f++) {
        uint64_t t0 = rt_monitor_monotonic_ns();
        const rt_budget_frame *fr = rt_budget_frame_begin(bud);
        spent += rt_monitor_monotonic_ns() - t0;
        for (int32_t s = 0; s < systems; s++)
            if (fr->systems[s].run) rt_monitor_record(mon, s, 0, 0, 30000);
        rt_monitor_frame_end(mon, 20000000);
        t0 = rt_monitor_monotonic_ns();
        rt_budget_frame_end_monitor(bud, mon);
        spent += rt_monitor_monotonic_ns() - t0;
    }
    return (double)spent / frames / 1e3;
}

/* ---- W2 ----------------------------------------------------------------------- */

/* W2's data, struct of arrays. */
typedef struct bench_monitor__w2 {
    int64_t n;
    float *px, *py, *vx, *vy, *hp, *life, *r, *g, *b, *a;
} bench_monitor__w2;

static void bench_monitor__w2_init(bench_monitor__w2 *w, int64_t n) {
    w->n = n;
    float **cols[] = {&w->px, &w->py, &w->vx, &w->vy, &w->hp, &w->life, &w->r, &w->g, &w->b, &w->a};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        *cols[c] = aligned_alloc(64, ((size_t)n * sizeof(float) + 63) & ~(size_t)63);
        if (!*cols[c]) {
            fprintf(stderr, "bench_monitor: out of memory for W2\n");
            exit(1);
        }
    }
    for (int64_t i = 0; i < n; i++) {
        w->px[i] = (float)(i % 1000);
        w->py[i] = (float)(i % 777);
        w->vx[i] = (float)(i % 13) * 0.5f;
        w->vy[i] = (float)(i % 7) * 0.25f;
        w->hp[i] = 100;
        w->life[i] = 0;
        w->r[i] = w->g[i] = w->b[i] = w->a[i] = 0;
    }
}

static void bench_monitor__w2_free(bench_monitor__w2 *w) {
    float *cols[] = {w->px, w->py, w->vx, w->vy, w->hp, w->life, w->r, w->g, w->b, w->a};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) free(cols[c]);
}

/* The five systems of W2 on entities [lo, hi). */
static void bench_monitor__w2_system(bench_monitor__w2 *w, int s, int64_t lo, int64_t hi, float dt) {
    float *restrict px = w->px, *restrict py = w->py, *restrict vx = w->vx, *restrict vy = w->vy;
    float *restrict hp = w->hp, *restrict life = w->life;
    float *restrict r = w->r, *restrict g = w->g, *restrict b = w->b, *restrict a = w->a;
    switch (s) {
    case 0: /* Move */
        for (int64_t i = lo; i < hi; i++) {
            px[i] += vx[i] * dt;
            py[i] += vy[i] * dt;
        }
        break;
    case 1: /* Gravity */
        for (int64_t i = lo; i < hi; i++) vy[i] -= 9.81f * dt;
        break;
    case 2: /* Decay */
        for (int64_t i = lo; i < hi; i++) hp[i] -= 0.5f * dt;
        break;
    case 3: /* Age */
        for (int64_t i = lo; i < hi; i++) life[i] += dt;
        break;
    case 4: /* Tint */
        for (int64_t i = lo; i < hi; i++) {
            r[i] = life[i] * 0.5f;
            g[i] = 1 - life[i] * 0.5f;
            b[i] = life[i] * 0.25f;
            a[i] = 1;
        }
        break;
    }
}

/* One W2 frame in chunks; measured when mon is not NULL: ms per frame. */
static double bench_monitor__w2_frame(bench_monitor__w2 *w, int64_t chunk, rt_monitor *mon) {
    const float dt = 1.0f / 60;
    uint64_t t0 = rt_monitor_monotonic_ns();
    for (int s = 0; s < 5; s++)
        for (int64_t lo = 0; lo < w->n; lo += chunk) {
            int64_t hi = lo + chunk < w->n ? lo + chunk : w->n;
            if (mon) {
                uint64_t b = rt_monitor_now_ns();
                bench_monitor__w2_system(w, s, lo, hi, dt);
                rt_monitor_record(mon, s, 0, b, rt_monitor_now_ns());
            } else {
                bench_monitor__w2_system(w, s, lo, hi, dt);
            }
        }
    if (mon) rt_monitor_frame_end(mon, rt_monitor_monotonic_ns() - t0);
    return (double)(rt_monitor_monotonic_ns() - t0) / 1e6;
}

static int bench_monitor__w2_equal(const bench_monitor__w2 *x, const bench_monitor__w2 *y) {
    size_t bytes = (size_t)x->n * sizeof(float);
    return !memcmp(x->px, y->px, bytes) && !memcmp(x->py, y->py, bytes) && !memcmp(x->vx, y->vx, bytes) &&
           !memcmp(x->vy, y->vy, bytes) && !memcmp(x->hp, y->hp, bytes) && !memcmp(x->life, y->life, bytes) &&
           !memcmp(x->r, y->r, bytes) && !memcmp(x->g, y->g, bytes) && !memcmp(x->b, y->b, bytes) &&
           !memcmp(x->a, y->a, bytes);
}

/* ---- the run ---------------------------------------------------------------- */

int bench_monitor_run(const bench_monitor_desc *desc, bench_monitor_row *rows, int cap) {
    const bench_monitor_desc zero = {0};
    if (!desc) desc = &zero;
    int reps = desc->reps ? desc->reps : 9;
    if (reps < 7) reps = 7;
    if (reps > BENCH_MONITOR_MAX_REPS) reps = BENCH_MONITOR_MAX_REPS;
    const int64_t entities = desc->entities ? desc->entities : 1000000;
    const int32_t systems = desc->systems ? desc->systems : 400;
    const int64_t chunk = desc->chunk ? desc->chunk : 16384;
    int n = 0;
#define BENCH_MONITOR_ADD(row)        \
    do {                              \
        if (n < cap) rows[n] = (row); \
        n++;                          \
    } while (0)

    double a[BENCH_MONITOR_MAX_REPS], b[BENCH_MONITOR_MAX_REPS], r[BENCH_MONITOR_MAX_REPS];
    char **names = bench_monitor__names(systems);

    /* The clock: rt_monitor_now_ns against clock_gettime, interleaved. */
    const int calls = 1000000;
    bench_monitor__clock(rt_monitor_now_ns, calls);
    bench_monitor__clock(rt_monitor_monotonic_ns, calls);
    for (int i = 0; i < reps; i++) {
        a[i] = bench_monitor__clock(rt_monitor_now_ns, calls);
        b[i] = bench_monitor__clock(rt_monitor_monotonic_ns, calls);
        r[i] = a[i] / b[i];
    }
    BENCH_MONITOR_ADD(bench_monitor__row(rt_monitor_clock_source()[0] == 't' ? "clock rt_monitor_now_ns (tsc)"
                                                                               : "clock rt_monitor_now_ns (monotonic)",
                                         "ns_per_call", 0, 0, a, reps));
    BENCH_MONITOR_ADD(bench_monitor__row("clock clock_gettime(CLOCK_MONOTONIC)", "ns_per_call", 0, 0, b, reps));
    BENCH_MONITOR_ADD(bench_monitor__row("clock now_ns / clock_gettime", "ratio", 0, 0, r, reps));

    /* record(): trace on, trace off, and with its two clock reads. */
    const int frames = 2000;
    rt_monitor *traced = bench_monitor__monitor(names, systems, 1, 0);
    rt_monitor *untraced = bench_monitor__monitor(names, systems, 1, -1);
    bench_monitor__record(traced, systems, frames, 0);
    bench_monitor__record(untraced, systems, frames, 0);
    bench_monitor__record(traced, systems, frames / 10, 1);
    double c[BENCH_MONITOR_MAX_REPS];
    for (int i = 0; i < reps; i++) {
        a[i] = bench_monitor__record(traced, systems, frames, 0);
        b[i] = bench_monitor__record(untraced, systems, frames, 0);
        c[i] = bench_monitor__record(traced, systems, frames / 10, 1);
    }
    BENCH_MONITOR_ADD(bench_monitor__row("record, trace on", "ns_per_call", systems, 1, a, reps));
    BENCH_MONITOR_ADD(bench_monitor__row("record, trace off", "ns_per_call", systems, 1, b, reps));
    bench_monitor_row record_clock = bench_monitor__row("record + 2 clock reads, trace on", "ns_per_call", systems, 1, c, reps);
    BENCH_MONITOR_ADD(record_clock);
    rt_monitor_destroy(traced);
    rt_monitor_destroy(untraced);

    /* frame_end(), at 1 and 2 thread slots. */
    bench_monitor_row frame_end_1 = {0};
    for (int32_t threads = 1; threads <= 2; threads++) {
        rt_monitor *mon = bench_monitor__monitor(names, systems, threads, 0);
        bench_monitor__frame_end(mon, systems, threads, 200);
        for (int i = 0; i < reps; i++) a[i] = bench_monitor__frame_end(mon, systems, threads, 200);
        bench_monitor_row row = bench_monitor__row("frame_end", "us_per_call", systems, threads, a, reps);
        if (threads == 1) frame_end_1 = row;
        BENCH_MONITOR_ADD(row);
        rt_monitor_destroy(mon);
    }

    /* The budget controller's work per frame, and one full stats query (600 frames). */
    {
        rt_monitor *mon = bench_monitor__monitor(names, systems, 1, 0);
        rt_budget_desc *bd = calloc((size_t)systems, sizeof *bd);
        for (int32_t s = 0; s < systems; s++)
            bd[s] = (rt_budget_desc){.system = names[s], .target_ms = 0.02f, .degradable = s % 3 == 0};
        rt_budget *bud = NULL;
        rt_budget_controller_desc cd = {.system_count = systems, .systems = bd, .log = bench_monitor__quiet};
        if (rt_budget_create(&cd, &bud) != 0) {
            fprintf(stderr, "bench_monitor: rt_budget_create failed\n");
            exit(1);
        }
        bench_monitor__budget(mon, bud, systems, 600);
        for (int i = 0; i < reps; i++) a[i] = bench_monitor__budget(mon, bud, systems, 200);
        BENCH_MONITOR_ADD(bench_monitor__row("budget frame_begin + frame_end_monitor", "us_per_call", systems, 1, a, reps));
        for (int i = 0; i < reps; i++) {
            uint64_t t0 = rt_monitor_monotonic_ns();
            for (int32_t s = 0; s < systems; s++) {
                rt_monitor_stats st;
                rt_monitor_get_system_stats(mon, s, &st);
                bench_monitor__sink += st.p99_ns;
            }
            a[i] = (double)(rt_monitor_monotonic_ns() - t0) / 1e3;
        }
        BENCH_MONITOR_ADD(bench_monitor__row("get_system_stats of every system, 600-frame window",
                                             "us_per_call", systems, 1, a, reps));
        rt_budget_destroy(bud);
        free(bd);
        rt_monitor_destroy(mon);
    }

    /* W2, plain and measured, frame by frame on two copies of the same data: frames
     * alternate between the copies, so each frame starts on the copy the previous
     * frame did not leave in the cache, and plain and measured swap order (and so
     * copies) every pair, so neither gets the better pages or the better slot.
     * Both copies advance one frame per pair: they must end bit-equal. */
    {
        const char *w2_names[] = {"Move", "Gravity", "Decay", "Age", "Tint"};
        rt_monitor *mon = NULL;
        rt_monitor_desc d = {.system_count = 5, .system_names = w2_names};
        if (rt_monitor_create(&d, &mon) != 0) exit(1);
        bench_monitor__w2 copy[2];
        bench_monitor__w2_init(&copy[0], entities);
        bench_monitor__w2_init(&copy[1], entities);
        enum { PER_REP = 10 }; /* frame pairs per repetition */
        static double pair[BENCH_MONITOR_MAX_REPS * PER_REP];    /* slowdown of each pair, % */
        static double control[BENCH_MONITOR_MAX_REPS * PER_REP]; /* plain against plain, % */
        int pairs = 0;
        bench_monitor__w2_frame(&copy[0], chunk, NULL);
        bench_monitor__w2_frame(&copy[1], chunk, mon);
        for (int i = 0; i < reps; i++) {
            double ta = 0, tb = 0;
            for (int f = 0; f < PER_REP; f++) {
                double pa, pb;
                if (f % 2 == 0) {
                    pa = bench_monitor__w2_frame(&copy[0], chunk, NULL);
                    pb = bench_monitor__w2_frame(&copy[1], chunk, mon);
                } else {
                    pb = bench_monitor__w2_frame(&copy[0], chunk, mon);
                    pa = bench_monitor__w2_frame(&copy[1], chunk, NULL);
                }
                ta += pa;
                tb += pb;
                pair[pairs++] = (pb / pa - 1) * 100;
            }
            a[i] = ta / PER_REP;
            b[i] = tb / PER_REP;
        }
        /* The same protocol with nothing measured on either side: how far from 0
         * this run's noise alone puts the median. */
        int controls = 0;
        for (int i = 0; i < reps; i++)
            for (int f = 0; f < PER_REP; f++) {
                double p0 = bench_monitor__w2_frame(&copy[f % 2], chunk, NULL);
                double p1 = bench_monitor__w2_frame(&copy[1 - f % 2], chunk, NULL);
                control[controls++] = (p1 / p0 - 1) * 100;
            }
        if (!bench_monitor__w2_equal(&copy[0], &copy[1])) {
            fprintf(stderr, "bench_monitor: W2 plain and measured results differ\n");
            exit(1);
        }
        bench_monitor_row plain = bench_monitor__row("W2 plain", "ms_per_frame", 5, 1, a, reps);
        BENCH_MONITOR_ADD(plain);
        BENCH_MONITOR_ADD(bench_monitor__row("W2 measured", "ms_per_frame", 5, 1, b, reps));
        /* The median over all pairs: each pair ran back to back, so it shares its noise. */
        BENCH_MONITOR_ADD(bench_monitor__row("W2 slowdown, measured vs plain (all pairs)", "percent", 5, 1, pair, pairs));
        BENCH_MONITOR_ADD(bench_monitor__row("W2 control, plain vs plain (noise floor)", "percent", 5, 1, control, controls));
        /* The same from the per-call costs above, which noise at the 1% level
         * cannot hide: chunks x (record + 2 clock reads) + frame_end, over the
         * plain frame. */
        double chunks = 5.0 * (double)((entities + chunk - 1) / chunk);
        double overhead_ns = chunks * record_clock.value + 1e3 * frame_end_1.value * 5 / systems;
        double est = overhead_ns / (plain.value * 1e6) * 100;
        BENCH_MONITOR_ADD(((bench_monitor_row){"W2 overhead from per-call costs", "percent", 5, 1, est,
                                               overhead_ns / (plain.max * 1e6) * 100,
                                               overhead_ns / (plain.min * 1e6) * 100}));
        bench_monitor__w2_free(&copy[0]);
        bench_monitor__w2_free(&copy[1]);
        rt_monitor_destroy(mon);
    }
    bench_monitor__free_names(names, systems);
#undef BENCH_MONITOR_ADD
    return n;
}

#ifdef BENCH_MONITOR_MAIN
#include <cJSON.h>

/* build/bench_monitor [--json] [--reps N] [--entities N] [--chunk N] */
int main(int argc, char **argv) {
    int json = 0;
    bench_monitor_desc desc = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) desc.reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--entities") == 0 && i + 1 < argc) desc.entities = atoll(argv[++i]);
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc) desc.chunk = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--json] [--reps N] [--entities N] [--chunk N]\n", argv[0]);
            return 2;
        }
    }
    bench_monitor_row rows[32];
    int n = bench_monitor_run(&desc, rows, 32);
    if (n > 32) n = 32;
    if (json) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "results");
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "workload", "MONITOR");
            cJSON_AddStringToObject(o, "name", rows[i].name);
            cJSON_AddStringToObject(o, "metric", rows[i].metric);
            cJSON_AddNumberToObject(o, "systems", rows[i].systems);
            cJSON_AddNumberToObject(o, "threads", rows[i].threads);
            cJSON_AddNumberToObject(o, "value", rows[i].value);
            cJSON_AddNumberToObject(o, "min", rows[i].min);
            cJSON_AddNumberToObject(o, "max", rows[i].max);
            cJSON_AddItemToArray(arr, o);
        }
        char *text = cJSON_Print(root);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(root);
        return 0;
    }
    printf("%-52s %-13s %7s %7s %10s %10s %10s\n", "what", "metric", "systems", "threads", "median", "min", "max");
    for (int i = 0; i < n; i++)
        printf("%-52s %-13s %7d %7d %10.4g %10.4g %10.4g\n", rows[i].name, rows[i].metric, (int)rows[i].systems,
               (int)rows[i].threads, rows[i].value, rows[i].min, rows[i].max);
    return 0;
}
#endif
