/* src/media/video_src.c - containers by content and a libavformat demuxer
 * over a memory buffer.
 *
 * Only mp4 (ISO BMFF with an mp4-family brand) and webm (EBML DocType
 * "webm") are accepted, and the matching demuxer is forced so that
 * libavformat never probes the bytes into some other format. No
 * avformat_find_stream_info: it decodes frames (allocating at whatever size
 * the stream claims) before we could check that size, and mp4/webm headers
 * already say what the decoder needs.
 */
#include "video_int.h"

#include <pthread.h>
#include <string.h>

#include <libavutil/log.h>

#define AVIO_BUF 32768

const char *media_container_name(enum media_container c)
{
    switch (c) {
    case MEDIA_CONTAINER_MP4:
        return "mp4";
    case MEDIA_CONTAINER_WEBM:
        return "webm";
    default:
        return "unknown";
    }
}

/* mp4-family brands (ISO base media, MPEG-4, 3GPP, DASH, Apple M4V/M4A). */
static bool brand_ok(const uint8_t *b)
{
    static const char *const ok[] = {"isom", "iso2", "iso3", "iso4", "iso5",
                                     "iso6", "iso7", "iso8", "iso9", "mp41",
                                     "mp42", "mp71", "avc1", "dash", "M4V ",
                                     "M4A ", "3gp4", "3gp5", "3gp6", "3g2a",
                                     "MSNV", "mmp4", "av01", "hvc1", "f4v "};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (memcmp(b, ok[i], 4) == 0)
            return true;
    return false;
}

static enum media_container sniff_mp4(const uint8_t *buf, size_t n)
{
    if (n < 16 || memcmp(buf + 4, "ftyp", 4) != 0)
        return MEDIA_CONTAINER_UNKNOWN;
    size_t box = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 |
                 (size_t)buf[2] << 8 | buf[3];
    if (box < 16 || box > n || box > 4096)
        box = n < 4096 ? n : 4096;
    /* QuickTime movies are not mp4 even when they list mp4 brands. */
    if (memcmp(buf + 8, "qt  ", 4) == 0)
        return MEDIA_CONTAINER_UNKNOWN;
    if (brand_ok(buf + 8))
        return MEDIA_CONTAINER_MP4;
    for (size_t i = 16; i + 4 <= box; i += 4) /* compatible brands */
        if (brand_ok(buf + i))
            return MEDIA_CONTAINER_MP4;
    return MEDIA_CONTAINER_UNKNOWN;
}

/* An EBML variable-length integer at *p (< end): value without the length
 * marker. Returns its length 1..8, or 0 when malformed. keep_marker keeps
 * the marker bit (element IDs are written with it). */
static int ebml_vint(const uint8_t *p, const uint8_t *end, uint64_t *v,
                     bool keep_marker)
{
    if (p >= end || p[0] == 0)
        return 0;
    int len = 1;
    while (!(p[0] & (0x80 >> (len - 1))))
        len++;
    if (end - p < len)
        return 0;
    uint64_t x = keep_marker ? p[0] : (uint64_t)(p[0] & (0xff >> len));
    for (int i = 1; i < len; i++)
        x = x << 8 | p[i];
    *v = x;
    return len;
}

static enum media_container sniff_webm(const uint8_t *buf, size_t n)
{
    static const uint8_t magic[4] = {0x1a, 0x45, 0xdf, 0xa3};
    if (n < 8 || memcmp(buf, magic, 4) != 0)
        return MEDIA_CONTAINER_UNKNOWN;
    const uint8_t *p = buf + 4, *end = buf + n;
    uint64_t hsize;
    int k = ebml_vint(p, end, &hsize, false);
    if (k == 0)
        return MEDIA_CONTAINER_UNKNOWN;
    p += k;
    if (hsize < (uint64_t)(end - p))
        end = p + hsize;
    while (p < end) {
        uint64_t id, size;
        int a = ebml_vint(p, end, &id, true);
        int b = a ? ebml_vint(p + a, end, &size, false) : 0;
        if (b == 0)
            break;
        p += a + b;
        if (size > (uint64_t)(end - p))
            break;
        if (id == 0x4282) /* DocType */
            return size == 4 && memcmp(p, "webm", 4) == 0
                       ? MEDIA_CONTAINER_WEBM
                       : MEDIA_CONTAINER_UNKNOWN;
        p += size;
    }
    return MEDIA_CONTAINER_UNKNOWN;
}

enum media_container media_container_sniff(const uint8_t *buf, size_t n)
{
    if (buf == NULL)
        return MEDIA_CONTAINER_UNKNOWN;
    enum media_container c = sniff_mp4(buf, n);
    return c != MEDIA_CONTAINER_UNKNOWN ? c : sniff_webm(buf, n);
}

static int io_read(void *opaque, uint8_t *out, int size)
{
    struct video_src *s = opaque;
    size_t left = s->n - s->pos;
    size_t k = (size_t)size < left ? (size_t)size : left;
    if (k == 0)
        return AVERROR_EOF;
    memcpy(out, s->buf + s->pos, k);
    s->pos += k;
    return (int)k;
}

static int64_t io_seek(void *opaque, int64_t off, int whence)
{
    struct video_src *s = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return (int64_t)s->n;
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)s->pos;
        break;
    case SEEK_END:
        base = (int64_t)s->n;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (off > (int64_t)s->n - base || off < -base)
        return AVERROR(EINVAL);
    s->pos = (size_t)(base + off);
    return (int64_t)s->pos;
}

static void quiet_logs(void)
{
    /* Corrupt uploads would otherwise print to the server's stderr. */
    av_log_set_level(AV_LOG_QUIET);
}

int video_dims_check(long w, long h, const struct media_video_opts *o,
                     struct lc_diag *d)
{
    if (w < 0 || h < 0 || w > o->max_side || h > o->max_side ||
        (size_t)w * (size_t)h > o->max_pixels)
        return lc_diag_set(d, LC_ETOOBIG,
                           "frame size %ldx%ld exceeds the decoder limit "
                           "(side %d, %zu pixels)",
                           w, h, o->max_side, o->max_pixels);
    return 0;
}

int video_av_err(int averr)
{
    return averr == AVERROR(ENOMEM) ? LC_ENOMEM : LC_ETRUNC;
}

static bool codec_allowed(enum AVCodecID id)
{
    return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC ||
           id == AV_CODEC_ID_VP8 || id == AV_CODEC_ID_VP9 ||
           id == AV_CODEC_ID_AV1;
}

void video_src_close(struct video_src *s)
{
    if (s->fmt)
        avformat_close_input(&s->fmt);
    if (s->avio) {
        av_freep(&s->avio->buffer);
        avio_context_free(&s->avio);
    }
    s->st = NULL;
}

int video_src_open(struct video_src *s, const uint8_t *buf, size_t n,
                   const struct media_video_opts *opts, struct lc_diag *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, quiet_logs);
    memset(s, 0, sizeof *s);
    if (opts)
        s->o = *opts;
    if (s->o.max_side <= 0)
        s->o.max_side = MEDIA_VIDEO_MAX_SIDE;
    if (s->o.max_pixels == 0)
        s->o.max_pixels = MEDIA_VIDEO_MAX_PIXELS;
    if (s->o.max_packets <= 0)
        s->o.max_packets = MEDIA_VIDEO_MAX_PACKETS;
    if (s->o.threads <= 0)
        s->o.threads = 1;
    if (buf == NULL || n == 0)
        return lc_diag_set(d, LC_EEMPTY, "the video is empty");
    s->container = media_container_sniff(buf, n);
    if (s->container == MEDIA_CONTAINER_UNKNOWN)
        return lc_diag_set(d, LC_EUNSUP, "the content is neither mp4 nor webm");
    s->buf = buf;
    s->n = n;

    uint8_t *iobuf = av_malloc(AVIO_BUF);
    s->avio = iobuf ? avio_alloc_context(iobuf, AVIO_BUF, 0, s, io_read, NULL,
                                         io_seek)
                    : NULL;
    s->fmt = avformat_alloc_context();
    if (iobuf == NULL || s->avio == NULL || s->fmt == NULL) {
        if (s->avio == NULL)
            av_free(iobuf);
        video_src_close(s);
        return lc_diag_set(d, LC_ENOMEM, "out of memory opening the video");
    }
    s->fmt->pb = s->avio;
    s->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    const AVInputFormat *ifmt = av_find_input_format(
        s->container == MEDIA_CONTAINER_MP4 ? "mp4" : "webm");
    int rc = avformat_open_input(&s->fmt, NULL, ifmt, NULL);
    if (rc < 0) {
        /* avformat_open_input frees the context on failure. */
        s->fmt = NULL;
        video_src_close(s);
        return lc_diag_set(d, video_av_err(rc), "cannot read the %s container: %s",
                           media_container_name(s->container), av_err2str(rc));
    }

    int vi = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    for (unsigned i = 0; vi < 0 && i < s->fmt->nb_streams; i++) {
        const AVStream *st = s->fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            vi = (int)i;
    }
    if (vi < 0 ||
        (s->fmt->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        video_src_close(s);
        return lc_diag_set(d, LC_ENOTFOUND, "the %s file has no video stream",
                           media_container_name(s->container));
    }
    s->st = s->fmt->streams[vi];
    const AVCodecParameters *par = s->st->codecpar;
    if (!codec_allowed(par->codec_id)) {
        const char *name = avcodec_get_name(par->codec_id);
        video_src_close(s);
        return lc_diag_set(d, LC_EUNSUP, "video codec %s is not supported",
                           name);
    }
    rc = video_dims_check(par->width, par->height, &s->o, d);
    if (rc < 0) {
        video_src_close(s);
        return rc;
    }
    /* Only the video stream is demuxed from here on. */
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != vi)
            s->fmt->streams[i]->discard = AVDISCARD_ALL;
    return 0;
}
