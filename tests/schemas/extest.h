/* tests/schemas/extest.h -- the schema of the executor tests (test_exec.c):
 * three archetypes sharing components, tag filters that complement each
 * other, chains of per-entity systems, a serial system, a main-thread system,
 * structural systems that destroy, toggle and create, and sync points
 * between them. Every system is deterministic per entity (a random stream in
 * the Seed column), so any two correct executions end bit-identical.
 * Bodies: tests/extest_systems.c. */
#ifndef TESTS_EXTEST_H
#define TESTS_EXTEST_H

#include "ecs_schema.h"

ECS_COMPONENT(Pos) { float x, y; };
ECS_COMPONENT(Vel) { float x, y; };
ECS_COMPONENT(Heat) { float h; };
ECS_COMPONENT(Seed) { uint32_t s; };   /* xorshift32 state, never 0 */
ECS_COMPONENT(Mass) { float m; };
ECS_TAG(Hot);
ECS_TAG(Marked);

ECS_RESOURCE(Ctl) {
    int32_t movers;       /* population `spawner` keeps */
    int32_t dust_per_frame; /* dust `spawner` adds every frame */
    float max_heat;       /* `reaper` destroys movers hotter than this */
};
ECS_RESOURCE(Tally) {     /* written by `tally` (serial) */
    uint64_t frame;       /* Ticks.frames when it last ran */
    int64_t rows;         /* rows it saw in that frame */
    double sum_x;         /* sum of Pos.x it saw, in row order, ever */
};
ECS_RESOURCE(Ticks) { uint64_t frames; };

ECS_ARCHETYPE(Mover, Pos, Vel, Seed, Heat, Hot, Marked);
ECS_ARCHETYPE(Rock, Pos, Mass, Seed);
ECS_ARCHETYPE(Dust, Pos, Vel, Seed);

ECS_SYSTEM(ticker, ECS_WRITE(Ticks));
/* A chain: both iterate Mover and Dust. */
ECS_SYSTEM(jitter, ECS_WRITE(Vel), ECS_WRITE(Seed));
ECS_SYSTEM(drift, ECS_WRITE(Pos), ECS_READ(Vel));
/* A chain of complementary filters on Mover. */
ECS_SYSTEM(warm, ECS_WRITE(Heat), ECS_WITH(Hot));
ECS_SYSTEM(cool, ECS_WRITE(Heat), ECS_WITHOUT(Hot), ECS_READ(Vel));
ECS_SYSTEM(settle, ECS_WRITE(Pos), ECS_READ(Mass));
/* Serial: it writes a resource. Iterates all three archetypes. */
ECS_SYSTEM(tally, ECS_READ(Pos), ECS_WRITE(Tally), ECS_READ(Ticks));
ECS_SYSTEM(marker, ECS_READ(Heat), ECS_READ(Seed), ECS_TOGGLES(Hot), ECS_TOGGLES(Marked));
ECS_SYSTEM(reaper, ECS_READ(Heat), ECS_READ(Ctl), ECS_DESTROYS(Mover));
ECS_SYSTEM(sweeper, ECS_READ(Pos), ECS_READ(Vel), ECS_WITHOUT(Heat), ECS_DESTROYS(Dust));
/* After reaper's sync: sees only survivors. */
ECS_SYSTEM(watch, ECS_READ(Pos), ECS_READ(Heat), ECS_MAIN_THREAD);
ECS_SYSTEM(spawner, ECS_READ(Ctl), ECS_CREATES(Mover), ECS_CREATES(Dust));
ECS_SYSTEM(rockfall, ECS_WRITE(Mass), ECS_WRITE(Pos), ECS_WITH(Seed), ECS_WITHOUT(Vel));

#endif
