/* src/cli/match.c - `livecheck match A B`: are two photos the same person?
 * The same engine calls and the same `data` object as
 * POST /v2/kyc/forensics/face_match (liveness_match_embed,
 * liveness_match_percent, liveness_match_decide), so both give the same
 * score and decision for a pair; its output keeps the engine's fields
 * (matchScore, cosine, match yes/no) and adds the endpoint's percent
 * string as matchPercent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_embed_file(struct vision_ctx *ctx, const struct liveness_config *c,
                   const char *file, float emb[VISION_EMBED_DIM])
{
    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    int rc = media_file_read(file, (size_t)256 << 20, &buf, &n, &d);
    if (rc < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);
    struct liveness_result r;
    rc = liveness_match_embed(ctx, c, buf, n, emb, &r);
    free(buf);
    if (rc < 0)
        return cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    if (r.outcome != LC_OUTCOME_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s: %s", file, r.reason);
        return cli_fail_outcome(r.outcome, why);
    }
    return CLI_OK;
}

int cli_match(int argc, char **argv)
{
    struct liveness_config cfg;
    const char *files[2] = {NULL, NULL}, *models = NULL;
    int nf = 0;
    liveness_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || t < 5 || t > 95)
                return cli_fail("error_invalid_threshold",
                                "Threshold can't be greater than 95 or less "
                                "than 5 (not '%s').", argv[i]);
            cfg.match_threshold = (int)t;
        } else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc) {
            models = argv[++i];
        } else if (argv[i][0] != '-' && nf < 2) {
            files[nf++] = argv[i];
        } else {
            return cli_fail("error_usage", "match: unexpected argument '%s'", argv[i]);
        }
    }
    if (nf != 2)
        return cli_fail("error_usage", "usage: livecheck match FILE_A FILE_B");
    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(models, &vm, &ctx) != CLI_OK)
        return CLI_ERR;
    float a[VISION_EMBED_DIM], b[VISION_EMBED_DIM];
    int status = cli_embed_file(ctx, &cfg, files[0], a);
    if (status == CLI_OK)
        status = cli_embed_file(ctx, &cfg, files[1], b);
    if (status == CLI_OK) {
        /* The engine-issue fields (matchScore 0..100, cosine, match yes/no)
         * and the endpoint's percent string, from the same mapping and
         * decision as POST /v2/kyc/forensics/face_match. */
        float cosine = vision_embed_cosine(a, b);
        double pct = liveness_match_percent(cosine);
        char text[32];
        snprintf(text, sizeof text, "%.2f%%", pct);
        json_t *v = json_pack("{s:f, s:f, s:s, s:s, s:i}", "matchScore", pct,
                              "cosine", (double)cosine, "match",
                              liveness_match_decide(pct, cfg.match_threshold)
                                  ? "yes"
                                  : "no",
                              "matchPercent", text, "threshold",
                              cfg.match_threshold);
        char *t = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                    JSON_REAL_PRECISION(6));
        if (t)
            puts(t);
        free(t);
        json_decref(v);
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
