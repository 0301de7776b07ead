/* fuzz/fuzz_base64.c - libFuzzer target for the incremental base64 codec
 * (src/http/base64.c).
 *
 * Decodes the input whole and in pieces (same bytes, same verdict), checks
 * the output bound HTTP_B64_OUT_MAX, and round-trips: encode(input)
 * decodes back to the input, and an accepted input re-encodes to a string
 * that decodes to the same bytes.
 */
#include "livecheck/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode in[0..n) in pieces of `step` (0 = whole) into a new buffer. */
static int decode(const char *in, size_t n, size_t step, uint8_t **out,
                  size_t *outn)
{
    struct http_b64 b = {0};
    uint8_t *o = malloc(HTTP_B64_OUT_MAX(n) + 3);
    size_t total = 0, i = 0;
    int rc = 0;
    while (rc == 0 && i < n) {
        size_t k = step && step < n - i ? step : n - i, got;
        rc = http_b64_update(&b, in + i, k, o + total, &got);
        if (got > HTTP_B64_OUT_MAX(k))
            abort();
        total += got;
        i += k;
    }
    if (rc == 0) {
        size_t got;
        rc = http_b64_final(&b, o + total, &got);
        if (got > 2)
            abort();
        total += got;
    }
    if (total > HTTP_B64_OUT_MAX(n))
        abort();
    *out = o;
    *outn = total;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    uint8_t *a, *b;
    size_t an, bn;
    int ra = decode(in, size, 0, &a, &an);
    int rb = decode(in, size, 1 + size % 7, &b, &bn);
    if (ra != rb || (ra == 0 && (an != bn || memcmp(a, b, an) != 0)))
        abort();
    free(b);

    /* encode(input) decodes to the input. */
    char *enc = malloc(4 * (size / 3 + 1) + 1);
    size_t en = http_b64_encode(data, size, enc);
    if (en != 4 * ((size + 2) / 3) || strlen(enc) != en)
        abort();
    if (decode(enc, en, 3, &b, &bn) != 0 || bn != size ||
        memcmp(b, data, size) != 0)
        abort();
    free(b);
    free(enc);

    if (ra == 0) {
        char *re = malloc(4 * (an / 3 + 1) + 1);
        size_t rn = http_b64_encode(a, an, re);
        if (decode(re, rn, 0, &b, &bn) != 0 || bn != an ||
            memcmp(b, a, an) != 0)
            abort();
        free(b);
        free(re);
    }
    free(a);
    return 0;
}
