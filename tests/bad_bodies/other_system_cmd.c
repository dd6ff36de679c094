/* Borrows another system's command buffer helpers. */
#include "bodies.h"

void spawn(spawn_view v) {
    age_cmd other = {v.cmd.cmd};
    (void)other;
    if (v.n_boid > 1000) age_destroy_Boid(other, (rt_entity){1, 1});
}
// expect: tests/bad_bodies/other_system_cmd.c:5:5: error: system 'spawn' uses 'age_cmd', the command buffer of system 'age': a system sees only its own view
// expect: tests/bad_bodies/other_system_cmd.c:5:28: error: system 'spawn' uses the raw command buffer ('rt_cmd'): record changes with the helpers of 'spawn_cmd'
// expect: tests/bad_bodies/other_system_cmd.c:7:26: error: system 'spawn' calls 'age_destroy_Boid', a command helper of system 'age'
