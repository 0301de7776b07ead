/* src/nn/ops/concat_shuffle.c - lc.ConcatShuffle, livecheck's own op.
 *
 * A ShuffleNetV2 unit ends with Concat(a, b) on channels, a channel shuffle
 * of two groups and (but for the last unit) a Split into two halves: three
 * passes over the activations that only move them. fuse.c replaces the
 * chain by this node, which moves each value once. With a and b of C
 * channels each, the shuffled tensor's channel 2i + j is channel i of
 * (a, b)[j]; one output holds all 2C channels, two outputs hold its halves.
 *
 * The reference kernel copies planes (NCHW); the fast plan's kernel works
 * in NHWC, interleaving each pixel's channel runs with nn_vec_interleave2.
 */
#include <string.h>

#include "nn/ops/ops_int.h"
#include "nn/vec.h"

static int shape(struct nn_model *m, struct nn_node *n, struct lc_diag *d)
{
    const struct nn_shape *a = &IN_T(m, n, 0)->shape, *b = &IN_T(m, n, 1)->shape;
    if (a->rank != 4 || !nn_shape_eq(a, b) || n->nout > 2)
        return lc_diag_set(d, LC_EFORMAT, "lc.ConcatShuffle: shapes");
    for (int k = 0; k < n->nout; k++) {
        struct nn_tensor *y = OUT_T(m, n, k);
        y->shape = *a;
        y->shape.d[1] = 2 * a->d[1] / n->nout;
        y->dtype = NN_F32;
    }
    return 0;
}

static void run(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c)
{
    const struct nn_shape *s = &T_IN(c, st, 0)->shape;
    size_t N = (size_t)s->d[0], C = (size_t)s->d[1];
    size_t HW = (size_t)(s->d[2] * s->d[3]), oc = 2 * C / (size_t)st->nout;
    for (size_t bt = 0; bt < N; bt++)
        for (size_t o = 0; o < 2 * C; o++) {
            const float *src = X_IN(c, st, o & 1) + (bt * C + o / 2) * HW;
            float *y = X_OUT(c, st, o / oc) + (bt * oc + o % oc) * HW;
            memcpy(y, src, HW * sizeof(float));
        }
}

static void run_fast(const struct nn_node *n, const struct nn_step *st,
                     struct nn_exec_ctx *c)
{
    const struct nn_shape *s = &T_IN(c, st, 0)->shape;
    size_t C = (size_t)s->d[1], P = (size_t)(s->d[0] * s->d[2] * s->d[3]);
    size_t no = (size_t)st->nout, oc = 2 * C / no, run = oc / 2;
    const float *a = X_IN(c, st, 0), *b = X_IN(c, st, 1);
    for (size_t p = 0; p < P; p++)
        for (size_t t = 0; t < no; t++) {
            float *y = X_OUT(c, st, t) + p * oc;
            if (oc % 2 == 0) { /* output t interleaves channels [t*run, +run) */
                nn_vec_interleave2(a + p * C + t * run, b + p * C + t * run, y, run);
                continue;
            }
            for (size_t k = 0; k < oc; k++) { /* odd C: the halves split a pair */
                size_t o = t * oc + k;
                y[k] = ((o & 1) ? b : a)[p * C + o / 2];
            }
        }
}

const struct nn_op nn_op_concat_shuffle = {
    .name = "lc.ConcatShuffle", .min_in = 2, .max_in = 2, .nout_max = 2,
    .shape = shape, .run = run, .run_fast = run_fast, .fast_nhwc = true};
