/* report.c -- the schedule for people and tools.
 *
 *   ecsc explain   which systems may run together, every relation between
 *                  two systems with each reason (rule, component, archetype),
 *                  the stages, their sync points and the critical path
 *   ecsc graph     Graphviz DOT: one cluster per stage, sync points between
 *                  them, main-thread systems filled, the critical path red
 *   ecsc graph --json
 *                  all of it as JSON (cJSON): every system with its declared
 *                  access, location and thread, the archetypes, every
 *                  relation with its reasons, the stages and the plan
 *
 * The "plan" object of the JSON is also what `ecsc check --plan FILE` reads
 * back (ecs_plan_read_json), so a plan can be saved, edited and re-verified.
 * Everything here only reads the model and the schedule. */
#include "model.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *loc_text(ecs_loc l, char out[300]) {
    snprintf(out, 300, "%s:%u:%u", l.file ? l.file : "?", l.line, l.col);
    return out;
}

static const char *req_names[] = {"none", "stage", "before", "sync"};

/* Microseconds with one decimal, for costs in ns. */
static double us(uint64_t ns) { return (double)ns / 1000.0; }

/* reach[a * n + b]: a path of plan edges from a to b. */
static unsigned char *plan_reach(const ecs_plan *p) {
    int n = p->n_systems;
    unsigned char *r = calloc((size_t)n * (size_t)n + 1, 1);
    if (!r) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    for (int k = p->n_steps - 1; k >= 0; k--) {
        int a = p->steps[k].system;
        for (int e = 0; e < p->n_succ[a]; e++) {
            int b = p->succ[a][e];
            r[(size_t)a * (size_t)n + (size_t)b] = 1;
            for (int j = 0; j < n; j++) r[(size_t)a * (size_t)n + (size_t)j] |= r[(size_t)b * (size_t)n + (size_t)j];
        }
    }
    return r;
}

static void flags_text(ecs_text *b, uint32_t f) {
    if (f & ECS_SYS_MAIN_THREAD) ecs_put(b, ", main thread");
    if (f & ECS_SYS_SERIAL) ecs_put(b, ", serial");
    if (f & ECS_SYS_ASYNC) ecs_put(b, ", async");
    if (f & ECS_SYS_STRUCTURAL) ecs_put(b, ", structural");
}

/* --- explain ------------------------------------------------------------------------ */

char *ecs_report_explain(const ecs_model *m, const ecs_schedule *s) {
    ecs_text b = {0};
    char l1[300];
    const ecs_plan *p = s->plan;
    int n = m->n_systems;
    ecs_put(&b, "schedule of");
    for (int i = 0; i < m->n_inputs; i++) ecs_put(&b, " %s", m->inputs[i]);
    ecs_put(&b, " (%d system%s, %d stage%s, costs: %s)\n\n", n, n == 1 ? "" : "s", s->n_stages,
        s->n_stages == 1 ? "" : "s", s->cost_source);

    ecs_put(&b, "sequential order (explicit constraints, then declaration order):\n ");
    for (int i = 0; i < n; i++) ecs_put(&b, " %s", m->systems[s->order[i]].name);
    ecs_put(&b, "\n\n");

    unsigned char *reach = plan_reach(p);
    int stage = -1;
    for (int k = 0; k < p->n_steps; k++) {
        int x = p->steps[k].system;
        if (s->stage[x] != stage) {
            stage = s->stage[x];
            ecs_put(&b, "stage %d: critical path %.1f us\n", stage, us(s->stage_ns[stage]));
        }
        const ecs_system *sy = &m->systems[x];
        ecs_put(&b, "  %-16s %s  cost %.1f us (%s), rank %.1f us%s", sy->name, loc_text(sy->loc, l1),
            us(s->cost_ns[x]), s->measured[x] ? "measured" : "estimated", us(s->rank_ns[x]),
            s->critical[x] ? ", critical" : "");
        flags_text(&b, p->flags[x]);
        ecs_put(&b, "\n");
        int together = 0;
        for (int q = 0; q < p->n_steps; q++) {
            int y = p->steps[q].system;
            if (y == x || s->stage[y] != stage || reach[(size_t)x * (size_t)n + (size_t)y] ||
                reach[(size_t)y * (size_t)n + (size_t)x])
                continue;
            ecs_put(&b, "%s %s", together++ ? "," : "    may run with:", m->systems[y].name);
        }
        if (together) ecs_put(&b, "\n");
        if (p->n_succ[x]) {
            ecs_put(&b, "    then:");
            for (int e = 0; e < p->n_succ[x]; e++)
                ecs_put(&b, "%s %s", e ? "," : "", m->systems[p->succ[x][e]].name);
            ecs_put(&b, "\n");
        }
        if (p->steps[k].sync_after) {
            const ecs_relation *why = ecs_schedule_sync_reason(s, stage);
            if (why)
                ecs_put(&b, "  -- sync point: commands applied; '%s' must see the changes of '%s'\n\n",
                    m->systems[why->second].name, m->systems[why->first].name);
            else
                ecs_put(&b, "  -- sync point: end of frame\n\n");
        }
    }
    ecs_put(&b, "critical path: %.1f us (with every system in its earliest stage: %.1f us)\n ",
        us(s->critical_ns), us(s->asap_ns));
    for (int k = 0; k < s->n_stages; k++) {
        if (k) ecs_put(&b, " |");
        for (int q = 0; q < p->n_steps; q++) {
            int x = p->steps[q].system;
            if (s->stage[x] == k && s->critical[x]) ecs_put(&b, " %s", m->systems[x].name);
        }
    }
    ecs_put(&b, "\n\n");
    if (s->profile) {
        int used = 0;
        for (int i = 0; i < s->profile->n; i++)
            used += ecs_model_find_system(m, s->profile->entries[i].name) >= 0;
        ecs_put(&b, "profile %s: %d of its %d entries name a system", s->profile->path, used,
            s->profile->n);
        for (int i = 0, k = 0; i < s->profile->n; i++)
            if (ecs_model_find_system(m, s->profile->entries[i].name) < 0)
                ecs_put(&b, "%s %s", k++ ? "," : "; ignored:", s->profile->entries[i].name);
        ecs_put(&b, "\n\n");
    }

    ecs_put(&b, "relations (first -> second: requirement; how the plan meets it):\n");
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        const char *how;
        if (r->req == ECS_REQ_NONE) how = "orientation only";
        else if (s->stage[r->first] < s->stage[r->second]) how = "sync point between";
        else if (r->req == ECS_REQ_STAGE) how = "same stage: commands wait for its sync point";
        else if (r->edge) how = "edge";
        else how = "path of edges";
        ecs_put(&b, "  %s -> %s: %s; %s%s%s\n", m->systems[r->first].name, m->systems[r->second].name,
            req_names[r->req], how, r->ambiguous ? "; AMBIGUOUS (declaration order only)" : "",
            r->allowed ? "; ambiguity allowed" : "");
        for (int q = 0; q < r->n_reasons; q++) {
            const ecs_reason *x = &s->reasons[r->reasons + q];
            char t[600];
            ecs_reason_text(m, r, x, t, sizeof t);
            ecs_put(&b, "      %-10s %s", ecs_rule_names[x->rule], t);
            if (x->loc.file) ecs_put(&b, " (%s)", loc_text(x->loc, l1));
            ecs_put(&b, "\n");
        }
    }
    ecs_put(&b, "\nambiguous pairs: %d\n", s->n_ambiguous);
    free(reach);
    return b.s;
}

/* --- graph (DOT) -------------------------------------------------------------------- */

char *ecs_report_dot(const ecs_model *m, const ecs_schedule *s) {
    ecs_text b = {0};
    const ecs_plan *p = s->plan;
    ecs_put(&b, "digraph schedule {\n");
    ecs_put(&b, "  rankdir=LR;\n  compound=true;\n  fontname=\"Helvetica\";\n");
    ecs_put(&b, "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n");
    ecs_put(&b, "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    ecs_put(&b, "  label=\"critical path %.1f us (red); blue: main thread; costs: %s\";\n",
        us(s->critical_ns), s->cost_source);
    for (int k = 0; k < s->n_stages; k++) {
        ecs_put(&b, "  subgraph cluster_stage%d {\n    label=\"stage %d (%.1f us)\";\n"
                "    style=dashed;\n", k, k, us(s->stage_ns[k]));
        for (int q = 0; q < p->n_steps; q++) {
            int x = p->steps[q].system;
            if (s->stage[x] != k) continue;
            const ecs_system *sy = &m->systems[x];
            ecs_put(&b, "    \"%s\" [label=\"%s\\n%.1f us%s\"", sy->name, sy->name, us(s->cost_ns[x]),
                p->flags[x] & ECS_SYS_MAIN_THREAD ? "\\nmain thread" : "");
            if (p->flags[x] & ECS_SYS_MAIN_THREAD)
                ecs_put(&b, ", style=\"rounded,filled\", fillcolor=\"lightblue\"");
            if (s->critical[x]) ecs_put(&b, ", color=red, penwidth=2");
            ecs_put(&b, "];\n");
        }
        ecs_put(&b, "  }\n");
    }
    for (int k = 0; k < s->n_stages; k++) {
        const ecs_relation *why = ecs_schedule_sync_reason(s, k);
        if (why)
            ecs_put(&b, "  \"sync%d\" [shape=octagon, label=\"sync\\n%s sees %s\"];\n", k,
                m->systems[why->second].name, m->systems[why->first].name);
        else
            ecs_put(&b, "  \"sync%d\" [shape=octagon, label=\"sync\\nend of frame\"];\n", k);
        /* stage k's sinks -> sync k -> stage k+1's sources */
        for (int x = 0; x < m->n_systems; x++) {
            if (s->stage[x] == k && p->n_succ[x] == 0)
                ecs_put(&b, "  \"%s\" -> \"sync%d\" [style=dashed, arrowhead=none];\n",
                    m->systems[x].name, k);
            if (s->stage[x] == k + 1 && p->n_preds[x] == 0)
                ecs_put(&b, "  \"sync%d\" -> \"%s\" [style=dashed];\n", k, m->systems[x].name);
        }
    }
    for (int x = 0; x < m->n_systems; x++)
        for (int e = 0; e < p->n_succ[x]; e++) {
            int y = p->succ[x][e];
            const ecs_relation *r = ecs_schedule_relation(s, x, y);
            const char *label = "";
            char lab[200] = "";
            if (r) {
                const ecs_reason *best = NULL;
                for (int q = 0; q < r->n_reasons; q++) {
                    const ecs_reason *z = &s->reasons[r->reasons + q];
                    if (ecs_rule_req(z->rule) >= ECS_REQ_HB && (!best || z->rule > best->rule))
                        best = z;
                }
                if (best && (best->rule == ECS_RULE_COMPONENT || best->rule == ECS_RULE_RESOURCE))
                    snprintf(lab, sizeof lab, "%s", m->types[best->what].name);
                else if (best)
                    snprintf(lab, sizeof lab, "%s", ecs_rule_names[best->rule]);
                label = lab;
            }
            bool crit = s->critical[x] && s->critical[y] &&
                        s->rank_ns[x] == s->rank_ns[y] + s->cost_ns[x];
            ecs_put(&b, "  \"%s\" -> \"%s\" [label=\"%s\"%s];\n", m->systems[x].name,
                m->systems[y].name, label, crit ? ", color=red, penwidth=2" : "");
        }
    ecs_put(&b, "}\n");
    return b.s;
}

/* --- JSON ---------------------------------------------------------------------------- */

static void oom_check(const void *p) {
    if (!p) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
}

static cJSON *loc_json(ecs_loc l) {
    char t[300];
    cJSON *j = cJSON_CreateString(loc_text(l, t));
    oom_check(j);
    return j;
}

static void add_str(cJSON *o, const char *k, const char *v) { oom_check(cJSON_AddStringToObject(o, k, v)); }
static void add_num(cJSON *o, const char *k, double v) { oom_check(cJSON_AddNumberToObject(o, k, v)); }
static void add_bool(cJSON *o, const char *k, bool v) { oom_check(cJSON_AddBoolToObject(o, k, v)); }
static cJSON *add_arr(cJSON *o, const char *k) {
    cJSON *a = cJSON_AddArrayToObject(o, k);
    oom_check(a);
    return a;
}
static cJSON *push_obj(cJSON *arr) {
    cJSON *o = cJSON_CreateObject();
    oom_check(o);
    cJSON_AddItemToArray(arr, o);
    return o;
}
static void push_str(cJSON *arr, const char *s) {
    cJSON *j = cJSON_CreateString(s);
    oom_check(j);
    cJSON_AddItemToArray(arr, j);
}

static const char *kind_names[] = {"component", "tag", "resource"};

static void flags_json(cJSON *o, uint32_t f) {
    cJSON *a = add_arr(o, "flags");
    if (f & ECS_SYS_MAIN_THREAD) push_str(a, "main_thread");
    if (f & ECS_SYS_ASYNC) push_str(a, "async");
    if (f & ECS_SYS_SERIAL) push_str(a, "serial");
    if (f & ECS_SYS_STRUCTURAL) push_str(a, "structural");
}

char *ecs_report_json(const ecs_model *m, const ecs_schedule *s) {
    cJSON *root = cJSON_CreateObject();
    oom_check(root);
    cJSON *inputs = add_arr(root, "inputs");
    for (int i = 0; i < m->n_inputs; i++) push_str(inputs, m->inputs[i]);
    add_str(root, "cost_source", s->cost_source);

    cJSON *types = add_arr(root, "types");
    for (int i = 0; i < m->n_types; i++) {
        const ecs_type *t = &m->types[i];
        cJSON *o = push_obj(types);
        add_str(o, "name", t->name);
        add_str(o, "kind", kind_names[t->kind]);
        cJSON_AddItemToObject(o, "loc", loc_json(t->loc));
        add_num(o, "size", t->size);
        cJSON *fields = add_arr(o, "fields");
        for (int f = 0; f < t->n_fields; f++) push_str(fields, t->fields[f].name);
    }
    cJSON *arches = add_arr(root, "archetypes");
    for (int i = 0; i < m->n_archetypes; i++) {
        const ecs_archetype *a = &m->archetypes[i];
        cJSON *o = push_obj(arches);
        add_str(o, "name", a->name);
        cJSON_AddItemToObject(o, "loc", loc_json(a->loc));
        cJSON *mem = add_arr(o, "members");
        for (int k = 0; k < a->n_members; k++)
            if (a->members[k] >= 0) push_str(mem, m->types[a->members[k]].name);
        add_num(o, "expected_count", (double)(a->expected_count ? a->expected_count : ECS_DEFAULT_COUNT));
    }
    cJSON *phases = add_arr(root, "phases");
    for (int i = 0; i < m->n_phases; i++) {
        cJSON *o = push_obj(phases);
        add_str(o, "name", m->phases[i].name);
        cJSON_AddItemToObject(o, "loc", loc_json(m->phases[i].loc));
    }
    cJSON *systems = add_arr(root, "systems");
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *sy = &m->systems[i];
        cJSON *o = push_obj(systems);
        add_str(o, "name", sy->name);
        cJSON_AddItemToObject(o, "loc", loc_json(sy->loc));
        add_str(o, "thread", sy->flags & ECS_SYS_MAIN_THREAD ? "main" : "any");
        flags_json(o, sy->flags);
        if (sy->phase >= 0) add_str(o, "phase", m->phases[sy->phase].name);
        cJSON *acc = add_arr(o, "access");
        for (int k = 0; k < sy->n_access; k++) {
            cJSON *x = push_obj(acc);
            add_str(x, "kind", ecs_access_names[sy->access[k].kind]);
            if (sy->access[k].target) add_str(x, "target", sy->access[k].target);
            cJSON_AddItemToObject(x, "loc", loc_json(sy->access[k].loc));
        }
        cJSON *ar = add_arr(o, "archetypes");
        for (int k = 0; k < sy->n_archetypes; k++) push_str(ar, m->archetypes[sy->archetypes[k]].name);
        add_num(o, "cost_ns", (double)s->cost_ns[i]);
        add_bool(o, "measured", s->measured[i]);
        add_num(o, "stage", s->stage[i]);
        add_num(o, "rank_ns", (double)s->rank_ns[i]);
        add_bool(o, "critical", s->critical[i]);
    }
    cJSON *order = add_arr(root, "sequential_order");
    for (int i = 0; i < s->n; i++) push_str(order, m->systems[s->order[i]].name);
    cJSON *rels = add_arr(root, "relations");
    for (int i = 0; i < s->n_relations; i++) {
        const ecs_relation *r = &s->relations[i];
        cJSON *o = push_obj(rels);
        add_str(o, "first", m->systems[r->first].name);
        add_str(o, "second", m->systems[r->second].name);
        add_str(o, "requirement", req_names[r->req]);
        add_bool(o, "conflict", r->conflict);
        add_bool(o, "explicit_order", r->explicit_order);
        add_bool(o, "ambiguous", r->ambiguous);
        add_bool(o, "allowed", r->allowed);
        add_bool(o, "edge", r->edge);
        cJSON *rs = add_arr(o, "reasons");
        for (int q = 0; q < r->n_reasons; q++) {
            const ecs_reason *x = &s->reasons[r->reasons + q];
            cJSON *z = push_obj(rs);
            char t[600];
            ecs_reason_text(m, r, x, t, sizeof t);
            add_str(z, "rule", ecs_rule_names[x->rule]);
            add_str(z, "text", t);
            if (x->what >= 0 && x->rule != ECS_RULE_PHASE) add_str(z, "type", m->types[x->what].name);
            if (x->archetype >= 0) add_str(z, "archetype", m->archetypes[x->archetype].name);
            if (x->loc.file) cJSON_AddItemToObject(z, "loc", loc_json(x->loc));
        }
    }
    cJSON *stages = add_arr(root, "stages");
    for (int k = 0; k < s->n_stages; k++) {
        cJSON *o = push_obj(stages);
        add_num(o, "critical_ns", (double)s->stage_ns[k]);
        cJSON *mem = add_arr(o, "systems");
        for (int q = 0; q < s->plan->n_steps; q++)
            if (s->stage[s->plan->steps[q].system] == k)
                push_str(mem, m->systems[s->plan->steps[q].system].name);
    }
    cJSON *syncs = add_arr(root, "sync_points");
    for (int k = 0; k < s->plan->n_steps; k++) {
        if (!s->plan->steps[k].sync_after) continue;
        int x = s->plan->steps[k].system;
        cJSON *o = push_obj(syncs);
        add_num(o, "after_step", k);
        add_str(o, "after_system", m->systems[x].name);
        const ecs_relation *why = ecs_schedule_sync_reason(s, s->stage[x]);
        if (why) {
            add_str(o, "first", m->systems[why->first].name);
            add_str(o, "second", m->systems[why->second].name);
        } else {
            add_str(o, "reason", "end of frame");
        }
    }
    add_num(root, "critical_ns", (double)s->critical_ns);
    add_num(root, "asap_ns", (double)s->asap_ns);
    add_num(root, "ambiguous_pairs", s->n_ambiguous);

    const ecs_plan *p = s->plan;
    cJSON *plan = cJSON_AddObjectToObject(root, "plan");
    oom_check(plan);
    cJSON *steps = add_arr(plan, "steps");
    for (int k = 0; k < p->n_steps; k++) {
        cJSON *o = push_obj(steps);
        add_str(o, "system", m->systems[p->steps[k].system].name);
        add_bool(o, "sync_after", p->steps[k].sync_after);
    }
    cJSON *psys = add_arr(plan, "systems");
    for (int i = 0; i < p->n_systems; i++) {
        cJSON *o = push_obj(psys);
        add_str(o, "name", m->systems[i].name);
        flags_json(o, p->flags[i]);
        cJSON *succ = add_arr(o, "successors");
        for (int e = 0; e < p->n_succ[i]; e++) push_str(succ, m->systems[p->succ[i][e]].name);
        add_num(o, "n_predecessors", p->n_preds[i]);
    }
    char *out = cJSON_Print(root);
    oom_check(out);
    cJSON_Delete(root);
    size_t len = strlen(out);
    char *res = malloc(len + 2);
    oom_check(res);
    memcpy(res, out, len);
    res[len] = '\n';
    res[len + 1] = 0;
    cJSON_free(out);
    return res;
}

/* --- reading a plan back ---------------------------------------------------------------- */

static int system_by_name(const ecs_model *m, const cJSON *j) {
    return cJSON_IsString(j) ? ecs_model_find_system(m, j->valuestring) : -1;
}

ecs_plan *ecs_plan_read_json(const ecs_model *m, const char *path) {
    ecs_loc whole = {path, 1, 1};
    FILE *f = fopen(path, "rb");
    if (!f) {
        ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot open plan '%s'", path);
        return NULL;
    }
    ecs_text t = {0};
    char chunk[65536];
    size_t got;
    ecs_put(&t, "%s", "");
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) ecs_put(&t, "%.*s", (int)got, chunk);
    fclose(f);
    cJSON *root = cJSON_Parse(t.s);
    free(t.s);
    if (!root) {
        ecs_diag(ECS_ERROR, whole, "plan is not valid JSON");
        return NULL;
    }
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(root, "plan");
    if (!plan) plan = root;
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(plan, "steps");
    const cJSON *systems = cJSON_GetObjectItemCaseSensitive(plan, "systems");
    if (!cJSON_IsArray(steps) || !cJSON_IsArray(systems)) {
        ecs_diag(ECS_ERROR, whole, "plan needs arrays \"steps\" and \"systems\"");
        cJSON_Delete(root);
        return NULL;
    }
    ecs_plan *p = ecs_plan_new(m->n_systems, cJSON_GetArraySize(steps));
    int *declared = malloc(sizeof(int) * (size_t)(m->n_systems + 1));
    oom_check(declared);
    for (int x = 0; x < m->n_systems; x++) declared[x] = -1;
    bool ok = true;
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, steps) {
        int x = system_by_name(m, cJSON_GetObjectItemCaseSensitive(it, "system"));
        if (x < 0) {
            ecs_diag(ECS_ERROR, whole, "plan step %d names no system of the schemas", k);
            ok = false;
        }
        p->steps[k].system = x;
        p->steps[k].sync_after = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "sync_after"));
        k++;
    }
    cJSON_ArrayForEach(it, systems) {
        int x = system_by_name(m, cJSON_GetObjectItemCaseSensitive(it, "name"));
        if (x < 0) {
            ecs_diag(ECS_ERROR, whole, "plan lists a system the schemas do not declare");
            ok = false;
            continue;
        }
        const cJSON *fl, *flags = cJSON_GetObjectItemCaseSensitive(it, "flags");
        cJSON_ArrayForEach(fl, flags) {
            if (!cJSON_IsString(fl)) continue;
            if (strcmp(fl->valuestring, "main_thread") == 0) p->flags[x] |= ECS_SYS_MAIN_THREAD;
            else if (strcmp(fl->valuestring, "async") == 0) p->flags[x] |= ECS_SYS_ASYNC;
            else if (strcmp(fl->valuestring, "serial") == 0) p->flags[x] |= ECS_SYS_SERIAL;
            else if (strcmp(fl->valuestring, "structural") == 0) p->flags[x] |= ECS_SYS_STRUCTURAL;
        }
        const cJSON *sc, *succ = cJSON_GetObjectItemCaseSensitive(it, "successors");
        cJSON_ArrayForEach(sc, succ) {
            int y = system_by_name(m, sc);
            if (y < 0) {
                ecs_diag(ECS_ERROR, whole, "successor of '%s' names no system", m->systems[x].name);
                ok = false;
                continue;
            }
            ecs_plan_add_edge(p, x, y);
        }
        const cJSON *np = cJSON_GetObjectItemCaseSensitive(it, "n_predecessors");
        if (cJSON_IsNumber(np)) declared[x] = np->valueint;
    }
    /* n_predecessors as written, not as counted: the verifier compares them */
    for (int x = 0; x < m->n_systems; x++)
        if (declared[x] >= 0) p->n_preds[x] = declared[x];
    free(declared);
    cJSON_Delete(root);
    if (!ok) {
        ecs_plan_free(p);
        return NULL;
    }
    return p;
}
