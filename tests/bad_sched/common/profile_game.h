/* tests/bad_sched/common/profile_game.h -- the schema of the profile_*.h cases. */
#ifndef PROFILE_GAME_H
#define PROFILE_GAME_H
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_ARCHETYPE(Boid, Position);
ECS_SYSTEM(move, ECS_WRITE(Position));
#endif
