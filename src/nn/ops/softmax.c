/* src/nn/ops/softmax.c - Softmax, opset < 13 semantics: the input is viewed
 * as 2-D [prod(d[0..axis-1]), prod(d[axis..])] and each row is normalised. */
#include <math.h>

#include "nn/ops/ops_int.h"
#include "nn/vec.h"

static const char *const attrs[] = {"axis", NULL};

static int parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.axis = (int)nn_attr_int(n, "axis", 1);
    if (m->opset >= 13)
        return lc_diag_set(d, LC_EUNSUP, "Softmax: opset 13 semantics");
    return 0;
}

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    int r = IN_T(m, n, 0)->shape.rank;
    int ax = nn_axis(n->p.axis, r);
    if (ax < 0)
        return lc_diag_set(d, LC_EFORMAT, "Softmax: axis out of range");
    n->p.axis = ax;
    return nn_shape_same(m, n, d);
}

/* The input as [rows, cols] (opset < 13: the axis and all after it make a
 * row). */
static void view(const struct nn_node *n, const struct nn_shape *xs,
                 size_t *rows, size_t *cols)
{
    *rows = *cols = 1;
    for (int i = 0; i < xs->rank; i++)
        *(i < n->p.axis ? rows : cols) *= (size_t)xs->d[i];
}

/* y = x - max(x) over each row. */
static void sub_row_max(const float *x, float *y, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols, mx = xr[0];
        for (size_t k = 1; k < cols; k++)
            mx = xr[k] > mx ? xr[k] : mx;
        for (size_t k = 0; k < cols; k++)
            yr[k] = xr[k] - mx;
    }
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    size_t rows, cols;
    view(n, &T_IN(c, st, 0)->shape, &rows, &cols);
    float *y = X_OUT(c, st, 0);
    sub_row_max(X_IN(c, st, 0), y, rows, cols);
    for (size_t r = 0; r < rows; r++) {
        float *yr = y + r * cols, sum = 0.0f;
        for (size_t k = 0; k < cols; k++) {
            yr[k] = expf(yr[k]);
            sum += yr[k];
        }
        for (size_t k = 0; k < cols; k++)
            yr[k] /= sum;
    }
}

/* The fast plan's kernel for rows too narrow for XNNPACK (the detector's
 * 4420 rows of 2): every row's x - max in one pass, one vector exp over
 * the whole tensor, then each row scaled by its sum's reciprocal. */
static void run_fast(const struct nn_node *n, const struct nn_step *st,
                     struct nn_exec_ctx *c)
{
    size_t rows, cols;
    view(n, &T_IN(c, st, 0)->shape, &rows, &cols);
    float *y = X_OUT(c, st, 0);
    sub_row_max(X_IN(c, st, 0), y, rows, cols);
    nn_vec_exp(y, y, rows * cols);
    for (size_t r = 0; r < rows; r++) {
        float *yr = y + r * cols, sum = 0.0f;
        for (size_t k = 0; k < cols; k++)
            sum += yr[k];
        float inv = 1.0f / sum;
        for (size_t k = 0; k < cols; k++)
            yr[k] *= inv;
    }
}

const struct nn_op nn_op_softmax = {
    .name = "Softmax", .attrs = attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse, .shape = shape, .run = run,
    .run_fast = run_fast};
