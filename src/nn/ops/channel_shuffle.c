/* src/nn/ops/channel_shuffle.c - lc.ChannelShuffle, livecheck's own op.
 *
 * ShuffleNet writes a channel shuffle as Reshape [N,C,H,W] -> [N,g,C/g,H,W],
 * Transpose perm (0,2,1,3,4), Reshape back to [N,C,H,W]. fuse.c replaces
 * that chain by this node (p.nsplit = g), which XNNPACK runs in NHWC as one
 * operator; output channel j*g + i takes input channel i*(C/g) + j. */
#include <string.h>

#include "nn/ops/ops_int.h"

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_shape *s = &T_IN(c, st, 0)->shape;
    size_t N = (size_t)s->d[0], C = (size_t)s->d[1];
    size_t HW = (size_t)(s->d[2] * s->d[3]), g = (size_t)n->p.nsplit;
    size_t gc = C / g;
    const float *x = X_IN(c, st, 0);
    float *y = X_OUT(c, st, 0);
    for (size_t b = 0; b < N; b++)
        for (size_t i = 0; i < g; i++)
            for (size_t j = 0; j < gc; j++)
                memcpy(y + (b * C + j * g + i) * HW, x + (b * C + i * gc + j) * HW,
                       HW * sizeof(float));
}

const struct nn_op nn_op_channel_shuffle = {
    .name = "lc.ChannelShuffle", .min_in = 1, .max_in = 1, .nout_max = 1,
    .shape = nn_shape_same, .run = run};
