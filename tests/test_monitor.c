/* test_monitor.c -- the performance monitor (runtime/monitor.h): percentile math
 * against known inputs, chunks summed across threads, the rolling window, spans,
 * memory, and record() from several threads at once (run it under TSan too:
 * ninja -f ninja/dev-monitor-tsan.ninja && build/tsan/test_monitor).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"

static const char *const names3[] = {"move", "gravity", "tint"};

static rt_monitor *make(int32_t systems, int32_t threads, int32_t window, int32_t spans) {
    static const char *const many[] = {"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
                                       "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15"};
    assert_true(systems <= 16);
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {
        .system_count = systems,
        .system_names = systems <= 3 ? names3 : many,
        .thread_count = threads,
        .window_frames = window,
        .trace_spans = spans,
    };
    assert_int_equal(rt_monitor_create(&d, &mon), 0);
    assert_non_null(mon);
    return mon;
}

/* One chunk of `ns` for system s on thread 0, then the frame ends. */
static void frame_with(rt_monitor *mon, int32_t s, uint64_t ns) {
    rt_monitor_record(mon, s, 0, 1000, 1000 + ns);
    rt_monitor_frame_end(mon, ns);
}

static void monitor_create_rejects_bad_desc(void **state) {
    (void)state;
    rt_monitor *mon = NULL;
    const char *const with_null[] = {"a", NULL};
    rt_monitor_desc d = {.system_count = 0, .system_names = names3};
    assert_int_equal(rt_monitor_create(&d, &mon), -EINVAL);
    d = (rt_monitor_desc){.system_count = 3};
    assert_int_equal(rt_monitor_create(&d, &mon), -EINVAL);
    d = (rt_monitor_desc){.system_count = 2, .system_names = with_null};
    assert_int_equal(rt_monitor_create(&d, &mon), -EINVAL);
    d = (rt_monitor_desc){.system_count = 3, .system_names = names3, .thread_count = -1};
    assert_int_equal(rt_monitor_create(&d, &mon), -EINVAL);
    d = (rt_monitor_desc){.system_count = 3, .system_names = names3, .trace_spans = -2};
    assert_int_equal(rt_monitor_create(&d, &mon), -EINVAL);
    assert_null(mon);
    assert_int_equal(rt_monitor_create(NULL, &mon), -EINVAL);
}

static void monitor_create_applies_defaults(void **state) {
    (void)state;
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {.system_count = 3, .system_names = names3};
    assert_int_equal(rt_monitor_create(&d, &mon), 0);
    assert_int_equal(rt_monitor_window(mon), 600);
    assert_int_equal(rt_monitor_thread_count(mon), 1);
    assert_string_equal(rt_monitor_thread_name(mon, 0), "main");
    assert_string_equal(rt_monitor_system_name(mon, 2), "tint");
    assert_int_equal(rt_monitor_frames(mon), 0);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.samples, 0);
    assert_true(st.last_ns == RT_MONITOR_NOT_RUN);
    rt_monitor_frame_stats fs;
    rt_monitor_get_frame_stats(mon, &fs);
    assert_int_equal(fs.frames, 0);
    assert_true(fs.fps == 0);
    rt_monitor_destroy(mon);
}

/* 1..100 in a scrambled order: nearest rank gives p50 = 50, p95 = 95, p99 = 99. */
static void monitor_percentile_one_to_hundred(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 100, 0);
    for (uint64_t i = 0; i < 100; i++) frame_with(mon, 0, (i * 37) % 100 + 1); /* 37 is coprime with 100 */
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.samples, 100);
    assert_int_equal(st.p50_ns, 50);
    assert_int_equal(st.p95_ns, 95);
    assert_int_equal(st.p99_ns, 99);
    assert_int_equal(st.max_ns, 100);
    assert_float_equal(st.mean_ns, 50.5, 1e-9);
    assert_int_equal(st.last_ns, (99 * 37) % 100 + 1);
    assert_int_equal(st.last_chunks, 1);

    rt_monitor_frame_stats fs;
    rt_monitor_get_frame_stats(mon, &fs);
    assert_int_equal(fs.time.p50_ns, 50);
    assert_int_equal(fs.time.p99_ns, 99);
    assert_float_equal(fs.fps, 1e9 / 50.5, 1e-3);
    rt_monitor_destroy(mon);
}

static void monitor_percentile_constant(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 16, 0);
    for (int i = 0; i < 40; i++) frame_with(mon, 0, 7000);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.samples, 16);
    assert_int_equal(st.p50_ns, 7000);
    assert_int_equal(st.p95_ns, 7000);
    assert_int_equal(st.p99_ns, 7000);
    assert_int_equal(st.max_ns, 7000);
    assert_float_equal(st.mean_ns, 7000, 1e-9);
    rt_monitor_destroy(mon);
}

/* Window of 10 after 25 frames of 1..25 holds 16..25: ranks 5, 10, 10. */
static void monitor_percentile_window_wraparound(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 10, 0);
    for (uint64_t v = 1; v <= 25; v++) frame_with(mon, 0, v);
    assert_int_equal(rt_monitor_frames(mon), 25);
    assert_int_equal(rt_monitor_first_frame(mon), 15);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.samples, 10);
    assert_int_equal(st.p50_ns, 20);
    assert_int_equal(st.p95_ns, 25);
    assert_int_equal(st.p99_ns, 25);
    assert_int_equal(st.max_ns, 25);
    assert_float_equal(st.mean_ns, 20.5, 1e-9);
    assert_int_equal(rt_monitor_sample_ns(mon, 15, 0), 16);
    assert_true(rt_monitor_sample_ns(mon, 14, 0) == RT_MONITOR_NOT_RUN);
    assert_true(rt_monitor_sample_ns(mon, 25, 0) == RT_MONITOR_NOT_RUN);
    rt_monitor_destroy(mon);
}

/* Nearest rank on tiny windows: one sample is every percentile; of {10, 20},
 * p50 is rank 1 and p95 rank 2. */
static void monitor_percentile_small_samples(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 8, 0);
    frame_with(mon, 0, 10);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.p50_ns, 10);
    assert_int_equal(st.p99_ns, 10);
    frame_with(mon, 0, 20);
    rt_monitor_get_system_stats(mon, 0, &st);
    assert_int_equal(st.p50_ns, 10);
    assert_int_equal(st.p95_ns, 20);
    assert_float_equal(st.mean_ns, 15, 1e-9);
    rt_monitor_destroy(mon);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t lcg64(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}

/* Random windows, sizes and value ranges (many ties, or none) against a sorted
 * reference: nearest rank is sorted[ceil(p n / 100) - 1]. */
static void monitor_percentile_matches_sorted_reference(void **state) {
    (void)state;
    static uint64_t values[2000], ref[700];
    const uint64_t ranges[] = {1, 3, 1000, 1ull << 40};
    uint64_t seed = 12345;
    for (int trial = 0; trial < 200; trial++) {
        int32_t window = (int32_t)(lcg64(&seed) % 700) + 1;
        int frames = (int)(lcg64(&seed) % (uint64_t)(2 * window)) + 1;
        uint64_t range = ranges[trial % 4];
        rt_monitor *mon = make(1, 1, window, -1);
        for (int f = 0; f < frames; f++) {
            values[f] = lcg64(&seed) % range;
            frame_with(mon, 0, values[f]);
        }
        int n = frames < window ? frames : window;
        memcpy(ref, values + frames - n, (size_t)n * sizeof *ref);
        qsort(ref, (size_t)n, sizeof *ref, cmp_u64);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double)ref[i];
        rt_monitor_stats st;
        rt_monitor_get_system_stats(mon, 0, &st);
        assert_int_equal(st.samples, n);
        assert_int_equal(st.p50_ns, ref[(50 * n + 99) / 100 - 1]);
        assert_int_equal(st.p95_ns, ref[(95 * n + 99) / 100 - 1]);
        assert_int_equal(st.p99_ns, ref[(99 * n + 99) / 100 - 1]);
        assert_int_equal(st.max_ns, ref[n - 1]);
        assert_float_equal(st.mean_ns, sum / n, 1e-6 * (sum / n + 1));
        assert_int_equal(st.last_ns, values[frames - 1]);
        rt_monitor_destroy(mon);
    }
}

/* A system split in chunks over threads costs the sum of its chunks. */
static void monitor_record_sums_chunks_across_threads(void **state) {
    (void)state;
    rt_monitor *mon = make(3, 3, 8, 0);
    rt_monitor_record(mon, 1, 0, 100, 200);
    rt_monitor_record(mon, 1, 1, 150, 350);
    rt_monitor_record(mon, 1, 2, 120, 420);
    rt_monitor_record(mon, 1, 2, 500, 510);
    rt_monitor_record(mon, 0, 1, 0, 5);
    rt_monitor_frame_end(mon, 1000);
    assert_int_equal(rt_monitor_sample_ns(mon, 0, 1), 100 + 200 + 300 + 10);
    assert_int_equal(rt_monitor_sample_ns(mon, 0, 0), 5);
    assert_true(rt_monitor_sample_ns(mon, 0, 2) == RT_MONITOR_NOT_RUN);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 1, &st);
    assert_int_equal(st.last_chunks, 4);
    /* The next frame starts from zero. */
    rt_monitor_record(mon, 1, 2, 0, 7);
    rt_monitor_frame_end(mon, 1000);
    assert_int_equal(rt_monitor_sample_ns(mon, 1, 1), 7);
    assert_true(rt_monitor_sample_ns(mon, 1, 0) == RT_MONITOR_NOT_RUN);
    rt_monitor_destroy(mon);
}

/* Frames in which a system did not run are not samples of it. */
static void monitor_stats_skip_frames_not_run(void **state) {
    (void)state;
    rt_monitor *mon = make(2, 1, 20, 0);
    for (int f = 0; f < 20; f++) {
        rt_monitor_record(mon, 0, 0, 0, 100);
        if (f % 2 == 0) rt_monitor_record(mon, 1, 0, 0, (uint64_t)(f + 1));
        rt_monitor_frame_end(mon, 200);
    }
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 1, &st);
    assert_int_equal(st.samples, 10);
    assert_true(st.last_ns == RT_MONITOR_NOT_RUN);
    assert_int_equal(st.last_chunks, 0);
    assert_int_equal(st.max_ns, 19);
    assert_int_equal(st.p50_ns, 9); /* of 1, 3, ..., 19 the 5th */
    rt_monitor_destroy(mon);
}

typedef struct collected {
    rt_monitor_span spans[64];
    int count;
} collected;

static void collect(void *user, const rt_monitor_span *s) {
    collected *c = user;
    assert_true(c->count < 64);
    c->spans[c->count++] = *s;
}

/* record_many is n calls of record, back to back: the same times, chunk
 * counts and spans, each run beginning where the one before it ended. */
static void monitor_record_many_equals_records(void **state) {
    (void)state;
    rt_monitor *many = make(4, 2, 8, 64), *one = make(4, 2, 8, 64);
    const int32_t systems[] = {2, 0, 2, 3};
    const uint64_t ends[] = {110, 150, 151, 190};
    for (int f = 0; f < 3; f++) {
        rt_monitor_record_many(many, 1, 4, systems, 100, ends);
        rt_monitor_record_many(many, 0, 0, systems, 100, ends); /* nothing */
        uint64_t at = 100;
        for (int k = 0; k < 4; k++) {
            rt_monitor_record(one, systems[k], 1, at, ends[k]);
            at = ends[k];
        }
        rt_monitor_frame_end(many, 500);
        rt_monitor_frame_end(one, 500);
    }
    for (uint64_t f = 0; f < 3; f++)
        for (int32_t s = 0; s < 4; s++)
            assert_true(rt_monitor_sample_ns(many, f, s) == rt_monitor_sample_ns(one, f, s));
    assert_int_equal(rt_monitor_sample_ns(many, 2, 2), 10 + 1);
    assert_true(rt_monitor_sample_ns(many, 2, 1) == RT_MONITOR_NOT_RUN);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(many, 2, &st);
    assert_int_equal(st.last_chunks, 2);
    collected a = {0}, b = {0};
    assert_int_equal(rt_monitor_each_span(many, 0, 2, collect, &a), 0);
    assert_int_equal(rt_monitor_each_span(one, 0, 2, collect, &b), 0);
    assert_int_equal(a.count, 12);
    assert_int_equal(b.count, 12);
    for (int i = 0; i < a.count; i++)
        assert_true(a.spans[i].begin_ns == b.spans[i].begin_ns &&
                    a.spans[i].end_ns == b.spans[i].end_ns &&
                    a.spans[i].system == b.spans[i].system &&
                    a.spans[i].thread == 1 && a.spans[i].frame == b.spans[i].frame);
    rt_monitor_destroy(many);
    rt_monitor_destroy(one);
}

/* A frame whose runs were all on one thread, then one on another, then one
 * on both, then none: frame end skips the slots that recorded nothing and
 * still clears what the others held. */
static void monitor_frame_end_skips_idle_slots(void **state) {
    (void)state;
    rt_monitor *mon = make(2, 3, 8, 0);
    rt_monitor_record(mon, 0, 2, 0, 30);
    rt_monitor_frame_end(mon, 100);
    rt_monitor_record(mon, 1, 1, 0, 40);
    rt_monitor_frame_end(mon, 100);
    rt_monitor_record(mon, 1, 0, 0, 5);
    rt_monitor_record(mon, 1, 2, 0, 6);
    rt_monitor_frame_end(mon, 100);
    rt_monitor_frame_end(mon, 100);
    assert_int_equal(rt_monitor_sample_ns(mon, 0, 0), 30);
    assert_true(rt_monitor_sample_ns(mon, 0, 1) == RT_MONITOR_NOT_RUN);
    assert_true(rt_monitor_sample_ns(mon, 1, 0) == RT_MONITOR_NOT_RUN);
    assert_int_equal(rt_monitor_sample_ns(mon, 1, 1), 40);
    assert_true(rt_monitor_sample_ns(mon, 2, 0) == RT_MONITOR_NOT_RUN);
    assert_int_equal(rt_monitor_sample_ns(mon, 2, 1), 11);
    assert_true(rt_monitor_sample_ns(mon, 3, 0) == RT_MONITOR_NOT_RUN);
    assert_true(rt_monitor_sample_ns(mon, 3, 1) == RT_MONITOR_NOT_RUN);
    rt_monitor_stats st;
    rt_monitor_get_system_stats(mon, 1, &st);
    assert_int_equal(st.last_chunks, 0);
    rt_monitor_destroy(mon);
}

/* Each span comes back once with its frame; frames outside the range do not. */
static void monitor_spans_keep_frames(void **state) {
    (void)state;
    rt_monitor *mon = make(3, 2, 8, 64);
    for (uint64_t f = 0; f < 4; f++) {
        rt_monitor_record(mon, 0, 0, f * 1000, f * 1000 + 10);
        rt_monitor_record(mon, 1, 1, f * 1000 + 5, f * 1000 + 25);
        rt_monitor_record(mon, 2, 1, f * 1000 + 30, f * 1000 + 40);
        rt_monitor_frame_end(mon, 1000);
    }
    collected c = {0};
    assert_int_equal(rt_monitor_each_span(mon, 1, 2, collect, &c), 0);
    assert_int_equal(c.count, 6);
    int per_thread[2] = {0, 0};
    for (int i = 0; i < c.count; i++) {
        const rt_monitor_span *s = &c.spans[i];
        assert_true(s->frame == 1 || s->frame == 2);
        per_thread[s->thread]++;
        uint64_t base = s->frame * 1000;
        if (s->system == 0) assert_true(s->thread == 0 && s->begin_ns == base && s->end_ns == base + 10);
        if (s->system == 1) assert_true(s->thread == 1 && s->begin_ns == base + 5 && s->end_ns == base + 25);
        if (s->system == 2) assert_true(s->thread == 1 && s->begin_ns == base + 30 && s->end_ns == base + 40);
    }
    assert_int_equal(per_thread[0], 2);
    assert_int_equal(per_thread[1], 4);
    rt_monitor_destroy(mon);
}

/* A ring of 4 spans per thread keeps only the last 4; the rest are counted. */
static void monitor_spans_overwritten_are_counted(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 8, 4);
    for (uint64_t f = 0; f < 3; f++) {
        for (uint64_t i = 0; i < 3; i++) rt_monitor_record(mon, 0, 0, f * 100 + i * 10, f * 100 + i * 10 + 5);
        rt_monitor_frame_end(mon, 100);
    }
    collected c = {0};
    assert_int_equal(rt_monitor_each_span(mon, 0, 2, collect, &c), 5);
    assert_int_equal(c.count, 4);
    assert_int_equal(c.spans[0].frame, 1);
    assert_int_equal(c.spans[0].begin_ns, 120);
    assert_int_equal(c.spans[3].frame, 2);
    assert_int_equal(c.spans[3].begin_ns, 220);
    rt_monitor_destroy(mon);
}

static void monitor_spans_off_records_times(void **state) {
    (void)state;
    rt_monitor *mon = make(1, 1, 8, -1);
    frame_with(mon, 0, 42);
    collected c = {0};
    assert_int_equal(rt_monitor_each_span(mon, 0, 0, collect, &c), 0);
    assert_int_equal(c.count, 0);
    assert_int_equal(rt_monitor_sample_ns(mon, 0, 0), 42);
    rt_monitor_destroy(mon);
}

enum { CONC_THREADS = 4, CONC_SYSTEMS = 16, CONC_FRAMES = 200, CONC_CHUNKS = 5 };

typedef struct conc_shared {
    rt_monitor *mon;
    pthread_barrier_t start, done; /* around each frame's recording */
} conc_shared;

typedef struct conc_worker_arg {
    conc_shared *shared;
    int32_t thread;
} conc_worker_arg;

/* Thread t records, per frame, CONC_CHUNKS chunks of (t + 1) * (s + 1) ns for
 * every system s, all threads at once. */
static void *conc_worker(void *p) {
    conc_worker_arg *arg = p;
    conc_shared *sh = arg->shared;
    for (int f = 0; f < CONC_FRAMES; f++) {
        pthread_barrier_wait(&sh->start);
        for (int32_t s = 0; s < CONC_SYSTEMS; s++)
            for (int k = 0; k < CONC_CHUNKS; k++) {
                uint64_t b = rt_monitor_now_ns();
                rt_monitor_record(sh->mon, s, arg->thread, b, b + (uint64_t)((arg->thread + 1) * (s + 1)));
            }
        pthread_barrier_wait(&sh->done);
    }
    return NULL;
}

static void count_span(void *user, const rt_monitor_span *s) {
    int *per_thread = user;
    per_thread[s->thread]++;
}

static void monitor_record_concurrent_threads(void **state) {
    (void)state;
    conc_shared sh = {.mon = make(CONC_SYSTEMS, CONC_THREADS, 64, 1024)};
    pthread_barrier_init(&sh.start, NULL, CONC_THREADS + 1);
    pthread_barrier_init(&sh.done, NULL, CONC_THREADS + 1);
    pthread_t th[CONC_THREADS];
    conc_worker_arg args[CONC_THREADS];
    for (int t = 0; t < CONC_THREADS; t++) {
        args[t] = (conc_worker_arg){.shared = &sh, .thread = t};
        assert_int_equal(pthread_create(&th[t], NULL, conc_worker, &args[t]), 0);
    }
    const uint64_t thread_sum = CONC_THREADS * (CONC_THREADS + 1) / 2; /* 1 + 2 + ... */
    for (uint64_t f = 0; f < CONC_FRAMES; f++) {
        pthread_barrier_wait(&sh.start);
        pthread_barrier_wait(&sh.done); /* every record() of frame f is done */
        rt_monitor_frame_end(sh.mon, 1000);
        for (int32_t s = 0; s < CONC_SYSTEMS; s++)
            assert_int_equal(rt_monitor_sample_ns(sh.mon, f, s), CONC_CHUNKS * thread_sum * (uint64_t)(s + 1));
    }
    for (int t = 0; t < CONC_THREADS; t++) pthread_join(th[t], NULL);

    rt_monitor_stats st;
    rt_monitor_get_system_stats(sh.mon, 3, &st);
    assert_int_equal(st.last_chunks, CONC_THREADS * CONC_CHUNKS);
    assert_int_equal(st.samples, 64);
    assert_int_equal(st.p99_ns, CONC_CHUNKS * thread_sum * 4);
    int per_thread[CONC_THREADS] = {0};
    assert_int_equal(rt_monitor_each_span(sh.mon, CONC_FRAMES - 1, CONC_FRAMES - 1, count_span, per_thread), 0);
    for (int t = 0; t < CONC_THREADS; t++) assert_int_equal(per_thread[t], CONC_SYSTEMS * CONC_CHUNKS);
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.done);
    rt_monitor_destroy(sh.mon);
}

/* Memory reported by name and by id; errors at the boundary. */
static void monitor_memory_by_name_and_id(void **state) {
    (void)state;
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {.system_count = 3, .system_names = names3, .memory_slots = 2};
    assert_int_equal(rt_monitor_create(&d, &mon), 0);
    assert_int_equal(rt_monitor_set_memory(mon, "storage/Boid", 4096), 0);
    assert_int_equal(rt_monitor_set_memory(mon, "storage/Boid", 8192), 0);
    int32_t id = rt_monitor_memory_id(mon, "commands");
    assert_int_equal(id, 1);
    rt_monitor_set_memory_id(mon, id, 100);
    assert_int_equal(rt_monitor_memory_count(mon), 2);
    assert_string_equal(rt_monitor_memory(mon, 0).name, "storage/Boid");
    assert_int_equal(rt_monitor_memory(mon, 0).bytes, 8192);
    assert_int_equal(rt_monitor_memory(mon, 1).bytes, 100);
    assert_int_equal(rt_monitor_memory_total(mon), 8292);
    assert_int_equal(rt_monitor_memory_id(mon, "jobs"), -ENOSPC);
    assert_int_equal(rt_monitor_memory_id(mon, ""), -EINVAL);
    char lng[RT_MONITOR_MEMORY_NAME_MAX + 1];
    memset(lng, 'x', sizeof lng - 1);
    lng[sizeof lng - 1] = 0;
    assert_int_equal(rt_monitor_set_memory(mon, lng, 1), -ENAMETOOLONG);
    assert_int_equal(rt_monitor_memory_count(mon), 2);

    rt_monitor_process_memory pm;
    assert_int_equal(rt_monitor_process_memory_read(&pm), 0);
    assert_true(pm.resident_bytes > 0);
    assert_true(pm.peak_resident_bytes > 0);
    rt_monitor_destroy(mon);
}

/* The clock never goes back and shares CLOCK_MONOTONIC's origin. */
static void monitor_clock_monotonic(void **state) {
    (void)state;
    const char *src = rt_monitor_clock_source();
    assert_true(strcmp(src, "tsc") == 0 || strcmp(src, "monotonic") == 0);
    uint64_t prev = rt_monitor_now_ns();
    for (int i = 0; i < 100000; i++) {
        uint64_t now = rt_monitor_now_ns();
        assert_true(now >= prev);
        prev = now;
    }
    uint64_t a = rt_monitor_monotonic_ns(), b = rt_monitor_now_ns(), c = rt_monitor_monotonic_ns();
    /* Same origin: b lies between a and c up to calibration error (ppm of uptime). */
    uint64_t slack = 50 * 1000 * 1000 + c / 10000;
    assert_true(b + slack >= a && b <= c + slack);
}

/* A fake clock stamps frame ends. */
static uint64_t fake_clock(void *user) {
    uint64_t *t = user;
    return *t += 1000;
}

static void monitor_frame_stamps_use_desc_clock(void **state) {
    (void)state;
    uint64_t t = 0;
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {.system_count = 3, .system_names = names3, .window_frames = 4,
                         .clock = fake_clock, .clock_user = &t};
    assert_int_equal(rt_monitor_create(&d, &mon), 0);
    for (int i = 0; i < 6; i++) rt_monitor_frame_end(mon, 900);
    uint64_t ns, stamp;
    assert_true(rt_monitor_frame_sample(mon, 5, &ns, &stamp));
    assert_int_equal(ns, 900);
    assert_int_equal(stamp, 6000);
    assert_true(rt_monitor_frame_sample(mon, 2, &ns, &stamp));
    assert_int_equal(stamp, 3000);
    assert_false(rt_monitor_frame_sample(mon, 1, &ns, &stamp));
    rt_monitor_destroy(mon);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(monitor_create_rejects_bad_desc),
        cmocka_unit_test(monitor_create_applies_defaults),
        cmocka_unit_test(monitor_percentile_one_to_hundred),
        cmocka_unit_test(monitor_percentile_constant),
        cmocka_unit_test(monitor_percentile_window_wraparound),
        cmocka_unit_test(monitor_percentile_small_samples),
        cmocka_unit_test(monitor_percentile_matches_sorted_reference),
        cmocka_unit_test(monitor_record_sums_chunks_across_threads),
        cmocka_unit_test(monitor_record_many_equals_records),
        cmocka_unit_test(monitor_frame_end_skips_idle_slots),
        cmocka_unit_test(monitor_stats_skip_frames_not_run),
        cmocka_unit_test(monitor_spans_keep_frames),
        cmocka_unit_test(monitor_spans_overwritten_are_counted),
        cmocka_unit_test(monitor_spans_off_records_times),
        cmocka_unit_test(monitor_record_concurrent_threads),
        cmocka_unit_test(monitor_memory_by_name_and_id),
        cmocka_unit_test(monitor_clock_monotonic),
        cmocka_unit_test(monitor_frame_stamps_use_desc_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
