/* Two independent cycles: both reported. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(a, ECS_READ(Position), ECS_AFTER(b));
ECS_SYSTEM(b, ECS_READ(Position), ECS_AFTER(a));
ECS_SYSTEM(c, ECS_READ(Position), ECS_AFTER(d));
ECS_SYSTEM(d, ECS_READ(Position), ECS_AFTER(c));
ECS_SYSTEM(e, ECS_READ(Position), ECS_AFTER(a));
// expect: tests/bad/cycles_two_separate.h:5:1: error: explicit order constraints form a cycle through system 'a': a -> b -> a
// expect: tests/bad/cycles_two_separate.h:7:1: error: explicit order constraints form a cycle through system 'c': c -> d -> c
