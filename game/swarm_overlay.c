/* swarm_overlay.c -- fills the debug overlay's data after each frame. See
 * swarm_overlay.h for where the numbers come from; render/overlay.c draws
 * them. */
#include "game/swarm_overlay.h"

#include <stdio.h>
#include <string.h>

#define SWARM_FPS_FRAMES 30 /* the FPS shown is over this many frames */

/* Fixed timings, built from integer math only (the same bits on every
 * machine): a triangle wave with an integer period, in [0, 1] ... */
static float tri(uint64_t f, uint32_t period) {
    int64_t half = period / 2, p = (int64_t)(f % period);
    return (float)(p < half ? half - p : p - half) / (float)half;
}

/* ... and a hash of the frame index, in [0, 1) with 24 bits. */
static float jitter(uint64_t f) {
    uint64_t x = f * 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 31)) * 0xbf58476d1ce4e5b9ull;
    return (float)((x ^ (x >> 29)) >> 40) * (1.0f / 16777216.0f);
}

/* Frame times drift through the budget with noise and a spike every 41
 * frames; system times sit at levels of their share of the budget that give
 * every status, moving a little from frame to frame. */
static float fixed_frame_ms(uint64_t f) {
    return 10.0f + 7.0f * tri(f, 90) + 2.0f * jitter(f) + (f % 41 == 40 ? 9.0f : 0.0f);
}

static const float fixed_levels[] = {0.15f, 0.4f, 0.7f, 1.3f, 2.4f};

void swarm_overlay_update(rd_overlay *o, const rt_world *w, const rd_frame_stats *rs,
                          uint64_t frame, double frame_ms, const swarm_overlay_desc *desc) {
    const float budget = desc->budget_ms > 0 ? desc->budget_ms : 1000.0f / 60.0f;
    const bool fixed = desc->fixed_timings;
    const rt_world_stats *st = rt_world_stats_get(w);
    const rt_program *p = rt_world_program(w);
    rt_budget *bud = rt_world_budget(w);

    float ms = fixed ? fixed_frame_ms(frame) : (float)frame_ms;
    rd_overlay_push_frame(o, ms);
    uint32_t n = o->history_count < SWARM_FPS_FRAMES ? o->history_count : SWARM_FPS_FRAMES;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += o->history_ms[(o->history_count - 1 - i) % RD_OVERLAY_HISTORY];
    o->fps = sum > 0 ? (float)(1000.0 * n / sum) : 0;
    o->frame_ms = ms;
    o->budget_ms = budget;

    int32_t count = p->n_steps < RD_OVERLAY_MAX_SYSTEMS ? p->n_steps : RD_OVERLAY_MAX_SYSTEMS;
    const float share = budget / (float)(p->n_steps > 0 ? p->n_steps : 1);
    o->system_count = (uint32_t)count;
    for (int32_t i = 0; i < count; i++) { /* plan order, as the timing table */
        int32_t s = p->steps[i].system;
        rd_overlay_system *os = &o->systems[i];
        snprintf(os->name, sizeof os->name, "%s", p->systems[s].name);
        if (fixed) {
            float wobble = 1.0f + 0.1f * (float)((int64_t)((frame + (uint64_t)i) % 3) - 1);
            os->ms = share * fixed_levels[i % 5] * wobble;
        } else {
            os->ms = (float)((double)st->systems[s].last_ns / 1e6);
        }
        os->budget_ms = share;
        os->status = os->ms > 2 * share ? RD_STATUS_CRITICAL
                     : os->ms > share   ? RD_STATUS_WARNING
                                        : RD_STATUS_OK;
        /* Measured timings: the schema's budget and the controller's status,
         * for the systems that have one (docs/budgets.md). */
        rt_budget_system_info bi;
        if (!fixed && bud && (rt_budget_get_system(bud, s, &bi), bi.target_ms > 0)) {
            static const rd_status status[] = {[RT_BUDGET_OK] = RD_STATUS_OK,
                                               [RT_BUDGET_WARNING] = RD_STATUS_WARNING,
                                               [RT_BUDGET_CRITICAL] = RD_STATUS_CRITICAL};
            os->budget_ms = bi.target_ms;
            os->status = status[bi.status];
        }
    }
    o->memory_bytes = st->bytes_live;
    o->entities = (uint32_t)rt_world_entity_count(w);
    o->draw_calls = rs ? rs->draw_calls + rs->overlay_draw_calls : 0;
    if (fixed) o->gpu_ms = 3.0f + 2.0f * jitter(frame + 7);
    else o->gpu_ms = rs && rs->gpu_ms_valid ? (float)rs->gpu_ms : 0;
    o->quality = rt_world_quality(w); /* 1 unless budgets are enforced */
}
