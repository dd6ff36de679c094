/* text.c -- the growing string every emitter writes into (emit.c for the
 * generated C, report.c for explain/graph output). Out of memory ends ecsc:
 * it has written nothing yet, so there is nothing to undo. */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ecs_put(ecs_text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (t->s && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        char *s = realloc(t->s, cap);
        if (!s) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
        t->s = s;
        t->cap = cap;
    }
}
