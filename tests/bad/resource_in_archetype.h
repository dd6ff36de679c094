/* A resource used as an archetype member. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Time) { float dt; };
ECS_ARCHETYPE(Boid, Position, Time);
// expect: tests/bad/resource_in_archetype.h:5:31: error: 'Time' is a resource, not a component: archetype 'Boid' cannot hold it
