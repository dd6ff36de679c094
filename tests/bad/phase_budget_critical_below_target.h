/* A phase budget whose critical time is below its target. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_PHASE_BUDGET(Simulate, 4.0, 3.0);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate));
// expect: tests/bad/phase_budget_critical_below_target.h:6:1: error: critical time of phase 'Simulate' (3 ms) is below its target (4 ms)
