/* src/media/sniff.c - format detection by magic bytes.
 *
 * Only the content decides; file names and declared MIME types do not.
 * JPEG is SOI followed by the start of any marker (FF D8 FF); PNG is its
 * full 8-byte signature.
 */
#include "media_int.h"

#include <string.h>

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

enum media_format media_format_sniff(const uint8_t *buf, size_t n)
{
    if (buf == NULL)
        return MEDIA_FORMAT_UNKNOWN;
    if (n >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
        return MEDIA_FORMAT_JPEG;
    if (n >= sizeof png_sig && memcmp(buf, png_sig, sizeof png_sig) == 0)
        return MEDIA_FORMAT_PNG;
    return MEDIA_FORMAT_UNKNOWN;
}
