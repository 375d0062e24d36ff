/* Doses in the trial store: the dose decision before each due cycle, taken by the label's rules
 * (lt_dosemod_decide) from the patient's stored labs, profile, adverse events and earlier
 * decisions, and the administration that must follow a decision to give, decay-corrected, with
 * every warning acknowledged, within the cumulative limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conduct_int.h"

#define LAB_WINDOW_DAYS 28 /* EU SmPC: labs in the 2-4 weeks before each dose (DOMAIN.md) */
#define MAX_LABS 64

typedef struct history {
    lt__docs labs, decisions, admins, aes, profile;
} history;

static void history_free(history *h)
{
    lt__docs_free(&h->labs);
    lt__docs_free(&h->decisions);
    lt__docs_free(&h->admins);
    lt__docs_free(&h->aes);
    lt__docs_free(&h->profile);
}

static lt_status history_load(lt_conduct *c, const char *patient, history *h, lt_error *err)
{
    memset(h, 0, sizeof *h);
    lt_status rc = lt__docs_load(c, LT__K_LAB, patient, &h->labs, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_DECISION, patient, &h->decisions, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_ADMIN, patient, &h->admins, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_AE, patient, &h->aes, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_PROFILE, patient, &h->profile, err);
    if (rc != LT_OK) history_free(h);
    return rc;
}

static int doc_cycle(const lt_json *v)
{
    double x = lt_json_get_num(v, "cycle", 0);
    return x >= 1 && x <= LT_DOSE_MAX_CYCLES ? (int)x : 0;
}

static const lt_json *admin_of(const history *h, int cycle)
{
    for (size_t i = 0; i < h->admins.n; i++)
        if (doc_cycle(h->admins.v[i]) == cycle) return h->admins.v[i];
    return NULL;
}

/* The latest decision of a cycle (decisions are stored in id order PATIENT/Cnn/nnn). */
static const lt_json *last_decision(const history *h, int cycle)
{
    const lt_json *last = NULL;
    for (size_t i = 0; i < h->decisions.n; i++)
        if (doc_cycle(h->decisions.v[i]) == cycle) last = h->decisions.v[i];
    return last;
}

static const char *decision_action(const lt_json *d)
{
    return lt_json_get_str(lt_json_get(d, "decision"), "action", "");
}

/* The latest result of each analyte dated in [from, to], into labs (strings borrowed from h). */
static size_t latest_labs(const history *h, lt_date from, lt_date to, lt_lab *labs, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < h->labs.n; i++) {
        const lt_json *v = h->labs.v[i];
        lt_date d = lt__get_date(v, "date");
        const char *a = lt_json_get_str(v, "analyte", NULL);
        if (!a || d == LT_DATE_NONE || d < from || d > to || !strcmp(a, "weight")) continue;
        size_t k = 0;
        while (k < n && strcmp(labs[k].analyte, a))
            k++;
        if (k == n) {
            if (n == max) continue;
            n++;
        }
        /* id order is date order, so a later one replaces an earlier one */
        labs[k] = (lt_lab){a, lt_json_get_num(v, "value", NAN), lt_json_get_num(v, "lln", NAN),
                           lt_json_get_num(v, "uln", NAN)};
    }
    return n;
}

static double weight_on(const history *h, lt_date d)
{
    double w = NAN;
    for (size_t i = 0; i < h->labs.n; i++) {
        const lt_json *v = h->labs.v[i];
        if (!strcmp(lt_json_get_str(v, "analyte", ""), "weight") &&
            lt__get_date(v, "date") <= d)
            w = lt_json_get_num(v, "value", NAN);
    }
    return w;
}

static bool is_give(const char *action)
{
    return !strcmp(action, "give_full") || !strcmp(action, "give_reduced");
}

/* Refusals common to a decision and an administration of `cycle` on `date`. */
static lt_status treatment_open(lt_conduct *c, const lt__txn *x, const history *h, int cycle,
                                lt_date date, lt_error *err)
{
    char why[128], s[LT_DATE_STR_MAX];
    lt_status rc = LT_OK;
    if (lt__conduct_stopped(c, x->d.id, date, why, sizeof why, err, &rc))
        LT_FAIL(err, LT_ESTATE, x->d.id, "treatment of %s stopped: %s", x->d.id, why);
    if (rc != LT_OK) return rc;
    for (size_t i = 0; i < h->decisions.n; i++)
        if (!strcmp(decision_action(h->decisions.v[i]), "discontinue"))
            LT_FAIL(err, LT_ESTATE, x->d.id, "treatment of %s was discontinued on %s (cycle %d)",
                    x->d.id, lt_json_get_str(h->decisions.v[i], "date", "?"),
                    doc_cycle(h->decisions.v[i]));
    if (cycle > 1 && !admin_of(h, cycle - 1))
        LT_FAIL(err, LT_ESTATE, x->d.id, "cycle %d of %s has not been given yet", cycle - 1,
                x->d.id);
    (void)s;
    return LT_OK;
}

/* The calendar entry of a cycle ("C2") for the patient's arm. */
static lt_status cycle_entry(lt_conduct *c, const lt__txn *x, int cycle, lt_date *target,
                             lt_error *err)
{
    lt_calendar *cal = NULL;
    lt_status rc = lt__conduct_calendar(c, &x->d, LT_DATE_NONE, &cal, err);
    if (rc != LT_OK) return rc;
    char id[16];
    snprintf(id, sizeof id, "C%d", cycle);
    const lt_visit *v = NULL;
    for (size_t i = 0; i < cal->n; i++)
        if (!strcmp(cal->visits[i].id, id) && cal->visits[i].kind == LT_SCHED_TREATMENT)
            v = &cal->visits[i];
    if (!v)
        rc = lt_error_set(err, LT_EINVAL, "--cycle",
                          "arm %s of patient %s has no treatment cycle %d in its calendar",
                          x->d.arm ? x->d.arm : "-", x->d.id, cycle);
    else
        *target = v->target;
    lt_calendar_free(cal);
    return rc;
}

lt_status lt_conduct_decide(lt_conduct *c, const char *patient, int cycle, lt_date date,
                            lt_dosemod_decision *out, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_DECIDE, "take dose decisions", err);
    if (rc != LT_OK) return rc;
    if (cycle < 1 || cycle > LT_DOSE_MAX_CYCLES)
        LT_FAIL(err, LT_EINVAL, "--cycle", "a cycle from 1 to %d is needed", LT_DOSE_MAX_CYCLES);
    rc = lt__check_date(date, "--date", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    history h;
    rc = lt__not_before_consent(&x, date, "--date", err);
    if (rc == LT_OK) rc = history_load(c, patient, &h, err);
    if (rc != LT_OK) return lt__txn_end(&x, rc, err);
    lt_date target = LT_DATE_NONE;
    rc = cycle_entry(c, &x, cycle, &target, err);
    if (rc == LT_OK) rc = treatment_open(c, &x, &h, cycle, date, err);
    const lt_json *given = admin_of(&h, cycle);
    if (rc == LT_OK && given)
        rc = lt_error_set(err, LT_ESTATE, "--cycle", "cycle %d of %s was given on %s", cycle,
                          patient, lt_json_get_str(given, "date", "?"));
    if (rc == LT_OK && h.profile.n == 0)
        rc = lt_error_set(err, LT_ESTATE, patient,
                          "no profile for %s: the renal rule needs age, sex and weight "
                          "('lutetia record profile')",
                          patient);
    lt_dosemod_decision dec;
    lt_date first_due = LT_DATE_NONE;
    if (rc == LT_OK) {
        lt_dosemod_input in;
        lt_dosemod_input_init(&in);
        in.decision_date = date;
        /* the day the cycle was first due: its first decision's, else the calendar's target
         * (or today's decision when taken ahead of the target) */
        size_t ndec = 0;
        for (size_t i = 0; i < h.decisions.n; i++)
            if (doc_cycle(h.decisions.v[i]) == cycle) {
                if (!ndec++) first_due = lt__get_date(h.decisions.v[i], "first_due");
            }
        if (first_due == LT_DATE_NONE)
            first_due = target != LT_DATE_NONE && target < date ? target : date;
        if (first_due > date) first_due = date;
        in.first_due = first_due;
        const lt_json *prev = last_decision(&h, cycle);
        in.withheld = prev && !strcmp(decision_action(prev), "withhold");
        /* the label: "resume at 3.7 GBq ... if the toxicity recurs at the reduced dose,
         * discontinue": the previous cycle's decision says whether it was reduced, and the
         * withhold decisions before it for what */
        const lt_json *prev_given = cycle > 1 ? last_decision(&h, cycle - 1) : NULL;
        if (prev_given && !strcmp(decision_action(prev_given), "give_reduced")) {
            in.last_dose_reduced = true;
            for (size_t i = 0; i < h.decisions.n; i++) {
                const lt_json *dv = h.decisions.v[i];
                if (doc_cycle(dv) != cycle - 1 || strcmp(decision_action(dv), "withhold")) continue;
                const lt_json *tox = lt_json_get(lt_json_get(dv, "decision"), "toxic");
                for (const lt_json *t = lt_json_first(tox); t; t = lt_json_next(t)) {
                    const char *s = lt_json_str(t);
                    bool dup = false;
                    for (size_t k = 0; s && k < in.nreduced_for; k++)
                        dup = dup || !strcmp(in.reduced_for[k], s);
                    if (s && !dup && in.nreduced_for < LT_DOSEMOD_MAX_IDS)
                        in.reduced_for[in.nreduced_for++] = s;
                }
            }
        }
        lt_lab labs[MAX_LABS], base[MAX_LABS];
        in.labs = labs;
        in.nlabs = latest_labs(&h, date - LAB_WINDOW_DAYS, date, labs, MAX_LABS);
        /* baseline: the labs before the first cycle (as lt_dosemod_input_from_patient) */
        const lt_json *a1 = admin_of(&h, 1);
        lt_date bdate = a1 ? lt__get_date(a1, "date") : date;
        in.baseline = base;
        in.nbaseline = latest_labs(&h, LT_DATE_NONE + 1, bdate, base, MAX_LABS);
        const lt_json *pf = h.profile.v[0];
        lt_date born = lt__get_date(pf, "birth_date");
        in.age_years = born != LT_DATE_NONE ? lt_date_age_years(born, date) : NAN;
        in.baseline_age_years = born != LT_DATE_NONE ? lt_date_age_years(born, bdate) : NAN;
        const char *sex = lt_json_get_str(pf, "sex", "");
        in.sex = !strcmp(sex, "female") ? LT_SEX_FEMALE
                 : !strcmp(sex, "male") ? LT_SEX_MALE
                                        : LT_SEX_UNKNOWN;
        in.baseline_weight_kg = lt_json_get_num(pf, "weight_kg", NAN);
        double w = weight_on(&h, date);
        in.weight_kg = isfinite(w) ? w : in.baseline_weight_kg;
        lt_adverse_event *aes = calloc(h.aes.n + 1, sizeof *aes);
        size_t nae = 0;
        if (!aes) rc = lt_error_set(err, LT_ENOMEM, "", "out of memory");
        for (size_t i = 0; rc == LT_OK && i < h.aes.n; i++)
            rc = lt_adverse_event_from_json(h.aes.v[i], h.aes.id[i], &aes[nae++], err);
        in.events = aes;
        in.nevents = nae;
        if (rc == LT_OK) rc = lt_dosemod_decide(c->rules, c->ctcae, &in, &dec, err);
        free(aes);
    }
    if (rc == LT_OK) {
        size_t k = 0;
        for (size_t i = 0; i < h.decisions.n; i++)
            k += doc_cycle(h.decisions.v[i]) == cycle;
        char id[LT_CONDUCT_ID_MAX], d[LT_DATE_STR_MAX];
        snprintf(id, sizeof id, "%s/C%02d/%03zu", patient, cycle, k + 1);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, patient);
        lt_buf_printf(&b, ",\"cycle\":%d,\"date\":\"%s\",\"first_due\":", cycle,
                      lt_date_format(date, d));
        lt__json_date(&b, first_due);
        lt_buf_puts(&b, ",\"decision\":");
        lt_dosemod_decision_to_json(&dec, &b);
        lt_buf_putc(&b, '}');
        rc = lt__txn_put(&x, LT__K_DECISION, id, NULL, &b, "dose_decision", NULL, err);
        lt_buf_free(&b);
    }
    history_free(&h);
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && out) *out = dec;
    return rc;
}

lt_status lt_conduct_administer(lt_conduct *c, const lt_administration *a, const char *reason,
                                lt_administration_result *out, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_ADMINISTER, "record administrations", err);
    if (rc != LT_OK) return rc;
    if (a->cycle < 1 || a->cycle > LT_DOSE_MAX_CYCLES)
        LT_FAIL(err, LT_EINVAL, "--cycle", "a cycle from 1 to %d is needed", LT_DOSE_MAX_CYCLES);
    lt_administration_result res;
    rc = lt_administration_evaluate(a, c->nuc, &c->plan.rules, &res, err);
    if (rc != LT_OK) return rc;
    if (res.unacknowledged) {
        char list[LT_ERROR_MESSAGE_MAX - 200] = "";
        size_t n = 0;
        for (size_t i = 0; i < res.nwarnings; i++)
            if (!res.warnings[i].reason)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s (%s)",
                                      n ? "; " : "", res.warnings[i].code,
                                      res.warnings[i].message);
        LT_FAIL(err, LT_ESTATE, a->patient,
                "%zu warning%s to acknowledge with a reason (--ack CODE=REASON): %s",
                res.unacknowledged, res.unacknowledged == 1 ? "" : "s", list);
    }
    const lt_nuclide *planned = lt_nuclide_find(c->nuc, c->plan.nuclide);
    if (planned != lt_nuclide_find(c->nuc, a->nuclide))
        LT_FAIL(err, LT_ECONFLICT, "--nuclide", "the protocol gives %s, not %s", c->plan.nuclide,
                a->nuclide);
    lt_route route = lt_dosing_plan_route(&c->plan, a->cycle);
    if (a->route != route)
        LT_FAIL(err, LT_ECONFLICT, "--route", "the protocol gives %s for cycle %d, not %s",
                lt_route_name(route), a->cycle, lt_route_name(a->route));
    lt_date date = lt_time_date(a->infusion_start);
    rc = lt__check_date(date, "--start", err);
    if (rc != LT_OK) return rc;
    lt__txn x;
    rc = lt__txn_begin(&x, c, a->patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    history h;
    rc = lt__not_before_consent(&x, date, "--start", err);
    if (rc == LT_OK) rc = history_load(c, a->patient, &h, err);
    if (rc != LT_OK) return lt__txn_end(&x, rc, err);
    lt_date target = LT_DATE_NONE;
    rc = cycle_entry(c, &x, a->cycle, &target, err);
    if (rc == LT_OK) rc = treatment_open(c, &x, &h, a->cycle, date, err);
    const lt_json *dec = last_decision(&h, a->cycle);
    char d[LT_DATE_STR_MAX];
    lt_date_format(date, d);
    if (rc == LT_OK && !dec)
        rc = lt_error_set(err, LT_ESTATE, "--cycle",
                          "no dose decision for cycle %d of %s: take one first ('lutetia record "
                          "decide')",
                          a->cycle, a->patient);
    else if (rc == LT_OK && !is_give(decision_action(dec)))
        rc = lt_error_set(err, LT_ESTATE, "--cycle",
                          "the decision of %s for cycle %d of %s is %s, not to give",
                          lt_json_get_str(dec, "date", "?"), a->cycle, a->patient,
                          decision_action(dec));
    else if (rc == LT_OK && lt__get_date(dec, "date") > date)
        rc = lt_error_set(err, LT_ESTATE, "--start",
                          "the dose decision for cycle %d is dated %s, after the infusion (%s)",
                          a->cycle, lt_json_get_str(dec, "date", "?"), d);
    double decided = rc == LT_OK ? lt_json_get_num(lt_json_get(dec, "decision"), "activity_mbq",
                                                   NAN)
                                 : NAN;
    if (rc == LT_OK && !(fabs(a->prescribed_mbq - decided) <= 0.5))
        rc = lt_error_set(err, LT_ECONFLICT, "--prescribed",
                          "the prescription (%.0f MBq) differs from the decision of %s "
                          "(%s, %.0f MBq)",
                          a->prescribed_mbq, lt_json_get_str(dec, "date", "?"),
                          decision_action(dec), decided);
    /* cumulative activity: NELMAS and the label cap the total (cycles x 7.4 GBq) */
    double total = res.administered_mbq;
    for (size_t i = 0; rc == LT_OK && i < h.admins.n; i++)
        if (doc_cycle(h.admins.v[i]) != a->cycle)
            total += lt_json_get_num(lt_json_get(h.admins.v[i], "result"), "administered_mbq", 0);
    double limit = isfinite(c->plan.cumulative_limit_mbq)
                       ? c->plan.cumulative_limit_mbq
                       : c->plan.cycles * c->plan.activity_mbq * (1 + c->plan.rules.tolerance);
    if (rc == LT_OK && total > limit)
        rc = lt_error_set(err, LT_ECONFLICT, "--before",
                          "the cumulative activity would be %.0f MBq, above the limit of %.0f MBq",
                          total, limit);
    bool delayed_for_toxicity = false;
    for (size_t i = 0; i < h.decisions.n; i++)
        if (doc_cycle(h.decisions.v[i]) == a->cycle &&
            !strcmp(decision_action(h.decisions.v[i]), "withhold"))
            delayed_for_toxicity = true;
    char id[LT_CONDUCT_ID_MAX];
    if (rc == LT_OK) {
        snprintf(id, sizeof id, "%s/C%02d", a->patient, a->cycle);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, a->patient);
        lt_buf_printf(&b, ",\"cycle\":%d,\"date\":\"%s\",\"decision\":", a->cycle, d);
        lt_buf_json_str(&b, decision_action(dec));
        lt_buf_puts(&b, ",\"record\":");
        lt_administration_to_json(a, &b);
        lt_buf_puts(&b, ",\"result\":");
        lt_administration_result_to_json(&res, &b);
        lt_buf_putc(&b, '}');
        rc = lt__txn_put(&x, LT__K_ADMIN, id, NULL, &b, "administration", reason, err);
        lt_buf_free(&b);
    }
    if (rc == LT_OK) {
        /* the cycle's actual date in the calendar, in the same transaction */
        char entry[16];
        snprintf(entry, sizeof entry, "C%d", a->cycle);
        snprintf(id, sizeof id, "%s/%s", a->patient, entry);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, a->patient);
        lt_buf_printf(&b, ",\"entry\":\"%s\",\"date\":\"%s\",\"reason\":%s}", entry, d,
                      delayed_for_toxicity ? "\"toxicity\"" : "null");
        rc = lt__txn_put(&x, LT__K_VISIT, id, entry, &b, "visit", reason, err);
        lt_buf_free(&b);
    }
    if (rc == LT_OK && x.d.state < LT_STATE_ON_TREATMENT) {
        x.d.state = LT_STATE_ON_TREATMENT;
        x.d.treatment_on = date;
        rc = lt__pdoc_save(c->t, &x.d, "treat", NULL, err);
    }
    history_free(&h);
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && out) *out = res;
    return rc;
}
