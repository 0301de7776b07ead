/* src/liveness/video_screen.c - pixel cues that a face is shown on a
 * screen or a sheet of paper held in front of the camera.
 *
 * Border: a screen's bezel or a photo's edge is a long straight edge of one
 * polarity running beside, above or below the face, well outside it. For
 * each side of the face a small Hough search (5 tilts, every position)
 * measures the longest such edge as the share of its span whose gradient
 * is strong and points across the line with the same sign. Live scenes
 * have straight edges too (doors, shelves), so one side alone says little;
 * the cue is the mean of the two best sides, and the fusion needs it high.
 *
 * Moire: recapturing a screen aliases its pixel grid into fine periodic
 * ripples. At analysis resolution they survive as an excess of energy at
 * the highest frequencies of the face's luma relative to the next band,
 * measured with second differences (no FFT needed).
 */
#include "video_int.h"

#include <math.h>
#include <stdlib.h>

/* Edge strength (luma levels across 2 px at half resolution). */
#define EDGE_T 24

static inline int luma_at(const struct media_image *img, int x, int y)
{
    const uint8_t *p = img->px + ((size_t)y * img->w + x) * 3;
    return (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8;
}

/* Half-resolution luma, 2x2 means, into g (gw x gh). */
static void half_luma(const struct media_image *img, uint8_t *g, int gw,
                      int gh)
{
    for (int y = 0; y < gh; y++)
        for (int x = 0; x < gw; x++) {
            int s = luma_at(img, 2 * x, 2 * y) + luma_at(img, 2 * x + 1, 2 * y) +
                    luma_at(img, 2 * x, 2 * y + 1) +
                    luma_at(img, 2 * x + 1, 2 * y + 1);
            g[y * gw + x] = (uint8_t)(s >> 2);
        }
}

/* Best same-sign coverage of a near-vertical line (vert) or near-
 * horizontal one (!vert) whose position p lies in [p0, p1) and which spans
 * [s0, s1) along its length. */
static float best_line(const uint8_t *g, int gw, int gh, bool vert, int p0,
                       int p1, int s0, int s1)
{
    static const float tilt[] = {-0.14f, -0.07f, 0.0f, 0.07f, 0.14f};
    int len = s1 - s0;
    if (len < 16 || p1 <= p0)
        return 0;
    int mid = (s0 + s1) / 2;
    float best = 0;
    for (size_t a = 0; a < sizeof tilt / sizeof tilt[0]; a++)
        for (int p = p0; p < p1; p++) {
            int pos = 0, neg = 0;
            for (int s = s0; s < s1; s++) {
                int q = p + (int)lrintf(tilt[a] * (float)(s - mid));
                int x = vert ? q : s, y = vert ? s : q;
                if (x < 1 || y < 1 || x >= gw - 1 || y >= gh - 1)
                    continue;
                const uint8_t *c = g + (size_t)y * gw + x;
                int across = vert ? c[1] - c[-1] : c[gw] - c[-gw];
                int along = vert ? c[gw] - c[-gw] : c[1] - c[-1];
                if (abs(across) >= EDGE_T && abs(across) > 2 * abs(along)) {
                    if (across > 0)
                        pos++;
                    else
                        neg++;
                }
            }
            float cov = (float)(pos > neg ? pos : neg) / (float)len;
            best = cov > best ? cov : best;
        }
    return best;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

float video_screen_border(const struct media_image *img, const float sq[4],
                          uint8_t *g)
{
    int gw = img->w / 2, gh = img->h / 2;
    if (gw < 32 || gh < 32)
        return 0;
    half_luma(img, g, gw, gh);
    float x0 = sq[0] / 2, y0 = sq[1] / 2, s = sq[2] / 2;
    int margin = (int)(0.15f * s) + 2;
    /* Spans: beside the face from just above it to well below the chin;
     * above and below it across the face and a shoulder each side. */
    int vs0 = clampi((int)(y0 - 0.3f * s), 0, gh), vs1 = clampi((int)(y0 + 2.0f * s), 0, gh);
    int hs0 = clampi((int)(x0 - 0.6f * s), 0, gw), hs1 = clampi((int)(x0 + 1.6f * s), 0, gw);
    float side[4] = {
        best_line(g, gw, gh, true, 1, clampi((int)x0 - margin, 1, gw), vs0, vs1),
        best_line(g, gw, gh, true, clampi((int)(x0 + s) + margin, 1, gw), gw - 1, vs0, vs1),
        best_line(g, gw, gh, false, 1, clampi((int)y0 - margin, 1, gh), hs0, hs1),
        best_line(g, gw, gh, false, clampi((int)(y0 + s) + margin, 1, gh), gh - 1, hs0, hs1),
    };
    float a = 0, b = 0;
    for (int i = 0; i < 4; i++) {
        if (side[i] > a) {
            b = a;
            a = side[i];
        } else if (side[i] > b) {
            b = side[i];
        }
    }
    return 0.5f * (a + b);
}

float video_screen_moire(const struct media_image *img, const float sq[4])
{
    /* The central part of the face: cheeks, nose, eyes. */
    int x0 = clampi((int)(sq[0] + 0.2f * sq[2]), 1, img->w - 2);
    int x1 = clampi((int)(sq[0] + 0.8f * sq[2]), 1, img->w - 2);
    int y0 = clampi((int)(sq[1] + 0.2f * sq[3]), 1, img->h - 2);
    int y1 = clampi((int)(sq[1] + 0.8f * sq[3]), 1, img->h - 2);
    if (x1 - x0 < 16 || y1 - y0 < 16)
        return -1;
    /* Energy of the finest band (1-px second differences) over that of the
     * next band (2-px second differences). */
    double fine = 0, coarse = 0;
    for (int y = y0 + 1; y < y1 - 1; y += 2)
        for (int x = x0 + 1; x < x1 - 1; x++) {
            int c = luma_at(img, x, y);
            int d1 = 2 * c - luma_at(img, x - 1, y) - luma_at(img, x + 1, y);
            int d2 = 2 * c - luma_at(img, x - 2 < 0 ? 0 : x - 2, y) -
                     luma_at(img, x + 2 >= img->w ? img->w - 1 : x + 2, y);
            fine += (double)d1 * d1;
            coarse += (double)d2 * d2;
        }
    return coarse > 0 ? (float)(fine / coarse) : -1;
}
