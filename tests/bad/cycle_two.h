/* Two systems each ordered after the other. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(a, ECS_WRITE(Position), ECS_AFTER(b));
ECS_SYSTEM(b, ECS_READ(Position), ECS_AFTER(a));
// expect: tests/bad/cycle_two.h:5:1: error: explicit order constraints form a cycle through system 'a': a -> b -> a
