/* NET RETREAT's demonstration (src/demo/demo_int.h): the randomised phase II trial of seed 004
 * - candidates modelled on tests/eligibility's eligible base patient (progression 30 months
 * after four cycles of PRRT), screened and randomised 1:1 between 177Lu-DOTATATE retreatment
 * (arm 1: two cycles of 7.4 GBq eight weeks apart, each decided by the label's rules from the
 * stored labs) and everolimus (arm 2: 10 mg daily from randomisation, dispensed every 28 days
 * with the tablets counted back, interrupted, resumed and reduced by the label's table through
 * the oral-drug records), RECIST 1.1 assessments with lesions every 12 weeks, then PFS by arm
 * with the hazard ratio of arm 1 against the design's reference arm 2.
 *
 * The model (stated in the report): PFS from randomisation exponential with the design's
 * medians, 19 months on retreatment and 11 on everolimus (HR 0.58); 5% of the events deaths
 * without progression, the others progressions seen at the first scan after them; accrual
 * uniform over the design's 36 months from 2021-01-04, the data cut 12 months after it ends
 * (2025-01-31). On everolimus, 20% of the patients have a grade 2 stomatitis (interrupted,
 * resumed at the same dose), 15% a grade 3 one (interrupted, resumed 50% lower) and 10% a
 * grade 2 fatigue for which the investigator lowers the dose; each happens 3 weeks to 4 months
 * after the start and resolves in 7-12 days. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo_int.h"
#include "lutetia/stats.h"

#define NSITES 3
#define FAIL_P 0.15 /* share of candidates generated with a reason to fail screening */
#define DEATH_FIRST_P 0.05
#define SCAN_DAYS 84 /* RECIST assessments every 12 weeks from randomisation */
#define MAX_SCANS 32
#define TABLETS 30 /* a bottle: 28 days and two to spare */

static const char *const site_codes[NSITES] = {"S01", "S02", "S03"};
static const char *const site_names[NSITES] = {"NET RETREAT site 1", "NET RETREAT site 2",
                                               "NET RETREAT site 3"};

typedef enum fault { F_NONE = 0, F_PLATELETS, F_ECOG, F_GRADE3, F_COUNT } fault;

/* What happens to a patient on everolimus. */
typedef enum tox { T_NONE = 0, T_STOMATITIS_2, T_STOMATITIS_3, T_FATIGUE } tox;

typedef struct cand {
    char id[16];
    int site;
    lt_date born, screen;
    bool female;
    double weight;
    fault f;
} cand;

typedef struct nr {
    lt__demo *g;
    lt_date cutoff;
    int started, stopped, tablets, deaths_first;
    int cycles_full, cycles_reduced;
    char first_patient[16];
} nr;

static lt_date d0(void)
{
    return lt_date_from_ymd(2021, 1, 4);
}

static char *fmt(lt_date x, char *buf)
{
    return lt_date_format(x, buf);
}

/* The candidate as a native patient file: the eligibility tests' base patient (as of its
 * screening: labs 12 days before, the progression CT 47 days before, four PRRT cycles ending
 * 958 days before) with the candidate's own birth date, sex, weight and fault. */
static void patient_json(const cand *c, lt_buf *b)
{
    char s[16][LT_DATE_STR_MAX];
    const int back[16] = {0, 12, 1751, 1715, 870, 660, 47, 42, 1706, 1126, 1070, 1014, 958, 11};
    fmt(c->born, s[0]);
    for (int i = 1; i < 14; i++)
        fmt(c->screen - back[i], s[i]);
    lt_buf_printf(b, "{\"id\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\",\"labs\":[", c->id, s[0],
                  c->female ? "female" : "male");
    static const struct {
        const char *code, *unit;
        double v, lo, hi;
    } L[] = {{"hemoglobin", "g/dL", 11.8, 12.0, 16.0},
             {"neutrophils", "10^9/L", 2.8, 1.8, 7.5},
             {"platelets", "10^9/L", 150, 150, 400},
             {"bilirubin", "mg/dL", 0.7, 0.1, 1.2},
             {"creatinine", "mg/dL", 0.8, 0.5, 1.1}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++) {
        double v = L[i].v;
        if (!strcmp(L[i].code, "platelets") && c->f == F_PLATELETS) v = 70;
        lt_buf_printf(b,
                      "%s{\"code\":\"%s\",\"date\":\"%s\",\"value\":%g,\"unit\":\"%s\","
                      "\"low\":%g,\"high\":%g}",
                      i ? "," : "", L[i].code, s[1], v, L[i].unit, L[i].lo, L[i].hi);
    }
    lt_buf_printf(b,
                  "],\"vitals\":[{\"code\":\"weight\",\"date\":\"%s\",\"value\":%.1f,\"unit\":"
                  "\"kg\"}],",
                  s[1], c->weight);
    lt_buf_printf(b, "\"performance\":[{\"code\":\"ecog\",\"date\":\"%s\",\"value\":%d}],", s[1],
                  c->f == F_ECOG ? 3 : 1);
    lt_buf_printf(b,
                  "\"diagnoses\":[{\"code\":\"net\",\"date\":\"%s\",\"primary_site\":"
                  "\"small_intestine\",\"grade\":\"%s\",\"ki67\":%d,\"differentiation\":"
                  "\"well\",\"confirmed\":\"histology\"},{\"code\":\"liver_metastases\","
                  "\"date\":\"%s\",\"resectable\":\"no\"}],",
                  s[2], c->f == F_GRADE3 ? "G3" : "G2", c->f == F_GRADE3 ? 30 : 5, s[2]);
    lt_buf_printf(b, "\"procedures\":[{\"code\":\"primary_resection\",\"date\":\"%s\"}],", s[3]);
    lt_buf_printf(b,
                  "\"imaging\":[{\"code\":\"ct\",\"date\":\"%s\",\"recist_progression\":\"no\"},"
                  "{\"code\":\"ct\",\"date\":\"%s\",\"recist_progression\":\"no\"},"
                  "{\"code\":\"ct\",\"date\":\"%s\",\"liver_metastases\":\"yes\","
                  "\"recist_progression\":\"yes\"},{\"code\":\"ga68_dotatate_pet\",\"date\":"
                  "\"%s\",\"liver_metastases\":\"yes\",\"suv_max\":20,\"suv_liver_mean\":5}],",
                  s[4], s[5], s[6], s[7]);
    lt_buf_printf(b, "\"treatments\":[{\"code\":\"somatostatin_analogue_long\",\"date\":\"%s\"}",
                  s[8]);
    for (int i = 9; i <= 12; i++)
        lt_buf_printf(b, ",{\"code\":\"prrt\",\"date\":\"%s\",\"value\":7400,\"unit\":\"MBq\"}",
                      s[i]);
    lt_buf_puts(b, "],");
    if (c->female)
        lt_buf_printf(b,
                      "\"status\":[{\"code\":\"pregnant\",\"date\":\"%s\",\"value\":false},"
                      "{\"code\":\"breastfeeding\",\"date\":\"%s\",\"value\":false},"
                      "{\"code\":\"childbearing_potential\",\"date\":\"%s\",\"value\":"
                      "false}],",
                      s[1], s[1], s[1]);
    static const struct {
        const char *code;
        bool value;
    } A[] = {{"no_ongoing_prrt_toxicity_grade_3_or_higher", true},
             {"qol_willing_or_unable", true},
             {"agrees_to_stop_somatostatin_analogue_if_everolimus", true},
             {"consent_written", true},
             {"contraception_agreed", true},
             {"available_for_treatment_and_follow_up", true},
             {"agrees_to_return_for_adverse_events", true},
             {"everolimus_access", true},
             {"oral_intake_or_absorption_impaired", false},
             {"uncontrolled_condition_interfering", false}};
    lt_buf_puts(b, "\"attestations\":[");
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++)
        lt_buf_printf(b, "%s{\"code\":\"%s\",\"date\":\"%s\",\"value\":%s}", i ? "," : "",
                      A[i].code, s[13], A[i].value ? "true" : "false");
    lt_buf_puts(b, "]}");
}

/* ---- arm 1: two cycles of 177Lu-DOTATATE ---- */

static lt_status panel(nr *n, const cand *c, lt_date on, lt_error *err)
{
    lt__demo *g = n->g;
    const lt__demo_lab L[] = {{"hemoglobin", "g/dL", lt__demo_unif(g, 11.0, 13.5), 12.0, 16.0},
                              {"wbc", "10^9/L", lt__demo_unif(g, 4.0, 7.0), 4.0, 10.0},
                              {"neutrophils", "10^9/L", lt__demo_unif(g, 2.0, 4.5), 1.8, 7.5},
                              {"lymphocytes", "10^9/L", lt__demo_unif(g, 0.7, 1.8), 1.0, 4.0},
                              {"platelets", "10^9/L", lt__demo_unif(g, 130, 260), 150, 400},
                              {"creatinine", "mg/dL", lt__demo_unif(g, 0.7, 1.0), 0.5, 1.1},
                              {"bilirubin", "mg/dL", 0.7, 0.1, 1.2},
                              {"alt", "U/L", 28, 7, 35},
                              {"ast", "U/L", 26, 10, 35},
                              {"albumin", "g/dL", 3.9, 3.5, 5.2}};
    return lt__demo_labs(g, c->site, c->id, on, L, sizeof L / sizeof L[0], NULL, err);
}

/* Cycle 1 two weeks after randomisation, cycle 2 eight weeks later (arms.1: 8 +- 1 weeks),
 * each decided two days before from labs taken about 18 days before, none after stop. */
static lt_status retreat(nr *n, const cand *c, lt_date stop, lt_error *err)
{
    lt__demo *g = n->g;
    lt_date day = c->screen + 14 + lt__demo_int(g, -3, 4), last = LT_DATE_NONE;
    for (int cycle = 1; cycle <= 2; cycle++) {
        if (cycle == 2) day += 56 + lt__demo_int(g, -5, 5);
        if (day >= stop || day > n->cutoff) break;
        lt_date drawn = cycle == 1 ? c->screen : day - 18 + lt__demo_int(g, -3, 3);
        lt_status rc = panel(n, c, drawn, err);
        lt_dosemod_decision dec;
        if (rc == LT_OK) rc = lt__demo_decide(g, c->site, c->id, cycle, day - 2, &dec, err);
        if (rc != LT_OK) return rc;
        if (dec.action != LT_DOSE_GIVE_FULL && dec.action != LT_DOSE_GIVE_REDUCED) break;
        n->cycles_full += dec.action == LT_DOSE_GIVE_FULL;
        n->cycles_reduced += dec.action == LT_DOSE_GIVE_REDUCED;
        g->r.reductions += dec.action == LT_DOSE_GIVE_REDUCED;
        rc = lt__demo_administer(g, c->site, c->id, cycle, day, dec.activity_mbq,
                                 LT_ROUTE_INTRAVENOUS, NULL, err);
        if (rc != LT_OK) return rc;
        last = day;
        if (lt__demo_unif(g, 0, 1) < 0.25) {
            rc = lt__demo_adverse_event(g, c->site, c->id, "Nausea", 1, LT_RELATED_PROBABLE,
                                        day + 1, day + lt__demo_int(g, 2, 4), NULL, err);
            if (rc != LT_OK) return rc;
        }
    }
    if (last != LT_DATE_NONE && last + 1 < stop && last + 1 <= n->cutoff)
        return lt_trial_start_follow_up(g->coord[c->site].t, c->id, last + 1, err);
    return LT_OK;
}

/* ---- arm 2: everolimus ---- */

static lt_status oral(const cand *c, lt_conduct *who, lt_oral_event_type type, lt_date day,
                      const lt_conduct_oral *more, lt_conduct_oral_result *res, lt_error *err)
{
    lt_conduct_oral in;
    if (more)
        in = *more;
    else
        memset(&in, 0, sizeof in);
    in.type = type;
    in.date = day;
    return lt_conduct_oral_record(who, c->id, &in, NULL, res, err);
}

/* A toxicity on day t: the adverse event, the label's decision that day (interrupt, for the
 * stomatitis), its resolution r days later and the decision to resume; or, for the fatigue
 * the table lets continue, the investigator's lower dose. *dose follows what was decided. */
static lt_status toxicity(nr *n, const cand *c, tox kind, lt_date t, double *dose, int *off,
                          lt_error *err)
{
    lt__demo *g = n->g;
    lt_conduct *inv = g->inv[c->site].c;
    const char *term = kind == T_FATIGUE ? "Fatigue" : "Stomatitis";
    int grade = kind == T_STOMATITIS_3 ? 3 : 2;
    int r = lt__demo_int(g, 7, 12);
    char ae[LT_CONDUCT_ID_MAX];
    lt_status rc = lt__demo_adverse_event(g, c->site, c->id, term, grade, LT_RELATED_PROBABLE, t,
                                          LT_DATE_NONE, ae, err);
    lt_oral_decision dec;
    if (rc == LT_OK) rc = lt_conduct_oral_decide(inv, c->id, t, &dec, err);
    if (rc != LT_OK) return rc;
    char cause[96];
    snprintf(cause, sizeof cause, "%s grade %d", term, grade);
    if (dec.action == LT_ORAL_DO_INTERRUPT) {
        lt_conduct_oral in = {.cause = cause};
        rc = oral(c, inv, LT_ORAL_EV_INTERRUPT, t, &in, NULL, err);
        g->r.interruptions += rc == LT_OK;
    } else if (kind == T_FATIGUE && dec.action == LT_ORAL_DO_CONTINUE) {
        /* the table lets a grade 2 fatigue continue; the investigator lowers the dose to the
         * next strength down, as the label allows for an intolerable adverse reaction */
        lt_conduct_oral in = {.dose_mg = *dose / 2, .cause = "grade 2 fatigue, not tolerated"};
        lt_conduct_oral_result res;
        rc = oral(c, inv, LT_ORAL_EV_DOSE, t, &in, &res, err);
        if (rc == LT_OK) {
            g->r.dose_changes++;
            *dose = res.state.dose_mg;
        }
    }
    /* resolved to grade 1 r days later: the event's end, a correction with its reason */
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.patient, sizeof e.patient, "%s", c->id);
    snprintf(e.term, sizeof e.term, "%s", term);
    e.grade = grade;
    e.related = LT_RELATED_PROBABLE;
    e.start = t;
    e.end = t + r;
    if (rc == LT_OK)
        rc =
            lt_conduct_adverse_event(g->coord[c->site].c, &e, ae, "resolved to grade 1", NULL, err);
    if (rc != LT_OK || dec.action != LT_ORAL_DO_INTERRUPT) return rc;
    rc = lt_conduct_oral_decide(inv, c->id, t + r + 1, &dec, err);
    if (rc != LT_OK) return rc;
    if (dec.action != LT_ORAL_DO_RESUME_SAME && dec.action != LT_ORAL_DO_RESUME_REDUCED)
        LT_FAIL(err, LT_ESTATE, c->id, "the label's table does not resume %s after it resolved",
                term);
    lt_conduct_oral_result res;
    rc = oral(c, inv, LT_ORAL_EV_RESUME, t + r + 1, NULL, &res, err);
    if (rc == LT_OK) {
        g->r.dose_changes += res.state.dose_mg < *dose;
        *dose = res.state.dose_mg;
        *off = r + 1;
    }
    return rc;
}

/* Everolimus from randomisation (arms.2, the calendar's everolimus_start) to stop: a bottle
 * of the current dose's strength at the start and at each dispensing visit (every 28 days
 * from the start, +-2 days), the last bottle's tablets counted back at the next visit, the
 * toxicity of the patient's story, and the stop at progression or death. */
static lt_status everolimus(nr *n, const cand *c, lt_date stop, const char *why, lt_error *err)
{
    lt__demo *g = n->g;
    lt_conduct *inv = g->inv[c->site].c, *coord = g->coord[c->site].c;
    lt_date start = c->screen + lt__demo_int(g, 0, 7);
    double u = lt__demo_unif(g, 0, 1);
    tox kind = u < 0.20   ? T_STOMATITIS_2
               : u < 0.35 ? T_STOMATITIS_3
               : u < 0.45 ? T_FATIGUE
                          : T_NONE;
    lt_date t = start + lt__demo_int(g, 21, 120);
    if (start >= stop || start > n->cutoff) return LT_OK;
    lt_status rc = oral(c, inv, LT_ORAL_EV_START, start, NULL, NULL, err);
    if (rc != LT_OK) return rc;
    n->started++;
    double dose = 10;
    lt_date from = start;
    for (int k = 1; rc == LT_OK; k++) {
        lt_conduct_oral d = {.tablets = TABLETS, .strength_mg = dose};
        rc = oral(c, coord, LT_ORAL_EV_DISPENSE, from, &d, NULL, err);
        if (rc != LT_OK) return rc;
        g->r.dispensings++;
        n->tablets += TABLETS;
        lt_date next = start + 28 * k + lt__demo_int(g, -2, 2);
        lt_date end = next < stop ? next : stop;
        int off = 0;
        /* the toxicity, when it falls in this period with room to resolve before its end */
        if (kind != T_NONE && t < end && t + 14 <= n->cutoff) {
            if (t > end - 14) t = end - 14;
            if (t > from) rc = toxicity(n, c, kind, t, &dose, &off, err);
            kind = T_NONE;
            if (rc != LT_OK) return rc;
        }
        if (end > n->cutoff) break; /* still on drug at the data cut */
        int taken = (int)(end - from) - off;
        lt_conduct_oral back = {.returned = taken < TABLETS ? TABLETS - taken : 0};
        if (end == stop) {
            char cause[64];
            snprintf(cause, sizeof cause, "%s", why);
            lt_conduct_oral s = {.cause = cause};
            rc = oral(c, inv, LT_ORAL_EV_STOP, stop, &s, NULL, err);
            if (rc == LT_OK) rc = oral(c, coord, LT_ORAL_EV_RETURN, stop, &back, NULL, err);
            n->stopped += rc == LT_OK;
            /* off treatment, followed up (a death ends the participation instead) */
            if (rc == LT_OK && strcmp(why, "death"))
                rc = lt_trial_start_follow_up(g->coord[c->site].t, c->id, stop, err);
            return rc;
        }
        rc = oral(c, coord, LT_ORAL_EV_RETURN, next, &back, NULL, err);
        from = next;
    }
    return rc;
}

/* ---- tumour assessments and events ---- */

/* Baseline at randomisation and every 12 weeks until the first after the progression (its
 * PD: the sum of the targets 30-45% above the nadir) or the data cut; arm 1 shrinks to
 * 70-95% of the baseline meanwhile, arm 2 stays within 90-105%. *pd gets the PD's day. */
static lt_status assess(nr *n, const cand *c, bool arm1, lt_date progression, lt_date died,
                        lt_date *pd, lt_error *err)
{
    lt__demo *g = n->g;
    *pd = LT_DATE_NONE;
    double base[2] = {round(lt__demo_unif(g, 18, 50)), round(lt__demo_unif(g, 12, 30))};
    double f = arm1 ? lt__demo_unif(g, 0.7, 0.95) : lt__demo_unif(g, 0.9, 1.05);
    for (int j = 0; j < MAX_SCANS; j++) {
        lt_date day = c->screen + j * SCAN_DAYS + (j ? lt__demo_int(g, -5, 5) : 0);
        if (day > n->cutoff || (died != LT_DATE_NONE && day >= died)) break;
        bool progress = j > 0 && day >= progression;
        double k = j == 0 ? 1 : progress ? f * lt__demo_unif(g, 1.3, 1.45) : f;
        lt_lesion L[3] = {
            {.id = "T1", .organ = "liver", .target = true, .mm = round(base[0] * k)},
            {.id = "T2", .organ = "liver", .target = true, .mm = round(base[1] * k)},
            {.id = "N1", .organ = "liver", .target = false, .mm = NAN, .status = LT_LESION_PRESENT},
        };
        lt_tumour_assessment a = {.date = day, .modality = "ct", .lesions = L, .nlesions = 3};
        lt_recist_result res;
        lt_status rc = lt_conduct_tumour(g->coord[c->site].c, c->id, &a, NULL, &res, err);
        if (rc != LT_OK) return rc;
        g->r.tumour_assessments++;
        if (res.overall == LT_RECIST_PD) {
            *pd = day;
            return LT_OK;
        }
    }
    return LT_OK;
}

static lt_status patient(nr *n, const cand *c, const char *arm, lt_error *err)
{
    lt__demo *g = n->g;
    lt_conduct *cc = g->coord[c->site].c;
    lt_status rc = lt_conduct_profile(cc, c->id, c->born, c->female ? LT_SEX_FEMALE : LT_SEX_MALE,
                                      c->weight, NULL, err);
    if (rc != LT_OK) return rc;
    bool arm1 = lt__demo_arm_index(g, arm) != g->control;
    /* the design's medians: 19 months on retreatment, 11 on everolimus */
    double median = arm1 ? 19 : 11;
    double months = gsl_ran_exponential(g->rng, median / M_LN2);
    lt_date event = c->screen + 1 + (lt_date)(months * LT_DAYS_PER_MONTH);
    bool death_first = lt__demo_unif(g, 0, 1) < DEATH_FIRST_P;
    lt_date died = death_first && event <= n->cutoff ? event : LT_DATE_NONE;
    lt_date progression = death_first ? INT32_MAX : event;
    /* treatment ends at the scan that shows the progression, or at the death */
    lt_date pd = LT_DATE_NONE;
    rc = assess(n, c, arm1, progression, died, &pd, err);
    if (rc != LT_OK) return rc;
    lt_date stop = died != LT_DATE_NONE ? died : pd != LT_DATE_NONE ? pd : INT32_MAX;
    if (arm1)
        rc = retreat(n, c, stop, err);
    else
        rc = everolimus(n, c, stop, died != LT_DATE_NONE ? "death" : "progression", err);
    if (rc != LT_OK) return rc;
    if (pd != LT_DATE_NONE) {
        g->r.progressions++;
        /* the investigator's record of the progression that ends treatment (schedule.stops) */
        lt_outcome_event e = {.type = LT_EVENT_PROGRESSION, .date = pd};
        rc = lt_conduct_event(cc, c->id, &e, NULL, err);
    }
    if (rc == LT_OK && died != LT_DATE_NONE) {
        lt_outcome_event e = {.type = LT_EVENT_DEATH, .date = died, .cause = "other"};
        rc = lt_conduct_event(cc, c->id, &e, NULL, err);
        g->r.deaths += rc == LT_OK;
    }
    return rc;
}

/* ---- analysis ---- */

static lt_status analyse(nr *n, lt_buf *rep, lt_error *err)
{
    lt__demo *g = n->g;
    lt_buf csv = LT_BUF_INIT, svg = LT_BUF_INIT;
    lt_km *km = NULL;
    lt_status rc = lt__demo_compare_arms(g, "PFS", n->cutoff, &csv, &km, err);
    if (rc == LT_OK) rc = lt__demo_write_out(g, "pfs.csv", csv.p, csv.n, err);
    if (rc == LT_OK) {
        lt_km_svg_options so = {.title = "NET RETREAT demo: progression-free survival by arm",
                                .xlabel = "Months from randomisation",
                                .ylabel = "Progression-free survival",
                                .xmax = 48,
                                .xstep = 6};
        rc = lt_km_svg(km, &so, &svg, err);
        if (rc == LT_OK) rc = lt__demo_write_out(g, "km-pfs.svg", svg.p, svg.n, err);
    }
    if (rc == LT_OK) {
        char s[LT_DATE_STR_MAX];
        lt_buf_printf(rep, "\nPFS (origin: randomisation; data cut %s)\n", fmt(n->cutoff, s));
        for (size_t k = 0; k < km->ncurves && k < 2; k++) {
            const lt_km_curve *cv = &km->curves[k];
            g->r.median[k] = cv->median;
            char label[160];
            lt_buf_printf(rep, "  %-36s n=%-3zu events=%-3zu",
                          lt__demo_arm_label(g, cv->label, label, sizeof label), cv->n, cv->nevent);
            if (isfinite(cv->median))
                lt_buf_printf(rep, " median %.1f months\n", cv->median);
            else
                lt_buf_puts(rep, " median not reached\n");
        }
        int other = g->control == 0 ? 1 : 0;
        lt_buf_printf(rep, "  log-rank chi-square %.3f on 1 df, p = %.4f\n", g->r.logrank_chisq,
                      g->r.logrank_p);
        lt_buf_printf(rep,
                      "  Cox (Efron): hazard ratio %s vs %s %.3f (95%% CI %.3f-%.3f), p = "
                      "%.4f\n",
                      g->arm_ids[other], g->arm_ids[g->control], g->r.hr, g->r.hr_lower,
                      g->r.hr_upper, g->r.cox_p);
        lt_buf_printf(rep,
                      "  (arm %s, the design's control, is the reference: the design "
                      "expects 11/19 = 0.579)\n",
                      g->arm_ids[g->control]);
    }
    lt_km_free(km);
    lt_buf_free(&csv);
    lt_buf_free(&svg);
    return rc;
}

lt_status lt__demo_net_retreat(lt__demo *g, lt_buf *rep, lt_error *err)
{
    nr n;
    memset(&n, 0, sizeof n);
    n.g = g;
    n.cutoff = lt_date_from_ymd(2025, 1, 31);
    if (g->narms != 2) LT_FAIL(err, LT_ESCHEMA, g->o->protocol, "expected NET RETREAT's two arms");
    lt_status rc = lt__demo_setup(g, site_codes, site_names, NSITES, err);
    if (rc != LT_OK) return rc;
    int target = g->o->patients > 0 ? g->o->patients : 88;
    int expected = (int)ceil(target / (1 - FAIL_P));
    int k = 0;
    while (g->r.randomised < target && rc == LT_OK) {
        cand c;
        memset(&c, 0, sizeof c);
        snprintf(c.id, sizeof c.id, "NRT-%03d", ++k);
        c.site = lt__demo_int(g, 0, NSITES - 1);
        c.screen = d0() + (lt_date)((k - 1) * 1095.0 / expected) + lt__demo_int(g, 0, 3);
        c.born = c.screen - (lt_date)(lt__demo_unif(g, 45, 75) * 365.25);
        c.female = lt__demo_unif(g, 0, 1) < 0.45;
        c.weight = c.female ? lt__demo_unif(g, 55, 85) : lt__demo_unif(g, 62, 100);
        c.f = lt__demo_unif(g, 0, 1) < FAIL_P ? (fault)lt__demo_int(g, 1, F_COUNT - 1) : F_NONE;
        lt_buf pj = LT_BUF_INIT;
        patient_json(&c, &pj);
        char arm[16];
        rc = lt__demo_enrol(g, c.site, c.id, &pj, c.screen, "1.0", arm, err);
        lt_buf_free(&pj);
        if (rc != LT_OK || !arm[0]) continue;
        if (!n.first_patient[0]) snprintf(n.first_patient, sizeof n.first_patient, "%s", c.id);
        rc = patient(&n, &c, arm, err);
        if (rc != LT_OK) lt__demo_blame(err, c.id);
    }
    if (rc != LT_OK) return rc;

    char s[LT_DATE_STR_MAX], s2[LT_DATE_STR_MAX], s3[LT_DATE_STR_MAX];
    lt_buf_printf(rep, "NET RETREAT demonstration trial, seed %llu\n",
                  (unsigned long long)g->o->seed);
    lt_buf_puts(rep, "  model: exponential PFS from randomisation, median 19 months (arm 1, "
                     "177Lu-DOTATATE retreatment)\n         and 11 months (arm 2, everolimus) as "
                     "the protocol's design; 5% of events deaths without\n         progression; "
                     "RECIST 1.1 every 12 weeks, a progression seen at the first scan after it\n");
    lt_buf_printf(rep, "  accrual %s to %s at %d sites, data cut %s\n", fmt(d0(), s),
                  fmt(d0() + 1095, s2), NSITES, fmt(n.cutoff, s3));
    lt_buf_printf(rep,
                  "\nScreening: %d screened, %d ineligible, %d needs review, %d randomised "
                  "(arm %s %d, arm %s %d)\n",
                  g->r.screened, g->r.failed, g->r.needs_review, g->r.randomised, g->arm_ids[0],
                  g->r.per_arm[0], g->arm_ids[1], g->r.per_arm[1]);
    lt__demo_report_failures(g, rep);
    lt_buf_printf(rep,
                  "Retreatment: %d administrations (%d at 7.4 GBq, %d reduced), %.1f GBq in "
                  "all (decay-corrected to the infusion start)\n",
                  g->r.administrations, n.cycles_full, n.cycles_reduced, g->r.activity_mbq / 1000);
    lt_buf_printf(rep, "  %d laboratory results, %d with a CTCAE grade >= 1\n", g->r.labs,
                  g->r.toxic_labs);
    lt_buf_printf(rep,
                  "Everolimus: %d started, %d dispensings (%d tablets), %d interruptions, %d "
                  "dose reductions, %d stopped\n",
                  n.started, g->r.dispensings, n.tablets, g->r.interruptions, g->r.dose_changes,
                  n.stopped);
    lt_buf_printf(rep, "  %d adverse events in both arms\n", g->r.adverse_events);
    lt_buf_printf(rep,
                  "Tumour assessments (RECIST 1.1, with lesions): %d, %d progressions; %d "
                  "deaths\n",
                  g->r.tumour_assessments, g->r.progressions, g->r.deaths);
    rc = analyse(&n, rep, err);
    if (rc == LT_OK && g->o->out_dir)
        lt_buf_printf(&g->files, "Figures and datasets: %s/km-pfs.svg, %s/pfs.csv\n", g->o->out_dir,
                      g->o->out_dir);
    return rc;
}
