/* A budget computed by an expression: clang accepts it, ecsc reads literals. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_BUDGET(1.5 * 2, 4.0));
// expect: tests/bad/budget_not_literal.h:5:39: error: budget of system 'move' must be two number literals in milliseconds, e.g. ECS_BUDGET(2.0, 4.0) (got '1.5 * 2 4.0')
