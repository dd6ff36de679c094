/* swarm_overlay.h -- what the reference game's debug overlay shows, filled
 * in one place: swarm_overlay_update, called by the game after every frame
 * (game/swarm_main.c); the hud system (systems/hud.c) draws the result in
 * the next frame. See docs/render.md, "Debug overlay".
 *
 * The numbers come from the world's own statistics (rt_world_stats: each
 * system's time in the last frame) and the renderer's (rd_frame_stats: draw
 * calls, GPU time). Budgets: until the schema carries per-system budgets,
 * every system gets an equal share of the frame budget, and its status is
 * WARNING over its share and CRITICAL over twice it (frame by frame, no
 * hysteresis). The performance monitor (runtime/monitor.h, branch budget)
 * replaces the body of swarm_overlay_update, not its callers. */
#ifndef SWARM_OVERLAY_H
#define SWARM_OVERLAY_H

#include "render.h"
#include "rt.h"

#include <stdbool.h>

typedef struct swarm_overlay_desc {
    float budget_ms;    /* frame budget; 0 = 1000/60 */
    bool fixed_timings; /* times from a fixed pattern of the frame index
                           instead of the clock, so that a screenshot of the
                           overlay is the same on every run (golden tests) */
} swarm_overlay_desc;

/* Fills o after frame `frame` (0-based): frame_ms is the wall time of that
 * frame (start to start), rs the renderer's counters of the frame presented
 * last (NULL: not rendering). Keeps o's history ring. */
void swarm_overlay_update(rd_overlay *o, const rt_world *w, const rd_frame_stats *rs,
                          uint64_t frame, double frame_ms, const swarm_overlay_desc *desc);

#endif /* SWARM_OVERLAY_H */
