/* src/nn/plan.c - execution plans: which steps run, in which layout each
 * activation lives, and where in the session's one arena it sits.
 *
 * The reference plan runs every live node with its plain C kernel, NCHW.
 * The fast plan asks xnn.c which nodes XNNPACK runs; those read and write
 * 4-D activations in NHWC. Every other node reads plain tensors, so the
 * plan inserts a conversion step wherever a tensor is needed in the other
 * layout (each conversion made once and shared by later readers). Graph
 * inputs and outputs are plain at the session's doors.
 *
 * Offsets come from a liveness pass: a tensor lives from the step that
 * writes it to the last step that reads it; tensors are placed largest
 * first at the lowest offset that overlaps no placed tensor alive at the
 * same time. Graph inputs and outputs live for the whole run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/nn_int.h"
#include "nn/xnn.h"

#define ALIGN 64

void nn_plan_release(struct nn_plan *p)
{
    free(p->steps);
    free(p->layout);
    free(p->off);
    memset(p, 0, sizeof *p);
}

struct builder {
    struct nn_model *m;
    struct nn_plan *p;
    int cap;
    int *conv_of; /* tensor id -> id of its converted twin, or -1 */
};

static struct nn_step *step_add(struct builder *b)
{
    struct nn_plan *p = b->p;
    if (p->nsteps == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 128;
        p->steps = lc_realloc(p->steps, sizeof(struct nn_step) * (size_t)b->cap);
    }
    struct nn_step *s = &p->steps[p->nsteps++];
    memset(s, 0, sizeof *s);
    return s;
}

/* The id of tensor t in layout want, adding a conversion step if needed.
 * Only 4-D tensors have an NHWC form. */
static int in_layout(struct builder *b, int t, enum nn_layout want)
{
    struct nn_model *m = b->m;
    if (t < 0 || m->t[t].is_const || m->t[t].shape.rank != 4 ||
        b->p->layout[t] == want)
        return t;
    if (b->conv_of[t] >= 0)
        return b->conv_of[t];
    char name[300];
    snprintf(name, sizeof name, "%s#%s", m->t[t].name,
             want == NN_NHWC ? "nhwc" : "nchw");
    int id = nn_model_tensor_add(m, name);
    m->t[id].shape = m->t[t].shape; /* logical shape is unchanged */
    m->t[id].dtype = m->t[t].dtype;
    b->p->layout = lc_realloc(b->p->layout, (size_t)m->ntensors);
    b->conv_of = lc_realloc(b->conv_of, sizeof(int) * (size_t)m->ntensors);
    b->p->layout[id] = (uint8_t)want;
    b->conv_of[id] = t;
    b->conv_of[t] = id;
    struct nn_step *s = step_add(b);
    s->kind = want == NN_NHWC ? NN_STEP_TO_NHWC : NN_STEP_TO_NCHW;
    s->node = -1;
    s->nin = s->nout = 1;
    s->in[0] = t;
    s->out[0] = id;
    return id;
}

static void plan_offsets(struct nn_model *m, struct nn_plan *p)
{
    int nt = m->ntensors;
    int *first = lc_malloc(sizeof(int) * (size_t)nt);
    int *last = lc_malloc(sizeof(int) * (size_t)nt);
    size_t *size = lc_calloc((size_t)nt, sizeof(size_t));
    for (int i = 0; i < nt; i++) {
        first[i] = INT32_MAX;
        last[i] = -1;
    }
    for (int s = 0; s < p->nsteps; s++) {
        const struct nn_step *st = &p->steps[s];
        for (int k = 0; k < st->nout; k++) {
            int t = st->out[k];
            if (first[t] > s)
                first[t] = s;
            if (last[t] < s)
                last[t] = s;
        }
        for (int k = 0; k < st->nin; k++) {
            int t = st->in[k];
            if (t < 0 || m->t[t].is_const)
                continue;
            if (first[t] > s)
                first[t] = s;
            last[t] = s;
        }
    }
    for (int i = 0; i < m->ninputs; i++) {
        first[m->inputs[i]] = -1;
        if (last[m->inputs[i]] < 0)
            last[m->inputs[i]] = 0;
        last[m->inputs[i]] = p->nsteps;
    }
    for (int i = 0; i < m->noutputs; i++)
        last[m->outputs[i]] = p->nsteps;
    int *order = lc_malloc(sizeof(int) * (size_t)nt);
    int n = 0;
    for (int i = 0; i < nt; i++) {
        p->off[i] = SIZE_MAX;
        if (last[i] >= 0 && !m->t[i].is_const) {
            size[i] = (nn_tensor_bytes(&m->t[i]) + ALIGN - 1) / ALIGN * ALIGN;
            order[n++] = i;
        }
    }
    /* largest first (insertion sort: a few hundred tensors) */
    for (int i = 1; i < n; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && size[order[j]] < size[v]) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    p->arena_size = 0;
    for (int i = 0; i < n; i++) {
        int t = order[i];
        size_t off = 0;
        bool moved = true;
        while (moved) {
            moved = false;
            for (int j = 0; j < i; j++) {
                int u = order[j];
                if (last[u] < first[t] || last[t] < first[u])
                    continue; /* lifetimes do not meet */
                if (off < p->off[u] + size[u] && p->off[u] < off + size[t]) {
                    off = p->off[u] + size[u];
                    moved = true;
                }
            }
        }
        p->off[t] = off;
        if (off + size[t] > p->arena_size)
            p->arena_size = off + size[t];
    }
    free(order);
    free(first);
    free(last);
    free(size);
}

int nn_plan_build(struct nn_model *m, enum nn_exec exec, struct lc_diag *d)
{
    struct nn_plan *p = &m->plan[exec];
    struct builder b = {.m = m, .p = p};
    nn_plan_release(p);
    p->layout = lc_calloc((size_t)m->ntensors, 1);
    b.conv_of = lc_malloc(sizeof(int) * (size_t)m->ntensors);
    for (int i = 0; i < m->ntensors; i++)
        b.conv_of[i] = -1;

    for (int i = 0; i < m->nnodes; i++) {
        const struct nn_node *n = &m->nodes[i];
        if (n->dead)
            continue;
        bool fast = exec == NN_EXEC_FAST && nn_xnn_supports(m, n);
        enum nn_layout want = exec == NN_EXEC_FAST
                                  ? nn_xnn_layout(m, n, p->layout)
                                  : NN_PLAIN;
        int in[NN_MAX_IO];
        for (int k = 0; k < n->nin; k++)
            in[k] = in_layout(&b, n->in[k], want);
        struct nn_step *s = step_add(&b);
        s->kind = NN_STEP_NODE;
        s->node = i;
        s->fast = fast;
        s->nin = n->nin;
        s->nout = n->nout;
        memcpy(s->in, in, sizeof in);
        memcpy(s->out, n->out, sizeof s->out);
        enum nn_layout out = exec == NN_EXEC_FAST ? nn_xnn_out_layout(m, n, want)
                                                  : NN_PLAIN;
        for (int k = 0; k < n->nout; k++)
            p->layout[n->out[k]] =
                (uint8_t)(m->t[n->out[k]].shape.rank == 4 ? out : NN_PLAIN);
    }
    /* Graph outputs leave plain: convert the producer's tensor and make the
     * conversion write the output's own id. */
    for (int i = 0; i < m->noutputs; i++) {
        int t = m->outputs[i];
        if (p->layout[t] == NN_PLAIN)
            continue;
        int tw = in_layout(&b, t, NN_PLAIN);
        /* swap ids so that the plain twin carries the output's id */
        for (int s = 0; s < p->nsteps; s++) {
            struct nn_step *st = &p->steps[s];
            for (int k = 0; k < st->nout; k++)
                if (st->out[k] == t)
                    st->out[k] = tw;
                else if (st->out[k] == tw)
                    st->out[k] = t;
            for (int k = 0; k < st->nin; k++)
                if (st->in[k] == t)
                    st->in[k] = tw;
                else if (st->in[k] == tw)
                    st->in[k] = t;
        }
        p->layout[tw] = NN_NHWC;
        p->layout[t] = NN_PLAIN;
    }
    free(b.conv_of);
    p->ntensors = m->ntensors;
    p->off = lc_malloc(sizeof(size_t) * (size_t)m->ntensors);
    plan_offsets(m, p);
    (void)d;
    return 0;
}
