/* n_predecessors says draw waits for one edge that does not exist: an
 * executor would never start it. */
// args: --plan tests/bad_sched/plan_wrong_count.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:16:1: error: unsafe plan: 'draw' has 0 incoming edges but n_predecessors = 1: it would start too early or never
