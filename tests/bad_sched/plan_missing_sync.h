/* No sync point between cull, which toggles Hidden, and draw, which
 * filters on it. */
// args: --plan tests/bad_sched/plan_missing_sync.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:14:1: error: unsafe plan: 'move' and 'draw' may run at the same time, but 'move' writes and 'draw' reads component 'Position': no path of edges from 'move' to 'draw' and no sync point between them
// expect: tests/bad_sched/common/plan_game.h:15:1: error: unsafe plan: 'cull' toggles 'Hidden' and 'draw' filters on it, but no sync point applies them between 'cull' (stage 0) and 'draw' (stage 0)
// expect: tests/bad_sched/common/plan_game.h:15:1: error: unsafe plan: ECS_AFTER(cull) (tests/bad_sched/common/plan_game.h:16:76) requires 'cull' to finish before 'draw' starts, but no path of edges or sync point orders them
