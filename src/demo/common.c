/* What every trial's demonstration does the same way (src/demo/demo_int.h): the trial with
 * its sites and users, enrolment through screening to allocation, a laboratory panel, a dose
 * decision and an administration on a route, adverse events, files beside the database and
 * the comparison of two arms with the design's reference arm as reference. */
#include <gsl/gsl_rng.h>
#include <sodium.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo_int.h"
#include "lutetia/file.h"
#include "lutetia/json.h"
#include "lutetia/patient.h"
#include "lutetia/stats.h"

double lt__demo_unif(lt__demo *d, double a, double b)
{
    return a + (b - a) * gsl_rng_uniform(d->rng);
}

int lt__demo_int(lt__demo *d, int a, int b)
{
    return a + (int)gsl_rng_uniform_int(d->rng, (unsigned long)((long)b - a + 1));
}

lt_time lt__demo_at(lt_date day, int h, int m)
{
    return (lt_time)day * 86400 + (lt_time)h * 3600 + (lt_time)m * 60;
}

/* ---- the trial, its sites, users and handles ---- */

static lt_status open_actor(lt__demo *d, const char *user, lt__demo_actor *a, lt_error *err)
{
    lt_status rc = lt_trial_open(d->work_db, user, &a->t, err);
    if (rc == LT_OK) rc = lt_trial_set_key_file(a->t, d->key_file, err);
    if (rc == LT_OK) rc = lt_conduct_new(a->t, NULL, &a->c, err);
    return rc;
}

static void close_actor(lt__demo_actor *a)
{
    lt_conduct_free(a->c);
    lt_trial_close(a->t);
    a->c = NULL;
    a->t = NULL;
}

void lt__demo_close(lt__demo *d)
{
    for (int s = 0; s < LT__DEMO_MAX_SITES; s++) {
        close_actor(&d->coord[s]);
        close_actor(&d->inv[s]);
        close_actor(&d->nm[s]);
    }
    close_actor(&d->stat);
}

lt_status lt__demo_setup(lt__demo *d, const char *const *codes, const char *const *names,
                         int nsites, lt_error *err)
{
    if (nsites < 1 || nsites > LT__DEMO_MAX_SITES)
        LT_FAIL(err, LT_EINVAL, "demo", "1 to 4 sites, not %d", nsites);
    d->nsites = nsites;
    d->site_codes = codes;
    /* the trial's randomisation seed from the demo's seed, so allocations are reproducible */
    unsigned char seed[LT_STORE_SEED_BYTES], msg[32] = "lutetia/demo/v1:";
    for (int i = 0; i < 8; i++)
        msg[16 + i] = (unsigned char)(d->o->seed >> (8 * i));
    crypto_hash_sha256(seed, msg, 24);
    /* the key goes where the finished database will be (the work file may be a scratch copy) */
    lt_trial_init init = {.protocol = d->o->protocol,
                          .admin = "admin",
                          .seed = seed,
                          .admin_os_user = d->o->os_user,
                          .key_file = d->key_file};
    lt_status rc = lt_trial_create_with(d->work_db, &init, err);
    if (rc != LT_OK) return rc;
    lt_trial *admin = NULL;
    rc = lt_trial_open(d->work_db, "admin", &admin, err);
    for (int s = 0; s < nsites && rc == LT_OK; s++)
        rc = lt_trial_site_add(admin, codes[s], names[s], err);
    static const char *const all[] = {"*"};
    /* every demo user is bound to the OS account that ran the demo, so that it can go on
     * with the command line as any of them (--user statistician) */
    const char *os[] = {d->o->os_user};
    size_t nos = d->o->os_user ? 1 : 0;
    for (int s = 0; s < nsites && rc == LT_OK; s++) {
        const char *site[] = {codes[s]};
        char name[32];
        snprintf(name, sizeof name, "coord-%s", codes[s]);
        rc = lt_trial_user_add_bound(admin, name, LT_ROLE_COORDINATOR, site, 1, os, nos, err);
        snprintf(name, sizeof name, "inv-%s", codes[s]);
        if (rc == LT_OK)
            rc = lt_trial_user_add_bound(admin, name, LT_ROLE_INVESTIGATOR, site, 1, os, nos, err);
        snprintf(name, sizeof name, "nm-%s", codes[s]);
        if (rc == LT_OK)
            rc = lt_trial_user_add_bound(admin, name, LT_ROLE_NUCLEAR_MEDICINE, site, 1, os, nos,
                                         err);
    }
    if (rc == LT_OK)
        rc = lt_trial_user_add_bound(admin, "statistician", LT_ROLE_STATISTICIAN, all, 1, os, nos,
                                     err);
    if (rc == LT_OK)
        rc = lt_trial_user_add_bound(admin, "monitor", LT_ROLE_MONITOR, all, 1, os, nos, err);
    lt_trial_close(admin);
    for (int s = 0; s < nsites && rc == LT_OK; s++) {
        char name[32];
        snprintf(name, sizeof name, "coord-%s", codes[s]);
        rc = open_actor(d, name, &d->coord[s], err);
        snprintf(name, sizeof name, "inv-%s", codes[s]);
        if (rc == LT_OK) rc = open_actor(d, name, &d->inv[s], err);
        snprintf(name, sizeof name, "nm-%s", codes[s]);
        if (rc == LT_OK) rc = open_actor(d, name, &d->nm[s], err);
    }
    if (rc == LT_OK) rc = open_actor(d, "statistician", &d->stat, err);
    return rc;
}

/* ---- enrolment ---- */

static void count_failures(lt__demo *d, const char *screening_json)
{
    lt_json *j = NULL;
    if (lt_json_parse(screening_json, strlen(screening_json), "screening", &j, NULL) != LT_OK)
        return;
    const lt_json *cs = lt_json_get(j, "criteria");
    for (const lt_json *c = lt_json_first(cs); c; c = lt_json_next(c)) {
        const char *id = lt_json_get_str(c, "id", "?");
        bool excl = !strcmp(lt_json_get_str(c, "kind", ""), "exclusion");
        const char *st = lt_json_get_str(c, "status", "");
        if (!((!excl && !strcmp(st, "not_met")) || (excl && !strcmp(st, "met")))) continue;
        int k = 0;
        while (k < d->nfail_ids && strcmp(d->fail_ids[k], id))
            k++;
        if (k == d->nfail_ids) {
            if (k == LT__DEMO_MAX_FAILS) continue;
            snprintf(d->fail_ids[k], sizeof d->fail_ids[k], "%s", id);
            d->nfail_ids++;
        }
        d->fail_counts[k]++;
    }
    lt_json_free(j);
}

int lt__demo_arm_index(const lt__demo *d, const char *arm)
{
    for (int i = 0; i < d->narms; i++)
        if (!strcmp(d->arm_ids[i], arm)) return i;
    return 0;
}

lt_status lt__demo_enrol(lt__demo *d, int site, const char *id, const lt_buf *json, lt_date screen,
                         const char *form_version, char arm[16], lt_error *err)
{
    arm[0] = '\0';
    lt_buf res = LT_BUF_INIT;
    lt_cohort *co = NULL;
    lt_status rc = lt_buf_failed(json) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                       : lt_cohort_new(&co, err);
    if (rc == LT_OK) rc = lt_cohort_read_mem(co, json->p, json->n, id, err);
    lt_verdict v = LT_VERDICT_NEEDS_REVIEW;
    if (rc == LT_OK)
        rc = lt_trial_enrol(d->coord[site].t, lt_cohort_patient(co, 0), d->site_codes[site], screen,
                            NULL, &v, &res, err);
    d->r.screened += rc == LT_OK;
    if (rc == LT_OK && v == LT_VERDICT_INELIGIBLE) {
        d->r.failed++;
        count_failures(d, lt_buf_str(&res));
    } else if (rc == LT_OK && v != LT_VERDICT_ELIGIBLE) {
        d->r.needs_review++;
    } else if (rc == LT_OK) {
        rc = lt_trial_consent(d->coord[site].t, id, screen, form_version, NULL, err);
        if (rc == LT_OK) rc = lt_trial_confirm(d->inv[site].t, id, screen, err);
        char *a = NULL;
        if (rc == LT_OK) rc = lt_trial_randomise_on(d->coord[site].t, id, screen, &a, NULL, err);
        if (rc == LT_OK) {
            snprintf(arm, 16, "%s", a);
            d->r.randomised++;
            d->r.per_arm[lt__demo_arm_index(d, a)]++;
        }
        free(a);
    }
    lt_cohort_free(co);
    lt_buf_free(&res);
    return rc;
}

void lt__demo_report_failures(const lt__demo *d, lt_buf *rep)
{
    if (!d->nfail_ids) return;
    lt_buf_puts(rep, "  failed criteria:");
    for (int i = 0; i < d->nfail_ids; i++)
        lt_buf_printf(rep, " %s x%d", d->fail_ids[i], d->fail_counts[i]);
    lt_buf_putc(rep, '\n');
}

/* ---- treatment ---- */

lt_status lt__demo_labs(lt__demo *d, int site, const char *patient, lt_date on,
                        const lt__demo_lab *labs, size_t n, int *worst, lt_error *err)
{
    if (worst) *worst = 0;
    for (size_t i = 0; i < n; i++) {
        lt_conduct_lab lab = {patient,      on,          labs[i].analyte, labs[i].value,
                              labs[i].unit, labs[i].lln, labs[i].uln};
        lt_grade g;
        lt_status rc = lt_conduct_lab_record(d->coord[site].c, &lab, NULL, &g, err);
        if (rc != LT_OK) return rc;
        d->r.labs++;
        d->r.toxic_labs += g.grade >= 1;
        if (worst && g.grade > *worst) *worst = g.grade;
    }
    return LT_OK;
}

lt_status lt__demo_decide(lt__demo *d, int site, const char *patient, int cycle, lt_date on,
                          lt_dosemod_decision *dec, lt_error *err)
{
    return lt_conduct_decide(d->inv[site].c, patient, cycle, on, dec, err);
}

lt_status lt__demo_administer(lt__demo *d, int site, const char *patient, int cycle, lt_date day,
                              double prescribed_mbq, lt_route route, const char *ssa_ack,
                              lt_error *err)
{
    lt_administration a;
    lt_administration_init(&a);
    snprintf(a.patient, sizeof a.patient, "%s", patient);
    snprintf(a.nuclide, sizeof a.nuclide, "Lu-177");
    a.cycle = cycle;
    a.route = route;
    a.prescribed_mbq = prescribed_mbq;
    a.calibration_time = lt__demo_at(day - 1, 12, 0);
    a.calibration_mbq = prescribed_mbq * lt__demo_unif(d, 1.10, 1.14);
    a.before_time = lt__demo_at(day, 8, 30);
    a.before_mbq = prescribed_mbq * lt__demo_unif(d, 1.005, 1.035);
    a.infusion_start = lt__demo_at(day, 9, 0);
    a.infusion_end = lt__demo_at(day, 9, 30);
    a.residual_time = lt__demo_at(day, 9, 45);
    a.residual_mbq = a.before_mbq * lt__demo_unif(d, 0.01, 0.03);
    a.amino_acids = true;
    a.amino_start = lt__demo_at(day, 8, 15);
    a.amino_end = lt__demo_at(day, 13, 0);
    a.last_ssa_long = lt__demo_at(day - (ssa_ack ? 21 : lt__demo_int(d, 29, 42)), 0, 0);
    a.no_ssa_short = true;
    if (ssa_ack) {
        lt_status rc = lt_administration_acknowledge(&a, "ssa_long_too_close", ssa_ack, err);
        if (rc != LT_OK) return rc;
        d->r.acknowledged++;
    }
    lt_administration_result res;
    lt_status rc = lt_conduct_administer(d->nm[site].c, &a, NULL, &res, err);
    if (rc == LT_OK) {
        d->r.administrations++;
        d->r.intra_arterial += route == LT_ROUTE_INTRA_ARTERIAL;
        d->r.activity_mbq += res.administered_mbq;
    }
    return rc;
}

void lt__demo_blame(lt_error *err, const char *patient)
{
    if (!err) return;
    char w[LT_ERROR_WHERE_MAX];
    snprintf(w, sizeof w, "demo patient %s: %.200s", patient, err->where);
    snprintf(err->where, sizeof err->where, "%s", w);
}

const char *lt__demo_arm_label(const lt__demo *d, const char *label, char *buf, size_t n)
{
    const char *id = !strncmp(label, "arm=", 4) ? label + 4 : label;
    const lt_protocol *p = d->stat.t ? lt_trial_protocol(d->stat.t) : NULL;
    for (size_t k = 0; p && k < lt_protocol_arm_count(p); k++) {
        const lt_arm *a = lt_protocol_arm(p, k);
        if (!strcmp(a->id, id) && a->name) {
            snprintf(buf, n, "%s (%s)", label, a->name);
            return buf;
        }
    }
    snprintf(buf, n, "%s", label);
    return buf;
}

lt_status lt__demo_adverse_event(lt__demo *d, int site, const char *patient, const char *term,
                                 int grade, lt_relatedness related, lt_date start, lt_date end,
                                 char id_out[LT_CONDUCT_ID_MAX], lt_error *err)
{
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.patient, sizeof e.patient, "%s", patient);
    snprintf(e.term, sizeof e.term, "%s", term);
    e.grade = grade;
    e.related = related;
    e.start = start;
    e.end = end;
    lt_status rc = lt_conduct_adverse_event(d->coord[site].c, &e, NULL, NULL, id_out, err);
    d->r.adverse_events += rc == LT_OK;
    return rc;
}

/* ---- output ---- */

lt_status lt__demo_write_out(lt__demo *d, const char *name, const char *data, size_t n,
                             lt_error *err)
{
    if (!d->o->out_dir) return LT_OK;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", d->o->out_dir, name);
    return lt_file_write(path, data, n, err);
}

/* ---- two arms compared ---- */

lt_status lt__demo_compare_arms(lt__demo *d, const char *endpoint, lt_date cutoff, lt_buf *csv,
                                lt_km **km, lt_error *err)
{
    if (d->narms != 2) LT_FAIL(err, LT_ESTATE, endpoint, "two arms are needed to compare them");
    /* the dataset's indicator column is the other arm's: the reference arm is its baseline
     * (lt_conduct_endpoint), so the ratio reads as the design states it */
    char col[32];
    snprintf(col, sizeof col, "arm_%s", d->arm_ids[d->control == 0 ? 1 : 0]);
    lt_status rc = lt_conduct_endpoint(d->stat.c, endpoint, cutoff, LT_CONDUCT_CSV, csv, err);
    if (rc == LT_OK && lt_buf_failed(csv)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    /* parsing overwrites its text: each fit reads its own copy */
    lt_buf a = LT_BUF_INIT, b = LT_BUF_INIT;
    if (rc == LT_OK) {
        lt_buf_put(&a, csv->p, csv->n);
        lt_buf_put(&b, csv->p, csv->n);
        if (lt_buf_failed(&a) || lt_buf_failed(&b))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    lt_surv_data *sd = NULL, *cx = NULL;
    lt_surv_spec spec = {.time = "time_months", .event = "event", .group = "arm"};
    if (rc == LT_OK) rc = lt_surv_data_parse_csv(a.p, a.n, endpoint, &spec, &sd, err);
    lt_km *fit = NULL;
    lt_logrank *lr = NULL;
    lt_cox *cox = NULL;
    if (rc == LT_OK) {
        for (size_t i = 0; i < sd->n; i++)
            d->r.dfs_events += sd->event[i];
        rc = lt_km_fit(sd, LT_CONF_LOG, 0.95, &fit, err);
    }
    if (rc == LT_OK) rc = lt_logrank_test(sd, &lr, err);
    const char *cov[] = {col};
    lt_surv_spec cspec = {
        .time = "time_months", .event = "event", .covariates = cov, .ncovariates = 1};
    if (rc == LT_OK) rc = lt_surv_data_parse_csv(b.p, b.n, endpoint, &cspec, &cx, err);
    if (rc == LT_OK) rc = lt_cox_fit(cx, NULL, &cox, err);
    if (rc == LT_OK) {
        d->r.logrank_chisq = lr->chisq;
        d->r.logrank_p = lr->p;
        d->r.hr = exp(cox->coef[0]);
        d->r.hr_lower = cox->lower[0];
        d->r.hr_upper = cox->upper[0];
        d->r.cox_p = cox->pvalue[0];
        if (km) {
            *km = fit;
            fit = NULL;
        }
    }
    lt_cox_free(cox);
    lt_logrank_free(lr);
    lt_km_free(fit);
    lt_surv_data_free(cx);
    lt_surv_data_free(sd);
    lt_buf_free(&a);
    lt_buf_free(&b);
    return rc;
}
