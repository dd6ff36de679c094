/* pool.c: persistent worker threads that run parallel regions, waking in well
 * under a microsecond while they spin and parking on a futex when idle. The API
 * and what the pool does not do are in runtime/pool.h; figures are in
 * docs/pool.md.
 *
 * Shape. Each worker owns a slot (rt_pool__worker) on its own pair of cache
 * lines holding `gen`, its futex word and doorbell, `claim`, which says whether
 * a region is posted to it and who has it, and `sleeping`. To start a region
 * the owner (the thread calling rt_pool_run) writes the region (fn, ctx) and
 * `pending` = number of participating workers into the pool, then, for each
 * participant, stores claim = POSTED and bumps `gen`. A worker waits for its
 * `gen` to change: first by spinning on it with pause instructions until
 * `spin_ns` have passed since its last region, then by sleeping in futex_wait.
 * It then takes the region by a CAS of `claim` from POSTED to RUNNING, calls
 * fn(ctx, index), sets `claim` back to IDLE and decrements `pending`. The owner
 * runs fn(ctx, 0) itself and then waits, the same way (spin, then futex), for
 * `pending` to reach 0. A region therefore costs one store per participant and
 * one wake per participant that had parked: one wake per region, not per task.
 * Workers not taking part (rt_pool_run_n) are not touched at all.
 *
 * Offered regions (rt_pool_offer, rt_pool_parallel_for) are for work shared out
 * by a counter, which thread 0 alone can finish. When fn(ctx, 0) returns, the
 * owner calls off every worker that has not taken the region yet, by a CAS of
 * its `claim` from POSTED to CANCELLED, and takes those off `pending`; it then
 * waits only for the workers already running. A worker still waking up (tens
 * of microseconds on these VMs, more when its CPU is busy) so costs the owner
 * nothing: it finds its CAS failing when it arrives and goes back to waiting.
 *
 * rt_pool_wake rings the doorbells without a region: a worker woken with its
 * `gen` unchanged spins for the time rt_pool_wake asked (`wake_spin_ns`), so
 * the wake's latency can be overlapped with the owner's own work before the
 * region.
 *
 * Invariants.
 *   - The owner writes the region fields only between regions, when `pending`
 *     is 0: every worker that took the last region has finished with it, and
 *     every other was never posted or was called off. A worker reads them only
 *     after winning the CAS on its own `claim`, which is POSTED only once the
 *     owner has written the region it stands for.
 *   - `claim` decides, `gen` only signals. A worker that sees `gen` change for
 *     a region since called off, or two posts as one change, still takes
 *     exactly the posts whose POSTED it wins, each once. It misses a post only
 *     if `gen` comes back to the value it last saw, i.e. after exactly 2^32
 *     posts to it during which it never ran although each post to a parked
 *     worker wakes it; for a mandatory region the owner would then wait for
 *     ever. (At >= 0.1 us a region that is over seven minutes unscheduled.)
 *
 * Memory ordering (C11 <stdatomic.h>).
 *   1. Publishing a region: the owner's plain writes of fn and ctx and its store
 *      of `pending` are sequenced before its release store of claim = POSTED
 *      (and its seq_cst bump of `gen`). The worker's CAS that reads POSTED is
 *      an acquire, so the region it then reads is the one that post stands for,
 *      whichever `gen` value woke it.
 *   2. Completing a region: each participant's writes, including everything fn
 *      wrote, are sequenced before its fetch_sub on `pending` (seq_cst, so a
 *      release). Those RMWs form one release sequence, so the owner's acquire
 *      load that reads 0 synchronizes with every participant: all their writes
 *      happen before rt_pool_run returns, and before the owner may overwrite
 *      fn/ctx for the next region (so those plain fields never race).
 *   3. Calling off: the owner's CAS POSTED -> CANCELLED and the worker's CAS
 *      POSTED -> RUNNING are read-modify-writes of one object, so exactly one
 *      succeeds. If the owner's does, the worker never reads the region nor
 *      touches `pending`, and the owner subtracts it from `pending` itself; no
 *      data passes, so the owner's CAS is relaxed.
 *   4. Parking without lost wakeups (a Dekker pattern, hence seq_cst): the
 *      sleeper stores sleeping = 1 then loads the word; the waker stores the
 *      word then loads `sleeping`. In the single total order of seq_cst
 *      operations one of the two comes first, so either the sleeper sees the
 *      new word and does not sleep, or the waker sees sleeping = 1 and calls
 *      futex_wake. The remaining window, between the sleeper's load and its
 *      entering the kernel, is closed by futex_wait itself, which sleeps only
 *      if the word still holds the value the sleeper saw. The same protocol,
 *      with `pending` and `owner_sleeping`, lets the owner park while waiting
 *      for a long region. A wake that finds the word unchanged (rt_pool_wake,
 *      a stale wake from an earlier region, a spurious return) only makes the
 *      waiter spin and re-check.
 *   5. Spinning uses acquire loads and pause instructions; parallel_for's block
 *      counter is relaxed (blocks are independent; the region gives the order).
 *
 * Lifetime. The last worker to finish a region may still be calling
 * futex_wake on `pending` after the owner has returned; that is why the pool's
 * memory is freed only after rt_pool_destroy has joined every worker.
 */
#include "pool.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define rt_pool__pause() _mm_pause()
#elif defined(__aarch64__)
#define rt_pool__pause() __asm__ __volatile__("yield" ::: "memory")
#else
#define rt_pool__pause() ((void)0)
#endif

/* Two 64-byte lines: the adjacent-line prefetcher moves lines in pairs, so
 * data written by different threads is kept 128 bytes apart. */
#define RT_POOL__LINE 128

#define RT_POOL__SPIN_MIN_US 50u   /* bounds of the measured default spin */
#define RT_POOL__SPIN_MAX_US 1000u
#define RT_POOL__SPIN_WAKES 4u     /* default spin = this many wake times */
#define RT_POOL__CALIBRATE_RUNS 7u /* wake samples taken at create; median used */
#define RT_POOL__CLOCK_EVERY 16u   /* pauses between clock reads while spinning */

/* A worker's claim on the region posted to it (see "Offered regions"). */
enum {
    RT_POOL__IDLE,      /* no region posted */
    RT_POOL__POSTED,    /* posted, not yet taken */
    RT_POOL__RUNNING,   /* taken by the worker */
    RT_POOL__CANCELLED, /* called off by the owner before the worker took it */
};

typedef struct rt_pool__worker {
    alignas(RT_POOL__LINE) _Atomic uint32_t gen; /* futex word: bumped by the owner per post */
    _Atomic uint32_t claim;                      /* RT_POOL__IDLE .. RT_POOL__CANCELLED */
    _Atomic uint32_t sleeping;                   /* 1 while parked (or about to park) on gen */
    _Atomic uint64_t parks;                      /* times parked, for rt_pool_get_stats */
    rt_pool *pool;
    uint32_t index; /* thread index passed to fn, 1..threads-1 */
    pthread_t thread;
} rt_pool__worker;

struct rt_pool {
    /* Set by create, then read-only. */
    rt_pool_allocator alloc;
    void *block;              /* what alloc_fn returned; the pool lives inside */
    uint32_t threads;         /* calling thread included */
    rt_pool__worker *workers; /* [threads]; [0] (the owner) is unused */
    _Atomic uint64_t spin_ns; /* per wait; written by create's calibration */
    _Atomic uint64_t wake_spin_ns; /* after an rt_pool_wake; written by it */

    /* The region: written by the owner between regions (invariant above). */
    alignas(RT_POOL__LINE) rt_pool_fn fn; /* NULL tells workers to exit */
    void *ctx;
    _Atomic uint32_t busy;     /* 1 while a region runs: rejects concurrent owners */
    _Atomic uint64_t regions;  /* stats, written by the owner */
    _Atomic uint64_t wakes;
    _Atomic uint64_t called_off;

    /* Written by every participant once per region. */
    alignas(RT_POOL__LINE) _Atomic uint32_t pending; /* futex word: participants still running */
    _Atomic uint32_t owner_sleeping;                 /* 1 while the owner parks on pending */
};

/* The pool whose region the current thread is inside: a worker's own pool for
 * its whole life, the owner's pool while it runs fn(ctx, 0). */
static _Thread_local const rt_pool *rt_pool__inside;

static uint64_t rt_pool__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void rt_pool__futex_wait(_Atomic uint32_t *word, uint32_t expected) {
    /* Returns on wake, on EAGAIN (word already changed) and on EINTR alike;
     * the caller re-checks the word in every case. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void rt_pool__futex_wake(_Atomic uint32_t *word, int count) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

/* Waits until *word != old and returns the new value. Spins for spin_ns, then
 * parks on the futex with *sleeping = 1 (ordering point 3 in the top comment);
 * *parks counts the parkings when not NULL. Woken while the word is unchanged
 * (by rt_pool_wake, or by a stale wake of an earlier region), it spins again,
 * for *respin_ns when respin_ns is not NULL, else for spin_ns, so that a wake
 * sent ahead of a region finds the waiter spinning. */
static uint32_t rt_pool__await(_Atomic uint32_t *word, uint32_t old, uint64_t spin_ns,
                               const _Atomic uint64_t *respin_ns, _Atomic uint32_t *sleeping,
                               _Atomic uint64_t *parks) {
    for (;;) {
        uint64_t deadline = 0; /* the clock is read only if the wait lasts */
        for (uint32_t i = 1;; i++) {
            uint32_t v = atomic_load_explicit(word, memory_order_acquire);
            if (v != old) return v;
            if (i % RT_POOL__CLOCK_EVERY == 0) {
                uint64_t now = rt_pool__now_ns();
                if (!deadline)
                    deadline = now + spin_ns;
                else if (now >= deadline)
                    break;
            }
            rt_pool__pause();
        }
        atomic_store_explicit(sleeping, 1, memory_order_seq_cst);
        if (parks) atomic_fetch_add_explicit(parks, 1, memory_order_relaxed);
        if (atomic_load_explicit(word, memory_order_seq_cst) == old)
            rt_pool__futex_wait(word, old); /* returns at once if the word changed */
        atomic_store_explicit(sleeping, 0, memory_order_relaxed);
        if (respin_ns) spin_ns = atomic_load_explicit(respin_ns, memory_order_relaxed);
    }
}

static void *rt_pool__worker_main(void *arg) {
    rt_pool__worker *w = arg;
    rt_pool *p = w->pool;
    rt_pool__inside = p;
    uint32_t seen = 0; /* gen starts at 0: the first post makes it 1 */
    for (;;) {
        uint64_t spin = atomic_load_explicit(&p->spin_ns, memory_order_relaxed);
        seen = rt_pool__await(&w->gen, seen, spin, &p->wake_spin_ns, &w->sleeping, &w->parks);
        uint32_t posted = RT_POOL__POSTED;
        if (!atomic_compare_exchange_strong_explicit(&w->claim, &posted, RT_POOL__RUNNING,
                                                     memory_order_acquire, memory_order_relaxed))
            continue; /* called off, or a doorbell for a post already taken */
        rt_pool_fn fn = p->fn;
        if (!fn) break;
        fn(p->ctx, w->index);
        atomic_store_explicit(&w->claim, RT_POOL__IDLE, memory_order_relaxed);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_seq_cst) == 1 &&
            atomic_load_explicit(&p->owner_sleeping, memory_order_seq_cst))
            rt_pool__futex_wake(&p->pending, 1);
    }
    return NULL;
}

/* Posts (fn, ctx) to workers 1..n-1: the owner side of ordering points 1 and 4. */
static void rt_pool__post(rt_pool *p, uint32_t n, rt_pool_fn fn, void *ctx) {
    assert(n >= 2 && n <= p->threads);
    assert(atomic_load_explicit(&p->pending, memory_order_relaxed) == 0);
    p->fn = fn;
    p->ctx = ctx;
    atomic_store_explicit(&p->pending, n - 1, memory_order_relaxed);
    for (uint32_t i = 1; i < n; i++) {
        rt_pool__worker *w = &p->workers[i];
        assert(atomic_load_explicit(&w->claim, memory_order_relaxed) != RT_POOL__POSTED &&
               atomic_load_explicit(&w->claim, memory_order_relaxed) != RT_POOL__RUNNING);
        atomic_store_explicit(&w->claim, RT_POOL__POSTED, memory_order_release);
        uint32_t g = atomic_load_explicit(&w->gen, memory_order_relaxed) + 1;
        atomic_store_explicit(&w->gen, g, memory_order_seq_cst);
    }
    uint64_t woken = 0;
    for (uint32_t i = 1; i < n; i++) {
        rt_pool__worker *w = &p->workers[i];
        if (atomic_load_explicit(&w->sleeping, memory_order_seq_cst)) {
            rt_pool__futex_wake(&w->gen, 1);
            woken++;
        }
    }
    atomic_store_explicit(&p->regions, atomic_load_explicit(&p->regions, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    if (woken) atomic_fetch_add_explicit(&p->wakes, woken, memory_order_relaxed);
}

uint32_t rt_pool_wake(rt_pool *pool, uint32_t spin_us) {
    assert(pool);
    uint64_t spin_ns = spin_us ? (uint64_t)spin_us * 1000u
                               : atomic_load_explicit(&pool->spin_ns, memory_order_relaxed);
    /* Relaxed: a worker that reads an older value spins for that instead,
     * which is all a hint can promise. */
    atomic_store_explicit(&pool->wake_spin_ns, spin_ns, memory_order_relaxed);
    uint32_t woken = 0;
    for (uint32_t i = 1; i < pool->threads; i++) {
        rt_pool__worker *w = &pool->workers[i];
        if (atomic_load_explicit(&w->sleeping, memory_order_relaxed)) {
            rt_pool__futex_wake(&w->gen, 1); /* gen unchanged: the worker spins again */
            woken++;
        }
    }
    if (woken) atomic_fetch_add_explicit(&pool->wakes, woken, memory_order_relaxed);
    return woken;
}

/* Waits for the posted region's participants (ordering point 2). */
static void rt_pool__join_region(rt_pool *p, uint64_t spin_ns) {
    uint32_t v;
    while ((v = atomic_load_explicit(&p->pending, memory_order_acquire)) != 0)
        rt_pool__await(&p->pending, v, spin_ns, NULL, &p->owner_sleeping, NULL);
}

/* Calls off the workers of an offered region that have not taken it yet
 * (ordering point 3) and returns how many took part, thread 0 included. */
static uint32_t rt_pool__call_off(rt_pool *p, uint32_t n) {
    uint32_t off = 0;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t posted = RT_POOL__POSTED;
        off += atomic_compare_exchange_strong_explicit(&p->workers[i].claim, &posted,
                                                       RT_POOL__CANCELLED, memory_order_relaxed,
                                                       memory_order_relaxed);
    }
    if (off) {
        atomic_fetch_sub_explicit(&p->pending, off, memory_order_relaxed);
        atomic_fetch_add_explicit(&p->called_off, off, memory_order_relaxed);
    }
    return n - off;
}

/* A region on threads [0, n); offered (workers may be called off) or not. The
 * owner waits spinning for owner_spin_ns. *joined, when not NULL, receives the
 * number of threads that ran fn. */
static rt_pool_result rt_pool__region(rt_pool *p, uint32_t n, rt_pool_fn fn, void *ctx,
                                      bool offered, uint64_t owner_spin_ns, uint32_t *joined) {
    if (rt_pool__inside == p) return RT_POOL_ENESTED;
    if (atomic_exchange_explicit(&p->busy, 1, memory_order_acquire)) return RT_POOL_EBUSY;
    const rt_pool *outer = rt_pool__inside; /* a worker of another pool may own this one */
    if (n > 1) rt_pool__post(p, n, fn, ctx);
    rt_pool__inside = p;
    fn(ctx, 0);
    rt_pool__inside = outer;
    uint32_t took_part = n;
    if (n > 1) {
        if (offered) took_part = rt_pool__call_off(p, n);
        rt_pool__join_region(p, owner_spin_ns);
    }
    atomic_store_explicit(&p->busy, 0, memory_order_release);
    if (joined) *joined = took_part;
    return RT_POOL_OK;
}

/* The public entries: arguments checked and defaults applied in one place. */
static rt_pool_result rt_pool__start(rt_pool *pool, uint32_t n_threads, rt_pool_fn fn, void *ctx,
                                     bool offered, uint32_t *joined) {
    assert(pool);
    if (!fn || n_threads > pool->threads) return RT_POOL_EINVAL;
    if (n_threads == 0) n_threads = pool->threads;
    return rt_pool__region(pool, n_threads, fn, ctx, offered,
                           atomic_load_explicit(&pool->spin_ns, memory_order_relaxed), joined);
}

rt_pool_result rt_pool_run(rt_pool *pool, rt_pool_fn fn, void *ctx) {
    return rt_pool__start(pool, 0, fn, ctx, false, NULL);
}

rt_pool_result rt_pool_run_n(rt_pool *pool, uint32_t n_threads, rt_pool_fn fn, void *ctx) {
    return rt_pool__start(pool, n_threads, fn, ctx, false, NULL);
}

rt_pool_result rt_pool_offer(rt_pool *pool, uint32_t n_threads, rt_pool_fn fn, void *ctx,
                             uint32_t *joined) {
    return rt_pool__start(pool, n_threads, fn, ctx, true, joined);
}

/* --- parallel for ------------------------------------------------------- */

typedef struct rt_pool__for {
    alignas(RT_POOL__LINE) _Atomic size_t next; /* first item of the next block */
    alignas(RT_POOL__LINE) size_t n_items;      /* read-only during the region */
    size_t grain;
    rt_pool_for_fn fn;
    void *ctx;
} rt_pool__for;

static void rt_pool__for_body(void *arg, uint32_t thread) {
    rt_pool__for *f = arg;
    for (;;) {
        size_t begin = atomic_fetch_add_explicit(&f->next, f->grain, memory_order_relaxed);
        if (begin >= f->n_items) return;
        size_t end = f->n_items - begin > f->grain ? begin + f->grain : f->n_items;
        f->fn(f->ctx, thread, begin, end);
    }
}

rt_pool_result rt_pool_parallel_for(rt_pool *pool, size_t n_items, size_t grain,
                                    rt_pool_for_fn fn, void *ctx) {
    assert(pool);
    /* The counter overshoots n_items by at most one grain (<= n_items) per
     * thread, so this bound keeps it from wrapping. */
    if (!fn || n_items > SIZE_MAX / (RT_POOL_MAX_THREADS + 1)) return RT_POOL_EINVAL;
    if (n_items == 0) return RT_POOL_OK;
    if (grain == 0) {
        size_t blocks = (size_t)pool->threads * 8;
        grain = (n_items + blocks - 1) / blocks;
    }
    if (grain > n_items) grain = n_items;
    size_t n_blocks = (n_items + grain - 1) / grain;
    uint32_t n = n_blocks < pool->threads ? (uint32_t)n_blocks : pool->threads;
    rt_pool__for f = {.n_items = n_items, .grain = grain, .fn = fn, .ctx = ctx};
    atomic_init(&f.next, 0);
    /* Offered: once thread 0 finds no block left, workers not yet awake have
     * nothing to do, and the owner need not wait for them to wake. */
    return rt_pool__start(pool, n, rt_pool__for_body, &f, true, NULL);
}

/* --- create / destroy ---------------------------------------------------- */

static void *rt_pool__malloc(size_t size, void *user) {
    (void)user;
    return malloc(size);
}

static void rt_pool__free(void *ptr, void *user) {
    (void)user;
    free(ptr);
}

/* Number of CPUs this process may run on (its affinity mask), at least 1. */
static uint32_t rt_pool__cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return (uint32_t)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

/* Tells workers 1..n-1 to exit and joins them. */
static void rt_pool__stop(rt_pool *p, uint32_t n) {
    if (n < 2) return;
    rt_pool__post(p, n, NULL, NULL);
    for (uint32_t i = 1; i < n; i++) pthread_join(p->workers[i].thread, NULL);
}

static void rt_pool__noop(void *ctx, uint32_t thread) {
    (void)ctx;
    (void)thread;
}

static int rt_pool__cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void rt_pool__sleep_us(uint32_t us) {
    struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* The default spin: times a region on one worker parked for ~200 us (the
 * wake, a region and the return), RT_POOL__CALIBRATE_RUNS times, and spins
 * for RT_POOL__SPIN_WAKES medians, within [SPIN_MIN, SPIN_MAX]. Spinning for
 * about the cost of a wake bounds the waste either way (the ski-rental
 * argument); the factor favours latency, since the spin is paid once per frame
 * while a wake would be paid at every gap between regions longer than it.
 * A short park is the case the spin decides (a gap inside a frame); after a
 * whole frame of idling a wake costs several times more (docs/pool.md), and
 * that one is for rt_pool_wake to hide. */
static uint64_t rt_pool__calibrate(rt_pool *p) {
    uint64_t samples[RT_POOL__CALIBRATE_RUNS];
    rt_pool__worker *w = &p->workers[1];
    assert(atomic_load_explicit(&p->spin_ns, memory_order_relaxed) == 0); /* parks at once */
    for (uint32_t k = 0; k < RT_POOL__CALIBRATE_RUNS; k++) {
        while (!atomic_load_explicit(&w->sleeping, memory_order_acquire)) rt_pool__sleep_us(50);
        rt_pool__sleep_us(200); /* let it get from sleeping = 1 into the kernel */
        uint64_t t0 = rt_pool__now_ns();
        /* The owner must not park too, or this would time two wakes. */
        rt_pool_result r = rt_pool__region(p, 2, rt_pool__noop, NULL, false,
                                           UINT64_C(1000000000), NULL);
        assert(r == RT_POOL_OK);
        (void)r;
        samples[k] = rt_pool__now_ns() - t0;
    }
    qsort(samples, RT_POOL__CALIBRATE_RUNS, sizeof samples[0], rt_pool__cmp_u64);
    uint64_t spin = samples[RT_POOL__CALIBRATE_RUNS / 2] * RT_POOL__SPIN_WAKES;
    if (spin < RT_POOL__SPIN_MIN_US * 1000u) spin = RT_POOL__SPIN_MIN_US * 1000u;
    if (spin > RT_POOL__SPIN_MAX_US * 1000u) spin = RT_POOL__SPIN_MAX_US * 1000u;
    return spin;
}

rt_pool *rt_pool_create(const rt_pool_desc *desc, rt_pool_result *err) {
    rt_pool_result dummy;
    if (!err) err = &dummy;
    rt_pool_desc d = desc ? *desc : (rt_pool_desc){0};
    /* Defaults, in one place. */
    if (!d.allocator.alloc_fn != !d.allocator.free_fn) {
        *err = RT_POOL_EINVAL;
        return NULL;
    }
    if (!d.allocator.alloc_fn) {
        d.allocator.alloc_fn = rt_pool__malloc;
        d.allocator.free_fn = rt_pool__free;
    }
    if (d.threads == 0) d.threads = rt_pool__cpus();
    if (d.threads > RT_POOL_MAX_THREADS || (d.stack_size && d.stack_size < (size_t)PTHREAD_STACK_MIN)) {
        *err = RT_POOL_EINVAL;
        return NULL;
    }

    size_t size = sizeof(rt_pool) + (size_t)d.threads * sizeof(rt_pool__worker) + RT_POOL__LINE;
    void *block = d.allocator.alloc_fn(size, d.allocator.user);
    if (!block) {
        *err = RT_POOL_ENOMEM;
        return NULL;
    }
    uintptr_t at = ((uintptr_t)block + RT_POOL__LINE - 1) & ~(uintptr_t)(RT_POOL__LINE - 1);
    rt_pool *p = (rt_pool *)at;
    memset(p, 0, sizeof *p);
    p->alloc = d.allocator;
    p->block = block;
    p->threads = d.threads;
    p->workers = (rt_pool__worker *)(at + sizeof(rt_pool));
    memset(p->workers, 0, (size_t)d.threads * sizeof(rt_pool__worker));
    /* spin_us 0 with workers: 0 until calibrated, so the workers park at once
     * and the first wake can be timed without waiting out a spin. */
    uint32_t spin_us = d.spin_us ? d.spin_us : d.threads > 1 ? 0 : RT_POOL__SPIN_MAX_US;
    atomic_init(&p->spin_ns, (uint64_t)spin_us * 1000u);

    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        d.allocator.free_fn(block, d.allocator.user);
        *err = RT_POOL_ETHREAD;
        return NULL;
    }
    bool ok = d.stack_size == 0 || pthread_attr_setstacksize(&attr, d.stack_size) == 0;
    /* Workers start with every signal blocked, so signals go to the game's
     * own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    uint32_t started = 1;
    for (; ok && started < d.threads; started++) {
        rt_pool__worker *w = &p->workers[started];
        w->pool = p;
        w->index = started;
        if (pthread_create(&w->thread, &attr, rt_pool__worker_main, w) != 0) {
            ok = false;
            break;
        }
        char name[16];
        snprintf(name, sizeof name, "rt_pool/%u", started);
        pthread_setname_np(w->thread, name);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (!ok) {
        rt_pool__stop(p, started);
        d.allocator.free_fn(block, d.allocator.user);
        *err = RT_POOL_ETHREAD;
        return NULL;
    }
    if (d.spin_us == 0 && d.threads > 1)
        atomic_store_explicit(&p->spin_ns, rt_pool__calibrate(p), memory_order_relaxed);
    *err = RT_POOL_OK;
    return p;
}

void rt_pool_destroy(rt_pool *pool) {
    if (!pool) return;
    assert(!atomic_load_explicit(&pool->busy, memory_order_relaxed));
    rt_pool__stop(pool, pool->threads);
    rt_pool_allocator a = pool->alloc;
    a.free_fn(pool->block, a.user);
}

uint32_t rt_pool_threads(const rt_pool *pool) {
    assert(pool);
    return pool->threads;
}

uint32_t rt_pool_spin_us(const rt_pool *pool) {
    assert(pool);
    return (uint32_t)(atomic_load_explicit(&pool->spin_ns, memory_order_relaxed) / 1000u);
}

void rt_pool_get_stats(const rt_pool *pool, rt_pool_stats *out) {
    assert(pool && out);
    rt_pool_stats s = {
        .regions = atomic_load_explicit(&pool->regions, memory_order_relaxed),
        .wakes = atomic_load_explicit(&pool->wakes, memory_order_relaxed),
        .called_off = atomic_load_explicit(&pool->called_off, memory_order_relaxed),
    };
    for (uint32_t i = 1; i < pool->threads; i++) {
        rt_pool__worker *w = &pool->workers[i];
        s.parks += atomic_load_explicit(&w->parks, memory_order_relaxed);
        s.parked += atomic_load_explicit(&w->sleeping, memory_order_relaxed);
    }
    *out = s;
}

const char *rt_pool_result_str(rt_pool_result r) {
    switch (r) {
    case RT_POOL_OK: return "ok";
    case RT_POOL_EINVAL: return "invalid argument";
    case RT_POOL_ENOMEM: return "out of memory";
    case RT_POOL_ETHREAD: return "could not start a worker thread";
    case RT_POOL_ENESTED: return "region started from inside a region of the same pool";
    case RT_POOL_EBUSY: return "another thread is running a region on this pool";
    }
    return "unknown rt_pool_result";
}
