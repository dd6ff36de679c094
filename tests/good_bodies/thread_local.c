/* Per-thread scratch space is not shared between chunks. */
#include "bodies.h"

static _Thread_local float scratch[128];

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        scratch[i & 127] = v.velocity.x[i] * v.dt;
        v.position.x[i] += scratch[i & 127];
    }
}
