/* test_export.c -- the exports (runtime/export.h), each parsed back: the CSV split
 * and counted, the summary and the profile through cJSON, the Chrome trace checked
 * for ordered, properly nested events on every thread's track.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <cmocka.h>

#include "budget.h"
#include "export.h"
#include "monitor.h"

/* An in-memory FILE: write, then take the text with mem_done. */
typedef struct mem {
    FILE *f;
    char *text;
    size_t size;
} mem;

static FILE *mem_open(mem *m) {
    m->f = open_memstream(&m->text, &m->size);
    assert_non_null(m->f);
    return m->f;
}

static char *mem_done(mem *m) {
    fclose(m->f);
    return m->text;
}

static uint64_t fake_clock(void *user) {
    uint64_t *t = user;
    return *t += 1000;
}

static rt_monitor *make(const char *const *names, int32_t systems, int32_t threads, int32_t window,
                        int32_t spans, uint64_t *clock) {
    rt_monitor *mon = NULL;
    rt_monitor_desc d = {
        .system_count = systems,
        .system_names = names,
        .thread_count = threads,
        .window_frames = window,
        .trace_spans = spans,
        .clock = clock ? fake_clock : NULL,
        .clock_user = clock,
    };
    assert_int_equal(rt_monitor_create(&d, &mon), 0);
    return mon;
}

static const char *const names3[] = {"move", "gravity", "tint"};

/* Frame f: move costs 1000 + f ns, gravity 2000 ns on even frames only, tint
 * 500 ns in two chunks; the frame 10 us. */
static void fill_frame(rt_monitor *mon, int f) {
    rt_monitor_record(mon, 0, 0, 0, 1000 + (uint64_t)f);
    if (f % 2 == 0) rt_monitor_record(mon, 1, 0, 0, 2000);
    rt_monitor_record(mon, 2, 0, 0, 200);
    rt_monitor_record(mon, 2, 0, 0, 300);
    rt_monitor_frame_end(mon, 10000);
}

static void fill(rt_monitor *mon, int frames) {
    for (int f = 0; f < frames; f++) fill_frame(mon, f);
}

/* Splits s at `sep` in place into at most max fields; returns the count. */
static int split(char *s, char sep, char **fields, int max) {
    int n = 0;
    fields[n++] = s;
    for (char *c = s; *c; c++)
        if (*c == sep) {
            *c = 0;
            assert_true(n < max);
            fields[n++] = c + 1;
        }
    return n;
}

static void export_csv_parses_back(void **state) {
    (void)state;
    rt_monitor *mon = make(names3, 3, 1, 8, 0, NULL);
    fill(mon, 12); /* the window keeps frames 4..11 */
    mem m;
    assert_int_equal(rt_export_csv(mon, mem_open(&m)), 0);
    char *text = mem_done(&m);
    char *lines[32];
    int n = split(text, '\n', lines, 32);
    assert_int_equal(n, 1 + 8 + 1); /* header, 8 rows, the empty tail after the last newline */
    assert_string_equal(lines[n - 1], "");
    char *f[8];
    assert_int_equal(split(lines[0], ',', f, 8), 5);
    assert_string_equal(f[0], "frame");
    assert_string_equal(f[1], "frame_us");
    assert_string_equal(f[2], "move");
    assert_string_equal(f[3], "gravity");
    assert_string_equal(f[4], "tint");
    for (int r = 1; r <= 8; r++) {
        int frame = 4 + r - 1;
        assert_int_equal(split(lines[r], ',', f, 8), 5);
        assert_int_equal(atoi(f[0]), frame);
        assert_float_equal(strtod(f[1], NULL), 10.0, 1e-9);
        assert_float_equal(strtod(f[2], NULL), (1000.0 + frame) / 1000, 1e-9);
        if (frame % 2 == 0) assert_float_equal(strtod(f[3], NULL), 2.0, 1e-9);
        else assert_string_equal(f[3], ""); /* did not run */
        assert_float_equal(strtod(f[4], NULL), 0.5, 1e-9);
    }
    free(text);
    rt_monitor_destroy(mon);
}

static void export_csv_quotes_odd_names(void **state) {
    (void)state;
    const char *const odd[] = {"a,b", "say \"hi\""};
    rt_monitor *mon = make(odd, 2, 1, 4, 0, NULL);
    mem m;
    assert_int_equal(rt_export_csv(mon, mem_open(&m)), 0);
    char *text = mem_done(&m);
    assert_string_equal(text, "frame,frame_us,\"a,b\",\"say \"\"hi\"\"\"\n");
    free(text);
    rt_monitor_destroy(mon);
}

static void quiet(void *user, const rt_budget_event *ev) {
    (void)user;
    (void)ev;
}

static const cJSON *get(const cJSON *obj, const char *key) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it) fail_msg("missing key '%s'", key);
    return it;
}

static double num(const cJSON *obj, const char *key) {
    const cJSON *it = get(obj, key);
    assert_true(cJSON_IsNumber(it));
    return it->valuedouble;
}

static const char *str(const cJSON *obj, const char *key) {
    const cJSON *it = get(obj, key);
    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

static void export_summary_parses_back(void **state) {
    (void)state;
    rt_monitor *mon = make(names3, 3, 2, 100, 0, NULL);
    rt_budget_desc budgets[] = {
        {.system = "move", .target_ms = 0.0005f, .critical_ms = 0.01f},
        {.system = "gravity", .target_ms = 1, .degradable = true},
        {.system = "tint", .target_ms = 1},
    };
    rt_budget *bud = NULL;
    rt_budget_controller_desc bd = {.system_count = 3, .systems = budgets, .log = quiet};
    assert_int_equal(rt_budget_create(&bd, &bud), 0);
    for (int f = 0; f < 20; f++) {
        rt_budget_frame_begin(bud);
        fill_frame(mon, f);
        rt_budget_frame_end_monitor(bud, mon);
    }
    assert_int_equal(rt_monitor_set_memory(mon, "storage/Boid", 123456), 0);
    assert_int_equal(rt_monitor_set_memory(mon, "commands", 1000), 0);

    mem m;
    assert_int_equal(rt_export_summary_json(mon, bud, mem_open(&m)), 0);
    char *text = mem_done(&m);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    assert_int_equal(num(root, "frames"), 20);
    assert_int_equal(num(root, "window"), 100);
    assert_int_equal(num(root, "threads"), 2);
    const cJSON *frame = get(root, "frame");
    assert_float_equal(num(frame, "mean_ms"), 0.01, 1e-12);
    assert_float_equal(num(frame, "fps"), 100000, 1e-6);
    assert_int_equal(num(frame, "samples"), 20);

    const cJSON *budget = get(root, "budget");
    assert_float_equal(num(budget, "quality"), 1, 0);
    assert_string_equal(str(budget, "frame_status"), "OK");
    assert_true(cJSON_IsBool(get(budget, "emergency")));

    const cJSON *systems = get(root, "systems");
    assert_true(cJSON_IsArray(systems));
    assert_int_equal(cJSON_GetArraySize(systems), 3);
    const cJSON *move = cJSON_GetArrayItem(systems, 0);
    assert_string_equal(str(move, "name"), "move");
    assert_float_equal(num(move, "p50_ms"), 1.009e-3, 1e-12); /* 1000..1019 ns: rank 10 */
    assert_float_equal(num(move, "max_ms"), 1.019e-3, 1e-12);
    assert_int_equal(num(move, "samples"), 20);
    assert_string_equal(str(move, "status"), "WARNING"); /* ~1 us: over its 0.5 us target, under 10 us critical */
    assert_int_equal(num(move, "overruns"), 20);
    const cJSON *gravity = cJSON_GetArrayItem(systems, 1);
    assert_true(cJSON_IsNull(get(gravity, "last_ms"))); /* frame 19 is odd */
    assert_int_equal(num(gravity, "samples"), 10);
    assert_true(cJSON_IsTrue(get(gravity, "degradable")));
    assert_string_equal(str(gravity, "degrade"), "skip");
    assert_string_equal(str(gravity, "status"), "OK");
    const cJSON *tint = cJSON_GetArrayItem(systems, 2);
    assert_int_equal(num(tint, "chunks"), 2);
    assert_float_equal(num(tint, "last_ms"), 0.0005, 1e-12);

    const cJSON *memory = get(root, "memory");
    assert_true(num(memory, "resident_bytes") > 0);
    assert_int_equal(num(memory, "reported_bytes"), 124456);
    assert_int_equal(num(get(memory, "subsystems"), "storage/Boid"), 123456);
    cJSON_Delete(root);
    free(text);

    /* Without a controller there is no budget section and no statuses. */
    cJSON *plain = rt_export_summary(mon, NULL);
    assert_non_null(plain);
    assert_null(cJSON_GetObjectItemCaseSensitive(plain, "budget"));
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(get(plain, "systems"), 0), "status"));
    cJSON_Delete(plain);
    rt_budget_destroy(bud);
    rt_monitor_destroy(mon);
}

/* Checks a parsed trace: metadata names every track used; on each track, events
 * are in start order and each lies within the enclosing one (a stack). Returns
 * the number of X events and fills per-track counts. */
static int check_trace(const cJSON *root, int tracks, int *per_track, const char *const *track_names) {
    const cJSON *events = get(root, "traceEvents");
    assert_true(cJSON_IsArray(events));
    enum { MAX_TRACKS = 8, DEPTH = 16 };
    assert_true(tracks <= MAX_TRACKS);
    bool named[MAX_TRACKS] = {0};
    double last_ts[MAX_TRACKS], stack_end[MAX_TRACKS][DEPTH];
    int depth[MAX_TRACKS] = {0}, total = 0;
    for (int t = 0; t < MAX_TRACKS; t++) last_ts[t] = -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, events) {
        const char *ph = str(e, "ph");
        int tid = (int)num(e, "tid");
        assert_int_equal(num(e, "pid"), 1);
        assert_true(tid >= 0 && tid < tracks);
        if (strcmp(ph, "M") == 0) {
            if (strcmp(str(e, "name"), "thread_name") == 0) {
                named[tid] = true;
                assert_string_equal(str(get(e, "args"), "name"), track_names[tid]);
            }
            continue;
        }
        assert_string_equal(ph, "X");
        assert_true(named[tid]); /* metadata comes first */
        double ts = num(e, "ts"), dur = num(e, "dur"), eps = 1e-6;
        assert_true(ts >= 0 && dur >= 0);
        assert_true(ts >= last_ts[tid]);
        last_ts[tid] = ts;
        while (depth[tid] > 0 && stack_end[tid][depth[tid] - 1] <= ts + eps) depth[tid]--;
        if (depth[tid] > 0 && ts + dur > stack_end[tid][depth[tid] - 1] + eps)
            fail_msg("track %d: event at %f+%f crosses its parent's end %f", tid, ts, dur,
                     stack_end[tid][depth[tid] - 1]);
        assert_true(depth[tid] < DEPTH);
        stack_end[tid][depth[tid]++] = ts + dur;
        assert_true(cJSON_IsNumber(get(get(e, "args"), "frame")));
        per_track[tid]++;
        total++;
    }
    return total;
}

static void export_trace_nested_and_ordered(void **state) {
    (void)state;
    uint64_t clock = 0;
    rt_monitor *mon = make(names3, 3, 2, 16, 256, &clock);
    for (uint64_t f = 0; f < 8; f++) {
        uint64_t base = f * 1000 + 5;
        /* recorded out of start order on thread 1, with one span nested in another */
        rt_monitor_record(mon, 2, 1, base + 60, base + 200);
        rt_monitor_record(mon, 0, 0, base, base + 100);
        rt_monitor_record(mon, 1, 1, base + 70, base + 90);
        rt_monitor_record(mon, 1, 0, base + 100, base + 250);
        rt_monitor_record(mon, 2, 1, base + 10, base + 60);
        rt_monitor_frame_end(mon, 1000); /* the fake clock stamps (f + 1) * 1000 */
    }
    mem m;
    assert_int_equal(rt_export_trace(mon, 2, 5, mem_open(&m)), 0);
    char *text = mem_done(&m);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const char *const tracks[] = {"main", "worker 1", "frames"};
    int per_track[3] = {0};
    assert_int_equal(check_trace(root, 3, per_track, tracks), 4 * 5 + 4);
    assert_int_equal(per_track[0], 4 * 2);
    assert_int_equal(per_track[1], 4 * 3);
    assert_int_equal(per_track[2], 4);
    /* Times are us from the first event: frame 2 starts at 2000 ns. */
    const cJSON *e;
    bool found = false;
    cJSON_ArrayForEach(e, get(root, "traceEvents")) {
        if (strcmp(str(e, "ph"), "X") || strcmp(str(e, "name"), "move")) continue;
        if (num(get(e, "args"), "frame") != 3) continue;
        assert_float_equal(num(e, "ts"), 1.005, 1e-9);
        assert_float_equal(num(e, "dur"), 0.1, 1e-9);
        assert_int_equal(num(e, "tid"), 0);
        found = true;
    }
    assert_true(found);
    cJSON_Delete(root);
    free(text);
    rt_monitor_destroy(mon);
}

/* Spans lost to a small ring are reported; the file is still a valid trace. */
static void export_trace_reports_dropped_spans(void **state) {
    (void)state;
    uint64_t clock = 0;
    rt_monitor *mon = make(names3, 3, 1, 16, 4, &clock);
    for (uint64_t f = 0; f < 4; f++) {
        for (uint64_t i = 0; i < 3; i++) rt_monitor_record(mon, (int32_t)i, 0, f * 1000 + i * 100, f * 1000 + i * 100 + 50);
        rt_monitor_frame_end(mon, 1000);
    }
    mem m;
    assert_int_equal(rt_export_trace(mon, 0, 100, mem_open(&m)), -ENODATA);
    char *text = mem_done(&m);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const char *const tracks[] = {"main", "frames"};
    int per_track[2] = {0};
    assert_int_equal(check_trace(root, 2, per_track, tracks), 4 + 4);
    cJSON_Delete(root);
    free(text);
    rt_monitor_destroy(mon);
}

static void export_trace_of_nothing_is_valid(void **state) {
    (void)state;
    rt_monitor *mon = make(names3, 3, 1, 16, 0, NULL);
    mem m;
    assert_int_equal(rt_export_trace(mon, 0, 10, mem_open(&m)), 0);
    char *text = mem_done(&m);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const char *const tracks[] = {"main", "frames"};
    int per_track[2] = {0};
    assert_int_equal(check_trace(root, 2, per_track, tracks), 0);
    cJSON_Delete(root);
    free(text);
    rt_monitor_destroy(mon);
}

static char *temp_path(void) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_export_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static void export_profile_round_trip(void **state) {
    (void)state;
    rt_monitor *mon = make(names3, 3, 1, 100, 0, NULL);
    fill(mon, 100);
    char *path = temp_path();
    FILE *f = fopen(path, "w");
    assert_int_equal(rt_export_profile(mon, f), 0);
    fclose(f);
    rt_profile *p = NULL;
    char err[256] = "";
    assert_int_equal(rt_profile_read(path, &p, err, sizeof err), 0);
    assert_int_equal(p->frames, 100);
    assert_int_equal(p->system_count, 3);
    for (int32_t s = 0; s < 3; s++) {
        rt_monitor_stats st;
        rt_monitor_get_system_stats(mon, s, &st);
        const rt_profile_system *ps = rt_profile_find(p, names3[s]);
        assert_non_null(ps);
        assert_string_equal(ps->name, names3[s]);
        assert_float_equal(ps->mean_us, st.mean_ns / 1e3, 1e-9);
        assert_float_equal(ps->p50_us, st.p50_ns / 1e3, 1e-9);
        assert_float_equal(ps->p95_us, st.p95_ns / 1e3, 1e-9);
        assert_float_equal(ps->p99_us, st.p99_ns / 1e3, 1e-9);
        assert_float_equal(ps->max_us, st.max_ns / 1e3, 1e-9);
        assert_int_equal(ps->samples, st.samples);
    }
    assert_float_equal(rt_profile_find(p, "move")->p95_us, 1.094, 1e-9); /* 1000..1099 ns */
    assert_int_equal(rt_profile_find(p, "gravity")->samples, 50);
    assert_null(rt_profile_find(p, "nope"));
    rt_profile_free(p);
    unlink(path);
    rt_monitor_destroy(mon);
}

static void export_read_profile_rejects_bad(void **state) {
    (void)state;
    static const struct {
        const char *json, *reason;
    } bad[] = {
        {"{", "JSON"},
        {"{\"version\": 2, \"systems\": {}}", "version"},
        {"{\"systems\": {}}", "version"},
        {"{\"version\": 1, \"systems\": []}", "systems"},
        {"{\"version\": 1, \"frames\": -1, \"systems\": {}}", "frames"},
        {"{\"version\": 1, \"systems\": {\"move\": 3}}", "move"},
        {"{\"version\": 1, \"systems\": {\"move\": {\"p95_us\": 1, \"samples\": 2}}}", "mean_us"},
        {"{\"version\": 1, \"systems\": {\"move\": {\"mean_us\": 1, \"samples\": \"2\"}}}", "samples"},
        {"{\"version\": 1, \"systems\": {\"move\": {\"mean_us\": \"1\", \"p95_us\": 1, \"samples\": 2}}}", "mean_us"},
        {"{\"version\": 1, \"systems\": {\"move\": {\"mean_us\": 1, \"p95_us\": 1, \"samples\": 2, \"max_us\": -1}}}", "max_us"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_profile *p = NULL;
        char err[256] = "";
        assert_int_equal(rt_profile_parse(bad[i].json, strlen(bad[i].json), &p, err, sizeof err, NULL),
                         -EINVAL);
        if (!strstr(err, bad[i].reason)) fail_msg("profile %s: '%s' lacks '%s'", bad[i].json, err, bad[i].reason);
        assert_null(p);
    }
    /* Unknown keys are for later versions of the writer: ignored. */
    rt_profile *p = NULL;
    const char *later = "{\"version\": 1, \"machine\": \"x\", \"systems\": {\"a\": "
                        "{\"mean_us\": 2, \"p95_us\": 3, \"samples\": 4, \"new\": 1}}}";
    assert_int_equal(rt_profile_parse(later, strlen(later), &p, NULL, 0, NULL), 0);
    assert_int_equal(p->system_count, 1);
    assert_float_equal(p->systems[0].p95_us, 3, 0);
    assert_float_equal(p->systems[0].p99_us, 0, 0);
    rt_profile_free(p);
    /* Written by hand: mean_us alone is enough; the rest reads as 0. */
    const char *hand = "{\"version\": 1, \"systems\": {\"a\": {\"mean_us\": 5}}}";
    assert_int_equal(rt_profile_parse(hand, strlen(hand), &p, NULL, 0, NULL), 0);
    assert_float_equal(p->systems[0].mean_us, 5, 0);
    assert_int_equal(p->systems[0].samples, 0);
    rt_profile_free(p);
    /* A syntax error says where it is. */
    size_t where = 0;
    const char *broken = "{\"version\": 1,\n \"systems\": {]}";
    assert_int_equal(rt_profile_parse(broken, strlen(broken), &p, NULL, 0, &where), -EINVAL);
    assert_int_equal(where, 29);
    char err[256];
    assert_int_equal(rt_profile_read("/nonexistent/profile.json", &p, err, sizeof err), -ENOENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(export_csv_parses_back),
        cmocka_unit_test(export_csv_quotes_odd_names),
        cmocka_unit_test(export_summary_parses_back),
        cmocka_unit_test(export_trace_nested_and_ordered),
        cmocka_unit_test(export_trace_reports_dropped_spans),
        cmocka_unit_test(export_trace_of_nothing_is_valid),
        cmocka_unit_test(export_profile_round_trip),
        cmocka_unit_test(export_read_profile_rejects_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
