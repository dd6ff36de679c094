/* A system over a resource only has no entities to slice. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Clock) { double now; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(tick, ECS_WRITE(Clock), ECS_DEGRADABLE_SLICE);
// expect: tests/bad/degradable_slice_no_entities.h:6:36: error: system 'tick' iterates no entities: it cannot be time-sliced (use ECS_DEGRADABLE)
