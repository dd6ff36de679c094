/* A reader and a writer of one component. */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_ARCHETYPE(Boid, Position, Velocity);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity));
ECS_SYSTEM(steer, ECS_WRITE(Velocity));
// expect: tests/bad_sched/ambiguous_read_write.h:7:1: error: 'move' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
