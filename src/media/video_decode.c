/* src/media/video_decode.c - decoding a video's frames one at a time.
 *
 * A media_video owns its demuxer (video_src.c), one decoder, one packet,
 * one frame and a cached swscale context. media_video_next feeds packets
 * until the decoder gives a frame (the send/receive API), so frames come
 * out in presentation order with their own timestamps; a frame whose size
 * exceeds the limits stops decoding (the decoder's own max_pixels option
 * also refuses to allocate one). Conversion to RGB is done only for the
 * frames the caller asks for.
 */
#include "video_int.h"

#include <string.h>

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "livecheck/mem.h"

/* Consecutive decode errors before a clip counts as corrupt. */
#define MAX_BAD_RUN 64

struct media_video {
    struct video_src src;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    bool pending;    /* pkt holds a packet the decoder refused with EAGAIN */
    bool flushed;    /* end of input sent to the decoder */
    bool have_frame; /* frame holds the current frame */
    long index, bad, bad_run;
    int64_t first_ts;
    double last_t;
};

void media_video_close(media_video *v)
{
    if (v == NULL)
        return;
    sws_freeContext(v->sws);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    video_src_close(&v->src);
    free(v);
}

int media_video_open(media_video **out, const uint8_t *buf, size_t n,
                     const struct media_video_opts *opts, struct lc_diag *d)
{
    *out = NULL;
    media_video *v = lc_calloc(1, sizeof *v);
    int rc = video_src_open(&v->src, buf, n, opts, d);
    if (rc < 0) {
        free(v);
        return rc;
    }
    const AVCodecParameters *par = v->src.st->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (codec == NULL) {
        media_video_close(v);
        return lc_diag_set(d, LC_EUNSUP, "no decoder for %s",
                           avcodec_get_name(par->codec_id));
    }
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (v->dec == NULL || v->pkt == NULL || v->frame == NULL) {
        media_video_close(v);
        return lc_diag_set(d, LC_ENOMEM, "out of memory opening the decoder");
    }
    rc = avcodec_parameters_to_context(v->dec, par);
    if (rc >= 0) {
        v->dec->thread_count = v->src.o.threads;
        v->dec->pkt_timebase = v->src.st->time_base;
        /* The decoder refuses, before allocating, any frame larger than this,
         * whatever the bitstream's own headers later claim. */
        v->dec->max_pixels = (int64_t)v->src.o.max_pixels;
        rc = avcodec_open2(v->dec, codec, NULL);
    }
    if (rc < 0) {
        media_video_close(v);
        return lc_diag_set(d, video_av_err(rc), "cannot open the %s decoder: %s",
                           codec->name, av_err2str(rc));
    }
    v->first_ts = AV_NOPTS_VALUE;
    *out = v;
    return 0;
}

/* Read the next packet of the video stream into v->pkt. Returns 0, or 1 at
 * the end of the input (or at data the demuxer cannot read further). */
static int read_packet(media_video *v)
{
    for (;;) {
        int rc = av_read_frame(v->src.fmt, v->pkt);
        if (rc < 0)
            return 1;
        if (v->pkt->stream_index == v->src.st->index)
            return 0;
        av_packet_unref(v->pkt);
    }
}

static void frame_time(media_video *v, struct media_video_frame *f)
{
    int64_t ts = v->frame->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE)
        ts = v->frame->pts;
    if (ts != AV_NOPTS_VALUE && v->first_ts == AV_NOPTS_VALUE)
        v->first_ts = ts;
    if (ts != AV_NOPTS_VALUE)
        f->t = (double)(ts - v->first_ts) * av_q2d(v->src.st->time_base);
    else /* no timestamp at all: assume 30 fps after the previous frame */
        f->t = v->index ? v->last_t + 1.0 / 30 : 0.0;
    v->last_t = f->t;
}

int media_video_next(media_video *v, struct media_video_frame *f,
                     struct lc_diag *d)
{
    v->have_frame = false;
    for (;;) {
        int rc = avcodec_receive_frame(v->dec, v->frame);
        if (rc == 0) {
            rc = video_dims_check(v->frame->width, v->frame->height, &v->src.o,
                                  d);
            if (rc < 0)
                return rc;
            v->bad_run = 0;
            v->have_frame = true;
            f->index = v->index;
            f->w = v->frame->width;
            f->h = v->frame->height;
            frame_time(v, f);
            v->index++;
            return 1;
        }
        if (rc == AVERROR_EOF)
            break;
        if (rc != AVERROR(EAGAIN)) {
            v->bad++;
            if (++v->bad_run > MAX_BAD_RUN)
                break;
            continue;
        }
        if (v->flushed)
            break;
        if (!v->pending && read_packet(v) != 0) {
            avcodec_send_packet(v->dec, NULL);
            v->flushed = true;
            continue;
        }
        rc = avcodec_send_packet(v->dec, v->pkt);
        v->pending = rc == AVERROR(EAGAIN);
        if (!v->pending) {
            av_packet_unref(v->pkt);
            if (rc < 0) {
                v->bad++;
                if (rc == AVERROR(ENOMEM))
                    return lc_diag_set(d, LC_ENOMEM, "out of memory decoding");
                if (++v->bad_run > MAX_BAD_RUN)
                    break;
            }
        }
    }
    if (v->index == 0)
        return lc_diag_set(d, LC_ETRUNC, "no frame of the %s stream could be "
                                         "decoded",
                           v->dec->codec->name);
    return 0;
}

int media_video_frame_rgb(media_video *v, struct media_image *img)
{
    if (!v->have_frame || img->px == NULL || img->w <= 0 || img->h <= 0)
        return LC_EINVAL;
    const AVFrame *fr = v->frame;
    v->sws = sws_getCachedContext(v->sws, fr->width, fr->height, fr->format,
                                  img->w, img->h, AV_PIX_FMT_RGB24,
                                  SWS_BILINEAR, NULL, NULL, NULL);
    if (v->sws == NULL)
        return LC_EUNSUP;
    uint8_t *dst[4] = {img->px, NULL, NULL, NULL};
    int stride[4] = {3 * img->w, 0, 0, 0};
    sws_scale(v->sws, (const uint8_t *const *)fr->data, fr->linesize, 0,
              fr->height, dst, stride);
    return 0;
}

int media_video_frame_luma(const media_video *v, const uint8_t **p,
                           int *stride, int *w, int *h)
{
    if (!v->have_frame)
        return LC_EINVAL;
    switch (v->frame->format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUV440P:
    case AV_PIX_FMT_YUVA420P:
    case AV_PIX_FMT_NV12:
    case AV_PIX_FMT_NV21:
    case AV_PIX_FMT_GRAY8:
        break;
    default:
        return LC_EUNSUP;
    }
    *p = v->frame->data[0];
    *stride = v->frame->linesize[0];
    *w = v->frame->width;
    *h = v->frame->height;
    return 0;
}

long media_video_bad_packets(const media_video *v)
{
    return v->bad;
}
