/* Several independent errors: every one is reported in one run. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_TAG(Stunned);
ECS_ARCHETYPE(Boid, Position, Stunned);
ECS_SYSTEM(move, ECS_WRITE(Positon));
ECS_SYSTEM(stun, ECS_READ(Stunned));
ECS_SYSTEM(late, ECS_READ(Position), ECS_AFTER(nobody));
ECS_SYSTEM(late, ECS_READ(Position), ECS_AFTER(nobody));
// expect: tests/bad/many_errors.h:6:28: error: unknown type name 'Positon'
// expect: tests/bad/many_errors.h:9:1: error: duplicate system 'late'
// expect: tests/bad/many_errors.h:7:18: error: tag 'Stunned' has no data to read: filter with ECS_WITH/ECS_WITHOUT, switch it with ECS_TOGGLES
// expect: tests/bad/many_errors.h:8:38: error: system 'late' is ordered after 'nobody', which is not a system
// expect: tests/bad/many_errors.h:9:38: error: system 'late' is ordered after 'nobody', which is not a system
