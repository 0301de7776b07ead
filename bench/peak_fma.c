/* bench/peak_fma.c - one core's fp32 FMA throughput: the roof of the
 * roofline bench/run.sh prints beside the models' figures.
 *
 *   build/peak-fma [--cpu C] [--isa avx512f|avx2|scalar]
 *
 * The process pins itself to CPU C (default 0; -1 leaves the affinity
 * alone). The widest kernel the CPU runs is chosen at run time
 * (__builtin_cpu_supports): AVX-512F (16 lanes), else AVX2+FMA (8 lanes),
 * else a scalar multiply-add loop; --isa picks one by hand. Each kernel
 * keeps 12 independent accumulators in registers (12 separate variables,
 * not an array, so that GCC does not keep them in memory at -O2), enough to
 * cover an FMA latency of 4-6 cycles on two FMA ports. The loop count is
 * grown until one run takes >= 0.3 s; the best of 3 runs is reported. One
 * MAC is one lane of one fused multiply-add. Prints one JSON line:
 *   {"isa":"avx512f","cpu":0,"gmacs":135.9,"ghz_est":4.25,"macs_per_cycle":32.0}
 * ghz_est is the clock estimated from a chain of dependent integer adds
 * (one cycle each, x86-64 only; 0 elsewhere), so macs_per_cycle says how
 * many FMA lanes the core retires per cycle (32 = two 512-bit FMA ports).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#define PEAK_X86 1
#include <immintrin.h>
#else
#define PEAK_X86 0
#endif

#define NACC 12
#define MIN_SECONDS 0.3
#define BEST_OF 3

/* The kernels' results land here, so that no loop is optimised away. */
static volatile float sink;
/* Read through volatile so the compiler cannot fold the recurrence. */
static volatile float mul_v = 0.99999994f, add_v = 1e-7f;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#if PEAK_X86
#define FMA12(f)                                                             \
    do {                                                                     \
        a0 = f(a0, m, c);                                                    \
        a1 = f(a1, m, c);                                                    \
        a2 = f(a2, m, c);                                                    \
        a3 = f(a3, m, c);                                                    \
        a4 = f(a4, m, c);                                                    \
        a5 = f(a5, m, c);                                                    \
        a6 = f(a6, m, c);                                                    \
        a7 = f(a7, m, c);                                                    \
        a8 = f(a8, m, c);                                                    \
        a9 = f(a9, m, c);                                                    \
        a10 = f(a10, m, c);                                                  \
        a11 = f(a11, m, c);                                                  \
    } while (0)

/* iters x 12 vfmadd on zmm registers: 192 MACs per iteration. */
__attribute__((target("avx512f"))) static void kern_avx512(long iters)
{
    const __m512 m = _mm512_set1_ps(mul_v), c = _mm512_set1_ps(add_v);
    __m512 a0 = _mm512_set1_ps(0.0f), a1 = _mm512_set1_ps(0.1f),
           a2 = _mm512_set1_ps(0.2f), a3 = _mm512_set1_ps(0.3f),
           a4 = _mm512_set1_ps(0.4f), a5 = _mm512_set1_ps(0.5f),
           a6 = _mm512_set1_ps(0.6f), a7 = _mm512_set1_ps(0.7f),
           a8 = _mm512_set1_ps(0.8f), a9 = _mm512_set1_ps(0.9f),
           a10 = _mm512_set1_ps(1.0f), a11 = _mm512_set1_ps(1.1f);
    for (long i = 0; i < iters; i++)
        FMA12(_mm512_fmadd_ps);
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    sink = _mm512_reduce_add_ps(s);
}

/* iters x 12 vfmadd on ymm registers: 96 MACs per iteration. */
__attribute__((target("avx2,fma"))) static void kern_avx2(long iters)
{
    const __m256 m = _mm256_set1_ps(mul_v), c = _mm256_set1_ps(add_v);
    __m256 a0 = _mm256_set1_ps(0.0f), a1 = _mm256_set1_ps(0.1f),
           a2 = _mm256_set1_ps(0.2f), a3 = _mm256_set1_ps(0.3f),
           a4 = _mm256_set1_ps(0.4f), a5 = _mm256_set1_ps(0.5f),
           a6 = _mm256_set1_ps(0.6f), a7 = _mm256_set1_ps(0.7f),
           a8 = _mm256_set1_ps(0.8f), a9 = _mm256_set1_ps(0.9f),
           a10 = _mm256_set1_ps(1.0f), a11 = _mm256_set1_ps(1.1f);
    for (long i = 0; i < iters; i++)
        FMA12(_mm256_fmadd_ps);
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float v[8];
    _mm256_storeu_ps(v, s);
    sink = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}
#endif

/* The fallback: 12 scalar multiply-adds per iteration (fused or not, as
 * the compiler and CPU allow). */
static void kern_scalar(long iters)
{
    const float m = mul_v, c = add_v;
    float a0 = 0.0f, a1 = 0.1f, a2 = 0.2f, a3 = 0.3f, a4 = 0.4f, a5 = 0.5f,
          a6 = 0.6f, a7 = 0.7f, a8 = 0.8f, a9 = 0.9f, a10 = 1.0f, a11 = 1.1f;
    for (long i = 0; i < iters; i++) {
        a0 = a0 * m + c;
        a1 = a1 * m + c;
        a2 = a2 * m + c;
        a3 = a3 * m + c;
        a4 = a4 * m + c;
        a5 = a5 * m + c;
        a6 = a6 * m + c;
        a7 = a7 * m + c;
        a8 = a8 * m + c;
        a9 = a9 * m + c;
        a10 = a10 * m + c;
        a11 = a11 * m + c;
    }
    sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
}

struct kernel {
    const char *isa;
    int per_iter; /* MACs (or, for the clock, adds) per loop iteration */
    void (*fn)(long iters);
};

static const struct kernel kernels[] = {
#if PEAK_X86
    {"avx512f", NACC * 16, kern_avx512},
    {"avx2", NACC * 8, kern_avx2},
#endif
    {"scalar", NACC, kern_scalar},
};
#define NKERNELS ((int)(sizeof kernels / sizeof kernels[0]))

static int supported(const struct kernel *k)
{
#if PEAK_X86
    __builtin_cpu_init();
    if (strcmp(k->isa, "avx512f") == 0)
        return __builtin_cpu_supports("avx512f");
    if (strcmp(k->isa, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return strcmp(k->isa, "scalar") == 0;
}

/* Seconds of one run of fn over iters. */
static double time_run(void (*fn)(long), long iters)
{
    double t0 = now_s();
    fn(iters);
    return now_s() - t0;
}

/* Best-of-3 G(MAC)/s of kernel k, each run >= MIN_SECONDS. */
static double measure(const struct kernel *k)
{
    long iters = 1L << 16;
    double t;
    while ((t = time_run(k->fn, iters)) < MIN_SECONDS / 4)
        iters *= 2;
    iters = (long)((double)iters * MIN_SECONDS / t * 1.1) + 1;
    double best = 0.0;
    for (int r = 0; r < BEST_OF; r++) {
        t = time_run(k->fn, iters);
        double g = (double)iters * k->per_iter / t / 1e9;
        if (g > best)
            best = g;
    }
    return best;
}

#if PEAK_X86
/* iters x 16 dependent one-cycle adds. */
static void add_chain(long iters)
{
    uint64_t x = (uint64_t)sink;
    for (long i = 0; i < iters; i++)
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                         : "+r"(x));
    sink = (float)x;
}

/* The clock in GHz: adds per second, best of 3 as for the kernels. */
static double measure_ghz(void)
{
    const struct kernel k = {"add", 16, add_chain};
    return measure(&k);
}
#else
static double measure_ghz(void) { return 0.0; }
#endif

static void usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "peak-fma: %s\n", msg);
    fprintf(stderr, "usage: peak-fma [--cpu C] [--isa avx512f|avx2|scalar]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int cpu = 0;
    const char *want = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || v < -1 || v > 65535)
                usage("--cpu wants a CPU number (or -1)");
            cpu = (int)v;
        } else if (strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
            want = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(NULL);
        } else {
            usage("unknown argument");
        }
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "peak-fma: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
            return 1;
        }
    }
    const struct kernel *k = NULL;
    for (int i = 0; i < NKERNELS && k == NULL; i++)
        if (want ? strcmp(kernels[i].isa, want) == 0 : supported(&kernels[i]))
            k = &kernels[i];
    if (k == NULL || !supported(k)) {
        fprintf(stderr, "peak-fma: ISA %s is not available here\n", want ? want : "?");
        return 1;
    }
    double gmacs = measure(k);
    double ghz = measure_ghz();
    printf("{\"isa\":\"%s\",\"cpu\":%d,\"gmacs\":%.1f,\"ghz_est\":%.2f,"
           "\"macs_per_cycle\":%.1f}\n",
           k->isa, cpu, gmacs, ghz, ghz > 0 ? gmacs / ghz : 0.0);
    return 0;
}
