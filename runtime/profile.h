/* profile.h -- the cost profile: what each system cost per frame in a real run,
 * written by the game (export.c's rt_export_profile, from the monitor) and read
 * back by the generator (gen/profile.c) to weigh its schedule. This file and
 * profile.c are the one owner of the format; both sides go through them, so the
 * writer and the reader cannot drift apart.
 *
 *   {"version": 1, "frames": 600,
 *    "systems": {"move": {"mean_us": 41.5, "p50_us": 40.9, "p95_us": 60.2,
 *                         "p99_us": 71.0, "max_us": 90.3, "samples": 600}}}
 *
 * Per system only "mean_us" is required (a number >= 0: profiles written by hand
 * often hold nothing else); "p50_us", "p95_us", "p99_us", "max_us" and "samples"
 * are optional numbers >= 0, and 0 stands for an absent one. "frames" (the window
 * measured) is optional too. Unknown keys are ignored, so the writer can grow
 * without breaking older readers. Times are microseconds per frame of what ran:
 * a time-sliced frame counts its slice.
 *
 * What it does NOT do: measure (monitor.h) or decide anything. Parsed with cJSON;
 * it depends on nothing else of the runtime, so the generator links it alone.
 */
#ifndef RT_PROFILE_H
#define RT_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rt_profile_system {
    const char *name;  /* owned by the profile */
    double mean_us;    /* per frame */
    double p50_us, p95_us, p99_us, max_us; /* per frame; 0: not given */
    uint64_t samples;  /* frames measured; 0: not given */
} rt_profile_system;

typedef struct rt_profile {
    uint64_t frames;                /* the window it was measured over; 0: not given */
    int32_t system_count;
    rt_profile_system *systems;     /* in file order */
} rt_profile;

/* Writes p in the format above. Returns 0 or -errno (-ENOMEM, -EIO). */
int rt_profile_write(const rt_profile *p, FILE *out);

/* Parses len bytes of JSON. Returns 0 and a profile to free with
 * rt_profile_free, -EINVAL with the reason in err (not JSON, version not 1,
 * a missing or mistyped field) and, for a JSON syntax error, the byte offset
 * where it was found in *where (0 otherwise; where may be NULL), or -ENOMEM. */
int rt_profile_parse(const char *json, size_t len, rt_profile **out, char *err,
                     size_t err_size, size_t *where);
/* The same for a file; -errno when it cannot be read (-ENOENT: no such file).
 * err then starts with the path. */
int rt_profile_read(const char *path, rt_profile **out, char *err, size_t err_size);
/* The named system's entry, or NULL. */
const rt_profile_system *rt_profile_find(const rt_profile *p, const char *name);
void rt_profile_free(rt_profile *p);

#endif
