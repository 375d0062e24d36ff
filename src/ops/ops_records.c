/* Operation rows of what happens to a randomised patient (`lutetia record WHAT`): profile,
 * anchor and actual dates, adverse events, tumour assessments, questionnaires, outcome events,
 * dose decisions, administrations with decay correction, dose deviations and an oral drug's
 * course. Each handler turns its named arguments into the record the conduct module takes and
 * calls the function the CLI's subcommand calls; the rules (roles, sites, ranges, order) are
 * the conduct module's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/conduct.h"
#include "ops_int.h"

#define RECORDERS (R(COORDINATOR) | R(INVESTIGATOR))     /* LT_DO_RECORD in src/trial/roles.c */
#define DECIDERS (R(INVESTIGATOR) | R(NUCLEAR_MEDICINE)) /* LT_DO_DECIDE_DOSE */
#define REASON                                                                                     \
    {                                                                                              \
        "reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why: a correction needs one"                \
    }

typedef lt_status (*with_fn)(lt_conduct *c, const lt_json *a, lt_buf *out, lt_error *err);

/* Opens the conduct context of the trial for one handler. */
static lt_status with_conduct(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err, with_fn fn)
{
    lt_conduct *c = NULL;
    lt_status rc = lt_conduct_new(t, NULL, &c, err);
    if (rc == LT_OK) rc = fn(c, a, out, err);
    lt_conduct_free(c);
    return rc;
}

#define HANDLER(name)                                                                              \
    static lt_status name##_c(lt_conduct *c, const lt_json *a, lt_buf *out, lt_error *err);        \
    static lt_status name(lt_trial *t, const lt_json *a, lt_buf *out, lt_error *err)               \
    {                                                                                              \
        return with_conduct(t, a, out, err, name##_c);                                             \
    }                                                                                              \
    static lt_status name##_c(lt_conduct *c, const lt_json *a, lt_buf *out, lt_error *err)

/* {"patient": ID, "recorded": WHAT, "date": D}: the answer of a write whose CLI prints a line */
static void recorded(lt_buf *out, const char *patient, const char *what, const lt_json *a,
                     const char *date_param)
{
    lt_buf_puts(out, "{\"patient\":");
    lt_buf_json_str(out, patient);
    lt_buf_puts(out, ",\"recorded\":");
    lt_buf_json_str(out, what);
    const char *d = date_param ? lt__arg_str(a, date_param) : NULL;
    if (d) {
        lt_buf_puts(out, ",\"date\":");
        lt_buf_json_str(out, d);
    }
    lt_buf_putc(out, '}');
}

static lt_time arg_time(const lt_json *a, const char *name)
{
    lt_time tm = LT_DOSE_NO_TIME;
    const char *s = lt__arg_str(a, name);
    if (s && !lt_time_parse(s, &tm)) tm = LT_DOSE_NO_TIME;
    return tm;
}

/* A whole number from lo to hi, or LT_EINVAL naming the parameter. */
static lt_status arg_int(const lt_json *a, const char *name, double lo, double hi, int *out,
                         lt_error *err)
{
    double x = lt__arg_num(a, name, NAN);
    if (!(x == floor(x) && x >= lo && x <= hi))
        LT_FAIL(err, LT_EINVAL, name, "expected a whole number from %g to %g, found %g", lo, hi, x);
    *out = (int)x;
    return LT_OK;
}

HANDLER(op_profile)
{
    const char *p = lt__arg_str(a, "patient"), *s = lt__arg_str(a, "sex");
    lt_sex sex = !strcmp(s, "female") ? LT_SEX_FEMALE
                 : !strcmp(s, "male") ? LT_SEX_MALE
                                      : LT_SEX_UNKNOWN;
    if (sex == LT_SEX_UNKNOWN)
        LT_FAIL(err, LT_EINVAL, "sex", "expected female or male, found \"%s\"", s);
    lt_status rc = (lt__arg_bool(a, "confirm") ? lt_conduct_profile_confirmed : lt_conduct_profile)(
        c, p, lt__arg_date(a, "birth_date"), sex, lt__arg_num(a, "weight", NAN),
        lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) recorded(out, p, "profile", a, NULL);
    return rc;
}

HANDLER(op_anchor)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_conduct_anchor(c, p, lt__arg_str(a, "anchor"), lt__arg_date(a, "date"),
                                     lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) recorded(out, p, lt__arg_str(a, "anchor"), a, "date");
    return rc;
}

HANDLER(op_actual)
{
    const char *p = lt__arg_str(a, "patient");
    lt_status rc = lt_conduct_actual(c, p, lt__arg_str(a, "entry"), lt__arg_date(a, "date"),
                                     lt__arg_str(a, "late_reason"), lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) recorded(out, p, lt__arg_str(a, "entry"), a, "date");
    return rc;
}

HANDLER(op_ae)
{
    const char *p = lt__arg_str(a, "patient");
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.patient, sizeof e.patient, "%s", p);
    snprintf(e.term, sizeof e.term, "%s", lt__arg_str(a, "term"));
    lt_status rc = arg_int(a, "grade", 1, 5, &e.grade, err);
    if (rc != LT_OK) return rc;
    e.start = lt__arg_date(a, "start");
    e.end = lt__arg_date(a, "end");
    e.serious = lt__arg_bool(a, "serious");
    const char *rel = lt__arg_str(a, "related");
    if (rel && !lt_relatedness_parse(rel, &e.related))
        LT_FAIL(err, LT_EINVAL, "related",
                "expected not_related, unlikely, possible, probable or definite, found \"%s\"",
                rel);
    if (lt__arg_str(a, "specify"))
        snprintf(e.verbatim, sizeof e.verbatim, "%s", lt__arg_str(a, "specify"));
    char id[LT_CONDUCT_ID_MAX];
    rc = lt_conduct_adverse_event(c, &e, lt__arg_str(a, "id"), lt__arg_str(a, "reason"), id, err);
    if (rc != LT_OK) return rc;
    /* the term as coded: CTCAE's spelling, or the term a site's word maps to */
    const lt_ctcae_term_entry *coded = lt_conduct_coded_term(c, e.term);
    lt_buf_puts(out, "{\"patient\":");
    lt_buf_json_str(out, p);
    lt_buf_puts(out, ",\"id\":");
    lt_buf_json_str(out, id);
    lt_buf_puts(out, ",\"term\":");
    lt_buf_json_str(out, coded ? coded->term : e.term);
    lt_buf_printf(out, ",\"grade\":%d}", e.grade);
    return LT_OK;
}

/* An assessment's or a questionnaire's members are read by the outcomes format's own reader
 * (docs/outcomes-format.md), so a lesion over HTTP is what it is in an outcomes file. */
static lt_status read_as_record(const char *patient, const char *member, const lt_json *item,
                                lt_outcome_record **r, lt_error *err)
{
    char *text = lt_json_print(item);
    if (!text) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"id\":");
    lt_buf_json_str(&b, patient);
    lt_buf_printf(&b, ",\"%s\":[%s]}", member, text);
    free(text);
    lt_json *doc = NULL;
    lt_status rc = lt_buf_failed(&b) ? lt_error_set(err, LT_ENOMEM, "", "out of memory")
                                     : lt_json_parse(b.p, b.n, "body", &doc, err);
    if (rc == LT_OK) rc = lt_outcome_record_from_json(doc, "", r, err);
    if (rc == LT_ESCHEMA && err) {
        /* a member of this request, not of a file: named from the request's top, and a bad
         * argument (400) like any other */
        char prefix[64];
        int n = snprintf(prefix, sizeof prefix, ".%s[0].", member);
        if (!strncmp(err->where, prefix, (size_t)n))
            memmove(err->where, err->where + n, strlen(err->where + n) + 1);
        err->status = rc = LT_EINVAL;
    }
    lt_json_free(doc);
    lt_buf_free(&b);
    return rc;
}

/* The arguments that are not the patient, the reason or the door's, as one object. */
static lt_json *members_but(const lt_json *a, const char *const *skip)
{
    lt_buf b = LT_BUF_INIT;
    lt_buf_putc(&b, '{');
    bool first = true;
    for (const lt_json *m = lt_json_first(a); m; m = lt_json_next(m)) {
        bool drop = false;
        for (const char *const *s = skip; *s && !drop; s++)
            drop = !strcmp(lt_json_key(m), *s);
        if (drop) continue;
        char *v = lt_json_print(m);
        if (!v) continue;
        lt_buf_puts(&b, first ? "" : ",");
        lt_buf_json_str(&b, lt_json_key(m));
        lt_buf_putc(&b, ':');
        lt_buf_puts(&b, v);
        free(v);
        first = false;
    }
    lt_buf_putc(&b, '}');
    lt_json *j = NULL;
    lt_error ignored;
    if (!lt_buf_failed(&b)) lt_json_parse(b.p, b.n, "body", &j, &ignored);
    lt_buf_free(&b);
    return j;
}

static const char *const not_members[] = {"patient", "reason", NULL};

HANDLER(op_assessment)
{
    const char *p = lt__arg_str(a, "patient");
    lt_json *item = members_but(a, not_members);
    if (!item) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_outcome_record *r = NULL;
    lt_status rc = read_as_record(p, "assessments", item, &r, err);
    lt_json_free(item);
    if (rc != LT_OK) return rc;
    lt_recist_result res;
    rc = lt_conduct_tumour(c, p, &r->assessments[0], lt__arg_str(a, "reason"), &res, err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"patient\":");
        lt_buf_json_str(out, p);
        lt_buf_puts(out, ",\"recorded\":\"assessment\",\"date\":");
        lt_buf_json_str(out, lt__arg_str(a, "date"));
        lt_buf_puts(out, ",\"modality\":");
        lt_buf_json_str(out, lt__arg_str(a, "modality"));
        if (r->assessments[0].nlesions || r->assessments[0].new_lesions) {
            /* the first scan is the reference the responses are measured from */
            lt_buf_puts(out, ",\"recist\":");
            lt_buf_json_str(out, res.baseline ? "baseline" : lt_recist_response_name(res.overall));
            if (isfinite(res.sum)) lt_buf_printf(out, ",\"sum_mm\":%.17g", res.sum);
        }
        lt_buf_putc(out, '}');
    }
    lt_outcome_record_free(r);
    return rc;
}

HANDLER(op_questionnaire)
{
    const char *p = lt__arg_str(a, "patient");
    lt_json *item = members_but(a, not_members);
    if (!item) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_outcome_record *r = NULL;
    lt_status rc = read_as_record(p, "questionnaires", item, &r, err);
    lt_json_free(item);
    if (rc != LT_OK) return rc;
    rc = lt_conduct_questionnaire(c, p, &r->questionnaires[0], lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) recorded(out, p, "qlq_c30", a, "date");
    lt_outcome_record_free(r);
    return rc;
}

HANDLER(op_event)
{
    const char *p = lt__arg_str(a, "patient"), *type = lt__arg_str(a, "type");
    lt_outcome_event e = {.date = lt__arg_date(a, "date"),
                          .site = lt__arg_str(a, "site"),
                          .cause = lt__arg_str(a, "cause"),
                          .therapy = lt__arg_str(a, "therapy"),
                          .note = lt__arg_str(a, "note")};
    int k = 0;
    while (k < LT_EVENT_TYPE_COUNT && strcmp(lt_event_type_name((lt_event_type)k), type))
        k++;
    if (k == LT_EVENT_TYPE_COUNT)
        LT_FAIL(err, LT_EINVAL, "type",
                "expected recurrence, progression, death, next_therapy, lost_to_follow_up or "
                "withdrawal, found \"%s\"",
                type);
    e.type = (lt_event_type)k;
    lt_status rc = lt_conduct_event(c, p, &e, lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) recorded(out, p, type, a, "date");
    return rc;
}

HANDLER(op_decide)
{
    int cycle;
    lt_status rc = arg_int(a, "cycle", 1, LT_DOSE_MAX_CYCLES, &cycle, err);
    lt_dosemod_decision dec;
    if (rc == LT_OK)
        rc = lt_conduct_decide(c, lt__arg_str(a, "patient"), cycle, lt__arg_date(a, "date"), &dec,
                               err);
    if (rc == LT_OK) lt_dosemod_decision_to_json(&dec, out);
    return rc;
}

/* An activity argument in the row's unit (MBq by default), in MBq; NAN when absent. */
static lt_status activity(const lt_json *a, const char *name, const char *unit, double *out,
                          lt_error *err)
{
    double v = lt__arg_num(a, name, NAN);
    *out = NAN;
    if (isnan(v)) return LT_OK;
    if (!lt_activity_to_mbq(v, unit, out))
        LT_FAIL(err, LT_EINVAL, "unit",
                "expected an activity unit (Bq, kBq, MBq, GBq, uCi, mCi, Ci), found \"%s\"", unit);
    return LT_OK;
}

HANDLER(op_administration)
{
    const char *p = lt__arg_str(a, "patient");
    lt_administration ad;
    lt_administration_init(&ad);
    snprintf(ad.patient, sizeof ad.patient, "%s", p);
    const char *nuc = lt__arg_str(a, "nuclide"), *unit = lt__arg_str(a, "unit");
    snprintf(ad.nuclide, sizeof ad.nuclide, "%s", nuc ? nuc : "Lu-177");
    if (!unit) unit = "MBq";
    lt_status rc = arg_int(a, "cycle", 1, LT_DOSE_MAX_CYCLES, &ad.cycle, err);
    if (rc != LT_OK) return rc;
    ad.route = LT_ROUTE_INTRAVENOUS;
    const char *route = lt__arg_str(a, "route");
    if (route && !lt_route_parse(route, &ad.route))
        LT_FAIL(err, LT_EINVAL, "route", "expected intravenous or intra_arterial, found \"%s\"",
                route);
    if ((rc = activity(a, "prescribed", unit, &ad.prescribed_mbq, err)) ||
        (rc = activity(a, "before", unit, &ad.before_mbq, err)) ||
        (rc = activity(a, "residual", unit, &ad.residual_mbq, err)) ||
        (rc = activity(a, "calibration", unit, &ad.calibration_mbq, err)))
        return rc;
    ad.before_time = arg_time(a, "before_at");
    ad.residual_time = arg_time(a, "residual_at");
    ad.infusion_start = arg_time(a, "start");
    ad.infusion_end = arg_time(a, "end");
    ad.calibration_time = arg_time(a, "calibration_at");
    ad.amino_start = arg_time(a, "amino_start");
    ad.amino_end = arg_time(a, "amino_end");
    ad.last_ssa_long = arg_time(a, "last_ssa_long");
    ad.last_ssa_short = arg_time(a, "last_ssa_short");
    ad.amino_acids = !lt__arg_bool(a, "no_amino");
    ad.no_ssa_long = lt__arg_bool(a, "no_ssa_long");
    ad.no_ssa_short = lt__arg_bool(a, "no_ssa_short");
    /* acknowledgements: {"CODE": "reason", ...} */
    for (const lt_json *m = lt_json_first(lt_json_get(a, "acks")); m; m = lt_json_next(m)) {
        if (!lt_json_str(m))
            LT_FAIL(err, LT_EINVAL, "acks", "expected {\"CODE\": \"reason\"}, found %s for %s",
                    lt_json_kind(m), lt_json_key(m));
        if ((rc = lt_administration_acknowledge(&ad, lt_json_key(m), lt_json_str(m), err)))
            return rc;
    }
    lt_administration_result res;
    rc = lt_conduct_administer(c, &ad, lt__arg_str(a, "reason"), &res, err);
    if (rc == LT_OK) lt_administration_result_to_json(&res, out);
    return rc;
}

HANDLER(op_deviation)
{
    const char *p = lt__arg_str(a, "patient");
    int cycle;
    double mbq;
    const char *unit = lt__arg_str(a, "unit");
    lt_status rc = arg_int(a, "cycle", 1, LT_DOSE_MAX_CYCLES, &cycle, err);
    if (rc == LT_OK) rc = activity(a, "activity", unit ? unit : "MBq", &mbq, err);
    if (rc != LT_OK) return rc;
    bool past = lt__arg_bool(a, "past_cumulative_limit");
    rc = lt_conduct_dose_deviation(c, p, cycle, mbq, past, lt__arg_str(a, "reason"), err);
    if (rc == LT_OK) {
        lt_buf_puts(out, "{\"patient\":");
        lt_buf_json_str(out, p);
        lt_buf_printf(out, ",\"cycle\":%d,\"activity_mbq\":%.17g,\"past_cumulative_limit\":%s}",
                      cycle, mbq, past ? "true" : "false");
    }
    return rc;
}

/* ---- an oral drug ---- */

/* One oral-drug record of the type the row names (its path's last segment); the answer is the
 * drug's state and records as of the record's date (what `record oral show` prints). */
static lt_status oral_record(lt_conduct *c, const lt_json *a, lt_oral_event_type type, lt_buf *out,
                             lt_error *err)
{
    const char *p = lt__arg_str(a, "patient");
    lt_conduct_oral in;
    memset(&in, 0, sizeof in);
    in.type = type;
    in.date = lt__arg_date(a, "date");
    in.dose_mg = lt__arg_num(a, "dose", 0);
    in.strength_mg = lt__arg_num(a, "strength", NAN);
    in.category = lt__arg_str(a, "toxicity");
    in.cause = lt__arg_str(a, "cause");
    lt_status rc = LT_OK;
    if (lt_json_get(a, "toxicity") != NULL) {
        if (!lt_json_get(a, "grade"))
            LT_FAIL(err, LT_EINVAL, "grade", "toxicity and grade go together");
        rc = arg_int(a, "grade", 1, 4, &in.grade, err);
    } else if (lt_json_get(a, "grade")) {
        LT_FAIL(err, LT_EINVAL, "toxicity", "toxicity and grade go together");
    }
    int n = 0;
    if (rc == LT_OK && lt_json_get(a, "tablets") &&
        !(rc = arg_int(a, "tablets", 1, 10000, &n, err)))
        in.tablets = n;
    if (rc == LT_OK && lt_json_get(a, "returned") &&
        !(rc = arg_int(a, "returned", 0, 10000, &n, err)))
        in.returned = n;
    if (rc == LT_OK && lt_json_get(a, "lost") && !(rc = arg_int(a, "lost", 0, 10000, &n, err)))
        in.lost = n;
    if (rc == LT_OK) rc = lt_conduct_oral_record(c, p, &in, lt__arg_str(a, "reason"), NULL, err);
    if (rc == LT_OK) rc = lt_conduct_oral_show(c, p, in.date, out, err);
    return rc;
}

#define ORAL(fn, type)                                                                             \
    HANDLER(fn)                                                                                    \
    {                                                                                              \
        return oral_record(c, a, type, out, err);                                                  \
    }
ORAL(op_oral_start, LT_ORAL_EV_START)
ORAL(op_oral_dose, LT_ORAL_EV_DOSE)
ORAL(op_oral_interrupt, LT_ORAL_EV_INTERRUPT)
ORAL(op_oral_resume, LT_ORAL_EV_RESUME)
ORAL(op_oral_stop, LT_ORAL_EV_STOP)
ORAL(op_oral_dispense, LT_ORAL_EV_DISPENSE)
ORAL(op_oral_return, LT_ORAL_EV_RETURN)

HANDLER(op_oral_decide)
{
    lt_oral_decision dec;
    lt_status rc =
        lt_conduct_oral_decide(c, lt__arg_str(a, "patient"), lt__arg_date(a, "date"), &dec, err);
    if (rc == LT_OK) lt_oral_decision_to_json(&dec, out);
    return rc;
}

HANDLER(op_oral_show)
{
    return lt_conduct_oral_show(c, lt__arg_str(a, "patient"), lt__arg_date(a, "as_of"), out, err);
}

/* ---- the rows ---- */

#define DATE_REQ(what)                                                                             \
    {                                                                                              \
        "date", LT_OP_DATE, LT_OP_IN_BODY, true, what                                              \
    }
#define T(name, doc)                                                                               \
    {                                                                                              \
        name, LT_OP_TIME, LT_OP_IN_BODY, false, doc                                                \
    }

static const lt_op rows[] = {
    {"records.profile",
     "POST",
     "/api/v1/patients/{patient}/profile",
     "record what the dose rules need: birth date, sex, weight",
     "lutetia record profile",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      {"birth_date", LT_OP_DATE, LT_OP_IN_BODY, true,
       "the birth date the patient was screened with"},
      {"sex", LT_OP_STRING, LT_OP_IN_BODY, true, "female or male"},
      {"weight", LT_OP_NUMBER, LT_OP_IN_BODY, true, "weight at baseline, kg"},
      {"confirm", LT_OP_BOOL, LT_OP_IN_BODY, false,
       "a weight outside its plausible range, checked by a person (needs a reason)"},
      REASON},
     op_profile},
    {"records.anchor",
     "POST",
     "/api/v1/patients/{patient}/anchors",
     "record an anchor date of the schedule or an endpoint origin",
     "lutetia record anchor",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      {"anchor", LT_OP_STRING, LT_OP_IN_BODY, true, "liver_resection, randomisation, ..."},
      DATE_REQ("the anchor's date"),
      REASON},
     op_anchor},
    {"records.actual",
     "POST",
     "/api/v1/patients/{patient}/actuals",
     "record the day a calendar entry was done",
     "lutetia record actual",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      {"entry", LT_OP_STRING, LT_OP_IN_BODY, true, "the calendar entry (C1, mri_year1.2)"},
      DATE_REQ("the day it was done"),
      {"late_reason", LT_OP_STRING, LT_OP_IN_BODY, false, "why it was late (toxicity)"},
      REASON},
     op_actual},
    {"records.ae",
     "POST",
     "/api/v1/patients/{patient}/aes",
     "record (or update, with its id and a reason) an adverse event, CTCAE v5.0 term",
     "lutetia record ae",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      {"term", LT_OP_STRING, LT_OP_IN_BODY, true, "a CTCAE v5.0 term or a site's word for one"},
      {"grade", LT_OP_NUMBER, LT_OP_IN_BODY, true, "1 to 5"},
      {"start", LT_OP_DATE, LT_OP_IN_BODY, true, "first day"},
      {"end", LT_OP_DATE, LT_OP_IN_BODY, false, "last day (absent while ongoing)"},
      {"serious", LT_OP_BOOL, LT_OP_IN_BODY, false, "meets a seriousness criterion"},
      {"related", LT_OP_STRING, LT_OP_IN_BODY, false,
       "not_related, unlikely, possible, probable or definite"},
      {"id", LT_OP_STRING, LT_OP_IN_BODY, false, "an existing event's id (AE001) to update"},
      {"specify", LT_OP_STRING, LT_OP_IN_BODY, false,
       "the event's words for an 'Other, specify' term"},
      REASON},
     op_ae},
    {"records.assessment",
     "POST",
     "/api/v1/patients/{patient}/assessments",
     "record a tumour assessment with its RECIST 1.1 lesions",
     "lutetia record assessment",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("the day of the scan"),
      {"modality", LT_OP_STRING, LT_OP_IN_BODY, true, "ct, mri_liver, ga68_dotatate_pet, ..."},
      {"new_lesions", LT_OP_BOOL, LT_OP_IN_BODY, false, "an unequivocal new lesion"},
      {"lesions", LT_OP_ARRAY, LT_OP_IN_BODY, false,
       "lesion objects {id, organ, nodal, target, mm, status} (docs/outcomes-format.md)"},
      {"note", LT_OP_STRING, LT_OP_IN_BODY, false, "free text"},
      REASON},
     op_assessment},
    {"records.questionnaire",
     "POST",
     "/api/v1/patients/{patient}/questionnaires",
     "record an EORTC QLQ-C30 questionnaire",
     "lutetia record questionnaire",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("the day it was filled in"),
      {"instrument", LT_OP_STRING, LT_OP_IN_BODY, false, "qlq_c30 (the only one scored)"},
      {"items", LT_OP_ARRAY, LT_OP_IN_BODY, true,
       "the 30 answers: 1-4 for items 1-28, 1-7 for 29-30, null when unanswered"},
      REASON},
     op_questionnaire},
    {"records.event",
     "POST",
     "/api/v1/patients/{patient}/events",
     "record an outcome event (recurrence, progression, death, ...)",
     "lutetia record event",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      {"type", LT_OP_STRING, LT_OP_IN_BODY, true,
       "recurrence, progression, death, next_therapy, lost_to_follow_up or withdrawal"},
      DATE_REQ("the day of the event"),
      {"site", LT_OP_STRING, LT_OP_IN_BODY, false,
       "recurrence: liver, extrahepatic, liver_and_extrahepatic"},
      {"cause", LT_OP_STRING, LT_OP_IN_BODY, false, "death: disease, treatment, other, unknown"},
      {"therapy", LT_OP_STRING, LT_OP_IN_BODY, false, "next therapy: what it is"},
      {"note", LT_OP_STRING, LT_OP_IN_BODY, false, "free text"},
      REASON},
     op_event},
    {"doses.decide",
     "POST",
     "/api/v1/patients/{patient}/decisions",
     "decide a cycle's dose by the label's rules on the stored history",
     "lutetia record decide --cycle N --json",
     DECIDERS,
     true,
     true,
     {PATIENT_PATH,
      {"cycle", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the cycle, from 1"},
      DATE_REQ("the day of the decision")},
     op_decide},
    {"doses.administration",
     "POST",
     "/api/v1/patients/{patient}/administrations",
     "record an administration: activities decay-corrected to the infusion start",
     "lutetia record administration --json",
     R(NUCLEAR_MEDICINE),
     true,
     true,
     {PATIENT_PATH,
      {"cycle", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the cycle, from 1"},
      {"prescribed", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the decided activity, in unit"},
      {"before", LT_OP_NUMBER, LT_OP_IN_BODY, true, "activity measured before, in unit"},
      {"before_at", LT_OP_TIME, LT_OP_IN_BODY, true, "when it was measured"},
      {"residual", LT_OP_NUMBER, LT_OP_IN_BODY, true, "activity left after, in unit"},
      {"residual_at", LT_OP_TIME, LT_OP_IN_BODY, true, "when it was measured"},
      {"start", LT_OP_TIME, LT_OP_IN_BODY, true, "infusion start"},
      {"end", LT_OP_TIME, LT_OP_IN_BODY, true, "infusion end"},
      {"unit", LT_OP_STRING, LT_OP_IN_BODY, false, "Bq, kBq, MBq (default), GBq, uCi, mCi, Ci"},
      {"nuclide", LT_OP_STRING, LT_OP_IN_BODY, false, "Lu-177 (default)"},
      {"route", LT_OP_STRING, LT_OP_IN_BODY, false, "intravenous (default) or intra_arterial"},
      {"calibration", LT_OP_NUMBER, LT_OP_IN_BODY, false, "the vial's stated activity, in unit"},
      T("calibration_at", "its calibration time"),
      T("amino_start", "amino-acid infusion start"),
      T("amino_end", "amino-acid infusion end"),
      {"no_amino", LT_OP_BOOL, LT_OP_IN_BODY, false, "no amino-acid co-infusion"},
      T("last_ssa_long", "last long-acting somatostatin analogue"),
      {"no_ssa_long", LT_OP_BOOL, LT_OP_IN_BODY, false, "confirmed not to take one"},
      T("last_ssa_short", "last short-acting somatostatin analogue"),
      {"no_ssa_short", LT_OP_BOOL, LT_OP_IN_BODY, false, "confirmed not to take one"},
      {"acks", LT_OP_OBJECT, LT_OP_IN_BODY, false, "warnings acknowledged: {\"CODE\": \"reason\"}"},
      REASON},
     op_administration},
    {"doses.deviation",
     "POST",
     "/api/v1/patients/{patient}/deviations",
     "an investigator accepts an activity above the cycle's decision as a deviation",
     "lutetia record deviation",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      {"cycle", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the cycle, from 1"},
      {"activity", LT_OP_NUMBER, LT_OP_IN_BODY, true,
       "the administered activity accepted, in unit"},
      {"unit", LT_OP_STRING, LT_OP_IN_BODY, false, "MBq (default), GBq, mCi, ..."},
      {"past_cumulative_limit", LT_OP_BOOL, LT_OP_IN_BODY, false,
       "also beyond the cumulative limit, where the protocol allows"},
      {"reason", LT_OP_STRING, LT_OP_IN_BODY, true, "why"}},
     op_deviation},
    {"oral.show",
     "GET",
     "/api/v1/patients/{patient}/oral",
     "an oral drug's state, records and compliance per dispensing period",
     "lutetia record oral show --json",
     LT_OP_EVERY_ROLE,
     true,
     false,
     {PATIENT_PATH, {"as_of", LT_OP_DATE, LT_OP_IN_QUERY, false, "as of this day (default today)"}},
     op_oral_show},
    {"oral.start",
     "POST",
     "/api/v1/patients/{patient}/oral/start",
     "start the arm's oral drug",
     "lutetia record oral start",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("first day"),
      {"dose", LT_OP_NUMBER, LT_OP_IN_BODY, false, "daily dose, mg (default the protocol's)"},
      REASON},
     op_oral_start},
    {"oral.dose",
     "POST",
     "/api/v1/patients/{patient}/oral/dose",
     "lower the daily dose",
     "lutetia record oral dose",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("from this day"),
      {"dose", LT_OP_NUMBER, LT_OP_IN_BODY, true, "the new daily dose, mg"},
      {"cause", LT_OP_STRING, LT_OP_IN_BODY, true, "why"},
      REASON},
     op_oral_dose},
    {"oral.interrupt",
     "POST",
     "/api/v1/patients/{patient}/oral/interrupt",
     "interrupt the oral drug",
     "lutetia record oral interrupt",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("from this day"),
      {"cause", LT_OP_STRING, LT_OP_IN_BODY, true, "why"},
      {"toxicity", LT_OP_STRING, LT_OP_IN_BODY, false, "the toxicity category (with grade)"},
      {"grade", LT_OP_NUMBER, LT_OP_IN_BODY, false, "its grade, 1 to 4"},
      REASON},
     op_oral_interrupt},
    {"oral.resume",
     "POST",
     "/api/v1/patients/{patient}/oral/resume",
     "resume the oral drug (at most what the label allows that day)",
     "lutetia record oral resume",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("from this day"),
      {"dose", LT_OP_NUMBER, LT_OP_IN_BODY, false, "daily dose, mg (default the decided)"},
      REASON},
     op_oral_resume},
    {"oral.stop",
     "POST",
     "/api/v1/patients/{patient}/oral/stop",
     "stop the oral drug",
     "lutetia record oral stop",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("the last day"),
      {"cause", LT_OP_STRING, LT_OP_IN_BODY, true, "why"},
      REASON},
     op_oral_stop},
    {"oral.dispense",
     "POST",
     "/api/v1/patients/{patient}/oral/dispense",
     "record tablets dispensed",
     "lutetia record oral dispense",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("the day of dispensing"),
      {"tablets", LT_OP_NUMBER, LT_OP_IN_BODY, true, "how many, 1 to 10000"},
      {"strength", LT_OP_NUMBER, LT_OP_IN_BODY, true, "mg per tablet"},
      REASON},
     op_oral_dispense},
    {"oral.return",
     "POST",
     "/api/v1/patients/{patient}/oral/return",
     "record tablets returned (and lost) of the earliest dispensing still out",
     "lutetia record oral return",
     RECORDERS,
     true,
     true,
     {PATIENT_PATH,
      DATE_REQ("the day of the return"),
      {"returned", LT_OP_NUMBER, LT_OP_IN_BODY, true, "tablets returned"},
      {"lost", LT_OP_NUMBER, LT_OP_IN_BODY, false, "tablets lost"},
      REASON},
     op_oral_return},
    {"oral.decide",
     "POST",
     "/api/v1/patients/{patient}/oral/decide",
     "the label's decision for the oral drug on a day, over the stored history",
     "lutetia record decide --date D --json",
     R(INVESTIGATOR),
     true,
     true,
     {PATIENT_PATH, DATE_REQ("the day of the decision")},
     op_oral_decide},
};

const lt_op_group lt__ops_records = {rows, sizeof rows / sizeof rows[0]};
