/* Looking at a read-only column's address is not writing through it:
 * alignment checks and const-correct casts pass. */
#include "bodies.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>

void move(move_view v) {
    assert(((uintptr_t)v.velocity.x & 63u) == 0 || v.count == 0);
    const void *where = (const void *)v.velocity.x;
    if (v.count < 0) fprintf(stderr, "move: bad count at %p\n", where);
    const float *vx = (const float *)where;
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += vx[i] * v.dt;
}
