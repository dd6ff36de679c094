/* systems/camera.c -- the view: fits the bounds to the framebuffer (so it
 * follows a resize), then applies the player's zoom (mouse wheel, about the
 * cursor) and pan (left drag); R goes back to the fitted view. The
 * renderer culls against the view this sets. */
#include "swarm.h"
#include "game/swarm_gfx.h"

#include <math.h>

#define ZOOM_STEP 1.15f /* zoom factor per wheel step */
#define ZOOM_MIN 0.25f
#define ZOOM_MAX 64.0f

void camera(camera_view v) {
    Camera *c = v.camera;
    const rd_input *in = &v.input->state;
    if (!v.gfx->drawing) return;
    if (!(c->zoom > 0)) c->zoom = 1;
    const Bounds *b = v.bounds;
    rd_camera fit = rd_camera_fit((rd_rect){b->min_x, b->min_y, b->max_x, b->max_y},
                                  in->width, in->height);
    if (in->key_pressed[RD_KEY_R]) {
        c->zoom = 1;
        c->pan_x = c->pan_y = 0;
    }
    float px = fit.zoom * c->zoom; /* pixels per world unit before this frame's input */
    float half_w = 0.5f * (float)in->width, half_h = 0.5f * (float)in->height;
    if (in->mouse_down[RD_MOUSE_LEFT]) {
        if (c->dragging) { /* the world follows the cursor */
            c->pan_x -= (in->mouse_x - c->drag_x) / px;
            c->pan_y += (in->mouse_y - c->drag_y) / px; /* pixel y grows down */
        }
        c->drag_x = in->mouse_x;
        c->drag_y = in->mouse_y;
    }
    c->dragging = in->mouse_down[RD_MOUSE_LEFT];
    if (in->scroll_y != 0) {
        /* Keep the world point under the cursor where it is. */
        float wx = fit.center_x + c->pan_x + (in->mouse_x - half_w) / px;
        float wy = fit.center_y + c->pan_y + (half_h - in->mouse_y) / px;
        float z = c->zoom * powf(ZOOM_STEP, in->scroll_y); /* steps may be fractions */
        c->zoom = z < ZOOM_MIN ? ZOOM_MIN : z > ZOOM_MAX ? ZOOM_MAX : z;
        px = fit.zoom * c->zoom;
        c->pan_x = wx - (in->mouse_x - half_w) / px - fit.center_x;
        c->pan_y = wy - (half_h - in->mouse_y) / px - fit.center_y;
    }
    c->view = (rd_camera){fit.center_x + c->pan_x, fit.center_y + c->pan_y, px};
    swarm_gfx_note(v.gfx, rd_set_camera(v.gfx->renderer, c->view));
}
