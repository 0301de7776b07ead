/* src/media/jpeg.c - JPEG through the TurboJPEG API: probe, decode, encode.
 *
 * The header is read (tjDecompressHeader3) and its dims checked against the
 * limits before the pixel buffer is allocated. Decoding may use libjpeg's
 * DCT-domain scaling (1/2, 1/4, 1/8), which is far cheaper than decoding in
 * full and resizing, when the caller only needs min_side pixels.
 *
 * TurboJPEG turns libjpeg warnings into a -1 return with tjGetErrorCode() ==
 * TJERR_WARNING and the first warning's text. Data that ends early ("Premature
 * end of JPEG file", after which libjpeg fills the rest with gray) and corrupt
 * entropy-coded data are refused as LC_ETRUNC; only "extraneous bytes before
 * marker", which some encoders leave between complete segments, is tolerated.
 * CMYK/YCCK JPEGs are refused as LC_EUNSUP: cameras never produce them.
 * TJFLAG_LIMITSCANS refuses progressive JPEGs with absurd scan counts (a CPU
 * bomb) as LC_ETOOBIG.
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

struct hdr {
    int w, h, subsamp, cs;
};

/* tjInit* fails only when malloc does: abort, as lc_malloc would. */
static tjhandle tj_new(int compress)
{
    tjhandle tj = compress ? tjInitCompress() : tjInitDecompress();
    if (tj == NULL) {
        fprintf(stderr,
                "livecheck: out of memory creating a TurboJPEG handle\n");
        abort();
    }
    return tj;
}

static bool benign(tjhandle tj)
{
    return tjGetErrorCode(tj) == TJERR_WARNING &&
           strstr(tjGetErrorStr2(tj), "extraneous bytes") != NULL;
}

static int fail(tjhandle tj, const char *what, struct lc_diag *d)
{
    const char *msg = tjGetErrorStr2(tj);
    int err = strstr(msg, "scans") != NULL ? LC_ETOOBIG : LC_ETRUNC;
    return lc_diag_set(d, err, "jpeg %s: %s", what, msg);
}

static int read_header(tjhandle tj, const uint8_t *buf, size_t n, struct hdr *h,
                       struct lc_diag *d)
{
    *h = (struct hdr){0};
    int r = tjDecompressHeader3(tj, buf, n, &h->w, &h->h, &h->subsamp, &h->cs);
    if (r != 0 && !benign(tj))
        return fail(tj, "header", d);
    if (h->w <= 0 || h->h <= 0)
        return lc_diag_set(d, LC_ETRUNC, "jpeg header: no image (truncated?)");
    if (h->cs == TJCS_CMYK || h->cs == TJCS_YCCK)
        return lc_diag_set(d, LC_EUNSUP, "jpeg: CMYK images are not supported");
    return 0;
}

int media_jpeg_probe(struct media_info *info, const uint8_t *buf, size_t n,
                     struct lc_diag *d)
{
    tjhandle tj = tj_new(0);
    struct hdr h;
    int rc = read_header(tj, buf, n, &h, d);
    tjDestroy(tj);
    if (rc < 0)
        return rc;
    info->format = MEDIA_FORMAT_JPEG;
    info->width = h.w;
    info->height = h.h;
    media_exif_read_jpeg(info, buf, n);
    return 0;
}

/* The smallest 1/2, 1/4 or 1/8 scale whose shorter side is still >= min_side;
 * 1/1 when none is, or when min_side is 0. */
static tjscalingfactor pick_scale(int w, int h, int min_side)
{
    tjscalingfactor best = {1, 1};
    int best_short = w < h ? w : h;
    int nsf = 0;
    tjscalingfactor *sf = min_side > 0 ? tjGetScalingFactors(&nsf) : NULL;
    for (int i = 0; i < nsf; i++) {
        if (sf[i].num != 1 ||
            (sf[i].denom != 2 && sf[i].denom != 4 && sf[i].denom != 8))
            continue;
        int sw = TJSCALED(w, sf[i]), sh = TJSCALED(h, sf[i]);
        int s = sw < sh ? sw : sh;
        if (s >= min_side && s < best_short) {
            best = sf[i];
            best_short = s;
        }
    }
    return best;
}

int media_jpeg_decode(struct media_image *img, const uint8_t *buf, size_t n,
                      const struct media_decode_opts *o, struct lc_diag *d)
{
    tjhandle tj = tj_new(0);
    struct hdr h;
    int rc = read_header(tj, buf, n, &h, d);
    if (rc == 0)
        rc = media_dims_check(h.w, h.h, o, d);
    if (rc < 0) {
        tjDestroy(tj);
        return rc;
    }
    tjscalingfactor sf = pick_scale(h.w, h.h, o->min_side);
    int sw = TJSCALED(h.w, sf), sh = TJSCALED(h.h, sf);
    /* sw <= w and sh <= h, so media_dims_check covered this product. */
    uint8_t *px = lc_malloc((size_t)sw * (size_t)sh * 3);
    if (tjDecompress2(tj, buf, n, px, sw, sw * 3, sh, TJPF_RGB,
                      TJFLAG_LIMITSCANS) != 0 &&
        !benign(tj)) {
        rc = fail(tj, "decode", d);
        free(px);
        tjDestroy(tj);
        return rc;
    }
    tjDestroy(tj);
    img->w = sw;
    img->h = sh;
    img->px = px;
    return 0;
}

int media_jpeg_encode(const struct media_image *img, int quality, uint8_t **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    if (img == NULL || img->px == NULL || img->w <= 0 || img->h <= 0 ||
        img->w > 65535 || img->h > 65535 || quality < 1 || quality > 100)
        return LC_EINVAL;
    tjhandle tj = tj_new(1);
    unsigned char *jb = NULL;
    unsigned long jn = 0;
    int rc = tjCompress2(tj, img->px, img->w, img->w * 3, img->h, TJPF_RGB, &jb,
                         &jn, TJSAMP_420, quality, 0);
    tjDestroy(tj);
    if (rc != 0) {
        tjFree(jb);
        return LC_EFORMAT;
    }
    /* Copy out of TurboJPEG's allocator so that the caller can use free(). */
    *out = lc_malloc(jn);
    memcpy(*out, jb, jn);
    *n = jn;
    tjFree(jb);
    return 0;
}
