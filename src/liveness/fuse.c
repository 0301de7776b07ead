/* src/liveness/fuse.c - from evidence to livenessScore.
 *
 * The liveness model's logit, averaged over the crop scales, is the base
 * evidence. Each enabled cue can only lower it: a cue value up to `lo`
 * (the most that live photos showed, with a margin) costs nothing, and the
 * penalty grows linearly to `weight` logits at `hi`. Cues are one-sided
 * because the dev data holds few attack kinds: a cue may catch an attack
 * the model misses, but it must never vouch for one. The limits were set
 * on bona fide photos only, so every attack set stays test data.
 *
 * The fused logit z is then calibrated (Platt scaling, fitted by
 * `livecheck eval --fit` on the reference set in docs/accuracy.md):
 * livenessScore = 100 p, p = 1 / (1 + exp(-(a z + b))), an estimate of the
 * odds that the photo is live at equal priors. Refitting a and b on the same
 * reference set whenever a model or cue changes keeps the score's meaning
 * from one release to the next.
 */
#include <math.h>
#include <stdlib.h>

#include "liveness/liveness_int.h"

struct cue_rule {
    float lo, hi, weight;
};

/* Indexed by enum liveness_cue. See docs/accuracy.md for the live maxima
 * the `lo` limits were set above. */
static const struct cue_rule rules[LIVENESS_CUE_COUNT] = {
    [LIVENESS_CUE_MOIRE] = {0.60f, 0.85f, 16.0f},
    [LIVENESS_CUE_TEXTURE] = {1.75f, 2.20f, 16.0f},
    [LIVENESS_CUE_GAMUT] = {0.11f, 0.25f, 16.0f},
    [LIVENESS_CUE_SPECULAR] = {0.02f, 0.10f, 16.0f},
    [LIVENESS_CUE_EDGES] = {0.85f, 1.40f, 16.0f},
    [LIVENESS_CUE_GEOMETRY] = {45.0f, 70.0f, 16.0f},
};

/* The model's probabilities are clamped before the logit so that one
 * saturated crop cannot outvote everything (|logit| <= 9.2). */
static float logit(float p)
{
    p = fminf(fmaxf(p, 1e-4f), 1.0f - 1e-4f);
    return logf(p / (1.0f - p));
}

void liveness_fuse(const struct liveness_config *c, struct liveness_result *r)
{
    float z = 0.0f;
    for (int i = 0; i < c->nscales; i++)
        z += logit(r->p_live[i]);
    z = c->nscales > 0 ? z / (float)c->nscales : logit(0.0f);
    for (int i = 0; i < LIVENESS_CUE_COUNT; i++) {
        if (!(c->cues & 1u << i))
            continue;
        const struct cue_rule *u = &rules[i];
        float t = (r->cue[i] - u->lo) / (u->hi - u->lo);
        z -= u->weight * fminf(fmaxf(t, 0.0f), 1.0f);
    }
    r->z = z;
    r->p_fused = 1.0f / (1.0f + expf(-(c->calib_a * z + c->calib_b)));
    r->score = (int)lrintf(100.0f * r->p_fused);
    r->live = r->score >= c->threshold;
    r->review = abs(r->score - c->threshold) < c->review_band;
    r->review_reason = NULL;
    /* A would-be rejection of a poor photo: ask for a retake, do not call
     * the person a spoof. */
    if (!r->live && r->quality.issue != LIVENESS_QUALITY_OK) {
        r->review = true;
        r->review_reason = liveness_quality_reason(r->quality.issue);
    }
}
