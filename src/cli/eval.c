/* src/cli/eval.c - `livecheck eval LABELS.csv...`: the engine over labelled
 * photos, with ISO/IEC 30107-3 error rates, per-file scores and a figure.
 *
 * Each CSV has a header naming at least the columns path, label
 * (bona_fide or spoof) and attack_type; paths are relative to the CSV's
 * directory (or absolute). Several CSVs are pooled (attack types by
 * name). Every photo goes through liveness_image_check with the input
 * policy off; the labels are read only by this file, after scoring, never
 * by the engine. What is printed and written lives in eval_report.c.
 *
 * --ablation scores once with every crop scale and cue computed, then
 * re-fuses the stored evidence under each variant (liveness_fuse is a pure
 * function), so variants are compared on exactly the same model outputs.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/eval_int.h"
#include "livecheck/mem.h"

/* ---- labels ---- */

static int labels_read(struct cli_eval_run *run, struct eval_labels *lab, const char *csv)
{
    struct lc_diag d = {{0}};
    int rc = eval_labels_read(lab, csv, &d);
    if (rc < 0)
        return cli_fail(rc == LC_EIO ? "error_file_unreadable" : "error_usage", "%s", d.msg);
    run->it = lc_realloc(run->it, (size_t)lab->n * sizeof *run->it);
    for (; run->n < lab->n; run->n++) {
        struct cli_eval_item *it = &run->it[run->n];
        memset(it, 0, sizeof *it);
        it->path = lab->v[run->n].path;
        it->type = lab->v[run->n].type;
    }
    memcpy(run->types, lab->types, sizeof run->types);
    run->ntypes = lab->ntypes;
    return CLI_OK;
}

/* ---- scoring ---- */

static int score_all(struct cli_eval_run *run, const struct cli_eval_opts *o)
{
    struct vision_models vm;
    struct vision_ctx *ctx;
    if (cli_vision_open(o->models, &vm, &ctx) != CLI_OK)
        return CLI_ERR;
    struct liveness_opts lo = {.no_policy = true};
    int status = CLI_OK;
    for (int i = 0; i < run->n && status == CLI_OK; i++) {
        struct cli_eval_item *it = &run->it[i];
        uint8_t *buf;
        size_t n;
        struct lc_diag d = {{0}};
        if (media_file_read(it->path, (size_t)256 << 20, &buf, &n, &d) < 0) {
            status = cli_fail("error_file_unreadable", "%s", d.msg);
            break;
        }
        int rc = liveness_image_check(ctx, &o->cfg, buf, n, &lo, &it->r);
        free(buf);
        if (rc < 0)
            status = cli_fail_outcome(LC_OUTCOME_INTERNAL, lc_strerror(rc));
    }
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}

/* The result of item i under config v, re-fused from the evidence scored
 * under config s (whose scales include v's). */
void cli_eval_refuse(const struct liveness_config *s,
                         const struct liveness_config *v,
                         const struct liveness_result *in,
                         struct liveness_result *out)
{
    *out = *in;
    if (in->outcome != LC_OUTCOME_OK)
        return;
    for (int k = 0; k < v->nscales; k++)
        for (int j = 0; j < s->nscales; j++)
            if (s->scales[j] == v->scales[k])
                out->p_live[k] = in->p_live[j];
    liveness_fuse(v, out);
}

void cli_eval_samples(const struct cli_eval_run *run, const struct liveness_config *s,
                       const struct liveness_config *v, struct eval_sample *es,
                       float *z, int *reviews)
{
    *reviews = 0;
    for (int i = 0; i < run->n; i++) {
        struct liveness_result r;
        cli_eval_refuse(s, v, &run->it[i].r, &r);
        es[i].type = run->it[i].type;
        es[i].refused = r.outcome != LC_OUTCOME_OK;
        es[i].score = r.score;
        es[i].s = 100.0f * r.p_fused;
        if (z)
            z[i] = r.z;
        *reviews += es[i].type < 0 && !es[i].refused && r.review_reason != NULL;
    }
}

/* ---- the command ---- */

static int parse_list(const char *s, float *v, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        v[n++] = strtof(s, &end);
        if (end == s)
            return -1;
        s = *end == ',' ? end + 1 : end;
    }
    return *s ? -1 : n;
}

static int parse_cues(const char *s, unsigned *out)
{
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    if (strcmp(s, "all") == 0) {
        *out = (1u << LIVENESS_CUE_COUNT) - 1;
        return 0;
    }
    *out = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = 0;
        int k = 0;
        while (k < LIVENESS_CUE_COUNT && strcmp(liveness_cue_key(k), tok) != 0)
            k++;
        if (k == LIVENESS_CUE_COUNT)
            return -1;
        *out |= 1u << k;
    }
    return 0;
}

static void mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0777);
            *p = '/';
        }
    mkdir(tmp, 0777);
}

static int parse_args(int argc, char **argv, struct cli_eval_opts *o)
{
    memset(o, 0, sizeof *o);
    liveness_config_default(&o->cfg);
    o->target = 0.01;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0)
            o->json = true;
        else if (strcmp(a, "--ablation") == 0)
            o->ablation = true;
        else if (strcmp(a, "--fit") == 0)
            o->fit = true;
        else if (strcmp(a, "--brief") == 0)
            o->brief = true;
        else if (strcmp(a, "--models") == 0 && val)
            o->models = argv[++i];
        else if (strcmp(a, "--out") == 0 && val)
            o->out = argv[++i];
        else if (strcmp(a, "--title") == 0 && val)
            o->title = argv[++i];
        else if (strcmp(a, "--threshold") == 0 && val)
            o->cfg.threshold = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--target-apcer") == 0 && val)
            o->target = strtod(argv[++i], NULL);
        else if (strcmp(a, "--cues") == 0 && val) {
            if (parse_cues(argv[++i], &o->cfg.cues) < 0)
                return cli_fail("error_usage", "--cues: a comma list of cue names, none or all");
        } else if (strcmp(a, "--scales") == 0 && val) {
            int k = parse_list(argv[++i], o->cfg.scales, LIVENESS_MAX_SCALES);
            if (k <= 0)
                return cli_fail("error_usage", "--scales: 1 to %d crop scales, e.g. 2.7,4.0",
                                LIVENESS_MAX_SCALES);
            o->cfg.nscales = k;
        } else if (a[0] != '-' && o->nlabels < 8)
            o->labels[o->nlabels++] = a;
        else
            return cli_fail("error_usage", "eval: unexpected argument '%s'", a);
    }
    if (o->nlabels == 0)
        return cli_fail("error_usage", "usage: livecheck eval LABELS.csv... [options]");
    if (o->cfg.threshold < 0 || o->cfg.threshold > 100 || o->target < 0 || o->target > 1)
        return cli_fail("error_usage", "--threshold must be 0..100, --target-apcer 0..1");
    return CLI_OK;
}

int cli_eval(int argc, char **argv)
{
    struct cli_eval_opts o;
    if (parse_args(argc, argv, &o) != CLI_OK)
        return CLI_ERR;
    static char title[128], outdir[PATH_MAX];
    if (o.title == NULL) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", o.labels[0]);
        snprintf(title, sizeof title, "%s", basename(dirname(tmp)));
        o.title = title;
    }
    if (o.out == NULL) {
        snprintf(outdir, sizeof outdir, "build/eval/%s", o.title);
        o.out = outdir;
    }
    struct cli_eval_run run = {0};
    struct eval_labels lab = {0};
    int status = CLI_OK;
    for (int i = 0; i < o.nlabels && status == CLI_OK; i++)
        status = labels_read(&run, &lab, o.labels[i]);
    if (status == CLI_OK && run.n == 0)
        status = cli_fail("error_usage", "no photos in the labels");
    /* Ablation scores every scale and cue once; the report re-fuses. */
    struct liveness_config scored = o.cfg;
    if (o.ablation) {
        scored.nscales = 3;
        scored.scales[0] = 2.7f;
        scored.scales[1] = 4.0f;
        scored.scales[2] = 1.0f;
        scored.cues = (1u << LIVENESS_CUE_COUNT) - 1;
        for (int k = 0; k < o.cfg.nscales; k++)
            if (o.cfg.scales[k] != 2.7f && o.cfg.scales[k] != 4.0f && o.cfg.scales[k] != 1.0f)
                status = cli_fail("error_usage", "--ablation compares crops 2.7, 4.0 and 1.0 only");
    }
    if (status == CLI_OK)
        status = score_all(&run, &(struct cli_eval_opts){.cfg = scored, .models = o.models});
    if (status != CLI_OK) {
        free(run.it);
        eval_labels_release(&lab);
        return status;
    }
    /* Keep each item's result as the configured engine gives it. */
    for (int i = 0; i < run.n; i++) {
        struct liveness_result r;
        cli_eval_refuse(&scored, &o.cfg, &run.it[i].r, &r);
        run.it[i].r = r;
    }
    struct eval_sample *es = lc_malloc((size_t)run.n * sizeof *es);
    float *z = lc_malloc((size_t)run.n * sizeof *z);
    int reviews;
    cli_eval_samples(&run, &o.cfg, &o.cfg, es, z, &reviews);
    struct cli_eval_summary sm;
    cli_eval_summarise(&run, &o, es, reviews, &sm);

    mkdir_p(o.out);
    char csv_out[PATH_MAX + 16], png_out[PATH_MAX + 16];
    snprintf(csv_out, sizeof csv_out, "%s/scores.csv", o.out);
    snprintf(png_out, sizeof png_out, "%s/plot.png", o.out);
    status = cli_eval_scores_write(&run, &o, csv_out);
    const char *names[EVAL_MAX_TYPES];
    char upper[EVAL_MAX_TYPES][48];
    for (int k = 0; k < run.ntypes; k++) {
        for (int j = 0; j < 48; j++)
            upper[k][j] = run.types[k][j] == '_' ? ' ' : run.types[k][j];
        names[k] = upper[k];
    }
    char ftitle[256];
    snprintf(ftitle, sizeof ftitle, "%s: APCER(MAX) %.1f%% BPCER %.1f%% EER %.1f%% T=%d",
             o.title, 100.0 * sm.at.apcer_max, 100.0 * sm.at.bpcer, 100.0 * sm.eer,
             o.cfg.threshold);
    if (status == CLI_OK &&
        eval_figure_write(png_out, ftitle, es, run.n, run.ntypes, names, o.cfg.threshold) < 0)
        status = cli_fail("error_file_unwritable", "%s: cannot write the figure", png_out);

    json_t *doc = cli_eval_json(&run, &o, es, &sm);
    cli_eval_extremes(doc, &sm);
    if (o.brief && !o.json)
        cli_eval_print_brief(&run, &o, &sm);
    else if (!o.json)
        cli_eval_print_text(&run, &o, es, &sm, csv_out, png_out);
    if (o.ablation)
        json_object_set_new(doc, "ablation", cli_eval_ablation(&run, &o, &scored));
    if (o.fit) {
        bool *live = lc_malloc((size_t)run.n * sizeof *live);
        int m = 0;
        for (int i = 0; i < run.n; i++)
            if (!es[i].refused) {
                z[m] = z[i];
                live[m++] = es[i].type < 0;
            }
        float a = 0, b = 0;
        if (eval_platt_fit(z, live, m, &a, &b) == 0) {
            json_object_set_new(doc, "fit", json_pack("{s:f, s:f}", "calib_a", (double)a,
                                                      "calib_b", (double)b));
            if (!o.json)
                printf("  Platt fit on z: calib_a %.4f, calib_b %.4f\n", (double)a, (double)b);
        }
        free(live);
    }
    if (o.json) {
        json_object_set_new(doc, "scores", json_string(csv_out));
        json_object_set_new(doc, "plot", json_string(png_out));
        cli_print(doc);
    } else {
        json_decref(doc);
    }
    free(es);
    free(z);
    free(run.it);
    eval_labels_release(&lab);
    return status;
}
