/* The same component declared twice. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Position) { float x, y, z; };
ECS_ARCHETYPE(Boid, Position);
// expect: tests/bad/duplicate_component.h:4:15: error: redefinition of 'Position'
