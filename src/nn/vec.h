/* src/nn/vec.h - vector kernels for the fast plan's elementwise work
 * (nn-private): AVX-512 where the CPU has it (chosen at run time), plain C
 * otherwise. The reference kernels never call these: they stay the plain
 * definitions that the fast plan is tested against.
 */
#ifndef LC_NN_VEC_H
#define LC_NN_VEC_H

#include <stdbool.h>
#include <stddef.h>

/* Does the CPU have AVX-512F (the vector paths of this file and dwconv.c)? */
bool nn_vec_has_avx512(void);

/* y[i] = e^x[i] for n floats (x and y may be the same array). Within 2
 * ulp of expf over float's range; overflow gives +inf, underflow 0. */
void nn_vec_exp(const float *x, float *y, size_t n);

/* Interleave three planes of hw floats into hw pixels of three channels:
 * y[3i + c] = plane c [i] (the usual RGB input going from NCHW to NHWC). */
void nn_vec_interleave3(const float *p0, const float *p1, const float *p2,
                        float *y, size_t hw);

/* Interleave two runs of n floats: y[2i] = a[i], y[2i + 1] = b[i]. */
void nn_vec_interleave2(const float *a, const float *b, float *y, size_t n);

#endif
