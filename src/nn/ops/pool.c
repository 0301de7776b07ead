/* src/nn/ops/pool.c - MaxPool (2-D, explicit pads, floor mode) and
 * GlobalAveragePool, NCHW. Padding never wins a max: padded cells are
 * skipped, as ONNX defines. */
#include <float.h>

#include "nn/ops/ops_int.h"

int nn_conv_parse_window(struct nn_node *n, struct nn_conv_p *p,
                         struct lc_diag *d);
int64_t nn_conv_out_dim(int64_t in, int k, int s, int dil, int p0, int p1);

static const char *const max_attrs[] = {"kernel_shape", "pads", "strides",
                                        "auto_pad", "dilations", "ceil_mode",
                                        "storage_order", NULL};

static int max_parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    if (nn_attr_int(n, "ceil_mode", 0) != 0)
        return lc_diag_set(d, LC_EUNSUP, "MaxPool: ceil_mode 1");
    if (nn_attr_int(n, "storage_order", 0) != 0)
        return lc_diag_set(d, LC_EUNSUP, "MaxPool: storage_order 1");
    if (n->nout > 1)
        return lc_diag_set(d, LC_EUNSUP, "MaxPool: Indices output");
    int rc = nn_conv_parse_window(n, &n->p.conv, d);
    if (rc == 0 && n->p.conv.kh == 0)
        return lc_diag_set(d, LC_EFORMAT, "MaxPool: kernel_shape missing");
    n->p.conv.group = 1;
    return rc;
}

static int max_shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *x = &IN_T(m, n, 0)->shape;
    const struct nn_conv_p *p = &n->p.conv;
    if (x->rank != 4)
        return lc_diag_set(d, LC_EUNSUP, "MaxPool: only 2-D");
    struct nn_shape *s = &OUT_T(m, n, 0)->shape;
    *s = *x;
    s->d[2] = nn_conv_out_dim(x->d[2], p->kh, p->sh, p->dh, p->pt, p->pb);
    s->d[3] = nn_conv_out_dim(x->d[3], p->kw, p->sw, p->dw, p->pl, p->pr);
    if (s->d[2] <= 0 || s->d[3] <= 0)
        return lc_diag_set(d, LC_EFORMAT, "MaxPool: window larger than input");
    return 0;
}

static void max_run(const struct nn_node *n, const struct nn_step *st,
                    struct nn_exec_ctx *c)
{
    const struct nn_conv_p *p = &n->p.conv;
    const struct nn_shape *xs = &T_IN(c, st, 0)->shape, *ys = &T_OUT(c, st, 0)->shape;
    const float *x = X_IN(c, st, 0);
    float *y = X_OUT(c, st, 0);
    int64_t H = xs->d[2], W = xs->d[3], OH = ys->d[2], OW = ys->d[3];
    for (int64_t plane = 0; plane < xs->d[0] * xs->d[1]; plane++) {
        const float *xp = x + plane * H * W;
        float *yp = y + plane * OH * OW;
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                float mx = -FLT_MAX;
                for (int ky = 0; ky < p->kh; ky++) {
                    int64_t iy = oy * p->sh - p->pt + (int64_t)ky * p->dh;
                    if (iy < 0 || iy >= H)
                        continue;
                    for (int kx = 0; kx < p->kw; kx++) {
                        int64_t ix = ox * p->sw - p->pl + (int64_t)kx * p->dw;
                        if (ix >= 0 && ix < W && xp[iy * W + ix] > mx)
                            mx = xp[iy * W + ix];
                    }
                }
                yp[oy * OW + ox] = mx;
            }
    }
}

const struct nn_op nn_op_maxpool = {
    .name = "MaxPool", .attrs = max_attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = max_parse, .shape = max_shape, .run = max_run};

static int gap_shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *x = &IN_T(m, n, 0)->shape;
    if (x->rank != 4)
        return lc_diag_set(d, LC_EUNSUP, "GlobalAveragePool: only 4-D");
    struct nn_shape *s = &OUT_T(m, n, 0)->shape;
    *s = *x;
    s->d[2] = s->d[3] = 1;
    return 0;
}

static void gap_run(const struct nn_node *n, const struct nn_step *st,
                    struct nn_exec_ctx *c)
{
    const struct nn_shape *xs = &T_IN(c, st, 0)->shape;
    const float *x = X_IN(c, st, 0);
    float *y = X_OUT(c, st, 0);
    int64_t hw = xs->d[2] * xs->d[3];
    for (int64_t plane = 0; plane < xs->d[0] * xs->d[1]; plane++) {
        double acc = 0.0;
        for (int64_t i = 0; i < hw; i++)
            acc += x[plane * hw + i];
        y[plane] = (float)(acc / (double)hw);
    }
}

const struct nn_op nn_op_global_avgpool = {
    .name = "GlobalAveragePool", .min_in = 1, .max_in = 1, .nout_max = 1,
    .shape = gap_shape, .run = gap_run};
