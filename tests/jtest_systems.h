/* jtest_systems.h -- what tests/jtest_systems.c shares with test_jobs.c: the
 * answer a job computes, and a hook the tests use to watch, slow down or
 * block jobs on the job threads. */
#ifndef TESTS_JTEST_SYSTEMS_H
#define TESTS_JTEST_SYSTEMS_H

#include "jtest.h"

#include <stdatomic.h>

/* The answer to a job with input `in`: the next link of the hash chain. */
Answer jtest_answer(const ask_job_in *in);

/* Called at the start of every job, on whichever thread runs it; NULL: none. */
typedef void (*jtest_hook_fn)(const ask_job_in *in);
extern _Atomic(jtest_hook_fn) jtest_hook;

#endif
