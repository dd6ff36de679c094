/* Ambiguity with itself makes no sense. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_ALLOW_AMBIGUOUS(move));
// expect: tests/bad/allow_ambiguous_self.h:5:39: error: system 'move' allows ambiguity with itself
