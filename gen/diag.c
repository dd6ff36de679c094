/* diag.c -- diagnostics in the format of gcc and clang:
 *
 *   schemas/swarm.h:12:5: error: system 'move' writes 'Position' but ...
 *
 * Every stage reports through here and goes on, so one run shows every
 * error; main.c checks the count before writing anything. */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>

static int n_errors, n_warnings;
static const char *const severity_names[] = {"note", "warning", "error"};

static void count(ecs_severity sev) {
    if (sev == ECS_ERROR) n_errors++;
    if (sev == ECS_WARNING) n_warnings++;
}

void ecs_diag(ecs_severity sev, ecs_loc loc, const char *fmt, ...) {
    count(sev);
    if (loc.file)
        fprintf(stderr, "%s:%u:%u: %s: ", loc.file, loc.line, loc.col,
                severity_names[sev]);
    else
        fprintf(stderr, "ecsc: %s: ", severity_names[sev]);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void ecs_diag_raw(ecs_severity sev, const char *line) {
    count(sev);
    fprintf(stderr, "%s\n", line);
}

int ecs_diag_errors(void) { return n_errors; }
int ecs_diag_warnings(void) { return n_warnings; }
void ecs_diag_reset(void) { n_errors = n_warnings = 0; }
