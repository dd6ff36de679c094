/* bench/schemas/exec_w2.h -- workload W2 of shared/WORKLOADS.md ("pipeline"):
 * five systems over entities with Position, Velocity, Health, Lifetime and
 * Color, in this declared order. Bodies: bench/bench_exec_w2.c; the
 * benchmark: bench/bench_exec.c. */
#ifndef BENCH_EXEC_W2_H
#define BENCH_EXEC_W2_H

#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_COMPONENT(Lifetime) { float t; };
ECS_COMPONENT(Color) { float r, g, b, a; };

ECS_ARCHETYPE(Thing, Position, Velocity, Health, Lifetime, Color);

ECS_SYSTEM(w2_move, ECS_WRITE(Position), ECS_READ(Velocity));
ECS_SYSTEM(w2_gravity, ECS_WRITE(Velocity));
ECS_SYSTEM(w2_decay, ECS_WRITE(Health));
ECS_SYSTEM(w2_age, ECS_WRITE(Lifetime));
ECS_SYSTEM(w2_tint, ECS_READ(Lifetime), ECS_WRITE(Color));

#endif
