/* An async system's jobs have one input type. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
typedef struct A { float x; } A;
typedef struct B { float y; } B;
ECS_SYSTEM(seek, ECS_WRITE(Position), ECS_ASYNC, ECS_JOB_INPUT(A),
           ECS_JOB_INPUT(B));
// expect: tests/bad/job_input_twice.h:8:12: error: system 'seek' has a second job input 'B': an async system's jobs have one input type
