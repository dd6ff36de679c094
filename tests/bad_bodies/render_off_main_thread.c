/* A system that runs in chunks on worker threads calls the renderer. */
#include "bodies.h"
#include "render/render.h"

extern rd_renderer *game_screen; /* stands for a resource's pointer */

void move(move_view v) {
    rd_sprites s = {.count = (uint32_t)v.count, .x = v.position.x, .y = v.position.y};
    rd_draw_sprites(game_screen, &s);
}
// expect: tests/bad_bodies/render_off_main_thread.c:9:5: error: system 'move' calls 'rd_draw_sprites' on the renderer, whose GL context belongs to the thread that runs the frame, but 'move' may run on a worker thread: make it ECS_MAIN_THREAD
