/* Two systems with one name (same access, so C accepts the redeclaration). */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/duplicate_system.h:6:1: error: duplicate system 'move'
