/* fuzz/gen_onnx_corpus.c - write the seed corpus of fuzz_onnx.
 *
 * A handful of tiny models (each well under 2 KB) that between them use
 * every op livecheck implements, the load-time rewrites (BatchNormalization
 * folding, Shape chains, Conv+Relu, channel shuffle, the ShuffleNetV2 unit
 * end, the AVX-512 window kernel) and both encodings of
 * repeated fields and tensor data, built with the test suite's ONNX writer:
 *
 *     cc -std=c11 -Itests/unit fuzz/gen_onnx_corpus.c tests/unit/onnx_build.c \
 *        -o build/gen_onnx_corpus && build/gen_onnx_corpus fuzz/corpus/onnx
 *
 * The output is deterministic; the files are committed, so this only needs
 * running again when the set of seeds changes. tests/unit/t_nn_ops.c checks
 * that every seed still loads and runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_build.h"

#define D(...) ((const int64_t[]){__VA_ARGS__})
#define F(...) ((const float[]){__VA_ARGS__})

static uint64_t seed = 1;

/* Small deterministic weights in [-1, 1). */
static void init_w(struct ob *b, const char *name, int rank, const int64_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    float *v = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (float)(seed >> 40) / (float)(1 << 23) - 1.0f;
    }
    ob_init_f32(b, name, rank, dims, v);
    free(v);
}

static void init_i64s(struct ob *b, const char *name, int n, const int64_t *v)
{
    ob_init_i64(b, name, 1, (int64_t[]){n}, v);
}

/* Conv -> Relu -> MaxPool -> depthwise Conv -> GAP -> Reshape -> Gemm ->
 * Softmax: a classifier. */
static struct ob *m_classifier(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 7, 7));
    init_w(b, "w1", 4, D(4, 2, 3, 3));
    init_w(b, "b1", 1, D(4));
    ob_node(b, "Conv", "x,w1,b1", "c1");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_attr_ints(b, "strides", 2, D(1, 1));
    ob_node(b, "Relu", "c1", "r1");
    ob_node(b, "MaxPool", "r1", "p1");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(1, 1, 0, 0));
    init_w(b, "w2", 4, D(4, 1, 3, 3));
    ob_node(b, "Conv", "p1,w2", "c2");
    ob_attr_int(b, "group", 4);
    ob_attr_ints(b, "dilations", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(2, 2, 2, 2));
    ob_node(b, "GlobalAveragePool", "c2", "g");
    init_i64s(b, "shape", 2, D(1, -1));
    ob_node(b, "Reshape", "g,shape", "f");
    init_w(b, "fc", 2, D(3, 4));
    init_w(b, "fcb", 1, D(3));
    ob_node(b, "Gemm", "f,fc,fcb", "logits");
    ob_attr_int(b, "transB", 1);
    ob_node(b, "Softmax", "logits", "y");
    ob_attr_int(b, "axis", 1);
    ob_output(b, "y");
    return b;
}

/* Shape -> Gather -> Unsqueeze -> Concat -> Reshape, with Constant and
 * int64 arithmetic, all folded at load. */
static struct ob *m_shape_chain(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 2, 2));
    ob_init_i64(b, "zero", 0, NULL, D(0));
    ob_node(b, "Shape", "x", "s");
    ob_node(b, "Gather", "s,zero", "n");
    ob_node(b, "Constant", "", "two");
    ob_attr_tensor_i64(b, "value", 0, NULL, D(2));
    ob_node(b, "Mul", "n,two", "n2");
    ob_node(b, "Unsqueeze", "n2", "n21");
    ob_attr_ints(b, "axes", 1, D(0));
    init_i64s(b, "rest", 1, D(-1));
    ob_node(b, "Concat", "n21,rest", "shape");
    ob_attr_int(b, "axis", 0);
    ob_node(b, "Reshape", "x,shape", "y");
    ob_output(b, "y");
    return b;
}

/* Conv -> channel shuffle (Reshape, Transpose, Reshape) -> Split -> Concat
 * -> Conv, BatchNormalization folded into the convs. */
static struct ob *m_shuffle(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 2, 4, 4));
    init_w(b, "w1", 4, D(4, 2, 1, 1));
    ob_node(b, "Conv", "x,w1", "c1");
    init_w(b, "g", 1, D(4));
    init_w(b, "be", 1, D(4));
    init_w(b, "mu", 1, D(4));
    ob_init_f32(b, "var", 1, D(4), F(1, 0.5f, 2, 1));
    ob_node(b, "BatchNormalization", "c1,g,be,mu,var", "bn1");
    ob_attr_float(b, "epsilon", 1e-3f);
    init_i64s(b, "s5", 5, D(1, 2, 2, 4, 4));
    init_i64s(b, "s4", 4, D(1, 4, 4, 4));
    ob_node(b, "Reshape", "bn1,s5", "r5");
    ob_node(b, "Transpose", "r5", "t5");
    ob_attr_ints(b, "perm", 5, D(0, 2, 1, 3, 4));
    ob_node(b, "Reshape", "t5,s4", "sh");
    ob_node(b, "Split", "sh", "a,c");
    ob_attr_int(b, "axis", 1);
    ob_attr_ints(b, "split", 2, D(1, 3));
    ob_node(b, "Concat", "c,a", "cat");
    ob_attr_int(b, "axis", 1);
    init_w(b, "w2", 4, D(2, 2, 3, 3));
    ob_node(b, "Conv", "cat,w2", "y");
    ob_attr_int(b, "group", 2);
    ob_attr_ints(b, "strides", 2, D(2, 2));
    ob_output(b, "y");
    return b;
}

/* Elementwise ops with broadcasting, PRelu, an SE-style scale. */
static struct ob *m_elementwise(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 3, 2, 3));
    ob_input(b, "z", 2, D(2, 3));
    init_w(b, "k", 4, D(1, 3, 1, 1));
    init_w(b, "slope", 3, D(3, 1, 1));
    ob_init_f32(b, "two", 0, NULL, F(2));
    ob_node(b, "Add", "x,k", "a");
    ob_node(b, "Sub", "a,two", "s");
    ob_node(b, "PRelu", "s,slope", "p");
    ob_node(b, "GlobalAveragePool", "p", "g");
    ob_node(b, "Sigmoid", "g", "gs");
    ob_node(b, "Mul", "p,gs", "m");
    ob_node(b, "Div", "m,two", "y");
    ob_node(b, "Exp", "z", "e");
    ob_node(b, "Mul", "e,z", "y2");
    ob_output(b, "y");
    ob_output(b, "y2");
    return b;
}

/* Data movement: Slice, Transpose, Gather, Unsqueeze, Flatten,
 * ReduceMean, Split, and a MatMul with BatchNormalization after it. */
static struct ob *m_movement(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 3, D(2, 3, 4));
    ob_node(b, "Slice", "x", "sl");
    ob_attr_ints(b, "starts", 2, D(1, -3));
    ob_attr_ints(b, "ends", 2, D(INT64_MAX, 3));
    ob_attr_ints(b, "axes", 2, D(1, 2));
    ob_node(b, "Transpose", "sl", "t");
    ob_attr_ints(b, "perm", 3, D(2, 0, 1));
    init_i64s(b, "idx", 2, D(1, -1));
    ob_node(b, "Gather", "x,idx", "ga");
    ob_attr_int(b, "axis", 2);
    ob_node(b, "Unsqueeze", "ga", "u");
    ob_attr_ints(b, "axes", 1, D(0));
    ob_node(b, "Flatten", "u", "fl");
    ob_attr_int(b, "axis", 2);
    ob_node(b, "ReduceMean", "x", "rm");
    ob_attr_ints(b, "axes", 1, D(-1));
    ob_attr_int(b, "keepdims", 0);
    ob_node(b, "Split", "rm", "r0,r1");
    ob_attr_int(b, "axis", 0);
    init_w(b, "mm", 2, D(3, 2));
    ob_node(b, "MatMul", "r0,mm", "p");
    ob_init_f32(b, "one", 1, D(2), F(1, 1));
    ob_init_f32(b, "nil", 1, D(2), F(0, 0.5f));
    ob_node(b, "BatchNormalization", "p,one,nil,nil,one", "bn");
    ob_output(b, "t");
    ob_output(b, "fl");
    ob_output(b, "bn");
    ob_output(b, "r1");
    return b;
}

/* The classifier's first layers with packed repeated fields and typed
 * tensor data (float_data, int64_data) instead of raw_data. */
static struct ob *m_packed(void)
{
    struct ob *b = ob_new();
    ob_packed(b, true);
    ob_typed_data(b, true);
    ob_input(b, "x", 4, D(1, 1, 5, 5));
    init_w(b, "w", 4, D(2, 1, 2, 2));
    init_w(b, "bias", 1, D(2));
    ob_node(b, "Conv", "x,w,bias", "c");
    ob_attr_ints(b, "kernel_shape", 2, D(2, 2));
    ob_attr_ints(b, "pads", 4, D(0, 1, 1, 0));
    ob_node(b, "Relu", "c", "r");
    init_i64s(b, "shape", 2, D(0, -1));
    ob_node(b, "Reshape", "r,shape", "f");
    init_w(b, "fc", 2, D(50, 2));
    ob_node(b, "Gemm", "f,fc", "y");
    ob_attr_float(b, "alpha", 0.5f);
    ob_output(b, "y");
    return b;
}

/* A ShuffleNetV2 unit end and wide windows: a depthwise Conv (Relu) and a
 * MaxPool over 16-column rows (livecheck's own AVX-512 window kernel),
 * then Concat with the input -> channel shuffle -> Split in halves
 * (lc.ConcatShuffle). */
static struct ob *m_unit(void)
{
    struct ob *b = ob_new();
    ob_input(b, "x", 4, D(1, 4, 3, 16));
    init_w(b, "wd", 4, D(4, 1, 3, 3));
    init_w(b, "bd", 1, D(4));
    ob_node(b, "Conv", "x,wd,bd", "dw");
    ob_attr_int(b, "group", 4);
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_node(b, "Relu", "dw", "r");
    ob_node(b, "MaxPool", "r", "mp");
    ob_attr_ints(b, "kernel_shape", 2, D(3, 3));
    ob_attr_ints(b, "pads", 4, D(1, 1, 1, 1));
    ob_node(b, "Concat", "x,mp", "cat");
    ob_attr_int(b, "axis", 1);
    init_i64s(b, "s5", 5, D(1, 2, 4, 3, 16));
    init_i64s(b, "s4", 4, D(1, 8, 3, 16));
    ob_node(b, "Reshape", "cat,s5", "r5");
    ob_node(b, "Transpose", "r5", "t5");
    ob_attr_ints(b, "perm", 5, D(0, 2, 1, 3, 4));
    ob_node(b, "Reshape", "t5,s4", "sh");
    ob_node(b, "Split", "sh", "y0,y1");
    ob_attr_int(b, "axis", 1);
    ob_output(b, "y0");
    ob_output(b, "y1");
    return b;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "fuzz/corpus/onnx";
    struct {
        const char *name;
        struct ob *(*make)(void);
    } seeds[] = {{"classifier", m_classifier}, {"shape_chain", m_shape_chain},
                 {"shuffle", m_shuffle},       {"elementwise", m_elementwise},
                 {"movement", m_movement},     {"packed", m_packed},
                 {"unit", m_unit}};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char path[1024];
        size_t n;
        uint8_t *buf = ob_finish(seeds[i].make(), &n);
        snprintf(path, sizeof path, "%s/%s.onnx", dir, seeds[i].name);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
            perror(path);
            return 1;
        }
        printf("%s: %zu bytes\n", path, n);
        free(buf);
    }
    return 0;
}
