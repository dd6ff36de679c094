/* A job that reaches into the world instead of its input: the world may be
 * in the middle of a frame while it runs. */
#include "bodies.h"

rt_world *game_world;

void scout_job(const scout_job_in *in, scout_job_out *out) {
    const Bounds *b = Bounds_resource(game_world);
    out->target = (Target){in->x < b->max_x ? in->x : b->max_x, in->y};
}
// expect: tests/bad_bodies/job_reads_world.c:8:23: error: function 'scout_job' (reached from system 'scout') calls 'Bounds_resource', which reaches world data outside its view: declare the access (ECS_READ, ECS_WRITE) and use the view
// expect: tests/bad_bodies/job_reads_world.c:8:39: error: function 'scout_job' (reached from system 'scout') uses global 'game_world' of type 'rt_world', which reaches world data outside its view
