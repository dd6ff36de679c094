/* Degradable by skipping frames and by slicing: one way or the other. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_DEGRADABLE, ECS_DEGRADABLE_SLICE);
// expect: tests/bad/degradable_twice.h:5:55: error: system 'move' is declared degradable twice (degradable and degradable_slice)
