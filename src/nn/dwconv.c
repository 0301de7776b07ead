/* src/nn/dwconv.c - depthwise convolution and max pooling in NHWC with
 * AVX-512 (see dwconv.h). Both slide a window over each channel on its
 * own; pooling takes the max of the taps inside the image (padding never
 * wins, as ONNX defines) where the convolution sums tap times weight.
 *
 * Weights are repacked to [tap][channel] with the channels padded to a
 * multiple of 16, so one vector load gives one tap for sixteen channels.
 * An output row splits into edge pixels, whose window leaves the image on
 * the left or right, and interior pixels, whose every column tap is inside:
 * the interior goes eight pixels at a time with eight independent
 * accumulators (one chain of dependent FMAs would stall on FMA latency),
 * the rest one pixel at a time across all channel blocks. Rows whose
 * window leaves the image at the top or bottom just skip those taps.
 * A small padded input (at most PAD_MAX bytes with its borders) is first
 * copied into a buffer whose borders hold what a padded tap adds (0, or
 * -FLT_MAX for pooling), so that every pixel takes the interior path: the
 * eye model's 20x20 layers have two edge pixels in every row of twenty.
 */
#include <float.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/dwconv.h"
#include "nn/vec.h"

#define VL 16 /* floats per vector */
#define PAD_MAX (128 * 1024) /* bytes of a padded copy: an L2-resident image */

struct nn_dw {
    const float *x;
    float *y;
    int n, h, w, c, oh, ow;
    int kh, kw, sh, sw, dh, dw, pt, pl;
    int cb;         /* channel blocks of VL */
    int cp;         /* c rounded up to VL */
    uint16_t tail;  /* lane mask of the last block */
    int ox_lo, ox_hi; /* interior output columns [ox_lo, ox_hi) */
    bool relu;
    bool pool;      /* MaxPool: no weights, bias = -FLT_MAX */
    /* Small inputs run on a padded copy (pad, h x w with the borders set
     * once), which makes every output pixel interior; h0, w0, pt0, pl0 are
     * then the input's own geometry. */
    float *pad;
    int h0, w0, pt0, pl0;
    float *wt;      /* [kh*kw][cp] */
    float *bias;    /* [cp] */
};

static _Atomic bool enabled = true; /* set by tests before sessions */

void nn_dw_set_enabled(bool on)
{
    enabled = on;
}

bool nn_dw_available(void)
{
    return enabled && nn_vec_has_avx512();
}

void nn_dw_free(struct nn_dw *k)
{
    if (k == NULL)
        return;
    free(k->wt);
    free(k->bias);
    free(k->pad);
    free(k);
}

struct nn_dw *nn_dw_new(const struct nn_model *m, const struct nn_node *n,
                        const struct nn_step *st, const float *x, float *y)
{
    const struct nn_conv_p *p = &n->p.conv;
    const struct nn_shape *xs = &m->t[st->in[0]].shape;
    const struct nn_shape *ys = &m->t[st->out[0]].shape;
    bool pool = strcmp(n->op->name, "MaxPool") == 0;
    if (!nn_dw_available() || xs->rank != 4 || ys->d[1] != xs->d[1] || xs->d[1] < 1 ||
        p->kh > 32)
        return NULL;
    if (!pool && (strcmp(n->op->name, "Conv") != 0 ||
                  m->t[n->in[1]].shape.d[1] != 1 || p->group != xs->d[1]))
        return NULL;
    /* XNNPACK's 3x3 and 5x5 kernels win on narrow rows (measured on the
     * six models: at 8 or fewer output columns with 64+ channels). */
    int taps = p->kh * p->kw;
    bool xnn_window = (p->kh == 3 && p->kw == 3) || (p->kh == 5 && p->kw == 5);
    if (!pool && ys->d[3] < 10 && xnn_window)
        return NULL;
    struct nn_dw *k = lc_calloc(1, sizeof *k);
    k->x = x;
    k->y = y;
    k->n = (int)xs->d[0];
    k->c = (int)xs->d[1];
    k->h = (int)xs->d[2];
    k->w = (int)xs->d[3];
    k->oh = (int)ys->d[2];
    k->ow = (int)ys->d[3];
    k->kh = p->kh;
    k->kw = p->kw;
    k->sh = p->sh;
    k->sw = p->sw;
    k->dh = p->dh;
    k->dw = p->dw;
    k->pt = p->pt;
    k->pl = p->pl;
    k->relu = !pool && p->fused_relu != 0;
    k->pool = pool;
    k->cb = (k->c + VL - 1) / VL;
    k->cp = k->cb * VL;
    int rem = k->c - (k->cb - 1) * VL;
    k->tail = (uint16_t)(rem == VL ? 0xFFFF : (1u << rem) - 1);
    size_t hp = (size_t)k->h + (size_t)p->pt + (size_t)p->pb;
    size_t wp = (size_t)k->w + (size_t)p->pl + (size_t)p->pr;
    size_t pad_bytes = hp * wp * (size_t)k->c * sizeof(float);
    if ((p->pt | p->pb | p->pl | p->pr) != 0 && pad_bytes <= PAD_MAX) {
        k->pad = lc_aligned_alloc(pad_bytes);
        float fill = pool ? -FLT_MAX : 0.0f; /* what a padded tap adds */
        for (size_t i = 0; i < pad_bytes / sizeof(float); i++)
            k->pad[i] = fill;
        k->h0 = k->h;
        k->w0 = k->w;
        k->pt0 = k->pt;
        k->pl0 = k->pl;
        k->h = (int)hp;
        k->w = (int)wp;
        k->pt = k->pl = 0;
    }
    /* interior: pl <= ox*sw and ox*sw - pl + (kw-1)*dw <= w-1 */
    int lo = (k->pl + k->sw - 1) / k->sw;
    int span = k->w - 1 + k->pl - (k->kw - 1) * k->dw;
    int hi = span < 0 ? 0 : span / k->sw + 1;
    k->ox_lo = lo < k->ow ? lo : k->ow;
    k->ox_hi = hi < k->ox_lo ? k->ox_lo : hi > k->ow ? k->ow : hi;
    k->wt = lc_calloc((size_t)taps * (size_t)k->cp, sizeof(float));
    k->bias = lc_calloc((size_t)k->cp, sizeof(float));
    if (pool) {
        for (int c = 0; c < k->cp; c++)
            k->bias[c] = -FLT_MAX; /* the reference kernel's start */
        return k;
    }
    const float *w = m->t[n->in[1]].data; /* ONNX [C, 1, kh, kw] */
    for (int c = 0; c < k->c; c++)
        for (int t = 0; t < taps; t++)
            k->wt[(size_t)t * (size_t)k->cp + (size_t)c] = w[(size_t)(c * taps + t)];
    if (n->nin > 2 && n->in[2] >= 0)
        memcpy(k->bias, m->t[n->in[2]].data, sizeof(float) * (size_t)k->c);
    return k;
}

/* The taps of one output row that fall inside the image. */
struct row_taps {
    int n;
    int ky[32];
    const float *row[32]; /* input row of each tap, at channel 0 */
};

__attribute__((target("avx512f"))) static inline __m512
relu_if(const struct nn_dw *k, __m512 v)
{
    return k->relu ? _mm512_max_ps(v, _mm512_setzero_ps()) : v;
}

/* One tap into an accumulator: max for pooling (a NaN input is skipped,
 * as in the reference kernel: max returns its second operand when one is
 * NaN), multiply-add for the convolution. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
tap(bool pool, __m512 v, __m512 w, __m512 acc)
{
    return pool ? _mm512_max_ps(v, acc) : _mm512_fmadd_ps(v, w, acc);
}

/* Sixteen channels at p: all of them, or the lanes of mk (the tail). */
__attribute__((target("avx512f"), always_inline)) static inline __m512
load(const float *p, __mmask16 mk, bool full)
{
    return full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(mk, p);
}

__attribute__((target("avx512f"), always_inline)) static inline void
store(float *p, __mmask16 mk, bool full, __m512 v)
{
    if (full)
        _mm512_storeu_ps(p, v);
    else
        _mm512_mask_storeu_ps(p, mk, v);
}

/* np (1..8) interior pixels from column ox, one channel block (full: no
 * masked lanes). np and full are constants where this is inlined, so the
 * accumulators live in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void
pxn_block(const struct nn_dw *k, const struct row_taps *rt, int ox, int b,
          float *yrow, bool full, int np, bool pool)
{
    size_t C = (size_t)k->c, step = (size_t)k->sw * C, off = (size_t)b * VL;
    __mmask16 mk = k->tail;
    __m512 a[8];
#pragma GCC unroll 8
    for (int j = 0; j < np; j++)
        a[j] = _mm512_loadu_ps(k->bias + off);
    for (int r = 0; r < rt->n; r++) {
        const float *wrow = k->wt + (size_t)(rt->ky[r] * k->kw) * (size_t)k->cp + off;
        const float *base = rt->row[r] + (size_t)(ox * k->sw - k->pl) * C + off;
        for (int kx = 0; kx < k->kw; kx++) {
            __m512 wv = _mm512_loadu_ps(wrow + (size_t)kx * (size_t)k->cp);
            const float *q = base + (size_t)(kx * k->dw) * C;
#pragma GCC unroll 8
            for (int j = 0; j < np; j++)
                a[j] = tap(pool, load(q + (size_t)j * step, mk, full), wv, a[j]);
        }
    }
    float *o = yrow + (size_t)ox * C + off;
#pragma GCC unroll 8
    for (int j = 0; j < np; j++)
        store(o + (size_t)j * C, mk, full, relu_if(k, a[j]));
}

/* np interior pixels from column ox, every channel block. */
#define PXN(np, pool, name)                                                  \
    __attribute__((target("avx512f"))) static void name(                     \
        const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow) \
    {                                                                        \
        int b = 0;                                                           \
        for (; b < k->cb - 1; b++)                                           \
            pxn_block(k, rt, ox, b, yrow, true, np, pool);                   \
        if (k->tail == 0xFFFF)                                               \
            pxn_block(k, rt, ox, b, yrow, true, np, pool);                   \
        else                                                                 \
            pxn_block(k, rt, ox, b, yrow, false, np, pool);                  \
    }
PXN(8, false, conv8)
PXN(4, false, conv4)
PXN(2, false, conv2)
PXN(8, true, pool8)
PXN(4, true, pool4)
PXN(2, true, pool2)

/* One pixel at column ox, nb (1..4) channel blocks from block b, column
 * taps [kx0, kx1) (the ones inside the image). */
__attribute__((target("avx512f"), always_inline)) static inline void
p1_blocks(const struct nn_dw *k, const struct row_taps *rt, int ox, int b,
          float *yrow, int kx0, int kx1, bool full, int nb, bool pool)
{
    size_t C = (size_t)k->c, cp = (size_t)k->cp, off = (size_t)b * VL;
    __mmask16 mk = k->tail;
    __m512 a[4];
#pragma GCC unroll 4
    for (int j = 0; j < nb; j++)
        a[j] = _mm512_loadu_ps(k->bias + off + (size_t)j * VL);
    for (int r = 0; r < rt->n; r++) {
        const float *wrow = k->wt + (size_t)(rt->ky[r] * k->kw) * cp + off;
        for (int kx = kx0; kx < kx1; kx++) {
            int ix = ox * k->sw - k->pl + kx * k->dw;
            const float *q = rt->row[r] + (size_t)ix * C + off;
            const float *w = wrow + (size_t)kx * cp;
#pragma GCC unroll 4
            for (int j = 0; j < nb; j++)
                a[j] = tap(pool, load(q + (size_t)j * VL, mk, full),
                           _mm512_loadu_ps(w + (size_t)j * VL), a[j]);
        }
    }
    float *o = yrow + (size_t)ox * C + off;
#pragma GCC unroll 4
    for (int j = 0; j < nb; j++)
        store(o + (size_t)j * VL, mk, full, relu_if(k, a[j]));
}

/* One pixel at column ox (edge or not), every channel block. */
__attribute__((target("avx512f"), always_inline)) static inline void
p1(const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow,
   bool pool)
{
    int kx0 = 0, kx1 = k->kw;
    while (kx0 < kx1 && ox * k->sw - k->pl + kx0 * k->dw < 0)
        kx0++;
    while (kx1 > kx0 && ox * k->sw - k->pl + (kx1 - 1) * k->dw >= k->w)
        kx1--;
    int full = k->tail == 0xFFFF ? k->cb : k->cb - 1, b = 0;
    for (; b + 4 <= full; b += 4)
        p1_blocks(k, rt, ox, b, yrow, kx0, kx1, true, 4, pool);
    for (; b < full; b++)
        p1_blocks(k, rt, ox, b, yrow, kx0, kx1, true, 1, pool);
    if (b < k->cb)
        p1_blocks(k, rt, ox, b, yrow, kx0, kx1, false, 1, pool);
}

__attribute__((target("avx512f"))) static void
px1(const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow)
{
    if (k->pool)
        p1(k, rt, ox, yrow, true);
    else
        p1(k, rt, ox, yrow, false);
}

__attribute__((target("avx512f"))) static void
px8(const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow)
{
    (k->pool ? pool8 : conv8)(k, rt, ox, yrow);
}

__attribute__((target("avx512f"))) static void
px4(const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow)
{
    (k->pool ? pool4 : conv4)(k, rt, ox, yrow);
}

__attribute__((target("avx512f"))) static void
px2(const struct nn_dw *k, const struct row_taps *rt, int ox, float *yrow)
{
    (k->pool ? pool2 : conv2)(k, rt, ox, yrow);
}

void nn_dw_run(struct nn_dw *k)
{
    size_t C = (size_t)k->c;
    size_t img = (size_t)(k->pad ? k->h0 * k->w0 : k->h * k->w) * C;
    for (int n = 0; n < k->n; n++) {
        const float *xn = k->x + (size_t)n * img;
        float *yn = k->y + (size_t)n * (size_t)(k->oh * k->ow) * C;
        if (k->pad) { /* the image into the padded copy's interior */
            size_t row = (size_t)k->w0 * C;
            for (int iy = 0; iy < k->h0; iy++)
                memcpy(k->pad + ((size_t)(iy + k->pt0) * (size_t)k->w + (size_t)k->pl0) * C,
                       xn + (size_t)iy * row, row * sizeof(float));
            xn = k->pad;
        }
        for (int oy = 0; oy < k->oh; oy++) {
            struct row_taps rt;
            rt.n = 0;
            for (int ky = 0; ky < k->kh && rt.n < 32; ky++) {
                int iy = oy * k->sh - k->pt + ky * k->dh;
                if (iy < 0 || iy >= k->h)
                    continue;
                rt.ky[rt.n] = ky;
                rt.row[rt.n++] = xn + (size_t)iy * (size_t)k->w * C;
            }
            float *yrow = yn + (size_t)oy * (size_t)k->ow * C;
            int ox = 0;
            for (; ox < k->ox_lo; ox++)
                px1(k, &rt, ox, yrow);
            for (; ox + 8 <= k->ox_hi; ox += 8)
                px8(k, &rt, ox, yrow);
            if (ox + 4 <= k->ox_hi) {
                px4(k, &rt, ox, yrow);
                ox += 4;
            }
            if (ox + 2 <= k->ox_hi) {
                px2(k, &rt, ox, yrow);
                ox += 2;
            }
            for (; ox < k->ow; ox++)
                px1(k, &rt, ox, yrow);
        }
    }
}
