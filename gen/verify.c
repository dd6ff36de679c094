/* verify.c -- the independent proof that a plan is safe.
 *
 * The verifier trusts nothing the scheduler computed. From the checked model
 * alone it re-derives the sequential order (explicit constraints and phases,
 * then declaration order) and every requirement between two systems, with
 * its own plain loops over access lists rather than the scheduler's bit
 * sets, and then checks the plan (a plain ecs_plan: from the scheduler, from
 * JSON, from a compiled rt_program, or corrupted by a test):
 *
 *   shape     every system in exactly one step; edges go forward in the
 *             steps and stay inside a stage; n_preds counts them
 *   unordered two systems that write/write or read/write one component on
 *             entities both reach, or one resource, are ordered: a path of
 *             edges inside a stage, or a sync point between them
 *   no sync   a system that iterates an archetype another creates or
 *             destroys in earlier (or filters on a tag it toggled) has a
 *             sync point between them
 *   late sync a system that runs first in the sequential order is not placed
 *             after a sync point that applies a later system's changes
 *   commands  systems that record commands keep the sequential order in the
 *             steps, which is the order their commands are applied in
 *   explicit  ECS_AFTER / ECS_BEFORE and phases hold as happens-before
 *   thread    main-thread systems are flagged so; a system that writes a
 *             resource while iterating entities is never split into chunks
 *   end sync  the frame ends with a sync point
 *
 * Every violation is reported with both systems and the reason in words.
 * Next: emit.c prints the plan once it has been proven. */
#include "model.h"

#include <stdarg.h>
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

typedef struct verifier {
    const ecs_model *m;
    const ecs_plan *p;
    bool report;
    ecs_verify_result *out;
    int found;
    int *seq;        /* sequential position of each system */
    int *stage;      /* stage of each system in the plan */
    int *step;       /* step position of each system */
    unsigned char *reach; /* [n][n]: path of edges from a to b */
} verifier;

static const char *sname(const verifier *v, int i) { return v->m->systems[i].name; }

static void violation(verifier *v, ecs_violation_kind kind, int a, int b, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void violation(verifier *v, ecs_violation_kind kind, int a, int b, const char *fmt, ...) {
    ecs_violation x = {kind, a, b, ""};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x.message, sizeof x.message, fmt, ap);
    va_end(ap);
    v->found++;
    if (v->report) {
        ecs_loc loc = a >= 0 ? v->m->systems[a].loc : (ecs_loc){0};
        ecs_diag(ECS_ERROR, loc, "unsafe plan: %s", x.message);
    }
    ecs_verify_result *r = v->out;
    if (!r) return;
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        ecs_violation *nv = realloc(r->v, sizeof *nv * (size_t)cap);
        if (!nv) {
            r->n++;
            return;
        }
        r->v = nv;
        r->cap = cap;
    }
    r->v[r->n++] = x;
}

/* --- the plan's shape ------------------------------------------------------------ */

static bool check_shape(verifier *v) {
    const ecs_plan *p = v->p;
    int n = v->m->n_systems;
    if (p->n_systems != n) {
        violation(v, ECS_VIOLATION_SHAPE, -1, -1, "the plan has %d systems, the schemas "
                  "declare %d", p->n_systems, n);
        return false;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) v->step[i] = -1;
    int stage = 0;
    for (int k = 0; k < p->n_steps; k++) {
        int x = p->steps[k].system;
        if (x < 0 || x >= n) {
            violation(v, ECS_VIOLATION_SHAPE, -1, -1, "step %d names system %d, which "
                      "does not exist", k, x);
            ok = false;
            continue;
        }
        if (v->step[x] >= 0) {
            violation(v, ECS_VIOLATION_SHAPE, x, -1, "'%s' appears in steps %d and %d",
                      sname(v, x), v->step[x], k);
            ok = false;
            continue;
        }
        v->step[x] = k;
        v->stage[x] = stage;
        if (p->steps[k].sync_after) stage++;
    }
    for (int i = 0; i < n; i++)
        if (v->step[i] < 0) {
            violation(v, ECS_VIOLATION_SHAPE, i, -1, "'%s' is in no step: it would "
                      "never run", sname(v, i));
            ok = false;
        }
    if (!ok) return false;
    int *preds = xcalloc((size_t)n, sizeof(int));
    for (int a = 0; a < n; a++) {
        for (int k = 0; k < p->n_succ[a]; k++) {
            int b = p->succ[a][k];
            if (b < 0 || b >= n) {
                violation(v, ECS_VIOLATION_SHAPE, a, -1, "'%s' has successor %d, which "
                          "does not exist", sname(v, a), b);
                ok = false;
                continue;
            }
            preds[b]++;
            for (int j = 0; j < k; j++)
                if (p->succ[a][j] == b) {
                    violation(v, ECS_VIOLATION_SHAPE, a, b, "edge '%s' -> '%s' appears "
                              "twice", sname(v, a), sname(v, b));
                    ok = false;
                }
            if (v->step[b] <= v->step[a]) {
                violation(v, ECS_VIOLATION_SHAPE, a, b, "edge '%s' -> '%s' points "
                          "backwards: '%s' is step %d, '%s' step %d", sname(v, a),
                          sname(v, b), sname(v, a), v->step[a], sname(v, b), v->step[b]);
                ok = false;
            } else if (v->stage[a] != v->stage[b]) {
                violation(v, ECS_VIOLATION_SHAPE, a, b, "edge '%s' -> '%s' crosses a sync "
                          "point: edges join systems of one stage", sname(v, a), sname(v, b));
                ok = false;
            }
        }
    }
    for (int i = 0; i < n; i++)
        if (preds[i] != p->n_preds[i]) {
            violation(v, ECS_VIOLATION_SHAPE, i, -1, "'%s' has %d incoming edges but "
                      "n_predecessors = %d: it would start too early or never",
                      sname(v, i), preds[i], p->n_preds[i]);
            ok = false;
        }
    free(preds);
    return ok;
}

/* reach[a][b]: a path of edges leads from a to b. Edges go forward in the
 * steps (checked), so one pass from the last step back suffices. */
static void compute_reach(verifier *v) {
    const ecs_plan *p = v->p;
    int n = v->m->n_systems;
    v->reach = xcalloc((size_t)n * (size_t)n, 1);
    for (int k = p->n_steps - 1; k >= 0; k--) {
        int a = p->steps[k].system;
        unsigned char *ra = v->reach + (size_t)a * (size_t)n;
        for (int e = 0; e < p->n_succ[a]; e++) {
            int b = p->succ[a][e];
            const unsigned char *rb = v->reach + (size_t)b * (size_t)n;
            ra[b] = 1;
            for (int j = 0; j < n; j++) ra[j] |= rb[j];
        }
    }
}

/* a finishes before b starts. */
static bool happens_before(const verifier *v, int a, int b) {
    if (v->stage[a] != v->stage[b]) return v->stage[a] < v->stage[b];
    return v->reach[(size_t)a * (size_t)v->m->n_systems + (size_t)b] != 0;
}

/* --- the model's requirements, derived again ----------------------------------------- */

static bool declares(const ecs_system *s, ecs_access_kind k, int index) {
    for (int i = 0; i < s->n_access; i++)
        if (s->access[i].kind == k && s->access[i].index == index) return true;
    return false;
}

static bool iterates(const ecs_system *s, int archetype) {
    for (int i = 0; i < s->n_archetypes; i++)
        if (s->archetypes[i] == archetype) return true;
    return false;
}

/* The sequential order: Kahn's algorithm over explicit constraints, taking
 * the ready system declared first, where a system is also held back by every
 * system of an earlier phase. */
static bool sequential(verifier *v) {
    const ecs_model *m = v->m;
    int n = m->n_systems;
    int *from = xcalloc((size_t)n * 4 + 1, sizeof(int)), *to = NULL, n_edges = 0, cap = n * 4;
    to = xcalloc((size_t)cap + 1, sizeof(int));
    for (int y = 0; y < n; y++) {
        const ecs_system *s = &m->systems[y];
        for (int k = 0; k < s->n_access; k++) {
            const ecs_access *a = &s->access[k];
            if (a->index < 0) continue;
            int f, t;
            if (a->kind == ECS_ACCESS_AFTER || a->kind == ECS_ACCESS_ORDERED_AFTER)
                f = a->index, t = y;
            else if (a->kind == ECS_ACCESS_BEFORE || a->kind == ECS_ACCESS_ORDERED_BEFORE)
                f = y, t = a->index;
            else
                continue;
            if (n_edges == cap) {
                cap *= 2;
                int *nf = realloc(from, sizeof(int) * (size_t)cap);
                int *nt = nf ? realloc(to, sizeof(int) * (size_t)cap) : NULL;
                if (!nf || !nt) {
                    fprintf(stderr, "ecsc: error: out of memory\n");
                    exit(2);
                }
                from = nf;
                to = nt;
            }
            from[n_edges] = f;
            to[n_edges++] = t;
        }
    }
    int *indeg = xcalloc((size_t)n, sizeof(int));
    int *phase_left = xcalloc((size_t)m->n_phases + 1, sizeof(int));
    bool *done = xcalloc((size_t)n, sizeof(bool));
    for (int e = 0; e < n_edges; e++) indeg[to[e]]++;
    for (int x = 0; x < n; x++)
        if (m->systems[x].phase >= 0) phase_left[m->systems[x].phase]++;
    bool ok = true;
    for (int placed = 0; placed < n; placed++) {
        int open = 0; /* the earliest phase with systems left */
        while (open < m->n_phases && phase_left[open] == 0) open++;
        int pick = -1;
        for (int x = 0; x < n && pick < 0; x++)
            if (!done[x] && indeg[x] == 0 && m->systems[x].phase <= open) pick = x;
        if (pick < 0) {
            ok = false;
            break;
        }
        done[pick] = true;
        v->seq[pick] = placed;
        if (m->systems[pick].phase >= 0) phase_left[m->systems[pick].phase]--;
        for (int e = 0; e < n_edges; e++)
            if (from[e] == pick) indeg[to[e]]--;
    }
    free(done);
    free(phase_left);
    free(indeg);
    free(from);
    free(to);
    return ok;
}

/* On some archetype both iterate, can a and b reach the same entity? */
static bool share_entities(const ecs_model *m, const ecs_system *a, const ecs_system *b) {
    bool common = false;
    for (int i = 0; i < a->n_archetypes && !common; i++) common = iterates(b, a->archetypes[i]);
    if (!common) return false;
    for (int i = 0; i < a->n_access; i++) {
        const ecs_access *x = &a->access[i];
        if ((x->kind != ECS_ACCESS_WITH && x->kind != ECS_ACCESS_WITHOUT) || x->index < 0 ||
            m->types[x->index].kind != ECS_TAG_KIND)
            continue;
        if (x->kind == ECS_ACCESS_WITH && declares(b, ECS_ACCESS_WITHOUT, x->index)) return false;
        if (x->kind == ECS_ACCESS_WITHOUT && declares(b, ECS_ACCESS_WITH, x->index)) return false;
    }
    return true;
}

/* Does `obs` see the structural changes `ch` records? Names what in `what`. */
static bool sees_changes(const ecs_model *m, const ecs_system *ch, const ecs_system *obs,
                         char *what, size_t size) {
    for (int i = 0; i < ch->n_access; i++) {
        const ecs_access *x = &ch->access[i];
        if (x->index < 0) continue;
        if (x->kind == ECS_ACCESS_CREATES || x->kind == ECS_ACCESS_DESTROYS) {
            bool it = iterates(obs, x->index), counts = declares(obs, ECS_ACCESS_CREATES, x->index);
            if (it || counts) {
                snprintf(what, size, "'%s' %s '%s' entities and '%s' %s them", ch->name,
                         x->kind == ECS_ACCESS_CREATES ? "creates" : "destroys",
                         m->archetypes[x->index].name, obs->name, it ? "iterates" : "counts");
                return true;
            }
        }
        if (x->kind == ECS_ACCESS_TOGGLES &&
            (declares(obs, ECS_ACCESS_WITH, x->index) || declares(obs, ECS_ACCESS_WITHOUT, x->index))) {
            for (int k = 0; k < obs->n_archetypes; k++)
                if (ecs_archetype_has(&m->archetypes[obs->archetypes[k]], x->index)) {
                    snprintf(what, size, "'%s' toggles '%s' and '%s' filters on it", ch->name,
                             m->types[x->index].name, obs->name);
                    return true;
                }
        }
    }
    return false;
}

/* First data conflict between a and b, in words; false if none. */
static bool data_conflict(const ecs_model *m, const ecs_system *a, const ecs_system *b,
                          char *what, size_t size) {
    bool shared = false, shared_known = false;
    for (int i = 0; i < a->n_access; i++) {
        const ecs_access *x = &a->access[i];
        if (x->index < 0 || (x->kind != ECS_ACCESS_READ && x->kind != ECS_ACCESS_WRITE)) continue;
        for (int j = 0; j < b->n_access; j++) {
            const ecs_access *y = &b->access[j];
            if (y->index != x->index || (y->kind != ECS_ACCESS_READ && y->kind != ECS_ACCESS_WRITE))
                continue;
            if (x->kind == ECS_ACCESS_READ && y->kind == ECS_ACCESS_READ) continue;
            const ecs_type *t = &m->types[x->index];
            if (t->kind != ECS_RESOURCE_KIND) {
                if (!shared_known) {
                    shared = share_entities(m, a, b);
                    shared_known = true;
                }
                if (!shared) continue;
            }
            snprintf(what, size, "'%s' %s and '%s' %s %s '%s'", a->name,
                     x->kind == ECS_ACCESS_WRITE ? "writes" : "reads", b->name,
                     y->kind == ECS_ACCESS_WRITE ? "writes" : "reads",
                     t->kind == ECS_RESOURCE_KIND ? "resource" : "component", t->name);
            return true;
        }
    }
    return false;
}

/* The explicit constraint from a to b, if either declares one. */
static const ecs_access *explicit_between(const ecs_system *sa, int a, const ecs_system *sb, int b) {
    for (int i = 0; i < sa->n_access; i++)
        if (sa->access[i].kind == ECS_ACCESS_BEFORE && sa->access[i].index == b)
            return &sa->access[i];
    for (int i = 0; i < sb->n_access; i++)
        if (sb->access[i].kind == ECS_ACCESS_AFTER && sb->access[i].index == a)
            return &sb->access[i];
    return NULL;
}

static void check_pair(verifier *v, int a, int b) {
    const ecs_model *m = v->m;
    const ecs_system *sa = &m->systems[a], *sb = &m->systems[b];
    char what[400];
    bool hb = happens_before(v, a, b);
    if (!hb && data_conflict(m, sa, sb, what, sizeof what))
        violation(v, ECS_VIOLATION_UNORDERED, a, b, "'%s' and '%s' may run at the same "
                  "time, but %s: no path of edges from '%s' to '%s' and no sync point "
                  "between them", sa->name, sb->name, what, sa->name, sb->name);
    if (v->stage[a] >= v->stage[b] && sees_changes(m, sa, sb, what, sizeof what))
        violation(v, ECS_VIOLATION_NO_SYNC, a, b, "%s, but no sync point applies them "
                  "between '%s' (stage %d) and '%s' (stage %d)", what, sa->name,
                  v->stage[a], sb->name, v->stage[b]);
    if (v->stage[a] > v->stage[b] && sees_changes(m, sb, sa, what, sizeof what))
        violation(v, ECS_VIOLATION_LATE_SYNC, a, b, "%s, and '%s' runs first in the "
                  "sequential order, but the plan applies them at a sync point before "
                  "'%s' runs (stage %d after %d)", what, sa->name, sa->name, v->stage[a],
                  v->stage[b]);
    if ((sa->flags & ECS_SYS_STRUCTURAL) && (sb->flags & ECS_SYS_STRUCTURAL) &&
        v->step[a] > v->step[b])
        violation(v, ECS_VIOLATION_COMMAND_ORDER, a, b, "'%s' and '%s' both record "
                  "commands; '%s' comes first in the sequential order but step %d is after "
                  "step %d, so its commands would be applied second", sa->name, sb->name,
                  sa->name, v->step[a], v->step[b]);
    const ecs_access *x = explicit_between(sa, a, sb, b);
    if (x && !hb)
        violation(v, ECS_VIOLATION_EXPLICIT, a, b, "ECS_%s(%s) (%s:%u:%u) requires '%s' "
                  "to finish before '%s' starts, but no path of edges or sync point "
                  "orders them", x->kind == ECS_ACCESS_BEFORE ? "BEFORE" : "AFTER",
                  x->kind == ECS_ACCESS_BEFORE ? sb->name : sa->name,
                  x->loc.file ? x->loc.file : "?", x->loc.line, x->loc.col, sa->name, sb->name);
    if (sa->phase >= 0 && sb->phase > sa->phase && !hb)
        violation(v, ECS_VIOLATION_PHASE, a, b, "'%s' (phase '%s') must finish before "
                  "'%s' (phase '%s') starts, but no path of edges or sync point orders them",
                  sa->name, m->phases[sa->phase].name, sb->name, m->phases[sb->phase].name);
}

static void check_threads(verifier *v) {
    const ecs_model *m = v->m;
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *s = &m->systems[i];
        uint32_t f = v->p->flags[i];
        bool structural = false, writes_resource = false;
        for (int k = 0; k < s->n_access; k++) {
            const ecs_access *a = &s->access[k];
            structural |= a->kind == ECS_ACCESS_CREATES || a->kind == ECS_ACCESS_DESTROYS ||
                          a->kind == ECS_ACCESS_TOGGLES;
            writes_resource |= a->kind == ECS_ACCESS_WRITE && a->index >= 0 &&
                               m->types[a->index].kind == ECS_RESOURCE_KIND;
        }
        if (declares(s, ECS_ACCESS_MAIN_THREAD, -1) != ((f & ECS_SYS_MAIN_THREAD) != 0))
            violation(v, ECS_VIOLATION_THREAD, i, -1, "'%s' is %sdeclared ECS_MAIN_THREAD "
                      "but the plan %s it to the main thread", s->name,
                      f & ECS_SYS_MAIN_THREAD ? "not " : "",
                      f & ECS_SYS_MAIN_THREAD ? "pins" : "does not pin");
        if (declares(s, ECS_ACCESS_SERIAL, -1) && !(f & (ECS_SYS_SERIAL | ECS_SYS_MAIN_THREAD)))
            violation(v, ECS_VIOLATION_THREAD, i, -1, "'%s' is declared ECS_SERIAL but "
                      "the plan may split it into chunks", s->name);
        if (s->n_archetypes && writes_resource && !(f & (ECS_SYS_SERIAL | ECS_SYS_MAIN_THREAD)))
            violation(v, ECS_VIOLATION_THREAD, i, -1, "'%s' writes a resource while "
                      "iterating entities, but the plan may split it into chunks that "
                      "would write it at the same time", s->name);
        if (structural != ((f & ECS_SYS_STRUCTURAL) != 0))
            violation(v, ECS_VIOLATION_THREAD, i, -1, "'%s' %s commands but the plan "
                      "%s it as structural", s->name, structural ? "records" : "records no",
                      structural ? "does not mark" : "marks");
    }
}

int ecs_verify(const ecs_model *m, const ecs_plan *p, bool report, ecs_verify_result *out) {
    int n = m->n_systems;
    verifier v = {m, p, report, out, 0, xcalloc((size_t)n, sizeof(int)),
                  xcalloc((size_t)n, sizeof(int)), xcalloc((size_t)n, sizeof(int)), NULL};
    if (check_shape(&v)) {
        if (!sequential(&v)) {
            violation(&v, ECS_VIOLATION_EXPLICIT, -1, -1, "explicit order constraints "
                      "form a cycle: no plan can respect them");
        } else {
            compute_reach(&v);
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    bool i_first = v.seq[i] < v.seq[j];
                    check_pair(&v, i_first ? i : j, i_first ? j : i);
                }
            check_threads(&v);
            if (p->n_steps > 0 && !p->steps[p->n_steps - 1].sync_after)
                violation(&v, ECS_VIOLATION_END_SYNC, p->steps[p->n_steps - 1].system, -1,
                          "the last step ('%s') has no sync point after it: commands "
                          "recorded in the frame's last stage would wait for the next frame",
                          sname(&v, p->steps[p->n_steps - 1].system));
        }
    }
    free(v.reach);
    free(v.seq);
    free(v.stage);
    free(v.step);
    return v.found;
}

void ecs_verify_result_free(ecs_verify_result *r) {
    if (!r) return;
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}
