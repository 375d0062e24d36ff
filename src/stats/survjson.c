/* The survival analyses as JSON with R's names (km, logrank, cox, rmst): one writer for the
 * command line (`lutetia analyse ... --json`) and the operation rows (analyse.km, ...), so that
 * both doors answer the same bytes for the same data. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "lutetia/stats.h"

static const char *const analysis_names[] = {"km", "logrank", "cox", "rmst"};

const char *lt_surv_analysis_name(lt_surv_analysis a)
{
    return (unsigned)a < 4 ? analysis_names[a] : "?";
}

bool lt_surv_analysis_parse(const char *s, lt_surv_analysis *out)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, analysis_names[i])) {
            *out = (lt_surv_analysis)i;
            return true;
        }
    return false;
}

static void json_key(lt_buf *b, const char *k)
{
    lt_buf_json_str(b, k);
    lt_buf_putc(b, ':');
}

static void json_vals(lt_buf *b, const double *v, size_t n)
{
    lt_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) lt_buf_putc(b, ',');
        lt_buf_json_num(b, v[i]);
    }
    lt_buf_putc(b, ']');
}

static void json_array(lt_buf *b, const char *k, const double *v, size_t n)
{
    json_key(b, k);
    json_vals(b, v, n);
}

static void json_num_field(lt_buf *b, const char *k, double v)
{
    json_key(b, k);
    lt_buf_json_num(b, v);
}

static const char *conf_type_name(lt_conf_type t)
{
    return t == LT_CONF_LOGLOG ? "log-log" : t == LT_CONF_PLAIN ? "plain" : "log";
}

static void json_head(lt_buf *b, const lt_surv_json_options *o, const lt_surv_data *d)
{
    lt_buf_putc(b, '{');
    json_key(b, "analysis");
    lt_buf_json_str(b, lt_surv_analysis_name(o->analysis));
    lt_buf_putc(b, ',');
    json_key(b, "data");
    lt_buf_json_str(b, o->data ? o->data : "");
    lt_buf_printf(b, ",\"n\":%zu,\"dropped\":%zu,", d->n, d->ndropped);
}

static lt_status km_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *b,
                         lt_error *err)
{
    lt_km *km;
    lt_status rc = lt_km_fit(d, o->conf_type, o->conf_level, &km, err);
    if (rc != LT_OK) return rc;
    double *v = o->ntimes ? malloc(7 * o->ntimes * sizeof *v) : NULL;
    if (o->ntimes && !v) {
        lt_km_free(km);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    }
    json_head(b, o, d);
    json_key(b, "conf.type");
    lt_buf_json_str(b, conf_type_name(o->conf_type));
    lt_buf_putc(b, ',');
    json_num_field(b, "conf.int", o->conf_level);
    lt_buf_puts(b, ",\"curves\":[");
    for (size_t c = 0; c < km->ncurves; c++) {
        const lt_km_curve *cv = &km->curves[c];
        if (c) lt_buf_putc(b, ',');
        lt_buf_putc(b, '{');
        json_key(b, "strata");
        lt_buf_json_str(b, cv->label);
        lt_buf_printf(b, ",\"n\":%zu,\"events\":%zu,", cv->n, cv->nevent);
        json_num_field(b, "median", cv->median);
        lt_buf_putc(b, ',');
        json_num_field(b, "median.lower", cv->median_lower);
        lt_buf_putc(b, ',');
        json_num_field(b, "median.upper", cv->median_upper);
        lt_buf_putc(b, ',');
        json_array(b, "time", cv->time, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "n.risk", cv->n_risk, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "n.event", cv->n_event, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "n.censor", cv->n_censor, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "surv", cv->surv, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "std.err", cv->std_err, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "lower", cv->lower, cv->ntimes);
        lt_buf_putc(b, ',');
        json_array(b, "upper", cv->upper, cv->ntimes);
        if (o->ntimes) {
            /* as summary(fit, times=): field f of time k at v[f * ntimes + k] */
            size_t nt = o->ntimes;
            double prev = -INFINITY;
            for (size_t k = 0; k < nt; k++) {
                lt_km_point pt;
                lt_km_at(cv, prev, o->times[k], &pt);
                prev = o->times[k];
                v[0 * nt + k] = pt.time;
                v[1 * nt + k] = pt.n_risk;
                v[2 * nt + k] = pt.n_event;
                v[3 * nt + k] = pt.surv;
                v[4 * nt + k] = pt.std_err;
                v[5 * nt + k] = pt.lower;
                v[6 * nt + k] = pt.upper;
            }
            static const char *const names[7] = {"time",    "n.risk", "n.event", "surv",
                                                 "std.err", "lower",  "upper"};
            lt_buf_puts(b, ",\"at\":{");
            for (int f = 0; f < 7; f++) {
                if (f) lt_buf_putc(b, ',');
                json_array(b, names[f], v + (size_t)f * nt, nt);
            }
            lt_buf_putc(b, '}');
        }
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}\n");
    free(v);
    lt_km_free(km);
    return LT_OK;
}

static lt_status logrank_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *b,
                              lt_error *err)
{
    lt_logrank *lr;
    lt_status rc = lt_logrank_test(d, &lr, err);
    if (rc != LT_OK) return rc;
    size_t k = lr->ngroups;
    char lab[256];
    json_head(b, o, d);
    json_key(b, "groups");
    lt_buf_putc(b, '[');
    for (size_t g = 0; g < k; g++) {
        if (g) lt_buf_putc(b, ',');
        snprintf(lab, sizeof lab, "%s=%s", d->group_name ? d->group_name : "group",
                 d->group_labels ? d->group_labels[g] : "?");
        lt_buf_json_str(b, lab);
    }
    lt_buf_puts(b, "],");
    lt_buf_printf(b, "\"stratified\":%s,", d->nstrata > 1 ? "true" : "false");
    json_array(b, "N", lr->n, k);
    lt_buf_putc(b, ',');
    json_array(b, "observed", lr->observed, k);
    lt_buf_putc(b, ',');
    json_array(b, "expected", lr->expected, k);
    lt_buf_puts(b, ",\"var\":[");
    for (size_t g = 0; g < k; g++) {
        if (g) lt_buf_putc(b, ',');
        json_vals(b, lr->var + g * k, k);
    }
    lt_buf_puts(b, "],");
    json_num_field(b, "chisq", lr->chisq);
    lt_buf_printf(b, ",\"df\":%d,", lr->df);
    json_num_field(b, "p", lr->p);
    lt_buf_puts(b, "}\n");
    lt_logrank_free(lr);
    return LT_OK;
}

static lt_status cox_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *b,
                          lt_error *err)
{
    lt_cox_options co;
    lt_cox_options_default(&co);
    co.ties = o->ties;
    co.conf_level = o->conf_level;
    co.robust = o->robust;
    lt_cox *c;
    lt_status rc = lt_cox_fit(d, &co, &c, err);
    if (rc != LT_OK) return rc;
    json_head(b, o, d);
    json_key(b, "ties");
    lt_buf_json_str(b, o->ties == LT_TIES_BRESLOW ? "breslow" : "efron");
    lt_buf_printf(b, ",\"nevent\":%zu,\"iter\":%d,\"converged\":%s,\"robust\":%s,", c->nevent,
                  c->iterations, c->converged ? "true" : "false", c->robust_se ? "true" : "false");
    json_num_field(b, "conf.int", c->conf_level);
    lt_buf_puts(b, ",\"coefficients\":[");
    for (size_t j = 0; j < c->p; j++) {
        if (j) lt_buf_putc(b, ',');
        lt_buf_putc(b, '{');
        json_key(b, "name");
        lt_buf_json_str(b, c->names[j]);
        lt_buf_putc(b, ',');
        json_num_field(b, "coef", c->coef[j]);
        lt_buf_putc(b, ',');
        json_num_field(b, "exp(coef)", exp(c->coef[j]));
        lt_buf_putc(b, ',');
        json_num_field(b, "se", c->se[j]);
        if (c->robust_se) {
            lt_buf_putc(b, ',');
            json_num_field(b, "robust_se", c->robust_se[j]);
        }
        lt_buf_putc(b, ',');
        json_num_field(b, "z", c->z[j]);
        lt_buf_putc(b, ',');
        json_num_field(b, "p", c->pvalue[j]);
        lt_buf_putc(b, ',');
        json_num_field(b, "lower", c->lower[j]);
        lt_buf_putc(b, ',');
        json_num_field(b, "upper", c->upper[j]);
        lt_buf_printf(b, ",\"infinite\":%s}", c->infinite[j] ? "true" : "false");
    }
    lt_buf_puts(b, "],");
    json_array(b, "loglik", c->loglik, 2);
    static const char *const tn[3] = {"lr_test", "wald_test", "score_test"};
    double ts[3] = {c->lr_test, c->wald_test, c->score_test};
    double tp[3] = {c->lr_p, c->wald_p, c->score_p};
    for (int t = 0; t < 3; t++) {
        lt_buf_putc(b, ',');
        json_key(b, tn[t]);
        lt_buf_puts(b, "{\"chisq\":");
        lt_buf_json_num(b, ts[t]);
        lt_buf_printf(b, ",\"df\":%d,\"p\":", c->df);
        lt_buf_json_num(b, tp[t]);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "}\n");
    lt_cox_free(c);
    return LT_OK;
}

double lt_surv_rmst_tau(const lt_surv_data *d, double tau)
{
    if (tau > 0) return tau;
    double t = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->time[i] > t) t = d->time[i];
    return t;
}

static lt_status rmst_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *b,
                           lt_error *err)
{
    lt_km *km;
    lt_status rc = lt_km_fit(d, LT_CONF_LOG, o->conf_level, &km, err);
    if (rc != LT_OK) return rc;
    lt_rmst *r;
    if ((rc = lt_rmst_fit(km, lt_surv_rmst_tau(d, o->tau), &r, err)) != LT_OK) {
        lt_km_free(km);
        return rc;
    }
    json_head(b, o, d);
    json_num_field(b, "tau", r->tau);
    lt_buf_putc(b, ',');
    json_num_field(b, "conf.int", r->conf_level);
    lt_buf_puts(b, ",\"curves\":[");
    for (size_t i = 0; i < r->ncurves; i++) {
        const lt_rmst_curve *c = &r->curves[i];
        if (i) lt_buf_putc(b, ',');
        lt_buf_putc(b, '{');
        json_key(b, "strata");
        lt_buf_json_str(b, c->label);
        lt_buf_printf(b, ",\"n\":%zu,\"events\":%zu,", km->curves[i].n, km->curves[i].nevent);
        json_num_field(b, "rmean", c->rmst);
        lt_buf_putc(b, ',');
        json_num_field(b, "se(rmean)", c->se);
        lt_buf_putc(b, ',');
        json_num_field(b, "lower", c->lower);
        lt_buf_putc(b, ',');
        json_num_field(b, "upper", c->upper);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "],\"differences\":[");
    for (size_t i = 1; i < r->ncurves; i++) {
        if (i > 1) lt_buf_putc(b, ',');
        lt_buf_putc(b, '{');
        json_key(b, "strata");
        lt_buf_json_str(b, r->curves[i].label);
        lt_buf_putc(b, ',');
        json_key(b, "reference");
        lt_buf_json_str(b, r->curves[0].label);
        lt_buf_putc(b, ',');
        json_num_field(b, "diff", r->diff[i]);
        lt_buf_putc(b, ',');
        json_num_field(b, "se", r->diff_se[i]);
        lt_buf_putc(b, ',');
        json_num_field(b, "lower", r->diff_lower[i]);
        lt_buf_putc(b, ',');
        json_num_field(b, "upper", r->diff_upper[i]);
        lt_buf_putc(b, ',');
        json_num_field(b, "p", r->diff_p[i]);
        lt_buf_putc(b, '}');
    }
    lt_buf_puts(b, "]}\n");
    lt_rmst_free(r);
    lt_km_free(km);
    return LT_OK;
}

lt_status lt_surv_json(const lt_surv_json_options *o, const lt_surv_data *d, lt_buf *out,
                       lt_error *err)
{
    lt_status rc;
    switch (o->analysis) {
    case LT_SURV_KM:
        rc = km_json(o, d, out, err);
        break;
    case LT_SURV_LOGRANK:
        rc = logrank_json(o, d, out, err);
        break;
    case LT_SURV_COX:
        rc = cox_json(o, d, out, err);
        break;
    case LT_SURV_RMST:
        rc = rmst_json(o, d, out, err);
        break;
    default:
        LT_FAIL(err, LT_EINVAL, "analysis", "unknown analysis %d", (int)o->analysis);
    }
    if (rc == LT_OK && lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    return rc;
}

lt_status lt_surv_json_with_arms(const lt_surv_json_options *o, const lt_surv_data *d,
                                 const char *arms_json, lt_buf *out, lt_error *err)
{
    lt_buf b = LT_BUF_INIT;
    lt_status rc = lt_surv_json(o, d, &b, err);
    if (rc == LT_OK) {
        /* the arms first, so that a reader knows which arm is the reference before the
         * figures that compare against it */
        lt_buf_printf(out, "{\"arms\":%s,", arms_json);
        lt_buf_puts(out, lt_buf_str(&b) + 1);
        if (lt_buf_failed(out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    lt_buf_free(&b);
    return rc;
}
