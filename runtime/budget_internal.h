/* budget_internal.h -- what budget.c and budget_config.c share and nobody else
 * sees: the controller's state and the helpers the JSON config applier needs.
 * The public story is budget.h; the state is explained at the top of budget.c.
 * budget.c holds everything a frame needs and links without cJSON; the config
 * file reader (budget_config.c) is the only part that needs it. */
#ifndef RT_BUDGET_INTERNAL_H
#define RT_BUDGET_INTERNAL_H

#include "budget.h"

#include <stddef.h>

enum {
    RT_BUDGET__SLICE_BIT = 0x80,
    RT_BUDGET__K_MASK = 0x7f,
    RT_BUDGET__K_LIMIT = 64,       /* throttle_max at most; fits the code byte */
    RT_BUDGET__QUALITY_ONE = 1000, /* quality is kept in thousandths */
    RT_BUDGET__COUNT_CAP = 1 << 30,/* consecutive-frame counters saturate here */
    RT_BUDGET__LOG_VERSION = 1,
};

/* The numeric knobs of rt_budget_controller_desc, raw or resolved. */
typedef struct rt_budget__params {
    float frame_target_ms, frame_critical_ms;
    int32_t warning_after, critical_after, calm_after;
    float calm_fraction;
    float quality_min, quality_step_down, quality_step_up, quality_headroom;
    int32_t quality_drop_after, quality_rise_after;
    int32_t throttle_max, throttle_adapt_frames, throttle_recover_frames;
    int32_t log_interval_frames;
} rt_budget__params;

/* One row per knob: its config key, where it lives, and its valid range once
 * resolved. Drives config parsing and validation alike. */
typedef struct rt_budget__knob {
    const char *key;
    size_t offset;
    bool is_int;
    double min, max;
} rt_budget__knob;

extern const rt_budget__knob rt_budget__knobs[];
extern const int rt_budget__knob_count;

/* A system's budget, raw and resolved. */
typedef struct rt_budget__cfg {
    float target_ms;
    float critical_raw_ms; /* as given: 0 = 2 x target */
    float critical_ms;     /* resolved */
    bool degradable;
    rt_budget_degrade degrade;
} rt_budget__cfg;

/* Hysteresis of one status: counts of consecutive frames. */
typedef struct rt_budget__hyst {
    rt_budget_status status;
    int32_t over_target, over_critical, calm;
} rt_budget__hyst;

/* Rate limiting of one source of overrun messages. */
typedef struct rt_budget__limiter {
    bool logged;
    uint64_t last_frame;
    uint64_t suppressed;
} rt_budget__limiter;

typedef struct rt_budget__sys {
    rt_budget__hyst hyst;
    rt_budget__limiter limiter;
    float last_ms;               /* -1 before the first sample */
    uint64_t overruns, critical_overruns;
    uint32_t k_self;             /* own throttle while it is CRITICAL */
    int32_t k_self_age;          /* frames since k_self changed */
    bool ran;                    /* has run since frame 0 */
    uint64_t last_run;           /* frame of its latest run */
} rt_budget__sys;

struct rt_budget {
    int32_t system_count;
    char **names;                /* [system_count], into names_block */
    char *names_block;
    uint64_t names_hash;
    rt_budget__params raw, p;
    rt_budget__cfg *cfg;         /* [system_count] */
    rt_budget__cfg *cfg_scratch; /* [system_count] for all-or-nothing config */
    rt_budget__sys *sys;         /* [system_count] */
    uint8_t *code;               /* [system_count] in force this frame */
    rt_budget_decision *decisions;
    const rt_monitor *checked_monitor;
    rt_budget_log_fn log;
    void *log_user;

    uint64_t frame;              /* the frame begun, or the next one */
    bool in_frame;
    rt_budget__hyst frame_hyst;
    rt_budget__limiter frame_limiter;
    float last_frame_ms;
    uint64_t frame_overruns, frame_critical_overruns;
    int32_t quality;             /* thousandths */
    int32_t quality_over, quality_headroom; /* consecutive frames */
    bool emergency;
    uint32_t k_emergency;
    int32_t k_emergency_age;

    /* decision log: change i holds from frame log_frame[i] on */
    int32_t log_cap, log_count;
    uint64_t *log_frame;
    uint16_t *log_quality;
    uint8_t *log_code;           /* [log_cap][system_count] */
    bool log_full;
    uint64_t log_covered;        /* frames the log reproduces once full */
    bool replaying;
    int32_t replay_cursor;
    uint64_t replay_covered;

    uint64_t pace_deadline;      /* CLOCK_MONOTONIC ns */
    bool observe;                /* statuses only: quality and throttles stay put */
    void *(*alloc)(void *user, size_t size, size_t align);
    void (*free)(void *user, void *ptr);
    void *alloc_user;
    size_t bytes;                /* held, all allocations together */
    rt_budget_frame out;
};

/* budget.c */
void rt_budget__err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int32_t rt_budget__milli(float x); /* thousandths, rounded */
void rt_budget__knob_set(rt_budget__params *p, const rt_budget__knob *k, double v);
/* The one place defaults are applied. */
void rt_budget__resolve(const rt_budget__params *raw, rt_budget__params *p,
                        rt_budget__cfg *cfg, int32_t count);
int rt_budget__validate(const rt_budget__params *p, const rt_budget__cfg *cfg,
                        char *const *names, int32_t count, char *err, size_t err_size);
/* Reads a whole file into a zero-terminated heap buffer (malloc); 0 or -errno. */
int rt_budget__read_file(const char *path, char **out, size_t *size);

#endif
