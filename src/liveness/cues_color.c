/* src/liveness/cues_color.c - colour cues of a recaptured face.
 *
 * A screen shows skin through its own primaries and white point: replayed
 * faces drift towards blue and green, where live skin under ordinary light
 * keeps red above blue. A glossy print or a screen's glass reflects lights
 * as flat, clipped, colourless patches larger than skin's own shine. Both
 * cues read the inner face (the middle of the squared box: cheeks, nose,
 * mouth), away from hair and background.
 */
#include <math.h>

#include "liveness/liveness_int.h"

/* Integer pixel bounds [x0, x1) x [y0, y1) of box, clamped to img. */
static void bounds(const struct media_image *img, const float box[4],
                   int b[4])
{
    b[0] = (int)fmaxf(0.0f, box[0]);
    b[1] = (int)fmaxf(0.0f, box[1]);
    b[2] = (int)fminf((float)img->w, box[0] + box[2]);
    b[3] = (int)fminf((float)img->h, box[1] + box[3]);
}

float liveness_cue_gamut(const struct media_image *img, const float box[4])
{
    int b[4];
    bounds(img, box, b);
    double sr = 0.0, sg = 0.0, sb = 0.0;
    long n = 0;
    for (int y = b[1]; y < b[3]; y++)
        for (int x = b[0]; x < b[2]; x++) {
            const uint8_t *p = img->px + 3 * ((size_t)y * img->w + x);
            int s = p[0] + p[1] + p[2];
            /* Chroma is meaningless in the dark and in clipped light. */
            if (s < 60 || p[0] > 250 || p[1] > 250 || p[2] > 250)
                continue;
            sr += (double)p[0] / s;
            sg += (double)p[1] / s;
            sb += (double)p[2] / s;
            n++;
        }
    if (n == 0)
        return 0.0f;
    sr /= (double)n;
    sg /= (double)n;
    sb /= (double)n;
    /* Live skin: red share well above blue and above green. Measured on
     * the dev live photos: r - b >= 0.08, r - g >= 0.02 (docs/accuracy.md).
     * The cue is how far the face falls short of both. */
    double blue = fmax(0.0, 0.08 - (sr - sb));
    double green = fmax(0.0, 0.02 - (sr - sg));
    return (float)(blue + green);
}

float liveness_cue_specular(const struct media_image *img, const float box[4])
{
    int b[4];
    bounds(img, box, b);
    long n = 0, hits = 0;
    for (int y = b[1]; y < b[3]; y++)
        for (int x = b[0]; x < b[2]; x++) {
            n++;
            if (x == 0 || y == 0 || x == img->w - 1 || y == img->h - 1)
                continue;
            bool flat = true;
            for (int dy = -1; dy <= 1 && flat; dy++)
                for (int dx = -1; dx <= 1 && flat; dx++) {
                    const uint8_t *p = img->px + 3 * ((size_t)(y + dy) * img->w + x + dx);
                    int mx = p[0] > p[1] ? p[0] : p[1];
                    int mn = p[0] < p[1] ? p[0] : p[1];
                    mx = mx > p[2] ? mx : p[2];
                    mn = mn < p[2] ? mn : p[2];
                    flat = liveness_luma(p) >= 245.0f && mx - mn <= 24;
                }
            hits += flat;
        }
    return n > 0 ? (float)hits / (float)n : 0.0f;
}
