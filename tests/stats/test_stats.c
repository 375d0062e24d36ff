/* Survival estimation against R: every number in data/reference.txt was computed by R 4.2 with
 * survival 3.5-3 (tests/stats/make_reference.R) on lung.csv and on this folder's data sets;
 * the library must agree to a relative 1e-6. Also the CSV reader's errors, timefix, the
 * signed log-rank statistic and thread-independence of the Cox fit. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/stats.h"
#include "../../src/stats/surv_internal.h"

#define REL 1e-6

static char *ref_text;
static char src_dir[512], shared_dir[512];

/* The values of one reference line ("key v1 v2 ..."); NA reads as NAN. */
static size_t ref(const char *key, double *v, size_t max)
{
    size_t klen = strlen(key);
    for (const char *p = ref_text; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (!strncmp(p, key, klen) && p[klen] == ' ') {
            size_t n = 0;
            const char *q = p + klen;
            while (q < (eol ? eol : q + strlen(q)) && n < max) {
                while (*q == ' ')
                    q++;
                if (!strncmp(q, "NA", 2)) {
                    v[n++] = NAN;
                    q += 2;
                } else {
                    char *end;
                    v[n++] = strtod(q, &end);
                    if (end == q) break;
                    q = end;
                }
            }
            return n;
        }
        p = eol ? eol + 1 : NULL;
    }
    printf("FAIL reference key %s missing\n", key);
    lt_test_failed++;
    return 0;
}

/* Compares got[0..n) with the reference line key, NA matching NaN. */
static void check_vec(const char *key, const double *got, size_t n, double rel)
{
    double *want = malloc((n + 1) * sizeof *want);
    size_t m = ref(key, want, n + 1);
    CHECK_MSG(m == n, "%s: %zu values, reference has %zu", key, n, m);
    for (size_t i = 0; i < n && i < m; i++) {
        if (isnan(want[i])) {
            CHECK_MSG(isnan(got[i]), "%s[%zu] = %.10g, R has NA", key, i, got[i]);
            continue;
        }
        if (isinf(want[i])) {
            CHECK_MSG(got[i] == want[i], "%s[%zu] = %.10g, R has %g", key, i, got[i], want[i]);
            continue;
        }
        double tol = want[i] == 0 ? rel : rel * fabs(want[i]);
        CHECK_MSG(fabs(got[i] - want[i]) <= tol, "%s[%zu] = %.12g, R has %.12g (rel %g)", key, i,
                  got[i], want[i], rel);
    }
    free(want);
}

static lt_surv_data *load(const char *path, const char *group, const char *strata,
                          const char *cluster, const char *covs)
{
    static const char *cv[8];
    static char buf[256];
    size_t nc = 0;
    if (covs) {
        snprintf(buf, sizeof buf, "%s", covs);
        for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
            cv[nc++] = t;
    }
    lt_surv_spec spec = {.time = "time",
                         .event = "event",
                         .group = group,
                         .strata = strata,
                         .cluster = cluster,
                         .covariates = cv,
                         .ncovariates = nc};
    lt_surv_data *d = NULL;
    lt_error err = {0};
    if (lt_surv_data_read_csv(path, &spec, &d, &err) != LT_OK)
        printf("cannot load %s: %s: %s\n", path, err.where, err.message);
    CHECK(d != NULL);
    return d;
}

static void check_km(const char *prefix, const lt_surv_data *d, lt_conf_type type,
                     const double *times, size_t ntimes)
{
    lt_km *km = NULL;
    lt_error err = {0};
    CHECK_INT(lt_km_fit(d, type, 0.95, &km, &err), LT_OK);
    if (!km) return;
    char key[200];
    for (size_t i = 0; i < km->ncurves; i++) {
        const lt_km_curve *c = &km->curves[i];
#define K(s) (snprintf(key, sizeof key, "%s.%zu.%s", prefix, i + 1, s), key)
        check_vec(K("time"), c->time, c->ntimes, REL);
        check_vec(K("n.risk"), c->n_risk, c->ntimes, REL);
        check_vec(K("n.event"), c->n_event, c->ntimes, REL);
        check_vec(K("surv"), c->surv, c->ntimes, REL);
        check_vec(K("std.err"), c->std_err, c->ntimes, REL);
        check_vec(K("lower"), c->lower, c->ntimes, REL);
        check_vec(K("upper"), c->upper, c->ntimes, REL);
        double med[3] = {c->median, c->median_lower, c->median_upper};
        check_vec(K("median"), med, 3, REL);
        if (ntimes) {
            double v[6][16];
            double prev = -INFINITY;
            for (size_t k = 0; k < ntimes; k++) {
                lt_km_point pt;
                lt_km_at(c, prev, times[k], &pt);
                prev = times[k];
                v[0][k] = pt.n_risk;
                v[1][k] = pt.n_event;
                v[2][k] = pt.surv;
                v[3][k] = pt.std_err;
                v[4][k] = pt.lower;
                v[5][k] = pt.upper;
            }
            check_vec(K("at.n.risk"), v[0], ntimes, REL);
            check_vec(K("at.n.event"), v[1], ntimes, REL);
            check_vec(K("at.surv"), v[2], ntimes, REL);
            check_vec(K("at.std.err"), v[3], ntimes, REL);
            check_vec(K("at.lower"), v[4], ntimes, REL);
            check_vec(K("at.upper"), v[5], ntimes, REL);
        }
#undef K
    }
    /* no curve beyond those R has */
    snprintf(key, sizeof key, "%s.%zu.time", prefix, km->ncurves + 1);
    CHECK_MSG(!strstr(ref_text, key), "R has more curves than %zu for %s", km->ncurves, prefix);
    lt_km_free(km);
}

static void check_logrank(const char *prefix, const lt_surv_data *d)
{
    lt_logrank *lr = NULL;
    CHECK_INT(lt_logrank_test(d, &lr, NULL), LT_OK);
    if (!lr) return;
    char key[200];
    snprintf(key, sizeof key, "%s.chisq", prefix);
    check_vec(key, &lr->chisq, 1, REL);
    snprintf(key, sizeof key, "%s.observed", prefix);
    check_vec(key, lr->observed, lr->ngroups, REL);
    snprintf(key, sizeof key, "%s.expected", prefix);
    check_vec(key, lr->expected, lr->ngroups, REL);
    snprintf(key, sizeof key, "%s.var", prefix);
    /* R stores the matrix by column; it is symmetric */
    check_vec(key, lr->var, lr->ngroups * lr->ngroups, 1e-6);
    /* the chi-square tail in closed form: df 1 erfc(sqrt(x/2)), df 2 exp(-x/2) */
    if (lr->df == 1) CHECK_REL(lr->p, erfc(sqrt(lr->chisq / 2)), 1e-10);
    if (lr->df == 2) CHECK_REL(lr->p, exp(-lr->chisq / 2), 1e-10);
    lt_logrank_free(lr);
}

static void check_cox(const char *prefix, const lt_surv_data *d, lt_ties ties)
{
    lt_cox_options o;
    lt_cox_options_default(&o);
    o.ties = ties;
    lt_cox *c = NULL;
    lt_error err = {0};
    CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_OK);
    if (!c) {
        printf("  %s: %s\n", prefix, err.message);
        return;
    }
    CHECK(c->converged);
    char key[200];
#define K(s) (snprintf(key, sizeof key, "%s.%s", prefix, s), key)
    check_vec(K("coef"), c->coef, c->p, REL);
    check_vec(K("se"), c->se, c->p, REL);
    if (c->robust_se) check_vec(K("robust_se"), c->robust_se, c->p, REL);
    check_vec(K("lower"), c->lower, c->p, REL);
    check_vec(K("upper"), c->upper, c->p, REL);
    check_vec(K("p"), c->pvalue, c->p, 1e-5);
    check_vec(K("loglik"), c->loglik, 2, REL);
    check_vec(K("lr"), &c->lr_test, 1, REL);
    check_vec(K("wald"), &c->wald_test, 1, REL);
    check_vec(K("score"), &c->score_test, 1, REL);
    double nn[2] = {(double)c->n, (double)c->nevent};
    check_vec(K("n"), nn, 2, 0);
    /* R warns of an infinite coefficient only for the monotone-likelihood case */
    bool mono = strncmp(prefix, "mono.", 5) == 0;
    for (size_t j = 0; j < c->p; j++)
        CHECK_MSG(c->infinite[j] == mono, "%s: coefficient %zu infinite flag %d", prefix, j,
                  (int)c->infinite[j]);
#undef K
    lt_cox_free(c);
}

static void check_rmst(const char *prefix, const lt_surv_data *d, double tau)
{
    lt_km *km = NULL;
    lt_rmst *r = NULL;
    CHECK_INT(lt_km_fit(d, LT_CONF_LOG, 0.95, &km, NULL), LT_OK);
    CHECK_INT(lt_rmst_fit(km, tau, &r, NULL), LT_OK);
    if (r) {
        double v[16], s[16];
        for (size_t i = 0; i < r->ncurves && i < 16; i++) {
            v[i] = r->curves[i].rmst;
            s[i] = r->curves[i].se;
        }
        char key[200];
        snprintf(key, sizeof key, "%s.rmean", prefix);
        check_vec(key, v, r->ncurves, REL);
        snprintf(key, sizeof key, "%s.se", prefix);
        check_vec(key, s, r->ncurves, REL);
        if (r->ncurves > 1) {
            CHECK_REL(r->diff[1], v[1] - v[0], 1e-12);
            CHECK_REL(r->diff_se[1], sqrt(s[0] * s[0] + s[1] * s[1]), 1e-12);
        }
    }
    lt_rmst_free(r);
    lt_km_free(km);
}

/* ---------------------------------------------------------------------------------------- */

static lt_status parse_text(const char *text, const lt_surv_spec *spec, lt_surv_data **d,
                            lt_error *err)
{
    char *copy = strdup(text);
    lt_status st = lt_surv_data_parse_csv(copy, strlen(copy), "t.csv", spec, d, err);
    free(copy);
    return st;
}

static void test_csv_errors(void)
{
    lt_surv_spec spec = {.time = "time", .event = "status"};
    lt_surv_data *d = NULL;
    lt_error err = {0};
    /* unknown column: the message lists the columns */
    CHECK_INT(parse_text("time,event,arm\n1,1,a\n", &spec, &d, &err), LT_ENOTFOUND);
    CHECK(strstr(err.message, "\"status\"") && strstr(err.message, "\"time\", \"event\", \"arm\""));
    CHECK(d == NULL);
    spec.event = "event";
    /* a malformed number names the line and the column */
    CHECK_INT(parse_text("time,event\n1,1\n2x,0\n", &spec, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:3: time");
    CHECK(strstr(err.message, "\"2x\"") != NULL);
    CHECK_INT(parse_text("time,event\n1,1\n-2,0\n", &spec, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:3: time");
    CHECK_INT(parse_text("time,event\n1,1\n2,3\n", &spec, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:3: event");
    /* mixing the 0/1 and 1/2 codings */
    CHECK_INT(parse_text("time,event\n1,0\n2,2\n", &spec, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:2: event");
    CHECK(strstr(err.message, "line 3") != NULL);
    /* a short row */
    CHECK_INT(parse_text("time,event\n1,1\n2\n", &spec, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:3");
    /* an unterminated quote from the CSV reader */
    CHECK_INT(parse_text("time,event\n1,\"1\n", &spec, &d, &err), LT_EPARSE);
    /* a covariate that is not a number */
    const char *cv[] = {"age"};
    lt_surv_spec s2 = {.time = "time", .event = "event", .covariates = cv, .ncovariates = 1};
    CHECK_INT(parse_text("time,event,age\n1,1,60\n2,0,old\n", &s2, &d, &err), LT_EPARSE);
    CHECK_STR(err.where, "t.csv:3: age");
    CHECK(d == NULL);
    /* missing values drop rows and are counted; 1/2 coding; TRUE/FALSE */
    CHECK_INT(parse_text("time,event,age\n1,2,60\n2,1,NA\n3,1,\n4,2,55\n", &s2, &d, &err), LT_OK);
    if (d) {
        CHECK_INT(d->n, 2);
        CHECK_INT(d->ndropped, 2);
        CHECK_INT(d->event[0], 1);
        CHECK_INT(d->event[1], 1);
        CHECK_REL(d->x[1], 55, 0);
    }
    lt_surv_data_free(d);
    d = NULL;
    CHECK_INT(parse_text("time,event\n1,TRUE\n2,FALSE\n", &spec, &d, &err), LT_OK);
    if (d) CHECK(d->event[0] == 1 && d->event[1] == 0);
    lt_surv_data_free(d);
    d = NULL;
    /* everything missing */
    CHECK_INT(parse_text("time,event\nNA,1\n", &spec, &d, &err), LT_ESCHEMA);
    /* levels ordered numerically when numeric, by bytes otherwise */
    lt_surv_spec s3 = {.time = "time", .event = "event", .group = "g"};
    CHECK_INT(parse_text("time,event,g\n1,1,10\n2,1,9\n3,0,10\n", &s3, &d, &err), LT_OK);
    if (d) {
        CHECK_INT(d->ngroups, 2);
        CHECK_STR(d->group_labels[0], "9");
        CHECK_INT(d->group[0], 1);
    }
    lt_surv_data_free(d);
    d = NULL;
    CHECK_INT(parse_text("time,event,g\n1,1,b\n2,1,a\n3,0,B\n", &s3, &d, &err), LT_OK);
    if (d) {
        CHECK_INT(d->ngroups, 3);
        CHECK_STR(d->group_labels[0], "B");
        CHECK_STR(d->group_labels[2], "b");
    }
    lt_surv_data_free(d);
    /* numbers: the fast parser agrees with strtod on awkward inputs */
    const char *nums[] = {
        "0.1",     "123456789012345678",     "1e-5",   "2.5E3", "-0", "0.30000000000000004",
        "7.0e+22", "1.7976931348623157e308", "1e-300", "  12"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "time,event\n%s,1\n", nums[i]);
        d = NULL;
        lt_status st = parse_text(line, &spec, &d, &err);
        double want = strtod(nums[i], NULL);
        if (want < 0 || want == 0) want = 0;
        CHECK_MSG(st == LT_OK && d && d->time[0] == want, "parsing %s", nums[i]);
        lt_surv_data_free(d);
    }
}

/* The internal sort against qsort on three kinds of times: ties (the quick path's short runs),
 * continuous, and crowded within 1 part in 2^21 (the full-digit fallback); with an outer key. */
typedef struct ref_item {
    double t;
    uint32_t outer, idx;
} ref_item;

static int cmp_ref(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    if (x->outer != y->outer) return x->outer < y->outer ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx; /* stable */
}

static void test_sort(void)
{
    size_t n = 20000;
    double *t = malloc(n * sizeof *t);
    uint32_t *tag = malloc(n * sizeof *tag);
    ref_item *ref = malloc(n * sizeof *ref);
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (int kind = 0; kind < 3; kind++) {
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            double u = (double)(s >> 11) / 9007199254740992.0;
            t[i] = kind == 0 ? floor(u * 50) : kind == 1 ? u * 1000 : 1e6 + u * 0.4;
            tag[i] = (uint32_t)((s >> 3) % 3) << 1 | (uint32_t)(s & 1);
            ref[i] = (ref_item){t[i], tag[i] >> 1, (uint32_t)i};
        }
        qsort(ref, n, sizeof *ref, cmp_ref);
        lt__surv_sorted srt;
        CHECK_INT(lt__surv_sort(t, tag, n, 1, &srt, NULL), LT_OK);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++)
            if (srt.idx[i] != ref[i].idx || srt.time[i] != ref[i].t ||
                srt.tag[i] != tag[ref[i].idx])
                bad++;
        CHECK_MSG(bad == 0, "sort kind %d: %zu of %zu rows out of place", kind, bad, n);
        lt__surv_sorted_free(&srt);
    }
    free(t);
    free(tag);
    free(ref);
}

static void test_timefix(void)
{
    double t[6] = {3, 1, 1 + 1e-10, 2, 3 - 1e-10, 2 + 1e-3};
    CHECK_INT(lt_surv_timefix(t, 6, NULL), LT_OK);
    CHECK(t[1] == 1 && t[2] == 1);
    CHECK(t[0] == 3 - 1e-10 && t[4] == 3 - 1e-10); /* merged onto the smaller */
    CHECK(t[3] == 2 && t[5] == 2 + 1e-3);          /* a real difference stays */
}

static void test_logrank_z_and_threads(const lt_surv_data *lung)
{
    double z;
    CHECK_INT(lt_logrank_z(lung, &z, NULL), LT_OK);
    lt_logrank *lr = NULL;
    CHECK_INT(lt_logrank_test(lung, &lr, NULL), LT_OK);
    if (lr) {
        CHECK_REL(z * z, lr->chisq, 1e-12);
        CHECK(z < 0); /* sex=2 has fewer deaths than expected */
    }
    lt_logrank_free(lr);

    /* a long data set so the Cox walk is split; one thread and two must agree exactly */
    size_t n = 300000;
    lt_surv_data *d = NULL;
    CHECK_INT(lt_surv_data_new(n, 2, &d, NULL), LT_OK);
    if (!d) return;
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double u1 = (double)(s >> 11) / 9007199254740992.0;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double u2 = (double)(s >> 11) / 9007199254740992.0;
        d->x[2 * i] = (double)(i % 2);
        d->x[2 * i + 1] = u2 - 0.5;
        double rate = exp(-0.5 * d->x[2 * i] + 1.0 * d->x[2 * i + 1]);
        d->time[i] = floor(-log(1 - u1) / rate * 100) + 1; /* ties */
        d->event[i] = d->time[i] < 150;
        if (!d->event[i]) d->time[i] = 150;
    }
    lt_cox_options o;
    lt_cox_options_default(&o);
    lt_cox *c1 = NULL, *c2 = NULL;
    o.threads = 1;
    CHECK_INT(lt_cox_fit(d, &o, &c1, NULL), LT_OK);
    o.threads = 2;
    CHECK_INT(lt_cox_fit(d, &o, &c2, NULL), LT_OK);
    if (c1 && c2) {
        CHECK(c1->coef[0] == c2->coef[0] && c1->coef[1] == c2->coef[1]);
        CHECK(c1->loglik[1] == c2->loglik[1]);
        /* and the estimate is near the truth it was simulated from */
        CHECK_ABS(c1->coef[0], -0.5, 0.02);
        CHECK_ABS(c1->coef[1], 1.0, 0.03);
    }
    lt_cox_free(c1);
    lt_cox_free(c2);
    lt_surv_data_free(d);
}

/* A data set filled by hand, as a simulation does: the estimators check it before use. */
static void test_hand_filled(void)
{
    lt_surv_data *d = NULL;
    CHECK_INT(lt_surv_data_new(6, 1, &d, NULL), LT_OK);
    if (!d) return;
    d->ngroups = 2;
    for (size_t i = 0; i < 6; i++) {
        d->time[i] = (double)(i + 1);
        d->event[i] = i != 5;
        d->group[i] = (int)(i % 2);
        d->x[i] = (double)(i % 2);
    }
    lt_logrank *lr = NULL;
    lt_error err = {0};
    CHECK_INT(lt_logrank_test(d, &lr, &err), LT_OK);
    if (lr) {
        /* by hand: deaths at 1..5 alternate groups 0,1,0,1,0; n at risk 6,5,4,3,2 with group 0
         * holding 3,2,2,1,1: E0 = 3/6 + 2/5 + 2/4 + 1/3 + 1/2 */
        CHECK_REL(lr->expected[0], 0.5 + 0.4 + 0.5 + 1.0 / 3 + 0.5, 1e-12);
        CHECK_REL(lr->observed[0], 3, 0);
    }
    lt_logrank_free(lr);
    d->group[3] = 2; /* outside [0, ngroups) */
    lr = NULL;
    CHECK_INT(lt_logrank_test(d, &lr, &err), LT_EINVAL);
    CHECK(strstr(err.message, "row 3: group index 2") != NULL);
    CHECK(lr == NULL);
    d->group[3] = 1;
    d->time[2] = NAN;
    lt_km *km = NULL;
    CHECK_INT(lt_km_fit(d, LT_CONF_LOG, 0.95, &km, &err), LT_EINVAL);
    CHECK(strstr(err.message, "row 2: expected a time") != NULL);
    d->time[2] = 3;
    d->event[1] = 2;
    lt_cox *c = NULL;
    CHECK_INT(lt_cox_fit(d, NULL, &c, &err), LT_EINVAL);
    CHECK(strstr(err.message, "row 1: expected an event flag") != NULL);
    CHECK(c == NULL);
    lt_surv_data_free(d);
}

/* The Cox fit checks its rows on a second thread while it sorts: every check error, and the
 * no-event error, must come out as with one thread, and no model must be returned. */
static void test_cox_check_threads(void)
{
    lt_surv_data *d = NULL;
    CHECK_INT(lt_surv_data_new(8, 2, &d, NULL), LT_OK);
    if (!d) return;
    for (size_t i = 0; i < 8; i++) {
        d->time[i] = (double)(i + 1);
        d->event[i] = i % 3 != 2;
        d->x[2 * i] = (double)(i % 2);
        d->x[2 * i + 1] = (double)i / 8;
    }
    for (int threads = 1; threads <= 2; threads++) {
        lt_cox_options o;
        lt_cox_options_default(&o);
        o.threads = threads;
        lt_error err = {0};
        lt_cox *c = NULL;
        CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_OK);
        lt_cox_free(c);
        c = NULL;
        d->time[4] = -1;
        CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_EINVAL);
        CHECK(strstr(err.message, "row 4: expected a time >= 0") != NULL);
        CHECK(c == NULL);
        d->time[4] = 5;
        d->x[2 * 6 + 1] = NAN;
        CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_EINVAL);
        CHECK(strstr(err.message, "row 6: covariate 2 is not a finite number") != NULL);
        CHECK(c == NULL);
        d->x[2 * 6 + 1] = 0.75;
        d->stratum[7] = 1; /* nstrata is 1 */
        CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_EINVAL);
        CHECK(strstr(err.message, "row 7: stratum index 1") != NULL);
        CHECK(c == NULL);
        d->stratum[7] = 0;
        int ev[8];
        for (size_t i = 0; i < 8; i++)
            ev[i] = d->event[i], d->event[i] = 0;
        CHECK_INT(lt_cox_fit(d, &o, &c, &err), LT_ENUMERIC);
        CHECK(strstr(err.message, "no events") != NULL);
        CHECK(c == NULL);
        for (size_t i = 0; i < 8; i++)
            d->event[i] = ev[i];
    }
    lt_surv_data_free(d);
}

static void test_svg(const lt_surv_data *lung)
{
    lt_km *km = NULL;
    CHECK_INT(lt_km_fit(lung, LT_CONF_LOG, 0.95, &km, NULL), LT_OK);
    if (!km) return;
    lt_buf b = LT_BUF_INIT;
    lt_km_svg_options o = {.conf_bands = true, .title = "Lung <cancer> & sex"};
    CHECK_INT(lt_km_svg(km, &o, &b, NULL), LT_OK);
    const char *svg = lt_buf_str(&b);
    CHECK(strstr(svg, "<svg") && strstr(svg, "</svg>"));
    CHECK(strstr(svg, "Lung &lt;cancer&gt; &amp; sex") != NULL);
    CHECK(strstr(svg, "Number at risk") != NULL);
    /* the risk table's first column is each curve's size: 138 and 90 at time 0 */
    CHECK(strstr(svg, ">138</text>") && strstr(svg, ">90</text>"));
    CHECK(strstr(svg, "fill-opacity") != NULL);
    lt_buf_free(&b);
    lt_km_free(km);
}

/* Exact (Clopper-Pearson) intervals against R's binom.test (R 4.x, printed to 7 significant
 * digits): binom.test(3, 10)$conf.int is 0.06673951 0.65245285, binom.test(0, 10) 0 0.3084971,
 * binom.test(10, 10) 0.6915029 1. Tolerance 1e-7, absolute: the printed digits. Then the
 * defining property for every x of n up to 30, checked with GSL's binomial CDF (not the beta
 * quantile the code uses): at p = lower, P(X >= x) = alpha/2; at p = upper, P(X <= x) = alpha/2;
 * and the interval of n - x is the mirror image of that of x. */
static void test_binom_exact(void)
{
    static const struct {
        long x, n;
        double lower, upper;
    } r[] = {{3, 10, 0.06673951, 0.65245285}, {0, 10, 0, 0.3084971}, {10, 10, 0.6915029, 1}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        lt_binom_ci ci;
        CHECK_INT(lt_binom_exact_ci(r[i].x, r[i].n, 0.95, &ci, NULL), LT_OK);
        CHECK_ABS(ci.lower, r[i].lower, 1e-7);
        CHECK_ABS(ci.upper, r[i].upper, 1e-7);
        CHECK_ABS(ci.estimate, (double)r[i].x / (double)r[i].n, 1e-15);
    }
    for (long n = 1; n <= 30; n++)
        for (long x = 0; x <= n; x++) {
            lt_binom_ci ci, mirror;
            CHECK_INT(lt_binom_exact_ci(x, n, 0.95, &ci, NULL), LT_OK);
            CHECK_INT(lt_binom_exact_ci(n - x, n, 0.95, &mirror, NULL), LT_OK);
            CHECK(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
            CHECK_ABS(ci.lower, 1 - mirror.upper, 1e-9);
            if (x > 0)
                CHECK_ABS(gsl_cdf_binomial_Q((unsigned)(x - 1), ci.lower, (unsigned)n), 0.025, 1e-9);
            if (x < n)
                CHECK_ABS(gsl_cdf_binomial_P((unsigned)x, ci.upper, (unsigned)n), 0.025, 1e-9);
        }
    lt_binom_ci ci;
    lt_error err;
    CHECK_INT(lt_binom_exact_ci(0, 0, 0.95, &ci, &err), LT_EINVAL);
    CHECK_INT(lt_binom_exact_ci(11, 10, 0.95, &ci, &err), LT_EINVAL);
    CHECK_INT(lt_binom_exact_ci(-1, 10, 0.95, &ci, &err), LT_EINVAL);
    CHECK_INT(lt_binom_exact_ci(3, 10, 1.0, &ci, &err), LT_EINVAL);
}

int main(void)
{
    test_binom_exact();
    const char *src = getenv("SRC"), *shared = getenv("SHARED");
    snprintf(src_dir, sizeof src_dir, "%s", src ? src : ".");
    snprintf(shared_dir, sizeof shared_dir, "%s", shared ? shared : "../shared");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/stats/data/reference.txt", src_dir);
    size_t len;
    if (lt_file_read(path, &ref_text, &len, NULL) != LT_OK) {
        printf("FAIL cannot read %s\n", path);
        return 1;
    }
    char lung_path[1024], sim[1024], flat[1024], near[1024];
    snprintf(lung_path, sizeof lung_path, "%s/reference/lung.csv", shared_dir);
    snprintf(sim, sizeof sim, "%s/tests/stats/data/sim.csv", src_dir);
    snprintf(flat, sizeof flat, "%s/tests/stats/data/flat.csv", src_dir);
    snprintf(near, sizeof near, "%s/tests/stats/data/near.csv", src_dir);

    lt_surv_data *lung = load(lung_path, "sex", NULL, NULL, NULL);
    lt_surv_data *lung1 = load(lung_path, NULL, NULL, NULL, NULL);
    lt_surv_data *lung_sa = load(lung_path, NULL, NULL, NULL, "sex,age");
    lt_surv_data *lung_e = load(lung_path, NULL, NULL, NULL, "sex,age,ph.ecog");
    lt_surv_data *lung_st = load(lung_path, "sex", "ph.ecog", NULL, "sex,age");
    if (!lung || !lung1 || !lung_sa || !lung_e || !lung_st) return lt_test_done();
    double lt_times[] = {180, 365, 730};
    check_km("lung.km.log", lung, LT_CONF_LOG, lt_times, 3);
    check_km("lung.km.loglog", lung, LT_CONF_LOGLOG, lt_times, 3);
    check_km("lung.km.plain", lung, LT_CONF_PLAIN, NULL, 0);
    check_km("lung.km.all", lung1, LT_CONF_LOG, NULL, 0);
    check_logrank("lung.logrank", lung);
    check_logrank("lung.logrank.strat", lung_st);
    check_cox("lung.cox.efron", lung_sa, LT_TIES_EFRON);
    check_cox("lung.cox.breslow", lung_sa, LT_TIES_BRESLOW);
    check_cox("lung.cox.ecog", lung_e, LT_TIES_EFRON);
    CHECK_INT(lung_e->ndropped, 1);
    check_cox("lung.cox.strata", lung_st, LT_TIES_EFRON);
    check_rmst("lung.rmst.365", lung, 365);
    check_rmst("lung.rmst.730", lung, 730);

    lt_surv_data *s_arm = load(sim, "arm", NULL, NULL, NULL);
    lt_surv_data *s_strat = load(sim, "arm", "stratum", NULL, NULL);
    lt_surv_data *s_cov = load(sim, NULL, NULL, NULL, "age,ki67");
    lt_surv_data *s_clu = load(sim, NULL, NULL, "site", "age,ki67");
    lt_surv_data *s_cst = load(sim, NULL, "stratum", NULL, "age,ki67");
    if (s_arm && s_strat && s_cov && s_clu && s_cst) {
        double st[] = {50, 100, 200};
        check_km("sim.km.log", s_arm, LT_CONF_LOG, st, 3);
        check_km("sim.km.loglog", s_arm, LT_CONF_LOGLOG, NULL, 0);
        check_km("sim.km.strata", s_strat, LT_CONF_LOG, NULL, 0);
        check_logrank("sim.logrank", s_arm);
        check_logrank("sim.logrank.strat", s_strat);
        check_cox("sim.cox.efron", s_cov, LT_TIES_EFRON);
        check_cox("sim.cox.breslow", s_cov, LT_TIES_BRESLOW);
        check_cox("sim.cox.cluster", s_clu, LT_TIES_EFRON);
        check_cox("sim.cox.cluster.breslow", s_clu, LT_TIES_BRESLOW);
        check_cox("sim.cox.strata", s_cst, LT_TIES_EFRON);
        check_rmst("sim.rmst.200", s_arm, 200);
        /* robust without a cluster column: each row its own cluster */
        lt_cox_options o;
        lt_cox_options_default(&o);
        o.robust = true;
        lt_cox *c = NULL;
        CHECK_INT(lt_cox_fit(s_cov, &o, &c, NULL), LT_OK);
        if (c && c->robust_se) check_vec("sim.cox.robust.robust_se", c->robust_se, 2, REL);
        CHECK(c && c->robust_se);
        lt_cox_free(c);
    }
    char mono[1024];
    snprintf(mono, sizeof mono, "%s/tests/stats/data/mono.csv", src_dir);
    lt_surv_data *d_mono = load(mono, NULL, NULL, NULL, "x");
    if (d_mono) check_cox("mono.cox.efron", d_mono, LT_TIES_EFRON);
    lt_surv_data_free(d_mono);
    lt_surv_data *d_flat = load(flat, NULL, NULL, NULL, NULL);
    lt_surv_data *d_near = load(near, NULL, NULL, NULL, "x");
    if (d_flat) check_km("flat.km.log", d_flat, LT_CONF_LOG, NULL, 0);
    if (d_near) {
        check_km("near.km.log", d_near, LT_CONF_LOG, NULL, 0);
        check_cox("near.cox.efron", d_near, LT_TIES_EFRON);
    }

    test_csv_errors();
    test_timefix();
    test_sort();
    test_hand_filled();
    test_cox_check_threads();
    test_logrank_z_and_threads(lung);
    test_svg(lung);

    lt_surv_data_free(lung);
    lt_surv_data_free(lung1);
    lt_surv_data_free(lung_sa);
    lt_surv_data_free(lung_e);
    lt_surv_data_free(lung_st);
    lt_surv_data_free(s_arm);
    lt_surv_data_free(s_strat);
    lt_surv_data_free(s_cov);
    lt_surv_data_free(s_clu);
    lt_surv_data_free(s_cst);
    lt_surv_data_free(d_flat);
    lt_surv_data_free(d_near);
    free(ref_text);
    return lt_test_done();
}
