/* extest_systems.h -- what the bodies of tests/schemas/extest.h report to
 * test_exec.c besides the world itself: who ran them, and when. */
#ifndef EXTEST_SYSTEMS_H
#define EXTEST_SYSTEMS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct extest_probe {
    pthread_t frame_thread;          /* set by the test: the thread calling frames */
    _Atomic int64_t watch_calls;     /* main-thread system `watch` */
    _Atomic int64_t watch_elsewhere; /* ... called on another thread */
    _Atomic int32_t tally_inside;    /* serial system `tally` running now */
    _Atomic int64_t tally_overlaps;  /* ... entered while already inside */
} extest_probe;

extern extest_probe extest_probe_state;

#endif
