/* src/nn/session.c - nn_session: one arena and one pass over a plan.
 *
 * nn_session_new allocates the arena the plan asked for, points every
 * tensor id at its data (arena offset or model constant) and, for the fast
 * plan, creates the XNNPACK operators bound to those pointers. After that
 * nn_session_run only walks the steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/nn_int.h"
#include "nn/vec.h"
#include "nn/xnn.h"

struct nn_session {
    const struct nn_model *m;
    const struct nn_plan *p;
    uint8_t *arena;
    void **ptr;
    struct nn_xnn_step *xs; /* per step (fast plan) */
    struct nn_exec_ctx ctx;
    bool fast; /* the fast plan: vector kernels where an op has them */
};

void nn_permute(const void *src, void *dst, size_t es,
                const struct nn_shape *xs, const int *perm);

/* NCHW <-> NHWC for one 4-D tensor of logical shape s. */
static void convert(const struct nn_shape *s, const float *x, float *y,
                    bool to_nhwc)
{
    size_t N = (size_t)s->d[0], C = (size_t)s->d[1];
    size_t HW = (size_t)(s->d[2] * s->d[3]);
    if (C == 1 || HW == 1) {
        memcpy(y, x, N * C * HW * sizeof(float));
        return;
    }
    for (size_t n = 0; n < N; n++) {
        const float *xn = x + n * C * HW;
        float *yn = y + n * C * HW;
        if (to_nhwc && C == 3) { /* the usual RGB input */
            nn_vec_interleave3(xn, xn + HW, xn + 2 * HW, yn, HW);
        } else if (to_nhwc) {
            for (size_t c = 0; c < C; c++)
                for (size_t i = 0; i < HW; i++)
                    yn[i * C + c] = xn[c * HW + i];
        } else {
            for (size_t i = 0; i < HW; i++)
                for (size_t c = 0; c < C; c++)
                    yn[c * HW + i] = xn[i * C + c];
        }
    }
}

nn_session *nn_session_new(const nn_model *m, enum nn_exec exec)
{
    struct nn_session *s = lc_calloc(1, sizeof *s);
    s->m = m;
    s->p = &m->plan[exec];
    s->fast = exec == NN_EXEC_FAST;
    s->arena = lc_aligned_alloc(s->p->arena_size + 64);
    s->ptr = lc_calloc((size_t)m->ntensors, sizeof(void *));
    for (int i = 0; i < s->p->ntensors; i++) {
        if (m->t[i].is_const)
            s->ptr[i] = m->t[i].data;
        else if (s->p->off[i] != SIZE_MAX)
            s->ptr[i] = s->arena + s->p->off[i];
    }
    s->ctx.ptr = s->ptr;
    s->ctx.m = m;
    s->ctx.layout = s->p->layout;
    s->xs = lc_calloc((size_t)s->p->nsteps + 1, sizeof(struct nn_xnn_step));
    for (int i = 0; i < s->p->nsteps; i++) {
        const struct nn_step *st = &s->p->steps[i];
        /* The plan only marks steps fast after checking every condition
         * XNNPACK sets, so a refusal here is a bug, not bad input. */
        if (st->fast && nn_xnn_step_create(m, st, &s->ctx, &s->xs[i]) < 0) {
            fprintf(stderr, "livecheck: XNNPACK refused node %s (%s)\n",
                    m->nodes[st->node].name, m->nodes[st->node].op_type);
            abort();
        }
    }
    return s;
}

void nn_session_free(nn_session *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->p->nsteps; i++)
        nn_xnn_step_release(&s->xs[i]);
    free(s->xs);
    free(s->ptr);
    free(s->arena);
    free(s);
}

float *nn_session_input(nn_session *s, int i, struct nn_shape *shape)
{
    int t = s->m->inputs[i];
    if (shape)
        *shape = s->m->t[t].shape;
    return s->ptr[t];
}

const float *nn_session_output(nn_session *s, int i, struct nn_shape *shape)
{
    int t = s->m->outputs[i];
    if (shape)
        *shape = s->m->t[t].shape;
    return s->ptr[t];
}

void nn_session_run(nn_session *s)
{
    const struct nn_model *m = s->m;
    for (int i = 0; i < s->p->nsteps; i++) {
        const struct nn_step *st = &s->p->steps[i];
        if (st->kind != NN_STEP_NODE) {
            convert(&m->t[st->in[0]].shape, s->ptr[st->in[0]],
                    s->ptr[st->out[0]], st->kind == NN_STEP_TO_NHWC);
        } else if (nn_xnn_step_ready(&s->xs[i])) {
            nn_xnn_step_run(&s->xs[i]);
        } else {
            const struct nn_node *n = &m->nodes[st->node];
            if (s->fast && n->op->run_fast)
                n->op->run_fast(n, st, &s->ctx);
            else
                n->op->run(n, st, &s->ctx);
        }
    }
}

void nn_node_run_ref(const struct nn_model *m, const struct nn_node *n,
                     struct nn_exec_ctx *c)
{
    struct nn_step st = {.kind = NN_STEP_NODE, .nin = n->nin, .nout = n->nout};
    memcpy(st.in, n->in, sizeof st.in);
    memcpy(st.out, n->out, sizeof st.out);
    n->op->run(n, &st, c);
}
