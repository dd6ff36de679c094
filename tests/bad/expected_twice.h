/* Two expected counts for one archetype. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_EXPECTED_COUNT(Boid, 100);
ECS_EXPECTED_COUNT(Boid, 200);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/expected_twice.h:6:1: error: conflicting types for 'ecs_expected__Boid'
