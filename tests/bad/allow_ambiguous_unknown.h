/* ECS_ALLOW_AMBIGUOUS names no system. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(jitter, ECS_WRITE(Position), ECS_ALLOW_AMBIGUOUS(mover));
// expect: tests/bad/allow_ambiguous_unknown.h:6:41: error: system 'jitter' allows ambiguity with 'mover', which is not a system
