/* tests/gen/min.h -- the smallest useful schema: golden test of ecsc. */
#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_ARCHETYPE(Particle, Position, Velocity);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity));
