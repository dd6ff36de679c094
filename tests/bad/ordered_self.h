/* A system ordered before itself. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_ORDERED_BEFORE(move));
// expect: tests/bad/ordered_self.h:5:39: error: system 'move' is ordered before itself
