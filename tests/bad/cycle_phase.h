/* An explicit order against the order of phases. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_PHASE(Simulate);
ECS_PHASE(Present);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_IN_PHASE(Simulate));
ECS_SYSTEM(draw, ECS_READ(Position), ECS_IN_PHASE(Present), ECS_BEFORE(move));
// expect: tests/bad/cycle_phase.h:7:1: error: explicit order constraints form a cycle through system 'move': move -> draw -> move
