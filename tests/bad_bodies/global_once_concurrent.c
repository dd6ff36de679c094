/* Runs once per frame, but beside other systems on a worker thread. */
#include "bodies.h"

uint64_t frames_seen;

void tick(tick_view v) {
    v.stats->frames++;
    frames_seen = v.stats->frames;
}
// expect: tests/bad_bodies/global_once_concurrent.c:8:5: error: system 'tick' writes global 'frames_seen' (assigned), but 'tick' may run at the same time as 'move' on another thread: keep the state in a resource, or make 'tick' ECS_MAIN_THREAD
