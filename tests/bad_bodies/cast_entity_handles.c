/* The entity handles of a view are read-only too. */
#include "bodies.h"

void age(age_view v) {
    rt_entity *e = (rt_entity *)v.entity;
    for (int32_t i = 0; i < v.count; i++) {
        v.health.hp[i] -= v.dt;
        if (v.health.hp[i] < 0.0f) e[i].gen++;
    }
}
// expect: tests/bad_bodies/cast_entity_handles.c:5:20: error: system 'age' drops const with a cast from 'const rt_entity *' to 'rt_entity *': data a system reads must not be written (declare ECS_WRITE to write it)
