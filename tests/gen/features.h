/* tests/gen/features.h -- every construct of the schema language once:
 * golden test of ecsc. */
#include "ecs_schema.h"

typedef struct vec3 { float x, y, z; } vec3;

ECS_COMPONENT(Transform) { vec3 pos; float rot[4]; };
ECS_COMPONENT(Health) { float hp, max_hp; };
ECS_COMPONENT(AiState) { uint32_t state; uint64_t seed; };
ECS_TAG(Stunned);
ECS_TAG(Elite);
ECS_RESOURCE(GameTime) { float dt; double now; };
ECS_RESOURCE(SpatialGrid) { int32_t cells[16]; };

ECS_ARCHETYPE(Soldier, Transform, Health, AiState, Stunned, Elite);
ECS_ARCHETYPE(Crate, Transform, Health);

ECS_FRAME_BUDGET(16.67);

ECS_SYSTEM(think, ECS_WRITE(AiState), ECS_READ(Transform), ECS_WITHOUT(Stunned),
           ECS_READ(SpatialGrid), ECS_BUDGET(1.0, 2.5), ECS_DEGRADABLE_SLICE);
ECS_SYSTEM(regen, ECS_WRITE(Health), ECS_WITH(Elite), ECS_READ(GameTime), ECS_DEGRADABLE);
ECS_SYSTEM(damage, ECS_WRITE(Health), ECS_DESTROYS(Soldier), ECS_DESTROYS(Crate),
           ECS_TOGGLES(Stunned), ECS_AFTER(regen));
ECS_SYSTEM(grid, ECS_WRITE(SpatialGrid), ECS_READ(Transform), ECS_BEFORE(think));
ECS_SYSTEM(reinforce, ECS_CREATES(Soldier), ECS_READ(GameTime), ECS_SERIAL);
ECS_SYSTEM(draw, ECS_READ(Transform), ECS_READ(Health), ECS_MAIN_THREAD);
