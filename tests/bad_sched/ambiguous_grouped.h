/* One error per system, listing its later partners: six pairs, three
 * errors (d and a are marked as intentionally left to declaration order). */
// args: --ambiguity=error
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(a, ECS_WRITE(Position));
ECS_SYSTEM(b, ECS_READ(Position));
ECS_SYSTEM(c, ECS_READ(Position));
ECS_SYSTEM(d, ECS_READ(Position), ECS_AFTER(b), ECS_ALLOW_AMBIGUOUS(a));
ECS_SYSTEM(e, ECS_WRITE(Position), ECS_AFTER(d), ECS_AFTER(c));
ECS_SYSTEM(f, ECS_WRITE(Position), ECS_AFTER(b), ECS_AFTER(c));
// expect: tests/bad_sched/ambiguous_grouped.h:7:1: error: 'a' and 4 later systems are ordered only by declaration order [-Werror=ambiguity]
// expect: tests/bad_sched/ambiguous_grouped.h:10:1: error: 'd' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
// expect: tests/bad_sched/ambiguous_grouped.h:11:1: error: 'e' and 1 later system are ordered only by declaration order [-Werror=ambiguity]
