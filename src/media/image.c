/* src/media/image.c - the format-independent entry points of media.h.
 *
 * Probe sniffs the format and asks the format's probe for dims and EXIF;
 * decode resolves the option defaults, probes, lets the format decoder
 * check limits and decode, and applies the EXIF orientation last.
 *
 * media_image_probe allocates nothing sized by the input and takes no
 * limits, so it reports dims of any size (callers may want to say how big a
 * refused image was); media_image_decode is where limits apply.
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int media_dims_check(long w, long h, const struct media_decode_opts *o,
                     struct lc_diag *d)
{
    size_t px, bytes;
    if (w <= 0 || h <= 0)
        return lc_diag_set(d, LC_ETRUNC, "image %ldx%ld: empty", w, h);
    if (w > o->max_side || h > o->max_side)
        return lc_diag_set(d, LC_ETOOBIG, "image %ldx%ld: a side exceeds %d", w,
                           h, o->max_side);
    if (lc_mul_overflow((size_t)w, (size_t)h, &px) || px > o->max_pixels ||
        lc_mul_overflow(px, 3, &bytes))
        return lc_diag_set(d, LC_ETOOBIG, "image %ldx%ld: more than %zu pixels",
                           w, h, o->max_pixels);
    return 0;
}

int media_image_probe(struct media_info *info, const uint8_t *buf, size_t n,
                      struct lc_diag *d)
{
    memset(info, 0, sizeof *info);
    media_exif_clear(info);
    if (buf == NULL || n == 0)
        return lc_diag_set(d, LC_EEMPTY, "image: no bytes");

    int rc;
    switch (media_format_sniff(buf, n)) {
    case MEDIA_FORMAT_JPEG:
        rc = media_jpeg_probe(info, buf, n, d);
        break;
    case MEDIA_FORMAT_PNG:
        rc = media_png_probe(info, buf, n, d);
        break;
    default:
        return lc_diag_set(d, LC_EUNSUP, "image: neither JPEG nor PNG");
    }
    if (rc < 0)
        return rc;
    if (info->orientation >= 5) {
        int t = info->width;
        info->width = info->height;
        info->height = t;
    }
    return 0;
}

int media_image_decode(struct media_image *img, struct media_info *info,
                       const uint8_t *buf, size_t n,
                       const struct media_decode_opts *opts, struct lc_diag *d)
{
    struct media_info local;
    struct media_decode_opts o = {0};
    struct media_image raw = {0};

    assert(img->px == NULL && "media_image_decode needs an empty image");
    if (info == NULL)
        info = &local;
    if (opts != NULL)
        o = *opts;
    if (o.max_pixels == 0)
        o.max_pixels = MEDIA_MAX_PIXELS_DEFAULT;
    if (o.max_side <= 0)
        o.max_side = MEDIA_MAX_SIDE_DEFAULT;
    if (o.min_side < 0)
        o.min_side = 0;

    int rc = media_image_probe(info, buf, n, d);
    if (rc < 0)
        return rc;
    if (info->format == MEDIA_FORMAT_JPEG)
        rc = media_jpeg_decode(&raw, buf, n, &o, d);
    else
        rc = media_png_decode(&raw, buf, n, &o, d);
    if (rc < 0)
        return rc;
    media_image_orient(&raw, info->orientation);
    *img = raw;
    return 0;
}

void media_image_release(struct media_image *img)
{
    if (img == NULL)
        return;
    free(img->px);
    *img = (struct media_image){0};
}
