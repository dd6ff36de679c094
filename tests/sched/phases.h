/* Phases order whole groups; the main-thread system is pinned; systems
 * without a phase run wherever their own relations allow (count_frames runs
 * after audio by declaration order, on purpose: ECS_ALLOW_AMBIGUOUS). */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Input) { float ax, ay; };
ECS_RESOURCE(Frame) { uint64_t index; };
ECS_ARCHETYPE(Player, Position, Input);
ECS_PHASE(Gather);
ECS_PHASE(Simulate);
ECS_PHASE(Present);
ECS_SYSTEM(draw, ECS_READ(Position), ECS_MAIN_THREAD, ECS_IN_PHASE(Present));
ECS_SYSTEM(poll, ECS_WRITE(Input), ECS_MAIN_THREAD, ECS_IN_PHASE(Gather));
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Input), ECS_IN_PHASE(Simulate));
ECS_SYSTEM(audio, ECS_READ(Frame), ECS_IN_PHASE(Present));
ECS_SYSTEM(count_frames, ECS_WRITE(Frame), ECS_ALLOW_AMBIGUOUS(audio));
