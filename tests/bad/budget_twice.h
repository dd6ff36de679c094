/* Two budgets for one system: the same parameter twice, which clang reports. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_BUDGET(1.0, 2.0), ECS_BUDGET(2.0, 4.0));
// expect: tests/bad/budget_twice.h:5:61: error: redefinition of parameter 'ecs_budget_'
