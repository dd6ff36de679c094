/* swarm_gfx.h -- what the render systems share: keeping the first renderer
 * error in the Gfx resource. A system returns nothing, so an rd_result
 * other than RD_OK is stored there and the game (game/swarm_main.c) reports
 * it after the frame and stops; nothing is dropped. */
#ifndef SWARM_GFX_H
#define SWARM_GFX_H

#include "swarm.h"

static inline void swarm_gfx_note(Gfx *g, rd_result e) {
    if (e != RD_OK && g->error == RD_OK) g->error = (int32_t)e;
}

#endif /* SWARM_GFX_H */
