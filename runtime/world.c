/* world.c -- the world: tables, entity index, resources, the frame loop.
 *
 * A world is built from an rt_program (static tables emitted by ecsc): one
 * SoA table per archetype, one zeroed block per resource, and a map from
 * (archetype, tag) to the table's bit column. Entity operations go through
 * the entity index (entity.c) and the tables (table.c); the frame runs the
 * plan (exec.c). Every allocation goes through rt__alloc, so the world's
 * stats know how many allocations it made and how many bytes it holds. */
#include "rt_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t rt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --- memory ---------------------------------------------------------------- */

static void *default_alloc(void *ud, size_t size, size_t align) {
    (void)ud;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    return posix_memalign(&p, align, size ? size : 1) == 0 ? p : NULL;
}

static void default_free(void *ud, void *p) {
    (void)ud;
    free(p);
}

void *rt__alloc(rt_world *w, size_t size, size_t align) {
    void *p = w->allocator.alloc(w->allocator.ud, size, align);
    if (p) {
        w->stats.allocations++;
        w->stats.bytes_live += size;
    }
    return p;
}

void *rt__alloc_zero(rt_world *w, size_t size) {
    void *p = rt__alloc(w, size, 64);
    if (p) memset(p, 0, size);
    return p;
}

void rt__free(rt_world *w, void *p, size_t size) {
    if (!p) return;
    w->stats.bytes_live -= size;
    w->allocator.free(w->allocator.ud, p);
}

/* --- create / destroy ------------------------------------------------------ */


static size_t tag_map_size(const rt_program *p) {
    return sizeof(uint64_t *const *) * ((size_t)p->n_archetypes * (size_t)p->n_tags + 1);
}

rt_world *rt_world_create(const rt_world_desc *desc) {
    if (!desc || !desc->program) return NULL;
    rt_allocator a = desc->allocator;
    if (!a.alloc || !a.free) a = (rt_allocator){default_alloc, default_free, NULL};
    rt_world *w = a.alloc(a.ud, sizeof *w, 64);
    if (!w) return NULL;
    memset(w, 0, sizeof *w);
    w->allocator = a;
    w->stats.allocations = 1;
    w->stats.bytes_live = sizeof *w;
    w->program = desc->program;
    w->log = desc->log;
    w->log_ud = desc->log_ud;
    const rt_program *p = w->program;
    int32_t cap = desc->initial_capacity > 0 ? desc->initial_capacity : 1024;

    rt__entities_init(w, &w->entities);
    rt__cmd_init(w, &w->cmd);
    w->n_archetypes = p->n_archetypes;
    w->n_tags = p->n_tags;
    w->tables = rt__alloc_zero(w, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    w->plans = rt__alloc_zero(w, sizeof(rt__row_plan) * (size_t)(p->n_archetypes + 1));
    w->resources = rt__alloc_zero(w, sizeof(void *) * (size_t)(p->n_resources + 1));
    w->tag_col = rt__alloc_zero(w, tag_map_size(p));
    w->system_stats = rt__alloc_zero(w, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    if (!w->tables || !w->plans || !w->resources || !w->tag_col || !w->system_stats)
        goto fail;
    for (int32_t i = 0; i < p->n_archetypes; i++) {
        const rt_archetype_desc *d = &p->archetypes[i];
        if (rt__table_init(w, &w->tables[i], &w->plans[i], d, cap) != RT_OK) goto fail;
        for (int32_t k = 0; k < d->n_tags; k++)
            w->tag_col[i * p->n_tags + d->tags[k]] = &w->tables[i].tag_bits[k];
    }
    for (int32_t i = 0; i < p->n_resources; i++) {
        const rt_type_desc *r = &p->resources[i];
        w->resources[i] = rt__alloc(w, r->size, r->align < 8 ? 8 : r->align);
        if (!w->resources[i]) goto fail;
        memset(w->resources[i], 0, r->size);
    }
    if (rt__entities_reserve(w, &w->entities, (uint32_t)cap) != RT_OK) goto fail;
    w->stats.n_systems = p->n_systems;
    w->stats.systems = w->system_stats;
    if (rt__exec_init(w, desc) != RT_OK) goto fail;
    if (rt__jobs_init(w, desc) != RT_OK) goto fail;
    return w;
fail:
    rt_world_destroy(w);
    return NULL;
}

void rt_world_destroy(rt_world *w) {
    if (!w) return;
    rt__jobs_fini(w); /* first: they stop the job threads and the workers */
    rt__exec_fini(w);
    const rt_program *p = w->program;
    if (w->tables && w->plans)
        for (int32_t i = 0; i < p->n_archetypes; i++)
            if (w->tables[i].desc) rt__table_fini(w, &w->tables[i], &w->plans[i]);
    if (w->resources)
        for (int32_t i = 0; i < p->n_resources; i++)
            rt__free(w, w->resources[i], p->resources[i].size);
    rt__free(w, w->tables, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    rt__free(w, w->plans, sizeof(rt__row_plan) * (size_t)(p->n_archetypes + 1));
    rt__free(w, w->resources, sizeof(void *) * (size_t)(p->n_resources + 1));
    rt__free(w, w->tag_col, tag_map_size(p));
    rt__free(w, w->system_stats, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    rt__cmd_fini(&w->cmd);
    rt__entities_fini(w, &w->entities);
    rt_allocator a = w->allocator;
    a.free(a.ud, w);
}

const rt_program *rt_world_program(const rt_world *w) { return w->program; }

/* --- entities ----------------------------------------------------------------- */

/* The hot paths below (create, destroy, tag) do their checks inline and
 * leave growth and every error to functions out of the way: a call that
 * succeeds runs straight through to the row functions of its archetype's
 * plan (table.c), and allocates nothing while capacity lasts. */

__attribute__((cold, noinline)) static rt_entity create_failed(rt_world *w, int32_t archetype,
                                                               int err) {
    if (err == RT_EINVAL) rt__log(w, RT_LOG_ERROR, "create: no archetype %d", archetype);
    else rt__log(w, RT_LOG_ERROR, "create %s: %s", w->tables[archetype].desc->name,
                 rt_error_string(err));
    return RT_ENTITY_NULL;
}

/* Room for n more entities of an archetype, all or nothing. */
static int make_room(rt_world *w, int32_t archetype, int32_t n) {
    rt_table *t = &w->tables[archetype];
    if (n > INT32_MAX - t->count) return RT_ELIMIT;
    int err = rt__table_reserve(w, t, &w->plans[archetype], t->count + n);
    if (err == RT_OK && w->entities.count + (uint64_t)n > (uint64_t)INT32_MAX) err = RT_ELIMIT;
    if (err == RT_OK) err = rt__entities_reserve(w, &w->entities, w->entities.count + (uint32_t)n);
    return err;
}

/* Writes a new entity into table t of `archetype`; the caller made room. */
RT__HOT rt_entity create_in(rt_world *w, int32_t archetype, rt_table *t, const void *init) {
    rt_entity e = rt__entities_take(&w->entities, archetype, t->count);
    return rt__table_push(t, &w->plans[archetype], e, init);
}

/* Everything but the common case: a bad archetype, or no room. */
__attribute__((noinline)) static rt_entity create_slow(rt_world *w, int32_t archetype,
                                                       const void *init) {
    if ((uint32_t)archetype >= (uint32_t)w->n_archetypes)
        return create_failed(w, archetype, RT_EINVAL);
    rt_table *t = &w->tables[archetype];
    /* Make room for both first so that a failure leaves nothing half-made. */
    int err = make_room(w, archetype, 1);
    if (err != RT_OK) return create_failed(w, archetype, err);
    return create_in(w, archetype, t, init);
}

rt_entity rt_world_create_entity(rt_world *w, int32_t archetype, const void *init) {
    if (__builtin_expect((uint32_t)archetype >= (uint32_t)w->n_archetypes, 0))
        return create_slow(w, archetype, init);
    rt_table *t = &w->tables[archetype];
    if (__builtin_expect(t->count == t->capacity || !rt__entities_has_room(&w->entities), 0))
        return create_slow(w, archetype, init);
    return create_in(w, archetype, t, init);
}

int rt_world_create_entities(rt_world *w, int32_t archetype, int32_t n, const void *inits,
                             rt_entity *out) {
    if ((uint32_t)archetype >= (uint32_t)w->n_archetypes) {
        create_failed(w, archetype, RT_EINVAL);
        return RT_EINVAL;
    }
    if (n < 0) {
        rt__log(w, RT_LOG_ERROR, "create %s: %d entities", w->tables[archetype].desc->name, n);
        return RT_EINVAL;
    }
    rt_table *t = &w->tables[archetype];
    int err = make_room(w, archetype, n);
    if (err != RT_OK) {
        create_failed(w, archetype, err);
        return err;
    }
    /* Block by block of rows: the block's entities, then its columns one
     * after the other. A column is a pass of strided loads from the _init
     * structs and sequential stores; the block's _init structs stay in L1
     * across the passes, so the input is read from memory once. */
    enum { BLOCK = 256 }; /* rows */
    const rt__row_plan *p = &w->plans[archetype];
    const size_t stride = t->desc->init_size;
    rt__entities *ents = &w->entities;
    for (int32_t b0 = 0; b0 < n; b0 += BLOCK) {
        const int32_t m = n - b0 < BLOCK ? n - b0 : BLOCK, row0 = t->count;
        rt_entity *row_ents = t->entities + row0;
        for (int32_t i = 0; i < m; i++)
            row_ents[i] = rt__entities_take(ents, archetype, row0 + i);
        if (out) memcpy(out + b0, row_ents, sizeof(rt_entity) * (size_t)m);
        const char *in = inits ? (const char *)inits + (size_t)b0 * stride : NULL;
        const rt__plan_col *c = p->cols;
        for (int32_t k = 0; k < p->n4; k++, c++) {
            uint32_t *dst = (uint32_t *)c->base + row0;
            if (!in) {
                memset(dst, 0, 4 * (size_t)m);
                continue;
            }
            const char *src = in + c->init_offset;
            for (int32_t i = 0; i < m; i++) dst[i] = rt__load32(src + (size_t)i * stride);
        }
        for (int32_t k = 0; k < p->n8; k++, c++) {
            uint64_t *dst = (uint64_t *)c->base + row0;
            if (!in) {
                memset(dst, 0, 8 * (size_t)m);
                continue;
            }
            const char *src = in + c->init_offset;
            for (int32_t i = 0; i < m; i++) dst[i] = rt__load64(src + (size_t)i * stride);
        }
        for (int32_t k = 0; k < p->n_any; k++, c++) {
            char *dst = (char *)c->base + (size_t)row0 * c->size;
            if (!in) {
                memset(dst, 0, c->size * (size_t)m);
                continue;
            }
            for (int32_t i = 0; i < m; i++)
                memcpy(dst + (size_t)i * c->size, in + (size_t)i * stride + c->init_offset,
                       c->size);
        }
        t->count += m;
    }
    return RT_OK;
}

__attribute__((cold, noinline)) static int report_stale(const rt_world *w, rt_entity e,
                                                        const char *what) {
    rt_world *mw = (rt_world *)w; /* stats are bookkeeping, not state */
    mw->stats.stale_handles++;
    rt__log(mw, RT_LOG_ERROR, "%s: %s {index %u, gen %u}", what, rt_error_string(RT_ESTALE),
            e.index, e.gen);
    return RT_ESTALE;
}

int rt_world_destroy_entity(rt_world *w, rt_entity e) {
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    if (!s) return report_stale(w, e, "destroy");
    const int32_t archetype = s->archetype, row = s->row;
    rt_table *t = &w->tables[archetype];
    /* The last row is about to fill the hole: point its entity there first
     * (when e is the last row itself, freeing its slot next overrides it),
     * then remove the row, last, as a tail call. */
    const rt_entity moved = t->entities[t->count - 1];
    w->entities.slots[moved.index].row = row;
    rt__entities_free(&w->entities, e.index);
    return rt__table_remove(t, &w->plans[archetype], row);
}

bool rt_world_alive(const rt_world *w, rt_entity e) {
    return rt__entities_lookup(&w->entities, e) != NULL;
}

int32_t rt_world_archetype_of(const rt_world *w, rt_entity e) {
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    return s ? s->archetype : -1;
}

/* Copies a component between a struct and its columns; dir 0 = get. */
static int copy_component(rt_world *w, rt_entity e, int32_t component, void *buf,
                          int set) {
    if (component < 0 || component >= w->program->n_components) return RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    if (!s) return report_stale(w, e, set ? "set" : "get");
    rt_table *t = &w->tables[s->archetype];
    const rt_archetype_desc *d = t->desc;
    int found = 0;
    for (int32_t i = 0; i < d->n_columns; i++) {
        const rt_column_desc *c = &d->columns[i];
        if (c->component != component) continue;
        char *cell = (char *)t->columns[i] + (size_t)s->row * c->size;
        char *field = (char *)buf + c->comp_offset;
        if (set) memcpy(cell, field, c->size);
        else memcpy(field, cell, c->size);
        found = 1;
    }
    return found ? RT_OK : RT_ENOTFOUND;
}

int rt_world_get(const rt_world *w, rt_entity e, int32_t component, void *out) {
    return copy_component((rt_world *)w, e, component, out, 0);
}

int rt_world_set(rt_world *w, rt_entity e, int32_t component, const void *value) {
    return copy_component(w, e, component, (void *)value, 1);
}

int rt_world_set_tag(rt_world *w, rt_entity e, int32_t tag, bool on) {
    if ((uint32_t)tag >= (uint32_t)w->n_tags) return RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    if (!s) return report_stale(w, e, "tag");
    uint64_t *const *col = rt__tag_col(w, s->archetype, tag);
    if (!col) return RT_ENOTFOUND;
    const uint32_t row = (uint32_t)s->row;
    uint64_t *word = *col + (row >> 6);
    const uint64_t mask = 1ull << (row & 63);
    if (on) *word |= mask;
    else *word &= ~mask;
    return RT_OK;
}

int rt_world_has_tag(const rt_world *w, rt_entity e, int32_t tag) {
    if (tag < 0 || tag >= w->program->n_tags) return -RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    if (!s) return -report_stale(w, e, "has tag");
    uint64_t *const *col = rt__tag_col(w, s->archetype, tag);
    if (!col) return 0;
    const uint32_t row = (uint32_t)s->row;
    return (int)(((*col)[row >> 6] >> (row & 63)) & 1);
}

void *rt_world_resource(rt_world *w, int32_t resource) {
    return resource >= 0 && resource < w->program->n_resources ? w->resources[resource]
                                                               : NULL;
}

rt_table *rt_world_table(rt_world *w, int32_t archetype) {
    return archetype >= 0 && archetype < w->program->n_archetypes ? &w->tables[archetype]
                                                                  : NULL;
}

int32_t rt_world_count(const rt_world *w, int32_t archetype) {
    return archetype >= 0 && archetype < w->program->n_archetypes
               ? w->tables[archetype].count : 0;
}

int32_t rt_world_entity_count(const rt_world *w) {
    return (int32_t)(w->entities.count - w->entities.n_free);
}

int rt_world_reserve(rt_world *w, int32_t archetype, int32_t n) {
    if (archetype < 0 || archetype >= w->program->n_archetypes || n < 0) return RT_EINVAL;
    return make_room(w, archetype, n);
}

/* --- frames --------------------------------------------------------------------- */

int rt_world_frame(rt_world *w, float dt) {
    uint64_t t0 = rt_now_ns();
    w->dt = dt;
    rt__jobs_frame_begin(w);
    int err = rt__exec_frame(w);
    uint64_t ns = rt_now_ns() - t0;
    w->stats.frames++;
    w->stats.frame_last_ns = ns;
    w->stats.frame_total_ns += ns;
    return err;
}

int rt_world_sync(rt_world *w) { return rt__cmd_apply(w, &w->cmd); }

rt_cmd *rt_world_cmd(rt_world *w) { return &w->cmd; }

float rt_world_dt(const rt_world *w) { return w->dt; }
uint64_t rt_world_frame_index(const rt_world *w) { return w->stats.frames; }

const rt_world_stats *rt_world_stats_get(const rt_world *w) { return &w->stats; }

/* --- hashing ---------------------------------------------------------------------- */

/* A fast 64-bit mix of bytes (not cryptographic): equal bytes, equal hash. */
static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        h = mix(h, v);
    }
    uint64_t tail = 0;
    if (i < n) memcpy(&tail, p + i, n - i);
    return mix(h, tail ^ (uint64_t)n);
}

uint64_t rt_world_hash(const rt_world *w) {
    const rt_program *p = w->program;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int32_t a = 0; a < p->n_archetypes; a++) {
        const rt_table *t = &w->tables[a];
        size_t n = (size_t)t->count;
        h = mix(h, (uint64_t)n);
        for (int32_t c = 0; c < t->desc->n_columns; c++)
            h = hash_bytes(h, t->columns[c], n * t->desc->columns[c].size);
        h = hash_bytes(h, t->entities, n * sizeof(rt_entity));
        for (int32_t k = 0; k < t->desc->n_tags; k++)
            h = hash_bytes(h, t->tag_bits[k], (n + 63) / 64 * 8);
    }
    return h;
}
