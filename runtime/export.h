/* export.h -- what the monitor and the budget controller measured, as files.
 *
 * Four formats (the profile's format itself is owned by profile.c):
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
 *   - The cost profile the generator reads back to weigh its schedule, in
 *     the format of profile.h, whose reader is the one both sides use.
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
#include "profile.h"

typedef struct cJSON cJSON;
typedef struct rt_world rt_world;

int rt_export_csv(rt_monitor *mon, FILE *out);

/* The summary as a cJSON tree, for callers that embed it in their own JSON (the
 * benchmark driver); bud may be NULL. NULL when out of memory. cJSON_Delete it. */
cJSON *rt_export_summary(rt_monitor *mon, const rt_budget *bud);
int rt_export_summary_json(rt_monitor *mon, const rt_budget *bud, FILE *out);
/* A world's summary: rt_export_summary of its monitor and budget controller
 * (memory refreshed first, rt_world_update_memory) with a "world" object:
 * entities, threads, stages, parallel_stages, commands_applied, errors,
 * bytes_live. NULL without a monitor, or when out of memory. */
cJSON *rt_export_world_summary(rt_world *w);

/* Frames [first, last] (clamped to the window). Returns 0, or -errno, or -ENODATA
 * when spans of those frames were overwritten (trace_spans was too small); the
 * trace is still written then, without them. */
int rt_export_trace(const rt_monitor *mon, uint64_t first, uint64_t last, FILE *out);

/* The cost profile of the window (format and reader: profile.h), what
 * `build/ecsc --profile` reads back. */
int rt_export_profile(rt_monitor *mon, FILE *out);

#endif
