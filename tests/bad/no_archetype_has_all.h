/* Each component is in some archetype, but none has both. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_ARCHETYPE(Boid, Position);
ECS_ARCHETYPE(Tank, Health);
ECS_SYSTEM(heal, ECS_WRITE(Health), ECS_READ(Position));
// expect: tests/bad/no_archetype_has_all.h:7:1: error: system 'heal' matches no archetype: none has all of the components it accesses
