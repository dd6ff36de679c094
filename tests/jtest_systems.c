/* jtest_systems.c -- bodies and the job of tests/schemas/jtest.h. */
#include "jtest_systems.h"

_Atomic(jtest_hook_fn) jtest_hook;

static uint64_t mix(uint64_t x) { /* splitmix64's finalizer */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

Answer jtest_answer(const ask_job_in *in) {
    return (Answer){.value = mix(in->value ^ mix(in->seed + in->jobs)), .jobs = in->jobs + 1,
                    .frame = in->frame};
}

void tick(tick_view v) { v.clock->frame = v.clock->ticks++; }

void ask(ask_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        if (v.answer.jobs[i] >= v.want.jobs[i] || ask_pending(v.jobs, v.entity[i])) continue;
        ask_job_in in = {.seed = v.seed.value[i], .value = v.answer.value[i],
                         .jobs = v.answer.jobs[i], .frame = v.clock->frame,
                         .id = v.entity[i].index};
        ask_submit(v.jobs, v.entity[i], &in); /* refused: it asks again next frame */
    }
}

void ask_job(const ask_job_in *in, ask_job_out *out) {
    jtest_hook_fn hook = atomic_load(&jtest_hook);
    if (hook) hook(in);
    out->answer = jtest_answer(in);
}

/* Replaces the crates whose turn it is: their jobs in flight lose their
 * entity, and new crates may take their entity slots. */
void churn(churn_view v) {
    uint32_t every = v.churn->every;
    if (!every) return;
    for (int32_t i = 0; i < v.count; i++) {
        if (v.seed.value[i] % every != v.clock->frame % every) continue;
        churn_destroy_Crate(v.cmd, v.entity[i]);
        Crate_init init = {.seed = {v.seed.value[i] * 31 + 7}, .want = {v.want.jobs[i]},
                           .lid = {v.lid.shade[i] + 1}};
        churn_create_Crate(v.cmd, &init);
    }
}
