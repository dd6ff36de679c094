/* test_swarm.c -- suite "swarm": the reference game, run as a user runs it.
 * The checksum for a fixed seed and frame count is pinned: a change to it
 * is a change of the game's behaviour and must be deliberate. Its files
 * (--csv, --json, --trace, --profile) are parsed back, the overload scenario
 * is read through its JSON summary and trace, and a recorded run is
 * replayed to the same checksum (docs/budgets.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* build/swarm --frames 240 --entities 3000 --seed 7. Changed on purpose
 * when boids began to steer toward goals picked by the async system `seek`
 * (docs/jobs.md); was 2c4d8ba01bc77595. */
#define PINNED_CHECKSUM "checksum c2d8f41df09c33a2"

static int run(char *out, size_t cap, const char *args) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "build/swarm %s 2>&1", args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *checksum(const char *out) {
    const char *c = strstr(out, "checksum ");
    assert_non_null(c);
    return c;
}

static void swarm_checksum_pinned_for_seed(void **state) {
    (void)state;
    static char out[16384];
    assert_int_equal(run(out, sizeof out, "--headless --frames 240 --entities 3000 --seed 7"), 0);
    if (strncmp(checksum(out), PINNED_CHECKSUM, strlen(PINNED_CHECKSUM)) != 0) {
        fprintf(stderr, "%s", out);
        fail_msg("checksum changed: expected '%s'", PINNED_CHECKSUM);
    }
}

static void swarm_same_seed_same_checksum(void **state) {
    (void)state;
    static char a[16384], b[16384], c[16384];
    assert_int_equal(run(a, sizeof a, "--headless --frames 120 --entities 2000 --seed 3"), 0);
    assert_int_equal(run(b, sizeof b, "--headless --frames 120 --entities 2000 --seed 3"), 0);
    assert_int_equal(run(c, sizeof c, "--headless --frames 120 --entities 2000 --seed 4"), 0);
    assert_string_equal(checksum(a), checksum(b));
    assert_string_not_equal(checksum(a), checksum(c));
}

/* The executor's result does not depend on the thread count: the pinned
 * checksum for 1 thread (no workers at all) up to 16 (more than the cores),
 * rendered (the render systems on the main thread beside the workers), and
 * for a population large enough that stages go parallel (not rendered:
 * 40k sprites on llvmpipe would only make the test slow). */
static void swarm_same_checksum_for_every_thread_count(void **state) {
    (void)state;
    static char out[16384], first[64];
    const char *threads[] = {"1", "2", "4", "8", "16"};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        char args[128];
        snprintf(args, sizeof args,
                 "--headless --frames 240 --entities 3000 --seed 7 --threads %s", threads[i]);
        assert_int_equal(run(out, sizeof out, args), 0);
        if (strncmp(checksum(out), PINNED_CHECKSUM, strlen(PINNED_CHECKSUM)) != 0)
            fail_msg("--threads %s: checksum changed:\n%s", threads[i], out);
        snprintf(args, sizeof args,
                 "--no-render --frames 60 --entities 40000 --seed 5 --threads %s", threads[i]);
        assert_int_equal(run(out, sizeof out, args), 0);
        if (i == 0) snprintf(first, sizeof first, "%.25s", checksum(out));
        else if (strncmp(checksum(out), first, strlen(first)) != 0)
            fail_msg("--threads %s: '%.25s', 1 thread: '%s'", threads[i], checksum(out), first);
    }
}

/* A number from a line of the jobs' summary, e.g. field(out, "submitted "). */
static long long field(const char *out, const char *name) {
    const char *p = strstr(out, name);
    if (!p) fail_msg("no '%s' in:\n%s", name, out);
    return strtoll(p + strlen(name), NULL, 10);
}

/* The check of docs/jobs.md: a tiny queue, short deadlines and a slow job
 * executor. Every job is accounted for (applied, dropped with its boid, or
 * in flight at the end), none is stranded, the queue was full at times, and
 * the checksum is the same for every thread count and job-thread count. */
static void swarm_jobs_tiny_queue_short_deadline_stable(void **state) {
    (void)state;
    static char out[16384], first[64];
    const char *variants[] = {"--threads 1", "--threads 2", "--threads 2 --job-threads 3",
                              "--threads 4 --job-slow 300", "--threads 2 --job-threads 0"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char args[256];
        snprintf(args, sizeof args, "--no-render --frames 200 --entities 3000 --seed 9 --job-queue 4 "
                 "--job-deadline 1 --job-slow 100 %s", variants[i]);
        assert_int_equal(run(out, sizeof out, args), 0);
        long long submitted = field(out, "submitted "), applied = field(out, "applied ");
        long long dropped = field(out, "dropped "), in_flight = field(out, "in flight ");
        assert_true(submitted > 0 && applied > 0);
        assert_int_equal(submitted, applied + dropped + in_flight);
        assert_true(in_flight <= 4);
        assert_true(field(out, "retried after a full queue ") > 0);
        assert_int_equal(field(out, "timed out "), 0);
        assert_int_equal(field(out, "stranded "), 0);
        assert_int_equal(field(out, "unaccounted "), 0);
        assert_non_null(strstr(out, "errors 0"));
        if (i == 0) snprintf(first, sizeof first, "%.25s", checksum(out));
        else if (strncmp(checksum(out), first, strlen(first)) != 0)
            fail_msg("%s: '%.25s', first: '%s'", variants[i], checksum(out), first);
    }
}

/* With --job-late discard a late job times out and its boid asks again: the
 * world depends on timing then, but every job is still accounted for once. */
static void swarm_jobs_discard_accounts_for_every_job(void **state) {
    (void)state;
    static char out[16384];
    assert_int_equal(run(out, sizeof out, "--no-render --frames 120 --entities 3000 --threads 2 "
                         "--job-queue 64 --job-deadline 1 --job-late discard --job-slow 500"), 0);
    long long submitted = field(out, "submitted "), applied = field(out, "applied ");
    long long dropped = field(out, "dropped "), in_flight = field(out, "in flight ");
    long long timed_out = field(out, "timed out ");
    assert_true(timed_out > 0); /* 0.5 ms jobs, frames of a fraction of that */
    assert_int_equal(submitted, applied + dropped + timed_out + in_flight);
    assert_int_equal(field(out, "stranded "), 0);
    assert_int_equal(field(out, "unaccounted "), 0);
    /* Without job threads nothing would run a job that is never waited for. */
    assert_int_equal(run(out, sizeof out, "--no-render --frames 10 --threads 1 --job-late discard"), 1);
    assert_non_null(strstr(out, "job threads"));
}

static void swarm_prints_table_of_every_system(void **state) {
    (void)state;
    static char out[16384];
    assert_int_equal(run(out, sizeof out, "--headless --frames 30 --entities 500"), 0);
    const char *systems[] = {"tick", "wander", "move", "bounce", "seek", "age", "fade", "spawn"};
    for (size_t i = 0; i < sizeof systems / sizeof systems[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n%-10s       30", systems[i]);
        if (!strstr(out, line)) fail_msg("no row for %s in:\n%s", systems[i], out);
    }
    assert_non_null(strstr(out, "errors 0"));
    /* The population is kept at its target. */
    assert_non_null(strstr(out, "alive 500,"));
}

/* --- files ------------------------------------------------------------------------ */

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static cJSON *read_json(const char *path) {
    char *text = read_text(path);
    cJSON *root = cJSON_Parse(text);
    if (!root) fail_msg("%s is not valid JSON", path);
    free(text);
    return root;
}

static char *temp_dir(void) {
    char *d = strdup("/tmp/ecsc-swarm-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

static double number(const cJSON *o, const char *key) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it)) fail_msg("no number \"%s\"", key);
    return it->valuedouble;
}

/* A Chrome trace: "X" events on each track (tid) sorted by start, each inside
 * the one before it or after its end, so they nest; every event's frame in
 * [first, last]. Returns the number of "X" events. */
static int check_trace(const char *path, int first, int last) {
    cJSON *root = read_json(path);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");
    assert_true(cJSON_IsArray(events));
    enum { TRACKS = 64, DEPTH = 64 };
    double end[TRACKS][DEPTH], last_ts[TRACKS];
    int depth[TRACKS] = {0}, named[TRACKS] = {0}, spans = 0;
    for (int t = 0; t < TRACKS; t++) last_ts[t] = -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, events) {
        const char *ph = cJSON_GetObjectItemCaseSensitive(e, "ph")->valuestring;
        int tid = (int)number(e, "tid");
        assert_true(tid >= 0 && tid < TRACKS);
        if (strcmp(ph, "M") == 0) {
            named[tid] = 1;
            continue;
        }
        assert_string_equal(ph, "X");
        double ts = number(e, "ts"), dur = number(e, "dur");
        assert_true(dur >= 0 && ts >= last_ts[tid]);
        last_ts[tid] = ts;
        int frame = (int)number(cJSON_GetObjectItemCaseSensitive(e, "args"), "frame");
        assert_true(frame >= first && frame <= last);
        /* times are us with ns digits: compare to within a thousandth of one */
        while (depth[tid] > 0 && ts >= end[tid][depth[tid] - 1] - 1e-3) depth[tid]--;
        if (depth[tid] > 0) assert_true(ts + dur <= end[tid][depth[tid] - 1] + 1e-3);
        assert_true(depth[tid] < DEPTH);
        end[tid][depth[tid]++] = ts + dur;
        assert_true(named[tid]); /* every track is named before its events */
        spans++;
    }
    cJSON_Delete(root);
    return spans;
}

/* Every file of a default run parses back: the CSV has a field per system
 * and a row per frame, the JSON summary every system and the memory parts,
 * and ecsc plans with the cost profile. */
static void swarm_files_parse_back(void **state) {
    (void)state;
    static char out[16384];
    char *dir = temp_dir(), args[1024];
    snprintf(args, sizeof args, "--no-render --frames 90 --entities 2000 --csv %s/t.csv --json %s/t.json "
             "--trace %s/t.trace --profile %s/t.profile", dir, dir, dir, dir);
    assert_int_equal(run(out, sizeof out, args), 0);
    assert_non_null(strstr(out, "budgets observed"));

    char path[512];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    char *csv = read_text(path);
    int lines = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        int fields = 1;
        for (const char *c = line; *c; c++) fields += *c == ',';
        assert_int_equal(fields, 2 + 14); /* frame, frame_us, 14 systems */
        if (lines == 0) assert_string_equal(line, "frame,frame_us,tick,wander,move,bounce,age,"
                                                  "fade,shimmer,spawn,input,camera,draw,hud,"
                                                  "present,seek");
    }
    assert_int_equal(lines, 1 + 90);
    free(csv);

    snprintf(path, sizeof path, "%s/t.json", dir);
    cJSON *root = read_json(path);
    assert_int_equal(number(root, "frames"), 90);
    const cJSON *systems = cJSON_GetObjectItemCaseSensitive(root, "systems");
    assert_int_equal(cJSON_GetArraySize(systems), 14);
    const cJSON *wander = cJSON_GetArrayItem(systems, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(wander, "name")->valuestring, "wander");
    assert_int_equal(number(wander, "samples"), 90);
    assert_true(number(wander, "p50_ms") <= number(wander, "p99_ms"));
    assert_float_equal(number(wander, "target_ms"), 4.0, 1e-9);
    const cJSON *memory = cJSON_GetObjectItemCaseSensitive(root, "memory");
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(memory, "subsystems");
    assert_true(number(parts, "storage/Boid") > 2000 * 40);
    assert_true(number(memory, "resident_bytes") > 0);
    assert_float_equal(number(memory, "reported_bytes"),
                       number(cJSON_GetObjectItemCaseSensitive(root, "world"), "bytes_live"), 0);
    cJSON_Delete(root);

    snprintf(path, sizeof path, "%s/t.trace", dir);
    assert_true(check_trace(path, 30, 89) > 60 * 7);

    char cmd[2048];
    snprintf(cmd, sizeof cmd, "build/ecsc gen -Igen -o %s -n swarm --profile %s/t.profile "
             "schemas/swarm.h 2>&1 && grep -c 'measured' %s/swarm.c", dir, dir, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int measured = 0;
    assert_int_equal(fscanf(p, "%d", &measured), 1);
    assert_int_equal(pclose(p), 0);
    assert_int_equal(measured, 14); /* every system planned with its measured cost */
    remove_dir(dir);
    free(dir);
}

/* --- budgets --------------------------------------------------------------------- */

/* The overload scenario: a degradable effect sized to cost three frame
 * targets at full quality. With budgets enforced the quality level drops and
 * the effect is time-sliced, so the frame is held near its target instead of
 * three times it. Read through the JSON summary and the trace, as a user
 * checks it. The bounds are loose on purpose: the machine may be busy. */
static void swarm_overload_holds_frame_near_target(void **state) {
    (void)state;
    static char out[16384];
    char *dir = temp_dir(), args[1024], path[512];
    snprintf(args, sizeof args, "--no-render --overload --budget-ms 8 --frames 300 --threads 2 "
             "--json %s/o.json --trace %s/o.trace --trace-frames 200:219", dir, dir);
    assert_int_equal(run(out, sizeof out, args), 0);
    assert_non_null(strstr(out, "budgets enforced"));
    snprintf(path, sizeof path, "%s/o.json", dir);
    cJSON *root = read_json(path);
    const cJSON *budget = cJSON_GetObjectItemCaseSensitive(root, "budget");
    const cJSON *frame = cJSON_GetObjectItemCaseSensitive(root, "frame");
    double target = number(budget, "frame_target_ms");
    assert_float_equal(target, 8.0, 1e-6);
    assert_true(number(budget, "quality") < 1.0);
    assert_true(number(budget, "log_changes") >= 2); /* it changed its decisions */
    if (!(number(frame, "p50_ms") < 1.5 * target))
        fail_msg("frame p50 %.3f ms, target %.3f ms:\n%s", number(frame, "p50_ms"), target, out);
    const cJSON *swarm = cJSON_GetObjectItemCaseSensitive(root, "swarm");
    assert_true(number(swarm, "effects") > 0);
    assert_int_equal(number(swarm, "entities"), 80000);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/o.trace", dir);
    assert_true(check_trace(path, 200, 219) >= 20 * 8);
    remove_dir(dir);
    free(dir);
}

/* Budgets enforced make a run depend on timing; its recorded decisions make
 * it reproducible: the replay ends with the same checksum, at another thread
 * count too. */
static void swarm_replay_gives_same_world(void **state) {
    (void)state;
    static char a[16384], b[16384];
    char *dir = temp_dir(), args[1024];
    snprintf(args, sizeof args, "--no-render --budget-ms 0.5 --effects 200 --entities 20000 "
             "--frames 120 --threads 2 --record-decisions %s/run.log", dir);
    assert_int_equal(run(a, sizeof a, args), 0);
    snprintf(args, sizeof args, "--no-render --budget-ms 0.5 --effects 200 --entities 20000 "
             "--frames 120 --threads 1 --replay %s/run.log", dir);
    assert_int_equal(run(b, sizeof b, args), 0);
    assert_non_null(strstr(b, "budgets replayed"));
    assert_string_equal(checksum(a), checksum(b));
    /* the decisions did degrade the run: not the unthrottled world */
    snprintf(args, sizeof args, "--no-render --effects 200 --entities 20000 --frames 120 --threads 2");
    static char c[16384];
    assert_int_equal(run(c, sizeof c, args), 0);
    assert_string_not_equal(checksum(a), checksum(c));
    /* a log of another program is refused */
    snprintf(args, sizeof args, "--no-render --replay %s/nothing.log", dir);
    assert_int_equal(run(b, sizeof b, args), 1);
    remove_dir(dir);
    free(dir);
}

/* A config file overrides the schema's budgets; a bad one stops the game. */
static void swarm_budget_config_overrides(void **state) {
    (void)state;
    static char out[16384];
    char *dir = temp_dir(), path[512], args[1024];
    snprintf(path, sizeof path, "%s/budgets.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"frame_target_ms\": 20, \"systems\": {\"wander\": {\"target_ms\": 0.5}}}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--no-render --frames 30 --entities 500 --budget-config %s --json %s/c.json",
             path, dir);
    assert_int_equal(run(out, sizeof out, args), 0);
    snprintf(path, sizeof path, "%s/c.json", dir);
    cJSON *root = read_json(path);
    const cJSON *wander = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "systems"), 1);
    assert_float_equal(number(wander, "target_ms"), 0.5, 1e-9);
    assert_float_equal(number(wander, "critical_ms"), 8.0, 1e-9); /* the schema's, kept */
    assert_float_equal(number(cJSON_GetObjectItemCaseSensitive(root, "budget"), "frame_target_ms"),
                       20, 1e-9);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/bad.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"systems\": {\"wandr\": {\"target_ms\": 1}}}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--no-render --frames 3 --budget-config %s", path);
    assert_int_equal(run(out, sizeof out, args), 1);
    assert_non_null(strstr(out, "unknown system 'wandr'"));
    remove_dir(dir);
    free(dir);
}

static void swarm_bad_arguments_exit_2(void **state) {
    (void)state;
    static char out[16384];
    assert_int_equal(run(out, sizeof out, "--frames -3"), 2);
    assert_non_null(strstr(out, "error"));
    assert_int_equal(run(out, sizeof out, "--bogus"), 2);
    assert_int_equal(run(out, sizeof out, "--threads 0"), 2);
    assert_int_equal(run(out, sizeof out, "--job-late later"), 2);
    assert_int_equal(run(out, sizeof out, "--job-deadline 0"), 2);
    assert_int_equal(run(out, sizeof out, "--budget-ms 0"), 2);
    assert_int_equal(run(out, sizeof out, "--trace-frames 9:3"), 2);
    assert_int_equal(run(out, sizeof out, "--help"), 0);
    assert_non_null(strstr(out, "usage: swarm"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(swarm_checksum_pinned_for_seed),
        cmocka_unit_test(swarm_same_seed_same_checksum),
        cmocka_unit_test(swarm_same_checksum_for_every_thread_count),
        cmocka_unit_test(swarm_jobs_tiny_queue_short_deadline_stable),
        cmocka_unit_test(swarm_jobs_discard_accounts_for_every_job),
        cmocka_unit_test(swarm_prints_table_of_every_system),
        cmocka_unit_test(swarm_files_parse_back),
        cmocka_unit_test(swarm_overload_holds_frame_near_target),
        cmocka_unit_test(swarm_replay_gives_same_world),
        cmocka_unit_test(swarm_budget_config_overrides),
        cmocka_unit_test(swarm_bad_arguments_exit_2),
    };
    return cmocka_run_group_tests_name("swarm", tests, NULL, NULL);
}
