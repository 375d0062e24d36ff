/* Survival estimation: the survival data set (read from CSV or filled by the caller),
 * Kaplan-Meier curves, the (stratified) log-rank test, Cox proportional hazards and the
 * restricted mean survival time. Results follow R's survival package (3.5) and are validated
 * against it; the design half of the module (sample size, simulation) is in design.h.
 *
 * Every result struct is public and read-only for callers and owns all its arrays and strings;
 * free it with its lt_x_free (NULL is harmless). Functions that allocate hand ownership to the
 * caller through an `**out` parameter, which is untouched on failure. */
#ifndef LUTETIA_STATS_H
#define LUTETIA_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "status.h"

/* ---------------------------------------------------------------------------------------- */
/* The survival data set */

/* One row per subject: follow-up time and event flag, an optional group (the comparison, e.g.
 * the arm), an optional stratum, p numeric covariates and an optional cluster id. Callers who
 * simulate data fill a set made by lt_surv_data_new directly. */
typedef struct lt_surv_data {
    size_t n;        /* rows kept */
    size_t ndropped; /* rows dropped for a missing value in a used column (as R's na.omit) */
    double *time;    /* [n] follow-up time, finite and >= 0 */
    int *event;      /* [n] 1 event, 0 censored */
    int *group;      /* [n] group index in [0, ngroups); all 0 when there is no group */
    int *stratum;    /* [n] stratum index in [0, nstrata); all 0 when there are no strata */
    int *cluster;    /* [n] cluster index in [0, nclusters), or NULL: no clustering */
    double *x;       /* [n * p] covariates, row-major (row i at x + i * p); NULL when p = 0 */
    size_t p;        /* number of covariates */
    size_t ngroups, nstrata, nclusters;
    char *group_name; /* column names, or NULL when not used */
    char *strata_name;
    char **group_labels;    /* [ngroups] level labels ("1", "2", "lutetium"), or NULL */
    char **stratum_labels;  /* [nstrata] or NULL */
    char **covariate_names; /* [p] or NULL */
} lt_surv_data;

/* Which columns of a CSV file to use. NULL group/strata/cluster: not used. */
typedef struct lt_surv_spec {
    const char *time;              /* required: numeric, >= 0 */
    const char *event;             /* required: 0/1, 1/2 (2 = event, as R's Surv), or TRUE/FALSE */
    const char *group;             /* optional; levels ordered numerically when all numeric, else by
                                      byte order (R's factor() in the C locale) */
    const char *strata;            /* optional; levels ordered as group's */
    const char *cluster;           /* optional id column for robust variance; any text */
    const char *const *covariates; /* numeric columns */
    size_t ncovariates;
    bool no_timefix; /* false (default): merge near-equal times as R's timefix does */
} lt_surv_spec;

/* A set of n rows with p covariates, one group, one stratum, no cluster; arrays zeroed. */
LT_API lt_status lt_surv_data_new(size_t n, size_t p, lt_surv_data **out, lt_error *err);
LT_API void lt_surv_data_free(lt_surv_data *d);

/* Reads CSV text (comma-separated, a header row) into a data set. text[0..len) is parsed in
 * place and overwritten; name is used in error places ("trial.csv:12"). A cell that is empty or
 * "NA" in a used column drops the row (counted in ndropped); any other cell that does not
 * parse is an error naming the line and the column. An unknown column name is an error listing
 * the columns there are. */
LT_API lt_status lt_surv_data_parse_csv(char *text, size_t len, const char *name,
                                        const lt_surv_spec *spec, lt_surv_data **out,
                                        lt_error *err);
/* The same for a file ("-" is standard input). */
LT_API lt_status lt_surv_data_read_csv(const char *path, const lt_surv_spec *spec,
                                       lt_surv_data **out, lt_error *err);

/* Merges times that differ by no more than R's all.equal tolerance (sqrt(DBL_EPSILON),
 * absolute or relative to the mean absolute time) onto the smallest of each run, as survival's
 * aeqSurv does. lt_surv_data_parse_csv calls it unless spec->no_timefix. */
LT_API lt_status lt_surv_timefix(double *time, size_t n, lt_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Kaplan-Meier */

typedef enum lt_conf_type {
    LT_CONF_LOG = 0, /* exp(log S +- z se): R's default */
    LT_CONF_LOGLOG,  /* on log(-log S) */
    LT_CONF_PLAIN,   /* S +- z S se, clipped to [0, 1] */
} lt_conf_type;

/* One curve: a group, a stratum, or a group within a stratum. One row per distinct time
 * (event or censoring), as R's survfit object holds it. */
typedef struct lt_km_curve {
    char *label;        /* "sex=1", "sex=1, ph.ecog=0", or "all" */
    int group, stratum; /* indices into the data set's levels */
    size_t n, nevent;   /* subjects and events in the curve */
    size_t ntimes;
    double *time; /* [ntimes] ascending */
    double *n_risk, *n_event, *n_censor;
    double *surv;          /* S(t) */
    double *se_log;        /* Greenwood SE of -log S (survfit's $std.err): sqrt(sum d/(n(n-d))) */
    double *std_err;       /* SE of S (summary.survfit's std.err): S * se_log */
    double *lower, *upper; /* pointwise interval; NAN where undefined (R's NA) */
    double median, median_lower, median_upper; /* NAN when not reached */
    lt_conf_type conf_type;
} lt_km_curve;

typedef struct lt_km {
    size_t ncurves;
    lt_km_curve *curves;
    lt_conf_type conf_type;
    double conf_level;
} lt_km;

/* Kaplan-Meier curves (Kaplan & Meier 1958) with Greenwood (1926) variance, one per
 * group x stratum present in d. conf_level is in (0, 1), usually 0.95. */
LT_API lt_status lt_km_fit(const lt_surv_data *d, lt_conf_type conf_type, double conf_level,
                           lt_km **out, lt_error *err);
LT_API void lt_km_free(lt_km *km);

/* The curve at time t, as summary.survfit(times = t) reports it: surv/std_err/lower/upper are
 * the step function's values at t; n_risk is the number at risk at t; n_event counts the events
 * in (prev, t] where prev is the previous time asked for (use -INFINITY for the first). */
typedef struct lt_km_point {
    double time, n_risk, n_event, surv, std_err, lower, upper;
} lt_km_point;
LT_API void lt_km_at(const lt_km_curve *c, double prev, double t, lt_km_point *out);

/* ---------------------------------------------------------------------------------------- */
/* Log-rank */

typedef struct lt_logrank {
    size_t ngroups;
    double *n;        /* [ngroups] subjects */
    double *observed; /* [ngroups] events */
    double *expected; /* [ngroups] expected events under equal hazards */
    double *var;      /* [ngroups * ngroups] variance-covariance of observed - expected */
    double chisq;
    int df;   /* groups with subjects, minus 1 */
    double p; /* upper chi-square tail */
} lt_logrank;

/* The log-rank test (Mantel 1966; Peto & Peto 1972), as survdiff(rho = 0): observed and
 * expected events per group with the hypergeometric variance, summed over strata when d has
 * more than one stratum (the stratified test). chisq = (O-E)' V^- (O-E) over the first k-1
 * groups. Needs at least two groups with subjects. */
LT_API lt_status lt_logrank_test(const lt_surv_data *d, lt_logrank **out, lt_error *err);
LT_API void lt_logrank_free(lt_logrank *lr);

/* For two groups, the signed statistic (O1 - E1) / sqrt(V11) with group index 1 as the
 * experimental arm: negative when group 1 has fewer events than expected; stratified when d has
 * strata. No result struct to free: for simulations. */
LT_API lt_status lt_logrank_z(const lt_surv_data *d, double *z, lt_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Cox proportional hazards */

typedef enum lt_ties { LT_TIES_EFRON = 0, LT_TIES_BRESLOW } lt_ties;

typedef struct lt_cox_options {
    lt_ties ties;      /* LT_TIES_EFRON (R's default) */
    int iter_max;      /* 20 */
    double eps;        /* 1e-9: stop when |1 - loglik_old / loglik_new| <= eps */
    double conf_level; /* 0.95 */
    bool robust;       /* sandwich variance even without a cluster column */
    int threads;       /* 0 (default) or 2: two threads on long strata; 1: one thread. The
                          work is split the same way either way, so results are identical */
} lt_cox_options;

LT_API void lt_cox_options_default(lt_cox_options *o);

typedef struct lt_cox {
    size_t p;
    char **names;          /* [p] */
    double *coef;          /* [p] log hazard ratios */
    double *se;            /* [p] model-based: sqrt(diag(I^-1)) */
    double *robust_se;     /* [p] Lin & Wei (1989) sandwich, clustered; NULL when not robust */
    double *var;           /* [p * p] the variance used for z, p, intervals and the Wald test:
                              robust when robust_se is set, else I^-1 */
    double *z, *pvalue;    /* [p] coef / se used, two-sided normal p */
    double *lower, *upper; /* [p] interval for exp(coef) */
    double loglik[2];      /* at beta = 0 and at the estimate */
    double lr_test, wald_test, score_test; /* chi-square statistics on df = p */
    double lr_p, wald_p, score_p;
    int df;
    int iterations;
    bool converged;
    size_t n, nevent;
    lt_ties ties;
    double conf_level;
    bool *infinite; /* [p] the log-likelihood converged while this coefficient was still moving
                       (a last Newton step above sqrt(eps) (1 + |coef|)): it may be infinite,
                       R's "Loglik converged before variable" warning (monotone likelihood) */
} lt_cox;

/* Fits h(t | x) = h0_s(t) exp(x' beta) by partial likelihood (Cox 1972), stratified by d's
 * strata, with Efron (1977) or Breslow (1974) handling of tied times, by Newton-Raphson from 0
 * with step-halving, R's convergence rule. Robust variance when d->cluster is set or
 * opts->robust. opts NULL means defaults. A failure to converge is still returned, with
 * converged = false; LT_ENUMERIC when the information matrix is singular. */
LT_API lt_status lt_cox_fit(const lt_surv_data *d, const lt_cox_options *opts, lt_cox **out,
                            lt_error *err);
LT_API void lt_cox_free(lt_cox *c);

/* ---------------------------------------------------------------------------------------- */
/* Restricted mean survival time */

typedef struct lt_rmst_curve {
    char *label;
    double rmst, se, lower, upper; /* area under S on [0, tau], its SE and interval */
} lt_rmst_curve;

typedef struct lt_rmst {
    double tau, conf_level;
    size_t ncurves;
    lt_rmst_curve *curves;
    /* curve k minus curve 0, k >= 1 (unpaired: se = sqrt(se_k^2 + se_0^2)) */
    double *diff, *diff_se, *diff_lower, *diff_upper, *diff_p; /* [ncurves]; index 0 unused */
} lt_rmst;

/* RMST per Kaplan-Meier curve: the area under the curve up to tau, with the variance
 * sum over event times t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i)), A_i the area from t_i to
 * tau, as survival's print(fit, rmean = tau) computes it. tau > 0. */
LT_API lt_status lt_rmst_fit(const lt_km *km, double tau, lt_rmst **out, lt_error *err);
LT_API void lt_rmst_free(lt_rmst *r);

/* ---------------------------------------------------------------------------------------- */
/* Plot (implemented in the report module, src/report/km_svg.c) */

typedef struct lt_km_svg_options {
    bool conf_bands;    /* shade each curve's pointwise interval */
    const char *title;  /* NULL: none */
    const char *xlabel; /* NULL: "Time" */
    const char *ylabel; /* NULL: "Survival probability" */
    double xmax;        /* 0: the largest time */
    double xstep;       /* axis tick and numbers-at-risk spacing; 0: chosen from xmax */
} lt_km_svg_options;

/* Appends a standalone SVG document to out: step curves per group with censoring marks,
 * optional interval bands, a legend and a numbers-at-risk table under the time axis. */
LT_API lt_status lt_km_svg(const lt_km *km, const lt_km_svg_options *opts, lt_buf *out,
                           lt_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Proportions (src/stats/binom.c) */

/* x of n with the exact (Clopper-Pearson) interval at the confidence level, as R's
 * binom.test(x, n, conf.level = level)$conf.int. */
typedef struct lt_binom_ci {
    long x, n;
    double level;
    double estimate; /* x / n */
    double lower, upper;
} lt_binom_ci;
/* LT_EINVAL for n < 1, x outside 0..n or a level outside (0, 1). */
LT_API lt_status lt_binom_exact_ci(long x, long n, double level, lt_binom_ci *out,
                                   lt_error *err);

/* ---------------------------------------------------------------------------------------- */
/* The analyses as JSON with R's names: what `lutetia analyse ... --json` prints and the
 * operation rows analyse.km, ... answer (src/stats/survjson.c). */

typedef enum lt_surv_analysis { LT_SURV_KM = 0, LT_SURV_LOGRANK, LT_SURV_COX, LT_SURV_RMST } lt_surv_analysis;

typedef struct lt_surv_json_options {
    lt_surv_analysis analysis;
    const char *data;       /* names the data in the answer ("data") */
    double conf_level;      /* in (0, 1): 0.95 as R */
    lt_conf_type conf_type; /* km */
    lt_ties ties;           /* cox */
    bool robust;            /* cox: sandwich variance, each row its own cluster */
    const double *times;    /* km: the curves at these increasing times (summary(fit, times=)) */
    size_t ntimes;
    double tau; /* rmst: the horizon; <= 0: the largest time */
} lt_surv_json_options;

/* "km", "logrank", "cox", "rmst"; the parse returns false for any other word. */
LT_API const char *lt_surv_analysis_name(lt_surv_analysis a);
LT_API bool lt_surv_analysis_parse(const char *s, lt_surv_analysis *out);
/* The RMST horizon for tau (<= 0: d's largest time). */
LT_API double lt_surv_rmst_tau(const lt_surv_data *d, double tau);
/* Fits o->analysis on d and appends its JSON (one object and a newline); the members are listed
 * in `lutetia analyse --help`; numbers R reports as NA are null. The fit's errors as
 * lt_km_fit, lt_logrank_test, lt_cox_fit, lt_rmst_fit give them. */
LT_API lt_status lt_surv_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *out,
                              lt_error *err);
/* The same with "arms" (arms_json, a JSON array) as its first member. */
LT_API lt_status lt_surv_json_with_arms(const lt_surv_json_options *o, const lt_surv_data *d,
                                        const char *arms_json, lt_buf *out, lt_error *err);

#endif
