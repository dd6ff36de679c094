/* export.c -- CSV, JSON summary, Chrome trace and cost profile (see export.h).
 *
 * JSON is built with cJSON, never by hand, so names are always escaped right.
 * The trace can hold hundreds of thousands of events, so it is streamed: each
 * event is one small cJSON object printed and freed in turn, inside a hand-written
 * `{"traceEvents": [` ... `]}` frame. Within a thread, events are written sorted
 * by start time, longer first on a tie, so that a viewer (and the tests) can check
 * nesting with a stack.
 *
 * Next: docs/budgets.md shows each format with an example.
 */
#include "export.h"
#include "rt.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

/* ---- CSV ----------------------------------------------------------------------- */

/* A field quoted per RFC 4180 when it needs to be. */
static void rt_export__csv_field(FILE *out, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void rt_export__csv_us(FILE *out, uint64_t ns) {
    fprintf(out, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static int rt_export__finish(FILE *out) {
    if (fflush(out) != 0 || ferror(out)) return -EIO;
    return 0;
}

int rt_export_csv(rt_monitor *mon, FILE *out) {
    const int32_t n = rt_monitor_system_count(mon);
    fputs("frame,frame_us", out);
    for (int32_t s = 0; s < n; s++) {
        fputc(',', out);
        rt_export__csv_field(out, rt_monitor_system_name(mon, s));
    }
    fputc('\n', out);
    for (uint64_t f = rt_monitor_first_frame(mon); f < rt_monitor_frames(mon); f++) {
        uint64_t frame_ns = 0;
        rt_monitor_frame_sample(mon, f, &frame_ns, NULL);
        fprintf(out, "%llu,", (unsigned long long)f);
        rt_export__csv_us(out, frame_ns);
        for (int32_t s = 0; s < n; s++) {
            fputc(',', out);
            uint64_t v = rt_monitor_sample_ns(mon, f, s);
            if (v != RT_MONITOR_NOT_RUN) rt_export__csv_us(out, v);
        }
        fputc('\n', out);
    }
    return rt_export__finish(out);
}

/* ---- summary ------------------------------------------------------------------- */

static double rt_export__ms(uint64_t ns) { return (double)ns / 1e6; }

/* A float as the decimal it was written as (2.1f, not 2.0999999046325684). */
static double rt_export__float(float x) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", (double)x);
    return strtod(buf, NULL);
}

/* Adds last/mean/max/p50/p95/p99 in ms and the sample count; last is null when
 * the series has no value in the latest frame. */
static void rt_export__add_stats(cJSON *obj, const rt_monitor_stats *st) {
    if (st->last_ns == RT_MONITOR_NOT_RUN) cJSON_AddNullToObject(obj, "last_ms");
    else cJSON_AddNumberToObject(obj, "last_ms", rt_export__ms(st->last_ns));
    cJSON_AddNumberToObject(obj, "mean_ms", st->mean_ns / 1e6);
    cJSON_AddNumberToObject(obj, "max_ms", rt_export__ms(st->max_ns));
    cJSON_AddNumberToObject(obj, "p50_ms", rt_export__ms(st->p50_ns));
    cJSON_AddNumberToObject(obj, "p95_ms", rt_export__ms(st->p95_ns));
    cJSON_AddNumberToObject(obj, "p99_ms", rt_export__ms(st->p99_ns));
    cJSON_AddNumberToObject(obj, "samples", st->samples);
}

static cJSON *rt_export__budget(const rt_budget *bud) {
    rt_budget_info info;
    rt_budget_get_info(bud, &info);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddNumberToObject(b, "frame_target_ms", rt_export__float(info.frame_target_ms));
    cJSON_AddNumberToObject(b, "frame_critical_ms", rt_export__float(info.frame_critical_ms));
    cJSON_AddStringToObject(b, "frame_status", rt_budget_status_name(info.frame_status));
    cJSON_AddNumberToObject(b, "frame_overruns", (double)info.frame_overruns);
    cJSON_AddNumberToObject(b, "frame_critical_overruns", (double)info.frame_critical_overruns);
    cJSON_AddNumberToObject(b, "quality", rt_export__float(info.quality));
    cJSON_AddBoolToObject(b, "emergency", info.emergency);
    cJSON_AddNumberToObject(b, "emergency_throttle", info.emergency_throttle);
    cJSON_AddBoolToObject(b, "replaying", info.replaying);
    cJSON_AddNumberToObject(b, "log_changes", info.log_changes);
    cJSON_AddBoolToObject(b, "log_full", info.log_full);
    return b;
}

static void rt_export__add_budget(cJSON *obj, const rt_budget *bud, int32_t s) {
    rt_budget_system_info info;
    rt_budget_get_system(bud, s, &info);
    cJSON_AddNumberToObject(obj, "target_ms", rt_export__float(info.target_ms));
    cJSON_AddNumberToObject(obj, "critical_ms", rt_export__float(info.critical_ms));
    cJSON_AddBoolToObject(obj, "degradable", info.degradable);
    cJSON_AddStringToObject(obj, "degrade", rt_budget_degrade_name(info.degrade));
    cJSON_AddStringToObject(obj, "status", rt_budget_status_name(info.status));
    cJSON_AddNumberToObject(obj, "throttle", info.throttle);
    cJSON_AddNumberToObject(obj, "overruns", (double)info.overruns);
    cJSON_AddNumberToObject(obj, "critical_overruns", (double)info.critical_overruns);
}

static cJSON *rt_export__memory(const rt_monitor *mon) {
    cJSON *m = cJSON_CreateObject();
    rt_monitor_process_memory pm;
    if (rt_monitor_process_memory_read(&pm) == 0) {
        cJSON_AddNumberToObject(m, "resident_bytes", (double)pm.resident_bytes);
        cJSON_AddNumberToObject(m, "peak_resident_bytes", (double)pm.peak_resident_bytes);
    } else {
        cJSON_AddNullToObject(m, "resident_bytes");
        cJSON_AddNullToObject(m, "peak_resident_bytes");
    }
    cJSON_AddNumberToObject(m, "reported_bytes", (double)rt_monitor_memory_total(mon));
    cJSON *subs = cJSON_AddObjectToObject(m, "subsystems");
    for (int32_t i = 0; i < rt_monitor_memory_count(mon); i++) {
        rt_monitor_memory_entry e = rt_monitor_memory(mon, i);
        cJSON_AddNumberToObject(subs, e.name, (double)e.bytes);
    }
    return m;
}

cJSON *rt_export_summary(rt_monitor *mon, const rt_budget *bud) {
    assert(!bud || rt_budget_system_count(bud) == rt_monitor_system_count(mon));
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    rt_monitor_frame_stats fs;
    rt_monitor_get_frame_stats(mon, &fs);
    cJSON_AddNumberToObject(root, "frames", (double)fs.frames);
    cJSON_AddNumberToObject(root, "window", rt_monitor_window(mon));
    cJSON_AddNumberToObject(root, "threads", rt_monitor_thread_count(mon));
    cJSON_AddStringToObject(root, "clock", rt_monitor_clock_source());
    cJSON *frame = cJSON_AddObjectToObject(root, "frame");
    if (frame) {
        rt_export__add_stats(frame, &fs.time);
        cJSON_AddNumberToObject(frame, "fps", fs.fps);
    }
    if (bud) cJSON_AddItemToObject(root, "budget", rt_export__budget(bud));
    cJSON *systems = cJSON_AddArrayToObject(root, "systems");
    for (int32_t s = 0; s < rt_monitor_system_count(mon) && systems; s++) {
        rt_monitor_stats st;
        rt_monitor_get_system_stats(mon, s, &st);
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddItemToArray(systems, obj);
        cJSON_AddStringToObject(obj, "name", rt_monitor_system_name(mon, s));
        rt_export__add_stats(obj, &st);
        cJSON_AddNumberToObject(obj, "chunks", st.last_chunks);
        if (bud) rt_export__add_budget(obj, bud, s);
    }
    cJSON_AddItemToObject(root, "memory", rt_export__memory(mon));
    return root;
}

/* Prints a tree (formatted or not) to out and deletes it. */
static int rt_export__print(cJSON *root, bool formatted, FILE *out) {
    if (!root) return -ENOMEM;
    char *text = formatted ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) return -ENOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return rt_export__finish(out);
}

int rt_export_summary_json(rt_monitor *mon, const rt_budget *bud, FILE *out) {
    return rt_export__print(rt_export_summary(mon, bud), true, out);
}

cJSON *rt_export_world_summary(rt_world *w) {
    rt_monitor *mon = rt_world_monitor(w);
    if (!mon || rt_world_update_memory(w) != RT_OK) return NULL;
    cJSON *root = rt_export_summary(mon, rt_world_budget(w));
    cJSON *world = root ? cJSON_AddObjectToObject(root, "world") : NULL;
    if (!world) {
        cJSON_Delete(root);
        return NULL;
    }
    const rt_world_stats *st = rt_world_stats_get(w);
    cJSON_AddStringToObject(world, "program", rt_world_program(w)->name);
    cJSON_AddNumberToObject(world, "entities", rt_world_entity_count(w));
    cJSON_AddNumberToObject(world, "threads", st->threads);
    cJSON_AddNumberToObject(world, "stages", (double)st->stages);
    cJSON_AddNumberToObject(world, "parallel_stages", (double)st->parallel_stages);
    cJSON_AddNumberToObject(world, "commands_applied", (double)st->commands_applied);
    cJSON_AddNumberToObject(world, "errors", (double)st->errors);
    cJSON_AddNumberToObject(world, "bytes_live", (double)st->bytes_live);
    return root;
}

/* ---- trace ------------------------------------------------------------------- */

typedef struct rt_export__spans {
    rt_monitor_span *v;
    size_t count, cap;
    bool oom;
} rt_export__spans;

static void rt_export__collect(void *user, const rt_monitor_span *span) {
    rt_export__spans *sp = user;
    if (sp->oom) return;
    if (sp->count == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 1024;
        rt_monitor_span *grown = realloc(sp->v, cap * sizeof *grown);
        if (!grown) {
            sp->oom = true;
            return;
        }
        sp->v = grown;
        sp->cap = cap;
    }
    sp->v[sp->count++] = *span;
}

/* Thread, then start, then longer first: parents before children. */
static int rt_export__span_order(const void *a, const void *b) {
    const rt_monitor_span *x = a, *y = b;
    if (x->thread != y->thread) return x->thread < y->thread ? -1 : 1;
    if (x->begin_ns != y->begin_ns) return x->begin_ns < y->begin_ns ? -1 : 1;
    if (x->end_ns != y->end_ns) return x->end_ns > y->end_ns ? -1 : 1;
    return 0;
}

typedef struct rt_export__stream {
    FILE *out;
    bool first;
    bool oom;
} rt_export__stream;

static void rt_export__emit(rt_export__stream *st, cJSON *event) {
    char *text = event ? cJSON_PrintUnformatted(event) : NULL;
    cJSON_Delete(event);
    if (!text) {
        st->oom = true;
        return;
    }
    fputs(st->first ? "\n" : ",\n", st->out);
    fputs(text, st->out);
    cJSON_free(text);
    st->first = false;
}

static void rt_export__emit_name(rt_export__stream *st, const char *what, int32_t tid, const char *name) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", what);
    cJSON_AddStringToObject(e, "ph", "M");
    cJSON_AddNumberToObject(e, "pid", 1);
    cJSON_AddNumberToObject(e, "tid", tid);
    cJSON *args = cJSON_AddObjectToObject(e, "args");
    cJSON_AddStringToObject(args, "name", name);
    rt_export__emit(st, e);
}

static void rt_export__emit_span(rt_export__stream *st, const char *name, const char *cat, int32_t tid,
                                 uint64_t begin_ns, uint64_t end_ns, uint64_t origin_ns, uint64_t frame) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", name);
    cJSON_AddStringToObject(e, "cat", cat);
    cJSON_AddStringToObject(e, "ph", "X");
    cJSON_AddNumberToObject(e, "ts", (double)(begin_ns - origin_ns) / 1e3);
    cJSON_AddNumberToObject(e, "dur", (double)(end_ns - begin_ns) / 1e3);
    cJSON_AddNumberToObject(e, "pid", 1);
    cJSON_AddNumberToObject(e, "tid", tid);
    cJSON *args = cJSON_AddObjectToObject(e, "args");
    cJSON_AddNumberToObject(args, "frame", (double)frame);
    rt_export__emit(st, e);
}

/* Frame f as an interval: it ended at its stamp and lasted frame_ns, but never
 * starts before the previous frame ended, so the frames track nests. */
static void rt_export__frame_interval(const rt_monitor *mon, uint64_t f, uint64_t first,
                                      uint64_t *begin, uint64_t *end) {
    uint64_t ns = 0, stamp = 0, prev_ns, prev_stamp = 0;
    rt_monitor_frame_sample(mon, f, &ns, &stamp);
    *end = stamp;
    *begin = stamp > ns ? stamp - ns : 0;
    if (f > first && rt_monitor_frame_sample(mon, f - 1, &prev_ns, &prev_stamp) && *begin < prev_stamp)
        *begin = prev_stamp < stamp ? prev_stamp : stamp;
}

int rt_export_trace(const rt_monitor *mon, uint64_t first, uint64_t last, FILE *out) {
    const int32_t threads = rt_monitor_thread_count(mon);
    uint64_t frames = rt_monitor_frames(mon);
    if (first < rt_monitor_first_frame(mon)) first = rt_monitor_first_frame(mon);
    if (frames == 0 || last >= frames) last = frames ? frames - 1 : 0;
    bool any = frames > 0 && first <= last;

    rt_export__spans sp = {0};
    uint64_t dropped = any ? rt_monitor_each_span(mon, first, last, rt_export__collect, &sp) : 0;
    if (sp.oom) {
        free(sp.v);
        return -ENOMEM;
    }
    if (sp.count) qsort(sp.v, sp.count, sizeof *sp.v, rt_export__span_order);

    uint64_t origin = UINT64_MAX, begin, end;
    for (size_t i = 0; i < sp.count; i++)
        if (sp.v[i].begin_ns < origin) origin = sp.v[i].begin_ns;
    for (uint64_t f = first; any && f <= last; f++) {
        rt_export__frame_interval(mon, f, first, &begin, &end);
        if (begin < origin) origin = begin;
    }

    rt_export__stream st = {.out = out, .first = true};
    fputs("{\"traceEvents\":[", out);
    rt_export__emit_name(&st, "process_name", 0, "ecsc");
    for (int32_t t = 0; t < threads; t++)
        rt_export__emit_name(&st, "thread_name", t, rt_monitor_thread_name(mon, t));
    rt_export__emit_name(&st, "thread_name", threads, "frames");
    for (size_t i = 0; i < sp.count && !st.oom; i++) {
        const rt_monitor_span *s = &sp.v[i];
        rt_export__emit_span(&st, rt_monitor_system_name(mon, s->system), "system", s->thread,
                             s->begin_ns, s->end_ns, origin, s->frame);
    }
    for (uint64_t f = first; any && f <= last && !st.oom; f++) {
        rt_export__frame_interval(mon, f, first, &begin, &end);
        rt_export__emit_span(&st, "frame", "frame", threads, begin, end, origin, f);
    }
    fputs("\n],\"displayTimeUnit\":\"ns\"}\n", out);
    free(sp.v);
    if (st.oom) return -ENOMEM;
    int rc = rt_export__finish(out);
    if (rc) return rc;
    return dropped ? -ENODATA : 0;
}

/* ---- cost profile -------------------------------------------------------------- */

/* The format is profile.c's; this only fills it from the monitor's window. */
int rt_export_profile(rt_monitor *mon, FILE *out) {
    const int32_t n = rt_monitor_system_count(mon);
    rt_profile p = {
        .frames = rt_monitor_frames(mon) - rt_monitor_first_frame(mon),
        .system_count = n,
        .systems = calloc((size_t)n, sizeof(rt_profile_system)),
    };
    if (!p.systems) return -ENOMEM;
    for (int32_t s = 0; s < n; s++) {
        rt_monitor_stats st;
        rt_monitor_get_system_stats(mon, s, &st);
        p.systems[s] = (rt_profile_system){
            .name = rt_monitor_system_name(mon, s),
            .mean_us = st.mean_ns / 1e3,
            .p50_us = (double)st.p50_ns / 1e3,
            .p95_us = (double)st.p95_ns / 1e3,
            .p99_us = (double)st.p99_ns / 1e3,
            .max_us = (double)st.max_ns / 1e3,
            .samples = st.samples,
        };
    }
    int rc = rt_profile_write(&p, out);
    free(p.systems);
    return rc;
}
