/* A resource declared ECS_READ, written through a cast. */
#include "bodies.h"

void bounce(bounce_view v) {
    Bounds *b = (Bounds *)v.bounds;
    b->max_x += 1.0f;
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] > b->max_x) v.velocity.x[i] = -v.velocity.x[i];
}
// expect: tests/bad_bodies/cast_const_resource.c:5:17: error: system 'bounce' drops const with a cast from 'const Bounds *' to 'Bounds *': data a system reads must not be written (declare ECS_WRITE to write it)
