/* systems/seek.c -- goals for boids, picked off the frame by async jobs.
 *
 * seek (the system) asks for a new goal for each boid that reached its goal
 * or ran out of time for it, with a snapshot of the boid; seek_job (the job,
 * on a job thread) weighs candidate points and answers with a Goal, which the
 * runtime writes into the boid a fixed number of frames later (docs/jobs.md).
 * wander steers toward the goal. Only integer math, +, *, / and sqrtf: the
 * same bits on every machine. */
#include "swarm.h"
#include "game/swarm_rng.h"

#include <math.h>

#define REACHED 24.0f     /* world units: close enough to a goal */
#define MIN_HOP 60.0f     /* world units: a new goal is at least this far ... */
#define MAX_HOP 240.0f    /* ... and at most this far on each axis */
#define MARGIN 40.0f      /* world units kept from the walls */
#define CRUISE 50.0f      /* world units per second, for the time allowed */
enum { CANDIDATES = 32 }; /* points a job weighs */

void seek(seek_view v) {
    const Bounds b = *v.bounds;
    const double now = v.sim_clock->now;
    for (int32_t i = 0; i < v.count; i++) {
        float dx = v.goal.x[i] - v.position.x[i], dy = v.goal.y[i] - v.position.y[i];
        if (dx * dx + dy * dy > REACHED * REACHED && now < (double)v.goal.until[i]) continue;
        if (seek_pending(v.jobs, v.entity[i])) continue;
        SeekRequest in = {v.position.x[i], v.position.y[i], v.velocity.x[i], v.velocity.y[i],
                          b.min_x, b.min_y, b.max_x, b.max_y, now, v.rng.state[i]};
        seek_submit(v.jobs, v.entity[i], &in); /* refused when the queue is full: asks again */
    }
}

/* The best of CANDIDATES random points inside the margins: far from the
 * walls, and ahead of the boid rather than behind it (less turning). */
void seek_job(const seek_job_in *in, seek_job_out *out) {
    uint64_t s = swarm_splitmix64(in->seed);
    float speed = sqrtf(in->vx * in->vx + in->vy * in->vy);
    float best = -1e30f, bx = in->x, by = in->y, bd = 0.0f;
    for (int k = 0; k < CANDIDATES; k++) {
        float cx = in->x + (swarm_rng_float(&s) - 0.5f) * 2.0f * MAX_HOP;
        float cy = in->y + (swarm_rng_float(&s) - 0.5f) * 2.0f * MAX_HOP;
        float wall = fminf(fminf(cx - in->min_x, in->max_x - cx),
                           fminf(cy - in->min_y, in->max_y - cy));
        float dx = cx - in->x, dy = cy - in->y, d = sqrtf(dx * dx + dy * dy);
        if (wall < MARGIN || d < MIN_HOP) continue;
        float ahead = speed > 0.0f ? (dx * in->vx + dy * in->vy) / (d * speed) : 0.0f;
        float score = ahead + wall * (1.0f / 200.0f);
        if (score > best) {
            best = score;
            bx = cx;
            by = cy;
            bd = d;
        }
    }
    out->goal = (Goal){bx, by, (float)(in->now + 1.0 + (double)(bd / CRUISE))};
}
