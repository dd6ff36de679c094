/* bench/schemas/pipeline.h -- workload W2 (docs/bench.md, WORKLOADS.md):
 * five components, five systems in the declared order Move, Gravity,
 * Decay, Age, Tint. Bodies and the five-loop floor: bench/pipeline.c;
 * driver: bench/bench_w2.c. */
#ifndef BENCH_SCHEMAS_PIPELINE_H
#define BENCH_SCHEMAS_PIPELINE_H

#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };     /* world units */
ECS_COMPONENT(Velocity) { float x, y; };     /* world units per second */
ECS_COMPONENT(Health) { float hp; };         /* hit points */
ECS_COMPONENT(Lifetime) { float t; };        /* seconds lived */
ECS_COMPONENT(Color) { float r, g, b, a; };  /* 0..1 */

ECS_ARCHETYPE(Particle, Position, Velocity, Health, Lifetime, Color);

ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity));   /* p += v*dt */
ECS_SYSTEM(gravity, ECS_WRITE(Velocity));                    /* v.y -= 9.81*dt */
ECS_SYSTEM(decay, ECS_WRITE(Health));                        /* hp -= 0.5*dt */
ECS_SYSTEM(age, ECS_WRITE(Lifetime));                        /* t += dt */
ECS_SYSTEM(tint, ECS_READ(Lifetime), ECS_WRITE(Color));      /* color from t */

#endif
