/* bench_triad.c -- TRIAD: STREAM's triad a[i] = b[i] + s*c[i] over three
 * float arrays of 64 MiB each, at 1 and 2 threads, in GB/s (3 x 64 MiB
 * counted per pass, as STREAM counts them): the memory bandwidth that W1 and
 * W2 at sizes beyond the caches run into.
 *
 * The measurement is the thread pool's own (bench_pool_triad in
 * bench/bench_pool.c, through rt_pool_parallel_for on a 1- and a 2-thread
 * pool, repetitions alternated, every element checked); this file turns its
 * rows into ecsbench rows and adds the speedup of 2 threads over 1. The pool
 * benchmark has its fixed sizes and thread counts: --entities and --threads
 * do not apply to it. */
#include "bench.h"
#include "bench_pool.h"

#include <math.h>

int bench_triad_run(const bench_opts *o) {
    (void)o;
    bench_pool_row pr[BENCH_POOL_TRIAD_ROWS];
    int n = bench_pool_triad(pr, BENCH_POOL_TRIAD_ROWS);
    if (n < 0) return bench_fail("TRIAD", "bench_pool_triad failed (see above)");
    double one = NAN;
    for (int k = 0; k < n; k++)
        if (pr[k].threads == 1) one = pr[k].value;
    for (int k = 0; k < n; k++) {
        bench_row row = bench_row_init("TRIAD", "gb_per_s");
        row.variant = pr[k].variant;
        row.threads = (int32_t)pr[k].threads;
        row.value = pr[k].value;
        row.min = pr[k].min;
        row.max = pr[k].max;
        row.speedup_vs_1_thread = row.value / one;
        if (bench_add_row(&row) != 0) return -1;
    }
    return 0;
}
