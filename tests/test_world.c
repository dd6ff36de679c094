/* test_world.c -- suite "world": entities, SoA storage, tags, filters,
 * resources, hashing and allocation failure, on tests/schemas/rtest.h. */
#include "test_world.h"

static rt_entity make_ab(rt_world *w, float v, int32_t n) {
    AB_init init = {.a = {v}, .b = {.n = n, .w = {n * 1.0f, n * 2.0f, n * 3.0f}}};
    return AB_create(w, &init);
}

static void world_create_empty_is_empty(void **state) {
    (void)state;
    test_alloc a = {0};
    rt_world *w = test_world(&a, NULL, 0);
    assert_non_null(w);
    assert_int_equal(rt_world_entity_count(w), 0);
    assert_int_equal(rt_world_count(w, AB_id), 0);
    assert_int_equal(rt_world_frame(w, 0.016f), RT_OK);
    rt_world_destroy(w);
    assert_int_equal(a.outstanding, 0);
}

static void world_desc_without_program_fails(void **state) {
    (void)state;
    assert_null(rt_world_create(&(rt_world_desc){0}));
    assert_null(rt_world_create(NULL));
}

static void entity_create_then_get_returns_init(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e = make_ab(w, 1.5f, 7);
    assert_false(rt_entity_is_null(e));
    assert_true(rt_world_alive(w, e));
    assert_int_equal(rt_world_archetype_of(w, e), AB_id);
    A a;
    B b;
    assert_int_equal(A_get(w, e, &a), RT_OK);
    assert_int_equal(B_get(w, e, &b), RT_OK);
    assert_true(a.v == 1.5f);
    assert_int_equal(b.n, 7);
    assert_true(b.w[2] == 21.0f);
    C c;
    assert_int_equal(C_get(w, e, &c), RT_ENOTFOUND);
    rt_world_destroy(w);
}

static void entity_set_changes_columns(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e = make_ab(w, 1.0f, 1);
    assert_int_equal(B_set(w, e, (B){.n = 42, .w = {4, 5, 6}}), RT_OK);
    rt_table *t = rt_world_table(w, AB_id);
    assert_int_equal(((int32_t *)t->columns[1])[0], 42); /* B.n is column 1 */
    assert_true(((float(*)[3])t->columns[2])[0][1] == 5.0f);
    rt_world_destroy(w);
}

static void entity_destroy_makes_handle_stale(void **state) {
    (void)state;
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 0);
    rt_entity e = make_ab(w, 1.0f, 1);
    assert_int_equal(rt_world_destroy_entity(w, e), RT_OK);
    assert_false(rt_world_alive(w, e));
    assert_int_equal(rt_world_destroy_entity(w, e), RT_ESTALE);
    A a;
    assert_int_equal(A_get(w, e, &a), RT_ESTALE);
    assert_int_equal(T_set(w, e, true), RT_ESTALE);
    const rt_world_stats *st = rt_world_stats_get(w);
    assert_int_equal(st->stale_handles, 3);
    assert_int_equal(log.errors, 3);
    assert_non_null(strstr(log.last, "stale entity handle"));
    rt_world_destroy(w);
}

static void entity_slot_reuse_bumps_generation(void **state) {
    (void)state;
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 0);
    rt_entity e1 = make_ab(w, 1.0f, 1);
    rt_world_destroy_entity(w, e1);
    rt_entity e2 = make_ab(w, 2.0f, 2);
    assert_int_equal(e2.index, e1.index);
    assert_int_equal(e2.gen, e1.gen + 1);
    assert_false(rt_world_alive(w, e1));
    A a;
    assert_int_equal(A_get(w, e1, &a), RT_ESTALE); /* not the new occupant */
    assert_int_equal(A_get(w, e2, &a), RT_OK);
    assert_true(a.v == 2.0f);
    assert_true(rt_entity_is_null(RT_ENTITY_NULL));
    assert_false(rt_world_alive(w, RT_ENTITY_NULL));
    rt_world_destroy(w);
}

static void entity_destroy_moves_last_row_and_index_follows(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e[5];
    for (int i = 0; i < 5; i++) e[i] = make_ab(w, (float)i, i);
    assert_int_equal(rt_world_destroy_entity(w, e[1]), RT_OK);
    assert_int_equal(rt_world_destroy_entity(w, e[0]), RT_OK);
    assert_int_equal(rt_world_count(w, AB_id), 3);
    for (int i = 2; i < 5; i++) {
        A a;
        B b;
        assert_int_equal(A_get(w, e[i], &a), RT_OK);
        assert_int_equal(B_get(w, e[i], &b), RT_OK);
        assert_true(a.v == (float)i);
        assert_int_equal(b.n, i);
        assert_true(b.w[1] == i * 2.0f);
    }
    rt_world_destroy(w);
}

static void table_grows_keeping_data_and_alignment(void **state) {
    (void)state;
    test_alloc a = {0};
    rt_world *w = test_world(&a, NULL, 16);
    enum { N = 100000 };
    static rt_entity e[N];
    for (int i = 0; i < N; i++) e[i] = make_ab(w, (float)i, i);
    rt_table *t = rt_world_table(w, AB_id);
    assert_int_equal(t->count, N);
    assert_true(t->capacity >= N);
    assert_int_equal(t->capacity % 64, 0);
    for (int c = 0; c < t->desc->n_columns; c++)
        assert_int_equal((uintptr_t)t->columns[c] % 64, 0);
    for (int i = 0; i < N; i += 997) {
        B b;
        assert_int_equal(B_get(w, e[i], &b), RT_OK);
        assert_int_equal(b.n, i);
    }
    /* Growth doubles: far fewer allocations than entities. */
    assert_true(a.calls < 200);
    rt_world_destroy(w);
    assert_int_equal(a.outstanding, 0);
}

static void table_reserve_then_create_allocates_nothing(void **state) {
    (void)state;
    test_alloc a = {0};
    rt_world *w = test_world(&a, NULL, 16);
    assert_int_equal(rt_world_reserve(w, AB_id, 5000), RT_OK);
    int64_t before = a.calls;
    for (int i = 0; i < 5000; i++) make_ab(w, 0, i);
    assert_int_equal(a.calls, before);
    rt_world_destroy(w);
}

static void tag_switches_without_moving(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e = make_ab(w, 1.0f, 1);
    rt_entity f = make_ab(w, 2.0f, 2);
    assert_int_equal(T_has(w, e), 0);
    assert_int_equal(T_set(w, e, true), RT_OK);
    assert_int_equal(T_has(w, e), 1);
    assert_int_equal(T_has(w, f), 0);
    assert_int_equal(T_set(w, e, true), RT_OK); /* idempotent */
    assert_int_equal(T_set(w, e, false), RT_OK);
    assert_int_equal(T_has(w, e), 0);
    assert_int_equal(U_set(w, e, true), RT_ENOTFOUND); /* AB has no U */
    assert_int_equal(U_has(w, e), 0);
    assert_int_equal(rt_world_set_tag(w, e, 99, true), RT_EINVAL);
    rt_world_destroy(w);
}

static void tags_follow_swap_remove(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    enum { N = 130 }; /* crosses two 64-row words of a filter */
    rt_entity e[N];
    for (int i = 0; i < N; i++) {
        e[i] = make_ab(w, 0, i);
        if (i % 3 == 0) T_set(w, e[i], true);
    }
    T_set(w, e[N - 1], true);
    rt_world_destroy_entity(w, e[5]);   /* e[N-1] moves into row 5 */
    rt_world_destroy_entity(w, e[64]);
    for (int i = 0; i < N; i++) {
        if (i == 5 || i == 64) continue;
        int want = (i % 3 == 0) || i == N - 1;
        assert_int_equal(T_has(w, e[i]), want);
    }
    /* A new entity in a recycled row starts without tags. */
    rt_entity g = make_ab(w, 0, 0);
    assert_int_equal(T_has(w, g), 0);
    rt_world_destroy(w);
}

/* The filter's runs cover exactly the rows a brute-force check passes. */
static void filter_runs_match_brute_force(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    enum { N = 1000 };
    uint64_t s = 12345;
    for (int i = 0; i < N; i++) {
        rt_entity e = AC_create(w, &(AC_init){.a = {0}});
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        if ((s >> 33) % 3 == 0) T_set(w, e, true);
        if ((s >> 40) % 5 == 0) U_set(w, e, true);
        if (i >= 200 && i < 400) T_set(w, e, true); /* a long run across words */
    }
    rt_table *t = rt_world_table(w, AC_id);
    const rt_filter filters[] = {
        {0, 0, {0}, {0}}, {1, 0, {0}, {0}}, {0, 1, {0}, {0}}, {1, 1, {0}, {1}}, {2, 0, {0, 1}, {0}},
    };
    const int32_t ranges[][2] = {{0, N}, {3, 997}, {64, 128}, {63, 65}, {500, 500}};
    for (size_t fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
        for (size_t ri = 0; ri < sizeof ranges / sizeof ranges[0]; ri++) {
            const rt_filter *f = &filters[fi];
            char seen[N] = {0};
            int32_t pos = ranges[ri][0], lo, hi, prev_hi = -1;
            while (rt_table_next_run(t, f, &pos, ranges[ri][1], &lo, &hi)) {
                assert_true(lo < hi);
                assert_true(lo > prev_hi); /* ordered, disjoint, maximal */
                prev_hi = hi;
                for (int32_t r = lo; r < hi; r++) seen[r] = 1;
            }
            for (int32_t r = 0; r < N; r++) {
                int pass = r >= ranges[ri][0] && r < ranges[ri][1];
                for (int k = 0; k < f->n_with; k++)
                    pass &= t->tags[f->with[k]][r] == 1;
                for (int k = 0; k < f->n_without; k++)
                    pass &= t->tags[f->without[k]][r] == 0;
                assert_int_equal(seen[r], pass);
            }
        }
    }
    rt_world_destroy(w);
}

static void resources_are_zeroed_and_aligned(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    Knobs *k = Knobs_resource(w);
    assert_non_null(k);
    assert_int_equal((uintptr_t)k % _Alignof(Knobs), 0);
    assert_int_equal(k->creates, 0);
    assert_int_equal(k->seen_t, 0);
    assert_null(rt_world_resource(w, 5));
    rt_world_destroy(w);
}

static void hash_equal_worlds_equal_and_changes_with_state(void **state) {
    (void)state;
    rt_world *w1 = test_world(NULL, NULL, 0), *w2 = test_world(NULL, NULL, 0);
    rt_entity e1 = {0};
    for (int i = 0; i < 100; i++) {
        e1 = make_ab(w1, (float)i, i);
        make_ab(w2, (float)i, i);
    }
    assert_true(rt_world_hash(w1) == rt_world_hash(w2));
    uint64_t h = rt_world_hash(w1);
    A_set(w1, e1, (A){-0.0f}); /* even a sign bit counts */
    assert_true(rt_world_hash(w1) != h);
    A_set(w1, e1, (A){99.0f});
    assert_true(rt_world_hash(w1) == h);
    T_set(w1, e1, true);
    assert_true(rt_world_hash(w1) != h);
    rt_world_destroy(w1);
    rt_world_destroy(w2);
}

/* A fixed workload that touches every allocation path. */
static int workload(rt_world *w) {
    for (int i = 0; i < 3000; i++) {
        rt_entity e = make_ab(w, i % 7 == 0 ? -1.0f : 1.0f, i);
        if (rt_entity_is_null(e)) return RT_ENOMEM;
        if (i % 11 == 0 && rt_world_destroy_entity(w, e) != RT_OK) return -1;
    }
    Knobs_resource(w)->creates = 50;
    Knobs_resource(w)->tag_every = 3;
    for (int f = 0; f < 3; f++) {
        int err = rt_world_frame(w, 0.01f);
        if (err != RT_OK) return err;
    }
    return RT_OK;
}

/* Fail the 1st, 2nd, ... allocation in turn: every failure is reported as
 * out of memory, nothing crashes, nothing leaks, and the world stays
 * consistent (its count matches its table). */
static void alloc_failure_at_every_allocation(void **state) {
    (void)state;
    int64_t total;
    {
        test_alloc a = {0};
        rt_world *w = test_world(&a, NULL, 16);
        assert_int_equal(workload(w), RT_OK);
        rt_world_destroy(w);
        total = a.calls;
        assert_int_equal(a.outstanding, 0);
    }
    assert_true(total > 10);
    for (int64_t n = 1; n <= total; n++) {
        test_alloc a = {.fail_at = n};
        test_log log = {0};
        rt_world *w = test_world(&a, &log, 16);
        if (w) {
            int err = workload(w);
            assert_true(err == RT_OK || err == RT_ENOMEM);
            if (err == RT_ENOMEM) assert_true(log.errors > 0);
            int32_t sum = 0;
            for (int32_t k = 0; k < rtest_program.n_archetypes; k++) sum += rt_world_count(w, k);
            assert_int_equal(sum, rt_world_entity_count(w));
            rt_world_destroy(w);
        }
        assert_int_equal(a.outstanding, 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(world_create_empty_is_empty),
        cmocka_unit_test(world_desc_without_program_fails),
        cmocka_unit_test(entity_create_then_get_returns_init),
        cmocka_unit_test(entity_set_changes_columns),
        cmocka_unit_test(entity_destroy_makes_handle_stale),
        cmocka_unit_test(entity_slot_reuse_bumps_generation),
        cmocka_unit_test(entity_destroy_moves_last_row_and_index_follows),
        cmocka_unit_test(table_grows_keeping_data_and_alignment),
        cmocka_unit_test(table_reserve_then_create_allocates_nothing),
        cmocka_unit_test(tag_switches_without_moving),
        cmocka_unit_test(tags_follow_swap_remove),
        cmocka_unit_test(filter_runs_match_brute_force),
        cmocka_unit_test(resources_are_zeroed_and_aligned),
        cmocka_unit_test(hash_equal_worlds_equal_and_changes_with_state),
        cmocka_unit_test(alloc_failure_at_every_allocation),
    };
    return cmocka_run_group_tests_name("world", tests, NULL, NULL);
}
