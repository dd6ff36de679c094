/* swarm_main.c -- the reference game: a 2D swarm built on generated code.
 *
 * build/swarm --headless --frames N --entities N --seed S --threads T
 *
 * Runs the plan generated from schemas/swarm.h with a fixed time step, then
 * prints a per-system table (times from the world's monitor, budgets and
 * statuses from its budget controller, memory) and a checksum of the world:
 * the same seed and frame count give the same checksum on every run and
 * machine, and for every thread count.
 *
 * Budgets (docs/budgets.md): by default they are observed (statuses, overrun
 * warnings) and the run stays deterministic. `--budget-ms MS` or `--overload`
 * enforces them: the quality level drops and the degradable shimmer effect is
 * time-sliced to hold the frame near its target, so the result then depends
 * on timing; `--record-decisions FILE` saves what the controller decided and
 * `--replay FILE` runs again with exactly those decisions (same checksum).
 * `--overload` runs four times the boids with a shimmer effect sized to cost
 * about three frame targets at full quality. Files: --csv, --json, --trace,
 * --profile (the cost profile `build/ecsc --profile` reads back). */
#include "swarm.h"
#include "export.h"
#include "game/swarm_effects.h"
#include "game/swarm_spawn.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SWARM_OVERLOAD_BOIDS = 4,   /* --overload: this many times the default population */
    SWARM_OVERLOAD_FRAMES = 3,  /* --overload: shimmer costs this many frame targets */
    SWARM_TRACE_FRAMES = 60,    /* --trace without --trace-frames: the last ones */
};

typedef struct swarm_options {
    int32_t frames;    /* zero: 600 */
    int32_t entities;  /* zero: 20000 (80000 with --overload) */
    uint64_t seed;     /* zero: 1 */
    int32_t threads;   /* zero: every CPU the process may run on */
    bool headless;
    float budget_ms;   /* frame target; zero: the schema's */
    bool overload;
    int32_t effects;   /* shimmer work per boid; -1: off (or sized by --overload) */
    int64_t trace_first, trace_last; /* frames; -1: the last SWARM_TRACE_FRAMES */
    const char *csv, *json, *trace, *profile, *budget_config, *record, *replay;
} swarm_options;

static const char usage[] =
    "usage: swarm [--headless] [--frames N] [--entities N] [--seed S] [--threads T]\n"
    "             [--budget-ms MS] [--overload] [--effects N] [--budget-config FILE]\n"
    "             [--record-decisions FILE] [--replay FILE] [--csv FILE] [--json FILE]\n"
    "             [--trace FILE] [--trace-frames A:B] [--profile FILE]\n"
    "\n"
    "The ecsc reference game: boids wander, move, bounce, age and respawn.\n"
    "  --headless     run without a window (the default; fixed time step)\n"
    "  --frames N     frames to run (default 600)\n"
    "  --entities N   population kept by the spawner (default 20000)\n"
    "  --seed S       world seed (default 1)\n"
    "  --threads T    threads running the systems, this one included (default:\n"
    "                 every CPU); the checksum is the same for every T\n"
    "budgets (docs/budgets.md):\n"
    "  --budget-ms MS enforce budgets with this frame target (default: the\n"
    "                 schema's 16.67 ms, observed only): quality drops and the\n"
    "                 degradable shimmer effect is time-sliced under load\n"
    "  --overload     4x the boids and a shimmer effect costing about 3 frame\n"
    "                 targets at full quality; enforces budgets\n"
    "  --effects N    shimmer iterations per boid at quality 1 (default: off;\n"
    "                 --overload sizes it from this machine's speed)\n"
    "  --budget-config FILE   budget overrides (JSON, docs/budgets.md)\n"
    "  --record-decisions FILE  save the budget decisions of this run\n"
    "  --replay FILE  run with the decisions of a recorded run: same world\n"
    "files:\n"
    "  --csv FILE     per-frame, per-system times (us) of the last 600 frames\n"
    "  --json FILE    summary: frame and system statistics, budgets, memory\n"
    "  --trace FILE   Chrome trace (Perfetto) of the last 60 frames, or of\n"
    "                 --trace-frames A:B (frame indices from 0, inclusive)\n"
    "  --profile FILE per-system cost profile, as `ecsc --profile` reads it\n"
    "Prints a per-system table and the world checksum.\n";

static int bad_number(const char *opt, const char *val, const char *what) {
    fprintf(stderr, "swarm: error: %s needs %s, got '%s'\n", opt, what, val);
    return -1;
}

static int parse_options(int argc, char **argv, swarm_options *o) {
    static const struct {
        const char *name;
        size_t offset;
    } files[] = {
        {"--csv", offsetof(swarm_options, csv)},
        {"--json", offsetof(swarm_options, json)},
        {"--trace", offsetof(swarm_options, trace)},
        {"--profile", offsetof(swarm_options, profile)},
        {"--budget-config", offsetof(swarm_options, budget_config)},
        {"--record-decisions", offsetof(swarm_options, record)},
        {"--replay", offsetof(swarm_options, replay)},
    };
    o->effects = -1;
    o->trace_first = o->trace_last = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        bool file = false;
        for (size_t k = 0; k < sizeof files / sizeof files[0] && !file; k++)
            if (strcmp(a, files[k].name) == 0 && val) {
                *(const char **)((char *)o + files[k].offset) = val;
                file = true;
            }
        if (file) {
            i++;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else if (strcmp(a, "--headless") == 0) {
            o->headless = true;
        } else if (strcmp(a, "--overload") == 0) {
            o->overload = true;
        } else if (val && (strcmp(a, "--frames") == 0 || strcmp(a, "--entities") == 0 ||
                           strcmp(a, "--threads") == 0 || strcmp(a, "--effects") == 0)) {
            long n = strtol(val, &end, 10);
            bool effects = a[2] == 'e' && a[3] == 'f';
            long lo = effects ? 0 : 1, max = a[2] == 't' ? 1024 : 100000000;
            if (*end || n < lo || n > max) {
                fprintf(stderr, "swarm: error: %s needs a number in [%ld, %ld], got '%s'\n",
                        a, lo, max, val);
                return -1;
            }
            if (effects) o->effects = (int32_t)n;
            else if (a[2] == 'f') o->frames = (int32_t)n;
            else if (a[2] == 't') o->threads = (int32_t)n;
            else o->entities = (int32_t)n;
            i++;
        } else if (val && strcmp(a, "--seed") == 0) {
            o->seed = strtoull(val, &end, 0);
            if (*end) return bad_number(a, val, "a number");
            i++;
        } else if (val && strcmp(a, "--budget-ms") == 0) {
            o->budget_ms = strtof(val, &end);
            if (*end || !(o->budget_ms > 0.01f && o->budget_ms < 1e6f))
                return bad_number(a, val, "milliseconds in (0.01, 1e6)");
            i++;
        } else if (val && strcmp(a, "--trace-frames") == 0) {
            long long first = strtoll(val, &end, 10), last = -1;
            if (*end == ':') last = strtoll(end + 1, &end, 10);
            if (*end || first < 0 || last < first)
                return bad_number(a, val, "a frame range A:B with 0 <= A <= B");
            o->trace_first = first;
            o->trace_last = last;
            i++;
        } else {
            fprintf(stderr, "swarm: error: unknown option '%s'\n%s", a, usage);
            return -1;
        }
    }
    if (!o->frames) o->frames = 600;
    if (!o->entities) o->entities = o->overload ? SWARM_OVERLOAD_BOIDS * 20000 : 20000;
    if (!o->seed) o->seed = 1;
    o->headless = true; /* the only mode until the renderer lands */
    return 0;
}

/* --- the overload scenario ------------------------------------------------------ */

/* ns per shimmer iteration on this machine, on one thread: the effect's own
 * loop (swarm_effects.h, compiled here with the same flags as the system),
 * on a chunk of boids. */
static double shimmer_ns_per_iteration(void) {
    enum { BOIDS = 4096, REPS = 3 };
    static float vx[BOIDS], vy[BOIDS], r[BOIDS], g[BOIDS], b[BOIDS];
    volatile int32_t work_read = 256; /* unknown to the compiler, as in the system */
    const int32_t WORK = work_read;
    for (int32_t i = 0; i < BOIDS; i++) {
        vx[i] = (float)(i % 97) - 48.0f;
        vy[i] = (float)(i % 89) - 44.0f;
    }
    double best = 1e300;
    for (int32_t rep = 0; rep < REPS; rep++) { /* the fastest: a preempted rep says nothing */
        uint64_t t0 = rt_now_ns();
        swarm_shimmer(BOIDS, vx, vy, r, g, b, WORK);
        double ns = (double)(rt_now_ns() - t0) / ((double)BOIDS * WORK);
        if (ns < best) best = ns;
    }
    volatile float keep = r[BOIDS - 1] + g[0] + b[1]; /* the loop's result is used */
    (void)keep;
    return best;
}

/* Shimmer work per boid so that the effect costs SWARM_OVERLOAD_FRAMES frame
 * targets at full quality, spread over the world's threads. */
static int32_t overload_effects(float target_ms, int32_t entities, int32_t threads) {
    double ns = shimmer_ns_per_iteration();
    double work = SWARM_OVERLOAD_FRAMES * (double)target_ms * 1e6 * threads /
                  ((double)entities * (ns > 0.01 ? ns : 0.01));
    return work < 1 ? 1 : work > 1e6 ? 1000000 : (int32_t)work;
}

/* --- the summary ------------------------------------------------------------------ */

static double ms(uint64_t ns) { return (double)ns / 1e6; }

static void print_memory(rt_world *w) {
    rt_monitor *mon = rt_world_monitor(w);
    rt_monitor_process_memory pm;
    if (rt_world_update_memory(w) != RT_OK) return;
    if (rt_monitor_process_memory_read(&pm) == 0)
        printf("memory: resident %.1f MiB (peak %.1f MiB), world %.2f MiB:",
               (double)pm.resident_bytes / 1048576.0, (double)pm.peak_resident_bytes / 1048576.0,
               (double)rt_monitor_memory_total(mon) / 1048576.0);
    for (int32_t i = 0; i < rt_monitor_memory_count(mon); i++) {
        rt_monitor_memory_entry e = rt_monitor_memory(mon, i);
        printf(" %s %.1f KiB%s", e.name, (double)e.bytes / 1024.0,
               i + 1 < rt_monitor_memory_count(mon) ? "," : "\n");
    }
}

/* One row per system in plan order: runs, the monitor's statistics over its
 * window (ms), the share of all frames, the budget, its status and throttle. */
static void print_table(rt_world *w) {
    const rt_world_stats *st = rt_world_stats_get(w);
    const rt_program *p = rt_world_program(w);
    rt_monitor *mon = rt_world_monitor(w);
    rt_budget *bud = rt_world_budget(w);
    double frame_total_ms = (double)st->frame_total_ns / 1e6;
    printf("%-10s %8s %9s %9s %9s %9s %9s %6s %7s %-8s %s\n", "system", "runs", "mean ms",
           "p50 ms", "p95 ms", "p99 ms", "max ms", "share", "budget", "status", "throttle");
    for (int32_t i = 0; i < p->n_steps; i++) {
        int32_t s = p->steps[i].system;
        const rt_system_stats *ss = &st->systems[s];
        rt_monitor_stats m;
        rt_monitor_get_system_stats(mon, s, &m);
        rt_budget_system_info bi = {0};
        if (bud) rt_budget_get_system(bud, s, &bi);
        char budget[16] = "-", throttle[24] = "-";
        if (bi.target_ms > 0) snprintf(budget, sizeof budget, "%.2f", (double)bi.target_ms);
        if (bi.degradable)
            snprintf(throttle, sizeof throttle, "%s 1/%u",
                     bi.degrade == RT_BUDGET_DEGRADE_SLICE ? "slice" : "every", bi.throttle);
        printf("%-10s %8" PRIu64 " %9.4f %9.4f %9.4f %9.4f %9.4f %5.1f%% %7s %-8s %s\n",
               p->systems[s].name, ss->runs, m.mean_ns / 1e6, ms(m.p50_ns), ms(m.p95_ns),
               ms(m.p99_ns), ms(m.max_ns),
               frame_total_ms > 0 ? 100.0 * (double)ss->total_ns / 1e6 / frame_total_ms : 0.0,
               budget, bud ? rt_budget_status_name(bi.status) : "-", throttle);
    }
    rt_monitor_frame_stats fs;
    rt_monitor_get_frame_stats(mon, &fs);
    printf("%-10s %8" PRIu64 " %9.4f %9.4f %9.4f %9.4f %9.4f %6s", "frame", st->frames,
           fs.time.mean_ns / 1e6, ms(fs.time.p50_ns), ms(fs.time.p95_ns), ms(fs.time.p99_ns),
           ms(fs.time.max_ns), "");
    if (bud) {
        rt_budget_info bi;
        rt_budget_get_info(bud, &bi);
        printf(" %7.2f %-8s", (double)bi.frame_target_ms, rt_budget_status_name(bi.frame_status));
    }
    printf("  %.1f fps\n", fs.fps);
}

static void print_budget(rt_world *w, bool enforced) {
    rt_budget *bud = rt_world_budget(w);
    if (!bud) return;
    rt_budget_info bi;
    rt_budget_get_info(bud, &bi);
    printf("budgets %s: frame target %.2f ms (critical %.2f), %" PRIu64 " frames over it (%"
           PRIu64 " over critical), quality %.2f, emergency %s%s\n",
           bi.replaying ? "replayed" : enforced ? "enforced" : "observed",
           (double)bi.frame_target_ms, (double)bi.frame_critical_ms, bi.frame_overruns,
           bi.frame_critical_overruns, (double)bi.quality, bi.emergency ? "yes" : "no",
           bi.log_full ? ", decision log full" : "");
}

/* --- files -------------------------------------------------------------------------- */

typedef int (*swarm_writer)(rt_world *w, const swarm_options *o, FILE *f, void *user);

/* Writes a file with `fn`; reports and returns -1 on failure. */
static int write_file(const char *path, const char *what, swarm_writer fn, rt_world *w,
                      const swarm_options *o, void *user) {
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "swarm: error: cannot write %s '%s': %s\n", what, path, strerror(errno));
        return -1;
    }
    int rc = fn(w, o, f, user);
    if (fclose(f) != 0 && rc == 0) rc = -EIO;
    if (rc == -ENODATA) {
        fprintf(stderr, "swarm: warning: %s '%s': spans of some frames were overwritten "
                "before they could be written\n", what, path);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "swarm: error: writing %s '%s': %s\n", what, path, strerror(-rc));
        return -1;
    }
    return 0;
}

static int write_csv(rt_world *w, const swarm_options *o, FILE *f, void *user) {
    (void)o, (void)user;
    return rt_export_csv(rt_world_monitor(w), f);
}

static int write_profile(rt_world *w, const swarm_options *o, FILE *f, void *user) {
    (void)o, (void)user;
    return rt_export_profile(rt_world_monitor(w), f);
}

static int write_trace(rt_world *w, const swarm_options *o, FILE *f, void *user) {
    (void)user;
    uint64_t frames = rt_monitor_frames(rt_world_monitor(w));
    uint64_t first = frames > SWARM_TRACE_FRAMES ? frames - SWARM_TRACE_FRAMES : 0;
    uint64_t last = frames ? frames - 1 : 0;
    if (o->trace_first >= 0) {
        first = (uint64_t)o->trace_first;
        last = (uint64_t)o->trace_last;
    }
    return rt_export_trace(rt_world_monitor(w), first, last, f);
}

/* The world's summary (export.h) and the run's settings and result. */
static int write_json(rt_world *w, const swarm_options *o, FILE *f, void *user) {
    const uint64_t *checksum = user;
    cJSON *root = rt_export_world_summary(w);
    cJSON *game = root ? cJSON_AddObjectToObject(root, "swarm") : NULL;
    if (!game) {
        cJSON_Delete(root);
        return -ENOMEM;
    }
    char hex[24];
    snprintf(hex, sizeof hex, "%016" PRIx64, *checksum);
    cJSON_AddNumberToObject(game, "entities", o->entities);
    cJSON_AddNumberToObject(game, "frames", o->frames);
    cJSON_AddNumberToObject(game, "seed", (double)o->seed);
    cJSON_AddBoolToObject(game, "overload", o->overload);
    cJSON_AddNumberToObject(game, "effects", o->effects < 0 ? 0 : o->effects);
    cJSON_AddStringToObject(game, "checksum", hex);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return -ENOMEM;
    fputs(text, f);
    fputc('\n', f);
    cJSON_free(text);
    return ferror(f) ? -EIO : 0;
}

/* --- the game ------------------------------------------------------------------------ */

/* Budget files before the first frame: overrides, or a run to replay. */
static int load_budget_files(rt_world *w, const swarm_options *o) {
    rt_budget *bud = rt_world_budget(w);
    if ((o->budget_config || o->replay || o->record) && !bud) {
        fprintf(stderr, "swarm: error: this world has no budget controller\n");
        return -1;
    }
    char why[256];
    if (o->budget_config && rt_budget_load_config(bud, o->budget_config, why, sizeof why) != 0) {
        fprintf(stderr, "swarm: error: %s\n", why);
        return -1;
    }
    if (o->replay) {
        int rc = rt_budget_load_log(bud, o->replay);
        if (rc != 0) {
            fprintf(stderr, "swarm: error: cannot replay '%s': %s\n", o->replay,
                    rc == -EINVAL ? "not a decision log of this game" : strerror(-rc));
            return -1;
        }
    }
    return 0;
}

static int write_files(rt_world *w, const swarm_options *o, uint64_t checksum) {
    int rc = 0;
    if (o->csv) rc |= write_file(o->csv, "CSV", write_csv, w, o, NULL);
    if (o->json) rc |= write_file(o->json, "summary", write_json, w, o, &checksum);
    if (o->trace) rc |= write_file(o->trace, "trace", write_trace, w, o, NULL);
    if (o->profile) rc |= write_file(o->profile, "profile", write_profile, w, o, NULL);
    if (o->record) {
        int e = rt_budget_save_log(rt_world_budget(w), o->record);
        if (e != 0) {
            fprintf(stderr, "swarm: error: cannot write decisions '%s': %s\n", o->record,
                    strerror(-e));
            rc = -1;
        }
    }
    return rc;
}

int main(int argc, char **argv) {
    swarm_options o = {0};
    if (parse_options(argc, argv, &o) != 0) return 2;
    bool enforce = o.budget_ms > 0 || o.overload || o.replay;

    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = &swarm_program,
        .initial_capacity = o.entities,
        .threads = o.threads,
        .frame_budget_ms = o.budget_ms,
        .enforce_budgets = enforce,
        .trace_spans = o.trace ? 1 << 16 : 0,
    });
    if (!w) {
        fprintf(stderr, "swarm: error: cannot create the world (out of memory, or "
                "%d threads could not start)\n", o.threads);
        return 1;
    }
    if (load_budget_files(w, &o) != 0) {
        rt_world_destroy(w);
        return 1;
    }
    *Bounds_resource(w) = (Bounds){0.0f, 0.0f, 1280.0f, 720.0f};
    Spawner *sp = Spawner_resource(w);
    *sp = (Spawner){.target = o.entities, .seed = o.seed};
    if (o.overload && o.effects < 0) {
        rt_budget_info bi;
        rt_budget_get_info(rt_world_budget(w), &bi);
        o.effects = overload_effects(bi.frame_target_ms, o.entities,
                                     rt_world_stats_get(w)->threads);
    }
    Effects_resource(w)->shimmer_work = o.effects < 0 ? 0 : o.effects;
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
    uint64_t checksum = rt_world_hash(w);
    printf("swarm: %d entities, %d frames, seed %" PRIu64 ", headless, dt 1/60 s", o.entities,
           o.frames, o.seed);
    if (o.effects > 0) printf(", shimmer %d iterations per boid", o.effects);
    printf("\nthreads %d, stages %" PRIu64 " (%" PRIu64 " on several threads)\n", st->threads,
           st->stages, st->parallel_stages);
    print_table(w);
    print_budget(w, enforce);
    print_memory(w);
    printf("alive %d, spawned %" PRIu64 ", errors %" PRIu64 "\n", rt_world_entity_count(w),
           sp->spawned, st->errors);
    printf("checksum %016" PRIx64 "\n", checksum);
    if (write_files(w, &o, checksum) != 0 && rc == RT_OK) rc = -1;
    rt_world_destroy(w);
    return rc == RT_OK ? 0 : 1;
}
