/* src/media/media_int.h - declarations shared by the files of src/media only.
 *
 * The public contract is include/livecheck/media.h. Here the per-format
 * probe/decode pairs, the EXIF reader and the orientation step meet; nothing
 * outside src/media includes this file.
 *
 * Probes fill the raw container dims (before orientation) into info->width
 * and info->height; media_image_probe swaps them for orientations 5..8.
 * Decoders get opts with the defaults already resolved and check the
 * declared dims with media_dims_check right after reading the header,
 * before they allocate anything sized by the input.
 */
#ifndef LC_MEDIA_INT_H
#define LC_MEDIA_INT_H

#include "livecheck/media.h"

#define MEDIA_MAX_PIXELS_DEFAULT ((size_t)50 * 1000 * 1000)
#define MEDIA_MAX_SIDE_DEFAULT 20000

/* 0 if w x h fits o's limits, else LC_ETOOBIG with a diag. */
int media_dims_check(long w, long h, const struct media_decode_opts *o,
                     struct lc_diag *d);

int media_jpeg_probe(struct media_info *info, const uint8_t *buf, size_t n,
                     struct lc_diag *d);
int media_jpeg_decode(struct media_image *img, const uint8_t *buf, size_t n,
                      const struct media_decode_opts *o, struct lc_diag *d);

int media_png_probe(struct media_info *info, const uint8_t *buf, size_t n,
                    struct lc_diag *d);
int media_png_decode(struct media_image *img, const uint8_t *buf, size_t n,
                     const struct media_decode_opts *o, struct lc_diag *d);

/* Fill the EXIF fields of info (orientation, Make, DateTime, FileSource)
 * from an APP1 payload that starts with "Exif\0\0". Bad or missing EXIF
 * leaves the defaults (orientation 1, nothing present); it never fails. */
void media_exif_read(struct media_info *info, const uint8_t *p, size_t n);

/* Find the first APP1 "Exif\0\0" segment of a JPEG before its first scan
 * and read it as media_exif_read does. */
void media_exif_read_jpeg(struct media_info *info, const uint8_t *buf,
                          size_t n);

/* Reset the EXIF fields of info to "absent". */
void media_exif_clear(struct media_info *info);

/* Apply EXIF orientation 1..8 to img in place (the pixel buffer may be
 * replaced). Other values are treated as 1. */
void media_image_orient(struct media_image *img, int orientation);

#endif
