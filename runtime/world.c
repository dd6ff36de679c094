/* world.c -- the world: tables, entity index, resources, the frame loop.
 *
 * A world is built from an rt_program (static tables emitted by ecsc): one
 * SoA table per archetype, one zeroed block per resource, and a map from
 * (archetype, tag) to the table's bit column. Entity operations go through
 * the entity index (entity.c) and the tables (table.c); the frame runs the
 * plan (exec.c), measured by the monitor (monitor.c) and, when the program
 * has budgets, checked and steered by the budget controller (budget.c).
 * Every allocation goes through rt__alloc, so the world's stats know how many
 * allocations it made and how many bytes it holds. */
#include "rt_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t rt_now_ns(void) { return rt_monitor_now_ns(); }

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

void *rt__block_alloc(void *user, size_t size, size_t align) {
    assert(align <= 64);
    (void)align;
    uint8_t *p = rt__alloc(user, size + 64, 64);
    if (!p) return NULL;
    memcpy(p, &size, sizeof size);
    return p + 64;
}

void rt__block_free(void *user, void *ptr) {
    if (!ptr) return;
    uint8_t *p = (uint8_t *)ptr - 64;
    size_t size;
    memcpy(&size, p, sizeof size);
    rt__free(user, p, size + 64);
}

/* --- the monitor and the budget controller ---------------------------------- */

/* Overruns go to the world's log as warnings (the controller rate-limits them). */
static void budget_log(void *user, const rt_budget_event *ev) {
    rt_world *w = user;
    char more[64] = "";
    if (ev->suppressed)
        snprintf(more, sizeof more, ", %llu more overruns since the last message",
                 (unsigned long long)ev->suppressed);
    rt__log(w, RT_LOG_WARNING, "budget: frame %llu: %s%s%s took %.3f ms, target %.3g ms, "
            "critical %.3g ms (%s)%s", (unsigned long long)ev->frame,
            ev->system < 0 ? "" : "system '", ev->name, ev->system < 0 ? "" : "'",
            (double)ev->time_ms, (double)ev->target_ms, (double)ev->critical_ms,
            rt_budget_status_name(ev->status), more);
}

static const char *const memory_parts[] = {"entities", "commands", "resources", "executor",
                                           "monitor", "budget", "jobs"};
enum { MEMORY_PARTS = sizeof memory_parts / sizeof memory_parts[0] };

static int create_monitor(rt_world *w, const rt_world_desc *desc) {
    const rt_program *p = w->program;
    if (desc->measure < RT_MEASURE_EVERY_FRAME || desc->measure > RT_MEASURE_NONE) {
        rt__log(w, RT_LOG_ERROR, "measure: %d is not an rt_measure", desc->measure);
        return RT_EINVAL;
    }
    if (desc->measure != RT_MEASURE_EVERY_FRAME || p->n_systems == 0) return RT_OK;
    const char **names = rt__alloc(w, sizeof *names * (size_t)p->n_systems, 8);
    if (!names) return RT_ENOMEM;
    for (int32_t s = 0; s < p->n_systems; s++) names[s] = p->systems[s].name;
    int rc = rt_monitor_create(&(rt_monitor_desc){
        .system_count = p->n_systems,
        .system_names = names,
        .thread_count = w->stats.threads,
        .window_frames = desc->monitor_window,
        .trace_spans = desc->trace_spans > 0 ? desc->trace_spans : -1,
        .memory_slots = p->n_archetypes + MEMORY_PARTS,
        .alloc = rt__block_alloc,
        .free = rt__block_free,
        .alloc_user = w,
    }, &w->monitor);
    rt__free(w, names, sizeof *names * (size_t)p->n_systems);
    if (rc == -ENOMEM) return RT_ENOMEM;
    if (rc) {
        rt__log(w, RT_LOG_ERROR, "monitor: bad settings (window %d frames, %d trace spans)",
                desc->monitor_window, desc->trace_spans);
        return RT_EINVAL;
    }
    /* Memory parts are registered now, so reports never allocate. */
    for (int32_t a = 0; a < p->n_archetypes; a++) {
        char name[RT_MONITOR_MEMORY_NAME_MAX];
        snprintf(name, sizeof name, "storage/%s", p->archetypes[a].name);
        int32_t id = rt_monitor_memory_id(w->monitor, name);
        if (a == 0) w->memory_id = id;
        if (id != w->memory_id + a) { /* two long names cut to one */
            rt__log(w, RT_LOG_ERROR, "monitor: archetype names too long to tell apart: '%s'",
                    name);
            return RT_EINVAL;
        }
    }
    for (int32_t k = 0; k < MEMORY_PARTS; k++)
        if (rt_monitor_memory_id(w->monitor, memory_parts[k]) != w->memory_id + p->n_archetypes + k)
            return RT_EINVAL;
    return RT_OK;
}

static int create_budget(rt_world *w, const rt_world_desc *desc) {
    const rt_program *p = w->program;
    float frame_ms = desc->frame_budget_ms > 0 ? desc->frame_budget_ms : p->frame_budget_ms;
    if (!w->monitor || (!p->budgets && frame_ms <= 0 && !desc->enforce_budgets)) return RT_OK;
    /* Without rows from the schema every system gets "no budget". */
    rt_budget_desc *rows = NULL;
    size_t row_bytes = sizeof *rows * (size_t)p->n_systems;
    if (!p->budgets) {
        if (!(rows = rt__alloc_zero(w, row_bytes))) return RT_ENOMEM;
        for (int32_t s = 0; s < p->n_systems; s++) rows[s].system = p->systems[s].name;
    }
    const rt_budget_desc *table = p->budgets ? p->budgets : rows;
    rt_budget_controller_desc bd = {
        .system_count = p->n_systems,
        .systems = table,
        .frame_target_ms = frame_ms,
        .log = budget_log,
        .log_user = w,
        .observe = !desc->enforce_budgets,
        .alloc = rt__block_alloc,
        .free = rt__block_free,
        .alloc_user = w,
    };
    char why[256] = "";
    int rc = rt_budget_check_desc(&bd, why, sizeof why);
    for (int32_t s = 0; s < p->n_systems && !rc; s++)
        if (!table[s].system || strcmp(table[s].system, p->systems[s].name) != 0) {
            snprintf(why, sizeof why, "row %d names '%s', not system '%s'", s,
                     table[s].system ? table[s].system : "(null)", p->systems[s].name);
            rc = -EINVAL;
        }
    if (rc == -EINVAL) rt__log(w, RT_LOG_ERROR, "budgets of '%s': %s", p->name, why);
    if (!rc) rc = rt_budget_create(&bd, &w->budget);
    rt__free(w, rows, row_bytes);
    return rc == 0 ? RT_OK : rc == -ENOMEM ? RT_ENOMEM : RT_EINVAL;
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

    rt__entities_init(w, &w->head.entities);
    rt__cmd_init(w, &w->cmd);
    w->n_archetypes = p->n_archetypes;
    w->head.n_tags = p->n_tags;
    w->tables = rt__alloc_zero(w, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    w->plans = rt__alloc_zero(w, sizeof(rt__row_plan) * (size_t)(p->n_archetypes + 1));
    w->resources = rt__alloc_zero(w, sizeof(void *) * (size_t)(p->n_resources + 1));
    w->head.tag_col = rt__alloc_zero(w, tag_map_size(p));
    w->system_stats = rt__alloc_zero(w, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    if (!w->tables || !w->plans || !w->resources || !w->head.tag_col || !w->system_stats)
        goto fail;
    for (int32_t i = 0; i < p->n_archetypes; i++) {
        const rt_archetype_desc *d = &p->archetypes[i];
        if (rt__table_init(w, &w->tables[i], &w->plans[i], d, cap) != RT_OK) goto fail;
        for (int32_t k = 0; k < d->n_tags; k++)
            w->head.tag_col[i * p->n_tags + d->tags[k]] = &w->tables[i].tags[k];
    }
    for (int32_t i = 0; i < p->n_resources; i++) {
        const rt_type_desc *r = &p->resources[i];
        w->resources[i] = rt__alloc(w, r->size, r->align < 8 ? 8 : r->align);
        if (!w->resources[i]) goto fail;
        memset(w->resources[i], 0, r->size);
    }
    if (rt__entities_reserve(w, &w->head.entities, (uint32_t)cap) != RT_OK) goto fail;
    w->stats.n_systems = p->n_systems;
    w->stats.systems = w->system_stats;
    if (rt__exec_init(w, desc) != RT_OK) goto fail;
    w->head.quality = 1.0f;
    w->system_dt = rt__alloc_zero(w, sizeof(float) * (size_t)(p->n_systems + 1));
    if (!w->system_dt || create_monitor(w, desc) != RT_OK || create_budget(w, desc) != RT_OK)
        goto fail;
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
    rt_budget_destroy(w->budget);
    rt_monitor_destroy(w->monitor);
    rt__free(w, w->system_dt, sizeof(float) * (size_t)(p->n_systems + 1));
    if (w->tables && w->plans)
        for (int32_t i = 0; i < p->n_archetypes; i++)
            if (w->tables[i].desc) rt__table_fini(w, &w->tables[i], &w->plans[i]);
    if (w->resources)
        for (int32_t i = 0; i < p->n_resources; i++)
            rt__free(w, w->resources[i], p->resources[i].size);
    rt__free(w, w->tables, sizeof(rt_table) * (size_t)(p->n_archetypes + 1));
    rt__free(w, w->plans, sizeof(rt__row_plan) * (size_t)(p->n_archetypes + 1));
    rt__free(w, w->resources, sizeof(void *) * (size_t)(p->n_resources + 1));
    rt__free(w, w->head.tag_col, tag_map_size(p));
    rt__free(w, w->system_stats, sizeof(rt_system_stats) * (size_t)(p->n_systems + 1));
    rt__cmd_fini(&w->cmd);
    rt__entities_fini(w, &w->head.entities);
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
    if (err == RT_OK && w->head.entities.count + (uint64_t)n > (uint64_t)INT32_MAX) err = RT_ELIMIT;
    if (err == RT_OK) err = rt__entities_reserve(w, &w->head.entities, w->head.entities.count + (uint32_t)n);
    return err;
}

/* Writes a new entity into table t of `archetype`; the caller made room. */
RT__HOT rt_entity create_in(rt_world *w, int32_t archetype, rt_table *t, const void *init) {
    rt_entity e = rt__entities_take(&w->head.entities, archetype, t->count);
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
    if (__builtin_expect(t->count == t->capacity || !rt__entities_has_room(&w->head.entities), 0))
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
    rt__entities *ents = &w->head.entities;
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
    rt__slot *s = rt__entities_lookup(&w->head.entities, e);
    if (!s) return report_stale(w, e, "destroy");
    const int32_t archetype = s->archetype, row = s->row;
    rt_table *t = &w->tables[archetype];
    /* The last row is about to fill the hole: point its entity there first
     * (when e is the last row itself, freeing its slot next overrides it),
     * then remove the row, last, as a tail call. */
    const rt_entity moved = t->entities[t->count - 1];
    w->head.entities.slots[moved.index].row = row;
    rt__entities_free(&w->head.entities, e.index);
    return rt__table_remove(t, &w->plans[archetype], row);
}

bool rt_world_alive(const rt_world *w, rt_entity e) {
    return rt__entities_lookup(&w->head.entities, e) != NULL;
}

int32_t rt_world_archetype_of(const rt_world *w, rt_entity e) {
    rt__slot *s = rt__entities_lookup(&w->head.entities, e);
    return s ? s->archetype : -1;
}

/* Copies a component between a struct and its columns; dir 0 = get. */
static int copy_component(rt_world *w, rt_entity e, int32_t component, void *buf,
                          int set) {
    if (component < 0 || component >= w->program->n_components) return RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->head.entities, e);
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

/* rt_world_set_tag (rt.h) inlines the valid case and calls this for the
 * rest: every check again, the error decided and reported here. */
int rt__world_set_tag(rt_world *w, rt_entity e, int32_t tag, bool on) {
    if ((uint32_t)tag >= (uint32_t)w->head.n_tags) return RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->head.entities, e);
    if (!s) return report_stale(w, e, "tag");
    uint8_t *const *col = rt__tag_col(w, s->archetype, tag);
    if (!col) return RT_ENOTFOUND;
    (*col)[s->row] = on; /* a valid call that did not inline */
    return RT_OK;
}

int rt_world_has_tag(const rt_world *w, rt_entity e, int32_t tag) {
    if (tag < 0 || tag >= w->program->n_tags) return -RT_EINVAL;
    rt__slot *s = rt__entities_lookup(&w->head.entities, e);
    if (!s) return -report_stale(w, e, "has tag");
    uint8_t *const *col = rt__tag_col(w, s->archetype, tag);
    if (!col) return 0;
    return (*col)[s->row];
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
    return (int32_t)(w->head.entities.count - w->head.entities.n_free);
}

int rt_world_reserve(rt_world *w, int32_t archetype, int32_t n) {
    if (archetype < 0 || archetype >= w->program->n_archetypes || n < 0) return RT_EINVAL;
    return make_room(w, archetype, n);
}

/* --- frames --------------------------------------------------------------------- */

/* The controller's decisions for this frame: the quality level, and each
 * system's dt (a throttled system's run stands for several frames). */
static void begin_budget_frame(rt_world *w, float dt) {
    const rt_budget_frame *fr = rt_budget_frame_begin(w->budget);
    const rt_budget_decision *d = fr->systems;
    w->decisions = d;
    w->head.quality = fr->quality;
    for (int32_t s = 0; s < fr->system_count; s++)
        w->system_dt[s] = d[s].elapsed_frames > 1 ? dt * (float)d[s].elapsed_frames : dt;
}

int rt_world_frame(rt_world *w, float dt) {
    uint64_t t0 = rt_now_ns(), quiet_since = t0; /* 0 once something ran */
    w->head.dt = dt;
    if (w->budget) {
        begin_budget_frame(w, dt);
        quiet_since = 0;
    } else if (w->system_dt_of != dt) { /* without throttling: dt, refilled when it changes */
        for (int32_t s = 0; s < w->program->n_systems; s++) w->system_dt[s] = dt;
        w->system_dt_of = dt;
        quiet_since = 0;
    }
    if (w->jobs) {
        rt__jobs_frame_begin(w);
        quiet_since = 0;
    }
    /* The executor may start the first system's clock at t0 and hand back
     * the last system's end as the frame's: the same clock, read less. */
    uint64_t t1 = 0;
    int err = rt__exec_frame(w, quiet_since, &t1);
    if (!t1) t1 = rt_now_ns();
    uint64_t ns = t1 - t0;
    if (w->monitor) {
        /* The world's monitor keeps the default clock, rt_now_ns's. */
        rt_monitor_frame_end_at(w->monitor, ns, t1);
        rt__exec_account_frame(w, rt_monitor_last_row(w->monitor));
        if (w->budget) rt_budget_frame_end_monitor(w->budget, w->monitor);
    }
    w->stats.frames++;
    w->stats.frame_last_ns = ns;
    w->stats.frame_total_ns += ns;
    return err;
}

rt_monitor *rt_world_monitor(const rt_world *w) { return w->monitor; }
rt_budget *rt_world_budget(const rt_world *w) { return w->budget; }

float rt_world_system_dt(const rt_world *w, int32_t system) {
    return system >= 0 && system < w->program->n_systems ? w->system_dt[system] : w->head.dt;
}

uint64_t rt_world_pace(rt_world *w) {
    if (w->budget) return rt_budget_pace_frame(w->budget);
    return rt_budget_pace(&w->pace_deadline, 1000000000u / 60u);
}

int rt_world_update_memory(rt_world *w) {
    if (!w->monitor) return RT_EINVAL;
    const rt_program *p = w->program;
    uint64_t parts = 0, resources = 0;
    for (int32_t a = 0; a < p->n_archetypes; a++) {
        uint64_t bytes = rt__table_bytes(&w->tables[a]);
        rt_monitor_set_memory_id(w->monitor, w->memory_id + a, bytes);
        parts += bytes;
    }
    for (int32_t r = 0; r < p->n_resources; r++) resources += p->resources[r].size;
    uint64_t bytes[MEMORY_PARTS] = {
        (uint64_t)w->head.entities.capacity * (sizeof(rt__slot) + sizeof(uint32_t)),
        w->cmd.capacity + rt__exec_cmd_bytes(w),
        resources,
        0, /* executor: the rest, below */
        rt_monitor_bytes(w->monitor),
        w->budget ? rt_budget_bytes(w->budget) : 0,
        rt__jobs_bytes(w),
    };
    for (int32_t k = 0; k < MEMORY_PARTS; k++) parts += bytes[k];
    bytes[3] = w->stats.bytes_live > parts ? w->stats.bytes_live - parts : 0;
    for (int32_t k = 0; k < MEMORY_PARTS; k++)
        rt_monitor_set_memory_id(w->monitor, w->memory_id + p->n_archetypes + k, bytes[k]);
    return RT_OK;
}

int rt_world_sync(rt_world *w) { return rt__cmd_apply(w, &w->cmd); }

rt_cmd *rt_world_cmd(rt_world *w) { return &w->cmd; }

uint64_t rt_world_frame_index(const rt_world *w) { return w->stats.frames; }

const rt_world_stats *rt_world_stats_get(const rt_world *w) {
    /* Measured frames leave `runs` to here (exec.c, rt__exec_account_frame):
     * every system of the plan runs in every frame. */
    if (w->monitor)
        for (int32_t i = 0; i < w->program->n_steps; i++)
            w->system_stats[w->program->steps[i].system].runs = w->stats.frames;
    return &w->stats;
}

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
        /* Tags hash as bits packed 64 rows to a word (rows >= count are
         * 0), as hash_bytes would hash such words: the hash does not
         * depend on how a table stores its tags. */
        for (int32_t k = 0; k < t->desc->n_tags; k++) {
            size_t words = (n + 63) / 64;
            for (size_t i = 0; i < words; i++) h = mix(h, rt__tag_word(t->tags[k], i));
            h = mix(h, (uint64_t)(words * 8));
        }
    }
    return h;
}
