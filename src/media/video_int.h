/* src/media/video_int.h - shared by the video files of src/media only.
 *
 * A video_src is a demuxer over a memory buffer: a custom AVIOContext that
 * reads (and seeks in) the caller's bytes, the container chosen by content
 * and forced on libavformat (so its own probing never picks another
 * demuxer), and the one video stream picked. video_probe.c scans it,
 * video_decode.c decodes from it.
 */
#ifndef LC_MEDIA_VIDEO_INT_H
#define LC_MEDIA_VIDEO_INT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "livecheck/media_video.h"

#define MEDIA_VIDEO_MAX_SIDE 8192
#define MEDIA_VIDEO_MAX_PIXELS ((size_t)8192 * 4352)
#define MEDIA_VIDEO_MAX_PACKETS 200000L

struct video_src {
    const uint8_t *buf;
    size_t n, pos;
    AVIOContext *avio;
    AVFormatContext *fmt;
    AVStream *st; /* the video stream (borrowed from fmt) */
    enum media_container container;
    struct media_video_opts o; /* defaults resolved */
};

/* Sniff, open the container, pick the video stream, check its codec and
 * declared size. On failure everything is released and a negative LC_E*
 * code returned (see media_video.h). */
int video_src_open(struct video_src *s, const uint8_t *buf, size_t n,
                   const struct media_video_opts *opts, struct lc_diag *d);
void video_src_close(struct video_src *s);

/* 0 when w x h fits the limits in o (0 = unknown passes), else LC_ETOOBIG
 * with a diag naming the size. */
int video_dims_check(long w, long h, const struct media_video_opts *o,
                     struct lc_diag *d);

/* Map an FFmpeg error from reading or decoding to LC_ETRUNC (corrupt or
 * short data) or LC_ENOMEM. */
int video_av_err(int averr);

#endif
