/* tests/bad_sched/common/plan_game.h -- the schema of the plan_*.h cases: each
 * includes it and verifies a corrupted copy of its plan (the "plan" object
 * of `ecsc graph --json`). The good plan: stage 0 steer -> move -> cull;
 * sync; stage 1 draw (main thread) beside spawn; sync. */
#ifndef PLAN_GAME_H
#define PLAN_GAME_H
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_TAG(Hidden);
ECS_RESOURCE(Clock) { double now; };
ECS_ARCHETYPE(Boid, Position, Velocity, Hidden);
ECS_SYSTEM(steer, ECS_WRITE(Velocity));
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity), ECS_AFTER(steer));
ECS_SYSTEM(cull, ECS_READ(Position), ECS_TOGGLES(Hidden), ECS_AFTER(move));
ECS_SYSTEM(draw, ECS_READ(Position), ECS_WITHOUT(Hidden), ECS_MAIN_THREAD, ECS_AFTER(cull));
ECS_SYSTEM(spawn, ECS_CREATES(Boid), ECS_WRITE(Clock), ECS_ORDERED_AFTER(draw));
#endif
