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
 * Config files are read by budget_config.c (the one part that needs cJSON); the
 * types both share are in budget_internal.h. Next: export.c writes the statuses and
 * overruns into the JSON summary.
 */
#include "budget_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char rt_budget__log_magic[8] = {'E', 'C', 'S', 'C', 'B', 'L', 'O', 'G'};

/* ---- small helpers ------------------------------------------------------------- */

void rt_budget__err(char *err, size_t size, const char *fmt, ...) {
    if (!err || !size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

static int32_t rt_budget__count_up(int32_t n) {
    return n < RT_BUDGET__COUNT_CAP ? n + 1 : n;
}

int32_t rt_budget__milli(float x) {
    /* Rounded half away from zero, without libm: the runtime links without -lm. */
    float t = x * RT_BUDGET__QUALITY_ONE;
    return (int32_t)(t < 0 ? t - 0.5f : t + 0.5f);
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

#define RT_BUDGET__F(name, lo, hi) {#name, offsetof(rt_budget__params, name), false, lo, hi}
#define RT_BUDGET__I(name, lo, hi) {#name, offsetof(rt_budget__params, name), true, lo, hi}
const rt_budget__knob rt_budget__knobs[] = {
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
const int rt_budget__knob_count = (int)(sizeof rt_budget__knobs / sizeof rt_budget__knobs[0]);

void rt_budget__resolve(const rt_budget__params *raw, rt_budget__params *p,
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

void rt_budget__knob_set(rt_budget__params *p, const rt_budget__knob *k, double v) {
    char *at = (char *)p + k->offset;
    if (k->is_int) *(int32_t *)at = (int32_t)v;
    else *(float *)at = (float)v;
}

int rt_budget__validate(const rt_budget__params *p, const rt_budget__cfg *cfg,
                        char *const *names, int32_t count, char *err, size_t err_size) {
    for (int i = 0; i < rt_budget__knob_count; i++) {
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
    if (!desc->alloc != !desc->free) {
        rt_budget__err(err, err_size, "alloc and free go together");
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

/* Memory comes from the desc's allocator (malloc by default), zeroed and
 * aligned to 64 bytes, all of it at create. */
static void *rt_budget__default_alloc(void *user, size_t size, size_t align) {
    (void)user;
    void *p = NULL;
    return posix_memalign(&p, align, size ? size : 1) == 0 ? p : NULL;
}

static void rt_budget__default_free(void *user, void *ptr) {
    (void)user;
    free(ptr);
}

static void *rt_budget__alloc(rt_budget *bud, size_t count, size_t size) {
    size_t bytes = (count * size + 63) & ~(size_t)63;
    void *p = bud->alloc(bud->alloc_user, bytes ? bytes : 64, 64);
    if (p) {
        memset(p, 0, bytes);
        bud->bytes += bytes;
    }
    return p;
}

static void rt_budget__free(rt_budget *bud, void *p) {
    if (p) bud->free(bud->alloc_user, p);
}

void rt_budget_destroy(rt_budget *bud) {
    if (!bud) return;
    rt_budget__free(bud, bud->names);
    rt_budget__free(bud, bud->names_block);
    rt_budget__free(bud, bud->cfg);
    rt_budget__free(bud, bud->cfg_scratch);
    rt_budget__free(bud, bud->sys);
    rt_budget__free(bud, bud->code);
    rt_budget__free(bud, bud->decisions);
    rt_budget__free(bud, bud->log_frame);
    rt_budget__free(bud, bud->log_quality);
    rt_budget__free(bud, bud->log_code);
    bud->free(bud->alloc_user, bud);
}

size_t rt_budget_bytes(const rt_budget *bud) { return bud->bytes; }

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

    void *(*alloc)(void *, size_t, size_t) = desc->alloc ? desc->alloc : rt_budget__default_alloc;
    size_t self = (sizeof(rt_budget) + 63) & ~(size_t)63;
    rt_budget *bud = alloc(desc->alloc_user, self, 64);
    if (!bud) return -ENOMEM;
    memset(bud, 0, sizeof *bud);
    bud->alloc = alloc;
    bud->free = desc->free ? desc->free : rt_budget__default_free;
    bud->alloc_user = desc->alloc_user;
    bud->bytes = self;
    bud->system_count = n;
    bud->observe = desc->observe;
    bud->log_cap = desc->log_changes ? desc->log_changes : 4096;
    bud->names = rt_budget__alloc(bud, (size_t)n, sizeof *bud->names);
    bud->names_block = rt_budget__alloc(bud, name_bytes, 1);
    bud->cfg = rt_budget__alloc(bud, (size_t)n, sizeof *bud->cfg);
    bud->cfg_scratch = rt_budget__alloc(bud, (size_t)n, sizeof *bud->cfg_scratch);
    bud->sys = rt_budget__alloc(bud, (size_t)n, sizeof *bud->sys);
    bud->code = rt_budget__alloc(bud, (size_t)n, 1);
    bud->decisions = rt_budget__alloc(bud, (size_t)n, sizeof *bud->decisions);
    bud->log_frame = rt_budget__alloc(bud, (size_t)bud->log_cap, sizeof *bud->log_frame);
    bud->log_quality = rt_budget__alloc(bud, (size_t)bud->log_cap, sizeof *bud->log_quality);
    bud->log_code = rt_budget__alloc(bud, (size_t)bud->log_cap * (size_t)n, 1);
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
            double ratio = s->last_ms / c->target_ms;
            double need = ratio < kmax ? (double)(uint32_t)ratio : kmax;
            if (need < ratio) need += 1; /* ceil, without libm */
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
    if (!bud->replaying && !bud->observe) {
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

/* Reads a whole file into a zero-terminated heap buffer. */
int rt_budget__read_file(const char *path, char **out, size_t *size) {
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
