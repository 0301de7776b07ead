/* tests/unit/t_liveness_cues.c - each cue, the quality measures and the
 * fusion on made-up inputs whose answers are derived by hand (white-box:
 * src/liveness/liveness_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liveness/liveness_int.h"
#include "test.h"

#define N 64

/* An RGB8 image of w x h filled with one colour. Caller frees px. */
static struct media_image image_fill(int w, int h, int r, int g, int b)
{
    struct media_image im = {.w = w, .h = h, .px = malloc((size_t)w * h * 3)};
    for (int i = 0; i < w * h; i++) {
        im.px[3 * i] = (uint8_t)r;
        im.px[3 * i + 1] = (uint8_t)g;
        im.px[3 * i + 2] = (uint8_t)b;
    }
    return im;
}

static void put(struct media_image *im, int x, int y, int r, int g, int b)
{
    uint8_t *p = im->px + 3 * ((size_t)y * im->w + x);
    p[0] = (uint8_t)r;
    p[1] = (uint8_t)g;
    p[2] = (uint8_t)b;
}

/* A small deterministic noise source (LCG), uniform in [-1, 1). */
static float noise(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

TEST(liveness_fft_matches_dft)
{
    enum { M = 16 };
    float re[M], im[M], r0[M], i0[M];
    unsigned s = 7;
    for (int i = 0; i < M; i++) {
        r0[i] = re[i] = noise(&s);
        i0[i] = im[i] = noise(&s);
    }
    liveness_fft(re, im, M, false);
    for (int k = 0; k < M; k++) {
        double sr = 0, si = 0;
        for (int t = 0; t < M; t++) {
            double a = -2.0 * M_PI * k * t / M;
            sr += r0[t] * cos(a) - i0[t] * sin(a);
            si += r0[t] * sin(a) + i0[t] * cos(a);
        }
        ASSERT_NEAR(re[k], sr, 1e-4);
        ASSERT_NEAR(im[k], si, 1e-4);
    }
    /* Inverse (unscaled) brings back M times the input. */
    liveness_fft(re, im, M, true);
    for (int i = 0; i < M; i++)
        ASSERT_NEAR(re[i] / M, r0[i], 1e-5);
}

/* A vertical grating of period 8 px in R and in the opposite sense in B:
 * per unit of the cosine, luma moves 0.299 - 0.114 = 0.185, R - G moves 1
 * and (R + G) / 2 - B moves 1.5. The three planes share one spatial
 * pattern, so their band energies are in the ratio of the squares:
 * (1 + 2.25) / 0.185^2, whatever the window does. */
TEST(liveness_cue_moire_colour_grating_gray_grating_flat)
{
    static float rgb[3 * N * N];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float c = 60.0f * cosf(2.0f * (float)M_PI * (float)x / 8.0f);
            float *p = rgb + 3 * (y * N + x);
            p[0] = 128 + c;
            p[1] = 128;
            p[2] = 128 - c;
        }
    ASSERT_NEAR(liveness_cue_moire(rgb, N), log10(3.25 / (0.185 * 0.185)), 0.01);
    /* The same grating in gray: no colour at all, the floor. */
    for (int i = 0; i < N * N; i++)
        rgb[3 * i + 2] = rgb[3 * i + 1] = rgb[3 * i];
    ASSERT_NEAR(liveness_cue_moire(rgb, N), -6.0, 1e-3);
    /* A flat patch has no detail: no evidence either way. */
    for (int i = 0; i < 3 * N * N; i++)
        rgb[i] = 90.0f;
    ASSERT_NEAR(liveness_cue_moire(rgb, N), 0.0, 1e-6);
}

/* Fine texture: a period-8 grating lies in the 4..16 px band only (with a
 * Hann window a bin-centred cosine leaks into its two neighbour bins, radius
 * 7..9, still in band), so the 2..4 px band is empty: the 1e-6 floor, cue 6.
 * A period-3 grating is almost all fine energy: strongly negative. */
TEST(liveness_cue_texture_gratings)
{
    static float g[N * N];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            g[y * N + x] = 128 + 50 * cosf(2.0f * (float)M_PI * (float)x / 8.0f);
    ASSERT_NEAR(liveness_cue_texture(g, N), 6.0, 1e-3);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            g[y * N + x] = 128 + 50 * cosf(2.0f * (float)M_PI * (float)x / 3.0f);
    ASSERT(liveness_cue_texture(g, N) < -1.0f);
    for (int i = 0; i < N * N; i++)
        g[i] = 77;
    ASSERT_NEAR(liveness_cue_texture(g, N), 0.0, 1e-6);
}

/* Skin (200, 150, 120): r = 200/470, b = 120/470, g = 150/470, so
 * r - b = 0.170 >= 0.08 and r - g = 0.106 >= 0.02: no cue. A cold screen
 * white (150, 150, 200): r - b = -0.1 and r - g = 0, so the cue is
 * (0.08 + 0.1) + (0.02 - 0) = 0.20. */
TEST(liveness_cue_gamut_skin_and_cold_white)
{
    float box[4] = {0, 0, 10, 10};
    struct media_image im = image_fill(10, 10, 200, 150, 120);
    ASSERT_NEAR(liveness_cue_gamut(&im, box), 0.0, 1e-6);
    free(im.px);
    im = image_fill(10, 10, 150, 150, 200);
    ASSERT_NEAR(liveness_cue_gamut(&im, box), 0.20, 1e-5);
    free(im.px);
}

/* A 10x10 clipped white block at (5, 5) in a 20x20 skin image: only the
 * pixels whose whole 3x3 neighbourhood is white count, 8x8 = 64 of 400. */
TEST(liveness_cue_specular_flat_glare)
{
    struct media_image im = image_fill(20, 20, 200, 150, 120);
    float box[4] = {0, 0, 20, 20};
    ASSERT_NEAR(liveness_cue_specular(&im, box), 0.0, 1e-6);
    for (int y = 5; y < 15; y++)
        for (int x = 5; x < 15; x++)
            put(&im, x, y, 255, 255, 255);
    ASSERT_NEAR(liveness_cue_specular(&im, box), 64.0 / 400.0, 1e-6);
    free(im.px);
}

/* A dark 3 px outline from 90 to 310 around a face box of 100 at 150..250
 * in a 400x400 gray image. The 2.7x region spans 65..335 (270 px, reduced
 * to 160 px), so each side of the frame is about 220 / 270 = 0.81 of the
 * region: the cue is about 0.81 + 0.81. Vertical edges alone (a doorway)
 * and an empty scene give 0. */
TEST(liveness_cue_edges_frame_doorway_blank)
{
    float sq[4] = {150, 150, 100, 100};
    struct media_image im = image_fill(400, 400, 150, 150, 150);
    ASSERT_NEAR(liveness_cue_edges(&im, sq, 2.7f), 0.0, 1e-6);
    for (int t = 0; t < 3; t++)
        for (int i = 90; i <= 310; i++) {
            put(&im, 90 + t, i, 20, 20, 20);
            put(&im, 308 + t, i, 20, 20, 20);
        }
    ASSERT_NEAR(liveness_cue_edges(&im, sq, 2.7f), 0.0, 1e-6);
    for (int t = 0; t < 3; t++)
        for (int i = 90; i <= 310; i++) {
            put(&im, i, 90 + t, 20, 20, 20);
            put(&im, i, 308 + t, 20, 20, 20);
        }
    float v = liveness_cue_edges(&im, sq, 2.7f);
    ASSERT_NEAR(v, 2.0 * 220.0 / 270.0, 0.08);
    free(im.px);
}

/* A level, frontal face: eyes at (40, 50) and (80, 50), mouth centre at
 * (60, 90), nose tip on the midline at 0.427 of the way down: the
 * landmarks imply yaw 0 and pitch 0, so the cue is |yaw| + |pitch| of the
 * pose given. */
TEST(liveness_cue_geometry_frontal)
{
    struct vision_face f = {.has_landmarks = true};
    for (int i = 36; i <= 41; i++) {
        f.lm[i][0] = 40;
        f.lm[i][1] = 50;
        f.lm[i + 6][0] = 80;
        f.lm[i + 6][1] = 50;
    }
    for (int i = 48; i <= 59; i++) {
        f.lm[i][0] = 60;
        f.lm[i][1] = 90;
    }
    f.lm[30][0] = 60;
    f.lm[30][1] = 50 + 0.427f * 40;
    ASSERT_NEAR(liveness_cue_geometry(&f, 0, 0), 0.0, 1e-3);
    ASSERT_NEAR(liveness_cue_geometry(&f, 20, -10), 30.0, 1e-3);
    f.has_landmarks = false;
    ASSERT_NEAR(liveness_cue_geometry(&f, 20, -10), 0.0, 1e-6);
}

/* Sharpness: a linear ramp has e4 = 16 e1 (0); white noise e4 = e1
 * (log10 16 = 1.2); a flat patch gives 0 by definition. */
TEST(liveness_sharpness_ramp_noise_flat)
{
    static float g[N * N];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            g[y * N + x] = (float)(x + y);
    ASSERT_NEAR(liveness_sharpness(g, N), 0.0, 1e-6);
    unsigned s = 3;
    for (int i = 0; i < N * N; i++)
        g[i] = 100 + 20 * noise(&s);
    ASSERT_NEAR(liveness_sharpness(g, N), log10(16.0), 0.1);
    for (int i = 0; i < N * N; i++)
        g[i] = 5;
    ASSERT_NEAR(liveness_sharpness(g, N), 0.0, 1e-6);
}

/* Quality issues on a 300x300 image with a textured face box. */
TEST(liveness_quality_issues)
{
    struct liveness_config c;
    liveness_config_default(&c);
    struct liveness_quality q;
    float box[4] = {100, 100, 100, 110}, sq[4] = {95, 100, 110, 110};
    int level[3] = {128, 15, 245};
    enum liveness_quality_issue want[3] = {LIVENESS_QUALITY_OK, LIVENESS_QUALITY_TOO_DARK,
                                           LIVENESS_QUALITY_TOO_BRIGHT};
    for (int k = 0; k < 3; k++) {
        struct media_image im = image_fill(300, 300, 0, 0, 0);
        unsigned s = 11;
        for (int y = 0; y < 300; y++)
            for (int x = 0; x < 300; x++) {
                int v = level[k] + (int)(8 * noise(&s));
                v = v < 0 ? 0 : v > 255 ? 255 : v;
                put(&im, x, y, v, v, v);
            }
        liveness_quality_measure(&c, &im, box, sq, 1.0f, &q);
        ASSERT_INT(q.issue, ==, want[k]);
        ASSERT_NEAR(q.face_px, 110.0, 1e-4);
        ASSERT_NEAR(q.outside, 0.0, 1e-6);
        if (k == 0) {
            /* Small: the same face reported at 0.5x its size. */
            liveness_quality_measure(&c, &im, box, sq, 0.5f, &q);
            ASSERT_INT(q.issue, ==, LIVENESS_QUALITY_FACE_SMALL);
            /* A quarter of the raw box left of the image. */
            float out[4] = {-25, 100, 100, 110};
            liveness_quality_measure(&c, &im, out, sq, 1.0f, &q);
            ASSERT_NEAR(q.outside, 0.25, 1e-6);
            ASSERT_INT(q.issue, ==, LIVENESS_QUALITY_FACE_PARTLY_OUTSIDE);
            /* Flat: no detail at all reads as blurred. */
            memset(im.px, 128, 300 * 300 * 3);
            liveness_quality_measure(&c, &im, box, sq, 1.0f, &q);
            ASSERT_INT(q.issue, ==, LIVENESS_QUALITY_BLURRED);
        }
        ASSERT_INT(liveness_exposure_check(&c, &im), ==,
                   k == 0 ? LIVENESS_QUALITY_OK : want[k]);
        free(im.px);
    }
}

/* Fusion with an identity calibration: z is the mean logit over crops; a
 * cue costs nothing up to its lower limit and its full weight (16) from
 * its upper limit; a quality issue turns a rejection into a review. */
TEST(liveness_fuse_rules)
{
    struct liveness_config c;
    liveness_config_default(&c);
    c.calib_a = 1.0f;
    c.calib_b = 0.0f;
    c.threshold = 50;
    c.nscales = 2;
    c.cues = 1u << LIVENESS_CUE_MOIRE;
    struct liveness_result r = {0};
    r.p_live[0] = 0.9f;
    r.p_live[1] = 0.1f; /* logits +-2.197: mean 0 */
    liveness_fuse(&c, &r);
    ASSERT_NEAR(r.z, 0.0, 1e-5);
    ASSERT_INT(r.score, ==, 50);
    ASSERT(r.live);
    ASSERT(r.review);
    r.cue[LIVENESS_CUE_MOIRE] = 0.60f; /* at its lower limit: no cost */
    liveness_fuse(&c, &r);
    ASSERT_NEAR(r.z, 0.0, 1e-5);
    r.cue[LIVENESS_CUE_MOIRE] = 2.0f; /* past its upper limit */
    liveness_fuse(&c, &r);
    ASSERT_NEAR(r.z, -16.0, 1e-4);
    ASSERT_INT(r.score, ==, 0);
    ASSERT(!r.live);
    ASSERT(r.review_reason == NULL);
    /* Disabled cues cost nothing. */
    c.cues = 0;
    liveness_fuse(&c, &r);
    ASSERT_NEAR(r.z, 0.0, 1e-5);
    /* A dark photo that would be rejected goes to review, with a reason. */
    r.p_live[0] = r.p_live[1] = 0.2f;
    r.quality.issue = LIVENESS_QUALITY_TOO_DARK;
    liveness_fuse(&c, &r);
    ASSERT(!r.live);
    ASSERT(r.review);
    ASSERT_STR(r.review_reason, liveness_quality_reason(LIVENESS_QUALITY_TOO_DARK));
    /* An accepted dark photo stays accepted, with no reason. */
    r.p_live[0] = r.p_live[1] = 0.95f;
    liveness_fuse(&c, &r);
    ASSERT(r.live);
    ASSERT(r.review_reason == NULL);
    ASSERT_STR(liveness_cue_key(LIVENESS_CUE_EDGES), "edges");
    ASSERT(liveness_cue_key(LIVENESS_CUE_COUNT) == NULL);
    ASSERT_STR(liveness_quality_key(LIVENESS_QUALITY_BLURRED), "blurred");
    ASSERT_STR(liveness_quality_key(LIVENESS_QUALITY_OK), "ok");
}
