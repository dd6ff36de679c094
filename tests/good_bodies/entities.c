/* Reads entity handles, compares them, records through its own commands. */
#include "bodies.h"

void age(age_view v) {
    rt_entity last = RT_ENTITY_NULL;
    for (int32_t i = 0; i < v.count; i++) {
        if (!rt_entity_is_null(last) && rt_entity_eq(last, v.entity[i])) continue;
        last = v.entity[i];
        v.health.hp[i] -= v.dt;
        if (v.health.hp[i] < -1.0f) age_destroy_Boid(v.cmd, v.entity[i]);
    }
}
