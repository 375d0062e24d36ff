/* NCT04544098's demonstration (src/demo/demo_int.h): the single-arm feasibility study of seed
 * 003 at its one centre - candidates modelled on tests/eligibility's eligible base patient,
 * screened and registered (no randomisation), four cycles of 7.4 GBq 177Lu-DOTATATE two months
 * apart, cycles 1-2 intra-arterial and 3-4 intravenous, each decided by the label's rules
 * from the stored labs; RECIST 1.1 assessments with their lesions every 12 weeks from the
 * baseline at registration; then the protocol's proportion endpoints (grade >= 3 toxicity,
 * all 4 cycles given, objective response) with their exact intervals.
 *
 * The model (stated in the report): accrual of the 10 patients over 12 months from
 * 2023-03-06, the data cut 2025-06-30; labs before each cycle normal but for a grade 3
 * lymphopenia (a grade 3 toxicity that changes no dose: the label has no rule for it) in 40%
 * of the patients before cycle 2 or 3; one patient's platelets grade 3 before cycle 3 (the
 * label withholds, and after recovery three weeks later gives 3.7 GBq); tumour response by
 * patient: 35% shrink to 55-70% of the baseline sum (partial response), 25% progress at a scan
 * after cycle 4, the rest stay within 85-105%; one patient progresses at the 24-week scan,
 * between cycles 3 and 4, and stops treatment. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo_int.h"
#include "lutetia/json.h"

#define NSITES 1
#define FAIL_P 0.2 /* share of candidates generated with a reason to fail screening */
#define CYCLES 4
#define SCAN_DAYS 84 /* RECIST assessments every 12 weeks from the baseline */
#define MAX_SCANS 16

static const char *const site_codes[NSITES] = {"MSK"};
static const char *const site_names[NSITES] = {"Memorial Sloan Kettering Cancer Center"};

typedef enum fault {
    F_NONE = 0,
    F_INVOLVEMENT,
    F_EXTRAHEPATIC,
    F_POORLY_DIFF,
    F_ECOG,
    F_COUNT
} fault;

typedef enum course { RESPONDS = 0, STABLE, PROGRESSES_LATE, PROGRESSES_EARLY } course;

typedef struct cand {
    char id[16];
    lt_date born, screen;
    bool female;
    double weight;
    const char *primary;
    fault f;
} cand;

typedef struct nct {
    lt__demo *g;
    lt_date cutoff;
    int withhold_at, stop_at; /* the registration order of the two patients with a story */
    char withheld_patient[16], stopped_patient[16], first_patient[16];
    int assessments;
} nct;

static lt_date d0(void)
{
    return lt_date_from_ymd(2023, 3, 6);
}

static char *fmt(lt_date x, char *buf)
{
    return lt_date_format(x, buf);
}

/* The candidate as a native patient file, the eligibility tests' base patient (as of its
 * screening: labs 12 days before, scans 3 weeks before, the long-acting analogue stopped a
 * month before) with the candidate's own birth date, sex, weight, primary and fault. */
static void patient_json(const cand *c, lt_buf *b)
{
    char s[8][LT_DATE_STR_MAX];
    fmt(c->born, s[0]);
    fmt(c->screen - 12, s[1]);
    fmt(c->screen - 610, s[2]);
    fmt(c->screen - 22, s[3]);
    fmt(c->screen - 20, s[4]);
    fmt(c->screen - 580, s[5]);
    fmt(c->screen - 32, s[6]);
    fmt(c->screen - 11, s[7]);
    lt_buf_printf(b, "{\"id\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\",\"labs\":[", c->id, s[0],
                  c->female ? "female" : "male");
    static const struct {
        const char *code, *unit;
        double v, lo, hi;
    } L[] = {{"hemoglobin", "g/dL", 12.5, 12.0, 16.0}, {"wbc", "10^9/L", 6.0, 4.0, 10.0},
             {"neutrophils", "10^9/L", 3.5, 1.8, 7.5}, {"platelets", "10^9/L", 220, 150, 400},
             {"creatinine", "mg/dL", 0.9, 0.5, 1.1},   {"egfr", "mL/min/1.73m2", 85, 60, 120},
             {"bilirubin", "mg/dL", 0.6, 0.1, 1.2},    {"albumin", "g/dL", 4.0, 3.5, 5.2},
             {"inr", "{ratio}", 1.0, 0.9, 1.1},        {"ptt", "s", 30, 25, 35},
             {"prothrombin_time", "s", 12, 11, 13.5}};
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
        lt_buf_printf(b,
                      "%s{\"code\":\"%s\",\"date\":\"%s\",\"value\":%g,\"unit\":\"%s\","
                      "\"low\":%g,\"high\":%g}",
                      i ? "," : "", L[i].code, s[1], L[i].v, L[i].unit, L[i].lo, L[i].hi);
    lt_buf_printf(b,
                  "],\"vitals\":[{\"code\":\"weight\",\"date\":\"%s\",\"value\":%.1f,\"unit\":"
                  "\"kg\"}],",
                  s[1], c->weight);
    lt_buf_printf(b, "\"performance\":[{\"code\":\"ecog\",\"date\":\"%s\",\"value\":%d}],", s[1],
                  c->f == F_ECOG ? 2 : 1);
    lt_buf_printf(b,
                  "\"diagnoses\":[{\"code\":\"net\",\"date\":\"%s\",\"primary_site\":\"%s\","
                  "\"grade\":\"G2\",\"ki67\":8,\"differentiation\":\"%s\",\"confirmed\":"
                  "\"histology\"},{\"code\":\"liver_metastases\",\"date\":\"%s\","
                  "\"resectable\":\"no\"}],",
                  s[2], c->primary, c->f == F_POORLY_DIFF ? "poor" : "well", s[2]);
    lt_buf_printf(b,
                  "\"imaging\":[{\"code\":\"mri_liver\",\"date\":\"%s\",\"liver_metastases\":"
                  "\"yes\",\"extrahepatic_disease\":\"%s\",\"liver_involvement_percent\":%d,"
                  "\"recist_progression\":\"yes\"},{\"code\":\"ga68_dotatate_pet\",\"date\":"
                  "\"%s\",\"liver_metastases\":\"yes\",\"extrahepatic_disease\":\"%s\","
                  "\"suv_max\":25,\"suv_liver_mean\":6,\"sstr_negative_lesions\":\"no\"}],",
                  s[3], c->f == F_EXTRAHEPATIC ? "yes" : "no", c->f == F_INVOLVEMENT ? 85 : 40,
                  s[4], c->f == F_EXTRAHEPATIC ? "yes" : "no");
    lt_buf_printf(b,
                  "\"treatments\":[{\"code\":\"somatostatin_analogue_long\",\"date\":\"%s\","
                  "\"end_date\":\"%s\"}],",
                  s[5], s[6]);
    /* E1 reads a woman's pregnancy, breastfeeding and childbearing potential */
    if (c->female)
        lt_buf_printf(b,
                      "\"status\":[{\"code\":\"pregnant\",\"date\":\"%s\",\"value\":false},"
                      "{\"code\":\"breastfeeding\",\"date\":\"%s\",\"value\":false},"
                      "{\"code\":\"childbearing_potential\",\"date\":\"%s\",\"value\":"
                      "false}],",
                      s[1], s[1], s[1]);
    lt_buf_puts(b, "\"attestations\":[");
    static const struct {
        const char *code;
        bool value;
    } A[] = {{"consent_written", true},
             {"recist_measurable_disease", true},
             {"contraception_agreed", true},
             {"life_expectancy_at_least_6_months", true},
             {"can_interrupt_somatostatin_analogues", true},
             {"contrast_contraindicated", false},
             {"contrast_allergy_severe_despite_premedication", false},
             {"angiography_contraindicated_other", false},
             {"prior_toxicity_unresolved_above_grade_1", false},
             {"uncontrolled_intercurrent_illness", false}};
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++)
        lt_buf_printf(b, "%s{\"code\":\"%s\",\"date\":\"%s\",\"value\":%s}", i ? "," : "",
                      A[i].code, s[7], A[i].value ? "true" : "false");
    /* with disease outside the liver, I3's other way in is the radiologist's word that it is
     * still liver-dominant: here it is not (without the word, I3 would need review) */
    if (c->f == F_EXTRAHEPATIC)
        lt_buf_printf(b,
                      ",{\"code\":\"liver_dominant_disease\",\"date\":\"%s\",\"value\":"
                      "false}",
                      s[7]);
    lt_buf_puts(b, "]}");
}

/* ---- treatment ---- */

/* The panel before a cycle: normal, but for what the story puts in it. */
static lt_status panel(nct *n, const cand *c, lt_date on, double platelets, double lymphocytes,
                       int *worst, lt_error *err)
{
    const lt__demo_lab L[] = {{"hemoglobin", "g/dL", 12.4, 12.0, 16.0},
                              {"wbc", "10^9/L", 5.6, 4.0, 10.0},
                              {"neutrophils", "10^9/L", 3.2, 1.8, 7.5},
                              {"lymphocytes", "10^9/L", lymphocytes, 1.0, 4.0},
                              {"platelets", "10^9/L", platelets, 150, 400},
                              {"creatinine", "mg/dL", 0.9, 0.5, 1.1},
                              {"bilirubin", "mg/dL", 0.6, 0.1, 1.2},
                              {"alt", "U/L", 27, 7, 35},
                              {"ast", "U/L", 25, 10, 35},
                              {"albumin", "g/dL", 4.0, 3.5, 5.2}};
    return lt__demo_labs(n->g, 0, c->id, on, L, sizeof L / sizeof L[0], worst, err);
}

/* Cycles 1-4 (seed 003: "two intra-arterial followed by two intravenous, two months apart
 * (+/- 2 weeks)"), cycle 1 two weeks after registration, each decided two days before from
 * the labs taken about 18 days before (the schedule's labs_Cn: 3 weeks before, +-1 week).
 * Stops before the cycle after stop (a progression). *given gets the cycles given, *last the
 * day of the last. */
static lt_status treat(nct *n, const cand *c, int k, lt_date stop, int *given, lt_date *last,
                       lt_error *err)
{
    lt__demo *g = n->g;
    *given = 0;
    *last = LT_DATE_NONE;
    /* a grade 3 lymphopenia before cycle 2 or 3 in 40% of the patients */
    int lymph_cycle = lt__demo_unif(g, 0, 1) < 0.4 ? lt__demo_int(g, 2, 3) : 0;
    lt_date day = c->screen + 14 + lt__demo_int(g, -3, 4);
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
        if (cycle > 1) day += 61 + lt__demo_int(g, -5, 5);
        if (day >= stop || day > n->cutoff) break;
        bool toxic = k == n->withhold_at && cycle == 3;
        double plt = toxic ? 45 : lt__demo_unif(g, 160, 280);
        double lymph = lymph_cycle == cycle ? 0.42 : lt__demo_unif(g, 1.0, 1.8);
        lt_date drawn = cycle == 1 ? c->screen : day - 18 + lt__demo_int(g, -3, 3);
        int worst;
        lt_status rc = panel(n, c, drawn, plt, lymph, &worst, err);
        lt_dosemod_decision dec;
        if (rc == LT_OK) rc = lt__demo_decide(g, 0, c->id, cycle, day - 2, &dec, err);
        if (rc == LT_OK && dec.action == LT_DOSE_WITHHOLD) {
            /* the label: withhold until grade 0-1, then resume at 3.7 GBq; the platelets
             * recover and the cycle is given three weeks late */
            g->r.withheld++;
            snprintf(n->withheld_patient, sizeof n->withheld_patient, "%s", c->id);
            day += 21;
            rc = panel(n, c, day - 3, lt__demo_unif(g, 110, 140), lt__demo_unif(g, 1.0, 1.6), NULL,
                       err);
            if (rc == LT_OK) rc = lt__demo_decide(g, 0, c->id, cycle, day - 1, &dec, err);
        }
        if (rc != LT_OK) return rc;
        if (dec.action == LT_DOSE_GIVE_REDUCED) g->r.reductions++;
        if (dec.action == LT_DOSE_DISCONTINUE) g->r.discontinued++;
        if (dec.action != LT_DOSE_GIVE_FULL && dec.action != LT_DOSE_GIVE_REDUCED) break;
        /* cycles 1-2 into the hepatic artery, 3-4 into a vein (the protocol's dosing.routes) */
        rc = lt__demo_administer(g, 0, c->id, cycle, day, dec.activity_mbq,
                                 cycle <= 2 ? LT_ROUTE_INTRA_ARTERIAL : LT_ROUTE_INTRAVENOUS, NULL,
                                 err);
        if (rc != LT_OK) return rc;
        (*given)++;
        *last = day;
        /* abdominal pain after an intra-arterial cycle, nausea or fatigue after any */
        double u = lt__demo_unif(g, 0, 1);
        if (u < 0.35) {
            const char *term = cycle <= 2 && u < 0.15 ? "Abdominal pain"
                               : u < 0.25             ? "Nausea"
                                                      : "Fatigue";
            rc = lt__demo_adverse_event(g, 0, c->id, term, u < 0.05 ? 2 : 1, LT_RELATED_PROBABLE,
                                        day + 1, day + lt__demo_int(g, 2, 6), NULL, err);
            if (rc != LT_OK) return rc;
        }
    }
    return LT_OK;
}

/* ---- tumour assessments ---- */

/* Two liver target lesions and a non-target liver lesion at baseline (registration), then
 * every 12 weeks until progression or the data cut, sized by the patient's course. The first
 * PD is returned in *pd (LT_DATE_NONE: none). */
static lt_status assess(nct *n, const cand *c, course how, lt_date *pd, lt_error *err)
{
    lt__demo *g = n->g;
    *pd = LT_DATE_NONE;
    double base[2] = {lt__demo_unif(g, 22, 55), lt__demo_unif(g, 14, 35)};
    base[0] = round(base[0]);
    base[1] = round(base[1]);
    /* the scan at which the course shows: a response by 12-24 weeks; a late progression after
     * cycle 4 (scans 3-6); an early one at 24 weeks, between cycles 3 and 4 */
    int turn = how == PROGRESSES_EARLY ? 2 : how == PROGRESSES_LATE ? lt__demo_int(g, 3, 6) : 2;
    double target = how == RESPONDS ? lt__demo_unif(g, 0.55, 0.68) : lt__demo_unif(g, 0.85, 1.05);
    for (int j = 0; j < MAX_SCANS; j++) {
        lt_date day = c->screen + j * SCAN_DAYS + (j ? lt__demo_int(g, -5, 5) : 0);
        if (day > n->cutoff) break;
        double f = j == 0 ? 1 : j >= turn ? target : 1 + (target - 1) * j / turn;
        bool progress = (how == PROGRESSES_EARLY || how == PROGRESSES_LATE) && j == turn;
        if (progress) f = lt__demo_unif(g, 1.3, 1.5) * (j > 1 ? 0.95 : 1);
        lt_lesion L[3] = {
            {.id = "T1", .organ = "liver", .target = true, .mm = round(base[0] * f)},
            {.id = "T2", .organ = "liver", .target = true, .mm = round(base[1] * f)},
            {.id = "N1", .organ = "liver", .target = false, .mm = NAN, .status = LT_LESION_PRESENT},
        };
        lt_tumour_assessment a = {.date = day,
                                  .modality = "mri_liver",
                                  .lesions = L,
                                  .nlesions = 3,
                                  .new_lesions = false};
        lt_recist_result res;
        lt_status rc = lt_conduct_tumour(g->coord[0].c, c->id, &a, NULL, &res, err);
        if (rc != LT_OK) return rc;
        g->r.tumour_assessments++;
        if (res.overall == LT_RECIST_PD) {
            *pd = day;
            g->r.progressions++;
            break;
        }
    }
    return LT_OK;
}

/* ---- endpoints ---- */

/* x of n with the exact interval, from lt_conduct_proportion's JSON (src/conduct/proportion.c). */
static lt_status proportion(nct *n, const char *endpoint, lt_demo_proportion *p, lt_buf *rep,
                            lt_error *err)
{
    lt_buf out = LT_BUF_INIT;
    lt_status rc = lt_conduct_proportion(n->g->stat.c, endpoint, n->cutoff, true, &out, err);
    lt_json *j = NULL;
    if (rc == LT_OK && lt_buf_failed(&out)) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    if (rc == LT_OK) rc = lt_json_parse(out.p, out.n, endpoint, &j, err);
    lt_buf_free(&out);
    if (rc != LT_OK) return rc;
    p->x = (long)lt_json_get_num(j, "x", 0);
    p->n = (long)lt_json_get_num(j, "n", 0);
    p->estimate = lt_json_get_num(j, "proportion", NAN);
    p->lower = lt_json_get_num(j, "lower", NAN);
    p->upper = lt_json_get_num(j, "upper", NAN);
    lt_buf_printf(rep, "  %-13s %ld of %ld = %.1f%% (exact 95%% CI %.1f%% to %.1f%%)  %s\n",
                  endpoint, p->x, p->n, 100 * p->estimate, 100 * p->lower, 100 * p->upper,
                  lt_json_get_str(j, "name", ""));
    lt_json_free(j);
    return LT_OK;
}

/* ---- the trial ---- */

static lt_status patient(nct *n, const cand *c, int k, lt_error *err)
{
    lt__demo *g = n->g;
    lt_status rc =
        lt_conduct_profile(g->coord[0].c, c->id, c->born, c->female ? LT_SEX_FEMALE : LT_SEX_MALE,
                           c->weight, NULL, err);
    if (rc != LT_OK) return rc;
    course how = k == n->stop_at       ? PROGRESSES_EARLY
                 : k == n->withhold_at ? STABLE
                                       : (course)(lt__demo_unif(g, 0, 1) < 0.35  ? RESPONDS
                                                  : lt__demo_unif(g, 0, 1) < 0.4 ? PROGRESSES_LATE
                                                                                 : STABLE);
    lt_date pd;
    rc = assess(n, c, how, &pd, err);
    int given;
    lt_date last;
    if (rc == LT_OK) rc = treat(n, c, k, pd == LT_DATE_NONE ? INT32_MAX : pd, &given, &last, err);
    if (rc != LT_OK) return rc;
    if (given < CYCLES && pd != LT_DATE_NONE && pd <= n->cutoff) {
        snprintf(n->stopped_patient, sizeof n->stopped_patient, "%s", c->id);
        /* the investigator records the progression that ended treatment */
        lt_outcome_event e = {.type = LT_EVENT_PROGRESSION, .date = pd};
        rc = lt_conduct_event(g->coord[0].c, c->id, &e, NULL, err);
    }
    /* follow-up from the day after the last cycle given, or from the progression */
    if (rc == LT_OK && last != LT_DATE_NONE) {
        lt_date fu = given == CYCLES ? last + 1 : pd;
        if (fu != LT_DATE_NONE && fu <= n->cutoff)
            rc = lt_trial_start_follow_up(g->coord[0].t, c->id, fu, err);
    }
    return rc;
}

lt_status lt__demo_nct04544098(lt__demo *g, lt_buf *rep, lt_error *err)
{
    nct n;
    memset(&n, 0, sizeof n);
    n.g = g;
    n.cutoff = lt_date_from_ymd(2025, 6, 30);
    lt_status rc = lt__demo_setup(g, site_codes, site_names, NSITES, err);
    if (rc != LT_OK) return rc;
    int target = g->o->patients > 0 ? g->o->patients : 10;
    n.withhold_at = lt__demo_int(g, 0, target - 1);
    n.stop_at = (n.withhold_at + lt__demo_int(g, 1, target - 1)) % target;
    int expected = (int)ceil(target / (1 - FAIL_P));
    int k = 0;
    while (g->r.randomised < target && rc == LT_OK) {
        cand c;
        memset(&c, 0, sizeof c);
        snprintf(c.id, sizeof c.id, "MSK-%03d", ++k);
        c.screen = d0() + (lt_date)((k - 1) * 365.0 / expected) + lt__demo_int(g, 0, 3);
        c.born = c.screen - (lt_date)(lt__demo_unif(g, 40, 78) * 365.25);
        c.female = lt__demo_unif(g, 0, 1) < 0.45;
        c.weight = c.female ? lt__demo_unif(g, 52, 85) : lt__demo_unif(g, 62, 100);
        double u = lt__demo_unif(g, 0, 1);
        c.primary = u < 0.4    ? "small_intestine"
                    : u < 0.75 ? "pancreas"
                    : u < 0.9  ? "lung"
                               : "unknown";
        c.f = lt__demo_unif(g, 0, 1) < FAIL_P ? (fault)lt__demo_int(g, 1, F_COUNT - 1) : F_NONE;
        lt_buf pj = LT_BUF_INIT;
        patient_json(&c, &pj);
        char arm[16];
        int before = g->r.randomised;
        rc = lt__demo_enrol(g, 0, c.id, &pj, c.screen, "1.0", arm, err);
        lt_buf_free(&pj);
        if (rc != LT_OK || !arm[0]) continue;
        if (!n.first_patient[0]) snprintf(n.first_patient, sizeof n.first_patient, "%s", c.id);
        rc = patient(&n, &c, before, err);
        if (rc != LT_OK) lt__demo_blame(err, c.id);
    }
    if (rc != LT_OK) return rc;

    char s[LT_DATE_STR_MAX], s2[LT_DATE_STR_MAX], s3[LT_DATE_STR_MAX];
    lt_buf_printf(rep, "NCT04544098 demonstration trial, seed %llu\n",
                  (unsigned long long)g->o->seed);
    lt_buf_puts(rep, "  model: single arm, registration without randomisation; 4 cycles of 7.4 GBq "
                     "two months apart,\n         cycles 1-2 intra-arterial and 3-4 intravenous, "
                     "each decided by the label's rules;\n         RECIST 1.1 every 12 weeks from "
                     "registration (35% respond, 25% progress after cycle 4)\n");
    lt_buf_printf(rep, "  accrual %s to %s at %d site (%s), data cut %s\n", fmt(d0(), s),
                  fmt(d0() + 365, s2), NSITES, site_codes[0], fmt(n.cutoff, s3));
    lt_buf_printf(rep, "\nScreening: %d screened, %d ineligible, %d needs review, %d registered\n",
                  g->r.screened, g->r.failed, g->r.needs_review, g->r.randomised);
    lt__demo_report_failures(g, rep);
    lt_buf_printf(rep,
                  "Treatment: %d administrations (%d intra-arterial, %d intravenous), %.1f "
                  "GBq in all (decay-corrected to the infusion start)\n",
                  g->r.administrations, g->r.intra_arterial,
                  g->r.administrations - g->r.intra_arterial, g->r.activity_mbq / 1000);
    lt_buf_printf(rep, "  %d cycle withheld and %d reduced to 3.7 GBq by the label's rules%s%s%s\n",
                  g->r.withheld, g->r.reductions, n.withheld_patient[0] ? " (patient " : "",
                  n.withheld_patient, n.withheld_patient[0] ? ")" : "");
    if (n.stopped_patient[0])
        lt_buf_printf(rep, "  patient %s stopped before cycle 4: progression\n", n.stopped_patient);
    lt_buf_printf(rep, "  %d laboratory results, %d with a CTCAE grade >= 1; %d adverse events\n",
                  g->r.labs, g->r.toxic_labs, g->r.adverse_events);
    lt_buf_printf(rep, "Tumour assessments (RECIST 1.1, with lesions): %d, %d progressions\n",
                  g->r.tumour_assessments, g->r.progressions);
    lt_buf_printf(rep, "\nEndpoints (data cut %s; exact Clopper-Pearson intervals)\n",
                  fmt(n.cutoff, s));
    rc = proportion(&n, "TOX_G3", &g->r.tox_g3, rep, err);
    if (rc == LT_OK) rc = proportion(&n, "COMPLETED_4", &g->r.completed, rep, err);
    if (rc == LT_OK) rc = proportion(&n, "ORR", &g->r.response, rep, err);
    if (rc == LT_OK) rc = proportion(&n, "ORR_CONFIRMED", &g->r.confirmed_response, rep, err);
    /* what a data manager takes away */
    lt_buf out = LT_BUF_INIT;
    if (rc == LT_OK) rc = lt_conduct_proportion(g->stat.c, NULL, n.cutoff, true, &out, err);
    if (rc == LT_OK) rc = lt__demo_write_out(g, "nct04544098-endpoints.json", out.p, out.n, err);
    lt_buf_reset(&out);
    if (rc == LT_OK) rc = lt_conduct_outcomes(g->stat.c, NULL, &out, NULL, err);
    if (rc == LT_OK) rc = lt__demo_write_out(g, "nct04544098-outcomes.json", out.p, out.n, err);
    lt_buf_free(&out);
    if (rc == LT_OK && g->o->out_dir)
        lt_buf_printf(&g->files,
                      "Datasets: %s/nct04544098-endpoints.json, "
                      "%s/nct04544098-outcomes.json\n",
                      g->o->out_dir, g->o->out_dir);
    return rc;
}
