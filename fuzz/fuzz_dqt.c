/* fuzz/fuzz_dqt.c - libFuzzer target for the JPEG quantisation-table
 * parser (src/liveness/iq_dqt.c), which reads untrusted image headers.
 *
 * Runs quality_jpeg_dqt on the input and checks what quality.h promises:
 * 0 or one of its documented errors; on success 1..4 tables, each entry
 * non-zero (and 8-bit entries below 256), an IJG quality 1..100. Build
 * with clang -fsanitize=fuzzer,address, or link with fuzz/replay.c to run
 * the corpus (fuzz/corpus/dqt) without clang.
 */
#include "livecheck/quality.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct quality_dqt t;
    int rc = quality_jpeg_dqt(data, size, &t);
    if (rc != 0) {
        if (rc != LC_EUNSUP && rc != LC_ETRUNC && rc != LC_EFORMAT)
            abort();
        return 0;
    }
    if (t.ntables < 1 || t.ntables > 4 || t.quality < 1 || t.quality > 100 ||
        !(t.fit >= 0.0f))
        abort();
    for (int k = 0; k < 4; k++) {
        if (!t.present[k])
            continue;
        for (int i = 0; i < 64; i++)
            if (t.q[k][i] == 0 || (t.precision[k] == 0 && t.q[k][i] > 255))
                abort();
    }
    return 0;
}
