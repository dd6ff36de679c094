/* spawn is in no step: it would never run. */
// args: --plan tests/bad_sched/plan_missing_system.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:17:1: error: unsafe plan: 'spawn' is in no step: it would never run
