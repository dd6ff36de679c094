/* rt.h -- the ecsc runtime: one public header.
 *
 * WHAT IT DOES
 *   Runs a program that ecsc generated from schemas: it owns the world (the
 *   entity index, one struct-of-arrays table per archetype, the resources),
 *   records structural changes in command buffers and applies them at sync
 *   points, and executes the generated plan frame by frame.
 *
 * WHAT IT DOES NOT DO
 *   It never parses a schema, never matches a query and never includes a
 *   generated header. Everything it knows about a game comes from the static
 *   tables of an `rt_program` (see generated/<name>.c), so the runtime is an
 *   interpreter of plans and can be tested on hand-written ones.
 *
 * STEP BY STEP
 *   1. ecsc emits `const rt_program swarm_program` and typed helpers
 *      (Boid_create, swarm_Time, ...) into generated/swarm.{h,c}.
 *   2. rt_world *w = rt_world_create(&(rt_world_desc){.program = &swarm_program});
 *   3. Create entities with the generated helpers or rt_world_create_entity.
 *   4. Each frame: rt_world_frame(w, dt). Systems run in plan order; their
 *      structural changes land at the plan's sync points.
 *   5. rt_world_destroy(w).
 *
 * INVARIANTS
 *   - An entity handle is an index plus a generation. Destroying an entity
 *     bumps the generation of its slot, so every stale handle is detected:
 *     calls return RT_ESTALE and the world counts and logs it.
 *   - Rows of a table are dense: [0, count) are live. Destroying swaps the
 *     last row into the hole; the entity index follows the move.
 *   - Column data is 64-byte aligned and grows by doubling; no per-entity
 *     allocation. Storage only moves at sync points, never while systems run.
 *
 * MEASUREMENT AND BUDGETS
 *   Every frame, every system is timed on the thread that ran it into the
 *   world's monitor (monitor.h: last/mean/max/p50/p95/p99 over a rolling
 *   window, FPS, spans for traces, memory), and checked against the budgets
 *   its schema declares (budget.h: OK/WARNING/CRITICAL with hysteresis,
 *   overrun warnings through the world's log). Asked to enforce budgets, the
 *   world also degrades gracefully: a quality level every view carries, and
 *   degradable systems skipped or time-sliced while a critical budget is
 *   exceeded; every other system keeps its exact semantics. Files (CSV, JSON
 *   summary, Chrome trace, the cost profile ecsc reads back) are export.h's.
 *   See docs/budgets.md.
 *
 * Files: world.c (world, frame loop, hashing), entity.c (entity index),
 * table.c (SoA tables, tag columns, filter runs), cmd.c (command buffers),
 * exec.c (executing the plan, in parallel on pool.c's threads, measured
 * into monitor.c and obeying budget.c's decisions), jobs.c (async jobs
 * across frames, docs/jobs.md), log.c (errors and log messages).
 */
#ifndef RT_H
#define RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"  /* budgets and their controller (includes monitor.h) */
#include "monitor.h" /* per-frame measurement */

#ifdef __cplusplus
extern "C" {
#endif

/* --- errors -------------------------------------------------------------- */

/* One table of every error the runtime reports. */
#define RT_ERRORS(X)                                                     \
    X(RT_OK, "ok")                                                       \
    X(RT_ENOMEM, "out of memory")                                        \
    X(RT_ESTALE, "stale entity handle (entity was destroyed)")           \
    X(RT_EINVAL, "invalid argument")                                     \
    X(RT_ENOTFOUND, "entity's archetype has no such component or tag")   \
    X(RT_EFULL, "queue full")                                            \
    X(RT_ELIMIT, "capacity limit reached")                               \
    X(RT_EBUSY, "entity already has a job in flight")

typedef enum rt_error {
#define RT__ENUM(e, s) e,
    RT_ERRORS(RT__ENUM)
#undef RT__ENUM
    RT_ERROR_COUNT
} rt_error;

const char *rt_error_string(int err);

/* --- entities ------------------------------------------------------------ */

typedef struct rt_entity {
    uint32_t index; /* slot in the entity index */
    uint32_t gen;   /* generation; 0 is never live, so {0,0} is null */
} rt_entity;

#define RT_ENTITY_NULL ((rt_entity){0, 0})

static inline bool rt_entity_is_null(rt_entity e) { return e.gen == 0; }
static inline bool rt_entity_eq(rt_entity a, rt_entity b) {
    return a.index == b.index && a.gen == b.gen;
}

/* --- memory -------------------------------------------------------------- */

/* Zero means malloc-based defaults. Every allocation of a world goes through
 * here, so tests can count allocations and inject failures. Called by one
 * thread at a time: the executor serializes its workers' calls. */
typedef struct rt_allocator {
    void *(*alloc)(void *ud, size_t size, size_t align); /* NULL on failure */
    void (*free)(void *ud, void *ptr);
    void *ud;
} rt_allocator;

/* --- the program: static tables emitted by ecsc -------------------------- */

typedef struct rt_column_desc {
    const char *name;      /* "Position.x" */
    int32_t component;     /* index into rt_program.components */
    uint32_t size, align;  /* bytes, of one element */
    uint32_t comp_offset;  /* bytes, of the field inside its component */
    uint32_t init_offset;  /* bytes, of the field inside the archetype's _init */
} rt_column_desc;

typedef struct rt_archetype_desc {
    const char *name;
    int32_t n_columns;
    const rt_column_desc *columns;
    int32_t n_tags;
    const int32_t *tags;   /* program tag ids; tag column i holds tags[i] */
    uint32_t init_size;    /* bytes, sizeof(<Archetype>_init) */
} rt_archetype_desc;

typedef struct rt_type_desc { /* a component or resource */
    const char *name;
    uint32_t size, align;  /* bytes */
} rt_type_desc;

typedef struct rt_table rt_table;
typedef struct rt_world rt_world;
typedef struct rt_cmd rt_cmd;
typedef struct rt_job_desc rt_job_desc; /* an async system's job: see "async jobs" */

/* Runs one system over rows [begin, end) of table t (t is NULL for systems
 * that iterate no entities; they are called once per frame). Generated. */
typedef void (*rt_system_fn)(rt_world *w, rt_table *t, int32_t begin,
                             int32_t end, rt_cmd *cmd);

typedef struct rt_system_match {
    int32_t archetype;
    rt_system_fn run;      /* the system, bound to this archetype's columns */
} rt_system_match;

enum rt_system_flags {
    RT_SYSTEM_MAIN_THREAD = 1u << 0, /* runs on the thread calling the frame */
    RT_SYSTEM_ASYNC = 1u << 1,       /* hands work to jobs across frames */
    RT_SYSTEM_SERIAL = 1u << 2,      /* never split into chunks */
    RT_SYSTEM_STRUCTURAL = 1u << 3   /* records commands */
};

typedef struct rt_system_desc {
    const char *name;
    const char *where;      /* "schemas/swarm.h:21:1", for messages */
    uint32_t flags;         /* rt_system_flags */
    int32_t n_matches;      /* 0: called once per frame with t == NULL */
    const rt_system_match *matches;
    rt_system_fn run_once;  /* used when n_matches == 0 */
    /* dependency graph: systems that must wait for this one */
    int32_t n_successors;
    const int32_t *successors;
    int32_t n_predecessors;
    /* Costs from ecsc's planner (zero: unknown). An executor that starts the
     * ready system with the largest rank first follows the critical path. */
    uint32_t cost_ns;       /* expected time of one run, measured or estimated */
    uint32_t rank_ns;       /* longest path from its start to its stage's end */
    /* RT_SYSTEM_ASYNC: its job (input and result sizes, the job function,
     * how a result is written into the world); NULL otherwise. */
    const rt_job_desc *job;
} rt_system_desc;

/* Steps are in a topological order of the successor edges. A step with
 * RT_STEP_SYNC_AFTER is a barrier: every step up to it has finished and the
 * pending commands are applied, in step order of the systems that recorded
 * them, before any later step starts. The steps between two barriers form a
 * stage; successor edges only join systems of the same stage (the barrier
 * orders the rest), and the last step always has a sync. */
enum rt_step_flags {
    RT_STEP_SYNC_AFTER = 1u << 0 /* apply pending commands after this step */
};

typedef struct rt_step {
    int32_t system;
    uint32_t flags;         /* rt_step_flags */
} rt_step;

typedef struct rt_program {
    const char *name;       /* "swarm" */
    int32_t n_components, n_tags, n_resources, n_archetypes, n_systems;
    const rt_type_desc *components;
    const char *const *tags;
    const rt_type_desc *resources;
    const rt_archetype_desc *archetypes;
    const rt_system_desc *systems;
    int32_t n_steps;
    const rt_step *steps;   /* execution order, with sync points */
    /* Budgets from the schema (ECS_BUDGET, ECS_DEGRADABLE, ECS_PHASE_BUDGET;
     * docs/budgets.md): one row per system in system order, or NULL when the
     * schema declares none. */
    const rt_budget_desc *budgets;
    float frame_budget_ms;  /* per frame (ECS_FRAME_BUDGET); 0: not declared */
} rt_program;

/* --- tables: the SoA storage of one archetype ----------------------------- */

/* Generated code reads these fields directly (columns and entities); only
 * the runtime writes them. */
struct rt_table {
    int32_t count;          /* live rows */
    int32_t capacity;       /* rows allocated in every column */
    void **columns;         /* [desc->n_columns], 64-byte aligned arrays */
    rt_entity *entities;    /* [capacity]: the entity of each row */
    uint8_t **tags;         /* [desc->n_tags]: a byte per row, 1 on, 0 off */
    const rt_archetype_desc *desc;
};

/* A tag filter for iteration: rows must have every tag column in `with`
 * and none in `without` (indices into the table's tag columns). */
typedef struct rt_filter {
    int32_t n_with, n_without;
    int32_t with[4], without[4];
} rt_filter;

/* Next run of consecutive rows in [*pos, end) passing the filter: returns
 * false when there is none, else sets *run_begin and *run_end and advances
 * *pos past the run. */
bool rt_table_next_run(const rt_table *t, const rt_filter *f, int32_t *pos,
                       int32_t end, int32_t *run_begin, int32_t *run_end);

/* --- command buffers --------------------------------------------------- */

/* Recorded by systems (through v.cmd), applied in record order at the next
 * sync point. A failure to record (out of memory) is kept in the buffer and
 * reported when it is applied: nothing is dropped silently. */
int rt_cmd_create(rt_cmd *c, int32_t archetype, const void *init);
int rt_cmd_destroy(rt_cmd *c, rt_entity e);
/* Destroys e only if it is of `archetype` when applied; otherwise the
 * command is refused and reported (the generated <system>_destroy_<A>). */
int rt_cmd_destroy_in(rt_cmd *c, rt_entity e, int32_t archetype);
int rt_cmd_tag(rt_cmd *c, rt_entity e, int32_t tag, bool on);

/* --- async jobs (jobs.c, docs/jobs.md) ---------------------------------- */

/* Work that does not fit in a frame (pathfinding, AI decisions) runs as jobs
 * on job threads, between and across frames. An ECS_ASYNC system's body
 * submits one job per entity with a copy of its input (the job never reads
 * the world); the job function writes a result; the result is written into
 * the components the system declares it writes at the sync point that ends
 * the system's stage, exactly `deadline_frames` frames after submission.
 *
 * Entity states, per async system: an entity "needs work" until a submission
 * for it is accepted, then it is "pending" until its job is resolved at its
 * due sync point: applied, dropped (the entity was destroyed meanwhile) or,
 * with RT_JOBS_DISCARD only, timed out (the entity needs work again and the
 * late result is thrown away when it comes). A submission is accepted only
 * when the job has room in the queue: otherwise rt_jobs_submit returns
 * RT_EFULL and the entity stays in "needs work" for a later frame. Nothing is
 * ever pending without a job that will resolve it, and no result is applied
 * twice.
 *
 * Determinism: with RT_JOBS_WAIT (the default) a result that is late at its
 * sync point is waited for, the frame thread running queued jobs itself
 * meanwhile, and room in the queue is counted in jobs not yet resolved (which
 * only changes at sync points), so the world after N frames depends neither
 * on the number of threads nor on how fast jobs run. */

typedef struct rt_jobs rt_jobs;           /* a job system: queue, job threads, ports */
typedef struct rt_jobs_port rt_jobs_port; /* the jobs of one async system */

typedef void (*rt_job_fn)(const void *in, void *out);
typedef int (*rt_job_apply_fn)(rt_world *w, rt_entity e, const void *out);

/* Emitted by ecsc for each ECS_ASYNC system (generated/<name>.c). */
struct rt_job_desc {
    uint32_t in_size, in_align;   /* bytes: <system>_job_in */
    uint32_t out_size, out_align; /* bytes: <system>_job_out */
    rt_job_fn run;                /* calls <system>_job(in, out), on a job thread */
    rt_job_apply_fn apply;        /* writes a result into e's components (sync point) */
};

/* What happens to a job that has not finished when its result is due. */
enum rt_jobs_late {
    RT_JOBS_WAIT = 0,    /* the sync point waits for it (running queued jobs
                            meanwhile): deterministic, a slow job stalls a frame */
    RT_JOBS_DISCARD = 1  /* it times out: its entity needs work again and its
                            result is discarded when it comes; frames never wait,
                            but results then depend on timing */
};

/* Zero means default for every field. */
typedef struct rt_jobs_desc {
    uint32_t queue_capacity;    /* jobs in flight, all async systems together (each
                                   gets an equal share); rounded up to a power of
                                   two; 0: 4096 */
    uint32_t deadline_frames;   /* a job submitted in frame f is resolved at the
                                   sync point of its system's stage in frame
                                   f + deadline_frames; 0: 2 */
    int32_t threads;            /* job threads; 0: the world's threads minus one
                                   (standalone: one); negative: none, jobs then
                                   run on the frame thread when they come due */
    uint32_t late;              /* enum rt_jobs_late */
    uint32_t batch_min;         /* jobs per push into the queue, adapted between */
    uint32_t batch_max;         /*   these bounds; 0: 1 and 64 */
    uint32_t target_latency_us; /* a job's wait for its batch above which batches
                                   shrink; 0: 50 */
    uint32_t spin_us;           /* a job thread's spin on an empty queue before it
                                   parks; 0: 50 */
    uint32_t slow_job_us;       /* testing: every job first sleeps this long (a
                                   deliberately slow executor) */
    bool no_rotation;           /* testing: async systems always start at their
                                   first row instead of at the entity refused
                                   first for lack of room (docs/jobs.md, fairness) */
    rt_allocator allocator;     /* standalone only; a world's jobs use the world's */
} rt_jobs_desc;

/* Latency histograms: 8 buckets per power of two of nanoseconds (bucket
 * bounds within 12.5 %); rt_jobs_percentile reads them. */
#define RT_JOBS_LAT_BUCKETS 400
#define RT_JOBS_FRAME_BUCKETS 16 /* the last one counts that many frames or more */

typedef struct rt_jobs_stats {
    uint64_t submitted;   /* accepted submissions: entities that became pending */
    uint64_t refused;     /* submissions refused, the queue being full: the entity
                             stays in "needs work" and asks again later */
    uint64_t completed;   /* job functions that ran to the end (counted at the
                             sync point that resolves them) */
    uint64_t applied;     /* results written into the world */
    uint64_t dropped;     /* results not applied: the entity was gone */
    uint64_t timed_out;   /* RT_JOBS_DISCARD: jobs unfinished when due */
    uint64_t discarded;   /* results of timed-out jobs, thrown away */
    uint64_t cancelled;   /* jobs that never ran: timed out or entity gone first */
    uint64_t waited;      /* RT_JOBS_WAIT: results late at their sync point */
    uint64_t wait_ns;     /* time sync points spent on late results */
    uint64_t helped;      /* jobs the frame thread ran itself */
    uint64_t batches;     /* pushes into the queue */
    uint32_t in_flight;   /* submitted, not yet resolved */
    uint32_t zombies;     /* timed out and still running */
    uint32_t batch;       /* current batch size (the first async system's) */
    uint32_t capacity;    /* the queue's, in jobs */
    uint32_t threads;     /* job threads */
    uint32_t deadline_frames;
    uint32_t late;        /* enum rt_jobs_late */
    uint64_t done_ns[RT_JOBS_LAT_BUCKETS];     /* submit -> job finished */
    uint64_t applied_ns[RT_JOBS_LAT_BUCKETS];  /* submit -> result applied */
    uint64_t done_frames[RT_JOBS_FRAME_BUCKETS]; /* frames from submit to finished */
} rt_jobs_stats;

/* The q-quantile (0..1) of a histogram of rt_jobs_stats, in its unit (ns or
 * frames: frame histograms have one bucket per value); NAN when empty. */
double rt_jobs_percentile(const uint64_t *hist, int32_t n_buckets, double q);

/* A consistency check for tests and the game's summary: every pending entity
 * has a job in flight that is due at or after `frame`, every job in flight
 * has its entity marked pending, and submitted == applied + dropped +
 * timed_out + in_flight. stranded and unaccounted are always 0. */
typedef struct rt_jobs_audit {
    uint32_t in_flight;   /* jobs */
    uint32_t pending;     /* entities marked pending */
    uint32_t stranded;    /* pending entities or jobs that nothing would resolve */
    int64_t unaccounted;  /* submitted - (applied + dropped + timed_out + in_flight) */
} rt_jobs_audit;

/* Called for each due result at collection, in submission order. */
typedef struct rt_jobs_sink {
    bool (*alive)(void *ud, rt_entity e);
    int (*apply)(void *ud, rt_entity e, const void *out); /* RT_OK or an error */
    void *ud;
} rt_jobs_sink;

/* Standalone use (tests, benchmarks; a world does all of this itself): one
 * port per job description. NULL on failure, the reason in *err (RT_EINVAL:
 * a bad desc or job description; RT_ENOMEM; RT_ELIMIT: threads could not
 * start). */
rt_jobs *rt_jobs_create(const rt_jobs_desc *desc, int32_t n_ports,
                        const rt_job_desc *const *jobs, int *err);
void rt_jobs_destroy(rt_jobs *j); /* stops the job threads; queued jobs never run */
rt_jobs_port *rt_jobs_get_port(rt_jobs *j, int32_t port);
/* Submissions from now on belong to `frame`. */
void rt_jobs_begin_frame(rt_jobs *j, uint64_t frame);
/* Resolves the port's jobs due at or before `frame`, in submission order:
 * waits for late ones (RT_JOBS_WAIT) or times them out (RT_JOBS_DISCARD),
 * then applies each result whose entity is alive. Returns RT_OK or the first
 * error of an apply. One thread per port at a time, as for submissions. */
int rt_jobs_collect(rt_jobs_port *p, uint64_t frame, const rt_jobs_sink *sink);
void rt_jobs_get_stats(const rt_jobs *j, rt_jobs_stats *out);
void rt_jobs_audit_get(const rt_jobs *j, uint64_t frame, rt_jobs_audit *out);

/* For async system bodies (through the generated <system>_submit and
 * <system>_pending) and generated code. A port is used by one thread at a
 * time: the executor runs an async system as one item. */

/* Accepts a job for entity e with a copy of in_size bytes at `in`: RT_OK (e
 * is pending from now on), RT_EFULL (no room in the queue: e still needs
 * work; counted as refused), RT_EBUSY (e already has a job in flight). */
int rt_jobs_submit(rt_jobs_port *p, rt_entity e, const void *in);
bool rt_jobs_pending(const rt_jobs_port *p, rt_entity e);
/* Pushes the jobs still waiting for their batch into the queue. */
void rt_jobs_flush(rt_jobs_port *p);

/* Generated code: the port of async system `system` of w's program. */
rt_jobs_port *rt_jobs_port_of(rt_world *w, int32_t system);
/* The world's job system: NULL when its program has no async system. */
rt_jobs *rt_world_jobs(rt_world *w);

/* --- the world ------------------------------------------------------------- */

typedef void (*rt_log_fn)(void *ud, int level, const char *msg);
enum { RT_LOG_ERROR, RT_LOG_WARNING, RT_LOG_INFO };

typedef struct rt_world_desc {
    const rt_program *program;  /* required */
    rt_allocator allocator;     /* zero: malloc */
    rt_log_fn log;              /* zero: print to stderr */
    void *log_ud;
    int32_t initial_capacity;   /* rows per archetype, zero: 1024 */
    int32_t threads;            /* threads running the plan, the caller
                                   included; zero: every CPU the process may
                                   run on; 1: no worker threads at all */
    /* The executor (exec.c, docs/exec.md); zero is right for games. */
    int32_t chunk_rows;         /* rows per chunk a thread takes at a time,
                                   rounded up to a multiple of 64; zero: 8192.
                                   Never depends on the thread count. */
    int32_t min_parallel_ns;    /* estimated work (ns) each extra thread must
                                   get before a stage uses it; zero: 50000
                                   while workers are parked (the cost of
                                   waking one), a tenth of that while they
                                   still spin; negative: always every thread */
    bool system_major;          /* run chains of per-entity systems system by
                                   system instead of chunk by chunk (for tests
                                   and measurements; the result is the same) */
    /* Measurement and budgets (docs/budgets.md); zero is right for games. */
    int32_t measure;            /* RT_MEASURE_EVERY_FRAME (zero): every system
                                   timed every frame into the monitor;
                                   RT_MEASURE_SAMPLED: no monitor and no
                                   budgets, a rotating sample of items feeds
                                   the executor's cost model only;
                                   RT_MEASURE_NONE: no clock read at all, the
                                   cost model keeps its first guesses (to
                                   measure what measuring costs) */
    int32_t monitor_window;     /* frames the statistics cover; zero: 600 */
    int32_t trace_spans;        /* chunk spans kept per thread for traces
                                   (export.h); zero: none */
    float frame_budget_ms;      /* frame target; zero: the program's
                                   (ECS_FRAME_BUDGET), else 16.667 */
    bool enforce_budgets;       /* act on budgets: the quality level moves
                                   and degradable systems are throttled while
                                   a critical budget is exceeded (results then
                                   depend on timing: record the decisions,
                                   budget.h, to replay a run). false: statuses
                                   and overrun warnings only, quality 1.
                                   Config overrides: rt_budget_load_config on
                                   rt_world_budget(w), before the first frame */
    rt_jobs_desc jobs;          /* async systems' jobs (jobs.c); zero: defaults */
} rt_world_desc;

enum rt_measure {
    RT_MEASURE_EVERY_FRAME = 0,
    RT_MEASURE_SAMPLED = 1,
    RT_MEASURE_NONE = 2
};

/* A system's time is its work summed over its chunks on every thread. These
 * totals are fed from the monitor, which times every system every frame
 * (rt_world_monitor has the distributions); with RT_MEASURE_SAMPLED small
 * systems are timed on a sample of chunks and frames instead, and their
 * measured cost per row stands in between (docs/exec.md). */
typedef struct rt_system_stats {
    uint64_t last_ns;           /* the last frame, measured or estimated; 0:
                                   it had nothing to do or was skipped */
    uint64_t total_ns;          /* since the world was created */
    uint64_t max_ns;            /* the largest measured frame */
    uint64_t runs;              /* frames since the world was created */
    uint64_t timed;             /* frames in which it was measured */
} rt_system_stats;

typedef struct rt_world_stats {
    uint64_t frames;
    uint64_t frame_last_ns, frame_total_ns;
    uint64_t commands_applied;
    uint64_t stale_handles;     /* destroy/tag/get on dead entities, reported */
    uint64_t errors;            /* every error logged, including stale handles */
    uint64_t allocations;       /* calls to the allocator so far */
    uint64_t bytes_live;        /* bytes held from the allocator now */
    int32_t n_systems;
    const rt_system_stats *systems; /* [n_systems], program order */
    int32_t threads;            /* threads running the plan, caller included */
    uint64_t stages;            /* stages run (a stage ends at a sync point) */
    uint64_t parallel_stages;   /* of those, stages offered to worker threads */
} rt_world_stats;

/* NULL: out of memory, a bad desc, or worker threads could not start. */
rt_world *rt_world_create(const rt_world_desc *desc);
void rt_world_destroy(rt_world *w);
const rt_program *rt_world_program(const rt_world *w);

/* Run one frame of the plan with time step dt (seconds). Returns RT_OK or
 * the first error met (out of memory while applying commands); every error is
 * also logged and counted. Systems run on up to desc.threads threads; the
 * result is bit-identical for every thread count (docs/exec.md). Not
 * reentrant: one thread at a time calls the frame. */
int rt_world_frame(rt_world *w, float dt);
/* One slot per entity index: 16 bytes, and the array is 64-byte aligned, so
 * a lookup touches exactly one cache line. A live slot points at its row; a
 * dead slot has archetype -1. */
typedef struct rt__slot {
    uint32_t gen;
    int32_t archetype;
    int32_t row;
    uint32_t unused;          /* pads the slot to 16 bytes */
} rt__slot;

/* Dead slots wait on a stack of indices (LIFO reuse). A stack rather than a
 * list threaded through the slots: taking a slot then needs no load from
 * the previous one, so back-to-back creates do not wait on each other. */
typedef struct rt__entities {
    rt__slot *slots;          /* [capacity] */
    uint32_t *free;           /* [capacity]: indices of dead slots */
    uint32_t count, capacity; /* slots used (live or dead) / allocated */
    uint32_t n_free;          /* entries of `free`; live entities: count - n_free */
} rt__entities;

/* The first member of every world: what is read on every system run or
 * every per-entity call, so that rt_world_dt, rt_world_quality and the tag
 * calls below are inline loads rather than calls (W4: 400 runs a frame; W3:
 * a tag switch is a few loads and one store). Only the runtime writes it;
 * read it only through those functions. */
typedef struct rt__world_head {
    float dt;               /* seconds, the frame being run */
    float quality;          /* this frame's quality level */
    int32_t n_tags;         /* the program's */
    rt__entities entities;  /* the entity index (entity.c) */
    /* [n_archetypes * n_tags]: where the archetype's table keeps the column
     * of the tag (&tables[a].tags[k], stable for the world's life), NULL
     * when the archetype has no such tag. One load from an (archetype, tag)
     * to the column: switching a tag is one byte store. */
    uint8_t *const **tag_col;
} rt__world_head;
/* dt of the frame being run. */
static inline float rt_world_dt(const rt_world *w) {
    return ((const rt__world_head *)(const void *)w)->dt;
}
uint64_t rt_world_frame_index(const rt_world *w);

rt_entity rt_world_create_entity(rt_world *w, int32_t archetype, const void *init);
/* Creates n entities of one archetype in one call: `inits` is an array of n
 * <Archetype>_init structs (NULL: all zeros); `out`, if not NULL, receives
 * the n handles. All or nothing: RT_OK, or an error (logged) and nothing
 * created. Cheaper per entity than n calls of rt_world_create_entity: room
 * is made once and each column is written in one pass. */
int rt_world_create_entities(rt_world *w, int32_t archetype, int32_t n, const void *inits,
                             rt_entity *out);
int rt_world_destroy_entity(rt_world *w, rt_entity e);
bool rt_world_alive(const rt_world *w, rt_entity e);
int32_t rt_world_archetype_of(const rt_world *w, rt_entity e); /* -1 if dead */
int rt_world_get(const rt_world *w, rt_entity e, int32_t component, void *out);
int rt_world_set(rt_world *w, rt_entity e, int32_t component, const void *value);
/* Switches tag `tag` of entity e on or off: RT_OK, or RT_EINVAL (no such
 * tag), RT_ENOTFOUND (e's archetype has no such tag), RT_ESTALE (dead handle;
 * logged and counted). Inline: a valid call is a few loads and a byte store;
 * the rest is decided and reported by rt__world_set_tag (world.c). */
int rt__world_set_tag(rt_world *w, rt_entity e, int32_t tag, bool on);
static inline int rt_world_set_tag(rt_world *w, rt_entity e, int32_t tag, bool on) {
    const rt__world_head *h = (const rt__world_head *)(const void *)w;
    if ((uint32_t)tag < (uint32_t)h->n_tags && e.index < h->entities.count) {
        const rt__slot *s = &h->entities.slots[e.index];
        if (s->gen == e.gen && s->archetype >= 0) {
            uint8_t *const *col = h->tag_col[s->archetype * h->n_tags + tag];
            if (col) {
                (*col)[s->row] = on;
                return RT_OK;
            }
        }
    }
    return rt__world_set_tag(w, e, tag, on);
}
int rt_world_has_tag(const rt_world *w, rt_entity e, int32_t tag); /* 1, 0 or -err */

void *rt_world_resource(rt_world *w, int32_t resource);
rt_table *rt_world_table(rt_world *w, int32_t archetype);
int32_t rt_world_count(const rt_world *w, int32_t archetype);
int32_t rt_world_entity_count(const rt_world *w);

/* Reserve rows so that creating `n` more entities of an archetype allocates
 * nothing. */
int rt_world_reserve(rt_world *w, int32_t archetype, int32_t n);

/* Hash of every table's live rows, column by column, with entity handles and
 * tags (packed as bits). Equal worlds hash equal on every machine (it hashes bytes, so
 * -ffp-contract=off matters). Resources are left out: the runtime does not
 * know their fields, and the padding bytes of a struct assigned by value are
 * not guaranteed to be copied; compare the resources a test cares about. */
uint64_t rt_world_hash(const rt_world *w);

const rt_world_stats *rt_world_stats_get(const rt_world *w);

/* The world's command buffer, for game code outside systems: what is
 * recorded lands at the next sync point, like a system's commands. */
rt_cmd *rt_world_cmd(rt_world *w);

/* Apply pending commands now (also done at the plan's sync points). */
int rt_world_sync(rt_world *w);

/* Monotonic clock, ns: the monitor's (rt_monitor_now_ns: the TSC where the
 * kernel trusts it, CLOCK_MONOTONIC's origin). */
uint64_t rt_now_ns(void);

/* --- measurement and budgets (docs/budgets.md) ------------------------------ */

/* The world's monitor: every system's time per frame on every thread, frame
 * times, spans, memory. NULL with RT_MEASURE_SAMPLED. Read it between frames,
 * from the thread that runs them. */
rt_monitor *rt_world_monitor(const rt_world *w);
/* The budget controller: statuses, overruns, quality, throttles, the decision
 * log (rt_budget_save_log / rt_budget_load_log replay a run). NULL when the
 * program declares no budget and the desc asks for none, or without a
 * monitor. */
rt_budget *rt_world_budget(const rt_world *w);
/* The quality level of the frame being run (or the last one), in
 * [quality_min, 1]: 1 unless budgets are enforced. Every system's view
 * carries it as v.quality; a renderer reads it here. */
static inline float rt_world_quality(const rt_world *w) {
    return ((const rt__world_head *)(const void *)w)->quality;
}
/* dt for a system's run this frame: dt times the frames it stands for (a
 * degradable system skipped for k - 1 frames, or updating each entity every
 * k-th frame, integrates over k frames). Views of degradable systems get it
 * as v.dt. */
float rt_world_system_dt(const rt_world *w, int32_t system);
/* For a game with a window: sleeps until the next frame should start at the
 * frame target (rt_budget_pace), keeping the phase; returns the ns slept.
 * Without a budget controller, paces at 60 Hz. */
uint64_t rt_world_pace(rt_world *w);
/* Refreshes the bytes each part of the world holds in the monitor's memory
 * report: "storage/<Archetype>" (columns, entities, tags), "entities"
 * (the entity index), "commands" (command buffers), "executor" (plan, pool,
 * per-thread scratch), "monitor", "budget". Their sum is stats.bytes_live.
 * Main thread, between frames; RT_EINVAL without a monitor. */
int rt_world_update_memory(rt_world *w);

/* Helpers for generated code. */
#define RT_FIELD_SIZE(T, m) ((uint32_t)sizeof(((T *)0)->m))
#define RT_FIELD_ALIGN(T, m) ((uint32_t)__alignof__(((T *)0)->m))

#ifdef __cplusplus
}
#endif
#endif /* RT_H */
