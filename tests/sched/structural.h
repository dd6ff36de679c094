/* Sync points only where a later system must see structural changes:
 * spawning bullets does not hold back the ships, dying ships are applied
 * before the bullets are aimed, and a system that ran before a creator in
 * the sequential order never sees its entities this frame. */
#include "ecs_schema.h"
ECS_COMPONENT(Position) { float x, y; };
ECS_COMPONENT(Health) { float hp; };
ECS_ARCHETYPE(Ship, Position, Health);
ECS_ARCHETYPE(Bullet, Position);
ECS_SYSTEM(steer_ships, ECS_WRITE(Position), ECS_READ(Health));
ECS_SYSTEM(fire, ECS_READ(Health), ECS_CREATES(Bullet), ECS_ORDERED_AFTER(steer_ships));
ECS_SYSTEM(damage, ECS_WRITE(Health), ECS_DESTROYS(Ship), ECS_AFTER(fire));
ECS_SYSTEM(aim, ECS_READ(Health), ECS_ORDERED_AFTER(damage));
ECS_SYSTEM(fly_bullets, ECS_WRITE(Position), ECS_WITHOUT(Health), ECS_AFTER(fire));
