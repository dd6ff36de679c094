/* schemas/swarm.h -- the reference game: a 2D swarm of boids.
 *
 * Boids wander (a random stream steers them) toward a goal an async job picks
 * (seek, docs/jobs.md), move, bounce inside the bounds, age, fade out in their
 * last second and die; a spawner keeps the population at its target. A visual
 * effect, shimmer, tints them by speed at a cost the Effects resource sets
 * (off unless asked for); it is the degradable system: under load it is
 * time-sliced and scales its work by the quality level (docs/budgets.md).
 * Five main-thread systems draw them with render/ (render.h): input, camera,
 * draw, hud, present. Bodies: systems/; the game: game/swarm_main.c; the
 * language: docs/schema.md; rendering in the plan: docs/render.md. */
#ifndef SCHEMAS_SWARM_H
#define SCHEMAS_SWARM_H

#include "ecs_schema.h"
#include "../render/render.h" /* plain types: rd_input, rd_overlay, rd_material */

ECS_COMPONENT(Position) { float x, y; };          /* world units */
ECS_COMPONENT(Velocity) { float x, y; };          /* world units per second */
ECS_COMPONENT(Lifetime) { float age, max_age; };  /* seconds */
ECS_COMPONENT(Rng) { uint64_t state; };           /* xorshift64* stream */
ECS_COMPONENT(Color) { float r, g, b, a; };
ECS_TAG(Fading);                                  /* in its last second */
ECS_COMPONENT(Goal) { float x, y, until; };       /* where it heads, until (s): `seek` */
ECS_RESOURCE(Bounds) { float min_x, min_y, max_x, max_y; };
ECS_RESOURCE(Spawner) {
    int32_t target;    /* population to keep */
    uint64_t seed;
    uint64_t spawned;  /* boids created so far: the next one's stream id */
};
ECS_RESOURCE(SimClock) { double now; uint64_t frame; };
ECS_RESOURCE(Effects) {
    int32_t shimmer_work;  /* iterations per boid at quality 1; 0: off */
};

ECS_ARCHETYPE(Boid, Position, Velocity, Lifetime, Rng, Color, Fading, Goal);

/* 60 frames a second; systems carry budgets in ms per frame: over target is
 * a warning, over critical an emergency in which degradable systems are
 * throttled (docs/budgets.md). */
ECS_FRAME_BUDGET(16.67);

/* Explicit orders say what declaration order would otherwise decide
 * silently (ecsc reports such pairs; see docs/schedule.md): boids steer,
 * then move, then bounce; they age after their motion (ECS_ORDERED_AFTER:
 * no dependency, age may run beside them, but its commands land after), fade
 * once aging has toggled Fading, shimmer tints them after fade, and the
 * spawner refills after the dead are gone, leaving newborns to move from the
 * next frame on. */
ECS_SYSTEM(tick, ECS_WRITE(SimClock));
ECS_SYSTEM(wander, ECS_WRITE(Velocity), ECS_WRITE(Rng), ECS_BUDGET(4.0, 8.0),
           ECS_READ(Position), ECS_READ(Goal));
ECS_SYSTEM(move, ECS_WRITE(Position), ECS_READ(Velocity), ECS_AFTER(wander),
           ECS_BUDGET(2.0, 4.0));
ECS_SYSTEM(bounce, ECS_WRITE(Position), ECS_WRITE(Velocity), ECS_READ(Bounds),
           ECS_AFTER(move), ECS_BUDGET(2.0, 4.0));
ECS_SYSTEM(age, ECS_WRITE(Lifetime), ECS_DESTROYS(Boid), ECS_TOGGLES(Fading),
           ECS_ORDERED_AFTER(bounce), ECS_BUDGET(2.0, 4.0));
ECS_SYSTEM(fade, ECS_WRITE(Color), ECS_READ(Lifetime), ECS_WITH(Fading), ECS_AFTER(age),
           ECS_BUDGET(2.0, 4.0));
ECS_SYSTEM(shimmer, ECS_WRITE(Color), ECS_READ(Velocity), ECS_READ(Effects),
           ECS_AFTER(fade), ECS_ORDERED_BEFORE(spawn), ECS_DEGRADABLE_SLICE);
ECS_SYSTEM(spawn, ECS_WRITE(Spawner), ECS_READ(Bounds), ECS_CREATES(Boid), ECS_AFTER(age),
           ECS_ORDERED_AFTER(fade));

/* Rendering. The renderer is one GL context, so every system that calls it
 * is ECS_MAIN_THREAD, and each declares ECS_WRITE(Gfx): the calls change the
 * renderer behind the pointer, and declaring the write is what makes ecsc
 * order them (input, camera, draw, hud, present). Rendering only reads the
 * simulation: draw reads Position and Color, nothing writes a component.
 * draw runs after wander and before move (ECS_ORDERED_*: no dependency on
 * wander), so it draws the world as the previous frame left it while wander
 * and age may run on workers (docs/render.md, "In the plan"). */
ECS_RESOURCE(Gfx) {
    rd_renderer *renderer; /* NULL: not rendering */
    bool drawing;          /* this frame is drawn (set by the game each frame:
                              --render-every); else the render systems return */
    rd_material boid;
    rd_frame_stats last;   /* of the frame present finished last */
    int32_t error;         /* first rd_result other than RD_OK, for the game */
};
ECS_RESOURCE(Input) { rd_input state; };  /* this frame's keys, mouse, size */
ECS_RESOURCE(Camera) {
    float zoom;            /* times the zoom that fits the bounds; 0 = 1 */
    float pan_x, pan_y;    /* world units from the bounds' centre */
    float drag_x, drag_y;  /* mouse pixel of the last frame while dragging */
    bool dragging;         /* the left button was down the last frame */
    rd_camera view;        /* what was set this frame */
};
ECS_RESOURCE(Hud) {
    bool visible;          /* F3 toggles */
    rd_overlay overlay;    /* filled by the game between frames */
};

ECS_SYSTEM(input, ECS_WRITE(Input), ECS_WRITE(Gfx), ECS_MAIN_THREAD,
           ECS_ORDERED_AFTER(wander));
ECS_SYSTEM(camera, ECS_READ(Input), ECS_READ(Bounds), ECS_WRITE(Camera), ECS_WRITE(Gfx),
           ECS_MAIN_THREAD, ECS_AFTER(input));
ECS_SYSTEM(draw, ECS_READ(Position), ECS_READ(Color), ECS_WRITE(Gfx), ECS_MAIN_THREAD,
           ECS_AFTER(camera), ECS_ORDERED_BEFORE(move));
ECS_SYSTEM(hud, ECS_READ(Input), ECS_WRITE(Hud), ECS_WRITE(Gfx), ECS_MAIN_THREAD,
           ECS_AFTER(draw));
ECS_SYSTEM(present, ECS_WRITE(Gfx), ECS_MAIN_THREAD, ECS_AFTER(hud));

/* Async (docs/jobs.md): a boid that reached its goal, or ran out of time for
 * it, asks a job for a new one; the job weighs candidate points from a
 * snapshot of the boid and the bounds, and its answer lands in Goal at the
 * sync point ending seek's stage, a fixed number of frames later. seek looks
 * at positions once the frame's motion is done and the clock has ticked, and
 * before aging's commands land. */
typedef struct SeekRequest {
    float x, y, vx, vy;                  /* the boid, when it asked */
    float min_x, min_y, max_x, max_y;    /* the bounds */
    double now;                          /* SimClock.now, seconds */
    uint64_t seed;                       /* its random stream */
} SeekRequest;
ECS_SYSTEM(seek, ECS_READ(Position), ECS_READ(Velocity), ECS_READ(Rng), ECS_READ(Bounds),
           ECS_READ(SimClock), ECS_WRITE(Goal), ECS_ASYNC, ECS_JOB_INPUT(SeekRequest),
           ECS_AFTER(bounce), ECS_AFTER(tick), ECS_ORDERED_BEFORE(age));

#endif /* SCHEMAS_SWARM_H */
