/* bench_measure.c -- workload MONITOR: what measuring every system every frame
 * costs. W2 (five systems over 1M entities, bench/schemas/pipeline.h) and W4
 * (400 systems, bench/gen_overhead.sh) each run in worlds built from the same
 * data: one with the monitor on (RT_MEASURE_EVERY_FRAME, the default: every
 * system timed every frame, rt_system_stats fed from it), one with measurement
 * off (RT_MEASURE_NONE: not one clock read; the executor's cost model keeps
 * its guesses, which at one thread changes nothing), and a second one off as
 * an A/A control. Each repetition builds them afresh and runs them on one
 * thread, frame by frame in turns, in rotating orders, so they see the same
 * machine; its ratio is that of the median frame times (CLOCK_MONOTONIC) on /
 * off, and the value is the median over repetitions, with min and max, and
 * both times. On a shared machine that ratio moves by a percent or two from
 * run to run, so two more are reported beside it: control_ratio, the same
 * ratio for the two unmeasured worlds (what chance and memory layout alone
 * give), and calls_ratio, the overhead that measuring's calls alone add (clock
 * reads and records per frame, counted by the monitor, times the cost of one,
 * timed in a loop: the "mark" row), which noise cannot hide. Checked: all
 * worlds end bit-identical (measuring changes nothing).
 *
 * Rows: workload "MONITOR", op "mark", metric "ns_per_call"; op "W2" / "W4",
 * metric "overhead_ratio" (1.00: no cost), extras on_ms/off_ms (W2) or
 * on_us/off_us (W4), control_ratio and calls_ratio. docs/budgets.md has the
 * figures. */
#include "bench.h"
#include "overhead.h"
#include "pipeline.h"

#include <string.h>

#define MEASURE_DT (1.0f / 60.0f) /* seconds per frame */
#define MEASURE_W2_WORK 20000000  /* entity-frames of each world per repetition */
#define MEASURE_FRAMES_MAX 99     /* frame times a repetition keeps (< BENCH_MAX_REPS) */
#define MEASURE_W4_ENTITIES 100

/* A workload: its program, entity count and how to fill a world. */
typedef struct measure_load {
    const char *op;
    const rt_program *program;
    int32_t entities;
    int (*fill)(rt_world *w, int32_t n); /* 0, or -1 when a create failed */
} measure_load;

/* One frame of w: its time (ns) into `wall` (NULL: not kept). */
static int measure_frame(rt_world *w, bench_samples *wall) {
    uint64_t t0 = bench_now_ns();
    if (rt_world_frame(w, MEASURE_DT) != RT_OK) return -1;
    if (wall) bench_samples_add(wall, (double)(bench_now_ns() - t0));
    return 0;
}

typedef struct measure_samples {
    bench_samples ratio, control, on, off;
    double marks;        /* clock reads + records per measured frame */
} measure_samples;

/* A fresh world of the load, measured or not; NULL after bench_fail. */
static rt_world *measure_world(const measure_load *l, bool on) {
    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = l->program, .threads = 1, .initial_capacity = l->entities,
        .measure = on ? RT_MEASURE_EVERY_FRAME : RT_MEASURE_NONE});
    if (!w) {
        bench_fail("MONITOR", "%s: out of memory", l->op);
        return NULL;
    }
    if (l->fill(w, l->entities) != 0) {
        rt_world_destroy(w);
        bench_fail("MONITOR", "%s: create failed", l->op);
        return NULL;
    }
    return w;
}

enum { ON, OFF, CONTROL, WORLDS }; /* measured, not, and not again (A/A control) */

/* Each repetition builds three worlds afresh -- measured, unmeasured, and a
 * second unmeasured one as a control -- in an order that rotates, and runs
 * them frame by frame in turns, the order rotating too, so that none is
 * favoured by when it was built or what ran before it (back to back, a frame
 * would find the last one's data in L3), and a slow moment of the machine
 * falls on all. A repetition's ratios are those of their median frame times
 * (a frame that lost the CPU moves a median little): ON / OFF, and
 * CONTROL / OFF, which differ only by chance and layout. */
static int measure_compare(const measure_load *l, int32_t frames, int32_t reps, double unit,
                           measure_samples *m) {
    memset(m, 0, sizeof *m);
    for (int32_t r = 0; r < reps; r++) {
        static bench_samples wall[WORLDS]; /* large: static */
        memset(wall, 0, sizeof wall);
        rt_world *w[WORLDS] = {NULL, NULL, NULL};
        int err = 0;
        for (int k = 0; k < WORLDS && !err; k++) {
            int i = (r + k) % WORLDS;
            if (!(w[i] = measure_world(l, i == ON))) err = -1;
        }
        for (int k = 0; k < WORLDS && !err; k++) /* warm-up: one frame each */
            err = measure_frame(w[k], NULL);
        for (int32_t f = 0; f < frames && !err; f++)
            for (int k = 0; k < WORLDS && !err; k++) {
                int i = (f + r + k) % WORLDS;
                if (measure_frame(w[i], &wall[i]) != 0)
                    err = bench_fail("MONITOR", "%s: a frame failed", l->op);
            }
        if (!err && (rt_world_hash(w[ON]) != rt_world_hash(w[OFF]) ||
                     rt_world_hash(w[CONTROL]) != rt_world_hash(w[OFF])))
            err = bench_fail("MONITOR", "%s: the measured world differs from the others", l->op);
        rt_monitor *mon = w[ON] ? rt_world_monitor(w[ON]) : NULL;
        if (!err && (!mon || rt_world_monitor(w[OFF])))
            err = bench_fail("MONITOR", "%s: the monitor is not on and off", l->op);
        if (!err && r == reps - 1) {
            for (int32_t s = 0; s < rt_monitor_system_count(mon); s++) {
                rt_monitor_stats st;
                rt_monitor_get_system_stats(mon, s, &st);
                m->marks += st.last_chunks; /* one clock read and one record per run */
            }
        }
        for (int k = 0; k < WORLDS; k++) rt_world_destroy(w[k]);
        if (err) return -1;
        double on = bench_median(&wall[ON]), off = bench_median(&wall[OFF]);
        bench_samples_add(&m->ratio, on / off);
        bench_samples_add(&m->control, bench_median(&wall[CONTROL]) / off);
        bench_samples_add(&m->on, on / unit);
        bench_samples_add(&m->off, off / unit);
    }
    return 0;
}

/* What one measured run of a system costs: a clock read and a record, in a
 * loop, ns per call, into `out` (reps samples). */
static int measure_mark_cost(int32_t reps, bench_samples *out) {
    enum { CALLS = 20000, SYSTEMS = 8 };
    static const char *const names[SYSTEMS] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    rt_monitor *mon = NULL;
    if (rt_monitor_create(&(rt_monitor_desc){.system_count = SYSTEMS, .system_names = names,
                                             .trace_spans = -1}, &mon) != 0)
        return bench_fail("MONITOR", "mark: cannot create a monitor");
    uint64_t t = rt_monitor_now_ns();
    for (int32_t r = -1; r < reps; r++) {
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < CALLS; i++) {
            uint64_t now = rt_monitor_now_ns();
            rt_monitor_record(mon, i & (SYSTEMS - 1), 0, t, now);
            t = now;
        }
        uint64_t t1 = bench_now_ns();
        rt_monitor_frame_end(mon, t1 - t0);
        if (r >= 0) bench_samples_add(out, (double)(t1 - t0) / CALLS);
    }
    rt_monitor_destroy(mon);
    return 0;
}

/* The row of a workload; mark_ns, the cost of one clock read and record,
 * gives the overhead the calls alone would add, which noise cannot hide. */
static int measure_row(const char *op, int64_t entities, const char *on_key,
                       const char *off_key, double unit, const measure_samples *m,
                       double mark_ns) {
    bench_row row = bench_row_init("MONITOR", "overhead_ratio");
    row.op = op;
    row.entities = entities;
    row.threads = 1;
    bench_row_set(&row, &m->ratio);
    row.extra[0] = (bench_extra){on_key, bench_median(&m->on)};
    row.extra[1] = (bench_extra){off_key, bench_median(&m->off)};
    row.extra[2] = (bench_extra){"control_ratio", bench_median(&m->control)};
    row.extra[3] = (bench_extra){"calls_ratio",
                                 1 + m->marks * mark_ns / (bench_median(&m->off) * unit)};
    return bench_add_row(&row);
}

static int measure_fill_w2(rt_world *w, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        Particle_init init = {
            .position = {bench_value(0x2000u, (uint64_t)i), bench_value(0x2001u, (uint64_t)i)},
            .velocity = {bench_value(0x2002u, (uint64_t)i), bench_value(0x2003u, (uint64_t)i)},
            .health = {bench_value(0x2004u, (uint64_t)i)},
        };
        if (rt_entity_is_null(Particle_create(w, &init))) return -1;
    }
    return 0;
}

static int measure_fill_w4(rt_world *w, int32_t n) {
    for (int32_t i = 0; i < n; i++)
        if (rt_entity_is_null(Busy_create(w, NULL))) return -1; /* NULL: zeros */
    return 0;
}

static int measure_w2(const bench_opts *o, int32_t reps, double mark_ns) {
    const measure_load l = {"W2", &pipeline_program,
                            o->entities > 0 ? (int32_t)o->entities : 1000000, measure_fill_w2};
    static measure_samples m; /* large: samples */
    int32_t frames = bench_frames_for(l.entities, MEASURE_W2_WORK);
    if (frames > MEASURE_FRAMES_MAX) frames = MEASURE_FRAMES_MAX;
    if (measure_compare(&l, frames, reps, 1e6, &m) != 0) return -1;
    return measure_row("W2", l.entities, "on_ms", "off_ms", 1e6, &m, mark_ns);
}

static int measure_w4(int32_t reps, double mark_ns) {
    const measure_load l = {"W4", &overhead_program, MEASURE_W4_ENTITIES, measure_fill_w4};
    static measure_samples m;
    if (measure_compare(&l, MEASURE_FRAMES_MAX, reps, 1e3, &m) != 0) return -1;
    return measure_row("W4", l.entities, "on_us", "off_us", 1e3, &m, mark_ns);
}

int bench_measure_run(const bench_opts *o) {
    /* A 1 % difference needs more repetitions than the other workloads' 7. */
    int32_t reps = 3 * o->reps < BENCH_MAX_REPS - 1 ? 3 * o->reps : BENCH_MAX_REPS - 1;
    static bench_samples mark;
    memset(&mark, 0, sizeof mark);
    if (measure_mark_cost(reps, &mark) != 0) return -1;
    bench_row row = bench_row_init("MONITOR", "ns_per_call");
    row.op = "mark";
    row.threads = 1;
    bench_row_set(&row, &mark);
    if (bench_add_row(&row) != 0) return -1;
    if (measure_w2(o, reps, row.value) != 0) return -1;
    return measure_w4(reps, row.value);
}
