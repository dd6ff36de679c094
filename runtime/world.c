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
    return (size_t)p->n_archetypes * (size_t)p->n_tags + 1;
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
    w->tables = rt__alloc_zero(w, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    w->resources = rt__alloc_zero(w, sizeof(void *) * (size_t)(p->n_resources + 1));
    w->tag_bit = rt__alloc_zero(w, tag_map_size(p));
    w->system_stats = rt__alloc_zero(w, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    if (!w->tables || !w->resources || !w->tag_bit || !w->system_stats) goto fail;
    memset(w->tag_bit, -1, tag_map_size(p));
    for (int32_t i = 0; i < p->n_archetypes; i++) {
        const rt_archetype_desc *d = &p->archetypes[i];
        for (int32_t k = 0; k < d->n_tags; k++)
            w->tag_bit[i * p->n_tags + d->tags[k]] = (int8_t)k;
        if (rt__table_init(w, &w->tables[i], d, cap) != RT_OK) goto fail;
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
    return w;
fail:
    rt_world_destroy(w);
    return NULL;
}

void rt_world_destroy(rt_world *w) {
    if (!w) return;
    rt__exec_fini(w); /* first: it stops the worker threads */
    const rt_program *p = w->program;
    if (w->tables)
        for (int32_t i = 0; i < p->n_archetypes; i++)
            if (w->tables[i].desc) rt__table_fini(w, &w->tables[i]);
    if (w->resources)
        for (int32_t i = 0; i < p->n_resources; i++)
            rt__free(w, w->resources[i], p->resources[i].size);
    rt__free(w, w->tables, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    rt__free(w, w->resources, sizeof(void *) * (size_t)(p->n_resources + 1));
    rt__free(w, w->tag_bit, tag_map_size(p));
    rt__free(w, w->system_stats, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    rt__cmd_fini(&w->cmd);
    rt__entities_fini(w, &w->entities);
    rt_allocator a = w->allocator;
    a.free(a.ud, w);
}

const rt_program *rt_world_program(const rt_world *w) { return w->program; }

/* --- entities ----------------------------------------------------------------- */

rt_entity rt_world_create_entity(rt_world *w, int32_t archetype, const void *init) {
    if (archetype < 0 || archetype >= w->program->n_archetypes) {
        rt__log(w, RT_LOG_ERROR, "create: no archetype %d", archetype);
        return RT_ENTITY_NULL;
    }
    rt_table *t = &w->tables[archetype];
    /* Reserve both first so that a failure leaves nothing half-made. */
    if ((t->count == t->capacity && rt__table_reserve(w, t, t->count + 1) != RT_OK) ||
        (w->entities.free_head < 0 && w->entities.count == w->entities.capacity &&
         rt__entities_reserve(w, &w->entities, w->entities.count + 1) != RT_OK)) {
        rt__log(w, RT_LOG_ERROR, "create %s: %s", t->desc->name,
                rt_error_string(RT_ENOMEM));
        return RT_ENTITY_NULL;
    }
    rt_entity e = rt__entities_alloc(w, &w->entities, archetype, t->count);
    rt__table_push(w, t, e, init);
    return e;
}

static rt__slot *lookup_or_report(const rt_world *w, rt_entity e, const char *what) {
    rt__slot *s = rt__entities_lookup(&w->entities, e);
    if (!s) {
        rt_world *mw = (rt_world *)w; /* stats are bookkeeping, not state */
        mw->stats.stale_handles++;
        rt__log(mw, RT_LOG_ERROR, "%s: %s {index %u, gen %u}", what,
                rt_error_string(RT_ESTALE), e.index, e.gen);
    }
    return s;
}

int rt_world_destroy_entity(rt_world *w, rt_entity e) {
    rt__slot *s = lookup_or_report(w, e, "destroy");
    if (!s) return RT_ESTALE;
    rt_table *t = &w->tables[s->archetype];
    int32_t row = s->row;
    rt_entity moved = rt__table_remove(t, row);
    if (!rt_entity_is_null(moved)) w->entities.slots[moved.index].row = row;
    rt__entities_free(&w->entities, e.index);
    return RT_OK;
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
    rt__slot *s = lookup_or_report(w, e, set ? "set" : "get");
    if (!s) return RT_ESTALE;
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
    if (tag < 0 || tag >= w->program->n_tags) return RT_EINVAL;
    rt__slot *s = lookup_or_report(w, e, "tag");
    if (!s) return RT_ESTALE;
    int bit = rt__tag_bit(w, s->archetype, tag);
    if (bit < 0) return RT_ENOTFOUND;
    uint64_t *word = &w->tables[s->archetype].tag_bits[bit][s->row >> 6];
    uint64_t mask = 1ull << (s->row & 63);
    *word = on ? *word | mask : *word & ~mask;
    return RT_OK;
}

int rt_world_has_tag(const rt_world *w, rt_entity e, int32_t tag) {
    if (tag < 0 || tag >= w->program->n_tags) return -RT_EINVAL;
    rt__slot *s = lookup_or_report(w, e, "has tag");
    if (!s) return -RT_ESTALE;
    int bit = rt__tag_bit(w, s->archetype, tag);
    if (bit < 0) return 0;
    return (int)((w->tables[s->archetype].tag_bits[bit][s->row >> 6] >> (s->row & 63)) & 1);
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

int32_t rt_world_entity_count(const rt_world *w) { return w->entities.live; }

int rt_world_reserve(rt_world *w, int32_t archetype, int32_t n) {
    if (archetype < 0 || archetype >= w->program->n_archetypes || n < 0) return RT_EINVAL;
    rt_table *t = &w->tables[archetype];
    int err = rt__table_reserve(w, t, t->count + n);
    if (err == RT_OK)
        err = rt__entities_reserve(w, &w->entities, w->entities.count + (uint32_t)n);
    return err;
}

/* --- frames --------------------------------------------------------------------- */

int rt_world_frame(rt_world *w, float dt) {
    uint64_t t0 = rt_now_ns();
    w->dt = dt;
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
