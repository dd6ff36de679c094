/* A job counts its runs in a global: jobs run on job threads beside every
 * system and beside themselves. */
#include "bodies.h"

static int64_t asked;

void scout_job(const scout_job_in *in, scout_job_out *out) {
    asked++;
    out->target = (Target){in->x + 1.0f, in->y};
}
// expect: tests/bad_bodies/job_global_write.c:8:5: error: function 'scout_job' (reached from system 'scout') writes global 'asked' (incremented), but it is the job of 'scout', which runs on job threads beside every system and beside itself: a job writes only its result
