/* A budget naming a constant that does not exist: clang says so, at the name. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_BUDGET(MOVE_MS, 4.0));
// expect: tests/bad/budget_unknown_name.h:5:50: error: use of undeclared identifier 'MOVE_MS'
