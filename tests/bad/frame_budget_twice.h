/* Two frame budgets. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_FRAME_BUDGET(16.67);
ECS_FRAME_BUDGET(33.3);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/frame_budget_twice.h:6:1: error: frame budget declared twice
