/* The main-thread system writes what a worker system reads meanwhile. */
#include "bodies.h"

int hud_mode;

void hud(hud_view v) {
    hud_mode = v.count > 100 ? 1 : 0;
}

void tick(tick_view v) {
    if (hud_mode) v.stats->frames++;
}
// expect: tests/bad_bodies/global_main_vs_worker.c:7:5: error: system 'hud' writes global 'hud_mode' (assigned), but system 'tick', which reads it, may run at the same time: keep the state in a resource both declare
