/* A critical time below the target: the budget can never be met calmly. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_BUDGET(2.0, 1.0));
// expect: tests/bad/budget_critical_below_target.h:5:39: error: critical time of system 'move' (1 ms) is below its target (2 ms)
