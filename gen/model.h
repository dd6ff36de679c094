/* model.h -- the plain model of a schema that every pass of ecsc shares.
 *
 * ecsc is a pipeline, one file per stage:
 *
 *   parse.c     libclang -> model (the only file that includes clang-c/Index.h)
 *   check.c     names resolved, semantic errors, each system's archetypes
 *   schedule.c  order of systems and the sync points where commands apply
 *   emit.c      model + schedule -> the text of generated/<name>.{h,c}
 *   output.c    write-if-changed through temporaries, the depfile
 *   diag.c      diagnostics in the GNU/clang format: file:line:col: error: ...
 *
 * After parse.c the model is plain data: strings are interned in one arena
 * owned by the model, every cross-reference is an index, and later passes
 * only read what earlier passes wrote.
 */
#ifndef ECSC_MODEL_H
#define ECSC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ecs_loc {
    const char *file; /* as clang reports it: relative to the working dir */
    uint32_t line, col;
} ecs_loc;

typedef struct ecs_field {
    const char *name;
    const char *type;   /* element type spelling, e.g. "float", "uint64_t" */
    const char *dims;   /* array suffix, e.g. "[4]", or "" for a scalar */
    uint32_t size;      /* bytes, whole field (including array dims) */
    uint32_t align;     /* bytes */
    uint32_t offset;    /* bytes, inside the component struct */
    ecs_loc loc;
} ecs_field;

typedef enum ecs_type_kind {
    ECS_COMPONENT_KIND,
    ECS_TAG_KIND,
    ECS_RESOURCE_KIND
} ecs_type_kind;

/* A component, tag or resource: a struct declared in a schema. */
typedef struct ecs_type {
    const char *name;
    const char *member; /* snake_case name used for view members */
    ecs_type_kind kind;
    ecs_loc loc;
    uint32_t size, align; /* bytes */
    int n_fields;
    ecs_field *fields;
    int id;               /* index among types of the same kind (check.c) */
} ecs_type;

typedef struct ecs_archetype {
    const char *name;
    ecs_loc loc;
    int n_members;
    int *members;         /* indices into model.types, in declaration order */
    ecs_loc *member_locs;
} ecs_archetype;

#define ECS_ACCESS_KINDS(X) \
    X(READ, "read") X(WRITE, "write") X(WITH, "with") X(WITHOUT, "without") \
    X(CREATES, "creates") X(DESTROYS, "destroys") X(TOGGLES, "toggles") \
    X(AFTER, "after") X(BEFORE, "before") \
    X(MAIN_THREAD, "main_thread") X(ASYNC, "async") X(SERIAL, "serial")

typedef enum ecs_access_kind {
#define X(k, s) ECS_ACCESS_##k,
    ECS_ACCESS_KINDS(X)
#undef X
    ECS_ACCESS_COUNT
} ecs_access_kind;

extern const char *const ecs_access_names[ECS_ACCESS_COUNT]; /* "read", ... */

typedef struct ecs_access {
    ecs_access_kind kind;
    const char *target; /* type, archetype or system name; NULL for flags */
    int index;          /* resolved by check.c: type, archetype or system; -1 */
    ecs_loc loc;        /* the ECS_READ(...) etc. in the schema */
} ecs_access;

enum {
    ECS_SYS_MAIN_THREAD = 1u << 0, /* runs on the thread that calls the frame */
    ECS_SYS_ASYNC = 1u << 1,       /* hands work to jobs across frames */
    ECS_SYS_SERIAL = 1u << 2,      /* whole, on one thread: never chunked */
    ECS_SYS_STRUCTURAL = 1u << 3   /* records creates/destroys/toggles */
};

typedef struct ecs_system {
    const char *name;
    ecs_loc loc;
    int n_access;
    ecs_access *access;
    /* derived by check.c */
    uint32_t flags;      /* ECS_SYS_* */
    int n_archetypes;
    int *archetypes;     /* matched archetypes, ascending index */
} ecs_system;

typedef struct ecs_model {
    int n_types, n_archetypes, n_systems;
    ecs_type *types;           /* declaration order */
    ecs_archetype *archetypes; /* declaration order */
    ecs_system *systems;       /* declaration order */
    int n_inputs;
    const char **inputs;       /* schema paths as given */
    int n_deps;
    const char **deps;         /* every file the schemas included */
    struct ecs_arena *arena;
} ecs_model;

/* model.c */
ecs_model *ecs_model_new(void);
void ecs_model_free(ecs_model *m);
void *ecs_model_alloc(ecs_model *m, size_t size); /* zeroed, lives with m */
const char *ecs_model_strdup(ecs_model *m, const char *s);
void *ecs_model_grow(ecs_model *m, void *arr, int n, size_t elem); /* n -> n+1 */
int ecs_model_find_type(const ecs_model *m, const char *name);
int ecs_model_find_archetype(const ecs_model *m, const char *name);
int ecs_model_find_system(const ecs_model *m, const char *name);
bool ecs_archetype_has(const ecs_archetype *a, int type);
int ecs_model_count_kind(const ecs_model *m, ecs_type_kind k);

/* diag.c */
typedef enum ecs_severity { ECS_NOTE, ECS_WARNING, ECS_ERROR } ecs_severity;
void ecs_diag(ecs_severity sev, ecs_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ecs_diag_raw(ecs_severity sev, const char *line); /* preformatted */
int ecs_diag_errors(void);
int ecs_diag_warnings(void);
void ecs_diag_reset(void);

/* parse.c: parse the schemas (paths as given) with extra clang args. Errors go
 * to diag; returns NULL only when libclang itself failed. */
ecs_model *ecs_parse(int n_inputs, const char *const *inputs, int n_args,
                     const char *const *clang_args);

/* check.c: resolve names and derive flags and matches; reports errors. */
void ecs_check(ecs_model *m);

/* schedule.c */
typedef struct ecs_schedule {
    int n;
    int *order;       /* system indices in execution order */
    bool *sync_after; /* per position in order: apply commands after it */
    int *n_succ;      /* per system: successors in the dependency graph */
    int **succ;
    int *n_preds;     /* per system: number of predecessors */
} ecs_schedule;
ecs_schedule *ecs_schedule_build(const ecs_model *m);
void ecs_schedule_free(ecs_schedule *s);
bool ecs_systems_conflict(const ecs_model *m, int a, int b);

/* emit.c: the generated files as strings (malloc'd). */
typedef struct ecs_file {
    char *path; /* e.g. generated/swarm.h */
    char *text;
    size_t len;
} ecs_file;
int ecs_emit(const ecs_model *m, const ecs_schedule *s, const char *name,
             const char *outdir, ecs_file *files, int max_files);

/* output.c */
int ecs_write_files(const ecs_file *files, int n); /* all or nothing */
int ecs_write_depfile(const char *path, const char *target, const ecs_model *m);

#endif /* ECSC_MODEL_H */
