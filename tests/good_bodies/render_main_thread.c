/* A main-thread system calls the renderer; a worker system uses only its
 * plain helpers, which take no renderer. */
#include "bodies.h"
#include "render/render.h"

extern rd_renderer *game_screen; /* stands for a resource's pointer */

void hud(hud_view v) {
    rd_overlay o = {.entities = (uint32_t)v.count};
    rd_overlay_push_frame(&o, 16.0f);
    rd_draw_overlay(game_screen, &o);
}

void move(move_view v) {
    rd_camera c = rd_camera_fit((rd_rect){0, 0, 100, 100}, 640, 360);
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * c.zoom * v.dt;
}
