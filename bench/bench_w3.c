/* bench_w3.c -- workload W3, churn: N entities (1M) with Position and
 * Velocity created one at a time through the public API (Body_create), then
 * destroyed one at a time in creation order; then tag Marked switched on and
 * off on each of N live entities (Marked_set). Metric: ns per operation.
 * Schema: bench/schemas/churn.h; floors: bench/churn_floor.c.
 *
 * Every timed repetition reuses one world, so after the warm-up its tables
 * and entity index have their capacity: the figures are the steady-state
 * cost of an operation. Variants: "fresh_world" creates into a new world
 * every repetition and so includes growing it; "bulk" creates the N
 * entities with one rt_world_create_entities call. The floor of each op is
 * the same data movement on plain SoA arrays (no entity index), in the same
 * order. Each repetition is checked: counts, sampled entities' components
 * against their init values, stale handles after destroy, the tags set
 * or clear, and the floor's arrays against the world's columns. */
#include "bench.h"
#include "churn.h"
#include "floor.h"

#include <stdlib.h>
#include <string.h>

#define W3_SAMPLES 64

_Static_assert(sizeof(Body_init) == 4 * sizeof(float),
               "churn_floor_create reads Body_init as four floats");

static Body_init w3_init(int64_t i) {
    return (Body_init){
        .position = {bench_value(0x3000u, (uint64_t)i), bench_value(0x3001u, (uint64_t)i)},
        .velocity = {bench_value(0x3002u, (uint64_t)i), bench_value(0x3003u, (uint64_t)i)},
    };
}

/* What every part of W3 shares: the init values, the handles, the floor's
 * arrays and the rows the world removed, in order. */
typedef struct w3_data {
    int32_t n;
    Body_init *in;      /* [n], made before any timing */
    rt_entity *e;       /* [n] */
    int32_t *rows;      /* [n]: row of the k-th destroy */
    churn_soa soa;
    uint8_t *tags;      /* [n]: the tag floor */
} w3_data;

static int w3_check_created(rt_world *w, const w3_data *d, const char *what) {
    const int32_t n = d->n;
    if (rt_world_count(w, Body_id) != n || rt_world_entity_count(w) != n)
        return bench_fail("W3", "%s: %d entities, expected %d", what, rt_world_count(w, Body_id), n);
    for (int32_t k = 0; k < W3_SAMPLES; k++) {
        int32_t i = bench_sample_index(n, k, W3_SAMPLES);
        Position p;
        Velocity v;
        if (Position_get(w, d->e[i], &p) != RT_OK || Velocity_get(w, d->e[i], &v) != RT_OK ||
            memcmp(&p, &d->in[i].position, sizeof p) || memcmp(&v, &d->in[i].velocity, sizeof v))
            return bench_fail("W3", "%s: entity %d does not hold its init values", what, i);
    }
    return 0;
}

static int w3_check_destroyed(rt_world *w, const w3_data *d) {
    if (rt_world_count(w, Body_id) != 0 || rt_world_entity_count(w) != 0)
        return bench_fail("W3", "destroy: %d entities left", rt_world_count(w, Body_id));
    for (int32_t k = 0; k < W3_SAMPLES; k++)
        if (rt_world_alive(w, d->e[bench_sample_index(d->n, k, W3_SAMPLES)]))
            return bench_fail("W3", "destroy: a destroyed entity is alive");
    return 0;
}

/* Entities with tag Marked, counted from the table's tag column, and a
 * sample asked through the API; the floor's tags must say the same. */
static int w3_check_tags(rt_world *w, const w3_data *d, bool on) {
    const rt_table *t = rt_world_table(w, Body_id);
    int64_t set = 0, floor_set = 0;
    for (int32_t i = 0; i < d->n; i++) {
        set += t->tags[0][i];
        floor_set += d->tags[i];
    }
    if (set != (on ? d->n : 0) || floor_set != set)
        return bench_fail("W3", "tag_%s: %lld entities tagged (floor %lld), expected %d",
                          on ? "on" : "off", (long long)set, (long long)floor_set,
                          on ? d->n : 0);
    for (int32_t k = 0; k < W3_SAMPLES; k++)
        if (Marked_has(w, d->e[bench_sample_index(d->n, k, W3_SAMPLES)]) != (int)on)
            return bench_fail("W3", "tag_%s: a sampled entity disagrees", on ? "on" : "off");
    return 0;
}

/* The floor must hold what the world holds, row by row (columns 0..3 of
 * Body are Position.x, .y, Velocity.x, .y). */
static int w3_check_floor(rt_world *w, const w3_data *d, const char *what) {
    const rt_table *t = rt_world_table(w, Body_id);
    const float *fl[4] = {d->soa.px, d->soa.py, d->soa.vx, d->soa.vy};
    if (d->soa.count != t->count)
        return bench_fail("W3", "%s: floor has %d rows, world %d", what, d->soa.count, t->count);
    for (int c = 0; c < 4; c++)
        if (memcmp(t->columns[c], fl[c], sizeof(float) * (size_t)t->count))
            return bench_fail("W3", "%s: floor column %d differs from the world's", what, c);
    return 0;
}

/* The rows destroying d->e[0], d->e[1], ... removes, in order: a swap-remove
 * replayed on plain index arrays (untimed). Requires e[i] at row i. */
static void w3_destroy_rows(w3_data *d, int32_t *row_of, int32_t *at_row) {
    const int32_t n = d->n;
    for (int32_t i = 0; i < n; i++) row_of[i] = at_row[i] = i;
    for (int32_t k = 0, count = n; k < n; k++) {
        int32_t r = row_of[k], last = --count;
        d->rows[k] = r;
        at_row[r] = at_row[last];
        row_of[at_row[r]] = r;
    }
}

static int w3_add(const char *op, const char *variant, int32_t n, const bench_samples *s,
                  const bench_samples *floor) {
    bench_row row = bench_row_init("W3", "ns_per_op");
    row.op = op;
    row.variant = variant;
    row.entities = n;
    bench_row_set(&row, s);
    if (floor) row.floor = bench_median(floor);
    return bench_add_row(&row);
}

static rt_world *w3_world(void) {
    return rt_world_create(&(rt_world_desc){.program = &churn_program, .threads = 1});
}

static double per_op(uint64_t t0, uint64_t t1, int32_t n) { return (double)(t1 - t0) / n; }

/* create and destroy, one at a time, in one world; then bulk create */
static int w3_create_destroy(const bench_opts *o, w3_data *d) {
    const int32_t n = d->n;
    const float(*in4)[4] = (const float(*)[4])d->in;
    int err = -1;
    bench_samples cs = {0}, ds = {0}, bs = {0}, cf = {0}, df = {0};
    rt_world *w = w3_world();
    if (!w) return bench_fail("W3", "out of memory");
    for (int32_t r = -1; r < o->reps; r++) { /* r == -1: warm-up */
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) d->e[i] = Body_create(w, &d->in[i]);
        uint64_t t1 = bench_now_ns();
        churn_floor_create(&d->soa, in4, n);
        uint64_t t2 = bench_now_ns();
        for (int32_t i = 0; i < n; i++)
            if (rt_entity_is_null(d->e[i])) {
                bench_fail("W3", "create failed");
                goto done;
            }
        if (w3_check_created(w, d, "create") || w3_check_floor(w, d, "create")) goto done;
        int failed = 0;
        uint64_t t3 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= rt_world_destroy_entity(w, d->e[i]);
        uint64_t t4 = bench_now_ns();
        churn_floor_destroy(&d->soa, d->rows, n);
        uint64_t t5 = bench_now_ns();
        if (failed) {
            bench_fail("W3", "destroy failed");
            goto done;
        }
        if (w3_check_destroyed(w, d) || w3_check_floor(w, d, "destroy")) goto done;
        /* bulk: the same entities in one call (floor: the same as above) */
        uint64_t t6 = bench_now_ns();
        int bulk = rt_world_create_entities(w, Body_id, n, d->in, d->e);
        uint64_t t7 = bench_now_ns();
        if (bulk != RT_OK) {
            bench_fail("W3", "bulk create failed: %s", rt_error_string(bulk));
            goto done;
        }
        if (w3_check_created(w, d, "create bulk")) goto done;
        for (int32_t i = 0; i < n; i++) failed |= rt_world_destroy_entity(w, d->e[i]);
        if (failed || w3_check_destroyed(w, d)) {
            bench_fail("W3", "destroy after bulk create failed");
            goto done;
        }
        if (r < 0) continue;
        bench_samples_add(&cs, per_op(t0, t1, n));
        bench_samples_add(&cf, per_op(t1, t2, n));
        bench_samples_add(&ds, per_op(t3, t4, n));
        bench_samples_add(&df, per_op(t4, t5, n));
        bench_samples_add(&bs, per_op(t6, t7, n));
    }
    err = w3_add("create", NULL, n, &cs, &cf) || w3_add("destroy", NULL, n, &ds, &df) ||
                  w3_add("create", "bulk", n, &bs, &cf)
              ? -1
              : 0;
done:
    rt_world_destroy(w);
    return err;
}

/* create one at a time into a new world each repetition: growth included */
static int w3_create_fresh(const bench_opts *o, w3_data *d) {
    bench_samples cs = {0};
    for (int32_t r = -1; r < o->reps; r++) {
        rt_world *w = w3_world();
        if (!w) return bench_fail("W3", "out of memory");
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < d->n; i++) d->e[i] = Body_create(w, &d->in[i]);
        uint64_t t1 = bench_now_ns();
        int err = w3_check_created(w, d, "create fresh_world");
        rt_world_destroy(w);
        if (err) return -1;
        if (r >= 0) bench_samples_add(&cs, per_op(t0, t1, d->n));
    }
    return w3_add("create", "fresh_world", d->n, &cs, NULL);
}

/* tag on, tag off on n live entities */
static int w3_tags(const bench_opts *o, w3_data *d) {
    const int32_t n = d->n;
    int err = -1;
    bench_samples on = {0}, off = {0}, onf = {0}, offf = {0};
    rt_world *w = w3_world();
    if (!w) return bench_fail("W3", "out of memory");
    for (int32_t i = 0; i < n; i++) {
        d->e[i] = Body_create(w, &d->in[i]);
        if (rt_entity_is_null(d->e[i])) {
            bench_fail("W3", "create failed");
            goto done;
        }
    }
    for (int32_t r = -1; r < o->reps; r++) {
        int failed = 0;
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= Marked_set(w, d->e[i], true);
        uint64_t t1 = bench_now_ns();
        churn_floor_tags(d->tags, n, true);
        uint64_t t2 = bench_now_ns();
        if (failed || w3_check_tags(w, d, true) != 0) {
            bench_fail("W3", "tag on failed");
            goto done;
        }
        uint64_t t3 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= Marked_set(w, d->e[i], false);
        uint64_t t4 = bench_now_ns();
        churn_floor_tags(d->tags, n, false);
        uint64_t t5 = bench_now_ns();
        if (failed || w3_check_tags(w, d, false) != 0) {
            bench_fail("W3", "tag off failed");
            goto done;
        }
        if (r < 0) continue;
        bench_samples_add(&on, per_op(t0, t1, n));
        bench_samples_add(&onf, per_op(t1, t2, n));
        bench_samples_add(&off, per_op(t3, t4, n));
        bench_samples_add(&offf, per_op(t4, t5, n));
    }
    err = w3_add("tag_on", NULL, n, &on, &onf) || w3_add("tag_off", NULL, n, &off, &offf) ? -1 : 0;
done:
    rt_world_destroy(w);
    return err;
}

int bench_w3_run(const bench_opts *o) {
    w3_data d = {.n = o->entities > 0 ? (int32_t)o->entities : 1000000};
    const size_t n = (size_t)d.n;
    int32_t *row_of = bench_alloc(sizeof(int32_t) * n), *at_row = bench_alloc(sizeof(int32_t) * n);
    d.in = bench_alloc(sizeof(Body_init) * n);
    d.e = bench_alloc(sizeof(rt_entity) * n);
    d.rows = bench_alloc(sizeof(int32_t) * n);
    d.soa = (churn_soa){bench_alloc(sizeof(float) * n), bench_alloc(sizeof(float) * n),
                        bench_alloc(sizeof(float) * n), bench_alloc(sizeof(float) * n), 0};
    d.tags = bench_alloc(n);
    int err = -1;
    if (!row_of || !at_row || !d.in || !d.e || !d.rows || !d.soa.px || !d.soa.py ||
        !d.soa.vx || !d.soa.vy || !d.tags) {
        bench_fail("W3", "out of memory");
        goto done;
    }
    /* The data is made before any timing: the figures are of the runtime,
     * not of making up values. */
    for (int32_t i = 0; i < d.n; i++) d.in[i] = w3_init(i);
    w3_destroy_rows(&d, row_of, at_row);
    err = w3_create_destroy(o, &d);
    if (!err) err = w3_create_fresh(o, &d);
    if (!err) err = w3_tags(o, &d);
done:
    free(row_of), free(at_row), free(d.in), free(d.e), free(d.rows);
    free(d.soa.px), free(d.soa.py), free(d.soa.vx), free(d.soa.vy), free(d.tags);
    return err;
}
