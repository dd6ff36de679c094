/* swarm_main.c -- the reference game: a 2D swarm built on generated code.
 *
 * build/swarm --headless --frames N --entities N --seed S --threads T
 *
 * Runs the plan generated from schemas/swarm.h with a fixed time step, then
 * prints a per-system timing table and a checksum of the world: the same seed
 * and frame count give the same checksum on every run and machine, and for
 * every thread count. */
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
    "Prints a per-system timing table and the world checksum.\n";

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

int main(int argc, char **argv) {
    swarm_options o = {0};
    if (parse_options(argc, argv, &o) != 0) return 2;

    rt_world *w = rt_world_create(&(rt_world_desc){.program = &swarm_program,
                                                   .initial_capacity = o.entities,
                                                   .threads = o.threads});
    if (!w) {
        fprintf(stderr, "swarm: error: cannot create the world (out of memory, or "
                "%d threads could not start)\n", o.threads);
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
    printf("alive %d, spawned %" PRIu64 ", errors %" PRIu64 "\n", rt_world_entity_count(w),
           sp->spawned, st->errors);
    printf("checksum %016" PRIx64 "\n", rt_world_hash(w));
    rt_world_destroy(w);
    return rc == RT_OK ? 0 : 1;
}
