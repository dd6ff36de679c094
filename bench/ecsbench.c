/* ecsbench.c -- build/ecsbench, the benchmark driver: runs the workloads of
 * /work/shared/WORKLOADS.md and prints their rows as a table for people
 * and, with --json, as one JSON object for scripts (written with cJSON).
 *
 *   build/ecsbench [W1 W2 W3 W4 TRIAD RENDER ...] [--threads 1,2] [--entities N]
 *                  [--reps N] [--json]
 *
 * A workload is one entry of `workloads` below: a name and a run function
 * that appends rows through bench_add_row (bench.h). Adding one is adding
 * an entry. With --json the table goes to stderr and the JSON to stdout, so
 * `build/ecsbench --json > build/bench.json` still shows the table. The
 * method and the figures of one run are in docs/bench.md. */
#include "bench.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct bench_workload {
    const char *name;
    const char *what;  /* one line for --help */
    int (*run)(const bench_opts *o);
} bench_workload;

static const bench_workload workloads[] = {
    {"W1", "iterate: p += v*dt, ns per entity at 10k..8M entities", bench_w1_run},
    {"W2", "pipeline: five systems, ms per frame at each thread count", bench_w2_run},
    {"W3", "churn: create, destroy, tag on, tag off, ns per op at 1M", bench_w3_run},
    {"W4", "overhead: 400 systems, us per frame at each thread count", bench_w4_run},
    {"TRIAD", "STREAM triad over 3 x 64 MiB float arrays, GB/s at 1 and 2 threads",
     bench_triad_run},
    {"RENDER", "renderer: ms per frame for 10k/100k/1M sprites, sprites at 60 FPS, "
     "the game's frame at 20k", bench_gfx_run},
    {"MONITOR", "measuring every system every frame: W2 (1M) and W4 on/off, 1 thread",
     bench_measure_run},
    {"JOBS", "async jobs: queue and end-to-end jobs/s, latency, memory over 10M jobs",
     bench_jobs_run},
};
enum { N_WORKLOADS = sizeof workloads / sizeof workloads[0] };

static void usage(FILE *f) {
    fprintf(f,
            "usage: ecsbench [WORKLOAD...] [--threads 1,2,...] [--entities N]\n"
            "                [--reps N] [--json]\n"
            "\n"
            "Runs the ecsc benchmark workloads (all when none is named), each beside\n"
            "its plain-C floor in the same process, and prints a table. See\n"
            "docs/bench.md.\n"
            "\n"
            "workloads:\n");
    for (int i = 0; i < N_WORKLOADS; i++)
        fprintf(f, "  %-6s %s\n", workloads[i].name, workloads[i].what);
    fprintf(f,
            "\n"
            "options:\n"
            "  --threads LIST  thread counts for W2 and W4 (default 1,2; 1 is always\n"
            "                  run, speedups are against it)\n"
            "  --entities N    one entity count for W1..W3 and RENDER instead of\n"
            "                  their own sizes (quick runs)\n"
            "  --reps N        timed repetitions after one warm-up (default 7, >= 7)\n"
            "  --json          print the JSON object on stdout, the table on stderr\n"
            "  -h, --help      show this help\n");
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* "1,2,4" -> sorted, unique, with 1 added. Returns 0 or -1. */
static int parse_threads(const char *s, bench_opts *o) {
    o->n_threads = 0;
    o->threads[o->n_threads++] = 1;
    while (*s) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (end == s || errno || v < 1 || v > 1024 || (*end && *end != ',')) return -1;
        bool seen = false;
        for (int32_t i = 0; i < o->n_threads; i++) seen |= o->threads[i] == v;
        if (!seen) {
            if (o->n_threads == BENCH_MAX_THREADS) return -1;
            o->threads[o->n_threads++] = (int32_t)v;
        }
        s = *end ? end + 1 : end;
    }
    qsort(o->threads, (size_t)o->n_threads, sizeof o->threads[0], cmp_i32);
    return 0;
}

static void cpu_name(char *buf, size_t size) {
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *v = strchr(line, ':');
        if (!v) break;
        v++;
        while (*v == ' ' || *v == '\t') v++;
        snprintf(buf, size, "%s", v);
        buf[strcspn(buf, "\n")] = 0;
        break;
    }
    fclose(f);
}

/* Four significant digits: the noise is larger than that. */
static double round4(double v) {
    if (!isfinite(v) || v == 0) return v;
    double scale = pow(10.0, 3 - (int)floor(log10(fabs(v))));
    return round(v * scale) / scale;
}

static double ratio_to_floor(const bench_row *r) {
    return isfinite(r->floor) && r->floor > 0 ? r->value / r->floor : NAN;
}

static void add_number(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, round4(v));
}

static cJSON *row_json(const bench_row *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "workload", r->workload);
    if (r->op) cJSON_AddStringToObject(o, "op", r->op);
    if (r->variant) cJSON_AddStringToObject(o, "variant", r->variant);
    if (r->entities >= 0) cJSON_AddNumberToObject(o, "entities", (double)r->entities);
    cJSON_AddNumberToObject(o, "threads", r->threads);
    cJSON_AddStringToObject(o, "metric", r->metric);
    add_number(o, "value", r->value);
    add_number(o, "min", r->min);
    add_number(o, "max", r->max);
    add_number(o, "floor", r->floor);
    add_number(o, "ratio_to_floor", ratio_to_floor(r));
    add_number(o, "speedup_vs_1_thread", r->speedup_vs_1_thread);
    if (r->identical >= 0) {
        cJSON_AddBoolToObject(o, "identical_across_threads", r->identical);
        char hash[24];
        snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r->hash);
        cJSON_AddStringToObject(o, "world_hash", hash);
    }
    for (int i = 0; i < BENCH_MAX_EXTRA; i++)
        if (r->extra[i].key) add_number(o, r->extra[i].key, r->extra[i].value);
    return o;
}

static int print_json(FILE *f, double clock_ns, const bench_opts *opts) {
    char cpu[256];
    cpu_name(cpu, sizeof cpu);
    cJSON *root = cJSON_CreateObject();
    cJSON *machine = cJSON_AddObjectToObject(root, "machine");
    cJSON_AddStringToObject(machine, "cpu", cpu);
    cJSON_AddNumberToObject(machine, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    add_number(machine, "clock_read_ns", clock_ns);
    cJSON_AddNumberToObject(machine, "reps", opts->reps);
    cJSON *results = cJSON_AddArrayToObject(root, "results");
    for (int32_t i = 0; i < bench_row_count(); i++)
        cJSON_AddItemToArray(results, row_json(&bench_rows()[i]));
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s) return -1;
    /* one row per line: readable, and still one JSON object */
    for (const char *p = s; *p; p++) {
        fputc(*p, f);
        if (p[0] == ',' && p[1] == '{') fputs("\n  ", f);
        else if (p[0] == '[' && p[1] == '{') fputs("\n  ", f);
    }
    fputc('\n', f);
    cJSON_free(s);
    return ferror(f) ? -1 : 0;
}

static void fmt(char *buf, size_t size, double v) {
    if (!isfinite(v)) snprintf(buf, size, "-");
    else if (fabs(v) >= 100) snprintf(buf, size, "%.1f", v);
    else if (fabs(v) >= 10) snprintf(buf, size, "%.2f", v);
    else snprintf(buf, size, "%.3f", v);
}

static void print_table(FILE *f) {
    fprintf(f, "%-6s %-16s %9s %3s %-14s %9s %9s %9s %9s %6s %7s\n", "load", "op", "entities",
            "thr", "metric", "value", "min", "max", "floor", "ratio", "speedup");
    for (int32_t i = 0; i < bench_row_count(); i++) {
        const bench_row *r = &bench_rows()[i];
        char op[40], ents[24], v[5][24], sp[24];
        snprintf(op, sizeof op, "%s%s%s", r->op ? r->op : "", r->op && r->variant ? " " : "",
                 r->variant ? r->variant : "");
        if (r->entities >= 0) snprintf(ents, sizeof ents, "%lld", (long long)r->entities);
        else snprintf(ents, sizeof ents, "-");
        fmt(v[0], sizeof v[0], r->value);
        fmt(v[1], sizeof v[1], r->min);
        fmt(v[2], sizeof v[2], r->max);
        fmt(v[3], sizeof v[3], r->floor);
        double ratio = ratio_to_floor(r);
        if (isfinite(ratio)) snprintf(v[4], sizeof v[4], "%.2f", ratio);
        else snprintf(v[4], sizeof v[4], "-");
        if (isfinite(r->speedup_vs_1_thread))
            snprintf(sp, sizeof sp, "%.2fx", r->speedup_vs_1_thread);
        else snprintf(sp, sizeof sp, "-");
        fprintf(f, "%-6s %-16s %9s %3d %-14s %9s %9s %9s %9s %6s %7s", r->workload, op, ents,
                r->threads, r->metric, v[0], v[1], v[2], v[3], v[4], sp);
        if (r->identical >= 0)
            fprintf(f, "  hash %016llx %s", (unsigned long long)r->hash,
                    r->identical ? "(identical for every thread count)" : "(DIFFERS)");
        for (int k = 0; k < BENCH_MAX_EXTRA; k++)
            if (r->extra[k].key) fprintf(f, "  %s %.4g", r->extra[k].key, r->extra[k].value);
        fputc('\n', f);
    }
}

int main(int argc, char **argv) {
    bench_opts opts = {.reps = 7};
    parse_threads("1,2", &opts);
    bool json = false, chosen[N_WORKLOADS] = {false}, any = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if (parse_threads(argv[++i], &opts) != 0) {
                fprintf(stderr, "ecsbench: bad --threads '%s'\n", argv[i]);
                return 2;
            }
        } else if ((strcmp(a, "--entities") == 0 || strcmp(a, "--reps") == 0) && i + 1 < argc) {
            char *end;
            long long v = strtoll(argv[++i], &end, 10);
            bool reps = strcmp(a, "--reps") == 0;
            if (*end || v < (reps ? 7 : 1) || v > (reps ? BENCH_MAX_REPS - 1 : 1 << 30)) {
                fprintf(stderr, "ecsbench: bad %s '%s'\n", a, argv[i]);
                return 2;
            }
            if (reps) opts.reps = (int32_t)v;
            else opts.entities = v;
        } else {
            int k = 0;
            while (k < N_WORKLOADS && strcmp(a, workloads[k].name) != 0) k++;
            if (k == N_WORKLOADS) {
                fprintf(stderr, "ecsbench: unknown workload or option '%s'\n", a);
                usage(stderr);
                return 2;
            }
            chosen[k] = any = true;
        }
    }
    int failed = 0;
    for (int k = 0; k < N_WORKLOADS; k++) {
        if (any && !chosen[k]) continue;
        if (workloads[k].run(&opts) != 0) failed++;
    }
    double clock_ns = bench_clock_read_ns();
    print_table(json ? stderr : stdout);
    if (json && print_json(stdout, clock_ns, &opts) != 0) {
        fprintf(stderr, "ecsbench: could not write the JSON\n");
        return 1;
    }
    if (failed) {
        fprintf(stderr, "ecsbench: %d workload(s) FAILED their checks; see above\n", failed);
        return 1;
    }
    return 0;
}
