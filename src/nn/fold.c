/* src/nn/fold.c - make a parsed graph ready to plan: resolve each node's
 * op and attributes, infer shapes for the fixed input shape, evaluate at
 * load time every node whose inputs are known (the Shape->Gather->
 * Unsqueeze->Concat chains, arithmetic on constants), and fold
 * BatchNormalization into the Conv/Gemm/MatMul that feeds it.
 *
 * Nodes are taken in file order, which ONNX requires to be topological; a
 * node that reads a tensor nothing has produced yet fails the load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/nn_int.h"

static int resolve(struct nn_model *m, struct nn_node *n, int idx,
                   struct lc_diag *d)
{
    n->op = nn_op_find(n->op_type);
    if (n->op == NULL || strncmp(n->op_type, "lc.", 3) == 0) /* lc.*: ours */
        return lc_diag_set(d, LC_EUNSUP, "node %d (%s): unsupported op %s",
                           idx, n->name, n->op_type);
    /* An omitted input or output (empty name) may only be a trailing
     * optional one (Conv's and Gemm's bias, unused outputs): drop those,
     * refuse any other. */
    while (n->nin > 0 && n->in[n->nin - 1] < 0)
        n->nin--;
    while (n->nout > 0 && n->out[n->nout - 1] < 0)
        n->nout--;
    for (int k = 0; k < n->nin || k < n->nout; k++)
        if ((k < n->nin && n->in[k] < 0) || (k < n->nout && n->out[k] < 0))
            return lc_diag_set(d, LC_EFORMAT, "node %d (%s): %s with a name left out",
                               idx, n->name, n->op_type);
    if (n->nin < n->op->min_in || n->nin > n->op->max_in ||
        n->nout < 1 || n->nout > n->op->nout_max)
        return lc_diag_set(d, LC_EFORMAT, "node %d (%s): %s with %d inputs, %d outputs",
                           idx, n->name, n->op_type, n->nin, n->nout);
    if (n->op->parse) {
        int rc = n->op->parse(m, n, d);
        if (rc < 0)
            return rc;
    }
    for (int a = 0; a < n->nattr; a++) {
        bool known = false;
        for (const char *const *k = n->op->attrs; k && *k; k++)
            known |= strcmp(*k, n->attr[a].name) == 0;
        if (!known)
            return lc_diag_set(d, LC_EUNSUP, "node %d (%s): %s attribute %s unsupported",
                               idx, n->name, n->op_type, n->attr[a].name);
    }
    return 0;
}

/* Evaluate a node whose inputs are all constant; its outputs become
 * constants and the node leaves the graph. */
static void evaluate(struct nn_model *m, struct nn_node *n)
{
    void *ptr_in[NN_MAX_IO];
    struct nn_step st = {.kind = NN_STEP_NODE, .nin = n->nin, .nout = n->nout};
    for (int i = 0; i < n->nout; i++) {
        struct nn_tensor *y = OUT_T(m, n, i);
        y->data = lc_aligned_alloc(nn_tensor_bytes(y) + 8);
        y->is_const = true;
    }
    memcpy(st.in, n->in, sizeof st.in);
    memcpy(st.out, n->out, sizeof st.out);
    /* A context whose pointer table covers every tensor id. */
    void **ptr = lc_calloc((size_t)m->ntensors, sizeof(void *));
    for (int i = 0; i < n->nin; i++)
        if (n->in[i] >= 0)
            ptr[n->in[i]] = ptr_in[i] = IN_T(m, n, i)->data;
    for (int i = 0; i < n->nout; i++)
        ptr[n->out[i]] = OUT_T(m, n, i)->data;
    struct nn_exec_ctx c = {.ptr = ptr, .m = m};
    n->op->run(n, &st, &c);
    free(ptr);
    (void)ptr_in;
    n->dead = true;
}

static int consumers(const struct nn_model *m, int tensor, int *only)
{
    int k = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const struct nn_node *n = &m->nodes[i];
        if (n->dead)
            continue;
        for (int j = 0; j < n->nin; j++)
            if (n->in[j] == tensor) {
                k++;
                *only = i;
            }
    }
    return k + (m->t[tensor].is_output ? 1 : 0);
}

static int producer(const struct nn_model *m, int tensor)
{
    for (int i = 0; i < m->nnodes; i++)
        if (!m->nodes[i].dead)
            for (int j = 0; j < m->nodes[i].nout; j++)
                if (m->nodes[i].out[j] == tensor)
                    return i;
    return -1;
}

/* A new constant float tensor copied from src, to be modified. */
static int const_copy(struct nn_model *m, int src, const char *suffix)
{
    char name[256];
    snprintf(name, sizeof name, "%s%s", m->t[src].name, suffix);
    int id = nn_model_tensor_add(m, name);
    struct nn_tensor *s = &m->t[src], *t = &m->t[id];
    t->shape = s->shape;
    t->dtype = NN_F32;
    t->is_const = true;
    t->data = lc_aligned_alloc(nn_tensor_bytes(t));
    memcpy(t->data, s->data, nn_tensor_bytes(t));
    return id;
}

/* Fold BatchNormalization node `bi` into the Conv/Gemm/MatMul before it. */
static void fold_bn(struct nn_model *m, int bi)
{
    struct nn_node *bn = &m->nodes[bi];
    int pi = producer(m, bn->in[0]), only = -1;
    if (pi < 0 || consumers(m, bn->in[0], &only) != 1)
        return;
    struct nn_node *p = &m->nodes[pi];
    bool conv = p->op == nn_op_find("Conv");
    bool gemm = p->op == nn_op_find("Gemm") || p->op == nn_op_find("MatMul");
    if ((!conv && !gemm) || !IN_T(m, p, 1)->is_const)
        return;
    if (gemm && (p->p.trans_a || p->p.alpha != 1.0f || p->p.beta != 1.0f))
        return;
    int64_t C = OUT_T(m, p, 0)->shape.d[1];
    const float *g = IN_T(m, bn, 1)->data, *be = IN_T(m, bn, 2)->data;
    const float *mu = IN_T(m, bn, 3)->data, *var = IN_T(m, bn, 4)->data;
    int w = const_copy(m, p->in[1], "#bn");
    float *wd = m->t[w].data;
    const struct nn_shape *ws = &m->t[w].shape;
    int b;
    bool has_bias = p->nin > 2 && p->in[2] >= 0;
    const struct nn_shape *bs = has_bias ? &IN_T(m, p, 2)->shape : NULL;
    /* A bias of C values along the last axis ([C] or [1,C]); a Gemm's [M,1]
     * bias adds per row even when M == C. */
    if (has_bias && nn_tensor_numel(IN_T(m, p, 2)) == (size_t)C &&
        bs->rank >= 1 && bs->d[bs->rank - 1] == C) {
        b = const_copy(m, p->in[2], "#bn");
    } else if (!has_bias) {
        char name[256];
        snprintf(name, sizeof name, "%s#bias", bn->name);
        b = nn_model_tensor_add(m, name);
        m->t[b].shape.rank = 1;
        m->t[b].shape.d[0] = C;
        m->t[b].is_const = true;
        m->t[b].data = lc_aligned_alloc((size_t)C * 4);
        memset(m->t[b].data, 0, (size_t)C * 4);
    } else
        return; /* a bias that broadcasts over rows: leave the BN alone */
    float *bd = m->t[b].data;
    for (int64_t c = 0; c < C; c++) {
        float s = g[c] / sqrtf(var[c] + bn->p.eps);
        bd[c] = (bd[c] - mu[c]) * s + be[c];
        if (conv) { /* weight [O, I/g, kh, kw]: scale output channel c */
            size_t per = nn_tensor_numel(&m->t[w]) / (size_t)ws->d[0];
            for (size_t k = 0; k < per; k++)
                wd[(size_t)c * per + k] *= s;
        } else if (p->p.trans_b) { /* [N, K] */
            for (int64_t k = 0; k < ws->d[1]; k++)
                wd[c * ws->d[1] + k] *= s;
        } else { /* [K, N] */
            for (int64_t k = 0; k < ws->d[0]; k++)
                wd[k * ws->d[1] + c] *= s;
        }
    }
    if (!conv && p->op == nn_op_find("MatMul")) {
        p->op = nn_op_find("Gemm");
        p->p.alpha = p->p.beta = 1.0f;
    }
    p->in[1] = w;
    p->in[2] = b;
    p->nin = 3;
    p->out[0] = bn->out[0];
    bn->dead = true;
}

int nn_graph_prepare(struct nn_model *m, struct lc_diag *d)
{
    bool *known = lc_calloc((size_t)m->ntensors + 1, sizeof(bool));
    int rc = 0;
    for (int i = 0; i < m->ninputs; i++) {
        struct nn_tensor *t = &m->t[m->inputs[i]];
        for (int k = 0; k < t->shape.rank; k++)
            if (t->shape.d[k] <= 0)
                rc = lc_diag_set(d, LC_EUNSUP, "input %s: dynamic shape", t->name);
        if (t->shape.rank == 0)
            rc = lc_diag_set(d, LC_EUNSUP, "input %s: no shape", t->name);
    }
    int nt0 = m->ntensors;
    for (int i = 0; i < nt0; i++)
        known[i] = m->t[i].is_const || m->t[i].is_input;
    for (int i = 0; rc == 0 && i < m->nnodes; i++) {
        struct nn_node *n = &m->nodes[i];
        rc = resolve(m, n, i, d);
        if (rc < 0)
            break;
        bool all_const = true;
        for (int k = 0; k < n->nin; k++) {
            if (n->in[k] < 0)
                continue;
            if (n->in[k] >= nt0 || !known[n->in[k]]) {
                rc = lc_diag_set(d, LC_EFORMAT, "node %d (%s): input %s is never produced",
                                 i, n->name, m->t[n->in[k]].name);
                break;
            }
            all_const &= m->t[n->in[k]].is_const;
        }
        if (rc < 0)
            break;
        for (int k = 0; k < n->nout; k++) {
            if (n->out[k] < 0 || n->out[k] >= nt0 || known[n->out[k]]) {
                rc = lc_diag_set(d, LC_EFORMAT, "node %d (%s): output assigned twice",
                                 i, n->name);
                break;
            }
            known[n->out[k]] = true;
        }
        if (rc < 0)
            break;
        rc = n->op->shape(m, n, d);
        if (rc < 0) {
            char pre[160];
            snprintf(pre, sizeof pre, "node %d (%.100s): ", i, n->name);
            lc_diag_prefix(d, pre);
            break;
        }
        for (int k = 0; k < n->nout; k++) {
            struct nn_tensor *y = OUT_T(m, n, k);
            size_t bytes = 1;
            for (int r = 0; r < y->shape.rank; r++)
                if (y->shape.d[r] < 0 ||
                    lc_mul_overflow(bytes, (size_t)y->shape.d[r], &bytes))
                    rc = LC_ETOOBIG;
            if (rc < 0 || bytes > ((size_t)1 << 28)) {
                rc = lc_diag_set(d, LC_ETOOBIG, "node %d (%s): output too large", i, n->name);
                break;
            }
        }
        if (rc < 0)
            break;
        bool has_i64 = false;
        for (int k = 0; k < n->nin; k++)
            has_i64 |= n->in[k] >= 0 && m->t[n->in[k]].dtype == NN_I64;
        if (has_i64 && !n->op->movement && !n->op->int64) {
            rc = lc_diag_set(d, LC_EUNSUP, "node %d (%s): %s on int64",
                             i, n->name, n->op_type);
            break;
        }
        if (strcmp(n->op_type, "Constant") == 0)
            n->dead = true;
        else if (all_const || strcmp(n->op_type, "Shape") == 0)
            evaluate(m, n);
    }
    for (int i = 0; rc == 0 && i < m->noutputs; i++)
        if (m->outputs[i] >= nt0 || !known[m->outputs[i]])
            rc = lc_diag_set(d, LC_EFORMAT, "output %s is never produced",
                             m->t[m->outputs[i]].name);
    free(known);
    if (rc < 0)
        return rc;
    for (int i = 0; i < m->noutputs; i++)
        if (m->t[m->outputs[i]].is_const)
            return lc_diag_set(d, LC_EUNSUP, "output %s is a constant",
                               m->t[m->outputs[i]].name);
    for (int i = 0; i < m->nnodes; i++)
        if (!m->nodes[i].dead && m->nodes[i].op == nn_op_find("BatchNormalization"))
            fold_bn(m, i);
    for (int i = 0; i < m->nnodes; i++) {
        const struct nn_node *n = &m->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0 && m->t[n->in[k]].dtype != NN_F32 && !n->op->movement)
                return lc_diag_set(d, LC_EUNSUP, "node %d (%s): %s on int64 at run time",
                                   i, n->name, n->op_type);
    }
    return 0;
}
