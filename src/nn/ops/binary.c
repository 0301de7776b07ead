/* src/nn/ops/binary.c - elementwise binary ops with NumPy broadcasting:
 * Add, Sub, Mul, Div, and PRelu (slope broadcast onto x), on float32 and,
 * for shape arithmetic folded at load time, on int64.
 *
 * The reference kernel walks the output in row-major order and finds each
 * operand's element through strides, with stride 0 on broadcast axes. */
#include "nn/ops/ops_int.h"

static int shape_bcast(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    struct nn_tensor *a = IN_T(m, n, 0), *b = IN_T(m, n, 1);
    if (!nn_shape_broadcast(&a->shape, &b->shape, &OUT_T(m, n, 0)->shape))
        return lc_diag_set(d, LC_EFORMAT, "%s: shapes do not broadcast",
                           n->op_type);
    OUT_T(m, n, 0)->dtype = a->dtype;
    if (a->dtype != b->dtype)
        return lc_diag_set(d, LC_EUNSUP, "%s: mixed data types", n->op_type);
    return 0;
}

/* Strides of t aligned to an output of rank r, 0 where t broadcasts. */
static void bstrides(const struct nn_shape *t, const struct nn_shape *o,
                     size_t st[NN_MAX_RANK])
{
    size_t s = 1;
    for (int i = o->rank - 1; i >= 0; i--) {
        int it = i - (o->rank - t->rank);
        int64_t dim = it >= 0 ? t->d[it] : 1;
        st[i] = dim == 1 ? 0 : s;
        s *= (size_t)dim;
    }
}

enum bop { B_ADD, B_SUB, B_MUL, B_DIV, B_PRELU };

static inline float apply(enum bop op, float a, float b)
{
    switch (op) {
    case B_ADD:
        return a + b;
    case B_SUB:
        return a - b;
    case B_MUL:
        return a * b;
    case B_DIV:
        return a / b;
    case B_PRELU:
        return a < 0.0f ? a * b : a;
    }
    return 0.0f;
}

/* int64 (shape arithmetic folded at load time): wrapping, and x / 0 = 0
 * rather than a trap. */
static inline int64_t apply_i64(enum bop op, int64_t a, int64_t b)
{
    switch (op) {
    case B_ADD:
        return (int64_t)((uint64_t)a + (uint64_t)b);
    case B_SUB:
        return (int64_t)((uint64_t)a - (uint64_t)b);
    case B_MUL:
        return (int64_t)((uint64_t)a * (uint64_t)b);
    case B_DIV:
        return b == 0 || (a == INT64_MIN && b == -1) ? 0 : a / b;
    case B_PRELU:
        return a < 0 ? (int64_t)((uint64_t)a * (uint64_t)b) : a;
    }
    return 0;
}

static void run_bop(enum bop op, const struct nn_step *st, struct nn_exec_ctx *c)
{
    const struct nn_shape *o = &T_OUT(c, st, 0)->shape;
    const float *a = X_IN(c, st, 0), *b = X_IN(c, st, 1);
    float *y = X_OUT(c, st, 0);
    const int64_t *a64 = c->ptr[st->in[0]], *b64 = c->ptr[st->in[1]];
    int64_t *y64 = c->ptr[st->out[0]];
    bool i64 = T_OUT(c, st, 0)->dtype == NN_I64;
    size_t sa[NN_MAX_RANK], sb[NN_MAX_RANK];
    bstrides(&T_IN(c, st, 0)->shape, o, sa);
    bstrides(&T_IN(c, st, 1)->shape, o, sb);
    size_t total = nn_shape_numel(o);
    if (o->rank == 0) {
        if (i64)
            y64[0] = apply_i64(op, a64[0], b64[0]);
        else
            y[0] = apply(op, a[0], b[0]);
        return;
    }
    int64_t idx[NN_MAX_RANK] = {0};
    size_t ia = 0, ib = 0;
    int last = o->rank - 1;
    size_t inner = (size_t)o->d[last];
    for (size_t i = 0; i < total; i += inner) {
        if (i64)
            for (size_t k = 0; k < inner; k++)
                y64[i + k] = apply_i64(op, a64[ia + k * sa[last]],
                                       b64[ib + k * sb[last]]);
        else
            for (size_t k = 0; k < inner; k++)
                y[i + k] = apply(op, a[ia + k * sa[last]], b[ib + k * sb[last]]);
        /* advance the outer index */
        for (int dd = last - 1; dd >= 0; dd--) {
            ia += sa[dd];
            ib += sb[dd];
            if (++idx[dd] < o->d[dd])
                break;
            ia -= sa[dd] * (size_t)o->d[dd];
            ib -= sb[dd] * (size_t)o->d[dd];
            idx[dd] = 0;
        }
    }
}

#define BINARY(sym, onnx, code)                                             \
    static void run_##sym(const struct nn_node *n, const struct nn_step *st, \
                          struct nn_exec_ctx *c)                            \
    {                                                                       \
        run_bop(code, st, c);                                               \
    }                                                                       \
    const struct nn_op nn_op_##sym = {                                      \
        .name = onnx, .min_in = 2, .max_in = 2, .nout_max = 1,              \
        .shape = shape_bcast, .run = run_##sym, .int64 = true}

BINARY(add, "Add", B_ADD);
BINARY(sub, "Sub", B_SUB);
BINARY(mul, "Mul", B_MUL);
BINARY(div, "Div", B_DIV);

static int shape_prelu(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    int rc = shape_bcast(m, n, d);
    if (rc == 0 && !nn_shape_eq(&OUT_T(m, n, 0)->shape, &IN_T(m, n, 0)->shape))
        return lc_diag_set(d, LC_EFORMAT, "PRelu: slope does not broadcast to x");
    return rc;
}

static void run_prelu(const struct nn_node *n, const struct nn_step *st,
                      struct nn_exec_ctx *c)
{
    run_bop(B_PRELU, st, c);
}

const struct nn_op nn_op_prelu = {
    .name = "PRelu", .min_in = 2, .max_in = 2, .nout_max = 1,
    .shape = shape_prelu, .run = run_prelu};
