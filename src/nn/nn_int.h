/* src/nn/nn_int.h - what the files of src/nn share (never included from
 * outside src/nn).
 *
 * A model is a table of tensors (graph inputs, initializers, activations)
 * and a list of nodes in topological order. Loading parses the ONNX file,
 * infers every shape for the fixed input shape, evaluates at load time every
 * node whose inputs are all known (shape chains, constant arithmetic), folds
 * BatchNormalization into the Gemm/MatMul/Conv before it, and then builds two
 * execution plans: the reference plan (every kernel in plain C, NCHW) and the
 * fast plan (XNNPACK operators in NHWC, plain C elsewhere, with explicit
 * layout conversions where a kernel needs another layout). A plan fixes each
 * activation's offset in one arena, so a session allocates once.
 */
#ifndef LC_NN_INT_H
#define LC_NN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"
#include "livecheck/nn.h"

#define NN_MAX_IO 8
/* The largest kernel size, stride, dilation or pad a Conv or pool may have
 * (ops/conv.c), so that index arithmetic on them stays within int. */
#define NN_MAX_WINDOW 4096

enum nn_dtype { NN_F32 = 1, NN_I64 = 7 };
enum nn_layout { NN_PLAIN = 0, NN_NHWC = 1 };

struct nn_tensor {
    char *name;
    struct nn_shape shape; /* logical (ONNX) shape */
    enum nn_dtype dtype;
    bool is_const;   /* value known at load time */
    void *data;      /* constant value (owned by the model) */
    bool is_input;   /* a graph input */
    bool is_output;  /* a graph output */
};

/* One ONNX attribute as read from the file. */
struct nn_attr {
    char *name;
    int type; /* AttributeProto.AttributeType: 1 f, 2 i, 3 s, 4 t, 6 fs, 7 is */
    float f;
    int64_t i;
    char *s;
    int n;          /* count of ints/floats */
    int64_t *ints;
    float *floats;
    int tensor;     /* tensor id for type 4, else -1 */
    bool used;      /* read by the op's parse */
};

/* Parameters parsed once from attributes, by op. */
struct nn_conv_p {
    int group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
    int fused_relu; /* a Relu folded into this Conv (fuse.c) */
};
struct nn_params {
    struct nn_conv_p conv; /* Conv, MaxPool, AveragePool */
    int axis;              /* Softmax, Concat, Split, Flatten, Gather */
    int perm[NN_MAX_RANK]; /* Transpose */
    int nsplit;
    int64_t split[NN_MAX_IO];
    int64_t starts[NN_MAX_RANK], ends[NN_MAX_RANK], axes[NN_MAX_RANK];
    int naxes;            /* Slice, Unsqueeze, Squeeze, ReduceMean */
    int keepdims;
    int trans_a, trans_b; /* Gemm */
    float alpha, beta, eps, lo, hi;
};

struct nn_model;
struct nn_node;
struct nn_step;

/* Per-run view: the data pointer of every tensor id. */
struct nn_exec_ctx {
    void **ptr;
    const struct nn_model *m;
    const uint8_t *layout; /* per tensor id */
};

struct nn_op {
    const char *name;             /* ONNX op_type */
    const char *const *attrs;     /* supported attribute names, NULL-ended */
    int min_in, max_in, nout_max; /* arity */
    /* Read attributes into n->p and check them. May be NULL. */
    int (*parse)(struct nn_model *m, struct nn_node *n, struct lc_diag *d);
    /* Fill output shapes/dtypes from inputs (and constant inputs). */
    int (*shape)(struct nn_model *m, struct nn_node *n, struct lc_diag *d);
    /* Reference kernel on plain (NCHW) layouts. Cannot fail. */
    void (*run)(const struct nn_node *n, const struct nn_step *st,
                struct nn_exec_ctx *c);
    /* The fast plan's kernel where the op has one that XNNPACK lacks
     * (vector code, nn/vec.h); NULL: the fast plan runs `run` too. */
    void (*run_fast)(const struct nn_node *n, const struct nn_step *st,
                     struct nn_exec_ctx *c);
    /* run_fast reads and writes its 4-D tensors in NHWC, so the fast plan
     * keeps them there (no layout conversion around the op). */
    bool fast_nhwc;
    /* Pure data movement: kernels work for any element size. */
    bool movement;
    /* The kernel also computes on int64 (shape arithmetic at load time). */
    bool int64;
};

struct nn_node {
    const struct nn_op *op;
    char *name, *op_type;
    int nin, nout;
    int in[NN_MAX_IO];  /* tensor ids, -1 for an omitted optional input */
    int out[NN_MAX_IO];
    int nattr;
    struct nn_attr *attr;
    struct nn_params p;
    bool dead; /* folded away or fused into another node */
};

/* One executed step of a plan. kind NN_STEP_NODE runs node `node` with the
 * tensor ids in/out (which may differ from the node's own when the plan
 * inserted layout conversions); the other kinds convert a 4-D tensor. */
enum nn_step_kind { NN_STEP_NODE, NN_STEP_TO_NHWC, NN_STEP_TO_NCHW };
struct nn_step {
    enum nn_step_kind kind;
    int node;
    int nin, nout;
    int in[NN_MAX_IO], out[NN_MAX_IO];
    bool fast; /* run through XNNPACK (fast plan only) */
};

struct nn_plan {
    int nsteps;
    struct nn_step *steps;
    int ntensors;       /* model tensors + conversion tensors */
    uint8_t *layout;    /* per tensor id */
    size_t *off;        /* arena offset per tensor id, SIZE_MAX if none */
    size_t arena_size;  /* bytes */
};

struct nn_model {
    int ntensors, cap_tensors;
    struct nn_tensor *t;
    int nnodes, cap_nodes;
    struct nn_node *nodes;
    int ninputs, noutputs;
    int inputs[NN_MAX_IO], outputs[NN_MAX_IO];
    int opset;
    int file_nodes; /* nodes in the file */
    char sha256[65];
    struct nn_plan plan[2]; /* by enum nn_exec */
};

/* Element count and bytes of a tensor. */
size_t nn_tensor_numel(const struct nn_tensor *t);
size_t nn_tensor_bytes(const struct nn_tensor *t);

/* Add a tensor (name copied) and return its id. */
int nn_model_tensor_add(struct nn_model *m, const char *name);
/* Find a tensor by name; -1 if absent. */
int nn_model_tensor_find(const struct nn_model *m, const char *name);

/* Attribute helpers for parse(): mark the attribute used, return the value
 * or the default. nn_attr_ints returns the count and the array. */
int64_t nn_attr_int(struct nn_node *n, const char *name, int64_t def);
float nn_attr_float(struct nn_node *n, const char *name, float def);
int nn_attr_ints(struct nn_node *n, const char *name, const int64_t **v);

/* The op registry (ops/registry.c). */
const struct nn_op *nn_op_find(const char *name);

/* Parse an ONNX ModelProto into m's tensors and nodes (onnx.c). */
int nn_onnx_parse(struct nn_model *m, const uint8_t *buf, size_t n,
                  struct lc_diag *d);
/* Shape inference, constant folding, BatchNorm folding (fold.c). */
int nn_graph_prepare(struct nn_model *m, struct lc_diag *d);
/* Conv+Relu and channel-shuffle rewrites (fuse.c). */
void nn_graph_fuse(struct nn_model *m);
/* Build the reference and fast plans (plan.c). */
int nn_plan_build(struct nn_model *m, enum nn_exec exec, struct lc_diag *d);
void nn_plan_release(struct nn_plan *p);

/* Run one node with its reference kernel on a context (used by folding). */
void nn_node_run_ref(const struct nn_model *m, const struct nn_node *n,
                     struct nn_exec_ctx *c);

/* Shape helpers. */
bool nn_shape_eq(const struct nn_shape *a, const struct nn_shape *b);
/* NumPy-style broadcast of a and b into out; false if incompatible. */
bool nn_shape_broadcast(const struct nn_shape *a, const struct nn_shape *b,
                        struct nn_shape *out);

#define IN_T(m, n, i) (&(m)->t[(n)->in[i]])
#define OUT_T(m, n, i) (&(m)->t[(n)->out[i]])

#endif
