/* src/nn/ops/ops_int.h - helpers shared by the op files. */
#ifndef LC_NN_OPS_INT_H
#define LC_NN_OPS_INT_H

#include "nn/nn_int.h"

#define X_IN(c, st, i) ((const float *)(c)->ptr[(st)->in[i]])
#define X_OUT(c, st, i) ((float *)(c)->ptr[(st)->out[i]])
#define T_IN(c, st, i) (&(c)->m->t[(st)->in[i]])
#define T_OUT(c, st, i) (&(c)->m->t[(st)->out[i]])

/* Output 0 gets the shape and dtype of input 0. */
int nn_shape_same(struct nn_model *m, struct nn_node *n, struct lc_diag *d);

/* Normalise a possibly negative axis for rank r; -1 if out of range. */
static inline int nn_axis(int64_t axis, int r)
{
    if (axis < 0)
        axis += r;
    return axis >= 0 && axis < r ? (int)axis : -1;
}

const struct nn_op *nn_op_at(int i);

#endif
