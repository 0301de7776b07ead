/* src/nn/ops/move.c - ops that move elements without arithmetic: Concat,
 * Split, Slice (opset < 10, attribute form), Gather and Transpose. Kernels
 * work on any element size, so the int64 shape chains fold through them.
 *
 * Each op views its tensors as [outer, axis, inner] around its axis, which
 * turns every one of them into runs of memcpy. */
#include <stdbool.h>
#include <string.h>

#include "nn/ops/ops_int.h"

static size_t esz(const struct nn_tensor *t)
{
    return t->dtype == NN_I64 ? 8 : 4;
}

static void around(const struct nn_shape *s, int axis, size_t *outer,
                   size_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < s->rank; i++) {
        if (i < axis)
            *outer *= (size_t)s->d[i];
        else if (i > axis)
            *inner *= (size_t)s->d[i];
    }
}

/* rows runs of n bytes from x (rows xs bytes apart) to y (ys apart). The
 * usual short runs get a copy of constant size, which the compiler turns
 * into a move or two instead of a call. */
#define COPY_ROWS(nb)                                                        \
    for (size_t r = 0; r < rows; r++)                                        \
        memcpy(y + r * ys, x + r * xs, nb);                                  \
    return

static void copy_rows(char *y, size_t ys, const char *x, size_t xs,
                      size_t rows, size_t n)
{
    switch (n) {
    case 4:
        COPY_ROWS(4);
    case 8:
        COPY_ROWS(8);
    case 16:
        COPY_ROWS(16);
    default:
        COPY_ROWS(n);
    }
}

static const char *const axis_attrs[] = {"axis", NULL};

static int parse_axis(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.axis = (int)nn_attr_int(n, "axis", 0);
    return 0;
}

/* Concat */
static int shape_concat(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_tensor *x0 = IN_T(m, n, 0);
    int ax = nn_axis(n->p.axis, x0->shape.rank);
    if (ax < 0)
        return lc_diag_set(d, LC_EFORMAT, "Concat: axis");
    n->p.axis = ax;
    struct nn_shape y = x0->shape;
    y.d[ax] = 0;
    for (int i = 0; i < n->nin; i++) {
        const struct nn_tensor *x = IN_T(m, n, i);
        if (x->shape.rank != y.rank || x->dtype != x0->dtype)
            return lc_diag_set(d, LC_EFORMAT, "Concat: ranks or types differ");
        for (int k = 0; k < y.rank; k++)
            if (k != ax && x->shape.d[k] != y.d[k])
                return lc_diag_set(d, LC_EFORMAT, "Concat: shapes differ");
        y.d[ax] += x->shape.d[ax];
    }
    OUT_T(m, n, 0)->shape = y;
    OUT_T(m, n, 0)->dtype = x0->dtype;
    return 0;
}

static void run_concat(const struct nn_node *n, const struct nn_step *st,
                       struct nn_exec_ctx *c)
{
    const struct nn_tensor *yt = T_OUT(c, st, 0);
    size_t es = esz(yt), outer, inner;
    around(&yt->shape, n->p.axis, &outer, &inner);
    size_t yrow = (size_t)yt->shape.d[n->p.axis] * inner * es, off = 0;
    char *y = c->ptr[st->out[0]];
    for (int i = 0; i < st->nin; i++) {
        const struct nn_tensor *xt = T_IN(c, st, i);
        size_t xrow = (size_t)xt->shape.d[n->p.axis] * inner * es;
        copy_rows(y + off, yrow, c->ptr[st->in[i]], xrow, outer, xrow);
        off += xrow;
    }
}

const struct nn_op nn_op_concat = {
    .name = "Concat", .attrs = axis_attrs, .min_in = 1, .max_in = NN_MAX_IO,
    .nout_max = 1, .parse = parse_axis, .shape = shape_concat,
    .run = run_concat, .movement = true};

/* Split */
static const char *const split_attrs[] = {"axis", "split", NULL};

static int parse_split(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const int64_t *v;
    n->p.axis = (int)nn_attr_int(n, "axis", 0);
    n->p.nsplit = nn_attr_ints(n, "split", &v);
    if (n->p.nsplit && n->p.nsplit != n->nout)
        return lc_diag_set(d, LC_EFORMAT, "Split: split has %d values for %d outputs",
                           n->p.nsplit, n->nout);
    for (int i = 0; i < n->p.nsplit; i++)
        n->p.split[i] = v[i];
    return 0;
}

static int shape_split(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_tensor *x = IN_T(m, n, 0);
    int ax = nn_axis(n->p.axis, x->shape.rank);
    if (ax < 0)
        return lc_diag_set(d, LC_EFORMAT, "Split: axis");
    n->p.axis = ax;
    int64_t total = 0;
    if (n->p.nsplit == 0) {
        if (x->shape.d[ax] % n->nout)
            return lc_diag_set(d, LC_EFORMAT, "Split: uneven");
        n->p.nsplit = n->nout;
        for (int i = 0; i < n->nout; i++)
            n->p.split[i] = x->shape.d[ax] / n->nout;
    }
    for (int i = 0; i < n->nout; i++) {
        if (n->p.split[i] < 0)
            return lc_diag_set(d, LC_EFORMAT, "Split: negative size");
        struct nn_tensor *y = OUT_T(m, n, i);
        y->shape = x->shape;
        y->shape.d[ax] = n->p.split[i];
        y->dtype = x->dtype;
        total += n->p.split[i];
    }
    if (total != x->shape.d[ax])
        return lc_diag_set(d, LC_EFORMAT, "Split: sizes do not add up");
    return 0;
}

static void run_split(const struct nn_node *n, const struct nn_step *st,
                      struct nn_exec_ctx *c)
{
    const struct nn_tensor *xt = T_IN(c, st, 0);
    size_t es = esz(xt), outer, inner;
    around(&xt->shape, n->p.axis, &outer, &inner);
    size_t xrow = (size_t)xt->shape.d[n->p.axis] * inner * es, off = 0;
    const char *x = c->ptr[st->in[0]];
    for (int i = 0; i < st->nout; i++) {
        size_t yrow = (size_t)n->p.split[i] * inner * es;
        copy_rows(c->ptr[st->out[i]], yrow, x + off, xrow, outer, yrow);
        off += yrow;
    }
}

const struct nn_op nn_op_split = {
    .name = "Split", .attrs = split_attrs, .min_in = 1, .max_in = 1,
    .nout_max = NN_MAX_IO, .parse = parse_split, .shape = shape_split,
    .run = run_split, .movement = true};

/* Slice (attributes starts/ends/axes; steps of 1). */
static const char *const slice_attrs[] = {"starts", "ends", "axes", NULL};

static int parse_slice(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const int64_t *s, *e, *a;
    int ns = nn_attr_ints(n, "starts", &s), ne = nn_attr_ints(n, "ends", &e);
    int na = nn_attr_ints(n, "axes", &a);
    if (ns != ne || ns == 0 || ns > NN_MAX_RANK || (na && na != ns))
        return lc_diag_set(d, LC_EUNSUP, "Slice: starts/ends/axes");
    n->p.naxes = ns;
    for (int i = 0; i < ns; i++) {
        n->p.starts[i] = s[i];
        n->p.ends[i] = e[i];
        n->p.axes[i] = na ? a[i] : i;
    }
    return 0;
}

static int64_t clampi(int64_t v, int64_t dim)
{
    if (v < 0)
        v += dim;
    return v < 0 ? 0 : v > dim ? dim : v;
}

static int shape_slice(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_tensor *x = IN_T(m, n, 0);
    struct nn_tensor *y = OUT_T(m, n, 0);
    y->shape = x->shape;
    y->dtype = x->dtype;
    for (int i = 0; i < n->p.naxes; i++) {
        int ax = nn_axis(n->p.axes[i], x->shape.rank);
        if (ax < 0)
            return lc_diag_set(d, LC_EFORMAT, "Slice: axis");
        n->p.axes[i] = ax;
        int64_t dim = x->shape.d[ax];
        n->p.starts[i] = clampi(n->p.starts[i], dim);
        n->p.ends[i] = clampi(n->p.ends[i], dim);
        int64_t len = n->p.ends[i] - n->p.starts[i];
        y->shape.d[ax] = len > 0 ? len : 0;
    }
    return 0;
}

static void run_slice(const struct nn_node *n, const struct nn_step *st,
                      struct nn_exec_ctx *c)
{
    const struct nn_tensor *xt = T_IN(c, st, 0), *yt = T_OUT(c, st, 0);
    size_t es = esz(xt);
    int r = xt->shape.rank;
    int64_t start[NN_MAX_RANK] = {0};
    for (int i = 0; i < n->p.naxes; i++)
        start[n->p.axes[i]] = n->p.starts[i];
    size_t total = nn_tensor_numel(yt);
    if (total == 0)
        return;
    /* Rows of the output that are contiguous in both tensors: the trailing
     * axes that are not sliced, plus the innermost sliced one. */
    int k = r - 1;
    while (k > 0 && yt->shape.d[k] == xt->shape.d[k])
        k--;
    size_t row = 1;
    for (int i = k; i < r; i++)
        row *= (size_t)yt->shape.d[i];
    size_t xstr[NN_MAX_RANK], s = 1;
    for (int i = r - 1; i >= 0; i--) {
        xstr[i] = s;
        s *= (size_t)xt->shape.d[i];
    }
    const char *x = c->ptr[st->in[0]];
    char *y = c->ptr[st->out[0]];
    bool outer_whole = true; /* no axis before k is sliced */
    for (int a = 0; a < k; a++)
        outer_whole = outer_whole && start[a] == 0 && yt->shape.d[a] == xt->shape.d[a];
    if (outer_whole) { /* rows at a fixed stride in x */
        copy_rows(y, row * es, x + (size_t)start[k] * xstr[k] * es,
                  (size_t)xt->shape.d[k] * xstr[k] * es, total / row, row * es);
        return;
    }
    int64_t idx[NN_MAX_RANK] = {0};
    for (size_t i = 0; i < total; i += row) {
        size_t off = (size_t)start[k] * xstr[k];
        for (int a = 0; a < k; a++)
            off += (size_t)(idx[a] + start[a]) * xstr[a];
        memcpy(y + i * es, x + off * es, row * es);
        for (int a = k - 1; a >= 0; a--) {
            if (++idx[a] < yt->shape.d[a])
                break;
            idx[a] = 0;
        }
    }
}

const struct nn_op nn_op_slice = {
    .name = "Slice", .attrs = slice_attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse_slice, .shape = shape_slice,
    .run = run_slice, .movement = true};

/* Gather with constant int64 indices. */
static int shape_gather(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_tensor *x = IN_T(m, n, 0), *ix = IN_T(m, n, 1);
    int ax = nn_axis(n->p.axis, x->shape.rank);
    if (ax < 0 || ix->dtype != NN_I64 || !ix->is_const)
        return lc_diag_set(d, LC_EUNSUP, "Gather: constant int64 indices only");
    if (x->shape.rank - 1 + ix->shape.rank > NN_MAX_RANK)
        return lc_diag_set(d, LC_EUNSUP, "Gather: rank");
    const int64_t *iv = ix->data;
    for (size_t i = 0; i < nn_tensor_numel(ix); i++)
        if (iv[i] < -x->shape.d[ax] || iv[i] >= x->shape.d[ax])
            return lc_diag_set(d, LC_EFORMAT, "Gather: index out of range");
    n->p.axis = ax;
    struct nn_tensor *y = OUT_T(m, n, 0);
    y->dtype = x->dtype;
    y->shape.rank = 0;
    for (int i = 0; i < ax; i++)
        y->shape.d[y->shape.rank++] = x->shape.d[i];
    for (int i = 0; i < ix->shape.rank; i++)
        y->shape.d[y->shape.rank++] = ix->shape.d[i];
    for (int i = ax + 1; i < x->shape.rank; i++)
        y->shape.d[y->shape.rank++] = x->shape.d[i];
    return 0;
}

static void run_gather(const struct nn_node *n, const struct nn_step *st,
                       struct nn_exec_ctx *c)
{
    const struct nn_tensor *xt = T_IN(c, st, 0), *it = T_IN(c, st, 1);
    size_t es = esz(xt), outer, inner, ni = nn_tensor_numel(it);
    around(&xt->shape, n->p.axis, &outer, &inner);
    int64_t dim = xt->shape.d[n->p.axis];
    const int64_t *iv = c->ptr[st->in[1]];
    const char *x = c->ptr[st->in[0]];
    char *y = c->ptr[st->out[0]];
    for (size_t o = 0; o < outer; o++)
        for (size_t k = 0; k < ni; k++) {
            int64_t j = iv[k] < 0 ? iv[k] + dim : iv[k];
            memcpy(y + (o * ni + k) * inner * es,
                   x + (o * (size_t)dim + (size_t)j) * inner * es, inner * es);
        }
}

const struct nn_op nn_op_gather = {
    .name = "Gather", .attrs = axis_attrs, .min_in = 2, .max_in = 2,
    .nout_max = 1, .parse = parse_axis, .shape = shape_gather,
    .run = run_gather, .movement = true};

/* Transpose */
static const char *const perm_attrs[] = {"perm", NULL};

static int parse_perm(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const int64_t *v;
    int k = nn_attr_ints(n, "perm", &v);
    if (k > NN_MAX_RANK)
        return lc_diag_set(d, LC_EUNSUP, "Transpose: rank");
    n->p.naxes = k;
    for (int i = 0; i < k; i++)
        n->p.perm[i] = (int)v[i];
    return 0;
}

static int shape_transpose(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_tensor *x = IN_T(m, n, 0);
    int r = x->shape.rank;
    if (n->p.naxes == 0) { /* default: reverse */
        n->p.naxes = r;
        for (int i = 0; i < r; i++)
            n->p.perm[i] = r - 1 - i;
    }
    if (n->p.naxes != r)
        return lc_diag_set(d, LC_EFORMAT, "Transpose: perm length");
    bool seen[NN_MAX_RANK] = {false};
    struct nn_tensor *y = OUT_T(m, n, 0);
    y->shape.rank = r;
    y->dtype = x->dtype;
    for (int i = 0; i < r; i++) {
        int p = n->p.perm[i];
        if (p < 0 || p >= r || seen[p])
            return lc_diag_set(d, LC_EFORMAT, "Transpose: perm");
        seen[p] = true;
        y->shape.d[i] = x->shape.d[p];
    }
    return 0;
}

/* General strided permutation, also used for layout conversions. */
void nn_permute(const void *src, void *dst, size_t es,
                const struct nn_shape *xs, const int *perm)
{
    int r = xs->rank;
    size_t xstr[NN_MAX_RANK], s = 1, total = nn_shape_numel(xs);
    int64_t yd[NN_MAX_RANK], idx[NN_MAX_RANK] = {0};
    for (int i = r - 1; i >= 0; i--) {
        xstr[i] = s;
        s *= (size_t)xs->d[i];
    }
    size_t pstr[NN_MAX_RANK];
    for (int i = 0; i < r; i++) {
        yd[i] = xs->d[perm[i]];
        pstr[i] = xstr[perm[i]];
    }
    const char *x = src;
    char *y = dst;
    if (total == 0)
        return;
    if (r == 0) {
        memcpy(y, x, es);
        return;
    }
    size_t off = 0;
    for (size_t i = 0; i < total; i++) {
        if (es == 4)
            ((float *)y)[i] = ((const float *)x)[off];
        else
            memcpy(y + i * es, x + off * es, es);
        for (int k = r - 1; k >= 0; k--) {
            off += pstr[k];
            if (++idx[k] < yd[k])
                break;
            off -= pstr[k] * (size_t)yd[k];
            idx[k] = 0;
        }
    }
}

static void run_transpose(const struct nn_node *n, const struct nn_step *st,
                          struct nn_exec_ctx *c)
{
    nn_permute(c->ptr[st->in[0]], c->ptr[st->out[0]], esz(T_IN(c, st, 0)),
               &T_IN(c, st, 0)->shape, n->p.perm);
}

const struct nn_op nn_op_transpose = {
    .name = "Transpose", .attrs = perm_attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse_perm, .shape = shape_transpose,
    .run = run_transpose, .movement = true};
