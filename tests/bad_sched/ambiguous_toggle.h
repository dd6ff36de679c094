/* A tag toggled and filtered on, unordered. */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_TAG(Stunned);
ECS_ARCHETYPE(Boid, Position, Health, Stunned);
ECS_SYSTEM(hit, ECS_READ(Health), ECS_TOGGLES(Stunned));
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_WITHOUT(Stunned));
// expect: tests/bad_sched/ambiguous_toggle.h:8:1: error: 'hit' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
