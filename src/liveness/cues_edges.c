/* src/liveness/cues_edges.c - straight edges framing the face.
 *
 * A printed photo or a phone held up to the camera has borders: long
 * straight edges around the face, meeting at corners. A live scene has
 * straight edges too: curtains, doors and shelves give long vertical
 * edges on both sides of a face (the dev press photos do), so vertical
 * edges alone are no evidence. The cue finds, on each side of the face
 * (left, right, above, below), the longest straight edge in the region
 * `scale` times the squared face box, as a share of the region's side;
 * with an edge both beside the face and above or below it, the cue is the
 * longer side edge plus the longer top/bottom edge, else 0.
 *
 * Lines come from a Hough transform in which every strong-gradient pixel
 * votes only for orientations within 3 degrees of its own gradient, on a
 * copy of the region reduced to at most REG pixels a side. Pixels of the
 * face itself do not vote.
 */
#include <math.h>
#include <string.h>

#include "liveness/liveness_int.h"

enum {
    REG = 160,       /* region side after reduction */
    NTH = 180,       /* orientations, one degree apart */
    NRHO = 2 * 227,  /* rho bins: |rho| <= REG * sqrt(2) */
    SPREAD = 3       /* degrees each pixel votes around its gradient */
};

#define MIN_LINE 0.25f /* shortest line that counts, share of the side */
#define MIN_GRAD 16.0f /* Sobel magnitude / 4 that makes an edge pixel */

struct hough {
    float gray[REG * REG];
    unsigned short acc[NTH * NRHO];
    float cs[NTH], sn[NTH];
};

float liveness_cue_edges(const struct media_image *img, const float sq[4],
                         float scale)
{
    static _Thread_local struct hough h;
    /* The region: scale x the squared box, on the face centre, clamped. */
    float side = sq[2] * scale;
    float cx = sq[0] + sq[2] * 0.5f, cy = sq[1] + sq[3] * 0.5f;
    float x0 = fmaxf(0.0f, cx - side / 2), y0 = fmaxf(0.0f, cy - side / 2);
    float x1 = fminf((float)img->w, cx + side / 2);
    float y1 = fminf((float)img->h, cy + side / 2);
    float rw = x1 - x0, rh = y1 - y0;
    if (rw < 8 || rh < 8)
        return 0.0f;
    float step = fmaxf(1.0f, fmaxf(rw, rh) / REG);
    int w = (int)(rw / step), hgt = (int)(rh / step);
    w = w > REG ? REG : w;
    hgt = hgt > REG ? REG : hgt;
    /* Box-average each reduced pixel from the source. */
    int k = (int)step;
    for (int y = 0; y < hgt; y++)
        for (int x = 0; x < w; x++) {
            int sx = (int)(x0 + (float)x * step), sy = (int)(y0 + (float)y * step);
            float s = 0.0f;
            int cnt = 0;
            for (int dy = 0; dy < k && sy + dy < img->h; dy++)
                for (int dx = 0; dx < k && sx + dx < img->w; dx++, cnt++)
                    s += liveness_luma(img->px + 3 * ((size_t)(sy + dy) * img->w + sx + dx));
            h.gray[y * REG + x] = cnt ? s / (float)cnt : 0.0f;
        }
    if (h.cs[1] == 0.0f)
        for (int t = 0; t < NTH; t++) {
            h.cs[t] = cosf((float)t * (float)M_PI / NTH);
            h.sn[t] = sinf((float)t * (float)M_PI / NTH);
        }
    memset(h.acc, 0, sizeof h.acc);
    /* The face in reduced pixels; its own pixels do not vote. */
    float fx = (cx - x0) / step, fy = (cy - y0) / step;
    float fr = sq[2] * 0.5f / step;
    for (int y = 1; y < hgt - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            if (fabsf((float)x - fx) < fr && fabsf((float)y - fy) < fr)
                continue;
            const float *g = h.gray + y * REG + x;
            float gx = (g[-REG + 1] + 2 * g[1] + g[REG + 1]) -
                       (g[-REG - 1] + 2 * g[-1] + g[REG - 1]);
            float gy = (g[REG - 1] + 2 * g[REG] + g[REG + 1]) -
                       (g[-REG - 1] + 2 * g[-REG] + g[-REG + 1]);
            if (hypotf(gx, gy) / 4.0f < MIN_GRAD)
                continue;
            /* Gradient direction = the line's normal, folded to 0..180. */
            float a = atan2f(gy, gx);
            if (a < 0)
                a += (float)M_PI;
            int t0 = (int)lrintf(a * NTH / (float)M_PI);
            for (int dt = -SPREAD; dt <= SPREAD; dt++) {
                int t = ((t0 + dt) % NTH + NTH) % NTH;
                float rho = (float)x * h.cs[t] + (float)y * h.sn[t];
                int ri = (int)lrintf(rho) + NRHO / 2;
                if (ri >= 0 && ri < NRHO && h.acc[t * NRHO + ri] < 65535)
                    h.acc[t * NRHO + ri]++;
            }
        }
    /* The longest line on each side of the face that stays clear of it. */
    float best[4] = {0, 0, 0, 0};
    float rside = (float)(w > hgt ? w : hgt);
    for (int t = 0; t < NTH; t++)
        for (int ri = 0; ri < NRHO; ri++) {
            float votes = h.acc[t * NRHO + ri];
            if (votes < MIN_LINE * rside)
                continue;
            float rho = (float)(ri - NRHO / 2);
            float d = fx * h.cs[t] + fy * h.sn[t] - rho; /* face to line */
            if (fabsf(d) < 1.1f * fr)
                continue;
            /* Normal mostly horizontal: a left or right edge. */
            int s = fabsf(h.cs[t]) >= fabsf(h.sn[t])
                        ? ((d > 0) == (h.cs[t] > 0) ? 0 : 1)
                        : ((d > 0) == (h.sn[t] > 0) ? 2 : 3);
            float len = votes / rside;
            if (len > best[s])
                best[s] = len;
        }
    /* A frame has a corner: an edge beside the face and one above or
     * below it. Vertical edges alone are curtains, doors and shelves. */
    float v = fmaxf(best[0], best[1]), hz = fmaxf(best[2], best[3]);
    return v > 0.0f && hz > 0.0f ? v + hz : 0.0f;
}
