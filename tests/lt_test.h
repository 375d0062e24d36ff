/* A minimal unit-test harness: checks count passes and failures, print the place of each
 * failure, and lt_test_done() prints the closing "N passed, N failed" line and the exit code.
 * Numbers are compared with a stated relative tolerance, as GSL's gsl_test_rel does. */
#ifndef LT_TEST_H
#define LT_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int lt_test_passed, lt_test_failed;

#define LT_CHECK_AT(cond, file, line, ...)                                                     \
    do {                                                                                       \
        if (cond) {                                                                            \
            lt_test_passed++;                                                                  \
        } else {                                                                               \
            lt_test_failed++;                                                                  \
            printf("FAIL %s:%d: ", file, line);                                                \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
        }                                                                                      \
    } while (0)

#define CHECK(cond) LT_CHECK_AT((cond), __FILE__, __LINE__, "%s", #cond)
#define CHECK_MSG(cond, ...) LT_CHECK_AT((cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want)                                                                   \
    do {                                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);                               \
        LT_CHECK_AT(g_ == w_, __FILE__, __LINE__, "%s = %lld, expected %lld", #got, g_, w_);   \
    } while (0)
#define CHECK_STR(got, want)                                                                   \
    do {                                                                                       \
        const char *g_ = (got), *w_ = (want);                                                  \
        LT_CHECK_AT(g_ && w_ && strcmp(g_, w_) == 0, __FILE__, __LINE__,                       \
                    "%s = \"%s\", expected \"%s\"", #got, g_ ? g_ : "(null)",                  \
                    w_ ? w_ : "(null)");                                                       \
    } while (0)
/* |got - want| <= rel * |want| (or <= rel when want is 0) */
#define CHECK_REL(got, want, rel)                                                              \
    do {                                                                                       \
        double g_ = (got), w_ = (want), r_ = (rel);                                            \
        double tol_ = w_ == 0 ? r_ : r_ * fabs(w_);                                            \
        LT_CHECK_AT(fabs(g_ - w_) <= tol_, __FILE__, __LINE__,                                 \
                    "%s = %.10g, expected %.10g (relative tolerance %g)", #got, g_, w_, r_);   \
    } while (0)
#define CHECK_ABS(got, want, tol)                                                              \
    do {                                                                                       \
        double g_ = (got), w_ = (want), t_ = (tol);                                            \
        LT_CHECK_AT(fabs(g_ - w_) <= t_, __FILE__, __LINE__,                                   \
                    "%s = %.10g, expected %.10g (absolute tolerance %g)", #got, g_, w_, t_);   \
    } while (0)

static inline int lt_test_done(void)
{
    printf("%d passed, %d failed\n", lt_test_passed, lt_test_failed);
    return lt_test_failed ? 1 : 0;
}

#endif
