/* src/media/png.c - PNG through libspng: probe and decode to RGB8.
 *
 * libspng converts every PNG colour type and bit depth (gray, palette,
 * alpha, 16-bit) to 8-bit RGB for us; alpha is dropped, not composited.
 * Untrusted input is bounded three ways before and during decoding:
 * spng_set_image_limits refuses IHDR sides beyond max_side, our own
 * media_dims_check refuses too many pixels before the output buffer is
 * allocated, and spng_set_chunk_limits bounds the memory that ancillary
 * chunks (text, ICC profiles, eXIf) may take. libspng reports a chunk limit
 * as SPNG_EMEM, which we return as LC_ETOOBIG.
 *
 * EXIF comes from the eXIf chunk (a bare TIFF structure, without JPEG's
 * "Exif\0\0" prefix, which we add for libexif).
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <spng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MAX ((size_t)4 << 20)  /* one ancillary chunk */
#define CACHE_MAX ((size_t)16 << 20) /* all stored chunks together */

static spng_ctx *ctx_open(const uint8_t *buf, size_t n, uint32_t max_side)
{
    spng_ctx *c = spng_ctx_new(0);
    if (c == NULL) {
        fprintf(stderr,
                "livecheck: out of memory creating a libspng context\n");
        abort();
    }
    spng_set_image_limits(c, max_side, max_side);
    spng_set_chunk_limits(c, CHUNK_MAX, CACHE_MAX);
    spng_set_png_buffer(c, buf, n);
    return c;
}

static int fail(int e, const char *what, struct lc_diag *d)
{
    int err = LC_ETRUNC;
    if (e == SPNG_EUSER_WIDTH || e == SPNG_EUSER_HEIGHT || e == SPNG_EMEM ||
        e == SPNG_ECHUNK_LIMITS)
        err = LC_ETOOBIG;
    return lc_diag_set(d, err, "png %s: %s", what, spng_strerror(e));
}

static void read_exif(struct media_info *info, spng_ctx *c)
{
    struct spng_exif ex;
    if (spng_get_exif(c, &ex) != 0 || ex.data == NULL || ex.length == 0)
        return;
    uint8_t *p = lc_malloc(ex.length + 6);
    memcpy(p, "Exif\0\0", 6);
    memcpy(p + 6, ex.data, ex.length);
    media_exif_read(info, p, ex.length + 6);
    free(p);
}

int media_png_probe(struct media_info *info, const uint8_t *buf, size_t n,
                    struct lc_diag *d)
{
    spng_ctx *c = ctx_open(buf, n, 0x7fffffff);
    struct spng_ihdr ih;
    int e = spng_get_ihdr(c, &ih);
    if (e != 0) {
        spng_ctx_free(c);
        return fail(e, "header", d);
    }
    info->format = MEDIA_FORMAT_PNG;
    info->width = (int)ih.width;
    info->height = (int)ih.height;
    /* Reads the chunks before IDAT; a failure there only loses EXIF, and
     * decoding reports it. */
    read_exif(info, c);
    spng_ctx_free(c);
    return 0;
}

int media_png_decode(struct media_image *img, const uint8_t *buf, size_t n,
                     const struct media_decode_opts *o, struct lc_diag *d)
{
    spng_ctx *c = ctx_open(buf, n, (uint32_t)o->max_side);
    struct spng_ihdr ih;
    size_t need = 0, px_n = 0;
    int e = spng_get_ihdr(c, &ih);
    if (e != 0) {
        spng_ctx_free(c);
        return fail(e, "header", d);
    }
    int rc = media_dims_check(ih.width, ih.height, o, d);
    if (rc == 0) {
        e = spng_decoded_image_size(c, SPNG_FMT_RGB8, &need);
        if (e != 0)
            rc = fail(e, "size", d);
    }
    if (rc == 0 && (lc_mul_overflow((size_t)ih.width * ih.height, 3, &px_n) ||
                    need != px_n))
        rc = lc_diag_set(d, LC_ETOOBIG, "png: unexpected RGB8 size %zu", need);
    if (rc < 0) {
        spng_ctx_free(c);
        return rc;
    }
    uint8_t *px = lc_malloc(need);
    e = spng_decode_image(c, px, need, SPNG_FMT_RGB8, 0);
    /* spng stops once the pixels are complete; read on to IEND so that a
     * file cut after its image data (CRC, IEND) is LC_ETRUNC, as for JPEG. */
    if (e == 0)
        e = spng_decode_chunks(c);
    spng_ctx_free(c);
    if (e != 0) {
        free(px);
        return fail(e, "decode", d);
    }
    img->w = (int)ih.width;
    img->h = (int)ih.height;
    img->px = px;
    return 0;
}
