/* An expected entity count must be positive. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_EXPECTED_COUNT(Boid, 0);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/expected_zero.h:5:1: error: expected count of 'Boid' must be positive, not 0
