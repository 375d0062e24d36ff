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
    lt__docs screened; /* the facts stored at screening: what the profile does not say */
} history;

static void history_free(history *h)
{
    lt__docs_free(&h->labs);
    lt__docs_free(&h->decisions);
    lt__docs_free(&h->admins);
    lt__docs_free(&h->aes);
    lt__docs_free(&h->profile);
    lt__docs_free(&h->screened);
}

static lt_status history_load(lt_conduct *c, const char *patient, history *h, lt_error *err)
{
    memset(h, 0, sizeof *h);
    lt_status rc = lt__docs_load(c, LT__K_LAB, patient, &h->labs, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_DECISION, patient, &h->decisions, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_ADMIN, patient, &h->admins, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_AE, patient, &h->aes, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_PROFILE, patient, &h->profile, err);
    if (rc == LT_OK) rc = lt__docs_load(c, LT__K_PATIENT_DATA, patient, &h->screened, err);
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

static bool is_give(const char *action)
{
    return !strcmp(action, "give_full") || !strcmp(action, "give_reduced");
}

/* The stored history as lt_dosemod_decide_history reads it (strings borrowed from h). */
typedef struct dose_history {
    lt_dose_history h;
    lt_dose_lab_at *labs;
    lt_dose_decided *dec;
    lt_dose_given *given;
    lt_adverse_event *aes;
} dose_history;

static void dose_history_free(dose_history *d)
{
    free(d->labs);
    free(d->dec);
    free(d->given);
    free(d->aes);
}

static lt_status dose_history_load(const history *h, dose_history *out, lt_error *err)
{
    dose_history d;
    memset(&d, 0, sizeof d);
    /* the labs stored at screening come first: they are the baseline (and, within the lab
     * window, the current results) until results are recorded; on the same date a recorded
     * result, later in the list, wins */
    const lt_json *scr = h->screened.n ? h->screened.v[0] : NULL;
    const lt_json *slabs = lt_json_get(scr, "labs");
    size_t ns = 0;
    for (const lt_json *l = lt_json_first(slabs); l; l = lt_json_next(l)) ns++;
    d.labs = calloc(ns + h->labs.n + 1, sizeof *d.labs);
    d.dec = calloc(h->decisions.n + 1, sizeof *d.dec);
    d.given = calloc(h->admins.n + 1, sizeof *d.given);
    d.aes = calloc(h->aes.n + 1, sizeof *d.aes);
    if (!d.labs || !d.dec || !d.given || !d.aes) {
        dose_history_free(&d);
        LT_FAIL(err, LT_ENOMEM, "", "out of memory reading the dose history");
    }
    size_t nl = 0;
    for (const lt_json *l = lt_json_first(slabs); l && d.labs; l = lt_json_next(l))
        d.labs[nl++] = (lt_dose_lab_at){lt__get_date(l, "date"),
                                        {lt_json_get_str(l, "code", NULL),
                                         lt_json_get_num(l, "value", NAN),
                                         lt_json_get_num(l, "low", NAN),
                                         lt_json_get_num(l, "high", NAN)}};
    for (size_t i = 0; i < h->labs.n; i++) {
        const lt_json *v = h->labs.v[i];
        d.labs[nl + i] = (lt_dose_lab_at){lt__get_date(v, "date"),
                                     {lt_json_get_str(v, "analyte", NULL),
                                      lt_json_get_num(v, "value", NAN),
                                      lt_json_get_num(v, "lln", NAN),
                                      lt_json_get_num(v, "uln", NAN)}};
    }
    for (size_t i = 0; i < h->decisions.n; i++) {
        const lt_json *v = h->decisions.v[i], *dv = lt_json_get(v, "decision");
        lt_dose_decided *x = &d.dec[i];
        x->cycle = doc_cycle(v);
        x->date = lt__get_date(v, "date");
        x->first_due = lt__get_date(v, "first_due");
        if (!lt_dose_action_parse(decision_action(v), &x->action))
            x->action = LT_DOSE_UNDETERMINED;
        x->activity_mbq = lt_json_get_num(dv, "activity_mbq", 0);
        for (const lt_json *t = lt_json_first(lt_json_get(dv, "toxic"));
             t && x->ntoxic < LT_DOSEMOD_MAX_IDS; t = lt_json_next(t))
            if (lt_json_str(t))
                snprintf(x->toxic[x->ntoxic++], LT_DOSEMOD_ID_MAX, "%s", lt_json_str(t));
    }
    for (size_t i = 0; i < h->admins.n; i++) {
        const lt_json *v = h->admins.v[i];
        lt_dose_given *g = &d.given[i];
        g->cycle = doc_cycle(v);
        g->date = lt__get_date(v, "date");
        if (!lt_dose_action_parse(lt_json_get_str(v, "decision", ""), &g->decided))
            g->decided = LT_DOSE_UNDETERMINED;
        g->administered_mbq =
            lt_json_get_num(lt_json_get(v, "result"), "administered_mbq", NAN);
    }
    lt_status rc = LT_OK;
    for (size_t i = 0; rc == LT_OK && i < h->aes.n; i++)
        rc = lt_adverse_event_from_json(h->aes.v[i], h->aes.id[i], &d.aes[i], err);
    if (rc != LT_OK) {
        dose_history_free(&d);
        return rc;
    }
    /* a recorded profile wins; what it does not say comes from the screened facts */
    const lt_json *pf = h->profile.n ? h->profile.v[0] : NULL;
    const char *sex = NULL;
    lt_date birth = LT_DATE_NONE;
    lt__demographics_pick(pf, scr, &birth, &sex);
    if (!sex) sex = "";
    double weight = lt_json_get_num(pf, "weight_kg", NAN);
    if (isnan(weight)) weight = lt__screened_weight_kg(scr);
    d.h = (lt_dose_history){d.labs, nl + h->labs.n, d.dec, h->decisions.n, d.given, h->admins.n,
                            d.aes, h->aes.n, birth,
                            !strcmp(sex, "female") ? LT_SEX_FEMALE
                            : !strcmp(sex, "male") ? LT_SEX_MALE
                                                   : LT_SEX_UNKNOWN,
                            weight, LAB_WINDOW_DAYS};
    *out = d;
    return LT_OK;
}

/* The patient's prior PRRT as the screening stored at enrolment saw it: every "prrt"
 * treatment in the evidence of any criterion, once per source (the same fact is evidence of
 * several criteria), in MBq. A cycle without an activity is an error, not a silent gap. */
static lt_status prior_prrt(lt_conduct *c, const lt__txn *x, lt_ledger *l, lt_error *err)
{
    if (!x->d.last_screening)
        LT_FAIL(err, LT_ESTATE, x->d.id, "no screening stored for %s: prior PRRT unknown", x->d.id);
    lt_record *r = NULL;
    lt_json *j = NULL;
    lt_status rc = lt_store_get(lt_trial_store(c->t), "screening", x->d.last_screening, &r, err);
    if (rc == LT_OK) rc = lt_json_parse(r->data, strlen(r->data), x->d.last_screening, &j, err);
    const lt_json *crit = lt_json_get(lt_json_get(j, "result"), "criteria");
    for (const lt_json *cr = lt_json_first(crit); rc == LT_OK && cr; cr = lt_json_next(cr))
        for (const lt_json *e = lt_json_first(lt_json_get(cr, "evidence")); rc == LT_OK && e;
             e = lt_json_next(e)) {
            if (strcmp(lt_json_get_str(e, "concept", ""), "prrt") ||
                strcmp(lt_json_get_str(e, "kind", ""), "treatment"))
                continue;
            const char *src = lt_json_get_str(e, "source", "screening");
            const char *unit = lt_json_get_str(e, "unit", "");
            double v = lt_json_get_num(e, "value", NAN);
            bool dup = false;
            for (size_t i = 0; i < lt_ledger_count(l); i++)
                dup = dup || !strcmp(lt_ledger_at(l, i)->source, src);
            if (dup) continue;
            if (!isfinite(v) || strcmp(unit, "MBq"))
                rc = lt_error_set(err, LT_ESTATE, src,
                                  "prior PRRT of %s on %s has no activity in MBq (found %s%s): "
                                  "the protocol's cumulative limit counts prior PRRT and cannot "
                                  "be checked; correct the screening data",
                                  x->d.id, lt_json_get_str(e, "date", "an unknown date"),
                                  isfinite(v) ? "unit " : "no value", isfinite(v) ? unit : "");
            else {
                lt_ledger_entry en;
                memset(&en, 0, sizeof en);
                en.date = lt__get_date(e, "date");
                en.activity_mbq = v;
                en.prior = true;
                snprintf(en.source, sizeof en.source, "%s", src);
                rc = lt_ledger_add(l, &en, err);
            }
        }
    lt_json_free(j);
    lt_record_free(r);
    return rc;
}

/* The cumulative activity after `activity` more for `cycle` (what: "planned" for a decision,
 * "this administration"), against the protocol's limit. Over the limit: LT_ECONFLICT with the
 * arithmetic, unless acknowledged (an investigator's deviation record allowing it, where the
 * protocol lets one: *over then says so and arithmetic holds the sum). */
static lt_status cumulative_check(lt_conduct *c, const lt__txn *x, const history *h, int cycle,
                                  double activity, const char *what, bool acknowledged,
                                  char *arith, size_t size, bool *over, lt_error *err)
{
    const lt_dosing_plan *p = &c->plan;
    double limit = isfinite(p->cumulative_limit_mbq)
                       ? p->cumulative_limit_mbq
                       : p->cycles * p->activity_mbq * (1 + p->rules.tolerance);
    lt_ledger *l = NULL;
    lt_status rc = lt_ledger_new(x->d.id, &l, err);
    if (rc == LT_OK && p->includes_prior_prrt) rc = prior_prrt(c, x, l, err);
    for (size_t i = 0; rc == LT_OK && i < h->admins.n; i++) {
        if (doc_cycle(h->admins.v[i]) == cycle) continue;
        lt_ledger_entry en;
        memset(&en, 0, sizeof en);
        en.date = lt__get_date(h->admins.v[i], "date");
        en.cycle = doc_cycle(h->admins.v[i]);
        en.activity_mbq =
            lt_json_get_num(lt_json_get(h->admins.v[i], "result"), "administered_mbq", 0);
        snprintf(en.source, sizeof en.source, "%s", h->admins.id[i]);
        rc = lt_ledger_add(l, &en, err);
    }
    if (rc != LT_OK) {
        lt_ledger_free(l);
        return rc;
    }
    /* "4 x 8000 MBq prior + 7480 + 7400 planned = 46880 MBq > 45880 MBq limit" */
    lt_buf b = LT_BUF_INIT;
    size_t nprior = 0;
    bool same = true;
    double first = 0;
    for (size_t i = 0; i < lt_ledger_count(l); i++) {
        const lt_ledger_entry *e = lt_ledger_at(l, i);
        if (!e->prior) continue;
        if (!nprior++) first = e->activity_mbq;
        same = same && fabs(e->activity_mbq - first) < 0.5;
    }
    if (nprior > 1 && same)
        lt_buf_printf(&b, "%zu x %.0f MBq prior", nprior, first);
    else if (nprior)
        for (size_t i = 0, k = 0; i < lt_ledger_count(l); i++)
            if (lt_ledger_at(l, i)->prior)
                lt_buf_printf(&b, "%s%.0f", k++ ? " + " : "", lt_ledger_at(l, i)->activity_mbq);
    if (nprior && !(nprior > 1 && same)) lt_buf_puts(&b, " MBq prior");
    for (size_t i = 0; i < lt_ledger_count(l); i++)
        if (!lt_ledger_at(l, i)->prior)
            lt_buf_printf(&b, "%s%.0f", b.n ? " + " : "",
                          lt_ledger_at(l, i)->activity_mbq);
    double total = lt_ledger_total(l) + activity;
    bool ok = lt_ledger_allows(l, activity, limit, NULL);
    lt_buf_printf(&b, "%s%.0f %s = %.0f MBq %s %.0f MBq limit", b.n ? " + " : "",
                  activity, what, total, ok ? "<=" : ">", limit);
    snprintf(arith, size, "%s", lt_buf_failed(&b) ? "(out of memory)" : lt_buf_str(&b));
    lt_buf_free(&b);
    lt_ledger_free(l);
    *over = !ok;
    if (ok || acknowledged) return LT_OK;
    LT_FAIL(err, LT_ECONFLICT, "cumulative_limit_mbq",
            "cycle %d of %s would pass the protocol's cumulative limit: %s%s%s", cycle, x->d.id,
            arith, p->includes_prior_prrt ? " (the limit counts prior PRRT)" : "",
            p->cumulative_acknowledgeable
                ? "; an investigator may acknowledge it as a deviation with a reason"
                : "");
}

#define K_DEVIATION "dose_deviation" /* PATIENT/Cnn: an investigator's acknowledged deviation */

/* The stored id of a decision document of h ("P1/C02/003"). */
static const char *decision_id(const history *h, const lt_json *dec)
{
    for (size_t i = 0; dec && i < h->decisions.n; i++)
        if (h->decisions.v[i] == dec) return h->decisions.id[i];
    return NULL;
}

/* The deviation an investigator acknowledged for a cycle, if any (*out owned, NULL: none). */
static lt_status deviation_of(lt_conduct *c, const char *patient, int cycle, lt_json **out,
                              lt_error *err)
{
    char id[LT_CONDUCT_ID_MAX];
    snprintf(id, sizeof id, "%s/C%02d", patient, cycle);
    *out = NULL;
    lt_record *r = NULL;
    lt_status rc = lt_store_get(lt_trial_store(c->t), K_DEVIATION, id, &r, err);
    if (rc == LT_ENOTFOUND) return LT_OK;
    if (rc == LT_OK) rc = lt_json_parse(r->data, strlen(r->data), id, out, err);
    lt_record_free(r);
    return rc;
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
    /* an arm on an oral drug has no cycles: say which records it takes instead */
    const lt_oral_spec *oral = lt__conduct_oral(c, x->d.arm);
    if (oral)
        LT_FAIL(err, LT_EINVAL, "cycle",
                "arm %s of patient %s takes %s, an oral drug taken continuously, not in cycles: "
                "decide without a cycle, and record its start, dose changes, interruptions, "
                "resumption, stop, dispensing and returns as oral-drug records",
                x->d.arm, x->d.id, oral->name);
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
    if (rc == LT_OK && h.profile.n == 0 && h.screened.n == 0)
        rc = lt_error_set(err, LT_ESTATE, patient,
                          "no profile for %s: the renal rule needs age, sex and weight "
                          "('lutetia record profile')",
                          patient);
    lt_dosemod_decision dec;
    lt_date first_due = LT_DATE_NONE;
    /* decisions of a cycle are taken in date order: an earlier date would decide on a history
     * that already holds later facts */
    const lt_json *latest = last_decision(&h, cycle);
    if (rc == LT_OK && latest && lt__get_date(latest, "date") > date)
        rc = lt_error_set(err, LT_ESTATE, "--date",
                          "cycle %d of %s was decided on %s: a decision dated %s would come "
                          "before it",
                          cycle, patient, lt_json_get_str(latest, "date", "?"),
                          lt_date_format(date, (char[LT_DATE_STR_MAX]){0}));
    dose_history dh;
    if (rc == LT_OK) rc = dose_history_load(&h, &dh, err);
    if (rc == LT_OK) {
        rc = lt_dosemod_decide_history(c->rules, c->ctcae, &dh.h, cycle, date, target, &dec,
                                       &first_due, err);
        dose_history_free(&dh);
    }
    /* a decision to give must leave the patient within the protocol's cumulative limit */
    if (rc == LT_OK && (dec.action == LT_DOSE_GIVE_FULL || dec.action == LT_DOSE_GIVE_REDUCED)) {
        char arith[LT_ERROR_MESSAGE_MAX / 2];
        bool over = false;
        rc = cumulative_check(c, &x, &h, cycle, dec.activity_mbq, "planned",
                              c->plan.cumulative_acknowledgeable, arith, sizeof arith, &over, err);
        if (rc == LT_OK && over && dec.nreasons < LT_DOSEMOD_MAX_REASONS) {
            lt_dosemod_reason *r = &dec.reasons[dec.nreasons++];
            snprintf(r->rule, sizeof r->rule, "cumulative_limit");
            snprintf(r->text, sizeof r->text,
                     "%s: the administration needs an investigator's acknowledgement of the "
                     "deviation, as the protocol allows",
                     arith);
        }
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
    lt_json *dev_doc = NULL;
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
    /* above the decision by more than the tolerance: only as a deviation an investigator
     * acknowledged with a reason, for this decision (a later decision needs a new one) */
    if (rc == LT_OK) rc = deviation_of(c, a->patient, a->cycle, &dev_doc, err);
    const lt_json *dev = dev_doc;
    const char *dec_id = decision_id(&h, dec);
    if (dev && strcmp(lt_json_get_str(dev, "decision", ""), dec_id ? dec_id : "")) dev = NULL;
    double tol = c->plan.rules.tolerance;
    if (rc == LT_OK && res.administered_mbq > decided * (1 + tol) * (1 + 1e-9)) {
        double acked = lt_json_get_num(dev, "activity_mbq", NAN);
        if (!dev || !(res.administered_mbq <= acked * (1 + 1e-9)))
            rc = lt_error_set(err, LT_ECONFLICT, "--before",
                              "the administered activity %.0f MBq is %.1f%% above the decision "
                              "of %s (%s, %.0f MBq), beyond the protocol's tolerance of %.0f%%: "
                              "an investigator must acknowledge it as a deviation with a reason "
                              "first%s",
                              res.administered_mbq, (res.administered_mbq / decided - 1) * 100,
                              lt_json_get_str(dec, "date", "?"), decision_action(dec), decided,
                              tol * 100,
                              dev ? " (the acknowledged deviation allows less)" : "");
    }
    /* cumulative activity: the protocol's limit, prior PRRT included where it says so */
    char arith[LT_ERROR_MESSAGE_MAX / 2];
    bool over = false;
    bool past = false;
    bool cum_acked = dev && c->plan.cumulative_acknowledgeable &&
                     lt_json_bool(lt_json_get(dev, "past_cumulative_limit"), &past) && past;
    if (rc == LT_OK)
        rc = cumulative_check(c, &x, &h, a->cycle, res.administered_mbq, "this administration",
                              cum_acked, arith, sizeof arith, &over, err);
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
    lt_json_free(dev_doc);
    history_free(&h);
    rc = lt__txn_end(&x, rc, err);
    if (rc == LT_OK && out) *out = res;
    return rc;
}

lt_status lt_conduct_dose_deviation(lt_conduct *c, const char *patient, int cycle,
                                    double activity_mbq, bool past_cumulative_limit,
                                    const char *reason, lt_error *err)
{
    lt_status rc = lt__conduct_allow(c, LT_CONDUCT_DECIDE, "acknowledge dose deviations", err);
    if (rc != LT_OK) return rc;
    /* the rule: an investigator, not the nuclear-medicine staff giving the dose */
    if (c->t->role != LT_ROLE_INVESTIGATOR)
        LT_FAIL(err, LT_EPERM, c->t->user,
                "only an investigator may acknowledge a dose deviation; '%s' is %s", c->t->user,
                lt_role_name(c->t->role));
    if (cycle < 1 || cycle > LT_DOSE_MAX_CYCLES)
        LT_FAIL(err, LT_EINVAL, "--cycle", "a cycle from 1 to %d is needed", LT_DOSE_MAX_CYCLES);
    if (!(activity_mbq > 0) || !isfinite(activity_mbq))
        LT_FAIL(err, LT_EINVAL, "--activity", "expected a positive activity in MBq");
    if (!reason || !reason[0])
        LT_FAIL(err, LT_EINVAL, "--reason", "a deviation needs its reason");
    lt__txn x;
    rc = lt__txn_begin(&x, c, patient, LT_STATE_RANDOMISED, err);
    if (rc != LT_OK) return rc;
    history h;
    rc = history_load(c, patient, &h, err);
    if (rc != LT_OK) return lt__txn_end(&x, rc, err);
    const lt_json *dec = last_decision(&h, cycle);
    const lt_json *given = admin_of(&h, cycle);
    if (!dec || !is_give(decision_action(dec)))
        rc = lt_error_set(err, LT_ESTATE, "--cycle",
                          "cycle %d of %s has no decision to give (%s): there is nothing to "
                          "deviate from",
                          cycle, patient, dec ? decision_action(dec) : "no decision");
    else if (given)
        rc = lt_error_set(err, LT_ESTATE, "--cycle", "cycle %d of %s was given on %s", cycle,
                          patient, lt_json_get_str(given, "date", "?"));
    if (rc == LT_OK) {
        char id[LT_CONDUCT_ID_MAX];
        snprintf(id, sizeof id, "%s/C%02d", patient, cycle);
        lt_buf b = LT_BUF_INIT;
        lt_buf_puts(&b, "{\"patient\":");
        lt_buf_json_str(&b, patient);
        lt_buf_printf(&b, ",\"cycle\":%d,\"decision\":", cycle);
        lt_buf_json_str(&b, decision_id(&h, dec));
        lt_buf_puts(&b, ",\"activity_mbq\":");
        lt_buf_json_num(&b, activity_mbq);
        lt_buf_printf(&b, ",\"past_cumulative_limit\":%s,\"investigator\":",
                      past_cumulative_limit ? "true" : "false");
        lt_buf_json_str(&b, c->t->user);
        lt_buf_puts(&b, ",\"reason\":");
        lt_buf_json_str(&b, reason);
        lt_buf_putc(&b, '}');
        /* a second acknowledgement replaces the first; the reason is the audit's too */
        rc = lt__txn_put(&x, K_DEVIATION, id, NULL, &b, "dose_deviation", reason, err);
        lt_buf_free(&b);
    }
    history_free(&h);
    return lt__txn_end(&x, rc, err);
}
