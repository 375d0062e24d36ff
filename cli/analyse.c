/* `lutetia analyse km|logrank|cox|rmst DATA.csv ...`: survival estimation on a CSV file,
 * printed as R's print methods lay it out, or as JSON with R's names for other tools. */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include "cli.h"
#include "lutetia/conduct.h"
#include "lutetia/stats.h"

#define MAX_LIST 64

typedef struct analyse_args {
    const char *what, *data, *time, *event, *group, *strata, *cluster, *plot, *title;
    const char *endpoint, *cutoff, *db, *user; /* --endpoint: the dataset from the trial store */
    const char *covs[MAX_LIST];
    size_t ncovs;
    double times[MAX_LIST];
    size_t ntimes;
    double tau;
    bool has_tau, json, conf_bands, robust, timing;
    lt_ties ties;
    lt_conf_type conf_type;
    double conf_level;
} analyse_args;

static const char usage_text[] =
    "usage: lutetia analyse km|logrank|cox|rmst DATA.csv --time COL --event COL [options]\n"
    "       lutetia analyse km|logrank|cox|rmst --endpoint ID [--cutoff D] [--db FILE]\n"
    "                       [--user NAME] [options]\n"
    "       lutetia analyse proportion [--endpoint ID] [--cutoff D] [--json] [--db FILE]\n"
    "                       [--user NAME]\n"
    "\n"
    "  proportion           the protocol's proportion endpoints (patients with a grade >= 3\n"
    "                       toxicity, completing 4 cycles, objective response by RECIST 1.1)\n"
    "                       from the trial store: x of n with the exact (Clopper-Pearson)\n"
    "                       interval, as R's binom.test; per arm by name; each patient's row\n"
    "  --endpoint ID        the endpoint's dataset (DFS, OS, ...) straight from the trial store\n"
    "                       (docs/conduct.md): --time defaults to time_months, --event to event,\n"
    "                       --group to arm; Cox covariates arm_B, ... are the arm indicators\n"
    "  --group COL          compare the levels of COL (arms)\n"
    "  --strata COL         stratify (km: one curve per group x stratum; logrank, cox:\n"
    "                       stratified test/model)\n"
    "  --covariates A,B     numeric covariates of the Cox model\n"
    "  --ties efron|breslow Cox ties (default efron, as R)\n"
    "  --cluster COL        robust (sandwich) variance clustered on COL (cox)\n"
    "  --robust             robust variance with each row its own cluster (cox)\n"
    "  --times t1,t2        km: the curves at these times (as summary(fit, times=))\n"
    "  --tau T              rmst: the horizon (default: the largest time)\n"
    "  --conf-type log|log-log|plain   km interval type (default log)\n"
    "  --conf-level L       default 0.95\n"
    "  --plot FILE.svg      km: write the curves with numbers at risk\n"
    "  --bands              km plot: draw the confidence bands\n"
    "  --title TEXT         km plot title\n"
    "  --json               JSON with R's names (n.risk, n.event, surv, std.err, ...)\n"
    "  --timing             print the seconds spent reading and estimating to stderr\n"
    "\n"
    "The event column is 0/1, 1/2 (2 = event) or TRUE/FALSE; an empty or NA cell in a used\n"
    "column drops the row (counted, as R's na.omit). std.err is the standard error of the\n"
    "survival estimate, as summary.survfit prints it. Times within R's all.equal tolerance are\n"
    "merged as survival's timefix does.\n"
    "\n"
    "JSON (--json), common: analysis, data, n (rows used), dropped (rows with a missing value).\n"
    "  km:      conf.type, conf.int, curves[]: strata, n, events, median, median.lower,\n"
    "           median.upper, and per distinct time: time, n.risk, n.event, n.censor, surv,\n"
    "           std.err, lower, upper; with --times also at{time, n.risk, n.event, surv,\n"
    "           std.err, lower, upper}\n"
    "  logrank: groups, stratified, N, observed, expected, var (matrix), chisq, df, p\n"
    "  cox:     ties, nevent, iter, converged, robust, conf.int, coefficients[]: name, coef,\n"
    "           exp(coef), se, robust_se (with --cluster/--robust), z, p, lower, upper;\n"
    "           loglik [null model, fit], lr_test, wald_test, score_test: {chisq, df, p}\n"
    "  rmst:    tau, conf.int, curves[]: strata, n, events, rmean, se(rmean), lower, upper;\n"
    "           differences[]: strata, reference, diff, se, lower, upper, p\n"
    "Numbers R reports as NA are null.\n";

static int split_list(const char *verb, const char *opt, char *s, const char **items, size_t *n)
{
    *n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == MAX_LIST) return lt_cli_usage_error(verb, "%s: at most %d items", opt, MAX_LIST);
        items[(*n)++] = tok;
    }
    if (*n == 0) return lt_cli_usage_error(verb, "%s: expected a comma-separated list", opt);
    return 0;
}

static int parse_number(const char *verb, const char *opt, const char *s, double *out)
{
    if (!lt_parse_double(s, out))
        return lt_cli_usage_error(verb, "%s: expected a number, found \"%s\"", opt, s);
    return 0;
}

static int parse_args(int argc, char **argv, analyse_args *a)
{
    const char *verb = "analyse";
    memset(a, 0, sizeof *a);
    a->conf_level = 0.95;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                                                               \
    do {                                                                                           \
        if (!v) return lt_cli_usage_error(verb, "%s needs a value", o);                            \
        i++;                                                                                       \
    } while (0)
        if (!strcmp(o, "--json")) {
            a->json = true;
        } else if (!strcmp(o, "--bands")) {
            a->conf_bands = true;
        } else if (!strcmp(o, "--robust")) {
            a->robust = true;
        } else if (!strcmp(o, "--timing")) {
            a->timing = true;
        } else if (!strcmp(o, "--time")) {
            NEED_VALUE();
            a->time = v;
        } else if (!strcmp(o, "--event")) {
            NEED_VALUE();
            a->event = v;
        } else if (!strcmp(o, "--group")) {
            NEED_VALUE();
            a->group = v;
        } else if (!strcmp(o, "--strata")) {
            NEED_VALUE();
            a->strata = v;
        } else if (!strcmp(o, "--cluster")) {
            NEED_VALUE();
            a->cluster = v;
        } else if (!strcmp(o, "--endpoint")) {
            NEED_VALUE();
            a->endpoint = v;
        } else if (!strcmp(o, "--cutoff")) {
            NEED_VALUE();
            a->cutoff = v;
        } else if (!strcmp(o, "--db")) {
            NEED_VALUE();
            a->db = v;
        } else if (!strcmp(o, "--user")) {
            NEED_VALUE();
            a->user = v;
        } else if (!strcmp(o, "--plot")) {
            NEED_VALUE();
            a->plot = v;
        } else if (!strcmp(o, "--title")) {
            NEED_VALUE();
            a->title = v;
        } else if (!strcmp(o, "--covariates")) {
            NEED_VALUE();
            int rc = split_list(verb, o, argv[i], a->covs, &a->ncovs);
            if (rc) return rc;
        } else if (!strcmp(o, "--times")) {
            NEED_VALUE();
            const char *items[MAX_LIST];
            int rc = split_list(verb, o, argv[i], items, &a->ntimes);
            if (rc) return rc;
            for (size_t k = 0; k < a->ntimes; k++) {
                if ((rc = parse_number(verb, o, items[k], &a->times[k]))) return rc;
                if (k && a->times[k] <= a->times[k - 1])
                    return lt_cli_usage_error(verb,
                                              "--times: expected increasing times, found %s "
                                              "after %g",
                                              items[k], a->times[k - 1]);
            }
        } else if (!strcmp(o, "--tau")) {
            NEED_VALUE();
            int rc = parse_number(verb, o, v, &a->tau);
            if (rc) return rc;
            if (!(a->tau > 0))
                return lt_cli_usage_error(verb, "--tau: expected a time > 0, found %s", v);
            a->has_tau = true;
        } else if (!strcmp(o, "--conf-level")) {
            NEED_VALUE();
            int rc = parse_number(verb, o, v, &a->conf_level);
            if (rc) return rc;
            if (!(a->conf_level > 0 && a->conf_level < 1))
                return lt_cli_usage_error(verb,
                                          "--conf-level: expected a number in (0, 1), found %s", v);
        } else if (!strcmp(o, "--ties")) {
            NEED_VALUE();
            if (!strcmp(v, "efron"))
                a->ties = LT_TIES_EFRON;
            else if (!strcmp(v, "breslow"))
                a->ties = LT_TIES_BRESLOW;
            else
                return lt_cli_usage_error(verb, "--ties: expected efron or breslow, found \"%s\"",
                                          v);
        } else if (!strcmp(o, "--conf-type")) {
            NEED_VALUE();
            if (!strcmp(v, "log"))
                a->conf_type = LT_CONF_LOG;
            else if (!strcmp(v, "log-log"))
                a->conf_type = LT_CONF_LOGLOG;
            else if (!strcmp(v, "plain"))
                a->conf_type = LT_CONF_PLAIN;
            else
                return lt_cli_usage_error(verb,
                                          "--conf-type: expected log, log-log or plain, "
                                          "found \"%s\"",
                                          v);
        } else if (o[0] == '-' && o[1] == '-') {
            return lt_cli_usage_error(verb, "unknown option %s", o);
        } else if (!a->what) {
            a->what = o;
        } else if (!a->data) {
            a->data = o;
        } else {
            return lt_cli_usage_error(verb, "unexpected argument \"%s\"", o);
        }
#undef NEED_VALUE
    }
    if (!a->what) return lt_cli_usage_error(verb, "expected km, logrank, cox or rmst");
    if (strcmp(a->what, "km") && strcmp(a->what, "logrank") && strcmp(a->what, "cox") &&
        strcmp(a->what, "rmst"))
        return lt_cli_usage_error(verb, "expected km, logrank, cox or rmst, found \"%s\"", a->what);
    if (a->endpoint && a->data)
        return lt_cli_usage_error(verb, "give DATA.csv or --endpoint, not both");
    if (!a->endpoint && (a->cutoff || a->db || a->user))
        return lt_cli_usage_error(verb, "--cutoff, --db and --user go with --endpoint");
    if (a->endpoint) {
        if (!a->time) a->time = "time_months";
        if (!a->event) a->event = "event";
        if (!a->group && strcmp(a->what, "cox")) a->group = "arm";
        a->data = a->endpoint; /* names the data in the output */
    }
    if (!a->data && !a->endpoint)
        return lt_cli_usage_error(verb, "expected a DATA.csv file after %s", a->what);
    if (!a->time || !a->event) return lt_cli_usage_error(verb, "--time and --event are required");
    bool cox = !strcmp(a->what, "cox");
    /* from the trial, the arm indicators are the default covariates (lt_cmd_analyse) */
    if (cox && a->ncovs == 0 && !a->endpoint)
        return lt_cli_usage_error(verb, "cox needs --covariates");
    if (!cox && a->ncovs) return lt_cli_usage_error(verb, "--covariates is for cox");
    if (!cox && (a->cluster || a->robust))
        return lt_cli_usage_error(verb, "--cluster and --robust are for cox");
    if (!strcmp(a->what, "logrank") && !a->group)
        return lt_cli_usage_error(verb, "logrank needs --group");
    if (strcmp(a->what, "km") && (a->plot || a->ntimes))
        return lt_cli_usage_error(verb, "--plot and --times are for km");
    if (strcmp(a->what, "rmst") && a->has_tau) return lt_cli_usage_error(verb, "--tau is for rmst");
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Output helpers */

/* A number as R's print would show it with `digits` significant digits; NA for NaN. */
static void put_num(lt_buf *b, double x, int digits, int width)
{
    if (isnan(x))
        lt_buf_printf(b, "%*s", width, "NA");
    else if (isinf(x))
        lt_buf_printf(b, "%*s", width, x > 0 ? "Inf" : "-Inf");
    else if (fabs(x) >= pow(10, digits) && fabs(x) < 1e15)
        lt_buf_printf(b, "%*.0f", width, x); /* R shows large counts in full */
    else
        lt_buf_printf(b, "%*.*g", width, digits, x);
}

/* A p-value as R's format.pval: below machine precision it is "<2e-16". */
static void put_p(lt_buf *b, double p, int width)
{
    if (p < 2.220446e-16)
        lt_buf_printf(b, "%*s", width, "<2e-16");
    else
        put_num(b, p, 3, width);
}

static const char *conf_type_name(lt_conf_type t)
{
    return t == LT_CONF_LOGLOG ? "log-log" : t == LT_CONF_PLAIN ? "plain" : "log";
}

static void text_dropped(lt_buf *b, const lt_surv_data *d)
{
    if (d->ndropped)
        lt_buf_printf(b, "   (%zu observation%s deleted due to missingness)\n", d->ndropped,
                      d->ndropped == 1 ? "" : "s");
}

/* ---------------------------------------------------------------------------------------- */
/* km */

static int run_km(const analyse_args *a, const lt_surv_data *d, lt_buf *b)
{
    lt_error err = {0};
    lt_km *km;
    if (lt_km_fit(d, a->conf_type, a->conf_level, &km, &err)) return lt_cli_fail(&err);
    int rc = 0;
    if (a->plot) {
        lt_km_svg_options so = {0};
        so.conf_bands = a->conf_bands;
        so.title = a->title;
        lt_buf svg = LT_BUF_INIT;
        if (lt_km_svg(km, &so, &svg, &err) ||
            lt_file_write(a->plot, lt_buf_str(&svg), svg.n, &err)) {
            lt_buf_free(&svg);
            lt_km_free(km);
            return lt_cli_fail(&err);
        }
        lt_buf_free(&svg);
    }
    if (a->json) { /* the JSON is lt_surv_json's (lt_cmd_analyse) */
        lt_km_free(km);
        return 0;
    }
    int pct = (int)lround(a->conf_level * 100);
    lt_buf_printf(b, "Kaplan-Meier estimate, %s (conf.type \"%s\")\n", a->data,
                  conf_type_name(a->conf_type));
    text_dropped(b, d);
    lt_buf_printf(b, "\n%-20s %6s %6s %8s  0.%02dLCL  0.%02dUCL\n", "", "n", "events", "median",
                  pct, pct);
    for (size_t c = 0; c < km->ncurves; c++) {
        const lt_km_curve *cv = &km->curves[c];
        lt_buf_printf(b, "%-20s %6zu %6zu ", cv->label, cv->n, cv->nevent);
        put_num(b, cv->median, 6, 8);
        lt_buf_putc(b, ' ');
        put_num(b, cv->median_lower, 6, 8);
        lt_buf_putc(b, ' ');
        put_num(b, cv->median_upper, 6, 8);
        lt_buf_putc(b, '\n');
    }
    if (a->ntimes) {
        for (size_t c = 0; c < km->ncurves; c++) {
            const lt_km_curve *cv = &km->curves[c];
            lt_buf_printf(b, "\n%20s\n", cv->label);
            lt_buf_printf(b, "%8s %6s %7s %8s %8s lower %d%% CI upper %d%% CI\n", "time",
                          "n.risk", "n.event", "survival", "std.err", pct, pct);
            double prev = -INFINITY;
            for (size_t k = 0; k < a->ntimes; k++) {
                lt_km_point pt;
                lt_km_at(cv, prev, a->times[k], &pt);
                prev = a->times[k];
                put_num(b, pt.time, 6, 8);
                lt_buf_printf(b, " %6.0f %7.0f ", pt.n_risk, pt.n_event);
                put_num(b, pt.surv, 4, 8);
                lt_buf_putc(b, ' ');
                put_num(b, pt.std_err, 4, 8);
                lt_buf_putc(b, ' ');
                put_num(b, pt.lower, 4, 12);
                lt_buf_putc(b, ' ');
                put_num(b, pt.upper, 4, 12);
                lt_buf_putc(b, '\n');
            }
        }
    }
    if (a->plot) lt_buf_printf(b, "\nplot written to %s\n", a->plot);
    lt_km_free(km);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* logrank */

static int run_logrank(const analyse_args *a, const lt_surv_data *d, lt_buf *b)
{
    lt_error err = {0};
    lt_logrank *lr;
    if (lt_logrank_test(d, &lr, &err)) return lt_cli_fail(&err);
    size_t k = lr->ngroups;
    char lab[256];
    lt_buf_printf(b, "Log-rank test%s, %s: %s by %s\n", d->nstrata > 1 ? " (stratified)" : "",
                  a->data, a->time, a->group);
    text_dropped(b, d);
    lt_buf_printf(b, "\n%-20s %6s %8s %8s %9s %9s\n", "", "N", "Observed", "Expected",
                  "(O-E)^2/E", "(O-E)^2/V");
    for (size_t g = 0; g < k; g++) {
        snprintf(lab, sizeof lab, "%s=%s", d->group_name, d->group_labels[g]);
        double o = lr->observed[g], e = lr->expected[g];
        lt_buf_printf(b, "%-20s %6.0f %8.0f ", lab, lr->n[g], o);
        put_num(b, e, 3, 8);
        lt_buf_putc(b, ' ');
        put_num(b, (o - e) * (o - e) / e, 3, 9);
        lt_buf_putc(b, ' ');
        put_num(b, (o - e) * (o - e) / lr->var[g * k + g], 3, 9);
        lt_buf_putc(b, '\n');
    }
    lt_buf_puts(b, "\n Chisq= ");
    put_num(b, lr->chisq, 3, 0);
    lt_buf_printf(b, "  on %d degrees of freedom, p= ", lr->df);
    put_p(b, lr->p, 0);
    lt_buf_puts(b, "\n");
    lt_logrank_free(lr);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* cox */

static int run_cox(const analyse_args *a, const lt_surv_data *d, lt_buf *b)
{
    lt_error err = {0};
    lt_cox_options o;
    lt_cox_options_default(&o);
    o.ties = a->ties;
    o.conf_level = a->conf_level;
    o.robust = a->robust;
    lt_cox *c;
    if (lt_cox_fit(d, &o, &c, &err)) return lt_cli_fail(&err);
    const char *ties = a->ties == LT_TIES_BRESLOW ? "breslow" : "efron";
    lt_buf_printf(b, "Cox proportional hazards, %s (ties = \"%s\")%s\n\n", a->data, ties,
                  d->nstrata > 1 ? ", stratified" : "");
    lt_buf_printf(b, "  n= %zu, number of events= %zu\n", c->n, c->nevent);
    text_dropped(b, d);
    lt_buf_printf(b, "\n%-12s %10s %10s %10s%s %8s %10s\n", "", "coef", "exp(coef)", "se(coef)",
                  c->robust_se ? "  robust se" : "", "z", "Pr(>|z|)");
    for (size_t j = 0; j < c->p; j++) {
        lt_buf_printf(b, "%-12s ", c->names[j]);
        put_num(b, c->coef[j], 6, 10);
        lt_buf_putc(b, ' ');
        put_num(b, exp(c->coef[j]), 6, 10);
        lt_buf_putc(b, ' ');
        put_num(b, c->se[j], 6, 10);
        if (c->robust_se) {
            lt_buf_puts(b, "  ");
            put_num(b, c->robust_se[j], 6, 9);
        }
        lt_buf_putc(b, ' ');
        put_num(b, c->z[j], 4, 8);
        lt_buf_putc(b, ' ');
        put_p(b, c->pvalue[j], 10);
        lt_buf_putc(b, '\n');
    }
    int pct = (int)lround(c->conf_level * 100);
    lt_buf_printf(b, "\n%-12s %10s %10s  lower .%02d  upper .%02d\n", "", "exp(coef)",
                  "exp(-coef)", pct, pct);
    for (size_t j = 0; j < c->p; j++) {
        lt_buf_printf(b, "%-12s ", c->names[j]);
        put_num(b, exp(c->coef[j]), 4, 10);
        lt_buf_putc(b, ' ');
        put_num(b, exp(-c->coef[j]), 4, 10);
        lt_buf_putc(b, ' ');
        put_num(b, c->lower[j], 4, 10);
        lt_buf_putc(b, ' ');
        put_num(b, c->upper[j], 4, 10);
        lt_buf_putc(b, '\n');
    }
    lt_buf_puts(b, "\nLikelihood ratio test= ");
    put_num(b, c->lr_test, 4, 0);
    lt_buf_printf(b, "  on %d df,   p=", c->df);
    put_p(b, c->lr_p, 0);
    lt_buf_puts(b, c->robust_se ? "\nRobust Wald test     = " : "\nWald test            = ");
    put_num(b, c->wald_test, 4, 0);
    lt_buf_printf(b, "  on %d df,   p=", c->df);
    put_p(b, c->wald_p, 0);
    lt_buf_puts(b, "\nScore (logrank) test = ");
    put_num(b, c->score_test, 4, 0);
    lt_buf_printf(b, "  on %d df,   p=", c->df);
    put_p(b, c->score_p, 0);
    lt_buf_putc(b, '\n');
    if (!c->converged)
        lt_buf_printf(b, "\nWarning: did not converge in %d iterations\n", c->iterations);
    for (size_t j = 0; j < c->p; j++)
        if (c->infinite[j])
            lt_buf_printf(b,
                          "\nWarning: the log-likelihood converged before %s did: its "
                          "coefficient may be infinite\n",
                          c->names[j]);
    lt_cox_free(c);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* rmst */

static int run_rmst(const analyse_args *a, const lt_surv_data *d, lt_buf *b)
{
    lt_error err = {0};
    lt_km *km;
    if (lt_km_fit(d, LT_CONF_LOG, a->conf_level, &km, &err)) return lt_cli_fail(&err);
    double tau = a->tau;
    if (!a->has_tau)
        for (size_t i = 0; i < d->n; i++)
            if (d->time[i] > tau) tau = d->time[i];
    lt_rmst *r;
    if (lt_rmst_fit(km, tau, &r, &err)) {
        lt_km_free(km);
        return lt_cli_fail(&err);
    }
    int pct = (int)lround(r->conf_level * 100);
    lt_buf_printf(b, "Restricted mean survival time up to tau = %g, %s\n", tau, a->data);
    text_dropped(b, d);
    lt_buf_printf(b, "\n%-20s %6s %6s %9s %9s   0.%02dLCL   0.%02dUCL\n", "", "n", "events",
                  "rmean", "se(rmean)", pct, pct);
    for (size_t i = 0; i < r->ncurves; i++) {
        const lt_rmst_curve *c = &r->curves[i];
        lt_buf_printf(b, "%-20s %6zu %6zu ", c->label, km->curves[i].n, km->curves[i].nevent);
        put_num(b, c->rmst, 6, 9);
        lt_buf_putc(b, ' ');
        put_num(b, c->se, 4, 9);
        lt_buf_putc(b, ' ');
        put_num(b, c->lower, 6, 9);
        lt_buf_putc(b, ' ');
        put_num(b, c->upper, 6, 9);
        lt_buf_putc(b, '\n');
    }
    if (r->ncurves > 1) {
        lt_buf_printf(b, "\nDifference from %s:\n", r->curves[0].label);
        for (size_t i = 1; i < r->ncurves; i++) {
            lt_buf_printf(b, "%-20s ", r->curves[i].label);
            put_num(b, r->diff[i], 6, 9);
            lt_buf_puts(b, " (se ");
            put_num(b, r->diff_se[i], 4, 0);
            lt_buf_printf(b, ", %d%% CI ", pct);
            put_num(b, r->diff_lower[i], 6, 0);
            lt_buf_puts(b, " to ");
            put_num(b, r->diff_upper[i], 6, 0);
            lt_buf_puts(b, ", p = ");
            put_p(b, r->diff_p[i], 0);
            lt_buf_puts(b, ")\n");
        }
    }
    lt_rmst_free(r);
    lt_km_free(km);
    return 0;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* `analyse proportion [--endpoint ID] [--cutoff D] [--json] [--db FILE] [--user NAME]`: the
 * protocol's proportion endpoints from the trial store, with their exact intervals. */
static int run_proportion(int argc, char **argv)
{
    const char *endpoint = NULL, *db = NULL, *user = NULL;
    lt_date cutoff = LT_DATE_NONE;
    bool json = false;
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--json")) {
            json = true;
            continue;
        }
        if (strcmp(k, "--endpoint") && strcmp(k, "--cutoff") && strcmp(k, "--db") &&
            strcmp(k, "--user"))
            return lt_cli_usage_error("analyse proportion", "unexpected argument '%s'", k);
        if (i + 1 >= argc) return lt_cli_usage_error("analyse proportion", "%s needs a value", k);
        const char *v = argv[++i];
        if (!strcmp(k, "--endpoint")) endpoint = v;
        else if (!strcmp(k, "--db")) db = v;
        else if (!strcmp(k, "--user")) user = v;
        else if (!lt_cli_date_arg("analyse proportion", "--cutoff", v, &cutoff))
            return LT_EXIT_USAGE;
    }
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    int rc = lt_cli_open_conduct_read(lt_cli_db(db), lt_cli_user(user), &t, &c);
    if (rc) return rc;
    lt_cli_note_lock(t); /* cli/sign.c */
    lt_error err;
    lt_error_clear(&err);
    lt_buf b = LT_BUF_INIT;
    if (lt_conduct_proportion(c, endpoint, cutoff, json, &b, &err))
        rc = lt_cli_fail(&err);
    else
        rc = lt_cli_print_buf(&b);
    lt_buf_free(&b);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

/* Says which arm is which under the text of an analysis (the JSON has them as "arms",
 * lt_surv_json_with_arms). */
static void text_arms(const lt_buf *arms, lt_buf *b)
{
    lt_json *j = NULL;
    if (lt_json_parse(lt_buf_str(arms), strlen(lt_buf_str(arms)), "arms", &j, NULL) == LT_OK) {
        lt_buf_puts(b, "\narms: ");
        size_t k = 0;
        for (const lt_json *m = lt_json_first(j); m; m = lt_json_next(m), k++)
            lt_buf_printf(b, "%s%s = %s (%s%s)", k ? "; " : "", lt_json_get_str(m, "id", ""),
                          lt_json_get_str(m, "name", ""), lt_json_get_str(m, "role", ""),
                          k ? "" : ": the reference of every comparison");
        lt_buf_putc(b, '\n');
    }
    lt_json_free(j);
}

/* The endpoint's dataset from the trial store, with the protocol's arms (JSON). */
static int endpoint_data(const analyse_args *a, lt_surv_analysis what, const lt_surv_spec *spec,
                         lt_surv_data **d, lt_buf *arms)
{
    lt_date cutoff = LT_DATE_NONE;
    if (a->cutoff && !lt_cli_date_arg("analyse", "--cutoff", a->cutoff, &cutoff))
        return LT_EXIT_USAGE;
    lt_trial *t = NULL;
    lt_conduct *c = NULL;
    int rc = lt_cli_open_conduct_read(lt_cli_db(a->db), lt_cli_user(a->user), &t, &c);
    if (rc) return rc;
    lt_cli_note_lock(t); /* cli/sign.c */
    lt_error err;
    lt_error_clear(&err);
    if (lt_conduct_surv_data(c, a->endpoint, cutoff, what, spec, d, arms, &err))
        rc = lt_cli_fail(&err);
    lt_conduct_free(c);
    lt_trial_close(t);
    return rc;
}

int lt_cmd_analyse(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "proportion")) {
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                fputs(usage_text, stdout);
                return 0;
            }
        return run_proportion(argc, argv);
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
    analyse_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc;
    /* An analysis allocates and frees arrays of 10^7 rows several times over (the file, the
     * columns, the sort, the model's copy). By default glibc maps each one afresh and the kernel
     * zeroes every page again (measured: a third of the time of a 10^7-row Cox fit); keeping
     * freed memory in the heap lets the next array reuse it. */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    lt_surv_spec spec = {0};
    spec.time = a.time;
    spec.event = a.event;
    spec.group = a.group;
    spec.strata = a.strata;
    spec.cluster = a.cluster;
    spec.covariates = a.covs;
    spec.ncovariates = a.ncovs;
    lt_error err = {0};
    lt_surv_data *d;
    /* wall and CPU (all threads) time of each phase for --timing */
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    lt_buf arms = LT_BUF_INIT;
    lt_surv_analysis what = LT_SURV_KM;
    lt_surv_analysis_parse(a.what, &what); /* parse_args checked the word */
    if (a.endpoint) {
        /* the Cox covariates default to the arm indicators there (lt_conduct_surv_data) */
        if ((rc = endpoint_data(&a, what, &spec, &d, &arms))) {
            lt_buf_free(&arms);
            return rc;
        }
    } else if (lt_surv_data_read_csv(a.data, &spec, &d, &err)) {
        return lt_cli_fail(&err);
    }
    double t1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    lt_buf b = LT_BUF_INIT;
    if (a.json) {
        /* the same writer as the operation rows (src/stats/survjson.c); a km plot first */
        if (what == LT_SURV_KM && a.plot) rc = run_km(&a, d, &b);
        lt_surv_json_options o = {.analysis = what,
                                  .data = a.data,
                                  .conf_level = a.conf_level,
                                  .conf_type = a.conf_type,
                                  .ties = a.ties,
                                  .robust = a.robust,
                                  .times = a.times,
                                  .ntimes = a.ntimes,
                                  .tau = a.has_tau ? a.tau : 0};
        if (rc == 0 && (a.endpoint ? lt_surv_json_with_arms(&o, d, lt_buf_str(&arms), &b, &err)
                                   : lt_surv_json(&o, d, &b, &err)))
            rc = lt_cli_fail(&err);
    } else {
        if (what == LT_SURV_KM)
            rc = run_km(&a, d, &b);
        else if (what == LT_SURV_LOGRANK)
            rc = run_logrank(&a, d, &b);
        else if (what == LT_SURV_COX)
            rc = run_cox(&a, d, &b);
        else
            rc = run_rmst(&a, d, &b);
        if (rc == 0 && a.endpoint) text_arms(&arms, &b);
    }
    double t2 = clock_s(CLOCK_MONOTONIC), c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    lt_buf_free(&arms);
    if (rc == 0) rc = lt_cli_print_buf(&b);
    if (a.timing)
        fprintf(stderr,
                "timing: read %.3f s cpu %.3f s (%zu rows), %s %.3f s cpu %.3f s, print %.3f s\n",
                t1 - t0, c1 - c0, d->n, a.what, t2 - t1, c2 - c1, clock_s(CLOCK_MONOTONIC) - t2);
    lt_buf_free(&b);
    lt_surv_data_free(d);
    return rc;
}
