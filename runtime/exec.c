/* exec.c -- executes the plan of a program, one frame at a time.
 *
 * The plan (rt_program.steps) lists systems in an order that respects every
 * dependency edge, with the sync points where pending commands are applied.
 * This executor runs the steps in order on the calling thread; each system
 * runs over every matched archetype's live rows through its generated entry
 * point, or once when it iterates no entities. The entry point takes a row
 * range, so a parallel executor can split the same call into chunks. */
#include "rt_internal.h"

static void run_system(rt_world *w, int32_t index) {
    const rt_system_desc *s = &w->program->systems[index];
    rt_cmd *cmd = &w->cmd;
    cmd->system = index;
    uint64_t t0 = rt_now_ns();
    if (s->n_matches == 0) {
        s->run_once(w, NULL, 0, 0, cmd);
    } else {
        for (int32_t m = 0; m < s->n_matches; m++) {
            rt_table *t = &w->tables[s->matches[m].archetype];
            if (t->count > 0) s->matches[m].run(w, t, 0, t->count, cmd);
        }
    }
    uint64_t ns = rt_now_ns() - t0;
    cmd->system = -1;
    rt_system_stats *st = &w->system_stats[index];
    st->last_ns = ns;
    st->total_ns += ns;
    if (ns > st->max_ns) st->max_ns = ns;
    st->runs++;
}

int rt__exec_frame(rt_world *w) {
    const rt_program *p = w->program;
    int err = RT_OK;
    for (int32_t i = 0; i < p->n_steps; i++) {
        run_system(w, p->steps[i].system);
        if (p->steps[i].flags & RT_STEP_SYNC_AFTER) {
            int e = rt__cmd_apply(w, &w->cmd);
            if (err == RT_OK) err = e;
        }
    }
    if (w->cmd.size || w->cmd.lost) { /* a plan always ends in a sync */
        int e = rt__cmd_apply(w, &w->cmd);
        if (err == RT_OK) err = e;
    }
    return err;
}
