/* tests/unit/t_liveness.c - the engine's decisions on real labelled data:
 * the NUAA print-attack set (passive liveness) and the identity photos
 * (face match), both with the default configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/liveness.h"
#include "test.h"

static struct vision_models vm;
static struct vision_ctx *ctx;

static int open_engine(void)
{
    struct lc_diag d = {{0}};
    if (ctx)
        return 0;
    if (vision_models_load(&vm, test_models_dir(), &d) < 0) {
        test_fail(__FILE__, __LINE__, "models: %s", d.msg);
        return -1;
    }
    ctx = vision_ctx_new(&vm, NN_EXEC_FAST);
    return 0;
}

static int read_dev(const char *rel, uint8_t **buf, size_t *n)
{
    char path[512];
    struct lc_diag d = {{0}};
    snprintf(path, sizeof path, "%s/%s", test_dev_data(), rel);
    if (media_file_read(path, 64u << 20, buf, n, &d) < 0) {
        test_fail(__FILE__, __LINE__, "%s", d.msg);
        return -1;
    }
    return 0;
}

/* NUAA: 72 live, 72 printed photos. At most 5% of attacks accepted and at
 * most 5% of live photos rejected (a refusal of a live photo counts as a
 * rejection; a refusal of an attack is not an acceptance). */
TEST(liveness_nuaa_error_rates)
{
    ASSERT(open_engine() == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/nuaa/labels.csv", test_dev_data());
    FILE *f = fopen(path, "r");
    ASSERT(f != NULL);
    struct liveness_config cfg;
    liveness_config_default(&cfg);
    struct liveness_opts o = {.no_policy = true};
    int live = 0, live_rejected = 0, spoof = 0, spoof_accepted = 0;
    char line[512];
    if (fgets(line, sizeof line, f) == NULL) /* header */
        line[0] = 0;
    while (fgets(line, sizeof line, f)) {
        char *file = strtok(line, ",");
        char *label = strtok(NULL, ",");
        if (file == NULL || label == NULL)
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "nuaa/%s", file);
        uint8_t *buf;
        size_t n;
        if (read_dev(rel, &buf, &n) < 0)
            break;
        struct liveness_result r;
        int rc = liveness_image_check(ctx, &cfg, buf, n, &o, &r);
        free(buf);
        ASSERT_INT(rc, ==, 0);
        bool accepted = r.outcome == LC_OUTCOME_OK && r.live;
        if (strcmp(label, "bona_fide") == 0) {
            live++;
            live_rejected += !accepted;
        } else {
            spoof++;
            spoof_accepted += accepted;
        }
    }
    fclose(f);
    printf("    NUAA: %d/%d attacks accepted (APCER %.3f), %d/%d live rejected (BPCER %.3f)\n",
           spoof_accepted, spoof, (double)spoof_accepted / spoof, live_rejected, live,
           (double)live_rejected / live);
    ASSERT_INT(live, ==, 72);
    ASSERT_INT(spoof, ==, 72);
    ASSERT_INT(spoof_accepted * 100, <=, 5 * spoof);
    ASSERT_INT(live_rejected * 100, <=, 5 * live);
}

/* faces/: every same-identity pair matches, every different pair does not
 * (photos holding two faces are skipped: they have no identity). */
TEST(liveness_faces_match_pairs)
{
    ASSERT(open_engine() == 0);
    const char *files[] = {"biden-1.jpg", "biden-2.jpg", "kit-harington-1.jpg",
                           "kit-harington-2.jpg", "obama-1.jpg", "obama-1080p.jpg",
                           "obama-2.jpg", "rose-leslie-1.jpg", "rose-leslie-2.jpg"};
    const char *ids[] = {"biden", "biden", "kit", "kit", "obama", "obama",
                         "obama", "rose", "rose"};
    enum { NF = sizeof files / sizeof files[0] };
    static float emb[NF][VISION_EMBED_DIM];
    struct liveness_config cfg;
    liveness_config_default(&cfg);
    struct liveness_opts o = {.no_policy = true};
    for (int i = 0; i < NF; i++) {
        char rel[300];
        snprintf(rel, sizeof rel, "faces/%s", files[i]);
        uint8_t *buf;
        size_t n;
        ASSERT(read_dev(rel, &buf, &n) == 0);
        struct media_image img = {0};
        struct liveness_result r;
        float scale;
        int rc = liveness_face_find(ctx, &cfg, buf, n, &o, &img, &scale, &r);
        free(buf);
        ASSERT_INT(rc, ==, 0);
        if (r.outcome != LC_OUTCOME_OK) {
            test_fail(__FILE__, __LINE__, "%s: %s", files[i], lc_outcome_key(r.outcome));
            media_image_release(&img);
            return;
        }
        vision_face_embed(ctx, &img, &r.face, emb[i]);
        media_image_release(&img);
    }
    int same = 0, diff = 0;
    for (int i = 0; i < NF; i++)
        for (int j = i + 1; j < NF; j++) {
            int score = liveness_match_score(vision_embed_cosine(emb[i], emb[j]));
            bool match = score >= cfg.match_threshold;
            if (strcmp(ids[i], ids[j]) == 0) {
                same++;
                if (!match)
                    test_fail(__FILE__, __LINE__, "%s vs %s: score %d, no match",
                              files[i], files[j], score);
            } else {
                diff++;
                if (match)
                    test_fail(__FILE__, __LINE__, "%s vs %s: score %d, match",
                              files[i], files[j], score);
            }
        }
    ASSERT_INT(same, ==, 6);
    ASSERT_INT(diff, ==, 30);
}

/* The decision follows the configuration: threshold and grey band. */
TEST(liveness_threshold_and_review_band)
{
    ASSERT(open_engine() == 0);
    uint8_t *buf;
    size_t n;
    ASSERT(read_dev("nuaa/ClientRaw/0001_0001_00_00_01_0.jpg", &buf, &n) == 0);
    struct liveness_config cfg;
    liveness_config_default(&cfg);
    struct liveness_opts o = {.no_policy = true};
    struct liveness_result r;
    ASSERT_INT(liveness_image_check(ctx, &cfg, buf, n, &o, &r), ==, 0);
    ASSERT_INT(r.outcome, ==, LC_OUTCOME_OK);
    ASSERT(r.live);
    int score = r.score;
    cfg.threshold = score + 1 > 100 ? 100 : score + 1;
    if (score < 100) {
        ASSERT_INT(liveness_image_check(ctx, &cfg, buf, n, &o, &r), ==, 0);
        ASSERT(!r.live);
        ASSERT(r.review); /* one point from the threshold */
    }
    cfg.threshold = score - 20 < 0 ? 0 : score - 20;
    cfg.review_band = 5;
    ASSERT_INT(liveness_image_check(ctx, &cfg, buf, n, &o, &r), ==, 0);
    ASSERT(r.live);
    ASSERT(!r.review);
    free(buf);
}
