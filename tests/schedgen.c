/* schedgen.c -- random schemas and bodies for the scheduler's tests; see
 * schedgen.h. Everything derives from the seed through one xorshift stream,
 * so a failing seed reproduces exactly. */
#include "schedgen.h"

#include <string.h>

enum { MAXC = 8, MAXT = 3, MAXR = 3, MAXA = 5, MAXP = 3 };

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r) {
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return r->s = x;
}

static int below(rng *r, int n) { return n > 0 ? (int)(next(r) % (uint64_t)n) : 0; }
static bool chance(rng *r, int percent) { return below(r, 100) < percent; }

typedef struct gsys {
    int comp[MAXC];     /* 0 none, 1 read, 2 write, 3 with (filter), 4 without */
    int tag[MAXT];      /* 0 none, 1 with, 2 without */
    int res[MAXR];      /* 0 none, 1 read, 2 write */
    bool creates[MAXA], destroys[MAXA], toggles[MAXT];
    bool main_thread, serial;
    int n_cons;
    int con_kind[SCHEDGEN_MAX_SYSTEMS]; /* 0 after, 1 before, 2 ordered_after,
                                           3 ordered_before, 4 allow_ambiguous */
    int con_target[SCHEDGEN_MAX_SYSTEMS];
    int phase;          /* -1: none */
    bool matches[MAXA];
    bool iterates;
} gsys;

typedef struct world {
    int nc, nt, nr, na, ns, np;
    int fields[MAXC];   /* fields per component */
    bool arch_comp[MAXA][MAXC], arch_tag[MAXA][MAXT];
    gsys s[SCHEDGEN_MAX_SYSTEMS];
    int rank[SCHEDGEN_MAX_SYSTEMS]; /* position in the hidden permutation */
} world;

static bool matches(const world *w, const gsys *s, int a) {
    for (int c = 0; c < w->nc; c++) {
        if (s->comp[c] >= 1 && s->comp[c] <= 3 && !w->arch_comp[a][c]) return false;
        if (s->comp[c] == 4 && w->arch_comp[a][c]) return false;
    }
    for (int t = 0; t < w->nt; t++)
        if (s->tag[t] == 1 && !w->arch_tag[a][t]) return false;
    return true;
}

static void make_world(rng *r, world *w, const schedgen_desc *d) {
    memset(w, 0, sizeof *w);
    w->nc = 1 + below(r, MAXC);
    w->nt = below(r, MAXT + 1);
    w->nr = below(r, MAXR + 1);
    w->na = 1 + below(r, MAXA);
    int max_s = d->max_systems ? d->max_systems : 14;
    if (max_s > SCHEDGEN_MAX_SYSTEMS) max_s = SCHEDGEN_MAX_SYSTEMS;
    w->ns = 1 + below(r, max_s);
    w->np = chance(r, 30) ? 1 + below(r, MAXP) : 0;
    for (int c = 0; c < w->nc; c++) w->fields[c] = 1 + below(r, 3);
    for (int a = 0; a < w->na; a++) {
        bool any = false;
        for (int c = 0; c < w->nc; c++) any |= w->arch_comp[a][c] = chance(r, 50);
        if (!any) w->arch_comp[a][below(r, w->nc)] = true;
        for (int t = 0; t < w->nt; t++) w->arch_tag[a][t] = chance(r, 50);
    }
    /* the hidden order: identity, or a random permutation */
    int perm[SCHEDGEN_MAX_SYSTEMS];
    for (int i = 0; i < w->ns; i++) perm[i] = i;
    if (d->permuted)
        for (int i = w->ns - 1; i > 0; i--) {
            int j = below(r, i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    for (int i = 0; i < w->ns; i++) w->rank[perm[i]] = i;
    /* phases: a non-decreasing function of the hidden order, some systems none */
    int cut[MAXP + 1] = {0};
    for (int p = 0; p < w->np; p++) cut[p] = below(r, w->ns + 1);
    for (int p = 1; p < w->np; p++) /* ascending, so phases follow the order */
        for (int q = p; q > 0 && cut[q - 1] > cut[q]; q--) {
            int t = cut[q];
            cut[q] = cut[q - 1];
            cut[q - 1] = t;
        }
    for (int i = 0; i < w->ns; i++) {
        gsys *s = &w->s[i];
        s->phase = -1;
        if (w->np && chance(r, 60)) {
            int p = 0;
            for (int k = 0; k < w->np; k++)
                if (w->rank[i] >= cut[k]) p = k;
            s->phase = p;
        }
    }
    bool tag_held[MAXT] = {0};
    for (int a = 0; a < w->na; a++)
        for (int t = 0; t < w->nt; t++) tag_held[t] |= w->arch_tag[a][t];

    for (int i = 0; i < w->ns; i++) {
        gsys *s = &w->s[i];
        bool entity = w->nr == 0 || chance(r, 80);
        if (entity) {
            int base = below(r, w->na);
            bool any = false;
            for (int c = 0; c < w->nc; c++) {
                if (w->arch_comp[base][c]) {
                    int x = below(r, 100);
                    s->comp[c] = x < 30 ? 2 : x < 60 ? 1 : x < 68 ? 3 : 0;
                    any |= s->comp[c] != 0;
                } else if (chance(r, 10)) {
                    s->comp[c] = 4;
                }
            }
            if (!any)
                for (int c = 0; c < w->nc; c++)
                    if (w->arch_comp[base][c]) {
                        s->comp[c] = 1;
                        break;
                    }
            for (int t = 0; t < w->nt; t++) {
                if (w->arch_tag[base][t] && chance(r, 20)) s->tag[t] = 1;
                else if (chance(r, 15)) s->tag[t] = 2;
            }
        }
        for (int k = 0; k < w->nr; k++) {
            int x = below(r, 100);
            s->res[k] = x < 15 ? 2 : x < 40 ? 1 : 0;
        }
        if (!entity) {
            bool any = false;
            for (int k = 0; k < w->nr; k++) any |= s->res[k] != 0;
            if (!any) s->res[below(r, w->nr)] = 1;
        }
        s->iterates = entity;
        for (int a = 0; a < w->na; a++) s->matches[a] = entity && matches(w, s, a);
        /* structural changes the bodies can make precisely: destroy or toggle
         * only where every matched archetype is the target / holds the tag */
        for (int a = 0; a < w->na; a++) {
            s->creates[a] = chance(r, 12);
            if (!entity || !chance(r, 15)) continue;
            bool only = s->matches[a];
            for (int b = 0; b < w->na; b++) only &= b == a || !s->matches[b];
            s->destroys[a] = only;
        }
        for (int t = 0; t < w->nt; t++) {
            if (!entity || !tag_held[t] || !chance(r, 15)) continue;
            bool all = true;
            for (int a = 0; a < w->na; a++) all &= !s->matches[a] || w->arch_tag[a][t];
            s->toggles[t] = all;
        }
        s->main_thread = chance(r, 10);
        s->serial = chance(r, 5);
    }
    /* explicit orders, consistent with the hidden order */
    for (int i = 0; i < w->ns; i++) {
        gsys *s = &w->s[i];
        int want = chance(r, 35) ? 1 + below(r, 2) : 0;
        for (int k = 0; k < want; k++) {
            int j = below(r, w->ns);
            bool used = j == i;
            for (int q = 0; q < s->n_cons; q++) used |= s->con_target[q] == j;
            if (used) continue;
            int kind;
            if (chance(r, 12)) kind = 4;
            else if (w->rank[j] < w->rank[i]) kind = chance(r, 50) ? 0 : 2;
            else kind = chance(r, 50) ? 1 : 3;
            s->con_kind[s->n_cons] = kind;
            s->con_target[s->n_cons++] = j;
        }
    }
}

/* The sequential order: Kahn's algorithm, first-declared ready system first,
 * where phases hold back every later phase. Written here again on purpose:
 * the reference must not come from the code under test. */
static void sequential(const world *w, schedgen_info *info) {
    bool done[SCHEDGEN_MAX_SYSTEMS] = {0};
    info->n_systems = w->ns;
    for (int placed = 0; placed < w->ns; placed++) {
        int pick = -1;
        for (int x = 0; x < w->ns && pick < 0; x++) {
            if (done[x]) continue;
            bool ready = true;
            for (int y = 0; y < w->ns && ready; y++) {
                if (done[y] || y == x) continue;
                const gsys *sx = &w->s[x], *sy = &w->s[y];
                for (int q = 0; q < sx->n_cons; q++)
                    if (sx->con_target[q] == y && (sx->con_kind[q] == 0 || sx->con_kind[q] == 2))
                        ready = false;
                for (int q = 0; q < sy->n_cons; q++)
                    if (sy->con_target[q] == x && (sy->con_kind[q] == 1 || sy->con_kind[q] == 3))
                        ready = false;
                if (sx->phase >= 0 && sy->phase >= 0 && sy->phase < sx->phase) ready = false;
            }
            if (ready) pick = x;
        }
        done[pick] = true;
        info->order[placed] = pick;
    }
    info->declaration_order = true;
    for (int i = 0; i < w->ns; i++) info->declaration_order &= info->order[i] == i;
}

static const char *sys_name(const schedgen_desc *d, int i, char out[64]) {
    snprintf(out, 64, "%s_s%d", d->prefix ? d->prefix : "s", i);
    return out;
}

static void write_schema(const world *w, const schedgen_desc *d, FILE *f) {
    char n1[64];
    fprintf(f, "/* generated by tests/schedgen.c */\n#include \"ecs_schema.h\"\n\n");
    for (int c = 0; c < w->nc; c++) {
        fprintf(f, "ECS_COMPONENT(C%d) {", c);
        for (int k = 0; k < w->fields[c]; k++) fprintf(f, " uint32_t f%d;", k);
        fprintf(f, " };\n");
    }
    for (int t = 0; t < w->nt; t++) fprintf(f, "ECS_TAG(T%d);\n", t);
    for (int k = 0; k < w->nr; k++) fprintf(f, "ECS_RESOURCE(R%d) { uint32_t v0, v1; };\n", k);
    for (int a = 0; a < w->na; a++) {
        fprintf(f, "ECS_ARCHETYPE(A%d", a);
        for (int c = 0; c < w->nc; c++)
            if (w->arch_comp[a][c]) fprintf(f, ", C%d", c);
        for (int t = 0; t < w->nt; t++)
            if (w->arch_tag[a][t]) fprintf(f, ", T%d", t);
        fprintf(f, ");\n");
        if ((a + w->ns) % 3 == 0) fprintf(f, "ECS_EXPECTED_COUNT(A%d, %d);\n", a, 100 + 900 * a);
    }
    for (int p = 0; p < w->np; p++) fprintf(f, "ECS_PHASE(P%d);\n", p);
    static const char *const cons[] = {"ECS_AFTER", "ECS_BEFORE", "ECS_ORDERED_AFTER",
                                       "ECS_ORDERED_BEFORE", "ECS_ALLOW_AMBIGUOUS"};
    for (int i = 0; i < w->ns; i++) {
        const gsys *s = &w->s[i];
        fprintf(f, "ECS_SYSTEM(%s", sys_name(d, i, n1));
        for (int c = 0; c < w->nc; c++) {
            static const char *const k[] = {"", "ECS_READ", "ECS_WRITE", "ECS_WITH", "ECS_WITHOUT"};
            if (s->comp[c]) fprintf(f, ", %s(C%d)", k[s->comp[c]], c);
        }
        for (int t = 0; t < w->nt; t++)
            if (s->tag[t]) fprintf(f, ", %s(T%d)", s->tag[t] == 1 ? "ECS_WITH" : "ECS_WITHOUT", t);
        for (int k = 0; k < w->nr; k++)
            if (s->res[k]) fprintf(f, ", %s(R%d)", s->res[k] == 1 ? "ECS_READ" : "ECS_WRITE", k);
        for (int a = 0; a < w->na; a++) {
            if (s->creates[a]) fprintf(f, ", ECS_CREATES(A%d)", a);
            if (s->destroys[a]) fprintf(f, ", ECS_DESTROYS(A%d)", a);
        }
        for (int t = 0; t < w->nt; t++)
            if (s->toggles[t]) fprintf(f, ", ECS_TOGGLES(T%d)", t);
        for (int q = 0; q < s->n_cons; q++)
            fprintf(f, ", %s(%s)", cons[s->con_kind[q]], sys_name(d, s->con_target[q], n1));
        if (s->phase >= 0) fprintf(f, ", ECS_IN_PHASE(P%d)", s->phase);
        if (s->main_thread) fprintf(f, ", ECS_MAIN_THREAD");
        if (s->serial) fprintf(f, ", ECS_SERIAL");
        fprintf(f, ");\n");
    }
}

static void write_init(const world *w, FILE *f, int a, const char *salt) {
    fprintf(f, "A%d_init init;\n", a);
    fprintf(f, "            memset(&init, 0, sizeof init);\n");
    for (int c = 0; c < w->nc; c++)
        if (w->arch_comp[a][c])
            for (int k = 0; k < w->fields[c]; k++)
                fprintf(f, "            init.c%d.f%d = (uint32_t)schedgen_mix(%s, %d);\n", c, k,
                        salt, 100 + 10 * c + k);
}

static void write_bodies(const world *w, const schedgen_desc *d, uint64_t seed, FILE *f) {
    char n1[64];
    fprintf(f, "/* generated by tests/schedgen.c: bodies that hash what they read into\n"
               " * what they write */\n");
    if (d->header) fprintf(f, "#include \"%s\"\n", d->header);
    fprintf(f, "#include <string.h>\n\n");
    fprintf(f, "static inline uint64_t schedgen_mix(uint64_t h, uint64_t v) {\n"
               "    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);\n"
               "    h *= 0xff51afd7ed558ccdull;\n"
               "    return h ^ (h >> 29);\n}\n\n");
    for (int i = 0; i < w->ns; i++) {
        const gsys *s = &w->s[i];
        const char *name = sys_name(d, i, n1);
        fprintf(f, "void %s(%s_view v) {\n", name, name);
        fprintf(f, "    uint64_t h = %lluull;\n",
                (unsigned long long)((seed * 1000003u + (uint64_t)i) | 1));
        bool writes_res = false;
        for (int k = 0; k < w->nr; k++) {
            if (!s->res[k]) continue;
            writes_res |= s->res[k] == 2;
            fprintf(f, "    h = schedgen_mix(h, v.r%d->v0);\n    h = schedgen_mix(h, v.r%d->v1);\n",
                    k, k);
        }
        for (int a = 0; a < w->na; a++)
            if (s->creates[a]) fprintf(f, "    h = schedgen_mix(h, (uint64_t)v.n_a%d);\n", a);
        fprintf(f, "    uint64_t acc = 0;\n    (void)acc;\n");
        if (s->iterates) {
            fprintf(f, "    for (int32_t i = 0; i < v.count; i++) {\n        uint64_t e = h;\n");
            for (int c = 0; c < w->nc; c++)
                if (s->comp[c] == 1 || s->comp[c] == 2)
                    for (int k = 0; k < w->fields[c]; k++)
                        fprintf(f, "        e = schedgen_mix(e, v.c%d.f%d[i]);\n", c, k);
            for (int c = 0; c < w->nc; c++)
                if (s->comp[c] == 2)
                    for (int k = 0; k < w->fields[c]; k++)
                        fprintf(f, "        v.c%d.f%d[i] = (uint32_t)schedgen_mix(e, %d);\n", c, k,
                                10 * c + k);
            fprintf(f, "        acc += e;\n");
            for (int a = 0; a < w->na; a++) {
                if (s->destroys[a])
                    fprintf(f, "        if (e %% 7 == 3) %s_destroy_A%d(v.cmd, v.entity[i]);\n",
                            name, a);
                if (s->creates[a]) {
                    fprintf(f, "        if (e %% 11 == 2 && v.n_a%d < 48) {\n            ", a);
                    write_init(w, f, a, "e");
                    fprintf(f, "            %s_create_A%d(v.cmd, &init);\n        }\n", name, a);
                }
            }
            for (int t = 0; t < w->nt; t++)
                if (s->toggles[t])
                    fprintf(f, "        if (e %% 5 == 1) %s_set_T%d(v.cmd, v.entity[i], "
                               "(e >> 9) & 1);\n", name, t);
            fprintf(f, "    }\n");
        } else {
            for (int a = 0; a < w->na; a++) {
                if (!s->creates[a]) continue;
                fprintf(f, "    for (uint64_t k = 0; k < h %% 3 && v.n_a%d + (int64_t)k < 48; k++) {\n"
                           "        uint64_t e = schedgen_mix(h, k);\n        {\n            ", a);
                write_init(w, f, a, "e");
                fprintf(f, "            %s_create_A%d(v.cmd, &init);\n        }\n    }\n", name, a);
            }
        }
        for (int k = 0; k < w->nr; k++)
            if (s->res[k] == 2)
                fprintf(f, "    v.r%d->v0 = (uint32_t)schedgen_mix(h, acc);\n"
                           "    v.r%d->v1 += 1;\n", k, k);
        (void)writes_res;
        fprintf(f, "}\n\n");
    }
}

void schedgen_write(uint64_t seed, const schedgen_desc *desc, FILE *schema, FILE *bodies,
                    schedgen_info *info) {
    static world w; /* large; tests are single-threaded */
    rng r = {seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull};
    for (int i = 0; i < 4; i++) next(&r);
    make_world(&r, &w, desc);
    sequential(&w, info);
    write_schema(&w, desc, schema);
    if (bodies) write_bodies(&w, desc, seed, bodies);
}
