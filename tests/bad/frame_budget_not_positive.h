/* A negative frame budget. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_FRAME_BUDGET(-16.67);
ECS_SYSTEM(move, ECS_WRITE(Position));
// expect: tests/bad/frame_budget_not_positive.h:5:1: error: frame budget must be positive, not -16.67 ms
