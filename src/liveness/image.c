/* src/liveness/image.c - the passive image check: policy, decode, the one
 * usable face, the model at each crop scale, the cues and quality
 * measures (cues.c), and their fusion into the score (fuse.c). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "liveness/liveness_int.h"

#define MAX_FACES 16

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int refuse(struct liveness_result *r, enum lc_outcome o, const char *why)
{
    r->outcome = o;
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1, why);
    return 0;
}

/* Is the face cut off by an edge? The detector shrinks its box to the
 * visible part of a face, so a box that touches an edge and is much
 * narrower (left/right) or flatter (top/bottom) than a whole face's
 * (width/height 0.59..0.81 on the dev photos) is a cut face. A box that
 * leaves the image by more than cutoff_frac of its size is one too. */
static bool cut_off(const struct liveness_config *c, const float b[4], int w,
                    int h)
{
    float margin = 0.01f * (float)(w > h ? w : h);
    float aspect = b[3] > 0.0f ? b[2] / b[3] : 0.0f;
    bool side = b[0] <= margin || b[0] + b[2] >= (float)w - margin;
    bool end = b[1] <= margin || b[1] + b[3] >= (float)h - margin;
    if ((side && aspect < c->cutoff_aspect_lo) || (end && aspect > c->cutoff_aspect_hi))
        return true;
    float size = b[2] > b[3] ? b[2] : b[3], over = 0.0f;
    float o[4] = {-b[0], -b[1], b[0] + b[2] - (float)w, b[1] + b[3] - (float)h};
    for (int i = 0; i < 4; i++)
        over = o[i] > over ? o[i] : over;
    return size <= 0.0f || over > c->cutoff_frac * size;
}

int liveness_face_find(struct vision_ctx *ctx, const struct liveness_config *c,
                       const uint8_t *buf, size_t n,
                       const struct liveness_opts *o, struct media_image *img,
                       float *scale, struct liveness_result *r)
{
    struct lc_diag d = {{0}};
    double t0 = now_ms();
    memset(r, 0, sizeof *r);
    *scale = 1.0f;
    int rc = media_image_probe(&r->info, buf, n, &d);
    if (rc < 0)
        return refuse(r, liveness_outcome_of_media(rc), d.msg);
    r->outcome = liveness_policy_check(c, &r->info, n, o, r->reason);
    if (r->outcome != LC_OUTCOME_OK)
        return 0;
    struct media_decode_opts dopts = {.min_side = c->decode_min_side};
    rc = media_image_decode(img, &r->info, buf, n, &dopts, &d);
    if (rc < 0)
        return refuse(r, liveness_outcome_of_media(rc), d.msg);
    *scale = (float)r->info.width / (float)img->w;
    double t1 = now_ms();
    r->ms_decode = t1 - t0;

    struct vision_face faces[MAX_FACES];
    int nf = 0;
    rc = vision_faces_detect(ctx, img, faces, MAX_FACES, &nf);
    if (rc < 0)
        return rc;
    if (nf > MAX_FACES)
        nf = MAX_FACES;
    if (nf == 0) {
        /* Say why when the photo itself is the problem: a retake in
         * better light can succeed, a bare "no face" does not say so. */
        enum liveness_quality_issue q = liveness_exposure_check(c, img);
        if (q == LIVENESS_QUALITY_TOO_DARK)
            return refuse(r, LC_OUTCOME_IMAGE_TOO_DARK,
                          "no face was found in a photo this dark");
        if (q == LIVENESS_QUALITY_TOO_BRIGHT)
            return refuse(r, LC_OUTCOME_IMAGE_TOO_BRIGHT,
                          "no face was found in a photo this bright");
        return refuse(r, LC_OUTCOME_NO_FACE, "no face was detected");
    }
    int best = 0;
    for (int i = 1; i < nf; i++)
        if (faces[i].sq[2] > faces[best].sq[2])
            best = i;
    float big = faces[best].sq[2];
    r->faces = 0;
    for (int i = 0; i < nf; i++)
        r->faces += i == best || (faces[i].sq[2] >= c->several_frac * big &&
                                  faces[i].score >= c->several_score);
    r->face = faces[best];
    if (r->faces > 1)
        return refuse(r, LC_OUTCOME_MULTIPLE_FACES, "more than one face is in the photo");
    if (cut_off(c, r->face.box, img->w, img->h))
        return refuse(r, LC_OUTCOME_FACE_CUT_OFF, "the face crosses the edge of the photo");
    float side = big * *scale;
    int short_side = r->info.width < r->info.height ? r->info.width : r->info.height;
    if (side < (float)c->min_face_px || side < c->min_face_frac * (float)short_side) {
        char why[160];
        snprintf(why, sizeof why, "the face is %.0f px wide; at least %d px and %.0f%% of the shorter side are needed",
                 side, c->min_face_px, 100.0 * c->min_face_frac);
        return refuse(r, LC_OUTCOME_FACE_TOO_SMALL, why);
    }
    vision_face_landmarks(ctx, img, &r->face);
    r->ms_faces = now_ms() - t1;
    r->outcome = LC_OUTCOME_OK;
    return 0;
}

/* Scale a face found in a downscaled image back to full-image pixels. */
static void face_rescale(struct vision_face *f, float s)
{
    for (int i = 0; i < 4; i++) {
        f->box[i] *= s;
        f->sq[i] *= s;
    }
    if (f->has_landmarks)
        for (int i = 0; i < 68; i++) {
            f->lm[i][0] *= s;
            f->lm[i][1] *= s;
        }
}

int liveness_image_check(struct vision_ctx *ctx,
                         const struct liveness_config *c, const uint8_t *buf,
                         size_t n, const struct liveness_opts *o,
                         struct liveness_result *r)
{
    struct media_image img = {0};
    float scale;
    int rc = liveness_face_find(ctx, c, buf, n, o, &img, &scale, r);
    if (rc < 0 || r->outcome != LC_OUTCOME_OK) {
        media_image_release(&img);
        return rc;
    }
    double t0 = now_ms();
    for (int i = 0; i < c->nscales; i++)
        r->p_live[i] = vision_face_liveness(ctx, &img, &r->face, c->scales[i]);
    r->ms_liveness = now_ms() - t0;
    liveness_cues_measure(ctx, c, &img, &r->face, scale, r);
    r->ms_cues = now_ms() - t0 - r->ms_liveness;
    liveness_fuse(c, r);
    face_rescale(&r->face, scale);
    media_image_release(&img);
    return 0;
}
