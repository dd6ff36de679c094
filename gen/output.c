/* output.c -- writing generated files: all or nothing, and only if changed.
 *
 * Every file is first written to a temporary beside its target; only when
 * every temporary is complete are they renamed over the targets, so a failed
 * run leaves generated/ byte for byte as it was. A file whose content is
 * unchanged is not touched at all: its timestamp stays, and Ninja (restat = 1)
 * rebuilds nothing downstream of it. */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_content(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool same = true;
    char chunk[65536];
    size_t at = 0, n;
    while (same && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (at + n > len || memcmp(chunk, text + at, n) != 0) same = false;
        at += n;
    }
    fclose(f);
    return same && at == len;
}

static int write_whole(const char *path, const char *text, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = fwrite(text, 1, len, f);
    int err = ferror(f);
    if (fclose(f) != 0 || err || n != len) return -1;
    return 0;
}

int ecs_write_files(const ecs_file *files, int n) {
    char tmp[n > 0 ? n : 1][1100];
    bool changed[n > 0 ? n : 1];
    int written = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        changed[i] = !same_content(files[i].path, files[i].text, files[i].len);
        if (!changed[i]) continue;
        snprintf(tmp[i], sizeof tmp[i], "%s.tmp%ld", files[i].path, (long)getpid());
        if (write_whole(tmp[i], files[i].text, files[i].len) != 0) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot write '%s': %s", tmp[i],
                     strerror(errno));
            remove(tmp[i]);
            rc = -1;
            break;
        }
        written = i + 1;
    }
    for (int i = 0; i < written; i++) {
        if (!changed[i]) continue;
        if (rc == 0 && rename(tmp[i], files[i].path) != 0) {
            ecs_diag(ECS_ERROR, (ecs_loc){0}, "cannot rename '%s' to '%s': %s",
                     tmp[i], files[i].path, strerror(errno));
            rc = -1;
        }
        if (rc != 0) remove(tmp[i]);
    }
    return rc;
}

/* mkdir -p of the directory part of path. */
static void make_parent_dirs(const char *path) {
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        mkdir(dir, 0777);
        *p = '/';
    }
}

/* Make-style depfile: "target: dep dep ...", spaces escaped. */
int ecs_write_depfile(const char *path, const char *target, const ecs_model *m) {
    make_parent_dirs(path);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    if (!s) return -1;
    const char *items[1 + m->n_deps];
    items[0] = target;
    for (int i = 0; i < m->n_deps; i++) items[1 + i] = m->deps[i];
    for (int i = 0; i <= m->n_deps; i++) {
        const char *p = items[i];
        size_t need = len + 2 * strlen(p) + 8;
        if (need > cap) {
            while (cap < need) cap *= 2;
            char *t = realloc(s, cap);
            if (!t) { free(s); return -1; }
            s = t;
        }
        if (i == 1) s[len++] = ':';
        if (i > 0) { s[len++] = ' '; }
        for (; *p; p++) {
            if (*p == ' ' || *p == '#' || *p == '\\') s[len++] = '\\';
            if (*p == '$') s[len++] = '$';
            s[len++] = *p;
        }
        if (i == 0 && m->n_deps == 0) s[len++] = ':';
    }
    s[len++] = '\n';
    ecs_file f = {(char *)path, s, len};
    int rc = ecs_write_files(&f, 1);
    free(s);
    return rc;
}
