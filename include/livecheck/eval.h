/* include/livecheck/eval.h - measuring presentation-attack detection.
 *
 * The error rates of ISO/IEC 30107-3 over a labelled set of scored
 * samples, and the figures that show them. Nothing here runs the engine:
 * `livecheck eval` (src/cli/eval.c) scores the files and hands the scores
 * to these functions, so the metrics can be tested on made-up numbers.
 *
 *   APCER(type) share of the attacks of one type that were accepted;
 *   BPCER       share of bona fide samples that were rejected (a sample the
 *               engine refused, e.g. no face found, counts as rejected);
 *               bpcer_classified leaves refused samples out, as 30107-3
 *               does with failures to acquire;
 *   ACER        (max over types of APCER + BPCER) / 2;
 *   EER         the least, over thresholds, of max(APCER pooled over all
 *               attacks, BPCER): the equal-error point of the DET curve.
 *
 * A sample is accepted at threshold t when it was scored (not refused) and
 * its integer score is >= t, exactly as the engine decides.
 *
 *     struct eval_sample s[] = {{.score = 97, .s = 96.8f, .type = -1}, ...};
 *     struct eval_rates r;
 *     eval_rates_at(s, n, ntypes, 50, &r);
 *     double eer = eval_eer(s, n, NULL);
 */
#ifndef LC_EVAL_H
#define LC_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "livecheck/err.h"

#define EVAL_MAX_TYPES 8

/* ---- labelled samples ---- */

struct eval_label {
    char *path; /* owned */
    int type;   /* -1 bona fide, else index into types */
};

/* A list of labelled files; the all-zero value is the empty list. Attack
 * types are numbered in order of first appearance, pooled across CSVs. */
struct eval_labels {
    struct eval_label *v;
    int n, cap;
    char types[EVAL_MAX_TYPES][48];
    int ntypes;
};

/* Append the rows of a labels CSV (header naming path, label, attack_type;
 * label bona_fide or spoof; a spoof's empty attack_type is "unknown";
 * paths relative to the CSV's directory unless absolute). Returns 0, or
 * LC_EIO / LC_EFORMAT with the file and line in d; rows read before an
 * error stay in l. */
int eval_labels_read(struct eval_labels *l, const char *csv, struct lc_diag *d);
void eval_labels_release(struct eval_labels *l);

/* One scored sample. type is -1 for bona fide, else the attack type's
 * index (0..ntypes-1). A refused sample has refused set; its scores are
 * ignored. */
struct eval_sample {
    int type;
    bool refused;
    int score; /* the engine's integer livenessScore 0..100 */
    float s;   /* the same before rounding, 0..100, for curves */
};

struct eval_rates {
    int threshold;
    int ntypes;
    int n_bona, bona_rejected, bona_refused;
    int n_attack[EVAL_MAX_TYPES], attack_accepted[EVAL_MAX_TYPES];
    double apcer[EVAL_MAX_TYPES]; /* 0 for a type with no samples */
    double apcer_max, bpcer, acer;
    double bpcer_classified; /* over bona fide samples not refused */
};

/* Rates at integer threshold t. ntypes <= EVAL_MAX_TYPES. */
void eval_rates_at(const struct eval_sample *s, int n, int ntypes, int t,
                   struct eval_rates *r);

/* Equal-error rate over every threshold on the continuous score s; writes
 * the threshold where it is reached to *at when not NULL. 0 when the
 * classes are separated; 1 with either class empty. */
double eval_eer(const struct eval_sample *s, int n, float *at);

/* The lowest integer threshold 0..101 at which every attack type's APCER
 * is <= target (101 accepts nothing). */
int eval_threshold_for_apcer(const struct eval_sample *s, int n, int ntypes,
                             double target);

/* One point of the DET curve per distinct score: pooled APCER and BPCER
 * when accepting s >= thr[i]. Writes at most max points; returns how many
 * (sorted by increasing threshold). */
int eval_det_points(const struct eval_sample *s, int n, float *thr,
                    float *apcer, float *bpcer, int max);

/* Platt scaling: fit p = 1 / (1 + exp(-(a z + b))) to labels live[i] by
 * maximum likelihood with Platt's smoothed targets ((N+ + 1) / (N+ + 2)
 * and 1 / (N- + 2)), which keeps a and b finite on separable data.
 * Returns 0, or LC_EINVAL when either class is empty. */
int eval_platt_fit(const float *z, const bool *live, int n, float *a,
                   float *b);

/* ---- plots: an RGB canvas, lines, boxes and a 5x7 bitmap font ---- */

struct plot_canvas {
    int w, h;
    uint8_t *px; /* 3*w*h, owned */
};

/* A new w x h canvas filled with rgb (0xRRGGBB); aborts on OOM. */
void plot_init(struct plot_canvas *c, int w, int h, uint32_t rgb);
void plot_release(struct plot_canvas *c);
void plot_fill(struct plot_canvas *c, int x, int y, int w, int h,
               uint32_t rgb);
/* A line of the given width; dashed when dash > 0 (dash px on, dash off). */
void plot_line(struct plot_canvas *c, float x0, float y0, float x1, float y1,
               uint32_t rgb, int width, int dash);
/* Text in the built-in 5x7 font (upper case, digits, common punctuation;
 * lower case is drawn as upper case), each font pixel scale x scale.
 * Returns the width drawn. */
int plot_text(struct plot_canvas *c, int x, int y, const char *s,
              uint32_t rgb, int scale);
int plot_text_width(const char *s, int scale);
/* Write the canvas as an 8-bit RGB PNG. Returns 0 or LC_EIO. */
int plot_png_write(const struct plot_canvas *c, const char *path);

/* The evaluation figure: score histograms per class (bona fide and each
 * attack type, as shares of their class) with the decision threshold, and
 * the DET curve (pooled APCER against BPCER, log axes) with the EER point.
 * names[i] names attack type i. Returns 0 or LC_EIO. */
int eval_figure_write(const char *path, const char *title,
                      const struct eval_sample *s, int n, int ntypes,
                      const char *const *names, int threshold);

#endif
