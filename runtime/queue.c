/* queue.c: bounded MPMC lock-free queue, after Dmitry Vyukov's "bounded MPMC
 * queue" (1024cores.net): a ring of slots, each with a sequence number that
 * says whose turn the slot is. The API is in runtime/queue.h; figures are in
 * docs/pool.md.
 *
 * Positions. Producers take positions 0, 1, 2, ... from `tail` and consumers
 * from `head`, each by a compare-and-swap; position pos lives in slot
 * pos & mask. Counters are 64-bit and never wrap in practice (2^63 items).
 *
 * The slot invariant. A slot's `seq` is, for the position pos it serves next:
 *     2*pos      free: the producer of pos may write it;
 *     2*pos + 1  full: holds the item of pos; the consumer of pos may read it.
 * The consumer of pos, when done, sets seq = 2*(pos + capacity): free for the
 * producer one lap later. Slot i starts at 2*i. Vyukov's original uses pos and
 * pos + 1, which cannot tell "full for pos" from "free for pos + 1" when the
 * capacity is 1; doubling keeps the two states apart at every capacity, so
 * capacities 1 and 2 work like any other.
 *
 * Push at pos compares seq with 2*pos: equal, the slot is free, so CAS tail
 * from pos to pos+1 (losing the race just means retrying at the new tail);
 * smaller, the slot still holds the item of pos - capacity, so the queue is
 * full; larger, another producer already took pos, so reload tail. Pop is the
 * mirror image with 2*pos + 1 and `head`. A successful CAS makes the slot the
 * caller's alone until it stores the next seq.
 *
 * Batches. push_n counts the free slots from pos on (seq == 2*(pos+i)) and
 * claims all of them with one CAS of tail from pos to pos+k. The slots stay
 * free between the count and the CAS: a free slot for pos+i changes only when
 * its producer, the one holding position pos+i, publishes, and nobody holds it
 * while tail is still pos. pop_n is the mirror image.
 *
 * Memory ordering. The producer writes the item and then stores seq = 2*pos+1
 * with release; the consumer's acquire load that reads 2*pos+1 makes the item
 * visible before it reads it. The consumer reads the item and then stores
 * 2*(pos+capacity) with release; the next producer's acquire load of that value
 * orders its overwrite after the read. The CAS on tail/head only arbitrates
 * who owns a position, and carries no data, so it is relaxed.
 *
 * Progress. Lock-free for the queue as a whole, but a thread preempted between
 * its CAS and its seq store holds up that one slot: consumers see the queue
 * as empty at that position (and producers see it full a lap later) until the
 * thread runs again.
 */
#include "queue.h"

#include <assert.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Two 64-byte lines: the adjacent-line prefetcher moves lines in pairs. */
#define RT_QUEUE__LINE 128
#define RT_QUEUE__DEFAULT_CAPACITY 1024u

/* 32 bytes: two slots per cache line, none across two lines. */
typedef struct rt_queue__slot {
    alignas(32) _Atomic size_t seq; /* see the slot invariant above */
    rt_queue_item item;
} rt_queue__slot;

struct rt_queue {
    /* Set by create, then read-only: on its own lines, kept shared by all. */
    rt_queue__slot *slots;
    size_t mask; /* capacity - 1 */
    uint32_t capacity;
    rt_queue_allocator alloc;
    void *block; /* what alloc_fn returned; the queue and its slots live inside */

    alignas(RT_QUEUE__LINE) _Atomic size_t tail; /* next position to push */
    alignas(RT_QUEUE__LINE) _Atomic size_t head; /* next position to pop */
    alignas(RT_QUEUE__LINE) char end;            /* pads head to its own lines */
};

/* The signed distance a - b, valid while |a - b| < 2^63. */
static inline intptr_t rt_queue__diff(size_t a, size_t b) {
    return (intptr_t)(a - b);
}

rt_queue_result rt_queue_push(rt_queue *q, rt_queue_item item) {
    return rt_queue_push_n(q, &item, 1) ? RT_QUEUE_OK : RT_QUEUE_FULL;
}

rt_queue_result rt_queue_pop(rt_queue *q, rt_queue_item *out) {
    return rt_queue_pop_n(q, out, 1) ? RT_QUEUE_OK : RT_QUEUE_EMPTY;
}

uint32_t rt_queue_push_n(rt_queue *q, const rt_queue_item *items, uint32_t n) {
    assert(q && (items || n == 0));
    if (n > q->capacity) n = q->capacity;
    size_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
    uint32_t k;
    for (;;) {
        intptr_t dif = 0;
        for (k = 0; k < n; k++) {
            size_t seq = atomic_load_explicit(&q->slots[(pos + k) & q->mask].seq,
                                              memory_order_acquire);
            dif = rt_queue__diff(seq, 2 * (pos + k));
            if (dif != 0) break;
        }
        if (k == 0) {
            if (dif < 0 || n == 0) return 0; /* full (or nothing asked) */
            pos = atomic_load_explicit(&q->tail, memory_order_relaxed); /* pos was taken */
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + k, memory_order_relaxed,
                                                  memory_order_relaxed))
            break;
        /* Lost the race: pos now holds the current tail. */
    }
    for (uint32_t i = 0; i < k; i++) {
        rt_queue__slot *s = &q->slots[(pos + i) & q->mask];
        s->item = items[i];
        atomic_store_explicit(&s->seq, 2 * (pos + i) + 1, memory_order_release);
    }
    return k;
}

uint32_t rt_queue_pop_n(rt_queue *q, rt_queue_item *out, uint32_t max) {
    assert(q && (out || max == 0));
    if (max > q->capacity) max = q->capacity;
    size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
    uint32_t k;
    for (;;) {
        intptr_t dif = 0;
        for (k = 0; k < max; k++) {
            size_t seq = atomic_load_explicit(&q->slots[(pos + k) & q->mask].seq,
                                              memory_order_acquire);
            dif = rt_queue__diff(seq, 2 * (pos + k) + 1);
            if (dif != 0) break;
        }
        if (k == 0) {
            if (dif < 0 || max == 0) return 0; /* empty (or nothing asked) */
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
            continue;
        }
        if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + k, memory_order_relaxed,
                                                  memory_order_relaxed))
            break;
    }
    for (uint32_t i = 0; i < k; i++) {
        rt_queue__slot *s = &q->slots[(pos + i) & q->mask];
        out[i] = s->item;
        atomic_store_explicit(&s->seq, 2 * (pos + i + q->capacity), memory_order_release);
    }
    return k;
}

uint32_t rt_queue_size(const rt_queue *q) {
    assert(q);
    /* head first: the tail read afterwards is at least the head read, so the
     * difference is never negative; a stale head can make it too large. */
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t n = tail - head;
    return n > q->capacity ? q->capacity : (uint32_t)n;
}

uint32_t rt_queue_capacity(const rt_queue *q) {
    assert(q);
    return q->capacity;
}

static void *rt_queue__malloc(size_t size, void *user) {
    (void)user;
    return malloc(size);
}

static void rt_queue__free(void *ptr, void *user) {
    (void)user;
    free(ptr);
}

rt_queue *rt_queue_create(const rt_queue_desc *desc, rt_queue_result *err) {
    rt_queue_result dummy;
    if (!err) err = &dummy;
    rt_queue_desc d = desc ? *desc : (rt_queue_desc){0};
    /* Defaults, in one place. */
    if (d.capacity == 0) d.capacity = RT_QUEUE__DEFAULT_CAPACITY;
    if (!d.allocator.alloc_fn != !d.allocator.free_fn || d.capacity > RT_QUEUE_MAX_CAPACITY ||
        (d.capacity & (d.capacity - 1)) != 0) {
        *err = RT_QUEUE_EINVAL;
        return NULL;
    }
    if (!d.allocator.alloc_fn) {
        d.allocator.alloc_fn = rt_queue__malloc;
        d.allocator.free_fn = rt_queue__free;
    }

    size_t size = sizeof(rt_queue) + (size_t)d.capacity * sizeof(rt_queue__slot) + RT_QUEUE__LINE;
    void *block = d.allocator.alloc_fn(size, d.allocator.user);
    if (!block) {
        *err = RT_QUEUE_ENOMEM;
        return NULL;
    }
    uintptr_t at = ((uintptr_t)block + RT_QUEUE__LINE - 1) & ~(uintptr_t)(RT_QUEUE__LINE - 1);
    rt_queue *q = (rt_queue *)at;
    memset(q, 0, sizeof *q);
    q->slots = (rt_queue__slot *)(at + sizeof(rt_queue));
    q->mask = (size_t)d.capacity - 1;
    q->capacity = d.capacity;
    q->alloc = d.allocator;
    q->block = block;
    atomic_init(&q->tail, 0);
    atomic_init(&q->head, 0);
    for (size_t i = 0; i < d.capacity; i++) {
        atomic_init(&q->slots[i].seq, 2 * i);
        q->slots[i].item = (rt_queue_item){0};
    }
    *err = RT_QUEUE_OK;
    return q;
}

void rt_queue_destroy(rt_queue *q) {
    if (!q) return;
    rt_queue_allocator a = q->alloc;
    a.free_fn(q->block, a.user);
}

const char *rt_queue_result_str(rt_queue_result r) {
    switch (r) {
    case RT_QUEUE_OK: return "ok";
    case RT_QUEUE_FULL: return "queue full";
    case RT_QUEUE_EMPTY: return "queue empty";
    case RT_QUEUE_EINVAL: return "invalid argument";
    case RT_QUEUE_ENOMEM: return "out of memory";
    }
    return "unknown rt_queue_result";
}
