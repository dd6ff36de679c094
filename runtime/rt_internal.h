/* rt_internal.h -- what the files of runtime/ share and nobody else sees.
 * The public story is in rt.h; read that first. Internal functions carry the
 * rt__ prefix. */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#include "rt.h"

#include <assert.h>
#include <string.h>

/* For the hot paths: inline even where gcc would rather make a call. */
#define RT__HOT static inline __attribute__((always_inline))

/* --- entity.c: the entity index ------------------------------------------ */

/* rt__slot and rt__entities are in rt.h: the world head (rt__world_head)
 * holds the index, so that the per-entity tag calls are inline there. */
_Static_assert(sizeof(rt__slot) == 16, "an entity slot is a quarter cache line");

int rt__entities_init(rt_world *w, rt__entities *ents);
void rt__entities_fini(rt_world *w, rt__entities *ents);
/* Room for n slots in all: both arrays, all or nothing. */
int rt__entities_reserve(rt_world *w, rt__entities *ents, uint32_t n);

/* The index's hot paths are inline: rt_world_create_entity and
 * rt_world_destroy_entity (world.c) take, free and look up slots without a
 * call. */

/* Room for one more entity without allocating. */
static inline bool rt__entities_has_room(const rt__entities *ents) {
    return ents->n_free > 0 || ents->count < ents->capacity;
}

/* A new handle pointing at (archetype, row); the caller made room
 * (rt__entities_has_room, else rt__entities_reserve). */
RT__HOT rt_entity rt__entities_take(rt__entities *ents, int32_t archetype, int32_t row) {
    uint32_t index;
    rt__slot *s;
    if (ents->n_free > 0) {
        index = ents->free[--ents->n_free];
        s = &ents->slots[index];
    } else {
        assert(ents->count < ents->capacity);
        index = ents->count++;
        s = &ents->slots[index];
        s->gen = 1;
    }
    s->archetype = archetype;
    s->row = row;
    return (rt_entity){index, s->gen};
}

/* Frees a live slot: bumps its generation (skipping 0, so the null handle
 * stays null) and pushes it on the free stack. */
RT__HOT void rt__entities_free(rt__entities *ents, uint32_t index) {
    rt__slot *s = &ents->slots[index];
    s->gen = s->gen + 1 ? s->gen + 1 : 1;
    s->archetype = -1;
    s->row = -1;
    ents->free[ents->n_free++] = index;
}

RT__HOT rt__slot *rt__entities_lookup(const rt__entities *ents, rt_entity e) {
    if (e.index >= ents->count) return NULL;
    rt__slot *s = &ents->slots[e.index];
    return (s->gen == e.gen && s->archetype >= 0) ? s : NULL;
}

/* --- table.c: SoA storage ------------------------------------------------- */

/* One column in a row plan: where its element lives in a table and in the
 * archetype's _init struct. */
typedef struct rt__plan_col {
    void *base;            /* rt_table.columns[column], kept in step on growth */
    int32_t column;        /* index into rt_table.columns */
    uint32_t init_offset;  /* bytes, of the field inside the _init struct */
    uint32_t size;         /* bytes, of one element */
} rt__plan_col;

typedef struct rt__row_plan rt__row_plan;

/* Removes row `row` of t by moving the last row into it (entity, columns and
 * tags). Returns RT_OK, so that rt_world_destroy_entity can end in a
 * tail call to it. */
typedef int (*rt__remove_fn)(rt_table *t, const rt__row_plan *p, int32_t row);
/* Writes the columns of row `row` from `init` (an _init struct; NULL:
 * zeros). Returns e, the row's entity, so that a create can end by
 * returning what this returns. */
typedef rt_entity (*rt__write_fn)(const rt__row_plan *p, int32_t row, const void *init,
                                  rt_entity e);

/* How rows of one archetype are written and moved: its columns grouped by
 * element size (so the common sizes copy with one load and one store each)
 * with their base pointers, and a write and a remove function chosen for
 * the archetype's shape: straight-line code for the common shapes, a
 * general loop otherwise (table.c). Built once per archetype
 * (rt__table_init). */
struct rt__row_plan {
    int32_t n4, n8, n_any;  /* columns of 4 bytes, of 8 bytes, of other sizes */
    int32_t n_tags;         /* tag columns */
    rt__plan_col *cols;     /* [n4 + n8 + n_any], in that order */
    rt__remove_fn remove;
    rt__write_fn write;
};

int rt__table_init(rt_world *w, rt_table *t, rt__row_plan *plan,
                   const rt_archetype_desc *desc, int32_t capacity);
void rt__table_fini(rt_world *w, rt_table *t, rt__row_plan *plan);
/* Grows every column to hold `rows`, and points the plan at the new
 * columns. All or nothing. */
int rt__table_reserve(rt_world *w, rt_table *t, rt__row_plan *plan, int32_t rows);
size_t rt__table_bytes(const rt_table *t);

static inline uint32_t rt__load32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t rt__load64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Rows [64 * wi, 64 * wi + 64) of a tag column (a byte per row, 0 or 1) as
 * a 64-bit word, row r at bit r % 64: what filters and the world hash read.
 * Eight bytes become eight bits with one multiply: byte j, times the
 * constant, lands at bit 56 + j and nothing carries (each byte is 0 or 1). */
static inline uint64_t rt__tag_word(const uint8_t *col, size_t wi) {
    const uint8_t *p = col + wi * 64;
    uint64_t w = 0;
    for (int q = 0; q < 8; q++)
        w |= ((rt__load64(p + 8 * q) * 0x0102040810204080ull) >> 56) << (8 * q);
    return w;
}

/* Appends a row for entity e holding `init` (an archetype _init struct;
 * NULL: zeros). The caller made room: count < capacity. Tags of rows
 * >= count are kept zero, so the new row has no tags. The columns are
 * written by the plan's function, like rt__table_remove. Returns e. */
RT__HOT rt_entity rt__table_push(rt_table *t, const rt__row_plan *p, rt_entity e,
                                 const void *init) {
    const int32_t row = t->count++;
    t->entities[row] = e;
    return p->write(p, row, init, e);
}

/* Removes a row by moving the last row into it, through the plan's
 * function: a small leaf out of line costs less than inlining it, which
 * leaves the caller short of registers. Returns RT_OK. */
RT__HOT int rt__table_remove(rt_table *t, const rt__row_plan *p, int32_t row) {
    return p->remove(t, p, row);
}

/* --- cmd.c: command buffers ------------------------------------------------ */

struct rt_cmd {
    rt_world *world;
    uint8_t *data;
    size_t size, capacity;     /* bytes */
    uint32_t n_commands;
    int32_t system;            /* recorder, for messages; -1 outside systems */
    uint32_t lost;             /* commands that could not be recorded */
    int32_t lost_system;       /* recorder of the first lost command */
    int error;                 /* first error met while recording */
};

enum { RT__CMD_MIN_BYTES = 4096 }; /* a buffer's first allocation */

void rt__cmd_init(rt_world *w, rt_cmd *c);
void rt__cmd_fini(rt_cmd *c);
/* Makes room for `bytes` bytes of records now, so recording allocates only
 * past them; RT_OK or RT_ENOMEM. */
int rt__cmd_reserve(rt_cmd *c, size_t bytes);
/* Applies and clears; returns RT_OK or the first error. */
int rt__cmd_apply(rt_world *w, rt_cmd *c);

/* --- exec.c ------------------------------------------------------------------ */

typedef struct rt__exec rt__exec; /* the plan as units and stages, the pool */

/* Builds the executor of w->program (units, chains, stages, per-thread
 * scratch) and starts its worker threads; RT_OK, RT_ENOMEM or RT_EINVAL
 * (threads could not start or too many were asked for; logged). */
int rt__exec_init(rt_world *w, const rt_world_desc *desc);
void rt__exec_fini(rt_world *w);
/* One frame of the plan. `now` is a clock reading (rt_now_ns) after which
 * nothing has run, or 0: in measured mode the first stage's clock starts
 * there instead of at a read of its own. *end receives a reading after which
 * nothing ran (the last stage ran on this thread and applied nothing), or 0:
 * the world's frame can end on it. Two clock reads a frame fewer, which is
 * what a one-system frame of a few µs notices (W1 at 10k). */
int rt__exec_frame(rt_world *w, uint64_t now, uint64_t *end);
/* Allocation while a frame runs on several threads (command buffers growing
 * on workers): serialized, since neither the user's allocator nor the
 * world's stats are thread-safe. */
void *rt__exec_alloc(rt_world *w, size_t size, size_t align);
void rt__exec_free(rt_world *w, void *p, size_t size);
/* Folds the frame the monitor just ended into the systems' stats and the
 * cost model (measured mode). */
void rt__exec_account_frame(rt_world *w, const uint64_t *system_ns);
/* Bytes of the executor's command slots (buffers included). */
size_t rt__exec_cmd_bytes(const rt_world *w);

/* --- jobs.c ------------------------------------------------------------------ */

/* Builds the job system of w's program when it has async systems (after
 * rt__exec_init: job threads default to the executor's workers); RT_OK,
 * RT_ENOMEM, RT_EINVAL (an async system without a job) or RT_ELIMIT (job
 * threads could not start); logged. */
int rt__jobs_init(rt_world *w, const rt_world_desc *desc);
void rt__jobs_fini(rt_world *w);
/* At the top of a frame: submissions from now on belong to it. */
void rt__jobs_frame_begin(rt_world *w);
/* At the sync point after stage `stage`, once its commands are applied:
 * resolves the jobs of that stage's async systems that are due this frame.
 * Returns RT_OK or the first error (logged). */
int rt__jobs_sync(rt_world *w, int32_t stage);
/* Where async system `system` starts this frame: row *row of its match
 * *match, the entity its full queue refused first (0, 0 when none). */
void rt__jobs_resume(const rt_world *w, int32_t system, int32_t *match, int32_t *row);
/* Bytes the job system holds (queue, records, threads' list): fixed at
 * creation, 0 without async systems. */
uint64_t rt__jobs_bytes(const rt_world *w);

/* --- world.c ------------------------------------------------------------------ */

struct rt_world {
    rt__world_head head;       /* first: rt.h reads it (dt, quality, the entity
                                  index, the tag columns) inline */
    const rt_program *program;
    rt_allocator allocator;
    rt_log_fn log;
    void *log_ud;
    int32_t n_archetypes;      /* the program's, kept here for the hot paths */
    rt_table *tables;          /* [n_archetypes] */
    rt__row_plan *plans;       /* [n_archetypes]: how rows are copied */
    void **resources;          /* [n_resources] */
    rt_cmd cmd;
    rt_world_stats stats;
    rt_system_stats *system_stats; /* [n_systems] */
    rt__exec *exec;            /* exec.c */
    /* Measurement and budgets (monitor.h, budget.h, docs/budgets.md). */
    rt_monitor *monitor;       /* NULL with RT_MEASURE_SAMPLED */
    rt_budget *budget;         /* NULL: no budgets */
    const rt_budget_decision *decisions; /* this frame's, [n_systems]; NULL
                                            without a budget controller */
    float *system_dt;          /* [n_systems]: dt of each system's run */
    float system_dt_of;        /* the dt system_dt holds without a controller */
    uint64_t pace_deadline;    /* rt_world_pace without a controller, ns */
    int32_t memory_id;         /* monitor memory id of "storage/<archetype 0>";
                                  the other archetypes, then "entities",
                                  "commands", "resources", "executor",
                                  "monitor", "budget" follow */
    rt_jobs *jobs;             /* jobs.c; NULL without async systems */
};

void *rt__alloc(rt_world *w, size_t size, size_t align);
void *rt__alloc_zero(rt_world *w, size_t size); /* 64-byte aligned */
void rt__free(rt_world *w, void *p, size_t size);
/* The world's allocator for parts that free without a size (the pool, the
 * monitor, the budget controller): a 64-byte header keeps it. `user` is the
 * world; blocks are 64-byte aligned. */
void *rt__block_alloc(void *user, size_t size, size_t align);
void rt__block_free(void *user, void *ptr);

static inline uint8_t *const *rt__tag_col(const rt_world *w, int32_t archetype,
                                          int32_t tag) {
    return w->head.tag_col[archetype * w->head.n_tags + tag];
}

/* --- log.c ------------------------------------------------------------------ */

void rt__log(rt_world *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* RT_INTERNAL_H */
