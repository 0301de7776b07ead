/* src/vision/ctx.c - per-thread vision context: one nn_session per model
 * plus the detector's candidate scratch, all allocated up front so that
 * analysing a face allocates nothing. */
#include "vision/vision_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

/* Index of the output called name, or fallback when there is none. */
static int out_index(const nn_model *m, const char *name, int fallback)
{
    int n = nn_model_output_count(m);
    for (int i = 0; i < n; i++) {
        const char *s = nn_model_output_name(m, i);
        if (s != NULL && strcmp(s, name) == 0)
            return i;
    }
    return fallback < n ? fallback : 0;
}

struct vision_ctx *vision_ctx_new(const struct vision_models *vm,
                                  enum nn_exec exec)
{
    struct vision_ctx *ctx = lc_aligned_alloc(sizeof *ctx);
    memset(ctx, 0, sizeof *ctx);
    ctx->vm = vm;
    for (int i = 0; i < VISION_MODEL_COUNT; i++)
        ctx->s[i] = nn_session_new(vm->m[i], exec);
    const nn_model *det = vm->m[VISION_DETECT];
    ctx->det_scores = out_index(det, "scores", 0);
    ctx->det_boxes = out_index(det, "boxes", 1);
    const nn_model *pose = vm->m[VISION_POSE];
    ctx->pose_out[0] = out_index(pose, "output", 0);
    ctx->pose_out[1] = out_index(pose, "617", 1);
    ctx->pose_out[2] = out_index(pose, "618", 2);
    return ctx;
}

void vision_ctx_free(struct vision_ctx *ctx)
{
    if (ctx == NULL)
        return;
    for (int i = 0; i < VISION_MODEL_COUNT; i++)
        nn_session_free(ctx->s[i]);
    free(ctx);
}

float *vision_input(struct vision_ctx *ctx, enum vision_model_id id)
{
    return nn_session_input(ctx->s[id], 0, NULL);
}

const float *vision_output(struct vision_ctx *ctx, enum vision_model_id id,
                           int i)
{
    return nn_session_output(ctx->s[id], i, NULL);
}

void vision_softmax(const float *x, int n, float *p)
{
    float mx = x[0], sum = 0;
    for (int i = 1; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    for (int i = 0; i < n; i++) {
        p[i] = expf(x[i] - mx);
        sum += p[i];
    }
    for (int i = 0; i < n; i++)
        p[i] /= sum;
}
