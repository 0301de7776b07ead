/* src/liveness/video_policy.c - the defaults and the input policy of the
 * passive video endpoint (../shared/spec/api.md section 2), and the maps
 * from decoder and fetcher errors to user-facing outcomes. */
#include <stdio.h>

#include "livecheck/video.h"

void liveness_video_config_default(struct liveness_video_config *c)
{
    *c = (struct liveness_video_config){
        .max_bytes = (size_t)20 << 20,
        .max_duration = 10.0,
        .min_side = 800,
        .max_side = 2000,
        .min_face_share = 0.5f,
        .decode_max_side = 8192,
        .decode_max_pixels = (size_t)8192 * 4352,
        .sample_fps = 6.0f,
        .max_samples = 64,
        .analysis_side = 480,
        .liveness_scale = 2.7f,
        .embed_every = 3,
        .pipeline = true,
        .threshold = 0.5f,
    };
}

enum lc_outcome liveness_video_outcome_of_media(int err)
{
    switch (err) {
    case 0:
        return LC_OUTCOME_OK;
    case LC_EEMPTY:
        return LC_OUTCOME_EMPTY_VIDEO;
    case LC_EUNSUP:
        return LC_OUTCOME_INVALID_VIDEO_FORMAT;
    case LC_ENOTFOUND:
        return LC_OUTCOME_VIDEO_NO_FRAMES;
    case LC_ETOOBIG:
        return LC_OUTCOME_VIDEO_DIMENSIONS_TOO_LARGE;
    case LC_ETRUNC:
    case LC_EFORMAT:
        return LC_OUTCOME_CORRUPT_VIDEO;
    default:
        return LC_OUTCOME_INTERNAL;
    }
}

enum lc_outcome liveness_video_outcome_of_fetch(int err)
{
    switch (err) {
    case 0:
        return LC_OUTCOME_OK;
    case LC_EFORMAT:
    case LC_EUNSUP:
        return LC_OUTCOME_INVALID_VIDEO_URL;
    case LC_EDENIED:
        return LC_OUTCOME_VIDEO_URL_NOT_ALLOWED;
    case LC_EUNREACH:
        return LC_OUTCOME_VIDEO_URL_UNREACHABLE;
    case LC_ETOOBIG:
        return LC_OUTCOME_VIDEO_TOO_LARGE;
    case LC_EHTTP:
        return LC_OUTCOME_VIDEO_URL_HTTP_ERROR;
    default:
        return LC_OUTCOME_INTERNAL;
    }
}

enum lc_outcome liveness_video_policy_check(
    const struct liveness_video_config *c,
    const struct media_video_info *info, size_t nbytes,
    const struct liveness_video_opts *o, char *reason)
{
    const size_t rn = 160;
    if (nbytes == 0) {
        snprintf(reason, rn, "the video is empty");
        return LC_OUTCOME_EMPTY_VIDEO;
    }
    if (info->container != MEDIA_CONTAINER_MP4 &&
        info->container != MEDIA_CONTAINER_WEBM) {
        snprintf(reason, rn, "the content is neither mp4 nor webm");
        return LC_OUTCOME_INVALID_VIDEO_FORMAT;
    }
    if (info->index_short) {
        snprintf(reason, rn, "the mp4 ends before the frames its index lists");
        return LC_OUTCOME_CORRUPT_VIDEO;
    }
    if (info->packets == 0) {
        /* A video stream without a single packet: the file was cut. */
        snprintf(reason, rn, "the video stream holds no frames");
        return LC_OUTCOME_CORRUPT_VIDEO;
    }
    if (o != NULL && o->no_policy)
        return LC_OUTCOME_OK;
    if (nbytes > c->max_bytes) {
        snprintf(reason, rn, "the video has %zu bytes, more than %zu", nbytes,
                 c->max_bytes);
        return LC_OUTCOME_VIDEO_TOO_LARGE;
    }
    /* Half a frame of slack at 30 fps: a clip cut at 10 s often measures
     * a few milliseconds more from its packet timestamps. */
    if (info->duration > c->max_duration + 0.017 || info->scan_cut) {
        snprintf(reason, rn, "the video lasts %.2f s, more than %.0f s",
                 info->duration, c->max_duration);
        return LC_OUTCOME_VIDEO_TOO_LONG;
    }
    if (info->width < c->min_side || info->height < c->min_side ||
        info->width > c->max_side || info->height > c->max_side) {
        snprintf(reason, rn,
                 "the video is %dx%d; both sides must be within %d..%d",
                 info->width, info->height, c->min_side, c->max_side);
        return LC_OUTCOME_INVALID_VIDEO_RESOLUTION;
    }
    return LC_OUTCOME_OK;
}
