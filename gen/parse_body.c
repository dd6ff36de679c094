/* parse_body.c -- libclang over system bodies -> plain body facts.
 *
 * Each file in systems/ is parsed with the flags it is built with: the
 * compile database that `ninja -t compdb` writes (build/compile_commands.json,
 * read with clang_CompilationDatabase_fromDirectory). Every function defined
 * outside system headers is walked, parameters and body, with the chain of
 * its ancestors at hand, and turned into facts (body.h):
 *
 *   call         a DeclRefExpr naming a function (called or passed along)
 *   global       a DeclRefExpr naming a variable with static storage that is
 *                not a plain constant, classified read or write by climbing
 *                its ancestors: the left side of an assignment, the operand
 *                of ++/--, its address taken, an array of it decaying to a
 *                pointer to mutable data, or a write through it when it is a
 *                pointer. libclang 14 has no operator kinds, so the operator
 *                is read from the tokens (clang_tokenize) between operands.
 *   const cast   an explicit cast, or an implicit conversion (an unexposed
 *                expression whose one child has another type), from a
 *                pointer to const to a pointer to mutable data; and a cast
 *                that makes a pointer to mutable data from an integer (how
 *                const is laundered through uintptr_t)
 *   type use     a type named in the function (a TypeRef) or a member of
 *                runtime type reached (v.cmd.cmd is an rt_cmd *)
 *
 * No judgment happens here: check_body.c decides what is an error. */
#include "body.h"
#include "parse_util.h"

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct body_ctx {
    ecs_body_model *b;
    ecs_model *deps;   /* files read, for the depfile */
    CXTranslationUnit tu;
    int file;          /* index of the file being parsed */
} body_ctx;

static unsigned offset_of(CXSourceLocation l) {
    unsigned off;
    clang_getFileLocation(l, NULL, NULL, NULL, &off);
    return off;
}

/* --- types ------------------------------------------------------------------------- */

static CXType strip_arrays(CXType t) {
    t = clang_getCanonicalType(t);
    while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
           t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray)
        t = clang_getCanonicalType(clang_getArrayElementType(t));
    return t;
}

static bool is_pointer(CXType t) { return clang_getCanonicalType(t).kind == CXType_Pointer; }

static bool is_array(CXType t) {
    CXType c = clang_getCanonicalType(t);
    return c.kind == CXType_ConstantArray || c.kind == CXType_IncompleteArray ||
           c.kind == CXType_VariableArray;
}

static bool is_integer(CXType t) {
    enum CXTypeKind k = clang_getCanonicalType(t).kind;
    return k >= CXType_Bool && k <= CXType_Int128 && k != CXType_Void;
}

/* Pointer whose pointee (arrays stripped) is const / is not const. */
static bool pointer_to_const(CXType t) {
    t = clang_getCanonicalType(t);
    if (t.kind != CXType_Pointer) return false;
    return clang_isConstQualifiedType(strip_arrays(clang_getPointeeType(t))) != 0;
}

static bool pointer_to_mutable(CXType t) {
    t = clang_getCanonicalType(t);
    if (t.kind != CXType_Pointer) return false;
    return clang_isConstQualifiedType(strip_arrays(clang_getPointeeType(t))) == 0;
}

/* The record at the bottom of pointers and arrays: "Bounds" for Bounds *. */
static const char *bottom_name(ecs_model *store, CXType t) {
    t = clang_getCanonicalType(t);
    for (;;) {
        if (t.kind == CXType_Pointer) t = clang_getCanonicalType(clang_getPointeeType(t));
        else if (is_array(t)) t = clang_getCanonicalType(clang_getArrayElementType(t));
        else break;
    }
    if (t.kind != CXType_Record) return "";
    return ecs_clang_string(store, clang_getCursorSpelling(clang_getTypeDeclaration(t)));
}

static const char *type_text(ecs_model *store, CXType t) {
    return ecs_clang_string(store, clang_getTypeSpelling(t));
}

/* --- the walk ------------------------------------------------------------------------ */

typedef struct frame {
    CXCursor c;
    int index;       /* among its parent's children */
    int children;    /* seen so far */
} frame;

enum { MAX_DEPTH = 400 };

typedef struct walk {
    body_ctx *ctx;
    ecs_body_fn *fn;
    int depth;
    frame stack[MAX_DEPTH];
} walk;

static void add_fact(walk *w, ecs_fact f) {
    ecs_model *store = w->ctx->b->store;
    w->fn->facts = ecs_model_grow(store, w->fn->facts, w->fn->n_facts, sizeof f);
    w->fn->facts[w->fn->n_facts++] = f;
}

static ecs_loc here(walk *w, CXCursor c) {
    return ecs_clang_loc(w->ctx->b->store, clang_getCursorLocation(c));
}

/* Tokens of `parent` just before and just after its child `child`. */
static void around(walk *w, CXCursor parent, CXCursor child, char *before, char *after,
                   size_t size) {
    before[0] = after[0] = 0;
    CXToken *toks = NULL;
    unsigned n = 0;
    clang_tokenize(w->ctx->tu, clang_getCursorExtent(parent), &toks, &n);
    CXSourceRange cr = clang_getCursorExtent(child);
    unsigned cs = offset_of(clang_getRangeStart(cr)), ce = offset_of(clang_getRangeEnd(cr));
    for (unsigned i = 0; i < n; i++) {
        CXSourceRange tr = clang_getTokenExtent(w->ctx->tu, toks[i]);
        unsigned ts = offset_of(clang_getRangeStart(tr)), te = offset_of(clang_getRangeEnd(tr));
        if (te <= cs) {
            CXString s = clang_getTokenSpelling(w->ctx->tu, toks[i]);
            snprintf(before, size, "%s", clang_getCString(s));
            clang_disposeString(s);
        } else if (ts >= ce && !after[0]) {
            CXString s = clang_getTokenSpelling(w->ctx->tu, toks[i]);
            snprintf(after, size, "%s", clang_getCString(s));
            clang_disposeString(s);
        }
    }
    clang_disposeTokens(w->ctx->tu, toks, n);
}

static bool is_assignment(const char *op) {
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=",
                                      "&=", "|=", "^="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i]) == 0) return true;
    return false;
}

/* Is the global named by the DeclRefExpr on top of the stack written? Climb
 * its ancestors while they are still the same object (parentheses, implicit
 * conversions, member and element access, dereference), then look at what
 * uses it. Returns the way it is written, or NULL for a read. */
static const char *classify(walk *w, bool var_is_pointer) {
    int d = w->depth - 1;
    CXCursor cur = w->stack[d].c;
    bool decayed = false, through = false;
    for (int i = d - 1; i >= 0; i--) {
        CXCursor p = w->stack[i].c;
        int ci = w->stack[i + 1].index;
        enum CXCursorKind k = clang_getCursorKind(p);
        CXType ct = clang_getCursorType(cur);
        switch (k) {
        case CXCursor_ParenExpr:
            cur = p;
            continue;
        case CXCursor_UnexposedExpr:
        case CXCursor_CStyleCastExpr:
            if (is_array(ct) && is_pointer(clang_getCursorType(p))) decayed = true;
            if (decayed && k == CXCursor_CStyleCastExpr && pointer_to_mutable(clang_getCursorType(p)))
                return "converted to a pointer to mutable data";
            cur = p;
            continue;
        case CXCursor_MemberRefExpr:
            if (var_is_pointer) through = true;
            cur = p;
            continue;
        case CXCursor_ArraySubscriptExpr:
            if (ci != 0) return NULL; /* it is the index */
            if (var_is_pointer && !decayed) through = true;
            decayed = false;          /* an element again, not a pointer */
            cur = p;
            continue;
        case CXCursor_UnaryOperator: {
            char before[16], after[16];
            around(w, p, cur, before, after, sizeof before);
            const char *op = before[0] ? before : after;
            if (strcmp(op, "*") == 0) {
                through = true;
                decayed = false;
                cur = p;
                continue;
            }
            if (strcmp(op, "++") == 0 || strcmp(op, "--") == 0)
                return through ? "incremented through" : op[0] == '+' ? "incremented" : "decremented";
            if (strcmp(op, "&") == 0) {
                if (i > 0 && clang_getCursorKind(w->stack[i - 1].c) == CXCursor_UnexposedExpr &&
                    pointer_to_const(clang_getCursorType(w->stack[i - 1].c)))
                    return NULL;
                return "its address taken";
            }
            return NULL;
        }
        case CXCursor_BinaryOperator:
        case CXCursor_CompoundAssignOperator: {
            if (ci != 0) return NULL;
            char before[16], after[16];
            around(w, p, cur, before, after, sizeof before);
            if (is_assignment(after)) return through ? "written through" : "assigned";
            return NULL;
        }
        default:
            /* used as a value: a decayed array escapes as mutable storage */
            if (decayed && pointer_to_mutable(ct)) return "passed on as a pointer to mutable data";
            return NULL;
        }
    }
    return NULL;
}

static bool has_static_storage(CXCursor var) {
    enum CX_StorageClass sc = clang_Cursor_getStorageClass(var);
    if (sc == CX_SC_Static || sc == CX_SC_Extern) return true;
    return clang_getCursorKind(clang_getCursorSemanticParent(var)) == CXCursor_TranslationUnit;
}

static void global_access(walk *w, CXCursor ref_expr, CXCursor var) {
    if (!has_static_storage(var) || clang_getCursorTLSKind(var) != CXTLS_None) return;
    ecs_model *store = w->ctx->b->store;
    CXType t = clang_getCursorType(var);
    CXType base = strip_arrays(t);
    bool pointer = base.kind == CXType_Pointer;
    bool constant = clang_isConstQualifiedType(base) != 0;
    if (constant && !pointer) return; /* a plain constant: nothing to race on */
    ecs_fact f = {0};
    f.name = ecs_clang_string(store, clang_getCursorSpelling(var));
    f.usr = ecs_clang_string(store, clang_getCursorUSR(var));
    f.loc = here(w, ref_expr);
    f.decl = here(w, var);
    f.var_type = bottom_name(store, t);
    const char *how = classify(w, pointer && !is_array(t));
    if (how && constant && !pointer_to_mutable(base)) how = NULL;
    f.kind = how ? ECS_FACT_GLOBAL_WRITE : ECS_FACT_GLOBAL_READ;
    f.detail = how ? how : "read";
    add_fact(w, f);
}

typedef struct kids {
    int n;
    CXCursor c[8];
} kids;

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData d) {
    (void)parent;
    kids *k = d;
    if (k->n < 8) k->c[k->n] = c;
    k->n++;
    return CXChildVisit_Continue;
}

/* A conversion from pointer to const to pointer to mutable data or integer. */
static void conversion(walk *w, CXCursor c, bool is_explicit) {
    kids k = {0};
    clang_visitChildren(c, collect, &k);
    CXCursor operand = clang_getNullCursor();
    for (int i = 0; i < k.n && i < 8; i++)
        if (clang_isExpression(clang_getCursorKind(k.c[i]))) operand = k.c[i];
    if (clang_Cursor_isNull(operand) || (!is_explicit && k.n != 1)) return;
    CXType from = clang_getCursorType(operand), to = clang_getCursorType(c);
    bool forged = is_explicit && is_integer(from) && pointer_to_mutable(to);
    if (!forged && !(pointer_to_const(from) && pointer_to_mutable(to))) return;
    ecs_model *store = w->ctx->b->store;
    char detail[600];
    snprintf(detail, sizeof detail, "%s from '%s' to '%s'",
             is_explicit ? "a cast" : "an implicit conversion", type_text(store, from),
             type_text(store, to));
    ecs_fact f = {.kind = forged ? ECS_FACT_INT_TO_POINTER : ECS_FACT_CONST_CAST, .name = "",
                  .loc = here(w, c)};
    f.detail = ecs_model_strdup(store, detail);
    /* point at the operand, where the const data is named */
    if (!is_explicit)
        f.loc = ecs_clang_loc(store, clang_getRangeStart(clang_getCursorExtent(operand)));
    add_fact(w, f);
}

static void examine(walk *w) {
    CXCursor c = w->stack[w->depth - 1].c;
    ecs_model *store = w->ctx->b->store;
    switch (clang_getCursorKind(c)) {
    case CXCursor_DeclRefExpr: {
        CXCursor ref = clang_getCursorReferenced(c);
        enum CXCursorKind rk = clang_getCursorKind(ref);
        if (rk == CXCursor_FunctionDecl) {
            ecs_fact f = {.kind = ECS_FACT_CALL, .detail = "", .var_type = ""};
            f.name = ecs_clang_string(store, clang_getCursorSpelling(ref));
            f.usr = ecs_clang_string(store, clang_getCursorUSR(ref));
            if (clang_Cursor_getNumArguments(ref) > 0) { /* what the call acts on */
                CXCursor first = clang_Cursor_getArgument(ref, 0);
                f.var_type = bottom_name(store, clang_getCursorType(first));
            }
            f.loc = here(w, c);
            f.decl = here(w, ref);
            add_fact(w, f);
        } else if (rk == CXCursor_VarDecl) {
            global_access(w, c, ref);
        }
        break;
    }
    case CXCursor_CStyleCastExpr: conversion(w, c, true); break;
    case CXCursor_UnexposedExpr: conversion(w, c, false); break;
    case CXCursor_TypeRef: {
        CXCursor ref = clang_getCursorReferenced(c);
        ecs_fact f = {.kind = ECS_FACT_TYPE_USE, .detail = "names", .var_type = ""};
        f.name = ecs_clang_string(store, clang_getCursorSpelling(ref));
        f.loc = here(w, c);
        add_fact(w, f);
        break;
    }
    case CXCursor_MemberRefExpr: {
        const char *t = bottom_name(store, clang_getCursorType(c));
        if (strncmp(t, "rt_", 3) == 0) {
            ecs_fact f = {.kind = ECS_FACT_TYPE_USE, .detail = "reaches", .var_type = ""};
            f.name = t;
            f.loc = here(w, c);
            add_fact(w, f);
        }
        break;
    }
    default:
        break;
    }
}

static enum CXChildVisitResult walk_visit(CXCursor c, CXCursor parent, CXClientData d) {
    (void)parent;
    walk *w = d;
    if (w->depth >= MAX_DEPTH) return CXChildVisit_Continue;
    frame *up = &w->stack[w->depth - 1];
    w->stack[w->depth++] = (frame){c, up->children++, 0};
    examine(w);
    clang_visitChildren(c, walk_visit, w);
    w->depth--;
    return CXChildVisit_Continue;
}

/* --- functions ------------------------------------------------------------------------- */

static bool in_checked_file(CXCursor c) {
    return clang_Location_isFromMainFile(clang_getCursorLocation(c)) != 0;
}

static void add_function(body_ctx *ctx, CXCursor c) {
    ecs_body_model *b = ctx->b;
    ecs_model *store = b->store;
    const char *usr = ecs_clang_string(store, clang_getCursorUSR(c));
    for (int i = 0; i < b->n_fns; i++)
        if (strcmp(b->fns[i].usr, usr) == 0) return; /* a header seen before */
    ecs_body_fn fn = {0};
    fn.name = ecs_clang_string(store, clang_getCursorSpelling(c));
    fn.usr = usr;
    fn.loc = ecs_clang_loc(store, clang_getCursorLocation(c));
    fn.in_checked_file = in_checked_file(c);
    b->fns = ecs_model_grow(store, b->fns, b->n_fns, sizeof fn);
    b->fns[b->n_fns] = fn;
    walk *w = calloc(1, sizeof *w);
    if (!w) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    w->ctx = ctx;
    w->fn = &b->fns[b->n_fns];
    w->stack[0] = (frame){c, 0, 0};
    w->depth = 1;
    clang_visitChildren(c, walk_visit, w);
    free(w);
    b->n_fns++;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData d) {
    (void)parent;
    body_ctx *ctx = d;
    if (clang_Location_isInSystemHeader(clang_getCursorLocation(c))) return CXChildVisit_Continue;
    if (clang_getCursorKind(c) == CXCursor_FunctionDecl && clang_isCursorDefinition(c))
        add_function(ctx, c);
    return CXChildVisit_Continue;
}

static void visit_inclusion(CXFile f, CXSourceLocation *stack, unsigned depth, CXClientData d) {
    (void)stack, (void)depth;
    body_ctx *ctx = d;
    if (clang_Location_isInSystemHeader(clang_getLocationForOffset(ctx->tu, f, 0))) return;
    CXString s = clang_getFileName(f);
    ecs_model_add_dep(ctx->deps, clang_getCString(s));
    clang_disposeString(s);
}

/* --- compile flags ------------------------------------------------------------------- */

typedef struct args {
    int n;
    char *v[512];
} args;

static void arg_add(args *a, const char *s) {
    if (a->n < 510) {
        a->v[a->n] = strdup(s);
        if (!a->v[a->n]) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
        a->n++;
    }
}

static void args_free(args *a) {
    for (int i = 0; i < a->n; i++) free(a->v[i]);
    a->n = 0;
}

/* A path option made absolute against the command's directory. */
static void arg_path(args *a, const char *flag, const char *path, const char *dir) {
    char buf[PATH_MAX * 2];
    if (path[0] == '/' || !dir) snprintf(buf, sizeof buf, "%s%s", flag, path);
    else snprintf(buf, sizeof buf, "%s%s/%s", flag, dir, path);
    arg_add(a, buf);
}

/* The flags a file is compiled with, from the database, minus what only
 * the compiler driver needs (output, dependency files, the source). */
/* gcc optimisation flags clang rejects as unknown arguments; they do not
 * change what a body means, so the check drops them. */
static bool gcc_only(const char *a) {
    static const char *const prefixes[] = {"-fvect-cost-model", "-fsimd-cost-model"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(a, prefixes[i], strlen(prefixes[i])) == 0) return true;
    return false;
}

static bool flags_from_db(CXCompilationDatabase db, const char *file, args *out) {
    char abs[PATH_MAX];
    if (!realpath(file, abs)) return false;
    CXCompileCommands cmds = clang_CompilationDatabase_getCompileCommands(db, abs);
    if (!cmds || clang_CompileCommands_getSize(cmds) == 0) {
        if (cmds) clang_CompileCommands_dispose(cmds);
        return false;
    }
    CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, 0);
    CXString dirs = clang_CompileCommand_getDirectory(cmd);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", clang_getCString(dirs));
    clang_disposeString(dirs);
    unsigned n = clang_CompileCommand_getNumArgs(cmd);
    for (unsigned i = 1; i < n; i++) {
        CXString s = clang_CompileCommand_getArg(cmd, i);
        const char *a = clang_getCString(s);
        char next[PATH_MAX] = "";
        bool takes_next = strcmp(a, "-o") == 0 || strcmp(a, "-MF") == 0 ||
                          strcmp(a, "-MT") == 0 || strcmp(a, "-MQ") == 0;
        bool path_next = strcmp(a, "-I") == 0 || strcmp(a, "-isystem") == 0 ||
                         strcmp(a, "-iquote") == 0 || strcmp(a, "-include") == 0;
        if ((takes_next || path_next) && i + 1 < n) {
            CXString t = clang_CompileCommand_getArg(cmd, ++i);
            snprintf(next, sizeof next, "%s", clang_getCString(t));
            clang_disposeString(t);
        }
        char resolved[PATH_MAX * 2];
        bool is_source = false;
        if (a[0] != '-') {
            snprintf(resolved, sizeof resolved, "%s/%s", dir, a);
            char real[PATH_MAX];
            is_source = (realpath(a[0] == '/' ? a : resolved, real) && strcmp(real, abs) == 0);
        }
        if (takes_next || is_source || strcmp(a, "-c") == 0 || strcmp(a, "-MMD") == 0 ||
            strcmp(a, "-MD") == 0 || gcc_only(a)) {
            /* dropped */
        } else if (path_next) {
            arg_add(out, a);
            arg_path(out, "", next, dir);
        } else if (strncmp(a, "-I", 2) == 0) {
            arg_path(out, "-I", a + 2, dir);
        } else {
            arg_add(out, a);
        }
        clang_disposeString(s);
    }
    clang_CompileCommands_dispose(cmds);
    return true;
}

static void report_clang(CXTranslationUnit tu) {
    unsigned n = clang_getNumDiagnostics(tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
            CXString s = clang_formatDiagnostic(
                d, CXDiagnostic_DisplaySourceLocation | CXDiagnostic_DisplayColumn);
            const char *t = clang_getCString(s);
            if (strncmp(t, "./", 2) == 0) t += 2;
            ecs_diag_raw(ECS_ERROR, t);
            clang_disposeString(s);
        }
        clang_disposeDiagnostic(d);
    }
}

ecs_body_model *ecs_body_parse(const ecs_body_desc *desc, ecs_model *deps) {
    ecs_body_model *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->store = ecs_model_new();
    CXCompilationDatabase db = NULL;
    if (desc->builddir) {
        CXCompilationDatabase_Error err;
        db = clang_CompilationDatabase_fromDirectory(desc->builddir, &err);
        if (err != CXCompilationDatabase_NoError || !db) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "no compile database in '%s' (write one "
                     "with `ninja -t compdb cc > %s/compile_commands.json`)",
                     desc->builddir, desc->builddir);
            return b;
        }
    }
    CXIndex index = clang_createIndex(0, 0);
    b->files = ecs_model_alloc(b->store, sizeof(char *) * (size_t)(desc->n_files + 1));
    for (int i = 0; i < desc->n_files; i++) {
        const char *file = desc->files[i];
        b->files[b->n_files++] = ecs_model_strdup(b->store, file);
        args a = {0};
        arg_add(&a, "-x");
        arg_add(&a, "c");
        if (db) {
            if (!flags_from_db(db, file, &a)) {
                ecs_diag(ECS_ERROR, (ecs_loc){file, 1, 1}, "no compile command for this "
                         "file in %s/compile_commands.json: is it in build.ninja?",
                         desc->builddir);
                args_free(&a);
                continue;
            }
        } else {
            arg_add(&a, "-std=c11");
            arg_add(&a, "-D_GNU_SOURCE");
            for (int k = 0; k < desc->n_args; k++) arg_add(&a, desc->clang_args[k]);
        }
        CXTranslationUnit tu = NULL;
        enum CXErrorCode err = clang_parseTranslationUnit2(
            index, file, (const char *const *)a.v, a.n, NULL, 0, CXTranslationUnit_KeepGoing, &tu);
        args_free(&a);
        if (err != CXError_Success || !tu) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot parse '%s' (libclang error %d)", file,
                     (int)err);
            continue;
        }
        report_clang(tu);
        body_ctx ctx = {b, deps, tu, i};
        clang_visitChildren(clang_getTranslationUnitCursor(tu), visit_top, &ctx);
        clang_getInclusions(tu, visit_inclusion, &ctx);
        clang_disposeTranslationUnit(tu);
    }
    clang_disposeIndex(index);
    if (db) clang_CompilationDatabase_dispose(db);
    return b;
}

void ecs_body_free(ecs_body_model *b) {
    if (!b) return;
    ecs_model_free(b->store);
    free(b);
}
