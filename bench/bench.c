/* bench.c -- the helpers of bench.h: the list of result rows, timing,
 * medians, aligned buffers and the deterministic data every workload starts
 * from. The driver that prints the rows is bench/ecsbench.c. */
#include "bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bench_row *rows;
static int32_t n_rows, cap_rows;

bench_row bench_row_init(const char *workload, const char *metric) {
    return (bench_row){
        .workload = workload,
        .metric = metric,
        .entities = -1,
        .threads = 1,
        .value = NAN, .min = NAN, .max = NAN,
        .floor = NAN,
        .speedup_vs_1_thread = NAN,
        .identical = -1,
    };
}

int bench_add_row(const bench_row *r) {
    if (n_rows == cap_rows) {
        int32_t cap = cap_rows ? cap_rows * 2 : 32;
        bench_row *p = realloc(rows, sizeof *p * (size_t)cap);
        if (!p) return -1;
        rows = p;
        cap_rows = cap;
    }
    rows[n_rows++] = *r;
    return 0;
}

int32_t bench_row_count(void) { return n_rows; }
const bench_row *bench_rows(void) { return rows; }

int bench_fail(const char *workload, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ecsbench: %s: FAILED: ", workload);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_samples_add(bench_samples *s, double v) {
    if (s->n < BENCH_MAX_REPS) s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(const bench_samples *s) {
    if (s->n == 0) return NAN;
    double v[BENCH_MAX_REPS];
    memcpy(v, s->v, sizeof(double) * (size_t)s->n);
    qsort(v, (size_t)s->n, sizeof v[0], cmp_double);
    return s->n % 2 ? v[s->n / 2] : 0.5 * (v[s->n / 2 - 1] + v[s->n / 2]);
}

double bench_min(const bench_samples *s) {
    double m = s->n ? s->v[0] : NAN;
    for (int32_t i = 1; i < s->n; i++) m = s->v[i] < m ? s->v[i] : m;
    return m;
}

double bench_max(const bench_samples *s) {
    double m = s->n ? s->v[0] : NAN;
    for (int32_t i = 1; i < s->n; i++) m = s->v[i] > m ? s->v[i] : m;
    return m;
}

void bench_row_set(bench_row *r, const bench_samples *s) {
    r->value = bench_median(s);
    r->min = bench_min(s);
    r->max = bench_max(s);
}

void *bench_alloc(size_t bytes) {
    void *p = NULL;
    bytes = (bytes + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, bytes ? bytes : 64)) return NULL;
    memset(p, 0, bytes ? bytes : 64);
    return p;
}

float bench_value(uint32_t seed, uint64_t i) {
    /* splitmix64 of (seed, i); 24 high bits make an exact float */
    uint64_t z = i * 0x9e3779b97f4a7c15ull + ((uint64_t)seed << 32 | seed);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (float)(int32_t)(z >> 40) / 8388608.0f - 1.0f;
}

int32_t bench_frames_for(int64_t entities, int64_t work) {
    int64_t f = entities > 0 ? work / entities : work;
    return f < 1 ? 1 : f > 100000 ? 100000 : (int32_t)f;
}

int32_t bench_sample_index(int64_t count, int32_t k, int32_t n) {
    if (n <= 1 || count <= 1) return 0;
    return (int32_t)((count - 1) * k / (n - 1));
}

double bench_clock_read_ns(void) {
    enum { CALLS = 200000, RUNS = 5 };
    bench_samples s = {0};
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = bench_now_ns(), sink = 0;
        for (int i = 0; i < CALLS; i++) sink += bench_now_ns();
        uint64_t t1 = bench_now_ns();
        if (sink == 0) return NAN; /* never: keeps the loop */
        bench_samples_add(&s, (double)(t1 - t0) / CALLS);
    }
    return bench_median(&s);
}
