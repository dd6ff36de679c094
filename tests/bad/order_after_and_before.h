/* Both after and before the same system. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(draw, ECS_READ(Position), ECS_AFTER(move), ECS_ORDERED_BEFORE(move));
// expect: tests/bad/order_after_and_before.h:6:55: error: system 'draw' declares 'move' twice (after and ordered_before)
