/* A job that keeps a view to look at the world: it would read live storage
 * from a job thread. */
#include "bodies.h"

static _Thread_local const scout_view *last;

void scout(scout_view v) {
    last = &v;
}

void scout_job(const scout_job_in *in, scout_job_out *out) {
    const scout_view *v = last;
    out->target = (Target){in->x + (v ? v->target.x[0] : 0.0f), in->y};
}
// expect: tests/bad_bodies/job_uses_view.c:12:11: error: function 'scout_job' (reached from system 'scout') uses 'scout_view' in the job of 'scout': a job sees only its input and its result, never the live world
