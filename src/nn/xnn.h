/* src/nn/xnn.h - the XNNPACK fast path (nn-private).
 *
 * The plan builder asks, per node, whether XNNPACK runs it and in which
 * layout it wants its 4-D tensors. A session then creates one XNNPACK
 * operator per fast step, bound once to the session's arena, so a run is
 * a sequence of xnn_run_operator calls with no setup and no allocation.
 */
#ifndef LC_NN_XNN_H
#define LC_NN_XNN_H

#include "nn/nn_int.h"

/* Does the fast path run node n through XNNPACK? */
bool nn_xnn_supports(const struct nn_model *m, const struct nn_node *n);

/* The layout node n wants for its 4-D inputs and outputs in the fast plan
 * (layout[] is the layout of each tensor so far). Nodes XNNPACK does not
 * run get NN_PLAIN unless their kernel ignores layout (elementwise on a
 * flat array), in which case they follow their first input. */
enum nn_layout nn_xnn_layout(const struct nn_model *m, const struct nn_node *n,
                             const uint8_t *layout);

/* The layout of node n's 4-D outputs when its inputs are in layout in
 * (the same, except for ops whose output is plain by construction). */
enum nn_layout nn_xnn_out_layout(const struct nn_model *m,
                                 const struct nn_node *n, enum nn_layout in);

/* Operators of one fast step (several for Concat/Split), or livecheck's
 * own depthwise kernel (nn/dwconv.h) where the CPU runs it. */
struct nn_dw;
struct nn_xnn_step {
    int nops;
    void *ops[NN_MAX_IO];
    struct nn_dw *dw;
};

/* Create and set up the operators of step st, bound to the tensor data in
 * c->ptr. Returns 0, or a negative code if XNNPACK refuses (the session
 * then runs the step's reference kernel instead). */
int nn_xnn_step_create(const struct nn_model *m, const struct nn_step *st,
                       struct nn_exec_ctx *c, struct nn_xnn_step *xs);
/* Was the step set up (it then runs through nn_xnn_step_run)? */
bool nn_xnn_step_ready(const struct nn_xnn_step *xs);
void nn_xnn_step_run(const struct nn_xnn_step *xs);
void nn_xnn_step_release(struct nn_xnn_step *xs);

#endif
