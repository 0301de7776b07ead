/* src/eval/figure.c - the evaluation figure: score histograms per class
 * beside the DET curve, drawn with plot.c. Left: the share of each class
 * (bona fide, each attack type) per 5-point score bin, the decision
 * threshold dashed. Right: pooled APCER against BPCER on log axes from
 * 0.1% to 100% (a zero rate is drawn on the 0.1% edge), the diagonal
 * dashed, the operating point at the threshold as a box. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "livecheck/eval.h"
#include "livecheck/mem.h"

#define W 1000
#define H 530
#define INK 0x202020u
#define GRID 0xdddddd
#define NBIN 20

static const uint32_t colours[] = {0x2a9d4a, 0xd62728, 0x1f5fbf, 0xff7f0e,
                                   0x9467bd, 0x8c564b, 0xe377c2, 0x17becf,
                                   0x7f7f7f};

struct panel {
    int x, y, w, h; /* plot area in pixels */
};

static void frame(struct plot_canvas *c, const struct panel *p)
{
    plot_line(c, (float)p->x, (float)(p->y + p->h), (float)(p->x + p->w),
              (float)(p->y + p->h), INK, 1, 0);
    plot_line(c, (float)p->x, (float)p->y, (float)p->x, (float)(p->y + p->h),
              INK, 1, 0);
}

static void histogram(struct plot_canvas *c, const struct panel *p,
                      const struct eval_sample *s, int n, int ntypes,
                      int threshold)
{
    /* Shares per class and bin; class 0 is bona fide, 1.. attack types. */
    double share[EVAL_MAX_TYPES + 1][NBIN] = {{0}};
    int total[EVAL_MAX_TYPES + 1] = {0};
    for (int i = 0; i < n; i++) {
        int k = s[i].type + 1;
        if (k < 0 || k > ntypes || s[i].refused)
            continue;
        int b = (int)(s[i].s / (100.0f / NBIN));
        share[k][b < 0 ? 0 : b >= NBIN ? NBIN - 1 : b] += 1.0;
        total[k]++;
    }
    double top = 0.1;
    for (int k = 0; k <= ntypes; k++)
        for (int b = 0; b < NBIN; b++) {
            share[k][b] = total[k] ? share[k][b] / total[k] : 0.0;
            top = fmax(top, share[k][b]);
        }
    top = ceil(top * 5.0) / 5.0; /* 0.2 steps */
    char lab[32];
    for (int t = 0; t <= (int)lrint(top * 5.0); t++) {
        float y = (float)p->y + (float)p->h * (1.0f - (float)(t * 0.2 / top));
        plot_line(c, (float)p->x, y, (float)(p->x + p->w), y, GRID, 1, 0);
        snprintf(lab, sizeof lab, "%.1f", t * 0.2);
        plot_text(c, p->x - 6 - plot_text_width(lab, 2), (int)y - 7, lab, INK, 2);
    }
    for (int v = 0; v <= 100; v += 20) {
        float x = (float)p->x + (float)p->w * (float)v / 100.0f;
        snprintf(lab, sizeof lab, "%d", v);
        plot_text(c, (int)x - plot_text_width(lab, 2) / 2, p->y + p->h + 8, lab, INK, 2);
    }
    plot_text(c, p->x + p->w / 2 - plot_text_width("LIVENESS SCORE", 2) / 2,
              p->y + p->h + 30, "LIVENESS SCORE", INK, 2);
    plot_text(c, p->x - 40, p->y - 24, "SHARE OF CLASS", INK, 2);
    float bw = (float)p->w / NBIN;
    for (int k = 0; k <= ntypes; k++) {
        if (total[k] == 0)
            continue;
        float prev = (float)(p->y + p->h);
        uint32_t col = colours[k % 9];
        /* Offset each class by a pixel so that equal steps stay visible. */
        float off = (float)(k * 2);
        for (int b = 0; b < NBIN; b++) {
            float y = (float)p->y + (float)p->h * (float)(1.0 - share[k][b] / top);
            float x0 = (float)p->x + bw * (float)b + off, x1 = x0 + bw;
            plot_line(c, x0, prev, x0, y, col, 3, 0);
            plot_line(c, x0, y, x1, y, col, 3, 0);
            prev = y;
        }
        float xe = (float)p->x + (float)p->w + off;
        plot_line(c, xe, prev, xe, (float)(p->y + p->h), col, 3, 0);
    }
    float xt = (float)p->x + (float)p->w * (float)threshold / 100.0f;
    plot_line(c, xt, (float)p->y, xt, (float)(p->y + p->h), INK, 1, 6);
    snprintf(lab, sizeof lab, "T=%d", threshold);
    plot_text(c, (int)xt + 4, p->y + 4, lab, INK, 2);
    frame(c, p);
}

/* log10 of a rate on the DET axes, clamped to 0.1% .. 100%. */
static float det_pos(float rate)
{
    return (log10f(fmaxf(rate, 0.001f)) + 3.0f) / 3.0f;
}

static void det(struct plot_canvas *c, const struct panel *p,
                const struct eval_sample *s, int n, int ntypes, int threshold)
{
    static const char *const ticks[] = {"0.1", "1", "10", "100"};
    for (int t = 0; t < 4; t++) {
        float f = (float)t / 3.0f;
        float x = (float)p->x + (float)p->w * f;
        float y = (float)(p->y + p->h) - (float)p->h * f;
        plot_line(c, x, (float)p->y, x, (float)(p->y + p->h), GRID, 1, 0);
        plot_line(c, (float)p->x, y, (float)(p->x + p->w), y, GRID, 1, 0);
        plot_text(c, (int)x - plot_text_width(ticks[t], 2) / 2, p->y + p->h + 12,
                  ticks[t], INK, 2);
        plot_text(c, p->x - 6 - plot_text_width(ticks[t], 2), (int)y - 7, ticks[t], INK, 2);
    }
    plot_text(c, p->x + p->w / 2 - plot_text_width("APCER %, ALL ATTACKS", 2) / 2,
              p->y + p->h + 30, "APCER %, ALL ATTACKS", INK, 2);
    plot_text(c, p->x - 40, p->y - 24, "BPCER %", INK, 2);
    plot_line(c, (float)p->x, (float)(p->y + p->h), (float)(p->x + p->w),
              (float)p->y, GRID, 1, 4);
    float *thr = lc_malloc(((size_t)n + 1) * 3 * sizeof *thr);
    float *ap = thr + n + 1, *bp = ap + n + 1;
    int m = eval_det_points(s, n, thr, ap, bp, n + 1);
    float px = 0, py = 0;
    for (int i = 0; i < m; i++) {
        float x = (float)p->x + (float)p->w * det_pos(ap[i]);
        float y = (float)(p->y + p->h) - (float)p->h * det_pos(bp[i]);
        if (i > 0) {
            plot_line(c, px, py, x, py, INK, 3, 0);
            plot_line(c, x, py, x, y, INK, 3, 0);
        }
        px = x;
        py = y;
    }
    free(thr);
    struct eval_rates r;
    eval_rates_at(s, n, ntypes, threshold, &r);
    int pooled_acc = 0, pooled_n = 0;
    for (int k = 0; k < ntypes; k++) {
        pooled_acc += r.attack_accepted[k];
        pooled_n += r.n_attack[k];
    }
    float ox = (float)p->x + (float)p->w *
               det_pos(pooled_n ? (float)pooled_acc / (float)pooled_n : 0.0f);
    float oy = (float)(p->y + p->h) - (float)p->h * det_pos((float)r.bpcer);
    plot_fill(c, (int)ox - 6, (int)oy - 6, 13, 13, INK);
    plot_fill(c, (int)ox - 4, (int)oy - 4, 9, 9, 0xffffff);
    char lab[64];
    snprintf(lab, sizeof lab, "BOX: T=%d", threshold);
    plot_text(c, p->x + p->w - plot_text_width(lab, 2) - 4, p->y + 6, lab, INK, 2);
    frame(c, p);
}

int eval_figure_write(const char *path, const char *title,
                      const struct eval_sample *s, int n, int ntypes,
                      const char *const *names, int threshold)
{
    struct plot_canvas c;
    plot_init(&c, W, H, 0xffffff);
    plot_text(&c, 20, 14, title, INK, 3);
    struct panel hp = {90, 90, 380, 290}, dp = {600, 90, 360, 290};
    histogram(&c, &hp, s, n, ntypes, threshold);
    det(&c, &dp, s, n, ntypes, threshold);
    /* Legend: one swatch per class with its count and refusals, wrapped. */
    int x = 20, y = H - 70;
    for (int k = -1; k < ntypes; k++) {
        int cnt = 0, ref = 0;
        for (int i = 0; i < n; i++)
            if (s[i].type == k) {
                cnt++;
                ref += s[i].refused;
            }
        char lab[96];
        const char *name = k < 0 ? "BONA FIDE" : names[k];
        if (ref)
            snprintf(lab, sizeof lab, "%s %d (%d REFUSED)", name, cnt, ref);
        else
            snprintf(lab, sizeof lab, "%s %d", name, cnt);
        if (x + 26 + plot_text_width(lab, 2) > W - 10) {
            x = 20;
            y += 26;
        }
        plot_fill(&c, x, y + 2, 18, 10, colours[(k + 1) % 9]);
        x += 26 + plot_text(&c, x + 26, y, lab, INK, 2) + 30;
    }
    int rc = plot_png_write(&c, path);
    plot_release(&c);
    return rc;
}
