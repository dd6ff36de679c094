/* Toggling a component instead of a tag. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(flip, ECS_READ(Position), ECS_TOGGLES(Position));
// expect: tests/bad/toggles_component.h:5:38: error: system 'flip' toggles 'Position', which is not a tag
