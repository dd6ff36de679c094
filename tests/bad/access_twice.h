/* One component both read and written by one system. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_READ(Position), ECS_WRITE(Position));
// expect: tests/bad/access_twice.h:5:38: error: system 'move' declares 'Position' twice (read and write)
