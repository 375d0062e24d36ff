/* Tests of the safety module: CTCAE v5.0 grading (table-driven with the vectors of DOMAIN.md
 * and of admiral's tests/testthat/test-derive_var_atoxgr.R, converted to Lutetia's canonical
 * units, plus our own at every CTCAE boundary), Cockcroft-Gault (admiral's
 * test-compute_kidney.R), adverse events, and every row of the dose-modification table with
 * its edges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lt_test.h"
#include "lutetia.h"
#include "lutetia/safety.h"

#define U LT_GRADE_UNDETERMINED
#define NA NAN

typedef struct vec {
    const char *analyte;
    double value, lln, uln, baseline;
    bool anticoag;
    int grade;    /* U: undetermined */
    int min, max; /* for U: the range left */
} vec;

static const vec vectors[] = {
    /* DOMAIN.md (admiral): platelets with LLN 100 */
    {"platelets", 24, 100, NA, NA, 0, 4, 4, 4},
    {"platelets", 25, 100, NA, NA, 0, 3, 3, 3},
    {"platelets", 49, 100, NA, NA, 0, 3, 3, 3},
    {"platelets", 50, 100, NA, NA, 0, 2, 2, 2},
    {"platelets", 74, 100, NA, NA, 0, 2, 2, 2},
    {"platelets", 75, 100, NA, NA, 0, 1, 1, 1},
    {"platelets", 99, 100, NA, NA, 0, 1, 1, 1},
    {"platelets", 100, 100, NA, NA, 0, 0, 0, 0},
    /* no LLN: grades 2-4 still decidable, 0 vs 1 is not */
    {"platelets", 74, NA, NA, NA, 0, 2, 2, 2},
    {"platelets", 120, NA, NA, NA, 0, U, 0, 1},
    /* DOMAIN.md: neutrophils with LLN 2.0 */
    {"neutrophils", 0.49, 2.0, NA, NA, 0, 4, 4, 4},
    {"neutrophils", 0.5, 2.0, NA, NA, 0, 3, 3, 3},
    {"neutrophils", 0.99, 2.0, NA, NA, 0, 3, 3, 3},
    {"neutrophils", 1.0, 2.0, NA, NA, 0, 2, 2, 2},
    {"neutrophils", 1.49, 2.0, NA, NA, 0, 2, 2, 2},
    {"neutrophils", 1.5, 2.0, NA, NA, 0, 1, 1, 1},
    {"neutrophils", 2.0, 2.0, NA, NA, 0, 0, 0, 0},
    /* admiral anemia (g/L / 10 = g/dL), LLN 14.0 g/dL; without LLN */
    {"hemoglobin", 7.9, 14.0, NA, NA, 0, 3, 3, 3},
    {"hemoglobin", 8.0, 14.0, NA, NA, 0, 2, 2, 2},
    {"hemoglobin", 9.9, 14.0, NA, NA, 0, 2, 2, 2},
    {"hemoglobin", 10.0, 14.0, NA, NA, 0, 1, 1, 1},
    {"hemoglobin", 13.9, 14.0, NA, NA, 0, 1, 1, 1},
    {"hemoglobin", 14.0, 14.0, NA, NA, 0, 0, 0, 0},
    {"hemoglobin", 14.0, NA, NA, NA, 0, U, 0, 1},
    {"hemoglobin", 13.9, NA, NA, NA, 0, U, 0, 1},
    {"hemoglobin", 10.0, NA, NA, NA, 0, U, 0, 1},
    {"hemoglobin", 9.9, NA, NA, NA, 0, 2, 2, 2},
    {"hemoglobin", 7.9, NA, NA, NA, 0, 3, 3, 3},
    /* admiral ALT, baseline normal (BASE = ULN = 40) */
    {"alt", 801, NA, 40, 40, 0, 4, 4, 4},
    {"alt", 800, NA, 40, 40, 0, 3, 3, 3},
    {"alt", 201, NA, 40, 40, 0, 3, 3, 3},
    {"alt", 200, NA, 40, 40, 0, 2, 2, 2},
    {"alt", 121, NA, 40, 40, 0, 2, 2, 2},
    {"alt", 120, NA, 40, 40, 0, 1, 1, 1},
    {"alt", 41, NA, 40, 40, 0, 1, 1, 1},
    {"alt", 40, NA, 40, 40, 0, 0, 0, 0},
    {"alt", 100, NA, NA, 40, 0, U, 0, 4},
    /* admiral ALT, baseline abnormal (BASE 40 > ULN 39): multiples of the baseline */
    {"alt", 801, NA, 39, 40, 0, 4, 4, 4},
    {"alt", 800, NA, 39, 40, 0, 3, 3, 3},
    {"alt", 201, NA, 39, 40, 0, 3, 3, 3},
    {"alt", 200, NA, 39, 40, 0, 2, 2, 2},
    {"alt", 121, NA, 39, 40, 0, 2, 2, 2},
    {"alt", 120, NA, 39, 40, 0, 1, 1, 1},
    {"alt", 60, NA, 39, 40, 0, 1, 1, 1},
    {"alt", 59, NA, 39, 40, 0, 0, 0, 0},
    /* admiral AST: same criteria */
    {"ast", 801, NA, 40, 40, 0, 4, 4, 4},
    {"ast", 41, NA, 40, 40, 0, 1, 1, 1},
    {"ast", 60, NA, 39, 40, 0, 1, 1, 1},
    {"ast", 59, NA, 39, 40, 0, 0, 0, 0},
    /* no baseline: the baseline-normal branch (noted) */
    {"ast", 121, NA, 40, NA, 0, 2, 2, 2},
    /* admiral bilirubin, baseline normal and abnormal (BASE 40, ULN 39) */
    {"bilirubin", 401, NA, 40, 40, 0, 4, 4, 4},
    {"bilirubin", 400, NA, 40, 40, 0, 3, 3, 3},
    {"bilirubin", 121, NA, 40, 40, 0, 3, 3, 3},
    {"bilirubin", 120, NA, 40, 40, 0, 2, 2, 2},
    {"bilirubin", 61, NA, 40, 40, 0, 2, 2, 2},
    {"bilirubin", 60, NA, 40, 40, 0, 1, 1, 1},
    {"bilirubin", 41, NA, 40, 40, 0, 1, 1, 1},
    {"bilirubin", 40, NA, 40, 40, 0, 0, 0, 0},
    {"bilirubin", 401, NA, 39, 40, 0, 4, 4, 4},
    {"bilirubin", 400, NA, 39, 40, 0, 3, 3, 3},
    {"bilirubin", 61, NA, 39, 40, 0, 2, 2, 2},
    {"bilirubin", 41, NA, 39, 40, 0, 1, 1, 1},
    {"bilirubin", 40, NA, 39, 40, 0, 0, 0, 0},
    {"bilirubin", 100, NA, NA, NA, 0, U, 0, 4},
    /* admiral aPTT, ULN 100 */
    {"ptt", 251, NA, 100, NA, 0, 3, 3, 3},
    {"ptt", 250, NA, 100, NA, 0, 2, 2, 2},
    {"ptt", 151, NA, 100, NA, 0, 2, 2, 2},
    {"ptt", 150, NA, 100, NA, 0, 1, 1, 1},
    {"ptt", 101, NA, 100, NA, 0, 1, 1, 1},
    {"ptt", 100, NA, 100, NA, 0, 0, 0, 0},
    {"ptt", 100, NA, NA, NA, 0, U, 0, 3},
    /* our own, at each CTCAE v5.0 boundary: WBC, LLN 4.0 */
    {"wbc", 0.99, 4.0, NA, NA, 0, 4, 4, 4},
    {"wbc", 1.0, 4.0, NA, NA, 0, 3, 3, 3},
    {"wbc", 1.99, 4.0, NA, NA, 0, 3, 3, 3},
    {"wbc", 2.0, 4.0, NA, NA, 0, 2, 2, 2},
    {"wbc", 2.99, 4.0, NA, NA, 0, 2, 2, 2},
    {"wbc", 3.0, 4.0, NA, NA, 0, 1, 1, 1},
    {"wbc", 3.99, 4.0, NA, NA, 0, 1, 1, 1},
    {"wbc", 4.0, 4.0, NA, NA, 0, 0, 0, 0},
    /* lymphocytes, LLN 1.0 */
    {"lymphocytes", 0.19, 1.0, NA, NA, 0, 4, 4, 4},
    {"lymphocytes", 0.2, 1.0, NA, NA, 0, 3, 3, 3},
    {"lymphocytes", 0.49, 1.0, NA, NA, 0, 3, 3, 3},
    {"lymphocytes", 0.5, 1.0, NA, NA, 0, 2, 2, 2},
    {"lymphocytes", 0.79, 1.0, NA, NA, 0, 2, 2, 2},
    {"lymphocytes", 0.8, 1.0, NA, NA, 0, 1, 1, 1},
    {"lymphocytes", 1.0, 1.0, NA, NA, 0, 0, 0, 0},
    /* creatinine, ULN 1.2 mg/dL; with a baseline of 1.0 the baseline multiples count too */
    {"creatinine", 1.2, NA, 1.2, NA, 0, 0, 0, 0},
    {"creatinine", 1.21, NA, 1.2, NA, 0, 1, 1, 1},
    {"creatinine", 1.8, NA, 1.2, NA, 0, 1, 1, 1},
    {"creatinine", 1.81, NA, 1.2, NA, 0, 2, 2, 2},
    {"creatinine", 3.6, NA, 1.2, NA, 0, 2, 2, 2},
    {"creatinine", 3.61, NA, 1.2, NA, 0, 3, 3, 3},
    {"creatinine", 7.2, NA, 1.2, NA, 0, 3, 3, 3},
    {"creatinine", 7.21, NA, 1.2, NA, 0, 4, 4, 4},
    {"creatinine", 1.51, NA, 1.2, 1.0, 0, 2, 2, 2},
    {"creatinine", 3.01, NA, 1.2, 1.0, 0, 3, 3, 3},
    /* no ULN: a rise over 3 x baseline is at least grade 3, but grade 4 needs the ULN
     * (admiral would say 3; Lutetia says undetermined 3-4) */
    {"creatinine", 3.5, NA, NA, 1.0, 0, U, 3, 4},
    {"creatinine", 1.0, NA, NA, NA, 0, U, 0, 4},
    /* albumin (g/dL), LLN 3.5 */
    {"albumin", 3.5, 3.5, NA, NA, 0, 0, 0, 0},
    {"albumin", 3.4, 3.5, NA, NA, 0, 1, 1, 1},
    {"albumin", 3.0, 3.5, NA, NA, 0, 1, 1, 1},
    {"albumin", 2.99, 3.5, NA, NA, 0, 2, 2, 2},
    {"albumin", 2.0, 3.5, NA, NA, 0, 2, 2, 2},
    {"albumin", 1.99, 3.5, NA, NA, 0, 3, 3, 3},
    /* INR: absolute limits; on anticoagulation multiples of the baseline instead */
    {"inr", 1.2, NA, NA, NA, 0, 0, 0, 0},
    {"inr", 1.21, NA, NA, NA, 0, 1, 1, 1},
    {"inr", 1.5, NA, NA, NA, 0, 1, 1, 1},
    {"inr", 1.51, NA, NA, NA, 0, 2, 2, 2},
    {"inr", 2.5, NA, NA, NA, 0, 2, 2, 2},
    {"inr", 2.51, NA, NA, NA, 0, 3, 3, 3},
    {"inr", 2.1, NA, NA, 2.0, 1, 1, 1, 1},
    {"inr", 3.1, NA, NA, 2.0, 1, 2, 2, 2},
    {"inr", 5.1, NA, NA, 2.0, 1, 3, 3, 3},
    {"inr", 2.0, NA, NA, 2.0, 1, 0, 0, 0},
    {"inr", 2.1, NA, NA, NA, 1, U, 0, 3},
};

static lt_ctcae_table *ctcae;

static void test_vectors(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vec *v = &vectors[i];
        lt_grade_context c;
        lt_grade_context_init(&c);
        c.lln = v->lln;
        c.uln = v->uln;
        c.baseline = v->baseline;
        c.anticoagulated = v->anticoag;
        lt_grade g;
        lt_error err;
        lt_status st = lt_ctcae_grade(ctcae, v->analyte, v->value, &c, &g, &err);
        CHECK_MSG(st == LT_OK, "%s %g: %s", v->analyte, v->value, err.message);
        if (st != LT_OK) continue;
        CHECK_MSG(g.grade == v->grade && g.min_grade == v->min && g.max_grade == v->max,
                  "%s %g (LLN %g, ULN %g, baseline %g%s): grade %d [%d, %d], expected %d [%d, "
                  "%d]: %s",
                  v->analyte, v->value, v->lln, v->uln, v->baseline,
                  v->anticoag ? ", anticoagulated" : "", g.grade, g.min_grade, g.max_grade,
                  v->grade, v->min, v->max, g.reason);
    }
}

static void test_grade_details(void)
{
    lt_grade g;
    lt_error err;
    lt_grade_context c;
    lt_grade_context_init(&c);
    c.lln = 100;
    CHECK(lt_ctcae_grade(ctcae, "platelets", 74, &c, &g, &err) == LT_OK);
    CHECK_STR(g.term, "Platelet count decreased");
    CHECK(g.criterion && strstr(g.criterion, "<75.0 - 50.0"));
    CHECK(strstr(g.reason, "74 10^9/L < 75 10^9/L") != NULL);
    lt_grade_context_init(&c);
    CHECK(lt_ctcae_grade(ctcae, "platelets", 120, &c, &g, &err) == LT_OK);
    CHECK(strstr(g.reason, "needs the LLN") != NULL);
    c.uln = 40;
    CHECK(lt_ctcae_grade(ctcae, "ast", 121, &c, &g, &err) == LT_OK);
    CHECK(strstr(g.note, "no baseline") != NULL);
    /* JSON */
    lt_buf b = LT_BUF_INIT;
    lt_grade_to_json(&g, "ast", 121, "U/L", &b);
    lt_json *v;
    CHECK(lt_json_parse(b.p, b.n, "g", &v, &err) == LT_OK);
    CHECK(lt_json_get_num(v, "grade", -9) == 2);
    lt_json_free(v);
    lt_buf_free(&b);
    /* unknown analyte, bad value */
    memset(&g, 0x5a, sizeof g);
    CHECK(lt_ctcae_grade(ctcae, "sodium", 120, NULL, &g, &err) == LT_ENOTFOUND);
    CHECK(strstr(err.message, "platelets") != NULL); /* lists what is graded */
    CHECK(((unsigned char *)&g)[0] == 0x5a);
    CHECK(lt_ctcae_grade(ctcae, "platelets", NAN, NULL, &g, &err) == LT_EINVAL);
    CHECK_STR(lt_ctcae_unit(ctcae, "hemoglobin"), "g/dL");
    CHECK(lt_ctcae_term(ctcae, "sodium") == NULL);
    CHECK(lt_ctcae_count(ctcae) >= 12);
}

static void test_bad_ctcae(void)
{
    static const struct {
        const char *text, *where, *message;
    } cases[] = {
        {"{\"analytes\": {}}", "(analytes)", "non-empty array"},
        {"{\"analytes\": [{\"analyte\": \"platelets\", \"term\": \"P\", \"unit\": \"/uL\", "
         "\"direction\": \"low\", \"grades\": []}]}",
         "analytes[0]", "canonical unit 10^9/L"},
        {"{\"analytes\": [{\"analyte\": \"x\", \"term\": \"X\", \"unit\": \"u\", \"direction\": "
         "\"down\", \"grades\": []}]}",
         "analytes[0]", "\"low\" or \"high\""},
        {"{\"analytes\": [{\"analyte\": \"x\", \"term\": \"X\", \"unit\": \"u\", \"direction\": "
         "\"low\", \"grades\": [{\"grade\": 5, \"any\": []}]}]}",
         "analytes[0].grades[0]", "1, 2, 3 or 4"},
        {"{\"analytes\": [{\"analyte\": \"x\", \"term\": \"X\", \"unit\": \"u\", \"direction\": "
         "\"low\", \"grades\": [{\"grade\": 1, \"any\": [{\"op\": \"<\", \"times\": 1, "
         "\"of\": \"median\"}]}]}]}",
         "analytes[0].grades[0].any[0]", "\"lln\", \"uln\" or \"baseline\""},
        {"{\"analytes\": [{\"analyte\": \"x\", \"term\": \"X\", \"unit\": \"u\", \"direction\": "
         "\"low\", \"grades\": [{\"grade\": 1, \"any\": [{\"op\": \"=\", \"value\": 1}]}]}]}",
         "analytes[0].grades[0].any[0]", "\"op\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_ctcae_table *t = NULL;
        lt_error err;
        lt_error_clear(&err);
        CHECK_MSG(lt_ctcae_parse(cases[i].text, strlen(cases[i].text), "c.json", &t, &err) ==
                      LT_ESCHEMA,
                  "case %zu accepted", i);
        CHECK(t == NULL);
        CHECK_MSG(strstr(err.where, cases[i].where) && !strncmp(err.where, "c.json:1:", 9),
                  "case %zu: where '%s' lacks '%s'", i, err.where, cases[i].where);
        CHECK_MSG(strstr(err.message, cases[i].message) != NULL, "case %zu: message '%s'", i,
                  err.message);
    }
}

static void test_kidney(void)
{
    /* admiral test-compute_kidney.R: 1.09 mg/dL, 55 y, male, 90 kg -> 97 (rounded) */
    double m = lt_crcl_cockcroft_gault(55, 90, LT_SEX_MALE, 1.09);
    CHECK_ABS(m, 97, 0.5);
    CHECK_REL(m, 7650.0 / 78.48, 1e-14);
    CHECK_REL(lt_crcl_cockcroft_gault(55, 90, LT_SEX_FEMALE, 1.09), 0.85 * 7650.0 / 78.48, 1e-14);
    CHECK(isnan(lt_crcl_cockcroft_gault(55, 90, LT_SEX_UNKNOWN, 1.09)));
    CHECK(isnan(lt_crcl_cockcroft_gault(55, NAN, LT_SEX_MALE, 1.09)));
    CHECK(isnan(lt_crcl_cockcroft_gault(55, 90, LT_SEX_MALE, 0)));
}

static void test_adverse_events(void)
{
    lt_adverse_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.patient, sizeof e.patient, "P-1");
    snprintf(e.term, sizeof e.term, "Nausea");
    e.grade = 3;
    e.serious = true;
    e.related = LT_RELATED_PROBABLE;
    e.start = lt_date_from_ymd(2026, 4, 1);
    e.end = LT_DATE_NONE;
    lt_error err;
    CHECK(lt_adverse_event_check(&e, &err) == LT_OK);
    CHECK(lt_adverse_event_ongoing(&e, lt_date_from_ymd(2026, 5, 1)));
    CHECK(!lt_adverse_event_ongoing(&e, lt_date_from_ymd(2026, 3, 31)));
    lt_buf b = LT_BUF_INIT;
    lt_adverse_event_to_json(&e, &b);
    lt_json *v;
    CHECK(lt_json_parse(b.p, b.n, "ae", &v, &err) == LT_OK);
    lt_adverse_event f;
    CHECK(lt_adverse_event_from_json(v, "ae", &f, &err) == LT_OK);
    CHECK(memcmp(&e, &f, sizeof e) == 0);
    lt_json_free(v);
    lt_buf_free(&b);
    e.end = lt_date_from_ymd(2026, 3, 1);
    CHECK(lt_adverse_event_check(&e, &err) == LT_ESCHEMA && strstr(err.where, "end"));
    e.end = LT_DATE_NONE;
    e.grade = 6;
    CHECK(lt_adverse_event_check(&e, &err) == LT_ESCHEMA && strstr(err.where, "grade"));
    static const char *const bad[] = {
        "{\"term\": \"Nausea\", \"grade\": 2.5, \"start\": \"2026-01-01\"}",
        "{\"term\": \"Nausea\", \"grade\": 2, \"start\": \"2026-01-01\", \"related\": \"maybe\"}",
        "{\"term\": \"Nausea\", \"grade\": 2}",
        "{\"term\": \"Nausea\", \"grade\": 2, \"start\": \"01/02/2026\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lt_json_parse(bad[i], strlen(bad[i]), "ae", &v, &err) == LT_OK);
        CHECK_MSG(lt_adverse_event_from_json(v, "ae", &f, &err) == LT_ESCHEMA, "bad AE %zu", i);
        lt_json_free(v);
    }
}

/* ---- dose modification ------------------------------------------------------------------ */

static lt_dosemod_rules *rules;

/* A patient: male, 60 y, 80 kg; baseline labs normal; creatinine 1.0 mg/dL. */
typedef struct scenario {
    lt_lab labs[16];
    size_t nlabs;
    lt_lab base[4];
    lt_adverse_event ev[2];
    lt_dosemod_input in;
} scenario;

static void set_lab(scenario *s, const char *analyte, double v, double lln, double uln)
{
    for (size_t i = 0; i < s->nlabs; i++)
        if (!strcmp(s->labs[i].analyte, analyte)) {
            s->labs[i].value = v;
            s->labs[i].lln = lln;
            s->labs[i].uln = uln;
            return;
        }
    s->labs[s->nlabs++] = (lt_lab){analyte, v, lln, uln};
    s->in.nlabs = s->nlabs;
}

static void remove_lab(scenario *s, const char *analyte)
{
    for (size_t i = 0; i < s->nlabs; i++)
        if (!strcmp(s->labs[i].analyte, analyte)) s->labs[i].value = NAN;
}

static void normal(scenario *s)
{
    memset(s, 0, sizeof *s);
    lt_dosemod_input_init(&s->in);
    s->in.labs = s->labs;
    s->in.baseline = s->base;
    s->in.nbaseline = 1;
    s->base[0] = (lt_lab){"creatinine", 1.0, 0.7, 1.2};
    set_lab(s, "platelets", 250, 150, 400);
    set_lab(s, "hemoglobin", 13.5, 13.0, 17.0);
    set_lab(s, "neutrophils", 4.0, 2.0, 7.5);
    set_lab(s, "wbc", 6.0, 4.0, 11.0);
    set_lab(s, "lymphocytes", 1.5, 1.0, 4.0);
    set_lab(s, "creatinine", 1.0, 0.7, 1.2);
    set_lab(s, "bilirubin", 0.8, 0.1, 1.2);
    set_lab(s, "alt", 30, 7, 40);
    set_lab(s, "ast", 28, 8, 40);
    set_lab(s, "albumin", 4.0, 3.5, 5.0);
    set_lab(s, "inr", 1.0, 0.8, 1.2);
    s->in.decision_date = lt_date_from_ymd(2026, 5, 1);
    s->in.first_due = lt_date_from_ymd(2026, 5, 1);
    s->in.age_years = 60;
    s->in.weight_kg = 80;
    s->in.sex = LT_SEX_MALE;
    s->in.events = s->ev;
}

static lt_dosemod_decision decide(scenario *s)
{
    lt_dosemod_decision d;
    lt_error err;
    memset(&d, 0, sizeof d);
    d.action = (lt_dose_action)99;
    lt_status st = lt_dosemod_decide(rules, ctcae, &s->in, &d, &err);
    CHECK_MSG(st == LT_OK, "decide: %s", err.message);
    return d;
}

static bool has_reason(const lt_dosemod_decision *d, const char *rule)
{
    for (size_t i = 0; i < d->nreasons; i++)
        if (!strcmp(d->reasons[i].rule, rule)) return true;
    return false;
}

#define EXPECT(s, want, activity, rule)                                                            \
    do {                                                                                           \
        lt_dosemod_decision d_ = decide(s);                                                        \
        CHECK_MSG(d_.action == (want) && d_.activity_mbq == (activity) &&                          \
                      (!(rule) || has_reason(&d_, (rule))),                                        \
                  "decision %s %g MBq (expected %s %g, rule %s): %s",                              \
                  lt_dose_action_name(d_.action), d_.activity_mbq, lt_dose_action_name(want),      \
                  (double)(activity), (rule) ? (rule) : "-",                                       \
                  d_.nreasons ? d_.reasons[0].text : "");                                          \
    } while (0)

static void test_dosemod_rows(void)
{
    scenario s;
    normal(&s);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, "no_toxicity");

    /* thrombocytopenia grade 2-4: withhold; grade 1 (75, with LLN 150): no change */
    set_lab(&s, "platelets", 74, 150, 400);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "thrombocytopenia");
    set_lab(&s, "platelets", 24, 150, 400);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "thrombocytopenia");
    set_lab(&s, "platelets", 75, 150, 400);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    /* without an LLN a count of 120 is grade 0 or 1: below 2 either way, so decidable */
    set_lab(&s, "platelets", 120, NAN, NAN);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* anemia grade 3-4 withholds, grade 2 does not */
    normal(&s);
    set_lab(&s, "hemoglobin", 7.9, 13.0, 17.0);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "anemia");
    set_lab(&s, "hemoglobin", 8.0, 13.0, 17.0);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* neutropenia grade 3-4 withholds, grade 2 does not */
    normal(&s);
    set_lab(&s, "neutrophils", 0.99, 2.0, 7.5);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "neutropenia");
    set_lab(&s, "neutrophils", 1.0, 2.0, 7.5);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* renal: CrCl < 40 mL/min (Cockcroft-Gault): 70 y, 70 kg, male: 4900 / (72 Scr);
     * Scr 1.75 -> 38.9 (withhold), 1.70 -> 40.03 (not); baseline 1.3 keeps the changes below
     * 40% (+34.6% and -25.7%) */
    normal(&s);
    s.in.age_years = 70;
    s.in.weight_kg = 70;
    s.base[0].value = 1.3;
    set_lab(&s, "creatinine", 1.75, 0.7, 1.2);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "renal");
    set_lab(&s, "creatinine", 1.70, 0.7, 1.2);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    /* renal: creatinine up >= 40% from baseline (40 y, 90 kg keeps CrCl high) */
    normal(&s);
    s.in.age_years = 40;
    s.in.weight_kg = 90;
    set_lab(&s, "creatinine", 1.4, 0.7, 1.2);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "renal");
    set_lab(&s, "creatinine", 1.39, 0.7, 1.2);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    /* renal: CrCl down >= 40% from baseline with the actual weight (100 kg -> 60 kg) */
    normal(&s);
    s.in.age_years = 40;
    s.in.baseline_weight_kg = 100;
    s.in.weight_kg = 60;
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "renal");
    s.in.weight_kg = 60.1;
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* hepatic: bilirubin > 3 x ULN (1.2 -> 3.6) */
    normal(&s);
    set_lab(&s, "bilirubin", 3.61, 0.1, 1.2);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "hepatic");
    set_lab(&s, "bilirubin", 3.6, 0.1, 1.2);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    /* hepatic: albumin < 30 g/L (3.0 g/dL) with INR > 1.5; either alone is not enough */
    normal(&s);
    set_lab(&s, "albumin", 2.9, 3.5, 5.0);
    set_lab(&s, "inr", 1.6, 0.8, 1.2);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "hepatic");
    set_lab(&s, "inr", 1.5, 0.8, 1.2);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    set_lab(&s, "albumin", 3.0, 3.5, 5.0);
    set_lab(&s, "inr", 1.6, 0.8, 1.2);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* any other grade 3-4: ALT > 5 x ULN; a related grade 3 adverse event */
    normal(&s);
    set_lab(&s, "alt", 201, 7, 40);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "other");
    set_lab(&s, "alt", 200, 7, 40);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    normal(&s);
    s.ev[0] = (lt_adverse_event){.patient = "P",
                                 .term = "Nausea",
                                 .grade = 3,
                                 .serious = false,
                                 .related = LT_RELATED_POSSIBLE,
                                 .start = lt_date_from_ymd(2026, 4, 20),
                                 .end = LT_DATE_NONE};
    s.in.nevents = 1;
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "other");
    s.ev[0].grade = 2;
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    s.ev[0].grade = 3;
    s.ev[0].related = LT_RELATED_NOT; /* not an adverse reaction */
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
    s.ev[0].related = LT_RELATED_PROBABLE;
    s.ev[0].end = lt_date_from_ymd(2026, 4, 25); /* resolved before the decision */
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* lymphopenia alone: no change, but said */
    normal(&s);
    set_lab(&s, "lymphocytes", 0.1, 1.0, 4.0);
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, "lymphopenia");
    /* ... and the lymphopenia adverse event is not "any other" toxicity */
    s.ev[0] = (lt_adverse_event){.patient = "P",
                                 .term = "Lymphocyte count decreased",
                                 .grade = 4,
                                 .serious = false,
                                 .related = LT_RELATED_PROBABLE,
                                 .start = lt_date_from_ymd(2026, 4, 20),
                                 .end = LT_DATE_NONE};
    s.in.nevents = 1;
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);

    /* grade 3-4 hypersensitivity at any time: discontinue (no rechallenge) */
    normal(&s);
    s.ev[0] = (lt_adverse_event){.patient = "P",
                                 .term = "Anaphylaxis",
                                 .grade = 3,
                                 .serious = true,
                                 .related = LT_RELATED_DEFINITE,
                                 .start = lt_date_from_ymd(2026, 1, 10),
                                 .end = lt_date_from_ymd(2026, 1, 11)};
    s.in.nevents = 1;
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "hypersensitivity");
    s.ev[0].grade = 2;
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, NULL);
}

static void test_dosemod_history(void)
{
    scenario s;
    /* withheld for thrombocytopenia: still grade 2 on day 111 -> withhold; day 112 (16 weeks)
     * -> discontinue */
    normal(&s);
    s.in.withheld = true;
    s.in.first_due = lt_date_from_ymd(2026, 5, 1);
    set_lab(&s, "platelets", 60, 150, 400);
    s.in.decision_date = s.in.first_due + 111;
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "thrombocytopenia");
    s.in.decision_date = s.in.first_due + 112;
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "delay");
    /* resolved (grade 1) before 16 weeks: resume at the reduced activity */
    set_lab(&s, "platelets", 110, 150, 400);
    s.in.decision_date = s.in.first_due + 60;
    EXPECT(&s, LT_DOSE_GIVE_REDUCED, 3700, "resume");
    s.in.decision_date = s.in.first_due + 111;
    EXPECT(&s, LT_DOSE_GIVE_REDUCED, 3700, "resume");
    /* resolved only when the delay reached 16 weeks: discontinue */
    s.in.decision_date = s.in.first_due + 112;
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "delay");
    /* a first toxicity found late (not withheld before) still counts the delay */
    normal(&s);
    s.in.decision_date = s.in.first_due + 112;
    set_lab(&s, "hemoglobin", 7.5, 13.0, 17.0);
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "delay");

    /* after a reduced dose: no recurrence -> back to 7.4 GBq */
    normal(&s);
    s.in.last_dose_reduced = true;
    s.in.reduced_for[0] = "thrombocytopenia";
    s.in.nreduced_for = 1;
    EXPECT(&s, LT_DOSE_GIVE_FULL, 7400, "return_to_full");
    /* recurrence of the same toxicity at the reduced dose -> discontinue */
    set_lab(&s, "platelets", 74, 150, 400);
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "recurrence");
    /* a different toxicity at the reduced dose is a first occurrence: withhold */
    normal(&s);
    s.in.last_dose_reduced = true;
    s.in.reduced_for[0] = "thrombocytopenia";
    s.in.nreduced_for = 1;
    set_lab(&s, "hemoglobin", 7.9, 13.0, 17.0);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "anemia");
    /* history that does not say why the dose was reduced: any toxicity counts as recurrence */
    s.in.nreduced_for = 0;
    EXPECT(&s, LT_DOSE_DISCONTINUE, 0, "recurrence");
}

static void test_dosemod_missing(void)
{
    scenario s;
    /* no platelet count: nothing can be decided */
    normal(&s);
    remove_lab(&s, "platelets");
    lt_dosemod_decision d = decide(&s);
    CHECK(d.action == LT_DOSE_UNDETERMINED && d.activity_mbq == 0);
    CHECK(has_reason(&d, "thrombocytopenia"));
    CHECK(d.nreasons && strstr(d.reasons[0].text, "no current platelets result"));
    /* no baseline creatinine: the renal change rule cannot be assessed */
    normal(&s);
    s.in.nbaseline = 0;
    d = decide(&s);
    CHECK(d.action == LT_DOSE_UNDETERMINED && has_reason(&d, "renal"));
    /* no sex: Cockcroft-Gault cannot be computed */
    normal(&s);
    s.in.sex = LT_SEX_UNKNOWN;
    d = decide(&s);
    CHECK(d.action == LT_DOSE_UNDETERMINED && has_reason(&d, "renal"));
    /* a toxicity found beats missing values elsewhere: withhold */
    normal(&s);
    s.in.nbaseline = 0;
    set_lab(&s, "platelets", 40, 150, 400);
    EXPECT(&s, LT_DOSE_WITHHOLD, 0, "thrombocytopenia");
    /* no ULN for bilirubin: hepatic undetermined */
    normal(&s);
    set_lab(&s, "bilirubin", 0.8, NAN, NAN);
    d = decide(&s);
    CHECK(d.action == LT_DOSE_UNDETERMINED && has_reason(&d, "hepatic"));
    /* bad input is an error, the output untouched */
    normal(&s);
    s.in.first_due = s.in.decision_date + 1;
    lt_error err;
    d.action = (lt_dose_action)77;
    CHECK(lt_dosemod_decide(rules, ctcae, &s.in, &d, &err) == LT_EINVAL);
    CHECK(d.action == (lt_dose_action)77);
    s.in.decision_date = LT_DATE_NONE;
    CHECK(lt_dosemod_decide(rules, ctcae, &s.in, &d, &err) == LT_EINVAL);
}

static void test_decision_json(void)
{
    scenario s;
    normal(&s);
    set_lab(&s, "platelets", 74, 150, 400);
    lt_dosemod_decision d = decide(&s), e;
    lt_buf b = LT_BUF_INIT;
    lt_dosemod_decision_to_json(&d, &b);
    lt_json *v;
    lt_error err;
    CHECK(lt_json_parse(b.p, b.n, "d", &v, &err) == LT_OK);
    CHECK(lt_dosemod_decision_from_json(v, "d", &e, &err) == LT_OK);
    CHECK(e.action == d.action && e.activity_mbq == d.activity_mbq &&
          e.delay_days == d.delay_days && e.ntoxic == d.ntoxic && e.nreasons == d.nreasons);
    CHECK_STR(e.toxic[0], "thrombocytopenia");
    CHECK_STR(e.reasons[0].text, d.reasons[0].text);
    lt_json_free(v);
    lt_buf_free(&b);
    const char *bad = "{\"action\": \"halve\", \"activity_mbq\": 0, \"delay_days\": 0}";
    CHECK(lt_json_parse(bad, strlen(bad), "d", &v, &err) == LT_OK);
    CHECK(lt_dosemod_decision_from_json(v, "d", &e, &err) == LT_ESCHEMA);
    CHECK_STR(err.where, "d: action");
    lt_json_free(v);
}

static void test_bad_rules(void)
{
    static const struct {
        const char *text, *where;
    } cases[] = {
        {"{\"full_activity_mbq\": 7400, \"reduced_activity_mbq\": 8000, \"max_delay_days\": 112,"
         " \"toxicities\": []}",
         "reduced_activity_mbq"},
        {"{\"full_activity_mbq\": 7400, \"reduced_activity_mbq\": 3700, \"max_delay_days\": 112,"
         " \"toxicities\": [{\"id\": \"a\", \"action\": \"halve\", \"when\": {}}]}",
         "toxicities[0]"},
        {"{\"full_activity_mbq\": 7400, \"reduced_activity_mbq\": 3700, \"max_delay_days\": 112,"
         " \"toxicities\": [{\"id\": \"a\", \"action\": \"withhold\", \"when\": {\"any\": "
         "[{\"grade\": \"platelets\", \"min\": 7}]}}]}",
         "toxicities[0].when.any[0]"},
        {"{\"full_activity_mbq\": 7400, \"reduced_activity_mbq\": 3700, \"max_delay_days\": 112,"
         " \"toxicities\": [{\"id\": \"a\", \"action\": \"withhold\", \"when\": {\"lab\": "
         "\"inr\", \"op\": \">\"}}]}",
         "toxicities[0].when"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_dosemod_rules *r = NULL;
        lt_error err;
        lt_error_clear(&err);
        CHECK_MSG(lt_dosemod_parse(cases[i].text, strlen(cases[i].text), "r.json", &r, &err) ==
                      LT_ESCHEMA,
                  "rules case %zu accepted", i);
        CHECK(r == NULL);
        CHECK_MSG(strstr(err.where, cases[i].where) && !strncmp(err.where, "r.json:1:", 9),
                  "rules case %zu: where '%s'", i, err.where);
    }
}

static void test_from_patient(void)
{
    const char *doc =
        "{\"id\": \"P-9\", \"birth_date\": \"1960-06-15\", \"sex\": \"female\","
        " \"vitals\": [{\"code\": \"weight\", \"date\": \"2026-01-10\", \"value\": 70, \"unit\": "
        "\"kg\"},"
        "  {\"code\": \"weight\", \"date\": \"2026-04-28\", \"value\": 64, \"unit\": \"kg\"}],"
        " \"labs\": ["
        "  {\"code\": \"creatinine\", \"date\": \"2026-01-10\", \"value\": 80, \"unit\": "
        "\"umol/L\","
        "   \"low\": 45, \"high\": 90},"
        "  {\"code\": \"platelets\", \"date\": \"2026-03-01\", \"value\": 40, \"unit\": \"10^9/L\","
        "   \"low\": 150, \"high\": 400},"
        "  {\"code\": \"platelets\", \"date\": \"2026-04-20\", \"value\": 74, \"unit\": \"10^9/L\","
        "   \"low\": 150, \"high\": 400},"
        "  {\"code\": \"hemoglobin\", \"date\": \"2026-04-20\", \"value\": 12.1, \"unit\": "
        "\"g/dL\"},"
        "  {\"code\": \"hemoglobin\", \"date\": \"2026-04-20\", \"value\": 11.2, \"unit\": "
        "\"g/dL\"},"
        "  {\"code\": \"creatinine\", \"date\": \"2026-04-20\", \"value\": 1.0, \"unit\": "
        "\"mg/dL\","
        "   \"low\": 0.5, \"high\": 1.0}]}";
    lt_cohort *c = NULL;
    lt_error err;
    CHECK(lt_cohort_new(&c, &err) == LT_OK);
    lt_status st = lt_cohort_read_mem(c, doc, strlen(doc), "p9.json", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    const lt_patient *p = lt_cohort_find(c, "P-9");
    CHECK(p != NULL);
    if (p) {
        lt_lab labs[16], base[16];
        lt_dosemod_input in;
        lt_dosemod_input_init(&in);
        in.decision_date = lt_date_from_ymd(2026, 5, 1);
        in.first_due = in.decision_date;
        lt_dosemod_input_from_patient(p, 28, lt_date_from_ymd(2026, 1, 31), labs, base, 16, &in);
        CHECK_INT(in.nlabs, 3);     /* platelets 04-20, hemoglobin, creatinine 04-20 */
        CHECK_INT(in.nbaseline, 1); /* creatinine 01-10 */
        CHECK(in.sex == LT_SEX_FEMALE && in.age_years == 65 && in.baseline_age_years == 65);
        CHECK(in.weight_kg == 64 && in.baseline_weight_kg == 70);
        for (size_t i = 0; i < in.nlabs; i++) {
            if (!strcmp(labs[i].analyte, "platelets"))
                CHECK(labs[i].value == 74 && labs[i].lln == 150 && labs[i].uln == 400);
            else if (!strcmp(labs[i].analyte, "hemoglobin"))
                CHECK(isnan(labs[i].value)); /* 12.1 and 11.2 the same day: unknown */
            else
                CHECK(labs[i].value == 1.0 && labs[i].uln == 1.0);
        }
        CHECK_REL(base[0].value, 80 / 88.4, 1e-12);
        /* platelets 74 (grade 2) withholds even though haemoglobin is unknown */
        lt_dosemod_decision d;
        CHECK(lt_dosemod_decide(rules, ctcae, &in, &d, &err) == LT_OK);
        CHECK(d.action == LT_DOSE_WITHHOLD && has_reason(&d, "thrombocytopenia"));
        /* a window that excludes April leaves nothing but unknowns */
        in.decision_date = lt_date_from_ymd(2026, 6, 30);
        lt_dosemod_input_from_patient(p, 28, lt_date_from_ymd(2026, 1, 31), labs, base, 16, &in);
        CHECK_INT(in.nlabs, 0);
        CHECK(lt_dosemod_decide(rules, ctcae, &in, &d, &err) == LT_OK);
        CHECK(d.action == LT_DOSE_UNDETERMINED);
    }
    lt_cohort_free(c);
}

/* The CTCAE v5.0 term list: 837 terms in 26 system organ classes, each class with its "Other,
 * specify"; a term found whatever its case, a synonym found as its term; a list with a term
 * twice, or a synonym of no term, refused by name. */
static void test_ctcae_terms(void)
{
    lt_ctcae_terms *t = NULL;
    lt_error err;
    CHECK(lt_ctcae_terms_load(NULL, &t, &err) == LT_OK);
    if (!t) return;
    CHECK_INT(lt_ctcae_terms_count(t), 837);
    const char *socs[64];
    size_t nsoc = 0, others = 0;
    for (size_t i = 0; i < lt_ctcae_terms_count(t); i++) {
        const lt_ctcae_term_entry *e = lt_ctcae_terms_at(t, i);
        bool seen = false;
        for (size_t k = 0; k < nsoc; k++) seen = seen || !strcmp(socs[k], e->soc);
        if (!seen && nsoc < 64) socs[nsoc++] = e->soc;
        others += lt_ctcae_term_is_other(e);
        CHECK_MSG(strlen(e->meddra) == 8 && strspn(e->meddra, "0123456789") == 8,
                  "%s: MedDRA code '%s'", e->term, e->meddra);
    }
    CHECK_INT(nsoc, 26);
    CHECK_INT(others, 26);
    const lt_ctcae_term_entry *e = lt_ctcae_terms_find(t, "nausea");
    CHECK(e && !strcmp(e->term, "Nausea") && !strcmp(e->meddra, "10028813"));
    e = lt_ctcae_terms_find(t, "Thrombocytopenia");
    CHECK(e && !strcmp(e->term, "Platelet count decreased") && !strcmp(e->soc, "Investigations"));
    CHECK(lt_ctcae_terms_find(t, "Nausae") == NULL);
    lt_ctcae_terms_free(t);

    static const char *const bad[] = {
        "{\"terms\": [{\"term\": \"A\", \"soc\": \"S\", \"meddra\": \"1\"}, "
        "{\"term\": \"a\", \"soc\": \"S\", \"meddra\": \"2\"}]}",
        "{\"terms\": [{\"term\": \"A\", \"soc\": \"S\", \"meddra\": \"1\"}], "
        "\"synonyms\": {\"b\": \"B\"}}",
        "{\"terms\": []}",
    };
    static const char *const says[] = {"listed twice", "synonyms.b", "expected an array"};
    for (size_t i = 0; i < 3; i++) {
        char path[] = "/tmp/lt-terms-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0 && write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
        close(fd);
        t = NULL;
        CHECK_MSG(lt_ctcae_terms_load(path, &t, &err) != LT_OK && strstr(err.message, says[i]),
                  "case %zu: %s", i, err.message);
        lt_ctcae_terms_free(t);
        unlink(path);
    }
}

int main(void)
{
    test_ctcae_terms();
    char path[4096];
    lt_error err;
    const char *src = getenv("SRC") ? getenv("SRC") : ".";
    snprintf(path, sizeof path, "%s/data/ctcae-v5-lab.json", src);
    CHECK_MSG(lt_ctcae_load(path, &ctcae, &err) == LT_OK, "%s: %s", err.where, err.message);
    snprintf(path, sizeof path, "%s/data/lutathera-dose-modification.json", src);
    CHECK_MSG(lt_dosemod_load(path, &rules, &err) == LT_OK, "%s: %s", err.where, err.message);
    if (ctcae) {
        test_vectors();
        test_grade_details();
    }
    if (ctcae && rules) {
        CHECK(lt_dosemod_full_mbq(rules) == 7400 && lt_dosemod_reduced_mbq(rules) == 3700);
        test_dosemod_rows();
        test_dosemod_history();
        test_dosemod_missing();
        test_decision_json();
        test_from_patient();
    }
    test_bad_ctcae();
    test_kidney();
    test_adverse_events();
    test_bad_rules();
    /* the default data folder holds both tables */
    lt_ctcae_table *t = NULL;
    lt_dosemod_rules *r = NULL;
    CHECK(lt_ctcae_load(NULL, &t, &err) == LT_OK && t);
    CHECK(lt_dosemod_load(NULL, &r, &err) == LT_OK && r);
    lt_ctcae_free(t);
    lt_dosemod_free(r);
    lt_ctcae_free(ctcae);
    lt_dosemod_free(rules);
    lt_ctcae_free(NULL);
    lt_dosemod_free(NULL);
    return lt_test_done();
}
