/* bench/schemas/churn.h -- workload W3 (docs/bench.md, WORKLOADS.md):
 * entities with Position and Velocity created and destroyed one at a time
 * through the public API, and a tag switched on and off. No systems run;
 * the driver is bench/bench_w3.c. */
#ifndef BENCH_SCHEMAS_CHURN_H
#define BENCH_SCHEMAS_CHURN_H

#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };  /* world units */
ECS_COMPONENT(Velocity) { float x, y; };  /* world units per second */
ECS_TAG(Marked);

ECS_ARCHETYPE(Body, Position, Velocity, Marked);

#endif
