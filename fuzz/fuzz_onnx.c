/* fuzz/fuzz_onnx.c - libFuzzer target for the ONNX loader and runtime.
 *
 * Loads the input with nn_model_load_buffer (protobuf reader, shape
 * inference, folding, fusion, both plans) and, when it loads, runs a
 * session of each execution mode on zeros and reads every output. Checks
 * the promises of nn.h: a failed load returns a negative code and no model;
 * a loaded model has inputs and outputs with positive static dimensions.
 * Inputs over 64 KiB are skipped: the corpus models are tiny and the
 * fuzzer's time is better spent on structure than on size.
 *
 * Build with clang -fsanitize=fuzzer,address,undefined (make
 * build/fuzz/fuzz-onnx), or link with fuzz/replay.c to replay the corpus
 * (fuzz/corpus/onnx, made by fuzz/gen_onnx_corpus.c) without clang.
 */
#include "livecheck/nn.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keep sessions small: a model whose activations would take more than
 * this is loaded (and freed) but not run. */
#define MAX_ELEMS ((size_t)1 << 22)

static size_t shape_elems(struct nn_shape s)
{
    size_t n = 1;
    for (int i = 0; i < s.rank; i++) {
        if (s.d[i] <= 0)
            abort(); /* nn.h: static, positive dimensions */
        if (s.d[i] > (int64_t)MAX_ELEMS || n * (size_t)s.d[i] > MAX_ELEMS)
            return MAX_ELEMS + 1;
        n *= (size_t)s.d[i];
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    nn_model *m = (nn_model *)&m; /* must come back NULL on failure */
    struct lc_diag d = {{0}};
    int rc = nn_model_load_buffer(&m, data, size, &d);
    if (rc != 0) {
        if (rc > 0 || m != NULL || d.msg[0] == 0)
            abort();
        return 0;
    }
    if (m == NULL || nn_model_input_count(m) < 1 || nn_model_output_count(m) < 1)
        abort();
    size_t total = 0;
    for (int i = 0; i < nn_model_input_count(m); i++)
        total += shape_elems(nn_model_input_shape(m, i));
    for (int i = 0; i < nn_model_output_count(m); i++) {
        struct nn_shape s = nn_model_output_shape(m, i);
        /* an output's shape may have a zero dimension (an empty slice) */
        size_t n = 1;
        for (int k = 0; k < s.rank; k++)
            n = s.d[k] < 0 ? MAX_ELEMS + 1 : n * (size_t)(s.d[k] > 0 ? s.d[k] : 1);
        total += n;
    }
    if (total <= MAX_ELEMS) {
        for (int e = 0; e < 2; e++) {
            nn_session *s = nn_session_new(m, e ? NN_EXEC_FAST : NN_EXEC_REF);
            for (int i = 0; i < nn_model_input_count(m); i++) {
                struct nn_shape sh;
                float *x = nn_session_input(s, i, &sh);
                memset(x, 0, nn_shape_numel(&sh) * sizeof(float));
            }
            nn_session_run(s);
            volatile float sink = 0;
            for (int i = 0; i < nn_model_output_count(m); i++) {
                struct nn_shape sh;
                const float *y = nn_session_output(s, i, &sh);
                size_t n = nn_shape_numel(&sh);
                if (n > 0) /* first and last: ASan checks the extent */
                    sink += y[0] + y[n - 1];
            }
            (void)sink;
            nn_session_free(s);
        }
    }
    nn_model_free(m);
    return 0;
}
