/* schedule.c -- the order of systems, their dependency graph and sync points.
 *
 * Two systems conflict when running them at the same time could change the
 * result: they share a component on some archetype both iterate (and at least
 * one writes it), share a resource (and at least one writes it), or one makes
 * structural changes (creates, destroys, toggles) that the other must see.
 * Two systems whose tag filters exclude each other on an archetype
 * (ECS_WITH(T) against ECS_WITHOUT(T)) share none of its entities there.
 *
 * Order: explicit constraints (ECS_AFTER / ECS_BEFORE) first; a cycle among
 * them is an error listing each constraint. The execution order is the
 * topological order of the explicit constraints that prefers declaration
 * order (Kahn's algorithm taking the lowest declaration index that is ready),
 * so it is deterministic and equals declaration order when nothing forces
 * otherwise. Every conflicting pair is ordered as in that order: the graph's
 * edges never form a cycle.
 *
 * Sync points: commands recorded by structural systems are applied at the
 * sync before the first later system that must see them (one that iterates
 * an archetype they create or destroy in, or filters on a tag they toggle),
 * and always at the end of the frame. Next: emit.c.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

static bool has_access(const ecs_system *s, ecs_access_kind k, int index) {
    for (int i = 0; i < s->n_access; i++)
        if (s->access[i].kind == k && s->access[i].index == index) return true;
    return false;
}

static bool iterates(const ecs_system *s, int archetype) {
    for (int i = 0; i < s->n_archetypes; i++)
        if (s->archetypes[i] == archetype) return true;
    return false;
}

/* On archetype k, can s and t reach a common entity? Not when one requires a
 * tag the other excludes. */
static bool share_entities(const ecs_model *m, const ecs_system *s,
                           const ecs_system *t, int k) {
    if (!iterates(s, k) || !iterates(t, k)) return false;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->index < 0 || m->types[a->index].kind != ECS_TAG_KIND) continue;
        if (a->kind == ECS_ACCESS_WITH && has_access(t, ECS_ACCESS_WITHOUT, a->index))
            return false;
        if (a->kind == ECS_ACCESS_WITHOUT && has_access(t, ECS_ACCESS_WITH, a->index))
            return false;
    }
    return true;
}

/* Must t see the structural changes recorded by s? */
static bool sees_changes_of(const ecs_model *m, const ecs_system *s,
                            const ecs_system *t) {
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->index < 0) continue;
        /* t iterates the archetype, or reads its count (t creates in it). */
        if ((a->kind == ECS_ACCESS_CREATES || a->kind == ECS_ACCESS_DESTROYS) &&
            (iterates(t, a->index) || has_access(t, ECS_ACCESS_CREATES, a->index)))
            return true;
        if (a->kind == ECS_ACCESS_TOGGLES &&
            (has_access(t, ECS_ACCESS_WITH, a->index) ||
             has_access(t, ECS_ACCESS_WITHOUT, a->index)))
            return true;
    }
    (void)m;
    return false;
}

bool ecs_systems_conflict(const ecs_model *m, int ia, int ib) {
    const ecs_system *s = &m->systems[ia], *t = &m->systems[ib];
    if (sees_changes_of(m, s, t) || sees_changes_of(m, t, s)) return true;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->index < 0 || (a->kind != ECS_ACCESS_READ && a->kind != ECS_ACCESS_WRITE))
            continue;
        for (int j = 0; j < t->n_access; j++) {
            const ecs_access *b = &t->access[j];
            if (b->index != a->index ||
                (b->kind != ECS_ACCESS_READ && b->kind != ECS_ACCESS_WRITE))
                continue;
            if (a->kind == ECS_ACCESS_READ && b->kind == ECS_ACCESS_READ) continue;
            if (m->types[a->index].kind == ECS_RESOURCE_KIND) return true;
            for (int k = 0; k < m->n_archetypes; k++)
                if (share_entities(m, s, t, k)) return true;
        }
    }
    return false;
}

/* Explicit constraints as edges before -> after, with their locations. */
typedef struct constraint {
    int from, to;
    ecs_loc loc;
} constraint;

static int collect_constraints(const ecs_model *m, constraint **out) {
    int n = 0;
    for (int i = 0; i < m->n_systems; i++) n += m->systems[i].n_access;
    constraint *c = xcalloc((size_t)n, sizeof *c);
    n = 0;
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *s = &m->systems[i];
        for (int j = 0; j < s->n_access; j++) {
            const ecs_access *a = &s->access[j];
            if (a->index < 0) continue;
            if (a->kind == ECS_ACCESS_AFTER) c[n++] = (constraint){a->index, i, a->loc};
            if (a->kind == ECS_ACCESS_BEFORE) c[n++] = (constraint){i, a->index, a->loc};
        }
    }
    *out = c;
    return n;
}

/* Report one cycle through the unsorted systems, constraint by constraint. */
static void report_cycle(const ecs_model *m, const constraint *c, int nc,
                         const bool *done) {
    int n = m->n_systems;
    int *next = xcalloc((size_t)n, sizeof *next); /* constraint index */
    for (int i = 0; i < n; i++) next[i] = -1;
    for (int k = 0; k < nc; k++)
        if (!done[c[k].from] && !done[c[k].to] && next[c[k].from] < 0)
            next[c[k].from] = k;
    /* Walk from any unsorted system until a system repeats. */
    int start = 0;
    while (start < n && (done[start] || next[start] < 0)) start++;
    int *seen = xcalloc((size_t)n, sizeof *seen);
    int at = start;
    while (!seen[at]) {
        seen[at] = 1;
        at = c[next[at]].to;
    }
    const ecs_system *first = &m->systems[at];
    ecs_diag(ECS_ERROR, first->loc, "explicit order constraints form a cycle "
             "through system '%s'", first->name);
    int s = at;
    do {
        const constraint *k = &c[next[s]];
        ecs_diag(ECS_NOTE, k->loc, "'%s' runs before '%s' (this constraint)",
                 m->systems[k->from].name, m->systems[k->to].name);
        s = k->to;
    } while (s != at);
    free(seen);
    free(next);
}

ecs_schedule *ecs_schedule_build(const ecs_model *m) {
    int n = m->n_systems;
    ecs_schedule *sc = xcalloc(1, sizeof *sc);
    sc->n = n;
    sc->order = xcalloc((size_t)n, sizeof(int));
    sc->sync_after = xcalloc((size_t)n, sizeof(bool));
    sc->n_succ = xcalloc((size_t)n, sizeof(int));
    sc->succ = xcalloc((size_t)n, sizeof(int *));
    sc->n_preds = xcalloc((size_t)n, sizeof(int));

    constraint *c;
    int nc = collect_constraints(m, &c);
    int *indeg = xcalloc((size_t)n, sizeof(int));
    bool *done = xcalloc((size_t)n, sizeof(bool));
    for (int k = 0; k < nc; k++) indeg[c[k].to]++;
    int placed = 0;
    while (placed < n) {
        int pick = -1;
        for (int i = 0; i < n && pick < 0; i++)
            if (!done[i] && indeg[i] == 0) pick = i;
        if (pick < 0) {
            report_cycle(m, c, nc, done);
            break;
        }
        done[pick] = true;
        sc->order[placed++] = pick;
        for (int k = 0; k < nc; k++)
            if (c[k].from == pick) indeg[c[k].to]--;
    }
    if (placed < n) { /* keep going with declaration order for later passes */
        for (int i = 0; i < n; i++)
            if (!done[i]) sc->order[placed++] = i;
    }

    int *pos = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < n; i++) pos[sc->order[i]] = i;
    /* Edges: conflicts and explicit constraints, oriented by position. */
    bool *edge = xcalloc((size_t)n * (size_t)n, sizeof(bool));
    for (int k = 0; k < nc; k++) edge[(size_t)c[k].from * (size_t)n + (size_t)c[k].to] = true;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (ecs_systems_conflict(m, a, b)) {
                int from = pos[a] < pos[b] ? a : b, to = from == a ? b : a;
                edge[(size_t)from * (size_t)n + (size_t)to] = true;
            }
    for (int i = 0; i < n; i++) {
        sc->succ[i] = xcalloc((size_t)n, sizeof(int));
        for (int p = 0; p < n; p++) { /* successors in execution order */
            int j = sc->order[p];
            if (edge[(size_t)i * (size_t)n + (size_t)j]) {
                sc->succ[i][sc->n_succ[i]++] = j;
                sc->n_preds[j]++;
            }
        }
    }

    /* Sync points: before the first system that must see pending changes. */
    bool *pending = xcalloc((size_t)n, sizeof(bool));
    for (int p = 0; p < n; p++) {
        const ecs_system *t = &m->systems[sc->order[p]];
        for (int q = 0; q < p; q++) {
            if (pending[q] && sees_changes_of(m, &m->systems[sc->order[q]], t)) {
                sc->sync_after[p - 1] = true;
                for (int r = 0; r < p; r++) pending[r] = false;
                break;
            }
        }
        if (t->flags & ECS_SYS_STRUCTURAL) pending[p] = true;
    }
    if (n > 0) sc->sync_after[n - 1] = true; /* end of frame */
    free(pending);
    free(edge);
    free(pos);
    free(done);
    free(indeg);
    free(c);
    return sc;
}

void ecs_schedule_free(ecs_schedule *s) {
    if (!s) return;
    for (int i = 0; i < s->n; i++) free(s->succ[i]);
    free(s->succ);
    free(s->n_succ);
    free(s->n_preds);
    free(s->sync_after);
    free(s->order);
    free(s);
}
