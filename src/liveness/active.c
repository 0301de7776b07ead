/* src/liveness/active.c - the active video check end to end: size cap,
 * probe, input policy; the sampled frames through the passive video
 * pipeline (video_pipe.c decoding on a second thread, video_frame.c the
 * models per frame), each embedded face compared with the references on
 * the way (active_match.c); then the prompts (active_prompts.c), the
 * spoken digits (speech.h), the passive video cues and their fusion
 * (video_cues.c, video_fuse.c), and the answers of the contract:
 *
 *   static_risk  no live motion: video_fuse's static risk (non-rigid
 *                landmark motion, blinks, head rotation that is also
 *                non-rigid, frozen frames) is above 0.5 and no blink was
 *                seen anywhere (active_prompts.c, sampled twice as densely
 *                as the passive check);
 *   prerecorded  a movement prompt not performed in its window, the
 *                digits heard scoring under audio_pass, or a screen replay
 *                (video_fuse's replay_risk at or above replay_threshold);
 *   passive_ok   the mean p(live) of the sampled faces reaches
 *                passive_threshold and there is no screen replay.
 *
 * The spoken digits are decoded and recognised on a thread of their own
 * while the frames are analysed (on an idle 2-core machine it hides the
 * speech's quarter of a second behind the analysis).
 *
 * Times: video samples are seconds from the first video packet and audio
 * seconds from the first audio sample; a browser recording starts both
 * together. The digits are listened for from a second before their window
 * (speech needs some noise floor before the words; at least window_slack)
 * to window_slack after it.
 */
#include "liveness/active_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/media_audio.h"
#include "livecheck/mem.h"

void liveness_active_config_default(struct liveness_active_config *c)
{
    *c = (struct liveness_active_config){
        .max_bytes = (size_t)20 << 20,
        .max_duration = 30.0,
        .min_side = 240,
        .max_side = 2000,
        .decode_max_side = 8192,
        .decode_max_pixels = (size_t)8192 * 4352,
        .sample_fps = 12.0f,
        .max_samples = 400,
        .analysis_side = 480,
        .embed_every = 2,
        .min_face_share = 0.5f,
        .window_slack = 0.5,
        .turn_deg = 15.0f,
        .audio_pass = 75,
        .passive_threshold = 0.5f,
        .replay_threshold = 0.5f,
        .pipeline = true,
        .trace = NULL,
    };
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The passive pipeline's configuration for this check. */
static void video_config(const struct liveness_active_config *c,
                         struct liveness_video_config *v)
{
    liveness_video_config_default(v);
    v->max_bytes = c->max_bytes;
    v->max_duration = c->max_duration;
    v->min_side = c->min_side;
    v->max_side = c->max_side;
    v->min_face_share = c->min_face_share;
    v->decode_max_side = c->decode_max_side;
    v->decode_max_pixels = c->decode_max_pixels;
    v->sample_fps = c->sample_fps;
    v->max_samples = c->max_samples;
    v->analysis_side = c->analysis_side;
    v->embed_every = c->embed_every;
    v->pipeline = c->pipeline;
}

static int refuse(struct liveness_active_result *r, enum lc_outcome o,
                  const char *why)
{
    size_t k = strlen(why);
    if (k >= sizeof r->reason)
        k = sizeof r->reason - 1;
    r->outcome = o;
    memcpy(r->reason, why, k);
    r->reason[k] = 0;
    return 0;
}

/* Append "; "-separated text to r->risks (truncated when full). */
__attribute__((format(printf, 2, 3))) static void risk(
    struct liveness_active_result *r, const char *fmt, ...)
{
    size_t len = strlen(r->risks);
    if (len + 3 >= sizeof r->risks)
        return;
    if (len) {
        memcpy(r->risks + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->risks + len, sizeof r->risks - len, fmt, ap);
    va_end(ap);
}

static void trace_sample(FILE *f, const struct video_sample *s,
                         const struct active_match *m, int i)
{
    if (!s->face) {
        fprintf(f, "t=%.3f frame=%ld face=0\n", s->t, s->frame);
        return;
    }
    fprintf(f,
            "t=%.3f frame=%ld face=1 box=%.0f,%.0f,%.0f live=%.3f yaw=%.1f%s "
            "nose=%.2f pitch=%.1f closed=%.2f,%.2f ear=%.3f,%.3f",
            s->t, s->frame, s->f.sq[0], s->f.sq[1], s->f.sq[2], s->p_live,
            s->yaw, s->posed ? "" : "*", (double)active_nose_offset(&s->f), s->pitch, s->closed[0], s->closed[1],
            s->ear[0], s->ear[1]);
    if (m->nref > 0 && s->has_emb)
        fprintf(f, " cos=%.3f", m->cos[i]);
    fputc('\n', f);
}

/* Decode, sample, analyse each frame, compare with the references. The
 * samples land in s[0..*ns). Returns 0 (r->outcome set on a refusal) or a
 * negative LC_E* code. */
static int sample_all(struct vision_ctx *ctx,
                      const struct liveness_active_config *c,
                      const struct liveness_video_config *vc,
                      const uint8_t *buf, size_t n, struct video_sample *s,
                      int cap, int *ns, struct active_match *m,
                      struct liveness_active_result *r,
                      struct liveness_video_result *vr)
{
    struct video_pipe p;
    struct lc_diag d = {{0}};
    int rc = video_pipe_start(&p, vc, buf, n, r->info.duration, r->info.packets,
                              &d);
    if (rc < 0)
        return refuse(r, liveness_video_outcome_of_media(rc), d.msg);
    struct video_tracker tr = {0};
    struct video_slot *slot;
    double busy = 0;
    int k = 0;
    while (k < cap && (rc = video_pipe_take(&p, &slot)) == 1) {
        double t0 = now_ms();
        s[k].t = slot->t;
        s[k].frame = slot->frame;
        video_frame_analyse(ctx, vc, &slot->img, &tr, k, &s[k]);
        active_match_frame(m, k, &s[k], &slot->img);
        video_pipe_give(&p);
        busy += now_ms() - t0;
        if (c->trace)
            trace_sample(c->trace, &s[k], m, k);
        k++;
    }
    /* Drain to the end: frame statistics over the whole clip, and a
     * corrupt tail is noticed. */
    while (rc == 1 && (rc = video_pipe_take(&p, &slot)) == 1)
        video_pipe_give(&p);
    free(tr.scratch);
    *ns = k;
    r->ms_analysis = busy;
    r->ms_decode = p.ms_decode;
    if (rc < 0) {
        video_pipe_stop(&p);
        return refuse(r, liveness_video_outcome_of_media(rc), p.diag.msg);
    }
    video_cues_compute(vc, s, k, &p.st, &vr->cues);
    vr->frames_decoded = p.st.frames;
    video_pipe_stop(&p);
    return 0;
}

static const struct active_prompt *digits_prompt(const struct active_challenge *ch)
{
    for (int i = 0; i < ch->nprompts; i++)
        if (ch->p[i].kind == ACTIVE_DIGITS_SPOKEN)
            return &ch->p[i];
    return NULL;
}

/* The spoken digits: r->digits_heard, r->audio_score. Returns 0 or a
 * negative LC_E* code when speech itself is broken (no model). */
static int listen(const struct liveness_active_config *c, const uint8_t *buf,
                  size_t n, const struct active_challenge *ch,
                  const struct active_prompt *p,
                  struct liveness_active_result *r)
{
    double t0 = now_ms();
    int16_t *pcm = NULL;
    size_t ns = 0;
    struct lc_diag d = {{0}};
    int rc = media_audio_decode_16k(buf, n, &pcm, &ns, &d);
    if (rc == LC_ENOTFOUND) {
        risk(r, "no audio track");
        return 0;
    }
    if (rc < 0) {
        risk(r, "audio unreadable");
        return 0;
    }
    double from = p->start - fmax(1.0, c->window_slack);
    double to = p->end + c->window_slack;
    size_t a = from > 0 ? (size_t)(from * MEDIA_AUDIO_RATE) : 0;
    size_t b = (size_t)(to * MEDIA_AUDIO_RATE);
    if (b > ns)
        b = ns;
    int nd = (int)strlen(ch->digits);
    rc = 0;
    if (a >= b) {
        risk(r, "the audio ends before the digits");
    } else {
        rc = speech_digits_recognize(pcm + a, b - a, nd, r->digits_heard, NULL, &d);
        if (rc == 0)
            r->audio_score = speech_digits_score(ch->digits, r->digits_heard);
        else if (rc == LC_ENOTFOUND || rc == LC_EIO)
            lc_diag_prefix(&d, "speech: ");
        else
            rc = 0; /* bad audio: heard nothing */
    }
    free(pcm);
    r->ms_speech = now_ms() - t0;
    return rc;
}

/* listen() on a thread of its own. */
struct listener {
    pthread_t th;
    bool started;
    const struct liveness_active_config *c;
    const uint8_t *buf;
    size_t n;
    const struct active_challenge *ch;
    const struct active_prompt *p;
    struct liveness_active_result *r;
    int rc;
};

static void *listener_run(void *arg)
{
    struct listener *l = arg;
    l->rc = listen(l->c, l->buf, l->n, l->ch, l->p, l->r);
    return NULL;
}

/* Start listening for the digits of prompt p (NULL: nothing to do). */
static void listener_start(struct listener *l,
                           const struct liveness_active_config *c,
                           const uint8_t *buf, size_t n,
                           const struct active_challenge *ch,
                           const struct active_prompt *p,
                           struct liveness_active_result *r)
{
    *l = (struct listener){.c = c, .buf = buf, .n = n, .ch = ch, .p = p, .r = r};
    if (p != NULL)
        l->started = pthread_create(&l->th, NULL, listener_run, l) == 0;
}

/* Wait for the digits (or recognise them here when no thread started);
 * returns listen()'s code. */
static int listener_join(struct listener *l)
{
    if (l->started)
        pthread_join(l->th, NULL);
    else if (l->p != NULL)
        listener_run(l);
    l->started = false;
    l->p = NULL;
    return l->rc;
}

/* The contract's answers from what was measured. */
static void decide(const struct liveness_active_config *c,
                   const struct active_challenge *ch,
                   const struct active_motion *mo,
                   const struct liveness_video_result *vr,
                   struct liveness_active_result *r)
{
    const struct active_prompt *dp = digits_prompt(ch);
    r->passive = vr->cues.passive;
    r->replay_risk = vr->replay_risk;
    r->identity_min = vr->cues.identity_min;
    bool replay = r->replay_risk >= c->replay_threshold;
    r->static_risk = vr->static_risk > 0.5f && mo->blinks == 0;
    r->passive_ok = r->passive >= c->passive_threshold && !replay;
    r->prerecorded = replay;
    for (int i = 0; i < ch->nprompts; i++) {
        if (ch->p[i].kind == ACTIVE_DIGITS_SPOKEN || r->prompt[i].done)
            continue;
        r->prerecorded = true;
        risk(r, "%s not performed", active_prompt_name(ch->p[i].kind));
    }
    if (dp != NULL) {
        int k = (int)(dp - ch->p);
        r->prompt[k].done = r->audio_score >= c->audio_pass;
        r->prompt[k].at = r->prompt[k].done ? dp->start : -1;
        r->prompt[k].value = (float)r->audio_score;
        if (!r->prompt[k].done) {
            r->prerecorded = true;
            risk(r, "digits %s heard \"%s\"", ch->digits, r->digits_heard);
        }
    }
    if (replay)
        risk(r, "screen replay (risk %.2f)", (double)r->replay_risk);
    if (r->static_risk)
        risk(r, "no live motion (no blink, no head rotation)");
    if (!(r->passive >= c->passive_threshold))
        risk(r, "passive liveness %.2f", (double)r->passive);
}

int liveness_active_check(struct vision_ctx *ctx,
                          const struct liveness_active_config *c,
                          const uint8_t *buf, size_t n,
                          const struct active_challenge *ch,
                          const float (*ref)[VISION_EMBED_DIM], int nref,
                          struct liveness_active_result *r)
{
    double t0 = now_ms();
    memset(r, 0, sizeof *r);
    if (ch == NULL || ch->nprompts < 0 || ch->nprompts > ACTIVE_PROMPTS_MAX ||
        nref < 0 || nref > ACTIVE_REFS_MAX || (nref > 0 && ref == NULL) ||
        c->max_samples < 1) {
        refuse(r, LC_OUTCOME_INTERNAL, "invalid challenge or references");
        return LC_EINVAL;
    }
    r->nprompts = ch->nprompts;
    for (int i = 0; i < ch->nprompts; i++)
        r->prompt[i].at = -1;
    for (int i = 0; i < ACTIVE_REFS_MAX; i++)
        r->ref[i].best_t = -1;
    if (n == 0 || buf == NULL)
        return refuse(r, LC_OUTCOME_EMPTY_VIDEO, "the video is empty");
    struct liveness_video_config vc;
    video_config(c, &vc);
    if (n > c->max_bytes) {
        char why[160];
        snprintf(why, sizeof why, "the video has %zu bytes, more than %zu", n,
                 c->max_bytes);
        return refuse(r, LC_OUTCOME_VIDEO_TOO_LARGE, why);
    }
    struct lc_diag d = {{0}};
    struct media_video_opts mo = {.max_side = c->decode_max_side,
                                  .max_pixels = c->decode_max_pixels};
    int rc = media_video_probe(&r->info, buf, n, &mo, &d);
    if (rc < 0)
        return refuse(r, liveness_video_outcome_of_media(rc), d.msg);
    r->outcome = liveness_video_policy_check(&vc, &r->info, n, NULL, r->reason);
    if (r->outcome != LC_OUTCOME_OK)
        return 0;

    /* The one block of the check: samples, cosines, scratch. */
    int cap = c->max_samples;
    size_t bytes = sizeof(struct video_sample) * (size_t)cap +
                   sizeof(float) * ((size_t)nref * (size_t)cap + (size_t)cap + 1);
    struct video_sample *s = lc_calloc(1, bytes);
    float *cos = (float *)(s + cap);
    float *tmp = cos + (size_t)nref * (size_t)cap;
    struct active_match m;
    active_match_init(&m, ref, nref, cos, cap);
    struct liveness_video_result vr = {0};
    int ns = 0;
    struct listener l;
    listener_start(&l, c, buf, n, ch, digits_prompt(ch), r);
    rc = sample_all(ctx, c, &vc, buf, n, s, cap, &ns, &m, r, &vr);
    int speech_rc = listener_join(&l);
    if (rc < 0 || r->outcome != LC_OUTCOME_OK)
        goto out;
    r->samples = vr.cues.samples;
    r->face_frames = vr.cues.face_frames;
    if (ns == 0 || (float)r->face_frames < c->min_face_share * (float)ns) {
        char why[160];
        snprintf(why, sizeof why,
                 "a face was found in %d of %d sampled frames; at least "
                 "%.0f%% are needed",
                 r->face_frames, ns, 100.0 * c->min_face_share);
        refuse(r, LC_OUTCOME_NO_FACE_IN_VIDEO, why);
        goto out;
    }
    video_fuse(&vc, &vr);
    struct active_motion mot;
    active_motion_measure(c, ch, s, ns, tmp, &mot);
    active_prompts_verify(c, ch, s, ns, &mot, tmp, r->prompt);
    if ((rc = speech_rc) < 0) {
        refuse(r, LC_OUTCOME_INTERNAL, "speech recognition is not available");
        goto out;
    }
    decide(c, ch, &mot, &vr, r);
    if ((rc = active_match_finish(&m, s, ns, tmp, r)) < 0)
        refuse(r, LC_OUTCOME_INTERNAL, "cannot encode the best frame");
    if (c->trace) {
        fprintf(c->trace,
                "frames=%ld samples=%d yaw0=%.1f pitch0=%.1f earOpen=%.3f "
                "eyeModel=%d,%d blinks=%d staticRisk=%.2f replayRisk=%.2f\n",
                vr.frames_decoded, ns, (double)mot.yaw0, (double)mot.pitch0,
                (double)mot.ear_open, mot.eye_ok[0], mot.eye_ok[1],
                mot.blinks, (double)vr.static_risk, (double)vr.replay_risk);
        for (int i = 0; i < ch->nprompts; i++)
            fprintf(c->trace, "prompt %s %.2f-%.2f done=%d at=%.2f value=%.1f\n",
                    active_prompt_name(ch->p[i].kind), ch->p[i].start,
                    ch->p[i].end, r->prompt[i].done, r->prompt[i].at,
                    (double)r->prompt[i].value);
    }
out:
    active_match_release(&m);
    free(s);
    r->ms_total = now_ms() - t0;
    return rc < 0 ? rc : 0;
}

void liveness_active_result_free(struct liveness_active_result *r)
{
    for (int i = 0; i < ACTIVE_REFS_MAX; i++) {
        free(r->ref[i].best_jpeg);
        r->ref[i].best_jpeg = NULL;
        r->ref[i].best_jpeg_n = 0;
    }
}
