/* A misspelt archetype in an expected count is clang's own error. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_EXPECTED_COUNT(Boyd, 100);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/expected_unknown.h:5:20: error: unknown type name 'Boyd'
