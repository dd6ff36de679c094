/* swarm_main.c -- the reference game: a 2D swarm built on generated code.
 *
 * build/swarm [--headless | --no-render] [--frames N] [--entities N] [--seed S]
 *             [--threads T] [--size WxH] [--vsync on|off] [--overlay]
 *             [--screenshot out.png] [--zoom Z] [--render-every N]
 *             [--budget-ms MS] [--overload] [--effects N] [--budget-config FILE]
 *             [--record-decisions FILE] [--replay FILE] [--csv FILE] [--json FILE]
 *             [--trace FILE] [--trace-frames A:B] [--profile FILE]
 *             [--job-queue N] [--job-deadline F] [--job-late wait|discard]
 *             [--job-slow US] [--job-threads N]
 *
 * Runs the plan generated from schemas/swarm.h with a fixed time step, then
 * prints a per-system timing table, the renderer's figures, what the async
 * jobs did (docs/jobs.md) and a checksum of the world: the same seed, frame
 * count and job options give the same checksum on every run and machine,
 * for every thread count, and whether or not the frames are rendered
 * (rendering only reads the world; with --job-late discard the world
 * depends on timing).
 *
 * Rendering happens inside the plan: the systems input, camera, draw, hud
 * and present (in systems/) call render/ through the Gfx resource, which
 * holds the renderer this file creates. Between frames this file checks the
 * renderer's errors, fills the overlay's data (game/swarm_overlay.c) and
 * watches for a close request. docs/render.md tells the whole story.
 *
 * Budgets (docs/budgets.md): by default they are observed (statuses, overrun
 * warnings) and the run stays deterministic. `--budget-ms MS` or `--overload`
 * enforces them: the quality level drops and the degradable shimmer effect is
 * time-sliced to hold the frame near its target, so the result then depends
 * on timing; `--record-decisions FILE` saves what the controller decided and
 * `--replay FILE` runs again with exactly those decisions (same checksum).
 * `--overload` runs four times the boids with a shimmer effect sized to cost
 * about three frame targets at full quality. A window with vsync off is paced
 * to the frame target (rt_world_pace). Files: --csv, --json, --trace,
 * --profile (the cost profile `build/ecsc --profile` reads back). */
#include "swarm.h"
#include "export.h"
#include "game/swarm_effects.h"
#include "game/swarm_overlay.h"
#include "game/swarm_spawn.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWARM_BOID_SIZE 5.0f   /* world units across a boid's disc */
#define SWARM_HEADLESS_EVERY 10 /* headless draws one frame in this many */

enum {
    SWARM_OVERLOAD_BOIDS = 4,   /* --overload: this many times the default population */
    SWARM_OVERLOAD_FRAMES = 3,  /* --overload: shimmer costs this many frame targets */
    SWARM_TRACE_FRAMES = 60,    /* --trace without --trace-frames: the last ones */
};

typedef enum swarm_mode {
    SWARM_AUTO = 0,   /* a window when there is a display, else headless */
    SWARM_HEADLESS,   /* EGL, offscreen */
    SWARM_NO_RENDER,  /* simulation only */
} swarm_mode;

typedef struct swarm_options {
    int32_t frames;      /* zero: 600 headless, until the window closes in a window */
    int32_t entities;    /* zero: 20000 */
    uint64_t seed;       /* zero: 1 */
    int32_t threads;     /* zero: every CPU the process may run on */
    int32_t render_every; /* draw one frame in this many; zero: 1 in a window or
                             with the overlay, else SWARM_HEADLESS_EVERY */
    swarm_mode mode;
    int32_t width, height; /* framebuffer pixels; zero: 1280 x 720 */
    rd_vsync vsync;      /* windows only */
    bool overlay;        /* start with the debug overlay shown */
    bool fixed_timings;  /* overlay timings from a fixed pattern (tests) */
    float zoom;          /* camera zoom over the fitted bounds; zero: 1 */
    const char *screenshot; /* PNG of the last frame, or NULL */
    float budget_ms;     /* frame target; zero: the schema's */
    bool overload;
    int32_t effects;     /* shimmer work per boid; -1: off (or sized by --overload) */
    int64_t trace_first, trace_last; /* frames; -1: the last SWARM_TRACE_FRAMES */
    const char *csv, *json, *trace, *profile, *budget_config, *record, *replay;
    rt_jobs_desc jobs;   /* seek's jobs; zero: the runtime's defaults */
} swarm_options;

static const char usage[] =
    "usage: swarm [--headless | --no-render] [--frames N] [--entities N] [--seed S]\n"
    "             [--threads T] [--size WxH] [--vsync on|off] [--overlay]\n"
    "             [--screenshot FILE.png] [--zoom Z] [--render-every N]\n"
    "             [--fixed-timings] [--budget-ms MS] [--overload] [--effects N]\n"
    "             [--budget-config FILE] [--record-decisions FILE] [--replay FILE]\n"
    "             [--csv FILE] [--json FILE] [--trace FILE] [--trace-frames A:B]\n"
    "             [--profile FILE] [--job-queue N] [--job-deadline F]\n"
    "             [--job-late wait|discard] [--job-slow US] [--job-threads N]\n"
    "\n"
    "The ecsc reference game: boids wander, move, bounce, age and respawn.\n"
    "It opens a window when a display is present (DISPLAY or WAYLAND_DISPLAY)\n"
    "and renders offscreen (EGL) otherwise.\n"
    "  --headless       render offscreen even with a display\n"
    "  --no-render      no renderer at all: simulation only\n"
    "  --frames N       frames to run (default 600 headless; a window runs until\n"
    "                   it is closed, or Esc)\n"
    "  --entities N     population kept by the spawner (default 20000)\n"
    "  --seed S         world seed (default 1)\n"
    "  --threads T      threads running the systems, this one included (default:\n"
    "                   every CPU); the checksum is the same for every T\n"
    "  --size WxH       framebuffer size (default 1280x720)\n"
    "  --vsync on|off   a window's swap waits for the display (default on)\n"
    "  --overlay        show the debug overlay from the start (F3 toggles it)\n"
    "  --screenshot F   write the last frame to the PNG file F\n"
    "  --zoom Z         start zoomed in Z times on the centre (wheel zooms, left\n"
    "                   drag pans, R resets)\n"
    "  --render-every N draw one frame in N, the last one always (default: every\n"
    "                   frame in a window or with --overlay, else one in 10: the\n"
    "                   simulation runs every frame either way)\n"
    "  --fixed-timings  the overlay shows timings from a fixed pattern instead of\n"
    "                   the clock, so its screenshot is the same on every run\n"
    "budgets (docs/budgets.md):\n"
    "  --budget-ms MS   enforce budgets with this frame target (default: the\n"
    "                   schema's 16.67 ms, observed only): quality drops and the\n"
    "                   degradable shimmer effect is time-sliced under load\n"
    "  --overload       4x the boids and a shimmer effect costing about 3 frame\n"
    "                   targets at full quality; enforces budgets\n"
    "  --effects N      shimmer iterations per boid at quality 1 (default: off;\n"
    "                   --overload sizes it from this machine's speed)\n"
    "  --budget-config FILE     budget overrides (JSON, docs/budgets.md)\n"
    "  --record-decisions FILE  save the budget decisions of this run\n"
    "  --replay FILE    run with the decisions of a recorded run: same world\n"
    "files:\n"
    "  --csv FILE       per-frame, per-system times (us) of the last 600 frames\n"
    "  --json FILE      summary: frame and system statistics, budgets, memory\n"
    "  --trace FILE     Chrome trace (Perfetto) of the last 60 frames, or of\n"
    "                   --trace-frames A:B (frame indices from 0, inclusive)\n"
    "  --profile FILE   per-system cost profile, as `ecsc --profile` reads it\n"
    "async jobs (boids' goals, docs/jobs.md):\n"
    "  --job-queue N    jobs in flight at most (default 4096)\n"
    "  --job-deadline F frames from a job's submission to its result (default 2)\n"
    "  --job-late MODE  a result late at its frame: wait (default, deterministic)\n"
    "                   or discard (the job times out and the boid asks again)\n"
    "  --job-slow US    every job first sleeps US microseconds (a slow executor)\n"
    "  --job-threads N  job threads (default: T - 1; 0 runs jobs on this thread)\n"
    "Prints a per-system timing table, budgets, memory, the renderer's figures,\n"
    "the jobs' summary and the world checksum, which rendering does not change.\n";

static int bad(const char *opt, const char *want, const char *got) {
    fprintf(stderr, "swarm: error: %s needs %s, got '%s'\n", opt, want, got);
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
            o->mode = SWARM_HEADLESS;
        } else if (strcmp(a, "--no-render") == 0) {
            o->mode = SWARM_NO_RENDER;
        } else if (strcmp(a, "--overlay") == 0) {
            o->overlay = true;
        } else if (strcmp(a, "--fixed-timings") == 0) {
            o->fixed_timings = true;
        } else if (strcmp(a, "--overload") == 0) {
            o->overload = true;
        } else if (val && strcmp(a, "--effects") == 0) {
            long n = strtol(val, &end, 10);
            if (*end || n < 0 || n > 100000000) return bad(a, "a number in [0, 100000000]", val);
            o->effects = (int32_t)n;
            i++;
        } else if (val && strcmp(a, "--budget-ms") == 0) {
            o->budget_ms = strtof(val, &end);
            if (*end || !(o->budget_ms > 0.01f && o->budget_ms < 1e6f))
                return bad(a, "milliseconds in (0.01, 1e6)", val);
            i++;
        } else if (val && strcmp(a, "--trace-frames") == 0) {
            long long first = strtoll(val, &end, 10), last = -1;
            if (*end == ':') last = strtoll(end + 1, &end, 10);
            if (*end || first < 0 || last < first)
                return bad(a, "a frame range A:B with 0 <= A <= B", val);
            o->trace_first = first;
            o->trace_last = last;
            i++;
        } else if (val && (strcmp(a, "--frames") == 0 || strcmp(a, "--entities") == 0 ||
                           strcmp(a, "--threads") == 0 || strcmp(a, "--render-every") == 0)) {
            long n = strtol(val, &end, 10);
            long max = a[2] == 't' ? 1024 : 100000000;
            if (*end || n <= 0 || n > max) {
                fprintf(stderr, "swarm: error: %s needs a number in [1, %ld], got '%s'\n",
                        a, max, val);
                return -1;
            }
            if (a[2] == 'f') o->frames = (int32_t)n;
            else if (a[2] == 't') o->threads = (int32_t)n;
            else if (a[2] == 'r') o->render_every = (int32_t)n;
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
            else return bad(a, "'wait' or 'discard'", val);
            i++;
        } else if (val && strcmp(a, "--seed") == 0) {
            o->seed = strtoull(val, &end, 0);
            if (*end) return bad(a, "a number", val);
            i++;
        } else if (val && strcmp(a, "--size") == 0) {
            long w = strtol(val, &end, 10), h = 0;
            if (*end == 'x') h = strtol(end + 1, &end, 10);
            if (*end || w < 16 || h < 16 || w > 8192 || h > 8192)
                return bad(a, "WxH, each in [16, 8192]", val);
            o->width = (int32_t)w;
            o->height = (int32_t)h;
            i++;
        } else if (val && strcmp(a, "--vsync") == 0) {
            if (strcmp(val, "on") == 0) o->vsync = RD_VSYNC_ON;
            else if (strcmp(val, "off") == 0) o->vsync = RD_VSYNC_OFF;
            else return bad(a, "on or off", val);
            i++;
        } else if (val && strcmp(a, "--zoom") == 0) {
            double z = strtod(val, &end);
            if (*end || !(z >= 0.25 && z <= 64)) return bad(a, "a zoom in [0.25, 64]", val);
            o->zoom = (float)z;
            i++;
        } else if (val && strcmp(a, "--screenshot") == 0) {
            o->screenshot = val;
            i++;
        } else {
            fprintf(stderr, "swarm: error: unknown option '%s'\n%s", a, usage);
            return -1;
        }
    }
    if (!o->entities) o->entities = o->overload ? SWARM_OVERLOAD_BOIDS * 20000 : 20000;
    if (!o->seed) o->seed = 1;
    if (!o->width) o->width = 1280, o->height = 720;
    if (!o->zoom) o->zoom = 1;
    if (o->mode == SWARM_NO_RENDER && (o->screenshot || o->overlay)) {
        fprintf(stderr, "swarm: error: --screenshot and --overlay need rendering, "
                "not --no-render\n");
        return -1;
    }
    return 0;
}

static void log_render(void *user, const char *msg) {
    (void)user;
    fprintf(stderr, "swarm: render: %s\n", msg);
}

/* The renderer for the chosen mode, or NULL when not rendering. A window
 * that cannot open falls back to headless; a headless context that cannot
 * start means simulation only (a server without Mesa still runs the game),
 * unless a screenshot or the overlay was asked for. Returns 0 or -1. */
static int gfx_open(const swarm_options *o, rd_renderer **out) {
    *out = NULL;
    if (o->mode == SWARM_NO_RENDER) return 0;
    rd_desc d = {.platform = o->mode == SWARM_HEADLESS ? RD_PLATFORM_HEADLESS
                                                       : RD_PLATFORM_AUTO,
                 .width = o->width,
                 .height = o->height,
                 .title = "ecsc swarm",
                 .vsync = o->vsync,
                 .log = {log_render, NULL}};
    rd_result e = rd_create(&d, out);
    if (e != RD_OK && d.platform != RD_PLATFORM_HEADLESS) {
        fprintf(stderr, "swarm: no window (%s), rendering headless\n", rd_result_str(e));
        d.platform = RD_PLATFORM_HEADLESS;
        e = rd_create(&d, out);
    }
    if (e == RD_OK) return 0;
    if (o->screenshot || o->overlay) {
        fprintf(stderr, "swarm: error: cannot render (%s)\n", rd_result_str(e));
        return -1;
    }
    fprintf(stderr, "swarm: cannot render (%s): simulation only\n", rd_result_str(e));
    return 0;
}

/* The renderer's figures over the run. */
typedef struct swarm_render_totals {
    uint64_t frames;
    uint64_t draw_calls, drawn, culled;
    double gpu_ms;          /* sum over the frames measured */
    uint64_t gpu_frames;    /* frames with a GPU time */
    uint64_t last_gpu_frame;
} swarm_render_totals;

static void totals_add(swarm_render_totals *t, const rd_frame_stats *s) {
    t->frames++;
    t->draw_calls += s->draw_calls + s->overlay_draw_calls;
    t->drawn += s->instances_drawn;
    t->culled += s->instances_culled;
    /* A GPU time arrives 1..2 frames late and stays until the next one. */
    if (s->gpu_ms_valid && (t->gpu_frames == 0 || s->gpu_frame != t->last_gpu_frame)) {
        t->gpu_ms += s->gpu_ms;
        t->gpu_frames++;
        t->last_gpu_frame = s->gpu_frame;
    }
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

static void print_render(const rd_renderer *r, const swarm_render_totals *t, int32_t ran,
                         int32_t every) {
    if (!r) {
        printf("render: off\n");
        return;
    }
    rd_info info = rd_get_info(r);
    double n = t->frames ? (double)t->frames : 1;
    printf("render: %s, %s, GL %d.%d, %s upload\n",
           info.platform == RD_PLATFORM_WINDOW ? "window" : "headless (EGL)",
           info.gl_renderer, info.gl_major, info.gl_minor,
           info.upload == RD_UPLOAD_PERSISTENT ? "persistent" : "orphaned");
    printf("render: %" PRIu64 " of %d frames drawn (one in %d), per drawn frame %.1f draw "
           "calls, %.0f sprites drawn, %.0f culled\n", t->frames, ran, every,
           (double)t->draw_calls / n, (double)t->drawn / n, (double)t->culled / n);
    if (t->gpu_frames)
        printf("render: GPU %.3f ms per frame (GL_TIME_ELAPSED, mean of %" PRIu64 " frames)\n",
               t->gpu_ms / (double)t->gpu_frames, t->gpu_frames);
    else
        printf("render: GPU time not measured (no query result arrived)\n");
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

    rd_renderer *r = NULL;
    if (gfx_open(&o, &r) != 0) return 1;
    const bool window = r && rd_get_info(r).platform == RD_PLATFORM_WINDOW;
    int32_t frames = o.frames ? o.frames : window ? 0 : 600; /* 0: until closed */
    /* Headless, nobody watches: drawing one frame in ten keeps a server run
     * short (llvmpipe's rasterising is nearly all of a drawn frame). */
    int32_t every = o.render_every ? o.render_every
                    : window || o.overlay ? 1 : SWARM_HEADLESS_EVERY;

    bool enforce = o.budget_ms > 0 || o.overload || o.replay;
    rt_world *w = rt_world_create(&(rt_world_desc){
        .program = &swarm_program,
        .initial_capacity = o.entities,
        .threads = o.threads,
        .frame_budget_ms = o.budget_ms,
        .enforce_budgets = enforce,
        .trace_spans = o.trace ? 1 << 16 : 0,
        .jobs = o.jobs,
    });
    if (!w) {
        fprintf(stderr, "swarm: error: cannot create the world (out of memory, %d threads "
                "could not start, or the job options do not fit together)\n", o.threads);
        rd_destroy(r);
        return 1;
    }
    if (load_budget_files(w, &o) != 0) {
        rt_world_destroy(w);
        rd_destroy(r);
        return 1;
    }
    *Bounds_resource(w) = (Bounds){0.0f, 0.0f, 1280.0f, 720.0f};
    Spawner *sp = Spawner_resource(w);
    *sp = (Spawner){.target = o.entities, .seed = o.seed};
    Gfx *gfx = Gfx_resource(w);
    gfx->renderer = r;
    Camera_resource(w)->zoom = o.zoom;
    Hud_resource(w)->visible = o.overlay;
    if (o.overload && o.effects < 0) {
        rt_budget_info bi;
        rt_budget_get_info(rt_world_budget(w), &bi);
        o.effects = overload_effects(bi.frame_target_ms, o.entities,
                                     rt_world_stats_get(w)->threads);
    }
    Effects_resource(w)->shimmer_work = o.effects < 0 ? 0 : o.effects;
    int rc = 0;
    if (r && rd_make_material(r, &(rd_material_desc){.shape = RD_SHAPE_CIRCLE,
                                                     .width = SWARM_BOID_SIZE,
                                                     .height = SWARM_BOID_SIZE},
                              &gfx->boid) != RD_OK) {
        fprintf(stderr, "swarm: error: cannot make the boids' material\n");
        rc = 1;
    }
    for (int32_t i = 0; i < o.entities && rc == 0; i++) {
        Boid_init b;
        swarm_boid_init(&b, sp, Bounds_resource(w));
        b.lifetime.age = b.lifetime.max_age * (float)i / (float)o.entities; /* staggered */
        if (rt_entity_is_null(Boid_create(w, &b))) {
            fprintf(stderr, "swarm: error: out of memory creating boids\n");
            rc = 1;
        }
    }

    const float dt = 1.0f / 60.0f; /* fixed step: same result on every machine */
    const swarm_overlay_desc overlay = {.fixed_timings = o.fixed_timings};
    swarm_render_totals totals = {0};
    int32_t ran = 0;
    uint64_t start = rt_now_ns();
    for (; rc == 0 && (frames == 0 || ran < frames); ran++) {
        /* Drawn: every `every`-th frame counted back from the last one. */
        gfx->drawing = r && (frames ? (frames - 1 - ran) % every == 0 : ran % every == 0);
        rc = rt_world_frame(w, dt);
        if (rc != RT_OK) {
            fprintf(stderr, "swarm: error: %s\n", rt_error_string(rc));
            break;
        }
        if (gfx->error != RD_OK) {
            fprintf(stderr, "swarm: error: render: %s\n", rd_result_str(gfx->error));
            rc = 1;
            break;
        }
        uint64_t now = rt_now_ns();
        if (gfx->drawing) totals_add(&totals, &gfx->last);
        swarm_overlay_update(&Hud_resource(w)->overlay, w, r ? &gfx->last : NULL,
                             (uint64_t)ran, (double)(now - start) / 1e6, &overlay);
        start = now;
        const rd_input *in = &Input_resource(w)->state;
        if (in->close_requested || in->key_pressed[RD_KEY_ESCAPE]) {
            ran++;
            break;
        }
        /* A window without vsync would run as fast as it can: pace it to the
         * frame target (with vsync the swap waits for the display). */
        if (window && o.vsync == RD_VSYNC_OFF) rt_world_pace(w);
    }
    if (rc == 0 && o.screenshot && rd_save_png(r, o.screenshot) != RD_OK) {
        fprintf(stderr, "swarm: error: cannot write the screenshot '%s'\n", o.screenshot);
        rc = 1;
    }

    const rt_world_stats *st = rt_world_stats_get(w);
    uint64_t checksum = rt_world_hash(w);
    o.frames = ran;
    printf("swarm: %d entities, %d frames, seed %" PRIu64 ", %s, dt 1/60 s", o.entities,
           ran, o.seed, !r ? "no rendering" : window ? "window" : "headless");
    if (o.effects > 0) printf(", shimmer %d iterations per boid", o.effects);
    printf("\nthreads %d, stages %" PRIu64 " (%" PRIu64 " on several threads)\n", st->threads,
           st->stages, st->parallel_stages);
    print_table(w);
    print_budget(w, enforce);
    print_memory(w);
    print_render(r, &totals, ran, every);
    print_jobs(w);
    printf("alive %d, spawned %" PRIu64 ", errors %" PRIu64 "\n", rt_world_entity_count(w),
           sp->spawned, st->errors);
    printf("checksum %016" PRIx64 "\n", checksum);
    if (write_files(w, &o, checksum) != 0 && rc == 0) rc = 1;
    rt_world_destroy(w);
    rd_destroy(r);
    return rc == 0 ? 0 : 1;
}
