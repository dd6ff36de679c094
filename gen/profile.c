/* profile.c -- measured per-system costs for the scheduler's cost model.
 *
 * The monitor writes a profile of a running game as JSON:
 *
 *   {"version": 1,
 *    "systems": {"move": {"mean_us": 41.5, "p95_us": 60.2, "samples": 600}}}
 *
 * `ecsc gen --profile FILE` plans with the measured mean of every system the
 * profile names, and with the estimate for the others. A missing file is not
 * an error (the build passes the option whether or not a profile has been
 * recorded); a malformed one is, with its line and column. Parsed with cJSON.
 * Next: schedule.c, which reads the costs. */
#include "model.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ecs_loc offset_loc(const char *path, const char *text, size_t offset) {
    ecs_loc loc = {path, 1, 1};
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            loc.line++;
            loc.col = 1;
        } else {
            loc.col++;
        }
    }
    return loc;
}

static char *read_all(const char *path, size_t *len, int *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    char *s = malloc(cap);
    while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *t = realloc(s, cap * 2);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
            cap *= 2;
        }
    }
    *err = ferror(f) ? EIO : s ? 0 : ENOMEM;
    fclose(f);
    if (*err) {
        free(s);
        return NULL;
    }
    s[n] = 0;
    *len = n;
    return s;
}

int ecs_profile_load(const char *path, ecs_profile **out) {
    *out = NULL;
    size_t len = 0;
    int err = 0;
    char *text = read_all(path, &len, &err);
    if (!text) {
        if (err == ENOENT) return 1;
        ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot read profile '%s': %s", path, strerror(err));
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end ? (size_t)(end - text) : 0;
        ecs_diag(ECS_ERROR, offset_loc(path, text, at), "profile is not valid JSON");
        free(text);
        return -1;
    }
    ecs_loc whole = {path, 1, 1};
    int rc = 0;
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *systems = cJSON_GetObjectItemCaseSensitive(root, "systems");
    if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
        ecs_diag(ECS_ERROR, whole, "profile version must be 1");
        rc = -1;
    } else if (!cJSON_IsObject(systems)) {
        ecs_diag(ECS_ERROR, whole, "profile has no \"systems\" object");
        rc = -1;
    }
    ecs_profile *p = NULL;
    if (rc == 0) {
        int n = cJSON_GetArraySize(systems);
        p = calloc(1, sizeof *p);
        if (p) p->entries = calloc((size_t)(n ? n : 1), sizeof *p->entries);
        if (p) p->path = strdup(path);
        if (!p || !p->entries || !p->path) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
        const cJSON *s;
        cJSON_ArrayForEach(s, systems) {
            const cJSON *mean = cJSON_GetObjectItemCaseSensitive(s, "mean_us");
            const cJSON *p95 = cJSON_GetObjectItemCaseSensitive(s, "p95_us");
            const cJSON *samples = cJSON_GetObjectItemCaseSensitive(s, "samples");
            if (!cJSON_IsObject(s) || !cJSON_IsNumber(mean) || mean->valuedouble < 0 ||
                (p95 && !cJSON_IsNumber(p95)) || (samples && !cJSON_IsNumber(samples))) {
                ecs_diag(ECS_ERROR, whole, "profile entry '%s' needs a number \"mean_us\" "
                         ">= 0 (and numbers for \"p95_us\", \"samples\")", s->string);
                rc = -1;
                continue;
            }
            ecs_profile_entry *e = &p->entries[p->n++];
            e->name = strdup(s->string);
            if (!e->name) {
                fprintf(stderr, "ecsc: error: out of memory\n");
                exit(2);
            }
            e->mean_us = mean->valuedouble;
            e->p95_us = p95 ? p95->valuedouble : 0;
            e->samples = samples && samples->valuedouble > 0 ? (uint64_t)samples->valuedouble : 0;
        }
    }
    cJSON_Delete(root);
    free(text);
    if (rc != 0) {
        ecs_profile_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void ecs_profile_free(ecs_profile *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++) free((char *)p->entries[i].name);
    free(p->entries);
    free((char *)p->path);
    free(p);
}

const ecs_profile_entry *ecs_profile_find(const ecs_profile *p, const char *name) {
    if (!p) return NULL;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->entries[i].name, name) == 0) return &p->entries[i];
    return NULL;
}
