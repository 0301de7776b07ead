/* include/livecheck/video.h - passive video liveness: the input policy for
 * a short clip (mp4/webm by upload or URL) and the analysis that turns its
 * frames into one confidence 0.0..1.0 (../shared/spec/api.md section 2).
 *
 * Part of the liveness module: the CLI (`livecheck video`) and the server's
 * POST /v2/kyc/forensics/video_liveness handler call these same functions,
 * so a result on the command line is the result the API gives. Like the
 * image check, a check returns 0 and sets an outcome (LC_OUTCOME_OK or the
 * user-facing reason the clip was refused); a negative LC_E* code means an
 * internal failure, never bad input.
 *
 *     struct liveness_video_config cfg;
 *     liveness_video_config_default(&cfg);
 *     struct liveness_video_result r;
 *     liveness_video_check(ctx, &cfg, bytes, len, NULL, &r);
 *     if (r.outcome == LC_OUTCOME_OK) printf("%.2f\n", r.confidence);
 *
 * A URL (video_url) is fetched under the same size cap with the safe
 * fetcher (fetch.h) and then checked the same way:
 *
 *     liveness_video_check_url(ctx, &cfg, &fetch_cfg, url, NULL, &r);
 *
 * How it decides. Frames are sampled over the clip at sample_fps by their
 * timestamps (variable frame rate is normal), the one face is tracked, and
 * evidence is fused (src/liveness/video_fuse.c documents the formula):
 *   - passive: the image liveness model's p(live) on the sampled frames;
 *   - live motion: blinks (eye aspect ratio from landmarks, confirmed by
 *     the eye model, only on frames facing the camera), head rotation (pose
 *     ranges) and non-rigid landmark motion (what a plane moved rigidly,
 *     i.e. a homography, cannot explain);
 *   - replay/still: frozen or duplicated frames, the frame's brightness
 *     flickering, a screen or paper border around the face, screen moire;
 *   - identity: the face's embedding compared with the first frames'.
 * Every cue is kept in the result so a reviewer can see why. Only pixels
 * and faces are used, never names or sizes of files.
 */
#ifndef LC_VIDEO_H
#define LC_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "livecheck/fetch.h"
#include "livecheck/media_video.h"
#include "livecheck/outcome.h"
#include "livecheck/vision.h"

struct liveness_video_config {
    /* Input policy. */
    size_t max_bytes;      /* size cap, upload and URL alike: 20 MB */
    double max_duration;   /* seconds: 10 */
    int min_side;          /* both frame sides within min_side..max_side */
    int max_side;          /* (configurable like the image policy): 800..2000 */
    float min_face_share;  /* a face in at least this share of the sampled
                            * frames: 0.5 */
    /* Decoder limits (refused before allocating): any declared side beyond
     * decode_max_side or frame beyond decode_max_pixels. */
    int decode_max_side;
    size_t decode_max_pixels;
    /* Sampling and analysis. */
    float sample_fps;      /* frames analysed per second of video: 6 */
    int max_samples;       /* at most this many (spread over longer clips): 64 */
    int analysis_side;     /* sampled frames are scaled so that their shorter
                            * side is at most this: 480 */
    float liveness_scale;  /* crop scale of the passive model: 2.7 */
    int embed_every;       /* embed every n-th sampled face: 3 */
    bool pipeline;         /* decode on a second thread while analysing */
    /* Decision: live when confidence >= threshold. */
    float threshold;       /* 0.5 */
};

void liveness_video_config_default(struct liveness_video_config *c);

struct liveness_video_opts {
    bool no_policy; /* skip the size, duration and resolution rules (the
                     * container, decoder limits and face rule stay) */
    /* Called from the analysing thread after each sampled frame, with the
     * frame's time and the clip's duration in seconds; may be NULL. */
    void (*progress)(void *arg, double t, double duration);
    void *progress_arg;
    /* When not NULL, one line per sampled frame (time, face box, each
     * model's answer) is written here: for reviewers and tuning. */
    FILE *trace;
};

/* Every cue, as measured; NAN where a cue could not be measured (null in
 * the JSON). */
struct liveness_video_cues {
    int samples;          /* sampled frames */
    int face_frames;      /* ... with the tracked face */
    int multi_face_frames;/* ... with a second face at least half as big */
    float passive;        /* mean p(live) of the sampled faces, 0..1 */
    float passive_low;    /* its 20th percentile */
    float passive_logit;  /* mean of logit(p(live)) clamped to -8..2: the
                           * model's vote as it is fused */
    int blinks;           /* blink events */
    float ear_open;       /* median eye aspect ratio, frontal frames */
    float ear_min;        /* its smallest value */
    float eye_closed_max; /* highest p(closed) of both eyes, frontal frames */
    float yaw_range;      /* degrees, 90th - 10th percentile */
    float pitch_range;
    float roll_range;
    float nonrigid;       /* landmark motion a homography cannot explain,
                           * in eye-distance units (90th percentile) */
    float nonrigid_mouth; /* the same for the mouth and eyes alone */
    float frozen;         /* share of decoded frames identical to the one
                           * before */
    float flicker;        /* frame-to-frame brightness jitter (0..255) */
    float border;         /* straight frame edges around the face, 0..1 */
    float moire;          /* periodic high-frequency energy on the face */
    float identity_min;   /* lowest cosine to the first frames' face */
};

struct liveness_video_result {
    enum lc_outcome outcome;
    char reason[160];      /* why, when outcome is not OK */
    struct media_video_info info;
    float confidence;      /* 0..1 */
    bool live;             /* confidence >= threshold */
    struct liveness_video_cues cues;
    /* The fused evidence, each 0..1 (video_fuse.c). */
    float live_motion;     /* signs of a live face over time */
    float static_risk;     /* a photo or a frozen picture */
    float replay_risk;     /* a screen or paper replay */
    float identity_risk;   /* the face changes mid-clip */
    long frames_decoded;
    double ms_probe, ms_decode, ms_analysis, ms_total;
};

/* The input policy on what the probe found: container by content, size
 * cap, duration, frame size. Returns LC_OUTCOME_OK or the refusal; writes a
 * sentence into reason (at least 160 bytes) when it refuses. info may be
 * NULL only when nbytes is 0. */
enum lc_outcome liveness_video_policy_check(
    const struct liveness_video_config *c,
    const struct media_video_info *info, size_t nbytes,
    const struct liveness_video_opts *o, char *reason);

/* Map a media_video error (media_video.h) to the user-facing outcome. */
enum lc_outcome liveness_video_outcome_of_media(int err);

/* Map a fetch error (fetch.h) for a video_url to the user-facing outcome. */
enum lc_outcome liveness_video_outcome_of_fetch(int err);

/* The passive video liveness check, end to end, on bytes the caller owns.
 * ctx is the calling thread's vision context (the decoder may run on a
 * second thread of its own, which never touches ctx). */
int liveness_video_check(struct vision_ctx *ctx,
                         const struct liveness_video_config *c,
                         const uint8_t *buf, size_t n,
                         const struct liveness_video_opts *o,
                         struct liveness_video_result *r);

/* Fetch url under fc (its max_bytes is lowered to c->max_bytes) and check
 * it. A refused or failed fetch is an outcome (the URL keys in outcome.h),
 * not an error. */
int liveness_video_check_url(struct vision_ctx *ctx,
                             const struct liveness_video_config *c,
                             const struct fetch_config *fc, const char *url,
                             const struct liveness_video_opts *o,
                             struct liveness_video_result *r);

/* The endpoint's success `data` object for r, as JSON text, into buf
 * (NUL-terminated, truncated to n like snprintf). Returns the length the
 * whole object needs; LIVENESS_VIDEO_JSON_MAX bytes are always enough:
 *   {"status":"SUCCESS","confidence":"0.87","live":"yes","threshold":"0.50",
 *    "evidence":{...},"cues":{...},"video":{...}}
 * "status" and "confidence" are the hosted API's fields; the rest are
 * livecheck's additions (docs/architecture.md lists them). */
#define LIVENESS_VIDEO_JSON_MAX 2048
size_t liveness_video_data_json(const struct liveness_video_result *r,
                                const struct liveness_video_config *c,
                                char *buf, size_t n);

#endif
