/* Toggling a tag no archetype holds. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_TAG(Stunned);
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(stun, ECS_READ(Position), ECS_TOGGLES(Stunned));
// expect: tests/bad/toggles_unheld_tag.h:6:38: error: system 'stun' toggles 'Stunned', but no archetype has that tag
