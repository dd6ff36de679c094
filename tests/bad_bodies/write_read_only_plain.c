/* A plain write to a read-only column: the compiler's own error, reported
 * by the body check too. */
#include "bodies.h"

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) v.velocity.x[i] = 0.0f;
}
// expect: tests/bad_bodies/write_read_only_plain.c:6:59: error: read-only variable is not assignable
