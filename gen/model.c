/* model.c -- storage for the schema model: one arena, lookups by name.
 * See model.h for the pipeline and the shape of the model. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ecs_access_names[ECS_ACCESS_COUNT] = {
#define X(k, s) s,
    ECS_ACCESS_KINDS(X)
#undef X
};

const char *const ecs_rule_names[ECS_RULE_COUNT] = {
#define X(k, s, d) s,
    ECS_RULES(X)
#undef X
};

const char *const ecs_rule_descriptions[ECS_RULE_COUNT] = {
#define X(k, s, d) d,
    ECS_RULES(X)
#undef X
};

/* The arena is a list of blocks; nothing is freed before the model. */
typedef struct ecs_arena_block {
    struct ecs_arena_block *next;
    size_t used, size;
    max_align_t data[];
} ecs_arena_block;

typedef struct ecs_arena {
    ecs_arena_block *head;
} ecs_arena;

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    return p;
}

ecs_model *ecs_model_new(void) {
    ecs_model *m = xcalloc(1, sizeof *m);
    m->arena = xcalloc(1, sizeof *m->arena);
    return m;
}

void ecs_model_free(ecs_model *m) {
    if (!m) return;
    ecs_arena_block *b = m->arena->head;
    while (b) {
        ecs_arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(m->arena);
    free(m);
}

void *ecs_model_alloc(ecs_model *m, size_t size) {
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    ecs_arena_block *b = m->arena->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > 60000 ? size : 60000;
        b = xcalloc(1, sizeof *b + cap);
        b->size = cap;
        b->next = m->arena->head;
        m->arena->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

const char *ecs_model_strdup(ecs_model *m, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = ecs_model_alloc(m, n);
    memcpy(p, s, n);
    return p;
}

/* Arrays in the model grow by one element at a time while parsing. The
 * capacity is implicit: an array holding n elements was allocated for
 * 2 * (largest power of two <= n), so it is full exactly when n is a power of
 * two (or zero). Old copies stay in the arena; sizes are small. */
void *ecs_model_grow(ecs_model *m, void *arr, int n, size_t elem) {
    if (arr && (n & (n - 1)) != 0) return arr;
    void *p = ecs_model_alloc(m, (size_t)(n ? 2 * n : 2) * elem);
    if (arr) memcpy(p, arr, (size_t)n * elem);
    return p;
}

int ecs_model_find_type(const ecs_model *m, const char *name) {
    for (int i = 0; i < m->n_types; i++)
        if (strcmp(m->types[i].name, name) == 0) return i;
    return -1;
}

int ecs_model_find_archetype(const ecs_model *m, const char *name) {
    for (int i = 0; i < m->n_archetypes; i++)
        if (strcmp(m->archetypes[i].name, name) == 0) return i;
    return -1;
}

int ecs_model_find_system(const ecs_model *m, const char *name) {
    for (int i = 0; i < m->n_systems; i++)
        if (strcmp(m->systems[i].name, name) == 0) return i;
    return -1;
}

int ecs_model_find_phase(const ecs_model *m, const char *name) {
    for (int i = 0; i < m->n_phases; i++)
        if (strcmp(m->phases[i].name, name) == 0) return i;
    return -1;
}

bool ecs_archetype_has(const ecs_archetype *a, int type) {
    for (int i = 0; i < a->n_members; i++)
        if (a->members[i] == type) return true;
    return false;
}

int ecs_model_count_kind(const ecs_model *m, ecs_type_kind k) {
    int n = 0;
    for (int i = 0; i < m->n_types; i++) n += m->types[i].kind == k;
    return n;
}

void ecs_model_add_dep(ecs_model *m, const char *path) {
    if (strncmp(path, "./", 2) == 0) path += 2;
    for (int i = 0; i < m->n_deps; i++)
        if (strcmp(m->deps[i], path) == 0) return;
    m->deps = ecs_model_grow(m, m->deps, m->n_deps, sizeof *m->deps);
    m->deps[m->n_deps++] = ecs_model_strdup(m, path);
}
