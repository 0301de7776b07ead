/* src/vision/eye.c - the eye recipe: centre = mean of the eyelid points
 * 37, 38, 40, 41 (43, 44, 46, 47), side = 1.6 x corner distance 36-39
 * (42-45); square crop, 24x24 luma, p / 255; softmax, p(closed) = p[0].
 * It reads "closed" on sideways gaze: callers gate it on head pose. */
#include "vision/vision_int.h"

#include <math.h>

void vision_eye_square(const struct vision_face *face, int which,
                       float c[2], float *side)
{
    int o = which ? 42 : 36;
    const float(*lm)[2] = face->lm;
    c[0] = (lm[o + 1][0] + lm[o + 2][0] + lm[o + 4][0] + lm[o + 5][0]) * 0.25f;
    c[1] = (lm[o + 1][1] + lm[o + 2][1] + lm[o + 4][1] + lm[o + 5][1]) * 0.25f;
    float dx = lm[o + 3][0] - lm[o][0], dy = lm[o + 3][1] - lm[o][1];
    *side = 1.6f * sqrtf(dx * dx + dy * dy);
}

static float closed(struct vision_ctx *ctx, const struct media_image *img,
                    const struct vision_face *face, int which)
{
    float c[2], side, p[2];
    vision_eye_square(face, which, c, &side);
    side = fmaxf(side, 1.0f);
    float crop[4] = {c[0] - side * 0.5f, c[1] - side * 0.5f, side, side};
    nn_session *s = ctx->s[VISION_EYE];
    vision_img_resize(img, crop, 24, 24, VISION_ORDER_GRAY,
                      VISION_NORM_DIV255, nn_session_input(s, 0, NULL));
    nn_session_run(s);
    vision_softmax(nn_session_output(s, 0, NULL), 2, p);
    return p[0];
}

void vision_face_eyes(struct vision_ctx *ctx, const struct media_image *img,
                      const struct vision_face *face, float *left_closed,
                      float *right_closed)
{
    struct vision_face tmp;
    if (!face->has_landmarks) {
        tmp = *face;
        vision_face_landmarks(ctx, img, &tmp);
        face = &tmp;
    }
    *left_closed = closed(ctx, img, face, 0);
    *right_closed = closed(ctx, img, face, 1);
}
