/* src/liveness/video_geom.c - landmark geometry for the video cues.
 *
 * The eye aspect ratio (EAR) is the blink signal that does not depend on
 * the eye model: it falls from ~0.25-0.35 (open) towards 0 when the lids
 * close. The homography residual tells a live face from a picture: every
 * view of a flat picture, however it is moved, tilted or zoomed in front of
 * the camera, maps onto every other by one homography, so its landmarks
 * fit one to within the landmark model's jitter; a live face turning its
 * head (parallax between nose and cheeks) or changing expression does not.
 */
#include "video_int.h"

#include <math.h>

static float dist(const float *a, const float *b)
{
    float dx = a[0] - b[0], dy = a[1] - b[1];
    return sqrtf(dx * dx + dy * dy);
}

float video_eye_aspect(const float (*lm)[2], int which)
{
    int o = which ? 42 : 36;
    float w = dist(lm[o], lm[o + 3]);
    if (!(w > 0))
        return 0;
    return (dist(lm[o + 1], lm[o + 5]) + dist(lm[o + 2], lm[o + 4])) /
           (2.0f * w);
}

/* Hartley normalisation: centroid to the origin, mean distance sqrt(2).
 * Writes x' = s (x - c) into out; returns s (0 when degenerate). */
static double normalise(const float (*p)[2], int n, double (*out)[2],
                        double c[2])
{
    c[0] = c[1] = 0;
    for (int i = 0; i < n; i++) {
        c[0] += p[i][0];
        c[1] += p[i][1];
    }
    c[0] /= n;
    c[1] /= n;
    double m = 0;
    for (int i = 0; i < n; i++)
        m += hypot(p[i][0] - c[0], p[i][1] - c[1]);
    m /= n;
    if (!(m > 1e-9))
        return 0;
    double s = sqrt(2.0) / m;
    for (int i = 0; i < n; i++) {
        out[i][0] = s * (p[i][0] - c[0]);
        out[i][1] = s * (p[i][1] - c[1]);
    }
    return s;
}

/* Solve the 8x8 system a x = b in place (partial pivoting). Returns false
 * when singular. */
static bool solve8(double a[8][8], double b[8])
{
    for (int k = 0; k < 8; k++) {
        int piv = k;
        for (int i = k + 1; i < 8; i++)
            if (fabs(a[i][k]) > fabs(a[piv][k]))
                piv = i;
        if (fabs(a[piv][k]) < 1e-12)
            return false;
        if (piv != k) {
            for (int j = 0; j < 8; j++) {
                double t = a[k][j];
                a[k][j] = a[piv][j];
                a[piv][j] = t;
            }
            double t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        for (int i = k + 1; i < 8; i++) {
            double f = a[i][k] / a[k][k];
            for (int j = k; j < 8; j++)
                a[i][j] -= f * a[k][j];
            b[i] -= f * b[k];
        }
    }
    for (int k = 7; k >= 0; k--) {
        for (int j = k + 1; j < 8; j++)
            b[k] -= a[k][j] * b[j];
        b[k] /= a[k][k];
    }
    return true;
}

float video_homography_residual(const float (*src)[2], const float (*dst)[2],
                                int n, const int *idx, int nidx)
{
    enum { MAXP = 68 };
    double s[MAXP][2], d[MAXP][2], cs[2], cd[2];
    if (n < 4 || n > MAXP)
        return -1;
    double ks = normalise(src, n, s, cs), kd = normalise(dst, n, d, cd);
    if (ks == 0 || kd == 0)
        return -1;
    /* h = (h11 h12 h13 h21 h22 h23 h31 h32), h33 = 1, least squares via
     * the normal equations (well conditioned after normalisation). */
    double ata[8][8] = {{0}}, atb[8] = {0};
    for (int i = 0; i < n; i++) {
        double x = s[i][0], y = s[i][1], u = d[i][0], v = d[i][1];
        double r[2][8] = {{x, y, 1, 0, 0, 0, -x * u, -y * u},
                          {0, 0, 0, x, y, 1, -x * v, -y * v}};
        double rhs[2] = {u, v};
        for (int k = 0; k < 2; k++)
            for (int a = 0; a < 8; a++) {
                atb[a] += r[k][a] * rhs[k];
                for (int b = 0; b < 8; b++)
                    ata[a][b] += r[k][a] * r[k][b];
            }
    }
    if (!solve8(ata, atb))
        return -1;
    const double *h = atb;
    int m = idx ? nidx : n;
    double sum = 0;
    for (int k = 0; k < m; k++) {
        int i = idx ? idx[k] : k;
        if (i < 0 || i >= n)
            continue;
        double x = s[i][0], y = s[i][1];
        double w = h[6] * x + h[7] * y + 1;
        if (fabs(w) < 1e-9)
            return -1;
        double u = (h[0] * x + h[1] * y + h[2]) / w;
        double v = (h[3] * x + h[4] * y + h[5]) / w;
        double du = u - d[i][0], dv = v - d[i][1];
        sum += du * du + dv * dv;
    }
    /* Back to dst pixels: normalised units are 1/kd pixels. */
    return m > 0 ? (float)(sqrt(sum / m) / kd) : -1;
}
