/* budget_config.c -- budget overrides from a JSON config file (format at the top
 * of budget.h and in docs/budgets.md), read with cJSON. Applied all or nothing:
 * the values are staged in copies, resolved and validated (budget.c, the one
 * place defaults and ranges live) and committed only when all are valid. This is
 * the only file of the controller that needs cJSON, so a program that never
 * reads a config links without it. Shares budget_internal.h with budget.c. */
#include "budget_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

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
        for (int k = 0; k < rt_budget__knob_count && !knob; k++)
            if (strcmp(rt_budget__knobs[k].key, key) == 0) knob = &rt_budget__knobs[k];
        if (!knob) {
            rt_budget__err(err, err_size, "unknown key '%s'", key);
            return -EINVAL;
        }
        double v = it->valuedouble;
        if (!cJSON_IsNumber(it) || !(v >= -2e9 && v <= 2e9) || (knob->is_int && v != (double)(int64_t)v)) {
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

