/* Writers of one component on disjoint archetypes, or on disjoint tag
 * filters of one archetype, do not conflict: all may run together. A writer
 * that reaches both conflicts with each, in declaration order. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Wing) { float span; };
ECS_COMPONENT(Fin) { float area; };
ECS_TAG(Asleep);
ECS_ARCHETYPE(Bird, Position, Wing, Asleep);
ECS_ARCHETYPE(Fish, Position, Fin);
ECS_SYSTEM(fly, ECS_WRITE(Position), ECS_READ(Wing), ECS_WITHOUT(Asleep));
ECS_SYSTEM(drift, ECS_WRITE(Position), ECS_WITH(Asleep));
ECS_SYSTEM(swim, ECS_WRITE(Position), ECS_READ(Fin));
ECS_SYSTEM(wrap, ECS_WRITE(Position), ECS_ORDERED_AFTER(fly), ECS_ORDERED_AFTER(drift),
           ECS_ORDERED_AFTER(swim));
