/* One system in two phases. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_PHASE(Present);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate), ECS_IN_PHASE(Present));
// expect: tests/bad/phase_twice.h:7:63: error: system 'move' is in two phases ('Simulate' and 'Present')
