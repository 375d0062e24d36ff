/* An exact (Clopper-Pearson 1934) confidence interval for a binomial proportion, as R's
 * binom.test gives it: the bounds are quantiles of beta distributions (GSL's inverse beta
 * CDF), lower = B(alpha/2; x, n - x + 1) and upper = B(1 - alpha/2; x + 1, n - x), with the
 * lower bound 0 when x = 0 and the upper 1 when x = n. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include "lutetia/stats.h"

lt_status lt_binom_exact_ci(long x, long n, double level, lt_binom_ci *out, lt_error *err)
{
    if (n < 1) LT_FAIL(err, LT_EINVAL, "n", "expected at least one patient, found %ld", n);
    if (x < 0 || x > n)
        LT_FAIL(err, LT_EINVAL, "x", "expected a count from 0 to %ld, found %ld", n, x);
    if (!(level > 0 && level < 1))
        LT_FAIL(err, LT_EINVAL, "level", "expected a confidence level between 0 and 1, found %g",
                level);
    double alpha = 1 - level;
    lt_binom_ci r = {.x = x, .n = n, .level = level, .estimate = (double)x / (double)n};
    r.lower = x == 0 ? 0 : gsl_cdf_beta_Pinv(alpha / 2, (double)x, (double)(n - x + 1));
    r.upper = x == n ? 1 : gsl_cdf_beta_Pinv(1 - alpha / 2, (double)(x + 1), (double)(n - x));
    if (!isfinite(r.lower) || !isfinite(r.upper))
        LT_FAIL(err, LT_ENUMERIC, "", "the exact interval of %ld of %ld did not compute", x, n);
    *out = r;
    return LT_OK;
}
