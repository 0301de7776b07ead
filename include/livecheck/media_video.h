/* include/livecheck/media_video.h - demuxing and decoding short videos
 * (mp4, webm) from memory with the FFmpeg libraries.
 *
 * media knows pixels, not tensors or faces. Every function reads from a
 * buffer the caller owns (and keeps alive while a media_video is open); the
 * container is chosen by content (magic bytes), never by a name. Audio
 * streams are ignored. Nothing here aborts on bad input; failures are a
 * negative LC_E* code with a one-line reason in the optional diag:
 *   LC_EEMPTY    zero bytes
 *   LC_EUNSUP    not mp4 or webm by content, or a codec outside the allowed
 *                set (H.264, HEVC, VP8, VP9, AV1)
 *   LC_ENOTFOUND the container holds no video stream (e.g. audio-only)
 *   LC_ETOOBIG   the declared frame size exceeds opts->max_side or
 *                opts->max_pixels (checked on the container's header before
 *                the decoder allocates anything, and again on every frame)
 *   LC_ETRUNC    the data ends early or is corrupt
 *
 * Probing reads every packet without decoding, so that the duration is known
 * even when the header has none (browser MediaRecorder webm):
 *
 *     struct media_video_info info;
 *     if (media_video_probe(&info, buf, n, NULL, &diag) < 0) ...
 *     media_video *v;
 *     media_video_open(&v, buf, n, NULL, &diag);
 *     struct media_video_frame f;
 *     while ((rc = media_video_next(v, &f, &diag)) == 1)
 *         if (wanted(f.t)) media_video_frame_rgb(v, &img);  // img preallocated
 *     media_video_close(v);
 *
 * Frame times come from the stream's timestamps (browser recordings have a
 * variable frame rate), in seconds from the first video packet.
 */
#ifndef LC_MEDIA_VIDEO_H
#define LC_MEDIA_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "livecheck/err.h"
#include "livecheck/media.h"

enum media_container {
    MEDIA_CONTAINER_UNKNOWN = 0,
    MEDIA_CONTAINER_MP4,
    MEDIA_CONTAINER_WEBM
};

/* "mp4", "webm" or "unknown". */
const char *media_container_name(enum media_container c);

/* Container by magic bytes: an ISO BMFF "ftyp" box with an mp4-family
 * brand (QuickTime "qt  " and still-image brands such as heic/avif are not
 * video), or an EBML header whose DocType is "webm". */
enum media_container media_container_sniff(const uint8_t *buf, size_t n);

struct media_video_opts {
    int max_side;      /* refuse a larger declared side; 0 = 8192 */
    size_t max_pixels; /* refuse larger declared frames; 0 = 8192 x 4352 */
    long max_packets;  /* stop the probe's packet scan here; 0 = 200000 */
    int threads;       /* decoder threads; 0 = 1 */
};

/* What the container says, and what a scan of its packets measured. */
struct media_video_info {
    enum media_container container;
    char codec[24];         /* FFmpeg's decoder name: "h264", "vp9", ... */
    int width, height;      /* declared frame size */
    bool has_audio;
    double duration;        /* seconds: from packet timestamps when they
                             * exist, else the header's, else 0 */
    double header_duration; /* the header's own duration, 0 when absent */
    long packets;           /* video packets seen by the scan */
    bool scan_cut;          /* the scan stopped at max_packets */
    bool index_short;       /* mp4: fewer packets than its sample index
                             * lists (the file was cut) */
};

/* Open the container, check the declared frame size and scan the video
 * packets without decoding. Returns 0 or a negative LC_E* code (above). */
int media_video_probe(struct media_video_info *info, const uint8_t *buf,
                      size_t n, const struct media_video_opts *opts,
                      struct lc_diag *d);

typedef struct media_video media_video;

/* A decoded frame's place in the clip. */
struct media_video_frame {
    double t;     /* seconds from the first video packet */
    long index;   /* 0, 1, 2, ... in decoding output order */
    int w, h;     /* decoded size */
};

/* Open buf for decoding (buf must outlive v). Checks what probe checks
 * except the packet scan. On failure *out is NULL. */
int media_video_open(media_video **out, const uint8_t *buf, size_t n,
                     const struct media_video_opts *opts, struct lc_diag *d);

/* Decode the next frame. Returns 1 and fills f, 0 at the end of the stream,
 * or a negative LC_E* code (LC_ETOOBIG when a frame grows beyond the
 * limits mid-stream; LC_ETRUNC when no frame could be decoded at all).
 * Undecodable packets after the first good frame are skipped and counted
 * in media_video_bad_packets. */
int media_video_next(media_video *v, struct media_video_frame *f,
                     struct lc_diag *d);

/* Scale and convert the current frame to 8-bit RGB into img, whose w, h
 * and px (3*w*h bytes, caller-owned) are already set: the frame is fitted
 * to exactly img->w x img->h. No allocation after the first call unless the
 * stream changes size or pixel format. Returns 0 or LC_EINVAL when there is
 * no current frame. */
int media_video_frame_rgb(media_video *v, struct media_image *img);

/* The current frame's luma plane, borrowed until the next media_video_next:
 * 8-bit formats whose first plane is luma (YUV 4:2:0/4:2:2/4:4:4, NV12,
 * gray). Returns 0 or LC_EUNSUP for other pixel formats. */
int media_video_frame_luma(const media_video *v, const uint8_t **p,
                           int *stride, int *w, int *h);

/* Packets the decoder refused (corrupt data) so far. */
long media_video_bad_packets(const media_video *v);

void media_video_close(media_video *v);

#endif
