/* tests/unit/test.h - a tiny test harness.
 *
 * A test is `TEST(name) { ... }` in any tests/unit/t_*.c file; it registers
 * itself at start-up. Assertions print both operands and end the test, not
 * the run. tests/unit/main.c runs every test (or those whose name contains
 * argv[1]) and prints "N passed, N failed".
 */
#ifndef LC_TEST_H
#define LC_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
extern int test_failed;

/* Root of ../shared/data/dev (env LC_DEV_DATA overrides). */
const char *test_dev_data(void);
/* Directory holding the models (env LC_MODELS, default "models"). */
const char *test_models_dir(void);

#define TEST(name)                                                       \
    static void test_##name(void);                                       \
    __attribute__((constructor)) static void test_reg_##name(void)       \
    {                                                                    \
        test_register(#name, test_##name);                               \
    }                                                                    \
    static void test_##name(void)

#define ASSERT(c)                                                        \
    do {                                                                 \
        if (!(c)) {                                                      \
            test_fail(__FILE__, __LINE__, "assertion failed: %s", #c);   \
            return;                                                      \
        }                                                                \
    } while (0)

#define ASSERT_INT(a, op, b)                                             \
    do {                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);              \
        if (!(a_ op b_)) {                                               \
            test_fail(__FILE__, __LINE__, "%s %s %s: %lld vs %lld", #a,  \
                      #op, #b, a_, b_);                                  \
            return;                                                      \
        }                                                                \
    } while (0)

#define ASSERT_NEAR(a, b, tol)                                           \
    do {                                                                 \
        double a_ = (double)(a), b_ = (double)(b);                       \
        if (!(fabs(a_ - b_) <= (tol))) {                                 \
            test_fail(__FILE__, __LINE__, "%s ~ %s: %.9g vs %.9g", #a,   \
                      #b, a_, b_);                                       \
            return;                                                      \
        }                                                                \
    } while (0)

#define ASSERT_STR(a, b)                                                 \
    do {                                                                 \
        const char *a_ = (a), *b_ = (b);                                 \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {           \
            test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"",  \
                      #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
            return;                                                      \
        }                                                                \
    } while (0)

#endif
