/* An expected count for a component, not an archetype. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_EXPECTED_COUNT(Position, 100);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/expected_not_archetype.h:5:1: error: expected count for 'Position', which is not an archetype
