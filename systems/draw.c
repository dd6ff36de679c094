/* systems/draw.c -- the boids as discs, straight from the SoA columns: the
 * view's Position and Color column pointers go to the renderer as they are.
 * Called once per run of rows; the renderer culls what is outside the view,
 * packs the rest and merges every call of the frame into one draw call. */
#include "swarm.h"
#include "game/swarm_gfx.h"

void draw(draw_view v) {
    if (!v.gfx->drawing) return;
    rd_sprites s = {
        .material = v.gfx->boid,
        .count = (uint32_t)v.count,
        .x = v.position.x,
        .y = v.position.y,
        .r = v.color.r,
        .g = v.color.g,
        .b = v.color.b,
        .a = v.color.a,
    };
    swarm_gfx_note(v.gfx, rd_draw_sprites(v.gfx->renderer, &s));
}
