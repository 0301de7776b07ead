/* include/livecheck/media.h - decoding still images (JPEG, PNG) and EXIF.
 *
 * media knows pixels, not tensors. Every decoder reads from a memory buffer
 * the caller owns, checks the declared dimensions against limits before it
 * allocates, and returns a negative LC_E* code (never aborts) on bad input:
 *   LC_EEMPTY   zero bytes
 *   LC_EUNSUP   not a JPEG or PNG by content (magic bytes)
 *   LC_ETOOBIG  declared width*height beyond opts->max_pixels or a side
 *               beyond opts->max_side (decompression bombs)
 *   LC_ETRUNC   the data ends early or is corrupt
 * Decoded images are 8-bit RGB, interleaved, rows packed (stride = 3*w),
 * with the EXIF orientation already applied.
 *
 *     struct media_image im = {0};
 *     struct media_info info;
 *     int rc = media_image_decode(&im, &info, buf, len, NULL, &diag);
 *     ...
 *     media_image_release(&im);
 */
#ifndef LC_MEDIA_H
#define LC_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

enum media_format { MEDIA_FORMAT_UNKNOWN = 0, MEDIA_FORMAT_JPEG, MEDIA_FORMAT_PNG };

/* An 8-bit RGB image. The all-zero value is the empty image. */
struct media_image {
    int w, h;
    uint8_t *px; /* 3*w*h bytes, owned; freed by media_image_release */
};

/* What the container says, read before (and independently of) decoding. */
struct media_info {
    enum media_format format;
    int width, height;  /* after EXIF orientation */
    int orientation;    /* EXIF orientation 1..8 (1 when absent) */
    bool has_file_source, has_make, has_date_time; /* EXIF tags present */
    char make[64];      /* EXIF Make, "" when absent */
    char date_time[32]; /* EXIF DateTime, "" when absent */
};

struct media_decode_opts {
    size_t max_pixels; /* refuse larger declared images; 0 = 50 megapixels */
    int max_side;      /* refuse a larger declared side; 0 = 20000 */
    /* When > 0, JPEGs may be decoded with DCT-domain scaling (1/2, 1/4,
     * 1/8) to the smallest size whose shorter side is still >= min_side.
     * The info dims stay those of the full image. 0 = full resolution. */
    int min_side;
};

/* Format by magic bytes. */
enum media_format media_format_sniff(const uint8_t *buf, size_t n);

/* Read the header (dimensions, orientation, EXIF) without decoding pixels.
 * Returns 0 or a negative LC_E* code as listed above. */
int media_image_probe(struct media_info *info, const uint8_t *buf, size_t n,
                      struct lc_diag *d);

/* Decode buf into img (which must be empty), filling info as probe does.
 * opts may be NULL for the defaults. On failure img stays empty. */
int media_image_decode(struct media_image *img, struct media_info *info,
                       const uint8_t *buf, size_t n,
                       const struct media_decode_opts *opts, struct lc_diag *d);

void media_image_release(struct media_image *img);

/* Read a whole file into a new buffer (caller frees), refusing files larger
 * than max_bytes with LC_ETOOBIG. Returns 0 or LC_EIO / LC_ETOOBIG. */
int media_file_read(const char *path, size_t max_bytes, uint8_t **out,
                    size_t *n, struct lc_diag *d);

/* Encode RGB pixels as a baseline JPEG at the given quality (1..100) into a
 * new buffer (caller frees). Used by tools, tests and stored frames. */
int media_jpeg_encode(const struct media_image *img, int quality,
                      uint8_t **out, size_t *n);

#endif
