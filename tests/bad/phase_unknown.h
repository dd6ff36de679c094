/* A system in a phase that was never declared. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulation));
// expect: tests/bad/phase_unknown.h:6:39: error: system 'move' is in phase 'Simulation', which is not a phase (declare it with ECS_PHASE)
