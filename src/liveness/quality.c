/* src/liveness/quality.c - is the photo good enough to judge?
 *
 * Poor light, motion blur, a distant or half-framed face make a live
 * person look like a recapture to the model (less texture, odd colour).
 * These measures let the decision say "retake" instead of "spoof": the
 * face's mean brightness and clipped shares, its sharpness at a fixed
 * scale relative to the face (so a large face is not "sharper" than a
 * small one), its size and how much of it lies outside the photo.
 */
#include <math.h>

#include "liveness/liveness_int.h"

/* Side of the face-normalised patch the sharpness is measured on. */
#define SHARP_N 64

float liveness_sharpness(const float *g, int n)
{
    double e1 = 0.0, e4 = 0.0;
    for (int y = 0; y < n; y++)
        for (int x = 0; x + 4 < n; x++) {
            float d1 = g[y * n + x + 1] - g[y * n + x];
            float d4 = g[y * n + x + 4] - g[y * n + x];
            e1 += d1 * d1;
            e4 += d4 * d4;
        }
    for (int y = 0; y + 4 < n; y++)
        for (int x = 0; x < n; x++) {
            float d1 = g[(y + 1) * n + x] - g[y * n + x];
            float d4 = g[(y + 4) * n + x] - g[y * n + x];
            e1 += d1 * d1;
            e4 += d4 * d4;
        }
    if (e4 <= 1e-6 * n * n)
        return 0.0f;
    /* A linear ramp gives e4 = 16 e1 (log 0); a sharp step 4 e1 (0.6);
     * pixel noise e4 = e1 (1.2). */
    return (float)log10(16.0 * e1 / e4);
}

/* The inner face (middle 60% of the squared box) area-averaged onto an
 * n x n grid. */
static void face_patch(const struct media_image *img, const float sq[4],
                       int n, float *out)
{
    float side = sq[2] * 0.6f, step = side / (float)n;
    float x0 = sq[0] + sq[2] * 0.2f, y0 = sq[1] + sq[3] * 0.2f;
    int k = step > 1.0f ? (int)step : 1;
    for (int v = 0; v < n; v++)
        for (int u = 0; u < n; u++) {
            float s = 0.0f;
            int cnt = 0;
            for (int dy = 0; dy < k; dy++)
                for (int dx = 0; dx < k; dx++) {
                    int x = (int)(x0 + (float)u * step) + dx;
                    int y = (int)(y0 + (float)v * step) + dy;
                    x = x < 0 ? 0 : x >= img->w ? img->w - 1 : x;
                    y = y < 0 ? 0 : y >= img->h ? img->h - 1 : y;
                    s += liveness_luma(img->px + 3 * ((size_t)y * img->w + x));
                    cnt++;
                }
            out[v * n + u] = s / (float)cnt;
        }
}

void liveness_quality_measure(const struct liveness_config *c,
                              const struct media_image *img,
                              const float box[4], const float sq[4],
                              float scale, struct liveness_quality *q)
{
    float g[SHARP_N * SHARP_N];
    face_patch(img, sq, SHARP_N, g);
    double sum = 0.0;
    int dark = 0, bright = 0;
    for (int i = 0; i < SHARP_N * SHARP_N; i++) {
        sum += g[i];
        dark += g[i] <= 12.0f;
        bright += g[i] >= 250.0f;
    }
    const float n = (float)(SHARP_N * SHARP_N);
    q->brightness = (float)(sum / n);
    q->dark_clip = (float)dark / n;
    q->bright_clip = (float)bright / n;
    q->sharpness = liveness_sharpness(g, SHARP_N);
    q->face_px = sq[2] * scale;
    float ix = fmaxf(0.0f, fminf(box[0] + box[2], (float)img->w) - fmaxf(box[0], 0.0f));
    float iy = fmaxf(0.0f, fminf(box[1] + box[3], (float)img->h) - fmaxf(box[1], 0.0f));
    float area = box[2] * box[3];
    q->outside = area > 0.0f ? 1.0f - ix * iy / area : 0.0f;

    q->issue = LIVENESS_QUALITY_OK;
    if (q->brightness < c->q_dark || q->dark_clip > c->q_clip)
        q->issue = LIVENESS_QUALITY_TOO_DARK;
    else if (q->brightness > c->q_bright || q->bright_clip > c->q_clip)
        q->issue = LIVENESS_QUALITY_TOO_BRIGHT;
    else if (q->outside > c->q_outside)
        q->issue = LIVENESS_QUALITY_FACE_PARTLY_OUTSIDE;
    else if (q->face_px < c->q_face_px)
        q->issue = LIVENESS_QUALITY_FACE_SMALL;
    else if (q->sharpness < c->q_sharp)
        q->issue = LIVENESS_QUALITY_BLURRED;
}

enum liveness_quality_issue liveness_exposure_check(
    const struct liveness_config *c, const struct media_image *img)
{
    double sum = 0.0;
    long n = 0;
    for (int y = 0; y < img->h; y += 4)
        for (int x = 0; x < img->w; x += 4, n++)
            sum += liveness_luma(img->px + 3 * ((size_t)y * img->w + x));
    double mean = n ? sum / (double)n : 128.0;
    if (mean < c->q_dark)
        return LIVENESS_QUALITY_TOO_DARK;
    if (mean > c->q_bright)
        return LIVENESS_QUALITY_TOO_BRIGHT;
    return LIVENESS_QUALITY_OK;
}
