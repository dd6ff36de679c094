/* render.h — ecsc's 2D renderer: OpenGL 3.3 core sprites drawn straight from
 * struct-of-arrays float columns.
 *
 * This is the only public header of render/. The implementation is split by
 * concern: render.c (lifecycle, camera, frame, stats, screenshots), sprite.c
 * (culling, packing SoA columns into instances, upload, one draw per material),
 * overlay.c (glyph atlas from a TrueType font, debug overlay), platform.c
 * (EGL surfaceless and GLFW window, input). Internals shared between those
 * files live in rd_internal.h and carry the rd__ prefix. Read docs/render.md
 * for the design and measured figures.
 *
 * WHAT IT DOES
 *   - Opens a GL 3.3+ core context (libepoxy as loader) either in a GLFW window
 *     or headless through EGL surfaceless (Mesa llvmpipe here), and renders into
 *     an offscreen framebuffer object that a window blits to the screen.
 *   - Draws entities as sprites: you pass position columns x[] and y[] plus
 *     optional rotation[], scale[], r[], g[], b[], a[] columns and a count.
 *     Instances outside the camera's view rectangle are culled before upload.
 *     All sprites of one material in a frame go out in one draw call, as
 *     instanced quads or (for small sprites on a software rasteriser) as point
 *     sprites; both read the same 16-byte instance records.
 *   - Streams instances every frame through buffer orphaning, or through a
 *     persistently mapped ring (glBufferStorage) when GL >= 4.4.
 *   - Measures each frame: draw calls, instances drawn/culled, bytes uploaded,
 *     CPU time, and GPU time from GL_TIME_ELAPSED queries read one to three
 *     frames later so the CPU never waits for them.
 *   - Draws a debug overlay on top (text from DejaVu Sans Mono through
 *     stb_truetype, a frame-time graph with the budget line, per-system bars
 *     coloured by status) from a plain struct you fill.
 *   - Reads the frame back (rd_read_pixels) and writes PNGs (rd_save_png).
 *   - Reports keyboard and mouse state as a plain struct (rd_input).
 *   - On a software rasteriser (llvmpipe) it raises glibc's malloc trim and
 *     mmap thresholds, process-wide (mallopt): llvmpipe allocates and frees
 *     megabytes per frame, and with the default thresholds the heap is given
 *     back to the kernel and faulted in again every frame (about a fifth of
 *     the frame at 20k sprites, docs/render.md). rd_desc.keep_malloc_defaults
 *     turns this off.
 *
 * WHAT IT DOES NOT DO
 *   - It knows nothing about entities, worlds or schedules: it is called with
 *     column pointers by the game's render systems.
 *   - No threads: every rd_ function must be called from the thread that
 *     created the renderer. It keeps no pointer to your columns after a call.
 *   - No depth sorting: materials are drawn in the order of their first
 *     rd_draw_sprites call in a frame; within a material, in call order.
 *   - No text API beyond the overlay, no meshes, no 3D, no sound.
 *
 * STEP BY STEP
 *   1. Create: rd_renderer *r; rd_result e = rd_create(&(rd_desc){ .width = 1280,
 *      .height = 720 }, &r);  A zeroed desc gives 1280x720, headless when no
 *      DISPLAY is set and a window otherwise, vsync on for windows.
 *   2. Make materials once: rd_material m; rd_make_material(r, &(rd_material_desc){
 *      .shape = RD_SHAPE_CIRCLE, .width = 8, .height = 8 }, &m);  or pass your own
 *      RGBA8 .pixels.
 *   3. Each frame:
 *        rd_input in; rd_begin_frame(r, &in);      // polls events
 *        rd_set_camera(r, (rd_camera){ .center_x = 0, .center_y = 0, .zoom = 1 });
 *        rd_draw_sprites(r, &(rd_sprites){ .material = m, .count = n,
 *            .x = pos_x, .y = pos_y, .rotation = NULL, .r = col_r, ... });
 *        rd_draw_overlay(r, &overlay);               // optional, drawn on top
 *        rd_frame_stats st; rd_end_frame(r, &st);   // draws, presents
 *      Loop while !in.close_requested.
 *   4. Optionally rd_save_png(r, "shot.png") after rd_end_frame.
 *   5. rd_destroy(r).
 *
 * Coordinates: world units, y up. The camera maps its centre to the middle of
 * the framebuffer at `zoom` pixels per world unit. Mouse positions in
 * rd_input are in pixels from the top-left corner, plus their world position
 * under the camera of the previous frame.
 */
#ifndef RENDER_RENDER_H
#define RENDER_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- results ---------------------------------------------------------- */

/* One table of results and their messages (read by rd_result_str). */
#define RD_RESULT_LIST(X)                                                       \
    X(RD_OK,               "ok")                                                \
    X(RD_ERR_INVALID_ARG,  "invalid argument (NULL pointer or out of range)")  \
    X(RD_ERR_INVALID_DESC, "invalid desc field (size, enum or path)")          \
    X(RD_ERR_PLATFORM,     "no GL context: EGL or GLFW failed")                 \
    X(RD_ERR_GL_VERSION,   "context is below OpenGL 3.3 core")                 \
    X(RD_ERR_GL,           "OpenGL reported an error")                          \
    X(RD_ERR_SHADER,       "shader failed to compile or link")                  \
    X(RD_ERR_FONT,         "font file missing or not a usable TrueType font")   \
    X(RD_ERR_IO,           "file could not be written or read")                 \
    X(RD_ERR_NO_MEMORY,    "out of memory")                                     \
    X(RD_ERR_STALE_HANDLE, "material handle is invalid or destroyed")          \
    X(RD_ERR_TOO_MANY,     "material table is full")                            \
    X(RD_ERR_STATE,        "call out of order (e.g. draw outside a frame)")

typedef enum rd_result {
#define RD__ENUM(name, msg) name,
    RD_RESULT_LIST(RD__ENUM)
#undef RD__ENUM
    RD_RESULT_COUNT
} rd_result;

const char *rd_result_str(rd_result e);

/* ---- creation --------------------------------------------------------- */

typedef struct rd_renderer rd_renderer;

typedef enum rd_platform {
    RD_PLATFORM_AUTO = 0,   /* HEADLESS when DISPLAY and WAYLAND_DISPLAY are unset */
    RD_PLATFORM_HEADLESS,   /* EGL surfaceless, renders into a framebuffer object */
    RD_PLATFORM_WINDOW,     /* GLFW window, GL 3.3 core */
} rd_platform;

typedef enum rd_vsync {
    RD_VSYNC_DEFAULT = 0,   /* ON for a window */
    RD_VSYNC_ON,
    RD_VSYNC_OFF,
} rd_vsync;

typedef enum rd_upload {
    RD_UPLOAD_AUTO = 0,     /* PERSISTENT when GL >= 4.4 or ARB_buffer_storage */
    RD_UPLOAD_ORPHAN,       /* glBufferData(NULL) then glBufferSubData each frame */
    RD_UPLOAD_PERSISTENT,   /* triple-buffered ring mapped once, fenced per frame */
} rd_upload;

typedef enum rd_sprite_path {
    RD_SPRITES_AUTO = 0,    /* POINTS on a software rasteriser for sprites small
                               enough, else QUADS; decided per batch each frame */
    RD_SPRITES_QUADS,       /* glDrawArraysInstanced, 4-vertex strip per instance */
    RD_SPRITES_POINTS,      /* glDrawArrays(GL_POINTS), one vertex per instance,
                               rotation applied in the fragment shader; batches too
                               large for a point fall back to QUADS */
} rd_sprite_path;

typedef struct rd_log_desc {
    void (*fn)(void *user, const char *message);  /* NULL = print to stderr */
    void *user;
} rd_log_desc;

typedef struct rd_desc {
    rd_platform platform;
    int32_t width, height;      /* framebuffer pixels; 0 = 1280 x 720 */
    const char *title;          /* window title; NULL = "ecsc" */
    rd_vsync vsync;
    rd_upload upload;
    rd_sprite_path sprites;
    uint32_t initial_instances; /* instance buffer capacity, grows; 0 = 65536 */
    const char *font_path;      /* TrueType font for the overlay;
                                   NULL = DejaVu Sans Mono (fonts-dejavu-core) */
    float font_px;              /* overlay text height in pixels; 0 = 14 */
    float clear_color[4];       /* RGBA 0..1; all zero = dark grey, opaque */
    bool keep_malloc_defaults;  /* leave glibc's malloc thresholds alone
                                   on a software rasteriser */
    rd_log_desc log;            /* where error details go */
} rd_desc;

/* Opens the context and everything the renderer needs. On error *out is NULL
 * and the reason is logged through desc->log. */
rd_result rd_create(const rd_desc *desc, rd_renderer **out);
void rd_destroy(rd_renderer *r);   /* NULL is fine */

/* What rd_create chose, for logs and benchmarks. */
typedef struct rd_info {
    rd_platform platform;       /* HEADLESS or WINDOW, never AUTO */
    rd_upload upload;           /* ORPHAN or PERSISTENT, never AUTO */
    rd_sprite_path sprites;     /* as requested, AUTO resolved per batch */
    int32_t gl_major, gl_minor;
    bool software;              /* renderer string names llvmpipe/softpipe/swrast */
    bool timer_query;           /* GL_TIME_ELAPSED available (GL >= 3.3 always) */
    float point_px_max;         /* largest point sprite drawn as a point, pixels */
    bool malloc_tuned;          /* this renderer raised the malloc thresholds */
    const char *gl_renderer;    /* GL_RENDERER string, owned by GL */
} rd_info;
rd_info rd_get_info(const rd_renderer *r);

/* ---- materials -------------------------------------------------------- */

/* A handle: slot index and generation. 0 is never a valid material. */
typedef struct rd_material { uint32_t id; } rd_material;

typedef enum rd_shape {
    RD_SHAPE_SQUARE = 0,        /* solid rectangle, no texture */
    RD_SHAPE_CIRCLE,            /* disc (ellipse if width != height), computed
                                   per pixel with a 1-pixel soft edge */
    RD_SHAPE_TRIANGLE,          /* arrow head along +x (a 32x32 texture),
                                   shows rotation */
} rd_shape;

typedef enum rd_blend {
    RD_BLEND_ALPHA = 0,         /* src*a + dst*(1-a) */
    RD_BLEND_ADD,               /* src*a + dst */
    RD_BLEND_NONE,              /* opaque */
} rd_blend;

typedef enum rd_filter { RD_FILTER_LINEAR = 0, RD_FILTER_NEAREST } rd_filter;

typedef struct rd_material_desc {
    const uint8_t *pixels;      /* RGBA8, top row first; NULL = use .shape */
    int32_t pixels_w, pixels_h; /* size of .pixels; up to 4096 */
    rd_shape shape;             /* used when .pixels is NULL */
    float width, height;        /* world units of a sprite at scale 1; 0 = 1 */
    rd_blend blend;
    rd_filter filter;
} rd_material_desc;

#define RD_MAX_MATERIALS 256

rd_result rd_make_material(rd_renderer *r, const rd_material_desc *desc,
                           rd_material *out);
rd_result rd_destroy_material(rd_renderer *r, rd_material m);

/* ---- camera ----------------------------------------------------------- */

typedef struct rd_camera {
    float center_x, center_y;   /* world position at the framebuffer centre */
    float zoom;                 /* pixels per world unit; 0 = 1 */
} rd_camera;

typedef struct rd_rect { float min_x, min_y, max_x, max_y; } rd_rect;  /* world */

/* Culling uses the camera current at rd_draw_sprites, drawing the camera
 * current at rd_end_frame: set it once per frame, before drawing. */
rd_result rd_set_camera(rd_renderer *r, rd_camera cam);
rd_camera rd_get_camera(const rd_renderer *r);
/* A camera showing at least `view` (world units) in a w x h framebuffer. */
rd_camera rd_camera_fit(rd_rect view, int32_t w, int32_t h);
/* World rectangle visible through the current camera (what culling keeps). */
rd_rect rd_view_rect(const rd_renderer *r);

/* ---- input ------------------------------------------------------------ */

#define RD_KEY_LIST(X)                                                    \
    X(SPACE) X(ESCAPE) X(ENTER) X(TAB) X(BACKSPACE)                      \
    X(LEFT) X(RIGHT) X(UP) X(DOWN)                                       \
    X(A) X(B) X(C) X(D) X(E) X(F) X(G) X(H) X(I) X(J) X(K) X(L) X(M)    \
    X(N) X(O) X(P) X(Q) X(R) X(S) X(T) X(U) X(V) X(W) X(X) X(Y) X(Z)    \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9)                    \
    X(F1) X(F2) X(F3) X(F4) X(F5) X(F6) X(F7) X(F8) X(F9) X(F10)        \
    X(F11) X(F12) X(LEFT_SHIFT) X(RIGHT_SHIFT) X(LEFT_CONTROL)           \
    X(RIGHT_CONTROL) X(LEFT_ALT) X(RIGHT_ALT)

typedef enum rd_key {
    RD_KEY_UNKNOWN = 0,
#define RD__KEY_ENUM(k) RD_KEY_##k,
    RD_KEY_LIST(RD__KEY_ENUM)
#undef RD__KEY_ENUM
    RD_KEY_COUNT
} rd_key;

typedef enum rd_mouse_button {
    RD_MOUSE_LEFT = 0, RD_MOUSE_RIGHT, RD_MOUSE_MIDDLE, RD_MOUSE_BUTTON_COUNT
} rd_mouse_button;

/* Plain data: copy it into a game resource. Edges (pressed/released, scroll,
 * resized) cover the time since the previous rd_begin_frame. */
typedef struct rd_input {
    uint8_t key_down[RD_KEY_COUNT];      /* 1 while held */
    uint8_t key_pressed[RD_KEY_COUNT];   /* 1 if it went down */
    uint8_t key_released[RD_KEY_COUNT];  /* 1 if it went up */
    uint8_t mouse_down[RD_MOUSE_BUTTON_COUNT];
    uint8_t mouse_pressed[RD_MOUSE_BUTTON_COUNT];
    float mouse_x, mouse_y;              /* pixels from the top-left corner */
    float mouse_world_x, mouse_world_y;  /* world units under the camera */
    float scroll_x, scroll_y;            /* wheel steps */
    int32_t width, height;               /* framebuffer pixels */
    bool resized;                        /* width/height changed */
    bool close_requested;                /* window close button or rd_request_close */
} rd_input;

/* ---- frames ----------------------------------------------------------- */

/* Starts a frame: polls window events and fills *input (NULL allowed). */
rd_result rd_begin_frame(rd_renderer *r, rd_input *input);

/* Sprites from SoA columns. Only x and y are required; a NULL optional
 * column means: rotation 0, scale 1, colour channel 1. The columns are read
 * during the call and not kept. */
typedef struct rd_sprites {
    rd_material material;
    uint32_t count;
    const float *x, *y;         /* world units */
    const float *rotation;      /* radians, counter-clockwise; NULL = 0 */
    const float *scale;         /* multiplies the material's size; NULL = 1 */
    const float *r, *g, *b, *a; /* 0..1, clamped; each NULL = 1 */
} rd_sprites;
rd_result rd_draw_sprites(rd_renderer *r, const rd_sprites *s);

/* Per-frame counters, filled by rd_end_frame. */
typedef struct rd_frame_stats {
    uint64_t frame;             /* index of this frame, from 0 */
    uint32_t draw_calls;        /* sprite batches: one per material used */
    uint32_t point_batches;     /* of those, drawn as point sprites */
    uint32_t overlay_draw_calls;
    uint32_t instances_submitted;
    uint32_t instances_drawn;   /* uploaded */
    uint32_t instances_culled;  /* outside the view rectangle, not uploaded */
    uint64_t instance_bytes;    /* instance data uploaded */
    uint64_t overlay_bytes;     /* overlay vertices uploaded */
    uint64_t bytes_uploaded;    /* instance_bytes + overlay_bytes */
    double cpu_ms;              /* rd_begin_frame to the end of rd_end_frame */
    double gpu_ms;              /* GPU time of frame gpu_frame */
    uint64_t gpu_frame;         /* frame gpu_ms belongs to (lags by 1..3) */
    bool gpu_ms_valid;          /* false until a query result has arrived */
    int32_t width, height;      /* framebuffer pixels */
} rd_frame_stats;

/* Draws everything submitted this frame, then the overlay, then presents
 * (window: blit + swap; headless: flush). stats may be NULL. */
rd_result rd_end_frame(rd_renderer *r, rd_frame_stats *stats);

/* Waits until the GPU has finished all submitted work (benchmarks, tests). */
void rd_finish(rd_renderer *r);

/* Headless: reallocates the framebuffer. Window: resizes the window and waits
 * (up to 2 s) for the new framebuffer size. Not inside a frame. */
rd_result rd_resize(rd_renderer *r, int32_t width, int32_t height);
rd_result rd_set_vsync(rd_renderer *r, bool on);   /* no-op when headless */
void rd_request_close(rd_renderer *r);

/* ---- debug overlay ---------------------------------------------------- */

#define RD_OVERLAY_HISTORY 128      /* frame times kept for the graph */
#define RD_OVERLAY_MAX_SYSTEMS 32
#define RD_OVERLAY_NAME_MAX 24

typedef enum rd_status {
    RD_STATUS_OK = 0, RD_STATUS_WARNING, RD_STATUS_CRITICAL
} rd_status;

typedef struct rd_overlay_system {
    char name[RD_OVERLAY_NAME_MAX];
    float ms;                   /* time this frame */
    float budget_ms;            /* its budget; 0 = none (bar shows ms only) */
    rd_status status;
} rd_overlay_system;

/* Plain data, no pointers: a game keeps it as a resource and fills it. */
typedef struct rd_overlay {
    float fps;
    float frame_ms;             /* this frame */
    float budget_ms;            /* frame budget, e.g. 16.67 */
    float history_ms[RD_OVERLAY_HISTORY]; /* ring of frame times */
    uint32_t history_count;     /* frames pushed in total; the newest is
                                   history_ms[(history_count-1) % HISTORY] */
    rd_overlay_system systems[RD_OVERLAY_MAX_SYSTEMS];
    uint32_t system_count;
    uint64_t memory_bytes;
    uint32_t entities;
    uint32_t draw_calls;
    float gpu_ms;
    float quality;              /* 0.5 .. 1.0 */
} rd_overlay;

void rd_overlay_push_frame(rd_overlay *o, float frame_ms);

/* Lays the overlay out now; it is drawn on top at rd_end_frame. */
rd_result rd_draw_overlay(rd_renderer *r, const rd_overlay *o);

/* ---- screenshots ------------------------------------------------------ */

/* The last frame finished by rd_end_frame, RGBA8, top row first.
 * size must be at least width*height*4. */
rd_result rd_read_pixels(rd_renderer *r, uint8_t *rgba, size_t size);
rd_result rd_save_png(rd_renderer *r, const char *path);

#endif /* RENDER_RENDER_H */
