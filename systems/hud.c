/* systems/hud.c -- the debug overlay: F3 shows or hides it; when shown, the
 * overlay the game filled after the last frame (game/swarm_overlay.c) is
 * laid out on top of this one. */
#include "swarm.h"
#include "game/swarm_gfx.h"

void hud(hud_view v) {
    if (v.input->state.key_pressed[RD_KEY_F3]) v.hud->visible = !v.hud->visible;
    if (!v.gfx->drawing || !v.hud->visible) return;
    swarm_gfx_note(v.gfx, rd_draw_overlay(v.gfx->renderer, &v.hud->overlay));
}
