/* systems/present.c -- ends the renderer's frame: one draw per material, the
 * overlay, then present (window: blit and swap; headless: flush). The
 * frame's counters, GPU time among them, land in Gfx.last. */
#include "swarm.h"
#include "game/swarm_gfx.h"

void present(present_view v) {
    if (!v.gfx->drawing) return;
    swarm_gfx_note(v.gfx, rd_end_frame(v.gfx->renderer, &v.gfx->last));
}
