/* spawn moved before the sync point that draw runs after: its new
 * entities would be applied before draw, which runs first in the
 * sequential order, and its commands before cull's. */
// args: --plan tests/bad_sched/plan_late_sync.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:15:1: error: unsafe plan: 'cull' and 'spawn' both record commands; 'cull' comes first in the sequential order but step 3 is after step 2, so its commands would be applied second
// expect: tests/bad_sched/common/plan_game.h:16:1: error: unsafe plan: 'spawn' creates 'Boid' entities and 'draw' iterates them, and 'draw' runs first in the sequential order, but the plan applies them at a sync point before 'draw' runs (stage 1 after 0)
