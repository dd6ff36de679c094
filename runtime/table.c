/* table.c -- struct-of-arrays storage for one archetype.
 *
 * Every field of every component is a column: Position{x,y} is two float
 * arrays. Rows [0, count) are live and dense; removing a row moves the last
 * row into it. Columns are 64-byte aligned and their capacity is a multiple
 * of 64 rows, so a column is a whole number of cache lines and every tag bit
 * column is a whole number of 64-bit words. Growth doubles capacity and
 * copies: no allocation per entity, and none at all while capacity lasts.
 *
 * Tags are bit columns: switching a tag is a bit write, the entity stays put.
 * rt_table_next_run turns a tag filter into runs of consecutive rows, so a
 * system body always sees whole arrays of matching entities. */
#include "rt_internal.h"

#include <string.h>

static size_t bits_bytes(int32_t capacity) { return (size_t)capacity / 64 * 8; }

int rt__table_init(rt_world *w, rt_table *t, const rt_archetype_desc *desc,
                   int32_t capacity) {
    memset(t, 0, sizeof *t);
    t->desc = desc;
    t->columns = rt__alloc_zero(w, sizeof(void *) * (size_t)(desc->n_columns + 1));
    t->tag_bits = rt__alloc_zero(w, sizeof(uint64_t *) * (size_t)(desc->n_tags + 1));
    if (!t->columns || !t->tag_bits) return RT_ENOMEM;
    return capacity > 0 ? rt__table_reserve(w, t, capacity) : RT_OK;
}

void rt__table_fini(rt_world *w, rt_table *t) {
    const rt_archetype_desc *d = t->desc;
    if (t->columns) {
        for (int32_t i = 0; i < d->n_columns; i++)
            rt__free(w, t->columns[i], (size_t)t->capacity * d->columns[i].size);
        rt__free(w, t->columns, sizeof(void *) * (size_t)(d->n_columns + 1));
    }
    if (t->tag_bits) {
        for (int32_t i = 0; i < d->n_tags; i++)
            rt__free(w, t->tag_bits[i], bits_bytes(t->capacity));
        rt__free(w, t->tag_bits, sizeof(uint64_t *) * (size_t)(d->n_tags + 1));
    }
    rt__free(w, t->entities, (size_t)t->capacity * sizeof(rt_entity));
    memset(t, 0, sizeof *t);
}

size_t rt__table_bytes(const rt_table *t) {
    size_t row = sizeof(rt_entity);
    for (int32_t i = 0; i < t->desc->n_columns; i++) row += t->desc->columns[i].size;
    return row * (size_t)t->capacity + bits_bytes(t->capacity) * (size_t)t->desc->n_tags;
}

/* Grows every column to hold `rows`. All or nothing: on failure the table is
 * as it was. */
int rt__table_reserve(rt_world *w, rt_table *t, int32_t rows) {
    if (rows <= t->capacity) return RT_OK;
    const rt_archetype_desc *d = t->desc;
    int64_t cap = t->capacity ? t->capacity : 64;
    while (cap < rows) cap *= 2;
    cap = (cap + 63) & ~(int64_t)63;
    if (cap > INT32_MAX - 63) return RT_ELIMIT;
    int32_t n = d->n_columns, nt = d->n_tags;
    void *cols[n + 1];
    uint64_t *bits[nt + 1];
    rt_entity *ents = rt__alloc(w, (size_t)cap * sizeof(rt_entity), 64);
    int32_t ok_cols = 0, ok_bits = 0;
    if (!ents) goto fail;
    for (; ok_cols < n; ok_cols++) {
        cols[ok_cols] = rt__alloc(w, (size_t)cap * d->columns[ok_cols].size, 64);
        if (!cols[ok_cols]) goto fail;
    }
    for (; ok_bits < nt; ok_bits++) {
        bits[ok_bits] = rt__alloc(w, bits_bytes((int32_t)cap), 64);
        if (!bits[ok_bits]) goto fail;
    }
    size_t live = (size_t)t->count;
    for (int32_t i = 0; i < n; i++) {
        if (live) memcpy(cols[i], t->columns[i], live * d->columns[i].size);
        rt__free(w, t->columns[i], (size_t)t->capacity * d->columns[i].size);
        t->columns[i] = cols[i];
    }
    for (int32_t i = 0; i < nt; i++) {
        memset(bits[i], 0, bits_bytes((int32_t)cap));
        if (t->capacity) memcpy(bits[i], t->tag_bits[i], bits_bytes(t->capacity));
        rt__free(w, t->tag_bits[i], bits_bytes(t->capacity));
        t->tag_bits[i] = bits[i];
    }
    if (live) memcpy(ents, t->entities, live * sizeof(rt_entity));
    rt__free(w, t->entities, (size_t)t->capacity * sizeof(rt_entity));
    t->entities = ents;
    t->capacity = (int32_t)cap;
    return RT_OK;
fail:
    for (int32_t i = 0; i < ok_cols; i++) rt__free(w, cols[i], (size_t)cap * d->columns[i].size);
    for (int32_t i = 0; i < ok_bits; i++) rt__free(w, bits[i], bits_bytes((int32_t)cap));
    rt__free(w, ents, (size_t)cap * sizeof(rt_entity));
    return RT_ENOMEM;
}

static inline void copy_elem(void *dst, const void *src, uint32_t size) {
    switch (size) { /* the common sizes, without a call */
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    case 16: memcpy(dst, src, 16); break;
    default: memcpy(dst, src, size); break;
    }
}

int32_t rt__table_push(rt_world *w, rt_table *t, rt_entity e, const void *init) {
    if (t->count == t->capacity) {
        int err = rt__table_reserve(w, t, t->count + 1);
        if (err != RT_OK) return -err;
    }
    const rt_archetype_desc *d = t->desc;
    int32_t row = t->count++;
    t->entities[row] = e;
    for (int32_t i = 0; i < d->n_columns; i++) {
        const rt_column_desc *c = &d->columns[i];
        char *dst = (char *)t->columns[i] + (size_t)row * c->size;
        if (init) copy_elem(dst, (const char *)init + c->init_offset, c->size);
        else memset(dst, 0, c->size);
    }
    /* Tag bits of rows >= count are kept zero, so a new row has no tags. */
    return row;
}

rt_entity rt__table_remove(rt_table *t, int32_t row) {
    const rt_archetype_desc *d = t->desc;
    int32_t last = --t->count;
    uint64_t last_mask = 1ull << (last & 63);
    rt_entity moved = RT_ENTITY_NULL;
    if (row != last) {
        for (int32_t i = 0; i < d->n_columns; i++) {
            uint32_t size = d->columns[i].size;
            char *base = t->columns[i];
            copy_elem(base + (size_t)row * size, base + (size_t)last * size, size);
        }
        t->entities[row] = t->entities[last];
        moved = t->entities[row];
        uint64_t row_mask = 1ull << (row & 63);
        for (int32_t i = 0; i < d->n_tags; i++) {
            uint64_t *b = t->tag_bits[i];
            if (b[last >> 6] & last_mask) b[row >> 6] |= row_mask;
            else b[row >> 6] &= ~row_mask;
        }
    }
    for (int32_t i = 0; i < d->n_tags; i++) t->tag_bits[i][last >> 6] &= ~last_mask;
    return moved;
}

/* The filter's verdict on the 64 rows of word `wi`: bit set = row passes. */
static uint64_t filter_word(const rt_table *t, const rt_filter *f, int32_t wi) {
    uint64_t m = ~0ull;
    for (int32_t i = 0; i < f->n_with; i++) m &= t->tag_bits[f->with[i]][wi];
    for (int32_t i = 0; i < f->n_without; i++) m &= ~t->tag_bits[f->without[i]][wi];
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
