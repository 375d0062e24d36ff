/* Kaplan-Meier curves (Kaplan & Meier 1958) with Greenwood's (1926) variance, pointwise
 * intervals on the log, log-log or plain scale, and the median with its interval read off the
 * interval curves (Brookmeyer & Crowley 1982) as R's survfit / quantile.survfit report them. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "surv_internal.h"

static void curve_free(lt_km_curve *c)
{
    free(c->label);
    free(c->time); /* one block holds every per-time array */
}

void lt_km_free(lt_km *km)
{
    if (!km) return;
    for (size_t i = 0; i < km->ncurves; i++)
        curve_free(&km->curves[i]);
    free(km->curves);
    free(km);
}

/* Pointwise interval at one time (survfit's conf.type): S the estimate, s the SE of -log S. */
static void interval(lt_conf_type type, double z, double S, double s, double *lo, double *hi)
{
    if (!(S > 0) || !isfinite(s)) {
        /* S = 0 or an infinite variance: R reports NA (plain keeps S - z se when finite) */
        *lo = *hi = NAN;
        return;
    }
    switch (type) {
    case LT_CONF_LOG:
        *lo = exp(log(S) - z * s);
        *hi = fmin(1.0, exp(log(S) + z * s));
        break;
    case LT_CONF_LOGLOG:
        if (S >= 1) {
            *lo = *hi = NAN; /* log(-log 1) is undefined */
            break;
        }
        {
            /* on log(-log S) the SE is s / |log S| */
            double ll = log(-log(S)), w = z * s / log(S);
            *lo = exp(-exp(ll - w));
            *hi = exp(-exp(ll + w));
        }
        break;
    case LT_CONF_PLAIN:
        *lo = fmax(0.0, S - z * s * S);
        *hi = fmin(1.0, S + z * s * S);
        break;
    }
}

/* The first time a curve is at or below one half, R's rule for flat stretches: when the curve
 * sits at exactly 0.5 (within sqrt(DBL_EPSILON)) the answer is the midpoint between the time it
 * got there and the time it next drops below, or that first time when it never drops again.
 * NA values (undefined interval points) are skipped; NAN when never reached. */
static double first_half(const double *t, const double *y, size_t n)
{
    const double tol = sqrt(DBL_EPSILON), p = 0.5;
    size_t i = 0;
    while (i < n && !(y[i] <= p + tol))
        i++;
    if (i == n) return NAN;
    if (y[i] < p - tol) return t[i];
    for (size_t j = i + 1; j < n; j++)
        if (y[j] < p - tol) return (t[i] + t[j]) / 2;
    return t[i];
}

/* Fills one curve from m rows sorted by ascending time; tag bit 0 is the event flag. */
static lt_status fill_curve(const double *time, const uint32_t *tag, size_t m, lt_conf_type type,
                            double z, lt_km_curve *c, lt_error *err)
{
    size_t nt = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || time[i] != time[i - 1]) nt++;
    double *blk = malloc(9 * nt * sizeof *blk);
    if (!blk) LT_FAIL(err, LT_ENOMEM, "", "out of memory for a Kaplan-Meier curve");
    c->ntimes = nt;
    c->time = blk;
    c->n_risk = blk + nt;
    c->n_event = blk + 2 * nt;
    c->n_censor = blk + 3 * nt;
    c->surv = blk + 4 * nt;
    c->se_log = blk + 5 * nt;
    c->std_err = blk + 6 * nt;
    c->lower = blk + 7 * nt;
    c->upper = blk + 8 * nt;
    c->n = m;
    c->nevent = 0;
    c->conf_type = type;
    double S = 1, greenwood = 0;
    size_t k = 0, i = 0;
    while (i < m) {
        double t = time[i];
        size_t ev = 0, cens = 0, at_risk = m - i;
        while (i < m && time[i] == t) {
            if (tag[i] & 1)
                ev++;
            else
                cens++;
            i++;
        }
        if (ev) {
            S *= 1.0 - (double)ev / (double)at_risk;
            /* Greenwood: var(-log S) accumulates d / (n (n - d)); infinite once all die */
            greenwood +=
                at_risk > ev ? (double)ev / ((double)at_risk * (double)(at_risk - ev)) : INFINITY;
        }
        c->time[k] = t;
        c->n_risk[k] = (double)at_risk;
        c->n_event[k] = (double)ev;
        c->n_censor[k] = (double)cens;
        c->surv[k] = S;
        c->se_log[k] = sqrt(greenwood);
        c->std_err[k] = S * c->se_log[k];
        if (!isfinite(c->se_log[k])) c->std_err[k] = NAN;
        interval(type, z, S, c->se_log[k], &c->lower[k], &c->upper[k]);
        c->nevent += ev;
        k++;
    }
    c->median = first_half(c->time, c->surv, nt);
    /* the interval for the median: where the lower curve crosses gives its lower limit, the
     * upper curve (which lies above S and crosses later) its upper limit */
    c->median_lower = first_half(c->time, c->lower, nt);
    c->median_upper = first_half(c->time, c->upper, nt);
    return LT_OK;
}

static char *curve_label(const lt_surv_data *d, size_t g, size_t s)
{
    char gl[200], sl[200], buf[512];
    lt__level_label(d->group_labels, g, gl, sizeof gl);
    lt__level_label(d->stratum_labels, s, sl, sizeof sl);
    bool hg = d->ngroups > 1 || d->group_name, hs = d->nstrata > 1 || d->strata_name;
    if (hg && hs)
        snprintf(buf, sizeof buf, "%s=%s, %s=%s", d->group_name ? d->group_name : "group", gl,
                 d->strata_name ? d->strata_name : "strata", sl);
    else if (hg)
        snprintf(buf, sizeof buf, "%s=%s", d->group_name ? d->group_name : "group", gl);
    else if (hs)
        snprintf(buf, sizeof buf, "%s=%s", d->strata_name ? d->strata_name : "strata", sl);
    else
        snprintf(buf, sizeof buf, "all");
    return strdup(buf);
}

lt_status lt_km_fit(const lt_surv_data *d, lt_conf_type conf_type, double conf_level, lt_km **out,
                    lt_error *err)
{
    if (!d || d->n == 0) LT_FAIL(err, LT_EINVAL, "", "no rows to estimate a survival curve from");
    if (!(conf_level > 0 && conf_level < 1))
        LT_FAIL(err, LT_EINVAL, "", "expected a confidence level in (0, 1), found %g", conf_level);
    if (conf_type < LT_CONF_LOG || conf_type > LT_CONF_PLAIN)
        LT_FAIL(err, LT_EINVAL, "", "unknown confidence interval type %d", (int)conf_type);
    lt_status chk = lt__surv_check(d, err);
    if (chk) return chk;
    /* curve id = group * nstrata + stratum (group outermost, as R orders group + strata());
     * the sort is by curve, then time, so each curve's rows are contiguous */
    size_t nc = d->ngroups * d->nstrata;
    if (nc >= (1u << 31))
        LT_FAIL(err, LT_EINVAL, "", "too many curves: %zu groups x %zu strata", d->ngroups,
                d->nstrata);
    uint32_t *tag = malloc(d->n * sizeof *tag);
    if (!tag) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < d->n; i++)
        tag[i] = (uint32_t)(((size_t)d->group[i] * d->nstrata + (size_t)d->stratum[i]) << 1) |
                 (d->event[i] != 0);
    lt__surv_sorted srt;
    lt_status st = lt__surv_sort(d->time, tag, d->n, 1, &srt, err);
    free(tag);
    if (st) return st;
    size_t present = 0;
    for (size_t i = 0; i < d->n; i++)
        if (i == 0 || (srt.tag[i] >> 1) != (srt.tag[i - 1] >> 1)) present++;
    lt_km *km = calloc(1, sizeof *km);
    if (km) km->curves = calloc(present, sizeof *km->curves);
    if (!km || !km->curves) {
        free(km);
        lt__surv_sorted_free(&srt);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    km->conf_type = conf_type;
    km->conf_level = conf_level;
    double z = lt__norm_quantile(1 - (1 - conf_level) / 2);
    size_t i = 0;
    while (i < d->n && st == LT_OK) {
        uint32_t c = srt.tag[i] >> 1;
        size_t j = i;
        while (j < d->n && (srt.tag[j] >> 1) == c)
            j++;
        lt_km_curve *cv = &km->curves[km->ncurves];
        cv->group = (int)(c / d->nstrata);
        cv->stratum = (int)(c % d->nstrata);
        cv->label = curve_label(d, c / d->nstrata, c % d->nstrata);
        km->ncurves++;
        if (!cv->label)
            st = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        else
            st = fill_curve(srt.time + i, srt.tag + i, j - i, conf_type, z, cv, err);
        i = j;
    }
    lt__surv_sorted_free(&srt);
    if (st) {
        lt_km_free(km);
        return st;
    }
    *out = km;
    return LT_OK;
}

void lt_km_at(const lt_km_curve *c, double prev, double t, lt_km_point *out)
{
    lt_km_point p = {t, 0, 0, 1, 0, 1, 1};
    /* the last row at or before t carries the step function's value */
    size_t lo = 0, hi = c->ntimes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        size_t k = lo - 1;
        p.surv = c->surv[k];
        p.std_err = c->std_err[k];
        p.lower = c->lower[k];
        p.upper = c->upper[k];
    } else {
        /* before the first time the curve is 1 with no variance */
        interval(c->conf_type, 1.96, 1.0, 0.0, &p.lower, &p.upper);
    }
    /* at risk at t: those whose time is >= t, i.e. the first row at or after t */
    size_t first = 0;
    while (first < c->ntimes && c->time[first] < t)
        first++;
    p.n_risk = first < c->ntimes ? c->n_risk[first] : 0;
    for (size_t k = 0; k < c->ntimes && c->time[k] <= t; k++)
        if (c->time[k] > prev) p.n_event += c->n_event[k];
    *out = p;
}
