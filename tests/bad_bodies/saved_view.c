/* One system keeps its view for another to use later. */
#include "bodies.h"

static move_view saved;

void move(move_view v) {
    saved = v;
    for (int32_t i = 0; i < v.count; i++) v.position.x[i] += v.velocity.x[i] * v.dt;
}

void bounce(bounce_view v) {
    for (int32_t i = 0; i < v.count && i < saved.count; i++)
        v.velocity.x[i] += saved.velocity.x[i];
}
// expect: tests/bad_bodies/saved_view.c:12:44: error: system 'bounce' uses global 'saved' of type 'move_view', which reaches world data outside its view
// expect: tests/bad_bodies/saved_view.c:7:5: error: system 'move' writes global 'saved' (assigned), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
