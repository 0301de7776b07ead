/* src/liveness/policy.c - the configuration defaults and the input policy
 * of the passive image endpoints (../shared/spec/api.md section 1). */
#include <stdio.h>

#include "livecheck/liveness.h"

void liveness_config_default(struct liveness_config *c)
{
    *c = (struct liveness_config){
        .max_bytes = 20u << 20,
        .min_side = 800,
        .max_side = 2000,
        .min_face_px = 64,
        .min_face_frac = 0.10f,
        .several_frac = 0.5f,
        .several_score = 0.9f,
        .cutoff_frac = 0.15f,
        .cutoff_aspect_lo = 0.55f,
        .cutoff_aspect_hi = 0.87f,
        .threshold = 50,
        .review_band = 10,
        .nscales = 2,
        .scales = {2.7f, 4.0f},
        .cues = 1u << LIVENESS_CUE_MOIRE | 1u << LIVENESS_CUE_GAMUT |
                1u << LIVENESS_CUE_EDGES,
        .calib_a = 0.5882f,
        .calib_b = 2.2399f,
        .q_dark = 40.0f,
        .q_bright = 215.0f,
        .q_clip = 0.25f,
        .q_sharp = 0.12f,
        .q_face_px = 96.0f,
        .q_outside = 0.03f,
        .decode_min_side = 400,
        .match_threshold = 50,
    };
}

enum lc_outcome liveness_outcome_of_media(int err)
{
    switch (err) {
    case 0:
        return LC_OUTCOME_OK;
    case LC_EEMPTY:
        return LC_OUTCOME_EMPTY_IMAGE;
    case LC_EUNSUP:
        return LC_OUTCOME_INVALID_IMAGE_FORMAT;
    case LC_ETOOBIG:
        return LC_OUTCOME_IMAGE_DIMENSIONS_TOO_LARGE;
    case LC_ETRUNC:
    case LC_EFORMAT:
        return LC_OUTCOME_CORRUPT_IMAGE;
    default:
        return LC_OUTCOME_INTERNAL;
    }
}

enum lc_outcome liveness_policy_check(const struct liveness_config *c,
                                      const struct media_info *info,
                                      size_t nbytes,
                                      const struct liveness_opts *o,
                                      char *reason)
{
    const size_t rn = 160;
    if (nbytes == 0) {
        snprintf(reason, rn, "the image is empty");
        return LC_OUTCOME_EMPTY_IMAGE;
    }
    if (info->format != MEDIA_FORMAT_JPEG && info->format != MEDIA_FORMAT_PNG) {
        snprintf(reason, rn, "the content is neither JPEG nor PNG");
        return LC_OUTCOME_INVALID_IMAGE_FORMAT;
    }
    if (o->no_policy)
        return LC_OUTCOME_OK;
    if (nbytes > c->max_bytes) {
        snprintf(reason, rn, "the image has %zu bytes, more than %zu", nbytes,
                 c->max_bytes);
        return LC_OUTCOME_IMAGE_TOO_LARGE;
    }
    if (info->width < c->min_side || info->height < c->min_side ||
        info->width > c->max_side || info->height > c->max_side) {
        snprintf(reason, rn, "the image is %dx%d; both sides must be within %d..%d",
                 info->width, info->height, c->min_side, c->max_side);
        return LC_OUTCOME_INVALID_RESOLUTION;
    }
    if (!o->skip_metadata &&
        !(info->has_file_source && info->has_make && info->has_date_time)) {
        snprintf(reason, rn, "missing EXIF tags:%s%s%s",
                 info->has_file_source ? "" : " FileSource",
                 info->has_make ? "" : " Make",
                 info->has_date_time ? "" : " DateTime");
        return LC_OUTCOME_MISSING_METADATA;
    }
    return LC_OUTCOME_OK;
}
