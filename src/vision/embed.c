/* src/vision/embed.c - the feature recipe: 5 points (eye centres, nose
 * tip 30, mouth corners mean(48,60) and mean(54,64)), least-squares
 * similarity onto the ArcFace 112x112 template, bilinear warp, RGB,
 * (p-127)/128, L2-normalised 512-d output; cosine similarity. */
#include "vision/vision_int.h"

#include <math.h>

static const float arcface[5][2] = {
    {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f},
    {41.5493f, 92.3655f}, {70.7299f, 92.2041f}};

/* Umeyama's estimate restricted to 2-D similarities without reflection
 * reduces to linear least squares in (a, b) = s (cos t, sin t) on the
 * centred points. */
int vision_sim_estimate(const float (*src)[2], const float (*dst)[2], int n,
                        float m[6])
{
    double ms[2] = {0, 0}, md[2] = {0, 0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            ms[k] += src[i][k];
            md[k] += dst[i][k];
        }
    for (int k = 0; k < 2 && n > 0; k++) {
        ms[k] /= n;
        md[k] /= n;
    }
    double var = 0, sa = 0, sb = 0;
    for (int i = 0; i < n; i++) {
        double sx = src[i][0] - ms[0], sy = src[i][1] - ms[1];
        double dx = dst[i][0] - md[0], dy = dst[i][1] - md[1];
        var += sx * sx + sy * sy;
        sa += sx * dx + sy * dy;
        sb += sx * dy - sy * dx;
    }
    if (!(var > 1e-12))
        return LC_EINVAL;
    double a = sa / var, b = sb / var;
    m[0] = (float)a;
    m[1] = (float)-b;
    m[2] = (float)(md[0] - (a * ms[0] - b * ms[1]));
    m[3] = (float)b;
    m[4] = (float)a;
    m[5] = (float)(md[1] - (b * ms[0] + a * ms[1]));
    return 0;
}

int vision_affine_invert(const float m[6], float inv[6])
{
    double det = (double)m[0] * m[4] - (double)m[1] * m[3];
    if (!(fabs(det) > 1e-12))
        return LC_EINVAL;
    double a = m[4] / det, b = -m[1] / det, c = -m[3] / det, d = m[0] / det;
    inv[0] = (float)a;
    inv[1] = (float)b;
    inv[2] = (float)(-(a * m[2] + b * m[5]));
    inv[3] = (float)c;
    inv[4] = (float)d;
    inv[5] = (float)(-(c * m[2] + d * m[5]));
    return 0;
}

static void five_points(const struct vision_face *f, float p[5][2])
{
    float side;
    vision_eye_square(f, 0, p[0], &side);
    vision_eye_square(f, 1, p[1], &side);
    for (int k = 0; k < 2; k++) {
        p[2][k] = f->lm[30][k];
        p[3][k] = (f->lm[48][k] + f->lm[60][k]) * 0.5f;
        p[4][k] = (f->lm[54][k] + f->lm[64][k]) * 0.5f;
    }
}

void vision_face_embed(struct vision_ctx *ctx, const struct media_image *img,
                       const struct vision_face *face,
                       float emb[VISION_EMBED_DIM])
{
    struct vision_face tmp;
    if (!face->has_landmarks) {
        tmp = *face;
        vision_face_landmarks(ctx, img, &tmp);
        face = &tmp;
    }
    float pts[5][2], m[6], inv[6];
    five_points(face, pts);
    if (vision_sim_estimate((const float(*)[2])pts, arcface, 5, m) < 0 ||
        vision_affine_invert(m, inv) < 0) {
        for (int i = 0; i < VISION_EMBED_DIM; i++)
            emb[i] = 0;
        return;
    }
    nn_session *s = ctx->s[VISION_FEATURE];
    vision_img_warp(img, inv, 112, 112, VISION_ORDER_RGB, VISION_NORM_SYM,
                    nn_session_input(s, 0, NULL));
    nn_session_run(s);
    const float *o = nn_session_output(s, 0, NULL);
    double ss = 0;
    for (int i = 0; i < VISION_EMBED_DIM; i++)
        ss += (double)o[i] * o[i];
    float k = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0.0f;
    for (int i = 0; i < VISION_EMBED_DIM; i++)
        emb[i] = o[i] * k;
}

float vision_embed_cosine(const float *a, const float *b)
{
    double d = 0, na = 0, nb = 0;
    for (int i = 0; i < VISION_EMBED_DIM; i++) {
        d += (double)a[i] * b[i];
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }
    return na > 0 && nb > 0 ? (float)(d / sqrt(na * nb)) : 0.0f;
}
