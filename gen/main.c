/* main.c -- the ecsc command line: parse -> check -> schedule -> emit -> write.
 *
 * Nothing is written unless every stage succeeded: errors from clang and from
 * ecsc's own checks are all printed, then ecsc exits 1 and generated/ stays
 * as it was. See model.h for the stages. */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: ecsc [gen|check] [options] SCHEMA.h...\n"
    "\n"
    "Compiles ECS schemas (C headers declaring components, tags, resources,\n"
    "archetypes and systems; see docs/schema.md) into C: SoA storage, typed\n"
    "system views, and a static schedule the runtime executes.\n"
    "\n"
    "commands:\n"
    "  gen       (default) check the schemas and write OUTDIR/NAME.h and NAME.c\n"
    "  check     check the schemas and their schedule; write nothing\n"
    "\n"
    "options:\n"
    "  -o OUTDIR   where to write (default: generated)\n"
    "  -n NAME     program name, prefix of generated files and symbols\n"
    "              (default: the first schema's file name without .h)\n"
    "  -I DIR      add an include directory for the schemas (passed to clang)\n"
    "  -D NAME[=V] define a macro for the schemas (passed to clang)\n"
    "  -M DEPFILE  write a Makefile-style depfile listing every header read\n"
    "  -h, --help  show this help\n"
    "\n"
    "Diagnostics use the format FILE:LINE:COL: error: MESSAGE. Exit status is\n"
    "0 on success, 1 when the schemas have errors (nothing is written), and 2\n"
    "for usage or I/O errors.\n";

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

int main(int argc, char **argv) {
    const char *outdir = "generated", *name = NULL, *depfile = NULL;
    const char *inputs[256], *clang_args[128];
    int n_inputs = 0, n_args = 0;
    bool write = true;
    int i = 1;
    if (i < argc && strcmp(argv[i], "gen") == 0) i++;
    else if (i < argc && strcmp(argv[i], "check") == 0) { write = false; i++; }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        bool takes = strcmp(a, "-o") == 0 || strcmp(a, "-n") == 0 ||
                     strcmp(a, "-M") == 0 || strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0;
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "ecsc: error: %s needs an argument\n%s", a, usage);
            return 2;
        }
        if (strcmp(a, "-o") == 0) outdir = argv[++i];
        else if (strcmp(a, "-n") == 0) name = argv[++i];
        else if (strcmp(a, "-M") == 0) depfile = argv[++i];
        else if ((strcmp(a, "-I") == 0 || strcmp(a, "-D") == 0) && n_args < 126) {
            clang_args[n_args++] = a;
            clang_args[n_args++] = argv[++i];
        } else if ((strncmp(a, "-I", 2) == 0 || strncmp(a, "-D", 2) == 0) && n_args < 127)
            clang_args[n_args++] = a;
        else if (a[0] == '-') {
            fprintf(stderr, "ecsc: error: unknown option '%s'\n%s", a, usage);
            return 2;
        } else if (n_inputs < 256)
            inputs[n_inputs++] = a;
    }
    if (n_inputs == 0) {
        fprintf(stderr, "ecsc: error: no schema given\n%s", usage);
        return 2;
    }
    char *owned_name = name ? NULL : default_name(inputs[0]);
    if (!name) name = owned_name;
    if (!valid_name(name)) {
        fprintf(stderr, "ecsc: error: program name '%s' is not a C identifier\n", name);
        return 2;
    }

    ecs_model *m = ecs_parse(n_inputs, inputs, n_args, clang_args);
    ecs_check(m);
    ecs_schedule *sc = ecs_schedule_build(m);
    int rc = 0;
    if (ecs_diag_errors() > 0) {
        fprintf(stderr, "ecsc: %d error%s; nothing written\n", ecs_diag_errors(),
                ecs_diag_errors() == 1 ? "" : "s");
        rc = 1;
    } else if (write) {
        ecs_file files[4];
        int n = ecs_emit(m, sc, name, outdir, files, 4);
        if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "ecsc: error: cannot create '%s': %s\n", outdir, strerror(errno));
            rc = 2;
        } else if (ecs_write_files(files, n) != 0) {
            rc = 2;
        } else if (depfile && ecs_write_depfile(depfile, files[0].path, m) != 0) {
            rc = 2;
        }
        for (int k = 0; k < n; k++) {
            free(files[k].path);
            free(files[k].text);
        }
    }
    ecs_schedule_free(sc);
    ecs_model_free(m);
    free(owned_name);
    return rc;
}
