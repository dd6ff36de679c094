/* parse.c -- libclang -> model. The only file of ecsc that sees libclang.
 *
 * Each schema is parsed as its own translation unit. The declaration macros
 * of gen/ecs_schema.h expand to ordinary C declarations carrying clang's
 * `annotate` attribute, so this file only walks the top level of the AST:
 *
 *   struct with annotate("ecs.component" | "ecs.tag" | "ecs.resource")
 *   function ecs_archetype__N(T1, T2, ...) with annotate("ecs.archetype")
 *   function ecs_system__N(params...) with annotate("ecs.system"), each
 *     parameter annotated with its access kind ("ecs.read", ...) and named
 *     ecs_<kind>__<Target>, which carries the target's name.
 *   function ecs_phase__N(void) with annotate("ecs.phase")
 *   function ecs_expected__A(A *, char (*)[n]) with annotate("ecs.expected"):
 *     the expected entity count n of archetype A, evaluated by clang.
 *   function ecs_frame_budget__(void) with annotate("ecs.frame_budget MS") and
 *   ecs_phase_budget__P(void) with annotate("ecs.phase_budget T C"): budgets,
 *     whose numbers travel as text in the annotation (clang checked them as
 *     constant expressions; check.c reads them). A system's ECS_BUDGET is a
 *     parameter annotated "ecs.budget T C" the same way.
 *
 * Clang does all the C: a misspelt name is clang's own error at the user's
 * line and column; sizes, alignments and offsets are clang's. Declarations
 * that clang marked invalid are skipped (clang already reported them), so the
 * later passes can still report every error of their own. A header included
 * by two schemas is seen twice; declarations are keyed by location so they
 * are modelled once. Next: check.c.
 */
#include "parse_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parse_ctx {
    ecs_model *m;
    CXTranslationUnit tu;
} parse_ctx;

static ecs_loc cursor_loc(ecs_model *m, CXCursor c) {
    return ecs_clang_loc(m, clang_getCursorLocation(c));
}

static const char *cursor_name(ecs_model *m, CXCursor c) {
    CXString s = clang_getCursorSpelling(c);
    const char *r = ecs_model_strdup(m, clang_getCString(s));
    clang_disposeString(s);
    return r;
}

enum { ANNOTATION_MAX = 128 }; /* bytes of an annotation, "ecs." stripped */

/* The "ecs.*" annotation of a cursor, or NULL. */
static enum CXChildVisitResult find_annotation(CXCursor c, CXCursor parent,
                                          CXClientData data) {
    (void)parent;
    if (clang_getCursorKind(c) == CXCursor_AnnotateAttr) {
        CXString s = clang_getCursorSpelling(c);
        const char *t = clang_getCString(s);
        if (strncmp(t, "ecs.", 4) == 0) {
            snprintf(data, ANNOTATION_MAX, "%s", t + 4);
            clang_disposeString(s);
            return CXChildVisit_Break;
        }
        clang_disposeString(s);
    }
    return CXChildVisit_Continue;
}

static bool annotation(CXCursor c, char out[ANNOTATION_MAX]) {
    out[0] = 0;
    clang_visitChildren(c, find_annotation, out);
    return out[0] != 0;
}

static bool seen_before(ecs_model *m, ecs_loc loc) {
    for (int i = 0; i < m->n_types; i++) {
        ecs_loc l = m->types[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    for (int i = 0; i < m->n_archetypes; i++) {
        ecs_loc l = m->archetypes[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    for (int i = 0; i < m->n_systems; i++) {
        ecs_loc l = m->systems[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    for (int i = 0; i < m->n_phases; i++) {
        ecs_loc l = m->phases[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    for (int i = 0; i < m->n_expected; i++) {
        ecs_loc l = m->expected[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    for (int i = 0; i < m->n_budget_decls; i++) {
        ecs_loc l = m->budget_decls[i].loc;
        if (l.line == loc.line && l.col == loc.col && strcmp(l.file, loc.file) == 0)
            return true;
    }
    return false;
}

/* --- components, tags, resources --------------------------------------- */

static void field_type(ecs_model *m, CXType t, ecs_field *f) {
    char dims[128] = "";
    size_t n = 0;
    while (t.kind == CXType_ConstantArray) {
        n += (size_t)snprintf(dims + n, sizeof dims - n, "[%lld]",
                              clang_getArraySize(t));
        t = clang_getArrayElementType(t);
    }
    CXString s = clang_getTypeSpelling(t);
    f->type = ecs_model_strdup(m, clang_getCString(s));
    clang_disposeString(s);
    f->dims = ecs_model_strdup(m, dims);
}

typedef struct field_ctx {
    parse_ctx *p;
    ecs_type *type;
} field_ctx;

static enum CXChildVisitResult visit_field(CXCursor c, CXCursor parent,
                                      CXClientData data) {
    field_ctx *fc = data;
    ecs_model *m = fc->p->m;
    if (clang_getCursorKind(c) != CXCursor_FieldDecl) return CXChildVisit_Continue;
    ecs_type *ty = fc->type;
    ecs_loc loc = cursor_loc(m, c);
    CXType t = clang_getCursorType(c);
    CXType canon = clang_getCanonicalType(t);
    if (clang_Cursor_isBitField(c)) {
        ecs_diag(ECS_ERROR, loc, "bit-field '%s' in '%s': fields of components "
                 "are stored as arrays and cannot be bit-fields",
                 cursor_name(m, c), ty->name);
        return CXChildVisit_Continue;
    }
    const char *fname = cursor_name(m, c);
    if (!*fname || clang_Cursor_isAnonymousRecordDecl(clang_getTypeDeclaration(canon))) {
        ecs_diag(ECS_ERROR, loc, "anonymous member in '%s': give it a name",
                 ty->name);
        return CXChildVisit_Continue;
    }
    if (canon.kind == CXType_IncompleteArray || canon.kind == CXType_VariableArray) {
        ecs_diag(ECS_ERROR, loc, "field '%s' of '%s' has no fixed size",
                 cursor_name(m, c), ty->name);
        return CXChildVisit_Continue;
    }
    if (canon.kind == CXType_Pointer &&
        clang_getCanonicalType(clang_getPointeeType(canon)).kind == CXType_FunctionProto &&
        t.kind != CXType_Typedef && t.kind != CXType_Elaborated) {
        ecs_diag(ECS_ERROR, loc, "field '%s' of '%s' is a function pointer: "
                 "declare a typedef for its type", cursor_name(m, c), ty->name);
        return CXChildVisit_Continue;
    }
    ecs_field f = {0};
    f.name = cursor_name(m, c);
    f.loc = loc;
    field_type(m, t, &f);
    f.size = (uint32_t)clang_Type_getSizeOf(t);
    f.align = (uint32_t)clang_Type_getAlignOf(t);
    f.offset = (uint32_t)(clang_Cursor_getOffsetOfField(c) / 8);
    (void)parent;
    ty->fields = ecs_model_grow(m, ty->fields, ty->n_fields, sizeof f);
    ty->fields[ty->n_fields++] = f;
    return CXChildVisit_Continue;
}

/* "SpatialGrid" -> "spatial_grid": the member name of a view. */
static const char *snake_case(ecs_model *m, const char *s) {
    size_t n = strlen(s);
    char *out = ecs_model_alloc(m, 2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z') {
            bool prev_lower = i > 0 && ((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
                                        (s[i - 1] >= '0' && s[i - 1] <= '9'));
            bool next_lower = i + 1 < n && s[i + 1] >= 'a' && s[i + 1] <= 'z';
            bool prev_upper = i > 0 && s[i - 1] >= 'A' && s[i - 1] <= 'Z';
            if (i > 0 && (prev_lower || (prev_upper && next_lower))) out[k++] = '_';
            ch = (char)(ch - 'A' + 'a');
        }
        out[k++] = ch;
    }
    out[k] = 0;
    return out;
}

static void parse_struct(parse_ctx *p, CXCursor c, const char *ann) {
    ecs_model *m = p->m;
    ecs_type t = {0};
    if (strcmp(ann, "component") == 0) t.kind = ECS_COMPONENT_KIND;
    else if (strcmp(ann, "tag") == 0) t.kind = ECS_TAG_KIND;
    else if (strcmp(ann, "resource") == 0) t.kind = ECS_RESOURCE_KIND;
    else {
        ecs_diag(ECS_ERROR, cursor_loc(m, c), "unknown annotation 'ecs.%s'", ann);
        return;
    }
    t.loc = cursor_loc(m, c);
    if (seen_before(m, t.loc)) return;
    t.name = cursor_name(m, c);
    t.member = snake_case(m, t.name);
    CXType ct = clang_getCursorType(c);
    t.size = (uint32_t)clang_Type_getSizeOf(ct);
    t.align = (uint32_t)clang_Type_getAlignOf(ct);
    if (t.kind != ECS_TAG_KIND) {
        field_ctx fc = {p, &t};
        clang_visitChildren(c, visit_field, &fc);
    }
    m->types = ecs_model_grow(m, m->types, m->n_types, sizeof t);
    m->types[m->n_types++] = t;
}

/* --- archetypes and systems --------------------------------------------- */

typedef struct params_ctx {
    parse_ctx *p;
    int n;
    CXCursor parms[256];
} params_ctx;

static enum CXChildVisitResult collect_parm(CXCursor c, CXCursor parent,
                                       CXClientData data) {
    (void)parent;
    params_ctx *pc = data;
    if (clang_getCursorKind(c) == CXCursor_ParmDecl && pc->n < 256)
        pc->parms[pc->n++] = c;
    return CXChildVisit_Continue;
}

/* The spelling location of the first type name inside a parameter: the
 * user's token, e.g. the `Velocity` of ECS_READ(Velocity). */
static enum CXChildVisitResult find_typeref(CXCursor c, CXCursor parent,
                                       CXClientData data) {
    (void)parent;
    if (clang_getCursorKind(c) == CXCursor_TypeRef) {
        *(CXCursor *)data = c;
        return CXChildVisit_Break;
    }
    return CXChildVisit_Continue;
}

static ecs_loc typeref_loc(ecs_model *m, CXCursor parm) {
    CXCursor ref = clang_getNullCursor();
    clang_visitChildren(parm, find_typeref, &ref);
    if (clang_Cursor_isNull(ref)) return cursor_loc(m, parm);
    return cursor_loc(m, ref);
}

static const char *prefix_strip(const char *name, const char *prefix) {
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 ? name + n : NULL;
}

static void parse_archetype(parse_ctx *p, CXCursor c) {
    ecs_model *m = p->m;
    ecs_archetype a = {0};
    a.loc = cursor_loc(m, c);
    if (seen_before(m, a.loc)) return;
    const char *fname = cursor_name(m, c);
    a.name = prefix_strip(fname, "ecs_archetype__");
    params_ctx pc = {p, 0, {{0}}};
    clang_visitChildren(c, collect_parm, &pc);
    a.members = ecs_model_alloc(m, sizeof(int) * (size_t)(pc.n + 1));
    a.member_locs = ecs_model_alloc(m, sizeof(ecs_loc) * (size_t)(pc.n + 1));
    for (int i = 0; i < pc.n; i++) {
        CXCursor parm = pc.parms[i];
        if (clang_isInvalidDeclaration(parm)) continue;
        ecs_loc loc = typeref_loc(m, parm);
        CXType t = clang_getCanonicalType(clang_getCursorType(parm));
        CXCursor decl = clang_getTypeDeclaration(t);
        CXString s = clang_getCursorSpelling(decl);
        const char *tn = clang_getCString(s);
        a.members[a.n_members] = -1;
        a.member_locs[a.n_members] = loc;
        CXCursor ref = clang_getNullCursor();
        clang_visitChildren(parm, find_typeref, &ref);
        if (clang_Cursor_isNull(ref) && t.kind == CXType_Int) {
            /* C reads an unknown name in a prototype as a parameter of
             * implicit type int: it is a misspelt or undeclared type. */
            ecs_diag(ECS_ERROR, loc, "unknown type name '%s' in archetype '%s'",
                     cursor_name(m, parm), a.name);
        } else if (t.kind != CXType_Record || !tn || !*tn) {
            CXString ts = clang_getTypeSpelling(clang_getCursorType(parm));
            ecs_diag(ECS_ERROR, loc, "archetype '%s' member '%s' is not a "
                     "component or tag", a.name, clang_getCString(ts));
            clang_disposeString(ts);
        } else {
            /* C declares before use, so the member's type is modelled. */
            a.members[a.n_members] = ecs_model_find_type(m, tn);
            if (a.members[a.n_members] < 0)
                ecs_diag(ECS_ERROR, loc, "archetype '%s' member '%s' is not a "
                         "component or tag", a.name, tn);
        }
        clang_disposeString(s);
        a.n_members++;
    }
    m->archetypes = ecs_model_grow(m, m->archetypes, m->n_archetypes, sizeof a);
    m->archetypes[m->n_archetypes++] = a;
}

/* The kind an annotation names: its first word ("budget 2.0 4.0" is a
 * budget); *rest points after it. */
static bool access_kind(const char *ann, ecs_access_kind *out, const char **rest) {
    size_t n = strcspn(ann, " ");
    for (int k = 0; k < ECS_ACCESS_COUNT; k++)
        if (strlen(ecs_access_names[k]) == n && strncmp(ann, ecs_access_names[k], n) == 0) {
            *out = (ecs_access_kind)k;
            *rest = ann[n] ? ann + n + 1 : ann + n;
            return true;
        }
    return false;
}

static void parse_system(parse_ctx *p, CXCursor c) {
    ecs_model *m = p->m;
    ecs_system s = {0};
    s.loc = cursor_loc(m, c);
    if (seen_before(m, s.loc)) return;
    s.name = prefix_strip(cursor_name(m, c), "ecs_system__");
    params_ctx pc = {p, 0, {{0}}};
    clang_visitChildren(c, collect_parm, &pc);
    s.access = ecs_model_alloc(m, sizeof(ecs_access) * (size_t)(pc.n + 1));
    for (int i = 0; i < pc.n; i++) {
        CXCursor parm = pc.parms[i];
        char ann[ANNOTATION_MAX];
        const char *rest = "";
        /* clang reported the invalid ones. A job input is kept all the same
         * (its name carries the type's): it names no model type, and
         * dropping it would add "has no job input" to clang's error. */
        if (clang_isInvalidDeclaration(parm) &&
            !(annotation(parm, ann) && strcmp(ann, "job_input") == 0))
            continue;
        ecs_access a = {0};
        a.index = -1;
        a.loc = cursor_loc(m, parm);
        if (!annotation(parm, ann) || !access_kind(ann, &a.kind, &rest)) {
            /* One of ours whose annotation clang dropped after reporting an
             * error in it (a budget naming an undeclared constant): said. */
            if (ecs_diag_errors() > 0 && strncmp(cursor_name(m, parm), "ecs_", 4) == 0)
                continue;
            ecs_diag(ECS_ERROR, a.loc, "argument %d of system '%s' is not an "
                     "access declaration (ECS_READ, ECS_WRITE, ...)", i + 1, s.name);
            continue;
        }
        const char *pname = cursor_name(m, parm);
        char prefix[80];
        snprintf(prefix, sizeof prefix, "ecs_%s__", ecs_access_names[a.kind]);
        a.target = prefix_strip(pname, prefix); /* NULL for flags */
        if (a.kind == ECS_ACCESS_BUDGET) a.text = ecs_model_strdup(m, rest);
        s.access[s.n_access++] = a;
    }
    m->systems = ecs_model_grow(m, m->systems, m->n_systems, sizeof s);
    m->systems[m->n_systems++] = s;
}

static void parse_phase(parse_ctx *p, CXCursor c) {
    ecs_model *m = p->m;
    ecs_phase ph = {0};
    ph.loc = cursor_loc(m, c);
    if (seen_before(m, ph.loc)) return;
    ph.name = prefix_strip(cursor_name(m, c), "ecs_phase__");
    if (!ph.name) return;
    m->phases = ecs_model_grow(m, m->phases, m->n_phases, sizeof ph);
    m->phases[m->n_phases++] = ph;
}

/* ecs_expected__A(A *, char (*)[n]): the count is the array bound. */
static void parse_expected(parse_ctx *p, CXCursor c) {
    ecs_model *m = p->m;
    ecs_expected x = {0};
    x.loc = cursor_loc(m, c);
    if (seen_before(m, x.loc)) return;
    x.archetype = prefix_strip(cursor_name(m, c), "ecs_expected__");
    params_ctx pc = {p, 0, {{0}}};
    clang_visitChildren(c, collect_parm, &pc);
    if (!x.archetype || pc.n != 2 || clang_isInvalidDeclaration(c)) return;
    CXType t = clang_getCanonicalType(clang_getCursorType(pc.parms[1]));
    if (t.kind != CXType_Pointer) return;
    CXType arr = clang_getPointeeType(t);
    if (arr.kind != CXType_ConstantArray) return;
    x.count = clang_getArraySize(arr);
    m->expected = ecs_model_grow(m, m->expected, m->n_expected, sizeof x);
    m->expected[m->n_expected++] = x;
}

/* ecs_frame_budget__(void) or ecs_phase_budget__P(void), annotated with
 * their numbers: "frame_budget 16.67", "phase_budget 1.0 2.0". */
static void parse_budget(parse_ctx *p, CXCursor c, const char *ann) {
    ecs_model *m = p->m;
    ecs_budget_decl b = {0};
    b.loc = cursor_loc(m, c);
    if (seen_before(m, b.loc) || clang_isInvalidDeclaration(c)) return;
    bool phase = strncmp(ann, "phase_budget", 12) == 0;
    if (phase && !(b.phase = prefix_strip(cursor_name(m, c), "ecs_phase_budget__"))) return;
    const char *text = strchr(ann, ' ');
    b.text = ecs_model_strdup(m, text ? text + 1 : "");
    m->budget_decls = ecs_model_grow(m, m->budget_decls, m->n_budget_decls, sizeof b);
    m->budget_decls[m->n_budget_decls++] = b;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    parse_ctx *p = data;
    if (clang_Location_isInSystemHeader(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    char ann[ANNOTATION_MAX];
    switch (clang_getCursorKind(c)) {
    case CXCursor_StructDecl:
        if (clang_isCursorDefinition(c) && annotation(c, ann)) parse_struct(p, c, ann);
        break;
    case CXCursor_FunctionDecl:
        if (!annotation(c, ann)) break;
        if (strcmp(ann, "archetype") == 0) parse_archetype(p, c);
        else if (strcmp(ann, "system") == 0) parse_system(p, c);
        else if (strcmp(ann, "phase") == 0) parse_phase(p, c);
        else if (strcmp(ann, "expected") == 0) parse_expected(p, c);
        else if (strncmp(ann, "frame_budget ", 13) == 0 || strncmp(ann, "phase_budget ", 13) == 0)
            parse_budget(p, c, ann);
        break;
    default:
        break;
    }
    return CXChildVisit_Continue;
}

/* Every header the schemas read, except system headers (stdint.h, ...). */
static void visit_inclusion(CXFile f, CXSourceLocation *stack, unsigned depth,
                            CXClientData data) {
    (void)stack, (void)depth;
    parse_ctx *p = data;
    if (clang_Location_isInSystemHeader(clang_getLocationForOffset(p->tu, f, 0))) return;
    CXString s = clang_getFileName(f);
    ecs_model_add_dep(p->m, clang_getCString(s));
    clang_disposeString(s);
}

static void report_clang(CXTranslationUnit tu) {
    unsigned n = clang_getNumDiagnostics(tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev >= CXDiagnostic_Warning) {
            CXString s = clang_formatDiagnostic(
                d, CXDiagnostic_DisplaySourceLocation | CXDiagnostic_DisplayColumn);
            const char *t = clang_getCString(s);
            if (strncmp(t, "./", 2) == 0) t += 2;
            ecs_diag_raw(sev >= CXDiagnostic_Error ? ECS_ERROR : ECS_WARNING, t);
            clang_disposeString(s);
        }
        clang_disposeDiagnostic(d);
    }
}

ecs_model *ecs_parse(int n_inputs, const char *const *inputs, int n_args,
                     const char *const *clang_args) {
    ecs_model *m = ecs_model_new();
    const char *args[64];
    int na = 0;
    args[na++] = "-x";
    args[na++] = "c";
    args[na++] = "-std=c11";
    args[na++] = "-Wno-implicit-int"; /* reported as an unknown name instead */
    for (int i = 0; i < n_args && na < 60; i++) args[na++] = clang_args[i];
    CXIndex index = clang_createIndex(0, 0);
    m->inputs = ecs_model_alloc(m, sizeof(char *) * (size_t)(n_inputs + 1));
    for (int i = 0; i < n_inputs; i++) {
        m->inputs[m->n_inputs++] = ecs_model_strdup(m, inputs[i]);
        CXTranslationUnit tu = NULL;
        enum CXErrorCode err = clang_parseTranslationUnit2(
            index, inputs[i], args, na, NULL, 0,
            CXTranslationUnit_SkipFunctionBodies | CXTranslationUnit_KeepGoing, &tu);
        if (err != CXError_Success || !tu) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot parse '%s' (libclang error %d)",
                     inputs[i], (int)err);
            continue;
        }
        report_clang(tu);
        parse_ctx p = {m, tu};
        clang_visitChildren(clang_getTranslationUnitCursor(tu), visit_top, &p);
        clang_getInclusions(tu, visit_inclusion, &p);
        clang_disposeTranslationUnit(tu);
    }
    clang_disposeIndex(index);
    return m;
}
