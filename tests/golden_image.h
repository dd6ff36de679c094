/* golden_image.h -- comparing rendered frames with the golden PNGs under
 * tests/golden/, shared by the renderer's suite (tests/test_render.c) and
 * the game's (tests/test_gfx.c). Code for cmocka tests: a mismatch fails
 * the calling test.
 *
 * A pixel differs when one of its channels is off by more than
 * GOLDEN_CHANNEL_TOL; a frame fails when more than GOLDEN_PIXEL_TOL of its
 * pixels differ. llvmpipe's output is byte-stable on this machine, so both
 * only absorb other Mesa builds. On a mismatch the frame is written to
 * build/<name>.actual.png. With RD_UPDATE_GOLDEN=1 in the environment the
 * golden is rewritten instead: review the new PNG like code. */
#ifndef TESTS_GOLDEN_IMAGE_H
#define TESTS_GOLDEN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define GOLDEN_DIR "tests/golden"
#define GOLDEN_CHANNEL_TOL 8    /* per channel, 0..255 */
#define GOLDEN_PIXEL_TOL 0.001  /* fraction of pixels allowed to differ */

typedef struct golden_diff {
    uint32_t differing; /* pixels with a channel off by more than tol */
    int max_channel;    /* largest channel difference seen */
} golden_diff;

/* Two RGBA8 images of `pixels` pixels each. */
golden_diff golden_compare(const uint8_t *a, const uint8_t *b, size_t pixels, int tol);

/* Compares a w x h RGBA8 frame (top row first) with GOLDEN_DIR/<name>.png,
 * or rewrites that file under RD_UPDATE_GOLDEN=1. Fails the test on a
 * mismatch, a missing golden or a size change. */
void golden_check(const char *name, const uint8_t *rgba, int w, int h);

/* Loads a PNG as RGBA8 (free with free()); NULL when it cannot be read. */
uint8_t *golden_load_png(const char *path, int *w, int *h);

#endif /* TESTS_GOLDEN_IMAGE_H */
