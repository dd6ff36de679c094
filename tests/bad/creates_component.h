/* Creating a component instead of an archetype. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(spawn, ECS_CREATES(Position));
// expect: tests/bad/creates_component.h:5:19: error: system 'spawn' creates 'Position', which is not an archetype
