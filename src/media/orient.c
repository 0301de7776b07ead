/* src/media/orient.c - applying the EXIF orientation to decoded pixels.
 *
 * EXIF orientation says how the stored rows map to the visual image:
 *   1 as stored          2 mirrored left-right   3 rotated 180
 *   4 mirrored top-down  5 transposed            6 needs 90 degrees clockwise
 *   7 transversed        8 needs 90 degrees counter-clockwise
 * For each output pixel (x, y) we compute the source pixel (sx, sy) in the
 * stored image of size w x h; 5..8 swap the output dims. A plain copy into a
 * new buffer: simple, and cheap next to the decode itself.
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <stdlib.h>
#include <string.h>

static void source(int o, int w, int h, int x, int y, int *sx, int *sy)
{
    switch (o) {
    case 2:
        *sx = w - 1 - x;
        *sy = y;
        break;
    case 3:
        *sx = w - 1 - x;
        *sy = h - 1 - y;
        break;
    case 4:
        *sx = x;
        *sy = h - 1 - y;
        break;
    case 5:
        *sx = y;
        *sy = x;
        break;
    case 6:
        *sx = y;
        *sy = h - 1 - x;
        break;
    case 7:
        *sx = w - 1 - y;
        *sy = h - 1 - x;
        break;
    case 8:
        *sx = w - 1 - y;
        *sy = x;
        break;
    default:
        *sx = x;
        *sy = y;
        break;
    }
}

void media_image_orient(struct media_image *img, int orientation)
{
    if (orientation < 2 || orientation > 8 || img->px == NULL)
        return;
    int w = img->w, h = img->h;
    int ow = orientation >= 5 ? h : w;
    int oh = orientation >= 5 ? w : h;
    /* Same byte count as the input, which the decoder already checked. */
    uint8_t *out = lc_malloc((size_t)w * (size_t)h * 3);
    for (int y = 0; y < oh; y++) {
        uint8_t *dst = out + (size_t)y * ow * 3;
        for (int x = 0; x < ow; x++) {
            int sx, sy;
            source(orientation, w, h, x, y, &sx, &sy);
            memcpy(dst + (size_t)x * 3, img->px + ((size_t)sy * w + sx) * 3, 3);
        }
    }
    free(img->px);
    img->px = out;
    img->w = ow;
    img->h = oh;
}
