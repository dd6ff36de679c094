/* A misspelt component in a system: clang reports it at the user's column. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_ARCHETYPE(Boid, Position, Velocity);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocty));
// expect: tests/bad/unknown_component.h:6:48: error: unknown type name 'Velocty'
