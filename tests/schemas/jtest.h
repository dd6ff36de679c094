/* tests/schemas/jtest.h -- the schema of the async-job tests (test_jobs.c).
 * `ask` is async: each entity asks for Want.jobs answers, one job at a time;
 * a job's answer extends a hash chain (Answer.value) and counts itself, so a
 * lost, repeated or reordered result shows in the world. `churn` destroys
 * and recreates crates while their jobs run, `tick` numbers the frames.
 * Units with the Muted tag never ask. Bodies: tests/jtest_systems.c. */
#ifndef TESTS_JTEST_H
#define TESTS_JTEST_H

#include "ecs_schema.h"

ECS_COMPONENT(Seed) { uint64_t value; };
ECS_COMPONENT(Want) { uint32_t jobs; };   /* answers asked for, in all */
ECS_COMPONENT(Answer) {
    uint64_t value;  /* hash chain over every answer applied */
    uint32_t jobs;   /* answers applied */
    uint32_t frame;  /* the frame the last applied job was submitted in */
};
ECS_COMPONENT(Lid) { uint32_t shade; };  /* crates only: `churn` iterates crates */
ECS_TAG(Muted);

ECS_RESOURCE(Clock) { uint32_t frame, ticks; };
ECS_RESOURCE(Churn) { uint32_t every; };  /* `churn` replaces crates with Seed % every == frame % every; 0: none */

ECS_ARCHETYPE(Unit, Seed, Want, Answer, Muted);
ECS_ARCHETYPE(Crate, Seed, Want, Answer, Lid);

typedef struct ask_job_in {
    uint64_t seed, value; /* the entity's Seed and its Answer.value when asking */
    uint32_t jobs, frame; /* its Answer.jobs, and the frame of submission */
    uint32_t id;          /* entity index, for the tests' hooks */
} ask_job_in;

ECS_SYSTEM(tick, ECS_WRITE(Clock));
ECS_SYSTEM(ask, ECS_READ(Seed), ECS_READ(Want), ECS_READ(Clock), ECS_WRITE(Answer),
           ECS_WITHOUT(Muted), ECS_ASYNC, ECS_JOB_INPUT(ask_job_in), ECS_AFTER(tick));
ECS_SYSTEM(churn, ECS_READ(Seed), ECS_READ(Want), ECS_READ(Lid), ECS_READ(Clock),
           ECS_READ(Churn), ECS_DESTROYS(Crate), ECS_CREATES(Crate), ECS_AFTER(ask));

#endif
