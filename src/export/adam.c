/* ADaM datasets (ADaMIG 1.1): ADSL one row per subject, ADTTE one row per subject and
 * time-to-event endpoint of the protocol, ADAE one per adverse event (OCCDS), ADLB one per
 * laboratory result (BDS) with its baseline and toxicity grades. Dates are SAS dates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export_int.h"
#include "lutetia/conduct.h"
#include "lutetia/json.h"
#include "../trial/trial_int.h"

typedef lt__xsubject subject;
typedef lt__xctx ctx;

static lt_date first_dose_day(const subject *s)
{
    lt_date d;
    char day[11];
    snprintf(day, sizeof day, "%.10s", s->first_dose);
    return *s->first_dose && lt_date_parse(day, false, &d) ? d : LT_DATE_NONE;
}

/* The columns every ADaM dataset starts with (ADSL's identifiers). */
static void ids(ctx *c, const subject *s)
{
    char u[160];
    lt__x_usubjid(c, s, u, sizeof u);
    lt__ds_str(c->ds, "STUDYID", lt_protocol_name(c->t->protocol));
    lt__ds_str(c->ds, "USUBJID", u);
    lt__ds_str(c->ds, "SUBJID", s->id);
    lt__ds_str(c->ds, "SITEID", s->site);
}

/* ---- ADSL ---- */

/* Whether the protocol's arm gives a study treatment (has interventions). */
static bool arm_treats(const ctx *c, const char *arm)
{
    const lt_json *a = lt_json_get(lt_protocol_section(lt_trial_protocol(c->t), "arms"), arm);
    return lt_json_first(lt_json_get(a, "interventions")) != NULL;
}

static lt_status adsl_rows(ctx *c)
{
    for (size_t i = 0; i < c->n && lt__ds_row(c->ds); i++) {
        subject *s = &c->s[i];
        ids(c, s);
        if (s->birth != LT_DATE_NONE && s->randomised != LT_DATE_NONE)
            lt__ds_num(c->ds, "AGE", lt_date_age_years(s->birth, s->randomised));
        lt__ds_str(c->ds, "AGEU", "YEARS");
        lt__ds_str(c->ds, "SEX", (char[2]){s->sex, 0});
        lt__ds_str(c->ds, "ARM", lt__x_arm_name(c, s->arm));
        lt__ds_str(c->ds, "TRT01P", lt__x_arm_name(c, s->arm));
        lt__ds_str(c->ds, "TRT01A", lt__x_arm_name(c, s->arm));
        lt__ds_num(c->ds, "RANDDT", lt__x_sas_date(s->randomised));
        lt__ds_num(c->ds, "TRTSDT", lt__x_sas_date(first_dose_day(s)));
        lt__ds_num(c->ds, "TRTEDT", lt__x_sas_date(s->last_dose));
        lt__ds_str(c->ds, "ITTFL", "Y");
        /* the safety population: given a study treatment (an infusion, the oral drug), or in
         * an arm that gives none (standard of care: followed for safety all the same) */
        lt__ds_str(c->ds, "SAFFL", s->treated || !arm_treats(c, s->arm) ? "Y" : "N");
        lt__ds_str(c->ds, "EOSSTT", !s->end_reason                         ? "ONGOING"
                                    : !strcmp(s->end_reason, "completed") ? "COMPLETED"
                                                                          : "DISCONTINUED");
        lt__ds_str(c->ds, "DCSREAS",
                   s->end_reason && strcmp(s->end_reason, "completed")
                       ? lt__x_disposition(s->end_reason)
                       : NULL);
        lt__ds_num(c->ds, "DTHDT", lt__x_sas_date(s->death));
        lt__ds_str(c->ds, "DTHFL", s->death != LT_DATE_NONE ? "Y" : NULL);
    }
    return LT_OK;
}

/* ---- ADTTE ---- */

/* EVNTDESC and CNSDTDSC of a row: the event, or why and where follow-up was censored (the
 * reasons lt_endpoint_derive gives). */
static void describe(const lt_endpoint_row *r, char *evnt, char *cnsdt, size_t n)
{
    static const char *const censor[][3] = {
        {"last_assessment", "CENSORED AT LAST TUMOUR ASSESSMENT", "LAST TUMOUR ASSESSMENT"},
        {"last_contact", "CENSORED AT LAST CONTACT", "LAST DATE KNOWN ALIVE"},
        {"no_assessment", "CENSORED AT ORIGIN: NO ASSESSMENT AFTER IT", "TIME TO EVENT ORIGIN"},
        {"cutoff", "CENSORED AT DATA CUTOFF", "DATA CUTOFF DATE"},
    };
    const char *why = r->reason ? r->reason : "";
    *cnsdt = 0;
    if (!r->event)
        for (size_t i = 0; i < sizeof censor / sizeof censor[0]; i++)
            if (!strcmp(censor[i][0], why)) {
                snprintf(evnt, n, "%s", censor[i][1]);
                snprintf(cnsdt, n, "%s", censor[i][2]);
                return;
            }
    /* an event ("recurrence", "death", "next_therapy"), or a censoring named otherwise */
    size_t k = 0;
    for (; why[k] && k + 1 < n; k++)
        evnt[k] = (char)(why[k] == '_' ? ' ' : why[k] >= 'a' && why[k] <= 'z' ? why[k] - 32 : why[k]);
    evnt[k] = 0;
    if (!r->event) snprintf(cnsdt, n, "%s", evnt);
}

static void adtte_row(ctx *c, const subject *s, const lt_endpoints *ends, size_t e,
                      const lt_endpoint_row *r)
{
    if (!lt__ds_row(c->ds)) return;
    char u[160], code[9], param[200], evnt[64], cnsdt[64];
    lt__x_usubjid(c, s, u, sizeof u);
    lt__ds_str(c->ds, "STUDYID", lt_protocol_name(c->t->protocol));
    lt__ds_str(c->ds, "USUBJID", u);
    lt__ds_str(c->ds, "TRTP", lt__x_arm_name(c, s->arm));
    /* PARAMCD holds 8 characters: DFS_LIVER is DFS_LIVE, its PARAM names it whole */
    snprintf(code, sizeof code, "%s", lt_endpoints_id(ends, e));
    lt__ds_str(c->ds, "PARAMCD", code);
    const char *name = lt_endpoints_name(ends, e);
    /* no comma: scripts split ADTTE's CSV on commas (tests/cli/demo.sh) */
    snprintf(param, sizeof param, "%s (months from %s)", name ? name : lt_endpoints_id(ends, e),
             lt_endpoints_origin(ends, e));
    lt__ds_str(c->ds, "PARAM", param);
    lt__ds_num(c->ds, "AVAL", r->time / 30.4375);
    lt__ds_str(c->ds, "AVALU", "MONTHS");
    /* ADaM's CNSR: 0 an event, 1 censored */
    lt__ds_num(c->ds, "CNSR", r->event ? 0 : 1);
    lt__ds_num(c->ds, "STARTDT", lt__x_sas_date(r->origin));
    lt__ds_num(c->ds, "ADT", lt__x_sas_date(r->end));
    describe(r, evnt, cnsdt, sizeof evnt);
    lt__ds_str(c->ds, "EVNTDESC", evnt);
    lt__ds_str(c->ds, "CNSDTDSC", *cnsdt ? cnsdt : NULL);
    lt__ds_str(c->ds, "SUBJID", s->id);
    lt__ds_str(c->ds, "SITEID", s->site);
}

/* One parameter per time-to-event endpoint, derived as `lutetia endpoints` derives it
 * (lt_endpoint_derive over the same outcomes records, cut at cutoff). A patient whose
 * origin date is missing (LT_ESTATE) is left out of that parameter with a note naming the
 * date to record; the caller reports the count (the endpoints verb fails on the same
 * patient). A patient whose origin or randomisation is after the cutoff was not in the study
 * then: left out silently, as the endpoints verb does. */
static lt_status adtte_rows(ctx *c)
{
    lt_date cutoff = c->cutoff;
    lt_endpoints *ends = NULL;
    lt_status rc = lt_endpoints_from_protocol(c->t->protocol, &ends, c->err);
    if (rc == LT_ENOTFOUND) {
        lt_error_clear(c->err);
        return LT_OK;
    }
    for (size_t e = 0; rc == LT_OK && e < lt_endpoints_count(ends); e++) {
        if (lt_endpoints_proportion(ends, e)) continue; /* not a time to an event */
        const char *origin = lt_endpoints_origin(ends, e);
        for (size_t i = 0; rc == LT_OK && c->set && i < c->set->n; i++) {
            const lt_outcome_record *rec = c->set->records[i];
            subject *s = lt__x_find(c, rec->id);
            if (!s) continue;
            if (!lt_outcome_record_entered_by(rec, origin, cutoff)) continue;
            lt_endpoint_row row;
            lt_error e2;
            lt_error_clear(&e2);
            lt_status d = lt_endpoint_derive(ends, e, rec, cutoff, &row, &e2);
            if (d == LT_ESTATE) {
                c->left_out++;
                if (c->notes)
                    lt_buf_printf(c->notes,
                                  "%s: patient %s left out: no %s date (record it: lutetia record "
                                  "anchor --patient %s --anchor %s)\n",
                                  lt_endpoints_id(ends, e), rec->id, origin, rec->id, origin);
                continue;
            }
            if (d != LT_OK) {
                if (c->err) {
                    *c->err = e2;
                    snprintf(c->err->where, sizeof c->err->where, "patient %.64s", rec->id);
                }
                rc = d;
                break;
            }
            adtte_row(c, s, ends, e, &row);
        }
    }
    lt_endpoints_free(ends);
    return rc;
}

/* ---- ADAE ---- */

/* One row per adverse event, in AE's order (AESEQ is AE's). TRTEMFL: the event started on or
 * after the first infusion; the protocols name no end to the treatment-emergent period, and
 * radioligand therapy's late effects (myelodysplasia, kidney) come months after the last
 * cycle, so none is set. An arm without infusions has no treatment-emergent events. */
static void adae_row(ctx *c, subject *s, const lt_record *r, const lt_json *j)
{
    (void)r;
    if (!lt__ds_row(c->ds)) return;
    ids(c, s);
    lt__ds_str(c->ds, "TRTA", lt__x_arm_name(c, s->arm));
    lt_date first = first_dose_day(s), st = LT_DATE_NONE, en = LT_DATE_NONE;
    lt__ds_num(c->ds, "TRTSDT", lt__x_sas_date(first));
    lt__ds_num(c->ds, "TRTEDT", lt__x_sas_date(s->last_dose));
    lt__ds_num(c->ds, "AESEQ", ++s->seq[SEQ_AE]);
    const char *term = lt_json_get_str(j, "term", NULL);
    lt__ds_str(c->ds, "AETERM", lt_json_get_str(j, "verbatim", term));
    lt__ds_str(c->ds, "AEDECOD", term);
    lt__ds_str(c->ds, "AEBODSYS", lt_json_get_str(j, "soc", NULL));
    const char *sd = lt_json_get_str(j, "start", NULL), *ed = lt_json_get_str(j, "end", NULL);
    if (sd) lt_date_parse(sd, false, &st);
    if (ed) lt_date_parse(ed, false, &en);
    lt__ds_num(c->ds, "ASTDT", lt__x_sas_date(st));
    lt__ds_num(c->ds, "AENDT", lt__x_sas_date(en));
    /* study day: the day of the first infusion is day 1, the day before it day -1 */
    if (st != LT_DATE_NONE && first != LT_DATE_NONE)
        lt__ds_num(c->ds, "ASTDY", st >= first ? st - first + 1 : st - first);
    lt__ds_str(c->ds, "TRTEMFL",
               st != LT_DATE_NONE && first != LT_DATE_NONE && st >= first ? "Y" : NULL);
    double g;
    if (lt_json_num(lt_json_get(j, "grade"), &g) && g >= 1 && g <= 5) {
        char gs[8];
        snprintf(gs, sizeof gs, "%d", (int)g);
        lt__ds_str(c->ds, "AETOXGR", gs);
        lt__ds_str(c->ds, "ATOXGR", gs);
        lt__ds_num(c->ds, "ATOXGRN", (int)g);
    }
    bool serious = false;
    lt_json_bool(lt_json_get(j, "serious"), &serious);
    lt__ds_str(c->ds, "AESER", serious ? "Y" : "N");
    const char *rel = lt_json_get_str(j, "related", NULL);
    char up[32] = "";
    for (size_t k = 0; rel && rel[k] && k + 1 < sizeof up; k++) {
        up[k] = (char)(rel[k] >= 'a' && rel[k] <= 'z' ? rel[k] - 32 : rel[k] == '_' ? ' ' : rel[k]);
        up[k + 1] = 0;
    }
    lt__ds_str(c->ds, "AEREL", up);
}

/* ---- ADLB ---- */

typedef struct labrow {
    subject *s;
    char code[9];
    const char *name;
    char unit[24];
    lt_date date;
    double value;
    int grade; /* -1: not graded */
    int seq;   /* LB's LBSEQ */
    bool base, worst;
} labrow;

typedef struct labset {
    ctx *c;
    labrow *rows;
    size_t n, cap;
} labset;

static int take_lab(const lt_record *r, void *p)
{
    labset *L = p;
    ctx *c = L->c;
    subject *s = r->patient ? lt__x_find(c, r->patient) : NULL;
    if (!s || !(c->t->all_sites || lt__trial_has_site(c->t, r->site))) return 0;
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(r->data, strlen(r->data), r->kind, &j, c->err);
    if (rc != LT_OK) {
        c->rc = rc;
        return 1;
    }
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 256;
        labrow *more = realloc(L->rows, cap * sizeof *more);
        if (!more) {
            lt_json_free(j);
            c->oom = true;
            return 1;
        }
        L->rows = more;
        L->cap = cap;
    }
    labrow *x = &L->rows[L->n++];
    memset(x, 0, sizeof *x);
    x->s = s;
    x->seq = ++s->seq[SEQ_LB]; /* the same order as LB's rows: LBSEQ matches */
    lt__x_lab_test(lt_json_get_str(j, "analyte", "?"), x->code, &x->name);
    snprintf(x->unit, sizeof x->unit, "%s", lt_json_get_str(j, "unit", ""));
    x->date = LT_DATE_NONE;
    lt_date_parse(lt_json_get_str(j, "date", ""), false, &x->date);
    if (!lt_json_num(lt_json_get(j, "value"), &x->value)) x->value = NAN;
    double g;
    x->grade = lt_json_num(lt_json_get(lt_json_get(j, "grade"), "grade"), &g) && g >= 0 && g <= 5
                   ? (int)g
                   : -1;
    lt_json_free(j);
    return 0;
}

/* The baseline is the last result of the test on or before the day of the first infusion (the
 * randomisation day in an arm without infusions); ANL01FL marks the post-baseline result with
 * the worst grade (the first of equals), the row a shift table (baseline grade -> worst grade)
 * reads. */
static lt_status adlb_rows(ctx *c)
{
    labset L = {.c = c};
    lt_status rc = lt_store_each(c->t->st, "lab", NULL, take_lab, &L, c->err);
    if (rc == LT_OK && c->rc) rc = c->rc; /* a record that could not be read */
    if (rc == LT_OK && c->oom) rc = lt_error_set(c->err, LT_ENOMEM, "", "out of memory");
    for (size_t i = 0; rc == LT_OK && i < L.n; i++) {
        labrow *x = &L.rows[i];
        lt_date ref = first_dose_day(x->s);
        if (ref == LT_DATE_NONE) ref = x->s->randomised;
        labrow *base = NULL, *worst = NULL;
        for (size_t k = 0; k < L.n; k++) {
            labrow *y = &L.rows[k];
            if (y->s != x->s || strcmp(y->code, x->code)) continue;
            if (y->date <= ref && (!base || y->date >= base->date)) base = y;
            if (y->date > ref && y->grade >= 0 && (!worst || y->grade > worst->grade)) worst = y;
        }
        if (base) base->base = true;
        if (worst) worst->worst = true;
    }
    for (size_t i = 0; rc == LT_OK && i < L.n && lt__ds_row(c->ds); i++) {
        labrow *x = &L.rows[i];
        const labrow *base = NULL;
        for (size_t k = 0; k < L.n; k++)
            if (L.rows[k].base && L.rows[k].s == x->s && !strcmp(L.rows[k].code, x->code))
                base = &L.rows[k];
        ids(c, x->s);
        lt__ds_str(c->ds, "TRTA", lt__x_arm_name(c, x->s->arm));
        lt__ds_num(c->ds, "LBSEQ", x->seq);
        lt__ds_str(c->ds, "PARAMCD", x->code);
        char param[120];
        snprintf(param, sizeof param, "%s (%s)", x->name, x->unit);
        lt__ds_str(c->ds, "PARAM", param);
        lt__ds_num(c->ds, "AVAL", x->value);
        lt__ds_str(c->ds, "AVALU", x->unit);
        lt__ds_num(c->ds, "ADT", lt__x_sas_date(x->date));
        lt__ds_str(c->ds, "ABLFL", x->base ? "Y" : NULL);
        if (base) {
            lt__ds_num(c->ds, "BASE", base->value);
            if (base->grade >= 0) lt__ds_str(c->ds, "BTOXGR", (char[2]){(char)('0' + base->grade), 0});
            if (x->date > base->date) lt__ds_num(c->ds, "CHG", x->value - base->value);
        }
        if (x->grade >= 0) {
            lt__ds_str(c->ds, "ATOXGR", (char[2]){(char)('0' + x->grade), 0});
            lt__ds_num(c->ds, "ATOXGRN", x->grade);
        }
        lt__ds_str(c->ds, "ANL01FL", x->worst ? "Y" : NULL);
    }
    free(L.rows);
    return rc;
}

/* ---- the datasets ---- */

static const lt__ds_var ADSL_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"SUBJID", "Subject Identifier for the Study", false},
    {"SITEID", "Study Site Identifier", false},
    {"AGE", "Age", true},
    {"AGEU", "Age Units", false},
    {"SEX", "Sex", false},
    {"ARM", "Description of Planned Arm", false},
    {"TRT01P", "Planned Treatment for Period 01", false},
    {"TRT01A", "Actual Treatment for Period 01", false},
    {"RANDDT", "Date of Randomization", true},
    {"TRTSDT", "Date of First Exposure to Treatment", true},
    {"TRTEDT", "Date of Last Exposure to Treatment", true},
    {"ITTFL", "Intent-To-Treat Population Flag", false},
    {"SAFFL", "Safety Population Flag", false},
    {"EOSSTT", "End of Study Status", false},
    {"DCSREAS", "Reason for Discontinuation from Study", false},
    {"DTHDT", "Date of Death", true},
    {"DTHFL", "Subject Death Flag", false},
};

/* The first eight columns keep their places: scripts read ADTTE by position (tests/cli). */
static const lt__ds_var ADTTE_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"TRTP", "Planned Treatment", false},
    {"PARAMCD", "Parameter Code", false},
    {"PARAM", "Parameter", false},
    {"AVAL", "Analysis Value", true},
    {"AVALU", "Analysis Value Unit", false},
    {"CNSR", "Censor", true},
    {"STARTDT", "Time to Event Origin Date for Subject", true},
    {"ADT", "Analysis Date", true},
    {"EVNTDESC", "Event or Censoring Description", false},
    {"CNSDTDSC", "Censor Date Description", false},
    {"SUBJID", "Subject Identifier for the Study", false},
    {"SITEID", "Study Site Identifier", false},
};

static const lt__ds_var ADAE_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"SUBJID", "Subject Identifier for the Study", false},
    {"SITEID", "Study Site Identifier", false},
    {"TRTA", "Actual Treatment", false},
    {"TRTSDT", "Date of First Exposure to Treatment", true},
    {"TRTEDT", "Date of Last Exposure to Treatment", true},
    {"AESEQ", "Sequence Number", true},
    {"AETERM", "Reported Term for the Adverse Event", false},
    {"AEDECOD", "Dictionary-Derived Term", false},
    {"AEBODSYS", "Body System or Organ Class", false},
    {"ASTDT", "Analysis Start Date", true},
    {"AENDT", "Analysis End Date", true},
    {"ASTDY", "Analysis Start Relative Day", true},
    {"TRTEMFL", "Treatment Emergent Analysis Flag", false},
    {"AETOXGR", "Standard Toxicity Grade", false},
    {"ATOXGR", "Analysis Toxicity Grade", false},
    {"ATOXGRN", "Analysis Toxicity Grade (N)", true},
    {"AESER", "Serious Event", false},
    {"AEREL", "Causality", false},
};

static const lt__ds_var ADLB_VARS[] = {
    {"STUDYID", "Study Identifier", false},
    {"USUBJID", "Unique Subject Identifier", false},
    {"SUBJID", "Subject Identifier for the Study", false},
    {"SITEID", "Study Site Identifier", false},
    {"TRTA", "Actual Treatment", false},
    {"LBSEQ", "Sequence Number", true},
    {"PARAMCD", "Parameter Code", false},
    {"PARAM", "Parameter", false},
    {"AVAL", "Analysis Value", true},
    {"AVALU", "Analysis Value Unit", false},
    {"ADT", "Analysis Date", true},
    {"ABLFL", "Baseline Record Flag", false},
    {"BASE", "Baseline Value", true},
    {"CHG", "Change from Baseline", true},
    {"BTOXGR", "Baseline Toxicity Grade", false},
    {"ATOXGR", "Analysis Toxicity Grade", false},
    {"ATOXGRN", "Analysis Toxicity Grade (N)", true},
    {"ANL01FL", "Analysis Flag 01", false},
};

#define N(a) (sizeof a / sizeof a[0])

const lt__xdomain lt__x_adam_domains[] = {
    {"ADSL", "Subject-Level Analysis Dataset", ADSL_VARS, N(ADSL_VARS), adsl_rows, NULL, NULL},
    {"ADTTE", "Time-to-Event Analysis Dataset", ADTTE_VARS, N(ADTTE_VARS), adtte_rows, NULL,
     NULL},
    {"ADAE", "Adverse Events Analysis Dataset", ADAE_VARS, N(ADAE_VARS), NULL, "adverse_event",
     adae_row},
    {"ADLB", "Laboratory Analysis Dataset", ADLB_VARS, N(ADLB_VARS), adlb_rows, NULL, NULL},
};
const size_t lt__x_adam_count = N(lt__x_adam_domains);
