/* Fuzz target for the dosing and safety readers of outside input: the nuclide table, the CTCAE
 * grading table and the dose-modification rules (files a site edits), and the JSON records
 * (administration, ledger, adverse event, decision, decision request, a protocol's dosing
 * section) read back from a store or a user. Every input goes
 * to every reader; a parsed table is also exercised so that odd but valid tables are used. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lutetia.h"
#include "lutetia/dosing.h"
#include "lutetia/safety.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    lt_error err;
    lt_nuclide_table *nt = NULL;
    if (lt_nuclide_table_parse(text, size, "fuzz", &nt, &err) == LT_OK) {
        for (size_t i = 0; i < lt_nuclide_count(nt); i++)
            (void)lt_decay(lt_nuclide_at(nt, i), 7400, 0, 86400);
        (void)lt_nuclide_find(nt, "Lu-177");
        lt_nuclide_table_free(nt);
    }
    lt_ctcae_table *ct = NULL;
    if (lt_ctcae_parse(text, size, "fuzz", &ct, &err) == LT_OK) {
        lt_grade_context c;
        lt_grade_context_init(&c);
        c.lln = 100;
        c.uln = 1.2;
        c.baseline = 1.0;
        for (size_t i = 0; i < lt_ctcae_count(ct); i++) {
            lt_grade g;
            (void)lt_ctcae_grade(ct, lt_ctcae_analyte(ct, i), 3.0, &c, &g, &err);
            (void)lt_ctcae_grade(ct, lt_ctcae_analyte(ct, i), 0.5, NULL, &g, &err);
        }
    }
    lt_dosemod_rules *r = NULL;
    if (lt_dosemod_parse(text, size, "fuzz", &r, &err) == LT_OK && ct) {
        lt_lab labs[] = {{"platelets", 60, 150, 400},
                         {"creatinine", 1.5, 0.7, 1.2},
                         {"bilirubin", 2.0, 0.1, 1.2},
                         {"albumin", 2.5, 3.5, 5.0}};
        lt_lab base[] = {{"creatinine", 1.0, 0.7, 1.2}};
        lt_adverse_event ev = {.patient = "p",
                               .term = "Nausea",
                               .grade = 3,
                               .related = LT_RELATED_POSSIBLE,
                               .start = 20000,
                               .end = LT_DATE_NONE};
        lt_dosemod_input in;
        lt_dosemod_input_init(&in);
        in.decision_date = 20100;
        in.first_due = 20000;
        in.labs = labs;
        in.nlabs = 4;
        in.baseline = base;
        in.nbaseline = 1;
        in.age_years = 60;
        in.weight_kg = 70;
        in.sex = LT_SEX_FEMALE;
        in.events = &ev;
        in.nevents = 1;
        in.withheld = true;
        lt_dosemod_decision d;
        (void)lt_dosemod_decide(r, ct, &in, &d, &err);
    }
    lt_dosemod_free(r);
    lt_ctcae_free(ct);

    lt_json *v = NULL;
    if (lt_json_parse(text, size, "fuzz", &v, &err) == LT_OK) {
        lt_administration a;
        lt_adverse_event e;
        lt_dosemod_decision d;
        lt_ledger *l = NULL;
        lt_buf b = LT_BUF_INIT;
        if (lt_administration_from_json(v, "fuzz", &a, &err) == LT_OK)
            lt_administration_to_json(&a, &b);
        if (lt_adverse_event_from_json(v, "fuzz", &e, &err) == LT_OK)
            lt_adverse_event_to_json(&e, &b);
        if (lt_dosemod_decision_from_json(v, "fuzz", &d, &err) == LT_OK)
            lt_dosemod_decision_to_json(&d, &b);
        if (lt_ledger_from_json(v, "fuzz", &l, &err) == LT_OK) lt_ledger_to_json(l, &b);
        lt_dosemod_request *req = NULL;
        if (lt_dosemod_request_from_json(v, "fuzz", &req, &err) == LT_OK)
            (void)lt_dosemod_request_input(req);
        lt_dosemod_request_free(req);
        lt_dosing_plan plan;
        (void)lt_dosing_plan_from_json(v, "fuzz", &plan, &err);
        lt_dose_rules rules;
        lt_dose_rules_default(&rules);
        (void)lt_dose_rules_from_json(v, "fuzz", &rules, &err);
        lt_ledger_free(l);
        lt_buf_free(&b);
        lt_json_free(v);
    }
    return 0;
}
