/* test_queue.c: cmocka suite for the bounded MPMC queue (runtime/queue.h).
 * Single-threaded cases pin down FIFO order, the full and empty paths, batch
 * edges and capacities 1 and 2; the stress cases run several producers and
 * consumers and check with a bitmap that every id comes out exactly once, and
 * that each consumer sees each producer's ids in order. Nothing is timed. Run
 * under build/tsan too (ninja/dev-pool-tsan.ninja).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"

#define TEST_ALARM_S 120 /* a test still running after this has hung */

static rt_queue *make_queue(uint32_t capacity) {
    rt_queue_result err = RT_QUEUE_EINVAL;
    rt_queue *q = rt_queue_create(&(rt_queue_desc){.capacity = capacity}, &err);
    assert_non_null(q);
    assert_int_equal(err, RT_QUEUE_OK);
    assert_int_equal(rt_queue_capacity(q), capacity);
    return q;
}

static rt_queue_item item_of(uint64_t id) {
    return (rt_queue_item){.ptr = (void *)(uintptr_t)(id * 8 + 8), .u64 = id};
}

/* --- create ---------------------------------------------------------------- */

static void queue_create_defaults(void **state) {
    (void)state;
    rt_queue_result err = RT_QUEUE_EINVAL;
    rt_queue *q = rt_queue_create(NULL, &err);
    assert_non_null(q);
    assert_int_equal(err, RT_QUEUE_OK);
    assert_int_equal(rt_queue_capacity(q), 1024);
    assert_int_equal(rt_queue_size(q), 0);
    rt_queue_destroy(q);
    rt_queue_destroy(NULL);
}

typedef struct count_alloc {
    int allocs, frees, fail;
} count_alloc;

static void *count_alloc_fn(size_t size, void *user) {
    count_alloc *a = user;
    if (a->fail) return NULL;
    a->allocs++;
    return malloc(size);
}

static void count_free_fn(void *ptr, void *user) {
    count_alloc *a = user;
    a->frees++;
    free(ptr);
}

static void queue_create_bad_desc_is_einval(void **state) {
    (void)state;
    static const uint32_t bad[] = {3, 5, 6, 1000, 1025, RT_QUEUE_MAX_CAPACITY * 2u, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_queue_result err = RT_QUEUE_OK;
        assert_null(rt_queue_create(&(rt_queue_desc){.capacity = bad[i]}, &err));
        assert_int_equal(err, RT_QUEUE_EINVAL);
    }
    rt_queue_result err = RT_QUEUE_OK;
    assert_null(rt_queue_create(&(rt_queue_desc){.allocator.free_fn = count_free_fn}, &err));
    assert_int_equal(err, RT_QUEUE_EINVAL);
    assert_null(rt_queue_create(&(rt_queue_desc){.capacity = 3}, NULL));
}

static void queue_create_alloc_failure_is_enomem(void **state) {
    (void)state;
    count_alloc a = {.fail = 1};
    rt_queue_result err = RT_QUEUE_OK;
    assert_null(rt_queue_create(
        &(rt_queue_desc){.capacity = 64, .allocator = {count_alloc_fn, count_free_fn, &a}}, &err));
    assert_int_equal(err, RT_QUEUE_ENOMEM);
    assert_int_equal(a.allocs + a.frees, 0);
}

static void queue_push_pop_allocate_nothing_after_create(void **state) {
    (void)state;
    count_alloc a = {0};
    rt_queue *q = rt_queue_create(
        &(rt_queue_desc){.capacity = 8, .allocator = {count_alloc_fn, count_free_fn, &a}}, NULL);
    assert_non_null(q);
    assert_int_equal(a.allocs, 1);
    rt_queue_item buf[8] = {item_of(1), item_of(2), item_of(3)};
    for (uint64_t i = 0; i < 1000; i++) {
        assert_int_equal(rt_queue_push(q, item_of(i)), RT_QUEUE_OK);
        assert_int_equal(rt_queue_push_n(q, buf, 3), 3);
        assert_int_equal(rt_queue_pop_n(q, buf, 8), 4);
    }
    assert_int_equal(a.allocs, 1);
    assert_int_equal(a.frees, 0);
    rt_queue_destroy(q);
    assert_int_equal(a.frees, 1);
}

/* --- single thread: order, full, empty, wraparound ------------------------- */

static void queue_fill_then_drain_in_order(void **state) {
    (void)state;
    static const uint32_t caps[] = {1, 2, 4, 8, 64, 1024};
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
        uint32_t cap = caps[ci];
        rt_queue *q = make_queue(cap);
        for (int lap = 0; lap < 3; lap++) {
            rt_queue_item it;
            assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_EMPTY);
            for (uint32_t i = 0; i < cap; i++) {
                assert_int_equal(rt_queue_size(q), i);
                assert_int_equal(rt_queue_push(q, item_of(lap * 10000u + i)), RT_QUEUE_OK);
            }
            assert_int_equal(rt_queue_size(q), cap);
            assert_int_equal(rt_queue_push(q, item_of(999999)), RT_QUEUE_FULL);
            assert_int_equal(rt_queue_push_n(q, &(rt_queue_item){0}, 1), 0);
            assert_int_equal(rt_queue_size(q), cap);
            for (uint32_t i = 0; i < cap; i++) {
                assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_OK);
                assert_int_equal(it.u64, lap * 10000u + i);
                assert_ptr_equal(it.ptr, item_of(lap * 10000u + i).ptr);
            }
            assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_EMPTY);
            assert_int_equal(rt_queue_pop_n(q, &it, 1), 0);
            assert_int_equal(rt_queue_size(q), 0);
        }
        rt_queue_destroy(q);
    }
}

/* Capacity 1 is where Vyukov's original sequence numbers break down (full for
 * position p and free for p+1 look alike); check it alternates strictly. */
static void queue_capacity_one_alternates(void **state) {
    (void)state;
    rt_queue *q = make_queue(1);
    rt_queue_item it;
    for (uint64_t i = 0; i < 10000; i++) {
        assert_int_equal(rt_queue_push(q, item_of(i)), RT_QUEUE_OK);
        assert_int_equal(rt_queue_push(q, item_of(i + 1)), RT_QUEUE_FULL);
        assert_int_equal(rt_queue_size(q), 1);
        assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_OK);
        assert_int_equal(it.u64, i);
        assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_EMPTY);
    }
    rt_queue_item batch[5] = {item_of(1), item_of(2), item_of(3), item_of(4), item_of(5)};
    assert_int_equal(rt_queue_push_n(q, batch, 5), 1);
    rt_queue_item out[5];
    assert_int_equal(rt_queue_pop_n(q, out, 5), 1);
    assert_int_equal(out[0].u64, 1);
    rt_queue_destroy(q);
}

static void queue_capacity_two_keeps_order(void **state) {
    (void)state;
    rt_queue *q = make_queue(2);
    rt_queue_item it;
    uint64_t next_in = 0, next_out = 0;
    for (int i = 0; i < 10000; i++) {
        /* Alternate between one and two items in flight. */
        assert_int_equal(rt_queue_push(q, item_of(next_in++)), RT_QUEUE_OK);
        if (i % 2) {
            assert_int_equal(rt_queue_push(q, item_of(next_in++)), RT_QUEUE_OK);
            assert_int_equal(rt_queue_push(q, item_of(next_in)), RT_QUEUE_FULL);
            assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_OK);
            assert_int_equal(it.u64, next_out++);
        }
        assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_OK);
        assert_int_equal(it.u64, next_out++);
        assert_int_equal(rt_queue_pop(q, &it), RT_QUEUE_EMPTY);
    }
    rt_queue_destroy(q);
}

static void queue_wraparound_many_laps(void **state) {
    (void)state;
    static const uint32_t caps[] = {1, 2, 4, 16};
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
        uint32_t cap = caps[ci];
        rt_queue *q = make_queue(cap);
        uint64_t next_in = 0, next_out = 0;
        uint32_t rng = 7;
        /* Random batch sizes; a million items is ~60k laps even at cap 16. */
        while (next_out < 1000000) {
            rng = rng * 1103515245u + 12345u;
            uint32_t want = 1 + (rng >> 16) % (cap + 2);
            rt_queue_item buf[18];
            for (uint32_t i = 0; i < want; i++) buf[i] = item_of(next_in + i);
            uint32_t free_slots = cap - rt_queue_size(q);
            uint32_t pushed = rt_queue_push_n(q, buf, want);
            assert_int_equal(pushed, want < free_slots ? want : free_slots);
            next_in += pushed;
            rng = rng * 1103515245u + 12345u;
            uint32_t take = 1 + (rng >> 16) % (cap + 2);
            uint32_t held = rt_queue_size(q);
            uint32_t popped = rt_queue_pop_n(q, buf, take);
            assert_int_equal(popped, take < held ? take : held);
            for (uint32_t i = 0; i < popped; i++) assert_int_equal(buf[i].u64, next_out++);
        }
        rt_queue_destroy(q);
    }
}

static void queue_batch_zero_items_is_noop(void **state) {
    (void)state;
    rt_queue *q = make_queue(4);
    assert_int_equal(rt_queue_push_n(q, NULL, 0), 0);
    assert_int_equal(rt_queue_pop_n(q, NULL, 0), 0);
    assert_int_equal(rt_queue_push(q, item_of(1)), RT_QUEUE_OK);
    assert_int_equal(rt_queue_pop_n(q, NULL, 0), 0);
    assert_int_equal(rt_queue_size(q), 1);
    rt_queue_destroy(q);
}

/* --- several producers and consumers --------------------------------------- */

#define STRESS_MAX_THREADS 8

typedef struct stress {
    rt_queue *q;
    uint32_t producers, consumers;
    uint64_t per_producer;        /* ids: producer p pushes p*per_producer + [0, per_producer) */
    uint32_t batch;               /* items per push_n / pop_n; 1 = rt_queue_push / pop */
    _Atomic uint64_t *seen;       /* bitmap over all ids */
    _Atomic uint64_t consumed;
    _Atomic int duplicate;        /* an id came out twice */
    _Atomic int out_of_range;     /* an id no producer pushed, or ptr not matching it */
    _Atomic int out_of_order;     /* a consumer saw one producer's ids go backwards */
    _Atomic int size_over;        /* rt_queue_size above capacity */
} stress;

typedef struct stress_thread {
    stress *s;
    uint32_t index;
    pthread_t thread;
} stress_thread;

static void backoff(uint32_t *fails) {
    if (++*fails % 64 == 0) sched_yield(); /* 2 cores, up to 8 threads: let the others run */
}

static void *producer_main(void *arg) {
    stress_thread *t = arg;
    stress *s = t->s;
    uint64_t base = t->index * s->per_producer, i = 0;
    uint32_t fails = 0;
    rt_queue_item buf[64];
    while (i < s->per_producer) {
        uint32_t n = s->batch;
        if (n > s->per_producer - i) n = (uint32_t)(s->per_producer - i);
        uint32_t pushed;
        if (s->batch == 1) {
            pushed = rt_queue_push(s->q, item_of(base + i)) == RT_QUEUE_OK;
        } else {
            for (uint32_t k = 0; k < n; k++) buf[k] = item_of(base + i + k);
            pushed = rt_queue_push_n(s->q, buf, n);
        }
        if (!pushed) backoff(&fails);
        i += pushed;
        if (rt_queue_size(s->q) > rt_queue_capacity(s->q)) atomic_store(&s->size_over, 1);
    }
    return NULL;
}

static void *consumer_main(void *arg) {
    stress_thread *t = arg;
    stress *s = t->s;
    const uint64_t total = s->per_producer * s->producers;
    uint64_t last[STRESS_MAX_THREADS];
    for (int p = 0; p < STRESS_MAX_THREADS; p++) last[p] = UINT64_MAX;
    uint32_t fails = 0;
    rt_queue_item buf[64];
    while (atomic_load_explicit(&s->consumed, memory_order_relaxed) < total) {
        uint32_t got = s->batch == 1 ? rt_queue_pop(s->q, buf) == RT_QUEUE_OK
                                     : rt_queue_pop_n(s->q, buf, s->batch);
        if (!got) {
            backoff(&fails);
            continue;
        }
        for (uint32_t k = 0; k < got; k++) {
            uint64_t id = buf[k].u64;
            if (id >= total || buf[k].ptr != item_of(id).ptr) {
                atomic_store(&s->out_of_range, 1);
                continue;
            }
            uint64_t bit = UINT64_C(1) << (id % 64);
            if (atomic_fetch_or_explicit(&s->seen[id / 64], bit, memory_order_relaxed) & bit)
                atomic_store(&s->duplicate, 1);
            uint64_t p = id / s->per_producer;
            if (last[p] != UINT64_MAX && id <= last[p]) atomic_store(&s->out_of_order, 1);
            last[p] = id;
        }
        atomic_fetch_add_explicit(&s->consumed, got, memory_order_relaxed);
    }
    return NULL;
}

static void run_stress(uint32_t capacity, uint32_t producers, uint32_t consumers,
                       uint64_t per_producer, uint32_t batch) {
    stress s = {.q = make_queue(capacity), .producers = producers, .consumers = consumers,
                .per_producer = per_producer, .batch = batch};
    const uint64_t total = per_producer * producers;
    s.seen = calloc((total + 63) / 64, sizeof *s.seen);
    assert_non_null(s.seen);
    stress_thread threads[2 * STRESS_MAX_THREADS];
    uint32_t n = 0;
    for (uint32_t i = 0; i < consumers; i++, n++) {
        threads[n] = (stress_thread){.s = &s, .index = i};
        assert_int_equal(pthread_create(&threads[n].thread, NULL, consumer_main, &threads[n]), 0);
    }
    for (uint32_t i = 0; i < producers; i++, n++) {
        threads[n] = (stress_thread){.s = &s, .index = i};
        assert_int_equal(pthread_create(&threads[n].thread, NULL, producer_main, &threads[n]), 0);
    }
    for (uint32_t i = 0; i < n; i++) pthread_join(threads[i].thread, NULL);

    assert_int_equal(atomic_load(&s.consumed), total);
    assert_int_equal(atomic_load(&s.duplicate), 0);
    assert_int_equal(atomic_load(&s.out_of_range), 0);
    assert_int_equal(atomic_load(&s.out_of_order), 0);
    assert_int_equal(atomic_load(&s.size_over), 0);
    for (uint64_t id = 0; id < total; id++) {
        if (!(atomic_load(&s.seen[id / 64]) & (UINT64_C(1) << (id % 64))))
            fail_msg("cap %u %up%uc batch %u: id %llu never consumed", capacity, producers,
                     consumers, batch, (unsigned long long)id);
    }
    assert_int_equal(rt_queue_size(s.q), 0);
    rt_queue_item it;
    assert_int_equal(rt_queue_pop(s.q, &it), RT_QUEUE_EMPTY);
    free(s.seen);
    rt_queue_destroy(s.q);
}

static void queue_mpmc_each_id_once(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    static const uint32_t caps[] = {1, 2, 64, 1024};
    static const uint32_t shapes[][2] = {{1, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 4}};
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
        for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
            run_stress(caps[ci], shapes[si][0], shapes[si][1], caps[ci] < 64 ? 20000 : 100000, 1);
}

static void queue_mpmc_batches_each_id_once(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    static const uint32_t caps[] = {1, 2, 64, 1024};
    static const uint32_t batches[] = {2, 7, 64};
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++)
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            run_stress(caps[ci], 2, 2, caps[ci] < 64 ? 20000 : 100000, batches[bi]);
            run_stress(caps[ci], 4, 3, caps[ci] < 64 ? 10000 : 50000, batches[bi]);
        }
}

static void queue_result_str_names_every_code(void **state) {
    (void)state;
    for (int r = RT_QUEUE_OK; r <= RT_QUEUE_ENOMEM; r++) {
        const char *s = rt_queue_result_str((rt_queue_result)r);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown rt_queue_result");
    }
    assert_string_equal(rt_queue_result_str((rt_queue_result)99), "unknown rt_queue_result");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_create_defaults),
        cmocka_unit_test(queue_create_bad_desc_is_einval),
        cmocka_unit_test(queue_create_alloc_failure_is_enomem),
        cmocka_unit_test(queue_push_pop_allocate_nothing_after_create),
        cmocka_unit_test(queue_fill_then_drain_in_order),
        cmocka_unit_test(queue_capacity_one_alternates),
        cmocka_unit_test(queue_capacity_two_keeps_order),
        cmocka_unit_test(queue_wraparound_many_laps),
        cmocka_unit_test(queue_batch_zero_items_is_noop),
        cmocka_unit_test(queue_mpmc_each_id_once),
        cmocka_unit_test(queue_mpmc_batches_each_id_once),
        cmocka_unit_test(queue_result_str_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
