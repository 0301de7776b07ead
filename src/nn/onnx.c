/* src/nn/onnx.c - read an ONNX ModelProto into the model's tensor table and
 * node list.
 *
 * Only what inference needs is read: opset, graph inputs and outputs with
 * their static shapes, initializers (float32 and int64, raw or typed), nodes
 * and their attributes. Everything else in the file is skipped. Field
 * numbers are those of onnx.proto (ModelProto.graph = 7, GraphProto.node = 1,
 * ...). Sizes taken from the file are checked before any allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/nn_int.h"
#include "nn/pb.h"

#define MAX_TENSOR_BYTES ((size_t)1 << 30)

static int dims_numel(const struct nn_shape *s, size_t *out)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->d[i] < 0 || lc_mul_overflow(n, (size_t)s->d[i], &n))
            return LC_ETOOBIG;
    }
    *out = n;
    return 0;
}

/* Read a packed or unpacked repeated int64 field element(s) into dst. */
static void read_ints(struct pb *r, enum pb_wire w, int64_t *dst, int *n,
                      int cap)
{
    if (w == PB_LEN) {
        struct pb s = pb_sub(r);
        while (s.p < s.end && !s.err) {
            int64_t v = (int64_t)pb_varint(&s);
            if (*n < cap)
                dst[*n] = v;
            (*n)++;
        }
        r->err |= s.err;
    } else {
        int64_t v = (int64_t)pb_varint(r);
        if (*n < cap)
            dst[*n] = v;
        (*n)++;
    }
}

/* An initializer (named = true) fills the tensor of that name, which nodes
 * may have referenced already; an attribute's tensor gets a fresh id. */
static int parse_tensor(struct nn_model *m, struct pb r, int *id, bool named,
                        struct lc_diag *d)
{
    struct nn_shape shape = {0};
    int ndims = 0, dtype = 0;
    char *name = NULL;
    struct pb raw = {0}, typed = {0};
    int64_t dims[NN_MAX_RANK + 1];
    uint32_t f;
    enum pb_wire w;
    bool have_raw = false, have_typed = false;

    while (pb_next(&r, &f, &w)) {
        if (f == 1)
            read_ints(&r, w, dims, &ndims, NN_MAX_RANK + 1);
        else if (f == 2)
            dtype = (int)pb_varint(&r);
        else if (f == 8 && w == PB_LEN) {
            free(name);
            name = pb_string(&r);
        } else if (f == 9 && w == PB_LEN) {
            raw = pb_sub(&r);
            have_raw = true;
        } else if ((f == 4 || f == 7) && w == PB_LEN) {
            typed = pb_sub(&r);
            have_typed = true;
        } else
            pb_skip(&r, w);
    }
    if (r.err || ndims > NN_MAX_RANK) {
        free(name);
        return lc_diag_set(d, LC_EFORMAT, "malformed initializer");
    }
    shape.rank = ndims;
    memcpy(shape.d, dims, sizeof(int64_t) * (size_t)ndims);
    if (dtype != NN_F32 && dtype != NN_I64) {
        int rc = lc_diag_set(d, LC_EUNSUP, "initializer %s: data type %d",
                             name ? name : "?", dtype);
        free(name);
        return rc;
    }
    size_t numel, esize = dtype == NN_F32 ? 4 : 8, bytes;
    if (dims_numel(&shape, &numel) || lc_mul_overflow(numel, esize, &bytes) ||
        bytes > MAX_TENSOR_BYTES) {
        free(name);
        return lc_diag_set(d, LC_ETOOBIG, "initializer too large");
    }
    void *data = lc_aligned_alloc(bytes);
    if (have_raw) {
        if ((size_t)(raw.end - raw.p) != bytes)
            goto bad;
        memcpy(data, raw.p, bytes);
    } else if (have_typed && dtype == NN_F32) {
        if ((size_t)(typed.end - typed.p) != bytes)
            goto bad;
        memcpy(data, typed.p, bytes); /* packed fixed32 little-endian */
    } else if (have_typed) {
        int cnt = 0;
        while (typed.p < typed.end && !typed.err) {
            int64_t v = (int64_t)pb_varint(&typed);
            if ((size_t)cnt < numel)
                ((int64_t *)data)[cnt] = v;
            cnt++;
        }
        if (typed.err || (size_t)cnt != numel)
            goto bad;
    } else if (numel != 0) {
        goto bad;
    }
    /* An attribute's tensor stays nameless: its name (exporters often give
     * one, even the node output's) must not capture later references. */
    *id = named && name && name[0] ? nn_model_tensor_find(m, name) : -1;
    if (*id < 0)
        *id = nn_model_tensor_add(m, named && name ? name : "");
    free(name);
    struct nn_tensor *t = &m->t[*id];
    t->shape = shape;
    t->dtype = (enum nn_dtype)dtype;
    t->is_const = true;
    free(t->data);
    t->data = data;
    return 0;
bad:
    free(data);
    {
        int rc = lc_diag_set(d, LC_EFORMAT, "initializer %s: data size",
                             name ? name : "?");
        free(name);
        return rc;
    }
}

/* ValueInfoProto: name and, for graph inputs, the static shape. */
static int parse_value_info(struct pb r, char **name, struct nn_shape *shape)
{
    uint32_t f;
    enum pb_wire w;
    shape->rank = 0;
    while (pb_next(&r, &f, &w)) {
        if (f == 1 && w == PB_LEN) {
            free(*name);
            *name = pb_string(&r);
        } else if (f == 2 && w == PB_LEN) { /* TypeProto */
            struct pb tp = pb_sub(&r);
            while (pb_next(&tp, &f, &w)) {
                if (f != 1 || w != PB_LEN) { /* tensor_type */
                    pb_skip(&tp, w);
                    continue;
                }
                struct pb tt = pb_sub(&tp);
                while (pb_next(&tt, &f, &w)) {
                    if (f != 2 || w != PB_LEN) { /* shape */
                        pb_skip(&tt, w);
                        continue;
                    }
                    struct pb sh = pb_sub(&tt);
                    while (pb_next(&sh, &f, &w)) {
                        if (f != 1 || w != PB_LEN) {
                            pb_skip(&sh, w);
                            continue;
                        }
                        struct pb dim = pb_sub(&sh);
                        int64_t v = -1;
                        while (pb_next(&dim, &f, &w)) {
                            if (f == 1 && w == PB_VARINT)
                                v = (int64_t)pb_varint(&dim);
                            else
                                pb_skip(&dim, w);
                        }
                        if (shape->rank < NN_MAX_RANK)
                            shape->d[shape->rank] = v;
                        shape->rank++;
                        sh.err |= dim.err;
                    }
                    tt.err |= sh.err;
                }
                tp.err |= tt.err;
            }
            r.err |= tp.err;
        } else
            pb_skip(&r, w);
    }
    return r.err || shape->rank > NN_MAX_RANK ? LC_EFORMAT : 0;
}

static int parse_attr(struct nn_model *m, struct pb r, struct nn_attr *a,
                      struct lc_diag *d)
{
    uint32_t f;
    enum pb_wire w;
    memset(a, 0, sizeof *a);
    a->tensor = -1;
    int cap = 0;
    while (pb_next(&r, &f, &w)) {
        if (f == 1 && w == PB_LEN) {
            free(a->name); /* a repeated field: the last one wins */
            a->name = pb_string(&r);
        } else if (f == 2 && w == PB_I32) {
            uint32_t u = pb_fixed32(&r);
            memcpy(&a->f, &u, 4);
        } else if (f == 3 && w == PB_VARINT)
            a->i = (int64_t)pb_varint(&r);
        else if (f == 4 && w == PB_LEN) {
            free(a->s);
            a->s = pb_string(&r);
        } else if (f == 5 && w == PB_LEN) {
            int rc = parse_tensor(m, pb_sub(&r), &a->tensor, false, d);
            if (rc < 0)
                return rc;
        } else if (f == 7) { /* floats */
            if (a->ints) /* a->n counts one list: floats or ints */
                return lc_diag_set(d, LC_EFORMAT, "malformed attribute");
            struct pb s = w == PB_LEN ? pb_sub(&r) : r;
            do {
                if (a->n == cap) {
                    cap = cap ? 2 * cap : 8;
                    if (cap > 4096)
                        return lc_diag_set(d, LC_ETOOBIG, "attribute size");
                    a->floats = lc_realloc(a->floats, sizeof(float) * (size_t)cap);
                }
                uint32_t u = pb_fixed32(&s);
                memcpy(&a->floats[a->n++], &u, 4);
            } while (w == PB_LEN && s.p < s.end && !s.err);
            if (w != PB_LEN)
                r = s;
            else
                r.err |= s.err;
        } else if (f == 8) { /* ints */
            if (a->floats)
                return lc_diag_set(d, LC_EFORMAT, "malformed attribute");
            if (a->n + 64 > cap) {
                cap = a->n + 64;
                if (cap > 4096)
                    return lc_diag_set(d, LC_ETOOBIG, "attribute size");
                a->ints = lc_realloc(a->ints, sizeof(int64_t) * (size_t)cap);
            }
            read_ints(&r, w, a->ints, &a->n, cap);
            if (a->n > cap)
                return lc_diag_set(d, LC_ETOOBIG, "attribute size");
        } else if (f == 20 && w == PB_VARINT)
            a->type = (int)pb_varint(&r);
        else
            pb_skip(&r, w);
    }
    if (r.err || a->name == NULL)
        return lc_diag_set(d, LC_EFORMAT, "malformed attribute");
    return 0;
}

static int tensor_ref(struct nn_model *m, const char *name)
{
    if (name[0] == 0)
        return -1; /* an omitted optional input */
    int id = nn_model_tensor_find(m, name);
    return id >= 0 ? id : nn_model_tensor_add(m, name);
}

static int parse_node(struct nn_model *m, struct pb r, struct lc_diag *d)
{
    if (m->nnodes == m->cap_nodes) {
        m->cap_nodes = m->cap_nodes ? 2 * m->cap_nodes : 64;
        m->nodes = lc_realloc(m->nodes, sizeof(struct nn_node) * (size_t)m->cap_nodes);
    }
    struct nn_node *n = &m->nodes[m->nnodes++];
    memset(n, 0, sizeof *n);
    uint32_t f;
    enum pb_wire w;
    int cap = 0;
    while (pb_next(&r, &f, &w)) {
        if ((f == 1 || f == 2) && w == PB_LEN) {
            char *s = pb_string(&r);
            int *cnt = f == 1 ? &n->nin : &n->nout;
            if (*cnt >= NN_MAX_IO) {
                free(s);
                return lc_diag_set(d, LC_EUNSUP, "node with over %d inputs or outputs", NN_MAX_IO);
            }
            (f == 1 ? n->in : n->out)[(*cnt)++] = tensor_ref(m, s);
            free(s);
        } else if (f == 3 && w == PB_LEN) {
            free(n->name); /* a repeated field: the last one wins */
            n->name = pb_string(&r);
        } else if (f == 4 && w == PB_LEN) {
            free(n->op_type);
            n->op_type = pb_string(&r);
        } else if (f == 5 && w == PB_LEN) {
            if (n->nattr == cap) {
                cap = cap ? 2 * cap : 8;
                n->attr = lc_realloc(n->attr, sizeof(struct nn_attr) * (size_t)cap);
            }
            int rc = parse_attr(m, pb_sub(&r), &n->attr[n->nattr], d);
            n->nattr++;
            if (rc < 0)
                return rc;
        } else if (f == 7 && w == PB_LEN) {
            char *dom = pb_string(&r);
            bool ok = dom[0] == 0 || strcmp(dom, "ai.onnx") == 0;
            free(dom);
            if (!ok)
                return lc_diag_set(d, LC_EUNSUP, "node %s: custom op domain",
                                   n->op_type ? n->op_type : "?");
        } else
            pb_skip(&r, w);
    }
    if (r.err || n->op_type == NULL)
        return lc_diag_set(d, LC_EFORMAT, "malformed node %d", m->nnodes - 1);
    if (n->name == NULL)
        n->name = lc_strdup("");
    return 0;
}

static int parse_graph(struct nn_model *m, struct pb r, struct lc_diag *d)
{
    uint32_t f;
    enum pb_wire w;
    int rc = 0;
    while (rc == 0 && pb_next(&r, &f, &w)) {
        if (w != PB_LEN) {
            pb_skip(&r, w);
            continue;
        }
        if (f == 1) {
            rc = parse_node(m, pb_sub(&r), d);
        } else if (f == 5) {
            int id;
            rc = parse_tensor(m, pb_sub(&r), &id, true, d);
        } else if (f == 11 || f == 12) {
            char *name = NULL;
            struct nn_shape shape;
            rc = parse_value_info(pb_sub(&r), &name, &shape);
            if (rc < 0 || name == NULL) {
                free(name);
                return lc_diag_set(d, LC_EFORMAT, "malformed graph input/output");
            }
            int id = name[0] ? nn_model_tensor_find(m, name) : -1;
            if (f == 11 && id >= 0 && m->t[id].is_const) {
                free(name); /* an initializer also listed as input */
                continue;
            }
            if (id < 0)
                id = nn_model_tensor_add(m, name);
            free(name);
            int *cnt = f == 11 ? &m->ninputs : &m->noutputs;
            if (*cnt >= NN_MAX_IO)
                return lc_diag_set(d, LC_EUNSUP, "too many graph inputs/outputs");
            (f == 11 ? m->inputs : m->outputs)[(*cnt)++] = id;
            if (f == 11) {
                m->t[id].is_input = true;
                m->t[id].shape = shape;
                m->t[id].dtype = NN_F32;
            } else
                m->t[id].is_output = true;
        } else
            pb_skip(&r, w);
    }
    if (rc == 0 && r.err)
        rc = lc_diag_set(d, LC_EFORMAT, "malformed graph");
    return rc;
}

int nn_onnx_parse(struct nn_model *m, const uint8_t *buf, size_t n,
                  struct lc_diag *d)
{
    struct pb r = pb_init(buf, n);
    uint32_t f;
    enum pb_wire w;
    bool have_graph = false;
    struct pb graph = {0};
    m->opset = 0;
    while (pb_next(&r, &f, &w)) {
        if (f == 7 && w == PB_LEN) {
            graph = pb_sub(&r);
            have_graph = true;
        } else if (f == 8 && w == PB_LEN) { /* OperatorSetIdProto */
            struct pb os = pb_sub(&r);
            char *dom = NULL;
            int64_t ver = 0;
            while (pb_next(&os, &f, &w)) {
                if (f == 1 && w == PB_LEN) {
                    free(dom);
                    dom = pb_string(&os);
                } else if (f == 2 && w == PB_VARINT)
                    ver = (int64_t)pb_varint(&os);
                else
                    pb_skip(&os, w);
            }
            if (dom == NULL || dom[0] == 0 || strcmp(dom, "ai.onnx") == 0)
                m->opset = (int)ver;
            free(dom);
            r.err |= os.err;
        } else
            pb_skip(&r, w);
    }
    if (r.err || !have_graph)
        return lc_diag_set(d, LC_EFORMAT, "not an ONNX model (no graph)");
    int rc = parse_graph(m, graph, d);
    if (rc < 0)
        return rc;
    if (m->ninputs == 0 || m->noutputs == 0)
        return lc_diag_set(d, LC_EFORMAT, "graph has no inputs or outputs");
    m->file_nodes = m->nnodes;
    return 0;
}
