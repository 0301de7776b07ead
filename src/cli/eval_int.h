/* src/cli/eval_int.h - shared by eval.c (labels, scoring, the command)
 * and eval_report.c (summaries, text/JSON/CSV output, ablation). */
#ifndef LC_CLI_EVAL_INT_H
#define LC_CLI_EVAL_INT_H

#include "cli/cli.h"
#include "livecheck/eval.h"

struct cli_eval_item {
    const char *path; /* borrowed from the labels */
    int type;         /* -1 bona fide, else index into types */
    struct liveness_result r;
};

struct cli_eval_run {
    struct cli_eval_item *it;
    int n;
    char types[EVAL_MAX_TYPES][48];
    int ntypes;
};

struct cli_eval_opts {
    struct liveness_config cfg;
    const char *labels[8];
    int nlabels;
    const char *models, *out, *title;
    double target;
    bool json, ablation, fit, brief;
};

struct cli_eval_summary {
    struct eval_rates at;     /* at the decision threshold */
    int target_t;             /* threshold for the target APCER */
    struct eval_rates at_target;
    double eer;
    float eer_at;
    float bona_min, attack_max; /* continuous scores of scored samples */
    int reviews;
};

/* Evidence scored under config s (whose scales include v's) re-fused
 * under v, for one result. */
void cli_eval_refuse(const struct liveness_config *s,
                     const struct liveness_config *v,
                     const struct liveness_result *in,
                     struct liveness_result *out);
/* Every item as an eval_sample under v (z[i] the fused logit when z is
 * not NULL); *reviews counts bona fide photos sent to review for quality. */
void cli_eval_samples(const struct cli_eval_run *run, const struct liveness_config *s,
                      const struct liveness_config *v, struct eval_sample *es,
                      float *z, int *reviews);

/* eval_report.c: summaries and what is printed or written. */
void cli_eval_summarise(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                        const struct eval_sample *es, int reviews,
                        struct cli_eval_summary *sm);
void cli_eval_print_text(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                         const struct eval_sample *es, const struct cli_eval_summary *sm,
                         const char *csv_out, const char *png_out);
void cli_eval_print_brief(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                          const struct cli_eval_summary *sm);
json_t *cli_eval_json(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                      const struct eval_sample *es, const struct cli_eval_summary *sm);
void cli_eval_extremes(json_t *doc, const struct cli_eval_summary *sm);
int cli_eval_scores_write(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                          const char *path);
/* The ablation table (printed unless o->json) and its JSON rows. */
json_t *cli_eval_ablation(const struct cli_eval_run *run, const struct cli_eval_opts *o,
                          const struct liveness_config *scored);

#endif
