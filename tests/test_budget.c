/* test_budget.c -- the budget controller (runtime/budget.h): the status state
 * machine and its hysteresis, the quality level (no oscillation at the threshold),
 * emergency throttling (exact systems untouched), slices, rate-limited overrun
 * messages, config overrides, the decision log and bit-exact replay, pacing.
 * Times are fed in, never measured: these tests do not depend on the machine.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "budget.h"
#include "monitor.h"

#define MS(x) ((uint64_t)((x) * 1e6))

/* Captures overrun messages. */
typedef struct events {
    rt_budget_event ev[512];
    int count;
} events;

static void capture(void *user, const rt_budget_event *ev) {
    events *e = user;
    if (e->count < 512) e->ev[e->count] = *ev;
    e->count++;
}

static void quiet(void *user, const rt_budget_event *ev) {
    (void)user;
    (void)ev;
}

/* Systems: "exact" (not degradable), "skipper" (degradable, skip), "slicer"
 * (degradable, slice); targets 1 ms, critical 2 ms. */
static const rt_budget_desc three[] = {
    {.system = "exact", .target_ms = 1, .critical_ms = 2},
    {.system = "skipper", .target_ms = 1, .critical_ms = 2, .degradable = true},
    {.system = "slicer", .target_ms = 1, .critical_ms = 2, .degradable = true,
     .degrade = RT_BUDGET_DEGRADE_SLICE},
};

static rt_budget *make(rt_budget_controller_desc d) {
    if (!d.systems) {
        d.systems = three;
        d.system_count = 3;
    }
    if (!d.log) d.log = quiet;
    rt_budget *bud = NULL;
    char err[256] = "";
    assert_int_equal(rt_budget_check_desc(&d, err, sizeof err), 0);
    assert_int_equal(rt_budget_create(&d, &bud), 0);
    return bud;
}

/* One frame: begin, then every system that runs costs `ms[i]` for the part it
 * was told to run (a slice costs its share), the frame costs frame_ms. */
static const rt_budget_frame *step(rt_budget *bud, const float *ms, float frame_ms) {
    const rt_budget_frame *fr = rt_budget_frame_begin(bud);
    uint64_t ns[8];
    assert_true(fr->system_count <= 8);
    for (int32_t i = 0; i < fr->system_count; i++) {
        rt_budget_decision d = fr->systems[i];
        ns[i] = d.run ? MS(ms[i] / d.slice_count) : RT_MONITOR_NOT_RUN;
    }
    rt_budget_frame_end(bud, MS(frame_ms), ns);
    return fr;
}

static uint32_t throttle_of(const rt_budget *bud, int32_t i) {
    rt_budget_system_info info;
    rt_budget_get_system(bud, i, &info);
    return info.throttle;
}

static rt_budget_status status_of(const rt_budget *bud, int32_t i) {
    rt_budget_system_info info;
    rt_budget_get_system(bud, i, &info);
    return info.status;
}

/* Feeds system 0 `ms` for n frames and checks its status after each. */
static void feed(rt_budget *bud, float ms, int n, rt_budget_status expect_last, rt_budget_status expect_before) {
    float t[3] = {ms, 0.1f, 0.1f};
    for (int i = 0; i < n; i++) {
        step(bud, t, 5);
        assert_int_equal(status_of(bud, 0), i == n - 1 ? expect_last : expect_before);
    }
}

static void budget_create_rejects_bad_desc(void **state) {
    (void)state;
    rt_budget *bud = NULL;
    char err[256];
    rt_budget_desc bad_crit[] = {{.system = "a", .target_ms = 2, .critical_ms = 1}};
    rt_budget_controller_desc d = {.system_count = 1, .systems = bad_crit};
    assert_int_equal(rt_budget_check_desc(&d, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "critical_ms"));
    assert_int_equal(rt_budget_create(&d, &bud), -EINVAL);
    d = (rt_budget_controller_desc){.system_count = 3, .systems = three, .throttle_max = 100};
    assert_int_equal(rt_budget_check_desc(&d, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "throttle_max"));
    d = (rt_budget_controller_desc){.system_count = 3, .systems = three, .frame_target_ms = 10,
                                    .frame_critical_ms = 5};
    assert_int_equal(rt_budget_create(&d, &bud), -EINVAL);
    rt_budget_desc unnamed[] = {{.target_ms = 1}};
    d = (rt_budget_controller_desc){.system_count = 1, .systems = unnamed};
    assert_int_equal(rt_budget_create(&d, &bud), -EINVAL);
    d = (rt_budget_controller_desc){.system_count = 0, .systems = three};
    assert_int_equal(rt_budget_create(&d, &bud), -EINVAL);
    assert_null(bud);
}

static void budget_create_applies_defaults(void **state) {
    (void)state;
    rt_budget_desc one[] = {{.system = "a", .target_ms = 2}};
    rt_budget *bud = make((rt_budget_controller_desc){.system_count = 1, .systems = one});
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_float_equal(info.frame_target_ms, 1000.0 / 60, 1e-4);
    assert_float_equal(info.frame_critical_ms, 1.5 * 1000.0 / 60, 1e-4);
    assert_float_equal(info.quality, 1, 0);
    assert_int_equal(info.frame_status, RT_BUDGET_OK);
    rt_budget_system_info si;
    rt_budget_get_system(bud, 0, &si);
    assert_float_equal(si.critical_ms, 4, 0);
    assert_float_equal(si.last_ms, -1, 0);
    assert_int_equal(si.throttle, 1);
    rt_budget_destroy(bud);
}

/* OK -> WARNING after 3 frames over target, -> CRITICAL after 2 over critical,
 * back to WARNING after 30 calm frames under 0.8 x critical, to OK after 30 under
 * 0.8 x target; a calm streak broken restarts the count. */
static void budget_status_ok_warning_critical_and_back(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){0});
    feed(bud, 1.5f, 3, RT_BUDGET_WARNING, RT_BUDGET_OK);
    feed(bud, 2.5f, 2, RT_BUDGET_CRITICAL, RT_BUDGET_WARNING);
    feed(bud, 1.5f, 29, RT_BUDGET_CRITICAL, RT_BUDGET_CRITICAL); /* under 1.6 */
    feed(bud, 1.7f, 1, RT_BUDGET_CRITICAL, RT_BUDGET_CRITICAL);  /* breaks the streak */
    feed(bud, 1.5f, 30, RT_BUDGET_WARNING, RT_BUDGET_CRITICAL);
    feed(bud, 0.9f, 40, RT_BUDGET_WARNING, RT_BUDGET_WARNING);   /* under target, not calm */
    feed(bud, 0.5f, 30, RT_BUDGET_OK, RT_BUDGET_WARNING);
    rt_budget_system_info si;
    rt_budget_get_system(bud, 0, &si);
    assert_int_equal(si.overruns, 3 + 2 + 29 + 1 + 30);
    assert_int_equal(si.critical_overruns, 2);
    rt_budget_destroy(bud);
}

/* Isolated spikes, even over critical, never change the status. */
static void budget_status_spikes_stay_ok(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){0});
    for (int i = 0; i < 200; i++) {
        float ms = i % 2 ? 5.0f : 0.2f;
        feed(bud, ms, 1, RT_BUDGET_OK, RT_BUDGET_OK);
    }
    rt_budget_destroy(bud);
}

/* A frame in which a system does not run is no sample: it does not calm it. */
static void budget_status_skipped_frames_are_no_samples(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){0});
    feed(bud, 1.5f, 3, RT_BUDGET_WARNING, RT_BUDGET_OK);
    for (int i = 0; i < 100; i++) {
        rt_budget_frame_begin(bud);
        uint64_t ns[3] = {RT_MONITOR_NOT_RUN, RT_MONITOR_NOT_RUN, RT_MONITOR_NOT_RUN};
        rt_budget_frame_end(bud, MS(5), ns);
    }
    assert_int_equal(status_of(bud, 0), RT_BUDGET_WARNING);
    rt_budget_destroy(bud);
}

/* Overruns are all counted; messages come at most once per 60 frames per
 * system, carrying the number not logged in between. */
static void budget_overrun_log_rate_limited(void **state) {
    (void)state;
    events e = {0};
    rt_budget *bud = make((rt_budget_controller_desc){.log = capture, .log_user = &e});
    float t[3] = {1.25f, 0.1f, 0.1f};
    for (int i = 0; i < 200; i++) step(bud, t, 5);
    assert_int_equal(e.count, 4); /* frames 0, 60, 120, 180 */
    assert_int_equal(e.ev[0].frame, 0);
    assert_int_equal(e.ev[0].suppressed, 0);
    assert_int_equal(e.ev[1].frame, 60);
    assert_int_equal(e.ev[1].suppressed, 59);
    assert_string_equal(e.ev[1].name, "exact");
    assert_int_equal(e.ev[1].system, 0);
    assert_float_equal(e.ev[1].time_ms, 1.25, 1e-6);
    assert_float_equal(e.ev[1].target_ms, 1, 0);
    assert_float_equal(e.ev[1].critical_ms, 2, 0);
    assert_int_equal(e.ev[1].status, RT_BUDGET_WARNING);
    rt_budget_system_info si;
    rt_budget_get_system(bud, 0, &si);
    assert_int_equal(si.overruns, 200);
    /* The frame's own overruns go through the same limiter, as system -1. */
    e.count = 0;
    float ok[3] = {0.1f, 0.1f, 0.1f};
    for (int i = 0; i < 61; i++) step(bud, ok, 20);
    assert_int_equal(e.count, 2);
    assert_int_equal(e.ev[0].system, -1);
    assert_string_equal(e.ev[0].name, "frame");
    rt_budget_destroy(bud);
}

/* Quality drops a step after 3 frames over target, down to the floor; rises a
 * smaller step after 60 frames with headroom, up to 1. */
static void budget_quality_drops_and_recovers(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10, .frame_critical_ms = 1000});
    float t[3] = {0.1f, 0.1f, 0.1f};
    for (int i = 0; i < 3; i++) step(bud, t, 11);
    assert_float_equal(rt_budget_quality(bud), 0.95, 1e-6);
    for (int i = 0; i < 300; i++) step(bud, t, 11);
    assert_float_equal(rt_budget_quality(bud), 0.5, 1e-6);
    for (int i = 0; i < 59; i++) step(bud, t, 5);
    assert_float_equal(rt_budget_quality(bud), 0.5, 1e-6);
    step(bud, t, 5);
    assert_float_equal(rt_budget_quality(bud), 0.51, 1e-6);
    for (int i = 0; i < 60 * 60; i++) step(bud, t, 5);
    assert_float_equal(rt_budget_quality(bud), 1, 1e-6);
    rt_budget_destroy(bud);
}

static uint32_t lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* A load that responds to quality and sits right at the frame target: it settles
 * after a drop or two and never turns back up. */
static void budget_quality_no_oscillation_at_threshold(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10, .frame_critical_ms = 1000});
    float t[3] = {0.1f, 0.1f, 0.1f};
    uint32_t seed = 1;
    float prev = 1, dir = 0;
    int changes = 0, reversals = 0;
    for (int i = 0; i < 20000; i++) {
        float noise = ((float)(lcg(&seed) % 2001) - 1000) / 1000 * 0.01f; /* +-1% */
        float frame = 10.0f * (0.2f + 0.82f * rt_budget_quality(bud)) * (1 + noise);
        step(bud, t, frame);
        float q = rt_budget_quality(bud);
        if (q != prev) {
            float d = q > prev ? 1 : -1;
            if (dir != 0 && d != dir) reversals++;
            dir = d;
            changes++;
            prev = q;
        }
    }
    assert_int_equal(reversals, 0);
    assert_true(changes >= 1 && changes <= 2);
    rt_budget_destroy(bud);
}

/* A load that does not respond at all and straddles the target (+-3%): quality
 * only ever goes one way. */
static void budget_quality_monotone_when_straddling(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10, .frame_critical_ms = 1000});
    float t[3] = {0.1f, 0.1f, 0.1f};
    uint32_t seed = 7;
    float prev = 1;
    for (int i = 0; i < 5000; i++) {
        float noise = ((float)(lcg(&seed) % 2001) - 1000) / 1000 * 0.03f;
        step(bud, t, 10.0f * (1 + noise));
        float q = rt_budget_quality(bud);
        assert_true(q <= prev);
        prev = q;
    }
    rt_budget_destroy(bud);
}

/* While a non-degradable system is CRITICAL, degradable ones are throttled; the
 * non-degradable one runs every frame, fully, with elapsed 1, throughout. */
static void budget_throttle_leaves_exact_systems_untouched(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10});
    float t[3] = {3.0f, 0.5f, 0.5f}; /* exact is over critical */
    int skipped = 0, slice_seen[16] = {0}, throttled_frames = 0;
    for (int i = 0; i < 400; i++) {
        if (i == 200) t[0] = 0.2f; /* the emergency ends */
        const rt_budget_frame *fr = step(bud, t, 12);
        rt_budget_decision ex = fr->systems[0];
        assert_true(ex.run);
        assert_int_equal(ex.slice_index, 0);
        assert_int_equal(ex.slice_count, 1);
        assert_int_equal(ex.elapsed_frames, 1);
        rt_budget_decision sk = fr->systems[1], sl = fr->systems[2];
        if (!sk.run) skipped++;
        assert_int_equal(sk.slice_count, 1);
        assert_true(sl.run);
        if (sl.slice_count > 1) {
            throttled_frames++;
            if (sl.slice_count == 4) slice_seen[sl.slice_index]++;
            assert_int_equal(sl.elapsed_frames, sl.slice_count);
        }
    }
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_true(skipped > 0);
    assert_true(throttled_frames > 0);
    for (int k = 0; k < 4; k++) assert_true(slice_seen[k] > 0); /* rotation visits every slice */
    /* After the emergency, k halves back to 1 within a few recover periods. */
    assert_false(info.emergency);
    assert_int_equal(throttle_of(bud, 1), 1);
    assert_int_equal(throttle_of(bud, 2), 1);
    rt_budget_destroy(bud);
}

/* A degradable system that is itself CRITICAL gets k = ceil(cost / target): at
 * 5 x its target it runs every 5th frame, standing for 5 frames each time; once
 * cheap again it calms down (on the frames it runs) and k halves back to 1. */
static void budget_throttle_self_critical_sets_k(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10});
    float t[3] = {0.1f, 5.0f, 0.1f};
    for (int i = 0; i < 10; i++) step(bud, t, 5);
    assert_int_equal(status_of(bud, 1), RT_BUDGET_CRITICAL);
    int runs = 0;
    for (int i = 0; i < 100; i++) {
        const rt_budget_frame *fr = step(bud, t, 5);
        if (fr->systems[1].run) {
            runs++;
            assert_int_equal(fr->systems[1].elapsed_frames, 5);
        }
        assert_int_equal(throttle_of(bud, 1), 5);
    }
    assert_int_equal(runs, 20);
    t[1] = 0.5f;
    for (int i = 0; i < 600; i++) step(bud, t, 5);
    assert_int_equal(throttle_of(bud, 1), 1);
    assert_int_equal(status_of(bud, 1), RT_BUDGET_OK);
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_false(info.emergency);
    rt_budget_destroy(bud);
}

/* k never exceeds throttle_max, however far over budget a system is. */
static void budget_throttle_bounded_by_max(void **state) {
    (void)state;
    rt_budget *bud = make((rt_budget_controller_desc){.frame_target_ms = 10, .throttle_max = 6});
    float t[3] = {0.1f, 0.1f, 100.0f};
    uint32_t most = 0;
    for (int i = 0; i < 300; i++) {
        const rt_budget_frame *fr = step(bud, t, 50);
        if (fr->systems[2].slice_count > most) most = fr->systems[2].slice_count;
        assert_true(throttle_of(bud, 1) <= 6);
    }
    assert_int_equal(most, 6);
    rt_budget_destroy(bud);
}

/* The k slices of a count partition [0, count) in order. */
static void budget_slice_range_partitions(void **state) {
    (void)state;
    for (int64_t n = 0; n <= 50; n++)
        for (uint8_t k = 1; k <= 9; k++) {
            int64_t next = 0;
            for (uint8_t i = 0; i < k; i++) {
                int64_t b, e;
                rt_budget_slice_range((rt_budget_decision){.run = true, .slice_index = i, .slice_count = k}, n, &b, &e);
                assert_int_equal(b, next);
                assert_true(e >= b && e - b <= n / k + 1);
                next = e;
            }
            assert_int_equal(next, n);
        }
}

/* A load that makes the controller change its mind often: bursts over critical
 * for the degradable systems, frames over target, calm stretches. */
static void varied_load(uint32_t *seed, int frame, float *t, float *frame_ms) {
    int phase = (frame / 150) % 4;
    for (int i = 0; i < 3; i++) t[i] = 0.2f + (float)(lcg(seed) % 100) / 100.0f;
    if (phase == 1) t[1] += 3;
    if (phase == 2) t[2] += 6, t[0] += 2;
    *frame_ms = 4 + t[0] + t[1] + t[2] + (phase == 3 ? 8 : 0);
}

typedef struct recorded {
    rt_budget_decision d[3];
    float quality;
} recorded;

static bool same_decision(rt_budget_decision a, rt_budget_decision b) {
    return a.run == b.run && a.slice_index == b.slice_index && a.slice_count == b.slice_count &&
           a.elapsed_frames == b.elapsed_frames;
}

static char *temp_path(const char *tag) {
    static char path[4][64];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 64, "/tmp/test_budget_%s_XXXXXX", tag);
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    close(fd);
    return p;
}

static bool files_equal(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
    } while (ca == cb && ca != EOF);
    fclose(fa);
    fclose(fb);
    return ca == cb;
}

enum { REPLAY_FRAMES = 3000 };

/* Record a run, replay its log under a completely different load: every decision
 * and the quality come back bit for bit; the replayed log saves identically. */
static void budget_replay_identical_decisions(void **state) {
    (void)state;
    static recorded rec[REPLAY_FRAMES];
    rt_budget_controller_desc d = {.frame_target_ms = 10};
    rt_budget *a = make(d);
    uint32_t seed = 42;
    int throttled = 0;
    for (int f = 0; f < REPLAY_FRAMES; f++) {
        float t[3], frame_ms;
        varied_load(&seed, f, t, &frame_ms);
        const rt_budget_frame *fr = step(a, t, frame_ms);
        assert_false(fr->replaying);
        memcpy(rec[f].d, fr->systems, sizeof rec[f].d);
        rec[f].quality = fr->quality;
        throttled += !fr->systems[1].run || fr->systems[2].slice_count > 1;
    }
    rt_budget_info info;
    rt_budget_get_info(a, &info);
    assert_true(info.log_changes > 5);
    assert_false(info.log_full);
    assert_true(throttled > 50);
    char *log_a = temp_path("a");
    assert_int_equal(rt_budget_save_log(a, log_a), 0);

    rt_budget *b = make(d);
    float calm[3] = {0.01f, 0.01f, 0.01f};
    step(b, calm, 1); /* loading resets whatever ran before */
    assert_int_equal(rt_budget_load_log(b, log_a), 0);
    for (int f = 0; f < REPLAY_FRAMES; f++) {
        const rt_budget_frame *fr = step(b, calm, 1);
        assert_true(fr->replaying);
        assert_false(fr->replay_past_end);
        assert_int_equal(fr->frame, f);
        assert_true(fr->quality == rec[f].quality);
        for (int i = 0; i < 3; i++) assert_true(same_decision(fr->systems[i], rec[f].d[i]));
    }
    assert_true(step(b, calm, 1)->replay_past_end);
    char *log_b = temp_path("b");
    assert_int_equal(rt_budget_save_log(b, log_b), 0);
    assert_true(files_equal(log_a, log_b));
    unlink(log_a);
    unlink(log_b);
    rt_budget_destroy(a);
    rt_budget_destroy(b);
}

/* A log that filled up reproduces the frames before it filled, exactly. */
static void budget_replay_full_log_covers_prefix(void **state) {
    (void)state;
    static recorded rec[REPLAY_FRAMES];
    rt_budget_controller_desc d = {.frame_target_ms = 10, .log_changes = 3};
    rt_budget *a = make(d);
    uint32_t seed = 9;
    for (int f = 0; f < REPLAY_FRAMES; f++) {
        float t[3], frame_ms;
        varied_load(&seed, f, t, &frame_ms);
        const rt_budget_frame *fr = step(a, t, frame_ms);
        memcpy(rec[f].d, fr->systems, sizeof rec[f].d);
        rec[f].quality = fr->quality;
    }
    rt_budget_info info;
    rt_budget_get_info(a, &info);
    assert_true(info.log_full);
    assert_int_equal(info.log_changes, 3);
    char *path = temp_path("full");
    assert_int_equal(rt_budget_save_log(a, path), 0);
    rt_budget *b = make(d);
    assert_int_equal(rt_budget_load_log(b, path), 0);
    float calm[3] = {0, 0, 0};
    int covered = -1;
    for (int f = 0; f < REPLAY_FRAMES && covered < 0; f++) {
        const rt_budget_frame *fr = step(b, calm, 1);
        if (fr->replay_past_end) {
            covered = f;
            break;
        }
        assert_true(fr->quality == rec[f].quality);
        for (int i = 0; i < 3; i++) assert_true(same_decision(fr->systems[i], rec[f].d[i]));
    }
    assert_true(covered > 0);
    unlink(path);
    rt_budget_destroy(a);
    rt_budget_destroy(b);
}

static void budget_replay_rejects_foreign_log(void **state) {
    (void)state;
    rt_budget *a = make((rt_budget_controller_desc){0});
    float t[3] = {0.1f, 0.1f, 0.1f};
    step(a, t, 1);
    char *path = temp_path("foreign");
    assert_int_equal(rt_budget_save_log(a, path), 0);

    /* Same count, other names. */
    rt_budget_desc other[] = {{.system = "exact"}, {.system = "skipper"}, {.system = "other"}};
    rt_budget *b = make((rt_budget_controller_desc){.system_count = 3, .systems = other});
    assert_int_equal(rt_budget_load_log(b, path), -EINVAL);
    /* Other count. */
    rt_budget *c = make((rt_budget_controller_desc){.system_count = 2, .systems = three});
    assert_int_equal(rt_budget_load_log(c, path), -EINVAL);
    /* Too many changes for the capacity. */
    rt_budget *e = make((rt_budget_controller_desc){.log_changes = 1});
    for (int f = 0; f < 200; f++) {
        float hot[3] = {0.1f, 9, 0.1f};
        step(a, hot, 30);
    }
    assert_int_equal(rt_budget_save_log(a, path), 0);
    assert_int_equal(rt_budget_load_log(e, path), -EFBIG);
    /* Not a log. */
    FILE *f = fopen(path, "wb");
    fputs("not a log at all, not at all, really", f);
    fclose(f);
    assert_int_equal(rt_budget_load_log(a, path), -EINVAL);
    assert_int_equal(rt_budget_load_log(a, "/nonexistent/dir/log"), -ENOENT);
    /* A failed load leaves the controller recording. */
    rt_budget_info info;
    rt_budget_get_info(a, &info);
    assert_false(info.replaying);
    unlink(path);
    rt_budget_destroy(a);
    rt_budget_destroy(b);
    rt_budget_destroy(c);
    rt_budget_destroy(e);
}

static const rt_budget_desc cfg_systems[] = {
    {.system = "a", .target_ms = 1, .degradable = true},
    {.system = "b", .target_ms = 2, .critical_ms = 5},
};

static rt_budget *make_cfg(void) {
    return make((rt_budget_controller_desc){.system_count = 2, .systems = cfg_systems});
}

static void budget_config_overrides_apply(void **state) {
    (void)state;
    rt_budget *bud = make_cfg();
    char err[256] = "";
    int rc = rt_budget_apply_config(bud,
        "{\"frame_target_ms\": 20, \"quality_min\": 0.6, \"warning_after\": 5,"
        " \"systems\": {\"a\": {\"target_ms\": 3, \"degrade\": \"slice\"},"
        "               \"b\": {\"critical_ms\": 8, \"degradable\": true}}}",
        err, sizeof err);
    assert_int_equal(rc, 0);
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_float_equal(info.frame_target_ms, 20, 0);
    assert_float_equal(info.frame_critical_ms, 30, 1e-5); /* still 1.5 x target */
    rt_budget_system_info a, b;
    rt_budget_get_system(bud, 0, &a);
    rt_budget_get_system(bud, 1, &b);
    assert_float_equal(a.target_ms, 3, 0);
    assert_float_equal(a.critical_ms, 6, 0); /* defaulted critical follows the target */
    assert_int_equal(a.degrade, RT_BUDGET_DEGRADE_SLICE);
    assert_true(a.degradable);
    assert_float_equal(b.target_ms, 2, 0);
    assert_float_equal(b.critical_ms, 8, 0);
    assert_true(b.degradable);
    /* warning_after 5 is in force. */
    float t[2] = {4, 0.1f};
    for (int i = 0; i < 4; i++) step(bud, t, 5);
    assert_int_equal(status_of(bud, 0), RT_BUDGET_OK);
    step(bud, t, 5);
    assert_int_equal(status_of(bud, 0), RT_BUDGET_WARNING);
    rt_budget_destroy(bud);
}

/* Every kind of bad config is rejected with a reason, and changes nothing. */
static void budget_config_rejects_and_keeps_state(void **state) {
    (void)state;
    rt_budget *bud = make_cfg();
    static const struct {
        const char *json, *reason;
    } bad[] = {
        {"{", "parse"},
        {"[1]", "object"},
        {"{\"frame_target_ms\": 25, \"frame_targte_ms\": 1}", "frame_targte_ms"},
        {"{\"systems\": {\"c\": {}}}", "'c'"},
        {"{\"warning_after\": 2.5}", "integer"},
        {"{\"frame_target_ms\": \"fast\"}", "number"},
        {"{\"frame_target_ms\": 25, \"frame_critical_ms\": 20}", "frame_critical_ms"},
        {"{\"systems\": {\"b\": {\"target_ms\": 6}}}", "below target_ms"},
        {"{\"systems\": {\"a\": {\"degradable\": 1}}}", "true or false"},
        {"{\"systems\": {\"a\": {\"degrade\": \"half\"}}}", "skip"},
        {"{\"systems\": {\"a\": {\"budget\": 1}}}", "budget"},
        {"{\"systems\": [1]}", "object"},
        {"{\"throttle_max\": 65}", "throttle_max"},
        {"{\"quality_min\": 0}", NULL}, /* 0 means default: accepted */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        int rc = rt_budget_apply_config(bud, bad[i].json, err, sizeof err);
        if (!bad[i].reason) {
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, -EINVAL);
        if (!strstr(err, bad[i].reason)) fail_msg("config %s: '%s' lacks '%s'", bad[i].json, err, bad[i].reason);
        rt_budget_info info;
        rt_budget_get_info(bud, &info);
        assert_float_equal(info.frame_target_ms, 1000.0 / 60, 1e-4);
        rt_budget_system_info b;
        rt_budget_get_system(bud, 1, &b);
        assert_float_equal(b.target_ms, 2, 0);
        assert_false(b.degradable);
    }
    rt_budget_destroy(bud);
}

static void budget_config_load_file(void **state) {
    (void)state;
    rt_budget *bud = make_cfg();
    char *path = temp_path("cfg");
    FILE *f = fopen(path, "w");
    fputs("{\"frame_target_ms\": 33.3, \"systems\": {\"b\": {\"target_ms\": 4}}}\n", f);
    fclose(f);
    char err[256] = "";
    assert_int_equal(rt_budget_load_config(bud, path, err, sizeof err), 0);
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_float_equal(info.frame_target_ms, 33.3, 1e-4);
    f = fopen(path, "w");
    fputs("{\"systems\": {\"z\": {}}}", f);
    fclose(f);
    assert_int_equal(rt_budget_load_config(bud, path, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "'z'"));
    assert_int_equal(rt_budget_load_config(bud, "/nonexistent/budget.json", err, sizeof err), -ENOENT);
    unlink(path);
    rt_budget_destroy(bud);
}

/* Turning degradable off at run time stops a throttle at the next frame. */
static void budget_config_undegradable_runs_at_once(void **state) {
    (void)state;
    rt_budget *bud = make_cfg();
    float t[2] = {5, 0.1f};
    for (int i = 0; i < 20; i++) step(bud, t, 5);
    assert_true(throttle_of(bud, 0) > 1);
    char err[256];
    assert_int_equal(rt_budget_apply_config(bud, "{\"systems\": {\"a\": {\"degradable\": false}}}", err, sizeof err), 0);
    for (int i = 0; i < 10; i++) {
        const rt_budget_frame *fr = step(bud, t, 5);
        assert_true(fr->systems[0].run);
        assert_int_equal(fr->systems[0].slice_count, 1);
    }
    rt_budget_destroy(bud);
}

static void budget_pace_next_keeps_phase(void **state) {
    (void)state;
    assert_int_equal(rt_budget_pace_next(100, 50, 10), 110);  /* early: next boundary */
    assert_int_equal(rt_budget_pace_next(100, 105, 10), 110); /* a little late: same phase */
    assert_int_equal(rt_budget_pace_next(100, 115, 10), 125); /* a whole period late: resync */
    assert_int_equal(rt_budget_pace_next(0, 5000000000u, 16666667), 5000000000u + 16666667);
    uint64_t deadline = 0;
    assert_int_equal(rt_budget_pace(&deadline, 1000000), 0); /* first call never sleeps */
    assert_true(deadline > 1000000);
}

/* The controller reads what the monitor measured. */
static void budget_frame_end_monitor_reads_monitor(void **state) {
    (void)state;
    const char *const names[] = {"exact", "skipper", "slicer"};
    rt_monitor *mon = NULL;
    rt_monitor_desc md = {.system_count = 3, .system_names = names, .thread_count = 2};
    assert_int_equal(rt_monitor_create(&md, &mon), 0);
    rt_budget *bud = make((rt_budget_controller_desc){0});
    for (int f = 0; f < 3; f++) {
        rt_budget_frame_begin(bud);
        rt_monitor_record(mon, 0, 0, 0, MS(0.8));
        rt_monitor_record(mon, 0, 1, 0, MS(0.7));
        rt_monitor_record(mon, 2, 1, 0, MS(0.1));
        rt_monitor_frame_end(mon, MS(20));
        rt_budget_frame_end_monitor(bud, mon);
    }
    rt_budget_system_info si;
    rt_budget_get_system(bud, 0, &si);
    assert_int_equal(si.status, RT_BUDGET_WARNING);
    assert_float_equal(si.last_ms, 1.5, 1e-6);
    rt_budget_get_system(bud, 1, &si);
    assert_float_equal(si.last_ms, -1, 0); /* never ran */
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    assert_float_equal(info.last_frame_ms, 20, 1e-6);
    assert_int_equal(info.frame_overruns, 3);
    assert_int_equal(info.frames, 3);
    rt_budget_destroy(bud);
    rt_monitor_destroy(mon);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(budget_create_rejects_bad_desc),
        cmocka_unit_test(budget_create_applies_defaults),
        cmocka_unit_test(budget_status_ok_warning_critical_and_back),
        cmocka_unit_test(budget_status_spikes_stay_ok),
        cmocka_unit_test(budget_status_skipped_frames_are_no_samples),
        cmocka_unit_test(budget_overrun_log_rate_limited),
        cmocka_unit_test(budget_quality_drops_and_recovers),
        cmocka_unit_test(budget_quality_no_oscillation_at_threshold),
        cmocka_unit_test(budget_quality_monotone_when_straddling),
        cmocka_unit_test(budget_throttle_leaves_exact_systems_untouched),
        cmocka_unit_test(budget_throttle_self_critical_sets_k),
        cmocka_unit_test(budget_throttle_bounded_by_max),
        cmocka_unit_test(budget_slice_range_partitions),
        cmocka_unit_test(budget_replay_identical_decisions),
        cmocka_unit_test(budget_replay_full_log_covers_prefix),
        cmocka_unit_test(budget_replay_rejects_foreign_log),
        cmocka_unit_test(budget_config_overrides_apply),
        cmocka_unit_test(budget_config_rejects_and_keeps_state),
        cmocka_unit_test(budget_config_load_file),
        cmocka_unit_test(budget_config_undegradable_runs_at_once),
        cmocka_unit_test(budget_pace_next_keeps_phase),
        cmocka_unit_test(budget_frame_end_monitor_reads_monitor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
