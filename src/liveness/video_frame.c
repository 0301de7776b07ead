/* src/liveness/video_frame.c - one sampled frame: find and track the one
 * face, then ask each model about it.
 *
 * Tracking is by overlap: the face whose squared box overlaps the last
 * tracked box most (IoU >= 0.2) is the same face; without one, the largest
 * face. A swap of people between frames is the identity cue's business
 * (embeddings), not the tracker's. To keep the analysis thread no slower
 * than the decoder, the dear and slow-changing measures are thinned: the
 * embedding runs on the first three faces and then on every embed_every-th,
 * the pose and the border cue on every other sample.
 */
#include "video_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/mem.h"

#define MAX_FACES 8
/* Faces smaller than this (analysis pixels) are not analysed. */
#define MIN_FACE_PX 40.0f

static float iou(const float a[4], const float b[4])
{
    float iw = fminf(a[0] + a[2], b[0] + b[2]) - fmaxf(a[0], b[0]);
    float ih = fminf(a[1] + a[3], b[1] + b[3]) - fmaxf(a[1], b[1]);
    if (!(iw > 0 && ih > 0))
        return 0;
    float in = iw * ih;
    return in / (a[2] * a[3] + b[2] * b[3] - in);
}

void video_frame_analyse(struct vision_ctx *ctx,
                         const struct liveness_video_config *c,
                         const struct media_image *img,
                         struct video_tracker *tr, int index,
                         struct video_sample *s)
{
    struct vision_face faces[MAX_FACES];
    int nf = 0;
    s->face = s->multi = s->has_emb = false;
    if (vision_faces_detect(ctx, img, faces, MAX_FACES, &nf) < 0 || nf == 0)
        return;
    if (nf > MAX_FACES)
        nf = MAX_FACES;
    int best = -1;
    float best_iou = 0.2f;
    for (int i = 0; tr->have && i < nf; i++) {
        float v = iou(faces[i].sq, tr->box);
        if (v >= best_iou) {
            best_iou = v;
            best = i;
        }
    }
    if (best < 0) {
        best = 0;
        for (int i = 1; i < nf; i++)
            if (faces[i].sq[2] > faces[best].sq[2])
                best = i;
    }
    if (faces[best].sq[2] < MIN_FACE_PX)
        return;
    for (int i = 0; i < nf; i++)
        if (i != best && faces[i].sq[2] >= 0.5f * faces[best].sq[2] &&
            faces[i].score >= 0.9f)
            s->multi = true;

    s->face = true;
    s->f = faces[best];
    memcpy(tr->box, s->f.sq, sizeof tr->box);
    tr->have = true;
    vision_face_landmarks(ctx, img, &s->f);
    s->p_live = vision_face_liveness(ctx, img, &s->f, c->liveness_scale);
    /* Pose is the dearest model after detection; heads turn slower than
     * the sampling, so odd samples reuse the last pose (posed = false). */
    s->posed = index % 2 == 0 || !tr->have_pose;
    if (s->posed) {
        vision_face_pose(ctx, img, &s->f, &s->yaw, &s->pitch, &s->roll);
        tr->pose[0] = s->yaw;
        tr->pose[1] = s->pitch;
        tr->pose[2] = s->roll;
        tr->have_pose = true;
    } else {
        s->yaw = tr->pose[0];
        s->pitch = tr->pose[1];
        s->roll = tr->pose[2];
    }
    vision_face_eyes(ctx, img, &s->f, &s->closed[0], &s->closed[1]);
    s->ear[0] = video_eye_aspect((const float(*)[2])s->f.lm, 0);
    s->ear[1] = video_eye_aspect((const float(*)[2])s->f.lm, 1);
    int every = c->embed_every > 0 ? c->embed_every : 1;
    if (tr->n_emb < 3 || index % every == 0) {
        vision_face_embed(ctx, img, &s->f, s->emb);
        s->has_emb = true;
        tr->n_emb++;
    }
    s->moire = video_screen_moire(img, s->f.sq);
    /* The border is a property of the scene, not of a moment: every other
     * sample is enough for its median, and it is the dearest pixel cue. */
    s->border = NAN;
    if (index % 2)
        return;
    size_t need = (size_t)(img->w / 2) * (size_t)(img->h / 2);
    if (tr->scratch_n < need) { /* once per clip: frames keep their size */
        free(tr->scratch);
        tr->scratch = lc_malloc(need);
        tr->scratch_n = need;
    }
    s->border = video_screen_border(img, s->f.sq, tr->scratch);
}
