/* churn_floor.c -- W3's plain-C floors (floor.h): the data movement of
 * creating, destroying and tagging entities, done on plain SoA arrays with
 * no entity index, no handles and no checks. ecsc's figures over these say
 * what the entity index, the generations and the API add. Driver:
 * bench/bench_w3.c. */
#include "floor.h"

void churn_floor_create(churn_soa *s, const float (*in)[4], int32_t n) {
    float *restrict px = s->px, *restrict py = s->py, *restrict vx = s->vx,
                    *restrict vy = s->vy;
    int32_t row = s->count;
    for (int32_t i = 0; i < n; i++, row++) {
        px[row] = in[i][0];
        py[row] = in[i][1];
        vx[row] = in[i][2];
        vy[row] = in[i][3];
    }
    s->count = row;
}

void churn_floor_destroy(churn_soa *s, const int32_t *rows, int32_t n) {
    float *restrict px = s->px, *restrict py = s->py, *restrict vx = s->vx,
                    *restrict vy = s->vy;
    int32_t last = s->count;
    for (int32_t i = 0; i < n; i++) {
        const int32_t r = rows[i];
        last--;
        px[r] = px[last];
        py[r] = py[last];
        vx[r] = vx[last];
        vy[r] = vy[last];
    }
    s->count = last;
}

/* One store per entity, as the world does it: gcc would otherwise turn the
 * loop into a memset or vector stores, which switching tags one entity at a
 * time cannot do. */
__attribute__((optimize("no-tree-loop-distribute-patterns", "no-tree-vectorize")))
void churn_floor_tags(uint8_t *tags, int32_t n, bool on) {
    for (int32_t i = 0; i < n; i++) tags[i] = on;
}
