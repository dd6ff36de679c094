/* pool.h: the runtime's thread pool, a set of persistent workers that run
 * parallel regions. Read this header for the API; runtime/pool.c opens with
 * the design (how workers spin, park and wake, and the memory ordering);
 * docs/pool.md has the measurements behind the choices.
 *
 * What it does
 *   rt_pool_run(pool, fn, ctx) calls fn(ctx, t) once on every thread of the
 *   pool, t = 0 being the calling thread and 1..threads-1 the workers, and
 *   returns when every call has returned: a parallel region. The executor runs
 *   each frame's plan as a few such regions, handing out chunks of systems with
 *   its own atomic counters. For such counter-shared work, rt_pool_offer is the
 *   better call: workers that have not woken up by the time thread 0 is done
 *   are called off instead of waited for. rt_pool_parallel_for is that pattern
 *   for a flat range of items. After a region, workers spin for a bounded time (spin_us)
 *   so that the next region of the same frame starts in well under a
 *   microsecond, then park on a futex and cost no CPU until woken.
 *   rt_pool_wake wakes them ahead of time, e.g. at the top of a frame.
 *
 * What it does NOT do
 *   - No task queue, no work stealing, no futures: one region at a time, every
 *     participating thread calls the same function. Async jobs go through
 *     runtime/queue.h.
 *   - No nesting: rt_pool_run from inside a region of the same pool returns
 *     RT_POOL_ENESTED, and from a second thread while a region runs
 *     RT_POOL_EBUSY. A pool has one owner thread at a time.
 *   - No heap allocation after rt_pool_create, and no thread creation.
 *   - Linux only (futex).
 *
 * Step by step
 *     rt_pool_result err;
 *     rt_pool *pool = rt_pool_create(&(rt_pool_desc){ .threads = 0 }, &err);
 *     if (!pool) { fprintf(stderr, "%s\n", rt_pool_result_str(err)); ... }
 *     rt_pool_run(pool, my_fn, &my_ctx);            // all threads
 *     rt_pool_run_n(pool, 1, my_fn, &my_ctx);       // calling thread only
 *     rt_pool_offer(pool, 0, my_fn, &my_ctx, NULL); // workers join if awake in time
 *     rt_pool_parallel_for(pool, n, 0, my_for_fn, &my_ctx);
 *     rt_pool_destroy(pool);
 */
#ifndef RT_POOL_H
#define RT_POOL_H

#include <stddef.h>
#include <stdint.h>

#define RT_POOL_MAX_THREADS 1024u /* calling thread included */

typedef struct rt_pool rt_pool;

typedef enum rt_pool_result {
    RT_POOL_OK = 0,
    RT_POOL_EINVAL,  /* bad argument (see each function) */
    RT_POOL_ENOMEM,  /* the allocator returned NULL */
    RT_POOL_ETHREAD, /* pthread_create (or its attributes) failed */
    RT_POOL_ENESTED, /* called from inside a region of the same pool */
    RT_POOL_EBUSY,   /* another thread is running a region on this pool */
} rt_pool_result;

/* Allocator hook: both functions set, or both NULL for malloc/free. The pool
 * allocates once, in rt_pool_create, and frees in rt_pool_destroy. */
typedef struct rt_pool_allocator {
    void *(*alloc_fn)(size_t size, void *user); /* NULL on failure */
    void (*free_fn)(void *ptr, void *user);
    void *user;
} rt_pool_allocator;

/* Zero means default for every field. */
typedef struct rt_pool_desc {
    uint32_t threads;    /* calling thread included; 0 = CPUs this process may run on */
    uint32_t spin_us;    /* a worker's spin after a region before it parks; 0 = measured
                            at create: 4x the time to wake one parked worker, in [50, 1000] */
    size_t stack_size;   /* bytes per worker stack; 0 = the pthread default */
    rt_pool_allocator allocator;
} rt_pool_desc;

/* Counters for the monitor and for benchmarks (approximate while regions run). */
typedef struct rt_pool_stats {
    uint64_t regions; /* regions started on workers (inline ones are not counted) */
    uint64_t wakes;   /* futex wake calls for parked workers (one per worker woken) */
    uint64_t parks;   /* times a worker went to sleep on its futex */
    uint64_t called_off; /* workers offered a region that ended before they took it */
    uint32_t parked;  /* workers asleep (or about to be) right now */
} rt_pool_stats;

typedef void (*rt_pool_fn)(void *ctx, uint32_t thread);
/* Items [begin, end) of a parallel for, on thread `thread`. */
typedef void (*rt_pool_for_fn)(void *ctx, uint32_t thread, size_t begin, size_t end);

/* Starts threads-1 workers. On failure returns NULL and, when err is not NULL,
 * stores the reason there: RT_POOL_EINVAL (threads > RT_POOL_MAX_THREADS,
 * stack_size below PTHREAD_STACK_MIN, or one allocator function without the
 * other), RT_POOL_ENOMEM, RT_POOL_ETHREAD. Counters in rt_pool_get_stats start
 * at create and include the regions create runs to measure the default spin.
 * d may be NULL for all defaults. */
rt_pool *rt_pool_create(const rt_pool_desc *d, rt_pool_result *err);

/* Stops and joins the workers, parked or spinning, and frees the pool. Must not
 * be called while a region runs. NULL is allowed. */
void rt_pool_destroy(rt_pool *pool);

uint32_t rt_pool_threads(const rt_pool *pool); /* calling thread included */
uint32_t rt_pool_spin_us(const rt_pool *pool); /* the spin in effect, defaults applied */
void rt_pool_get_stats(const rt_pool *pool, rt_pool_stats *out);

/* Runs fn(ctx, t) for t in [0, rt_pool_threads(pool)) and returns when all have
 * returned; t = 0 runs on the calling thread. Everything written by any fn
 * happens before the return. RT_POOL_OK, or RT_POOL_EINVAL (fn NULL),
 * RT_POOL_ENESTED, RT_POOL_EBUSY, in which case fn was not called. */
rt_pool_result rt_pool_run(rt_pool *pool, rt_pool_fn fn, void *ctx);

/* Same on threads [0, n_threads) only; the other workers are not woken.
 * n_threads = 1 calls fn(ctx, 0) inline; 0 means all threads;
 * n_threads > rt_pool_threads(pool) is RT_POOL_EINVAL. */
rt_pool_result rt_pool_run_n(rt_pool *pool, uint32_t n_threads, rt_pool_fn fn, void *ctx);

/* Offers a region to threads [0, n_threads) (0 = all): fn(ctx, 0) runs on the
 * calling thread, and fn(ctx, t) on each worker t that takes the region before
 * fn(ctx, 0) has returned; the others are called off and never call fn. So
 * each t calls fn at most once, t = 0 always. For work shared out by a counter
 * that thread 0 alone could finish (as rt_pool_parallel_for does): a worker
 * still waking up then costs nothing. *joined, when not NULL, receives how
 * many threads called fn. Errors as rt_pool_run_n. */
rt_pool_result rt_pool_offer(rt_pool *pool, uint32_t n_threads, rt_pool_fn fn, void *ctx,
                             uint32_t *joined);

/* Calls fn(ctx, t, begin, end) over [0, n_items) in blocks of `grain` items
 * handed out by an atomic counter, so every item is in exactly one call. grain
 * 0 = about 8 blocks per thread. An offered region (rt_pool_offer) on as many
 * threads as there are blocks: the calling thread takes blocks until none is
 * left, and a worker not yet awake by then is called off; a single block runs
 * inline. Errors as rt_pool_run, plus RT_POOL_EINVAL
 * for n_items > SIZE_MAX / (RT_POOL_MAX_THREADS + 1). n_items 0 calls nothing. */
rt_pool_result rt_pool_parallel_for(rt_pool *pool, size_t n_items, size_t grain,
                                    rt_pool_for_fn fn, void *ctx);

/* Wakes the parked workers without starting a region and has them spin for
 * up to spin_us (0 = the pool's spin) before parking again; returns how many
 * were asleep. A hint, safe from any thread at any time. Call it ahead of a
 * region whose coming you know, e.g. at the top of a frame before the main
 * thread's own work, with about that work's duration: a wake after a whole
 * frame of idling costs tens of microseconds (docs/pool.md), which then pass
 * while the main thread works instead of at the region. */
uint32_t rt_pool_wake(rt_pool *pool, uint32_t spin_us);

const char *rt_pool_result_str(rt_pool_result r);

#endif
