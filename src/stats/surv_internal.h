/* Internal helpers shared by the survival estimators (not part of the public API): the sort
 * order every estimator walks, and a few numeric helpers. */
#ifndef LT_SURV_INTERNAL_H
#define LT_SURV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "lutetia/stats.h"

/* Row indices ordered by stratum, then time ascending (stable), so each stratum's rows are
 * contiguous; *out is a malloc'ed array of d->n indices. O(n) radix passes: analysis files hold
 * ten million rows. */
lt_status lt__surv_order(const lt_surv_data *d, uint32_t **out, lt_error *err);

/* Sorts the indices idx[0..n) by key[idx] ascending, stable (LSD radix on the bits of the
 * non-negative doubles). */
lt_status lt__radix_sort_by_double(const double *key, uint32_t *idx, size_t n);

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
