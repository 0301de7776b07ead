/* src/liveness/video_int.h - shared by the video files of src/liveness
 * only (and by white-box tests).
 *
 *   video_pipe.c    decoding, frame sampling by timestamp, per-frame
 *                   statistics; optionally on a second thread
 *   video_frame.c   one sampled frame: track the face, run the models
 *   video_geom.c    landmark geometry: eye aspect ratio, homography fit
 *   video_screen.c  pixel cues of a screen or paper: border, moire
 *   video_cues.c    cues over the whole track (blinks, rotation, ...)
 *   video_fuse.c    the cues into one confidence
 *   video.c         the check end to end
 * Memory: one video_track per check, sized by max_samples and allocated
 * once; the per-frame path allocates nothing.
 */
#ifndef LC_LIVENESS_VIDEO_INT_H
#define LC_LIVENESS_VIDEO_INT_H

#include <pthread.h>

#include "livecheck/media_video.h"
#include "livecheck/video.h"

/* Side of the luma thumbnail kept for every decoded frame. */
#define VIDEO_THUMB 32
/* Ring of converted frames between the decoder and the analysis. */
#define VIDEO_SLOTS 3

/* One sampled frame and what the models said about it. */
struct video_sample {
    double t;            /* seconds */
    long frame;          /* decoded frame index */
    bool face;           /* the tracked face was found */
    bool multi;          /* a second face at least half as big */
    bool has_emb;
    struct vision_face f;/* in analysis pixels, with landmarks */
    float p_live;        /* passive model */
    bool posed;          /* pose measured here, not carried over */
    float yaw, pitch, roll;
    float closed[2];     /* eye model p(closed), left and right */
    float ear[2];        /* eye aspect ratio from landmarks */
    float border, moire; /* video_screen.c; border NAN on odd samples */
    float emb[VISION_EMBED_DIM];
};

/* Statistics of every decoded frame (the decoding thread writes them). */
struct video_frame_stats {
    long frames;
    long frozen;     /* frames whose thumbnail equals the previous one's */
    float *luma;     /* mean luma per frame, cap entries */
    float *diff;     /* mean |thumb - previous thumb| per frame */
    long cap;
};

struct video_slot {
    struct media_image img; /* analysis size; px owned by the pipe */
    double t;
    long frame;
};

struct video_pipe {
    const struct liveness_video_config *c;
    media_video *v;
    bool threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct video_slot slot[VIDEO_SLOTS];
    int head, count;   /* ring: slots [head, head + count) are full */
    bool taken;        /* the consumer holds slot[head] */
    bool done, stop;
    int rc;
    struct lc_diag diag;
    int out_w, out_h;
    double step, next_t;
    int sampled;
    uint8_t thumb[VIDEO_THUMB * VIDEO_THUMB];
    struct video_frame_stats st;
    double ms_decode;
};

/* Open the decoder and (when c->pipeline) start decoding on a second
 * thread. duration (from the probe) spreads at most c->max_samples samples
 * over the clip. Returns 0 or a media_video error (negative LC_E*). */
int video_pipe_start(struct video_pipe *p, const struct liveness_video_config *c,
                     const uint8_t *buf, size_t n, double duration,
                     long packets, struct lc_diag *d);
/* The next sampled frame: returns 1 and points *s at it (valid until
 * video_pipe_give), 0 at the end, or a negative LC_E* code. */
int video_pipe_take(struct video_pipe *p, struct video_slot **s);
void video_pipe_give(struct video_pipe *p);
/* Stop (joining the thread) and release everything. Safe after a failed
 * start. */
void video_pipe_stop(struct video_pipe *p);

/* Tracking state across samples. */
struct video_tracker {
    bool have;
    float box[4]; /* the last tracked squared box */
    int n_emb;
    bool have_pose;
    float pose[3];    /* the last measured yaw, pitch, roll */
    uint8_t *scratch; /* for the border cue: allocated on the first frame,
                       * freed by the caller */
    size_t scratch_n;
};

/* Analyse one sampled frame into s (s->t and s->frame set by the caller). */
void video_frame_analyse(struct vision_ctx *ctx,
                         const struct liveness_video_config *c,
                         const struct media_image *img,
                         struct video_tracker *tr, int index,
                         struct video_sample *s);

/* Eye aspect ratio of the left (0) or right (1) eye: mean of the two
 * lid distances over the corner distance (Soukupova & Cech 2016). */
float video_eye_aspect(const float (*lm)[2], int which);

/* Fit a homography H mapping src[i] onto dst[i] (i < n, n >= 4) by
 * normalised DLT least squares, and return the RMS of the residuals of
 * the points listed in idx (all n when idx is NULL) in dst units; -1 when
 * the fit is degenerate. */
float video_homography_residual(const float (*src)[2], const float (*dst)[2],
                                int n, const int *idx, int nidx);

/* Border cue: the strength (0..1) of straight edges that frame the face
 * box in img (a screen bezel or a photo's edge), see video_screen.c.
 * scratch holds at least (img->w / 2) * (img->h / 2) bytes. */
float video_screen_border(const struct media_image *img, const float sq[4],
                          uint8_t *scratch);

/* Moire cue: periodic high-frequency energy on the face, see
 * video_screen.c. */
float video_screen_moire(const struct media_image *img, const float sq[4]);

/* The cues over the whole track. */
void video_cues_compute(const struct liveness_video_config *c,
                        const struct video_sample *s, int n,
                        const struct video_frame_stats *st,
                        struct liveness_video_cues *out);

/* Fuse the cues into r->confidence, r->live and the evidence fields. */
void video_fuse(const struct liveness_video_config *c,
                struct liveness_video_result *r);

#endif
