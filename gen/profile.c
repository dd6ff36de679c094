/* profile.c -- measured per-system costs for the scheduler's cost model.
 *
 * A running game writes a profile of what its systems cost (`build/swarm
 * --profile FILE`, through the runtime's monitor):
 *
 *   {"version": 1, "frames": 600,
 *    "systems": {"move": {"mean_us": 41.5, "p95_us": 60.2, "samples": 600}}}
 *
 * The format has one owner, runtime/profile.c, whose reader this file calls
 * (ecsc links that one object); here the profile becomes the model's
 * ecs_profile and a malformed file becomes a diagnostic at its line and column.
 * `ecsc gen --profile FILE` plans with the measured mean of every system the
 * profile names, and with the estimate for the others. A missing file is not
 * an error (the build passes the option whether or not a profile has been
 * recorded); a malformed one is.
 * Next: schedule.c, which reads the costs. */
#include "model.h"
#include "profile.h"

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
    /* The runtime's reader is the one owner of the format (runtime/profile.h). */
    rt_profile *rp = NULL;
    char why[256] = "";
    size_t where = 0;
    int rc = rt_profile_parse(text, len, &rp, why, sizeof why, &where);
    if (rc == -ENOMEM) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    if (rc) {
        ecs_diag(ECS_ERROR, offset_loc(path, text, where), "%s", why);
        free(text);
        return -1;
    }
    free(text);
    ecs_profile *p = calloc(1, sizeof *p);
    if (p) p->entries = calloc((size_t)(rp->system_count ? rp->system_count : 1), sizeof *p->entries);
    if (p) p->path = strdup(path);
    if (!p || !p->entries || !p->path) {
        fprintf(stderr, "ecsc: error: out of memory\n");
        exit(2);
    }
    for (int32_t i = 0; i < rp->system_count; i++) {
        const rt_profile_system *s = &rp->systems[i];
        ecs_profile_entry *e = &p->entries[p->n++];
        e->name = strdup(s->name);
        if (!e->name) {
            fprintf(stderr, "ecsc: error: out of memory\n");
            exit(2);
        }
        e->mean_us = s->mean_us;
        e->p95_us = s->p95_us;
        e->samples = s->samples;
    }
    rt_profile_free(rp);
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
