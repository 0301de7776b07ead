/* src/nn/ops/registry.c - ONNX op_type -> implementation, from ops.def. */
#include <string.h>

#include "nn/nn_int.h"

#define OP(c) extern const struct nn_op nn_op_##c;
#include "nn/ops/ops.def"
#undef OP

static const struct nn_op *const ops[] = {
#define OP(c) &nn_op_##c,
#include "nn/ops/ops.def"
#undef OP
};

const struct nn_op *nn_op_find(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i]->name, name) == 0)
            return ops[i];
    return NULL;
}

const struct nn_op *nn_op_at(int i)
{
    return i >= 0 && (size_t)i < sizeof ops / sizeof ops[0] ? ops[i] : NULL;
}
