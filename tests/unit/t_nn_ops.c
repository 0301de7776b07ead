/* tests/unit/t_nn_ops.c - the ONNX runtime, op by op.
 *
 * Models are built in memory with onnx_build.h, so every expected value
 * here is derived by hand from the ONNX operator definitions, not from the
 * code under test:
 *   nn_ref_*   each op of src/nn/ops/ops.def on small inputs with known
 *              outputs (both execution modes are held to the same values),
 *              load-time folding (BatchNormalization, Shape chains) and the
 *              fuse.c rewrites;
 *   nn_fast_*  the XNNPACK plan against the C reference plan on seeded
 *              random inputs and weights, op by op and in small chains, over
 *              odd sizes, strides, dilations, asymmetric pads and groups;
 *   nn_err_*   what a bad or unsupported model gives: the error code, a diag
 *              naming the culprit, and no crash;
 *   nn_fuzz_*  the seeds of fuzz/fuzz_onnx.c stay valid models.
 */
#include "test.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/nn.h"
#include "nn/dwconv.h"
#include "nn/vec.h"
#include "onnx_build.h"

#define D(...) ((const int64_t[]){__VA_ARGS__})
#define F(...) ((const float[]){__VA_ARGS__})
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---------------------------------------------------------- */

/* Serialise and load b; *rc gets the load's result. */
static nn_model *load_ob(struct ob *b, int *rc, struct lc_diag *d)
{
    size_t n;
    uint8_t *buf = ob_finish(b, &n);
    nn_model *m = NULL;
    *rc = nn_model_load_buffer(&m, buf, n, d);
    free(buf);
    return m;
}

/* Declare nn_model *m loaded from builder b, or fail the test. */
#define LOAD(m, b)                                                          \
    nn_model *m;                                                            \
    do {                                                                    \
        struct lc_diag d_ = {{0}};                                          \
        int rc_;                                                            \
        m = load_ob(b, &rc_, &d_);                                          \
        if (rc_ != 0 || m == NULL) {                                        \
            test_fail(__FILE__, __LINE__, "load failed (%d): %s", rc_,      \
                      d_.msg);                                              \
            return;                                                         \
        }                                                                   \
    } while (0)

/* Load b expecting failure with `code` and a diag containing `needle`;
 * false with msg filled otherwise. */
static bool load_fails(struct ob *b, int code, const char *needle, char *msg,
                       size_t msz)
{
    struct lc_diag d = {{0}};
    int rc;
    nn_model *m = load_ob(b, &rc, &d);
    if (m == NULL && rc == code && strstr(d.msg, needle) != NULL)
        return true;
    snprintf(msg, msz, "load gave %d \"%s\", want %d naming \"%s\"", rc,
             d.msg, code, needle);
    nn_model_free(m);
    return false;
}

#define LOAD_FAILS(b, code, needle)                                         \
    do {                                                                    \
        char msg_[400];                                                     \
        if (!load_fails(b, code, needle, msg_, sizeof msg_)) {              \
            test_fail(__FILE__, __LINE__, "%s", msg_);                      \
            return;                                                         \
        }                                                                   \
    } while (0)

static bool shape_is(const struct nn_shape *s, int rank, const int64_t *d)
{
    if (s->rank != rank)
        return false;
    for (int i = 0; i < rank; i++)
        if (s->d[i] != d[i])
            return false;
    return true;
}

static void shape_str(const struct nn_shape *s, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < s->rank && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ",%lld" : "%lld", (long long)s->d[i]);
    if (k < n)
        snprintf(buf + k, n - k, "]");
}

/* Outputs of one run, copied out of the session. */
struct outs {
    int n;
    struct nn_shape s[8];
    float *v[8];
};

static void outs_free(struct outs *o)
{
    for (int i = 0; i < o->n; i++)
        free(o->v[i]);
    o->n = 0;
}

/* Run m once in mode ex; in[i] fills input i (NULL or a NULL entry: zeros). */
static void run_model(const nn_model *m, enum nn_exec ex, const float *const *in,
                      struct outs *o)
{
    nn_session *s = nn_session_new(m, ex);
    for (int i = 0; i < nn_model_input_count(m); i++) {
        struct nn_shape sh;
        float *x = nn_session_input(s, i, &sh);
        if (in && in[i])
            memcpy(x, in[i], nn_shape_numel(&sh) * sizeof(float));
        else
            memset(x, 0, nn_shape_numel(&sh) * sizeof(float));
    }
    nn_session_run(s);
    o->n = nn_model_output_count(m);
    for (int i = 0; i < o->n; i++) {
        const float *y = nn_session_output(s, i, &o->s[i]);
        size_t k = nn_shape_numel(&o->s[i]);
        o->v[i] = malloc(k * sizeof(float) + 1);
        memcpy(o->v[i], y, k * sizeof(float));
    }
    nn_session_free(s);
}

static const char *exec_name(enum nn_exec ex)
{
    return ex == NN_EXEC_REF ? "ref" : "fast";
}

/* Compare output k of m run in both modes on `in` to the expected shape and
 * values; returns false with msg filled on the first difference. */
static bool expect_out(const nn_model *m, const float *const *in, int k,
                       int rank, const int64_t *dims, const float *want,
                       double tol, char *msg, size_t msz)
{
    for (int e = 0; e < 2; e++) {
        enum nn_exec ex = e ? NN_EXEC_FAST : NN_EXEC_REF;
        struct outs o;
        run_model(m, ex, in, &o);
        bool ok = true;
        if (!shape_is(&o.s[k], rank, dims)) {
            char got[128];
            shape_str(&o.s[k], got, sizeof got);
            snprintf(msg, msz, "%s: output %d has shape %s", exec_name(ex), k, got);
            ok = false;
        }
        for (size_t i = 0; ok && i < nn_shape_numel(&o.s[k]); i++)
            if (!(fabs((double)o.v[k][i] - (double)want[i]) <= tol)) {
                snprintf(msg, msz, "%s: output %d [%zu] = %.9g, want %.9g",
                         exec_name(ex), k, i, (double)o.v[k][i], (double)want[i]);
                ok = false;
            }
        outs_free(&o);
        if (!ok)
            return false;
    }
    return true;
}

/* Output k of model m on inputs in must have shape dims and values want, in
 * both execution modes. */
#define EXPECT_OUT(m, in, k, rank, dims, want, tol)                         \
    do {                                                                    \
        char msg_[256];                                                     \
        if (!expect_out(m, in, k, rank, dims, want, tol, msg_, sizeof msg_)) { \
            test_fail(__FILE__, __LINE__, "%s", msg_);                      \
            nn_model_free(m);                                               \
            return;                                                         \
        }                                                                   \
    } while (0)

#define IN1(x) ((const float *const[]){x})
#define IN2(x, y) ((const float *const[]){x, y})

/* 0, 1, 2, ... n-1 (+ base). */
static float *iota(size_t n, float base)
{
    float *v = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        v[i] = base + (float)i;
    return v;
}

static float *filled(size_t n, float value)
{
    float *v = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        v[i] = value;
    return v;
}

/* Seeded uniform values in [-1, 1) (splitmix64). */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float *randv(uint64_t *s, size_t n)
{
    float *v = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)((double)(rng_next(s) >> 11) / 4503599627370496.0 - 1.0);
    return v;
}

static size_t dims_numel(int rank, const int64_t *d)
{
    size_t k = 1;
    for (int i = 0; i < rank; i++)
        k *= (size_t)d[i];
    return k;
}

/* A random float initializer. */
static void init_rand(struct ob *b, uint64_t *s, const char *name, int rank,
                      const int64_t *dims)
{
    float *v = randv(s, dims_numel(rank, dims));
    ob_init_f32(b, name, rank, dims, v);
    free(v);
}

/* A 1-D int64 initializer. */
static void init_i64s(struct ob *b, const char *name, int n, const int64_t *v)
{
    ob_init_i64(b, name, 1, (int64_t[]){n}, v);
}

/* ---- reference kernels: Conv ----------------------------------------- */

TEST(nn_ref_conv_ones_pad1)
{
    /* 3x3 ones over all-ones input with pad 1: a corner sees 4 inputs, an
     * edge 6, the centre 9, per input channel; plus each output's bias. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 5, 5));
    float *w = filled(3 * 2 * 9, 1.0f);
    ob_init_f32(b, "w", 4, D(3, 2, 3, 3), w);
    ob_init_f32(b, "b", 1, D(3), F(0.5f, -1.0f, 0.0f));
    ob_node(b, "Conv", "x,w,b", "y");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_output(b, "y");
    LOAD(m, b);
    float *x = filled(50, 1.0f), want[75];
    const float bias[3] = {0.5f, -1.0f, 0.0f};
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) {
                int rows = (i == 0 || i == 4) ? 2 : 3, cols = (j == 0 || j == 4) ? 2 : 3;
                want[o * 25 + i * 5 + j] = 2.0f * (float)(rows * cols) + bias[o];
            }
    /* spot-check the table itself: corner 4, edge 6, centre 9 (x2 channels) */
    ASSERT_NEAR(want[0], 8.5, 0);
    ASSERT_NEAR(want[2], 12.5, 0);
    ASSERT_NEAR(want[12], 18.5, 0);
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 3, 5, 5), want, 1e-5);
    nn_model_free(m);
    free(x);
    free(w);
}

TEST(nn_ref_conv_strided)
{
    /* x[i][j] = 5i + j, 3x3 ones, stride 2, no pad: the window at (r, c)
     * sums to 45(r+1) + 9(c+1). */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 5, 5));
    float *w = filled(9, 1.0f);
    ob_init_f32(b, "w", 4, D(1, 1, 3, 3), w);
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_output(b, "y");
    LOAD(m, b);
    float *x = iota(25, 0);
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 1, 2, 2), F(54, 72, 144, 162), 1e-4);
    nn_model_free(m);
    free(x);
    free(w);
}

TEST(nn_ref_conv_dilated)
{
    /* 2x2 ones, dilation 2: taps (0,0) (0,2) (2,0) (2,2); on x = 5i + j the
     * output at (r, c) is 20r + 4c + 24. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 5, 5));
    float *w = filled(4, 1.0f);
    ob_init_f32(b, "w", 4, D(1, 1, 2, 2), w);
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_ints(b, "dilations", 2, D(2, 2));
    ob_output(b, "y");
    LOAD(m, b);
    float *x = iota(25, 0), want[9];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
            want[r * 3 + c] = (float)(20 * r + 4 * c + 24);
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 1, 3, 3), want, 1e-4);
    nn_model_free(m);
    free(x);
    free(w);
}

TEST(nn_ref_conv_asymmetric_pads)
{
    /* 1x1 weight 1 with pads top 1, left 0, bottom 0, right 2 on a 2x2
     * input: the input lands at the bottom-left of a 3x4 map of zeros. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 2, 2));
    ob_init_f32(b, "w", 4, D(1, 1, 1, 1), F(1));
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_ints(b, "pads", 4, D(1, 0, 0, 2));
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(F(1, 2, 3, 4)), 0, 4, D(1, 1, 3, 4),
               F(0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0), 0);
    nn_model_free(m);
}

TEST(nn_ref_conv_grouped)
{
    /* group 2, 1x1: y0 = 1*x0 + 10*x1, y1 = 100*x2 + 1000*x3 with channel k
     * of x holding k+1 everywhere. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 4, 3, 3));
    ob_init_f32(b, "w", 4, D(2, 2, 1, 1), F(1, 10, 100, 1000));
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_int(b, "group", 2);
    ob_output(b, "y");
    LOAD(m, b);
    float x[36], want[18];
    for (int i = 0; i < 36; i++)
        x[i] = (float)(i / 9 + 1);
    for (int i = 0; i < 18; i++)
        want[i] = i < 9 ? 21.0f : 4300.0f;
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 2, 3, 3), want, 1e-3);
    nn_model_free(m);
}

TEST(nn_ref_conv_depthwise)
{
    /* group = channels = 3, 3x3 ones, pad 1; channel c holds c+1: outputs
     * (c+1) * {4 corner, 6 edge, 9 centre}. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 3, 3));
    float *w = filled(27, 1.0f);
    ob_init_f32(b, "w", 4, D(3, 1, 3, 3), w);
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_int(b, "group", 3);
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_output(b, "y");
    LOAD(m, b);
    float x[27], want[27];
    static const float tile[9] = {4, 6, 4, 6, 9, 6, 4, 6, 4};
    for (int i = 0; i < 27; i++) {
        x[i] = (float)(i / 9 + 1);
        want[i] = tile[i % 9] * (float)(i / 9 + 1);
    }
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 3, 3, 3), want, 1e-4);
    nn_model_free(m);
    free(w);
}

TEST(nn_ref_conv_relu_fused)
{
    /* Conv -> Relu becomes one node; negatives clamp to zero. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 1, 4));
    ob_init_f32(b, "w", 4, D(2, 1, 1, 1), F(1, -1));
    ob_init_f32(b, "b", 1, D(2), F(0.5f, 0));
    ob_node(b, "Conv", "x,w,b", "c");
    ob_node(b, "Relu", "c", "y");
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_node_count(m), ==, 2);
    ASSERT_INT(nn_model_run_node_count(m), ==, 1);
    EXPECT_OUT(m, IN1(F(-2, -0.25f, 1, 3)), 0, 4, D(1, 2, 1, 4),
               F(0, 0.25f, 1.5f, 3.5f, 2, 0.25f, 0, 0), 1e-6);
    nn_model_free(m);
}

TEST(nn_ref_conv_relu_not_fused_when_read_twice)
{
    /* The conv output is also a graph output: the Relu must stay. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 1, 3));
    ob_init_f32(b, "w", 4, D(1, 1, 1, 1), F(-1));
    ob_node(b, "Conv", "x,w", "c");
    ob_node(b, "Relu", "c", "y");
    ob_output(b, "y");
    ob_output(b, "c");
    LOAD(m, b);
    ASSERT_INT(nn_model_run_node_count(m), ==, 2);
    EXPECT_OUT(m, IN1(F(1, -2, 3)), 0, 4, D(1, 1, 1, 3), F(0, 2, 0), 0);
    EXPECT_OUT(m, IN1(F(1, -2, 3)), 1, 4, D(1, 1, 1, 3), F(-1, 2, -3), 0);
    nn_model_free(m);
}

/* ---- reference kernels: pooling --------------------------------------- */

TEST(nn_ref_maxpool_padding)
{
    /* x = -1 .. -16 on 4x4; 3x3 stride 2 pad 1. Padding never wins, so the
     * maxima are the top-left cell of each window's valid part. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 4, 4));
    ob_node(b, "MaxPool", "x", "y");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_output(b, "y");
    LOAD(m, b);
    float x[16];
    for (int i = 0; i < 16; i++)
        x[i] = -1.0f - (float)i;
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 1, 2, 2), F(-1, -2, -5, -6), 0);
    nn_model_free(m);
}

TEST(nn_ref_maxpool_plain)
{
    /* 2x2 stride 2 over 0..15 (two channels: second is negated). */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 4, 4));
    ob_node(b, "MaxPool", "x", "y");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_output(b, "y");
    LOAD(m, b);
    float x[32];
    for (int i = 0; i < 16; i++) {
        x[i] = (float)i;
        x[16 + i] = -(float)i;
    }
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 2, 2, 2), F(5, 7, 13, 15, 0, -2, -8, -10), 0);
    nn_model_free(m);
}

TEST(nn_ref_global_avgpool)
{
    /* The mean of 1..N is (N+1)/2. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(2, 2, 3, 5));
    ob_node(b, "GlobalAveragePool", "x", "y");
    ob_output(b, "y");
    LOAD(m, b);
    float x[60];
    for (int p = 0; p < 4; p++)
        for (int i = 0; i < 15; i++)
            x[p * 15 + i] = (float)(i + 1) * (float)(p + 1);
    EXPECT_OUT(m, IN1(x), 0, 4, D(2, 2, 1, 1), F(8, 16, 24, 32), 1e-5);
    nn_model_free(m);
}

/* ---- reference kernels: Gemm, MatMul ---------------------------------- */

/* A = [[1,2,3],[4,5,6]]; B^T = [[1,0,1],[0,1,0]] (B given as [N,K] with
 * transB): A.B = [[4,2],[10,5]]. */
static const float gemm_a[6] = {1, 2, 3, 4, 5, 6};
static const float gemm_bt[6] = {1, 0, 1, 0, 1, 0};

TEST(nn_ref_gemm_transb_bias_row)
{
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 3));
    ob_init_f32(b, "B", 2, D(2, 3), gemm_bt);
    ob_init_f32(b, "C", 1, D(2), F(10, 20));
    ob_node(b, "Gemm", "a,B,C", "y");
    ob_attr_int(b, "transB", 1);
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(gemm_a), 0, 2, D(2, 2), F(14, 22, 20, 25), 1e-5);
    nn_model_free(m);
}

TEST(nn_ref_gemm_bias_column)
{
    /* C of shape [M,1] adds per row, even when M == N. */
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 3));
    ob_init_f32(b, "B", 2, D(2, 3), gemm_bt);
    ob_init_f32(b, "C", 2, D(2, 1), F(100, 200));
    ob_node(b, "Gemm", "a,B,C", "y");
    ob_attr_int(b, "transB", 1);
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(gemm_a), 0, 2, D(2, 2), F(104, 102, 210, 205), 1e-5);
    nn_model_free(m);
}

TEST(nn_ref_gemm_alpha_beta_transa)
{
    /* A given transposed ([K,M] with transA), B as [K,N], C [1,N]:
     * 2 * A.B + 0.5 * C. */
    struct ob *b = ob_new();
    ob_input(b, "at", 2, D(3, 2));
    ob_init_f32(b, "B", 2, D(3, 2), F(1, 0, 0, 1, 1, 0));
    ob_init_f32(b, "C", 2, D(1, 2), F(2, 4));
    ob_node(b, "Gemm", "at,B,C", "y");
    ob_attr_int(b, "transA", 1);
    ob_attr_float(b, "alpha", 2.0f);
    ob_attr_float(b, "beta", 0.5f);
    ob_output(b, "y");
    LOAD(m, b);
    /* at = A^T with A = [[1,2,3],[4,5,6]]: A.B = [[4,2],[10,5]] */
    EXPECT_OUT(m, IN1(F(1, 4, 2, 5, 3, 6)), 0, 2, D(2, 2), F(9, 6, 21, 12), 1e-5);
    nn_model_free(m);
}

TEST(nn_ref_gemm_scalar_bias)
{
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 3));
    ob_init_f32(b, "B", 2, D(2, 3), gemm_bt);
    ob_init_f32(b, "C", 0, NULL, F(-1));
    ob_node(b, "Gemm", "a,B,C", "y");
    ob_attr_int(b, "transB", 1);
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(gemm_a), 0, 2, D(2, 2), F(3, 1, 9, 4), 1e-5);
    nn_model_free(m);
}

TEST(nn_ref_matmul)
{
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 3));
    ob_init_f32(b, "B", 2, D(3, 2), F(1, 0, 0, 1, 1, 0));
    ob_node(b, "MatMul", "a,B", "y");
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(gemm_a), 0, 2, D(2, 2), F(4, 2, 10, 5), 1e-5);
    nn_model_free(m);
}

/* ---- reference kernels: Softmax and elementwise ----------------------- */

TEST(nn_ref_softmax)
{
    /* rows: [0, ln 3] -> [1/4, 3/4]; [ln 1, ln 2, ln 5] shifted by 1000
     * (exp would overflow without the max shift) -> [1/8, 2/8, 5/8]. */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(2, 3));
    ob_node(b, "Softmax", "x", "y");
    ob_output(b, "y");
    LOAD(m, b);
    float x[6] = {0, logf(3), -INFINITY, 1000, 1000 + logf(2), 1000 + logf(5)};
    /* 1000 + ln 2 rounds to a float 3e-5 off: hence the tolerance */
    EXPECT_OUT(m, IN1(x), 0, 2, D(2, 3), F(0.25f, 0.75f, 0, 0.125f, 0.25f, 0.625f), 1e-4);
    nn_model_free(m);
}

TEST(nn_ref_softmax_axis)
{
    /* opset < 13: axis 1 of [2,2,2] normalises over the last 4 values; axis
     * -1 over pairs. */
    for (int ax = 0; ax < 2; ax++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 3, D(2, 2, 2));
        ob_node(b, "Softmax", "x", "y");
        ob_attr_int(b, "axis", ax ? -1 : 1);
        ob_output(b, "y");
        LOAD(m, b);
        float l3 = logf(3);
        float x[8] = {0, 0, 0, 0, 0, l3, l3, l3};
        if (ax == 0)
            EXPECT_OUT(m, IN1(x), 0, 3, D(2, 2, 2),
                       F(.25f, .25f, .25f, .25f, .1f, .3f, .3f, .3f), 1e-6);
        else
            EXPECT_OUT(m, IN1(x), 0, 3, D(2, 2, 2),
                       F(.5f, .5f, .5f, .5f, .25f, .75f, .5f, .5f), 1e-6);
        nn_model_free(m);
    }
}

TEST(nn_ref_unary)
{
    static const char *ops[3] = {"Relu", "Sigmoid", "Exp"};
    float l3 = logf(3), l2 = logf(2);
    float x[5] = {-l3, 0, l3, l2, -2};
    const float want[3][5] = {{0, 0, l3, l2, 0},
                              {0.25f, 0.5f, 0.75f, 2.0f / 3.0f, 1.0f / (1.0f + expf(2))},
                              {1.0f / 3.0f, 1, 3, 2, expf(-2)}};
    for (int k = 0; k < 3; k++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 2, D(1, 5));
        ob_node(b, ops[k], "x", "y");
        ob_output(b, "y");
        LOAD(m, b);
        EXPECT_OUT(m, IN1(x), 0, 2, D(1, 5), want[k], 1e-6);
        nn_model_free(m);
    }
}

TEST(nn_ref_binary_broadcast_channel)
{
    /* x [1,2,2,2] = 1..8 with c [1,2,1,1] = (2, 4). */
    static const char *ops[4] = {"Add", "Sub", "Mul", "Div"};
    float x[8], want[4][8];
    for (int i = 0; i < 8; i++) {
        x[i] = (float)(i + 1);
        float c = i < 4 ? 2.0f : 4.0f;
        want[0][i] = x[i] + c;
        want[1][i] = x[i] - c;
        want[2][i] = x[i] * c;
        want[3][i] = x[i] / c;
    }
    for (int k = 0; k < 4; k++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 2, 2, 2));
        ob_init_f32(b, "c", 4, D(1, 2, 1, 1), F(2, 4));
        ob_node(b, ops[k], "x,c", "y");
        ob_output(b, "y");
        LOAD(m, b);
        EXPECT_OUT(m, IN1(x), 0, 4, D(1, 2, 2, 2), want[k], 1e-6);
        nn_model_free(m);
    }
}

TEST(nn_ref_binary_scalar_and_const_first)
{
    /* 10 - x with a rank-0 constant first; x / [2] (rank 1). */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(2, 2));
    ob_init_f32(b, "ten", 0, NULL, F(10));
    ob_init_f32(b, "two", 1, D(1), F(2));
    ob_node(b, "Sub", "ten,x", "s");
    ob_node(b, "Div", "s,two", "y");
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(F(1, 2, 3, 4)), 0, 2, D(2, 2), F(4.5f, 4, 3.5f, 3), 1e-6);
    nn_model_free(m);
}

TEST(nn_ref_binary_both_broadcast)
{
    /* a [2,1] + b [1,3] -> [2,3]; both graph inputs. */
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 1));
    ob_input(b, "b", 2, D(1, 3));
    ob_node(b, "Add", "a,b", "y");
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN2(F(10, 20), F(1, 2, 3)), 0, 2, D(2, 3), F(11, 12, 13, 21, 22, 23), 0);
    nn_model_free(m);
}

TEST(nn_ref_prelu_per_channel)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 1, 3));
    ob_init_f32(b, "s", 3, D(2, 1, 1), F(0.1f, 0.5f));
    ob_node(b, "PRelu", "x,s", "y");
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(F(-1, 2, -3, -4, 5, -6)), 0, 4, D(1, 2, 1, 3),
               F(-0.1f, 2, -0.3f, -2, 5, -3), 1e-6);
    nn_model_free(m);
}

TEST(nn_ref_prelu_slope_on_last_axis)
{
    /* A 1-D slope broadcasts onto the LAST axis (NumPy rules), here W,
     * even when W equals the channel count. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 1, 2));
    ob_init_f32(b, "s", 1, D(2), F(0.1f, 0.5f));
    ob_node(b, "PRelu", "x,s", "y");
    ob_output(b, "y");
    LOAD(m, b);
    EXPECT_OUT(m, IN1(F(-1, -1, -2, -2)), 0, 4, D(1, 2, 1, 2),
               F(-0.1f, -0.5f, -0.2f, -1), 1e-6);
    nn_model_free(m);
}

/* ---- reference kernels: data movement ---------------------------------- */

TEST(nn_ref_concat)
{
    /* axis 1 of [1,1,2] and [1,2,2]; then axis -1 with a constant. */
    struct ob *b = ob_new();
    ob_input(b, "a", 3, D(1, 1, 2));
    ob_input(b, "b", 3, D(1, 2, 2));
    ob_init_f32(b, "k", 3, D(1, 3, 1), F(7, 8, 9));
    ob_node(b, "Concat", "a,b", "y");
    ob_attr_int(b, "axis", 1);
    ob_node(b, "Concat", "y,k", "z");
    ob_attr_int(b, "axis", -1);
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD(m, b);
    const float *const in[2] = {F(1, 2), F(3, 4, 5, 6)};
    EXPECT_OUT(m, in, 0, 3, D(1, 3, 2), F(1, 2, 3, 4, 5, 6), 0);
    EXPECT_OUT(m, in, 1, 3, D(1, 3, 3), F(1, 2, 7, 3, 4, 8, 5, 6, 9), 0);
    nn_model_free(m);
}

TEST(nn_ref_split)
{
    /* [2,5] split on axis 1 into 2+3; and evenly on axis 0. */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(2, 5));
    ob_node(b, "Split", "x", "p,q");
    ob_attr_int(b, "axis", 1);
    ob_attr_ints(b, "split", 2, D(2, 3));
    ob_node(b, "Split", "x", "r,s");
    ob_output(b, "p");
    ob_output(b, "q");
    ob_output(b, "r");
    ob_output(b, "s");
    LOAD(m, b);
    float *x = iota(10, 0);
    EXPECT_OUT(m, IN1(x), 0, 2, D(2, 2), F(0, 1, 5, 6), 0);
    EXPECT_OUT(m, IN1(x), 1, 2, D(2, 3), F(2, 3, 4, 7, 8, 9), 0);
    EXPECT_OUT(m, IN1(x), 2, 2, D(1, 5), F(0, 1, 2, 3, 4), 0);
    EXPECT_OUT(m, IN1(x), 3, 2, D(1, 5), F(5, 6, 7, 8, 9), 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_slice)
{
    /* x [3,4] = 0..11. Rows 1..end (INT64_MAX), columns -3..-1; then axes
     * given out of order with a start past the end clamped. */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(3, 4));
    ob_node(b, "Slice", "x", "y");
    ob_attr_ints(b, "starts", 2, D(1, -3));
    ob_attr_ints(b, "ends", 2, D(INT64_MAX, -1));
    ob_node(b, "Slice", "x", "z");
    ob_attr_ints(b, "axes", 2, D(1, 0));
    ob_attr_ints(b, "starts", 2, D(2, -100));
    ob_attr_ints(b, "ends", 2, D(100, 1));
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD(m, b);
    float *x = iota(12, 0);
    EXPECT_OUT(m, IN1(x), 0, 2, D(2, 2), F(5, 6, 9, 10), 0);
    EXPECT_OUT(m, IN1(x), 1, 2, D(1, 2), F(2, 3), 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_slice_inner_axes)
{
    /* x [2,3,4] = 0..23: only the last axis sliced (rows of 2 at a stride
     * of 4), and only the middle one (rows of 8 at a stride of 12). */
    struct ob *b = ob_new();
    ob_input(b, "x", 3, D(2, 3, 4));
    ob_node(b, "Slice", "x", "y");
    ob_attr_ints(b, "axes", 1, D(2));
    ob_attr_ints(b, "starts", 1, D(1));
    ob_attr_ints(b, "ends", 1, D(3));
    ob_node(b, "Slice", "x", "z");
    ob_attr_ints(b, "axes", 1, D(1));
    ob_attr_ints(b, "starts", 1, D(1));
    ob_attr_ints(b, "ends", 1, D(3));
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD(m, b);
    float *x = iota(24, 0);
    EXPECT_OUT(m, IN1(x), 0, 3, D(2, 3, 2), F(1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22), 0);
    EXPECT_OUT(m, IN1(x), 1, 3, D(2, 2, 4),
               F(4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23), 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_vec_exp_matches_expf)
{
    /* The fast plan's vector exp against expf across float's range, the
     * saturation ends (inf, 0), NaN, and an odd length for the masked
     * tail: within 2 ulp (4e-7 relative) or both zero. */
    enum { N = 4003 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++)
        x[i] = -110.0f + 200.0f * (float)i / (N - 1);
    x[0] = -INFINITY;
    x[1] = INFINITY;
    x[2] = NAN;
    x[3] = 0.0f;
    x[4] = 88.7f;
    x[5] = -87.0f;
    nn_vec_exp(x, y, N);
    for (int i = 0; i < N; i++) {
        float e = expf(x[i]);
        if (isnan(e) ? !isnan(y[i])
                     : !(y[i] == e || fabsf(y[i] - e) <= 4e-7f * e ||
                         (e < 1e-37f && fabsf(y[i] - e) < 1e-44f))) {
            test_fail(__FILE__, __LINE__, "exp(%.9g): vector %.9g, expf %.9g",
                      (double)x[i], (double)y[i], (double)e);
            break;
        }
    }
    free(x);
    free(y);
}

TEST(nn_ref_transpose)
{
    /* [2,3] perm default (reverse) and [1,2,3] perm (2,0,1). */
    struct ob *b = ob_new();
    ob_input(b, "x", 3, D(1, 2, 3));
    ob_node(b, "Transpose", "x", "y");
    ob_attr_ints(b, "perm", 3, D(2, 0, 1));
    ob_node(b, "Transpose", "x", "z");
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD(m, b);
    float *x = iota(6, 0);
    EXPECT_OUT(m, IN1(x), 0, 3, D(3, 1, 2), F(0, 3, 1, 4, 2, 5), 0);
    EXPECT_OUT(m, IN1(x), 1, 3, D(3, 2, 1), F(0, 3, 1, 4, 2, 5), 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_gather)
{
    /* x [2,3]: axis 1 indices [2,-3] -> [2,2]; axis 0 scalar index -1 drops
     * the axis -> [3]. */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(2, 3));
    init_i64s(b, "i", 2, D(2, -3));
    ob_init_i64(b, "j", 0, NULL, D(-1));
    ob_node(b, "Gather", "x,i", "y");
    ob_attr_int(b, "axis", 1);
    ob_node(b, "Gather", "x,j", "z");
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD(m, b);
    float *x = iota(6, 0);
    EXPECT_OUT(m, IN1(x), 0, 2, D(2, 2), F(2, 0, 5, 3), 0);
    EXPECT_OUT(m, IN1(x), 1, 1, D(3), F(3, 4, 5), 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_unsqueeze_reshape_flatten)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 3, D(2, 3, 4));
    ob_node(b, "Unsqueeze", "x", "u");
    ob_attr_ints(b, "axes", 2, D(0, -1));
    init_i64s(b, "s", 3, D(0, -1, 2));
    ob_node(b, "Reshape", "x,s", "r");
    ob_node(b, "Flatten", "x", "f1");
    ob_node(b, "Flatten", "x", "f0");
    ob_attr_int(b, "axis", 0);
    ob_node(b, "Flatten", "x", "f2");
    ob_attr_int(b, "axis", -1);
    ob_output(b, "u");
    ob_output(b, "r");
    ob_output(b, "f1");
    ob_output(b, "f0");
    ob_output(b, "f2");
    LOAD(m, b);
    float *x = iota(24, 0);
    EXPECT_OUT(m, IN1(x), 0, 5, D(1, 2, 3, 4, 1), x, 0);
    EXPECT_OUT(m, IN1(x), 1, 3, D(2, 6, 2), x, 0);
    EXPECT_OUT(m, IN1(x), 2, 2, D(2, 12), x, 0);
    EXPECT_OUT(m, IN1(x), 3, 2, D(1, 24), x, 0);
    EXPECT_OUT(m, IN1(x), 4, 2, D(6, 4), x, 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_reduce_mean)
{
    /* x [1,2,3] = [[1,2,3],[4,5,6]]. */
    struct ob *b = ob_new();
    ob_input(b, "x", 3, D(1, 2, 3));
    ob_node(b, "ReduceMean", "x", "a");
    ob_attr_ints(b, "axes", 1, D(2));
    ob_node(b, "ReduceMean", "x", "c");
    ob_attr_ints(b, "axes", 1, D(1));
    ob_attr_int(b, "keepdims", 0);
    ob_node(b, "ReduceMean", "x", "e");
    ob_attr_ints(b, "axes", 2, D(-1, 1));
    ob_attr_int(b, "keepdims", 0);
    ob_node(b, "ReduceMean", "x", "g");
    ob_output(b, "a");
    ob_output(b, "c");
    ob_output(b, "e");
    ob_output(b, "g");
    LOAD(m, b);
    float *x = iota(6, 1);
    EXPECT_OUT(m, IN1(x), 0, 3, D(1, 2, 1), F(2, 5), 1e-6);
    EXPECT_OUT(m, IN1(x), 1, 2, D(1, 3), F(2.5f, 3.5f, 4.5f), 1e-6);
    EXPECT_OUT(m, IN1(x), 2, 1, D(1), F(3.5f), 1e-6);
    EXPECT_OUT(m, IN1(x), 3, 3, D(1, 1, 1), F(3.5f), 1e-6);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_constant)
{
    /* Constant nodes: a float tensor added to x, an int64 Reshape shape. */
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(2, 2));
    ob_node(b, "Constant", "", "k");
    ob_attr_tensor_f32(b, "value", 1, D(2), F(10, 20));
    ob_node(b, "Constant", "", "shape");
    ob_attr_tensor_i64(b, "value", 1, D(1), D(4));
    ob_node(b, "Add", "x,k", "s");
    ob_node(b, "Reshape", "s,shape", "y");
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_node_count(m), ==, 4);
    ASSERT_INT(nn_model_run_node_count(m), ==, 2);
    EXPECT_OUT(m, IN1(F(1, 2, 3, 4)), 0, 1, D(4), F(11, 22, 13, 24), 0);
    nn_model_free(m);
}

TEST(nn_ref_constant_value_named)
{
    /* A Constant whose value tensor carries a name (its own output's, or
     * another tensor's): the name must not capture later references. */
    static const char *names[3] = {"k", "x", "y"};
    for (int v = 0; v < 3; v++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 1, D(2));
        ob_node(b, "Constant", "", "k");
        ob_attr_tensor_name(b, names[v]);
        ob_attr_tensor_f32(b, "value", 1, D(2), F(1, 2));
        ob_node(b, "Add", "x,k", "y");
        ob_output(b, "y");
        LOAD(m, b);
        EXPECT_OUT(m, IN1(F(10, 20)), 0, 1, D(2), F(11, 22), 0);
        nn_model_free(m);
    }
}

TEST(nn_ref_batchnorm_standalone)
{
    /* BN on a graph input (nothing to fold into): y = (x-mean)*g/sqrt(v+e)+b
     * with sqrt(var + eps) = 2 and 1. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 1, 2));
    ob_init_f32(b, "g", 1, D(2), F(2, 1));
    ob_init_f32(b, "be", 1, D(2), F(0.5f, 0));
    ob_init_f32(b, "mu", 1, D(2), F(1, 1));
    ob_init_f32(b, "var", 1, D(2), F(3, 0));
    ob_node(b, "BatchNormalization", "x,g,be,mu,var", "y");
    ob_attr_float(b, "epsilon", 1.0f);
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_run_node_count(m), ==, 1);
    EXPECT_OUT(m, IN1(F(3, 5, 2, -1)), 0, 4, D(1, 2, 1, 2), F(2.5f, 4.5f, 1, -2), 1e-6);
    nn_model_free(m);
}

TEST(nn_ref_batchnorm_folded_into_conv)
{
    /* 1x1 conv, weights (2, 3), bias (1, -1), on ones: (3, 2); BN as in the
     * standalone test: (3-1)*2/2+0.5 = 2.5 and (2-1)*1/1+0 = 1. Without a
     * conv bias: (2-1)*1+.5 = 1.5, (3-1)*1 = 2. */
    for (int bias = 0; bias < 2; bias++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 1, 2, 2));
        ob_init_f32(b, "w", 4, D(2, 1, 1, 1), F(2, 3));
        ob_init_f32(b, "cb", 1, D(2), F(1, -1));
        ob_init_f32(b, "g", 1, D(2), F(2, 1));
        ob_init_f32(b, "be", 1, D(2), F(0.5f, 0));
        ob_init_f32(b, "mu", 1, D(2), F(1, 1));
        ob_init_f32(b, "var", 1, D(2), F(3, 0));
        ob_node(b, "Conv", bias ? "x,w,cb" : "x,w", "c");
        ob_node(b, "BatchNormalization", "c,g,be,mu,var", "y");
        ob_attr_float(b, "epsilon", 1.0f);
        ob_output(b, "y");
        LOAD(m, b);
        ASSERT_INT(nn_model_node_count(m), ==, 2);
        ASSERT_INT(nn_model_run_node_count(m), ==, 1);
        float y0 = bias ? 2.5f : 1.5f, y1 = bias ? 1.0f : 2.0f;
        EXPECT_OUT(m, IN1(F(1, 1, 1, 1)), 0, 4, D(1, 2, 2, 2),
                   F(y0, y0, y0, y0, y1, y1, y1, y1), 1e-6);
        nn_model_free(m);
    }
}

TEST(nn_ref_batchnorm_folded_into_gemm)
{
    /* a = (1, 2); B as [K,N] = [[1,0],[0,1]] (or [N,K] with transB for
     * [[1,1],[0,1]]); C = (1, -1). Then BN over N as above. MatMul (no C)
     * turns into a Gemm. */
    for (int v = 0; v < 3; v++) {
        struct ob *b = ob_new();
        ob_input(b, "a", 2, D(1, 2));
        if (v == 1)
            ob_init_f32(b, "B", 2, D(2, 2), F(1, 1, 0, 1));
        else
            ob_init_f32(b, "B", 2, D(2, 2), F(1, 0, 0, 1));
        ob_init_f32(b, "C", 1, D(2), F(1, -1));
        ob_init_f32(b, "g", 1, D(2), F(2, 1));
        ob_init_f32(b, "be", 1, D(2), F(0.5f, 0));
        ob_init_f32(b, "mu", 1, D(2), F(1, 1));
        ob_init_f32(b, "var", 1, D(2), F(3, 0));
        if (v < 2) {
            ob_node(b, "Gemm", "a,B,C", "c");
            ob_attr_int(b, "transB", v);
        } else {
            ob_node(b, "MatMul", "a,B", "c");
        }
        ob_node(b, "BatchNormalization", "c,g,be,mu,var", "y");
        ob_attr_float(b, "epsilon", 1.0f);
        ob_output(b, "y");
        LOAD(m, b);
        ASSERT_INT(nn_model_run_node_count(m), ==, 1);
        /* pre-BN: v0 (2, 1); v1 (1+2+1, 2-1) = (4, 1); v2 (1, 2) */
        static const float want[3][2] = {{1.5f, 0}, {3.5f, 0}, {0.5f, 1}};
        EXPECT_OUT(m, IN1(F(1, 2)), 0, 2, D(1, 2), want[v], 1e-6);
        nn_model_free(m);
    }
}

TEST(nn_ref_shape_chain_folded)
{
    /* Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape: the shape
     * chain is evaluated at load, leaving only the Reshape to run. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 3, 4));
    ob_init_i64(b, "zero", 0, NULL, D(0));
    init_i64s(b, "minus1", 1, D(-1));
    ob_node(b, "Shape", "x", "s");
    ob_node(b, "Gather", "s,zero", "n");
    ob_node(b, "Unsqueeze", "n", "n1");
    ob_attr_ints(b, "axes", 1, D(0));
    ob_node(b, "Concat", "n1,minus1", "shape");
    ob_attr_int(b, "axis", 0);
    ob_node(b, "Reshape", "x,shape", "y");
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_node_count(m), ==, 5);
    ASSERT_INT(nn_model_run_node_count(m), ==, 1);
    float *x = iota(24, 0);
    EXPECT_OUT(m, IN1(x), 0, 2, D(1, 24), x, 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_shape_chain_int64_arith)
{
    /* Arithmetic on int64 shape values, folded at load: the new shape
     * [1, C*3, -1] comes from Shape -> Gather(1) -> Mul(3) -> Unsqueeze ->
     * Concat([1], ., [-1]); with C = 2 that is [1, 6, 4]. */
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 3, 4));
    ob_init_i64(b, "one", 0, NULL, D(1));
    ob_init_i64(b, "three", 0, NULL, D(3));
    init_i64s(b, "lead", 1, D(1));
    init_i64s(b, "minus1", 1, D(-1));
    ob_node(b, "Shape", "x", "s");
    ob_node(b, "Gather", "s,one", "c");
    ob_node(b, "Mul", "c,three", "c3");
    ob_node(b, "Unsqueeze", "c3", "c31");
    ob_attr_ints(b, "axes", 1, D(0));
    ob_node(b, "Concat", "lead,c31,minus1", "shape");
    ob_attr_int(b, "axis", 0);
    ob_node(b, "Reshape", "x,shape", "y");
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_run_node_count(m), ==, 1);
    float *x = iota(24, 0);
    EXPECT_OUT(m, IN1(x), 0, 3, D(1, 6, 4), x, 0);
    nn_model_free(m);
    free(x);
}

/* x [1,6,1,2], channel c holds (10c, 10c+1). */
static struct ob *shuffle_model(int g)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 6, 1, 2));
    init_i64s(b, "s5", 5, D(1, g, 6 / g, 1, 2));
    init_i64s(b, "s4", 4, D(1, 6, 1, 2));
    ob_node(b, "Reshape", "x,s5", "r");
    ob_node(b, "Transpose", "r", "t");
    ob_attr_ints(b, "perm", 5, D(0, 2, 1, 3, 4));
    ob_node(b, "Reshape", "t,s4", "y");
    ob_output(b, "y");
    return b;
}

TEST(nn_ref_channel_shuffle_rewrite)
{
    /* g = 2 over 6 channels: output channel j*2 + i takes input channel
     * i*3 + j: the order is 0 3 1 4 2 5. g = 3: 0 2 4 1 3 5. */
    static const int order[2][6] = {{0, 3, 1, 4, 2, 5}, {0, 2, 4, 1, 3, 5}};
    for (int k = 0; k < 2; k++) {
        LOAD(m, shuffle_model(k ? 3 : 2));
        ASSERT_INT(nn_model_node_count(m), ==, 3);
        ASSERT_INT(nn_model_run_node_count(m), ==, 1);
        float x[12], want[12];
        for (int c = 0; c < 6; c++) {
            x[2 * c] = 10.0f * (float)c;
            x[2 * c + 1] = 10.0f * (float)c + 1;
            want[2 * c] = 10.0f * (float)order[k][c];
            want[2 * c + 1] = 10.0f * (float)order[k][c] + 1;
        }
        EXPECT_OUT(m, IN1(x), 0, 4, D(1, 6, 1, 2), want, 0);
        nn_model_free(m);
    }
}

/* Concat(a, b) of two [1,C,H,W] tensors -> channel shuffle of 2 groups
 * (Reshape, Transpose, Reshape) into "sh" [-> Split into "h0", "h1"]: the
 * end of a ShuffleNetV2 unit. */
static void add_concat_shuffle(struct ob *b, const char *ins, int C, int H, int W,
                               bool split)
{
    init_i64s(b, "s5", 5, D(1, 2, C, H, W));
    init_i64s(b, "s4", 4, D(1, 2 * C, H, W));
    ob_node(b, "Concat", ins, "c");
    ob_attr_int(b, "axis", 1);
    ob_node(b, "Reshape", "c,s5", "r");
    ob_node(b, "Transpose", "r", "t");
    ob_attr_ints(b, "perm", 5, D(0, 2, 1, 3, 4));
    ob_node(b, "Reshape", "t,s4", "sh");
    if (split) {
        ob_node(b, "Split", "sh", "h0,h1");
        ob_attr_int(b, "axis", 1);
    }
}

static struct ob *concat_shuffle_model(int C, bool split)
{
    struct ob *b = ob_new();
    ob_input(b, "a", 4, D(1, C, 1, 1));
    ob_input(b, "b", 4, D(1, C, 1, 1));
    add_concat_shuffle(b, "a,b", C, 1, 1, split);
    if (split) {
        ob_output(b, "h0");
        ob_output(b, "h1");
    } else {
        ob_output(b, "sh");
    }
    return b;
}

TEST(nn_ref_concat_shuffle_rewrite)
{
    /* a = (1, 2[, 3]), b = (10, 20[, 30]). C = 2: the shuffle gives
     * 1 10 2 20, halves (1, 10) and (2, 20). C = 3: 1 10 2 20 3 30, halves
     * (1, 10, 2) and (20, 3, 30). Concat, two Reshapes, Transpose and
     * Split become one node. */
    float a[3] = {1, 2, 3}, bv[3] = {10, 20, 30};
    const float *in[2] = {a, bv};
    LOAD(m2, concat_shuffle_model(2, true));
    ASSERT_INT(nn_model_node_count(m2), ==, 5);
    ASSERT_INT(nn_model_run_node_count(m2), ==, 1);
    EXPECT_OUT(m2, in, 0, 4, D(1, 2, 1, 1), F(1, 10), 0);
    EXPECT_OUT(m2, in, 1, 4, D(1, 2, 1, 1), F(2, 20), 0);
    nn_model_free(m2);
    LOAD(m3, concat_shuffle_model(3, true));
    EXPECT_OUT(m3, in, 0, 4, D(1, 3, 1, 1), F(1, 10, 2), 0);
    EXPECT_OUT(m3, in, 1, 4, D(1, 3, 1, 1), F(20, 3, 30), 0);
    nn_model_free(m3);
    LOAD(mw, concat_shuffle_model(3, false));
    ASSERT_INT(nn_model_run_node_count(mw), ==, 1);
    EXPECT_OUT(mw, in, 0, 4, D(1, 6, 1, 1), F(1, 10, 2, 20, 3, 30), 0);
    nn_model_free(mw);
}

TEST(nn_ref_channel_shuffle_one_group)
{
    /* A one-group "shuffle" is the identity (and must not trouble the fast
     * path). */
    LOAD(m, shuffle_model(1));
    float *x = iota(12, 0);
    EXPECT_OUT(m, IN1(x), 0, 4, D(1, 6, 1, 2), x, 0);
    nn_model_free(m);
    free(x);
}

TEST(nn_ref_packed_and_typed_encodings)
{
    /* The same Conv+Gemm model written with packed repeated fields and
     * float_data/int64_data instead of raw_data loads to the same result. */
    float got[2][3];
    for (int enc = 0; enc < 2; enc++) {
        struct ob *b = ob_new();
        ob_packed(b, enc);
        ob_typed_data(b, enc);
        ob_input(b, "x", 4, D(1, 1, 2, 2));
        ob_init_f32(b, "w", 4, D(1, 1, 2, 2), F(1, 2, 3, 4));
        init_i64s(b, "s", 2, D(1, -1));
        ob_init_f32(b, "B", 2, D(1, 3), F(1, 10, 100));
        ob_node(b, "Conv", "x,w", "c");
        ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
        ob_node(b, "Reshape", "c,s", "r");
        ob_node(b, "MatMul", "r,B", "y");
        ob_output(b, "y");
        LOAD(m, b);
        struct outs o;
        run_model(m, NN_EXEC_REF, IN1(F(1, 1, 1, 2)), &o);
        ASSERT(shape_is(&o.s[0], 2, D(1, 3)));
        memcpy(got[enc], o.v[0], sizeof got[enc]);
        outs_free(&o);
        nn_model_free(m);
    }
    /* conv = 1+2+3+8 = 14 */
    ASSERT_NEAR(got[0][0], 14, 0);
    ASSERT_NEAR(got[0][2], 1400, 0);
    ASSERT(memcmp(got[0], got[1], sizeof got[0]) == 0);
}

TEST(nn_ref_model_facts)
{
    struct ob *b = ob_new();
    ob_input(b, "image", 4, D(1, 3, 8, 6));
    ob_node(b, "Relu", "image", "out");
    ob_output(b, "out");
    LOAD(m, b);
    ASSERT_INT(nn_model_input_count(m), ==, 1);
    ASSERT_INT(nn_model_output_count(m), ==, 1);
    ASSERT_STR(nn_model_input_name(m, 0), "image");
    ASSERT_STR(nn_model_output_name(m, 0), "out");
    struct nn_shape s = nn_model_input_shape(m, 0);
    ASSERT(shape_is(&s, 4, D(1, 3, 8, 6)));
    s = nn_model_output_shape(m, 0);
    ASSERT(shape_is(&s, 4, D(1, 3, 8, 6)));
    ASSERT_INT(strlen(nn_model_sha256(m)), ==, 64);
    ASSERT_INT(nn_model_mac_count(m), ==, 0);
    nn_model_free(m);
}

TEST(nn_ref_model_mac_count)
{
    /* x [1,3,9,7]
     *   Conv 8x3x3x3, stride 2, pads 1  -> [1,8,5,4]: 160 outputs x 3*3*3 = 4320
     *   Relu (fused into the Conv)                                        0
     *   Conv depthwise 8x1x3x3, pads 1  -> [1,8,5,4]: 160 x 1*3*3      = 1440
     *   MaxPool 2x2 stride 2            -> [1,8,2,2]                      0
     *   Flatten                         -> [1,32]                         0
     *   Gemm transB W [10,32] + bias    -> [1,10]: M*N*K = 1*10*32     =  320
     *   MatMul [10,4]                   -> [1,4]:  1*4*10              =   40
     * total 6120. */
    uint64_t s = 9100;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 9, 7));
    init_rand(b, &s, "w1", 4, D(8, 3, 3, 3));
    ob_node(b, "Conv", "x,w1", "c1");
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_node(b, "Relu", "c1", "r1");
    init_rand(b, &s, "w2", 4, D(8, 1, 3, 3));
    ob_node(b, "Conv", "r1,w2", "c2");
    ob_attr_int(b, "group", 8);
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_node(b, "MaxPool", "c2", "p");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_node(b, "Flatten", "p", "f");
    init_rand(b, &s, "W", 2, D(10, 32));
    init_rand(b, &s, "B", 1, D(10));
    ob_node(b, "Gemm", "f,W,B", "g");
    ob_attr_int(b, "transB", 1);
    init_rand(b, &s, "M", 2, D(10, 4));
    ob_node(b, "MatMul", "g,M", "y");
    ob_output(b, "y");
    LOAD(m, b);
    ASSERT_INT(nn_model_run_node_count(m), ==, 6);
    ASSERT_INT(nn_model_mac_count(m), ==, 4320 + 1440 + 320 + 40);
    nn_model_free(m);
}

/* ---- fast plan (XNNPACK, NHWC) against the reference plan ------------- */

/* Load b, run both plans on the same seeded random inputs and compare every
 * output: same shape, |fast - ref| <= 1e-4 * max(1, |ref|). The fast plan
 * runs twice in one session to show a run leaves no state behind. */
static bool model_fast_matches_ref(const nn_model *m, uint64_t seed, char *msg,
                                   size_t msz)
{
    float *in[8] = {NULL};
    for (int i = 0; i < nn_model_input_count(m); i++) {
        struct nn_shape s = nn_model_input_shape(m, i);
        in[i] = randv(&seed, nn_shape_numel(&s));
    }
    struct outs r, f;
    run_model(m, NN_EXEC_REF, (const float *const *)in, &r);
    run_model(m, NN_EXEC_FAST, (const float *const *)in, &f);
    bool ok = true;
    for (int k = 0; ok && k < r.n; k++) {
        if (!shape_is(&f.s[k], r.s[k].rank, r.s[k].d)) {
            snprintf(msg, msz, "output %d: shapes differ", k);
            ok = false;
        }
        for (size_t i = 0; ok && i < nn_shape_numel(&r.s[k]); i++) {
            double a = r.v[k][i], c = f.v[k][i];
            double tol = 1e-4 * (fabs(a) > 1 ? fabs(a) : 1);
            if (!(fabs(a - c) <= tol)) {
                snprintf(msg, msz, "output %d (%s) [%zu]: fast %.9g, ref %.9g", k,
                         nn_model_output_name(m, k), i, c, a);
                ok = false;
            }
        }
    }
    outs_free(&r);
    outs_free(&f);
    for (int i = 0; i < 8; i++)
        free(in[i]);
    return ok;
}

static bool fast_matches_ref(struct ob *b, uint64_t seed, char *msg, size_t msz)
{
    struct lc_diag d = {{0}};
    int rc;
    nn_model *m = load_ob(b, &rc, &d);
    if (m == NULL) {
        snprintf(msg, msz, "load failed (%d): %s", rc, d.msg);
        return false;
    }
    bool ok = model_fast_matches_ref(m, seed, msg, msz);
    nn_model_free(m);
    return ok;
}

#define EXPECT_FAST(b, seed, ...)                                           \
    do {                                                                    \
        char msg_[300];                                                     \
        if (!fast_matches_ref(b, seed, msg_, sizeof msg_)) {                \
            char what_[120];                                                \
            snprintf(what_, sizeof what_, __VA_ARGS__);                     \
            test_fail(__FILE__, __LINE__, "%s: %s", what_, msg_);           \
            return;                                                         \
        }                                                                   \
    } while (0)

/* A Conv node `out` reading `in` (c channels): o outputs, k x k, stride,
 * pad on every side, groups, random weights and bias. */
static void conv_node(struct ob *b, uint64_t *s, const char *in, const char *out,
                      int c, int o, int k, int stride, int pad, int group)
{
    char w[64], bias[64], ins[200];
    snprintf(w, sizeof w, "%s.w", out);
    snprintf(bias, sizeof bias, "%s.b", out);
    snprintf(ins, sizeof ins, "%s,%s,%s", in, w, bias);
    init_rand(b, s, w, 4, D(o, c / group, k, k));
    init_rand(b, s, bias, 1, D(o));
    ob_node(b, "Conv", ins, out);
    ob_attr_ints(b, "kernel_shape", 2, D(k, k));
    ob_attr_ints(b, "strides", 2, D(stride, stride));
    ob_attr_ints(b, "pads", 4, D(pad, pad, pad, pad));
    ob_attr_int(b, "group", group);
}

struct conv_case {
    int n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g, bias;
};

static const struct conv_case conv_cases[] = {
    /* n  c   h   w   o kh kw sh sw dh dw pt pl pb pr   g bias */
    {1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {1, 4, 11, 13, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},
    {1, 2, 9, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0},
    {1, 3, 10, 8, 2, 3, 3, 1, 1, 3, 3, 0, 1, 2, 3, 1, 1},
    {1, 3, 13, 11, 4, 3, 3, 2, 2, 3, 2, 3, 0, 1, 2, 1, 1},
    {1, 4, 6, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},
    {1, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 8, 1},
    {1, 4, 5, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0},
    {1, 32, 15, 15, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 32, 1},
    {1, 16, 4, 4, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    {1, 5, 7, 7, 3, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1},
    {1, 3, 5, 9, 4, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 1, 1},
    {2, 3, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {1, 6, 8, 8, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 3, 1},
    {1, 1, 12, 10, 7, 5, 5, 2, 1, 2, 1, 3, 2, 1, 0, 1, 1},
    {1, 12, 7, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1},
    {1, 3, 1, 1, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    {1, 3, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {1, 2, 3, 3, 5, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    {1, 7, 17, 3, 9, 3, 1, 3, 1, 1, 1, 2, 0, 2, 0, 1, 0},
};

/* One Conv of case k on input "x" (random weights from seed), then a
 * Relu when relu is set. */
static struct ob *conv_case_model(const struct conv_case *k, uint64_t seed, int relu)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(k->n, k->c, k->h, k->w));
    init_rand(b, &seed, "w", 4, D(k->o, k->c / k->g, k->kh, k->kw));
    init_rand(b, &seed, "b", 1, D(k->o));
    ob_node(b, "Conv", k->bias ? "x,w,b" : "x,w", "c");
    ob_attr_ints(b, "kernel_shape", 2, D(k->kh, k->kw));
    ob_attr_ints(b, "strides", 2, D(k->sh, k->sw));
    ob_attr_ints(b, "dilations", 2, D(k->dh, k->dw));
    ob_attr_ints(b, "pads", 4, D(k->pt, k->pl, k->pb, k->pr));
    ob_attr_int(b, "group", k->g);
    if (relu)
        ob_node(b, "Relu", "c", "y");
    ob_output(b, relu ? "y" : "c");
    return b;
}

TEST(nn_fast_conv)
{
    for (size_t i = 0; i < NELEM(conv_cases); i++)
        for (int relu = 0; relu < 2; relu++) {
            struct ob *b = conv_case_model(&conv_cases[i], 1000 + i, relu);
            EXPECT_FAST(b, i, "conv case %zu relu %d", i, relu);
        }
}

struct pool_case {
    int c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

static const struct pool_case pool_cases[] = {
    /* c  h   w kh kw sh sw dh dw pt pl pb pr */
    {3, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0},
    {4, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {2, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {5, 10, 9, 3, 2, 2, 1, 1, 1, 0, 1, 2, 0},
    {1, 5, 5, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0},
    {2, 8, 8, 2, 2, 3, 3, 1, 1, 0, 0, 0, 0},
    {3, 9, 9, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0},
    {3, 9, 9, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1},
    {3, 10, 10, 3, 3, 2, 2, 3, 3, 2, 1, 2, 1},
    {2, 6, 6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {16, 5, 5, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0},
    /* rows wide enough for the own kernel's 8-pixel interior path */
    {24, 12, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {17, 6, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {32, 5, 30, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0},
    {8, 4, 29, 3, 3, 1, 2, 1, 2, 2, 3, 2, 3},
    {8, 4, 29, 3, 3, 1, 2, 1, 1, 2, 3, 2, 3},
};

/* Depthwise convolutions (group = channels = outputs), which the fast plan
 * gives to livecheck's own AVX-512 kernel (nn/dwconv.h) where the CPU has
 * one and to XNNPACK otherwise: channel counts around the 16-lane vector
 * (masked tails), rows wide enough for the 8-pixel interior path and
 * narrow ones, strides, dilations, asymmetric and oversized pads, a window
 * covering the whole input (the landmark model's 4x4), batches. Both
 * kernels are checked against the reference here. */
static const struct conv_case dw_cases[] = {
    /* n  c   h   w   o kh kw sh sw dh dw pt pl pb pr   g bias */
    {1, 16, 9, 40, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16, 1},
    {1, 17, 7, 27, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 17, 1},
    {1, 1, 5, 23, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {1, 7, 6, 31, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 7, 0},
    {1, 33, 8, 36, 33, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 33, 1},
    {1, 32, 6, 30, 32, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 32, 1},
    {1, 48, 5, 26, 48, 3, 3, 1, 1, 3, 2, 3, 0, 1, 4, 48, 1},
    {1, 512, 4, 4, 512, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 512, 1},
    {1, 20, 4, 5, 20, 4, 4, 1, 1, 1, 1, 2, 2, 1, 1, 20, 1},
    {1, 24, 3, 18, 24, 1, 5, 1, 1, 1, 1, 0, 2, 0, 2, 24, 1},
    {1, 16, 11, 19, 16, 5, 5, 2, 1, 1, 1, 2, 2, 2, 2, 16, 1},
    {2, 16, 6, 21, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16, 1},
    {1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64, 1},
    {1, 16, 3, 12, 16, 3, 3, 1, 1, 1, 1, 4, 1, 4, 1, 16, 1},
};

TEST(nn_fast_depthwise)
{
    for (int own = 1; own >= 0; own--) {
        nn_dw_set_enabled(own);
        for (size_t i = 0; i < NELEM(dw_cases); i++)
            for (int relu = 0; relu < 2; relu++) {
                struct ob *b = conv_case_model(&dw_cases[i], 2000 + i, relu);
                EXPECT_FAST(b, i, "depthwise case %zu relu %d own kernel %d", i,
                            relu, own);
            }
    }
    nn_dw_set_enabled(true);
}

/* MaxPool runs on livecheck's own window kernel (nn/dwconv.h) where the
 * CPU has AVX-512 and on XNNPACK otherwise: both against the reference. */
TEST(nn_fast_maxpool)
{
    for (int own = 1; own >= 0; own--) {
    nn_dw_set_enabled(own);
    for (size_t i = 0; i < NELEM(pool_cases); i++)
        for (int after_conv = 0; after_conv < 2; after_conv++) {
            const struct pool_case *k = &pool_cases[i];
            uint64_t s = 2000 + i;
            struct ob *b = ob_new();
            ob_input(b, "x", 4, D(1, k->c, k->h, k->w));
            if (after_conv)
                conv_node(b, &s, "x", "c", k->c, k->c, 3, 1, 1, 1);
            ob_node(b, "MaxPool", after_conv ? "c" : "x", "y");
            ob_attr_ints(b, "kernel_shape", 2, D(k->kh, k->kw));
            ob_attr_ints(b, "strides", 2, D(k->sh, k->sw));
            ob_attr_ints(b, "dilations", 2, D(k->dh, k->dw));
            ob_attr_ints(b, "pads", 4, D(k->pt, k->pl, k->pb, k->pr));
            ob_output(b, "y");
            EXPECT_FAST(b, i, "maxpool case %zu after conv %d own kernel %d", i,
                        after_conv, own);
        }
    }
    nn_dw_set_enabled(true);
}

TEST(nn_fast_global_avgpool)
{
    static const int64_t shapes[][4] = {
        {1, 5, 7, 3}, {2, 16, 1, 1}, {1, 1, 9, 9}, {1, 64, 7, 7}, {3, 2, 1, 5}};
    for (size_t i = 0; i < NELEM(shapes); i++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 4, shapes[i]);
        ob_node(b, "GlobalAveragePool", "x", "y");
        ob_output(b, "y");
        EXPECT_FAST(b, i, "GAP case %zu", i);
    }
}

TEST(nn_fast_prelu)
{
    /* slope [C,1,1], [1,C,1,1], a single shared slope, and a 1-D slope that
     * applies along W (here W == C, so only its layout tells them apart). */
    static const int64_t slopes[][5] = {
        {3, 4, 1, 1, 0}, {4, 1, 4, 1, 1}, {1, 1, 0, 0, 0}, {1, 4, 0, 0, 0}, {2, 1, 4, 0, 0}};
    for (size_t i = 0; i < NELEM(slopes); i++)
        for (int after_conv = 0; after_conv < 2; after_conv++) {
            uint64_t s = 3000 + i;
            struct ob *b = ob_new();
            ob_input(b, "x", 4, D(1, 4, 5, 4));
            init_rand(b, &s, "s", (int)slopes[i][0], slopes[i] + 1);
            if (after_conv)
                conv_node(b, &s, "x", "c", 4, 4, 3, 1, 1, 1);
            ob_node(b, "PRelu", after_conv ? "c,s" : "x,s", "y");
            ob_output(b, "y");
            EXPECT_FAST(b, i, "prelu case %zu after conv %d", i, after_conv);
        }
}

TEST(nn_fast_prelu_runtime_slope)
{
    /* A slope computed at run time (here x itself, and a conv output). */
    for (int v = 0; v < 2; v++) {
        uint64_t s = 3100 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 3, 1, 1));
        if (v)
            conv_node(b, &s, "x", "c", 3, 3, 1, 1, 0, 1);
        ob_node(b, "PRelu", v ? "x,c" : "x,x", "y");
        ob_output(b, "y");
        EXPECT_FAST(b, v, "runtime slope %d", v);
    }
}

TEST(nn_fast_binary)
{
    /* After a conv (NHWC) with: a second conv, constants that read the same
     * in both layouts ([1,C,1,1], [C,1,1], scalar, [1,1,H,W]), one that
     * does not ([1,C,H,W]) and a rank-3 runtime operand. */
    static const char *ops[4] = {"Add", "Sub", "Mul", "Div"};
    for (int op = 0; op < 4; op++)
        for (int v = 0; v < 7; v++) {
            uint64_t s = 4000 + (uint64_t)(op * 10 + v);
            struct ob *b = ob_new();
            ob_input(b, "x", 4, D(1, 3, 5, 6));
            ob_input(b, "r", 3, D(3, 1, 1));
            conv_node(b, &s, "x", "c", 3, 3, 3, 1, 1, 1);
            const char *other = "k";
            switch (v) {
            case 0:
                conv_node(b, &s, "x", "c2", 3, 3, 1, 1, 0, 1);
                other = "c2";
                break;
            case 1:
                init_rand(b, &s, "k", 4, D(1, 3, 1, 1));
                break;
            case 2:
                init_rand(b, &s, "k", 3, D(3, 1, 1));
                break;
            case 3:
                init_rand(b, &s, "k", 0, NULL);
                break;
            case 4:
                init_rand(b, &s, "k", 4, D(1, 1, 5, 6));
                break;
            case 5:
                init_rand(b, &s, "k", 4, D(1, 3, 5, 6));
                break;
            case 6:
                other = "r";
                break;
            }
            char ins[32];
            snprintf(ins, sizeof ins, "c,%s", other);
            ob_node(b, ops[op], ins, "y");
            ob_output(b, "y");
            EXPECT_FAST(b, op * 10 + v, "%s case %d", ops[op], v);
        }
}

TEST(nn_fast_binary_plain)
{
    /* Elementwise on plain tensors: rank 2 with broadcasting, rank 5 (not
     * for XNNPACK), and two 4-D graph inputs broadcasting on both sides. */
    for (int v = 0; v < 3; v++) {
        struct ob *b = ob_new();
        if (v == 0) {
            ob_input(b, "a", 2, D(3, 7));
            ob_input(b, "b", 2, D(1, 7));
        } else if (v == 1) {
            ob_input(b, "a", 5, D(1, 2, 3, 2, 2));
            ob_input(b, "b", 5, D(1, 2, 1, 2, 1));
        } else {
            ob_input(b, "a", 4, D(1, 3, 1, 5));
            ob_input(b, "b", 4, D(1, 1, 4, 1));
        }
        ob_node(b, "Mul", "a,b", "m");
        ob_node(b, "Sub", "m,a", "y");
        ob_output(b, "y");
        EXPECT_FAST(b, v, "plain binary case %d", v);
    }
}

TEST(nn_fast_unary)
{
    /* Relu, Sigmoid (XNNPACK) and Exp (C kernel, follows its input's
     * layout) on a graph input and after a conv. */
    static const char *ops[3] = {"Relu", "Sigmoid", "Exp"};
    for (int op = 0; op < 3; op++)
        for (int after_conv = 0; after_conv < 2; after_conv++) {
            uint64_t s = 5000 + (uint64_t)op;
            struct ob *b = ob_new();
            ob_input(b, "x", 4, D(1, 3, 5, 7));
            if (after_conv)
                conv_node(b, &s, "x", "c", 3, 4, 3, 2, 1, 1);
            ob_node(b, ops[op], after_conv ? "c" : "x", "y");
            ob_output(b, "y");
            EXPECT_FAST(b, op, "%s after conv %d", ops[op], after_conv);
        }
}

TEST(nn_fast_softmax)
{
    /* 2-D rows, axis 2 of 3-D, and a conv output (NHWC) on axis 1. */
    for (int v = 0; v < 3; v++) {
        uint64_t s = 5100 + (uint64_t)v;
        struct ob *b = ob_new();
        if (v == 0) {
            ob_input(b, "x", 2, D(3, 10));
            ob_node(b, "Softmax", "x", "y");
        } else if (v == 1) {
            ob_input(b, "x", 3, D(2, 3, 4));
            ob_node(b, "Softmax", "x", "y");
            ob_attr_int(b, "axis", 2);
        } else {
            ob_input(b, "x", 4, D(1, 3, 4, 5));
            conv_node(b, &s, "x", "c", 3, 6, 3, 1, 1, 1);
            ob_node(b, "Softmax", "c", "y");
        }
        ob_output(b, "y");
        EXPECT_FAST(b, v, "softmax case %d", v);
    }
}

TEST(nn_fast_gemm)
{
    /* Fully connected: transB 0/1, bias [N], [1,N], none; batch 3; and
     * variants XNNPACK must leave to the C kernel: alpha, beta, a scalar
     * bias, a per-row bias [M,1] with M == N. */
    for (int v = 0; v < 8; v++) {
        uint64_t s = 6000 + (uint64_t)v;
        int M = v == 7 ? 5 : v == 2 ? 3 : 1, K = 12, N = v == 7 ? 5 : 7;
        int tb = v % 2;
        struct ob *b = ob_new();
        ob_input(b, "a", 2, D(M, K));
        init_rand(b, &s, "B", 2, tb ? D(N, K) : D(K, N));
        const char *ins = "a,B,C";
        switch (v) {
        case 0: case 1: init_rand(b, &s, "C", 1, D(N)); break;
        case 2: case 3: init_rand(b, &s, "C", 2, D(1, N)); break;
        case 4: ins = "a,B"; break;
        case 5: init_rand(b, &s, "C", 0, NULL); break;
        case 6: init_rand(b, &s, "C", 1, D(N)); break;
        case 7: init_rand(b, &s, "C", 2, D(M, 1)); break;
        }
        ob_node(b, "Gemm", ins, "y");
        ob_attr_int(b, "transB", tb);
        if (v == 6) {
            ob_attr_float(b, "alpha", 0.5f);
            ob_attr_float(b, "beta", 2.0f);
        }
        ob_output(b, "y");
        EXPECT_FAST(b, v, "gemm case %d", v);
    }
}

TEST(nn_fast_matmul)
{
    uint64_t s = 6100;
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(3, 9));
    init_rand(b, &s, "B", 2, D(9, 4));
    ob_node(b, "MatMul", "a,B", "y");
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "matmul");
}

TEST(nn_fast_conv_relu_conv)
{
    uint64_t s = 7000;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 15, 13));
    conv_node(b, &s, "x", "c1", 3, 8, 3, 2, 1, 1);
    ob_node(b, "Relu", "c1", "r1");
    conv_node(b, &s, "r1", "c2", 8, 8, 3, 1, 1, 8);
    ob_node(b, "Relu", "c2", "r2");
    conv_node(b, &s, "r2", "y", 8, 5, 1, 1, 0, 1);
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "conv-relu-conv");
}

TEST(nn_fast_residual)
{
    /* Conv(x) + x, then a conv reading the sum, x a graph input. */
    uint64_t s = 7100;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 4, 9, 7));
    conv_node(b, &s, "x", "c", 4, 4, 3, 1, 1, 1);
    ob_node(b, "Add", "c,x", "a");
    conv_node(b, &s, "a", "c2", 4, 4, 3, 1, 1, 2);
    ob_node(b, "Add", "c2,a", "y");
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "residual");
}

TEST(nn_fast_conv_prelu)
{
    uint64_t s = 7200;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 12, 12));
    conv_node(b, &s, "x", "c", 3, 10, 3, 2, 1, 1);
    init_rand(b, &s, "slope", 3, D(10, 1, 1));
    ob_node(b, "PRelu", "c,slope", "p");
    conv_node(b, &s, "p", "y", 10, 6, 3, 1, 0, 2);
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "conv-prelu");
}

TEST(nn_fast_concat_split_channels)
{
    /* Two convs concatenated on channels into a third; a conv split 3+5
     * into two more, both outputs; and a three-way even split. */
    for (int v = 0; v < 3; v++) {
        uint64_t s = 7300 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 4, 9, 11));
        if (v == 0) {
            conv_node(b, &s, "x", "a", 4, 3, 3, 1, 1, 1);
            conv_node(b, &s, "x", "b", 4, 5, 1, 1, 0, 1);
            ob_node(b, "Concat", "a,b,x", "cat");
            ob_attr_int(b, "axis", 1);
            conv_node(b, &s, "cat", "y", 12, 6, 3, 1, 1, 1);
            ob_output(b, "y");
        } else if (v == 1) {
            conv_node(b, &s, "x", "a", 4, 8, 3, 1, 1, 1);
            ob_node(b, "Split", "a", "p,q");
            ob_attr_int(b, "axis", 1);
            ob_attr_ints(b, "split", 2, D(3, 5));
            conv_node(b, &s, "p", "y1", 3, 4, 3, 1, 1, 1);
            conv_node(b, &s, "q", "y2", 5, 2, 1, 1, 0, 1);
            ob_output(b, "y1");
            ob_output(b, "y2");
        } else {
            conv_node(b, &s, "x", "a", 4, 9, 3, 2, 1, 1);
            ob_node(b, "Split", "a", "p,q,r");
            ob_attr_int(b, "axis", -3);
            ob_node(b, "Concat", "r,p", "y1");
            ob_attr_int(b, "axis", 1);
            ob_output(b, "y1");
            ob_output(b, "q");
        }
        EXPECT_FAST(b, v, "concat/split case %d", v);
    }
}

TEST(nn_fast_concat_const)
{
    /* A constant 4-D operand of a channel Concat lives in NCHW. */
    uint64_t s = 7400;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 3, 4));
    init_rand(b, &s, "k", 4, D(1, 3, 3, 4));
    conv_node(b, &s, "x", "c", 2, 2, 3, 1, 1, 1);
    ob_node(b, "Concat", "c,k", "y");
    ob_attr_int(b, "axis", 1);
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "concat with a constant");
}

TEST(nn_fast_concat_other_axes)
{
    /* Concat on H of conv outputs: not a channel concat. */
    uint64_t s = 7500;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 5, 4));
    conv_node(b, &s, "x", "a", 2, 3, 3, 1, 1, 1);
    conv_node(b, &s, "x", "b", 2, 3, 1, 1, 0, 1);
    ob_node(b, "Concat", "a,b", "y");
    ob_attr_int(b, "axis", 2);
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "concat axis 2");
}

TEST(nn_fast_channel_shuffle)
{
    /* conv -> channel shuffle (g = 2, 3, 6 and the identity g = 1) ->
     * conv. */
    static const int groups[4] = {2, 3, 6, 1};
    for (int v = 0; v < 4; v++) {
        uint64_t s = 7600 + (uint64_t)v;
        int g = groups[v];
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 3, 7, 5));
        conv_node(b, &s, "x", "c", 3, 6, 3, 1, 1, 1);
        init_i64s(b, "s5", 5, D(1, g, 6 / g, 7, 5));
        init_i64s(b, "s4", 4, D(1, 6, 7, 5));
        ob_node(b, "Reshape", "c,s5", "r");
        ob_node(b, "Transpose", "r", "t");
        ob_attr_ints(b, "perm", 5, D(0, 2, 1, 3, 4));
        ob_node(b, "Reshape", "t,s4", "sh");
        conv_node(b, &s, "sh", "y", 6, 4, 3, 1, 1, 2);
        ob_output(b, "y");
        ob_output(b, "sh");
        EXPECT_FAST(b, v, "shuffle g=%d", g);
    }
}

TEST(nn_fast_concat_shuffle)
{
    /* Two convs -> Concat -> shuffle of 2 groups [-> Split -> a conv on
     * each half]: lc.ConcatShuffle in NHWC against the reference, with even
     * and odd channel counts (an odd one splits a pair between the halves),
     * short and long channel runs (the vector interleave's tail), and the
     * whole shuffled tensor as output. */
    static const int chans[4] = {4, 3, 29, 40};
    for (int v = 0; v < 8; v++) {
        int C = chans[v % 4];
        bool split = v < 4;
        uint64_t s = 7700 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 3, 5, 7));
        conv_node(b, &s, "x", "ca", 3, C, 3, 1, 1, 1);
        conv_node(b, &s, "x", "cb", 3, C, 1, 1, 0, 1);
        add_concat_shuffle(b, "ca,cb", C, 5, 7, split);
        if (split) {
            conv_node(b, &s, "h1", "y", C, 5, 1, 1, 0, 1);
            ob_output(b, "h0");
            ob_output(b, "y");
        } else {
            ob_output(b, "sh");
        }
        EXPECT_FAST(b, v, "concat-shuffle C=%d split %d", C, split);
    }
}

TEST(nn_fast_empty_tensors)
{
    /* A Slice that keeps no channels feeds a MaxPool over wide rows (with
     * and without pads): the zero-element tensor reaches neither XNNPACK,
     * which refuses it, nor the AVX-512 window kernel, which would read a
     * whole vector of it; both plans give the same empty output. */
    for (int pad = 0; pad < 2; pad++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 4, 4, 40));
        ob_node(b, "Slice", "x", "e");
        ob_attr_ints(b, "axes", 1, D(1));
        ob_attr_ints(b, "starts", 1, D(0));
        ob_attr_ints(b, "ends", 1, D(0));
        ob_node(b, "MaxPool", "e", "y");
        ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
        ob_attr_ints(b, "pads", 4, D(pad, pad, pad, pad));
        ob_output(b, "y");
        EXPECT_FAST(b, pad, "empty tensor, pads %d", pad);
    }
}

TEST(nn_fast_gap_reshape_gemm)
{
    /* conv -> GlobalAveragePool -> Reshape [1,-1] / Flatten -> Gemm ->
     * Softmax: a classifier head. */
    for (int v = 0; v < 2; v++) {
        uint64_t s = 7700 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 3, 11, 9));
        conv_node(b, &s, "x", "c", 3, 16, 3, 2, 1, 1);
        ob_node(b, "GlobalAveragePool", "c", "g");
        if (v == 0) {
            init_i64s(b, "shape", 2, D(1, -1));
            ob_node(b, "Reshape", "g,shape", "f");
        } else {
            ob_node(b, "Flatten", "g", "f");
        }
        init_rand(b, &s, "W", 2, D(10, 16));
        init_rand(b, &s, "B", 1, D(10));
        ob_node(b, "Gemm", "f,W,B", "logits");
        ob_attr_int(b, "transB", 1);
        ob_node(b, "Softmax", "logits", "y");
        ob_output(b, "y");
        ob_output(b, "logits");
        EXPECT_FAST(b, v, "head case %d", v);
    }
}

TEST(nn_fast_flatten_gemm)
{
    /* Flatten of a spatial conv output (NHWC inside) into a Gemm: the
     * flattening must follow NCHW order. */
    uint64_t s = 7800;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 6, 6));
    conv_node(b, &s, "x", "c", 2, 4, 3, 2, 1, 1);
    ob_node(b, "Flatten", "c", "f");
    init_rand(b, &s, "W", 2, D(36, 5));
    ob_node(b, "MatMul", "f,W", "y");
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "flatten-gemm");
}

TEST(nn_fast_se_block)
{
    /* Squeeze-and-excitation: x * sigmoid(conv(relu(conv(GAP(x))))) with
     * the [1,C,1,1] scale broadcast over H, W. */
    uint64_t s = 7900;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 10, 10));
    conv_node(b, &s, "x", "f", 3, 16, 3, 1, 1, 1);
    ob_node(b, "GlobalAveragePool", "f", "g");
    conv_node(b, &s, "g", "s1", 16, 4, 1, 1, 0, 1);
    ob_node(b, "Relu", "s1", "s2");
    conv_node(b, &s, "s2", "s3", 4, 16, 1, 1, 0, 1);
    ob_node(b, "Sigmoid", "s3", "s4");
    ob_node(b, "Mul", "f,s4", "y");
    ob_output(b, "y");
    EXPECT_FAST(b, 1, "SE block");
}

TEST(nn_fast_conv_output_shared)
{
    /* A conv output that is a graph output and also read by a fast node
     * and by a plain one: the NHWC->NCHW conversion must give the output
     * its NCHW data while the readers keep theirs. */
    uint64_t s = 8000;
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 8, 6));
    conv_node(b, &s, "x", "c", 3, 5, 3, 1, 1, 1);
    ob_node(b, "MaxPool", "c", "p");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_node(b, "Transpose", "c", "t");
    ob_attr_ints(b, "perm", 4, D(0, 2, 3, 1));
    ob_output(b, "c");
    ob_output(b, "p");
    ob_output(b, "t");
    EXPECT_FAST(b, 1, "shared conv output");
}

TEST(nn_fast_movement_after_conv)
{
    /* Plain-layout ops reading an NHWC conv output. */
    for (int v = 0; v < 6; v++) {
        uint64_t s = 8100 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(1, 3, 6, 5));
        conv_node(b, &s, "x", "c", 3, 4, 3, 1, 1, 1);
        switch (v) {
        case 0:
            ob_node(b, "Transpose", "c", "y");
            ob_attr_ints(b, "perm", 4, D(0, 3, 1, 2));
            break;
        case 1:
            ob_node(b, "Slice", "c", "y");
            ob_attr_ints(b, "starts", 2, D(1, -4));
            ob_attr_ints(b, "ends", 2, D(3, INT64_MAX));
            ob_attr_ints(b, "axes", 2, D(1, 2));
            break;
        case 2:
            init_i64s(b, "i", 2, D(3, 0));
            ob_node(b, "Gather", "c,i", "y");
            ob_attr_int(b, "axis", 1);
            break;
        case 3:
            ob_node(b, "ReduceMean", "c", "y");
            ob_attr_ints(b, "axes", 2, D(2, 3));
            break;
        case 4:
            ob_node(b, "Unsqueeze", "c", "y");
            ob_attr_ints(b, "axes", 1, D(0));
            break;
        case 5: {
            float g[4] = {1, 2, 0.5f, 1}, be[4] = {0, 1, -1, 0};
            float mu[4] = {0.1f, 0, -0.2f, 0}, var[4] = {1, 0.5f, 2, 1};
            ob_init_f32(b, "g", 1, D(4), g);
            ob_init_f32(b, "be", 1, D(4), be);
            ob_init_f32(b, "mu", 1, D(4), mu);
            ob_init_f32(b, "var", 1, D(4), var);
            ob_node(b, "Add", "c,c", "a"); /* BN after Add: not folded */
            ob_node(b, "BatchNormalization", "a,g,be,mu,var", "y");
            break;
        }
        }
        ob_output(b, "y");
        EXPECT_FAST(b, v, "movement case %d", v);
    }
}

TEST(nn_fast_channels_last_and_spatial_mean)
{
    /* Transpose (0,2,3,1) and ReduceMean over H,W (keepdims 0 and 1, axes
     * given negative too), on a graph input and on a conv output. */
    for (int v = 0; v < 8; v++) {
        uint64_t s = 8200 + (uint64_t)v;
        struct ob *b = ob_new();
        ob_input(b, "x", 4, D(2, 5, 4, 3));
        const char *src = "x";
        if (v & 1) {
            conv_node(b, &s, "x", "c", 5, 6, 3, 1, 1, 1);
            src = "c";
        }
        if (v / 2 == 0) {
            ob_node(b, "Transpose", src, "y");
            ob_attr_ints(b, "perm", 4, D(0, 2, 3, 1));
        } else {
            ob_node(b, "ReduceMean", src, "y");
            if (v / 2 == 3)
                ob_attr_ints(b, "axes", 2, D(-1, -2));
            else
                ob_attr_ints(b, "axes", 2, D(2, 3));
            ob_attr_int(b, "keepdims", v / 2 == 1 ? 1 : 0);
        }
        ob_node(b, "Relu", "y", "z");
        ob_output(b, "z");
        EXPECT_FAST(b, v, "case %d", v);
    }
}

TEST(nn_fast_softmax_wide)
{
    for (int v = 0; v < 2; v++) {
        struct ob *b = ob_new();
        ob_input(b, "x", 2, v ? D(1, 1000) : D(4, 40));
        ob_node(b, "Softmax", "x", "y");
        ob_output(b, "y");
        EXPECT_FAST(b, v, "wide softmax %d", v);
    }
}

TEST(nn_ref_batchnorm_gemm_bias_column)
{
    /* Gemm with C [M,1] (M == N == 2) then BN over N: the per-row bias must
     * not be mistaken for a per-channel one. a = [[1,2],[3,4]], B = I,
     * C = (1, -1) per row: pre-BN [[2,3],[2,3]]; BN scales by 1 and shifts
     * column 0 by -0.5, column 1 by -1. */
    struct ob *b = ob_new();
    ob_input(b, "a", 2, D(2, 2));
    ob_init_f32(b, "B", 2, D(2, 2), F(1, 0, 0, 1));
    ob_init_f32(b, "C", 2, D(2, 1), F(1, -1));
    ob_init_f32(b, "g", 1, D(2), F(2, 1));
    ob_init_f32(b, "be", 1, D(2), F(0.5f, 0));
    ob_init_f32(b, "mu", 1, D(2), F(1, 1));
    ob_init_f32(b, "var", 1, D(2), F(3, 0));
    ob_node(b, "Gemm", "a,B,C", "c");
    ob_node(b, "BatchNormalization", "c,g,be,mu,var", "y");
    ob_attr_float(b, "epsilon", 1.0f);
    ob_output(b, "y");
    LOAD(m, b);
    /* s = g / sqrt(var + eps) = (1, 1) */
    EXPECT_OUT(m, IN1(F(1, 2, 3, 4)), 0, 2, D(2, 2), F(1.5f, 2, 1.5f, 2), 1e-6);
    nn_model_free(m);
}

/* ---- error paths ------------------------------------------------------ */

/* x [1,2,4,4] -> op -> y, with the op's attributes added by the caller. */
static struct ob *one_node(const char *op, const char *ins)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 4, 4));
    float w[2 * 2 * 9];
    for (int i = 0; i < 36; i++)
        w[i] = 1;
    ob_init_f32(b, "w", 4, D(2, 2, 3, 3), w);
    ob_node(b, op, ins, "y");
    return b;
}

TEST(nn_err_unsupported_op)
{
    struct ob *b = one_node("LSTM", "x");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "LSTM");
    b = one_node("Relu", "x");
    ob_node_domain(b, "com.microsoft");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "domain");
    /* livecheck's own fused op is not for files to name */
    b = one_node("lc.ChannelShuffle", "x");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "lc.ChannelShuffle");
}

TEST(nn_err_unsupported_attribute)
{
    struct ob *b = one_node("Conv", "x,w");
    ob_attr_str(b, "auto_pad", "SAME_UPPER");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "auto_pad SAME_UPPER");

    b = one_node("MaxPool", "x");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_int(b, "ceil_mode", 1);
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "ceil_mode");

    b = one_node("Relu", "x"); /* an attribute the op does not have */
    ob_attr_float(b, "alpha", 0.1f);
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "alpha");

    b = one_node("Conv", "x,w"); /* 3-D conv */
    ob_attr_ints(b, "kernel_shape", 3, D(3, 3, 3));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "Conv");

    b = one_node("Softmax", "x"); /* opset 13 changed its meaning */
    ob_opset(b, 13);
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "Softmax");

    b = ob_new(); /* BatchNormalization spatial 0 */
    ob_input(b, "x", 2, D(1, 2));
    ob_init_f32(b, "p", 1, D(2), F(1, 1));
    ob_node(b, "BatchNormalization", "x,p,p,p,p", "y");
    ob_attr_int(b, "spatial", 0);
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "spatial");
}

TEST(nn_err_window_figures)
{
    /* Window figures past NN_MAX_WINDOW are refused, also ones that an int
     * would truncate to something small (2^32 + 1 is not a stride of 1);
     * a zero kernel size or stride, or a negative pad, is malformed. */
    struct ob *b = one_node("Conv", "x,w");
    ob_attr_ints(b, "strides", 2, D(2147483647, 2147483647));
    ob_attr_ints(b, "pads", 4, D(2147483647, 2147483647, 2147483647, 2147483647));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "strides");

    b = one_node("Conv", "x,w");
    ob_attr_ints(b, "strides", 2, D(4294967297LL, 1));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "4294967297");

    b = one_node("MaxPool", "x");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(0, 0, 0, 5000));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "pads 5000");

    b = one_node("MaxPool", "x");
    ob_attr_ints(b, "kernel_shape", 2, D(0, 2));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "kernel_shape");

    b = one_node("Conv", "x,w");
    ob_attr_ints(b, "pads", 4, D(0, -1, 0, 0));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "pads");
}

TEST(nn_err_unsupported_inputs)
{
    struct ob *b = ob_new(); /* a dynamic dimension */
    ob_input(b, "x", 2, D(-1, 4));
    ob_node(b, "Relu", "x", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "dynamic");

    b = ob_new(); /* a Reshape whose shape is computed at run time */
    ob_input(b, "x", 2, D(2, 2));
    ob_input(b, "s", 1, D(2));
    ob_node(b, "Reshape", "x,s", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "Reshape");

    b = ob_new(); /* an output that is a constant */
    ob_input(b, "x", 1, D(2));
    ob_init_f32(b, "k", 1, D(2), F(1, 2));
    ob_node(b, "Relu", "x", "y");
    ob_node(b, "Relu", "k", "z");
    ob_output(b, "y");
    ob_output(b, "z");
    LOAD_FAILS(b, LC_EUNSUP, "constant");
}

TEST(nn_err_graph_structure)
{
    struct ob *b = one_node("Relu", "ghost"); /* never produced */
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "ghost");

    b = ob_new(); /* read before it is written: not topological */
    ob_input(b, "x", 1, D(3));
    ob_node(b, "Relu", "t", "y");
    ob_node(b, "Relu", "x", "t");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "never produced");

    b = ob_new(); /* two writers */
    ob_input(b, "x", 1, D(3));
    ob_node(b, "Relu", "x", "y");
    ob_node(b, "Exp", "x", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "twice");

    b = ob_new(); /* an output nothing produces */
    ob_input(b, "x", 1, D(3));
    ob_node(b, "Relu", "x", "y");
    ob_output(b, "y");
    ob_output(b, "nowhere");
    LOAD_FAILS(b, LC_EFORMAT, "nowhere");

    b = ob_new(); /* a Constant writing over an initializer */
    ob_input(b, "x", 1, D(2));
    ob_init_f32(b, "k", 1, D(2), F(1, 2));
    ob_node(b, "Constant", "", "k");
    ob_attr_tensor_f32(b, "value", 1, D(2), F(3, 4));
    ob_node(b, "Add", "x,k", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "twice");

    b = ob_new(); /* no outputs */
    ob_input(b, "x", 1, D(3));
    ob_node(b, "Relu", "x", "y");
    LOAD_FAILS(b, LC_EFORMAT, "outputs");

    b = one_node("Conv", "x"); /* too few inputs */
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "Conv");

    b = one_node("Relu", ""); /* a required input left out */
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "Relu");

    b = ob_new(); /* Gemm with inner dimensions that differ */
    ob_input(b, "a", 2, D(2, 3));
    ob_init_f32(b, "B", 2, D(2, 2), F(1, 2, 3, 4));
    ob_node(b, "Gemm", "a,B", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "inner");

    b = one_node("Conv", "x,w"); /* a window larger than the input */
    ob_attr_ints(b, "dilations", 2, D(3, 3));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "window");

    /* windows that overhang the padded input: W + pads - kernel = -1,
     * which must not round to an output of 1 */
    b = ob_new();
    ob_input(b, "x", 4, D(1, 1, 7, 1));
    ob_node(b, "MaxPool", "x", "y");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(1, 1, 0, 0));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "window");
    b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 2, 7));
    ob_init_f32(b, "w", 4, D(1, 2, 3, 1), F(1, 1, 1, 1, 1, 1));
    ob_node(b, "Conv", "x,w", "y");
    ob_attr_ints(b, "strides", 2, D(2, 1));
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "window");

    b = one_node("Add", "x,w"); /* shapes that do not broadcast */
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EFORMAT, "broadcast");
}

TEST(nn_err_attribute_encoding)
{
    /* Repeated fields: the last name wins (and the first is not leaked). */
    struct ob_buf a = {0};
    ob_buf_field_str(&a, 1, "bogus");
    ob_buf_field_str(&a, 1, "axis");
    ob_buf_field_varint(&a, 3, 1);
    ob_buf_field_varint(&a, 20, 2);
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(1, 2));
    ob_node(b, "Softmax", "x", "y");
    ob_attr_raw(b, &a);
    ob_output(b, "y");
    ob_buf_free(&a);
    LOAD(m, b);
    EXPECT_OUT(m, IN1(F(0, 0)), 0, 2, D(1, 2), F(0.5f, 0.5f), 1e-6);
    nn_model_free(m);

    /* One attribute with both floats and ints, in either order. */
    for (int order = 0; order < 2; order++) {
        struct ob_buf c = {0};
        ob_buf_field_str(&c, 1, "pads");
        for (int k = 0; k < 3; k++) {
            if (order)
                ob_buf_field_varint(&c, 8, 1);
            ob_buf_field_fixed32(&c, 7, 0x3f800000u);
            if (!order)
                ob_buf_field_varint(&c, 8, 1);
        }
        b = one_node("MaxPool", "x");
        ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
        ob_attr_raw(b, &c);
        ob_output(b, "y");
        ob_buf_free(&c);
        LOAD_FAILS(b, LC_EFORMAT, "attribute");
    }
}

/* A small valid model exercising most of the reader: Conv with attributes,
 * an int64 initializer, a Constant node, a Gemm. */
static uint8_t *valid_model(size_t *n)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 4, 4));
    float w[36];
    for (int i = 0; i < 36; i++)
        w[i] = (float)i / 36.0f;
    ob_init_f32(b, "w", 4, D(2, 2, 3, 3), w);
    init_i64s(b, "s", 2, D(1, -1));
    ob_node(b, "Conv", "x,w", "c");
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_node(b, "Constant", "", "k");
    ob_attr_tensor_f32(b, "value", 1, D(1), F(0.5f));
    ob_node(b, "Mul", "c,k", "m");
    ob_node(b, "Reshape", "m,s", "y");
    ob_output(b, "y");
    return ob_finish(b, n);
}

TEST(nn_err_truncated)
{
    /* Every proper prefix of a valid model is malformed; none crashes. */
    size_t n;
    uint8_t *buf = valid_model(&n);
    nn_model *m = NULL;
    struct lc_diag d = {{0}};
    ASSERT_INT(nn_model_load_buffer(&m, buf, n, &d), ==, 0);
    nn_model_free(m);
    for (size_t k = 0; k < n; k++) {
        uint8_t *cut = malloc(k ? k : 1); /* exact size, for ASan */
        memcpy(cut, buf, k);
        int rc = nn_model_load_buffer(&m, cut, k, &d);
        free(cut);
        if (rc != LC_EFORMAT || m != NULL) {
            test_fail(__FILE__, __LINE__, "prefix of %zu/%zu bytes: %d (%s)", k,
                      n, rc, d.msg);
            nn_model_free(m);
            free(buf);
            return;
        }
    }
    free(buf);
}

TEST(nn_err_random_bytes)
{
    /* Random buffers, and a valid model with bytes flipped: an error or a
     * model, never a crash; pure noise is always LC_EFORMAT. */
    uint64_t s = 42;
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(rng_next(&s) % 300);
        uint8_t *buf = malloc(n ? n : 1);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rng_next(&s);
        nn_model *m = NULL;
        struct lc_diag d = {{0}};
        int rc = nn_model_load_buffer(&m, buf, n, &d);
        free(buf);
        if (rc != LC_EFORMAT || m != NULL) {
            test_fail(__FILE__, __LINE__, "random buffer %d: %d (%s)", i, rc, d.msg);
            nn_model_free(m);
            return;
        }
    }
    size_t n;
    uint8_t *good = valid_model(&n);
    for (int i = 0; i < 3000; i++) {
        uint8_t *buf = malloc(n);
        memcpy(buf, good, n);
        for (int f = 0; f < 1 + i % 3; f++)
            buf[rng_next(&s) % n] ^= (uint8_t)(1u << (rng_next(&s) % 8));
        nn_model *m = NULL;
        struct lc_diag d = {{0}};
        int rc = nn_model_load_buffer(&m, buf, n, &d);
        free(buf);
        if ((rc == 0) != (m != NULL) || rc > 0) {
            test_fail(__FILE__, __LINE__, "flipped model %d: %d", i, rc);
            free(good);
            return;
        }
        if (m) { /* whatever loaded must run */
            for (int e = 0; e < 2; e++) {
                struct outs o;
                run_model(m, e ? NN_EXEC_FAST : NN_EXEC_REF, NULL, &o);
                outs_free(&o);
            }
            nn_model_free(m);
        }
    }
    free(good);
}

TEST(nn_err_empty)
{
    nn_model *m = (nn_model *)&m;
    struct lc_diag d = {{0}};
    ASSERT_INT(nn_model_load_buffer(&m, (const uint8_t *)"", 0, &d), ==, LC_EFORMAT);
    ASSERT(m == NULL);
}

TEST(nn_fuzz_seeds_load)
{
    /* The fuzz seeds (fuzz/gen_onnx_corpus.c) are valid models: they load,
     * and the fast plan agrees with the reference on them. */
    const char *dir = "fuzz/corpus/onnx";
    DIR *dh = opendir(dir);
    ASSERT(dh != NULL);
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".onnx") != 0)
            continue;
        char path[1024], msg[300];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        nn_model *m;
        struct lc_diag d = {{0}};
        int rc = nn_model_load(&m, path, NULL, &d);
        bool ok = rc == 0 && model_fast_matches_ref(m, 7, msg, sizeof msg);
        if (rc != 0)
            snprintf(msg, sizeof msg, "load failed (%d): %s", rc, d.msg);
        nn_model_free(m);
        if (!ok) {
            test_fail(__FILE__, __LINE__, "%s: %s", path, msg);
            closedir(dh);
            return;
        }
        seen++;
    }
    closedir(dh);
    ASSERT_INT(seen, >=, 7);
}

/* Only data movement and the four arithmetic ops compute on int64 at load
 * time; any other op on an int64 constant is refused rather than reading
 * its bytes as floats. */
TEST(nn_err_int64_arithmetic_refused)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 2, D(1, 2));
    ob_init_i64(b, "k", 1, D(2), (int64_t[]){-3, 4});
    ob_node(b, "Relu", "k", "r");
    ob_node(b, "Add", "x,x", "y");
    ob_output(b, "y");
    LOAD_FAILS(b, LC_EUNSUP, "Relu on int64");
}
