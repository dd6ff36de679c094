/* bench_jobs.c -- workload JOBS of build/ecsbench: async jobs (runtime/jobs.c)
 * beside the raw MPMC queue they run on (bench_queue.c), in one run. Also
 * built standalone as build/bench_jobs. The figures are in docs/jobs.md.
 *
 * Rows (workload JOBS):
 *   queue    jobs_per_second    the raw queue, 1p1c and 2p2c, one item per call
 *                               and batches of 16 (bench_queue.c)
 *   e2e      jobs_per_second    the job system end to end: P producer threads
 *                               each owning a port submit jobs frame after
 *                               frame and collect their results one frame
 *                               later, C job threads run them; P = C = 1 and
 *                               2. Floor: the raw queue's single-item rate at
 *                               the same P and C, so ratio_to_floor is what
 *                               the job system keeps of the queue's speed.
 *   latency  submit_to_done_us, submit_to_done_frames, submit_to_applied_us
 *                               p50 as the value, p99 as an extra: frames of
 *                               1 ms of other work, 500 jobs of a few us each
 *                               per frame, deadline 2, one job thread.
 *   soak     bytes, rss_kib, jobs_per_second
 *                               10 million jobs through one job system with a
 *                               counting allocator: bytes held after create
 *                               and at the end (and allocations in between:
 *                               none), the process's resident memory before
 *                               and after.
 *
 * Every repetition checks its results (each job's answer summed against the
 * formula), so no timing is of work not done. Median of reps (>= 7) after a
 * warm-up, with min and max; the e2e cases are interleaved repetition by
 * repetition. --entities N scales the job counts down for quick runs
 * (100 * N jobs per e2e repetition, 1000 * N in the soak). */
#include "bench.h"
#include "bench_queue.h"
#include "rt.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    E2E_JOBS = 2000000,      /* per repetition, all producers together */
    E2E_PER_FRAME = 8192,    /* submissions per producer per frame */
    LAT_FRAMES = 300,        /* per repetition */
    LAT_JOBS_PER_FRAME = 500,
    LAT_FRAME_US = 1000,     /* the frame's other work */
    LAT_WORK = 200,          /* a latency job's rounds of xorshift: a few us */
    LAT_DEADLINE = 2,
    SOAK_JOBS = 10000000,
};

/* --- the job: a little arithmetic, checkable ------------------------------------ */

typedef struct job_in {
    uint64_t x;
    uint32_t rounds;
} job_in;

typedef struct job_out {
    uint64_t y;
} job_out;

static uint64_t job_answer(uint64_t x, uint32_t rounds) {
    uint64_t y = x * 0x9e3779b97f4a7c15ull + 1;
    for (uint32_t i = 0; i < rounds; i++) {
        y ^= y << 13;
        y ^= y >> 7;
        y ^= y << 17;
    }
    return y;
}

static void job_run(const void *in, void *out) {
    const job_in *i = in;
    ((job_out *)out)->y = job_answer(i->x, i->rounds);
}

static const rt_job_desc job_desc = {sizeof(job_in), alignof(job_in), sizeof(job_out),
                                     alignof(job_out), job_run, NULL};

/* The sink adds the answers up; the caller compares with the formula. */
typedef struct sum_sink {
    uint64_t sum, count;
} sum_sink;

static bool sink_alive(void *ud, rt_entity e) {
    (void)ud, (void)e;
    return true;
}

static int sink_apply(void *ud, rt_entity e, const void *out) {
    (void)e;
    sum_sink *s = ud;
    s->sum += ((const job_out *)out)->y;
    s->count++;
    return RT_OK;
}

static rt_jobs *make_jobs(rt_jobs_desc d, int32_t ports) {
    const rt_job_desc *jobs[4] = {&job_desc, &job_desc, &job_desc, &job_desc};
    int err;
    rt_jobs *j = rt_jobs_create(&d, ports, jobs, &err);
    if (!j) fprintf(stderr, "bench_jobs: rt_jobs_create: %s\n", rt_error_string(err));
    return j;
}

/* --- end to end: producers, ports, job threads ---------------------------------- */

typedef struct e2e {
    rt_jobs *jobs;
    int32_t producers;
    uint64_t per_producer; /* jobs */
    pthread_barrier_t barrier;
    _Atomic uint64_t frame;
    _Atomic int done;
    sum_sink sums[2];
} e2e;

typedef struct e2e_thread {
    e2e *e;
    int32_t index;
    pthread_t thread;
} e2e_thread;

/* One producer: each frame it submits its share, pushes it, and collects
 * what is due (the previous frame's jobs, waiting for them if late). */
static void *e2e_producer(void *arg) {
    e2e_thread *t = arg;
    e2e *e = t->e;
    rt_jobs_port *p = rt_jobs_get_port(e->jobs, t->index);
    rt_jobs_sink sink = {sink_alive, sink_apply, &e->sums[t->index]};
    uint64_t next = 0, base = (uint64_t)t->index << 40;
    for (;;) {
        pthread_barrier_wait(&e->barrier);
        if (atomic_load(&e->done)) break;
        uint64_t frame = atomic_load(&e->frame);
        for (uint32_t k = 0; k < E2E_PER_FRAME && next < e->per_producer; k++, next++) {
            job_in in = {base + next, 1};
            if (rt_jobs_submit(p, (rt_entity){(uint32_t)next, 1u + (uint32_t)(next >> 32)},
                               &in) != RT_OK)
                break; /* never: the queue has room for two frames */
        }
        rt_jobs_flush(p);
        rt_jobs_collect(p, frame, &sink);
        pthread_barrier_wait(&e->barrier);
    }
    return NULL;
}

/* One repetition: jobs per second, or a negative number on failure. */
static double e2e_once(int32_t producers, int32_t consumers, uint64_t total, double *helped) {
    e2e e = {.producers = producers, .per_producer = total / (uint64_t)producers};
    e.jobs = make_jobs((rt_jobs_desc){.queue_capacity = 4u * E2E_PER_FRAME * (uint32_t)producers,
                                      .threads = consumers, .deadline_frames = 1},
                       producers);
    if (!e.jobs) return -1;
    pthread_barrier_init(&e.barrier, NULL, (unsigned)producers + 1);
    e2e_thread t[2];
    for (int32_t i = 0; i < producers; i++) {
        t[i] = (e2e_thread){&e, i, 0};
        if (pthread_create(&t[i].thread, NULL, e2e_producer, &t[i]) != 0) abort();
    }
    uint64_t t0 = bench_now_ns(), applied = 0;
    for (uint64_t f = 0; applied < e.per_producer * (uint64_t)producers; f++) {
        rt_jobs_begin_frame(e.jobs, f);
        atomic_store(&e.frame, f);
        pthread_barrier_wait(&e.barrier);
        pthread_barrier_wait(&e.barrier);
        applied = e.sums[0].count + (producers > 1 ? e.sums[1].count : 0);
    }
    uint64_t ns = bench_now_ns() - t0;
    atomic_store(&e.done, 1);
    pthread_barrier_wait(&e.barrier);
    for (int32_t i = 0; i < producers; i++) pthread_join(t[i].thread, NULL);
    rt_jobs_stats st;
    rt_jobs_get_stats(e.jobs, &st);
    rt_jobs_destroy(e.jobs);
    pthread_barrier_destroy(&e.barrier);
    for (int32_t i = 0; i < producers; i++) {
        uint64_t want = 0, base = (uint64_t)i << 40;
        for (uint64_t n = 0; n < e.per_producer; n++) want += job_answer(base + n, 1);
        if (e.sums[i].sum != want || e.sums[i].count != e.per_producer) {
            fprintf(stderr, "bench_jobs: e2e %dp%dc: producer %d's answers are wrong\n",
                    producers, consumers, i);
            return -1;
        }
    }
    *helped = (double)st.helped / (double)st.completed;
    return (double)applied * 1e9 / (double)ns;
}

/* --- latency: frames with other work ---------------------------------------------- */

typedef struct lat_result {
    double done_us[2], done_frames[2], applied_us[2]; /* p50, p99 */
} lat_result;

static void spin_until(uint64_t t) {
    while (bench_now_ns() < t) {
    }
}

static int lat_once(lat_result *r) {
    rt_jobs *j = make_jobs((rt_jobs_desc){.threads = 1, .deadline_frames = LAT_DEADLINE}, 1);
    if (!j) return -1;
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    sum_sink sums = {0};
    rt_jobs_sink sink = {sink_alive, sink_apply, &sums};
    uint64_t want = 0, id = 0;
    for (uint64_t f = 0; f < LAT_FRAMES + LAT_DEADLINE; f++) {
        uint64_t start = bench_now_ns();
        rt_jobs_begin_frame(j, f);
        for (uint32_t k = 0; k < LAT_JOBS_PER_FRAME && f < LAT_FRAMES; k++, id++) {
            job_in in = {id, LAT_WORK};
            if (rt_jobs_submit(p, (rt_entity){(uint32_t)id, 1}, &in) != RT_OK) return -1;
            want += job_answer(id, LAT_WORK);
        }
        rt_jobs_flush(p);
        spin_until(start + LAT_FRAME_US * 1000ull); /* the rest of the frame */
        rt_jobs_collect(p, f, &sink);
    }
    rt_jobs_stats st;
    rt_jobs_get_stats(j, &st);
    rt_jobs_destroy(j);
    if (sums.sum != want || sums.count != id) {
        fprintf(stderr, "bench_jobs: latency: answers are wrong\n");
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        double q = k ? 0.99 : 0.5;
        r->done_us[k] = rt_jobs_percentile(st.done_ns, RT_JOBS_LAT_BUCKETS, q) / 1e3;
        r->done_frames[k] = rt_jobs_percentile(st.done_frames, RT_JOBS_FRAME_BUCKETS, q);
        r->applied_us[k] = rt_jobs_percentile(st.applied_ns, RT_JOBS_LAT_BUCKETS, q) / 1e3;
    }
    return 0;
}

/* --- soak: memory over millions of jobs --------------------------------------------- */

typedef struct count_alloc {
    int64_t calls;
    int64_t bytes; /* held now */
} count_alloc;

/* Every block carries its size in the 128 bytes in front of it (the job
 * system asks for at most 128-byte alignment). */
enum { COUNT_HEAD = 128 };

static void *count_alloc_fn(void *ud, size_t size, size_t align) {
    count_alloc *a = ud;
    uint8_t *p = NULL;
    if (align > COUNT_HEAD || posix_memalign((void **)&p, COUNT_HEAD, size + COUNT_HEAD))
        return NULL;
    memcpy(p, &size, sizeof size);
    a->calls++;
    a->bytes += (int64_t)size;
    return p + COUNT_HEAD;
}

static void count_free_fn(void *ud, void *ptr) {
    count_alloc *a = ud;
    uint8_t *p = (uint8_t *)ptr - COUNT_HEAD;
    size_t size;
    memcpy(&size, p, sizeof size);
    a->bytes -= (int64_t)size;
    free(p);
}

static double rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1024.0;
}

typedef struct soak_result {
    double bytes_start, bytes_end, allocations, rss_start, rss_end, jobs_per_second;
} soak_result;

static int soak(uint64_t total, soak_result *r) {
    count_alloc a = {0};
    r->rss_start = rss_kib();
    rt_jobs *j = make_jobs((rt_jobs_desc){.queue_capacity = 4096, .threads = 1,
                                          .deadline_frames = 1,
                                          .allocator = {count_alloc_fn, count_free_fn, &a}},
                           1);
    if (!j) return -1;
    rt_jobs_port *p = rt_jobs_get_port(j, 0);
    r->bytes_start = (double)a.bytes;
    int64_t calls = a.calls;
    sum_sink sums = {0};
    rt_jobs_sink sink = {sink_alive, sink_apply, &sums};
    uint64_t id = 0, want = 0, t0 = bench_now_ns();
    for (uint64_t f = 0; sums.count < total; f++) {
        rt_jobs_begin_frame(j, f);
        for (uint32_t k = 0; k < 2048 && id < total; k++, id++) {
            job_in in = {id, 1};
            if (rt_jobs_submit(p, (rt_entity){(uint32_t)id, 1u + (uint32_t)(id >> 32)}, &in) !=
                RT_OK)
                return -1;
            want += job_answer(id, 1);
        }
        rt_jobs_flush(p);
        rt_jobs_collect(p, f, &sink);
    }
    r->jobs_per_second = (double)total * 1e9 / (double)(bench_now_ns() - t0);
    r->bytes_end = (double)a.bytes;
    r->allocations = (double)(a.calls - calls);
    r->rss_end = rss_kib();
    rt_jobs_destroy(j);
    if (sums.sum != want || a.bytes != 0) {
        fprintf(stderr, "bench_jobs: soak: answers wrong or memory not returned\n");
        return -1;
    }
    return 0;
}

/* --- the workload ---------------------------------------------------------------------- */

static void add(bench_row r) {
    if (bench_add_row(&r) != 0) fprintf(stderr, "bench_jobs: out of memory for rows\n");
}

int bench_jobs_run(const bench_opts *o) {
    uint64_t e2e_jobs = o->entities ? (uint64_t)o->entities * 100 : E2E_JOBS;
    uint64_t soak_jobs = o->entities ? (uint64_t)o->entities * 1000 : SOAK_JOBS;
    int32_t reps = o->reps;

    /* The raw queue. */
    bench_queue_row q[BENCH_QUEUE_ROWS];
    if (bench_queue_jobs(q, BENCH_QUEUE_ROWS) != BENCH_QUEUE_ROWS)
        return bench_fail("JOBS", "the queue benchmark failed");
    double floor_single[3] = {0}; /* by producers */
    for (int i = 0; i < BENCH_QUEUE_ROWS; i++) {
        bench_row r = bench_row_init("JOBS", "jobs_per_second");
        r.op = "queue";
        r.variant = strcmp(q[i].variant, "single") == 0 ? "single" : "batch16";
        r.threads = (int32_t)q[i].threads;
        r.value = q[i].value;
        r.min = q[i].min;
        r.max = q[i].max;
        r.extra[0] = (bench_extra){"producers", q[i].producers};
        r.extra[1] = (bench_extra){"consumers", q[i].consumers};
        if (strcmp(q[i].variant, "single") == 0) floor_single[q[i].producers] = q[i].value;
        add(r);
    }

    /* End to end, 1p1c and 2p2c interleaved. */
    static const int32_t pc[2] = {1, 2};
    bench_samples rate[2] = {{0}}, helped[2] = {{0}};
    for (int32_t rep = -1; rep < reps; rep++)
        for (int c = 0; c < 2; c++) {
            double h;
            double v = e2e_once(pc[c], pc[c], e2e_jobs, &h);
            if (v < 0) return bench_fail("JOBS", "end to end %dp%dc failed", pc[c], pc[c]);
            if (rep < 0) continue;
            bench_samples_add(&rate[c], v);
            bench_samples_add(&helped[c], h);
        }
    for (int c = 0; c < 2; c++) {
        bench_row r = bench_row_init("JOBS", "jobs_per_second");
        r.op = "e2e";
        r.variant = c ? "2p2c" : "1p1c";
        r.threads = 2 * pc[c];
        bench_row_set(&r, &rate[c]);
        r.floor = floor_single[pc[c]];
        r.extra[0] = (bench_extra){"producers", pc[c]};
        r.extra[1] = (bench_extra){"consumers", pc[c]};
        r.extra[2] = (bench_extra){"jobs_per_rep", (double)e2e_jobs};
        r.extra[3] = (bench_extra){"helped_share", bench_median(&helped[c])};
        add(r);
    }

    /* Latency. */
    bench_samples s[3][2] = {{{0}}};
    for (int32_t rep = -1; rep < reps; rep++) {
        lat_result l;
        if (lat_once(&l) != 0) return bench_fail("JOBS", "latency run failed");
        if (rep < 0) continue;
        for (int k = 0; k < 2; k++) {
            bench_samples_add(&s[0][k], l.done_us[k]);
            bench_samples_add(&s[1][k], l.done_frames[k]);
            bench_samples_add(&s[2][k], l.applied_us[k]);
        }
    }
    static const char *const lat_metric[3] = {"submit_to_done_us", "submit_to_done_frames",
                                              "submit_to_applied_us"};
    for (int m = 0; m < 3; m++) {
        bench_row r = bench_row_init("JOBS", lat_metric[m]);
        r.op = "latency";
        r.variant = "p50";
        r.threads = 2;
        bench_row_set(&r, &s[m][0]);
        r.extra[0] = (bench_extra){"p99", bench_median(&s[m][1])};
        r.extra[1] = (bench_extra){"deadline_frames", LAT_DEADLINE};
        r.extra[2] = (bench_extra){"frame_us", LAT_FRAME_US};
        r.extra[3] = (bench_extra){"jobs_per_frame", LAT_JOBS_PER_FRAME};
        add(r);
    }

    /* Soak: one run (it is long), so min = max = value. */
    soak_result k;
    if (soak(soak_jobs, &k) != 0) return bench_fail("JOBS", "soak failed");
    bench_row r = bench_row_init("JOBS", "bytes");
    r.op = "soak";
    r.threads = 2;
    r.value = r.min = r.max = k.bytes_end;
    r.extra[0] = (bench_extra){"start_bytes", k.bytes_start};
    r.extra[1] = (bench_extra){"allocations", k.allocations};
    r.extra[2] = (bench_extra){"jobs", (double)soak_jobs};
    add(r);
    r = bench_row_init("JOBS", "rss_kib");
    r.op = "soak";
    r.threads = 2;
    r.value = r.min = r.max = k.rss_end;
    r.extra[0] = (bench_extra){"start_kib", k.rss_start};
    r.extra[1] = (bench_extra){"jobs", (double)soak_jobs};
    add(r);
    r = bench_row_init("JOBS", "jobs_per_second");
    r.op = "soak";
    r.variant = "1p1c";
    r.threads = 2;
    r.value = r.min = r.max = k.jobs_per_second;
    r.extra[0] = (bench_extra){"jobs", (double)soak_jobs};
    add(r);
    return 0;
}

#ifdef BENCH_JOBS_MAIN
int main(int argc, char **argv) {
    bench_opts o = {.threads = {1}, .n_threads = 1, .reps = 7};
    if (argc > 1) o.entities = atoll(argv[1]); /* quick runs: scale */
    if (bench_jobs_run(&o) != 0) return 1;
    printf("%-6s %-8s %-8s %3s %-22s %12s %12s %12s %8s  extras\n", "load", "op", "variant",
           "thr", "metric", "value", "min", "max", "vs queue");
    for (int32_t i = 0; i < bench_row_count(); i++) {
        const bench_row *r = &bench_rows()[i];
        printf("%-6s %-8s %-8s %3d %-22s %12.4g %12.4g %12.4g", r->workload, r->op,
               r->variant ? r->variant : "-", r->threads, r->metric, r->value, r->min, r->max);
        if (isfinite(r->floor) && r->floor > 0) printf(" %8.3f", r->value / r->floor);
        else printf(" %8s", "-");
        for (int k = 0; k < BENCH_MAX_EXTRA; k++)
            if (r->extra[k].key) printf("  %s %.4g", r->extra[k].key, r->extra[k].value);
        putchar('\n');
    }
    return 0;
}
#endif
