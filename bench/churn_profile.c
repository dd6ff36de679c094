/* churn_profile.c -- W3's operations in isolation, for counting
 * instructions with callgrind (bench/profile_w3.sh builds and runs it):
 * one warm-up round of create / destroy / tag on / tag off over N entities
 * of bench/schemas/churn.h, then one profiled round in which each phase is
 * its own function, so callgrind's inclusive count of a phase divided by N is
 * the instructions of one operation (the loop around it included). The
 * timed figures are ecsbench W3's (bench/bench_w3.c); this tells why. */
#include "churn.h"

#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int phase_create(rt_world *w, const Body_init *in,
                                                  rt_entity *e, int32_t n) {
    for (int32_t i = 0; i < n; i++) e[i] = Body_create(w, &in[i]);
    return rt_world_count(w, Body_id) == n ? 0 : -1;
}

__attribute__((noinline)) static int phase_create_bulk(rt_world *w, const Body_init *in,
                                                       rt_entity *e, int32_t n) {
    return rt_world_create_entities(w, Body_id, n, in, e);
}

static inline __attribute__((always_inline)) int destroy_all(rt_world *w, const rt_entity *e,
                                                             int32_t n) {
    int err = 0;
    for (int32_t i = 0; i < n; i++) err |= rt_world_destroy_entity(w, e[i]);
    return err;
}

__attribute__((noinline)) static int phase_destroy(rt_world *w, const rt_entity *e, int32_t n) {
    return destroy_all(w, e, n);
}

/* the same, after the bulk create: its own name so that phase_destroy
 * counts one round */
__attribute__((noinline)) static int phase_destroy_bulk_created(rt_world *w, const rt_entity *e,
                                                                int32_t n) {
    return destroy_all(w, e, n);
}

__attribute__((noinline)) static int phase_tag(rt_world *w, const rt_entity *e, int32_t n,
                                               bool on) {
    int err = 0;
    for (int32_t i = 0; i < n; i++) err |= Marked_set(w, e[i], on);
    return err;
}

__attribute__((noinline)) static int phase_tag_on(rt_world *w, const rt_entity *e, int32_t n) {
    return phase_tag(w, e, n, true);
}

__attribute__((noinline)) static int phase_tag_off(rt_world *w, const rt_entity *e, int32_t n) {
    return phase_tag(w, e, n, false);
}

__attribute__((noinline)) static int round_trip(rt_world *w, const Body_init *in, rt_entity *e, int32_t n) {
    int err = 0;
    err |= phase_create(w, in, e, n);
    err |= phase_tag_on(w, e, n);
    err |= phase_tag_off(w, e, n);
    err |= phase_destroy(w, e, n);
    err |= phase_create_bulk(w, in, e, n);
    err |= phase_destroy_bulk_created(w, e, n);
    return err;
}

/* callgrind collects inside this function only (--toggle-collect). */
__attribute__((noinline)) static int profiled_round(rt_world *w, const Body_init *in,
                                                    rt_entity *e, int32_t n) {
    return round_trip(w, in, e, n);
}

int main(int argc, char **argv) {
    int32_t n = argc > 1 ? atoi(argv[1]) : 1000000;
    if (n <= 0) return 2;
    Body_init *in = calloc((size_t)n, sizeof *in);
    rt_entity *e = calloc((size_t)n, sizeof *e);
    rt_world *w = rt_world_create(&(rt_world_desc){.program = &churn_program, .threads = 1});
    if (!in || !e || !w) return 1;
    for (int32_t i = 0; i < n; i++)
        in[i] = (Body_init){{(float)i, 1.0f}, {2.0f, (float)-i}};
    int err = round_trip(w, in, e, n); /* warm-up: the world grows here */
    err |= profiled_round(w, in, e, n);
    printf("%d entities: %s\n", n, err ? "FAILED" : "ok");
    rt_world_destroy(w);
    free(in), free(e);
    return err ? 1 : 0;
}
