/* tests/unit/t_eval.c - the evaluation metrics on made-up scores with
 * hand-counted answers, the labels reader, and the plotter's font and PNG
 * (read back with the project's own decoder). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "livecheck/eval.h"
#include "livecheck/media.h"
#include "test.h"

/* Bona fide 90, 80, 40 and one refused; print 10, 60; screen 55, 5. */
static const struct eval_sample set[] = {
    {.type = -1, .score = 90, .s = 90}, {.type = -1, .score = 80, .s = 80},
    {.type = -1, .score = 40, .s = 40}, {.type = -1, .refused = true},
    {.type = 0, .score = 10, .s = 10},  {.type = 0, .score = 60, .s = 60},
    {.type = 1, .score = 55, .s = 55},  {.type = 1, .score = 5, .s = 5},
};
enum { NSET = sizeof set / sizeof set[0] };

TEST(eval_rates_per_type)
{
    struct eval_rates r;
    eval_rates_at(set, NSET, 2, 50, &r);
    ASSERT_INT(r.n_bona, ==, 4);
    ASSERT_INT(r.bona_rejected, ==, 2); /* 40 and the refused one */
    ASSERT_INT(r.bona_refused, ==, 1);
    ASSERT_NEAR(r.bpcer, 0.5, 1e-12);
    ASSERT_NEAR(r.bpcer_classified, 1.0 / 3.0, 1e-12);
    ASSERT_NEAR(r.apcer[0], 0.5, 1e-12); /* 60 */
    ASSERT_NEAR(r.apcer[1], 0.5, 1e-12); /* 55 */
    ASSERT_NEAR(r.apcer_max, 0.5, 1e-12);
    ASSERT_NEAR(r.acer, 0.5, 1e-12);
    eval_rates_at(set, NSET, 2, 61, &r);
    ASSERT_NEAR(r.apcer_max, 0.0, 1e-12);
    ASSERT_NEAR(r.bpcer, 0.5, 1e-12); /* 40 and refused */
}

/* The lowest threshold with every type's APCER <= target: 61 for 0
 * (print's 60 must go); 11 for 0.5 (print 60 and screen 55 stay: 1/2
 * each; at 10 both prints pass). */
TEST(eval_threshold_for_target_apcer)
{
    ASSERT_INT(eval_threshold_for_apcer(set, NSET, 2, 0.01), ==, 61);
    ASSERT_INT(eval_threshold_for_apcer(set, NSET, 2, 0.5), ==, 11);
}

/* EER: separated classes 0; bona {60, 40} against attacks {50, 30}: at
 * every threshold one of the two rates is at least 1/2, and 1/2 is reached
 * (at 50: APCER 1/2, BPCER 1/2). */
TEST(eval_eer_separated_and_overlapping)
{
    struct eval_sample sep[] = {{.type = -1, .s = 90}, {.type = 0, .s = 10}};
    ASSERT_NEAR(eval_eer(sep, 2, NULL), 0.0, 1e-12);
    struct eval_sample ov[] = {{.type = -1, .s = 60}, {.type = -1, .s = 40},
                               {.type = 0, .s = 50}, {.type = 0, .s = 30}};
    float at;
    ASSERT_NEAR(eval_eer(ov, 4, &at), 0.5, 1e-12);
    struct eval_sample one[] = {{.type = -1, .s = 60}};
    ASSERT_NEAR(eval_eer(one, 1, NULL), 1.0, 1e-12);
    /* DET points: thresholds 30, 40, 50, 60 and "nothing". */
    float thr[8], ap[8], bp[8];
    ASSERT_INT(eval_det_points(ov, 4, thr, ap, bp, 8), ==, 5);
    ASSERT_NEAR(ap[0], 1.0, 1e-6);
    ASSERT_NEAR(bp[0], 0.0, 1e-6);
    ASSERT_NEAR(ap[4], 0.0, 1e-6);
    ASSERT_NEAR(bp[4], 1.0, 1e-6);
}

/* Platt on separable, symmetric data: finite slope, zero intercept, and
 * probabilities pulled in towards the smoothed targets 3/4 and 1/4. */
TEST(eval_platt_fit_separable)
{
    float z[] = {-2, -1, 1, 2};
    bool live[] = {false, false, true, true};
    float a, b;
    ASSERT_INT(eval_platt_fit(z, live, 4, &a, &b), ==, 0);
    ASSERT(a > 0.0f && a < 10.0f);
    ASSERT_NEAR(b, 0.0, 1e-5);
    double p2 = 1.0 / (1.0 + exp(-(a * 2 + b)));
    ASSERT(p2 > 0.6 && p2 < 0.95);
    bool none[] = {false, false, false, false};
    ASSERT_INT(eval_platt_fit(z, none, 4, &a, &b), ==, LC_EINVAL);
}

TEST(eval_labels_csv)
{
    char dir[] = "/tmp/lc-t-eval-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char csv[64];
    snprintf(csv, sizeof csv, "%s/labels.csv", dir);
    FILE *f = fopen(csv, "w");
    ASSERT(f != NULL);
    fputs("identity,path,label,attack_type\r\n"
          "a,live/1.jpg,bona_fide,\r\n"
          "b,\"spoof/with,comma.jpg\",spoof,print\r\n"
          "c,/abs/x.png,spoof,replay_screen\r\n"
          "d,y.jpg,spoof,\r\n"
          "\r\n",
          f);
    fclose(f);
    struct eval_labels l = {0};
    struct lc_diag d = {{0}};
    ASSERT_INT(eval_labels_read(&l, csv, &d), ==, 0);
    ASSERT_INT(l.n, ==, 4);
    ASSERT_INT(l.ntypes, ==, 3);
    char want[128];
    snprintf(want, sizeof want, "%s/live/1.jpg", dir);
    ASSERT_STR(l.v[0].path, want);
    ASSERT_INT(l.v[0].type, ==, -1);
    snprintf(want, sizeof want, "%s/spoof/with,comma.jpg", dir);
    ASSERT_STR(l.v[1].path, want);
    ASSERT_STR(l.types[l.v[1].type], "print");
    ASSERT_STR(l.v[2].path, "/abs/x.png");
    ASSERT_STR(l.types[l.v[3].type], "unknown");
    f = fopen(csv, "w");
    fputs("path,label,attack_type\nx.jpg,live,\n", f);
    fclose(f);
    ASSERT_INT(eval_labels_read(&l, csv, &d), ==, LC_EFORMAT);
    ASSERT(strstr(d.msg, "neither bona_fide nor spoof") != NULL);
    f = fopen(csv, "w");
    fputs("file,label\nx.jpg,spoof\n", f);
    fclose(f);
    ASSERT_INT(eval_labels_read(&l, csv, &d), ==, LC_EFORMAT);
    eval_labels_release(&l);
    ASSERT_INT(l.n, ==, 0);
    unlink(csv);
    rmdir(dir);
}

/* The glyph '8' has 3+2+2+3+2+2+3 = 17 pixels lit; text of n characters
 * is 6n - 1 font pixels wide. The PNG reads back pixel for pixel. */
TEST(eval_plot_font_and_png)
{
    ASSERT_INT(plot_text_width("AB", 2), ==, 22);
    ASSERT_INT(plot_text_width("", 3), ==, 0);
    struct plot_canvas c;
    plot_init(&c, 20, 12, 0xffffff);
    plot_text(&c, 1, 1, "8", 0x000000, 1);
    int ink = 0;
    for (int i = 0; i < 20 * 12; i++)
        ink += c.px[3 * i] == 0;
    ASSERT_INT(ink, ==, 17);
    plot_line(&c, 0, 11, 19, 11, 0xff0000, 1, 0);
    char path[] = "/tmp/lc-t-plot-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    close(fd);
    ASSERT_INT(plot_png_write(&c, path), ==, 0);
    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    ASSERT_INT(media_file_read(path, 1 << 20, &buf, &n, &d), ==, 0);
    struct media_image im = {0};
    struct media_info info;
    ASSERT_INT(media_image_decode(&im, &info, buf, n, NULL, &d), ==, 0);
    free(buf);
    ASSERT_INT(im.w, ==, 20);
    ASSERT_INT(im.h, ==, 12);
    ASSERT(memcmp(im.px, c.px, 20 * 12 * 3) == 0);
    ASSERT_INT(im.px[3 * (11 * 20 + 5)], ==, 255);
    ASSERT_INT(im.px[3 * (11 * 20 + 5) + 1], ==, 0);
    media_image_release(&im);
    plot_release(&c);
    /* The whole figure, on the made-up set. */
    const char *names[] = {"PRINT", "SCREEN"};
    ASSERT_INT(eval_figure_write(path, "T", set, NSET, 2, names, 50), ==, 0);
    ASSERT_INT(media_file_read(path, 1 << 22, &buf, &n, &d), ==, 0);
    ASSERT_INT(media_image_probe(&info, buf, n, &d), ==, 0);
    ASSERT_INT(info.width, ==, 1000);
    free(buf);
    unlink(path);
}
