/* src/nn/ops/reduce_mean.c - ReduceMean over a set of axes (attribute
 * form, opset < 18), keepdims 0 or 1. */
#include <string.h>

#include "nn/ops/ops_int.h"

static const char *const attrs[] = {"axes", "keepdims", NULL};

static int parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const int64_t *v;
    int k = nn_attr_ints(n, "axes", &v);
    if (k > NN_MAX_RANK)
        return lc_diag_set(d, LC_EFORMAT, "ReduceMean: axes");
    n->p.naxes = k;
    for (int i = 0; i < k; i++)
        n->p.axes[i] = v[i];
    n->p.keepdims = (int)nn_attr_int(n, "keepdims", 1);
    return 0;
}

static bool reduced(const struct nn_node *n, int ax)
{
    if (n->p.naxes == 0)
        return true;
    for (int i = 0; i < n->p.naxes; i++)
        if (n->p.axes[i] == ax)
            return true;
    return false;
}

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *x = &IN_T(m, n, 0)->shape;
    for (int i = 0; i < n->p.naxes; i++) {
        int ax = nn_axis(n->p.axes[i], x->rank);
        if (ax < 0)
            return lc_diag_set(d, LC_EFORMAT, "ReduceMean: axis out of range");
        n->p.axes[i] = ax;
    }
    struct nn_shape *y = &OUT_T(m, n, 0)->shape;
    y->rank = 0;
    for (int i = 0; i < x->rank; i++) {
        if (!reduced(n, i))
            y->d[y->rank++] = x->d[i];
        else if (n->p.keepdims)
            y->d[y->rank++] = 1;
    }
    return 0;
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_shape *xs = &T_IN(c, st, 0)->shape;
    const float *x = X_IN(c, st, 0);
    float *y = X_OUT(c, st, 0);
    size_t total = nn_shape_numel(xs), outn = nn_tensor_numel(T_OUT(c, st, 0));
    size_t count = outn ? total / outn : 1;
    memset(y, 0, outn * sizeof(float));
    /* Walk x in order; map each index to its output index. */
    int64_t idx[NN_MAX_RANK] = {0};
    for (size_t i = 0; i < total; i++) {
        size_t o = 0;
        for (int ax = 0; ax < xs->rank; ax++)
            if (!reduced(n, ax))
                o = o * (size_t)xs->d[ax] + (size_t)idx[ax];
        y[o] += x[i];
        for (int ax = xs->rank - 1; ax >= 0; ax--) {
            if (++idx[ax] < xs->d[ax])
                break;
            idx[ax] = 0;
        }
    }
    for (size_t i = 0; i < outn; i++)
        y[i] /= (float)count;
}

const struct nn_op nn_op_reduce_mean = {
    .name = "ReduceMean", .attrs = attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse, .shape = shape, .run = run};
