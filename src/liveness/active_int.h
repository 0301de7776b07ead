/* src/liveness/active_int.h - shared by the active video files of
 * src/liveness only (and by white-box tests).
 *
 *   active.c            the check end to end: policy, the sampling loop
 *                       (video_pipe + video_frame_analyse), speech, risks
 *   active_challenge.c  prompt names, random challenges, the compact form
 *   active_prompts.c    was each movement prompt performed in its window?
 *   active_match.c      the face against each reference: best frame,
 *                       matchScore, covariance
 *   active_json.c       the result as the CLI prints it
 * Memory: one block per check (samples, per-reference cosines, scratch),
 * sized by max_samples and allocated before the first frame; the frames
 * kept for the references get one block when the first frame's size is
 * known. The per-frame path allocates nothing.
 */
#ifndef LC_LIVENESS_ACTIVE_INT_H
#define LC_LIVENESS_ACTIVE_INT_H

#include "livecheck/active.h"
#include "liveness/video_int.h"

/* What the prompt checks measured over the whole clip. */
struct active_motion {
    float yaw0, pitch0; /* the lead-in's median pose: "looking ahead" */
    float nose0;        /* ... and nose offset (active_nose_offset) */
    float ear_open;     /* median eye aspect ratio of frontal samples */
    bool eye_ok[2];     /* the eye model is trusted for the left (0) and
                         * right (1) eye: it reads open on most frontal
                         * samples (else that eye's reading is ignored) */
    int blinks;         /* blinks anywhere in the clip */
};

/* Pose and eye baselines of samples s[0..n) for challenge ch. tmp holds
 * at least n floats. */
void active_motion_measure(const struct liveness_active_config *c,
                           const struct active_challenge *ch,
                           const struct video_sample *s, int n, float *tmp,
                           struct active_motion *m);

/* Where the nose tip (landmark 30) lies between the outer eye corners (36,
 * 45), from -0.5 (over the corner on the image's left) to 0.5: about 0 for
 * a face looking ahead, > 0 when the nose points to the image's right
 * (yaw < 0). */
float active_nose_offset(const struct vision_face *f);

/* Was each movement prompt of ch performed in its window? Fills out[i]
 * for every prompt (digits prompts are left to the caller: done false,
 * at -1, value 0). tmp holds at least n floats. */
void active_prompts_verify(const struct liveness_active_config *c,
                           const struct active_challenge *ch,
                           const struct video_sample *s, int n,
                           const struct active_motion *m, float *tmp,
                           struct active_prompt_result *out);

/* Blinks whose closed samples lie in [t0, t1]; *depth gets the deepest
 * one's 1 - EAR / open EAR (0 when none) and *at its time (-1). */
int active_blinks_count(const struct liveness_active_config *c,
                        const struct video_sample *s, int n,
                        const struct active_motion *m, double t0, double t1,
                        float *depth, double *at);

/* Face match against the references, frame by frame. */
struct active_match {
    int nref;
    const float (*ref)[VISION_EMBED_DIM];
    float *cos;         /* nref x max_samples: cosine per embedded sample,
                         * NAN where the sample has no embedding */
    int cap;
    float best[ACTIVE_REFS_MAX];
    double best_t[ACTIVE_REFS_MAX];
    struct media_image frame[ACTIVE_REFS_MAX]; /* the best frame of each */
    uint8_t *pixels;    /* one block behind frame[*].px */
};

/* Set up m over cos (nref * cap floats, the caller's). */
void active_match_init(struct active_match *m,
                       const float (*ref)[VISION_EMBED_DIM], int nref,
                       float *cos, int cap);
/* Score sample index i (s analysed from img): its cosine to every
 * reference, and a copy of img for each reference it now matches best. */
void active_match_frame(struct active_match *m, int i,
                        const struct video_sample *s,
                        const struct media_image *img);
/* matchScore, covariance and the best frame as JPEG into r->ref[0..nref).
 * Returns 0 or a negative LC_E* code (JPEG encoding failed). */
int active_match_finish(struct active_match *m, const struct video_sample *s,
                        int n, float *tmp, struct liveness_active_result *r);
void active_match_release(struct active_match *m);

/* Covariance 0..100 of per-frame match scores v[0..n): see
 * active_match.c. */
int active_match_covariance(const float *v, int n);

#endif
