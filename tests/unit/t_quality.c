/* tests/unit/t_quality.c - the image-quality measures (quality.h) and the
 * face-match mapping on made-up inputs whose answers are derived by hand:
 * the Laplacian's variance, exposure, blockiness, area resampling, the DQT
 * parser on JPEGs encoded here at known qualities and on broken headers,
 * the IJG tables, the scoring rules and the match data JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/liveness.h"
#include "livecheck/quality.h"
#include "test.h"

/* A w x h RGB8 gray image with value f(x, y). Caller frees px. */
static struct media_image gray_image(int w, int h, int (*f)(int, int))
{
    struct media_image im = {.w = w, .h = h, .px = malloc((size_t)w * h * 3)};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t v = (uint8_t)f(x, y);
            uint8_t *p = im.px + 3 * ((size_t)y * w + x);
            p[0] = p[1] = p[2] = v;
        }
    return im;
}

/* Photo-like: smooth shading plus a little fixed texture. */
static int texture(int x, int y)
{
    unsigned h = (unsigned)x * 73856093u ^ (unsigned)y * 19349663u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return 60 + (x + y) / 8 % 100 + (int)((h >> 20) % 24);
}

TEST(quality_laplacian_flat_ramp_checkerboard)
{
    float g[8 * 8];
    for (int i = 0; i < 64; i++)
        g[i] = 77.0f;
    ASSERT_NEAR(quality_laplacian_var(g, 8, 8), 0.0, 1e-9);
    /* A linear ramp has a zero second derivative everywhere. */
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++)
            g[y * 8 + x] = 10.0f + 3.0f * x + 5.0f * y;
    ASSERT_NEAR(quality_laplacian_var(g, 8, 8), 0.0, 1e-6);
    /* Checkerboard 0 / a: every interior pixel's Laplacian is +-4a, half
     * each (6 x 6 interior), so the mean is 0 and the variance 16 a^2. */
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++)
            g[y * 8 + x] = (x + y) % 2 ? 10.0f : 0.0f;
    ASSERT_NEAR(quality_laplacian_var(g, 8, 8), 1600.0, 1e-6);
    /* One bright pixel in the middle of 5 x 5 black: the interior 3 x 3
     * holds -4a once and +a four times: mean 0, var (16 + 4) a^2 / 9. */
    float h[25] = {0};
    h[12] = 9.0f;
    ASSERT_NEAR(quality_laplacian_var(h, 5, 5), 20.0 * 81.0 / 9.0, 1e-6);
    ASSERT_NEAR(quality_laplacian_var(h, 2, 5), 0.0, 0.0);
}

TEST(quality_exposure_shares)
{
    float g[4] = {0.0f, 8.0f, 247.0f, 128.0f};
    float m, d, b;
    quality_exposure(g, 4, &m, &d, &b);
    ASSERT_NEAR(m, (0 + 8 + 247 + 128) / 4.0, 1e-4);
    ASSERT_NEAR(d, 0.5, 1e-6);
    ASSERT_NEAR(b, 0.25, 1e-6);
}

TEST(quality_resample_area_average)
{
    /* 4 x 2 image with values 0, 10, 20, 30 / 40, 50, 60, 70 onto 2 x 1:
     * each output averages a 2 x 2 block. */
    struct media_image im = {.w = 4, .h = 2, .px = malloc(24)};
    for (int i = 0; i < 8; i++)
        im.px[3 * i] = im.px[3 * i + 1] = im.px[3 * i + 2] = (uint8_t)(10 * i);
    float out[2];
    quality_gray_resample(&im, NULL, 2, 1, out);
    ASSERT_NEAR(out[0], (0 + 10 + 40 + 50) / 4.0, 1e-3);
    ASSERT_NEAR(out[1], (20 + 30 + 60 + 70) / 4.0, 1e-3);
    /* A box past the left edge repeats the edge column. */
    float box[4] = {-2, 0, 2, 1}, e;
    quality_gray_resample(&im, box, 1, 1, &e);
    ASSERT_NEAR(e, 0.0, 1e-3);
    free(im.px);
}

TEST(quality_blockiness_grid_vs_photo)
{
    enum { W = 64, H = 48 };
    uint8_t y[W * H];
    memset(y, 90, sizeof y);
    ASSERT_NEAR(quality_blockiness(y, W, H), 0.0, 1e-6); /* flat */
    /* Flat 8 x 8 blocks of different levels: steps only on one phase. */
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++)
            y[r * W + x] = (uint8_t)(40 + 20 * ((x / 8 + r / 8) % 5));
    ASSERT_NEAR(quality_blockiness(y, W, H), 4.0, 1e-6);
    /* A smooth ramp with texture has no preferred phase. */
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++)
            y[r * W + x] = (uint8_t)texture(x, r);
    ASSERT(quality_blockiness(y, W, H) < 0.25f);
    ASSERT_NEAR(quality_blockiness(y, 8, 8), 0.0, 0.0); /* too small */
}

/* A JPEG of a textured image encoded by libjpeg-turbo at quality q. */
static int encode(int q, uint8_t **j, size_t *n)
{
    struct media_image im = gray_image(96, 64, texture);
    int rc = media_jpeg_encode(&im, q, j, n);
    free(im.px);
    return rc;
}

TEST(quality_dqt_known_qualities)
{
    uint16_t t50[64], t100[64];
    quality_ijg_table(50, false, t50);
    quality_ijg_table(100, false, t100);
    /* Quality 50 is the Annex K table itself; 100 is all ones. */
    ASSERT_INT(t50[0], ==, 16);
    ASSERT_INT(t50[1], ==, 11);
    ASSERT_INT(t50[63], ==, 99);
    ASSERT_INT(t100[0], ==, 1);
    ASSERT_INT(t100[63], ==, 1);
    /* Quality 10: scale 500%, so 16 -> 80 and 99 -> 255 (clamped). */
    uint16_t t10[64];
    quality_ijg_table(10, false, t10);
    ASSERT_INT(t10[0], ==, 80);
    ASSERT_INT(t10[63], ==, 255);

    /* Every IJG table is recognised as its own quality. */
    for (int q = 1; q <= 100; q++) {
        uint16_t t[64];
        float fit;
        quality_ijg_table(q, false, t);
        ASSERT_INT(quality_ijg_estimate(t, &fit), ==, q);
        ASSERT_NEAR(fit, 0.0, 0.0);
    }
    static const int qs[] = {10, 95, 50, 75};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        uint8_t *j = NULL;
        size_t n = 0;
        ASSERT_INT(encode(qs[k], &j, &n), ==, 0);
        struct quality_dqt t;
        int rc = quality_jpeg_dqt(j, n, &t);
        if (rc != 0)
            free(j);
        ASSERT_INT(rc, ==, 0);
        ASSERT_INT(t.quality, ==, qs[k]);
        ASSERT_NEAR(t.fit, 0.0, 0.0);
        ASSERT(t.present[0]);
        uint16_t want[64];
        quality_ijg_table(qs[k], false, want);
        int same = memcmp(want, t.q[0], sizeof want) == 0;
        free(j);
        ASSERT(same);
    }
}

TEST(quality_dqt_malformed_headers)
{
    struct quality_dqt t;
    /* SOI, DQT (id 0, 8-bit, all 2), SOS. */
    uint8_t ok[4 + 4 + 65 + 4];
    size_t n = 0;
    ok[n++] = 0xFF, ok[n++] = 0xD8, ok[n++] = 0xFF, ok[n++] = 0xDB;
    ok[n++] = 0, ok[n++] = 67, ok[n++] = 0x00;
    for (int i = 0; i < 64; i++)
        ok[n++] = 2;
    ok[n++] = 0xFF, ok[n++] = 0xDA, ok[n++] = 0, ok[n++] = 2;
    ASSERT_INT(quality_jpeg_dqt(ok, n, &t), ==, 0);
    ASSERT_INT(t.ntables, ==, 1);
    ASSERT_INT(t.q[0][0], ==, 2);
    /* All 2s lies between the IJG tables of quality 98 and 99. */
    ASSERT(t.quality >= 98 && t.quality <= 99);
    ASSERT(t.fit > 0.0f);

    uint8_t b[sizeof ok];
    ASSERT_INT(quality_jpeg_dqt(ok, 1, &t), ==, LC_EUNSUP);
    ok[0] = 0x00;
    ASSERT_INT(quality_jpeg_dqt(ok, n, &t), ==, LC_EUNSUP);
    ok[0] = 0xFF;
    /* Cut inside the DQT segment, and before the scan. */
    ASSERT_INT(quality_jpeg_dqt(ok, 40, &t), ==, LC_ETRUNC);
    ASSERT_INT(quality_jpeg_dqt(ok, n - 4, &t), ==, LC_ETRUNC);
    /* Precision 2, table id 4, a zero entry, a length of 1. */
    memcpy(b, ok, n);
    b[6] = 0x20;
    ASSERT_INT(quality_jpeg_dqt(b, n, &t), ==, LC_EFORMAT);
    memcpy(b, ok, n);
    b[6] = 0x04;
    ASSERT_INT(quality_jpeg_dqt(b, n, &t), ==, LC_EFORMAT);
    memcpy(b, ok, n);
    b[20] = 0;
    ASSERT_INT(quality_jpeg_dqt(b, n, &t), ==, LC_EFORMAT);
    memcpy(b, ok, n);
    b[5] = 1;
    ASSERT_INT(quality_jpeg_dqt(b, n, &t), ==, LC_EFORMAT);
    /* A 16-bit table whose length says 8-bit: short table. */
    memcpy(b, ok, n);
    b[6] = 0x10;
    ASSERT_INT(quality_jpeg_dqt(b, n, &t), ==, LC_EFORMAT);
    /* A scan with no table before it. */
    uint8_t sos[] = {0xFF, 0xD8, 0xFF, 0xDA, 0, 2};
    ASSERT_INT(quality_jpeg_dqt(sos, sizeof sos, &t), ==, LC_EFORMAT);
    /* Fill bytes before a marker are skipped; an APP0 is stepped over. */
    uint8_t app[4 + 6 + 3 + 67 + 4];
    size_t m = 0;
    app[m++] = 0xFF, app[m++] = 0xD8, app[m++] = 0xFF, app[m++] = 0xE0;
    app[m++] = 0, app[m++] = 6, app[m++] = 'J', app[m++] = 'F', app[m++] = 0,
    app[m++] = 0;
    app[m++] = 0xFF, app[m++] = 0xFF, app[m++] = 0xDB;
    memcpy(app + m, ok + 4, 67);
    m += 67;
    app[m++] = 0xFF, app[m++] = 0xDA, app[m++] = 0, app[m++] = 2;
    ASSERT_INT(quality_jpeg_dqt(app, m, &t), ==, 0);
    ASSERT_INT(t.q[0][63], ==, 2);
}

TEST(quality_params_and_scores)
{
    ASSERT_INT(quality_param_parse("all"), ==, QUALITY_ALL);
    ASSERT_INT(quality_param_parse(""), ==, QUALITY_ALL);
    ASSERT_INT(quality_param_parse("Sharpness"), ==, 1u << QUALITY_SHARPNESS);
    ASSERT_INT(quality_param_parse("compressionQuality"), ==,
               1u << QUALITY_COMPRESSION);
    ASSERT_INT(quality_param_parse("contrast"), ==, 0);
    ASSERT(strcmp(quality_param_key(QUALITY_TEXT), "textQuality") == 0);

    struct quality_config c;
    quality_config_default(&c);
    struct quality_result r = {.selected = QUALITY_ALL};
    /* No face; sharp (var 1000 -> log 3 > 2.3), mid-gray, no clipping, a
     * PNG without blocks. */
    r.m.lap_image = 1000.0f;
    r.m.mean_image = 128.0f;
    r.m.jpeg_quality = -1;
    quality_score(&c, &r);
    ASSERT_INT(r.score[QUALITY_SHARPNESS], ==, 100);
    ASSERT_INT(r.score[QUALITY_BRIGHTNESS], ==, 100);
    ASSERT_INT(r.score[QUALITY_COMPRESSION], ==, 100);
    ASSERT(!r.valid[QUALITY_TEXT]);
    ASSERT_INT(r.overall, ==, 100);
    ASSERT(r.accept);
    ASSERT(strcmp(r.extraction, "high") == 0);
    /* A flat image has no detail at all; half way into the dark band;
     * a JPEG at quality 10. */
    r.m.lap_image = 0.0f;
    r.m.mean_image = (c.dark + c.ok_lo) / 2;
    r.m.jpeg_quality = 10;
    quality_score(&c, &r);
    ASSERT_INT(r.score[QUALITY_SHARPNESS], ==, 0);
    ASSERT_INT(r.score[QUALITY_BRIGHTNESS], ==, 50);
    ASSERT_INT(r.score[QUALITY_COMPRESSION], ==, 0);
    ASSERT_INT(r.overall, ==, 17); /* (0 + 50 + 0) / 3 */
    ASSERT(!r.accept);
    ASSERT(strcmp(r.extraction, "low") == 0);
    /* Only textQuality selected: nothing valid to judge. */
    r.selected = 1u << QUALITY_TEXT;
    quality_score(&c, &r);
    ASSERT_INT(r.overall, ==, 0);
    ASSERT(!r.accept);
    /* A face: its brightness rules, the image's clipping only past
     * clip_image_ok. */
    r.selected = 1u << QUALITY_BRIGHTNESS;
    r.m.face = true;
    r.m.mean_face = 130.0f;
    r.m.dark_image = 0.3f;
    quality_score(&c, &r);
    ASSERT_INT(r.score[QUALITY_BRIGHTNESS], ==, 100);
    r.m.bright_face = c.clip_face / 2;
    quality_score(&c, &r);
    ASSERT_INT(r.score[QUALITY_BRIGHTNESS], ==, 50);
}

TEST(quality_check_synthetic_photo)
{
    /* No face model needed: ctx NULL skips detection. A textured PNG-like
     * image through the whole check, then the same as a quality-10 JPEG. */
    struct media_image im = gray_image(200, 160, texture);
    uint8_t *j = NULL;
    size_t n = 0;
    ASSERT_INT(media_jpeg_encode(&im, 95, &j, &n), ==, 0);
    struct quality_config c;
    quality_config_default(&c);
    struct quality_result hi, lo;
    int rc = quality_image_check(NULL, &c, j, n, QUALITY_ALL, &hi);
    free(j);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(hi.outcome, ==, LC_OUTCOME_OK);
    ASSERT_INT(hi.m.jpeg_quality, ==, 95);
    ASSERT(!hi.m.face);
    ASSERT_INT(media_jpeg_encode(&im, 10, &j, &n), ==, 0);
    rc = quality_image_check(NULL, &c, j, n, QUALITY_ALL, &lo);
    free(j);
    free(im.px);
    ASSERT_INT(rc, ==, 0);
    ASSERT_INT(lo.m.jpeg_quality, ==, 10);
    ASSERT(lo.m.blockiness > hi.m.blockiness);
    ASSERT(lo.score[QUALITY_COMPRESSION] < hi.score[QUALITY_COMPRESSION]);
    char buf[QUALITY_JSON_MAX];
    size_t k = quality_data_json(&hi, buf, sizeof buf);
    ASSERT(k > 0 && k < sizeof buf);
    ASSERT(strstr(buf, "\"msg\":\"done\"") != NULL);
    ASSERT(strstr(buf, "\"textQuality\":{\"valid\":\"false\",\"score\":0}") !=
           NULL);
    /* Refusals: no bytes, not an image, over the cap. */
    ASSERT_INT(quality_image_check(NULL, &c, (const uint8_t *)"", 0,
                                   QUALITY_ALL, &lo), ==, 0);
    ASSERT_INT(lo.outcome, ==, LC_OUTCOME_EMPTY_IMAGE);
    ASSERT_INT(quality_image_check(NULL, &c, (const uint8_t *)"hello", 5,
                                   QUALITY_ALL, &lo), ==, 0);
    ASSERT_INT(lo.outcome, ==, LC_OUTCOME_INVALID_IMAGE_FORMAT);
    c.max_bytes = 4;
    ASSERT_INT(quality_image_check(NULL, &c, (const uint8_t *)"hello", 5,
                                   QUALITY_ALL, &lo), ==, 0);
    ASSERT_INT(lo.outcome, ==, LC_OUTCOME_IMAGE_TOO_LARGE);
}

TEST(match_percent_and_data)
{
    /* The logistic's centre is 50% exactly; the dev extremes of
     * docs/accuracy.md map to 74 and 4. */
    ASSERT_NEAR(liveness_match_percent(0.42f), 50.0, 1e-4);
    ASSERT_INT(liveness_match_score(0.506f), ==, 74);
    ASSERT_INT(liveness_match_score(0.146f), ==, 4);
    ASSERT(liveness_match_decide(50.0, 50));
    ASSERT(!liveness_match_decide(49.999, 50));
    char buf[256];
    liveness_match_data_json(0.42f, 50, buf, sizeof buf);
    ASSERT(strcmp(buf, "{\"status\":\"SUCCESS\",\"match\":\"50.00%\","
                       "\"matched\":\"yes\",\"threshold\":50,"
                       "\"cosine\":0.4200}") == 0);
    liveness_match_data_json(0.42f, 95, buf, sizeof buf);
    ASSERT(strstr(buf, "\"matched\":\"no\"") != NULL);
}
