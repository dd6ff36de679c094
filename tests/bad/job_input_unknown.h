/* A misspelt job input is clang's own error at its line and column. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
typedef struct SeekRequest { float x, y; } SeekRequest;
ECS_SYSTEM(seek, ECS_WRITE(Position), ECS_ASYNC, ECS_JOB_INPUT(SeekRequst));
// expect: tests/bad/job_input_unknown.h:6:64: error: unknown type name 'SeekRequst'
