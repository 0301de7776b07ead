/* src/vision/liveness.c - the liveness recipe (Silent-Face crop): from
 * the squared box, scale = min(scale, (H-1)/h, (W-1)/w); a w*scale x
 * h*scale box on the face centre, shifted back inside the image; 128x128
 * BGR, raw 0..255; softmax, p(live) = p[0]. */
#include "vision/vision_int.h"

#include <math.h>

float vision_face_liveness(struct vision_ctx *ctx,
                           const struct media_image *img,
                           const struct vision_face *face, float scale)
{
    float W = (float)img->w, H = (float)img->h;
    float bw = fmaxf(face->sq[2], 1.0f), bh = fmaxf(face->sq[3], 1.0f);
    scale = fminf(scale, fminf((H - 1) / bh, (W - 1) / bw));
    float nw = bw * scale, nh = bh * scale;
    float cx = face->sq[0] + bw * 0.5f, cy = face->sq[1] + bh * 0.5f;
    float l = cx - nw * 0.5f, t = cy - nh * 0.5f;
    float r = cx + nw * 0.5f, b = cy + nh * 0.5f;
    if (l < 0) {
        r -= l;
        l = 0;
    }
    if (t < 0) {
        b -= t;
        t = 0;
    }
    if (r > W - 1) {
        l -= r - W + 1;
        r = W - 1;
    }
    if (b > H - 1) {
        t -= b - H + 1;
        b = H - 1;
    }
    /* Integer corners, inclusive, as the reference crops img[t:b+1, l:r+1]. */
    int il = (int)fmaxf(l, 0), it = (int)fmaxf(t, 0);
    int ir = (int)r, ib = (int)b;
    float crop[4] = {(float)il, (float)it, (float)(ir - il + 1),
                     (float)(ib - it + 1)};

    nn_session *s = ctx->s[VISION_LIVENESS];
    vision_img_resize(img, crop, 128, 128, VISION_ORDER_BGR, VISION_NORM_RAW,
                      nn_session_input(s, 0, NULL));
    nn_session_run(s);
    float p[3];
    vision_softmax(nn_session_output(s, 0, NULL), 3, p);
    return p[0];
}
