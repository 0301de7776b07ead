/* fuzz/fuzz_meta.c - libFuzzer target for the capture page's upload
 * metadata (src/api/capture_meta.c: api_capture_meta_check).
 *
 * The input is the `meta` part as a browser would send it. Whatever it
 * is, the check must not crash or leak; when it passes, the compact form
 * written must itself pass and be written the same again (idempotent), so
 * what is stored is always what the check accepts. A small output buffer
 * must make long inputs fail, never overflow.
 */
#include "livecheck/api.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[2048], again[2048], tiny[16];
    if (!api_capture_meta_check((const char *)data, size, out, sizeof out))
        return 0;
    size_t n = strlen(out);
    if (!api_capture_meta_check(out, n, again, sizeof again) ||
        strcmp(out, again) != 0)
        abort();
    if (n >= sizeof tiny && api_capture_meta_check(out, n, tiny, sizeof tiny))
        abort();
    return 0;
}
