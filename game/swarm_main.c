/* swarm_main.c -- the reference game: a 2D swarm built on generated code.
 *
 * build/swarm --headless --frames N --entities N --seed S --threads T
 *              [--job-queue N --job-deadline F --job-late wait|discard
 *               --job-slow US --job-threads N]
 *
 * Runs the plan generated from schemas/swarm.h with a fixed time step, then
 * prints a per-system timing table, what the async jobs did (docs/jobs.md)
 * and a checksum of the world: the same seed, frame count and job options
 * give the same checksum on every run and machine, and for every thread
 * count (with --job-late discard, results depend on timing). */
#include "swarm.h"
#include "game/swarm_spawn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct swarm_options {
    int32_t frames;    /* zero: 600 */
    int32_t entities;  /* zero: 20000 */
    uint64_t seed;     /* zero: 1 */
    int32_t threads;   /* zero: every CPU the process may run on */
    bool headless;
    rt_jobs_desc jobs; /* seek's jobs; zero: the runtime's defaults */
} swarm_options;

static const char usage[] =
    "usage: swarm [--headless] [--frames N] [--entities N] [--seed S] [--threads T]\n"
    "\n"
    "The ecsc reference game: boids wander, move, bounce, age and respawn.\n"
    "  --headless     run without a window (the default; fixed time step)\n"
    "  --frames N     frames to run (default 600)\n"
    "  --entities N   population kept by the spawner (default 20000)\n"
    "  --seed S       world seed (default 1)\n"
    "  --threads T    threads running the systems, this one included (default:\n"
    "                 every CPU); the checksum is the same for every T\n"
    "Async jobs (boids' goals, docs/jobs.md):\n"
    "  --job-queue N      jobs in flight at most (default 4096)\n"
    "  --job-deadline F   frames from a job's submission to its result (default 2)\n"
    "  --job-late MODE    a result late at its frame: wait (default, deterministic)\n"
    "                     or discard (the job times out and the boid asks again)\n"
    "  --job-slow US      every job first sleeps US microseconds (a slow executor)\n"
    "  --job-threads N    job threads (default: T - 1; 0 runs jobs on this thread)\n"
    "Prints a per-system timing table, the jobs' summary and the world checksum.\n";

static int parse_options(int argc, char **argv, swarm_options *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else if (strcmp(a, "--headless") == 0) {
            o->headless = true;
        } else if (val && (strcmp(a, "--frames") == 0 || strcmp(a, "--entities") == 0 ||
                           strcmp(a, "--threads") == 0)) {
            long n = strtol(val, &end, 10);
            long max = a[2] == 't' ? 1024 : 100000000;
            if (*end || n <= 0 || n > max) {
                fprintf(stderr, "swarm: error: %s needs a number in [1, %ld], got '%s'\n",
                        a, max, val);
                return -1;
            }
            if (a[2] == 'f') o->frames = (int32_t)n;
            else if (a[2] == 't') o->threads = (int32_t)n;
            else o->entities = (int32_t)n;
            i++;
        } else if (val && (strcmp(a, "--job-queue") == 0 || strcmp(a, "--job-deadline") == 0 ||
                           strcmp(a, "--job-slow") == 0 || strcmp(a, "--job-threads") == 0)) {
            long n = strtol(val, &end, 10);
            bool threads = strcmp(a, "--job-threads") == 0;
            long lo = threads || a[6] == 's' ? 0 : 1, hi = threads ? 256 : 1 << 24;
            if (*end || n < lo || n > hi) {
                fprintf(stderr, "swarm: error: %s needs a number in [%ld, %ld], got '%s'\n",
                        a, lo, hi, val);
                return -1;
            }
            if (a[6] == 'q') o->jobs.queue_capacity = (uint32_t)n;
            else if (a[6] == 'd') o->jobs.deadline_frames = (uint32_t)n;
            else if (a[6] == 's') o->jobs.slow_job_us = (uint32_t)n;
            else o->jobs.threads = n ? (int32_t)n : -1;
            i++;
        } else if (val && strcmp(a, "--job-late") == 0) {
            if (strcmp(val, "wait") == 0) o->jobs.late = RT_JOBS_WAIT;
            else if (strcmp(val, "discard") == 0) o->jobs.late = RT_JOBS_DISCARD;
            else {
                fprintf(stderr, "swarm: error: --job-late is 'wait' or 'discard', got '%s'\n",
                        val);
                return -1;
            }
            i++;
        } else if (val && strcmp(a, "--seed") == 0) {
            o->seed = strtoull(val, &end, 0);
            if (*end) {
                fprintf(stderr, "swarm: error: --seed needs a number, got '%s'\n", val);
                return -1;
            }
            i++;
        } else {
            fprintf(stderr, "swarm: error: unknown option '%s'\n%s", a, usage);
            return -1;
        }
    }
    if (!o->frames) o->frames = 600;
    if (!o->entities) o->entities = 20000;
    if (!o->seed) o->seed = 1;
    o->headless = true; /* the only mode until the renderer lands */
    return 0;
}

static void print_table(const rt_world *w) {
    const rt_world_stats *st = rt_world_stats_get(w);
    const rt_program *p = rt_world_program(w);
    double frame_total_ms = (double)st->frame_total_ns / 1e6;
    printf("%-10s %8s %10s %10s %7s\n", "system", "runs", "mean ms", "max ms", "share");
    for (int32_t i = 0; i < p->n_steps; i++) {
        int32_t s = p->steps[i].system;
        const rt_system_stats *ss = &st->systems[s];
        double total_ms = (double)ss->total_ns / 1e6;
        printf("%-10s %8" PRIu64 " %10.4f %10.4f %6.1f%%\n", p->systems[s].name, ss->runs,
               ss->runs ? total_ms / (double)ss->runs : 0.0, (double)ss->max_ns / 1e6,
               frame_total_ms > 0 ? 100.0 * total_ms / frame_total_ms : 0.0);
    }
    printf("%-10s %8" PRIu64 " %10.4f\n", "frame", st->frames,
           st->frames ? frame_total_ms / (double)st->frames : 0.0);
}

/* What seek's async jobs did: every job submitted is applied, dropped (its
 * boid died first), timed out (--job-late discard) or still in flight, and
 * the audit finds no boid pending without a job that will answer it. */
static void print_jobs(rt_world *w) {
    rt_jobs *j = rt_world_jobs(w);
    static rt_jobs_stats s;
    rt_jobs_audit a;
    rt_jobs_get_stats(j, &s);
    rt_jobs_audit_get(j, rt_world_frame_index(w), &a);
    printf("jobs: submitted %" PRIu64 ", completed %" PRIu64 ", applied %" PRIu64
           ", dropped %" PRIu64 " (boid gone), in flight %u\n",
           s.submitted, s.completed, s.applied, s.dropped, s.in_flight);
    printf("jobs: retried after a full queue %" PRIu64 ", timed out %" PRIu64
           " (results discarded %" PRIu64 ", never run %" PRIu64 "), late and waited for %" PRIu64
           " (%.3f ms)\n",
           s.refused, s.timed_out, s.discarded, s.cancelled, s.waited, (double)s.wait_ns / 1e6);
    printf("jobs: stranded %u, unaccounted %" PRId64 "; queue %u, deadline %u frames, %s, "
           "%u job threads, batch %u\n",
           a.stranded, a.unaccounted, s.capacity, s.deadline_frames,
           s.late == RT_JOBS_DISCARD ? "late jobs time out" : "late jobs waited for",
           s.threads, s.batch);
    printf("jobs: finished p50 %.0f / p99 %.0f frames, p50 %.1f / p99 %.1f us after "
           "submission; applied p50 %.2f ms\n",
           rt_jobs_percentile(s.done_frames, RT_JOBS_FRAME_BUCKETS, 0.5),
           rt_jobs_percentile(s.done_frames, RT_JOBS_FRAME_BUCKETS, 0.99),
           rt_jobs_percentile(s.done_ns, RT_JOBS_LAT_BUCKETS, 0.5) / 1e3,
           rt_jobs_percentile(s.done_ns, RT_JOBS_LAT_BUCKETS, 0.99) / 1e3,
           rt_jobs_percentile(s.applied_ns, RT_JOBS_LAT_BUCKETS, 0.5) / 1e6);
}

int main(int argc, char **argv) {
    swarm_options o = {0};
    if (parse_options(argc, argv, &o) != 0) return 2;

    rt_world *w = rt_world_create(&(rt_world_desc){.program = &swarm_program,
                                                   .initial_capacity = o.entities,
                                                   .threads = o.threads, .jobs = o.jobs});
    if (!w) {
        fprintf(stderr, "swarm: error: cannot create the world (out of memory, %d threads "
                "could not start, or the job options do not fit together)\n", o.threads);
        return 1;
    }
    *Bounds_resource(w) = (Bounds){0.0f, 0.0f, 1280.0f, 720.0f};
    Spawner *sp = Spawner_resource(w);
    *sp = (Spawner){.target = o.entities, .seed = o.seed};
    for (int32_t i = 0; i < o.entities; i++) {
        Boid_init b;
        swarm_boid_init(&b, sp, Bounds_resource(w));
        b.lifetime.age = b.lifetime.max_age * (float)i / (float)o.entities; /* staggered */
        if (rt_entity_is_null(Boid_create(w, &b))) {
            fprintf(stderr, "swarm: error: out of memory creating boids\n");
            rt_world_destroy(w);
            return 1;
        }
    }

    const float dt = 1.0f / 60.0f; /* fixed step: same result on every machine */
    int rc = 0;
    for (int32_t f = 0; f < o.frames && rc == 0; f++) rc = rt_world_frame(w, dt);
    if (rc != RT_OK) fprintf(stderr, "swarm: error: %s\n", rt_error_string(rc));

    const rt_world_stats *st = rt_world_stats_get(w);
    printf("swarm: %d entities, %d frames, seed %" PRIu64 ", headless, dt 1/60 s\n",
           o.entities, o.frames, o.seed);
    printf("threads %d, stages %" PRIu64 " (%" PRIu64 " on several threads)\n", st->threads,
           st->stages, st->parallel_stages);
    print_table(w);
    print_jobs(w);
    printf("alive %d, spawned %" PRIu64 ", errors %" PRIu64 "\n", rt_world_entity_count(w),
           sp->spawned, st->errors);
    printf("checksum %016" PRIx64 "\n", rt_world_hash(w));
    rt_world_destroy(w);
    return rc == RT_OK ? 0 : 1;
}
