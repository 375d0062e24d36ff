/* Unit tests of the patient module: the units table against DOMAIN.md's conversion facts, the
 * native reader (values, attributes, errors naming file, line and field), the FHIR reader
 * (system AND code, comparator, referenceRange, status, dataAbsentReason), the CSV reader,
 * merging, the concept map, and all 94 Synthea bundles with labs checked against jq's reading
 * of the same files. */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia/buf.h"
#include "lutetia/file.h"
#include "lutetia/patient.h"

static lt_cohort *cohort(void)
{
    lt_cohort *c = NULL;
    lt_error err;
    if (lt_cohort_new(&c, &err) != LT_OK) {
        printf("cannot create a cohort\n");
        exit(1);
    }
    return c;
}

static lt_status read_str(lt_cohort *c, const char *text, const char *name, lt_error *err)
{
    lt_error_clear(err);
    return lt_cohort_read_mem(c, text, strlen(text), name, err);
}

/* The single fact of kind and code, or NULL. */
static const lt_fact *one(const lt_patient *p, lt_fact_kind kind, const char *code)
{
    const lt_fact *f[2];
    return lt_patient_facts(p, kind, code, f, 2) == 1 ? f[0] : NULL;
}

/* ---- units (DOMAIN.md "Formulas and units") ---- */

static void test_units(void)
{
    double v = -1;
    /* UCUM's case-insensitive form and the spellings sites print, for laboratory units;
     * activity stays exact (mBq is milli, MBq mega) */
    CHECK(lt_units_convert("platelets", 150, "K/ul", &v) && v == 150);
    CHECK(lt_units_convert("platelets", 150, "x10E3/uL", &v) && v == 150);
    CHECK(lt_units_convert("wbc", 4.1, "X10^9/l", &v) && v == 4.1);
    CHECK(lt_units_convert("creatinine", 1.1, "MG/DL", &v) && v == 1.1);
    CHECK(lt_units_convert("creatinine", 88.4, "mcmol/L", &v));
    CHECK_REL(v, 1.0, 1e-12);
    CHECK(!lt_units_convert("prrt", 7400, "mbq", &v));
    CHECK(!lt_units_convert("prrt", 7400, "mBq", &v));
    CHECK(!lt_units_convert("weight", 70, "KG", &v));
    /* Hb: g/dL x 10 = g/L; g/dL x 0.6206 = mmol/L */
    CHECK(lt_units_convert("hemoglobin", 80, "g/L", &v));
    CHECK_REL(v, 8.0, 1e-12);
    CHECK(lt_units_convert("hemoglobin", 5.0, "mmol/L", &v));
    CHECK_REL(v, 5.0 / 0.6206, 1e-12);
    CHECK_ABS(v, 8.06, 0.005); /* "5.0 mmol/L is about 8.06 g/dL" */
    CHECK(lt_units_convert("hemoglobin", 12.5, "g/dL", &v));
    CHECK_REL(v, 12.5, 0);
    /* creatinine: mg/dL x 88.4 = umol/L; NELMAS E16 pairs 150 umol/L with 1.7 mg/dL */
    CHECK(lt_units_convert("creatinine", 150, "umol/L", &v));
    CHECK_REL(v, 150 / 88.4, 1e-12);
    CHECK_ABS(v, 1.7, 0.01);
    CHECK(lt_units_convert("creatinine", 150, "µmol/L", &v));
    CHECK_REL(v, 1.696832579, 1e-9);
    /* bilirubin: mg/dL x 17.1 = umol/L */
    CHECK(lt_units_convert("bilirubin", 17.1, "umol/L", &v));
    CHECK_REL(v, 1.0, 1e-12);
    /* albumin: g/dL x 10 = g/L; NELMAS E12 3.0 g/dL */
    CHECK(lt_units_convert("albumin", 30, "g/L", &v));
    CHECK_REL(v, 3.0, 1e-12);
    /* counts: 10^9/L = 10^3/uL = 1000/mm3; NELMAS E9 "WBC <2x10^9/L (2000/mm3)" and E10
     * "Platelets <75x10^9/L (75x10^3/mm3)" */
    CHECK(lt_units_convert("wbc", 2000, "/mm3", &v));
    CHECK_REL(v, 2.0, 1e-12);
    CHECK(lt_units_convert("platelets", 75, "10*3/mm3", &v));
    CHECK_REL(v, 75, 0);
    CHECK(lt_units_convert("platelets", 248.2, "10*3/uL", &v));
    CHECK_REL(v, 248.2, 0);
    /* glucose 180.16 g/mol; weight; activity 1 mCi = 37 MBq; 200 mCi = 7.4 GBq (label) */
    CHECK(lt_units_convert("glucose_fasting", 5.5, "mmol/L", &v));
    CHECK_REL(v, 99.088, 1e-12);
    CHECK(lt_units_convert("weight", 200, "[lb_av]", &v));
    CHECK_REL(v, 90.718474, 1e-12);
    CHECK(lt_units_convert("prrt", 200, "mCi", &v));
    CHECK_REL(v, 7400, 1e-12);
    CHECK(lt_units_convert("prrt", 7.4, "GBq", &v));
    CHECK_REL(v, 7400, 1e-12);
    CHECK(lt_units_convert("alt", 1, "ukat/L", &v));
    CHECK_REL(v, 60, 0);
    /* not in the table: unknown, and the output untouched */
    v = -1;
    CHECK(!lt_units_convert("hemoglobin", 80, "mg/L", &v));
    CHECK(!lt_units_convert("hemoglobin", 80, "g/mL", &v)); /* "G/L" is g/L in UCUM c/i form */
    CHECK(!lt_units_convert("egfr", 80, "mL/min", &v));
    CHECK(!lt_units_convert("albumin", 600, "umol/L", &v));
    CHECK(!lt_units_convert("sodium", 140, "mmol/L", &v));
    CHECK(!lt_units_convert("hemoglobin", 8, NULL, &v));
    CHECK_REL(v, -1, 0);
    CHECK_STR(lt_units_canonical("hemoglobin"), "g/dL");
    CHECK_STR(lt_units_canonical("platelets"), "10^9/L");
    CHECK_STR(lt_units_canonical("egfr"), "mL/min/1.73m2");
    CHECK_STR(lt_units_canonical("inr"), "{ratio}");
    CHECK_STR(lt_units_canonical("prrt"), "MBq");
    CHECK(lt_units_canonical("ki67") == NULL);
    CHECK_STR(lt_fact_kind_name(LT_FACT_IMAGING), "imaging");
    CHECK_STR(lt_fact_problem_name(LT_FACT_UNIT_UNKNOWN), "unit_unknown");
}

/* Every unit docs/patient-format.md lists converts with the factor it states, so that the
 * documented table and the code cannot drift apart. Rows look like
 * "| creatinine | mg/dL | mg/dL, mg/dl (1); umol/L, µmol/L, umol/l (1 / 88.4); ... |". */
static void test_units_doc(void)
{
    char path[1024];
    const char *src = getenv("SRC");
    snprintf(path, sizeof path, "%s/docs/patient-format.md", src ? src : ".");
    char *text;
    size_t len;
    lt_error err;
    CHECK_MSG(lt_file_read(path, &text, &len, &err) == LT_OK, "cannot read %s", path);
    if (!text) return;
    int rows = 0, units = 0;
    const char *start = strstr(text, "| concept | canonical unit |");
    for (char *line = start ? strchr(start, '\n') : NULL; line && line[1] == '|';
         line = strchr(line + 1, '\n')) {
        char buf[512];
        size_t n = strcspn(line + 1, "\n");
        if (n >= sizeof buf || strncmp(line + 1, "|---", 4) == 0) continue;
        memcpy(buf, line + 1, n);
        buf[n] = '\0';
        char *cells[4] = {NULL};
        int k = 0;
        for (char *tok = strtok(buf, "|"); tok && k < 4; tok = strtok(NULL, "|"))
            cells[k++] = tok;
        if (k < 3) continue;
        rows++;
        /* cells[0]: analytes "a, b"; cells[2]: groups "u1, u2 (factor)" separated by ';' */
        char *analytes[8];
        int na = 0;
        for (char *a = strtok(cells[0], ", "); a && na < 8; a = strtok(NULL, ", "))
            analytes[na++] = a;
        for (char *g = cells[2]; g && *g;) {
            char *open = strchr(g, '('), *close = open ? strchr(open, ')') : NULL;
            if (!open || !close) break;
            double num = 0, den = 1;
            if (sscanf(open + 1, "%lf / %lf", &num, &den) < 1) break;
            *open = '\0';
            for (char *u = g; *u;) {
                while (*u == ' ' || *u == ',' || *u == ';')
                    u++;
                char *end = strstr(u, ", ");
                char unit[64];
                size_t ul = end ? (size_t)(end - u) : strlen(u);
                while (ul && u[ul - 1] == ' ')
                    ul--;
                if (!ul) break;
                snprintf(unit, sizeof unit, "%.*s", (int)ul, u);
                for (int i = 0; i < na; i++) {
                    double v = -1;
                    CHECK_MSG(lt_units_convert(analytes[i], 1, unit, &v) &&
                                  fabs(v - num / den) <= 1e-12 * (num / den),
                              "%s in %s: the doc says factor %g, the table gives %g", analytes[i],
                              unit, num / den, v);
                    units++;
                }
                if (!end) break;
                u = end + 2;
            }
            g = close + 1;
        }
    }
    CHECK_MSG(rows == 12, "%d rows in the doc's units table, expected 12", rows);
    CHECK_MSG(units > 60, "only %d units checked", units);
    free(text);
}

/* ---- native JSON ---- */

static const char *good_native =
    "{\n"
    "  \"id\": \"n1\", \"birth_date\": \"1962-03-14\", \"sex\": \"female\",\n"
    "  \"comment\": \"a test patient\",\n"
    "  \"labs\": [\n"
    "    {\"code\": \"hemoglobin\", \"date\": \"2026-10-20\", \"value\": 7.2, \"unit\": "
    "\"mmol/L\",\n"
    "     \"low\": 7.4, \"high\": 9.9},\n"
    "    {\"code\": \"creatinine\", \"date\": \"2026-10-20\", \"value\": 71, \"unit\": "
    "\"umol/L\"},\n"
    "    {\"code\": \"bilirubin\", \"date\": \"2026-10-19\", \"value\": 0.3, \"unit\": \"mg/dL\",\n"
    "     \"comparator\": \"<\"},\n"
    "    {\"code\": \"albumin\", \"date\": \"2026-10-20\", \"value\": 41, \"unit\": \"g/100mL\"}\n"
    "  ],\n"
    "  \"vitals\": [{\"code\": \"weight\", \"date\": \"2026-10-20\", \"value\": 150, \"unit\": "
    "\"lb\"}],\n"
    "  \"performance\": [{\"code\": \"ecog\", \"date\": \"2026-10-20\", \"value\": 1}],\n"
    "  \"diagnoses\": [\n"
    "    {\"code\": \"net\", \"date\": \"2026-05-02\", \"primary_site\": \"small_intestine\",\n"
    "     \"grade\": \"G2\", \"ki67\": 8, \"differentiation\": \"well\", \"confirmed\": "
    "\"histology\"},\n"
    "    {\"code\": \"liver_metastases\", \"date\": \"2026-05-02\", \"resectable\": true}\n"
    "  ],\n"
    "  \"procedures\": [{\"code\": \"liver_resection\", \"date\": \"2026-08-28\", \"margin\": "
    "\"R1\",\n"
    "     \"text\": \"segments 6 and 7, tumour at the margin\"}],\n"
    "  \"imaging\": [{\"code\": \"ga68_dotatate_pet\", \"date\": \"2026-07-10\",\n"
    "     \"liver_metastases\": \"yes\", \"extrahepatic_disease\": \"no\", \"suv_max\": 31.5}],\n"
    "  \"treatments\": [\n"
    "    {\"code\": \"prrt\", \"date\": \"2024-01-10\", \"value\": 7.4, \"unit\": \"GBq\"},\n"
    "    {\"code\": \"radiotherapy_external\", \"date\": \"2020-01-10\", \"end_date\": "
    "\"2020-02-01\",\n"
    "     \"bone_marrow_percent\": 10, \"attrs\": {\"site_field\": \"pelvis\"}}\n"
    "  ],\n"
    "  \"status\": [{\"code\": \"pregnant\", \"date\": \"2026-10-20\", \"value\": false},\n"
    "             {\"code\": \"breastfeeding\", \"date\": \"2026-10-20\", \"value\": null}],\n"
    "  \"attestations\": [{\"code\": \"consent_written\", \"date\": \"2026-10-21\", \"value\": "
    "true}]\n"
    "}\n";

static void test_native(void)
{
    lt_cohort *c = cohort();
    lt_error err;
    lt_status st = read_str(c, good_native, "p.json", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    CHECK_INT(lt_cohort_count(c), 1);
    const lt_patient *p = lt_cohort_find(c, "n1");
    CHECK(p != NULL);
    if (!p) goto out;
    CHECK_INT(p->birth_date, lt_date_from_ymd(1962, 3, 14));
    CHECK_INT(p->sex, LT_SEX_FEMALE);
    CHECK_INT(p->death_date, LT_DATE_NONE);
    CHECK_INT(p->nfacts, 15);
    for (size_t i = 1; i < p->nfacts; i++)
        CHECK_MSG(p->facts[i - 1].date <= p->facts[i].date, "facts not in date order at %zu", i);

    const lt_fact *f = one(p, LT_FACT_LAB, "hemoglobin");
    CHECK(f && f->has_value && f->problem == LT_FACT_OK);
    if (f) {
        CHECK_REL(f->value, 7.2 / 0.6206, 1e-12);
        CHECK_STR(f->unit, "g/dL");
        CHECK_REL(f->given_value, 7.2, 0);
        CHECK_STR(f->given_unit, "mmol/L");
        CHECK(f->has_low && f->has_high);
        CHECK_REL(f->low, 7.4 / 0.6206, 1e-12);
        CHECK_REL(f->high, 9.9 / 0.6206, 1e-12);
        CHECK_STR(f->source, "p.json: labs[0]");
    }
    f = one(p, LT_FACT_LAB, "creatinine");
    CHECK(f && f->has_value);
    if (f) CHECK_REL(f->value, 71 / 88.4, 1e-12);
    f = one(p, LT_FACT_LAB, "bilirubin");
    CHECK(f && f->comparator == '<');
    /* g/100mL is not in albumin's table: unknown, never guessed */
    f = one(p, LT_FACT_LAB, "albumin");
    CHECK(f && !f->has_value && f->problem == LT_FACT_UNIT_UNKNOWN);
    if (f) {
        CHECK_STR(f->unit, "g/100mL");
        CHECK_REL(f->given_value, 41, 0);
    }
    f = one(p, LT_FACT_VITAL, "weight");
    if (f) CHECK_REL(f->value, 150 * 0.45359237, 1e-12);
    f = one(p, LT_FACT_PERFORMANCE, "ecog");
    CHECK(f && f->has_value && f->value == 1);
    f = one(p, LT_FACT_DIAGNOSIS, "net");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(lt_fact_attr(f, "grade")->text, "G2");
        CHECK_STR(lt_fact_attr(f, "primary_site")->text, "small_intestine");
        CHECK(lt_fact_attr(f, "ki67")->has_num && lt_fact_attr(f, "ki67")->num == 8);
        CHECK(lt_fact_attr(f, "nope") == NULL);
        CHECK_INT(f->date, lt_date_from_ymd(2026, 5, 2));
    }
    f = one(p, LT_FACT_DIAGNOSIS, "liver_metastases");
    CHECK(f && !strcmp(lt_fact_attr(f, "resectable")->text, "yes"));
    f = one(p, LT_FACT_PROCEDURE, "liver_resection");
    CHECK(f && f->text && !strcmp(f->text, "R1"));
    if (f) {
        CHECK_STR(lt_fact_attr(f, "margin")->text, "R1");
        CHECK_STR(lt_fact_attr(f, "note")->text, "segments 6 and 7, tumour at the margin");
    }
    f = one(p, LT_FACT_IMAGING, "ga68_dotatate_pet");
    CHECK(f && !strcmp(lt_fact_attr(f, "extrahepatic_disease")->text, "no"));
    if (f) CHECK_REL(lt_fact_attr(f, "suv_max")->num, 31.5, 0);
    f = one(p, LT_FACT_TREATMENT, "prrt");
    CHECK(f && f->has_value);
    if (f) {
        CHECK_REL(f->value, 7400, 1e-12);
        CHECK_STR(f->unit, "MBq");
    }
    f = one(p, LT_FACT_TREATMENT, "radiotherapy_external");
    CHECK(f && f->end_date == lt_date_from_ymd(2020, 2, 1));
    if (f) {
        CHECK_REL(lt_fact_attr(f, "bone_marrow_percent")->num, 10, 0);
        CHECK_STR(lt_fact_attr(f, "site_field")->text, "pelvis");
    }
    f = one(p, LT_FACT_STATUS, "pregnant");
    CHECK(f && f->flag == 0 && f->has_value);
    f = one(p, LT_FACT_STATUS, "breastfeeding");
    CHECK(f && f->flag == -1 && f->problem == LT_FACT_NO_VALUE);
    f = one(p, LT_FACT_ATTESTATION, "consent_written");
    CHECK(f && f->flag == 1);
    const lt_fact *all[32];
    CHECK_INT(lt_patient_facts(p, LT_FACT_LAB, NULL, all, 2), 4); /* counts beyond max */
out:
    lt_cohort_free(c);
}

/* Facts of one date and code keep the order read (the sort is stable), also after a merge. */
static void test_stable_order(void)
{
    lt_cohort *c = cohort();
    lt_error err;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"id\": \"s\", \"labs\": [");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "%s{\"code\": \"%s\", \"date\": \"2026-01-0%d\", \"value\": %d, "
                              "\"unit\": \"g/dL\"}",
                              i ? ", " : "", i % 2 ? "albumin" : "hemoglobin", 9 - i % 3, i);
    snprintf(text + n, sizeof text - n, "]}");
    CHECK(read_str(c, text, "s.json", &err) == LT_OK);
    CHECK(read_str(c,
                   "patient,date,analyte,value,unit\ns,2026-01-07,albumin,100,g/dL\n"
                   "s,2026-01-07,albumin,101,g/dL\n",
                   "s.csv", &err) == LT_OK);
    const lt_patient *p = lt_cohort_find(c, "s");
    CHECK(p && p->nfacts == 42);
    bool ordered = p != NULL;
    for (size_t i = 1; p && i < p->nfacts; i++) {
        const lt_fact *a = &p->facts[i - 1], *b = &p->facts[i];
        if (a->date > b->date || (a->date == b->date && strcmp(a->code, b->code) > 0) ||
            (a->date == b->date && !strcmp(a->code, b->code) && a->value > b->value))
            ordered = false;
    }
    CHECK_MSG(ordered, "facts of one date and code are not in the order read");
    lt_cohort_free(c);
}

typedef struct bad_case {
    const char *text;
    lt_status status;
    const char *where;   /* exact err.where */
    const char *message; /* a substring of err.message */
} bad_case;

static void test_native_errors(void)
{
    static const bad_case cases[] = {
        {"{\"id\": \"x\",\n \"lab\": []}", LT_ESCHEMA, "bad.json:2:9", "lab: unknown member"},
        {"{\"id\": \"x\", \"diagnoses\": [\n  {\"code\": \"net\", \"grade\": \"G4\"}]}", LT_ESCHEMA,
         "bad.json:2:28", "diagnoses[0].grade: expected one of G1, G2, G3; found \"G4\""},
        {"{\"id\": \"x\", \"diagnoses\": [{\"code\": \"net\", \"grde\": \"G2\"}]}", LT_ESCHEMA,
         "bad.json:1:51", "diagnoses[0].grde: unknown member"},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"value\": 12}]}", LT_ESCHEMA,
         "bad.json:1:54", "labs[0].value: a value needs its \"unit\""},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobn\", \"value\": 12, \"unit\": "
         "\"g/dL\"}]}",
         LT_ESCHEMA, "bad.json:1:31", "labs[0].code: \"hemoglobn\" is not a lab concept"},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"date\": \"2026-02-30\", "
         "\"value\": 12, \"unit\": \"g/dL\"}]}",
         LT_ESCHEMA, "bad.json:1:53",
         "labs[0].date: expected a date YYYY-MM-DD; found \"2026-02-30\""},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"value\": \"12\", \"unit\": "
         "\"g/dL\"}]}",
         LT_ESCHEMA, "bad.json:1:54", "labs[0].value: expected a number; found \"12\""},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"value\": -5, \"unit\": "
         "\"g/dL\"}]}",
         LT_ESCHEMA, "bad.json:1:54", "labs[0].value: expected a number >= 0 for hemoglobin; found -5"},
        {"{\"id\": \"x\", \"performance\": [{\"code\": \"ecog\", \"value\": 6}]}", LT_ESCHEMA,
         "bad.json:1:55", "expected a whole-number ecog score from 0 to 5; found 6"},
        {"{\"id\": \"x\", \"status\": [{\"code\": \"pregnant\", \"value\": \"no\"}]}", LT_ESCHEMA,
         "bad.json:1:54", "status[0].value: expected true or false"},
        {"{\"id\": \"x\", \"procedures\": [{\"code\": \"liver_resection\", \"margin\": \"R3\"}]}",
         LT_ESCHEMA, "bad.json:1:66", "expected one of R0, R1, R2"},
        {"{\"birth_date\": \"1960-01-01\"}", LT_ESCHEMA, "bad.json:1:1",
         "expected an \"id\" string"},
        {"{\"id\": \"x\", \"sex\": \"f\"}", LT_ESCHEMA, "bad.json:1:20",
         "sex: expected female, male"},
        {"{\"id\": \"x\", \"labs\": {}}", LT_ESCHEMA, "bad.json:1:21", "labs: expected an array"},
        {"[{\"id\": \"a\"}, {\"id\": \"b\", \"vitals\": [{\"code\": \"weight\", \"value\": 70, "
         "\"unit\": \"kg\", \"low\": 1}]}]",
         LT_ESCHEMA, "bad.json:1:91", "[1].vitals[0].low: only labs have a range"},
        {"{\"id\": \"x\", \"treatments\": [{\"code\": \"prrt\", \"date\": \"2024-02-01\", "
         "\"end_date\": \"2024-01-01\"}]}",
         LT_ESCHEMA, "bad.json:1:79", "end date is before the date"},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"value\": 12, \"unit\": \"g/dL\", "
         "\"comparator\": \"=<\"}]}",
         LT_ESCHEMA, "bad.json:1:88", "expected <, <=, > or >="},
        {"{\"id\": \"x\",", LT_EPARSE, NULL, ""},
        {"[]", LT_ESCHEMA, "bad.json:1:1", "an empty array"},
        {"{\"resourceType\": \"Patient\", \"id\": \"x\"}", LT_ESCHEMA, "bad.json",
         "a FHIR Patient resource: expected a Bundle"},
        {"   \n\n", LT_ESCHEMA, "bad.json", "the file is empty"},
        {"[{\"id\": \"a\", \"birth_date\": \"1950-01-01\"},\n {\"id\": \"a\", \"birth_date\": "
         "\"1950-01-02\"}]",
         LT_ECONFLICT, "bad.json:2:28",
         "[1].birth_date: patient a has birth dates 1950-01-01 and 1950-01-02"},
        /* dates no living adult's record has, and ids that are not ids (issue 8, section 3) */
        {"{\"id\": \"x\", \"birth_date\": \"1899-12-31\"}", LT_ESCHEMA, "bad.json:1:27",
         "birth_date: expected a date from 1900-01-01 on; found \"1899-12-31\""},
        {"{\"id\": \"x\", \"labs\": [{\"code\": \"hemoglobin\", \"date\": \"1062-10-01\", "
         "\"value\": 12, \"unit\": \"g/dL\"}]}",
         LT_ESCHEMA, "bad.json:1:53", "labs[0].date: expected a date from 1900-01-01 on"},
        {"{\"id\": \"x\", \"birth_date\": \"1960-01-01\", \"death_date\": \"1959-12-31\"}",
         LT_ESCHEMA, "bad.json:1:55", "death_date: the death date 1959-12-31 is before the birth "
                                      "date 1960-01-01"},
        {"{\"id\": \"p\\u0001\"}", LT_ESCHEMA, "bad.json:1:8",
         "id: expected an id without control characters"},
        {"{\"id\": \"p1\\nx\"}", LT_ESCHEMA, "bad.json:1:8",
         "id: expected an id without control characters"},
        /* a NUL would cut the id to "p1": refused where every JSON input is parsed */
        {"[{\"id\": \"p1\"},\n {\"id\": \"p1\\u0000x\"}]", LT_EPARSE, "bad.json:2:12",
         "expected a string without NUL characters"},
        {"{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
         "\"Patient\", \"id\": \"f\", \"birthDate\": \"1850-01-01\"}}]}",
         LT_ESCHEMA, "bad.json: Patient/f", "birthDate: expected a date YYYY-MM-DD from 1900-01-01 on"},
        {"{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
         "\"Patient\", \"id\": \"f\", \"birthDate\": \"1960-01-01\", \"deceasedDateTime\": "
         "\"1950-01-01\"}}]}",
         LT_ESCHEMA, "bad.json: Patient/f", "deceasedDateTime: before the birthDate"},
        {"{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
         "\"Patient\", \"id\": \"f\\tg\"}}]}",
         LT_ESCHEMA, NULL, "id: expected an id without control characters"},
        {"patient,date,analyte,value,unit\nc1,1899-12-31,creatinine,0.9,mg/dL\n", LT_ESCHEMA,
         "bad.json:2", "column date: expected a date from 1900-01-01 on, found 1899-12-31"},
        {"patient,date,analyte,value,unit\n\"c\tx\",2026-10-01,creatinine,0.9,mg/dL\n", LT_ESCHEMA,
         "bad.json:2", "column patient: expected an id without control characters"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_cohort *c = cohort();
        lt_error err;
        lt_status st = read_str(c, cases[i].text, "bad.json", &err);
        CHECK_MSG(st == cases[i].status, "case %zu: status %d, expected %d (%s: %s)", i, st,
                  cases[i].status, err.where, err.message);
        if (cases[i].where)
            CHECK_MSG(!strcmp(err.where, cases[i].where), "case %zu: where \"%s\", expected \"%s\"",
                      i, err.where, cases[i].where);
        CHECK_MSG(strstr(err.message, cases[i].message) != NULL,
                  "case %zu: message \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
        CHECK_MSG(lt_cohort_count(c) == 0, "case %zu: a failed read added patients", i);
        lt_cohort_free(c);
    }
}

static void test_merge(void)
{
    lt_cohort *c = cohort();
    lt_error err;
    CHECK(read_str(c,
                   "{\"id\": \"m\", \"birth_date\": \"1950-01-01\", \"labs\": [{\"code\": "
                   "\"platelets\", \"date\": \"2026-01-02\", \"value\": 200, \"unit\": "
                   "\"10^9/L\"}]}",
                   "a.json", &err) == LT_OK);
    /* a CSV of the same patient adds labs; the facts are merged in date order */
    CHECK(read_str(c, "patient,date,analyte,value,unit\nm,2026-01-01,platelets,180,10*3/uL\n",
                   "b.csv", &err) == LT_OK);
    const lt_patient *p = lt_cohort_find(c, "m");
    CHECK(p && p->nfacts == 2 && p->birth_date == lt_date_from_ymd(1950, 1, 1));
    if (p && p->nfacts == 2) {
        CHECK_REL(p->facts[0].value, 180, 0);
        CHECK_STR(p->facts[0].source, "b.csv:2");
        CHECK_STR(p->facts[1].source, "a.json: labs[0]");
    }
    /* a second record that disagrees on the birth date is refused, and nothing is added */
    CHECK(read_str(c,
                   "{\"id\": \"m\", \"birth_date\": \"1951-01-01\", \"labs\": [{\"code\": "
                   "\"platelets\", \"value\": 1, \"unit\": \"10^9/L\"}]}",
                   "c.json", &err) == LT_ECONFLICT);
    CHECK(strstr(err.message, "birth date 1951-01-01 here but 1950-01-01 in a.json") != NULL);
    CHECK(p && p->nfacts == 2);
    /* two cohorts read apart (as on two threads) then merged */
    lt_cohort *d = cohort();
    CHECK(read_str(d, "[{\"id\": \"m\", \"sex\": \"male\"}, {\"id\": \"z\"}]", "d.json", &err) ==
          LT_OK);
    CHECK(lt_cohort_merge(c, d, &err) == LT_OK);
    CHECK_INT(lt_cohort_count(c), 2);
    CHECK_INT(lt_cohort_count(d), 0);
    CHECK(lt_cohort_find(c, "z") != NULL && lt_cohort_find(d, "z") == NULL);
    CHECK(lt_cohort_find(c, "m")->sex == LT_SEX_MALE);
    lt_cohort_free(d);
    /* many patients: the id index grows */
    lt_cohort *e = cohort();
    char row[64];
    char *csv = malloc(200000);
    size_t n = (size_t)sprintf(csv, "patient;date;analyte;value;unit\n");
    for (int i = 0; i < 3000; i++) {
        int k = snprintf(row, sizeof row, "p%d;2026-01-%02d;hemoglobin;%d;g/L\n", i % 1000,
                         1 + i % 28, 100 + i % 50);
        memcpy(csv + n, row, (size_t)k);
        n += (size_t)k;
    }
    csv[n] = '\0';
    CHECK(read_str(e, csv, "many.csv", &err) == LT_OK);
    CHECK_INT(lt_cohort_count(e), 1000);
    const lt_patient *q = lt_cohort_find(e, "p999");
    CHECK(q && q->nfacts == 3);
    free(csv);
    lt_cohort_free(e);
    lt_cohort_free(c);
}

/* ---- FHIR ---- */

static const char *bundle =
    "{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [\n"
    "{\"fullUrl\": \"urn:uuid:pt-1\", \"resource\": {\"resourceType\": \"Patient\", \"id\": "
    "\"pt-1\",\n"
    "  \"birthDate\": \"1958-06-01\", \"gender\": \"male\", \"deceasedDateTime\": "
    "\"2027-01-01T10:00:00Z\"}},\n"
    /* haemoglobin in mmol/L with a reference range in g/L: each limit in its own unit */
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"hb\", \"status\": \"final\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://acme.org/labs\", \"code\": \"HB\"},\n"
    "                        {\"system\": \"http://loinc.org\", \"code\": \"59260-0\"}]},\n"
    "  \"subject\": {\"reference\": \"urn:uuid:pt-1\"}, \"effectiveDateTime\": "
    "\"2026-10-01T08:00:00+02:00\",\n"
    "  \"valueQuantity\": {\"value\": 8.1, \"unit\": \"mmol/l\", \"system\": "
    "\"http://unitsofmeasure.org\", \"code\": \"mmol/L\"},\n"
    "  \"referenceRange\": [{\"low\": {\"value\": 135, \"unit\": \"g/L\"}, \"high\": {\"value\": "
    "17.5, \"code\": \"g/dL\"}}]}},\n"
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"cr\", \"status\": \"amended\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"14682-9\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectivePeriod\": {\"start\": "
    "\"2026-10-02\"},\n"
    "  \"valueQuantity\": {\"value\": 40, \"comparator\": \"<\", \"unit\": \"umol/L\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"plt\", \"status\": "
    "\"preliminary\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"777-3\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectiveDateTime\": \"2026-10-03\",\n"
    "  \"valueQuantity\": {\"value\": 150, \"unit\": \"10*3/uL\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"alb\", \"status\": \"final\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"1751-7\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectiveDateTime\": \"2026-10-03\",\n"
    "  \"dataAbsentReason\": {\"coding\": [{\"code\": \"error\"}]}}},\n"
    /* 2118-8 in the CDC race code system is not hCG */
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"race\", \"status\": \"final\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"urn:oid:2.16.840.1.113883.6.238\", \"code\": "
    "\"2118-8\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"valueQuantity\": {\"value\": 1, \"unit\": "
    "\"IU/L\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"hcg\", \"status\": \"final\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"2118-8\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectiveDateTime\": \"2026-10-xx\",\n"
    "  \"valueQuantity\": {\"value\": 2, \"unit\": \"mIU/mL\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"ecog\", \"status\": \"final\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"89247-1\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectiveDateTime\": \"2026-10-03\", "
    "\"valueInteger\": 1}},\n"
    "{\"resource\": {\"resourceType\": \"Condition\", \"id\": \"net\",\n"
    "  \"clinicalStatus\": {\"coding\": [{\"code\": \"active\"}]},\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://hl7.org/fhir/sid/icd-10-cm\", \"code\": "
    "\"C7A.012\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"onsetDateTime\": \"2025-03-01\"}},\n"
    "{\"resource\": {\"resourceType\": \"Condition\", \"id\": \"hf\",\n"
    "  \"verificationStatus\": {\"coding\": [{\"code\": \"refuted\"}]},\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://snomed.info/sct\", \"code\": "
    "\"84114007\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Condition\", \"id\": \"preg\",\n"
    "  \"clinicalStatus\": {\"coding\": [{\"code\": \"resolved\"}]},\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://snomed.info/sct\", \"code\": "
    "\"72892002\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"onsetDateTime\": \"1990-12-15\",\n"
    "  \"abatementDateTime\": \"1991-07-20\"}},\n"
    "{\"resource\": {\"resourceType\": \"Procedure\", \"id\": \"hx\", \"status\": \"completed\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://www.ama-assn.org/go/cpt\", \"code\": "
    "\"47120\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"performedPeriod\": {\"start\": "
    "\"2026-08-28T09:00:00Z\", \"end\": \"2026-08-28T14:00:00Z\"},\n"
    "  \"outcome\": {\"text\": \"complete resection, margins R0\"}}},\n"
    "{\"resource\": {\"resourceType\": \"Procedure\", \"id\": \"hx2\", \"status\": \"not-done\",\n"
    "  \"code\": {\"coding\": [{\"system\": \"http://www.ama-assn.org/go/cpt\", \"code\": "
    "\"47122\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}}},\n"
    "{\"resource\": {\"resourceType\": \"MedicationStatement\", \"id\": \"evero\", \"status\": "
    "\"completed\",\n"
    "  \"medicationCodeableConcept\": {\"coding\": [{\"system\": \"http://www.whocc.no/atc\", "
    "\"code\": \"L01EG02\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectivePeriod\": {\"start\": "
    "\"2024-01-01\", \"end\": \"2024-06-30\"}}},\n"
    "{\"resource\": {\"resourceType\": \"MedicationAdministration\", \"id\": \"lu\", \"status\": "
    "\"completed\",\n"
    "  \"medicationCodeableConcept\": {\"coding\": [{\"system\": \"http://www.whocc.no/atc\", "
    "\"code\": \"V10XX04\"}]},\n"
    "  \"subject\": {\"reference\": \"Patient/pt-1\"}, \"effectiveDateTime\": \"2023-05-05\",\n"
    "  \"dosage\": {\"dose\": {\"value\": 200, \"unit\": \"mCi\"}}}},\n"
    "{\"resource\": {\"resourceType\": \"Claim\", \"id\": \"cl\", \"patient\": {\"reference\": "
    "\"Patient/nobody\"}}},\n"
    "{\"fullUrl\": \"urn:uuid:gone\", \"response\": {\"status\": \"204\"}}\n"
    "]}\n";

static void test_fhir(void)
{
    lt_cohort *c = cohort();
    lt_error err;
    lt_status st = read_str(c, bundle, "b.json", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    const lt_patient *p = lt_cohort_find(c, "pt-1");
    CHECK(p != NULL);
    if (!p) goto out;
    CHECK_INT(p->sex, LT_SEX_MALE);
    CHECK_INT(p->birth_date, lt_date_from_ymd(1958, 6, 1));
    CHECK_INT(p->death_date, lt_date_from_ymd(2027, 1, 1));
    const lt_fact *f = one(p, LT_FACT_LAB, "hemoglobin");
    CHECK(f && f->has_value && f->problem == LT_FACT_OK);
    if (f) {
        CHECK_REL(f->value, 8.1 / 0.6206, 1e-12);
        CHECK_STR(f->given_unit, "mmol/L"); /* the UCUM code, preferred over the display */
        CHECK(f->has_low && f->has_high);
        CHECK_REL(f->low, 13.5, 1e-12);
        CHECK_REL(f->high, 17.5, 1e-12);
        CHECK_INT(f->date, lt_date_from_ymd(2026, 10, 1));
        CHECK_STR(f->source, "b.json: Observation/hb");
    }
    f = one(p, LT_FACT_LAB, "creatinine");
    CHECK(f && f->comparator == '<' && f->problem == LT_FACT_OK);
    if (f) CHECK_REL(f->value, 40 / 88.4, 1e-12);
    f = one(p, LT_FACT_LAB, "platelets");
    CHECK(f && f->problem == LT_FACT_NOT_FINAL);
    f = one(p, LT_FACT_LAB, "albumin");
    CHECK(f && f->problem == LT_FACT_NO_VALUE && !f->has_value);
    if (f) CHECK_STR(f->text, "error");
    f = one(p, LT_FACT_LAB, "hcg"); /* only the LOINC one: the race code is not hCG */
    CHECK(f && f->problem == LT_FACT_BAD_DATE && f->value == 2);
    f = one(p, LT_FACT_PERFORMANCE, "ecog");
    CHECK(f && f->has_value && f->value == 1);
    f = one(p, LT_FACT_DIAGNOSIS, "net");
    CHECK(f != NULL);
    if (f) {
        CHECK_STR(lt_fact_attr(f, "primary_site")->text, "small_intestine");
        CHECK_STR(lt_fact_attr(f, "clinical_status")->text, "active");
        CHECK_INT(f->date, lt_date_from_ymd(2025, 3, 1));
    }
    CHECK_INT(lt_patient_facts(p, LT_FACT_DIAGNOSIS, "heart_failure", NULL, 0), 0);
    const lt_fact *preg[3];
    CHECK_INT(lt_patient_facts(p, LT_FACT_STATUS, "pregnant", preg, 3), 2);
    CHECK(preg[0]->flag == 1 && preg[0]->date == lt_date_from_ymd(1990, 12, 15));
    CHECK(preg[1]->flag == 0 && preg[1]->date == lt_date_from_ymd(1991, 7, 20));
    f = one(p, LT_FACT_PROCEDURE, "liver_resection");
    CHECK(f && f->text && !strcmp(f->text, "R0"));
    f = one(p, LT_FACT_TREATMENT, "everolimus");
    CHECK(f && f->end_date == lt_date_from_ymd(2024, 6, 30));
    f = one(p, LT_FACT_TREATMENT, "prrt");
    CHECK(f && f->has_value);
    if (f) CHECK_REL(f->value, 7400, 1e-12);
    CHECK_INT(p->nfacts, 12);
out:
    lt_cohort_free(c);

    /* errors: a subject outside the bundle, no Patient at all */
    c = cohort();
    st = read_str(
        c,
        "{\"resourceType\": \"Bundle\", \"entry\": ["
        "{\"resource\": {\"resourceType\": \"Patient\", \"id\": \"a\"}},"
        "{\"resource\": {\"resourceType\": \"Patient\", \"id\": \"b\"}},"
        "{\"resource\": {\"resourceType\": \"Observation\", \"id\": \"o\", "
        "\"code\": {\"coding\": [{\"system\": \"http://loinc.org\", \"code\": \"718-7\"}]},"
        "\"subject\": {\"reference\": \"Patient/c\"}}}]}",
        "two.json", &err);
    /* read past with a warning naming it: the two patients are still read */
    CHECK(st == LT_OK);
    CHECK_INT(lt_cohort_count(c), 2);
    CHECK_INT(lt_cohort_warning_count(c), 1);
    CHECK(lt_cohort_warning(c, 0) &&
          strstr(lt_cohort_warning(c, 0), "two.json: Observation/o: subject \"Patient/c\" is not "
                                          "a Patient of this bundle"));
    st = read_str(c, "{\"resourceType\": \"Bundle\", \"entry\": []}", "none.json", &err);
    CHECK(st == LT_ESCHEMA && strstr(err.message, "no Patient resource"));
    lt_cohort_free(c);
}

/* ---- CSV ---- */

static void test_csv(void)
{
    lt_cohort *c = cohort();
    lt_error err;
    const char *good = "\xEF\xBB\xBFPatient,Date,Analyte,Value,Unit,Low,High,Comparator,Status\r\n"
                       "c1,2026-10-01,hemoglobin,128,g/L,120,160,,final\r\n"
                       "c1,2026-10-01,creatinine,,umol/L,,,,\r\n"
                       "c1,2026-10-02,platelets,99,10^9/L,150,400,,preliminary\r\n"
                       "c1,2026-10-02,bilirubin,5,umol/l,,,<,\r\n"
                       "c1,2026-10-02,albumin,30,g/dl,,,,\r\n"
                       "c1,2026-10-02,albumin,3,mg/mL,,,,\r\n";
    lt_status st = read_str(c, good, "labs.csv", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    const lt_patient *p = lt_cohort_find(c, "c1");
    CHECK(p && p->nfacts == 6);
    if (p) {
        const lt_fact *f = one(p, LT_FACT_LAB, "hemoglobin");
        CHECK(f && f->has_value && f->has_low && f->has_high);
        if (f) {
            CHECK_REL(f->value, 12.8, 1e-12);
            CHECK_REL(f->low, 12.0, 1e-12);
            CHECK_STR(f->source, "labs.csv:2");
        }
        f = one(p, LT_FACT_LAB, "creatinine");
        CHECK(f && f->problem == LT_FACT_NO_VALUE && !f->has_value);
        f = one(p, LT_FACT_LAB, "platelets");
        CHECK(f && f->problem == LT_FACT_NOT_FINAL);
        f = one(p, LT_FACT_LAB, "bilirubin");
        CHECK(f && f->comparator == '<');
        if (f) CHECK_REL(f->value, 5 / 17.1, 1e-12);
        const lt_fact *alb[2];
        CHECK_INT(lt_patient_facts(p, LT_FACT_LAB, "albumin", alb, 2), 2);
        CHECK(alb[0]->has_value && alb[0]->value == 30); /* g/dl is g/dL */
        CHECK(alb[1]->problem == LT_FACT_UNIT_UNKNOWN);
    }
    lt_cohort_free(c);

    /* LOINC codes through data/concepts.json, tab-separated */
    c = cohort();
    st = read_str(c, "patient_id\tdate\tloinc\tvalue\tunit\nq\t2026-01-01\t718-7\t13\tg/dL\n",
                  "l.tsv", &err);
    CHECK_MSG(st == LT_OK, "%s: %s", err.where, err.message);
    p = lt_cohort_find(c, "q");
    CHECK(p && one(p, LT_FACT_LAB, "hemoglobin") && one(p, LT_FACT_LAB, "hemoglobin")->value == 13);
    lt_cohort_free(c);

    static const bad_case cases[] = {
        {"patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,abc,g/dL\n", LT_ESCHEMA,
         "bad.csv:2", "column value: expected a number, found \"abc\""},
        {"patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,12,g/dL\n"
         "x,01/02/2026,hemoglobin,12,g/dL\n",
         LT_ESCHEMA, "bad.csv:3", "column date: expected YYYY-MM-DD, found \"01/02/2026\""},
        {"patient,date,analyte,value,unit\nx,2026-01-01,hb,12,g/dL\n", LT_ESCHEMA, "bad.csv:2",
         "column analyte: \"hb\" is not a lab"},
        {"patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,12\n", LT_ESCHEMA, "bad.csv:2",
         "4 fields, expected 5"},
        {"patient,date,analyte,value,unit\n,2026-01-01,hemoglobin,12,g/dL\n", LT_ESCHEMA,
         "bad.csv:2", "column patient: empty"},
        {"patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,12,\n", LT_ESCHEMA, "bad.csv:2",
         "column unit: empty"},
        {"patient,date,analyte,value,unit,low\nx,2026-01-01,hemoglobin,12,g/dL,low\n", LT_ESCHEMA,
         "bad.csv:2", "column low: expected a number"},
        {"patient,date,analyte,value,unit,comparator\nx,2026-01-01,hemoglobin,12,g/dL,~\n",
         LT_ESCHEMA, "bad.csv:2", "column comparator"},
        {"patient,date,value,unit\n", LT_ESCHEMA, "bad.csv:1", "exactly one of the columns"},
        {"patient,when,analyte,value,unit\n", LT_ESCHEMA, "bad.csv:1",
         "column 2: unknown column \"when\""},
        {"patient,date,loinc,value,unit\nx,2026-01-01,2345-7,12,mg/dL\n", LT_ESCHEMA, "bad.csv:2",
         "column loinc: \"2345-7\" maps to no lab"},
        {"patient,date,analyte,value,unit\n\"x,2026-01-01\n", LT_EPARSE, NULL, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c = cohort();
        st = read_str(c, cases[i].text, "bad.csv", &err);
        CHECK_MSG(st == cases[i].status, "csv case %zu: status %d, expected %d (%s: %s)", i, st,
                  cases[i].status, err.where, err.message);
        if (cases[i].where)
            CHECK_MSG(!strcmp(err.where, cases[i].where),
                      "csv case %zu: where \"%s\", expected \"%s\"", i, err.where, cases[i].where);
        CHECK_MSG(strstr(err.message, cases[i].message) != NULL,
                  "csv case %zu: message \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
        CHECK_INT(lt_cohort_count(c), 0);
        lt_cohort_free(c);
    }
}

/* A cell too long for the reader is refused, never cut: 300 digits would otherwise read as a
 * different number. */
static void test_csv_long_cell(void)
{
    char text[1024];
    int k =
        snprintf(text, sizeof text, "patient,date,analyte,value,unit\nx,2026-01-01,hemoglobin,");
    memset(text + k, '1', 300);
    snprintf(text + k + 300, sizeof text - (size_t)k - 300, ",g/dL\n");
    lt_cohort *c = cohort();
    lt_error err;
    CHECK(read_str(c, text, "long.csv", &err) == LT_ESCHEMA);
    CHECK_STR(err.where, "long.csv:2");
    CHECK(strstr(err.message, "column value: longer than 255 characters") != NULL);
    CHECK_INT(lt_cohort_count(c), 0);
    lt_cohort_free(c);
}

/* ---- the concept map ---- */

static void test_concepts(void)
{
    lt_concepts *m = NULL;
    lt_error err;
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_OK);
    lt_fact_kind k = LT_FACT_KIND_COUNT;
    CHECK_STR(lt_concepts_lookup(m, "http://loinc.org", "38483-4", &k), "creatinine");
    CHECK_INT(k, LT_FACT_LAB);
    CHECK_STR(lt_concepts_lookup(m, "http://loinc.org", "33914-3", &k), "egfr");
    CHECK(lt_concepts_lookup(m, "urn:oid:2.16.840.1.113883.6.238", "2118-8", &k) == NULL);
    CHECK(lt_concepts_lookup(m, "http://snomed.info/sct", "718-7", &k) == NULL);
    size_t shipped = lt_concepts_count(m);
    CHECK(shipped > 100);

    /* a site file adds a code and overrides a shipped one */
    char path[] = "/tmp/lt_concepts_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char *site =
        "{\"format\": \"lutetia-concepts\", \"systems\": {\"l\": \"http://loinc.org\"},"
        "\"mappings\": ["
        "{\"system\": \"http://acme.org/labs\", \"code\": \"HB\", \"kind\": \"lab\", \"concept\": "
        "\"hemoglobin\"},"
        "{\"system\": \"l\", \"code\": \"2339-0\", \"kind\": \"lab\", \"concept\": "
        "\"glucose_fasting\"}]}";
    CHECK(write(fd, site, strlen(site)) == (ssize_t)strlen(site));
    close(fd);
    CHECK(lt_concepts_add_file(m, path, &err) == LT_OK);
    CHECK_INT(lt_concepts_count(m), shipped + 2);
    CHECK_STR(lt_concepts_lookup(m, "http://acme.org/labs", "HB", &k), "hemoglobin");
    CHECK_STR(lt_concepts_lookup(m, "http://loinc.org", "2339-0", &k), "glucose_fasting");
    lt_concepts_free(m);
    /* the same through LUTETIA_CONCEPTS */
    setenv("LUTETIA_CONCEPTS", path, 1);
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_OK);
    CHECK_INT(lt_concepts_count(m), shipped + 2);
    lt_concepts_free(m);
    unsetenv("LUTETIA_CONCEPTS");

    /* bad site files: the map is left as it was */
    static const struct {
        const char *text, *where, *message;
    } bad[] = {
        {"{\"mappings\": []}", "", "\"format\": \"lutetia-concepts\""},
        {"{\"format\": \"lutetia-concepts\", \"mappings\": [{\"system\": \"s\", \"code\": \"c\", "
         "\"kind\": \"labs\", \"concept\": \"hemoglobin\"}]}",
         ": mappings[0].kind", "expected lab, vital"},
        {"{\"format\": \"lutetia-concepts\", \"mappings\": [{\"system\": \"s\", \"code\": \"c\", "
         "\"kind\": \"lab\", \"concept\": \"hemoglobin\"}, {\"system\": \"s\", \"code\": \"d\", "
         "\"kind\": \"diagnosis\", \"concept\": \"cancer\"}]}",
         ": mappings[1].concept", "\"cancer\" is not a diagnosis concept"},
        {"{\"format\": \"lutetia-concepts\", \"mappings\": [{\"code\": \"c\"}]}", ": mappings[0]",
         "a \"system\" and a \"code\""},
    };
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *fp = fopen(path, "w");
        fputs(bad[i].text, fp);
        fclose(fp);
        char where[300];
        snprintf(where, sizeof where, "%s%s", path, bad[i].where);
        CHECK_MSG(lt_concepts_add_file(m, path, &err) == LT_ESCHEMA, "bad map %zu accepted", i);
        CHECK_MSG(!strcmp(err.where, where), "bad map %zu: where %s", i, err.where);
        CHECK_MSG(strstr(err.message, bad[i].message) != NULL, "bad map %zu: %s", i, err.message);
        CHECK_INT(lt_concepts_count(m), shipped);
    }
    lt_concepts_free(m);
    remove(path);

    /* LUTETIA_DATA_DIR names the folder that holds concepts.json */
    char data[1024];
    snprintf(data, sizeof data, "%s/data", getenv("SRC") ? getenv("SRC") : ".");
    setenv("LUTETIA_DATA_DIR", data, 1);
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_OK && lt_concepts_count(m) == shipped);
    lt_concepts_free(m);
    /* a data dir without concepts.json is an error that says what to do */
    setenv("LUTETIA_DATA_DIR", "/nonexistent", 1);
    m = NULL;
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_ENOTFOUND && m == NULL);
    CHECK(strstr(err.message, "LUTETIA_DATA_DIR") != NULL);
    lt_cohort *c = cohort();
    CHECK(read_str(c, bundle, "b.json", &err) == LT_ENOTFOUND);
    lt_cohort_free(c);
    unsetenv("LUTETIA_DATA_DIR");
}

/* ---- the 94 Synthea bundles ---- */

static const lt_fact *by_source(const lt_patient *p, const char *suffix)
{
    size_t n = strlen(suffix);
    for (size_t i = 0; i < p->nfacts; i++) {
        size_t m = strlen(p->facts[i].source);
        if (m >= n && !strcmp(p->facts[i].source + m - n, suffix)) return &p->facts[i];
    }
    return NULL;
}

static void test_synthea(void)
{
    char dir[1024];
    const char *shared = getenv("SHARED");
    snprintf(dir, sizeof dir, "%s/data/synthea-r4", shared ? shared : "../shared");
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    CHECK_MSG(n > 0, "cannot list %s", dir);
    lt_concepts *m = NULL;
    lt_error err;
    CHECK(lt_concepts_load(NULL, &m, &err) == LT_OK);
    lt_cohort *c = cohort();
    lt_cohort_use_concepts(c, m);
    int files = 0, failed = 0;
    char **paths = calloc(n > 0 ? (size_t)n : 1, sizeof *paths);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && !strcmp(name + len - 5, ".json")) {
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            paths[files++] = strdup(path);
            if (lt_cohort_read_file(c, path, &err) != LT_OK) {
                failed++;
                printf("  %s: %s\n", err.where, err.message);
            }
        }
        free(names[i]);
    }
    free(names);

    /* the same files on two threads give the same cohort, fact for fact */
    lt_cohort *par = cohort();
    CHECK(lt_cohort_read_files(par, (const char *const *)paths, (size_t)files, 2, &err) == LT_OK);
    CHECK_INT(lt_cohort_count(par), lt_cohort_count(c));
    size_t same = 0;
    for (size_t i = 0; i < lt_cohort_count(c) && i < lt_cohort_count(par); i++) {
        const lt_patient *a = lt_cohort_patient(c, i), *b = lt_cohort_patient(par, i);
        bool eq = !strcmp(a->id, b->id) && a->nfacts == b->nfacts;
        for (size_t k = 0; eq && k < a->nfacts; k++)
            eq = !strcmp(a->facts[k].code, b->facts[k].code) &&
                 !strcmp(a->facts[k].source, b->facts[k].source) &&
                 a->facts[k].value == b->facts[k].value && a->facts[k].date == b->facts[k].date;
        same += eq;
    }
    CHECK_INT(same, lt_cohort_count(c));
    lt_cohort_free(par);
    /* bad files among them: each is skipped and named in a warning, in the given order, and
     * every other patient is read */
    if (files > 10) {
        char *keep[2] = {paths[3], paths[7]};
        paths[3] = strdup("/nonexistent/first.json");
        paths[7] = strdup("/nonexistent/second.json");
        par = cohort();
        CHECK(lt_cohort_read_files(par, (const char *const *)paths, (size_t)files, 2, &err) ==
              LT_OK);
        CHECK_INT(lt_cohort_warning_count(par), 2);
        CHECK_MSG(lt_cohort_warning(par, 0) && strstr(lt_cohort_warning(par, 0), "first.json") &&
                      strstr(lt_cohort_warning(par, 0), "the file is skipped"),
                  "warning: %s", lt_cohort_warning(par, 0));
        CHECK(lt_cohort_warning(par, 1) && strstr(lt_cohort_warning(par, 1), "second.json"));
        CHECK_INT(lt_cohort_count(par), lt_cohort_count(c) - 2);
        lt_cohort_free(par);
        /* when every file fails, the first one's error is the answer and nothing is added */
        par = cohort();
        const char *bad[2] = {"/nonexistent/first.json", "/nonexistent/second.json"};
        CHECK(lt_cohort_read_files(par, bad, 2, 2, &err) == LT_EIO);
        CHECK_MSG(strstr(err.where, "first.json") != NULL, "where: %s", err.where);
        CHECK_INT(lt_cohort_count(par), 0);
        lt_cohort_free(par);
        free(paths[3]);
        free(paths[7]);
        paths[3] = keep[0];
        paths[7] = keep[1];
    }
    for (int i = 0; i < files; i++)
        free(paths[i]);
    free(paths);
    CHECK_INT(files, 94);
    CHECK_INT(failed, 0);
    CHECK_INT(lt_cohort_count(c), 94);

    /* values read by jq from the same files:
     * jq '.entry[].resource | select(.id == "...") | .valueQuantity' */
    const lt_patient *p =
        lt_cohort_find(c, "36b0075a-44ae-459c-92a6-d83e037fd064"); /* Alda Carter */
    CHECK(p && p->birth_date == lt_date_from_ymd(2015, 8, 22) && p->sex == LT_SEX_FEMALE);
    const lt_fact *f = p ? by_source(p, "Observation/393d222d-09a7-4b8b-af01-45ac9f37a666") : NULL;
    CHECK(f && !strcmp(f->code, "hemoglobin") && f->has_value && !strcmp(f->unit, "g/dL"));
    if (f) CHECK_REL(f->value, 13.592, 1e-4);
    f = p ? by_source(p, "Observation/3a369c5b-42ba-4884-9631-0ae49bd56731") : NULL;
    CHECK(f && !strcmp(f->code, "platelets") && !strcmp(f->given_unit, "10*3/uL") &&
          !strcmp(f->unit, "10^9/L"));
    if (f) CHECK_REL(f->value, 248.201, 1e-5);

    p = lt_cohort_find(c, "0b779465-6db2-4931-bc13-5f6ff8e8c4d4"); /* Barrett Goldner */
    f = p ? by_source(p, "Observation/ba09a63b-ca3b-4b60-8889-15f8b393f57d") : NULL;
    CHECK(f && f->kind == LT_FACT_VITAL && !strcmp(f->code, "weight"));
    if (f) CHECK_REL(f->value, 88.02228949478216, 1e-15);

    for (size_t i = 0; i < lt_cohort_count(c); i++) {
        p = lt_cohort_patient(c, i);
        f = by_source(p, "Observation/2ad2a24f-4c95-406a-8c39-eb3c4e6634d0"); /* Alfonso */
        if (f) {
            CHECK(!strcmp(f->code, "creatinine") && !strcmp(f->unit, "mg/dL"));
            CHECK_REL(f->value, 1.1235142045408946, 1e-15);
        }
        f = by_source(p, "Observation/060a17af-7414-4c8e-887e-a2de5f7922b7"); /* Avril: albumin */
        if (f) CHECK_REL(f->value, 4.718135626666283, 1e-15);
        f = by_source(p, "Observation/69589023-e077-47a4-b73b-91904fb9c877"); /* bilirubin */
        if (f) CHECK(!strcmp(f->code, "bilirubin") && f->value == 1.1267909906298665);
        /* eGFR given per 1.73 m2 is read; Synthea's eGFR in plain mL/min is not guessed */
        f = by_source(p, "Observation/3af4e3fe-56fc-41a8-b2e8-c745e7e82b79");
        if (f)
            CHECK(!strcmp(f->code, "egfr") && f->has_value &&
                  fabs(f->value - 151.18350373156204) < 1e-9);
        f = by_source(p, "Observation/13127337-a727-4efd-be4d-9bb4cb2fe3e8");
        if (f)
            CHECK(!strcmp(f->code, "egfr") && !f->has_value && f->problem == LT_FACT_UNIT_UNKNOWN &&
                  !strcmp(f->unit, "mL/min"));
        /* a resolved pregnancy: yes at onset, no at abatement (both from one Condition) */
        f = by_source(p, "Condition/0796dd0d-5999-4007-927a-9a5447d6e415");
        if (f) {
            const lt_fact *preg[8];
            size_t np = lt_patient_facts(p, LT_FACT_STATUS, "pregnant", preg, 8);
            int seen = 0;
            for (size_t k = 0; k < np && k < 8; k++) {
                if (strstr(preg[k]->source, "0796dd0d-5999-4007-927a-9a5447d6e415") == NULL)
                    continue;
                seen |= preg[k]->flag == 1 && preg[k]->date == lt_date_from_ymd(1990, 12, 15);
                seen |= (preg[k]->flag == 0 && preg[k]->date == lt_date_from_ymd(1991, 7, 20)) << 1;
            }
            CHECK_INT(seen, 3);
        }
    }
    /* none of these patients has a NET: no net fact anywhere */
    size_t nets = 0, labs = 0, facts = 0;
    for (size_t i = 0; i < lt_cohort_count(c); i++) {
        p = lt_cohort_patient(c, i);
        nets += lt_patient_facts(p, LT_FACT_DIAGNOSIS, "net", NULL, 0);
        labs += lt_patient_facts(p, LT_FACT_LAB, NULL, NULL, 0);
        facts += p->nfacts;
    }
    CHECK_INT(nets, 0);
    printf("synthea: %zu patients, %zu facts of which %zu labs\n", lt_cohort_count(c), facts, labs);
    /* jq counts 1767 Observations whose LOINC code data/concepts.json maps to a lab:
     * jq '.entry[].resource | select(.resourceType=="Observation") | .code.coding[0].code' */
    CHECK_INT(labs, 1767);
    lt_cohort_free(c);
    lt_concepts_free(m);
}

/* ---- plausible ranges (data/plausible-ranges.json) ---- */

/* One fact as each reader gives it, and whether the reader must mark it implausible. */
static const struct {
    const char *name, *doc;
    const char *code;
    bool implausible;
} plausible_rows[] = {
    {"native creatinine 71 mg/dL (umol/L typed as mg/dL)",
     "{\"id\":\"a\",\"labs\":[{\"code\":\"creatinine\",\"date\":\"2026-10-01\",\"value\":71,"
     "\"unit\":\"mg/dL\"}]}",
     "creatinine", true},
    {"native creatinine 71 umol/L", "{\"id\":\"a\",\"labs\":[{\"code\":\"creatinine\",\"date\":"
                                    "\"2026-10-01\",\"value\":71,\"unit\":\"umol/L\"}]}",
     "creatinine", false},
    {"native platelets 1e308", "{\"id\":\"a\",\"labs\":[{\"code\":\"platelets\",\"date\":"
                               "\"2026-10-01\",\"value\":1e308,\"unit\":\"10^9/L\"}]}",
     "platelets", true},
    {"native hemoglobin 0.3 g/dL", "{\"id\":\"a\",\"labs\":[{\"code\":\"hemoglobin\",\"date\":"
                                   "\"2026-10-01\",\"value\":0.3,\"unit\":\"g/dL\"}]}",
     "hemoglobin", true},
    {"native hemoglobin 5.1 g/dL (critical, but a body's)",
     "{\"id\":\"a\",\"labs\":[{\"code\":\"hemoglobin\",\"date\":\"2026-10-01\",\"value\":5.1,"
     "\"unit\":\"g/dL\"}]}",
     "hemoglobin", false},
    {"native weight 0.001 kg", "{\"id\":\"a\",\"vitals\":[{\"code\":\"weight\",\"date\":"
                               "\"2026-10-01\",\"value\":0.001,\"unit\":\"kg\"}]}",
     "weight", true},
    {"native weight 68 kg", "{\"id\":\"a\",\"vitals\":[{\"code\":\"weight\",\"date\":"
                            "\"2026-10-01\",\"value\":68,\"unit\":\"kg\"}]}",
     "weight", false},
    {"native bilirubin ULN 1e6 mg/dL", "{\"id\":\"a\",\"labs\":[{\"code\":\"bilirubin\",\"date\":"
                                       "\"2026-10-01\",\"value\":0.5,\"unit\":\"mg/dL\","
                                       "\"high\":1e6}]}",
     "bilirubin", true},
    {"csv creatinine 71 mg/dL", "patient,date,analyte,value,unit\nc,2026-10-01,creatinine,71,mg/dL\n",
     "creatinine", true},
    {"csv creatinine LLN above ULN", "patient,date,analyte,value,unit,low,high\n"
                                     "c,2026-10-01,creatinine,0.9,mg/dL,1.2,0.6\n",
     "creatinine", true},
    {"csv creatinine with its range", "patient,date,analyte,value,unit,low,high\n"
                                      "c,2026-10-01,creatinine,0.9,mg/dL,0.6,1.2\n",
     "creatinine", false},
    {"fhir platelets 1e308", "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{"
                             "\"resourceType\":\"Patient\",\"id\":\"f\"}},{\"resource\":{"
                             "\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{"
                             "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"777-3\"}]},"
                             "\"effectiveDateTime\":\"2026-10-01\",\"valueQuantity\":{\"value\":"
                             "1e308,\"code\":\"10*3/uL\"}}}]}",
     "platelets", true},
    {"fhir platelets LLN 400 above ULN 150",
     "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":"
     "\"f\"}},{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{"
     "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"777-3\"}]},\"effectiveDateTime\":"
     "\"2026-10-01\",\"valueQuantity\":{\"value\":200,\"code\":\"10*3/uL\"},\"referenceRange\":"
     "[{\"low\":{\"value\":400,\"code\":\"10*3/uL\"},\"high\":{\"value\":150,\"code\":"
     "\"10*3/uL\"}}]}}]}",
     "platelets", true},
    {"fhir platelets 200 in 150-400",
     "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":"
     "\"f\"}},{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{"
     "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"777-3\"}]},\"effectiveDateTime\":"
     "\"2026-10-01\",\"valueQuantity\":{\"value\":200,\"code\":\"10*3/uL\"},\"referenceRange\":"
     "[{\"low\":{\"value\":150,\"code\":\"10*3/uL\"},\"high\":{\"value\":400,\"code\":"
     "\"10*3/uL\"}}]}}]}",
     "platelets", false},
    /* 1e308 GBq overflows to infinity in MBq: never a value */
    {"native prrt 1e308 GBq", "{\"id\":\"a\",\"treatments\":[{\"code\":\"prrt\",\"date\":"
                              "\"2024-01-01\",\"value\":1e308,\"unit\":\"GBq\"}]}",
     "prrt", true},
};

static void test_plausible(void)
{
    lt_plausible *t = NULL;
    lt_error err;
    CHECK_MSG(lt_plausible_load(NULL, &t, &err) == LT_OK, "%s: %s", err.where, err.message);
    double lo, hi;
    CHECK(lt_plausible_range(t, "creatinine", &lo, &hi) && lo > 0 && hi < 71);
    CHECK(!lt_plausible_range(t, "ecog", &lo, &hi));
    char why[256];
    CHECK(!lt_plausible_value(t, "hemoglobin", -3, why, sizeof why));
    CHECK_MSG(strstr(why, "hemoglobin -3 g/dL is outside the plausible range") != NULL, "%s", why);
    CHECK(!lt_plausible_value(t, "weight", 0.001, why, sizeof why));
    CHECK(!lt_plausible_value(t, "platelets", INFINITY, NULL, 0));
    CHECK(!lt_plausible_value(t, "platelets", NAN, NULL, 0));
    CHECK(!lt_plausible_value(t, "ecog", INFINITY, NULL, 0));
    CHECK(lt_plausible_value(t, "platelets", 62, NULL, 0));
    CHECK(!lt_plausible_limits(t, "creatinine", true, 1.2, true, 0.6, why, sizeof why));
    CHECK_MSG(strstr(why, "LLN 1.2 is above the ULN 0.6") != NULL, "%s", why);
    CHECK(lt_plausible_limits(t, "creatinine", true, 0.6, true, 1.2, NULL, 0));
    CHECK(lt_plausible_limits(t, "creatinine", false, NAN, true, 1.2, NULL, 0));
    /* every analyte of the units table has a range whose ends are finite and ordered */
    const char *analytes[] = {"hemoglobin", "wbc", "neutrophils", "lymphocytes", "platelets",
                              "creatinine", "creatinine_clearance", "egfr", "bilirubin", "alt",
                              "ast", "albumin", "inr", "prothrombin_time", "ptt",
                              "glucose_fasting", "hcg", "weight", "height", "prrt"};
    for (size_t i = 0; i < sizeof analytes / sizeof analytes[0]; i++)
        CHECK_MSG(lt_plausible_range(t, analytes[i], &lo, &hi) && isfinite(lo) && isfinite(hi) &&
                      lo < hi,
                  "%s", analytes[i]);
    lt_plausible_free(t);

    /* a broken table is refused with its place */
    static const struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"{\"format\":\"lutetia-plausible-ranges\",\"ranges\":{\"sodium\":{\"unit\":\"mmol/L\","
         "\"min\":100,\"max\":180}}}",
         "ranges.sodium", "not an analyte"},
        {"{\"format\":\"lutetia-plausible-ranges\",\"ranges\":{\"creatinine\":{\"unit\":\"umol/L\","
         "\"min\":5,\"max\":3500}}}",
         "ranges.creatinine", "expected \"unit\": \"mg/dL\""},
        {"{\"format\":\"lutetia-plausible-ranges\",\"ranges\":{\"creatinine\":{\"unit\":\"mg/dL\","
         "\"min\":40,\"max\":0.05}}}",
         "ranges.creatinine", "expected numbers \"min\" below \"max\""},
        {"{\"format\":\"lutetia-plausible-ranges\",\"ranges\":{\"creatinine\":{\"unit\":\"mg/dL\","
         "\"min\":0.05,\"max\":40}}}",
         "lt-plausible-", "ranges: no plausible range for \"hemoglobin\""},
    };
    char path[] = "/tmp/lt-plausible-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lt_file_write(path, bad[i].text, strlen(bad[i].text), &err) == LT_OK);
        t = NULL;
        CHECK_MSG(lt_plausible_load(path, &t, &err) == LT_ESCHEMA && !t, "bad[%zu] loaded", i);
        CHECK_MSG(strstr(err.where, bad[i].where) != NULL || strstr(err.message, bad[i].where),
                  "bad[%zu]: where %s", i, err.where);
        CHECK_MSG(strstr(err.message, bad[i].msg) != NULL, "bad[%zu]: %s", i, err.message);
        lt_plausible_free(t);
    }
    unlink(path);

    /* each reader marks what no body has, and only that */
    for (size_t i = 0; i < sizeof plausible_rows / sizeof plausible_rows[0]; i++) {
        lt_cohort *c = cohort();
        lt_status st = read_str(c, plausible_rows[i].doc, "p.json", &err);
        CHECK_MSG(st == LT_OK, "%s: %s: %s", plausible_rows[i].name, err.where, err.message);
        const lt_patient *p = lt_cohort_patient(c, 0);
        const lt_fact *f[2];
        size_t n = 0;
        for (int k = 0; p && k < LT_FACT_KIND_COUNT && !n; k++)
            n = lt_patient_facts(p, (lt_fact_kind)k, plausible_rows[i].code, f, 2);
        CHECK_MSG(n == 1 && (f[0]->problem == LT_FACT_IMPLAUSIBLE) == plausible_rows[i].implausible,
                  "%s: %zu facts, problem %s", plausible_rows[i].name, n,
                  n ? lt_fact_problem_name(f[0]->problem) : "-");
        lt_cohort_free(c);
    }
}


/* ---- the native writer (data entered once) ---- */

/* Writes every patient of c, reads the text back and writes again: the second text must equal
 * the first (what the store keeps reads back to itself), with the same facts. */
static void roundtrip(lt_cohort *c, const char *what)
{
    for (size_t i = 0; i < lt_cohort_count(c); i++) {
        const lt_patient *p = lt_cohort_patient(c, i);
        lt_buf a = LT_BUF_INIT, b = LT_BUF_INIT;
        lt_error err;
        size_t left = 0;
        CHECK(lt_patient_to_json(p, &a, &left, &err) == LT_OK);
        lt_cohort *back = cohort();
        lt_status st = read_str(back, lt_buf_str(&a), "written", &err);
        CHECK_MSG(st == LT_OK, "%s %s: the written document does not read back: %s: %s", what,
                  p->id, err.where, err.message);
        const lt_patient *q = st == LT_OK ? lt_cohort_find(back, p->id) : NULL;
        CHECK(q != NULL);
        if (q) {
            CHECK(lt_patient_to_json(q, &b, NULL, &err) == LT_OK);
            CHECK_MSG(!strcmp(lt_buf_str(&a), lt_buf_str(&b)), "%s %s: written twice differs",
                      what, p->id);
            CHECK_INT(q->birth_date, p->birth_date);
            CHECK_INT(q->sex, p->sex);
            CHECK_MSG(q->nfacts + left <= p->nfacts && q->nfacts > 0,
                      "%s %s: %zu facts, %zu left out, %zu read back", what, p->id, p->nfacts,
                      left, q->nfacts);
        }
        lt_cohort_free(back);
        lt_buf_free(&a);
        lt_buf_free(&b);
    }
}

static void test_write(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/examples", getenv("SRC") ? getenv("SRC") : ".");
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        bool json = len > 5 && !strcmp(e->d_name + len - 5, ".json");
        bool csv = len > 4 && !strcmp(e->d_name + len - 4, ".csv");
        if (!json && !csv) continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        lt_cohort *c = cohort();
        lt_error err;
        if (lt_cohort_read_file(c, path, &err) == LT_OK) {
            roundtrip(c, e->d_name);
            n++;
        }
        lt_cohort_free(c);
    }
    closedir(d);
    CHECK_MSG(n >= 10, "only %d example files written and read back", n);

    /* a fact sent twice (by two files) is written once; one that differs is kept */
    lt_cohort *c = cohort();
    lt_error err;
    const char *one_lab = "{\"id\":\"W1\",\"birth_date\":\"1960-01-02\",\"labs\":[{\"code\":"
                          "\"platelets\",\"date\":\"2026-10-01\",\"value\":200,\"unit\":\"10^9/L\"}]}";
    const char *two_labs = "{\"id\":\"W1\",\"labs\":[{\"code\":\"platelets\",\"date\":"
                           "\"2026-10-01\",\"value\":200000,\"unit\":\"/uL\"},{\"code\":"
                           "\"platelets\",\"date\":\"2026-10-08\",\"value\":180,\"unit\":\"G/L\"}]}";
    CHECK(read_str(c, one_lab, "a.json", &err) == LT_OK);
    CHECK(read_str(c, two_labs, "b.json", &err) == LT_OK);
    const lt_patient *p = lt_cohort_find(c, "W1");
    lt_buf b = LT_BUF_INIT;
    CHECK(p && lt_patient_to_json(p, &b, NULL, &err) == LT_OK);
    lt_cohort *back = cohort();
    CHECK(read_str(back, lt_buf_str(&b), "w.json", &err) == LT_OK);
    const lt_patient *q = lt_cohort_find(back, "W1");
    const lt_fact *f[4];
    CHECK(q && lt_patient_facts(q, LT_FACT_LAB, "platelets", f, 4) == 2);
    CHECK(strstr(lt_buf_str(&b), "\"source\":\"a.json: labs[0]\"") != NULL);
    CHECK(strstr(lt_buf_str(&b), "b.json: labs[0]") == NULL);
    CHECK(strstr(lt_buf_str(&b), "b.json: labs[1]") != NULL);
    lt_buf_free(&b);
    lt_cohort_free(back);
    lt_cohort_free(c);

    /* a partial date keeps its span through the store: "1962-03" is 1962-03-01..31 */
    c = cohort();
    const char *partial = "{\"id\":\"W2\",\"birth_date\":\"1962-03\",\"treatments\":[{\"code\":"
                          "\"everolimus\",\"date\":\"2013\"}]}";
    CHECK(read_str(c, partial, "p.json", &err) == LT_OK);
    p = lt_cohort_find(c, "W2");
    CHECK(p && p->birth_date == lt_date_from_ymd(1962, 3, 1) &&
          p->birth_date_latest == lt_date_from_ymd(1962, 3, 31));
    CHECK(p && p->nfacts == 1 && p->facts[0].date == lt_date_from_ymd(2013, 1, 1) &&
          p->facts[0].date_latest == lt_date_from_ymd(2013, 12, 31));
    b = (lt_buf)LT_BUF_INIT;
    CHECK(p && lt_patient_to_json(p, &b, NULL, &err) == LT_OK);
    CHECK(strstr(lt_buf_str(&b), "\"birth_date\":\"1962-03\"") != NULL);
    CHECK(strstr(lt_buf_str(&b), "\"date\":\"2013\"") != NULL);
    lt_buf_free(&b);
    lt_cohort_free(c);
}

int main(void)
{
    test_units();
    test_units_doc();
    test_native();
    test_native_errors();
    test_stable_order();
    test_merge();
    test_fhir();
    test_csv();
    test_csv_long_cell();
    test_concepts();
    test_plausible();
    test_synthea();
    test_write();
    return lt_test_done();
}
