/* schedule.c -- from declared access to a verified-safe parallel plan.
 *
 * 1. The sequential order. Explicit constraints (ECS_AFTER, ECS_BEFORE,
 *    ECS_ORDERED_AFTER, ECS_ORDERED_BEFORE, phases) form a graph; its
 *    topological order that always takes the ready system declared first
 *    (Kahn's algorithm) is the sequential order. It is deterministic and
 *    equals declaration order wherever no constraint says otherwise. A cycle
 *    is an error that lists each constraint of the cycle with its location.
 *    The plan must give the same result as running the systems one by one in
 *    this order, applying each one's commands right after it.
 *
 * 2. Relations. For every pair of systems, with `first` the one earlier in
 *    the sequential order, each rule of ECS_RULES (model.h) that applies is
 *    a reason, and the strongest reason sets what the plan must guarantee:
 *      component   write/write or read/write of a component on entities both
 *                  can reach (a shared archetype, unless tag filters are
 *                  disjoint: ECS_WITH(T) against ECS_WITHOUT(T))   -> before
 *      resource    write/write or read/write of a resource          -> before
 *      structural  second iterates (or counts) an archetype first creates or
 *                  destroys in, or filters on a tag first toggles   -> sync
 *      deferred    the reverse: first iterates what second changes; first
 *                  must not see it, so second's commands may not be applied
 *                  before first runs                                -> stage
 *      commands    both record commands: applied in sequential order-> stage
 *      explicit    ECS_AFTER / ECS_BEFORE                           -> before
 *      phase       systems of consecutive phases                    -> before
 *    "before" is a happens-before: a path in the plan's graph or a sync point
 *    between them; "sync" is a sync point between them; "stage" only forbids
 *    a sync point between second and first. A pair with a component,
 *    resource, structural or deferred reason conflicts; a conflict that no
 *    chain of explicit constraints orders is ordered only by declaration
 *    order, and is reported as ambiguous (one warning per system, then a
 *    count) unless ECS_ALLOW_AMBIGUOUS marks it.
 *
 * 3. Stages. Sync points cut the steps into stages; a pair that needs a sync
 *    sits in different stages, and no other sync is placed: the fewest stages
 *    that the "sync" pairs allow (earliest stage for each system), then each
 *    system moved, within what its relations allow, to the stage where the
 *    sum of the stages' critical paths is lowest. Costs are measured (a
 *    profile) or estimated from the archetypes' expected sizes and the
 *    fields a system touches.
 *
 * 4. The plan. Steps are stages in order, each in sequential order, with a
 *    sync after the last step of each stage. Edges are the transitive
 *    reduction of the "before" pairs, kept only inside a stage (the barrier
 *    orders the rest). verify.c re-derives every requirement from the model
 *    on its own and proves the plan meets it. Next: verify.c, emit.c.
 */
#include "model.h"
#include "bits.h"

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

static void *xrealloc(void *p, size_t size) {
    p = realloc(p, size ? size : 1);
    if (!p) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    return p;
}

ecs_req ecs_rule_req(ecs_rule r) {
    switch (r) {
    case ECS_RULE_ORDERED: return ECS_REQ_NONE;
    case ECS_RULE_COMMANDS:
    case ECS_RULE_DEFERRED: return ECS_REQ_STAGE;
    case ECS_RULE_EXPLICIT:
    case ECS_RULE_PHASE:
    case ECS_RULE_COMPONENT:
    case ECS_RULE_RESOURCE: return ECS_REQ_HB;
    case ECS_RULE_STRUCTURAL: return ECS_REQ_SYNC;
    default: return ECS_REQ_NONE;
    }
}

static bool rule_conflicts(ecs_rule r) {
    return r == ECS_RULE_COMPONENT || r == ECS_RULE_RESOURCE ||
           r == ECS_RULE_STRUCTURAL || r == ECS_RULE_DEFERRED;
}

/* --- access sets ------------------------------------------------------------- */

typedef struct access_sets {
    uint64_t *read, *write;   /* types: components and resources */
    uint64_t *arch;           /* archetypes iterated */
    uint64_t *with, *without; /* tags filtered on */
    uint64_t *changes;        /* archetypes it creates or destroys in */
    uint64_t *toggles;        /* tags it toggles */
    uint64_t *observes;       /* archetypes whose structural changes it sees */
    uint64_t *observes_tags;  /* tags whose toggling it sees */
} access_sets;

/* An explicit constraint as an edge of the order graph. Nodes [0, n) are
 * systems, [n, n + gates) are the boundaries between consecutive phases: a
 * system of phase p points to gate p and gate p - 1 points to it, so the
 * graph stays linear in size however many systems a phase holds. */
typedef struct constraint {
    int from, to;
    ecs_rule rule;            /* EXPLICIT, ORDERED or PHASE */
    int declarer;             /* system whose access list holds it; -1 */
    ecs_access_kind via;
    ecs_loc loc;
} constraint;

typedef struct sched {
    const ecs_model *m;
    const ecs_schedule_desc *desc;
    ecs_schedule *s;
    int n, n_nodes, gates;
    size_t wt, wa, ws;        /* words per set of types, archetypes, systems */
    access_sets *acc;
    uint64_t *pool;
    int n_cons;
    constraint *cons;
    int *out_off, *out_con;   /* order graph, by source node */
    uint64_t *reach;          /* [n_nodes][ws]: explicit order closure */
    int *node_order;          /* topological order of all nodes */
    /* stage constraints: relations with req >= STAGE, by second and first */
    int *in_off, *in_rel, *out_off_r, *out_rel;
    /* transitive reduction of the "before" pairs */
    int *red_off, *red;
    int *next_phase;          /* per phase: the next phase holding a system */
} sched;

static uint64_t *take(uint64_t **pool, size_t words) {
    uint64_t *p = *pool;
    *pool += words;
    return p;
}

static void build_sets(sched *c) {
    const ecs_model *m = c->m;
    int n = c->n;
    c->wt = ECS_BITS_WORDS(m->n_types);
    c->wa = ECS_BITS_WORDS(m->n_archetypes);
    c->ws = ECS_BITS_WORDS(n);
    size_t per = 6 * c->wt + 3 * c->wa; /* the sets of access_sets */
    c->pool = xcalloc((size_t)n * per, sizeof(uint64_t));
    c->acc = xcalloc((size_t)n, sizeof *c->acc);
    uint64_t *pool = c->pool;
    for (int i = 0; i < n; i++) {
        access_sets *a = &c->acc[i];
        a->read = take(&pool, c->wt);
        a->write = take(&pool, c->wt);
        a->with = take(&pool, c->wt);
        a->without = take(&pool, c->wt);
        a->toggles = take(&pool, c->wt);
        a->observes_tags = take(&pool, c->wt);
        a->arch = take(&pool, c->wa);
        a->changes = take(&pool, c->wa);
        a->observes = take(&pool, c->wa);
        const ecs_system *s = &m->systems[i];
        for (int k = 0; k < s->n_archetypes; k++) {
            ecs_bits_set(a->arch, s->archetypes[k]);
            ecs_bits_set(a->observes, s->archetypes[k]);
        }
        for (int k = 0; k < s->n_access; k++) {
            const ecs_access *x = &s->access[k];
            if (x->index < 0) continue;
            switch (x->kind) {
            case ECS_ACCESS_READ: ecs_bits_set(a->read, x->index); break;
            case ECS_ACCESS_WRITE: ecs_bits_set(a->write, x->index); break;
            case ECS_ACCESS_WITH:
                if (m->types[x->index].kind == ECS_TAG_KIND) ecs_bits_set(a->with, x->index);
                break;
            case ECS_ACCESS_WITHOUT:
                if (m->types[x->index].kind == ECS_TAG_KIND)
                    ecs_bits_set(a->without, x->index);
                break;
            case ECS_ACCESS_CREATES:
                ecs_bits_set(a->changes, x->index);
                ecs_bits_set(a->observes, x->index); /* it reads the count */
                break;
            case ECS_ACCESS_DESTROYS: ecs_bits_set(a->changes, x->index); break;
            case ECS_ACCESS_TOGGLES: ecs_bits_set(a->toggles, x->index); break;
            default: break;
            }
        }
        /* A filter on tag T sees T toggled on the archetypes it iterates. */
        for (int k = 0; k < s->n_access; k++) {
            const ecs_access *x = &s->access[k];
            if (x->index < 0 || (x->kind != ECS_ACCESS_WITH && x->kind != ECS_ACCESS_WITHOUT) ||
                m->types[x->index].kind != ECS_TAG_KIND)
                continue;
            for (int j = 0; j < s->n_archetypes; j++)
                if (ecs_archetype_has(&m->archetypes[s->archetypes[j]], x->index))
                    ecs_bits_set(a->observes_tags, x->index);
        }
    }
}

/* --- 1. the sequential order --------------------------------------------------- */

static void add_constraint(sched *c, constraint k) {
    if ((c->n_cons & (c->n_cons - 1)) == 0)
        c->cons = xrealloc(c->cons, sizeof *c->cons * (size_t)(c->n_cons ? 2 * c->n_cons : 4));
    c->cons[c->n_cons++] = k;
}

static void build_constraints(sched *c) {
    const ecs_model *m = c->m;
    int n = c->n;
    c->gates = m->n_phases > 1 ? m->n_phases - 1 : 0;
    c->n_nodes = n + c->gates;
    for (int i = 0; i < n; i++) {
        const ecs_system *s = &m->systems[i];
        for (int k = 0; k < s->n_access; k++) {
            const ecs_access *a = &s->access[k];
            if (a->index < 0) continue;
            constraint x = {.declarer = i, .via = a->kind, .loc = a->loc};
            switch (a->kind) {
            case ECS_ACCESS_AFTER:
                x.from = a->index, x.to = i, x.rule = ECS_RULE_EXPLICIT;
                break;
            case ECS_ACCESS_BEFORE:
                x.from = i, x.to = a->index, x.rule = ECS_RULE_EXPLICIT;
                break;
            case ECS_ACCESS_ORDERED_AFTER:
                x.from = a->index, x.to = i, x.rule = ECS_RULE_ORDERED;
                break;
            case ECS_ACCESS_ORDERED_BEFORE:
                x.from = i, x.to = a->index, x.rule = ECS_RULE_ORDERED;
                break;
            case ECS_ACCESS_IN_PHASE:
                x.rule = ECS_RULE_PHASE;
                if (s->phase != a->index) continue; /* a second phase: reported */
                if (a->index < c->gates) {
                    x.from = i, x.to = n + a->index;
                    add_constraint(c, x);
                }
                if (a->index > 0 && c->gates) {
                    x.from = n + a->index - 1, x.to = i;
                    add_constraint(c, x);
                }
                continue;
            default:
                continue;
            }
            add_constraint(c, x);
        }
    }
    for (int g = 0; g + 1 < c->gates; g++)
        add_constraint(c, (constraint){n + g, n + g + 1, ECS_RULE_PHASE, -1,
                                       ECS_ACCESS_IN_PHASE, m->phases[g + 1].loc});
    c->out_off = xcalloc((size_t)c->n_nodes + 1, sizeof(int));
    c->out_con = xcalloc((size_t)c->n_cons, sizeof(int));
    for (int k = 0; k < c->n_cons; k++) c->out_off[c->cons[k].from + 1]++;
    for (int v = 0; v < c->n_nodes; v++) c->out_off[v + 1] += c->out_off[v];
    int *fill = xcalloc((size_t)c->n_nodes, sizeof(int));
    for (int k = 0; k < c->n_cons; k++) {
        int v = c->cons[k].from;
        c->out_con[c->out_off[v] + fill[v]++] = k;
    }
    free(fill);
}

static const char *node_name(const sched *c, int v) {
    return v < c->n ? c->m->systems[v].name : "(phase boundary)";
}

/* One cycle through the strongly connected set `in_scc` (a node flag),
 * found by a breadth-first search from its first-declared system back to
 * itself, then reported hop by hop. Gates are folded into phase hops. */
static void report_cycle(sched *c, const bool *in_scc, int start) {
    int nn = c->n_nodes;
    int *via = xcalloc((size_t)nn, sizeof(int)); /* constraint reaching node */
    int *queue = xcalloc((size_t)nn, sizeof(int));
    for (int v = 0; v < nn; v++) via[v] = -1;
    int head = 0, tail = 0, closing = -1;
    queue[tail++] = start;
    while (head < tail && closing < 0) {
        int v = queue[head++];
        for (int e = c->out_off[v]; e < c->out_off[v + 1]; e++) {
            int k = c->out_con[e], w = c->cons[k].to;
            if (!in_scc[w]) continue;
            if (w == start) {
                closing = k;
                break;
            }
            if (via[w] < 0) {
                via[w] = k;
                queue[tail++] = w;
            }
        }
    }
    int n_hops = 0;
    int *hops = xcalloc((size_t)nn + 1, sizeof(int));
    for (int k = closing; k >= 0; k = c->cons[k].from == start ? -1 : via[c->cons[k].from])
        hops[n_hops++] = k;
    /* hops[] is backwards: reverse it */
    for (int i = 0; i < n_hops / 2; i++) {
        int t = hops[i];
        hops[i] = hops[n_hops - 1 - i];
        hops[n_hops - 1 - i] = t;
    }
    char names[2048];
    size_t len = (size_t)snprintf(names, sizeof names, "%s", node_name(c, start));
    for (int i = 0; i < n_hops && len < sizeof names; i++) {
        int to = c->cons[hops[i]].to;
        if (to >= c->n) continue;
        len += (size_t)snprintf(names + len, sizeof names - len, " -> %s", node_name(c, to));
    }
    ecs_diag(ECS_ERROR, c->m->systems[start].loc,
             "explicit order constraints form a cycle through system '%s': %s",
             c->m->systems[start].name, names);
    for (int i = 0; i < n_hops; i++) {
        const constraint *k = &c->cons[hops[i]];
        const ecs_model *m = c->m;
        if (k->rule == ECS_RULE_PHASE) {
            if (k->from >= c->n) continue; /* gate -> system: said with the hop in */
            /* system -> gate(s) -> system: one phase hop */
            int j = i;
            while (j < n_hops && c->cons[hops[j]].to >= c->n) j++;
            if (j >= n_hops) break;
            const constraint *last = &c->cons[hops[j]];
            const ecs_system *a = &m->systems[k->from], *b = &m->systems[last->to];
            ecs_diag(ECS_NOTE, last->loc, "'%s' runs before '%s': phase '%s' runs "
                     "before phase '%s'", a->name, b->name, m->phases[a->phase].name,
                     m->phases[b->phase].name);
            i = j;
            continue;
        }
        ecs_diag(ECS_NOTE, k->loc, "'%s' runs before '%s': ECS_%s(%s) on '%s'",
                 m->systems[k->from].name, m->systems[k->to].name,
                 k->via == ECS_ACCESS_AFTER ? "AFTER"
                 : k->via == ECS_ACCESS_BEFORE ? "BEFORE"
                 : k->via == ECS_ACCESS_ORDERED_AFTER ? "ORDERED_AFTER" : "ORDERED_BEFORE",
                 m->systems[k->declarer == k->from ? k->to : k->from].name,
                 m->systems[k->declarer].name);
    }
    free(hops);
    free(queue);
    free(via);
}

/* Tarjan's strongly connected components over the nodes Kahn could not
 * place; each component with more than one node holds a cycle. */
typedef struct tarjan {
    sched *c;
    const bool *left;
    int *index, *low, *stack;
    bool *on_stack;
    int next, top;
} tarjan;

static void strongconnect(tarjan *t, int v) {
    sched *c = t->c;
    t->index[v] = t->low[v] = t->next++;
    t->stack[t->top++] = v;
    t->on_stack[v] = true;
    for (int e = c->out_off[v]; e < c->out_off[v + 1]; e++) {
        int w = c->cons[c->out_con[e]].to;
        if (!t->left[w]) continue;
        if (t->index[w] < 0) {
            strongconnect(t, w);
            if (t->low[w] < t->low[v]) t->low[v] = t->low[w];
        } else if (t->on_stack[w] && t->index[w] < t->low[v]) {
            t->low[v] = t->index[w];
        }
    }
    if (t->low[v] != t->index[v]) return;
    bool *in_scc = xcalloc((size_t)c->n_nodes, sizeof(bool));
    int size = 0, first = -1, w;
    do {
        w = t->stack[--t->top];
        t->on_stack[w] = false;
        in_scc[w] = true;
        size++;
        if (w < c->n && (first < 0 || w < first)) first = w;
    } while (w != v);
    if (size > 1 && first >= 0) report_cycle(c, in_scc, first);
    free(in_scc);
}

static void report_cycles(sched *c, const bool *done) {
    int nn = c->n_nodes;
    bool *left = xcalloc((size_t)nn, sizeof(bool));
    for (int v = 0; v < nn; v++) left[v] = !done[v];
    tarjan t = {c, left, xcalloc((size_t)nn, sizeof(int)), xcalloc((size_t)nn, sizeof(int)),
                xcalloc((size_t)nn, sizeof(int)), xcalloc((size_t)nn, sizeof(bool)), 0, 0};
    for (int v = 0; v < nn; v++) t.index[v] = -1;
    for (int v = 0; v < nn; v++)
        if (left[v] && t.index[v] < 0) strongconnect(&t, v);
    free(t.index);
    free(t.low);
    free(t.stack);
    free(t.on_stack);
    free(left);
}

/* Kahn's algorithm: gates as soon as they are ready, else the ready system
 * declared first. */
static bool sequential_order(sched *c) {
    int nn = c->n_nodes, n = c->n;
    int *indeg = xcalloc((size_t)nn, sizeof(int));
    bool *done = xcalloc((size_t)nn, sizeof(bool));
    for (int k = 0; k < c->n_cons; k++) indeg[c->cons[k].to]++;
    c->node_order = xcalloc((size_t)nn, sizeof(int));
    int placed = 0, systems = 0, lowest = 0;
    while (placed < nn) {
        int pick = -1;
        for (int g = n; g < nn && pick < 0; g++)
            if (!done[g] && indeg[g] == 0) pick = g;
        while (lowest < n && done[lowest]) lowest++;
        for (int i = lowest; i < n && pick < 0; i++)
            if (!done[i] && indeg[i] == 0) pick = i;
        if (pick < 0) break;
        done[pick] = true;
        c->node_order[placed++] = pick;
        if (pick < n) {
            c->s->pos[pick] = systems;
            c->s->order[systems++] = pick;
        }
        for (int e = c->out_off[pick]; e < c->out_off[pick + 1]; e++)
            indeg[c->cons[c->out_con[e]].to]--;
    }
    bool ok = placed == nn;
    if (!ok) report_cycles(c, done);
    free(done);
    free(indeg);
    return ok;
}

/* reach[v]: the systems that explicit constraints place after node v. */
static void explicit_closure(sched *c) {
    c->reach = xcalloc((size_t)c->n_nodes * c->ws, sizeof(uint64_t));
    for (int p = c->n_nodes - 1; p >= 0; p--) {
        int v = c->node_order[p];
        uint64_t *r = c->reach + (size_t)v * c->ws;
        for (int e = c->out_off[v]; e < c->out_off[v + 1]; e++) {
            int w = c->cons[c->out_con[e]].to;
            ecs_bits_or(r, c->reach + (size_t)w * c->ws, c->ws);
            if (w < c->n) ecs_bits_set(r, w);
        }
    }
}

/* --- 2. relations ---------------------------------------------------------------- */

typedef struct reason_buf {
    ecs_reason *r;
    int n, cap;
} reason_buf;

static void push_reason(reason_buf *b, ecs_reason r) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->r = xrealloc(b->r, sizeof *b->r * (size_t)b->cap);
    }
    b->r[b->n++] = r;
}

static ecs_reason reason(ecs_rule rule) {
    return (ecs_reason){.rule = rule, .what = -1, .archetype = -1, .declarer = -1};
}

/* Reasons why `a` (first) and `b` (second) must be ordered, appended to buf. */
static void pair_reasons(sched *c, int a, int b, reason_buf *buf) {
    const ecs_model *m = c->m;
    const access_sets *x = &c->acc[a], *y = &c->acc[b];
    size_t wt = c->wt, wa = c->wa;

    /* component and resource conflicts */
    bool shared = ecs_bits_any_and(x->arch, y->arch, wa) &&
                  !ecs_bits_any_and(x->with, y->without, wt) &&
                  !ecs_bits_any_and(x->without, y->with, wt);
    int meet = shared ? ecs_bits_next_and(x->arch, y->arch, wa, 0) : -1;
    for (size_t w = 0; w < wt; w++) {
        uint64_t both = (x->write[w] & (y->read[w] | y->write[w])) | (x->read[w] & y->write[w]);
        while (both) {
            int t = (int)(w * 64 + (unsigned)__builtin_ctzll(both));
            both &= both - 1;
            bool resource = m->types[t].kind == ECS_RESOURCE_KIND;
            if (!resource && !shared) continue;
            ecs_reason r = reason(resource ? ECS_RULE_RESOURCE : ECS_RULE_COMPONENT);
            r.what = t;
            r.archetype = resource ? -1 : meet;
            r.access = (uint8_t)((ecs_bits_has(x->write, t) ? ECS_ACC_FIRST_WRITES : 0) |
                                 (ecs_bits_has(y->write, t) ? ECS_ACC_SECOND_WRITES : 0));
            push_reason(buf, r);
        }
    }
    /* structural changes: second sees first's; first must not see second's */
    int k = ecs_bits_next_and(x->changes, y->observes, wa, 0);
    if (k >= 0) {
        ecs_reason r = reason(ECS_RULE_STRUCTURAL);
        r.archetype = k;
        push_reason(buf, r);
    }
    int t = ecs_bits_next_and(x->toggles, y->observes_tags, wt, 0);
    if (t >= 0) {
        ecs_reason r = reason(ECS_RULE_STRUCTURAL);
        r.what = t;
        push_reason(buf, r);
    }
    k = ecs_bits_next_and(y->changes, x->observes, wa, 0);
    if (k >= 0) {
        ecs_reason r = reason(ECS_RULE_DEFERRED);
        r.archetype = k;
        push_reason(buf, r);
    }
    t = ecs_bits_next_and(y->toggles, x->observes_tags, wt, 0);
    if (t >= 0) {
        ecs_reason r = reason(ECS_RULE_DEFERRED);
        r.what = t;
        push_reason(buf, r);
    }
    if ((m->systems[a].flags & ECS_SYS_STRUCTURAL) && (m->systems[b].flags & ECS_SYS_STRUCTURAL))
        push_reason(buf, reason(ECS_RULE_COMMANDS));
    /* explicit constraints declared by either system */
    for (int side = 0; side < 2; side++) {
        int v = side ? b : a;
        for (int e = c->out_off[v]; e < c->out_off[v + 1]; e++) {
            const constraint *q = &c->cons[c->out_con[e]];
            if (q->rule == ECS_RULE_PHASE || q->to != (side ? a : b)) continue;
            ecs_reason r = reason(q->rule);
            r.declarer = q->declarer;
            r.via = q->via;
            r.loc = q->loc;
            push_reason(buf, r);
        }
    }
    /* consecutive phases (later ones are ordered through these) */
    int pa = m->systems[a].phase, pb = m->systems[b].phase;
    if (pa >= 0 && pb > pa) {
        if (c->next_phase[pa] == pb) {
            ecs_reason r = reason(ECS_RULE_PHASE);
            r.what = pb;
            r.declarer = b;
            r.via = ECS_ACCESS_IN_PHASE;
            for (int q = 0; q < m->systems[b].n_access; q++)
                if (m->systems[b].access[q].kind == ECS_ACCESS_IN_PHASE)
                    r.loc = m->systems[b].access[q].loc;
            push_reason(buf, r);
        }
    }
}

static bool allows_ambiguity(const ecs_system *s, int other) {
    for (int k = 0; k < s->n_access; k++)
        if (s->access[k].kind == ECS_ACCESS_ALLOW_AMBIGUOUS && s->access[k].index == other)
            return true;
    return false;
}

static const int *sort_pos; /* qsort has no context argument */
static int cmp_relation(const void *pa, const void *pb) {
    const ecs_relation *a = pa, *b = pb;
    int fa = sort_pos[a->first], fb = sort_pos[b->first];
    if (fa != fb) return fa < fb ? -1 : 1;
    int sa = sort_pos[a->second], sb = sort_pos[b->second];
    return sa < sb ? -1 : sa > sb;
}

static void build_relations(sched *c) {
    ecs_schedule *s = c->s;
    const ecs_model *m = c->m;
    int n = c->n;
    reason_buf buf = {0};
    int cap = 0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            int a = s->pos[i] < s->pos[j] ? i : j, b = a == i ? j : i;
            int before = buf.n;
            pair_reasons(c, a, b, &buf);
            if (buf.n == before) continue;
            if (s->n_relations == cap) {
                cap = cap ? 2 * cap : 256;
                s->relations = xrealloc(s->relations, sizeof *s->relations * (size_t)cap);
            }
            ecs_relation r = {.first = a, .second = b, .reasons = before,
                              .n_reasons = buf.n - before};
            for (int k = before; k < buf.n; k++) {
                ecs_req q = ecs_rule_req(buf.r[k].rule);
                if (q > r.req) r.req = q;
                r.conflict |= rule_conflicts(buf.r[k].rule);
            }
            r.explicit_order = ecs_bits_has(c->reach + (size_t)a * c->ws, b);
            r.allowed = allows_ambiguity(&m->systems[a], b) || allows_ambiguity(&m->systems[b], a);
            r.ambiguous = r.conflict && !r.explicit_order && !r.allowed;
            s->n_ambiguous += r.ambiguous;
            s->relations[s->n_relations++] = r;
        }
    }
    /* Sort by position; reasons stay where they are (relations index them). */
    sort_pos = s->pos;
    if (s->n_relations > 1)
        qsort(s->relations, (size_t)s->n_relations, sizeof *s->relations, cmp_relation);
    s->reasons = buf.r;
    s->n_reasons = buf.n;
}

/* --- reasons in words ---------------------------------------------------------- */

static bool declares(const ecs_system *s, ecs_access_kind k, int index) {
    for (int i = 0; i < s->n_access; i++)
        if (s->access[i].kind == k && s->access[i].index == index) return true;
    return false;
}

static const char *macro_of(ecs_access_kind k) {
    switch (k) {
    case ECS_ACCESS_AFTER: return "ECS_AFTER";
    case ECS_ACCESS_BEFORE: return "ECS_BEFORE";
    case ECS_ACCESS_ORDERED_AFTER: return "ECS_ORDERED_AFTER";
    case ECS_ACCESS_ORDERED_BEFORE: return "ECS_ORDERED_BEFORE";
    default: return "ECS_IN_PHASE";
    }
}

void ecs_reason_text(const ecs_model *m, const ecs_relation *r, const ecs_reason *x,
                     char *out, size_t size) {
    const ecs_system *a = &m->systems[r->first], *b = &m->systems[r->second];
    const char *what = x->what >= 0 && x->rule != ECS_RULE_PHASE ? m->types[x->what].name : "";
    const char *arch = x->archetype >= 0 ? m->archetypes[x->archetype].name : "";
    switch (x->rule) {
    case ECS_RULE_COMPONENT:
    case ECS_RULE_RESOURCE: {
        char on[200] = "";
        if (x->rule == ECS_RULE_COMPONENT) snprintf(on, sizeof on, " on '%s'", arch);
        if ((x->access & 3) == 3)
            snprintf(out, size, "both write '%s'%s", what, on);
        else if (x->access & ECS_ACC_FIRST_WRITES)
            snprintf(out, size, "'%s' writes '%s', which '%s' reads%s", a->name, what,
                     b->name, on);
        else
            snprintf(out, size, "'%s' reads '%s', which '%s' writes%s", a->name, what,
                     b->name, on);
        return;
    }
    case ECS_RULE_STRUCTURAL:
    case ECS_RULE_DEFERRED: {
        const ecs_system *ch = x->rule == ECS_RULE_STRUCTURAL ? a : b;
        const ecs_system *ob = ch == a ? b : a;
        char when[300];
        if (x->rule == ECS_RULE_STRUCTURAL)
            snprintf(when, sizeof when, "a sync point must apply them before '%s' runs", ob->name);
        else
            snprintf(when, sizeof when, "'%s' must run before they are applied", ob->name);
        if (x->archetype >= 0) {
            const char *op = declares(ch, ECS_ACCESS_CREATES, x->archetype) ? "creates" : "destroys";
            bool iter = false;
            for (int k = 0; k < ob->n_archetypes; k++) iter |= ob->archetypes[k] == x->archetype;
            const char *sees = iter ? "iterates" : "counts";
            snprintf(out, size, "'%s' %s '%s' entities, which '%s' %s: %s", ch->name, op, arch,
                     ob->name, sees, when);
        } else {
            snprintf(out, size, "'%s' toggles '%s', which '%s' filters on: %s", ch->name, what,
                     ob->name, when);
        }
        return;
    }
    case ECS_RULE_COMMANDS:
        snprintf(out, size, "both record commands, applied in sequential order");
        return;
    case ECS_RULE_EXPLICIT:
    case ECS_RULE_ORDERED: {
        const ecs_system *d = &m->systems[x->declarer];
        const ecs_system *o = d == a ? b : a;
        snprintf(out, size, "%s(%s) on '%s'", macro_of(x->via), o->name, d->name);
        return;
    }
    case ECS_RULE_PHASE:
        snprintf(out, size, "phase '%s' runs before phase '%s'", m->phases[a->phase].name,
                 m->phases[b->phase].name);
        return;
    case ECS_RULE_COUNT:
        break;
    }
    snprintf(out, size, "?");
}

const ecs_relation *ecs_schedule_sync_reason(const ecs_schedule *s, int stage) {
    const ecs_relation *best = NULL;
    int best_score = -1;
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        if (r->req != ECS_REQ_SYNC || s->stage[r->first] > stage || s->stage[r->second] <= stage)
            continue;
        int score = (s->stage[r->first] == stage) + (s->stage[r->second] == stage + 1);
        if (score > best_score) {
            best = r;
            best_score = score;
        }
    }
    return best;
}

const ecs_relation *ecs_schedule_relation(const ecs_schedule *s, int a, int b) {
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        if ((r->first == a && r->second == b) || (r->first == b && r->second == a)) return r;
    }
    return NULL;
}

/* --- the ambiguity report ---------------------------------------------------------- */

static void report_ambiguity(sched *c) {
    const ecs_model *m = c->m;
    ecs_schedule *s = c->s;
    ecs_ambiguity_mode mode = c->desc ? c->desc->ambiguity : ECS_AMBIGUITY_WARN;
    if (mode == ECS_AMBIGUITY_IGNORE || s->n_ambiguous == 0) return;
    ecs_severity sev = mode == ECS_AMBIGUITY_ERROR ? ECS_ERROR : ECS_WARNING;
    const char *flag = mode == ECS_AMBIGUITY_ERROR ? "-Werror=ambiguity" : "-Wambiguity";
    int systems = 0;
    /* Relations are sorted by first's position: one warning per first. */
    for (int i = 0; i < s->n_relations;) {
        int first = s->relations[i].first, count = 0, j = i;
        for (; j < s->n_relations && s->relations[j].first == first; j++)
            count += s->relations[j].ambiguous;
        if (count) {
            systems++;
            const ecs_system *a = &m->systems[first];
            ecs_diag(sev, a->loc, "'%s' and %d later system%s are ordered only by "
                     "declaration order [%s]", a->name, count, count == 1 ? "" : "s", flag);
            for (int k = i; k < j; k++) {
                const ecs_relation *r = &s->relations[k];
                if (!r->ambiguous) continue;
                char text[1024] = "", one[400];
                size_t len = 0;
                int shown = 0, conflicts = 0;
                for (int q = 0; q < r->n_reasons; q++) {
                    const ecs_reason *x = &s->reasons[r->reasons + q];
                    if (!rule_conflicts(x->rule)) continue;
                    conflicts++;
                    if (shown == 3) continue;
                    ecs_reason_text(m, r, x, one, sizeof one);
                    len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                            "%s%s", shown ? "; " : "", one);
                    shown++;
                }
                if (conflicts > shown && len < sizeof text)
                    snprintf(text + len, sizeof text - len, "; and %d more", conflicts - shown);
                ecs_diag(ECS_NOTE, m->systems[r->second].loc, "'%s' runs after '%s' only "
                         "because it is declared later: %s", m->systems[r->second].name,
                         a->name, text);
            }
        }
        i = j;
    }
    ecs_diag(ECS_NOTE, (ecs_loc){0}, "%d ambiguous pair%s in %d system%s: order them with "
             "ECS_AFTER/ECS_BEFORE or ECS_ORDERED_AFTER/ECS_ORDERED_BEFORE, or keep "
             "declaration order with ECS_ALLOW_AMBIGUOUS", s->n_ambiguous,
             s->n_ambiguous == 1 ? "" : "s", systems, systems == 1 ? "" : "s");
}

/* --- 3. costs and stages ----------------------------------------------------------- */

static uint64_t estimate_ns(const ecs_model *m, const ecs_system *s) {
    uint64_t per_entity = ECS_COST_ENTITY_NS;
    for (int k = 0; k < s->n_access; k++) {
        const ecs_access *a = &s->access[k];
        if ((a->kind != ECS_ACCESS_READ && a->kind != ECS_ACCESS_WRITE) || a->index < 0 ||
            m->types[a->index].kind != ECS_COMPONENT_KIND)
            continue;
        uint64_t fields = (uint64_t)m->types[a->index].n_fields;
        if (a->kind == ECS_ACCESS_READ) per_entity += fields * ECS_COST_FIELD_NS;
        if (a->kind == ECS_ACCESS_WRITE) per_entity += fields * ECS_COST_WRITE_NS;
    }
    uint64_t ns = ECS_COST_SYSTEM_NS;
    for (int k = 0; k < s->n_archetypes; k++) {
        int64_t count = m->archetypes[s->archetypes[k]].expected_count;
        ns += (uint64_t)(count ? count : ECS_DEFAULT_COUNT) * per_entity;
    }
    return ns;
}

static void costs(sched *c) {
    ecs_schedule *s = c->s;
    const ecs_profile *prof = c->desc ? c->desc->profile : NULL;
    s->cost_source = prof ? prof->path : "estimate";
    s->profile = prof;
    for (int i = 0; i < c->n; i++) {
        const ecs_profile_entry *e = prof ? ecs_profile_find(prof, c->m->systems[i].name) : NULL;
        if (e) {
            double ns = e->mean_us * 1000.0;
            s->cost_ns[i] = ns < 1.0 ? 1 : (uint64_t)(ns + 0.5);
            s->measured[i] = true;
        } else {
            s->cost_ns[i] = estimate_ns(c->m, &c->m->systems[i]);
        }
    }
}

/* Stage constraints (req >= STAGE) as lists by second (in) and first (out). */
static void stage_lists(sched *c) {
    ecs_schedule *s = c->s;
    int n = c->n;
    c->in_off = xcalloc((size_t)n + 1, sizeof(int));
    c->out_off_r = xcalloc((size_t)n + 1, sizeof(int));
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        if (r->req < ECS_REQ_STAGE) continue;
        c->in_off[r->second + 1]++;
        c->out_off_r[r->first + 1]++;
    }
    for (int v = 0; v < n; v++) {
        c->in_off[v + 1] += c->in_off[v];
        c->out_off_r[v + 1] += c->out_off_r[v];
    }
    c->in_rel = xcalloc((size_t)c->in_off[n], sizeof(int));
    c->out_rel = xcalloc((size_t)c->out_off_r[n], sizeof(int));
    int *fi = xcalloc((size_t)n, sizeof(int)), *fo = xcalloc((size_t)n, sizeof(int));
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        if (r->req < ECS_REQ_STAGE) continue;
        c->in_rel[c->in_off[r->second] + fi[r->second]++] = i;
        c->out_rel[c->out_off_r[r->first] + fo[r->first]++] = i;
    }
    free(fi);
    free(fo);
}

/* Transitive reduction of the "before" pairs: a pair is an edge unless a
 * path through other pairs already orders it. Successors are visited in
 * sequential order, so a successor reached through an earlier one is
 * redundant and no later one can reach an earlier one. */
static void reduce(sched *c) {
    ecs_schedule *s = c->s;
    int n = c->n;
    int *off = xcalloc((size_t)n + 1, sizeof(int));
    for (int i = 0; i < s->n_relations; i++)
        if (s->relations[i].req >= ECS_REQ_HB) off[s->relations[i].first + 1]++;
    for (int v = 0; v < n; v++) off[v + 1] += off[v];
    int *succ_rel = xcalloc((size_t)off[n], sizeof(int)), *fill = xcalloc((size_t)n, sizeof(int));
    /* relations are sorted by (first, second) position: lists come out sorted */
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        if (r->req >= ECS_REQ_HB) succ_rel[off[r->first] + fill[r->first]++] = i;
    }
    uint64_t *reach = xcalloc((size_t)n * c->ws, sizeof(uint64_t));
    c->red_off = xcalloc((size_t)n + 1, sizeof(int));
    int *red = xcalloc((size_t)off[n] + 1, sizeof(int)), n_red = 0;
    int *red_rel = xcalloc((size_t)off[n] + 1, sizeof(int));
    int *start = xcalloc((size_t)n, sizeof(int)), *count = xcalloc((size_t)n, sizeof(int));
    for (int p = n - 1; p >= 0; p--) {
        int a = s->order[p];
        uint64_t *ra = reach + (size_t)a * c->ws;
        start[a] = n_red;
        for (int e = off[a]; e < off[a + 1]; e++) {
            ecs_relation *r = &s->relations[succ_rel[e]];
            int b = r->second;
            if (ecs_bits_has(ra, b)) continue;
            red_rel[n_red] = succ_rel[e];
            red[n_red++] = b;
            ecs_bits_or(ra, reach + (size_t)b * c->ws, c->ws);
            ecs_bits_set(ra, b);
        }
        count[a] = n_red - start[a];
    }
    /* CSR in system order */
    c->red = xcalloc((size_t)n_red + 1, sizeof(int));
    int *rel_of = xcalloc((size_t)n_red + 1, sizeof(int));
    for (int v = 0; v < n; v++) c->red_off[v + 1] = c->red_off[v] + count[v];
    for (int v = 0; v < n; v++)
        for (int k = 0; k < count[v]; k++) {
            c->red[c->red_off[v] + k] = red[start[v] + k];
            rel_of[c->red_off[v] + k] = red_rel[start[v] + k];
        }
    /* Remember which relations survive (edge is set later, by stage). */
    for (int k = 0; k < n_red; k++) s->relations[rel_of[k]].edge = true;
    free(rel_of);
    free(start);
    free(count);
    free(red_rel);
    free(red);
    free(reach);
    free(fill);
    free(succ_rel);
    free(off);
}

typedef struct stages {
    int L;
    int *stage;       /* per system */
    uint64_t *time;   /* per stage */
    uint64_t *rank;   /* scratch, per system */
} stages;

/* Critical time of stage k if `add` joins it and `skip` leaves it (-1:
 * none): the longest path of costs through its edges, or the time of its
 * main-thread systems run one after another, whichever is longer. */
static uint64_t stage_time(const sched *c, stages *st, int k, int add, int skip) {
    const ecs_schedule *s = c->s;
    uint64_t best = 0, main_sum = 0;
    for (int p = c->n - 1; p >= 0; p--) {
        int x = s->order[p];
        bool in = x == add || (st->stage[x] == k && x != skip);
        if (!in) continue;
        uint64_t r = 0;
        for (int e = c->red_off[x]; e < c->red_off[x + 1]; e++) {
            int y = c->red[e];
            bool yin = y == add || (st->stage[y] == k && y != skip);
            if (yin && st->rank[y] > r) r = st->rank[y];
        }
        st->rank[x] = s->cost_ns[x] + r;
        if (st->rank[x] > best) best = st->rank[x];
        if (c->m->systems[x].flags & ECS_SYS_MAIN_THREAD) main_sum += s->cost_ns[x];
    }
    return best > main_sum ? best : main_sum;
}

static uint64_t total_time(const sched *c, stages *st) {
    uint64_t t = 0;
    for (int k = 0; k < st->L; k++) t += st->time[k] = stage_time(c, st, k, -1, -1);
    return t;
}

static void window(const sched *c, const stages *st, int x, int *lo, int *hi) {
    const ecs_schedule *s = c->s;
    *lo = 0;
    *hi = st->L - 1;
    for (int e = c->in_off[x]; e < c->in_off[x + 1]; e++) {
        const ecs_relation *r = &s->relations[c->in_rel[e]];
        int need = st->stage[r->first] + (r->req == ECS_REQ_SYNC);
        if (need > *lo) *lo = need;
    }
    for (int e = c->out_off_r[x]; e < c->out_off_r[x + 1]; e++) {
        const ecs_relation *r = &s->relations[c->out_rel[e]];
        int need = st->stage[r->second] - (r->req == ECS_REQ_SYNC);
        if (need < *hi) *hi = need;
    }
}

static void assign_stages(sched *c) {
    ecs_schedule *s = c->s;
    int n = c->n;
    stages st = {0, s->stage, NULL, xcalloc((size_t)n, sizeof(uint64_t))};
    /* earliest stages: the fewest sync points */
    for (int p = 0; p < n; p++) {
        int x = s->order[p], lo, hi;
        st.L = n + 1; /* no upper bound yet */
        st.stage[x] = 0;
        window(c, &st, x, &lo, &hi);
        (void)hi;
        st.stage[x] = lo;
    }
    st.L = 0;
    for (int i = 0; i < n; i++)
        if (st.stage[i] + 1 > st.L) st.L = st.stage[i] + 1;
    st.time = xcalloc((size_t)st.L + 1, sizeof(uint64_t));
    s->asap_ns = total_time(c, &st);
    /* then move systems, latest first, to where the stages' critical paths
     * add up to the least; a few sweeps reach a fixed point in practice */
    for (int sweep = 0; sweep < 4 && st.L > 1; sweep++) {
        bool moved = false;
        for (int p = n - 1; p >= 0; p--) {
            int x = s->order[p], lo, hi, cur = st.stage[x];
            window(c, &st, x, &lo, &hi);
            if (lo == hi) continue;
            uint64_t cur_without = stage_time(c, &st, cur, -1, x);
            int64_t best_delta = 0;
            int best = cur;
            uint64_t best_t = 0;
            for (int t = lo; t <= hi; t++) {
                if (t == cur) continue;
                uint64_t with = stage_time(c, &st, t, x, -1);
                int64_t delta = (int64_t)(cur_without + with) - (int64_t)(st.time[cur] + st.time[t]);
                if (delta < best_delta) {
                    best_delta = delta;
                    best = t;
                    best_t = with;
                }
            }
            if (best != cur) {
                st.stage[x] = best;
                st.time[cur] = cur_without;
                st.time[best] = best_t;
                moved = true;
            }
        }
        if (!moved) break;
    }
    /* drop stages left empty */
    int *remap = xcalloc((size_t)st.L + 1, sizeof(int)), *used = xcalloc((size_t)st.L + 1, sizeof(int));
    for (int i = 0; i < n; i++) used[st.stage[i]] = 1;
    int L = 0;
    for (int k = 0; k < st.L; k++) remap[k] = used[k] ? L++ : -1;
    for (int i = 0; i < n; i++) st.stage[i] = remap[st.stage[i]];
    st.L = L;
    s->n_stages = L;
    s->stage_ns = xcalloc((size_t)L + 1, sizeof(uint64_t));
    s->critical_ns = 0;
    for (int k = 0; k < L; k++) {
        s->stage_ns[k] = stage_time(c, &st, k, -1, -1);
        s->critical_ns += s->stage_ns[k];
        /* ranks of this stage are in st.rank now */
        for (int i = 0; i < n; i++)
            if (st.stage[i] == k) s->rank_ns[i] = st.rank[i];
    }
    free(remap);
    free(used);
    free(st.time);
    free(st.rank);
}

/* The longest path of each stage, from its highest-ranked system on. */
static void mark_critical(sched *c) {
    ecs_schedule *s = c->s;
    for (int k = 0; k < s->n_stages; k++) {
        int x = -1;
        for (int p = 0; p < c->n; p++) {
            int y = s->order[p];
            if (s->stage[y] == k && (x < 0 || s->rank_ns[y] > s->rank_ns[x])) x = y;
        }
        while (x >= 0) {
            s->critical[x] = true;
            int next = -1;
            for (int e = c->red_off[x]; e < c->red_off[x + 1]; e++) {
                int y = c->red[e];
                if (s->stage[y] == k && s->rank_ns[y] + s->cost_ns[x] == s->rank_ns[x]) {
                    next = y;
                    break;
                }
            }
            x = next;
        }
    }
}

/* --- 4. the plan ---------------------------------------------------------------------- */

static void build_plan(sched *c) {
    ecs_schedule *s = c->s;
    const ecs_model *m = c->m;
    int n = c->n;
    ecs_plan *p = s->plan = ecs_plan_new(n, n);
    int at = 0;
    for (int k = 0; k < s->n_stages; k++) {
        for (int q = 0; q < n; q++) {
            int x = s->order[q];
            if (s->stage[x] != k) continue;
            p->steps[at++] = (ecs_plan_step){x, false};
        }
        if (at > 0) p->steps[at - 1].sync_after = true;
    }
    for (int i = 0; i < n; i++) p->flags[i] = m->systems[i].flags;
    for (int x = 0; x < n; x++)
        for (int e = c->red_off[x]; e < c->red_off[x + 1]; e++) {
            int y = c->red[e];
            if (s->stage[y] == s->stage[x]) ecs_plan_add_edge(p, x, y);
        }
    for (int i = 0; i < s->n_relations; i++) {
        ecs_relation *r = &s->relations[i];
        r->edge = r->edge && s->stage[r->first] == s->stage[r->second];
    }
}

ecs_schedule *ecs_schedule_build(const ecs_model *m, const ecs_schedule_desc *desc) {
    int n = m->n_systems;
    ecs_schedule *s = xcalloc(1, sizeof *s);
    s->n = n;
    s->order = xcalloc((size_t)n, sizeof(int));
    s->pos = xcalloc((size_t)n, sizeof(int));
    s->stage = xcalloc((size_t)n, sizeof(int));
    s->cost_ns = xcalloc((size_t)n, sizeof(uint64_t));
    s->measured = xcalloc((size_t)n, sizeof(bool));
    s->rank_ns = xcalloc((size_t)n, sizeof(uint64_t));
    s->critical = xcalloc((size_t)n, sizeof(bool));
    sched c = {.m = m, .desc = desc, .s = s, .n = n};
    build_sets(&c);
    build_constraints(&c);
    c.next_phase = xcalloc((size_t)m->n_phases + 1, sizeof(int));
    for (int p = 0; p < m->n_phases; p++) {
        c.next_phase[p] = -1;
        for (int q = p + 1; q < m->n_phases && c.next_phase[p] < 0; q++)
            for (int i = 0; i < n && c.next_phase[p] < 0; i++)
                if (m->systems[i].phase == q) c.next_phase[p] = q;
    }
    s->ok = sequential_order(&c);
    if (s->ok) {
        explicit_closure(&c);
        build_relations(&c);
        if (!desc || !desc->quiet) report_ambiguity(&c);
        costs(&c);
        stage_lists(&c);
        reduce(&c);
        assign_stages(&c);
        mark_critical(&c);
        build_plan(&c);
    }
    free(c.next_phase);
    free(c.red);
    free(c.red_off);
    free(c.in_off);
    free(c.in_rel);
    free(c.out_off_r);
    free(c.out_rel);
    free(c.reach);
    free(c.node_order);
    free(c.out_off);
    free(c.out_con);
    free(c.cons);
    free(c.acc);
    free(c.pool);
    return s;
}

void ecs_schedule_free(ecs_schedule *s) {
    if (!s) return;
    ecs_plan_free(s->plan);
    free(s->order);
    free(s->pos);
    free(s->stage);
    free(s->cost_ns);
    free(s->measured);
    free(s->rank_ns);
    free(s->critical);
    free(s->stage_ns);
    free(s->relations);
    free(s->reasons);
    free(s);
}
