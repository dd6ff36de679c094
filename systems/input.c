/* systems/input.c -- starts the renderer's frame: polls window events and
 * copies the keyboard, mouse and framebuffer size into the Input resource,
 * which camera and hud read (and the game, between frames). */
#include "swarm.h"
#include "game/swarm_gfx.h"

void input(input_view v) {
    if (!v.gfx->drawing) return;
    swarm_gfx_note(v.gfx, rd_begin_frame(v.gfx->renderer, &v.input->state));
}
