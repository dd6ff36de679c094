/* Runs another system's body from inside a system. */
#include "bodies.h"

void bounce(bounce_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] > v.bounds->max_x) v.velocity.x[i] = -v.velocity.x[i];
}

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * v.dt;
    bounce((bounce_view){0});
}
// expect: tests/bad_bodies/call_other_system.c:11:5: error: system 'move' calls system 'bounce' directly: systems run only from the schedule
// expect: tests/bad_bodies/call_other_system.c:11:13: error: system 'move' uses 'bounce_view', the view of system 'bounce': a system sees only its own view
