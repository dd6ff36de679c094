/* platform.c — where the GL context comes from, and input.
 *
 * HEADLESS: EGL on Mesa's surfaceless platform. With libepoxy the display
 * must come from eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, ...)
 * (the core eglGetPlatformDisplay aborts here); the context is configless and
 * made current with no surface, since all drawing goes to render.c's FBO.
 * The EGL display is shared by all headless renderers of the process and
 * terminated with the last one. Mesa keeps a few allocations past
 * eglTerminate in its unloaded driver, which LeakSanitizer reports from
 * frames it cannot name: tests/test_render.c (pin_module) explains the fix.
 *
 * WINDOW: a GLFW window with a 3.3 core context; rd_end_frame blits the FBO
 * into it and swaps. GLFW callbacks feed rd__input_*, which tests call
 * directly to simulate input. glfwInit/glfwTerminate are paired by a count
 * of open windows.
 *
 * Several renderers may live in one thread: every entry point that touches
 * GL calls rd__platform_bind first, which switches contexts only when needed.
 */
#include "rd_internal.h"

#include <math.h>
#include <string.h>

#include <epoxy/egl.h>
#define GLFW_INCLUDE_NONE   /* epoxy provides the GL declarations */
#include <GLFW/glfw3.h>

static const rd_renderer *rd__bound;    /* renderer whose context is current */
static EGLDisplay rd__egl_display = EGL_NO_DISPLAY;
static int rd__egl_users;
static int rd__glfw_users;
static rd_log_desc rd__glfw_log;         /* GLFW's error callback has no user data */

/* Mesa refuses to make an EGL context current while a GLX one is (and the
 * other way round): release the current renderer's context first. */
static void rd__release_current(void) {
    const rd_renderer *cur = rd__bound;
    if (!cur) return;
    if (cur->platform.window) glfwMakeContextCurrent(NULL);
    else if (cur->platform.egl_context)
        eglMakeCurrent(cur->platform.egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
                       EGL_NO_CONTEXT);
    rd__bound = NULL;
}

/* ---- input ------------------------------------------------------------- */

rd_key rd__key_from_glfw(int k) {
    if (k >= GLFW_KEY_A && k <= GLFW_KEY_Z) return (rd_key)(RD_KEY_A + (k - GLFW_KEY_A));
    if (k >= GLFW_KEY_0 && k <= GLFW_KEY_9) return (rd_key)(RD_KEY_0 + (k - GLFW_KEY_0));
    if (k >= GLFW_KEY_F1 && k <= GLFW_KEY_F12) return (rd_key)(RD_KEY_F1 + (k - GLFW_KEY_F1));
    switch (k) {
    case GLFW_KEY_SPACE:         return RD_KEY_SPACE;
    case GLFW_KEY_ESCAPE:        return RD_KEY_ESCAPE;
    case GLFW_KEY_ENTER:         return RD_KEY_ENTER;
    case GLFW_KEY_TAB:           return RD_KEY_TAB;
    case GLFW_KEY_BACKSPACE:     return RD_KEY_BACKSPACE;
    case GLFW_KEY_LEFT:          return RD_KEY_LEFT;
    case GLFW_KEY_RIGHT:         return RD_KEY_RIGHT;
    case GLFW_KEY_UP:            return RD_KEY_UP;
    case GLFW_KEY_DOWN:          return RD_KEY_DOWN;
    case GLFW_KEY_LEFT_SHIFT:    return RD_KEY_LEFT_SHIFT;
    case GLFW_KEY_RIGHT_SHIFT:   return RD_KEY_RIGHT_SHIFT;
    case GLFW_KEY_LEFT_CONTROL:  return RD_KEY_LEFT_CONTROL;
    case GLFW_KEY_RIGHT_CONTROL: return RD_KEY_RIGHT_CONTROL;
    case GLFW_KEY_LEFT_ALT:      return RD_KEY_LEFT_ALT;
    case GLFW_KEY_RIGHT_ALT:     return RD_KEY_RIGHT_ALT;
    default:                     return RD_KEY_UNKNOWN;
    }
}

void rd__input_key(rd_renderer *r, int glfw_key, int glfw_action) {
    rd_key k = rd__key_from_glfw(glfw_key);
    if (k == RD_KEY_UNKNOWN) return;
    if (glfw_action == GLFW_PRESS) {
        r->input.key_down[k] = 1;
        r->input.key_pressed[k] = 1;
    } else if (glfw_action == GLFW_RELEASE) {
        r->input.key_down[k] = 0;
        r->input.key_released[k] = 1;
    }   /* GLFW_REPEAT changes nothing: the key stays down */
}

void rd__input_button(rd_renderer *r, int glfw_button, int glfw_action) {
    if (glfw_button < 0 || glfw_button >= RD_MOUSE_BUTTON_COUNT) return;
    if (glfw_action == GLFW_PRESS) {
        r->input.mouse_down[glfw_button] = 1;
        r->input.mouse_pressed[glfw_button] = 1;
    } else if (glfw_action == GLFW_RELEASE) {
        r->input.mouse_down[glfw_button] = 0;
    }
}

void rd__input_cursor(rd_renderer *r, double x, double y) {
    /* GLFW reports screen units; convert to framebuffer pixels (HiDPI). */
    double sx = 1, sy = 1;
    if (r->platform.win_w > 0 && r->platform.win_h > 0) {
        sx = (double)r->platform.fb_w / r->platform.win_w;
        sy = (double)r->platform.fb_h / r->platform.win_h;
    }
    r->input.mouse_x = (float)(x * sx);
    r->input.mouse_y = (float)(y * sy);
}

void rd__input_scroll(rd_renderer *r, double dx, double dy) {
    r->input.scroll_x += (float)dx;
    r->input.scroll_y += (float)dy;
}

static rd_renderer *rd__from_window(GLFWwindow *w) {
    return glfwGetWindowUserPointer(w);
}

static void rd__on_key(GLFWwindow *w, int key, int scancode, int action, int mods) {
    (void)scancode;
    (void)mods;
    rd__input_key(rd__from_window(w), key, action);
}

static void rd__on_button(GLFWwindow *w, int button, int action, int mods) {
    (void)mods;
    rd__input_button(rd__from_window(w), button, action);
}

static void rd__on_cursor(GLFWwindow *w, double x, double y) {
    rd__input_cursor(rd__from_window(w), x, y);
}

static void rd__on_scroll(GLFWwindow *w, double dx, double dy) {
    rd__input_scroll(rd__from_window(w), dx, dy);
}

static void rd__on_fb_size(GLFWwindow *w, int width, int height) {
    rd_renderer *r = rd__from_window(w);
    r->platform.fb_w = width;
    r->platform.fb_h = height;
}

static void rd__on_win_size(GLFWwindow *w, int width, int height) {
    rd_renderer *r = rd__from_window(w);
    r->platform.win_w = width;
    r->platform.win_h = height;
}

static void rd__on_close(GLFWwindow *w) {
    rd__from_window(w)->input.close_requested = true;
}

static void rd__on_glfw_error(int code, const char *msg) {
    rd__log_desc(&rd__glfw_log, "GLFW error 0x%x: %s", code, msg);
}

/* ---- headless: EGL surfaceless ---------------------------------------- */

static bool rd__has_word(const char *list, const char *word) {
    size_t n = strlen(word);
    for (const char *p = list; p && (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
    return false;
}

static rd_result rd__open_headless(rd_renderer *r) {
    const char *client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!rd__has_word(client, "EGL_EXT_platform_base") ||
        !rd__has_word(client, "EGL_MESA_platform_surfaceless")) {
        rd__log(r, "EGL: no EGL_MESA_platform_surfaceless (client extensions: %s)",
                client ? client : "none");
        return RD_ERR_PLATFORM;
    }
    if (rd__egl_users == 0) {
        EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA,
                                                  EGL_DEFAULT_DISPLAY, NULL);
        if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL)) {
            rd__log(r, "EGL: surfaceless display failed: 0x%x", eglGetError());
            return RD_ERR_PLATFORM;
        }
        rd__egl_display = dpy;
    }
    rd__egl_users++;
    r->platform.egl_display = rd__egl_display;
    const char *ext = eglQueryString(rd__egl_display, EGL_EXTENSIONS);
    if (!rd__has_word(ext, "EGL_KHR_no_config_context") ||
        !rd__has_word(ext, "EGL_KHR_surfaceless_context") ||
        !eglBindAPI(EGL_OPENGL_API)) {
        rd__log(r, "EGL: need desktop GL with KHR_no_config_context and "
                   "KHR_surfaceless_context");
        return RD_ERR_PLATFORM;
    }
    const EGLint attrs[] = {
        EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
        EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
        EGL_NONE,
    };
    EGLContext ctx = eglCreateContext(rd__egl_display, EGL_NO_CONFIG_KHR,
                                      EGL_NO_CONTEXT, attrs);
    if (ctx == EGL_NO_CONTEXT) {
        rd__log(r, "EGL: no GL 3.3 core context: 0x%x", eglGetError());
        return RD_ERR_PLATFORM;
    }
    r->platform.egl_context = ctx;
    rd__release_current();
    if (!eglMakeCurrent(rd__egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
        rd__log(r, "EGL: make current failed: 0x%x", eglGetError());
        return RD_ERR_PLATFORM;
    }
    r->platform.fb_w = r->desc.width;
    r->platform.fb_h = r->desc.height;
    return RD_OK;
}

static void rd__close_headless(rd_renderer *r) {
    if (!r->platform.egl_display) return;   /* never got a display */
    if (rd__bound == r) rd__release_current();
    if (r->platform.egl_context)
        eglDestroyContext(rd__egl_display, r->platform.egl_context);
    if (--rd__egl_users == 0) {
        eglTerminate(rd__egl_display);
        eglReleaseThread();
        rd__egl_display = EGL_NO_DISPLAY;
    }
}

/* ---- window: GLFW ------------------------------------------------------ */

static rd_result rd__open_window(rd_renderer *r) {
    rd__glfw_log = r->desc.log;
    glfwSetErrorCallback(rd__on_glfw_error);
    if (rd__glfw_users == 0 && !glfwInit()) return RD_ERR_PLATFORM;
    rd__glfw_users++;
    r->platform.glfw_ref = true;
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
    GLFWwindow *w = glfwCreateWindow(r->desc.width, r->desc.height,
                                     r->desc.title, NULL, NULL);
    if (!w) return RD_ERR_PLATFORM;
    r->platform.window = w;
    glfwSetWindowUserPointer(w, r);
    rd__release_current();
    glfwMakeContextCurrent(w);
    glfwSwapInterval(r->desc.vsync == RD_VSYNC_OFF ? 0 : 1);
    glfwSetKeyCallback(w, rd__on_key);
    glfwSetMouseButtonCallback(w, rd__on_button);
    glfwSetCursorPosCallback(w, rd__on_cursor);
    glfwSetScrollCallback(w, rd__on_scroll);
    glfwSetFramebufferSizeCallback(w, rd__on_fb_size);
    glfwSetWindowSizeCallback(w, rd__on_win_size);
    glfwSetWindowCloseCallback(w, rd__on_close);
    glfwGetFramebufferSize(w, &r->platform.fb_w, &r->platform.fb_h);
    glfwGetWindowSize(w, &r->platform.win_w, &r->platform.win_h);
    /* The FBO follows the framebuffer, which may differ from the request
     * (HiDPI, or a window manager that picked another size). */
    r->desc.width = r->platform.fb_w;
    r->desc.height = r->platform.fb_h;
    return RD_OK;
}

static void rd__close_window(rd_renderer *r) {
    if (rd__bound == r) rd__release_current();
    if (r->platform.window) glfwDestroyWindow(r->platform.window);
    if (r->platform.glfw_ref && --rd__glfw_users == 0) glfwTerminate();
}

/* ---- dispatch ---------------------------------------------------------- */

rd_result rd__platform_open(rd_renderer *r) {
    rd_platform kind = r->desc.platform;
    rd_result e = kind == RD_PLATFORM_WINDOW ? rd__open_window(r)
                                             : rd__open_headless(r);
    if (kind == RD_PLATFORM_WINDOW ? r->platform.window != NULL
                                   : r->platform.egl_context != NULL)
        rd__bound = r;   /* its context is current, even if open failed later */
    if (e != RD_OK) {
        rd__log(r, "%s platform failed: %s",
                kind == RD_PLATFORM_WINDOW ? "window" : "headless",
                rd_result_str(e));
        rd__platform_close(r);
        return e;
    }
    r->platform.kind = kind;
    return RD_OK;
}

void rd__platform_close(rd_renderer *r) {
    if (r->desc.platform == RD_PLATFORM_WINDOW) rd__close_window(r);
    else rd__close_headless(r);
    if (rd__bound == r) rd__bound = NULL;
    memset(&r->platform, 0, sizeof r->platform);
}

void rd__platform_bind(rd_renderer *r) {
    if (rd__bound == r) return;
    rd__release_current();
    if (r->platform.kind == RD_PLATFORM_WINDOW)
        glfwMakeContextCurrent(r->platform.window);
    else if (r->platform.kind == RD_PLATFORM_HEADLESS)
        eglMakeCurrent(r->platform.egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
                       r->platform.egl_context);
    rd__bound = r;
}

void rd__platform_poll(rd_renderer *r) {
    if (r->platform.kind == RD_PLATFORM_WINDOW) glfwPollEvents();
}

void rd__platform_present(rd_renderer *r) {
    if (r->platform.kind != RD_PLATFORM_WINDOW) {
        glFlush();   /* start the work now, as a swap would */
        return;
    }
    glBindFramebuffer(GL_READ_FRAMEBUFFER, r->fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glBlitFramebuffer(0, 0, r->width, r->height, 0, 0, r->width, r->height,
                      GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glfwSwapBuffers(r->platform.window);
}

rd_result rd__platform_resize(rd_renderer *r, int32_t w, int32_t h) {
    if (r->platform.kind != RD_PLATFORM_WINDOW) {
        r->platform.fb_w = w;
        r->platform.fb_h = h;
        return RD_OK;
    }
    /* Ask for a window size that gives w x h framebuffer pixels, then wait
     * for the X server (or compositor) to confirm it. */
    double sx = r->platform.win_w > 0 ? (double)r->platform.fb_w / r->platform.win_w : 1;
    double sy = r->platform.win_h > 0 ? (double)r->platform.fb_h / r->platform.win_h : 1;
    glfwSetWindowSize(r->platform.window, (int)lround(w / sx), (int)lround(h / sy));
    double deadline = glfwGetTime() + 2.0;
    while ((r->platform.fb_w != w || r->platform.fb_h != h) &&
           glfwGetTime() < deadline)
        glfwWaitEventsTimeout(0.02);
    if (r->platform.fb_w != w || r->platform.fb_h != h) {
        rd__log(r, "window resize to %dx%d not honoured (got %dx%d)", w, h,
                r->platform.fb_w, r->platform.fb_h);
        return RD_ERR_PLATFORM;
    }
    return RD_OK;
}

rd_result rd__platform_vsync(rd_renderer *r, bool on) {
    if (r->platform.kind == RD_PLATFORM_WINDOW) {
        rd__platform_bind(r);
        glfwSwapInterval(on ? 1 : 0);
    }
    return RD_OK;
}
