/* test_gfx.c -- suite "gfx": the renderer in the reference game.
 *
 * Two kinds of cases. Some run build/swarm as a user runs it: screenshots of
 * the game's fixed scene compared with golden images (tests/golden_image.h:
 * tests/golden/swarm_scene.png, and swarm_overlay.png with the overlay
 * shown), the checksum with and without rendering, culling when zoomed in,
 * a machine without EGL, option errors, and under a display the window
 * against headless. The
 * overlay's numbers are timings, so its golden is taken with
 * --fixed-timings: the overlay then shows a fixed pattern of the frame index
 * instead of the clock, and everything else on it (entities, memory, draw
 * calls, the layout, the colours of each status) is the real thing. Masking
 * the text would leave the graph and the bars, which move with the timings,
 * untested.
 *
 * The others run the game's own plan in this process (generated/swarm.c,
 * the systems, a headless renderer) and feed input through the functions
 * GLFW's callbacks call (rd__input_*): F3 toggles the overlay, the wheel
 * zooms about the cursor, a drag pans, R resets, a resize refits the bounds,
 * and the render systems never change the world.
 *
 * Tests run from the repository root (build/swarm, tests/golden/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h> /* key and button codes for the simulated input */

#include "game/swarm_spawn.h"
#include "golden_image.h"
#include "rd_internal.h" /* rd__input_*: what GLFW's callbacks call */
#include "swarm.h"

/* The fixed scene of the goldens. */
#define SCENE_ARGS "--frames 150 --entities 4000 --seed 7 --threads 1 --size 960x540"
#define SCENE_W 960
#define SCENE_H 540

/* ---- running build/swarm --------------------------------------------------- */

static char out[1 << 16];

/* Runs build/swarm with args (stderr too) into out; returns its exit status. */
static int swarm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int swarm(const char *fmt, ...) {
    char args[1024], cmd[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "build/swarm %s 2>&1", args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void checksum_of(char *dst, size_t size) {
    const char *c = strstr(out, "checksum ");
    if (!c) fail_msg("no checksum in:\n%s", out);
    snprintf(dst, size, "%.25s", c);
}

static uint8_t *load_frame(const char *path) {
    int w = 0, h = 0;
    uint8_t *px = golden_load_png(path, &w, &h);
    if (!px) fail_msg("cannot read %s", path);
    assert_int_equal(w, SCENE_W);
    assert_int_equal(h, SCENE_H);
    return px;
}

static bool have_display(void) {
    const char *d = getenv("DISPLAY");
    return d && *d;
}

/* ---- screenshots and goldens ----------------------------------------------- */

/* Headless draws one frame in ten by default and always the last, so the
 * screenshot is the same as with every frame drawn. */
static void gfx_golden_scene_headless(void **state) {
    (void)state;
    const char *every[] = {"", "--render-every 1"};
    for (int i = 0; i < 2; i++) {
        remove("build/gfx_scene.png");
        assert_int_equal(swarm("--headless " SCENE_ARGS " %s --screenshot build/gfx_scene.png",
                               every[i]), 0);
        assert_non_null(strstr(out, i == 0 ? "15 of 150 frames drawn (one in 10)"
                                           : "150 of 150 frames drawn (one in 1)"));
        uint8_t *px = load_frame("build/gfx_scene.png");
        golden_check("swarm_scene", px, SCENE_W, SCENE_H);
        free(px);
    }
}

static void gfx_golden_overlay_fixed_timings(void **state) {
    (void)state;
    remove("build/gfx_overlay.png");
    assert_int_equal(swarm("--headless " SCENE_ARGS " --overlay --fixed-timings "
                           "--screenshot build/gfx_overlay.png"), 0);
    uint8_t *px = load_frame("build/gfx_overlay.png");
    golden_check("swarm_overlay", px, SCENE_W, SCENE_H);
    /* Outside the overlay's panel the frame is the scene's. */
    int w = 0, h = 0;
    uint8_t *scene = golden_load_png(GOLDEN_DIR "/swarm_scene.png", &w, &h);
    assert_non_null(scene);
    const int x0 = 400; /* the panel ends at x = 357 at the default font size */
    for (int y = 0; y < SCENE_H; y++)
        assert_memory_equal(px + ((size_t)y * SCENE_W + x0) * 4,
                            scene + ((size_t)y * SCENE_W + x0) * 4, (SCENE_W - x0) * 4);
    free(scene);
    free(px);
}

/* Under a display the game opens a window, and its frames are the headless
 * ones (both render into the same kind of framebuffer object). */
static void gfx_window_matches_headless(void **state) {
    (void)state;
    if (!have_display()) skip();
    remove("build/gfx_window.png");
    assert_int_equal(swarm(SCENE_ARGS " --vsync off --screenshot build/gfx_window.png"), 0);
    assert_non_null(strstr(out, ", window,"));
    assert_non_null(strstr(out, "render: window"));
    uint8_t *win = load_frame("build/gfx_window.png");
    int w = 0, h = 0;
    uint8_t *gold = golden_load_png(GOLDEN_DIR "/swarm_scene.png", &w, &h);
    assert_non_null(gold);
    golden_diff d = golden_compare(win, gold, (size_t)SCENE_W * SCENE_H, GOLDEN_CHANNEL_TOL);
    if (d.differing > GOLDEN_PIXEL_TOL * SCENE_W * SCENE_H)
        fail_msg("window frame: %u pixels differ from the headless golden", d.differing);
    free(gold);
    free(win);
}

/* ---- what rendering must not change ------------------------------------------ */

static void gfx_checksum_same_with_and_without_rendering(void **state) {
    (void)state;
    char none[64], headless[64], zoomed[64];
    assert_int_equal(swarm("--no-render --frames 240 --entities 3000 --seed 7"), 0);
    assert_non_null(strstr(out, "render: off"));
    checksum_of(none, sizeof none);
    assert_int_equal(swarm("--headless --frames 240 --entities 3000 --seed 7 --overlay"), 0);
    checksum_of(headless, sizeof headless);
    assert_int_equal(swarm("--headless --frames 240 --entities 3000 --seed 7 --zoom 6"), 0);
    checksum_of(zoomed, sizeof zoomed);
    assert_string_equal(none, headless);
    assert_string_equal(none, zoomed);
}

/* Zoomed in, most boids are outside the view: culled, not uploaded. Every
 * boid is either drawn or culled, each drawn frame (one in three here). */
static void gfx_zoom_culls_outside_the_view(void **state) {
    (void)state;
    assert_int_equal(swarm("--headless --frames 30 --entities 3000 --seed 2 --zoom 4 "
                           "--render-every 3"), 0);
    unsigned drawn_frames = 0, frames = 0, every = 0;
    double calls = 0, drawn = 0, culled = 0;
    const char *line = strstr(out, "render: 10 of 30 frames");
    if (!line) fail_msg("no render line in:\n%s", out);
    assert_int_equal(sscanf(line, "render: %u of %u frames drawn (one in %u), per drawn frame "
                                  "%lf draw calls, %lf sprites drawn, %lf culled",
                            &drawn_frames, &frames, &every, &calls, &drawn, &culled), 6);
    assert_int_equal(every, 3);
    assert_true(calls == 1); /* one material, one draw; no overlay */
    assert_true(drawn + culled == 3000);
    /* A quarter of the width and height is shown: about 1/16 drawn. */
    assert_true(drawn > 3000 / 32 && drawn < 3000 / 8);
    assert_non_null(strstr(out, "render: GPU "));
}

/* A server without a usable EGL still runs the game, simulation only, with
 * the same checksum; asked for a screenshot it fails instead. EGL is broken
 * for the child by pointing glvnd at no vendor library. */
static void gfx_without_egl_runs_simulation_only(void **state) {
    (void)state;
    char none[64], broken[64];
    assert_int_equal(swarm("--no-render --frames 60 --entities 1000"), 0);
    checksum_of(none, sizeof none);
    const char *no_egl = "--headless --frames 60 --entities 1000";
    setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/vendor.json", 1);
    int rc = swarm("%s", no_egl);
    unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
    if (rc == 0 && strstr(out, "render: headless (EGL)")) skip(); /* EGL did not break */
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "simulation only"));
    assert_non_null(strstr(out, "render: off"));
    checksum_of(broken, sizeof broken);
    assert_string_equal(none, broken);
    setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/vendor.json", 1);
    rc = swarm("%s --screenshot build/gfx_none.png", no_egl);
    unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "error: cannot render"));
}

static void gfx_bad_options_and_unwritable_screenshot(void **state) {
    (void)state;
    assert_int_equal(swarm("--no-render --screenshot build/x.png"), 2);
    assert_non_null(strstr(out, "need rendering"));
    assert_int_equal(swarm("--no-render --overlay"), 2);
    assert_int_equal(swarm("--vsync sometimes"), 2);
    assert_int_equal(swarm("--size 1280"), 2);
    assert_int_equal(swarm("--size 8x8"), 2);
    assert_int_equal(swarm("--zoom 0"), 2);
    assert_int_equal(swarm("--headless --frames 2 --entities 10 "
                           "--screenshot /nonexistent/dir/x.png"), 1);
    assert_non_null(strstr(out, "cannot write the screenshot"));
    assert_int_equal(swarm("--help"), 0);
    assert_non_null(strstr(out, "--headless"));
}

/* ---- the plan in this process, with simulated input ----------------------------- */

typedef struct game {
    rd_renderer *r;
    rt_world *w;
} game;

enum { GAME_W = 640, GAME_H = 360, GAME_BOIDS = 2000 };

/* The world and renderer as game/swarm_main.c sets them up. */
static game game_open(void) {
    game g = {0};
    rd_result e = rd_create(&(rd_desc){.platform = RD_PLATFORM_HEADLESS, .width = GAME_W,
                                       .height = GAME_H},
                            &g.r);
    if (e != RD_OK) fail_msg("rd_create: %s", rd_result_str(e));
    g.w = rt_world_create(&(rt_world_desc){.program = &swarm_program, .threads = 2});
    assert_non_null(g.w);
    *Bounds_resource(g.w) = (Bounds){0.0f, 0.0f, 1280.0f, 720.0f};
    Spawner *sp = Spawner_resource(g.w);
    *sp = (Spawner){.target = GAME_BOIDS, .seed = 11};
    Gfx *gfx = Gfx_resource(g.w);
    gfx->renderer = g.r;
    gfx->drawing = true; /* every frame */
    assert_int_equal(rd_make_material(g.r, &(rd_material_desc){.shape = RD_SHAPE_CIRCLE,
                                                               .width = 5, .height = 5},
                                      &gfx->boid),
                     RD_OK);
    for (int i = 0; i < GAME_BOIDS; i++) {
        Boid_init b;
        swarm_boid_init(&b, sp, Bounds_resource(g.w));
        assert_false(rt_entity_is_null(Boid_create(g.w, &b)));
    }
    return g;
}

static const rd_frame_stats *game_frame(game *g) {
    assert_int_equal(rt_world_frame(g->w, 1.0f / 60.0f), RT_OK);
    const Gfx *gfx = Gfx_resource(g->w);
    if (gfx->error != RD_OK) fail_msg("render error: %s", rd_result_str(gfx->error));
    return &gfx->last;
}

static void game_close(game *g) {
    rt_world_destroy(g->w);
    rd_destroy(g->r);
}

static void gfx_f3_toggles_the_overlay(void **state) {
    (void)state;
    game g = game_open();
    const Hud *hud = Hud_resource(g.w);
    assert_false(hud->visible);
    assert_int_equal(game_frame(&g)->overlay_draw_calls, 0);
    rd__input_key(g.r, GLFW_KEY_F3, GLFW_PRESS);
    assert_int_equal(game_frame(&g)->overlay_draw_calls, 1);
    assert_true(hud->visible);
    rd__input_key(g.r, GLFW_KEY_F3, GLFW_RELEASE);
    assert_int_equal(game_frame(&g)->overlay_draw_calls, 1); /* stays on */
    rd__input_key(g.r, GLFW_KEY_F3, GLFW_PRESS);
    assert_int_equal(game_frame(&g)->overlay_draw_calls, 0);
    assert_false(hud->visible);
    game_close(&g);
}

/* The fitted view shows the bounds; the wheel zooms keeping the world point
 * under the cursor in place, and the renderer culls what leaves the view. */
static void gfx_wheel_zooms_about_the_cursor(void **state) {
    (void)state;
    game g = game_open();
    const Camera *cam = Camera_resource(g.w);
    const rd_frame_stats *st = game_frame(&g);
    assert_float_equal(cam->view.zoom, 0.5f, 1e-6); /* 640/1280 = 360/720 */
    assert_float_equal(cam->view.center_x, 640, 1e-3);
    assert_float_equal(cam->view.center_y, 360, 1e-3);
    assert_int_equal(st->instances_culled, 0);
    assert_int_equal(st->instances_drawn, GAME_BOIDS);

    const float mx = 480, my = 90; /* pixels from the top-left corner */
    float wx = cam->view.center_x + (mx - GAME_W / 2) / cam->view.zoom;
    float wy = cam->view.center_y + (GAME_H / 2 - my) / cam->view.zoom;
    rd__input_cursor(g.r, mx, my);
    rd__input_scroll(g.r, 0, 10);
    st = game_frame(&g);
    assert_float_equal(cam->zoom, powf(1.15f, 10), 1e-3);
    assert_float_equal(cam->view.center_x + (mx - GAME_W / 2) / cam->view.zoom, wx, 1e-2);
    assert_float_equal(cam->view.center_y + (GAME_H / 2 - my) / cam->view.zoom, wy, 1e-2);
    assert_true(st->instances_culled > GAME_BOIDS / 2);
    assert_int_equal(st->instances_drawn + st->instances_culled, GAME_BOIDS);

    rd__input_key(g.r, GLFW_KEY_R, GLFW_PRESS); /* back to the fitted view */
    st = game_frame(&g);
    assert_float_equal(cam->view.zoom, 0.5f, 1e-6);
    assert_int_equal(st->instances_culled, 0);
    game_close(&g);
}

/* A left drag moves the world with the cursor. */
static void gfx_drag_pans_the_view(void **state) {
    (void)state;
    game g = game_open();
    const Camera *cam = Camera_resource(g.w);
    game_frame(&g);
    rd__input_cursor(g.r, 100, 100);
    rd__input_button(g.r, GLFW_MOUSE_BUTTON_LEFT, GLFW_PRESS);
    game_frame(&g); /* the press itself does not move the view */
    assert_float_equal(cam->view.center_x, 640, 1e-3);
    rd__input_cursor(g.r, 150, 80);
    game_frame(&g);
    assert_float_equal(cam->view.center_x, 640 - 50 / 0.5f, 1e-3);
    assert_float_equal(cam->view.center_y, 360 - 20 / 0.5f, 1e-3); /* y up */
    rd__input_button(g.r, GLFW_MOUSE_BUTTON_LEFT, GLFW_RELEASE);
    rd__input_cursor(g.r, 300, 300);
    game_frame(&g); /* released: moving the cursor pans no more */
    assert_float_equal(cam->view.center_x, 540, 1e-3);
    game_close(&g);
}

/* A resize reaches the game through Input, and the camera fits the bounds
 * to the new framebuffer in the same frame. */
static void gfx_resize_refits_the_bounds(void **state) {
    (void)state;
    game g = game_open();
    const Camera *cam = Camera_resource(g.w);
    const Input *in = Input_resource(g.w);
    game_frame(&g);
    assert_false(in->state.resized);
    assert_int_equal(rd_resize(g.r, 400, 600), RD_OK);
    const rd_frame_stats *st = game_frame(&g);
    assert_true(in->state.resized);
    assert_int_equal(in->state.width, 400);
    assert_int_equal(in->state.height, 600);
    assert_int_equal(st->width, 400);
    assert_float_equal(cam->view.zoom, 400.0f / 1280.0f, 1e-6); /* width limits */
    assert_int_equal(st->instances_culled, 0);
    game_frame(&g);
    assert_false(in->state.resized);
    game_close(&g);
}

/* The render systems only read the world: the same frames with and without
 * a renderer leave the same world. */
static void gfx_render_systems_leave_the_world_alone(void **state) {
    (void)state;
    game a = game_open(), b = game_open();
    Gfx_resource(b.w)->drawing = false; /* the systems return at once */
    rd__input_scroll(a.r, 0, 4);        /* zoomed in: culling, too */
    Hud_resource(a.w)->visible = true;
    for (int f = 0; f < 90; f++) {
        game_frame(&a);
        assert_int_equal(rt_world_frame(b.w, 1.0f / 60.0f), RT_OK);
    }
    assert_true(Gfx_resource(a.w)->last.instances_culled > 0);
    assert_true(rt_world_hash(a.w) == rt_world_hash(b.w));
    game_close(&a);
    game_close(&b);
}

int main(int argc, char **argv) {
    if (argc > 1) cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gfx_golden_scene_headless),
        cmocka_unit_test(gfx_golden_overlay_fixed_timings),
        cmocka_unit_test(gfx_window_matches_headless),
        cmocka_unit_test(gfx_checksum_same_with_and_without_rendering),
        cmocka_unit_test(gfx_zoom_culls_outside_the_view),
        cmocka_unit_test(gfx_without_egl_runs_simulation_only),
        cmocka_unit_test(gfx_bad_options_and_unwritable_screenshot),
        cmocka_unit_test(gfx_f3_toggles_the_overlay),
        cmocka_unit_test(gfx_wheel_zooms_about_the_cursor),
        cmocka_unit_test(gfx_drag_pans_the_view),
        cmocka_unit_test(gfx_resize_refits_the_bounds),
        cmocka_unit_test(gfx_render_systems_leave_the_world_alone),
    };
    return cmocka_run_group_tests_name("gfx", tests, NULL, NULL);
}
