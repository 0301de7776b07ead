/* src/liveness/cues.c - where each cue looks on the face, and the names
 * of cues and quality issues. The measurements themselves live in
 * cues_freq.c, cues_color.c, cues_edges.c, cues_geom.c and quality.c. */
#include <math.h>

#include "liveness/liveness_int.h"

static const char *const cue_keys[] = {
#define X(name, key, what) key,
    LIVENESS_CUE_MAP(X)
#undef X
};

static const struct {
    const char *key, *why;
} quality_rows[] = {
    {"ok", ""},
#define X(name, key, why) {key, why},
    LIVENESS_QUALITY_MAP(X)
#undef X
};

const char *liveness_cue_key(enum liveness_cue c)
{
    return (unsigned)c < LIVENESS_CUE_COUNT ? cue_keys[c] : NULL;
}

const char *liveness_quality_key(enum liveness_quality_issue q)
{
    return quality_rows[(unsigned)q < LIVENESS_QUALITY_COUNT ? q : 0].key;
}

const char *liveness_quality_reason(enum liveness_quality_issue q)
{
    return quality_rows[(unsigned)q < LIVENESS_QUALITY_COUNT ? q : 0].why;
}

/* The spectral patch: the largest power of two within half the face,
 * 32..LIVENESS_PATCH_MAX native pixels, on the face centre. */
static int patch_side(const float sq[4])
{
    int n = 32;
    while (n * 2 <= LIVENESS_PATCH_MAX && (float)(n * 2) <= sq[2] * 0.5f)
        n *= 2;
    return n;
}

void liveness_cues_measure(struct vision_ctx *ctx,
                           const struct liveness_config *c,
                           const struct media_image *img,
                           const struct vision_face *face, float scale,
                           struct liveness_result *r)
{
    const float *sq = face->sq;
    for (int i = 0; i < LIVENESS_CUE_COUNT; i++)
        r->cue[i] = 0.0f;
    liveness_quality_measure(c, img, face->box, sq, scale, &r->quality);
    unsigned on = c->cues;
    if (on & (1u << LIVENESS_CUE_MOIRE | 1u << LIVENESS_CUE_TEXTURE)) {
        enum { M = LIVENESS_PATCH_MAX };
        static _Thread_local float g[M * M], rgb[3 * M * M];
        int n = patch_side(sq);
        float cx = sq[0] + sq[2] / 2, cy = sq[1] + sq[3] / 2;
        if (on & 1u << LIVENESS_CUE_MOIRE) {
            liveness_rgb_patch(img, cx, cy, n, rgb);
            r->cue[LIVENESS_CUE_MOIRE] = liveness_cue_moire(rgb, n);
        }
        if (on & 1u << LIVENESS_CUE_TEXTURE) {
            liveness_gray_patch(img, cx, cy, n, g);
            r->cue[LIVENESS_CUE_TEXTURE] = liveness_cue_texture(g, n);
        }
    }
    /* Inner face: cheeks, nose and mouth; little hair or background. */
    float inner[4] = {sq[0] + sq[2] * 0.2f, sq[1] + sq[3] * 0.25f,
                      sq[2] * 0.6f, sq[3] * 0.6f};
    if (on & 1u << LIVENESS_CUE_GAMUT)
        r->cue[LIVENESS_CUE_GAMUT] = liveness_cue_gamut(img, inner);
    if (on & 1u << LIVENESS_CUE_SPECULAR)
        r->cue[LIVENESS_CUE_SPECULAR] = liveness_cue_specular(img, inner);
    if (on & 1u << LIVENESS_CUE_EDGES)
        r->cue[LIVENESS_CUE_EDGES] = liveness_cue_edges(img, sq, 2.7f);
    if (on & 1u << LIVENESS_CUE_GEOMETRY) {
        float yaw, pitch, roll;
        vision_face_pose(ctx, img, face, &yaw, &pitch, &roll);
        r->cue[LIVENESS_CUE_GEOMETRY] = liveness_cue_geometry(face, yaw, pitch);
    }
}
