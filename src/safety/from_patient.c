/* The inputs of a dose decision gathered from a patient's facts: the latest laboratory results
 * before the due cycle and at baseline with their reference ranges, and the age, weight and sex
 * that Cockcroft-Gault needs. */
#include <math.h>
#include <string.h>
#include "lutetia/safety.h"

/* The latest usable lab results of each analyte dated in [from, to]; returns the count. */
static size_t latest_labs(const lt_patient *p, lt_date from, lt_date to, lt_lab *out,
                          size_t max, lt_date *dates)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nfacts; i++) {
        const lt_fact *f = &p->facts[i];
        if (f->kind != LT_FACT_LAB || f->problem != LT_FACT_OK || !f->has_value ||
            f->comparator || f->date == LT_DATE_NONE || f->date < from || f->date > to)
            continue;
        size_t k = 0;
        while (k < n && strcmp(out[k].analyte, f->code)) k++;
        if (k == n) {
            if (n == max) continue;
            n++;
            dates[k] = LT_DATE_NONE;
        }
        double lln = f->has_low ? f->low : NAN, uln = f->has_high ? f->high : NAN;
        if (dates[k] == f->date) {
            /* a second result the same day: a different value makes the day's value unknown */
            if (out[k].value != f->value) out[k].value = NAN;
            if (isnan(out[k].lln)) out[k].lln = lln;
            if (isnan(out[k].uln)) out[k].uln = uln;
        } else if (dates[k] == LT_DATE_NONE || f->date > dates[k]) {
            dates[k] = f->date;
            out[k] = (lt_lab){f->code, f->value, lln, uln};
        }
    }
    return n;
}

/* The latest weight on or before `on`, NAN when none. */
static double weight_on(const lt_patient *p, lt_date on)
{
    double w = NAN;
    lt_date best = LT_DATE_NONE;
    for (size_t i = 0; i < p->nfacts; i++) {
        const lt_fact *f = &p->facts[i];
        if (f->kind != LT_FACT_VITAL || strcmp(f->code, "weight") || !f->has_value ||
            f->problem != LT_FACT_OK || f->date == LT_DATE_NONE || f->date > on)
            continue;
        if (best == LT_DATE_NONE || f->date >= best) {
            best = f->date;
            w = f->value;
        }
    }
    return w;
}

void lt_dosemod_input_from_patient(const lt_patient *p, int lab_window_days,
                                   lt_date baseline_date, lt_lab *labs, lt_lab *baseline,
                                   size_t max, lt_dosemod_input *in)
{
    lt_date dates[64];
    if (max > 64) max = 64;
    lt_date d = in->decision_date;
    in->labs = labs;
    in->nlabs = d == LT_DATE_NONE ? 0 : latest_labs(p, d - lab_window_days, d, labs, max, dates);
    in->baseline = baseline;
    in->nbaseline = baseline_date == LT_DATE_NONE
                        ? 0
                        : latest_labs(p, INT32_MIN + 1, baseline_date, baseline, max, dates);
    in->sex = p->sex;
    in->age_years = p->birth_date != LT_DATE_NONE && d != LT_DATE_NONE
                        ? (double)lt_date_age_years(p->birth_date, d)
                        : NAN;
    in->baseline_age_years = p->birth_date != LT_DATE_NONE && baseline_date != LT_DATE_NONE
                                 ? (double)lt_date_age_years(p->birth_date, baseline_date)
                                 : NAN;
    in->weight_kg = d != LT_DATE_NONE ? weight_on(p, d) : NAN;
    in->baseline_weight_kg = baseline_date != LT_DATE_NONE ? weight_on(p, baseline_date) : NAN;
}
