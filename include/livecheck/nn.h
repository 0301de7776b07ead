/* include/livecheck/nn.h - run ONNX models on the CPU.
 *
 * A model is loaded once and is read-only afterwards, so one nn_model may be
 * shared by any number of threads. Each thread runs inferences through its
 * own nn_session, which owns one planned activation arena for the model's
 * fixed input shape: nn_session_run performs no allocation.
 *
 *     nn_model *m;
 *     struct lc_diag diag = {0};
 *     if (nn_model_load(&m, "models/fr_eye.onnx", NULL, &diag) < 0) die(diag.msg);
 *     nn_session *s = nn_session_new(m, NN_EXEC_FAST);   // aborts on OOM
 *     float *in = nn_session_input(s, 0, &shape);        // borrowed, NCHW
 *     fill(in);
 *     nn_session_run(s);
 *     const float *out = nn_session_output(s, 0, &shape); // borrowed
 *     nn_session_free(s);
 *     nn_model_free(m);
 *
 * Tensors are float32, dense, row-major in ONNX's own layout (NCHW) at the
 * session's doors, whatever layout the fast path uses inside.
 */
#ifndef LC_NN_H
#define LC_NN_H

#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"

#define NN_MAX_RANK 6

typedef struct nn_model nn_model;
typedef struct nn_session nn_session;

struct nn_shape {
    int rank;
    int64_t d[NN_MAX_RANK];
};

enum nn_exec {
    NN_EXEC_FAST = 0, /* XNNPACK where it applies, C kernels elsewhere */
    NN_EXEC_REF = 1   /* plain C reference kernels only: the oracle */
};

struct nn_load_opts {
    /* When not NULL, the file's SHA-256 (64 lowercase hex) must equal this
     * or the load fails with LC_ECHECKSUM. */
    const char *sha256;
};

/* Load an ONNX file (or a buffer the caller keeps ownership of). On success
 * stores a new model in *out and returns 0. On failure returns a negative
 * LC_E* code (LC_EUNSUP for an unsupported op or attribute, LC_EFORMAT for a
 * malformed file), leaves *out NULL and writes the reason into diag, naming
 * the node and op where there is one. */
int nn_model_load(nn_model **out, const char *path,
                  const struct nn_load_opts *opts, struct lc_diag *diag);
int nn_model_load_buffer(nn_model **out, const uint8_t *buf, size_t n,
                         struct lc_diag *diag);
void nn_model_free(nn_model *m);

/* Facts about a loaded model, for `livecheck models` and tests. */
int nn_model_input_count(const nn_model *m);
int nn_model_output_count(const nn_model *m);
const char *nn_model_input_name(const nn_model *m, int i);
const char *nn_model_output_name(const nn_model *m, int i);
struct nn_shape nn_model_input_shape(const nn_model *m, int i);
struct nn_shape nn_model_output_shape(const nn_model *m, int i);
int nn_model_node_count(const nn_model *m);     /* ops in the file */
int nn_model_run_node_count(const nn_model *m); /* ops left after folding */
/* Multiply-accumulates of one inference over the ops left after folding:
 * Conv numel(Y) * C_in/group * kh * kw, Gemm and MatMul M*N*K; every other
 * op counts 0. */
int64_t nn_model_mac_count(const nn_model *m);
const char *nn_model_sha256(const nn_model *m); /* of the bytes loaded */

/* A new session for one thread. Aborts on out-of-memory. */
nn_session *nn_session_new(const nn_model *m, enum nn_exec exec);
void nn_session_free(nn_session *s);

/* The i-th input buffer, to be filled before nn_session_run. Borrowed: it
 * lives as long as the session. shape may be NULL. */
float *nn_session_input(nn_session *s, int i, struct nn_shape *shape);

/* Run the model. Cannot fail once the session exists. */
void nn_session_run(nn_session *s);

/* The i-th output of the last run, NCHW. Borrowed, valid until the next
 * run. shape may be NULL. */
const float *nn_session_output(nn_session *s, int i, struct nn_shape *shape);

/* Number of elements of a shape. */
static inline size_t nn_shape_numel(const struct nn_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->d[i];
    return n;
}

#endif
