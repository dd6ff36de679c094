/* systems/age.c -- ages boids: in its last second a boid starts fading, at
 * the end of its life it is destroyed (through the command buffer). */
#include "swarm.h"

#define FADE_TIME 1.0f /* seconds */

void age(age_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        float before = v.lifetime.age[i];
        float now = before + v.dt;
        float end = v.lifetime.max_age[i];
        v.lifetime.age[i] = now;
        if (now >= end)
            age_destroy_Boid(v.cmd, v.entity[i]);
        else if (before < end - FADE_TIME && now >= end - FADE_TIME)
            age_set_Fading(v.cmd, v.entity[i], true);
    }
}
