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

/* The cues fused with the liveness model (src/liveness/cues_*.c). Each
 * measures one kind of recapture evidence on the pixels of the face and
 * its surroundings and gives a suspicion value in its own units (larger =
 * more like an attack); fuse.c turns values beyond what live photos show
 * into a penalty on the model's logit. X(NAME, "key", what it measures).
 * The default configuration fuses moire, gamut and edges; the others are
 * measured by `livecheck eval --ablation` and kept out (docs/accuracy.md). */
#define LIVENESS_CUE_MAP(X)                                                  \
    X(MOIRE, "moire", "colour moire: fine chroma over luma energy, log10")   \
    X(TEXTURE, "texture", "lack of fine texture: -log10 high/mid energy")    \
    X(GAMUT, "gamut", "skin chroma short of live skin's red over blue")      \
    X(SPECULAR, "specular", "share of the face in flat, clipped glare")      \
    X(EDGES, "edges", "straight edges framing the face, 0..2")               \
    X(GEOMETRY, "geometry", "landmark vs head-pose disagreement, degrees")

enum liveness_cue {
#define X(name, key, what) LIVENESS_CUE_##name,
    LIVENESS_CUE_MAP(X)
#undef X
    LIVENESS_CUE_COUNT
};

/* Stable key ("moire") of a cue; NULL for an out-of-range index. */
const char *liveness_cue_key(enum liveness_cue c);

/* Image quality problems that make a live person look like a spoof. When
 * the fused score would reject a photo with one of these, the result says
 * needToReview with the reason instead of a bare "no".
 * X(NAME, "key", sentence for the reason field). */
#define LIVENESS_QUALITY_MAP(X)                                              \
    X(TOO_DARK, "too_dark", "the face is too dark; retake in better light")  \
    X(TOO_BRIGHT, "too_bright",                                              \
      "the face is overexposed; avoid strong light falling on it")           \
    X(BLURRED, "blurred", "the face is blurred; hold the camera still")      \
    X(FACE_SMALL, "face_small", "the face is small; move closer")            \
    X(FACE_PARTLY_OUTSIDE, "face_partly_outside",                            \
      "the face is partly outside the photo; centre it")

enum liveness_quality_issue {
    LIVENESS_QUALITY_OK = 0,
#define X(name, key, why) LIVENESS_QUALITY_##name,
    LIVENESS_QUALITY_MAP(X)
#undef X
    LIVENESS_QUALITY_COUNT
};

/* Stable key ("too_dark") and sentence of a quality issue; "ok" and ""
 * for LIVENESS_QUALITY_OK. Never NULL. */
const char *liveness_quality_key(enum liveness_quality_issue q);
const char *liveness_quality_reason(enum liveness_quality_issue q);

/* What the quality check measured on the face (src/liveness/quality.c). */
struct liveness_quality {
    float brightness;  /* mean face luma 0..255 */
    float dark_clip;   /* share of face pixels at or below 12 */
    float bright_clip; /* share of face pixels at or above 250 */
    float sharpness;   /* log10 of fine-to-coarse gradient energy */
    float face_px;     /* side of the squared face box, full-image pixels */
    float outside;     /* share of the raw face box outside the image */
    enum liveness_quality_issue issue; /* the first problem found, or OK */
};

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
    /* Liveness crops: scales of the squared face box; the model's logits
     * are averaged over them. */
    int nscales;
    float scales[LIVENESS_MAX_SCALES];
    /* Cues fused with the model: bit (1u << LIVENESS_CUE_x) enables one.
     * A disabled cue is not computed. */
    unsigned cues;
    /* Calibration of the fused logit z: livenessScore = 100 / (1 +
     * exp(-(calib_a * z + calib_b))). See docs/accuracy.md. */
    float calib_a, calib_b;
    /* Quality limits (quality.c): a face darker or brighter on average,
     * or with more clipped pixels, or less sharp, or smaller, or more
     * outside the image than these is a quality issue. */
    float q_dark, q_bright, q_clip, q_sharp, q_face_px, q_outside;
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
    float cue[LIVENESS_CUE_COUNT]; /* each enabled cue's value, else 0 */
    float z;            /* fused logit before calibration */
    float p_fused;      /* calibrated p(live), livenessScore / 100 */
    struct liveness_quality quality;
    const char *review_reason; /* static sentence when review is for a
                                  quality issue, else NULL */
    int faces;          /* faces counted by the several-faces rule */
    struct vision_face face; /* in full-image pixels */
    double ms_decode, ms_faces, ms_liveness, ms_cues;
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

/* Fuse r's per-scale p_live (first c->nscales) and its enabled cue values
 * (c->cues) into r->z, r->p_fused, r->score, r->live and r->review, and
 * apply the quality rule (a would-be rejection with a quality issue is
 * sent to review with review_reason). A pure function of r and c, so that
 * evaluation can compare cue sets without running the models again. */
void liveness_fuse(const struct liveness_config *c, struct liveness_result *r);

/* Compute every cue enabled in c->cues and the quality measures for the
 * face in img (the decoded image the face was found in; scale maps its
 * pixels to the full image). Fills r->cue and r->quality. */
void liveness_cues_measure(struct vision_ctx *ctx,
                           const struct liveness_config *c,
                           const struct media_image *img,
                           const struct vision_face *face, float scale,
                           struct liveness_result *r);

/* Calibrated match score 0..100 from the cosine of two embeddings. The
 * mapping is a logistic curve centred on the cosine where the dev pairs
 * separate (see docs/accuracy.md): 100 / (1 + exp(-12 (cos - 0.42))).
 * liveness_match_percent is the value to 2 decimals (the API's
 * "98.00%", on which the decision is taken), liveness_match_score the
 * same rounded to an integer. One mapping for
 * `livecheck match` and POST /v2/kyc/forensics/face_match. */
double liveness_match_percent(float cosine);
int liveness_match_score(float cosine);
/* Whether a pair matches at threshold (percent >= threshold). */
bool liveness_match_decide(double percent, int threshold);

/* The success `data` object of a face match as JSON text (at most 160
 * bytes): {"status":"SUCCESS","match":"97.24%","matched":"yes",
 * "threshold":50,"cosine":0.7131}. Returns its length. */
size_t liveness_match_data_json(float cosine, int threshold, char *buf,
                                size_t n);

/* The face of one photo for face match, as `livecheck match` and the
 * face_match endpoint both take it: no input policy (any size, no EXIF),
 * the face rules of liveness_face_find (exactly one usable face), then
 * the 512-d embedding. Returns 0 with r->outcome set (emb filled when it
 * is LC_OUTCOME_OK), or a negative LC_E* code for an internal failure. */
int liveness_match_embed(struct vision_ctx *ctx,
                         const struct liveness_config *c, const uint8_t *buf,
                         size_t n, float emb[VISION_EMBED_DIM],
                         struct liveness_result *r);

#endif
