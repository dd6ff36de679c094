/* ECS_ORDERED_BEFORE orders too, so it can close a cycle with ECS_BEFORE. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(physics, ECS_WRITE(Position), ECS_BEFORE(render));
ECS_SYSTEM(render, ECS_READ(Position), ECS_BEFORE(audio));
ECS_SYSTEM(audio, ECS_READ(Position), ECS_ORDERED_BEFORE(physics));
// expect: tests/bad/cycle_mixed.h:5:1: error: explicit order constraints form a cycle through system 'physics': physics -> render -> audio -> physics
