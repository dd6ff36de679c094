/* exec.c -- executes the plan of a program, frame by frame, on a thread pool.
 *
 * The plan (rt_program.steps) lists systems in a topological order of their
 * dependency graph, with the sync points where commands are applied. At
 * world creation the plan is cut into STAGES (the steps between two sync
 * points) and each stage into UNITS:
 *
 *   - CHUNKED: a system split into chunks of chunk_rows rows per archetype
 *     (a multiple of 64, independent of the thread count), or a CHAIN of
 *     consecutive per-entity systems run chunk by chunk (chunk-major: all of
 *     the chain on one chunk while it is in cache, then the next chunk);
 *   - WHOLE: a serial or async system, or a system that iterates no entities,
 *     run as one item on any thread (an async system's jobs are jobs.c's: its
 *     results are resolved at the sync point after its stage);
 *   - MAIN: a main-thread system, run as one item on the thread that called
 *     rt_world_frame.
 *
 * Units of a stage form a DAG (the plan's edges between their systems). A
 * stage whose estimated work is small runs on the calling thread, unit after
 * unit in plan order. A larger one is offered to the pool as one region
 * (pool.h): every thread that takes it claims items (a chunk, or a whole
 * unit) of released units through per-unit atomic counters; the thread that
 * finishes a unit's last item releases its successors. How many threads a
 * stage gets comes from measured costs and the DAG's critical path. Structural systems record into one command buffer per item
 * (a "slot", numbered in plan order, archetype order, chunk order), and the
 * sync point applies the world's own buffer and then the slots in that
 * order, so the world after a frame does not depend on which thread ran
 * what: it is bit-identical for every thread count.
 *
 * Every system run (a chunk, or a whole unit) is timed into the world's
 * monitor on the thread that ran it, one clock read per run: the end of one
 * run is the begin of the next on the same thread. The monitor's per-frame
 * row then feeds the systems' stats and the cost model
 * (rt__exec_account_frame); with RT_MEASURE_SAMPLED there is no monitor and a
 * rotating sample of items is timed instead (account_stage); with
 * RT_MEASURE_NONE nothing is. When the world has a budget controller, the
 * executor obeys its decision for each system each frame: skip it, or run
 * only its slice of rows (degradable systems; all others always run).
 *
 * The rules (when systems chain, when a stage goes parallel, how time is
 * measured), the proof that chains are safe, and measured figures are in
 * docs/exec.md; budgets in docs/budgets.md. The pool is runtime/pool.h;
 * command buffers runtime/cmd.c.
 */
#include "rt_internal.h"
#include "pool.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define exec__pause() _mm_pause()
#else
#define exec__pause() ((void)0)
#endif

enum {
    EXEC_CHUNK_ROWS = 8192,      /* default rows per chunk (docs/exec.md, "Chunk size") */
    EXEC_WAKE_NS = 50000,        /* default min_parallel_ns: waking a parked worker */
    EXEC_SPIN_DIVISOR = 10,      /* min_parallel_ns is this much smaller while workers spin */
    EXEC_SAMPLE_EVERY = 32,      /* a small item is timed one time in this many (power of 2) */
    EXEC_TINY_SAMPLE = 8,        /* a tiny run reads the clock one frame in this many (power of 2) */
    EXEC_TINY_BLOCK = 16,        /* systems (by index) that read it in the same frames */
    EXEC_TIME_ALWAYS_NS = 32000, /* items estimated above this are always timed */
    EXEC_IDLE_SPINS = 64,        /* pauses before an idle thread yields its CPU */
    EXEC_HANDOFF_NS = 1000,      /* a unit waiting for another, on another thread */
    EXEC_SHAPE_EVERY = 16,       /* frames between estimates of a stage's parallelism */
};

/* Measured mode: a run estimated below this many ns is "tiny" (tiny_run). A
 * macro so that bench/profile_w4.sh can scale it by valgrind's slowdown. */
#ifndef EXEC_TINY_NS
#define EXEC_TINY_NS 1000.0
#endif

/* Guesses that stand in until a system has been timed once: it is timed in
 * its first frame, so they only steer that frame's choice of threads. */
#define EXEC_GUESS_NS_PER_ROW 1.0
#define EXEC_GUESS_NS_PER_CALL 1000.0

#define EXEC_LINE 128 /* bytes kept between data written by different threads */

typedef enum exec_kind { UNIT_CHUNKED, UNIT_WHOLE, UNIT_MAIN } exec_kind;

/* Built once from the plan; read-only afterwards. The entry points are
 * copied out of the program so that running a unit follows no chain of
 * pointers. */
typedef struct exec_unit {
    int32_t kind;              /* exec_kind */
    int32_t n_systems;         /* 1, or the length of a chain */
    int32_t n_matches;         /* archetypes iterated (the same list for a whole chain) */
    bool structural;           /* records commands: items get command slots */
    bool single;               /* one system, one archetype, no commands: the common case */
    bool async;                /* an async system: archetypes in turn (run_async) */
    const int32_t *systems;    /* [n_systems], in plan order */
    rt_table *const *tables;   /* [n_matches]: the matched archetypes' tables */
    const rt_system_fn *fns;   /* [n_matches * n_systems]: system k on match m at
                                  fns[m * n_systems + k] */
    rt_system_fn once;         /* a system that iterates no entities */
    int32_t ends;              /* offset of its per-archetype chunk ends in exec.chunk_end */
    int32_t n_preds;           /* predecessor units in the same stage */
    int32_t n_succ;
    const int32_t *succ;       /* successor units in the same stage */
} exec_unit;

typedef struct exec_stage {
    int32_t first_unit, n_units;
    int32_t first_step, n_steps;
} exec_stage;

/* Per unit, per stage run on several threads: written by prepare, then
 * through the atomics. */
typedef struct exec_live {
    alignas(EXEC_LINE) _Atomic int32_t next; /* next item to claim */
    _Atomic int32_t done;                    /* items finished */
    _Atomic int32_t preds;                   /* predecessors not finished */
    int32_t n_items;                         /* chunks, or 1 for a whole unit */
    int32_t cmd_base;                        /* first command slot (structural) */
    bool empty;                              /* no rows: finished when released */
} exec_live;

/* Per thread: what it timed in this stage, by system (sampled mode), and
 * its clock (measured mode). In measured mode `timed`/`est` hold instead the
 * pending group of tiny runs on the thread, and `ns` their ends when the
 * group is recorded (flush_group). */
typedef struct exec_thread {
    alignas(EXEC_LINE) uint64_t clock; /* measured mode: when its last run ended, ns */
    int32_t index;                   /* the thread index: 0 is the caller */
    uint64_t *ns;                    /* [n_systems] */
    int64_t *rows;                   /* [n_systems]: rows (calls, for once-systems) timed */
    int32_t *timed;                  /* [n_systems]: systems with rows > 0, in order met */
    int32_t n_timed;
    double *est;                     /* [n_systems]: measured mode, estimated ns */
    int32_t *stack;                  /* [max_stage_units]: release_units' work */
    size_t bytes;                    /* of the block holding the five arrays */
} exec_thread;

/* A command slot, on lines of its own: neighbours are recorded by other
 * threads. */
typedef struct exec_slot {
    alignas(EXEC_LINE) rt_cmd cmd;
} exec_slot;

struct rt__exec {
    rt_pool *pool;            /* NULL with one thread */
    int32_t threads;          /* caller included */
    int32_t cpus;             /* CPUs this process may run on: no stage uses more */
    int32_t chunk_rows;
    int32_t min_parallel_ns;  /* desc value; 0 = default */
    uint64_t spin_ns;         /* how long workers spin after a region */
    uint64_t spin_until_ns;   /* workers are spinning until about then */
    uint64_t clock_hint;      /* measured mode: a clock reading after which
                                 nothing ran, for the next inline stage; 0: none */
    uint64_t frame;

    int32_t n_units, n_stages, max_stage_units;
    exec_unit *units;         /* [n_units] */
    exec_stage *stages;       /* [n_stages] */
    int32_t *step_system;     /* [n_steps]: the units' system lists */
    rt_table **unit_tables;   /* the units' table lists */
    rt_system_fn *unit_fns;   /* the units' entry points */
    int32_t n_unit_arch, n_unit_fns;
    int32_t *succ;            /* storage of every unit's succ list */
    int32_t n_succ_total;
    int32_t *stage_of_system; /* [n_systems]: -1 when not in the plan */
    int32_t *unit_of_system;  /* [n_systems]: -1 when not in the plan */
    int32_t *chunk_end;       /* [n_ends]: per unit and archetype, chunks so far */
    int32_t n_ends;
    exec_live *live;          /* [n_units] */
    _Atomic int32_t *ready;   /* [max_stage_units]: units released, in order */
    _Atomic int32_t *main_ready; /* the same for main-thread units */
    exec_thread *thr;         /* [threads] */

    /* Cost model: ns per row (per call for once-systems), by system; by unit
     * their sum (infinite until every one was timed once, so that unknown
     * units are timed); by stage their sum per archetype, so that a stage's
     * estimate is one multiply-add per archetype. */
    double *rate;             /* [n_systems] */
    uint8_t *rate_known;      /* [n_systems] */
    int64_t *tiny_rows;       /* [n_systems]: runs of fewer rows are tiny (tiny_run);
                                 0 until the system's rate is known */
    uint8_t *unit_stale;      /* [n_units]: a system of it may have last_ns != 0
                                 (rt__exec_account_frame) */
    double *unit_rate;        /* [n_units] */
    int64_t *always_rows;     /* [n_units]: items of this many rows are always timed */
    int64_t *unit_rows;       /* [n_units]: rows (calls) this frame */
    double *arch_rate;        /* [n_stages * n_archetypes] */
    double *once_rate;        /* [n_stages] */
    uint64_t *acc_ns;         /* [n_systems]: the threads' timings, summed */
    int64_t *acc_rows;        /* [n_systems] */
    int32_t *acc_list;        /* [n_systems]: systems with acc_rows > 0 */
    int32_t *step_unit;       /* [n_steps]: the unit of each step */
    double *parallelism;      /* [n_stages]: work / critical path, see stage_shape */
    uint64_t *shape_frame;    /* [n_stages]: frame of that estimate, plus one */
    double *path;             /* [max_stage_units]: scratch of stage_shape */

    exec_slot *slots;         /* command slots of the running stage */
    int32_t n_slots, cap_slots;
    int32_t ready_slots;      /* slots [0, ready_slots) have a buffer */

    pthread_mutex_t alloc_lock; /* rt__exec_alloc: allocations from workers */

    /* Measurement and budgets, set at the start of each frame. */
    rt_monitor *mon;          /* NULL: sampled timing (account_stage) */
    bool untimed;             /* RT_MEASURE_NONE: no clock read at all */
    const rt_budget_decision *dec; /* [n_systems], or NULL: everything runs */
    uint8_t *throttled;       /* [n_units]: some system of it is skipped or sliced */

    /* The stage being run in a region: set before it, read by every thread. */
    rt_world *world;
    int32_t pend_cap;         /* measured mode: room in a thread's tiny group */
    int32_t region_threads;   /* threads offered the region */
    alignas(EXEC_LINE) _Atomic int32_t n_ready;
    _Atomic int32_t n_main;
    alignas(EXEC_LINE) _Atomic int32_t units_left;
};

/* --- allocation ------------------------------------------------------------ */

void *rt__exec_alloc(rt_world *w, size_t size, size_t align) {
    rt__exec *x = w->exec;
    if (!x || !x->pool) return rt__alloc(w, size, align);
    pthread_mutex_lock(&x->alloc_lock);
    void *p = rt__alloc(w, size, align);
    pthread_mutex_unlock(&x->alloc_lock);
    return p;
}

void rt__exec_free(rt_world *w, void *p, size_t size) {
    rt__exec *x = w->exec;
    if (!x || !x->pool) {
        rt__free(w, p, size);
        return;
    }
    pthread_mutex_lock(&x->alloc_lock);
    rt__free(w, p, size);
    pthread_mutex_unlock(&x->alloc_lock);
}

/* The pool allocates once, at create, through the world's allocator. */
static void *pool_alloc(size_t size, void *user) { return rt__block_alloc(user, size, 64); }
static void pool_free(void *ptr, void *user) { rt__block_free(user, ptr); }

/* Zeroed and aligned to EXEC_LINE (some structs here are); one spare
 * element so that zero elements is not a zero-size allocation. */
static void *exec_alloc_zero(rt_world *w, size_t size) {
    void *p = rt__alloc(w, size, EXEC_LINE);
    if (p) memset(p, 0, size);
    return p;
}

#define EXEC_ALLOC(ptr, n) \
    ((ptr) = exec_alloc_zero(w, sizeof *(ptr) * (size_t)((n) + 1)))
#define EXEC_FREE(ptr, n) rt__free(w, (ptr), sizeof *(ptr) * (size_t)((n) + 1))

/* --- building the units ---------------------------------------------------- */

/* May this step's system be part of a chain (docs/exec.md, "Chains")? */
static bool chainable(const rt_program *p, int32_t step) {
    const rt_system_desc *s = &p->systems[p->steps[step].system];
    return (s->flags & (RT_SYSTEM_MAIN_THREAD | RT_SYSTEM_ASYNC | RT_SYSTEM_SERIAL |
                        RT_SYSTEM_STRUCTURAL)) == 0 &&
           s->n_matches > 0;
}

static bool same_archetypes(const rt_program *p, int32_t step_a, int32_t step_b) {
    const rt_system_desc *a = &p->systems[p->steps[step_a].system];
    const rt_system_desc *b = &p->systems[p->steps[step_b].system];
    if (a->n_matches != b->n_matches) return false;
    for (int32_t m = 0; m < a->n_matches; m++)
        if (a->matches[m].archetype != b->matches[m].archetype) return false;
    return true;
}

static exec_kind kind_of(const rt_system_desc *d) {
    if (d->flags & RT_SYSTEM_MAIN_THREAD) return UNIT_MAIN;
    if ((d->flags & (RT_SYSTEM_SERIAL | RT_SYSTEM_ASYNC)) || d->n_matches == 0)
        return UNIT_WHOLE;
    return UNIT_CHUNKED;
}

/* Checks what the executor relies on: indices in range, entry points
 * present, every system at most once in the plan, every edge pointing
 * forward in the steps (so no stage can wait on itself). */
static int check_plan(rt_world *w, int32_t *step_of) {
    const rt_program *p = w->program;
    for (int32_t s = 0; s < p->n_systems; s++) step_of[s] = -1;
    for (int32_t i = 0; i < p->n_steps; i++) {
        int32_t s = p->steps[i].system;
        if (s < 0 || s >= p->n_systems || step_of[s] >= 0) {
            rt__log(w, RT_LOG_ERROR, "plan of '%s': step %d names system %d twice or "
                    "out of range", p->name, i, s);
            return RT_EINVAL;
        }
        step_of[s] = i;
    }
    for (int32_t s = 0; s < p->n_systems; s++) {
        const rt_system_desc *d = &p->systems[s];
        for (int32_t m = 0; m < d->n_matches; m++) {
            int32_t a = d->matches[m].archetype;
            if (a < 0 || a >= p->n_archetypes || !d->matches[m].run) {
                rt__log(w, RT_LOG_ERROR, "plan of '%s': system '%s' matches archetype "
                        "%d without an entry point or out of range", p->name, d->name, a);
                return RT_EINVAL;
            }
        }
        if (d->n_matches == 0 && !d->run_once && step_of[s] >= 0) {
            rt__log(w, RT_LOG_ERROR, "plan of '%s': system '%s' has no entry point",
                    p->name, d->name);
            return RT_EINVAL;
        }
        for (int32_t k = 0; k < d->n_successors; k++) {
            int32_t t = d->successors[k];
            if (t < 0 || t >= p->n_systems ||
                (step_of[s] >= 0 && step_of[t] >= 0 && step_of[t] <= step_of[s])) {
                rt__log(w, RT_LOG_ERROR, "plan of '%s': edge %s -> %d goes against the "
                        "order of the steps", p->name, d->name, t);
                return RT_EINVAL;
            }
        }
    }
    return RT_OK;
}

/* Stages end after a step marked SYNC_AFTER (and at the last step); a unit
 * is one step, or a run of chainable steps over the same archetypes. */
static int build_stages(rt_world *w, rt__exec *x, bool system_major, int32_t *unit_of_step) {
    const rt_program *p = w->program;
    int32_t n = p->n_steps;
    for (int32_t s = 0; s < p->n_systems; s++) x->stage_of_system[s] = x->unit_of_system[s] = -1;
    for (int32_t i = 0; i < n; i++) x->step_system[i] = p->steps[i].system;
    int32_t i = 0;
    while (i < n) {
        exec_stage *st = &x->stages[x->n_stages];
        st->first_unit = x->n_units;
        st->first_step = i;
        for (;;) {
            int32_t u = x->n_units++, first = i;
            exec_unit *U = &x->units[u];
            while (!system_major && !(p->steps[i].flags & RT_STEP_SYNC_AFTER) &&
                   i + 1 < n && chainable(p, i) && chainable(p, i + 1) &&
                   same_archetypes(p, i, i + 1))
                i++;
            const rt_system_desc *d = &p->systems[p->steps[first].system];
            U->kind = kind_of(d);
            U->n_systems = i - first + 1;
            U->n_matches = d->n_matches;
            U->structural = (d->flags & RT_SYSTEM_STRUCTURAL) != 0;
            U->async = (d->flags & RT_SYSTEM_ASYNC) != 0;
            U->systems = &x->step_system[first];
            U->once = d->run_once;
            U->ends = x->n_ends;
            x->n_ends += U->kind == UNIT_CHUNKED ? U->n_matches : 0;
            x->n_unit_arch += U->n_matches;
            x->n_unit_fns += U->n_matches * U->n_systems;
            for (int32_t k = first; k <= i; k++) {
                unit_of_step[k] = x->step_unit[k] = u;
                x->unit_of_system[p->steps[k].system] = u;
                x->stage_of_system[p->steps[k].system] = x->n_stages;
            }
            bool sync = (p->steps[i].flags & RT_STEP_SYNC_AFTER) != 0;
            i++;
            if (sync || i == n) break;
        }
        st->n_units = x->n_units - st->first_unit;
        st->n_steps = i - st->first_step;
        if (st->n_units > x->max_stage_units) x->max_stage_units = st->n_units;
        x->n_stages++;
    }
    /* The units' tables and entry points, in one array each (a world's
     * array of tables never moves). */
    if (!EXEC_ALLOC(x->unit_tables, x->n_unit_arch) || !EXEC_ALLOC(x->unit_fns, x->n_unit_fns))
        return RT_ENOMEM;
    int32_t na = 0, nf = 0;
    for (int32_t u = 0; u < x->n_units; u++) {
        exec_unit *U = &x->units[u];
        const rt_system_desc *d = &p->systems[U->systems[0]];
        U->tables = &x->unit_tables[na];
        U->single = U->n_systems == 1 && U->n_matches == 1 && !U->structural && !U->async;
        U->fns = &x->unit_fns[nf];
        for (int32_t m = 0; m < U->n_matches; m++) {
            x->unit_tables[na++] = &w->tables[d->matches[m].archetype];
            for (int32_t k = 0; k < U->n_systems; k++)
                x->unit_fns[nf++] = p->systems[U->systems[k]].matches[m].run;
        }
    }
    return RT_OK;
}

/* Edges between units of the same stage (an edge into a later stage is met
 * by the sync point), without duplicates. */
static int build_edges(rt_world *w, rt__exec *x, const int32_t *step_of,
                       const int32_t *unit_of_step, int32_t *mark) {
    const rt_program *p = w->program;
    for (int32_t pass = 0; pass < 2; pass++) {
        int32_t total = 0;
        for (int32_t u = 0; u < x->n_units; u++) {
            exec_unit *U = &x->units[u];
            int32_t count = 0;
            for (int32_t k = 0; k < U->n_systems; k++) {
                const rt_system_desc *d = &p->systems[U->systems[k]];
                for (int32_t e = 0; e < d->n_successors; e++) {
                    int32_t t = d->successors[e];
                    if (step_of[t] < 0) continue;
                    int32_t v = unit_of_step[step_of[t]];
                    if (v == u || x->stage_of_system[t] != x->stage_of_system[U->systems[k]] ||
                        mark[v] == u + 1)
                        continue;
                    mark[v] = u + 1;
                    if (pass == 1) {
                        x->succ[total + count] = v;
                        x->units[v].n_preds++;
                    }
                    count++;
                }
            }
            if (pass == 1) {
                U->succ = &x->succ[total];
                U->n_succ = count;
            }
            total += count;
        }
        if (pass == 0) {
            x->n_succ_total = total;
            if (!EXEC_ALLOC(x->succ, total)) return RT_ENOMEM;
            memset(mark, 0, sizeof *mark * (size_t)(x->n_units + 1));
        }
    }
    return RT_OK;
}

/* Drops every edge u -> v of a stage that another path from u to v implies
 * (a transitive reduction). The plan lists an edge for every conflicting
 * pair, e.g. all 199 later writers of one component after the first; the
 * reduced graph orders exactly the same pairs with one edge per neighbour,
 * so releasing successors and estimating the critical path cost a little
 * per unit instead of a little per pair. */
static int reduce_edges(rt_world *w, rt__exec *x, const exec_stage *st) {
    int32_t n = st->n_units, f = st->first_unit;
    size_t words = ((size_t)n + 63) / 64;
    uint64_t *reach = rt__alloc(w, sizeof *reach * words * (size_t)(n + 1), 64);
    uint64_t *covered = rt__alloc(w, sizeof *covered * (words + 1), 64);
    if (!reach || !covered) {
        rt__free(w, reach, sizeof *reach * words * (size_t)(n + 1));
        rt__free(w, covered, sizeof *covered * (words + 1));
        return RT_ENOMEM;
    }
    memset(reach, 0, sizeof *reach * words * (size_t)n);
    /* reach[u]: units reachable from u, built from the last unit back. */
    for (int32_t u = f + n - 1; u >= f; u--) {
        uint64_t *ru = &reach[(size_t)(u - f) * words];
        const exec_unit *U = &x->units[u];
        for (int32_t k = 0; k < U->n_succ; k++) {
            int32_t v = U->succ[k] - f;
            ru[v / 64] |= 1ull << (v % 64);
            const uint64_t *rv = &reach[(size_t)v * words];
            for (size_t i = 0; i < words; i++) ru[i] |= rv[i];
        }
    }
    for (int32_t u = f; u < f + n; u++) x->units[u].n_preds = 0;
    for (int32_t u = f; u < f + n; u++) {
        exec_unit *U = &x->units[u];
        memset(covered, 0, sizeof *covered * words);
        for (int32_t k = 0; k < U->n_succ; k++) {
            const uint64_t *rv = &reach[(size_t)(U->succ[k] - f) * words];
            for (size_t i = 0; i < words; i++) covered[i] |= rv[i];
        }
        int32_t *succ = (int32_t *)U->succ, kept = 0;
        for (int32_t k = 0; k < U->n_succ; k++) {
            int32_t v = succ[k] - f;
            if (covered[v / 64] >> (v % 64) & 1) continue; /* implied */
            succ[kept++] = succ[k];
            x->units[succ[k]].n_preds++;
        }
        U->n_succ = kept;
    }
    rt__free(w, reach, sizeof *reach * words * (size_t)(n + 1));
    rt__free(w, covered, sizeof *covered * (words + 1));
    return RT_OK;
}

static int build_units(rt_world *w, rt__exec *x, bool system_major) {
    const rt_program *p = w->program;
    int32_t *step_of = NULL, *unit_of_step = NULL, *mark = NULL;
    int err = RT_ENOMEM;
    if (!EXEC_ALLOC(step_of, p->n_systems) || !EXEC_ALLOC(unit_of_step, p->n_steps) ||
        !EXEC_ALLOC(mark, p->n_steps) || !EXEC_ALLOC(x->units, p->n_steps) ||
        !EXEC_ALLOC(x->stages, p->n_steps) || !EXEC_ALLOC(x->step_system, p->n_steps) ||
        !EXEC_ALLOC(x->step_unit, p->n_steps) ||
        !EXEC_ALLOC(x->stage_of_system, p->n_systems) ||
        !EXEC_ALLOC(x->unit_of_system, p->n_systems))
        goto out;
    if ((err = check_plan(w, step_of)) != RT_OK) goto out;
    if ((err = build_stages(w, x, system_major, unit_of_step)) != RT_OK) goto out;
    if ((err = build_edges(w, x, step_of, unit_of_step, mark)) != RT_OK) goto out;
    for (int32_t i = 0; i < x->n_stages; i++)
        if ((err = reduce_edges(w, x, &x->stages[i])) != RT_OK) goto out;
out:
    if (step_of) EXEC_FREE(step_of, p->n_systems);
    if (unit_of_step) EXEC_FREE(unit_of_step, p->n_steps);
    if (mark) EXEC_FREE(mark, p->n_steps);
    return err;
}

/* The cost of a unit per row, for deciding what to time: infinite while
 * any of its systems has never been timed. */
static void update_unit_rate(rt__exec *x, int32_t u) {
    const exec_unit *U = &x->units[u];
    double r = 0;
    for (int32_t k = 0; k < U->n_systems; k++)
        r += x->rate_known[U->systems[k]] ? x->rate[U->systems[k]] : (double)INFINITY;
    x->unit_rate[u] = r;
    x->always_rows[u] = r * EXEC_GUESS_NS_PER_ROW >= EXEC_TIME_ALWAYS_NS ? 0
                        : r > 0 ? (int64_t)(EXEC_TIME_ALWAYS_NS / r) + 1 : INT64_MAX;
}

/* The cost model's starting point: guesses, summed per stage. */
static void init_rates(const rt_program *p, rt__exec *x) {
    for (int32_t s = 0; s < p->n_systems; s++) {
        int32_t st = x->stage_of_system[s];
        const rt_system_desc *d = &p->systems[s];
        x->rate[s] = d->n_matches ? EXEC_GUESS_NS_PER_ROW : EXEC_GUESS_NS_PER_CALL;
        if (st < 0) continue;
        if (d->n_matches == 0) x->once_rate[st] += x->rate[s];
        for (int32_t m = 0; m < d->n_matches; m++)
            x->arch_rate[st * p->n_archetypes + d->matches[m].archetype] += x->rate[s];
    }
    for (int32_t u = 0; u < x->n_units; u++) update_unit_rate(x, u);
}

int rt__exec_init(rt_world *w, const rt_world_desc *desc) {
    const rt_program *p = w->program;
    if (desc->threads < 0 || (uint32_t)desc->threads > RT_POOL_MAX_THREADS) {
        rt__log(w, RT_LOG_ERROR, "threads: %d is not in [0, %u]", desc->threads,
                RT_POOL_MAX_THREADS);
        return RT_EINVAL;
    }
    rt__exec *x = exec_alloc_zero(w, sizeof *x);
    if (!x) return RT_ENOMEM;
    w->exec = x;
    pthread_mutex_init(&x->alloc_lock, NULL);
    int32_t rows = desc->chunk_rows > 0 ? desc->chunk_rows : EXEC_CHUNK_ROWS;
    x->chunk_rows = rows > INT32_MAX - 63 ? INT32_MAX - 63 : (rows + 63) & ~63;
    x->min_parallel_ns = desc->min_parallel_ns;
    x->untimed = desc->measure == RT_MEASURE_NONE;
    x->pend_cap = p->n_systems;
    x->threads = 1;

    int err = build_units(w, x, desc->system_major);
    if (err != RT_OK) return err;
    if (!EXEC_ALLOC(x->chunk_end, x->n_ends) || !EXEC_ALLOC(x->live, x->n_units) ||
        !EXEC_ALLOC(x->ready, x->max_stage_units) ||
        !EXEC_ALLOC(x->main_ready, x->max_stage_units) ||
        !EXEC_ALLOC(x->rate, p->n_systems) || !EXEC_ALLOC(x->rate_known, p->n_systems) ||
        !EXEC_ALLOC(x->tiny_rows, p->n_systems) || !EXEC_ALLOC(x->unit_stale, x->n_units) ||
        !EXEC_ALLOC(x->unit_rate, x->n_units) || !EXEC_ALLOC(x->unit_rows, x->n_units) ||
        !EXEC_ALLOC(x->always_rows, x->n_units) ||
        !EXEC_ALLOC(x->arch_rate, (size_t)x->n_stages * (size_t)p->n_archetypes) ||
        !EXEC_ALLOC(x->once_rate, x->n_stages) || !EXEC_ALLOC(x->acc_ns, p->n_systems) ||
        !EXEC_ALLOC(x->acc_rows, p->n_systems) || !EXEC_ALLOC(x->acc_list, p->n_systems) ||
        !EXEC_ALLOC(x->parallelism, x->n_stages) ||
        !EXEC_ALLOC(x->shape_frame, x->n_stages) || !EXEC_ALLOC(x->path, x->max_stage_units) ||
        !EXEC_ALLOC(x->throttled, x->n_units))
        return RT_ENOMEM;
    init_rates(p, x);

    if (desc->threads != 1) {
        rt_pool_result pr;
        rt_pool_desc pd = {.threads = (uint32_t)desc->threads,
                           .allocator = {pool_alloc, pool_free, w}};
        x->pool = rt_pool_create(&pd, &pr);
        if (!x->pool) {
            rt__log(w, RT_LOG_ERROR, "cannot start %d worker threads: %s",
                    desc->threads - 1, rt_pool_result_str(pr));
            return pr == RT_POOL_ENOMEM ? RT_ENOMEM : RT_EINVAL;
        }
        x->threads = (int32_t)rt_pool_threads(x->pool);
        cpu_set_t set;
        x->cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : x->threads;
        x->spin_ns = (uint64_t)rt_pool_spin_us(x->pool) * 1000u;
        if (x->threads == 1) { /* one CPU: no workers to talk to */
            rt_pool_destroy(x->pool);
            x->pool = NULL;
        }
    }
    if (!EXEC_ALLOC(x->thr, x->threads)) return RT_ENOMEM;
    for (int32_t t = 0; t < x->threads; t++) {
        /* The five arrays in one block of whole lines: no line is shared
         * with another thread's block. */
        size_t n = (size_t)p->n_systems + 1, nu = (size_t)x->max_stage_units + 1;
        size_t bytes = (n * (sizeof(uint64_t) + sizeof(int64_t) + sizeof(double) +
                             sizeof(int32_t)) +
                        nu * sizeof(int32_t) + EXEC_LINE - 1) & ~(size_t)(EXEC_LINE - 1);
        uint8_t *b = exec_alloc_zero(w, bytes);
        if (!b) return RT_ENOMEM;
        x->thr[t].ns = (uint64_t *)b;
        x->thr[t].rows = (int64_t *)(b + n * sizeof(uint64_t));
        x->thr[t].est = (double *)(b + n * (sizeof(uint64_t) + sizeof(int64_t)));
        x->thr[t].timed = (int32_t *)(b + n * (sizeof(uint64_t) + sizeof(int64_t) +
                                               sizeof(double)));
        x->thr[t].stack = x->thr[t].timed + n;
        x->thr[t].bytes = bytes;
        x->thr[t].index = t;
    }
    w->stats.threads = x->threads;
    return RT_OK;
}

void rt__exec_fini(rt_world *w) {
    rt__exec *x = w->exec;
    if (!x) return;
    const rt_program *p = w->program;
    rt_pool_destroy(x->pool);
    if (x->thr)
        for (int32_t t = 0; t < x->threads; t++) rt__free(w, x->thr[t].ns, x->thr[t].bytes);
    for (int32_t k = 0; k < x->cap_slots; k++) rt__cmd_fini(&x->slots[k].cmd);
    rt__free(w, x->slots, sizeof *x->slots * (size_t)x->cap_slots);
    EXEC_FREE(x->thr, x->threads);
    EXEC_FREE(x->throttled, x->n_units);
    EXEC_FREE(x->path, x->max_stage_units);
    EXEC_FREE(x->shape_frame, x->n_stages);
    EXEC_FREE(x->parallelism, x->n_stages);
    EXEC_FREE(x->acc_list, p->n_systems);
    EXEC_FREE(x->acc_rows, p->n_systems);
    EXEC_FREE(x->acc_ns, p->n_systems);
    EXEC_FREE(x->once_rate, x->n_stages);
    EXEC_FREE(x->arch_rate, (size_t)x->n_stages * (size_t)p->n_archetypes);
    EXEC_FREE(x->always_rows, x->n_units);
    EXEC_FREE(x->unit_rows, x->n_units);
    EXEC_FREE(x->unit_rate, x->n_units);
    EXEC_FREE(x->rate_known, p->n_systems);
    EXEC_FREE(x->unit_stale, x->n_units);
    EXEC_FREE(x->tiny_rows, p->n_systems);
    EXEC_FREE(x->rate, p->n_systems);
    EXEC_FREE(x->main_ready, x->max_stage_units);
    EXEC_FREE(x->ready, x->max_stage_units);
    EXEC_FREE(x->live, x->n_units);
    EXEC_FREE(x->chunk_end, x->n_ends);
    EXEC_FREE(x->succ, x->n_succ_total);
    EXEC_FREE(x->unit_fns, x->n_unit_fns);
    EXEC_FREE(x->unit_tables, x->n_unit_arch);
    EXEC_FREE(x->unit_of_system, p->n_systems);
    EXEC_FREE(x->stage_of_system, p->n_systems);
    EXEC_FREE(x->step_unit, p->n_steps);
    EXEC_FREE(x->step_system, p->n_steps);
    EXEC_FREE(x->stages, p->n_steps);
    EXEC_FREE(x->units, p->n_steps);
    pthread_mutex_destroy(&x->alloc_lock);
    rt__free(w, x, sizeof *x);
    w->exec = NULL;
}

/* --- running items ------------------------------------------------------------ */

/* Is this item timed? Big ones (and units never timed) always; small ones
 * on a rotating sample, spread over items, units and frames so that no frame
 * pays for all of them. */
static inline bool timed_item(const rt__exec *x, int32_t u, int32_t item, int64_t rows) {
    if (x->untimed) return false;
    return rows >= x->always_rows[u] ||
           (((uint64_t)item + (uint64_t)u + x->frame) & (EXEC_SAMPLE_EVERY - 1)) == 0;
}

static inline void add_time(exec_thread *th, int32_t s, uint64_t ns, int64_t rows) {
    if (th->rows[s] == 0) th->timed[th->n_timed++] = s;
    th->ns[s] += ns;
    th->rows[s] += rows;
}

/* Measured mode: system s ran on this thread from th->clock until now. One
 * clock read per run: its end is the next run's begin. */
static inline void mark(rt__exec *x, exec_thread *th, int32_t s) {
    uint64_t now = rt_monitor_now_ns();
    rt_monitor_record(x->mon, s, th->index, th->clock, now);
    th->clock = now;
}

/* Measured mode: a run estimated below EXEC_TINY_NS costs less than a few
 * clock reads, so on most frames it reads no clock. It joins the thread's
 * pending group, and the group's span (one read, when the next run that
 * reads the clock starts, or at the end of the stage or item) is shared among
 * its runs by their estimated costs. Each tiny system reads the clock around
 * its own run one frame in EXEC_TINY_SAMPLE, which keeps its cost estimate
 * (and so its share) measured; systems are sampled in blocks of
 * EXEC_TINY_BLOCK consecutive indices, so that the sampled runs of a chain
 * are mostly back to back and share their reads (the end of one is the begin
 * of the next). Every system is still recorded every frame; only the split of
 * a group's time is estimated. The caller checks that the group has room
 * (pend_cap runs). */
static inline bool tiny_run(const rt__exec *x, int32_t s, int64_t rows) {
    return rows < x->tiny_rows[s] && /* rate known, rate * rows < EXEC_TINY_NS */
           ((x->frame + (uint64_t)s / EXEC_TINY_BLOCK) & (EXEC_TINY_SAMPLE - 1)) != 0;
}

static inline void pend(const rt__exec *x, exec_thread *th, int32_t s, int64_t rows) {
    th->timed[th->n_timed] = s;
    th->est[th->n_timed++] = x->rate[s] * (double)rows + 1.0;
}

/* The group's runs end at `at` plus the span times their estimates so far
 * over all estimates (ends in th->ns, unused in measured mode), the last at
 * now; one call records them all. */
static void flush_group(rt__exec *x, exec_thread *th) {
    const int32_t n = th->n_timed;
    if (n == 0) return;
    uint64_t now = rt_monitor_now_ns(), at = th->clock;
    double est = 0, sum = 0;
    for (int32_t k = 0; k < n; k++) est += th->est[k];
    const double scale = (double)(now - at) / est;
    for (int32_t k = 0; k < n - 1; k++) {
        sum += th->est[k];
        th->ns[k] = at + (uint64_t)(sum * scale); /* sum < est: never past now */
    }
    th->ns[n - 1] = now;
    rt_monitor_record_many(x->mon, th->index, n, th->timed, at, th->ns);
    th->clock = now;
    th->n_timed = 0;
}

/* The part of rows [*begin, *end) of a table of `count` rows that system s
 * runs on this frame: false when it runs none (skipped, or outside its
 * slice). Only degradable systems are ever skipped or sliced. */
static bool budget_rows(const rt__exec *x, int32_t s, int32_t count, int32_t *begin,
                        int32_t *end) {
    rt_budget_decision d = x->dec[s];
    if (!d.run) return false;
    if (d.slice_count > 1) {
        int64_t lo, hi;
        rt_budget_slice_range(d, count, &lo, &hi);
        if (*begin < lo) *begin = (int32_t)lo;
        if (*end > hi) *end = (int32_t)hi;
    }
    return *begin < *end;
}

/* Rows [begin, end) of match m through every system of the unit, measured:
 * each system's run is recorded, and a throttled unit asks each system
 * which of the rows it runs this frame. Unthrottled, a chain is taken in
 * stretches: tiny runs join the group in one tight loop (a run's place in it
 * does not depend on what the run does, so it is taken first) and are then
 * called back to back, instead of the bookkeeping of each run being reloaded
 * around each call; runs that read the clock follow in a stretch of their
 * own, recorded in one call. */
static void run_chunk_measured(rt_world *w, rt__exec *x, int32_t u, int32_t m, int32_t begin,
                               int32_t end, rt_cmd *cmd, exec_thread *th) {
    const exec_unit *U = &x->units[u];
    rt_table *t = U->tables[m];
    const rt_system_fn *fn = &U->fns[m * U->n_systems];
    const int32_t *sys = U->systems, n = U->n_systems;
    if (x->throttled[u]) {
        for (int32_t k = 0; k < n; k++) {
            int32_t b = begin, e = end;
            if (!budget_rows(x, sys[k], t->count, &b, &e)) continue;
            bool tiny = th->n_timed < x->pend_cap && tiny_run(x, sys[k], e - b);
            if (!tiny) flush_group(x, th);
            fn[k](w, t, b, e, cmd);
            if (tiny) pend(x, th, sys[k], e - b);
            else mark(x, th, sys[k]);
        }
        return;
    }
    const int64_t rows = end - begin;
    for (int32_t k = 0; k < n;) {
        if (th->n_timed == x->pend_cap) flush_group(x, th);
        /* The tiny runs from k on join the group (pend, in locals: no call
         * in between), then run. */
        int32_t at = th->n_timed, j = k;
        const int32_t cap = x->pend_cap;
        int32_t *timed = th->timed;
        double *est = th->est;
        const double *rate = x->rate, r = (double)rows;
        while (j < n && at < cap && tiny_run(x, sys[j], rows)) {
            timed[at] = sys[j];
            est[at++] = rate[sys[j++]] * r + 1.0;
        }
        if (j > k) {
            th->n_timed = at;
            for (int32_t i = k; i < j; i++) fn[i](w, t, begin, end, cmd);
            k = j;
            continue;
        }
        /* A stretch of runs that read the clock: the end of each, read
         * after it, is the begin of the next; recorded in one call. */
        flush_group(x, th);
        do {
            fn[j](w, t, begin, end, cmd);
            th->ns[j - k] = rt_monitor_now_ns();
        } while (++j < n && !tiny_run(x, sys[j], rows));
        rt_monitor_record_many(x->mon, th->index, j - k, &sys[k], th->clock, th->ns);
        th->clock = th->ns[j - k - 1];
        k = j;
    }
}

/* Rows [begin, end) of match m, through every system of the unit. */
static void run_chunk(rt_world *w, rt__exec *x, int32_t u, int32_t m, int32_t item,
                      int32_t begin, int32_t end, rt_cmd *cmd, exec_thread *th) {
    const exec_unit *U = &x->units[u];
    rt_table *t = U->tables[m];
    const rt_system_fn *fn = &U->fns[m * U->n_systems];
    if (x->mon) {
        run_chunk_measured(w, x, u, m, begin, end, cmd, th);
        return;
    }
    if (!timed_item(x, u, item, end - begin)) {
        for (int32_t k = 0; k < U->n_systems; k++) fn[k](w, t, begin, end, cmd);
        return;
    }
    uint64_t t0 = rt_now_ns();
    for (int32_t k = 0; k < U->n_systems; k++) {
        fn[k](w, t, begin, end, cmd);
        uint64_t t1 = rt_now_ns();
        add_time(th, U->systems[k], t1 - t0, end - begin);
        t0 = t1;
    }
}

/* An async system over its archetypes, its rows taken in turn from the
 * entity its full queue refused first (jobs.c: row r0 of match m0): [r0,
 * end) of m0, the matches after it, those before it, then [0, r0) of m0
 * (within its rows this frame, when throttled). So every entity gets its
 * turn at a full queue, whichever archetype it is in. Returns whether any
 * rows ran. */
static bool run_async(rt_world *w, rt__exec *x, int32_t u, rt_cmd *cmd) {
    const exec_unit *U = &x->units[u];
    const int32_t s = U->systems[0], n = U->n_matches;
    int32_t m0, r0;
    bool ran = false;
    rt__jobs_resume(w, s, &m0, &r0);
    for (int32_t k = 0; k <= n; k++) {
        int32_t m = (m0 + k) % n;
        rt_table *t = U->tables[m];
        int32_t b = k == 0 ? r0 : 0, e = k == n ? r0 : t->count;
        int32_t lo = 0, hi = t->count;
        if (x->throttled[u] && !budget_rows(x, s, t->count, &lo, &hi)) continue;
        if (b < lo) b = lo;
        if (e > hi) e = hi;
        if (b >= e) continue;
        U->fns[m](w, t, b, e, cmd);
        ran = true;
    }
    return ran;
}

/* A whole system on this thread: once, or over every matched archetype
 * (of its rows this frame, when throttled); measured. */
static void run_whole_measured(rt_world *w, rt__exec *x, int32_t u, rt_cmd *cmd,
                               exec_thread *th) {
    const exec_unit *U = &x->units[u];
    const int32_t s = U->systems[0];
    flush_group(x, th);
    if (U->n_matches == 0) {
        if (x->throttled[u] && !x->dec[s].run) return;
        U->once(w, NULL, 0, 0, cmd);
    } else if (U->async) {
        if (!run_async(w, x, u, cmd)) return;
    } else {
        bool ran = false;
        for (int32_t m = 0; m < U->n_matches; m++) {
            rt_table *t = U->tables[m];
            int32_t b = 0, e = t->count;
            if (x->throttled[u] ? !budget_rows(x, s, t->count, &b, &e) : e == 0) continue;
            U->fns[m](w, t, b, e, cmd);
            ran = true;
        }
        if (!ran) return;
    }
    mark(x, th, s);
}

/* A whole system on this thread: once, or over every matched archetype. */
static void run_whole(rt_world *w, rt__exec *x, int32_t u, rt_cmd *cmd, exec_thread *th) {
    const exec_unit *U = &x->units[u];
    if (x->mon) {
        run_whole_measured(w, x, u, cmd, th);
        return;
    }
    bool timed = timed_item(x, u, 0, x->unit_rows[u]);
    uint64_t t0 = timed ? rt_now_ns() : 0;
    if (U->n_matches == 0) {
        U->once(w, NULL, 0, 0, cmd);
    } else if (U->async) {
        run_async(w, x, u, cmd);
    } else {
        for (int32_t m = 0; m < U->n_matches; m++) {
            rt_table *t = U->tables[m];
            if (t->count > 0) U->fns[m](w, t, 0, t->count, cmd);
        }
    }
    if (timed) add_time(th, U->systems[0], rt_now_ns() - t0, x->unit_rows[u]);
}

/* Rows of a unit this frame (1 call, for a once-system). */
static inline int64_t unit_rows(rt_world *w, rt__exec *x, int32_t u) {
    const exec_unit *U = &x->units[u];
    int64_t rows = U->n_matches ? 0 : 1;
    for (int32_t m = 0; m < U->n_matches; m++) rows += U->tables[m]->count;
    return x->unit_rows[u] = rows;
}

/* A stage on the calling thread, unit by unit in plan order: every command
 * goes to the world's own buffer, in the order the slots would have. The
 * common unit, one system over one archetype in one chunk, takes the short
 * way: with hundreds of small systems, this loop is the frame. */
static void run_inline(rt_world *w, rt__exec *x, const exec_stage *st) {
    exec_thread *th = &x->thr[0];
    const int32_t chunk = x->chunk_rows;
    if (x->mon) th->clock = x->clock_hint ? x->clock_hint : rt_monitor_now_ns();
    x->clock_hint = 0;
    for (int32_t u = st->first_unit; u < st->first_unit + st->n_units; u++) {
        const exec_unit *U = &x->units[u];
        if (U->single) {
            rt_table *t = U->tables[0];
            int32_t n = t->count;
            x->unit_rows[u] = n;
            if (n == 0) continue; /* matched no entity: not run, not recorded */
            /* One thread runs the whole table in one call: chunks are for
             * sharing rows between threads (and keeping a chain's rows in
             * cache), and a single system's rows give the same result
             * in one call as in chunks in turn. */
            if (!x->throttled[u]) {
                if (x->mon) {
                    int32_t sys = U->systems[0];
                    bool tiny = th->n_timed < x->pend_cap && tiny_run(x, sys, n);
                    if (!tiny) flush_group(x, th);
                    U->fns[0](w, t, 0, n, NULL);
                    if (tiny) pend(x, th, sys, n);
                    else mark(x, th, sys);
                    continue;
                }
                if (!timed_item(x, u, 0, n)) {
                    U->fns[0](w, t, 0, n, NULL);
                    continue;
                }
            }
        } else if (unit_rows(w, x, u) == 0) {
            continue;
        }
        if (x->mon) flush_group(x, th);
        rt_cmd *cmd = U->structural ? &w->cmd : NULL;
        if (cmd) cmd->system = U->systems[0];
        if (U->kind != UNIT_CHUNKED) {
            run_whole(w, x, u, cmd, th);
        } else {
            int32_t item = 0;
            for (int32_t m = 0; m < U->n_matches; m++) {
                int32_t n = U->tables[m]->count;
                for (int32_t b = 0; b < n; b += chunk, item++)
                    run_chunk(w, x, u, m, item, b, n - b < chunk ? n : b + chunk, cmd, th);
            }
        }
        if (cmd) cmd->system = -1;
    }
    if (x->mon) flush_group(x, th);
}

/* --- a stage on several threads -------------------------------------------------- */

/* Units whose predecessors have all finished, on `stack` (top entries):
 * each is handed out (appended to a ready list), or, when it has no rows,
 * finished at once, which may release more. Iterative: a chain of empty
 * units (W4's 200 systems over an empty archetype) is one loop, not a deep
 * recursion, and never a handoff between threads. Each unit is pushed once,
 * when its last predecessor finishes, so the stack holds at most the
 * stage's units. */
static void release_units(rt__exec *x, int32_t *stack, int32_t top) {
    while (top > 0) {
        int32_t u = stack[--top];
        const exec_unit *U = &x->units[u];
        if (!x->live[u].empty) {
            bool main = U->kind == UNIT_MAIN;
            _Atomic int32_t *list = main ? x->main_ready : x->ready;
            int32_t at = atomic_fetch_add_explicit(main ? &x->n_main : &x->n_ready, 1,
                                                   memory_order_relaxed);
            /* Release: the claimer that reads u here sees everything that
             * happened before u's release, i.e. every predecessor's writes. */
            atomic_store_explicit(&list[at], u, memory_order_release);
            continue;
        }
        for (int32_t k = U->n_succ - 1; k >= 0; k--) /* reversed: popped in order */
            if (atomic_fetch_sub_explicit(&x->live[U->succ[k]].preds, 1,
                                          memory_order_acq_rel) == 1)
                stack[top++] = U->succ[k];
        atomic_fetch_sub_explicit(&x->units_left, 1, memory_order_release);
    }
}

/* u's last item is done: release the successors it was the last wait of. */
static void complete_unit(rt__exec *x, int32_t u, int32_t *stack) {
    const exec_unit *U = &x->units[u];
    int32_t top = 0;
    for (int32_t k = U->n_succ - 1; k >= 0; k--)
        /* acq_rel: the last predecessor to finish sees what the others did. */
        if (atomic_fetch_sub_explicit(&x->live[U->succ[k]].preds, 1, memory_order_acq_rel) == 1)
            stack[top++] = U->succ[k];
    atomic_fetch_sub_explicit(&x->units_left, 1, memory_order_release);
    release_units(x, stack, top);
}

/* Claims a run of consecutive items of the first released unit in `list`
 * that has any left: *count items from *item. Runs are guided: a claim takes
 * a share of what is left (1/(2 * threads) of it, at least one), so a thread
 * first streams through a long contiguous stretch of the table, and the
 * stretches shrink toward the end so that threads finish together. (Dealing
 * single chunks in turn made each thread skip every other chunk, which cost
 * the stream prefetchers a restart per chunk: 5-10 % of W2 at 2 threads.)
 * Entries before *scan are used up, for this thread. */
static bool claim(rt__exec *x, _Atomic int32_t *list, _Atomic int32_t *n_list,
                  int32_t *scan, int32_t *unit, int32_t *item, int32_t *count) {
    int32_t end = atomic_load_explicit(n_list, memory_order_acquire);
    bool prefix = true;
    for (int32_t i = *scan; i < end; i++) {
        int32_t u = atomic_load_explicit(&list[i], memory_order_acquire);
        if (u < 0) { /* reserved, not yet written */
            prefix = false;
            continue;
        }
        exec_live *L = &x->live[u];
        int32_t k = atomic_load_explicit(&L->next, memory_order_relaxed);
        while (k < L->n_items) {
            int32_t take = (L->n_items - k) / (2 * x->region_threads);
            if (take < 1) take = 1;
            if (atomic_compare_exchange_weak_explicit(&L->next, &k, k + take,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed)) {
                *unit = u;
                *item = k;
                *count = take;
                return true;
            }
        }
        if (prefix) *scan = i + 1;
    }
    return false;
}

static void run_item(rt_world *w, rt__exec *x, int32_t u, int32_t item, exec_thread *th) {
    const exec_unit *U = &x->units[u];
    const exec_live *L = &x->live[u];
    if (U->kind != UNIT_CHUNKED) {
        run_whole(w, x, u, U->structural ? &x->slots[L->cmd_base].cmd : NULL, th);
        return;
    }
    const int32_t *ends = &x->chunk_end[U->ends];
    int32_t m = 0;
    while (item >= ends[m]) m++;
    int32_t n = U->tables[m]->count;
    int32_t b = (item - (m ? ends[m - 1] : 0)) * x->chunk_rows;
    run_chunk(w, x, u, m, item, b, n - b < x->chunk_rows ? n : b + x->chunk_rows,
              U->structural ? &x->slots[L->cmd_base + item].cmd : NULL, th);
}

/* The body of the region: every thread takes items until every unit of the
 * stage has finished. Thread 0 (the caller) looks at main-thread units
 * first; no other thread ever sees them. */
static void stage_worker(void *ctx, uint32_t thread) {
    rt__exec *x = ctx;
    rt_world *w = x->world;
    exec_thread *th = &x->thr[thread];
    int32_t scan = 0, main_scan = 0;
    uint32_t idle = 0;
    for (;;) {
        int32_t u, item, count;
        if ((thread == 0 && claim(x, x->main_ready, &x->n_main, &main_scan, &u, &item, &count)) ||
            claim(x, x->ready, &x->n_ready, &scan, &u, &item, &count)) {
            if (x->mon) th->clock = rt_monitor_now_ns(); /* waiting is nobody's time */
            for (int32_t k = item; k < item + count; k++) run_item(w, x, u, k, th);
            if (x->mon) flush_group(x, th);
            exec_live *L = &x->live[u];
            if (atomic_fetch_add_explicit(&L->done, count, memory_order_acq_rel) + count ==
                L->n_items)
                complete_unit(x, u, th->stack);
            idle = 0;
            continue;
        }
        if (atomic_load_explicit(&x->units_left, memory_order_acquire) == 0) return;
        /* Waiting for a predecessor: spin a little, then let a thread that
         * has work have the CPU (matters when threads outnumber cores). */
        if (++idle % EXEC_IDLE_SPINS == 0) sched_yield();
        else exec__pause();
    }
}

/* Items, command slots and released units of a stage, before its region. */
static int prepare_stage(rt_world *w, rt__exec *x, const exec_stage *st) {
    int32_t slots = 0;
    for (int32_t u = st->first_unit; u < st->first_unit + st->n_units; u++) {
        const exec_unit *U = &x->units[u];
        exec_live *L = &x->live[u];
        int64_t rows = unit_rows(w, x, u);
        int32_t items = 0;
        if (U->kind != UNIT_CHUNKED) {
            items = rows > 0;
        } else {
            for (int32_t m = 0; m < U->n_matches; m++) {
                int64_t n = U->tables[m]->count;
                items += (int32_t)((n + x->chunk_rows - 1) / x->chunk_rows);
                x->chunk_end[U->ends + m] = items;
            }
        }
        L->n_items = items;
        L->empty = items == 0; /* finished as soon as released */
        atomic_store_explicit(&L->next, 0, memory_order_relaxed);
        atomic_store_explicit(&L->done, 0, memory_order_relaxed);
        atomic_store_explicit(&L->preds, U->n_preds, memory_order_relaxed);
        L->cmd_base = slots;
        if (U->structural && !L->empty) slots += items;
    }
    if (slots > x->cap_slots) { /* grows to the largest stage, then stays */
        int32_t cap = x->cap_slots ? x->cap_slots : 16;
        while (cap < slots) cap *= 2;
        exec_slot *s = rt__alloc(w, sizeof *s * (size_t)cap, EXEC_LINE);
        if (!s) return RT_ENOMEM;
        if (x->cap_slots) memcpy(s, x->slots, sizeof *s * (size_t)x->cap_slots);
        for (int32_t k = x->cap_slots; k < cap; k++) rt__cmd_init(w, &s[k].cmd);
        rt__free(w, x->slots, sizeof *s * (size_t)x->cap_slots);
        x->slots = s;
        x->cap_slots = cap;
    }
    /* A slot's first buffer is allocated here, on the calling thread, not
     * on the worker that happens to record into it first: so once the
     * number of chunks is steady, recording allocates only when a chunk
     * records more than it ever did (docs/exec.md, "Memory"). */
    for (; x->ready_slots < slots; x->ready_slots++)
        if (rt__cmd_reserve(&x->slots[x->ready_slots].cmd, RT__CMD_MIN_BYTES) != RT_OK)
            return RT_ENOMEM;
    for (int32_t u = st->first_unit; u < st->first_unit + st->n_units; u++) {
        const exec_unit *U = &x->units[u];
        if (!U->structural || x->live[u].empty) continue;
        for (int32_t k = 0; k < x->live[u].n_items; k++)
            x->slots[x->live[u].cmd_base + k].cmd.system = U->systems[0];
    }
    x->n_slots = slots;
    for (int32_t i = 0; i < st->n_units; i++) {
        atomic_store_explicit(&x->ready[i], -1, memory_order_relaxed);
        atomic_store_explicit(&x->main_ready[i], -1, memory_order_relaxed);
    }
    atomic_store_explicit(&x->n_ready, 0, memory_order_relaxed);
    atomic_store_explicit(&x->n_main, 0, memory_order_relaxed);
    atomic_store_explicit(&x->units_left, st->n_units, memory_order_relaxed);
    x->world = w;
    int32_t *stack = x->thr[0].stack, top = 0;
    for (int32_t u = st->first_unit + st->n_units - 1; u >= st->first_unit; u--)
        if (x->units[u].n_preds == 0) stack[top++] = u; /* reversed: popped in order */
    release_units(x, stack, top);
    return RT_OK;
}

/* --- choosing threads, accounting, frames --------------------------------------- */

/* How many threads a stage can keep busy: its work divided by its critical
 * path, where a unit on the path costs one of its items (its work over its
 * chunks: chunks run side by side) plus a handoff when it waits for another
 * unit. A chain of dependent small systems has a parallelism near 1; one big
 * chunked system, about its number of chunks. Units are numbered in a
 * topological order, so one forward pass finds the longest path. */
static double stage_shape(rt_world *w, rt__exec *x, int32_t si) {
    const exec_stage *st = &x->stages[si];
    double work = 0, longest = 0;
    double *path = x->path - st->first_unit;
    for (int32_t u = st->first_unit; u < st->first_unit + st->n_units; u++) path[u] = 0;
    for (int32_t u = st->first_unit; u < st->first_unit + st->n_units; u++) {
        const exec_unit *U = &x->units[u];
        double rate = 0, items = 1;
        int64_t rows = U->n_matches ? 0 : 1;
        for (int32_t k = 0; k < U->n_systems; k++) rate += x->rate[U->systems[k]];
        for (int32_t m = 0; m < U->n_matches; m++) rows += U->tables[m]->count;
        if (U->kind == UNIT_CHUNKED) {
            items = 0;
            for (int32_t m = 0; m < U->n_matches; m++)
                items += (double)((U->tables[m]->count + x->chunk_rows - 1) /
                                  x->chunk_rows);
            if (items < 1) items = 1;
        }
        double unit_work = rate * (double)rows;
        work += unit_work;
        if (rows == 0) continue; /* finishes at once, waits for nothing */
        path[u] += unit_work / items + (U->n_preds ? EXEC_HANDOFF_NS : 0);
        if (path[u] > longest) longest = path[u];
        for (int32_t k = 0; k < U->n_succ; k++)
            if (path[U->succ[k]] < path[u]) path[U->succ[k]] = path[u];
    }
    return longest > 0 ? work / longest : 1;
}

/* Threads for a stage: as many as it can keep busy (stage_shape), and no
 * more than give each extra thread min_parallel_ns of estimated work (a
 * tenth of it while workers still spin from the last region). */
static int32_t stage_threads(rt_world *w, rt__exec *x, int32_t si) {
    if (!x->pool) return 1;
    if (x->min_parallel_ns < 0) return x->threads;
    const rt_program *p = w->program;
    const double *ar = &x->arch_rate[(size_t)si * (size_t)p->n_archetypes];
    double est = x->once_rate[si];
    for (int32_t a = 0; a < p->n_archetypes; a++) est += ar[a] * (double)w->tables[a].count;
    double base = x->min_parallel_ns ? x->min_parallel_ns : EXEC_WAKE_NS;
    double spin_base = base / EXEC_SPIN_DIVISOR;
    if (est < 2 * spin_base) return 1; /* cheap: no clock read, no shape */
    if (!x->shape_frame[si] || x->frame + 1 - x->shape_frame[si] >= EXEC_SHAPE_EVERY) {
        x->parallelism[si] = stage_shape(w, x, si);
        x->shape_frame[si] = x->frame + 1;
    }
    /* More threads than CPUs only take turns (asking for them is allowed:
     * tests force it with min_parallel_ns < 0). */
    double most = x->threads < x->cpus ? x->threads : x->cpus;
    if (x->parallelism[si] < most) most = x->parallelism[si];
    if (most < 2) return 1;
    uint64_t now = rt_now_ns();
    bool spinning = now + x->spin_ns / 4 < x->spin_until_ns;
    double n = est / (spinning ? spin_base : base);
    if (n < 2) {
        /* Worth it were the workers awake: wake them for the next stage. */
        rt_pool_wake(x->pool, 0);
        x->spin_until_ns = now + x->spin_ns;
        return 1;
    }
    return n >= most ? (int32_t)most : (int32_t)n;
}

/* A new sample of system s's cost per row (per call, for once-systems) for
 * the cost model: ns over `rows` rows, in stage si. The caller updates the
 * rate of s's unit (update_unit_rate) once it has sampled its systems. */
static void update_rate(rt_world *w, rt__exec *x, int32_t si, int32_t s, uint64_t ns,
                        int64_t rows) {
    const rt_program *p = w->program;
    double rate = (double)ns / (double)rows;
    double before = x->rate[s];
    /* A moving average that follows a rise at most 4x per sample: a thread
     * preempted in the middle of an item is not the system's cost (and must
     * not make a stage look worth more threads). */
    double sample = x->rate_known[s] && rate > 4 * before ? 4 * before : rate;
    double after = x->rate_known[s] ? before + (sample - before) * 0.25 : rate;
    x->rate[s] = after;
    x->rate_known[s] = 1;
    x->tiny_rows[s] = after * (double)INT32_MAX < EXEC_TINY_NS ? INT32_MAX
                      : (int64_t)ceil(EXEC_TINY_NS / after);
    const rt_system_desc *d = &p->systems[s];
    if (d->n_matches == 0) x->once_rate[si] += after - before;
    double *ar = &x->arch_rate[(size_t)si * (size_t)p->n_archetypes];
    for (int32_t m = 0; m < d->n_matches; m++) ar[d->matches[m].archetype] += after - before;
}

/* A system timed this frame (sampled mode): its measured time, scaled from
 * the sampled rows to all `amount` of them, and a new cost per row. */
static uint64_t measured(rt_world *w, rt__exec *x, int32_t si, int32_t u, int32_t s,
                         int64_t amount) {
    uint64_t ns = x->acc_ns[s];
    int64_t rows = x->acc_rows[s];
    x->acc_ns[s] = 0;
    x->acc_rows[s] = 0;
    update_rate(w, x, si, s, ns, rows);
    update_unit_rate(x, u);
    return rows >= amount ? ns : (uint64_t)((double)ns / (double)rows * (double)amount);
}

/* Folds the threads' timings into each system's stats and cost model. Every
 * system is first charged its rate times its rows (one pass, no branches on
 * timing: with hundreds of small systems this loop is a good part of the
 * frame), then the systems timed this frame get their measured time. */
static void account_stage(rt_world *w, rt__exec *x, int32_t si, int32_t threads) {
    const exec_stage *st = &x->stages[si];
    const int32_t *sys = &x->step_system[st->first_step];
    const int32_t *unit = &x->step_unit[st->first_step];
    rt_system_stats *stats = w->system_stats;
    for (int32_t i = 0; i < st->n_steps; i++) {
        int32_t s = sys[i];
        int64_t amount = x->unit_rows[unit[i]];
        uint64_t ns = amount ? (uint64_t)(x->rate[s] * (double)amount) : 0;
        stats[s].runs++;
        stats[s].last_ns = ns;
        stats[s].total_ns += ns;
    }
    int32_t n = 0;
    for (int32_t t = 0; t < threads; t++) {
        exec_thread *th = &x->thr[t];
        for (int32_t i = 0; i < th->n_timed; i++) {
            int32_t s = th->timed[i];
            if (x->acc_rows[s] == 0) x->acc_list[n++] = s;
            x->acc_ns[s] += th->ns[s];
            x->acc_rows[s] += th->rows[s];
            th->ns[s] = 0;
            th->rows[s] = 0;
        }
        th->n_timed = 0;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t s = x->acc_list[i], u = x->unit_of_system[s];
        rt_system_stats *ss = &stats[s];
        uint64_t ns = measured(w, x, si, u, s, x->unit_rows[u]);
        ss->total_ns += ns - ss->last_ns;
        ss->last_ns = ns;
        if (ns > ss->max_ns) ss->max_ns = ns;
        ss->timed++;
    }
}

/* The sync point after a stage: the world's buffer first (commands recorded
 * outside systems, and every command of a stage run inline), then the slots
 * in plan, archetype and chunk order. */
static int sync_stage(rt_world *w, rt__exec *x) {
    int err = RT_OK;
    if (w->cmd.size || w->cmd.lost) err = rt__cmd_apply(w, &w->cmd);
    for (int32_t k = 0; k < x->n_slots; k++) {
        rt_cmd *c = &x->slots[k].cmd;
        if (!c->size && !c->lost) continue;
        int e = rt__cmd_apply(w, c);
        if (err == RT_OK) err = e;
    }
    x->n_slots = 0;
    return err;
}

/* Measured mode: the monitor's row of the frame that just ended becomes each
 * system's stats (measured whenever it ran), and every
 * EXEC_SHAPE_EVERY-th frame of each unit (rotating, so that no frame pays for
 * all) a new sample of its systems' costs per row; a unit not yet measured
 * is sampled at once. A time-sliced system ran on 1/slice_count of its rows. */
void rt__exec_account_frame(rt_world *w, const uint64_t *system_ns) {
    rt__exec *x = w->exec;
    rt_system_stats *stats = w->system_stats;
    const uint64_t frame = x->frame - 1; /* rt__exec_frame counted it already */
    for (int32_t u = 0; u < x->n_units; u++) {
        const exec_unit *U = &x->units[u];
        const int64_t unit_rows = x->unit_rows[u];
        if (unit_rows == 0) {
            /* Ran nothing, so recorded nothing: only last_ns may need its
             * zero, and once it has it, the unit costs this test alone. */
            if (x->unit_stale[u])
                for (int32_t k = 0; k < U->n_systems; k++) stats[U->systems[k]].last_ns = 0;
            x->unit_stale[u] = 0;
            continue;
        }
        /* runs is every frame: rt_world_stats_get fills it in, so that the
         * systems that did not run cost no write here. */
        for (int32_t k = 0; k < U->n_systems; k++) {
            int32_t s = U->systems[k];
            rt_system_stats *ss = &stats[s];
            uint64_t ns = system_ns[s];
            if (ns == RT_MONITOR_NOT_RUN) {
                ss->last_ns = 0;
                continue;
            }
            ss->last_ns = ns;
            ss->total_ns += ns;
            if (ns > ss->max_ns) ss->max_ns = ns;
            ss->timed++;
        }
        x->unit_stale[u] = 1;
        if (x->unit_rate[u] != (double)INFINITY && ((uint64_t)u + frame) % EXEC_SHAPE_EVERY != 0)
            continue;
        int32_t si = x->stage_of_system[U->systems[0]];
        bool changed = false;
        for (int32_t k = 0; k < U->n_systems; k++) {
            int32_t s = U->systems[k];
            int64_t rows = unit_rows;
            if (x->dec && x->dec[s].slice_count > 1) rows /= x->dec[s].slice_count;
            if (system_ns[s] == RT_MONITOR_NOT_RUN || rows <= 0) continue;
            update_rate(w, x, si, s, system_ns[s], rows);
            changed = true;
        }
        if (changed) update_unit_rate(x, u);
    }
}

size_t rt__exec_cmd_bytes(const rt_world *w) {
    const rt__exec *x = w->exec;
    size_t bytes = sizeof *x->slots * (size_t)x->cap_slots;
    for (int32_t k = 0; k < x->cap_slots; k++) bytes += x->slots[k].cmd.capacity;
    return bytes;
}

/* Which units have a system the budget controller skips or slices this frame. */
static void mark_throttled(rt__exec *x) {
    for (int32_t u = 0; u < x->n_units; u++) {
        const exec_unit *U = &x->units[u];
        uint8_t t = 0;
        for (int32_t k = 0; k < U->n_systems; k++) {
            rt_budget_decision d = x->dec[U->systems[k]];
            t |= !d.run || d.slice_count > 1;
        }
        x->throttled[u] = t;
    }
}

int rt__exec_frame(rt_world *w, uint64_t now, uint64_t *end) {
    rt__exec *x = w->exec;
    int err = RT_OK;
    bool quiet = false; /* the last stage ran inline and applied nothing */
    x->mon = w->monitor;
    x->dec = w->decisions;
    if (x->dec) mark_throttled(x), now = 0;
    /* Without a pool nothing runs before the first stage (stage_threads
     * returns at once); with one, deciding may wake workers. */
    x->clock_hint = x->pool ? 0 : now;
    for (int32_t si = 0; si < x->n_stages; si++) {
        const exec_stage *st = &x->stages[si];
        int32_t threads = stage_threads(w, x, si);
        if (threads > 1 && prepare_stage(w, x, st) != RT_OK) {
            rt__log(w, RT_LOG_WARNING, "out of memory for command slots: stage runs "
                    "on one thread");
            threads = 1;
        }
        quiet = threads == 1;
        if (threads > 1) {
            x->clock_hint = 0;
            /* Offered, not run: thread 0 alone can finish the stage, so a
             * worker that has not woken up by then is called off instead of
             * waited for, and a parked pool costs no more than the wake. */
            x->region_threads = threads;
            rt_pool_result r = rt_pool_offer(x->pool, (uint32_t)threads, stage_worker, x, NULL);
            if (r != RT_POOL_OK) { /* a frame run from inside a frame: cannot happen */
                rt__log(w, RT_LOG_ERROR, "stage not started: %s", rt_pool_result_str(r));
                run_inline(w, x, st);
            }
            x->spin_until_ns = rt_now_ns() + x->spin_ns;
            w->stats.parallel_stages++;
        } else {
            run_inline(w, x, st);
        }
        if (!x->mon) account_stage(w, x, si, threads);
        w->stats.stages++;
        quiet = quiet && !w->cmd.size && !w->cmd.lost && x->n_slots == 0 && !w->jobs;
        int e = sync_stage(w, x);
        if (err == RT_OK) err = e;
        e = rt__jobs_sync(w, si); /* async results due now, after the commands */
        if (err == RT_OK) err = e;
    }
    if (x->n_stages == 0 && (w->cmd.size || w->cmd.lost)) err = rt__cmd_apply(w, &w->cmd);
    x->clock_hint = 0;
    *end = x->mon && quiet ? x->thr[0].clock : 0;
    x->frame++;
    return err;
}
