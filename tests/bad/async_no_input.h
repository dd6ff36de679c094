/* An async system needs a job input: the type its jobs copy. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Target) { float x, y; };
ECS_ARCHETYPE(Boid, Position, Target);
ECS_SYSTEM(seek, ECS_READ(Position), ECS_WRITE(Target), ECS_ASYNC);
// expect: tests/bad/async_no_input.h:6:1: error: async system 'seek' has no job input: name the type its jobs copy with ECS_JOB_INPUT(T)
