/* The same phase declared twice (in two headers, say). */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_PHASE(Present);
ECS_PHASE(Simulate);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate));
// expect: tests/bad/phase_duplicate.h:7:1: error: duplicate phase 'Simulate'
