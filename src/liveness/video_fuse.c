/* src/liveness/video_fuse.c - the cues into one confidence.
 *
 * A hand-set logistic model, kept small so that every term can be read
 * off the result (the weights were set on the dev clips and photo-made
 * clips described in tests/video.sh, and are not a trained model):
 *
 *   z = BIAS + W_PASSIVE * passive_logit          appearance (the model)
 *            + W_MOTION  * (live_motion - 0.5)     a live face over time
 *            - W_REPLAY  * replay_risk             screen or paper cues
 *            - W_IDENTITY * identity_risk          the face changes
 *   confidence = 1 / (1 + exp(-z))
 *
 * passive_logit is the per-frame logit of the image model's p(live),
 * clamped to -8..2 and averaged: the model's "spoof" verdict on a screen
 * is extreme (p ~ 1e-4 on every frame) and counts fully, while its "live"
 * verdict is capped, because a digital replay of a photo looks perfectly
 * live to it; only motion can vouch for a live face.
 *
 * live_motion (0..1) is a noisy-or of:
 *   non-rigid landmark motion  ramp(max(nonRigid, nonRigidEyesMouth),
 *                               0.025, 0.06) eye distances: a picture
 *                               moved in any way stays under ~0.02;
 *   blinks                      0.6 * (1 - 0.5^blinks);
 *   head rotation               0.5 * ramp(yaw + pitch range, 10, 40 deg),
 *                               counted only as far as the motion is also
 *                               non-rigid (a tilted photo turns the pose
 *                               model's head too);
 * and it is scaled down by frozen frames (ramp(frozen, 0.5, 0.95)).
 * static_risk = 1 - live_motion.
 * replay_risk (0..1) is a noisy-or of the border cue ramp(border, 0.3,
 * 0.6) and the moire cue ramp(moire, 0.40, 0.55).
 * identity_risk is ramp(0.45 - identityMin, 0, 0.25): same-person cosines
 * of frontal faces stay above ~0.5, different people below ~0.35.
 */
#include "video_int.h"

#include <math.h>

#define BIAS 0.5f
#define W_PASSIVE 0.6f
#define W_MOTION 6.0f
#define W_REPLAY 3.0f
#define W_IDENTITY 8.0f

/* 0 at or below lo, 1 at or above hi, linear between; 0 for unmeasured
 * (NAN) values. */
static float ramp(float v, float lo, float hi)
{
    if (isnan(v))
        return 0;
    return v <= lo ? 0 : v >= hi ? 1 : (v - lo) / (hi - lo);
}

void video_fuse(const struct liveness_video_config *c,
                struct liveness_video_result *r)
{
    const struct liveness_video_cues *q = &r->cues;
    float nonrigid = ramp(fmaxf(q->nonrigid, q->nonrigid_mouth), 0.025f, 0.06f);
    float blink = 0.6f * (1.0f - powf(0.5f, (float)q->blinks));
    float turn = 0.5f * ramp(fmaxf(q->yaw_range, 0) + fmaxf(q->pitch_range, 0),
                             10.0f, 40.0f) * nonrigid;
    float motion = 1.0f - (1.0f - nonrigid) * (1.0f - blink) * (1.0f - turn);
    motion *= 1.0f - ramp(q->frozen, 0.5f, 0.95f);
    float border = ramp(q->border, 0.3f, 0.6f);
    float moire = ramp(q->moire, 0.40f, 0.55f);
    float replay = 1.0f - (1.0f - border) * (1.0f - moire);
    float ident = !isnan(q->identity_min) ? ramp(0.45f - q->identity_min, 0, 0.25f)
                                       : 0;
    float pl = !isnan(q->passive_logit) ? q->passive_logit : -8.0f;

    float z = BIAS + W_PASSIVE * pl + W_MOTION * (motion - 0.5f) -
              W_REPLAY * replay - W_IDENTITY * ident;
    r->live_motion = motion;
    r->static_risk = 1.0f - motion;
    r->replay_risk = replay;
    r->identity_risk = ident;
    r->confidence = 1.0f / (1.0f + expf(-z));
    r->live = r->confidence >= c->threshold;
}
