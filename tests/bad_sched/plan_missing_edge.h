/* The plan lets two writers of Velocity/readers run together: the edge
 * steer -> move is gone. */
// args: --plan tests/bad_sched/plan_missing_edge.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:13:1: error: unsafe plan: 'steer' and 'move' may run at the same time, but 'steer' writes and 'move' reads component 'Velocity': no path of edges from 'steer' to 'move' and no sync point between them
// expect: tests/bad_sched/common/plan_game.h:13:1: error: unsafe plan: ECS_AFTER(steer) (tests/bad_sched/common/plan_game.h:14:59) requires 'steer' to finish before 'move' starts, but no path of edges or sync point orders them
