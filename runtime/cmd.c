/* cmd.c -- command buffers: structural changes recorded while systems run,
 * applied at sync points.
 *
 * Systems never change the shape of the world directly (that would move rows
 * under other systems' feet). They append records to a buffer:
 *
 *   [rt__cmd_head][payload, padded to 8 bytes]
 *
 * and the runtime applies them in record order at the plan's next sync
 * point, so the result does not depend on timing. A buffer is written by one
 * thread at a time: the executor gives every chunk of a structural system a
 * buffer of its own and applies them in plan, archetype and chunk order
 * (exec.c), so the order of records never depends on the thread that made
 * them. A record that cannot be stored (out of memory) is counted and
 * reported when the buffer is applied: nothing is dropped silently. */
#include "rt_internal.h"

#include <string.h>

enum { CMD_CREATE, CMD_DESTROY, CMD_TAG_ON, CMD_TAG_OFF };

typedef struct rt__cmd_head {
    uint8_t op;
    uint8_t pad[3];
    int32_t arg;        /* archetype (create/destroy check) or tag */
    uint32_t size;      /* payload bytes, padded to 8 */
    int32_t system;     /* recorder, for messages */
    rt_entity entity;
} rt__cmd_head;

void rt__cmd_init(rt_world *w, rt_cmd *c) {
    memset(c, 0, sizeof *c);
    c->world = w;
    c->system = -1;
}

void rt__cmd_fini(rt_cmd *c) {
    if (c->data) rt__free(c->world, c->data, c->capacity);
    c->data = NULL;
    c->size = c->capacity = 0;
}

/* Grows the buffer to hold `need` bytes. Systems record on worker threads,
 * so this allocates through the executor's lock. */
static int cmd_grow(rt_cmd *c, size_t need) {
    size_t cap = c->capacity ? c->capacity : RT__CMD_MIN_BYTES;
    while (cap < need) cap *= 2;
    uint8_t *d = rt__exec_alloc(c->world, cap, 64);
    if (!d) return RT_ENOMEM;
    if (c->size) memcpy(d, c->data, c->size);
    if (c->data) rt__exec_free(c->world, c->data, c->capacity);
    c->data = d;
    c->capacity = cap;
    return RT_OK;
}

int rt__cmd_reserve(rt_cmd *c, size_t bytes) {
    return bytes <= c->capacity ? RT_OK : cmd_grow(c, bytes);
}

static void *cmd_push(rt_cmd *c, uint8_t op, int32_t arg, rt_entity e,
                      uint32_t payload) {
    uint32_t padded = (payload + 7u) & ~7u;
    size_t need = c->size + sizeof(rt__cmd_head) + padded;
    if (need > c->capacity && cmd_grow(c, need) != RT_OK) {
        if (c->lost++ == 0) c->lost_system = c->system;
        if (!c->error) c->error = RT_ENOMEM;
        return NULL;
    }
    rt__cmd_head *h = (rt__cmd_head *)(c->data + c->size);
    *h = (rt__cmd_head){.op = op, .arg = arg, .size = padded, .system = c->system,
                        .entity = e};
    c->size = need;
    c->n_commands++;
    return h + 1;
}

int rt_cmd_create(rt_cmd *c, int32_t archetype, const void *init) {
    const rt_program *p = c->world->program;
    if (archetype < 0 || archetype >= p->n_archetypes) return RT_EINVAL;
    uint32_t size = p->archetypes[archetype].init_size;
    void *payload = cmd_push(c, CMD_CREATE, archetype, RT_ENTITY_NULL, size);
    if (!payload) return RT_ENOMEM;
    if (init) memcpy(payload, init, size);
    else memset(payload, 0, size);
    return RT_OK;
}

int rt_cmd_destroy(rt_cmd *c, rt_entity e) {
    return cmd_push(c, CMD_DESTROY, -1, e, 0) ? RT_OK : RT_ENOMEM;
}

int rt_cmd_destroy_in(rt_cmd *c, rt_entity e, int32_t archetype) {
    if (archetype < 0 || archetype >= c->world->program->n_archetypes) return RT_EINVAL;
    return cmd_push(c, CMD_DESTROY, archetype, e, 0) ? RT_OK : RT_ENOMEM;
}

int rt_cmd_tag(rt_cmd *c, rt_entity e, int32_t tag, bool on) {
    if (tag < 0 || tag >= c->world->program->n_tags) return RT_EINVAL;
    return cmd_push(c, on ? CMD_TAG_ON : CMD_TAG_OFF, tag, e, 0) ? RT_OK : RT_ENOMEM;
}

static const char *recorder(const rt_world *w, int32_t system) {
    return system >= 0 ? w->program->systems[system].name : "(outside systems)";
}

int rt__cmd_apply(rt_world *w, rt_cmd *c) {
    int first_error = RT_OK;
    size_t at = 0;
    while (at < c->size) {
        rt__cmd_head *h = (rt__cmd_head *)(c->data + at);
        void *payload = h + 1;
        int err = RT_OK;
        switch (h->op) {
        case CMD_CREATE:
            if (rt_entity_is_null(rt_world_create_entity(w, h->arg, payload)))
                err = RT_ENOMEM;
            break;
        case CMD_DESTROY: {
            /* A typed destroy names the archetype its system declared: an
             * entity of another archetype is refused, not destroyed. */
            int32_t a = h->arg >= 0 ? rt_world_archetype_of(w, h->entity) : -1;
            if (a >= 0 && a != h->arg) {
                rt__log(w, RT_LOG_ERROR, "destroy: entity {index %u, gen %u} is a '%s', "
                        "not a '%s' as declared (ECS_DESTROYS)", h->entity.index,
                        h->entity.gen, w->program->archetypes[a].name,
                        w->program->archetypes[h->arg].name);
                err = RT_EINVAL;
                break;
            }
            err = rt_world_destroy_entity(w, h->entity);
            break;
        }
        case CMD_TAG_ON:
        case CMD_TAG_OFF:
            err = rt_world_set_tag(w, h->entity, h->arg, h->op == CMD_TAG_ON);
            break;
        }
        if (err != RT_OK) {
            /* Already logged by the world call; name the recorder too. */
            rt__log(w, RT_LOG_INFO, "  (command recorded by system '%s')",
                    recorder(w, h->system));
            if (err == RT_ENOMEM && first_error == RT_OK) first_error = err;
        }
        w->stats.commands_applied++;
        at += sizeof *h + h->size;
    }
    if (c->lost) {
        rt__log(w, RT_LOG_ERROR, "%u command(s) recorded by system '%s' were lost: %s",
                c->lost, recorder(w, c->lost_system), rt_error_string(c->error));
        if (first_error == RT_OK) first_error = c->error;
    }
    c->size = 0;
    c->n_commands = 0;
    c->lost = 0;
    c->error = RT_OK;
    return first_error;
}
