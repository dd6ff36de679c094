/* A system cannot be both main-thread and async. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(draw, ECS_READ(Position), ECS_MAIN_THREAD, ECS_ASYNC);
// expect: tests/bad/main_and_async.h:5:1: error: system 'draw' cannot be both ECS_MAIN_THREAD and ECS_ASYNC
