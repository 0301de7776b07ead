/* src/cli/active.c - `livecheck active FILE --challenge SPEC`: active video
 * liveness of a recording that answers a challenge, against up to
 * ACTIVE_REFS_MAX reference photos (embedded as `livecheck match` embeds
 * them). Prints liveness_active_json; --frames DIR also writes each
 * reference's best frame as DIR/best-N.jpg (N from 1, in --ref order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "livecheck/active.h"

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

int cli_active(int argc, char **argv)
{
    struct liveness_active_config cfg;
    const char *file = NULL, *models = NULL, *spec = NULL, *frames = NULL;
    const char *refs[ACTIVE_REFS_MAX];
    int nref = 0;
    liveness_active_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--challenge") == 0 && i + 1 < argc)
            spec = argv[++i];
        else if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc) {
            if (nref == ACTIVE_REFS_MAX)
                return cli_fail("error_usage", "at most %d --ref photos",
                                ACTIVE_REFS_MAX);
            refs[nref++] = argv[++i];
        } else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
            frames = argv[++i];
        else if (strcmp(argv[i], "--trace") == 0)
            cfg.trace = stderr;
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else
            return cli_fail("error_usage", "active: unexpected argument '%s'", argv[i]);
    }
    if (file == NULL || spec == NULL)
        return cli_fail("error_usage",
                        "usage: livecheck active FILE --challenge SPEC [options]");
    struct active_challenge ch;
    struct lc_diag d = {{0}};
    if (active_challenge_parse(&ch, spec, &d) < 0)
        return cli_fail("error_invalid_challenge", "--challenge: %s", d.msg);

    uint8_t *buf;
    size_t n;
    /* Read a little past the cap so that the policy can name the size. */
    int rc = media_file_read(file, cfg.max_bytes + 1, &buf, &n, &d);
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
    struct liveness_config lcfg;
    liveness_config_default(&lcfg);
    float emb[ACTIVE_REFS_MAX][VISION_EMBED_DIM];
    int status = CLI_OK;
    for (int i = 0; i < nref && status == CLI_OK; i++)
        status = cli_embed_file(ctx, &lcfg, refs[i], emb[i]);
    struct liveness_active_result r;
    memset(&r, 0, sizeof r);
    if (status == CLI_OK) {
        rc = liveness_active_check(ctx, &cfg, buf, n, &ch,
                                   (const float(*)[VISION_EMBED_DIM])emb, nref, &r);
        if (rc < 0)
            status = cli_fail_outcome(LC_OUTCOME_INTERNAL,
                                      r.reason[0] ? r.reason : lc_strerror(rc));
        else if (r.outcome != LC_OUTCOME_OK)
            status = cli_fail_outcome(r.outcome, r.reason);
    }
    for (int i = 0; status == CLI_OK && frames != NULL && i < r.nref; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/best-%d.jpg", frames, i + 1);
        if (r.ref[i].best_jpeg != NULL &&
            write_file(path, r.ref[i].best_jpeg, r.ref[i].best_jpeg_n) < 0)
            status = cli_fail("error_file_unwritable", "cannot write %s", path);
    }
    if (status == CLI_OK) {
        static char text[LIVENESS_ACTIVE_JSON_MAX];
        if (liveness_active_json(&r, &ch, text, sizeof text) == 0) {
            status = cli_fail("error_internal", "the result does not fit");
        } else {
            json_error_t je;
            json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
            if (v == NULL)
                status = cli_fail("error_internal", "bad result JSON: %s", je.text);
            else {
                /* As cli_print, with short reals (the engine wrote 3
                 * decimals). */
                char *t = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                            JSON_REAL_PRECISION(6));
                if (t)
                    puts(t);
                free(t);
                json_decref(v);
            }
        }
    }
    liveness_active_result_free(&r);
    free(buf);
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
