/* A creator and an iterator of one archetype: whether new entities are seen
 * this frame depends only on declaration order. */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(spawn, ECS_CREATES(Boid));
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad_sched/ambiguous_structural.h:7:1: error: 'spawn' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
