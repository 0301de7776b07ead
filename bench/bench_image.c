/* bench/bench_image.c - the passive image check end to end, in process:
 * liveness_image_check (input policy, decode, faces, liveness) with the
 * default configuration on one file, as `livecheck image FILE` runs it.
 *
 *   build/bench-image [--runs N] [--warmup W] [--models DIR] [--cpu C] FILE
 *
 * The file is read once; the models are loaded once (their load time is
 * reported apart). The process pins itself to one CPU (default 0; --cpu -1
 * leaves the affinity alone), runs W warm-up checks (default 5), then N
 * timed checks (default 100) on CLOCK_MONOTONIC. Every check must come out
 * LC_OUTCOME_OK, or the bench fails: a refused photo measures nothing.
 * Prints one JSON line:
 *   {"file":"x.jpg","runs":100,"median_ms":..,"p90_ms":..,"min_ms":..,
 *    "decode_median_ms":..,"faces_median_ms":..,"liveness_median_ms":..,
 *    "models_load_ms":..,"score":..,"live":true,"max_rss_kb":..}
 * decode/faces/liveness are the medians of struct liveness_result's own
 * timings (decode includes the header probe and the policy check).
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "livecheck/liveness.h"
#include "livecheck/media.h"
#include "livecheck/outcome.h"
#include "livecheck/vision.h"

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

/* Sorts v in place; nearest rank, as bench-models and ort_bench.js. */
static double quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double r = q * (double)n;
    int i = (int)r;
    if ((double)i < r)
        i++;
    i -= 1;
    if (i < 0)
        i = 0;
    if (i > n - 1)
        i = n - 1;
    return v[i];
}

static void usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "bench-image: %s\n", msg);
    fprintf(stderr, "usage: bench-image [--runs N] [--warmup W] [--models DIR] "
                    "[--cpu C] FILE\n");
    exit(2);
}

static int int_arg(const char *v, const char *name, int min)
{
    char *end;
    if (v == NULL)
        usage("an option wants a value");
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < min || x > 1000000) {
        char m[96];
        snprintf(m, sizeof m, "%s wants an integer >= %d", name, min);
        usage(m);
    }
    return (int)x;
}

/* The file name as a JSON string body: only the characters that need no
 * escaping are kept, which is all a bench's temp path holds. */
static void json_name(char *out, size_t cap, const char *s)
{
    size_t j = 0;
    for (; *s && j + 1 < cap; s++)
        if ((unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
            out[j++] = *s;
    out[j] = '\0';
}

int main(int argc, char **argv)
{
    int runs = 100, warmup = 5, cpu = 0;
    const char *dir = "models", *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "--runs") == 0 || strcmp(k, "-n") == 0)
            runs = int_arg(argv[++i], k, 1);
        else if (strcmp(k, "--warmup") == 0)
            warmup = int_arg(argv[++i], k, 0);
        else if (strcmp(k, "--cpu") == 0)
            cpu = int_arg(argv[++i], k, -1);
        else if (strcmp(k, "--models") == 0) {
            if ((dir = argv[++i]) == NULL)
                usage("--models wants a folder");
        } else if (strcmp(k, "-h") == 0 || strcmp(k, "--help") == 0)
            usage(NULL);
        else if (k[0] == '-') {
            char m[160];
            snprintf(m, sizeof m, "unknown option %.100s", k);
            usage(m);
        } else if (file == NULL)
            file = k;
        else
            usage("one FILE only");
    }
    if (file == NULL)
        usage("no FILE");

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "bench-image: cannot pin to CPU %d: %s\n", cpu,
                    strerror(errno));
            return 1;
        }
    }

    struct liveness_config cfg;
    struct liveness_opts o = {0}; /* the full input policy */
    liveness_config_default(&cfg);

    uint8_t *buf;
    size_t n;
    struct lc_diag d = {{0}};
    if (media_file_read(file, cfg.max_bytes + 1, &buf, &n, &d) < 0) {
        fprintf(stderr, "bench-image: %s: %s\n", file, d.msg);
        return 1;
    }
    struct vision_models vm;
    if (vision_models_load(&vm, dir, &d) < 0) {
        fprintf(stderr, "bench-image: cannot load the models from %s: %s "
                        "(run `make models`)\n", dir, d.msg);
        free(buf);
        return 1;
    }
    double load_ms = 0.0;
    for (int i = 0; i < VISION_MODEL_COUNT; i++)
        load_ms += vm.load_ms[i];
    struct vision_ctx *ctx = vision_ctx_new(&vm, NN_EXEC_FAST);

    double *t = malloc((size_t)runs * 4 * sizeof *t);
    if (t == NULL) {
        fprintf(stderr, "bench-image: out of memory\n");
        return 1;
    }
    double *tdec = t + runs, *tface = t + 2 * runs, *tlive = t + 3 * runs;
    struct liveness_result r;
    int status = 0;
    for (int i = -warmup; i < runs; i++) {
        double t0 = now_ms();
        int rc = liveness_image_check(ctx, &cfg, buf, n, &o, &r);
        double dt = now_ms() - t0;
        if (rc < 0 || r.outcome != LC_OUTCOME_OK) {
            fprintf(stderr, "bench-image: %s: %s%s%s\n", file,
                    rc < 0 ? lc_strerror(rc) : lc_outcome_key(r.outcome),
                    rc < 0 ? "" : ": ", rc < 0 ? "" : r.reason);
            status = 1;
            break;
        }
        if (i >= 0) {
            t[i] = dt;
            tdec[i] = r.ms_decode;
            tface[i] = r.ms_faces;
            tlive[i] = r.ms_liveness;
        }
    }
    if (status == 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        char name[512];
        json_name(name, sizeof name, file);
        double p90 = quantile(t, runs, 0.9);
        printf("{\"file\":\"%s\",\"width\":%d,\"height\":%d,\"runs\":%d,"
               "\"median_ms\":%.3f,\"p90_ms\":%.3f,\"min_ms\":%.3f,"
               "\"decode_median_ms\":%.3f,\"faces_median_ms\":%.3f,"
               "\"liveness_median_ms\":%.3f,\"models_load_ms\":%.3f,"
               "\"score\":%d,\"live\":%s,\"max_rss_kb\":%ld}\n",
               name, r.info.width, r.info.height, runs, quantile(t, runs, 0.5),
               p90, t[0], quantile(tdec, runs, 0.5), quantile(tface, runs, 0.5),
               quantile(tlive, runs, 0.5), load_ms, r.score,
               r.live ? "true" : "false", ru.ru_maxrss);
    }
    free(t);
    free(buf);
    vision_ctx_free(ctx);
    vision_models_release(&vm);
    return status;
}
