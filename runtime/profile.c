/* profile.c -- the cost profile's writer and its one reader (format in
 * profile.h). JSON goes through cJSON both ways, so names are always escaped
 * right. Used by export.c (the game's --profile) and gen/profile.c (ecsc's
 * --profile); docs/budgets.md shows a profile recorded by build/swarm. */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

/* --- writing ----------------------------------------------------------------- */

int rt_profile_write(const rt_profile *p, FILE *out) {
    cJSON *root = cJSON_CreateObject();
    bool ok = root && cJSON_AddNumberToObject(root, "version", 1) &&
              cJSON_AddNumberToObject(root, "frames", (double)p->frames);
    cJSON *systems = ok ? cJSON_AddObjectToObject(root, "systems") : NULL;
    ok = ok && systems;
    for (int32_t i = 0; i < p->system_count && ok; i++) {
        const rt_profile_system *s = &p->systems[i];
        cJSON *o = cJSON_AddObjectToObject(systems, s->name);
        ok = o && cJSON_AddNumberToObject(o, "mean_us", s->mean_us) &&
             cJSON_AddNumberToObject(o, "p50_us", s->p50_us) &&
             cJSON_AddNumberToObject(o, "p95_us", s->p95_us) &&
             cJSON_AddNumberToObject(o, "p99_us", s->p99_us) &&
             cJSON_AddNumberToObject(o, "max_us", s->max_us) &&
             cJSON_AddNumberToObject(o, "samples", (double)s->samples);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return -ENOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

/* --- reading ----------------------------------------------------------------- */

static int profile_error(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int profile_error(char *err, size_t size, const char *fmt, ...) {
    if (err && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* An optional (or required) number >= 0 of a system's entry. */
static int profile_number(const cJSON *obj, const char *sys, const char *key, bool required,
                          double *out, char *err, size_t size) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = 0;
    if (!it && !required) return 0;
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0))
        return profile_error(err, size, "profile entry '%.100s' needs a number \"%s\" >= 0",
                             sys, key);
    *out = it->valuedouble;
    return 0;
}

int rt_profile_parse(const char *json, size_t len, rt_profile **out, char *err,
                     size_t err_size, size_t *where) {
    *out = NULL;
    if (where) *where = 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (!root) {
        if (where && end) *where = (size_t)(end - json);
        return profile_error(err, err_size, "profile is not valid JSON");
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(root, "frames");
    const cJSON *systems = cJSON_GetObjectItemCaseSensitive(root, "systems");
    int rc = 0;
    if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        rc = profile_error(err, err_size, "profile version must be 1");
    else if (!cJSON_IsObject(systems))
        rc = profile_error(err, err_size, "profile has no \"systems\" object");
    else if (frames && (!cJSON_IsNumber(frames) || !(frames->valuedouble >= 0)))
        rc = profile_error(err, err_size, "profile \"frames\" must be a number >= 0");
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    /* One block: the header, the entries, then their names. */
    int32_t count = cJSON_GetArraySize(systems);
    size_t names = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, systems) names += strlen(it->string) + 1;
    rt_profile *p = malloc(sizeof *p + (size_t)count * sizeof *p->systems + names);
    if (!p) {
        cJSON_Delete(root);
        return -ENOMEM;
    }
    p->frames = frames ? (uint64_t)frames->valuedouble : 0;
    p->system_count = count;
    p->systems = (rt_profile_system *)(p + 1);
    char *name = (char *)(p->systems + count);
    int32_t i = 0;
    cJSON_ArrayForEach(it, systems) {
        rt_profile_system *s = &p->systems[i++];
        double samples;
        if (!cJSON_IsObject(it)) {
            rc = profile_error(err, err_size, "profile entry '%.100s' must be an object",
                               it->string);
            break;
        }
        if ((rc = profile_number(it, it->string, "mean_us", true, &s->mean_us, err, err_size)) ||
            (rc = profile_number(it, it->string, "p50_us", false, &s->p50_us, err, err_size)) ||
            (rc = profile_number(it, it->string, "p95_us", false, &s->p95_us, err, err_size)) ||
            (rc = profile_number(it, it->string, "p99_us", false, &s->p99_us, err, err_size)) ||
            (rc = profile_number(it, it->string, "max_us", false, &s->max_us, err, err_size)) ||
            (rc = profile_number(it, it->string, "samples", false, &samples, err, err_size)))
            break;
        s->samples = (uint64_t)samples;
        size_t n = strlen(it->string) + 1;
        memcpy(name, it->string, n);
        s->name = name;
        name += n;
    }
    cJSON_Delete(root);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int rt_profile_read(const char *path, rt_profile **out, char *err, size_t err_size) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int rc = -errno;
        if (err && err_size) snprintf(err, err_size, "%s: %s", path, strerror(-rc));
        return rc;
    }
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    while (text) {
        len += fread(text + len, 1, cap - len, f);
        if (len < cap) break;
        char *grown = realloc(text, cap * 2);
        if (!grown) free(text);
        text = grown;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!text || bad) {
        free(text);
        if (err && err_size) snprintf(err, err_size, "%s: cannot read", path);
        return text ? -EIO : -ENOMEM;
    }
    char inner[256] = "";
    int rc = rt_profile_parse(text, len, out, inner, sizeof inner, NULL);
    free(text);
    if (rc && err && err_size) snprintf(err, err_size, "%s: %s", path, inner);
    return rc;
}

const rt_profile_system *rt_profile_find(const rt_profile *p, const char *name) {
    for (int32_t i = 0; i < p->system_count; i++)
        if (strcmp(p->systems[i].name, name) == 0) return &p->systems[i];
    return NULL;
}

void rt_profile_free(rt_profile *p) { free(p); }
