/* Two writers of one component on one archetype, ordered only by
 * declaration order. */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(integrate, ECS_WRITE(Position));
ECS_SYSTEM(clamp, ECS_WRITE(Position));
// expect: tests/bad_sched/ambiguous_write_write.h:7:1: error: 'integrate' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
