/* src/nn/vec.c - vector kernels for elementwise work (see vec.h). */
#include <immintrin.h>
#include <math.h>

#include "nn/vec.h"

bool nn_vec_has_avx512(void)
{
    static _Atomic int has = -1; /* asked once: kernels ask per call */
    int v = has;
    if (v < 0) {
        __builtin_cpu_init();
        has = v = __builtin_cpu_supports("avx512f") != 0;
    }
    return v != 0;
}

/* e^x = 2^k * e^r with k = round(x / ln 2) and |r| <= ln(2)/2, where e^r
 * is its Taylor polynomial of degree 7 (truncation error below 2e-8
 * relative) and 2^k is applied by vscalefps, which saturates to inf and 0
 * where expf overflows and underflows. ln 2 is split in two so that r is
 * exact to float precision. */
__attribute__((target("avx512f"))) static __m512 exp16(__m512 x)
{
    const __m512 log2e = _mm512_set1_ps(1.44269504f);
    const __m512 ln2_hi = _mm512_set1_ps(0.693359375f);
    const __m512 ln2_lo = _mm512_set1_ps(-2.12194440e-4f);
    /* NaN passes: min and max return their second operand when one is NaN */
    x = _mm512_max_ps(_mm512_set1_ps(-104.0f), _mm512_min_ps(_mm512_set1_ps(88.8f), x));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, log2e),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, ln2_hi, x);
    r = _mm512_fnmadd_ps(k, ln2_lo, r);
    __m512 p = _mm512_set1_ps(1.0f / 5040);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, k);
}

__attribute__((target("avx512f"))) static void exp_avx512(const float *x, float *y,
                                                          size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, exp16(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, m, exp16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

void nn_vec_exp(const float *x, float *y, size_t n)
{
    if (nn_vec_has_avx512()) {
        exp_avx512(x, y, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = expf(x[i]);
}

/* Sixteen pixels at a time: two two-source permutes per output vector,
 * first channels 0 and 1, then channel 2 into the lanes left for it. */
__attribute__((target("avx512f"))) static size_t
interleave3_avx512(const float *p0, const float *p1, const float *p2, float *y,
                   size_t hw)
{
    __m512i ab[3], abc[3];
    for (int k = 0; k < 3; k++) {
        int ia[16], ic[16];
        for (int j = 0; j < 16; j++) {
            int e = 16 * k + j, p = e / 3, c = e % 3;
            ia[j] = c == 1 ? 16 + p : p; /* channel 0 or 1 of pixel p */
            ic[j] = c == 2 ? 16 + p : j; /* channel 2, or keep lane j */
        }
        ab[k] = _mm512_loadu_si512(ia);
        abc[k] = _mm512_loadu_si512(ic);
    }
    size_t i = 0;
    for (; i + 16 <= hw; i += 16) {
        __m512 a = _mm512_loadu_ps(p0 + i), b = _mm512_loadu_ps(p1 + i);
        __m512 c = _mm512_loadu_ps(p2 + i);
        for (int k = 0; k < 3; k++) {
            __m512 t = _mm512_permutex2var_ps(a, ab[k], b);
            _mm512_storeu_ps(y + 3 * i + 16 * (size_t)k,
                             _mm512_permutex2var_ps(t, abc[k], c));
        }
    }
    return i;
}

void nn_vec_interleave3(const float *p0, const float *p1, const float *p2,
                        float *y, size_t hw)
{
    size_t i = nn_vec_has_avx512() ? interleave3_avx512(p0, p1, p2, y, hw) : 0;
    for (; i < hw; i++) {
        y[3 * i] = p0[i];
        y[3 * i + 1] = p1[i];
        y[3 * i + 2] = p2[i];
    }
}

__attribute__((target("avx512f"))) static void
interleave2_avx512(const float *a, const float *b, float *y, size_t n)
{
    const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2,
                                        17, 1, 16, 0);
    const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11,
                                        26, 10, 25, 9, 24, 8);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 va = _mm512_loadu_ps(a + i), vb = _mm512_loadu_ps(b + i);
        _mm512_storeu_ps(y + 2 * i, _mm512_permutex2var_ps(va, lo, vb));
        _mm512_storeu_ps(y + 2 * i + 16, _mm512_permutex2var_ps(va, hi, vb));
    }
    if (i < n) { /* r < 16 pairs left: 2r lanes over the two stores */
        size_t r = n - i;
        __mmask16 in = (__mmask16)((1u << r) - 1);
        __mmask16 out0 = r >= 8 ? 0xFFFF : (__mmask16)((1u << (2 * r)) - 1);
        __mmask16 out1 = r > 8 ? (__mmask16)((1u << (2 * (r - 8))) - 1) : 0;
        __m512 va = _mm512_maskz_loadu_ps(in, a + i), vb = _mm512_maskz_loadu_ps(in, b + i);
        _mm512_mask_storeu_ps(y + 2 * i, out0, _mm512_permutex2var_ps(va, lo, vb));
        _mm512_mask_storeu_ps(y + 2 * i + 16, out1, _mm512_permutex2var_ps(va, hi, vb));
    }
}

void nn_vec_interleave2(const float *a, const float *b, float *y, size_t n)
{
    if (nn_vec_has_avx512()) {
        interleave2_avx512(a, b, y, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        y[2 * i] = a[i];
        y[2 * i + 1] = b[i];
    }
}
