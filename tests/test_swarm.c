/* test_swarm.c -- suite "swarm": the reference game, run as a user runs it.
 * The checksum for a fixed seed and frame count is pinned: a change to it
 * is a change of the game's behaviour and must be deliberate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

static void swarm_bad_arguments_exit_2(void **state) {
    (void)state;
    static char out[16384];
    assert_int_equal(run(out, sizeof out, "--frames -3"), 2);
    assert_non_null(strstr(out, "error"));
    assert_int_equal(run(out, sizeof out, "--bogus"), 2);
    assert_int_equal(run(out, sizeof out, "--threads 0"), 2);
    assert_int_equal(run(out, sizeof out, "--job-late later"), 2);
    assert_int_equal(run(out, sizeof out, "--job-deadline 0"), 2);
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
        cmocka_unit_test(swarm_bad_arguments_exit_2),
    };
    return cmocka_run_group_tests_name("swarm", tests, NULL, NULL);
}
