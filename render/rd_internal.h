/* rd_internal.h — state shared by the files of render/, not part of the API.
 *
 * One rd_renderer owns: a platform (EGL surfaceless context or GLFW window,
 * platform.c), an offscreen framebuffer every frame is drawn into (render.c),
 * the material table and instance stream (sprite.c), and the overlay's glyph
 * atlas and vertex stream (overlay.c). Everything here carries the rd__
 * prefix. Start reading at render.h, then render.c.
 *
 * Frame invariant: between rd_begin_frame and rd_end_frame, every material
 * with staged_count > 0 appears exactly once in frame_materials, in the order
 * of its first rd_draw_sprites call; outside a frame all staged_count are 0.
 */
#ifndef RENDER_RD_INTERNAL_H
#define RENDER_RD_INTERNAL_H

#include "render.h"

#include <epoxy/gl.h>

#define RD__FRAMES_IN_FLIGHT 3   /* persistent ring segments */
/* Timer queries: one more than the frames in flight, so the query of the
 * frame whose ring fence the current frame waited on is read before its
 * object comes round again (render.c, rd__timer_poll). */
#define RD__TIMER_QUERIES (RD__FRAMES_IN_FLIGHT + 1)
#define RD__POINT_PX_LIMIT 64.0f /* AUTO: batches up to this size become points */

/* One sprite as the GPU reads it: 16 bytes, attribute layout in sprite.c. */
typedef struct rd__instance {
    float x, y;                 /* world units */
    uint16_t rotation;          /* angle / 2pi wrapped to [0, 1), unorm16 */
    uint16_t scale;             /* IEEE half float */
    uint32_t rgba;              /* r in the lowest byte, unorm8 each */
} rd__instance;

typedef struct rd__material {
    uint32_t generation;        /* bumped on destroy; part of the handle */
    bool alive;
    uint8_t fill;               /* RD__FILL_* in sprite.c */
    GLuint texture;             /* 0 unless fill is texture */
    float width, height;        /* world units at scale 1 */
    rd_blend blend;
    /* this frame */
    rd__instance *staged;
    uint32_t staged_count, staged_cap;
    float max_scale;            /* largest |scale| staged */
} rd__material;

#define RD__FILLS 4

typedef struct rd__sprite_program {
    GLuint program;
    GLint u_view, u_size, u_px;
} rd__sprite_program;

typedef struct rd__sprites {
    rd__sprite_program programs[2][RD__FILLS];  /* [points][fill] */
    GLuint quad_vao, point_vao;
    GLuint buffer;              /* instance buffer */
    uint32_t capacity;          /* instances per frame the buffer holds */
    rd__instance *mapped;       /* persistent: whole ring, else NULL */
    GLsync fences[RD__FRAMES_IN_FLIGHT];
    uint32_t segment;           /* ring segment written this frame */
    bool segment_written;       /* persistent: its fence is still to insert */
} rd__sprites;

typedef struct rd__overlay_vertex {
    float x, y;                 /* pixels from the top-left corner */
    float u, v;                 /* atlas */
    uint32_t rgba;
} rd__overlay_vertex;

typedef struct rd__overlay {
    GLuint program, vao, buffer, atlas;
    GLint u_screen;
    int32_t atlas_w, atlas_h;
    float white_u, white_v;     /* a texel of the atlas that is fully white */
    float px;                   /* text height */
    float ascent;               /* pixels above the baseline */
    float advance;              /* monospace advance, pixels */
    void *baked;                /* stbtt_bakedchar[RD__GLYPH_COUNT] */
    rd__overlay_vertex *verts;
    uint32_t vert_count, vert_cap;
    bool queued;                /* rd_draw_overlay called this frame */
} rd__overlay;

typedef struct rd__timer {
    GLuint queries[RD__TIMER_QUERIES];
    uint64_t frame_of[RD__TIMER_QUERIES];   /* frame each query measured */
    double issued_ms[RD__TIMER_QUERIES];    /* CPU clock at glBeginQuery */
    bool pending[RD__TIMER_QUERIES];
    double last_ms;
    uint64_t last_frame;
    bool have_result;
    uint32_t discarded;         /* results longer than the wall time they
                                   could have taken (llvmpipe, first frame) */
} rd__timer;

typedef struct rd__platform {
    rd_platform kind;
    void *egl_display, *egl_context;   /* HEADLESS */
    void *window;                      /* WINDOW: GLFWwindow */
    bool glfw_ref;                     /* holds one glfwInit reference */
    int32_t fb_w, fb_h;                /* drawable size the platform wants;
                                          rd_begin_frame follows it */
    int32_t win_w, win_h;              /* WINDOW: window size in screen units */
} rd__platform;

struct rd_renderer {
    rd_desc desc;               /* with defaults applied */
    rd_info info;
    rd__platform platform;
    int32_t width, height;      /* framebuffer pixels */
    GLuint fbo, color_rb;       /* offscreen target, width x height */
    bool fbo_valid;             /* a frame has been finished into it */
    rd_camera camera;
    float view_scale[2], view_offset[2]; /* world -> clip for the sprite pass */
    int32_t guard_px;           /* sprite viewport margin so points near an
                                   edge are not culled by their centre */
    bool in_frame;
    uint64_t frame;
    double frame_start_ms;
    rd_input input;             /* accumulated by platform callbacks */
    rd__material materials[RD_MAX_MATERIALS];
    uint16_t frame_materials[RD_MAX_MATERIALS];
    uint32_t frame_material_count;
    uint32_t submitted, culled; /* instances this frame */
    rd__sprites sprites;
    rd__overlay overlay;
    rd__timer timer;
};

/* render.c */
void rd__log(const rd_renderer *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rd__log_desc(const rd_log_desc *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
rd_result rd__gl_program(const rd_renderer *r, const char *name,
                         const char *vs, const char *fs, GLuint *out);
double rd__now_ms(void);

/* platform.c */
rd_result rd__platform_open(rd_renderer *r);    /* sets platform.kind on success */
void rd__platform_close(rd_renderer *r);
void rd__platform_bind(rd_renderer *r);  /* makes r's context current */
void rd__platform_poll(rd_renderer *r);      /* events into r->input */
void rd__platform_present(rd_renderer *r);   /* FBO is bound for reading */
rd_result rd__platform_resize(rd_renderer *r, int32_t w, int32_t h);
rd_result rd__platform_vsync(rd_renderer *r, bool on);
/* Input events as GLFW delivers them; tests call these to simulate input. */
void rd__input_key(rd_renderer *r, int glfw_key, int glfw_action);
void rd__input_button(rd_renderer *r, int glfw_button, int glfw_action);
void rd__input_cursor(rd_renderer *r, double x, double y);
void rd__input_scroll(rd_renderer *r, double dx, double dy);
rd_key rd__key_from_glfw(int glfw_key);

/* render.c: reallocate the framebuffer to the platform's size if it changed. */
rd_result rd__follow_platform_size(rd_renderer *r);

/* sprite.c */
rd_result rd__sprites_init(rd_renderer *r);
void rd__sprites_shutdown(rd_renderer *r);
/* Uploads and draws every staged batch; adds to the counters in *st. */
rd_result rd__sprites_render(rd_renderer *r, rd_frame_stats *st);
void rd__sprites_fence(rd_renderer *r);     /* after the frame's timer query */

/* overlay.c */
rd_result rd__overlay_init(rd_renderer *r);
void rd__overlay_shutdown(rd_renderer *r);
/* Draws the overlay laid out this frame, if any; adds to *st. */
void rd__overlay_render(rd_renderer *r, rd_frame_stats *st);

#endif /* RENDER_RD_INTERNAL_H */
