/* overhead_profile.c -- W4's frames in isolation, for counting instructions
 * with callgrind (bench/profile_w4.sh builds and runs it): the W4 world of
 * bench/bench_w4.c (400 systems, 100 Busy entities) at 1 thread, or the
 * thread count given, 100 warm-up frames, then N profiled frames inside
 * profiled_frames, so callgrind's counts divided by N are per frame. The
 * timed figures are ecsbench W4's; this tells where the instructions go. */
#include "overhead.h"

#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int profiled_frames(rt_world *w, int32_t n) {
    int err = 0;
    for (int32_t f = 0; f < n; f++) err |= rt_world_frame(w, 1.0f / 60.0f);
    return err;
}

int main(int argc, char **argv) {
    int32_t n = argc > 1 ? atoi(argv[1]) : 1000;
    int32_t threads = argc > 2 ? atoi(argv[2]) : 1;
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &overhead_program,
                                                   .threads = threads});
    if (!w) return 1;
    for (int32_t i = 0; i < 100; i++) Busy_create(w, NULL);
    int err = 0;
    for (int32_t f = 0; f < 100; f++) err |= rt_world_frame(w, 1.0f / 60.0f);
    err |= profiled_frames(w, n);
    printf("%d frames, error %d, Busy %d\n", n, err, rt_world_count(w, Busy_id));
    rt_world_destroy(w);
    return err != 0;
}
