/* A malformed profile (not_json) is an error with its location, not a silent
 * fallback to estimates. */
// args: --profile tests/bad_sched/profile_not_json.json
#include "common/profile_game.h"
// expect: tests/bad_sched/profile_not_json.json:1:68: error: profile is not valid JSON
