/* bench/schemas/iterate.h -- workload W1 (docs/bench.md, WORKLOADS.md):
 * one archetype with Position and Velocity, one system integrating them.
 * Body and its plain-C floor: bench/iterate.c; driver: bench/bench_w1.c. */
#ifndef BENCH_SCHEMAS_ITERATE_H
#define BENCH_SCHEMAS_ITERATE_H

#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };  /* world units */
ECS_COMPONENT(Velocity) { float x, y; };  /* world units per second */

ECS_ARCHETYPE(Mover, Position, Velocity);

/* p += v*dt */
ECS_SYSTEM(integrate, ECS_WRITE(Position), ECS_READ(Velocity));

#endif
