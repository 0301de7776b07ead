/* src/nn/dwconv.h - livecheck's own per-channel window kernel for the fast
 * plan (nn-private): depthwise convolution and max pooling.
 *
 * XNNPACK's depthwise kernels lose time on wide, shallow activations (the
 * detector's 16-channel 120x160 layer runs at a third of the memory speed)
 * and on window sizes it has no unipass kernel for (the landmark model's
 * 4x4 depthwise falls back to one GEMM per channel). This kernel runs any
 * depthwise Conv (group == input channels == output channels) in NHWC with
 * AVX-512: sixteen channels per vector, eight output pixels in flight in
 * the interior of a row, masked loads for a channel tail. MaxPool runs
 * on the same loops with max in place of multiply-add (XNNPACK's took 37 us
 * on the pose model's 24-channel 112x112 layer, this one 29 us).
 *
 * It exists only where the CPU has AVX-512F; elsewhere nn_dw_new returns
 * NULL and the plan keeps XNNPACK's kernel. Bias and taps are summed in
 * (ky, kx) order with fused multiply-adds, so results differ from the
 * reference kernel only by rounding (for finite weights: a padded tap
 * adds 0 * w, where the reference skips it).
 */
#ifndef LC_NN_DWCONV_H
#define LC_NN_DWCONV_H

#include "nn/nn_int.h"

struct nn_dw;

/* Does the CPU run this kernel (and is it enabled)? */
bool nn_dw_available(void);
/* Let sessions created from now on use the kernel (the default) or leave
 * every depthwise Conv and MaxPool to XNNPACK: tests run both paths on one
 * machine. */
void nn_dw_set_enabled(bool on);

/* A kernel for node n (a MaxPool, or a Conv whose every group has one
 * input and one output channel) reading x and writing y, both NHWC of the
 * step's shapes; the weights are repacked, so the model may go first.
 * NULL when nn_dw_available() is false, n is neither, its window
 * is over 32 rows high, or XNNPACK is the faster: a 3x3 or 5x5 window
 * over fewer than 10 output columns. */
struct nn_dw *nn_dw_new(const struct nn_model *m, const struct nn_node *n,
                        const struct nn_step *st, const float *x, float *y);
/* Run the kernel: it writes its padded copy, so each session owns its own. */
void nn_dw_run(struct nn_dw *k);
void nn_dw_free(struct nn_dw *k);

#endif
