/* entity.c -- the entity index: handle -> (archetype, row).
 *
 * A handle is a slot index plus a generation. Slots are never freed; a dead
 * slot goes on a LIFO free list (threaded through `row`) and its generation
 * is bumped, so a handle to the entity that lived there no longer matches:
 * lookups of stale handles fail instead of finding the new occupant.
 * Generation 0 is skipped on wrap-around so the null handle stays null.
 * See rt_internal.h for the slot layout. */
#include "rt_internal.h"

#include <string.h>

int rt__entities_init(rt_world *w, rt__entities *ents) {
    (void)w;
    memset(ents, 0, sizeof *ents);
    ents->free_head = -1;
    return RT_OK;
}

void rt__entities_fini(rt_world *w, rt__entities *ents) {
    rt__free(w, ents->slots, ents->capacity * sizeof(rt__slot));
    memset(ents, 0, sizeof *ents);
}

int rt__entities_reserve(rt_world *w, rt__entities *ents, uint32_t n) {
    if (n <= ents->capacity) return RT_OK;
    if (n > (uint32_t)INT32_MAX) return RT_ELIMIT;
    uint32_t cap = ents->capacity ? ents->capacity : 1024;
    while (cap < n) cap = cap > (uint32_t)INT32_MAX / 2 ? (uint32_t)INT32_MAX : cap * 2;
    rt__slot *s = rt__alloc(w, cap * sizeof *s, 64);
    if (!s) return RT_ENOMEM;
    if (ents->count) memcpy(s, ents->slots, ents->count * sizeof *s);
    rt__free(w, ents->slots, ents->capacity * sizeof *s);
    ents->slots = s;
    ents->capacity = cap;
    return RT_OK;
}

rt_entity rt__entities_alloc(rt_world *w, rt__entities *ents, int32_t archetype,
                             int32_t row) {
    uint32_t index;
    if (ents->free_head >= 0) {
        index = (uint32_t)ents->free_head;
        ents->free_head = ents->slots[index].row;
    } else {
        if (ents->count == ents->capacity &&
            rt__entities_reserve(w, ents, ents->count + 1) != RT_OK)
            return RT_ENTITY_NULL;
        index = ents->count++;
        ents->slots[index].gen = 1;
    }
    rt__slot *s = &ents->slots[index];
    s->archetype = archetype;
    s->row = row;
    ents->live++;
    return (rt_entity){index, s->gen};
}

void rt__entities_free(rt__entities *ents, uint32_t index) {
    rt__slot *s = &ents->slots[index];
    s->gen = s->gen + 1 ? s->gen + 1 : 1;
    s->archetype = -1;
    s->row = ents->free_head;
    ents->free_head = (int32_t)index;
    ents->live--;
}
