/* Readers never conflict with each other; each waits for the writer before
 * it and holds back the writer after it. Resources the same way. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_RESOURCE(Camera) { float x, y, zoom; };
ECS_ARCHETYPE(Boid, Position);
ECS_EXPECTED_COUNT(Boid, 50000);
ECS_SYSTEM(move, ECS_WRITE(Position));
ECS_SYSTEM(follow, ECS_READ(Position), ECS_WRITE(Camera), ECS_AFTER(move));
ECS_SYSTEM(count, ECS_READ(Position), ECS_AFTER(move));
ECS_SYSTEM(cull, ECS_READ(Position), ECS_READ(Camera), ECS_AFTER(follow));
ECS_SYSTEM(recenter, ECS_WRITE(Position), ECS_AFTER(count), ECS_AFTER(cull));
