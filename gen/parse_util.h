/* parse_util.h -- what both libclang stages share (parse.c for schemas,
 * parse_body.c for system bodies): turning clang's strings and locations into
 * the model's. Only the parse*.c files include this (and libclang). */
#ifndef ECSC_PARSE_UTIL_H
#define ECSC_PARSE_UTIL_H

#include "model.h"

#include <clang-c/Index.h>
#include <string.h>

/* Copies a clang string into the model's arena and disposes of it. */
static inline const char *ecs_clang_string(ecs_model *m, CXString s) {
    const char *c = clang_getCString(s);
    const char *r = ecs_model_strdup(m, c ? c : "");
    clang_disposeString(s);
    return r;
}

/* The file location of l: for a macro argument, where the user wrote it.
 * Paths are as clang saw them, without a leading "./". */
static inline ecs_loc ecs_clang_loc(ecs_model *m, CXSourceLocation l) {
    CXFile f;
    unsigned line, col, off;
    clang_getFileLocation(l, &f, &line, &col, &off);
    ecs_loc loc = {0};
    CXString name = clang_getFileName(f);
    const char *s = clang_getCString(name);
    if (s) {
        if (strncmp(s, "./", 2) == 0) s += 2;
        loc.file = ecs_model_strdup(m, s);
    }
    clang_disposeString(name);
    loc.line = line;
    loc.col = col;
    return loc;
}

#endif /* ECSC_PARSE_UTIL_H */
