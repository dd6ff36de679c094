/* render.c — the renderer's lifecycle and frame: create/destroy, defaults and
 * validation of rd_desc, the camera, the offscreen framebuffer, GPU timer
 * queries, per-frame stats, and reading frames back as pixels or PNG.
 *
 * A frame is: rd_begin_frame (poll input) → rd_draw_sprites / rd_draw_overlay
 * (CPU only: cull, pack, lay out) → rd_end_frame (upload, one draw per
 * material, overlay, present). The GPU sees nothing before rd_end_frame, so
 * the caller's columns can change as soon as rd_draw_sprites returns.
 * Sprites are in sprite.c, the overlay in overlay.c, contexts in platform.c.
 */
#include "rd_internal.h"

#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stb/stb_image_write.h>

#define RD__DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define RD__MAX_DIM 16384

static const char *const rd__result_msgs[] = {
#define RD__MSG(name, msg) msg,
    RD_RESULT_LIST(RD__MSG)
#undef RD__MSG
};

const char *rd_result_str(rd_result e) {
    if ((unsigned)e >= RD_RESULT_COUNT) return "unknown rd_result";
    return rd__result_msgs[e];
}

/* ---- logging, time, shaders -------------------------------------------- */

static void rd__vlog(const rd_log_desc *log, const char *fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (log && log->fn) log->fn(log->user, buf);
    else fprintf(stderr, "render: %s\n", buf);
}

void rd__log_desc(const rd_log_desc *log, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rd__vlog(log, fmt, ap);
    va_end(ap);
}

void rd__log(const rd_renderer *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rd__vlog(&r->desc.log, fmt, ap);
    va_end(ap);
}

double rd__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static rd_result rd__gl_shader(const rd_renderer *r, const char *name,
                               GLenum type, const char *src, GLuint *out) {
    GLuint sh = glCreateShader(type);
    glShaderSource(sh, 1, &src, NULL);
    glCompileShader(sh);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char info[2048];
        glGetShaderInfoLog(sh, sizeof info, NULL, info);
        rd__log(r, "%s %s shader: %s", name,
                type == GL_VERTEX_SHADER ? "vertex" : "fragment", info);
        glDeleteShader(sh);
        return RD_ERR_SHADER;
    }
    *out = sh;
    return RD_OK;
}

rd_result rd__gl_program(const rd_renderer *r, const char *name,
                         const char *vs, const char *fs, GLuint *out) {
    GLuint v = 0, f = 0;
    rd_result e = rd__gl_shader(r, name, GL_VERTEX_SHADER, vs, &v);
    if (e != RD_OK) return e;
    e = rd__gl_shader(r, name, GL_FRAGMENT_SHADER, fs, &f);
    if (e != RD_OK) {
        glDeleteShader(v);
        return e;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, v);
    glAttachShader(p, f);
    glLinkProgram(p);
    glDeleteShader(v);   /* flagged; freed with the program */
    glDeleteShader(f);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char info[2048];
        glGetProgramInfoLog(p, sizeof info, NULL, info);
        rd__log(r, "%s program link: %s", name, info);
        glDeleteProgram(p);
        return RD_ERR_SHADER;
    }
    *out = p;
    return RD_OK;
}

/* ---- desc defaults and validation (the one place defaults live) ------- */

static rd_desc rd__desc_defaults(const rd_desc *in) {
    rd_desc d = *in;
    if (d.width == 0) d.width = 1280;
    if (d.height == 0) d.height = 720;
    if (!d.title) d.title = "ecsc";
    if (!d.initial_instances) d.initial_instances = 65536;
    if (!d.font_path) d.font_path = RD__DEFAULT_FONT;
    if (d.font_px == 0) d.font_px = 14;
    if (d.clear_color[0] == 0 && d.clear_color[1] == 0 &&
        d.clear_color[2] == 0 && d.clear_color[3] == 0) {
        d.clear_color[0] = d.clear_color[1] = 0.08f;
        d.clear_color[2] = 0.10f;
        d.clear_color[3] = 1.0f;
    }
    if (d.platform == RD_PLATFORM_AUTO) {
        const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
        d.platform = ((x && *x) || (w && *w)) ? RD_PLATFORM_WINDOW
                                               : RD_PLATFORM_HEADLESS;
    }
    if (d.vsync == RD_VSYNC_DEFAULT) d.vsync = RD_VSYNC_ON;
    return d;
}

static rd_result rd__desc_check(const rd_desc *d) {
    const rd_log_desc *log = &d->log;
    if (d->width < 1 || d->height < 1 || d->width > RD__MAX_DIM ||
        d->height > RD__MAX_DIM) {
        rd__log_desc(log, "desc: size %dx%d outside 1..%d", d->width,
                     d->height, RD__MAX_DIM);
        return RD_ERR_INVALID_DESC;
    }
    if ((unsigned)d->platform > RD_PLATFORM_WINDOW ||
        (unsigned)d->vsync > RD_VSYNC_OFF ||
        (unsigned)d->upload > RD_UPLOAD_PERSISTENT ||
        (unsigned)d->sprites > RD_SPRITES_POINTS) {
        rd__log_desc(log, "desc: an enum field is out of range");
        return RD_ERR_INVALID_DESC;
    }
    if (!(d->font_px >= 4 && d->font_px <= 128)) {
        rd__log_desc(log, "desc: font_px %g outside 4..128", (double)d->font_px);
        return RD_ERR_INVALID_DESC;
    }
    if (d->initial_instances > (1u << 26)) {
        rd__log_desc(log, "desc: initial_instances %u above 2^26",
                     d->initial_instances);
        return RD_ERR_INVALID_DESC;
    }
    for (int i = 0; i < 4; i++) {
        if (!isfinite(d->clear_color[i])) {
            rd__log_desc(log, "desc: clear_color is not finite");
            return RD_ERR_INVALID_DESC;
        }
    }
    return RD_OK;
}

/* ---- framebuffer ------------------------------------------------------- */

static rd_result rd__fbo_create(rd_renderer *r, int32_t w, int32_t h) {
    if (!r->fbo) glGenFramebuffers(1, &r->fbo);
    if (!r->color_rb) glGenRenderbuffers(1, &r->color_rb);
    glBindRenderbuffer(GL_RENDERBUFFER, r->color_rb);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, r->fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
                              GL_RENDERBUFFER, r->color_rb);
    GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        rd__log(r, "framebuffer %dx%d incomplete: 0x%x", w, h, status);
        return RD_ERR_GL;
    }
    r->width = w;
    r->height = h;
    r->fbo_valid = false;
    return RD_OK;
}

/* ---- camera ------------------------------------------------------------ */

/* World → clip for the sprite pass, whose viewport is the framebuffer grown
 * by guard_px on every side (see sprite.c for why). */
static void rd__update_view(rd_renderer *r) {
    const rd_camera *c = &r->camera;
    float sx = 2.0f * c->zoom / (float)(r->width + 2 * r->guard_px);
    float sy = 2.0f * c->zoom / (float)(r->height + 2 * r->guard_px);
    r->view_scale[0] = sx;
    r->view_scale[1] = sy;
    r->view_offset[0] = -c->center_x * sx;
    r->view_offset[1] = -c->center_y * sy;
}

rd_result rd_set_camera(rd_renderer *r, rd_camera cam) {
    if (!r) return RD_ERR_INVALID_ARG;
    if (cam.zoom == 0) cam.zoom = 1;
    if (!(cam.zoom > 0) || !isfinite(cam.zoom) || !isfinite(cam.center_x) ||
        !isfinite(cam.center_y)) {
        rd__log(r, "camera: zoom must be > 0 and all fields finite");
        return RD_ERR_INVALID_ARG;
    }
    r->camera = cam;
    rd__update_view(r);
    return RD_OK;
}

rd_camera rd_get_camera(const rd_renderer *r) { return r->camera; }

rd_camera rd_camera_fit(rd_rect view, int32_t w, int32_t h) {
    float vw = view.max_x - view.min_x, vh = view.max_y - view.min_y;
    rd_camera c = {
        .center_x = 0.5f * (view.min_x + view.max_x),
        .center_y = 0.5f * (view.min_y + view.max_y),
        .zoom = 1,
    };
    if (vw > 0 && vh > 0 && w > 0 && h > 0)
        c.zoom = fminf((float)w / vw, (float)h / vh);
    return c;
}

rd_rect rd_view_rect(const rd_renderer *r) {
    float hw = 0.5f * (float)r->width / r->camera.zoom;
    float hh = 0.5f * (float)r->height / r->camera.zoom;
    return (rd_rect){ r->camera.center_x - hw, r->camera.center_y - hh,
                      r->camera.center_x + hw, r->camera.center_y + hh };
}

/* ---- GPU timer --------------------------------------------------------- */

/* Queries rotate through RD__TIMER_QUERIES objects. A result is read only
 * once GL says it is available, so the CPU never waits; a query still pending
 * when its object comes round again is dropped (its result is stale). When
 * the rasteriser is the bottleneck the CPU runs RD__FRAMES_IN_FLIGHT frames
 * ahead of it, held back only by the persistent ring's fence, which is
 * inserted after glEndQuery (sprite.c, rd__sprites_fence): so the frame whose
 * fence this frame waited on has its result available, and polling back
 * RD__FRAMES_IN_FLIGHT frames (one query object more than frames in flight)
 * finds a result every frame. With three objects, two frames of lag and the
 * fence before the query, a rasteriser-bound game saw no result at all.
 * A result longer than the wall time since its glBeginQuery is impossible
 * and is discarded: llvmpipe returns such garbage (~uptime) for the query of
 * a context's first frame. */
static void rd__timer_poll(rd_renderer *r) {
    rd__timer *t = &r->timer;
    for (uint64_t age = RD__TIMER_QUERIES - 1; age >= 1; age--) {
        if (r->frame < age) continue;
        uint64_t f = r->frame - age;
        int slot = (int)(f % RD__TIMER_QUERIES);
        if (!t->pending[slot] || t->frame_of[slot] != f) continue;
        GLint ready = 0;
        glGetQueryObjectiv(t->queries[slot], GL_QUERY_RESULT_AVAILABLE, &ready);
        if (!ready) continue;
        GLuint64 ns = 0;
        glGetQueryObjectui64v(t->queries[slot], GL_QUERY_RESULT, &ns);
        t->pending[slot] = false;
        double ms = (double)ns * 1e-6;
        if (ms > rd__now_ms() - t->issued_ms[slot]) {
            t->discarded++;
            continue;
        }
        t->last_ms = ms;
        t->last_frame = f;
        t->have_result = true;
    }
}

/* ---- create / destroy ------------------------------------------------- */

static bool rd__is_software(const char *renderer) {
    return renderer && (strstr(renderer, "llvmpipe") ||
                        strstr(renderer, "softpipe") ||
                        strstr(renderer, "Software") ||
                        strstr(renderer, "SWR"));
}

static rd_result rd__create_gl(rd_renderer *r) {
    int ver = epoxy_gl_version();
    GLint profile = 0;
    glGetIntegerv(GL_CONTEXT_PROFILE_MASK, &profile);
    r->info.gl_major = ver / 10;
    r->info.gl_minor = ver % 10;
    if (ver < 33 || !(profile & GL_CONTEXT_CORE_PROFILE_BIT)) {
        rd__log(r, "need OpenGL 3.3 core, got %d.%d (profile mask 0x%x)",
                ver / 10, ver % 10, profile);
        return RD_ERR_GL_VERSION;
    }
    r->info.gl_renderer = (const char *)glGetString(GL_RENDERER);
    r->info.software = rd__is_software(r->info.gl_renderer);
#ifdef __GLIBC__
    /* llvmpipe mallocs and frees its scene and vertex storage every frame;
     * with glibc's default 128 KiB trim threshold the freed top of the heap
     * goes back to the kernel and is faulted in again next frame. */
    if (r->info.software && !r->desc.keep_malloc_defaults) {
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        r->info.malloc_tuned = true;
    }
#endif
    r->info.timer_query = true;   /* core since 3.3 */

    bool storage = ver >= 44 || epoxy_has_gl_extension("GL_ARB_buffer_storage");
    rd_upload up = r->desc.upload;
    if (up == RD_UPLOAD_AUTO) up = storage ? RD_UPLOAD_PERSISTENT : RD_UPLOAD_ORPHAN;
    if (up == RD_UPLOAD_PERSISTENT && !storage) {
        rd__log(r, "RD_UPLOAD_PERSISTENT needs GL 4.4 or ARB_buffer_storage");
        return RD_ERR_GL_VERSION;
    }
    r->info.upload = up;
    r->info.sprites = r->desc.sprites;

    GLfloat range[2] = { 1, 1 };
    glGetFloatv(GL_POINT_SIZE_RANGE, range);
    float pmax = range[1];
    if (r->desc.sprites == RD_SPRITES_AUTO) {
        pmax = r->info.software ? fminf(pmax, RD__POINT_PX_LIMIT) : 0;
    } else if (r->desc.sprites == RD_SPRITES_QUADS) {
        pmax = 0;
    }
    r->info.point_px_max = pmax;
    r->guard_px = pmax > 0 ? (int32_t)ceilf(pmax * 0.5f) + 1 : 0;

    rd_result e = rd__fbo_create(r, r->desc.width, r->desc.height);
    if (e != RD_OK) return e;
    glGenQueries(RD__TIMER_QUERIES, r->timer.queries);
    e = rd__sprites_init(r);
    if (e != RD_OK) return e;
    e = rd__overlay_init(r);
    if (e != RD_OK) return e;
    rd_set_camera(r, (rd_camera){ 0 });
    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        rd__log(r, "GL error 0x%x while creating the renderer", err);
        return RD_ERR_GL;
    }
    return RD_OK;
}

rd_result rd_create(const rd_desc *desc, rd_renderer **out) {
    if (!out) return RD_ERR_INVALID_ARG;
    *out = NULL;
    if (!desc) return RD_ERR_INVALID_ARG;
    rd_desc d = rd__desc_defaults(desc);
    rd_result e = rd__desc_check(&d);
    if (e != RD_OK) return e;

    rd_renderer *r = calloc(1, sizeof *r);
    if (!r) return RD_ERR_NO_MEMORY;
    r->desc = d;
    r->info.platform = d.platform;
    e = rd__platform_open(r);
    if (e == RD_OK) e = rd__create_gl(r);
    if (e != RD_OK) {
        rd_destroy(r);
        return e;
    }
    *out = r;
    return RD_OK;
}

void rd_destroy(rd_renderer *r) {
    if (!r) return;
    if (r->platform.kind != RD_PLATFORM_AUTO) {   /* it has a context */
        rd__platform_bind(r);
        rd__overlay_shutdown(r);
        rd__sprites_shutdown(r);
        for (int i = 0; i < RD_MAX_MATERIALS; i++)
            if (r->materials[i].texture) glDeleteTextures(1, &r->materials[i].texture);
        if (r->timer.queries[0]) glDeleteQueries(RD__TIMER_QUERIES, r->timer.queries);
        if (r->color_rb) glDeleteRenderbuffers(1, &r->color_rb);
        if (r->fbo) glDeleteFramebuffers(1, &r->fbo);
    }
    for (int i = 0; i < RD_MAX_MATERIALS; i++) free(r->materials[i].staged);
    rd__platform_close(r);
    free(r);
}

rd_info rd_get_info(const rd_renderer *r) { return r->info; }

/* ---- frames ------------------------------------------------------------ */

rd_result rd_begin_frame(rd_renderer *r, rd_input *input) {
    if (!r) return RD_ERR_INVALID_ARG;
    if (r->in_frame) {
        rd__log(r, "rd_begin_frame: frame %llu already begun",
                (unsigned long long)r->frame);
        return RD_ERR_STATE;
    }
    r->frame_start_ms = rd__now_ms();
    rd__platform_bind(r);
    rd__platform_poll(r);
    rd_result e = rd__follow_platform_size(r);
    if (e != RD_OK) return e;
    rd_input *in = &r->input;
    /* Mouse in world units under the current camera; pixel y grows down. */
    in->mouse_world_x = r->camera.center_x +
                        (in->mouse_x - 0.5f * (float)r->width) / r->camera.zoom;
    in->mouse_world_y = r->camera.center_y +
                        (0.5f * (float)r->height - in->mouse_y) / r->camera.zoom;
    in->width = r->width;
    in->height = r->height;
    if (input) *input = *in;
    memset(in->key_pressed, 0, sizeof in->key_pressed);
    memset(in->key_released, 0, sizeof in->key_released);
    memset(in->mouse_pressed, 0, sizeof in->mouse_pressed);
    in->scroll_x = in->scroll_y = 0;
    in->resized = false;
    r->in_frame = true;
    r->submitted = r->culled = 0;
    r->overlay.queued = false;
    r->overlay.vert_count = 0;
    return RD_OK;
}

rd_result rd_end_frame(rd_renderer *r, rd_frame_stats *stats) {
    if (!r) return RD_ERR_INVALID_ARG;
    if (!r->in_frame) {
        rd__log(r, "rd_end_frame without rd_begin_frame");
        return RD_ERR_STATE;
    }
    rd_frame_stats st = { .frame = r->frame, .width = r->width,
                          .height = r->height };
    rd__timer *t = &r->timer;
    int slot = (int)(r->frame % RD__TIMER_QUERIES);

    rd__platform_bind(r);
    glBindFramebuffer(GL_FRAMEBUFFER, r->fbo);
    t->issued_ms[slot] = rd__now_ms();
    glBeginQuery(GL_TIME_ELAPSED, t->queries[slot]);
    glClearColor(r->desc.clear_color[0], r->desc.clear_color[1],
                 r->desc.clear_color[2], r->desc.clear_color[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    rd_result e = rd__sprites_render(r, &st);
    rd__overlay_render(r, &st);
    glEndQuery(GL_TIME_ELAPSED);
    rd__sprites_fence(r);
    t->pending[slot] = true;
    t->frame_of[slot] = r->frame;
    rd__timer_poll(r);
    rd__platform_present(r);

    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        rd__log(r, "GL error 0x%x in frame %llu", err,
                (unsigned long long)r->frame);
        if (e == RD_OK) e = RD_ERR_GL;
    }
    st.instances_submitted = r->submitted;
    st.instances_culled = r->culled;
    st.bytes_uploaded = st.instance_bytes + st.overlay_bytes;
    st.gpu_ms_valid = t->have_result;
    st.gpu_ms = t->last_ms;
    st.gpu_frame = t->last_frame;
    st.cpu_ms = rd__now_ms() - r->frame_start_ms;
    r->in_frame = false;
    r->fbo_valid = true;
    r->frame++;
    if (stats) *stats = st;
    return e;
}

void rd_finish(rd_renderer *r) {
    if (!r) return;
    rd__platform_bind(r);
    glFinish();
}

rd_result rd_resize(rd_renderer *r, int32_t width, int32_t height) {
    if (!r) return RD_ERR_INVALID_ARG;
    if (width < 1 || height < 1 || width > RD__MAX_DIM || height > RD__MAX_DIM) {
        rd__log(r, "rd_resize: %dx%d outside 1..%d", width, height, RD__MAX_DIM);
        return RD_ERR_INVALID_ARG;
    }
    if (r->in_frame) {
        rd__log(r, "rd_resize inside a frame");
        return RD_ERR_STATE;
    }
    rd__platform_bind(r);
    rd_result e = rd__platform_resize(r, width, height);
    if (e != RD_OK) return e;
    return rd__follow_platform_size(r);
}

rd_result rd__follow_platform_size(rd_renderer *r) {
    int32_t w = r->platform.fb_w, h = r->platform.fb_h;
    if (w < 1 || h < 1 || (w == r->width && h == r->height))
        return RD_OK;   /* unchanged, or minimised: keep the old target */
    rd_result e = rd__fbo_create(r, w, h);
    if (e != RD_OK) return e;
    rd__update_view(r);
    r->input.resized = true;
    return RD_OK;
}

rd_result rd_set_vsync(rd_renderer *r, bool on) {
    if (!r) return RD_ERR_INVALID_ARG;
    return rd__platform_vsync(r, on);
}

void rd_request_close(rd_renderer *r) {
    if (r) r->input.close_requested = true;
}

/* ---- screenshots ------------------------------------------------------- */

rd_result rd_read_pixels(rd_renderer *r, uint8_t *rgba, size_t size) {
    if (!r || !rgba) return RD_ERR_INVALID_ARG;
    size_t stride = (size_t)r->width * 4;
    if (size < stride * (size_t)r->height) {
        rd__log(r, "rd_read_pixels: %zu bytes given, %zu needed", size,
                stride * (size_t)r->height);
        return RD_ERR_INVALID_ARG;
    }
    if (!r->fbo_valid) {
        rd__log(r, "rd_read_pixels: no finished frame yet");
        return RD_ERR_STATE;
    }
    rd__platform_bind(r);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, r->fbo);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, r->width, r->height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    /* GL's row 0 is the bottom row; flip to top row first. */
    uint8_t tmp[4096];
    for (int32_t y = 0; y < r->height / 2; y++) {
        uint8_t *a = rgba + (size_t)y * stride;
        uint8_t *b = rgba + (size_t)(r->height - 1 - y) * stride;
        for (size_t off = 0; off < stride; off += sizeof tmp) {
            size_t n = stride - off < sizeof tmp ? stride - off : sizeof tmp;
            memcpy(tmp, a + off, n);
            memcpy(a + off, b + off, n);
            memcpy(b + off, tmp, n);
        }
    }
    GLenum err = glGetError();
    if (err != GL_NO_ERROR) {
        rd__log(r, "rd_read_pixels: GL error 0x%x", err);
        return RD_ERR_GL;
    }
    return RD_OK;
}

rd_result rd_save_png(rd_renderer *r, const char *path) {
    if (!r || !path) return RD_ERR_INVALID_ARG;
    size_t size = (size_t)r->width * (size_t)r->height * 4;
    uint8_t *px = malloc(size);
    if (!px) return RD_ERR_NO_MEMORY;
    rd_result e = rd_read_pixels(r, px, size);
    if (e == RD_OK &&
        !stbi_write_png(path, r->width, r->height, 4, px, r->width * 4)) {
        rd__log(r, "rd_save_png: cannot write %s", path);
        e = RD_ERR_IO;
    }
    free(px);
    return e;
}
