/* memcpy into a read-only column: const dropped by an implicit conversion. */
#include "bodies.h"
#include <string.h>

void move(move_view v) {
    memcpy(v.velocity.y, v.position.y, sizeof(float) * (size_t)v.count);
}
// expect: tests/bad_bodies/implicit_const_memcpy.c:6:12: error: system 'move' drops const with an implicit conversion from 'const float *' to 'void *': data a system reads must not be written (declare ECS_WRITE to write it)
