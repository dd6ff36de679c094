/* systems/fade.c -- fades out boids in their last second (tag Fading). */
#include "swarm.h"

void fade(fade_view v) {
    for (int32_t i = 0; i < v.count; i++) {
        float left = v.lifetime.max_age[i] - v.lifetime.age[i]; /* seconds */
        v.color.a[i] = left < 0.0f ? 0.0f : left > 1.0f ? 1.0f : left;
    }
}
