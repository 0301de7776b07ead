/* src/nn/ops/unary.c - elementwise unary ops: Relu, Sigmoid, Exp.
 * All three are layout-independent: they see a flat array. */
#include <math.h>

#include "nn/ops/ops_int.h"
#include "nn/vec.h"

int nn_shape_same(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    OUT_T(m, n, 0)->shape = IN_T(m, n, 0)->shape;
    OUT_T(m, n, 0)->dtype = IN_T(m, n, 0)->dtype;
    return 0;
}

#define UNARY(sym, onnx, expr, fast)                                              \
    static void run_##sym(const struct nn_node *n, const struct nn_step *st, \
                          struct nn_exec_ctx *c)                            \
    {                                                                       \
        const float *x = X_IN(c, st, 0);                                    \
        float *y = X_OUT(c, st, 0);                                         \
        size_t len = nn_tensor_numel(T_OUT(c, st, 0));                      \
        for (size_t i = 0; i < len; i++) {                                  \
            float v = x[i];                                                 \
            y[i] = (expr);                                                  \
        }                                                                   \
    }                                                                       \
    const struct nn_op nn_op_##sym = {                                      \
        .name = onnx, .min_in = 1, .max_in = 1, .nout_max = 1,              \
        .shape = nn_shape_same, .run = run_##sym, .run_fast = fast}

/* The fast plan's Exp (XNNPACK has none): the vector exp. */
static void run_exp_fast(const struct nn_node *n, const struct nn_step *st,
                         struct nn_exec_ctx *c)
{
    nn_vec_exp(X_IN(c, st, 0), X_OUT(c, st, 0), nn_tensor_numel(T_OUT(c, st, 0)));
}

UNARY(relu, "Relu", v > 0.0f ? v : 0.0f, NULL);
UNARY(sigmoid, "Sigmoid", 1.0f / (1.0f + expf(-v)), NULL);
UNARY(exp, "Exp", expf(v), run_exp_fast);
