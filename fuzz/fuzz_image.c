/* fuzz/fuzz_image.c - libFuzzer target for the still-image decoders.
 *
 * Runs media_image_decode (JPEG/PNG, EXIF, orientation, DCT scaling) and
 * media_image_probe on the input with small limits, so that the fuzzer
 * spends its time on parsing rather than on decoding large images, and
 * checks the invariants media.h promises on success. Build with
 * clang -fsanitize=fuzzer,address, or link with fuzz/replay.c to run the
 * corpus without clang.
 */
#include "livecheck/media.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct media_image im = {0};
    struct media_info info;
    /* The size picks full or scaled decoding, so both paths get inputs. */
    struct media_decode_opts o = {
        .max_pixels = (size_t)1 << 20,
        .max_side = 4096,
        .min_side = size % 2 ? 16 : 0,
    };
    int rc = media_image_decode(&im, &info, data, size, &o, NULL);
    if (rc == 0) {
        if (im.px == NULL || im.w <= 0 || im.h <= 0 || im.w > info.width ||
            im.h > info.height)
            abort();
        if (o.min_side == 0 && (im.w != info.width || im.h != info.height))
            abort();
        /* Touch the first and last byte: ASan checks the buffer's size. */
        volatile uint8_t sink = im.px[0] ^ im.px[(size_t)im.w * im.h * 3 - 1];
        (void)sink;
        media_image_release(&im);
    } else if (rc > 0 || im.px != NULL) {
        abort();
    }
    media_image_probe(&info, data, size, NULL);
    return 0;
}
