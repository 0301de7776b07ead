/* src/nn/ops/batchnorm.c - BatchNormalization (inference form), channel
 * axis 1. Usually folded into the layer before it at load time (fold.c);
 * this kernel runs only where no such layer exists. */
#include <math.h>

#include "nn/ops/ops_int.h"

static const char *const attrs[] = {"epsilon", "momentum", "spatial", NULL};

static int parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.eps = nn_attr_float(n, "epsilon", 1e-5f);
    nn_attr_float(n, "momentum", 0.9f);
    if (nn_attr_int(n, "spatial", 1) != 1)
        return lc_diag_set(d, LC_EUNSUP, "BatchNormalization: spatial 0");
    if (n->nout > 1)
        return lc_diag_set(d, LC_EUNSUP, "BatchNormalization: training outputs");
    return 0;
}

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *x = &IN_T(m, n, 0)->shape;
    if (x->rank < 2)
        return lc_diag_set(d, LC_EFORMAT, "BatchNormalization: rank < 2");
    for (int i = 1; i < 5; i++)
        if (nn_tensor_numel(IN_T(m, n, i)) != (size_t)x->d[1] ||
            !IN_T(m, n, i)->is_const)
            return lc_diag_set(d, LC_EUNSUP, "BatchNormalization: parameters");
    return nn_shape_same(m, n, d);
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_shape *xs = &T_IN(c, st, 0)->shape;
    const float *x = X_IN(c, st, 0), *g = X_IN(c, st, 1), *b = X_IN(c, st, 2);
    const float *mean = X_IN(c, st, 3), *var = X_IN(c, st, 4);
    float *y = X_OUT(c, st, 0);
    int64_t C = xs->d[1], inner = 1;
    for (int i = 2; i < xs->rank; i++)
        inner *= xs->d[i];
    for (int64_t nb = 0; nb < xs->d[0]; nb++)
        for (int64_t ch = 0; ch < C; ch++) {
            float s = g[ch] / sqrtf(var[ch] + n->p.eps);
            float t = b[ch] - mean[ch] * s;
            int64_t base = (nb * C + ch) * inner;
            for (int64_t i = 0; i < inner; i++)
                y[base + i] = x[base + i] * s + t;
        }
}

const struct nn_op nn_op_batchnorm = {
    .name = "BatchNormalization", .attrs = attrs, .min_in = 5, .max_in = 5,
    .nout_max = 1, .parse = parse, .shape = shape, .run = run};
