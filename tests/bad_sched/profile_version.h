/* A malformed profile (version) is an error with its location, not a silent
 * fallback to estimates. */
// args: --profile tests/bad_sched/profile_version.json
#include "common/profile_game.h"
// expect: tests/bad_sched/profile_version.json:1:1: error: profile version must be 1
