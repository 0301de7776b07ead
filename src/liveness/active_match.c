/* src/liveness/active_match.c - the face in the recording against each
 * reference photo's face.
 *
 * Every embedded sample (video_frame_analyse embeds every embed_every-th
 * face) is compared with every reference by cosine. matchScore is the
 * face_match calibration of the best cosine (liveness_match_score), and
 * the best frame is the analysis-size frame of that sample, copied when it
 * becomes the best (one block for all references, allocated on the first
 * copy: the frame size is fixed for the whole clip) and encoded as JPEG
 * (quality 90) at the end.
 *
 * covariance (0..100) is how consistently the face matches the reference
 * across the frames: the per-frame match scores (the same calibration,
 * 0..100) of the samples facing the camera (|yaw| < 25, |pitch| < 20
 * degrees: embeddings of turned heads drift for everyone; all embedded
 * samples when fewer than 3 face it), and
 *
 *     covariance = clamp(100 - 2 * stddev(scores), 0, 100)
 *
 * rounded: 100 when every frame scores the same, 80 for a spread of 10
 * points, 0 from a spread of 50 (half the frames one person, half
 * another). One sample gives 100, none 0.
 */
#include "liveness/active_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/liveness.h"
#include "livecheck/mem.h"

#define COV_K 2.0
#define JPEG_QUALITY 90

void active_match_init(struct active_match *m,
                       const float (*ref)[VISION_EMBED_DIM], int nref,
                       float *cos, int cap)
{
    memset(m, 0, sizeof *m);
    m->nref = nref;
    m->ref = ref;
    m->cos = cos;
    m->cap = cap;
    for (int r = 0; r < nref; r++) {
        m->best[r] = -INFINITY;
        m->best_t[r] = -1;
    }
}

void active_match_frame(struct active_match *m, int i,
                        const struct video_sample *s,
                        const struct media_image *img)
{
    for (int r = 0; r < m->nref; r++) {
        float *slot = &m->cos[(size_t)r * (size_t)m->cap + (size_t)i];
        if (!s->face || !s->has_emb) {
            *slot = NAN;
            continue;
        }
        float c = vision_embed_cosine(m->ref[r], s->emb);
        *slot = c;
        if (!(c > m->best[r]))
            continue;
        m->best[r] = c;
        m->best_t[r] = s->t;
        size_t size = (size_t)img->w * (size_t)img->h * 3;
        if (m->pixels == NULL) {
            m->pixels = lc_malloc(size * (size_t)m->nref);
            for (int k = 0; k < m->nref; k++)
                m->frame[k] = (struct media_image){
                    img->w, img->h, m->pixels + size * (size_t)k};
        }
        if (img->w == m->frame[r].w && img->h == m->frame[r].h)
            memcpy(m->frame[r].px, img->px, size);
    }
}

int active_match_covariance(const float *v, int n)
{
    if (n <= 0)
        return 0;
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++)
        mean += v[i];
    mean /= n;
    for (int i = 0; i < n; i++)
        var += (v[i] - mean) * (v[i] - mean);
    double cov = 100.0 - COV_K * sqrt(var / n);
    return (int)lround(fmin(100.0, fmax(0.0, cov)));
}

static bool facing(const struct video_sample *s)
{
    return fabsf(s->yaw) < 25.0f && fabsf(s->pitch) < 20.0f;
}

int active_match_finish(struct active_match *m, const struct video_sample *s,
                        int n, float *tmp, struct liveness_active_result *r)
{
    r->nref = m->nref;
    for (int k = 0; k < m->nref; k++) {
        struct active_ref_result *o = &r->ref[k];
        const float *cos = m->cos + (size_t)k * (size_t)m->cap;
        *o = (struct active_ref_result){.best_t = -1};
        if (!isfinite(m->best[k]))
            continue; /* no embedded face at all */
        int nf = 0, na = 0;
        for (int i = 0; i < n; i++)
            if (!isnan(cos[i]))
                nf += facing(&s[i]);
        for (int i = 0; i < n; i++)
            if (!isnan(cos[i]) && (nf < 3 || facing(&s[i])))
                tmp[na++] = (float)liveness_match_percent(cos[i]);
        o->match_score = liveness_match_score(m->best[k]);
        o->covariance = active_match_covariance(tmp, na);
        o->cosine_best = m->best[k];
        o->best_t = m->best_t[k];
        if (m->pixels != NULL) {
            int rc = media_jpeg_encode(&m->frame[k], JPEG_QUALITY,
                                       &o->best_jpeg, &o->best_jpeg_n);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

void active_match_release(struct active_match *m)
{
    free(m->pixels);
    m->pixels = NULL;
}
