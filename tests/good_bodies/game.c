/* Every system of tests/bad_bodies/schema.h, written the way the body check
 * expects: data only through the view, changes only through commands. */
#include "bodies.h"

#include <math.h>
#include <string.h>

static const float drag[4] = {0.99f, 0.98f, 0.97f, 0.96f}; /* a constant table */
static const char *const names[] = {"calm", "busy"};

static void reflect(float *p, float *vel, float lo, float hi) {
    if (*p < lo) {
        *p = lo;
        *vel = -*vel;
    } else if (*p > hi) {
        *p = hi;
        *vel = -*vel;
    }
}

static float speed_of(const float *vx, int32_t i) { return fabsf(vx[i]); }

void tick(tick_view v) { v.stats->frames++; }

void move(move_view v) {
    float local[64];
    int32_t n = v.count < 64 ? v.count : 64;
    memcpy(local, v.velocity.x, sizeof(float) * (size_t)n); /* read into a local */
    for (int32_t i = 0; i < v.count; i++) {
        float vx = i < n ? local[i] : v.velocity.x[i];
        v.position.x[i] += vx * drag[i & 3] * v.dt;
        v.position.y[i] += v.velocity.y[i] * v.dt;
    }
}

void bounce(bounce_view v) {
    const Bounds b = *v.bounds;
    for (int32_t i = 0; i < v.count; i++) {
        float px = v.position.x[i];
        reflect(&px, &v.velocity.x[i], b.min_x, b.max_x);
        if (speed_of(v.velocity.x, i) > 100.0f) v.velocity.x[i] *= 0.5f;
    }
}

void age(age_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        v.health.hp[i] -= v.dt;
        if (v.health.hp[i] <= 0.0f) age_destroy_Boid(v.cmd, v.entity[i]);
        else if (v.health.hp[i] < 1.0f) age_set_Fading(v.cmd, v.entity[i], true);
    }
}

/* The main thread owns this: no other system touches it. */
static int hud_busy;

void hud(hud_view v) {
    float total = 0.0f;
    for (int32_t i = 0; i < v.count; i++) total += v.health.hp[i];
    hud_busy = total > 100.0f;
    (void)names[hud_busy];
}

void spawn(spawn_view v) {
    for (int32_t k = v.n_boid; k < 100; k++) {
        Boid_init init;
        memset(&init, 0, sizeof init);
        init.position.x = v.bounds->min_x;
        init.health.hp = 10.0f;
        spawn_create_Boid(v.cmd, &init);
    }
}
