/* queue.h: a bounded multi-producer multi-consumer lock-free queue of small
 * fixed-size items, for handing async jobs between threads. Read this header
 * for the API; runtime/queue.c explains the algorithm (Dmitry Vyukov's bounded
 * MPMC ring with a sequence number per slot) and its memory ordering;
 * docs/pool.md has the throughput figures.
 *
 * What it does
 *   Any thread may push and pop at any time. Push never blocks and never
 *   allocates: on a full queue it returns RT_QUEUE_FULL and the caller decides
 *   (run the job inline, retry, drop). Pop returns RT_QUEUE_EMPTY on an empty
 *   queue. Batch variants move several items for one atomic operation on the
 *   shared counter. Items leave in the order their pushes claimed slots.
 *
 * What it does NOT do
 *   - No blocking or waiting: a consumer that wants to sleep when the queue is
 *     empty does so itself (the job system parks on its own futex).
 *   - Not linearizable at the edges: a pop may report EMPTY while a push that
 *     has claimed a slot is still writing it, and a push may report FULL while
 *     a pop is still reading the oldest slot. Both states last for a few
 *     instructions unless that thread is preempted in between.
 *   - No growth: the capacity is fixed at create.
 *
 * Why a 16-byte item and not a size chosen at create: a job is a pointer (to a
 * job record or a function-and-context pair) plus a 64-bit argument (an index,
 * a packed range, a generation); copying exactly 16 bytes is two stores with
 * no size dispatch, and anything bigger belongs in memory the pointer names.
 *
 * Step by step
 *     rt_queue *q = rt_queue_create(&(rt_queue_desc){ .capacity = 4096 }, &err);
 *     if (rt_queue_push(q, (rt_queue_item){ .ptr = job, .u64 = i }) == RT_QUEUE_FULL)
 *         run_inline(job, i);
 *     rt_queue_item it;
 *     while (rt_queue_pop(q, &it) == RT_QUEUE_OK) run(it.ptr, it.u64);
 *     rt_queue_destroy(q);
 */
#ifndef RT_QUEUE_H
#define RT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define RT_QUEUE_MAX_CAPACITY (1u << 30) /* items */

typedef struct rt_queue rt_queue;

typedef enum rt_queue_result {
    RT_QUEUE_OK = 0,
    RT_QUEUE_FULL,   /* push: no free slot; nothing was pushed */
    RT_QUEUE_EMPTY,  /* pop: no published item; nothing was popped */
    RT_QUEUE_EINVAL, /* create: capacity not a power of two or too large, or one
                        allocator function without the other */
    RT_QUEUE_ENOMEM, /* create: the allocator returned NULL */
} rt_queue_result;

typedef struct rt_queue_item {
    void *ptr;
    uint64_t u64;
} rt_queue_item;

/* Allocator hook: both set, or both NULL for malloc/free. One allocation, in
 * create. */
typedef struct rt_queue_allocator {
    void *(*alloc_fn)(size_t size, void *user); /* NULL on failure */
    void (*free_fn)(void *ptr, void *user);
    void *user;
} rt_queue_allocator;

/* Zero means default. */
typedef struct rt_queue_desc {
    uint32_t capacity; /* items, a power of two up to RT_QUEUE_MAX_CAPACITY; 0 = 1024 */
    rt_queue_allocator allocator;
} rt_queue_desc;

/* NULL on failure, with the reason in *err when err is not NULL
 * (RT_QUEUE_EINVAL, RT_QUEUE_ENOMEM). d may be NULL for all defaults. */
rt_queue *rt_queue_create(const rt_queue_desc *d, rt_queue_result *err);
void rt_queue_destroy(rt_queue *q); /* NULL allowed; no other thread may be using q */

rt_queue_result rt_queue_push(rt_queue *q, rt_queue_item item); /* OK or FULL */
rt_queue_result rt_queue_pop(rt_queue *q, rt_queue_item *out);  /* OK or EMPTY */

/* Pushes the first k of n items, k as many as there are free slots (up to n),
 * in order, and returns k; 0 means full. One CAS on the shared tail for all k. */
uint32_t rt_queue_push_n(rt_queue *q, const rt_queue_item *items, uint32_t n);
/* Pops up to max items into out, oldest first, and returns how many; 0 means
 * empty. */
uint32_t rt_queue_pop_n(rt_queue *q, rt_queue_item *out, uint32_t max);

/* Items pushed and not yet popped, from two relaxed loads: exact when the queue
 * is quiet, a hint while other threads push and pop. In [0, capacity]. */
uint32_t rt_queue_size(const rt_queue *q);
uint32_t rt_queue_capacity(const rt_queue *q);

const char *rt_queue_result_str(rt_queue_result r);

#endif
