/* src/cli/match.c - `livecheck match A B`: are two photos the same person? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Embed the one usable face of a file; returns CLI_OK or an exit status
 * after printing the error. */
static int embed_file(struct vision_ctx *ctx, const struct liveness_config *c,
                      const char *file, float emb[VISION_EMBED_DIM])
{
    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    int rc = media_file_read(file, (size_t)256 << 20, &buf, &n, &d);
    if (rc < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);
    struct liveness_opts o = {.no_policy = true};
    struct liveness_result r;
    struct media_image img = {0};
    float scale;
    rc = liveness_face_find(ctx, c, buf, n, &o, &img, &scale, &r);
    free(buf);
    int status = CLI_OK;
    if (rc < 0) {
        status = cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    } else if (r.outcome != LC_OUTCOME_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s: %s", file, r.reason);
        status = cli_fail_outcome(r.outcome, why);
    } else {
        vision_face_embed(ctx, &img, &r.face, emb);
    }
    media_image_release(&img);
    return status;
}

int cli_match(int argc, char **argv)
{
    struct liveness_config cfg;
    const char *files[2] = {NULL, NULL}, *models = NULL;
    int nf = 0;
    liveness_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc)
            cfg.match_threshold = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (argv[i][0] != '-' && nf < 2)
            files[nf++] = argv[i];
        else
            return cli_fail("error_usage", "match: unexpected argument '%s'", argv[i]);
    }
    if (nf != 2)
        return cli_fail("error_usage", "usage: livecheck match FILE_A FILE_B");
    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(models, &vm, &ctx) != CLI_OK)
        return CLI_ERR;
    float a[VISION_EMBED_DIM], b[VISION_EMBED_DIM];
    int status = embed_file(ctx, &cfg, files[0], a);
    if (status == CLI_OK)
        status = embed_file(ctx, &cfg, files[1], b);
    if (status == CLI_OK) {
        float cosine = vision_embed_cosine(a, b);
        int score = liveness_match_score(cosine);
        cli_print(json_pack("{s:i, s:f, s:s, s:i}", "matchScore", score, "cosine",
                            (double)cosine, "match",
                            score >= cfg.match_threshold ? "yes" : "no",
                            "threshold", cfg.match_threshold));
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
