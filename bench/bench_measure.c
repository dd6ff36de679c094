/* bench_measure.c -- workload MONITOR: what measuring every system every frame
 * costs. W2 (five systems over 1M entities, bench/schemas/pipeline.h) and W4
 * (400 systems, bench/gen_overhead.sh) each run in two worlds built from the
 * same data: one with the monitor on (RT_MEASURE_EVERY_FRAME, the default:
 * every system timed every frame, rt_system_stats fed from it) and one with
 * measurement off (RT_MEASURE_NONE: not one clock read; the executor's cost
 * model keeps its guesses, which at one thread changes nothing). Both run on one thread, frame by frame in turn, alternating
 * which goes first, so they see the same machine; a repetition's ratio is that
 * of their median frame times (CLOCK_MONOTONIC), and the figure is the median
 * of the repetitions' ratios, with min and max, and both times. On a shared machine a batch can lose the CPU to
 * another process; the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: one thread
 * does all the work here) does not count that, so its ratio is reported
 * beside, as cpu_ratio, and so is fastest_ratio, the ratio of the fastest
 * frame of each (a frame nobody interrupted). Checked: both worlds end
 * bit-identical (measuring changes nothing).
 *
 * Rows: workload "MONITOR", op "W2" / "W4", metric "overhead_ratio" (1.00: no
 * cost), extras on_ms/off_ms (W2) or on_us/off_us (W4), cpu_ratio and
 * fastest_ratio.
 * docs/budgets.md has the figures. */
#include "bench.h"
#include "overhead.h"
#include "pipeline.h"

#include <string.h>
#include <time.h>

#define MEASURE_DT (1.0f / 60.0f) /* seconds per frame */
#define MEASURE_W2_WORK 20000000  /* entity-frames of each world per repetition */
#define MEASURE_FRAMES_MAX 99     /* frame times a repetition keeps (< BENCH_MAX_REPS) */
#define MEASURE_W4_ENTITIES 100

typedef struct measure_pair {
    rt_world *on, *off;
} measure_pair;

static void measure_destroy(measure_pair *p) {
    rt_world_destroy(p->on);
    rt_world_destroy(p->off);
}

static uint64_t measure_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One frame of w: its wall time (ns) into `wall`, its CPU time added to *cpu,
 * and the fastest frame's wall time kept in *fastest. */
static int measure_frame(rt_world *w, bench_samples *wall, uint64_t *cpu, uint64_t *fastest) {
    uint64_t c0 = measure_cpu_ns(), t0 = bench_now_ns();
    if (rt_world_frame(w, MEASURE_DT) != RT_OK) return -1;
    uint64_t t = bench_now_ns() - t0;
    bench_samples_add(wall, (double)t);
    *cpu += measure_cpu_ns() - c0;
    if (t < *fastest) *fastest = t;
    return 0;
}

typedef struct measure_samples {
    bench_samples ratio, cpu_ratio, on, off;
    uint64_t fastest[2]; /* on, off: the fastest frame of the timed repetitions, ns */
} measure_samples;

/* Runs both worlds frame by frame, alternating which goes first, so that a
 * slow moment of the machine falls on both. A repetition of `frames` frames
 * of each gives one ratio, of the median frame times (a frame that lost the
 * CPU moves a median little), and both medians (in `unit` ns). */
static int measure_compare(const char *op, measure_pair *p, int32_t frames, int32_t reps,
                           double unit, measure_samples *m) {
    memset(m, 0, sizeof *m);
    for (int32_t r = -1; r < reps; r++) { /* r == -1: warm-up */
        static bench_samples wall[2]; /* on, off; large: static */
        uint64_t cpu[2] = {0, 0};
        memset(wall, 0, sizeof wall);
        if (r == 0) m->fastest[0] = m->fastest[1] = UINT64_MAX;
        for (int32_t f = 0; f < frames; f++) {
            int a = f & 1, b = 1 - a; /* even frames run `on` first */
            if (measure_frame(a ? p->off : p->on, &wall[a], &cpu[a], &m->fastest[a]) != 0 ||
                measure_frame(b ? p->off : p->on, &wall[b], &cpu[b], &m->fastest[b]) != 0)
                return bench_fail("MONITOR", "%s: a frame failed", op);
        }
        if (r < 0) continue;
        double on = bench_median(&wall[0]), off = bench_median(&wall[1]);
        bench_samples_add(&m->ratio, on / off);
        bench_samples_add(&m->cpu_ratio, (double)cpu[0] / (double)cpu[1]);
        bench_samples_add(&m->on, on / unit);
        bench_samples_add(&m->off, off / unit);
    }
    if (rt_world_hash(p->on) != rt_world_hash(p->off))
        return bench_fail("MONITOR", "%s: the measured world differs from the other", op);
    if (!rt_world_monitor(p->on) || rt_world_monitor(p->off))
        return bench_fail("MONITOR", "%s: the monitor is not on and off", op);
    return 0;
}

static int measure_row(const char *op, int64_t entities, const char *on_key,
                       const char *off_key, const measure_samples *m) {
    bench_row row = bench_row_init("MONITOR", "overhead_ratio");
    row.op = op;
    row.entities = entities;
    row.threads = 1;
    bench_row_set(&row, &m->ratio);
    row.extra[0] = (bench_extra){on_key, bench_median(&m->on)};
    row.extra[1] = (bench_extra){off_key, bench_median(&m->off)};
    row.extra[2] = (bench_extra){"cpu_ratio", bench_median(&m->cpu_ratio)};
    row.extra[3] = (bench_extra){"fastest_ratio", (double)m->fastest[0] / (double)m->fastest[1]};
    return bench_add_row(&row);
}

static int measure_w2(const bench_opts *o, int32_t reps) {
    const int32_t n = o->entities > 0 ? (int32_t)o->entities : 1000000;
    measure_pair p = {0};
    int err = -1;
    for (int k = 0; k < 2; k++) {
        rt_world *w = rt_world_create(&(rt_world_desc){
            .program = &pipeline_program, .threads = 1, .initial_capacity = n,
            .measure = k ? RT_MEASURE_NONE : RT_MEASURE_EVERY_FRAME});
        if (k) p.off = w;
        else p.on = w;
        if (!w) {
            bench_fail("MONITOR", "W2: out of memory");
            goto done;
        }
        for (int32_t i = 0; i < n; i++) {
            Particle_init init = {
                .position = {bench_value(0x2000u, (uint64_t)i), bench_value(0x2001u, (uint64_t)i)},
                .velocity = {bench_value(0x2002u, (uint64_t)i), bench_value(0x2003u, (uint64_t)i)},
                .health = {bench_value(0x2004u, (uint64_t)i)},
            };
            if (rt_entity_is_null(Particle_create(w, &init))) {
                bench_fail("MONITOR", "W2: create failed");
                goto done;
            }
        }
    }
    static measure_samples m; /* large: samples */
    int32_t frames = bench_frames_for(n, MEASURE_W2_WORK);
    if (frames > MEASURE_FRAMES_MAX) frames = MEASURE_FRAMES_MAX;
    if (measure_compare("W2", &p, frames, reps, 1e6, &m) == 0)
        err = measure_row("W2", n, "on_ms", "off_ms", &m);
done:
    measure_destroy(&p);
    return err;
}

static int measure_w4(const bench_opts *o, int32_t reps) {
    (void)o;
    measure_pair p = {0};
    int err = -1;
    for (int k = 0; k < 2; k++) {
        rt_world *w = rt_world_create(&(rt_world_desc){
            .program = &overhead_program, .threads = 1,
            .measure = k ? RT_MEASURE_NONE : RT_MEASURE_EVERY_FRAME});
        if (k) p.off = w;
        else p.on = w;
        if (!w) {
            bench_fail("MONITOR", "W4: out of memory");
            goto done;
        }
        for (int32_t i = 0; i < MEASURE_W4_ENTITIES; i++)
            if (rt_entity_is_null(Busy_create(w, NULL))) {
                bench_fail("MONITOR", "W4: create failed");
                goto done;
            }
    }
    static measure_samples m;
    if (measure_compare("W4", &p, MEASURE_FRAMES_MAX, reps, 1e3, &m) == 0)
        err = measure_row("W4", MEASURE_W4_ENTITIES, "on_us", "off_us", &m);
done:
    measure_destroy(&p);
    return err;
}

int bench_measure_run(const bench_opts *o) {
    int32_t reps = 3 * o->reps < BENCH_MAX_REPS - 1 ? 3 * o->reps : BENCH_MAX_REPS - 1;
    /* A 1 % difference needs more repetitions than the other workloads' 7. */
    if (measure_w2(o, reps) != 0) return -1;
    return measure_w4(o, reps);
}
