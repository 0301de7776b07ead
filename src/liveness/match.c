/* src/liveness/match.c - face match: the one face of a photo embedded,
 * and the calibrated mapping from cosine to percent (docs/accuracy.md,
 * "Face match calibration"). `livecheck match` and the face_match
 * endpoint call these same functions, so they give the same score for the
 * same pair. */
#include <math.h>
#include <stdio.h>

#include "liveness/liveness_int.h"

/* Rounded to the 2 decimals the API shows, so that the decision and the
 * "98.00%" a client reads never disagree. */
double liveness_match_percent(float cosine)
{
    double p = 100.0 / (1.0 + exp(-12.0 * ((double)cosine - 0.42)));
    return round(p * 100.0) / 100.0;
}

int liveness_match_score(float cosine)
{
    return (int)lrint(liveness_match_percent(cosine));
}

bool liveness_match_decide(double percent, int threshold)
{
    return percent >= (double)threshold;
}

int liveness_match_embed(struct vision_ctx *ctx,
                         const struct liveness_config *c, const uint8_t *buf,
                         size_t n, float emb[VISION_EMBED_DIM],
                         struct liveness_result *r)
{
    struct liveness_opts o = {.no_policy = true};
    struct media_image img = {0};
    float scale;
    int rc = liveness_face_find(ctx, c, buf, n, &o, &img, &scale, r);
    if (rc == 0 && r->outcome == LC_OUTCOME_OK)
        vision_face_embed(ctx, &img, &r->face, emb);
    media_image_release(&img);
    return rc;
}

size_t liveness_match_data_json(float cosine, int threshold, char *buf,
                                size_t n)
{
    double p = liveness_match_percent(cosine);
    int k = snprintf(buf, n,
                     "{\"status\":\"SUCCESS\",\"match\":\"%.2f%%\","
                     "\"matched\":\"%s\",\"threshold\":%d,\"cosine\":%.4f}",
                     p, liveness_match_decide(p, threshold) ? "yes" : "no",
                     threshold, (double)cosine);
    if (k < 0)
        return 0;
    return (size_t)k < n ? (size_t)k : (n ? n - 1 : 0);
}
