/* emit.c -- model + schedule -> the text of generated/<name>.h and .c.
 *
 * The header gives game code and system bodies their typed world: ids, the
 * _init struct and create helpers of each archetype, get/set of components,
 * tag switches, resource accessors, and for every system its view (exactly
 * what it declared: written columns as T *, read columns as const T *) and
 * the prototype of its body in systems/. The .c file holds the entry points
 * that bind each system to each matched archetype's columns, and the program
 * as static const tables that the runtime interprets (rt.h).
 *
 * Output is byte-stable: declaration order everywhere, paths as given, no
 * dates, versions or pointers. Nothing here talks to libclang; everything
 * comes from the model. Next: output.c writes the text out.
 */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct emitter {
    const ecs_model *m;
    const ecs_schedule *sc;
    const char *name;  /* program name, e.g. "swarm" */
    char upper[128];   /* "SWARM" */
} emitter;

/* --- helpers -------------------------------------------------------------- */

static const ecs_type *type_of(const emitter *e, int i) { return &e->m->types[i]; }

static bool is_entity_access(const emitter *e, const ecs_access *a) {
    return (a->kind == ECS_ACCESS_READ || a->kind == ECS_ACCESS_WRITE) && a->index >= 0 &&
           type_of(e, a->index)->kind == ECS_COMPONENT_KIND;
}

static bool is_resource_access(const emitter *e, const ecs_access *a) {
    return (a->kind == ECS_ACCESS_READ || a->kind == ECS_ACCESS_WRITE) && a->index >= 0 &&
           type_of(e, a->index)->kind == ECS_RESOURCE_KIND;
}

static bool has_cmd(const ecs_system *s) { return (s->flags & ECS_SYS_STRUCTURAL) != 0; }

static bool is_async(const ecs_system *s) { return (s->flags & ECS_SYS_ASYNC) != 0; }

/* An async system's ECS_JOB_INPUT type (check.c made sure there is one). */
static const char *job_input(const ecs_system *s) {
    for (int i = 0; i < s->n_access; i++)
        if (s->access[i].kind == ECS_ACCESS_JOB_INPUT) return s->access[i].target;
    return "void";
}

static bool writes_component(const emitter *e, const ecs_access *a) {
    return a->kind == ECS_ACCESS_WRITE && is_entity_access(e, a);
}

static const char *loc_str(const ecs_loc *l) {
    static char out[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(out[k], sizeof out[k], "%s:%u:%u", l->file ? l->file : "?", l->line, l->col);
    return out[k];
}

/* Column of a component field inside archetype a: its index in the table. */
static int column_index(const emitter *e, const ecs_archetype *a, int type, int field) {
    int col = 0;
    for (int k = 0; k < a->n_members; k++) {
        const ecs_type *t = type_of(e, a->members[k]);
        if (t->kind != ECS_COMPONENT_KIND) continue;
        if (a->members[k] == type) return col + field;
        col += t->n_fields;
    }
    return -1;
}

static int tag_bit_index(const emitter *e, const ecs_archetype *a, int type) {
    int bit = 0;
    for (int k = 0; k < a->n_members; k++) {
        if (type_of(e, a->members[k])->kind != ECS_TAG_KIND) continue;
        if (a->members[k] == type) return bit;
        bit++;
    }
    return -1;
}

static const char *archetype_member(const char *name, char out[128]) {
    /* Boid -> boid, for view member names */
    size_t n = strlen(name);
    if (n > 127) n = 127;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    out[n] = 0;
    return out;
}

/* "float", "[4]", const, name -> "const float (*restrict name)[4]" */
static void column_decl(ecs_text *b, const ecs_field *f, bool is_const, const char *name) {
    if (f->dims[0])
        ecs_put(b, "%s%s (*restrict %s)%s", is_const ? "const " : "", f->type, name, f->dims);
    else
        ecs_put(b, "%s%s *restrict %s", is_const ? "const " : "", f->type, name);
}

static void column_cast(ecs_text *b, const ecs_field *f, bool is_const) {
    if (f->dims[0])
        ecs_put(b, "(%s%s (*)%s)", is_const ? "const " : "", f->type, f->dims);
    else
        ecs_put(b, "(%s%s *)", is_const ? "const " : "", f->type);
}

static void access_summary(ecs_text *b, const emitter *e, const ecs_system *s) {
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        ecs_put(b, "%s%s%s%s", i ? ", " : "", ecs_access_names[a->kind],
            a->target ? " " : "", a->target ? a->target : "");
        if (a->kind == ECS_ACCESS_BUDGET && a->text) ecs_put(b, " %s ms", a->text);
    }
    (void)e;
}

/* --- the header ------------------------------------------------------------ */

static void emit_ids(ecs_text *b, const emitter *e) {
    const ecs_model *m = e->m;
    static const char *const kinds[] = {"components", "tags", "resources"};
    for (int k = 0; k < 3; k++) {
        if (ecs_model_count_kind(m, (ecs_type_kind)k) == 0) continue;
        ecs_put(b, "/* %s */\nenum {\n", kinds[k]);
        for (int i = 0; i < m->n_types; i++)
            if ((int)m->types[i].kind == k)
                ecs_put(b, "    %s_id = %d,\n", m->types[i].name, m->types[i].id);
        ecs_put(b, "};\n\n");
    }
    if (m->n_archetypes) {
        ecs_put(b, "/* archetypes */\nenum {\n");
        for (int i = 0; i < m->n_archetypes; i++)
            ecs_put(b, "    %s_id = %d,\n", m->archetypes[i].name, i);
        ecs_put(b, "};\n\n");
    }
    if (m->n_systems) {
        ecs_put(b, "/* systems */\nenum {\n");
        for (int i = 0; i < m->n_systems; i++)
            ecs_put(b, "    %s_id = %d,\n", m->systems[i].name, i);
        ecs_put(b, "};\n\n");
    }
}

static void emit_archetype_api(ecs_text *b, const emitter *e, const ecs_archetype *a) {
    ecs_put(b, "/* archetype %s (%s):", a->name, loc_str(&a->loc));
    for (int k = 0; k < a->n_members; k++) ecs_put(b, " %s", type_of(e, a->members[k])->name);
    ecs_put(b, " */\n");
    ecs_put(b, "typedef struct %s_init {\n", a->name);
    for (int k = 0; k < a->n_members; k++) {
        const ecs_type *t = type_of(e, a->members[k]);
        if (t->kind == ECS_COMPONENT_KIND) ecs_put(b, "    %s %s;\n", t->name, t->member);
    }
    ecs_put(b, "} %s_init;\n\n", a->name);
    ecs_put(b, "static inline rt_entity %s_create(rt_world *w, const %s_init *init) {\n"
           "    return rt_world_create_entity(w, %s_id, init);\n}\n\n",
        a->name, a->name, a->name);
}

static void emit_type_api(ecs_text *b, const emitter *e, const ecs_type *t) {
    (void)e;
    switch (t->kind) {
    case ECS_COMPONENT_KIND:
        ecs_put(b, "static inline int %s_get(const rt_world *w, rt_entity e, %s *out) {\n"
               "    return rt_world_get(w, e, %s_id, out);\n}\n"
               "static inline int %s_set(rt_world *w, rt_entity e, %s value) {\n"
               "    return rt_world_set(w, e, %s_id, &value);\n}\n\n",
            t->name, t->name, t->name, t->name, t->name, t->name);
        break;
    case ECS_TAG_KIND:
        ecs_put(b, "static inline int %s_set(rt_world *w, rt_entity e, bool on) {\n"
               "    return rt_world_set_tag(w, e, %s_id, on);\n}\n"
               "static inline int %s_has(const rt_world *w, rt_entity e) {\n"
               "    return rt_world_has_tag(w, e, %s_id);\n}\n\n",
            t->name, t->name, t->name, t->name);
        break;
    case ECS_RESOURCE_KIND:
        ecs_put(b, "static inline %s *%s_resource(rt_world *w) {\n"
               "    return (%s *)rt_world_resource(w, %s_id);\n}\n\n",
            t->name, t->name, t->name, t->name);
        break;
    }
}

/* The command handle of a structural system and its typed operations: a
 * system can only record what it declared. */
static void emit_cmd_api(ecs_text *b, const emitter *e, const ecs_system *s) {
    ecs_put(b, "typedef struct %s_cmd { rt_cmd *cmd; } %s_cmd;\n", s->name, s->name);
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->index < 0) continue;
        if (a->kind == ECS_ACCESS_CREATES)
            ecs_put(b, "static inline int %s_create_%s(%s_cmd c, const %s_init *init) {\n"
                   "    return rt_cmd_create(c.cmd, %s_id, init);\n}\n",
                s->name, a->target, s->name, a->target, a->target);
        else if (a->kind == ECS_ACCESS_DESTROYS)
            ecs_put(b, "static inline int %s_destroy_%s(%s_cmd c, rt_entity e) {\n"
                   "    return rt_cmd_destroy_in(c.cmd, e, %s_id);\n}\n",
                s->name, a->target, s->name, a->target);
        else if (a->kind == ECS_ACCESS_TOGGLES)
            ecs_put(b, "static inline int %s_set_%s(%s_cmd c, rt_entity e, bool on) {\n"
                   "    return rt_cmd_tag(c.cmd, e, %s_id, on);\n}\n",
                s->name, a->target, s->name, a->target);
    }
    (void)e;
    ecs_put(b, "\n");
}

/* An async system's job types and its handle on them: the input named by
 * ECS_JOB_INPUT, the result made of the components it writes, and the typed
 * submit/pending helpers (docs/jobs.md). */
static void emit_jobs_api(ecs_text *b, const emitter *e, const ecs_system *s) {
    const char *in = job_input(s), *n = s->name;
    char in_name[300];
    snprintf(in_name, sizeof in_name, "%s_job_in", n);
    if (strcmp(in, in_name) != 0)
        ecs_put(b, "typedef %s %s_job_in; /* a job's input, copied when it is submitted */\n",
            in, n);
    ecs_put(b, "typedef struct %s_job_out { /* a job's result: what '%s' writes */\n", n, n);
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (!writes_component(e, a)) continue;
        const ecs_type *t = type_of(e, a->index);
        ecs_put(b, "    %s %s;\n", t->name, t->member);
    }
    ecs_put(b, "} %s_job_out;\n", n);
    ecs_put(b, "typedef struct %s_jobs { rt_jobs_port *port; } %s_jobs;\n", n, n);
    ecs_put(b, "/* Accepts a job for e with a copy of *in: RT_OK (e is pending until its\n"
           " * result is applied), RT_EFULL (no room in the queue: e still needs work),\n"
           " * RT_EBUSY (e already has a job in flight). */\n");
    ecs_put(b, "static inline int %s_submit(%s_jobs j, rt_entity e, const %s_job_in *in) {\n"
           "    return rt_jobs_submit(j.port, e, in);\n}\n", n, n, n);
    ecs_put(b, "static inline bool %s_pending(%s_jobs j, rt_entity e) {\n"
           "    return rt_jobs_pending(j.port, e);\n}\n", n, n);
}

static void emit_view(ecs_text *b, const emitter *e, const ecs_system *s) {
    ecs_put(b, "/* system %s (%s): ", s->name, loc_str(&s->loc));
    access_summary(b, e, s);
    ecs_put(b, " */\n");
    if (has_cmd(s)) emit_cmd_api(b, e, s);
    if (is_async(s)) emit_jobs_api(b, e, s);
    ecs_put(b, "typedef struct %s_view {\n", s->name);
    if (s->n_archetypes) {
        ecs_put(b, "    int32_t count;            /* entities in this run */\n");
        ecs_put(b, "    const rt_entity *entity;  /* [count] */\n");
    }
    if (s->degradable)
        ecs_put(b, "    float dt;                 /* seconds this run stands for: several "
               "frames when throttled */\n");
    else
        ecs_put(b, "    float dt;                 /* seconds, this frame */\n");
    ecs_put(b, "    float quality;            /* quality level, in [0.5, 1]: scale optional "
           "work by it */\n");
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (is_entity_access(e, a)) {
            const ecs_type *t = type_of(e, a->index);
            bool ro = a->kind == ECS_ACCESS_READ;
            ecs_put(b, "    struct {\n");
            for (int f = 0; f < t->n_fields; f++) {
                ecs_put(b, "        ");
                column_decl(b, &t->fields[f], ro, t->fields[f].name);
                ecs_put(b, ";\n");
            }
            ecs_put(b, "    } %s; /* %s */\n", t->member, ro ? "read" : "written");
        } else if (is_resource_access(e, a)) {
            const ecs_type *t = type_of(e, a->index);
            bool ro = a->kind == ECS_ACCESS_READ;
            ecs_put(b, "    %s%s *%s; /* resource, %s */\n", ro ? "const " : "", t->name,
                t->member, ro ? "read" : "written");
        }
    }
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->kind == ECS_ACCESS_CREATES && a->index >= 0) {
            char lower[128];
            ecs_put(b, "    int32_t n_%s; /* live %s entities, before this frame's "
                   "pending creates */\n",
                archetype_member(a->target, lower), a->target);
        }
    }
    if (has_cmd(s)) ecs_put(b, "    %s_cmd cmd;               /* structural changes */\n", s->name);
    if (is_async(s)) ecs_put(b, "    %s_jobs jobs;             /* async: submit a job per entity */\n", s->name);
    ecs_put(b, "} %s_view;\n", s->name);
    ecs_put(b, "void %s(%s_view v); /* defined in systems/ */\n", s->name, s->name);
    if (is_async(s))
        ecs_put(b, "/* The job, defined in systems/: runs on a job thread and sees only *in. */\n"
               "void %s_job(const %s_job_in *in, %s_job_out *out);\n", s->name, s->name,
            s->name);
    ecs_put(b, "\n");
}

static char *emit_header(const emitter *e, const char *guard) {
    const ecs_model *m = e->m;
    ecs_text b = {0};
    ecs_put(&b, "/* generated by ecsc from");
    for (int i = 0; i < m->n_inputs; i++) ecs_put(&b, " %s", m->inputs[i]);
    ecs_put(&b, "; do not edit */\n");
    ecs_put(&b, "#ifndef %s\n#define %s\n\n", guard, guard);
    ecs_put(&b, "#include \"rt.h\"\n");
    for (int i = 0; i < m->n_inputs; i++) ecs_put(&b, "#include \"%s\"\n", m->inputs[i]);
    ecs_put(&b, "\nextern const rt_program %s_program;\n\n", e->name);
    emit_ids(&b, e);
    for (int i = 0; i < m->n_types; i++) emit_type_api(&b, e, &m->types[i]);
    for (int i = 0; i < m->n_archetypes; i++) emit_archetype_api(&b, e, &m->archetypes[i]);
    for (int i = 0; i < m->n_systems; i++) emit_view(&b, e, &m->systems[i]);
    ecs_put(&b, "#endif /* %s */\n", guard);
    return b.s;
}

/* --- the .c file: entry points ------------------------------------------- */

static void emit_filter(ecs_text *b, const emitter *e, const ecs_system *s,
                        const ecs_archetype *a, bool *has_filter) {
    int with[8], without[8], nw = 0, nwo = 0;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *x = &s->access[i];
        if ((x->kind != ECS_ACCESS_WITH && x->kind != ECS_ACCESS_WITHOUT) || x->index < 0 ||
            type_of(e, x->index)->kind != ECS_TAG_KIND)
            continue;
        int bit = tag_bit_index(e, a, x->index);
        if (bit < 0) continue; /* WITHOUT a tag the archetype lacks: always true */
        if (x->kind == ECS_ACCESS_WITH && nw < 4) with[nw++] = bit;
        if (x->kind == ECS_ACCESS_WITHOUT && nwo < 4) without[nwo++] = bit;
    }
    *has_filter = nw + nwo > 0;
    if (!*has_filter) return;
    ecs_put(b, "static const rt_filter %s__%s_filter = {%d, %d, {", s->name, a->name, nw, nwo);
    for (int i = 0; i < nw; i++) ecs_put(b, "%s%d", i ? ", " : "", with[i]);
    ecs_put(b, "%s}, {", nw ? "" : "0");
    for (int i = 0; i < nwo; i++) ecs_put(b, "%s%d", i ? ", " : "", without[i]);
    ecs_put(b, "%s}};\n", nwo ? "" : "0");
}

/* The view's fields that do not depend on the rows. */
static void emit_view_common(ecs_text *b, const emitter *e, const ecs_system *s) {
    if (s->degradable) ecs_put(b, "    v.dt = rt_world_system_dt(w, %s_id);\n", s->name);
    else ecs_put(b, "    v.dt = rt_world_dt(w);\n");
    ecs_put(b, "    v.quality = rt_world_quality(w);\n");
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (is_resource_access(e, a)) {
            const ecs_type *t = type_of(e, a->index);
            ecs_put(b, "    v.%s = %s_resource(w);\n", t->member, t->name);
        }
    }
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (a->kind == ECS_ACCESS_CREATES && a->index >= 0) {
            char lower[128];
            ecs_put(b, "    v.n_%s = rt_world_count(w, %s_id);\n",
                archetype_member(a->target, lower), a->target);
        }
    }
    if (has_cmd(s)) ecs_put(b, "    v.cmd.cmd = cmd;\n");
    else ecs_put(b, "    (void)cmd;\n");
    if (is_async(s)) ecs_put(b, "    v.jobs.port = rt_jobs_port_of(w, %s_id);\n", s->name);
}

static void emit_entry(ecs_text *b, const emitter *e, const ecs_system *s,
                       const ecs_archetype *a) {
    bool filtered;
    emit_filter(b, e, s, a, &filtered);
    ecs_put(b, "static void %s__%s(rt_world *w, rt_table *t, int32_t begin, int32_t end,\n"
           "        rt_cmd *cmd) {\n", s->name, a->name);
    ecs_put(b, "    %s_view v;\n", s->name);
    emit_view_common(b, e, s);
    const char *lo = "begin";
    if (filtered) {
        ecs_put(b, "    int32_t pos = begin, lo, hi;\n");
        ecs_put(b, "    while (rt_table_next_run(t, &%s__%s_filter, &pos, end, &lo, &hi)) {\n",
            s->name, a->name);
        lo = "lo";
    } else {
        ecs_put(b, "    {\n");
    }
    ecs_put(b, "        v.count = %s - %s;\n", filtered ? "hi" : "end", lo);
    ecs_put(b, "        v.entity = t->entities + %s;\n", lo);
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *x = &s->access[i];
        if (!is_entity_access(e, x)) continue;
        const ecs_type *t = type_of(e, x->index);
        bool ro = x->kind == ECS_ACCESS_READ;
        for (int f = 0; f < t->n_fields; f++) {
            ecs_put(b, "        v.%s.%s = ", t->member, t->fields[f].name);
            column_cast(b, &t->fields[f], ro);
            ecs_put(b, "t->columns[%d] + %s;\n", column_index(e, a, x->index, f), lo);
        }
    }
    ecs_put(b, "        %s(v);\n    }\n", s->name);
    /* Async: what still waits for its batch goes into the queue now. */
    if (is_async(s)) ecs_put(b, "    rt_jobs_flush(v.jobs.port);\n");
    ecs_put(b, "}\n\n");
}

/* An async system's job function behind the runtime's signature, how a
 * result is written into the world, and both as the system's rt_job_desc. */
static void emit_job(ecs_text *b, const emitter *e, const ecs_system *s) {
    const char *n = s->name;
    ecs_put(b, "static void %s__job(const void *in, void *out) {\n"
           "    %s_job((const %s_job_in *)in, (%s_job_out *)out);\n}\n\n", n, n, n, n);
    ecs_put(b, "static int %s__apply(rt_world *w, rt_entity e, const void *out) {\n"
           "    const %s_job_out *r = (const %s_job_out *)out;\n", n, n, n);
    bool first = true;
    for (int i = 0; i < s->n_access; i++) {
        const ecs_access *a = &s->access[i];
        if (!writes_component(e, a)) continue;
        const ecs_type *t = type_of(e, a->index);
        ecs_put(b, "    %s rt_world_set(w, e, %s_id, &r->%s);\n",
            first ? "int err =" : "if (err == RT_OK) err =", t->name, t->member);
        first = false;
    }
    ecs_put(b, "    return err;\n}\n\n");
    ecs_put(b, "static const rt_job_desc %s_job_desc = {\n"
           "    sizeof(%s_job_in), _Alignof(%s_job_in), sizeof(%s_job_out), _Alignof(%s_job_out),\n"
           "    %s__job, %s__apply,\n};\n\n", n, n, n, n, n, n, n);
}

static void emit_once(ecs_text *b, const emitter *e, const ecs_system *s) {
    ecs_put(b, "static void %s__once(rt_world *w, rt_table *t, int32_t begin, int32_t end,\n"
           "        rt_cmd *cmd) {\n", s->name);
    ecs_put(b, "    (void)t, (void)begin, (void)end;\n");
    ecs_put(b, "    %s_view v;\n", s->name);
    emit_view_common(b, e, s);
    ecs_put(b, "    %s(v);\n}\n\n", s->name);
}

/* --- the .c file: the program tables ------------------------------------- */

static void emit_archetype_tables(ecs_text *b, const emitter *e, const ecs_archetype *a) {
    ecs_put(b, "static const rt_column_desc %s_columns[] = {\n", a->name);
    int n = 0;
    for (int k = 0; k < a->n_members; k++) {
        const ecs_type *t = type_of(e, a->members[k]);
        if (t->kind != ECS_COMPONENT_KIND) continue;
        for (int f = 0; f < t->n_fields; f++) {
            const char *fn = t->fields[f].name;
            ecs_put(b, "    {\"%s.%s\", %s_id, RT_FIELD_SIZE(%s, %s), RT_FIELD_ALIGN(%s, %s),\n"
                   "     offsetof(%s, %s), offsetof(%s_init, %s.%s)},\n",
                t->name, fn, t->name, t->name, fn, t->name, fn, t->name, fn, a->name,
                t->member, fn);
            n++;
        }
    }
    if (n == 0) ecs_put(b, "    {0},\n");
    ecs_put(b, "};\n");
    int nt = 0;
    for (int k = 0; k < a->n_members; k++) nt += type_of(e, a->members[k])->kind == ECS_TAG_KIND;
    if (nt) {
        ecs_put(b, "static const int32_t %s_tags[] = {", a->name);
        int i = 0;
        for (int k = 0; k < a->n_members; k++) {
            const ecs_type *t = type_of(e, a->members[k]);
            if (t->kind == ECS_TAG_KIND) ecs_put(b, "%s%s_id", i++ ? ", " : "", t->name);
        }
        ecs_put(b, "};\n");
    }
    ecs_put(b, "\n");
}

/* Why an edge exists, in a few words for a comment. */
static void edge_comment(ecs_text *b, const emitter *e, int from, int to) {
    const ecs_relation *r = ecs_schedule_relation(e->sc, from, to);
    if (!r) return;
    const ecs_reason *best = NULL;
    for (int q = 0; q < r->n_reasons; q++) {
        const ecs_reason *x = &e->sc->reasons[r->reasons + q];
        if (ecs_rule_req(x->rule) < ECS_REQ_HB) continue;
        if (!best || x->rule > best->rule) best = x;
    }
    if (!best) return;
    const ecs_model *m = e->m;
    switch (best->rule) {
    case ECS_RULE_COMPONENT:
    case ECS_RULE_RESOURCE:
        ecs_put(b, " /* %s: %s/%s */", m->types[best->what].name,
            best->access & ECS_ACC_FIRST_WRITES ? "write" : "read",
            best->access & ECS_ACC_SECOND_WRITES ? "write" : "read");
        break;
    case ECS_RULE_EXPLICIT:
        ecs_put(b, " /* ECS_%s(%s) */", best->via == ECS_ACCESS_AFTER ? "AFTER" : "BEFORE",
            m->systems[best->declarer == from ? to : from].name);
        break;
    case ECS_RULE_PHASE:
        ecs_put(b, " /* phase %s before %s */", m->phases[m->systems[from].phase].name,
            m->phases[m->systems[to].phase].name);
        break;
    default:
        break;
    }
}

static void emit_system_tables(ecs_text *b, const emitter *e, int si) {
    const ecs_system *s = &e->m->systems[si];
    const ecs_plan *p = e->sc->plan;
    if (s->n_archetypes) {
        ecs_put(b, "static const rt_system_match %s_matches[] = {\n", s->name);
        for (int k = 0; k < s->n_archetypes; k++) {
            const char *an = e->m->archetypes[s->archetypes[k]].name;
            ecs_put(b, "    {%s_id, %s__%s},\n", an, s->name, an);
        }
        ecs_put(b, "};\n");
    }
    if (p->n_succ[si]) {
        ecs_put(b, "static const int32_t %s_successors[] = {\n", s->name);
        for (int k = 0; k < p->n_succ[si]; k++) {
            ecs_put(b, "    %s_id,", e->m->systems[p->succ[si][k]].name);
            edge_comment(b, e, si, p->succ[si][k]);
            ecs_put(b, "\n");
        }
        ecs_put(b, "};\n");
    }
}

/* A sync point's reason: a pair it separates that needs it. */
static void sync_comment(ecs_text *b, const emitter *e, int stage) {
    const ecs_relation *r = ecs_schedule_sync_reason(e->sc, stage);
    if (r)
        ecs_put(b, " /* '%s' sees changes of '%s' */", e->m->systems[r->second].name,
            e->m->systems[r->first].name);
    else
        ecs_put(b, " /* end of frame */");
}

static void emit_flags(ecs_text *b, uint32_t f) {
    static const struct { uint32_t bit; const char *name; } names[] = {
        {ECS_SYS_MAIN_THREAD, "RT_SYSTEM_MAIN_THREAD"},
        {ECS_SYS_ASYNC, "RT_SYSTEM_ASYNC"},
        {ECS_SYS_SERIAL, "RT_SYSTEM_SERIAL"},
        {ECS_SYS_STRUCTURAL, "RT_SYSTEM_STRUCTURAL"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (f & names[i].bit) ecs_put(b, "%s%s", n++ ? " | " : "", names[i].name);
    if (!n) ecs_put(b, "0");
}

static void emit_type_table(ecs_text *b, const emitter *e, ecs_type_kind k, const char *what) {
    ecs_put(b, "static const rt_type_desc %s_%s[] = {\n", e->name, what);
    int n = 0;
    for (int i = 0; i < e->m->n_types; i++) {
        const ecs_type *t = &e->m->types[i];
        if (t->kind != k) continue;
        ecs_put(b, "    {\"%s\", sizeof(%s), _Alignof(%s)},\n", t->name, t->name, t->name);
        n++;
    }
    if (!n) ecs_put(b, "    {0},\n");
    ecs_put(b, "};\n");
}

/* A float constant in C: "2.5f", "4.0f" (never "4f"). */
static const char *float_lit(double v) {
    static char out[4][40];
    static int k;
    k = (k + 1) & 3;
    snprintf(out[k], sizeof out[k], "%.9g", v);
    if (!strpbrk(out[k], ".e")) strcat(out[k], ".0");
    strcat(out[k], "f");
    return out[k];
}

/* The budgets the schema declares, one row per system in system order, for
 * the runtime's budget controller (budget.h); systems without one have 0. */
static void emit_budgets(ecs_text *b, const emitter *e) {
    const ecs_model *m = e->m;
    ecs_put(b, "/* Budgets in ms per frame (ECS_BUDGET, ECS_PHASE_BUDGET), and which systems\n"
            " * may be throttled under load (ECS_DEGRADABLE, ECS_DEGRADABLE_SLICE); 0: none.\n"
            " * A config file can override them at run time (docs/budgets.md). */\n");
    ecs_put(b, "static const rt_budget_desc %s_budgets[] = {\n", e->name);
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *s = &m->systems[i];
        ecs_put(b, "    [%s_id] = {\"%s\", %s, %s, %s, %s},", s->name, s->name,
            float_lit(s->budget.target_ms), float_lit(s->budget.critical_ms),
            s->degradable ? "true" : "false",
            s->degrade == ECS_DEGRADE_SLICE ? "RT_BUDGET_DEGRADE_SLICE" : "RT_BUDGET_DEGRADE_SKIP");
        if (s->budget.target_ms > 0) ecs_put(b, " /* %s */", loc_str(&s->budget.loc));
        ecs_put(b, "\n");
    }
    if (!m->n_systems) ecs_put(b, "    {0},\n");
    ecs_put(b, "};\n\n");
}

static char *emit_source(const emitter *e, const char *header) {
    const ecs_model *m = e->m;
    ecs_text b = {0};
    ecs_put(&b, "/* generated by ecsc from");
    for (int i = 0; i < m->n_inputs; i++) ecs_put(&b, " %s", m->inputs[i]);
    ecs_put(&b, "; do not edit */\n");
    ecs_put(&b, "#include \"%s\"\n\n#include <stddef.h>\n\n", header);

    ecs_put(&b, "/* --- entry points: each system bound to each archetype it matches --- */\n\n");
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *s = &m->systems[i];
        if (s->n_archetypes == 0) emit_once(&b, e, s);
        for (int k = 0; k < s->n_archetypes; k++)
            emit_entry(&b, e, s, &m->archetypes[s->archetypes[k]]);
    }
    bool any_async = false;
    for (int i = 0; i < m->n_systems; i++) any_async |= is_async(&m->systems[i]);
    if (any_async)
        ecs_put(&b, "/* --- async jobs: each job function and how its result is applied --- */\n\n");
    for (int i = 0; i < m->n_systems; i++)
        if (is_async(&m->systems[i])) emit_job(&b, e, &m->systems[i]);

    ecs_put(&b, "/* --- the program: tables the runtime interprets --- */\n\n");
    emit_type_table(&b, e, ECS_COMPONENT_KIND, "components");
    emit_type_table(&b, e, ECS_RESOURCE_KIND, "resources");
    ecs_put(&b, "static const char *const %s_tags[] = {", e->name);
    int nt = 0;
    for (int i = 0; i < m->n_types; i++)
        if (m->types[i].kind == ECS_TAG_KIND) ecs_put(&b, "%s\"%s\"", nt++ ? ", " : "", m->types[i].name);
    if (!nt) ecs_put(&b, "NULL");
    ecs_put(&b, "};\n\n");
    for (int i = 0; i < m->n_archetypes; i++) emit_archetype_tables(&b, e, &m->archetypes[i]);
    ecs_put(&b, "static const rt_archetype_desc %s_archetypes[] = {\n", e->name);
    for (int i = 0; i < m->n_archetypes; i++) {
        const ecs_archetype *a = &m->archetypes[i];
        int nc = 0, ntag = 0;
        for (int k = 0; k < a->n_members; k++) {
            const ecs_type *t = type_of(e, a->members[k]);
            if (t->kind == ECS_COMPONENT_KIND) nc += t->n_fields;
            else if (t->kind == ECS_TAG_KIND) ntag++;
        }
        ecs_put(&b, "    {\"%s\", %d, %s_columns, %d, %s%s, sizeof(%s_init)},\n", a->name, nc,
            a->name, ntag, ntag ? a->name : "NULL", ntag ? "_tags" : "", a->name);
    }
    if (!m->n_archetypes) ecs_put(&b, "    {0},\n");
    ecs_put(&b, "};\n\n");

    for (int i = 0; i < m->n_systems; i++) emit_system_tables(&b, e, i);
    const ecs_plan *plan = e->sc->plan;
    ecs_put(&b, "\nstatic const rt_system_desc %s_systems[] = {\n", e->name);
    for (int i = 0; i < m->n_systems; i++) {
        const ecs_system *s = &m->systems[i];
        ecs_put(&b, "    [%s_id] = {\n        .name = \"%s\",\n        .where = \"%s\",\n"
                "        .flags = ", s->name, s->name, loc_str(&s->loc));
        emit_flags(&b, plan->flags[i]);
        ecs_put(&b, ",\n");
        if (s->n_archetypes)
            ecs_put(&b, "        .n_matches = %d,\n        .matches = %s_matches,\n",
                s->n_archetypes, s->name);
        else
            ecs_put(&b, "        .run_once = %s__once,\n", s->name);
        if (plan->n_succ[i])
            ecs_put(&b, "        .n_successors = %d,\n        .successors = %s_successors,\n",
                plan->n_succ[i], s->name);
        ecs_put(&b, "        .n_predecessors = %d,\n", plan->n_preds[i]);
        if (is_async(s)) ecs_put(&b, "        .job = &%s_job_desc,\n", s->name);
        uint64_t cost = e->sc->cost_ns[i], rank = e->sc->rank_ns[i];
        ecs_put(&b, "        .cost_ns = %llu, /* %s */\n        .rank_ns = %llu,\n    },\n",
            (unsigned long long)(cost > UINT32_MAX ? UINT32_MAX : cost),
            e->sc->measured[i] ? "measured" : "estimated",
            (unsigned long long)(rank > UINT32_MAX ? UINT32_MAX : rank));
    }
    if (!m->n_systems) ecs_put(&b, "    {0},\n");
    ecs_put(&b, "};\n\n");

    ecs_put(&b, "/* Execution order in %d stage%s. A step marked RT_STEP_SYNC_AFTER is a barrier:\n"
            " * commands recorded so far are applied before any later step starts.\n"
            " * Edges join systems of one stage. Proven safe by ecsc (gen/verify.c). */\n",
        e->sc->n_stages, e->sc->n_stages == 1 ? "" : "s");
    ecs_put(&b, "static const rt_step %s_steps[] = {\n", e->name);
    int stage = -1;
    for (int k = 0; k < plan->n_steps; k++) {
        int x = plan->steps[k].system;
        if (e->sc->stage[x] != stage) {
            stage = e->sc->stage[x];
            ecs_put(&b, "    /* stage %d */\n", stage);
        }
        ecs_put(&b, "    {%s_id, %s},", m->systems[x].name,
            plan->steps[k].sync_after ? "RT_STEP_SYNC_AFTER" : "0");
        if (plan->steps[k].sync_after) sync_comment(&b, e, stage);
        ecs_put(&b, "\n");
    }
    if (!plan->n_steps) ecs_put(&b, "    {0},\n");
    ecs_put(&b, "};\n\n");

    if (m->has_budgets) emit_budgets(&b, e);

    ecs_put(&b, "const rt_program %s_program = {\n", e->name);
    ecs_put(&b, "    .name = \"%s\",\n", e->name);
    ecs_put(&b, "    .n_components = %d,\n    .n_tags = %d,\n    .n_resources = %d,\n",
        ecs_model_count_kind(m, ECS_COMPONENT_KIND), nt,
        ecs_model_count_kind(m, ECS_RESOURCE_KIND));
    ecs_put(&b, "    .n_archetypes = %d,\n    .n_systems = %d,\n", m->n_archetypes, m->n_systems);
    ecs_put(&b, "    .components = %s_components,\n    .tags = %s_tags,\n"
            "    .resources = %s_resources,\n    .archetypes = %s_archetypes,\n"
            "    .systems = %s_systems,\n",
        e->name, e->name, e->name, e->name, e->name);
    ecs_put(&b, "    .n_steps = %d,\n    .steps = %s_steps,\n", plan->n_steps, e->name);
    if (m->has_budgets) {
        ecs_put(&b, "    .budgets = %s_budgets,\n", e->name);
        if (m->frame_budget_ms > 0)
            ecs_put(&b, "    .frame_budget_ms = %s,\n", float_lit(m->frame_budget_ms));
    }
    ecs_put(&b, "};\n");
    return b.s;
}

int ecs_emit(const ecs_model *m, const ecs_schedule *sc, const char *name,
             const char *outdir, ecs_file *files, int max_files) {
    if (max_files < 2) return 0;
    emitter e = {m, sc, name, {0}};
    size_t n = strlen(name);
    for (size_t i = 0; i < n && i < sizeof e.upper - 1; i++) {
        char ch = name[i];
        e.upper[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    }
    char guard[160], hpath[1024], cpath[1024], hname[200];
    snprintf(guard, sizeof guard, "%s_GENERATED_H", e.upper);
    snprintf(hname, sizeof hname, "%s.h", name);
    snprintf(hpath, sizeof hpath, "%s/%s.h", outdir, name);
    snprintf(cpath, sizeof cpath, "%s/%s.c", outdir, name);
    files[0].path = strdup(hpath);
    files[0].text = emit_header(&e, guard);
    files[0].len = strlen(files[0].text);
    files[1].path = strdup(cpath);
    files[1].text = emit_source(&e, hname);
    files[1].len = strlen(files[1].text);
    return 2;
}
