/* Two systems write one resource. */
// args: -Werror=ambiguity
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Score) { int points; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(count, ECS_READ(Position), ECS_WRITE(Score));
ECS_SYSTEM(bonus, ECS_WRITE(Score));
// expect: tests/bad_sched/ambiguous_resource.h:7:1: error: 'count' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
