/* Ordering against a system that does not exist. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_AFTER(pyhsics));
// expect: tests/bad/unknown_order.h:5:39: error: system 'move' is ordered after 'pyhsics', which is not a system
