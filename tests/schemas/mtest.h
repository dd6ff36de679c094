/* tests/schemas/mtest.h -- the schema of the measurement and budget tests
 * (test_measure.c): exact systems that must never be throttled, and
 * degradable ones, time-sliced and skipped, whose budgets a test config makes
 * impossible to meet so that the runtime throttles them. Two archetypes, one
 * that stays empty, so that a system can match no entity. Bodies:
 * tests/mtest_systems.c. */
#ifndef TESTS_MTEST_H
#define TESTS_MTEST_H

#include "ecs_schema.h"

ECS_COMPONENT(Exact) { float a, b; };          /* written only by exact systems */
ECS_COMPONENT(Sliced) { float t; uint32_t runs; }; /* by the time-sliced system */
ECS_COMPONENT(Skipped) { float t; };           /* by the skipped system */
ECS_COMPONENT(Idle) { float x; };
ECS_RESOURCE(Skips) {     /* written by `tick_skip` (skipped) */
    uint64_t runs;        /* frames it ran in */
    double t;             /* its dt, summed */
};

ECS_ARCHETYPE(Thing, Exact, Sliced, Skipped);
ECS_ARCHETYPE(Ghost, Idle);    /* stays empty */

ECS_FRAME_BUDGET(100.0);

/* Exact: a chain over Thing; budgets make them warn, never throttle. */
ECS_SYSTEM(grow, ECS_WRITE(Exact), ECS_BUDGET(50.0, 100.0));
/* Degradable: the first runs on a slice of Thing each frame, the second
 * every k-th frame, the third (no entities) every k-th frame. */
ECS_SYSTEM(slice_me, ECS_WRITE(Sliced), ECS_BUDGET(50.0, 100.0), ECS_DEGRADABLE_SLICE);
ECS_SYSTEM(skip_me, ECS_WRITE(Skipped), ECS_BUDGET(50.0, 100.0), ECS_DEGRADABLE);
ECS_SYSTEM(tick_skip, ECS_WRITE(Skips), ECS_DEGRADABLE);
ECS_SYSTEM(haunt, ECS_WRITE(Idle));            /* matches no entity */
ECS_SYSTEM(shrink, ECS_WRITE(Exact), ECS_AFTER(grow));

#endif /* TESTS_MTEST_H */
