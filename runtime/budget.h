/* budget.h -- frame budgets, statuses, graceful degradation and their replay log.
 *
 * Every system has a budget from the schema: a target and a critical time per
 * frame and whether it is degradable. The generator emits them as a static table
 * of rt_budget_desc in the monitor's system order; a JSON config file can override
 * them at run time (format below and in docs/budgets.md).
 *
 * Each frame the executor asks the controller what to run, runs it, and tells the
 * controller what it cost:
 *
 *     const rt_budget_frame *fr = rt_budget_frame_begin(bud);
 *     for each system i:
 *         rt_budget_decision d = fr->systems[i];
 *         if (!d.run) continue;                  // throttled: skipped this frame
 *         rt_budget_slice_range(d, n, &lo, &hi); // time-sliced: entities [lo, hi)
 *         ... run chunks of [lo, hi), rt_monitor_record() each ...
 *     rt_monitor_frame_end(mon, frame_ns);
 *     rt_budget_frame_end_monitor(bud, mon);
 *
 * What frame_end decides, with hysteresis so that nothing flickers:
 *   - status per system and for the whole frame: OK -> WARNING after
 *     `warning_after` consecutive frames over target; -> CRITICAL after
 *     `critical_after` consecutive frames over critical; CRITICAL -> WARNING and
 *     WARNING -> OK after `calm_after` consecutive frames under
 *     calm_fraction x (critical, resp. target). A time-sliced system's time is
 *     scaled up to a full-cost estimate; a skipped frame is no sample.
 *   - overruns (frames over target) are counted and logged through a callback,
 *     at most once per system per `log_interval_frames`, with the count of those
 *     not logged.
 *   - the quality level in [quality_min, 1], which systems and the renderer read:
 *     it drops one step after `quality_drop_after` consecutive frames over the frame
 *     target and rises one (smaller) step after `quality_rise_after` consecutive
 *     frames under quality_headroom x target; frames in between reset both counts,
 *     so a load sitting at the threshold settles instead of oscillating.
 *   - emergency throttling while any critical budget (a system's or the frame's)
 *     is exceeded: degradable systems run at throttle k >= 2 -- every k-th frame
 *     (RT_BUDGET_DEGRADE_SKIP, staggered by system) or 1/k of their entities per
 *     frame, rotating (RT_BUDGET_DEGRADE_SLICE). k doubles while frames stay over
 *     target (at most every throttle_adapt_frames), a degradable system that is
 *     itself CRITICAL gets k = ceil(cost / target), k never exceeds throttle_max,
 *     and it halves every throttle_recover_frames once the emergency is over.
 *     Non-degradable systems always run, on all their entities, every frame.
 *
 * Replay. The state decisions derive from (quality, every k) is logged whenever it
 * changes -- (10 + systems) bytes per change -- together with each system's
 * degradation mode. rt_budget_save_log writes it; rt_budget_load_log puts a
 * controller into replay mode, where frame_begin returns exactly the recorded
 * decisions and quality whatever frame_end measures, so a run is reproduced
 * bit-exactly. Statuses and overruns are still measured in replay, for reports.
 *
 * Threads: everything here belongs to the main thread; decisions are plain data
 * the executor hands to workers. Read budget.c next (budget_config.c for the
 * config file, the only part that needs cJSON).
 *
 * Config file (every key optional; an omitted key keeps its value; an unknown key
 * or system is an error and nothing is applied):
 *     {"frame_target_ms": 16.667, "frame_critical_ms": 25, "quality_min": 0.5,
 *      "throttle_max": 8, ...every numeric field of rt_budget_controller_desc...,
 *      "systems": {"move": {"target_ms": 2, "critical_ms": 4,
 *                           "degradable": true, "degrade": "slice"}}}
 */
#ifndef RT_BUDGET_H
#define RT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor.h"

typedef enum rt_budget_status {
    RT_BUDGET_OK = 0,
    RT_BUDGET_WARNING,
    RT_BUDGET_CRITICAL,
} rt_budget_status;

typedef enum rt_budget_degrade {
    RT_BUDGET_DEGRADE_SKIP = 0, /* throttled: run every k-th frame */
    RT_BUDGET_DEGRADE_SLICE,    /* throttled: run 1/k of the entities, rotating */
} rt_budget_degrade;

/* One system's budget, as the generator emits it from the schema. */
typedef struct rt_budget_desc {
    const char *system;        /* name; must match the monitor's, same order */
    float target_ms;           /* per frame; 0 -> none: never WARNING, no overruns */
    float critical_ms;         /* per frame; 0 -> 2 x target_ms */
    bool degradable;           /* false: always runs, exactly */
    rt_budget_degrade degrade; /* how it is throttled when degradable */
} rt_budget_desc;

/* What the executor does with one system in one frame. */
typedef struct rt_budget_decision {
    bool run;                /* false: skip it this frame */
    uint8_t slice_index;     /* run the slice_index-th of slice_count equal parts */
    uint8_t slice_count;     /* of its entities; 1: all of them */
    uint16_t elapsed_frames; /* frames of simulated time this run stands for: 1 when
                                not throttled, frames since its last run when skipping,
                                slice_count when sliced */
} rt_budget_decision;

typedef struct rt_budget_frame {
    uint64_t frame;                     /* index, from 0 */
    float quality;                      /* in [quality_min, 1] */
    int32_t system_count;
    const rt_budget_decision *systems;  /* [system_count], valid until the next frame_begin */
    bool replaying;
    bool replay_past_end;               /* beyond the log: the last state is held */
} rt_budget_frame;

/* An overrun, handed to the log callback (rate limited, see above). */
typedef struct rt_budget_event {
    uint64_t frame;
    int32_t system;          /* -1: the frame as a whole */
    const char *name;        /* the system's, or "frame" */
    float time_ms;           /* measured; a sliced system's full-cost estimate */
    float target_ms, critical_ms;
    rt_budget_status status; /* after this frame */
    uint64_t suppressed;     /* overruns of the same system not logged since its last message */
} rt_budget_event;

typedef void (*rt_budget_log_fn)(void *user, const rt_budget_event *event);

typedef struct rt_budget_controller_desc {
    int32_t system_count;            /* required, = the monitor's */
    const rt_budget_desc *systems;   /* required: [system_count] */
    float frame_target_ms;           /* 0 -> 16.667 (60 Hz) */
    float frame_critical_ms;         /* 0 -> 1.5 x frame_target_ms */
    /* hysteresis of the statuses, systems and frame alike */
    int32_t warning_after;           /* frames over target to enter WARNING; 0 -> 3 */
    int32_t critical_after;          /* frames over critical to enter CRITICAL; 0 -> 2 */
    int32_t calm_after;              /* frames under calm_fraction x the threshold
                                        to step back down; 0 -> 30 */
    float calm_fraction;             /* 0 -> 0.8 */
    /* quality level */
    float quality_min;               /* 0 -> 0.5 */
    float quality_step_down;         /* 0 -> 0.05 */
    float quality_step_up;           /* 0 -> 0.01 */
    float quality_headroom;          /* fraction of the frame target; 0 -> 0.85 */
    int32_t quality_drop_after;      /* frames over target before a drop; 0 -> 3 */
    int32_t quality_rise_after;      /* frames with headroom before a rise; 0 -> 60 */
    /* emergency throttling */
    int32_t throttle_max;            /* bound on k, 2..64; 0 -> 8 */
    int32_t throttle_adapt_frames;   /* frames between two doublings of k; 0 -> 8 */
    int32_t throttle_recover_frames; /* frames between two halvings of k; 0 -> 60 */
    /* overrun messages */
    int32_t log_interval_frames;     /* per system; 0 -> 60 */
    rt_budget_log_fn log;            /* 0 -> rt_budget_log_stderr */
    void *log_user;
    int32_t log_changes;             /* capacity of the decision log; 0 -> 4096 */
    /* Observe only: statuses, overruns and messages as usual, but the quality
     * stays 1 and nothing is throttled, so every decision is "run it all" (what
     * the runtime does unless asked to enforce budgets; see rt.h). */
    bool observe;
    /* Where its memory comes from, all of it at create; 0 -> malloc (the
     * runtime passes the world's allocator). 64-byte aligned blocks. Both or
     * neither. */
    void *(*alloc)(void *user, size_t size, size_t align); /* NULL on failure */
    void (*free)(void *user, void *ptr);
    void *alloc_user;
} rt_budget_controller_desc;

typedef struct rt_budget_system_info {
    const char *name;
    float target_ms, critical_ms;
    bool degradable;
    rt_budget_degrade degrade;
    rt_budget_status status;
    float last_ms;                /* latest measurement (full-cost estimate); -1: none yet */
    uint32_t throttle;            /* k in force: 1 = every frame, every entity */
    uint64_t overruns;            /* frames over target */
    uint64_t critical_overruns;   /* frames over critical */
} rt_budget_system_info;

typedef struct rt_budget_info {
    uint64_t frames;              /* ended */
    float frame_target_ms, frame_critical_ms;
    rt_budget_status frame_status;
    float last_frame_ms;          /* -1: none yet */
    uint64_t frame_overruns;      /* frames over the frame target */
    uint64_t frame_critical_overruns;
    float quality;
    bool emergency;               /* a critical budget is exceeded */
    uint32_t emergency_throttle;  /* the k every degradable system gets at least */
    bool replaying;
    uint32_t log_changes;         /* entries in the decision log */
    bool log_full;                /* recording stopped; the log covers earlier frames */
} rt_budget_info;

typedef struct rt_budget rt_budget;

/* Returns 0, -EINVAL for a bad desc (rt_budget_check_desc says why), or -ENOMEM. */
int rt_budget_create(const rt_budget_controller_desc *desc, rt_budget **out);
void rt_budget_destroy(rt_budget *bud);
/* Bytes the controller holds (its tables and the decision log). */
size_t rt_budget_bytes(const rt_budget *bud);
/* Writes why desc is invalid into err (if given) and returns -EINVAL, or 0. */
int rt_budget_check_desc(const rt_budget_controller_desc *desc, char *err, size_t err_size);

/* -- each frame ---------------------------------------------------------------- */

const rt_budget_frame *rt_budget_frame_begin(rt_budget *bud);
/* system_ns[i]: system i's time this frame, RT_MONITOR_NOT_RUN if it did not run. */
void rt_budget_frame_end(rt_budget *bud, uint64_t frame_ns, const uint64_t *system_ns);
/* The same, reading the frame the monitor just ended. */
void rt_budget_frame_end_monitor(rt_budget *bud, const rt_monitor *mon);

/* The entities [*begin, *end) of count that a decision's slice covers. */
void rt_budget_slice_range(rt_budget_decision d, int64_t count, int64_t *begin, int64_t *end);
float rt_budget_quality(const rt_budget *bud);

/* -- reports ------------------------------------------------------------------- */

int32_t rt_budget_system_count(const rt_budget *bud);
void rt_budget_get_system(const rt_budget *bud, int32_t system, rt_budget_system_info *out);
void rt_budget_get_info(const rt_budget *bud, rt_budget_info *out);
const char *rt_budget_status_name(rt_budget_status status); /* "OK", "WARNING", "CRITICAL" */
const char *rt_budget_degrade_name(rt_budget_degrade degrade); /* "skip", "slice" */
/* The default log callback: one line on stderr. */
void rt_budget_log_stderr(void *user, const rt_budget_event *event);

/* -- config overrides ---------------------------------------------------------- */

/* Applies a JSON config (format at the top of this file) all or nothing. Returns 0,
 * -EINVAL with the reason in err (a parse error, unknown key or system, wrong type,
 * value out of range), or -errno for the file. */
int rt_budget_apply_config(rt_budget *bud, const char *json, char *err, size_t err_size);
int rt_budget_load_config(rt_budget *bud, const char *path, char *err, size_t err_size);

/* -- decision log and replay --------------------------------------------------- */

/* Writes the decision log. Returns 0 or -errno. */
int rt_budget_save_log(const rt_budget *bud, const char *path);
/* Reads a log and resets the controller to frame 0 in replay mode. Returns 0,
 * -EINVAL (not a log, or of another system table), -EFBIG (more changes than
 * log_changes), or -errno. */
int rt_budget_load_log(rt_budget *bud, const char *path);

/* -- frame pacing (windowed mode) ---------------------------------------------- */

/* The deadline after `deadline_ns` for a frame that finished at now_ns: one period
 * later, keeping the phase; or now + period when more than a whole period late, so
 * a long stall is not followed by a burst of short frames. All CLOCK_MONOTONIC ns. */
uint64_t rt_budget_pace_next(uint64_t deadline_ns, uint64_t now_ns, uint64_t period_ns);
/* Sleeps until *deadline_ns if it is ahead, then advances it with
 * rt_budget_pace_next. Start with *deadline_ns = 0. Returns the ns slept. */
uint64_t rt_budget_pace(uint64_t *deadline_ns, uint64_t period_ns);
/* rt_budget_pace at the controller's frame target, with a deadline it keeps. */
uint64_t rt_budget_pace_frame(rt_budget *bud);

#endif
