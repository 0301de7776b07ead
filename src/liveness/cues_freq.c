/* src/liveness/cues_freq.c - recapture cues in the frequency domain.
 *
 * A photo of a screen carries the screen's red, green and blue subpixel
 * stripes, and the beat between them and the camera's own colour filter
 * grid (moire): fine periodic patterns that are coloured. A live face's
 * colour varies slowly (skin, lips, eyes are large areas) while its
 * brightness carries fine detail, so at periods of 4..16 pixels a live
 * face has much less energy in chroma than in luma; a recaptured screen
 * has as much or more. (A plain luma peak search was tried first: the
 * pixel grid of a screen seen through a phone camera and JPEG rarely
 * survives as a luma peak, and skin, hair and compression make peaks of
 * their own. See docs/accuracy.md.)
 *
 * A print, and a photo of a photo, loses the fine texture of skin: the
 * energy at periods of 2..4 pixels drops relative to that at 4..16.
 * Both cues read an n x n native-pixel patch on the face.
 */
#include <math.h>
#include <stdlib.h>

#include "liveness/liveness_int.h"

/* Energy of a power spectrum in the ring of radii [lo, hi] (bins). */
static double ring_energy(const float *pw, int n, float lo, float hi)
{
    double e = 0.0;
    for (int v = 0; v < n; v++)
        for (int u = 0; u < n; u++) {
            int fu = u <= n / 2 ? u : n - u, fv = v <= n / 2 ? v : n - v;
            float r = sqrtf((float)(fu * fu + fv * fv));
            if (r >= lo && r <= hi)
                e += pw[v * n + u];
        }
    return e;
}

float liveness_cue_moire(const float *rgb, int n)
{
    enum { M = LIVENESS_PATCH_MAX };
    static _Thread_local float ch[M * M], pw[M * M];
    const float lo = (float)n / 16.0f, hi = (float)n / 4.0f; /* 16..4 px */
    double e[3];
    /* Luma, then the two opponent chroma axes red-green and yellow-blue. */
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < n * n; i++) {
            const float *p = rgb + 3 * i;
            ch[i] = k == 0   ? 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]
                    : k == 1 ? p[0] - p[1]
                             : 0.5f * (p[0] + p[1]) - p[2];
        }
        liveness_power_spectrum(ch, n, pw);
        e[k] = ring_energy(pw, n, lo, hi);
    }
    /* A flat patch (no luma detail) gives no evidence either way; the
     * floor is well below a face's (which is >= 1e3 per pixel). */
    if (e[0] <= (double)n * n)
        return 0.0f;
    /* No colour detail at all (a gray patch) floors at -6. */
    return (float)log10(fmax((e[1] + e[2]) / e[0], 1e-6));
}

float liveness_cue_texture(const float *g, int n)
{
    enum { M = LIVENESS_PATCH_MAX };
    static _Thread_local float pw[M * M];
    liveness_power_spectrum(g, n, pw);
    double hi = ring_energy(pw, n, (float)n / 4, (float)n / 2);
    double mid = ring_energy(pw, n, (float)n / 16, (float)n / 4 - 0.01f);
    if (mid <= 1e-3 * (double)n * n)
        return 0.0f;
    /* No fine energy at all is as strong as the evidence gets. */
    return (float)-log10(fmax(hi / mid, 1e-6));
}
