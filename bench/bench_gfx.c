/* bench_gfx.c -- workload RENDER of build/ecsbench: the renderer, and the
 * reference game with it.
 *
 * Rows:
 *   sprites           ms per frame drawing N sprites at 1280x720, uploaded
 *                     from SoA columns (x, y, rotation, scale, r, g, b, a)
 *                     every frame, for N = 10k, 100k and 1M (or --entities),
 *                     what rd_create picks ("auto") beside plain instanced
 *                     quads with orphaned buffers ("quads+orphan"), frames
 *                     interleaved, glFinish in every frame; from
 *                     bench/bench_render.c (rd_bench_run, entities section).
 *   sprites_at_60fps  the largest N whose median frame fits 16.67 ms, for
 *                     auto, quads+orphan and auto pipelined (glFinish every
 *                     8 frames); not with --entities.
 *   game_frame        ms per frame of build/swarm's plan at 20k boids (or
 *                     --entities): "rendered" (the render systems drawing
 *                     into a headless 1280x720 renderer, pipelined as the
 *                     game runs, glFinish at the end of each repetition so
 *                     its rasteriser work is inside the time) beside
 *                     "no render" (the same plan, the renderer absent),
 *                     repetitions interleaved. Each rendered frame is
 *                     checked to have drawn every boid, and the two worlds
 *                     must hash equal at the end: rendering only reads.
 *
 * The method (warm-up, median of >= 7 repetitions, min and max, side by
 * side) is bench.h's; the figures are in docs/render.md. */
#include "bench.h"
#include "bench_render.h"

#include "game/swarm_spawn.h"
#include "render.h"
#include "swarm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GFX_GAME_BOIDS 20000
#define GFX_GAME_FRAMES 20  /* frames per timed repetition */
#define GFX_GAME_WARMUP 30  /* frames before the first repetition */

/* --- the renderer alone (bench_render.c) --------------------------------- */

static int add_sprite_rows(const rd_bench_result *res) {
    for (uint32_t i = 0; i < res->row_count; i++) {
        const rd_bench_row *r = &res->rows[i];
        bench_row row = bench_row_init("RENDER", "ms_per_frame");
        row.op = "sprites";
        row.variant = r->config;
        row.entities = r->entities;
        row.threads = 1; /* llvmpipe's rasteriser threads are its own */
        row.value = r->ms_per_frame;
        row.min = r->min_ms;
        row.max = r->max_ms;
        row.extra[0] = (bench_extra){"cpu_ms", r->cpu_ms};
        row.extra[1] = (bench_extra){"vs_quads", r->ratio};
        if (bench_add_row(&row) != 0) return -1;
    }
    return 0;
}

static int add_search_row(const char *variant, uint32_t count, double ms) {
    bench_row row = bench_row_init("RENDER", "sprites_at_60fps");
    row.op = "sprites_at_60fps";
    row.variant = variant;
    row.entities = count;
    row.threads = 1;
    row.value = row.min = row.max = count; /* one search, one answer */
    row.extra[0] = (bench_extra){"ms", ms};
    return bench_add_row(&row);
}

/* --- the game's frame ------------------------------------------------------ */

typedef struct gfx_game {
    rd_renderer *r; /* NULL: the plan runs without a renderer */
    rt_world *w;
    int32_t boids;
    bench_samples ms;
    uint64_t draw_ns, present_ns, frames; /* over the timed repetitions */
} gfx_game;

static int game_open(gfx_game *g, int32_t boids, bool render) {
    memset(g, 0, sizeof *g);
    g->boids = boids;
    if (render && rd_create(&(rd_desc){.platform = RD_PLATFORM_HEADLESS}, &g->r) != RD_OK)
        return bench_fail("RENDER", "cannot create a headless renderer");
    g->w = rt_world_create(&(rt_world_desc){.program = &swarm_program,
                                            .initial_capacity = boids});
    if (!g->w) return bench_fail("RENDER", "cannot create the swarm's world");
    *Bounds_resource(g->w) = (Bounds){0.0f, 0.0f, 1280.0f, 720.0f};
    Spawner *sp = Spawner_resource(g->w);
    *sp = (Spawner){.target = boids, .seed = 1};
    Gfx *gfx = Gfx_resource(g->w);
    gfx->renderer = g->r;
    gfx->drawing = g->r != NULL; /* every frame, as in a window */
    if (g->r && rd_make_material(g->r, &(rd_material_desc){.shape = RD_SHAPE_CIRCLE,
                                                           .width = 5, .height = 5},
                                 &gfx->boid) != RD_OK)
        return bench_fail("RENDER", "cannot make the boids' material");
    for (int32_t i = 0; i < boids; i++) { /* as game/swarm_main.c does */
        Boid_init b;
        swarm_boid_init(&b, sp, Bounds_resource(g->w));
        b.lifetime.age = b.lifetime.max_age * (float)i / (float)boids;
        if (rt_entity_is_null(Boid_create(g->w, &b)))
            return bench_fail("RENDER", "out of memory creating boids");
    }
    return 0;
}

static void game_close(gfx_game *g) {
    if (g->w) rt_world_destroy(g->w);
    rd_destroy(g->r);
}

/* One frame; checks that the render systems drew every boid. */
static int game_frame(gfx_game *g) {
    if (rt_world_frame(g->w, 1.0f / 60.0f) != RT_OK)
        return bench_fail("RENDER", "a frame of the swarm failed");
    const Gfx *gfx = Gfx_resource(g->w);
    if (gfx->error != RD_OK)
        return bench_fail("RENDER", "render error: %s", rd_result_str(gfx->error));
    if (g->r && (gfx->last.instances_drawn != (uint32_t)g->boids ||
                 gfx->last.instances_culled != 0))
        return bench_fail("RENDER", "the game drew %u of %d boids",
                          gfx->last.instances_drawn, g->boids);
    return 0;
}

/* GFX_GAME_FRAMES frames, then glFinish; the mean frame in ms. */
static int game_rep(gfx_game *g, bool timed) {
    const rt_world_stats *st = rt_world_stats_get(g->w);
    uint64_t draw0 = st->systems[draw_id].total_ns, present0 = st->systems[present_id].total_ns;
    uint64_t t0 = bench_now_ns();
    for (int f = 0; f < GFX_GAME_FRAMES; f++)
        if (game_frame(g) != 0) return -1;
    rd_finish(g->r);
    double ms = (double)(bench_now_ns() - t0) / 1e6 / GFX_GAME_FRAMES;
    if (timed) {
        bench_samples_add(&g->ms, ms);
        g->draw_ns += st->systems[draw_id].total_ns - draw0;
        g->present_ns += st->systems[present_id].total_ns - present0;
        g->frames += GFX_GAME_FRAMES;
    }
    return 0;
}

static int game_rows(gfx_game *rendered, gfx_game *plain, int32_t reps) {
    for (int i = 0; i < GFX_GAME_WARMUP; i++)
        if (game_frame(rendered) != 0 || game_frame(plain) != 0) return -1;
    for (int32_t rep = 0; rep < reps; rep++)
        if (game_rep(rendered, true) != 0 || game_rep(plain, true) != 0) return -1;
    if (rt_world_hash(rendered->w) != rt_world_hash(plain->w))
        return bench_fail("RENDER", "rendering changed the world: hashes differ");
    gfx_game *games[2] = {rendered, plain};
    const char *names[2] = {"rendered", "no render"};
    for (int k = 0; k < 2; k++) {
        bench_row row = bench_row_init("RENDER", "ms_per_frame");
        row.op = "game_frame";
        row.variant = names[k];
        row.entities = games[k]->boids;
        row.threads = rt_world_stats_get(games[k]->w)->threads;
        bench_row_set(&row, &games[k]->ms);
        if (k == 0) {
            double n = (double)games[k]->frames;
            row.extra[0] = (bench_extra){"draw_ms", (double)games[k]->draw_ns / 1e6 / n};
            row.extra[1] = (bench_extra){"present_ms", (double)games[k]->present_ns / 1e6 / n};
        }
        if (bench_add_row(&row) != 0) return -1;
    }
    return 0;
}

int bench_gfx_run(const bench_opts *o) {
    if (o->entities > 1000000)
        return bench_fail("RENDER", "at most 1000000 sprites (--entities %lld)",
                          (long long)o->entities);
    static rd_bench_result res;
    rd_bench_desc d = {.reps = (uint32_t)o->reps, .entities_only = true,
                       .entities = (uint32_t)o->entities};
    if (rd_bench_run(&d, &res) != 0)
        return bench_fail("RENDER", "the renderer benchmark failed (see above)");
    if (add_sprite_rows(&res) != 0) return -1;
    if (!o->entities && (add_search_row("auto", res.count_at_60fps, res.ms_at_60fps) != 0 ||
                         add_search_row("quads+orphan", res.baseline_at_60fps,
                                        res.baseline_ms_at_60fps) != 0 ||
                         add_search_row("auto pipelined", res.pipelined_at_60fps,
                                        res.pipelined_ms_at_60fps) != 0))
        return -1;

    int32_t boids = o->entities ? (int32_t)o->entities : GFX_GAME_BOIDS;
    gfx_game rendered, plain;
    int rc = game_open(&rendered, boids, true);
    if (rc == 0) rc = game_open(&plain, boids, false);
    else memset(&plain, 0, sizeof plain);
    if (rc == 0) rc = game_rows(&rendered, &plain, o->reps);
    game_close(&rendered);
    game_close(&plain);
    return rc;
}
