/* bench_render.c — how many sprites per frame the renderer draws, headless.
 *
 * Scene: N circles (32x32 texture, linear filtering, alpha blending) of a
 * nominal S pixels (8 unless stated; scale column 0.75..1.25) spread over a
 * 1280x720 view so none is culled, every column given (x, y, rotation, scale,
 * r, g, b, a) from a seeded generator. A frame is timed from rd_begin_frame
 * to the return of rd_finish (glFinish), so it holds culling, packing, the
 * upload and all GPU (llvmpipe: rasteriser thread) work. Each frame is
 * checked: one draw call and exactly N instances drawn.
 *
 * Configurations are measured side by side: one renderer per configuration,
 * all alive at once, frames interleaved (A B C A B C ...), one warm-up frame
 * each, then `reps` timed frames; median, min, max. Ratios are to the first
 * configuration of the section, in the same run. Sections:
 *   paths     20k sprites: quads vs points, orphaned vs persistent upload
 *   pipelined 20k auto: glFinish after every frame vs after every 8 frames
 *   fill      20k: disc as a texture (linear, nearest), solid square,
 *             analytic disc (what RD_SHAPE_CIRCLE draws)
 *   malloc    20k: glibc's default malloc thresholds vs the raised ones that
 *             rd_create sets on llvmpipe (alternating child processes)
 *   entities  10k, 100k, 1M: auto (what rd_create picks) vs quads+orphan
 *   size      20k at 4..64 px: quads vs points (fragment cost)
 *   threads   20k auto with LP_NUM_THREADS=1,2,3,4 (llvmpipe only; sequential,
 *             since llvmpipe reads it once per EGL display)
 * and a search for the largest N whose median frame fits 16.67 ms (60 FPS),
 * for auto and for quads+orphan with glFinish every frame, and for auto
 * pipelined. rd_bench_desc.entities_only keeps the entities section and
 * the search (what build/ecsbench's RENDER workload reports).
 *
 * Built with -DRD_BENCH_MAIN this file is build/bench_render:
 *   build/bench_render [--quick] [--reps N] [--json]
 */
#include "bench_render.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "render.h"

#define BENCH_W 1280
#define BENCH_H 720
#define BENCH_MAX_N 1000000u
#define BENCH_MAX_REPS 64
#define BENCH_BUDGET_MS (1000.0 / 60.0)
#define BENCH_COMPARE_N 20000u
#define BENCH_PIPELINE 8          /* frames per glFinish when pipelined */

static const float bench_sizes[] = { 4, 8, 16, 32, 64 };
#define BENCH_SIZES (sizeof bench_sizes / sizeof bench_sizes[0])
#define BENCH_DEFAULT_SIZE 1   /* index of 8 px */

/* Materials of the fill section, all 8 px: a 32x32 disc image sampled with
 * GL_LINEAR, the same with GL_NEAREST, a solid square, the analytic disc. */
static const char *const bench_fills[] = { "texture linear", "texture nearest",
                                           "solid square", "disc" };
#define BENCH_FILLS 4
#define BENCH_FILL_DEFAULT 3

typedef struct bench_cols {
    float *x, *y, *rot, *scale, *r, *g, *b, *a;
} bench_cols;

typedef struct bench_cfg {
    const char *name;
    rd_sprite_path path;
    rd_upload upload;
} bench_cfg;

typedef struct lane {
    const bench_cfg *cfg;
    rd_renderer *r;
    rd_material m[BENCH_SIZES];
    rd_material fills[BENCH_FILLS];
    uint32_t n;
    uint32_t size;              /* index into bench_sizes */
    uint32_t fill;              /* index into bench_fills */
    const char *label;          /* row name; NULL = cfg->name */
    bool pipelined;             /* time PIPELINE frames, then one glFinish */
    double t[BENCH_MAX_REPS];   /* wall ms per timed frame */
    double cpu[BENCH_MAX_REPS]; /* CPU ms per timed frame */
} lane;

static const bench_cfg cfg_quads_orphan = { "quads+orphan", RD_SPRITES_QUADS, RD_UPLOAD_ORPHAN };
static const bench_cfg cfg_quads_persist = { "quads+persistent", RD_SPRITES_QUADS, RD_UPLOAD_PERSISTENT };
static const bench_cfg cfg_points_orphan = { "points+orphan", RD_SPRITES_POINTS, RD_UPLOAD_ORPHAN };
static const bench_cfg cfg_points_persist = { "points+persistent", RD_SPRITES_POINTS, RD_UPLOAD_PERSISTENT };
static const bench_cfg cfg_auto = { "auto", RD_SPRITES_AUTO, RD_UPLOAD_AUTO };

static double bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Process CPU time: on a shared 2-core machine this moves less with other
 * load than wall time does, so it is reported beside it. */
static double bench_cpu_ms(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-3;
}

static uint32_t bench_rng(uint32_t *s) {   /* xorshift32 */
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static float bench_uniform(uint32_t *s, float lo, float hi) {
    return lo + (hi - lo) * (float)(bench_rng(s) >> 8) * (1.0f / 16777216.0f);
}

static int cols_make(bench_cols *c, uint32_t n) {
    float **cols[] = { &c->x, &c->y, &c->rot, &c->scale, &c->r, &c->g, &c->b, &c->a };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (!(*cols[i] = malloc((size_t)n * sizeof(float)))) return -1;
    uint32_t s = 0x5EED1234u;
    const float margin = 64;   /* > largest sprite's radius: nothing culled */
    for (uint32_t i = 0; i < n; i++) {
        c->x[i] = bench_uniform(&s, -BENCH_W / 2 + margin, BENCH_W / 2 - margin);
        c->y[i] = bench_uniform(&s, -BENCH_H / 2 + margin, BENCH_H / 2 - margin);
        c->rot[i] = bench_uniform(&s, 0, 6.2831853f);
        c->scale[i] = bench_uniform(&s, 0.75f, 1.25f);
        c->r[i] = bench_uniform(&s, 0.2f, 1);
        c->g[i] = bench_uniform(&s, 0.2f, 1);
        c->b[i] = bench_uniform(&s, 0.2f, 1);
        c->a[i] = bench_uniform(&s, 0.5f, 1);
    }
    return 0;
}

static void cols_free(bench_cols *c) {
    free(c->x);
    free(c->y);
    free(c->rot);
    free(c->scale);
    free(c->r);
    free(c->g);
    free(c->b);
    free(c->a);
}

static void bench_quiet(void *user, const char *msg) {
    (void)user;
    fprintf(stderr, "bench_render: %s\n", msg);
}

static int lane_open_keep(lane *l, const bench_cfg *cfg, bool keep_malloc) {
    memset(l, 0, sizeof *l);
    l->cfg = cfg;
    l->size = BENCH_DEFAULT_SIZE;
    rd_result e = rd_create(&(rd_desc){ .platform = RD_PLATFORM_HEADLESS,
                                        .width = BENCH_W, .height = BENCH_H,
                                        .sprites = cfg->path, .upload = cfg->upload,
                                        .keep_malloc_defaults = keep_malloc,
                                        .log = { bench_quiet, NULL } },
                            &l->r);
    if (e != RD_OK) {
        fprintf(stderr, "bench_render: %s: %s\n", cfg->name, rd_result_str(e));
        return -1;
    }
    for (uint32_t i = 0; i < BENCH_SIZES; i++) {
        e = rd_make_material(l->r, &(rd_material_desc){
                                 .shape = RD_SHAPE_CIRCLE, .width = bench_sizes[i],
                                 .height = bench_sizes[i] }, &l->m[i]);
        if (e != RD_OK) return -1;
    }
    /* The disc as an image, for the fill section. */
    enum { D = 32 };
    static uint8_t disc[D * D * 4];
    for (int y = 0; y < D; y++) {
        for (int x = 0; x < D; x++) {
            float dx = (float)x + 0.5f - D / 2, dy = (float)y + 0.5f - D / 2;
            float a = (float)D / 2 - sqrtf(dx * dx + dy * dy);
            uint8_t *p = disc + (y * D + x) * 4;
            p[0] = p[1] = p[2] = 255;
            p[3] = (uint8_t)(255.0f * (a < 0 ? 0 : a > 1 ? 1 : a));
        }
    }
    const rd_material_desc fd[BENCH_FILLS] = {
        { .pixels = disc, .pixels_w = D, .pixels_h = D, .width = 8, .height = 8 },
        { .pixels = disc, .pixels_w = D, .pixels_h = D, .width = 8, .height = 8,
          .filter = RD_FILTER_NEAREST },
        { .shape = RD_SHAPE_SQUARE, .width = 8, .height = 8 },
        { .shape = RD_SHAPE_CIRCLE, .width = 8, .height = 8 },
    };
    for (uint32_t i = 0; i < BENCH_FILLS; i++)
        if (rd_make_material(l->r, &fd[i], &l->fills[i]) != RD_OK) return -1;
    l->fill = BENCH_FILL_DEFAULT;
    return 0;
}

static int lane_open(lane *l, const bench_cfg *cfg) {
    return lane_open_keep(l, cfg, false);
}

static void lane_close(lane *l) {
    rd_destroy(l->r);
    l->r = NULL;
}

/* One frame; checks that it drew exactly what was asked. */
static int lane_draw(lane *l, const bench_cols *c) {
    rd_frame_stats st;
    rd_material m = l->fill == BENCH_FILL_DEFAULT ? l->m[l->size] : l->fills[l->fill];
    rd_result e = rd_begin_frame(l->r, NULL);
    if (e == RD_OK)
        e = rd_draw_sprites(l->r, &(rd_sprites){
                .material = m, .count = l->n, .x = c->x, .y = c->y,
                .rotation = c->rot, .scale = c->scale, .r = c->r, .g = c->g,
                .b = c->b, .a = c->a });
    if (e == RD_OK) e = rd_end_frame(l->r, &st);
    if (e != RD_OK || st.instances_drawn != l->n || st.draw_calls != (l->n > 0)) {
        fprintf(stderr, "bench_render: %s at %u: %s, drew %u in %u calls\n",
                l->cfg->name, l->n, rd_result_str(e), e == RD_OK ? st.instances_drawn : 0,
                e == RD_OK ? st.draw_calls : 0);
        return -1;
    }
    return 0;
}

/* One timed sample: a frame and glFinish, or (pipelined) BENCH_PIPELINE
 * frames and one glFinish, as a game whose frames overlap the rasteriser
 * would see; either way every frame's GPU work is inside the time. */
static int lane_frame(lane *l, const bench_cols *c, double *ms, double *cpu) {
    uint32_t frames = l->pipelined ? BENCH_PIPELINE : 1;
    double t0 = bench_now_ms(), c0 = bench_cpu_ms();
    for (uint32_t f = 0; f < frames; f++)
        if (lane_draw(l, c)) return -1;
    rd_finish(l->r);
    *ms = (bench_now_ms() - t0) / frames;
    *cpu = (bench_cpu_ms() - c0) / frames;
    return 0;
}

/* Warm-up, then `reps` rounds of one frame per lane. */
static int measure(lane *lanes, uint32_t k, uint32_t reps, const bench_cols *c) {
    double ms, cpu;
    for (uint32_t i = 0; i < k; i++)
        if (lane_frame(&lanes[i], c, &ms, &cpu)) return -1;
    for (uint32_t rep = 0; rep < reps; rep++)
        for (uint32_t i = 0; i < k; i++)
            if (lane_frame(&lanes[i], c, &lanes[i].t[rep], &lanes[i].cpu[rep])) return -1;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The malloc section. rd_create's mallopt is process-wide and its effect
 * depends on the heap's history, so each side runs in a fresh child process
 * (forked before this process opens any GL context), A B A B A B, and the
 * children's frame times are pooled per side. */
static int child_frames(bool keep_defaults, uint32_t reps, const bench_cols *c,
                        double *t, double *cpu) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fd[0]);
        lane l;
        bench_cfg cfg = { keep_defaults ? "glibc defaults" : "auto", RD_SPRITES_AUTO,
                          RD_UPLOAD_AUTO };
        int err = lane_open_keep(&l, &cfg, keep_defaults);
        l.n = BENCH_COMPARE_N;
        if (!err) err = measure(&l, 1, reps, c);
        lane_close(&l);
        if (!err && (write(fd[1], l.t, reps * sizeof *t) != (ssize_t)(reps * sizeof *t) ||
                     write(fd[1], l.cpu, reps * sizeof *cpu) != (ssize_t)(reps * sizeof *cpu)))
            err = -1;
        _exit(err ? 1 : 0);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], t, reps * sizeof *t);
    ssize_t got2 = read(fd[0], cpu, reps * sizeof *cpu);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)(reps * sizeof *t) || got2 != (ssize_t)(reps * sizeof *cpu) ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_render: malloc child failed\n");
        return -1;
    }
    return 0;
}

static rd_bench_row summarise(const lane *l, uint32_t reps, const char *section) {
    double s[BENCH_MAX_REPS], cpu[BENCH_MAX_REPS];
    memcpy(s, l->t, reps * sizeof *s);
    memcpy(cpu, l->cpu, reps * sizeof *cpu);
    qsort(s, reps, sizeof *s, cmp_double);
    qsort(cpu, reps, sizeof *cpu, cmp_double);
    return (rd_bench_row){
        .section = section,
        .config = l->label ? l->label : l->cfg->name,
        .entities = l->n,
        .sprite_px = l->fill == BENCH_FILL_DEFAULT ? bench_sizes[l->size] : 8,
        .ms_per_frame = s[reps / 2], .min_ms = s[0], .max_ms = s[reps - 1],
        .cpu_ms = cpu[reps / 2], .ratio = 1, .reps = reps,
    };
}

static void add_row(rd_bench_result *res, rd_bench_row row, double baseline) {
    assert(res->row_count < RD_BENCH_MAX_ROWS);   /* sections fit the table */
    row.ratio = baseline > 0 ? row.ms_per_frame / baseline : 1;
    res->rows[res->row_count++] = row;
}

/* Measures lanes side by side and appends one row each; ratios to lane 0. */
static int section(rd_bench_result *res, lane *lanes, uint32_t k, uint32_t reps,
                   const bench_cols *c, const char *name) {
    if (measure(lanes, k, reps, c)) return -1;
    rd_bench_row base = summarise(&lanes[0], reps, name);
    for (uint32_t i = 0; i < k; i++)
        add_row(res, summarise(&lanes[i], reps, name), base.ms_per_frame);
    return 0;
}

static int median_at(lane *l, uint32_t n, uint32_t reps, const bench_cols *c,
                     double *median) {
    l->n = n;
    if (measure(l, 1, reps, c)) return -1;
    *median = summarise(l, reps, "search").ms_per_frame;
    return 0;
}

/* Largest N (to 2%) whose median frame fits the 60 FPS budget. */
static int search_60fps(lane *l, uint32_t reps, const bench_cols *c,
                        uint32_t *best, double *best_ms) {
    uint32_t lo = 0, hi = 0, n = 4000;
    double ms = 0, lo_ms = 0;
    while (!hi) {
        if (median_at(l, n, reps, c, &ms)) return -1;
        if (ms <= BENCH_BUDGET_MS && n < BENCH_MAX_N) {
            lo = n;
            lo_ms = ms;
            n = n * 2 > BENCH_MAX_N ? BENCH_MAX_N : n * 2;
        } else if (ms <= BENCH_BUDGET_MS) {
            lo = hi = n;
            lo_ms = ms;
        } else {
            hi = n;
        }
    }
    while (hi - lo > (lo / 50 > 250 ? lo / 50 : 250)) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (median_at(l, mid, reps, c, &ms)) return -1;
        if (ms <= BENCH_BUDGET_MS) {
            lo = mid;
            lo_ms = ms;
        } else {
            hi = mid;
        }
    }
    *best = lo;
    *best_ms = lo_ms;
    return 0;
}

int rd_bench_run(const rd_bench_desc *desc, rd_bench_result *out) {
    memset(out, 0, sizeof *out);
    out->width = BENCH_W;
    out->height = BENCH_H;
    uint32_t reps = desc && desc->reps ? desc->reps : 9;
    if (reps > BENCH_MAX_REPS) reps = BENCH_MAX_REPS;
    bool quick = desc && desc->quick;
    bool only = desc && desc->entities_only;   /* entities and the search */
    uint32_t one = only && desc->entities ? desc->entities : 0;
    uint32_t max_n = one ? one : quick ? 100000 : BENCH_MAX_N;
    if (max_n > BENCH_MAX_N) {
        fprintf(stderr, "bench_render: at most %u sprites\n", BENCH_MAX_N);
        return -1;
    }
    bench_cols c = { 0 };
    enum { LANES = 5 };
    lane lanes[LANES] = { 0 };
    const bench_cfg *cfgs[LANES] = { &cfg_quads_orphan, &cfg_quads_persist,
                                     &cfg_points_orphan, &cfg_points_persist, &cfg_auto };
    int rc = -1;
    if (cols_make(&c, max_n)) {
        fprintf(stderr, "bench_render: out of memory for %u sprites\n", max_n);
        goto done;
    }
    /* malloc first: its children must fork before this process has GL. */
    if (!quick && !only) {
        enum { ROUNDS = 3 };
        uint32_t per = reps < 5 ? reps : 5;
        lane side[2] = { 0 };
        static const bench_cfg keep = { "glibc defaults", RD_SPRITES_AUTO, RD_UPLOAD_AUTO };
        side[0].cfg = &keep;
        side[1].cfg = &cfg_auto;
        side[1].label = "raised trim (auto)";
        for (uint32_t round = 0; round < ROUNDS; round++)
            for (int k = 0; k < 2; k++)
                if (child_frames(k == 0, per, &c, side[k].t + round * per,
                                 side[k].cpu + round * per))
                    goto done;
        for (int k = 0; k < 2; k++) {
            side[k].n = BENCH_COMPARE_N;
            side[k].size = BENCH_DEFAULT_SIZE;
            side[k].fill = BENCH_FILL_DEFAULT;
        }
        rd_bench_row base = summarise(&side[0], ROUNDS * per, "malloc");
        for (int k = 0; k < 2; k++)
            add_row(out, summarise(&side[k], ROUNDS * per, "malloc"), base.ms_per_frame);
    }
    for (int i = 0; i < LANES; i++)
        if (lane_open(&lanes[i], cfgs[i])) goto done;
    rd_info info = rd_get_info(lanes[4].r);
    snprintf(out->renderer, sizeof out->renderer, "%s", info.gl_renderer);
    lane *qo = &lanes[0], *qp = &lanes[1], *pp = &lanes[3], *au = &lanes[4];

    /* paths: the four combinations and auto, at 20k */
    for (int i = 0; i < LANES; i++) lanes[i].n = BENCH_COMPARE_N;
    if (!only && section(out, lanes, LANES, reps, &c, "paths")) goto done;

    /* pipelined: glFinish every frame vs every BENCH_PIPELINE frames */
    if (!only) {
        lane p[2] = { *au, *au };
        p[0].n = p[1].n = BENCH_COMPARE_N;
        p[0].label = "auto, finish each frame";
        p[1].label = "auto, pipelined";
        p[1].pipelined = true;
        if (section(out, p, 2, reps, &c, "pipelined")) goto done;
    }

    /* fill: what a fragment costs, on the auto path */
    if (!only) {
        lane f[BENCH_FILLS];
        for (uint32_t i = 0; i < BENCH_FILLS; i++) {
            f[i] = *au;
            f[i].n = BENCH_COMPARE_N;
            f[i].fill = i;
            f[i].label = bench_fills[i];
        }
        if (section(out, f, BENCH_FILLS, reps, &c, "fill")) goto done;
    }

    /* entities: auto against the naive path at each count */
    static const uint32_t counts[] = { 10000, 100000, 1000000 };
    for (size_t i = 0; i < (one ? 1 : sizeof counts / sizeof counts[0]); i++) {
        uint32_t n = one ? one : counts[i];
        if (n > max_n) break;
        lane pair[2] = { *qo, *au };
        pair[0].n = pair[1].n = n;
        uint32_t r = n >= 1000000 ? (reps < 7 ? reps : 7) : reps;
        if (section(out, pair, 2, r, &c, "entities")) goto done;
    }

    /* size: quads against points as sprites grow */
    for (uint32_t s = 0; !quick && !only && s < BENCH_SIZES; s++) {
        lane pair[2] = { *qp, *pp };
        pair[0].n = pair[1].n = BENCH_COMPARE_N;
        pair[0].size = pair[1].size = s;
        if (section(out, pair, 2, reps, &c, "size")) goto done;
    }

    /* 60 FPS: auto and the naive path (not with one count asked for) */
    uint32_t search_reps = reps;
    if (!one) {
        if (search_60fps(au, search_reps, &c, &out->count_at_60fps, &out->ms_at_60fps) ||
            search_60fps(qo, search_reps, &c, &out->baseline_at_60fps,
                         &out->baseline_ms_at_60fps))
            goto done;
        lane piped = *au;
        piped.pipelined = true;
        if (search_60fps(&piped, search_reps, &c, &out->pipelined_at_60fps,
                         &out->pipelined_ms_at_60fps))
            goto done;
    }

    /* threads: llvmpipe reads LP_NUM_THREADS when the EGL display starts,
     * so close every renderer first and measure one configuration at a time. */
    bool software = info.software && !only;
    for (int i = 0; i < LANES; i++) lane_close(&lanes[i]);
    if (software && !quick) {
        const char *old = getenv("LP_NUM_THREADS");
        char *saved = old ? strdup(old) : NULL;
        static const char *threads[] = { NULL, "1", "2", "3", "4" };
        static const bench_cfg tcfg[] = {
            { "LP_NUM_THREADS unset", RD_SPRITES_AUTO, RD_UPLOAD_AUTO },
            { "LP_NUM_THREADS=1", RD_SPRITES_AUTO, RD_UPLOAD_AUTO },
            { "LP_NUM_THREADS=2", RD_SPRITES_AUTO, RD_UPLOAD_AUTO },
            { "LP_NUM_THREADS=3", RD_SPRITES_AUTO, RD_UPLOAD_AUTO },
            { "LP_NUM_THREADS=4", RD_SPRITES_AUTO, RD_UPLOAD_AUTO },
        };
        double base = 0;
        int err = 0;
        for (size_t i = 0; i < sizeof threads / sizeof threads[0] && !err; i++) {
            if (threads[i]) setenv("LP_NUM_THREADS", threads[i], 1);
            else unsetenv("LP_NUM_THREADS");
            lane l;
            err = lane_open(&l, &tcfg[i]);
            l.n = BENCH_COMPARE_N;
            if (!err) err = measure(&l, 1, reps, &c);
            if (!err) {
                rd_bench_row row = summarise(&l, reps, "threads");
                if (i == 0) base = row.ms_per_frame;
                add_row(out, row, base);
            }
            lane_close(&l);
        }
        if (saved) setenv("LP_NUM_THREADS", saved, 1);
        else unsetenv("LP_NUM_THREADS");
        free(saved);
        if (err) goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < LANES; i++) lane_close(&lanes[i]);
    cols_free(&c);
    return rc;
}

void rd_bench_print(const rd_bench_result *res, FILE *f) {
    fprintf(f, "render: %s, %dx%d, circles, alpha blend, all columns; ms per frame "
               "incl. upload and glFinish\n", res->renderer, res->width, res->height);
    const char *section = "";
    for (uint32_t i = 0; i < res->row_count; i++) {
        const rd_bench_row *r = &res->rows[i];
        if (strcmp(section, r->section) != 0) {
            section = r->section;
            fprintf(f, "\n[%s]  %-22s %8s %4s %9s %9s %9s %7s %9s\n", section, "config",
                    "sprites", "px", "median", "min", "max", "ratio", "cpu med");
        }
        fprintf(f, "%*s  %-22s %8u %4.0f %9.2f %9.2f %9.2f %7.2f %9.2f\n",
                (int)strlen(section) + 2, "", r->config, r->entities,
                (double)r->sprite_px, r->ms_per_frame, r->min_ms, r->max_ms, r->ratio,
                r->cpu_ms);
    }
    fprintf(f, "\n60 FPS (median <= %.2f ms), glFinish every frame: auto holds %u sprites "
               "(%.2f ms), quads+orphan holds %u (%.2f ms): %.2fx\n",
            BENCH_BUDGET_MS, res->count_at_60fps, res->ms_at_60fps,
            res->baseline_at_60fps, res->baseline_ms_at_60fps,
            res->baseline_at_60fps ? (double)res->count_at_60fps / res->baseline_at_60fps : 0);
    fprintf(f, "60 FPS pipelined (glFinish every %d frames): auto holds %u sprites (%.2f ms)\n",
            BENCH_PIPELINE, res->pipelined_at_60fps, res->pipelined_ms_at_60fps);
}

void rd_bench_print_json(const rd_bench_result *res, FILE *f) {
    fprintf(f, "{\"renderer\": \"%s\", \"width\": %d, \"height\": %d, \"results\": [\n",
            res->renderer, res->width, res->height);
    for (uint32_t i = 0; i < res->row_count; i++) {
        const rd_bench_row *r = &res->rows[i];
        fprintf(f, "  {\"workload\": \"RENDER\", \"section\": \"%s\", \"config\": \"%s\", "
                   "\"entities\": %u, \"sprite_px\": %.0f, \"metric\": \"ms_per_frame\", "
                   "\"value\": %.3f, \"min\": %.3f, \"max\": %.3f, \"ratio\": %.3f, "
                   "\"cpu_ms\": %.3f},\n",
                r->section, r->config, r->entities, (double)r->sprite_px, r->ms_per_frame,
                r->min_ms, r->max_ms, r->ratio, r->cpu_ms);
    }
    fprintf(f, "  {\"workload\": \"RENDER\", \"config\": \"auto\", \"metric\": \"sprites_at_60fps\", "
               "\"value\": %u, \"ms\": %.3f, \"baseline\": %u, \"baseline_ms\": %.3f, "
               "\"pipelined\": %u, \"pipelined_ms\": %.3f}\n]}\n",
            res->count_at_60fps, res->ms_at_60fps, res->baseline_at_60fps,
            res->baseline_ms_at_60fps, res->pipelined_at_60fps, res->pipelined_ms_at_60fps);
}

#ifdef RD_BENCH_MAIN
int main(int argc, char **argv) {
    rd_bench_desc d = { 0 };
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) d.quick = true;
        else if (strcmp(argv[i], "--json") == 0) json = true;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) d.reps = (uint32_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--quick] [--reps N] [--json]\n", argv[0]);
            return 2;
        }
    }
    static rd_bench_result res;
    if (rd_bench_run(&d, &res)) return 1;
    if (json) rd_bench_print_json(&res, stdout);
    else rd_bench_print(&res, stdout);
    return 0;
}
#endif
