/* export.h -- what the monitor and the budget controller measured, as files.
 *
 * Four formats, each with one owner here:
 *   - CSV: one row per frame of the monitor's window, `frame,frame_us,<system>...`,
 *     times in microseconds with 3 decimals (exact to the ns); an empty cell is a
 *     system that did not run in that frame.
 *   - JSON summary (cJSON): frame stats and FPS, per system stats, budgets,
 *     statuses, throttles and overruns, the quality level, and memory (per
 *     subsystem and the process's resident set). Shape in docs/budgets.md.
 *   - Chrome trace-event JSON, {"traceEvents": [...]} of "X" complete events:
 *     one track (tid) per thread named by "M" thread_name events, one event per
 *     chunk, plus a "frames" track with one event per frame. Times are in us from
 *     the first event exported. Loads in Perfetto and chrome://tracing.
 *   - The cost profile the generator reads back to weigh its schedule:
 *     {"version": 1, "frames": N, "systems": {"<name>": {"mean_us", "p50_us",
 *     "p95_us", "p99_us", "max_us", "samples"}}}; rt_export_read_profile
 *     is its one reader (the generator links export.c and cJSON).
 *
 * Writers take a FILE * (the caller opens it, so stdout works too) and return 0
 * or -errno; nothing here is on the frame's hot path, and it allocates freely.
 * The monitor's queries used here belong to the main thread (see monitor.h).
 */
#ifndef RT_EXPORT_H
#define RT_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "budget.h"
#include "monitor.h"

typedef struct cJSON cJSON;

int rt_export_csv(rt_monitor *mon, FILE *out);

/* The summary as a cJSON tree, for callers that embed it in their own JSON (the
 * benchmark driver); bud may be NULL. NULL when out of memory. cJSON_Delete it. */
cJSON *rt_export_summary(rt_monitor *mon, const rt_budget *bud);
int rt_export_summary_json(rt_monitor *mon, const rt_budget *bud, FILE *out);

/* Frames [first, last] (clamped to the window). Returns 0, or -errno, or -ENODATA
 * when spans of those frames were overwritten (trace_spans was too small); the
 * trace is still written then, without them. */
int rt_export_trace(const rt_monitor *mon, uint64_t first, uint64_t last, FILE *out);

int rt_export_profile(rt_monitor *mon, FILE *out);

typedef struct rt_export_profile_system {
    const char *name;   /* owned by the profile */
    double mean_us, p50_us, p95_us, p99_us, max_us;
    uint64_t samples;   /* frames measured; 0: no data, the times are 0 */
} rt_export_profile_system;

typedef struct rt_export_profile_data {
    uint64_t frames;                    /* the window it was measured over */
    int32_t system_count;
    rt_export_profile_system *systems;  /* in file order */
} rt_export_profile_data;

/* Parses a profile. Returns 0 and a profile to free with rt_export_profile_free,
 * or -EINVAL with the reason in err (not JSON, version not 1, missing or mistyped
 * field), -ENOMEM, or -errno for the file. */
int rt_export_parse_profile(const char *json, rt_export_profile_data **out, char *err, size_t err_size);
int rt_export_read_profile(const char *path, rt_export_profile_data **out, char *err, size_t err_size);
/* The named system's entry, or NULL. */
const rt_export_profile_system *rt_export_profile_find(const rt_export_profile_data *p, const char *name);
void rt_export_profile_free(rt_export_profile_data *p);

#endif
