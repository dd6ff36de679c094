/* test_planrun.c -- suite "planrun": emitted plans, compiled and run.
 *
 *   planrun_random_plans_match_sequential
 *       For PLANRUN_SEEDS random schemas (default 200; tests/schedgen.c)
 *       with bodies that hash every input into every output: ecsc generates
 *       the program, gcc compiles it with tests/planrun_driver.c and the
 *       runtime, and the driver runs it as the plan says (random
 *       interleavings of chunks inside stages, commands at sync points) and
 *       one system at a time in the sequential order, which for two thirds of
 *       the seeds is declaration order itself. The world hashes must be
 *       equal, and `ecsc check --plan` must accept the plan read back from
 *       the compiled rt_program tables.
 *   planrun_harness_catches_missing_edges
 *       The same programs with every edge and every inner sync point removed
 *       from the generated C must show differences: the harness has teeth.
 *
 * Programs are compiled in batches (one gcc run for many seeds) to keep the
 * suite near ten seconds. Run from the repository root with build/ecsc,
 * build/libecsrt.a and build/obj/tests/planrun_driver.o built (ninja does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "schedgen.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { BATCH = 25 };

static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...) {
    char cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[16500];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t cap = 4096, len = 0, n;
    char *s = malloc(cap);
    while ((n = fread(s + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) s = realloc(s, cap *= 2);
    }
    s[len] = 0;
    int st = pclose(p);
    if (out) *out = s;
    else free(s);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *root(void) {
    static char cwd[1024];
    if (!cwd[0] && !getcwd(cwd, sizeof cwd)) return ".";
    return cwd;
}

static int cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 64 ? (int)n : 2;
}

static int seeds(void) {
    const char *e = getenv("PLANRUN_SEEDS");
    int n = e ? atoi(e) : 200;
    return n > 0 ? n : 200;
}

/* Generates, compiles and runs seeds [first, first + count); returns the
 * number of programs whose plan and sequential runs differ. With sabotage,
 * strips edges and inner sync points from the generated C first. */
static int run_batch(const char *dir, int first, int count, bool sabotage) {
    char path[1024], *out;
    snprintf(path, sizeof path, "%s/cases.c", dir);
    FILE *cases = fopen(path, "w");
    assert_non_null(cases);
    fprintf(cases, "#include \"rt.h\"\n#include <stddef.h>\n"
                   "typedef struct planrun_case { const rt_program *program; const int *order;"
                   " int n_order; const char *name; } planrun_case;\n");
    for (int k = 0; k < count; k++) {
        int seed = first + k;
        char name[32], header[64];
        snprintf(name, sizeof name, "p%d", seed);
        snprintf(header, sizeof header, "p%d.h", seed);
        schedgen_desc d = {.prefix = name, .header = header, .permuted = seed % 3 == 2};
        char sp[1024], bp[1024];
        snprintf(sp, sizeof sp, "%s/%s_schema.h", dir, name);
        snprintf(bp, sizeof bp, "%s/%s_bodies.c", dir, name);
        FILE *fs = fopen(sp, "w"), *fb = fopen(bp, "w");
        schedgen_info info;
        schedgen_write((uint64_t)seed, &d, fs, fb, &info);
        fclose(fs);
        fclose(fb);
        if (!d.permuted) assert_true(info.declaration_order);
        char tu[1024];
        snprintf(tu, sizeof tu, "%s/%s_tu.c", dir, name);
        FILE *ft = fopen(tu, "w");
        fprintf(ft, "#include \"%s.c\"\n#include \"%s_bodies.c\"\n", name, name);
        fclose(ft);
        fprintf(cases, "extern const rt_program %s_program;\nstatic const int %s_order[] = {", name,
                name);
        for (int i = 0; i < info.n_systems; i++) fprintf(cases, "%s%d", i ? ", " : "", info.order[i]);
        fprintf(cases, "};\n");
    }
    fprintf(cases, "const planrun_case planrun_cases[] = {\n");
    for (int k = 0; k < count; k++)
        fprintf(cases, "    {&p%d_program, p%d_order, sizeof p%d_order / sizeof(int), \"p%d\"},\n",
                first + k, first + k, first + k, first + k);
    fprintf(cases, "};\nconst int planrun_n_cases = %d;\n", count);
    fclose(cases);
    /* generate and compile on every core: one process per seed */
    int rc = run(&out, "cd %s && ls p*_schema.h | sed 's/_schema.h$//' | xargs -P %d -I{} sh -c "
                       "'%s/build/ecsc gen -I%s/gen -o . -n {} --ambiguity=ignore {}_schema.h || "
                       "echo FAILED {}'", dir, cores(), root(), root());
    if (rc != 0 || strstr(out, "FAILED")) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "FAILED"));
    free(out);
    if (sabotage) {
        rc = run(NULL, "sed -i -e 's/\\.n_successors = [0-9]*,/.n_successors = 0,/' "
                       "-e 's/\\.n_predecessors = [0-9]*,/.n_predecessors = 0,/' "
                       "-e '/end of frame/!s/RT_STEP_SYNC_AFTER}/0}/' %s/p*[0-9].c", dir);
        assert_int_equal(rc, 0);
    }
    rc = run(&out, "cd %s && ls *_tu.c cases.c | xargs -P %d -I{} gcc -c -O0 -std=c11 "
                   "-D_GNU_SOURCE -w -iquote %s/runtime -iquote %s/gen -iquote . {} -o {}.o && "
                   "gcc *.o %s/build/obj/tests/planrun_driver.o %s/build/libecsrt.a -lm -o run",
             dir, cores(), root(), root(), root(), root());
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
    rc = run(&out, "%s/run %s", dir, dir);
    int mismatches = 0;
    for (const char *p = out; (p = strstr(p, "MISMATCH")); p++) mismatches++;
    if (sabotage) printf("without edges and inner sync points: %d of %d programs differ\n",
                         mismatches, count);
    if (!sabotage && rc != 0) fprintf(stderr, "%s", out);
    free(out);
    if (!sabotage) {
        assert_int_equal(rc, 0);
        /* the verifier accepts the tables that ran */
        rc = run(&out, "cd %s && ls p*_schema.h | sed 's/_schema.h$//' | xargs -P %d -I{} sh -c "
                       "'%s/build/ecsc check -I%s/gen --ambiguity=ignore --plan plan_{}.json "
                       "{}_schema.h || echo REJECTED {}'", dir, cores(), root(), root());
        if (rc != 0 || strstr(out, "REJECTED")) fprintf(stderr, "%s", out);
        assert_int_equal(rc, 0);
        assert_null(strstr(out, "REJECTED"));
        free(out);
    }
    return mismatches;
}

static char *temp_dir(void) {
    char *d = strdup("/tmp/ecsc-planrun-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d) {
    assert_int_equal(run(NULL, "rm -rf '%s'", d), 0);
}

static void planrun_random_plans_match_sequential(void **state) {
    (void)state;
    char *dir = temp_dir();
    int n = seeds(), bad = 0;
    for (int first = 0; first < n; first += BATCH) {
        int count = n - first < BATCH ? n - first : BATCH;
        bad += run_batch(dir, first, count, false);
        run(NULL, "rm -f %s/*", dir);
    }
    assert_int_equal(bad, 0);
    remove_dir(dir);
    free(dir);
}

static void planrun_harness_catches_missing_edges(void **state) {
    (void)state;
    char *dir = temp_dir();
    int bad = run_batch(dir, 0, BATCH, true);
    /* most random schemas have conflicts; without their edges and syncs,
     * interleavings change the result */
    assert_true(bad >= BATCH / 4);
    remove_dir(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planrun_random_plans_match_sequential),
        cmocka_unit_test(planrun_harness_catches_missing_edges),
    };
    return cmocka_run_group_tests_name("planrun", tests, NULL, NULL);
}
