/* src/liveness/fft.c - the signal tools the spectral cues share: a radix-2
 * FFT, the windowed power spectrum of a square patch, and native-pixel
 * gray patches. Small sizes only (a 128 x 128 patch at most). */
#include <math.h>
#include <string.h>

#include "liveness/liveness_int.h"

void liveness_fft(float *re, float *im, int n, bool inv)
{
    /* Bit-reversal permutation, then iterative butterflies. */
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            float t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double ang = 2.0 * M_PI / len * (inv ? 1 : -1);
        float wr = (float)cos(ang), wi = (float)sin(ang);
        for (int i = 0; i < n; i += len) {
            float cr = 1.0f, ci = 0.0f;
            for (int k = 0; k < len / 2; k++) {
                int a = i + k, b = i + k + len / 2;
                float xr = re[b] * cr - im[b] * ci;
                float xi = re[b] * ci + im[b] * cr;
                re[b] = re[a] - xr;
                im[b] = im[a] - xi;
                re[a] += xr;
                im[a] += xi;
                float t = cr * wr - ci * wi;
                ci = cr * wi + ci * wr;
                cr = t;
            }
        }
    }
}

void liveness_power_spectrum(const float *g, int n, float *pw)
{
    enum { M = LIVENESS_PATCH_MAX };
    static _Thread_local float re[M * M], im[M * M];
    float win[M], col_re[M], col_im[M];
    double mean = 0.0;
    for (int i = 0; i < n * n; i++)
        mean += g[i];
    mean /= (double)n * n;
    for (int i = 0; i < n; i++)
        win[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)n);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            re[y * n + x] = (g[y * n + x] - (float)mean) * win[x] * win[y];
            im[y * n + x] = 0.0f;
        }
    for (int y = 0; y < n; y++)
        liveness_fft(re + y * n, im + y * n, n, false);
    for (int x = 0; x < n; x++) {
        for (int y = 0; y < n; y++) {
            col_re[y] = re[y * n + x];
            col_im[y] = im[y * n + x];
        }
        liveness_fft(col_re, col_im, n, false);
        for (int y = 0; y < n; y++)
            pw[y * n + x] = col_re[y] * col_re[y] + col_im[y] * col_im[y];
    }
}

void liveness_gray_patch(const struct media_image *img, float cx, float cy,
                         int n, float *out)
{
    int x0 = (int)lrintf(cx) - n / 2, y0 = (int)lrintf(cy) - n / 2;
    for (int y = 0; y < n; y++) {
        int sy = y0 + y;
        sy = sy < 0 ? 0 : sy >= img->h ? img->h - 1 : sy;
        for (int x = 0; x < n; x++) {
            int sx = x0 + x;
            sx = sx < 0 ? 0 : sx >= img->w ? img->w - 1 : sx;
            out[y * n + x] = liveness_luma(img->px + 3 * ((size_t)sy * img->w + sx));
        }
    }
}

void liveness_rgb_patch(const struct media_image *img, float cx, float cy,
                        int n, float *out)
{
    int x0 = (int)lrintf(cx) - n / 2, y0 = (int)lrintf(cy) - n / 2;
    for (int y = 0; y < n; y++) {
        int sy = y0 + y;
        sy = sy < 0 ? 0 : sy >= img->h ? img->h - 1 : sy;
        for (int x = 0; x < n; x++) {
            int sx = x0 + x;
            sx = sx < 0 ? 0 : sx >= img->w ? img->w - 1 : sx;
            const uint8_t *p = img->px + 3 * ((size_t)sy * img->w + sx);
            float *o = out + 3 * (y * n + x);
            o[0] = p[0];
            o[1] = p[1];
            o[2] = p[2];
        }
    }
}
