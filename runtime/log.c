/* log.c -- the runtime's error table and its log. Every error the runtime
 * meets is logged here and counted in the world's stats; none is dropped.
 * The messages are one table, RT_ERRORS in rt.h. */
#include "rt_internal.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const error_strings[] = {
#define RT__STRING(e, s) s,
    RT_ERRORS(RT__STRING)
#undef RT__STRING
};

const char *rt_error_string(int err) {
    if (err < 0) err = -err;
    if (err >= RT_ERROR_COUNT) return "unknown error";
    return error_strings[err];
}

void rt__log(rt_world *w, int level, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level == RT_LOG_ERROR && w) w->stats.errors++;
    if (w && w->log) {
        w->log(w->log_ud, level, msg);
        return;
    }
    static const char *const names[] = {"error", "warning", "info"};
    fprintf(stderr, "ecs runtime: %s: %s\n", names[level], msg);
}
