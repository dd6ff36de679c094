/* Reading a tag, which has no data. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_TAG(Stunned);
ECS_ARCHETYPE(Boid, Position, Stunned);
ECS_SYSTEM(stun, ECS_READ(Position), ECS_WRITE(Stunned));
// expect: tests/bad/read_tag.h:6:38: error: tag 'Stunned' has no data to write: filter with ECS_WITH/ECS_WITHOUT, switch it with ECS_TOGGLES
