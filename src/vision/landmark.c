/* src/vision/landmark.c - the landmark recipe: from the raw box, side
 * s = sqrt(w h) on the box centre, crop x from cx - 0.55 s, y from
 * cy - 0.5 s, both 1.1 s long (10% bottom margin), clipped; 64x64 luma,
 * p / 256; 68 (x, y) fractions of the crop back to pixels. */
#include "vision/vision_int.h"

#include <math.h>

void vision_face_landmarks(struct vision_ctx *ctx,
                           const struct media_image *img,
                           struct vision_face *face)
{
    const float *b = face->box;
    float s = sqrtf(fmaxf(b[2] * b[3], 1.0f));
    float cx = b[0] + b[2] * 0.5f, cy = b[1] + b[3] * 0.5f;
    float x0 = cx - 0.55f * s, y0 = cy - 0.5f * s;
    float x1 = x0 + 1.1f * s, y1 = y0 + 1.1f * s;
    x0 = fmaxf(x0, 0.0f);
    y0 = fmaxf(y0, 0.0f);
    x1 = fminf(x1, (float)img->w);
    y1 = fminf(y1, (float)img->h);
    float crop[4] = {x0, y0, fmaxf(x1 - x0, 1.0f), fmaxf(y1 - y0, 1.0f)};

    nn_session *ss = ctx->s[VISION_LANDMARK];
    vision_img_resize(img, crop, 64, 64, VISION_ORDER_GRAY,
                      VISION_NORM_DIV256, nn_session_input(ss, 0, NULL));
    nn_session_run(ss);
    const float *o = nn_session_output(ss, 0, NULL);
    for (int i = 0; i < 68; i++) {
        face->lm[i][0] = crop[0] + o[2 * i] * crop[2];
        face->lm[i][1] = crop[1] + o[2 * i + 1] * crop[3];
    }
    face->has_landmarks = true;
}
