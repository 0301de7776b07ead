/* src/cli/image.c - `livecheck image FILE`: passive image liveness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static json_t *face_json(const struct liveness_result *r, int nscales)
{
    const struct vision_face *f = &r->face;
    json_t *p = json_array();
    for (int i = 0; i < nscales; i++)
        json_array_append_new(p, json_real((double)r->p_live[i]));
    return json_pack("{s:[i,i,i,i], s:[i,i,i,i], s:f, s:o}", "box",
                     (int)f->sq[0], (int)f->sq[1], (int)f->sq[2], (int)f->sq[3],
                     "detectorBox", (int)f->box[0], (int)f->box[1],
                     (int)f->box[2], (int)f->box[3], "score", (double)f->score,
                     "pLive", p);
}

int cli_image(int argc, char **argv)
{
    struct liveness_config cfg;
    struct liveness_opts o = {0};
    const char *file = NULL, *models = NULL;
    liveness_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--skip-metadata-validation") == 0)
            o.skip_metadata = true;
        else if (strcmp(argv[i], "--no-input-policy") == 0)
            o.no_policy = true;
        else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc)
            cfg.threshold = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_fail("error_usage", "image: unexpected argument '%s'", argv[i]);
    }
    if (file == NULL)
        return cli_fail("error_usage", "usage: livecheck image FILE [options]");
    if (cfg.threshold < 0 || cfg.threshold > 100)
        return cli_fail("error_usage", "--threshold must be within 0..100");

    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    /* Read a little past the cap so that the policy can name the size. */
    size_t cap = o.no_policy ? ((size_t)256 << 20) : cfg.max_bytes + 1;
    int rc = media_file_read(file, cap, &buf, &n, &d);
    if (rc == LC_ETOOBIG)
        return cli_fail_outcome(LC_OUTCOME_IMAGE_TOO_LARGE, d.msg);
    if (rc < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);

    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(models, &vm, &ctx) != CLI_OK) {
        free(buf);
        return CLI_ERR;
    }
    struct liveness_result r;
    rc = liveness_image_check(ctx, &cfg, buf, n, &o, &r);
    free(buf);
    int status = CLI_OK;
    if (rc < 0)
        status = cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    else if (r.outcome != LC_OUTCOME_OK)
        status = cli_fail_outcome(r.outcome, r.reason);
    else {
        char score[8];
        snprintf(score, sizeof score, "%d", r.score);
        json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:i, s:i}, s:i, s:{s:f, s:f, s:f, s:f}}",
                            "status", "SUCCESS", "live", r.live ? "yes" : "no",
                            "livenessScore", score, "needToReview",
                            r.review ? "yes" : "no", "face", face_json(&r, cfg.nscales),
                            "image", "width", r.info.width, "height", r.info.height,
                            "threshold", cfg.threshold, "timingsMs", "decode",
                            r.ms_decode, "faces", r.ms_faces, "liveness",
                            r.ms_liveness, "cues", r.ms_cues);
        /* Why a photo went to review when the cause is its quality: the
         * person is asked to retake it, not called a spoof. */
        if (r.review_reason)
            json_object_set_new(out, "reviewReason", json_string(r.review_reason));
        json_t *cues = json_object();
        for (int i = 0; i < LIVENESS_CUE_COUNT; i++)
            if (cfg.cues & 1u << i)
                json_object_set_new(cues, liveness_cue_key(i), json_real(r.cue[i]));
        json_object_set_new(out, "cues", cues);
        json_object_set_new(out, "quality",
                            json_pack("{s:s, s:f, s:f, s:f}", "issue",
                                      liveness_quality_key(r.quality.issue), "brightness",
                                      (double)r.quality.brightness, "sharpness",
                                      (double)r.quality.sharpness, "facePx",
                                      (double)r.quality.face_px));
        cli_print(out);
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
