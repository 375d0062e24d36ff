/* The units table: one canonical unit per analyte and an explicit list of accepted units with
 * the factor that converts each to the canonical one. A unit not listed is not converted: the
 * value is unknown, never guessed (ARCHITECTURE: "Anything else is unknown, not guessed"). */
#include <string.h>
#include <strings.h>
#include "internal.h"

typedef struct analyte {
    const char *code;
    lt_fact_kind kind;
    const char *canonical;
} analyte;

static const analyte analytes[] = {
    {"hemoglobin", LT_FACT_LAB, "g/dL"},
    {"wbc", LT_FACT_LAB, "10^9/L"},
    {"neutrophils", LT_FACT_LAB, "10^9/L"},
    {"lymphocytes", LT_FACT_LAB, "10^9/L"},
    {"platelets", LT_FACT_LAB, "10^9/L"},
    {"creatinine", LT_FACT_LAB, "mg/dL"},
    {"creatinine_clearance", LT_FACT_LAB, "mL/min"},
    {"egfr", LT_FACT_LAB, "mL/min/1.73m2"},
    {"bilirubin", LT_FACT_LAB, "mg/dL"},
    {"alt", LT_FACT_LAB, "U/L"},
    {"ast", LT_FACT_LAB, "U/L"},
    {"albumin", LT_FACT_LAB, "g/dL"},
    {"inr", LT_FACT_LAB, "{ratio}"},
    {"prothrombin_time", LT_FACT_LAB, "s"},
    {"ptt", LT_FACT_LAB, "s"},
    {"glucose_fasting", LT_FACT_LAB, "mg/dL"},
    {"hcg", LT_FACT_LAB, "IU/L"},
    {"weight", LT_FACT_VITAL, "kg"},
    {"height", LT_FACT_VITAL, "cm"},
    {"prrt", LT_FACT_TREATMENT, "MBq"},
};

/* Groups of analytes sharing one table, so that the four cell counts cannot drift apart. */
#define CELLS "|wbc|neutrophils|lymphocytes|platelets|"
#define UL "|alt|ast|"
#define SECONDS "|prothrombin_time|ptt|"

typedef struct unit_row {
    const char *analytes; /* "|a|b|" */
    const char *unit;
    double factor; /* canonical = given * factor */
} unit_row;

static const unit_row rows[] = {
    /* Haemoglobin (DOMAIN.md): g/dL x 10 = g/L; g/dL x 0.6206 = mmol/L (Hb monomer). */
    {"|hemoglobin|", "g/dL", 1},
    {"|hemoglobin|", "g/dl", 1},
    {"|hemoglobin|", "g/L", 0.1},
    {"|hemoglobin|", "g/l", 0.1},
    {"|hemoglobin|", "mmol/L", 1 / 0.6206},
    {"|hemoglobin|", "mmol/l", 1 / 0.6206},
    /* Cell counts (DOMAIN.md): 10^9/L = 10^3/uL = 1000/mm3. UCUM writes 10*3/uL. */
    {CELLS, "10^9/L", 1},
    {CELLS, "10*9/L", 1},
    {CELLS, "10^3/uL", 1},
    {CELLS, "10*3/uL", 1},
    {CELLS, "10^3/mm3", 1},
    {CELLS, "10*3/mm3", 1},
    {CELLS, "K/uL", 1},
    /* spellings laboratory systems print beside UCUM's */
    {CELLS, "x10^3/uL", 1},
    {CELLS, "x10E3/uL", 1},
    {CELLS, "10E3/uL", 1},
    {CELLS, "thou/uL", 1},
    {CELLS, "K/mcL", 1},
    {CELLS, "x10^9/L", 1},
    {CELLS, "x10E9/L", 1},
    {CELLS, "10E9/L", 1},
    {CELLS, "/mcL", 0.001},
    {CELLS, "/nL", 1},
    {CELLS, "10^3/µL", 1},
    {CELLS, "/uL", 0.001},
    {CELLS, "/mm3", 0.001},
    {CELLS, "/µL", 0.001},
    /* Creatinine (DOMAIN.md): mg/dL x 88.4 = umol/L. */
    {"|creatinine|", "mg/dL", 1},
    {"|creatinine|", "mg/dl", 1},
    {"|creatinine|", "umol/L", 1 / 88.4},
    {"|creatinine|", "µmol/L", 1 / 88.4},
    {"|creatinine|", "umol/l", 1 / 88.4},
    {"|creatinine|", "mcmol/L", 1 / 88.4},
    {"|creatinine|", "mmol/L", 1000 / 88.4},
    /* Creatinine clearance: 1 mL/s = 60 mL/min. */
    {"|creatinine_clearance|", "mL/min", 1},
    {"|creatinine_clearance|", "ml/min", 1},
    {"|creatinine_clearance|", "mL/s", 60},
    /* eGFR is per 1.73 m2 of body surface; plain mL/min is another quantity. */
    {"|egfr|", "mL/min/1.73m2", 1},
    {"|egfr|", "mL/min/{1.73_m2}", 1},
    {"|egfr|", "mL/min/1.73 m2", 1},
    {"|egfr|", "mL/min/1.73m^2", 1},
    /* Bilirubin (DOMAIN.md): mg/dL x 17.1 = umol/L. */
    {"|bilirubin|", "mg/dL", 1},
    {"|bilirubin|", "mg/dl", 1},
    {"|bilirubin|", "umol/L", 1 / 17.1},
    {"|bilirubin|", "µmol/L", 1 / 17.1},
    {"|bilirubin|", "umol/l", 1 / 17.1},
    {"|bilirubin|", "mcmol/L", 1 / 17.1},
    /* Enzyme activity: 1 U = 1 umol/min, 1 ukat = 1 umol/s, so 1 ukat/L = 60 U/L. */
    {UL, "U/L", 1},
    {UL, "IU/L", 1},
    {UL, "[IU]/L", 1},
    {UL, "ukat/L", 60},
    {UL, "µkat/L", 60},
    /* Albumin (DOMAIN.md): g/dL x 10 = g/L. */
    {"|albumin|", "g/dL", 1},
    {"|albumin|", "g/dl", 1},
    {"|albumin|", "g/L", 0.1},
    {"|albumin|", "g/l", 0.1},
    /* INR is a ratio without dimension. */
    {"|inr|", "{ratio}", 1},
    {"|inr|", "{INR}", 1},
    {"|inr|", "INR", 1},
    {"|inr|", "ratio", 1},
    {"|inr|", "1", 1},
    {SECONDS, "s", 1},
    {SECONDS, "sec", 1},
    /* Glucose: molar mass 180.16 g/mol, so 1 mmol/L = 18.016 mg/dL. */
    {"|glucose_fasting|", "mg/dL", 1},
    {"|glucose_fasting|", "mg/dl", 1},
    {"|glucose_fasting|", "mmol/L", 18.016},
    {"|glucose_fasting|", "mmol/l", 18.016},
    /* hCG: 1 mIU/mL = 1 IU/L. */
    {"|hcg|", "IU/L", 1},
    {"|hcg|", "[IU]/L", 1},
    {"|hcg|", "mIU/mL", 1},
    {"|hcg|", "m[IU]/mL", 1},
    /* Weight: the international avoirdupois pound is exactly 0.45359237 kg. */
    {"|weight|", "kg", 1},
    {"|weight|", "g", 0.001},
    {"|weight|", "[lb_av]", 0.45359237},
    {"|weight|", "lb", 0.45359237},
    /* Height: the international inch is exactly 2.54 cm. */
    {"|height|", "cm", 1},
    {"|height|", "m", 100},
    {"|height|", "mm", 0.1},
    {"|height|", "[in_i]", 2.54},
    {"|height|", "in", 2.54},
    /* Activity: 1 mCi = 37 MBq exactly. */
    {"|prrt|", "MBq", 1},
    {"|prrt|", "GBq", 1000},
    {"|prrt|", "kBq", 0.001},
    {"|prrt|", "mCi", 37},
};

/* Whether code appears as "|code|" in the list, without building a string. */
static bool in_list(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; (p = strstr(p, code)) != NULL; p++)
        if (p > list && p[-1] == '|' && p[n] == '|') return true;
    return false;
}

static const analyte *find_analyte(const char *code)
{
    if (!code) return NULL;
    for (size_t i = 0; i < sizeof analytes / sizeof analytes[0]; i++)
        if (!strcmp(analytes[i].code, code)) return &analytes[i];
    return NULL;
}

const char *lt__units_analyte(size_t i)
{
    return i < sizeof analytes / sizeof analytes[0] ? analytes[i].code : NULL;
}

const char *lt__units_code(const char *analyte_code)
{
    const analyte *a = find_analyte(analyte_code);
    return a ? a->code : NULL;
}

const char *lt_units_canonical(const char *analyte_code)
{
    const analyte *a = find_analyte(analyte_code);
    return a ? a->canonical : NULL;
}

lt_fact_kind lt__units_kind(const char *analyte_code)
{
    const analyte *a = find_analyte(analyte_code);
    return a ? a->kind : LT_FACT_KIND_COUNT;
}

/* Units matched in their exact case only, never by UCUM's case-insensitive form: SI's giga
 * per litre, as European laboratories print cell counts (G/L = 10^9/L), would there be grams
 * per litre ("g/L" for platelets is a slip, not a count). */
static const unit_row exact_rows[] = {
    {CELLS, "G/L", 1},
};

bool lt_units_convert(const char *analyte_code, double value, const char *unit, double *out)
{
    const analyte *a = find_analyte(analyte_code);
    if (!a || !unit) return false;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strcmp(rows[i].unit, unit) && in_list(rows[i].analytes, analyte_code)) {
            *out = value * rows[i].factor;
            return true;
        }
    for (size_t i = 0; i < sizeof exact_rows / sizeof exact_rows[0]; i++)
        if (!strcmp(exact_rows[i].unit, unit) && in_list(exact_rows[i].analytes, analyte_code)) {
            *out = value * exact_rows[i].factor;
            return true;
        }
    /* UCUM's case-insensitive form ("MG/DL", "K/ul"), for laboratory units only: there no
     * prefix of the table differs from another by case alone. Activity is left exact, where
     * "mBq" (milli) is not "MBq" (mega). Every row matching so must agree on the factor. */
    if (a->kind != LT_FACT_LAB) return false;
    bool found = false;
    double factor = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strcasecmp(rows[i].unit, unit) &&
            in_list(rows[i].analytes, analyte_code)) {
            if (found && rows[i].factor != factor) return false;
            factor = rows[i].factor;
            found = true;
        }
    if (found) *out = value * factor;
    return found;
}

bool lt__convert_limit(const char *analyte_code, double v, const char *unit, double *out)
{
    return lt_units_convert(analyte_code, v, unit, out);
}

bool lt__fact_set_quantity(lt_patient *p, lt_fact *f, double value, const char *unit)
{
    f->given_value = value;
    f->given_unit = unit ? lt__arena_strdup(p, unit) : NULL;
    if (unit && !f->given_unit) return false;
    double v;
    if (lt_units_convert(f->code, value, unit, &v)) {
        f->value = v;
        f->has_value = true;
        f->unit = lt_units_canonical(f->code);
    } else {
        f->has_value = false;
        f->unit = f->given_unit;
        if (f->problem == LT_FACT_OK) f->problem = LT_FACT_UNIT_UNKNOWN;
    }
    return true;
}

int lt__comparator_parse(const char *s)
{
    if (!s || !*s) return 0;
    if (!strcmp(s, "<")) return '<';
    if (!strcmp(s, ">")) return '>';
    if (!strcmp(s, "<=")) return 'l';
    if (!strcmp(s, ">=")) return 'g';
    return -1;
}
