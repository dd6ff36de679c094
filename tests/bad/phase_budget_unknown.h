/* A budget for a phase that was never declared. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_PHASE_BUDGET(Simulation, 2.0, 4.0);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate));
// expect: tests/bad/phase_budget_unknown.h:6:1: error: budget for phase 'Simulation', which is not a phase (declare it with ECS_PHASE)
