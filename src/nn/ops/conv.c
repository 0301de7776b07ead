/* src/nn/ops/conv.c - ONNX Conv, 2-D, NCHW, with groups and dilation.
 *
 * pads are [top, left, bottom, right] (ONNX: x1_begin, x2_begin, x1_end,
 * x2_end). Only auto_pad NOTSET is accepted; the six models use explicit
 * pads. The reference kernel is the direct definition; the fast plan runs
 * XNNPACK's convolution instead (nn/xnn.c). */
#include <string.h>

#include "nn/ops/ops_int.h"

static const char *const attrs[] = {"dilations", "group", "kernel_shape",
                                    "pads", "strides", "auto_pad", NULL};

/* Attribute name's n ints into out[], each in [lo, NN_MAX_WINDOW]: larger
 * figures are no model's and would overflow the kernels' int index
 * arithmetic. An absent attribute leaves out[] as it is. */
static int window_ints(struct nn_node *n, const char *name, int want, int lo,
                       int *const out[], struct lc_diag *d)
{
    const int64_t *v;
    int k = nn_attr_ints(n, name, &v);
    if (k == 0)
        return 0;
    if (k != want)
        return lc_diag_set(d, LC_EUNSUP, "%s: %s needs %d values (2-D only)",
                           n->op_type, name, want);
    for (int i = 0; i < k; i++) {
        if (v[i] < lo)
            return lc_diag_set(d, LC_EFORMAT, "%s: bad window (%s)", n->op_type, name);
        if (v[i] > NN_MAX_WINDOW)
            return lc_diag_set(d, LC_EUNSUP, "%s: %s %lld is over %d", n->op_type,
                               name, (long long)v[i], NN_MAX_WINDOW);
        *out[i] = (int)v[i];
    }
    return 0;
}

/* Shared with MaxPool: kernel, strides, dilations, pads. */
int nn_conv_parse_window(struct nn_node *n, struct nn_conv_p *p,
                         struct lc_diag *d)
{
    p->kh = p->kw = 0;
    p->sh = p->sw = p->dh = p->dw = 1;
    p->pt = p->pl = p->pb = p->pr = 0;
    int rc;
    if ((rc = window_ints(n, "kernel_shape", 2, 1, (int *const[]){&p->kh, &p->kw}, d)) < 0 ||
        (rc = window_ints(n, "strides", 2, 1, (int *const[]){&p->sh, &p->sw}, d)) < 0 ||
        (rc = window_ints(n, "dilations", 2, 1, (int *const[]){&p->dh, &p->dw}, d)) < 0 ||
        (rc = window_ints(n, "pads", 4, 0,
                          (int *const[]){&p->pt, &p->pl, &p->pb, &p->pr}, d)) < 0)
        return rc;
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attr[i].name, "auto_pad") == 0) {
            n->attr[i].used = true;
            if (n->attr[i].s && strcmp(n->attr[i].s, "NOTSET") != 0)
                return lc_diag_set(d, LC_EUNSUP, "%s: auto_pad %s",
                                   n->op_type, n->attr[i].s);
        }
    return 0;
}

/* Output size of one spatial axis; <= 0 when the window does not fit. */
int64_t nn_conv_out_dim(int64_t in, int k, int s, int dil, int p0, int p1)
{
    int64_t ek = (int64_t)dil * (k - 1) + 1;
    int64_t span = in + p0 + p1 - ek; /* C division truncates: -1/2 is 0 */
    return span < 0 ? 0 : span / s + 1;
}

static int parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.conv.group = (int)nn_attr_int(n, "group", 1);
    return nn_conv_parse_window(n, &n->p.conv, d);
}

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *x = IN_T(m, n, 0), *w = IN_T(m, n, 1);
    struct nn_conv_p *p = &n->p.conv;
    if (x->shape.rank != 4 || w->shape.rank != 4)
        return lc_diag_set(d, LC_EUNSUP, "Conv: only 2-D (4-D tensors)");
    if (!w->is_const || (n->nin > 2 && n->in[2] >= 0 && !IN_T(m, n, 2)->is_const))
        return lc_diag_set(d, LC_EUNSUP, "Conv: weights must be constant");
    if (p->kh == 0) {
        p->kh = (int)w->shape.d[2];
        p->kw = (int)w->shape.d[3];
    }
    int64_t c = x->shape.d[1], o = w->shape.d[0];
    if (p->group < 1 || c % p->group || o % p->group ||
        w->shape.d[1] * p->group != c || w->shape.d[2] != p->kh ||
        w->shape.d[3] != p->kw)
        return lc_diag_set(d, LC_EFORMAT, "Conv: weight shape vs group");
    if (n->nin > 2 && n->in[2] >= 0 && nn_tensor_numel(IN_T(m, n, 2)) != (size_t)o)
        return lc_diag_set(d, LC_EFORMAT, "Conv: bias size");
    struct nn_shape *s = &OUT_T(m, n, 0)->shape;
    s->rank = 4;
    s->d[0] = x->shape.d[0];
    s->d[1] = o;
    s->d[2] = nn_conv_out_dim(x->shape.d[2], p->kh, p->sh, p->dh, p->pt, p->pb);
    s->d[3] = nn_conv_out_dim(x->shape.d[3], p->kw, p->sw, p->dw, p->pl, p->pr);
    if (s->d[2] <= 0 || s->d[3] <= 0)
        return lc_diag_set(d, LC_EFORMAT, "Conv: window larger than input");
    return 0;
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_conv_p *p = &n->p.conv;
    const struct nn_shape *xs = &T_IN(c, st, 0)->shape, *ys = &T_OUT(c, st, 0)->shape;
    const float *x = X_IN(c, st, 0), *w = X_IN(c, st, 1);
    const float *b = st->nin > 2 && st->in[2] >= 0 ? X_IN(c, st, 2) : NULL;
    float *y = X_OUT(c, st, 0);
    int64_t N = xs->d[0], C = xs->d[1], H = xs->d[2], W = xs->d[3];
    int64_t O = ys->d[1], OH = ys->d[2], OW = ys->d[3];
    int64_t cg = C / p->group, og = O / p->group;

    for (int64_t nb = 0; nb < N; nb++)
        for (int64_t o = 0; o < O; o++) {
            int64_t g = o / og;
            const float *wo = w + o * cg * p->kh * p->kw;
            float *yo = y + (nb * O + o) * OH * OW;
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    float acc = b ? b[o] : 0.0f;
                    for (int64_t ci = 0; ci < cg; ci++) {
                        const float *xc = x + ((nb * C) + g * cg + ci) * H * W;
                        const float *wc = wo + ci * p->kh * p->kw;
                        for (int ky = 0; ky < p->kh; ky++) {
                            int64_t iy = oy * p->sh - p->pt + (int64_t)ky * p->dh;
                            if (iy < 0 || iy >= H)
                                continue;
                            for (int kx = 0; kx < p->kw; kx++) {
                                int64_t ix = ox * p->sw - p->pl + (int64_t)kx * p->dw;
                                if (ix < 0 || ix >= W)
                                    continue;
                                acc += xc[iy * W + ix] * wc[ky * p->kw + kx];
                            }
                        }
                    }
                    if (p->fused_relu && acc < 0.0f)
                        acc = 0.0f;
                    yo[oy * OW + ox] = acc;
                }
        }
}

const struct nn_op nn_op_conv = {
    .name = "Conv", .attrs = attrs, .min_in = 2, .max_in = 3, .nout_max = 1,
    .parse = parse, .shape = shape, .run = run};
