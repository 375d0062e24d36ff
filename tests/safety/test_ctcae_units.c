/* CTCAE v5.0 vectors reported in another unit than the table's: the value and its reference
 * limits are converted (lt_units_convert, the factors of DOMAIN.md) and then graded. The cases
 * are the ones whose conversion lands on a grade boundary only up to the last bit of a double
 * (Hb 4.9648 mmol/L x (1 / 0.6206) = 7.999999999999999 g/dL, which is 8.0 g/dL: grade 2, not
 * grade 3); the grader compares at 15 significant digits so that the lab's own figure decides
 * (issue 8, section 11: a mutant without that rounding survived every other test).
 * Kept apart from test_safety.c, whose dose-decision tests another change extends. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/patient.h"
#include "lutetia/safety.h"

#define NA NAN

typedef struct uvec {
    const char *analyte;
    double value;
    const char *unit; /* of the value and of the limits below */
    double lln, uln, baseline;
    int grade;
    const char *why;
} uvec;

static const uvec vectors[] = {
    /* haemoglobin, mmol/L (Hb monomer, g/dL x 0.6206); LLN 8.6884 mmol/L = 14.0 g/dL */
    {"hemoglobin", 4.9648, "mmol/L", 8.6884, NA, NA, 2, "8.0 g/dL is grade 2 (<10.0 - 8.0)"},
    {"hemoglobin", 4.9647, "mmol/L", 8.6884, NA, NA, 3, "just under 8.0 g/dL"},
    {"hemoglobin", 6.206, "mmol/L", 8.6884, NA, NA, 1, "10.0 g/dL is grade 1 (<LLN - 10.0)"},
    {"hemoglobin", 6.2059, "mmol/L", 8.6884, NA, NA, 2, "just under 10.0 g/dL"},
    {"hemoglobin", 8.6884, "mmol/L", 8.6884, NA, NA, 0, "at the LLN"},
    {"hemoglobin", 8.6883, "mmol/L", 8.6884, NA, NA, 1, "just under the LLN"},
    {"hemoglobin", 80, "g/L", 140, NA, NA, 2, "80 g/L"},
    {"hemoglobin", 79, "g/L", 140, NA, NA, 3, "79 g/L"},
    /* creatinine, umol/L (mg/dL x 88.4); ULN 106.08 umol/L = 1.2 mg/dL: 1.5 x ULN computes
     * as 1.7999999999999998 mg/dL, and 159.12 umol/L is 1.8 mg/dL, grade 1 (>ULN - 1.5 x ULN) */
    {"creatinine", 159.12, "umol/L", NA, 106.08, NA, 1, "1.5 x ULN is grade 1"},
    {"creatinine", 159.13, "umol/L", NA, 106.08, NA, 2, "just over 1.5 x ULN"},
    {"creatinine", 318.24, "umol/L", NA, 106.08, NA, 2, "3.0 x ULN is grade 2"},
    {"creatinine", 318.25, "umol/L", NA, 106.08, NA, 3, "just over 3.0 x ULN"},
    {"creatinine", 636.48, "umol/L", NA, 106.08, NA, 3, "6.0 x ULN is grade 3"},
    {"creatinine", 636.49, "umol/L", NA, 106.08, NA, 4, "just over 6.0 x ULN"},
    {"creatinine", 106.08, "umol/L", NA, 106.08, NA, 0, "at the ULN"},
    /* bilirubin, umol/L (mg/dL x 17.1); ULN 20.52 umol/L = 1.2 mg/dL, baseline normal */
    {"bilirubin", 30.78, "umol/L", NA, 20.52, 20.52, 1, "1.5 x ULN is grade 1"},
    {"bilirubin", 30.79, "umol/L", NA, 20.52, 20.52, 2, "just over 1.5 x ULN"},
    {"bilirubin", 61.56, "umol/L", NA, 20.52, 20.52, 2, "3.0 x ULN is grade 2"},
    {"bilirubin", 205.2, "umol/L", NA, 20.52, 20.52, 3, "10.0 x ULN is grade 3"},
    {"bilirubin", 205.21, "umol/L", NA, 20.52, 20.52, 4, "just over 10.0 x ULN"},
    /* bilirubin with the ULN 17.1 umol/L = 1.0 mg/dL: 25.65 umol/L computes as
     * 1.4999999999999998 mg/dL, 51.3 as 2.9999999999999996 */
    {"bilirubin", 25.65, "umol/L", NA, 17.1, 17.1, 1, "1.5 x ULN is grade 1"},
    {"bilirubin", 51.3, "umol/L", NA, 17.1, 17.1, 2, "3.0 x ULN is grade 2"},
    /* albumin, g/L; LLN 35 g/L */
    {"albumin", 30, "g/L", 35, NA, NA, 1, "3.0 g/dL is grade 1 (<LLN - 3.0)"},
    {"albumin", 29.9, "g/L", 35, NA, NA, 2, "under 3.0 g/dL"},
    {"albumin", 20, "g/L", 35, NA, NA, 2, "2.0 g/dL is grade 2 (<3.0 - 2.0)"},
    /* platelets per uL (x 0.001 = 10^9/L); LLN 150000 /uL */
    {"platelets", 75000, "/uL", 150000, NA, NA, 1, "75 x 10^9/L is grade 1"},
    {"platelets", 74999, "/uL", 150000, NA, NA, 2, "just under 75"},
    {"platelets", 25000, "/uL", 150000, NA, NA, 3, "25 x 10^9/L is grade 3"},
};

static double conv(const char *analyte, double v, const char *unit)
{
    double out = NAN;
    if (isnan(v)) return NAN;
    CHECK_MSG(lt_units_convert(analyte, v, unit, &out), "%s: no conversion from %s", analyte, unit);
    return out;
}

static void test_converted_vectors(const lt_ctcae_table *t)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const uvec *v = &vectors[i];
        lt_grade_context c;
        lt_grade_context_init(&c);
        c.lln = conv(v->analyte, v->lln, v->unit);
        c.uln = conv(v->analyte, v->uln, v->unit);
        c.baseline = conv(v->analyte, v->baseline, v->unit);
        double value = conv(v->analyte, v->value, v->unit);
        lt_grade g;
        lt_error err;
        lt_status st = lt_ctcae_grade(t, v->analyte, value, &c, &g, &err);
        CHECK_MSG(st == LT_OK && g.grade == v->grade && g.min_grade == v->grade &&
                      g.max_grade == v->grade,
                  "%s %g %s (%s; %.17g canonical): grade %d, expected %d: %s", v->analyte,
                  v->value, v->unit, v->why, value, st ? -9 : g.grade, v->grade,
                  st ? err.message : g.reason);
    }
}

/* Every comparison a table may state, at its limit: the shipped table uses only "<", ">" and
 * ">=", but tables are data, and a "<=" criterion must hold at its value. */
static void test_operators_at_limit(void)
{
    static const char table[] =
        "{\"format\": \"lutetia-ctcae\", \"version\": 1, \"analytes\": ["
        " {\"analyte\": \"hemoglobin\", \"term\": \"Anemia\", \"direction\": \"low\","
        "  \"unit\": \"g/dL\", \"grades\": ["
        "   {\"grade\": 2, \"text\": \"<= 8\", \"any\": [{\"op\": \"<=\", \"value\": 8.0}]},"
        "   {\"grade\": 1, \"text\": \"< 10\", \"any\": [{\"op\": \"<\", \"value\": 10.0}]}]},"
        " {\"analyte\": \"alt\", \"term\": \"ALT increased\", \"direction\": \"high\","
        "  \"unit\": \"U/L\", \"grades\": ["
        "   {\"grade\": 2, \"text\": \">= 200\", \"any\": [{\"op\": \">=\", \"value\": 200}]},"
        "   {\"grade\": 1, \"text\": \"> 100\", \"any\": [{\"op\": \">\", \"value\": 100}]}]}]}";
    lt_ctcae_table *t = NULL;
    lt_error err;
    CHECK_MSG(lt_ctcae_parse(table, strlen(table), "operators", &t, &err) == LT_OK, "%s: %s",
              err.where, err.message);
    if (!t) return;
    static const struct {
        const char *analyte;
        double value;
        int grade;
    } cases[] = {
        {"hemoglobin", 8.0, 2},  {"hemoglobin", 8.01, 1}, {"hemoglobin", 10.0, 0},
        {"hemoglobin", 9.99, 1}, {"alt", 200, 2},         {"alt", 199.9, 1},
        {"alt", 100, 0},         {"alt", 100.1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_grade_context c;
        lt_grade_context_init(&c);
        lt_grade g;
        lt_status st = lt_ctcae_grade(t, cases[i].analyte, cases[i].value, &c, &g, &err);
        CHECK_MSG(st == LT_OK && g.grade == cases[i].grade, "%s %g: grade %d, expected %d",
                  cases[i].analyte, cases[i].value, st ? -9 : g.grade, cases[i].grade);
    }
    lt_ctcae_free(t);
}

int main(void)
{
    char path[4096];
    lt_error err;
    const char *src = getenv("SRC") ? getenv("SRC") : ".";
    snprintf(path, sizeof path, "%s/data/ctcae-v5-lab.json", src);
    lt_ctcae_table *t = NULL;
    CHECK_MSG(lt_ctcae_load(path, &t, &err) == LT_OK, "%s: %s", err.where, err.message);
    if (t) test_converted_vectors(t);
    lt_ctcae_free(t);
    test_operators_at_limit();
    return lt_test_done();
}
