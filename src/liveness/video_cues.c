/* src/liveness/video_cues.c - the cues over a whole track of samples.
 *
 * Each cue summarises one question over time with a robust statistic
 * (percentiles rather than extremes, so one bad landmark fit does not
 * decide). Pose-dependent cues use only frames facing the camera (|yaw|
 * and |pitch| under 20 degrees), where the eye model and the eye aspect
 * ratio are trustworthy; the eye model alone misreads squints, glasses and
 * sideways gaze, so a blink needs the landmarks to agree.
 */
#include "video_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FRONTAL_DEG 20.0f

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n), which it sorts; NAN when n == 0. */
static float quantile(float *v, int n, float q)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    float pos = q * (float)(n - 1);
    int i = (int)pos;
    float f = pos - (float)i;
    return i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

static bool frontal(const struct video_sample *s)
{
    return s->face && fabsf(s->yaw) < FRONTAL_DEG &&
           fabsf(s->pitch) < FRONTAL_DEG;
}

static float eye_dist(const struct vision_face *f)
{
    float l[2] = {0, 0}, r[2] = {0, 0};
    for (int i = 36; i < 42; i++) {
        l[0] += f->lm[i][0] / 6;
        l[1] += f->lm[i][1] / 6;
        r[0] += f->lm[i + 6][0] / 6;
        r[1] += f->lm[i + 6][1] / 6;
    }
    return hypotf(r[0] - l[0], r[1] - l[1]);
}

/* Blinks: on frontal frames, an eye aspect ratio below 70% of the open
 * median (or below 85% with the eye model sure both eyes are closed) for
 * at most 4 samples, with open samples before and after. */
static void blinks(const struct video_sample *s, int n, float *tmp,
                   struct liveness_video_cues *o)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (frontal(&s[i]))
            tmp[k++] = 0.5f * (s[i].ear[0] + s[i].ear[1]);
    o->ear_open = quantile(tmp, k, 0.5f);
    o->ear_min = k ? tmp[0] : NAN;
    o->blinks = 0;
    o->eye_closed_max = NAN;
    if (k < 3 || !(o->ear_open > 0))
        return;
    int state = 0, run = 0; /* 0 unknown, 1 open, 2 closed */
    for (int i = 0; i < n; i++) {
        if (!frontal(&s[i]))
            continue;
        float ear = 0.5f * (s[i].ear[0] + s[i].ear[1]) / o->ear_open;
        float both = fminf(s[i].closed[0], s[i].closed[1]);
        o->eye_closed_max = fmaxf(o->eye_closed_max, both);
        bool closed = ear < 0.70f || (ear < 0.85f && both > 0.7f);
        bool open = ear > 0.85f && both < 0.5f;
        if (closed) {
            if (state == 1)
                run = 0;
            if (state != 0)
                state = 2;
            run++;
        } else if (open) {
            if (state == 2 && run <= 4)
                o->blinks++;
            state = 1;
        }
    }
}

/* Landmark motion that no homography explains, between each face and the
 * face about one second earlier, in eye distances. */
static void nonrigid(const struct video_sample *s, int n, double step,
                     float *tmp, float *tmp2, struct liveness_video_cues *o)
{
    static const int expr[] = {36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                               48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
                               60, 61, 62, 63, 64, 65, 66, 67};
    int lag = (int)lround(1.0 / step);
    lag = lag < 1 ? 1 : lag;
    int k = 0;
    for (int i = 0; i < n; i++) {
        int j = i - lag;
        while (j > 0 && !s[j].face)
            j--;
        if (j < 0 || !s[i].face || !s[j].face || i == j)
            continue;
        float iod = eye_dist(&s[i].f);
        if (!(iod > 4))
            continue;
        const float(*a)[2] = (const float(*)[2])s[j].f.lm;
        const float(*b)[2] = (const float(*)[2])s[i].f.lm;
        float all = video_homography_residual(a, b, 68, NULL, 0);
        float ex = video_homography_residual(a, b, 68, expr,
                                             (int)(sizeof expr / sizeof expr[0]));
        if (all < 0 || ex < 0)
            continue;
        tmp[k] = all / iod;
        tmp2[k] = ex / iod;
        k++;
    }
    o->nonrigid = quantile(tmp, k, 0.9f);
    o->nonrigid_mouth = quantile(tmp2, k, 0.9f);
}

/* Identity: the embedding of each face seen from the front (|yaw| < 25,
 * |pitch| < 20: embeddings of turned heads drift even for one person)
 * against the mean of the first three such faces. */
static bool embed_pose(const struct video_sample *s)
{
    return s->face && s->has_emb && fabsf(s->yaw) < 25.0f &&
           fabsf(s->pitch) < 20.0f;
}

static void identity(const struct video_sample *s, int n,
                     struct liveness_video_cues *o)
{
    float ref[VISION_EMBED_DIM] = {0};
    int m = 0, first = -1;
    for (int i = 0; i < n && m < 3; i++)
        if (embed_pose(&s[i])) {
            for (int j = 0; j < VISION_EMBED_DIM; j++)
                ref[j] += s[i].emb[j];
            m++;
            first = i;
        }
    o->identity_min = NAN;
    if (m == 0)
        return;
    float norm = 0;
    for (int j = 0; j < VISION_EMBED_DIM; j++)
        norm += ref[j] * ref[j];
    norm = sqrtf(norm);
    for (int j = 0; j < VISION_EMBED_DIM && norm > 0; j++)
        ref[j] /= norm;
    o->identity_min = 1;
    for (int i = first + 1; i < n; i++)
        if (embed_pose(&s[i]))
            o->identity_min = fminf(o->identity_min,
                                    vision_embed_cosine(ref, s[i].emb));
}

static void frames(const struct video_frame_stats *st,
                   struct liveness_video_cues *o)
{
    long n = st->frames < st->cap ? st->frames : st->cap;
    o->frozen = st->frames > 1 ? (float)st->frozen / (float)(st->frames - 1) : NAN;
    double f = 0;
    for (long i = 1; i + 1 < n; i++)
        f += fabs(st->luma[i] - 0.5 * (st->luma[i - 1] + st->luma[i + 1]));
    o->flicker = n > 2 ? (float)(f / (double)(n - 2)) : NAN;
}

void video_cues_compute(const struct liveness_video_config *c,
                        const struct video_sample *s, int n,
                        const struct video_frame_stats *st,
                        struct liveness_video_cues *o)
{
    float *tmp = malloc(sizeof(float) * (size_t)(2 * n + 2));
    float *tmp2 = tmp + n + 1;
    memset(o, 0, sizeof *o);
    o->samples = n;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face) {
            o->face_frames++;
            o->multi_face_frames += s[i].multi;
            tmp[k++] = s[i].p_live;
        }
    o->passive = NAN;
    o->passive_logit = NAN;
    if (k > 0) {
        double sum = 0, lsum = 0;
        for (int i = 0; i < k; i++) {
            double p = fmin(fmax(tmp[i], 1e-6), 1 - 1e-6);
            sum += tmp[i];
            lsum += fmin(fmax(log(p / (1 - p)), -8.0), 2.0);
        }
        o->passive = (float)(sum / k);
        o->passive_logit = (float)(lsum / k);
    }
    o->passive_low = quantile(tmp, k, 0.2f);

    float *angle[3];
    for (int a = 0; a < 3; a++) {
        k = 0;
        for (int i = 0; i < n; i++)
            if (s[i].face && s[i].posed)
                tmp[k++] = a == 0 ? s[i].yaw : a == 1 ? s[i].pitch : s[i].roll;
        float r = k > 1 ? quantile(tmp, k, 0.9f) - quantile(tmp, k, 0.1f) : NAN;
        angle[a] = a == 0 ? &o->yaw_range : a == 1 ? &o->pitch_range : &o->roll_range;
        *angle[a] = r;
    }
    blinks(s, n, tmp, o);
    double step = c->sample_fps > 0 ? 1.0 / c->sample_fps : 0.125;
    if (n > 1 && s[n - 1].t > s[0].t)
        step = (s[n - 1].t - s[0].t) / (n - 1);
    nonrigid(s, n, step, tmp, tmp2, o);
    identity(s, n, o);
    frames(st, o);
    k = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face && !isnan(s[i].border))
            tmp[k++] = s[i].border;
    o->border = quantile(tmp, k, 0.5f);
    k = 0;
    for (int i = 0; i < n; i++)
        if (s[i].face && s[i].moire >= 0)
            tmp[k++] = s[i].moire;
    o->moire = quantile(tmp, k, 0.5f);
    free(tmp);
}
