/* tests/bad_bodies/schema.h -- the schema every body case is checked
 * against (the cases of tests/bad_bodies/ must fail, those of
 * tests/good_bodies/ must pass). Its plan: stage 0 runs tick, hud (main
 * thread), move -> bounce and age side by side; after the sync point, spawn.
 * `scout` is async (its job: scout_job), on an archetype of its own. */
#ifndef BAD_BODIES_SCHEMA_H
#define BAD_BODIES_SCHEMA_H
#include "ecs_schema.h"

ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Velocity) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_TAG(Fading);
ECS_RESOURCE(Bounds) { float min_x, min_y, max_x, max_y; };
ECS_RESOURCE(Stats) { uint64_t frames; };

ECS_ARCHETYPE(Boid, Position, Velocity, Health, Fading);

ECS_SYSTEM(tick, ECS_WRITE(Stats));
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity));
ECS_SYSTEM(bounce, ECS_WRITE(Velocity), ECS_READ(Position), ECS_READ(Bounds), ECS_AFTER(move));
ECS_SYSTEM(age, ECS_WRITE(Health), ECS_DESTROYS(Boid), ECS_TOGGLES(Fading),
           ECS_ORDERED_AFTER(bounce));
ECS_SYSTEM(hud, ECS_READ(Health), ECS_MAIN_THREAD, ECS_ORDERED_BEFORE(age));
ECS_SYSTEM(spawn, ECS_CREATES(Boid), ECS_READ(Bounds), ECS_AFTER(age));

ECS_COMPONENT(Target) { float x, y; };
ECS_ARCHETYPE(Scout, Target);
typedef struct ScoutRequest { float x, y; } ScoutRequest;
ECS_SYSTEM(scout, ECS_WRITE(Target), ECS_ASYNC, ECS_JOB_INPUT(ScoutRequest));

#endif
