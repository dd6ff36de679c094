/* A malformed profile (no_mean) is an error with its location, not a silent
 * fallback to estimates. */
// args: --profile tests/bad_sched/profile_no_mean.json
#include "common/profile_game.h"
// expect: tests/bad_sched/profile_no_mean.json:1:1: error: profile entry 'move' needs a number "mean_us" >= 0
