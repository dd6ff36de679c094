/* A component declaration without its closing semicolon. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; }
ECS_COMPONENT(Velocity) { float x, y; };
ECS_ARCHETYPE(Boid, Position, Velocity);
// expect: tests/bad/syntax_missing_semicolon.h:3:40: error: expected ';' after struct
