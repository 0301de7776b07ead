/* include/livecheck/quality.h - is this photo good enough as a photo?
 *
 * The image-quality check behind POST /v2/kyc/forensics/image_quality and
 * `livecheck quality`: each measure scores 0..100 (100 = no problem) and
 * says whether it could be measured ("valid"):
 *   sharpness           variance of the 4-neighbour Laplacian of the luma,
 *                       on the face (the largest detected face, resampled
 *                       to a fixed size) and on the whole image (resampled
 *                       to a fixed shorter side), mapped from log10;
 *   brightness          mean luma of the face (else of the image) against
 *                       a comfortable band, and the shares of clipped
 *                       pixels (exposure) on the face and on the image;
 *   compressionQuality  for a JPEG the IJG quality its luminance
 *                       quantisation table (the DQT segment, parsed here)
 *                       corresponds to, and for any image the blockiness
 *                       of the 8x8 grid (how much larger luma steps are on
 *                       one column/row phase of 8 than on the others);
 *   textQuality         not applicable: livecheck finds no text, so it is
 *                       reported valid "false" with score 0 and never
 *                       counts towards the summary.
 * The summary accepts when every selected valid measure scores at least
 * `accept`; the overall score is their mean. The decision is on pixels
 * only: no model judges "quality", the face detector only says where the
 * face is (the photo may have none).
 *
 * Nothing here knows HTTP. The pure measures take gray buffers so that
 * tests feed them made-up inputs; quality_jpeg_dqt is a bounds-checked
 * parser of untrusted bytes (fuzzed: fuzz/fuzz_dqt.c).
 *
 *     struct quality_config qc;
 *     quality_config_default(&qc);
 *     struct quality_result r;
 *     quality_image_check(ctx, &qc, bytes, len, QUALITY_ALL, &r);
 *     if (r.outcome == LC_OUTCOME_OK) quality_data_json(&r, buf, sizeof buf);
 */
#ifndef LC_QUALITY_H
#define LC_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/media.h"
#include "livecheck/outcome.h"
#include "livecheck/vision.h"

/* The measures, in the order the API lists them: X(NAME, "key"). */
#define QUALITY_PARAM_MAP(X)                                                 \
    X(SHARPNESS, "sharpness")                                                \
    X(BRIGHTNESS, "brightness")                                              \
    X(COMPRESSION, "compressionQuality")                                     \
    X(TEXT, "textQuality")

enum quality_param {
#define X(name, key) QUALITY_##name,
    QUALITY_PARAM_MAP(X)
#undef X
    QUALITY_PARAM_COUNT
};

#define QUALITY_ALL ((1u << QUALITY_PARAM_COUNT) - 1u)

/* Key of a measure ("compressionQuality"); NULL when out of range. */
const char *quality_param_key(enum quality_param p);
/* The measures a quality_parameter value selects: "all" (or "") gives
 * QUALITY_ALL, a measure's key (any case) its bit; 0 when unknown. */
unsigned quality_param_parse(const char *s);

struct quality_config {
    size_t max_bytes;      /* size cap, default 20 MB */
    int accept;            /* summary accept: every valid score >= 50 */
    int high;              /* extractionQuality high: lowest >= 75,
                            * medium: >= accept, else low */
    int work_side;         /* whole-image measures: shorter side 512 */
    int face_side;         /* face measures: 128 x 128 */
    /* sharpness: log10(1 + Laplacian variance) at score 0 and 100 */
    float sharp_lo, sharp_hi;
    float face_weight;     /* sharpness = w face + (1 - w) image: 0.75 */
    /* brightness: the face's (else the image's) mean luma scores 100
     * within ok_lo..ok_hi, 0 at dark and at bright; the clipped share
     * (luma <= 8 or >= 247) scores 100 at 0 and 0 at clip_face on the
     * face, 100 up to clip_image_ok and 0 at clip_image on the whole
     * image (a dark background is no fault of the face) */
    float dark, ok_lo, ok_hi, bright;
    float clip_face, clip_image_ok, clip_image;
    /* compression: IJG quality at score 0 and 100; blockiness (excess of
     * the strongest 8-phase over the others' mean) at 100 and 0 */
    float jpegq_lo, jpegq_hi;
    float block_lo, block_hi;
};

void quality_config_default(struct quality_config *c);

/* ---- JPEG quantisation tables ------------------------------------------ */

struct quality_dqt {
    int ntables;          /* tables defined before the first scan */
    bool present[4];      /* by table id Tq */
    int precision[4];     /* Pq: 0 = 8-bit, 1 = 16-bit entries */
    uint16_t q[4][64];    /* in natural (row-major) order */
    int quality;          /* IJG quality 1..100 of table 0, -1 if absent */
    float fit;            /* mean |entry - IJG table at that quality| */
};

/* Parse the DQT segments of a JPEG up to its first SOS, with every length
 * checked against the buffer. Returns 0 (t filled, quality estimated),
 * LC_EUNSUP when buf does not start with SOI, LC_ETRUNC when a segment
 * runs past the end or no scan starts, LC_EFORMAT for a malformed marker
 * or table (Pq > 1, Tq > 3, a zero entry, a short table) or a scan with
 * no table before it. */
int quality_jpeg_dqt(const uint8_t *buf, size_t n, struct quality_dqt *t);

/* The IJG (libjpeg) table for quality 1..100: the Annex K luminance
 * (chroma false) or chrominance table scaled as jpeg_set_quality does,
 * entries clamped to 1..255, natural order. */
void quality_ijg_table(int quality, bool chroma, uint16_t out[64]);

/* The IJG quality whose luminance table is closest (least mean absolute
 * difference, stored in *fit when not NULL) to q (natural order). */
int quality_ijg_estimate(const uint16_t q[64], float *fit);

/* ---- pure measures on gray buffers (luma 0..255, rows packed) --------- */

/* Luma of the pixels of box (x, y, w, h; the whole image when box is
 * NULL) area-averaged onto an ow x oh grid; the box may leave the image
 * (edge pixels repeat). */
void quality_gray_resample(const struct media_image *img, const float *box,
                           int ow, int oh, float *out);

/* Variance of the 4-neighbour Laplacian over the interior pixels (0 for
 * images smaller than 3x3). A flat image or a linear ramp gives 0; a
 * checkerboard of 0 and a gives 16 a^2. */
double quality_laplacian_var(const float *g, int w, int h);

/* Mean luma and the shares of pixels at or below 8 and at or above 247. */
void quality_exposure(const float *g, size_t n, float *mean, float *dark,
                      float *bright);

/* Blockiness of an 8x8 grid on w x h 8-bit luma at native resolution:
 * for columns and rows each, the mean |step| across every phase of 8 is
 * taken; the excess of the largest over the mean of the other seven, as
 * a share of that mean, is averaged over both directions. About 0 for a
 * photo, 0.5 and more for a JPEG at quality 10. 0 below 16x16. */
float quality_blockiness(const uint8_t *y, int w, int h);

/* ---- the check -------------------------------------------------------- */

struct quality_measures {
    bool face;             /* a face was found */
    float face_box[4];     /* squared face box, full-image pixels */
    float lap_face;        /* Laplacian variance, face (-1 no face) */
    float lap_image;       /* Laplacian variance, whole image */
    float mean_face, mean_image;          /* luma 0..255 (-1 no face) */
    float dark_face, bright_face;         /* clipped shares (-1 no face) */
    float dark_image, bright_image;
    int jpeg_quality;      /* IJG estimate, -1 when not a JPEG */
    float blockiness;
};

struct quality_result {
    enum lc_outcome outcome;
    char reason[160];      /* why, when outcome is not OK */
    struct media_info info;
    unsigned selected;     /* QUALITY_* bits asked for */
    bool valid[QUALITY_PARAM_COUNT];
    int score[QUALITY_PARAM_COUNT];
    int overall;           /* mean of the selected valid scores, 0 if none */
    bool accept;
    const char *extraction; /* "high", "medium" or "low" */
    struct quality_measures m;
    double ms_decode, ms_measure;
};

/* Turn measures into scores, the summary and extractionQuality (a pure
 * function of r->m, r->selected and c). */
void quality_score(const struct quality_config *c, struct quality_result *r);

/* The check, end to end: size cap, format by content, decode at full
 * resolution (decoder limits), the largest face if any, the measures and
 * quality_score. Returns 0 with r->outcome set (OK or the refusal), or a
 * negative LC_E* code for an internal failure. */
int quality_image_check(struct vision_ctx *ctx, const struct quality_config *c,
                        const uint8_t *buf, size_t n, unsigned selected,
                        struct quality_result *r);

/* The success `data` object as JSON text into buf (NUL-terminated,
 * QUALITY_JSON_MAX is always enough); returns its length. The API and
 * the CLI print exactly this. */
#define QUALITY_JSON_MAX 1536
size_t quality_data_json(const struct quality_result *r, char *buf, size_t n);

#endif
