/* src/media/video_probe.c - what a video is, without decoding it.
 *
 * Opens the container (video_src.c), then reads every video packet: the
 * duration is measured from packet timestamps (first start to last end),
 * because browser recordings often carry no duration in their header and
 * FFmpeg would otherwise guess from the bitrate. Reading packets copies no
 * pixels and costs well under a millisecond per second of video.
 */
#include "video_int.h"

#include <stdio.h>
#include <string.h>

int media_video_probe(struct media_video_info *info, const uint8_t *buf,
                      size_t n, const struct media_video_opts *opts,
                      struct lc_diag *d)
{
    memset(info, 0, sizeof *info);
    info->container = media_container_sniff(buf, n);
    struct video_src s;
    int rc = video_src_open(&s, buf, n, opts, d);
    if (rc < 0)
        return rc;
    const AVCodecParameters *par = s.st->codecpar;
    snprintf(info->codec, sizeof info->codec, "%s",
             avcodec_get_name(par->codec_id));
    info->width = par->width;
    info->height = par->height;
    for (unsigned i = 0; i < s.fmt->nb_streams; i++)
        if (s.fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            info->has_audio = true;
    if (s.fmt->duration != AV_NOPTS_VALUE && s.fmt->duration > 0)
        info->header_duration = (double)s.fmt->duration / AV_TIME_BASE;

    AVPacket *pkt = av_packet_alloc();
    if (pkt == NULL) {
        video_src_close(&s);
        return lc_diag_set(d, LC_ENOMEM, "out of memory probing the video");
    }
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (;;) {
        if (info->packets >= s.o.max_packets) {
            info->scan_cut = true;
            break;
        }
        rc = av_read_frame(s.fmt, pkt);
        if (rc < 0)
            break; /* end, or data that stops making sense: what was read
                    * so far is the clip */
        if (pkt->stream_index == s.st->index) {
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            if (ts != AV_NOPTS_VALUE) {
                int64_t end = ts + (pkt->duration > 0 ? pkt->duration : 0);
                lo = ts < lo ? ts : lo;
                hi = end > hi ? end : hi;
            }
            info->packets++;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (hi > lo)
        info->duration = (double)(hi - lo) * av_q2d(s.st->time_base);
    else
        info->duration = info->header_duration;
    if (s.container == MEDIA_CONTAINER_MP4 && !info->scan_cut &&
        info->packets < avformat_index_get_entries_count(s.st))
        info->index_short = true;
    video_src_close(&s);
    return 0;
}
