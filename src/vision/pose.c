/* src/vision/pose.c - the pose recipe: squared box grown by w/4 and h/4
 * on each side, clamped; 224x224 RGB, ImageNet mean/std on p / 255;
 * per output a softmax over 66 bins, angle = sum(p_i i) 3 - 99 degrees.
 * Outputs "output" = yaw, "617" = pitch, "618" = roll. */
#include "vision/vision_int.h"

#include <math.h>

#define BINS 66

static float angle(const float *logits)
{
    float p[BINS], a = 0;
    vision_softmax(logits, BINS, p);
    for (int i = 0; i < BINS; i++)
        a += p[i] * (float)i;
    return a * 3.0f - 99.0f;
}

void vision_face_pose(struct vision_ctx *ctx, const struct media_image *img,
                      const struct vision_face *face, float *yaw,
                      float *pitch, float *roll)
{
    const float *q = face->sq;
    float x0 = fmaxf(q[0] - q[2] * 0.25f, 0.0f);
    float y0 = fmaxf(q[1] - q[3] * 0.25f, 0.0f);
    float x1 = fminf(q[0] + q[2] * 1.25f, (float)img->w);
    float y1 = fminf(q[1] + q[3] * 1.25f, (float)img->h);
    float crop[4] = {x0, y0, x1 - x0, y1 - y0};

    nn_session *s = ctx->s[VISION_POSE];
    vision_img_resize(img, crop, 224, 224, VISION_ORDER_RGB,
                      VISION_NORM_IMAGENET, nn_session_input(s, 0, NULL));
    nn_session_run(s);
    *yaw = angle(nn_session_output(s, ctx->pose_out[0], NULL));
    *pitch = angle(nn_session_output(s, ctx->pose_out[1], NULL));
    *roll = angle(nn_session_output(s, ctx->pose_out[2], NULL));
}
