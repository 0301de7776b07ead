/* src/nn/ops/gemm.c - Gemm (Y = alpha*A'*B' + beta*C) and MatMul (2-D).
 *
 * Both take A of shape [M,K]. Gemm's B is [K,N], or [N,K] with transB; C
 * broadcasts onto [M,N]. BatchNormalization after either is folded into B
 * and C at load time (fold.c), which turns a MatMul into a Gemm. */
#include "nn/ops/ops_int.h"

static const char *const attrs[] = {"alpha", "beta", "transA", "transB", NULL};

static int parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.alpha = nn_attr_float(n, "alpha", 1.0f);
    n->p.beta = nn_attr_float(n, "beta", 1.0f);
    n->p.trans_a = (int)nn_attr_int(n, "transA", 0);
    n->p.trans_b = (int)nn_attr_int(n, "transB", 0);
    return 0;
}

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *a = &IN_T(m, n, 0)->shape, *b = &IN_T(m, n, 1)->shape;
    if (a->rank != 2 || b->rank != 2)
        return lc_diag_set(d, LC_EUNSUP, "%s: only 2-D operands", n->op_type);
    int64_t M = n->p.trans_a ? a->d[1] : a->d[0];
    int64_t K = n->p.trans_a ? a->d[0] : a->d[1];
    int64_t K2 = n->p.trans_b ? b->d[1] : b->d[0];
    int64_t N = n->p.trans_b ? b->d[0] : b->d[1];
    if (K != K2)
        return lc_diag_set(d, LC_EFORMAT, "%s: inner dimensions differ", n->op_type);
    struct nn_shape *y = &OUT_T(m, n, 0)->shape;
    y->rank = 2;
    y->d[0] = M;
    y->d[1] = N;
    if (n->nin > 2 && n->in[2] >= 0) {
        struct nn_shape bc;
        if (!nn_shape_broadcast(&IN_T(m, n, 2)->shape, y, &bc) || !nn_shape_eq(&bc, y))
            return lc_diag_set(d, LC_EFORMAT, "Gemm: C does not broadcast");
    }
    return 0;
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_shape *ys = &T_OUT(c, st, 0)->shape;
    const struct nn_shape *as = &T_IN(c, st, 0)->shape;
    const float *A = X_IN(c, st, 0), *B = X_IN(c, st, 1);
    float *Y = X_OUT(c, st, 0);
    int64_t M = ys->d[0], N = ys->d[1];
    int64_t K = n->p.trans_a ? as->d[0] : as->d[1];
    const float *C = NULL;
    int64_t cm = 0, cn = 0;
    if (st->nin > 2 && st->in[2] >= 0) {
        const struct nn_shape *cs = &T_IN(c, st, 2)->shape;
        C = X_IN(c, st, 2);
        /* strides for C broadcast onto [M,N] */
        int64_t d0 = cs->rank == 2 ? cs->d[0] : 1;
        int64_t d1 = cs->rank >= 1 ? cs->d[cs->rank - 1] : 1;
        cm = d0 == 1 ? 0 : d1;
        cn = d1 == 1 ? 0 : 1;
    }
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0.0;
            for (int64_t k = 0; k < K; k++) {
                float a = n->p.trans_a ? A[k * M + i] : A[i * K + k];
                float b = n->p.trans_b ? B[j * K + k] : B[k * N + j];
                acc += (double)a * b;
            }
            float v = n->p.alpha * (float)acc;
            if (C)
                v += n->p.beta * C[i * cm + j * cn];
            Y[i * N + j] = v;
        }
}

const struct nn_op nn_op_gemm = {
    .name = "Gemm", .attrs = attrs, .min_in = 2, .max_in = 3, .nout_max = 1,
    .parse = parse, .shape = shape, .run = run};

static int mm_parse(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    n->p.alpha = 1.0f;
    n->p.beta = 1.0f;
    return 0;
}

const struct nn_op nn_op_matmul = {
    .name = "MatMul", .min_in = 2, .max_in = 2, .nout_max = 1,
    .parse = mm_parse, .shape = shape, .run = run};
