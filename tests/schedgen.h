/* schedgen.h -- random schemas and system bodies for the scheduler's tests.
 *
 * schedgen_write(seed, ...) writes a valid schema (components, tags,
 * resources, archetypes, phases, systems with random access sets, structural
 * changes, thread affinity and explicit orders) and a C file of system bodies
 * that hash everything they read into everything they write, so that any
 * difference in the order two conflicting systems run in changes the world's
 * hash. Explicit orders follow a hidden permutation, so they never form a
 * cycle; the generator computes the sequential order they imply (Kahn's
 * algorithm, first-declared ready system first) on its own, as the reference
 * the plan must match.
 *
 * Used by test_sched.c (verifier fuzzing over hundreds of seeds) and
 * test_planrun.c (compiled and run both ways). */
#ifndef SCHEDGEN_H
#define SCHEDGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { SCHEDGEN_MAX_SYSTEMS = 24 };

typedef struct schedgen_desc {
    const char *prefix;   /* system names are <prefix>_s<i>; zero: "s" */
    const char *header;   /* generated header the bodies include; zero: none */
    bool permuted;        /* orders may go against declaration order */
    int max_systems;      /* zero: 14 */
} schedgen_desc;

typedef struct schedgen_info {
    int n_systems;
    int order[SCHEDGEN_MAX_SYSTEMS]; /* sequential order implied by the orders */
    bool declaration_order;          /* order is 0, 1, 2, ... */
} schedgen_info;

/* Writes the schema to `schema` and, when `bodies` is not NULL, the bodies. */
void schedgen_write(uint64_t seed, const schedgen_desc *desc, FILE *schema, FILE *bodies,
                    schedgen_info *info);

#endif /* SCHEDGEN_H */
