/* An iterator declared before a destroyer: the dead still move this frame,
 * only because of declaration order. */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Life) { float left; };
ECS_ARCHETYPE(Boid, Position, Life);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(reap, ECS_READ(Life), ECS_DESTROYS(Boid));
// expect: tests/bad_sched/ambiguous_deferred.h:8:1: error: 'move' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
