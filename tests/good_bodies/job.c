/* An async system and its job: the body submits a snapshot per entity, the
 * job computes from its input alone (helpers and constants are fine). */
#include "bodies.h"

static const float step = 8.0f;

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

void scout(scout_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        if (scout_pending(v.jobs, v.entity[i])) continue;
        scout_job_in in = {v.target.x[i], v.target.y[i]};
        if (scout_submit(v.jobs, v.entity[i], &in) == RT_EFULL) break;
    }
}

void scout_job(const scout_job_in *in, scout_job_out *out) {
    out->target = (Target){clampf(in->x + step, 0.0f, 100.0f), in->y};
}
