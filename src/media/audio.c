/* src/media/audio.c - the audio track of an mp4/webm buffer, decoded and
 * resampled to 16 kHz mono s16 (the contract is in media_audio.h).
 *
 * The demuxer reads the caller's bytes through a custom AVIOContext, with
 * the container sniffed by media_container_sniff and the matching demuxer
 * forced, as video_src.c does for video. video_src_open cannot be reused
 * here: it insists on a video stream (an audio-only recording would be
 * refused) and discards every other stream. The few lines of memory I/O
 * are therefore repeated below; moving them into a shared media-private
 * helper is a change to video_src.c left for later.
 *
 * Length is bounded twice: by the header's duration when the container
 * has one, and while decoding, where the output buffer never grows beyond
 * MEDIA_AUDIO_MAX_SECONDS plus one second (browser webm carries no
 * duration, and a header can lie).
 */
#include "livecheck/media_audio.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libswresample/swresample.h>

#include "livecheck/media_video.h"
#include "livecheck/mem.h"

#define AVIO_BUF 32768
#define MAX_SAMPLES ((size_t)MEDIA_AUDIO_MAX_SECONDS * MEDIA_AUDIO_RATE)
/* Room for one more decoded frame beyond the limit, so that the check can
 * run after converting it; no codec here has frames near a second. */
#define SLACK_SAMPLES ((size_t)MEDIA_AUDIO_RATE)
#define MAX_CHANNELS 8

struct audio {
    const uint8_t *buf;
    size_t n, pos;
    AVIOContext *avio;
    AVFormatContext *fmt;
    AVStream *st; /* borrowed from fmt */
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    SwrContext *swr;
    int in_rate, in_fmt; /* what swr was set up for */
    AVChannelLayout in_layout;
    int16_t *out;
    size_t len, cap;
    long bad; /* packets or frames the decoder refused */
};

static int io_read(void *opaque, uint8_t *out, int size)
{
    struct audio *a = opaque;
    size_t left = a->n - a->pos;
    size_t k = (size_t)size < left ? (size_t)size : left;
    if (k == 0)
        return AVERROR_EOF;
    memcpy(out, a->buf + a->pos, k);
    a->pos += k;
    return (int)k;
}

static int64_t io_seek(void *opaque, int64_t off, int whence)
{
    struct audio *a = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return (int64_t)a->n;
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)a->pos;
        break;
    case SEEK_END:
        base = (int64_t)a->n;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (off > (int64_t)a->n - base || off < -base)
        return AVERROR(EINVAL);
    a->pos = (size_t)(base + off);
    return (int64_t)a->pos;
}

static void quiet_logs(void)
{
    /* Corrupt uploads would otherwise print to the server's stderr. */
    av_log_set_level(AV_LOG_QUIET);
}

static int av_code(int averr)
{
    return averr == AVERROR(ENOMEM) ? LC_ENOMEM : LC_ETRUNC;
}

static void audio_release(struct audio *a)
{
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->in_layout);
    av_frame_free(&a->frame);
    av_packet_free(&a->pkt);
    avcodec_free_context(&a->dec);
    if (a->fmt)
        avformat_close_input(&a->fmt);
    if (a->avio) {
        av_freep(&a->avio->buffer);
        avio_context_free(&a->avio);
    }
    free(a->out);
    a->out = NULL;
}

static int open_container(struct audio *a, struct lc_diag *d)
{
    enum media_container c = media_container_sniff(a->buf, a->n);
    if (c == MEDIA_CONTAINER_UNKNOWN)
        return lc_diag_set(d, LC_EUNSUP, "the content is neither mp4 nor webm");
    uint8_t *iobuf = av_malloc(AVIO_BUF);
    a->avio = iobuf ? avio_alloc_context(iobuf, AVIO_BUF, 0, a, io_read, NULL,
                                         io_seek)
                    : NULL;
    a->fmt = avformat_alloc_context();
    if (iobuf == NULL || a->avio == NULL || a->fmt == NULL) {
        if (a->avio == NULL)
            av_free(iobuf);
        return lc_diag_set(d, LC_ENOMEM, "out of memory opening the audio");
    }
    a->fmt->pb = a->avio;
    a->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    const AVInputFormat *ifmt =
        av_find_input_format(c == MEDIA_CONTAINER_MP4 ? "mp4" : "webm");
    int rc = avformat_open_input(&a->fmt, NULL, ifmt, NULL);
    if (rc < 0) {
        a->fmt = NULL; /* avformat_open_input frees it on failure */
        return lc_diag_set(d, av_code(rc), "cannot read the %s container: %s",
                           media_container_name(c), av_err2str(rc));
    }
    return 0;
}

static bool codec_allowed(enum AVCodecID id)
{
    return id == AV_CODEC_ID_OPUS || id == AV_CODEC_ID_AAC ||
           id == AV_CODEC_ID_VORBIS;
}

static int layout_check(int channels, int rate, struct lc_diag *d)
{
    if (channels < 1 || channels > MAX_CHANNELS || rate < 8000 || rate > 192000)
        return lc_diag_set(d, LC_EUNSUP,
                           "audio with %d channels at %d Hz is not supported",
                           channels, rate);
    return 0;
}

/* Pick the audio stream, check its codec, layout and declared length, and
 * open its decoder. */
static int open_stream(struct audio *a, struct lc_diag *d)
{
    int ai = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (ai < 0)
        return lc_diag_set(d, LC_ENOTFOUND, "the recording has no audio stream");
    a->st = a->fmt->streams[ai];
    for (unsigned i = 0; i < a->fmt->nb_streams; i++)
        if ((int)i != ai)
            a->fmt->streams[i]->discard = AVDISCARD_ALL;
    const AVCodecParameters *par = a->st->codecpar;
    if (!codec_allowed(par->codec_id))
        return lc_diag_set(d, LC_EUNSUP, "audio codec %s is not supported",
                           avcodec_get_name(par->codec_id));
    int rc = layout_check(par->ch_layout.nb_channels, par->sample_rate, d);
    if (rc < 0)
        return rc;
    double secs = 0;
    if (a->st->duration != AV_NOPTS_VALUE && a->st->duration > 0)
        secs = (double)a->st->duration * av_q2d(a->st->time_base);
    else if (a->fmt->duration != AV_NOPTS_VALUE && a->fmt->duration > 0)
        secs = (double)a->fmt->duration / AV_TIME_BASE;
    if (secs > MEDIA_AUDIO_MAX_SECONDS)
        return lc_diag_set(d, LC_ETOOBIG,
                           "the audio lasts %.1f s, over the %d s limit", secs,
                           MEDIA_AUDIO_MAX_SECONDS);

    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (codec == NULL)
        return lc_diag_set(d, LC_EUNSUP, "no decoder for %s",
                           avcodec_get_name(par->codec_id));
    a->dec = avcodec_alloc_context3(codec);
    a->pkt = av_packet_alloc();
    a->frame = av_frame_alloc();
    if (a->dec == NULL || a->pkt == NULL || a->frame == NULL)
        return lc_diag_set(d, LC_ENOMEM, "out of memory opening the decoder");
    rc = avcodec_parameters_to_context(a->dec, par);
    if (rc >= 0) {
        a->dec->pkt_timebase = a->st->time_base;
        a->dec->thread_count = 1;
        rc = avcodec_open2(a->dec, codec, NULL);
    }
    if (rc < 0)
        return lc_diag_set(d, av_code(rc), "cannot open the %s decoder: %s",
                           codec->name, av_err2str(rc));
    return 0;
}

/* Make room for up to need more samples, within the length limit. */
static int reserve(struct audio *a, size_t need, struct lc_diag *d)
{
    if (need > MAX_SAMPLES + SLACK_SAMPLES - a->len)
        return lc_diag_set(d, LC_ETOOBIG, "the audio is longer than %d s",
                           MEDIA_AUDIO_MAX_SECONDS);
    if (a->len + need <= a->cap)
        return 0;
    size_t cap = a->cap ? a->cap : (size_t)4 * MEDIA_AUDIO_RATE;
    while (cap < a->len + need)
        cap *= 2;
    if (cap > MAX_SAMPLES + SLACK_SAMPLES)
        cap = MAX_SAMPLES + SLACK_SAMPLES;
    a->out = lc_realloc(a->out, cap * sizeof *a->out);
    a->cap = cap;
    return 0;
}

/* Run the resampler on in_n samples of in (NULL, 0 drains it) into the
 * output. */
static int resample(struct audio *a, const uint8_t **in, int in_n,
                    struct lc_diag *d)
{
    int need = swr_get_out_samples(a->swr, in_n);
    if (need < 0)
        return lc_diag_set(d, LC_ETRUNC, "cannot resample the audio");
    int rc = reserve(a, (size_t)need, d);
    if (rc < 0)
        return rc;
    uint8_t *out = (uint8_t *)(a->out + a->len);
    int got = swr_convert(a->swr, &out, need, in, in_n);
    if (got < 0)
        return lc_diag_set(d, av_code(got), "cannot resample the audio: %s",
                           av_err2str(got));
    a->len += (size_t)got;
    if (a->len > MAX_SAMPLES)
        return lc_diag_set(d, LC_ETOOBIG, "the audio is longer than %d s",
                           MEDIA_AUDIO_MAX_SECONDS);
    return 0;
}

/* (Re)configure the resampler for frame f: its rate, sample format and
 * layout to MEDIA_AUDIO_RATE mono s16. A change mid-stream first drains
 * what the old configuration still holds. */
static int swr_setup(struct audio *a, const AVFrame *f, struct lc_diag *d)
{
    int rc = layout_check(f->ch_layout.nb_channels, f->sample_rate, d);
    if (rc < 0)
        return rc;
    if (a->swr) {
        if (f->sample_rate == a->in_rate && f->format == a->in_fmt &&
            av_channel_layout_compare(&f->ch_layout, &a->in_layout) == 0)
            return 0;
        rc = resample(a, NULL, 0, d);
        if (rc < 0)
            return rc;
        swr_free(&a->swr);
    }
    AVChannelLayout in = {0}, mono = AV_CHANNEL_LAYOUT_MONO;
    /* A layout without channel positions (e.g. Opus mapping 255) gets the
     * default positions for its channel count, so that it can be mixed. */
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in, f->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in, &f->ch_layout) < 0)
        return lc_diag_set(d, LC_ENOMEM, "out of memory");
    av_channel_layout_uninit(&a->in_layout);
    rc = av_channel_layout_copy(&a->in_layout, &f->ch_layout);
    if (rc >= 0)
        rc = swr_alloc_set_opts2(&a->swr, &mono, AV_SAMPLE_FMT_S16,
                                 MEDIA_AUDIO_RATE, &in, f->format,
                                 f->sample_rate, 0, NULL);
    if (rc >= 0)
        rc = swr_init(a->swr);
    av_channel_layout_uninit(&in);
    if (rc < 0) {
        swr_free(&a->swr);
        return lc_diag_set(d, LC_EUNSUP, "cannot resample %s audio: %s",
                           av_get_sample_fmt_name(f->format), av_err2str(rc));
    }
    a->in_rate = f->sample_rate;
    a->in_fmt = f->format;
    return 0;
}

/* Take every frame the decoder has ready. */
static int drain(struct audio *a, struct lc_diag *d)
{
    for (;;) {
        int rc = avcodec_receive_frame(a->dec, a->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc == AVERROR(ENOMEM))
            return lc_diag_set(d, LC_ENOMEM, "out of memory decoding audio");
        if (rc < 0) {
            a->bad++; /* a damaged frame: the next send goes on */
            return 0;
        }
        rc = swr_setup(a, a->frame, d);
        if (rc == 0)
            rc = resample(a, (const uint8_t **)a->frame->extended_data,
                          a->frame->nb_samples, d);
        av_frame_unref(a->frame);
        if (rc < 0)
            return rc;
    }
}

static int decode_all(struct audio *a, struct lc_diag *d)
{
    int rc, rd;
    while ((rd = av_read_frame(a->fmt, a->pkt)) >= 0) {
        if (a->pkt->stream_index != a->st->index) {
            av_packet_unref(a->pkt);
            continue;
        }
        rc = avcodec_send_packet(a->dec, a->pkt);
        if (rc == AVERROR(EAGAIN)) {
            /* Frames left behind by a damaged one: take them, retry. */
            rc = drain(a, d);
            if (rc < 0) {
                av_packet_unref(a->pkt);
                return rc;
            }
            rc = avcodec_send_packet(a->dec, a->pkt);
        }
        av_packet_unref(a->pkt);
        if (rc == AVERROR(ENOMEM))
            return lc_diag_set(d, LC_ENOMEM, "out of memory decoding audio");
        if (rc < 0) {
            a->bad++; /* a damaged packet: skip it */
            continue;
        }
        rc = drain(a, d);
        if (rc < 0)
            return rc;
    }
    /* A read error after good audio is a cut recording: keep what came
     * before. */
    if (rd != AVERROR_EOF && a->len == 0)
        return lc_diag_set(d, av_code(rd), "cannot read the audio: %s",
                           av_err2str(rd));
    rc = avcodec_send_packet(a->dec, NULL);
    if (rc >= 0)
        rc = drain(a, d);
    if (rc >= 0 && a->swr)
        rc = resample(a, NULL, 0, d);
    if (rc < 0)
        return rc;
    if (a->len == 0)
        return lc_diag_set(d, LC_ETRUNC,
                           "no audio could be decoded (%ld bad packets)", a->bad);
    return 0;
}

int media_audio_decode_16k(const uint8_t *buf, size_t n, int16_t **pcm,
                           size_t *samples, struct lc_diag *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, quiet_logs);
    *pcm = NULL;
    *samples = 0;
    if (buf == NULL || n == 0)
        return lc_diag_set(d, LC_EEMPTY, "the recording is empty");
    struct audio a = {.buf = buf, .n = n};
    int rc = open_container(&a, d);
    if (rc == 0)
        rc = open_stream(&a, d);
    if (rc == 0)
        rc = decode_all(&a, d);
    if (rc == 0) {
        *pcm = a.out;
        *samples = a.len;
        a.out = NULL;
    }
    audio_release(&a);
    return rc;
}
