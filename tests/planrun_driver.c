/* planrun_driver.c -- runs compiled programs two ways and compares worlds.
 *
 * test_planrun.c compiles random schemas and bodies (tests/schedgen.c) with
 * this driver. For each program it runs:
 *
 *   the reference  every system whole, one at a time, in the sequential
 *                  order, each one's commands applied right after it
 *   the plan       the emitted rt_program as a parallel executor may run it:
 *                  stage by stage; inside a stage, systems start when their
 *                  n_predecessors predecessors have finished; chunked
 *                  systems are cut into chunks of random size and the chunks
 *                  of all running systems interleave at random; commands are
 *                  recorded per system and applied at each sync point in step
 *                  order
 *
 * and compares rt_world_hash after several frames, for several random
 * interleavings. The bodies hash every input into every output, so a missing
 * edge or sync point shows as a different hash. It also writes each plan as
 * JSON (the "plan" object of `ecsc graph --json`) for `ecsc check --plan`,
 * so the verifier checks the tables that actually ran.
 *
 * Uses the runtime's internals (rt_internal.h) for per-system command
 * buffers: the public API has one buffer per world. */
#include "rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct planrun_case {
    const rt_program *program;
    const int *order;   /* sequential order: the reference */
    int n_order;
    const char *name;
} planrun_case;

extern const planrun_case planrun_cases[];
extern const int planrun_n_cases;

enum { FRAMES = 6, TRIALS = 4 };

static uint64_t rnd(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void quiet(void *ud, int level, const char *msg) { (void)ud, (void)level, (void)msg; }

static rt_world *make_world(const rt_program *p, uint64_t seed) {
    rt_world *w = rt_world_create(&(rt_world_desc){.program = p, .log = quiet});
    if (!w) return NULL;
    uint64_t s = seed | 1;
    for (int32_t a = 0; a < p->n_archetypes; a++) {
        const rt_archetype_desc *d = &p->archetypes[a];
        int n = 5 + (int)(rnd(&s) % 40);
        unsigned char init[4096];
        for (int k = 0; k < n; k++) {
            for (uint32_t b = 0; b < d->init_size && b < sizeof init; b++) init[b] = (unsigned char)rnd(&s);
            rt_entity e = rt_world_create_entity(w, a, init);
            for (int32_t t = 0; t < d->n_tags; t++)
                rt_world_set_tag(w, e, d->tags[t], rnd(&s) & 1);
        }
    }
    for (int32_t r = 0; r < p->n_resources; r++) {
        unsigned char *bytes = rt_world_resource(w, r);
        for (uint32_t b = 0; b < p->resources[r].size; b++) bytes[b] = (unsigned char)rnd(&s);
    }
    return w;
}

/* A piece of work: rows [begin, end) of one matched archetype, or the
 * single call of a system that iterates no entities (match = -1). */
typedef struct item {
    int32_t match, begin, end;
} item;

static void run_item(rt_world *w, int32_t x, item it, rt_cmd *cmd) {
    const rt_system_desc *s = &w->program->systems[x];
    cmd->system = x;
    if (it.match < 0) {
        s->run_once(w, NULL, 0, 0, cmd);
    } else {
        rt_table *t = rt_world_table(w, s->matches[it.match].archetype);
        if (it.end > it.begin) s->matches[it.match].run(w, t, it.begin, it.end, cmd);
    }
    cmd->system = -1;
}

/* The items of system x: whole archetypes, or random chunks if it may be
 * split. */
static int items_of(rt_world *w, int32_t x, bool chunk, uint64_t *s, item *out, int cap) {
    const rt_system_desc *d = &w->program->systems[x];
    int n = 0;
    if (d->n_matches == 0) {
        out[n++] = (item){-1, 0, 0};
        return n;
    }
    bool split = chunk && !(d->flags & (RT_SYSTEM_SERIAL | RT_SYSTEM_MAIN_THREAD));
    for (int32_t m = 0; m < d->n_matches; m++) {
        int32_t count = rt_world_count(w, d->matches[m].archetype);
        int32_t at = 0;
        while (at < count && n < cap) {
            int32_t len = split ? 1 + (int32_t)(rnd(s) % (uint64_t)(count - at)) : count - at;
            out[n++] = (item){m, at, at + len};
            at += len;
        }
    }
    return n;
}

static uint64_t run_reference(const planrun_case *c, uint64_t seed) {
    rt_world *w = make_world(c->program, seed);
    int32_t n = c->program->n_systems;
    rt_cmd *cmd = calloc((size_t)n + 1, sizeof *cmd);
    for (int32_t i = 0; i < n; i++) rt__cmd_init(w, &cmd[i]);
    item items[4096];
    for (int f = 0; f < FRAMES; f++) {
        w->head.dt = 1.0f / 60.0f;
        for (int k = 0; k < c->n_order; k++) {
            int32_t x = c->order[k];
            int ni = items_of(w, x, false, NULL, items, 4096);
            for (int i = 0; i < ni; i++) run_item(w, x, items[i], &cmd[x]);
            rt__cmd_apply(w, &cmd[x]);
        }
    }
    uint64_t h = rt_world_hash(w);
    for (int32_t i = 0; i < n; i++) rt__cmd_fini(&cmd[i]);
    free(cmd);
    rt_world_destroy(w);
    return h;
}

/* Runs the plan with a random interleaving; returns the hash, or 0 with a
 * message when the plan cannot run (a deadlock: n_predecessors too high). */
static uint64_t run_plan(const planrun_case *c, uint64_t seed, uint64_t trial) {
    const rt_program *p = c->program;
    rt_world *w = make_world(p, seed);
    int32_t n = p->n_systems;
    rt_cmd *cmd = calloc((size_t)n + 1, sizeof *cmd);
    int *left = calloc((size_t)n + 1, sizeof(int));      /* predecessors not finished */
    int *n_items = calloc((size_t)n + 1, sizeof(int)), *next = calloc((size_t)n + 1, sizeof(int));
    item (*items)[512] = calloc((size_t)n + 1, sizeof *items);
    for (int32_t i = 0; i < n; i++) rt__cmd_init(w, &cmd[i]);
    uint64_t s = trial * 0x9e3779b97f4a7c15ull + seed + 7;
    bool ok = true;
    for (int f = 0; f < FRAMES && ok; f++) {
        w->head.dt = 1.0f / 60.0f;
        for (int32_t first = 0; first < p->n_steps && ok;) {
            int32_t last = first;
            while (last < p->n_steps - 1 && !(p->steps[last].flags & RT_STEP_SYNC_AFTER)) last++;
            for (int32_t k = first; k <= last; k++) {
                int32_t x = p->steps[k].system;
                left[x] = p->systems[x].n_predecessors;
                n_items[x] = items_of(w, x, true, &s, items[x], 512);
                next[x] = 0;
            }
            int remaining = last - first + 1;
            while (remaining > 0) {
                /* a ready system with no rows left finishes at once */
                bool finished = false;
                for (int32_t k = first; k <= last; k++) {
                    int32_t x = p->steps[k].system;
                    if (left[x] != 0 || next[x] < n_items[x]) continue;
                    remaining--;
                    left[x] = -1;
                    finished = true;
                    for (int32_t e = 0; e < p->systems[x].n_successors; e++)
                        left[p->systems[x].successors[e]]--;
                }
                if (finished) continue;
                int32_t cand[512], nc = 0;
                for (int32_t k = first; k <= last; k++) {
                    int32_t x = p->steps[k].system;
                    if (left[x] == 0 && next[x] < n_items[x]) cand[nc++] = x;
                }
                if (nc == 0) {
                    fprintf(stderr, "%s: deadlock in the stage starting at step %d\n", c->name,
                            first);
                    ok = false;
                    break;
                }
                int32_t x = cand[rnd(&s) % (uint64_t)nc];
                run_item(w, x, items[x][next[x]++], &cmd[x]);
            }
            for (int32_t k = first; k <= last; k++) rt__cmd_apply(w, &cmd[p->steps[k].system]);
            first = last + 1;
        }
    }
    uint64_t h = ok ? rt_world_hash(w) : 0;
    for (int32_t i = 0; i < n; i++) rt__cmd_fini(&cmd[i]);
    free(items);
    free(next);
    free(n_items);
    free(left);
    free(cmd);
    rt_world_destroy(w);
    return h;
}

static void write_plan(const planrun_case *c, const char *dir) {
    const rt_program *p = c->program;
    char path[1024];
    snprintf(path, sizeof path, "%s/plan_%s.json", dir, c->name);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "{\"plan\": {\"steps\": [");
    for (int32_t k = 0; k < p->n_steps; k++)
        fprintf(f, "%s{\"system\": \"%s\", \"sync_after\": %s}", k ? ", " : "",
                p->systems[p->steps[k].system].name,
                p->steps[k].flags & RT_STEP_SYNC_AFTER ? "true" : "false");
    fprintf(f, "], \"systems\": [");
    for (int32_t i = 0; i < p->n_systems; i++) {
        const rt_system_desc *d = &p->systems[i];
        fprintf(f, "%s{\"name\": \"%s\", \"flags\": [", i ? ", " : "", d->name);
        static const struct { uint32_t bit; const char *name; } flags[] = {
            {RT_SYSTEM_MAIN_THREAD, "main_thread"}, {RT_SYSTEM_ASYNC, "async"},
            {RT_SYSTEM_SERIAL, "serial"}, {RT_SYSTEM_STRUCTURAL, "structural"}};
        int nf = 0;
        for (int k = 0; k < 4; k++)
            if (d->flags & flags[k].bit) fprintf(f, "%s\"%s\"", nf++ ? ", " : "", flags[k].name);
        fprintf(f, "], \"successors\": [");
        for (int32_t e = 0; e < d->n_successors; e++)
            fprintf(f, "%s\"%s\"", e ? ", " : "", p->systems[d->successors[e]].name);
        fprintf(f, "], \"n_predecessors\": %d}", d->n_predecessors);
    }
    fprintf(f, "]}}\n");
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    int bad = 0;
    for (int i = 0; i < planrun_n_cases; i++) {
        const planrun_case *c = &planrun_cases[i];
        write_plan(c, dir);
        uint64_t seed = 1000 + (uint64_t)i;
        uint64_t want = run_reference(c, seed);
        for (uint64_t t = 0; t < TRIALS; t++) {
            uint64_t got = run_plan(c, seed, t);
            if (got != want) {
                printf("MISMATCH %s trial %llu: plan %016llx, sequential %016llx\n", c->name,
                       (unsigned long long)t, (unsigned long long)got, (unsigned long long)want);
                bad++;
                break;
            }
        }
    }
    printf("%d of %d programs ran the same both ways\n", planrun_n_cases - bad, planrun_n_cases);
    return bad ? 1 : 0;
}
