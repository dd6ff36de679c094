/* Explicit orders that form a cycle. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(a, ECS_READ(Position), ECS_AFTER(c));
ECS_SYSTEM(b, ECS_READ(Position), ECS_AFTER(a));
ECS_SYSTEM(c, ECS_READ(Position), ECS_AFTER(b));
// expect: tests/bad/order_cycle.h:5:1: error: explicit order constraints form a cycle through system 'a'
