/* test_churn.c -- suite "churn": the hot paths of creating, destroying and
 * tagging entities (runtime/world.c, the inline row push/remove and entity
 * index of runtime/rt_internal.h) and the bulk create, on
 * tests/schemas/rtest.h. Its archetypes cover every kind of row plan: AB
 * has a 4-byte column and a 12-byte one (B.w), AC a 4-byte and an 8-byte
 * one, and tags; Bonly has no tags. The timing of these paths is W3 of
 * build/ecsbench (bench/bench_w3.c); here only behaviour is checked. */
#include "test_world.h"

/* --- a model of the world: what every live entity must hold ------------- */

enum { MODEL_MAX = 4096 };

typedef struct model_entity {
    rt_entity e;
    int32_t archetype;
    float a;       /* A.v (AB, AC) */
    int32_t n;     /* B.n (AB, Bonly); B.w = {n, 2n, 3n} */
    double d;      /* C.d (AC) */
    bool t, u;     /* tags T (AB, AC) and U (AC) */
} model_entity;

typedef struct model {
    model_entity live[MODEL_MAX];
    int32_t n_live;
    rt_entity dead[MODEL_MAX];
    int32_t n_dead;
} model;

static uint64_t rng_next(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static rt_entity create_like(rt_world *w, const model_entity *m) {
    switch (m->archetype) {
    case AB_id: {
        AB_init init = {.a = {m->a}, .b = {m->n, {(float)m->n, 2.0f * m->n, 3.0f * m->n}}};
        return AB_create(w, &init);
    }
    case AC_id:
        return AC_create(w, &(AC_init){.a = {m->a}, .c = {m->d}});
    default:
        return Bonly_create(w, &(Bonly_init){.b = {m->n, {(float)m->n, 2.0f * m->n,
                                                          3.0f * m->n}}});
    }
}

static void check_entity(rt_world *w, const model_entity *m) {
    assert_true(rt_world_alive(w, m->e));
    assert_int_equal(rt_world_archetype_of(w, m->e), m->archetype);
    A a;
    B b;
    C c;
    if (m->archetype != Bonly_id) {
        assert_int_equal(A_get(w, m->e, &a), RT_OK);
        assert_true(a.v == m->a);
        assert_int_equal(T_has(w, m->e), m->t);
    }
    if (m->archetype != AC_id) {
        assert_int_equal(B_get(w, m->e, &b), RT_OK);
        assert_int_equal(b.n, m->n);
        assert_true(b.w[0] == (float)m->n && b.w[2] == 3.0f * m->n);
    }
    if (m->archetype == AC_id) {
        assert_int_equal(C_get(w, m->e, &c), RT_OK);
        assert_true(c.d == m->d);
        assert_int_equal(U_has(w, m->e), m->u);
    }
}

static void check_model(rt_world *w, const model *md) {
    int32_t per[3] = {0, 0, 0};
    for (int32_t i = 0; i < md->n_live; i++) {
        check_entity(w, &md->live[i]);
        per[md->live[i].archetype]++;
    }
    for (int32_t i = 0; i < md->n_dead; i++) assert_false(rt_world_alive(w, md->dead[i]));
    assert_int_equal(rt_world_entity_count(w), md->n_live);
    for (int32_t k = 0; k < 3; k++) assert_int_equal(rt_world_count(w, k), per[k]);
}

/* Random creates, destroys and tag switches across every archetype agree
 * with the model after every step batch: values, tags, counts, dead handles. */
static void churn_random_ops_match_model(void **state) {
    (void)state;
    static model md;
    memset(&md, 0, sizeof md);
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 16); /* small: growth happens too */
    uint64_t s = 7;
    for (int32_t step = 0; step < 20000; step++) {
        uint64_t r = rng_next(&s) % 100;
        if ((r < 45 || md.n_live == 0) && md.n_live < MODEL_MAX) {
            model_entity m = {.archetype = (int32_t)(rng_next(&s) % 3),
                              .a = (float)step, .n = step, .d = step * 0.5};
            m.e = create_like(w, &m);
            assert_false(rt_entity_is_null(m.e));
            md.live[md.n_live++] = m;
        } else if (r < 80) {
            int32_t i = (int32_t)(rng_next(&s) % (uint64_t)md.n_live);
            assert_int_equal(rt_world_destroy_entity(w, md.live[i].e), RT_OK);
            if (md.n_dead < MODEL_MAX) md.dead[md.n_dead++] = md.live[i].e;
            md.live[i] = md.live[--md.n_live];
        } else {
            model_entity *m = &md.live[rng_next(&s) % (uint64_t)md.n_live];
            bool on = rng_next(&s) & 1, which_u = rng_next(&s) & 1;
            if (m->archetype == Bonly_id) {
                assert_int_equal(T_set(w, m->e, on), RT_ENOTFOUND);
            } else if (which_u && m->archetype == AC_id) {
                assert_int_equal(U_set(w, m->e, on), RT_OK);
                m->u = on;
            } else {
                assert_int_equal(T_set(w, m->e, on), RT_OK);
                m->t = on;
            }
        }
        if (step % 997 == 0) check_model(w, &md);
    }
    check_model(w, &md);
    assert_int_equal(log.errors, 0);
    rt_world_destroy(w);
}

/* Slots are reused last freed, first taken, each with a new generation. */
static void churn_slot_reuse_is_lifo(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity a = AB_create(w, NULL), b = AB_create(w, NULL), c = AB_create(w, NULL);
    rt_world_destroy_entity(w, a);
    rt_world_destroy_entity(w, b);
    rt_entity x = AB_create(w, NULL), y = AB_create(w, NULL), z = AB_create(w, NULL);
    assert_int_equal(x.index, b.index);
    assert_int_equal(x.gen, b.gen + 1);
    assert_int_equal(y.index, a.index);
    assert_int_equal(y.gen, a.gen + 1);
    assert_true(z.index != a.index && z.index != b.index && z.index != c.index);
    assert_int_equal(rt_world_entity_count(w), 4);
    rt_world_destroy(w);
}

/* Destroying the entity in the last row clears its tags there: the next
 * entity in that row starts without them. */
static void churn_destroy_last_row_clears_its_tags(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e[3];
    for (int i = 0; i < 3; i++) e[i] = AC_create(w, NULL);
    assert_int_equal(T_set(w, e[2], true), RT_OK);
    assert_int_equal(U_set(w, e[2], true), RT_OK);
    assert_int_equal(rt_world_destroy_entity(w, e[2]), RT_OK); /* the last row */
    rt_entity f = AC_create(w, NULL);
    assert_int_equal(T_has(w, f), 0);
    assert_int_equal(U_has(w, f), 0);
    /* and a tagged last row moved into a hole keeps its tags */
    assert_int_equal(T_set(w, f, true), RT_OK);
    assert_int_equal(rt_world_destroy_entity(w, e[0]), RT_OK);
    assert_int_equal(T_has(w, f), 1);
    assert_int_equal(U_has(w, f), 0);
    assert_int_equal(T_has(w, e[1]), 0);
    rt_world_destroy(w);
}

/* A bulk create leaves the world exactly as the same creates one at a time
 * would: same handles, same columns, same hash. */
static void churn_bulk_create_matches_one_at_a_time(void **state) {
    (void)state;
    enum { N = 1000 }; /* several blocks, and growth from capacity 16 */
    static AB_init in[N];
    static rt_entity bulk[N];
    for (int i = 0; i < N; i++)
        in[i] = (AB_init){.a = {i * 0.25f}, .b = {i, {(float)i, i + 0.5f, -(float)i}}};
    rt_world *w1 = test_world(NULL, NULL, 16), *w2 = test_world(NULL, NULL, 16);
    /* some dead slots first, so both take from the free stack too */
    for (int i = 0; i < 10; i++) {
        rt_world_destroy_entity(w1, AB_create(w1, NULL));
        rt_world_destroy_entity(w2, AB_create(w2, NULL));
    }
    for (int i = 0; i < N; i++) {
        rt_entity e = AB_create(w1, &in[i]);
        assert_false(rt_entity_is_null(e));
        bulk[i] = e; /* compared below */
    }
    static rt_entity out[N];
    assert_int_equal(rt_world_create_entities(w2, AB_id, N, in, out), RT_OK);
    for (int i = 0; i < N; i++) assert_true(rt_entity_eq(out[i], bulk[i]));
    assert_int_equal(rt_world_count(w2, AB_id), N);
    assert_int_equal(rt_world_entity_count(w2), N);
    assert_true(rt_world_hash(w1) == rt_world_hash(w2));
    B b;
    assert_int_equal(B_get(w2, out[N - 1], &b), RT_OK);
    assert_int_equal(b.n, N - 1);
    assert_true(b.w[2] == -(float)(N - 1));
    rt_world_destroy(w1);
    rt_world_destroy(w2);
}

/* AC has an 8-byte column; NULL inits are zeros; out may be NULL. */
static void churn_bulk_create_zeros_and_8_byte_columns(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    AC_init in[3] = {{.a = {1}, .c = {1.5}}, {.a = {2}, .c = {2.5}}, {.a = {3}, .c = {-3.5}}};
    rt_entity e[3];
    assert_int_equal(rt_world_create_entities(w, AC_id, 3, in, e), RT_OK);
    assert_int_equal(rt_world_create_entities(w, AC_id, 2, NULL, NULL), RT_OK);
    assert_int_equal(rt_world_count(w, AC_id), 5);
    C c;
    assert_int_equal(C_get(w, e[2], &c), RT_OK);
    assert_true(c.d == -3.5);
    rt_table *t = rt_world_table(w, AC_id);
    for (int32_t row = 3; row < 5; row++) {
        assert_true(((float *)t->columns[0])[row] == 0.0f);
        assert_true(((double *)t->columns[1])[row] == 0.0);
        assert_int_equal(T_has(w, t->entities[row]), 0);
    }
    rt_world_destroy(w);
}

static void churn_bulk_create_rejects_bad_arguments(void **state) {
    (void)state;
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 0);
    assert_int_equal(rt_world_create_entities(w, -1, 3, NULL, NULL), RT_EINVAL);
    assert_int_equal(rt_world_create_entities(w, rtest_program.n_archetypes, 3, NULL, NULL),
                     RT_EINVAL);
    assert_int_equal(rt_world_create_entities(w, AB_id, -1, NULL, NULL), RT_EINVAL);
    assert_int_equal(log.errors, 3);
    assert_int_equal(rt_world_create_entities(w, AB_id, 0, NULL, NULL), RT_OK);
    assert_int_equal(rt_world_entity_count(w), 0);
    assert_true(rt_entity_is_null(rt_world_create_entity(w, 99, NULL)));
    assert_int_equal(log.errors, 4);
    rt_world_destroy(w);
}

/* Out of memory at any allocation of a bulk create: an error, nothing
 * created, nothing leaked, and the world still works. */
static void churn_bulk_create_is_all_or_nothing(void **state) {
    (void)state;
    enum { N = 5000 };
    for (int64_t k = 1; k < 16; k++) {
        test_alloc a = {0};
        test_log log = {0};
        rt_world *w = test_world(&a, &log, 16);
        assert_non_null(w);
        rt_entity keep = AB_create(w, &(AB_init){.a = {9}});
        a.fail_at = a.calls + k;
        int err = rt_world_create_entities(w, AB_id, N, NULL, NULL);
        if (err == RT_OK) {
            assert_int_equal(rt_world_count(w, AB_id), N + 1);
        } else {
            assert_int_equal(err, RT_ENOMEM);
            assert_true(log.errors > 0);
            assert_int_equal(rt_world_count(w, AB_id), 1);
            assert_int_equal(rt_world_entity_count(w), 1);
        }
        A v;
        assert_int_equal(A_get(w, keep, &v), RT_OK);
        assert_true(v.v == 9.0f);
        a.fail_at = 0;
        assert_int_equal(rt_world_create_entities(w, AB_id, 10, NULL, NULL), RT_OK);
        rt_world_destroy(w);
        assert_int_equal(a.outstanding, 0);
    }
}

/* Out of memory while growing for a single create: null handle, logged,
 * nothing half made. */
static void churn_create_out_of_memory_makes_nothing(void **state) {
    (void)state;
    test_alloc a = {0};
    test_log log = {0};
    rt_world *w = test_world(&a, &log, 64);
    for (int i = 0; i < 64; i++) AB_create(w, NULL); /* table full now */
    a.fail_at = a.calls + 1;
    assert_true(rt_entity_is_null(AB_create(w, NULL)));
    assert_int_equal(log.errors, 1);
    assert_non_null(strstr(log.last, "out of memory"));
    assert_int_equal(rt_world_count(w, AB_id), 64);
    assert_int_equal(rt_world_entity_count(w), 64);
    assert_false(rt_entity_is_null(AB_create(w, NULL))); /* later it works */
    rt_world_destroy(w);
    assert_int_equal(a.outstanding, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(churn_random_ops_match_model),
        cmocka_unit_test(churn_slot_reuse_is_lifo),
        cmocka_unit_test(churn_destroy_last_row_clears_its_tags),
        cmocka_unit_test(churn_bulk_create_matches_one_at_a_time),
        cmocka_unit_test(churn_bulk_create_zeros_and_8_byte_columns),
        cmocka_unit_test(churn_bulk_create_rejects_bad_arguments),
        cmocka_unit_test(churn_bulk_create_is_all_or_nothing),
        cmocka_unit_test(churn_create_out_of_memory_makes_nothing),
    };
    return cmocka_run_group_tests_name("churn", tests, NULL, NULL);
}
