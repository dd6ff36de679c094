/* test_pool.c: cmocka suite for the thread pool (runtime/pool.h). Checks that
 * every thread and every item is visited exactly once, that errors come back
 * as codes, that nothing is allocated after create, and that thousands of
 * back-to-back regions with workers spinning and parking lose no wakeup.
 * Nothing here is timed; the alarm() in each test turns a hang (a lost wakeup)
 * into a failure. Run under build/tsan and build/asan too (ninja/dev-pool-*.ninja).
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
#include <time.h>
#include <unistd.h>

#include "pool.h"

#define TEST_ALARM_S 120 /* a test still running after this has hung */

static void sleep_us(long us) {
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static rt_pool *make_pool(uint32_t threads, uint32_t spin_us) {
    rt_pool_result err = RT_POOL_EINVAL;
    rt_pool *p = rt_pool_create(&(rt_pool_desc){.threads = threads, .spin_us = spin_us}, &err);
    assert_non_null(p);
    assert_int_equal(err, RT_POOL_OK);
    assert_int_equal(rt_pool_threads(p), threads);
    return p;
}

/* Waits (without a time limit: alarm() bounds the test) until every worker parked. */
static void wait_all_parked(rt_pool *p) {
    rt_pool_stats s;
    for (;;) {
        rt_pool_get_stats(p, &s);
        if (s.parked == rt_pool_threads(p) - 1) return;
        sleep_us(200);
    }
}

/* --- a region visits each thread once ------------------------------------ */

typedef struct visit_ctx {
    _Atomic uint32_t calls[64]; /* per thread index */
    _Atomic int bad_index;      /* fn saw a thread index >= 64 */
    pthread_t owner;
    _Atomic int owner_ok;       /* thread 0 ran on the calling thread */
    uint32_t values[64];        /* plain writes, read after the region */
} visit_ctx;

static void visit_fn(void *arg, uint32_t t) {
    visit_ctx *c = arg;
    if (t >= 64) { /* cmocka's asserts may only fail on the test's own thread */
        atomic_store(&c->bad_index, 1);
        return;
    }
    atomic_fetch_add(&c->calls[t], 1);
    c->values[t] = t * 3 + 1;
    if (t == 0) atomic_store(&c->owner_ok, pthread_equal(pthread_self(), c->owner) ? 1 : 0);
}

static void pool_run_visits_each_thread_once(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    for (uint32_t threads = 1; threads <= 6; threads++) {
        rt_pool *p = make_pool(threads, 50);
        for (int rep = 0; rep < 50; rep++) {
            visit_ctx c = {.owner = pthread_self()};
            assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
            for (uint32_t t = 0; t < 64; t++) {
                assert_int_equal(atomic_load(&c.calls[t]), t < threads ? 1 : 0);
                assert_int_equal(c.values[t], t < threads ? t * 3 + 1 : 0);
            }
            assert_int_equal(atomic_load(&c.owner_ok), 1);
            assert_int_equal(atomic_load(&c.bad_index), 0);
        }
        rt_pool_destroy(p);
    }
}

static void pool_run_one_thread_runs_inline(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(1, 0);
    assert_int_equal(rt_pool_spin_us(p), 1000); /* nothing to measure without workers */
    visit_ctx c = {.owner = pthread_self()};
    assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
    assert_int_equal(atomic_load(&c.calls[0]), 1);
    assert_int_equal(atomic_load(&c.owner_ok), 1);
    rt_pool_stats s;
    rt_pool_get_stats(p, &s);
    assert_int_equal(s.regions, 0);
    assert_int_equal(s.parked, 0);
    rt_pool_destroy(p);
}

static void pool_run_n_uses_only_first_threads(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    const uint32_t threads = 5;
    rt_pool *p = make_pool(threads, 5);
    for (int rep = 0; rep < 20; rep++) {
        for (uint32_t n = 0; n <= threads; n++) {
            visit_ctx c = {.owner = pthread_self()};
            assert_int_equal(rt_pool_run_n(p, n, visit_fn, &c), RT_POOL_OK);
            uint32_t used = n ? n : threads; /* 0 means all */
            for (uint32_t t = 0; t < 64; t++)
                assert_int_equal(atomic_load(&c.calls[t]), t < used ? 1 : 0);
            assert_int_equal(atomic_load(&c.owner_ok), 1);
        }
    }
    visit_ctx c = {.owner = pthread_self()};
    assert_int_equal(rt_pool_run_n(p, threads + 1, visit_fn, &c), RT_POOL_EINVAL);
    assert_int_equal(atomic_load(&c.calls[0]), 0);
    rt_pool_destroy(p);
}

static void pool_run_null_fn_is_einval(void **state) {
    (void)state;
    rt_pool *p = make_pool(2, 5);
    assert_int_equal(rt_pool_run(p, NULL, NULL), RT_POOL_EINVAL);
    assert_int_equal(rt_pool_parallel_for(p, 10, 1, NULL, NULL), RT_POOL_EINVAL);
    rt_pool_destroy(p);
}

/* --- parallel for: every item exactly once -------------------------------- */

typedef struct for_ctx {
    _Atomic uint8_t *hits; /* per item */
    size_t n_items;
    size_t grain;          /* requested; 0 = default */
    uint32_t threads;
    _Atomic int bad_block; /* a block empty, out of range or larger than grain */
    _Atomic int bad_thread;
} for_ctx;

static void for_fn(void *arg, uint32_t t, size_t begin, size_t end) {
    for_ctx *c = arg;
    if (begin >= end || end > c->n_items || (c->grain && end - begin > c->grain))
        atomic_store(&c->bad_block, 1);
    if (t >= c->threads) atomic_store(&c->bad_thread, 1);
    for (size_t i = begin; i < end && i < c->n_items; i++)
        atomic_fetch_add_explicit(&c->hits[i], 1, memory_order_relaxed);
}

static void pool_parallel_for_covers_each_item_once(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    static const size_t sizes[] = {0, 1, 2, 3, 7, 63, 64, 65, 1000, 4097, 100003};
    static const size_t grains[] = {0, 1, 2, 3, 7, 64, 1000, 65536, SIZE_MAX};
    static const uint32_t thread_counts[] = {1, 2, 3, 4, 8};
    _Atomic uint8_t *hits = malloc(100003 * sizeof *hits);
    assert_non_null(hits);
    for (size_t ti = 0; ti < sizeof thread_counts / sizeof thread_counts[0]; ti++) {
        rt_pool *p = make_pool(thread_counts[ti], 20);
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            for (size_t gi = 0; gi < sizeof grains / sizeof grains[0]; gi++) {
                size_t n = sizes[si];
                if (grains[gi] == 1 && n > 5000) continue; /* slow under TSan, adds nothing */
                for (size_t i = 0; i < n; i++) atomic_init(&hits[i], 0);
                for_ctx c = {.hits = hits, .n_items = n, .grain = grains[gi],
                             .threads = thread_counts[ti]};
                assert_int_equal(rt_pool_parallel_for(p, n, grains[gi], for_fn, &c), RT_POOL_OK);
                for (size_t i = 0; i < n; i++) {
                    if (atomic_load(&hits[i]) != 1)
                        fail_msg("threads %u n %zu grain %zu: item %zu hit %u times",
                                 thread_counts[ti], n, grains[gi], i,
                                 (unsigned)atomic_load(&hits[i]));
                }
                assert_int_equal(atomic_load(&c.bad_block), 0);
                assert_int_equal(atomic_load(&c.bad_thread), 0);
            }
        }
        rt_pool_destroy(p);
    }
    free(hits);
}

static void count_threads_fn(void *arg, uint32_t t, size_t begin, size_t end) {
    (void)begin;
    (void)end;
    _Atomic uint32_t *per_thread = arg;
    atomic_fetch_add(&per_thread[t], 1);
}

static void pool_parallel_for_single_block_runs_inline(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(4, 5);
    rt_pool_stats before, after;
    rt_pool_get_stats(p, &before);
    _Atomic uint32_t per_thread[4] = {0};
    assert_int_equal(rt_pool_parallel_for(p, 10, 100, count_threads_fn, per_thread), RT_POOL_OK);
    assert_int_equal(atomic_load(&per_thread[0]), 1);
    for (int t = 1; t < 4; t++) assert_int_equal(atomic_load(&per_thread[t]), 0);
    rt_pool_get_stats(p, &after);
    assert_int_equal(after.regions, before.regions); /* no worker was posted */
    rt_pool_destroy(p);
}

static void pool_parallel_for_too_many_items_is_einval(void **state) {
    (void)state;
    rt_pool *p = make_pool(2, 5);
    _Atomic uint32_t per_thread[2] = {0};
    assert_int_equal(rt_pool_parallel_for(p, SIZE_MAX, 1, count_threads_fn, per_thread),
                     RT_POOL_EINVAL);
    assert_int_equal(atomic_load(&per_thread[0]), 0);
    assert_int_equal(rt_pool_parallel_for(p, 0, 1, count_threads_fn, per_thread), RT_POOL_OK);
    assert_int_equal(atomic_load(&per_thread[0]), 0);
    rt_pool_destroy(p);
}

/* --- nesting and concurrent owners are rejected --------------------------- */

typedef struct nest_ctx {
    rt_pool *pool;
    _Atomic int results[8][3]; /* per thread: run, run_n(1), parallel_for */
    _Atomic int inner_calls;
} nest_ctx;

static void nest_inner_fn(void *arg, uint32_t t) {
    (void)t;
    nest_ctx *c = arg;
    atomic_fetch_add(&c->inner_calls, 1);
}

static void nest_inner_for(void *arg, uint32_t t, size_t b, size_t e) {
    (void)b;
    (void)e;
    nest_inner_fn(arg, t);
}

static void nest_outer_fn(void *arg, uint32_t t) {
    nest_ctx *c = arg;
    atomic_store(&c->results[t][0], rt_pool_run(c->pool, nest_inner_fn, c));
    atomic_store(&c->results[t][1], rt_pool_run_n(c->pool, 1, nest_inner_fn, c));
    atomic_store(&c->results[t][2], rt_pool_parallel_for(c->pool, 100, 1, nest_inner_for, c));
}

static void pool_run_nested_is_rejected(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    for (uint32_t threads = 1; threads <= 4; threads++) {
        rt_pool *p = make_pool(threads, 5);
        nest_ctx c = {.pool = p};
        assert_int_equal(rt_pool_run(p, nest_outer_fn, &c), RT_POOL_OK);
        for (uint32_t t = 0; t < threads; t++)
            for (int k = 0; k < 3; k++) assert_int_equal(atomic_load(&c.results[t][k]), RT_POOL_ENESTED);
        assert_int_equal(atomic_load(&c.inner_calls), 0);
        /* The pool is still usable afterwards. */
        visit_ctx v = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run(p, visit_fn, &v), RT_POOL_OK);
        for (uint32_t t = 0; t < threads; t++) assert_int_equal(atomic_load(&v.calls[t]), 1);
        rt_pool_destroy(p);
    }
}

typedef struct busy_ctx {
    rt_pool *pool;
    _Atomic int other_result;
    _Atomic int inner_calls;
} busy_ctx;

static void busy_inner_fn(void *arg, uint32_t t) {
    (void)t;
    busy_ctx *c = arg;
    atomic_fetch_add(&c->inner_calls, 1);
}

static void *busy_other_thread(void *arg) {
    busy_ctx *c = arg;
    atomic_store(&c->other_result, rt_pool_run(c->pool, busy_inner_fn, c));
    return NULL;
}

/* Thread 0 of the region starts a second thread that tries to run a region on
 * the same pool, and joins it before returning: the pool is busy throughout. */
static void busy_outer_fn(void *arg, uint32_t t) {
    busy_ctx *c = arg;
    if (t != 0) return;
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, busy_other_thread, c), 0);
    pthread_join(other, NULL);
}

static void pool_run_from_second_thread_is_busy(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    for (uint32_t threads = 1; threads <= 3; threads++) {
        rt_pool *p = make_pool(threads, 5);
        busy_ctx c = {.pool = p, .other_result = -1};
        assert_int_equal(rt_pool_run(p, busy_outer_fn, &c), RT_POOL_OK);
        assert_int_equal(atomic_load(&c.other_result), RT_POOL_EBUSY);
        assert_int_equal(atomic_load(&c.inner_calls), 0);
        /* Once the region is over, another thread may own the pool. */
        pthread_t other;
        assert_int_equal(pthread_create(&other, NULL, busy_other_thread, &c), 0);
        pthread_join(other, NULL);
        assert_int_equal(atomic_load(&c.other_result), RT_POOL_OK);
        assert_int_equal(atomic_load(&c.inner_calls), (int)threads);
        rt_pool_destroy(p);
    }
}

/* A worker of one pool may own another pool: the pools are independent. */
typedef struct two_pools_ctx {
    rt_pool *inner;
    _Atomic int result;
    visit_ctx visit;
} two_pools_ctx;

static void two_pools_outer_fn(void *arg, uint32_t t) {
    two_pools_ctx *c = arg;
    if (t != 1) return;
    c->visit.owner = pthread_self();
    atomic_store(&c->result, rt_pool_run(c->inner, visit_fn, &c->visit));
}

static void pool_run_worker_owns_other_pool(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *outer = make_pool(2, 5);
    rt_pool *inner = make_pool(3, 5);
    two_pools_ctx c = {.inner = inner, .result = -1};
    assert_int_equal(rt_pool_run(outer, two_pools_outer_fn, &c), RT_POOL_OK);
    assert_int_equal(atomic_load(&c.result), RT_POOL_OK);
    for (uint32_t t = 0; t < 3; t++) assert_int_equal(atomic_load(&c.visit.calls[t]), 1);
    assert_int_equal(atomic_load(&c.visit.owner_ok), 1);
    rt_pool_destroy(inner);
    rt_pool_destroy(outer);
}

/* --- create and destroy ---------------------------------------------------- */

static uint32_t online_cpus(void) {
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    return (uint32_t)CPU_COUNT(&set);
}

static void pool_create_zero_threads_means_all_cpus(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool_result err = RT_POOL_EINVAL;
    rt_pool *p = rt_pool_create(NULL, &err);
    assert_non_null(p);
    assert_int_equal(err, RT_POOL_OK);
    assert_int_equal(rt_pool_threads(p), online_cpus());
    rt_pool_destroy(p);
}

static void count_free_fn(void *ptr, void *user);

static void pool_create_bad_desc_is_einval(void **state) {
    (void)state;
    rt_pool_result err = RT_POOL_OK;
    assert_null(rt_pool_create(&(rt_pool_desc){.threads = RT_POOL_MAX_THREADS + 1}, &err));
    assert_int_equal(err, RT_POOL_EINVAL);
    err = RT_POOL_OK;
    assert_null(rt_pool_create(&(rt_pool_desc){.threads = 2, .allocator.alloc_fn = NULL,
                                               .allocator.free_fn = count_free_fn},
                               &err));
    assert_int_equal(err, RT_POOL_EINVAL);
    err = RT_POOL_OK;
    assert_null(rt_pool_create(&(rt_pool_desc){.threads = 2, .stack_size = 1}, &err));
    assert_int_equal(err, RT_POOL_EINVAL);
    assert_null(rt_pool_create(&(rt_pool_desc){.threads = RT_POOL_MAX_THREADS + 1}, NULL));
}

/* Counting allocator: every call goes through here, failing on demand. */
typedef struct count_alloc {
    int allocs, frees;
    int fail; /* return NULL from alloc_fn */
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

static void pool_create_alloc_failure_is_enomem(void **state) {
    (void)state;
    count_alloc a = {.fail = 1};
    rt_pool_result err = RT_POOL_OK;
    rt_pool *p = rt_pool_create(&(rt_pool_desc){.threads = 3, .allocator = {count_alloc_fn,
                                                                            count_free_fn, &a}},
                                &err);
    assert_null(p);
    assert_int_equal(err, RT_POOL_ENOMEM);
    assert_int_equal(a.allocs, 0);
    assert_int_equal(a.frees, 0);
}

static void pool_run_allocates_nothing_after_create(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    count_alloc a = {0};
    rt_pool *p = rt_pool_create(&(rt_pool_desc){.threads = 3, .spin_us = 2,
                                                .allocator = {count_alloc_fn, count_free_fn, &a}},
                                NULL);
    assert_non_null(p);
    assert_int_equal(a.allocs, 1);
    _Atomic uint8_t hits[1000];
    for (int rep = 0; rep < 200; rep++) {
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
        assert_int_equal(rt_pool_run_n(p, 2, visit_fn, &c), RT_POOL_OK);
        for (int i = 0; i < 1000; i++) atomic_init(&hits[i], 0);
        for_ctx f = {.hits = hits, .n_items = 1000, .grain = 7, .threads = 3};
        assert_int_equal(rt_pool_parallel_for(p, 1000, 7, for_fn, &f), RT_POOL_OK);
        if (rep % 50 == 0) wait_all_parked(p); /* the wake path too */
    }
    assert_int_equal(a.allocs, 1);
    assert_int_equal(a.frees, 0);
    rt_pool_destroy(p);
    assert_int_equal(a.frees, 1);
}

/* A stack too large to map makes pthread_create fail (where the kernel does
 * not overcommit); the pool must then clean up and say so. */
static void *noop_thread(void *arg) {
    return arg;
}

static void pool_create_thread_failure_is_ethread(void **state) {
    (void)state;
    const size_t huge = (size_t)1 << 44; /* 16 TiB */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    assert_int_equal(pthread_attr_setstacksize(&attr, huge), 0);
    pthread_t probe;
    int probe_err = pthread_create(&probe, &attr, noop_thread, NULL);
    pthread_attr_destroy(&attr);
    if (probe_err == 0) {
        pthread_join(probe, NULL);
        skip(); /* this kernel overcommits: no way to make pthread_create fail here */
    }
    count_alloc a = {0};
    rt_pool_result err = RT_POOL_OK;
    rt_pool *p = rt_pool_create(&(rt_pool_desc){.threads = 3, .stack_size = huge,
                                                .allocator = {count_alloc_fn, count_free_fn, &a}},
                                &err);
    assert_null(p);
    assert_int_equal(err, RT_POOL_ETHREAD);
    assert_int_equal(a.allocs, 1);
    assert_int_equal(a.frees, 1);
}

static void pool_destroy_while_spinning(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    for (int rep = 0; rep < 50; rep++) {
        rt_pool *p = make_pool(3, 100000); /* spin 100 ms: surely still spinning */
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
        rt_pool_destroy(p);
    }
}

static void pool_destroy_while_parked(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(3, 1);
    wait_all_parked(p); /* never ran a region */
    rt_pool_destroy(p);

    p = make_pool(3, 1);
    visit_ctx c = {.owner = pthread_self()};
    assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
    wait_all_parked(p);
    rt_pool_stats s;
    rt_pool_get_stats(p, &s);
    assert_int_equal(s.parked, 2);
    assert_true(s.parks >= 2);
    rt_pool_destroy(p);
}

static void pool_destroy_null_is_noop(void **state) {
    (void)state;
    rt_pool_destroy(NULL);
}

static void pool_create_default_spin_is_measured(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(2, 0);
    uint32_t spin = rt_pool_spin_us(p);
    assert_true(spin >= 50 && spin <= 1000);
    rt_pool_destroy(p);
    p = make_pool(2, 7);
    assert_int_equal(rt_pool_spin_us(p), 7);
    rt_pool_destroy(p);
}

/* --- wakeups: parked workers are woken, and none is ever lost -------------- */

static void pool_run_wakes_parked_workers(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(3, 1);
    for (int rep = 0; rep < 20; rep++) {
        wait_all_parked(p);
        rt_pool_stats before, after;
        rt_pool_get_stats(p, &before);
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
        for (uint32_t t = 0; t < 3; t++) assert_int_equal(atomic_load(&c.calls[t]), 1);
        rt_pool_get_stats(p, &after);
        assert_int_equal(after.regions, before.regions + 1);
        /* Both were asleep; one may have left the futex on its own just as the
         * region was posted (the owner then skips its wake), never both. */
        assert_in_range(after.wakes - before.wakes, 1, 2);
    }
    rt_pool_destroy(p);
}

static void pool_wake_rouses_parked_workers(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(3, 1);
    for (int rep = 0; rep < 10; rep++) {
        wait_all_parked(p);
        rt_pool_stats before, after;
        rt_pool_get_stats(p, &before);
        assert_int_equal(rt_pool_wake(p, rep % 2 ? 0 : 50), 2);
        /* Each woken worker spins (1 or 50 us) and parks again: wait for both. */
        do {
            sleep_us(100);
            rt_pool_get_stats(p, &after);
        } while (after.parks < before.parks + 2);
        assert_int_equal(after.wakes, before.wakes + 2);
        assert_int_equal(after.regions, before.regions); /* no region ran */
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
        for (uint32_t t = 0; t < 3; t++) assert_int_equal(atomic_load(&c.calls[t]), 1);
    }
    rt_pool_destroy(p);
}

static void pool_wake_with_no_parked_worker_is_noop(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(1, 0);
    assert_int_equal(rt_pool_wake(p, 0), 0);
    rt_pool_destroy(p);
    p = make_pool(3, 5000000); /* workers spin 5 s after each region */
    visit_ctx c = {.owner = pthread_self()};
    assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
    assert_int_equal(rt_pool_wake(p, 0), 0);
    rt_pool_stats s;
    rt_pool_get_stats(p, &s);
    assert_int_equal(s.wakes, 0);
    rt_pool_destroy(p);
}

/* --- offered regions: workers join if they arrive in time ------------------- */

static void check_offer(const visit_ctx *c, uint32_t n, uint32_t joined) {
    assert_in_range(joined, 1, n);
    assert_int_equal(atomic_load(&c->calls[0]), 1);
    assert_int_equal(atomic_load(&c->owner_ok), 1);
    uint32_t total = 0;
    for (uint32_t t = 0; t < 64; t++) {
        uint32_t k = atomic_load(&c->calls[t]);
        assert_true(k <= 1);
        if (t >= n) assert_int_equal(k, 0);
        total += k;
    }
    assert_int_equal(total, joined);
}

static void pool_offer_runs_thread_zero_and_each_worker_at_most_once(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    for (uint32_t threads = 1; threads <= 4; threads++) {
        rt_pool *p = make_pool(threads, 50);
        for (int rep = 0; rep < 200; rep++) {
            uint32_t n = (uint32_t)rep % (threads + 1); /* 0 = all */
            visit_ctx c = {.owner = pthread_self()};
            uint32_t joined = 0;
            assert_int_equal(rt_pool_offer(p, n, visit_fn, &c, &joined), RT_POOL_OK);
            check_offer(&c, n ? n : threads, joined);
            if (rep % 50 == 0) wait_all_parked(p);
        }
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_offer(p, threads + 1, visit_fn, &c, NULL), RT_POOL_EINVAL);
        assert_int_equal(rt_pool_offer(p, 0, NULL, &c, NULL), RT_POOL_EINVAL);
        assert_int_equal(atomic_load(&c.calls[0]), 0);
        rt_pool_destroy(p);
    }
}

/* Workers parked, region shorter than a wake: they are (almost always) called
 * off. The context is freed right after each offer, so a called-off worker
 * that still read it would be a use after free under ASan. */
static void pool_offer_calls_off_sleepers_without_touching_ctx(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(3, 1);
    uint64_t not_joined = 0;
    rt_pool_stats before, after;
    rt_pool_get_stats(p, &before);
    for (int rep = 0; rep < 30; rep++) {
        wait_all_parked(p);
        visit_ctx *c = calloc(1, sizeof *c);
        assert_non_null(c);
        c->owner = pthread_self();
        uint32_t joined = 0;
        assert_int_equal(rt_pool_offer(p, 0, visit_fn, c, &joined), RT_POOL_OK);
        check_offer(c, 3, joined);
        not_joined += 3 - joined;
        free(c);
    }
    rt_pool_get_stats(p, &after);
    assert_int_equal(after.called_off - before.called_off, not_joined);
    /* Called-off workers still answer the next mandatory region. */
    visit_ctx c = {.owner = pthread_self()};
    assert_int_equal(rt_pool_run(p, visit_fn, &c), RT_POOL_OK);
    for (uint32_t t = 0; t < 3; t++) assert_int_equal(atomic_load(&c.calls[t]), 1);
    rt_pool_destroy(p);
}

/* Mandatory, partial and offered regions in a random mix, with a spin short
 * enough that workers are caught in every state: counts must add up. */
static void pool_offer_mixed_with_run_loses_no_wakeup(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    const uint32_t threads = 4;
    rt_pool *p = make_pool(threads, 2);
    uint32_t rng = 99;
    uint64_t not_joined = 0;
    rt_pool_stats before, after;
    rt_pool_get_stats(p, &before);
    for (int r = 0; r < 30000; r++) {
        rng = rng * 1103515245u + 12345u;
        uint32_t n = 1 + (rng >> 16) % threads;
        uint32_t kind = (rng >> 8) % 3;
        visit_ctx c = {.owner = pthread_self()};
        if (kind == 2) {
            uint32_t joined = 0;
            assert_int_equal(rt_pool_offer(p, n, visit_fn, &c, &joined), RT_POOL_OK);
            check_offer(&c, n, joined);
            not_joined += n - joined;
        } else {
            assert_int_equal(kind ? rt_pool_run_n(p, n, visit_fn, &c) : rt_pool_run(p, visit_fn, &c),
                             RT_POOL_OK);
            uint32_t used = kind ? n : threads;
            for (uint32_t t = 0; t < threads; t++)
                assert_int_equal(atomic_load(&c.calls[t]), t < used ? 1 : 0);
        }
        if (r % 1999 == 0) sleep_us(50);
    }
    rt_pool_get_stats(p, &after);
    assert_int_equal(after.called_off - before.called_off, not_joined);
    rt_pool_destroy(p);
}

static void pool_offer_nested_is_rejected(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(2, 5);
    nest_ctx c = {.pool = p};
    assert_int_equal(rt_pool_offer(p, 0, nest_outer_fn, &c, NULL), RT_POOL_OK);
    for (int k = 0; k < 3; k++) assert_int_equal(atomic_load(&c.results[0][k]), RT_POOL_ENESTED);
    assert_int_equal(atomic_load(&c.inner_calls), 0);
    rt_pool_destroy(p);
}

typedef struct stress_ctx {
    uint64_t per_thread[8][16]; /* [t][0] counts; padded apart */
    uint64_t region;            /* written by the owner between regions */
    _Atomic int mismatch;
    uint32_t sleep_every;       /* worker 1 naps in every n-th region (0 = never) */
} stress_ctx;

static void stress_fn(void *arg, uint32_t t) {
    stress_ctx *c = arg;
    /* Every thread takes part in every region, so its count of regions so far
     * equals the region number the owner wrote before starting this one. */
    if (c->per_thread[t][0] != c->region) atomic_store(&c->mismatch, 1);
    c->per_thread[t][0]++;
    if (c->sleep_every && t == 1 && c->region % c->sleep_every == 0) sleep_us(300);
}

static void pool_run_back_to_back_loses_no_wakeup(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    /* Spins of 1, 20 and 100 us against regions every few us: workers are
     * caught spinning, parking and parked. 4 threads on 2 cores also makes
     * the kernel preempt workers in every state. */
    static const uint32_t spins[] = {1, 20, 100};
    for (size_t si = 0; si < 3; si++) {
        rt_pool *p = make_pool(4, spins[si]);
        stress_ctx *c = calloc(1, sizeof *c);
        assert_non_null(c);
        c->sleep_every = 1000;
        const uint64_t regions = 20000;
        for (uint64_t r = 0; r < regions; r++) {
            c->region = r;
            assert_int_equal(rt_pool_run(p, stress_fn, c), RT_POOL_OK);
            if (r % 997 == 0) sleep_us(spins[si] * 2); /* let some park */
        }
        for (uint32_t t = 0; t < 4; t++) assert_int_equal(c->per_thread[t][0], regions);
        assert_int_equal(atomic_load(&c->mismatch), 0);
        free(c);
        rt_pool_destroy(p);
    }
}

/* run_n with a changing n: workers left out for a long time must still see
 * their next region, and must never run one they are not in. */
static void pool_run_n_alternating_loses_no_wakeup(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    const uint32_t threads = 4;
    rt_pool *p = make_pool(threads, 3);
    uint64_t expect[4] = {0};
    uint64_t got[4] = {0};
    uint32_t rng = 12345;
    for (int r = 0; r < 20000; r++) {
        rng = rng * 1103515245u + 12345u;
        uint32_t n = 1 + (rng >> 16) % threads;
        visit_ctx c = {.owner = pthread_self()};
        assert_int_equal(rt_pool_run_n(p, n, visit_fn, &c), RT_POOL_OK);
        for (uint32_t t = 0; t < threads; t++) {
            expect[t] += t < n;
            got[t] += atomic_load(&c.calls[t]);
        }
        if (r % 1999 == 0) sleep_us(20);
    }
    for (uint32_t t = 0; t < threads; t++) assert_int_equal(got[t], expect[t]);
    rt_pool_destroy(p);
}

/* The owner parks while a worker is slow, and is woken when it finishes. */
typedef struct slow_ctx {
    int written[4];
} slow_ctx;

static void slow_fn(void *arg, uint32_t t) {
    slow_ctx *c = arg;
    if (t == 1) sleep_us(5000);
    c->written[t] = (int)t + 10;
}

static void pool_run_owner_parks_on_slow_worker(void **state) {
    (void)state;
    alarm(TEST_ALARM_S);
    rt_pool *p = make_pool(2, 1);
    for (int rep = 0; rep < 20; rep++) {
        slow_ctx c = {{0}};
        assert_int_equal(rt_pool_run(p, slow_fn, &c), RT_POOL_OK);
        assert_int_equal(c.written[0], 10);
        assert_int_equal(c.written[1], 11);
    }
    rt_pool_destroy(p);
}

static void pool_result_str_names_every_code(void **state) {
    (void)state;
    for (int r = RT_POOL_OK; r <= RT_POOL_EBUSY; r++) {
        const char *s = rt_pool_result_str((rt_pool_result)r);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown rt_pool_result");
    }
    assert_string_equal(rt_pool_result_str((rt_pool_result)99), "unknown rt_pool_result");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_run_visits_each_thread_once),
        cmocka_unit_test(pool_run_one_thread_runs_inline),
        cmocka_unit_test(pool_run_n_uses_only_first_threads),
        cmocka_unit_test(pool_run_null_fn_is_einval),
        cmocka_unit_test(pool_parallel_for_covers_each_item_once),
        cmocka_unit_test(pool_parallel_for_single_block_runs_inline),
        cmocka_unit_test(pool_parallel_for_too_many_items_is_einval),
        cmocka_unit_test(pool_run_nested_is_rejected),
        cmocka_unit_test(pool_run_from_second_thread_is_busy),
        cmocka_unit_test(pool_run_worker_owns_other_pool),
        cmocka_unit_test(pool_create_zero_threads_means_all_cpus),
        cmocka_unit_test(pool_create_bad_desc_is_einval),
        cmocka_unit_test(pool_create_alloc_failure_is_enomem),
        cmocka_unit_test(pool_run_allocates_nothing_after_create),
        cmocka_unit_test(pool_create_thread_failure_is_ethread),
        cmocka_unit_test(pool_destroy_while_spinning),
        cmocka_unit_test(pool_destroy_while_parked),
        cmocka_unit_test(pool_destroy_null_is_noop),
        cmocka_unit_test(pool_create_default_spin_is_measured),
        cmocka_unit_test(pool_run_wakes_parked_workers),
        cmocka_unit_test(pool_wake_rouses_parked_workers),
        cmocka_unit_test(pool_wake_with_no_parked_worker_is_noop),
        cmocka_unit_test(pool_run_back_to_back_loses_no_wakeup),
        cmocka_unit_test(pool_run_n_alternating_loses_no_wakeup),
        cmocka_unit_test(pool_run_owner_parks_on_slow_worker),
        cmocka_unit_test(pool_offer_runs_thread_zero_and_each_worker_at_most_once),
        cmocka_unit_test(pool_offer_calls_off_sleepers_without_touching_ctx),
        cmocka_unit_test(pool_offer_mixed_with_run_loses_no_wakeup),
        cmocka_unit_test(pool_offer_nested_is_rejected),
        cmocka_unit_test(pool_result_str_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
