/* src/cli/quality.c - `livecheck quality FILE [--parameter P]`: the image
 * quality scores of one photo, the same `data` object that
 * POST /v2/kyc/forensics/image_quality answers with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "livecheck/quality.h"

int cli_quality(int argc, char **argv)
{
    struct quality_config qc;
    const char *file = NULL, *models = NULL, *param = "all";
    quality_config_default(&qc);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parameter") == 0 && i + 1 < argc)
            param = argv[++i];
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_fail("error_usage", "quality: unexpected argument '%s'",
                            argv[i]);
    }
    if (file == NULL)
        return cli_fail("error_usage",
                        "usage: livecheck quality FILE [--parameter all|"
                        "sharpness|brightness|compressionQuality|textQuality]");
    unsigned sel = quality_param_parse(param);
    if (sel == 0)
        return cli_fail("error_invalid_quality_parameter",
                        "quality: --parameter is all, sharpness, brightness, "
                        "compressionQuality or textQuality, not '%s'",
                        param);
    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    if (media_file_read(file, qc.max_bytes, &buf, &n, &d) < 0)
        return cli_fail("error_file_unreadable", "%s", d.msg);
    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(models, &vm, &ctx) != CLI_OK) {
        free(buf);
        return CLI_ERR;
    }
    struct quality_result r;
    int rc = quality_image_check(ctx, &qc, buf, n, sel, &r);
    free(buf);
    int status = CLI_OK;
    if (rc < 0) {
        status = cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    } else if (r.outcome != LC_OUTCOME_OK) {
        status = cli_fail_outcome(r.outcome, r.reason);
    } else {
        char text[QUALITY_JSON_MAX];
        quality_data_json(&r, text, sizeof text);
        json_error_t je;
        json_t *v = json_loads(text, 0, &je);
        if (v == NULL)
            status = cli_fail("error_internal", "bad data JSON: %s", je.text);
        else {
            /* As cli_print, with short reals (the engine wrote few
             * decimals). */
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
