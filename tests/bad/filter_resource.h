/* A resource cannot filter entities. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Time) { float dt; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_WITH(Time));
// expect: tests/bad/filter_resource.h:6:39: error: resource 'Time' cannot filter entities
