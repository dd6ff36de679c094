/* table.c -- struct-of-arrays storage for one archetype.
 *
 * Every field of every component is a column: Position{x,y} is two float
 * arrays. Rows [0, count) are live and dense; removing a row moves the last
 * row into it. Columns are 64-byte aligned and their capacity is a multiple
 * of 64 rows, so a column is a whole number of cache lines. A tag is a
 * column too, a byte per row (1: on): switching a tag is a byte store that
 * never waits on a neighbour's, and a filter reads 64 rows as one word
 * (rt__tag_word). Growth doubles capacity and
 * copies: no allocation per entity, and none at all while capacity lasts.
 *
 * Writing and removing rows go through a row plan built here for each
 * archetype (see rt__row_plan in rt_internal.h): the columns grouped by
 * element size with their base pointers, and a write and a remove function
 * chosen for the archetype's shape. For the shapes most archetypes have (up
 * to 8 columns of 4 bytes, up to 2 tags) those are straight-line code.
 *
 * Tags are bit columns: switching a tag is a bit write, the entity stays put.
 * rt_table_next_run turns a tag filter into runs of consecutive rows, so a
 * system body always sees whole arrays of matching entities. */
#include "rt_internal.h"

#include <string.h>

static size_t tag_bytes(int32_t capacity) { return (size_t)capacity; }

static rt__remove_fn remove_for(const rt__row_plan *p);
static rt__write_fn write_for(const rt__row_plan *p);

/* Groups the columns by element size: 4 bytes, 8 bytes, the rest; picks
 * the row functions. Bases are set by rt__table_reserve. */
static int plan_init(rt_world *w, rt__row_plan *plan, const rt_archetype_desc *d) {
    memset(plan, 0, sizeof *plan);
    plan->n_tags = d->n_tags;
    plan->cols = rt__alloc(w, sizeof(rt__plan_col) * (size_t)(d->n_columns + 1), 64);
    if (!plan->cols) return RT_ENOMEM;
    int32_t n = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int32_t i = 0; i < d->n_columns; i++) {
            uint32_t size = d->columns[i].size;
            int kind = size == 4 ? 0 : size == 8 ? 1 : 2;
            if (kind != pass) continue;
            plan->cols[n++] = (rt__plan_col){NULL, i, d->columns[i].init_offset, size};
            if (kind == 0) plan->n4++;
            else if (kind == 1) plan->n8++;
            else plan->n_any++;
        }
    plan->remove = remove_for(plan);
    plan->write = write_for(plan);
    return RT_OK;
}

int rt__table_init(rt_world *w, rt_table *t, rt__row_plan *plan,
                   const rt_archetype_desc *desc, int32_t capacity) {
    memset(t, 0, sizeof *t);
    t->desc = desc;
    t->columns = rt__alloc_zero(w, sizeof(void *) * (size_t)(desc->n_columns + 1));
    t->tags = rt__alloc_zero(w, sizeof(uint8_t *) * (size_t)(desc->n_tags + 1));
    if (!t->columns || !t->tags) return RT_ENOMEM;
    if (plan_init(w, plan, desc) != RT_OK) return RT_ENOMEM;
    return capacity > 0 ? rt__table_reserve(w, t, plan, capacity) : RT_OK;
}

void rt__table_fini(rt_world *w, rt_table *t, rt__row_plan *plan) {
    const rt_archetype_desc *d = t->desc;
    if (t->columns) {
        for (int32_t i = 0; i < d->n_columns; i++)
            rt__free(w, t->columns[i], (size_t)t->capacity * d->columns[i].size);
        rt__free(w, t->columns, sizeof(void *) * (size_t)(d->n_columns + 1));
    }
    if (t->tags) {
        for (int32_t i = 0; i < d->n_tags; i++)
            rt__free(w, t->tags[i], tag_bytes(t->capacity));
        rt__free(w, t->tags, sizeof(uint8_t *) * (size_t)(d->n_tags + 1));
    }
    rt__free(w, t->entities, (size_t)t->capacity * sizeof(rt_entity));
    memset(t, 0, sizeof *t);
    rt__free(w, plan->cols, sizeof(rt__plan_col) * (size_t)(d->n_columns + 1));
    memset(plan, 0, sizeof *plan);
}

size_t rt__table_bytes(const rt_table *t) {
    size_t row = sizeof(rt_entity);
    for (int32_t i = 0; i < t->desc->n_columns; i++) row += t->desc->columns[i].size;
    return row * (size_t)t->capacity + tag_bytes(t->capacity) * (size_t)t->desc->n_tags;
}

/* Grows every column to hold `rows` and points the plan at the new columns.
 * All or nothing: on failure the table is as it was. */
int rt__table_reserve(rt_world *w, rt_table *t, rt__row_plan *plan, int32_t rows) {
    if (rows <= t->capacity) return RT_OK;
    const rt_archetype_desc *d = t->desc;
    int64_t cap = t->capacity ? t->capacity : 64;
    while (cap < rows) cap *= 2;
    cap = (cap + 63) & ~(int64_t)63;
    if (cap > INT32_MAX - 63) return RT_ELIMIT;
    int32_t n = d->n_columns, nt = d->n_tags;
    void *cols[n + 1];
    uint8_t *bits[nt + 1];
    rt_entity *ents = rt__alloc(w, (size_t)cap * sizeof(rt_entity), 64);
    int32_t ok_cols = 0, ok_bits = 0;
    if (!ents) goto fail;
    for (; ok_cols < n; ok_cols++) {
        cols[ok_cols] = rt__alloc(w, (size_t)cap * d->columns[ok_cols].size, 64);
        if (!cols[ok_cols]) goto fail;
    }
    for (; ok_bits < nt; ok_bits++) {
        bits[ok_bits] = rt__alloc(w, tag_bytes((int32_t)cap), 64);
        if (!bits[ok_bits]) goto fail;
    }
    size_t live = (size_t)t->count;
    for (int32_t i = 0; i < n; i++) {
        if (live) memcpy(cols[i], t->columns[i], live * d->columns[i].size);
        rt__free(w, t->columns[i], (size_t)t->capacity * d->columns[i].size);
        t->columns[i] = cols[i];
    }
    for (int32_t i = 0; i < nt; i++) {
        memset(bits[i], 0, tag_bytes((int32_t)cap));
        if (t->capacity) memcpy(bits[i], t->tags[i], tag_bytes(t->capacity));
        rt__free(w, t->tags[i], tag_bytes(t->capacity));
        t->tags[i] = bits[i];
    }
    if (live) memcpy(ents, t->entities, live * sizeof(rt_entity));
    rt__free(w, t->entities, (size_t)t->capacity * sizeof(rt_entity));
    t->entities = ents;
    t->capacity = (int32_t)cap;
    for (int32_t i = 0, n_plan = plan->n4 + plan->n8 + plan->n_any; i < n_plan; i++)
        plan->cols[i].base = t->columns[plan->cols[i].column];
    return RT_OK;
fail:
    for (int32_t i = 0; i < ok_cols; i++) rt__free(w, cols[i], (size_t)cap * d->columns[i].size);
    for (int32_t i = 0; i < ok_bits; i++) rt__free(w, bits[i], tag_bytes((int32_t)cap));
    rt__free(w, ents, (size_t)cap * sizeof(rt_entity));
    return RT_ENOMEM;
}

/* --- writing rows ----------------------------------------------------------- */

/* Any shape, and zeros (init NULL). */
static rt_entity write_any(const rt__row_plan *p, int32_t row, const void *init, rt_entity e) {
    const rt__plan_col *c = p->cols;
    for (int32_t i = 0, n = p->n4 + p->n8 + p->n_any; i < n; i++, c++) {
        char *dst = (char *)c->base + (size_t)row * c->size;
        if (init) memcpy(dst, (const char *)init + c->init_offset, c->size);
        else memset(dst, 0, c->size);
    }
    return e;
}

/* n4 columns of 4 bytes and nothing else: straight-line in each instance. */
RT__HOT rt_entity write_shape(const rt__row_plan *p, int32_t row, const void *init,
                              rt_entity e, int32_t n4) {
    if (__builtin_expect(!init, 0)) return write_any(p, row, init, e);
    const rt__plan_col *c = p->cols;
#pragma GCC unroll 8
    for (int32_t i = 0; i < n4; i++)
        ((uint32_t *)c[i].base)[row] = rt__load32((const char *)init + c[i].init_offset);
    return e;
}

#define WRITE_SHAPE(K)                                                             \
    static rt_entity write_##K(const rt__row_plan *p, int32_t row, const void *init, \
                               rt_entity e) {                                      \
        return write_shape(p, row, init, e, K);                                    \
    }
WRITE_SHAPE(1) WRITE_SHAPE(2) WRITE_SHAPE(3) WRITE_SHAPE(4)
WRITE_SHAPE(5) WRITE_SHAPE(6) WRITE_SHAPE(7) WRITE_SHAPE(8)

static rt__write_fn write_for(const rt__row_plan *p) {
    static const rt__write_fn shapes[8] = {write_1, write_2, write_3, write_4,
                                           write_5, write_6, write_7, write_8};
    if (p->n8 == 0 && p->n_any == 0 && p->n4 >= 1 && p->n4 <= 8) return shapes[p->n4 - 1];
    return write_any;
}

/* --- removing rows ---------------------------------------------------------
 *
 * Moving the last row onto itself (row == last) is harmless, and cheaper
 * than a branch. Each tag moves from `last` to `row`, then `last` is
 * cleared, so rows >= count keep no tags. Bytes are written only when they
 * change: destroying untagged entities stores nothing there. */

RT__HOT void move_tags(rt_table *t, int32_t n_tags, int32_t row, int32_t last) {
    for (int32_t i = 0; i < n_tags; i++) {
        uint8_t *b = t->tags[i];
        const uint8_t at_last = b[last];
        if (at_last != b[row]) b[row] = at_last;
        if (at_last) b[last] = 0;
    }
}

/* Any shape. */
static int remove_any(rt_table *t, const rt__row_plan *p, int32_t row) {
    const int32_t last = --t->count;
    const rt__plan_col *c = p->cols;
    for (int32_t i = 0; i < p->n4; i++, c++) {
        uint32_t *a = c->base;
        a[row] = a[last];
    }
    for (int32_t i = 0; i < p->n8; i++, c++) {
        uint64_t *a = c->base;
        a[row] = a[last];
    }
    for (int32_t i = 0; i < p->n_any; i++, c++) {
        char *a = c->base;
        memmove(a + (size_t)row * c->size, a + (size_t)last * c->size, c->size);
    }
    move_tags(t, p->n_tags, row, last);
    t->entities[row] = t->entities[last];
    return RT_OK;
}

/* The shapes most archetypes have: n4 columns of 4 bytes (floats, ints) and
 * nothing else, and up to two tags. The counts are constants in each
 * instance below, so each is straight-line code. */
RT__HOT int remove_shape(rt_table *t, const rt__row_plan *p, int32_t row, int32_t n4,
                         int32_t n_tags) {
    const int32_t last = --t->count;
    const rt__plan_col *c = p->cols;
#pragma GCC unroll 8
    for (int32_t i = 0; i < n4; i++) {
        uint32_t *a = c[i].base;
        a[row] = a[last];
    }
    move_tags(t, n_tags, row, last);
    t->entities[row] = t->entities[last];
    return RT_OK;
}

#define REMOVE_SHAPE(K, T)                                                   \
    static int remove_##K##_##T(rt_table *t, const rt__row_plan *p, int32_t row) { \
        return remove_shape(t, p, row, K, T);                                \
    }
#define REMOVE_SHAPES(K) REMOVE_SHAPE(K, 0) REMOVE_SHAPE(K, 1) REMOVE_SHAPE(K, 2)
REMOVE_SHAPES(1) REMOVE_SHAPES(2) REMOVE_SHAPES(3) REMOVE_SHAPES(4)
REMOVE_SHAPES(5) REMOVE_SHAPES(6) REMOVE_SHAPES(7) REMOVE_SHAPES(8)

static rt__remove_fn remove_for(const rt__row_plan *p) {
#define ROW(K) {remove_##K##_0, remove_##K##_1, remove_##K##_2}
    static const rt__remove_fn shapes[8][3] = {ROW(1), ROW(2), ROW(3), ROW(4),
                                               ROW(5), ROW(6), ROW(7), ROW(8)};
#undef ROW
    if (p->n8 == 0 && p->n_any == 0 && p->n4 >= 1 && p->n4 <= 8 && p->n_tags <= 2)
        return shapes[p->n4 - 1][p->n_tags];
    return remove_any;
}

/* The filter's verdict on the 64 rows of word `wi`: bit set = row passes. */
static uint64_t filter_word(const rt_table *t, const rt_filter *f, int32_t wi) {
    uint64_t m = ~0ull;
    for (int32_t i = 0; i < f->n_with; i++) m &= rt__tag_word(t->tags[f->with[i]], (size_t)wi);
    for (int32_t i = 0; i < f->n_without; i++)
        m &= ~rt__tag_word(t->tags[f->without[i]], (size_t)wi);
    return m;
}

bool rt_table_next_run(const rt_table *t, const rt_filter *f, int32_t *pos,
                       int32_t end, int32_t *run_begin, int32_t *run_end) {
    int32_t p = *pos;
    if (f->n_with == 0 && f->n_without == 0) { /* no filter: one run */
        if (p >= end) return false;
        *run_begin = p;
        *run_end = *pos = end;
        return true;
    }
    /* Find the first passing row at or after p. */
    while (p < end) {
        uint64_t m = filter_word(t, f, p >> 6) >> (p & 63);
        if (m) {
            p += __builtin_ctzll(m);
            break;
        }
        p = (p | 63) + 1;
    }
    if (p >= end) {
        *pos = end;
        return false;
    }
    *run_begin = p;
    /* Extend while rows pass. */
    while (p < end) {
        uint64_t m = ~filter_word(t, f, p >> 6) >> (p & 63);
        if (m) {
            p += __builtin_ctzll(m);
            break;
        }
        p = (p | 63) + 1;
    }
    if (p > end) p = end;
    *run_end = *pos = p;
    return true;
}
