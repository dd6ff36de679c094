/* test_world.h -- helpers shared by the runtime test suites: a counting,
 * failure-injecting allocator (SQLite's memdebug_fail in spirit) and a log
 * that records messages instead of printing them. */
#ifndef TEST_WORLD_H
#define TEST_WORLD_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtest.h"

typedef struct test_alloc {
    int64_t fail_at;     /* fail the n-th allocation (1-based); 0: never */
    int64_t calls;       /* allocations attempted */
    int64_t outstanding; /* allocations not yet freed */
} test_alloc;

static void *test_alloc_fn(void *ud, size_t size, size_t align) {
    test_alloc *a = ud;
    a->calls++;
    if (a->fail_at && a->calls == a->fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
        return NULL;
    a->outstanding++;
    return p;
}

static void test_free_fn(void *ud, void *p) {
    test_alloc *a = ud;
    a->outstanding--;
    free(p);
}

typedef struct test_log {
    int errors, warnings;
    char last[512];
} test_log;

static void test_log_fn(void *ud, int level, const char *msg) {
    test_log *l = ud;
    if (level == RT_LOG_ERROR) l->errors++;
    if (level == RT_LOG_WARNING) l->warnings++;
    if (level != RT_LOG_INFO) snprintf(l->last, sizeof l->last, "%s", msg);
}

static inline rt_world *test_world(test_alloc *a, test_log *l, int32_t capacity) {
    rt_world_desc d = {.program = &rtest_program, .initial_capacity = capacity};
    if (a) d.allocator = (rt_allocator){test_alloc_fn, test_free_fn, a};
    if (l) {
        d.log = test_log_fn;
        d.log_ud = l;
    }
    return rt_world_create(&d);
}

#endif
