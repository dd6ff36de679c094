/* systems/wander.c -- steers each boid by its own random stream and toward
 * its goal (picked by seek's jobs, systems/seek.c), with a speed limit. */
#include "swarm.h"
#include "game/swarm_rng.h"

#include <math.h>

enum { WANDER_ACCEL = 60 };  /* world units per second^2 */
enum { GOAL_ACCEL = 40 };    /* world units per second^2, toward the goal */
#define MAX_SPEED 120.0f     /* world units per second */

void wander(wander_view v) {
    const float kick = WANDER_ACCEL * v.dt;
    for (int32_t i = 0; i < v.count; i++) {
        uint64_t s = v.rng.state[i];
        float vx = v.velocity.x[i] + (swarm_rng_float(&s) - 0.5f) * 2.0f * kick;
        float vy = v.velocity.y[i] + (swarm_rng_float(&s) - 0.5f) * 2.0f * kick;
        float gx = v.goal.x[i] - v.position.x[i], gy = v.goal.y[i] - v.position.y[i];
        float g2 = gx * gx + gy * gy;
        if (g2 > 1.0f) {
            float k = GOAL_ACCEL * v.dt / sqrtf(g2);
            vx += gx * k;
            vy += gy * k;
        }
        float speed2 = vx * vx + vy * vy;
        if (speed2 > MAX_SPEED * MAX_SPEED) {
            float k = MAX_SPEED / sqrtf(speed2);
            vx *= k;
            vy *= k;
        }
        v.velocity.x[i] = vx;
        v.velocity.y[i] = vy;
        v.rng.state[i] = s;
    }
}
