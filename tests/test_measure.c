/* test_measure.c -- suite "measure": the monitor and the budget controller
 * inside a world (runtime/world.c, exec.c) on tests/schemas/mtest.h. Every
 * system is measured every frame on the thread that ran it; memory parts add
 * up to the world's bytes; budgets warn through the world's log; throttling
 * skips or slices only degradable systems, so the exact systems end
 * bit-identical to an unthrottled run at every thread count; a recorded run
 * replays to the same world. Budgets are made impossible to meet with a
 * config (microsecond targets), so the controller throttles whatever the
 * machine's speed: no test here depends on how fast anything runs.
 * Bodies: tests/mtest_systems.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtest.h"

enum { THINGS = 1000, FRAMES = 120 };
static const float DT = 1.0f / 60.0f;

/* Targets of a nanosecond: every degradable system is CRITICAL after two
 * frames and gets the largest throttle (8). */
static const char impossible[] =
    "{\"systems\": {\"slice_me\": {\"target_ms\": 1e-6, \"critical_ms\": 2e-6},"
    "               \"skip_me\": {\"target_ms\": 1e-6, \"critical_ms\": 2e-6},"
    "               \"tick_skip\": {\"target_ms\": 1e-6, \"critical_ms\": 2e-6}}}";

typedef struct warnings {
    int count;
    char last[512];
} warnings;

static void capture(void *ud, int level, const char *msg) {
    warnings *w = ud;
    if (level != RT_LOG_WARNING || !strstr(msg, "budget:")) return;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

typedef struct config {
    int32_t threads;
    bool enforce;
    const char *budgets;   /* JSON config applied before the first frame */
    warnings *log;
    int32_t measure;
} config;

static rt_world *make_world(const config *c) {
    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = &mtest_program,
        .threads = c->threads ? c->threads : 1,
        .chunk_rows = 64,
        .min_parallel_ns = -1,
        .enforce_budgets = c->enforce,
        .measure = c->measure,
        .trace_spans = 4096,
        .log = c->log ? capture : NULL,
        .log_ud = c->log,
    });
    assert_non_null(w);
    if (c->budgets) {
        char why[256] = "";
        int rc = rt_budget_apply_config(rt_world_budget(w), c->budgets, why, sizeof why);
        if (rc) fail_msg("config: %s", why);
    }
    for (int32_t i = 0; i < THINGS; i++) {
        Thing_init t = {.exact = {(float)i * 0.01f, 1.0f}};
        assert_false(rt_entity_is_null(Thing_create(w, &t)));
    }
    return w;
}

static void run(rt_world *w, int frames) {
    for (int f = 0; f < frames; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
}

/* FNV-1a over bytes. */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The non-degradable part of the world: the Exact columns of Thing. */
static uint64_t exact_hash(rt_world *w) {
    const rt_table *t = rt_world_table(w, Thing_id);
    uint64_t h = 14695981039346656037ull;
    for (int32_t c = 0; c < t->desc->n_columns; c++)
        if (t->desc->columns[c].component == Exact_id)
            h = fnv(h, t->columns[c], (size_t)t->count * t->desc->columns[c].size);
    return h;
}

static const rt_table *things(rt_world *w) { return rt_world_table(w, Thing_id); }

/* Column `field` of component `comp` in Thing. */
static const void *column(rt_world *w, int32_t comp, int32_t field) {
    const rt_table *t = things(w);
    for (int32_t c = 0; c < t->desc->n_columns; c++)
        if (t->desc->columns[c].component == comp && field-- == 0) return t->columns[c];
    fail_msg("no such column");
    return NULL;
}

/* --- measurement ---------------------------------------------------------------- */

/* Every system that has entities is measured in every frame, on some thread;
 * one that matched none is "not run": no sample, no time. */
static void measure_every_system_every_frame(void **state) {
    (void)state;
    for (int32_t threads = 1; threads <= 4; threads += 3) {
        rt_world *w = make_world(&(config){.threads = threads});
        run(w, FRAMES);
        rt_monitor *mon = rt_world_monitor(w);
        assert_non_null(mon);
        assert_int_equal(rt_monitor_frames(mon), FRAMES);
        assert_int_equal(rt_monitor_thread_count(mon), rt_world_stats_get(w)->threads);
        const int32_t measured[] = {grow_id, slice_me_id, skip_me_id, tick_skip_id, shrink_id};
        for (size_t k = 0; k < sizeof measured / sizeof measured[0]; k++) {
            rt_monitor_stats st;
            rt_monitor_get_system_stats(mon, measured[k], &st);
            assert_int_equal(st.samples, FRAMES);
            assert_true(st.last_ns != RT_MONITOR_NOT_RUN);
            assert_true(st.last_chunks >= 1);
            assert_true(st.p50_ns <= st.p95_ns && st.p95_ns <= st.p99_ns && st.p99_ns <= st.max_ns);
            const rt_system_stats *ss = &rt_world_stats_get(w)->systems[measured[k]];
            assert_int_equal(ss->runs, FRAMES);
            assert_int_equal(ss->timed, FRAMES);
            assert_int_equal(ss->last_ns, st.last_ns);
        }
        /* 1000 rows in 64-row chunks: 16 chunks of grow (chained with its
         * neighbours) every frame, whichever threads ran them. */
        rt_monitor_stats st;
        rt_monitor_get_system_stats(mon, grow_id, &st);
        assert_int_equal(st.last_chunks, 16);
        rt_monitor_get_system_stats(mon, haunt_id, &st);
        assert_int_equal(st.samples, 0);
        assert_true(st.last_ns == RT_MONITOR_NOT_RUN);
        assert_int_equal(rt_world_stats_get(w)->systems[haunt_id].timed, 0);
        rt_monitor_frame_stats fs;
        rt_monitor_get_frame_stats(mon, &fs);
        assert_int_equal(fs.time.samples, FRAMES);
        assert_true(fs.fps > 0);
        rt_world_destroy(w);
    }
}

/* A chunk's spans in the trace lie inside its frame, on the thread index of
 * the monitor's threads. */
typedef struct span_check {
    int32_t threads;
    uint64_t count;
} span_check;

static void check_span(void *user, const rt_monitor_span *sp) {
    span_check *c = user;
    assert_true(sp->thread >= 0 && sp->thread < c->threads);
    assert_true(sp->end_ns >= sp->begin_ns);
    c->count++;
}

static void measure_spans_per_thread(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.threads = 4});
    run(w, 10);
    rt_monitor *mon = rt_world_monitor(w);
    span_check c = {rt_monitor_thread_count(mon), 0};
    assert_int_equal(rt_monitor_each_span(mon, 0, 9, check_span, &c), 0);
    /* Per frame: 16 chunks of grow, shrink, slice_me, skip_me, and tick_skip. */
    assert_int_equal(c.count, 10 * (4 * 16 + 1));
    rt_world_destroy(w);
}

/* Without a monitor the executor samples for its cost model only, or, with
 * RT_MEASURE_NONE, reads no clock at all; the world is the same. */
static void measure_sampled_and_none_have_no_monitor(void **state) {
    (void)state;
    rt_world *ref = make_world(&(config){0});
    run(ref, FRAMES);
    for (int32_t mode = RT_MEASURE_SAMPLED; mode <= RT_MEASURE_NONE; mode++) {
        rt_world *w = make_world(&(config){.measure = mode});
        assert_null(rt_world_monitor(w));
        assert_null(rt_world_budget(w));
        assert_int_equal(rt_world_update_memory(w), RT_EINVAL);
        run(w, FRAMES);
        const rt_world_stats *st = rt_world_stats_get(w);
        assert_int_equal(st->systems[grow_id].runs, FRAMES);
        if (mode == RT_MEASURE_SAMPLED) assert_true(st->systems[grow_id].timed >= 1);
        else assert_int_equal(st->systems[grow_id].timed, 0);
        assert_true(rt_world_quality(w) == 1.0f);
        assert_int_equal(rt_world_hash(w), rt_world_hash(ref));
        rt_world_destroy(w);
    }
    rt_world_destroy(ref);
    /* and a measure that is none of these is refused */
    assert_null(rt_world_create(&(rt_world_desc){.program = &mtest_program, .measure = 7,
                                                 .log = capture, .log_ud = &(warnings){0}}));
}

/* The memory parts the world reports add up to what it holds. */
static void measure_memory_parts_sum_to_bytes_live(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.threads = 2});
    run(w, 5);
    assert_int_equal(rt_world_update_memory(w), RT_OK);
    rt_monitor *mon = rt_world_monitor(w);
    assert_int_equal(rt_monitor_memory_total(mon), rt_world_stats_get(w)->bytes_live);
    bool storage = false, monitor = false;
    for (int32_t i = 0; i < rt_monitor_memory_count(mon); i++) {
        rt_monitor_memory_entry e = rt_monitor_memory(mon, i);
        if (strcmp(e.name, "storage/Thing") == 0) {
            storage = true;
            assert_true(e.bytes >= THINGS * (sizeof(Exact) + sizeof(Sliced) + sizeof(Skipped)));
        }
        if (strcmp(e.name, "monitor") == 0) {
            monitor = true;
            assert_int_equal(e.bytes, rt_monitor_bytes(mon));
        }
    }
    assert_true(storage && monitor);
    rt_monitor_process_memory pm;
    assert_int_equal(rt_monitor_process_memory_read(&pm), 0);
    assert_true(pm.resident_bytes > 0);
    rt_world_destroy(w);
}

/* --- budgets ------------------------------------------------------------------- */

/* Observed budgets (the default) warn through the world's log, rate-limited,
 * naming the system, its time and its budget, and change nothing. */
static void measure_budgets_observed_warn_only(void **state) {
    (void)state;
    warnings log = {0};
    rt_world *w = make_world(&(config){.threads = 2, .budgets = impossible, .log = &log});
    rt_world *ref = make_world(&(config){.threads = 2});
    run(w, FRAMES);
    run(ref, FRAMES);
    assert_int_equal(rt_world_hash(w), rt_world_hash(ref));
    assert_true(rt_world_quality(w) == 1.0f);
    /* three systems over budget, one message each per 60 frames */
    assert_true(log.count >= 3);
    assert_true(log.count <= 3 * (FRAMES / 60 + 1));
    assert_non_null(strstr(log.last, "system '"));
    assert_non_null(strstr(log.last, "took"));
    assert_non_null(strstr(log.last, "target 1e-06 ms"));
    rt_budget_system_info bi;
    rt_budget_get_system(rt_world_budget(w), slice_me_id, &bi);
    assert_int_equal(bi.status, RT_BUDGET_CRITICAL);
    assert_int_equal(bi.throttle, 1);
    rt_world_destroy(w);
    rt_world_destroy(ref);
}

/* Enforced, the degradable systems are throttled and the exact ones are not:
 * their columns end bit-identical to an unthrottled run, at 1 and 4 threads. */
static void measure_throttle_keeps_exact_systems_bit_identical(void **state) {
    (void)state;
    rt_world *ref = make_world(&(config){.threads = 1});
    run(ref, FRAMES);
    const uint64_t want = exact_hash(ref);
    for (int32_t threads = 1; threads <= 4; threads += 3) {
        rt_world *w = make_world(&(config){.threads = threads, .enforce = true,
                                           .budgets = impossible, .log = &(warnings){0}});
        run(w, FRAMES);
        assert_int_equal(exact_hash(w), want);
        rt_budget_system_info bi;
        rt_budget_get_system(rt_world_budget(w), slice_me_id, &bi);
        assert_int_equal(bi.throttle, 8);
        rt_budget_get_system(rt_world_budget(w), grow_id, &bi);
        assert_int_equal(bi.throttle, 1);
        /* The sliced system ran on a fraction of the rows, and each run of a
         * row stood for slice_count frames of time. */
        const float *t = column(w, Sliced_id, 0);
        const uint32_t *runs = column(w, Sliced_id, 1);
        uint64_t total = 0;
        for (int32_t i = 0; i < THINGS; i++) {
            /* frames 0 and 1 whole, then a slice of 1/8 each frame */
            total += runs[i];
            assert_true(runs[i] >= 2 && runs[i] < FRAMES);
            assert_true(fabsf(t[i] - (float)(2 + (runs[i] - 2) * 8) * DT) < 1e-3f);
        }
        assert_true(total < (uint64_t)THINGS * FRAMES / 4);
        assert_true(total > 0);
        rt_world_destroy(w);
    }
    rt_world_destroy(ref);
}

/* A skipped system runs every k-th frame with dt covering the frames since
 * its last run, so it integrates over about the same time. */
static void measure_skip_dt_covers_skipped_frames(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.enforce = true, .budgets = impossible,
                                       .log = &(warnings){0}});
    run(w, FRAMES);
    const Skips *sk = Skips_resource(w);
    assert_true(sk->runs < FRAMES / 4);
    assert_true(fabs(sk->t - FRAMES * (double)DT) <= 8 * (double)DT + 1e-4);
    const float *t = column(w, Skipped_id, 0);
    assert_true(fabsf(t[0] - FRAMES * DT) <= 8 * DT + 1e-3f);
    rt_world_destroy(w);
}

/* The quality level reaches every view: a frame target below any frame's
 * time drops it to its floor, step by step. */
static void measure_quality_drops_under_load(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.enforce = true, .log = &(warnings){0},
                                       .budgets = "{\"frame_target_ms\": 0.001}"});
    assert_true(rt_world_quality(w) == 1.0f);
    run(w, FRAMES);
    assert_true(rt_world_quality(w) < 0.51f);
    rt_world_destroy(w);
}

/* A recorded run replays to the same world, whole, degradable parts and all. */
static void measure_replay_same_world(void **state) {
    (void)state;
    char path[] = "/tmp/ecsc-measure-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    rt_world *w = make_world(&(config){.threads = 2, .enforce = true, .budgets = impossible,
                                       .log = &(warnings){0}});
    run(w, FRAMES);
    assert_int_equal(rt_budget_save_log(rt_world_budget(w), path), 0);
    const uint64_t want = rt_world_hash(w);
    rt_world_destroy(w);

    rt_world *r = make_world(&(config){.threads = 4, .enforce = true});
    assert_int_equal(rt_budget_load_log(rt_world_budget(r), path), 0);
    run(r, FRAMES);
    assert_int_equal(rt_world_hash(r), want);
    rt_world_destroy(r);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(measure_every_system_every_frame),
        cmocka_unit_test(measure_spans_per_thread),
        cmocka_unit_test(measure_sampled_and_none_have_no_monitor),
        cmocka_unit_test(measure_memory_parts_sum_to_bytes_live),
        cmocka_unit_test(measure_budgets_observed_warn_only),
        cmocka_unit_test(measure_throttle_keeps_exact_systems_bit_identical),
        cmocka_unit_test(measure_skip_dt_covers_skipped_frames),
        cmocka_unit_test(measure_quality_drops_under_load),
        cmocka_unit_test(measure_replay_same_world),
    };
    return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
