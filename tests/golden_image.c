/* golden_image.c -- golden-image comparison for the cmocka suites; see
 * golden_image.h. PNGs are read and written with stb (libstb). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "golden_image.h"

golden_diff golden_compare(const uint8_t *a, const uint8_t *b, size_t pixels, int tol) {
    golden_diff d = {0, 0};
    for (size_t i = 0; i < pixels; i++) {
        int worst = 0;
        for (int c = 0; c < 4; c++) {
            int v = abs((int)a[i * 4 + c] - (int)b[i * 4 + c]);
            worst = v > worst ? v : worst;
        }
        d.differing += worst > tol;
        d.max_channel = worst > d.max_channel ? worst : d.max_channel;
    }
    return d;
}

uint8_t *golden_load_png(const char *path, int *w, int *h) {
    int n = 0;
    stbi_uc *px = stbi_load(path, w, h, &n, 4);
    if (!px) return NULL;
    size_t size = (size_t)*w * (size_t)*h * 4;
    uint8_t *copy = malloc(size); /* so that callers free() what they get */
    if (copy) memcpy(copy, px, size);
    stbi_image_free(px);
    return copy;
}

void golden_check(const char *name, const uint8_t *rgba, int w, int h) {
    char path[256];
    snprintf(path, sizeof path, GOLDEN_DIR "/%s.png", name);
    const char *update = getenv("RD_UPDATE_GOLDEN");
    if (update && *update && strcmp(update, "0") != 0) {
        if (!stbi_write_png(path, w, h, 4, rgba, w * 4)) fail_msg("cannot write %s", path);
        print_message("rewrote %s\n", path);
        return;
    }
    int gw = 0, gh = 0;
    uint8_t *gold = golden_load_png(path, &gw, &gh);
    if (!gold) fail_msg("%s missing: rerun with RD_UPDATE_GOLDEN=1 and review it", path);
    if (gw != w || gh != h) {
        free(gold);
        fail_msg("%s is %dx%d, the frame %dx%d", path, gw, gh, w, h);
    }
    golden_diff d = golden_compare(rgba, gold, (size_t)w * (size_t)h, GOLDEN_CHANNEL_TOL);
    free(gold);
    if (d.differing > (uint32_t)(GOLDEN_PIXEL_TOL * w * h)) {
        char actual[256];
        snprintf(actual, sizeof actual, "build/%s.actual.png", name);
        stbi_write_png(actual, w, h, 4, rgba, w * 4);
        fail_msg("%s: %u pixels differ (max channel diff %d); frame in %s", path,
                 d.differing, d.max_channel, actual);
    }
}
