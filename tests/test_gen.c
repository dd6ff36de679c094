/* test_gen.c -- suite "gen": the ecsc command line, end to end.
 *
 *   gen_golden_<name>   tests/gen/<name>.h must generate exactly
 *                       tests/golden/<name>.{h,c}, which must compile
 *                       (ECSC_UPDATE_GOLDEN=1 rewrites the goldens: review
 *                       the diff like code)
 *   gen_bad_<name>      tests/bad/<name>.h must fail with exit status 1,
 *                       print every `// expect:` line of the file and no
 *                       other error, and leave the output folder untouched
 *   gen_*               freshness of generated/, byte stability, rewrite
 *                       only on change, the depfile, --help
 *
 * Run from the repository root (ninja does), with build/ecsc built. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#define ECSC "build/ecsc"

/* --- helpers --------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    s[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs a shell command; returns its exit status, output (stdout+stderr) in *out. */
static int run(char **out, const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[4200];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
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

static char *temp_dir(void) {
    char *d = strdup("/tmp/ecsc-test-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static bool files_equal(const char *a, const char *b) {
    size_t la, lb;
    char *sa = read_file(a, &la), *sb = read_file(b, &lb);
    bool eq = sa && sb && la == lb && memcmp(sa, sb, la) == 0;
    free(sa);
    free(sb);
    return eq;
}

/* --- golden files ------------------------------------------------------------- */

static void gen_golden(void **state) {
    const char *name = *state; /* tests/gen/<name>.h */
    char *dir = temp_dir(), *out;
    int rc = run(&out, ECSC " -Igen -o %s -n %s tests/gen/%s.h", dir, name, name);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
    const char *update = getenv("ECSC_UPDATE_GOLDEN");
    for (int k = 0; k < 2; k++) {
        const char *ext = k ? "c" : "h";
        char got[512], want[512];
        snprintf(got, sizeof got, "%s/%s.%s", dir, name, ext);
        snprintf(want, sizeof want, "tests/golden/%s.%s", name, ext);
        if (update && *update == '1') {
            char *text = read_file(got, NULL);
            write_file(want, text);
            free(text);
        }
        if (!files_equal(got, want)) {
            run(&out, "diff -u %s %s", want, got);
            fprintf(stderr, "%s differs from its golden file:\n%s", got, out);
            free(out);
            fail();
        }
    }
    /* The generated code compiles, warning-free, against the runtime. */
    rc = run(&out, "gcc -fsyntax-only -std=c11 -Wall -Wextra -Werror -iquote . -iquote gen -iquote runtime "
                   "%s/%s.c", dir, name);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
    remove_dir(dir);
    free(dir);
}

/* --- bad schemas -------------------------------------------------------------- */

static void gen_bad(void **state) {
    const char *path = *state;
    char *dir = temp_dir(), *out;
    char sentinel_h[512], sentinel_c[512];
    snprintf(sentinel_h, sizeof sentinel_h, "%s/x.h", dir);
    snprintf(sentinel_c, sizeof sentinel_c, "%s/x.c", dir);
    write_file(sentinel_h, "/* the previous generation */\n");
    write_file(sentinel_c, "/* the previous generation */\n");

    int rc = run(&out, ECSC " -Igen -o %s -n x %s", dir, path);
    assert_int_equal(rc, 1);

    /* Every expected diagnostic appears, and no other error. */
    char *src = read_file(path, NULL);
    int expected = 0;
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        const char *tag = "// expect: ";
        if (strncmp(line, tag, strlen(tag)) != 0) continue;
        expected++;
        if (!strstr(out, line + strlen(tag))) {
            fprintf(stderr, "missing diagnostic: %s\ngot:\n%s", line + strlen(tag), out);
            fail();
        }
    }
    assert_true(expected > 0);
    int errors = 0;
    for (const char *p = out; (p = strstr(p, ": error: ")); p++) errors++;
    if (errors != expected) fprintf(stderr, "%d errors, expected %d:\n%s", errors, expected, out);
    assert_int_equal(errors, expected);
    assert_non_null(strstr(out, "nothing written"));

    /* generated/ stays byte for byte as it was. */
    char *h = read_file(sentinel_h, NULL), *c = read_file(sentinel_c, NULL);
    assert_string_equal(h, "/* the previous generation */\n");
    assert_string_equal(c, "/* the previous generation */\n");
    assert_int_equal(count_entries(dir), 2);
    free(h);
    free(c);
    free(src);
    free(out);
    remove_dir(dir);
    free(dir);
}

/* --- the command line ----------------------------------------------------------- */

static void gen_generated_dir_is_fresh(void **state) {
    (void)state;
    char *dir = temp_dir();
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n swarm schemas/swarm.h", dir), 0);
    char a[512];
    snprintf(a, sizeof a, "%s/swarm.h", dir);
    if (!files_equal(a, "generated/swarm.h")) {
        fprintf(stderr, "generated/swarm.h is stale: run ninja and commit it\n");
        fail();
    }
    snprintf(a, sizeof a, "%s/swarm.c", dir);
    if (!files_equal(a, "generated/swarm.c")) {
        fprintf(stderr, "generated/swarm.c is stale: run ninja and commit it\n");
        fail();
    }
    remove_dir(dir);
    free(dir);
}

static void gen_output_byte_stable_and_relative(void **state) {
    (void)state;
    char *d1 = temp_dir(), *d2 = temp_dir();
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n f tests/gen/features.h", d1), 0);
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n f tests/gen/features.h", d2), 0);
    char a[512], b[512], cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    for (int k = 0; k < 2; k++) {
        snprintf(a, sizeof a, "%s/f.%s", d1, k ? "c" : "h");
        snprintf(b, sizeof b, "%s/f.%s", d2, k ? "c" : "h");
        assert_true(files_equal(a, b));
        char *text = read_file(a, NULL);
        assert_null(strstr(text, cwd));
        assert_null(strstr(text, "/tmp"));
        assert_true(strncmp(text, "/* generated by ecsc from tests/gen/features.h; do not edit */",
                            62) == 0);
        free(text);
    }
    remove_dir(d1);
    remove_dir(d2);
    free(d1);
    free(d2);
}

static void gen_unchanged_output_not_rewritten(void **state) {
    (void)state;
    char *dir = temp_dir();
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n m tests/gen/min.h", dir), 0);
    char h[512];
    snprintf(h, sizeof h, "%s/m.h", dir);
    struct utimbuf old = {1000000000, 1000000000};
    assert_int_equal(utime(h, &old), 0);
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n m tests/gen/min.h", dir), 0);
    struct stat st;
    assert_int_equal(stat(h, &st), 0);
    assert_int_equal(st.st_mtime, 1000000000);
    assert_int_equal(count_entries(dir), 2); /* no temporaries left */
    remove_dir(dir);
    free(dir);
}

static void gen_depfile_lists_included_headers(void **state) {
    (void)state;
    char *dir = temp_dir();
    assert_int_equal(run(NULL, ECSC " -Igen -o %s -n m -M %s/dep/m.d tests/gen/min.h", dir, dir),
                     0);
    char d[512];
    snprintf(d, sizeof d, "%s/dep/m.d", dir);
    char *text = read_file(d, NULL);
    assert_non_null(text);
    char want[600];
    snprintf(want, sizeof want, "%s/m.h: tests/gen/min.h gen/ecs_schema.h\n", dir);
    assert_string_equal(text, want);
    free(text);
    remove_dir(dir);
    free(dir);
}

static void gen_help_and_usage_errors(void **state) {
    (void)state;
    char *out;
    assert_int_equal(run(&out, ECSC " --help"), 0);
    assert_non_null(strstr(out, "usage: ecsc"));
    free(out);
    assert_int_equal(run(&out, ECSC), 2);
    assert_non_null(strstr(out, "no schema given"));
    free(out);
    assert_int_equal(run(&out, ECSC " --frobnicate x.h"), 2);
    assert_non_null(strstr(out, "unknown option"));
    free(out);
    assert_int_equal(run(&out, ECSC " -n 9lives tests/gen/min.h"), 2);
    free(out);
    assert_int_equal(run(&out, ECSC " check -Igen tests/gen/min.h"), 0);
    free(out);
}

/* gcc compiles a schema quietly: the annotate attribute is guarded. */
static void gen_schema_compiles_quietly_with_gcc(void **state) {
    (void)state;
    char *out;
    int rc = run(&out, "gcc -fsyntax-only -std=c11 -Wall -Wextra -Werror -Igen -x c "
                       "schemas/swarm.h tests/gen/features.h");
    if (rc) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
}

/* A phase's budget stands in for the budget of each of its systems that
 * declares none; a system's own wins; systems outside the phase have none. */
static void gen_budget_from_phase(void **state) {
    (void)state;
    char *dir = temp_dir(), *out, schema[512], c[512];
    snprintf(schema, sizeof schema, "%s/p.h", dir);
    write_file(schema,
               "#include \"ecs_schema.h\"\n"
               "ECS_COMPONENT(Position) { float x, y; };\n"
               "ECS_COMPONENT(Heat) { float h; };\n"
               "ECS_ARCHETYPE(Boid, Position, Heat);\n"
               "ECS_PHASE(Simulate);\n"
               "ECS_PHASE_BUDGET(Simulate, 3.0, 6.0);\n"
               "ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate));\n"
               "ECS_SYSTEM(cool, ECS_WRITE(Heat), ECS_IN_PHASE(Simulate), ECS_BUDGET(0.5, 1),\n"
               "           ECS_DEGRADABLE);\n"
               "ECS_SYSTEM(draw, ECS_READ(Position), ECS_AFTER(move));\n");
    int rc = run(&out, ECSC " -Igen -o %s -n p %s", dir, schema);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
    snprintf(c, sizeof c, "%s/p.c", dir);
    char *text = read_file(c, NULL);
    assert_non_null(strstr(text, "    [move_id] = {\"move\", 3.0f, 6.0f, false, RT_BUDGET_DEGRADE_SKIP},"));
    assert_non_null(strstr(text, "    [cool_id] = {\"cool\", 0.5f, 1.0f, true, RT_BUDGET_DEGRADE_SKIP},"));
    assert_non_null(strstr(text, "    [draw_id] = {\"draw\", 0.0f, 0.0f, false, RT_BUDGET_DEGRADE_SKIP},"));
    assert_non_null(strstr(text, "    .budgets = p_budgets,\n"));
    assert_null(strstr(text, ".frame_budget_ms")); /* not declared: the runtime's default */
    free(text);
    remove_dir(dir);
    free(dir);
}

/* --- main: one test per golden schema and per bad schema ---------------------- */

static int list_dir(const char *dir, const char *suffix, char ***names) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0, cap = 64;
    char **v = malloc(sizeof(char *) * (size_t)cap);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        if (len <= sl || strcmp(e->d_name + len - sl, suffix) != 0) continue;
        if (n == cap) v = realloc(v, sizeof(char *) * (size_t)(cap *= 2));
        v[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++) /* sorted: stable test order */
        for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *names = v;
    return n;
}

int main(void) {
    char **golden, **bad;
    int ng = list_dir("tests/gen", ".h", &golden);
    int nb = list_dir("tests/bad", ".h", &bad);
    struct CMUnitTest *tests = calloc((size_t)(ng + nb + 8), sizeof *tests);
    int n = 0;
    for (int i = 0; i < ng; i++) {
        char *name = strdup(golden[i]);
        name[strlen(name) - 2] = 0;
        char *tname = malloc(strlen(name) + 16);
        sprintf(tname, "gen_golden_%s", name);
        tests[n++] = (struct CMUnitTest){tname, gen_golden, NULL, NULL, name};
    }
    for (int i = 0; i < nb; i++) {
        char *path = malloc(strlen(bad[i]) + 16);
        sprintf(path, "tests/bad/%s", bad[i]);
        char *tname = malloc(strlen(bad[i]) + 16);
        sprintf(tname, "gen_bad_%s", bad[i]);
        tname[strlen(tname) - 2] = 0;
        tests[n++] = (struct CMUnitTest){tname, gen_bad, NULL, NULL, path};
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_generated_dir_is_fresh);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_output_byte_stable_and_relative);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_unchanged_output_not_rewritten);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_depfile_lists_included_headers);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_help_and_usage_errors);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_schema_compiles_quietly_with_gcc);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(gen_budget_from_phase);
    return _cmocka_run_group_tests("gen", tests, (size_t)n, NULL, NULL);
}
