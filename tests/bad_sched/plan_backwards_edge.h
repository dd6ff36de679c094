/* An edge against the order of the steps. */
// args: --plan tests/bad_sched/plan_backwards_edge.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:14:1: error: unsafe plan: edge 'move' -> 'steer' points backwards: 'move' is step 1, 'steer' step 0
// expect: tests/bad_sched/common/plan_game.h:14:1: error: unsafe plan: 'move' has 0 incoming edges but n_predecessors = 1: it would start too early or never
