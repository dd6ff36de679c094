/* A misspelt component in an archetype. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position, Velocity);
// expect: tests/bad/unknown_in_archetype.h:4:31: error: unknown type name 'Velocity' in archetype 'Boid'
