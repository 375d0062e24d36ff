/* An oral drug in the trial store (NET RETREAT arm 2, everolimus): its start, dose changes,
 * interruptions, resumption, stop, the tablets dispensed and returned, and the label's
 * decision over the patient's history (lt_oral_decide over the stored events, adverse events
 * and graded labs). Each write is one transaction with one audit record per record, checked
 * against role and site like every other record (docs/conduct.md, "Oral drugs"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

const lt_oral_spec *lt__conduct_oral(const lt_conduct *c, const char *arm)
{
    for (size_t i = 0; arm && i < c->noral; i++)
        if (!strcmp(c->oral[i].arm, arm)) return &c->oral[i];
    return NULL;
}

lt_status lt__oral_calendar(lt_conduct *c, const char *patient, lt_calendar *cal, lt_error *err)
{
    const lt_oral_spec *s = lt__conduct_oral(c, cal->arm);
    if (!s || !s->dispensing_entry[0]) return LT_OK;
    lt__docs ev;
    lt_status rc = lt__docs_load(c, LT__K_ORAL, patient, &ev, err);
    if (rc != LT_OK) return rc;
    lt_date stop = LT_DATE_NONE;
    for (size_t i = 0; i < ev.n; i++)
        if (!strcmp(lt_json_get_str(ev.v[i], "type", ""), "stop"))
            stop = lt__get_date(ev.v[i], "date");
    lt__docs_free(&ev);
    if (stop == LT_DATE_NONE) return LT_OK;
    for (size_t i = 0; i < cal->n; i++) {
        lt_visit *v = &cal->visits[i];
        if (strcmp(v->item, s->dispensing_entry) || v->actual != LT_DATE_NONE ||
            v->target == LT_DATE_NONE || v->target <= stop)
            continue;
        v->status = LT_VISIT_CANCELLED;
        v->deviation = false;
        v->note = "the oral drug was stopped";
    }
    return LT_OK;
}

/* The patient's stored history, as lt_oral_decide and lt_oral_compliance read it. */
typedef struct oral_hist {
    lt__docs docs, aes, labs;
    lt_oral_event *ev;
    size_t nev;
    lt_oral_tox *tox;
    size_t ntox;
} oral_hist;

static void hist_free(oral_hist *h)
{
    lt__docs_free(&h->docs);
    lt__docs_free(&h->aes);
    lt__docs_free(&h->labs);
    free(h->ev);
    free(h->tox);
    memset(h, 0, sizeof *h);
}

static lt_status event_from_json(const lt_json *v, const char *id, lt_oral_event *e,
                                 lt_error *err)
{
    memset(e, 0, sizeof *e);
    if (!lt_oral_event_parse(lt_json_get_str(v, "type", ""), &e->type))
        LT_FAIL(err, LT_ECORRUPT, id, "stored oral-drug record %s has no known type", id);
    e->date = lt__get_date(v, "date");
    e->dose_mg = lt_json_get_num(v, "dose_mg", 0);
    snprintf(e->category, sizeof e->category, "%s", lt_json_get_str(v, "category", ""));
    e->grade = (int)lt_json_get_num(v, "grade", 0);
    e->tablets = (long)lt_json_get_num(v, "tablets", 0);
    e->returned = (long)lt_json_get_num(v, "returned", 0);
    e->lost = (long)lt_json_get_num(v, "lost", 0);
    e->strength_mg = lt_json_get_num(v, "strength_mg", 0);
    return LT_OK;
}

/* The grade a stored lab counts with: its CTCAE grade, or the highest one it may have when
 * undetermined (a missing limit must not hide a toxicity from the rules). */
static int lab_grade(const lt_json *lab)
{
    const lt_json *g = lt_json_get(lab, "grade");
    double x;
    if (lt_json_num(lt_json_get(g, "grade"), &x)) return (int)x;
    return (int)lt_json_get_num(g, "max_grade", 0);
}

static lt_status hist_load(lt_conduct *c, const char *patient, oral_hist *h, lt_error *err)
{
    memset(h, 0, sizeof *h);
    lt_status rc = lt__docs_load(c, LT__K_ORAL, patient, &h->docs, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_AE, patient, &h->aes, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_LAB, patient, &h->labs, err);
    if (rc == LT_OK) {
        h->ev = calloc(h->docs.n + 1, sizeof *h->ev);
        h->tox = calloc(h->aes.n + h->labs.n + 1, sizeof *h->tox);
        if (!h->ev || !h->tox) {
            lt_error_set(err, LT_ENOMEM, "", "out of memory");
            rc = LT_ENOMEM;
        }
    }
    for (size_t i = 0; rc == LT_OK && i < h->docs.n; i++)
        rc = event_from_json(h->docs.v[i], h->docs.id[i], &h->ev[h->nev++], err);
    for (size_t i = 0; rc == LT_OK && i < h->aes.n; i++) {
        lt_adverse_event e;
        rc = lt_adverse_event_from_json(h->aes.v[i], h->aes.id[i], &e, err);
        if (rc != LT_OK) break;
        lt_oral_tox *t = &h->tox[h->ntox++];
        snprintf(t->term, sizeof t->term, "%.*s", (int)sizeof t->term - 1, e.term);
        t->grade = e.grade;
        t->start = e.start;
        t->end = e.end;
    }
    /* a graded result holds until the next result of its analyte */
    for (size_t i = 0; rc == LT_OK && i < h->labs.n; i++) {
        const lt_json *v = h->labs.v[i];
        const char *an = lt_json_get_str(v, "analyte", "");
        lt_date d = lt__get_date(v, "date"), next = LT_DATE_NONE;
        for (size_t k = 0; k < h->labs.n; k++) {
            lt_date dk = lt__get_date(h->labs.v[k], "date");
            if (!strcmp(lt_json_get_str(h->labs.v[k], "analyte", ""), an) && dk > d &&
                (next == LT_DATE_NONE || dk < next))
                next = dk;
        }
        lt_oral_tox *t = &h->tox[h->ntox++];
        snprintf(t->term, sizeof t->term, "%s", an);
        t->lab = true;
        t->grade = lab_grade(v);
        t->start = d;
        t->end = next == LT_DATE_NONE ? LT_DATE_NONE : next - 1;
    }
    if (rc != LT_OK) hist_free(h);
    return rc;
}

/* The patient's oral drug (LT_EINVAL naming the arm when it takes none). */
static lt_status spec_of(lt_conduct *c, const lt__txn *x, const lt_oral_spec **out,
                         lt_error *err)
{
    *out = lt__conduct_oral(c, x->d.arm);
    if (*out) return LT_OK;
    LT_FAIL(err, LT_EINVAL, x->d.id, "arm %s of patient %s takes no oral drug",
            x->d.arm ? x->d.arm : "-", x->d.id);
}

static bool is_strength(const lt_oral_spec *s, double mg)
{
    for (size_t i = 0; i < s->nstrengths; i++)
        if (fabs(s->strengths_mg[i] - mg) < 1e-9) return true;
    return false;
}

/* A daily dose the tablets can make up: above 0, at most the protocol's, a multiple of the
 * smallest strength. */
static lt_status dose_ok(const lt_oral_spec *s, double mg, lt_error *err)
{
    double unit = s->strengths_mg[0], k = mg / unit;
    if (!isfinite(mg) || !(mg > 0) || mg > s->daily_dose_mg + 1e-9 ||
        fabs(k - round(k)) > 1e-9)
        LT_FAIL(err, LT_EINVAL, "dose_mg",
                "expected a daily dose of %s above 0 and at most %g mg, in steps of %g mg, "
                "found %g",
                s->name, s->daily_dose_mg, unit, mg);
    return LT_OK;
}

/* The current calendar occurrence of the dispensing entry nearest to d that has no actual
 * date yet, within its window (NULL id when none). */
static lt_status dispensing_visit(lt_conduct *c, const lt__txn *x, const lt_oral_spec *s,
                                  lt_date d, char *id, size_t n, lt_error *err)
{
    id[0] = '\0';
    if (!s->dispensing_entry[0]) return LT_OK;
    lt_calendar *cal = NULL;
    lt_status rc = lt__conduct_calendar(c, &x->d, LT_DATE_NONE, &cal, err);
    if (rc != LT_OK) return rc;
    size_t len = strlen(s->dispensing_entry);
    for (size_t i = 0; i < cal->n; i++) {
        const lt_visit *v = &cal->visits[i];
        if (strncmp(v->id, s->dispensing_entry, len) || v->id[len] != '.' ||
            v->actual != LT_DATE_NONE || v->target == LT_DATE_NONE || d < v->earliest ||
            d > v->latest)
            continue;
        snprintf(id, n, "%s", v->id);
        break;
    }
    lt_calendar_free(cal);
    return LT_OK;
}

static lt_status put_visit(lt__txn *x, const char *entry, lt_date d, const char *reason,
                           lt_error *err)
{
    char id[LT_CONDUCT_ID_MAX], ds[LT_DATE_STR_MAX];
    snprintf(id, sizeof id, "%s/%s", x->d.id, entry);
    lt_buf b = LT_BUF_INIT;
    lt_buf_puts(&b, "{\"patient\":");
    lt_buf_json_str(&b, x->d.id);
    lt_buf_puts(&b, ",\"entry\":");
    lt_buf_json_str(&b, entry);
    lt_buf_printf(&b, ",\"date\":\"%s\",\"reason\":null}", lt_date_format(d, ds));
    lt_status rc = lt__txn_put(x, LT__K_VISIT, id, entry, &b, "visit", reason, err);
    lt_buf_free(&b);
    return rc;
}

static lt_status decide_in(lt_conduct *c, const lt_oral_spec *s, const oral_hist *h, lt_date d,
                           lt_oral_decision *out, lt_error *err)
{
    (void)c;
    return lt_oral_decide(s, h->ev, h->nev, h->tox, h->ntox, d, out, err);
}

lt_status lt_conduct_oral_record(lt_conduct *c, const char *patient, const lt_conduct_oral *in,
                                 const char *reason, lt_conduct_oral_result *out, lt_error *err)
{
    bool dispensing = in->type == LT_ORAL_EV_DISPENSE || in->type == LT_ORAL_EV_RETURN;
    static const char *const verbs[LT_ORAL_EVENT_COUNT] = {
        "start an oral drug",       "change an oral drug's dose", "interrupt an oral drug",
        "resume an oral drug",      "stop an oral drug",          "record dispensed tablets",
        "record returned tablets"};
    if ((unsigned)in->type >= LT_ORAL_EVENT_COUNT)
        LT_FAIL(err, LT_EINVAL, "type", "unknown oral-drug record %d", (int)in->type);
    lt_status rc = lt__conduct_allow(c, dispensing ? LT_CONDUCT_DISPENSE : LT_CONDUCT_PRESCRIBE,
                                     verbs[in->type], err);
    if (rc == LT_OK) rc = lt__check_date(in->date, "date", err);
    if (rc != LT_OK) return rc;
    if (in->type == LT_ORAL_EV_DISPENSE && !(in->tablets >= 1 && in->tablets <= 10000))
        LT_FAIL(err, LT_EINVAL, "tablets", "expected 1 to 10000 tablets dispensed, found %ld",
                in->tablets);
    if (in->type == LT_ORAL_EV_RETURN &&
        !(in->returned >= 0 && in->returned <= 10000 && in->lost >= 0 && in->lost <= 10000))
        LT_FAIL(err, LT_EINVAL, in->returned < 0 || in->returned > 10000 ? "returned" : "lost",
                "expected 0 to 10000 tablets, found %ld",
                in->returned < 0 || in->returned > 10000 ? in->returned : in->lost);
    if ((in->type == LT_ORAL_EV_INTERRUPT || in->type == LT_ORAL_EV_STOP ||
         in->type == LT_ORAL_EV_DOSE) &&
        (!in->cause || !*in->cause))
        LT_FAIL(err, LT_EINVAL, "cause", "a %s needs its cause (the adverse event, surgery, the "
                "patient's wish...)", lt_oral_event_name(in->type));
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    const lt_oral_spec *s = NULL;
    oral_hist h;
    memset(&h, 0, sizeof h);
    rc = spec_of(c, &x, &s, err);
    if (rc == LT_OK) rc = lt__not_before_consent(&x, in->date, "date", err);
    if (rc == LT_OK) rc = hist_load(c, patient, &h, err);
    if (rc != LT_OK) {
        hist_free(&h);
        return lt__txn_end(&x, rc, err);
    }
    char ds[LT_DATE_STR_MAX], ls[LT_DATE_STR_MAX];
    lt_oral_event e;
    memset(&e, 0, sizeof e);
    e.type = in->type;
    e.date = in->date;
    e.dose_mg = in->dose_mg;
    e.tablets = in->tablets;
    e.returned = in->returned;
    e.lost = in->lost;
    e.strength_mg = in->strength_mg;
    lt_oral_decision dec;
    memset(&dec, 0, sizeof dec);
    lt_oral_state st;
    /* records are kept in date order: the history is read in that order */
    if (h.nev && in->date < h.ev[h.nev - 1].date)
        rc = lt_error_set(err, LT_ESTATE, "date",
                          "%s's oral-drug records reach %s already: a %s dated %s would come "
                          "before them",
                          patient, lt_date_format(h.ev[h.nev - 1].date, ls),
                          lt_oral_event_name(in->type), lt_date_format(in->date, ds));
    if (rc == LT_OK) rc = lt_oral_replay(h.ev, h.nev, in->date, &st, err);
    if (rc == LT_OK) {
        char why[128];
        if (lt__conduct_stopped(c, patient, in->date, why, sizeof why, err, &rc) &&
            !dispensing && in->type != LT_ORAL_EV_STOP)
            rc = lt_error_set(err, LT_ESTATE, patient, "treatment of %s stopped: %s", patient,
                              why);
    }
    if (rc == LT_OK) switch (in->type) {
        case LT_ORAL_EV_START:
            if (!isfinite(e.dose_mg) || e.dose_mg == 0) e.dose_mg = s->daily_dose_mg;
            rc = dose_ok(s, e.dose_mg, err);
            break;
        case LT_ORAL_EV_DOSE:
            rc = dose_ok(s, e.dose_mg, err);
            /* the label's modifications only lower a dose; never above the current one */
            if (rc == LT_OK && st.started && e.dose_mg > st.dose_mg + 1e-9)
                rc = lt_error_set(err, LT_ECONFLICT, "dose_mg",
                                  "%g mg is above %s's current %g mg daily: the label's "
                                  "modifications do not raise the dose again",
                                  e.dose_mg, s->name, st.dose_mg);
            break;
        case LT_ORAL_EV_INTERRUPT:
            /* the toxicity it is for: as given, else what the table decides that day */
            if (in->category && *in->category) {
                bool known = false;
                for (size_t i = 0; i < s->ncategories; i++)
                    known = known || !strcmp(s->categories[i].id, in->category);
                if (!known)
                    rc = lt_error_set(err, LT_EINVAL, "toxicity",
                                      "expected a category of the protocol's table for %s, "
                                      "found '%s'",
                                      s->name, in->category);
                else if (!(in->grade >= 1 && in->grade <= 4))
                    rc = lt_error_set(err, LT_EINVAL, "grade",
                                      "expected the toxicity's grade, 1 to 4, found %d",
                                      in->grade);
                snprintf(e.category, sizeof e.category, "%s", in->category);
                e.grade = in->grade;
            } else if (st.started && !st.stopped && !st.interrupted) {
                rc = decide_in(c, s, &h, in->date, &dec, err);
                if (rc == LT_OK && dec.action == LT_ORAL_DO_INTERRUPT) {
                    snprintf(e.category, sizeof e.category, "%s", dec.category);
                    e.grade = dec.grade;
                }
            }
            break;
        case LT_ORAL_EV_RESUME:
            /* never above what the table allows on the day */
            rc = decide_in(c, s, &h, in->date, &dec, err);
            if (rc == LT_OK && dec.action != LT_ORAL_DO_RESUME_SAME &&
                dec.action != LT_ORAL_DO_RESUME_REDUCED)
                rc = lt_error_set(err, LT_ESTATE, "date",
                                  "%s cannot resume on %s: the label's table says %s (%s)",
                                  s->name, lt_date_format(in->date, ds),
                                  lt_oral_action_name(dec.action), dec.reason);
            if (rc == LT_OK && !(isfinite(e.dose_mg) && e.dose_mg > 0)) e.dose_mg = dec.dose_mg;
            if (rc == LT_OK) rc = dose_ok(s, e.dose_mg, err);
            if (rc == LT_OK && e.dose_mg > dec.dose_mg + 1e-9)
                rc = lt_error_set(err, LT_ECONFLICT, "dose_mg",
                                  "%g mg daily is above what the label's table allows on %s: "
                                  "%g mg (%s)",
                                  e.dose_mg, lt_date_format(in->date, ds), dec.dose_mg,
                                  dec.reason);
            break;
        case LT_ORAL_EV_DISPENSE:
            if (!is_strength(s, e.strength_mg))
                rc = lt_error_set(err, LT_EINVAL, "strength_mg",
                                  "expected one of the protocol's tablet strengths of %s, found "
                                  "%g mg",
                                  s->name, e.strength_mg);
            break;
        case LT_ORAL_EV_RETURN: {
            /* what comes back cannot exceed what went out with that dispensing */
            const lt_oral_event *out_ev = NULL;
            size_t *open = calloc(h.nev + 1, sizeof *open); /* indexes of dispensings */
            size_t nopen = 0;
            if (!open) {
                rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
                break;
            }
            /* as lt_oral_compliance pairs them: a return closes the earliest dispensing still
             * out (the bottle of the period before, also when the new one was recorded first) */
            size_t first = 0;
            for (size_t i = 0; i < h.nev; i++)
                if (h.ev[i].type == LT_ORAL_EV_DISPENSE)
                    open[nopen++] = i;
                else if (h.ev[i].type == LT_ORAL_EV_RETURN && first < nopen)
                    first++;
            out_ev = first < nopen ? &h.ev[open[first]] : NULL;
            free(open);
            if (!out_ev)
                rc = lt_error_set(err, LT_ESTATE, "returned",
                                  "no dispensing of %s to %s awaits a return", s->name, patient);
            else if (e.returned + e.lost > out_ev->tablets)
                rc = lt_error_set(err, LT_EINVAL, "returned",
                                  "%ld returned and %ld lost are more than the %ld tablets "
                                  "dispensed on %s",
                                  e.returned, e.lost, out_ev->tablets,
                                  lt_date_format(out_ev->date, ds));
            break;
        }
        default:
            break;
        }
    /* the event must follow the ones before it (a dose before the start, a resume without an
     * interruption, anything but a return after the stop) */
    if (rc == LT_OK) {
        h.ev[h.nev] = e;
        lt_oral_state after;
        rc = lt_oral_replay(h.ev, h.nev + 1, in->date, &after, err);
        if (rc == LT_OK && out) {
            out->state = after;
            out->decision = dec;
        }
    }
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX];
        snprintf(id, sizeof id, "%s/O%03zu", patient, h.nev + 1);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, patient);
        lt_buf_printf(&b, ",\"drug\":");
        lt_buf_json_str(&b, s->name);
        lt_buf_printf(&b, ",\"type\":\"%s\",\"date\":\"%s\"", lt_oral_event_name(e.type),
                      lt_date_format(e.date, ds));
        if (e.type == LT_ORAL_EV_START || e.type == LT_ORAL_EV_DOSE ||
            e.type == LT_ORAL_EV_RESUME) {
            lt_buf_puts(&b, ",\"dose_mg\":");
            lt_buf_json_num(&b, e.dose_mg);
        }
        if (e.type == LT_ORAL_EV_INTERRUPT) {
            lt_buf_puts(&b, ",\"category\":");
            if (e.category[0])
                lt_buf_json_str(&b, e.category);
            else
                lt_buf_puts(&b, "null");
            lt_buf_printf(&b, ",\"grade\":%d", e.grade);
        }
        if (e.type == LT_ORAL_EV_DISPENSE) {
            lt_buf_printf(&b, ",\"tablets\":%ld,\"strength_mg\":", e.tablets);
            lt_buf_json_num(&b, e.strength_mg);
        }
        if (e.type == LT_ORAL_EV_RETURN)
            lt_buf_printf(&b, ",\"returned\":%ld,\"lost\":%ld", e.returned, e.lost);
        lt_buf_puts(&b, ",\"cause\":");
        if (in->cause && *in->cause)
            lt_buf_json_str(&b, in->cause);
        else
            lt_buf_puts(&b, "null");
        lt_buf_putc(&b, '}');
        char action[64];
        snprintf(action, sizeof action, "oral.%s", lt_oral_event_name(e.type));
        rc = lt__txn_put(&x, LT__K_ORAL, id, lt_oral_event_name(e.type), &b, action, reason, err);
        lt_buf_free(&b);
    }
    /* the calendar: the start is the arm's start entry; a dispensing is its visit */
    if (rc == LT_OK && e.type == LT_ORAL_EV_START && s->start_entry[0])
        rc = put_visit(&x, s->start_entry, e.date, reason, err);
    if (rc == LT_OK && e.type == LT_ORAL_EV_DISPENSE) {
        char entry[LT_CONDUCT_ID_MAX];
        rc = dispensing_visit(c, &x, s, e.date, entry, sizeof entry, err);
        if (rc == LT_OK && entry[0]) rc = put_visit(&x, entry, e.date, reason, err);
        if (rc == LT_OK && out) snprintf(out->visit, sizeof out->visit, "%s", entry);
    }
    if (rc == LT_OK && e.type == LT_ORAL_EV_START && x.d.state < LT_STATE_ON_TREATMENT) {
        x.d.state = LT_STATE_ON_TREATMENT;
        x.d.treatment_on = e.date;
        rc = lt__pdoc_save(c->t, &x.d, "treat", NULL, err);
    }
    hist_free(&h);
    return lt__txn_end(&x, rc, err);
}

lt_status lt_conduct_oral_decide(lt_conduct *c, const char *patient, lt_date date,
                                 lt_oral_decision *out, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_PRESCRIBE, "take an oral drug's decisions",
                                     err);
    if (rc == LT_OK) rc = lt__check_date(date, "date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    const lt_oral_spec *s = NULL;
    oral_hist h;
    memset(&h, 0, sizeof h);
    lt_oral_decision dec;
    rc = spec_of(c, &x, &s, err);
    if (rc == LT_OK) rc = lt__not_before_consent(&x, date, "date", err);
    if (rc == LT_OK) rc = hist_load(c, patient, &h, err);
    char why[128];
    if (rc == LT_OK && lt__conduct_stopped(c, patient, date, why, sizeof why, err, &rc))
        rc = lt_error_set(err, LT_ESTATE, patient, "treatment of %s stopped: %s", patient, why);
    if (rc == LT_OK) rc = decide_in(c, s, &h, date, &dec, err);
    if (rc == LT_OK) {
        lt__docs prev;
        rc = lt__docs_load(c, LT__K_ORAL_DECISION, patient, &prev, err);
        size_t n = prev.n;
        lt__docs_free(&prev);
        char id[LT_CONDUCT_ID_MAX], ds[LT_DATE_STR_MAX];
        snprintf(id, sizeof id, "%s/D%03zu", patient, n + 1);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, patient);
        lt_buf_puts(&b, ",\"drug\":");
        lt_buf_json_str(&b, s->name);
        lt_buf_printf(&b, ",\"date\":\"%s\",\"decision\":", lt_date_format(date, ds));
        lt_oral_decision_to_json(&dec, &b);
        lt_buf_putc(&b, '}');
        if (rc == LT_OK)
            rc = lt__txn_put(&x, LT__K_ORAL_DECISION, id, NULL, &b, "oral.decide", NULL, err);
        lt_buf_free(&b);
    }
    hist_free(&h);
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && out) *out = dec;
    return rc;
}

lt_status lt_conduct_oral_show(lt_conduct *c, const char *patient, lt_date as_of, lt_buf *out,
                               lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_READ, "read oral-drug records", err);
    if (rc != LT_OK) return rc;
    if (as_of == LT_DATE_NONE) as_of = lt_date_today();
    lt__pdoc d;
    rc = lt__pdoc_load(c->t, patient, &d, err);
    if (rc != LT_OK) return rc;
    rc = lt__trial_site_ok(c->t, d.site, err);
    const lt_oral_spec *s = rc == LT_OK ? lt__conduct_oral(c, d.arm) : NULL;
    if (rc == LT_OK && !s)
        rc = lt_error_set(err, LT_EINVAL, patient, "arm %s of patient %s takes no oral drug",
                          d.arm ? d.arm : "-", patient);
    oral_hist h;
    memset(&h, 0, sizeof h);
    if (rc == LT_OK) rc = hist_load(c, patient, &h, err);
    lt_oral_state st;
    lt_oral_period *p = NULL;
    size_t np = 0;
    if (rc == LT_OK) rc = lt_oral_replay(h.ev, h.nev, as_of, &st, err);
    if (rc == LT_OK) rc = lt_oral_compliance(h.ev, h.nev, as_of, &p, &np, err);
    if (rc == LT_OK) {
        char ds[LT_DATE_STR_MAX];
        lt_buf_puts(out, "{\"patient\":");
        lt_buf_json_str(out, patient);
        lt_buf_puts(out, ",\"drug\":");
        lt_buf_json_str(out, s->name);
        lt_buf_printf(out, ",\"as_of\":\"%s\",\"state\":{\"started\":", lt_date_format(as_of, ds));
        lt__json_date(out, st.started ? st.start : LT_DATE_NONE);
        lt_buf_puts(out, ",\"stopped\":");
        lt__json_date(out, st.stopped ? st.stop : LT_DATE_NONE);
        lt_buf_puts(out, ",\"interrupted_since\":");
        lt__json_date(out, st.interrupted ? st.interrupted_from : LT_DATE_NONE);
        lt_buf_puts(out, ",\"daily_dose_mg\":");
        if (st.started)
            lt_buf_json_num(out, st.dose_mg);
        else
            lt_buf_puts(out, "null");
        lt_buf_puts(out, "},\"events\":[");
        for (size_t i = 0; i < h.docs.n; i++) {
            char *txt = lt_json_print(h.docs.v[i]);
            if (!txt) {
                rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
                break;
            }
            lt_buf_printf(out, "%s%s", i ? "," : "", txt);
            free(txt);
        }
        lt_buf_puts(out, "],\"periods\":");
        lt_oral_periods_to_json(p, np, out);
        lt_buf_putc(out, '}');
        if (rc == LT_OK && lt_buf_failed(out))
            rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
    }
    free(p);
    hist_free(&h);
    lt__pdoc_free(&d);
    return rc;
}
