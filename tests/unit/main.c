/* tests/unit/main.c - runs the registered unit tests (see test.h). */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#define MAX_TESTS 1024

static struct {
    const char *name[MAX_TESTS];
    test_fn fn[MAX_TESTS];
    int n;
} g;

int test_failed;

void test_register(const char *name, test_fn fn)
{
    if (g.n < MAX_TESTS) {
        g.name[g.n] = name;
        g.fn[g.n] = fn;
        g.n++;
    }
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    test_failed = 1;
}

const char *test_dev_data(void)
{
    const char *p = getenv("LC_DEV_DATA");
    return p ? p : "../shared/data/dev";
}

const char *test_models_dir(void)
{
    const char *p = getenv("LC_MODELS");
    return p ? p : "models";
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < g.n; i++) {
        if (argc > 1 && strstr(g.name[i], argv[1]) == NULL)
            continue;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        test_failed = 0;
        g.fn[i]();
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        printf("%s %s (%.0f ms)\n", test_failed ? "FAIL" : "ok  ", g.name[i], ms);
        fflush(stdout);
        if (test_failed)
            failed++;
        else
            passed++;
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
