/* Recording what happens to a randomised patient: profile, anchor and actual dates, labs,
 * adverse events, tumour assessments and outcome events. Each call is one store transaction:
 * read the patient, check role, site, state and dates, write each changed record with its
 * audit record, re-read the patient's outcomes record as the outcomes reader would (so the
 * store never holds what an endpoint could not be derived from), then commit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "conduct_int.h"
#include "lutetia/patient.h"

/* ---- shared helpers (used by dose.c too) ---- */

static int collect(const lt_record *r, void *ctx)
{
    lt__docs *d = ctx;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        lt_json **v = realloc(d->v, cap * sizeof *v);
        if (!v) return d->failed = d->oom = true, 1;
        d->v = v;
        char **id = realloc(d->id, cap * sizeof *id);
        if (!id) return d->failed = d->oom = true, 1;
        d->id = id;
        d->cap = cap;
    }
    lt_json *j = NULL;
    lt_status rc = lt_json_parse(r->data, strlen(r->data), r->id, &j, NULL);
    if (rc != LT_OK) {
        d->failed = true;
        d->oom = rc == LT_ENOMEM;
        d->failed_id = strdup(r->id);
        return 1;
    }
    char *id = strdup(r->id);
    if (!id) {
        lt_json_free(j);
        d->failed = d->oom = true;
        return 1;
    }
    d->v[d->n] = j;
    d->id[d->n++] = id;
    return 0;
}

void lt__docs_free(lt__docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        lt_json_free(d->v[i]);
        free(d->id[i]);
    }
    free(d->v);
    free(d->id);
    memset(d, 0, sizeof *d);
}

lt_status lt__docs_load(lt_conduct *c, const char *kind, const char *patient, lt__docs *out,
                        lt_error *err)
{
    return lt__docs_load_key(c, kind, patient, NULL, out, err);
}

lt_status lt__docs_load_key(lt_conduct *c, const char *kind, const char *patient,
                            const char *key, lt__docs *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    lt_record_filter f = {.patient = patient, .key = key};
    lt__docs d = {0};
    lt_status rc = lt_store_each(lt_trial_store(c->t), kind, &f, collect, &d, err);
    if (rc == LT_OK && d.oom)
        rc = lt_error_set(err, LT_ENOMEM, d.failed_id ? d.failed_id : kind,
                          "out of memory reading the stored %s records", kind);
    else if (rc == LT_OK && d.failed)
        rc = lt_error_set(err, LT_ECORRUPT, d.failed_id ? d.failed_id : kind,
                          "a stored %s record could not be read (not JSON, or out of memory)",
                          kind);
    free(d.failed_id);
    d.failed_id = NULL;
    if (rc != LT_OK) {
        lt__docs_free(&d);
        return rc;
    }
    *out = d;
    return LT_OK;
}

/* ---- the transaction around one patient ---- */


lt_status lt__check_date(lt_date d, const char *what, lt_error *err)
{
    char s[LT_DATE_STR_MAX], today[LT_DATE_STR_MAX];
    if (d == LT_DATE_NONE) LT_FAIL(err, LT_EINVAL, what, "a date is needed");
    if (d > lt_date_today())
        LT_FAIL(err, LT_EINVAL, what, "%s is in the future (today is %s)", lt_date_format(d, s),
                lt_date_format(lt_date_today(), today));
    /* as the readers refuse: no patient of a trial was measured or treated before 1900 */
    if (d < lt_date_from_ymd(1900, 1, 1))
        LT_FAIL(err, LT_EINVAL, what, "expected a date from 1900-01-01 on, found %s",
                lt_date_format(d, s));
    return LT_OK;
}

/* Begins the transaction, reads the patient and checks site and state. */
lt_status lt__txn_begin(lt__txn *x, lt_conduct *c, const char *patient, lt_enrol_state min,
                           lt_error *err)
{
    memset(x, 0, sizeof *x);
    x->c = c;
    if (!patient || !*patient) LT_FAIL(err, LT_EINVAL, "--patient", "a patient id is needed");
    lt_store *st = lt_trial_store(c->t);
    /* a step reads and writes this patient's records only: steps of other patients run
     * beside it until its first write (docs/store.md) */
    lt_status rc = lt_store_begin_patient(st, patient, err);
    if (rc != LT_OK) return rc;
    x->open = true;
    rc = lt__pdoc_load(c->t, patient, &x->d, err);
    x->rev0 = x->d.rev;
    if (rc == LT_OK) rc = lt__trial_site_ok(c->t, x->d.site, err);
    if (rc == LT_OK && x->d.state < min)
        rc = lt_error_set(err, LT_ESTATE, patient,
                          "patient '%s' is %s: this is recorded once the patient is %s", patient,
                          lt_enrol_state_name(x->d.state),
                          min == LT_STATE_RANDOMISED ? "randomised (or registered)"
                                                     : lt_enrol_state_name(min));
    if (rc != LT_OK) {
        lt_store_rollback(st);
        lt__pdoc_free(&x->d);
        x->open = false;
    }
    return rc;
}

/* Commits when rc is LT_OK (after checking that the patient's outcomes record still reads,
 * when the step wrote something it carries: lt__outcomes_carry), otherwise rolls back. */
lt_status lt__txn_end(lt__txn *x, lt_status rc, lt_error *err)
{
    lt_store *st = lt_trial_store(x->c->t);
    bool changed = x->derive || x->d.rev != x->rev0; /* the patient document: arm, strata */
    if (rc == LT_OK && changed && x->d.state >= LT_STATE_RANDOMISED && x->d.arm) {
        lt_outcome_set *set = NULL;
        rc = lt__conduct_record(x->c, &x->d, &set, err);
        lt_outcome_set_free(set);
    }
    if (rc == LT_OK) rc = lt_store_commit(st, err);
    if (rc != LT_OK) lt_store_rollback(st);
    lt__pdoc_free(&x->d);
    x->open = false;
    return rc;
}

lt_status lt__not_before_consent(const lt__txn *x, lt_date d, const char *what, lt_error *err)
{
    char a[LT_DATE_STR_MAX], b[LT_DATE_STR_MAX];
    if (x->d.consent_date != LT_DATE_NONE && d < x->d.consent_date)
        LT_FAIL(err, LT_EINVAL, what, "%s is before the patient's consent (%s)",
                lt_date_format(d, a), lt_date_format(x->d.consent_date, b));
    return LT_OK;
}

/* Writes one record of the patient. A record that exists already is corrected: that needs a
 * reason, and the action gets ".correct". Writing the same document again changes nothing. */
lt_status lt__txn_put(lt__txn *x, const char *kind, const char *id, const char *key, const lt_buf *doc,
                     const char *action, const char *reason, lt_error *err)
{
    if (lt_buf_failed(doc)) LT_FAIL(err, LT_ENOMEM, "", "out of memory");
    lt_store *st = lt_trial_store(x->c->t);
    lt_record *old = NULL;
    lt_status rc = lt_store_get(st, kind, id, &old, err);
    int64_t rev = 0;
    char act[96];
    snprintf(act, sizeof act, "%s", action);
    if (rc == LT_OK) {
        rev = old->rev;
        bool same = !strcmp(old->data, lt_buf_str(doc));
        lt_record_free(old);
        if (same) return LT_OK;
        if (!reason || !*reason)
            LT_FAIL(err, LT_EINVAL, id,
                    "%s '%s' is already recorded; a correction needs a reason (--reason)", kind,
                    id);
        snprintf(act, sizeof act, "%s.correct", action);
    } else if (rc == LT_ENOTFOUND) {
        if (err) lt_error_clear(err);
    } else {
        return rc;
    }
    if (lt__outcomes_carry(kind)) x->derive = true;
    lt_record r = {.kind = kind, .id = id, .site = x->d.site, .patient = x->d.id, .key = key,
                   .data = lt_buf_str(doc)};
    lt_actor who = {lt_trial_user(x->c->t), lt_role_name(lt_trial_role(x->c->t))};
    return lt_store_put(st, &r, rev, &who, act, reason ? reason : "", NULL, err);
}

static void member_str(lt_buf *b, const char *key, const char *v)
{
    lt_buf_printf(b, ",\"%s\":", key);
    if (v)
        lt_buf_json_str(b, v);
    else
        lt_buf_puts(b, "null");
}

static void member_date(lt_buf *b, const char *key, lt_date d)
{
    lt_buf_printf(b, ",\"%s\":", key);
    lt__json_date(b, d);
}

static void member_num(lt_buf *b, const char *key, double v)
{
    lt_buf_printf(b, ",\"%s\":", key);
    if (isfinite(v))
        lt_buf_json_num(b, v);
    else
        lt_buf_puts(b, "null");
}

static void open_doc(lt_buf *b, const char *patient)
{
    lt_buf_puts(b, "{\"patient\":");
    lt_buf_json_str(b, patient);
}

/* ---- profile ---- */

/* The birth date the patient was last screened with (LT_DATE_NONE when that screening holds
 * none: screenings stored before the screening document carried it). */
static lt_status screened_birth_date(lt_conduct *c, const lt__pdoc *d, lt_date *out,
                                     lt_error *err)
{
    *out = LT_DATE_NONE;
    if (!d->last_screening) return LT_OK;
    lt_record *r = NULL;
    lt_status rc = lt_store_get(lt_trial_store(c->t), "screening", d->last_screening, &r, err);
    if (rc == LT_ENOTFOUND) {
        if (err) lt_error_clear(err);
        return LT_OK;
    }
    if (rc != LT_OK) return rc;
    lt_json *j = NULL;
    rc = lt_json_parse(r->data, strlen(r->data), d->last_screening, &j, err);
    if (rc == LT_OK) {
        const char *b = lt_json_get_str(lt_json_get(j, "result"), "birth_date", NULL);
        if (b && !lt_date_parse(b, false, out)) *out = LT_DATE_NONE;
    }
    lt_json_free(j);
    lt_record_free(r);
    return rc;
}

static lt_status profile(lt_conduct *c, const char *patient, lt_date birth_date, lt_sex sex,
                         double weight_kg, bool confirmed, const char *reason, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record a patient's profile", err);
    if (rc != LT_OK) return rc;
    rc = lt__check_date(birth_date, "--birth-date", err);
    if (rc != LT_OK) return rc;
    char b[LT_DATE_STR_MAX], s[LT_DATE_STR_MAX];
    if (birth_date < lt_date_from_ymd(1900, 1, 1))
        LT_FAIL(err, LT_EINVAL, "--birth-date",
                "expected a birth date from 1900-01-01 on, found %s (a typing error?)",
                lt_date_format(birth_date, b));
    if (sex != LT_SEX_FEMALE && sex != LT_SEX_MALE)
        LT_FAIL(err, LT_EINVAL, "--sex", "female or male is needed (Cockcroft-Gault)");
    if (!(weight_kg > 0 && isfinite(weight_kg)))
        LT_FAIL(err, LT_EINVAL, "--weight", "a finite weight in kg above 0 is needed");
    char why[256];
    bool plausible = lt_plausible_value(c->plausible, "weight", weight_kg, why, sizeof why);
    if (!plausible && !confirmed)
        LT_FAIL(err, LT_EINVAL, "--weight",
                "%s (data/plausible-ranges.json): check the value and its unit, or confirm it "
                "with a reason",
                why);
    if (!plausible && (!reason || !*reason))
        LT_FAIL(err, LT_EINVAL, "--reason", "a confirmed implausible weight needs a reason (%s)",
                why);
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_SCREENED, err);
    if (rc != LT_OK) return rc;
    /* the dose rules compute age from this date: it must be the patient who was screened */
    lt_date screened;
    rc = screened_birth_date(c, &x.d, &screened, err);
    if (rc == LT_OK && screened != LT_DATE_NONE && screened != birth_date)
        rc = lt_error_set(err, LT_ECONFLICT, "--birth-date",
                          "patient '%s' was screened with birth date %s, not %s: correct the "
                          "patient's data and screen again, or correct this date",
                          patient, lt_date_format(screened, s), lt_date_format(birth_date, b));
    if (rc != LT_OK) return lt__txn_end(&x, rc, err);
    lt_buf doc = LT_BUF_INIT;
    open_doc(&doc, patient);
    member_date(&doc, "birth_date", birth_date);
    member_str(&doc, "sex", sex == LT_SEX_FEMALE ? "female" : "male");
    member_num(&doc, "weight_kg", weight_kg);
    if (!plausible) lt_buf_puts(&doc, ",\"implausible_confirmed\":true");
    lt_buf_putc(&doc, '}');
    rc = lt__txn_put(&x, LT__K_PROFILE, patient, NULL, &doc, "profile", reason, err);
    lt_buf_free(&doc);
    return lt__txn_end(&x, rc, err);
}

lt_status lt_conduct_profile(lt_conduct *c, const char *patient, lt_date birth_date, lt_sex sex,
                             double weight_kg, const char *reason, lt_error *err)
{
    return profile(c, patient, birth_date, sex, weight_kg, false, reason, err);
}

lt_status lt_conduct_profile_confirmed(lt_conduct *c, const char *patient, lt_date birth_date,
                                       lt_sex sex, double weight_kg, const char *reason,
                                       lt_error *err)
{
    return profile(c, patient, birth_date, sex, weight_kg, true, reason, err);
}

/* ---- anchors ---- */

static bool anchor_known(const lt_conduct *c, const char *name)
{
    for (size_t i = 0; i < lt_schedule_anchor_count(c->sched); i++)
        if (!strcmp(lt_schedule_anchor(c->sched, i), name)) return true;
    for (size_t i = 0; c->ends && i < lt_endpoints_count(c->ends); i++)
        if (lt_endpoints_origin(c->ends, i) && !strcmp(lt_endpoints_origin(c->ends, i), name))
            return true;
    return false;
}

lt_status lt_conduct_anchor(lt_conduct *c, const char *patient, const char *name, lt_date date,
                            const char *reason, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record anchor dates", err);
    if (rc != LT_OK) return rc;
    /* a schedule may count from an outcome event (survival follow-up after progression): the
     * event's own record gives that date, so that an anchor cannot contradict it */
    for (int e = 0; name && e < LT_EVENT_TYPE_COUNT; e++)
        if (!strcmp(name, lt_event_type_name((lt_event_type)e)))
            LT_FAIL(err, LT_EINVAL, "--anchor",
                    "'%s' is an outcome event: the calendar takes its date from the recorded "
                    "event (record the event instead)",
                    name);
    if (!name || !anchor_known(c, name)) {
        char list[256] = "";
        size_t n = 0;
        for (size_t i = 0; i < lt_schedule_anchor_count(c->sched); i++)
            n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                  i ? ", " : "", lt_schedule_anchor(c->sched, i));
        LT_FAIL(err, LT_EINVAL, "--anchor", "'%s' is not an anchor of the protocol (anchors: %s)",
                name ? name : "", list);
    }
    rc = lt__check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_SCREENED, err);
    if (rc != LT_OK) return rc;
    char id[LT_CONDUCT_ID_MAX];
    snprintf(id, sizeof id, "%s/%s", patient, name);
    /* a date the screened procedures give already is corrected, not entered: with a reason */
    lt__docs scr;
    rc = lt__docs_load(c, LT__K_PATIENT_DATA, patient, &scr, err);
    if (rc != LT_OK) return lt__txn_end(&x, rc, err);
    lt_date given = scr.n ? lt__screened_procedure(scr.v[0], name) : LT_DATE_NONE;
    lt__docs_free(&scr);
    lt_record *old = NULL;
    bool recorded = lt_store_get(lt_trial_store(c->t), LT__K_ANCHOR, id, &old, NULL) == LT_OK;
    lt_record_free(old);
    char s1[LT_DATE_STR_MAX], s2[LT_DATE_STR_MAX];
    if (!recorded && given != LT_DATE_NONE && given != date && (!reason || !*reason))
        return lt__txn_end(&x,
                           lt_error_set(err, LT_EINVAL, id,
                                        "the screened data give %s on %s; correcting it to %s "
                                        "needs a reason (--reason)",
                                        name, lt_date_format(given, s1), lt_date_format(date, s2)),
                           err);
    lt_buf b = LT_BUF_INIT;
    open_doc(&b, patient);
    member_str(&b, "anchor", name);
    member_date(&b, "date", date);
    lt_buf_putc(&b, '}');
    rc = lt__txn_put(&x, LT__K_ANCHOR, id, name, &b, "anchor", reason, err);
    lt_buf_free(&b);
    return lt__txn_end(&x, rc, err);
}

/* ---- actual dates of calendar entries ---- */

/* Whether a stop event (recurrence, progression, death, withdrawal, loss to follow-up) is
 * recorded on or before d; why gets "recurrence on DATE". *rc reports a store failure. */
bool lt__conduct_stopped(lt_conduct *c, const char *patient, lt_date d, char *why, size_t n,
                         lt_error *err, lt_status *rc)
{
    lt__docs ev;
    *rc = lt__docs_load(c, LT__K_EVENT, patient, &ev, err);
    if (*rc != LT_OK) return false;
    bool stop = false;
    for (size_t i = 0; i < ev.n && !stop; i++) {
        const lt_json *e = lt_json_get(ev.v[i], "event");
        const char *type = lt_json_get_str(e, "type", "");
        lt_date ed = lt__get_date(e, "date");
        if (ed == LT_DATE_NONE || ed > d) continue;
        if (!strcmp(type, "recurrence") || !strcmp(type, "progression") ||
            !strcmp(type, "death") || !strcmp(type, "withdrawal") ||
            !strcmp(type, "lost_to_follow_up")) {
            char s[LT_DATE_STR_MAX];
            snprintf(why, n, "%s on %s", type, lt_date_format(ed, s));
            stop = true;
        }
    }
    lt__docs_free(&ev);
    return stop;
}

lt_status lt_conduct_actual(lt_conduct *c, const char *patient, const char *entry, lt_date date,
                            const char *late_reason, const char *reason, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record visit dates", err);
    if (rc != LT_OK) return rc;
    if (!entry || !*entry) LT_FAIL(err, LT_EINVAL, "--entry", "a calendar entry id is needed");
    rc = lt__check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    lt_calendar *cal = NULL;
    rc = lt__conduct_calendar(c, &x.d, LT_DATE_NONE, &cal, err);
    const lt_visit *v = NULL;
    for (size_t i = 0; rc == LT_OK && i < cal->n; i++)
        if (!strcmp(cal->visits[i].id, entry)) v = &cal->visits[i];
    if (rc == LT_OK && !v)
        rc = lt_error_set(err, LT_EINVAL, entry,
                          "'%s' is not an entry of patient %s's calendar (arm %s; see "
                          "'lutetia schedule %s')",
                          entry, patient, x.d.arm ? x.d.arm : "-", patient);
    else if (rc == LT_OK && v->kind == LT_SCHED_TREATMENT && lt__conduct_oral(c, x.d.arm) &&
             !strcmp(lt__conduct_oral(c, x.d.arm)->start_entry, entry))
        rc = lt_error_set(err, LT_EINVAL, entry,
                          "%s is the start of %s, an oral drug: its date comes from the oral "
                          "drug's start record",
                          entry, lt__conduct_oral(c, x.d.arm)->name);
    else if (rc == LT_OK && v->kind == LT_SCHED_TREATMENT)
        rc = lt_error_set(err, LT_EINVAL, entry,
                          "%s is a treatment cycle: its date comes from the administration "
                          "('lutetia record administration')",
                          entry);
    else if (rc == LT_OK && v->status == LT_VISIT_CANCELLED)
        rc = lt_error_set(err, LT_ESTATE, entry, "%s was cancelled: %s", entry,
                          v->note ? v->note : "a stop event came first");
    lt_calendar_free(cal);
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX];
        snprintf(id, sizeof id, "%s/%s", patient, entry);
        lt_buf b = LT_BUF_INIT;
        open_doc(&b, patient);
        member_str(&b, "entry", entry);
        member_date(&b, "date", date);
        member_str(&b, "reason", late_reason && *late_reason ? late_reason : NULL);
        lt_buf_putc(&b, '}');
        rc = lt__txn_put(&x, LT__K_VISIT, id, entry, &b, "visit", reason, err);
        lt_buf_free(&b);
    }
    return lt__txn_end(&x, rc, err);
}

/* ---- laboratory results ---- */

static lt_status lab_record(lt_conduct *c, const lt_conduct_lab *lab, bool confirmed,
                            const char *reason, lt_grade *grade, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record laboratory results", err);
    if (rc != LT_OK) return rc;
    const char *analyte = lab->analyte ? lab->analyte : "";
    bool weight = !strcmp(analyte, "weight");
    const char *unit = weight ? "kg" : lt_units_canonical(analyte);
    if (!unit)
        LT_FAIL(err, LT_EINVAL, "--analyte",
                "'%s' is not an analyte Lutetia knows (docs/patient-format.md lists them)",
                analyte);
    if (!isfinite(lab->value)) LT_FAIL(err, LT_EINVAL, "--value", "a finite value is needed");
    /* NAN says "no limit"; an infinite limit is no limit a laboratory reports */
    if (isinf(lab->lln)) LT_FAIL(err, LT_EINVAL, "--lln", "a finite limit is needed");
    if (isinf(lab->uln)) LT_FAIL(err, LT_EINVAL, "--uln", "a finite limit is needed");
    double v = lab->value, lln = lab->lln, uln = lab->uln;
    const char *given = lab->unit && *lab->unit ? lab->unit : unit;
    if (weight) {
        if (strcmp(given, "kg") || !(v > 0))
            LT_FAIL(err, LT_EINVAL, "--value", "a weight in kg above 0 is needed");
    } else if (!lt_units_convert(analyte, lab->value, given, &v) ||
               (isfinite(lab->lln) && !lt_units_convert(analyte, lab->lln, given, &lln)) ||
               (isfinite(lab->uln) && !lt_units_convert(analyte, lab->uln, given, &uln))) {
        LT_FAIL(err, LT_EINVAL, "--unit", "unit '%s' is not accepted for %s (canonical: %s)",
                given, analyte, unit);
    }
    /* what no body has is a typing or unit error until a person checks it: a grade (and a
     * dose decision) taken on creatinine 71 "mg/dL" would be taken on nothing */
    char why[256] = "";
    const char *field = "--value";
    bool plausible = lt_plausible_value(c->plausible, analyte, v, why, sizeof why);
    if (plausible) {
        plausible = lt_plausible_limits(c->plausible, analyte, !isnan(lln), lln, !isnan(uln),
                                        uln, why, sizeof why);
        field = !strncmp(why, "ULN", 3) ? "--uln" : "--lln"; /* why names the limit at fault */
    }
    if (!plausible && !confirmed)
        LT_FAIL(err, LT_EINVAL, field,
                "%s (data/plausible-ranges.json): check the value and its unit, or confirm it "
                "with a reason",
                why);
    if (!plausible && (!reason || !*reason))
        LT_FAIL(err, LT_EINVAL, "--reason", "a confirmed implausible result needs a reason (%s)",
                why);
    rc = lt__check_date(lab->date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, lab->patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    char d[LT_DATE_STR_MAX];
    lt_date_format(lab->date, d);
    lt_grade g;
    memset(&g, 0, sizeof g);
    g.grade = LT_GRADE_UNDETERMINED;
    bool graded = !weight && lt_ctcae_term(c->ctcae, analyte) != NULL;
    if (graded) {
        /* CTCAE grades some analytes against the patient's baseline: the first result of
         * the analyte before this one. A lab's id is PATIENT/DATE/ANALYTE and its key the
         * analyte, so the patient's labs of the analyte in id order are in date order: the
         * first of them is the baseline when it is dated before this one, and otherwise no
         * earlier result exists. One indexed read, however long the history. */
        lt_grade_context ctx;
        lt_grade_context_init(&ctx);
        ctx.lln = lln;
        ctx.uln = uln;
        lt_record *first = NULL;
        rc = lt_store_first_of_patient(lt_trial_store(c->t), LT__K_LAB, lab->patient, analyte,
                                       &first, err);
        if (rc == LT_ENOTFOUND) {
            if (err) lt_error_clear(err);
            rc = LT_OK;
        } else if (rc == LT_OK) {
            lt_json *j = NULL;
            rc = lt_json_parse(first->data, strlen(first->data), first->id, &j, err);
            if (rc == LT_OK && lt__get_date(j, "date") < lab->date)
                ctx.baseline = lt_json_get_num(j, "value", NAN);
            lt_json_free(j);
        }
        lt_record_free(first);
        if (rc == LT_OK) rc = lt_ctcae_grade(c->ctcae, analyte, v, &ctx, &g, err);
    }
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX];
        snprintf(id, sizeof id, "%s/%s/%s", lab->patient, d, analyte);
        lt_buf b = LT_BUF_INIT;
        open_doc(&b, lab->patient);
        member_date(&b, "date", lab->date);
        member_str(&b, "analyte", analyte);
        member_num(&b, "value", v);
        member_str(&b, "unit", unit);
        member_num(&b, "lln", lln);
        member_num(&b, "uln", uln);
        if (!plausible) lt_buf_puts(&b, ",\"implausible_confirmed\":true");
        lt_buf_puts(&b, ",\"grade\":");
        if (graded)
            lt_grade_to_json(&g, analyte, v, unit, &b);
        else
            lt_buf_puts(&b, "null");
        lt_buf_putc(&b, '}');
        rc = lt__txn_put(&x, LT__K_LAB, id, analyte, &b, "lab", reason, err);
        lt_buf_free(&b);
    }
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && grade) *grade = g;
    return rc;
}

lt_status lt_conduct_lab_record(lt_conduct *c, const lt_conduct_lab *lab, const char *reason,
                                lt_grade *grade, lt_error *err)
{
    return lab_record(c, lab, false, reason, grade, err);
}

lt_status lt_conduct_lab_record_confirmed(lt_conduct *c, const lt_conduct_lab *lab,
                                          const char *reason, lt_grade *grade, lt_error *err)
{
    return lab_record(c, lab, true, reason, grade, err);
}

/* ---- adverse events ---- */

/* Codes the event's term against the CTCAE v5.0 list: the term as CTCAE spells it, its system
 * organ class and MedDRA code; a word the list maps to a term ("stomatitis") is kept as the
 * verbatim; a class's "Other, specify" needs the event's own words. */
static lt_status code_term(lt_conduct *c, lt_adverse_event *e, lt_error *err)
{
    lt_status rc = lt__conduct_terms(c, err);
    if (rc != LT_OK) return rc;
    const lt_ctcae_term_entry *t = lt_ctcae_terms_find(c->terms, e->term);
    if (!t)
        LT_FAIL(err, LT_EINVAL, "--term",
                "'%.100s' is not a CTCAE v5.0 term (data/ctcae-v5-terms.json): record the term "
                "CTCAE grades it under, or its system organ class's 'Other, specify' with the "
                "event's words (--specify)",
                e->term);
    if (strcmp(t->term, e->term) != 0 && strcasecmp(t->term, e->term) != 0 && !e->verbatim[0])
        snprintf(e->verbatim, sizeof e->verbatim, "%s", e->term);
    if (lt_ctcae_term_is_other(t) && !e->verbatim[0])
        LT_FAIL(err, LT_EINVAL, "--specify",
                "'%s' needs the event's own words (--specify TEXT)", t->term);
    snprintf(e->term, sizeof e->term, "%s", t->term);
    snprintf(e->soc, sizeof e->soc, "%s", t->soc);
    snprintf(e->meddra, sizeof e->meddra, "%s", t->meddra);
    return LT_OK;
}

lt_status lt_conduct_adverse_event(lt_conduct *c, const lt_adverse_event *e, const char *ae_id,
                                   const char *reason, char id_out[LT_CONDUCT_ID_MAX],
                                   lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record adverse events", err);
    lt_adverse_event coded = *e;
    if (rc == LT_OK) rc = lt_adverse_event_check(e, err);
    if (rc == LT_OK) rc = code_term(c, &coded, err);
    e = &coded;
    if (rc == LT_OK) rc = lt__check_date(e->start, "--start", err);
    if (rc == LT_OK && e->end != LT_DATE_NONE) rc = lt__check_date(e->end, "--end", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, e->patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    char id[LT_CONDUCT_ID_MAX];
    if (ae_id) {
        snprintf(id, sizeof id, "%.120s/%.120s", e->patient, ae_id);
        lt_record *old = NULL;
        rc = lt_store_get(lt_trial_store(c->t), LT__K_AE, id, &old, err);
        lt_record_free(old);
        if (rc == LT_ENOTFOUND)
            rc = lt_error_set(err, LT_ENOTFOUND, ae_id, "patient %s has no adverse event %s",
                              e->patient, ae_id);
        if (rc == LT_OK && (!reason || !*reason))
            rc = lt_error_set(err, LT_EINVAL, ae_id,
                              "changing adverse event %s needs a reason (--reason)", ae_id);
    } else {
        int64_t n = 0;
        lt__docs all;
        rc = lt__docs_load(c, LT__K_AE, e->patient, &all, err);
        n = (int64_t)all.n;
        lt__docs_free(&all);
        snprintf(id, sizeof id, "%.120s/AE%03lld", e->patient, (long long)(n + 1));
    }
    if (rc == LT_OK) rc = lt__not_before_consent(&x, e->start, "--start", err);
    if (rc == LT_OK) {
        lt_buf b = LT_BUF_INIT;
        lt_adverse_event_to_json(e, &b);
        rc = lt__txn_put(&x, LT__K_AE, id, NULL, &b, "adverse_event", reason, err);
        lt_buf_free(&b);
    }
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && id_out) snprintf(id_out, LT_CONDUCT_ID_MAX, "%s", strchr(id, '/') + 1);
    return rc;
}

/* ---- tumour assessments ---- */

/* The lesions of one assessment as given: ids unique, targets measured in 0-2000 mm (NAN: not
 * measured), statuses known. RECIST's own rules come after, on the whole series. */
static lt_status check_lesions(const lt_tumour_assessment *a, lt_error *err)
{
    for (size_t i = 0; i < a->nlesions; i++) {
        const lt_lesion *l = &a->lesions[i];
        const char *opt = l->target ? (l->nodal ? "--node" : "--target") : "--non-target";
        if (!l->id || !*l->id || strchr(l->id, ':'))
            LT_FAIL(err, LT_EINVAL, opt, "a lesion id is needed (L1, N1...), without ':'");
        if (l->target && !isnan(l->mm) && !(l->mm >= 0 && l->mm <= 2000))
            LT_FAIL(err, LT_EINVAL, opt, "lesion %s: expected a diameter from 0 to 2000 mm", l->id);
        if (!l->target && (int)l->status >= LT_LESION_STATUS_COUNT)
            LT_FAIL(err, LT_EINVAL, opt, "lesion %s: unknown status", l->id);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(a->lesions[j].id, l->id))
                LT_FAIL(err, LT_EINVAL, opt, "lesion %s is given twice", l->id);
    }
    return LT_OK;
}

/* The RECIST 1.1 series of the patient as it now stands in the transaction; *out gets the
 * response of the assessment on date d. */
static lt_status recist_series(lt__txn *x, lt_date d, lt_recist_result *out, lt_error *err)
{
    lt_outcome_set *set = NULL;
    lt_status rc = lt__conduct_record(x->c, &x->d, &set, err);
    if (rc != LT_OK) return rc;
    const lt_outcome_record *r = set->n ? set->records[0] : NULL;
    size_t n = r ? r->nassessments : 0;
    lt_recist_result *res = calloc(n ? n : 1, sizeof *res);
    if (!res) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "patient %.100s", x->d.id);
    if (rc == LT_OK && n) rc = lt_recist_evaluate(r->assessments, n, where, res, err);
    for (size_t i = 0; rc == LT_OK && i < n; i++)
        if (res[i].date == d && out) *out = res[i];
    free(res);
    lt_outcome_set_free(set);
    return rc;
}

lt_status lt_conduct_tumour(lt_conduct *c, const char *patient, const lt_tumour_assessment *a,
                            const char *reason, lt_recist_result *out, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record tumour assessments", err);
    if (rc == LT_OK && !a) rc = lt_error_set(err, LT_EINVAL, "", "no assessment");
    if (rc == LT_OK) rc = lt__check_date(a->date, "--date", err);
    if (rc == LT_OK && (!a->modality || !*a->modality))
        rc = lt_error_set(err, LT_EINVAL, "--modality", "the modality is needed (mri_liver, ct, "
                                                        "ga68_dotatate_pet)");
    if (rc == LT_OK) rc = check_lesions(a, err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    /* a baseline scan may precede consent: no consent check here */
    char id[LT_CONDUCT_ID_MAX], d[LT_DATE_STR_MAX];
    snprintf(id, sizeof id, "%s/%s", patient, lt_date_format(a->date, d));
    lt_buf b = LT_BUF_INIT;
    open_doc(&b, patient);
    member_date(&b, "date", a->date);
    member_str(&b, "modality", a->modality);
    lt_buf_printf(&b, ",\"new_lesions\":%s", a->new_lesions ? "true" : "false");
    if (a->nlesions) {
        /* the lesion objects of docs/outcomes-format.md, exported as they are */
        lt_buf_puts(&b, ",\"lesions\":[");
        for (size_t i = 0; i < a->nlesions; i++) {
            const lt_lesion *l = &a->lesions[i];
            lt_buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
            lt_buf_json_str(&b, l->id);
            member_str(&b, "organ", l->organ && *l->organ ? l->organ : NULL);
            lt_buf_printf(&b, ",\"nodal\":%s,\"target\":%s", l->nodal ? "true" : "false",
                          l->target ? "true" : "false");
            if (l->target)
                member_num(&b, "mm", l->mm);
            else
                member_str(&b, "status", lt_lesion_status_name(l->status));
            lt_buf_putc(&b, '}');
        }
        lt_buf_putc(&b, ']');
    }
    lt_buf_putc(&b, '}');
    rc = lt__txn_put(&x, LT__K_ASSESSMENT, id, NULL, &b, "assessment", reason, err);
    lt_buf_free(&b);
    /* refused unless the whole series still evaluates (baseline rules, known lesions) */
    lt_recist_result res = {.date = a->date, .sum = NAN, .nadir = NAN,
                            .target = LT_RECIST_NE, .nontarget = LT_RECIST_NE,
                            .overall = LT_RECIST_NE};
    if (rc == LT_OK) rc = recist_series(&x, a->date, &res, err);
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && out) *out = res;
    return rc;
}

lt_status lt_conduct_assessment(lt_conduct *c, const char *patient, lt_date date,
                                const char *modality, bool new_lesions, const char *reason,
                                lt_error *err)
{
    lt_tumour_assessment a = {.date = date, .modality = modality, .new_lesions = new_lesions};
    return lt_conduct_tumour(c, patient, &a, reason, NULL, err);
}

/* ---- questionnaires ---- */

lt_status lt_conduct_questionnaire(lt_conduct *c, const char *patient, const lt_questionnaire *q,
                                   const char *reason, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record questionnaires", err);
    if (rc == LT_OK && !q) rc = lt_error_set(err, LT_EINVAL, "", "no questionnaire");
    if (rc == LT_OK) rc = lt__check_date(q->date, "--date", err);
    /* the scorer's own range check (1-4 for items 1-28, 1-7 for 29-30) names the question */
    double scores[LT_QLQ_SCALE_COUNT];
    if (rc == LT_OK) rc = lt_qlq_c30_score(q->items, scores, err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    rc = lt__not_before_consent(&x, q->date, "--date", err);
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX], d[LT_DATE_STR_MAX];
        snprintf(id, sizeof id, "%s/%s", patient, lt_date_format(q->date, d));
        lt_buf b = LT_BUF_INIT;
        open_doc(&b, patient);
        member_date(&b, "date", q->date);
        member_str(&b, "instrument", "qlq_c30");
        lt_buf_puts(&b, ",\"items\":[");
        for (int i = 0; i < LT_QLQ_C30_ITEMS; i++) {
            if (q->items[i])
                lt_buf_printf(&b, "%s%d", i ? "," : "", q->items[i]);
            else
                lt_buf_puts(&b, i ? ",null" : "null");
        }
        lt_buf_puts(&b, "]}");
        rc = lt__txn_put(&x, LT__K_QUESTIONNAIRE, id, "qlq_c30", &b, "questionnaire", reason,
                         err);
        lt_buf_free(&b);
    }
    return lt__txn_end(&x, rc, err);
}

/* ---- outcome events ---- */

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set)) return true;
    return false;
}

lt_status lt_conduct_event(lt_conduct *c, const char *patient, const lt_outcome_event *e,
                           const char *reason, lt_error *err)
{
    static const char *const rec_sites[] = {"liver", "extrahepatic", "liver_and_extrahepatic",
                                            NULL};
    static const char *const causes[] = {"disease", "treatment", "other", "unknown", NULL};
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_RECORD, "record outcome events", err);
    if (rc != LT_OK) return rc;
    const char *type = lt_event_type_name(e->type);
    if (!type) LT_FAIL(err, LT_EINVAL, "--type", "unknown event type");
    if (e->type == LT_EVENT_RECURRENCE && !one_of(e->site, rec_sites))
        LT_FAIL(err, LT_EINVAL, "--site",
                "a recurrence needs its site: liver, extrahepatic or liver_and_extrahepatic "
                "(found '%s')",
                e->site ? e->site : "");
    if (e->type == LT_EVENT_DEATH && e->cause && !one_of(e->cause, causes))
        LT_FAIL(err, LT_EINVAL, "--cause",
                "the cause of death is disease, treatment, other or unknown (found '%s')",
                e->cause);
    rc = lt__check_date(e->date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    rc = lt__not_before_consent(&x, e->date, "--date", err);
    char d[LT_DATE_STR_MAX];
    lt_date_format(e->date, d);
    if (rc == LT_OK) {
        /* nothing happens to a patient after death, except correcting the death itself */
        lt__docs ev;
        rc = lt__docs_load(c, LT__K_EVENT, patient, &ev, err);
        for (size_t i = 0; rc == LT_OK && i < ev.n; i++) {
            const lt_json *o = lt_json_get(ev.v[i], "event");
            lt_date od = lt__get_date(o, "date");
            char s[LT_DATE_STR_MAX];
            if (!strcmp(lt_json_get_str(o, "type", ""), "death") && od < e->date)
                rc = lt_error_set(err, LT_ESTATE, "--date",
                                  "patient %s died on %s: nothing can happen on %s", patient,
                                  lt_date_format(od, s), d);
        }
        lt__docs_free(&ev);
    }
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX];
        snprintf(id, sizeof id, "%s/%s/%s", patient, d, type);
        lt_buf b = LT_BUF_INIT;
        open_doc(&b, patient);
        lt_buf_puts(&b, ",\"event\":{\"type\":");
        lt_buf_json_str(&b, type);
        lt_buf_puts(&b, ",\"date\":");
        lt_buf_json_str(&b, d);
        if (e->site && *e->site) {
            lt_buf_puts(&b, ",\"site\":");
            lt_buf_json_str(&b, e->site);
        }
        if (e->type == LT_EVENT_DEATH) {
            lt_buf_puts(&b, ",\"cause\":");
            lt_buf_json_str(&b, e->cause ? e->cause : "unknown");
        }
        if (e->therapy && *e->therapy) {
            lt_buf_puts(&b, ",\"therapy\":");
            lt_buf_json_str(&b, e->therapy);
        }
        if (e->note && *e->note) {
            lt_buf_puts(&b, ",\"note\":");
            lt_buf_json_str(&b, e->note);
        }
        lt_buf_puts(&b, "}}");
        char action[64];
        snprintf(action, sizeof action, "event.%s", type);
        rc = lt__txn_put(&x, LT__K_EVENT, id, type, &b, action, reason, err);
        lt_buf_free(&b);
    }
    /* NELMAS (seed 002): "Any patient with disease recurrence ceases treatment and assessments
     * and will proceed to standard of care"; death, withdrawal and loss end participation. The
     * trial state moves with the event, in the same transaction. */
    lt_end_reason why = LT_END_COUNT;
    if (e->type == LT_EVENT_RECURRENCE) why = LT_END_RECURRENCE;
    if (e->type == LT_EVENT_DEATH) why = LT_END_DEATH;
    if (e->type == LT_EVENT_WITHDRAWAL) why = LT_END_WITHDRAWAL;
    if (e->type == LT_EVENT_LOST_TO_FOLLOW_UP) why = LT_END_LOST_TO_FOLLOW_UP;
    if (rc == LT_OK && why != LT_END_COUNT && x.d.state != LT_STATE_ENDED) {
        char *r = strdup(lt_end_reason_name(why));
        if (!r) {
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        } else {
            free(x.d.end_reason);
            x.d.end_reason = r;
            x.d.state = LT_STATE_ENDED;
            x.d.end_on = e->date;
            rc = lt__pdoc_save(c->t, &x.d, "end", reason, err);
        }
    }
    return lt__txn_end(&x, rc, err);
}
