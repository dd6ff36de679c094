/* sprite.c — materials, and sprites from SoA columns to one draw per material.
 *
 * rd_draw_sprites culls each instance against the camera's view rectangle
 * (bounding circle of the rotated, scaled sprite) and packs the survivors
 * into the material's staging array as 16-byte rd__instance records
 * (see rd_internal.h): position as two floats, rotation as unorm16 turns,
 * scale as a half float, colour as RGBA8. rd__sprites_render then copies all
 * staged batches into the instance buffer back to back and issues one draw
 * per material.
 *
 * Two ways to draw the same records:
 *   QUADS  — glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, n), attributes
 *            with divisor 1; the vertex shader rotates the corner.
 *   POINTS — glDrawArrays(GL_POINTS, 0, n), the records as plain vertices;
 *            gl_PointSize covers the rotated sprite's bounding square and the
 *            fragment shader rotates gl_PointCoord back into the sprite,
 *            discarding what falls outside. One primitive per sprite instead
 *            of two triangles: about half the frame on llvmpipe for small
 *            sprites (docs/render.md has the measurements).
 * GL culls a point whose centre is outside the viewport, so the sprite pass
 * uses a viewport grown by guard_px on every side (pixels outside the
 * framebuffer are not written); sprites straddling an edge stay visible.
 *
 * Upload: PERSISTENT maps a buffer of RD__FRAMES_IN_FLIGHT segments once and
 * writes segment frame % N after waiting on the fence of the frame that last
 * used it; ORPHAN re-specifies the buffer with glBufferData(NULL) and copies
 * with glBufferSubData, letting the driver hand out fresh storage.
 */
#include "rd_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(rd__instance) == 16, "instance record is 16 bytes");

#define RD__PI 3.14159265358979f

/* ---- shaders ----------------------------------------------------------- */

/* Each material fills its sprites one of four ways; the programs are
 * compiled once per (path, fill) with RD_FILL defined. The built-in shapes
 * are drawn analytically rather than sampled: on llvmpipe a bilinear texture
 * fetch is the largest part of a small sprite's cost. A ROUND disc (circle
 * with width == height) looks the same at any rotation, so its point is just
 * its diameter and its fragment shader skips the rotation. */
enum {
    RD__FILL_TEXTURE = 0,   /* custom pixels, or the triangle shape */
    RD__FILL_SOLID = 1,     /* square shape */
    RD__FILL_DISC = 2,      /* circle shape, width != height: an ellipse */
    RD__FILL_ROUND = 3,     /* circle shape, width == height */
};

#define RD__GLSL_ATTRIBS                                                     \
    "layout(location = 0) in vec2 a_pos;\n"                                  \
    "layout(location = 1) in float a_rot;   /* turns, unorm16 */\n"          \
    "layout(location = 2) in float a_scale;\n"                               \
    "layout(location = 3) in vec4 a_color;\n"                                \
    "uniform vec4 u_view;  /* world -> clip: xy scale, zw offset */\n"       \
    "uniform vec2 u_size;  /* world units at scale 1 */\n"                   \
    "uniform float u_px;   /* pixels per world unit */\n"                    \
    "const float TURN = 6.28318530718 * 65535.0 / 65536.0;\n"

/* Disc coverage for q in sprite units (radius 0.5), a 1-pixel ramp inside
 * the edge; aa is the sprite's smaller side in pixels. */
#define RD__GLSL_DISC                                                        \
    "float rd_disc(vec2 q, float aa) {\n"                                    \
    "    return clamp((0.5 - length(q)) * aa, 0.0, 1.0);\n"                  \
    "}\n"

static const char rd__quad_vs[] =
    RD__GLSL_ATTRIBS
    "out vec2 v_uv;\n"
    "flat out vec4 v_color;   /* one colour per sprite */\n"
    "flat out float v_aa;\n"
    "void main() {\n"
    "    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));\n"
    "    vec2 size = u_size * a_scale;\n"
    "    vec2 local = (corner - 0.5) * size;\n"
    "    float c = cos(a_rot * TURN), s = sin(a_rot * TURN);\n"
    "    vec2 world = a_pos + vec2(c * local.x - s * local.y, s * local.x + c * local.y);\n"
    "    gl_Position = vec4(world * u_view.xy + u_view.zw, 0.0, 1.0);\n"
    "    v_uv = vec2(corner.x, 1.0 - corner.y);\n"
    "    v_color = a_color;\n"
    "    v_aa = min(abs(size.x), abs(size.y)) * u_px;\n"
    "}\n";

static const char rd__quad_fs[] =
    RD__GLSL_DISC
    "in vec2 v_uv;\n"
    "flat in vec4 v_color;\n"
    "flat in float v_aa;\n"
    "uniform sampler2D u_tex;\n"
    "out vec4 o_color;\n"
    "void main() {\n"
    "#if RD_FILL == 0\n"
    "    o_color = v_color * texture(u_tex, v_uv);\n"
    "#elif RD_FILL == 1\n"
    "    o_color = v_color;\n"
    "#else   /* a disc, round or not */\n"
    "    float a = rd_disc(v_uv - 0.5, v_aa);\n"
    "    if (a <= 0.0) discard;\n"
    "    o_color = vec4(v_color.rgb, v_color.a * a);\n"
    "#endif\n"
    "}\n";

/* gl_PointSize covers the rotated sprite's bounding square, or just the
 * diameter of a round disc. */
static const char rd__point_vs[] =
    RD__GLSL_ATTRIBS
    "flat out vec4 v_color;   /* one colour per sprite */\n"
    "flat out vec2 v_cs;   /* cos, sin of the rotation */\n"
    "flat out vec2 v_k;    /* point size / sprite size, per axis */\n"
    "flat out float v_aa;\n"
    "void main() {\n"
    "    float c = cos(a_rot * TURN), s = sin(a_rot * TURN);\n"
    "    vec2 sz = max(u_size * abs(a_scale) * u_px, vec2(1e-6));\n"
    "#if RD_FILL == 3\n"
    "    float size = max(sz.x, sz.y);\n"
    "#else\n"
    "    float size = max(abs(sz.x * c) + abs(sz.y * s), abs(sz.x * s) + abs(sz.y * c));\n"
    "#endif\n"
    "    gl_PointSize = size;\n"
    "    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);\n"
    "    v_color = a_color;\n"
    "    v_cs = vec2(c, s);\n"
    "    v_k = vec2(size) / sz;\n"
    "    v_aa = min(sz.x, sz.y);\n"
    "}\n";

static const char rd__point_fs[] =
    RD__GLSL_DISC
    "flat in vec4 v_color;\n"
    "flat in vec2 v_cs;\n"
    "flat in vec2 v_k;\n"
    "flat in float v_aa;\n"
    "uniform sampler2D u_tex;\n"
    "out vec4 o_color;\n"
    "void main() {\n"
    "    vec2 p = vec2(gl_PointCoord.x - 0.5, 0.5 - gl_PointCoord.y); /* y up */\n"
    "    vec2 q = vec2(v_cs.x * p.x + v_cs.y * p.y, v_cs.x * p.y - v_cs.y * p.x) * v_k;\n"
    "#if RD_FILL >= 2\n"
    "#if RD_FILL == 3\n"
    "    float a = rd_disc(p, v_aa);   /* the point is the disc: no rotation */\n"
    "#else\n"
    "    float a = rd_disc(q, v_aa);\n"
    "#endif\n"
    "    if (a <= 0.0) discard;\n"
    "    o_color = vec4(v_color.rgb, v_color.a * a);\n"
    "#else\n"
    "    if (abs(q.x) > 0.5 || abs(q.y) > 0.5) discard;\n"
    "#if RD_FILL == 0\n"
    "    o_color = v_color * texture(u_tex, vec2(q.x + 0.5, 0.5 - q.y));\n"
    "#else\n"
    "    o_color = v_color;\n"
    "#endif\n"
    "#endif\n"
    "}\n";

static rd_result rd__program_make(rd_renderer *r, bool points, int fill,
                                    rd__sprite_program *out) {
    char vs[4096], fs[4096], name[64];
    snprintf(vs, sizeof vs, "#version 330 core\n#define RD_FILL %d\n%s", fill,
             points ? rd__point_vs : rd__quad_vs);
    snprintf(fs, sizeof fs, "#version 330 core\n#define RD_FILL %d\n%s", fill,
             points ? rd__point_fs : rd__quad_fs);
    snprintf(name, sizeof name, "sprite %s, fill %d", points ? "points" : "quads", fill);
    rd_result e = rd__gl_program(r, name, vs, fs, &out->program);
    if (e != RD_OK) return e;
    out->u_view = glGetUniformLocation(out->program, "u_view");
    out->u_size = glGetUniformLocation(out->program, "u_size");
    out->u_px = glGetUniformLocation(out->program, "u_px");
    return RD_OK;
}

/* ---- instance buffer --------------------------------------------------- */

static void rd__vao_init(GLuint *vao, GLuint divisor) {
    glGenVertexArrays(1, vao);
    glBindVertexArray(*vao);
    for (GLuint i = 0; i < 4; i++) {
        glEnableVertexAttribArray(i);
        glVertexAttribDivisor(i, divisor);
    }
}

/* Points the bound VAO's attributes at instance `first` of the buffer. */
static void rd__attribs_at(size_t first) {
    const char *base = (const char *)(first * sizeof(rd__instance));
    const GLsizei stride = sizeof(rd__instance);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, base);
    glVertexAttribPointer(1, 1, GL_UNSIGNED_SHORT, GL_TRUE, stride, base + 8);
    glVertexAttribPointer(2, 1, GL_HALF_FLOAT, GL_FALSE, stride, base + 10);
    glVertexAttribPointer(3, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, base + 12);
}

static void rd__buffer_release(rd__sprites *s) {
    for (int i = 0; i < RD__FRAMES_IN_FLIGHT; i++) {
        if (s->fences[i]) {
            glClientWaitSync(s->fences[i], GL_SYNC_FLUSH_COMMANDS_BIT, 1000000000);
            glDeleteSync(s->fences[i]);
            s->fences[i] = NULL;
        }
    }
    if (s->buffer) glDeleteBuffers(1, &s->buffer);   /* unmaps */
    s->buffer = 0;
    s->mapped = NULL;
    s->capacity = 0;
}

/* Makes room for `need` instances per frame (capacity doubles). */
static rd_result rd__buffer_reserve(rd_renderer *r, uint32_t need) {
    rd__sprites *s = &r->sprites;
    if (need <= s->capacity && s->buffer) return RD_OK;
    if (need > (1u << 28)) {   /* 4 GiB per ring segment: refuse, don't wrap */
        rd__log(r, "%u instances in one frame is more than the buffer allows", need);
        return RD_ERR_NO_MEMORY;
    }
    uint32_t cap = s->capacity ? s->capacity : r->desc.initial_instances;
    while (cap < need) cap *= 2;
    rd__buffer_release(s);
    glGenBuffers(1, &s->buffer);
    glBindBuffer(GL_ARRAY_BUFFER, s->buffer);
    if (r->info.upload == RD_UPLOAD_PERSISTENT) {
        GLsizeiptr bytes = (GLsizeiptr)cap * RD__FRAMES_IN_FLIGHT * sizeof(rd__instance);
        GLbitfield flags = GL_MAP_WRITE_BIT | GL_MAP_PERSISTENT_BIT | GL_MAP_COHERENT_BIT;
        glBufferStorage(GL_ARRAY_BUFFER, bytes, NULL, flags);
        s->mapped = glMapBufferRange(GL_ARRAY_BUFFER, 0, bytes, flags);
        if (!s->mapped) {
            rd__log(r, "instance ring of %lld bytes could not be mapped",
                    (long long)bytes);
            rd__buffer_release(s);
            return RD_ERR_NO_MEMORY;
        }
    } else {
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)cap * sizeof(rd__instance),
                     NULL, GL_STREAM_DRAW);
    }
    s->capacity = cap;
    return RD_OK;
}

rd_result rd__sprites_init(rd_renderer *r) {
    rd__sprites *s = &r->sprites;
    for (int points = 0; points < 2; points++) {
        for (int fill = 0; fill < RD__FILLS; fill++) {
            rd_result e = rd__program_make(r, points, fill, &s->programs[points][fill]);
            if (e != RD_OK) return e;
        }
    }
    rd__vao_init(&s->quad_vao, 1);
    rd__vao_init(&s->point_vao, 0);
    glBindVertexArray(0);
    glEnable(GL_PROGRAM_POINT_SIZE);
    return rd__buffer_reserve(r, r->desc.initial_instances);
}

void rd__sprites_shutdown(rd_renderer *r) {
    rd__sprites *s = &r->sprites;
    rd__buffer_release(s);
    if (s->quad_vao) glDeleteVertexArrays(1, &s->quad_vao);
    if (s->point_vao) glDeleteVertexArrays(1, &s->point_vao);
    for (int points = 0; points < 2; points++)
        for (int fill = 0; fill < RD__FILLS; fill++)
            if (s->programs[points][fill].program)
                glDeleteProgram(s->programs[points][fill].program);
    memset(s, 0, sizeof *s);
}

/* ---- materials --------------------------------------------------------- */

#define RD__SHAPE_PX 32

/* The triangle shape's texture: an arrow head pointing along +x, coverage
 * at 4x4 samples per pixel as the alpha of white texels. */
static void rd__triangle_pixels(uint8_t *px) {
    const float n = RD__SHAPE_PX, c = n * 0.5f;
    const float ax = n - 2, ay = c, bx = 3, by = 4, cx = 3, cy = n - 4;  /* y down */
    for (int y = 0; y < RD__SHAPE_PX; y++) {
        for (int x = 0; x < RD__SHAPE_PX; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++) {
                for (int sx = 0; sx < 4; sx++) {
                    float qx = (float)x + (sx + 0.5f) * 0.25f;
                    float qy = (float)y + (sy + 0.5f) * 0.25f;
                    float e0 = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
                    float e1 = (cx - bx) * (qy - by) - (cy - by) * (qx - bx);
                    float e2 = (ax - cx) * (qy - cy) - (ay - cy) * (qx - cx);
                    hits += (e0 <= 0 && e1 <= 0 && e2 <= 0) ||
                            (e0 >= 0 && e1 >= 0 && e2 >= 0);
                }
            }
            uint8_t *p = px + (y * RD__SHAPE_PX + x) * 4;
            p[0] = p[1] = p[2] = 255;
            p[3] = (uint8_t)((hits * 255 + 8) / 16);
        }
    }
}

static rd__material *rd__material_get(rd_renderer *r, rd_material m) {
    uint32_t slot = (m.id & 0xFFFFu) - 1;   /* 0 wraps to a huge slot */
    if (slot >= RD_MAX_MATERIALS) return NULL;
    rd__material *mat = &r->materials[slot];
    if (!mat->alive || (mat->generation & 0xFFFFu) != (m.id >> 16)) return NULL;
    return mat;
}

rd_result rd_make_material(rd_renderer *r, const rd_material_desc *d,
                           rd_material *out) {
    if (!r || !d || !out) return RD_ERR_INVALID_ARG;
    *out = (rd_material){ 0 };
    float w = d->width == 0 ? 1 : d->width, h = d->height == 0 ? 1 : d->height;
    if (!(w > 0) || !(h > 0) || !isfinite(w) || !isfinite(h) ||
        (unsigned)d->shape > RD_SHAPE_TRIANGLE ||
        (unsigned)d->blend > RD_BLEND_NONE ||
        (unsigned)d->filter > RD_FILTER_NEAREST) {
        rd__log(r, "material: size must be > 0 and finite, enums in range");
        return RD_ERR_INVALID_DESC;
    }
    if (d->pixels && (d->pixels_w < 1 || d->pixels_h < 1 ||
                      d->pixels_w > 4096 || d->pixels_h > 4096)) {
        rd__log(r, "material: pixels %dx%d outside 1..4096", d->pixels_w,
                d->pixels_h);
        return RD_ERR_INVALID_DESC;
    }
    int slot = -1;
    for (int i = 0; i < RD_MAX_MATERIALS && slot < 0; i++)
        if (!r->materials[i].alive) slot = i;
    if (slot < 0) {
        rd__log(r, "material: all %d slots in use", RD_MAX_MATERIALS);
        return RD_ERR_TOO_MANY;
    }

    rd__platform_bind(r);
    rd__material *m = &r->materials[slot];
    m->fill = d->pixels ? RD__FILL_TEXTURE
            : d->shape == RD_SHAPE_SQUARE ? RD__FILL_SOLID
            : d->shape == RD_SHAPE_CIRCLE ? (w == h ? RD__FILL_ROUND : RD__FILL_DISC)
            : RD__FILL_TEXTURE;
    if (m->fill == RD__FILL_TEXTURE) {
        uint8_t triangle[RD__SHAPE_PX * RD__SHAPE_PX * 4];
        const uint8_t *px = d->pixels;
        int32_t pw = d->pixels_w, ph = d->pixels_h;
        if (!px) {
            rd__triangle_pixels(triangle);
            px = triangle;
            pw = ph = RD__SHAPE_PX;
        }
        glGenTextures(1, &m->texture);
        glBindTexture(GL_TEXTURE_2D, m->texture);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        /* Row 0 of the image is its top; the shaders put v = 0 at the top. */
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, pw, ph, 0, GL_RGBA,
                     GL_UNSIGNED_BYTE, px);
        GLint filter = d->filter == RD_FILTER_NEAREST ? GL_NEAREST : GL_LINEAR;
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        GLenum err = glGetError();
        if (err != GL_NO_ERROR) {
            rd__log(r, "material texture: GL error 0x%x", err);
            glDeleteTextures(1, &m->texture);
            m->texture = 0;
            return RD_ERR_GL;
        }
    }
    m->alive = true;
    m->width = w;
    m->height = h;
    m->blend = d->blend;
    out->id = ((m->generation & 0xFFFFu) << 16) | (uint32_t)(slot + 1);
    return RD_OK;
}

rd_result rd_destroy_material(rd_renderer *r, rd_material handle) {
    if (!r) return RD_ERR_INVALID_ARG;
    rd__material *m = rd__material_get(r, handle);
    if (!m) return RD_ERR_STALE_HANDLE;
    if (r->in_frame) {
        rd__log(r, "rd_destroy_material inside a frame");
        return RD_ERR_STATE;
    }
    rd__platform_bind(r);
    if (m->texture) glDeleteTextures(1, &m->texture);
    m->texture = 0;
    m->alive = false;
    m->generation++;
    return RD_OK;
}

/* ---- packing ----------------------------------------------------------- */

static inline uint32_t rd__unorm8(float v) {
    v = v > 0.0f ? v : 0.0f;   /* NaN becomes 0 */
    v = v < 1.0f ? v : 1.0f;
    return (uint32_t)(v * 255.0f + 0.5f);
}

static inline uint16_t rd__half(float f) {
#ifdef __FLT16_MAX__
    _Float16 h = (_Float16)f;
    uint16_t bits;
    memcpy(&bits, &h, sizeof bits);
    return bits;
#else   /* round to nearest even, no denormals: scales that small draw nothing */
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t exp = (int32_t)((x >> 23) & 0xFF) - 127 + 15;
    uint32_t man = x & 0x7FFFFFu;
    if (((x >> 23) & 0xFF) == 0xFF) return (uint16_t)(sign | 0x7C00u | (man ? 0x200u : 0));
    if (exp <= 0) return (uint16_t)sign;
    uint32_t h = ((uint32_t)exp << 10) | (man >> 13);
    uint32_t rest = man & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1))) h++;
    if (h >= 0x7C00u) h = 0x7C00u;
    return (uint16_t)(sign | h);
#endif
}

static inline uint16_t rd__turns16(float radians) {
    float t = radians * (1.0f / (2.0f * RD__PI));
    t -= floorf(t);
    if (!(t >= 0.0f && t < 1.0f)) t = 0.0f;   /* NaN, inf, or rounded up to 1 */
    return (uint16_t)(uint32_t)(t * 65536.0f);
}

static rd_result rd__stage_reserve(rd__material *m, uint32_t extra) {
    uint64_t need = (uint64_t)m->staged_count + extra;
    if (need <= m->staged_cap) return RD_OK;
    if (need > UINT32_MAX / 2) return RD_ERR_NO_MEMORY;
    uint32_t cap = m->staged_cap ? m->staged_cap : 1024;
    while (cap < need) cap *= 2;
    rd__instance *p = realloc(m->staged, (size_t)cap * sizeof *p);
    if (!p) return RD_ERR_NO_MEMORY;
    m->staged = p;
    m->staged_cap = cap;
    return RD_OK;
}

rd_result rd_draw_sprites(rd_renderer *r, const rd_sprites *s) {
    if (!r || !s) return RD_ERR_INVALID_ARG;
    if (!r->in_frame) {
        rd__log(r, "rd_draw_sprites outside rd_begin_frame/rd_end_frame");
        return RD_ERR_STATE;
    }
    rd__material *m = rd__material_get(r, s->material);
    if (!m) {
        rd__log(r, "rd_draw_sprites: stale or invalid material 0x%x", s->material.id);
        return RD_ERR_STALE_HANDLE;
    }
    if (s->count == 0) return RD_OK;
    if (!s->x || !s->y) {
        rd__log(r, "rd_draw_sprites: x and y columns are required");
        return RD_ERR_INVALID_ARG;
    }
    rd_result e = rd__stage_reserve(m, s->count);
    if (e != RD_OK) {
        rd__log(r, "rd_draw_sprites: cannot stage %u instances", s->count);
        return e;
    }
    const rd_rect v = rd_view_rect(r);
    const float radius = 0.5f * hypotf(m->width, m->height);
    const float *xs = s->x, *ys = s->y, *rot = s->rotation, *sc = s->scale;
    const float *cr = s->r, *cg = s->g, *cb = s->b, *ca = s->a;
    const uint16_t one = rd__half(1.0f);
    rd__instance *out = m->staged + m->staged_count;
    float max_scale = m->max_scale;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        float x = xs[i], y = ys[i];
        float k = sc ? fabsf(sc[i]) : 1.0f;
        float rad = radius * k;
        /* Written so that a NaN position or scale is culled. */
        if (!(x + rad >= v.min_x && x - rad <= v.max_x &&
              y + rad >= v.min_y && y - rad <= v.max_y))
            continue;
        rd__instance *o = &out[kept++];
        o->x = x;
        o->y = y;
        o->rotation = rot ? rd__turns16(rot[i]) : 0;
        o->scale = sc ? rd__half(sc[i]) : one;
        o->rgba = (cr ? rd__unorm8(cr[i]) : 255u) |
                  (cg ? rd__unorm8(cg[i]) : 255u) << 8 |
                  (cb ? rd__unorm8(cb[i]) : 255u) << 16 |
                  (ca ? rd__unorm8(ca[i]) : 255u) << 24;
        max_scale = k > max_scale ? k : max_scale;
    }
    if (m->staged_count == 0 && kept > 0) {   /* first batch of m this frame */
        assert(r->frame_material_count < RD_MAX_MATERIALS);
        r->frame_materials[r->frame_material_count++] = (uint16_t)(m - r->materials);
    }
    m->staged_count += kept;
    m->max_scale = max_scale;
    r->submitted += s->count;
    r->culled += s->count - kept;
    return RD_OK;
}

/* ---- upload and draw --------------------------------------------------- */

/* The fence that frees this frame's ring segment. rd_end_frame inserts it
 * after the frame's timer query has ended rather than right after the
 * sprite draws: later is just as safe for the segment, and then a signalled
 * fence also means the frame's GPU time is available (render.c,
 * rd__timer_poll), so the CPU waiting for a segment never misses it. */
void rd__sprites_fence(rd_renderer *r) {
    rd__sprites *s = &r->sprites;
    if (!s->segment_written) return;
    s->fences[s->segment] = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    s->segment_written = false;
}

static void rd__blend(rd_blend b) {
    switch (b) {
    case RD_BLEND_NONE:
        glDisable(GL_BLEND);
        break;
    case RD_BLEND_ADD:
        glEnable(GL_BLEND);
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE, GL_ZERO, GL_ONE);
        break;
    case RD_BLEND_ALPHA:
        glEnable(GL_BLEND);
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE,
                            GL_ONE_MINUS_SRC_ALPHA);
        break;
    }
}

/* Copies every staged batch into the buffer, back to back. Returns the index
 * of the first instance of this frame in the buffer. */
static rd_result rd__upload(rd_renderer *r, uint32_t total, size_t *first) {
    rd__sprites *s = &r->sprites;
    rd_result e = rd__buffer_reserve(r, total);
    if (e != RD_OK) return e;
    glBindBuffer(GL_ARRAY_BUFFER, s->buffer);
    rd__instance *dst = NULL;
    if (r->info.upload == RD_UPLOAD_PERSISTENT) {
        s->segment = (uint32_t)(r->frame % RD__FRAMES_IN_FLIGHT);
        GLsync *fence = &s->fences[s->segment];
        if (*fence) {   /* the frame that last read this segment */
            glClientWaitSync(*fence, GL_SYNC_FLUSH_COMMANDS_BIT, 1000000000);
            glDeleteSync(*fence);
            *fence = NULL;
        }
        *first = (size_t)s->segment * s->capacity;
        dst = s->mapped + *first;
    } else {
        *first = 0;
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)s->capacity * sizeof(rd__instance),
                     NULL, GL_STREAM_DRAW);
    }
    size_t at = 0;
    for (uint32_t i = 0; i < r->frame_material_count; i++) {
        const rd__material *m = &r->materials[r->frame_materials[i]];
        size_t bytes = (size_t)m->staged_count * sizeof(rd__instance);
        if (dst) memcpy(dst + at, m->staged, bytes);
        else glBufferSubData(GL_ARRAY_BUFFER, (GLintptr)(at * sizeof(rd__instance)),
                             (GLsizeiptr)bytes, m->staged);
        at += m->staged_count;
    }
    return RD_OK;
}

rd_result rd__sprites_render(rd_renderer *r, rd_frame_stats *st) {
    rd__sprites *s = &r->sprites;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < r->frame_material_count; i++)
        sum += r->materials[r->frame_materials[i]].staged_count;
    uint32_t total = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;

    rd_result e = RD_OK;
    size_t first = 0;
    if (total > 0) e = rd__upload(r, total, &first);
    if (total > 0 && e == RD_OK) {
        glViewport(-r->guard_px, -r->guard_px, r->width + 2 * r->guard_px,
                   r->height + 2 * r->guard_px);
        glActiveTexture(GL_TEXTURE0);
        const float view[4] = { r->view_scale[0], r->view_scale[1],
                                r->view_offset[0], r->view_offset[1] };
        size_t at = first;
        for (uint32_t i = 0; i < r->frame_material_count; i++) {
            const rd__material *m = &r->materials[r->frame_materials[i]];
            /* Largest point this batch would need, in pixels. */
            float px = m->max_scale * fmaxf(m->width, m->height) *
                       r->camera.zoom * (m->fill == RD__FILL_ROUND ? 1.0f : 1.41421356f);
            bool points = px <= r->info.point_px_max;
            const rd__sprite_program *p = &s->programs[points][m->fill];
            glUseProgram(p->program);
            glBindVertexArray(points ? s->point_vao : s->quad_vao);
            glUniform4fv(p->u_view, 1, view);
            glUniform2f(p->u_size, m->width, m->height);
            glUniform1f(p->u_px, r->camera.zoom);
            glBindTexture(GL_TEXTURE_2D, m->texture);
            rd__blend(m->blend);
            rd__attribs_at(at);
            if (points) glDrawArrays(GL_POINTS, 0, (GLsizei)m->staged_count);
            else glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, (GLsizei)m->staged_count);
            at += m->staged_count;
            st->draw_calls++;
            st->point_batches += points;
        }
        glBindVertexArray(0);
        s->segment_written = r->info.upload == RD_UPLOAD_PERSISTENT;
        st->instances_drawn = total;
        st->instance_bytes = (uint64_t)total * sizeof(rd__instance);
    }
    for (uint32_t i = 0; i < r->frame_material_count; i++) {
        rd__material *m = &r->materials[r->frame_materials[i]];
        m->staged_count = 0;
        m->max_scale = 0;
    }
    r->frame_material_count = 0;
    return e;
}
