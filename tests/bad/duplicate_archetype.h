/* Two archetypes with one name. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_ARCHETYPE(Boid, Position);
// expect: tests/bad/duplicate_archetype.h:5:1: error: duplicate archetype 'Boid'
