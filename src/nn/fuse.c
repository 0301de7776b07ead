/* src/nn/fuse.c - rewrites that keep the graph's meaning and make it
 * cheaper to run, applied after folding (both plans see them):
 *   - Conv followed by its only consumer Relu: the Relu becomes the conv's
 *     output clamp (p.fused_relu).
 *   - Reshape -> Transpose(0,2,1,3,4) -> Reshape around a 4-D tensor (the
 *     ShuffleNet channel shuffle) becomes one lc.ChannelShuffle node.
 *   - Concat of two equal 4-D tensors on channels -> lc.ChannelShuffle of
 *     two groups [-> Split into two halves] (the end of a ShuffleNetV2
 *     unit) becomes one lc.ConcatShuffle node.
 */
#include <string.h>

#include "nn/nn_int.h"

/* The only live node reading tensor t, or -1 (also -1 when t is a graph
 * output or has several readers). */
static int sole_reader(const struct nn_model *m, int t)
{
    int who = -1;
    if (m->t[t].is_output)
        return -1;
    for (int i = 0; i < m->nnodes; i++) {
        const struct nn_node *n = &m->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] == t) {
                if (who >= 0 && who != i)
                    return -1;
                who = i;
            }
    }
    return who;
}

static bool op_is(const struct nn_node *n, const char *name)
{
    return strcmp(n->op->name, name) == 0;
}

static void fuse_relu(struct nn_model *m, struct nn_node *conv)
{
    int r = sole_reader(m, conv->out[0]);
    if (r < 0 || !op_is(&m->nodes[r], "Relu"))
        return;
    conv->p.conv.fused_relu = 1;
    conv->out[0] = m->nodes[r].out[0];
    m->nodes[r].dead = true;
}

static void fuse_shuffle(struct nn_model *m, struct nn_node *r1)
{
    const struct nn_shape *x = &m->t[r1->in[0]].shape;
    const struct nn_shape *y1 = &m->t[r1->out[0]].shape;
    if (x->rank != 4 || y1->rank != 5 || y1->d[0] != x->d[0] ||
        y1->d[1] * y1->d[2] != x->d[1] || y1->d[3] != x->d[2] || y1->d[4] != x->d[3])
        return;
    int ti = sole_reader(m, r1->out[0]);
    if (ti < 0 || !op_is(&m->nodes[ti], "Transpose"))
        return;
    struct nn_node *tr = &m->nodes[ti];
    static const int want[5] = {0, 2, 1, 3, 4};
    if (memcmp(tr->p.perm, want, sizeof want) != 0)
        return;
    int r2i = sole_reader(m, tr->out[0]);
    if (r2i < 0 || !op_is(&m->nodes[r2i], "Reshape"))
        return;
    struct nn_node *r2 = &m->nodes[r2i];
    if (!nn_shape_eq(&m->t[r2->out[0]].shape, x))
        return;
    /* r1 becomes the shuffle; the transpose and second reshape go. */
    r1->op = nn_op_find("lc.ChannelShuffle");
    r1->p.nsplit = (int)y1->d[1];
    r1->nin = 1;
    r1->out[0] = r2->out[0];
    tr->dead = true;
    r2->dead = true;
}

static void fuse_concat_shuffle(struct nn_model *m, struct nn_node *cat)
{
    if (cat->nin != 2 || cat->p.axis != 1 || m->t[cat->out[0]].shape.rank != 4 ||
        m->t[cat->out[0]].dtype != NN_F32 ||
        !nn_shape_eq(&m->t[cat->in[0]].shape, &m->t[cat->in[1]].shape) ||
        m->t[cat->in[0]].is_const || m->t[cat->in[1]].is_const)
        return;
    int si = sole_reader(m, cat->out[0]);
    if (si < 0 || !op_is(&m->nodes[si], "lc.ChannelShuffle") ||
        m->nodes[si].p.nsplit != 2)
        return;
    struct nn_node *sh = &m->nodes[si];
    cat->op = nn_op_find("lc.ConcatShuffle");
    cat->nout = 1;
    cat->out[0] = sh->out[0];
    sh->dead = true;
    int pi = sole_reader(m, sh->out[0]);
    if (pi < 0 || !op_is(&m->nodes[pi], "Split"))
        return;
    struct nn_node *sp = &m->nodes[pi];
    int64_t C = m->t[cat->in[0]].shape.d[1];
    if (sp->nout != 2 || sp->p.axis != 1 || sp->p.split[0] != C || sp->p.split[1] != C)
        return;
    cat->nout = 2;
    cat->out[0] = sp->out[0];
    cat->out[1] = sp->out[1];
    sp->dead = true;
}

void nn_graph_fuse(struct nn_model *m)
{
    for (int i = 0; i < m->nnodes; i++) {
        struct nn_node *n = &m->nodes[i];
        if (n->dead)
            continue;
        if (op_is(n, "Conv"))
            fuse_relu(m, n);
        else if (op_is(n, "Reshape"))
            fuse_shuffle(m, n);
    }
    for (int i = 0; i < m->nnodes; i++) /* after every shuffle is fused */
        if (!m->nodes[i].dead && op_is(&m->nodes[i], "Concat"))
            fuse_concat_shuffle(m, &m->nodes[i]);
}
