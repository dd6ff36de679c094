/* test_jobs.c -- suite "jobs": async jobs across frames (runtime/jobs.c).
 *
 * Standalone (rt_jobs_* with hand-made job descriptions): several producers
 * and job threads, every job run and applied exactly once; a full queue
 * refuses and leaves the entity in "needs work"; a pending entity is busy;
 * timed-out jobs never deliver; batches adapt; no allocation after create;
 * bad descs are refused.
 *
 * Worlds (tests/schemas/jtest.h, async system `ask`): the world after every
 * frame is the same for every thread count, batch size and a deliberately
 * slow executor; a result lands exactly deadline_frames after its
 * submission; a tiny queue with short deadlines answers every entity exactly
 * as often as it asked, with nothing stranded; a full queue serves entities
 * in turn; a destroyed entity gets no result; with RT_JOBS_DISCARD a late
 * result is thrown away and never applied. No test times anything: slow and
 * blocked jobs are made so by hooks and gates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jtest.h"
#include "jtest_systems.h"

static const float DT = 1.0f / 60.0f;

/* --- helpers ------------------------------------------------------------------ */

typedef struct count_alloc {
    _Atomic int64_t calls, outstanding;
} count_alloc;

static void *count_alloc_fn(void *ud, size_t size, size_t align) {
    count_alloc *a = ud;
    atomic_fetch_add(&a->calls, 1);
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
        return NULL;
    atomic_fetch_add(&a->outstanding, 1);
    return p;
}

static void count_free_fn(void *ud, void *p) {
    count_alloc *a = ud;
    atomic_fetch_sub(&a->outstanding, 1);
    free(p);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* --- standalone: a job that records every run ----------------------------------- */

enum { SA_MAX_IDS = 1 << 17 };

typedef struct sa_in {
    uint32_t id;
    uint32_t salt;
} sa_in;

typedef struct sa_out {
    uint64_t value;
    uint32_t id;
} sa_out;

static _Atomic uint32_t sa_runs[SA_MAX_IDS];    /* by the job, per id */
static _Atomic uint32_t sa_applied[SA_MAX_IDS]; /* by the sink, per id */
static _Atomic int sa_gate_open = 1;            /* jobs with id == sa_gate_id wait for it */
static _Atomic uint32_t sa_gate_id = UINT32_MAX;
static _Atomic int sa_gate_started;

static uint64_t sa_value(uint32_t id, uint32_t salt) {
    return (uint64_t)id * 0x9e3779b97f4a7c15ull ^ salt;
}

static void sa_run(const void *in, void *out) {
    const sa_in *i = in;
    if (i->id == atomic_load(&sa_gate_id)) {
        atomic_store(&sa_gate_started, 1);
        while (!atomic_load(&sa_gate_open)) sched_yield();
    }
    atomic_fetch_add(&sa_runs[i->id], 1);
    *(sa_out *)out = (sa_out){.value = sa_value(i->id, i->salt), .id = i->id};
}

static const rt_job_desc sa_job = {sizeof(sa_in), alignof(sa_in), sizeof(sa_out),
                                   alignof(sa_out), sa_run, NULL};

static void sa_reset(void) {
    for (uint32_t i = 0; i < SA_MAX_IDS; i++) {
        atomic_store(&sa_runs[i], 0);
        atomic_store(&sa_applied[i], 0);
    }
    atomic_store(&sa_gate_id, UINT32_MAX);
    atomic_store(&sa_gate_open, 1);
    atomic_store(&sa_gate_started, 0);
}

static rt_entity sa_entity(uint32_t id) { return (rt_entity){id, 1}; }

/* The sink: entities whose id is marked in the bool array ud (NULL: none)
 * are gone; results are checked and counted. */
static bool sa_alive(void *ud, rt_entity e) {
    const bool *dead = ud;
    return !dead || !dead[e.index];
}

static int sa_apply(void *ud, rt_entity e, const void *out) {
    (void)ud;
    const sa_out *o = out;
    assert_int_equal(o->id, e.index);
    atomic_fetch_add(&sa_applied[e.index], 1);
    return RT_OK;
}

static rt_jobs *sa_create(rt_jobs_desc d, int32_t ports) {
    const rt_job_desc *jobs[8];
    for (int32_t i = 0; i < ports; i++) jobs[i] = &sa_job;
    int err = -1;
    rt_jobs *j = rt_jobs_create(&d, ports, jobs, &err);
    if (!j) fail_msg("rt_jobs_create: %s", rt_error_string(err));
    assert_int_equal(err, RT_OK);
    return j;
}

static void assert_audit_clean(const rt_jobs *j, uint64_t frame) {
    rt_jobs_audit a;
    rt_jobs_audit_get(j, frame, &a);
    assert_int_equal(a.stranded, 0);
    assert_int_equal(a.unaccounted, 0);
    assert_int_equal(a.pending, a.in_flight);
}

/* --- standalone: producers and consumers --------------------------------------- */

/* P producer threads, each owning a port, submit ids in frames; between
 * frames they collect their own port. Job threads and the producers'
 * helping run the jobs. */
typedef struct stress {
    rt_jobs *jobs;
    int32_t producers;
    uint32_t per_producer;  /* ids per producer */
    uint32_t per_frame;     /* submissions a producer tries per frame */
    pthread_barrier_t barrier;
    _Atomic uint64_t frame;
    _Atomic int done;
} stress;

typedef struct stress_thread {
    stress *s;
    int32_t index;
    pthread_t thread;
} stress_thread;

static void *stress_producer(void *arg) {
    stress_thread *t = arg;
    stress *s = t->s;
    rt_jobs_port *p = rt_jobs_get_port(s->jobs, t->index);
    uint32_t next = 0, base = (uint32_t)t->index * s->per_producer;
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    for (;;) {
        pthread_barrier_wait(&s->barrier); /* the frame starts */
        if (atomic_load(&s->done)) break;
        uint64_t frame = atomic_load(&s->frame);
        for (uint32_t k = 0; k < s->per_frame && next < s->per_producer; k++) {
            sa_in in = {.id = base + next, .salt = 0};
            int rc = rt_jobs_submit(p, sa_entity(base + next), &in);
            if (rc == RT_EFULL) break;
            assert_int_equal(rc, RT_OK);
            next++;
        }
        rt_jobs_flush(p);
        assert_int_equal(rt_jobs_collect(p, frame, &sink), RT_OK);
        pthread_barrier_wait(&s->barrier); /* the frame ends */
    }
    return NULL;
}

static void stress_run(int32_t producers, int32_t threads, uint32_t capacity, uint32_t batch_max,
                       uint32_t deadline) {
    sa_reset();
    stress s = {.producers = producers, .per_producer = 20000, .per_frame = 700};
    s.jobs = sa_create((rt_jobs_desc){.queue_capacity = capacity, .threads = threads,
                                      .deadline_frames = deadline, .batch_max = batch_max},
                       producers);
    pthread_barrier_init(&s.barrier, NULL, (unsigned)producers + 1);
    stress_thread t[4];
    for (int32_t i = 0; i < producers; i++) {
        t[i] = (stress_thread){&s, i, 0};
        assert_int_equal(pthread_create(&t[i].thread, NULL, stress_producer, &t[i]), 0);
    }
    uint64_t total = (uint64_t)producers * s.per_producer, frame = 0;
    for (;; frame++) {
        rt_jobs_stats st;
        rt_jobs_get_stats(s.jobs, &st); /* between frames: the ports are idle */
        if (st.applied == total) break;
        assert_true(frame < 100000);
        rt_jobs_begin_frame(s.jobs, frame);
        atomic_store(&s.frame, frame);
        pthread_barrier_wait(&s.barrier);
        pthread_barrier_wait(&s.barrier);
    }
    atomic_store(&s.done, 1);
    pthread_barrier_wait(&s.barrier);
    for (int32_t i = 0; i < producers; i++) pthread_join(t[i].thread, NULL);
    for (uint64_t id = 0; id < total; id++) {
        if (atomic_load(&sa_runs[id]) != 1 || atomic_load(&sa_applied[id]) != 1)
            fail_msg("id %llu: run %u times, applied %u times", (unsigned long long)id,
                     atomic_load(&sa_runs[id]), atomic_load(&sa_applied[id]));
    }
    rt_jobs_stats st;
    rt_jobs_get_stats(s.jobs, &st);
    assert_int_equal(st.submitted, total);
    assert_int_equal(st.completed, total);
    assert_int_equal(st.in_flight, 0);
    assert_true(st.batches > 0);
    assert_audit_clean(s.jobs, frame);
    rt_jobs_destroy(s.jobs);
    pthread_barrier_destroy(&s.barrier);
}

static void jobs_stress_every_job_run_and_applied_exactly_once(void **state) {
    (void)state;
    static const struct { int32_t producers, threads; uint32_t capacity, batch_max, deadline; } c[] = {
        {1, 1, 1024, 0, 1}, {1, 2, 64, 8, 2},  {2, 1, 256, 0, 1}, {2, 2, 1024, 64, 3},
        {2, 4, 8, 2, 1},    {1, 3, 2, 1, 1},   {2, 2, 1, 1, 1},   {1, -1, 128, 16, 2},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        stress_run(c[i].producers, c[i].threads, c[i].capacity, c[i].batch_max, c[i].deadline);
}

/* --- standalone: states -------------------------------------------------------------- */

static void jobs_full_queue_refuses_and_entity_still_needs_work(void **state) {
    (void)state;
    sa_reset();
    rt_jobs *j = sa_create((rt_jobs_desc){.queue_capacity = 4, .threads = -1,
                                          .deadline_frames = 1},
                           1);
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    rt_jobs_begin_frame(j, 0);
    for (uint32_t id = 0; id < 10; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), id < 4 ? RT_OK : RT_EFULL);
        assert_int_equal(rt_jobs_pending(p, sa_entity(id)), id < 4);
    }
    rt_jobs_stats st;
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.submitted, 4);
    assert_int_equal(st.refused, 6);
    assert_int_equal(st.in_flight, 4);
    assert_audit_clean(j, 0);
    /* Not due yet in frame 0: nothing resolved, no job run. */
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    assert_int_equal(rt_jobs_collect(p, 0, &sink), RT_OK);
    for (uint32_t id = 0; id < 4; id++) assert_int_equal(atomic_load(&sa_runs[id]), 0);
    /* Frame 1: due; with no job threads the collecting thread runs them. */
    rt_jobs_begin_frame(j, 1);
    for (uint32_t id = 4; id < 10; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_EFULL);
    }
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    for (uint32_t id = 0; id < 10; id++) {
        assert_int_equal(atomic_load(&sa_applied[id]), id < 4);
        assert_false(rt_jobs_pending(p, sa_entity(id)));
    }
    /* The refused ones now get their turn. */
    rt_jobs_begin_frame(j, 2);
    for (uint32_t id = 4; id < 8; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
    }
    assert_int_equal(rt_jobs_collect(p, 3, &sink), RT_OK);
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.applied, 8);
    assert_int_equal(st.refused, 12);
    assert_int_equal(st.helped, 8);
    assert_audit_clean(j, 4);
    rt_jobs_destroy(j);
}

static void jobs_pending_entity_is_busy_until_resolved(void **state) {
    (void)state;
    sa_reset();
    rt_jobs *j = sa_create((rt_jobs_desc){.threads = 1, .deadline_frames = 2}, 1);
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    sa_in in = {7, 1};
    rt_jobs_begin_frame(j, 0);
    assert_int_equal(rt_jobs_submit(p, sa_entity(7), &in), RT_OK);
    assert_int_equal(rt_jobs_submit(p, sa_entity(7), &in), RT_EBUSY);
    /* Another generation of the same slot is another entity. */
    assert_int_equal(rt_jobs_submit(p, (rt_entity){7, 2}, &in), RT_OK);
    assert_int_equal(rt_jobs_submit(p, RT_ENTITY_NULL, &in), RT_EINVAL);
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    assert_true(rt_jobs_pending(p, sa_entity(7)));
    assert_int_equal(rt_jobs_collect(p, 2, &sink), RT_OK);
    assert_false(rt_jobs_pending(p, sa_entity(7)));
    assert_int_equal(atomic_load(&sa_applied[7]), 2);
    assert_int_equal(rt_jobs_submit(p, sa_entity(7), &in), RT_OK);
    rt_jobs_destroy(j);
}

/* RT_JOBS_DISCARD: a job still running when due times out, its entity needs
 * work again at once, and its result, when it comes, is thrown away; a job
 * queued behind it is cancelled and never runs. */
static void jobs_timed_out_job_never_delivers(void **state) {
    (void)state;
    sa_reset();
    rt_jobs *j = sa_create((rt_jobs_desc){.threads = 1, .deadline_frames = 1,
                                          .late = RT_JOBS_DISCARD},
                           1);
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    atomic_store(&sa_gate_open, 0);
    atomic_store(&sa_gate_id, 1);
    rt_jobs_begin_frame(j, 0);
    for (uint32_t id = 1; id <= 2; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
    }
    rt_jobs_flush(p);
    while (!atomic_load(&sa_gate_started)) sched_yield(); /* job 1 runs, job 2 waits */
    rt_jobs_begin_frame(j, 1);
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    rt_jobs_stats st;
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.timed_out, 2);
    assert_int_equal(st.zombies, 2);
    assert_int_equal(st.applied, 0);
    assert_false(rt_jobs_pending(p, sa_entity(1)));
    assert_audit_clean(j, 1);
    /* Entity 1 asks again (salt 9 marks the new job), then the old job ends. */
    sa_in again = {1, 9};
    assert_int_equal(rt_jobs_submit(p, sa_entity(1), &again), RT_OK);
    rt_jobs_flush(p);
    atomic_store(&sa_gate_id, UINT32_MAX);
    atomic_store(&sa_gate_open, 1);
    while (atomic_load(&sa_runs[1]) < 2) sched_yield(); /* the new job ran: in time */
    rt_jobs_begin_frame(j, 2);
    assert_int_equal(rt_jobs_collect(p, 2, &sink), RT_OK);
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.applied, 1);           /* the new job only */
    assert_int_equal(atomic_load(&sa_applied[1]), 1);
    assert_int_equal(atomic_load(&sa_applied[2]), 0);
    for (int k = 0; k < 1000 && st.zombies; k++) { /* the old jobs' threads finish */
        sleep_ms(1);
        rt_jobs_begin_frame(j, 3 + (uint64_t)k);
        assert_int_equal(rt_jobs_collect(p, 3 + (uint64_t)k, &sink), RT_OK);
        rt_jobs_get_stats(j, &st);
    }
    assert_int_equal(st.zombies, 0);
    assert_int_equal(st.discarded, 1);  /* job 1's first result */
    assert_int_equal(st.cancelled, 1);  /* job 2 never ran */
    assert_int_equal(atomic_load(&sa_runs[2]), 0);
    assert_int_equal(atomic_load(&sa_applied[1]), 1);
    assert_int_equal(st.submitted, st.applied + st.dropped + st.timed_out + st.in_flight);
    assert_audit_clean(j, 3);
    rt_jobs_destroy(j);
}

/* A result for an entity that is gone is dropped; a queued job for it is
 * cancelled instead of run. */
static void jobs_gone_entity_gets_no_result(void **state) {
    (void)state;
    sa_reset();
    static bool dead[SA_MAX_IDS];
    memset(dead, 0, sizeof dead);
    rt_jobs *j = sa_create((rt_jobs_desc){.threads = -1, .deadline_frames = 1}, 1);
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    rt_jobs_sink sink = {sa_alive, sa_apply, dead};
    rt_jobs_begin_frame(j, 0);
    for (uint32_t id = 0; id < 6; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
    }
    dead[1] = dead[4] = true;
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    rt_jobs_stats st;
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.applied, 4);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.cancelled, 2);
    for (uint32_t id = 0; id < 6; id++) {
        assert_int_equal(atomic_load(&sa_applied[id]), !dead[id]);
        assert_int_equal(atomic_load(&sa_runs[id]), !dead[id]);
    }
    assert_audit_clean(j, 1);
    rt_jobs_destroy(j);
}

/* Batches grow while the queue is deep and shrink when jobs wait longer than
 * the target for their batch. No job thread: the queue only drains when
 * collected. */
static void jobs_batch_adapts_to_depth_and_latency(void **state) {
    (void)state;
    sa_reset();
    rt_jobs *j = sa_create((rt_jobs_desc){.queue_capacity = 4096, .threads = -1,
                                          .deadline_frames = 1, .batch_min = 1, .batch_max = 32,
                                          .target_latency_us = 1000000},
                           1);
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    rt_jobs_begin_frame(j, 0);
    rt_jobs_stats st;
    for (uint32_t id = 0; id < 1000; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
    }
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.batch, 32);       /* doubled up to the bound */
    assert_true(st.batches < 1000 / 8);   /* far fewer pushes than jobs */
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    rt_jobs_destroy(j);

    /* A target of 1 ms, met by quick submissions (batches grow), then a body
     * that takes 2 ms per submission: halved down to the lower bound. */
    sa_reset();
    j = sa_create((rt_jobs_desc){.threads = -1, .deadline_frames = 1, .batch_min = 2,
                                 .batch_max = 16, .target_latency_us = 1000},
                  1);
    p = rt_jobs_get_port(j, 0);
    rt_jobs_begin_frame(j, 0);
    for (uint32_t id = 0; id < 200 ; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
    }
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.batch, 16);
    for (uint32_t id = 200; id < 260; id++) {
        sa_in in = {id, 0};
        assert_int_equal(rt_jobs_submit(p, sa_entity(id), &in), RT_OK);
        sleep_ms(2);
    }
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.batch, 2);        /* back to the lower bound */
    assert_int_equal(rt_jobs_collect(p, 1, &sink), RT_OK);
    rt_jobs_get_stats(j, &st);
    assert_int_equal(st.applied, 260);
    rt_jobs_destroy(j);
}

static void jobs_no_allocation_after_create(void **state) {
    (void)state;
    sa_reset();
    count_alloc a = {0};
    rt_jobs_desc d = {.queue_capacity = 256, .threads = 2, .deadline_frames = 1,
                      .allocator = {count_alloc_fn, count_free_fn, &a}};
    rt_jobs *j = sa_create(d, 2);
    int64_t after_create = atomic_load(&a.calls);
    rt_jobs_sink sink = {sa_alive, sa_apply, NULL};
    for (uint64_t f = 0; f < 400; f++) {
        rt_jobs_begin_frame(j, f);
        for (int32_t k = 0; k < 2; k++) {
            rt_jobs_port *p = rt_jobs_get_port(j, k);
            for (uint32_t i = 0; i < 100; i++) {
                uint32_t id = (uint32_t)(f * 200 + (uint64_t)k * 100 + i) % SA_MAX_IDS;
                sa_in in = {id, 0};
                int rc = rt_jobs_submit(p, sa_entity(id), &in);
                assert_true(rc == RT_OK || rc == RT_EFULL);
            }
            rt_jobs_flush(p);
            assert_int_equal(rt_jobs_collect(p, f, &sink), RT_OK);
        }
    }
    assert_int_equal(atomic_load(&a.calls), after_create);
    rt_jobs_destroy(j);
    assert_int_equal(atomic_load(&a.outstanding), 0);
}

static void jobs_bad_desc_rejected(void **state) {
    (void)state;
    const rt_job_desc *one[] = {&sa_job};
    int err = RT_OK;
    rt_job_desc wide = sa_job;
    wide.in_align = 128;
    const rt_job_desc *bad[] = {&wide};
    rt_job_desc no_run = sa_job;
    no_run.run = NULL;
    const rt_job_desc *none[] = {&no_run};
    struct { rt_jobs_desc d; int32_t n; const rt_job_desc *const *jobs; } c[] = {
        {{.batch_min = 8, .batch_max = 4}, 1, one},
        {{.late = 7}, 1, one},
        {{.late = RT_JOBS_DISCARD, .threads = -1}, 1, one}, /* nothing would run its jobs */
        {{0}, 0, one},
        {{0}, 1, bad},
        {{0}, 1, none},
        {{.threads = 100000}, 1, one},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        err = RT_OK;
        assert_null(rt_jobs_create(&c[i].d, c[i].n, c[i].jobs, &err));
        assert_int_equal(err, RT_EINVAL);
    }
}

static void jobs_percentile_reads_histograms(void **state) {
    (void)state;
    uint64_t frames[RT_JOBS_FRAME_BUCKETS] = {0};
    frames[2] = 90;
    frames[5] = 10;
    assert_true(rt_jobs_percentile(frames, RT_JOBS_FRAME_BUCKETS, 0.5) == 2.0);
    assert_true(rt_jobs_percentile(frames, RT_JOBS_FRAME_BUCKETS, 0.99) == 5.0);
    static uint64_t ns[RT_JOBS_LAT_BUCKETS];
    memset(ns, 0, sizeof ns);
    assert_true(rt_jobs_percentile(ns, RT_JOBS_LAT_BUCKETS, 0.5) !=
                rt_jobs_percentile(ns, RT_JOBS_LAT_BUCKETS, 0.5)); /* NAN when empty */
    /* 1000 samples in the bucket of 10 us: the answer is within 12.5 %. */
    uint64_t v = 10000, o = 63 - (uint64_t)__builtin_clzll(v);
    ns[8 * (o - 2) + ((v >> (o - 3)) & 7)] = 1000;
    double p50 = rt_jobs_percentile(ns, RT_JOBS_LAT_BUCKETS, 0.5);
    assert_true(p50 > 10000 * 0.875 && p50 < 10000 * 1.125);
}

/* --- worlds ----------------------------------------------------------------------------- */

typedef struct wconfig {
    int32_t threads;
    rt_jobs_desc jobs;
    uint32_t units, crates;
    uint32_t want;        /* answers each entity asks for */
    uint32_t muted_every; /* every n-th unit is Muted; 0: none */
    uint32_t churn_every; /* Churn.every */
    count_alloc *alloc;
} wconfig;

static uint64_t seed_of(uint32_t i) { return (uint64_t)i * 0x9e3779b97f4a7c15ull + 12345; }

static rt_world *make_world(const wconfig *c) {
    rt_world_desc d = {.program = &jtest_program, .threads = c->threads, .jobs = c->jobs,
                       .min_parallel_ns = -1, .chunk_rows = 64};
    if (c->alloc) d.allocator = (rt_allocator){count_alloc_fn, count_free_fn, c->alloc};
    rt_world *w = rt_world_create(&d);
    if (!w) return NULL;
    Churn_resource(w)->every = c->churn_every;
    for (uint32_t i = 0; i < c->units + c->crates; i++) {
        rt_entity e;
        if (i < c->units) {
            e = Unit_create(w, &(Unit_init){.seed = {seed_of(i)}, .want = {c->want}});
            if (c->muted_every && i % c->muted_every == 0) Muted_set(w, e, true);
        } else {
            e = Crate_create(w, &(Crate_init){.seed = {seed_of(i)}, .want = {c->want}});
        }
        assert_false(rt_entity_is_null(e));
    }
    return w;
}

/* The answer an entity with this seed has after n jobs. */
static Answer expected_answer(uint64_t seed, uint32_t n) {
    Answer a = {0};
    for (uint32_t k = 0; k < n; k++) {
        ask_job_in in = {.seed = seed, .value = a.value, .jobs = k};
        Answer next = jtest_answer(&in);
        a.value = next.value;
        a.jobs = next.jobs;
    }
    return a;
}

/* Every entity of both archetypes: its Answer consistent with a chain of
 * Answer.jobs links (so no result was lost, repeated or reordered). Returns
 * the answers applied in all. */
static uint64_t check_chains(rt_world *w) {
    uint64_t total = 0;
    for (int32_t a = 0; a < 2; a++) {
        rt_table *t = rt_world_table(w, a == 0 ? Unit_id : Crate_id);
        for (int32_t r = 0; r < t->count; r++) {
            Answer got;
            uint64_t seed;
            Seed s;
            assert_int_equal(Answer_get(w, t->entities[r], &got), RT_OK);
            assert_int_equal(Seed_get(w, t->entities[r], &s), RT_OK);
            seed = s.value;
            Answer want = expected_answer(seed, got.jobs);
            if (got.value != want.value)
                fail_msg("entity %u: answer %u's chain is broken", t->entities[r].index, got.jobs);
            total += got.jobs;
        }
    }
    return total;
}

static void assert_world_audit_clean(rt_world *w) {
    rt_jobs_audit a;
    rt_jobs_audit_get(rt_world_jobs(w), rt_world_frame_index(w), &a);
    assert_int_equal(a.stranded, 0);
    assert_int_equal(a.unaccounted, 0);
}

enum { WFRAMES = 50 };

typedef struct wrun {
    uint64_t hash[WFRAMES];
    rt_jobs_stats stats;
} wrun;

static void world_run(const wconfig *c, wrun *r) {
    rt_world *w = make_world(c);
    assert_non_null(w);
    for (int f = 0; f < WFRAMES; f++) {
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        r->hash[f] = rt_world_hash(w);
        assert_world_audit_clean(w);
    }
    check_chains(w);
    rt_jobs_get_stats(rt_world_jobs(w), &r->stats);
    assert_int_equal(rt_world_stats_get(w)->errors, 0);
    rt_world_destroy(w);
}

static void jobs_world_same_world_for_every_thread_count(void **state) {
    (void)state;
    atomic_store(&jtest_hook, NULL);
    wconfig base = {.threads = 1, .units = 400, .crates = 300, .want = 5, .muted_every = 7,
                    .churn_every = 6, .jobs = {.queue_capacity = 128}};
    static wrun ref, got;
    world_run(&base, &ref);
    assert_true(ref.stats.applied > 0);
    assert_true(ref.stats.refused > 0);  /* the queue was full at times */
    assert_true(ref.stats.dropped > 0);  /* churn destroyed crates with jobs in flight */
    const struct { int32_t threads; int32_t job_threads; uint32_t batch_max, slow_us; } v[] = {
        {2, 0, 0, 0}, {3, 0, 0, 0}, {4, 0, 0, 0}, {8, 0, 0, 0}, {2, 0, 1, 0}, {2, 4, 3, 0},
        {2, 0, 0, 300}, {1, -1, 0, 0}, {4, 1, 0, 100},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        wconfig c = base;
        c.threads = v[i].threads;
        c.jobs.threads = v[i].job_threads;
        c.jobs.batch_max = v[i].batch_max;
        c.jobs.slow_job_us = v[i].slow_us;
        world_run(&c, &got);
        for (int f = 0; f < WFRAMES; f++)
            if (got.hash[f] != ref.hash[f])
                fail_msg("variant %zu (threads %d, job threads %d, slow %u us) differs at frame %d",
                         i, v[i].threads, v[i].job_threads, v[i].slow_us, f);
        assert_int_equal(got.stats.submitted, ref.stats.submitted);
        assert_int_equal(got.stats.refused, ref.stats.refused);
        assert_int_equal(got.stats.applied, ref.stats.applied);
        assert_int_equal(got.stats.dropped, ref.stats.dropped);
        assert_int_equal(got.stats.timed_out, 0);
    }
}

/* A job submitted in frame f is applied at the end of frame f + deadline,
 * never sooner or later, whatever the threads do. */
static void jobs_world_result_lands_exactly_deadline_frames_later(void **state) {
    (void)state;
    atomic_store(&jtest_hook, NULL);
    for (uint32_t deadline = 1; deadline <= 3; deadline++) {
        wconfig c = {.threads = 2, .units = 300, .want = 4,
                     .jobs = {.deadline_frames = deadline, .queue_capacity = 64}};
        rt_world *w = make_world(&c);
        assert_non_null(w);
        rt_table *t = rt_world_table(w, Unit_id);
        static uint32_t before[300];
        memset(before, 0, sizeof before);
        uint64_t applied = 0;
        for (uint32_t f = 0; f < 40; f++) {
            assert_int_equal(rt_world_frame(w, DT), RT_OK);
            Answer *a = NULL;
            for (int32_t r = 0; r < t->count; r++) {
                Answer got;
                assert_int_equal(Answer_get(w, t->entities[r], &got), RT_OK);
                a = &got;
                if (a->jobs == before[r]) continue;
                assert_int_equal(a->jobs, before[r] + 1);  /* one answer per frame at most */
                assert_int_equal(a->frame + deadline, f);  /* submitted deadline frames ago */
                before[r] = a->jobs;
                applied++;
            }
        }
        rt_jobs_stats st;
        rt_jobs_get_stats(rt_world_jobs(w), &st);
        assert_int_equal(st.applied, applied);
        assert_int_equal(st.deadline_frames, deadline);
        rt_world_destroy(w);
    }
}

/* The check the brief asks for: a tiny queue and short deadlines under load
 * (a slow executor). Every entity is answered exactly as often as it asked,
 * nothing is stranded, and the world is the same as with a roomy queue's
 * answers in another order. */
static void jobs_world_tiny_queue_every_answer_exactly_once(void **state) {
    (void)state;
    atomic_store(&jtest_hook, NULL);
    const struct { uint32_t capacity, deadline; int32_t threads; uint32_t slow_us; } v[] = {
        {1, 1, 1, 0}, {1, 1, 2, 50}, {2, 1, 2, 0}, {2, 2, 4, 20}, {4, 1, 2, 100}, {3, 1, 3, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        wconfig c = {.threads = v[i].threads, .units = 60, .crates = 20, .want = 3,
                     .muted_every = 10,
                     .jobs = {.queue_capacity = v[i].capacity, .deadline_frames = v[i].deadline,
                              .slow_job_us = v[i].slow_us}};
        rt_world *w = make_world(&c);
        assert_non_null(w);
        uint64_t asking = (c.units - c.units / c.muted_every) + c.crates, want = asking * c.want;
        uint32_t f = 0;
        rt_jobs_stats st;
        for (;; f++) {
            rt_jobs_get_stats(rt_world_jobs(w), &st);
            if (st.applied == want && st.in_flight == 0) break;
            assert_true(f < 10000);
            assert_int_equal(rt_world_frame(w, DT), RT_OK);
            assert_world_audit_clean(w);
        }
        assert_int_equal(check_chains(w), want);
        assert_int_equal(st.submitted, want);
        assert_int_equal(st.completed, want);
        assert_int_equal(st.dropped + st.timed_out, 0);
        assert_true(st.refused > 0);
        /* Muted units never asked; every other entity was answered `want` times. */
        rt_table *t = rt_world_table(w, Unit_id);
        for (int32_t r = 0; r < t->count; r++) {
            Answer a;
            Answer_get(w, t->entities[r], &a);
            bool muted = Muted_has(w, t->entities[r]) == 1;
            assert_int_equal(a.jobs, muted ? 0 : c.want);
        }
        rt_world_destroy(w);
    }
}

/* With a full queue, the entities refused first are served first next time:
 * every entity gets a turn. Without the rotation (no_rotation), the first
 * rows would take every turn: the test has teeth. */
static void jobs_world_full_queue_serves_entities_in_turn(void **state) {
    (void)state;
    atomic_store(&jtest_hook, NULL);
    for (int rotate = 1; rotate >= 0; rotate--) {
        wconfig c = {.threads = 1, .units = 40, .want = 3,
                     .jobs = {.queue_capacity = 2, .deadline_frames = 1,
                              .no_rotation = !rotate}};
        rt_world *w = make_world(&c);
        assert_non_null(w);
        for (int f = 0; f < 60; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
        rt_table *t = rt_world_table(w, Unit_id);
        uint32_t least = UINT32_MAX, most = 0;
        for (int32_t r = 0; r < t->count; r++) {
            Answer a;
            Answer_get(w, t->entities[r], &a);
            least = a.jobs < least ? a.jobs : least;
            most = a.jobs > most ? a.jobs : most;
        }
        if (rotate) {
            assert_true(least >= 1);      /* everyone served in 60 frames ... */
            assert_true(most - least <= 1); /* ... in turn */
        } else {
            assert_int_equal(least, 0);   /* the last rows starve */
            assert_int_equal(most, 3);
        }
        rt_world_destroy(w);
    }
}

/* Hooks that hold one job until a gate opens. */
static _Atomic uint64_t hold_seed;
static _Atomic uint32_t hold_jobs;      /* hold the job with this Answer.jobs ... */
static _Atomic int hold_open, hold_started;

static void hold_hook(const ask_job_in *in) {
    if (in->seed != atomic_load(&hold_seed) || in->jobs != atomic_load(&hold_jobs)) return;
    atomic_store(&hold_started, 1);
    while (!atomic_load(&hold_open)) sched_yield();
}

static void hold(uint64_t seed, uint32_t jobs) {
    atomic_store(&hold_seed, seed);
    atomic_store(&hold_jobs, jobs);
    atomic_store(&hold_open, 0);
    atomic_store(&hold_started, 0);
    atomic_store(&jtest_hook, hold_hook);
}

static void release(void) {
    atomic_store(&hold_open, 1);
}

/* An entity destroyed while its job runs gets no result, and the entity that
 * takes its slot is not confused with it. */
static void jobs_world_destroyed_entity_gets_no_result(void **state) {
    (void)state;
    wconfig c = {.threads = 2, .units = 10, .want = 1, .jobs = {.deadline_frames = 2}};
    rt_world *w = make_world(&c);
    assert_non_null(w);
    rt_entity victim = rt_world_table(w, Unit_id)->entities[3];
    hold(seed_of(3), 0);
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 0: everyone asks */
    while (!atomic_load(&hold_started)) sched_yield(); /* the victim's job is running */
    assert_int_equal(rt_world_destroy_entity(w, victim), RT_OK);
    rt_entity heir = Unit_create(w, &(Unit_init){.seed = {777}, .want = {1}});
    assert_int_equal(heir.index, victim.index);     /* the slot is reused ... */
    assert_true(heir.gen != victim.gen);            /* ... by another entity */
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 1: the heir asks */
    release();
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 2: frame 0's jobs are due */
    rt_jobs_stats st;
    rt_jobs_get_stats(rt_world_jobs(w), &st);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.applied, 9);
    Answer a;
    assert_int_equal(Answer_get(w, heir, &a), RT_OK);
    assert_int_equal(a.jobs, 0);                    /* not the victim's answer */
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 3: the heir's is due */
    assert_int_equal(Answer_get(w, heir, &a), RT_OK);
    assert_int_equal(a.jobs, 1);
    assert_true(a.value == expected_answer(777, 1).value);
    assert_int_equal(a.frame, 1);
    assert_int_equal(rt_world_stats_get(w)->errors, 0);
    assert_world_audit_clean(w);
    atomic_store(&jtest_hook, NULL);
    rt_world_destroy(w);
}

/* RT_JOBS_DISCARD in a world: the held job times out, its entity asks again
 * and is answered by the new job; the old result, when it comes, is
 * discarded. stats.applied counts every application, so a result applied
 * twice would show as one more application than answers. */
static void jobs_world_discard_never_applies_a_late_result(void **state) {
    (void)state;
    wconfig c = {.threads = 3, .units = 20, .want = 2,
                 .jobs = {.deadline_frames = 1, .late = RT_JOBS_DISCARD, .threads = 2}};
    rt_world *w = make_world(&c);
    assert_non_null(w);
    rt_entity e = rt_world_table(w, Unit_id)->entities[5];
    hold(seed_of(5), 0);
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 0: the held job starts */
    while (!atomic_load(&hold_started)) sched_yield();
    assert_int_equal(rt_world_frame(w, DT), RT_OK); /* frame 1: due, still running */
    rt_jobs_stats st;
    rt_jobs_get_stats(rt_world_jobs(w), &st);
    assert_true(st.timed_out >= 1);
    assert_false(rt_jobs_pending(rt_jobs_get_port(rt_world_jobs(w), 0), e));
    Answer a;
    Answer_get(w, e, &a);
    assert_int_equal(a.jobs, 0);
    /* The entity asks again; the other job thread answers it. Frames are
     * paced so that job threads keep their deadline (a job that misses it
     * again is only asked for once more). */
    uint64_t asking = c.units * c.want;
    for (int f = 0; f < 5000; f++) {
        if (f == 3) release();
        rt_jobs_get_stats(rt_world_jobs(w), &st);
        if (st.applied == asking && st.zombies == 0 && f > 3) break;
        assert_int_equal(rt_world_frame(w, DT), RT_OK);
        assert_world_audit_clean(w);
        sleep_ms(1);
    }
    rt_jobs_get_stats(rt_world_jobs(w), &st);
    assert_int_equal(st.applied, asking);          /* each answer applied once */
    assert_int_equal(check_chains(w), asking);
    assert_true(st.discarded + st.cancelled >= 1); /* the held job's result */
    assert_int_equal(st.discarded + st.cancelled, st.timed_out);
    assert_int_equal(st.submitted, st.applied + st.timed_out + st.in_flight + st.dropped);
    Answer_get(w, e, &a);
    assert_int_equal(a.jobs, 2);
    assert_true(a.frame >= 2);                     /* from a job asked after the timeout */
    atomic_store(&jtest_hook, NULL);
    rt_world_destroy(w);
}

static void jobs_world_no_allocation_after_warmup(void **state) {
    (void)state;
    atomic_store(&jtest_hook, NULL);
    count_alloc a = {0};
    wconfig c = {.threads = 2, .units = 500, .crates = 200, .want = 1000, .churn_every = 9,
                 .alloc = &a, .jobs = {.queue_capacity = 256}};
    rt_world *w = make_world(&c);
    assert_non_null(w);
    for (int f = 0; f < 40; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
    int64_t calls = atomic_load(&a.calls);
    for (int f = 0; f < 200; f++) assert_int_equal(rt_world_frame(w, DT), RT_OK);
    assert_int_equal(atomic_load(&a.calls), calls);
    rt_jobs_stats st;
    rt_jobs_get_stats(rt_world_jobs(w), &st);
    assert_true(st.applied > 10000);
    rt_world_destroy(w);
    assert_int_equal(atomic_load(&a.outstanding), 0);
}

static void jobs_world_without_async_systems_has_no_jobs(void **state) {
    (void)state;
    /* A program without async systems: the job system is not built. */
    static const rt_system_desc none[1] = {{0}};
    static const rt_program p = {.name = "empty", .systems = none};
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &p, .threads = 1});
    assert_non_null(w);
    assert_null(rt_world_jobs(w));
    assert_int_equal(rt_world_frame(w, DT), RT_OK);
    rt_world_destroy(w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jobs_stress_every_job_run_and_applied_exactly_once),
        cmocka_unit_test(jobs_full_queue_refuses_and_entity_still_needs_work),
        cmocka_unit_test(jobs_pending_entity_is_busy_until_resolved),
        cmocka_unit_test(jobs_timed_out_job_never_delivers),
        cmocka_unit_test(jobs_gone_entity_gets_no_result),
        cmocka_unit_test(jobs_batch_adapts_to_depth_and_latency),
        cmocka_unit_test(jobs_no_allocation_after_create),
        cmocka_unit_test(jobs_bad_desc_rejected),
        cmocka_unit_test(jobs_percentile_reads_histograms),
        cmocka_unit_test(jobs_world_same_world_for_every_thread_count),
        cmocka_unit_test(jobs_world_result_lands_exactly_deadline_frames_later),
        cmocka_unit_test(jobs_world_tiny_queue_every_answer_exactly_once),
        cmocka_unit_test(jobs_world_full_queue_serves_entities_in_turn),
        cmocka_unit_test(jobs_world_destroyed_entity_gets_no_result),
        cmocka_unit_test(jobs_world_discard_never_applies_a_late_result),
        cmocka_unit_test(jobs_world_no_allocation_after_warmup),
        cmocka_unit_test(jobs_world_without_async_systems_has_no_jobs),
    };
    alarm(600); /* a lost wakeup or a stranded wait fails the run instead of hanging it */
    return cmocka_run_group_tests_name("jobs", tests, NULL, NULL);
}
