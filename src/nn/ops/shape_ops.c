/* src/nn/ops/shape_ops.c - ops that only change how data is viewed:
 * Shape, Reshape, Flatten, Unsqueeze and Constant. Their kernels copy bytes
 * (any element size); Shape and Constant are always folded at load. */
#include <string.h>

#include "livecheck/mem.h"
#include "nn/ops/ops_int.h"

static size_t esize(const struct nn_tensor *t)
{
    return t->dtype == NN_I64 ? 8 : 4;
}

static void run_copy(const struct nn_node *n, const struct nn_step *st,
                     struct nn_exec_ctx *c)
{
    if (c->ptr[st->out[0]] != c->ptr[st->in[0]])
        memcpy(c->ptr[st->out[0]], c->ptr[st->in[0]],
               nn_tensor_numel(T_IN(c, st, 0)) * esize(T_IN(c, st, 0)));
}

/* Shape: a 1-D int64 tensor of the input's dims (a load-time constant). */
static int shape_shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *x = IN_T(m, n, 0), *y = OUT_T(m, n, 0);
    y->dtype = NN_I64;
    y->shape.rank = 1;
    y->shape.d[0] = x->shape.rank;
    return 0;
}

static void run_shape(const struct nn_node *n, const struct nn_step *st,
                      struct nn_exec_ctx *c)
{
    const struct nn_tensor *x = T_IN(c, st, 0);
    memcpy(c->ptr[st->out[0]], x->shape.d, sizeof(int64_t) * (size_t)x->shape.rank);
}

const struct nn_op nn_op_shape = {
    .name = "Shape", .min_in = 1, .max_in = 1, .nout_max = 1,
    .shape = shape_shape, .run = run_shape, .int64 = true};

static int shape_reshape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *x = IN_T(m, n, 0), *s = IN_T(m, n, 1), *y = OUT_T(m, n, 0);
    if (!s->is_const || s->dtype != NN_I64 || s->shape.rank != 1 ||
        s->shape.d[0] > NN_MAX_RANK)
        return lc_diag_set(d, LC_EUNSUP, "Reshape: shape must be a constant");
    const int64_t *v = s->data;
    int r = (int)s->shape.d[0], neg = -1;
    size_t known = 1, total = nn_tensor_numel(x);
    y->shape.rank = r;
    y->dtype = x->dtype;
    for (int i = 0; i < r; i++) {
        int64_t dim = v[i];
        if (dim == 0 && i < x->shape.rank)
            dim = x->shape.d[i];
        if (dim == -1) {
            if (neg >= 0)
                return lc_diag_set(d, LC_EFORMAT, "Reshape: two -1 dims");
            neg = i;
            dim = 1;
        } else if (dim <= 0)
            return lc_diag_set(d, LC_EFORMAT, "Reshape: dim %lld", (long long)dim);
        y->shape.d[i] = dim;
        known *= (size_t)dim;
    }
    if (neg >= 0) {
        if (known == 0 || total % known)
            return lc_diag_set(d, LC_EFORMAT, "Reshape: size mismatch");
        y->shape.d[neg] = (int64_t)(total / known);
    } else if (known != total)
        return lc_diag_set(d, LC_EFORMAT, "Reshape: size mismatch");
    return 0;
}

const struct nn_op nn_op_reshape = {
    .name = "Reshape", .min_in = 2, .max_in = 2, .nout_max = 1,
    .shape = shape_reshape, .run = run_copy, .movement = true};

static const char *const flatten_attrs[] = {"axis", NULL};

static int parse_axis1(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.axis = (int)nn_attr_int(n, "axis", 1);
    return 0;
}

static int shape_flatten(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *x = IN_T(m, n, 0), *y = OUT_T(m, n, 0);
    int ax = n->p.axis < 0 ? n->p.axis + x->shape.rank : n->p.axis;
    if (ax < 0 || ax > x->shape.rank)
        return lc_diag_set(d, LC_EFORMAT, "Flatten: axis");
    int64_t a = 1, b = 1;
    for (int i = 0; i < x->shape.rank; i++)
        *(i < ax ? &a : &b) *= x->shape.d[i];
    y->shape.rank = 2;
    y->shape.d[0] = a;
    y->shape.d[1] = b;
    y->dtype = x->dtype;
    return 0;
}

const struct nn_op nn_op_flatten = {
    .name = "Flatten", .attrs = flatten_attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse_axis1, .shape = shape_flatten,
    .run = run_copy, .movement = true};

static const char *const unsq_attrs[] = {"axes", NULL};

static int parse_unsq(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const int64_t *v;
    int k = nn_attr_ints(n, "axes", &v);
    if (k < 1 || k > NN_MAX_RANK)
        return lc_diag_set(d, LC_EUNSUP, "Unsqueeze: axes attribute");
    n->p.naxes = k;
    for (int i = 0; i < k; i++)
        n->p.axes[i] = v[i];
    return 0;
}

static int shape_unsq(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *x = IN_T(m, n, 0), *y = OUT_T(m, n, 0);
    int r = x->shape.rank + n->p.naxes;
    if (r > NN_MAX_RANK)
        return lc_diag_set(d, LC_EUNSUP, "Unsqueeze: rank");
    bool ins[NN_MAX_RANK] = {false};
    for (int i = 0; i < n->p.naxes; i++) {
        int ax = nn_axis(n->p.axes[i], r);
        if (ax < 0 || ins[ax])
            return lc_diag_set(d, LC_EFORMAT, "Unsqueeze: axes");
        ins[ax] = true;
    }
    y->shape.rank = r;
    for (int i = 0, k = 0; i < r; i++)
        y->shape.d[i] = ins[i] ? 1 : x->shape.d[k++];
    y->dtype = x->dtype;
    return 0;
}

const struct nn_op nn_op_unsqueeze = {
    .name = "Unsqueeze", .attrs = unsq_attrs, .min_in = 1, .max_in = 1,
    .nout_max = 1, .parse = parse_unsq, .shape = shape_unsq,
    .run = run_copy, .movement = true};

/* Constant: the value attribute becomes the output's data. */
static const char *const const_attrs[] = {"value", NULL};

static int parse_const(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attr[i].name, "value") == 0 && n->attr[i].tensor >= 0) {
            n->attr[i].used = true;
            struct nn_tensor *src = &m->t[n->attr[i].tensor];
            struct nn_tensor *y = OUT_T(m, n, 0);
            if (y->is_const || y->is_input) /* an initializer or input */
                return lc_diag_set(d, LC_EFORMAT, "Constant: output assigned twice");
            y->shape = src->shape;
            y->dtype = src->dtype;
            y->is_const = true;
            y->data = src->data;
            src->data = NULL;
            return 0;
        }
    return lc_diag_set(d, LC_EUNSUP, "Constant: only a tensor value");
}

static int shape_const(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    return 0;
}

const struct nn_op nn_op_constant = {
    .name = "Constant", .attrs = const_attrs, .min_in = 0, .max_in = 0,
    .nout_max = 1, .parse = parse_const, .shape = shape_const,
    .run = run_copy, .movement = true};
