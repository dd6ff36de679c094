/* bench_queue.c: throughput of the MPMC queue (runtime/queue.h) in jobs per
 * second, workload JOBS. API and row fields in bench/bench_queue.h; figures
 * and commands in docs/pool.md.
 *
 * Each repetition moves BENCH_QUEUE_ITEMS ids through a queue of capacity 1024
 * with P producer and C consumer threads (1+1 and 2+2), one item per call
 * (rt_queue_push/pop) or 16 per call (push_n/pop_n). Threads start together on
 * a flag; the time runs from the flag to the last consumer's last pop. A
 * thread whose call fails (queue full or empty) pauses and, after 64 failures
 * in a row, yields the CPU: with 2+2 threads on 2 cores the thread it waits
 * for may be descheduled. Every repetition checks the count and the sum of the
 * ids consumed against the ids pushed, so a timing cannot be of items lost.
 * Median of 7 repetitions after one warm-up, with min and max.
 */
#include "bench_queue.h"

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define bench_queue__pause() _mm_pause()
#else
#define bench_queue__pause() ((void)0)
#endif

#define BENCH_QUEUE_REPS 7
#define BENCH_QUEUE_ITEMS 4000000u /* per repetition, all producers together */
#define BENCH_QUEUE_CAPACITY 1024u
#define BENCH_QUEUE_BATCH 16u
#define BENCH_QUEUE_MAX_SIDE 2u /* producers or consumers */
#define BENCH_QUEUE_YIELD_AFTER 64u

static uint64_t bench_queue__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct bench_queue__run {
    rt_queue *q;
    uint32_t producers, consumers;
    uint32_t batch;                 /* 1: push/pop; else push_n/pop_n of this many */
    uint64_t per_producer;          /* producer p pushes p*per_producer + [0, per_producer) */
    _Atomic uint32_t ready;         /* threads waiting for the start flag */
    _Atomic int go;
    alignas(128) _Atomic uint64_t consumed; /* items popped so far, as reported */
    alignas(128) _Atomic uint64_t sum;      /* of the ids popped */
    _Atomic uint64_t end_ns;                /* latest consumer finish */
} bench_queue__run;

typedef struct bench_queue__thread {
    bench_queue__run *run;
    uint32_t index;
    pthread_t thread;
} bench_queue__thread;

static void bench_queue__start(bench_queue__run *r) {
    atomic_fetch_add(&r->ready, 1);
    while (!atomic_load_explicit(&r->go, memory_order_acquire)) bench_queue__pause();
}

static void bench_queue__backoff(uint32_t *fails) {
    if (++*fails % BENCH_QUEUE_YIELD_AFTER == 0)
        sched_yield();
    else
        bench_queue__pause();
}

static void *bench_queue__producer(void *arg) {
    bench_queue__thread *t = arg;
    bench_queue__run *r = t->run;
    const uint64_t base = t->index * r->per_producer;
    rt_queue_item buf[BENCH_QUEUE_BATCH];
    uint32_t fails = 0;
    bench_queue__start(r);
    for (uint64_t i = 0; i < r->per_producer;) {
        uint32_t pushed;
        if (r->batch == 1) {
            pushed = rt_queue_push(r->q, (rt_queue_item){.ptr = r, .u64 = base + i}) == RT_QUEUE_OK;
        } else {
            uint32_t n = r->per_producer - i < r->batch ? (uint32_t)(r->per_producer - i) : r->batch;
            for (uint32_t k = 0; k < n; k++) buf[k] = (rt_queue_item){.ptr = r, .u64 = base + i + k};
            pushed = rt_queue_push_n(r->q, buf, n);
        }
        if (pushed) {
            i += pushed;
            fails = 0;
        } else {
            bench_queue__backoff(&fails);
        }
    }
    return NULL;
}

static void *bench_queue__consumer(void *arg) {
    bench_queue__thread *t = arg;
    bench_queue__run *r = t->run;
    const uint64_t total = r->per_producer * r->producers;
    rt_queue_item buf[BENCH_QUEUE_BATCH];
    uint64_t sum = 0, unreported = 0;
    uint32_t fails = 0;
    bench_queue__start(r);
    for (;;) {
        uint32_t got = r->batch == 1 ? rt_queue_pop(r->q, buf) == RT_QUEUE_OK
                                     : rt_queue_pop_n(r->q, buf, r->batch);
        if (got) {
            fails = 0;
            unreported += got;
            for (uint32_t k = 0; k < got; k++) sum += buf[k].ptr == r ? buf[k].u64 : UINT64_MAX / 2;
            continue;
        }
        /* The shared count is touched only when the queue looks empty, so that
         * the harness does not add a contended line per item. */
        uint64_t seen = atomic_fetch_add_explicit(&r->consumed, unreported, memory_order_relaxed);
        if (seen + unreported >= total) break;
        unreported = 0;
        bench_queue__backoff(&fails);
    }
    uint64_t end = bench_queue__now_ns();
    atomic_fetch_add(&r->sum, sum);
    uint64_t prev = atomic_load(&r->end_ns);
    while (prev < end && !atomic_compare_exchange_weak(&r->end_ns, &prev, end)) {
    }
    return NULL;
}

/* One repetition: items per second, or a negative number on failure. */
static double bench_queue__once(rt_queue *q, uint32_t producers, uint32_t consumers,
                                uint32_t batch) {
    bench_queue__run r = {.q = q, .producers = producers, .consumers = consumers, .batch = batch,
                          .per_producer = BENCH_QUEUE_ITEMS / producers};
    bench_queue__thread threads[2 * BENCH_QUEUE_MAX_SIDE];
    uint32_t n = 0;
    int ok = 1;
    for (uint32_t i = 0; ok && i < producers + consumers; i++) {
        int is_producer = i < producers;
        threads[n] = (bench_queue__thread){.run = &r, .index = is_producer ? i : i - producers};
        ok = pthread_create(&threads[n].thread, NULL,
                            is_producer ? bench_queue__producer : bench_queue__consumer,
                            &threads[n]) == 0;
        n += ok;
    }
    if (!ok) { /* let the started ones run to the end, then report */
        r.per_producer = 0;
        atomic_store(&r.go, 1);
        for (uint32_t i = 0; i < n; i++) pthread_join(threads[i].thread, NULL);
        fprintf(stderr, "bench_queue: pthread_create failed\n");
        return -1;
    }
    while (atomic_load(&r.ready) < n) sched_yield();
    uint64_t t0 = bench_queue__now_ns();
    atomic_store_explicit(&r.go, 1, memory_order_release);
    for (uint32_t i = 0; i < n; i++) pthread_join(threads[i].thread, NULL);

    const uint64_t total = r.per_producer * producers;
    const uint64_t expect_sum = total * (total - 1) / 2; /* ids 0 .. total-1 */
    if (atomic_load(&r.consumed) != total || atomic_load(&r.sum) != expect_sum ||
        rt_queue_size(q) != 0) {
        fprintf(stderr, "bench_queue: %up%uc batch %u: consumed %llu (sum %llu), expected %llu "
                        "(sum %llu)\n",
                producers, consumers, batch, (unsigned long long)atomic_load(&r.consumed),
                (unsigned long long)atomic_load(&r.sum), (unsigned long long)total,
                (unsigned long long)expect_sum);
        return -1;
    }
    return (double)total * 1e9 / (double)(atomic_load(&r.end_ns) - t0);
}

static int bench_queue__cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bench_queue_jobs(bench_queue_row *rows, int cap) {
    if (cap < BENCH_QUEUE_ROWS) return -1;
    rt_queue_result err;
    rt_queue *q = rt_queue_create(&(rt_queue_desc){.capacity = BENCH_QUEUE_CAPACITY}, &err);
    if (!q) {
        fprintf(stderr, "bench_queue: rt_queue_create: %s\n", rt_queue_result_str(err));
        return -1;
    }
    static const struct {
        uint32_t producers, consumers, batch;
        const char *variant;
    } cases[BENCH_QUEUE_ROWS] = {
        {1, 1, 1, "single"},
        {2, 2, 1, "single"},
        {1, 1, BENCH_QUEUE_BATCH, "batch16"},
        {2, 2, BENCH_QUEUE_BATCH, "batch16"},
    };
    double samples[BENCH_QUEUE_ROWS][BENCH_QUEUE_REPS];
    /* Repetitions outermost, so every case sees the same spread of machine noise. */
    for (int rep = -1; rep < BENCH_QUEUE_REPS; rep++) {
        for (int c = 0; c < BENCH_QUEUE_ROWS; c++) {
            double v = bench_queue__once(q, cases[c].producers, cases[c].consumers, cases[c].batch);
            if (v < 0) {
                rt_queue_destroy(q);
                return -1;
            }
            if (rep >= 0) samples[c][rep] = v;
        }
    }
    for (int c = 0; c < BENCH_QUEUE_ROWS; c++) {
        double *s = samples[c];
        qsort(s, BENCH_QUEUE_REPS, sizeof *s, bench_queue__cmp);
        rows[c] = (bench_queue_row){.workload = "JOBS", .metric = "jobs_per_second",
                                    .variant = cases[c].variant,
                                    .producers = cases[c].producers,
                                    .consumers = cases[c].consumers,
                                    .threads = cases[c].producers + cases[c].consumers,
                                    .reps = BENCH_QUEUE_REPS, .value = s[BENCH_QUEUE_REPS / 2],
                                    .min = s[0], .max = s[BENCH_QUEUE_REPS - 1]};
    }
    rt_queue_destroy(q);
    return BENCH_QUEUE_ROWS;
}

#ifdef BENCH_QUEUE_MAIN
int main(void) {
    bench_queue_row rows[BENCH_QUEUE_ROWS];
    if (bench_queue_jobs(rows, BENCH_QUEUE_ROWS) < 0) return 1;
    printf("bench_queue: %u items per rep through a queue of %u, median of %d reps after a "
           "warm-up\n",
           BENCH_QUEUE_ITEMS, BENCH_QUEUE_CAPACITY, BENCH_QUEUE_REPS);
    for (int c = 0; c < BENCH_QUEUE_ROWS; c++) {
        const bench_queue_row *r = &rows[c];
        printf("%-5s %up%uc %-8s %-16s %6.2f M/s  (min %.2f, max %.2f)\n", r->workload,
               r->producers, r->consumers, r->variant, r->metric, r->value / 1e6, r->min / 1e6,
               r->max / 1e6);
    }
    printf("batch16 / single: 1p1c %.1fx, 2p2c %.1fx; 2p2c / 1p1c: single %.2fx, batch16 %.2fx\n",
           rows[2].value / rows[0].value, rows[3].value / rows[1].value,
           rows[1].value / rows[0].value, rows[3].value / rows[2].value);
    return 0;
}
#endif
