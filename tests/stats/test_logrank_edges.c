/* The log-rank test at its smallest risk sets, worked by hand (Mantel-Haenszel; the variance
 * term of a death time is D (N - D) / (N - 1) x n_g / N x (1 - n_g / N)), so that a change
 * to the step with two at risk cannot pass unnoticed (make mutate, scripts/mutants.txt).
 * A: deaths at 1 and 3; B: censored at 2, death at 4.
 *   t=1: N=4 (2, 2), D=1 in A: E_A 0.5, V 1 x 3/3 x 1/2 x 1/2 = 0.25
 *   t=3: N=2 (1, 1), D=1 in A: E_A 0.5, V 1 x 1/1 x 1/2 x 1/2 = 0.25
 *   t=4: N=1 (0, 1), D=1 in B: E_A 0,   V 0 (one at risk)
 * O_A 2, E_A 1, V 0.5: chi-square (2 - 1)^2 / 0.5 = 2, as R's survdiff gives. */
#include <stdlib.h>
#include "lt_test.h"
#include "lutetia.h"

int main(void)
{
    lt_surv_data *d = NULL;
    lt_error err;
    if (lt_surv_data_new(4, 0, &d, &err) != LT_OK) {
        CHECK_MSG(0, "%s", err.message);
        return lt_test_done();
    }
    const double time[] = {1, 3, 2, 4};
    const int event[] = {1, 1, 0, 1}, group[] = {0, 0, 1, 1};
    for (int i = 0; i < 4; i++) {
        d->time[i] = time[i];
        d->event[i] = event[i];
        d->group[i] = group[i];
    }
    d->ngroups = 2;
    lt_logrank *lr = NULL;
    CHECK_INT(lt_logrank_test(d, &lr, &err), LT_OK);
    if (lr) {
        CHECK_REL(lr->observed[0], 2, 1e-12);
        CHECK_REL(lr->expected[0], 1, 1e-12);
        CHECK_REL(lr->var[0], 0.5, 1e-12);
        CHECK_REL(lr->chisq, 2, 1e-12);
        CHECK_INT(lr->df, 1);
    }
    lt_logrank_free(lr);
    lt_surv_data_free(d);
    return lt_test_done();
}
