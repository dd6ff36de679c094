/* The racy write hides in a helper. */
#include "bodies.h"

float max_speed_seen;

static void note_speed(float s) {
    if (s > max_speed_seen) max_speed_seen = s;
}

void bounce(bounce_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        note_speed(v.velocity.x[i]);
        if (v.position.x[i] > v.bounds->max_x) v.velocity.x[i] = -v.velocity.x[i];
    }
}
// expect: tests/bad_bodies/global_in_helper.c:7:29: error: function 'note_speed' (reached from system 'bounce') writes global 'max_speed_seen' (assigned), but 'bounce' runs in chunks on several threads at once: keep the state in a component or a resource
