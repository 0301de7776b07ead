/* src/liveness/video.c - the passive video check end to end: size cap,
 * probe, input policy, decode and sample (video_pipe.c), analyse each
 * sampled frame (video_frame.c), the cues over time (video_cues.c) and
 * their fusion (video_fuse.c); and the same for a clip behind a URL. */
#include "video_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/mem.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int refuse(struct liveness_video_result *r, enum lc_outcome o,
                  const char *why)
{
    size_t k = strlen(why);
    if (k >= sizeof r->reason)
        k = sizeof r->reason - 1;
    r->outcome = o;
    memcpy(r->reason, why, k);
    r->reason[k] = 0;
    return o == LC_OUTCOME_INTERNAL ? LC_ENOMEM : 0;
}

static void trace(FILE *f, const struct video_sample *s)
{
    if (!s->face) {
        fprintf(f, "t=%.3f frame=%ld face=0\n", s->t, s->frame);
        return;
    }
    fprintf(f,
            "t=%.3f frame=%ld face=1 box=%.0f,%.0f,%.0f multi=%d live=%.3f "
            "yaw=%.1f pitch=%.1f roll=%.1f closed=%.2f,%.2f ear=%.3f,%.3f "
            "border=%.3f moire=%.3f\n",
            s->t, s->frame, s->f.sq[0], s->f.sq[1], s->f.sq[2], s->multi,
            s->p_live, s->yaw, s->pitch, s->roll, s->closed[0], s->closed[1],
            s->ear[0], s->ear[1], s->border, s->moire);
}

/* Decode, sample and analyse; fills r's cues. Returns 0 (with r->outcome
 * set on a refusal) or a negative LC_E* code. */
static int analyse(struct vision_ctx *ctx, const struct liveness_video_config *c,
                   const uint8_t *buf, size_t n,
                   const struct liveness_video_opts *o,
                   struct liveness_video_result *r)
{
    struct video_pipe p;
    struct lc_diag d = {{0}};
    int rc = video_pipe_start(&p, c, buf, n, r->info.duration, r->info.packets,
                              &d);
    if (rc < 0)
        return refuse(r, liveness_video_outcome_of_media(rc), d.msg);
    int cap = c->max_samples > 0 ? c->max_samples : 1;
    struct video_sample *s = lc_calloc((size_t)cap, sizeof *s);
    struct video_tracker tr = {0};
    int ns = 0;
    double busy = 0;
    struct video_slot *slot;
    while (ns < cap && (rc = video_pipe_take(&p, &slot)) == 1) {
        double t0 = now_ms();
        s[ns].t = slot->t;
        s[ns].frame = slot->frame;
        video_frame_analyse(ctx, c, &slot->img, &tr, ns, &s[ns]);
        video_pipe_give(&p);
        busy += now_ms() - t0;
        if (o->trace)
            trace(o->trace, &s[ns]);
        if (o->progress)
            o->progress(o->progress_arg, s[ns].t, r->info.duration);
        ns++;
    }
    /* Drain the decoder to the end: the per-frame statistics cover the
     * whole clip, and a corrupt tail is still noticed. */
    while (rc == 1 && (rc = video_pipe_take(&p, &slot)) == 1)
        video_pipe_give(&p);
    r->ms_analysis = busy;
    free(tr.scratch);
    if (rc < 0) {
        free(s);
        video_pipe_stop(&p);
        return refuse(r, liveness_video_outcome_of_media(rc), p.diag.msg);
    }
    if (o->trace)
        fprintf(o->trace, "frames=%ld frozen=%ld samples=%d\n", p.st.frames,
                p.st.frozen, ns);
    video_cues_compute(c, s, ns, &p.st, &r->cues);
    r->frames_decoded = p.st.frames;
    r->ms_decode = p.ms_decode;
    free(s);
    video_pipe_stop(&p);
    return 0;
}

int liveness_video_check(struct vision_ctx *ctx,
                         const struct liveness_video_config *c,
                         const uint8_t *buf, size_t n,
                         const struct liveness_video_opts *o,
                         struct liveness_video_result *r)
{
    static const struct liveness_video_opts none = {0};
    double t0 = now_ms();
    memset(r, 0, sizeof *r);
    if (o == NULL)
        o = &none;
    if (n == 0 || buf == NULL)
        return refuse(r, LC_OUTCOME_EMPTY_VIDEO, "the video is empty");
    if (!o->no_policy && n > c->max_bytes) {
        char why[160];
        snprintf(why, sizeof why, "the video has %zu bytes, more than %zu", n,
                 c->max_bytes);
        return refuse(r, LC_OUTCOME_VIDEO_TOO_LARGE, why);
    }
    struct lc_diag d = {{0}};
    struct media_video_opts mo = {.max_side = c->decode_max_side,
                                  .max_pixels = c->decode_max_pixels};
    int rc = media_video_probe(&r->info, buf, n, &mo, &d);
    r->ms_probe = now_ms() - t0;
    if (rc < 0)
        return refuse(r, liveness_video_outcome_of_media(rc), d.msg);
    r->outcome = liveness_video_policy_check(c, &r->info, n, o, r->reason);
    if (r->outcome != LC_OUTCOME_OK)
        return 0;
    rc = analyse(ctx, c, buf, n, o, r);
    if (rc < 0 || r->outcome != LC_OUTCOME_OK)
        return rc;
    const struct liveness_video_cues *q = &r->cues;
    if (q->samples == 0 ||
        (float)q->face_frames < c->min_face_share * (float)q->samples) {
        char why[160];
        snprintf(why, sizeof why,
                 "a face was found in %d of %d sampled frames; at least "
                 "%.0f%% are needed",
                 q->face_frames, q->samples, 100.0 * c->min_face_share);
        return refuse(r, LC_OUTCOME_NO_FACE_IN_VIDEO, why);
    }
    video_fuse(c, r);
    r->ms_total = now_ms() - t0;
    return 0;
}

int liveness_video_check_url(struct vision_ctx *ctx,
                             const struct liveness_video_config *c,
                             const struct fetch_config *fc, const char *url,
                             const struct liveness_video_opts *o,
                             struct liveness_video_result *r)
{
    struct fetch_config f = *fc;
    if (f.max_bytes == 0 || f.max_bytes > c->max_bytes)
        f.max_bytes = c->max_bytes;
    uint8_t *body;
    size_t n;
    struct lc_diag d = {{0}};
    int rc = fetch_url(&f, url, &body, &n, NULL, &d);
    if (rc < 0) {
        memset(r, 0, sizeof *r);
        enum lc_outcome oc = liveness_video_outcome_of_fetch(rc);
        refuse(r, oc, d.msg);
        return oc == LC_OUTCOME_INTERNAL ? rc : 0;
    }
    rc = liveness_video_check(ctx, c, body, n, o, r);
    free(body);
    return rc;
}
