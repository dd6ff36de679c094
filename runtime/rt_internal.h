/* rt_internal.h -- what the files of runtime/ share and nobody else sees.
 * The public story is in rt.h; read that first. Internal functions carry the
 * rt__ prefix. */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#include "rt.h"

/* --- entity.c: the entity index ------------------------------------------ */

/* One slot per entity index. A live slot points at its row; a dead slot has
 * archetype -1 and `row` links the free list. */
typedef struct rt__slot {
    uint32_t gen;
    int32_t archetype;
    int32_t row;
} rt__slot;

typedef struct rt__entities {
    rt__slot *slots;
    uint32_t count, capacity; /* slots used (live or free) / allocated */
    int32_t free_head;        /* -1: none */
    int32_t live;
} rt__entities;

int rt__entities_init(rt_world *w, rt__entities *ents);
void rt__entities_fini(rt_world *w, rt__entities *ents);
/* A new handle pointing at (archetype, row); RT_ENTITY_NULL when out of memory. */
rt_entity rt__entities_alloc(rt_world *w, rt__entities *ents, int32_t archetype,
                             int32_t row);
void rt__entities_free(rt__entities *ents, uint32_t index);
int rt__entities_reserve(rt_world *w, rt__entities *ents, uint32_t n);

static inline rt__slot *rt__entities_lookup(const rt__entities *ents, rt_entity e) {
    if (e.index >= ents->count) return NULL;
    rt__slot *s = &ents->slots[e.index];
    return (s->gen == e.gen && s->archetype >= 0) ? s : NULL;
}

/* --- table.c: SoA storage ------------------------------------------------- */

int rt__table_init(rt_world *w, rt_table *t, const rt_archetype_desc *desc,
                   int32_t capacity);
void rt__table_fini(rt_world *w, rt_table *t);
int rt__table_reserve(rt_world *w, rt_table *t, int32_t rows);
/* Appends a row (init may be NULL: zeros). Returns the row or -RT_ENOMEM. */
int32_t rt__table_push(rt_world *w, rt_table *t, rt_entity e, const void *init);
/* Removes a row by moving the last row into it; returns the moved entity
 * (null when the removed row was the last). */
rt_entity rt__table_remove(rt_table *t, int32_t row);
size_t rt__table_bytes(const rt_table *t);

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
int rt__exec_frame(rt_world *w);
/* Allocation while a frame runs on several threads (command buffers growing
 * on workers): serialized, since neither the user's allocator nor the
 * world's stats are thread-safe. */
void *rt__exec_alloc(rt_world *w, size_t size, size_t align);
void rt__exec_free(rt_world *w, void *p, size_t size);

/* --- world.c ------------------------------------------------------------------ */

struct rt_world {
    const rt_program *program;
    rt_allocator allocator;
    rt_log_fn log;
    void *log_ud;
    rt__entities entities;
    rt_table *tables;          /* [n_archetypes] */
    void **resources;          /* [n_resources] */
    int8_t *tag_bit;           /* [n_archetypes * n_tags]: bit column or -1 */
    rt_cmd cmd;
    float dt;
    rt_world_stats stats;
    rt_system_stats *system_stats; /* [n_systems] */
    rt__exec *exec;            /* exec.c */
};

void *rt__alloc(rt_world *w, size_t size, size_t align);
void *rt__alloc_zero(rt_world *w, size_t size); /* 64-byte aligned */
void rt__free(rt_world *w, void *p, size_t size);

static inline int rt__tag_bit(const rt_world *w, int32_t archetype, int32_t tag) {
    return w->tag_bit[archetype * w->program->n_tags + tag];
}

/* --- log.c ------------------------------------------------------------------ */

void rt__log(rt_world *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* RT_INTERNAL_H */
