/* src/vision/vision_int.h - shared inside src/vision only.
 *
 * The per-thread context, the pixel-to-tensor samplers every recipe is
 * built from, and the small geometric helpers (NMS, squared box, Umeyama)
 * that tests exercise without a model.
 */
#ifndef LC_VISION_INT_H
#define LC_VISION_INT_H

#include "livecheck/vision.h"

/* Detector geometry, fixed by fr_detect.onnx (1x3x240x320, 4420 priors). */
#define VISION_DET_W 320
#define VISION_DET_H 240
#define VISION_DET_PRIORS 4420
#define VISION_DET_SCORE 0.65f
#define VISION_DET_IOU 0.35f

/* A detector candidate: corners in any consistent unit. */
struct vision_cand {
    float score;
    float x1, y1, x2, y2;
};

struct vision_ctx {
    const struct vision_models *vm;
    nn_session *s[VISION_MODEL_COUNT];
    /* Output indices found by name: detect "scores" / "boxes", pose
     * "output" (yaw), "617" (pitch), "618" (roll). */
    int det_scores, det_boxes;
    int pose_out[3];
    /* Detector scratch: every prior may pass the threshold. */
    struct vision_cand cand[VISION_DET_PRIORS];
};

/* How a sampler turns RGB8 into tensor values, one per recipe. */
enum vision_order {
    VISION_ORDER_RGB,  /* planes R, G, B */
    VISION_ORDER_BGR,  /* planes B, G, R */
    VISION_ORDER_GRAY  /* one plane, luma 0.299 R + 0.587 G + 0.114 B */
};

enum vision_norm {
    VISION_NORM_SYM,      /* (p - 127) / 128 */
    VISION_NORM_DIV256,   /* p / 256 */
    VISION_NORM_DIV255,   /* p / 255 */
    VISION_NORM_RAW,      /* p, 0..255 */
    VISION_NORM_IMAGENET  /* (p / 255 - mean) / std, RGB means */
};

/* Bilinear resize of the region box = x, y, w, h (pixels, may be
 * fractional; clamped to the image) to an ow x oh NCHW tensor at out
 * (1 or 3 planes by order). Pixel centres are aligned (OpenCV's
 * INTER_LINEAR convention); samples outside the image repeat the edge. */
void vision_img_resize(const struct media_image *img, const float box[4],
                       int ow, int oh, enum vision_order order,
                       enum vision_norm norm, float *out);

/* Bilinear affine warp: output pixel (u, v) samples the image at
 * (m[0] u + m[1] v + m[2], m[3] u + m[4] v + m[5]); outside the image the
 * sample is black (0 before normalisation), as OpenCV's warpAffine. */
void vision_img_warp(const struct media_image *img, const float m[6], int ow,
                     int oh, enum vision_order order, enum vision_norm norm,
                     float *out);

/* Sort c[0..n) by score, best first, then keep those whose IoU with every
 * better kept box is <= iou. Compacts the kept ones to the front of c and
 * returns how many. No allocation. */
int vision_cand_nms(struct vision_cand *c, int n, float iou);

/* IoU of two candidates' boxes, 0 when either is empty. */
float vision_cand_iou(const struct vision_cand *a, const struct vision_cand *b);

/* Squared box of box (x, y, w, h): side = h, same centre, clamped to a
 * w x h image. */
void vision_box_square(const float box[4], int img_w, int img_h, float sq[4]);

/* Least-squares similarity (Umeyama, no reflection) mapping src[i] onto
 * dst[i], i < n: dst ~ [a -b; b a] src + [tx ty]. Writes the 2x3 matrix
 * {a, -b, tx, b, a, ty} to m. Returns 0, or LC_EINVAL when src is
 * degenerate (all points equal). */
int vision_sim_estimate(const float (*src)[2], const float (*dst)[2], int n,
                        float m[6]);

/* Inverse of a 2x3 affine matrix. Returns LC_EINVAL when singular. */
int vision_affine_invert(const float m[6], float inv[6]);

/* Softmax of n logits into p (may alias). */
void vision_softmax(const float *x, int n, float *p);

/* Landmark-derived points shared by eye and embed: centre and 1.6x
 * corner-distance side of the left (0, points 36-41) or right (1, 42-47)
 * eye. */
void vision_eye_square(const struct vision_face *face, int which,
                       float c[2], float *side);

/* The input / output of a session, by index; a convenience over nn.h. */
float *vision_input(struct vision_ctx *ctx, enum vision_model_id id);
const float *vision_output(struct vision_ctx *ctx, enum vision_model_id id,
                           int i);

#endif
