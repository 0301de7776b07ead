/* include/livecheck/active.h - active video liveness: did the person in
 * this recording perform this session's live challenge, and who are they?
 *
 * The server picks a challenge per session (active_challenge_random): head
 * turns, a blink and digits to read aloud, each prompt with its own time
 * window. The capture page records the user answering it and reports when
 * each prompt was actually shown (seconds from the start of the
 * recording). liveness_active_check decodes the recording, samples its
 * frames by timestamp, runs the face models on them (the same per-frame
 * analysis as passive video liveness), recognises the spoken digits, and
 * answers the contract's questions (spec/api.md 3c):
 *
 *   - per reference embedding: matchScore (best sampled frame, the
 *     face_match calibration liveness_match_score), covariance (how
 *     consistently the frames match that reference) and the best frame
 *     as a JPEG;
 *   - audio matchScore: the share of the digits heard in order;
 *   - static_risk: no live motion (no blink, no head rotation, only rigid
 *     planar motion), as a photo held to the camera shows;
 *   - prerecorded (the engine's part of prerecordedRisk): a prompt not
 *     performed in its window, the wrong digits, or a screen replay;
 *     the server adds what only it knows (an upload seen before, a
 *     recording older than the session);
 *   - passive_ok: the frames' passive liveness passes.
 *
 * Like the other checks it returns 0 with r->outcome set (LC_OUTCOME_OK or
 * the user-facing reason the recording was refused), or a negative LC_E*
 * code for an internal failure. Nothing here knows HTTP or storage.
 */
#ifndef LC_ACTIVE_H
#define LC_ACTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "livecheck/media_video.h"
#include "livecheck/outcome.h"
#include "livecheck/speech.h"
#include "livecheck/vision.h"

#define ACTIVE_PROMPTS_MAX 8
#define ACTIVE_REFS_MAX 4
#define ACTIVE_DIGITS 4 /* digits the random challenge asks for */

enum active_prompt_kind {
    ACTIVE_TURN_LEFT,  /* the user turns their head to their own left */
    ACTIVE_TURN_RIGHT,
    ACTIVE_BLINK,
    ACTIVE_DIGITS_SPOKEN /* read the challenge's digits aloud */
};

/* Stable names: "turn_left", "turn_right", "blink", "digits". */
const char *active_prompt_name(enum active_prompt_kind k);
/* The kind named s; -1 when s names none. */
int active_prompt_parse(const char *s);

struct active_prompt {
    enum active_prompt_kind kind;
    double start, end; /* seconds from the recording's first frame */
};

struct active_challenge {
    int nprompts;
    struct active_prompt p[ACTIVE_PROMPTS_MAX];
    char digits[SPEECH_DIGITS_MAX + 1]; /* for ACTIVE_DIGITS_SPOKEN */
};

/* A fresh random challenge (libsodium randombytes): turn left, turn
 * right and blink in a random order, then ACTIVE_DIGITS random digits to
 * read, with the planned windows: lead_in seconds of looking at the
 * camera first, each movement prompt `move` seconds, the digits `speak`
 * seconds. */
void active_challenge_random(struct active_challenge *ch, double lead_in,
                             double move, double speak);

/* "turn_left@1.50-4.00,blink@4.00-6.50,digits=4821@9.00-14.00": the
 * compact form the CLI takes and the store keeps. Parse returns 0 or
 * LC_EINVAL (d says what is wrong); format returns the length written. */
int active_challenge_parse(struct active_challenge *ch, const char *s,
                           struct lc_diag *d);
size_t active_challenge_format(const struct active_challenge *ch, char *out,
                               size_t n);

struct liveness_active_config {
    /* Input policy of the recording. */
    size_t max_bytes;       /* 20 MB */
    double max_duration;    /* seconds: 30 */
    int min_side, max_side; /* shorter/longer frame side: 240..2000 */
    int decode_max_side;
    size_t decode_max_pixels;
    /* Sampling. */
    float sample_fps;       /* frames analysed per second: 12 */
    int max_samples;        /* at most: 400 */
    int analysis_side;      /* shorter side scaled to at most this: 480 */
    int embed_every;        /* embed every n-th sampled face: 2 */
    float min_face_share;   /* a face in at least this share of samples */
    /* Challenge checks. */
    double window_slack;    /* seconds a prompt's window is widened by
                             * at each end (client clock, encoder delay) */
    float turn_deg;         /* yaw beyond the lead-in's median, degrees */
    int audio_pass;         /* audio matchScore needed: 75 */
    float passive_threshold;/* mean p(live) of the frames: 0.5 */
    float replay_threshold; /* replay_risk at or above this is a screen
                             * replay: 0.5 */
    bool pipeline;          /* decode on a second thread: true */
    FILE *trace;            /* when not NULL, one line per sampled frame
                             * (pose, eyes, cosine to the first reference)
                             * and one per prompt: for reviewers, tuning */
};

void liveness_active_config_default(struct liveness_active_config *c);

struct active_prompt_result {
    bool done;        /* performed inside its window */
    double at;        /* seconds: when it was seen (-1 when never) */
    float value;      /* turns: yaw change in degrees; blink: depth */
};

struct active_ref_result {
    int match_score;   /* 0..100 */
    int covariance;    /* 0..100 */
    float cosine_best;
    double best_t;     /* seconds: the best frame's time */
    uint8_t *best_jpeg;/* the best frame (full analysis frame) as JPEG,
                        * malloc'd, freed by liveness_active_result_free */
    size_t best_jpeg_n;
};

struct liveness_active_result {
    enum lc_outcome outcome;
    char reason[160];
    struct media_video_info info;
    int nref;
    struct active_ref_result ref[ACTIVE_REFS_MAX];
    int nprompts;
    struct active_prompt_result prompt[ACTIVE_PROMPTS_MAX];
    char digits_heard[SPEECH_DIGITS_MAX + 1];
    int audio_score;        /* 0..100; 0 when there is no audio */
    bool static_risk;
    bool prerecorded;       /* the engine's part of prerecordedRisk */
    bool passive_ok;
    float passive;          /* mean p(live) of the sampled faces */
    float replay_risk;      /* 0..1, as passive video liveness fuses it */
    float identity_min;     /* lowest cosine of a frame to the clip's
                             * first faces */
    char risks[160];        /* why a risk is set: "turn_left not performed;
                             * digits 4821 heard 4827" */
    int samples, face_frames;
    double ms_decode, ms_analysis, ms_speech, ms_total;
};

/* Check the recording buf[0..n) against ch and the nref (<=
 * ACTIVE_REFS_MAX) reference embeddings ref[i] (L2-normalised, as
 * liveness_match_embed makes them). Fills r; release it with
 * liveness_active_result_free even on failure. */
int liveness_active_check(struct vision_ctx *ctx,
                          const struct liveness_active_config *c,
                          const uint8_t *buf, size_t n,
                          const struct active_challenge *ch,
                          const float (*ref)[VISION_EMBED_DIM], int nref,
                          struct liveness_active_result *r);
void liveness_active_result_free(struct liveness_active_result *r);

/* The result as the CLI prints it (the contract's data fields without
 * URLs, plus the prompts and timings), into buf; returns the length, 0
 * when it does not fit. */
#define LIVENESS_ACTIVE_JSON_MAX 4096
size_t liveness_active_json(const struct liveness_active_result *r,
                            const struct active_challenge *ch, char *buf,
                            size_t n);

#endif
