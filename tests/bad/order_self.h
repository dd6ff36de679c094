/* A system ordered after itself. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_AFTER(move));
// expect: tests/bad/order_self.h:5:39: error: system 'move' is ordered after itself
