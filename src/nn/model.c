/* src/nn/model.c - nn_model: loading, the tensor table, public facts.
 *
 * nn_model_load reads the file, checks its SHA-256 when one is pinned,
 * parses it (onnx.c), prepares the graph (fold.c) and builds both plans
 * (plan.c). After that the model is read-only.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"
#include "nn/nn_int.h"

#define MAX_MODEL_BYTES ((size_t)512 << 20)

size_t nn_tensor_numel(const struct nn_tensor *t)
{
    return nn_shape_numel(&t->shape);
}

size_t nn_tensor_bytes(const struct nn_tensor *t)
{
    return nn_tensor_numel(t) * (t->dtype == NN_I64 ? 8 : 4);
}

int nn_model_tensor_add(struct nn_model *m, const char *name)
{
    if (m->ntensors == m->cap_tensors) {
        m->cap_tensors = m->cap_tensors ? 2 * m->cap_tensors : 256;
        m->t = lc_realloc(m->t, sizeof(struct nn_tensor) * (size_t)m->cap_tensors);
    }
    struct nn_tensor *t = &m->t[m->ntensors];
    memset(t, 0, sizeof *t);
    t->name = lc_strdup(name);
    t->dtype = NN_F32;
    return m->ntensors++;
}

int nn_model_tensor_find(const struct nn_model *m, const char *name)
{
    /* Names are looked up only while loading, a few hundred times. */
    for (int i = m->ntensors - 1; i >= 0; i--)
        if (strcmp(m->t[i].name, name) == 0)
            return i;
    return -1;
}

static void sha256_hex(const uint8_t *buf, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, buf, n);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* Load from buf whose SHA-256 (hex) the caller has computed: hashing a
 * model takes longer than parsing it (31 ms for the six at libsodium's
 * 480 MB/s), so it is done once per load. */
static int load_hashed(nn_model **out, const uint8_t *buf, size_t n,
                       const char sha256[65], struct lc_diag *d)
{
    *out = NULL;
    struct nn_model *m = lc_calloc(1, sizeof *m);
    memcpy(m->sha256, sha256, sizeof m->sha256);
    int rc = nn_onnx_parse(m, buf, n, d);
    if (rc == 0)
        rc = nn_graph_prepare(m, d);
    if (rc == 0)
        nn_graph_fuse(m);
    if (rc == 0)
        rc = nn_plan_build(m, NN_EXEC_REF, d);
    if (rc == 0)
        rc = nn_plan_build(m, NN_EXEC_FAST, d);
    if (rc < 0) {
        nn_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int nn_model_load_buffer(nn_model **out, const uint8_t *buf, size_t n,
                         struct lc_diag *d)
{
    *out = NULL;
    if (sodium_init() < 0)
        return lc_diag_set(d, LC_EINVAL, "libsodium failed to start");
    char hex[65];
    sha256_hex(buf, n, hex);
    return load_hashed(out, buf, n, hex, d);
}

int nn_model_load(nn_model **out, const char *path,
                  const struct nn_load_opts *opts, struct lc_diag *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return lc_diag_set(d, LC_EIO, "%s: cannot open", path);
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : (1 << 20);
            if (cap > MAX_MODEL_BYTES) {
                free(buf);
                fclose(f);
                return lc_diag_set(d, LC_ETOOBIG, "%s: model too large", path);
            }
            buf = lc_realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return lc_diag_set(d, LC_EIO, "%s: read error", path);
    }
    /* The pinned hash is checked before a single byte is parsed. */
    if (sodium_init() < 0) {
        free(buf);
        return lc_diag_set(d, LC_EINVAL, "libsodium failed to start");
    }
    char hex[65];
    sha256_hex(buf, n, hex);
    if (opts && opts->sha256 && strcmp(opts->sha256, hex) != 0) {
        free(buf);
        return lc_diag_set(d, LC_ECHECKSUM, "%s: SHA-256 %s, expected %s",
                           path, hex, opts->sha256);
    }
    int rc = load_hashed(out, buf, n, hex, d);
    free(buf);
    if (rc < 0) {
        char pre[300];
        snprintf(pre, sizeof pre, "%.280s: ", path);
        lc_diag_prefix(d, pre);
    }
    return rc;
}

void nn_model_free(nn_model *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < m->ntensors; i++) {
        free(m->t[i].name);
        free(m->t[i].data);
    }
    for (int i = 0; i < m->nnodes; i++) {
        struct nn_node *n = &m->nodes[i];
        for (int a = 0; a < n->nattr; a++) {
            free(n->attr[a].name);
            free(n->attr[a].s);
            free(n->attr[a].ints);
            free(n->attr[a].floats);
        }
        free(n->attr);
        free(n->name);
        free(n->op_type);
    }
    nn_plan_release(&m->plan[0]);
    nn_plan_release(&m->plan[1]);
    free(m->t);
    free(m->nodes);
    free(m);
}

int nn_model_input_count(const nn_model *m) { return m->ninputs; }
int nn_model_output_count(const nn_model *m) { return m->noutputs; }

const char *nn_model_input_name(const nn_model *m, int i)
{
    return m->t[m->inputs[i]].name;
}

const char *nn_model_output_name(const nn_model *m, int i)
{
    return m->t[m->outputs[i]].name;
}

struct nn_shape nn_model_input_shape(const nn_model *m, int i)
{
    return m->t[m->inputs[i]].shape;
}

struct nn_shape nn_model_output_shape(const nn_model *m, int i)
{
    return m->t[m->outputs[i]].shape;
}

int nn_model_node_count(const nn_model *m) { return m->file_nodes; }

int nn_model_run_node_count(const nn_model *m)
{
    int k = 0;
    for (int i = 0; i < m->nnodes; i++)
        k += !m->nodes[i].dead;
    return k;
}

/* Conv: every output element sums C_in/group * kh * kw products; Gemm (and
 * a MatMul fold.c has not turned into one): every one of the M*N outputs
 * sums K products. The shapes are static, fixed at load. */
int64_t nn_model_mac_count(const nn_model *m)
{
    const struct nn_op *conv = nn_op_find("Conv"), *gemm = nn_op_find("Gemm"),
                       *matmul = nn_op_find("MatMul");
    int64_t macs = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const struct nn_node *n = &m->nodes[i];
        if (n->dead || (n->op != conv && n->op != gemm && n->op != matmul))
            continue;
        const struct nn_shape *a = &IN_T(m, n, 0)->shape;
        int64_t out = (int64_t)nn_tensor_numel(OUT_T(m, n, 0));
        if (n->op == conv)
            macs += out * (a->d[1] / n->p.conv.group) * n->p.conv.kh * n->p.conv.kw;
        else
            macs += out * (n->p.trans_a ? a->d[0] : a->d[1]);
    }
    return macs;
}

const char *nn_model_sha256(const nn_model *m) { return m->sha256; }

/* Attribute access for the ops' parse functions. */
static struct nn_attr *attr_find(struct nn_node *n, const char *name)
{
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attr[i].name, name) == 0) {
            n->attr[i].used = true;
            return &n->attr[i];
        }
    return NULL;
}

int64_t nn_attr_int(struct nn_node *n, const char *name, int64_t def)
{
    struct nn_attr *a = attr_find(n, name);
    return a ? a->i : def;
}

float nn_attr_float(struct nn_node *n, const char *name, float def)
{
    struct nn_attr *a = attr_find(n, name);
    return a ? a->f : def;
}

int nn_attr_ints(struct nn_node *n, const char *name, const int64_t **v)
{
    struct nn_attr *a = attr_find(n, name);
    *v = a ? a->ints : NULL;
    return a && a->ints ? a->n : 0;
}

bool nn_shape_eq(const struct nn_shape *a, const struct nn_shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return false;
    return true;
}

bool nn_shape_broadcast(const struct nn_shape *a, const struct nn_shape *b,
                        struct nn_shape *out)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    out->rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return false;
        out->d[i] = da == 1 ? db : da;
    }
    return true;
}
