/* src/cli/video.c - `livecheck video FILE`: passive video liveness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "livecheck/video.h"

/* Progress on stderr, about once a second of video, for clips over 3 s. */
static void progress(void *arg, double t, double duration)
{
    double *last = arg;
    if (duration <= 3.0 || t - *last < 1.0)
        return;
    *last = t;
    fprintf(stderr, "video: %.1f / %.1f s analysed\n", t, duration);
}

int cli_video(int argc, char **argv)
{
    struct liveness_video_config cfg;
    struct liveness_video_opts o = {0};
    const char *file = NULL, *models = NULL;
    bool timings = false;
    liveness_video_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-input-policy") == 0)
            o.no_policy = true;
        else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc)
            cfg.threshold = strtof(argv[++i], NULL);
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (strcmp(argv[i], "--trace") == 0)
            o.trace = stderr;
        else if (strcmp(argv[i], "--timings") == 0)
            timings = true;
        else if (strcmp(argv[i], "--no-pipeline") == 0)
            cfg.pipeline = false;
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_fail("error_usage", "video: unexpected argument '%s'", argv[i]);
    }
    if (file == NULL)
        return cli_fail("error_usage", "usage: livecheck video FILE [options]");
    if (!(cfg.threshold >= 0.0f && cfg.threshold <= 1.0f))
        return cli_fail("error_usage", "--threshold must be within 0..1");

    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    /* Read a little past the cap so that the policy can name the size. */
    size_t cap = o.no_policy ? ((size_t)256 << 20) : cfg.max_bytes + 1;
    int rc = media_file_read(file, cap, &buf, &n, &d);
    if (rc == LC_ETOOBIG)
        return cli_fail_outcome(LC_OUTCOME_VIDEO_TOO_LARGE, d.msg);
    if (rc < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);

    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(models, &vm, &ctx) != CLI_OK) {
        free(buf);
        return CLI_ERR;
    }
    double last = 0;
    o.progress = progress;
    o.progress_arg = &last;
    struct liveness_video_result r;
    rc = liveness_video_check(ctx, &cfg, buf, n, &o, &r);
    free(buf);
    int status = CLI_OK;
    if (rc < 0) {
        status = cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    } else if (r.outcome != LC_OUTCOME_OK) {
        status = cli_fail_outcome(r.outcome, r.reason);
    } else {
        char text[LIVENESS_VIDEO_JSON_MAX];
        liveness_video_data_json(&r, &cfg, text, sizeof text);
        json_error_t je;
        json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
        if (v == NULL) {
            status = cli_fail("error_internal", "bad data JSON: %s", je.text);
        } else {
            if (timings)
                json_object_set_new(
                    v, "timingsMs",
                    json_pack("{s:f, s:f, s:f, s:f}", "probe", r.ms_probe,
                              "decode", r.ms_decode, "analysis",
                              r.ms_analysis, "total", r.ms_total));
            /* As cli_print, with short reals (the engine wrote 3 decimals). */
            char *t = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(6));
            if (t)
                puts(t);
            free(t);
            json_decref(v);
        }
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
