/* test_exec.c -- suite "exec": the parallel executor (runtime/exec.c) on
 * tests/schemas/extest.h. The world after N frames must be bit-identical for
 * every thread count, chunk size and chain mode; main-thread systems run on
 * the thread calling the frame; serial systems run whole and never overlap
 * themselves; a warmed-up frame allocates nothing; commands lost on a worker
 * are reported. Most tests force every stage onto every thread
 * (min_parallel_ns < 0) and use 64-row chunks, so that small worlds still
 * have many chunks racing. Bodies: tests/extest_systems.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extest.h"
#include "extest_systems.h"

enum { FRAMES = 40, MOVERS = 1200, ROCKS = 300, DUST = 400 };
static const float DT = 0.05f;

/* --- helpers ------------------------------------------------------------- */

/* A counting allocator that can fail the n-th call; thread-safe. */
typedef struct count_alloc {
    _Atomic int64_t calls, outstanding;
    int64_t fail_at; /* 1-based call to fail; 0: never */
} count_alloc;

static void *count_alloc_fn(void *ud, size_t size, size_t align) {
    count_alloc *a = ud;
    int64_t n = atomic_fetch_add(&a->calls, 1) + 1;
    if (a->fail_at && n == a->fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
        return NULL;
    atomic_fetch_add(&a->outstanding, 1);
    return p;
}

static void count_free_fn(void *ud, void *p) {
    count_alloc *a = ud;
    atomic_fetch_sub(&a->outstanding, 1);
    free(p);
}

typedef struct test_log {
    int errors;
    char last[512];
} test_log;

static void test_log_fn(void *ud, int level, const char *msg) {
    test_log *l = ud;
    if (level == RT_LOG_ERROR) {
        l->errors++;
        snprintf(l->last, sizeof l->last, "%s", msg);
    }
}

/* An executor configuration under test. */
typedef struct config {
    int32_t threads;
    int32_t chunk_rows;      /* 0: default */
    int32_t min_parallel_ns; /* -1: always every thread */
    bool system_major;
    int32_t dust_per_frame;
    count_alloc *alloc;
    test_log *log;
} config;

static uint32_t mix(uint32_t i) {
    uint32_t s = i * 2654435761u ^ 0x5bd1e995u;
    return s ? s : 1;
}

static rt_world *make_world(const config *c) {
    rt_world_desc d = {.program = &extest_program,
                       .threads = c->threads,
                       .chunk_rows = c->chunk_rows,
                       .min_parallel_ns = c->min_parallel_ns,
                       .system_major = c->system_major};
    if (c->alloc) d.allocator = (rt_allocator){count_alloc_fn, count_free_fn, c->alloc};
    if (c->log) {
        d.log = test_log_fn;
        d.log_ud = c->log;
    }
    rt_world *w = rt_world_create(&d);
    if (!w) return NULL;
    *Ctl_resource(w) = (Ctl){.movers = MOVERS, .dust_per_frame = c->dust_per_frame,
                             .max_heat = 1.2f};
    for (uint32_t i = 0; i < MOVERS + ROCKS + DUST; i++) {
        uint32_t s = mix(i);
        float x = (float)(s % 1000) / 100.0f - 5.0f, y = (float)(s % 777) / 77.7f - 5.0f;
        rt_entity e;
        if (i < MOVERS) {
            e = Mover_create(w, &(Mover_init){.pos = {x, y},
                                              .vel = {(float)(s % 13) - 6.0f, 0.5f},
                                              .seed = {s}, .heat = {(float)(s % 100) / 80.0f}});
            if (i % 3 == 0) Hot_set(w, e, true);
        } else if (i < MOVERS + ROCKS) {
            e = Rock_create(w, &(Rock_init){.pos = {x, y}, .mass = {1.0f + (float)(s % 5)},
                                            .seed = {s}});
        } else {
            e = Dust_create(w, &(Dust_init){.pos = {x * 0.5f, y * 0.5f}, .seed = {s}});
        }
        if (rt_entity_is_null(e)) {
            rt_world_destroy(w);
            return NULL;
        }
    }
    return w;
}

/* Runs FRAMES frames, keeping the world's hash after each, then Tally. */
typedef struct run_result {
    uint64_t hash[FRAMES];
    Tally tally;
    uint64_t stages, parallel_stages;
} run_result;

static void run(const config *c, run_result *r) {
    rt_world *w = make_world(c);
    assert_non_null(w);
    for (int f = 0; f < FRAMES; f++) {
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        r->hash[f] = rt_world_hash(w);
    }
    r->tally = *Tally_resource(w);
    const rt_world_stats *st = rt_world_stats_get(w);
    assert_int_equal(st->errors, 0);
    r->stages = st->stages;
    r->parallel_stages = st->parallel_stages;
    rt_world_destroy(w);
}

static void assert_same_run(const run_result *a, const run_result *b, const char *what) {
    for (int f = 0; f < FRAMES; f++)
        if (a->hash[f] != b->hash[f])
            fail_msg("%s: world differs after frame %d", what, f + 1);
    assert_memory_equal(&a->tally, &b->tally, sizeof a->tally);
}

/* The sequential result: one thread, system after system in plan order,
 * each over whole tables (one chunk per archetype), as the executor before
 * threads ran the plan. Every other configuration must match it. */
static run_result reference;

static int setup_reference(void **state) {
    (void)state;
    run(&(config){.threads = 1, .chunk_rows = INT32_MAX, .system_major = true,
                  .dust_per_frame = 20},
        &reference);
    return 0;
}

/* --- determinism ------------------------------------------------------------ */

/* The dynamics really churn: entities die, are created and change tags. */
static void exec_reference_has_structural_changes(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.threads = 1, .dust_per_frame = 20});
    assert_non_null(w);
    for (int f = 0; f < FRAMES; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
    assert_true(rt_world_stats_get(w)->commands_applied > 1000);
    assert_true(rt_world_count(w, Dust_id) != DUST + 20 * FRAMES); /* some were swept */
    assert_int_equal(rt_world_count(w, Mover_id), MOVERS);          /* kept by spawner */
    assert_int_equal(rt_world_stats_get(w)->parallel_stages, 0);
    rt_world_destroy(w);
}

static void exec_threads_1_to_16_same_world(void **state) {
    (void)state;
    const int32_t threads[] = {1, 2, 3, 4, 8, 16};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        run_result r;
        run(&(config){.threads = threads[i], .chunk_rows = 64, .min_parallel_ns = -1,
                      .dust_per_frame = 20},
            &r);
        char what[64];
        snprintf(what, sizeof what, "%d threads", threads[i]);
        assert_same_run(&reference, &r, what);
        /* Every stage really went through the workers. */
        assert_int_equal(r.parallel_stages, threads[i] > 1 ? r.stages : 0);
    }
}

static void exec_chunk_size_does_not_change_world(void **state) {
    (void)state;
    const int32_t rows[] = {64, 100 /* rounded up to 128 */, 512, 1 << 20};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        run_result r;
        run(&(config){.threads = 4, .chunk_rows = rows[i], .min_parallel_ns = -1,
                      .dust_per_frame = 20},
            &r);
        assert_same_run(&reference, &r, "chunk size");
    }
}

static void exec_chunk_major_same_world_as_system_major(void **state) {
    (void)state;
    for (int32_t t = 1; t <= 4; t += 3) { /* 1 and 4 threads */
        run_result a, b;
        run(&(config){.threads = t, .chunk_rows = 64, .min_parallel_ns = -1,
                      .system_major = true, .dust_per_frame = 20},
            &a);
        run(&(config){.threads = t, .chunk_rows = 64, .min_parallel_ns = -1,
                      .dust_per_frame = 20},
            &b);
        assert_same_run(&reference, &a, "system-major");
        assert_same_run(&a, &b, "chunk-major against system-major");
    }
}

/* Default settings pick threads per stage from measured times: whatever
 * they pick, the world is the same. */
static void exec_default_settings_same_world(void **state) {
    (void)state;
    run_result r;
    run(&(config){.threads = 2, .dust_per_frame = 20}, &r);
    assert_same_run(&reference, &r, "default settings");
}

static void exec_threshold_keeps_small_stages_on_caller(void **state) {
    (void)state;
    run_result r;
    run(&(config){.threads = 2, .min_parallel_ns = INT32_MAX, .dust_per_frame = 20}, &r);
    assert_same_run(&reference, &r, "threshold");
    assert_int_equal(r.parallel_stages, 0);
    assert_int_equal(r.stages, 2 * FRAMES);
}

/* --- where systems run --------------------------------------------------------- */

typedef struct frames_arg {
    int32_t threads;
    int64_t bad_frames;
} frames_arg;

static void *frames_on_this_thread(void *p) {
    frames_arg *a = p;
    rt_world *w = make_world(&(config){.threads = a->threads, .chunk_rows = 64,
                                       .min_parallel_ns = -1, .dust_per_frame = 20});
    if (!w) {
        a->bad_frames = -1;
        return NULL;
    }
    extest_probe_state.frame_thread = pthread_self();
    for (int f = 0; f < FRAMES; f++) a->bad_frames += rt_world_frame(w, DT) != RT_OK;
    rt_world_destroy(w);
    return NULL;
}

/* Frames called from a thread that is not the one that created the process:
 * `watch` (ECS_MAIN_THREAD) runs on that thread, never on a worker. */
static void exec_main_thread_system_runs_on_calling_thread(void **state) {
    (void)state;
    atomic_store(&extest_probe_state.watch_calls, 0);
    atomic_store(&extest_probe_state.watch_elsewhere, 0);
    frames_arg a = {.threads = 4};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, frames_on_this_thread, &a), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(a.bad_frames, 0);
    /* Once per frame per archetype with rows (Mover: watch reads Heat). */
    assert_int_equal(atomic_load(&extest_probe_state.watch_calls), FRAMES);
    assert_int_equal(atomic_load(&extest_probe_state.watch_elsewhere), 0);
}

/* `tally` (serial) is one item: never entered twice at once, and in each
 * frame it sees every row of every archetype it matches, as they were at the
 * start of the frame (it runs before the first sync point). */
static void exec_serial_system_runs_whole_never_overlapping(void **state) {
    (void)state;
    atomic_store(&extest_probe_state.tally_overlaps, 0);
    rt_world *w = make_world(&(config){.threads = 8, .chunk_rows = 64,
                                       .min_parallel_ns = -1, .dust_per_frame = 20});
    assert_non_null(w);
    for (int f = 0; f < FRAMES; f++) {
        int64_t rows = rt_world_entity_count(w);
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        assert_int_equal(Tally_resource(w)->rows, rows);
        assert_int_equal(Tally_resource(w)->frame, (uint64_t)f + 1);
    }
    assert_int_equal(atomic_load(&extest_probe_state.tally_overlaps), 0);
    rt_world_destroy(w);
}

/* Every system is counted every frame, and the ones with work are timed. */
static void exec_stats_count_every_system(void **state) {
    (void)state;
    rt_world *w = make_world(&(config){.threads = 4, .chunk_rows = 64,
                                       .min_parallel_ns = -1, .dust_per_frame = 20});
    assert_non_null(w);
    for (int f = 0; f < FRAMES; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
    const rt_world_stats *st = rt_world_stats_get(w);
    assert_int_equal(st->threads, 4);
    assert_int_equal(st->n_systems, extest_program.n_systems);
    for (int32_t s = 0; s < st->n_systems; s++) {
        assert_int_equal(st->systems[s].runs, FRAMES);
        assert_true(st->systems[s].timed >= 1);
        assert_true(st->systems[s].timed <= FRAMES);
        assert_true(st->systems[s].max_ns <= st->systems[s].total_ns);
    }
    rt_world_destroy(w);
}

/* --- memory --------------------------------------------------------------------- */

/* With a steady population (spawner refills what reaper kills, no dust is
 * added), frames after warm-up allocate nothing: not the executor, not the
 * pool, not the command buffers, not the tables. */
static void exec_no_allocation_after_warmup(void **state) {
    (void)state;
    const int32_t threads[] = {1, 4};
    for (size_t i = 0; i < 2; i++) {
        count_alloc a = {0};
        rt_world *w = make_world(&(config){.threads = threads[i], .chunk_rows = 64,
                                           .min_parallel_ns = -1, .alloc = &a});
        assert_non_null(w);
        for (int f = 0; f < 60; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
        int64_t calls = atomic_load(&a.calls);
        uint64_t counted = rt_world_stats_get(w)->allocations;
        for (int f = 0; f < 200; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
        assert_int_equal(atomic_load(&a.calls), calls);
        assert_int_equal(rt_world_stats_get(w)->allocations, counted);
        assert_true(rt_world_stats_get(w)->commands_applied > 0);
        rt_world_destroy(w);
        assert_int_equal(atomic_load(&a.outstanding), 0);
    }
}

/* A command buffer that cannot grow while systems run: the frame reports
 * RT_ENOMEM, the loss is logged with the recording system, the world stays
 * consistent, and the next frame runs normally. Chunks are large here, so
 * that buffers outgrow their first allocation on the threads recording into
 * them. Every allocation of the first frame is failed in turn. */
static void exec_lost_commands_on_worker_reported(void **state) {
    (void)state;
    int64_t setup, first;
    {
        count_alloc a = {0};
        rt_world *w = make_world(&(config){.threads = 4, .chunk_rows = 1 << 20,
                                           .min_parallel_ns = -1, .dust_per_frame = 20,
                                           .alloc = &a});
        assert_non_null(w);
        setup = atomic_load(&a.calls);
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        first = atomic_load(&a.calls) - setup;
        rt_world_destroy(w);
    }
    assert_true(first > 4);
    int reported = 0;
    for (int64_t k = 1; k <= first; k++) {
        count_alloc a = {.fail_at = setup + k};
        test_log log = {0};
        rt_world *w = make_world(&(config){.threads = 4, .chunk_rows = 1 << 20,
                                           .min_parallel_ns = -1, .dust_per_frame = 20,
                                           .alloc = &a, .log = &log});
        assert_non_null(w);
        int err = rt_world_frame(w, DT);
        assert_true(err == RT_OK || err == RT_ENOMEM);
        if (err == RT_ENOMEM) {
            assert_true(log.errors > 0);
            reported += strstr(log.last, "lost") != NULL;
        }
        int32_t sum = 0;
        for (int32_t k2 = 0; k2 < extest_program.n_archetypes; k2++)
            sum += rt_world_count(w, k2);
        assert_int_equal(sum, rt_world_entity_count(w));
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        rt_world_destroy(w);
        assert_int_equal(atomic_load(&a.outstanding), 0);
    }
    assert_true(reported > 0);
}

/* --- bad configurations --------------------------------------------------------- */

static void nop_system(rt_world *w, rt_table *t, int32_t b, int32_t e, rt_cmd *c) {
    (void)w, (void)t, (void)b, (void)e, (void)c;
}

static void exec_bad_threads_or_plan_rejected(void **state) {
    (void)state;
    test_log log = {0};
    assert_null(rt_world_create(&(rt_world_desc){.program = &extest_program, .threads = -1,
                                                 .log = test_log_fn, .log_ud = &log}));
    assert_non_null(strstr(log.last, "threads"));

    /* An edge against the order of the steps would deadlock a stage. */
    static const int32_t succ_b[] = {0};
    static const rt_system_desc systems[] = {
        {.name = "a", .run_once = nop_system},
        {.name = "b", .run_once = nop_system, .n_successors = 1, .successors = succ_b},
    };
    static const rt_step steps[] = {{0, 0}, {1, RT_STEP_SYNC_AFTER}};
    static const rt_program bad = {.name = "bad", .n_systems = 2, .systems = systems,
                                   .n_steps = 2, .steps = steps};
    memset(&log, 0, sizeof log);
    assert_null(rt_world_create(&(rt_world_desc){.program = &bad, .threads = 2,
                                                 .log = test_log_fn, .log_ud = &log}));
    assert_non_null(strstr(log.last, "against the order"));

    static const rt_step twice[] = {{0, 0}, {0, RT_STEP_SYNC_AFTER}};
    static const rt_program dup = {.name = "dup", .n_systems = 2, .systems = systems,
                                   .n_steps = 2, .steps = twice};
    memset(&log, 0, sizeof log);
    assert_null(rt_world_create(&(rt_world_desc){.program = &dup, .threads = 1,
                                                 .log = test_log_fn, .log_ud = &log}));
    assert_non_null(strstr(log.last, "twice"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_reference_has_structural_changes),
        cmocka_unit_test(exec_threads_1_to_16_same_world),
        cmocka_unit_test(exec_chunk_size_does_not_change_world),
        cmocka_unit_test(exec_chunk_major_same_world_as_system_major),
        cmocka_unit_test(exec_default_settings_same_world),
        cmocka_unit_test(exec_threshold_keeps_small_stages_on_caller),
        cmocka_unit_test(exec_main_thread_system_runs_on_calling_thread),
        cmocka_unit_test(exec_serial_system_runs_whole_never_overlapping),
        cmocka_unit_test(exec_stats_count_every_system),
        cmocka_unit_test(exec_no_allocation_after_warmup),
        cmocka_unit_test(exec_lost_commands_on_worker_reported),
        cmocka_unit_test(exec_bad_threads_or_plan_rejected),
    };
    return cmocka_run_group_tests_name("exec", tests, setup_reference, NULL);
}
