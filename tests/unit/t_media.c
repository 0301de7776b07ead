/* tests/unit/t_media.c - media: sniffing, JPEG/PNG decoding, limits, EXIF.
 *
 * Real photos come from the dev data (test_dev_data(), read in place, never
 * copied). Images with known content (quadrant colours, EXIF tags, PNG
 * colour types) are built in memory here with TurboJPEG, libexif and libspng,
 * so the expected values are independent of the code under test.
 */
#include "test.h"

#include "livecheck/media.h"

#include <dirent.h>
#include <libexif/exif-data.h>
#include <spng.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *dev_read(const char *rel, size_t *n)
{
    char path[1024];
    uint8_t *buf = NULL;
    struct lc_diag d = {0};
    snprintf(path, sizeof path, "%s/%s", test_dev_data(), rel);
    if (media_file_read(path, (size_t)64 << 20, &buf, n, &d) != 0) {
        fprintf(stderr, "    dev data: %s\n", d.msg);
        return NULL;
    }
    return buf;
}

enum { RED, GREEN, BLUE, WHITE };
static const uint8_t palette[4][3] = {
    {230, 20, 20}, {20, 200, 20}, {20, 20, 230}, {250, 250, 250}};

/* w x h with quadrants TL red, TR green, BL blue, BR white. */
static struct media_image quad_image(int w, int h)
{
    struct media_image im = {w, h, malloc((size_t)w * h * 3)};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int q = (y >= h / 2) * 2 + (x >= w / 2);
            memcpy(im.px + ((size_t)y * w + x) * 3, palette[q], 3);
        }
    return im;
}

/* The palette colour nearest to pixel (x, y). */
static int color_at(const struct media_image *im, int x, int y)
{
    const uint8_t *p = im->px + ((size_t)y * im->w + x) * 3;
    int best = -1, best_d = 1 << 30;
    for (int c = 0; c < 4; c++) {
        int d = 0;
        for (int k = 0; k < 3; k++)
            d += (p[k] - palette[c][k]) * (p[k] - palette[c][k]);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

static void add_entry(ExifContent *ifd, ExifTag tag, ExifFormat fmt,
                      const void *data, unsigned int size)
{
    ExifEntry *e = exif_entry_new();
    e->tag = tag;
    e->format = fmt;
    e->components = size / exif_format_get_size(fmt);
    e->size = size;
    e->data = malloc(size); /* freed by libexif's default allocator */
    memcpy(e->data, data, size);
    exif_content_add_entry(ifd, e);
    exif_entry_unref(e);
}

/* An EXIF block ("Exif\0\0" + TIFF) with Orientation; with tags also Make,
 * DateTime and FileSource. Caller frees. */
static uint8_t *exif_build(int orientation, bool tags, ExifByteOrder order,
                           unsigned int *n)
{
    ExifData *ed = exif_data_new();
    exif_data_set_byte_order(ed, order);
    uint8_t o[2];
    exif_set_short(o, order, (ExifShort)orientation);
    add_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION, EXIF_FORMAT_SHORT, o,
              2);
    if (tags) {
        add_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_MAKE, EXIF_FORMAT_ASCII,
                  "TestCam\x01", 9);
        add_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_DATE_TIME, EXIF_FORMAT_ASCII,
                  "2024:05:06 07:08:09", 20);
        uint8_t dsc = 3;
        add_entry(ed->ifd[EXIF_IFD_EXIF], EXIF_TAG_FILE_SOURCE,
                  EXIF_FORMAT_UNDEFINED, &dsc, 1);
    }
    unsigned char *buf = NULL;
    exif_data_save_data(ed, &buf, n);
    exif_data_unref(ed);
    return buf;
}

/* A JPEG of im with an APP1 segment holding exif right after SOI. */
static uint8_t *jpeg_with_exif(const struct media_image *im,
                               const uint8_t *exif, size_t en, size_t *n)
{
    uint8_t *j;
    size_t jn;
    if (media_jpeg_encode(im, 95, &j, &jn) != 0)
        return NULL;
    uint8_t *out = malloc(jn + en + 4);
    memcpy(out, j, 2);
    out[2] = 0xff;
    out[3] = 0xe1;
    out[4] = (uint8_t)((en + 2) >> 8);
    out[5] = (uint8_t)(en + 2);
    memcpy(out + 6, exif, en);
    memcpy(out + 6 + en, j + 2, jn - 2);
    *n = jn + en + 4;
    free(j);
    return out;
}

static struct spng_ihdr ihdr(uint32_t w, uint32_t h, int depth, int type)
{
    return (struct spng_ihdr){.width = w,
                              .height = h,
                              .bit_depth = (uint8_t)depth,
                              .color_type = (uint8_t)type};
}

/* A PNG with the given header, raw rows (SPNG_FMT_PNG layout) and optional
 * palette and eXIf (bare TIFF). Caller frees. */
static uint8_t *png_build(struct spng_ihdr ih, struct spng_plte *plte,
                          const void *rows, size_t rn, const uint8_t *tiff,
                          size_t tn, size_t *n)
{
    spng_ctx *c = spng_ctx_new(SPNG_CTX_ENCODER);
    spng_set_option(c, SPNG_ENCODE_TO_BUFFER, 1);
    spng_set_ihdr(c, &ih);
    if (plte != NULL)
        spng_set_plte(c, plte);
    if (tiff != NULL) {
        struct spng_exif ex = {tn, (char *)tiff};
        spng_set_exif(c, &ex);
    }
    int e = spng_encode_image(c, rows, rn, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    uint8_t *buf = e == 0 ? spng_get_png_buffer(c, n, &e) : NULL;
    spng_ctx_free(c);
    return buf;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

/* ---- format and argument errors ------------------------------------------ */

TEST(media_sniff)
{
    static const uint8_t jpg[] = {0xff, 0xd8, 0xff, 0xe0};
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ASSERT_INT(media_format_sniff(jpg, sizeof jpg), ==, MEDIA_FORMAT_JPEG);
    ASSERT_INT(media_format_sniff(png, sizeof png), ==, MEDIA_FORMAT_PNG);
    ASSERT_INT(media_format_sniff(png, 7), ==, MEDIA_FORMAT_UNKNOWN);
    ASSERT_INT(media_format_sniff(jpg, 2), ==, MEDIA_FORMAT_UNKNOWN);
    ASSERT_INT(media_format_sniff((const uint8_t *)"GIF89a", 6), ==,
               MEDIA_FORMAT_UNKNOWN);
    ASSERT_INT(media_format_sniff(NULL, 0), ==, MEDIA_FORMAT_UNKNOWN);
}

TEST(media_decode_empty_and_text)
{
    struct media_image im = {0};
    struct media_info info;
    struct lc_diag d = {0};
    const char *txt = "hello, this is not an image\n";
    ASSERT_INT(media_image_decode(&im, &info, NULL, 0, NULL, &d), ==,
               LC_EEMPTY);
    ASSERT_INT(
        media_image_decode(&im, &info, (const uint8_t *)txt, 0, NULL, &d), ==,
        LC_EEMPTY);
    ASSERT_INT(media_image_decode(&im, &info, (const uint8_t *)txt, strlen(txt),
                                  NULL, &d),
               ==, LC_EUNSUP);
    ASSERT(im.px == NULL && im.w == 0);
    ASSERT(d.msg[0] != '\0');
    ASSERT_INT(
        media_image_probe(&info, (const uint8_t *)txt, strlen(txt), NULL), ==,
        LC_EUNSUP);
}

/* ---- real photos --------------------------------------------------------- */

TEST(media_decode_dev_jpeg)
{
    size_t n;
    uint8_t *buf = dev_read("faces/obama-1.jpg", &n);
    ASSERT(buf != NULL);
    struct media_image im = {0};
    struct media_info info, pinfo;
    struct lc_diag d = {0};
    int rc = media_image_decode(&im, &info, buf, n, NULL, &d);
    int prc = media_image_probe(&pinfo, buf, n, &d);
    free(buf);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(prc, ==, 0);
    ASSERT_INT(info.format, ==, MEDIA_FORMAT_JPEG);
    ASSERT_INT(im.w, ==, 910);
    ASSERT_INT(im.h, ==, 1137);
    ASSERT_INT(info.width, ==, 910);
    ASSERT_INT(info.height, ==, 1137);
    ASSERT_INT(pinfo.width, ==, 910);
    ASSERT_INT(info.orientation, ==, 1);
    /* A Canon press photo: IFD0 carries Make and DateTime. */
    ASSERT(info.has_make);
    ASSERT_STR(info.make, "Canon");
    ASSERT(info.has_date_time);
    ASSERT_INT(strlen(info.date_time), ==, 19);
    ASSERT(!info.has_file_source);
    /* Not a flat image: the decoder wrote real pixels. */
    long sum = 0;
    for (size_t i = 0; i < (size_t)im.w * im.h * 3; i += 997)
        sum += im.px[i];
    media_image_release(&im);
    ASSERT(im.px == NULL && im.w == 0 && im.h == 0);
    ASSERT(sum > 0);
}

static void check_scaled(const char *rel, int min_side, int fw, int fh, int w,
                         int h)
{
    size_t n;
    uint8_t *buf = dev_read(rel, &n);
    ASSERT(buf != NULL);
    struct media_image im = {0};
    struct media_info info;
    struct media_decode_opts o = {.min_side = min_side};
    struct lc_diag d = {0};
    int rc = media_image_decode(&im, &info, buf, n, &o, &d);
    free(buf);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(info.width, ==, fw);
    ASSERT_INT(info.height, ==, fh);
    ASSERT_INT(im.w, ==, w);
    ASSERT_INT(im.h, ==, h);
    media_image_release(&im);
}

TEST(media_decode_dct_scaling)
{
    /* 1920x1080: 1/4 keeps 270 >= 224, 1/8 would give 135. */
    check_scaled("faces/obama-1080p.jpg", 224, 1920, 1080, 480, 270);
    check_scaled("faces/obama-1080p.jpg", 100, 1920, 1080, 240, 135);
    check_scaled("faces/obama-1080p.jpg", 540, 1920, 1080, 960, 540);
    check_scaled("faces/obama-1080p.jpg", 541, 1920, 1080, 1920, 1080);
    check_scaled("faces/obama-1080p.jpg", 0, 1920, 1080, 1920, 1080);
    /* 640x480 webcam: 1/2 = 320x240. Odd sizes round up (910/4 = 227.5). */
    check_scaled("nuaa/ClientRaw/0001_0001_00_00_01_0.jpg", 224, 640, 480, 320,
                 240);
    check_scaled("faces/obama-1.jpg", 224, 910, 1137, 228, 285);
    /* A progressive JPEG scales too. */
    check_scaled("faces/rose-leslie-1.jpg", 224, 1280, 799, 640, 400);
}

/* Every dev photo decodes (scaled, to stay quick), to plausible dims. */
TEST(media_decode_dev_all)
{
    static const char *dirs[] = {"faces", "nuaa/ClientRaw", "nuaa/ImposterRaw"};
    int count = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", test_dev_data(), dirs[k]);
        DIR *dir = opendir(path);
        ASSERT(dir != NULL);
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            size_t len = strlen(de->d_name);
            if (len < 4 || strcmp(de->d_name + len - 4, ".jpg") != 0)
                continue;
            char rel[600];
            snprintf(rel, sizeof rel, "%s/%s", dirs[k], de->d_name);
            size_t n;
            uint8_t *buf = dev_read(rel, &n);
            struct media_image im = {0};
            struct media_info info;
            struct media_decode_opts o = {.min_side = 224};
            struct lc_diag d = {0};
            int rc = buf ? media_image_decode(&im, &info, buf, n, &o, &d) : -99;
            free(buf);
            if (rc != 0)
                fprintf(stderr, "    %s: %s\n", rel, d.msg);
            bool ok = rc == 0 && im.w > 0 && im.w <= info.width &&
                      (im.w >= 224 || im.h >= 224 || im.w == info.width);
            media_image_release(&im);
            if (!ok)
                closedir(dir);
            ASSERT(ok);
            count++;
        }
        closedir(dir);
    }
    ASSERT_INT(count, >=, 150);
}

TEST(media_decode_truncated_jpeg)
{
    static const char *files[] = {"faces/obama-1.jpg",
                                  "faces/rose-leslie-1.jpg",
                                  "nuaa/ClientRaw/0001_0001_00_00_01_0.jpg"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        size_t n;
        uint8_t *buf = dev_read(files[k], &n);
        ASSERT(buf != NULL);
        /* Cut in the scan data, in the headers, and just before EOI. */
        size_t cuts[] = {n / 2, 300, n - 2};
        for (size_t c = 0; c < 3; c++) {
            struct media_image im = {0};
            struct media_info info;
            struct lc_diag d = {0};
            int rc = media_image_decode(&im, &info, buf, cuts[c], NULL, &d);
            if (rc != LC_ETRUNC)
                free(buf);
            ASSERT_INT(rc, ==, LC_ETRUNC);
            ASSERT(im.px == NULL);
            ASSERT(d.msg[0] != '\0');
        }
        free(buf);
    }
}

/* ---- limits (decompression bombs) ---------------------------------------- */

TEST(media_png_bomb_header)
{
    /* Signature + IHDR (100000 x 100000 RGB8) + empty IDAT + IEND. */
    uint8_t png[8 + 25 + 12 + 12] = {0x89, 'P',  'N',  'G',
                                     '\r', '\n', 0x1a, '\n'};
    uint8_t *c = png + 8;
    put_be32(c, 13);
    memcpy(c + 4, "IHDR", 4);
    put_be32(c + 8, 100000);
    put_be32(c + 12, 100000);
    c[16] = 8; /* bit depth */
    c[17] = 2; /* colour type RGB */
    put_be32(c + 21, crc32_png(c + 4, 17));
    c += 25;
    memcpy(c + 4, "IDAT", 4);
    put_be32(c + 8, crc32_png(c + 4, 4));
    c += 12;
    memcpy(c + 4, "IEND", 4);
    put_be32(c + 8, crc32_png(c + 4, 4));

    struct media_info info;
    struct media_image im = {0};
    struct lc_diag d = {0};
    /* The header itself is fine: probe reports it. */
    ASSERT_INT(media_image_probe(&info, png, sizeof png, &d), ==, 0);
    ASSERT_INT(info.format, ==, MEDIA_FORMAT_PNG);
    ASSERT_INT(info.width, ==, 100000);
    ASSERT_INT(info.height, ==, 100000);
    /* Default limits: the side is refused. A 30 GB allocation would abort. */
    ASSERT_INT(media_image_decode(&im, &info, png, sizeof png, NULL, &d), ==,
               LC_ETOOBIG);
    ASSERT(im.px == NULL);
    /* Sides allowed, pixel count not. */
    struct media_decode_opts o = {.max_side = 200000};
    ASSERT_INT(media_image_decode(&im, &info, png, sizeof png, &o, &d), ==,
               LC_ETOOBIG);
    ASSERT(strstr(d.msg, "pixels") != NULL);
    /* Small dims with a broken IHDR CRC: corruption. */
    put_be32(png + 16, 10);
    put_be32(png + 20, 10);
    png[8 + 21] ^= 1;
    ASSERT_INT(media_image_decode(&im, &info, png, sizeof png, NULL, &d), ==,
               LC_ETRUNC);
}

TEST(media_jpeg_limits)
{
    struct media_image src = quad_image(64, 32);
    uint8_t *j;
    size_t n;
    ASSERT_INT(media_jpeg_encode(&src, 90, &j, &n), ==, 0);
    free(src.px);
    struct media_image im = {0};
    struct media_info info;
    struct lc_diag d = {0};
    struct media_decode_opts side = {.max_side = 50};
    struct media_decode_opts pixels = {.max_pixels = 64 * 32 - 1};
    struct media_decode_opts exact = {.max_side = 64, .max_pixels = 64 * 32};
    int r1 = media_image_decode(&im, &info, j, n, &side, &d);
    int r2 = media_image_decode(&im, &info, j, n, &pixels, &d);
    int r3 = media_image_decode(&im, &info, j, n, &exact, &d);
    media_image_release(&im);
    /* Patch the SOF0 dims to 60000 x 60000. */
    size_t sof = 2;
    while (sof + 9 < n && !(j[sof] == 0xff && j[sof + 1] == 0xc0))
        sof++;
    j[sof + 5] = j[sof + 7] = 60000 >> 8;
    j[sof + 6] = j[sof + 8] = 60000 & 0xff;
    struct media_decode_opts wide = {.max_side = 65535};
    int r4 = media_image_decode(&im, &info, j, n, NULL, &d);
    int r5 = media_image_decode(&im, &info, j, n, &wide, &d);
    free(j);
    ASSERT_INT(r1, ==, LC_ETOOBIG);
    ASSERT_INT(r2, ==, LC_ETOOBIG);
    ASSERT_INT(r3, ==, 0);
    ASSERT_INT(r4, ==, LC_ETOOBIG);
    ASSERT_INT(r5, ==, LC_ETOOBIG);
    ASSERT(im.px == NULL);
}

/* ---- EXIF and orientation ------------------------------------------------ */

/* Expected output quadrant colours (TL, TR, BL, BR) of a TL red, TR green,
 * BL blue, BR white image after applying each EXIF orientation, worked out by
 * hand from the EXIF definitions (e.g. 6: rotate 90 degrees clockwise). */
static const int expect_quads[9][4] = {
    {0},
    {RED, GREEN, BLUE, WHITE}, /* 1 as stored */
    {GREEN, RED, WHITE, BLUE}, /* 2 mirror left-right */
    {WHITE, BLUE, GREEN, RED}, /* 3 rotate 180 */
    {BLUE, WHITE, RED, GREEN}, /* 4 mirror top-bottom */
    {RED, BLUE, GREEN, WHITE}, /* 5 transpose */
    {BLUE, RED, WHITE, GREEN}, /* 6 rotate 90 clockwise */
    {WHITE, GREEN, BLUE, RED}, /* 7 transverse */
    {GREEN, WHITE, RED, BLUE}, /* 8 rotate 90 counter-clockwise */
};

static void check_quads(const struct media_image *im, int o)
{
    int w = im->w, h = im->h;
    int got[4] = {color_at(im, w / 4, h / 4), color_at(im, 3 * w / 4, h / 4),
                  color_at(im, w / 4, 3 * h / 4),
                  color_at(im, 3 * w / 4, 3 * h / 4)};
    for (int q = 0; q < 4; q++)
        if (got[q] != expect_quads[o][q])
            test_fail(__FILE__, __LINE__,
                      "orientation %d quadrant %d: %d vs %d", o, q, got[q],
                      expect_quads[o][q]);
}

TEST(media_exif_orientation_jpeg)
{
    struct media_image src = quad_image(64, 32);
    for (int o = 1; o <= 8 && !test_failed; o++) {
        unsigned int en;
        ExifByteOrder order =
            o % 2 ? EXIF_BYTE_ORDER_INTEL : EXIF_BYTE_ORDER_MOTOROLA;
        uint8_t *exif = exif_build(o, false, order, &en);
        size_t n;
        uint8_t *j = jpeg_with_exif(&src, exif, en, &n);
        free(exif);
        ASSERT(j != NULL);
        struct media_image im = {0};
        struct media_info info;
        struct lc_diag d = {0};
        int rc = media_image_decode(&im, &info, j, n, NULL, &d);
        free(j);
        ASSERT_INT(rc, ==, 0);
        ASSERT_INT(info.orientation, ==, o);
        ASSERT_INT(im.w, ==, o >= 5 ? 32 : 64);
        ASSERT_INT(im.h, ==, o >= 5 ? 64 : 32);
        ASSERT_INT(info.width, ==, im.w);
        ASSERT_INT(info.height, ==, im.h);
        /* Orientation alone: no other tag may appear. */
        ASSERT(!info.has_make && !info.has_date_time && !info.has_file_source);
        check_quads(&im, o);
        media_image_release(&im);
    }
    free(src.px);
}

TEST(media_exif_tags_jpeg)
{
    struct media_image src = quad_image(64, 32);
    unsigned int en;
    uint8_t *exif = exif_build(6, true, EXIF_BYTE_ORDER_MOTOROLA, &en);
    size_t n;
    uint8_t *j = jpeg_with_exif(&src, exif, en, &n);
    free(exif);
    free(src.px);
    ASSERT(j != NULL);

    struct media_info info;
    struct media_image im = {0};
    struct lc_diag d = {0};
    struct media_decode_opts o = {.min_side = 8};
    ASSERT_INT(media_image_probe(&info, j, n, &d), ==, 0);
    ASSERT_INT(info.orientation, ==, 6);
    ASSERT_INT(info.width, ==, 32);
    ASSERT_INT(info.height, ==, 64);
    ASSERT(info.has_make && info.has_date_time && info.has_file_source);
    ASSERT_STR(info.make, "TestCam?"); /* the control byte is masked */
    ASSERT_STR(info.date_time, "2024:05:06 07:08:09");

    /* Orientation on top of DCT scaling: 64x32 at 1/4 is 16x8, then 8x16. */
    int rc = media_image_decode(&im, &info, j, n, &o, &d);
    free(j);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(im.w, ==, 8);
    ASSERT_INT(im.h, ==, 16);
    ASSERT_INT(info.width, ==, 32);
    ASSERT_INT(info.height, ==, 64);
    check_quads(&im, 6);
    media_image_release(&im);
}

/* A corrupt APP1 must not fail the decode: EXIF is advisory. */
TEST(media_exif_garbage_ignored)
{
    struct media_image src = quad_image(32, 32);
    uint8_t junk[64] = "Exif\0\0MM\0*\0\0\0\x08\xff\xff";
    for (size_t i = 16; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37);
    size_t n;
    uint8_t *j = jpeg_with_exif(&src, junk, sizeof junk, &n);
    free(src.px);
    ASSERT(j != NULL);
    struct media_image im = {0};
    struct media_info info;
    int rc = media_image_decode(&im, &info, j, n, NULL, NULL);
    free(j);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(info.orientation, ==, 1);
    ASSERT_INT(im.w, ==, 32);
    media_image_release(&im);
}

/* ---- JPEG encode --------------------------------------------------------- */

TEST(media_jpeg_encode_roundtrip)
{
    struct media_image src = quad_image(48, 40);
    uint8_t *j;
    size_t n;
    ASSERT_INT(media_jpeg_encode(&src, 0, &j, &n), ==, LC_EINVAL);
    ASSERT(j == NULL && n == 0);
    ASSERT_INT(media_jpeg_encode(&src, 90, &j, &n), ==, 0);
    ASSERT(n > 100);
    struct media_image im = {0};
    struct media_info info;
    int rc = media_image_decode(&im, &info, j, n, NULL, NULL);
    free(j);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(im.w, ==, 48);
    ASSERT_INT(im.h, ==, 40);
    check_quads(&im, 1);
    media_image_release(&im);
    free(src.px);
}

/* ---- PNG ----------------------------------------------------------------- */

static int png_decode(const uint8_t *buf, size_t n, struct media_image *im,
                      struct media_info *info)
{
    struct lc_diag d = {0};
    *im = (struct media_image){0};
    int rc = media_image_decode(im, info, buf, n, NULL, &d);
    if (rc != 0)
        fprintf(stderr, "    %s\n", d.msg);
    return rc;
}

TEST(media_png_rgb_gray_palette_alpha_16bit)
{
    struct media_image im;
    struct media_info info;
    size_t n;
    uint8_t *p;

    /* RGB8, 5x3: decodes exactly. */
    uint8_t rgb[5 * 3 * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (uint8_t)(i * 5 + 1);
    p = png_build(ihdr(5, 3, 8, SPNG_COLOR_TYPE_TRUECOLOR), NULL, rgb,
                  sizeof rgb, NULL, 0, &n);
    ASSERT(p != NULL);
    ASSERT_INT(png_decode(p, n, &im, &info), ==, 0);
    free(p);
    ASSERT_INT(info.format, ==, MEDIA_FORMAT_PNG);
    ASSERT_INT(im.w, ==, 5);
    ASSERT_INT(im.h, ==, 3);
    ASSERT(memcmp(im.px, rgb, sizeof rgb) == 0);
    media_image_release(&im);

    /* Gray8 4x2: R = G = B = gray. */
    uint8_t gray[8] = {0, 10, 20, 30, 128, 200, 254, 255};
    p = png_build(ihdr(4, 2, 8, SPNG_COLOR_TYPE_GRAYSCALE), NULL, gray,
                  sizeof gray, NULL, 0, &n);
    ASSERT(p != NULL);
    ASSERT_INT(png_decode(p, n, &im, &info), ==, 0);
    free(p);
    for (int i = 0; i < 8; i++) {
        ASSERT_INT(im.px[3 * i], ==, gray[i]);
        ASSERT_INT(im.px[3 * i + 1], ==, gray[i]);
        ASSERT_INT(im.px[3 * i + 2], ==, gray[i]);
    }
    media_image_release(&im);

    /* Palette, 2-bit, 4x1: indices 3 2 1 0. */
    struct spng_plte plte = {.n_entries = 4};
    for (int i = 0; i < 4; i++) {
        plte.entries[i].red = palette[i][0];
        plte.entries[i].green = palette[i][1];
        plte.entries[i].blue = palette[i][2];
    }
    uint8_t idx[1] = {3 << 6 | 2 << 4 | 1 << 2 | 0};
    p = png_build(ihdr(4, 1, 2, SPNG_COLOR_TYPE_INDEXED), &plte, idx,
                  sizeof idx, NULL, 0, &n);
    ASSERT(p != NULL);
    ASSERT_INT(png_decode(p, n, &im, &info), ==, 0);
    free(p);
    for (int i = 0; i < 4; i++)
        ASSERT(memcmp(im.px + 3 * i, palette[3 - i], 3) == 0);
    media_image_release(&im);

    /* RGBA8 2x1: alpha is dropped. */
    uint8_t rgba[8] = {1, 2, 3, 0, 250, 251, 252, 255};
    p = png_build(ihdr(2, 1, 8, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA), NULL, rgba,
                  sizeof rgba, NULL, 0, &n);
    ASSERT(p != NULL);
    ASSERT_INT(png_decode(p, n, &im, &info), ==, 0);
    free(p);
    ASSERT(memcmp(im.px, "\x01\x02\x03\xfa\xfb\xfc", 6) == 0);
    media_image_release(&im);

    /* Gray16 3x1, samples with equal bytes so endianness cannot matter. */
    uint16_t g16[3] = {0x0000, 0x8080, 0xffff};
    p = png_build(ihdr(3, 1, 16, SPNG_COLOR_TYPE_GRAYSCALE), NULL, g16,
                  sizeof g16, NULL, 0, &n);
    ASSERT(p != NULL);
    ASSERT_INT(png_decode(p, n, &im, &info), ==, 0);
    free(p);
    ASSERT_INT(im.px[0], ==, 0);
    ASSERT_INT(im.px[3], ==, 0x80);
    ASSERT_INT(im.px[8], ==, 0xff);
    media_image_release(&im);
}

TEST(media_png_exif_and_truncation)
{
    struct media_image src = quad_image(16, 8);
    unsigned int en;
    uint8_t *exif = exif_build(8, true, EXIF_BYTE_ORDER_INTEL, &en);
    size_t n;
    /* eXIf holds the TIFF structure without the "Exif\0\0" prefix. */
    uint8_t *p = png_build(ihdr(16, 8, 8, SPNG_COLOR_TYPE_TRUECOLOR), NULL,
                           src.px, 16 * 8 * 3, exif + 6, en - 6, &n);
    free(exif);
    free(src.px);
    ASSERT(p != NULL);
    struct media_image im = {0};
    struct media_info info;
    struct lc_diag d = {0};
    int rc = media_image_decode(&im, &info, p, n, NULL, &d);
    if (rc != 0)
        free(p);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(info.orientation, ==, 8);
    ASSERT(info.has_make && info.has_date_time && info.has_file_source);
    ASSERT_STR(info.date_time, "2024:05:06 07:08:09");
    ASSERT_INT(im.w, ==, 8);
    ASSERT_INT(im.h, ==, 16);
    check_quads(&im, 8);
    media_image_release(&im);

    /* Cut inside IDAT/IEND, and inside IHDR. */
    int trunc = media_image_decode(&im, &info, p, n - 20, NULL, &d);
    int hdr = media_image_decode(&im, &info, p, 20, NULL, &d);
    free(p);
    ASSERT_INT(trunc, ==, LC_ETRUNC);
    ASSERT_INT(hdr, ==, LC_ETRUNC);
    ASSERT(im.px == NULL);
}

/* ---- files --------------------------------------------------------------- */

TEST(media_file_read_cap)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/faces/obama-1.jpg", test_dev_data());
    uint8_t *buf = (uint8_t *)"x";
    size_t n = 1;
    struct lc_diag d = {0};
    ASSERT_INT(media_file_read(path, 1000, &buf, &n, &d), ==, LC_ETOOBIG);
    ASSERT(buf == NULL && n == 0);
    ASSERT_INT(media_file_read("/nonexistent/x.jpg", 1000, &buf, &n, &d), ==,
               LC_EIO);
    ASSERT(strstr(d.msg, "nonexistent") != NULL);
    ASSERT_INT(media_file_read(path, (size_t)1 << 24, &buf, &n, &d), ==, 0);
    ASSERT_INT(n, ==, 279922);
    ASSERT(media_format_sniff(buf, n) == MEDIA_FORMAT_JPEG);
    free(buf);
    /* Exactly at the cap is allowed. */
    ASSERT_INT(media_file_read(path, 279922, &buf, &n, &d), ==, 0);
    free(buf);
    ASSERT_INT(media_file_read(path, 279921, &buf, &n, &d), ==, LC_ETOOBIG);
}

/* ---- robustness sweeps --------------------------------------------------- */

static bool rc_allowed(int rc)
{
    return rc == 0 || rc == LC_EEMPTY || rc == LC_EUNSUP || rc == LC_ETRUNC ||
           rc == LC_ETOOBIG;
}

/* Every prefix and every single-byte corruption of a small image decodes or
 * fails with a listed code, never crashes; prefixes shorter than fail_below
 * must fail. */
static void sweep(const uint8_t *buf, size_t n, size_t fail_below)
{
    uint8_t *cp = malloc(n);
    struct media_decode_opts o = {.max_pixels = 1 << 16, .max_side = 1024};
    for (size_t k = 0; k < n; k++) {
        struct media_image im = {0};
        struct media_info info;
        /* Exact-size copy, so a sanitizer sees reads past the end. */
        uint8_t *pre = malloc(k ? k : 1);
        memcpy(pre, buf, k);
        int rc = media_image_decode(&im, &info, pre, k, &o, NULL);
        free(pre);
        media_image_release(&im);
        if (!rc_allowed(rc) || (k < fail_below && rc == 0)) {
            test_fail(__FILE__, __LINE__, "prefix %zu of %zu: rc %d", k, n, rc);
            break;
        }
        memcpy(cp, buf, n);
        cp[k] ^= (uint8_t)(0x55 + k);
        rc = media_image_decode(&im, &info, cp, n, &o, NULL);
        bool ok = rc_allowed(rc) && (rc != 0 || (im.px != NULL && im.w > 0));
        media_image_release(&im);
        if (!ok) {
            test_fail(__FILE__, __LINE__, "flip at %zu: rc %d", k, rc);
            break;
        }
    }
    free(cp);
}

TEST(media_decode_sweep)
{
    struct media_image src = quad_image(16, 8);
    unsigned int en;
    uint8_t *exif = exif_build(6, true, EXIF_BYTE_ORDER_INTEL, &en);
    size_t jn, pn;
    uint8_t *j = jpeg_with_exif(&src, exif, en, &jn);
    uint8_t *p = png_build(ihdr(16, 8, 8, SPNG_COLOR_TYPE_TRUECOLOR), NULL,
                           src.px, 16 * 8 * 3, exif + 6, en - 6, &pn);
    free(exif);
    free(src.px);
    if (j != NULL && p != NULL) {
        sweep(j, jn, jn);
        /* libspng does not read IEND's CRC (a constant): only it may go. */
        sweep(p, pn, pn - 4);
    }
    free(j);
    free(p);
    ASSERT(j != NULL && p != NULL);
}
