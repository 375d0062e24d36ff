/* Data entered once, read back: the facts a screening stored with the patient (record kind
 * "patient_data", src/trial/patient_data.c) give the dose rules their birth date, sex and
 * weight and the calendar its anchor dates (a liver resection among the procedures) until a
 * coordinator records them with `record profile` / `record anchor`, which then win. */
#include <math.h>
#include <string.h>
#include "conduct_int.h"

/* The latest dated fact of code in the array member of the stored document (NULL: none). */
static const lt_json *latest(const lt_json *doc, const char *member, const char *code)
{
    const lt_json *best = NULL;
    lt_date bd = LT_DATE_NONE;
    for (const lt_json *f = lt_json_first(lt_json_get(doc, member)); f; f = lt_json_next(f)) {
        if (strcmp(lt_json_get_str(f, "code", ""), code)) continue;
        lt_date d = lt__get_date(f, "date");
        if (!best || (d != LT_DATE_NONE && (bd == LT_DATE_NONE || d >= bd))) best = f, bd = d;
    }
    return best;
}

lt_date lt__screened_birth_date(const lt_json *doc)
{
    return doc ? lt__get_date(doc, "birth_date") : LT_DATE_NONE;
}

const char *lt__screened_sex(const lt_json *doc)
{
    return lt_json_get_str(doc, "sex", "");
}

double lt__screened_weight_kg(const lt_json *doc)
{
    const lt_json *w = latest(doc, "vitals", "weight");
    /* the writer stores vitals in the canonical unit, kg for weight */
    if (!w || strcmp(lt_json_get_str(w, "unit", ""), "kg")) return NAN;
    return lt_json_get_num(w, "value", NAN);
}

lt_date lt__screened_procedure(const lt_json *doc, const char *code)
{
    const lt_json *p = latest(doc, "procedures", code);
    return p ? lt__get_date(p, "date") : LT_DATE_NONE;
}

void lt__demographics_pick(const lt_json *profile, const lt_json *screened, lt_date *birth,
                           const char **sex)
{
    /* a recorded profile (a correction, with its reason) wins; what it does not say comes from
     * the facts stored at screening, so that nothing screened is entered twice */
    const char *s = lt_json_get_str(profile, "sex", NULL);
    if (!s || !*s) s = lt__screened_sex(screened);
    *sex = !strcmp(s, "female") ? "female" : !strcmp(s, "male") ? "male" : NULL;
    *birth = profile ? lt__get_date(profile, "birth_date") : LT_DATE_NONE;
    if (*birth == LT_DATE_NONE) *birth = lt__screened_birth_date(screened);
}
