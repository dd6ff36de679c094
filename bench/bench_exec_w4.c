/* bench_exec_w4.c -- bodies of workload W4 (bench/schemas/exec_w4.h): 200
 * systems that add one to a float of each entity they see, and 200 over an
 * archetype without entities (never called). */
#include "exec_w4.h"

#define BUSY(i)                                                         \
    void w4_busy_##i(w4_busy_##i##_view v) {                            \
        for (int32_t k = 0; k < v.count; k++) v.counter.v[k] += 1.0f;   \
    }                                                                   \
    void w4_idle_##i(w4_idle_##i##_view v) {                            \
        for (int32_t k = 0; k < v.count; k++) v.unused.v[k] += 1.0f;    \
    }
#define BUSY10(p) BUSY(p##0) BUSY(p##1) BUSY(p##2) BUSY(p##3) BUSY(p##4) \
                  BUSY(p##5) BUSY(p##6) BUSY(p##7) BUSY(p##8) BUSY(p##9)

/* 0..9, then 10..199 */
BUSY(0) BUSY(1) BUSY(2) BUSY(3) BUSY(4) BUSY(5) BUSY(6) BUSY(7) BUSY(8) BUSY(9)
BUSY10(1) BUSY10(2) BUSY10(3) BUSY10(4) BUSY10(5) BUSY10(6) BUSY10(7) BUSY10(8) BUSY10(9)
BUSY10(10) BUSY10(11) BUSY10(12) BUSY10(13) BUSY10(14) BUSY10(15) BUSY10(16) BUSY10(17)
BUSY10(18) BUSY10(19)

/* The W4 world of bench_exec.c: 100 entities of Busy, none of Idle. */
rt_world *bench_exec_w4_world(int32_t threads, int32_t min_parallel_ns);
int bench_exec_w4_check(rt_world *w, uint64_t frames);

rt_world *bench_exec_w4_world(int32_t threads, int32_t min_parallel_ns) {
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &exec_w4_program,
                                                   .threads = threads,
                                                   .min_parallel_ns = min_parallel_ns});
    if (!w) return NULL;
    for (int i = 0; i < 100; i++)
        if (rt_entity_is_null(Busy_create(w, &(Busy_init){{0.0f}}))) {
            rt_world_destroy(w);
            return NULL;
        }
    return w;
}

/* Every counter is exactly 200 per frame (exact in float below 2^24). */
int bench_exec_w4_check(rt_world *w, uint64_t frames) {
    const float *v = rt_world_table(w, Busy_id)->columns[0];
    for (int i = 0; i < 100; i++)
        if (v[i] != (float)(frames * 200u) || frames * 200u >= (1u << 24)) return -1;
    return rt_world_count(w, Idle_id) == 0 ? 0 : -1;
}
