/* tests/unit/onnx_build.c - a tiny ONNX protobuf writer (see onnx_build.h).
 *
 * Field numbers are those of onnx.proto: ModelProto {ir_version 1,
 * producer_name 2, graph 7, opset_import 8}, GraphProto {node 1, name 2,
 * initializer 5, input 11, output 12}, NodeProto {input 1, output 2, name 3,
 * op_type 4, attribute 5, domain 7}, AttributeProto {name 1, f 2, i 3, s 4,
 * t 5, floats 7, ints 8, type 20}, TensorProto {dims 1, data_type 2,
 * float_data 4, int64_data 7, name 8, raw_data 9}. Nested messages are
 * written into their own buffer, then appended length-prefixed.
 */
#include "onnx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W_VARINT = 0, W_LEN = 2, W_I32 = 5 };
enum { T_F32 = 1, T_I64 = 7 };                       /* TensorProto.DataType */
enum { A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_TENSOR = 4, A_FLOATS = 6,
       A_INTS = 7 };                                 /* AttributeType */

struct ob {
    struct ob_buf graph; /* GraphProto fields so far */
    struct ob_buf node;  /* the node being built */
    bool in_node;
    bool packed, typed;
    int64_t opset, ir;
    char *tensor_name; /* for the next attribute tensor */
};

/* ---- byte buffer ------------------------------------------------------ */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "onnx_build: out of memory\n");
        abort();
    }
    return p;
}

void ob_buf_bytes(struct ob_buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = b->cap ? b->cap : 64;
        while (b->n + n > b->cap)
            b->cap *= 2;
        b->p = xrealloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

void ob_buf_varint(struct ob_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t k = 0;
    do {
        tmp[k] = (uint8_t)(v & 0x7f);
        v >>= 7;
        tmp[k++] |= v ? 0x80 : 0;
    } while (v);
    ob_buf_bytes(b, tmp, k);
}

void ob_buf_tag(struct ob_buf *b, uint32_t field, int wire)
{
    ob_buf_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

void ob_buf_field_varint(struct ob_buf *b, uint32_t field, uint64_t v)
{
    ob_buf_tag(b, field, W_VARINT);
    ob_buf_varint(b, v);
}

void ob_buf_field_fixed32(struct ob_buf *b, uint32_t field, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24)};
    ob_buf_tag(b, field, W_I32);
    ob_buf_bytes(b, le, 4);
}

void ob_buf_field_len(struct ob_buf *b, uint32_t field, const void *p, size_t n)
{
    ob_buf_tag(b, field, W_LEN);
    ob_buf_varint(b, n);
    ob_buf_bytes(b, p, n);
}

void ob_buf_field_str(struct ob_buf *b, uint32_t field, const char *s)
{
    ob_buf_field_len(b, field, s, strlen(s));
}

void ob_buf_field_msg(struct ob_buf *b, uint32_t field, struct ob_buf *sub)
{
    ob_buf_field_len(b, field, sub->p, sub->n);
    ob_buf_free(sub);
}

void ob_buf_free(struct ob_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* A repeated int64 field: one tag per value, or one packed run. */
static void put_ints(struct ob_buf *b, uint32_t field, int n, const int64_t *v,
                     bool packed)
{
    if (!packed) {
        for (int i = 0; i < n; i++)
            ob_buf_field_varint(b, field, (uint64_t)v[i]);
        return;
    }
    struct ob_buf run = {0};
    for (int i = 0; i < n; i++)
        ob_buf_varint(&run, (uint64_t)v[i]);
    ob_buf_field_msg(b, field, &run);
}

static size_t numel(int rank, const int64_t *dims)
{
    size_t k = 1;
    for (int i = 0; i < rank; i++)
        k *= (size_t)dims[i];
    return k;
}

/* TensorProto fields into t. */
static void put_tensor(const struct ob *b, struct ob_buf *t, const char *name,
                       int dtype, int rank, const int64_t *dims,
                       const void *data)
{
    size_t k = numel(rank, dims);
    put_ints(t, 1, rank, dims, b->packed);
    ob_buf_field_varint(t, 2, (uint64_t)dtype);
    if (name)
        ob_buf_field_str(t, 8, name);
    if (!b->typed) {
        ob_buf_field_len(t, 9, data, k * (dtype == T_F32 ? 4 : 8));
        return;
    }
    struct ob_buf run = {0}; /* float_data and int64_data are [packed] */
    for (size_t i = 0; i < k; i++) {
        if (dtype == T_F32) {
            uint32_t u = f32_bits(((const float *)data)[i]);
            uint8_t le[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16),
                             (uint8_t)(u >> 24)};
            ob_buf_bytes(&run, le, 4);
        } else {
            ob_buf_varint(&run, (uint64_t)((const int64_t *)data)[i]);
        }
    }
    ob_buf_field_msg(t, dtype == T_F32 ? 4 : 7, &run);
}

/* ---- model builder ---------------------------------------------------- */

struct ob *ob_new(void)
{
    struct ob *b = xrealloc(NULL, sizeof *b);
    memset(b, 0, sizeof *b);
    b->opset = 9;
    b->ir = 4;
    return b;
}

void ob_opset(struct ob *b, int64_t version) { b->opset = version; }
void ob_ir_version(struct ob *b, int64_t v) { b->ir = v; }
void ob_packed(struct ob *b, bool packed) { b->packed = packed; }
void ob_typed_data(struct ob *b, bool typed) { b->typed = typed; }

static void end_node(struct ob *b)
{
    if (b->in_node)
        ob_buf_field_msg(&b->graph, 1, &b->node);
    b->in_node = false;
}

void ob_input(struct ob *b, const char *name, int rank, const int64_t *dims)
{
    end_node(b);
    struct ob_buf vi = {0}, tp = {0}, tt = {0}, sh = {0};
    for (int i = 0; i < rank; i++) {
        struct ob_buf dim = {0};
        ob_buf_field_varint(&dim, 1, (uint64_t)dims[i]); /* dim_value */
        ob_buf_field_msg(&sh, 1, &dim);
    }
    ob_buf_field_varint(&tt, 1, T_F32); /* elem_type */
    ob_buf_field_msg(&tt, 2, &sh);      /* shape */
    ob_buf_field_msg(&tp, 1, &tt);      /* tensor_type */
    ob_buf_field_str(&vi, 1, name);
    ob_buf_field_msg(&vi, 2, &tp);
    ob_buf_field_msg(&b->graph, 11, &vi);
}

void ob_output(struct ob *b, const char *name)
{
    end_node(b);
    struct ob_buf vi = {0}, tp = {0}, tt = {0};
    ob_buf_field_varint(&tt, 1, T_F32);
    ob_buf_field_msg(&tp, 1, &tt);
    ob_buf_field_str(&vi, 1, name);
    ob_buf_field_msg(&vi, 2, &tp);
    ob_buf_field_msg(&b->graph, 12, &vi);
}

static void init_tensor(struct ob *b, const char *name, int dtype, int rank,
                        const int64_t *dims, const void *data)
{
    end_node(b);
    struct ob_buf t = {0};
    put_tensor(b, &t, name, dtype, rank, dims, data);
    ob_buf_field_msg(&b->graph, 5, &t);
}

void ob_init_f32(struct ob *b, const char *name, int rank, const int64_t *dims,
                 const float *data)
{
    init_tensor(b, name, T_F32, rank, dims, data);
}

void ob_init_i64(struct ob *b, const char *name, int rank, const int64_t *dims,
                 const int64_t *data)
{
    init_tensor(b, name, T_I64, rank, dims, data);
}

/* Each comma-separated name of list as one string field. */
static void put_names(struct ob_buf *b, uint32_t field, const char *list)
{
    if (list == NULL || *list == 0)
        return;
    for (const char *s = list;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        ob_buf_field_len(b, field, s, len);
        if (e == NULL)
            break;
        s = e + 1;
    }
}

void ob_node(struct ob *b, const char *op_type, const char *inputs,
             const char *outputs)
{
    end_node(b);
    b->in_node = true;
    put_names(&b->node, 1, inputs);
    put_names(&b->node, 2, outputs);
    const char *comma = strchr(outputs, ',');
    ob_buf_field_len(&b->node, 3, outputs,
                     comma ? (size_t)(comma - outputs) : strlen(outputs));
    ob_buf_field_str(&b->node, 4, op_type);
}

void ob_node_domain(struct ob *b, const char *domain)
{
    if (b->in_node)
        ob_buf_field_str(&b->node, 7, domain);
}

/* Start an AttributeProto of the given type; the caller adds the value and
 * closes it with end_attr. */
static struct ob_buf begin_attr(const char *name, int type)
{
    struct ob_buf a = {0};
    ob_buf_field_str(&a, 1, name);
    ob_buf_field_varint(&a, 20, (uint64_t)type);
    return a;
}

static void end_attr(struct ob *b, struct ob_buf *a)
{
    if (!b->in_node) {
        ob_buf_free(a);
        return;
    }
    ob_buf_field_msg(&b->node, 5, a);
}

void ob_attr_int(struct ob *b, const char *name, int64_t v)
{
    struct ob_buf a = begin_attr(name, A_INT);
    ob_buf_field_varint(&a, 3, (uint64_t)v);
    end_attr(b, &a);
}

void ob_attr_float(struct ob *b, const char *name, float v)
{
    struct ob_buf a = begin_attr(name, A_FLOAT);
    ob_buf_field_fixed32(&a, 2, f32_bits(v));
    end_attr(b, &a);
}

void ob_attr_ints(struct ob *b, const char *name, int n, const int64_t *v)
{
    struct ob_buf a = begin_attr(name, A_INTS);
    put_ints(&a, 8, n, v, b->packed);
    end_attr(b, &a);
}

void ob_attr_floats(struct ob *b, const char *name, int n, const float *v)
{
    struct ob_buf a = begin_attr(name, A_FLOATS);
    if (b->packed) {
        struct ob_buf run = {0};
        for (int i = 0; i < n; i++) {
            uint32_t u = f32_bits(v[i]);
            uint8_t le[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16),
                             (uint8_t)(u >> 24)};
            ob_buf_bytes(&run, le, 4);
        }
        ob_buf_field_msg(&a, 7, &run);
    } else {
        for (int i = 0; i < n; i++)
            ob_buf_field_fixed32(&a, 7, f32_bits(v[i]));
    }
    end_attr(b, &a);
}

void ob_attr_str(struct ob *b, const char *name, const char *s)
{
    struct ob_buf a = begin_attr(name, A_STRING);
    ob_buf_field_str(&a, 4, s);
    end_attr(b, &a);
}

void ob_attr_tensor_name(struct ob *b, const char *tensor_name)
{
    free(b->tensor_name);
    b->tensor_name = xrealloc(NULL, strlen(tensor_name) + 1);
    strcpy(b->tensor_name, tensor_name);
}

static void attr_tensor(struct ob *b, const char *name, int dtype, int rank,
                        const int64_t *dims, const void *data)
{
    struct ob_buf a = begin_attr(name, A_TENSOR), t = {0};
    put_tensor(b, &t, b->tensor_name, dtype, rank, dims, data);
    free(b->tensor_name);
    b->tensor_name = NULL;
    ob_buf_field_msg(&a, 5, &t);
    end_attr(b, &a);
}

void ob_attr_tensor_f32(struct ob *b, const char *name, int rank,
                        const int64_t *dims, const float *data)
{
    attr_tensor(b, name, T_F32, rank, dims, data);
}

void ob_attr_tensor_i64(struct ob *b, const char *name, int rank,
                        const int64_t *dims, const int64_t *data)
{
    attr_tensor(b, name, T_I64, rank, dims, data);
}

void ob_attr_raw(struct ob *b, const struct ob_buf *attr)
{
    if (b->in_node)
        ob_buf_field_len(&b->node, 5, attr->p, attr->n);
}

uint8_t *ob_finish(struct ob *b, size_t *n)
{
    end_node(b);
    ob_buf_field_str(&b->graph, 2, "test");
    struct ob_buf model = {0}, os = {0};
    ob_buf_field_varint(&model, 1, (uint64_t)b->ir);
    ob_buf_field_str(&model, 2, "livecheck-tests");
    ob_buf_field_str(&os, 1, "");
    ob_buf_field_varint(&os, 2, (uint64_t)b->opset);
    ob_buf_field_msg(&model, 8, &os);
    ob_buf_field_msg(&model, 7, &b->graph);
    free(b->tensor_name);
    free(b);
    *n = model.n;
    return model.p;
}
