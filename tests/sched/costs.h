/* The cost model at work. `spawn` must be applied before `crowd` runs, so
 * crowd (heavy: 100000 expected entities) sits in the second stage. `pack`
 * has no relation to anything: in the first stage it would add its whole
 * cost to the frame; moved to the second it runs beside crowd for free. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Cargo) { float mass, volume, value, age; };
ECS_ARCHETYPE(Walker, Position);
ECS_ARCHETYPE(Crate, Cargo);
ECS_EXPECTED_COUNT(Walker, 100000);
ECS_EXPECTED_COUNT(Crate, 20000);
ECS_SYSTEM(spawn, ECS_CREATES(Walker));
ECS_SYSTEM(crowd, ECS_WRITE(Position), ECS_AFTER(spawn));
ECS_SYSTEM(pack, ECS_WRITE(Cargo));
