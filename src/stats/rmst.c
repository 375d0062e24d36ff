/* Restricted mean survival time: the area under each Kaplan-Meier curve up to tau
 * (Royston & Parmar 2013), with the Greenwood-type variance survival's print(fit, rmean = tau)
 * reports: sum over event times t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i)), A_i the area
 * under the curve from t_i to tau. Differences between curves are unpaired. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "surv_internal.h"

void lt_rmst_free(lt_rmst *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->ncurves; i++)
        free(r->curves[i].label);
    free(r->curves);
    free(r->diff);
    free(r);
}

/* Area and variance for one curve. The curve is 1 before its first time; times after tau
 * do not count. */
static void curve_rmst(const lt_km_curve *c, double tau, double *area, double *var)
{
    /* the area from each event time to tau, accumulated backwards */
    size_t m = 0;
    while (m < c->ntimes && c->time[m] <= tau)
        m++;
    double total = 0, v = 0, tail = 0;
    /* tail: area from time[k] to tau for the current k, walking down */
    for (size_t k = m; k-- > 0;) {
        double next = k + 1 < m ? c->time[k + 1] : tau;
        tail += c->surv[k] * (next - c->time[k]);
        if (c->n_event[k] > 0 && tail > 0) {
            double n = c->n_risk[k], d = c->n_event[k];
            v += n > d ? tail * tail * d / (n * (n - d)) : INFINITY;
        }
    }
    double first = m ? c->time[0] : tau;
    total = tail + first; /* S = 1 on [0, first time) */
    *area = total;
    *var = v;
}

lt_status lt_rmst_fit(const lt_km *km, double tau, lt_rmst **out, lt_error *err)
{
    if (!km || km->ncurves == 0) LT_FAIL(err, LT_EINVAL, "", "no survival curves");
    if (!(tau > 0) || !isfinite(tau))
        LT_FAIL(err, LT_EINVAL, "--tau", "expected a time horizon tau > 0, found %g", tau);
    size_t nc = km->ncurves;
    lt_rmst *r = calloc(1, sizeof *r);
    if (!r) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    r->curves = calloc(nc, sizeof *r->curves);
    r->diff = calloc(5 * nc, sizeof *r->diff);
    if (!r->curves || !r->diff) {
        lt_rmst_free(r);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    r->ncurves = nc;
    r->tau = tau;
    r->conf_level = km->conf_level;
    r->diff_se = r->diff + nc;
    r->diff_lower = r->diff + 2 * nc;
    r->diff_upper = r->diff + 3 * nc;
    r->diff_p = r->diff + 4 * nc;
    double z = lt__norm_quantile(1 - (1 - km->conf_level) / 2);
    for (size_t i = 0; i < nc; i++) {
        const lt_km_curve *c = &km->curves[i];
        lt_rmst_curve *rc = &r->curves[i];
        if (!(rc->label = strdup(c->label))) {
            lt_rmst_free(r);
            LT_FAIL(err, LT_ENOMEM, "", "out of memory");
        }
        double var;
        curve_rmst(c, tau, &rc->rmst, &var);
        rc->se = sqrt(var);
        rc->lower = rc->rmst - z * rc->se;
        rc->upper = rc->rmst + z * rc->se;
    }
    r->diff[0] = r->diff_se[0] = r->diff_lower[0] = r->diff_upper[0] = r->diff_p[0] = NAN;
    for (size_t i = 1; i < nc; i++) {
        double dif = r->curves[i].rmst - r->curves[0].rmst;
        double se = hypot(r->curves[i].se, r->curves[0].se);
        r->diff[i] = dif;
        r->diff_se[i] = se;
        r->diff_lower[i] = dif - z * se;
        r->diff_upper[i] = dif + z * se;
        r->diff_p[i] = lt__norm_2sided_p(dif / se);
    }
    *out = r;
    return LT_OK;
}
