/* A global whose address escapes to a helper that writes it. */
#include "bodies.h"

static double total;

static void add(double *to, double x) { *to += x; }

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.position.x[i] += v.velocity.x[i] * v.dt;
        add(&total, v.velocity.x[i]);
    }
}
// expect: tests/bad_bodies/global_address_taken.c:11:14: error: system 'move' writes global 'total' (its address taken), but 'move' runs in chunks on several threads at once: keep the state in a component or a resource
