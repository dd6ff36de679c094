/* test_sched.c -- suite "sched": the static schedule, its proof, the body
 * check (docs/schedule.md).
 *
 *   sched_golden_<name>        `ecsc explain` of tests/sched/<name>.h (and of
 *                              schemas/swarm.h) equals tests/sched/<name>.explain:
 *                              plans of small schemas reviewed like code
 *                              (ECSC_UPDATE_GOLDEN=1 rewrites them)
 *   sched_verify_*             plans corrupted on purpose, each rejected
 *                              with the rule it breaks and both systems named
 *   sched_random_*             SCHED_SEEDS random schemas (default 500,
 *                              tests/schedgen.c): every plan verifies, its
 *                              sequential order matches the one the
 *                              generator derives alone, and removing any
 *                              edge, any inner sync point or a main-thread
 *                              pin is rejected
 *   sched_bad_body_<name>      tests/bad_bodies/<name>.c fails the body check
 *                              with exactly its `// expect:` errors
 *   sched_good_body_<name>     tests/good_bodies/<name>.c passes it
 *   sched_bad_<name>           tests/bad_sched/<name>.h (ambiguity as an
 *                              error, broken plans, broken profiles: the
 *                              options are on its `// args:` line) fails
 *                              `ecsc check` with exactly its errors
 *   sched_cli_*                check --plan, graph (DOT, JSON), ambiguity
 *                              options, profiles and the depfile
 *
 * Schema-only bad inputs live in tests/bad/ and run in suite "gen". Run from
 * the repository root with build/ecsc built (ninja test_sched does); the
 * environment variable ECSC names another build of it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "model.h"
#include "schedgen.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The generator under test; ECSC=build/asan/ecsc checks a sanitizer build. */
#define ECSC "\"${ECSC:-build/ecsc}\""


/* --- helpers ------------------------------------------------------------------ */

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    s[n] = 0;
    fclose(f);
    return s;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...) {
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[8300];
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

static char *temp_dir(void) {
    char *d = strdup("/tmp/ecsc-sched-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(const char *d) { assert_int_equal(run(NULL, "rm -rf '%s'", d), 0); }

static int count_errors(const char *out) {
    int n = 0;
    for (const char *p = out; (p = strstr(p, ": error: ")); p++) n++;
    return n;
}

/* Every `// expect:` line of the file appears in out, and no other error. */
static void expect_exactly(const char *path, const char *out) {
    char *src = read_file(path);
    assert_non_null(src);
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
    if (count_errors(out) != expected)
        fprintf(stderr, "%d errors, expected %d:\n%s", count_errors(out), expected, out);
    assert_int_equal(count_errors(out), expected);
    free(src);
}

/* The `// args:` line of a file, or "". */
static void file_args(const char *path, char *out, size_t size) {
    char *src = read_file(path);
    assert_non_null(src);
    out[0] = 0;
    char *at = strstr(src, "// args: ");
    if (at) {
        at += strlen("// args: ");
        size_t n = strcspn(at, "\n");
        snprintf(out, size, "%.*s", (int)n, at);
    }
    free(src);
}

/* In-process: parse and check a schema; no errors allowed. */
static ecs_model *load(const char *path) {
    ecs_diag_reset();
    const char *args[] = {"-I", "gen"};
    ecs_model *m = ecs_parse(1, &path, 2, args);
    assert_non_null(m);
    ecs_check(m);
    assert_int_equal(ecs_diag_errors(), 0);
    return m;
}

static ecs_schedule *plan_of(const ecs_model *m) {
    ecs_schedule_desc d = {.ambiguity = ECS_AMBIGUITY_IGNORE, .quiet = true};
    ecs_schedule *s = ecs_schedule_build(m, &d);
    assert_true(s->ok);
    return s;
}

static bool has_violation(const ecs_verify_result *r, ecs_violation_kind k, const char *a,
                          const char *b) {
    for (int i = 0; i < r->n && i < r->cap; i++)
        if (r->v[i].kind == k && (!a || strstr(r->v[i].message, a)) &&
            (!b || strstr(r->v[i].message, b)))
            return true;
    return false;
}

static int sys(const ecs_model *m, const char *name) {
    int i = ecs_model_find_system(m, name);
    assert_true(i >= 0);
    return i;
}

static int step_of(const ecs_plan *p, int system) {
    for (int k = 0; k < p->n_steps; k++)
        if (p->steps[k].system == system) return k;
    return -1;
}

/* --- goldens --------------------------------------------------------------------- */

typedef struct golden {
    const char *name, *schema, *args, *expected;
} golden;

static const golden goldens[] = {
    {"disjoint", "tests/sched/disjoint.h", "", "tests/sched/disjoint.explain"},
    {"readers", "tests/sched/readers.h", "", "tests/sched/readers.explain"},
    {"structural", "tests/sched/structural.h", "", "tests/sched/structural.explain"},
    {"phases", "tests/sched/phases.h", "", "tests/sched/phases.explain"},
    {"costs", "tests/sched/costs.h", "", "tests/sched/costs.explain"},
    {"costs_profiled", "tests/sched/costs.h", "--profile tests/sched/costs.profile.json",
     "tests/sched/costs.profiled.explain"},
    {"swarm", "schemas/swarm.h", "", "tests/sched/swarm.explain"},
};

static void sched_golden(void **state) {
    const golden *g = *state;
    char *out;
    int rc = run(&out, ECSC " explain -Igen --ambiguity=error %s %s", g->args, g->schema);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    const char *update = getenv("ECSC_UPDATE_GOLDEN");
    if (update && *update == '1') write_file(g->expected, out);
    char *want = read_file(g->expected);
    assert_non_null(want);
    if (strcmp(want, out) != 0) {
        char tmp[] = "/tmp/ecsc-explain-XXXXXX";
        int fd = mkstemp(tmp);
        assert_true(fd >= 0);
        close(fd);
        write_file(tmp, out);
        char *diff;
        run(&diff, "diff -u %s %s", g->expected, tmp);
        fprintf(stderr, "%s differs from its golden file:\n%s", g->schema, diff);
        free(diff);
        unlink(tmp);
        fail();
    }
    free(want);
    free(out);
}

/* --- the verifier on broken plans ------------------------------------------------------ */

#define PLAN_GAME "tests/bad_sched/common/plan_game.h"

static void sched_verify_accepts_emitted_plans(void **state) {
    (void)state;
    const char *schemas[] = {PLAN_GAME, "tests/sched/disjoint.h", "tests/sched/readers.h",
                             "tests/sched/structural.h", "tests/sched/phases.h",
                             "tests/sched/costs.h", "schemas/swarm.h", "tests/gen/features.h"};
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        ecs_model *m = load(schemas[i]);
        ecs_schedule *s = plan_of(m);
        ecs_verify_result r = {0};
        int n = ecs_verify(m, s->plan, false, &r);
        if (n) fprintf(stderr, "%s: %s\n", schemas[i], r.v[0].message);
        assert_int_equal(n, 0);
        ecs_verify_result_free(&r);
        ecs_schedule_free(s);
        ecs_model_free(m);
    }
}

static void sched_verify_rejects_dropped_edge(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    ecs_plan *p = ecs_plan_copy(s->plan);
    assert_true(ecs_plan_remove_edge(p, sys(m, "steer"), sys(m, "move")));
    ecs_verify_result r = {0};
    assert_true(ecs_verify(m, p, false, &r) > 0);
    assert_true(has_violation(&r, ECS_VIOLATION_UNORDERED, "'steer' and 'move' may run at the "
                              "same time", "component 'Velocity'"));
    assert_true(has_violation(&r, ECS_VIOLATION_EXPLICIT, "ECS_AFTER(steer)", "'move' starts"));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
}

static void sched_verify_rejects_missing_sync(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    ecs_plan *p = ecs_plan_copy(s->plan);
    int k = step_of(p, sys(m, "cull"));
    assert_true(p->steps[k].sync_after);
    p->steps[k].sync_after = false;
    ecs_verify_result r = {0};
    assert_true(ecs_verify(m, p, false, &r) > 0);
    assert_true(has_violation(&r, ECS_VIOLATION_NO_SYNC, "'cull' toggles 'Hidden'",
                              "'draw' filters on it"));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
}

static void sched_verify_rejects_observer_after_later_sync(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    /* spawn (creates Boid) moved into stage 0: its entities would land
     * before draw, which runs first in the sequential order */
    ecs_plan *p = ecs_plan_copy(s->plan);
    int steer = sys(m, "steer"), move = sys(m, "move"), cull = sys(m, "cull");
    int draw = sys(m, "draw"), spawn = sys(m, "spawn");
    ecs_plan_step order[] = {{steer, false}, {move, false}, {spawn, false}, {cull, true},
                             {draw, true}};
    memcpy(p->steps, order, sizeof order);
    ecs_verify_result r = {0};
    assert_true(ecs_verify(m, p, false, &r) > 0);
    assert_true(has_violation(&r, ECS_VIOLATION_LATE_SYNC, "'spawn' creates 'Boid'",
                              "'draw' runs first"));
    assert_true(has_violation(&r, ECS_VIOLATION_COMMAND_ORDER, "'cull' and 'spawn'", NULL));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
}

static void sched_verify_rejects_commands_out_of_order(void **state) {
    (void)state;
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/two_spawners.h", dir);
    write_file(path, "#include \"ecs_schema.h\"\n"
                     "ECS_COMPONENT(P) { float x; };\nECS_COMPONENT(Q) { float y; };\n"
                     "ECS_ARCHETYPE(A, P);\nECS_ARCHETYPE(B, Q);\n"
                     "ECS_SYSTEM(make_a, ECS_CREATES(A));\nECS_SYSTEM(make_b, ECS_CREATES(B));\n");
    ecs_model *m = load(path);
    ecs_schedule *s = plan_of(m);
    assert_int_equal(s->n_stages, 1); /* may run together: buffers keep the order */
    ecs_plan *p = ecs_plan_copy(s->plan);
    ecs_plan_step t = p->steps[0];
    p->steps[0] = p->steps[1];
    p->steps[1] = t;
    p->steps[0].sync_after = false;
    p->steps[1].sync_after = true;
    ecs_verify_result r = {0};
    assert_int_equal(ecs_verify(m, p, false, &r), 1);
    assert_true(has_violation(&r, ECS_VIOLATION_COMMAND_ORDER, "'make_a' and 'make_b'",
                              "applied second"));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
    remove_dir(dir);
    free(dir);
}

static void sched_verify_rejects_thread_flags(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    ecs_plan *p = ecs_plan_copy(s->plan);
    p->flags[sys(m, "draw")] &= ~(uint32_t)ECS_SYS_MAIN_THREAD;
    p->flags[sys(m, "cull")] &= ~(uint32_t)ECS_SYS_STRUCTURAL;
    ecs_verify_result r = {0};
    assert_int_equal(ecs_verify(m, p, false, &r), 2);
    assert_true(has_violation(&r, ECS_VIOLATION_THREAD, "'draw' is declared ECS_MAIN_THREAD",
                              NULL));
    assert_true(has_violation(&r, ECS_VIOLATION_THREAD, "'cull' records commands", NULL));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);

    /* follow writes a resource while iterating: never split into chunks */
    m = load("tests/sched/readers.h");
    s = plan_of(m);
    p = ecs_plan_copy(s->plan);
    assert_true(p->flags[sys(m, "follow")] & ECS_SYS_SERIAL);
    p->flags[sys(m, "follow")] &= ~(uint32_t)ECS_SYS_SERIAL;
    r = (ecs_verify_result){0};
    assert_int_equal(ecs_verify(m, p, false, &r), 1);
    assert_true(has_violation(&r, ECS_VIOLATION_THREAD, "'follow' writes a resource", "chunks"));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
}

static void sched_verify_rejects_missing_end_sync(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    ecs_plan *p = ecs_plan_copy(s->plan);
    p->steps[p->n_steps - 1].sync_after = false;
    ecs_verify_result r = {0};
    assert_int_equal(ecs_verify(m, p, false, &r), 1);
    assert_true(has_violation(&r, ECS_VIOLATION_END_SYNC, "no sync point after it", NULL));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
}

static void sched_verify_rejects_phase_and_explicit_pairs(void **state) {
    (void)state;
    /* move -> audio exists only because of the phases */
    ecs_model *m = load("tests/sched/phases.h");
    ecs_schedule *s = plan_of(m);
    ecs_plan *p = ecs_plan_copy(s->plan);
    assert_true(ecs_plan_remove_edge(p, sys(m, "move"), sys(m, "audio")));
    ecs_verify_result r = {0};
    assert_int_equal(ecs_verify(m, p, false, &r), 2); /* poll reached audio through move */
    assert_true(has_violation(&r, ECS_VIOLATION_PHASE, "'move' (phase 'Simulate')",
                              "'audio' (phase 'Present')"));
    assert_true(has_violation(&r, ECS_VIOLATION_PHASE, "'poll' (phase 'Gather')",
                              "'audio' (phase 'Present')"));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);

    /* an ECS_AFTER between systems that share nothing is still an edge */
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/after.h", dir);
    write_file(path, "#include \"ecs_schema.h\"\n"
                     "ECS_COMPONENT(P) { float x; };\nECS_COMPONENT(Q) { float y; };\n"
                     "ECS_ARCHETYPE(A, P, Q);\n"
                     "ECS_SYSTEM(load_level, ECS_READ(P));\n"
                     "ECS_SYSTEM(play_music, ECS_READ(Q), ECS_AFTER(load_level));\n");
    m = load(path);
    s = plan_of(m);
    p = ecs_plan_copy(s->plan);
    assert_true(ecs_plan_remove_edge(p, sys(m, "load_level"), sys(m, "play_music")));
    r = (ecs_verify_result){0};
    assert_int_equal(ecs_verify(m, p, false, &r), 1);
    assert_true(has_violation(&r, ECS_VIOLATION_EXPLICIT, "ECS_AFTER(load_level)", NULL));
    ecs_verify_result_free(&r);
    ecs_plan_free(p);
    ecs_schedule_free(s);
    ecs_model_free(m);
    remove_dir(dir);
    free(dir);
}

static void sched_verify_rejects_malformed_plans(void **state) {
    (void)state;
    ecs_model *m = load(PLAN_GAME);
    ecs_schedule *s = plan_of(m);
    int steer = sys(m, "steer"), move = sys(m, "move"), draw = sys(m, "draw");
    int spawn = sys(m, "spawn");
    struct {
        const char *what;
        const char *message;
    } cases[] = {
        {"n_predecessors too high", "'draw' has 0 incoming edges but n_predecessors = 1"},
        {"a step twice", "'move' appears in steps"},
        {"a system in no step", "is in no step"},
        {"successor out of range", "successor 99, which does not exist"},
        {"edge backwards", "points backwards"},
        {"edge across a sync point", "crosses a sync point"},
        {"duplicate edge", "appears twice"},
        {"fewer systems than the schemas", "the plan has 4 systems"},
    };
    for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        ecs_plan *p = ecs_plan_copy(s->plan);
        switch (c) {
        case 0: p->n_preds[draw] = 1; break;
        case 1: p->steps[step_of(p, steer)].system = move; break;
        case 2: p->steps[step_of(p, spawn)].system = draw; break;
        case 3: ecs_plan_add_edge(p, steer, 0); p->succ[steer][p->n_succ[steer] - 1] = 99; break;
        case 4: ecs_plan_add_edge(p, move, steer); break;
        case 5: ecs_plan_add_edge(p, steer, draw); break;
        case 6: ecs_plan_add_edge(p, steer, move); break;
        case 7: p->n_systems = 4; break;
        }
        ecs_verify_result r = {0};
        int n = ecs_verify(m, p, false, &r);
        if (!has_violation(&r, ECS_VIOLATION_SHAPE, cases[c].message, NULL)) {
            fprintf(stderr, "%s: %d violations, first: %s\n", cases[c].what, n,
                    n ? r.v[0].message : "none");
            fail();
        }
        ecs_verify_result_free(&r);
        if (c == 7) p->n_systems = m->n_systems; /* so that free sees every array */
        ecs_plan_free(p);
    }
    ecs_schedule_free(s);
    ecs_model_free(m);
}

/* --- random schemas -------------------------------------------------------------------- */

static int seeds(void) {
    const char *e = getenv("SCHED_SEEDS");
    int n = e ? atoi(e) : 500;
    return n > 0 ? n : 500;
}

static void sched_random_plans_verify_and_mutations_fail(void **state) {
    (void)state;
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/random.h", dir);
    int n = seeds(), edges = 0, syncs = 0, pins = 0;
    for (int seed = 0; seed < n; seed++) {
        schedgen_desc d = {.prefix = "s", .permuted = seed % 2 == 1, .max_systems = 20};
        schedgen_info info;
        FILE *f = fopen(path, "w");
        schedgen_write((uint64_t)seed, &d, f, NULL, &info);
        fclose(f);
        ecs_model *m = load(path);
        ecs_schedule *s = plan_of(m);
        /* the sequential order matches the one derived by the generator */
        for (int i = 0; i < info.n_systems; i++)
            if (s->order[i] != info.order[i]) {
                fprintf(stderr, "seed %d: sequential order differs at %d\n", seed, i);
                fail();
            }
        ecs_verify_result r = {0};
        if (ecs_verify(m, s->plan, false, &r) != 0) {
            fprintf(stderr, "seed %d: %s\n", seed, r.v[0].message);
            fail();
        }
        ecs_verify_result_free(&r);
        const ecs_plan *good = s->plan;
        /* every edge of the reduction is needed */
        for (int x = 0; x < good->n_systems; x++)
            for (int e = 0; e < good->n_succ[x]; e++) {
                ecs_plan *p = ecs_plan_copy(good);
                assert_true(ecs_plan_remove_edge(p, x, good->succ[x][e]));
                if (ecs_verify(m, p, false, NULL) == 0) {
                    fprintf(stderr, "seed %d: edge %s -> %s removed, plan still verifies\n",
                            seed, m->systems[x].name, m->systems[good->succ[x][e]].name);
                    fail();
                }
                ecs_plan_free(p);
                edges++;
            }
        /* every sync point is needed */
        for (int k = 0; k < good->n_steps; k++) {
            if (!good->steps[k].sync_after) continue;
            ecs_plan *p = ecs_plan_copy(good);
            p->steps[k].sync_after = false;
            if (k + 1 < good->n_steps) {
                /* merging two stages: edges stay valid, syncs do not */
                if (ecs_verify(m, p, false, NULL) == 0) {
                    fprintf(stderr, "seed %d: sync after step %d removed, plan still "
                            "verifies\n", seed, k);
                    fail();
                }
            } else {
                assert_true(ecs_verify(m, p, false, NULL) > 0);
            }
            ecs_plan_free(p);
            syncs++;
        }
        /* main-thread pins are checked */
        for (int x = 0; x < good->n_systems; x++) {
            if (!(good->flags[x] & ECS_SYS_MAIN_THREAD)) continue;
            ecs_plan *p = ecs_plan_copy(good);
            p->flags[x] &= ~(uint32_t)ECS_SYS_MAIN_THREAD;
            assert_true(ecs_verify(m, p, false, NULL) > 0);
            ecs_plan_free(p);
            pins++;
        }
        ecs_schedule_free(s);
        ecs_model_free(m);
    }
    /* the generator exercises what it should */
    assert_true(edges > n);
    assert_true(syncs > n);
    assert_true(pins > n / 10);
    remove_dir(dir);
    free(dir);
}

/* --- corpus: bodies and options ---------------------------------------------------------- */

static char *bodies_dir; /* the generated header of tests/bad_bodies/schema.h */

static int setup_bodies(void **state) {
    (void)state;
    bodies_dir = temp_dir();
    return run(NULL, ECSC " gen -Igen -o %s -n bodies tests/bad_bodies/schema.h", bodies_dir);
}

static int teardown_bodies(void **state) {
    (void)state;
    run(NULL, "rm -rf '%s'", bodies_dir);
    free(bodies_dir);
    return 0;
}

static int bodycheck(const char *path, char **out) {
    return run(out, ECSC " bodycheck -I. -Igen -Iruntime -I%s tests/bad_bodies/schema.h %s",
               bodies_dir, path);
}

static void sched_bad_body(void **state) {
    const char *path = *state;
    char *out;
    assert_int_equal(bodycheck(path, &out), 1);
    expect_exactly(path, out);
    free(out);
}

static void sched_good_body(void **state) {
    const char *path = *state;
    char *out;
    int rc = bodycheck(path, &out);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_int_equal(count_errors(out), 0);
    free(out);
    /* and it is C that gcc compiles without a warning */
    rc = run(&out, "gcc -fsyntax-only -std=c11 -Wall -Wextra -Werror -iquote . -iquote gen "
                   "-iquote runtime -iquote %s %s", bodies_dir, path);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
}

static void sched_bad(void **state) {
    const char *path = *state;
    char args[1024], *out;
    file_args(path, args, sizeof args);
    assert_int_equal(run(&out, ECSC " check -Igen %s %s", args, path), 1);
    expect_exactly(path, out);
    free(out);
}

/* --- the command line ------------------------------------------------------------------------ */

static void sched_cli_check_plan_round_trip(void **state) {
    (void)state;
    char *dir = temp_dir(), *out;
    char path[512];
    snprintf(path, sizeof path, "%s/swarm.json", dir);
    assert_int_equal(run(NULL, ECSC " graph --json -Igen -o %s schemas/swarm.h", path), 0);
    /* the plan as written verifies */
    assert_int_equal(run(&out, ECSC " check -Igen --plan %s schemas/swarm.h", path), 0);
    assert_int_equal(count_errors(out), 0);
    free(out);
    /* without the edge wander -> move it does not (draw -> move stays) */
    char *text = read_file(path);
    cJSON *root = cJSON_Parse(text);
    free(text);
    assert_non_null(root);
    cJSON *it, *systems = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "plan"), "systems");
    cJSON_ArrayForEach(it, systems) {
        const char *name = cJSON_GetObjectItem(it, "name")->valuestring;
        if (strcmp(name, "wander") == 0)
            cJSON_ReplaceItemInObject(it, "successors", cJSON_CreateArray());
        if (strcmp(name, "move") == 0)
            cJSON_ReplaceItemInObject(it, "n_predecessors", cJSON_CreateNumber(1));
    }
    char *edited = cJSON_Print(root);
    write_file(path, edited);
    free(edited);
    cJSON_Delete(root);
    assert_int_equal(run(&out, ECSC " check -Igen --plan %s schemas/swarm.h", path), 1);
    assert_non_null(strstr(out, "schemas/swarm.h:51:1: error: unsafe plan: 'wander' and 'move' "
                                "may run at the same time, but 'wander' writes and 'move' reads "
                                "component 'Velocity'"));
    free(out);
    remove_dir(dir);
    free(dir);
}

static void sched_cli_graph_dot_and_json(void **state) {
    (void)state;
    char *out;
    assert_int_equal(run(&out, ECSC " graph -Igen schemas/swarm.h"), 0);
    assert_true(strncmp(out, "digraph schedule {", 18) == 0);
    assert_non_null(strstr(out, "subgraph cluster_stage0"));
    assert_non_null(strstr(out, "subgraph cluster_stage1"));
    assert_non_null(strstr(out, "\"sync0\" [shape=octagon, label=\"sync\\nfade sees age\"]"));
    /* the critical path runs through wander (which steers toward seek's
     * goals, reading Position) to move; draw's edge to move is off it */
    assert_non_null(strstr(out, "\"wander\" -> \"move\" [label=\"Position\", color=red"));
    assert_non_null(strstr(out, "\"draw\" -> \"move\" [label=\"Position\"]"));
    free(out);
    assert_int_equal(run(&out, ECSC " graph -Igen tests/sched/phases.h"), 0);
    assert_non_null(strstr(out, "fillcolor=\"lightblue\"")); /* main thread */
    free(out);

    assert_int_equal(run(&out, ECSC " graph --json -Igen schemas/swarm.h"), 0);
    cJSON *root = cJSON_Parse(out);
    free(out);
    assert_non_null(root);
    cJSON *systems = cJSON_GetObjectItem(root, "systems");
    assert_int_equal(cJSON_GetArraySize(systems), 14); /* 9 simulate (seek), 5 render */
    cJSON *age = cJSON_GetArrayItem(systems, 4);
    assert_string_equal(cJSON_GetObjectItem(age, "name")->valuestring, "age");
    assert_string_equal(cJSON_GetObjectItem(age, "loc")->valuestring, "schemas/swarm.h:57:1");
    assert_string_equal(cJSON_GetObjectItem(age, "thread")->valuestring, "any");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(age, "access")), 5); /* and its budget */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "archetypes")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "stages")), 2);
    cJSON *rel, *rels = cJSON_GetObjectItem(root, "relations");
    bool found = false;
    cJSON_ArrayForEach(rel, rels) {
        if (strcmp(cJSON_GetObjectItem(rel, "first")->valuestring, "age") ||
            strcmp(cJSON_GetObjectItem(rel, "second")->valuestring, "fade"))
            continue;
        found = true;
        assert_string_equal(cJSON_GetObjectItem(rel, "requirement")->valuestring, "sync");
        cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(rel, "reasons"), 0);
        assert_string_equal(cJSON_GetObjectItem(r0, "rule")->valuestring, "component");
        assert_string_equal(cJSON_GetObjectItem(r0, "type")->valuestring, "Lifetime");
    }
    assert_true(found);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "plan"), "steps"));
    cJSON *sync0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "sync_points"), 0);
    /* seek (async, ordered before age) sits between present and age now */
    assert_string_equal(cJSON_GetObjectItem(sync0, "after_system")->valuestring, "age");
    assert_string_equal(cJSON_GetObjectItem(sync0, "first")->valuestring, "age");
    assert_string_equal(cJSON_GetObjectItem(sync0, "second")->valuestring, "fade");
    cJSON_Delete(root);
}

static void sched_cli_ambiguity_options(void **state) {
    (void)state;
    const char *schema = "tests/bad_sched/ambiguous_write_write.h";
    char *out;
    assert_int_equal(run(&out, ECSC " check -Igen %s", schema), 0);
    assert_non_null(strstr(out, ":7:1: warning: 'integrate' and 1 later system are ordered only "
                                "by declaration order [-Wambiguity]"));
    assert_non_null(strstr(out, ":8:1: note: 'clamp' runs after 'integrate' only because it is "
                                "declared later: both write 'Position' on 'Boid'"));
    assert_non_null(strstr(out, "ecsc: note: 1 ambiguous pair in 1 system"));
    free(out);
    assert_int_equal(run(&out, ECSC " check -Igen -Wno-ambiguity %s", schema), 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(run(&out, ECSC " check -Igen --ambiguity=ignore %s", schema), 0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(run(&out, ECSC " gen -Igen -o /nonexistent -Werror=ambiguity %s", schema), 1);
    assert_non_null(strstr(out, "nothing written"));
    free(out);
}

static void sched_cli_profile_and_depfile(void **state) {
    (void)state;
    char *dir = temp_dir(), *out;
    /* a missing profile: estimates, and the depfile names its folder so that
     * a profile recorded later reruns ecsc */
    assert_int_equal(run(&out, ECSC " gen -Igen -o %s -n c -M %s/c.d --profile %s/c.json "
                               "tests/sched/costs.h", dir, dir, dir), 0);
    free(out);
    char dep[600];
    snprintf(dep, sizeof dep, "%s/c.d", dir);
    char *d = read_file(dep), want[1200];
    snprintf(want, sizeof want, "%s/c.h: tests/sched/costs.h gen/ecs_schema.h %s\n", dir, dir);
    assert_string_equal(d, want);
    free(d);
    char cpath[600];
    snprintf(cpath, sizeof cpath, "%s/c.c", dir);
    char *c = read_file(cpath);
    assert_non_null(strstr(c, ".cost_ns = 181000, /* estimated */"));
    free(c);
    /* a profile: measured costs in the plan, the file in the depfile */
    assert_int_equal(run(NULL, "cp tests/sched/costs.profile.json %s/c.json", dir), 0);
    assert_int_equal(run(&out, ECSC " gen -Igen -o %s -n c -M %s/c.d --profile %s/c.json "
                               "tests/sched/costs.h", dir, dir, dir), 0);
    free(out);
    d = read_file(dep);
    snprintf(want, sizeof want, "%s/c.h: tests/sched/costs.h gen/ecs_schema.h %s/c.json\n", dir,
             dir);
    assert_string_equal(d, want);
    free(d);
    c = read_file(cpath);
    assert_non_null(strstr(c, ".cost_ns = 250000, /* measured */"));
    free(c);
    remove_dir(dir);
    free(dir);
}

static void sched_cli_swarm_is_clean(void **state) {
    (void)state;
    char *out;
    assert_int_equal(run(&out, ECSC " check -Igen --ambiguity=error schemas/swarm.h"), 0);
    assert_string_equal(out, "");
    free(out);
    /* the bodies of the reference game, with the flags they are built with */
    assert_int_equal(run(&out, ECSC " bodycheck -Igen -p build schemas/swarm.h systems/tick.c "
                               "systems/wander.c systems/move.c systems/bounce.c systems/age.c "
                               "systems/fade.c systems/spawn.c systems/shimmer.c"), 0);
    assert_string_equal(out, "");
    free(out);
}

/* --- main --------------------------------------------------------------------------------- */

static int list_dir(const char *dir, const char *suffix, char ***names) {
    *names = NULL;
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
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *names = v;
    return n;
}

/* Test names and paths live until the group has run; main frees them. */
static char *owned[1024];
static int n_owned;

static char *own(char *s) {
    if (n_owned < 1024) owned[n_owned++] = s;
    return s;
}

static void add_dir(struct CMUnitTest *tests, int *n, const char *dir, const char *suffix,
                    const char *prefix, CMUnitTestFunction fn) {
    char **names;
    int k = list_dir(dir, suffix, &names);
    for (int i = 0; i < k; i++) {
        char *path = own(malloc(strlen(dir) + strlen(names[i]) + 2));
        sprintf(path, "%s/%s", dir, names[i]);
        char *tname = own(malloc(strlen(prefix) + strlen(names[i]) + 1));
        sprintf(tname, "%s%s", prefix, names[i]);
        tname[strlen(tname) - strlen(suffix)] = 0;
        tests[(*n)++] = (struct CMUnitTest){tname, fn, NULL, NULL, path};
        free(names[i]);
    }
    free(names);
}

int main(void) {
    struct CMUnitTest *tests = calloc(512, sizeof *tests);
    int n = 0;
    for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++) {
        char *tname = own(malloc(strlen(goldens[i].name) + 16));
        sprintf(tname, "sched_golden_%s", goldens[i].name);
        tests[n++] = (struct CMUnitTest){tname, sched_golden, NULL, NULL, (void *)&goldens[i]};
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_accepts_emitted_plans);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_dropped_edge);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_missing_sync);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_observer_after_later_sync);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_commands_out_of_order);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_thread_flags);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_missing_end_sync);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_phase_and_explicit_pairs);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_verify_rejects_malformed_plans);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_random_plans_verify_and_mutations_fail);
    add_dir(tests, &n, "tests/bad_bodies", ".c", "sched_bad_body_", sched_bad_body);
    add_dir(tests, &n, "tests/good_bodies", ".c", "sched_good_body_", sched_good_body);
    add_dir(tests, &n, "tests/bad_sched", ".h", "sched_bad_", sched_bad);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_cli_check_plan_round_trip);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_cli_graph_dot_and_json);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_cli_ambiguity_options);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_cli_profile_and_depfile);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(sched_cli_swarm_is_clean);
    int failed = _cmocka_run_group_tests("sched", tests, (size_t)n, setup_bodies, teardown_bodies);
    for (int i = 0; i < n_owned; i++) free(owned[i]);
    free(tests);
    return failed;
}
