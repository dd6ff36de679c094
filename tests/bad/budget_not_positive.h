/* A budget of zero milliseconds. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_BUDGET(0, 1.0));
// expect: tests/bad/budget_not_positive.h:5:39: error: budget of system 'move' must be positive (target 0 ms, critical 1 ms)
