/* A component the system did not declare is not in its view at all. */
#include "bodies.h"

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) v.health.hp[i] -= 1.0f;
}
// expect: tests/bad_bodies/undeclared_member.c:5:45: error: no member named 'health' in 'struct move_view'
