/* entity.c -- the entity index: handle -> (archetype, row).
 *
 * A handle is a slot index plus a generation. Slots are never freed; a dead
 * slot goes on a stack of free indices (LIFO reuse) and its generation is
 * bumped, so a handle to the entity that lived there no longer matches:
 * lookups of stale handles fail instead of finding the new occupant.
 * Generation 0 is skipped on wrap-around so the null handle stays null.
 * See rt_internal.h for the slot layout and the inline hot paths (take,
 * free, lookup); this file grows and frees the slot array. */
#include "rt_internal.h"

#include <string.h>

int rt__entities_init(rt_world *w, rt__entities *ents) {
    (void)w;
    memset(ents, 0, sizeof *ents);
    return RT_OK;
}

void rt__entities_fini(rt_world *w, rt__entities *ents) {
    rt__free(w, ents->slots, ents->capacity * sizeof(rt__slot));
    rt__free(w, ents->free, ents->capacity * sizeof(uint32_t));
    memset(ents, 0, sizeof *ents);
}

int rt__entities_reserve(rt_world *w, rt__entities *ents, uint32_t n) {
    if (n <= ents->capacity) return RT_OK;
    if (n > (uint32_t)INT32_MAX) return RT_ELIMIT;
    uint32_t cap = ents->capacity ? ents->capacity : 1024;
    while (cap < n) cap = cap > (uint32_t)INT32_MAX / 2 ? (uint32_t)INT32_MAX : cap * 2;
    rt__slot *s = rt__alloc(w, cap * sizeof *s, 64);
    uint32_t *f = rt__alloc(w, cap * sizeof *f, 64);
    if (!s || !f) {
        rt__free(w, s, cap * sizeof *s);
        rt__free(w, f, cap * sizeof *f);
        return RT_ENOMEM;
    }
    if (ents->count) memcpy(s, ents->slots, ents->count * sizeof *s);
    if (ents->n_free) memcpy(f, ents->free, ents->n_free * sizeof *f);
    rt__free(w, ents->slots, ents->capacity * sizeof *s);
    rt__free(w, ents->free, ents->capacity * sizeof *f);
    ents->slots = s;
    ents->free = f;
    ents->capacity = cap;
    return RT_OK;
}
