/* tests/schemas/rtest.h -- the schema of the runtime tests (test_world.c,
 * test_cmd.c): two archetypes, a field array, tags, a resource, and systems
 * that exercise command buffers. Bodies: tests/rtest_systems.c. */
#ifndef TESTS_RTEST_H
#define TESTS_RTEST_H

#include "ecs_schema.h"

ECS_COMPONENT(A) { float v; };
ECS_COMPONENT(B) { int32_t n; float w[3]; };
ECS_COMPONENT(C) { double d; };
ECS_TAG(T);
ECS_TAG(U);
ECS_RESOURCE(Knobs) {
    int32_t creates;    /* entities `breeder` creates per frame */
    int32_t tag_every;  /* `marker` tags every k-th entity (0: none) */
    int32_t double_kill;/* `killer` destroys each victim twice */
    int64_t seen_t;     /* entities `counter` saw with tag T, last frame */
};

ECS_ARCHETYPE(AB, A, B, T);
ECS_ARCHETYPE(AC, A, C, T, U);
ECS_ARCHETYPE(Bonly, B);

ECS_SYSTEM(killer, ECS_READ(A), ECS_READ(Knobs), ECS_DESTROYS(AB), ECS_DESTROYS(AC));
ECS_SYSTEM(marker, ECS_READ(B), ECS_READ(Knobs), ECS_TOGGLES(T));
ECS_SYSTEM(counter, ECS_READ(A), ECS_WITH(T), ECS_WRITE(Knobs));
ECS_SYSTEM(breeder, ECS_READ(Knobs), ECS_CREATES(AB));
ECS_SYSTEM(grow, ECS_WRITE(B), ECS_WITHOUT(T));

#endif
