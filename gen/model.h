/* model.h -- the plain model of a schema that every pass of ecsc shares.
 *
 * ecsc is a pipeline, one file per stage:
 *
 *   parse.c     libclang -> model (the only file that includes clang-c/Index.h)
 *   check.c     names resolved, semantic errors, each system's archetypes
 *   profile.c   measured per-system costs (JSON, read with cJSON)
 *   schedule.c  conflicts, order, ambiguity report, stages and sync points,
 *               the parallel plan under a cost model
 *   verify.c    independent proof that a plan is safe (also `ecsc check`)
 *   emit.c      model + schedule -> the text of generated/<name>.{h,c}
 *   report.c    the schedule for people: `ecsc explain`, `ecsc graph` (DOT,
 *               JSON)
 *   output.c    write-if-changed through temporaries, the depfile
 *   diag.c      diagnostics in the GNU/clang format: file:line:col: error: ...
 *
 * The system-body check is a second, smaller pipeline over the .c files of
 * systems/:
 *
 *   parse_body.c  libclang -> body facts (calls, globals, casts, types)
 *   check_body.c  facts + model + schedule -> errors in systems/
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
    int64_t expected_count; /* ECS_EXPECTED_COUNT; 0: not given (cost model) */
    ecs_loc expected_loc;
} ecs_archetype;

enum { ECS_DEGRADE_SKIP, ECS_DEGRADE_SLICE }; /* ecs_system.degrade */

/* A budget as check.c resolved it (docs/budgets.md); times in ms per frame. */
typedef struct ecs_budget {
    double target_ms, critical_ms; /* 0, 0: none */
    ecs_loc loc;                   /* the ECS_BUDGET or ECS_PHASE_BUDGET */
} ecs_budget;

/* ECS_PHASE(name): phases run in declaration order. */
typedef struct ecs_phase {
    const char *name;
    ecs_loc loc;
    ecs_budget budget;  /* ECS_PHASE_BUDGET (check.c); zero: none */
} ecs_phase;

/* ECS_EXPECTED_COUNT(A, n) as parsed; check.c moves it onto the archetype. */
typedef struct ecs_expected {
    const char *archetype;
    int64_t count;
    ecs_loc loc;
} ecs_expected;

#define ECS_ACCESS_KINDS(X) \
    X(READ, "read") X(WRITE, "write") X(WITH, "with") X(WITHOUT, "without") \
    X(CREATES, "creates") X(DESTROYS, "destroys") X(TOGGLES, "toggles") \
    X(AFTER, "after") X(BEFORE, "before") \
    X(ORDERED_AFTER, "ordered_after") X(ORDERED_BEFORE, "ordered_before") \
    X(ALLOW_AMBIGUOUS, "allow_ambiguous") X(IN_PHASE, "in_phase") \
    X(MAIN_THREAD, "main_thread") X(ASYNC, "async") X(SERIAL, "serial") \
    X(BUDGET, "budget") X(DEGRADABLE, "degradable") X(DEGRADABLE_SLICE, "degradable_slice") \
    X(JOB_INPUT, "job_input")

typedef enum ecs_access_kind {
#define X(k, s) ECS_ACCESS_##k,
    ECS_ACCESS_KINDS(X)
#undef X
    ECS_ACCESS_COUNT
} ecs_access_kind;

extern const char *const ecs_access_names[ECS_ACCESS_COUNT]; /* "read", ... */

typedef struct ecs_access {
    ecs_access_kind kind;
    const char *target; /* type, archetype, system or phase name; NULL for flags */
    int index;          /* resolved by check.c: type, archetype, system or
                           phase; -1 */
    ecs_loc loc;        /* the ECS_READ(...) etc. in the schema */
    const char *text;   /* BUDGET: the numbers as written, "2.0 4.0" */
} ecs_access;

/* ECS_FRAME_BUDGET(ms) and ECS_PHASE_BUDGET(P, target, critical) as parsed
 * (the numbers as written); check.c reads the numbers and resolves P. */
typedef struct ecs_budget_decl {
    const char *phase;  /* NULL: the frame's budget */
    const char *text;   /* "16.67", "1.0 2.0" */
    ecs_loc loc;
} ecs_budget_decl;


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
    int phase;           /* index into model.phases, or -1 */
    ecs_budget budget;   /* its own, else its phase's; zero: none */
    bool degradable;     /* ECS_DEGRADABLE or ECS_DEGRADABLE_SLICE */
    int degrade;         /* ECS_DEGRADE_SKIP or ECS_DEGRADE_SLICE */
} ecs_system;

typedef struct ecs_model {
    int n_types, n_archetypes, n_systems, n_phases, n_expected;
    ecs_type *types;           /* declaration order */
    ecs_archetype *archetypes; /* declaration order */
    ecs_system *systems;       /* declaration order */
    ecs_phase *phases;         /* declaration order = execution order */
    ecs_expected *expected;    /* ECS_EXPECTED_COUNT, as written */
    int n_budget_decls;
    ecs_budget_decl *budget_decls; /* ECS_FRAME_BUDGET, ECS_PHASE_BUDGET, as written */
    double frame_budget_ms;    /* ECS_FRAME_BUDGET (check.c); 0: not declared */
    bool has_budgets;          /* any budget, degradable system or frame
                                  budget: emit.c writes the budget table */
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
int ecs_model_find_phase(const ecs_model *m, const char *name);
bool ecs_archetype_has(const ecs_archetype *a, int type);
int ecs_model_count_kind(const ecs_model *m, ecs_type_kind k);
void ecs_model_add_dep(ecs_model *m, const char *path); /* for the depfile */

/* text.c: a growing string for the emitters (emit.c, report.c) */
typedef struct ecs_text {
    char *s; /* NUL-terminated once anything was put; malloc'd */
    size_t len, cap;
} ecs_text;
void ecs_put(ecs_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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

/* --- the plan ------------------------------------------------------------ */

/* A plan in the shape of rt_program's tables (runtime/rt.h), with no pointer
 * into the model: the scheduler builds one, emit.c prints it as C, verify.c
 * proves it safe. A test can build one by hand, read one from JSON or from a
 * compiled rt_program, or corrupt one on purpose.
 *
 * Contract with the executor: steps are in a topological order of the
 * edges. A step with sync_after is a barrier: every step up to it has
 * finished and the pending commands are applied, in step order of their
 * recorders, before any later step starts. The steps between two barriers
 * form a stage; edges (succ, n_preds) only join systems of the same stage,
 * so the barrier orders everything across stages. */
typedef struct ecs_plan_step {
    int system;           /* index in declaration order */
    bool sync_after;      /* apply pending commands after this step */
} ecs_plan_step;

typedef struct ecs_plan {
    int n_systems;
    int n_steps;
    ecs_plan_step *steps; /* [n_steps] */
    uint32_t *flags;      /* [n_systems] ECS_SYS_* as the runtime sees them */
    int *n_succ;          /* [n_systems] */
    int **succ;           /* [n_systems][n_succ[i]] successors, step order */
    int *n_preds;         /* [n_systems] edges into each system */
} ecs_plan;

/* plan.c */
ecs_plan *ecs_plan_new(int n_systems, int n_steps); /* zeroed, no edges */
void ecs_plan_free(ecs_plan *p);
ecs_plan *ecs_plan_copy(const ecs_plan *p);
void ecs_plan_add_edge(ecs_plan *p, int from, int to); /* counts n_preds */
bool ecs_plan_remove_edge(ecs_plan *p, int from, int to);

/* --- rules: why two systems must be ordered -------------------------------- */

/* Every rule that relates two systems, strongest requirement last. "first"
 * is the system that runs first in the sequential order (explicit
 * constraints, then declaration order); see docs/schedule.md. */
#define ECS_RULES(X)                                                          \
    X(ORDERED, "ordered", "ECS_ORDERED_AFTER/BEFORE (orientation only)")      \
    X(COMMANDS, "commands", "both record commands: applied in sequential order") \
    X(DEFERRED, "deferred", "first iterates what second changes structurally") \
    X(EXPLICIT, "explicit", "ECS_AFTER/ECS_BEFORE")                           \
    X(PHASE, "phase", "phases run in declaration order")                      \
    X(COMPONENT, "component", "write/write or read/write of a component")      \
    X(RESOURCE, "resource", "write/write or read/write of a resource")        \
    X(STRUCTURAL, "structural", "second must see first's structural changes")

typedef enum ecs_rule {
#define X(k, s, d) ECS_RULE_##k,
    ECS_RULES(X)
#undef X
    ECS_RULE_COUNT
} ecs_rule;

extern const char *const ecs_rule_names[ECS_RULE_COUNT];        /* "component" */
extern const char *const ecs_rule_descriptions[ECS_RULE_COUNT];

/* What the plan must guarantee for a pair, weakest first. */
typedef enum ecs_req {
    ECS_REQ_NONE,  /* nothing (ECS_ORDERED_* alone) */
    ECS_REQ_STAGE, /* first's stage <= second's (and command order) */
    ECS_REQ_HB,    /* first happens before second: path, or a sync between */
    ECS_REQ_SYNC   /* a sync point between first and second */
} ecs_req;

ecs_req ecs_rule_req(ecs_rule r);

enum { /* ecs_reason.access */
    ECS_ACC_FIRST_WRITES = 1u << 0,
    ECS_ACC_SECOND_WRITES = 1u << 1
};

typedef struct ecs_reason {
    ecs_rule rule;
    int what;           /* component/resource/tag type, archetype (creates,
                           destroys), phase; -1 */
    int archetype;      /* COMPONENT: an archetype both reach; -1 */
    uint8_t access;     /* COMPONENT/RESOURCE: ECS_ACC_* */
    int declarer;       /* EXPLICIT/ORDERED/PHASE: system whose access list
                           holds the constraint; -1 */
    ecs_access_kind via; /* EXPLICIT/ORDERED/PHASE: ECS_ACCESS_AFTER, ... */
    ecs_loc loc;        /* EXPLICIT/ORDERED/PHASE: the constraint */
} ecs_reason;

/* A pair of systems that some rule relates. */
typedef struct ecs_relation {
    int first, second;  /* system indices; first runs first */
    ecs_req req;        /* strongest requirement of its reasons */
    bool conflict;      /* COMPONENT, RESOURCE, STRUCTURAL or DEFERRED */
    bool explicit_order; /* ordered by explicit constraints, maybe through others */
    bool allowed;       /* ECS_ALLOW_AMBIGUOUS between them */
    bool ambiguous;     /* conflict ordered only by declaration order */
    bool edge;          /* emitted as an edge of the plan */
    int n_reasons;
    int reasons;        /* index of the first in ecs_schedule.reasons */
} ecs_relation;

/* --- profile.c: measured costs ---------------------------------------------- */

typedef struct ecs_profile_entry {
    const char *name;   /* system */
    double mean_us, p95_us; /* microseconds per frame */
    uint64_t samples;
} ecs_profile_entry;

typedef struct ecs_profile {
    const char *path;
    int n;
    ecs_profile_entry *entries;
} ecs_profile;

/* Reads {"version":1,"systems":{"name":{"mean_us":..,"p95_us":..,
 * "samples":..}}} (format: runtime/profile.h). Returns 0 and fills *out; 1 when the file does not exist
 * (*out is NULL: use estimates); -1 after reporting a malformed file. */
int ecs_profile_load(const char *path, ecs_profile **out);
void ecs_profile_free(ecs_profile *p);
const ecs_profile_entry *ecs_profile_find(const ecs_profile *p, const char *name);

/* --- schedule.c ------------------------------------------------------------- */

typedef enum ecs_ambiguity_mode {
    ECS_AMBIGUITY_WARN,  /* default: one warning per system, then a summary */
    ECS_AMBIGUITY_IGNORE,
    ECS_AMBIGUITY_ERROR
} ecs_ambiguity_mode;

typedef struct ecs_schedule_desc {
    ecs_ambiguity_mode ambiguity;
    const ecs_profile *profile;  /* NULL: estimate from archetype sizes */
    bool quiet;                  /* no ambiguity report (graph, explain) */
} ecs_schedule_desc;

/* Cost model constants (nanoseconds), see docs/schedule.md. */
enum {
    ECS_COST_SYSTEM_NS = 1000,   /* fixed cost of running a system once */
    ECS_COST_ENTITY_NS = 1,      /* per entity visited */
    ECS_COST_FIELD_NS = 1,       /* per field read, per entity */
    ECS_COST_WRITE_NS = 2,       /* per field written, per entity */
    ECS_DEFAULT_COUNT = 1024     /* entities of an archetype, when not given */
};

typedef struct ecs_schedule {
    bool ok;             /* false: explicit constraints form a cycle */
    int n;               /* systems */
    int *order;          /* [n] sequential order: explicit, then declaration */
    int *pos;            /* [n] position of each system in order */
    ecs_plan *plan;      /* what emit.c prints and verify.c proves */
    int n_stages;
    int *stage;          /* [n] stage of each system */
    uint64_t *cost_ns;   /* [n] per run: measured or estimated */
    bool *measured;      /* [n] cost came from the profile */
    uint64_t *rank_ns;   /* [n] longest path from its start to its stage's end */
    bool *critical;      /* [n] on the critical path */
    uint64_t *stage_ns;  /* [n_stages] critical path of each stage */
    uint64_t critical_ns; /* sum over stages: the frame's critical path */
    uint64_t asap_ns;    /* the same for stages as early as possible */
    int n_relations;
    ecs_relation *relations; /* by first's position, then second's */
    int n_reasons;
    ecs_reason *reasons;
    int n_ambiguous;     /* pairs */
    const char *cost_source; /* "estimate" or the profile's path */
    const ecs_profile *profile; /* desc->profile, for reports; NULL: none */
} ecs_schedule;

ecs_schedule *ecs_schedule_build(const ecs_model *m, const ecs_schedule_desc *desc);
void ecs_schedule_free(ecs_schedule *s);
/* The relation between two systems, or NULL. */
const ecs_relation *ecs_schedule_relation(const ecs_schedule *s, int a, int b);
/* A pair that needs the sync point after `stage` (NULL: the end of frame). */
const ecs_relation *ecs_schedule_sync_reason(const ecs_schedule *s, int stage);
/* "both write 'Position' on 'Boid'": a reason in words. */
void ecs_reason_text(const ecs_model *m, const ecs_relation *r,
                     const ecs_reason *x, char *out, size_t size);

/* --- verify.c ----------------------------------------------------------------- */

#define ECS_VIOLATIONS(X)                                                       \
    X(SHAPE, "the plan is malformed")                                           \
    X(UNORDERED, "conflicting systems may run at the same time")               \
    X(NO_SYNC, "a structural change is not applied before a system that must see it") \
    X(LATE_SYNC, "a structural change is applied before a system that must not see it") \
    X(COMMAND_ORDER, "commands are applied out of sequential order")           \
    X(EXPLICIT, "an explicit order constraint is not respected")               \
    X(PHASE, "a phase order is not respected")                                 \
    X(THREAD, "a system runs on the wrong thread or is split")                  \
    X(END_SYNC, "the frame does not end with a sync point")

typedef enum ecs_violation_kind {
#define X(k, s) ECS_VIOLATION_##k,
    ECS_VIOLATIONS(X)
#undef X
    ECS_VIOLATION_COUNT
} ecs_violation_kind;

typedef struct ecs_violation {
    ecs_violation_kind kind;
    int a, b;            /* systems involved, -1 when none */
    char message[512];   /* the reason, in words */
} ecs_violation;

typedef struct ecs_verify_result {
    int n;               /* violations found (all of them) */
    int cap;
    ecs_violation *v;    /* the first cap of them */
} ecs_verify_result;

/* Re-derives every requirement from the model alone and checks the plan.
 * Returns the number of violations; each is also reported through diag
 * unless report is false. */
int ecs_verify(const ecs_model *m, const ecs_plan *p, bool report,
               ecs_verify_result *out);
void ecs_verify_result_free(ecs_verify_result *r);
/* Reads a plan from the "plan" object of `ecsc graph --json` output. Returns
 * NULL after reporting what is wrong. */
ecs_plan *ecs_plan_read_json(const ecs_model *m, const char *path);

/* --- report.c: for people ------------------------------------------------------ */

char *ecs_report_explain(const ecs_model *m, const ecs_schedule *s); /* malloc'd */
char *ecs_report_dot(const ecs_model *m, const ecs_schedule *s);
char *ecs_report_json(const ecs_model *m, const ecs_schedule *s);

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
