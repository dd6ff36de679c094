/* The frame does not end with a sync point. */
// args: --plan tests/bad_sched/plan_no_end_sync.json
#include "common/plan_game.h"
// expect: tests/bad_sched/common/plan_game.h:17:1: error: unsafe plan: the last step ('spawn') has no sync point after it: commands recorded in the frame's last stage would wait for the next frame
