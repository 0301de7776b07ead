/* src/vision/resample.c - RGB8 pixels to float NCHW tensors: bilinear
 * resize of a box, bilinear affine warp, each with a recipe's channel
 * order and normalisation. Writes straight into a session's input. */
#include "vision/vision_int.h"

#include <math.h>

/* Every normalisation is affine, value = p * k + b per RGB channel: one
 * table per call instead of a switch per pixel. The three planes, in
 * tensor order, and their channel's k and b. */
struct fmt {
    int gray;
    int plane[3]; /* tensor plane of R, G, B */
    float k[3], b[3];
};

static struct fmt fmt_make(enum vision_order order, enum vision_norm norm)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f};
    static const float sd[3] = {0.229f, 0.224f, 0.225f};
    struct fmt f = {.gray = order == VISION_ORDER_GRAY};
    for (int c = 0; c < 3; c++) {
        f.plane[c] = order == VISION_ORDER_BGR ? 2 - c : c;
        switch (norm) {
        case VISION_NORM_SYM:
            f.k[c] = 1.0f / 128.0f;
            f.b[c] = -127.0f / 128.0f;
            break;
        case VISION_NORM_DIV256:
            f.k[c] = 1.0f / 256.0f;
            break;
        case VISION_NORM_DIV255:
            f.k[c] = 1.0f / 255.0f;
            break;
        case VISION_NORM_IMAGENET:
            f.k[c] = 1.0f / (255.0f * sd[c]);
            f.b[c] = -mean[c] / sd[c];
            break;
        case VISION_NORM_RAW:
        default:
            f.k[c] = 1.0f;
            break;
        }
    }
    return f;
}

/* Store interpolated rgb at pixel i of an n-pixel tensor. */
static inline void put(float *out, size_t i, size_t n, const float rgb[3],
                       const struct fmt *f)
{
    if (f->gray) {
        float y = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
        out[i] = y * f->k[0] + f->b[0];
        return;
    }
    for (int c = 0; c < 3; c++)
        out[(size_t)f->plane[c] * n + i] = rgb[c] * f->k[c] + f->b[c];
}

void vision_img_resize(const struct media_image *img, const float box[4],
                       int ow, int oh, enum vision_order order,
                       enum vision_norm norm, float *out)
{
    int W = img->w, H = img->h;
    float x0 = fmaxf(box[0], 0.0f), y0 = fmaxf(box[1], 0.0f);
    float x1 = fminf(box[0] + box[2], (float)W);
    float y1 = fminf(box[1] + box[3], (float)H);
    if (!(x0 < W))
        x0 = (float)(W - 1);
    if (!(y0 < H))
        y0 = (float)(H - 1);
    if (!(x1 > x0)) /* also catches NaN */
        x1 = x0 + 1.0f;
    if (!(y1 > y0))
        y1 = y0 + 1.0f;
    const struct fmt f = fmt_make(order, norm);
    float kx = (x1 - x0) / (float)ow, ky = (y1 - y0) / (float)oh;
    size_t n = (size_t)ow * (size_t)oh, stride = (size_t)W * 3;

    for (int v = 0; v < oh; v++) {
        float sy = y0 + ((float)v + 0.5f) * ky - 0.5f;
        sy = fminf(fmaxf(sy, 0.0f), (float)(H - 1));
        int iy = (int)sy;
        int iy1 = iy + 1 < H ? iy + 1 : H - 1;
        float fy = sy - (float)iy;
        const uint8_t *r0 = img->px + (size_t)iy * stride;
        const uint8_t *r1 = img->px + (size_t)iy1 * stride;
        for (int u = 0; u < ow; u++) {
            float sx = x0 + ((float)u + 0.5f) * kx - 0.5f;
            sx = fminf(fmaxf(sx, 0.0f), (float)(W - 1));
            int ix = (int)sx;
            int ix1 = ix + 1 < W ? ix + 1 : W - 1;
            float fx = sx - (float)ix;
            const uint8_t *a = r0 + 3 * ix, *b = r0 + 3 * ix1;
            const uint8_t *c = r1 + 3 * ix, *d = r1 + 3 * ix1;
            float rgb[3];
            for (int k = 0; k < 3; k++) {
                float top = a[k] + (b[k] - a[k]) * fx;
                float bot = c[k] + (d[k] - c[k]) * fx;
                rgb[k] = top + (bot - top) * fy;
            }
            put(out, (size_t)v * ow + u, n, rgb, &f);
        }
    }
}

void vision_img_warp(const struct media_image *img, const float m[6], int ow,
                     int oh, enum vision_order order, enum vision_norm norm,
                     float *out)
{
    int W = img->w, H = img->h;
    const struct fmt f = fmt_make(order, norm);
    size_t n = (size_t)ow * (size_t)oh, stride = (size_t)W * 3;

    for (int v = 0; v < oh; v++) {
        for (int u = 0; u < ow; u++) {
            float sx = m[0] * u + m[1] * v + m[2];
            float sy = m[3] * u + m[4] * v + m[5];
            float rgb[3] = {0, 0, 0};
            float fxf = floorf(sx), fyf = floorf(sy);
            /* Beyond one pixel outside, all four taps are black; the
             * range test also keeps the int conversion defined. */
            if (fxf >= -1.0f && fxf < (float)W && fyf >= -1.0f &&
                fyf < (float)H) {
                int ix = (int)fxf, iy = (int)fyf;
                float fx = sx - fxf, fy = sy - fyf;
                float wt[4] = {(1 - fx) * (1 - fy), fx * (1 - fy),
                               (1 - fx) * fy, fx * fy};
                for (int t = 0; t < 4; t++) {
                    int x = ix + (t & 1), y = iy + (t >> 1);
                    if (x < 0 || x >= W || y < 0 || y >= H)
                        continue;
                    const uint8_t *p = img->px + (size_t)y * stride + 3 * x;
                    for (int k = 0; k < 3; k++)
                        rgb[k] += wt[t] * p[k];
                }
            }
            put(out, (size_t)v * ow + u, n, rgb, &f);
        }
    }
}
