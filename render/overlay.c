/* overlay.c — the debug overlay: a glyph atlas baked from a TrueType font
 * with stb_truetype, and rd_draw_overlay, which lays out text, the frame-time
 * graph and per-system bars as coloured, textured triangles in pixel
 * coordinates (origin top-left). Everything is one vertex stream and one draw
 * call, made at rd_end_frame on top of the sprites.
 *
 * The atlas holds printable ASCII (32..126) in a single-channel texture plus
 * two white rows at the bottom; solid rectangles sample the white texels, so
 * text and rectangles share one shader and one draw. Glyph quads are snapped
 * to whole pixels and sampled with GL_NEAREST, so text is byte-stable.
 */
#include "rd_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_truetype.h>

#define RD__GLYPH_FIRST 32
#define RD__GLYPH_COUNT 95
#define RD__RGBA(r, g, b, a)                                                 \
    ((uint32_t)(r) | (uint32_t)(g) << 8 | (uint32_t)(b) << 16 | (uint32_t)(a) << 24)

static const uint32_t rd__col_text = RD__RGBA(235, 235, 235, 255);
static const uint32_t rd__col_dim = RD__RGBA(150, 150, 160, 255);
static const uint32_t rd__col_panel = RD__RGBA(0, 0, 0, 180);
static const uint32_t rd__col_track = RD__RGBA(60, 60, 70, 255);
static const uint32_t rd__col_budget = RD__RGBA(255, 220, 60, 255);
static const uint32_t rd__col_status[3] = {
    RD__RGBA(80, 200, 110, 255),    /* OK */
    RD__RGBA(240, 170, 40, 255),    /* WARNING */
    RD__RGBA(230, 60, 50, 255),     /* CRITICAL */
};

static const char rd__overlay_vs[] =
    "#version 330 core\n"
    "layout(location = 0) in vec2 a_pos;   /* pixels, origin top-left */\n"
    "layout(location = 1) in vec2 a_uv;\n"
    "layout(location = 2) in vec4 a_color;\n"
    "uniform vec2 u_screen;                /* framebuffer pixels */\n"
    "out vec2 v_uv;\n"
    "out vec4 v_color;\n"
    "void main() {\n"
    "    gl_Position = vec4(a_pos.x / u_screen.x * 2.0 - 1.0,\n"
    "                       1.0 - a_pos.y / u_screen.y * 2.0, 0.0, 1.0);\n"
    "    v_uv = a_uv;\n"
    "    v_color = a_color;\n"
    "}\n";

static const char rd__overlay_fs[] =
    "#version 330 core\n"
    "in vec2 v_uv;\n"
    "in vec4 v_color;\n"
    "uniform sampler2D u_atlas;            /* coverage in .r */\n"
    "out vec4 o_color;\n"
    "void main() { o_color = vec4(v_color.rgb, v_color.a * texture(u_atlas, v_uv).r); }\n";

/* ---- atlas ------------------------------------------------------------- */

static rd_result rd__read_file(rd_renderer *r, const char *path,
                               unsigned char **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        rd__log(r, "font: cannot open %s", path);
        return RD_ERR_FONT;
    }
    rd_result e = RD_OK;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n <= 0 || n > (64L << 20) || fseek(f, 0, SEEK_SET) != 0) {
        rd__log(r, "font: %s is empty, too large or not seekable", path);
        e = RD_ERR_FONT;
    } else if (!(*data = malloc((size_t)n))) {
        e = RD_ERR_NO_MEMORY;
    } else if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
        rd__log(r, "font: short read on %s", path);
        free(*data);
        *data = NULL;
        e = RD_ERR_FONT;
    }
    *size = (size_t)n;
    fclose(f);
    return e;
}

/* Bakes the glyphs into the smallest square-ish atlas that holds them. */
static rd_result rd__bake(rd_renderer *r, const unsigned char *font,
                          uint8_t **pixels) {
    rd__overlay *o = &r->overlay;
    stbtt_fontinfo info;
    int offset = stbtt_GetFontOffsetForIndex(font, 0);
    if (offset < 0 || !stbtt_InitFont(&info, font, offset)) {
        rd__log(r, "font: %s is not a TrueType font", r->desc.font_path);
        return RD_ERR_FONT;
    }
    int asc = 0, desc = 0, gap = 0;
    stbtt_GetFontVMetrics(&info, &asc, &desc, &gap);
    o->ascent = ceilf((float)asc * stbtt_ScaleForPixelHeight(&info, o->px));
    stbtt_bakedchar *baked = calloc(RD__GLYPH_COUNT, sizeof *baked);
    if (!baked) return RD_ERR_NO_MEMORY;
    o->baked = baked;
    for (int32_t w = 128; w <= 2048; w *= 2) {
        int32_t h = w / 2, total = h + 2;   /* two white rows below */
        uint8_t *px = calloc((size_t)w * (size_t)total, 1);
        if (!px) return RD_ERR_NO_MEMORY;
        int rows = stbtt_BakeFontBitmap(font, offset, o->px, px, w, h,
                                        RD__GLYPH_FIRST, RD__GLYPH_COUNT, baked);
        if (rows > 0) {
            memset(px + (size_t)w * (size_t)h, 255, (size_t)w * 2);
            o->atlas_w = w;
            o->atlas_h = total;
            o->white_u = 1.5f / (float)w;
            o->white_v = ((float)h + 1.0f) / (float)total;
            o->advance = baked['M' - RD__GLYPH_FIRST].xadvance;
            *pixels = px;
            return RD_OK;
        }
        free(px);
    }
    rd__log(r, "font: %g px glyphs do not fit a 2048 px atlas", (double)o->px);
    return RD_ERR_FONT;
}

rd_result rd__overlay_init(rd_renderer *r) {
    rd__overlay *o = &r->overlay;
    o->px = r->desc.font_px;
    unsigned char *font = NULL;
    size_t size = 0;
    rd_result e = rd__read_file(r, r->desc.font_path, &font, &size);
    if (e != RD_OK) return e;
    uint8_t *px = NULL;
    e = rd__bake(r, font, &px);
    free(font);
    if (e != RD_OK) return e;

    glGenTextures(1, &o->atlas);
    glBindTexture(GL_TEXTURE_2D, o->atlas);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, o->atlas_w, o->atlas_h, 0, GL_RED,
                 GL_UNSIGNED_BYTE, px);
    free(px);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);

    e = rd__gl_program(r, "overlay", rd__overlay_vs, rd__overlay_fs, &o->program);
    if (e != RD_OK) return e;
    o->u_screen = glGetUniformLocation(o->program, "u_screen");
    glGenVertexArrays(1, &o->vao);
    glGenBuffers(1, &o->buffer);
    glBindVertexArray(o->vao);
    glBindBuffer(GL_ARRAY_BUFFER, o->buffer);
    const GLsizei stride = sizeof(rd__overlay_vertex);
    glEnableVertexAttribArray(0);
    glEnableVertexAttribArray(1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride,
                          (void *)offsetof(rd__overlay_vertex, x));
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride,
                          (void *)offsetof(rd__overlay_vertex, u));
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                          (void *)offsetof(rd__overlay_vertex, rgba));
    glBindVertexArray(0);
    return RD_OK;
}

void rd__overlay_shutdown(rd_renderer *r) {
    rd__overlay *o = &r->overlay;
    if (o->atlas) glDeleteTextures(1, &o->atlas);
    if (o->buffer) glDeleteBuffers(1, &o->buffer);
    if (o->vao) glDeleteVertexArrays(1, &o->vao);
    if (o->program) glDeleteProgram(o->program);
    free(o->baked);
    free(o->verts);
    memset(o, 0, sizeof *o);
}

/* ---- layout primitives ------------------------------------------------- */

/* Appends a quad; on allocation failure sets *ok = false and drops it. */
static void rd__quad(rd__overlay *o, bool *ok, float x0, float y0, float x1,
                     float y1, float u0, float v0, float u1, float v1,
                     uint32_t rgba) {
    if (o->vert_count + 6 > o->vert_cap) {
        uint32_t cap = o->vert_cap ? o->vert_cap * 2 : 4096;
        rd__overlay_vertex *p = realloc(o->verts, (size_t)cap * sizeof *p);
        if (!p) {
            *ok = false;
            return;
        }
        o->verts = p;
        o->vert_cap = cap;
    }
    rd__overlay_vertex *v = o->verts + o->vert_count;
    v[0] = (rd__overlay_vertex){ x0, y0, u0, v0, rgba };
    v[1] = (rd__overlay_vertex){ x1, y0, u1, v0, rgba };
    v[2] = (rd__overlay_vertex){ x0, y1, u0, v1, rgba };
    v[3] = v[2];
    v[4] = v[1];
    v[5] = (rd__overlay_vertex){ x1, y1, u1, v1, rgba };
    o->vert_count += 6;
}

static void rd__rect(rd__overlay *o, bool *ok, float x0, float y0, float x1,
                     float y1, uint32_t rgba) {
    if (x1 <= x0 || y1 <= y0) return;
    rd__quad(o, ok, x0, y0, x1, y1, o->white_u, o->white_v, o->white_u,
             o->white_v, rgba);
}

/* Text with its top-left corner at (x, y); returns the x after it. */
static float rd__text(rd__overlay *o, bool *ok, float x, float y,
                      uint32_t rgba, const char *s) {
    float bx = floorf(x), by = floorf(y) + o->ascent;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c < RD__GLYPH_FIRST || c >= RD__GLYPH_FIRST + RD__GLYPH_COUNT) c = '?';
        stbtt_aligned_quad q;
        stbtt_GetBakedQuad(o->baked, o->atlas_w, o->atlas_h, c - RD__GLYPH_FIRST,
                           &bx, &by, &q, 1);
        if (c != ' ')
            rd__quad(o, ok, q.x0, q.y0, q.x1, q.y1, q.s0, q.t0, q.s1, q.t1, rgba);
    }
    return bx;
}

static void rd__textf(rd__overlay *o, bool *ok, float x, float y, uint32_t rgba,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void rd__textf(rd__overlay *o, bool *ok, float x, float y, uint32_t rgba,
                      const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rd__text(o, ok, x, y, rgba, buf);
}

static void rd__bytes_str(char *buf, size_t n, uint64_t bytes) {
    if (bytes >= (1ull << 30)) snprintf(buf, n, "%.2f GiB", (double)bytes / (1ull << 30));
    else if (bytes >= (1ull << 20)) snprintf(buf, n, "%.1f MiB", (double)bytes / (1ull << 20));
    else if (bytes >= 1024) snprintf(buf, n, "%.1f KiB", (double)bytes / 1024);
    else snprintf(buf, n, "%llu B", (unsigned long long)bytes);
}

/* ---- the overlay ------------------------------------------------------- */

void rd_overlay_push_frame(rd_overlay *o, float frame_ms) {
    o->history_ms[o->history_count % RD_OVERLAY_HISTORY] = frame_ms;
    o->history_count++;
}

static float rd__clampf(float v, float lo, float hi) {
    return v < lo ? lo : v > hi ? hi : v;   /* NaN becomes hi */
}

/* Frame-time graph in [x0,x1] x [y0,y1]: one bar per frame, oldest left,
 * green within budget and red over it, and the budget as a yellow line. */
static void rd__graph(rd__overlay *o, bool *ok, const rd_overlay *ov, float x0,
                      float y0, float x1, float y1) {
    rd__rect(o, ok, x0, y0, x1, y1, rd__col_track);
    uint32_t n = ov->history_count < RD_OVERLAY_HISTORY ? ov->history_count
                                                        : RD_OVERLAY_HISTORY;
    float top = ov->budget_ms > 0 ? ov->budget_ms * 1.5f : 0;
    for (uint32_t i = 0; i < n; i++) {
        float ms = ov->history_ms[(ov->history_count - n + i) % RD_OVERLAY_HISTORY];
        if (isfinite(ms) && ms > top) top = ms;
    }
    if (!(top > 0)) top = 1;
    float h = y1 - y0, w = x1 - x0;
    for (uint32_t i = 0; i < n; i++) {
        /* Slot i of RD_OVERLAY_HISTORY, right-aligned so the newest is last. */
        uint32_t slot = RD_OVERLAY_HISTORY - n + i;
        float bx0 = x0 + floorf(w * (float)slot / RD_OVERLAY_HISTORY);
        float bx1 = x0 + floorf(w * (float)(slot + 1) / RD_OVERLAY_HISTORY);
        float ms = ov->history_ms[(ov->history_count - n + i) % RD_OVERLAY_HISTORY];
        float bh = floorf(h * rd__clampf(ms / top, 0, 1));
        bool over = ov->budget_ms > 0 && ms > ov->budget_ms;
        rd__rect(o, ok, bx0, y1 - bh, bx1, y1,
                 rd__col_status[over ? RD_STATUS_CRITICAL : RD_STATUS_OK]);
    }
    if (ov->budget_ms > 0) {
        float by = y1 - floorf(h * ov->budget_ms / top);
        rd__rect(o, ok, x0, by, x1, by + 1, rd__col_budget);
        rd__textf(o, ok, x1 + 4, by - o->ascent * 0.5f, rd__col_budget, "%.1f",
                  (double)ov->budget_ms);
    }
}

rd_result rd_draw_overlay(rd_renderer *r, const rd_overlay *ov) {
    if (!r || !ov) return RD_ERR_INVALID_ARG;
    if (!r->in_frame) {
        rd__log(r, "rd_draw_overlay outside rd_begin_frame/rd_end_frame");
        return RD_ERR_STATE;
    }
    if (ov->system_count > RD_OVERLAY_MAX_SYSTEMS) {
        rd__log(r, "rd_draw_overlay: system_count %u above %d", ov->system_count,
                RD_OVERLAY_MAX_SYSTEMS);
        return RD_ERR_INVALID_ARG;
    }
    rd__overlay *o = &r->overlay;
    o->vert_count = 0;   /* a second call this frame replaces the first */
    bool ok = true;
    const float pad = 8, line = ceilf(o->px * 1.35f);
    const float x0 = 8, y0 = 8;
    const float width = floorf(o->advance * 46) + 2 * pad;
    const float graph_h = 4 * line;
    const float x = x0 + pad;
    const float inner = width - 2 * pad;
    float height = pad + 3 * line + graph_h + pad + line * (float)ov->system_count + pad;

    rd__rect(o, &ok, x0, y0, x0 + width, y0 + height, rd__col_panel);
    float y = y0 + pad;
    rd__textf(o, &ok, x, y, rd__col_text, "FPS %5.1f  frame %6.2f / %5.2f ms",
              (double)ov->fps, (double)ov->frame_ms, (double)ov->budget_ms);
    y += line;
    rd__textf(o, &ok, x, y, rd__col_text, "GPU %6.2f ms  draws %u  entities %u",
              (double)ov->gpu_ms, ov->draw_calls, ov->entities);
    y += line;
    char mem[32];
    rd__bytes_str(mem, sizeof mem, ov->memory_bytes);
    float q = rd__clampf(ov->quality, 0, 1);
    float after = rd__text(o, &ok, x, y, rd__col_text, "memory ");
    after = rd__text(o, &ok, after, y, rd__col_text, mem);
    after = rd__text(o, &ok, after + o->advance, y, rd__col_text, "quality ");
    char qs[16];
    snprintf(qs, sizeof qs, "%.2f ", (double)ov->quality);
    after = rd__text(o, &ok, after, y, rd__col_text, qs);
    /* Quality bar: the track spans 0.5 .. 1.0. */
    float qx1 = x + inner - o->advance * 6;
    if (qx1 > after) {
        float qy = y + floorf(line * 0.25f), qh = floorf(line * 0.5f);
        rd__rect(o, &ok, after, qy, qx1, qy + qh, rd__col_track);
        float fill = rd__clampf((q - 0.5f) * 2.0f, 0, 1);
        rd__rect(o, &ok, after, qy, after + floorf((qx1 - after) * fill), qy + qh,
                 rd__col_status[q >= 0.9f ? 0 : q >= 0.7f ? 1 : 2]);
    }
    y += line;
    rd__graph(o, &ok, ov, x, y, x + inner - o->advance * 5, y + graph_h);
    y += graph_h + pad;

    /* Systems: name, a bar over 0 .. 1.5 budget with a tick at the budget,
     * and "ms / budget". */
    const float name_w = o->advance * 13, num_w = o->advance * 13;
    const float bar_x0 = x + name_w, bar_x1 = x + inner - num_w;
    for (uint32_t i = 0; i < ov->system_count; i++, y += line) {
        const rd_overlay_system *s = &ov->systems[i];
        char name[RD_OVERLAY_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", RD_OVERLAY_NAME_MAX, s->name);
        if (strlen(name) > 12) name[12] = '\0';
        rd_status st = (unsigned)s->status <= RD_STATUS_CRITICAL ? s->status
                                                                 : RD_STATUS_CRITICAL;
        rd__text(o, &ok, x, y, rd__col_dim, name);
        float by0 = y + floorf(line * 0.2f), by1 = y + floorf(line * 0.8f);
        rd__rect(o, &ok, bar_x0, by0, bar_x1, by1, rd__col_track);
        float span = s->budget_ms > 0 ? s->budget_ms * 1.5f : 1.0f;
        float fill = rd__clampf(s->ms / span, 0, 1);
        rd__rect(o, &ok, bar_x0, by0, bar_x0 + floorf((bar_x1 - bar_x0) * fill), by1,
                 rd__col_status[st]);
        if (s->budget_ms > 0) {
            float tx = bar_x0 + floorf((bar_x1 - bar_x0) / 1.5f);
            rd__rect(o, &ok, tx, by0 - 1, tx + 1, by1 + 1, rd__col_budget);
            rd__textf(o, &ok, bar_x1 + o->advance, y, rd__col_text, "%5.2f/%5.2f",
                      (double)s->ms, (double)s->budget_ms);
        } else {
            rd__textf(o, &ok, bar_x1 + o->advance, y, rd__col_text, "%5.2f ms",
                      (double)s->ms);
        }
    }
    if (!ok) {
        o->vert_count = 0;
        rd__log(r, "rd_draw_overlay: out of memory for vertices");
        return RD_ERR_NO_MEMORY;
    }
    o->queued = true;
    return RD_OK;
}

void rd__overlay_render(rd_renderer *r, rd_frame_stats *st) {
    rd__overlay *o = &r->overlay;
    if (!o->queued || o->vert_count == 0) return;
    glViewport(0, 0, r->width, r->height);
    glUseProgram(o->program);
    glUniform2f(o->u_screen, (float)r->width, (float)r->height);
    glBindVertexArray(o->vao);
    glBindBuffer(GL_ARRAY_BUFFER, o->buffer);
    GLsizeiptr bytes = (GLsizeiptr)o->vert_count * (GLsizeiptr)sizeof(rd__overlay_vertex);
    glBufferData(GL_ARRAY_BUFFER, bytes, o->verts, GL_STREAM_DRAW);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, o->atlas);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE,
                        GL_ONE_MINUS_SRC_ALPHA);
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)o->vert_count);
    glBindVertexArray(0);
    st->overlay_draw_calls++;
    st->overlay_bytes += (uint64_t)bytes;
    o->queued = false;
}
