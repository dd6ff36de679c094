/* swarm_main.c -- the reference game: a 2D swarm built on generated code.
 *
 * build/swarm [--headless | --no-render] [--frames N] [--entities N] [--seed S]
 *             [--threads T] [--size WxH] [--vsync on|off] [--overlay]
 *             [--screenshot out.png] [--zoom Z] [--render-every N]
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
 * watches for a close request. docs/render.md tells the whole story. */
#include "swarm.h"
#include "game/swarm_overlay.h"
#include "game/swarm_spawn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWARM_BOID_SIZE 5.0f   /* world units across a boid's disc */
#define SWARM_HEADLESS_EVERY 10 /* headless draws one frame in this many */

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
    rt_jobs_desc jobs;   /* seek's jobs; zero: the runtime's defaults */
} swarm_options;

static const char usage[] =
    "usage: swarm [--headless | --no-render] [--frames N] [--entities N] [--seed S]\n"
    "             [--threads T] [--size WxH] [--vsync on|off] [--overlay]\n"
    "             [--screenshot FILE.png] [--zoom Z] [--render-every N]\n"
    "             [--fixed-timings] [--job-queue N] [--job-deadline F]\n"
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
    "Async jobs (boids' goals, docs/jobs.md):\n"
    "  --job-queue N    jobs in flight at most (default 4096)\n"
    "  --job-deadline F frames from a job's submission to its result (default 2)\n"
    "  --job-late MODE  a result late at its frame: wait (default, deterministic)\n"
    "                   or discard (the job times out and the boid asks again)\n"
    "  --job-slow US    every job first sleeps US microseconds (a slow executor)\n"
    "  --job-threads N  job threads (default: T - 1; 0 runs jobs on this thread)\n"
    "Prints a per-system timing table, the renderer's figures, the jobs' summary\n"
    "and the world checksum, which rendering does not change.\n";

static int bad(const char *opt, const char *want, const char *got) {
    fprintf(stderr, "swarm: error: %s needs %s, got '%s'\n", opt, want, got);
    return -1;
}

static int parse_options(int argc, char **argv, swarm_options *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
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
    if (!o->entities) o->entities = 20000;
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

    rt_world *w = rt_world_create(&(rt_world_desc){.program = &swarm_program,
                                                   .initial_capacity = o.entities,
                                                   .threads = o.threads, .jobs = o.jobs});
    if (!w) {
        fprintf(stderr, "swarm: error: cannot create the world (out of memory, %d threads "
                "could not start, or the job options do not fit together)\n", o.threads);
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
    }
    if (rc == 0 && o.screenshot && rd_save_png(r, o.screenshot) != RD_OK) {
        fprintf(stderr, "swarm: error: cannot write the screenshot '%s'\n", o.screenshot);
        rc = 1;
    }

    const rt_world_stats *st = rt_world_stats_get(w);
    printf("swarm: %d entities, %d frames, seed %" PRIu64 ", %s, dt 1/60 s\n", o.entities,
           ran, o.seed, !r ? "no rendering" : window ? "window" : "headless");
    printf("threads %d, stages %" PRIu64 " (%" PRIu64 " on several threads)\n", st->threads,
           st->stages, st->parallel_stages);
    print_table(w);
    print_render(r, &totals, ran, every);
    print_jobs(w);
    printf("alive %d, spawned %" PRIu64 ", errors %" PRIu64 "\n", rt_world_entity_count(w),
           sp->spawned, st->errors);
    printf("checksum %016" PRIx64 "\n", rt_world_hash(w));
    rt_world_destroy(w);
    rd_destroy(r);
    return rc == 0 ? 0 : 1;
}
