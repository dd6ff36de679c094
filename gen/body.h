/* body.h -- the system-body check, a second small pipeline of ecsc:
 *
 *   parse_body.c  libclang over the .c files of systems/, each with the
 *                 flags it is built with (the compile database) -> a plain model of body facts: what each
 *                 function calls, which globals it reads and writes (and how,
 *                 from tokens), which casts drop const, which types it uses
 *   check_body.c  facts + schema model + schedule -> errors pointing into
 *                 systems/: component data reached other than through the
 *                 system's own view, const cast away, racy writes to
 *                 globals and statics, structural changes that bypass the
 *                 command buffer
 *
 * The C compiler already rejects plain writes to read-only columns (views
 * hold `const T *` for what a system reads); this check covers what it
 * cannot see. parse_body.c is, with parse.c, the only file that includes
 * clang-c/Index.h. */
#ifndef ECSC_BODY_H
#define ECSC_BODY_H

#include "model.h"

typedef enum ecs_fact_kind {
    ECS_FACT_CALL,        /* calls or takes the address of function `name` */
    ECS_FACT_GLOBAL_READ, /* reads global or static variable `name` */
    ECS_FACT_GLOBAL_WRITE, /* writes it (detail: how) */
    ECS_FACT_CONST_CAST,  /* a conversion drops const (detail: the types) */
    ECS_FACT_INT_TO_POINTER, /* a cast makes a mutable pointer from an integer */
    ECS_FACT_TYPE_USE     /* names or handles a value of type `name` */
} ecs_fact_kind;

typedef struct ecs_fact {
    ecs_fact_kind kind;
    const char *name;     /* function, variable or type */
    const char *detail;   /* in words, e.g. "assigned", "from 'const float *'..." */
    ecs_loc loc;          /* where, in the function's file */
    ecs_loc decl;         /* CALL/GLOBAL_*: the declaration */
    const char *usr;      /* CALL/GLOBAL_*: clang's unified symbol: identity
                             across files (statics are qualified by file) */
    const char *var_type; /* GLOBAL_*: record or typedef name at the bottom of
                             the variable's type ("Bounds" for Bounds *), or "";
                             CALL: the same for the callee's first parameter
                             ("rd_renderer" for rd_draw_sprites), or "" */
    bool pure_constant;   /* GLOBAL_READ: a const object that holds no pointer */
} ecs_fact;

typedef struct ecs_body_fn {
    const char *name;
    const char *usr;
    ecs_loc loc;          /* its definition */
    bool in_checked_file; /* defined in one of the files given, not a header */
    int n_facts;
    ecs_fact *facts;
} ecs_body_fn;

typedef struct ecs_body_model {
    int n_fns;
    ecs_body_fn *fns;     /* every function defined in a non-system file */
    int n_files;
    const char **files;   /* the files checked */
    ecs_model *store;     /* owns every string and array (its arena) */
} ecs_body_model;

typedef struct ecs_body_desc {
    const char *builddir;      /* compile_commands.json lives here; NULL: use
                                  clang_args only */
    int n_files;
    const char *const *files;  /* the .c files of systems/ */
    int n_args;
    const char *const *clang_args; /* -I/-D given to ecsc */
    const char *depfile;       /* write one listing every file read; NULL: none */
    const char *stamp;         /* the depfile's target; touched on success */
} ecs_body_desc;

/* parse_body.c: the facts of every function in the files. Clang's own
 * errors are reported; returns NULL only when libclang failed. */
ecs_body_model *ecs_body_parse(const ecs_body_desc *desc, ecs_model *deps);
void ecs_body_free(ecs_body_model *b);

/* check_body.c: report every problem; returns the number of errors. */
int ecs_body_check(const ecs_model *m, const ecs_schedule *s, const ecs_body_model *b);

/* Both, and the depfile and stamp: returns 0 when the bodies are clean. */
int ecs_body_run(ecs_model *m, const ecs_schedule *s, const ecs_body_desc *desc);

#endif /* ECSC_BODY_H */
