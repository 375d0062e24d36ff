/* FHIR R4 as other EHRs send it (the JSON files of tests/patient/fhir-world, bundles shaped as the HL7
 * examples and hospital exports are): medicationReference, intentions that are no exposure,
 * results withdrawn after a final one, deceased patients, versioned and foreign references,
 * patients of two servers with one bare id, and collections of bundles. Each file states in
 * its resources what must come out; this program checks it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lt_test.h"
#include "lutetia/eligibility.h"
#include "lutetia/patient.h"
#include "lutetia/protocol.h"

static const char *dir;

/* The cohort read from one file of the folder; exits on a reading error. */
static lt_cohort *read_one(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lt_cohort *c = NULL;
    lt_error err;
    if (lt_cohort_new(&c, &err) != LT_OK || lt_cohort_read_file(c, path, &err) != LT_OK) {
        printf("FAIL %s: %s: %s\n", name, err.where, err.message);
        lt_test_failed++;
        lt_cohort_free(c);
        return NULL;
    }
    return c;
}

/* protocols/nelmas.json of the source tree, or NULL (a failure counted). */
static lt_protocol *nelmas(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../../../protocols/nelmas.json", dir);
    lt_protocol *proto = NULL;
    lt_error err;
    if (lt_protocol_load(path, NULL, &proto, &err) != LT_OK) {
        printf("FAIL %s: %s\n", err.where, err.message);
        lt_test_failed++;
        return NULL;
    }
    return proto;
}

static size_t count(const lt_patient *p, lt_fact_kind kind, const char *code)
{
    return lt_patient_facts(p, kind, code, NULL, 0);
}

static void test_medication_reference(void)
{
    lt_cohort *c = read_one("medication-reference.json");
    if (!c) return;
    const lt_patient *p = lt_cohort_find(c, "p1");
    CHECK(p != NULL);
    /* contained #med, a Medication entry by fullUrl, and by Medication/id: three exposures;
     * a reference to a contained resource that is not there gives none */
    CHECK_INT(count(p, LT_FACT_TREATMENT, "alkylating_agent"), 3);
    const lt_fact *f[3] = {NULL};
    lt_patient_facts(p, LT_FACT_TREATMENT, "alkylating_agent", f, 3);
    char d[LT_DATE_STR_MAX];
    CHECK(f[0] != NULL);
    if (f[0]) {
        CHECK_STR(lt_date_format(f[0]->date, d), "2024-01-10");
        CHECK_STR(lt_date_format(f[0]->end_date, d), "2024-05-01");
    }
    lt_cohort_free(c);
}

static void test_medication_intent(void)
{
    lt_cohort *c = read_one("medication-intent.json");
    if (!c) return;
    const lt_patient *p = lt_cohort_find(c, "p1");
    CHECK(p != NULL);
    /* intended, draft, proposal, plan and on-hold are no exposure; the completed order is */
    CHECK_INT(count(p, LT_FACT_TREATMENT, "alkylating_agent"), 1);
    const lt_fact *f = NULL;
    lt_patient_facts(p, LT_FACT_TREATMENT, "alkylating_agent", &f, 1);
    CHECK(f && strstr(f->source, "MedicationRequest/given") != NULL);
    lt_cohort_free(c);
}

static void test_withdrawn_results(void)
{
    lt_cohort *c = read_one("observation-withdrawn.json");
    if (!c) return;
    const lt_patient *p = lt_cohort_find(c, "p1");
    CHECK(p != NULL);
    CHECK_INT(count(p, LT_FACT_LAB, "platelets"), 1);
    const lt_fact *f = NULL;
    lt_patient_facts(p, LT_FACT_LAB, "platelets", &f, 1);
    CHECK(f && f->problem == LT_FACT_OK && f->value == 150);
    lt_cohort_free(c);
}

/* A dead patient is never eligible, and the screening says why. */
static void test_deceased(void)
{
    lt_protocol *proto = nelmas();
    lt_error err;
    if (!proto) return;
    static const struct {
        const char *file, *as_of;
        bool deceased;
        const char *date; /* "null" when the record gives none */
    } rows[] = {
        {"deceased-boolean.json", "2026-11-01", true, "null"},
        {"deceased-datetime.json", "2026-11-01", true, "\"2026-06-01\""},
        {"deceased-datetime.json", "2026-05-31", false, NULL}, /* replayed as of the day before */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_cohort *c = read_one(rows[i].file);
        if (!c) continue;
        const lt_patient *p = lt_cohort_find(c, "p1");
        CHECK(p && p->deceased);
        lt_screen_options opt = {LT_DATE_NONE, NULL, NULL, 0};
        lt_date_parse(rows[i].as_of, false, &opt.as_of);
        lt_screening *s = NULL;
        if (p && lt_screen(proto, p, &opt, &s, &err) == LT_OK) {
            lt_buf b = LT_BUF_INIT;
            lt_screening_json(s, &b);
            
            char want[128];
            snprintf(want, sizeof want, "\"deceased\":{\"date\":%s,\"reason\":\"DECEASED\"}",
                     rows[i].date ? rows[i].date : "");
            if (rows[i].deceased) {
                CHECK_MSG(lt_screening_verdict(s) == LT_VERDICT_INELIGIBLE, "%s as of %s",
                          rows[i].file, rows[i].as_of);
                CHECK_MSG(strstr(b.p, want) != NULL, "%s: %s", rows[i].file, b.p);
            } else {
                CHECK_MSG(strstr(b.p, "\"deceased\"") == NULL, "%s: %s", rows[i].file, b.p);
            }
            lt_buf_free(&b);
        }
        lt_screening_free(s);
        lt_cohort_free(c);
    }
    lt_protocol_free(proto);
}

static void test_references(void)
{
    lt_cohort *c = read_one("references.json");
    if (!c) return;
    /* two servers' Patient/45 are two people, known by their full URLs */
    CHECK_INT(lt_cohort_count(c), 2);
    const lt_patient *a = lt_cohort_find(c, "https://ehr-a.example.org/fhir/Patient/45");
    const lt_patient *b = lt_cohort_find(c, "https://ehr-b.example.org/fhir/Patient/45");
    CHECK(a && b && a != b);
    if (a && b) {
        CHECK(a->sex == LT_SEX_FEMALE && b->sex == LT_SEX_MALE);
        /* "Patient/45/_history/2" from a server-A entry is server A's patient 45 */
        CHECK_INT(count(a, LT_FACT_LAB, "platelets"), 1);
        CHECK_INT(count(b, LT_FACT_LAB, "platelets"), 1);
    }
    /* the third server's patient is not in the bundle: read past, with a warning */
    CHECK_INT(lt_cohort_warning_count(c), 1);
    CHECK(lt_cohort_warning(c, 0) && strstr(lt_cohort_warning(c, 0), "Observation/c1") &&
          strstr(lt_cohort_warning(c, 0), "ehr-c.example.org"));
    lt_cohort_free(c);
}

static void test_nested_bundles(void)
{
    lt_cohort *c = read_one("nested-bundles.json");
    if (!c) return;
    CHECK_INT(lt_cohort_count(c), 2);
    const lt_patient *n1 = lt_cohort_find(c, "n1"), *n2 = lt_cohort_find(c, "n2");
    CHECK(n1 && n2);
    if (n1 && n2) {
        CHECK_INT(count(n1, LT_FACT_LAB, "platelets"), 1);
        CHECK_INT(count(n2, LT_FACT_LAB, "platelets"), 1);
    }
    lt_cohort_free(c);
}

/* A birth year or year-month (valid R4) gives the age to within that span: decided when the
 * whole span is on one side of the threshold, unknown otherwise (NELMAS I2: 18 or older). */
static void test_partial_birth_date(void)
{
    lt_protocol *proto = nelmas();
    lt_error err;
    if (!proto) return;
    static const struct {
        const char *file, *as_of, *first, *last, *status, *reason;
    } rows[] = {
        {"birthdate-year.json", "2026-11-01", "1974-01-01", "1974-12-31", "met", "THRESHOLD"},
        {"birthdate-year-2008.json", "2026-06-01", "2008-01-01", "2008-12-31", "unknown",
         "BIRTH_DATE_PARTIAL"},
        {"birthdate-year-2008.json", "2027-01-01", "2008-01-01", "2008-12-31", "met",
         "THRESHOLD"},
        {"birthdate-year-2008.json", "2025-12-31", "2008-01-01", "2008-12-31", "not_met",
         "THRESHOLD"},
        {"birthdate-month.json", "2026-07-01", "2008-06-01", "2008-06-30", "met", "THRESHOLD"},
        {"birthdate-month.json", "2026-06-15", "2008-06-01", "2008-06-30", "unknown",
         "BIRTH_DATE_PARTIAL"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lt_cohort *c = read_one(rows[i].file);
        if (!c) continue;
        const lt_patient *p = lt_cohort_find(c, "p1");
        char d[LT_DATE_STR_MAX];
        CHECK(p != NULL);
        if (!p) {
            lt_cohort_free(c);
            continue;
        }
        CHECK_STR(lt_date_format(p->birth_date, d), rows[i].first);
        CHECK_STR(lt_date_format(p->birth_date_latest, d), rows[i].last);
        lt_screen_options opt = {LT_DATE_NONE, NULL, NULL, 0};
        lt_date_parse(rows[i].as_of, false, &opt.as_of);
        lt_screening *s = NULL;
        if (lt_screen(proto, p, &opt, &s, &err) == LT_OK) {
            for (size_t k = 0; k < lt_screening_count(s); k++) {
                const lt_criterion_result *r = lt_screening_result(s, k);
                if (strcmp(r->id, "I2")) continue;
                CHECK_MSG(!strcmp(lt_tri_name(r->status), rows[i].status) &&
                              !strcmp(r->reason, rows[i].reason),
                          "%s as of %s: I2 %s %s, expected %s %s", rows[i].file, rows[i].as_of,
                          lt_tri_name(r->status), r->reason, rows[i].status, rows[i].reason);
            }
        } else {
            CHECK_MSG(0, "%s: %s", err.where, err.message);
        }
        lt_screening_free(s);
        lt_cohort_free(c);
    }
    lt_protocol_free(proto);
}

/* The status of NELMAS criterion id for the one patient of file, as of as_of, into status and
 * reason (borrowed names); false when it cannot be screened. */
static bool criterion_of(const char *file, const char *as_of, const char *id, char *status,
                         char *reason, size_t n)
{
    lt_protocol *proto = nelmas();
    lt_cohort *c = proto ? read_one(file) : NULL;
    const lt_patient *p = c ? lt_cohort_find(c, "p1") : NULL;
    lt_screen_options opt = {LT_DATE_NONE, NULL, NULL, 0};
    lt_date_parse(as_of, false, &opt.as_of);
    lt_screening *s = NULL;
    lt_error err;
    bool found = false;
    if (p && lt_screen(proto, p, &opt, &s, &err) == LT_OK)
        for (size_t k = 0; k < lt_screening_count(s); k++) {
            const lt_criterion_result *r = lt_screening_result(s, k);
            if (strcmp(r->id, id)) continue;
            snprintf(status, n, "%s", lt_tri_name(r->status));
            snprintf(reason, n, "%s", r->reason);
            found = true;
        }
    lt_screening_free(s);
    lt_cohort_free(c);
    lt_protocol_free(proto);
    return found;
}

/* A result or a treatment dated to a month ("2026-02", valid R4) is kept: on a day of that
 * month. It is in a window when all its days are, outside when none is, unknown when the
 * window's edge cuts the month (DATE_PARTIAL). A partial end date is its last day, so a
 * washout is never judged shorter than it may have been. NELMAS I3: ECOG within the 28 days
 * before the as-of date; E1: a treatment that ended less than 4 weeks before randomisation. */
static void test_partial_fact_dates(void)
{
    lt_cohort *c = read_one("partial-dates.json");
    const lt_patient *p = c ? lt_cohort_find(c, "p1") : NULL;
    CHECK(p != NULL);
    if (p) {
        const lt_fact *f[2] = {NULL, NULL};
        char d[LT_DATE_STR_MAX];
        CHECK_INT(lt_patient_facts(p, LT_FACT_PERFORMANCE, "ecog", f, 2), 1);
        CHECK_INT(lt_patient_facts(p, LT_FACT_TREATMENT, "alkylating_agent", f + 1, 1), 1);
        if (f[0] && f[1]) {
            CHECK_INT(f[0]->problem, LT_FACT_OK);
            CHECK_STR(lt_date_format(f[0]->date, d), "2026-02-01");
            CHECK_STR(lt_date_format(f[0]->date_latest, d), "2026-02-28");
            CHECK_STR(lt_date_format(f[1]->date, d), "2025-12-01");
            CHECK_STR(lt_date_format(f[1]->end_date, d), "2026-02-28");
        }
    }
    lt_cohort_free(c);
    static const struct {
        const char *as_of, *id, *status, *reason;
    } rows[] = {
        /* the window 2026-01-31..2026-02-28 holds all of February */
        {"2026-02-28", "I3", "met", "THRESHOLD"},
        /* 2026-02-03..2026-03-03 cuts February: it may have been on the 1st or 2nd */
        {"2026-03-03", "I3", "unknown", "DATE_PARTIAL"},
        /* 2026-03-04..2026-04-01: all of February before it; the window is still open */
        {"2026-04-01", "I3", "unknown", "OUT_OF_WINDOW"},
        /* temozolomide ended at the latest on 2026-02-28: within 4 weeks of 2026-03-20 */
        {"2026-03-20", "E1", "met", NULL},
        /* and not within the 4 weeks before 2026-03-30 */
        {"2026-03-30", "E1", "not_met", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char status[32], reason[64];
        bool ok = criterion_of("partial-dates.json", rows[i].as_of, rows[i].id, status, reason,
                               sizeof status);
        CHECK_MSG(ok && !strcmp(status, rows[i].status) &&
                      (!rows[i].reason || !strcmp(reason, rows[i].reason)),
                  "as of %s: %s %s %s, expected %s %s", rows[i].as_of, rows[i].id,
                  ok ? status : "-", ok ? reason : "-", rows[i].status,
                  rows[i].reason ? rows[i].reason : "(any)");
    }
}

/* AllergyIntolerance: octreotide (RxNorm 7617) as the substance is a hypersensitivity to
 * somatostatin analogues (NELMAS E17); a refuted one is dropped, an unconfirmed one decides
 * nothing. A provisional Condition is kept, marked, and decides nothing either. */
static void test_allergy_and_unconfirmed(void)
{
    lt_cohort *c = read_one("allergy-octreotide.json");
    if (c) {
        const lt_patient *p = lt_cohort_find(c, "p1");
        CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "hypersensitivity_somatostatin_analogue"), 1);
        lt_cohort_free(c);
    }
    char st[32], why[32];
    CHECK(criterion_of("allergy-octreotide.json", "2026-11-01", "E17", st, why, sizeof st) &&
          !strcmp(st, "met") && !strcmp(why, "FACT_FOUND"));
    CHECK_MSG(criterion_of("allergy-unconfirmed.json", "2026-11-01", "E17", st, why, sizeof st) &&
                  !strcmp(st, "unknown") && !strcmp(why, "UNCONFIRMED"),
              "an unconfirmed allergy: E17 %s %s", st, why);
    c = read_one("condition-provisional.json");
    if (c) {
        const lt_patient *p = lt_cohort_find(c, "p1");
        const lt_fact *f[2] = {NULL, NULL};
        CHECK_INT(lt_patient_facts(p, LT_FACT_DIAGNOSIS, "net", f, 2), 2);
        const lt_attr *v = f[0] ? lt_fact_attr(f[0], "verification_status") : NULL;
        CHECK(v && v->text && !strcmp(v->text, "provisional"));
        CHECK(f[1] && !lt_fact_attr(f[1], "verification_status"));
        lt_cohort_free(c);
    }
}

/* Codes hospitals send: an ICD-10-CM category names its subcodes (E11.65 is diabetes, I50.22
 * heart failure, C18.7 another malignancy), while the trial's NET (C7A) and secondary
 * neoplasms (C79.51) are no "other malignancy"; an exact code wins over a category (C78.7);
 * more eGFR LOINC codes (48642-3). */
static void test_codes(void)
{
    lt_cohort *c = read_one("icd10-categories.json");
    if (!c) return;
    const lt_patient *p = lt_cohort_find(c, "p1");
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "diabetes"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "heart_failure"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "other_malignancy"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "liver_metastases"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "net"), 0);
    CHECK_INT(count(p, LT_FACT_LAB, "egfr"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "extrahepatic_disease"), 1); /* C79.51 */
    CHECK_INT((int)p->nfacts, 6);
    lt_cohort_free(c);

    /* metastases outside the liver by ICD-10-CM category (C77-C79, C7B.0x), with the liver
     * (C78.7) and the brain (C79.31) keeping their own concepts; Y-90 radioembolization by
     * CPT 79445; lanreotide by an RxNorm product code */
    c = read_one("metastases-and-products.json");
    if (!c) return;
    p = lt_cohort_find(c, "p1");
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "extrahepatic_disease"), 4);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "liver_metastases"), 1);
    CHECK_INT(count(p, LT_FACT_DIAGNOSIS, "brain_metastases"), 1);
    CHECK_INT(count(p, LT_FACT_PROCEDURE, "radioembolization_y90"), 1);
    CHECK_INT(count(p, LT_FACT_TREATMENT, "somatostatin_analogue_long"), 1);
    lt_cohort_free(c);
}

/* Laboratory systems date the report, not each result: a result without its own date takes
 * its DiagnosticReport's (named by Observation/id or by fullUrl); results contained in a report
 * are read, with the report's subject and date; an eGFR given as a component is a result. */
static void test_diagnostic_report(void)
{
    lt_cohort *c = read_one("diagnostic-report.json");
    if (!c) return;
    const lt_patient *p = lt_cohort_find(c, "p1");
    static const struct {
        const char *code, *date;
        double value;
    } want[] = {{"platelets", "2026-10-20", 180},
                {"hemoglobin", "2026-10-20", 12.1},
                {"creatinine", "2026-10-21", 0.9},
                {"egfr", "2026-10-21", 88}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const lt_fact *f = NULL;
        char d[LT_DATE_STR_MAX];
        CHECK_MSG(lt_patient_facts(p, LT_FACT_LAB, want[i].code, &f, 1) == 1, "%s", want[i].code);
        if (!f) continue;
        CHECK_STR(lt_date_format(f->date, d), want[i].date);
        CHECK_MSG(f->has_value && f->value == want[i].value, "%s = %g", want[i].code, f->value);
    }
    lt_cohort_free(c);
}

/* The HL7 US Core examples (tests/patient/fhir-corpus/us-core, CC0-1.0; SOURCE.md there):
 * every resource they hold about Patient/example, gathered into one Bundle, reads with the
 * labs, the pregnancy status and the age they give; the example Bundles that hold no patient
 * and the single resources are refused with an error naming the file, never read as nothing. */
static void test_us_core_corpus(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../fhir-corpus/us-core/patient-example-bundle.json", dir);
    lt_cohort *c = NULL;
    lt_error err;
    CHECK(lt_cohort_new(&c, &err) == LT_OK);
    if (!c) return;
    if (lt_cohort_read_file(c, path, &err) != LT_OK) {
        CHECK_MSG(0, "%s: %s", err.where, err.message);
        lt_cohort_free(c);
        return;
    }
    CHECK_INT(lt_cohort_count(c), 1);
    const lt_patient *p = lt_cohort_patient(c, 0);
    char d[LT_DATE_STR_MAX];
    CHECK_STR(lt_date_format(p->birth_date, d), "1987-02-20");
    static const char *const labs[] = {"hemoglobin", "wbc", "platelets", "creatinine"};
    for (size_t i = 0; i < sizeof labs / sizeof labs[0]; i++) {
        const lt_fact *f = NULL;
        CHECK_MSG(lt_patient_facts(p, LT_FACT_LAB, labs[i], &f, 1) >= 1 && f &&
                      f->problem == LT_FACT_OK && f->has_value,
                  "US Core: no usable %s", labs[i]);
    }
    const lt_fact *hb = NULL;
    if (lt_patient_facts(p, LT_FACT_LAB, "hemoglobin", &hb, 1) >= 1 && hb) {
        CHECK_STR(lt_date_format(hb->date, d), "2005-07-05");
        CHECK(hb->value > 16.9 && hb->value < 17.1);
    }
    CHECK_INT(count(p, LT_FACT_STATUS, "pregnant"), 1);
    lt_cohort_free(c);

    static const struct {
        const char *file, *says;
    } refused[] = {
        {"bundle-docref-example1.json", "no Patient"},
        {"PractitionerRole_Practitioner_Endpoint_Bundle_Example.json", "no Patient"},
        {"patient-deceased-example.json", "expected a Bundle"},
        {"diagnosticreport-cbc.json", "expected a Bundle"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(path, sizeof path, "%s/../fhir-corpus/us-core/%s", dir, refused[i].file);
        c = NULL;
        CHECK(lt_cohort_new(&c, &err) == LT_OK);
        lt_status st = lt_cohort_read_file(c, path, &err);
        CHECK_MSG(st != LT_OK && strstr(err.where, refused[i].file) &&
                      strstr(err.message, refused[i].says),
                  "%s: status %d, %s: %s", refused[i].file, (int)st, err.where, err.message);
        CHECK_INT(lt_cohort_count(c), 0);
        lt_cohort_free(c);
    }
}

int main(int argc, char **argv)
{
    dir = argc > 1 ? argv[1] : "tests/patient/fhir-world";
    test_medication_reference();
    test_medication_intent();
    test_withdrawn_results();
    test_deceased();
    test_references();
    test_nested_bundles();
    test_partial_birth_date();
    test_partial_fact_dates();
    test_allergy_and_unconfirmed();
    test_codes();
    test_diagnostic_report();
    test_us_core_corpus();
    return lt_test_done();
}
