/* src/liveness/iq_measure.c - the pure image-quality measures (quality.h):
 * area resampling to gray, the variance of the Laplacian, exposure and
 * 8x8 blockiness. Each is a function of the buffers it is given, so the
 * unit tests feed them made-up images with hand-derived answers. */
#include <math.h>
#include <stdlib.h>

#include "livecheck/quality.h"

static float luma(const uint8_t *p)
{
    return 0.299f * (float)p[0] + 0.587f * (float)p[1] + 0.114f * (float)p[2];
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void quality_gray_resample(const struct media_image *img, const float *box,
                           int ow, int oh, float *out)
{
    float bx = box ? box[0] : 0.0f, by = box ? box[1] : 0.0f;
    float bw = box ? box[2] : (float)img->w, bh = box ? box[3] : (float)img->h;
    float sx = bw / (float)ow, sy = bh / (float)oh;
    for (int v = 0; v < oh; v++) {
        int y0 = (int)floorf(by + (float)v * sy);
        int y1 = (int)floorf(by + (float)(v + 1) * sy);
        if (y1 <= y0)
            y1 = y0 + 1;
        for (int u = 0; u < ow; u++) {
            int x0 = (int)floorf(bx + (float)u * sx);
            int x1 = (int)floorf(bx + (float)(u + 1) * sx);
            if (x1 <= x0)
                x1 = x0 + 1;
            double s = 0.0;
            for (int y = y0; y < y1; y++) {
                const uint8_t *row =
                    img->px + (size_t)3 * (size_t)clampi(y, 0, img->h - 1) *
                                  (size_t)img->w;
                for (int x = x0; x < x1; x++)
                    s += luma(row + 3 * (size_t)clampi(x, 0, img->w - 1));
            }
            out[(size_t)v * (size_t)ow + (size_t)u] =
                (float)(s / ((double)(x1 - x0) * (double)(y1 - y0)));
        }
    }
}

double quality_laplacian_var(const float *g, int w, int h)
{
    if (w < 3 || h < 3)
        return 0.0;
    double sum = 0.0, sq = 0.0;
    for (int y = 1; y + 1 < h; y++)
        for (int x = 1; x + 1 < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            double l = (double)g[i - 1] + g[i + 1] + g[i - (size_t)w] +
                       g[i + (size_t)w] - 4.0 * g[i];
            sum += l;
            sq += l * l;
        }
    double n = (double)(w - 2) * (double)(h - 2);
    double mean = sum / n, var = sq / n - mean * mean;
    return var > 0.0 ? var : 0.0;
}

void quality_exposure(const float *g, size_t n, float *mean, float *dark,
                      float *bright)
{
    double s = 0.0;
    size_t d = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        s += g[i];
        d += g[i] <= 8.0f;
        b += g[i] >= 247.0f;
    }
    *mean = n ? (float)(s / (double)n) : 0.0f;
    *dark = n ? (float)d / (float)n : 0.0f;
    *bright = n ? (float)b / (float)n : 0.0f;
}

/* Excess of the strongest phase of 8 over the mean of the others. */
static float excess(const double sum[8], const double cnt[8])
{
    double d[8], best = -1.0;
    int k = 0;
    for (int p = 0; p < 8; p++) {
        d[p] = cnt[p] > 0 ? sum[p] / cnt[p] : 0.0;
        if (d[p] > best) {
            best = d[p];
            k = p;
        }
    }
    double rest = 0.0;
    for (int p = 0; p < 8; p++)
        if (p != k)
            rest += d[p];
    rest /= 7.0;
    if (rest < 0.05) /* flat: steps only on the grid (or none) */
        return best < 0.05 ? 0.0f : 4.0f;
    double e = (best - rest) / rest;
    return (float)(e > 4.0 ? 4.0 : e);
}

float quality_blockiness(const uint8_t *y, int w, int h)
{
    if (w < 16 || h < 16)
        return 0.0f;
    double cs[8] = {0}, cc[8] = {0}, rs[8] = {0}, rc[8] = {0};
    for (int r = 0; r < h; r++) {
        const uint8_t *p = y + (size_t)r * (size_t)w;
        for (int x = 0; x + 1 < w; x++) {
            cs[x & 7] += abs((int)p[x + 1] - (int)p[x]);
            cc[x & 7] += 1.0;
        }
        if (r + 1 < h) {
            const uint8_t *q = p + w;
            double s = 0.0;
            for (int x = 0; x < w; x++)
                s += abs((int)q[x] - (int)p[x]);
            rs[r & 7] += s;
            rc[r & 7] += (double)w;
        }
    }
    return 0.5f * (excess(cs, cc) + excess(rs, rc));
}
