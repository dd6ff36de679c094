/* A job input on a system that is not async. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
typedef struct seek_job_in { float x, y; } seek_job_in;
ECS_SYSTEM(seek, ECS_WRITE(Position), ECS_JOB_INPUT(seek_job_in));
// expect: tests/bad/job_input_not_async.h:6:39: error: system 'seek' has a job input but is not ECS_ASYNC
