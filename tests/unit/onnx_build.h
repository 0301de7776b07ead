/* tests/unit/onnx_build.h - a tiny ONNX protobuf writer for tests.
 *
 * Builds a ModelProto with one graph, written straight to protobuf wire
 * format (no ONNX or protobuf library), so that tests and the fuzz corpus
 * generator can make small models whose expected outputs are derived by
 * hand:
 *
 *     struct ob *b = ob_new();                   // ir_version 4, opset 9
 *     ob_input(b, "x", 4, (int64_t[]){1, 2, 5, 5});
 *     ob_init_f32(b, "w", 4, (int64_t[]){3, 2, 3, 3}, w);
 *     ob_node(b, "Conv", "x,w", "y");            // comma-separated names
 *     ob_attr_ints(b, "pads", 4, (int64_t[]){1, 1, 1, 1});
 *     ob_output(b, "y");
 *     size_t n;
 *     uint8_t *buf = ob_finish(b, &n);           // frees b; free(buf) later
 *
 * An empty name in a node's list ("x,w,,") writes an empty input: an
 * omitted optional input. Attributes attach to the last node added. Graph
 * items are written in call order, so nodes keep the order given. Aborts
 * on out-of-memory.
 */
#ifndef LC_TEST_ONNX_BUILD_H
#define LC_TEST_ONNX_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer with protobuf field writers. */
struct ob_buf {
    uint8_t *p;
    size_t n, cap;
};

void ob_buf_bytes(struct ob_buf *b, const void *p, size_t n);
void ob_buf_varint(struct ob_buf *b, uint64_t v);
void ob_buf_tag(struct ob_buf *b, uint32_t field, int wire);
void ob_buf_field_varint(struct ob_buf *b, uint32_t field, uint64_t v);
void ob_buf_field_fixed32(struct ob_buf *b, uint32_t field, uint32_t v);
void ob_buf_field_len(struct ob_buf *b, uint32_t field, const void *p, size_t n);
void ob_buf_field_str(struct ob_buf *b, uint32_t field, const char *s);
/* Append sub as a length-delimited field and release sub. */
void ob_buf_field_msg(struct ob_buf *b, uint32_t field, struct ob_buf *sub);
void ob_buf_free(struct ob_buf *b);

struct ob;

struct ob *ob_new(void);
void ob_opset(struct ob *b, int64_t version); /* default 9 */
void ob_ir_version(struct ob *b, int64_t v);  /* default 4 */
/* Write repeated int64 fields (dims, ints) packed instead of one tag per
 * value, and initializers as float_data/int64_data instead of raw_data;
 * both are legal protobuf that readers must accept. */
void ob_packed(struct ob *b, bool packed);
void ob_typed_data(struct ob *b, bool typed);

/* A float32 graph input with static dims. */
void ob_input(struct ob *b, const char *name, int rank, const int64_t *dims);
/* A graph output (float32, shape left out as ONNX allows). */
void ob_output(struct ob *b, const char *name);
/* Initializers: data holds the product of dims elements (1 for rank 0). */
void ob_init_f32(struct ob *b, const char *name, int rank,
                 const int64_t *dims, const float *data);
void ob_init_i64(struct ob *b, const char *name, int rank,
                 const int64_t *dims, const int64_t *data);

/* A node; inputs and outputs are comma-separated tensor names. The node is
 * named after its first output. */
void ob_node(struct ob *b, const char *op_type, const char *inputs,
             const char *outputs);
void ob_node_domain(struct ob *b, const char *domain);
void ob_attr_int(struct ob *b, const char *name, int64_t v);
void ob_attr_float(struct ob *b, const char *name, float v);
void ob_attr_ints(struct ob *b, const char *name, int n, const int64_t *v);
void ob_attr_floats(struct ob *b, const char *name, int n, const float *v);
void ob_attr_str(struct ob *b, const char *name, const char *s);
/* The TensorProto name the next ob_attr_tensor_* call writes (exporters
 * often name a Constant's value; by default it has none). */
void ob_attr_tensor_name(struct ob *b, const char *tensor_name);
void ob_attr_tensor_f32(struct ob *b, const char *name, int rank,
                        const int64_t *dims, const float *data);
void ob_attr_tensor_i64(struct ob *b, const char *name, int rank,
                        const int64_t *dims, const int64_t *data);

/* An AttributeProto encoded by the caller (with the ob_buf_* writers), for
 * malformed or unusual attributes. */
void ob_attr_raw(struct ob *b, const struct ob_buf *attr);

/* The serialised ModelProto in a malloc'd buffer of *n bytes; frees b. */
uint8_t *ob_finish(struct ob *b, size_t *n);

#endif
