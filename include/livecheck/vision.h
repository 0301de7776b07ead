/* include/livecheck/vision.h - from pixels to faces.
 *
 * vision is the only module that turns pixels into tensors. It owns the six
 * face models (loaded once, shared read-only) and, per thread, a
 * vision_ctx with one nn_session per model and the scratch buffers the
 * crops need, so that analysing a face allocates nothing.
 *
 *     struct vision_models vm;
 *     vision_models_load(&vm, "models", &diag);
 *     struct vision_ctx *ctx = vision_ctx_new(&vm, NN_EXEC_FAST);
 *     struct vision_face faces[8]; int n;
 *     vision_faces_detect(ctx, &img, faces, 8, &n);
 *     vision_face_landmarks(ctx, &img, &faces[0]);
 *     float live = vision_face_liveness(ctx, &img, &faces[0], 2.7f);
 *
 * The recipes (crop, channel order, normalisation) follow
 * ../shared/models.md; each function names its own.
 */
#ifndef LC_VISION_H
#define LC_VISION_H

#include <stdbool.h>

#include "livecheck/err.h"
#include "livecheck/media.h"
#include "livecheck/nn.h"

enum vision_model_id {
    VISION_DETECT,
    VISION_LANDMARK,
    VISION_LIVENESS,
    VISION_FEATURE,
    VISION_EYE,
    VISION_POSE,
    VISION_MODEL_COUNT
};

#define VISION_EMBED_DIM 512

/* The model files, their pinned SHA-256 and their load times. */
struct vision_models {
    nn_model *m[VISION_MODEL_COUNT];
    double load_ms[VISION_MODEL_COUNT];
};

/* File name ("fr_detect.onnx") and pinned SHA-256 of a model. */
const char *vision_model_file(enum vision_model_id id);
const char *vision_model_sha256(enum vision_model_id id);

/* Load all six models from dir, each checked against its pinned SHA-256.
 * Returns 0 or a negative LC_E* code with the failing file in diag. */
int vision_models_load(struct vision_models *vm, const char *dir,
                       struct lc_diag *diag);
void vision_models_release(struct vision_models *vm);

struct vision_ctx;
struct vision_ctx *vision_ctx_new(const struct vision_models *vm,
                                  enum nn_exec exec);
void vision_ctx_free(struct vision_ctx *ctx);

/* One face. Coordinates are in pixels of the image it was found in. */
struct vision_face {
    float score;   /* detector confidence 0..1 */
    float box[4];  /* raw detector box x, y, w, h */
    float sq[4];   /* squared box: side = h, same centre, clamped */
    bool has_landmarks;
    float lm[68][2]; /* 68-point iBUG layout */
};

/* Detect faces (score >= 0.65 after IoU NMS), best first. Writes at most
 * max faces and stores how many were found (which may exceed max) in *n. */
int vision_faces_detect(struct vision_ctx *ctx, const struct media_image *img,
                        struct vision_face *faces, int max, int *n);

/* Fill face->lm from the landmark model. */
void vision_face_landmarks(struct vision_ctx *ctx,
                           const struct media_image *img,
                           struct vision_face *face);

/* p(live) from the liveness model on a crop of `scale` times the squared
 * box (2.7 in the recipe), 0..1. */
float vision_face_liveness(struct vision_ctx *ctx,
                           const struct media_image *img,
                           const struct vision_face *face, float scale);

/* p(closed) of the left (36-41) and right (42-47) eye; needs landmarks. */
void vision_face_eyes(struct vision_ctx *ctx, const struct media_image *img,
                      const struct vision_face *face, float *left_closed,
                      float *right_closed);

/* Head pose in degrees. */
void vision_face_pose(struct vision_ctx *ctx, const struct media_image *img,
                      const struct vision_face *face, float *yaw,
                      float *pitch, float *roll);

/* L2-normalised 512-d embedding of the 5-point aligned face; needs
 * landmarks. */
void vision_face_embed(struct vision_ctx *ctx, const struct media_image *img,
                       const struct vision_face *face,
                       float emb[VISION_EMBED_DIM]);

/* Cosine similarity of two normalised embeddings. */
float vision_embed_cosine(const float *a, const float *b);

#endif
