/* A system with the name of a component. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(Position, ECS_READ(Position));
// expect: tests/bad/system_named_like_component.h:5:1: error: system 'Position' has the name of a component
