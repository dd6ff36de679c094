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

/* Runs STMT(k) for every k in [0, n): straight-line code without loop
 * overhead for n <= 8 (a jump into a run of statements, Duff's device),
 * a loop beyond. For the per-column work of creating and destroying. */
#define RT__FALL __attribute__((fallthrough))
#define RT__EACH8(n, STMT)                                                  \
    do {                                                                    \
        switch (n) {                                                        \
        default:                                                            \
            for (int32_t k_ = 0; k_ < (n); k_++) STMT(k_);                  \
            break;                                                          \
        case 8: STMT(7); RT__FALL;                                          \
        case 7: STMT(6); RT__FALL;                                          \
        case 6: STMT(5); RT__FALL;                                          \
        case 5: STMT(4); RT__FALL;                                          \
        case 4: STMT(3); RT__FALL;                                          \
        case 3: STMT(2); RT__FALL;                                          \
        case 2: STMT(1); RT__FALL;                                          \
        case 1: STMT(0); RT__FALL;                                          \
        case 0: break;                                                      \
        }                                                                   \
    } while (0)

/* --- entity.c: the entity index ------------------------------------------ */

/* One slot per entity index: 16 bytes, and the array is 64-byte aligned, so
 * a lookup touches exactly one cache line. A live slot points at its row; a
 * dead slot has archetype -1. */
typedef struct rt__slot {
    uint32_t gen;
    int32_t archetype;
    int32_t row;
    uint32_t unused;          /* pads the slot to 16 bytes */
} rt__slot;
_Static_assert(sizeof(rt__slot) == 16, "an entity slot is a quarter cache line");

/* Dead slots wait on a stack of indices (LIFO reuse). A stack rather than a
 * list threaded through the slots: taking a slot then needs no load from
 * the previous one, so back-to-back creates do not wait on each other. */
typedef struct rt__entities {
    rt__slot *slots;          /* [capacity] */
    uint32_t *free;           /* [capacity]: indices of dead slots */
    uint32_t count, capacity; /* slots used (live or dead) / allocated */
    uint32_t n_free;          /* entries of `free`; live entities: count - n_free */
} rt__entities;

int rt__entities_init(rt_world *w, rt__entities *ents);
void rt__entities_fini(rt_world *w, rt__entities *ents);
/* Room for n slots in all: both arrays, all or nothing. */
int rt__entities_reserve(rt_world *w, rt__entities *ents, uint32_t n);

/* The hot paths are inline: creating, destroying and looking up an entity
 * is one function each in world.c, without calls. */

/* Room for one more entity without allocating. */
static inline bool rt__entities_has_room(const rt__entities *ents) {
    return ents->n_free > 0 || ents->count < ents->capacity;
}

/* A new handle pointing at (archetype, row); the caller made room
 * (rt__entities_has_room, else rt__entities_reserve). */
RT__HOT rt_entity rt__entities_take(rt__entities *ents, int32_t archetype,
                                          int32_t row) {
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

/* How rows of one archetype are written and moved: its columns grouped by
 * element size, so that the common sizes copy with one load and one store,
 * without a call or a switch. Built once per archetype (rt__table_init). */
typedef struct rt__row_plan {
    int32_t n4, n8, n_any;  /* columns of 4 bytes, of 8 bytes, of other sizes */
    int32_t n_tags;         /* tag bit columns */
    rt__plan_col *cols;     /* [n4 + n8 + n_any], in that order */
} rt__row_plan;

int rt__table_init(rt_world *w, rt_table *t, rt__row_plan *plan,
                   const rt_archetype_desc *desc, int32_t capacity);
void rt__table_fini(rt_world *w, rt_table *t, rt__row_plan *plan);
/* Grows every column to hold `rows`, and points the plan at the new
 * columns. All or nothing. */
int rt__table_reserve(rt_world *w, rt_table *t, rt__row_plan *plan, int32_t rows);
size_t rt__table_bytes(const rt_table *t);

static inline uint32_t rt__load32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t rt__load64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Writes row `row` from `init` (NULL: zeros) when some column is neither 4
 * nor 8 bytes, or init is NULL: the general case, out of line. */
void rt__table_write_row(rt_table *t, const rt__row_plan *p, int32_t row, const void *init);

/* Appends a row holding `init` (an archetype _init struct; NULL: zeros).
 * The caller made room: count < capacity. Tag bits of rows >= count are
 * kept zero, so the new row has no tags. Returns the row. */
RT__HOT int32_t rt__table_push(rt_table *t, const rt__row_plan *p, rt_entity e,
                               const void *init) {
    assert(t->count < t->capacity);
    const int32_t row = t->count++;
    t->entities[row] = e;
    if (__builtin_expect(!init || p->n_any > 0, 0)) {
        rt__table_write_row(t, p, row, init);
        return row;
    }
    const char *in = init;
    const int32_t n4 = p->n4, n8 = p->n8;
    const rt__plan_col *c4 = p->cols, *c8 = p->cols + n4;
#define RT__PUSH4(k) ((uint32_t *)c4[k].base)[row] = rt__load32(in + c4[k].init_offset)
#define RT__PUSH8(k) ((uint64_t *)c8[k].base)[row] = rt__load64(in + c8[k].init_offset)
    RT__EACH8(n4, RT__PUSH4);
    RT__EACH8(n8, RT__PUSH8);
#undef RT__PUSH4
#undef RT__PUSH8
    return row;
}

/* Moves the elements of row `last` into row `row` when some column is
 * neither 4 nor 8 bytes: the general case, out of line. */
void rt__table_move_row(rt_table *t, const rt__row_plan *p, int32_t row, int32_t last);

/* Removes a row by moving the last row into it; returns the entity now at
 * `row` (the removed one itself when it was the last row: moving the last
 * row onto itself is harmless, and cheaper than a branch). */
RT__HOT rt_entity rt__table_remove(rt_table *t, const rt__row_plan *p, int32_t row) {
    const int32_t last = --t->count;
    uint64_t *const *bits = t->tag_bits;
    rt_entity *ents = t->entities;
    const int32_t n_tags = p->n_tags;
    if (__builtin_expect(p->n_any > 0, 0)) {
        rt__table_move_row(t, p, row, last);
    } else {
        const int32_t n4 = p->n4, n8 = p->n8;
        const rt__plan_col *c4 = p->cols, *c8 = p->cols + n4;
#define RT__MOVE4(k) ((uint32_t *)c4[k].base)[row] = ((uint32_t *)c4[k].base)[last]
#define RT__MOVE8(k) ((uint64_t *)c8[k].base)[row] = ((uint64_t *)c8[k].base)[last]
        RT__EACH8(n4, RT__MOVE4);
        RT__EACH8(n8, RT__MOVE8);
#undef RT__MOVE4
#undef RT__MOVE8
    }
    /* Each tag bit moves from `last` to `row`, then `last` is cleared: rows
     * >= count keep no tags. Words are written only when a bit changes, so
     * destroying untagged entities stores nothing here (and back-to-back
     * destroys do not wait on each other's stores to the same word). */
    const uint32_t rw = (uint32_t)row >> 6, lw = (uint32_t)last >> 6;
    const uint64_t row_mask = 1ull << (row & 63), last_mask = 1ull << (last & 63);
    for (int32_t i = 0; i < n_tags; i++) {
        uint64_t *b = bits[i];
        const bool at_last = (b[lw] & last_mask) != 0, at_row = (b[rw] & row_mask) != 0;
        if (at_last != at_row) b[rw] ^= row_mask;
        if (at_last) b[lw] &= ~last_mask;
    }
    return ents[row] = ents[last];
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

void rt__cmd_init(rt_world *w, rt_cmd *c);
void rt__cmd_fini(rt_cmd *c);
/* Applies and clears; returns RT_OK or the first error. */
int rt__cmd_apply(rt_world *w, rt_cmd *c);

/* --- exec.c ------------------------------------------------------------------ */

int rt__exec_frame(rt_world *w);

/* --- world.c ------------------------------------------------------------------ */

struct rt_world {
    const rt_program *program;
    rt_allocator allocator;
    rt_log_fn log;
    void *log_ud;
    int32_t n_archetypes, n_tags; /* the program's, kept here for the hot paths */
    rt__entities entities;
    rt_table *tables;          /* [n_archetypes] */
    rt__row_plan *plans;       /* [n_archetypes]: how rows are copied */
    void **resources;          /* [n_resources] */
    /* [n_archetypes * n_tags]: where the archetype's table keeps the bit
     * column of the tag (&tables[a].tag_bits[k], stable for the world's
     * life), NULL when the archetype has no such tag. One load from a
     * (archetype, tag) to the bits: switching a tag is one bit write. */
    uint64_t *const **tag_col;
    rt_cmd cmd;
    float dt;
    rt_world_stats stats;
    rt_system_stats *system_stats; /* [n_systems] */
};

void *rt__alloc(rt_world *w, size_t size, size_t align);
void *rt__alloc_zero(rt_world *w, size_t size); /* 64-byte aligned */
void rt__free(rt_world *w, void *p, size_t size);

static inline uint64_t *const *rt__tag_col(const rt_world *w, int32_t archetype, int32_t tag) {
    return w->tag_col[archetype * w->n_tags + tag];
}

/* --- log.c ------------------------------------------------------------------ */

void rt__log(rt_world *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* RT_INTERNAL_H */
