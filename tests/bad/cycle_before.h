/* A cycle of ECS_BEFORE across three systems that do not even conflict. */
#include "ecs_schema.h"
ECS_COMPONENT(A) { int x; };
ECS_COMPONENT(B) { int x; };
ECS_COMPONENT(C) { int x; };
ECS_ARCHETYPE(Thing, A, B, C);
ECS_SYSTEM(first, ECS_WRITE(A), ECS_BEFORE(second));
ECS_SYSTEM(second, ECS_WRITE(B), ECS_BEFORE(third));
ECS_SYSTEM(third, ECS_WRITE(C), ECS_BEFORE(first));
// expect: tests/bad/cycle_before.h:7:1: error: explicit order constraints form a cycle through system 'first': first -> second -> third -> first
