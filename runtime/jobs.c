/* jobs.c -- async jobs: work handed off a frame, run on job threads between
 * and across frames, its results written back into the world at a sync point
 * at a frame fixed when the job was submitted. The API and the entity states
 * are in rt.h ("async jobs"); docs/jobs.md has the design decisions, the
 * figures and how the game uses it. The queue is runtime/queue.h.
 *
 * Shape. A job system (rt_jobs) owns one bounded MPMC queue, a few job
 * threads that pop and run jobs, and one PORT per async system. A port owns
 * everything about its system's jobs, and is used by one thread at a time:
 * the thread running its system (the executor runs an async system as one
 * item) while a stage runs, the frame thread at sync points. So nothing in a
 * port needs a lock; job threads touch only the records they popped.
 *
 *   records   `quota` job records, allocated once: header, input copy, result.
 *             A free record is a credit: a port accepts a job only when it
 *             has one, and the queue has room for every record of every port
 *             (the quotas add up to at most its capacity).
 *   map       entity handle -> record, for the jobs in flight: "pending" is
 *             being in it. Open addressing, at most half full.
 *   fifo      the records in flight, in submission order: resolved from its
 *             head at sync points (due frames only grow along it).
 *   staging   records accepted but not yet pushed, waiting for their batch.
 *   zombies   timed-out records still running (RT_JOBS_DISCARD only).
 *
 * A record's life. Submit takes a free record, copies the input, inserts the
 * entity in the map and appends the record to the fifo and to staging
 * (STAGED). A push moves a batch of staged records into the queue (QUEUED). A
 * job thread pops one, wins QUEUED -> RUNNING, runs the job, stores DONE. At
 * the sync point of frame `due` the port resolves the fifo's due records in
 * order: applies the result if the entity is alive, else drops it; removes
 * the entity from the map; frees the record. With RT_JOBS_WAIT a record not
 * DONE yet is waited for, the frame thread popping and running queued jobs
 * meanwhile (so jobs also complete with no job thread at all, and a record
 * still STAGED is simply run there). With RT_JOBS_DISCARD it times out
 * instead: out of the map (its entity needs work again), into the zombies,
 * freed when its job thread is done with it; its result is never read. A
 * QUEUED record whose entity is gone, or that timed out, is CANCELLED (a CAS
 * racing the job thread's QUEUED -> RUNNING: exactly one wins); the job
 * thread that pops it stores SKIPPED without running it.
 *
 * Invariants (rt_jobs_audit_get checks the first three).
 *   - An entity is in the map iff a record in the fifo holds it: pending
 *     always has a job that will resolve it, at a known frame.
 *   - Every record in the fifo is resolved at the sync point of its due
 *     frame, and then leaves the map and the fifo together, once: a result
 *     is applied at most once, and a timed-out job's result never.
 *   - submitted == applied + dropped + timed_out + in flight.
 *   - With RT_JOBS_WAIT, which jobs are accepted, which are refused, and what
 *     is applied when depend only on what systems submitted: credits come
 *     back only at sync points, results are applied at their due frame
 *     whatever the job threads did. Timing decides only who ran a job, when
 *     batches were pushed, and how long a sync point waited.
 *   - A job thread touches a record only between its pop and its store of
 *     DONE or SKIPPED (release); the port reads the result, frees or reuses
 *     the record only after loading DONE or SKIPPED (acquire).
 *
 * The queue can still report full for an instant with a free credit (a job
 * thread that claimed a slot and was preempted before releasing it, see
 * queue.h): the batch then stays staged and the next push, or the sync
 * point, takes it.
 *
 * Waking job threads. After a push the producer bumps `signal` and wakes
 * sleepers; a job thread that finds the queue empty spins, then registers in
 * `sleepers` and parks on `signal` only if it has not changed since before
 * its last failed pop. Both sides use seq_cst operations (a Dekker pattern,
 * as in pool.c): either the producer sees the sleeper and wakes it, or the
 * sleeper sees the new signal and does not sleep; futex_wait closes the
 * window between its check and the kernel.
 */
#include "rt_internal.h"
#include "queue.h"

#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define jobs__pause() _mm_pause()
#else
#define jobs__pause() ((void)0)
#endif

enum {
    JOBS_DEFAULT_CAPACITY = 4096, /* jobs in flight */
    JOBS_DEFAULT_DEADLINE = 2,    /* frames */
    JOBS_DEFAULT_BATCH_MIN = 1,
    JOBS_DEFAULT_BATCH_MAX = 64,
    JOBS_DEFAULT_TARGET_US = 50,
    JOBS_DEFAULT_SPIN_US = 50,
    JOBS_MAX_THREADS = 256,
    JOBS_POP_MAX = 16,            /* jobs a job thread pops at once, at most */
    JOBS_CLOCK_EVERY = 16,        /* pauses between clock reads while spinning */
    JOBS_YIELD_EVERY = 64,        /* pauses before a waiting frame thread yields */
    JOBS_LINE = 128,
};

/* A record's state: see "A record's life" above. */
enum { JOBS_FREE, JOBS_STAGED, JOBS_QUEUED, JOBS_RUNNING, JOBS_DONE, JOBS_CANCELLED, JOBS_SKIPPED };

/* The header of a record; the input copy and the result follow at the
 * port's in_off and out_off. Records are whole cache lines apart, so a job
 * thread writing one result never shares a line with another record. */
typedef struct jobs_rec {
    _Atomic uint32_t state;
    uint32_t index;           /* in its port's records */
    bool in_flight;           /* in the fifo (port-owned) */
    bool alive;               /* its entity, when its sync point checked */
    rt_jobs_port *port;
    rt_entity entity;
    uint64_t seq;             /* per port, in submission order */
    uint64_t frame, due;      /* submitted in; resolved at the sync point of */
    uint64_t t_submit;        /* ns, by the submitter */
    uint64_t t_done;          /* ns, by whoever ran it */
    uint64_t done_frame;      /* the frame running when it finished */
} jobs_rec;

/* Counters a port's owner keeps; summed by rt_jobs_get_stats. */
typedef struct jobs_counts {
    uint64_t submitted, refused, completed, applied, dropped, timed_out, discarded, cancelled,
        waited, wait_ns, helped, batches;
} jobs_counts;

struct rt_jobs_port {
    rt_jobs *jobs;
    int32_t system;           /* world: the async system; -1 standalone */
    int32_t stage;            /* world: the stage whose sync point resolves it */
    const rt_job_desc *job;
    uint32_t quota;           /* records, = jobs in flight at most */
    uint32_t ring_mask;       /* fifo and staging: rings of a power of two >= quota */
    size_t rec_size, in_off, out_off; /* bytes */
    uint8_t *recs;            /* [quota * rec_size] */
    uint32_t *free_list, n_free;
    uint32_t *fifo, fifo_head, fifo_count;      /* ring */
    uint32_t *staging, st_head, st_count;       /* ring */
    uint32_t *zombie, n_zombie;
    uint64_t *keys;           /* map: entity key, 0 = empty */
    uint32_t *vals;           /* map: record */
    uint32_t map_mask, map_count;
    uint32_t map_shift;       /* 64 - log2(map capacity): the hash's top bits */
    rt_queue_item *items;     /* [batch_max]: a push's batch */
    uint32_t batch;           /* current batch size, in [batch_min, batch_max] */
    double wait_ema_ns;       /* jobs' wait for their batch, moving average */
    uint64_t seq;
    rt_entity resume, resume_next; /* first refused entity (fairness) */
    size_t bytes;             /* of the block holding all of the above */
    jobs_counts c;
    uint64_t done_ns[RT_JOBS_LAT_BUCKETS];
    uint64_t applied_ns[RT_JOBS_LAT_BUCKETS];
    uint64_t done_frames[RT_JOBS_FRAME_BUCKETS];
};

struct rt_jobs {
    rt_jobs_desc d;           /* defaults applied */
    rt_world *world;          /* NULL standalone */
    rt_queue *queue;
    int32_t n_ports;
    rt_jobs_port *ports;      /* [n_ports] */
    int32_t n_systems;
    int32_t *port_of_system;  /* world: [n_systems], -1 when not async */
    uint32_t n_threads;
    uint32_t started;         /* threads running */
    pthread_t *threads;
    uint64_t slow_ns, spin_ns, target_ns;
    uint64_t bytes;           /* held from the allocator */
    alignas(JOBS_LINE) _Atomic uint64_t frame;
    alignas(JOBS_LINE) _Atomic uint32_t signal;   /* futex word, bumped after pushes */
    _Atomic uint32_t sleepers;                    /* job threads parked or about to */
    _Atomic uint32_t stop;
};

/* --- memory: the world's allocator, or the desc's ------------------------------- */

static void *jobs_default_alloc(void *ud, size_t size, size_t align) {
    (void)ud;
    void *p = NULL;
    return posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1)
               ? NULL : p;
}

static void jobs_default_free(void *ud, void *p) {
    (void)ud;
    free(p);
}

/* Zeroed, and aligned to JOBS_LINE (struct rt_jobs keeps lines apart). */
static void *jobs_alloc(rt_jobs *j, size_t size) {
    void *p = j->world ? rt__alloc(j->world, size, JOBS_LINE)
                       : j->d.allocator.alloc(j->d.allocator.ud, size, JOBS_LINE);
    if (p) {
        memset(p, 0, size);
        j->bytes += size;
    }
    return p;
}

static void jobs_free(rt_jobs *j, void *p, size_t size) {
    if (!p) return;
    j->bytes -= size;
    if (j->world) rt__free(j->world, p, size);
    else j->d.allocator.free(j->d.allocator.ud, p);
}

/* The queue's allocator hook; a header keeps the size jobs_free needs. */
static void *jobs_queue_alloc(size_t size, void *user) {
    uint8_t *p = jobs_alloc(user, size + 64);
    if (!p) return NULL;
    memcpy(p, &size, sizeof size);
    return p + 64;
}

static void jobs_queue_free(void *ptr, void *user) {
    if (!ptr) return;
    uint8_t *p = (uint8_t *)ptr - 64;
    size_t size;
    memcpy(&size, p, sizeof size);
    jobs_free(user, p, size + 64);
}

static size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

static uint32_t pow2_at_least(uint64_t n) {
    uint32_t p = 1;
    while (p < n && p < RT_QUEUE_MAX_CAPACITY) p *= 2;
    return p;
}

/* --- latency histograms ---------------------------------------------------------- */

/* 8 buckets per power of two: values 0..7 exactly, then for v in [2^o,
 * 2^(o+1)) bucket 8 * (o - 2) + the three bits below the top one. */
static uint32_t lat_bucket(uint64_t v) {
    if (v < 8) return (uint32_t)v;
    uint32_t o = 63u - (uint32_t)__builtin_clzll(v);
    uint32_t b = 8 * (o - 2) + (uint32_t)((v >> (o - 3)) & 7);
    return b < RT_JOBS_LAT_BUCKETS ? b : RT_JOBS_LAT_BUCKETS - 1;
}

static double lat_value(uint32_t b) { /* the middle of bucket b */
    if (b < 8) return b;
    uint32_t o = b / 8 + 2, sub = b % 8;
    return (double)((uint64_t)(8 + sub) << (o - 3)) + (double)(1ull << (o - 3)) / 2;
}

double rt_jobs_percentile(const uint64_t *hist, int32_t n_buckets, double q) {
    uint64_t total = 0;
    for (int32_t i = 0; i < n_buckets; i++) total += hist[i];
    if (!total) return NAN;
    double want = q * (double)total;
    uint64_t seen = 0;
    for (int32_t i = 0; i < n_buckets; i++) {
        seen += hist[i];
        if ((double)seen >= want && hist[i])
            return n_buckets == RT_JOBS_LAT_BUCKETS ? lat_value((uint32_t)i) : (double)i;
    }
    return n_buckets == RT_JOBS_LAT_BUCKETS ? lat_value((uint32_t)n_buckets - 1)
                                            : (double)(n_buckets - 1);
}

/* --- the map: entity -> record of its job in flight -------------------------------- */

static inline uint64_t map_key(rt_entity e) { return (uint64_t)e.gen << 32 | e.index; }

static inline uint32_t map_home(const rt_jobs_port *p, uint64_t key) {
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> p->map_shift); /* Fibonacci hashing */
}

static int64_t map_find(const rt_jobs_port *p, rt_entity e) {
    uint64_t key = map_key(e);
    for (uint32_t i = map_home(p, key);; i = (i + 1) & p->map_mask) {
        if (p->keys[i] == key) return p->vals[i];
        if (!p->keys[i]) return -1;
    }
}

static void map_insert(rt_jobs_port *p, rt_entity e, uint32_t rec) {
    uint64_t key = map_key(e);
    uint32_t i = map_home(p, key);
    while (p->keys[i]) i = (i + 1) & p->map_mask;
    p->keys[i] = key;
    p->vals[i] = rec;
    p->map_count++;
}

/* Linear probing with backward-shift deletion: no tombstones, so a map that
 * sees millions of inserts and removes never degrades. */
static void map_remove(rt_jobs_port *p, rt_entity e) {
    uint64_t key = map_key(e);
    uint32_t i = map_home(p, key);
    while (p->keys[i] != key) {
        assert(p->keys[i]); /* only entities in the map are removed */
        i = (i + 1) & p->map_mask;
    }
    for (uint32_t k = (i + 1) & p->map_mask; p->keys[k]; k = (k + 1) & p->map_mask) {
        uint32_t home = map_home(p, p->keys[k]);
        /* Entry k may move into the hole at i unless its home lies
         * cyclically in (i, k]. */
        bool stays = i <= k ? (home > i && home <= k) : (home > i || home <= k);
        if (stays) continue;
        p->keys[i] = p->keys[k];
        p->vals[i] = p->vals[k];
        i = k;
    }
    p->keys[i] = 0;
    p->map_count--;
}

/* --- records ------------------------------------------------------------------------ */

static inline jobs_rec *rec_at(const rt_jobs_port *p, uint32_t i) {
    return (jobs_rec *)(p->recs + (size_t)i * p->rec_size);
}

static void rec_free(rt_jobs_port *p, jobs_rec *r) {
    atomic_store_explicit(&r->state, JOBS_FREE, memory_order_relaxed);
    p->free_list[p->n_free++] = r->index;
}

static inline bool finished(uint32_t state) {
    return state == JOBS_DONE || state == JOBS_SKIPPED;
}

/* Runs a popped (or, on the frame thread, unpushed) record's job, unless it
 * was cancelled: the only place a job function is called. */
static void run_rec(rt_jobs *j, jobs_rec *r) {
    uint32_t s = JOBS_QUEUED;
    if (!atomic_compare_exchange_strong_explicit(&r->state, &s, JOBS_RUNNING,
                                                 memory_order_acquire, memory_order_relaxed)) {
        assert(s == JOBS_CANCELLED);
        atomic_store_explicit(&r->state, JOBS_SKIPPED, memory_order_release);
        return;
    }
    if (j->slow_ns) {
        struct timespec ts = {(time_t)(j->slow_ns / 1000000000u),
                              (long)(j->slow_ns % 1000000000u)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
    const rt_jobs_port *p = r->port;
    p->job->run((const uint8_t *)r + p->in_off, (uint8_t *)r + p->out_off);
    r->t_done = rt_now_ns();
    r->done_frame = atomic_load_explicit(&j->frame, memory_order_relaxed);
    atomic_store_explicit(&r->state, JOBS_DONE, memory_order_release);
}

/* --- job threads ----------------------------------------------------------------------- */

static void futex_wait(_Atomic uint32_t *word, uint32_t expected) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word, int count) {
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

/* After a push of n jobs: wake up to n parked job threads (the producer's
 * side of "Waking job threads" above). */
static void wake_threads(rt_jobs *j, uint32_t n) {
    if (!j->n_threads) return;
    atomic_fetch_add_explicit(&j->signal, 1, memory_order_seq_cst);
    uint32_t sleepers = atomic_load_explicit(&j->sleepers, memory_order_seq_cst);
    if (sleepers) futex_wake(&j->signal, (int)(n < sleepers ? n : sleepers));
}

/* Pops a share of the queue: a thread does not take more than half of what
 * waits per thread, so a batch is spread over the job threads. */
static uint32_t pop_some(rt_jobs *j, rt_queue_item *items) {
    uint32_t size = rt_queue_size(j->queue);
    uint32_t take = size / (2 * j->n_threads);
    if (take < 1) take = 1;
    if (take > JOBS_POP_MAX) take = JOBS_POP_MAX;
    return rt_queue_pop_n(j->queue, items, take);
}

static void *job_thread(void *arg) {
    rt_jobs *j = arg;
    rt_queue_item items[JOBS_POP_MAX];
    for (;;) {
        uint32_t seen = atomic_load_explicit(&j->signal, memory_order_seq_cst);
        uint32_t n = pop_some(j, items);
        if (n) {
            for (uint32_t i = 0; i < n; i++) run_rec(j, items[i].ptr);
            continue;
        }
        if (atomic_load_explicit(&j->stop, memory_order_acquire)) break;
        /* Spin a while: jobs come in bursts, a few per frame. */
        uint64_t deadline = 0;
        bool more = false;
        for (uint32_t i = 1; !more; i++) {
            more = rt_queue_size(j->queue) > 0 ||
                   atomic_load_explicit(&j->stop, memory_order_relaxed);
            if (i % JOBS_CLOCK_EVERY == 0) {
                uint64_t now = rt_now_ns();
                if (!deadline) deadline = now + j->spin_ns;
                else if (now >= deadline) break;
            }
            jobs__pause();
        }
        if (more) continue;
        atomic_fetch_add_explicit(&j->sleepers, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&j->signal, memory_order_seq_cst) == seen)
            futex_wait(&j->signal, seen); /* returns at once if signal moved */
        atomic_fetch_sub_explicit(&j->sleepers, 1, memory_order_seq_cst);
    }
    return NULL;
}

static void stop_threads(rt_jobs *j) {
    if (!j->started) return;
    atomic_store_explicit(&j->stop, 1, memory_order_seq_cst);
    atomic_fetch_add_explicit(&j->signal, 1, memory_order_seq_cst);
    futex_wake(&j->signal, INT32_MAX);
    for (uint32_t i = 0; i < j->started; i++) pthread_join(j->threads[i], NULL);
    j->started = 0;
}

/* Job threads start with every signal blocked (signals go to the game's own
 * threads) and are named rt_jobs/N for debuggers. */
static int start_threads(rt_jobs *j) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = RT_OK;
    for (uint32_t i = 0; i < j->n_threads; i++) {
        if (pthread_create(&j->threads[i], NULL, job_thread, j) != 0) {
            err = RT_ELIMIT;
            break;
        }
        char name[16];
        snprintf(name, sizeof name, "rt_jobs/%u", (i + 1) % 1000u);
        pthread_setname_np(j->threads[i], name);
        j->started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != RT_OK) stop_threads(j);
    return err;
}

/* --- submitting and pushing ---------------------------------------------------------------- */

/* Moves staged records into the queue, batch by batch, as far as it has
 * room; what does not fit stays staged for the next push. A full batch
 * (`full`: the push came from a submission filling it) adapts the batch size
 * to the queue's depth and to how long jobs waited for their batch:
 * shallow queue (job threads keep up: hand them work sooner) or jobs waiting
 * longer than the target: halve; deep queue (threads are behind: a larger
 * batch costs no latency and saves atomics and wakes): double. A partial
 * flush only shrinks it on latency. Only pushing depends on this, never
 * which jobs are accepted or when results are applied. */
static void push_staged(rt_jobs_port *p, bool full) {
    rt_jobs *j = p->jobs;
    while (p->st_count) {
        uint32_t n = p->st_count < j->d.batch_max ? p->st_count : j->d.batch_max;
        uint64_t now = rt_now_ns(), waited = 0;
        for (uint32_t i = 0; i < n; i++) {
            jobs_rec *r = rec_at(p, p->staging[(p->st_head + i) & p->ring_mask]);
            waited += now - r->t_submit;
            /* Before the push: the queue's release publishes it with the
             * record. Records left unpushed are put back below; no other
             * thread can see them. */
            atomic_store_explicit(&r->state, JOBS_QUEUED, memory_order_relaxed);
            p->items[i] = (rt_queue_item){.ptr = r, .u64 = r->seq};
        }
        uint32_t k = rt_queue_push_n(j->queue, p->items, n);
        for (uint32_t i = k; i < n; i++)
            atomic_store_explicit(&((jobs_rec *)p->items[i].ptr)->state, JOBS_STAGED,
                                  memory_order_relaxed);
        if (!k) return; /* momentarily full: see the top comment */
        p->st_head = (p->st_head + k) & p->ring_mask;
        p->st_count -= k;
        p->c.batches++;
        wake_threads(j, k);
        double wait = (double)waited / (double)n;
        p->wait_ema_ns += (wait - p->wait_ema_ns) * 0.25;
        uint32_t depth = rt_queue_size(j->queue);
        if (p->wait_ema_ns > (double)j->target_ns || (full && depth < p->batch / 2))
            p->batch = p->batch / 2 > j->d.batch_min ? p->batch / 2 : j->d.batch_min;
        else if (full && depth >= 2 * p->batch)
            p->batch = p->batch * 2 < j->d.batch_max ? p->batch * 2 : j->d.batch_max;
        if (k < n) return;
        full = false;
    }
}

int rt_jobs_submit(rt_jobs_port *p, rt_entity e, const void *in) {
    assert(p && in);
    if (rt_entity_is_null(e)) return RT_EINVAL;
    if (map_find(p, e) >= 0) return RT_EBUSY;
    if (p->n_free == 0) { /* no credit: no room in the queue */
        p->c.refused++;
        if (rt_entity_is_null(p->resume_next)) p->resume_next = e;
        return RT_EFULL;
    }
    rt_jobs *j = p->jobs;
    uint32_t i = p->free_list[--p->n_free];
    jobs_rec *r = rec_at(p, i);
    uint64_t frame = atomic_load_explicit(&j->frame, memory_order_relaxed);
    r->entity = e;
    r->seq = p->seq++;
    r->frame = frame;
    r->due = frame + j->d.deadline_frames;
    r->t_submit = rt_now_ns();
    r->in_flight = true;
    memcpy((uint8_t *)r + p->in_off, in, p->job->in_size);
    atomic_store_explicit(&r->state, JOBS_STAGED, memory_order_relaxed);
    map_insert(p, e, i);
    p->fifo[(p->fifo_head + p->fifo_count++) & p->ring_mask] = i;
    p->staging[(p->st_head + p->st_count++) & p->ring_mask] = i;
    p->c.submitted++;
    if (p->st_count >= p->batch) push_staged(p, true);
    return RT_OK;
}

bool rt_jobs_pending(const rt_jobs_port *p, rt_entity e) {
    assert(p);
    return !rt_entity_is_null(e) && map_find(p, e) >= 0;
}

void rt_jobs_flush(rt_jobs_port *p) {
    assert(p);
    push_staged(p, false);
}

/* --- resolving at sync points ---------------------------------------------------------------- */

/* Waits until r is finished, running queued jobs meanwhile: so a late job
 * cannot wait for a thread that is not there (no job threads, or all of
 * them busy), and the frame thread's wait is work. */
static void await_rec(rt_jobs_port *p, jobs_rec *r) {
    rt_jobs *j = p->jobs;
    uint32_t idle = 0;
    rt_queue_item items[JOBS_POP_MAX];
    while (!finished(atomic_load_explicit(&r->state, memory_order_acquire))) {
        uint32_t n = rt_queue_pop_n(j->queue, items, JOBS_POP_MAX);
        if (n) {
            for (uint32_t i = 0; i < n; i++) run_rec(j, items[i].ptr);
            p->c.helped += n;
            idle = 0;
        } else if (++idle % JOBS_YIELD_EVERY == 0) {
            sched_yield(); /* the job thread running r may need this CPU */
        } else {
            jobs__pause();
        }
    }
}

/* Timed-out records whose job thread is done with them: freed. */
static void reap_zombies(rt_jobs_port *p) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < p->n_zombie; i++) {
        jobs_rec *r = rec_at(p, p->zombie[i]);
        uint32_t s = atomic_load_explicit(&r->state, memory_order_acquire);
        if (!finished(s)) {
            p->zombie[kept++] = p->zombie[i];
            continue;
        }
        if (s == JOBS_DONE) {
            p->c.completed++;
            p->c.discarded++;
        } else {
            p->c.cancelled++;
        }
        rec_free(p, r);
    }
    p->n_zombie = kept;
}

/* r leaves the fifo and the map: its entity no longer has a job in flight. */
static void unpend(rt_jobs_port *p, jobs_rec *r) {
    map_remove(p, r->entity);
    r->in_flight = false;
}

/* RT_JOBS_WAIT, before anything is applied: every due record finished.
 * First pass: records whose entity is gone are cancelled if not started
 * (their result would be dropped), before the wait below may run them.
 * Second pass: waits for the others; a record never pushed is run here.
 * Two clock reads per sync point rather than per record. */
static void finish_due(rt_jobs_port *p, uint64_t frame, const rt_jobs_sink *sink) {
    rt_jobs *j = p->jobs;
    uint32_t n = 0;
    for (; n < p->fifo_count; n++) {
        jobs_rec *r = rec_at(p, p->fifo[(p->fifo_head + n) & p->ring_mask]);
        if (r->due > frame) break; /* due frames grow along the fifo */
        r->alive = sink->alive(sink->ud, r->entity);
        if (r->alive) continue;
        uint32_t q = JOBS_QUEUED;
        atomic_compare_exchange_strong_explicit(&r->state, &q, JOBS_CANCELLED,
                                                memory_order_relaxed, memory_order_relaxed);
    }
    uint64_t t0 = 0;
    for (uint32_t k = 0; k < n; k++) {
        jobs_rec *r = rec_at(p, p->fifo[(p->fifo_head + k) & p->ring_mask]);
        uint32_t s = atomic_load_explicit(&r->state, memory_order_acquire);
        if (finished(s)) continue;
        if (!t0) t0 = rt_now_ns();
        if (s == JOBS_STAGED) {
            /* Never pushed (the queue was full to the last): the oldest
             * record in flight not yet finished is the oldest staged one. */
            assert(p->st_count && p->staging[p->st_head] == r->index);
            p->st_head = (p->st_head + 1) & p->ring_mask;
            p->st_count--;
            atomic_store_explicit(&r->state, r->alive ? JOBS_QUEUED : JOBS_CANCELLED,
                                  memory_order_relaxed);
            run_rec(j, r); /* or skip it: SKIPPED */
            p->c.helped += r->alive;
        } else {
            await_rec(p, r);
        }
        p->c.waited += r->alive;
    }
    if (t0) p->c.wait_ns += rt_now_ns() - t0;
}

int rt_jobs_collect(rt_jobs_port *p, uint64_t frame, const rt_jobs_sink *sink) {
    assert(p && sink && sink->alive && sink->apply);
    const bool wait = p->jobs->d.late == RT_JOBS_WAIT;
    int err = RT_OK;
    push_staged(p, false);
    reap_zombies(p);
    if (wait) finish_due(p, frame, sink);
    uint64_t now = rt_now_ns();
    while (p->fifo_count) {
        uint32_t i = p->fifo[p->fifo_head];
        jobs_rec *r = rec_at(p, i);
        if (r->due > frame) break;
        p->fifo_head = (p->fifo_head + 1) & p->ring_mask;
        p->fifo_count--;
        bool alive = wait ? r->alive : sink->alive(sink->ud, r->entity);
        uint32_t s = atomic_load_explicit(&r->state, memory_order_acquire);
        if (!finished(s)) {
            /* RT_JOBS_DISCARD: out of time. Its entity needs work again
             * (or is gone); its result will never be read. */
            assert(!wait);
            unpend(p, r);
            if (alive) p->c.timed_out++;
            else p->c.dropped++;
            if (s == JOBS_STAGED) { /* never pushed: nobody else holds it */
                assert(p->st_count && p->staging[p->st_head] == i);
                p->st_head = (p->st_head + 1) & p->ring_mask;
                p->st_count--;
                p->c.cancelled++;
                rec_free(p, r);
                continue;
            }
            uint32_t q = JOBS_QUEUED; /* skip it if not started */
            atomic_compare_exchange_strong_explicit(&r->state, &q, JOBS_CANCELLED,
                                                    memory_order_relaxed, memory_order_relaxed);
            p->zombie[p->n_zombie++] = i;
            continue;
        }
        unpend(p, r);
        if (s == JOBS_DONE) {
            p->c.completed++;
            p->done_ns[lat_bucket(r->t_done - r->t_submit)]++;
            uint64_t frames = r->done_frame - r->frame;
            p->done_frames[frames < RT_JOBS_FRAME_BUCKETS ? frames : RT_JOBS_FRAME_BUCKETS - 1]++;
        } else {
            p->c.cancelled++;
        }
        if (alive && s == JOBS_DONE) {
            int e = sink->apply(sink->ud, r->entity, (const uint8_t *)r + p->out_off);
            if (e == RT_OK) {
                p->c.applied++;
                p->applied_ns[lat_bucket(now - r->t_submit)]++;
            } else {
                p->c.dropped++;
                if (err == RT_OK) err = e;
            }
        } else {
            p->c.dropped++;
        }
        rec_free(p, r);
    }
    /* Fairness: the first entity refused since the last sync point goes
     * first next time (rt__jobs_resume, and exec.c's run_whole). */
    p->resume = p->resume_next;
    p->resume_next = RT_ENTITY_NULL;
    return err;
}

/* --- create / destroy --------------------------------------------------------------------- */

static void jobs_defaults(rt_jobs_desc *d) {
    if (!d->queue_capacity) d->queue_capacity = JOBS_DEFAULT_CAPACITY;
    if (!d->deadline_frames) d->deadline_frames = JOBS_DEFAULT_DEADLINE;
    if (!d->batch_min) d->batch_min = JOBS_DEFAULT_BATCH_MIN;
    if (!d->batch_max) d->batch_max = d->batch_min > JOBS_DEFAULT_BATCH_MAX
                                          ? d->batch_min : JOBS_DEFAULT_BATCH_MAX;
    if (!d->target_latency_us) d->target_latency_us = JOBS_DEFAULT_TARGET_US;
    if (!d->spin_us) d->spin_us = JOBS_DEFAULT_SPIN_US;
    if (!d->threads) d->threads = 1;
    if (!d->allocator.alloc || !d->allocator.free)
        d->allocator = (rt_allocator){jobs_default_alloc, jobs_default_free, NULL};
}

/* One block per port: records first (cache-line aligned), then its arrays. */
static int port_init(rt_jobs *j, rt_jobs_port *p, const rt_job_desc *job, uint32_t quota) {
    p->jobs = j;
    p->system = p->stage = -1;
    p->job = job;
    p->quota = quota;
    p->batch = j->d.batch_min;
    p->in_off = align_up(sizeof(jobs_rec), job->in_align ? job->in_align : 1);
    p->out_off = align_up(p->in_off + job->in_size, job->out_align ? job->out_align : 1);
    p->rec_size = align_up(p->out_off + job->out_size, 64);
    uint32_t map_cap = pow2_at_least(2 * (uint64_t)quota), ring = pow2_at_least(quota);
    p->map_mask = map_cap - 1;
    p->map_shift = 64u - (uint32_t)__builtin_ctz(map_cap);
    p->ring_mask = ring - 1;
    size_t recs = (size_t)quota * p->rec_size;
    size_t u32s = ((size_t)quota * 2 + (size_t)ring * 2 + map_cap) * sizeof(uint32_t);
    size_t keys = (size_t)map_cap * sizeof(uint64_t);
    size_t items = (size_t)j->d.batch_max * sizeof(rt_queue_item);
    p->bytes = recs + keys + items + u32s;
    uint8_t *b = jobs_alloc(j, p->bytes);
    if (!b) return RT_ENOMEM;
    p->recs = b;
    p->keys = (uint64_t *)(b + recs);
    p->items = (rt_queue_item *)(b + recs + keys);
    uint32_t *u = (uint32_t *)(b + recs + keys + items);
    p->free_list = u;
    p->zombie = u + quota;
    p->fifo = u + 2 * (size_t)quota;
    p->staging = p->fifo + ring;
    p->vals = p->staging + ring;
    for (uint32_t i = 0; i < quota; i++) {
        p->free_list[i] = quota - 1 - i; /* record 0 is taken first */
        atomic_init(&rec_at(p, i)->state, JOBS_FREE);
        rec_at(p, i)->port = p;
        rec_at(p, i)->index = i;
    }
    p->n_free = quota;
    return RT_OK;
}

static rt_jobs *jobs_create(const rt_jobs_desc *desc, int32_t n_ports,
                            const rt_job_desc *const *jobs, rt_world *world, int *err) {
    int dummy;
    if (!err) err = &dummy;
    rt_jobs_desc d = desc ? *desc : (rt_jobs_desc){0};
    if (world) d.allocator = (rt_allocator){0};
    jobs_defaults(&d);
    *err = RT_EINVAL;
    /* RT_JOBS_DISCARD never runs a job on the frame thread: without job
     * threads nothing would. */
    if (n_ports < 1 || !jobs || d.late > RT_JOBS_DISCARD || d.batch_min > d.batch_max ||
        d.queue_capacity > RT_QUEUE_MAX_CAPACITY || d.threads > JOBS_MAX_THREADS ||
        (d.late == RT_JOBS_DISCARD && d.threads < 0))
        return NULL;
    for (int32_t i = 0; i < n_ports; i++)
        if (!jobs[i] || !jobs[i]->run || jobs[i]->in_align > 64 || jobs[i]->out_align > 64 ||
            (jobs[i]->in_align & (jobs[i]->in_align - 1)) ||
            (jobs[i]->out_align & (jobs[i]->out_align - 1)))
            return NULL;
    *err = RT_ENOMEM;
    rt_jobs tmp = {.d = d, .world = world};
    rt_jobs *j = jobs_alloc(&tmp, sizeof *j);
    if (!j) return NULL;
    j->d = d;
    j->world = world;
    j->bytes = tmp.bytes;
    j->slow_ns = (uint64_t)d.slow_job_us * 1000u;
    j->spin_ns = (uint64_t)d.spin_us * 1000u;
    j->target_ns = (uint64_t)d.target_latency_us * 1000u;
    j->n_threads = d.threads > 0 ? (uint32_t)d.threads : 0;
    atomic_init(&j->frame, 0);
    atomic_init(&j->signal, 0);
    atomic_init(&j->sleepers, 0);
    atomic_init(&j->stop, 0);
    /* Each port an equal share of the capacity, at least one job; the queue
     * holds every port's records at once. */
    uint32_t quota = d.queue_capacity / (uint32_t)n_ports;
    if (quota < 1) quota = 1;
    uint32_t capacity = pow2_at_least((uint64_t)quota * (uint32_t)n_ports);
    j->d.queue_capacity = capacity;
    rt_queue_result qr;
    j->queue = rt_queue_create(&(rt_queue_desc){.capacity = capacity,
                                                .allocator = {jobs_queue_alloc, jobs_queue_free, j}},
                               &qr);
    j->ports = jobs_alloc(j, sizeof *j->ports * (size_t)n_ports);
    j->threads = jobs_alloc(j, sizeof *j->threads * (j->n_threads + 1));
    if (!j->queue || !j->ports || !j->threads) {
        rt_jobs_destroy(j);
        return NULL;
    }
    j->n_ports = n_ports;
    for (int32_t i = 0; i < n_ports; i++)
        if (port_init(j, &j->ports[i], jobs[i], quota) != RT_OK) {
            rt_jobs_destroy(j);
            return NULL;
        }
    if ((*err = start_threads(j)) != RT_OK) {
        rt_jobs_destroy(j);
        return NULL;
    }
    return j;
}

rt_jobs *rt_jobs_create(const rt_jobs_desc *desc, int32_t n_ports, const rt_job_desc *const *jobs,
                        int *err) {
    return jobs_create(desc, n_ports, jobs, NULL, err);
}

void rt_jobs_destroy(rt_jobs *j) {
    if (!j) return;
    stop_threads(j);
    if (j->ports)
        for (int32_t i = 0; i < j->n_ports; i++) jobs_free(j, j->ports[i].recs, j->ports[i].bytes);
    jobs_free(j, j->ports, sizeof *j->ports * (size_t)j->n_ports);
    jobs_free(j, j->threads, sizeof *j->threads * (j->n_threads + 1));
    jobs_free(j, j->port_of_system, sizeof *j->port_of_system * (size_t)(j->n_systems + 1));
    rt_queue_destroy(j->queue);
    jobs_free(j, j, sizeof *j);
}

rt_jobs_port *rt_jobs_get_port(rt_jobs *j, int32_t port) {
    assert(j);
    return port >= 0 && port < j->n_ports ? &j->ports[port] : NULL;
}

void rt_jobs_begin_frame(rt_jobs *j, uint64_t frame) {
    assert(j);
    atomic_store_explicit(&j->frame, frame, memory_order_relaxed);
}

/* --- stats and audit ------------------------------------------------------------------------- */

void rt_jobs_get_stats(const rt_jobs *j, rt_jobs_stats *out) {
    assert(j && out);
    memset(out, 0, sizeof *out);
    for (int32_t i = 0; i < j->n_ports; i++) {
        const rt_jobs_port *p = &j->ports[i];
        out->submitted += p->c.submitted;
        out->refused += p->c.refused;
        out->completed += p->c.completed;
        out->applied += p->c.applied;
        out->dropped += p->c.dropped;
        out->timed_out += p->c.timed_out;
        out->discarded += p->c.discarded;
        out->cancelled += p->c.cancelled;
        out->waited += p->c.waited;
        out->wait_ns += p->c.wait_ns;
        out->helped += p->c.helped;
        out->batches += p->c.batches;
        out->in_flight += p->fifo_count;
        out->zombies += p->n_zombie;
        for (int32_t b = 0; b < RT_JOBS_LAT_BUCKETS; b++) {
            out->done_ns[b] += p->done_ns[b];
            out->applied_ns[b] += p->applied_ns[b];
        }
        for (int32_t b = 0; b < RT_JOBS_FRAME_BUCKETS; b++) out->done_frames[b] += p->done_frames[b];
    }
    out->batch = j->ports[0].batch;
    out->capacity = j->d.queue_capacity;
    out->threads = j->n_threads;
    out->deadline_frames = j->d.deadline_frames;
    out->late = j->d.late;
}

void rt_jobs_audit_get(const rt_jobs *j, uint64_t frame, rt_jobs_audit *out) {
    assert(j && out);
    memset(out, 0, sizeof *out);
    int64_t unaccounted = 0;
    for (int32_t i = 0; i < j->n_ports; i++) {
        const rt_jobs_port *p = &j->ports[i];
        out->in_flight += p->fifo_count;
        out->pending += p->map_count;
        /* Every job in flight: its entity pending on it, and due now or later. */
        for (uint32_t k = 0; k < p->fifo_count; k++) {
            uint32_t r = p->fifo[(p->fifo_head + k) & p->ring_mask];
            const jobs_rec *rec = rec_at(p, r);
            if (!rec->in_flight || map_find(p, rec->entity) != (int64_t)r || rec->due < frame)
                out->stranded++;
        }
        /* Every pending entity: a job in flight for it. */
        for (uint32_t k = 0; k <= p->map_mask; k++) {
            if (!p->keys[k]) continue;
            const jobs_rec *rec = rec_at(p, p->vals[k]);
            if (!rec->in_flight || map_key(rec->entity) != p->keys[k]) out->stranded++;
        }
        if (p->map_count != p->fifo_count) out->stranded++;
        unaccounted += (int64_t)p->c.submitted -
                       (int64_t)(p->c.applied + p->c.dropped + p->c.timed_out + p->fifo_count);
    }
    out->unaccounted = unaccounted;
}

/* --- the world's job system -------------------------------------------------------------------- */

static bool world_alive(void *ud, rt_entity e) {
    rt_jobs_port *p = ud;
    return rt_world_alive(p->jobs->world, e);
}

static int world_apply(void *ud, rt_entity e, const void *out) {
    rt_jobs_port *p = ud;
    return p->job->apply ? p->job->apply(p->jobs->world, e, out) : RT_OK;
}

int rt__jobs_init(rt_world *w, const rt_world_desc *desc) {
    const rt_program *prog = w->program;
    int32_t n = 0;
    for (int32_t s = 0; s < prog->n_systems; s++) {
        if (!(prog->systems[s].flags & RT_SYSTEM_ASYNC)) continue;
        const rt_job_desc *job = prog->systems[s].job;
        if (!job || !job->run || !job->apply) {
            rt__log(w, RT_LOG_ERROR, "async system '%s' has no job (run and apply)",
                    prog->systems[s].name);
            return RT_EINVAL;
        }
        n++;
    }
    if (n == 0) return RT_OK;
    const rt_job_desc **jobs = rt__alloc(w, sizeof *jobs * (size_t)n, 64);
    if (!jobs) return RT_ENOMEM;
    n = 0;
    for (int32_t s = 0; s < prog->n_systems; s++)
        if (prog->systems[s].flags & RT_SYSTEM_ASYNC) jobs[n++] = prog->systems[s].job;
    rt_jobs_desc d = desc->jobs;
    if (d.threads == 0) /* the executor's workers, as many as the pool allows */
        d.threads = w->stats.threads <= 1 ? -1
                    : w->stats.threads - 1 > JOBS_MAX_THREADS ? JOBS_MAX_THREADS
                                                              : w->stats.threads - 1;
    if (d.late == RT_JOBS_DISCARD && d.threads < 0) {
        rt__free(w, jobs, sizeof *jobs * (size_t)n);
        rt__log(w, RT_LOG_ERROR, "late jobs can only be discarded with job threads to run "
                "them (RT_JOBS_DISCARD never runs a job on the frame thread)");
        return RT_EINVAL;
    }
    int err;
    rt_jobs *j = jobs_create(&d, n, jobs, w, &err);
    rt__free(w, jobs, sizeof *jobs * (size_t)n);
    if (!j) {
        rt__log(w, RT_LOG_ERROR, "cannot start the job system: %s", rt_error_string(err));
        return err;
    }
    w->jobs = j;
    j->n_systems = prog->n_systems;
    j->port_of_system = jobs_alloc(j, sizeof *j->port_of_system * (size_t)(prog->n_systems + 1));
    if (!j->port_of_system) return RT_ENOMEM;
    for (int32_t s = 0; s < prog->n_systems; s++) j->port_of_system[s] = -1;
    for (int32_t s = 0, k = 0; s < prog->n_systems; s++) {
        if (!(prog->systems[s].flags & RT_SYSTEM_ASYNC)) continue;
        rt_jobs_port *p = &j->ports[k];
        p->system = s;
        j->port_of_system[s] = k++;
        /* Its stage: the sync points before its step (stages end after a
         * step marked SYNC_AFTER). Not in the plan: never resolved, and
         * never submitting either. */
        for (int32_t i = 0, st = 0; i < prog->n_steps; i++) {
            if (prog->steps[i].system == s) p->stage = st;
            if (prog->steps[i].flags & RT_STEP_SYNC_AFTER) st++;
        }
    }
    return RT_OK;
}

void rt__jobs_fini(rt_world *w) {
    rt_jobs_destroy(w->jobs);
    w->jobs = NULL;
}

void rt__jobs_frame_begin(rt_world *w) {
    if (w->jobs) rt_jobs_begin_frame(w->jobs, w->stats.frames);
}

int rt__jobs_sync(rt_world *w, int32_t stage) {
    rt_jobs *j = w->jobs;
    if (!j) return RT_OK;
    int err = RT_OK;
    uint64_t frame = atomic_load_explicit(&j->frame, memory_order_relaxed);
    for (int32_t i = 0; i < j->n_ports; i++) {
        rt_jobs_port *p = &j->ports[i];
        if (p->stage != stage) continue;
        rt_jobs_sink sink = {world_alive, world_apply, p};
        int e = rt_jobs_collect(p, frame, &sink);
        if (e != RT_OK) {
            rt__log(w, RT_LOG_ERROR, "a result of async system '%s' could not be applied: %s",
                    w->program->systems[p->system].name, rt_error_string(e));
            if (err == RT_OK) err = e;
        }
    }
    return err;
}

rt_jobs *rt_world_jobs(rt_world *w) { return w->jobs; }

uint64_t rt__jobs_bytes(const rt_world *w) {
    const rt_jobs *j = w->jobs;
    return j ? j->bytes : 0;
}

rt_jobs_port *rt_jobs_port_of(rt_world *w, int32_t system) {
    rt_jobs *j = w->jobs;
    assert(j && system >= 0 && system < j->n_systems && j->port_of_system[system] >= 0);
    return &j->ports[j->port_of_system[system]];
}

void rt__jobs_resume(const rt_world *w, int32_t system, int32_t *match, int32_t *row) {
    *match = *row = 0;
    const rt_jobs *j = w->jobs;
    if (!j || j->d.no_rotation || j->port_of_system[system] < 0) return;
    rt_entity e = j->ports[j->port_of_system[system]].resume;
    const rt__slot *s = rt_entity_is_null(e) ? NULL : rt__entities_lookup(&w->head.entities, e);
    if (!s) return; /* none refused, or it is gone */
    const rt_system_desc *d = &w->program->systems[system];
    for (int32_t m = 0; m < d->n_matches; m++)
        if (d->matches[m].archetype == s->archetype) {
            *match = m;
            *row = s->row;
            return;
        }
}
