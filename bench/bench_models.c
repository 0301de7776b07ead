/* bench/bench_models.c - single-thread latency of livecheck's own runtime
 * (NN_EXEC_FAST) on the six face models, the figures bench/run.sh sets
 * beside onnxruntime's (bench/ort_bench.js).
 *
 *   build/bench-models [--runs N] [--warmup W] [--models DIR] [--cpu C]
 *                      [MODEL...]
 *
 * MODEL is a name such as fr_detect (default: all six). The process pins
 * itself to one CPU (default 0; --cpu -1 leaves the affinity alone). Each
 * model gets one session, a fixed pseudo-random input (mulberry32 with the
 * seed ort_bench.js uses) scaled to the range its recipe in
 * ../shared/models.md feeds it, W warm-up runs (default 5), then N timed
 * nn_session_run calls (default 200) on CLOCK_MONOTONIC. Prints one JSON
 * line per model:
 *   {"model":"fr_detect","median_ms":1.93,"p90_ms":2.04,"min_ms":1.88,"runs":200,"macs":100418560,"runtime":"livecheck nn fast"}
 * The median is the lower middle value and p90 the nearest-rank 90th
 * percentile, as ort_bench.js computes them; macs is the model's
 * multiply-accumulates per inference (nn_model_mac_count), for run.sh's
 * roofline.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "livecheck/nn.h"
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

/* Nearest rank on sorted values, as ort_bench.js's quantile(). */
static double quantile(const double *sorted, int n, double q)
{
    double r = q * (double)n;
    int i = (int)r;
    if ((double)i < r)
        i++; /* ceil */
    i -= 1;
    if (i < 0)
        i = 0;
    if (i > n - 1)
        i = n - 1;
    return sorted[i];
}

/* mulberry32, the generator ort_bench.js uses, in [0, 1). */
static double rng_next(uint32_t *seed)
{
    *seed += 0x6D2B79F5u;
    uint32_t t = *seed;
    t = (t ^ (t >> 15)) * (1u | t);
    t = (t + ((t ^ (t >> 7)) * (61u | t))) ^ t;
    return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* The range each model's recipe feeds it (../shared/models.md). */
static void input_range(enum vision_model_id id, float *lo, float *hi)
{
    switch (id) {
    case VISION_DETECT:  /* (p-127)/128 */
    case VISION_FEATURE:
        *lo = -127.0f / 128.0f, *hi = 128.0f / 128.0f;
        break;
    case VISION_LANDMARK: /* p/256 */
        *lo = 0.0f, *hi = 255.0f / 256.0f;
        break;
    case VISION_LIVENESS: /* raw 0..255 */
        *lo = 0.0f, *hi = 255.0f;
        break;
    case VISION_EYE: /* p/255 */
        *lo = 0.0f, *hi = 1.0f;
        break;
    case VISION_POSE: /* ImageNet mean/std on p/255 */
        *lo = -2.12f, *hi = 2.64f;
        break;
    default:
        *lo = -1.0f, *hi = 1.0f;
    }
}

static void usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "bench-models: %s\n", msg);
    fprintf(stderr, "usage: bench-models [--runs N] [--warmup W] [--models DIR] "
                    "[--cpu C] [MODEL...]\n");
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

static int model_id(const char *name)
{
    size_t n = strlen(name);
    if (n > 5 && strcmp(name + n - 5, ".onnx") == 0)
        n -= 5;
    for (int i = 0; i < VISION_MODEL_COUNT; i++) {
        const char *f = vision_model_file((enum vision_model_id)i);
        if (strncmp(f, name, n) == 0 && strcmp(f + n, ".onnx") == 0)
            return i;
    }
    return -1;
}

int main(int argc, char **argv)
{
    int runs = 200, warmup = 5, cpu = 0;
    const char *dir = "models";
    bool want[VISION_MODEL_COUNT] = {0};
    bool any = false;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "--runs") == 0 || strcmp(k, "-n") == 0)
            runs = int_arg(argv[++i], k, 1);
        else if (strcmp(k, "--warmup") == 0)
            warmup = int_arg(argv[++i], k, 0);
        else if (strcmp(k, "--cpu") == 0)
            cpu = int_arg(argv[++i], k, -1);
        else if (strcmp(k, "--models") == 0 || strcmp(k, "--models-dir") == 0) {
            if ((dir = argv[++i]) == NULL)
                usage("--models wants a folder");
        } else if (strcmp(k, "-h") == 0 || strcmp(k, "--help") == 0)
            usage(NULL);
        else if (k[0] == '-') {
            char m[160];
            snprintf(m, sizeof m, "unknown option %.100s", k);
            usage(m);
        } else {
            int id = model_id(k);
            if (id < 0) {
                char m[160];
                snprintf(m, sizeof m, "unknown model %.100s", k);
                usage(m);
            }
            want[id] = any = true;
        }
    }
    if (!any)
        for (int i = 0; i < VISION_MODEL_COUNT; i++)
            want[i] = true;

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "bench-models: cannot pin to CPU %d: %s\n", cpu,
                    strerror(errno));
            return 1;
        }
    }

    struct vision_models vm;
    struct lc_diag d = {{0}};
    if (vision_models_load(&vm, dir, &d) < 0) {
        fprintf(stderr, "bench-models: cannot load the models from %s: %s "
                        "(run `make models`)\n", dir, d.msg);
        return 1;
    }
    double *ms = malloc((size_t)runs * sizeof *ms);
    if (ms == NULL) {
        fprintf(stderr, "bench-models: out of memory\n");
        return 1;
    }
    for (int id = 0; id < VISION_MODEL_COUNT; id++) {
        if (!want[id])
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s", vision_model_file((enum vision_model_id)id));
        char *dot = strrchr(name, '.');
        if (dot)
            *dot = '\0';

        nn_session *s = nn_session_new(vm.m[id], NN_EXEC_FAST);
        for (int k = 0; k < nn_model_input_count(vm.m[id]); k++) {
            struct nn_shape sh;
            float *in = nn_session_input(s, k, &sh);
            float lo, hi;
            input_range((enum vision_model_id)id, &lo, &hi);
            uint32_t seed = 0x11fe + (uint32_t)k;
            size_t n = nn_shape_numel(&sh);
            for (size_t j = 0; j < n; j++)
                in[j] = lo + (hi - lo) * (float)rng_next(&seed);
        }
        for (int r = 0; r < warmup; r++)
            nn_session_run(s);
        volatile float sink = 0.0f;
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms();
            nn_session_run(s);
            ms[r] = now_ms() - t0;
            sink += nn_session_output(s, 0, NULL)[0];
        }
        (void)sink;
        nn_session_free(s);
        qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
        printf("{\"model\":\"%s\",\"median_ms\":%.4f,\"p90_ms\":%.4f,"
               "\"min_ms\":%.4f,\"runs\":%d,\"macs\":%lld,"
               "\"runtime\":\"livecheck nn fast\"}\n",
               name, quantile(ms, runs, 0.5), quantile(ms, runs, 0.9), ms[0], runs,
               (long long)nn_model_mac_count(vm.m[id]));
        fflush(stdout);
    }
    free(ms);
    vision_models_release(&vm);
    return 0;
}
