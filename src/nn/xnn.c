/* src/nn/xnn.c - run nodes through XNNPACK's operator API (see xnn.h).
 *
 * XNNPACK works in NHWC. Conv, MaxPool, GlobalAveragePool, PRelu, channel
 * Concat/Split and ChannelShuffle run there; elementwise ops follow their
 * input's layout; Gemm/MatMul (fully connected) and Softmax run on plain
 * 2-D tensors. XNNPACK copies (repacks) weights when an operator is
 * created, so each session owns its packed weights.
 *
 * Conv weights: ONNX [O, I/g, kh, kw] become XNNPACK's [g, O/g, kh, kw, I/g].
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xnnpack.h>

#include "livecheck/mem.h"
#include "nn/dwconv.h"
#include "nn/xnn.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static enum xnn_status init_status = xnn_status_uninitialized;

static void init(void)
{
    init_status = xnn_initialize(NULL);
}

static bool is(const struct nn_node *n, const char *op)
{
    return strcmp(n->op->name, op) == 0;
}

static const struct nn_tensor *tin(const struct nn_model *m,
                                   const struct nn_node *n, int i)
{
    return &m->t[n->in[i]];
}

/* A logical shape aligned to rank 4 (leading ones). */
static void align4(const struct nn_shape *s, size_t d[4])
{
    for (int i = 0; i < 4; i++) {
        int k = i - (4 - s->rank);
        d[i] = k >= 0 ? (size_t)s->d[k] : 1;
    }
}

/* A constant operand reads the same in NCHW and NHWC when at most one of
 * its channel and spatial extents exceeds 1. */
static bool const_layout_free(const struct nn_tensor *t)
{
    size_t d[4];
    if (t->shape.rank > 4)
        return false;
    align4(&t->shape, d);
    return d[1] == 1 || d[2] * d[3] == 1;
}

/* A constant PRelu slope that broadcasts as [1,C,1,1]: one value per
 * channel (a 1-D slope of C values lies along W under NumPy rules). */
static bool per_channel(const struct nn_tensor *t, int64_t C)
{
    size_t d[4];
    if (!t->is_const || t->shape.rank > 4) /* XNNPACK copies the slope */
        return false;
    align4(&t->shape, d);
    return d[0] == 1 && d[1] == (size_t)C && d[2] == 1 && d[3] == 1;
}

static bool binary(const struct nn_node *n)
{
    return is(n, "Add") || is(n, "Sub") || is(n, "Mul") || is(n, "Div");
}

static bool unary(const struct nn_node *n)
{
    return is(n, "Relu") || is(n, "Sigmoid") || is(n, "Exp");
}

static bool binary_nhwc_ok(const struct nn_model *m, const struct nn_node *n)
{
    if (m->t[n->out[0]].shape.rank != 4)
        return false;
    for (int i = 0; i < 2; i++) {
        const struct nn_tensor *t = tin(m, n, i);
        if (t->is_const ? !const_layout_free(t) : t->shape.rank != 4)
            return false;
    }
    return true;
}

static bool conv4(const struct nn_model *m, const struct nn_node *n)
{
    return tin(m, n, 0)->shape.rank == 4;
}

static bool gemm_ok(const struct nn_model *m, const struct nn_node *n)
{
    const struct nn_tensor *b = tin(m, n, 1);
    if (!b->is_const || n->p.trans_a || n->p.alpha != 1.0f || tin(m, n, 0)->is_const)
        return false;
    if (n->nin > 2 && n->in[2] >= 0) {
        const struct nn_tensor *c = tin(m, n, 2);
        size_t N = (size_t)m->t[n->out[0]].shape.d[1];
        /* XNNPACK's bias is per output column: C must be [N] or [1,N], not
         * [M,1] (per row), even when M == N. */
        if (!c->is_const || n->p.beta != 1.0f || nn_tensor_numel(c) != N ||
            c->shape.rank < 1 || c->shape.d[c->shape.rank - 1] != (int64_t)N)
            return false;
    }
    return true;
}

/* Transpose perm (0,2,3,1) of a 4-D tensor: NCHW -> NHWC, which is what
 * an NHWC tensor already holds in memory. */
static bool to_channels_last(const struct nn_model *m, const struct nn_node *n)
{
    static const int perm[4] = {0, 2, 3, 1};
    return is(n, "Transpose") && tin(m, n, 0)->shape.rank == 4 &&
           !tin(m, n, 0)->is_const && memcmp(n->p.perm, perm, sizeof perm) == 0;
}

/* ReduceMean over H and W of a 4-D tensor: a global average pool. */
static bool spatial_mean(const struct nn_model *m, const struct nn_node *n)
{
    if (!is(n, "ReduceMean") || tin(m, n, 0)->shape.rank != 4 || n->p.naxes != 2)
        return false;
    int64_t a = n->p.axes[0], b = n->p.axes[1];
    return (a == 2 && b == 3) || (a == 3 && b == 2);
}

/* XNNPACK's max pooling reads a padded tap as the nearest pixel inside
 * the image. That pixel is in the window, so it cannot change the max, only
 * when the window is dense (no dilation) and reaches into the image on
 * every side (each pad smaller than the window); a window wholly in the
 * padding must give the reference kernel's -FLT_MAX. Other pads go to the
 * reference kernel. */
static bool maxpool_pads_ok(const struct nn_conv_p *p)
{
    if (p->pt == 0 && p->pb == 0 && p->pl == 0 && p->pr == 0)
        return true;
    return p->dh == 1 && p->dw == 1 && p->pt < p->kh && p->pb < p->kh &&
           p->pl < p->kw && p->pr < p->kw;
}

/* Does any tensor of n hold no elements? XNNPACK refuses such operators;
 * the reference kernels loop over nothing. */
static bool any_empty(const struct nn_model *m, const struct nn_node *n)
{
    for (int i = 0; i < n->nin; i++)
        if (n->in[i] >= 0 && nn_tensor_numel(tin(m, n, i)) == 0)
            return true;
    for (int i = 0; i < n->nout; i++)
        if (nn_tensor_numel(&m->t[n->out[i]]) == 0)
            return true;
    return false;
}

bool nn_xnn_supports(const struct nn_model *m, const struct nn_node *n)
{
    if (any_empty(m, n))
        return false;
    if (to_channels_last(m, n) || spatial_mean(m, n))
        return true;
    if (is(n, "MaxPool")) /* XNNPACK refuses a 1x1 pooling window */
        return conv4(m, n) && n->p.conv.kh * n->p.conv.kw > 1 &&
               maxpool_pads_ok(&n->p.conv);
    if (is(n, "Conv") || is(n, "GlobalAveragePool"))
        return conv4(m, n);
    if (is(n, "PRelu"))
        return tin(m, n, 0)->shape.rank == 4 && !tin(m, n, 0)->is_const &&
               per_channel(tin(m, n, 1), tin(m, n, 0)->shape.d[1]);
    if (is(n, "Concat") || is(n, "Split")) {
        /* A constant part stays NCHW: only one that reads the same in NHWC. */
        for (int i = 0; i < n->nin; i++)
            if (tin(m, n, i)->is_const && !const_layout_free(tin(m, n, i)))
                return false;
        return m->t[n->out[0]].shape.rank == 4 && n->p.axis == 1 &&
               m->t[n->out[0]].dtype == NN_F32;
    }
    if (is(n, "lc.ChannelShuffle")) /* XNNPACK wants two groups or more */
        return n->p.nsplit >= 2 && tin(m, n, 0)->shape.d[1] / n->p.nsplit >= 1;
    if (is(n, "Gemm") || is(n, "MatMul"))
        return gemm_ok(m, n);
    if (is(n, "Softmax")) { /* XNNPACK pays per row: only for wide rows */
        const struct nn_shape *x = &tin(m, n, 0)->shape;
        int64_t cols = 1;
        for (int i = n->p.axis; i < x->rank; i++)
            cols *= x->d[i];
        return cols >= 16;
    }
    if (unary(n))
        return is(n, "Relu") || is(n, "Sigmoid");
    if (binary(n))
        return m->t[n->out[0]].shape.rank <= 4;
    return false;
}

enum nn_layout nn_xnn_out_layout(const struct nn_model *m,
                                 const struct nn_node *n, enum nn_layout in)
{
    /* The transpose's output is a plain [N,H,W,C] tensor. */
    return to_channels_last(m, n) ? NN_PLAIN : in;
}

enum nn_layout nn_xnn_layout(const struct nn_model *m, const struct nn_node *n,
                             const uint8_t *layout)
{
    if (n->op->fast_nhwc) /* livecheck's own NHWC kernel (nn_op.run_fast) */
        return NN_NHWC;
    if (!nn_xnn_supports(m, n))
        return unary(n) && n->in[0] >= 0 ? (enum nn_layout)layout[n->in[0]]
                                          : NN_PLAIN;
    if (is(n, "Conv") || is(n, "MaxPool") || is(n, "GlobalAveragePool") ||
        is(n, "PRelu") || is(n, "Concat") || is(n, "Split") ||
        is(n, "lc.ChannelShuffle") || to_channels_last(m, n) ||
        spatial_mean(m, n))
        return NN_NHWC;
    if (unary(n))
        return (enum nn_layout)layout[n->in[0]];
    if (binary(n) && binary_nhwc_ok(m, n))
        for (int i = 0; i < 2; i++)
            if (layout[n->in[i]] == NN_NHWC)
                return NN_NHWC;
    return NN_PLAIN;
}

/* Physical shape of operand t in layout l, aligned to the output rank. */
static size_t phys_shape(const struct nn_tensor *t, enum nn_layout l, int rank,
                         size_t out[NN_MAX_RANK])
{
    if (l == NN_NHWC && rank == 4) {
        size_t d[4];
        align4(&t->shape, d);
        out[0] = d[0];
        out[1] = d[2];
        out[2] = d[3];
        out[3] = d[1];
        return 4;
    }
    for (int i = 0; i < t->shape.rank; i++)
        out[i] = (size_t)t->shape.d[i];
    if (t->shape.rank == 0) {
        out[0] = 1;
        return 1;
    }
    return (size_t)t->shape.rank;
}

static int create_conv(const struct nn_model *m, const struct nn_node *n,
                       const struct nn_step *st, struct nn_exec_ctx *c,
                       xnn_operator_t *op)
{
    const struct nn_conv_p *p = &n->p.conv;
    const struct nn_shape *xs = &m->t[st->in[0]].shape, *ws = &tin(m, n, 1)->shape;
    size_t O = (size_t)ws->d[0], Ig = (size_t)ws->d[1], G = (size_t)p->group;
    size_t khw = (size_t)(p->kh * p->kw);
    const float *w = tin(m, n, 1)->data;
    float *k = lc_malloc(sizeof(float) * O * Ig * khw);
    for (size_t o = 0; o < O; o++)
        for (size_t i = 0; i < Ig; i++)
            for (size_t s = 0; s < khw; s++)
                k[(o * khw + s) * Ig + i] = w[(o * Ig + i) * khw + s];
    const float *bias = n->nin > 2 && n->in[2] >= 0 ? tin(m, n, 2)->data : NULL;
    float lo = p->fused_relu ? 0.0f : -INFINITY;
    enum xnn_status s = xnn_create_convolution2d_nhwc_f32(
        (uint32_t)p->pt, (uint32_t)p->pr, (uint32_t)p->pb, (uint32_t)p->pl,
        (uint32_t)p->kh, (uint32_t)p->kw, (uint32_t)p->sh, (uint32_t)p->sw,
        (uint32_t)p->dh, (uint32_t)p->dw, (uint32_t)G, Ig, O / G, Ig * G, O, k,
        bias, lo, INFINITY, 0, op);
    free(k);
    if (s != xnn_status_success)
        return LC_EUNSUP;
    s = xnn_setup_convolution2d_nhwc_f32(*op, (size_t)xs->d[0], (size_t)xs->d[2],
                                         (size_t)xs->d[3], c->ptr[st->in[0]],
                                         c->ptr[st->out[0]], NULL);
    return s == xnn_status_success ? 0 : LC_EUNSUP;
}

static int create_binary(const struct nn_model *m, const struct nn_node *n,
                         const struct nn_step *st, struct nn_exec_ctx *c,
                         xnn_operator_t *op)
{
    enum xnn_status s;
    if (is(n, "Add"))
        s = xnn_create_add_nd_f32(-INFINITY, INFINITY, 0, op);
    else if (is(n, "Sub"))
        s = xnn_create_subtract_nd_f32(-INFINITY, INFINITY, 0, op);
    else if (is(n, "Mul"))
        s = xnn_create_multiply_nd_f32(-INFINITY, INFINITY, 0, op);
    else
        s = xnn_create_divide_nd_f32(-INFINITY, INFINITY, 0, op);
    if (s != xnn_status_success)
        return LC_EUNSUP;
    enum nn_layout l = (enum nn_layout)c->layout[st->out[0]];
    int rank = m->t[st->out[0]].shape.rank;
    size_t a[NN_MAX_RANK], b[NN_MAX_RANK];
    size_t na = phys_shape(&m->t[st->in[0]], l, rank, a);
    size_t nb = phys_shape(&m->t[st->in[1]], l, rank, b);
    const float *x = c->ptr[st->in[0]], *y = c->ptr[st->in[1]];
    float *o = c->ptr[st->out[0]];
    if (is(n, "Add"))
        s = xnn_setup_add_nd_f32(*op, na, a, nb, b, x, y, o, NULL);
    else if (is(n, "Sub"))
        s = xnn_setup_subtract_nd_f32(*op, na, a, nb, b, x, y, o, NULL);
    else if (is(n, "Mul"))
        s = xnn_setup_multiply_nd_f32(*op, na, a, nb, b, x, y, o, NULL);
    else
        s = xnn_setup_divide_nd_f32(*op, na, a, nb, b, x, y, o, NULL);
    return s == xnn_status_success ? 0 : LC_EUNSUP;
}

/* Channel Concat/Split in NHWC: one strided copy per part. */
static int create_copies(const struct nn_model *m, const struct nn_node *n,
                         const struct nn_step *st, struct nn_exec_ctx *c,
                         struct nn_xnn_step *xs)
{
    bool cat = is(n, "Concat");
    const struct nn_shape *whole = &m->t[cat ? st->out[0] : st->in[0]].shape;
    size_t C = (size_t)whole->d[1];
    size_t batch = (size_t)(whole->d[0] * whole->d[2] * whole->d[3]);
    int parts = cat ? st->nin : st->nout;
    size_t off = 0;
    for (int i = 0; i < parts; i++) {
        int t = cat ? st->in[i] : st->out[i];
        size_t Ci = (size_t)m->t[t].shape.d[1];
        xnn_operator_t op = NULL;
        if (xnn_create_copy_nc_x32(Ci, cat ? Ci : C, cat ? C : Ci, 0, &op) !=
            xnn_status_success)
            return LC_EUNSUP;
        xs->ops[xs->nops++] = op;
        const float *src = cat ? (const float *)c->ptr[t]
                               : (const float *)c->ptr[st->in[0]] + off;
        float *dst = cat ? (float *)c->ptr[st->out[0]] + off : (float *)c->ptr[t];
        if (xnn_setup_copy_nc_x32(op, batch, src, dst, NULL) != xnn_status_success)
            return LC_EUNSUP;
        off += Ci;
    }
    return 0;
}

static int create_gemm(const struct nn_model *m, const struct nn_node *n,
                       const struct nn_step *st, struct nn_exec_ctx *c,
                       xnn_operator_t *op)
{
    const struct nn_shape *ys = &m->t[st->out[0]].shape;
    const struct nn_shape *as = &m->t[st->in[0]].shape;
    size_t K = (size_t)as->d[1], N = (size_t)ys->d[1];
    const float *bias = n->nin > 2 && n->in[2] >= 0 ? tin(m, n, 2)->data : NULL;
    uint32_t flags = n->p.trans_b ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS;
    if (xnn_create_fully_connected_nc_f32(K, N, K, N, tin(m, n, 1)->data, bias,
                                          -INFINITY, INFINITY, flags, op) !=
        xnn_status_success)
        return LC_EUNSUP;
    return xnn_setup_fully_connected_nc_f32(*op, (size_t)ys->d[0],
                                            c->ptr[st->in[0]],
                                            c->ptr[st->out[0]], NULL) ==
                   xnn_status_success
               ? 0
               : LC_EUNSUP;
}

int nn_xnn_step_create(const struct nn_model *m, const struct nn_step *st,
                       struct nn_exec_ctx *c, struct nn_xnn_step *xs)
{
    pthread_once(&init_once, init);
    if (init_status != xnn_status_success)
        return LC_EUNSUP;
    const struct nn_node *n = &m->nodes[st->node];
    const struct nn_shape *xs0 = &m->t[st->in[0]].shape;
    const void *x = c->ptr[st->in[0]];
    void *y = c->ptr[st->out[0]];
    xnn_operator_t op = NULL;
    enum xnn_status s = xnn_status_success;
    int rc = 0;
    memset(xs, 0, sizeof *xs);
    if (is(n, "Concat") || is(n, "Split"))
        return create_copies(m, n, st, c, xs);
    if ((is(n, "Conv") || is(n, "MaxPool")) &&
        (xs->dw = nn_dw_new(m, n, st, x, y)) != NULL)
        return 0;
    if (is(n, "Conv")) {
        rc = create_conv(m, n, st, c, &op);
    } else if (binary(n)) {
        rc = create_binary(m, n, st, c, &op);
    } else if (is(n, "Gemm") || is(n, "MatMul")) {
        rc = create_gemm(m, n, st, c, &op);
    } else if (is(n, "MaxPool")) {
        const struct nn_conv_p *p = &n->p.conv;
        size_t C = (size_t)xs0->d[1];
        s = xnn_create_max_pooling2d_nhwc_f32(
            (uint32_t)p->pt, (uint32_t)p->pr, (uint32_t)p->pb, (uint32_t)p->pl,
            (uint32_t)p->kh, (uint32_t)p->kw, (uint32_t)p->sh, (uint32_t)p->sw,
            (uint32_t)p->dh, (uint32_t)p->dw, C, C, C, -INFINITY, INFINITY, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_max_pooling2d_nhwc_f32(op, (size_t)xs0->d[0],
                                                 (size_t)xs0->d[2],
                                                 (size_t)xs0->d[3], x, y, NULL);
    } else if (to_channels_last(m, n)) {
        size_t len = nn_shape_numel(xs0);
        s = xnn_create_copy_nc_x32(1, 1, 1, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_copy_nc_x32(op, len, x, y, NULL);
    } else if (is(n, "GlobalAveragePool") || spatial_mean(m, n)) {
        size_t C = (size_t)xs0->d[1];
        s = xnn_create_global_average_pooling_nwc_f32(C, C, C, -INFINITY,
                                                      INFINITY, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_global_average_pooling_nwc_f32(
                op, (size_t)xs0->d[0], (size_t)(xs0->d[2] * xs0->d[3]), x, y, NULL);
    } else if (is(n, "PRelu")) {
        size_t C = (size_t)xs0->d[1];
        s = xnn_create_prelu_nc_f32(C, C, C, tin(m, n, 1)->data, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_prelu_nc_f32(op, nn_shape_numel(xs0) / C, x, y, NULL);
    } else if (is(n, "lc.ChannelShuffle")) {
        size_t C = (size_t)xs0->d[1], g = (size_t)n->p.nsplit;
        s = xnn_create_channel_shuffle_nc_x32(g, C / g, C, C, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_channel_shuffle_nc_x32(op, nn_shape_numel(xs0) / C, x,
                                                 y, NULL);
    } else if (is(n, "Softmax")) {
        size_t rows = 1, cols = 1;
        for (int i = 0; i < xs0->rank; i++)
            *(i < n->p.axis ? &rows : &cols) *= (size_t)xs0->d[i];
        s = xnn_create_softmax_nc_f32(cols, cols, cols, 0, &op);
        if (s == xnn_status_success)
            s = xnn_setup_softmax_nc_f32(op, rows, x, y, NULL);
    } else if (is(n, "Relu") || is(n, "Sigmoid")) {
        size_t len = nn_shape_numel(xs0);
        if (is(n, "Relu"))
            s = xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, INFINITY, 0, &op);
        else
            s = xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op);
        if (s == xnn_status_success)
            s = is(n, "Relu") ? xnn_setup_clamp_nc_f32(op, len, x, y, NULL)
                              : xnn_setup_sigmoid_nc_f32(op, len, x, y, NULL);
    } else {
        return LC_EUNSUP;
    }
    if (op)
        xs->ops[xs->nops++] = op;
    if (rc == 0 && s != xnn_status_success)
        rc = LC_EUNSUP;
    return rc;
}

bool nn_xnn_step_ready(const struct nn_xnn_step *xs)
{
    return xs->nops > 0 || xs->dw != NULL;
}

void nn_xnn_step_run(const struct nn_xnn_step *xs)
{
    if (xs->dw)
        nn_dw_run(xs->dw);
    for (int i = 0; i < xs->nops; i++)
        xnn_run_operator(xs->ops[i], NULL);
}

void nn_xnn_step_release(struct nn_xnn_step *xs)
{
    for (int i = 0; i < xs->nops; i++)
        xnn_delete_operator(xs->ops[i]);
    xs->nops = 0;
    nn_dw_free(xs->dw);
    xs->dw = NULL;
}
