/* monitor.h -- the performance monitor: what every system costs, every frame.
 *
 * The executor brackets each chunk of a system it runs with two clock reads and
 * hands them to rt_monitor_record(); at the end of the frame the main thread calls
 * rt_monitor_frame_end(). From that the monitor keeps, over a rolling window of
 * frames (600 by default), the frame time and each system's time per frame (the sum
 * of its chunks on all threads), and answers last / mean / max / p50 / p95 / p99
 * and FPS as structs. It also keeps every chunk as a span per thread for a trace
 * (export.h writes it as Chrome trace JSON), and the bytes each subsystem reports
 * holding plus the process's resident memory.
 *
 * What it does NOT do: decide anything. Budgets, statuses, throttling and the
 * quality level live in budget.h, which reads the monitor once per frame; files
 * are written by export.h. Read monitor.c next for the layout and the invariants.
 *
 * Threads. rt_monitor_record() may be called from any thread at once with no lock:
 * each thread index owns a slot that only it writes. Everything else (frame_end,
 * the queries, memory registration) belongs to one thread -- the main thread --
 * and frame_end must happen after every record() of that frame (the executor's
 * end-of-frame join gives that ordering). rt_monitor_set_memory_id() is the one
 * other call that any thread may make.
 *
 * Memory. rt_monitor_create() allocates everything (through the desc's
 * allocator); nothing after it does.
 *
 * Percentiles are nearest-rank: with the n samples of the window sorted
 * ascending, the p-th percentile is the sample of rank ceil(p/100 * n) (1-based),
 * so it is always a value that was measured. For 1..100 p50 is 50, p95 is 95.
 */
#ifndef RT_MONITOR_H
#define RT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A system's time in a frame where none of its chunks were recorded. */
#define RT_MONITOR_NOT_RUN UINT64_MAX
/* Longest name of a memory subsystem, including the terminating zero. */
#define RT_MONITOR_MEMORY_NAME_MAX 48

typedef struct rt_monitor rt_monitor;

typedef struct rt_monitor_desc {
    int32_t system_count;             /* required, >= 1 */
    const char *const *system_names;  /* required: system_count names, copied */
    int32_t thread_count;             /* thread indices record() accepts; 0 -> 1 */
    const char *const *thread_names;  /* for the trace; 0 -> "main", "worker 1", ... */
    int32_t window_frames;            /* frames the statistics cover; 0 -> 600 */
    int32_t trace_spans;              /* spans kept per thread, rounded up to a power
                                         of two; 0 -> 65536; -1 -> no trace */
    int32_t memory_slots;             /* subsystems that can report bytes; 0 -> 64 */
    /* Stamps the end of each frame for the trace; 0 -> rt_monitor_now_ns. Tests
     * pass a fake clock so that traces are deterministic. */
    uint64_t (*clock)(void *user);    /* ns */
    void *clock_user;
    /* Where its memory comes from, all of it at create; 0 -> malloc. The
     * runtime passes the world's allocator, so a world's bytes include its
     * monitor. Blocks are asked for 64-byte aligned. Both or neither. */
    void *(*alloc)(void *user, size_t size, size_t align); /* NULL on failure */
    void (*free)(void *user, void *ptr);
    void *alloc_user;
} rt_monitor_desc;

/* Order statistics of one series (a system's time per frame, or the frame time)
 * over the frames of the window in which it was measured. */
typedef struct rt_monitor_stats {
    uint64_t last_ns;     /* the latest frame; RT_MONITOR_NOT_RUN if it did not run */
    double mean_ns;       /* over the samples below */
    uint64_t max_ns;
    uint64_t p50_ns;      /* nearest-rank percentiles, see the top of this file */
    uint64_t p95_ns;
    uint64_t p99_ns;
    uint32_t samples;     /* frames in the window with a measurement; 0 -> all zero */
    uint32_t last_chunks; /* chunks recorded in the latest frame, all threads */
} rt_monitor_stats;

typedef struct rt_monitor_frame_stats {
    rt_monitor_stats time; /* the frame_ns passed to rt_monitor_frame_end */
    double fps;            /* 1e9 / time.mean_ns; 0 before the first frame */
    uint64_t frames;       /* frames ended since create */
} rt_monitor_frame_stats;

/* One chunk of a system as the trace sees it. */
typedef struct rt_monitor_span {
    uint64_t begin_ns, end_ns; /* rt_monitor_now_ns() clock (or whatever the caller used) */
    uint64_t frame;            /* index of the frame it belongs to */
    int32_t system;
    int32_t thread;
} rt_monitor_span;

typedef struct rt_monitor_memory_entry {
    const char *name; /* owned by the monitor, lives as long as it */
    uint64_t bytes;   /* as last reported */
} rt_monitor_memory_entry;

typedef struct rt_monitor_process_memory {
    uint64_t resident_bytes;      /* now, from /proc/self/statm */
    uint64_t peak_resident_bytes; /* since the process started, from getrusage */
} rt_monitor_process_memory;

/* -- clock ------------------------------------------------------------------ */

/* Nanoseconds on a monotonic clock, for record(). Where the kernel itself uses the
 * TSC as its clocksource (so it is invariant and synchronised across cores) this is
 * rdtsc scaled by a factor calibrated once against CLOCK_MONOTONIC, about half the
 * cost of clock_gettime through the vDSO (see docs/budgets.md); elsewhere it is
 * CLOCK_MONOTONIC. Either way its origin is CLOCK_MONOTONIC's, so values can be
 * mixed with rt_monitor_monotonic_ns() within the calibration error (ppm). The first
 * call in a process calibrates, which takes about 10 ms; rt_monitor_create does it. */
uint64_t rt_monitor_now_ns(void);
/* CLOCK_MONOTONIC through clock_gettime, in ns. */
uint64_t rt_monitor_monotonic_ns(void);
/* "tsc" or "monotonic": what rt_monitor_now_ns reads. */
const char *rt_monitor_clock_source(void);

/* -- life ------------------------------------------------------------------- */

/* Returns 0, or -EINVAL for a bad desc (counts out of range, a missing name),
 * -ENOMEM. *out is set only on success. */
int rt_monitor_create(const rt_monitor_desc *desc, rt_monitor **out);
void rt_monitor_destroy(rt_monitor *mon);
/* Bytes the monitor holds (window, span rings, per-thread slots). */
size_t rt_monitor_bytes(const rt_monitor *mon);

/* -- measuring (hot path) --------------------------------------------------- */

/* One chunk of `system` ran on `thread` from begin_ns to end_ns. Any thread, no
 * lock; a thread index must be used by one thread at a time. */
void rt_monitor_record(rt_monitor *mon, int32_t system, int32_t thread,
                       uint64_t begin_ns, uint64_t end_ns);
/* n runs back to back on `thread`, as n calls of rt_monitor_record: systems[k] ran
 * from end_ns[k - 1] (begin_ns for k = 0) to end_ns[k]. One call for a group of
 * small runs costs less than a call each. */
void rt_monitor_record_many(rt_monitor *mon, int32_t thread, int32_t n, const int32_t *systems,
                            uint64_t begin_ns, const uint64_t *end_ns);

/* Closes the frame: sums each system's chunks into the window and starts the next
 * frame. frame_ns is the whole frame (the caller decides what that spans). */
void rt_monitor_frame_end(rt_monitor *mon, uint64_t frame_ns);
/* The same, with the frame's end already read from the monitor's clock by
 * the caller (end_ns): one clock read a frame fewer (the world's frame). */
void rt_monitor_frame_end_at(rt_monitor *mon, uint64_t frame_ns, uint64_t end_ns);

/* -- statistics (main thread) ----------------------------------------------- */

int32_t rt_monitor_system_count(const rt_monitor *mon);
const char *rt_monitor_system_name(const rt_monitor *mon, int32_t system);
int32_t rt_monitor_thread_count(const rt_monitor *mon);
const char *rt_monitor_thread_name(const rt_monitor *mon, int32_t thread);
int32_t rt_monitor_window(const rt_monitor *mon);  /* frames */
uint64_t rt_monitor_frames(const rt_monitor *mon); /* frames ended since create */

/* Stats of one system over the window: gathers its column into a scratch copy
 * and selects the percentiles there, O(w); about 6-9 us at w = 600. */
void rt_monitor_get_system_stats(rt_monitor *mon, int32_t system, rt_monitor_stats *out);
void rt_monitor_get_frame_stats(rt_monitor *mon, rt_monitor_frame_stats *out);

/* The frames still in the window are [first, rt_monitor_frames()): first is
 * rt_monitor_frames() - min(frames, window). Returns that first frame. */
uint64_t rt_monitor_first_frame(const rt_monitor *mon);
/* A system's time in a frame of the window, or RT_MONITOR_NOT_RUN (also for a
 * frame outside the window). O(1). */
uint64_t rt_monitor_sample_ns(const rt_monitor *mon, uint64_t frame, int32_t system);
/* The latest frame's row: system_count times in ns (RT_MONITOR_NOT_RUN where a
 * system did not run), valid until the next frame_end; NULL before the first
 * frame. What the budget controller reads each frame. */
const uint64_t *rt_monitor_last_row(const rt_monitor *mon);
/* The frame_ns of a frame of the window, and the clock stamp taken when it ended;
 * false for a frame outside the window. */
bool rt_monitor_frame_sample(const rt_monitor *mon, uint64_t frame,
                             uint64_t *frame_ns, uint64_t *end_stamp_ns);

/* Calls fn for each span of frames [first, last] still held, thread by thread,
 * each thread's spans in the order they were recorded. Returns the number of spans
 * of those frames that were overwritten before they could be visited (the ring of
 * trace_spans per thread was too small), 0 when the trace is complete. */
uint64_t rt_monitor_each_span(const rt_monitor *mon, uint64_t first, uint64_t last,
                              void (*fn)(void *user, const rt_monitor_span *span),
                              void *user);

/* -- memory ----------------------------------------------------------------- */

/* Registers (or finds) a subsystem by name, e.g. "storage/Boid", and returns its id
 * (>= 0), or -EINVAL (empty name), -ENAMETOOLONG, -ENOSPC (memory_slots used up).
 * Main thread. */
int32_t rt_monitor_memory_id(rt_monitor *mon, const char *name);
/* Sets the bytes a subsystem holds. Any thread. */
void rt_monitor_set_memory_id(rt_monitor *mon, int32_t id, uint64_t bytes);
/* rt_monitor_memory_id + rt_monitor_set_memory_id; returns 0 or its error. */
int rt_monitor_set_memory(rt_monitor *mon, const char *name, uint64_t bytes);
int32_t rt_monitor_memory_count(const rt_monitor *mon);
rt_monitor_memory_entry rt_monitor_memory(const rt_monitor *mon, int32_t id);
uint64_t rt_monitor_memory_total(const rt_monitor *mon); /* bytes, all subsystems */
/* Reads /proc/self/statm and getrusage; returns 0 or -errno. */
int rt_monitor_process_memory_read(rt_monitor_process_memory *out);

#endif
