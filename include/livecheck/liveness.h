/* include/livecheck/liveness.h - from faces to answers: the input policy,
 * the passive image liveness check and the face-match score.
 *
 * The CLI and the server call these same functions, so a result on the
 * command line is the result the API gives. Nothing here knows HTTP or
 * storage. A check returns 0 and sets an outcome (LC_OUTCOME_OK, or the
 * user-facing reason the photo was refused); a negative LC_E* code means an
 * internal failure, never bad input.
 *
 *     struct liveness_config cfg;
 *     liveness_config_default(&cfg);
 *     struct liveness_result r;
 *     liveness_image_check(ctx, &cfg, bytes, len, &opts, &r);
 *     if (r.outcome == LC_OUTCOME_OK) printf("%d %s\n", r.score, r.live ? "live" : "spoof");
 */
#ifndef LC_LIVENESS_H
#define LC_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>

#include "livecheck/media.h"
#include "livecheck/outcome.h"
#include "livecheck/vision.h"

#define LIVENESS_MAX_SCALES 3

struct liveness_config {
    /* Input policy (../shared/spec/api.md section 1). */
    size_t max_bytes;  /* size cap, default 20 MB */
    int min_side;      /* both sides within min_side..max_side, after */
    int max_side;      /* EXIF orientation: default 800..2000 */
    /* Face rules. A face is too small when its side is below min_face_px
     * or below min_face_frac of the image's shorter side; a second face
     * counts (several faces) when its side is at least several_frac of the
     * largest's; a face is cut off when its detector box leaves the image
     * by more than cutoff_frac of its own size. */
    int min_face_px;
    float min_face_frac;
    float several_frac;
    float several_score;
    float cutoff_frac;
    float cutoff_aspect_lo, cutoff_aspect_hi;
    /* Decision: live when score >= threshold; needToReview when the score
     * lies within review_band of the threshold. */
    int threshold;
    int review_band;
    /* Liveness crops: scales of the squared face box fused by mean. */
    int nscales;
    float scales[LIVENESS_MAX_SCALES];
    /* JPEGs are decoded with DCT scaling down to this shorter side. */
    int decode_min_side;
    /* Face match: a pair matches when matchScore >= match_threshold. */
    int match_threshold;
};

void liveness_config_default(struct liveness_config *c);

struct liveness_opts {
    bool skip_metadata; /* skip the EXIF requirement */
    bool no_policy;     /* skip size, resolution and EXIF checks */
};

struct liveness_result {
    enum lc_outcome outcome;
    char reason[160];   /* why, when outcome is not OK */
    struct media_info info;
    int score;          /* livenessScore 0..100 */
    bool live, review;
    float p_live[LIVENESS_MAX_SCALES]; /* per crop scale */
    int faces;          /* faces counted by the several-faces rule */
    struct vision_face face; /* in full-image pixels */
    double ms_decode, ms_faces, ms_liveness;
};

/* The input policy on what the header says: format by content, size cap,
 * resolution, EXIF tags. Returns LC_OUTCOME_OK or the refusal; writes a
 * sentence into reason (at least 160 bytes) when it refuses. */
enum lc_outcome liveness_policy_check(const struct liveness_config *c,
                                      const struct media_info *info,
                                      size_t nbytes,
                                      const struct liveness_opts *o,
                                      char *reason);

/* Map a decoder error (media.h) to the user-facing outcome. */
enum lc_outcome liveness_outcome_of_media(int err);

/* Decode the photo under the policy and find its one usable face.
 * On LC_OUTCOME_OK, img holds the decoded (possibly DCT-downscaled) image
 * and face is in img's pixels; *scale maps img pixels to full-image
 * pixels. The caller releases img in every case. */
int liveness_face_find(struct vision_ctx *ctx, const struct liveness_config *c,
                       const uint8_t *buf, size_t n,
                       const struct liveness_opts *o, struct media_image *img,
                       float *scale, struct liveness_result *r);

/* The passive image liveness check, end to end. */
int liveness_image_check(struct vision_ctx *ctx,
                         const struct liveness_config *c, const uint8_t *buf,
                         size_t n, const struct liveness_opts *o,
                         struct liveness_result *r);

/* Calibrated match score 0..100 from the cosine of two embeddings. The
 * mapping is a logistic curve centred on the cosine where the dev pairs
 * separate (see docs/accuracy.md): 100 / (1 + exp(-12 (cos - 0.42))). */
int liveness_match_score(float cosine);

#endif
