/* fuzz/fuzz_video.c - libFuzzer target for the video container path.
 *
 * Runs what an upload meets before any face work: the container sniff,
 * media_video_probe (demux, packet scan, duration) and media_video_open +
 * media_video_next over the first frames, converting each to a small RGB
 * image and reading its luma plane, with limits small enough that the
 * fuzzer spends its time parsing rather than decoding big frames. Checks
 * the invariants media_video.h promises. Build with clang
 * -fsanitize=fuzzer,address, or link with fuzz/replay.c to replay the corpus
 * (fuzz/corpus/video: tiny synthetic testsrc clips in every container and
 * codec, cut copies, audio-only) without clang.
 */
#include "livecheck/media_video.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct media_video_opts o = {
        .max_side = 1024,
        .max_pixels = (size_t)1 << 20,
        .max_packets = 2000,
    };
    struct media_video_info info;
    int rc = media_video_probe(&info, data, size, &o, NULL);
    if (rc > 0)
        abort();
    if (rc == 0 && (info.width > o.max_side || info.height > o.max_side ||
                    info.packets < 0 || info.duration < 0 ||
                    info.container == MEDIA_CONTAINER_UNKNOWN))
        abort();
    if (media_container_sniff(data, size) == MEDIA_CONTAINER_UNKNOWN &&
        rc != LC_EUNSUP && rc != LC_EEMPTY)
        abort();

    media_video *v = NULL;
    rc = media_video_open(&v, data, size, &o, NULL);
    if ((rc == 0) != (v != NULL))
        abort();
    if (rc < 0)
        return 0;
    uint8_t px[32 * 24 * 3];
    struct media_image img = {.w = 32, .h = 24, .px = px};
    struct media_video_frame f;
    for (int i = 0; i < MAX_FRAMES; i++) {
        rc = media_video_next(v, &f, NULL);
        if (rc != 1)
            break;
        if (f.w <= 0 || f.h <= 0 || f.w > o.max_side || f.h > o.max_side ||
            f.index != i)
            abort();
        media_video_frame_rgb(v, &img);
        const uint8_t *y;
        int stride, w, h;
        if (media_video_frame_luma(v, &y, &stride, &w, &h) == 0) {
            /* Touch the plane's last byte: ASan checks its extent. */
            volatile uint8_t sink = y[(size_t)(h - 1) * stride + (w - 1)];
            (void)sink;
        }
    }
    if (rc > 1)
        abort();
    media_video_close(v);
    return 0;
}
