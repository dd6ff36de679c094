/* systems/move.c -- integrates position from velocity. */
#include "swarm.h"

void move(move_view v) {
    const float dt = v.dt;
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * dt;
        v.position.y[i] += v.velocity.y[i] * dt;
    }
}
