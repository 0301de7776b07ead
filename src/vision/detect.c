/* src/vision/detect.c - the detect recipe: whole image bilinear to
 * 320x240, RGB, (p-127)/128; keep score >= 0.65; score-sorted IoU NMS at
 * 0.35; boxes in pixels, plus the squared box (side = h, clamped). */
#include "vision/vision_int.h"

#include <math.h>
#include <string.h>

float vision_cand_iou(const struct vision_cand *a, const struct vision_cand *b)
{
    float iw = fminf(a->x2, b->x2) - fmaxf(a->x1, b->x1);
    float ih = fminf(a->y2, b->y2) - fmaxf(a->y1, b->y1);
    if (!(iw > 0 && ih > 0))
        return 0;
    float inter = iw * ih;
    float ua = (a->x2 - a->x1) * (a->y2 - a->y1) +
               (b->x2 - b->x1) * (b->y2 - b->y1) - inter;
    return ua > 0 ? inter / ua : 0;
}

/* Shell sort, best score first (no allocation, unlike some qsorts). */
static void sort_desc(struct vision_cand *c, int n)
{
    static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int gap = gaps[g];
        for (int i = gap; i < n; i++) {
            struct vision_cand t = c[i];
            int j = i;
            for (; j >= gap && c[j - gap].score < t.score; j -= gap)
                c[j] = c[j - gap];
            c[j] = t;
        }
    }
}

int vision_cand_nms(struct vision_cand *c, int n, float iou)
{
    sort_desc(c, n);
    int k = 0;
    for (int i = 0; i < n; i++) {
        int keep = 1;
        for (int j = 0; j < k && keep; j++)
            keep = vision_cand_iou(&c[j], &c[i]) <= iou;
        if (keep)
            c[k++] = c[i];
    }
    return k;
}

void vision_box_square(const float box[4], int img_w, int img_h, float sq[4])
{
    float cx = box[0] + box[2] * 0.5f, side = box[3];
    float x0 = fmaxf(cx - side * 0.5f, 0.0f);
    float y0 = fmaxf(box[1], 0.0f);
    float x1 = fminf(cx + side * 0.5f, (float)img_w);
    float y1 = fminf(box[1] + side, (float)img_h);
    sq[0] = x0;
    sq[1] = y0;
    sq[2] = fmaxf(x1 - x0, 0.0f);
    sq[3] = fmaxf(y1 - y0, 0.0f);
}

int vision_faces_detect(struct vision_ctx *ctx, const struct media_image *img,
                        struct vision_face *faces, int max, int *n)
{
    *n = 0;
    if (img == NULL || img->px == NULL || img->w <= 0 || img->h <= 0 ||
        max < 0 || (max > 0 && faces == NULL))
        return LC_EINVAL;
    nn_session *s = ctx->s[VISION_DETECT];
    const float whole[4] = {0, 0, (float)img->w, (float)img->h};
    vision_img_resize(img, whole, VISION_DET_W, VISION_DET_H,
                      VISION_ORDER_RGB, VISION_NORM_SYM,
                      nn_session_input(s, 0, NULL));
    nn_session_run(s);

    struct nn_shape ss, bs;
    const float *sc = nn_session_output(s, ctx->det_scores, &ss);
    const float *bx = nn_session_output(s, ctx->det_boxes, &bs);
    size_t np = nn_shape_numel(&ss) / 2;
    if (nn_shape_numel(&bs) / 4 < np)
        np = nn_shape_numel(&bs) / 4;
    if (np > VISION_DET_PRIORS)
        np = VISION_DET_PRIORS;

    float W = (float)img->w, H = (float)img->h;
    int k = 0;
    for (size_t i = 0; i < np; i++) {
        if (!(sc[2 * i + 1] >= VISION_DET_SCORE))
            continue;
        const float *b = bx + 4 * i;
        ctx->cand[k++] = (struct vision_cand){
            sc[2 * i + 1], b[0] * W, b[1] * H, b[2] * W, b[3] * H};
    }
    k = vision_cand_nms(ctx->cand, k, VISION_DET_IOU);

    for (int i = 0; i < k && i < max; i++) {
        const struct vision_cand *c = &ctx->cand[i];
        struct vision_face *f = &faces[i];
        memset(f, 0, sizeof *f);
        f->score = c->score;
        f->box[0] = c->x1;
        f->box[1] = c->y1;
        f->box[2] = c->x2 - c->x1;
        f->box[3] = c->y2 - c->y1;
        vision_box_square(f->box, img->w, img->h, f->sq);
    }
    *n = k;
    return 0;
}
