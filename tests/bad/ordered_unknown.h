/* ECS_ORDERED_AFTER names no system. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(draw, ECS_READ(Position), ECS_ORDERED_AFTER(mvoe));
// expect: tests/bad/ordered_unknown.h:6:38: error: system 'draw' is ordered after 'mvoe', which is not a system
