/* A system reading a component that no archetype has. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(heal, ECS_WRITE(Health));
// expect: tests/bad/no_archetype_has_it.h:6:18: error: system 'heal' writes 'Health', but no archetype has it
