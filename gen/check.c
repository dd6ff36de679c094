/* check.c -- resolve names and check the meaning of a parsed model.
 *
 * Clang has already checked the C: every name used is declared, every type is
 * complete. What remains is ecsc's own language: a name declared twice across
 * schemas, an access that makes no sense (reading a tag, writing an
 * archetype), an order naming an unknown system, a system whose components no
 * archetype has. Each problem is reported at the user's line and column and
 * checking goes on, so one run lists them all.
 *
 * check.c also derives what later passes read: each system's flags, the
 * archetypes its query resolves to, and its budget (its own, else its
 * phase's). Queries are resolved here, once, at build time; the runtime never
 * matches a query. Next: schedule.c.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note_previous(ecs_loc loc) {
    ecs_diag(ECS_NOTE, loc, "previous declaration is here");
}

static const char *kind_name(ecs_type_kind k) {
    return k == ECS_COMPONENT_KIND ? "component" : k == ECS_TAG_KIND ? "tag" : "resource";
}

/* Names share one namespace in the generated code. */
static void check_names(ecs_model *m) {
    for (int i = 0; i < m->n_types; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(m->types[i].name, m->types[j].name) == 0) {
                ecs_diag(ECS_ERROR, m->types[i].loc, "duplicate name '%s'",
                         m->types[i].name);
                note_previous(m->types[j].loc);
            } else if (strcmp(m->types[i].member, m->types[j].member) == 0) {
                ecs_diag(ECS_ERROR, m->types[i].loc, "'%s' and '%s' both become "
                         "the view member '%s'", m->types[i].name,
                         m->types[j].name, m->types[i].member);
                note_previous(m->types[j].loc);
            }
        }
    }
    for (int i = 0; i < m->n_archetypes; i++) {
        ecs_archetype *a = &m->archetypes[i];
        for (int j = 0; j < i; j++)
            if (strcmp(a->name, m->archetypes[j].name) == 0) {
                ecs_diag(ECS_ERROR, a->loc, "duplicate archetype '%s'", a->name);
                note_previous(m->archetypes[j].loc);
            }
        int t = ecs_model_find_type(m, a->name);
        if (t >= 0) {
            ecs_diag(ECS_ERROR, a->loc, "archetype '%s' has the name of a %s",
                     a->name, kind_name(m->types[t].kind));
            note_previous(m->types[t].loc);
        }
    }
    for (int i = 0; i < m->n_systems; i++) {
        ecs_system *s = &m->systems[i];
        for (int j = 0; j < i; j++)
            if (strcmp(s->name, m->systems[j].name) == 0) {
                ecs_diag(ECS_ERROR, s->loc, "duplicate system '%s'", s->name);
                note_previous(m->systems[j].loc);
            }
        int t = ecs_model_find_type(m, s->name);
        int a = ecs_model_find_archetype(m, s->name);
        if (t >= 0 || a >= 0) {
            ecs_diag(ECS_ERROR, s->loc, "system '%s' has the name of a%s %s", s->name,
                     t >= 0 && m->types[t].kind != ECS_RESOURCE_KIND ? "" : "n",
                     t >= 0 ? kind_name(m->types[t].kind) : "archetype");
            note_previous(t >= 0 ? m->types[t].loc : m->archetypes[a].loc);
        }
    }
}

static void number_types(ecs_model *m) {
    int next[3] = {0, 0, 0};
    for (int i = 0; i < m->n_types; i++) m->types[i].id = next[m->types[i].kind]++;
}

static void check_archetypes(ecs_model *m) {
    for (int i = 0; i < m->n_archetypes; i++) {
        ecs_archetype *a = &m->archetypes[i];
        int n_components = 0;
        for (int k = 0; k < a->n_members; k++) {
            int t = a->members[k];
            if (t < 0) continue; /* reported by parse.c */
            if (m->types[t].kind == ECS_RESOURCE_KIND)
                ecs_diag(ECS_ERROR, a->member_locs[k], "'%s' is a resource, "
                         "not a component: archetype '%s' cannot hold it",
                         m->types[t].name, a->name);
            n_components += m->types[t].kind == ECS_COMPONENT_KIND;
            for (int j = 0; j < k; j++)
                if (a->members[j] == t)
                    ecs_diag(ECS_ERROR, a->member_locs[k], "'%s' appears twice "
                             "in archetype '%s'", m->types[t].name, a->name);
        }
        if (n_components == 0)
            ecs_diag(ECS_ERROR, a->loc, "archetype '%s' has no components", a->name);
    }
}

/* Which kinds of declaration an access may name. */
static void resolve_access(ecs_model *m, ecs_system *s, ecs_access *a) {
    const char *what = ecs_access_names[a->kind];
    switch (a->kind) {
    case ECS_ACCESS_READ:
    case ECS_ACCESS_WRITE:
    case ECS_ACCESS_WITH:
    case ECS_ACCESS_WITHOUT: {
        a->index = ecs_model_find_type(m, a->target);
        if (a->index < 0) {
            ecs_diag(ECS_ERROR, a->loc, "system '%s' %s '%s', which is not a "
                     "component, tag or resource", s->name, what, a->target);
            return;
        }
        ecs_type_kind k = m->types[a->index].kind;
        bool data = a->kind == ECS_ACCESS_READ || a->kind == ECS_ACCESS_WRITE;
        if (data && k == ECS_TAG_KIND)
            ecs_diag(ECS_ERROR, a->loc, "tag '%s' has no data to %s: filter with "
                     "ECS_WITH/ECS_WITHOUT, switch it with ECS_TOGGLES",
                     a->target, what);
        if (!data && k == ECS_RESOURCE_KIND)
            ecs_diag(ECS_ERROR, a->loc, "resource '%s' cannot filter entities",
                     a->target);
        return;
    }
    case ECS_ACCESS_CREATES:
    case ECS_ACCESS_DESTROYS:
        a->index = ecs_model_find_archetype(m, a->target);
        if (a->index < 0)
            ecs_diag(ECS_ERROR, a->loc, "system '%s' %s '%s', which is not an "
                     "archetype", s->name, what, a->target);
        return;
    case ECS_ACCESS_TOGGLES:
        a->index = ecs_model_find_type(m, a->target);
        if (a->index < 0 || m->types[a->index].kind != ECS_TAG_KIND) {
            ecs_diag(ECS_ERROR, a->loc, "system '%s' toggles '%s', which is not "
                     "a tag", s->name, a->target);
            a->index = -1;
        }
        return;
    case ECS_ACCESS_AFTER:
    case ECS_ACCESS_BEFORE:
    case ECS_ACCESS_ORDERED_AFTER:
    case ECS_ACCESS_ORDERED_BEFORE:
    case ECS_ACCESS_ALLOW_AMBIGUOUS: {
        static const char *const verbs[] = {
            [ECS_ACCESS_AFTER] = "is ordered after",
            [ECS_ACCESS_BEFORE] = "is ordered before",
            [ECS_ACCESS_ORDERED_AFTER] = "is ordered after",
            [ECS_ACCESS_ORDERED_BEFORE] = "is ordered before",
            [ECS_ACCESS_ALLOW_AMBIGUOUS] = "allows ambiguity with",
        };
        a->index = ecs_model_find_system(m, a->target);
        if (a->index < 0)
            ecs_diag(ECS_ERROR, a->loc, "system '%s' %s '%s', which is not a "
                     "system", s->name, verbs[a->kind], a->target);
        else if (&m->systems[a->index] == s) {
            ecs_diag(ECS_ERROR, a->loc, "system '%s' %s itself", s->name,
                     verbs[a->kind]);
            a->index = -1;
        }
        return;
    }
    case ECS_ACCESS_IN_PHASE:
        a->index = ecs_model_find_phase(m, a->target);
        if (a->index < 0)
            ecs_diag(ECS_ERROR, a->loc, "system '%s' is in phase '%s', which is "
                     "not a phase (declare it with ECS_PHASE)", s->name, a->target);
        return;
    default:
        return;
    }
}

/* Does archetype a match the query of system s (tags are run-time filters,
 * but an archetype without a required tag can never match)? */
static bool query_matches(const ecs_model *m, const ecs_system *s,
                          const ecs_archetype *a) {
    bool any = false;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *x = &s->access[i];
        if (x->index < 0) continue;
        bool entity_access = x->kind == ECS_ACCESS_READ || x->kind == ECS_ACCESS_WRITE ||
                             x->kind == ECS_ACCESS_WITH || x->kind == ECS_ACCESS_WITHOUT;
        if (!entity_access || m->types[x->index].kind == ECS_RESOURCE_KIND) continue;
        any = true;
        bool has = ecs_archetype_has(a, x->index);
        if (x->kind == ECS_ACCESS_WITHOUT) {
            if (has && m->types[x->index].kind == ECS_COMPONENT_KIND) return false;
        } else if (!has) {
            return false;
        }
    }
    return any;
}

static bool iterates_entities(const ecs_model *m, const ecs_system *s) {
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *x = &s->access[i];
        bool entity = x->kind == ECS_ACCESS_READ || x->kind == ECS_ACCESS_WRITE ||
                      x->kind == ECS_ACCESS_WITH;
        if (entity && x->index >= 0 && m->types[x->index].kind != ECS_RESOURCE_KIND) return true;
    }
    return false;
}

/* Accesses name things in separate spaces: a system may read and toggle the
 * same tag, or create and destroy in the same archetype, but not read and
 * write the same component, or be both after and before one system. */
static int access_space(ecs_access_kind k) {
    switch (k) {
    case ECS_ACCESS_READ:
    case ECS_ACCESS_WRITE:
    case ECS_ACCESS_WITH:
    case ECS_ACCESS_WITHOUT: return 0;
    case ECS_ACCESS_CREATES: return 1;
    case ECS_ACCESS_DESTROYS: return 2;
    case ECS_ACCESS_TOGGLES: return 3;
    case ECS_ACCESS_AFTER:
    case ECS_ACCESS_BEFORE:
    case ECS_ACCESS_ORDERED_AFTER:
    case ECS_ACCESS_ORDERED_BEFORE:
    case ECS_ACCESS_ALLOW_AMBIGUOUS: return 4;
    case ECS_ACCESS_IN_PHASE: return 5;
    default: return 6;
    }
}

/* --- budgets ------------------------------------------------------------------ */

/* Reads n numbers written as text ("2.0 4.0", as the macros stringified
 * them); false unless the text is exactly n number literals. */
static bool budget_numbers(const char *text, int n, double *out) {
    const char *p = text;
    for (int i = 0; i < n; i++) {
        char *end;
        out[i] = strtod(p, &end);
        if (end == p) return false;
        while (*end == 'f' || *end == 'F' || *end == 'l' || *end == 'L') end++; /* 2.0f */
        if (*end != (i + 1 < n ? ' ' : 0)) return false;
        p = end + (i + 1 < n);
    }
    return true;
}

/* A target and a critical time: both positive, critical at least target.
 * `what` names the owner in messages ("system 'move'", "phase 'Sim'"). */
static bool check_budget(const char *text, ecs_loc loc, const char *what, ecs_budget *out) {
    double v[2];
    if (!budget_numbers(text, 2, v)) {
        ecs_diag(ECS_ERROR, loc, "budget of %s must be two number literals in "
                 "milliseconds, e.g. ECS_BUDGET(2.0, 4.0) (got '%s')", what, text);
        return false;
    }
    if (!(v[0] > 0) || !(v[1] > 0)) {
        ecs_diag(ECS_ERROR, loc, "budget of %s must be positive (target %g ms, critical "
                 "%g ms)", what, v[0], v[1]);
        return false;
    }
    if (v[1] < v[0]) {
        ecs_diag(ECS_ERROR, loc, "critical time of %s (%g ms) is below its target (%g ms)",
                 what, v[1], v[0]);
        return false;
    }
    *out = (ecs_budget){v[0], v[1], loc};
    return true;
}

/* ECS_FRAME_BUDGET once, ECS_PHASE_BUDGET once per declared phase. */
static void check_budget_decls(ecs_model *m) {
    ecs_loc frame_loc = {0};
    for (int i = 0; i < m->n_budget_decls; i++) {
        const ecs_budget_decl *d = &m->budget_decls[i];
        m->has_budgets = true;
        if (!d->phase) {
            double ms;
            if (!budget_numbers(d->text, 1, &ms)) {
                ecs_diag(ECS_ERROR, d->loc, "frame budget must be a number literal in "
                         "milliseconds, e.g. ECS_FRAME_BUDGET(16.67) (got '%s')", d->text);
            } else if (!(ms > 0)) {
                ecs_diag(ECS_ERROR, d->loc, "frame budget must be positive, not %g ms", ms);
            } else if (m->frame_budget_ms > 0) {
                ecs_diag(ECS_ERROR, d->loc, "frame budget declared twice");
                note_previous(frame_loc);
            } else {
                m->frame_budget_ms = ms;
                frame_loc = d->loc;
            }
            continue;
        }
        int ph = ecs_model_find_phase(m, d->phase);
        if (ph < 0) {
            ecs_diag(ECS_ERROR, d->loc, "budget for phase '%s', which is not a phase "
                     "(declare it with ECS_PHASE)", d->phase);
            continue;
        }
        ecs_phase *phase = &m->phases[ph];
        char what[160];
        snprintf(what, sizeof what, "phase '%s'", phase->name);
        ecs_budget b;
        if (!check_budget(d->text, d->loc, what, &b)) continue;
        if (phase->budget.target_ms > 0) {
            ecs_diag(ECS_ERROR, d->loc, "budget of phase '%s' declared twice", phase->name);
            note_previous(phase->budget.loc);
            continue;
        }
        phase->budget = b;
    }
}

/* A system's ECS_BUDGET, ECS_DEGRADABLE and ECS_DEGRADABLE_SLICE (one of the
 * two). The phase's budget stands in for a system that declares none. */
static void check_system_budget(ecs_model *m, ecs_system *s) {
    const ecs_access *degradable = NULL;
    bool own = false;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->kind == ECS_ACCESS_BUDGET) {
            m->has_budgets = true;
            char what[160];
            snprintf(what, sizeof what, "system '%s'", s->name);
            ecs_budget b; /* a second ECS_BUDGET is clang's error: one parameter twice */
            if (check_budget(a->text ? a->text : "", a->loc, what, &b)) {
                s->budget = b;
                own = true;
            }
        } else if (a->kind == ECS_ACCESS_DEGRADABLE || a->kind == ECS_ACCESS_DEGRADABLE_SLICE) {
            m->has_budgets = true;
            if (degradable) {
                ecs_diag(ECS_ERROR, a->loc, "system '%s' is declared degradable twice (%s "
                         "and %s)", s->name, ecs_access_names[degradable->kind],
                         ecs_access_names[a->kind]);
                note_previous(degradable->loc);
                continue;
            }
            degradable = a;
            s->degradable = true;
            s->degrade = a->kind == ECS_ACCESS_DEGRADABLE_SLICE ? ECS_DEGRADE_SLICE
                                                                 : ECS_DEGRADE_SKIP;
        }
    }
    if (!own && s->phase >= 0) s->budget = m->phases[s->phase].budget;
}

/* An async system submits one job per entity: it has exactly one job input
 * (ECS_JOB_INPUT) and writes at least one component (the job's result is
 * those components). A job input on a system that is not async is a
 * mistake. */
static void check_async(const ecs_model *m, const ecs_system *s) {
    const ecs_access *input = NULL;
    bool writes_component = false;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->kind == ECS_ACCESS_WRITE && a->index >= 0 &&
            m->types[a->index].kind == ECS_COMPONENT_KIND)
            writes_component = true;
        if (a->kind != ECS_ACCESS_JOB_INPUT) continue;
        if (!input) {
            input = a;
        } else if (strcmp(input->target, a->target) != 0) {
            ecs_diag(ECS_ERROR, a->loc, "system '%s' has a second job input '%s': an "
                     "async system's jobs have one input type", s->name, a->target);
            note_previous(input->loc);
        }
    }
    if (!(s->flags & ECS_SYS_ASYNC)) {
        if (input)
            ecs_diag(ECS_ERROR, input->loc, "system '%s' has a job input but is not "
                     "ECS_ASYNC", s->name);
        return;
    }
    if (!input)
        ecs_diag(ECS_ERROR, s->loc, "async system '%s' has no job input: name the type "
                 "its jobs copy with ECS_JOB_INPUT(T)", s->name);
    if (!writes_component)
        ecs_diag(ECS_ERROR, s->loc, "async system '%s' writes no component: its jobs' "
                 "results are the components it writes (ECS_WRITE)", s->name);
}

/* --- systems ------------------------------------------------------------------ */

static void check_system(ecs_model *m, ecs_system *s) {
    bool writes_resource = false;
    s->phase = -1;
    for (int i = 0; i < s->n_access; i++) {
        ecs_access *a = &s->access[i];
        switch (a->kind) {
        case ECS_ACCESS_MAIN_THREAD: s->flags |= ECS_SYS_MAIN_THREAD; continue;
        case ECS_ACCESS_ASYNC: s->flags |= ECS_SYS_ASYNC; continue;
        case ECS_ACCESS_SERIAL: s->flags |= ECS_SYS_SERIAL; continue;
        case ECS_ACCESS_BUDGET:
        case ECS_ACCESS_DEGRADABLE:
        case ECS_ACCESS_DEGRADABLE_SLICE: continue; /* check_system_budget */
        case ECS_ACCESS_CREATES:
        case ECS_ACCESS_DESTROYS:
        case ECS_ACCESS_TOGGLES: s->flags |= ECS_SYS_STRUCTURAL; break;
        default: break;
        }
        resolve_access(m, s, a);
        if (a->index < 0) continue;
        if (a->kind == ECS_ACCESS_WRITE && m->types[a->index].kind == ECS_RESOURCE_KIND)
            writes_resource = true;
        if (a->kind == ECS_ACCESS_IN_PHASE) {
            if (s->phase >= 0) {
                ecs_diag(ECS_ERROR, a->loc, "system '%s' is in two phases ('%s' "
                         "and '%s')", s->name, m->phases[s->phase].name, a->target);
            } else {
                s->phase = a->index;
            }
        }
        for (int j = 0; j < i; j++) {
            ecs_access *b = &s->access[j];
            bool same_space = access_space(a->kind) == access_space(b->kind);
            if (b->index == a->index && same_space && b->target &&
                strcmp(b->target, a->target) == 0) {
                ecs_diag(ECS_ERROR, a->loc, "system '%s' declares '%s' twice "
                         "(%s and %s)", s->name, a->target,
                         ecs_access_names[b->kind], ecs_access_names[a->kind]);
                note_previous(b->loc);
            }
        }
    }
    if ((s->flags & ECS_SYS_MAIN_THREAD) && (s->flags & ECS_SYS_ASYNC))
        ecs_diag(ECS_ERROR, s->loc, "system '%s' cannot be both ECS_MAIN_THREAD "
                 "and ECS_ASYNC", s->name);
    else
        check_async(m, s);
    for (int i = 0; i < s->n_access; i++) {
        ecs_access *a = &s->access[i];
        if (a->kind == ECS_ACCESS_TOGGLES && a->index >= 0) {
            bool held = false;
            for (int k = 0; k < m->n_archetypes; k++)
                held |= ecs_archetype_has(&m->archetypes[k], a->index);
            if (!held)
                ecs_diag(ECS_ERROR, a->loc, "system '%s' toggles '%s', but no "
                         "archetype has that tag", s->name, a->target);
        }
    }

    check_system_budget(m, s);
    /* Resolve the query to archetypes, once, here. */
    if (!iterates_entities(m, s)) {
        if (s->degradable && s->degrade == ECS_DEGRADE_SLICE)
            for (int i = 0; i < s->n_access; i++)
                if (s->access[i].kind == ECS_ACCESS_DEGRADABLE_SLICE)
                    ecs_diag(ECS_ERROR, s->access[i].loc, "system '%s' iterates no entities: "
                             "it cannot be time-sliced (use ECS_DEGRADABLE)", s->name);
        return;
    }
    s->archetypes = ecs_model_alloc(m, sizeof(int) * (size_t)(m->n_archetypes + 1));
    for (int k = 0; k < m->n_archetypes; k++)
        if (query_matches(m, s, &m->archetypes[k])) s->archetypes[s->n_archetypes++] = k;
    if (s->n_archetypes == 0) {
        /* Name the first component that no archetype has, else the set. */
        for (int i = 0; i < s->n_access; i++) {
            ecs_access *a = &s->access[i];
            if (a->index < 0 ||
                (a->kind != ECS_ACCESS_READ && a->kind != ECS_ACCESS_WRITE &&
                 a->kind != ECS_ACCESS_WITH) ||
                m->types[a->index].kind == ECS_RESOURCE_KIND)
                continue;
            bool held = false;
            for (int k = 0; k < m->n_archetypes; k++)
                held |= ecs_archetype_has(&m->archetypes[k], a->index);
            if (!held) {
                static const char *const verbs[] = {"reads", "writes", "requires"};
                ecs_diag(ECS_ERROR, a->loc, "system '%s' %s '%s', but no archetype "
                         "has it", s->name, verbs[a->kind], a->target);
                return;
            }
        }
        ecs_diag(ECS_ERROR, s->loc, "system '%s' matches no archetype: none has "
                 "all of the components it accesses", s->name);
        return;
    }
    /* A chunked system writing a resource would race with itself. */
    if (writes_resource) s->flags |= ECS_SYS_SERIAL;
}

static void check_phases(ecs_model *m) {
    for (int i = 0; i < m->n_phases; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(m->phases[i].name, m->phases[j].name) == 0) {
                ecs_diag(ECS_ERROR, m->phases[i].loc, "duplicate phase '%s'",
                         m->phases[i].name);
                note_previous(m->phases[j].loc);
            }
}

/* ECS_EXPECTED_COUNT: one positive count per archetype. */
static void check_expected(ecs_model *m) {
    for (int i = 0; i < m->n_expected; i++) {
        ecs_expected *x = &m->expected[i];
        int a = ecs_model_find_archetype(m, x->archetype);
        if (a < 0) {
            ecs_diag(ECS_ERROR, x->loc, "expected count for '%s', which is not an "
                     "archetype", x->archetype);
            continue;
        }
        if (x->count <= 0) {
            ecs_diag(ECS_ERROR, x->loc, "expected count of '%s' must be positive, "
                     "not %lld", x->archetype, (long long)x->count);
            continue;
        }
        ecs_archetype *arch = &m->archetypes[a];
        if (arch->expected_count) {
            ecs_diag(ECS_ERROR, x->loc, "expected count of '%s' given twice",
                     x->archetype);
            note_previous(arch->expected_loc);
            continue;
        }
        arch->expected_count = x->count;
        arch->expected_loc = x->loc;
    }
}

void ecs_check(ecs_model *m) {
    check_names(m);
    number_types(m);
    check_archetypes(m);
    check_phases(m);
    check_budget_decls(m);
    check_expected(m);
    for (int i = 0; i < m->n_systems; i++) check_system(m, &m->systems[i]);
}
