/* The dose decision as a function of the patient's whole history: which labs count on a
 * given day, whether this cycle was ever withheld, whether the last dose given was reduced
 * and whether the toxicity came back after it. The label's Table 1 (DOMAIN.md) reads this
 * way: "withhold ... resume at 3.7 GBq; if the reduced dose does not result in [the
 * toxicity], administer 7.4 GBq for the next dose". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia/safety.h"

#define MAX_LABS 64

/* The latest result of each analyte dated in [from, to] (weight excluded): on the same date
 * the later entry wins, as the store keeps them in id (recording) order. */
static size_t latest_labs(const lt_dose_history *h, lt_date from, lt_date to, lt_lab *labs,
                          size_t max)
{
    lt_date when[MAX_LABS];
    size_t n = 0;
    if (max > MAX_LABS) max = MAX_LABS;
    for (size_t i = 0; i < h->nlabs; i++) {
        const lt_dose_lab_at *l = &h->labs[i];
        const char *a = l->lab.analyte;
        if (!a || l->date == LT_DATE_NONE || l->date < from || l->date > to ||
            !strcmp(a, "weight"))
            continue;
        size_t k = 0;
        while (k < n && strcmp(labs[k].analyte, a))
            k++;
        if (k == n) {
            if (n == max) continue;
            n++;
        } else if (l->date < when[k]) {
            continue;
        }
        labs[k] = l->lab;
        when[k] = l->date;
    }
    return n;
}

static double weight_on(const lt_dose_history *h, lt_date d)
{
    double w = NAN;
    lt_date at = LT_DATE_NONE;
    for (size_t i = 0; i < h->nlabs; i++) {
        const lt_dose_lab_at *l = &h->labs[i];
        if (l->lab.analyte && !strcmp(l->lab.analyte, "weight") && l->date <= d &&
            (at == LT_DATE_NONE || l->date >= at)) {
            w = l->lab.value;
            at = l->date;
        }
    }
    return isfinite(w) ? w : h->weight_kg;
}

static const lt_dose_given *given_of(const lt_dose_history *h, int cycle)
{
    const lt_dose_given *g = NULL;
    for (size_t i = 0; i < h->ngiven; i++)
        if (h->given[i].cycle == cycle) g = &h->given[i];
    return g;
}

/* What every input shares: labs as of day d, baseline, age, sex, weight, events. */
static void input_on(const lt_dose_history *h, lt_date from, lt_date d, lt_date bdate,
                     lt_lab *labs, lt_lab *base, lt_dosemod_input *in)
{
    lt_dosemod_input_init(in);
    in->decision_date = in->first_due = d;
    in->labs = labs;
    if (from < d - h->lab_window_days) from = d - h->lab_window_days;
    in->nlabs = latest_labs(h, from, d, labs, MAX_LABS);
    in->baseline = base;
    in->nbaseline = latest_labs(h, INT32_MIN + 1, bdate, base, MAX_LABS);
    in->age_years = h->birth_date != LT_DATE_NONE ? lt_date_age_years(h->birth_date, d) : NAN;
    in->baseline_age_years =
        h->birth_date != LT_DATE_NONE ? lt_date_age_years(h->birth_date, bdate) : NAN;
    in->sex = h->sex;
    in->weight_kg = weight_on(h, d);
    in->baseline_weight_kg = h->weight_kg;
    in->events = h->events;
    in->nevents = h->nevents;
}

static bool listed(const lt_dosemod_input *in, const char *id)
{
    if (in->nreduced_for == 0) return true; /* the history does not say why: any counts */
    for (size_t i = 0; i < in->nreduced_for; i++)
        if (!strcmp(in->reduced_for[i], id)) return true;
    return false;
}

lt_status lt_dosemod_decide_history(const lt_dosemod_rules *rules, const lt_ctcae_table *ctcae,
                                    const lt_dose_history *h, int cycle, lt_date date,
                                    lt_date target, lt_dosemod_decision *out, lt_date *first_due,
                                    lt_error *err)
{
    if (!rules || !ctcae || !h)
        LT_FAIL(err, LT_EINVAL, "", "the dose decision needs its rules, the CTCAE table and history");
    if (cycle < 1) LT_FAIL(err, LT_EINVAL, "cycle", "expected a cycle of 1 or more, found %d", cycle);
    if (date == LT_DATE_NONE) LT_FAIL(err, LT_EINVAL, "date", "expected the date of the decision");
    lt_lab labs[MAX_LABS], base[MAX_LABS];
    char recurred[LT_DOSEMOD_ID_MAX] = "";
    const lt_dose_given *first = given_of(h, 1);
    lt_date bdate = first && first->date != LT_DATE_NONE && first->date <= date ? first->date : date;
    lt_dosemod_input in;
    input_on(h, INT32_MIN + 1, date, bdate, labs, base, &in);

    /* this cycle: withheld by any of its decisions, first due on its first decision's day */
    lt_date due = LT_DATE_NONE;
    bool seen = false;
    for (size_t i = 0; i < h->ndecisions; i++) {
        const lt_dose_decided *d = &h->decisions[i];
        if (d->cycle != cycle) continue;
        if (!seen) due = d->first_due != LT_DATE_NONE ? d->first_due : d->date;
        seen = true;
        if (d->action == LT_DOSE_WITHHOLD) in.withheld = true;
    }
    if (due == LT_DATE_NONE) due = target != LT_DATE_NONE && target < date ? target : date;
    if (due > date) due = date;
    in.first_due = due;

    /* the previous dose: reduced by its decision, or by what was actually given */
    const lt_dose_given *prev = cycle > 1 ? given_of(h, cycle - 1) : NULL;
    double mid = (lt_dosemod_full_mbq(rules) + lt_dosemod_reduced_mbq(rules)) / 2;
    if (prev && (prev->decided == LT_DOSE_GIVE_REDUCED || prev->administered_mbq < mid)) {
        in.last_dose_reduced = true;
        /* why: the withhold decisions of the latest withheld cycle up to the previous one */
        for (int c = cycle - 1; c >= 1 && in.nreduced_for == 0; c--)
            for (size_t i = 0; i < h->ndecisions; i++) {
                const lt_dose_decided *d = &h->decisions[i];
                if (d->cycle != c || d->action != LT_DOSE_WITHHOLD) continue;
                for (size_t t = 0; t < d->ntoxic; t++) {
                    bool dup = false;
                    for (size_t k = 0; k < in.nreduced_for; k++)
                        dup = dup || !strcmp(in.reduced_for[k], d->toxic[t]);
                    if (!dup && in.nreduced_for < LT_DOSEMOD_MAX_IDS)
                        in.reduced_for[in.nreduced_for++] = d->toxic[t];
                }
            }
        /* every lab day after the reduced dose, up to today: did the toxicity come back? */
        for (size_t i = 0; i < h->nlabs && !in.recurred_for; i++) {
            lt_date d = h->labs[i].date;
            if (d == LT_DATE_NONE || d <= prev->date || d >= date) continue;
            bool seen_day = false; /* one evaluation per lab day, not per result */
            for (size_t j = 0; j < i && !seen_day; j++)
                seen_day = h->labs[j].date == d;
            if (seen_day) continue;
            lt_lab l2[MAX_LABS], b2[MAX_LABS];
            lt_dosemod_input then;
            /* only results after the dose: an older one cannot show what it resulted in */
            input_on(h, prev->date + 1, d, bdate, l2, b2, &then);
            lt_dosemod_decision was;
            lt_status st = lt_dosemod_decide(rules, ctcae, &then, &was, err);
            if (st != LT_OK) return st;
            for (size_t t = 0; t < was.ntoxic && !in.recurred_for; t++)
                if (listed(&in, was.toxic[t])) {
                    snprintf(recurred, sizeof recurred, "%s", was.toxic[t]);
                    in.recurred_for = recurred;
                    in.recurred_on = d;
                }
        }
    }
    lt_status st = lt_dosemod_decide(rules, ctcae, &in, out, err);
    if (st == LT_OK && first_due) *first_due = due;
    return st;
}
