/* An async system's results are the components it writes: it must write one. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Score) { int64_t points; };
ECS_ARCHETYPE(Boid, Position);
typedef struct seek_job_in { float x, y; } seek_job_in;
ECS_SYSTEM(seek, ECS_READ(Position), ECS_WRITE(Score), ECS_ASYNC, ECS_JOB_INPUT(seek_job_in));
// expect: tests/bad/async_writes_nothing.h:7:1: error: async system 'seek' writes no component: its jobs' results are the components it writes (ECS_WRITE)
