/* bench/bench_video.c - the passive video check beside its decoding floor,
 * in process, on one clip.
 *
 *   build/bench-video [--runs N] [--models DIR] [--no-policy] FILE
 *
 * The clip is read once and the models loaded once. For each of N rounds
 * (default 5) it times, on CLOCK_MONOTONIC:
 *   decode    media_video_open + media_video_next over every frame, one
 *             decoder thread, no conversion: what FFmpeg alone needs (the
 *             floor the check cannot go below);
 *   check     liveness_video_check with the default configuration
 *             (decoding on a second thread, analysis on this one);
 *   inline    the same with the pipeline off (everything on one thread).
 * Every check must succeed (a refused clip measures nothing). Prints one
 * JSON line with the medians and the result of the last check:
 *   {"file":..,"runs":5,"frames":300,"samples":60,"decode_median_ms":..,
 *    "check_median_ms":..,"inline_median_ms":..,"ratio":..,
 *    "confidence":..,"models_load_ms":..}
 * ratio = check / decode. Performance is printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/media_video.h"
#include "livecheck/video.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static long decode_all(const uint8_t *buf, size_t n)
{
    media_video *v;
    struct lc_diag d = {{0}};
    if (media_video_open(&v, buf, n, NULL, &d) < 0) {
        fprintf(stderr, "bench-video: %s\n", d.msg);
        exit(1);
    }
    struct media_video_frame f;
    long k = 0;
    while (media_video_next(v, &f, &d) == 1)
        k++;
    media_video_close(v);
    return k;
}

int main(int argc, char **argv)
{
    int runs = 5;
    const char *models = "models", *file = NULL;
    struct liveness_video_opts o = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (strcmp(argv[i], "--no-policy") == 0)
            o.no_policy = true;
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else {
            fprintf(stderr, "usage: bench-video [--runs N] [--models DIR] "
                            "[--no-policy] FILE\n");
            return 2;
        }
    }
    if (file == NULL || runs < 1 || runs > 1000) {
        fprintf(stderr, "bench-video: a FILE and 1..1000 runs are needed\n");
        return 2;
    }
    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    if (media_file_read(file, (size_t)256 << 20, &buf, &n, &d) < 0) {
        fprintf(stderr, "bench-video: %s\n", d.msg);
        return 1;
    }
    struct vision_models vm;
    double t0 = now_ms();
    if (vision_models_load(&vm, models, &d) < 0) {
        fprintf(stderr, "bench-video: %s\n", d.msg);
        return 1;
    }
    double load_ms = now_ms() - t0;
    struct vision_ctx *ctx = vision_ctx_new(&vm, NN_EXEC_FAST);
    struct liveness_video_config c, ci;
    liveness_video_config_default(&c);
    ci = c;
    ci.pipeline = false;

    double *dec = calloc((size_t)runs, sizeof *dec);
    double *chk = calloc((size_t)runs, sizeof *chk);
    double *inl = calloc((size_t)runs, sizeof *inl);
    struct liveness_video_result r;
    long frames = decode_all(buf, n); /* warm-up: page cache, libraries */
    for (int i = 0; i < runs; i++) {
        t0 = now_ms();
        frames = decode_all(buf, n);
        dec[i] = now_ms() - t0;
        for (int k = 0; k < 2; k++) {
            t0 = now_ms();
            if (liveness_video_check(ctx, k ? &ci : &c, buf, n, &o, &r) < 0 ||
                r.outcome != LC_OUTCOME_OK) {
                fprintf(stderr, "bench-video: %s: %s\n",
                        lc_outcome_key(r.outcome), r.reason);
                return 1;
            }
            (k ? inl : chk)[i] = now_ms() - t0;
        }
    }
    double md = median(dec, runs), mc = median(chk, runs), mi = median(inl, runs);
    printf("{\"file\":\"%s\",\"runs\":%d,\"frames\":%ld,\"samples\":%d,"
           "\"width\":%d,\"height\":%d,\"duration_s\":%.2f,"
           "\"decode_median_ms\":%.1f,\"check_median_ms\":%.1f,"
           "\"inline_median_ms\":%.1f,\"ratio\":%.2f,\"confidence\":%.2f,"
           "\"models_load_ms\":%.1f}\n",
           file, runs, frames, r.cues.samples, r.info.width, r.info.height,
           r.info.duration, md, mc, mi, mc / md, (double)r.confidence, load_ms);
    free(dec);
    free(chk);
    free(inl);
    free(buf);
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return 0;
}
