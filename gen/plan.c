/* plan.c -- the plain plan struct that the scheduler fills, emit.c prints and
 * verify.c checks (see the contract above ecs_plan in model.h). It owns its
 * arrays, so a test can copy a good plan and corrupt the copy. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    return p;
}

ecs_plan *ecs_plan_new(int n_systems, int n_steps) {
    ecs_plan *p = xcalloc(1, sizeof *p);
    p->n_systems = n_systems;
    p->n_steps = n_steps;
    p->steps = xcalloc((size_t)n_steps, sizeof *p->steps);
    p->flags = xcalloc((size_t)n_systems, sizeof *p->flags);
    p->n_succ = xcalloc((size_t)n_systems, sizeof *p->n_succ);
    p->succ = xcalloc((size_t)n_systems, sizeof *p->succ);
    p->n_preds = xcalloc((size_t)n_systems, sizeof *p->n_preds);
    return p;
}

void ecs_plan_free(ecs_plan *p) {
    if (!p) return;
    for (int i = 0; i < p->n_systems; i++) free(p->succ[i]);
    free(p->succ);
    free(p->n_succ);
    free(p->n_preds);
    free(p->flags);
    free(p->steps);
    free(p);
}

ecs_plan *ecs_plan_copy(const ecs_plan *p) {
    ecs_plan *c = ecs_plan_new(p->n_systems, p->n_steps);
    memcpy(c->steps, p->steps, sizeof *p->steps * (size_t)p->n_steps);
    memcpy(c->flags, p->flags, sizeof *p->flags * (size_t)p->n_systems);
    memcpy(c->n_preds, p->n_preds, sizeof *p->n_preds * (size_t)p->n_systems);
    for (int i = 0; i < p->n_systems; i++) {
        c->n_succ[i] = p->n_succ[i];
        c->succ[i] = xcalloc((size_t)p->n_succ[i], sizeof(int));
        if (p->n_succ[i]) memcpy(c->succ[i], p->succ[i], sizeof(int) * (size_t)p->n_succ[i]);
    }
    return c;
}

void ecs_plan_add_edge(ecs_plan *p, int from, int to) {
    int n = p->n_succ[from];
    int *s = realloc(p->succ[from], sizeof(int) * (size_t)(n + 1));
    if (!s) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    s[n] = to;
    p->succ[from] = s;
    p->n_succ[from] = n + 1;
    p->n_preds[to]++;
}

bool ecs_plan_remove_edge(ecs_plan *p, int from, int to) {
    for (int k = 0; k < p->n_succ[from]; k++) {
        if (p->succ[from][k] != to) continue;
        memmove(&p->succ[from][k], &p->succ[from][k + 1],
                sizeof(int) * (size_t)(p->n_succ[from] - k - 1));
        p->n_succ[from]--;
        p->n_preds[to]--;
        return true;
    }
    return false;
}
