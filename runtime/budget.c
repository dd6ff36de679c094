/* budget.c -- the budget controller (see budget.h for what it decides and when).
 *
 * State. What the executor is told in frame f is a pure function of f, the
 * system's index, its `code` for that frame and when it last ran (see
 * rt_budget__decide). A code is one byte: bits 0-6 the throttle k (1 = run fully),
 * bit 7 set for time slicing. The codes of all systems and the quality level
 * (integer thousandths, so steps add up exactly) are therefore the whole state a
 * replay needs; the decision log stores them each time they change. Statuses,
 * overrun counts and the hysteresis counters only feed that state.
 *
 * Config. The knobs are kept twice: `raw` as given (0 = default) and `p` resolved
 * by rt_budget__resolve, the one place defaults are applied. A config override
 * edits a copy of the raw values, resolves and validates it, then commits; so a
 * target changed by a config file also moves a critical time that was defaulted
 * to 2 x target, and a rejected file changes nothing.
 *
 * Log file (little-endian): "ECSCBLOG", u32 version 1, u32 system count, u64 FNV-1a
 * hash of the system names (each followed by a 0 byte), u64 frames covered, u32
 * changes; then per change u64 first frame, u16 quality (thousandths), u8 code per
 * system.
 *
 * Next: export.c writes the statuses and overruns into the JSON summary.
 */
#include "budget.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

enum {
    RT_BUDGET__SLICE_BIT = 0x80,
    RT_BUDGET__K_MASK = 0x7f,
    RT_BUDGET__K_LIMIT = 64,       /* throttle_max at most; fits the code byte */
    RT_BUDGET__QUALITY_ONE = 1000, /* quality is kept in thousandths */
    RT_BUDGET__COUNT_CAP = 1 << 30,/* consecutive-frame counters saturate here */
    RT_BUDGET__LOG_VERSION = 1,
};
static const char rt_budget__log_magic[8] = {'E', 'C', 'S', 'C', 'B', 'L', 'O', 'G'};

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

#define RT_BUDGET__F(name, lo, hi) {#name, offsetof(rt_budget__params, name), false, lo, hi}
#define RT_BUDGET__I(name, lo, hi) {#name, offsetof(rt_budget__params, name), true, lo, hi}
static const rt_budget__knob rt_budget__knobs[] = {
    RT_BUDGET__F(frame_target_ms, 1e-3, 1e6),
    RT_BUDGET__F(frame_critical_ms, 1e-3, 1e6),
    RT_BUDGET__I(warning_after, 1, 1e6),
    RT_BUDGET__I(critical_after, 1, 1e6),
    RT_BUDGET__I(calm_after, 1, 1e6),
    RT_BUDGET__F(calm_fraction, 1e-3, 1),
    RT_BUDGET__F(quality_min, 0.05, 1),
    RT_BUDGET__F(quality_step_down, 1e-3, 0.5),
    RT_BUDGET__F(quality_step_up, 1e-3, 0.5),
    RT_BUDGET__F(quality_headroom, 1e-3, 1),
    RT_BUDGET__I(quality_drop_after, 1, 1e6),
    RT_BUDGET__I(quality_rise_after, 1, 1e6),
    RT_BUDGET__I(throttle_max, 2, RT_BUDGET__K_LIMIT),
    RT_BUDGET__I(throttle_adapt_frames, 1, 1e6),
    RT_BUDGET__I(throttle_recover_frames, 1, 1e6),
    RT_BUDGET__I(log_interval_frames, 1, 1e9),
};
#undef RT_BUDGET__F
#undef RT_BUDGET__I
enum { RT_BUDGET__KNOB_COUNT = sizeof rt_budget__knobs / sizeof rt_budget__knobs[0] };

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
    rt_budget_frame out;
};

/* ---- small helpers ------------------------------------------------------------- */

static void rt_budget__err(char *err, size_t size, const char *fmt, ...) {
    if (!err || !size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

static int32_t rt_budget__count_up(int32_t n) {
    return n < RT_BUDGET__COUNT_CAP ? n + 1 : n;
}

static int32_t rt_budget__milli(float x) {
    return (int32_t)lroundf(x * RT_BUDGET__QUALITY_ONE);
}

static uint64_t rt_budget__hash_names(char *const *names, int32_t count) {
    uint64_t h = 1469598103934665603ull;
    for (int32_t i = 0; i < count; i++) {
        for (const unsigned char *c = (const unsigned char *)names[i];; c++) {
            h = (h ^ *c) * 1099511628211ull;
            if (!*c) break;
        }
    }
    return h;
}

const char *rt_budget_status_name(rt_budget_status status) {
    static const char *const names[] = {"OK", "WARNING", "CRITICAL"};
    assert((unsigned)status < 3);
    return names[status];
}

const char *rt_budget_degrade_name(rt_budget_degrade degrade) {
    return degrade == RT_BUDGET_DEGRADE_SLICE ? "slice" : "skip";
}

void rt_budget_log_stderr(void *user, const rt_budget_event *ev) {
    (void)user;
    fprintf(stderr, "budget: frame %llu: %s%s%s took %.4g ms, target %.4g ms, critical %.4g ms (%s)",
            (unsigned long long)ev->frame, ev->system < 0 ? "" : "system '", ev->name,
            ev->system < 0 ? "" : "'", ev->time_ms, ev->target_ms, ev->critical_ms,
            rt_budget_status_name(ev->status));
    if (ev->suppressed)
        fprintf(stderr, ", %llu more overruns since the last message", (unsigned long long)ev->suppressed);
    fputc('\n', stderr);
}

/* ---- configuration: defaults, resolution, validation ------------------------- */

/* The one place defaults are applied. */
static void rt_budget__resolve(const rt_budget__params *raw, rt_budget__params *p,
                               rt_budget__cfg *cfg, int32_t count) {
    *p = *raw;
    if (!p->frame_target_ms) p->frame_target_ms = 1000.0f / 60.0f;
    if (!p->frame_critical_ms) p->frame_critical_ms = 1.5f * p->frame_target_ms;
    if (!p->warning_after) p->warning_after = 3;
    if (!p->critical_after) p->critical_after = 2;
    if (!p->calm_after) p->calm_after = 30;
    if (!p->calm_fraction) p->calm_fraction = 0.8f;
    if (!p->quality_min) p->quality_min = 0.5f;
    if (!p->quality_step_down) p->quality_step_down = 0.05f;
    if (!p->quality_step_up) p->quality_step_up = 0.01f;
    if (!p->quality_headroom) p->quality_headroom = 0.85f;
    if (!p->quality_drop_after) p->quality_drop_after = 3;
    if (!p->quality_rise_after) p->quality_rise_after = 60;
    if (!p->throttle_max) p->throttle_max = 8;
    if (!p->throttle_adapt_frames) p->throttle_adapt_frames = 8;
    if (!p->throttle_recover_frames) p->throttle_recover_frames = 60;
    if (!p->log_interval_frames) p->log_interval_frames = 60;
    for (int32_t i = 0; i < count; i++)
        cfg[i].critical_ms = cfg[i].critical_raw_ms ? cfg[i].critical_raw_ms : 2.0f * cfg[i].target_ms;
}

static double rt_budget__knob_get(const rt_budget__params *p, const rt_budget__knob *k) {
    const char *at = (const char *)p + k->offset;
    return k->is_int ? *(const int32_t *)at : *(const float *)at;
}

static void rt_budget__knob_set(rt_budget__params *p, const rt_budget__knob *k, double v) {
    char *at = (char *)p + k->offset;
    if (k->is_int) *(int32_t *)at = (int32_t)v;
    else *(float *)at = (float)v;
}

static int rt_budget__validate(const rt_budget__params *p, const rt_budget__cfg *cfg,
                               char *const *names, int32_t count, char *err, size_t err_size) {
    for (int i = 0; i < RT_BUDGET__KNOB_COUNT; i++) {
        const rt_budget__knob *k = &rt_budget__knobs[i];
        double v = rt_budget__knob_get(p, k);
        if (!(v >= k->min && v <= k->max)) {
            rt_budget__err(err, err_size, "%s = %g is outside [%g, %g]", k->key, v, k->min, k->max);
            return -EINVAL;
        }
    }
    if (p->frame_critical_ms < p->frame_target_ms) {
        rt_budget__err(err, err_size, "frame_critical_ms %g is below frame_target_ms %g",
                       p->frame_critical_ms, p->frame_target_ms);
        return -EINVAL;
    }
    for (int32_t i = 0; i < count; i++) {
        const rt_budget__cfg *c = &cfg[i];
        if (!(c->target_ms >= 0 && c->target_ms <= 1e6 && c->critical_ms >= 0 && c->critical_ms <= 1e6)) {
            rt_budget__err(err, err_size, "system '%s': target_ms and critical_ms must be in [0, 1e6]", names[i]);
            return -EINVAL;
        }
        if (c->critical_ms < c->target_ms) {
            rt_budget__err(err, err_size, "system '%s': critical_ms %g is below target_ms %g",
                           names[i], c->critical_ms, c->target_ms);
            return -EINVAL;
        }
        if (c->degrade != RT_BUDGET_DEGRADE_SKIP && c->degrade != RT_BUDGET_DEGRADE_SLICE) {
            rt_budget__err(err, err_size, "system '%s': unknown degrade mode %d", names[i], (int)c->degrade);
            return -EINVAL;
        }
    }
    return 0;
}

static void rt_budget__raw_from_desc(const rt_budget_controller_desc *d, rt_budget__params *raw) {
    *raw = (rt_budget__params){
        .frame_target_ms = d->frame_target_ms,
        .frame_critical_ms = d->frame_critical_ms,
        .warning_after = d->warning_after,
        .critical_after = d->critical_after,
        .calm_after = d->calm_after,
        .calm_fraction = d->calm_fraction,
        .quality_min = d->quality_min,
        .quality_step_down = d->quality_step_down,
        .quality_step_up = d->quality_step_up,
        .quality_headroom = d->quality_headroom,
        .quality_drop_after = d->quality_drop_after,
        .quality_rise_after = d->quality_rise_after,
        .throttle_max = d->throttle_max,
        .throttle_adapt_frames = d->throttle_adapt_frames,
        .throttle_recover_frames = d->throttle_recover_frames,
        .log_interval_frames = d->log_interval_frames,
    };
}

static rt_budget__cfg rt_budget__cfg_from_desc(const rt_budget_desc *d) {
    return (rt_budget__cfg){
        .target_ms = d->target_ms,
        .critical_raw_ms = d->critical_ms,
        .degradable = d->degradable,
        .degrade = d->degrade,
    };
}

int rt_budget_check_desc(const rt_budget_controller_desc *desc, char *err, size_t err_size) {
    if (!desc || desc->system_count < 1 || desc->system_count > (1 << 20) || !desc->systems) {
        rt_budget__err(err, err_size, "system_count must be in [1, 2^20] with a systems table");
        return -EINVAL;
    }
    if (desc->log_changes < 0) {
        rt_budget__err(err, err_size, "log_changes must not be negative");
        return -EINVAL;
    }
    int32_t n = desc->system_count;
    rt_budget__cfg *cfg = malloc((size_t)n * sizeof *cfg);
    char **names = malloc((size_t)n * sizeof *names);
    if (!cfg || !names) {
        free(cfg);
        free(names);
        rt_budget__err(err, err_size, "out of memory");
        return -ENOMEM;
    }
    int rc = 0;
    for (int32_t i = 0; i < n && !rc; i++) {
        if (!desc->systems[i].system || !desc->systems[i].system[0]) {
            rt_budget__err(err, err_size, "system %d has no name", (int)i);
            rc = -EINVAL;
        }
        cfg[i] = rt_budget__cfg_from_desc(&desc->systems[i]);
        names[i] = (char *)desc->systems[i].system;
    }
    if (!rc) {
        rt_budget__params raw, p;
        rt_budget__raw_from_desc(desc, &raw);
        rt_budget__resolve(&raw, &p, cfg, n);
        rc = rt_budget__validate(&p, cfg, names, n, err, err_size);
    }
    free(cfg);
    free(names);
    return rc;
}

/* ---- life ---------------------------------------------------------------------- */

void rt_budget_destroy(rt_budget *bud) {
    if (!bud) return;
    free(bud->names);
    free(bud->names_block);
    free(bud->cfg);
    free(bud->cfg_scratch);
    free(bud->sys);
    free(bud->code);
    free(bud->decisions);
    free(bud->log_frame);
    free(bud->log_quality);
    free(bud->log_code);
    free(bud);
}

/* Back to frame 0: every measurement and decision forgotten, config kept. */
static void rt_budget__reset(rt_budget *bud) {
    bud->frame = 0;
    bud->in_frame = false;
    bud->frame_hyst = (rt_budget__hyst){0};
    bud->frame_limiter = (rt_budget__limiter){0};
    bud->last_frame_ms = -1;
    bud->frame_overruns = bud->frame_critical_overruns = 0;
    bud->quality = RT_BUDGET__QUALITY_ONE;
    bud->quality_over = bud->quality_headroom = 0;
    bud->emergency = false;
    bud->k_emergency = 1;
    bud->k_emergency_age = 0;
    for (int32_t i = 0; i < bud->system_count; i++) {
        bud->sys[i] = (rt_budget__sys){.last_ms = -1, .k_self = 1};
        bud->code[i] = 1;
    }
    bud->log_count = 0;
    bud->log_full = false;
    bud->log_covered = 0;
    bud->replaying = false;
    bud->replay_cursor = 0;
    bud->replay_covered = 0;
}

int rt_budget_create(const rt_budget_controller_desc *desc, rt_budget **out) {
    int rc = rt_budget_check_desc(desc, NULL, 0);
    if (rc) return rc;
    int32_t n = desc->system_count;
    size_t name_bytes = 0;
    for (int32_t i = 0; i < n; i++) name_bytes += strlen(desc->systems[i].system) + 1;

    rt_budget *bud = calloc(1, sizeof *bud);
    if (!bud) return -ENOMEM;
    bud->system_count = n;
    bud->log_cap = desc->log_changes ? desc->log_changes : 4096;
    bud->names = calloc((size_t)n, sizeof *bud->names);
    bud->names_block = malloc(name_bytes);
    bud->cfg = calloc((size_t)n, sizeof *bud->cfg);
    bud->cfg_scratch = calloc((size_t)n, sizeof *bud->cfg_scratch);
    bud->sys = calloc((size_t)n, sizeof *bud->sys);
    bud->code = calloc((size_t)n, 1);
    bud->decisions = calloc((size_t)n, sizeof *bud->decisions);
    bud->log_frame = calloc((size_t)bud->log_cap, sizeof *bud->log_frame);
    bud->log_quality = calloc((size_t)bud->log_cap, sizeof *bud->log_quality);
    bud->log_code = calloc((size_t)bud->log_cap * (size_t)n, 1);
    if (!bud->names || !bud->names_block || !bud->cfg || !bud->cfg_scratch || !bud->sys ||
        !bud->code || !bud->decisions || !bud->log_frame ||
        !bud->log_quality || !bud->log_code) {
        rt_budget_destroy(bud);
        return -ENOMEM;
    }
    char *p = bud->names_block;
    for (int32_t i = 0; i < n; i++) {
        size_t len = strlen(desc->systems[i].system) + 1;
        memcpy(p, desc->systems[i].system, len);
        bud->names[i] = p;
        p += len;
        bud->cfg[i] = rt_budget__cfg_from_desc(&desc->systems[i]);
    }
    bud->names_hash = rt_budget__hash_names(bud->names, n);
    rt_budget__raw_from_desc(desc, &bud->raw);
    rt_budget__resolve(&bud->raw, &bud->p, bud->cfg, n);
    bud->log = desc->log ? desc->log : rt_budget_log_stderr;
    bud->log_user = desc->log_user;
    rt_budget__reset(bud);
    *out = bud;
    return 0;
}

/* ---- decisions ----------------------------------------------------------------- */

/* What a system with this code does in frame f; updates when it last ran. SKIP is
 * staggered by the system's index so throttled systems spread over the frames. */
static rt_budget_decision rt_budget__decide(uint64_t f, int32_t i, uint8_t code, rt_budget__sys *s) {
    uint32_t k = code & RT_BUDGET__K_MASK;
    rt_budget_decision d = {.run = true, .slice_index = 0, .slice_count = 1, .elapsed_frames = 1};
    if (k > 1) {
        uint32_t phase = (uint32_t)((f + (uint64_t)i) % k);
        if (code & RT_BUDGET__SLICE_BIT) {
            d.slice_index = (uint8_t)phase;
            d.slice_count = (uint8_t)k;
        } else {
            d.run = phase == 0;
        }
    }
    if (d.run) {
        uint64_t gap = s->ran ? f - s->last_run : 1;
        if (d.slice_count > 1) gap = d.slice_count;
        d.elapsed_frames = (uint16_t)(gap < UINT16_MAX ? gap : UINT16_MAX);
        s->ran = true;
        s->last_run = f;
    }
    return d;
}

/* The code a system gets from the throttle state computed at the last frame_end. */
static uint8_t rt_budget__code_of(const rt_budget *bud, int32_t i) {
    const rt_budget__cfg *c = &bud->cfg[i];
    if (!c->degradable) return 1;
    uint32_t k = bud->sys[i].k_self > bud->k_emergency ? bud->sys[i].k_self : bud->k_emergency;
    if (k > (uint32_t)bud->p.throttle_max) k = (uint32_t)bud->p.throttle_max;
    if (k <= 1) return 1;
    return (uint8_t)(k | (c->degrade == RT_BUDGET_DEGRADE_SLICE ? RT_BUDGET__SLICE_BIT : 0));
}

/* Appends the state of frame f to the log when it differs from the last change. */
static void rt_budget__log_state(rt_budget *bud, uint64_t f) {
    const size_t n = (size_t)bud->system_count;
    if (bud->log_full) return;
    if (bud->log_count > 0) {
        int32_t last = bud->log_count - 1;
        if (bud->log_quality[last] == (uint16_t)bud->quality &&
            memcmp(&bud->log_code[(size_t)last * n], bud->code, n) == 0)
            return;
    }
    if (bud->log_count == bud->log_cap) {
        bud->log_full = true;
        bud->log_covered = f;
        return;
    }
    int32_t at = bud->log_count++;
    bud->log_frame[at] = f;
    bud->log_quality[at] = (uint16_t)bud->quality;
    memcpy(&bud->log_code[(size_t)at * n], bud->code, n);
}

const rt_budget_frame *rt_budget_frame_begin(rt_budget *bud) {
    assert(!bud->in_frame);
    const uint64_t f = bud->frame;
    const size_t n = (size_t)bud->system_count;
    bool past_end = false;
    bud->in_frame = true;
    if (bud->replaying) {
        while (bud->replay_cursor + 1 < bud->log_count && bud->log_frame[bud->replay_cursor + 1] <= f)
            bud->replay_cursor++;
        bud->quality = bud->log_quality[bud->replay_cursor];
        memcpy(bud->code, &bud->log_code[(size_t)bud->replay_cursor * n], n);
        past_end = f >= bud->replay_covered;
    } else {
        for (int32_t i = 0; i < bud->system_count; i++) bud->code[i] = rt_budget__code_of(bud, i);
        rt_budget__log_state(bud, f);
    }
    for (int32_t i = 0; i < bud->system_count; i++)
        bud->decisions[i] = rt_budget__decide(f, i, bud->code[i], &bud->sys[i]);
    bud->out = (rt_budget_frame){
        .frame = f,
        .quality = (float)bud->quality / RT_BUDGET__QUALITY_ONE,
        .system_count = bud->system_count,
        .systems = bud->decisions,
        .replaying = bud->replaying,
        .replay_past_end = past_end,
    };
    return &bud->out;
}

void rt_budget_slice_range(rt_budget_decision d, int64_t count, int64_t *begin, int64_t *end) {
    assert(d.slice_count >= 1 && d.slice_index < d.slice_count && count >= 0);
    *begin = count * d.slice_index / d.slice_count;
    *end = count * (d.slice_index + 1) / d.slice_count;
}

float rt_budget_quality(const rt_budget *bud) {
    return (float)bud->quality / RT_BUDGET__QUALITY_ONE;
}

/* ---- measuring ----------------------------------------------------------------- */

/* One frame's time against a target and a critical time; see budget.h. */
static void rt_budget__hyst_update(rt_budget__hyst *h, const rt_budget__params *p,
                                   float ms, float target, float critical) {
    bool over_target = target > 0 && ms > target;
    bool over_critical = critical > 0 && ms > critical;
    h->over_target = over_target ? rt_budget__count_up(h->over_target) : 0;
    h->over_critical = over_critical ? rt_budget__count_up(h->over_critical) : 0;
    rt_budget_status next = h->status;
    bool calm;
    switch (h->status) {
    case RT_BUDGET_OK:
        if (h->over_critical >= p->critical_after) next = RT_BUDGET_CRITICAL;
        else if (h->over_target >= p->warning_after) next = RT_BUDGET_WARNING;
        break;
    case RT_BUDGET_WARNING:
        calm = ms < p->calm_fraction * target;
        h->calm = calm ? rt_budget__count_up(h->calm) : 0;
        if (h->over_critical >= p->critical_after) next = RT_BUDGET_CRITICAL;
        else if (h->calm >= p->calm_after) next = RT_BUDGET_OK;
        break;
    case RT_BUDGET_CRITICAL:
        calm = ms < p->calm_fraction * critical;
        h->calm = calm ? rt_budget__count_up(h->calm) : 0;
        if (h->calm >= p->calm_after) next = RT_BUDGET_WARNING;
        break;
    }
    if (next != h->status) {
        h->status = next;
        h->calm = 0;
    }
}

static void rt_budget__overrun(rt_budget *bud, rt_budget__limiter *lim, int32_t system,
                               float ms, float target, float critical, rt_budget_status status) {
    const uint64_t f = bud->frame;
    if (lim->logged && f - lim->last_frame < (uint64_t)bud->p.log_interval_frames) {
        lim->suppressed++;
        return;
    }
    rt_budget_event ev = {
        .frame = f,
        .system = system,
        .name = system < 0 ? "frame" : bud->names[system],
        .time_ms = ms,
        .target_ms = target,
        .critical_ms = critical,
        .status = status,
        .suppressed = lim->suppressed,
    };
    lim->logged = true;
    lim->last_frame = f;
    lim->suppressed = 0;
    bud->log(bud->log_user, &ev);
}

static void rt_budget__quality_update(rt_budget *bud, float frame_ms) {
    const rt_budget__params *p = &bud->p;
    bool over = frame_ms > p->frame_target_ms;
    bool headroom = frame_ms < p->quality_headroom * p->frame_target_ms;
    bud->quality_over = over ? rt_budget__count_up(bud->quality_over) : 0;
    bud->quality_headroom = headroom ? rt_budget__count_up(bud->quality_headroom) : 0;
    int32_t lo = rt_budget__milli(p->quality_min);
    if (bud->quality_over >= p->quality_drop_after) {
        bud->quality -= rt_budget__milli(p->quality_step_down);
        bud->quality_over = 0;
    }
    if (bud->quality_headroom >= p->quality_rise_after) {
        bud->quality += rt_budget__milli(p->quality_step_up);
        bud->quality_headroom = 0;
    }
    if (bud->quality < lo) bud->quality = lo;
    if (bud->quality > RT_BUDGET__QUALITY_ONE) bud->quality = RT_BUDGET__QUALITY_ONE;
}

static void rt_budget__throttle_update(rt_budget *bud, float frame_ms) {
    const rt_budget__params *p = &bud->p;
    const uint32_t kmax = (uint32_t)p->throttle_max;
    bud->k_emergency_age = rt_budget__count_up(bud->k_emergency_age);
    if (bud->emergency) {
        if (bud->k_emergency < 2) {
            bud->k_emergency = 2;
            bud->k_emergency_age = 0;
        } else if (frame_ms > p->frame_target_ms && bud->k_emergency_age >= p->throttle_adapt_frames &&
                   bud->k_emergency < kmax) {
            bud->k_emergency = bud->k_emergency * 2 < kmax ? bud->k_emergency * 2 : kmax;
            bud->k_emergency_age = 0;
        }
    } else if (bud->k_emergency > 1 && bud->k_emergency_age >= p->throttle_recover_frames) {
        bud->k_emergency /= 2;
        bud->k_emergency_age = 0;
    }
    for (int32_t i = 0; i < bud->system_count; i++) {
        rt_budget__sys *s = &bud->sys[i];
        const rt_budget__cfg *c = &bud->cfg[i];
        s->k_self_age = rt_budget__count_up(s->k_self_age);
        if (!c->degradable) {
            s->k_self = 1;
        } else if (s->hyst.status == RT_BUDGET_CRITICAL && c->target_ms > 0 && s->last_ms > 0) {
            double need = ceil(s->last_ms / c->target_ms);
            uint32_t k = need < 2 ? 2 : need > kmax ? kmax : (uint32_t)need;
            if (k > s->k_self) {
                s->k_self = k;
                s->k_self_age = 0;
            }
        } else if (s->hyst.status != RT_BUDGET_CRITICAL && s->k_self > 1 &&
                   s->k_self_age >= p->throttle_recover_frames) {
            s->k_self /= 2;
            s->k_self_age = 0;
        }
    }
}

void rt_budget_frame_end(rt_budget *bud, uint64_t frame_ns, const uint64_t *system_ns) {
    assert(bud->in_frame);
    const rt_budget__params *p = &bud->p;
    bool critical = false;
    for (int32_t i = 0; i < bud->system_count; i++) {
        rt_budget__sys *s = &bud->sys[i];
        const rt_budget__cfg *c = &bud->cfg[i];
        if (system_ns[i] != RT_MONITOR_NOT_RUN) {
            /* A slice's time scaled up is the estimate of the system's full cost. */
            float ms = (float)((double)system_ns[i] * bud->decisions[i].slice_count / 1e6);
            s->last_ms = ms;
            rt_budget__hyst_update(&s->hyst, p, ms, c->target_ms, c->critical_ms);
            if (c->target_ms > 0 && ms > c->target_ms) {
                s->overruns++;
                rt_budget__overrun(bud, &s->limiter, i, ms, c->target_ms, c->critical_ms, s->hyst.status);
            }
            if (c->critical_ms > 0 && ms > c->critical_ms) s->critical_overruns++;
        }
        critical |= s->hyst.status == RT_BUDGET_CRITICAL;
    }
    float frame_ms = (float)((double)frame_ns / 1e6);
    bud->last_frame_ms = frame_ms;
    rt_budget__hyst_update(&bud->frame_hyst, p, frame_ms, p->frame_target_ms, p->frame_critical_ms);
    if (frame_ms > p->frame_target_ms) {
        bud->frame_overruns++;
        rt_budget__overrun(bud, &bud->frame_limiter, -1, frame_ms, p->frame_target_ms,
                           p->frame_critical_ms, bud->frame_hyst.status);
    }
    if (frame_ms > p->frame_critical_ms) bud->frame_critical_overruns++;
    bud->emergency = critical || bud->frame_hyst.status == RT_BUDGET_CRITICAL;
    if (!bud->replaying) {
        rt_budget__quality_update(bud, frame_ms);
        rt_budget__throttle_update(bud, frame_ms);
    }
    bud->in_frame = false;
    bud->frame++;
}

void rt_budget_frame_end_monitor(rt_budget *bud, const rt_monitor *mon) {
    assert(rt_monitor_system_count(mon) == bud->system_count);
    assert(rt_monitor_frames(mon) > 0);
    if (bud->checked_monitor != mon) {
        for (int32_t i = 0; i < bud->system_count; i++)
            assert(strcmp(rt_monitor_system_name(mon, i), bud->names[i]) == 0);
        bud->checked_monitor = mon;
    }
    uint64_t frame_ns = 0;
    rt_monitor_frame_sample(mon, rt_monitor_frames(mon) - 1, &frame_ns, NULL);
    rt_budget_frame_end(bud, frame_ns, rt_monitor_last_row(mon));
}

/* ---- reports ------------------------------------------------------------------- */

int32_t rt_budget_system_count(const rt_budget *bud) { return bud->system_count; }

void rt_budget_get_system(const rt_budget *bud, int32_t i, rt_budget_system_info *out) {
    assert(i >= 0 && i < bud->system_count);
    const rt_budget__sys *s = &bud->sys[i];
    const rt_budget__cfg *c = &bud->cfg[i];
    *out = (rt_budget_system_info){
        .name = bud->names[i],
        .target_ms = c->target_ms,
        .critical_ms = c->critical_ms,
        .degradable = c->degradable,
        .degrade = c->degrade,
        .status = s->hyst.status,
        .last_ms = s->last_ms,
        .throttle = bud->code[i] & RT_BUDGET__K_MASK,
        .overruns = s->overruns,
        .critical_overruns = s->critical_overruns,
    };
}

void rt_budget_get_info(const rt_budget *bud, rt_budget_info *out) {
    *out = (rt_budget_info){
        .frames = bud->frame,
        .frame_target_ms = bud->p.frame_target_ms,
        .frame_critical_ms = bud->p.frame_critical_ms,
        .frame_status = bud->frame_hyst.status,
        .last_frame_ms = bud->last_frame_ms,
        .frame_overruns = bud->frame_overruns,
        .frame_critical_overruns = bud->frame_critical_overruns,
        .quality = rt_budget_quality(bud),
        .emergency = bud->emergency,
        .emergency_throttle = bud->k_emergency,
        .replaying = bud->replaying,
        .log_changes = (uint32_t)bud->log_count,
        .log_full = bud->log_full,
    };
}

/* ---- config overrides ---------------------------------------------------------- */

static int32_t rt_budget__find(const rt_budget *bud, const char *name) {
    for (int32_t i = 0; i < bud->system_count; i++)
        if (strcmp(bud->names[i], name) == 0) return i;
    return -1;
}

static int rt_budget__apply_system(rt_budget__cfg *c, const char *name, const cJSON *obj,
                                   char *err, size_t err_size) {
    if (!cJSON_IsObject(obj)) {
        rt_budget__err(err, err_size, "systems.%s must be an object", name);
        return -EINVAL;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        const char *key = it->string;
        if (strcmp(key, "target_ms") == 0 || strcmp(key, "critical_ms") == 0) {
            if (!cJSON_IsNumber(it)) {
                rt_budget__err(err, err_size, "systems.%s.%s must be a number", name, key);
                return -EINVAL;
            }
            if (key[0] == 't') c->target_ms = (float)it->valuedouble;
            else c->critical_raw_ms = (float)it->valuedouble;
        } else if (strcmp(key, "degradable") == 0) {
            if (!cJSON_IsBool(it)) {
                rt_budget__err(err, err_size, "systems.%s.degradable must be true or false", name);
                return -EINVAL;
            }
            c->degradable = cJSON_IsTrue(it);
        } else if (strcmp(key, "degrade") == 0) {
            const char *v = cJSON_GetStringValue(it);
            if (v && strcmp(v, "skip") == 0) c->degrade = RT_BUDGET_DEGRADE_SKIP;
            else if (v && strcmp(v, "slice") == 0) c->degrade = RT_BUDGET_DEGRADE_SLICE;
            else {
                rt_budget__err(err, err_size, "systems.%s.degrade must be \"skip\" or \"slice\"", name);
                return -EINVAL;
            }
        } else {
            rt_budget__err(err, err_size, "systems.%s: unknown key '%s'", name, key);
            return -EINVAL;
        }
    }
    return 0;
}

static int rt_budget__apply_tree(rt_budget *bud, const cJSON *root, rt_budget__params *raw,
                                 char *err, size_t err_size) {
    if (!cJSON_IsObject(root)) {
        rt_budget__err(err, err_size, "config must be a JSON object");
        return -EINVAL;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root) {
        const char *key = it->string;
        if (strcmp(key, "systems") == 0) {
            if (!cJSON_IsObject(it)) {
                rt_budget__err(err, err_size, "systems must be an object");
                return -EINVAL;
            }
            const cJSON *sys;
            cJSON_ArrayForEach(sys, it) {
                int32_t i = rt_budget__find(bud, sys->string);
                if (i < 0) {
                    rt_budget__err(err, err_size, "systems: unknown system '%s'", sys->string);
                    return -EINVAL;
                }
                int rc = rt_budget__apply_system(&bud->cfg_scratch[i], sys->string, sys, err, err_size);
                if (rc) return rc;
            }
            continue;
        }
        const rt_budget__knob *knob = NULL;
        for (int k = 0; k < RT_BUDGET__KNOB_COUNT && !knob; k++)
            if (strcmp(rt_budget__knobs[k].key, key) == 0) knob = &rt_budget__knobs[k];
        if (!knob) {
            rt_budget__err(err, err_size, "unknown key '%s'", key);
            return -EINVAL;
        }
        double v = it->valuedouble;
        if (!cJSON_IsNumber(it) || (knob->is_int && v != floor(v)) || !(fabs(v) <= 2e9)) {
            rt_budget__err(err, err_size, "%s must be %s", key, knob->is_int ? "an integer" : "a number");
            return -EINVAL;
        }
        rt_budget__knob_set(raw, knob, v);
    }
    return 0;
}

int rt_budget_apply_config(rt_budget *bud, const char *json, char *err, size_t err_size) {
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        rt_budget__err(err, err_size, "config: JSON parse error near '%.24s'", at ? at : "");
        return -EINVAL;
    }
    rt_budget__params raw = bud->raw, p;
    memcpy(bud->cfg_scratch, bud->cfg, (size_t)bud->system_count * sizeof *bud->cfg);
    int rc = rt_budget__apply_tree(bud, root, &raw, err, err_size);
    cJSON_Delete(root);
    if (rc) return rc;
    rt_budget__resolve(&raw, &p, bud->cfg_scratch, bud->system_count);
    rc = rt_budget__validate(&p, bud->cfg_scratch, bud->names, bud->system_count, err, err_size);
    if (rc) return rc;
    /* Commit. Throttle state follows the new bounds at once; quality too. */
    rt_budget__cfg *old = bud->cfg;
    bud->cfg = bud->cfg_scratch;
    bud->cfg_scratch = old;
    bud->raw = raw;
    bud->p = p;
    uint32_t kmax = (uint32_t)p.throttle_max;
    if (bud->k_emergency > kmax) bud->k_emergency = kmax;
    for (int32_t i = 0; i < bud->system_count; i++) {
        if (!bud->cfg[i].degradable) bud->sys[i].k_self = 1;
        if (bud->sys[i].k_self > kmax) bud->sys[i].k_self = kmax;
    }
    if (bud->quality < rt_budget__milli(p.quality_min)) bud->quality = rt_budget__milli(p.quality_min);
    return 0;
}

/* Reads a whole file into a zero-terminated heap buffer. */
static int rt_budget__read_file(const char *path, char **out, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap + 1);
            if (!grown) {
                free(buf);
                fclose(f);
                return -ENOMEM;
            }
            buf = grown;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -EIO;
    }
    buf[len] = 0;
    *out = buf;
    if (size) *size = len;
    return 0;
}

int rt_budget_load_config(rt_budget *bud, const char *path, char *err, size_t err_size) {
    char *text;
    int rc = rt_budget__read_file(path, &text, NULL);
    if (rc) {
        rt_budget__err(err, err_size, "%s: %s", path, strerror(-rc));
        return rc;
    }
    char inner[256] = "";
    rc = rt_budget_apply_config(bud, text, inner, sizeof inner);
    free(text);
    if (rc) rt_budget__err(err, err_size, "%s: %s", path, inner);
    return rc;
}

/* ---- decision log -------------------------------------------------------------- */

static void rt_budget__put(unsigned char **at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) *(*at)++ = (unsigned char)(v >> (8 * i));
}

static uint64_t rt_budget__get(const unsigned char **at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)*(*at)++ << (8 * i);
    return v;
}

enum { RT_BUDGET__LOG_HEADER = 8 + 4 + 4 + 8 + 8 + 4 };

int rt_budget_save_log(const rt_budget *bud, const char *path) {
    const size_t n = (size_t)bud->system_count;
    const size_t bytes = RT_BUDGET__LOG_HEADER + (size_t)bud->log_count * (10 + n);
    unsigned char *buf = malloc(bytes), *at = buf;
    if (!buf) return -ENOMEM;
    uint64_t covered = bud->replaying ? bud->replay_covered
                       : bud->log_full ? bud->log_covered
                                       : bud->frame + (bud->in_frame ? 1 : 0);
    memcpy(at, rt_budget__log_magic, 8);
    at += 8;
    rt_budget__put(&at, RT_BUDGET__LOG_VERSION, 4);
    rt_budget__put(&at, n, 4);
    rt_budget__put(&at, bud->names_hash, 8);
    rt_budget__put(&at, covered, 8);
    rt_budget__put(&at, (uint64_t)bud->log_count, 4);
    for (int32_t i = 0; i < bud->log_count; i++) {
        rt_budget__put(&at, bud->log_frame[i], 8);
        rt_budget__put(&at, bud->log_quality[i], 2);
        memcpy(at, &bud->log_code[(size_t)i * n], n);
        at += n;
    }
    assert((size_t)(at - buf) == bytes);
    int rc = 0;
    FILE *f = fopen(path, "wb");
    if (!f) rc = -errno;
    else {
        if (fwrite(buf, 1, bytes, f) != bytes) rc = -EIO;
        if (fclose(f) != 0 && !rc) rc = -EIO;
    }
    free(buf);
    return rc;
}

int rt_budget_load_log(rt_budget *bud, const char *path) {
    const size_t n = (size_t)bud->system_count;
    char *text;
    size_t size;
    int rc = rt_budget__read_file(path, &text, &size);
    if (rc) return rc;
    const unsigned char *at = (const unsigned char *)text;
    rc = -EINVAL;
    if (size < RT_BUDGET__LOG_HEADER || memcmp(at, rt_budget__log_magic, 8) != 0) goto done;
    at += 8;
    uint64_t version = rt_budget__get(&at, 4), systems = rt_budget__get(&at, 4);
    uint64_t hash = rt_budget__get(&at, 8), covered = rt_budget__get(&at, 8);
    uint64_t changes = rt_budget__get(&at, 4);
    if (version != RT_BUDGET__LOG_VERSION || systems != n || hash != bud->names_hash) goto done;
    if (changes == 0 || size != RT_BUDGET__LOG_HEADER + changes * (10 + n)) goto done;
    if (changes > (uint64_t)bud->log_cap) {
        rc = -EFBIG;
        goto done;
    }
    /* Check everything before touching the controller. */
    const unsigned char *entries = at;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < changes; i++) {
        uint64_t frame = rt_budget__get(&at, 8), quality = rt_budget__get(&at, 2);
        if ((i == 0 && frame != 0) || (i > 0 && frame <= prev) || quality > RT_BUDGET__QUALITY_ONE)
            goto done;
        for (size_t s = 0; s < n; s++) {
            uint8_t k = at[s] & RT_BUDGET__K_MASK;
            if (k < 1 || k > RT_BUDGET__K_LIMIT) goto done;
        }
        at += n;
        prev = frame;
    }
    rt_budget__reset(bud);
    at = entries;
    for (uint64_t i = 0; i < changes; i++) {
        bud->log_frame[i] = rt_budget__get(&at, 8);
        bud->log_quality[i] = (uint16_t)rt_budget__get(&at, 2);
        memcpy(&bud->log_code[i * n], at, n);
        at += n;
    }
    bud->log_count = (int32_t)changes;
    bud->replaying = true;
    bud->replay_covered = covered;
    rc = 0;
done:
    free(text);
    return rc;
}

/* ---- frame pacing -------------------------------------------------------------- */

uint64_t rt_budget_pace_next(uint64_t deadline_ns, uint64_t now_ns, uint64_t period_ns) {
    if (now_ns < deadline_ns + period_ns) return deadline_ns + period_ns;
    return now_ns + period_ns;
}

uint64_t rt_budget_pace(uint64_t *deadline_ns, uint64_t period_ns) {
    uint64_t now = rt_monitor_monotonic_ns(), slept = 0;
    if (now < *deadline_ns) {
        struct timespec ts = {
            .tv_sec = (time_t)(*deadline_ns / 1000000000u),
            .tv_nsec = (long)(*deadline_ns % 1000000000u),
        };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
        slept = rt_monitor_monotonic_ns() - now;
    }
    *deadline_ns = rt_budget_pace_next(*deadline_ns, now, period_ns);
    return slept;
}

uint64_t rt_budget_pace_frame(rt_budget *bud) {
    return rt_budget_pace(&bud->pace_deadline, (uint64_t)((double)bud->p.frame_target_ms * 1e6));
}
