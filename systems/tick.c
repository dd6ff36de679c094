/* systems/tick.c -- advances the simulation clock. */
#include "swarm.h"

void tick(tick_view v) {
    v.sim_clock->now += v.dt;
    v.sim_clock->frame++;
}
