/* src/liveness/video_pipe.c - from bytes to sampled frames.
 *
 * The decoder must see every frame (inter prediction), but only about
 * sample_fps of them per second are analysed. The producer decodes, keeps
 * two numbers per frame (mean luma, and how much a 32x32 luma thumbnail
 * changed since the previous frame: frozen and duplicated frames, flicker)
 * and converts the sampled frames to RGB at analysis size into a ring of
 * VIDEO_SLOTS preallocated images. With c->pipeline it runs on its own
 * thread, so decoding overlaps the model work on a 2-core machine;
 * otherwise video_pipe_take runs it inline. Frames are sampled by their
 * timestamps on a fixed grid, so a variable frame rate changes nothing.
 */
#include "video_int.h"

#include <math.h>
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

/* Mean luma, and the 32x32 thumbnail of cell means from a 4x4 grid of
 * samples per cell (about 16k reads a frame whatever its size). */
static void frame_stats(struct video_pipe *p)
{
    const uint8_t *y;
    int stride, w, h;
    if (media_video_frame_luma(p->v, &y, &stride, &w, &h) < 0 || w < 8 ||
        h < 8)
        return;
    uint8_t th[VIDEO_THUMB * VIDEO_THUMB];
    long sum = 0;
    for (int cy = 0; cy < VIDEO_THUMB; cy++)
        for (int cx = 0; cx < VIDEO_THUMB; cx++) {
            int s = 0;
            for (int j = 0; j < 4; j++) {
                const uint8_t *row =
                    y + (size_t)(((cy * 4 + j) * h) / (VIDEO_THUMB * 4)) * (size_t)stride;
                for (int i = 0; i < 4; i++)
                    s += row[((cx * 4 + i) * w) / (VIDEO_THUMB * 4)];
            }
            th[cy * VIDEO_THUMB + cx] = (uint8_t)((s + 8) / 16);
            sum += s;
        }
    struct video_frame_stats *st = &p->st;
    float diff = -1.0f;
    if (st->frames > 0) {
        long d = 0;
        for (int i = 0; i < VIDEO_THUMB * VIDEO_THUMB; i++)
            d += labs((long)th[i] - (long)p->thumb[i]);
        diff = (float)d / (VIDEO_THUMB * VIDEO_THUMB);
        /* A repeated frame comes out of the encoder identical (a skipped
         * block); the cleanest live footage here moves the thumbnail's mean
         * by 0.09 levels or more between frames. */
        if (diff < 0.05f)
            st->frozen++;
    }
    memcpy(p->thumb, th, sizeof th);
    if (st->frames < st->cap) {
        st->luma[st->frames] = (float)sum / (16.0f * VIDEO_THUMB * VIDEO_THUMB);
        st->diff[st->frames] = diff;
    }
    st->frames++;
}

/* Decode until the next sampled frame is converted into slot s. Returns 1,
 * 0 at the end, or a negative LC_E* code. */
static int produce(struct video_pipe *p, struct video_slot *s)
{
    for (;;) {
        struct media_video_frame f;
        double t0 = now_ms();
        int rc = media_video_next(p->v, &f, &p->diag);
        p->ms_decode += now_ms() - t0;
        if (rc <= 0)
            return rc;
        frame_stats(p);
        if (p->sampled >= p->c->max_samples || f.t + 1e-3 < p->next_t)
            continue;
        while (p->next_t <= f.t + 1e-3)
            p->next_t += p->step;
        if (p->out_w == 0) {
            /* Analysis size from the first frame: shorter side at most
             * analysis_side, aspect kept, even sides. */
            double k = fmin(1.0, (double)p->c->analysis_side / fmin(f.w, f.h));
            p->out_w = 2 * (int)lround(f.w * k / 2);
            p->out_h = 2 * (int)lround(f.h * k / 2);
            if (p->out_w < 2 || p->out_h < 2)
                return lc_diag_set(&p->diag, LC_ETRUNC, "frame %dx%d", f.w, f.h);
            for (int i = 0; i < VIDEO_SLOTS; i++) {
                p->slot[i].img.w = p->out_w;
                p->slot[i].img.h = p->out_h;
                p->slot[i].img.px = lc_malloc((size_t)p->out_w * p->out_h * 3);
            }
        }
        t0 = now_ms();
        rc = media_video_frame_rgb(p->v, &s->img);
        p->ms_decode += now_ms() - t0;
        if (rc < 0)
            return lc_diag_set(&p->diag, rc, "cannot convert frame %ld", f.index);
        s->t = f.t;
        s->frame = f.index;
        p->sampled++;
        return 1;
    }
}

static void *run(void *arg)
{
    struct video_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->count == VIDEO_SLOTS && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        struct video_slot *s = &p->slot[(p->head + p->count) % VIDEO_SLOTS];
        pthread_mutex_unlock(&p->mu);
        /* The slot is outside [head, head + count): only we touch it. */
        int rc = produce(p, s);
        pthread_mutex_lock(&p->mu);
        if (rc <= 0) {
            p->rc = rc;
            break;
        }
        p->count++;
        pthread_cond_broadcast(&p->cv);
    }
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int video_pipe_start(struct video_pipe *p, const struct liveness_video_config *c,
                     const uint8_t *buf, size_t n, double duration,
                     long packets, struct lc_diag *d)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    struct media_video_opts mo = {.max_side = c->decode_max_side,
                                  .max_pixels = c->decode_max_pixels};
    int rc = media_video_open(&p->v, buf, n, &mo, d);
    if (rc < 0)
        return rc;
    double fps = c->sample_fps > 0 ? c->sample_fps : 8.0;
    if (duration > 0 && c->max_samples > 0 && fps * duration > c->max_samples)
        fps = c->max_samples / duration;
    p->step = 1.0 / fps;
    /* Per-frame statistics: the scan's packet count bounds the frames
     * (with slack for streams whose packets hold several frames). */
    p->st.cap = packets + 16;
    p->st.luma = lc_malloc(sizeof(float) * (size_t)p->st.cap);
    p->st.diff = lc_malloc(sizeof(float) * (size_t)p->st.cap);
    p->threaded = c->pipeline;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (p->threaded && pthread_create(&p->th, NULL, run, p) != 0)
        p->threaded = false;
    return 0;
}

int video_pipe_take(struct video_pipe *p, struct video_slot **s)
{
    if (!p->threaded) {
        int rc = produce(p, &p->slot[0]);
        *s = rc > 0 ? &p->slot[0] : NULL;
        return rc;
    }
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    int rc = 1;
    if (p->count > 0) {
        *s = &p->slot[p->head];
        p->taken = true;
    } else {
        *s = NULL;
        rc = p->rc;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void video_pipe_give(struct video_pipe *p)
{
    if (!p->threaded)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->taken) {
        p->taken = false;
        p->head = (p->head + 1) % VIDEO_SLOTS;
        p->count--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

void video_pipe_stop(struct video_pipe *p)
{
    if (p->v == NULL)
        return;
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->th, NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    for (int i = 0; i < VIDEO_SLOTS; i++)
        free(p->slot[i].img.px);
    free(p->st.luma);
    free(p->st.diff);
    media_video_close(p->v);
    p->v = NULL;
}
