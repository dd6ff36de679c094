/* A helper that takes another system's view. */
#include "bodies.h"

static float speed(const move_view *m, int32_t i) { return m->velocity.x[i]; }

void bounce(bounce_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.position.x[i] > v.bounds->max_x) v.velocity.x[i] = -v.velocity.x[i];
    (void)speed;
}
// expect: tests/bad_bodies/other_view.c:4:26: error: function 'speed' (reached from system 'bounce') uses 'move_view', the view of system 'move': a system sees only its own view
