/* An archetype with only a tag holds no data. */
#include "ecs_schema.h"
ECS_TAG(Marker);
ECS_ARCHETYPE(Nothing, Marker);
// expect: tests/bad/empty_archetype.h:4:1: error: archetype 'Nothing' has no components
