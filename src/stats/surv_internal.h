/* Internal helpers shared by the survival estimators (not part of the public API): the sort
 * order every estimator walks, and a few numeric helpers. */
#ifndef LT_SURV_INTERNAL_H
#define LT_SURV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "lutetia/stats.h"

/* Rows sorted by an outer key, then time ascending (stable), with what the estimators read
 * carried along so that they walk memory in order instead of gathering through an index (ten
 * million rows: the gathers, not the arithmetic, dominated). tag[k] is the caller's 32-bit tag
 * of row idx[k]; the outer key is tag >> outer_shift (0 when outer_shift is 32). */
typedef struct lt__surv_sorted {
    size_t n;
    uint32_t *idx; /* [n] original row */
    double *time;  /* [n] its time */
    uint32_t *tag; /* [n] its tag */
} lt__surv_sorted;

/* tag may be NULL (all zero). O(n) radix passes with 11-bit digits. */
lt_status lt__surv_sort(const double *time, const uint32_t *tag, size_t n, int outer_shift,
                        lt__surv_sorted *out, lt_error *err);
void lt__surv_sorted_free(lt__surv_sorted *s);

/* Checks a data set the caller may have filled by hand before an estimator trusts it: times
 * finite and >= 0, events 0/1, group, stratum and cluster indices within their counts,
 * covariates finite. The error names the first bad row (0-based) and field. */
lt_status lt__surv_check(const lt_surv_data *d, lt_error *err);

/* malloc for the estimators' large per-row arrays, to be released with free(). A Cox fit at
 * a million rows touches some 90 MB of fresh memory, and page faults were 18% of the whole
 * command's profile (perf); arrays of 4 MiB and more are therefore aligned to 2 MiB and
 * marked for transparent huge pages (one fault per 2 MiB instead of 512, fewer TLB misses in
 * the radix scatter). Where huge pages are unavailable this is plain aligned memory. */
void *lt__big_alloc(size_t size);

/* Bits needed to hold values 0..k-1 (at least 1). */
int lt__bits_for(size_t k);

/* The label of level k of a factor: its name or, with no labels, k + 1 as R numbers levels. */
void lt__level_label(char *const *labels, size_t k, char *buf, size_t size);

/* Upper-tail probabilities and quantiles (GSL). */
double lt__chisq_q(double x, double df);
double lt__norm_2sided_p(double z);
double lt__norm_quantile(double p);

/* Solves the symmetric positive definite k x k system a x = b and returns the inverse of a in
 * inv (either may be NULL). a is left untouched. Returns false when a is not positive
 * definite (after dropping nothing: callers treat it as singular). */
bool lt__spd_solve(const double *a, size_t k, const double *b, double *x, double *inv);

/* Generalised inverse quadratic form x' A^- x as survdiff computes it: Cholesky with columns
 * whose pivot is tiny (relative 1e-9) skipped; *rank receives the rank. */
double lt__ginv_quadform(const double *a, size_t k, const double *x, int *rank);

#endif
