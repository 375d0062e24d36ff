/* A dose-decision request read from JSON: the labs before the due cycle and at baseline (in any
 * accepted unit, converted to the canonical one), the patient's age, sex and weight, the
 * history of earlier decisions and the adverse events, owned together so that the borrowed
 * pointers of lt_dosemod_input stay valid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../dosing/dosing_internal.h"
#include "lutetia/safety.h"

#define MAX_LABS 64
#define MAX_EVENTS 64

struct lt_dosemod_request {
    lt_dosemod_input in;
    char analytes[2][MAX_LABS][LT_DOSEMOD_ID_MAX];
    lt_lab labs[MAX_LABS], baseline[MAX_LABS];
    char reduced[LT_DOSEMOD_MAX_IDS][LT_DOSEMOD_ID_MAX];
    lt_adverse_event events[MAX_EVENTS];
};

void lt_dosemod_request_free(lt_dosemod_request *r)
{
    free(r);
}

const lt_dosemod_input *lt_dosemod_request_input(const lt_dosemod_request *r)
{
    return &r->in;
}

static lt_status get_date(const lt_json *v, const char *key, const char *src, bool required,
                          lt_date *out, lt_error *err)
{
    const lt_json *m = lt_json_get(v, key);
    *out = LT_DATE_NONE;
    char where[LT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "%s: %s", src, key);
    if (!m || lt_json_is_null(m)) {
        if (required) LT_FAIL(err, LT_ESCHEMA, where, "expected a date YYYY-MM-DD");
        return LT_OK;
    }
    if (!lt_json_str(m) || !lt_date_parse(lt_json_str(m), false, out))
        LT_FAIL(err, LT_ESCHEMA, where, "expected a date YYYY-MM-DD, found %s",
                lt_json_str(m) ? lt_json_str(m) : "another type");
    return LT_OK;
}

static lt_status read_labs(const lt_json *arr, const char *src, const char *key,
                           char names[][LT_DOSEMOD_ID_MAX], lt_lab *labs, size_t *n, lt_error *err)
{
    char where[LT_ERROR_WHERE_MAX];
    *n = 0;
    if (!arr || lt_json_is_null(arr)) return LT_OK;
    if (!lt_json_is_array(arr) || lt_json_size(arr) > MAX_LABS) {
        snprintf(where, sizeof where, "%s: %s", src, key);
        LT_FAIL(err, LT_ESCHEMA, where, "expected an array of at most %d lab results", MAX_LABS);
    }
    size_t i = 0;
    for (const lt_json *e = lt_json_first(arr); e; e = lt_json_next(e), i++) {
        snprintf(where, sizeof where, "%s: %s[%zu]", src, key, i);
        const char *analyte = lt_json_get_str(e, "analyte", NULL);
        const char *unit = lt_json_get_str(e, "unit", NULL);
        if (!analyte || strlen(analyte) >= LT_DOSEMOD_ID_MAX)
            LT_FAIL(err, LT_ESCHEMA, where, "expected \"analyte\": a lab concept (platelets, ...)");
        if (!lt_units_canonical(analyte))
            LT_FAIL(err, LT_ESCHEMA, where, "\"%s\" is not a lab concept Lutetia knows", analyte);
        if (!unit) LT_FAIL(err, LT_ESCHEMA, where, "expected \"unit\" for %s", analyte);
        double raw[3];
        lt_status st;
        if ((st = lt__dose_get_num(e, "value", where, &raw[0], err)) ||
            (st = lt__dose_get_num(e, "lln", where, &raw[1], err)) ||
            (st = lt__dose_get_num(e, "uln", where, &raw[2], err)))
            return st;
        if (isnan(raw[0])) LT_FAIL(err, LT_ESCHEMA, where, "expected a number in \"value\"");
        double conv[3];
        for (int k = 0; k < 3; k++) {
            conv[k] = NAN;
            if (!isnan(raw[k]) && !lt_units_convert(analyte, raw[k], unit, &conv[k]))
                LT_FAIL(err, LT_ESCHEMA, where,
                        "cannot convert %s from '%s' to its unit %s (docs/patient-format.md "
                        "lists the accepted units)",
                        analyte, unit, lt_units_canonical(analyte));
        }
        snprintf(names[i], LT_DOSEMOD_ID_MAX, "%s", analyte);
        labs[i] = (lt_lab){names[i], conv[0], conv[1], conv[2]};
        *n = i + 1;
    }
    return LT_OK;
}

lt_status lt_dosemod_request_from_json(const lt_json *v, const char *source,
                                       lt_dosemod_request **out, lt_error *err)
{
    const char *src = source ? source : "<request>";
    char where[LT_ERROR_WHERE_MAX];
    if (!lt_json_is_object(v)) LT_FAIL(err, LT_ESCHEMA, src, "expected a decision request object");
    lt_dosemod_request *r = calloc(1, sizeof *r);
    if (!r) LT_FAIL(err, LT_ENOMEM, src, "out of memory");
    lt_dosemod_input *in = &r->in;
    lt_dosemod_input_init(in);
    lt_status st;
    const lt_json *p = lt_json_get(v, "patient"), *h = lt_json_get(v, "history");
    const lt_json *evs = lt_json_get(v, "adverse_events");
    char psrc[LT_ERROR_WHERE_MAX], hsrc[LT_ERROR_WHERE_MAX];
    snprintf(psrc, sizeof psrc, "%s: patient", src);
    snprintf(hsrc, sizeof hsrc, "%s: history", src);
    if ((st = get_date(v, "decision_date", src, true, &in->decision_date, err)) ||
        (st = get_date(v, "first_due", src, false, &in->first_due, err)) ||
        (st = read_labs(lt_json_get(v, "labs"), src, "labs", r->analytes[0], r->labs, &in->nlabs,
                        err)) ||
        (st = read_labs(lt_json_get(v, "baseline"), src, "baseline", r->analytes[1], r->baseline,
                        &in->nbaseline, err)) ||
        (st = lt__dose_get_num(p, "age", psrc, &in->age_years, err)) ||
        (st = lt__dose_get_num(p, "weight_kg", psrc, &in->weight_kg, err)) ||
        (st = lt__dose_get_num(p, "baseline_weight_kg", psrc, &in->baseline_weight_kg, err)) ||
        (st = lt__dose_get_num(p, "baseline_age", psrc, &in->baseline_age_years, err)) ||
        (st = lt__dose_get_bool(h, "withheld", hsrc, &in->withheld, err)) ||
        (st = lt__dose_get_bool(h, "last_dose_reduced", hsrc, &in->last_dose_reduced, err)))
        goto fail;
    in->labs = r->labs;
    in->baseline = r->baseline;
    const char *sex = lt_json_get_str(p, "sex", NULL);
    if (sex) {
        if (!strcmp(sex, "female"))
            in->sex = LT_SEX_FEMALE;
        else if (!strcmp(sex, "male"))
            in->sex = LT_SEX_MALE;
        else if (!strcmp(sex, "other"))
            in->sex = LT_SEX_OTHER;
        else if (strcmp(sex, "unknown")) {
            snprintf(where, sizeof where, "%.200s: sex", psrc);
            st = lt_error_set(err, LT_ESCHEMA, where,
                              "expected female, male, other or unknown, found \"%s\"", sex);
            goto fail;
        }
    }
    const lt_json *rf = lt_json_get(h, "reduced_for");
    if (rf && (!lt_json_is_array(rf) || lt_json_size(rf) > LT_DOSEMOD_MAX_IDS)) {
        snprintf(where, sizeof where, "%.200s: reduced_for", hsrc);
        st = lt_error_set(err, LT_ESCHEMA, where, "expected an array of at most %d toxicity ids",
                          LT_DOSEMOD_MAX_IDS);
        goto fail;
    }
    for (const lt_json *t = lt_json_first(rf); t; t = lt_json_next(t)) {
        const char *s = lt_json_str(t);
        if (!s || strlen(s) >= LT_DOSEMOD_ID_MAX) {
            snprintf(where, sizeof where, "%.200s: reduced_for[%zu]", hsrc, in->nreduced_for);
            st = lt_error_set(err, LT_ESCHEMA, where, "expected a toxicity id (thrombocytopenia)");
            goto fail;
        }
        snprintf(r->reduced[in->nreduced_for], LT_DOSEMOD_ID_MAX, "%s", s);
        in->reduced_for[in->nreduced_for] = r->reduced[in->nreduced_for];
        in->nreduced_for++;
    }
    if (evs && (!lt_json_is_array(evs) || lt_json_size(evs) > MAX_EVENTS)) {
        snprintf(where, sizeof where, "%s: adverse_events", src);
        st = lt_error_set(err, LT_ESCHEMA, where, "expected an array of at most %d events",
                          MAX_EVENTS);
        goto fail;
    }
    for (const lt_json *e = lt_json_first(evs); e; e = lt_json_next(e)) {
        char esrc[LT_ERROR_WHERE_MAX];
        snprintf(esrc, sizeof esrc, "%s: adverse_events[%zu]", src, in->nevents);
        if ((st = lt_adverse_event_from_json(e, esrc, &r->events[in->nevents], err)) != LT_OK)
            goto fail;
        in->nevents++;
    }
    in->events = r->events;
    *out = r;
    return LT_OK;
fail:
    free(r);
    return st;
}
