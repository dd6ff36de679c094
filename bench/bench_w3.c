/* bench_w3.c -- workload W3, churn: N entities (1M) with Position and
 * Velocity created one at a time through the public API (Body_create), then
 * destroyed one at a time in creation order; then tag Marked switched on and
 * off on each of N live entities (Marked_set). Metric: ns per operation.
 * Schema: bench/schemas/churn.h.
 *
 * Every timed repetition reuses one world, so after the warm-up its tables
 * and entity index have their capacity: the figures are the steady-state
 * cost of an operation. The "fresh_world" variant creates into a new world
 * every repetition and so includes growing it; "bulk" creates the N
 * entities with one rt_world_create_entities call. Each repetition is
 * checked: counts, sampled entities' components against their init values,
 * stale handles after destroy, and the tag bits set or clear. */
#include "bench.h"
#include "churn.h"

#include <stdlib.h>
#include <string.h>

#define W3_SAMPLES 64

static Body_init w3_init(int64_t i) {
    return (Body_init){
        .position = {bench_value(0x3000u, (uint64_t)i), bench_value(0x3001u, (uint64_t)i)},
        .velocity = {bench_value(0x3002u, (uint64_t)i), bench_value(0x3003u, (uint64_t)i)},
    };
}

static int w3_check_created(rt_world *w, const rt_entity *e, int32_t n, const char *what) {
    if (rt_world_count(w, Body_id) != n || rt_world_entity_count(w) != n)
        return bench_fail("W3", "%s: %d entities, expected %d", what, rt_world_count(w, Body_id), n);
    for (int32_t k = 0; k < W3_SAMPLES; k++) {
        int32_t i = bench_sample_index(n, k, W3_SAMPLES);
        Body_init ref = w3_init(i);
        Position p;
        Velocity v;
        if (Position_get(w, e[i], &p) != RT_OK || Velocity_get(w, e[i], &v) != RT_OK ||
            memcmp(&p, &ref.position, sizeof p) || memcmp(&v, &ref.velocity, sizeof v))
            return bench_fail("W3", "%s: entity %d does not hold its init values", what, i);
    }
    return 0;
}

static int w3_check_destroyed(rt_world *w, const rt_entity *e, int32_t n) {
    if (rt_world_count(w, Body_id) != 0 || rt_world_entity_count(w) != 0)
        return bench_fail("W3", "destroy: %d entities left", rt_world_count(w, Body_id));
    for (int32_t k = 0; k < W3_SAMPLES; k++)
        if (rt_world_alive(w, e[bench_sample_index(n, k, W3_SAMPLES)]))
            return bench_fail("W3", "destroy: a destroyed entity is alive");
    return 0;
}

/* Entities with tag Marked, counted from the table's bit column, and a
 * sample asked through the API. */
static int w3_check_tags(rt_world *w, const rt_entity *e, int32_t n, bool on) {
    const rt_table *t = rt_world_table(w, Body_id);
    int64_t set = 0;
    for (int32_t i = 0; i < (n + 63) / 64; i++) set += __builtin_popcountll(t->tag_bits[0][i]);
    if (set != (on ? n : 0))
        return bench_fail("W3", "tag_%s: %lld entities tagged, expected %d", on ? "on" : "off",
                          (long long)set, on ? n : 0);
    for (int32_t k = 0; k < W3_SAMPLES; k++)
        if (Marked_has(w, e[bench_sample_index(n, k, W3_SAMPLES)]) != (int)on)
            return bench_fail("W3", "tag_%s: a sampled entity disagrees", on ? "on" : "off");
    return 0;
}

static int w3_add(const char *op, const char *variant, int32_t n, const bench_samples *s) {
    bench_row row = bench_row_init("W3", "ns_per_op");
    row.op = op;
    row.variant = variant;
    row.entities = n;
    bench_row_set(&row, s);
    return bench_add_row(&row);
}

static rt_world *w3_world(void) {
    return rt_world_create(&(rt_world_desc){.program = &churn_program, .threads = 1});
}

/* create and destroy, one at a time, in one world */
static int w3_create_destroy(const bench_opts *o, int32_t n, const Body_init *in, rt_entity *e) {
    int err = -1;
    bench_samples cs = {0}, ds = {0};
    rt_world *w = w3_world();
    if (!w) return bench_fail("W3", "out of memory");
    for (int32_t r = -1; r < o->reps; r++) {
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) e[i] = Body_create(w, &in[i]);
        uint64_t t1 = bench_now_ns();
        for (int32_t i = 0; i < n; i++)
            if (rt_entity_is_null(e[i])) {
                bench_fail("W3", "create failed");
                goto done;
            }
        if (w3_check_created(w, e, n, "create") != 0) goto done;
        int failed = 0;
        uint64_t t2 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= rt_world_destroy_entity(w, e[i]);
        uint64_t t3 = bench_now_ns();
        if (failed) {
            bench_fail("W3", "destroy failed");
            goto done;
        }
        if (w3_check_destroyed(w, e, n) != 0) goto done;
        if (r < 0) continue;
        bench_samples_add(&cs, (double)(t1 - t0) / n);
        bench_samples_add(&ds, (double)(t3 - t2) / n);
    }
    err = w3_add("create", NULL, n, &cs) || w3_add("destroy", NULL, n, &ds) ? -1 : 0;
done:
    rt_world_destroy(w);
    return err;
}

/* create one at a time into a new world each repetition: growth included */
static int w3_create_fresh(const bench_opts *o, int32_t n, const Body_init *in, rt_entity *e) {
    bench_samples cs = {0};
    for (int32_t r = -1; r < o->reps; r++) {
        rt_world *w = w3_world();
        if (!w) return bench_fail("W3", "out of memory");
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) e[i] = Body_create(w, &in[i]);
        uint64_t t1 = bench_now_ns();
        int err = w3_check_created(w, e, n, "create fresh_world");
        rt_world_destroy(w);
        if (err) return -1;
        if (r >= 0) bench_samples_add(&cs, (double)(t1 - t0) / n);
    }
    return w3_add("create", "fresh_world", n, &cs);
}

/* tag on, tag off on n live entities */
static int w3_tags(const bench_opts *o, int32_t n, const Body_init *in, rt_entity *e) {
    int err = -1;
    bench_samples on = {0}, off = {0};
    rt_world *w = w3_world();
    if (!w) return bench_fail("W3", "out of memory");
    for (int32_t i = 0; i < n; i++) {
        e[i] = Body_create(w, &in[i]);
        if (rt_entity_is_null(e[i])) {
            bench_fail("W3", "create failed");
            goto done;
        }
    }
    for (int32_t r = -1; r < o->reps; r++) {
        int failed = 0;
        uint64_t t0 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= Marked_set(w, e[i], true);
        uint64_t t1 = bench_now_ns();
        if (failed || w3_check_tags(w, e, n, true) != 0) {
            bench_fail("W3", "tag on failed");
            goto done;
        }
        uint64_t t2 = bench_now_ns();
        for (int32_t i = 0; i < n; i++) failed |= Marked_set(w, e[i], false);
        uint64_t t3 = bench_now_ns();
        if (failed || w3_check_tags(w, e, n, false) != 0) {
            bench_fail("W3", "tag off failed");
            goto done;
        }
        if (r < 0) continue;
        bench_samples_add(&on, (double)(t1 - t0) / n);
        bench_samples_add(&off, (double)(t3 - t2) / n);
    }
    err = w3_add("tag_on", NULL, n, &on) || w3_add("tag_off", NULL, n, &off) ? -1 : 0;
done:
    rt_world_destroy(w);
    return err;
}

int bench_w3_run(const bench_opts *o) {
    const int32_t n = o->entities > 0 ? (int32_t)o->entities : 1000000;
    /* The init values are made before timing: the figures are of the
     * runtime, not of making up data. */
    rt_entity *e = bench_alloc(sizeof(rt_entity) * (size_t)n);
    Body_init *in = bench_alloc(sizeof(Body_init) * (size_t)n);
    if (!e || !in) {
        free(e), free(in);
        return bench_fail("W3", "out of memory");
    }
    for (int32_t i = 0; i < n; i++) in[i] = w3_init(i);
    int err = w3_create_destroy(o, n, in, e);
    if (!err) err = w3_create_fresh(o, n, in, e);
    if (!err) err = w3_tags(o, n, in, e);
    free(e), free(in);
    return err;
}
