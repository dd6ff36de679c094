/* Golden: async systems (docs/jobs.md). 'plan' hands each unit's path search
 * to a job: the input is a snapshot its body fills, the result is the two
 * components it writes. It iterates two archetypes, one with a tag filter. */
#ifndef TESTS_GEN_JOBS_H
#define TESTS_GEN_JOBS_H
#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Route) { float waypoints[4][2]; int32_t n; };
ECS_COMPONENT(Speed) { float value; };
ECS_TAG(Idle);

ECS_ARCHETYPE(Walker, Position, Route, Speed, Idle);
ECS_ARCHETYPE(Runner, Position, Route, Speed);

typedef struct plan_job_in { float from_x, from_y, to_x, to_y; uint64_t seed; } plan_job_in;
typedef struct Query { float x, y; } Query;

ECS_SYSTEM(plan, ECS_READ(Position), ECS_WRITE(Route), ECS_WRITE(Speed), ECS_WITHOUT(Idle),
           ECS_ASYNC, ECS_JOB_INPUT(plan_job_in));
ECS_SYSTEM(look, ECS_READ(Position), ECS_WRITE(Speed), ECS_ASYNC, ECS_JOB_INPUT(Query),
           ECS_AFTER(plan));
ECS_SYSTEM(walk, ECS_WRITE(Position), ECS_READ(Route), ECS_AFTER(look));

#endif
