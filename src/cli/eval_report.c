/* src/cli/eval_report.c - what `livecheck eval` prints and writes: the
 * summary at the decision threshold (text, one line, or JSON), the
 * per-file scores CSV, and the ablation table that re-fuses the same model
 * outputs under each variant (before, crops, each cue alone, all cues). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eval_int.h"
#include "livecheck/mem.h"

/* ---- reports ---- */


void cli_eval_summarise(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                      const struct eval_sample *es, int reviews,
                      struct cli_eval_summary *sm)
{
    eval_rates_at(es, run->n, run->ntypes, o->cfg.threshold, &sm->at);
    sm->target_t = eval_threshold_for_apcer(es, run->n, run->ntypes, o->target);
    eval_rates_at(es, run->n, run->ntypes, sm->target_t, &sm->at_target);
    sm->eer = eval_eer(es, run->n, &sm->eer_at);
    sm->bona_min = 101.0f;
    sm->attack_max = -1.0f;
    for (int i = 0; i < run->n; i++) {
        if (es[i].refused)
            continue;
        if (es[i].type < 0 && es[i].s < sm->bona_min)
            sm->bona_min = es[i].s;
        if (es[i].type >= 0 && es[i].s > sm->attack_max)
            sm->attack_max = es[i].s;
    }
    sm->reviews = reviews;
}

static void cue_list(const struct liveness_config *c, char *buf, size_t n)
{
    buf[0] = 0;
    for (int i = 0; i < LIVENESS_CUE_COUNT; i++)
        if (c->cues & 1u << i) {
            size_t l = strlen(buf);
            snprintf(buf + l, n - l, "%s%s", l ? "," : "", liveness_cue_key(i));
        }
    if (buf[0] == 0)
        snprintf(buf, n, "none");
}

static void scale_list(const struct liveness_config *c, char *buf, size_t n)
{
    buf[0] = 0;
    for (int i = 0; i < c->nscales; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s%.1f", i ? "," : "", (double)c->scales[i]);
    }
}

static int refused_count(const struct cli_eval_run *run, const struct eval_sample *es,
                         int type)
{
    int k = 0;
    for (int i = 0; i < run->n; i++)
        k += es[i].type == type && es[i].refused;
    return k;
}

static bool both_classes(const struct eval_rates *r)
{
    int na = 0;
    for (int k = 0; k < r->ntypes; k++)
        na += r->n_attack[k];
    return r->n_bona > 0 && na > 0;
}

void cli_eval_print_text(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                       const struct eval_sample *es, const struct cli_eval_summary *sm,
                       const char *csv_out, const char *png_out)
{
    char cues[256], scales[64];
    cue_list(&o->cfg, cues, sizeof cues);
    scale_list(&o->cfg, scales, sizeof scales);
    printf("%s: %d photos; crops %s; cues %s\n", o->title, run->n, scales, cues);
    const struct eval_rates *r = &sm->at;
    printf("  at threshold %d:\n", r->threshold);
    for (int k = 0; k < run->ntypes; k++)
        printf("    APCER %-14s %6.2f%%  (%d/%d accepted, %d refused)\n", run->types[k],
               100.0 * r->apcer[k], r->attack_accepted[k], r->n_attack[k],
               refused_count(run, es, k));
    printf("    BPCER %-14s %6.2f%%  (%d/%d rejected: %d refused, %d of the rest"
           " sent to review for quality)\n",
           "", 100.0 * r->bpcer, r->bona_rejected, r->n_bona, refused_count(run, es, -1),
           sm->reviews);
    printf("    BPCER without refusals %4.2f%%  (over the %d bona fide photos the"
           " engine classified)\n",
           100.0 * r->bpcer_classified, r->n_bona - r->bona_refused);
    printf("    ACER                 %6.2f%%\n", 100.0 * r->acer);
    if (both_classes(r)) {
        printf("  EER %.2f%% (at score %.1f)\n", 100.0 * sm->eer, (double)sm->eer_at);
        printf("  threshold for APCER <= %.1f%% on every attack type: %d (BPCER there %.2f%%)\n",
               100.0 * o->target, sm->target_t, 100.0 * sm->at_target.bpcer);
    } else {
        printf("  EER and threshold: n/a (one class only)\n");
    }
    if (sm->bona_min <= 100.0f && sm->attack_max >= 0.0f)
        printf("  lowest bona fide score %.2f, highest attack score %.2f: %s\n",
               (double)sm->bona_min, (double)sm->attack_max,
               sm->bona_min > sm->attack_max ? "every attack below every bona fide photo"
                                             : "the classes overlap");
    printf("  per-file scores: %s\n  figure: %s\n", csv_out, png_out);
}

/* One line: rates at the threshold, refusals by key, quality reviews. */
void cli_eval_print_brief(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                        const struct cli_eval_summary *sm)
{
    const struct eval_rates *r = &sm->at;
    printf("%s: %d photos at threshold %d:", o->title, run->n, r->threshold);
    for (int k = 0; k < run->ntypes; k++)
        printf(" APCER %s %.1f%%", run->types[k], 100.0 * r->apcer[k]);
    if (r->n_bona)
        printf(" BPCER %.1f%% (%d/%d)", 100.0 * r->bpcer, r->bona_rejected, r->n_bona);
    int count[LC_OUTCOME_COUNT] = {0};
    for (int i = 0; i < run->n; i++)
        count[run->it[i].r.outcome]++;
    printf("; refused:");
    int any = 0;
    for (int k = 1; k < LC_OUTCOME_COUNT; k++)
        if (count[k]) {
            printf("%s %d %s", any++ ? "," : "", count[k], lc_outcome_key(k));
        }
    printf("%s; live photos sent to review for quality: %d\n", any ? "" : " none",
           sm->reviews);
}

json_t *cli_eval_json(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                            const struct eval_sample *es,
                            const struct cli_eval_summary *sm)
{
    json_t *ap = json_object(), *cnt = json_object(), *ref = json_object();
    json_object_set_new(cnt, "bona_fide", json_integer(sm->at.n_bona));
    json_object_set_new(ref, "bona_fide", json_integer(refused_count(run, es, -1)));
    for (int k = 0; k < run->ntypes; k++) {
        json_object_set_new(ap, run->types[k], json_real(sm->at.apcer[k]));
        json_object_set_new(cnt, run->types[k], json_integer(sm->at.n_attack[k]));
        json_object_set_new(ref, run->types[k], json_integer(refused_count(run, es, k)));
    }
    bool both = both_classes(&sm->at);
    return json_pack("{s:i, s:o, s:f, s:f, s:f, s:o, s:o, s:i, s:f, s:f, s:o, s:o, s:i}",
                     "n", run->n, "apcer", ap, "bpcer", sm->at.bpcer, "bpcer_classified",
                     sm->at.bpcer_classified, "acer", sm->at.acer, "eer",
                     both ? json_real(sm->eer) : json_null(), "threshold",
                     both ? json_integer(sm->target_t) : json_null(), "decision_threshold",
                     sm->at.threshold, "target_apcer", o->target, "bpcer_at_threshold",
                     sm->at_target.bpcer, "counts", cnt, "refused", ref,
                     "quality_reviews", sm->reviews);
}

/* The continuous scores at the edges of the two classes, when both have
 * scored photos: separated when bona_fide_min > attack_max. */
void cli_eval_extremes(json_t *doc, const struct cli_eval_summary *sm)
{
    if (sm->bona_min <= 100.0f)
        json_object_set_new(doc, "bona_fide_min", json_real(sm->bona_min));
    if (sm->attack_max >= 0.0f)
        json_object_set_new(doc, "attack_max", json_real(sm->attack_max));
}

int cli_eval_scores_write(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                        const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return cli_fail("error_file_unwritable", "%s: %s", path, strerror(errno));
    fprintf(f, "path,label,attack_type,outcome,score,p_fused,z");
    for (int k = 0; k < o->cfg.nscales; k++)
        fprintf(f, ",p_live_%.1f", (double)o->cfg.scales[k]);
    for (int k = 0; k < LIVENESS_CUE_COUNT; k++)
        fprintf(f, ",%s", liveness_cue_key(k));
    fprintf(f, ",quality,brightness,dark_clip,bright_clip,sharpness,face_px,outside,"
               "live,review\n");
    for (int i = 0; i < run->n; i++) {
        const struct cli_eval_item *it = &run->it[i];
        const struct liveness_result *r = &it->r;
        fprintf(f, "%s,%s,%s,%s", it->path, it->type < 0 ? "bona_fide" : "spoof",
                it->type < 0 ? "" : run->types[it->type], lc_outcome_key(r->outcome));
        if (r->outcome != LC_OUTCOME_OK) {
            fprintf(f, ",,,");
            for (int k = 0; k < o->cfg.nscales + LIVENESS_CUE_COUNT + 9; k++)
                fputc(',', f);
            fputc('\n', f);
            continue;
        }
        fprintf(f, ",%d,%.5f,%.4f", r->score, (double)r->p_fused, (double)r->z);
        for (int k = 0; k < o->cfg.nscales; k++)
            fprintf(f, ",%.5f", (double)r->p_live[k]);
        for (int k = 0; k < LIVENESS_CUE_COUNT; k++)
            fprintf(f, ",%.4f", (double)r->cue[k]);
        const struct liveness_quality *q = &r->quality;
        fprintf(f, ",%s,%.1f,%.4f,%.4f,%.4f,%.0f,%.4f,%s,%s\n",
                liveness_quality_key(q->issue), (double)q->brightness,
                (double)q->dark_clip, (double)q->bright_clip, (double)q->sharpness,
                (double)q->face_px, (double)q->outside, r->live ? "yes" : "no",
                r->review ? "yes" : "no");
    }
    return fclose(f) == 0 ? CLI_OK
                          : cli_fail("error_file_unwritable", "%s: write failed", path);
}

/* ---- ablation: the same evidence under each variant ---- */

struct variant {
    char name[48];
    struct liveness_config c;
};

static int variants_make(const struct cli_eval_opts *o, struct variant *v)
{
    static const float sets[][3] = {{2.7f, 0, 0}, {2.7f, 4.0f, 0}, {2.7f, 1.0f, 0},
                                    {2.7f, 4.0f, 1.0f}};
    static const int nset[] = {1, 2, 2, 3};
    int n = 0;
    /* The engine before cues and calibration: one crop, score = 100 p,
     * live at 50. */
    v[n].c = o->cfg;
    v[n].c.threshold = 50;
    v[n].c.cues = 0;
    v[n].c.nscales = 1;
    v[n].c.scales[0] = 2.7f;
    v[n].c.calib_a = 1.0f;
    v[n].c.calib_b = 0.0f;
    snprintf(v[n++].name, sizeof v[0].name, "before: 2.7 raw, T=50");
    for (int i = 0; i < 4; i++, n++) {
        v[n].c = o->cfg;
        v[n].c.cues = 0;
        v[n].c.nscales = nset[i];
        char sc[32] = "";
        for (int k = 0; k < nset[i]; k++) {
            v[n].c.scales[k] = sets[i][k];
            size_t l = strlen(sc);
            snprintf(sc + l, sizeof sc - l, "%s%.1f", k ? "+" : "", (double)sets[i][k]);
        }
        snprintf(v[n].name, sizeof v[n].name, "model %s", sc);
    }
    for (int k = 0; k < LIVENESS_CUE_COUNT; k++, n++) {
        v[n].c = o->cfg;
        v[n].c.cues = 1u << k;
        snprintf(v[n].name, sizeof v[n].name, "crops + %s", liveness_cue_key(k));
    }
    v[n].c = o->cfg;
    v[n].c.cues = (1u << LIVENESS_CUE_COUNT) - 1;
    snprintf(v[n++].name, sizeof v[0].name, "crops + all cues");
    v[n].c = o->cfg;
    snprintf(v[n++].name, sizeof v[0].name, "as configured");
    return n;
}

/* Smallest bona fide z minus largest attack z over scored photos: how far
 * apart the classes are (negative when they overlap). */
static float z_margin(const struct eval_sample *es, const float *z, int n)
{
    float lo = 1e9f, hi = -1e9f;
    for (int i = 0; i < n; i++) {
        if (es[i].refused)
            continue;
        if (es[i].type < 0)
            lo = z[i] < lo ? z[i] : lo;
        else
            hi = z[i] > hi ? z[i] : hi;
    }
    return lo < 1e9f && hi > -1e9f ? lo - hi : 0.0f;
}

json_t *cli_eval_ablation(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                        const struct liveness_config *scored)
{
    struct variant v[5 + LIVENESS_CUE_COUNT + 2];
    int nv = variants_make(o, v);
    struct eval_sample *es = lc_malloc((size_t)run->n * sizeof *es);
    float *z = lc_malloc((size_t)run->n * sizeof *z);
    json_t *rows = json_array();
    if (!o->json) {
        printf("  ablation (same model outputs, re-fused; z margin = lowest bona fide"
               " minus highest attack logit):\n    %-22s", "variant");
        for (int k = 0; k < run->ntypes; k++)
            printf(" %12.12s", run->types[k]);
        printf("   BPCER     EER  z margin  bona fide reviews\n");
    }
    for (int i = 0; i < nv; i++) {
        int reviews;
        cli_eval_samples(run, scored, &v[i].c, es, z, &reviews);
        struct eval_rates r;
        eval_rates_at(es, run->n, run->ntypes, v[i].c.threshold, &r);
        double eer = eval_eer(es, run->n, NULL);
        float margin = z_margin(es, z, run->n);
        json_t *ap = json_object();
        for (int k = 0; k < run->ntypes; k++)
            json_object_set_new(ap, run->types[k], json_real(r.apcer[k]));
        json_array_append_new(rows, json_pack("{s:s, s:o, s:f, s:f, s:f, s:i}", "variant",
                                              v[i].name, "apcer", ap, "bpcer", r.bpcer,
                                              "eer", eer, "z_margin", (double)margin,
                                              "quality_reviews", reviews));
        if (!o->json) {
            printf("    %-22s", v[i].name);
            for (int k = 0; k < run->ntypes; k++)
                printf(" %11.2f%%", 100.0 * r.apcer[k]);
            if (both_classes(&r))
                printf(" %6.2f%% %6.2f%% %9.2f %8d\n", 100.0 * r.bpcer, 100.0 * eer,
                       (double)margin, reviews);
            else
                printf(" %6.2f%%     n/a       n/a %8d\n", 100.0 * r.bpcer, reviews);
        }
    }
    free(es);
    free(z);
    return rows;
}
