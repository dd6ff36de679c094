/* Undeclared read of another component, hidden in a helper. */
#include "bodies.h"

static float health_of(rt_world *w, rt_entity e) {
    Health h = {0};
    rt_world_get(w, e, Health_id, &h);
    return h.hp;
}

extern rt_world *game_world;

void move(move_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (health_of(game_world, v.entity[i]) > 0.0f)
            v.position.x[i] += v.velocity.x[i] * v.dt;
}
// expect: tests/bad_bodies/world_get_hidden.c:4:24: error: function 'health_of' (reached from system 'move') uses 'rt_world': component data is reached only through the system's view
// expect: tests/bad_bodies/world_get_hidden.c:6:5: error: function 'health_of' (reached from system 'move') calls 'rt_world_get', which reaches world data outside its view: declare the access (ECS_READ, ECS_WRITE) and use the view
// expect: tests/bad_bodies/world_get_hidden.c:14:23: error: system 'move' uses global 'game_world' of type 'rt_world', which reaches world data outside its view
