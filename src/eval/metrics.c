/* src/eval/metrics.c - ISO/IEC 30107-3 error rates, the equal-error rate,
 * the threshold for a target APCER, DET points and Platt calibration, on
 * scores that src/cli/eval.c collected. Pure functions; no allocation
 * beyond one sorted copy for the curves. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/err.h"
#include "livecheck/eval.h"
#include "livecheck/mem.h"

void eval_rates_at(const struct eval_sample *s, int n, int ntypes, int t,
                   struct eval_rates *r)
{
    memset(r, 0, sizeof *r);
    r->threshold = t;
    r->ntypes = ntypes;
    for (int i = 0; i < n; i++) {
        bool acc = !s[i].refused && s[i].score >= t;
        if (s[i].type < 0) {
            r->n_bona++;
            r->bona_rejected += !acc;
            r->bona_refused += s[i].refused;
        } else if (s[i].type < ntypes && s[i].type < EVAL_MAX_TYPES) {
            r->n_attack[s[i].type]++;
            r->attack_accepted[s[i].type] += acc;
        }
    }
    for (int k = 0; k < ntypes; k++) {
        r->apcer[k] = r->n_attack[k] ? (double)r->attack_accepted[k] / r->n_attack[k] : 0.0;
        if (r->apcer[k] > r->apcer_max)
            r->apcer_max = r->apcer[k];
    }
    r->bpcer = r->n_bona ? (double)r->bona_rejected / r->n_bona : 0.0;
    r->acer = (r->apcer_max + r->bpcer) / 2.0;
    int classified = r->n_bona - r->bona_refused;
    r->bpcer_classified =
        classified ? (double)(r->bona_rejected - r->bona_refused) / classified : 0.0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Refused samples score below everything: never accepted. */
static float curve_score(const struct eval_sample *s)
{
    return s->refused ? -1.0f : s->s;
}

int eval_det_points(const struct eval_sample *s, int n, float *thr,
                    float *apcer, float *bpcer, int max)
{
    int nb = 0, na = 0;
    float *v = lc_malloc(((size_t)n + 1) * sizeof *v);
    for (int i = 0; i < n; i++) {
        v[i] = curve_score(&s[i]);
        nb += s[i].type < 0;
        na += s[i].type >= 0;
    }
    v[n] = 1e9f; /* a threshold above everything: accept nothing */
    qsort(v, (size_t)n + 1, sizeof *v, cmp_float);
    int m = 0;
    for (int i = 0; i <= n && m < max; i++) {
        if (i > 0 && v[i] == v[i - 1])
            continue;
        int acc = 0, rej = 0;
        for (int j = 0; j < n; j++) {
            bool a = curve_score(&s[j]) >= v[i] && !s[j].refused;
            if (s[j].type < 0)
                rej += !a;
            else
                acc += a;
        }
        thr[m] = v[i];
        apcer[m] = na ? (float)acc / (float)na : 0.0f;
        bpcer[m] = nb ? (float)rej / (float)nb : 0.0f;
        m++;
    }
    free(v);
    return m;
}

double eval_eer(const struct eval_sample *s, int n, float *at)
{
    int nb = 0, na = 0;
    for (int i = 0; i < n; i++) {
        nb += s[i].type < 0;
        na += s[i].type >= 0;
    }
    if (nb == 0 || na == 0)
        return 1.0;
    float *thr = lc_malloc(((size_t)n + 1) * 3 * sizeof *thr);
    float *ap = thr + n + 1, *bp = ap + n + 1;
    int m = eval_det_points(s, n, thr, ap, bp, n + 1);
    double best = 2.0;
    float best_t = 0.0f;
    for (int i = 0; i < m; i++) {
        double e = fmax(ap[i], bp[i]);
        if (e < best) {
            best = e;
            best_t = thr[i];
        }
    }
    free(thr);
    if (at)
        *at = best_t;
    return best;
}

int eval_threshold_for_apcer(const struct eval_sample *s, int n, int ntypes,
                             double target)
{
    for (int t = 0; t <= 100; t++) {
        struct eval_rates r;
        eval_rates_at(s, n, ntypes, t, &r);
        if (r.apcer_max <= target + 1e-12)
            return t;
    }
    return 101;
}

int eval_platt_fit(const float *z, const bool *live, int n, float *a,
                   float *b)
{
    int np = 0, nn = 0;
    for (int i = 0; i < n; i++) {
        np += live[i];
        nn += !live[i];
    }
    if (np == 0 || nn == 0)
        return LC_EINVAL;
    double tp = (np + 1.0) / (np + 2.0), tn = 1.0 / (nn + 2.0);
    /* Newton's method on the cross-entropy in (A, B), p = sigma(A z + B),
     * with Platt's small ridge on the Hessian for stability. */
    double A = 0.0, B = log((nn + 1.0) / (np + 1.0)) * -1.0;
    for (int it = 0; it < 100; it++) {
        double g1 = 0, g2 = 0, h11 = 1e-9, h22 = 1e-9, h12 = 0;
        for (int i = 0; i < n; i++) {
            double t = live[i] ? tp : tn;
            double p = 1.0 / (1.0 + exp(-(A * z[i] + B)));
            double d = p - t, w = p * (1.0 - p);
            g1 += d * z[i];
            g2 += d;
            h11 += w * z[i] * z[i];
            h22 += w;
            h12 += w * z[i];
        }
        double det = h11 * h22 - h12 * h12;
        if (fabs(det) < 1e-18)
            break;
        double dA = (h22 * g1 - h12 * g2) / det;
        double dB = (h11 * g2 - h12 * g1) / det;
        A -= dA;
        B -= dB;
        if (fabs(dA) < 1e-9 && fabs(dB) < 1e-9)
            break;
    }
    *a = (float)A;
    *b = (float)B;
    return 0;
}
