/* tests/unit/t_video.c - the video path below the CLI: container sniffing,
 * probing and decoding of the tiny synthetic clips in fuzz/corpus/video
 * (every container and codec, cut copies, audio-only, no duration, variable
 * frame rate), declared sizes refused before decoding, the input policy and
 * its keys, the engine's size cap, the landmark geometry and the fusion.
 * The dev-video decisions are tested end to end in tests/video.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liveness/video_int.h"
#include "livecheck/media_video.h"
#include "livecheck/mem.h"
#include "livecheck/video.h"
#include "test.h"

#define CORPUS "fuzz/corpus/video/"

static uint8_t *corpus(const char *name, size_t *n)
{
    char path[256];
    uint8_t *buf = NULL;
    struct lc_diag d = {{0}};
    snprintf(path, sizeof path, CORPUS "%s", name);
    if (media_file_read(path, 1 << 20, &buf, n, &d) < 0)
        test_fail(__FILE__, __LINE__, "%s", d.msg);
    return buf;
}

TEST(video_sniff)
{
    static const uint8_t mp4[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                  0, 0, 2, 0, 'i', 's', 'o', 'm', 'a', 'v', 'c', '1'};
    static const uint8_t compat[] = {0, 0, 0, 20, 'f', 't', 'y', 'p', 'X', 'Y', 'Z', 'W',
                                     0, 0, 0, 0, 'm', 'p', '4', '2'};
    static const uint8_t mov[] = {0, 0, 0, 20, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ',
                                  0, 0, 0, 0, 'i', 's', 'o', 'm'};
    static const uint8_t heic[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c',
                                   0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'};
    /* EBML header: version elements, then DocType "webm" / "matroska". */
    static const uint8_t webm[] = {0x1a, 0x45, 0xdf, 0xa3, 0x8b, 0x42, 0x86, 0x81,
                                   0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'};
    static const uint8_t mkv[] = {0x1a, 0x45, 0xdf, 0xa3, 0x8f, 0x42, 0x86, 0x81,
                                  0x01, 0x42, 0x82, 0x88, 'm', 'a', 't', 'r', 'o',
                                  's', 'k', 'a'};
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                  0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    ASSERT_INT(media_container_sniff(mp4, sizeof mp4), ==, MEDIA_CONTAINER_MP4);
    ASSERT_INT(media_container_sniff(compat, sizeof compat), ==, MEDIA_CONTAINER_MP4);
    ASSERT_INT(media_container_sniff(mov, sizeof mov), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_INT(media_container_sniff(heic, sizeof heic), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_INT(media_container_sniff(webm, sizeof webm), ==, MEDIA_CONTAINER_WEBM);
    ASSERT_INT(media_container_sniff(mkv, sizeof mkv), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_INT(media_container_sniff(png, sizeof png), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_INT(media_container_sniff(webm, 6), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_INT(media_container_sniff(NULL, 0), ==, MEDIA_CONTAINER_UNKNOWN);
    ASSERT_STR(media_container_name(MEDIA_CONTAINER_WEBM), "webm");
}

/* What the probe must say about each corpus clip (testsrc 64x48, 10 fps,
 * 0.5 s unless noted). */
static const struct probe_case {
    const char *file;
    int rc;
    enum media_container c;
    const char *codec;
    long packets;
    bool audio;
    double duration, header;
} probes[] = {
    {"h264.mp4", 0, MEDIA_CONTAINER_MP4, "h264", 5, false, 0.5, 0.5},
    {"h264_444.mp4", 0, MEDIA_CONTAINER_MP4, "h264", 5, false, 0.5, 0.5},
    {"h264_bframes_faststart.mp4", 0, MEDIA_CONTAINER_MP4, "h264", 5, false, 0.5, 0.5},
    {"audio_first.mp4", 0, MEDIA_CONTAINER_MP4, "h264", 5, true, 0.5, 0.5},
    {"hevc.mp4", 0, MEDIA_CONTAINER_MP4, "hevc", 5, false, 0.5, 0.5},
    {"av1.mp4", 0, MEDIA_CONTAINER_MP4, "av1", 5, false, 0.5, 0.5},
    {"av1.webm", 0, MEDIA_CONTAINER_WEBM, "av1", 5, false, 0.5, 0.5},
    {"vp8.webm", 0, MEDIA_CONTAINER_WEBM, "vp8", 5, false, 0.5, 0.5},
    {"vp9_opus.webm", 0, MEDIA_CONTAINER_WEBM, "vp9", 5, true, 0.5, 0.508},
    /* A live-stream webm (like MediaRecorder's) has no duration in its
     * header: it is measured from the packets. */
    {"vp8_live_noduration.webm", 0, MEDIA_CONTAINER_WEBM, "vp8", 5, false, 0.5, 0},
    {"vfr.webm", 0, MEDIA_CONTAINER_WEBM, "vp8", 10, false, 1.4, 1.4},
    {"audio_only.webm", LC_ENOTFOUND, MEDIA_CONTAINER_WEBM, NULL, 0, false, 0, 0},
    {"mpeg4.mp4", LC_EUNSUP, MEDIA_CONTAINER_MP4, NULL, 0, false, 0, 0},
    {"h264_cut.mp4", LC_ETRUNC, MEDIA_CONTAINER_MP4, NULL, 0, false, 0, 0},
};

TEST(video_probe_corpus)
{
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        const struct probe_case *p = &probes[i];
        size_t n;
        uint8_t *buf = corpus(p->file, &n);
        ASSERT(buf != NULL);
        struct media_video_info info;
        struct lc_diag d = {{0}};
        int rc = media_video_probe(&info, buf, n, NULL, &d);
        free(buf);
        if (rc != p->rc) {
            test_fail(__FILE__, __LINE__, "%s: rc %d (%s), want %d", p->file,
                      rc, d.msg, p->rc);
            continue;
        }
        if (info.container != p->c)
            test_fail(__FILE__, __LINE__, "%s: container %d", p->file,
                      info.container);
        if (rc < 0)
            continue;
        if (strcmp(info.codec, p->codec) != 0 || info.width != 64 ||
            info.height != 48 || info.packets != p->packets ||
            info.has_audio != p->audio || fabs(info.duration - p->duration) > 0.01 ||
            fabs(info.header_duration - p->header) > 0.01 || info.index_short)
            test_fail(__FILE__, __LINE__,
                      "%s: %s %dx%d packets %ld audio %d duration %.3f header "
                      "%.3f short %d",
                      p->file, info.codec, info.width, info.height, info.packets,
                      info.has_audio, info.duration, info.header_duration,
                      info.index_short);
    }
}

TEST(video_probe_cut_mp4_index)
{
    /* moov before mdat, file cut: the index lists more than is there. */
    size_t n;
    uint8_t *buf = corpus("faststart_cut.mp4", &n);
    ASSERT(buf != NULL);
    struct media_video_info info;
    ASSERT_INT(media_video_probe(&info, buf, n, NULL, NULL), ==, 0);
    free(buf);
    ASSERT(info.index_short);
    ASSERT_INT(info.packets, <, 5);
}

TEST(video_decode_corpus)
{
    static const char *const files[] = {
        "h264.mp4", "h264_444.mp4", "h264_bframes_faststart.mp4",
        "audio_first.mp4", "hevc.mp4", "av1.mp4", "av1.webm", "vp8.webm",
        "vp9_opus.webm", "vp8_live_noduration.webm", "vfr.webm",
        "vp9_gbrp.webm"};
    uint8_t px[32 * 24 * 3];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *buf = corpus(files[i], &n);
        ASSERT(buf != NULL);
        media_video *v;
        struct lc_diag d = {{0}};
        ASSERT_INT(media_video_open(&v, buf, n, NULL, &d), ==, 0);
        struct media_video_frame f;
        int rc, k = 0;
        double last = -1;
        double gaps[10];
        while ((rc = media_video_next(v, &f, &d)) == 1) {
            struct media_image img = {.w = 32, .h = 24, .px = px};
            const uint8_t *y;
            int stride, w, h;
            /* RGB-coded VP9 has no luma plane to lend. */
            int want = strstr(files[i], "gbrp") ? LC_EUNSUP : 0;
            if (f.w != 64 || f.h != 48 || f.index != k || !(f.t > last) ||
                media_video_frame_rgb(v, &img) != 0 ||
                media_video_frame_luma(v, &y, &stride, &w, &h) != want ||
                (want == 0 && w != 64))
                test_fail(__FILE__, __LINE__, "%s frame %d: %dx%d t %.3f",
                          files[i], k, f.w, f.h, f.t);
            if (k > 0 && k <= 10)
                gaps[k - 1] = f.t - last;
            last = f.t;
            k++;
        }
        if (rc != 0 || k != (strcmp(files[i], "vfr.webm") == 0 ? 10 : 5))
            test_fail(__FILE__, __LINE__, "%s: rc %d after %d frames (%s)",
                      files[i], rc, k, d.msg);
        /* Frame times come from timestamps: 0.1 s apart, then 0.2 s. */
        if (strcmp(files[i], "vfr.webm") == 0 &&
            (fabs(gaps[0] - 0.1) > 0.002 || fabs(gaps[2] - 0.2) > 0.002))
            test_fail(__FILE__, __LINE__, "vfr gaps %.3f %.3f", gaps[0], gaps[2]);
        media_video_close(v);
        free(buf);
    }
}

/* Patch the declared frame size of an mp4 (tkhd and the avc1 sample
 * entry) to w x h. */
static void mp4_claim_size(uint8_t *b, size_t n, unsigned w, unsigned h)
{
    bool stsd = false; /* "avc1" is also a brand in ftyp: skip that one */
    for (size_t i = 4; i + 84 < n; i++) {
        stsd = stsd || memcmp(b + i, "stsd", 4) == 0;
        if (stsd && memcmp(b + i, "avc1", 4) == 0 && i + 32 < n) {
            uint8_t *p = b + i + 28; /* VisualSampleEntry width, height */
            p[0] = (uint8_t)(w >> 8);
            p[1] = (uint8_t)w;
            p[2] = (uint8_t)(h >> 8);
            p[3] = (uint8_t)h;
        }
        if (memcmp(b + i, "tkhd", 4) == 0) {
            size_t size = (size_t)b[i - 4] << 24 | (size_t)b[i - 3] << 16 |
                          (size_t)b[i - 2] << 8 | b[i - 1];
            if (size >= 92 && i - 4 + size <= n) {
                uint8_t *p = b + i - 4 + size - 8; /* 16.16 width, height */
                memset(p, 0, 8);
                p[0] = (uint8_t)(w >> 8);
                p[1] = (uint8_t)w;
                p[4] = (uint8_t)(h >> 8);
                p[5] = (uint8_t)h;
            }
        }
    }
}

TEST(video_huge_declared_size_refused)
{
    size_t n;
    uint8_t *buf = corpus("h264.mp4", &n);
    ASSERT(buf != NULL);
    mp4_claim_size(buf, n, 60000, 60000);
    struct media_video_info info;
    struct lc_diag d = {{0}};
    ASSERT_INT(media_video_probe(&info, buf, n, NULL, &d), ==, LC_ETOOBIG);
    ASSERT(strstr(d.msg, "60000x60000") != NULL);
    media_video *v = NULL;
    ASSERT_INT(media_video_open(&v, buf, n, NULL, NULL), ==, LC_ETOOBIG);
    ASSERT(v == NULL);
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct liveness_video_result r;
    struct liveness_video_opts o = {.no_policy = true};
    ASSERT_INT(liveness_video_check(NULL, &c, buf, n, &o, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_dimensions_too_large");
    /* A claim within the decoder limit passes the probe; the decoder then
     * uses the stream's own size. */
    mp4_claim_size(buf, n, 4000, 4000);
    ASSERT_INT(media_video_probe(&info, buf, n, NULL, NULL), ==, 0);
    ASSERT_INT(info.width, ==, 4000);
    free(buf);
}

TEST(video_policy_rules)
{
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct media_video_info ok = {.container = MEDIA_CONTAINER_WEBM,
                                  .width = 1280, .height = 960,
                                  .duration = 9.99, .packets = 300};
    struct liveness_video_opts none = {0}, nopol = {.no_policy = true};
    char why[160];
#define EXPECT(info, nbytes, opts, key)                                          \
    ASSERT_STR(lc_outcome_key(liveness_video_policy_check(&c, &(info), nbytes, \
                                                          &(opts), why)),      \
               key)
    struct media_video_info i = ok;
    EXPECT(i, 1000, none, "success");
    EXPECT(i, 0, none, "error_empty_video");
    EXPECT(i, c.max_bytes + 1, none, "error_video_too_large");
    EXPECT(i, c.max_bytes + 1, nopol, "success");
    i.duration = 10.01;
    EXPECT(i, 1000, none, "success"); /* half a frame of slack */
    i.duration = 10.2;
    EXPECT(i, 1000, none, "error_video_too_long");
    EXPECT(i, 1000, nopol, "success");
    i = ok;
    i.scan_cut = true;
    EXPECT(i, 1000, none, "error_video_too_long");
    i = ok;
    i.width = 799;
    EXPECT(i, 1000, none, "error_invalid_video_resolution");
    i.width = 4000;
    i.height = 4000;
    EXPECT(i, 1000, none, "error_invalid_video_resolution");
    c.max_side = 4000; /* configurable */
    EXPECT(i, 1000, none, "success");
    i = ok;
    i.container = MEDIA_CONTAINER_UNKNOWN;
    EXPECT(i, 1000, nopol, "error_invalid_video_format");
    i = ok;
    i.index_short = true;
    EXPECT(i, 1000, nopol, "error_corrupt_video");
    i = ok;
    i.packets = 0;
    EXPECT(i, 1000, nopol, "error_corrupt_video");
#undef EXPECT
    ASSERT_STR(lc_outcome_key(liveness_video_outcome_of_media(LC_ENOTFOUND)),
               "error_video_no_frames");
    ASSERT_STR(lc_outcome_key(liveness_video_outcome_of_fetch(LC_EDENIED)),
               "error_video_url_not_allowed");
    ASSERT_STR(lc_outcome_key(liveness_video_outcome_of_fetch(LC_EUNREACH)),
               "error_video_url_unreachable");
}

TEST(video_outcome_keys_distinct)
{
    for (int a = 1; a < LC_OUTCOME_COUNT; a++) {
        ASSERT(strncmp(lc_outcome_key((enum lc_outcome)a), "error_", 6) == 0);
        for (int b = a + 1; b < LC_OUTCOME_COUNT; b++)
            if (strcmp(lc_outcome_key((enum lc_outcome)a),
                       lc_outcome_key((enum lc_outcome)b)) == 0)
                test_fail(__FILE__, __LINE__, "key %s twice",
                          lc_outcome_key((enum lc_outcome)a));
    }
    ASSERT_STR(lc_outcome_code(LC_OUTCOME_INVALID_VIDEO_FORMAT), "E00020");
    ASSERT_STR(lc_outcome_message(LC_OUTCOME_INVALID_VIDEO_FORMAT),
               "File type not allowed. Allowed extensions: ['mp4', 'webm'].");
    ASSERT_INT(lc_outcome_status(LC_OUTCOME_VIDEO_TOO_LARGE), ==, 413);
}

/* Every refusal the engine makes before it needs a face model (so ctx may
 * be NULL here). */
TEST(video_engine_refusals)
{
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct liveness_video_result r;
    struct liveness_video_opts nopol = {.no_policy = true};
    size_t n;
    uint8_t *clip = corpus("h264.mp4", &n);
    ASSERT(clip != NULL);

    /* The size cap holds at the engine, whatever the caller did. */
    size_t big = (size_t)25 << 20;
    uint8_t *buf = lc_calloc(1, big);
    memcpy(buf, clip, n);
    ASSERT_INT(liveness_video_check(NULL, &c, buf, big, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_video_too_large");
    free(buf);

    ASSERT_INT(liveness_video_check(NULL, &c, clip, 0, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_empty_video");
    ASSERT_INT(liveness_video_check(NULL, &c, clip, n, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_invalid_video_resolution");
    ASSERT(strstr(r.reason, "64x48") != NULL);
    free(clip);

    static const struct {
        const char *file, *key;
    } cases[] = {
        {"audio_only.webm", "error_video_no_frames"},
        {"h264_cut.mp4", "error_corrupt_video"},
        {"faststart_cut.mp4", "error_corrupt_video"},
        {"vp8_cut.webm", "error_corrupt_video"},
        {"mpeg4.mp4", "error_invalid_video_format"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clip = corpus(cases[i].file, &n);
        ASSERT(clip != NULL);
        ASSERT_INT(liveness_video_check(NULL, &c, clip, n, &nopol, &r), ==, 0);
        if (strcmp(lc_outcome_key(r.outcome), cases[i].key) != 0)
            test_fail(__FILE__, __LINE__, "%s: %s (%s), want %s",
                      cases[i].file, lc_outcome_key(r.outcome), r.reason,
                      cases[i].key);
        free(clip);
    }
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                  0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    ASSERT_INT(liveness_video_check(NULL, &c, png, sizeof png, NULL, &r), ==, 0);
    ASSERT_STR(lc_outcome_key(r.outcome), "error_invalid_video_format");
}

TEST(video_no_face_in_testsrc)
{
    struct vision_models vm;
    struct lc_diag d = {{0}};
    ASSERT_INT(vision_models_load(&vm, test_models_dir(), &d), ==, 0);
    struct vision_ctx *ctx = vision_ctx_new(&vm, NN_EXEC_FAST);
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct liveness_video_opts nopol = {.no_policy = true};
    struct liveness_video_result r;
    static const char *const files[] = {"vp9_opus.webm", "vfr.webm"};
    for (int p = 0; p < 2; p++) {
        c.pipeline = p == 1;
        for (size_t i = 0; i < 2; i++) {
            size_t n;
            uint8_t *clip = corpus(files[i], &n);
            ASSERT(clip != NULL);
            ASSERT_INT(liveness_video_check(ctx, &c, clip, n, &nopol, &r), ==, 0);
            free(clip);
            ASSERT_STR(lc_outcome_key(r.outcome), "error_no_face_in_video");
            ASSERT_INT(r.cues.samples, >, 2);
            ASSERT_INT(r.cues.face_frames, ==, 0);
        }
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
}

TEST(video_eye_aspect_and_homography)
{
    float lm[68][2] = {{0}};
    /* Left eye: corners (0,0) and (10,0), lids 1.5 above and below. */
    const float eye[6][2] = {{0, 0}, {3, -1.5f}, {7, -1.5f}, {10, 0}, {7, 1.5f}, {3, 1.5f}};
    memcpy(lm[36], eye, sizeof eye);
    ASSERT_NEAR(video_eye_aspect((const float(*)[2])lm, 0), 0.3, 1e-6);

    /* Points on a plane seen through a homography fit it exactly. */
    float a[68][2], b[68][2];
    const double h[9] = {1.1, 0.05, 12, -0.03, 0.95, -7, 1e-4, -2e-4, 1};
    for (int i = 0; i < 68; i++) {
        a[i][0] = (float)(100 + 37 * (i % 9) + 3 * (i % 4));
        a[i][1] = (float)(80 + 29 * (i / 9) + 2 * (i % 3));
        double w = h[6] * a[i][0] + h[7] * a[i][1] + h[8];
        b[i][0] = (float)((h[0] * a[i][0] + h[1] * a[i][1] + h[2]) / w);
        b[i][1] = (float)((h[3] * a[i][0] + h[4] * a[i][1] + h[5]) / w);
    }
    float res = video_homography_residual((const float(*)[2])a,
                                          (const float(*)[2])b, 68, NULL, 0);
    ASSERT(res >= 0 && res < 0.01f);
    /* Move a third of them (a mouth opening): no homography explains it. */
    for (int i = 0; i < 68; i += 3)
        b[i][1] += 6;
    res = video_homography_residual((const float(*)[2])a, (const float(*)[2])b,
                                    68, NULL, 0);
    ASSERT(res > 2.0f);
    /* Degenerate: every point the same. */
    for (int i = 0; i < 68; i++)
        a[i][0] = a[i][1] = 5;
    ASSERT(video_homography_residual((const float(*)[2])a,
                                     (const float(*)[2])b, 68, NULL, 0) < 0);
}

/* The fusion on made-up cues: each risk alone brings a lively, passive-
 * approved clip below the threshold. */
TEST(video_fusion_terms)
{
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct liveness_video_result live = {0};
    struct liveness_video_cues *q = &live.cues;
    q->passive_logit = 1.0f;
    q->nonrigid = q->nonrigid_mouth = 0.12f;
    q->blinks = 2;
    q->yaw_range = 20;
    q->pitch_range = 10;
    q->frozen = 0;
    q->border = 0.1f;
    q->moire = 0.2f;
    q->identity_min = 0.8f;
    video_fuse(&c, &live);
    ASSERT(live.live && live.confidence > 0.9f);
    ASSERT_NEAR(live.static_risk, 0, 1e-6);

    struct liveness_video_result r = live;
    r.cues.nonrigid = r.cues.nonrigid_mouth = 0.01f; /* a photo moved */
    r.cues.blinks = 0;
    r.cues.passive_logit = 2.0f;
    video_fuse(&c, &r);
    ASSERT(!r.live && r.static_risk > 0.9f);

    r = live;
    r.cues.frozen = 1.0f; /* one picture repeated */
    video_fuse(&c, &r);
    ASSERT(!r.live);

    r = live;
    r.cues.passive_logit = -8.0f; /* the image model sees a spoof */
    video_fuse(&c, &r);
    ASSERT(!r.live);

    r = live;
    r.cues.border = 0.8f; /* a frame around the face ... */
    r.cues.passive_logit = -2.0f; /* ... and a doubtful model */
    video_fuse(&c, &r);
    ASSERT(!r.live && r.replay_risk > 0.9f);

    r = live;
    r.cues.identity_min = 0.05f; /* someone else mid-clip */
    video_fuse(&c, &r);
    ASSERT(!r.live && r.identity_risk > 0.9f);

    r = live;
    r.cues.identity_min = NAN; /* unmeasured cues weigh nothing */
    r.cues.moire = NAN;
    video_fuse(&c, &r);
    ASSERT(r.live);
}

TEST(video_data_json)
{
    struct liveness_video_config c;
    liveness_video_config_default(&c);
    struct liveness_video_result r = {0};
    r.confidence = 0.873f;
    r.live = true;
    r.cues.identity_min = NAN;
    r.info.container = MEDIA_CONTAINER_WEBM;
    snprintf(r.info.codec, sizeof r.info.codec, "vp9");
    char buf[LIVENESS_VIDEO_JSON_MAX];
    size_t n = liveness_video_data_json(&r, &c, buf, sizeof buf);
    ASSERT_INT(n, <, sizeof buf);
    ASSERT(strncmp(buf, "{\"status\":\"SUCCESS\",\"confidence\":\"0.87\",", 40) == 0);
    ASSERT(strstr(buf, "\"identityMin\":null") != NULL);
    ASSERT(strstr(buf, "\"container\":\"webm\"") != NULL);
    ASSERT(buf[n - 1] == '}');
    char small[16];
    ASSERT_INT(liveness_video_data_json(&r, &c, small, sizeof small), ==, n);
    ASSERT_INT(strlen(small), ==, 15);
}
