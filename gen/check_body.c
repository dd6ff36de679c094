/* check_body.c -- judge the facts parse_body.c found in system bodies.
 *
 * For each system of the schemas, its function in the checked files and
 * every function it reaches through calls (in the same file, or helpers in
 * headers that are not the runtime's or the generated API) are checked:
 *
 *   world       calling rt_world_*, rt_table_* or the generated world API
 *               (Position_get, Boid_create, Bounds_resource, ...) reaches
 *               component data or changes structure outside the view
 *   commands    rt_cmd_* directly, or another system's command helpers
 *   views       naming another system's view or command type, the world's
 *               types (rt_world, rt_table), or the raw command buffer
 *   const       a cast or conversion that drops const, or a pointer made from
 *               an integer
 *   render      a call that takes the renderer (render/render.h: its first
 *               parameter is an rd_renderer *) from a system that is not
 *               ECS_MAIN_THREAD: the renderer is one GL context, current on
 *               the thread that runs the frame; its plain helpers
 *               (rd_camera_fit, rd_overlay_push_frame, ...) are fine anywhere
 *   globals     a global or static variable that holds world data (a
 *               component, resource, view or runtime type); a write to a
 *               global or static from a system split into chunks, or from a
 *               worker-thread system that may run at the same time as
 *               another system, or from a main-thread system while a
 *               system touching the same variable may run
 *
 * "May run at the same time" comes from the plan: the same stage and no
 * path of edges between them. Each problem is an error at the line and
 * column in systems/; a problem inside a helper from a header is reported
 * at the call in systems/ that reaches it, with a note at the helper. */
#include "body.h"

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

typedef enum api {
    API_NONE,
    API_OWN_CMD,        /* the system's own command helpers: allowed */
    API_OTHER_CMD,      /* another system's command helpers */
    API_RAW_CMD,        /* rt_cmd_* */
    API_STRUCTURAL,     /* changes the world's structure directly */
    API_DATA,           /* reads or writes world data directly */
    API_SYSTEM          /* another system's body */
} api;

typedef struct judge {
    const ecs_model *m;
    const ecs_schedule *s;
    const ecs_body_model *b;
    int errors;
    int *parent_fn, *parent_fact; /* BFS tree of the system being checked */
    bool *reached;
    unsigned char *reach;         /* plan edges, [n][n] */
    /* reported (fact location + kind), to say each thing once */
    int n_seen, cap_seen;
    char **seen;
} judge;

static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool declared_in_checked(const ecs_body_model *b, ecs_loc decl) {
    if (!decl.file) return false;
    for (int i = 0; i < b->n_files; i++) {
        const char *f = b->files[i];
        if (strncmp(f, "./", 2) == 0) f += 2;
        if (strcmp(f, decl.file) == 0) return true;
    }
    return false;
}

/* What a call to `name` is, for system `self`; `*other` names the system
 * whose helper or body it is. */
static api classify_call(const judge *j, int self, const ecs_fact *f, int *other) {
    const ecs_model *m = j->m;
    const char *name = f->name;
    *other = -1;
    if (starts_with(name, "rt_cmd_")) return API_RAW_CMD;
    static const char *const structural[] = {"rt_world_create_entity", "rt_world_destroy_entity",
                                             "rt_world_set_tag", "rt_world_sync",
                                             "rt_world_reserve", "rt_world_frame"};
    for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
        if (strcmp(name, structural[i]) == 0) return API_STRUCTURAL;
    if (starts_with(name, "rt_world_") || starts_with(name, "rt_table_") || starts_with(name, "rt__"))
        return API_DATA;
    for (int t = 0; t < m->n_systems; t++) {
        const char *sn = m->systems[t].name;
        size_t n = strlen(sn);
        if (strcmp(name, sn) == 0) {
            *other = t;
            return t == self ? API_NONE : API_SYSTEM;
        }
        if (!declared_in_checked(j->b, f->decl) && strncmp(name, sn, n) == 0 && name[n] == '_' &&
            (starts_with(name + n + 1, "create_") || starts_with(name + n + 1, "destroy_") ||
             starts_with(name + n + 1, "set_"))) {
            *other = t;
            return t == self ? API_OWN_CMD : API_OTHER_CMD;
        }
    }
    if (declared_in_checked(j->b, f->decl)) return API_NONE; /* the user's own */
    char want[512];
    for (int a = 0; a < m->n_archetypes; a++) {
        snprintf(want, sizeof want, "%s_create", m->archetypes[a].name);
        if (strcmp(name, want) == 0) return API_STRUCTURAL;
    }
    for (int t = 0; t < m->n_types; t++) {
        const ecs_type *ty = &m->types[t];
        static const char *const suffix[3][2] = {{"_get", "_set"}, {"_set", "_has"}, {"_resource", ""}};
        for (int k = 0; k < 2; k++) {
            if (!suffix[ty->kind][k][0]) continue;
            snprintf(want, sizeof want, "%s%s", ty->name, suffix[ty->kind][k]);
            if (strcmp(name, want) == 0)
                return ty->kind == ECS_TAG_KIND && k == 0 ? API_STRUCTURAL : API_DATA;
        }
    }
    return API_NONE;
}

/* Is `type` a view or command type of a system other than self (sets
 * *other), or a runtime type that reaches the world? */
static bool foreign_type(const ecs_model *m, int self, const char *type, int *other) {
    *other = -1;
    for (int t = 0; t < m->n_systems; t++) {
        const char *sn = m->systems[t].name;
        size_t n = strlen(sn);
        if (strncmp(type, sn, n) == 0 && (strcmp(type + n, "_view") == 0 || strcmp(type + n, "_cmd") == 0)) {
            *other = t;
            return t != self;
        }
    }
    return strcmp(type, "rt_world") == 0 || strcmp(type, "rt_table") == 0 ||
           strcmp(type, "rt_cmd") == 0;
}

/* A component or resource type, the world's data. */
static int world_type(const ecs_model *m, const char *type) {
    int t = ecs_model_find_type(m, type);
    return t >= 0 && m->types[t].kind != ECS_TAG_KIND ? t : -1;
}

/* --- reporting ------------------------------------------------------------------------ */

static bool once(judge *j, const ecs_fact *f, const char *what) {
    char key[1200];
    if (strcmp(what, "world") == 0) /* a global of world data: once per function */
        snprintf(key, sizeof key, "%s:%s:%s", f->loc.file ? f->loc.file : "", f->usr, what);
    else
        snprintf(key, sizeof key, "%s:%u:%u:%s", f->loc.file ? f->loc.file : "", f->loc.line,
                 f->loc.col, what);
    for (int i = 0; i < j->n_seen; i++)
        if (strcmp(j->seen[i], key) == 0) return false;
    if (j->n_seen == j->cap_seen) {
        j->cap_seen = j->cap_seen ? 2 * j->cap_seen : 64;
        char **n = realloc(j->seen, sizeof *n * (size_t)j->cap_seen);
        if (!n) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
        j->seen = n;
    }
    j->seen[j->n_seen] = strdup(key);
    if (!j->seen[j->n_seen]) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    j->n_seen++;
    return true;
}

/* Report fact f of function fn, reached by system self. Outside the checked
 * files, the error goes to the call that leaves them, with a note here. */
static void report(judge *j, int self, int fn, const ecs_fact *f, const char *kind,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report(judge *j, int self, int fn, const ecs_fact *f, const char *kind,
                   const char *fmt, ...) {
    if (!once(j, f, kind)) return;
    const ecs_body_model *b = j->b;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const ecs_body_fn *where = &b->fns[fn];
    const char *sys = j->m->systems[self].name;
    if (where->in_checked_file) {
        if (strcmp(where->name, sys) == 0)
            ecs_diag(ECS_ERROR, f->loc, "system '%s' %s", sys, msg);
        else
            ecs_diag(ECS_ERROR, f->loc, "function '%s' (reached from system '%s') %s",
                     where->name, sys, msg);
        j->errors++;
        return;
    }
    /* climb to the call made from a checked file */
    int at = fn;
    while (j->parent_fn[at] >= 0 && !b->fns[j->parent_fn[at]].in_checked_file)
        at = j->parent_fn[at];
    int p = j->parent_fn[at];
    if (p >= 0) {
        const ecs_fact *call = &b->fns[p].facts[j->parent_fact[at]];
        const ecs_body_fn *caller = &b->fns[p];
        char by[300] = "";
        if (strcmp(caller->name, sys) != 0)
            snprintf(by, sizeof by, " (reached from system '%s')", sys);
        if (at == fn)
            ecs_diag(ECS_ERROR, call->loc, "%s '%s'%s calls '%s', which %s",
                     strcmp(caller->name, sys) == 0 ? "system" : "function", caller->name, by,
                     where->name, msg);
        else
            ecs_diag(ECS_ERROR, call->loc, "%s '%s'%s calls '%s', through which '%s' %s",
                     strcmp(caller->name, sys) == 0 ? "system" : "function", caller->name, by,
                     b->fns[at].name, where->name, msg);
    } else {
        ecs_diag(ECS_ERROR, f->loc, "function '%s' (reached from system '%s') %s", where->name,
                 sys, msg);
    }
    ecs_diag(ECS_NOTE, f->loc, "in '%s', here", where->name);
    j->errors++;
}

/* --- reachability ----------------------------------------------------------------------- */

static int find_fn(const ecs_body_model *b, const char *usr) {
    for (int i = 0; i < b->n_fns; i++)
        if (strcmp(b->fns[i].usr, usr) == 0) return i;
    return -1;
}

/* Breadth-first over calls from the system's function; fills reached[] and
 * the tree. Calls into the runtime, the generated API or another system
 * are judged, not followed. */
static void reach_from(judge *j, int self, int start) {
    const ecs_body_model *b = j->b;
    for (int i = 0; i < b->n_fns; i++) {
        j->reached[i] = false;
        j->parent_fn[i] = j->parent_fact[i] = -1;
    }
    int *queue = xcalloc((size_t)b->n_fns, sizeof(int));
    int head = 0, tail = 0;
    queue[tail++] = start;
    j->reached[start] = true;
    while (head < tail) {
        int fn = queue[head++];
        for (int k = 0; k < b->fns[fn].n_facts; k++) {
            const ecs_fact *f = &b->fns[fn].facts[k];
            if (f->kind != ECS_FACT_CALL) continue;
            int other;
            if (classify_call(j, self, f, &other) != API_NONE) continue;
            int g = find_fn(b, f->usr);
            if (g < 0 || j->reached[g]) continue;
            j->reached[g] = true;
            j->parent_fn[g] = fn;
            j->parent_fact[g] = k;
            queue[tail++] = g;
        }
    }
    free(queue);
}

/* --- the rules --------------------------------------------------------------------------- */

static void judge_fact(judge *j, int self, int fn, const ecs_fact *f) {
    const ecs_model *m = j->m;
    const char *sys = m->systems[self].name;
    int other = -1;
    switch (f->kind) {
    case ECS_FACT_CALL:
        if (strcmp(f->var_type, "rd_renderer") == 0 &&
            !(j->s->plan->flags[self] & ECS_SYS_MAIN_THREAD)) {
            report(j, self, fn, f, "render", "calls '%s' on the renderer, whose GL context "
                   "belongs to the thread that runs the frame, but '%s' may run on a worker "
                   "thread: make it ECS_MAIN_THREAD", f->name, sys);
            return;
        }
        switch (classify_call(j, self, f, &other)) {
        case API_STRUCTURAL:
            report(j, self, fn, f, "call", "calls '%s', which changes the world's structure "
                   "directly: declare the change (ECS_CREATES, ECS_DESTROYS, ECS_TOGGLES) and "
                   "record it through its command buffer (v.cmd)", f->name);
            break;
        case API_DATA:
            report(j, self, fn, f, "call", "calls '%s', which reaches world data outside its "
                   "view: declare the access (ECS_READ, ECS_WRITE) and use the view", f->name);
            break;
        case API_RAW_CMD:
            report(j, self, fn, f, "call", "calls '%s' on a raw command buffer: record changes "
                   "with the helpers of '%s_cmd', which only allow what '%s' declares",
                   f->name, sys, sys);
            break;
        case API_OTHER_CMD:
            report(j, self, fn, f, "call", "calls '%s', a command helper of system '%s'",
                   f->name, m->systems[other].name);
            break;
        case API_SYSTEM:
            report(j, self, fn, f, "call", "calls system '%s' directly: systems run only "
                   "from the schedule", f->name);
            break;
        default:
            break;
        }
        return;
    case ECS_FACT_TYPE_USE:
        if (!foreign_type(m, self, f->name, &other)) return;
        if (other >= 0)
            report(j, self, fn, f, "type", "uses '%s', the %s of system '%s': a system sees "
                   "only its own view", f->name,
                   strstr(f->name, "_view") ? "view" : "command buffer", m->systems[other].name);
        else if (strcmp(f->name, "rt_cmd") == 0)
            report(j, self, fn, f, "type", "uses the raw command buffer ('rt_cmd'): record "
                   "changes with the helpers of '%s_cmd'", sys);
        else
            report(j, self, fn, f, "type", "uses '%s': component data is reached only through "
                   "the system's view", f->name);
        return;
    case ECS_FACT_CONST_CAST:
        report(j, self, fn, f, "const", "drops const with %s: data a system reads must not be "
               "written (declare ECS_WRITE to write it)", f->detail);
        return;
    case ECS_FACT_INT_TO_POINTER:
        report(j, self, fn, f, "const", "makes a pointer from an integer with %s: a system "
               "reaches data only through its view", f->detail);
        return;
    case ECS_FACT_GLOBAL_READ:
    case ECS_FACT_GLOBAL_WRITE: {
        int t = world_type(m, f->var_type);
        if (t >= 0)
            report(j, self, fn, f, "world", "%s global '%s' (of %s '%s'), which holds world "
                   "data outside its view: declare ECS_%s(%s)",
                   f->kind == ECS_FACT_GLOBAL_WRITE ? "writes" : "reads", f->name,
                   m->types[t].kind == ECS_RESOURCE_KIND ? "resource" : "component",
                   m->types[t].name, f->kind == ECS_FACT_GLOBAL_WRITE ? "WRITE" : "READ",
                   m->types[t].name);
        else if (foreign_type(m, self, f->var_type, &other))
            report(j, self, fn, f, "world", "uses global '%s' of type '%s', which reaches "
                   "world data outside its view", f->name, f->var_type);
        return;
    }
    }
}

/* --- globals and the plan ------------------------------------------------------------------ */

typedef struct touch {
    int system, fn;
    const ecs_fact *f;
} touch;

typedef struct touches {
    int n, cap;
    touch *t;
} touches;

static void push_touch(touches *ts, touch t) {
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 64;
        ts->t = realloc(ts->t, sizeof *ts->t * (size_t)ts->cap);
        if (!ts->t) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
    }
    ts->t[ts->n++] = t;
}

static bool concurrent(const judge *j, int a, int b) {
    const ecs_schedule *s = j->s;
    int n = j->m->n_systems;
    if (a == b || s->stage[a] != s->stage[b]) return false;
    uint32_t fa = s->plan->flags[a], fb = s->plan->flags[b];
    if ((fa & ECS_SYS_MAIN_THREAD) && (fb & ECS_SYS_MAIN_THREAD)) return false;
    return !j->reach[(size_t)a * (size_t)n + (size_t)b] && !j->reach[(size_t)b * (size_t)n + (size_t)a];
}

static bool chunked(const judge *j, int a) {
    return j->m->systems[a].n_archetypes > 0 &&
           !(j->s->plan->flags[a] & (ECS_SYS_SERIAL | ECS_SYS_MAIN_THREAD));
}

/* The writes of one system (mine; its call tree is current) against what
 * every system touches (all). */
static void judge_globals(judge *j, const touches *mine, const touches *all) {
    const ecs_model *m = j->m;
    for (int i = 0; i < mine->n; i++) {
        const touch *w = &mine->t[i];
        if (w->f->kind != ECS_FACT_GLOBAL_WRITE || world_type(m, w->f->var_type) >= 0) continue;
        const char *sys = m->systems[w->system].name;
        if (chunked(j, w->system)) {
            report(j, w->system, w->fn, w->f, "race", "writes global '%s' (%s), but '%s' runs "
                   "in chunks on several threads at once: keep the state in a component or a "
                   "resource", w->f->name, w->f->detail, sys);
            continue;
        }
        bool main = j->s->plan->flags[w->system] & ECS_SYS_MAIN_THREAD;
        for (int t = 0; t < m->n_systems; t++) {
            if (!concurrent(j, w->system, t)) continue;
            const touch *other = NULL;
            for (int k = 0; k < all->n && !other; k++)
                if (all->t[k].system == t && strcmp(all->t[k].f->usr, w->f->usr) == 0)
                    other = &all->t[k];
            if (main && !other) continue;
            if (other)
                report(j, w->system, w->fn, w->f, "race", "writes global '%s' (%s), but system "
                       "'%s', which %s it, may run at the same time: keep the state in a "
                       "resource both declare", w->f->name, w->f->detail, m->systems[t].name,
                       other->f->kind == ECS_FACT_GLOBAL_WRITE ? "writes" : "reads");
            else
                report(j, w->system, w->fn, w->f, "race", "writes global '%s' (%s), but '%s' "
                       "may run at the same time as '%s' on another thread: keep the state in "
                       "a resource, or make '%s' ECS_MAIN_THREAD", w->f->name, w->f->detail, sys,
                       m->systems[t].name, sys);
            break;
        }
    }
}

int ecs_body_check(const ecs_model *m, const ecs_schedule *s, const ecs_body_model *b) {
    judge j = {m, s, b, 0, xcalloc((size_t)b->n_fns, sizeof(int)),
               xcalloc((size_t)b->n_fns, sizeof(int)), xcalloc((size_t)b->n_fns, sizeof(bool)),
               NULL, 0, 0, NULL};
    int n = m->n_systems;
    const ecs_plan *p = s->plan;
    j.reach = xcalloc((size_t)n * (size_t)n, 1);
    for (int k = p->n_steps - 1; k >= 0; k--) {
        int a = p->steps[k].system;
        for (int e = 0; e < p->n_succ[a]; e++) {
            int c = p->succ[a][e];
            j.reach[(size_t)a * (size_t)n + (size_t)c] = 1;
            for (int x = 0; x < n; x++)
                j.reach[(size_t)a * (size_t)n + (size_t)x] |= j.reach[(size_t)c * (size_t)n + (size_t)x];
        }
    }
    touches ts = {0};
    for (int sys = 0; sys < n; sys++) {
        int start = -1;
        for (int i = 0; i < b->n_fns && start < 0; i++)
            if (b->fns[i].in_checked_file && strcmp(b->fns[i].name, m->systems[sys].name) == 0)
                start = i;
        if (start < 0) continue;
        reach_from(&j, sys, start);
        for (int fn = 0; fn < b->n_fns; fn++) {
            if (!j.reached[fn]) continue;
            for (int k = 0; k < b->fns[fn].n_facts; k++) {
                const ecs_fact *f = &b->fns[fn].facts[k];
                judge_fact(&j, sys, fn, f);
                if (f->kind == ECS_FACT_GLOBAL_READ || f->kind == ECS_FACT_GLOBAL_WRITE)
                    push_touch(&ts, (touch){sys, fn, f});
            }
        }
    }
    /* Races need every system's touches: a second pass, each system's tree
     * rebuilt so that reports can climb it. */
    for (int sys = 0; sys < n; sys++) {
        int start = -1;
        for (int i = 0; i < b->n_fns && start < 0; i++)
            if (b->fns[i].in_checked_file && strcmp(b->fns[i].name, m->systems[sys].name) == 0)
                start = i;
        if (start < 0) continue;
        reach_from(&j, sys, start);
        touches mine = {0};
        for (int i = 0; i < ts.n; i++)
            if (ts.t[i].system == sys) push_touch(&mine, ts.t[i]);
        judge_globals(&j, &mine, &ts);
        free(mine.t);
    }
    free(ts.t);
    for (int i = 0; i < j.n_seen; i++) free(j.seen[i]);
    free(j.seen);
    free(j.reach);
    free(j.parent_fn);
    free(j.parent_fact);
    free(j.reached);
    return j.errors;
}

int ecs_body_run(ecs_model *m, const ecs_schedule *s, const ecs_body_desc *desc) {
    ecs_body_model *b = ecs_body_parse(desc, m);
    if (!b) {
        ecs_diag(ECS_ERROR, (ecs_loc){0}, "libclang failed to start");
        return -1;
    }
    if (ecs_diag_errors() == 0) ecs_body_check(m, s, b);
    ecs_body_free(b);
    if (ecs_diag_errors() > 0) return -1;
    if (desc->stamp) {
        FILE *f = fopen(desc->stamp, "w"); /* always: its time says "checked" */
        if (!f || fclose(f) != 0) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot write '%s'", desc->stamp);
            return -1;
        }
        if (desc->depfile && ecs_write_depfile(desc->depfile, desc->stamp, m) != 0) return -1;
    }
    return 0;
}
