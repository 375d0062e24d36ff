/* The log-rank test (Mantel 1966; Peto & Peto 1972) as R's survdiff(rho = 0) computes it:
 * at each event time the observed deaths per group against their hypergeometric expectation,
 * summed over times and, for the stratified test, over strata. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "surv_internal.h"

void lt_logrank_free(lt_logrank *lr)
{
    if (!lr) return;
    free(lr->n);
    free(lr);
}

/* Accumulates n, O, E and V (k x k) over d. Preconditions: d->n > 0, k = d->ngroups.
 * With n_g at risk in group g, N = sum n_g, D deaths at a time, D_g of them in group g:
 * E_g += D n_g / N and V_gh += D (N - D) / (N - 1) * n_g / N * (delta_gh - n_h / N). */
static lt_status accumulate(const lt_surv_data *d, double *n, double *obs, double *exp_,
                            double *var, lt_error *err)
{
    size_t k = d->ngroups;
    lt_status chk = lt__surv_check(d, err);
    if (chk) return chk;
    /* tag: stratum (the sort's outer key), group, event flag */
    int gbits = lt__bits_for(k), sbits = lt__bits_for(d->nstrata);
    if (gbits + sbits + 1 > 32)
        LT_FAIL(err, LT_EINVAL, "", "too many groups x strata (%zu x %zu)", k, d->nstrata);
    uint32_t *tag = malloc(d->n * sizeof *tag);
    if (!tag) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < d->n; i++)
        tag[i] = ((uint32_t)d->stratum[i] << (gbits + 1)) | ((uint32_t)d->group[i] << 1) |
                 (d->event[i] != 0);
    lt__surv_sorted srt;
    lt_status st = lt__surv_sort(d->time, tag, d->n, gbits + 1, &srt, err);
    free(tag);
    if (st) return st;
    double *risk = calloc(2 * k, sizeof *risk);
    if (!risk) {
        lt__surv_sorted_free(&srt);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    double *deaths = risk + k;
    const double *time = srt.time;
    const uint32_t *tg = srt.tag;
    const uint32_t gmask = (1u << gbits) - 1;
    memset(n, 0, k * sizeof *n);
    memset(obs, 0, k * sizeof *obs);
    memset(exp_, 0, k * sizeof *exp_);
    memset(var, 0, k * k * sizeof *var);
    size_t i = 0;
    while (i < d->n) {
        /* one stratum: everybody in it is at risk at its first time */
        uint32_t s = tg[i] >> (gbits + 1);
        size_t end = i;
        memset(risk, 0, k * sizeof *risk);
        while (end < d->n && (tg[end] >> (gbits + 1)) == s)
            risk[(tg[end++] >> 1) & gmask] += 1;
        for (size_t g = 0; g < k; g++)
            n[g] += risk[g];
        double N = (double)(end - i);
        while (i < end) {
            double t = time[i];
            size_t j = i;
            double D = 0;
            memset(deaths, 0, k * sizeof *deaths);
            for (; j < end && time[j] == t; j++)
                if (tg[j] & 1) {
                    deaths[(tg[j] >> 1) & gmask] += 1;
                    D += 1;
                }
            if (D > 0) {
                for (size_t g = 0; g < k; g++) {
                    obs[g] += deaths[g];
                    exp_[g] += D * risk[g] / N;
                }
                if (N > 1) {
                    double f = D * (N - D) / (N - 1);
                    for (size_t g = 0; g < k; g++) {
                        if (risk[g] == 0) continue;
                        for (size_t h = 0; h < k; h++)
                            var[g * k + h] +=
                                f * risk[g] / N * ((g == h ? 1.0 : 0.0) - risk[h] / N);
                    }
                }
            }
            /* those with this time leave the risk set after it */
            N -= (double)(j - i);
            for (; i < j; i++)
                risk[(tg[i] >> 1) & gmask] -= 1;
        }
    }
    free(risk);
    lt__surv_sorted_free(&srt);
    return LT_OK;
}

lt_status lt_logrank_test(const lt_surv_data *d, lt_logrank **out, lt_error *err)
{
    if (!d || d->n == 0) LT_FAIL(err, LT_EINVAL, "", "no rows for a log-rank test");
    size_t k = d->ngroups;
    if (k < 2)
        LT_FAIL(err, LT_EINVAL, "--group",
                "the log-rank test compares groups: expected a group column with at least two "
                "levels, found %zu",
                k);
    lt_logrank *lr = calloc(1, sizeof *lr);
    double *blk = calloc(3 * k + k * k, sizeof *blk);
    if (!lr || !blk) {
        free(lr);
        free(blk);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    lr->ngroups = k;
    lr->n = blk;
    lr->observed = blk + k;
    lr->expected = blk + 2 * k;
    lr->var = blk + 3 * k;
    lt_status st = accumulate(d, lr->n, lr->observed, lr->expected, lr->var, err);
    if (st) {
        lt_logrank_free(lr);
        return st;
    }
    /* survdiff drops the first group (the vectors sum to zero) and inverts the rest,
     * generalised when a group has no information */
    size_t m = k - 1;
    double *diff = malloc(m * sizeof *diff), *v = malloc(m * m * sizeof *v);
    if (!diff || !v) {
        free(diff);
        free(v);
        lt_logrank_free(lr);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    for (size_t g = 0; g < m; g++) {
        diff[g] = lr->observed[g + 1] - lr->expected[g + 1];
        for (size_t h = 0; h < m; h++)
            v[g * m + h] = lr->var[(g + 1) * k + h + 1];
    }
    int rank;
    lr->chisq = lt__ginv_quadform(v, m, diff, &rank);
    free(diff);
    free(v);
    if (rank < 0) {
        lt_logrank_free(lr);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    int present = 0;
    for (size_t g = 0; g < k; g++)
        if (lr->expected[g] > 0) present++;
    lr->df = present - 1;
    if (lr->df < 1)
        lr->p = NAN;
    else
        lr->p = lt__chisq_q(lr->chisq, lr->df);
    *out = lr;
    return LT_OK;
}

lt_status lt_logrank_z(const lt_surv_data *d, double *z, lt_error *err)
{
    if (!d || d->n == 0) LT_FAIL(err, LT_EINVAL, "", "no rows for a log-rank test");
    if (d->ngroups != 2)
        LT_FAIL(err, LT_EINVAL, "",
                "expected two groups for a signed log-rank statistic, found %zu", d->ngroups);
    double n[2], o[2], e[2], v[4];
    lt_status st = accumulate(d, n, o, e, v, err);
    if (st) return st;
    if (!(v[3] > 0)) LT_FAIL(err, LT_ENUMERIC, "", "the log-rank variance is zero (no events)");
    *z = (o[1] - e[1]) / sqrt(v[3]);
    return LT_OK;
}
