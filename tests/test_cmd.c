/* test_cmd.c -- suite "cmd": structural changes recorded by systems through
 * command buffers and applied at sync points (tests/schemas/rtest.h). */
#include "test_world.h"

static rt_entity make_ab(rt_world *w, float v, int32_t n) {
    return AB_create(w, &(AB_init){.a = {v}, .b = {.n = n}});
}

static void cmd_destroy_lands_at_sync(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e[10];
    for (int i = 0; i < 10; i++) e[i] = make_ab(w, i % 2 ? -1.0f : 1.0f, i);
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    assert_int_equal(rt_world_count(w, AB_id), 5);
    for (int i = 0; i < 10; i++) assert_int_equal(rt_world_alive(w, e[i]), i % 2 == 0);
    rt_world_destroy(w);
}

static void cmd_create_from_system_sees_count(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    make_ab(w, 1.0f, 0);
    Knobs_resource(w)->creates = 3;
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    assert_int_equal(rt_world_count(w, AB_id), 4);
    /* breeder numbered them from the count it saw: 1, 2, 3 */
    rt_table *t = rt_world_table(w, AB_id);
    int32_t *n = t->columns[1];
    assert_int_equal(n[1] + n[2] + n[3], 1 + 2 + 3);
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    assert_int_equal(rt_world_count(w, AB_id), 7);
    rt_world_destroy(w);
}

/* marker tags every 2nd entity; counter (WITH T) sees them only after the
 * sync point the plan puts between the two. */
static void cmd_tag_from_system_visible_after_sync(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e[8];
    for (int i = 0; i < 8; i++) e[i] = make_ab(w, 1.0f, i);
    Knobs_resource(w)->tag_every = 2;
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    for (int i = 0; i < 8; i++) assert_int_equal(T_has(w, e[i]), i % 2 == 0);
    assert_int_equal(Knobs_resource(w)->seen_t, 4);
    rt_world_destroy(w);
}

/* Destroying the same entity twice in one frame: the second is a stale
 * handle, reported with the recording system and counted, never UB. */
static void cmd_double_destroy_reported_not_corrupting(void **state) {
    (void)state;
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 0);
    rt_entity keep = make_ab(w, 1.0f, 0);
    make_ab(w, -1.0f, 1);
    make_ab(w, -1.0f, 2);
    Knobs_resource(w)->double_kill = 1;
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    const rt_world_stats *st = rt_world_stats_get(w);
    assert_int_equal(st->stale_handles, 2);
    assert_int_equal(log.errors, 2);
    assert_int_equal(rt_world_count(w, AB_id), 1);
    assert_true(rt_world_alive(w, keep));
    rt_world_destroy(w);
}

/* Commands apply in record order: tag on then off leaves it off, a
 * create lands, and a destroy recorded outside systems waits for the sync. */
static void cmd_applies_in_record_order(void **state) {
    (void)state;
    rt_world *w = test_world(NULL, NULL, 0);
    rt_entity e = make_ab(w, 1.0f, 0), f = make_ab(w, 1.0f, 1);
    rt_cmd *c = rt_world_cmd(w);
    assert_int_equal(rt_cmd_tag(c, e, T_id, true), RT_OK);
    assert_int_equal(rt_cmd_tag(c, e, T_id, false), RT_OK);
    assert_int_equal(rt_cmd_tag(c, f, T_id, true), RT_OK);
    assert_int_equal(rt_cmd_create(c, AB_id, &(AB_init){.b = {.n = 77}}), RT_OK);
    assert_int_equal(rt_cmd_destroy(c, e), RT_OK);
    assert_int_equal(rt_cmd_create(c, 99, NULL), RT_EINVAL);
    assert_int_equal(rt_cmd_tag(c, e, 99, true), RT_EINVAL);
    assert_true(rt_world_alive(w, e)); /* nothing happens before the sync */
    assert_int_equal(rt_world_count(w, AB_id), 2);
    assert_int_equal(rt_world_sync(w), RT_OK);
    assert_false(rt_world_alive(w, e));
    assert_int_equal(T_has(w, f), 1);
    assert_int_equal(rt_world_count(w, AB_id), 2);
    rt_table *t = rt_world_table(w, AB_id);
    int32_t *n = t->columns[1];
    assert_true(n[0] == 77 || n[1] == 77);
    assert_int_equal(rt_world_stats_get(w)->commands_applied, 5);
    rt_world_destroy(w);
}

/* When the command buffer cannot grow, the lost commands are reported when
 * the buffer is applied and the frame returns RT_ENOMEM. */
static void cmd_out_of_memory_is_reported(void **state) {
    (void)state;
    test_alloc a = {0};
    test_log log = {0};
    rt_world *w = test_world(&a, &log, 4096);
    for (int i = 0; i < 2000; i++) make_ab(w, -1.0f, i);
    a.fail_at = a.calls + 1; /* the command buffer's first allocation */
    int err = rt_world_frame(w, 0.01f);
    assert_int_equal(err, RT_ENOMEM);
    assert_non_null(strstr(log.last, "1 command(s)"));
    assert_non_null(strstr(log.last, "lost"));
    assert_non_null(strstr(log.last, "killer"));
    /* The one lost destroy is the only one missing. */
    assert_int_equal(rt_world_count(w, AB_id), 1);
    /* The next frame records it again and applies it. */
    assert_int_equal(rt_world_frame(w, 0.01f), RT_OK);
    assert_int_equal(rt_world_count(w, AB_id), 0);
    rt_world_destroy(w);
    assert_int_equal(a.outstanding, 0);
}

/* A typed destroy (the generated <system>_destroy_<A>) names the archetype
 * its system declared: an entity of another archetype is refused and
 * reported when applied, and stays alive. */
static void cmd_typed_destroy_refuses_other_archetype(void **state) {
    (void)state;
    test_log log = {0};
    rt_world *w = test_world(NULL, &log, 0);
    rt_entity ab = make_ab(w, 1.0f, 0);
    rt_entity b = Bonly_create(w, &(Bonly_init){.b = {.n = 5}});
    rt_cmd *c = rt_world_cmd(w);
    assert_int_equal(rt_cmd_destroy_in(c, b, AB_id), RT_OK);
    assert_int_equal(rt_cmd_destroy_in(c, ab, AB_id), RT_OK);
    assert_int_equal(rt_cmd_destroy_in(c, ab, 99), RT_EINVAL);
    assert_int_equal(rt_world_sync(w), RT_OK); /* reported, not a frame failure */
    assert_true(rt_world_alive(w, b));
    assert_false(rt_world_alive(w, ab));
    assert_int_equal(log.errors, 1);
    assert_non_null(strstr(log.last, "'Bonly', not a 'AB'"));
    rt_world_destroy(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cmd_destroy_lands_at_sync),
        cmocka_unit_test(cmd_create_from_system_sees_count),
        cmocka_unit_test(cmd_tag_from_system_visible_after_sync),
        cmocka_unit_test(cmd_double_destroy_reported_not_corrupting),
        cmocka_unit_test(cmd_applies_in_record_order),
        cmocka_unit_test(cmd_out_of_memory_is_reported),
        cmocka_unit_test(cmd_typed_destroy_refuses_other_archetype),
    };
    return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
