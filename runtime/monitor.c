/* monitor.c -- the performance monitor (see monitor.h for the contract).
 *
 * Layout. Each thread index owns a slot, alone on its cache lines: `acc[s]` (ns
 * and chunks of system s so far this frame, side by side so that record() dirties
 * one line for them) and a ring of spans. record() touches only its own slot, so
 * it needs neither a lock nor an atomic. frame_end() runs after every record() of
 * the frame (the caller guarantees the ordering), sums the slots into one row of
 * the window and zeroes them, in one pass over each slot; a slot that recorded
 * nothing this frame (its `records` is 0) is all zero already and is skipped, so a
 * frame that ran on one thread costs one pass whatever the thread count.
 *
 * The window is frame-major: hist[(f % window) * system_count + s] is system s's
 * time in frame f, or RT_MONITOR_NOT_RUN. A frame's row is written in one
 * sequential pass and is what the budget controller reads each frame; the
 * statistics of one system gather a strided column, but only on demand.
 *
 * Spans carry no frame number. Instead span_end[(f % (window + 1)) * threads + t]
 * is thread t's ring head when frame f ended, so frame f's spans on t are the ring
 * indices [span_end of f - 1, span_end of f). One extra slot keeps the boundary
 * before the oldest frame of the window. A span index i is still in the ring while
 * i >= head - ring size.
 *
 * Next: budget.c reads rt_monitor_last_row each frame; export.c writes files.
 */
#include "monitor.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define RT_MONITOR__HAVE_TSC 1
#endif

enum {
    RT_MONITOR__DEFAULT_WINDOW = 600,     /* frames */
    RT_MONITOR__DEFAULT_SPANS = 1 << 16,  /* per thread */
    RT_MONITOR__DEFAULT_MEMORY_SLOTS = 64,
    RT_MONITOR__MAX_SYSTEMS = 1 << 20,
    RT_MONITOR__MAX_THREADS = 1024,
    RT_MONITOR__MAX_WINDOW = 1 << 20,
    RT_MONITOR__MAX_SPANS = 1 << 26,
    RT_MONITOR__MAX_MEMORY_SLOTS = 1 << 16,
    RT_MONITOR__CACHE_LINE = 64,          /* bytes */
};

/* ---- clock ---------------------------------------------------------------- */

static struct {
    atomic_int ready;  /* set once, after the fields below */
    int use_tsc;
    uint64_t tsc0;     /* ticks at calibration */
    uint64_t ns0;      /* CLOCK_MONOTONIC at tsc0, ns */
    uint64_t mult;     /* ns per tick, 32.32 fixed point */
} rt_monitor__clk;
static pthread_once_t rt_monitor__clk_once = PTHREAD_ONCE_INIT;

uint64_t rt_monitor_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef RT_MONITOR__HAVE_TSC
/* The kernel only keeps the TSC as its clocksource when it found it invariant and
 * synchronised across CPUs, so its choice is the test we trust. */
static int rt_monitor__kernel_uses_tsc(void) {
    char buf[32] = {0};
    int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n >= 3 && strncmp(buf, "tsc", 3) == 0 && (buf[3] == '\n' || buf[3] == 0);
}

/* A (ticks, ns) pair read as close together as possible: of a few tries, the one
 * whose two TSC reads bracket the clock_gettime most tightly. */
static void rt_monitor__clk_pair(uint64_t *tsc, uint64_t *ns) {
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 8; i++) {
        uint64_t a = __rdtsc();
        uint64_t t = rt_monitor_monotonic_ns();
        uint64_t b = __rdtsc();
        if (b - a < best) {
            best = b - a;
            *tsc = a + (b - a) / 2;
            *ns = t;
        }
    }
}
#endif

static void rt_monitor__clk_calibrate(void) {
#ifdef RT_MONITOR__HAVE_TSC
    if (rt_monitor__kernel_uses_tsc()) {
        uint64_t t0, n0, t1, n1;
        rt_monitor__clk_pair(&t0, &n0);
        struct timespec nap = {0, 10 * 1000 * 1000}; /* 10 ms: ~5 ppm of pair jitter */
        while (nanosleep(&nap, &nap) != 0 && errno == EINTR) {}
        rt_monitor__clk_pair(&t1, &n1);
        if (t1 > t0 && n1 > n0) {
            rt_monitor__clk.tsc0 = t0;
            rt_monitor__clk.ns0 = n0;
            rt_monitor__clk.mult = (uint64_t)(((unsigned __int128)(n1 - n0) << 32) / (t1 - t0));
            rt_monitor__clk.use_tsc = 1;
        }
    }
#endif
    atomic_store_explicit(&rt_monitor__clk.ready, 1, memory_order_release);
}

uint64_t rt_monitor_now_ns(void) {
    if (!atomic_load_explicit(&rt_monitor__clk.ready, memory_order_acquire))
        pthread_once(&rt_monitor__clk_once, rt_monitor__clk_calibrate);
#ifdef RT_MONITOR__HAVE_TSC
    if (rt_monitor__clk.use_tsc) {
        uint64_t d = __rdtsc() - rt_monitor__clk.tsc0;
        return rt_monitor__clk.ns0 + (uint64_t)(((unsigned __int128)d * rt_monitor__clk.mult) >> 32);
    }
#endif
    return rt_monitor_monotonic_ns();
}

const char *rt_monitor_clock_source(void) {
    (void)rt_monitor_now_ns();
    return rt_monitor__clk.use_tsc ? "tsc" : "monotonic";
}

/* ---- the monitor ------------------------------------------------------------ */

typedef struct rt_monitor__span {
    uint64_t begin_ns;
    uint32_t dur_ns;  /* clamped to ~4.29 s */
    int32_t system;
} rt_monitor__span;

typedef struct rt_monitor__acc {
    uint64_t ns;              /* this frame */
    uint64_t chunks;          /* this frame */
} rt_monitor__acc;

typedef struct rt_monitor__slot {
    rt_monitor__acc *acc;     /* [system_count] */
    rt_monitor__span *spans;  /* ring of span_mask + 1, or NULL without trace */
    uint64_t head;            /* spans recorded since create */
    uint64_t records;         /* runs recorded this frame: 0 -> acc is all zero */
} __attribute__((aligned(RT_MONITOR__CACHE_LINE))) rt_monitor__slot;

struct rt_monitor {
    int32_t system_count, thread_count, window;
    uint32_t span_mask;           /* ring size - 1 */
    char **system_names;          /* [system_count], into names_block */
    char **thread_names;          /* [thread_count], into names_block */
    char *names_block;
    rt_monitor__slot *slots;      /* [thread_count] */
    void *slot_arrays;            /* acc of every slot, line-aligned */
    uint64_t frames;              /* ended since create */
    size_t hist_at;               /* frames % window: this frame's row */
    size_t span_at;               /* frames % (window + 1): this frame's span ends */
    uint64_t *hist;               /* [window][system_count] ns or NOT_RUN */
    uint64_t *frame_ns;           /* [window] */
    uint64_t *frame_stamp;        /* [window] clock at frame end, ns */
    uint64_t *span_end;           /* [window + 1][thread_count] ring heads */
    uint32_t *last_chunks;        /* [system_count] */
    uint64_t *scratch;            /* [window] for sorting */
    uint64_t (*clock)(void *user);
    void *clock_user;
    int32_t memory_slots;
    atomic_int memory_count;      /* published with release after the name */
    char (*memory_names)[RT_MONITOR_MEMORY_NAME_MAX];
    _Atomic uint64_t *memory_bytes;
    void *(*alloc)(void *user, size_t size, size_t align);
    void (*free)(void *user, void *ptr);
    void *alloc_user;
    size_t bytes;                 /* held, all allocations together */
};

static uint64_t rt_monitor__default_clock(void *user) {
    (void)user;
    return rt_monitor_now_ns();
}

static size_t rt_monitor__round_line(size_t bytes) {
    return (bytes + RT_MONITOR__CACHE_LINE - 1) & ~(size_t)(RT_MONITOR__CACHE_LINE - 1);
}

static uint32_t rt_monitor__pow2(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

/* Memory comes from the desc's allocator (malloc by default), always zeroed and
 * aligned to a cache line; the monitor counts what it holds. */
static void *rt_monitor__default_alloc(void *user, size_t size, size_t align) {
    (void)user;
    void *p = NULL;
    return posix_memalign(&p, align, size ? size : 1) == 0 ? p : NULL;
}

static void rt_monitor__default_free(void *user, void *ptr) {
    (void)user;
    free(ptr);
}

static void *rt_monitor__alloc(rt_monitor *mon, size_t count, size_t size) {
    size_t bytes = rt_monitor__round_line(count * size);
    void *p = mon->alloc(mon->alloc_user, bytes ? bytes : RT_MONITOR__CACHE_LINE,
                         RT_MONITOR__CACHE_LINE);
    if (p) {
        memset(p, 0, bytes);
        mon->bytes += bytes;
    }
    return p;
}

static void rt_monitor__free(rt_monitor *mon, void *p) {
    if (p) mon->free(mon->alloc_user, p);
}

void rt_monitor_destroy(rt_monitor *mon) {
    if (!mon) return;
    if (mon->slots)
        for (int32_t t = 0; t < mon->thread_count; t++) rt_monitor__free(mon, mon->slots[t].spans);
    rt_monitor__free(mon, mon->slots);
    rt_monitor__free(mon, mon->slot_arrays);
    rt_monitor__free(mon, mon->system_names);
    rt_monitor__free(mon, mon->thread_names);
    rt_monitor__free(mon, mon->names_block);
    rt_monitor__free(mon, mon->hist);
    rt_monitor__free(mon, mon->frame_ns);
    rt_monitor__free(mon, mon->frame_stamp);
    rt_monitor__free(mon, mon->span_end);
    rt_monitor__free(mon, mon->last_chunks);
    rt_monitor__free(mon, mon->scratch);
    rt_monitor__free(mon, mon->memory_names);
    rt_monitor__free(mon, (void *)mon->memory_bytes);
    mon->free(mon->alloc_user, mon);
}

size_t rt_monitor_bytes(const rt_monitor *mon) { return mon->bytes; }

int rt_monitor_create(const rt_monitor_desc *desc, rt_monitor **out) {
    if (!desc || !out || !desc->system_names) return -EINVAL;
    /* Defaults, in one place. */
    int32_t systems = desc->system_count;
    int32_t threads = desc->thread_count ? desc->thread_count : 1;
    int32_t window = desc->window_frames ? desc->window_frames : RT_MONITOR__DEFAULT_WINDOW;
    int32_t spans = desc->trace_spans ? desc->trace_spans : RT_MONITOR__DEFAULT_SPANS;
    int32_t memory_slots = desc->memory_slots ? desc->memory_slots : RT_MONITOR__DEFAULT_MEMORY_SLOTS;
    if (systems < 1 || systems > RT_MONITOR__MAX_SYSTEMS) return -EINVAL;
    if (threads < 1 || threads > RT_MONITOR__MAX_THREADS) return -EINVAL;
    if (window < 1 || window > RT_MONITOR__MAX_WINDOW) return -EINVAL;
    if (spans < -1 || spans > RT_MONITOR__MAX_SPANS) return -EINVAL;
    if (memory_slots < 1 || memory_slots > RT_MONITOR__MAX_MEMORY_SLOTS) return -EINVAL;

    size_t name_bytes = 0;
    for (int32_t s = 0; s < systems; s++) {
        if (!desc->system_names[s]) return -EINVAL;
        name_bytes += strlen(desc->system_names[s]) + 1;
    }
    char default_name[32];
    for (int32_t t = 0; t < threads; t++) {
        if (desc->thread_names && !desc->thread_names[t]) return -EINVAL;
        name_bytes += desc->thread_names ? strlen(desc->thread_names[t]) + 1 : sizeof default_name;
    }

    (void)rt_monitor_now_ns(); /* calibrate before anyone times with it */

    if (!desc->alloc != !desc->free) return -EINVAL;
    void *(*alloc)(void *, size_t, size_t) = desc->alloc ? desc->alloc : rt_monitor__default_alloc;
    rt_monitor *mon = alloc(desc->alloc_user, rt_monitor__round_line(sizeof *mon),
                            RT_MONITOR__CACHE_LINE);
    if (!mon) return -ENOMEM;
    memset(mon, 0, sizeof *mon);
    mon->alloc = alloc;
    mon->free = desc->free ? desc->free : rt_monitor__default_free;
    mon->alloc_user = desc->alloc_user;
    mon->bytes = rt_monitor__round_line(sizeof *mon);
    mon->system_count = systems;
    mon->thread_count = threads;
    mon->window = window;
    mon->memory_slots = memory_slots;
    mon->clock = desc->clock ? desc->clock : rt_monitor__default_clock;
    mon->clock_user = desc->clock_user;

    size_t acc_bytes = rt_monitor__round_line((size_t)systems * sizeof(rt_monitor__acc));
    mon->system_names = rt_monitor__alloc(mon, (size_t)systems, sizeof(char *));
    mon->thread_names = rt_monitor__alloc(mon, (size_t)threads, sizeof(char *));
    mon->names_block = rt_monitor__alloc(mon, name_bytes, 1);
    mon->slots = rt_monitor__alloc(mon, (size_t)threads, sizeof(rt_monitor__slot));
    mon->slot_arrays = rt_monitor__alloc(mon, (size_t)threads, acc_bytes);
    mon->hist = rt_monitor__alloc(mon, (size_t)window * (size_t)systems, sizeof(uint64_t));
    mon->frame_ns = rt_monitor__alloc(mon, (size_t)window, sizeof(uint64_t));
    mon->frame_stamp = rt_monitor__alloc(mon, (size_t)window, sizeof(uint64_t));
    mon->span_end = rt_monitor__alloc(mon, (size_t)(window + 1) * (size_t)threads, sizeof(uint64_t));
    mon->last_chunks = rt_monitor__alloc(mon, (size_t)systems, sizeof(uint32_t));
    mon->scratch = rt_monitor__alloc(mon, (size_t)window, sizeof(uint64_t));
    mon->memory_names = rt_monitor__alloc(mon, (size_t)memory_slots, sizeof *mon->memory_names);
    mon->memory_bytes = rt_monitor__alloc(mon, (size_t)memory_slots, sizeof *mon->memory_bytes);
    if (!mon->system_names || !mon->thread_names || !mon->names_block || !mon->slots ||
        !mon->slot_arrays || !mon->hist || !mon->frame_ns || !mon->frame_stamp ||
        !mon->span_end || !mon->last_chunks || !mon->scratch || !mon->memory_names ||
        !mon->memory_bytes) {
        rt_monitor_destroy(mon);
        return -ENOMEM;
    }

    char *p = mon->names_block;
    for (int32_t s = 0; s < systems; s++) {
        size_t n = strlen(desc->system_names[s]) + 1;
        memcpy(p, desc->system_names[s], n);
        mon->system_names[s] = p;
        p += n;
    }
    for (int32_t t = 0; t < threads; t++) {
        const char *name = default_name;
        if (desc->thread_names) name = desc->thread_names[t];
        else if (t == 0) snprintf(default_name, sizeof default_name, "main");
        else snprintf(default_name, sizeof default_name, "worker %d", (int)t);
        size_t n = strlen(name) + 1;
        memcpy(p, name, n);
        mon->thread_names[t] = p;
        p += n;
    }

    uint32_t ring = spans > 0 ? rt_monitor__pow2((uint32_t)spans) : 0;
    mon->span_mask = ring ? ring - 1 : 0;
    char *arrays = mon->slot_arrays;
    for (int32_t t = 0; t < threads; t++) {
        rt_monitor__slot *slot = &mon->slots[t];
        slot->acc = (rt_monitor__acc *)(arrays + (size_t)t * acc_bytes);
        if (ring) {
            slot->spans = rt_monitor__alloc(mon, ring, sizeof(rt_monitor__span));
            if (!slot->spans) {
                rt_monitor_destroy(mon);
                return -ENOMEM;
            }
        }
    }
    *out = mon;
    return 0;
}

/* ---- hot path --------------------------------------------------------------- */

/* One run into a thread's slot: its time and chunk count, and its span. */
static inline void rt_monitor__put(rt_monitor *mon, rt_monitor__slot *slot, int32_t system,
                                   uint64_t begin_ns, uint64_t end_ns) {
    assert(system >= 0 && system < mon->system_count);
    assert(end_ns >= begin_ns);
    uint64_t d = end_ns - begin_ns;
    slot->acc[system].ns += d;
    slot->acc[system].chunks++;
    if (slot->spans) {
        rt_monitor__span *sp = &slot->spans[slot->head & mon->span_mask];
        sp->begin_ns = begin_ns;
        sp->dur_ns = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        sp->system = system;
        slot->head++;
    }
}

void rt_monitor_record(rt_monitor *mon, int32_t system, int32_t thread,
                       uint64_t begin_ns, uint64_t end_ns) {
    assert(thread >= 0 && thread < mon->thread_count);
    rt_monitor__slot *slot = &mon->slots[thread];
    slot->records++;
    rt_monitor__put(mon, slot, system, begin_ns, end_ns);
}

void rt_monitor_record_many(rt_monitor *mon, int32_t thread, int32_t n, const int32_t *systems,
                            uint64_t begin_ns, const uint64_t *end_ns) {
    assert(thread >= 0 && thread < mon->thread_count);
    assert(n >= 0);
    rt_monitor__slot *slot = &mon->slots[thread];
    /* The slot's fields in locals: the stores below may alias them as far as
     * the compiler knows (the build has -fno-strict-aliasing). */
    rt_monitor__acc *acc = slot->acc;
    rt_monitor__span *spans = slot->spans;
    const uint64_t mask = mon->span_mask;
    uint64_t head = slot->head;
    for (int32_t k = 0; k < n; k++) {
        int32_t s = systems[k];
        uint64_t end = end_ns[k], d = end - begin_ns;
        assert(s >= 0 && s < mon->system_count);
        assert(end >= begin_ns);
        acc[s].ns += d;
        acc[s].chunks++;
        if (spans) {
            rt_monitor__span *sp = &spans[head++ & mask];
            sp->begin_ns = begin_ns;
            sp->dur_ns = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
            sp->system = s;
        }
        begin_ns = end;
    }
    slot->head = head;
    slot->records += (uint64_t)n;
}

/* Asks for the lines the next frame will write on the calling thread (the
 * main thread, slot 0): its row of the window, and as many spans as this
 * frame recorded there. Both were last written a window (a ring) ago, so
 * they are out of the nearer caches by now; fetched here, they arrive while
 * the next frame runs instead of stalling its writes. Only a hint. */
static void rt_monitor__warm_next(const rt_monitor *mon, uint64_t spans) {
    enum { LINE = RT_MONITOR__CACHE_LINE, MOST = 256 }; /* lines of each kind, at most */
    const size_t S = (size_t)mon->system_count;
    const char *row = (const char *)(mon->hist + mon->hist_at * S);
    size_t lines = (S * sizeof *mon->hist + LINE - 1) / LINE;
    for (size_t k = 0; k < lines && k < MOST; k++) __builtin_prefetch(row + k * LINE, 1);
    const rt_monitor__slot *slot = &mon->slots[0];
    if (!slot->spans) return;
    const size_t per_line = LINE / sizeof(rt_monitor__span);
    if (spans > (uint64_t)mon->span_mask + 1) spans = (uint64_t)mon->span_mask + 1;
    for (uint64_t i = 0; i < spans && i / per_line < MOST; i += per_line)
        __builtin_prefetch(&slot->spans[(slot->head + i) & mon->span_mask], 1);
}

void rt_monitor_frame_end(rt_monitor *mon, uint64_t frame_ns) {
    rt_monitor_frame_end_at(mon, frame_ns, mon->clock(mon->clock_user));
}

void rt_monitor_frame_end_at(rt_monitor *mon, uint64_t frame_ns, uint64_t end_ns) {
    const int32_t S = mon->system_count, T = mon->thread_count;
    const uint64_t f = mon->frames;
    /* The ring positions are counted along rather than taken modulo the
     * window: three 64-bit divides were a visible part of a small frame. */
    const size_t slot_index = mon->hist_at, span_index = mon->span_at;
    uint64_t *row = mon->hist + slot_index * (size_t)S;
    uint32_t *chunks = mon->last_chunks;
    uint64_t *span_end = mon->span_end + span_index * (size_t)T;

    /* One pass per slot that recorded anything this frame (the others are
     * still all zero), reading and clearing it together: the first such slot
     * sets the row, later ones add to it. With one such slot (one thread, or
     * a frame that stayed on the calling thread) the pass writes the row
     * finished, NOT_RUN included. */
    int32_t active = 0, last = -1;
    for (int32_t t = 0; t < T; t++)
        if (mon->slots[t].records) active++, last = t;
    if (active == 0) {
        for (int32_t s = 0; s < S; s++) {
            row[s] = RT_MONITOR_NOT_RUN;
            chunks[s] = 0;
        }
    } else if (active == 1) {
        rt_monitor__acc *acc = mon->slots[last].acc;
        for (int32_t s = 0; s < S; s++) {
            row[s] = acc[s].chunks ? acc[s].ns : RT_MONITOR_NOT_RUN;
            chunks[s] = (uint32_t)acc[s].chunks;
            acc[s] = (rt_monitor__acc){0, 0};
        }
    } else {
        bool first = true;
        for (int32_t t = 0; t < T; t++) {
            rt_monitor__acc *acc = mon->slots[t].acc;
            if (!mon->slots[t].records) continue;
            for (int32_t s = 0; s < S; s++) {
                row[s] = (first ? 0 : row[s]) + acc[s].ns;
                chunks[s] = (first ? 0 : chunks[s]) + (uint32_t)acc[s].chunks;
                acc[s] = (rt_monitor__acc){0, 0};
            }
            first = false;
        }
        for (int32_t s = 0; s < S; s++)
            if (chunks[s] == 0) row[s] = RT_MONITOR_NOT_RUN;
    }
    const size_t prev = span_index ? span_index - 1 : (size_t)mon->window; /* (f - 1) % (window + 1) */
    uint64_t recorded = mon->slots[0].head - /* spans of slot 0 this frame */
                        (f ? mon->span_end[prev * (size_t)T] : 0);
    for (int32_t t = 0; t < T; t++) {
        mon->slots[t].records = 0;
        span_end[t] = mon->slots[t].head;
    }
    mon->frame_ns[slot_index] = frame_ns;
    mon->frame_stamp[slot_index] = end_ns;
    mon->frames = f + 1;
    mon->hist_at = slot_index + 1 == (size_t)mon->window ? 0 : slot_index + 1;
    mon->span_at = span_index == (size_t)mon->window ? 0 : span_index + 1;
    rt_monitor__warm_next(mon, recorded);
}

/* ---- statistics ------------------------------------------------------------ */

int32_t rt_monitor_system_count(const rt_monitor *mon) { return mon->system_count; }
int32_t rt_monitor_thread_count(const rt_monitor *mon) { return mon->thread_count; }
int32_t rt_monitor_window(const rt_monitor *mon) { return mon->window; }
uint64_t rt_monitor_frames(const rt_monitor *mon) { return mon->frames; }

const char *rt_monitor_system_name(const rt_monitor *mon, int32_t system) {
    assert(system >= 0 && system < mon->system_count);
    return mon->system_names[system];
}

const char *rt_monitor_thread_name(const rt_monitor *mon, int32_t thread) {
    assert(thread >= 0 && thread < mon->thread_count);
    return mon->thread_names[thread];
}

uint64_t rt_monitor_first_frame(const rt_monitor *mon) {
    uint64_t w = (uint64_t)mon->window;
    return mon->frames > w ? mon->frames - w : 0;
}

static bool rt_monitor__in_window(const rt_monitor *mon, uint64_t frame) {
    return frame >= rt_monitor_first_frame(mon) && frame < mon->frames;
}

uint64_t rt_monitor_sample_ns(const rt_monitor *mon, uint64_t frame, int32_t system) {
    assert(system >= 0 && system < mon->system_count);
    if (!rt_monitor__in_window(mon, frame)) return RT_MONITOR_NOT_RUN;
    return mon->hist[(size_t)(frame % (uint64_t)mon->window) * (size_t)mon->system_count + (size_t)system];
}

const uint64_t *rt_monitor_last_row(const rt_monitor *mon) {
    if (mon->frames == 0) return NULL;
    return mon->hist + (size_t)((mon->frames - 1) % (uint64_t)mon->window) * (size_t)mon->system_count;
}

bool rt_monitor_frame_sample(const rt_monitor *mon, uint64_t frame,
                             uint64_t *frame_ns, uint64_t *end_stamp_ns) {
    if (!rt_monitor__in_window(mon, frame)) return false;
    size_t i = (size_t)(frame % (uint64_t)mon->window);
    if (frame_ns) *frame_ns = mon->frame_ns[i];
    if (end_stamp_ns) *end_stamp_ns = mon->frame_stamp[i];
    return true;
}

/* Wirth's selection: rearranges v[lo..hi] so that v[k] holds the value it would
 * have if sorted, with nothing greater before it and nothing smaller after. */
static void rt_monitor__select(uint64_t *v, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t k) {
    while (lo < hi) {
        const uint64_t x = v[k];
        ptrdiff_t i = lo, j = hi;
        do {
            while (v[i] < x) i++;
            while (x < v[j]) j--;
            if (i <= j) {
                uint64_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k) lo = i;
        if (k < i) hi = j;
    }
}

/* Nearest rank: the 0-based index of the p-th percentile of n sorted samples,
 * rank ceil(p/100 * n) - 1. */
static ptrdiff_t rt_monitor__rank(uint32_t n, uint32_t p) {
    assert(n > 0 && p > 0 && p <= 100);
    return (ptrdiff_t)(((uint64_t)p * n + 99) / 100) - 1;
}

/* Fills the order statistics of out from the n samples in mon->scratch, which it
 * reorders: three selections, each in the part above the previous one, so about
 * 2n steps instead of a sort. */
static void rt_monitor__order_stats(rt_monitor *mon, uint32_t n, rt_monitor_stats *out) {
    out->samples = n;
    if (n == 0) return;
    uint64_t *v = mon->scratch;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += (double)v[i];
    out->mean_ns = sum / n;
    const ptrdiff_t last = (ptrdiff_t)n - 1;
    const ptrdiff_t r50 = rt_monitor__rank(n, 50), r95 = rt_monitor__rank(n, 95), r99 = rt_monitor__rank(n, 99);
    rt_monitor__select(v, 0, last, r50);
    rt_monitor__select(v, r50, last, r95);
    rt_monitor__select(v, r95, last, r99);
    out->p50_ns = v[r50];
    out->p95_ns = v[r95];
    out->p99_ns = v[r99];
    out->max_ns = v[r99];
    for (ptrdiff_t i = r99 + 1; i <= last; i++)
        if (v[i] > out->max_ns) out->max_ns = v[i];
}

void rt_monitor_get_system_stats(rt_monitor *mon, int32_t system, rt_monitor_stats *out) {
    assert(system >= 0 && system < mon->system_count);
    memset(out, 0, sizeof *out);
    out->last_ns = mon->frames ? rt_monitor_sample_ns(mon, mon->frames - 1, system) : RT_MONITOR_NOT_RUN;
    out->last_chunks = mon->frames ? mon->last_chunks[system] : 0;
    uint32_t n = 0;
    for (uint64_t f = rt_monitor_first_frame(mon); f < mon->frames; f++) {
        uint64_t v = rt_monitor_sample_ns(mon, f, system);
        if (v != RT_MONITOR_NOT_RUN) mon->scratch[n++] = v;
    }
    rt_monitor__order_stats(mon, n, out);
}

void rt_monitor_get_frame_stats(rt_monitor *mon, rt_monitor_frame_stats *out) {
    memset(out, 0, sizeof *out);
    out->frames = mon->frames;
    out->time.last_ns = RT_MONITOR_NOT_RUN;
    uint32_t n = 0;
    for (uint64_t f = rt_monitor_first_frame(mon); f < mon->frames; f++)
        rt_monitor_frame_sample(mon, f, &mon->scratch[n++], NULL);
    if (n) rt_monitor_frame_sample(mon, mon->frames - 1, &out->time.last_ns, NULL);
    rt_monitor__order_stats(mon, n, &out->time);
    out->fps = out->time.mean_ns > 0 ? 1e9 / out->time.mean_ns : 0;
}

uint64_t rt_monitor_each_span(const rt_monitor *mon, uint64_t first, uint64_t last,
                              void (*fn)(void *user, const rt_monitor_span *span),
                              void *user) {
    if (mon->frames == 0 || !mon->slots[0].spans) return 0;
    if (first < rt_monitor_first_frame(mon)) first = rt_monitor_first_frame(mon);
    if (last >= mon->frames) last = mon->frames - 1;
    const uint64_t ends = (uint64_t)mon->window + 1, T = (uint64_t)mon->thread_count;
    const uint64_t ring = (uint64_t)mon->span_mask + 1;
    uint64_t dropped = 0;
    for (int32_t t = 0; t < mon->thread_count; t++) {
        const rt_monitor__slot *slot = &mon->slots[t];
        uint64_t oldest = slot->head > ring ? slot->head - ring : 0;
        for (uint64_t f = first; f <= last && first <= last; f++) {
            uint64_t begin = f ? mon->span_end[((f - 1) % ends) * T + (uint64_t)t] : 0;
            uint64_t end = mon->span_end[(f % ends) * T + (uint64_t)t];
            for (uint64_t i = begin; i < end; i++) {
                if (i < oldest) {
                    dropped++;
                    continue;
                }
                const rt_monitor__span *sp = &slot->spans[i & mon->span_mask];
                rt_monitor_span span = {
                    .begin_ns = sp->begin_ns,
                    .end_ns = sp->begin_ns + sp->dur_ns,
                    .frame = f,
                    .system = sp->system,
                    .thread = t,
                };
                fn(user, &span);
            }
        }
    }
    return dropped;
}

/* ---- memory ------------------------------------------------------------------ */

int32_t rt_monitor_memory_id(rt_monitor *mon, const char *name) {
    if (!name || !name[0]) return -EINVAL;
    if (strlen(name) >= RT_MONITOR_MEMORY_NAME_MAX) return -ENAMETOOLONG;
    int32_t n = atomic_load_explicit(&mon->memory_count, memory_order_relaxed);
    for (int32_t i = 0; i < n; i++)
        if (strcmp(mon->memory_names[i], name) == 0) return i;
    if (n == mon->memory_slots) return -ENOSPC;
    strcpy(mon->memory_names[n], name);
    atomic_store_explicit(&mon->memory_bytes[n], 0, memory_order_relaxed);
    atomic_store_explicit(&mon->memory_count, n + 1, memory_order_release);
    return n;
}

void rt_monitor_set_memory_id(rt_monitor *mon, int32_t id, uint64_t bytes) {
    assert(id >= 0 && id < mon->memory_slots);
    atomic_store_explicit(&mon->memory_bytes[id], bytes, memory_order_relaxed);
}

int rt_monitor_set_memory(rt_monitor *mon, const char *name, uint64_t bytes) {
    int32_t id = rt_monitor_memory_id(mon, name);
    if (id < 0) return id;
    rt_monitor_set_memory_id(mon, id, bytes);
    return 0;
}

int32_t rt_monitor_memory_count(const rt_monitor *mon) {
    return atomic_load_explicit(&((rt_monitor *)mon)->memory_count, memory_order_acquire);
}

rt_monitor_memory_entry rt_monitor_memory(const rt_monitor *mon, int32_t id) {
    assert(id >= 0 && id < rt_monitor_memory_count(mon));
    return (rt_monitor_memory_entry){
        .name = mon->memory_names[id],
        .bytes = atomic_load_explicit(&mon->memory_bytes[id], memory_order_relaxed),
    };
}

uint64_t rt_monitor_memory_total(const rt_monitor *mon) {
    uint64_t total = 0;
    for (int32_t i = 0, n = rt_monitor_memory_count(mon); i < n; i++)
        total += rt_monitor_memory(mon, i).bytes;
    return total;
}

int rt_monitor_process_memory_read(rt_monitor_process_memory *out) {
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int err = errno;
    close(fd);
    if (n <= 0) return n < 0 ? -err : -EIO;
    buf[n] = 0;
    /* statm: size resident shared text lib data dt, in pages. */
    char *end;
    (void)strtoull(buf, &end, 10);
    unsigned long long resident = strtoull(end, &end, 10);
    if (end == buf) return -EIO;
    long page = sysconf(_SC_PAGESIZE);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -errno;
    out->resident_bytes = (uint64_t)resident * (uint64_t)page;
    out->peak_resident_bytes = (uint64_t)ru.ru_maxrss * 1024u; /* ru_maxrss is in KiB */
    /* The kernel updates ru_maxrss lazily; the peak is at least what is resident now. */
    if (out->peak_resident_bytes < out->resident_bytes) out->peak_resident_bytes = out->resident_bytes;
    return 0;
}
