/* src/media/exif.c - the few EXIF tags the service looks at.
 *
 * We read Orientation, Make and DateTime from IFD0 and the presence of
 * FileSource from the EXIF sub-IFD, through libexif. Thumbnail IFD1 tags are
 * ignored on purpose: a thumbnail's orientation says nothing about the main
 * image. libexif's FOLLOW_SPECIFICATION option (on by default) is switched
 * off because it "fixes" loaded data by adding the mandatory tags it did not
 * find (XResolution, ExifVersion, ...): we report what the file holds. EXIF
 * is advisory: anything malformed here reads as "absent", never as a decode
 * failure.
 *
 * Strings are reduced to printable ASCII (others become '?'), since they end
 * up in logs and JSON.
 */
#include "media_int.h"

#include "livecheck/mem.h"

#include <libexif/exif-data.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t exif_hdr[6] = {'E', 'x', 'i', 'f', 0, 0};

/* libexif returns NULL on OOM; route it through our aborting allocators. */
static void *ex_alloc(ExifLong n)
{
    return lc_calloc(n, 1); /* libexif expects zeroed memory */
}

static void *ex_realloc(void *p, ExifLong n)
{
    return lc_realloc(p, n);
}

static void ex_free(void *p)
{
    free(p);
}

void media_exif_clear(struct media_info *info)
{
    info->orientation = 1;
    info->has_file_source = false;
    info->has_make = false;
    info->has_date_time = false;
    info->make[0] = '\0';
    info->date_time[0] = '\0';
}

static void copy_ascii(char *dst, size_t cap, const ExifEntry *e)
{
    size_t i = 0;
    if (e->format == EXIF_FORMAT_ASCII && e->data != NULL) {
        for (; i < e->size && i + 1 < cap && e->data[i] != '\0'; i++) {
            uint8_t c = e->data[i];
            dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
    }
    dst[i] = '\0';
}

void media_exif_read(struct media_info *info, const uint8_t *p, size_t n)
{
    media_exif_clear(info);
    if (n < sizeof exif_hdr || n > 0xffffffffu)
        return;

    ExifMem *mem = exif_mem_new(ex_alloc, ex_realloc, ex_free);
    ExifData *ed = exif_data_new_mem(mem);
    exif_mem_unref(mem);
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, p, (unsigned int)n);

    ExifContent *ifd0 = ed->ifd[EXIF_IFD_0];
    ExifEntry *e = exif_content_get_entry(ifd0, EXIF_TAG_ORIENTATION);
    if (e != NULL && e->format == EXIF_FORMAT_SHORT && e->components >= 1 &&
        e->size >= 2 && e->data != NULL) {
        int o = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (o >= 1 && o <= 8)
            info->orientation = o;
    }
    e = exif_content_get_entry(ifd0, EXIF_TAG_MAKE);
    if (e != NULL) {
        info->has_make = true;
        copy_ascii(info->make, sizeof info->make, e);
    }
    e = exif_content_get_entry(ifd0, EXIF_TAG_DATE_TIME);
    if (e != NULL) {
        info->has_date_time = true;
        copy_ascii(info->date_time, sizeof info->date_time, e);
    }
    e = exif_content_get_entry(ed->ifd[EXIF_IFD_EXIF], EXIF_TAG_FILE_SOURCE);
    info->has_file_source = e != NULL;
    exif_data_unref(ed);
}

void media_exif_read_jpeg(struct media_info *info, const uint8_t *buf, size_t n)
{
    media_exif_clear(info);
    /* Walk the marker segments after SOI up to the first scan (SOS) or EOI;
     * every segment except the standalone markers has a 16-bit length that
     * counts itself. */
    size_t i = 2;
    while (i + 4 <= n) {
        if (buf[i] != 0xff)
            return;
        uint8_t m = buf[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xda || m == 0xd9)
            return;
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8)) {
            i += 2;
            continue;
        }
        size_t len = (size_t)buf[i + 2] << 8 | buf[i + 3];
        if (len < 2 || len > n - i - 2)
            return;
        if (m == 0xe1 && len - 2 >= sizeof exif_hdr &&
            memcmp(buf + i + 4, exif_hdr, sizeof exif_hdr) == 0) {
            media_exif_read(info, buf + i + 4, len - 2);
            return;
        }
        i += 2 + len;
    }
}
