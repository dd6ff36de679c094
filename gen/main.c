/* main.c -- the ecsc command line:
 *
 *   gen        parse -> check -> schedule -> verify -> emit -> write
 *   check      parse -> check -> schedule -> verify (a given plan, or its own)
 *   explain    the schedule in words
 *   graph      the schedule as Graphviz DOT, or JSON with --json
 *   bodycheck  parse the .c files of systems/ with libclang and check the
 *              body of each system
 *
 * Nothing is written unless every stage succeeded: errors from clang and from
 * ecsc's own checks are all printed, then ecsc exits 1 and generated/ stays
 * as it was. See model.h for the stages. */
#include "model.h"
#include "body.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: ecsc [COMMAND] [options] SCHEMA.h... [SYSTEM.c...]\n"
    "\n"
    "Compiles ECS schemas (C headers declaring components, tags, resources,\n"
    "archetypes and systems; see docs/schema.md) into C: SoA storage, typed\n"
    "system views, and a static schedule proven safe at build time\n"
    "(docs/schedule.md).\n"
    "\n"
    "commands:\n"
    "  gen        (default) check the schemas, plan and verify the schedule, and\n"
    "             write OUTDIR/NAME.h and NAME.c\n"
    "  check      check the schemas and verify the schedule; write nothing.\n"
    "             With --plan FILE, verify that plan (JSON as `graph --json`\n"
    "             writes it) instead of the one ecsc would emit\n"
    "  explain    print which systems may run together and why each edge and\n"
    "             sync point exists\n"
    "  graph      print the schedule as Graphviz DOT (--json: as JSON)\n"
    "  bodycheck  check the bodies of the systems in SYSTEM.c files: component\n"
    "             data only through their views, no const cast away, no racy\n"
    "             writes to globals, structural changes only through commands\n"
    "\n"
    "options:\n"
    "  -o PATH        gen: output directory (default: generated);\n"
    "                 explain, graph: output file (default: stdout);\n"
    "                 bodycheck: a stamp file touched when the bodies pass\n"
    "  -n NAME        program name, prefix of generated files and symbols\n"
    "                 (default: the first schema's file name without .h)\n"
    "  -I DIR         add an include directory for the schemas (passed to clang)\n"
    "  -D NAME[=V]    define a macro for the schemas (passed to clang)\n"
    "  -M DEPFILE     write a Makefile-style depfile listing every file read\n"
    "  --profile FILE plan with measured costs from FILE (JSON; see\n"
    "                 docs/schedule.md); a missing FILE means estimates\n"
    "  --ambiguity=warn|error|ignore\n"
    "                 what to do with conflicting systems ordered only by\n"
    "                 declaration order (default: warn); -Werror=ambiguity and\n"
    "                 -Wno-ambiguity are the same as error and ignore\n"
    "  --plan FILE    check: verify this plan\n"
    "  --json         graph: JSON instead of DOT\n"
    "  -p BUILDDIR    bodycheck: directory of compile_commands.json (the flags\n"
    "                 each SYSTEM.c is compiled with); without it, -I and -D\n"
    "                 as given\n"
    "  -h, --help     show this help\n"
    "\n"
    "Diagnostics use the format FILE:LINE:COL: error: MESSAGE. Exit status is\n"
    "0 on success, 1 when the schemas, the plan or a body have errors (nothing\n"
    "is written), and 2 for usage or I/O errors.\n";

typedef enum command { CMD_GEN, CMD_CHECK, CMD_EXPLAIN, CMD_GRAPH, CMD_BODYCHECK } command;

typedef struct options {
    command cmd;
    const char *out, *name, *depfile, *profile, *plan, *builddir;
    bool json;
    ecs_ambiguity_mode ambiguity;
    int n_inputs, n_bodies, n_args;
    const char *inputs[256], *bodies[1024], *clang_args[128];
} options;

static bool valid_name(const char *s) {
    if (!*s || (*s >= '0' && *s <= '9')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static char *default_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = strdup(base);
    char *dot = strrchr(name, '.');
    if (dot) *dot = 0;
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            *p = '_';
    return name;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int parse_args(int argc, char **argv, options *o) {
    static const struct { const char *name; command cmd; } commands[] = {
        {"gen", CMD_GEN}, {"check", CMD_CHECK}, {"explain", CMD_EXPLAIN},
        {"graph", CMD_GRAPH}, {"bodycheck", CMD_BODYCHECK},
    };
    int i = 1;
    for (size_t c = 0; i < argc && c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0) {
            o->cmd = commands[c].cmd;
            i++;
            break;
        }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        bool takes = strcmp(a, "-o") == 0 || strcmp(a, "-n") == 0 || strcmp(a, "-M") == 0 ||
                     strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0 || strcmp(a, "-p") == 0 ||
                     strcmp(a, "--profile") == 0 || strcmp(a, "--plan") == 0;
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "ecsc: error: %s needs an argument\n%s", a, usage);
            return 2;
        }
        if (strcmp(a, "-o") == 0) o->out = argv[++i];
        else if (strcmp(a, "-n") == 0) o->name = argv[++i];
        else if (strcmp(a, "-M") == 0) o->depfile = argv[++i];
        else if (strcmp(a, "-p") == 0) o->builddir = argv[++i];
        else if (strcmp(a, "--profile") == 0) o->profile = argv[++i];
        else if (strcmp(a, "--plan") == 0) o->plan = argv[++i];
        else if (strcmp(a, "--json") == 0) o->json = true;
        else if (strcmp(a, "--ambiguity=warn") == 0 || strcmp(a, "-Wambiguity") == 0)
            o->ambiguity = ECS_AMBIGUITY_WARN;
        else if (strcmp(a, "--ambiguity=error") == 0 || strcmp(a, "-Werror=ambiguity") == 0)
            o->ambiguity = ECS_AMBIGUITY_ERROR;
        else if (strcmp(a, "--ambiguity=ignore") == 0 || strcmp(a, "-Wno-ambiguity") == 0)
            o->ambiguity = ECS_AMBIGUITY_IGNORE;
        else if ((strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0) && o->n_args < 126) {
            o->clang_args[o->n_args++] = a;
            o->clang_args[o->n_args++] = argv[++i];
        } else if ((strncmp(a, "-I", 2) == 0 || strncmp(a, "-D", 2) == 0) && o->n_args < 127)
            o->clang_args[o->n_args++] = a;
        else if (a[0] == '-') {
            fprintf(stderr, "ecsc: error: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (ends_with(a, ".c")) {
            if (o->n_bodies < 1024) o->bodies[o->n_bodies++] = a;
        } else if (o->n_inputs < 256) {
            o->inputs[o->n_inputs++] = a;
        }
    }
    if (o->n_inputs == 0) {
        fprintf(stderr, "ecsc: error: no schema given\n%s", usage);
        return 2;
    }
    /* The schema language ships next to ecsc (gen/ecs_schema.h beside
     * build/): found last, so an explicit -I wins and the build's depfiles
     * stay relative. */
    static char shipped[PATH_MAX + 16];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0 && o->n_args < 126) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        snprintf(shipped, sizeof shipped, "%s/../gen", exe);
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/ecs_schema.h", shipped);
        if (access(probe, R_OK) == 0) {
            o->clang_args[o->n_args++] = "-I";
            o->clang_args[o->n_args++] = shipped;
        }
    }
    if (o->n_bodies && o->cmd != CMD_BODYCHECK) {
        fprintf(stderr, "ecsc: error: '%s' is a system body: only bodycheck reads them\n",
                o->bodies[0]);
        return 2;
    }
    return 0;
}

/* The profile is optional: when it is missing, the depfile names its
 * directory instead, so Ninja reruns ecsc once a profile appears there. */
static int load_profile(const options *o, ecs_model *m, ecs_profile **out) {
    *out = NULL;
    if (!o->profile) return 0;
    int rc = ecs_profile_load(o->profile, out);
    if (rc < 0) return -1;
    if (rc == 0) {
        ecs_model_add_dep(m, o->profile);
    } else {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", o->profile);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        else snprintf(dir, sizeof dir, ".");
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) ecs_model_add_dep(m, dir);
    }
    return 0;
}

static int write_text(const char *path, const char *s) {
    if (!path) {
        fputs(s, stdout);
        return fflush(stdout) == 0 ? 0 : 2;
    }
    ecs_file f = {(char *)path, (char *)s, strlen(s)};
    return ecs_write_files(&f, 1) == 0 ? 0 : 2;
}

static int run_gen(const options *o, const ecs_model *m, const ecs_schedule *sc, const char *name) {
    const char *outdir = o->out ? o->out : "generated";
    ecs_file files[4];
    int n = ecs_emit(m, sc, name, outdir, files, 4);
    int rc = 0;
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ecsc: error: cannot create '%s': %s\n", outdir, strerror(errno));
        rc = 2;
    } else if (ecs_write_files(files, n) != 0) {
        rc = 2;
    } else if (o->depfile && ecs_write_depfile(o->depfile, files[0].path, m) != 0) {
        rc = 2;
    }
    for (int k = 0; k < n; k++) {
        free(files[k].path);
        free(files[k].text);
    }
    return rc;
}

static int finish_errors(void) {
    fprintf(stderr, "ecsc: %d error%s; nothing written\n", ecs_diag_errors(),
            ecs_diag_errors() == 1 ? "" : "s");
    return 1;
}

int main(int argc, char **argv) {
    static options o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    char *owned_name = o.name ? NULL : default_name(o.inputs[0]);
    const char *name = o.name ? o.name : owned_name;
    if (!valid_name(name)) {
        fprintf(stderr, "ecsc: error: program name '%s' is not a C identifier\n", name);
        free(owned_name);
        return 2;
    }

    ecs_model *m = ecs_parse(o.n_inputs, o.inputs, o.n_args, o.clang_args);
    ecs_check(m);
    ecs_profile *profile = NULL;
    ecs_schedule *sc = NULL;
    if (load_profile(&o, m, &profile) == 0 && ecs_diag_errors() == 0) {
        ecs_schedule_desc desc = {.ambiguity = o.ambiguity, .profile = profile,
                                  .quiet = o.cmd == CMD_BODYCHECK};
        sc = ecs_schedule_build(m, &desc);
    }
    /* The proof: the plan about to be emitted, or the one given. */
    if (sc && sc->ok && ecs_diag_errors() == 0 && o.cmd != CMD_BODYCHECK) {
        if (o.plan) {
            ecs_plan *given = ecs_plan_read_json(m, o.plan);
            if (given) ecs_verify(m, given, true, NULL);
            ecs_plan_free(given);
        } else {
            ecs_verify(m, sc->plan, true, NULL);
        }
    }
    if (ecs_diag_errors() > 0) {
        rc = finish_errors();
    } else {
        switch (o.cmd) {
        case CMD_GEN: rc = run_gen(&o, m, sc, name); break;
        case CMD_CHECK: rc = 0; break;
        case CMD_EXPLAIN:
        case CMD_GRAPH: {
            char *t = o.cmd == CMD_EXPLAIN ? ecs_report_explain(m, sc)
                      : o.json ? ecs_report_json(m, sc) : ecs_report_dot(m, sc);
            rc = write_text(o.out, t);
            free(t);
            break;
        }
        case CMD_BODYCHECK: {
            ecs_body_desc desc = {.builddir = o.builddir, .n_files = o.n_bodies,
                                  .files = o.bodies, .n_args = o.n_args,
                                  .clang_args = o.clang_args, .depfile = o.depfile,
                                  .stamp = o.out};
            rc = ecs_body_run(m, sc, &desc) == 0 ? 0 : 1;
            if (rc) fprintf(stderr, "ecsc: %d error%s in system bodies\n", ecs_diag_errors(),
                            ecs_diag_errors() == 1 ? "" : "s");
            break;
        }
        }
    }
    ecs_schedule_free(sc);
    ecs_profile_free(profile);
    ecs_model_free(m);
    free(owned_name);
    return rc;
}
