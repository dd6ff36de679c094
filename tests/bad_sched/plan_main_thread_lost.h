/* draw is declared ECS_MAIN_THREAD, the plan lets it run anywhere. */
// args: --plan tests/bad_sched/plan_main_thread_lost.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:16:1: error: unsafe plan: 'draw' is declared ECS_MAIN_THREAD but the plan does not pin it to the main thread
