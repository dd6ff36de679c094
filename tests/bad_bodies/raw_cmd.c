/* Records a command on the raw buffer, bypassing the typed helpers. */
#include "bodies.h"

void age(age_view v) {
    for (int32_t i = 0; i < v.count; i++)
        if (v.health.hp[i] <= 0.0f) rt_cmd_destroy(v.cmd.cmd, v.entity[i]);
}
// expect: tests/bad_bodies/raw_cmd.c:6:37: error: system 'age' calls 'rt_cmd_destroy' on a raw command buffer: record changes with the helpers of 'age_cmd', which only allow what 'age' declares
// expect: tests/bad_bodies/raw_cmd.c:6:58: error: system 'age' uses the raw command buffer ('rt_cmd'): record changes with the helpers of 'age_cmd'
