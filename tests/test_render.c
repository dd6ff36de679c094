/* test_render.c — cmocka suite for render/ (render.h).
 *
 * Everything runs headless (EGL surfaceless, llvmpipe) except the window
 * cases, which need an X display and are skipped without one: run the suite
 * as `xvfb-run -a build/test_render` to include them.
 *
 * Golden images: render_golden_* draw a fixed scene (sprites from a seeded
 * xorshift generator, no libc rand) and compare the frame with
 * tests/golden/render_*.png through tests/golden_image.h (tolerances, the
 * .actual.png written on a mismatch, RD_UPDATE_GOLDEN=1 to rewrite; review
 * the new PNGs like code before committing them).
 *
 * Under AddressSanitizer (ninja -f ninja/dev-render-asan.ninja, then
 * build/asan/test_render) the run is clean without a suppression file:
 * main() pins Mesa's driver modules, see pin_module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>   /* key codes for the simulated input events */
#include <stb/stb_image.h>

#include "golden_image.h"  /* golden_check, golden_compare (tests/golden_image.c) */
#include "render.h"
#include "rd_internal.h"  /* rd__input_* (what GLFW's callbacks call) */

#define SCENE_W 640
#define SCENE_H 360

/* ---- helpers ----------------------------------------------------------- */

typedef struct log_sink {
    int count;
    char last[1024];
} log_sink;

static void sink_fn(void *user, const char *msg) {
    log_sink *s = user;
    s->count++;
    snprintf(s->last, sizeof s->last, "%s", msg);
}

static log_sink quiet;   /* default sink: keeps expected errors off stderr */

static rd_renderer *open_desc(rd_desc d) {
    if (d.platform == RD_PLATFORM_AUTO) d.platform = RD_PLATFORM_HEADLESS;
    if (!d.log.fn) d.log = (rd_log_desc){ sink_fn, &quiet };
    rd_renderer *r = NULL;
    rd_result e = rd_create(&d, &r);
    if (e != RD_OK) fail_msg("rd_create: %s (%s)", rd_result_str(e), quiet.last);
    assert_non_null(r);
    return r;
}

static rd_renderer *open_size(int32_t w, int32_t h) {
    return open_desc((rd_desc){ .width = w, .height = h });
}

static rd_material material(rd_renderer *r, rd_material_desc d) {
    rd_material m;
    assert_int_equal(rd_make_material(r, &d, &m), RD_OK);
    assert_int_not_equal(m.id, 0);
    return m;
}

static uint8_t *read_frame(rd_renderer *r, int32_t w, int32_t h) {
    size_t size = (size_t)w * (size_t)h * 4;
    uint8_t *px = malloc(size);
    assert_non_null(px);
    assert_int_equal(rd_read_pixels(r, px, size), RD_OK);
    return px;
}

static const uint8_t *pixel(const uint8_t *px, int32_t w, int32_t x, int32_t y) {
    return px + ((size_t)y * (size_t)w + (size_t)x) * 4;
}

/* One frame with one batch; returns its stats. */
static rd_frame_stats frame_one(rd_renderer *r, const rd_sprites *s) {
    rd_frame_stats st;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    if (s) assert_int_equal(rd_draw_sprites(r, s), RD_OK);
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    return st;
}

/* xorshift32: the scene must not depend on libc's rand. */
static uint32_t rng_next(uint32_t *s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static float rng_float(uint32_t *s, float lo, float hi) {
    return lo + (hi - lo) * (float)(rng_next(s) >> 8) * (1.0f / 16777216.0f);
}

enum { SCENE_N = 1500 };

typedef struct scene {
    float x[SCENE_N], y[SCENE_N], rot[SCENE_N], scale[SCENE_N];
    float r[SCENE_N], g[SCENE_N], b[SCENE_N], a[SCENE_N];
} scene;

static void scene_fill(scene *sc) {
    uint32_t s = 0xEC5C2024u;
    for (int i = 0; i < SCENE_N; i++) {
        /* 10% beyond the view on each side, so some are culled. */
        sc->x[i] = rng_float(&s, -SCENE_W * 0.6f, SCENE_W * 0.6f);
        sc->y[i] = rng_float(&s, -SCENE_H * 0.6f, SCENE_H * 0.6f);
        sc->rot[i] = rng_float(&s, -7.0f, 7.0f);
        sc->scale[i] = rng_float(&s, 0.5f, 2.0f);
        sc->r[i] = rng_float(&s, 0.2f, 1.0f);
        sc->g[i] = rng_float(&s, 0.2f, 1.0f);
        sc->b[i] = rng_float(&s, 0.2f, 1.0f);
        sc->a[i] = rng_float(&s, 0.5f, 1.0f);
    }
}

/* Four materials, one per fill (texture, solid, round disc, ellipse), in
 * five batches (the round disc twice), all columns given. */
static rd_frame_stats scene_frame(rd_renderer *r, const scene *sc,
                                  const rd_overlay *ov) {
    rd_material circle = material(r, (rd_material_desc){
        .shape = RD_SHAPE_CIRCLE, .width = 10, .height = 10 });
    rd_material arrow = material(r, (rd_material_desc){
        .shape = RD_SHAPE_TRIANGLE, .width = 16, .height = 10 });
    rd_material glow = material(r, (rd_material_desc){
        .shape = RD_SHAPE_SQUARE, .width = 12, .height = 6, .blend = RD_BLEND_ADD });
    rd_material ellipse = material(r, (rd_material_desc){
        .shape = RD_SHAPE_CIRCLE, .width = 14, .height = 6 });
    const uint32_t fifth = SCENE_N / 5;
    const rd_material order[5] = { circle, arrow, glow, circle, ellipse };
    rd_frame_stats st;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    for (uint32_t part = 0; part < 5; part++) {
        uint32_t at = part * fifth;
        rd_sprites s = {
            .material = order[part], .count = fifth,
            .x = sc->x + at, .y = sc->y + at, .rotation = sc->rot + at,
            .scale = sc->scale + at, .r = sc->r + at, .g = sc->g + at,
            .b = sc->b + at, .a = sc->a + at,
        };
        assert_int_equal(rd_draw_sprites(r, &s), RD_OK);
    }
    if (ov) assert_int_equal(rd_draw_overlay(r, ov), RD_OK);
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.draw_calls, 4);
    assert_int_equal(st.instances_submitted, SCENE_N);
    return st;
}

static void overlay_fill(rd_overlay *ov) {
    *ov = (rd_overlay){
        .fps = 58.8f, .frame_ms = 17.0f, .budget_ms = 16.67f,
        .memory_bytes = 48u << 20, .entities = SCENE_N, .draw_calls = 4,
        .gpu_ms = 4.25f, .quality = 0.75f,
    };
    for (int i = 0; i < 150; i++)
        rd_overlay_push_frame(ov, 12.0f + 7.0f * sinf((float)i * 0.15f));
    const char *names[] = { "input", "move", "collide", "render_sprites" };
    const float ms[] = { 0.1f, 1.5f, 2.9f, 6.0f }, budget[] = { 0.5f, 2.0f, 3.0f, 4.0f };
    const rd_status status[] = { RD_STATUS_OK, RD_STATUS_OK, RD_STATUS_WARNING,
                                 RD_STATUS_CRITICAL };
    for (int i = 0; i < 4; i++) {
        rd_overlay_system *s = &ov->systems[ov->system_count++];
        snprintf(s->name, sizeof s->name, "%s", names[i]);
        s->ms = ms[i];
        s->budget_ms = budget[i];
        s->status = status[i];
    }
}

static void check_golden(rd_renderer *r, const char *name) {
    uint8_t *px = read_frame(r, SCENE_W, SCENE_H);
    golden_check(name, px, SCENE_W, SCENE_H);
    free(px);
}

/* ---- creation and errors ----------------------------------------------- */

static void render_create_headless_defaults(void **state) {
    (void)state;
    rd_renderer *r = open_desc((rd_desc){ .platform = RD_PLATFORM_HEADLESS });
    rd_info info = rd_get_info(r);
    assert_int_equal(info.platform, RD_PLATFORM_HEADLESS);
    assert_true(info.gl_major * 10 + info.gl_minor >= 33);
    assert_true(info.upload == RD_UPLOAD_ORPHAN || info.upload == RD_UPLOAD_PERSISTENT);
    assert_non_null(info.gl_renderer);
    rd_frame_stats st = frame_one(r, NULL);
    assert_int_equal(st.width, 1280);
    assert_int_equal(st.height, 720);
    assert_int_equal(st.frame, 0);
    assert_int_equal(frame_one(r, NULL).frame, 1);
    rd_destroy(r);
    rd_destroy(NULL);
}

static void render_create_auto_is_headless_without_display(void **state) {
    (void)state;
    char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    char *xs = x ? strdup(x) : NULL, *ws = w ? strdup(w) : NULL;
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    rd_renderer *r = NULL;
    rd_result e = rd_create(&(rd_desc){ .width = 64, .height = 64,
                                        .log = { sink_fn, &quiet } }, &r);
    if (xs) setenv("DISPLAY", xs, 1);
    if (ws) setenv("WAYLAND_DISPLAY", ws, 1);
    free(xs);
    free(ws);
    assert_int_equal(e, RD_OK);
    assert_int_equal(rd_get_info(r).platform, RD_PLATFORM_HEADLESS);
    rd_destroy(r);
}

static void expect_bad_desc(rd_desc d, rd_result want, const char *what) {
    log_sink sink = { 0 };
    d.log = (rd_log_desc){ sink_fn, &sink };
    rd_renderer *r = (rd_renderer *)&sink;   /* must be overwritten with NULL */
    rd_result e = rd_create(&d, &r);
    if (e != want) fail_msg("%s: got %s, want %s", what, rd_result_str(e), rd_result_str(want));
    assert_null(r);
    assert_true(sink.count > 0);            /* the reason was logged */
}

static void render_create_bad_desc_returns_error(void **state) {
    (void)state;
    const rd_platform h = RD_PLATFORM_HEADLESS;
    expect_bad_desc((rd_desc){ .platform = h, .width = -5 }, RD_ERR_INVALID_DESC, "negative width");
    expect_bad_desc((rd_desc){ .platform = h, .height = 20000 }, RD_ERR_INVALID_DESC, "huge height");
    expect_bad_desc((rd_desc){ .platform = (rd_platform)7 }, RD_ERR_INVALID_DESC, "platform enum");
    expect_bad_desc((rd_desc){ .platform = h, .upload = (rd_upload)9 }, RD_ERR_INVALID_DESC, "upload enum");
    expect_bad_desc((rd_desc){ .platform = h, .font_px = 1000 }, RD_ERR_INVALID_DESC, "font_px");
    expect_bad_desc((rd_desc){ .platform = h, .clear_color = { NAN, 0, 0, 1 } },
                    RD_ERR_INVALID_DESC, "clear colour NaN");
    expect_bad_desc((rd_desc){ .platform = h, .initial_instances = 1u << 30 },
                    RD_ERR_INVALID_DESC, "initial_instances");
    expect_bad_desc((rd_desc){ .platform = h, .font_path = "/nonexistent/font.ttf" },
                    RD_ERR_FONT, "missing font");
    expect_bad_desc((rd_desc){ .platform = h, .font_path = "tests/test_render.c" },
                    RD_ERR_FONT, "not a font");

    rd_renderer *r = NULL;
    assert_int_equal(rd_create(NULL, &r), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_create(&(rd_desc){ 0 }, NULL), RD_ERR_INVALID_ARG);
}

static void render_result_str_names_every_result(void **state) {
    (void)state;
    for (int e = 0; e < RD_RESULT_COUNT; e++) {
        assert_non_null(rd_result_str((rd_result)e));
        assert_true(strlen(rd_result_str((rd_result)e)) > 1);
    }
    assert_string_equal(rd_result_str(RD_OK), "ok");
    assert_string_equal(rd_result_str((rd_result)999), "unknown rd_result");
}

static void render_frame_calls_out_of_order_fail(void **state) {
    (void)state;
    rd_renderer *r = open_size(64, 64);
    rd_material m = material(r, (rd_material_desc){ 0 });
    float x = 0, y = 0;
    rd_sprites s = { .material = m, .count = 1, .x = &x, .y = &y };
    uint8_t px[64 * 64 * 4];
    assert_int_equal(rd_read_pixels(r, px, sizeof px), RD_ERR_STATE);
    assert_int_equal(rd_draw_sprites(r, &s), RD_ERR_STATE);
    assert_int_equal(rd_end_frame(r, NULL), RD_ERR_STATE);
    rd_overlay ov = { 0 };
    assert_int_equal(rd_draw_overlay(r, &ov), RD_ERR_STATE);
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    assert_int_equal(rd_begin_frame(r, NULL), RD_ERR_STATE);
    assert_int_equal(rd_resize(r, 32, 32), RD_ERR_STATE);
    assert_int_equal(rd_destroy_material(r, m), RD_ERR_STATE);
    assert_int_equal(rd_draw_sprites(r, NULL), RD_ERR_INVALID_ARG);
    rd_sprites no_y = { .material = m, .count = 1, .x = &x };
    assert_int_equal(rd_draw_sprites(r, &no_y), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_end_frame(r, NULL), RD_OK);
    assert_int_equal(rd_read_pixels(r, px, sizeof px), RD_OK);
    assert_int_equal(rd_read_pixels(r, px, sizeof px - 1), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_read_pixels(r, NULL, sizeof px), RD_ERR_INVALID_ARG);
    rd_destroy(r);
}

static void render_material_handles_catch_stale_use(void **state) {
    (void)state;
    rd_renderer *r = open_size(64, 64);
    rd_material a = material(r, (rd_material_desc){ .shape = RD_SHAPE_CIRCLE });
    assert_int_equal(rd_destroy_material(r, a), RD_OK);
    assert_int_equal(rd_destroy_material(r, a), RD_ERR_STALE_HANDLE);
    assert_int_equal(rd_destroy_material(r, (rd_material){ 0 }), RD_ERR_STALE_HANDLE);
    rd_material b = material(r, (rd_material_desc){ 0 });   /* reuses a's slot */
    assert_int_not_equal(a.id, b.id);
    float x = 0, y = 0;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = a, .count = 1,
                                                        .x = &x, .y = &y }),
                     RD_ERR_STALE_HANDLE);
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = b, .count = 1,
                                                        .x = &x, .y = &y }),
                     RD_OK);
    rd_frame_stats st;
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.draw_calls, 1);
    rd_destroy(r);
}

static void render_material_bad_desc_and_table_full(void **state) {
    (void)state;
    rd_renderer *r = open_size(64, 64);
    rd_material m;
    assert_int_equal(rd_make_material(r, &(rd_material_desc){ .width = -1 }, &m),
                     RD_ERR_INVALID_DESC);
    assert_int_equal(m.id, 0);
    assert_int_equal(rd_make_material(r, &(rd_material_desc){ .shape = (rd_shape)42 }, &m),
                     RD_ERR_INVALID_DESC);
    uint8_t px[4] = { 1, 2, 3, 4 };
    assert_int_equal(rd_make_material(r, &(rd_material_desc){ .pixels = px }, &m),
                     RD_ERR_INVALID_DESC);   /* pixels without a size */
    assert_int_equal(rd_make_material(r, NULL, &m), RD_ERR_INVALID_ARG);
    for (int i = 0; i < RD_MAX_MATERIALS; i++)
        assert_int_equal(rd_make_material(r, &(rd_material_desc){ 0 }, &m), RD_OK);
    assert_int_equal(rd_make_material(r, &(rd_material_desc){ 0 }, &m), RD_ERR_TOO_MANY);
    rd_destroy(r);   /* frees all 256 textures */
}

/* ---- stats, batching, culling ----------------------------------------- */

static void render_stats_one_draw_call_per_material(void **state) {
    (void)state;
    rd_renderer *r = open_size(200, 100);
    rd_material a = material(r, (rd_material_desc){ 0 });
    rd_material b = material(r, (rd_material_desc){ .shape = RD_SHAPE_CIRCLE });
    rd_material c = material(r, (rd_material_desc){ .shape = RD_SHAPE_TRIANGLE });
    enum { N = 40 };
    float x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i - N / 2) * 4.0f;   /* all inside 200 x 100 */
        y[i] = 0;
    }
    rd_frame_stats st;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    const rd_material order[5] = { a, b, a, c, b };   /* 5 calls, 3 materials */
    for (int i = 0; i < 5; i++)
        assert_int_equal(rd_draw_sprites(r, &(rd_sprites){
                             .material = order[i], .count = N, .x = x, .y = y }),
                         RD_OK);
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.draw_calls, 3);
    assert_int_equal(st.instances_submitted, 5 * N);
    assert_int_equal(st.instances_drawn, 5 * N);
    assert_int_equal(st.instances_culled, 0);
    assert_int_equal(st.instance_bytes, 5 * N * 16);
    assert_int_equal(st.overlay_draw_calls, 0);
    assert_int_equal(st.overlay_bytes, 0);
    assert_int_equal(st.bytes_uploaded, st.instance_bytes);
    assert_true(st.cpu_ms >= 0);

    /* The next frame starts empty: nothing carried over. */
    st = frame_one(r, NULL);
    assert_int_equal(st.draw_calls, 0);
    assert_int_equal(st.instances_drawn, 0);
    assert_int_equal(st.bytes_uploaded, 0);
    rd_destroy(r);
}

static void render_cull_outside_view_not_uploaded(void **state) {
    (void)state;
    rd_renderer *r = open_size(100, 100);   /* view: -50..50 both axes */
    rd_material m = material(r, (rd_material_desc){ .width = 2, .height = 2 });
    /* radius of a 2x2 sprite: sqrt(2) ~ 1.41 */
    float x[] = { 0, 49, 51, 52, -52, 0, 0, 500, NAN, 0 };
    float y[] = { 0, 0, 0, 0, 0, 51, -53, 500, 0, NAN };
    /*            in in in out out in out  out  out out */
    rd_frame_stats st = frame_one(r, &(rd_sprites){ .material = m, .count = 10,
                                                    .x = x, .y = y });
    assert_int_equal(st.instances_submitted, 10);
    assert_int_equal(st.instances_culled, 6);
    assert_int_equal(st.instances_drawn, 4);
    assert_int_equal(st.instance_bytes, 4 * 16);
    assert_int_equal(st.draw_calls, 1);

    /* Scale grows the bounding circle: 52 with scale 2 reaches 49.2. */
    float s[] = { 1, 1, 1, 2, 2, 1, 1, 1, 1, 1 };
    st = frame_one(r, &(rd_sprites){ .material = m, .count = 10, .x = x, .y = y,
                                     .scale = s });
    assert_int_equal(st.instances_culled, 4);

    /* Everything culled: no draw call, no bytes. */
    float fx[] = { 1000, 2000 }, fy[] = { 0, 0 };
    st = frame_one(r, &(rd_sprites){ .material = m, .count = 2, .x = fx, .y = fy });
    assert_int_equal(st.instances_culled, 2);
    assert_int_equal(st.draw_calls, 0);
    assert_int_equal(st.bytes_uploaded, 0);
    rd_destroy(r);
}

static void render_cull_follows_camera(void **state) {
    (void)state;
    rd_renderer *r = open_size(100, 100);
    rd_material m = material(r, (rd_material_desc){ .width = 1, .height = 1 });
    float x[] = { 0, 1000, 1010 }, y[] = { 0, 0, 0 };
    rd_sprites s = { .material = m, .count = 3, .x = x, .y = y };
    assert_int_equal(frame_one(r, &s).instances_drawn, 1);
    assert_int_equal(rd_set_camera(r, (rd_camera){ .center_x = 1000, .zoom = 1 }), RD_OK);
    rd_rect v = rd_view_rect(r);
    assert_float_equal(v.min_x, 950, 1e-3);
    assert_float_equal(v.max_x, 1050, 1e-3);
    assert_float_equal(v.min_y, -50, 1e-3);
    assert_int_equal(frame_one(r, &s).instances_drawn, 2);
    /* Zoom 0.01 px per unit: the view is 10000 units wide, all visible. */
    assert_int_equal(rd_set_camera(r, (rd_camera){ .zoom = 0.01f }), RD_OK);
    assert_int_equal(frame_one(r, &s).instances_drawn, 3);
    rd_destroy(r);
}

static void render_camera_rejects_bad_values_and_fits(void **state) {
    (void)state;
    rd_renderer *r = open_size(100, 50);
    assert_int_equal(rd_set_camera(r, (rd_camera){ .zoom = -1 }), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_set_camera(r, (rd_camera){ .zoom = NAN }), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_set_camera(r, (rd_camera){ .center_x = INFINITY }), RD_ERR_INVALID_ARG);
    assert_float_equal(rd_get_camera(r).zoom, 1, 0);   /* unchanged */
    assert_int_equal(rd_set_camera(r, (rd_camera){ 0 }), RD_OK);
    assert_float_equal(rd_get_camera(r).zoom, 1, 0);   /* 0 means default */
    /* 400 x 100 world into 100 x 50 pixels: width limits, zoom 0.25. */
    rd_camera c = rd_camera_fit((rd_rect){ -100, 0, 300, 100 }, 100, 50);
    assert_float_equal(c.zoom, 0.25f, 1e-6);
    assert_float_equal(c.center_x, 100, 1e-6);
    assert_float_equal(c.center_y, 50, 1e-6);
    assert_int_equal(rd_set_camera(r, c), RD_OK);
    rd_rect v = rd_view_rect(r);
    assert_float_equal(v.min_x, -100, 1e-3);
    assert_float_equal(v.max_x, 300, 1e-3);
    assert_float_equal(v.min_y, -50, 1e-3);   /* 50 px / 0.25 = 200 units tall */
    assert_float_equal(v.max_y, 150, 1e-3);
    rd_destroy(r);
}

/* ---- what ends up in the pixels --------------------------------------- */

static void render_null_optional_columns_mean_defaults(void **state) {
    (void)state;
    rd_renderer *r = open_size(64, 64);
    rd_material m = material(r, (rd_material_desc){ .width = 10, .height = 10 });
    float x = 0, y = 0, rot = 0, scale = 1, one = 1;
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y });
    uint8_t *implicit = read_frame(r, 64, 64);
    const uint8_t *c = pixel(implicit, 64, 32, 32);
    assert_int_equal(c[0], 255);   /* white, opaque */
    assert_int_equal(c[1], 255);
    assert_int_equal(c[2], 255);
    assert_int_equal(c[3], 255);
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y,
                                .rotation = &rot, .scale = &scale, .r = &one,
                                .g = &one, .b = &one, .a = &one });
    uint8_t *explicit_ = read_frame(r, 64, 64);
    assert_memory_equal(implicit, explicit_, 64 * 64 * 4);
    /* Only some colour columns: the others stay 1. */
    float half = 0.5f;
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y, .g = &half });
    uint8_t *green = read_frame(r, 64, 64);
    c = pixel(green, 64, 32, 32);
    assert_int_equal(c[0], 255);
    assert_in_range(c[1], 127, 128);
    assert_int_equal(c[2], 255);
    free(implicit);
    free(explicit_);
    free(green);
    rd_destroy(r);
}

static void render_zero_instances_draw_nothing(void **state) {
    (void)state;
    rd_renderer *r = open_desc((rd_desc){ .width = 32, .height = 32,
                                          .clear_color = { 0.2f, 0.4f, 0.6f, 1 } });
    rd_material m = material(r, (rd_material_desc){ 0 });
    /* count 0: x and y may be NULL */
    rd_frame_stats st = frame_one(r, &(rd_sprites){ .material = m, .count = 0 });
    assert_int_equal(st.draw_calls, 0);
    assert_int_equal(st.instances_submitted, 0);
    assert_int_equal(st.bytes_uploaded, 0);
    uint8_t *px = read_frame(r, 32, 32);
    for (int i = 0; i < 32 * 32; i++) {
        assert_in_range(px[i * 4 + 0], 50, 52);
        assert_in_range(px[i * 4 + 1], 101, 103);
        assert_in_range(px[i * 4 + 2], 152, 154);
        assert_int_equal(px[i * 4 + 3], 255);
    }
    free(px);
    rd_destroy(r);
}

/* World y is up, rotation is counter-clockwise, and both paths agree. */
static void check_orientation(rd_sprite_path path) {
    rd_renderer *r = open_desc((rd_desc){ .width = 100, .height = 100,
                                          .sprites = path });
    /* 20 x 4 bar: horizontal at rotation 0, vertical at pi/2. */
    rd_material bar = material(r, (rd_material_desc){ .width = 20, .height = 4,
                                                      .blend = RD_BLEND_NONE });
    float x = 0, y = 30, rot = 1.5707964f;
    frame_one(r, &(rd_sprites){ .material = bar, .count = 1, .x = &x, .y = &y });
    uint8_t *px = read_frame(r, 100, 100);
    /* y = +30 is 30 px above the centre: row 50 - 30 = 20. */
    assert_int_equal(pixel(px, 100, 50, 20)[0], 255);
    assert_int_equal(pixel(px, 100, 58, 20)[0], 255);   /* along x */
    assert_int_not_equal(pixel(px, 100, 50, 26)[0], 255);
    assert_int_not_equal(pixel(px, 100, 50, 80)[0], 255);   /* not mirrored */
    free(px);
    frame_one(r, &(rd_sprites){ .material = bar, .count = 1, .x = &x, .y = &y,
                                .rotation = &rot });
    px = read_frame(r, 100, 100);
    assert_int_equal(pixel(px, 100, 50, 12)[0], 255);   /* along y now */
    assert_int_equal(pixel(px, 100, 50, 28)[0], 255);
    assert_int_not_equal(pixel(px, 100, 58, 20)[0], 255);
    free(px);
    assert_int_equal(rd_get_info(r).sprites, path);
    rd_destroy(r);
}

static void render_orientation_quads_y_up_ccw(void **state) {
    (void)state;
    check_orientation(RD_SPRITES_QUADS);
}

static void render_orientation_points_y_up_ccw(void **state) {
    (void)state;
    check_orientation(RD_SPRITES_POINTS);
}

static void render_colors_and_blend_modes(void **state) {
    (void)state;
    rd_renderer *r = open_desc((rd_desc){ .width = 32, .height = 32,
                                          .clear_color = { 0, 0, 0, 1 } });
    rd_material opaque = material(r, (rd_material_desc){
        .width = 8, .height = 8, .blend = RD_BLEND_NONE });
    rd_material add = material(r, (rd_material_desc){
        .width = 8, .height = 8, .blend = RD_BLEND_ADD });
    rd_material alpha = material(r, (rd_material_desc){ .width = 8, .height = 8 });
    float x = 0, y = 0;
    float cr = 1.0f, cg = 0.25f, cb = 0.0f, ca = 0.5f;
    float quarter = 0.25f;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    /* opaque (1, .25, 0) ignoring alpha, then add (0, .25, 0)*0.5 on top */
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = opaque, .count = 1,
        .x = &x, .y = &y, .r = &cr, .g = &cg, .b = &cb, .a = &ca }), RD_OK);
    float zero = 0;
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = add, .count = 1,
        .x = &x, .y = &y, .r = &zero, .g = &quarter, .b = &zero, .a = &ca }), RD_OK);
    rd_frame_stats st;
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    uint8_t *px = read_frame(r, 32, 32);
    const uint8_t *c = pixel(px, 32, 16, 16);
    assert_int_equal(c[0], 255);
    assert_in_range(c[1], 64 + 31, 64 + 33);   /* 0.25 + 0.25 * 0.5 */
    assert_int_equal(c[2], 0);
    free(px);
    /* alpha: 50% blue over black gives half blue */
    float one = 1;
    frame_one(r, &(rd_sprites){ .material = alpha, .count = 1, .x = &x, .y = &y,
                                .r = &zero, .g = &zero, .b = &one, .a = &ca });
    px = read_frame(r, 32, 32);
    c = pixel(px, 32, 16, 16);
    assert_int_equal(c[0], 0);
    assert_in_range(c[2], 126, 129);
    free(px);
    /* out-of-range colours clamp; NaN becomes 0 */
    float big = 7, neg = -3, nan_ = NAN;
    frame_one(r, &(rd_sprites){ .material = opaque, .count = 1, .x = &x, .y = &y,
                                .r = &big, .g = &neg, .b = &nan_ });
    px = read_frame(r, 32, 32);
    c = pixel(px, 32, 16, 16);
    assert_int_equal(c[0], 255);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 0);
    free(px);
    rd_destroy(r);
}

static void render_custom_pixels_material(void **state) {
    (void)state;
    rd_renderer *r = open_size(40, 40);
    /* 2x2 image: top row red, green; bottom row blue, white. */
    const uint8_t img[16] = { 255, 0, 0, 255, 0, 255, 0, 255,
                              0, 0, 255, 255, 255, 255, 255, 255 };
    rd_material m = material(r, (rd_material_desc){
        .pixels = img, .pixels_w = 2, .pixels_h = 2, .width = 20, .height = 20,
        .filter = RD_FILTER_NEAREST, .blend = RD_BLEND_NONE });
    float x = 0, y = 0;
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y });
    uint8_t *px = read_frame(r, 40, 40);
    const uint8_t *tl = pixel(px, 40, 14, 14), *tr = pixel(px, 40, 25, 14);
    const uint8_t *bl = pixel(px, 40, 14, 25), *br = pixel(px, 40, 25, 25);
    assert_true(tl[0] == 255 && tl[1] == 0 && tl[2] == 0);   /* top-left red */
    assert_true(tr[0] == 0 && tr[1] == 255 && tr[2] == 0);
    assert_true(bl[0] == 0 && bl[1] == 0 && bl[2] == 255);
    assert_true(br[0] == 255 && br[1] == 255 && br[2] == 255);
    free(px);
    rd_destroy(r);
}

/* ---- sizes ------------------------------------------------------------- */

static void render_resize_headless_recreates_framebuffer(void **state) {
    (void)state;
    rd_renderer *r = open_size(64, 48);
    rd_material m = material(r, (rd_material_desc){ .width = 4, .height = 4,
                                                    .blend = RD_BLEND_NONE });
    float x = 0, y = 0;
    assert_int_equal(rd_resize(r, 0, 10), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_resize(r, 10, 99999), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_resize(r, 160, 90), RD_OK);
    rd_input in;
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_true(in.resized);
    assert_int_equal(in.width, 160);
    assert_int_equal(in.height, 90);
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = m, .count = 1,
                                                        .x = &x, .y = &y }), RD_OK);
    rd_frame_stats st;
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.width, 160);
    assert_int_equal(st.height, 90);
    /* The new view is 160 x 90 units: the old 64 x 48 buffer is too small. */
    uint8_t small[64 * 48 * 4];
    assert_int_equal(rd_read_pixels(r, small, sizeof small), RD_ERR_INVALID_ARG);
    uint8_t *px = read_frame(r, 160, 90);
    assert_int_equal(pixel(px, 160, 80, 45)[0], 255);   /* centre of the new size */
    assert_int_not_equal(pixel(px, 160, 32, 24)[0], 255); /* old centre is empty */
    free(px);
    rd_rect v = rd_view_rect(r);
    assert_float_equal(v.max_x - v.min_x, 160, 1e-3);
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_false(in.resized);   /* reported once */
    assert_int_equal(rd_end_frame(r, NULL), RD_OK);
    rd_destroy(r);
}

/* ---- paths and upload modes agree ------------------------------------- */

static uint8_t *scene_pixels(rd_desc d) {
    static scene sc;
    scene_fill(&sc);
    d.width = SCENE_W;
    d.height = SCENE_H;
    rd_renderer *r = open_desc(d);
    rd_frame_stats st = scene_frame(r, &sc, NULL);
    assert_true(st.instances_culled > 0);
    assert_int_equal(st.instances_drawn + st.instances_culled, st.instances_submitted);
    if (d.sprites == RD_SPRITES_QUADS) assert_int_equal(st.point_batches, 0);
    if (d.sprites == RD_SPRITES_POINTS) assert_int_equal(st.point_batches, 4);
    uint8_t *px = read_frame(r, SCENE_W, SCENE_H);
    rd_destroy(r);
    return px;
}

static void render_points_match_quads(void **state) {
    (void)state;
    uint8_t *q = scene_pixels((rd_desc){ .sprites = RD_SPRITES_QUADS });
    uint8_t *p = scene_pixels((rd_desc){ .sprites = RD_SPRITES_POINTS });
    golden_diff d = golden_compare(q, p, (size_t)SCENE_W * SCENE_H, GOLDEN_CHANNEL_TOL);
    print_message("points vs quads: %u of %d pixels differ, max channel %d\n",
                  d.differing, SCENE_W * SCENE_H, d.max_channel);
    assert_true(d.differing < SCENE_W * SCENE_H / 100);   /* edge pixels only */
    free(q);
    free(p);
}

static void render_upload_modes_give_same_pixels(void **state) {
    (void)state;
    /* initial_instances 16 forces the instance buffer to grow. */
    uint8_t *o = scene_pixels((rd_desc){ .upload = RD_UPLOAD_ORPHAN, .initial_instances = 16 });
    uint8_t *p = scene_pixels((rd_desc){ .upload = RD_UPLOAD_PERSISTENT, .initial_instances = 16 });
    uint8_t *a = scene_pixels((rd_desc){ 0 });
    assert_memory_equal(o, p, (size_t)SCENE_W * SCENE_H * 4);
    assert_memory_equal(o, a, (size_t)SCENE_W * SCENE_H * 4);
    free(o);
    free(p);
    free(a);
}

static void render_persistent_ring_survives_many_frames(void **state) {
    (void)state;
    rd_renderer *r = open_desc((rd_desc){ .width = 64, .height = 64,
                                          .upload = RD_UPLOAD_PERSISTENT,
                                          .initial_instances = 8 });
    rd_material m = material(r, (rd_material_desc){ .width = 2, .height = 2,
                                                    .blend = RD_BLEND_NONE });
    float xs[64], ys[64];
    /* Each frame draws a different count at a different place; the frame
     * must show exactly that frame's sprites, whatever the ring segment. */
    for (int f = 0; f < 10; f++) {
        uint32_t n = (uint32_t)(1 + f * 6);
        for (uint32_t i = 0; i < n; i++) {
            xs[i] = -30.0f + (float)(i % 16) * 4.0f;
            ys[i] = -30.0f + (float)(i / 16) * 4.0f + (float)f;
        }
        rd_frame_stats st = frame_one(r, &(rd_sprites){ .material = m, .count = n,
                                                        .x = xs, .y = ys });
        assert_int_equal(st.instances_drawn, n);
        uint8_t *px = read_frame(r, 64, 64);
        uint32_t lit = 0;
        for (int i = 0; i < 64 * 64; i++) lit += px[i * 4] == 255;
        assert_int_equal(lit, n * 4);   /* 2 x 2 pixels each, no overlap */
        free(px);
    }
    rd_destroy(r);
}

/* ---- GPU time ---------------------------------------------------------- */

static void render_gpu_time_arrives_without_stall(void **state) {
    (void)state;
    rd_renderer *r = open_size(256, 256);
    rd_material m = material(r, (rd_material_desc){ .shape = RD_SHAPE_CIRCLE,
                                                    .width = 40, .height = 40 });
    float x[50], y[50];
    for (int i = 0; i < 50; i++) {
        x[i] = (float)(i % 10) * 20 - 100;
        y[i] = (float)(i / 10) * 20 - 50;
    }
    rd_sprites s = { .material = m, .count = 50, .x = x, .y = y };
    rd_frame_stats st = frame_one(r, &s);
    assert_false(st.gpu_ms_valid);      /* frame 0 cannot know its own time */
    /* llvmpipe's first query of a context is garbage and gets discarded, so
     * results start with frame 1's. rd_finish makes the previous result
     * available; without it the result would just arrive a frame later. */
    for (uint64_t f = 1; f < 6; f++) {
        rd_finish(r);
        st = frame_one(r, &s);
        assert_int_equal(st.frame, f);
        if (f < 2) continue;
        assert_true(st.gpu_ms_valid);
        assert_int_equal(st.gpu_frame, f - 1);
        assert_true(st.gpu_ms > 0);
        assert_true(st.gpu_ms < 10000);
    }
    rd_destroy(r);
}

/* Without rd_finish, a frame as heavy as a rasteriser-bound game's: the CPU
 * runs ahead until the persistent ring's fence holds it, and the query of
 * the frame that fence belongs to is read before its object comes round
 * again, so every frame reports a time at most RD__FRAMES_IN_FLIGHT frames
 * old. (With one query object per frame in flight none ever arrived.) */
static void render_gpu_time_arrives_when_pipelined(void **state) {
    (void)state;
    rd_renderer *r = open_desc((rd_desc){ .width = 640, .height = 360,
                                          .upload = RD_UPLOAD_PERSISTENT });
    rd_material m = material(r, (rd_material_desc){ .shape = RD_SHAPE_CIRCLE,
                                                    .width = 12, .height = 12 });
    enum { N = 20000 };
    static float x[N], y[N];
    uint32_t seed = 0x6A5u;
    for (int i = 0; i < N; i++) {
        x[i] = rng_float(&seed, -320, 320);
        y[i] = rng_float(&seed, -180, 180);
    }
    rd_sprites s = { .material = m, .count = N, .x = x, .y = y };
    uint32_t results = 0;
    for (uint64_t f = 0; f < 12; f++) {
        rd_frame_stats st = frame_one(r, &s);
        if (f < 2 + RD__FRAMES_IN_FLIGHT) continue;   /* frame 0's is discarded */
        assert_true(st.gpu_ms_valid);
        assert_true(st.gpu_frame + RD__FRAMES_IN_FLIGHT >= st.frame);
        assert_true(st.gpu_frame < st.frame);
        results++;
    }
    assert_int_equal(results, 12 - 2 - RD__FRAMES_IN_FLIGHT);
    rd_destroy(r);
}

/* ---- overlay ----------------------------------------------------------- */

static void render_overlay_is_one_extra_draw(void **state) {
    (void)state;
    rd_renderer *r = open_size(SCENE_W, SCENE_H);
    rd_overlay ov;
    overlay_fill(&ov);
    rd_frame_stats st;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    assert_int_equal(rd_draw_overlay(r, &ov), RD_OK);
    assert_int_equal(rd_draw_overlay(r, &ov), RD_OK);   /* replaces, not adds */
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.draw_calls, 0);
    assert_int_equal(st.overlay_draw_calls, 1);
    assert_true(st.overlay_bytes > 0);
    assert_int_equal(st.overlay_bytes % 20, 0);   /* 20-byte vertices */
    assert_int_equal(st.bytes_uploaded, st.overlay_bytes);
    uint64_t once = st.overlay_bytes;
    /* The overlay is per frame: the next frame has none. */
    st = frame_one(r, NULL);
    assert_int_equal(st.overlay_draw_calls, 0);
    /* More systems, more vertices. */
    ov.system_count = RD_OVERLAY_MAX_SYSTEMS;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    assert_int_equal(rd_draw_overlay(r, &ov), RD_OK);
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_true(st.overlay_bytes > once);
    /* Errors. */
    ov.system_count = RD_OVERLAY_MAX_SYSTEMS + 1;
    assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
    assert_int_equal(rd_draw_overlay(r, &ov), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_draw_overlay(r, NULL), RD_ERR_INVALID_ARG);
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.overlay_draw_calls, 0);
    rd_destroy(r);
}

static void render_overlay_history_is_a_ring(void **state) {
    (void)state;
    rd_overlay ov = { 0 };
    for (int i = 0; i < RD_OVERLAY_HISTORY + 2; i++)
        rd_overlay_push_frame(&ov, (float)i);
    assert_int_equal(ov.history_count, RD_OVERLAY_HISTORY + 2);
    assert_float_equal(ov.history_ms[0], RD_OVERLAY_HISTORY, 0);
    assert_float_equal(ov.history_ms[1], RD_OVERLAY_HISTORY + 1, 0);
    assert_float_equal(ov.history_ms[2], 2, 0);
}

static void render_overlay_text_comes_from_the_font(void **state) {
    (void)state;
    /* The same overlay at two font sizes covers different pixel counts:
     * glyphs are rasterised from the TrueType outlines at the asked size. */
    uint32_t lit[2];
    for (int k = 0; k < 2; k++) {
        rd_renderer *r = open_desc((rd_desc){ .width = 400, .height = 300,
                                              .font_px = k ? 20 : 12,
                                              .clear_color = { 0, 0, 0, 1 } });
        rd_overlay ov = { .fps = 60, .budget_ms = 16.67f };
        assert_int_equal(rd_begin_frame(r, NULL), RD_OK);
        assert_int_equal(rd_draw_overlay(r, &ov), RD_OK);
        assert_int_equal(rd_end_frame(r, NULL), RD_OK);
        uint8_t *px = read_frame(r, 400, 300);
        lit[k] = 0;
        for (int i = 0; i < 400 * 300; i++) lit[k] += px[i * 4] > 200;   /* text */
        free(px);
        rd_destroy(r);
    }
    assert_true(lit[0] > 100);
    assert_true(lit[1] > lit[0] * 3 / 2);
}

/* ---- goldens ----------------------------------------------------------- */

static void render_golden_scene(void **state) {
    (void)state;
    static scene sc;
    scene_fill(&sc);
    rd_renderer *r = open_size(SCENE_W, SCENE_H);
    rd_frame_stats st = scene_frame(r, &sc, NULL);
    if (rd_get_info(r).software)   /* llvmpipe, all sprites small: points */
        assert_int_equal(st.point_batches, 4);
    check_golden(r, "render_scene");
    rd_destroy(r);
}

static void render_golden_overlay(void **state) {
    (void)state;
    static scene sc;
    scene_fill(&sc);
    rd_overlay ov;
    overlay_fill(&ov);
    rd_renderer *r = open_size(SCENE_W, SCENE_H);
    rd_frame_stats st = scene_frame(r, &sc, &ov);
    assert_int_equal(st.overlay_draw_calls, 1);
    check_golden(r, "render_overlay");
    rd_destroy(r);
}

static void render_save_png_round_trips(void **state) {
    (void)state;
    rd_renderer *r = open_size(48, 32);
    rd_material m = material(r, (rd_material_desc){ .shape = RD_SHAPE_CIRCLE,
                                                    .width = 20, .height = 20 });
    float x = 5, y = -3, g = 0.3f;
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y, .g = &g });
    char path[] = "/tmp/test_render_XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rd_save_png(r, path), RD_OK);
    int w, h, n;
    uint8_t *png = stbi_load(path, &w, &h, &n, 4);
    assert_non_null(png);
    assert_int_equal(w, 48);
    assert_int_equal(h, 32);
    uint8_t *px = read_frame(r, 48, 32);
    assert_memory_equal(png, px, 48 * 32 * 4);
    stbi_image_free(png);
    free(px);
    remove(path);
    assert_int_equal(rd_save_png(r, "/nonexistent/dir/x.png"), RD_ERR_IO);
    assert_int_equal(rd_save_png(r, NULL), RD_ERR_INVALID_ARG);
    rd_destroy(r);
}

/* ---- several renderers, input ----------------------------------------- */

static void render_two_renderers_keep_their_contexts(void **state) {
    (void)state;
    rd_renderer *a = open_desc((rd_desc){ .width = 16, .height = 16,
                                          .clear_color = { 1, 0, 0, 1 } });
    rd_renderer *b = open_desc((rd_desc){ .width = 24, .height = 24,
                                          .clear_color = { 0, 0, 1, 1 } });
    rd_material ma = material(a, (rd_material_desc){ .width = 4, .height = 4 });
    rd_material mb = material(b, (rd_material_desc){ .width = 4, .height = 4 });
    float x = 0, y = 0;
    for (int f = 0; f < 3; f++) {   /* interleaved frames */
        frame_one(a, &(rd_sprites){ .material = ma, .count = 1, .x = &x, .y = &y });
        frame_one(b, &(rd_sprites){ .material = mb, .count = 1, .x = &x, .y = &y });
    }
    uint8_t *pa = read_frame(a, 16, 16), *pb = read_frame(b, 24, 24);
    assert_int_equal(pixel(pa, 16, 0, 0)[0], 255);
    assert_int_equal(pixel(pa, 16, 0, 0)[2], 0);
    assert_int_equal(pixel(pb, 24, 0, 0)[2], 255);
    assert_int_equal(pixel(pb, 24, 0, 0)[0], 0);
    assert_int_equal(pixel(pb, 24, 12, 12)[1], 255);   /* white sprite */
    free(pa);
    free(pb);
    rd_destroy(a);
    /* b still works after a's context is gone. */
    assert_int_equal(frame_one(b, NULL).width, 24);
    rd_destroy(b);
}

static void render_input_edges_last_one_frame(void **state) {
    (void)state;
    rd_renderer *r = open_size(200, 100);
    rd_input in;
    rd__input_key(r, GLFW_KEY_A, GLFW_PRESS);
    rd__input_key(r, GLFW_KEY_F12, GLFW_PRESS);
    rd__input_key(r, GLFW_KEY_WORLD_1, GLFW_PRESS);   /* unmapped: ignored */
    rd__input_button(r, GLFW_MOUSE_BUTTON_RIGHT, GLFW_PRESS);
    rd__input_scroll(r, 0, 1);
    rd__input_scroll(r, 0.5, 2);
    rd__input_cursor(r, 150, 25);
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_int_equal(in.key_down[RD_KEY_A], 1);
    assert_int_equal(in.key_pressed[RD_KEY_A], 1);
    assert_int_equal(in.key_down[RD_KEY_F12], 1);
    assert_int_equal(in.key_down[RD_KEY_UNKNOWN], 0);
    assert_int_equal(in.mouse_down[RD_MOUSE_RIGHT], 1);
    assert_int_equal(in.mouse_pressed[RD_MOUSE_RIGHT], 1);
    assert_float_equal(in.scroll_y, 3, 0);
    assert_float_equal(in.scroll_x, 0.5, 0);
    assert_float_equal(in.mouse_x, 150, 0);
    assert_float_equal(in.mouse_world_x, 50, 1e-4);   /* 150 - 100 */
    assert_float_equal(in.mouse_world_y, 25, 1e-4);   /* 50 - 25, y up */
    assert_false(in.close_requested);
    assert_int_equal(rd_end_frame(r, NULL), RD_OK);

    rd__input_key(r, GLFW_KEY_A, GLFW_REPEAT);
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_int_equal(in.key_down[RD_KEY_A], 1);      /* still held */
    assert_int_equal(in.key_pressed[RD_KEY_A], 0);   /* edge gone */
    assert_float_equal(in.scroll_y, 0, 0);
    assert_int_equal(rd_end_frame(r, NULL), RD_OK);

    rd__input_key(r, GLFW_KEY_A, GLFW_RELEASE);
    rd_request_close(r);
    assert_int_equal(rd_set_camera(r, (rd_camera){ .center_x = 10, .zoom = 2 }), RD_OK);
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_int_equal(in.key_down[RD_KEY_A], 0);
    assert_int_equal(in.key_released[RD_KEY_A], 1);
    assert_true(in.close_requested);
    assert_float_equal(in.mouse_world_x, 10 + 50 / 2.0f, 1e-4);
    assert_int_equal(rd_end_frame(r, NULL), RD_OK);
    assert_int_equal(rd_set_vsync(r, false), RD_OK);   /* headless: no-op */
    rd_destroy(r);

    assert_int_equal(rd__key_from_glfw(GLFW_KEY_Z), RD_KEY_Z);
    assert_int_equal(rd__key_from_glfw(GLFW_KEY_9), RD_KEY_9);
    assert_int_equal(rd__key_from_glfw(GLFW_KEY_ESCAPE), RD_KEY_ESCAPE);
    assert_int_equal(rd__key_from_glfw(GLFW_KEY_RIGHT_ALT), RD_KEY_RIGHT_ALT);
    assert_int_equal(rd__key_from_glfw(GLFW_KEY_UNKNOWN), RD_KEY_UNKNOWN);
}

/* ---- window (needs an X display: xvfb-run -a build/test_render) -------- */

static bool have_display(void) {
    const char *d = getenv("DISPLAY");
    return d && *d;
}

static void render_window_draws_and_presents(void **state) {
    (void)state;
    if (!have_display()) skip();
    rd_renderer *r = open_desc((rd_desc){ .platform = RD_PLATFORM_WINDOW,
                                          .width = 320, .height = 240,
                                          .vsync = RD_VSYNC_OFF, .title = "test_render" });
    rd_info info = rd_get_info(r);
    assert_int_equal(info.platform, RD_PLATFORM_WINDOW);
    assert_true(info.gl_major * 10 + info.gl_minor >= 33);
    rd_material m = material(r, (rd_material_desc){ .width = 10, .height = 10,
                                                    .blend = RD_BLEND_NONE });
    float x = 0, y = 0;
    rd_frame_stats st = frame_one(r, &(rd_sprites){ .material = m, .count = 1,
                                                    .x = &x, .y = &y });
    assert_int_equal(st.width, 320);
    assert_int_equal(st.height, 240);
    assert_int_equal(st.draw_calls, 1);
    uint8_t *px = read_frame(r, 320, 240);
    assert_int_equal(pixel(px, 320, 160, 120)[0], 255);
    free(px);
    assert_int_equal(rd_set_vsync(r, true), RD_OK);
    assert_int_equal(rd_set_vsync(r, false), RD_OK);
    rd_destroy(r);
}

static void render_window_resize_changes_viewport(void **state) {
    (void)state;
    if (!have_display()) skip();
    rd_renderer *r = open_desc((rd_desc){ .platform = RD_PLATFORM_WINDOW,
                                          .width = 320, .height = 240,
                                          .vsync = RD_VSYNC_OFF });
    rd_material m = material(r, (rd_material_desc){ .width = 4, .height = 4,
                                                    .blend = RD_BLEND_NONE });
    /* A sprite at the world origin lands in the middle of whatever size. */
    float x = 0, y = 0;
    frame_one(r, &(rd_sprites){ .material = m, .count = 1, .x = &x, .y = &y });
    assert_int_equal(rd_resize(r, 400, 300), RD_OK);   /* through the X server */
    rd_input in;
    assert_int_equal(rd_begin_frame(r, &in), RD_OK);
    assert_true(in.resized);
    assert_int_equal(in.width, 400);
    assert_int_equal(in.height, 300);
    assert_int_equal(rd_draw_sprites(r, &(rd_sprites){ .material = m, .count = 1,
                                                        .x = &x, .y = &y }), RD_OK);
    rd_frame_stats st;
    assert_int_equal(rd_end_frame(r, &st), RD_OK);
    assert_int_equal(st.width, 400);
    assert_int_equal(st.height, 300);
    uint8_t *px = read_frame(r, 400, 300);
    assert_int_equal(pixel(px, 400, 200, 150)[0], 255);
    assert_int_not_equal(pixel(px, 400, 160, 120)[0], 255);
    free(px);
    rd_rect v = rd_view_rect(r);
    assert_float_equal(v.max_x - v.min_x, 400, 1e-3);
    rd_destroy(r);
}

static void render_window_and_headless_coexist(void **state) {
    (void)state;
    if (!have_display()) skip();
    rd_renderer *w = open_desc((rd_desc){ .platform = RD_PLATFORM_WINDOW,
                                          .width = 64, .height = 64,
                                          .vsync = RD_VSYNC_OFF });
    rd_renderer *h = open_size(32, 32);
    assert_int_equal(frame_one(w, NULL).width, 64);
    assert_int_equal(frame_one(h, NULL).width, 32);
    assert_int_equal(frame_one(w, NULL).width, 64);
    rd_destroy(w);
    rd_destroy(h);
}

/* Mesa loads its DRI driver (swrast_dri.so, llvmpipe) and libLLVM at
 * eglInitialize and unloads them at eglTerminate; allocations the driver
 * keeps in its globals then look leaked, from frames in an unmapped module
 * that LeakSanitizer cannot name ("<unknown module>"), so no suppression can
 * match them. Pinning both modules once they are loaded (RTLD_NOLOAD |
 * RTLD_NODELETE: no new load, just never unload) keeps those globals as
 * roots. Tests only. */
static int pin_module(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (strstr(info->dlpi_name, "_dri.so") || strstr(info->dlpi_name, "libLLVM"))
        dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
    return 0;
}

static void pin_mesa_driver(void) {
    rd_renderer *r = NULL;
    if (rd_create(&(rd_desc){ .platform = RD_PLATFORM_HEADLESS, .width = 8,
                              .height = 8, .log = { sink_fn, &quiet } }, &r) == RD_OK) {
        dl_iterate_phdr(pin_module, NULL);
        rd_destroy(r);
    }
}

/* build/test_render [PATTERN]: PATTERN (cmocka's, * and ? wildcards) picks tests. */
int main(int argc, char **argv) {
    if (argc > 1) cmocka_set_test_filter(argv[1]);
    pin_mesa_driver();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_create_headless_defaults),
        cmocka_unit_test(render_create_auto_is_headless_without_display),
        cmocka_unit_test(render_create_bad_desc_returns_error),
        cmocka_unit_test(render_result_str_names_every_result),
        cmocka_unit_test(render_frame_calls_out_of_order_fail),
        cmocka_unit_test(render_material_handles_catch_stale_use),
        cmocka_unit_test(render_material_bad_desc_and_table_full),
        cmocka_unit_test(render_stats_one_draw_call_per_material),
        cmocka_unit_test(render_cull_outside_view_not_uploaded),
        cmocka_unit_test(render_cull_follows_camera),
        cmocka_unit_test(render_camera_rejects_bad_values_and_fits),
        cmocka_unit_test(render_null_optional_columns_mean_defaults),
        cmocka_unit_test(render_zero_instances_draw_nothing),
        cmocka_unit_test(render_orientation_quads_y_up_ccw),
        cmocka_unit_test(render_orientation_points_y_up_ccw),
        cmocka_unit_test(render_colors_and_blend_modes),
        cmocka_unit_test(render_custom_pixels_material),
        cmocka_unit_test(render_resize_headless_recreates_framebuffer),
        cmocka_unit_test(render_points_match_quads),
        cmocka_unit_test(render_upload_modes_give_same_pixels),
        cmocka_unit_test(render_persistent_ring_survives_many_frames),
        cmocka_unit_test(render_gpu_time_arrives_without_stall),
        cmocka_unit_test(render_gpu_time_arrives_when_pipelined),
        cmocka_unit_test(render_overlay_is_one_extra_draw),
        cmocka_unit_test(render_overlay_history_is_a_ring),
        cmocka_unit_test(render_overlay_text_comes_from_the_font),
        cmocka_unit_test(render_golden_scene),
        cmocka_unit_test(render_golden_overlay),
        cmocka_unit_test(render_save_png_round_trips),
        cmocka_unit_test(render_two_renderers_keep_their_contexts),
        cmocka_unit_test(render_input_edges_last_one_frame),
        cmocka_unit_test(render_window_draws_and_presents),
        cmocka_unit_test(render_window_resize_changes_viewport),
        cmocka_unit_test(render_window_and_headless_coexist),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
