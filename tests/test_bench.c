/* test_bench.c -- suite "bench": build/ecsbench, the benchmark driver
 * (bench/ecsbench.c), run on tiny sizes so that it cannot rot: it must exit
 * 0 (every workload passed its own result checks), and its --json output
 * must parse (cJSON) and hold the fields of /work/shared/WORKLOADS.md.
 * Nothing here looks at the figures themselves: tests never time things.
 * The driver is found at $ECSBENCH, else build/ecsbench (tests run from the
 * repository root). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *driver(void) {
    const char *p = getenv("ECSBENCH");
    return p && *p ? p : "build/ecsbench";
}

/* Runs the driver with `args`; returns its stdout (malloc'd) and sets
 * *status to its exit status. */
static char *run_driver(const char *args, int *status) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", driver(), args);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t len = 0, cap = 1 << 16;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = 0;
    int st = pclose(f);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static const cJSON *field(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) fail_msg("row has no field \"%s\"", key);
    return v;
}

static double number(const cJSON *o, const char *key) {
    const cJSON *v = field(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static const char *string(const cJSON *o, const char *key) {
    const cJSON *v = field(o, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* Every workload on tiny sizes: exit 0, and the JSON of WORKLOADS.md. */
static void bench_json_quick_run_has_every_field(void **state) {
    (void)state;
    int status;
    char *out = run_driver("W1 W2 W3 W4 TRIAD --entities 1000 --threads 1,2 --json", &status);
    assert_int_equal(status, 0);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);

    const cJSON *machine = field(root, "machine");
    assert_true(strlen(string(machine, "cpu")) > 0);
    assert_true(number(machine, "cores") >= 1);

    const cJSON *results = field(root, "results");
    assert_true(cJSON_IsArray(results));
    int w1 = 0, w2 = 0, w4 = 0, triad = 0, ops = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, results) {
        const char *wl = string(row, "workload"), *metric = string(row, "metric");
        double threads = number(row, "threads"), value = number(row, "value");
        double lo = number(row, "min"), hi = number(row, "max");
        assert_true(threads >= 1);
        assert_true(value > 0 && lo > 0 && lo <= value && value <= hi);
        if (strcmp(wl, "W1") == 0) {
            w1++;
            assert_string_equal(metric, "ns_per_entity");
            assert_true(number(row, "entities") == 1000);
            assert_true(threads == 1);
            assert_true(number(row, "floor") > 0);
            assert_true(fabs(number(row, "ratio_to_floor") * number(row, "floor") - value) <=
                        0.01 * value + 1e-3);
        } else if (strcmp(wl, "W2") == 0) {
            w2++;
            assert_string_equal(metric, "ms_per_frame");
            assert_true(number(row, "entities") == 1000);
            assert_true(number(row, "floor") > 0);
            number(row, "ratio_to_floor");
            assert_true(number(row, "speedup_vs_1_thread") > 0);
            assert_true(cJSON_IsTrue(field(row, "identical_across_threads")));
            assert_int_equal(strlen(string(row, "world_hash")), 16);
        } else if (strcmp(wl, "W3") == 0) {
            assert_string_equal(metric, "ns_per_op");
            const char *op = string(row, "op");
            const cJSON *variant = cJSON_GetObjectItemCaseSensitive(row, "variant");
            if (variant) continue; /* bulk, fresh_world: extra rows */
            if (strcmp(op, "create") == 0) ops |= 1;
            else if (strcmp(op, "destroy") == 0) ops |= 2;
            else if (strcmp(op, "tag_on") == 0) ops |= 4;
            else if (strcmp(op, "tag_off") == 0) ops |= 8;
            else fail_msg("unknown W3 op \"%s\"", op);
            assert_true(number(row, "floor") > 0);
        } else if (strcmp(wl, "W4") == 0) {
            w4++;
            assert_string_equal(metric, "us_per_frame");
            assert_true(number(row, "us_per_system") > 0);
            assert_true(number(row, "speedup_vs_1_thread") > 0);
        } else if (strcmp(wl, "TRIAD") == 0) {
            triad++;
            assert_string_equal(metric, "gb_per_s");
        } else {
            fail_msg("unknown workload \"%s\"", wl);
        }
    }
    assert_int_equal(w1, 1);      /* --entities: one size */
    assert_int_equal(w2, 2);      /* threads 1 and 2 */
    assert_int_equal(ops, 15);    /* create, destroy, tag_on, tag_off */
    assert_int_equal(w4, 2);
    assert_int_equal(triad, 2);
    cJSON_Delete(root);
    free(out);
}

/* MONITOR: W2 and W4 with measurement on against off, as ratios, and both
 * times per frame. */
static void bench_monitor_rows_are_ratios(void **state) {
    (void)state;
    int status;
    char *out = run_driver("MONITOR --entities 1000 --json", &status);
    assert_int_equal(status, 0);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    int ops = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, field(root, "results")) {
        assert_string_equal(string(row, "workload"), "MONITOR");
        assert_string_equal(string(row, "metric"),
                            strcmp(string(row, "op"), "mark") ? "overhead_ratio" : "ns_per_call");
        assert_true(number(row, "threads") == 1);
        double value = number(row, "value");
        assert_true(value > 0 && number(row, "min") <= value && value <= number(row, "max"));
        const char *op = string(row, "op");
        if (strcmp(op, "mark") == 0) {
            ops |= 4;
            continue;
        }
        assert_true(number(row, "calls_ratio") >= 1);
        if (strcmp(op, "W2") == 0) {
            ops |= 1;
            assert_true(number(row, "entities") == 1000);
            assert_true(number(row, "on_ms") > 0 && number(row, "off_ms") > 0);
        } else if (strcmp(op, "W4") == 0) {
            ops |= 2;
            assert_true(number(row, "on_us") > 0 && number(row, "off_us") > 0);
        } else {
            fail_msg("unknown MONITOR op \"%s\"", op);
        }
    }
    assert_int_equal(ops, 7);
    cJSON_Delete(root);
    free(out);
}

/* RENDER on a small count: the renderer's rows for that count (auto beside
 * quads+orphan, from bench/bench_render.c) and the game's frame rendered
 * beside not rendered; no 60 FPS search when a count is given. */
static void bench_render_rows_for_one_count(void **state) {
    (void)state;
    int status;
    char *out = run_driver("RENDER --entities 1500 --json", &status);
    assert_int_equal(status, 0);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    int sprites = 0, game = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, field(root, "results")) {
        assert_string_equal(string(row, "workload"), "RENDER");
        assert_string_equal(string(row, "metric"), "ms_per_frame");
        assert_true(number(row, "entities") == 1500);
        double value = number(row, "value"), lo = number(row, "min"), hi = number(row, "max");
        assert_true(value > 0 && lo > 0 && lo <= value && value <= hi);
        const char *op = string(row, "op"), *variant = string(row, "variant");
        if (strcmp(op, "sprites") == 0) {
            sprites++;
            assert_true(strcmp(variant, "auto") == 0 || strcmp(variant, "quads+orphan") == 0);
            assert_true(number(row, "vs_quads") > 0);
            assert_true(number(row, "cpu_ms") > 0);
        } else if (strcmp(op, "game_frame") == 0) {
            game++;
            assert_true(strcmp(variant, "rendered") == 0 || strcmp(variant, "no render") == 0);
            if (strcmp(variant, "rendered") == 0) assert_true(number(row, "present_ms") > 0);
        } else {
            fail_msg("unexpected RENDER op \"%s\"", op);
        }
    }
    assert_int_equal(sprites, 2);
    assert_int_equal(game, 2);
    cJSON_Delete(root);
    free(out);
}

/* JOBS on tiny counts: the queue, end-to-end, latency and soak rows. */
static void bench_jobs_quick_run_has_its_rows(void **state) {
    (void)state;
    int status;
    char *out = run_driver("JOBS --entities 200 --json", &status);
    assert_int_equal(status, 0);
    cJSON *root = cJSON_Parse(out);
    assert_non_null(root);
    int queue = 0, e2e = 0, latency = 0, soak = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, field(root, "results")) {
        assert_string_equal(string(row, "workload"), "JOBS");
        const char *op = string(row, "op"), *metric = string(row, "metric");
        double value = number(row, "value");
        assert_true(number(row, "min") <= value && value <= number(row, "max"));
        if (strcmp(op, "queue") == 0) {
            queue++;
            assert_string_equal(metric, "jobs_per_second");
            assert_true(value > 0);
        } else if (strcmp(op, "e2e") == 0) {
            e2e++;
            assert_string_equal(metric, "jobs_per_second");
            assert_true(value > 0 && number(row, "floor") > 0);
        } else if (strcmp(op, "latency") == 0) {
            latency++;
            assert_true(value >= 0 && number(row, "p99") >= value);
        } else if (strcmp(op, "soak") == 0) {
            soak++;
            if (strcmp(metric, "bytes") == 0) {
                assert_true(value == number(row, "start_bytes")); /* memory flat */
                assert_true(number(row, "allocations") == 0);
            }
        } else {
            fail_msg("unknown JOBS op \"%s\"", op);
        }
    }
    assert_int_equal(queue, 4);
    assert_int_equal(e2e, 2);
    assert_int_equal(latency, 3);
    assert_int_equal(soak, 3);
    cJSON_Delete(root);
    free(out);
}

/* Without --json the table goes to stdout, one line per row. */
static void bench_table_lists_the_rows(void **state) {
    (void)state;
    int status;
    char *out = run_driver("W3 --entities 500", &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "metric"));
    assert_non_null(strstr(out, "tag_off"));
    assert_null(strstr(out, "\"results\""));
    free(out);
}

static void bench_rejects_unknown_workload_and_bad_options(void **state) {
    (void)state;
    int status;
    free(run_driver("W9", &status));
    assert_int_equal(status, 2);
    free(run_driver("--threads 0", &status));
    assert_int_equal(status, 2);
    free(run_driver("--reps 3", &status)); /* at least 7 */
    assert_int_equal(status, 2);
    free(run_driver("--entities -5", &status));
    assert_int_equal(status, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bench_json_quick_run_has_every_field),
        cmocka_unit_test(bench_render_rows_for_one_count),
        cmocka_unit_test(bench_table_lists_the_rows),
        cmocka_unit_test(bench_monitor_rows_are_ratios),
        cmocka_unit_test(bench_jobs_quick_run_has_its_rows),
        cmocka_unit_test(bench_rejects_unknown_workload_and_bad_options),
    };
    return cmocka_run_group_tests_name("bench", tests, NULL, NULL);
}
