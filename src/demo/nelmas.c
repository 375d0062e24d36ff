/* NELMAS's demonstration (src/demo/demo_int.h): generates candidates, screens and randomises
 * them through the trial module, records their treatment and follow-up through the conduct
 * module as each site's staff would, then derives DFS and analyses it.
 *
 * The outcome model (stated in the report): disease-free survival from liver resection is
 * exponential with the protocol design's 3-year DFS, 25% in the control arm and 44% with
 * 177Lu-DOTATATE (hazard -ln S36 / 36 per month); the first event is a death without
 * recurrence with probability 0.10, otherwise a recurrence (liver 70%, extrahepatic 20%, both
 * 10%); after a recurrence, death follows an exponential time with a median of 30 months and
 * the next therapy starts 3-6 weeks later. Accrual is uniform over 24 months from 2021-01-04,
 * the data cut 36 months after accrual ends (2025-12-31). */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo_int.h"
#include "lutetia/stats.h"

#define NSITES 3
#define FAIL_P 0.15   /* share of candidates generated with a reason to fail screening */
#define DEATH_FIRST_P 0.10
#define POST_RECURRENCE_MEDIAN_MONTHS 30.0

static const char *const site_codes[NSITES] = {"S01", "S02", "S03"};
static const char *const site_names[NSITES] = {"London Imperial", "Uppsala University Hospital",
                                               "Berlin Charite"};

/* What NELMAS's story keeps beside the shared context. */
typedef struct demo {
    lt__demo *g;
    lt_date cutoff;
    bool reduced_done, ack_done;
    char reduced_patient[32], ack_patient[32], first_patient[32];
    lt_date last_dose; /* the current patient's last administration, or LT_DATE_NONE */
} demo;

static lt_date d0(void) { return lt_date_from_ymd(2021, 1, 4); }

static double unif(demo *d, double a, double b) { return lt__demo_unif(d->g, a, b); }
static int uint_(demo *d, int a, int b) { return lt__demo_int(d->g, a, b); }

static char *fmt(lt_date x, char *buf) { return lt_date_format(x, buf); }

/* ---- candidates ---- */

typedef enum fault { F_NONE = 0, F_R2, F_G3, F_PLATELETS, F_EXTRAHEPATIC, F_RECENT_SURGERY,
                     F_COUNT } fault;

typedef struct cand {
    char id[16];
    int site;
    lt_date born, resection, screen;
    bool female;
    double weight;
    const char *primary, *margin;
    fault f;
} cand;

/* The candidate as a native patient file (docs/patient-format.md), modelled on
 * examples/nelmas-01-eligible.json with dates relative to the resection and the screening. */
static void patient_json(const cand *c, lt_buf *b)
{
    char s[8][LT_DATE_STR_MAX];
    lt_date labs = c->screen - 3;
    fmt(c->born, s[0]);
    fmt(labs, s[1]);
    fmt(c->resection - 100, s[2]);
    fmt(c->resection, s[3]);
    fmt(c->resection - 40, s[4]);
    fmt(c->resection - 20, s[5]);
    fmt(c->resection - 80, s[6]);
    fmt(c->resection - 25, s[7]);
    lt_buf_printf(b, "{\"id\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\",\"labs\":[", c->id, s[0],
                  c->female ? "female" : "male");
    static const struct {
        const char *code, *unit;
        double v, lo, hi;
    } L[] = {{"hemoglobin", "g/dL", 13.1, 12.0, 16.0}, {"wbc", "10^9/L", 6.2, 4.0, 10.0},
             {"neutrophils", "10^9/L", 3.9, 1.8, 7.5}, {"lymphocytes", "10^9/L", 1.6, 1.0, 4.0},
             {"platelets", "10^9/L", 231, 150, 400}, {"creatinine", "mg/dL", 0.82, 0.5, 1.1},
             {"bilirubin", "mg/dL", 0.6, 0.1, 1.2},   {"alt", "U/L", 28, 7, 35},
             {"ast", "U/L", 25, 10, 35},              {"albumin", "g/dL", 4.1, 3.5, 5.2},
             {"prothrombin_time", "s", 12.1, 11.0, 13.5}, {"inr", "{ratio}", 1.0, 0.9, 1.1},
             {"glucose_fasting", "mg/dL", 92, 70, 99}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        double v = L[i].v;
        if (!strcmp(L[i].code, "platelets") && c->f == F_PLATELETS) v = 61;
        lt_buf_printf(b, "%s{\"code\":\"%s\",\"date\":\"%s\",\"value\":%g,\"unit\":\"%s\","
                         "\"low\":%g,\"high\":%g}",
                      i ? "," : "", L[i].code, s[1], v, L[i].unit, L[i].lo, L[i].hi);
    }
    lt_buf_printf(b, "],\"vitals\":[{\"code\":\"weight\",\"date\":\"%s\",\"value\":%.1f,\"unit\":"
                     "\"kg\"},{\"code\":\"height\",\"date\":\"%s\",\"value\":170,\"unit\":\"cm\"}],",
                  s[1], c->weight, s[1]);
    lt_buf_printf(b, "\"performance\":[{\"code\":\"ecog\",\"date\":\"%s\",\"value\":0}],", s[1]);
    lt_buf_printf(b, "\"diagnoses\":[{\"code\":\"net\",\"date\":\"%s\",\"primary_site\":\"%s\","
                     "\"grade\":\"%s\",\"ki67\":%d,\"differentiation\":\"well\",\"confirmed\":"
                     "\"histology\"},{\"code\":\"liver_metastases\",\"date\":\"%s\","
                     "\"resectable\":\"yes\"}],",
                  s[2], c->primary, c->f == F_G3 ? "G3" : "G2", c->f == F_G3 ? 35 : 8, s[2]);
    lt_buf_printf(b, "\"procedures\":[{\"code\":\"liver_resection\",\"date\":\"%s\",\"margin\":"
                     "\"%s\",\"text\":\"%s\"},{\"code\":\"primary_resection\",\"date\":\"%s\"}],",
                  s[3], c->margin, c->margin, s[3]);
    lt_buf_printf(b, "\"imaging\":[{\"code\":\"ga68_dotatate_pet\",\"date\":\"%s\","
                     "\"liver_metastases\":\"yes\",\"extrahepatic_disease\":\"%s\",\"suv_max\":24},"
                     "{\"code\":\"mri_liver\",\"date\":\"%s\",\"liver_metastases\":\"yes\","
                     "\"extrahepatic_disease\":\"%s\"}],",
                  s[4], c->f == F_EXTRAHEPATIC ? "yes" : "no", s[5],
                  c->f == F_EXTRAHEPATIC ? "yes" : "no");
    lt_buf_printf(b, "\"treatments\":[{\"code\":\"somatostatin_analogue_long\",\"date\":\"%s\","
                     "\"end_date\":\"%s\"}],",
                  s[6], s[7]);
    lt_buf_printf(b, "\"status\":[{\"code\":\"pregnant\",\"date\":\"%s\",\"value\":false},"
                     "{\"code\":\"childbearing_potential\",\"date\":\"%s\",\"value\":false}],",
                  s[1], s[1]);
    lt_buf_printf(b, "\"attestations\":[{\"code\":\"consent_written\",\"date\":\"%s\",\"value\":"
                     "true}]}",
                  s[1]);
}

/* Screens, and for the eligible consents, confirms and randomises. arm gets "A"/"B" or "". */
static lt_status enrol(demo *d, const cand *c, char arm[16], lt_error *err)
{
    lt_buf pj = LT_BUF_INIT;
    patient_json(c, &pj);
    lt_status rc = lt__demo_enrol(d->g, c->site, c->id, &pj, c->screen, "v2", arm, err);
    lt_buf_free(&pj);
    return rc;
}

/* ---- treatment ---- */

typedef struct labset {
    double hb, plt, neut, lymph;
} labset;

static lt_status record_labs(demo *d, const cand *c, lt_date on, const labset *ls, lt_error *err)
{
    const lt__demo_lab L[] = {{"hemoglobin", "g/dL", ls->hb, 12.0, 16.0},
                              {"wbc", "10^9/L", 6.0, 4.0, 10.0},
                              {"neutrophils", "10^9/L", ls->neut, 1.8, 7.5},
                              {"lymphocytes", "10^9/L", ls->lymph, 1.0, 4.0},
                              {"platelets", "10^9/L", ls->plt, 150, 400},
                              {"creatinine", "mg/dL", 0.85, 0.5, 1.1},
                              {"bilirubin", "mg/dL", 0.6, 0.1, 1.2},
                              {"alt", "U/L", 26, 7, 35},
                              {"ast", "U/L", 24, 10, 35},
                              {"albumin", "g/dL", 4.0, 3.5, 5.2}};
    return lt__demo_labs(d->g, c->site, c->id, on, L, sizeof L / sizeof L[0], NULL, err);
}

/* The vial, syringe and infusion times are common.c's; one patient's long-acting analogue was
 * given three weeks before cycle 1, the warning acknowledged. */
static lt_status administer(demo *d, const cand *c, int cycle, lt_date day, double prescribed,
                            bool ssa_close, lt_error *err)
{
    lt_status rc = lt__demo_administer(
        d->g, c->site, c->id, cycle, day, prescribed, LT_ROUTE_INTRAVENOUS,
        ssa_close ? "lanreotide needed for carcinoid syndrome; investigator accepted 3 weeks"
                  : NULL,
        err);
    if (rc == LT_OK) d->last_dose = day;
    return rc;
}

static lt_status decide(demo *d, const cand *c, int cycle, lt_date on, lt_dosemod_decision *dec,
                        lt_error *err)
{
    return lt__demo_decide(d->g, c->site, c->id, cycle, on, dec, err);
}

/* The treatment arm's two cycles (seed 002: 7.4 GBq, 6+-2 weeks after resection, then 8+-1
 * weeks), stopping at the first event. One patient shows the label's thrombocytopenia rule:
 * grade 2 before cycle 2 (withhold), resolved three weeks later (resume at 3.7 GBq). */
static lt_status treat(demo *d, const cand *c, lt_date stop, lt_error *err)
{
    lt_status rc;
    lt_date c1 = c->resection + 42 + uint_(d, -3, 8);
    if (c1 <= c->screen + 2) c1 = c->screen + 3;
    if (c1 >= stop || c1 > d->cutoff) return LT_OK;
    labset base = {unif(d, 0, 1) < 0.2 ? 11.2 : 13.4, unif(d, 180, 320), 3.8, 1.7};
    if ((rc = record_labs(d, c, c1 - 7, &base, err))) return rc;
    lt_dosemod_decision dec;
    if ((rc = decide(d, c, 1, c1 - 2, &dec, err))) return rc;
    if (dec.action != LT_DOSE_GIVE_FULL && dec.action != LT_DOSE_GIVE_REDUCED) return LT_OK;
    bool ssa_close = !d->ack_done;
    if ((rc = administer(d, c, 1, c1, dec.activity_mbq, ssa_close, err))) return rc;
    if (ssa_close) {
        d->ack_done = true;
        snprintf(d->ack_patient, sizeof d->ack_patient, "%s", c->id);
    }
    if (unif(d, 0, 1) < 0.3) {
        if ((rc = lt__demo_adverse_event(d->g, c->site, c->id, "Nausea", 1, LT_RELATED_PROBABLE,
                                         c1 + 1, c1 + 3, NULL, err)))
            return rc;
    }
    lt_date c2 = c1 + 56 + uint_(d, -4, 4);
    bool toxic = !d->reduced_done && c2 + 40 < stop && c2 + 40 < d->cutoff;
    if (c2 >= stop || c2 > d->cutoff) return LT_OK;
    labset before2 = {unif(d, 0, 1) < 0.3 ? 11.0 : 12.9, toxic ? 62 : unif(d, 140, 260), 3.1,
                      unif(d, 0, 1) < 0.4 ? 0.8 : 1.3};
    if ((rc = record_labs(d, c, c2 - 7, &before2, err))) return rc;
    if ((rc = decide(d, c, 2, c2 - 2, &dec, err))) return rc;
    double activity = dec.activity_mbq;
    if (dec.action == LT_DOSE_WITHHOLD) {
        d->g->r.withheld++;
        /* platelets recover; labs again three weeks later, and a new decision */
        labset again = {12.6, 128, 3.4, 1.2};
        c2 += 21;
        if ((rc = record_labs(d, c, c2 - 2, &again, err))) return rc;
        if ((rc = decide(d, c, 2, c2 - 1, &dec, err))) return rc;
        activity = dec.activity_mbq;
        if (dec.action == LT_DOSE_GIVE_REDUCED) {
            d->g->r.reductions++;
            d->reduced_done = true;
            snprintf(d->reduced_patient, sizeof d->reduced_patient, "%s", c->id);
        }
    }
    if (dec.action != LT_DOSE_GIVE_FULL && dec.action != LT_DOSE_GIVE_REDUCED) return LT_OK;
    return administer(d, c, 2, c2, activity, false, err);
}

/* ---- follow-up ---- */

static const char *modality(const char *item)
{
    if (strstr(item, "mri")) return "mri_liver";
    if (strstr(item, "pet")) return "ga68_dotatate_pet";
    return "ct";
}

/* Records the calendar's entries done before the first event and the data cut: each on its
 * target date give or take five days, one in thirty-three three weeks late (a deviation). */
static lt_status follow_up(demo *d, const cand *c, lt_date stop, lt_error *err)
{
    lt_calendar *cal = NULL;
    lt_status rc = lt_conduct_calendar(d->g->coord[c->site].c, c->id, LT_DATE_NONE, &cal, err);
    if (rc != LT_OK) return rc;
    lt_date scanned[64]; /* one tumour assessment per day (two scans that day: the first) */
    size_t nscanned = 0;
    for (size_t i = 0; i < cal->n && rc == LT_OK; i++) {
        const lt_visit *v = &cal->visits[i];
        if (v->kind == LT_SCHED_TREATMENT || v->target == LT_DATE_NONE ||
            v->actual != LT_DATE_NONE || v->status == LT_VISIT_CANCELLED)
            continue;
        lt_date day = v->target + uint_(d, -5, 5);
        if (day < v->earliest) day = v->earliest;
        if (day > v->latest) day = v->latest;
        bool late = unif(d, 0, 1) < 0.03 && v->latest > v->earliest;
        if (late) day = v->latest + 7 + uint_(d, 0, 14);
        if (day >= stop || day > d->cutoff) continue;
        rc = lt_conduct_actual(d->g->coord[c->site].c, c->id, v->id, day, NULL, NULL, err);
        d->g->r.visits += rc == LT_OK;
        d->g->r.deviations += rc == LT_OK && late;
        bool seen = false;
        for (size_t k = 0; k < nscanned; k++)
            seen = seen || scanned[k] == day;
        if (rc == LT_OK && v->kind == LT_SCHED_IMAGING && !seen && nscanned < 64) {
            scanned[nscanned++] = day;
            rc = lt_conduct_assessment(d->g->coord[c->site].c, c->id, day, modality(v->item), false,
                                       NULL, err);
        }
    }
    lt_calendar_free(cal);
    return rc;
}

/* What the trial sees: events up to the data cut and within the 3 years of follow-up (seed
 * 002: "followed up in the study for 3 years"; the end-of-study visit closes 14 days later). */
static lt_date seen_until(const demo *d, const cand *c)
{
    lt_date end = lt_date_add_months(c->resection, 36) + 14;
    return end < d->cutoff ? end : d->cutoff;
}

/* After a recurrence the protocol still asks for the end-of-study visit (the calendar moves it
 * to the recurrence): it is done within its window unless the patient died first. */
static lt_status end_of_study(demo *d, const cand *c, lt_date died, lt_error *err)
{
    lt_calendar *cal = NULL;
    lt_status rc = lt_conduct_calendar(d->g->coord[c->site].c, c->id, LT_DATE_NONE, &cal, err);
    for (size_t i = 0; rc == LT_OK && i < cal->n; i++) {
        const lt_visit *v = &cal->visits[i];
        if (v->kind != LT_SCHED_END_OF_STUDY || v->actual != LT_DATE_NONE ||
            v->status == LT_VISIT_CANCELLED || v->target == LT_DATE_NONE)
            continue;
        lt_date day = v->target + uint_(d, 0, 7);
        if (day > v->latest) day = v->latest;
        if (day > d->cutoff || (died != LT_DATE_NONE && day >= died)) continue;
        rc = lt_conduct_actual(d->g->coord[c->site].c, c->id, v->id, day, NULL, NULL, err);
        d->g->r.visits += rc == LT_OK;
    }
    lt_calendar_free(cal);
    return rc;
}

static lt_status outcomes(demo *d, const cand *c, lt_date event, bool death_first,
                          lt_error *err)
{
    lt_date until = seen_until(d, c);
    if (event > until) return LT_OK;
    lt_conduct *cc = d->g->coord[c->site].c;
    lt_status rc;
    if (death_first) {
        lt_outcome_event e = {.type = LT_EVENT_DEATH, .date = event, .cause = "other"};
        rc = lt_conduct_event(cc, c->id, &e, NULL, err);
        d->g->r.deaths += rc == LT_OK;
        return rc;
    }
    double u = unif(d, 0, 1);
    const char *where = u < 0.7 ? "liver" : u < 0.9 ? "extrahepatic" : "liver_and_extrahepatic";
    rc = lt_conduct_assessment(cc, c->id, event, "mri_liver", true, NULL, err);
    lt_outcome_event e = {.type = LT_EVENT_RECURRENCE, .date = event, .site = where};
    if (rc == LT_OK) rc = lt_conduct_event(cc, c->id, &e, NULL, err);
    if (rc != LT_OK) return rc;
    d->g->r.recurrences++;
    lt_date next = event + uint_(d, 21, 42);
    if (next <= until) {
        lt_outcome_event n = {.type = LT_EVENT_NEXT_THERAPY, .date = next,
                              .therapy = strcmp(where, "liver") ? "everolimus"
                                                                : "repeat liver resection"};
        if ((rc = lt_conduct_event(cc, c->id, &n, NULL, err))) return rc;
    }
    double months = gsl_ran_exponential(d->g->rng, POST_RECURRENCE_MEDIAN_MONTHS / M_LN2);
    lt_date death = event + 1 + (lt_date)(months * LT_DAYS_PER_MONTH);
    if (death > until) death = LT_DATE_NONE;
    rc = end_of_study(d, c, death, err);
    if (rc == LT_OK && death != LT_DATE_NONE) {
        lt_outcome_event x = {.type = LT_EVENT_DEATH, .date = death, .cause = "disease"};
        rc = lt_conduct_event(cc, c->id, &x, NULL, err);
        d->g->r.deaths += rc == LT_OK;
    }
    return rc;
}

/* ---- set-up and analysis ---- */

static lt_status analyse(demo *d, lt_buf *rep, lt_error *err)
{
    lt_buf csv = LT_BUF_INIT, svg = LT_BUF_INIT;
    lt_km *km = NULL;
    /* analysis in months (time_months = days / 30.4375), as the protocol states them */
    lt_status rc = lt__demo_compare_arms(d->g, "DFS", d->cutoff, &csv, &km, err);
    if (rc == LT_OK) rc = lt__demo_write_out(d->g, "dfs.csv", csv.p, csv.n, err);
    if (rc == LT_OK) {
        lt_km_svg_options so = {.title = "NELMAS demo: disease-free survival by arm",
                                .xlabel = "Months from liver resection",
                                .ylabel = "Disease-free survival",
                                .xmax = 42,
                                .xstep = 6};
        rc = lt_km_svg(km, &so, &svg, err);
        if (rc == LT_OK) rc = lt__demo_write_out(d->g, "km-dfs.svg", svg.p, svg.n, err);
    }
    if (rc == LT_OK) {
        lt_buf_puts(rep, "\nDFS (origin: liver resection; data cut ");
        char s[LT_DATE_STR_MAX];
        lt_buf_printf(rep, "%s)\n", fmt(d->cutoff, s));
        for (size_t k = 0; k < km->ncurves && k < 2; k++) {
            const lt_km_curve *cv = &km->curves[k];
            lt_km_point pt;
            lt_km_at(cv, -INFINITY, 36, &pt);
            d->g->r.dfs36[k] = pt.surv;
            char label[160];
            lt_buf_printf(rep, "  %-26s n=%-3zu events=%-3zu 36-month DFS %.1f%%",
                          lt__demo_arm_label(d->g, cv->label, label, sizeof label), cv->n,
                          cv->nevent, 100 * pt.surv);
            /* a survival of 0 has no log-scale interval (R prints NA) */
            if (isfinite(pt.lower) && isfinite(pt.upper))
                lt_buf_printf(rep, " (95%% CI %.1f-%.1f)", 100 * pt.lower, 100 * pt.upper);
            else
                lt_buf_puts(rep, " (95% CI not estimable)");
            if (isfinite(cv->median))
                lt_buf_printf(rep, ", median %.1f months\n", cv->median);
            else
                lt_buf_puts(rep, ", median not reached\n");
        }
        /* two arms: one degree of freedom */
        lt_buf_printf(rep, "  log-rank chi-square %.3f on %d df, p = %.4f\n",
                      d->g->r.logrank_chisq, 1, d->g->r.logrank_p);
        lt_buf_printf(rep, "  Cox (Efron): hazard ratio B vs A %.3f (95%% CI %.3f-%.3f), p = "
                           "%.4f\n",
                      d->g->r.hr, d->g->r.hr_lower, d->g->r.hr_upper, d->g->r.cox_p);
    }
    lt_km_free(km);
    lt_buf_free(&csv);
    lt_buf_free(&svg);
    return rc;
}

lt_status lt__demo_nelmas(lt__demo *g, lt_buf *rep, lt_error *err)
{
    demo dd;
    memset(&dd, 0, sizeof dd);
    dd.g = g;
    dd.cutoff = lt_date_from_ymd(2025, 12, 31);
    demo *d = &dd;
    if (d->cutoff > lt_date_today())
        LT_FAIL(err, LT_ESTATE, "demo", "the demonstration's data cut (2025-12-31) is after today");
    lt_status rc = lt__demo_setup(d->g, site_codes, site_names, NSITES, err);
    if (rc != LT_OK) return rc;
    int target = d->g->o->patients > 0 ? d->g->o->patients : 106;
    /* the design's rates: 3-year DFS 25% (control) and 44% (177Lu-DOTATATE) */
    const double rate[2] = {-log(0.25) / 36.0, -log(0.44) / 36.0};
    int expected = (int)ceil(target / (1 - FAIL_P));
    int k = 0;
    while (d->g->r.randomised < target && rc == LT_OK) {
        cand c;
        memset(&c, 0, sizeof c);
        snprintf(c.id, sizeof c.id, "NEL-%03d", ++k);
        c.site = uint_(d, 0, NSITES - 1);
        c.screen = d0() + (lt_date)((k - 1) * 730.0 / expected) + uint_(d, 0, 3);
        c.resection = c.screen - uint_(d, 30, 36);
        c.born = c.screen - (lt_date)(unif(d, 45, 76) * 365.25);
        c.female = unif(d, 0, 1) < 0.5;
        c.weight = c.female ? unif(d, 52, 85) : unif(d, 62, 100);
        c.primary = unif(d, 0, 1) < 0.35 ? "pancreas" : "small_intestine";
        c.margin = unif(d, 0, 1) < 0.7 ? "R0" : "R1";
        c.f = unif(d, 0, 1) < FAIL_P ? (fault)uint_(d, 1, F_COUNT - 1) : F_NONE;
        if (c.f == F_R2) c.margin = "R2";
        if (c.f == F_RECENT_SURGERY) c.resection = c.screen - 18;
        char arm[16];
        rc = enrol(d, &c, arm, err);
        if (rc != LT_OK || !arm[0]) continue;
        if (!d->first_patient[0]) snprintf(d->first_patient, sizeof d->first_patient, "%s", c.id);
        lt_conduct *cc = d->g->coord[c.site].c;
        rc = lt_conduct_profile(cc, c.id, c.born, c.female ? LT_SEX_FEMALE : LT_SEX_MALE,
                                c.weight, NULL, err);
        if (rc == LT_OK) rc = lt_conduct_anchor(cc, c.id, "liver_resection", c.resection, NULL, err);
        int b = !strcmp(arm, "B");
        d->last_dose = LT_DATE_NONE;
        double t = gsl_ran_exponential(d->g->rng, 1.0 / rate[b]);
        lt_date event = c.resection + 1 + (lt_date)(t * LT_DAYS_PER_MONTH);
        if (event <= c.screen) event = c.screen + 1;
        bool death_first = unif(d, 0, 1) < DEATH_FIRST_P;
        if (rc == LT_OK && b) rc = treat(d, &c, event, err);
        /* follow-up starts after the last cycle given (treatment arm) or at randomisation */
        if (rc == LT_OK) {
            lt_date fu = b ? d->last_dose + 1 : c.screen;
            if (!b || d->last_dose != LT_DATE_NONE)
                if (fu < event && fu <= d->cutoff)
                    rc = lt_trial_start_follow_up(d->g->coord[c.site].t, c.id, fu, err);
        }
        if (rc == LT_OK) rc = follow_up(d, &c, event, err);
        if (rc == LT_OK) rc = outcomes(d, &c, event, death_first, err);
        if (rc != LT_OK) lt__demo_blame(err, c.id);
    }
    if (rc != LT_OK) return rc;

    char s[LT_DATE_STR_MAX], s2[LT_DATE_STR_MAX];
    lt_buf_printf(rep, "NELMAS demonstration trial, seed %llu\n",
                  (unsigned long long)d->g->o->seed);
    lt_buf_printf(rep, "  model: exponential DFS from liver resection, 3-year DFS 25%% (A, "
                       "standard of care) and 44%% (B, 177Lu-DOTATATE) as the protocol's design;\n"
                       "         10%% of first events deaths without recurrence; death %.0f months "
                       "(median) after a recurrence;\n         events seen during the 3 years of "
                       "follow-up from resection\n",
                  POST_RECURRENCE_MEDIAN_MONTHS);
    char s3[LT_DATE_STR_MAX];
    lt_buf_printf(rep, "  accrual %s to %s at %d sites, data cut %s\n", fmt(d0(), s),
                  fmt(d0() + 730, s2), NSITES, fmt(d->cutoff, s3));
    lt_buf_printf(rep, "\nScreening: %d screened, %d ineligible, %d needs review, %d randomised "
                       "(A %d, B %d)\n",
                  d->g->r.screened, d->g->r.failed, d->g->r.needs_review, d->g->r.randomised, d->g->r.per_arm[0],
                  d->g->r.per_arm[1]);
    lt__demo_report_failures(d->g, rep);
    lt_buf_printf(rep, "Treatment: %d administrations, %.1f GBq in all (decay-corrected to the "
                       "infusion start)\n",
                  d->g->r.administrations, d->g->r.activity_mbq / 1000);
    lt_buf_printf(rep, "  %d cycle withheld and %d reduced to 3.7 GBq by the label's rules%s%s%s\n",
                  d->g->r.withheld, d->g->r.reductions, d->reduced_done ? " (patient " : "",
                  d->reduced_done ? d->reduced_patient : "", d->reduced_done ? ")" : "");
    lt_buf_printf(rep, "  %d warning acknowledged with a reason%s%s%s\n", d->g->r.acknowledged,
                  d->ack_done ? " (patient " : "", d->ack_done ? d->ack_patient : "",
                  d->ack_done ? ", somatostatin analogue within 4 weeks)" : "");
    lt_buf_printf(rep, "  %d laboratory results, %d with a CTCAE grade >= 1; %d adverse events\n",
                  d->g->r.labs, d->g->r.toxic_labs, d->g->r.adverse_events);
    lt_buf_printf(rep, "Follow-up: %d visits and scans recorded, %d outside their window\n",
                  d->g->r.visits, d->g->r.deviations);
    lt_buf_printf(rep, "Outcomes: %d recurrences, %d deaths\n", d->g->r.recurrences, d->g->r.deaths);
    /* the deviations the calendars list as of the data cut (o1's rules: out of window,
     * missed, delayed without a reason) */
    lt_outcome_set *set = NULL;
    rc = lt_conduct_outcomes(d->g->stat.c, NULL, NULL, &set, err);
    int listed = 0, missed = 0;
    for (size_t i = 0; rc == LT_OK && i < set->n; i++) {
        lt_calendar *cal = NULL;
        rc = lt_conduct_calendar(d->g->stat.c, set->records[i]->id, d->cutoff, &cal, err);
        for (size_t j = 0; rc == LT_OK && j < cal->n; j++) {
            listed += cal->visits[j].deviation;
            missed += cal->visits[j].deviation && cal->visits[j].status == LT_VISIT_OVERDUE;
        }
        lt_calendar_free(cal);
    }
    lt_outcome_set_free(set);
    if (rc != LT_OK) return rc;
    lt_buf_printf(rep, "  the calendars list %d deviations as of the data cut (%d missed entries)\n",
                  listed, missed);
    rc = analyse(d, rep, err);
    if (rc != LT_OK) return rc;

    /* what a coordinator and a data manager take away */
    lt_buf out = LT_BUF_INIT;
    rc = lt_conduct_outcomes(d->g->stat.c, NULL, &out, NULL, err);
    if (rc == LT_OK) rc = lt__demo_write_out(d->g, "outcomes.json", out.p, out.n, err);
    lt_buf_free(&out);
    /* the first randomised patient's calendar, as a coordinator imports it */
    lt_calendar *cal = NULL;
    if (rc == LT_OK) rc = lt_conduct_calendar(d->g->stat.c, d->first_patient, LT_DATE_NONE, &cal, err);
    if (rc == LT_OK) {
        lt_buf ics = LT_BUF_INIT;
        char name[64];
        snprintf(name, sizeof name, "%s.ics", d->first_patient);
        lt_calendar_to_ics(cal, "nelmas", d->first_patient, (lt_time)d->cutoff * 86400, &ics);
        rc = lt__demo_write_out(d->g, name, ics.p, ics.n, err);
        lt_buf_free(&ics);
        lt_calendar_free(cal);
    }
    if (rc != LT_OK) return rc;

    if (d->g->o->out_dir)
        lt_buf_printf(&d->g->files, "Figures and datasets: %s/km-dfs.svg, %s/dfs.csv, "
                                    "%s/outcomes.json, %s/%s.ics (%s's calendar)\n",
                      d->g->o->out_dir, d->g->o->out_dir, d->g->o->out_dir, d->g->o->out_dir,
                      d->first_patient, d->first_patient);
    return LT_OK;
}
